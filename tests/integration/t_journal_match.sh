#!/bin/bash
# t_journal_match.sh WATCHFOR — input-journal matches: the same field
# twice is OR, different fields AND, two input-journal lines OR (an
# entry matching both is read once); unit= adds ".service" as
# journalctl -u does; priority=P takes P and the more urgent levels.
. "$(dirname "$0")/journal/lib.sh"

jw x "seed|1|6||seed"
cat > j.conf <<'EOC'
#% input-journal directory=j identifier=postfix/smtpd identifier=postfix/qmgr priority=warning
#% input-journal unit=ssh
#% input-journal _SYSTEMD_UNIT=cron.service priority=0
watchfor /./
	echo
EOC
start
jw x \
    "postfix/smtpd|1|4||m1 smtpd warning: yes" \
    "postfix/qmgr|2|2||m2 qmgr crit: yes" \
    "postfix/smtpd|3|5||m3 smtpd notice: no (priority)" \
    "postfix/cleanup|4|3||m4 cleanup err: no (identifier)" \
    "postfix/smtpd|5|||m5 no priority: no" \
    "sshd|6|6|ssh.service|m6 ssh unit: yes" \
    "sshd|7|6|ssh.socket|m7 ssh.socket: no" \
    "postfix/smtpd|8|3|ssh.service|m8 both lines: yes, once" \
    "CRON|9|0|cron.service|m9 raw field: yes" \
    "CRON|10|1|cron.service|m10 raw field, alert: no" \
    "last|11|6|ssh.service|m11 end"
wait_for '[ "$(count m11)" = 1 ]' || fail "entries not read"
stop
for m in m1 m2 m6 m8 m9 m11; do
	[ "$(count "$m ")" = 1 ] || fail "$m: read $(count "$m ") times, want 1"
done
for m in m3 m4 m5 m7 m10; do
	[ "$(count "$m ")" = 0 ] || fail "$m read, but no match selects it"
done
pass
