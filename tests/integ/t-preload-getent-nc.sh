#!/bin/bash
# t-preload-getent-nc.sh - the shared table of fake addresses: in ONE
# `sixgate` invocation, getent (one process) looks a name up and nc
# (netcat-openbsd, another process) connects to the fake it printed; two
# getent runs give the same fake; `getent hosts FAKE` gives the name back.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
. "$top_srcdir/tests/integ/preload.sh"
sg_init
sg_need getent awk
# netcat-openbsd: nc.openbsd (nc may be ncat, which has other options).
NC=
for c in nc.openbsd nc; do
	if command -v "$c" >/dev/null 2>&1 && "$c" -h 2>&1 | grep -q -- '-q seconds'; then
		NC=$(command -v "$c")
		break
	fi
done
[ -n "$NC" ] || sg_skip "netcat-openbsd (nc.openbsd) not installed"
pl_init
pl_hosts
pl_unresolvable web4.sgtest web6.sgtest
pl_gateway
pl_client_conf
sg_server ECHO4 echo --bind 127.0.0.1
sg_server ECHO6 echo --bind ::1

O=$SG_TMP/o
mkdir -p "$O"
# One invocation: every command below is a separate process sharing it.
cat > "$SG_TMP/script.sh" <<'SCRIPT'
set -u
O=$1 NC=$2 P4=$3 P6=$4
ip4=$(getent ahostsv4 web4.sgtest | awk 'NR == 1 { print $1 }')
echo "$ip4" > "$O/ip4"
echo "data over IPv4 $$" | timeout 20 "$NC" -q 1 -w 10 "$ip4" "$P4" > "$O/nc4" 2> "$O/nc4.err"
echo $? > "$O/nc4.rc"
ip6=$(getent ahostsv6 web6.sgtest | awk 'NR == 1 { print $1 }')
echo "$ip6" > "$O/ip6"
echo "data over IPv6 $$" | timeout 20 "$NC" -q 1 -w 10 "$ip6" "$P6" > "$O/nc6" 2> "$O/nc6.err"
echo $? > "$O/nc6.rc"
echo "data over IPv4 $$" > "$O/want4"
echo "data over IPv6 $$" > "$O/want6"
getent hosts web4.sgtest > "$O/h1"
getent hosts web4.sgtest > "$O/h2"
getent ahostsv4 web4.sgtest | awk 'NR == 1 { print $1 }' > "$O/h3"
getent hosts "$(awk '{ print $1 }' "$O/h1")" > "$O/rev6"
getent hosts "$ip4" > "$O/rev4"
exit 0
SCRIPT
pl_run sh "$SG_TMP/script.sh" "$O" "$NC" "$ECHO4" "$ECHO6" \
    > "$SG_TMP/run.out" 2>&1 ||
	pl_fail_with "$SG_TMP/run.out" "sixgate -- sh script failed"

ip4=$(cat "$O/ip4")
ip6=$(cat "$O/ip6")
pl_fake4 "$ip4" || pl_fail_with "$SG_TMP/run.out" "getent ahostsv4 web4.sgtest gave '$ip4', not a 240.0.0.0/12 fake"
pl_fake6 "$ip6" || pl_fail_with "$SG_TMP/run.out" "getent ahostsv6 web6.sgtest gave '$ip6', not a 100::/64 fake"
for f in 4 6; do
	[ "$(cat "$O/nc$f.rc")" = 0 ] ||
		pl_fail_with "$O/nc$f.err" "nc to the IPv$f fake exited $(cat "$O/nc$f.rc")"
	cmp -s "$O/nc$f" "$O/want$f" ||
		pl_fail_with "$O/nc$f" "nc to the IPv$f fake: the echo differs"
done
sg_info "ok: getent then nc (separate processes): $ip4 and $ip6 work"
sg_log_wait "dest=web4.sgtest:$ECHO4" 10 || sg_fail "no access line for web4.sgtest"
sg_log_wait "dest=web6.sgtest:$ECHO6" 10 || sg_fail "no access line for web6.sgtest"

read -r a1 n1 < "$O/h1"
read -r a2 n2 < "$O/h2"
[ -n "$a1" ] && [ "$a1" = "$a2" ] && [ "$n1" = web4.sgtest ] && [ "$n2" = web4.sgtest ] ||
	pl_fail_with "$O/h2" "getent hosts twice: '$a1 $n1' then '$a2 $n2'"
[ "$(cat "$O/h3")" = "$ip4" ] ||
	sg_fail "getent ahostsv4 web4.sgtest a second time gave $(cat "$O/h3"), first $ip4"
pl_fake4 "$a1" || pl_fake6 "$a1" || sg_fail "getent hosts web4.sgtest gave $a1, not a fake"
sg_info "ok: getent hosts web4.sgtest twice: $a1 both times"

read -r r6 rn6 < "$O/rev6"
[ "$r6" = "$a1" ] && [ "$rn6" = web4.sgtest ] ||
	pl_fail_with "$O/rev6" "getent hosts $a1 (reverse) gave '$r6 $rn6'"
read -r r4 rn4 < "$O/rev4"
[ "$r4" = "$ip4" ] && [ "$rn4" = web4.sgtest ] ||
	pl_fail_with "$O/rev4" "getent hosts $ip4 (reverse) gave '$r4 $rn4'"
sg_info "ok: reverse: getent hosts $a1 and $ip4 give web4.sgtest"
exit 0
