#!/bin/bash
# t-self.sh - the shipped configuration does not relay to the gateway
# host itself (issue 11, finding 2).  Runs inside a network namespace of
# its own with an interface (one end of a veth pair) holding 192.0.2.50
# and 2001:db8:5e1f::50,
# a server listening on the wildcard address:
#  1. control: with loopback-only deny rules (the old shipped rules), an
#     authenticated client reaches that server through 192.0.2.50 -- the
#     hole this test guards;
#  2. with the rules of etc/sixgated.conf ("self" first): 0x02 for
#     192.0.2.50 and 2001:db8:5e1f::50 (literal and as a name), for
#     IPv6 forms carrying IPv4 (::ffff:192.0.2.50, 64:ff9b::c000:232),
#     and for loopback; the denial is logged by the gateway-local rule;
#  3. an address added while sixgated runs is refused within seconds.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"

if [ -z "${SG_SELF_INSIDE:-}" ]; then
	. "$SG_INTEG/netns.sh"
	ns_check
	sg_init
	ns_init
	ns_add self NS dual
	# No dummy driver everywhere: a veth pair with both ends here.
	ns_exec "$NS" ip link add d0 type veth peer name d1 ||
		sg_error "veth pair"
	ns_exec "$NS" ip link set d0 up && ns_exec "$NS" ip link set d1 up ||
		sg_error "d0/d1 up"
	ns_addr "$NS" d0 192.0.2.50/24
	ns_addr "$NS" d0 2001:db8:5e1f::50/64
	ns_exec "$NS" env SG_SELF_INSIDE=1 bash "$0"
	exit $?
fi

sg_init
PW="s3lf-$$-$RANDOM"
sg_pamwrap selma "$PW"
sg_server ANY echo --bind 0.0.0.0
sg_server ANY6 echo --bind ::
A=(--user selma --password "$PW")

rep() {	# EXPECTED-REP OUTFILE ARGS...: one request as the user
	sg_socks_rep "$1" "$2" "${A[@]}" "${@:3}"
}

# 1. The old shipped rules: loopback and link-local only.
OLD='{ name = "gateway-local"; action = "deny";
    to = [ "127.0.0.0/8", "::1/128", "0.0.0.0/8", "::/128", "169.254.0.0/16", "fe80::/10" ]; },
  { name = "users"; action = "allow"; users = [ "*" ]; }'
sg_conf rules="$OLD"
sg_start
rep 0x00 old --proxy "127.0.0.1:$SG_PORT4" --dest "192.0.2.50:$ANY" --data hi \
	--echo-check
sg_stop

# 2. The rules block of the shipped configuration, as it is.
SHIPPED=$(sed -n '/^rules = (/,/^);/p' "$top_srcdir/etc/sixgated.conf" |
	sed '1d;$d')
[ -n "$SHIPPED" ] || sg_error "no rules block in etc/sixgated.conf"
grep -q '"self"' <<<"$SHIPPED" || sg_fail "etc/sixgated.conf has no \"self\""
sg_conf rules="$SHIPPED"
sg_start
P4=127.0.0.1:$SG_PORT4
rep 0x02 v4 --proxy "$P4" --dest "192.0.2.50:$ANY"
rep 0x02 v6 --proxy "$P4" --dest "[2001:db8:5e1f::50]:$ANY6"
rep 0x02 name4 --proxy "$P4" --dest-name 192.0.2.50 --dest-port "$ANY"
rep 0x02 mapped --proxy "$P4" --dest "[::ffff:192.0.2.50]:$ANY6"
rep 0x02 nat64 --proxy "$P4" --dest "[64:ff9b::c000:232]:$ANY6"
rep 0x02 lo --proxy "$P4" --dest "127.0.0.1:$ANY"
[ "$(sg_log_count "denied by rule 1 (gateway-local)")" -ge 6 ] ||
	sg_fail "the refusals were not logged by the gateway-local rule"

# 3. An address that appears while the gateway runs.
ip addr add 198.51.100.77/32 dev d0 || sg_error "adding an address"
sleep 3		# the address table is re-read when over 2 s old
rep 0x02 new --proxy "$P4" --dest "198.51.100.77:$ANY"
sg_info "PASS"
