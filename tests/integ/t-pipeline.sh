#!/bin/bash
# t-pipeline.sh - greeting + RFC 1929 + CONNECT + application data in one
# send; and the greeting dribbled one byte at a time.  The destination
# must receive the application data intact.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
sg_init

sg_pamwrap erin 'er1n-pw'
sg_conf
sg_start
sg_server SINK4 sink --bind 127.0.0.1 --out "$SG_TMP/sink4" --reply
sg_server SINK6 sink --bind ::1 --out "$SG_TMP/sink6" --reply
A=(--user erin --password 'er1n-pw')

check() {	# NAME DEST-ARGS... : payload reached the sink intact
	local name=$1 o=$SG_TMP/$1
	shift
	sgtool socks "${A[@]}" "$@" > "$o" 2>&1
	grep -q "^rep=0x00 " "$o" || { cat "$o" >&2; sg_fail "$name: no success reply"; }
	local sent n sha
	sent=$(sed -n 's/^sent_sha256=//p' "$o")
	n=$(sed -n 's/^sent_bytes=//p' "$o")
	# The sink answers "BYTES SHA256" once it has read to EOF; the client
	# read it (recv) after shutting its write side.
	grep -q "^recv_bytes=" "$o" || { cat "$o" >&2; sg_fail "$name: no answer from the sink"; }
	sha=$(printf '%s %s\n' "$n" "$sent" | sha256sum | cut -d' ' -f1)
	grep -q "^recv_sha256=$sha$" "$o" || {
		cat "$o" >&2
		echo "sink records:" >&2; cat "$SG_TMP/sink4" "$SG_TMP/sink6" >&2 2>/dev/null
		sg_fail "$name: the destination did not receive the $n bytes intact"
	}
	sg_info "ok: $name ($n bytes)"
}

# Everything in one send: small payload (fits in the first segment) and
# a large one (more than any handshake buffer).
check pipe-small --proxy "127.0.0.1:$SG_PORT4" --pipeline --dest "127.0.0.1:$SINK4" \
    --data "GET / HTTP/1.0 early data" --shutdown-wr --read
check pipe-large --proxy "127.0.0.1:$SG_PORT4" --pipeline --dest "127.0.0.1:$SINK4" \
    --data-len 3000000 --shutdown-wr --read
check pipe-v6-name --proxy "[::1]:$SG_PORT6" --pipeline --dest-name ::1 \
    --dest-port "$SINK6" --data-len 70000 --shutdown-wr --read
check pipe-v4-via-v6 --proxy "[::1]:$SG_PORT6" --pipeline --dest "127.0.0.1:$SINK4" \
    --data-len 1 --shutdown-wr --read
# Greeting split into single bytes, 50 ms apart.
check split-greeting --proxy "127.0.0.1:$SG_PORT4" --split-greeting 0.05 \
    --dest "[::1]:$SINK6" --data-len 100000 --shutdown-wr --read

# methods = ["none"]: greeting + request + data in one send.
sg_stop
sg_conf methods='"none"'
sg_start
A=()
check pipe-none --proxy "127.0.0.1:$SG_PORT4" --pipeline --dest "127.0.0.1:$SINK4" \
    --data-len 200000 --shutdown-wr --read
exit 0
