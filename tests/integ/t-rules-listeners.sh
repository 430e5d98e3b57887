#!/bin/bash
# t-rules-listeners.sh - rules by the listener a client came in by
# (`listeners`, by the address written in listen): the one rule allows
# alice only through the HTTP listener on 127.0.0.2, so
#  1. curl through that HTTP proxy gets the page, and the access line
#     says door=http;
#  2. the same user through the SOCKS5 listener on 127.0.0.1 is refused
#     with 0x02 and the refusal is logged as "no rule allows it";
#  3. sixgated -n refuses a rule naming an address that is no listener.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
sg_init
sg_need curl
sg_pamwrap alice 'Al1ce-pw'
sg_conf listen='"127.0.0.1:0", { address = "127.0.0.2:0"; protocol = "http"; }' \
    rules='{ name = "web-only"; action = "allow"; users = [ "alice" ];
    listeners = [ "127.0.0.2:0" ]; to = [ "127.0.0.0/8" ]; }'
sg_start
HP=$(sed -n 's/.*listening on 127\.0\.0\.2:\([0-9][0-9]*\) (http).*/\1/p' "$SG_LOG" | head -n1)
[ -n "$HP" ] || sg_error "no http listener on 127.0.0.2 in the log"
sg_server WEB http11 --bind 127.0.0.1

got=$(sg_curl -x "http://alice:Al1ce-pw@127.0.0.2:$HP" "http://127.0.0.1:$WEB/x" 2>"$SG_TMP/curl.err") ||
	{ cat "$SG_TMP/curl.err" >&2; sg_fail "curl through the HTTP listener failed"; }
[ "$got" = "hello /x" ] || sg_fail "through the HTTP listener: got '$got'"
sg_log_wait "access user=alice" 10 || sg_fail "no access line"
grep "access user=alice" "$SG_LOG" | grep -q "door=http.*end=closed" ||
	sg_fail "the access line lacks door=http end=closed"
sg_info "ok: allowed through the listener the rule names"

sg_socks_rep 0x02 socks --proxy "127.0.0.1:$SG_PORT4" --user alice \
    --password 'Al1ce-pw' --dest "127.0.0.1:$WEB" --data x
grep -q "connect to 127.0.0.1:$WEB .*denied: no rule allows it" "$SG_LOG" ||
	sg_fail "no refusal line for the SOCKS5 request"
sg_info "ok: refused through another listener"

sg_conf listen='"127.0.0.1:0"' rules='{ action = "allow"; listeners = [ "127.0.0.9:1" ]; }'
out=$("$SIXGATED" -n -f "$SG_CONF" 2>&1) && sg_fail "sixgated -n accepted a rule naming no listener"
echo "$out" | grep -q "listeners: \"127.0.0.9:1\" is not one of the addresses in listen" ||
	sg_fail "sixgated -n: unexpected message: $out"
sg_info "ok: a rule naming no listener is a configuration error"
exit 0
