#!/bin/bash
# t-udp-netns.sh (root) - UDP ASSOCIATE (and BIND) across the IPv4/IPv6
# gateway of RFC 3089, in the network namespaces of netns.sh: an
# IPv4-only client c4, an IPv6-only client c6, the dual-stack gateway gw
# running sixgated, an IPv4-only destination d4 and an IPv6-only d6,
# whose names exist only in gw's /etc/hosts:
#  1. the clients can neither resolve the names nor route to d4/d6;
#  2. UDP: c6 reaches the UDP echo server on d4 and c4 the one on d6 by
#     name (resolved at the gateway), and each the one of its own family;
#     payloads 0..8192 bytes verified, answers carry the server's address
#     in its own family (ATYP 1 on c6, ATYP 4 on c4); the access lines
#     count every datagram; closing the control connection ends each
#     association;
#  3. BIND: c6 expects a peer on d4 and c4 one on d6 (by address and by
#     name): the first reply announces gw's address facing the peer, the
#     peer in d4/d6 connects there, data flows both ways.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
. "$top_srcdir/tests/integ/netns.sh"
ns_check
sg_init
sg_need getent sysctl
T0=$(sg_now_ms)
ns_init
ns_rfc3089
sg_info "namespaces: $NS_C4 $NS_C6 $NS_GW $NS_D4 $NS_D6"

# ns_udp_echo VAR NS ADDR: a UDP echo server inside NS.
ns_udp_echo() {
	local pf=$SG_TMP/port.$1
	: > "$SG_TMP/$1.log"
	sg_bg timeout 600 ip netns exec "$2" "$SG_PY" "$SG_INTEG/s5udp.py" udpecho \
	    --bind "$3" --port-file "$pf" --log "$SG_TMP/$1.log" 2>>"$SG_TMP/servers.err"
	sg_wait_file "$pf" 10 || { cat "$SG_TMP/servers.err" >&2; sg_error "udp echo in $2 did not start"; }
	printf -v "$1" '%s' "$(cat "$pf")"
}
ns_udp_echo U4 "$NS_D4" "$NS_D4_ADDR"
ns_udp_echo U6 "$NS_D6" "$NS_D6_ADDR"

ns_s5() {	# NS s5udp.py ARGS...
	local ns=$1
	shift
	ns_exec "$ns" "$SG_PY" "$SG_INTEG/s5udp.py" "$@"
}

# expect_words LINE WORD...
expect_words() {
	local line=$1 w
	shift
	for w in "$@"; do
		case " $line " in
		*" $w "*) ;;
		*) sg_fail "expected '$w' in: $line" ;;
		esac
	done
}

# ------------------------------------------------ 1. no way without gw
for ns in "$NS_C4" "$NS_C6"; do
	for name in "$NS_WEB4" "$NS_WEB6"; do
		ns_exec "$ns" getent hosts "$name" >/dev/null &&
			sg_error "$name resolves in client namespace $ns"
	done
	for a in "$NS_D4_ADDR" "$NS_D6_ADDR"; do
		ns_exec "$ns" ip route get "$a" >/dev/null 2>&1 &&
			sg_error "$ns has a route to $a"
	done
done
[ "$(ns_exec "$NS_GW" getent ahostsv4 "$NS_WEB4" | awk 'NR==1{print $1}')" = "$NS_D4_ADDR" ] ||
	sg_error "gw does not resolve $NS_WEB4 to $NS_D4_ADDR"
ns_exec "$NS_GW" getent ahosts "$NS_WEB6" | grep -qF "$NS_D6_ADDR" ||
	sg_error "gw does not resolve $NS_WEB6 to $NS_D6_ADDR"
sg_info "ok: the clients can neither resolve the names nor reach d4/d6"

# ------------------------------------------------ sixgated in gw
SG_REAL=$(cd "$(dirname "$SIXGATED")" && pwd)/$(basename "$SIXGATED")
printf '#!/bin/sh\nexec ip netns exec "%s" "%s" "$@"\n' "$NS_GW" "$SG_REAL" \
    > "$SG_TMP/sixgated-in-gw"
