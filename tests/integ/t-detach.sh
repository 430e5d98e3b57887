#!/bin/bash
# t-detach.sh - (root) sixgated without -d: it forks, the parent exits 0
# once the listeners are bound, the child (a new session, cwd /) serves
# clients and logs to syslog (facility daemon, ident "sixgated" with the
# PID), reloads on SIGHUP and stops on SIGTERM.
#
# No syslog daemon is needed: the daemon runs in a private mount namespace
# whose /dev is a tmpfs with the usual nodes linked from the real /dev and
# /dev/log linked to a Unix datagram socket of this test, which writes
# every message it receives to a file.  Nothing outside the namespace
# changes.  The child is found by the PID in its syslog lines (and checked
# to be our program in our mount namespace) and killed by that PID.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
sg_need_root "a private mount namespace with its own /dev/log"
sg_init
sg_need unshare mount
sg_pamwrap ulla 'U11a-pw'
sg_server ECHO echo --bind 127.0.0.1
sg_conf listen='"127.0.0.1:0"'

# The syslog listener.
SYSLOG=$SG_TMP/syslog.txt
SOCK=$SG_TMP/log.sock
: > "$SYSLOG"
sg_bg timeout 300 "$SG_PY" -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o666)
open(sys.argv[2] + ".ready", "w").write("1\n")
with open(sys.argv[2], "a") as f:
    while True:
        f.write(s.recv(65536).decode("utf-8", "replace").rstrip("\n\0") + "\n")
        f.flush()' "$SOCK" "$SYSLOG" 2>>"$SG_TMP/servers.err"
sg_wait_file "$SYSLOG.ready" 10 || sg_error "syslog listener did not start"

# The namespace's /dev, and the daemon without -d.
cat > "$SG_TMP/in-ns.sh" <<'NS'
set -e
T=$1
shift
mount --make-rprivate /
mkdir -p "$T/realdev"
mount --rbind /dev "$T/realdev"
mount -t tmpfs -o mode=755 sgdev /dev
for n in null zero full random urandom tty pts shm fd stdin stdout stderr ptmx; do
	[ -e "$T/realdev/$n" ] || [ -L "$T/realdev/$n" ] && ln -s "$T/realdev/$n" "/dev/$n"
done
ln -s "$T/log.sock" /dev/log
readlink /proc/self/ns/mnt > "$T/mntns"
exec "$@"
NS
# Whatever runs in our private mount namespace at the end is ours (the
# detached child when a check failed before it was stopped): kill it.
ns_kill() {
	local ns p
	ns=$(cat "$SG_TMP/mntns" 2>/dev/null) || return 0
	[ -n "$ns" ] || return 0
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/ns/mnt" 2>/dev/null)" = "$ns" ] && kill -KILL "${p#/proc/}" 2>/dev/null
	done
	return 0
}
sg_on_exit ns_kill
rc=0
t0=$(sg_now_ms)
timeout 20 env "${SG_DAEMON_ENV[@]}" unshare -m sh "$SG_TMP/in-ns.sh" "$SG_TMP" \
    "$SIXGATED" -f "$SG_CONF" > "$SG_TMP/parent.out" 2> "$SG_TMP/parent.err" || rc=$?
SG_LOG=$SG_TMP/parent.err	# for sg_fail
[ "$rc" = 0 ] || sg_fail "the parent exited with $rc, want 0"
sg_info "ok: the parent exited 0 after $(( $(sg_now_ms) - t0 )) ms"
PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$SG_TMP/parent.err" | head -n 1)
[ -n "$PORT" ] || sg_fail "the parent did not report its listener on stderr"

# A client: the child serves it and logs the access line to syslog.
sgtool socks --proxy "127.0.0.1:$PORT" --user ulla --password 'U11a-pw' \
    --dest "127.0.0.1:$ECHO" --data detached --echo-check > "$SG_TMP/c1" 2>&1
sg_expect "$SG_TMP/c1" "rep=0x00" "echo=ok"
SG_LOG=$SYSLOG
sg_log_wait "access user=ulla cmd=connect dest=127.0.0.1:$ECHO" 10 ||
	sg_fail "no access line in syslog"
line=$(grep -F "access user=ulla" "$SYSLOG" | head -n 1)
# <30> = facility daemon (3) * 8 + info (6).
DPID=$(printf '%s\n' "$line" | sed -n 's/^<30>.*sixgated\[\([0-9][0-9]*\)\]: .*/\1/p')
[ -n "$DPID" ] || sg_fail "the access line is not '<30>... sixgated[PID]: ...' (daemon.info): $line"
# That PID is our daemon, in our namespace, not the parent.
[ "$(readlink "/proc/$DPID/exe")" = "$(readlink -f "$SIXGATED")" ] &&
    tr '\0' ' ' < "/proc/$DPID/cmdline" | grep -qF -- "-f $SG_CONF" ||
	sg_fail "PID $DPID from syslog is not our sixgated"
[ "$(readlink "/proc/$DPID/ns/mnt")" = "$(cat "$SG_TMP/mntns")" ] ||
	sg_fail "PID $DPID is not in the test's mount namespace"
sid=$(awk '{ print $6 }' "/proc/$DPID/stat")
[ "$sid" = "$DPID" ] || sg_fail "the child is not a session leader (sid $sid, pid $DPID)"
[ "$(readlink "/proc/$DPID/cwd")" = / ] || sg_fail "the child's cwd is not /"
[ "$(readlink "/proc/$DPID/fd/2")" = /dev/null ] ||
    [ "$(readlink "/proc/$DPID/fd/2")" = "$SG_TMP/realdev/null" ] ||
	sg_fail "the child's stderr is $(readlink "/proc/$DPID/fd/2"), not /dev/null"
grep -qF "access user=ulla" "$SG_TMP/parent.err" &&
	sg_fail "the access line went to the parent's stderr"
sg_info "ok: the child (pid $DPID) serves and logs to syslog: $line"

# SIGHUP: reloaded, said in syslog.
kill -HUP "$DPID"
sg_log_wait "configuration reloaded from $SG_CONF" 10 || sg_fail "no reload line in syslog"
# SIGTERM: stops, says so.
kill -TERM "$DPID"
sg_log_wait "shutting down" 10 || sg_fail "no 'shutting down' line in syslog"
end=$(( $(sg_now_ms) + 10000 ))
while [ -e "/proc/$DPID" ]; do
	[ "$(sg_now_ms)" -lt "$end" ] || sg_fail "the child did not exit after SIGTERM"
	sleep 0.05
done
sg_info "ok: SIGHUP and SIGTERM reach the detached daemon"
exit 0
