#!/bin/bash
# t-chain-netns.sh (root) - chained relays (RFC 3089 section 4) across
# address families, in network namespaces:
#
#   c6 (IPv6 only) --v6--> g1 (sixgated: IPv6 in, IPv4 out only)
#                  --v4--> g2 (sixgated: IPv4 in, dual out)
#                  --v6--> d6 (IPv6 only, HTTP)
#
# The destination's name exists only in g2's /etc/hosts.  g1 can neither
# resolve the name nor reach d6 (proved first), so the only way is the
# name handed on unresolved over IPv4 to g2, which resolves it and
# connects over IPv6:
#  1. the proofs: c6 and g1 cannot resolve or reach d6; g1 has no IPv6 on
#     its link to g2; g2 resolves the name and reaches d6 (control);
#  2. curl --socks5-hostname in c6 through g1 fetches a checksummed file
#     from d6 by name; the access logs show the name at both gateways, the
#     chain at g1, d6's IPv6 address only at g2;
#  3. a name unknown at g2 gives REP 0x02 in c6 (relay2 may reach one
#     network only: unknown and forbidden look the same); the literal address of
#     d6 sent to g1 (no route for it: direct) fails there.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
. "$top_srcdir/tests/integ/netns.sh"
. "$top_srcdir/tests/integ/chain.sh"
ns_check
sg_init
sg_need curl sha256sum getent sysctl
T0=$(sg_now_ms)

C6_ADDR=2001:db8:c6::2	G1_C6=2001:db8:c6::1	# /64
G1_G2=198.51.100.1	G2_G1=198.51.100.2	# /24
G2_D6=2001:db8:d6::1	D6_ADDR=2001:db8:d6::2	# /64
NAME=web6.chainns.test

ns_init
ns_add c6 NS_C6 v6
ns_add g1 NS_G1 dual
ns_add g2 NS_G2 dual
ns_add d6 NS_D6 v6
ns_link "$NS_C6" to-g1 "$C6_ADDR/64" "$NS_G1" to-c6 "$G1_C6/64"
# The g1-g2 link carries IPv4 only.
timeout 10 ip link add to-g2 netns "$NS_G1" type veth peer name to-g1 \
    netns "$NS_G2" || sg_error "veth between $NS_G1 and $NS_G2"
ns_sysctl "$NS_G1" net.ipv6.conf.to-g2.disable_ipv6=1
ns_sysctl "$NS_G2" net.ipv6.conf.to-g1.disable_ipv6=1
ns_exec "$NS_G1" ip link set to-g2 up && ns_exec "$NS_G2" ip link set to-g1 up ||
	sg_error "cannot bring up to-g2/to-g1"
ns_addr "$NS_G1" to-g2 "$G1_G2/24"
ns_addr "$NS_G2" to-g1 "$G2_G1/24"
ns_link "$NS_G2" to-d6 "$G2_D6/64" "$NS_D6" to-g2 "$D6_ADDR/64"
ns_hosts "$NS_G2" <<EOF
127.0.0.1	localhost
::1		localhost ip6-localhost ip6-loopback
$D6_ADDR	$NAME
EOF
sg_info "namespaces: $NS_C6 $NS_G1 $NS_G2 $NS_D6"

mkdir -p "$SG_TMP/www"
head -c $((2 << 20)) /dev/urandom > "$SG_TMP/www/blob"
BLOB=$(sg_sha "$SG_TMP/www/blob")
ns_server HTTP "$NS_D6" http --bind "$D6_ADDR" --dir "$SG_TMP/www"

ns_curl() {	# NS CURL-ARGS...
	local ns=$1
	shift
	timeout 40 ip netns exec "$ns" curl -q -sS --max-time 30 \
	    --connect-timeout 5 "$@"
}

# ------------------------------------------------ 1. proofs
ns_exec "$NS_C6" ip -4 addr show scope global | grep -q inet &&
	sg_error "c6 has an IPv4 address"
