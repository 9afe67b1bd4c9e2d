# install_pkgs PKG...: makes sure the Debian packages are installed, for the
# tests that need a real Postfix, rsyslog or postfwd. Installing them is a
# change to the machine (Postfix replaces any other MTA; on a machine with
# systemd the services would be enabled), so it is done only in CI
# (CI=true: a fresh container, as .ci/run is run) and as root, with a
# temporary /usr/sbin/policy-rc.d that exits 101 when there is none, so
# that no service starts; parallel tests take turns (flock). Elsewhere a
# missing package makes it fail with a message saying how to install it.
# Sourced; returns 0 when every package is there.
install_pkgs() {
	local p missing= prc=/usr/sbin/policy-rc.d made= rc log
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q 'ok installed' || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	if [ "${CI:-}" != true ] || [ "$(id -u)" != 0 ] ||
	    ! command -v apt-get >/dev/null; then
		echo "missing:$missing (installed by the test only in CI," \
		    "as root: apt-get install$missing)"
		return 1
	fi
	log=$(mktemp)
	(
		flock 9
		if [ ! -e "$prc" ]; then
			printf '#!/bin/sh\n# watchfor tests: no service starts\nexit 101\n' \
			    > "$prc" && chmod 755 "$prc" && made=1
		fi
		export DEBIAN_FRONTEND=noninteractive
		{ apt-get update -qq &&
		    apt-get install -y -qq --no-install-recommends \
		    -o DPkg::Lock::Timeout=300 $missing; } < /dev/null
		rc=$?
		[ -n "$made" ] && rm -f "$prc"
		exit $rc
	) 9> /tmp/watchfor-tests-apt.lock > "$log" 2>&1
	rc=$?
	[ $rc = 0 ] || tail -5 "$log"
	rm -f "$log"
	return $rc
}
