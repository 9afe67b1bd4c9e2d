#!/bin/bash
# t_stats_file.sh WATCHFOR — the stats file: --stats-file and "#%
# stats-file" write the counters in Prometheus' text format (checked by
# a small parser) at start, every interval, on USR1, after a HUP and at
# a clean stop; the file is replaced atomically (a reader never sees it
# empty or partial), mode 0644, no temporary file left. Waits on events.
. "$(dirname "$0")/lib.sh"
command -v python3 > /dev/null || { echo "SKIP: no python3"; exit 77; }
umask 022
# fail: lib.sh's, with the stats file shown
fail() {
	echo "FAIL [$CASE]: $*"
	echo "--- stderr"; tail -20 "$T/err"
	[ -f "$T/w.prom" ] && { echo "--- w.prom"; head -40 "$T/w.prom"; }
	echo "(kept in $T)"
	FAILED=1
	exit 1
}

# The parser: checks the whole file against the text format, then prints
# the value of each sample named on the command line ("-" if absent).
cat > "$ROOT/prom.py" <<'EOF'
import re, sys
NAME = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
LABEL = r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"'
SAMPLE = re.compile(r'^(%s)(\{%s(?:,%s)*\})? (\d+)$' % (NAME, LABEL, LABEL))
def unescape(v):
    return re.sub(r'\\(.)', lambda m: {'n': '\n'}.get(m.group(1), m.group(1)), v)
def parse(text):
    if not text.endswith('\n'):
        raise ValueError('no final newline')
    fams, typed, samples, cur = set(), {}, {}, None
    for ln in text[:-1].split('\n'):
        m = re.match(r'^# (HELP|TYPE) (%s) (.*)$' % NAME, ln)
        if m:
            kind, name, rest = m.groups()
            if kind == 'HELP':
                if name in fams:
                    raise ValueError('family twice: ' + name)
                fams.add(name); cur = name
            else:
                if name != cur or rest not in ('counter', 'gauge'):
                    raise ValueError('bad TYPE: ' + ln)
                typed[name] = rest
            continue
        m = SAMPLE.match(ln)
        if not m:
            raise ValueError('bad line: %r' % ln)
        name = m.group(1)
        if name != cur or name not in typed:
            raise ValueError('sample outside its family: ' + ln)
        if typed[name] == 'counter' and not name.endswith('_total'):
            raise ValueError('counter without _total: ' + name)
        labels = tuple(sorted((k, unescape(v)) for k, v in
                       re.findall(LABEL, m.group(2) or '')))
        if (name, labels) in samples:
            raise ValueError('sample twice: ' + ln)
        samples[(name, labels)] = int(m.group(m.lastindex))
    return samples
def key(q):
    m = re.match(r'^(%s)(?:\{(.*)\})?$' % NAME, q)
    labels = []
    for part in filter(None, (m.group(2) or '').split('|')):
        k, v = part.split('=', 1)
        labels.append((k, v))
    return (m.group(1), tuple(sorted(labels)))
with open(sys.argv[1]) as f:
    s = parse(f.read())
for q in sys.argv[2:]:
    print(s.get(key(q), '-'))
EOF
# prom Q: the value of sample Q in w.prom (labels as {a=x|b=y}), or "-".
prom() { python3 "$ROOT/prom.py" w.prom "$@" 2>> parse.err; }

new_case option log
printf 'watchfor /ERROR/\n\texec true\nwatchfor /WARN/\n\techo\n' > c
start -c c -t log --stats-file "$T/w.prom" --stats-interval 200ms
# written at start, once every watch is in place
[ -f w.prom ] || fail "no stats file at start"
[ "$(prom 'watchfor_rule_matches_total{rule=c:1|pattern=/ERROR/}')" = 0 ] ||
    fail "rule counter not 0 at start"
[ "$(stat -c %a w.prom)" = 644 ] || fail "mode $(stat -c %a w.prom)"
for i in 1 2 3; do echo "x ERROR $i"; done >> log
echo "y WARN" >> log
echo "nothing" >> log
wait_for '[ "$(prom "watchfor_input_lines_total{input=log}")" = 5 ]' ||
    fail "lines: $(prom 'watchfor_input_lines_total{input=log}')"
set -- $(prom 'watchfor_rule_matches_total{rule=c:1|pattern=/ERROR/}' \
    'watchfor_rule_matches_total{rule=c:3|pattern=/WARN/}' \
    'watchfor_input_bytes_total{input=log}' 'watchfor_actions_total{kind=echo}')
[ "$*" = "3 1 45 1" ] || fail "matches/bytes/echo: $*"
wait_for '[ "$(prom "watchfor_commands_started_total{kind=exec}")" = 3 ]' ||
    fail "exec counted $(prom 'watchfor_commands_started_total{kind=exec}')"
[ "$(prom watchfor_uptime_seconds)" != - ] || fail "no uptime"
[ "$(prom watchfor_start_time_seconds)" -gt 1700000000 ] || fail "start time"
[ -s parse.err ] && fail "parse: $(cat parse.err)"

