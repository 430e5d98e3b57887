#!/bin/bash
# t-preload-errors.sh - each failure reaches the program as its own errno:
#   destination refuses        -> ECONNREFUSED (curl: exit 7, rep 0x05)
#   the gateway's rules refuse -> EACCES (python: PermissionError)
#   name unknown at the gateway-> at look-up time: socket.gaierror
#                                 (EAI_NONAME); with verify_names off, at
#                                 connect time: EHOSTUNREACH ("No route
#                                 to host", rep 0x04)
#   gateway down               -> ECONNREFUSED
#   wrong password             -> EACCES
# and the library without any configuration passes everything through.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
. "$top_srcdir/tests/integ/preload.sh"
sg_init
sg_need curl getent
pl_init
pl_hosts
pl_unresolvable web4.sgtest nowhere.sgtest
sg_server ECHO4 echo --bind 127.0.0.1
sg_server DENIED echo --bind 127.0.0.1
pl_gateway rules="{ name = \"no-$DENIED\"; action = \"deny\"; ports = [ $DENIED ]; },
  { name = \"all\"; action = \"allow\"; users = [ \"*\" ]; }"
pl_client_conf

conn() {	# conn OUTFILE [-c CONF] NAME PORT: pltool connect under the wrapper
	local o=$1 c=()
	shift
	if [ "$1" = -c ]; then c=(-c "$2"); shift 2; fi
	pl_run "${c[@]}" "$SG_PY" "$SG_INTEG/pltool.py" connect "$@" \
	    > "$o" 2> "$o.err" || {
		cat "$o.err" >&2
		pl_fail_with "$o" "pltool connect $* under sixgate failed"
	}
}

# The working case first: same program, same gateway.
conn "$SG_TMP/ok" web4.sgtest "$ECHO4"
sg_expect "$SG_TMP/ok" "connected"

# Connection refused at the destination.
sg_refuser REFUSED
rc=0
pl_curl -o /dev/null "http://web4.sgtest:$REFUSED/" 2> "$SG_TMP/curl.err" || rc=$?
[ "$rc" = 7 ] ||
	pl_fail_with "$SG_TMP/curl.err" "curl to a closed port: exit $rc, want 7"
grep -qi "couldn't connect" "$SG_TMP/curl.err" ||
	pl_fail_with "$SG_TMP/curl.err" "curl to a closed port: no \"Couldn't connect\""
sg_log_wait "dest=web4.sgtest:$REFUSED" 10 || sg_fail "no access line for port $REFUSED"
grep -F "dest=web4.sgtest:$REFUSED" "$SG_LOG" | grep -qF "rep=0x05" ||
	sg_fail "access line for web4.sgtest:$REFUSED without rep=0x05"
conn "$SG_TMP/refused" web4.sgtest "$REFUSED"
sg_expect "$SG_TMP/refused" "errno=ECONNREFUSED"
sg_info "ok: refused at the destination: curl exit 7, ECONNREFUSED, rep=0x05"

# Refused by a rule of the gateway.
conn "$SG_TMP/rule" web4.sgtest "$DENIED"
sg_expect "$SG_TMP/rule" "errno=EACCES" "PermissionError"
sg_log_wait "denied by rule 1" 10 || sg_fail "no 'denied by rule 1' in the log"
sg_info "ok: rule refusal: PermissionError (EACCES)"

# A name the gateway cannot resolve: the look-up fails (RESOLVE 0x04).
conn "$SG_TMP/unknown-lookup" nowhere.sgtest "$ECHO4"
sg_expect "$SG_TMP/unknown-lookup" "gaierror="
grep -qE "gaierror=\[Errno -2\]|Name or service not known" "$SG_TMP/unknown-lookup" ||
	pl_fail_with "$SG_TMP/unknown-lookup" "unknown name: gaierror is not EAI_NONAME"
pl_log_wait_re "access .*cmd=resolve dest=nowhere\\.sgtest:[046] .*rep=0x04" 10 ||
	sg_fail "no access line cmd=resolve dest=nowhere.sgtest rep=0x04"
grep -F "dest=nowhere.sgtest:$ECHO4" "$SG_LOG" &&
	sg_fail "a CONNECT for nowhere.sgtest reached the gateway"
sg_info "ok: unknown name: gaierror (EAI_NONAME) at look-up time"

# ... and with verify_names off, at connect time.
SIXGATE_VERIFY_NAMES=off conn "$SG_TMP/unknown" nowhere.sgtest "$ECHO4"
sg_expect "$SG_TMP/unknown" "errno=EHOSTUNREACH" "No route to host"
sg_log_wait "dest=nowhere.sgtest:$ECHO4" 10 || sg_fail "no access line for nowhere.sgtest"
grep -F "dest=nowhere.sgtest:$ECHO4" "$SG_LOG" | grep -qF "rep=0x04" ||
	sg_fail "access line for nowhere.sgtest without rep=0x04"
sg_info "ok: unknown name, verify_names off: EHOSTUNREACH (No route to host)"

# Wrong password.
pl_client_conf file="$SG_TMP/bad.conf" password=not-the-password
conn "$SG_TMP/badpw" -c "$SG_TMP/bad.conf" web4.sgtest "$ECHO4"
sg_expect "$SG_TMP/badpw" "errno=EACCES"
sg_log_wait "authentication failed" 10 || sg_fail "no 'authentication failed' in the log"
grep -qF "not-the-password" "$SG_LOG" && sg_fail "the password appears in the gateway log"
sg_info "ok: wrong password: EACCES"

# The gateway is down (nothing listens at its address).
sg_refuser DOWN
pl_client_conf file="$SG_TMP/down.conf" gateway="127.0.0.1:$DOWN"
conn "$SG_TMP/down" -c "$SG_TMP/down.conf" web4.sgtest "$ECHO4"
sg_expect "$SG_TMP/down" "errno=ECONNREFUSED"
sg_info "ok: gateway down: ECONNREFUSED"

# The errnos are distinct where the causes are.
for f in refused rule unknown; do
	sed -n 's/^errno=\([A-Z]*\).*/\1/p' "$SG_TMP/$f"
done | sort | uniq -d | grep -q . &&
	sg_fail "refused / rule / unknown name gave the same errno"

# No configuration at all: the module preloaded by hand, no SIXGATE_*.
unset SIXGATE_MODULE
mkdir -p "$SG_TMP/www"
echo "plain $$" > "$SG_TMP/www/plain.txt"
sg_server WEB4 http --bind 127.0.0.1 --dir "$SG_TMP/www"
out=$(env LD_PRELOAD="$PL_MODULE" timeout 40 curl -q -sS --max-time 30 \
    "http://127.0.0.1:$WEB4/plain.txt" 2> "$SG_TMP/curl.err") || true
[ "$out" = "plain $$" ] ||
	pl_fail_with "$SG_TMP/curl.err" "curl with the bare module preloaded: got '$out'"
sg_info "ok: no configuration: curl http://127.0.0.1:$WEB4/ works"
# A name from the hosts file (the client sees the test hosts file in the
# namespace here): the real address, not a fake.
out=$(env LD_PRELOAD="$PL_MODULE" timeout 20 "$PL_NSEXEC" getent hosts web4.sgtest 2>&1) ||
	sg_fail "getent hosts web4.sgtest with the bare module, hosts file listing it: failed ($out)"
case $out in
127.0.0.1*web4.sgtest*) ;;
*) sg_fail "getent hosts web4.sgtest with the bare module: '$out', want 127.0.0.1" ;;
esac
out=$(env LD_PRELOAD="$PL_MODULE" timeout 20 "$PL_NSEXEC" getent ahostsv4 dual.sgtest 2>&1 | head -n 1)
case $out in
127.0.0.1*) ;;
*) sg_fail "getent ahostsv4 dual.sgtest with the bare module: '$out', want 127.0.0.1" ;;
esac
# ... and a name nobody knows stays unknown (no fake is made up).
if out=$(env LD_PRELOAD="$PL_MODULE" timeout 30 getent hosts web4.sgtest 2>&1); then
	sg_fail "the bare module resolved web4.sgtest: $out"
fi
sg_info "ok: no configuration: getent gives real addresses, no fakes"
exit 0
