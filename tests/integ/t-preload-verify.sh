#!/bin/bash
# t-preload-verify.sh - look-up time name verification by the Socks Lib
# (verify_names, RFC 3089 section 3): before handing out a fake, one
# RESOLVE (CMD 0xF0) asks the gateway whether the name exists.
#   - an unknown name fails at look-up time as without the library:
#     getent hosts exits 2, curl "Could not resolve host" (exit 6),
#     python socket.gaierror; a known one gets its fake and works;
#   - answers are cached in the session's shared table: a second look-up
#     in another process of the same `sixgate` invocation sends no RESOLVE;
#     verify_negative_ttl = 1 makes a new one after 2 s;
#   - a name the rules refuse: a fake all the same, the real address
#     never reaches the program (RESOLVE 0x02), connect() says EACCES;
#   - gateway down: a fake (verify_unreachable = fake, the default), or
#     the look-up fails (verify_unreachable = fail: getent 2, EAI_AGAIN);
#   - against Dante (no RESOLVE: 0x07) the first look-up learns it and
#     the later ones in the session do not ask again; names still work.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
. "$top_srcdir/tests/integ/preload.sh"
sg_init
sg_need curl getent awk
pl_init
pl_hosts "127.0.0.3 secret.sgtest"
pl_unresolvable web4.sgtest dual.sgtest secret.sgtest nonexistent.sgtest \
    other.sgtest
# As without the library: an unknown name makes getent exit 2.
rc=0
timeout 30 getent hosts nonexistent.sgtest > /dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || sg_error "getent hosts nonexistent.sgtest without the library: exit $rc, want 2"

