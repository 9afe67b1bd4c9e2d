#!/bin/bash
# t_webhook_check.sh WATCHFOR — --check reports bad "#% webhook" values
# at file:line:col, and accepts good ones (swatchdog reads them as
# comments).
. "$(dirname "$0")/webhook/lib.sh"

printf 'tok\n' > open.token
chmod 644 open.token
cat > conf <<EOC
watchfor /x (\\S+)/
	echo
#% webhook ftp://h/x
#% webhook http://h/x  prometheus
  #% webhook http://h/x label=a:\$HOME
#% webhook http://h/x label=bad-name:y
#% webhook http://h/x timeout=0
#% webhook http://h/x header=X
#% webhook http://u:pw@h/x timeout=101
#% webhook http://h/x timeout=101
#% webhook http://h/x bearer-file=$W/open.token
ignore /y/
#% webhook http://h/
EOC
"$BIN" -c conf --check > out 2> err
rc=$?
[ "$rc" != 0 ] || fail "--check passed a bad config"
want="conf:3:12: webhook: bad URL \"ftp://h/x\": http:// or https://, a host, no blank or control character
conf:4:24: webhook: unknown mode \"prometheus\": json or alertmanager
conf:5:33: webhook: undeclared variable \$HOME (swatchdog's Perl refuses it); write \\\$HOME for the text
conf:6:29: webhook: label: write label=NAME:VALUE, the NAME in [A-Za-z_][A-Za-z0-9_]*
conf:7:31: webhook: timeout: \"0\" is not a whole number of seconds from 1 to 100
conf:8:23: webhook: unknown option \"header\": label, annotation, bearer-file or timeout
conf:9:19: webhook: credentials (user:password@) in the URL are refused: they would show wherever the URL does; use bearer-file=PATH
conf:10:31: webhook: timeout: \"101\" is not a whole number of seconds from 1 to 100
conf:11:35: webhook: bearer-file: $W/open.token can be read or written by group or others (mode 0644): refused; chmod 600 it
conf:13:12: webhook under an ignore rule never runs"
[ "$(grep ': webhook' err)" = "$want" ] || {
	diff <(echo "$want") <(grep ': webhook' err); fail "messages differ"; }

cat > conf <<'EOC'
watchfor /x (\S+)/
	echo
#% webhook http://127.0.0.1:9093/api/v2/alerts alertmanager label=severity:warning label=user:$1 annotation=runbook:"see wiki page" bearer-file=/etc/watchfor/am.token timeout=5
#% webhook https://hooks.example/x
EOC
"$BIN" -c conf --check > out 2> err || fail "--check refused a good config"
if command -v swatchdog > /dev/null; then
	printf 'x y\n' > one
	swatchdog -c conf -f one > sw.out 2>&1 ||
	    fail "swatchdog does not read it as comments"
fi
pass
