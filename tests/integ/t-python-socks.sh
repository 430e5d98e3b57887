#!/bin/bash
# t-python-socks.sh - PySocks (module socks) with rdns=True and
# username/password: HTTP GET to an IPv6 and an IPv4 literal, through
# both listeners.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
sg_init

# The python that has PySocks (python3-socks) may not be the first python3.
SG_PY_SOCKS=
for p in "${PYTHON:-}" python3 /usr/bin/python3; do
	[ -n "$p" ] || continue
	if "$p" -c 'import socks' 2>/dev/null; then
		SG_PY_SOCKS=$p
		break
	fi
done
[ -n "$SG_PY_SOCKS" ] || sg_skip "python module socks (PySocks, python3-socks) not installed"

sg_pamwrap carol 'c4rol-pass'
sg_conf
sg_start
mkdir -p "$SG_TMP/www"
head -c 100000 /dev/urandom > "$SG_TMP/www/page"
want=$(sg_sha "$SG_TMP/www/page")
sg_server HTTP4 http --bind 127.0.0.1 --dir "$SG_TMP/www"
sg_server HTTP6 http --bind ::1 --dir "$SG_TMP/www"

n=0
for proxy in "127.0.0.1:$SG_PORT4" "[::1]:$SG_PORT6"; do
	for dest in "[::1]:$HTTP6" "127.0.0.1:$HTTP4"; do
		n=$((n + 1))
		rm -f "$SG_TMP/got"
		timeout 30 "$SG_PY_SOCKS" "$SG_INTEG/sgtool.py" pysocks \
		    --proxy "$proxy" --dest "$dest" --path /page \
		    --user carol --password 'c4rol-pass' --save "$SG_TMP/got" \
		    > "$SG_TMP/out" 2>&1 || {
			cat "$SG_TMP/out" >&2
			sg_fail "PySocks via $proxy to $dest failed"
		}
		sg_expect "$SG_TMP/out" "status=HTTP/1.0 200"
		[ "$(sg_sha "$SG_TMP/got")" = "$want" ] ||
			sg_fail "PySocks via $proxy to $dest: body differs"
		sg_info "ok: PySocks via $proxy to $dest"
	done
done

# A name that does not resolve: PySocks reports the gateway's answer,
# 0x02 here (carol may reach loopback networks only, so an unknown name
# is answered as a forbidden one).
timeout 30 "$SG_PY_SOCKS" "$SG_INTEG/sgtool.py" pysocks \
    --proxy "127.0.0.1:$SG_PORT4" --dest "nonexistent.invalid:80" \
    --user carol --password 'c4rol-pass' > "$SG_TMP/out" 2>&1
sg_expect "$SG_TMP/out" "proxy_error=" "0x02"

sg_log_wait "access" 10 "$n" || sg_fail "expected $n access lines"
[ "$(grep -F access "$SG_LOG" | grep -cF "addr=[::1]:$HTTP6")" -eq 2 ] ||
	sg_fail "expected 2 access lines with addr=[::1]:$HTTP6"
[ "$(grep -F access "$SG_LOG" | grep -cF "addr=127.0.0.1:$HTTP4")" -eq 2 ] ||
	sg_fail "expected 2 access lines with addr=127.0.0.1:$HTTP4"
exit 0
