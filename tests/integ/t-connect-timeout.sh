#!/bin/bash
# t-connect-timeout.sh - (root) unresponsive destinations, in network
# namespaces of its own: the gateway's namespace reaches 203.0.113.0/24
# and 2001:db8:bb::/64 over a veth, and the addresses .7 / ::7 have
# permanent neighbour entries with a MAC address nobody has, so the frames
# go out and the peer namespace silently drops them (no answer, no
# error: a black hole; a "blackhole" route would fail at once with
# EINVAL instead, and the dummy module or nft may be missing).  A connect
# there can only time out.
#  1. a name with two addresses, the first (IPv6, tried first with
#     prefer = ipv6) black-holed, the second 127.0.0.1: the gateway falls
#     back to the second after 250 ms (sixgated(8), Happy Eyeballs) and
#     the client gets 0x00 well before timeouts.connect;
#  2. a name whose addresses are all black-holed, and a black-holed
#     literal: REP 0x06 (TTL expired, sixgated(8) for a connect that timed
#     out) after about timeouts.connect, not at once and not much later;
#  3. the same through the HTTP door: 504 after timeouts.connect.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
. "$top_srcdir/tests/integ/netns.sh"
ns_check
sg_init
ns_init
ns_add gw NS_GW dual
ns_add bh NS_BH dual
ns_link "$NS_GW" to-bh 203.0.113.1/24 "$NS_BH" to-gw 192.0.2.1/24
ns_addr "$NS_GW" to-bh 2001:db8:bb::1/64
ns_exec "$NS_GW" ip neigh add 203.0.113.7 lladdr 02:00:5e:00:53:99 dev to-bh nud permanent &&
	ns_exec "$NS_GW" ip -6 neigh add 2001:db8:bb::7 lladdr 02:00:5e:00:53:99 dev to-bh nud permanent ||
	sg_error "cannot add the black-hole neighbour entries"
ns_hosts "$NS_GW" <<HOSTS
127.0.0.1	localhost
::1		localhost
2001:db8:bb::7	mix.bh.test
127.0.0.1	mix.bh.test
203.0.113.7	dead.bh.test
2001:db8:bb::7	dead.bh.test
HOSTS

# Everything runs inside the namespace: the daemon, the echo server, the
# raw client.
SG_REAL=$(cd "$(dirname "$SIXGATED")" && pwd)/$(basename "$SIXGATED")
printf '#!/bin/sh\nexec ip netns exec "%s" "%s" "$@"\n' "$NS_GW" "$SG_REAL" \
    > "$SG_TMP/sixgated-in-ns"
chmod 755 "$SG_TMP/sixgated-in-ns"
SIXGATED=$SG_TMP/sixgated-in-ns
ns_server ECHO "$NS_GW" echo --bind 127.0.0.1
PW="Bh-$$-$RANDOM"
sg_pamwrap hana "$PW"
CT=3
sg_conf listen='"127.0.0.1:0", { address = "127.0.0.1:0"; protocol = "http"; }' connect=$CT prefer=ipv6 \
    rules='{ name = "lab"; action = "allow"; to = [ "127.0.0.0/8", "203.0.113.0/24", "2001:db8:bb::/64" ]; }'
sg_start
P="127.0.0.1:$SG_PORT4"
# s5 OUT ARGS...: the raw client inside the namespace.  Its exit status
# and run time end OUT (client_rc=, client_ms=): a client killed from
# outside (137 long before NS_TIMEOUT; sgtool's own socket timeout is
# 15 s and prints timeout=1) tells itself apart from a daemon that did
# not answer.
s5() {
	local o=$1 t0 rc=0
	shift
	t0=$(sg_now_ms)
	ns_exec "$NS_GW" "$SG_PY" "$SG_INTEG/sgtool.py" socks --proxy "$P" \
	    --user hana --password "$PW" "$@" > "$o" 2>&1 || rc=$?
	printf 'client_rc=%s client_ms=%s\n' "$rc" $(( $(sg_now_ms) - t0 )) >> "$o"
}
secs() { sed -n 's/^handshake_secs=\([0-9.]*\).*/\1/p' "$1"; }
# A black hole really swallows: a plain connect there times out.
ns_exec "$NS_GW" "$SG_PY" -c '
import socket, sys
for fam, a in ((socket.AF_INET, "203.0.113.7"), (socket.AF_INET6, "2001:db8:bb::7")):
    s = socket.socket(fam)
    s.settimeout(1)
    try:
        s.connect((a, 80))
        print(a, "answered")
        sys.exit(1)
    except socket.timeout:
        pass
    except OSError as e:
        print(a, e)
        sys.exit(1)' || sg_error "203.0.113.7 / 2001:db8:bb::7 are not black holes in $NS_GW"

