#!/bin/bash
# t-preload-dig-netns.sh (root) - UDP through the Socks Lib across the
# IPv4/IPv6 gateway of RFC 3089 (figure 1, netns.sh: clients c4 IPv4-only
# and c6 IPv6-only, gateway gw, destinations d4 IPv4-only and d6
# IPv6-only; the destinations' names exist only in gw's /etc/hosts):
#  1. the issue's scenario: dig under `sixgate --udp-compat` on c4 asks a
#     DNS server that listens only on IPv6 in d6 (dnsmasq, else a python
#     responder; port 53 of d6's address), named dns6.rfc3089.test, and
#     gets the answer; the server sees the query come from gw; without
#     --udp-compat dig gets nothing.  dig on c6 (type D) too.
#  2. python3 on the IPv6-only c6: an AF_INET6 UDP socket sends by name
#     to an IPv4-only UDP echo server in d4 (payloads 0..8192 bytes, a
#     burst of 8) and gets every echo back from the fake it sent to; an
#     AF_INET socket does the same; literals (198.51.100.2,
#     ::ffff:198.51.100.2, which c6 cannot route) go through the gateway
#     too and answers come from the literal.
#  3. the gateway's access lines: cmd=udp with the counts each program
#     saw, from the client's address (the control connection).
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
. "$top_srcdir/tests/integ/netns.sh"
. "$top_srcdir/tests/integ/preload.sh"
ns_check
sg_init
sg_need dig getent sysctl
T0=$(sg_now_ms)
pl_module_only
WRAP=$PL_WRAPPER
MODULE=$PL_MODULE
PYBIN=$("$SG_PY" -c 'import sys; print(sys.executable)') ||
	sg_error "cannot find the python executable"

ns_init
ns_rfc3089
sg_info "namespaces: $NS_C4 $NS_C6 $NS_GW $NS_D4 $NS_D6"
DNS6=dns6.rfc3089.test		# d6's address, known only in gw
echo "$NS_D6_ADDR	$DNS6" >> "/etc/netns/$NS_GW/hosts" ||
	sg_error "cannot add $DNS6 to gw's hosts"
DNS_NAME=example.test
DNS_ADDR=192.0.2.7
DNSLOG=$SG_TMP/dns.log

# ------------------------------------------------ servers in d4 and d6
# The DNS server: port 53 of d6's (IPv6) address only; d6 has no IPv4.
DM=$(command -v dnsmasq || { [ -x /usr/sbin/dnsmasq ] && echo /usr/sbin/dnsmasq; })
if [ -n "$DM" ] && [ "${SG_UDP_DNS:-}" != python ]; then
	DNS_KIND=dnsmasq
	sg_bg timeout 600 ip netns exec "$NS_D6" "$DM" --keep-in-foreground \
	    --conf-file=/dev/null --no-resolv --no-hosts \
	    --listen-address="$NS_D6_ADDR" --port=53 --bind-interfaces \
	    "--address=/$DNS_NAME/$DNS_ADDR" --pid-file="$SG_TMP/dnsmasq.pid" \
	    --user=root --log-queries "--log-facility=$DNSLOG" \
	    2>>"$SG_TMP/dnsmasq.err"
else
	DNS_KIND=python
	sg_bg timeout 600 ip netns exec "$NS_D6" "$SG_PY" "$SG_INTEG/udptool.py" dns \
	    --bind "$NS_D6_ADDR" --port 53 --a "$DNS_NAME=$DNS_ADDR" \
	    --port-file "$SG_TMP/port.dns" --log "$DNSLOG" 2>>"$SG_TMP/servers.err"
fi
DNS_PID=$SG_BGPID
# Control: gw asks it directly (until it is up).
n=0
until timeout 10 ip netns exec "$NS_GW" dig @"$NS_D6_ADDR" "$DNS_NAME" A +short \
    +tries=1 +time=1 2>/dev/null | grep -qxF "$DNS_ADDR"; do
	n=$((n + 1))
	if [ $n -ge 50 ] || ! sg_alive "$DNS_PID"; then
		cat "$SG_TMP/dnsmasq.err" "$SG_TMP/servers.err" "$DNSLOG" 2>/dev/null >&2
		sg_error "the DNS server ($DNS_KIND) in d6 does not answer gw"
	fi
	sleep 0.1
