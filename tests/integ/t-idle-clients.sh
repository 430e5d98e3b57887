#!/bin/bash
# t-idle-clients.sh - timeouts.handshake = 3: 200 silent connections do
# not stop a real client from being served promptly, and the gateway
# closes all 200 after about 3 s.  Then timeouts.idle on relays.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
sg_init
sg_need curl

sg_pamwrap heidi 'he1di-pw'
# All 200 from one address must be admitted to time out: no per-client
# handshake cap here (t-slow-clients tests that cap).
sg_conf handshake=3 limits_extra='max_handshakes_per_client = 0;'
sg_start
mkdir -p "$SG_TMP/www"
echo "served while 200 clients idle" > "$SG_TMP/www/f"
sg_server HTTP http --bind 127.0.0.1 --dir "$SG_TMP/www"

SG_TOOL_TIMEOUT=40 sgtool idle --target "127.0.0.1:$SG_PORT4" --count 200 \
    --ready-file "$SG_TMP/ready" --wait 8 > "$SG_TMP/idle" 2>&1 &
IDLE=$!
SG_PIDS="$SG_PIDS $IDLE"
sg_wait_file "$SG_TMP/ready" 20 || { cat "$SG_TMP/idle" >&2; sg_fail "could not open 200 connections"; }

t0=$(sg_now_ms)
n0=$(sg_log_count "handshake timeout")
sg_curl --socks5-hostname "127.0.0.1:$SG_PORT4" --proxy-user 'heidi:he1di-pw' \
    -o "$SG_TMP/got" "http://127.0.0.1:$HTTP/f" || sg_fail "curl failed while 200 clients idle"
t1=$(sg_now_ms)
cmp -s "$SG_TMP/got" "$SG_TMP/www/f" || sg_fail "content differs"
# Synchronised on events, not on a clock that a loaded host (t-bulk,
# valgrind next to us in make -j2 check) stretches: the curl was served
# while all 200 idle connections were still open, i.e. before the daemon
# closed the first of them (its "handshake timeout" lines); the access
# line of the curl is in the log before the first of those lines.
[ "$n0" = 0 ] || sg_error "idle connections timed out before the curl started (host too slow)"
sg_log_wait "access user=heidi" 5 || sg_fail "no access line for the curl"
first_evt=$(grep -n -m 1 -E "access user=heidi|handshake timeout" "$SG_LOG" | cut -d: -f1)
grep -n "access user=heidi" "$SG_LOG" | head -n 1 | grep -q "^$first_evt:" ||
	sg_fail "the curl was served only after the idle connections timed out ($(( t1 - t0 )) ms)"
sg_info "curl served in $(( t1 - t0 )) ms while 200 connections idle"

sg_wait_exit "$IDLE" 30 || sg_fail "idle client did not finish"
cat "$SG_TMP/idle"
grep -q "^closed=200 of 200$" "$SG_TMP/idle" || sg_fail "the gateway did not close all 200 idle connections within 8 s"
first=$(sed -n 's/^first_close=\([0-9]*\)\..*/\1/p' "$SG_TMP/idle")
last=$(sed -n 's/.*last_close=\([0-9]*\)\..*/\1/p' "$SG_TMP/idle")
[ "$first" -ge 2 ] || sg_fail "idle connections closed after ${first}.x s, before timeouts.handshake = 3"
# Upper bound widened (3 s + 3 s): on a loaded host the 200 closes take
# time; the point is that they come, well before the client's 8 s.
[ "$last" -le 6 ] || sg_fail "last idle connection closed after ${last}.x s (handshake = 3)"
grep -q "^data_bytes=0$" "$SG_TMP/idle" || sg_fail "the gateway sent data to silent clients"

# Still serving afterwards.
sg_curl --socks5-hostname "[::1]:$SG_PORT6" --proxy-user 'heidi:he1di-pw' \
    -o "$SG_TMP/got" "http://127.0.0.1:$HTTP/f" || sg_fail "curl failed after the idle clients"
sg_stop

# timeouts.idle = 2: a silent relay is closed after about 2 s; a slow but
# active one (a chunk every 0.7 s for 3.5 s) is not.
sg_conf idle=2
sg_start
sg_server ECHO echo --bind ::1
sg_server SINK sink --bind 127.0.0.1 --reply
sgtool socks --proxy "127.0.0.1:$SG_PORT4" --user heidi --password 'he1di-pw' \
    --dest "[::1]:$ECHO" --data ping --echo-check --expect-eof 8 > "$SG_TMP/silent" 2>&1
sg_expect "$SG_TMP/silent" "rep=0x00" "echo=ok" "eof_secs="
secs=$(sed -n 's/^eof_secs=\([0-9]*\)\..*/\1/p' "$SG_TMP/silent")
# 1 to 5 s: never early; late by up to 3 s on a loaded host.
[ -n "$secs" ] && [ "$secs" -ge 1 ] && [ "$secs" -le 5 ] || {
	cat "$SG_TMP/silent" >&2
	sg_fail "silent relay with timeouts.idle = 2 not closed after about 2 s"
}
sgtool socks --proxy "127.0.0.1:$SG_PORT4" --user heidi --password 'he1di-pw' \
    --dest "127.0.0.1:$SINK" --data-len 6 --chunk 1 --chunk-delay 0.7 \
    --shutdown-wr --read > "$SG_TMP/slow" 2>&1
want=$(printf '6 %s\n' "$(sed -n 's/^sent_sha256=//p' "$SG_TMP/slow")" | sha256sum | cut -d' ' -f1)
grep -q "^recv_sha256=$want$" "$SG_TMP/slow" || {
	cat "$SG_TMP/slow" >&2
	sg_fail "a slow but active relay was cut by timeouts.idle = 2"
}
sg_info "ok: timeouts.idle (silent relay closed after ${secs}.x s)"
exit 0
