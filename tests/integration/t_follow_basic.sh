#!/bin/bash
# Follow basics: tail -n 0 start, appends, partial lines, bytes (S13, S16).
. "$(dirname "$0")/follow/lib.sh"

s_start_at_end() {
	new_case start_at_end
	printf 'old-1\nold-2\n' > log
	start log
	w log new-1 new-2
	printf 'part' >> log
	sleep 0.3			# a partial line is not delivered
	[ "$(nlines out)" -le 2 ] && ! grep -q part out || fail "partial line delivered"
	printf -- '-done\n' >> log
	expect_only part-done
	w log new-3
	check
}

s_bytes() {
	new_case bytes
	: > log
	start log
	printf 'seq=1 a\0b\n' >> log
	printf 'seq=2 \xff\xfe\xc0\xaf\xed\xa0\x80\n' >> log
	printf 'seq=3 crlf\r\n' >> log
	printf '\n' >> log
	printf 'seq=4 tab\there\n' >> log
	printf 'seq=1 a\0b\nseq=2 \xff\xfe\xc0\xaf\xed\xa0\x80\nseq=3 crlf\r\n\nseq=4 tab\there\n' >> expect
	check
}

s_partial_bytewise() {
	new_case partial_bytewise
	: > log
	start log
	line=$(head -c 4000 /dev/zero | tr '\0' p)
	for ((i = 0; i < 4000; i += 500)); do
		printf '%s' "${line:i:500}" >> log
	done
	printf '\n' >> log
	expect_only "$line"
	w log after
	check
}

run_both s_start_at_end
run_both s_bytes
run_both s_partial_bytewise
