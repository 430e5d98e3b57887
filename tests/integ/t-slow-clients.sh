#!/bin/bash
# t-slow-clients.sh - 500 slow clients from 127.0.0.1 (they connect and
# trickle their greeting one byte a second) with timeouts.handshake = 30
# and limits.max_handshakes_per_client = 32 (the default): beyond 32 the
# gateway refuses them with 05 FF and logs the per-client line; a real
# client from 127.0.0.2 is served promptly (< 3 s) while the slow ones
# hang; the daemon's thread count stays bounded (< 100).
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
sg_init
"$SG_PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.2", 0))' 2>/dev/null ||
	sg_skip "cannot bind to 127.0.0.2"
[ "$(ulimit -n)" -ge 600 ] || ulimit -n 1024 2>/dev/null || sg_skip "open file limit $(ulimit -n) < 600 for 500 clients"

sg_pamwrap sol 'S0l-pw'
sg_conf handshake=30 limits_extra='max_handshakes_per_client = 32;'
sg_start
sg_server ECHO echo --bind 127.0.0.1

threads() { sed -n 's/^Threads:[[:space:]]*//p' "/proc/$SG_PID/status"; }
th0=$(threads)

timeout 60 "$SG_PY" "$SG_INTEG/admtool.py" slow --proxy "127.0.0.1:$SG_PORT4" \
    --count 500 --timeout 10 --trickle --interval 1 --wait 12 \
    --ready-file "$SG_TMP/ready" > "$SG_TMP/slow" 2>&1 &
SLOW=$!
SG_PIDS="$SG_PIDS $SLOW"
sg_wait_file "$SG_TMP/ready" 30 || { cat "$SG_TMP/slow" >&2; sg_fail "could not open 500 connections"; }
[ "$(cat "$SG_TMP/ready")" = 500 ] || { cat "$SG_TMP/slow" >&2; sg_fail "only $(cat "$SG_TMP/ready") of 500 connections opened"; }
sg_log_wait "(limits.max_handshakes_per_client)" 10 ||
	sg_fail "no 'sessions in their handshake (limits.max_handshakes_per_client)' line"

# The real client from another address, while the slow ones hang.
peak=$(threads)
for i in 1 2 3; do
	t0=$(sg_now_ms)
	timeout 20 "$SG_PY" "$SG_INTEG/admtool.py" req --proxy "127.0.0.1:$SG_PORT4" \
	    --source 127.0.0.2 --user sol --password 'S0l-pw' --cmd connect \
	    --dest "127.0.0.1:$ECHO" --data "real$i" --timeout 10 > "$SG_TMP/real.$i" 2>&1
	t1=$(sg_now_ms)
	sg_info "real client $i from 127.0.0.2: $((t1 - t0)) ms: $(cat "$SG_TMP/real.$i")"
	sg_expect "$SG_TMP/real.$i" "auth=0x00" "rep=0x00" "echo=ok"
	[ $((t1 - t0)) -lt 3000 ] || sg_fail "the real client took $((t1 - t0)) ms (want < 3 s)"
	n=$(threads)
	[ "$n" -gt "$peak" ] && peak=$n
	sleep 1
done
sg_alive "$SLOW" || sg_fail "the slow clients ended before the real ones were served"
for i in 1 2 3 4 5; do
	n=$(threads)
	[ "$n" -gt "$peak" ] && peak=$n
	sleep 0.5
done
sg_info "daemon threads: $th0 at start, peak $peak with 500 slow clients"
[ "$peak" -lt 100 ] || sg_fail "the daemon runs $peak threads with 500 slow clients (want < 100)"

sg_wait_exit "$SLOW" 40 || sg_fail "the slow client did not finish"
cat "$SG_TMP/slow"
r=$(sed -n 's/.*refused_05ff=\([0-9]*\).*/\1/p' "$SG_TMP/slow")
o=$(sed -n 's/.*open_at_end=\([0-9]*\).*/\1/p' "$SG_TMP/slow")
# 32 in their handshake (the limit); the rest refused.  A few refused
# ones may have been closed before the client read the 05 FF.
[ "${o:-0}" -le 32 ] || sg_fail "$o slow clients still open after 12 s (max_handshakes_per_client = 32)"
[ "${o:-0}" -ge 1 ] || sg_fail "no slow client was left hanging (timeouts.handshake = 30)"
[ "${r:-0}" -ge 400 ] || sg_fail "only ${r:-0} slow clients got 05 FF"
n=$(sg_log_count "(limits.max_handshakes_per_client)")
[ "$n" -le 5 ] || sg_fail "$n per-client refusal lines for one burst (not rate-limited)"
sg_alive "$SG_PID" || sg_fail "sixgated died"
sg_info "ok: $r slow clients refused with 05 FF, $o hanging, real client served"
exit 0