# atomic: a reader in a loop never sees an empty or partial file, while
# lines flow and the file is replaced every 200 ms
python3 - "$T/w.prom" "$ROOT/prom.py" > reader.out 2>&1 <<'EOF' &
import os, sys, time
exec(open(sys.argv[2]).read().split('with open(sys.argv[1])')[0])
path, seen, inodes, reads = sys.argv[1], set(), set(), 0
end = time.time() + 3
while time.time() < end or len(inodes) < 3:
    with open(path) as f:
        inodes.add(os.fstat(f.fileno()).st_ino)
        text = f.read()
    parse(text)            # raises on an empty or partial file
    reads += 1
    if time.time() > end + 20:
        break
print('reads', reads, 'files', len(inodes))
sys.exit(0 if len(inodes) >= 3 else 1)
EOF
READER=$!
for i in $(seq 300); do echo "x ERROR flow $i"; done >> log &
wait $!
wait "$READER" || fail "reader: $(cat reader.out)"
wait_for '[ "$(prom "watchfor_rule_matches_total{rule=c:1|pattern=/ERROR/}")" = 303 ]' ||
    fail "flow not counted"
ls -a | grep -q '^\.w\.prom\.' && fail "temporary file left: $(ls -a)"
stop
[ "$RC" = 0 ] || fail "exit $RC"

new_case directive_usr1_hup_stop log
# the config names the file; a long interval: only start, USR1, HUP, stop
cat > c <<EOF
#% stats-file $T/w.prom
#% stats-interval 1h
watchfor /ERROR/
	echo
watchfor /"quoted" \\\\back/
	echo
EOF
start -c c -t log
[ -f w.prom ] || fail "no stats file at start"
echo 'an ERROR' >> log
echo 'a "quoted" \back' >> log
wait_for '[ "$(grep -c . out)" -ge 4 ]' || fail "lines not seen"
[ "$(prom 'watchfor_input_lines_total{input=log}')" = 0 ] ||
    fail "rewritten before an hour"
kill -USR1 "$PID"
wait_for '[ "$(prom "watchfor_input_lines_total{input=log}")" = 2 ]' ||
    fail "USR1 did not rewrite the file"
# label escaping survives the parser: the pattern has " and \ in it
[ "$(prom 'watchfor_rule_matches_total{rule=c:5|pattern=/"quoted" \\back/}')" = 1 ] ||
    fail "escaped pattern label: $(grep quoted w.prom)"
grep -qF 'pattern="/\"quoted\" \\\\back/"' w.prom || fail "escapes: $(grep quoted w.prom)"
# a HUP: the reload is counted and the file rewritten at once
sed -i 's/^watchfor \/ERROR\//watchfor \/ERR\//' c
kill -HUP "$PID"
wait_for '[ "$(prom "watchfor_config_reloads_total{result=ok}")" = 1 ]' ||
    fail "reload not counted"
[ "$(prom 'watchfor_rule_matches_total{rule=c:3|pattern=/ERR/}')" = 0 ] ||
    fail "new rules not shown"
echo 'ERR again' >> log
wait_for '[ "$(grep -c . out)" -ge 5 ]' || fail "line after HUP not seen"
stop
[ "$(prom 'watchfor_rule_matches_total{rule=c:3|pattern=/ERR/}')" = 1 ] ||
    fail "not written at stop"
[ "$(prom 'watchfor_input_lines_total{input=log}')" = 3 ] ||
    fail "input counter reset by the reload"
[ -s parse.err ] && fail "parse: $(cat parse.err)"

new_case check log
printf '#%% stats-interval soon\n#%% stats-file /tmp/\nwatchfor /x/\n\techo\n' > c
"$BIN" --check -c c > chk 2>&1 && fail "--check accepted bad values"
grep -q '^c:1:19: stats-interval: bad duration "soon"' chk ||
    fail "interval message: $(cat chk)"
grep -q '^c:2:15: stats-file: "/tmp/" names a directory' chk ||
    fail "file message: $(cat chk)"
printf 'watchfor /x/\n\techo\n' > ok
"$BIN" -c ok -t log --stats-file w.prom --stats-interval 5x > out 2> err
[ $? = 2 ] || fail "bad --stats-interval not refused"
grep -q 'stats-interval: bad duration "5x"' err || fail "$(cat err)"

new_case unwritable log
printf 'watchfor /x/\n\techo\n' > c
start -c c -t log --stats-file "$T/nodir/w.prom" --stats-interval 100ms
wait_for 'grep -q "stats file .*nodir/w.prom: No such file" err' ||
    fail "write error not logged"
mkdir nodir
wait_for 'grep -q "written again" err' || fail "recovery not logged"
[ "$(grep -c 'No such file' err)" = 1 ] || fail "error logged more than once"
stop

echo "PASS t_stats_file"
