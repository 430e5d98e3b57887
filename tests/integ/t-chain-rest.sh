#!/bin/bash
# t-chain-rest.sh - the 30 s rest of a failed hop expires (sixgated(8),
# sixgated.conf(5) CHAINED RELAYS): G1 routes to the destination via
# ( ("g2"), ("g3") ).  G2 is stopped (SIGSTOP: the kernel still accepts,
# nobody answers), so the first request fails on it after timeouts.connect,
# "upstream G2 is down" is logged and G3 carries the request.  G2 is then
# continued, alive again, but while it rests G3 is tried first; once the
# 30 s are over, G2 is used again.  Bounded: about 35 s of waiting.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
. "$top_srcdir/tests/integ/chain.sh"
sg_init
sg_need awk
sg_server ECHO echo --bind 127.0.0.1
PW_A="Al1ce-$$-$RANDOM"
PW_2="R3lay2-$$-$RANDOM"
PW_3="R3lay3-$$-$RANDOM"
ch_pam alice "$PW_A" sg-rg1 relay2 "$PW_2" sg-rg2 relay3 "$PW_3" sg-rg3
ch_secret relay2 "$PW_2"; SECRET2=$CH_SECRET
ch_secret relay3 "$PW_3"; SECRET3=$CH_SECRET

sg_conf file="$SG_TMP/g2.conf" listen='"127.0.0.1:0"' pam_service=sg-rg2 \
    rules='{ name = "relay2"; action = "allow"; users = [ "relay2" ]; }'
ch_start G2
G2=${CH_ADDR[G2]}
sg_conf file="$SG_TMP/g3.conf" listen='"127.0.0.1:0"' pam_service=sg-rg3 \
    rules='{ name = "relay3"; action = "allow"; users = [ "relay3" ]; }'
ch_start G3
G3=${CH_ADDR[G3]}
sg_conf file="$SG_TMP/g1.conf" listen='"127.0.0.1:0"' pam_service=sg-rg1 connect=1 \
    rules='{ name = "alice"; action = "allow"; users = [ "alice" ]; }' \
    extra="hops = (
  { name = \"g2\"; address = \"$G2\"; user = \"relay2\"; password_file = \"$SECRET2\"; },
  { name = \"g3\"; address = \"$G3\"; user = \"relay3\"; password_file = \"$SECRET3\"; }
);
upstreams = ( { to = [ \"127.0.0.1\" ]; via = ( ( \"g2\" ), ( \"g3\" ) ); } );"
ch_start G1
G1=${CH_ADDR[G1]}

N=0
VIA=
req() {	# one request through G1; VIA = the hop list it went through
	N=$((N + 1))
	sgtool socks --proxy "$G1" --user alice --password "$PW_A" \
	    --dest "127.0.0.1:$ECHO" --data "r$N" --echo-check > "$SG_TMP/r$N" 2>&1
	grep -q "^rep=0x00 " "$SG_TMP/r$N" && grep -q "echo=ok" "$SG_TMP/r$N" ||
		{ cat "$SG_TMP/r$N" >&2; ch_fail "request $N through G1 failed"; }
	ch_access G1 "$N" "user=alice "
	VIA=$(ch_lines G1 "user=alice " | sed -n "${N}s/.* addr=via:\([^ ]*\) .*/\1/p")
}

# Both alive: G2 first.
req
[ "$VIA" = "$G2" ] || ch_fail "request 1 went via '$VIA', not G2"

# G2 stops answering: the hop fails, rests, G3 carries the request.
kill -STOP "${CH_PID[G2]}"
T0=$(sg_now_ms)
req
[ "$VIA" = "$G3" ] || ch_fail "with G2 stopped, request 2 went via '$VIA', not G3"
grep -qF "upstream $G2 is down" "${CH_LOG[G1]}" || ch_fail "G1 did not log 'upstream $G2 is down'"
kill -CONT "${CH_PID[G2]}"
sg_info "ok: G2 stopped: marked down, G3 used"

# G2 answers again, but rests: G3 first until the 30 s are over.
while :; do
	el=$(( $(sg_now_ms) - T0 ))
	[ "$el" -lt 42000 ] || ch_fail "G2 not used again 42 s after it was marked down"
	req
	[ "$VIA" = "$G2" ] && break
	[ "$VIA" = "$G3" ] || ch_fail "request $N went via '$VIA'"
	sleep 1
done
# G2 is marked down when G1 gives up on it, at most 2 s after T0 (twice
# timeouts.connect: it is the last hop of its chain), so its rest ends
# 30 to 32 s after T0; then at most a 1 s poll and one request.
awk -v e="$el" 'BEGIN { exit !(e >= 29500 && e <= 36000) }' ||
	ch_fail "G2 used again $el ms after it was marked down, want about 30 s"
[ "$(grep -c "upstream $G2 is down" "${CH_LOG[G1]}")" = 1 ] ||
	ch_fail "'upstream $G2 is down' logged more than once"
sg_info "ok: G2 used again after its rest ($el ms), by request $N"
exit 0
