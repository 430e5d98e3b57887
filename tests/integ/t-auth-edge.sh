#!/bin/bash
# t-auth-edge.sh - RFC 1929 edge cases: ULEN = 0, PLEN = 0 and a NUL byte
# in the password ("secret\0junk" when the password is "secret") each get
# status 0x01, then the gateway closes the connection; the NUL case does
# not log in (no request is served, no access line).  A raw client: the
# bytes are sent as they are.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
sg_init

sg_pamwrap edge 'secret'
sg_conf
sg_start
sg_server ECHO echo --bind 127.0.0.1

adm() {
	timeout 30 "$SG_PY" "$SG_INTEG/admtool.py" req --proxy "127.0.0.1:$SG_PORT4" \
	    --timeout 10 --close-wait 5 "$@"
}

case_() {	# NAME USER PASSWORD(python escapes)
	adm --user "$2" --password "$3" --cmd connect --dest "127.0.0.1:$ECHO" \
	    --data x > "$SG_TMP/$1" 2>&1
	sg_info "$1: $(cat "$SG_TMP/$1")"
	sg_expect "$SG_TMP/$1" "method=0x02" "auth=0x01" "closed=1"
	grep -q "rep=" "$SG_TMP/$1" && sg_fail "$1: a request was answered after a failed login"
	sg_alive "$SG_PID" || sg_fail "sixgated died after $1"
}

# The good password works (the test can tell a login from a refusal).
adm --user edge --password secret --cmd connect --dest "127.0.0.1:$ECHO" \
    --data ping > "$SG_TMP/good" 2>&1
sg_expect "$SG_TMP/good" "auth=0x00" "rep=0x00" "echo=ok"

case_ ulen0 '' secret
case_ plen0 edge ''
case_ nul edge 'secret\0junk'
# A NUL in the user name too ("edge\0x" is not "edge").
case_ nuluser 'edge\0x' secret

sg_log_wait "access user=edge" 5 1 || sg_fail "no access line for the good login"
[ "$(sg_log_count "access user=edge")" = 1 ] ||
	sg_fail "more than one access line: a NUL-truncated password logged in"
# The password never appears in the log.
grep -qF "junk" "$SG_LOG" && sg_fail "the password bytes appear in the log"
sg_info "ok: ULEN=0, PLEN=0 and NUL bytes get 0x01 and a close"
exit 0
