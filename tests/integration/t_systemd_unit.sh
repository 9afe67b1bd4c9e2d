#!/bin/bash
# units/watchfor@.service, checked offline: `systemd-analyze verify` in an
# installed tree made in a temporary root (the binary, /bin/kill, the
# host's unit files for the targets, the unit and, uncommented, the relax
# drop-in) must be silent; `systemd-analyze security --offline=true` must
# give an exposure of 1.5 or lower; the sysusers file must create the
# user in its groups in a temporary root; and the unit keeps the settings
# that mail delivery and the daemon rely on. Never talks to the machine's
# systemd (no systemctl, no daemon-reload): every tool runs offline or
# under --root. Exit 77 when systemd-analyze (or --offline) is missing.
set -u
BIN=$(readlink -f "${1:?usage: t_systemd_unit.sh path/to/watchfor}")
HERE=$(cd "$(dirname "$0")" && pwd)
UNITS=$(cd "$HERE/../../units" && pwd)
UNIT=$UNITS/watchfor@.service
MAX_EXPOSURE=15		# systemd-analyze's scale: 15 is 1.5
ROOT=$(mktemp -d)
FAILED=0
trap '[ "$FAILED" = 0 ] && rm -rf "$ROOT"' EXIT

fail() {
	echo "FAIL [$CASE]: $*"
	FAILED=1
	exit 1
}
command -v systemd-analyze >/dev/null ||
    { echo "SKIP: no systemd-analyze (apt-get install systemd)"; exit 77; }

CASE=settings
# what the daemon, the notify protocol and mail delivery rely on
for want in 'Type=notify' 'NotifyAccess=main' \
    'ExecStartPre=/usr/bin/watchfor --check --config-file=/etc/watchfor/%i.conf' \
    'ExecStart=/usr/bin/watchfor --config-file=/etc/watchfor/%i.conf' \
    'ExecReload=/bin/kill -HUP $MAINPID' 'StateDirectory=watchfor/%i' \
    'StateDirectoryMode=0700' 'Restart=on-failure' \
    'RestartPreventExitStatus=2' 'User=watchfor' 'NoNewPrivileges=yes' \
    'ProtectSystem=strict' 'CapabilityBoundingSet=' 'UMask=0077'; do
	grep -qxF -- "$want" "$UNIT" || fail "missing: $want"
done
grep -qE '^SupplementaryGroups=.*\bpostdrop\b' "$UNIT" ||
    fail "the user must be in postdrop (NoNewPrivileges= and postdrop)"
grep -qE '^SupplementaryGroups=.*\badm\b.*\bsystemd-journal\b' "$UNIT" ||
    fail "the user must be in adm and systemd-journal"
grep -qE '^ReadWritePaths=.*/var/spool/postfix/maildrop' "$UNIT" ||
    fail "maildrop not writable under ProtectSystem=strict"
grep -qE '^ReadWritePaths=.*/var/spool/postfix/public' "$UNIT" ||
    fail "pickup socket not writable under ProtectSystem=strict"
grep -qE '^MemoryDenyWriteExecute=(yes|true|1|on)' "$UNIT" &&
    fail "MemoryDenyWriteExecute= stops PCRE2's JIT"
sec=$(sed -n 's/^WatchdogSec=\([0-9]*\)s\{0,1\}$/\1/p' "$UNIT")
[ -n "$sec" ] && [ "$sec" -ge 60 ] ||
    fail "WatchdogSec= must be 60s or more (idle wake-up budget): '$sec'"
grep -q '^Environment=.*STATE_DIRECTORY' "$UNIT" &&
    fail "STATE_DIRECTORY comes from StateDirectory="

CASE=security
if ! systemd-analyze --help 2>&1 | grep -q -- '--offline'; then
	echo "SKIP [security]: this systemd-analyze has no --offline"
