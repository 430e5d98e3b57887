#!/bin/bash
# t-preload-failover.sh - the Socks Lib with a list of two gateways, the
# first one dead (sixgate(1): gateway list, gateway_backoff):
#  a. refusing (a loopback port held closed by sg_refuser): curl and
#     python3, run by one `sixgate ... -- sh -c '...'`, all get through
#     the second gateway; the module logs exactly one warning for the
#     dead one, and the programs after the first find it in back-off in
#     the shared table (debug line) instead of trying it first;
#  b. (root) black-holed (a network namespace of the test where
#     203.0.113.7 has a neighbour entry with a MAC address nobody has,
#     as in t-connect-timeout.sh): the first program waits the connect
#     timeout once, then uses the second gateway; the next programs of
#     the same command connect far sooner than the timeout; one warning.
#     Without root this case alone prints SKIP (never in CI);
#  c. both gateways dead: the program's error is the one it gets with a
#     single dead gateway (curl: "Couldn't connect", exit 7), and still
#     one warning per gateway.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
. "$top_srcdir/tests/integ/preload.sh"
. "$top_srcdir/tests/integ/netns.sh"
sg_init
sg_need curl
pl_init
pl_hosts
pl_unresolvable web4.sgtest
pl_gateway
sg_refuser DEAD
sg_refuser DEAD2

mkdir -p "$SG_TMP/www"
echo "hello through the second gateway $$" > "$SG_TMP/www/index.html"
pl_server WEB http --bind 127.0.0.1 --dir "$SG_TMP/www"

# The python3 program: look-up, connect, one GET; prints the seconds
# until connected and the body.
cat > "$SG_TMP/fetch.py" <<'PY'
import socket, sys, time
t = time.monotonic()
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=30)
print("py_connect=%.3f" % (time.monotonic() - t))
s.sendall(b"GET /index.html HTTP/1.0\r\nHost: x\r\n\r\n")
data = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    data += b
sys.stdout.write(data.decode("latin-1").split("\r\n\r\n", 1)[1])
PY

# run_programs CONF OUT [PREFIX...]: one sixgate command running curl,
# python3 and curl again, one after the other (the same session, so the
# same shared table).  Each curl prints "curl_connect=SECONDS" (look-up
# and connect) after the body.
run_programs() {
	local conf=$1 out=$2
	shift 2
	timeout 120 "$@" "$PL_WRAPPER" -f "$conf" -- sh -c '
		curl -q -sS --max-time 30 -w "curl_connect=%{time_connect}\n" "http://web4.sgtest:$1/" &&
		"$2" "$3" web4.sgtest "$1" &&
		curl -q -sS --max-time 30 -w "curl_connect=%{time_connect}\n" "http://web4.sgtest:$1/"
	' sh "$WEB" "$SG_PY" "$SG_TMP/fetch.py" > "$out" 2> "$out.err"
}

# check_programs OUT LOG DEADPORT: three bodies, one warning naming the
# dead gateway, nothing else warned.
check_programs() {
	local out=$1 log=$2 dead=$3 n
	n=$(grep -c "^hello through the second gateway $$\$" "$out")
	[ "$n" = 3 ] || pl_fail_with "$out.err" "$n of 3 programs got the page (want curl, python3, curl)"
	n=$(grep -c "cannot reach the gateway .*:$dead" "$log")
	[ "$n" = 1 ] || pl_fail_with "$log" "$n warnings about the dead gateway (port $dead), want exactly 1"
	n=$(grep -c "cannot \(reach\|resolve\) the gateway" "$log")
	[ "$n" = 1 ] || pl_fail_with "$log" "$n gateway warnings in all, want 1"
}

# --- a. the first gateway refuses ---
LOG=$SG_TMP/client-a.log
pl_client_conf gateways="127.0.0.1:$DEAD 127.0.0.1:$SG_PORT4" \
    extra="log = 2; log_file = \"$LOG\"; gateway_backoff = 60;"
run_programs "$PL_CONF" "$SG_TMP/out-a" ||
	pl_fail_with "$SG_TMP/out-a.err" "refusing first gateway: the programs failed"
