#!/bin/bash
# t-netns-rfc3089.sh (root) - RFC 3089 figure 1 in network namespaces: an
# IPv4-only client c4, an IPv6-only client c6, the dual-stack gateway gw
# running sixgated, an IPv4-only destination d4 and an IPv6-only d6.  The
# destinations' names exist only in gw's /etc/hosts and gw does not
# forward, so the clients reach them only through the gateway:
#  1. the clients can neither resolve the names nor route to d4/d6;
#  2. sixgated in gw listens on the addresses facing c4 and c6;
#  3. types A-D with curl --socks5-hostname (checksummed 4 MiB download);
#  4. the Socks Lib: IPv4-only programs (curl -4, python AF_INET) on c6 and
#     IPv6-only programs (curl -6, python AF_INET6) on c4 reach both names
#     with fake addresses of their own family;
#  5. the access log names every destination (resolved at the gateway,
#     RFC 3089 section 3).
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
. "$top_srcdir/tests/integ/netns.sh"
. "$top_srcdir/tests/integ/preload.sh"
ns_check
sg_init
sg_need curl sha256sum getent sysctl
T0=$(sg_now_ms)
pl_module_only
WRAP=$PL_WRAPPER
MODULE=$PL_MODULE
PYBIN=$("$SG_PY" -c 'import sys; print(sys.executable)') ||
	sg_error "cannot find the python executable"

ns_init
ns_rfc3089
sg_info "namespaces: $NS_C4 $NS_C6 $NS_GW $NS_D4 $NS_D6"

# Payloads and the destinations' servers (HTTP + echo on d4 and d6).
mkdir -p "$SG_TMP/www"
head -c $((4 << 20)) /dev/urandom > "$SG_TMP/www/blob"
head -c $((3 << 20)) /dev/urandom > "$SG_TMP/echo.bin"
BLOB=$(sg_sha "$SG_TMP/www/blob")
BLOB_SIZE=$(stat -c %s "$SG_TMP/www/blob")
ECHO_SHA=$(sg_sha "$SG_TMP/echo.bin")
ECHO_SIZE=$(stat -c %s "$SG_TMP/echo.bin")
ns_server HTTP4 "$NS_D4" http --bind "$NS_D4_ADDR" --dir "$SG_TMP/www"
ns_server ECHO4 "$NS_D4" echo --bind "$NS_D4_ADDR"
ns_server HTTP6 "$NS_D6" http --bind "$NS_D6_ADDR" --dir "$SG_TMP/www"
ns_server ECHO6 "$NS_D6" echo --bind "$NS_D6_ADDR"

ns_curl() {	# NS CURL-ARGS...
	local ns=$1
	shift
	timeout 40 ip netns exec "$ns" curl -q -sS --max-time 30 \
	    --connect-timeout 5 "$@"
}

# get NS OUT CURL-ARGS... URL: fetch the blob, compare its checksum.
get() {
	local ns=$1 out=$2
	shift 2
	rm -f "$out"
	ns_curl "$ns" -o "$out" "$@" > "$out.w" 2> "$out.err" || {
		cat "$out.err" >&2
		sg_fail "curl in $ns $* failed"
	}
	[ "$(sg_sha "$out")" = "$BLOB" ] || sg_fail "curl in $ns $*: content differs"
}

# ------------------------------------------------ 1. no way without gw
ns_exec "$NS_C4" ip -6 addr show | grep -q inet6 &&
	sg_error "c4 has IPv6 addresses"
ns_exec "$NS_C6" ip -4 addr show scope global | grep -q inet &&
	sg_error "c6 has a global IPv4 address"
[ -z "$(ns_exec "$NS_C6" ip -4 route show)" ] || sg_error "c6 has IPv4 routes"
for k in net.ipv4.ip_forward net.ipv6.conf.all.forwarding; do
	[ "$(ns_exec "$NS_GW" sysctl -n $k)" = 0 ] || sg_error "gw: $k is not 0"
done
# Controls: gw resolves both names and reaches both servers directly.
[ "$(ns_exec "$NS_GW" getent ahostsv4 "$NS_WEB4" | awk 'NR==1{print $1}')" = "$NS_D4_ADDR" ] ||
	sg_error "gw does not resolve $NS_WEB4 to $NS_D4_ADDR"
ns_exec "$NS_GW" getent ahosts "$NS_WEB6" | grep -qF "$NS_D6_ADDR" ||
	sg_error "gw does not resolve $NS_WEB6 to $NS_D6_ADDR"
get "$NS_GW" "$SG_TMP/gw4" "http://$NS_WEB4:$HTTP4/blob"
get "$NS_GW" "$SG_TMP/gw6" "http://$NS_WEB6:$HTTP6/blob"
for ns in "$NS_C4" "$NS_C6"; do
	for name in "$NS_WEB4" "$NS_WEB6"; do
		ns_exec "$ns" getent hosts "$name" &&
			sg_fail "$name resolves in client namespace $ns"
	done
	for url in "http://$NS_D4_ADDR:$HTTP4/blob" "http://[$NS_D6_ADDR]:$HTTP6/blob"; do
		ns_curl "$ns" --connect-timeout 3 --max-time 5 -o /dev/null "$url" \
		    2>/dev/null && sg_fail "$url reachable directly from $ns"
	done
	for a in "$NS_D4_ADDR" "$NS_D6_ADDR"; do
		ns_exec "$ns" ip route get "$a" >/dev/null 2>&1 &&
			sg_fail "$ns has a route to $a"
	done