done
ns_exec "$NS_D6" ss -Hlnu 2>/dev/null | grep -q '0\.0\.0\.0:53\|127\.0\.0\.1:53' &&
	sg_error "the DNS server in d6 listens on IPv4"

# UDP echo servers: d4 (IPv4 only), d6 (IPv6 only).
udp_echo() {	# VAR NS ADDR
	local pf=$SG_TMP/port.$1
	sg_bg timeout 600 ip netns exec "$2" "$SG_PY" "$SG_INTEG/udptool.py" echo \
	    --bind "$3" --port-file "$pf" --log "$SG_TMP/$1.log" 2>>"$SG_TMP/servers.err"
	sg_wait_file "$pf" 10 || {
		cat "$SG_TMP/servers.err" >&2
		sg_error "UDP echo server on $3 in $2 did not start"
	}
	printf -v "$1" '%s' "$(cat "$pf")"
}
udp_echo E4 "$NS_D4" "$NS_D4_ADDR"
udp_echo E6 "$NS_D6" "$NS_D6_ADDR"

# ------------------------------------------------ no way without gw
ns_exec "$NS_C4" ip -6 addr show | grep -q inet6 && sg_error "c4 has IPv6 addresses"
[ -z "$(ns_exec "$NS_C6" ip -4 route show)" ] || sg_error "c6 has IPv4 routes"
for ns in "$NS_C4" "$NS_C6"; do
	for name in "$DNS6" "$NS_WEB4"; do
		ns_exec "$ns" getent hosts "$name" >/dev/null &&
			sg_fail "$name resolves in client namespace $ns"
	done
done
ns_exec "$NS_C4" dig @"$NS_D6_ADDR" "$DNS_NAME" A +tries=1 +time=2 2>&1 |
	grep -qF "$DNS_ADDR" && sg_fail "c4 reaches the DNS server in d6 directly"
sg_info "ok: the clients can neither resolve $DNS6 / $NS_WEB4 nor reach d4/d6"

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
    to = [ \"198.51.100.0/24\", \"2001:db8:d6::/64\" ]; commands = [ \"connect\", \"udp\" ]; }"
sg_start
P4="$NS_GW_C4:1080"
P6="[$NS_GW_C6]:1080"
grep -qF "listening on $P4" "$SG_LOG" && grep -qF "listening on $P6" "$SG_LOG" ||
	sg_fail "sixgated does not listen on $P4 and $P6"

client_conf() {	# ROLE GATEWAY USER PASSWORD
	printf '%s\n' "$4" > "$SG_TMP/pw-$1"
	chmod 600 "$SG_TMP/pw-$1"
	mkdir -m 700 "$SG_TMP/run-$1"
	cat > "$SG_TMP/client-$1.conf" <<EOF
gateway = "$2";
user = "$3";
password_file = "$SG_TMP/pw-$1";
log = 2;
log_file = "$SG_TMP/lib-$1.log";
EOF
}
client_conf c4 "$P4" bob "$PW_B"
client_conf c6 "$P6" alice "$PW_A"

lib_fail() {	# ROLE FILE MESSAGE
	local f
	for f in "$2" "$SG_TMP/lib-$1.log"; do
		[ -f "$f" ] && { echo "--- $f ---" >&2; tail -n 30 "$f" >&2; }
	done
	sg_fail "$3"
}

# socksified ROLE NS [SIXGATE-OPTIONS] -- PROGRAM ARGS...
socksified() {
	local role=$1 ns=$2 opts=()
	shift 2
	while [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	shift
	timeout 60 ip netns exec "$ns" env XDG_RUNTIME_DIR="$SG_TMP/run-$role" \
	    SIXGATE_MODULE="$MODULE" "$WRAP" "${opts[@]+"${opts[@]}"}" \
	    -f "$SG_TMP/client-$role.conf" -- "$@"
}

expect_words() {	# LINE WORD...
	local line=$1 w
	shift
	for w in "$@"; do
		case " $line " in
		*" $w "*) ;;
		*) sg_fail "expected '$w' in: $line" ;;
		esac
	done
}

udp_access() {	# the access lines of associations
	grep -F " access " "$SG_LOG" | grep -F " cmd=udp "
}

