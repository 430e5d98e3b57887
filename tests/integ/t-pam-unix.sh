#!/bin/bash
# t-pam-unix.sh (root) - the system's PAM (pam_unix via /etc/pam.d/other)
# with a throwaway user: right password works, wrong one is refused, an
# expired account is refused even with the right password (pam_acct_mgmt),
# a locked account is refused.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
sg_need_root "needs a throwaway system account"
sg_init
sg_need useradd userdel usermod chpasswd chage getent groupdel
sg_pam_other
SVC=$SG_SVC

LUSER=sgtp$$
PW="Pu-$$-$RANDOM-y"
sg_add_user "$LUSER" -U -M -d /nonexistent -s /usr/sbin/nologin
echo "$LUSER:$PW" | sg_retry timeout 30 chpasswd || sg_error "chpasswd failed"

sg_conf pam_service="$SVC"
sg_start
sg_server ECHO echo --bind 127.0.0.1

try() {	# NAME EXPECTED-AUTH PASSWORD
	sgtool socks --proxy "127.0.0.1:$SG_PORT4" --user "$LUSER" --password "$3" \
	    --dest "127.0.0.1:$ECHO" --data "$1" --echo-check --close-wait 10 \
	    --timeout 20 > "$SG_TMP/$1" 2>&1
	grep -q "^auth=$2 " "$SG_TMP/$1" || {
		cat "$SG_TMP/$1" >&2
		sg_fail "$1: expected auth=$2"
	}
	if [ "$2" = 0x00 ]; then
		sg_expect "$SG_TMP/$1" "rep=0x00" "echo=ok"
	else
		sg_expect "$SG_TMP/$1" "closed=1"
	fi
	sg_info "ok: $1 -> auth=$2"
}

try good 0x00 "$PW"
try wrong 0x01 "not-$PW"

sg_retry timeout 30 chage -E 0 "$LUSER" || sg_error "chage -E 0 failed"
try expired 0x01 "$PW"
sg_retry timeout 30 chage -E -1 "$LUSER" || sg_error "chage -E -1 failed"
try unexpired 0x00 "$PW"

sg_retry timeout 30 usermod -L "$LUSER" || sg_error "usermod -L failed"
try locked 0x01 "$PW"
sg_retry timeout 30 usermod -U "$LUSER" || sg_error "usermod -U failed"
try unlocked 0x00 "$PW"

# Concurrent logins through the system PAM stack (Debian's common-auth
# runs pam_cap.so after pam_unix, with a 256 KiB stack frame): the daemon
# must survive them and answer each correctly.
for round in 1 2 3; do
	pids=
	for k in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do
		if [ $((k % 4)) = 0 ]; then p="bad-$PW"; else p=$PW; fi
		sgtool socks --proxy "127.0.0.1:$SG_PORT4" --user "$LUSER" --password "$p" \
		    --dest "127.0.0.1:$ECHO" --data "c$k" --echo-check --close-wait 10 \
		    --timeout 30 > "$SG_TMP/conc.$k" 2>&1 &
		pids="$pids $!"
	done
	SG_PIDS="$SG_PIDS $pids"
	for p in $pids; do
		sg_wait_exit "$p" 60 || sg_fail "a concurrent client did not finish"
	done
	sg_alive "$SG_PID" || sg_fail "sixgated died during concurrent PAM logins (round $round)"
	for k in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do
		if [ $((k % 4)) = 0 ]; then
			grep -q "^auth=0x01 " "$SG_TMP/conc.$k" || { cat "$SG_TMP/conc.$k" >&2; sg_fail "concurrent login $k (wrong password): expected auth=0x01"; }
		else
			grep -q "^echo=ok" "$SG_TMP/conc.$k" || { cat "$SG_TMP/conc.$k" >&2; sg_fail "concurrent login $k failed"; }
		fi
	done
done
sg_info "ok: 3 rounds of 16 concurrent logins"

sg_log_wait "authentication failed" 10 3 || sg_fail "expected 3 'authentication failed' lines"
grep -F "authentication failed" "$SG_LOG" | grep -qF "user=\"$LUSER\"" ||
	sg_fail "'authentication failed' without user=\"$LUSER\""
grep -qF -- "$PW" "$SG_LOG" && sg_fail "the password appears in the log"
exit 0
