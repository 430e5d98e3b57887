# tests/integ/netns.sh - network namespaces for the root-only tests of the
# RFC 3089 topology (figure 1, types A-D).  Sourced after lib.sh.
#
#   ns_check            before sg_init: SKIP unless root with `ip netns`
#   ns_init             after sg_init: run id, teardown in the EXIT trap
#   ns_rfc3089          build c4, c6, gw, d4, d6 (addresses below)
#   ns_exec NS CMD...   run CMD in NS, bounded by timeout
#   ns_server VAR NS SUBCOMMAND ARGS...   an sgtool server inside NS
#   ns_hosts NS         stdin becomes NS's /etc/hosts (ip netns exec
#                       bind-mounts /etc/netns/NS/hosts over /etc/hosts)
#
# Every namespace gets a name unique to the run (sg<pid>-<random>-<role>),
# so copies of a test running at once never meet.  Veths are created in
# their namespaces directly (never in the caller's) and die with them.
# Only documentation/ULA addresses are used, and only inside the
# namespaces: nothing here can reach a real network.

NS_ID=
NS_LIST=()		# namespaces this run created
NS_ETC=()		# /etc/netns/<ns> directories this run created
NS_LINKS=0		# veth pairs created so far
NS_ETC_MADE=		# /etc/netns did not exist when this run began
: "${NS_TIMEOUT:=60}"

# The topology.  gw faces each neighbour on its own link; no forwarding.
NS_GW_C4=192.0.2.1		NS_C4_ADDR=192.0.2.2		# /24
NS_GW_C6=2001:db8:c6::1		NS_C6_ADDR=2001:db8:c6::2	# /64
NS_GW_D4=198.51.100.1		NS_D4_ADDR=198.51.100.2		# /24
NS_GW_D6=2001:db8:d6::1		NS_D6_ADDR=2001:db8:d6::2	# /64
NS_WEB4=web4.rfc3089.test	# d4, known only in gw's /etc/hosts
NS_WEB6=web6.rfc3089.test	# d6, known only in gw's /etc/hosts

ns_check() {
	sg_need_root "network namespaces"
	command -v ip >/dev/null 2>&1 || sg_skip "ip (iproute2) not installed"
	timeout 10 ip netns list >/dev/null 2>&1 ||
		sg_skip "ip netns is not available"
}

ns_init() {
	NS_ID=sg$$-$RANDOM
	[ -e /etc/netns ] || NS_ETC_MADE=1
	sg_on_exit ns_teardown
}

ns_exec() {	# NS CMD...
	local ns=$1
	shift
	timeout -k 5 "$NS_TIMEOUT" ip netns exec "$ns" "$@"
}

# ns_sysctl NS KEY=VALUE...: quietly, a hard error if one fails.
ns_sysctl() {
	local ns=$1 kv
	shift
	for kv in "$@"; do
		ns_exec "$ns" sysctl -q -w "$kv" >/dev/null ||
			sg_error "sysctl $kv in $ns failed"
	done
}

# ns_add ROLE VAR MODE: a namespace, its name in $VAR.  MODE v4 (IPv6
# disabled), v6 or dual.  Loopback up, forwarding off in all of them.
ns_add() {
	local ns=$NS_ID-$1 err
	[ ! -e "/run/netns/$ns" ] || sg_error "namespace $ns already exists"
	NS_LIST+=("$ns")
	if ! err=$(timeout 10 ip netns add "$ns" 2>&1); then
		[ "${#NS_LIST[@]}" -eq 1 ] &&
			sg_skip "cannot create a network namespace: $err"
		sg_error "ip netns add $ns: $err"
	fi
	printf -v "$2" '%s' "$ns"
	ns_sysctl "$ns" net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0 \
	    net.ipv6.conf.default.forwarding=0
	case $3 in
	v4)	ns_sysctl "$ns" net.ipv6.conf.all.disable_ipv6=1 \
		    net.ipv6.conf.default.disable_ipv6=1 ;;
	v6|dual) ns_sysctl "$ns" net.ipv6.conf.all.disable_ipv6=0 \
		    net.ipv6.conf.default.disable_ipv6=0 \
		    net.ipv6.conf.default.accept_dad=0 \
		    net.ipv6.conf.default.accept_ra=0 ;;
	*)	sg_error "ns_add: bad mode $3" ;;
	esac
	ns_exec "$ns" ip link set lo up || sg_error "lo up in $ns failed"
}

# ns_addr NS IF ADDR/LEN: IPv6 with nodad, so that it is usable at once.
ns_addr() {
	case $3 in
	*:*)	ns_exec "$1" ip -6 addr add "$3" dev "$2" nodad ;;
	*)	ns_exec "$1" ip -4 addr add "$3" dev "$2" ;;
	esac || sg_error "address $3 on $2 in $1 failed"
}