else
	out=$(systemd-analyze security --offline=true "$UNIT" 2>&1)
	level=$(echo "$out" | sed -n 's/^→ Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
	[ -n "$level" ] || fail "no exposure level in: $out"
	echo "exposure: $level"
	if ! systemd-analyze security --offline=true \
	    --threshold=$MAX_EXPOSURE "$UNIT" >/dev/null 2>&1; then
		echo "$out" | grep '✗'
		fail "exposure $level over 1.5"
	fi
	# the check itself can fail: a unit without sandboxing is over it
	printf '[Service]\nExecStart=/usr/bin/true\nUser=nobody\n' \
	    > "$ROOT/bare.service"
	systemd-analyze security --offline=true --threshold=$MAX_EXPOSURE \
	    "$ROOT/bare.service" >/dev/null 2>&1 &&
	    fail "the threshold check passes anything"
fi

CASE=verify
# An installed tree: the unit's commands must exist for verify, so the
# binary and /bin/kill are copied in; the host's units give the targets.
R=$ROOT/root
mkdir -p "$R/usr/bin" "$R/bin" "$R/usr/lib/systemd" "$R/etc/systemd/system"
cp "$BIN" "$R/usr/bin/watchfor" || fail "copy $BIN"
cp "$(command -v kill)" "$R/bin/kill" 2>/dev/null ||
    cp /bin/kill "$R/bin/kill" || fail "no kill to copy"
for d in /usr/lib/systemd/system /lib/systemd/system; do
	if [ -d "$d" ]; then
		cp -a "$d" "$R/usr/lib/systemd/"
		break
	fi
done
[ -e "$R/usr/lib/systemd/system/multi-user.target" ] ||
    { echo "SKIP [verify]: no systemd unit files on this host"; exit 77; }
cp "$UNIT" "$R/etc/systemd/system/watchfor@.service"
# verify prints warnings (an unknown key, a bad value) but exits 0 for
# them: any output at all is a failure here
verify() {
	local msg
	msg=$(systemd-analyze verify --man=no --root="$R" "$1" 2>&1)
	RC=$?
	if [ $RC != 0 ] || [ -n "$msg" ]; then
		echo "$msg"
		return 1
	fi
}
verify watchfor@mail-rate.service || fail "the unit does not verify"
# the check can fail: a misspelt key is reported
sed 's/^ProtectSystem=/ProtectSystm=/' "$UNIT" \
    > "$R/etc/systemd/system/watchfor@.service"
verify watchfor@mail-rate.service >/dev/null &&
    fail "verify did not see a misspelt key"
cp "$UNIT" "$R/etc/systemd/system/watchfor@.service"
# the relax drop-in, every line uncommented, is valid too
mkdir -p "$R/etc/systemd/system/watchfor@mail-rate.service.d"
sed 's/^#\([A-Z]\)/\1/' "$UNITS/watchfor@.service.d-relax.conf.example" \
    > "$R/etc/systemd/system/watchfor@mail-rate.service.d/relax.conf"
verify watchfor@mail-rate.service || fail "the relax drop-in does not verify"

CASE=sysusers
if ! command -v systemd-sysusers >/dev/null; then
	echo "SKIP [sysusers]: no systemd-sysusers"
else
	S=$ROOT/sysroot
	mkdir -p "$S/etc" "$S/usr/lib/sysusers.d"
	# a base system without Postfix: adm and systemd-journal exist
	printf 'root:x:0:0:root:/root:/bin/bash\n' > "$S/etc/passwd"
	printf 'root:x:0:\nadm:x:4:\nsystemd-journal:x:999:\n' > "$S/etc/group"
	cp "$UNITS/watchfor.sysusers.conf" "$S/usr/lib/sysusers.d/watchfor.conf"
	systemd-sysusers --root="$S" watchfor.conf > "$ROOT/sysusers.log" 2>&1 ||
	    { cat "$ROOT/sysusers.log"; fail "systemd-sysusers failed"; }
	grep -q '^watchfor:x:[0-9]*:[0-9]*:.*:/usr/sbin/nologin$' "$S/etc/passwd" ||
	    fail "no watchfor user: $(cat "$S/etc/passwd")"
	for g in adm systemd-journal postdrop; do
		grep -qE "^$g:x:[0-9]+:(.*,)?watchfor(,|$)" "$S/etc/group" ||
		    fail "watchfor not in $g: $(cat "$S/etc/group")"
	done
fi

echo "t_systemd_unit: all checks passed"
exit 0