chmod 755 "$SG_TMP/sixgated-in-gw"
SIXGATED=$SG_TMP/sixgated-in-gw
PW_A="Al1ce-$$-$RANDOM"
PW_B="B0b-$$-$RANDOM"
sg_pamwrap alice "$PW_A" bob "$PW_B"
sg_conf listen="\"$NS_GW_C4:1080\", \"[$NS_GW_C6]:1080\"" \
    rules="{ name = \"rfc3089\"; action = \"allow\"; users = [ \"alice\", \"bob\" ];
    to = [ \"198.51.100.0/24\", \"2001:db8:d6::/64\" ]; commands = [ \"udp\", \"bind\" ]; }"
sg_start
grep -qF "listening on $NS_GW_C4:1080" "$SG_LOG" &&
	grep -qF "listening on [$NS_GW_C6]:1080" "$SG_LOG" ||
	sg_fail "sixgated does not listen on $NS_GW_C4:1080 and [$NS_GW_C6]:1080"
P4="$NS_GW_C4:1080"
P6="[$NS_GW_C6]:1080"
A6=(--user alice --password "$PW_A")
A4=(--user bob --password "$PW_B")

# ------------------------------------------------ 2. UDP by name
W4="name:$NS_WEB4:$U4@$NS_D4_ADDR:$U4"
W6="name:$NS_WEB6:$U6@[$NS_D6_ADDR]:$U6"
udp_case() {	# NAME NS PROXY USER s5udp.py-udp-ARGS...
	local name=$1 ns=$2 proxy=$3 user=$4 o ctl line
	shift 4
	o=$SG_TMP/$name.out
	ns_s5 "$ns" udp --proxy "$proxy" "$@" --sizes 0,1,100,512,1400,4096,8192 \
	    --close > "$o" 2>&1 ||
		{ cat "$o" >&2; sg_fail "$name: UDP ASSOCIATE from $ns via $proxy failed"; }
	ctl=$(sed -n 's/^ctl_local=//p' "$o")
	sg_log_wait " $ctl access " 15 ||
		sg_fail "$name: no access line for $ctl (association not ended by the close?)"
	line=$(grep -F " $ctl access " "$SG_LOG")
	# shellcheck disable=SC2046
	expect_words "$line" "user=$user" "cmd=udp" "rep=0x00" "end=closed" \
	    $(sed -n 's/^access_expect=//p' "$o")
	sg_info "ok: $name: $(grep '^echo_target=' "$o" | tr '\n' ' ')"
}
# Type C (IPv6 client, IPv4 destination) and type D; by name and literal.
udp_case c6-udp "$NS_C6" "$P6" alice "${A6[@]}" --echo "$W4" --echo "$W6" \
    --echo "$NS_D4_ADDR:$U4"
# Type B (IPv4 client, IPv6 destination) and type A.
udp_case c4-udp "$NS_C4" "$P4" bob "${A4[@]}" --echo "$W6" --echo "$W4" \
    --echo "[$NS_D6_ADDR]:$U6"
# The servers saw the gateway, never a client address.
grep -q "^from=$NS_GW_D4:" "$SG_TMP/U4.log" && ! grep -qv "^from=$NS_GW_D4:" "$SG_TMP/U4.log" ||
	{ cat "$SG_TMP/U4.log" >&2; sg_fail "d4's echo server saw sources other than $NS_GW_D4"; }
grep -q "^from=\[$NS_GW_D6\]:" "$SG_TMP/U6.log" && ! grep -qv "^from=\[$NS_GW_D6\]:" "$SG_TMP/U6.log" ||
	{ cat "$SG_TMP/U6.log" >&2; sg_fail "d6's echo server saw sources other than $NS_GW_D6"; }

# ------------------------------------------------ 3. BIND across families
bind_case() {	# NAME NS PROXY USER PEER PEER-NS PEER-FROM BND ATYP AUTH...
	local name=$1 ns=$2 proxy=$3 user=$4 peer=$5 pns=$6 pfrom=$7 bnd=$8 atyp=$9 o ctl pl
	shift 9
	o=$SG_TMP/$name.out
	ns_s5 "$ns" bind "$@" --proxy "$proxy" --peer "$peer" --peer-ns "$pns" \
	    --peer-from "$pfrom" --expect-bnd "$bnd" --expect-atyp "$atyp" \
	    --up-len 1048576 --down-len 654321 --early-len 1000 > "$o" 2>&1 ||
		{ cat "$o" >&2; sg_fail "$name: BIND from $ns via $proxy for $peer failed"; }
	grep -q '^bind_ok=1 ' "$o" || { cat "$o" >&2; sg_fail "$name: no bind_ok"; }
	ctl=$(sed -n 's/^ctl_local=//p' "$o")
	pl=$(sed -n 's/^peer_local=//p' "$o")
	sg_log_wait " $ctl access " 15 || sg_fail "$name: no access line for $ctl"
	expect_words "$(grep -F " $ctl access " "$SG_LOG")" "user=$user" "cmd=bind" \
	    "rep=0x00" "addr=$pl" "up=1048576" "down=654321"
	sg_info "ok: $name: BIND from $ns for $peer: BND $bnd, peer $pl"
}
bind_case c6-bind4 "$NS_C6" "$P6" alice "$NS_D4_ADDR:0" "$NS_D4" "$NS_D4_ADDR" \
    "$NS_GW_D4" 1 "${A6[@]}"
bind_case c6-bind4n "$NS_C6" "$P6" alice "name:$NS_WEB4:0" "$NS_D4" "$NS_D4_ADDR" \
    "$NS_GW_D4" 1 "${A6[@]}"
bind_case c4-bind6 "$NS_C4" "$P4" bob "[$NS_D6_ADDR]:0" "$NS_D6" "$NS_D6_ADDR" \
    "$NS_GW_D6" 4 "${A4[@]}"
bind_case c4-bind6n "$NS_C4" "$P4" bob "name:$NS_WEB6:0" "$NS_D6" "$NS_D6_ADDR" \
    "$NS_GW_D6" 4 "${A4[@]}"

sg_stop || sg_fail "sixgated did not stop on SIGTERM"
[ "$SG_RC" = 0 ] || sg_fail "sixgated exited with $SG_RC after SIGTERM"
sg_info "done in $(( $(sg_now_ms) - T0 )) ms"
exit 0