check_programs "$SG_TMP/out-a" "$LOG" "$DEAD"
# The processes after the first one knew from the shared table.
wpid=$(sed -n 's/^sixgate\[\([0-9]*\)\]: cannot reach the gateway.*/\1/p' "$LOG")
n=$(grep "gateways in back-off: tried last" "$LOG" | grep -vc "^sixgate\[$wpid\]")
[ "$n" -ge 2 ] ||
	pl_fail_with "$LOG" "the later programs did not find the dead gateway in back-off ($n lines)"
pl_log_wait_re "access .*cmd=connect dest=web4\\.sgtest:$WEB .*rep=0x00" 10 3 ||
	sg_fail "no 3 CONNECT access lines for web4.sgtest on the second gateway"
sg_info "ok: first gateway refusing: curl, python3, curl through the second, one warning"

# The same given by -s twice (and the variables instead of a file).
LOG=$SG_TMP/client-s.log
SIXGATE_USER=$PL_USER SIXGATE_PASSWORD_FILE=$PL_CONF.password SIXGATE_LOG=1 \
    SIXGATE_LOG_FILE=$LOG SIXGATE_GATEWAY_BACKOFF=60 \
    timeout 120 "$PL_WRAPPER" -s "127.0.0.1:$DEAD2" -s "127.0.0.1:$SG_PORT4" -- \
    sh -c 'for i in 1 2; do curl -q -sS --max-time 30 "http://web4.sgtest:$1/" || exit; done' \
    sh "$WEB" > "$SG_TMP/out-s" 2> "$SG_TMP/out-s.err" ||
	pl_fail_with "$SG_TMP/out-s.err" "-s DEAD -s LIVE: curl failed"
n=$(grep -c "^hello through the second gateway $$\$" "$SG_TMP/out-s")
[ "$n" = 2 ] || pl_fail_with "$SG_TMP/out-s.err" "-s DEAD -s LIVE: $n of 2 pages"
n=$(grep -c "cannot \(reach\|resolve\) the gateway" "$LOG")
[ "$n" = 1 ] && grep -q "cannot reach the gateway 127.0.0.1:$DEAD2: Connection refused" "$LOG" ||
	pl_fail_with "$LOG" "-s DEAD -s LIVE: want one warning about 127.0.0.1:$DEAD2"
sg_info "ok: -s given twice: failover, one warning"

# --- c. every gateway dead: the error of one dead gateway ---
# curl_err CONF OUT: curl twice in one session; its exit status (the
# second run's) and message, numbers dropped (curl prints its timing).
curl_err() {
	local rc=0
	timeout 120 "$PL_WRAPPER" -f "$1" -- sh -c '
		curl -q -sS --max-time 30 "http://web4.sgtest:$1/" 2>/dev/null
		curl -q -sS --max-time 30 "http://web4.sgtest:$1/"' sh "$WEB" \
	    > /dev/null 2> "$2" || rc=$?
	echo "exit=$rc $(tr -d '0-9' < "$2")"
}
pl_client_conf file="$SG_TMP/one.conf" gateway="127.0.0.1:$DEAD"
one=$(curl_err "$SG_TMP/one.conf" "$SG_TMP/one.err")
LOG=$SG_TMP/client-c.log
pl_client_conf file="$SG_TMP/two.conf" gateways="127.0.0.1:$DEAD 127.0.0.1:$DEAD2" \
    extra="log = 1; log_file = \"$LOG\";"
two=$(curl_err "$SG_TMP/two.conf" "$SG_TMP/two.err")
case $one in
"exit=7 "*) ;;
*) pl_fail_with "$SG_TMP/one.err" "one dead gateway: curl says '$one', want exit 7" ;;
esac
[ "$one" = "$two" ] ||
	sg_fail "two dead gateways: curl says '$two'; with one dead gateway: '$one'"
n=$(grep -c "cannot reach the gateway" "$LOG")
[ "$n" = 2 ] || pl_fail_with "$LOG" "two dead gateways, 2 programs: $n warnings, want 2 (one each)"
sg_info "ok: every gateway dead: curl's error as with one ($one), one warning each"

