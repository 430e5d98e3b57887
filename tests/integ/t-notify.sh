#!/bin/bash
# t-notify.sh - the service manager notifications (sd_notify protocol,
# sixgated(8) SIGNALS) seen from a datagram socket standing in for
# systemd, once bound to a path and once to an abstract "@name":
#   READY=1 arrives after the "listening on" lines, with a STATUS that
#   counts relays ("1 relay active" while one runs); SIGHUP with a valid
#   configuration gives RELOADING=1 (with MONOTONIC_USEC) then READY=1;
#   with a broken one, READY=1 with "STATUS=reload failed: FILE:3: ..."
#   and the old configuration still serving; SIGTERM gives STOPPING=1.
#   Without NOTIFY_SOCKET nothing is sent.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
# A test run under a notify service must not report to the real one.
unset NOTIFY_SOCKET
sg_init

sg_pamwrap ivan 'iv4n-pw'
BASE_ENV=("${SG_DAEMON_ENV[@]}")
sg_server SINK sink --bind 127.0.0.1 --out "$SG_TMP/sink" --reply
A=(--user ivan --password 'iv4n-pw')

# nlisten ADDR OUT LOG: a stand-in for systemd's notify socket at ADDR
# ("/path" or "@name"); one line per datagram in OUT (newlines as '|'),
# prefixed with the number of "listening on" lines LOG had by then.
nlisten() {
	rm -f "$2" "$2.ready"
	sg_bg timeout 120 "$SG_PY" -c '
import socket, sys
addr, out, log = sys.argv[1:4]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + addr[1:] if addr.startswith("@") else addr)
open(out + ".ready", "w").write("1\n")
with open(out, "a", buffering=1) as f:
    while True:
        d = s.recv(4096).decode("utf-8", "replace").replace("\n", "|")
        try:
            n = sum("listening on" in l for l in open(log, errors="replace"))
        except OSError:
            n = -1
        f.write("listening=%d %s\n" % (n, d))' "$1" "$2" "$3" \
		2>>"$SG_TMP/servers.err"
	NL_PID=$SG_BGPID
	: >> "$2"
	sg_wait_file "$2.ready" 10 || sg_error "notify listener did not start"
}

# nwait PATTERN TIMEOUT [COUNT]: until $NOUT has COUNT lines matching the
# fixed PATTERN.
nwait() {
	local end
	end=$(( $(sg_now_ms) + $2 * 1000 ))
	while [ "$(grep -cF -- "$1" "$NOUT")" -lt "${3:-1}" ]; do
		[ "$(sg_now_ms)" -lt "$end" ] || {
			echo "--- notifications ($NOUT) ---" >&2
			cat "$NOUT" >&2
			sg_fail "no '$1' notification (x${3:-1}) within $2 s"
		}
		sleep 0.05
	done
}

# The next daemon log sg_start will write.
next_log() {
	echo "$SG_TMP/sixgated.$((SG_NSTART + 1)).log"
}

# reload_ok: SIGHUP with a valid configuration -> RELOADING=1, READY=1.
reload_ok() {
	local n r
	n=$(sg_log_count "configuration reloaded")
	r=$(grep -c "READY=1" "$NOUT")
	kill -HUP "$SG_PID"
	sg_log_wait "configuration reloaded" 10 $((n + 1)) ||
		sg_fail "no 'configuration reloaded' after SIGHUP"
	nwait "READY=1" 10 $((r + 1))
	tail -n 2 "$NOUT" | head -n 1 | grep -q " RELOADING=1|MONOTONIC_USEC=[1-9][0-9]*$" &&
	    tail -n 1 "$NOUT" | grep -q " READY=1|STATUS=[0-9]* relays\? active$" || {
		cat "$NOUT" >&2
		sg_fail "a reload did not send RELOADING=1 with MONOTONIC_USEC, then READY=1"
	}
	sg_info "ok: reload -> RELOADING=1, READY=1"
}

# --------------------------------------------------- a socket at a path

NOUT=$SG_TMP/notify.path
nlisten "$SG_TMP/notify.sock" "$NOUT" "$(next_log)"
sg_conf
SG_DAEMON_ENV=("${BASE_ENV[@]}" NOTIFY_SOCKET="$SG_TMP/notify.sock")
sg_start
nwait "READY=1" 10
grep -q "^listening=2 READY=1|STATUS=0 relays active$" "$NOUT" || {
	cat "$NOUT" >&2
	sg_fail "READY=1 came before both 'listening on' lines, or without 'STATUS=0 relays active'"
}
[ "$(head -n 1 "$NOUT" | cut -d' ' -f2-)" = "READY=1|STATUS=0 relays active" ] ||
	{ cat "$NOUT" >&2; sg_fail "something was sent before READY=1"; }
sg_info "ok: READY=1 after the listeners, STATUS=0 relays active"

# A relay running: the STATUS follows (refreshed every 3 s, changes only).
sgtool socks "${A[@]}" --proxy "127.0.0.1:$SG_PORT4" --dest "127.0.0.1:$SINK" \
    --data-len 1048576 --chunk 16384 --chunk-delay 0.15 \
    --shutdown-wr --read --timeout 30 > "$SG_TMP/slow" 2>&1 &