pl_gateway rules="{ name = \"secret\"; action = \"deny\"; users = [ \"$PL_USER\" ]; to = [ \"127.0.0.3/32\" ]; },
  { name = \"all\"; action = \"allow\"; users = [ \"*\" ]; }"
pl_client_conf
mkdir -p "$SG_TMP/www"
echo "verified $$" > "$SG_TMP/www/index.html"
pl_server WEB4 http --bind 127.0.0.1 --dir "$SG_TMP/www"
sg_server ECHO4 echo --bind 127.0.0.1

# rcount NAME: the gateway's cmd=resolve access lines for NAME.
rcount() {
	grep -cE "access .*cmd=resolve dest=${1//./\\.}:[046] " "$SG_LOG"
}
# rwait NAME COUNT: until there are COUNT, then make sure no more come.
rwait() {
	pl_log_wait_re "access .*cmd=resolve dest=${1//./\\.}:[046] " 10 "$2" ||
		sg_fail "expected $2 cmd=resolve access lines for $1, got $(rcount "$1")"
	sleep 0.3
	[ "$(rcount "$1")" = "$2" ] ||
		sg_fail "expected $2 cmd=resolve access lines for $1, got $(rcount "$1")"
}
# $PYGAI NAME FAMILY(0|4|6): socket.getaddrinfo, one line of output.
PYGAI=$SG_TMP/pygai
cat > "$PYGAI.py" <<'PY'
import socket, sys
f = {"0": socket.AF_UNSPEC, "4": socket.AF_INET, "6": socket.AF_INET6}[sys.argv[2]]
try:
    r = socket.getaddrinfo(sys.argv[1], 80, f, socket.SOCK_STREAM)
    print("ok " + " ".join(x[4][0] for x in r))
except socket.gaierror as e:
    print("gaierror errno=%d %s" % (e.errno, e.strerror))
PY
printf '#!/bin/sh\nexec %s %s "$@"\n' "$SG_PY" "$PYGAI.py" > "$PYGAI" &&
	chmod 0755 "$PYGAI" || sg_error "cannot write $PYGAI"
export PYGAI

# --- an unknown name, three programs ---------------------------------
rc=0
pl_run getent hosts nonexistent.sgtest > "$SG_TMP/g1" 2>&1 || rc=$?
[ "$rc" = 2 ] || pl_fail_with "$SG_TMP/g1" "getent hosts nonexistent.sgtest under sixgate: exit $rc, want 2"
[ -s "$SG_TMP/g1" ] && pl_fail_with "$SG_TMP/g1" "getent printed an address for nonexistent.sgtest"
rwait nonexistent.sgtest 1
grep -E "cmd=resolve dest=nonexistent\\.sgtest:" "$SG_LOG" | grep -qF "rep=0x04" ||
	sg_fail "the RESOLVE for nonexistent.sgtest was not answered 0x04"
sg_info "ok: getent hosts nonexistent.sgtest exits 2"

rc=0
pl_curl "http://nonexistent.sgtest:$WEB4/" > /dev/null 2> "$SG_TMP/curl.err" || rc=$?
[ "$rc" = 6 ] || pl_fail_with "$SG_TMP/curl.err" "curl nonexistent.sgtest: exit $rc, want 6"
grep -qi "could not resolve host" "$SG_TMP/curl.err" ||
	pl_fail_with "$SG_TMP/curl.err" "curl nonexistent.sgtest: no \"Could not resolve host\""
rwait nonexistent.sgtest 2
sg_info "ok: curl: Could not resolve host"

for f in 0 4 6; do
	pl_run "$PYGAI" nonexistent.sgtest $f > "$SG_TMP/py$f" 2>&1 ||
		pl_fail_with "$SG_TMP/py$f" "python under sixgate failed"
	sg_expect "$SG_TMP/py$f" "gaierror errno=-2 "	# EAI_NONAME
done
sg_info "ok: python socket.getaddrinfo: gaierror EAI_NONAME (families 0, 4, 6)"
grep -F "dest=nonexistent.sgtest:" "$SG_LOG" | grep -qvF "cmd=resolve" &&
	sg_fail "a CONNECT for nonexistent.sgtest reached the gateway"

# --- an existing name, end to end -------------------------------------
rm -f "$SG_TMP/body"
pl_curl -o "$SG_TMP/body" "http://web4.sgtest:$WEB4/" 2> "$SG_TMP/curl.err" ||
	pl_fail_with "$SG_TMP/curl.err" "curl http://web4.sgtest:$WEB4/ failed"
cmp -s "$SG_TMP/body" "$SG_TMP/www/index.html" || sg_fail "curl web4.sgtest: wrong content"
sg_log_wait "cmd=connect dest=web4.sgtest:$WEB4" 10 || sg_fail "no CONNECT access line for web4.sgtest"
grep -E "cmd=resolve dest=web4\\.sgtest:" "$SG_LOG" | grep -qF "rep=0x00" ||
	sg_fail "no RESOLVE rep=0x00 for web4.sgtest"
out=$(pl_run getent hosts web4.sgtest) || sg_fail "getent hosts web4.sgtest under sixgate failed"
a=${out%% *}
pl_fake4 "$a" || pl_fake6 "$a" || sg_fail "getent hosts web4.sgtest: '$out' is not a fake"
sg_info "ok: an existing name: fake $a, curl works"

# --- the cache: one RESOLVE per name per invocation, any process ------
n_web=$(rcount dual.sgtest)
n_no=$(rcount other.sgtest)
pl_run sh -c '
getent hosts dual.sgtest; echo "rc1=$?"
getent ahostsv4 dual.sgtest > /dev/null; echo "rc2=$?"
"$PYGAI" dual.sgtest 0; "$PYGAI" dual.sgtest 4; "$PYGAI" dual.sgtest 6
getent hosts other.sgtest; echo "rc3=$?"
sleep 2
getent hosts other.sgtest; echo "rc4=$?"
"$PYGAI" other.sgtest 0
curl -q -sS --max-time 30 --connect-timeout 10 -o /dev/null "http://other.sgtest:'"$WEB4"'/" 2>&1; echo "rc5=$?"
curl -q -sS --max-time 30 --connect-timeout 10 "http://dual.sgtest:'"$WEB4"'/"; echo "rc6=$?"
' > "$SG_TMP/cache" 2>&1
sg_expect "$SG_TMP/cache" "rc1=0" "rc2=0" "rc3=2" "rc4=2" "rc5=6" "verified $$" "rc6=0" \
    "gaierror errno=-2 "
[ "$(grep -c "^ok " "$SG_TMP/cache")" = 3 ] ||
	pl_fail_with "$SG_TMP/cache" "python: dual.sgtest not resolved 3 times"
grep "^ok " "$SG_TMP/cache" | tr ' ' '\n' | grep -v '^ok$' | while read -r a; do
	pl_fake4 "$a" || pl_fake6 "$a" || echo "notfake $a"
done | grep -q notfake && pl_fail_with "$SG_TMP/cache" "python got a real address for dual.sgtest"
rwait dual.sgtest $((n_web + 1))
rwait other.sgtest $((n_no + 1))
sg_info "ok: one RESOLVE per name for 6 (resp. 4) look-ups in 5 processes, 2 s apart"

# --- verify_negative_ttl = 1: asked again after 2 s --------------------
pl_client_conf file="$SG_TMP/nttl.conf" extra='verify_negative_ttl = 1;'
n_no=$(rcount other.sgtest)
n_web=$(rcount web4.sgtest)
pl_run -c "$SG_TMP/nttl.conf" sh -c '
getent hosts other.sgtest; echo "rc1=$?"
getent hosts other.sgtest; echo "rc2=$?"
getent hosts web4.sgtest > /dev/null; echo "rc5=$?"
sleep 2
getent hosts other.sgtest; echo "rc3=$?"
getent hosts other.sgtest; echo "rc4=$?"
getent hosts web4.sgtest > /dev/null; echo "rc6=$?"
' > "$SG_TMP/nttl" 2>&1
sg_expect "$SG_TMP/nttl" "rc1=2" "rc2=2" "rc3=2" "rc4=2" "rc5=0" "rc6=0"
rwait other.sgtest $((n_no + 2))
rwait web4.sgtest $((n_web + 1))
sg_info "ok: verify_negative_ttl = 1: a new RESOLVE after 2 s (positive answer still cached)"

# --- a destination the rules refuse: nothing learnt --------------------
pl_run sh -c '
getent hosts secret.sgtest; echo "rc1=$?"
getent ahostsv4 secret.sgtest; echo "rc2=$?"
"$PYGAI" secret.sgtest 0; "$PYGAI" secret.sgtest 4
'"$SG_PY"' '"$SG_INTEG"'/pltool.py connect secret.sgtest '"$ECHO4"'
' > "$SG_TMP/secret" 2>&1
sg_expect "$SG_TMP/secret" "rc1=0" "rc2=0" "errno=EACCES"
[ "$(grep -c "^ok " "$SG_TMP/secret")" = 2 ] ||
	pl_fail_with "$SG_TMP/secret" "python: secret.sgtest not given fakes"
grep -qF "127.0.0.3" "$SG_TMP/secret" &&
	pl_fail_with "$SG_TMP/secret" "the program saw the real address of secret.sgtest"
for a in $(awk '$1 != "ok" && $1 ~ /^[0-9a-f:.]+$/ { print $1 }' "$SG_TMP/secret") \
    $(grep "^ok " "$SG_TMP/secret" | cut -d' ' -f2-); do
	pl_fake4 "$a" || pl_fake6 "$a" ||
		pl_fail_with "$SG_TMP/secret" "secret.sgtest: $a is not a fake"
done
pl_log_wait_re "access user=$PL_USER cmd=resolve dest=secret\\.sgtest:[046] .*rep=0x02" 10 ||
	sg_fail "no cmd=resolve rep=0x02 access line for secret.sgtest"
grep -E "cmd=resolve dest=secret\\.sgtest:" "$SG_LOG" | grep -vqF "rep=0x02" &&
	sg_fail "a RESOLVE for secret.sgtest was not refused"
grep -E "cmd=resolve dest=secret\\.sgtest:" "$SG_LOG" | grep -qF "127.0.0.3" &&
	sg_fail "a RESOLVE answer for secret.sgtest carried its address"
pl_log_wait_re "access user=$PL_USER cmd=connect dest=secret\\.sgtest:$ECHO4 .*rep=0x02" 10 ||
	sg_fail "no cmd=connect rep=0x02 access line for secret.sgtest"
sg_info "ok: refused destination: only fakes, RESOLVE 0x02, connect EACCES"

# --- the gateway is down ----------------------------------------------
DOWN=$(pl_freeport)
pl_client_conf file="$SG_TMP/down.conf" gateway="127.0.0.1:$DOWN"
out=$(pl_run -c "$SG_TMP/down.conf" getent hosts web4.sgtest 2>&1) ||
	sg_fail "gateway down, verify_unreachable = fake: getent failed ($out)"
a=${out%% *}
pl_fake4 "$a" || pl_fake6 "$a" || sg_fail "gateway down: getent gave '$out', want a fake"
pl_run -c "$SG_TMP/down.conf" "$PYGAI" web4.sgtest 4 > "$SG_TMP/down-py" 2>&1
grep -q "^ok 24[0-9]\." "$SG_TMP/down-py" ||
	pl_fail_with "$SG_TMP/down-py" "gateway down: python did not get a fake"
sg_info "ok: gateway down, verify_unreachable = fake: a fake ($a)"

pl_client_conf file="$SG_TMP/downfail.conf" gateway="127.0.0.1:$DOWN" \
    extra='verify_unreachable = "fail";'
rc=0
pl_run -c "$SG_TMP/downfail.conf" getent hosts web4.sgtest > "$SG_TMP/df" 2>&1 || rc=$?
[ "$rc" = 2 ] || pl_fail_with "$SG_TMP/df" "gateway down, verify_unreachable = fail: getent exit $rc, want 2"
pl_run -c "$SG_TMP/downfail.conf" sh -c '"$PYGAI" web4.sgtest 0; "$PYGAI" web4.sgtest 4' \
    > "$SG_TMP/df-py" 2>&1
[ "$(grep -c "gaierror errno=-3 " "$SG_TMP/df-py")" = 2 ] ||	# EAI_AGAIN
	pl_fail_with "$SG_TMP/df-py" "gateway down, verify_unreachable = fail: want gaierror EAI_AGAIN (-3)"
# The variable does the same as the key.
rc=0
SIXGATE_VERIFY_UNREACHABLE=fail pl_run -c "$SG_TMP/down.conf" getent hosts web4.sgtest \
    > "$SG_TMP/df2" 2>&1 || rc=$?
[ "$rc" = 2 ] || pl_fail_with "$SG_TMP/df2" "SIXGATE_VERIFY_UNREACHABLE=fail: getent exit $rc, want 2"
sg_info "ok: gateway down, verify_unreachable = fail: getent 2, EAI_AGAIN"

# --- Dante: no RESOLVE, learnt once per session -----------------------
# Without danted the Dante part cannot run: the whole test is a SKIP
# (77, HACKING.md), even though the parts above ran and passed.
sg_find_danted ||
	sg_skip "danted (dante-server) not installed (the parts without Dante passed)"
# Dante logs each client connection (client pass, log: connect).  In a
# user namespace (pl_hosts fell back to unshare -r) only root is mapped.
userns=
case " ${PL_NS[*]} " in
*" -rm "*) userns=1 ;;
esac
sg_danted nsexec="$PL_NSEXEC" user=sgverify client_log="connect error" userns=$userns
method=$DMETHOD
pl_client_conf file="$SG_TMP/dante.conf" gateway="127.0.0.1:$DPORT" \
    user="$DUSER" password="$DPASS" extra='log = 2;'
