#!/bin/bash
# t-limits-client.sh - limits.max_per_client = 2: with two relays open
# from 127.0.0.1 a third client from that address gets "05 FF" at once
# (logged once, naming the address), while a client from ::1 is served.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
sg_init

sg_pamwrap kim 'k1m-pw'
sg_conf max_relays=100 max_per_client=2
sg_start
sg_server ECHO echo --bind 127.0.0.1
A=(--user kim --password 'k1m-pw')

hold() {	# NAME: a relay from 127.0.0.1 open until $SG_TMP/release.NAME exists
	SG_HOLD_MAX=50 sg_hold "$1" "${A[@]}" --proxy "127.0.0.1:$SG_PORT4" \
	    --dest "127.0.0.1:$ECHO" --data "$1"
}

hold r1
hold r2

# A third from the same address: refused at once.
sgtool socks "${A[@]}" --proxy "127.0.0.1:$SG_PORT4" --dest "127.0.0.1:$ECHO" \
    --data x --timeout 5 > "$SG_TMP/r3" 2>&1
sg_expect "$SG_TMP/r3" "method=0xff ver=5" "closed=1"
sg_log_wait "127.0.0.1 has 2 sessions (limits.max_per_client)" 5 1 ||
	sg_fail "the per-client refusal was not logged"

# Another address is not affected.
sgtool socks "${A[@]}" --proxy "[::1]:$SG_PORT6" --dest "127.0.0.1:$ECHO" \
    --data other --echo-check --timeout 5 > "$SG_TMP/r4" 2>&1
sg_expect "$SG_TMP/r4" "rep=0x00" "echo=ok"

# When one ends, the address may open another.
touch "$SG_TMP/release.r1"
sg_wait_exit "$HOLD_PID_r1" 10 || sg_fail "relay r1 did not end"
end=$(( $(sg_now_ms) + 5000 ))
while :; do
	sgtool socks "${A[@]}" --proxy "127.0.0.1:$SG_PORT4" --dest "127.0.0.1:$ECHO" \
	    --data again --echo-check --timeout 5 > "$SG_TMP/r5" 2>&1
	grep -q "^echo=ok" "$SG_TMP/r5" && break
	[ "$(sg_now_ms)" -lt "$end" ] || { cat "$SG_TMP/r5" >&2; sg_fail "127.0.0.1 not served after a relay ended"; }
	sleep 0.2
done
touch "$SG_TMP/release.r2"
sg_wait_exit "$HOLD_PID_r2" 10 || sg_fail "relay r2 did not end"
grep -q "^echo=ok" "$SG_TMP/r2" || sg_fail "relay r2 broken"
sg_info "ok: per-client cap enforced, other addresses served"
exit 0
