#!/bin/bash
# t-preload-wget.sh - an unmodified wget (no proxy settings) under
# `sixgate` fetches http://web4.sgtest:PORT/ (127.0.0.1) and
# http://web6.sgtest:PORT/ (::1), names only the gateway resolves, asking
# for any family, IPv4 only (-4) and IPv6 only (-6); a name the gateway
# does not know fails at look-up time (wget: "unable to resolve host
# address", exit 4), or at connect time with verify_names = "off".
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
. "$top_srcdir/tests/integ/preload.sh"
sg_init
sg_need wget getent
pl_init
pl_hosts
pl_unresolvable web4.sgtest web6.sgtest
pl_gateway
pl_client_conf

mkdir -p "$SG_TMP/www4" "$SG_TMP/www6"
echo "wget over IPv4 $$" > "$SG_TMP/www4/index.html"
echo "wget over IPv6 $$" > "$SG_TMP/www6/index.html"
pl_server WEB4 http --bind 127.0.0.1 --dir "$SG_TMP/www4"
pl_server WEB6 http --bind ::1 --dir "$SG_TMP/www6"

n=0
for fam in "" -4 -6; do
	for site in "web4.sgtest:$WEB4 www4" "web6.sgtest:$WEB6 www6"; do
		set -- $site
		rm -f "$SG_TMP/body"
		pl_run wget --no-config -q $fam -T 15 -t 1 -O- "http://$1/" \
		    > "$SG_TMP/body" 2> "$SG_TMP/wget.err" ||
			pl_fail_with "$SG_TMP/wget.err" "wget $fam -O- http://$1/ under sixgate failed"
		cmp -s "$SG_TMP/body" "$SG_TMP/$2/index.html" ||
			pl_fail_with "$SG_TMP/body" "wget $fam http://$1/: wrong content"
		n=$((n + 1))
		sg_info "ok: wget ${fam:-(no family)} -O- http://$1/"
	done
done

sg_log_wait "dest=web4.sgtest:$WEB4" 10 3 ||
	sg_fail "expected 3 access lines with dest=web4.sgtest:$WEB4"
sg_log_wait "dest=web6.sgtest:$WEB6" 10 3 ||
	sg_fail "expected 3 access lines with dest=web6.sgtest:$WEB6"
[ "$(grep -F "access" "$SG_LOG" | grep -F "cmd=connect" | grep -F ".sgtest:" | grep -cF "rep=0x00")" = "$n" ] ||
	sg_fail "expected $n CONNECT access lines with rep=0x00"

# A name the gateway does not know: wget cannot resolve it (exit 4,
# network failure, with glibc's "unable to resolve host address").
pl_unresolvable nowhere.sgtest
rc=0
pl_run wget --no-config -T 15 -t 1 -O- "http://nowhere.sgtest:$WEB4/" \
    > "$SG_TMP/body" 2> "$SG_TMP/wget.err" || rc=$?
[ "$rc" = 4 ] ||
	pl_fail_with "$SG_TMP/wget.err" "wget http://nowhere.sgtest:$WEB4/: exit $rc, want 4"
grep -qi "unable to resolve host address" "$SG_TMP/wget.err" ||
	pl_fail_with "$SG_TMP/wget.err" "wget http://nowhere.sgtest:$WEB4/: no \"unable to resolve host address\""
pl_log_wait_re "access .*cmd=resolve dest=nowhere\\.sgtest:[046] .*rep=0x04" 10 ||
	sg_fail "no access line cmd=resolve dest=nowhere.sgtest rep=0x04"
grep -F "dest=nowhere.sgtest:$WEB4" "$SG_LOG" &&
	sg_fail "a CONNECT for nowhere.sgtest reached the gateway"
sg_info "ok: wget, unknown name: unable to resolve host address"

# verify_names off: the fake is handed out, the connection fails (the
# gateway answers CONNECT with 0x04).
rc=0
SIXGATE_VERIFY_NAMES=off pl_run wget --no-config -T 15 -t 1 -O- \
    "http://nowhere.sgtest:$WEB4/" > "$SG_TMP/body" 2> "$SG_TMP/wget.err" || rc=$?
[ "$rc" = 4 ] ||
	pl_fail_with "$SG_TMP/wget.err" "wget (verify off) http://nowhere.sgtest:$WEB4/: exit $rc, want 4"
grep -qi "unable to resolve host address" "$SG_TMP/wget.err" &&
	pl_fail_with "$SG_TMP/wget.err" "wget (verify off): a look-up failure, want a connect failure"
grep -qiE "failed:|connect" "$SG_TMP/wget.err" ||
	pl_fail_with "$SG_TMP/wget.err" "wget (verify off): no connect failure message"
sg_log_wait "dest=nowhere.sgtest:$WEB4" 10 ||
	sg_fail "no CONNECT access line for nowhere.sgtest (verify off)"
grep -F "dest=nowhere.sgtest:$WEB4" "$SG_LOG" | grep -qF "rep=0x04" ||
	sg_fail "CONNECT access line for nowhere.sgtest without rep=0x04"
sg_info "ok: wget, unknown name, verify_names off: connect failure, rep=0x04"
exit 0