export SIXGATE_LOG_FILE=$SG_TMP/lib.log

# Dante logs each client connection (client pass, log: connect) and
# names the command it does not know (0xF0 = 240).
dres() { grep -c "unknown socks_v5 command: 240" "$DLOG"; }
dconn() { grep -c "tcp/connect \[: .*-> 127\.0\.0\.1\.[0-9]* 127\.0\.0\.1\.$WEB4\$" "$DLOG"; }
sleep 0.3
r0=$(dres)
c0=$(dconn)
: > "$SG_TMP/lib.log"
pl_run -c "$SG_TMP/dante.conf" sh -c '
getent hosts web4.sgtest; echo "rc1=$?"
getent hosts dual.sgtest; echo "rc2=$?"
getent hosts nonexistent.sgtest; echo "rc3=$?"
curl -q -sS --max-time 30 --connect-timeout 10 "http://web4.sgtest:'"$WEB4"'/"; echo "rc4=$?"
curl -q -sS --max-time 30 --connect-timeout 10 "http://dual.sgtest:'"$WEB4"'/"; echo "rc5=$?"
' > "$SG_TMP/dante" 2>&1
# No verification against Dante: every name gets a fake (even one
# Dante cannot resolve), and connections work.
sg_expect "$SG_TMP/dante" "rc1=0" "rc2=0" "rc3=0" "rc4=0" "rc5=0" "verified $$"
for a in $(awk '$1 ~ /^[0-9a-f:.]+$/ && NF >= 2 { print $1 }' "$SG_TMP/dante"); do
	pl_fake4 "$a" || pl_fake6 "$a" || pl_fail_with "$SG_TMP/dante" "through Dante: $a is not a fake"