[ -z "$(ns_exec "$NS_C6" ip -4 route show)" ] || sg_error "c6 has IPv4 routes"
ns_exec "$NS_G1" ip -6 addr show dev to-g2 | grep -q inet6 &&
	sg_error "g1 has IPv6 on its link to g2"
[ -z "$(ns_exec "$NS_D6" ip -4 route show)" ] || sg_error "d6 has IPv4 routes"
for k in net.ipv4.ip_forward net.ipv6.conf.all.forwarding; do
	for ns in "$NS_G1" "$NS_G2"; do
		[ "$(ns_exec "$ns" sysctl -n $k)" = 0 ] || sg_error "$ns: $k is not 0"
	done
done
for ns in "$NS_C6" "$NS_G1"; do
	ns_exec "$ns" getent hosts "$NAME" &&
		sg_fail "$NAME resolves in $ns"
	ns_exec "$ns" ip route get "$D6_ADDR" >/dev/null 2>&1 &&
		sg_fail "$ns has a route to $D6_ADDR"
	ns_curl "$ns" --connect-timeout 3 --max-time 5 -o /dev/null \
	    "http://[$D6_ADDR]:$HTTP/blob" 2>/dev/null &&
		sg_fail "d6 is reachable directly from $ns"
done
ns_exec "$NS_C6" ip route get "$G2_G1" >/dev/null 2>&1 &&
	sg_fail "c6 has a route to g2"
# Controls: g2 resolves the name (IPv6 only) and reaches d6.
[ "$(ns_exec "$NS_G2" getent ahosts "$NAME" | awk 'NR==1{print $1}')" = "$D6_ADDR" ] ||
	sg_error "g2 does not resolve $NAME to $D6_ADDR"
ns_curl "$NS_G2" -o "$SG_TMP/control" "http://$NAME:$HTTP/blob" ||
	sg_error "g2 cannot fetch http://$NAME:$HTTP/blob"
[ "$(sg_sha "$SG_TMP/control")" = "$BLOB" ] || sg_error "control fetch: content differs"
sg_info "ok: c6 and g1 can neither resolve $NAME nor reach d6; g2 can"

# ------------------------------------------------ gateways
PW_A="Al1ce-$$-$RANDOM"
PW_2="R3lay2-$$-$RANDOM"
ch_pam alice "$PW_A" sg-g1 relay2 "$PW_2" sg-g2
ch_secret relay2 "$PW_2"
REAL=$(cd "$(dirname "$SIXGATED")" && pwd)/$(basename "$SIXGATED")
for ns in "$NS_G1" "$NS_G2"; do
	printf '#!/bin/sh\nexec ip netns exec "%s" "%s" "$@"\n' "$ns" "$REAL" \
	    > "$SG_TMP/sixgated-in-$ns"
	chmod 755 "$SG_TMP/sixgated-in-$ns"
done

