#!/bin/bash
# t-ncat.sh - ncat --proxy-type socks5 --proxy-auth through both
# listeners to an echo server on 127.0.0.1 and on [::1].
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
sg_init
sg_need ncat sha256sum

sg_pamwrap bob 'b0b-secret'
sg_conf
sg_start
sg_server ECHO4 echo --bind 127.0.0.1
sg_server ECHO6 echo --bind ::1

head -c 1048576 /dev/urandom > "$SG_TMP/in"
want=$(sg_sha "$SG_TMP/in")

for proxy in "127.0.0.1:$SG_PORT4" "[::1]:$SG_PORT6"; do
	for dest in "127.0.0.1 $ECHO4" "::1 $ECHO6"; do
		rm -f "$SG_TMP/out"
		# shellcheck disable=SC2086
		timeout 30 ncat --proxy "$proxy" --proxy-type socks5 \
		    --proxy-auth 'bob:b0b-secret' $dest \
		    < "$SG_TMP/in" > "$SG_TMP/out" 2> "$SG_TMP/ncat.err" || {
			cat "$SG_TMP/ncat.err" >&2
			sg_fail "ncat via $proxy to $dest failed"
		}
		[ "$(sg_sha "$SG_TMP/out")" = "$want" ] || {
			cat "$SG_TMP/ncat.err" >&2
			sg_fail "ncat via $proxy to $dest: echoed data differs ($(wc -c < "$SG_TMP/out") bytes back)"
		}
		sg_info "ok: ncat via $proxy to $dest"
	done
done

sg_log_wait "access" 10 4 || sg_fail "expected 4 access lines"
grep -F "access" "$SG_LOG" | grep -F "user=bob" | grep -q "up=1048576" ||
	sg_fail "no access line with up=1048576"
grep -F "access" "$SG_LOG" | grep -F "user=bob" | grep -q "down=1048576" ||
	sg_fail "no access line with down=1048576"
exit 0
