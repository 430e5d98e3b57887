#!/bin/bash
# t-preload-dante.sh - the Socks Lib with another SOCKS5 server as the
# gateway: Dante's danted (dante-server), configured and started by the
# test in the mount namespace that knows web4.sgtest.  curl under
# `sixgate` (pipeline = auto: the library must find out that Dante is not
# sixgated and do the handshake step by step) reaches web4.sgtest.  As
# root Dante checks a throwaway system user's password (socksmethod
# username); otherwise it runs without authentication.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
. "$top_srcdir/tests/integ/preload.sh"
sg_init
sg_need curl getent
sg_find_danted || sg_skip "danted (dante-server) not installed"
pl_init
pl_hosts
pl_unresolvable web4.sgtest

mkdir -p "$SG_TMP/www"
echo "through Dante $$" > "$SG_TMP/www/index.html"
pl_server WEB4 http --bind 127.0.0.1 --dir "$SG_TMP/www"

# In a user namespace (pl_hosts fell back to unshare -r) only root is
# mapped: Dante cannot switch to nobody; it stays root.
userns=
case " ${PL_NS[*]} " in
*" -rm "*) userns=1 ;;
esac
sg_danted nsexec="$PL_NSEXEC" user=sgdante userns=$userns
method=$DMETHOD

pl_client_conf gateway="127.0.0.1:$DPORT" user="$DUSER" password="$DPASS" \
    extra='log = 2;'
export SIXGATE_LOG_FILE=$SG_TMP/lib.log SIXGATE_PIPELINE=auto

# --check: works, and knows that Dante is not sixgated.
timeout 60 "$PL_WRAPPER" -f "$PL_CONF" --check="web4.sgtest:$WEB4" \
    > "$SG_TMP/check" 2>&1 ||
	pl_fail_with "$SG_TMP/check" "sixgate --check against danted failed"
grep -qx "ok: the gateway is not sixgated: no pipelining" "$SG_TMP/check" ||
	pl_fail_with "$SG_TMP/check" "--check did not say 'the gateway is not sixgated'"
sg_info "ok: --check against Dante"

for fam in "" -4 -6; do
	rm -f "$SG_TMP/body"
	pl_curl $fam -o "$SG_TMP/body" "http://web4.sgtest:$WEB4/" 2> "$SG_TMP/curl.err" || {
		cat "$SG_TMP/curl.err" >&2
		cat "$SG_TMP/lib.log" >&2 2>/dev/null
		pl_fail_with "$DLOG" "curl $fam http://web4.sgtest:$WEB4/ through Dante failed"
	}
	cmp -s "$SG_TMP/body" "$SG_TMP/www/index.html" ||
		pl_fail_with "$SG_TMP/body" "curl $fam through Dante: wrong content"
	sg_info "ok: curl ${fam:-(no family)} http://web4.sgtest:$WEB4/ through Dante"
done
# Dante made the connections to the destination.
end=$(( $(sg_now_ms) + 10000 ))
while [ "$(grep -c "tcp/connect \[.*127\.0\.0\.1\.$WEB4" "$DLOG")" -lt 3 ]; do
	[ "$(sg_now_ms)" -lt "$end" ] ||
		pl_fail_with "$DLOG" "Dante did not log 3 connects to 127.0.0.1.$WEB4"
	sleep 0.05
done
if [ -n "$DUSER" ]; then
	grep -q "username%$DUSER@" "$DLOG" ||
		pl_fail_with "$DLOG" "Dante did not log user $DUSER"
fi
# A second program of the same kind (new process, new table) also works.
pl_curl -o "$SG_TMP/body" "http://web4.sgtest:$WEB4/" 2> "$SG_TMP/curl.err" ||
	pl_fail_with "$SG_TMP/curl.err" "curl through Dante (second run) failed"

# A name Dante cannot resolve fails as a connect error.
pl_unresolvable nowhere.sgtest
rc=0
pl_curl -o /dev/null "http://nowhere.sgtest:$WEB4/" 2> "$SG_TMP/curl.err" || rc=$?
[ "$rc" = 7 ] || pl_fail_with "$SG_TMP/curl.err" "curl to nowhere.sgtest through Dante: exit $rc, want 7"
sg_info "ok: unknown name through Dante: curl exit 7"
exit 0
