#!/bin/bash
# t-preload-python.sh - unmodified python3 programs under `sixgate`:
# getaddrinfo gives fakes in the family asked for (240.0.0.0/12 for
# AF_INET, 100::/64 -- never ::ffff: -- for AF_INET6, both for
# AF_UNSPEC); a blocking socket (create_connection and getaddrinfo +
# connect), asyncio (non-blocking connect) and 100 threads connecting at
# once reach echo servers by names only the gateway knows; getpeername()
# returns the fake connected to; gethostbyaddr(fake) returns the name.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
. "$top_srcdir/tests/integ/preload.sh"
sg_init
sg_need getent
pl_init
names=()
for i in $(seq 0 99); do
	names+=("127.0.0.1 n$i.sgtest")
done
pl_hosts "${names[@]}"
pl_unresolvable web4.sgtest web6.sgtest n0.sgtest n99.sgtest
pl_gateway
pl_client_conf
sg_server ECHO4 echo --bind 127.0.0.1
sg_server ECHO6 echo --bind ::1

py() {	# py OUTFILE pltool-args...: pltool under the wrapper
	local o=$1
	shift
	pl_run "$SG_PY" "$SG_INTEG/pltool.py" "$@" > "$o" 2> "$o.err" || {
		cat "$o.err" >&2
		pl_fail_with "$o" "pltool $* under sixgate exited $?"
	}
}

# --- getaddrinfo in each family
py "$SG_TMP/gai" gai web4.sgtest "$ECHO4"
grep -q '^gai inet ' "$SG_TMP/gai" || pl_fail_with "$SG_TMP/gai" "AF_INET: no answer"
grep -q '^gai inet6 ' "$SG_TMP/gai" || pl_fail_with "$SG_TMP/gai" "AF_INET6: no answer"
grep -qi 'ffff:' "$SG_TMP/gai" && pl_fail_with "$SG_TMP/gai" "a v4-mapped address was given"
while read -r _ asked got addr; do
	case $asked in
	inet)	[ "$got" = inet ] && pl_fake4 "$addr" ||
			pl_fail_with "$SG_TMP/gai" "AF_INET gave $got $addr, want 240.0.0.0/12" ;;
	inet6)	[ "$got" = inet6 ] && pl_fake6 "$addr" ||
			pl_fail_with "$SG_TMP/gai" "AF_INET6 gave $got $addr, want 100::/64" ;;
	unspec)	if [ "$got" = inet ]; then pl_fake4 "$addr"; else pl_fake6 "$addr"; fi ||
			pl_fail_with "$SG_TMP/gai" "AF_UNSPEC gave $got $addr, not a fake" ;;
	*)	pl_fail_with "$SG_TMP/gai" "getaddrinfo($asked) failed" ;;
	esac
done < "$SG_TMP/gai"
grep -q '^gai unspec inet ' "$SG_TMP/gai" && grep -q '^gai unspec inet6 ' "$SG_TMP/gai" ||
	pl_fail_with "$SG_TMP/gai" "AF_UNSPEC did not give both families"
sg_info "ok: getaddrinfo gives fakes in the family asked for"

# --- blocking connects; getpeername; gethostbyaddr
check_echo() {	# FILE NAME WANT-FAMILY(4|6|any)
	local f=$1 name=$2 want=$3 peer conn
	sg_expect "$f" "echo=ok" "rev=$name"
	peer=$(sed -n 's/^peer=//p' "$f")
	case $want in
	4) pl_fake4 "$peer" || pl_fail_with "$f" "$name: getpeername gave $peer, not an IPv4 fake"
	   sg_expect "$f" "sockname_family=inet" ;;
	6) pl_fake6 "$peer" || pl_fail_with "$f" "$name: getpeername gave $peer, not an IPv6 fake"
	   # The gateway is at 127.0.0.1: the library swapped in an IPv4
	   # socket underneath; getsockname must still answer in AF_INET6.
	   sg_expect "$f" "sockname_family=inet6" ;;
	*) pl_fake4 "$peer" || pl_fake6 "$peer" ||
		pl_fail_with "$f" "$name: getpeername gave $peer, not a fake" ;;
	esac
	conn=$(sed -n 's/^connected=//p' "$f")
	[ -z "$conn" ] || [ "$conn" = "$peer" ] ||
		pl_fail_with "$f" "$name: connected to $conn but getpeername says $peer"
}
py "$SG_TMP/c1" echo web4.sgtest "$ECHO4" --mode create
check_echo "$SG_TMP/c1" web4.sgtest any
sg_info "ok: create_connection to web4.sgtest"
for spec in "web4.sgtest $ECHO4 4" "web4.sgtest $ECHO4 6" \
    "web6.sgtest $ECHO6 4" "web6.sgtest $ECHO6 6"; do
	set -- $spec
	py "$SG_TMP/c2" echo "$1" "$2" --family "$3" --mode blocking
	check_echo "$SG_TMP/c2" "$1" "$3"
	sg_info "ok: AF_INET${3#4} socket to $1 (blocking)"
done

# --- asyncio: non-blocking sockets
for spec in "web4.sgtest $ECHO4 4" "web6.sgtest $ECHO6 6" "web6.sgtest $ECHO6 0"; do
	set -- $spec
	py "$SG_TMP/c3" echo "$1" "$2" --family "$3" --mode asyncio
	check_echo "$SG_TMP/c3" "$1" "$( [ "$3" = 0 ] && echo any || echo "$3")"
	sg_info "ok: asyncio.open_connection to $1 (family $3)"
done

# --- 100 threads, each its own name, all at once
SG_TOOL_TIMEOUT=120 PL_TIMEOUT=120 py "$SG_TMP/thr" threads --names 'n%d.sgtest' \
    --port "$ECHO4" --count 100
grep -q '^ok=100 fail=0 distinct_addrs=100 ' "$SG_TMP/thr" ||
	pl_fail_with "$SG_TMP/thr" "not all 100 threads got their echo through distinct fakes"
sg_info "ok: 100 threads: $(head -n 1 "$SG_TMP/thr")"
pl_log_wait_re "access .*dest=n[0-9]+\\.sgtest:$ECHO4 .*rep=0x00" 10 100 ||
	sg_fail "expected 100 access lines with dest=nN.sgtest:$ECHO4 and rep=0x00"
exit 0
