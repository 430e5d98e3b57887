#!/bin/bash
# t-shutdown-cut.sh - timeouts.shutdown = 2: relays kept open (idle, through
# an echo server, one per listener) when SIGTERM arrives are cut after the
# grace time; the daemon exits 0 within ~5 s, each relay's access line
# says end=shutdown, and no "exiting with N sessions still open" is logged
# when every session wrote its line.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
sg_init

sg_pamwrap sam 'S4m-pw'
sg_conf shutdown=2
sg_start
sg_server ECHO echo --bind 127.0.0.1

hold() {	# NAME PROXY: an idle relay that stays open until the gateway cuts it
	timeout 60 "$SG_PY" "$SG_INTEG/admtool.py" req --proxy "$2" --user sam \
	    --password 'S4m-pw' --cmd connect --dest "127.0.0.1:$ECHO" --data "$1" \
	    --hold-file "$SG_TMP/never" --hold-max 40 > "$SG_TMP/$1" 2>&1 &
	SG_PIDS="$SG_PIDS $!"
	local end=$(( $(sg_now_ms) + 10000 ))
	until grep -q "^holding=1" "$SG_TMP/$1"; do
		[ "$(sg_now_ms)" -lt "$end" ] || { cat "$SG_TMP/$1" >&2; sg_fail "relay $1 not established"; }
		sleep 0.05
	done
	sg_expect "$SG_TMP/$1" "rep=0x00" "echo=ok"
}
hold r4 "127.0.0.1:$SG_PORT4"
hold r6 "[::1]:$SG_PORT6"

t0=$(sg_now_ms)
kill -TERM "$SG_PID"
sg_wait_exit "$SG_PID" 8 || sg_fail "sixgated still running 8 s after SIGTERM (timeouts.shutdown = 2)"
t1=$(sg_now_ms)
SG_PID=
[ "$SG_RC" = 0 ] || sg_fail "exit status $SG_RC after SIGTERM"
[ $((t1 - t0)) -ge 1500 ] || sg_fail "exited after $((t1 - t0)) ms: the relays were not given timeouts.shutdown = 2 s"
[ $((t1 - t0)) -le 5500 ] || sg_fail "exited $((t1 - t0)) ms after SIGTERM (timeouts.shutdown = 2, want <= ~5 s)"
n=$(grep -F "access user=sam " "$SG_LOG" | grep -cF "end=shutdown")
[ "$n" = 2 ] || sg_fail "$n of 2 relays have an access line with end=shutdown"
grep -qF "sessions still open" "$SG_LOG" &&
	sg_fail "'exiting with N sessions still open' although every relay logged its line"
sg_info "ok: exit 0 $((t1 - t0)) ms after SIGTERM, 2 access lines with end=shutdown"
exit 0
