#!/bin/bash
# t-control.sh - the control socket and sixgatectl against a live relay:
# status, sessions (text and --json), kill ID (end=killed), kill --user,
# reload with a good and a broken configuration, quota, a second daemon
# on the same socket path refused, a failed start leaving no socket, a
# stale socket file replaced.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
sg_init
sg_ctl_init

CS=$SG_CS
GRP=$(id -gn)
CTL_EXTRA="control: { socket = \"$CS\"; mode = \"0600\"; group = \"$GRP\"; };"

sg_pamwrap sam 'S4m-pw'
sg_conf extra="$CTL_EXTRA"
sg_start
sg_server ECHO echo --bind 127.0.0.1
[ -S "$CS" ] || sg_fail "no control socket at $CS"
mode=$(stat -c %a "$CS")
[ "$mode" = 600 ] || sg_fail "control socket mode $mode, want 600"

hold() {	# NAME: a relay of sam through the echo server, held open
	sg_hold "$1" --proxy "127.0.0.1:$SG_PORT4" --user sam --password 'S4m-pw' \
	    --dest "127.0.0.1:$ECHO" --data "hello-$1"
}
hold r1

# status
ctl status > "$SG_TMP/status" || sg_fail "status: exit $?"
grep -q "^relays active: 1$" "$SG_TMP/status" || { cat "$SG_TMP/status" >&2; sg_fail "status: relays active is not 1"; }
ok=$(sed -n 's/^logins ok: //p' "$SG_TMP/status")
[ "${ok:-0}" -ge 1 ] || sg_fail "status: logins ok ${ok:-?}, want >= 1"
ctl --json status > "$SG_TMP/status.json" || sg_fail "status --json: exit $?"
"$SG_PY" - "$SG_TMP/status.json" <<'PY' || sg_fail "status --json does not parse or is wrong"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["relays_active"] == 1 and d["logins_ok"] >= 1, d
assert d["bytes_up"] >= 8 and d["bytes_down"] >= 8, d
assert isinstance(d["version"], str) and d["uptime"] >= 0, d
PY

# sessions
ctl sessions > "$SG_TMP/sessions" || sg_fail "sessions: exit $?"
grep -E "^c[0-9]+ +sam +127\.0\.0\.1:[0-9]+ +127\.0\.0\.1:$ECHO +127\.0\.0\.1:$ECHO +connect +1 +8 +8 " \
    "$SG_TMP/sessions" >/dev/null || { cat "$SG_TMP/sessions" >&2; sg_fail "sessions: no line for the relay (user, dest, bytes 8/8)"; }
ctl --json sessions > "$SG_TMP/sessions.json" || sg_fail "sessions --json: exit $?"
id1=$("$SG_PY" - "$SG_TMP/sessions.json" "$ECHO" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))["sessions"]
assert len(d) == 1, d
s = d[0]
assert s["user"] == "sam" and s["dest"] == "127.0.0.1:" + sys.argv[2], s
assert s["cmd"] == "connect" and s["rule"] == 1, s
assert s["bytes_up"] == 8 and s["bytes_down"] == 8, s
print(s["id"])
PY
) || sg_fail "sessions --json does not parse or is wrong"

# kill ID
ctl kill "$id1" > "$SG_TMP/kill1" || sg_fail "kill $id1: exit $?"
sg_log_wait "end=killed" 10 || sg_fail "killed relay: no access line with end=killed"
grep -F "access user=sam " "$SG_LOG" | grep -qF "end=killed" || sg_fail "the end=killed line is not the relay's"
ctl kill 999999 > /dev/null 2>&1; rc=$?
[ "$rc" = 1 ] || sg_fail "kill of an unknown session: exit $rc, want 1"
ctl kill nonsense > /dev/null 2>&1; rc=$?
[ "$rc" = 1 ] || sg_fail "kill nonsense: exit $rc, want 1"

