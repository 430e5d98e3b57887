#!/bin/bash
# t-bulk.sh - 1 GiB through the gateway in each direction, sha256 checked:
# download with curl --socks5-hostname from an HTTP server, upload with
# the python client (sendfile) to a sink.  Prints MB/s.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
sg_init
sg_need curl head df awk

SIZE=${SG_BULK_BYTES:-1073741824}
avail=$(df -Pk "$SG_TMP" | awk 'NR == 2 { print $4 }')
[ "${avail:-0}" -gt $(( SIZE / 1024 * 2 + 65536 )) ] ||
	sg_skip "not enough space in ${TMPDIR:-/tmp} for $SIZE bytes"

sg_pamwrap grace 'gr4ce-pw'
sg_conf
sg_start
mkdir -p "$SG_TMP/www"
head -c "$SIZE" /dev/urandom > "$SG_TMP/www/big" || sg_error "cannot create the data file"
want=$(SG_TOOL_TIMEOUT=120 sgtool sha256 "$SG_TMP/www/big" | cut -d' ' -f1)
sg_server HTTP http --bind ::1 --dir "$SG_TMP/www"
sg_server SINK sink --bind 127.0.0.1 --reply

mbps() {	# BYTES MS
	echo "$(( $1 * 1000 / ($2 > 0 ? $2 : 1) / 1000000 )) MB/s"
}

# Download: destination -> client.
t0=$(sg_now_ms)
got=$(SG_CURL_TIMEOUT=120 SG_CURL_MAXTIME=110 sg_curl --socks5-hostname \
    "127.0.0.1:$SG_PORT4" --proxy-user 'grace:gr4ce-pw' \
    "http://[::1]:$HTTP/big" | SG_TOOL_TIMEOUT=120 sgtool sha256 | cut -d' ' -f1)
t1=$(sg_now_ms)
[ "$got" = "$want" ] || sg_fail "download: sha256 differs ($got, want $want)"
sg_info "download 1 GiB ok: $(( t1 - t0 )) ms, $(mbps "$SIZE" $(( t1 - t0 )))"

# For comparison: the same download without the gateway.
if [ -z "${SG_BULK_NO_BASELINE:-}" ]; then
	t0=$(sg_now_ms)
	SG_CURL_TIMEOUT=120 SG_CURL_MAXTIME=110 sg_curl "http://[::1]:$HTTP/big" |
	    SG_TOOL_TIMEOUT=120 sgtool sha256 > /dev/null
	t1=$(sg_now_ms)
	sg_info "(baseline: curl without the gateway: $(( t1 - t0 )) ms, $(mbps "$SIZE" $(( t1 - t0 ))))"
fi

# Upload: client -> destination (the sink answers "BYTES SHA256").
t0=$(sg_now_ms)
SG_TOOL_TIMEOUT=150 sgtool socks --proxy "[::1]:$SG_PORT6" --user grace \
    --password 'gr4ce-pw' --dest "127.0.0.1:$SINK" --data-file "$SG_TMP/www/big" \
    --shutdown-wr --read --save "$SG_TMP/answer" --timeout 120 > "$SG_TMP/o" 2>&1
t1=$(sg_now_ms)
grep -q "^rep=0x00 " "$SG_TMP/o" || { cat "$SG_TMP/o" >&2; sg_fail "upload: no success reply"; }
grep -qx "$SIZE $want" "$SG_TMP/answer" || {
	cat "$SG_TMP/o" "$SG_TMP/answer" >&2
	sg_fail "upload: the sink did not receive the $SIZE bytes intact"
}
sg_info "upload 1 GiB ok: $(( t1 - t0 )) ms, $(mbps "$SIZE" $(( t1 - t0 )))"

sg_log_wait "access" 10 2 || sg_fail "expected 2 access lines"
# down= of the download counts the HTTP header too; up= of the upload is exact.
down=$(grep -F access "$SG_LOG" | grep -F "addr=[::1]:$HTTP" | sed -n 's/.* down=\([0-9]*\).*/\1/p')
[ -n "$down" ] && [ "$down" -ge "$SIZE" ] && [ "$down" -lt $(( SIZE + 1000 )) ] ||
	sg_fail "download access line: down=${down:-none}, expected $SIZE + header"
grep -F access "$SG_LOG" | grep -F "addr=127.0.0.1:$SINK" | grep -qF " up=$SIZE " ||
	sg_fail "no access line with up=$SIZE for the upload"
exit 0