sg_conf file="$SG_TMP/g2.conf" listen="\"$G2_G1:1080\"" pam_service=sg-g2 \
    rules="{ name = \"relay2-d6\"; action = \"allow\"; users = [ \"relay2\" ];
    to = [ \"2001:db8:d6::/64\" ]; }"
SIXGATED=$SG_TMP/sixgated-in-$NS_G2
ch_start G2 -v

sg_conf file="$SG_TMP/g1.conf" listen="\"[$G1_C6]:1080\"" pam_service=sg-g1 \
    rules='{ name = "alice"; action = "allow"; users = [ "alice" ]; }' \
    extra="hops = ( { name = \"g2\"; address = \"$G2_G1:1080\";
    user = \"relay2\"; password_file = \"$CH_SECRET\"; } );
upstreams = ( { to = [ \"*.chainns.test\" ]; via = ( \"g2\" ); } );"
SIXGATED=$SG_TMP/sixgated-in-$NS_G1
ch_start G1 -v
[ "${CH_ADDR[G1]}" = "[$G1_C6]:1080" ] && [ "${CH_ADDR[G2]}" = "$G2_G1:1080" ] ||
	ch_fail "gateways listen on ${CH_ADDR[G1]} / ${CH_ADDR[G2]}"
P1="[$G1_C6]:1080"

# ------------------------------------------------ 2. by name through both
for i in 1 2; do
	rm -f "$SG_TMP/got"
	ns_curl "$NS_C6" --socks5-hostname "$P1" --proxy-user "alice:$PW_A" \
	    -o "$SG_TMP/got" "http://$NAME:$HTTP/blob" 2> "$SG_TMP/curl.err" || {
		cat "$SG_TMP/curl.err" >&2
		ch_fail "curl in c6 through g1 to $NAME failed"
	}
	[ "$(sg_sha "$SG_TMP/got")" = "$BLOB" ] || ch_fail "curl in c6: content differs"
done
ch_access G1 2 "[$C6_ADDR]:" "user=alice " "dest=$NAME:$HTTP " \
    "addr=via:$G2_G1:1080 " "rep=0x00"
ch_access G2 2 "$G1_G2:" "user=relay2 " "dest=$NAME:$HTTP " \
    "addr=[$D6_ADDR]:$HTTP " "rep=0x00"
grep -qF "$D6_ADDR" "${CH_LOG[G1]}" && ch_fail "g1's log shows d6's address"
sg_info "ok: c6 -v6-> g1 -v4-> g2 -v6-> d6 by name, resolved at g2 only"

# ------------------------------------------------ 3. failures
nstool() {	# NS sgtool-args...
	local ns=$1
	shift
	timeout 60 ip netns exec "$ns" "$SG_PY" "$SG_INTEG/sgtool.py" "$@"
}
nstool "$NS_C6" socks --proxy "$P1" --user alice --password "$PW_A" \
    --dest-name "nosuch.chainns.test" --dest-port "$HTTP" > "$SG_TMP/rep" 2>&1
# relay2's rules name one network only: g2 answers an unknown name as a
# forbidden one (0x02, no DNS probe), and g1 passes it on unchanged.
grep -q "^rep=0x02 " "$SG_TMP/rep" ||
	{ cat "$SG_TMP/rep" >&2; ch_fail "unknown name at g2: not REP 0x02"; }
ch_access G2 1 "dest=nosuch.chainns.test:$HTTP " "rep=0x02"
ch_access G1 1 "dest=nosuch.chainns.test:$HTTP " "rep=0x02"
# d6's literal address matches no route: g1 tries it directly and fails.
nstool "$NS_C6" socks --proxy "$P1" --user alice --password "$PW_A" \
    --dest "[$D6_ADDR]:$HTTP" > "$SG_TMP/rep" 2>&1
grep -qE "^rep=0x0[34] " "$SG_TMP/rep" ||
	{ cat "$SG_TMP/rep" >&2; ch_fail "d6's address directly from g1: not REP 0x03/0x04"; }
ch_access G1 1 "dest=[$D6_ADDR]:$HTTP "
[ "$(ch_count G2 "[$D6_ADDR]:$HTTP" "cmd=connect dest=[")" = 0 ] ||
	ch_fail "the literal went to g2"
grep -q "is down" "${CH_LOG[G1]}" && ch_fail "g1 marked g2 down"
sg_info "ok: unknown name at g2: REP 0x04; g1 alone cannot reach d6"

ch_no_secrets "$PW_A" "$PW_2"
for g in G1 G2; do
	SG_PID=${CH_PID[$g]}
	SG_LOG=${CH_LOG[$g]}
	sg_stop || ch_fail "$g did not stop on SIGTERM"
	[ "$SG_RC" = 0 ] || ch_fail "$g exited with $SG_RC after SIGTERM"
done
sg_info "done in $(( $(sg_now_ms) - T0 )) ms"
exit 0