done
sg_info "ok: Dante: names get fakes, connections work"
# One RESOLVE for the whole session (5 look-ups in 5 processes), the
# two CONNECTs.
end=$(( $(sg_now_ms) + 10000 ))
while [ $(( $(dconn) - c0 )) -lt 2 ] && [ "$(sg_now_ms)" -lt "$end" ]; do
	sleep 0.05
done
sleep 0.3
[ $(( $(dconn) - c0 )) = 2 ] ||
	pl_fail_with "$DLOG" "Dante logged $(( $(dconn) - c0 )) CONNECTs to port $WEB4, want 2"
[ $(( $(dres) - r0 )) = 1 ] || {
	echo "--- $SG_TMP/lib.log ---" >&2
	cat "$SG_TMP/lib.log" >&2
	pl_fail_with "$DLOG" "Dante was sent $(( $(dres) - r0 )) RESOLVE requests in one session, want 1 (the first look-up should learn that it is not supported)"
}
sg_info "ok: Dante: asked once per session"

# Dante is reachable: verify_unreachable = fail must not turn its
# "not supported" into failed look-ups.
pl_client_conf file="$SG_TMP/dante-fail.conf" gateway="127.0.0.1:$DPORT" \
    user="$DUSER" password="$DPASS" extra='verify_unreachable = "fail";'
pl_run -c "$SG_TMP/dante-fail.conf" sh -c '
getent hosts web4.sgtest; echo "rc1=$?"
curl -q -sS --max-time 30 --connect-timeout 10 "http://web4.sgtest:'"$WEB4"'/"; echo "rc2=$?"
' > "$SG_TMP/dante-fail" 2>&1
sg_expect "$SG_TMP/dante-fail" "rc1=0" "rc2=0" "verified $$"
sg_info "ok: Dante with verify_unreachable = fail: names still work"
exit 0