FAKE4='^240\.([0-9]|1[0-5])\.[0-9]+\.[0-9]+$'	# 240.0.0.0/12
FAKE6='^100::[0-9a-f:]*$'			# 100::/64

# ------------------------------------------------ 1. dig
# dig_ok ROLE NS CLIENT-ADDR FAKE-REGEX [DIG-OPTIONS]
dig_ok() {
	local role=$1 ns=$2 from=$3 re=$4 o=$SG_TMP/dig-$1 before q server line
	shift 4
	before=$(udp_access | wc -l)
	q=$(grep -c "$DNS_NAME" "$DNSLOG")
	socksified "$role" "$ns" --udp-compat -- dig @"$DNS6" "$DNS_NAME" A \
	    +tries=1 +time=5 "$@" > "$o" 2>&1 ||
		lib_fail "$role" "$o" "dig on $role under sixgate --udp-compat exited with $?"
	grep -qE "^$DNS_NAME\\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+A[[:space:]]+$DNS_ADDR\$" "$o" ||
		lib_fail "$role" "$o" "dig on $role: no A $DNS_ADDR for $DNS_NAME"
	server=$(sed -n 's/^;; SERVER: \(.*\)#53(dns6\.rfc3089\.test) (UDP)$/\1/p' "$o")
	[[ $server =~ $re ]] ||
		lib_fail "$role" "$o" "dig on $role asked '$server', not a fake for $DNS6, over UDP"
	[ "$(grep -c "$DNS_NAME" "$DNSLOG")" -gt "$q" ] && grep -qF "$NS_GW_D6" "$DNSLOG" ||
		lib_fail "$role" "$DNSLOG" "the DNS server did not get the query from gw ($NS_GW_D6)"
	sg_log_wait " cmd=udp " 10 $((before + 1)) ||
		lib_fail "$role" "$o" "dig on $role: no association ended"
	line=$(udp_access | tail -n 1)
	expect_words "$line" "rep=0x00" "dgrams_up=1" "dgrams_down=1" "dropped=0"
	case $line in
	*" $from:"*" access "*) ;;
	*) sg_fail "dig on $role: the association is not from $from: $line" ;;
	esac
	sg_info "ok: dig $* on $role under --udp-compat: $DNS_NAME = $DNS_ADDR from the IPv6-only $DNS6 (asked $server)"
}
dig_ok c4 "$NS_C4" "$NS_C4_ADDR" "$FAKE4"
dig_ok c6 "$NS_C6" "[$NS_C6_ADDR]" "$FAKE6" -6
dig_ok c6 "$NS_C6" "[$NS_C6_ADDR]" "$FAKE4" -4

# Without --udp-compat: libuv's sendmmsg by syscall(2) is not seen.
o=$SG_TMP/dig-c4-nocompat
before=$(udp_access | wc -l)
q=$(grep -c "$DNS_NAME" "$DNSLOG")
rc=0
socksified c4 "$NS_C4" -- dig @"$DNS6" "$DNS_NAME" A +tries=1 +time=3 > "$o" 2>&1 || rc=$?
[ "$rc" != 0 ] || lib_fail c4 "$o" "dig on c4 without --udp-compat exited 0"
grep -qE "[[:space:]]IN[[:space:]]+A[[:space:]]+$DNS_ADDR\$" "$o" &&
	lib_fail c4 "$o" "dig on c4 without --udp-compat got the answer: is the limitation gone? (update the docs and this test)"
sleep 1
[ "$(grep -c "$DNS_NAME" "$DNSLOG")" = "$q" ] ||
	lib_fail c4 "$DNSLOG" "dig without --udp-compat: the DNS server got a query"
udp_access | tail -n +$((before + 1)) | grep -v ' dgrams_up=0 ' | grep . &&
	lib_fail c4 "$o" "dig without --udp-compat: datagrams went through the gateway"
sg_info "ok: without --udp-compat dig on c4 gets no answer (exit $rc)"

