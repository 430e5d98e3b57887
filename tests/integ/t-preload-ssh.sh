#!/bin/bash
# t-preload-ssh.sh - an unmodified ssh under `sixgate` logs in to
# root@web4.sgtest (a name only the gateway resolves, to 127.0.0.1) on a
# throwaway sshd started by the test (own host key, own authorized key,
# 127.0.0.1 only), and runs a command there.  Needs root (sshd).
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
. "$top_srcdir/tests/integ/preload.sh"
sg_init
sg_need_root "sshd must run as root to log root in"
sg_need ssh ssh-keygen getent
SSHD=
for c in /usr/sbin/sshd "$(command -v sshd 2>/dev/null)"; do
	[ -n "$c" ] && [ -x "$c" ] && { SSHD=$c; break; }
done
[ -n "$SSHD" ] || sg_skip "sshd (openssh-server) not installed"
getent passwd sshd >/dev/null || sg_skip "no privilege separation user sshd"
pl_init
pl_hosts
pl_unresolvable web4.sgtest
pl_gateway
pl_client_conf

T=$SG_TMP
timeout 60 ssh-keygen -q -t ed25519 -N '' -C "$SG_TEST host" -f "$T/hostkey" ||
	sg_error "ssh-keygen (host key) failed"
timeout 60 ssh-keygen -q -t ed25519 -N '' -C "$SG_TEST user" -f "$T/key" ||
	sg_error "ssh-keygen (user key) failed"
cp "$T/key.pub" "$T/authorized_keys"
chmod 0600 "$T/authorized_keys" "$T/key"

# sshd's privilege separation directory; removed again if we made it.
if [ ! -d /run/sshd ]; then
	mkdir -m 0755 /run/sshd || sg_skip "cannot create /run/sshd"
	sg_on_exit "rmdir /run/sshd 2>/dev/null"
fi

# The port: free a moment ago (sshd cannot be told to pick one); retried.
SSHD_PORT=
for try in 1 2 3; do
	port=$(pl_freeport) || sg_error "freeport failed"
	cat > "$T/sshd_config" <<CONF
Port $port
ListenAddress 127.0.0.1
HostKey $T/hostkey
AuthorizedKeysFile $T/authorized_keys
PidFile none
UsePAM no
StrictModes no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
AllowUsers root
UseDNS no
LogLevel VERBOSE
CONF
	timeout 20 "$SSHD" -t -f "$T/sshd_config" > "$T/sshd-t.err" 2>&1 ||
		sg_skip "sshd refuses the test configuration: $(head -n 3 "$T/sshd-t.err" | tr '\n' ' ')"
	: > "$T/sshd.$try.log"
	sg_bg timeout 300 "$SSHD" -D -e -f "$T/sshd_config" 2>> "$T/sshd.$try.log"
	SSHD_PID=$SG_BGPID
	end=$(( $(sg_now_ms) + 10000 ))
	while sg_alive "$SSHD_PID" && ! grep -q "Server listening on 127.0.0.1 port $port" "$T/sshd.$try.log"; do
		[ "$(sg_now_ms)" -lt "$end" ] || break
		sleep 0.05
	done
	if grep -q "Server listening on 127.0.0.1 port $port" "$T/sshd.$try.log"; then
		SSHD_PORT=$port
		SSHD_LOG=$T/sshd.$try.log
		break
	fi
	kill "$SSHD_PID" 2>/dev/null
	sg_wait_exit "$SSHD_PID" 5
done
[ -n "$SSHD_PORT" ] ||
	sg_skip "cannot run a throwaway sshd: $(tail -n 3 "$T/sshd.3.log" | tr '\n' ' ')"
sg_info "sshd on 127.0.0.1:$SSHD_PORT (pid $SSHD_PID)"

# Directly first (without the wrapper): proves sshd and the keys work.
SSH=(ssh -F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=no
    -o UserKnownHostsFile="$T/kh" -o GlobalKnownHostsFile=/dev/null
    -o IdentitiesOnly=yes -o ConnectTimeout=15 -o LogLevel=ERROR
    -i "$T/key" -p "$SSHD_PORT")
out=$(timeout 60 "${SSH[@]}" root@127.0.0.1 'echo direct-ok' 2> "$T/ssh.err") ||
	pl_fail_with "$SSHD_LOG" "ssh directly to 127.0.0.1:$SSHD_PORT failed: $(cat "$T/ssh.err")"
[ "$out" = direct-ok ] || sg_fail "ssh directly: got '$out'"

# Through the gateway, by name.
out=$(pl_run "${SSH[@]}" root@web4.sgtest "echo via-sixgate-$$; true" 2> "$T/ssh.err") || {
	cat "$T/ssh.err" >&2
	pl_fail_with "$SSHD_LOG" "ssh root@web4.sgtest under sixgate failed"
}
[ "$out" = "via-sixgate-$$" ] || sg_fail "ssh root@web4.sgtest: got '$out'"
pl_run "${SSH[@]}" root@web4.sgtest true 2> "$T/ssh.err" ||
	pl_fail_with "$T/ssh.err" "ssh ... root@web4.sgtest true failed"
grep -q "web4\.sgtest" "$T/kh" ||
	pl_fail_with "$T/kh" "the known hosts file has no entry for web4.sgtest"
sg_log_wait "dest=web4.sgtest:$SSHD_PORT" 10 2 ||
	sg_fail "expected 2 access lines with dest=web4.sgtest:$SSHD_PORT"
grep -F "dest=web4.sgtest:$SSHD_PORT" "$SG_LOG" | grep -qF "rep=0x00" ||
	sg_fail "access line for web4.sgtest:$SSHD_PORT without rep=0x00"
sg_info "ok: ssh root@web4.sgtest through the gateway"
exit 0