# ns_link NS_A IF_A ADDR_A NS_B IF_B ADDR_B: a veth pair between two
# namespaces, up, one address on each end.
ns_link() {
	local err
	if ! err=$(timeout 10 ip link add "$2" netns "$1" type veth \
	    peer name "$5" netns "$4" 2>&1); then
		[ "$NS_LINKS" -eq 0 ] && sg_skip "cannot create a veth pair: $err"
		sg_error "veth $2/$5 between $1 and $4: $err"
	fi
	NS_LINKS=$((NS_LINKS + 1))
	ns_exec "$1" ip link set "$2" up && ns_exec "$4" ip link set "$5" up ||
		sg_error "cannot bring up $2/$5"
	ns_addr "$1" "$2" "$3"
	ns_addr "$4" "$5" "$6"
}

ns_hosts() {	# NS < hosts text
	local d=/etc/netns/$1 _
	[ ! -e "$d" ] || sg_error "$d already exists"
	NS_ETC+=("$d")
	# A parallel run may remove an empty /etc/netns between the two mkdirs.
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		mkdir -p /etc/netns && mkdir "$d" 2>/dev/null && break
		sleep 0.1
	done
	[ -d "$d" ] && cat > "$d/hosts" || sg_error "cannot write $d/hosts"
}

# The RFC 3089 figure: clients c4 (IPv4 only) and c6 (IPv6 only), the
# dual-stack gateway gw, destinations d4 (IPv4 only) and d6 (IPv6 only).
# The clients have no route to d4/d6; the names live only in gw.
ns_rfc3089() {
	ns_add c4 NS_C4 v4
	ns_add c6 NS_C6 v6
	ns_add gw NS_GW dual
	ns_add d4 NS_D4 v4
	ns_add d6 NS_D6 v6
	ns_link "$NS_C4" to-gw "$NS_C4_ADDR/24" "$NS_GW" to-c4 "$NS_GW_C4/24"
	ns_link "$NS_C6" to-gw "$NS_C6_ADDR/64" "$NS_GW" to-c6 "$NS_GW_C6/64"
	ns_link "$NS_D4" to-gw "$NS_D4_ADDR/24" "$NS_GW" to-d4 "$NS_GW_D4/24"
	ns_link "$NS_D6" to-gw "$NS_D6_ADDR/64" "$NS_GW" to-d6 "$NS_GW_D6/64"
	ns_hosts "$NS_GW" <<EOF
127.0.0.1	localhost
::1		localhost ip6-localhost ip6-loopback
$NS_D4_ADDR	$NS_WEB4
$NS_D6_ADDR	$NS_WEB6
EOF
}

# ns_server VAR NS SUBCOMMAND ARGS...: as sg_server, inside NS.
ns_server() {
	local var=$1 ns=$2 pf
	shift 2
	pf=$SG_TMP/port.$var
	rm -f "$pf"
	sg_bg timeout 600 ip netns exec "$ns" "$SG_PY" "$SG_INTEG/sgtool.py" \
	    "$@" --port-file "$pf" 2>>"$SG_TMP/servers.err"
	printf -v "${var}_PID" '%s' "$SG_BGPID"
	if ! sg_wait_file "$pf" 10; then
		cat "$SG_TMP/servers.err" >&2
		sg_error "helper server '$*' in $ns did not start"
	fi
	printf -v "$var" '%s' "$(cat "$pf")"
}

# In the EXIT trap, after lib.sh killed the PIDs it knows: whatever is
# still inside our namespaces (only this run's processes can be there),
# then the namespaces (their veths go with them) and /etc/netns entries
# (/etc/netns itself when this run made it and it is empty again).
ns_teardown() {
	local ns d pids _
	for ns in "${NS_LIST[@]+"${NS_LIST[@]}"}"; do
		[ -e "/run/netns/$ns" ] || continue
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			pids=$(timeout 10 ip netns pids "$ns" 2>/dev/null)
			[ -n "$pids" ] || break
			# shellcheck disable=SC2086
			kill -KILL $pids 2>/dev/null
			sleep 0.1
		done
		timeout 10 ip netns del "$ns" ||
			echo "warning: could not delete namespace $ns" >&2
	done
	for d in "${NS_ETC[@]+"${NS_ETC[@]}"}"; do
		rm -rf -- "$d"
	done
	# Ours only if it was absent at the start; never while others use it.
	[ -z "$NS_ETC_MADE" ] || rmdir /etc/netns 2>/dev/null
	return 0
}