SLOW=$!
SG_PIDS="$SG_PIDS $SLOW"
nwait "STATUS=1 relay active" 9
kill "$SLOW" 2>/dev/null
sg_wait_exit "$SLOW" 5
nwait "STATUS=0 relays active" 9 2
sg_info "ok: STATUS=1 relay active while a relay ran, then 0 again"

reload_ok

# A broken configuration: READY=1 with the failure in STATUS.
good=$(cat "$SG_CONF")
printf 'listen = [ "127.0.0.1:0", "[::1]:0" ];\nauth: { methods = [ "username" ]; };\ntimeouts: { handshake = ; };\n' > "$SG_CONF"
r=$(grep -c "READY=1" "$NOUT")
kill -HUP "$SG_PID"
sg_log_wait "reload failed" 10 || sg_fail "no 'reload failed' after SIGHUP with a bad config"
nwait "READY=1" 10 $((r + 1))
tail -n 2 "$NOUT" | head -n 1 | grep -q " RELOADING=1|" || sg_fail "no RELOADING=1 before a failed reload"
tail -n 1 "$NOUT" | grep -qF " READY=1|STATUS=reload failed: $SG_CONF:3: " || {
	cat "$NOUT" >&2
	sg_fail "a failed reload did not send READY=1 with 'STATUS=reload failed: $SG_CONF:3: ...'"
}
[ "$(tail -n 1 "$NOUT" | tr -cd '|' | wc -c)" = 1 ] ||
	sg_fail "the failure reason broke the STATUS line"
sg_alive "$SG_PID" || sg_fail "sixgated died after a failed reload"
# The old configuration serves.
sgtool socks "${A[@]}" --proxy "127.0.0.1:$SG_PORT4" --dest "127.0.0.1:$SINK" \
    --data x --shutdown-wr --read > "$SG_TMP/o1" 2>&1
sg_expect "$SG_TMP/o1" "rep=0x00"
sg_info "ok: failed reload -> READY=1, STATUS=reload failed: $SG_CONF:3: ..."

# The failure stays in STATUS until the next reload, which clears it.
printf '%s\n' "$good" > "$SG_CONF"
reload_ok
tail -n 1 "$NOUT" | grep -q "reload failed" && sg_fail "a good reload kept 'reload failed' in STATUS"

sg_stop || sg_fail "sixgated did not stop"
[ "$SG_RC" = 0 ] || sg_fail "exit status $SG_RC after SIGTERM"
sleep 0.2
tail -n 1 "$NOUT" | grep -q " STOPPING=1|STATUS=shutting down$" ||
	{ cat "$NOUT" >&2; sg_fail "no STOPPING=1 at SIGTERM"; }
sg_info "ok: SIGTERM -> STOPPING=1"
kill "$NL_PID" 2>/dev/null

# --------------------------------------------------- an abstract socket

NOUT=$SG_TMP/notify.abstract
ABS=@sixgate-t-notify-$$-$RANDOM
nlisten "$ABS" "$NOUT" "$(next_log)"
SG_DAEMON_ENV=("${BASE_ENV[@]}" NOTIFY_SOCKET="$ABS")
sg_start
nwait "READY=1" 10
grep -q "^listening=2 READY=1|STATUS=0 relays active$" "$NOUT" ||
	{ cat "$NOUT" >&2; sg_fail "abstract $ABS: no READY=1 after the listeners"; }
reload_ok
sg_stop || sg_fail "sixgated did not stop"
sleep 0.2
tail -n 1 "$NOUT" | grep -q " STOPPING=1|" || sg_fail "abstract $ABS: no STOPPING=1"
sg_info "ok: abstract $ABS: READY=1, RELOADING=1/READY=1, STOPPING=1"
kill "$NL_PID" 2>/dev/null

# --------------------------------------------------- no NOTIFY_SOCKET

NOUT=$SG_TMP/notify.none
nlisten "$SG_TMP/notify2.sock" "$NOUT" "$(next_log)"
SG_DAEMON_ENV=("${BASE_ENV[@]}")
sg_start
kill -HUP "$SG_PID"
sg_log_wait "configuration reloaded" 10 || sg_fail "no 'configuration reloaded' without NOTIFY_SOCKET"
sgtool socks "${A[@]}" --proxy "[::1]:$SG_PORT6" --dest "127.0.0.1:$SINK" \
    --data x --shutdown-wr --read > "$SG_TMP/o2" 2>&1
sg_expect "$SG_TMP/o2" "rep=0x00"
sg_stop || sg_fail "sixgated did not stop"
[ "$SG_RC" = 0 ] || sg_fail "exit status $SG_RC after SIGTERM"
sleep 0.3
[ ! -s "$NOUT" ] || { cat "$NOUT" >&2; sg_fail "sent notifications without NOTIFY_SOCKET"; }
sg_info "ok: without NOTIFY_SOCKET nothing is sent"
exit 0
