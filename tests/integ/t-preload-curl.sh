#!/bin/bash
# t-preload-curl.sh - an unmodified curl, without any proxy option, under
# `sixgate` reaches web4.sgtest (127.0.0.1) and web6.sgtest (::1), names
# that only the gateway can resolve, with -4 and with -6 (a fake address
# of either family reaches a destination of either family: RFC 3089);
# a name unknown to the gateway fails at look-up time ("Could not resolve
# host", exit 6: the Socks Lib asks the gateway with RESOLVE, which says
# 0x04), or, with verify_names = "off", at connect time ("Couldn't
# connect", exit 7, rep 0x04).
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
. "$top_srcdir/tests/integ/preload.sh"
sg_init
sg_need curl getent
pl_init
pl_hosts
pl_unresolvable web4.sgtest web6.sgtest nowhere.sgtest
pl_gateway
pl_client_conf

mkdir -p "$SG_TMP/www4" "$SG_TMP/www6"
echo "hello from the IPv4 server $$" > "$SG_TMP/www4/index.html"
echo "hello from the IPv6 server $$" > "$SG_TMP/www6/index.html"
pl_server WEB4 http --bind 127.0.0.1 --dir "$SG_TMP/www4"
pl_server WEB6 http --bind ::1 --dir "$SG_TMP/www6"

for fam in "" -4 -6; do
	for site in "web4.sgtest:$WEB4 www4" "web6.sgtest:$WEB6 www6"; do
		set -- $site
		rm -f "$SG_TMP/body"
		pl_curl $fam -o "$SG_TMP/body" "http://$1/" \
		    2> "$SG_TMP/curl.err" ||
			pl_fail_with "$SG_TMP/curl.err" "curl $fam http://$1/ under sixgate failed"
		cmp -s "$SG_TMP/body" "$SG_TMP/$2/index.html" ||
			pl_fail_with "$SG_TMP/body" "curl $fam http://$1/: wrong content"
		sg_info "ok: curl ${fam:-(no family)} http://$1/"
	done
done
# The gateway by its IPv6 address: an IPv4 program (-4) reaches an IPv4
# destination over an IPv6 connection to the gateway, and the other way.
pl_client_conf file="$SG_TMP/gw6.conf" gateway="[::1]:$SG_PORT6"
for fam in -4 -6; do
	rm -f "$SG_TMP/body"
	pl_run -c "$SG_TMP/gw6.conf" curl -q -sS --max-time 30 $fam \
	    -o "$SG_TMP/body" "http://web4.sgtest:$WEB4/" 2> "$SG_TMP/curl.err" ||
		pl_fail_with "$SG_TMP/curl.err" "curl $fam http://web4.sgtest:$WEB4/ via the gateway at [::1] failed"
	cmp -s "$SG_TMP/body" "$SG_TMP/www4/index.html" ||
		sg_fail "curl $fam via the gateway at [::1]: wrong content"
done
pl_log_wait_re "\\[::1\\]:[0-9]+ access .*dest=web4\\.sgtest:$WEB4 .*rep=0x00" 10 2 ||
	sg_fail "expected 2 access lines from clients at [::1] (gateway at [::1]:$SG_PORT6)"
sg_info "ok: curl -4 / -6 with the gateway at [::1]:$SG_PORT6"

# The name, not an address, reached the gateway.
sg_log_wait "dest=web4.sgtest:$WEB4" 10 ||
	sg_fail "no access line with dest=web4.sgtest:$WEB4"
sg_log_wait "dest=web6.sgtest:$WEB6" 10 ||
	sg_fail "no access line with dest=web6.sgtest:$WEB6"
grep -F "dest=web4.sgtest:$WEB4" "$SG_LOG" | grep -qF "rep=0x00" ||
	sg_fail "access line for web4.sgtest without rep=0x00"
grep -F "dest=web6.sgtest:$WEB6" "$SG_LOG" | grep -qF "rep=0x00" ||
	sg_fail "access line for web6.sgtest without rep=0x00"
grep -F "access" "$SG_LOG" | grep -F "sgtest" | grep -qvF "user=$PL_USER" &&
	sg_fail "an access line without user=$PL_USER"

# A name the gateway cannot resolve: the look-up fails (exit 6), after
# one RESOLVE answered 0x04, and no CONNECT is ever sent for it.
rc=0
pl_curl "http://nowhere.sgtest:$WEB4/" \
    > "$SG_TMP/out" 2> "$SG_TMP/curl.err" || rc=$?
[ "$rc" -ne 0 ] || sg_fail "curl to nowhere.sgtest succeeded"
[ "$rc" = 6 ] ||
	pl_fail_with "$SG_TMP/curl.err" "curl to nowhere.sgtest: exit $rc, want 6 (could not resolve host)"
grep -qi "could not resolve host" "$SG_TMP/curl.err" ||
	pl_fail_with "$SG_TMP/curl.err" "curl to nowhere.sgtest: no \"Could not resolve host\" message"
pl_log_wait_re "access .*cmd=resolve dest=nowhere\\.sgtest:[046] .*rep=0x04" 10 ||
	sg_fail "no access line cmd=resolve dest=nowhere.sgtest rep=0x04"
grep -F "dest=nowhere.sgtest:$WEB4" "$SG_LOG" &&
	sg_fail "a CONNECT for nowhere.sgtest reached the gateway (the look-up should have failed)"
sg_info "ok: unknown name -> curl exit 6 (could not resolve host), RESOLVE rep=0x04"

# The same with verify_names = "off": the fake is handed out, curl fails
# to connect (exit 7), the gateway's CONNECT answer is 0x04.
pl_client_conf file="$SG_TMP/noverify.conf" extra='verify_names = "off";'
nres=$(grep -c "cmd=resolve" "$SG_LOG")
rc=0
pl_run -c "$SG_TMP/noverify.conf" curl -q -sS --max-time 30 \
    --connect-timeout 10 "http://nowhere.sgtest:$WEB4/" \
    > "$SG_TMP/out" 2> "$SG_TMP/curl.err" || rc=$?
[ "$rc" -ne 0 ] || sg_fail "curl to nowhere.sgtest (verify_names off) succeeded"
[ "$rc" = 7 ] ||
	pl_fail_with "$SG_TMP/curl.err" "curl to nowhere.sgtest (verify_names off): exit $rc, want 7 (couldn't connect)"
grep -qi "couldn't connect" "$SG_TMP/curl.err" ||
	pl_fail_with "$SG_TMP/curl.err" "curl to nowhere.sgtest (verify_names off): no \"Couldn't connect\" message"
sg_log_wait "dest=nowhere.sgtest:$WEB4" 10 ||
	sg_fail "no access line for nowhere.sgtest"
grep -F "dest=nowhere.sgtest:$WEB4" "$SG_LOG" | grep -qF "rep=0x04" ||
	sg_fail "access line for nowhere.sgtest without rep=0x04"
[ "$(grep -c "cmd=resolve" "$SG_LOG")" = "$nres" ] ||
	sg_fail "verify_names = \"off\", yet the Socks Lib sent RESOLVE"
sg_info "ok: unknown name, verify_names off -> curl exit 7, rep=0x04"
exit 0
