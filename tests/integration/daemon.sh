# The daemon of the mail, smtp and webhook test libs: watchfor following
# ./log with the config ./conf, its output appended to ./out and ./err.
# Sourced after wait.sh; the sourcing lib sets BIN, NSTARTS=0, PID= and
# defines fail.

# start [ARGS...]: starts watchfor, waits for its (NSTARTS-th) banner.
start() {
	NSTARTS=$((NSTARTS + 1))
	"$BIN" -c conf -t log "$@" >> out 2>> err &
	PID=$!
	wait_for '[ "$(grep -c "^\*\*\* watchfor version" out 2>/dev/null)" -ge $NSTARTS ]' ||
	    fail "no banner"
}

# stop: TERM, and waits for it.
stop() {
	kill -TERM "$PID"
	wait "$PID"
	PID=
}

# crash: SIGKILL, and reaps it.
crash() {
	kill -KILL "$PID"
	wait "$PID" 2>/dev/null
	PID=
}