# 1. Fallback to the next address.
s5 "$SG_TMP/mix" --dest-name mix.bh.test --dest-port "$ECHO" --data fallback --echo-check
sg_expect "$SG_TMP/mix" "rep=0x00" "echo=ok"
t=$(secs "$SG_TMP/mix")
awk -v t="$t" -v c="$CT" 'BEGIN { exit !(t >= 0.2 && t < c - 0.5) }' ||
	{ cat "$SG_TMP/mix" >&2; sg_fail "fallback took ${t:-?} s: want the second address 250 ms after the first, before timeouts.connect ($CT s)"; }
sg_log_wait "dest=mix.bh.test:$ECHO addr=127.0.0.1:$ECHO rep=0x00" 10 ||
	sg_fail "no access line with addr=127.0.0.1 for mix.bh.test"
sg_info "ok: first address black-holed, the second used after $t s"

# 2. Every address black-holed: 0x06 after about timeouts.connect.
for case in "name dead.bh.test" "lit 203.0.113.7" "lit6 [2001:db8:bb::7]"; do
	set -f; set -- $case; set +f
	if [ "$1" = name ]; then
		s5 "$SG_TMP/$1" --dest-name "$2" --dest-port 80
	else
		s5 "$SG_TMP/$1" --dest "$2:80"
	fi
	# No reply: give the daemon the time to end the session, so that the
	# log shown names what became of it.
	grep -qF "rep=0x06" "$SG_TMP/$1" || sleep $((CT + 2))
	sg_expect "$SG_TMP/$1" "rep=0x06"
	t=$(secs "$SG_TMP/$1")
	# The last attempt starts at most 250 ms after the first and may take
	# timeouts.connect: between CT and CT + 2 s (slack for a loaded host).
	awk -v t="$t" -v c="$CT" 'BEGIN { exit !(t >= c - 0.1 && t <= c + 2) }' ||
		{ cat "$SG_TMP/$1" >&2; sg_fail "$2: 0x06 after ${t:-?} s, timeouts.connect = $CT"; }
	sg_info "ok: $2 black-holed: 0x06 after $t s"
done
sg_log_wait "rep=0x06" 5 3 || sg_fail "no 3 access lines with rep=0x06"

# 3. The HTTP door says the same as 504 (Gateway Timeout).
HP=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\) (http).*/\1/p' "$SG_LOG" | head -n1)
[ -n "$HP" ] || sg_error "no http listener in the log"
t0=$(sg_now_ms)
code=$(ns_exec "$NS_GW" curl -q -sS -o /dev/null -w '%{http_code}' --max-time 20 \
    -x "http://hana:$PW@127.0.0.1:$HP" "http://203.0.113.7/" 2>"$SG_TMP/http.err")
ms=$(( $(sg_now_ms) - t0 ))
[ "$code" = 504 ] || { cat "$SG_TMP/http.err" >&2; sg_fail "HTTP GET to a black hole: status ${code:-none}, want 504"; }
[ "$ms" -ge $(( CT * 1000 - 100 )) ] || sg_fail "HTTP 504 after $ms ms, before timeouts.connect ($CT s)"
sg_info "ok: HTTP GET to a black hole: 504 after $ms ms"
sg_stop || sg_fail "sixgated did not stop"
exit 0
