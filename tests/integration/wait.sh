# wait_for CMD [SECONDS]: true as soon as CMD (eval'd) succeeds, polling
# every 50 ms; false when it still fails after SECONDS (default 20) of
# wall-clock time. Sourced by the integration scripts and their libs:
# tests wait on events with generous deadlines, never on fixed sleeps.
wait_for() {
	local end=$((SECONDS + ${2:-20}))
	while [ $SECONDS -lt $end ]; do
		eval "$1" && return 0
		sleep 0.05
	done
	eval "$1"
}
