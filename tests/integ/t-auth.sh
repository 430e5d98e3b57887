#!/bin/bash
# t-auth.sh - RFC 1929 through PAM (pam_wrapper + pam_matrix): wrong
# password and unknown user get status 0x01 and a close; the log names
# the user but never a password; method negotiation: 05 FF when no
# offered method is acceptable; methods = ["none"] relays unauthenticated
# clients only through rules without users.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
sg_init
sg_need curl

GOOD='G00d-Passw0rd-q7'
BAD='Wr0ng-Passw0rd-z9'
sg_pamwrap alice "$GOOD"
sg_conf
sg_start -v -v
sg_server ECHO echo --bind 127.0.0.1
mkdir -p "$SG_TMP/www"
echo "hello from the test server" > "$SG_TMP/www/index"
sg_server HTTP http --bind 127.0.0.1 --dir "$SG_TMP/www"
P4=127.0.0.1:$SG_PORT4

# Good password: works (sanity).
sg_curl --socks5-hostname "$P4" --proxy-user "alice:$GOOD" \
    -o "$SG_TMP/got" "http://127.0.0.1:$HTTP/index" ||
	sg_fail "curl with the right password failed"
cmp -s "$SG_TMP/got" "$SG_TMP/www/index" || sg_fail "content differs"

# Wrong password: status 0x01, then the gateway closes.
sgtool socks --proxy "$P4" --user alice --password "$BAD" \
    --dest "127.0.0.1:$ECHO" --data ping > "$SG_TMP/o1" 2>&1
sg_expect "$SG_TMP/o1" "method=0x02" "auth=0x01" "closed=1"
if sg_curl --socks5-hostname "$P4" --proxy-user "alice:$BAD" \
    -o /dev/null "http://127.0.0.1:$HTTP/index" 2>/dev/null; then
	sg_fail "curl with a wrong password succeeded"
fi

# Unknown user.
sgtool socks --proxy "$P4" --user mallory --password "$GOOD" \
    --dest "127.0.0.1:$ECHO" --data ping > "$SG_TMP/o2" 2>&1
sg_expect "$SG_TMP/o2" "method=0x02" "auth=0x01" "closed=1"

# Pipelined wrong password: still 01 01, nothing relayed.
sgtool socks --proxy "$P4" --user alice --password "$BAD" --pipeline \
    --dest "127.0.0.1:$ECHO" --data ping > "$SG_TMP/o3" 2>&1
sg_expect "$SG_TMP/o3" "auth=0x01" "closed=1"
grep -q "rep=" "$SG_TMP/o3" && sg_fail "request answered after failed auth"

sg_log_wait "authentication failed" 10 4 ||
	sg_fail "expected 4 'authentication failed' lines"
grep -F "authentication failed" "$SG_LOG" | grep -qF 'user="alice"' ||
	sg_fail "'authentication failed' line without user=\"alice\""
grep -F "authentication failed" "$SG_LOG" | grep -qF 'user="mallory"' ||
	sg_fail "'authentication failed' line without user=\"mallory\""
grep -F "authentication failed" "$SG_LOG" | grep -qF '127.0.0.1' ||
	sg_fail "'authentication failed' line without the client address"

# Offering only "no authentication" when methods = ["username"]: 05 FF.
sgtool socks --proxy "$P4" --methods 00 --dest "127.0.0.1:$ECHO" \
    > "$SG_TMP/o4" 2>&1
sg_expect "$SG_TMP/o4" "method=0xff ver=5" "closed=1"
# Offering GSSAPI only: also 05 FF.
sgtool socks --proxy "[::1]:$SG_PORT6" --methods 01 --dest "127.0.0.1:$ECHO" \
    > "$SG_TMP/o5" 2>&1
sg_expect "$SG_TMP/o5" "method=0xff ver=5" "closed=1"

sg_stop || sg_fail "sixgated did not stop"
# The passwords never appear in the log (-v -v: debug lines included).
if grep -qF -- "$BAD" "$SG_LOG" || grep -qF -- "$GOOD" "$SG_LOG"; then
	sg_fail "a password appears in the daemon log"
fi
sg_info "ok: username method"

# --- methods = ["none"]: unauthenticated clients, rules without users.
sg_refuser DENYP
sg_conf methods='"none"' rules="
  { name = \"authed-only\"; action = \"allow\"; users = [ \"*\" ]; ports = [ $DENYP ]; },
  { name = \"anyone\"; action = \"allow\"; to = [ \"127.0.0.0/8\", \"::1/128\" ]; ports = [ $ECHO, $HTTP ]; }"
sg_start -v
P4=127.0.0.1:$SG_PORT4
sgtool socks --proxy "$P4" --methods 00 --dest "127.0.0.1:$ECHO" \
    --data "unauthenticated hello" --echo-check > "$SG_TMP/o6" 2>&1
sg_expect "$SG_TMP/o6" "method=0x00" "rep=0x00" "echo=ok"
# A client offering only username/password: nothing acceptable.
sgtool socks --proxy "$P4" --methods 02 --user alice --password "$GOOD" \
    --dest "127.0.0.1:$ECHO" > "$SG_TMP/o7" 2>&1
sg_expect "$SG_TMP/o7" "method=0xff" "closed=1"
# A rule with users never matches an unauthenticated client: no other
# rule allows $DENYP, so the answer is "not allowed" (not "refused").
sgtool socks --proxy "$P4" --methods 00 --dest "127.0.0.1:$DENYP" \
    > "$SG_TMP/o8" 2>&1
sg_expect "$SG_TMP/o8" "rep=0x02" "closed=1"
# curl without credentials through the none-only gateway.
sg_curl --socks5-hostname "$P4" -o "$SG_TMP/got" "http://127.0.0.1:$HTTP/index" ||
	sg_fail "curl without credentials failed with methods = [\"none\"]"
cmp -s "$SG_TMP/got" "$SG_TMP/www/index" || sg_fail "content differs (none)"
sg_stop || sg_fail "sixgated did not stop"

# --- methods = ["username", "none"]: preference order is the config's.
sg_conf methods='"username", "none"'
sg_start
sgtool socks --proxy "127.0.0.1:$SG_PORT4" --methods 00,02 --user alice \
    --password "$GOOD" --dest "127.0.0.1:$ECHO" --data x --echo-check \
    > "$SG_TMP/o9" 2>&1
sg_expect "$SG_TMP/o9" "method=0x02" "auth=0x00" "rep=0x00" "echo=ok"
sgtool socks --proxy "127.0.0.1:$SG_PORT4" --methods 00 \
    --dest "127.0.0.1:$ECHO" --data x --echo-check > "$SG_TMP/o10" 2>&1
sg_expect "$SG_TMP/o10" "method=0x00" "rep=0x00" "echo=ok"
exit 0
