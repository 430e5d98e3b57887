#!/bin/bash
# t-bench-smoke.sh - bench/sgload works against the real sixgated: its
# echo and sink servers, 200 connections of connrate (greeting, RFC 1929
# login through pam_wrapper, CONNECT, 1-byte echo, close), 1 s more with
# --spread (each worker from its own 127.0.0.x; refused towards ::1) and
# 1 s of bulk.  Checks that the figures printed are numbers above zero
# and that the daemon wrote one access line per connection, from the
# spread workers' addresses for those.  Never compares
# speeds: that is bench/run's business, and benchmarks are not tests.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
sg_init
SGLOAD=${SGLOAD:-$top_builddir/bench/sgload}
[ -x "$SGLOAD" ] || sg_error "SGLOAD=$SGLOAD is not an executable (make bench/sgload)"

sg_pamwrap bench 'b3nch-Smoke-pw'
sg_conf
sg_start

# sgload_server VAR sink|echo: on 127.0.0.1 and ::1, port in $VAR.
sgload_server() {
	local pf=$SG_TMP/port.$1
	sg_bg timeout 60 "$SGLOAD" "$2" --bind 127.0.0.1 --bind ::1 \
	    --max-secs 50 --port-file "$pf" > /dev/null 2>>"$SG_TMP/servers.err"
	sg_wait_file "$pf" 10 || { cat "$SG_TMP/servers.err" >&2; sg_error "sgload $2 did not start"; }
	printf -v "$1" '%s' "$(cat "$pf")"
}
sgload_server ECHO echo
sgload_server SINK sink

# positive WORD FILE: WORD=VALUE in FILE is a number above zero.
positive() {
	local v
	v=$(sed -n "s/.* $1=\([0-9.]*\).*/\1/p" "$2" | head -n 1)
	awk -v v="$v" 'BEGIN { exit !(v != "" && v + 0 > 0) }' ||
		{ cat "$2" >&2; sg_fail "$1=$v is not a number above zero"; }
}

export SGLOAD_PASSWORD='b3nch-Smoke-pw'
timeout 30 "$SGLOAD" connrate --proxy "127.0.0.1:$SG_PORT4" --user bench \
    --dest "127.0.0.1:$ECHO" --workers 2 --count 200 --secs 15 \
    > "$SG_TMP/connrate" 2>&1 || { cat "$SG_TMP/connrate" >&2; sg_fail "connrate failed"; }
sg_expect "$SG_TMP/connrate" "conns=200 " "errors=0"
positive rate "$SG_TMP/connrate"
positive p50_us "$SG_TMP/connrate"
positive p99_us "$SG_TMP/connrate"
sg_info "ok: $(cat "$SG_TMP/connrate")"

timeout 30 "$SGLOAD" bulk --proxy "[::1]:$SG_PORT6" --user bench \
    --dest "localhost:$SINK" --streams 1 --secs 1 \
    > "$SG_TMP/bulk" 2>&1 || { cat "$SG_TMP/bulk" >&2; sg_fail "bulk failed"; }
sg_expect "$SG_TMP/bulk" "errors=0"
positive mbps "$SG_TMP/bulk"
positive bytes "$SG_TMP/bulk"
sg_info "ok: $(cat "$SG_TMP/bulk")"

# --spread: worker k from 127.0.0.2 + k; IPv4 only, ::1 refused.
# For a second (not a count: both workers get their turn), conns=$NS.
timeout 30 "$SGLOAD" connrate --proxy "127.0.0.1:$SG_PORT4" --user bench \
    --dest "127.0.0.1:$ECHO" --workers 2 --secs 1 --spread \
    > "$SG_TMP/spread" 2>&1 || { cat "$SG_TMP/spread" >&2; sg_fail "connrate --spread failed"; }
sg_expect "$SG_TMP/spread" "errors=0"
positive conns "$SG_TMP/spread"
NS=$(sed -n 's/.* conns=\([0-9]*\) .*/\1/p' "$SG_TMP/spread")
rc=0
timeout 30 "$SGLOAD" connrate --proxy "[::1]:$SG_PORT6" --user bench \
    --dest "127.0.0.1:$ECHO" --count 1 --spread > "$SG_TMP/spread6" 2>&1 || rc=$?
[ "$rc" -eq 2 ] || { cat "$SG_TMP/spread6" >&2; sg_fail "--spread towards ::1: exit $rc, not 2"; }
sg_expect "$SG_TMP/spread6" "--spread is IPv4 only"
sg_info "ok: $(cat "$SG_TMP/spread"); ::1 refused"

# One access line per connection: 200 + NS of connrate, 1 of bulk; the
# NS of --spread from 127.0.0.2 and 127.0.0.3, each of them.
sg_log_wait "access user=bench cmd=connect" 10 $((201 + NS)) ||
	sg_fail "expected $((201 + NS)) access lines, found $(sg_log_count "access user=bench cmd=connect")"
n=$(sg_log_count " access ")
[ "$n" -eq $((201 + NS)) ] || sg_fail "expected $((201 + NS)) access lines, found $n"
n=$(grep -F " access " "$SG_LOG" | grep -cF "rep=0x00 up=1 down=1 ")
[ "$n" -eq $((200 + NS)) ] || sg_fail "expected $((200 + NS)) access lines of a 1-byte echo, found $n"
total=0
for a in 127.0.0.2 127.0.0.3; do
	n=$(grep -F " $a:" "$SG_LOG" | grep -cF " access user=bench ")
	[ "$n" -ge 1 ] || sg_fail "no access line from the spread worker at $a"
	total=$((total + n))
done
[ "$total" -eq "$NS" ] || sg_fail "expected $NS access lines from 127.0.0.2-3, found $total"
sg_info "ok: $((201 + NS)) access lines, $NS of them from 127.0.0.2-3"
exit 0