# kill --user
hold r2
hold r3
ctl kill --user sam > "$SG_TMP/kill2" || sg_fail "kill --user: exit $?"
grep -q "killed 2 sessions of user sam" "$SG_TMP/kill2" || { cat "$SG_TMP/kill2" >&2; sg_fail "kill --user: not 2 sessions"; }
sg_log_wait "end=killed" 10 3 || sg_fail "kill --user: not 3 end=killed lines in all"

# reload: good, then broken
ctl reload > "$SG_TMP/reload1" || { cat "$SG_TMP/reload1" >&2; sg_fail "reload of a good configuration: exit $?"; }
grep -q "configuration reloaded" "$SG_TMP/reload1" || sg_fail "reload: answer does not say it was taken"
cp "$SG_CONF" "$SG_TMP/good.conf"
echo "this is = not valid" >> "$SG_CONF"
ctl reload > "$SG_TMP/reload2" 2>&1; rc=$?
[ "$rc" = 1 ] || sg_fail "reload of a broken configuration: exit $rc, want 1"
grep -q "reload failed.*sixgated.conf:[0-9]" "$SG_TMP/reload2" || { cat "$SG_TMP/reload2" >&2; sg_fail "reload: the reason is not shown"; }
hold r4		# the old configuration still serves
cp "$SG_TMP/good.conf" "$SG_CONF"

# quota
ctl quota > "$SG_TMP/quota" || sg_fail "quota: exit $?"
grep -q "no quotas configured" "$SG_TMP/quota" || sg_fail "quota: unclear answer"
ctl quota sam > /dev/null || sg_fail "quota sam: exit $?"

# usage and connection errors: 2
"$SIXGATECTL" > /dev/null 2>&1; rc=$?
[ "$rc" = 2 ] || sg_fail "no command: exit $rc, want 2"
"$SIXGATECTL" -s "$SG_TMP/nothing.sock" status > /dev/null 2>&1; rc=$?
[ "$rc" = 2 ] || sg_fail "no daemon: exit $rc, want 2"

# a second daemon on the same socket path is refused
LOG2=$SG_TMP/second.log
timeout 10 "$SIXGATED" -d -f "$SG_CONF" > "$LOG2" 2>&1; rc=$?
[ "$rc" != 0 ] && [ "$rc" != 124 ] || sg_fail "second daemon on the same control socket: exit $rc"
grep -q "another daemon answers" "$LOG2" || { cat "$LOG2" >&2; sg_fail "second daemon: no clear error"; }
ctl status > /dev/null || sg_fail "the first daemon's socket is gone after the refused second one"

# a daemon whose port is taken exits and leaves no control socket behind
CS3=$SG_TMP/third.sock
sed -e "s|$CS|$CS3|" -e "s|\"127.0.0.1:0\"|\"127.0.0.1:$SG_PORT4\"|" "$SG_CONF" > "$SG_TMP/third.conf"
timeout 10 "$SIXGATED" -d -f "$SG_TMP/third.conf" > "$SG_TMP/third.log" 2>&1; rc=$?
[ "$rc" != 0 ] && [ "$rc" != 124 ] || sg_fail "daemon on a taken port: exit $rc"
grep -q "control socket $CS3" "$SG_TMP/third.log" || { cat "$SG_TMP/third.log" >&2; sg_fail "third daemon: control socket not opened first"; }
[ ! -e "$CS3" ] || sg_fail "a failed start left its control socket at $CS3"

# a stale socket file is replaced
touch "$SG_TMP/release.r4"
sg_stop || sg_fail "sixgated did not stop"
[ ! -e "$CS" ] || sg_fail "control socket left behind at a clean exit"
"$SG_PY" -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$CS"
[ -S "$CS" ] || sg_fail "cannot make a stale socket"
sg_start
grep -q "removing the stale" "$SG_LOG" || sg_fail "stale socket: not reported"
ctl status > /dev/null || sg_fail "status after replacing a stale socket"
sg_info "ok: status, sessions, --json, kill, kill --user, reload good/broken, quota, refusal, stale socket"
exit 0
