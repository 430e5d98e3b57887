#!/bin/bash
# t-types.sh - RFC 3089 gateway types A-D: curl over the 127.0.0.1 and the
# [::1] listeners to HTTP servers on 127.0.0.1 and on [::1], with the
# destination given as a name (--socks5-hostname) and as an address
# (--socks5; note that curl 7.x sends IP literals as ATYP 1/4 even with
# --socks5-hostname, so the literals are also sent as DOMAINNAME with the
# raw client); content and the access log's addr= are checked.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
sg_init
sg_need curl sha256sum

sg_pamwrap alice 'Al1ce-pw'
sg_conf
sg_start

mkdir -p "$SG_TMP/www"
head -c 300000 /dev/urandom > "$SG_TMP/www/blob"
want=$(sg_sha "$SG_TMP/www/blob")
sg_server HTTP4 http --bind 127.0.0.1 --dir "$SG_TMP/www"
sg_server HTTP6 http --bind ::1 --dir "$SG_TMP/www"

n=0
for proxy in "127.0.0.1:$SG_PORT4" "[::1]:$SG_PORT6"; do
	for mode in --socks5-hostname --socks5; do
		for url in "http://127.0.0.1:$HTTP4/blob" "http://[::1]:$HTTP6/blob"; do
			n=$((n + 1))
			rm -f "$SG_TMP/got"
			sg_curl "$mode" "$proxy" --proxy-user 'alice:Al1ce-pw' \
			    -o "$SG_TMP/got" "$url" ||
				sg_fail "curl $mode $proxy $url failed (exit $?)"
			[ "$(sg_sha "$SG_TMP/got")" = "$want" ] ||
				sg_fail "curl $mode $proxy $url: content differs"
			sg_info "ok: $mode via $proxy to $url"
		done
	done
done

# curl (7.x) sends IP literals as ATYP 1/4 even with --socks5-hostname:
# the literals as DOMAINNAME (resolved at the gateway) with the raw client.
for proxy in "127.0.0.1:$SG_PORT4" "[::1]:$SG_PORT6"; do
	for dest in "127.0.0.1 $HTTP4" "::1 $HTTP6"; do
		set -- $dest
		n=$((n + 1))
		sgtool socks --proxy "$proxy" --user alice --password 'Al1ce-pw' \
		    --dest-name "$1" --dest-port "$2" --data $'GET /blob HTTP/1.0\r\n\r\n' \
		    --read --save "$SG_TMP/resp" > "$SG_TMP/o" 2>&1
		sg_expect "$SG_TMP/o" "rep=0x00"
		[ "$(tail -c 300000 "$SG_TMP/resp" | sha256sum | cut -d' ' -f1)" = "$want" ] &&
		    head -n1 "$SG_TMP/resp" | grep -q "^HTTP/1.0 200" || {
			cat "$SG_TMP/o" >&2
			sg_fail "DOMAINNAME $1 via $proxy: response differs"
		}
		sg_info "ok: DOMAINNAME $1 via $proxy"
	done
done

# One access line per session, written at its end.
sg_log_wait "access" 10 "$n" ||
	sg_fail "expected $n access lines"
c4=$(grep -F "access" "$SG_LOG" | grep -F "user=alice" | grep -F "rep=0x00" |
	grep -cF "addr=127.0.0.1:$HTTP4")
c6=$(grep -F "access" "$SG_LOG" | grep -F "user=alice" | grep -F "rep=0x00" |
	grep -cF "addr=[::1]:$HTTP6")
[ "$c4" -eq 6 ] || sg_fail "expected 6 access lines with addr=127.0.0.1:$HTTP4, got $c4"
[ "$c6" -eq 6 ] || sg_fail "expected 6 access lines with addr=[::1]:$HTTP6, got $c6"
# Client address of the session: both listener families were used.
grep -F "access" "$SG_LOG" | grep -qF "[::1]:" ||
	sg_fail "no access line for a client on [::1]"
grep -F "access" "$SG_LOG" | grep -qF "127.0.0.1:" ||
	sg_fail "no access line for a client on 127.0.0.1"
grep -F "access" "$SG_LOG" | grep -F "addr=127.0.0.1:$HTTP4" | grep -q "down=[1-9]" ||
	sg_fail "access line without down= byte count"

sg_stop || sg_fail "sixgated did not stop on SIGTERM"
[ "$SG_RC" = 0 ] || sg_fail "sixgated exited with $SG_RC after SIGTERM"
exit 0
