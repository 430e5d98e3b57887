#!/bin/bash
# t-preload-wget.sh - an unmodified wget (no proxy settings) under
# `sixgate` fetches http://web4.sgtest:PORT/ (127.0.0.1) and
# http://web6.sgtest:PORT/ (::1), names only the gateway resolves, asking
# for any family, IPv4 only (-4) and IPv6 only (-6).
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
[ "$(grep -F "access" "$SG_LOG" | grep -F ".sgtest:" | grep -cF "rep=0x00")" = "$n" ] ||
	sg_fail "expected $n access lines with rep=0x00"
exit 0