# ------------------------------------------------ 2-3. python UDP on c6
# py_udp ROLE NS FAMILY TARGET PORT GATEWAY SRC-REGEX CLIENT-ADDR
py_udp() {
	local role=$1 ns=$2 fam=$3 target=$4 port=$5 gw=$6 re=$7 from=$8
	local o=$SG_TMP/py-$1-$3-$4 res sent bytes ctl line rc=0
	socksified "$role" "$ns" -- "$PYBIN" "$SG_INTEG/udptool.py" client \
	    "$target" "$port" --family "$fam" --gateway "$gw" --trunc \
	    > "$o" 2> "$o.err" || rc=$?
	if [ "$rc" != 0 ]; then
		cat "$o.err" >&2
		lib_fail "$role" "$o" "udptool client AF_INET${fam#4} on $role to $target exited with $rc"
	fi
	grep '^bad_' "$o" >&2 && lib_fail "$role" "$o" "AF_INET${fam#4} on $role to $target: bad echoes or sources"
	res=$(sed -n 's/^resolved=//p' "$o")
	res=${res%:*}
	res=${res#[}
	res=${res%]}
	[[ $res =~ $re ]] || lib_fail "$role" "$o" "AF_INET${fam#4} on $role: $target gave $res"
	read -r sent bytes < <(sed -n 's/^sent=\([0-9]*\) bytes=\([0-9]*\) .*/\1 \2/p' "$o")
	[ -n "$bytes" ] && [ "$sent" -gt 0 ] || lib_fail "$role" "$o" "no summary"
	sg_expect "$o" "echo_ok=$sent echo_bad=0 src_ok=$sent src_bad=0" "trunc=ok" \
	    "ctl_before=0" "ctl_after_first=1" "ctl_sock0=1" "ctl_after_close_0=0"
	ctl=$(sed -n 's/^ctl_sock0_local=//p' "$o")
	case $ctl in
	"$from":*) ;;
	*) lib_fail "$role" "$o" "the control connection $ctl is not from $from" ;;
	esac
	sg_log_wait " $ctl access " 10 || lib_fail "$role" "$o" "no access line for $ctl"
	line=$(grep -F " $ctl access " "$SG_LOG")
	expect_words "$line" "user=alice" "cmd=udp" "rep=0x00" "end=closed" \
	    "dgrams_up=$sent" "dgrams_down=$sent" "dropped=0" "up=$bytes" "down=$bytes"
	sg_info "ok: python AF_INET${fam#4} on $role: $sent datagrams to $target:$port and back, from $res"
}
IP6_OF_D4=::ffff:$NS_D4_ADDR
# As udptool.py prints it (python's ipaddress: the form varies by version).
CANON=$("$SG_PY" -c 'import ipaddress, sys
print(ipaddress.ip_address(sys.argv[1]).compressed)' "$IP6_OF_D4") || sg_error "python ipaddress"
: > "$SG_TMP/E4.log"
py_udp c6 "$NS_C6" 6 "$NS_WEB4" "$E4" "$P6" "$FAKE6" "[$NS_C6_ADDR]"
py_udp c6 "$NS_C6" 4 "$NS_WEB4" "$E4" "$P6" "$FAKE4" "[$NS_C6_ADDR]"
py_udp c6 "$NS_C6" 4 "$NS_D4_ADDR" "$E4" "$P6" "^${NS_D4_ADDR//./\\.}\$" "[$NS_C6_ADDR]"
py_udp c6 "$NS_C6" 6 "$IP6_OF_D4" "$E4" "$P6" "^${CANON//./\\.}\$" "[$NS_C6_ADDR]"
py_udp c6 "$NS_C6" 6 "$NS_WEB6" "$E6" "$P6" "$FAKE6" "[$NS_C6_ADDR]"
# Everything the IPv4-only echo server saw came from gw's IPv4 address.
n=$(grep -c . "$SG_TMP/E4.log")
[ "$n" -gt 0 ] && [ "$(grep -c "^from=$NS_GW_D4:" "$SG_TMP/E4.log")" = "$n" ] || {
	head -n 5 "$SG_TMP/E4.log" >&2
	sg_fail "the echo server in d4 saw datagrams from elsewhere than gw ($NS_GW_D4)"
}
sg_info "ok: the IPv4-only echo server in d4 heard only gw ($n datagrams)"

sg_stop || sg_fail "sixgated did not stop on SIGTERM"
[ "$SG_RC" = 0 ] || sg_fail "sixgated exited with $SG_RC after SIGTERM"
sg_info "done in $(( $(sg_now_ms) - T0 )) ms"
exit 0
