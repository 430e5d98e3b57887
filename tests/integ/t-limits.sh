#!/bin/bash
# t-limits.sh - limits.max_relays = 2: with two relays open a third client
# gets "05 FF" at once and is closed; once a relay ends, a new client is
# served.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
sg_init

sg_pamwrap judy 'ju4y-pw'
sg_conf max_relays=2
sg_start
sg_server ECHO echo --bind 127.0.0.1
A=(--user judy --password 'ju4y-pw')

hold() {	# NAME: a relay open until $SG_TMP/release.NAME exists
	SG_HOLD_MAX=50 sg_hold "$1" "${A[@]}" --proxy "127.0.0.1:$SG_PORT4" \
	    --dest "127.0.0.1:$ECHO" --data "$1"
}

hold r1
hold r2

# Third client: refused at once with 05 FF, then closed.
sgtool socks "${A[@]}" --proxy "127.0.0.1:$SG_PORT4" --dest "127.0.0.1:$ECHO" \
    --data x --timeout 5 > "$SG_TMP/r3" 2>&1
sg_expect "$SG_TMP/r3" "method=0xff ver=5" "closed=1"
# From connect() to the "05 FF" (measured by the client itself).
ms=$(sed -n 's/^method_secs=\([0-9]*\)\.\([0-9]*\)$/\1\2/p' "$SG_TMP/r3")
ms=$((10#$ms))
# "At once" is an event: the 05 FF came while both relays were still
# open (they hold until released), not when one of them ended.  The time
# is only a sanity bound, wide for a loaded host (client timeout 5 s).
sg_alive "$HOLD_PID_r1" && sg_alive "$HOLD_PID_r2" ||
	sg_fail "a held relay ended before the third client was refused"
[ "$ms" -lt 4000 ] || sg_fail "the over-limit client waited $ms ms for 05 FF"
# The same through the other listener, and pipelined.
sgtool socks "${A[@]}" --proxy "[::1]:$SG_PORT6" --pipeline --dest "127.0.0.1:$ECHO" \
    --data x --timeout 5 > "$SG_TMP/r3b" 2>&1
sg_expect "$SG_TMP/r3b" "method=0xff" "closed=1"
grep -q "^rep=" "$SG_TMP/r3b" && sg_fail "over-limit client got a request reply"
sg_info "ok: third client refused in $ms ms"

# The two relays still work... end one of them.
touch "$SG_TMP/release.r1"
sg_wait_exit "$HOLD_PID_r1" 10 || sg_fail "relay r1 did not end"
sg_log_wait "access" 10 1 || sg_fail "no access line for the relay that ended"

# A new client is served (the slot may be freed just after the access line).
end=$(( $(sg_now_ms) + 5000 ))
while :; do
	sgtool socks "${A[@]}" --proxy "127.0.0.1:$SG_PORT4" --dest "127.0.0.1:$ECHO" \
	    --data again --echo-check --timeout 5 > "$SG_TMP/r4" 2>&1
	grep -q "^echo=ok" "$SG_TMP/r4" && break
	[ "$(sg_now_ms)" -lt "$end" ] || { cat "$SG_TMP/r4" >&2; sg_fail "no client served after a relay ended"; }
	sleep 0.2
done
sg_info "ok: served again after a relay ended"

touch "$SG_TMP/release.r2"
sg_wait_exit "$HOLD_PID_r2" 10 || sg_fail "relay r2 did not end"
grep -q "^echo=ok" "$SG_TMP/r2" || sg_fail "relay r2 broken"
exit 0
