#!/bin/bash
# --daemon, --pid-file and --restart-time (spec 11, with swatchdog's bugs
# fixed): the parent exits 0 only once the daemon is ready (pid file
# written, a line appended right after is acted on) and with the
# daemon's status when it fails to start; the daemon prints no banner,
# keeps echoing to the inherited stdout, reloads on HUP, stops on TERM and
# removes its pid file. --restart-time HH:MM:SS 15 seconds ahead (room for a
# loaded machine to start first):
# "Will restart at <ctime>" on stdout, then the config is re-read at that
# time (a new rule takes effect without a HUP), in the foreground and in
# --daemon mode (where swatchdog's did nothing).
. "$(dirname "$0")/lib.sh"
DPID=
cleanup_hook() { [ -n "$DPID" ] && kill -KILL "$DPID" 2>/dev/null; }

# daemon ARGS...: runs watchfor --daemon; sets RC, DPID (from the pid file).
daemon() {
	"$BIN" --daemon --pid-file "$T/pid" "$@" >> out 2>> err
	RC=$?
	DPID=
	[ -s pid ] && DPID=$(cat pid)
}
gone() { ! kill -0 "$1" 2>/dev/null; }
stop_daemon() {
	kill -TERM "$DPID"
	wait_for "gone $DPID" || fail "daemon still running after TERM"
	DPID=
}

new_case detach
printf 'watchfor /ERROR (\\w+)/\n\techo normal,message=got $1\n' > c
: > log
daemon -c c -t log
[ "$RC" = 0 ] || fail "parent exit status $RC"
[ -n "$DPID" ] || fail "no pid file when the parent exited"
kill -0 "$DPID" || fail "daemon not running"
[ "$(ps -o sid= -p "$DPID" | tr -d ' ')" = "$DPID" ] ||
    fail "daemon is not a session leader (no setsid)"
printf 'x ERROR one\n' >> log	# right after the parent exited
wait_for 'has "got one"' || fail "daemon does not act on lines"
grep -q '^\*\*\* watchfor version' out && fail "daemon printed a banner"
# HUP reloads (swatchdog's daemon exits instead)
printf 'watchfor /ERROR (\\w+)/\n\techo normal,message=new $1\n' > c
kill -HUP "$DPID"
wait_for 'grep -q "Caught a SIGHUP" err' || fail "HUP not caught"
printf 'x ERROR two\n' >> log
wait_for 'has "new two"' || fail "HUP did not reload"
kill -0 "$DPID" || fail "daemon died at HUP"
stop_daemon
grep -q "^Caught a SIGTERM -- sending a TERM signal to " err ||
    fail "no TERM message"
[ -e pid ] && fail "pid file left after TERM"

new_case pid_file_not_ours
# a pid file rewritten by someone else is not removed
printf 'watchfor /x/\n\techo\n' > c
: > log
daemon -c c -t log
[ "$RC" = 0 ] || fail "parent exit status $RC"
echo 1 > pid
stop_daemon
[ "$(cat pid)" = 1 ] || fail "someone else's pid file removed"

new_case failed_start
printf 'watchfor /x/\n\techo\n' > c
if [ -e /var/log/messages ] || [ -e /var/log/syslog ]; then
	echo "skip failed_start: this machine has a default log file"
else
	daemon -c c < /dev/null
	[ "$RC" = 2 ] || fail "parent exit status $RC for a daemon that failed"
	grep -q "no input to follow" err || fail "the daemon's error not shown"
	[ -e pid ] && fail "pid file written by a daemon that failed"
fi

# at SECONDS: a clock time (HH:MM:SS) that far ahead, and its epoch.
at() {
	AT_EPOCH=$(($(date +%s) + $1))
	AT=$(date -d "@$AT_EPOCH" +%H:%M:%S)
}
notice_re() { echo "^Will restart at [A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9][0-9] $AT [0-9]{4}\$"; }

new_case restart_time
printf 'watchfor /ERROR (\\w+)/\n\techo normal,message=old $1\n' > c
: > log
at 15
start -c c -t log --restart-time "$AT"
grep -Eq "$(notice_re)" out || fail "no 'Will restart at ... $AT' line"
printf 'x ERROR one\n' >> log
wait_for 'has "old one"' || fail "before the restart"
printf 'watchfor /ERROR (\\w+)/\n\techo normal,message=new $1\n' > c
wait_for '[ $(banners) -ge 2 ]' 45 || fail "no restart at $AT"
[ "$(date +%s)" -ge "$AT_EPOCH" ] || fail "restarted before $AT"
grep -q "^Caught a SIGALRM -- sending a TERM signal to $PID" err ||
    fail "restart not announced like swatchdog's"
# the next one is the same time tomorrow, announced again
[ "$(grep -Ec "$(notice_re)" out)" = 2 ] || fail "next restart not announced"
printf 'x ERROR two\n' >> log
wait_for 'has "new two"' || fail "config not re-read at the restart"
has "old two" && fail "old rule still active after the restart"
kill -0 "$PID" || fail "died at the restart"
stop
[ "$RC" = 0 ] || fail "exit status $RC"

new_case restart_time_daemon
printf 'watchfor /ERROR (\\w+)/\n\techo normal,message=old $1\n' > c
: > log
at 15
daemon -c c -t log --restart-time "$AT"
[ "$RC" = 0 ] || fail "parent exit status $RC"
grep -Eq "$(notice_re)" out || fail "no 'Will restart at ... $AT' line"
printf 'watchfor /ERROR (\\w+)/\n\techo normal,message=new $1\n' > c
wait_for 'grep -q "^Caught a SIGALRM" err' 45 || fail "no restart at $AT"
printf 'x ERROR three\n' >> log
wait_for 'has "new three"' || fail "config not re-read at the restart"
stop_daemon
echo "PASS t_daemon_mode"