done
sg_info "ok: clients cannot resolve the names nor reach d4/d6 (gw can)"

# ------------------------------------------------ 2. sixgated in gw
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
    to = [ \"198.51.100.0/24\", \"2001:db8:d6::/64\" ]; commands = [ \"connect\" ]; }"
sg_start
grep -qF "listening on $NS_GW_C4:1080" "$SG_LOG" &&
	grep -qF "listening on [$NS_GW_C6]:1080" "$SG_LOG" ||
	sg_fail "sixgated does not listen on $NS_GW_C4:1080 and [$NS_GW_C6]:1080"
P4="$NS_GW_C4:1080"
P6="[$NS_GW_C6]:1080"

# ------------------------------------------------ 3. types A-D
type_run() {	# TYPE NS PROXY USER:PW NAME PORT
	get "$2" "$SG_TMP/type$1" --socks5-hostname "$3" --proxy-user "$4" \
	    "http://$5:$6/blob"
	sg_info "ok: type $1: $2 via $3 to $5:$6"
}
type_run C "$NS_C6" "$P6" "alice:$PW_A" "$NS_WEB4" "$HTTP4"
type_run B "$NS_C4" "$P4" "bob:$PW_B" "$NS_WEB6" "$HTTP6"
type_run D "$NS_C6" "$P6" "alice:$PW_A" "$NS_WEB6" "$HTTP6"
type_run A "$NS_C4" "$P4" "bob:$PW_B" "$NS_WEB4" "$HTTP4"

# ------------------------------------------------ 4. the Socks Lib
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

lib_fail() {	# ROLE MESSAGE
	[ -f "$SG_TMP/lib-$1.log" ] && { echo "--- lib-$1.log ---" >&2; tail -n 30 "$SG_TMP/lib-$1.log" >&2; }
	sg_fail "$2"
}

socksified() {	# ROLE NS PROGRAM ARGS...
	local role=$1 ns=$2
	shift 2
	timeout 60 ip netns exec "$ns" env XDG_RUNTIME_DIR="$SG_TMP/run-$role" \
	    SIXGATE_MODULE="$MODULE" "$WRAP" -f "$SG_TMP/client-$role.conf" -- "$@"
}

# The program runs unmodified: only its own family, no proxy options.
lib_curl() {	# ROLE NS -4|-6 NAME PORT FAKE-REGEX
	local out=$SG_TMP/lib-$1-$4 ip
	rm -f "$out"
	socksified "$1" "$2" curl -q -sS "$3" --max-time 30 -o "$out" \
	    -w '%{remote_ip}\n' "http://$4:$5/blob" > "$out.w" 2> "$out.err" || {
		cat "$out.err" >&2
		lib_fail "$1" "socksified curl $3 on $1 to $4:$5 failed"
	}
	[ "$(sg_sha "$out")" = "$BLOB" ] ||
		lib_fail "$1" "socksified curl $3 on $1 to $4: content differs"
	ip=$(cat "$out.w")
	[[ $ip =~ $6 ]] ||
		lib_fail "$1" "curl $3 on $1 connected to $ip, not a fake address"
	sg_info "ok: curl $3 on $1 under sixgate reached $4 (fake $ip)"
}
FAKE4='^240\.([0-9]|1[0-5])\.[0-9]+\.[0-9]+$'	# 240.0.0.0/12
FAKE6='^100::[0-9a-f:]*$'			# 100::/64
lib_curl c6 "$NS_C6" -4 "$NS_WEB4" "$HTTP4" "$FAKE4"
lib_curl c6 "$NS_C6" -4 "$NS_WEB6" "$HTTP6" "$FAKE4"
lib_curl c4 "$NS_C4" -6 "$NS_WEB4" "$HTTP4" "$FAKE6"
lib_curl c4 "$NS_C4" -6 "$NS_WEB6" "$HTTP6" "$FAKE6"
# Without the wrapper the same program gets nowhere (control).
ns_curl "$NS_C6" -4 --connect-timeout 3 --max-time 5 -o /dev/null \
    "http://$NS_WEB4:$HTTP4/blob" 2>/dev/null &&
	sg_fail "curl -4 on c6 reached $NS_WEB4 without the Socks Lib"

# Python, by name, one address family, echo with a checksum.
cat > "$SG_TMP/echo_by_name.py" <<'EOF'
import hashlib, socket, sys, threading
fam = {"4": socket.AF_INET, "6": socket.AF_INET6}[sys.argv[1]]
data = open(sys.argv[2], "rb").read()
for target in sys.argv[3:]:
    name, port = target.rsplit(":", 1)
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(30)
    s.connect((name, int(port)))
    peer = s.getpeername()[0]
    errs = []
    def send():
        try:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
        except OSError as e:
            errs.append(e)
    t = threading.Thread(target=send)
    t.start()
    h, n = hashlib.sha256(), 0
    while True:
        b = s.recv(1 << 20)
        if not b:
            break
        h.update(b)
        n += len(b)
    t.join()
    s.close()
    print("target=%s peer=%s errors=%d bytes=%d sha256=%s"
          % (target, peer, len(errs), n, h.hexdigest()), flush=True)
EOF
lib_py() {	# ROLE NS 4|6 FAKE-REGEX
	local out=$SG_TMP/py-$1 t line peer af=AF_INET${3#4}
	socksified "$1" "$2" "$PYBIN" "$SG_TMP/echo_by_name.py" "$3" \
	    "$SG_TMP/echo.bin" "$NS_WEB4:$ECHO4" "$NS_WEB6:$ECHO6" \
	    > "$out" 2>&1 || { cat "$out" >&2; lib_fail "$1" "python $af on $1 failed"; }
	for t in "$NS_WEB4:$ECHO4" "$NS_WEB6:$ECHO6"; do
		line=$(grep -F "target=$t " "$out") ||
			{ cat "$out" >&2; lib_fail "$1" "python on $1: no result for $t"; }
		case $line in
		*" errors=0 bytes=$ECHO_SIZE sha256=$ECHO_SHA"*) ;;
		*) lib_fail "$1" "python $af on $1 to $t: $line (want $ECHO_SIZE $ECHO_SHA)" ;;
		esac
		peer=${line#* peer=}
		peer=${peer%% *}
		[[ $peer =~ $4 ]] ||
			lib_fail "$1" "python on $1: peer of $t is $peer, not a fake address"
		sg_info "ok: python $af on $1 echoed through $t (peer $peer)"
	done
}
lib_py c6 "$NS_C6" 4 "$FAKE4"
lib_py c4 "$NS_C4" 6 "$FAKE6"

# ------------------------------------------------ 5. the access log
sg_log_wait "access" 15 12 || sg_fail "expected 12 access lines"
access() {	# COUNT CLIENT USER NAME PORT ADDR
	local n
	n=$(grep -F " access " "$SG_LOG" | grep -F "$2" | grep -F "user=$3 " |
	    grep -F "dest=$4:$5 " | grep -F "addr=$6:$5 " | grep -cF "rep=0x00")
	[ "$n" -eq "$1" ] ||
		sg_fail "expected $1 access lines for $2 user=$3 dest=$4:$5 addr=$6:$5, got $n"
}
C4="$NS_C4_ADDR:"
C6="[$NS_C6_ADDR]:"
access 2 "$C6" alice "$NS_WEB4" "$HTTP4" "$NS_D4_ADDR"		# type C
access 2 "$C4" bob "$NS_WEB6" "$HTTP6" "[$NS_D6_ADDR]"		# type B
access 2 "$C6" alice "$NS_WEB6" "$HTTP6" "[$NS_D6_ADDR]"	# type D
access 2 "$C4" bob "$NS_WEB4" "$HTTP4" "$NS_D4_ADDR"		# type A
access 1 "$C6" alice "$NS_WEB4" "$ECHO4" "$NS_D4_ADDR"
access 1 "$C6" alice "$NS_WEB6" "$ECHO6" "[$NS_D6_ADDR]"
access 1 "$C4" bob "$NS_WEB4" "$ECHO4" "$NS_D4_ADDR"
access 1 "$C4" bob "$NS_WEB6" "$ECHO6" "[$NS_D6_ADDR]"
# Every request carried a name, none an address the client resolved.
n=$(grep -F " access " "$SG_LOG" | grep -cvE "dest=web[46]\.rfc3089\.test:[0-9]+ ")
[ "$n" -eq 0 ] || sg_fail "$n access lines without a name as dest="
# Byte counts: each download at least the blob, each echo exactly both ways.
while read -r down; do
	[ "$down" -ge "$BLOB_SIZE" ] || sg_fail "an HTTP session carried down=$down < $BLOB_SIZE"
done < <(grep -F " access " "$SG_LOG" | grep -E "dest=[^ ]*:($HTTP4|$HTTP6) " |
	sed -n 's/.* down=\([0-9][0-9]*\).*/\1/p')
n=$(grep -F " access " "$SG_LOG" | grep -E "dest=[^ ]*:($ECHO4|$ECHO6) " |
	grep -F "up=$ECHO_SIZE " | grep -cF "down=$ECHO_SIZE ")
[ "$n" -eq 4 ] || sg_fail "expected 4 echo sessions with up=down=$ECHO_SIZE, got $n"
sg_info "ok: the access log names every destination (resolved at the gateway)"

sg_stop || sg_fail "sixgated did not stop on SIGTERM"
[ "$SG_RC" = 0 ] || sg_fail "sixgated exited with $SG_RC after SIGTERM"
sg_info "done in $(( $(sg_now_ms) - T0 )) ms"
exit 0