# --- b. the first gateway black-holed (root, network namespace) ---
if [ "$(id -u)" != 0 ]; then
	[ -z "${CI:-}" ] || sg_fail "CI must run this test as root (case b)"
	echo "SKIP: case b (black-holed first gateway) needs root for a network namespace"
	sg_stop || sg_fail "sixgated did not stop"
	exit 0
fi
sg_stop || sg_fail "sixgated did not stop"
ns_check
ns_init
ns_add cl NS_CL dual
ns_add bh NS_BH dual
ns_link "$NS_CL" to-bh 203.0.113.1/24 "$NS_BH" to-cl 192.0.2.1/24
ns_exec "$NS_CL" ip neigh add 203.0.113.7 lladdr 02:00:5e:00:53:99 dev to-bh nud permanent ||
	sg_error "cannot add the black-hole neighbour entry"
ns_exec "$NS_CL" "$SG_PY" -c '
import socket, sys
s = socket.socket()
s.settimeout(1)
try:
    s.connect(("203.0.113.7", 1080))
except socket.timeout:
    sys.exit(0)
except OSError as e:
    print(e)
sys.exit(1)' || sg_error "203.0.113.7 is not a black hole in $NS_CL"

# The gateway, the web server and the programs all in $NS_CL; the
# gateway also in its mount namespace that knows web4.sgtest.
printf '#!/bin/sh\nexec ip netns exec "%s" "%s" "$@"\n' "$NS_CL" "$SG_TMP/sixgated-ns" \
    > "$SG_TMP/sixgated-cl" && chmod 755 "$SG_TMP/sixgated-cl" ||
	sg_error "cannot write $SG_TMP/sixgated-cl"
SIXGATED=$SG_TMP/sixgated-cl
sg_start
SIXGATED=$PL_SIXGATED
rm -f "$SG_TMP/port.WEBB"
sg_bg ip netns exec "$NS_CL" timeout 600 "$SG_PY" "$SG_INTEG/pltool.py" http \
    --bind 127.0.0.1 --dir "$SG_TMP/www" --port-file "$SG_TMP/port.WEBB" \
    2>>"$SG_TMP/servers.err"
sg_wait_file "$SG_TMP/port.WEBB" 10 || sg_error "web server in $NS_CL did not start"
WEB=$(cat "$SG_TMP/port.WEBB")

CT=4	# the connect timeout (client.conf timeout)
LOG=$SG_TMP/client-b.log
pl_client_conf file="$SG_TMP/bh.conf" gateways="203.0.113.7:1080 127.0.0.1:$SG_PORT4" \
    extra="timeout = $CT; log = 2; log_file = \"$LOG\";"
run_programs "$SG_TMP/bh.conf" "$SG_TMP/out-b" ip netns exec "$NS_CL" ||
	pl_fail_with "$SG_TMP/out-b.err" "black-holed first gateway: the programs failed"
check_programs "$SG_TMP/out-b" "$LOG" 1080
grep -q "cannot reach the gateway 203.0.113.7:1080: Connection timed out" "$LOG" ||
	pl_fail_with "$LOG" "the warning does not say the connection timed out"
mapfile -t t < <(sed -n 's/^\(curl\|py\)_connect=\([0-9.]*\)$/\2/p' "$SG_TMP/out-b")
[ "${#t[@]}" = 3 ] || pl_fail_with "$SG_TMP/out-b" "want 3 connect times, got ${#t[@]}"
# The first program waited for the black hole once (look-up and
# connect together take at least the timeout); the next two skip it:
# far less than the timeout (a local connect takes milliseconds; half
# the timeout leaves a wide margin for a loaded host).
awk -v a="${t[0]}" -v b="${t[1]}" -v c="${t[2]}" -v ct="$CT" \
    'BEGIN { exit !(a >= ct - 0.5 && b < ct / 2 && c < ct / 2) }' ||
	pl_fail_with "$LOG" "connect times ${t[*]} s: want the first >= $CT - 0.5 s (the black hole), the others < $((CT / 2)) s"
sg_info "ok: first gateway black-holed: connect times ${t[*]} s (timeout $CT s), one warning"
sg_stop || sg_fail "sixgated did not stop"
exit 0
