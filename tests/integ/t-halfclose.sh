#!/bin/bash
# t-halfclose.sh - half-close carried across the relay: the client sends
# its request and shuts its write side; the destination reads to EOF and
# only then answers (8 MiB); the client receives the whole answer.  And
# the other way round: the destination sends and shuts its write side
# first, then still receives the client's data.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
sg_init
sg_need sha256sum

sg_pamwrap frank 'fr4nk-pw'
sg_conf
sg_start
REPLY=8388608
sg_server SINK sink --bind 127.0.0.1 --out "$SG_TMP/sink" --reply \
    --reply-bytes "$REPLY" --reply-delay 0.5
sg_server SINK6 sink --bind ::1 --out "$SG_TMP/sink6" --reply \
    --reply-bytes "$REPLY" --reply-delay 0.5
A=(--user frank --password 'fr4nk-pw')

for case in "127.0.0.1:$SG_PORT4 127.0.0.1:$SINK" "[::1]:$SG_PORT6 [::1]:$SINK6"; do
	set -- $case
	sgtool socks "${A[@]}" --proxy "$1" --dest "$2" --data-len 500000 \
	    --shutdown-wr --read > "$SG_TMP/o" 2>&1
	grep -q "^rep=0x00 " "$SG_TMP/o" || { cat "$SG_TMP/o" >&2; sg_fail "no success reply"; }
	sent=$(sed -n 's/^sent_sha256=//p' "$SG_TMP/o")
	want=$({ printf '500000 %s\n' "$sent"; sgtool pattern "$REPLY"; } |
		sha256sum | cut -d' ' -f1)
	grep -q "^recv_sha256=$want$" "$SG_TMP/o" || {
		cat "$SG_TMP/o" "$SG_TMP/sink" "$SG_TMP/sink6" >&2 2>/dev/null
		sg_fail "$1 -> $2: after the client's half-close the answer was not received intact"
	}
	sg_info "ok: client half-close via $1 to $2"
done

# Reverse: the destination talks first and shuts its write side; the
# client reads to EOF, then sends, and the destination gets it all.
sg_server GREET sink --bind 127.0.0.1 --out "$SG_TMP/greet" --greet-bytes 300000
sgtool socks "${A[@]}" --proxy "127.0.0.1:$SG_PORT4" --dest "127.0.0.1:$GREET" \
    --order recv-send --data-len 400000 > "$SG_TMP/o2" 2>&1
want=$(sgtool pattern 300000 | sha256sum | cut -d' ' -f1)
grep -q "^recv_sha256=$want$" "$SG_TMP/o2" || { cat "$SG_TMP/o2" >&2; sg_fail "destination's data before its half-close not received"; }
sent=$(sed -n 's/^sent_sha256=//p' "$SG_TMP/o2")
[ -n "$sent" ] || { cat "$SG_TMP/o2" >&2; sg_fail "client could not send after the destination's half-close"; }
sg_wait_file "$SG_TMP/greet" 10 || sg_fail "destination never saw EOF"
grep -q "^400000 $sent$" "$SG_TMP/greet" || {
	cat "$SG_TMP/o2" "$SG_TMP/greet" >&2
	sg_fail "after the destination's half-close, the client's data did not arrive intact"
}
sg_info "ok: destination half-close"
exit 0
