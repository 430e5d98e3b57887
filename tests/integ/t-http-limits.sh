#!/bin/bash
# t-http-limits.sh - a rule's limits hold for the HTTP door's forwarded
# requests as for SOCKS relays (one pipeline):
#  1. sam (bandwidth_down 200000 B/s) fetches 600000 bytes with GET
#     through the HTTP proxy: intact, and not faster than the rate allows
#     (at least 2 s for what exceeds the burst; a property, not a
#     benchmark).
#  2. quinn (quota 300000 a day) fetches 1000000 bytes: the transfer is
#     cut (curl reports a partial body of at most the quota), the access
#     line says door=http and end=quota, and the next request gets 403.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
sg_init
sg_need curl
sg_pamwrap sam 'S4m-pw' quinn 'Qu1nn-pw'
LO='to = [ "127.0.0.0/8" ];'
sg_conf listen='"127.0.0.1:0", { address = "127.0.0.1:0"; protocol = "http"; }' rules="
  { name = \"shaped\"; action = \"allow\"; users = [ \"sam\" ]; $LO
    limits: { bandwidth_down = 200000; }; },
  { name = \"capped\"; action = \"allow\"; users = [ \"quinn\" ]; $LO
    limits: { quota = 300000; quota_period = \"day\"; }; }"
sg_start
HP=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\) (http).*/\1/p' "$SG_LOG" | head -n1)
[ -n "$HP" ] || sg_error "no http listener in the log"
mkdir "$SG_TMP/www" || sg_error "mkdir failed"
head -c 600000 /dev/urandom > "$SG_TMP/www/six"
head -c 1000000 /dev/urandom > "$SG_TMP/www/big"
sg_server WEB http11 --bind 127.0.0.1 --dir "$SG_TMP/www"

# 1. shaped
t0=$(sg_now_ms)
sg_curl -o "$SG_TMP/six.got" -x "http://sam:S4m-pw@127.0.0.1:$HP" \
    "http://127.0.0.1:$WEB/f/six" 2>"$SG_TMP/six.err" ||
	{ cat "$SG_TMP/six.err" >&2; sg_fail "shaped GET failed"; }
ms=$(( $(sg_now_ms) - t0 ))
[ "$(sg_sha "$SG_TMP/six.got")" = "$(sg_sha "$SG_TMP/www/six")" ] ||
	sg_fail "shaped GET: the body differs"
[ "$ms" -ge 2000 ] || sg_fail "shaped GET of 600000 bytes took $ms ms, want >= 2000 at 200000 B/s"
[ "$ms" -le 20000 ] || sg_fail "shaped GET took $ms ms: stalled?"
sg_log_wait "access user=sam" 10 || sg_fail "no access line for sam"
grep "access user=sam" "$SG_LOG" | grep -q "door=http" || sg_fail "sam's access line lacks door=http"
sg_info "ok: shaped GET through the HTTP door took $ms ms"

# 2. quota
rc=0
sg_curl -o "$SG_TMP/big.got" -x "http://quinn:Qu1nn-pw@127.0.0.1:$HP" \
    "http://127.0.0.1:$WEB/f/big" 2>"$SG_TMP/big.err" || rc=$?
got=$(stat -c %s "$SG_TMP/big.got" 2>/dev/null || echo 0)
[ "$rc" != 0 ] || sg_fail "the GET over the quota succeeded ($got bytes)"
[ "$got" -lt 300000 ] || sg_fail "quota: got $got bytes, more than the quota of 300000"
sg_log_wait "access user=quinn" 10 || sg_fail "no access line for quinn"
grep "access user=quinn" "$SG_LOG" | grep "door=http" | grep -q "end=quota" ||
	{ grep "access user=quinn" "$SG_LOG" >&2; sg_fail "quinn's access line lacks door=http or end=quota"; }
code=$(sg_curl -o /dev/null -w '%{http_code}' -x "http://quinn:Qu1nn-pw@127.0.0.1:$HP" \
    "http://127.0.0.1:$WEB/f/six" 2>/dev/null)
[ "$code" = 403 ] || sg_fail "after the quota: status $code, want 403"
sg_info "ok: quota cut the HTTP transfer after $got bytes (curl exit $rc), then 403"
exit 0
