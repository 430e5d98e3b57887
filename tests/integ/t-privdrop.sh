#!/bin/bash
# t-privdrop.sh (root) - user = a throwaway system user in group shadow:
# after start-up no uid/gid of the daemon is 0; PAM (pam_unix through
# /etc/pam.d/other, as the service has no file of its own) still
# authenticates a throwaway login user; a wrong password fails.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
sg_need_root "the daemon must start as root to drop privileges"
sg_init
sg_need curl useradd userdel usermod chpasswd getent groupdel
getent group shadow >/dev/null || sg_skip "no group shadow"
sg_pam_other
SVC=$SG_SVC

DUSER=sgtd$$
LUSER=sgtu$$
PW="Pw-$$-$RANDOM-x"
sg_add_user "$DUSER" --system -U -M -d /nonexistent -s /usr/sbin/nologin
sg_retry timeout 30 usermod -aG shadow "$DUSER" || sg_error "usermod -aG shadow failed"
sg_add_user "$LUSER" -U -M -d /nonexistent -s /usr/sbin/nologin
echo "$LUSER:$PW" | sg_retry timeout 30 chpasswd || sg_error "chpasswd failed"
DUID=$(id -u "$DUSER")
DGID=$(id -g "$DUSER")
SHADOW_GID=$(getent group shadow | cut -d: -f3)

chmod 755 "$SG_TMP"
sg_conf user="$DUSER" pam_service="$SVC"
sg_start
sg_log_wait "running as user $DUSER (uid $DUID)" 5 ||
	sg_fail "no 'running as user $DUSER (uid $DUID)' line"

# Every thread: no 0 among real/effective/saved/fs uids and gids, and no
# supplementary group 0; the shadow group is kept.
for st in /proc/"$SG_PID"/task/*/status; do
	uids=$(sed -n 's/^Uid:[[:space:]]*//p' "$st")
	gids=$(sed -n 's/^Gid:[[:space:]]*//p' "$st")
	groups=$(sed -n 's/^Groups:[[:space:]]*//p' "$st")
	for id in $uids; do
		[ "$id" = "$DUID" ] || sg_fail "$st: Uid: $uids (want all $DUID)"
	done
	for id in $gids; do
		[ "$id" = "$DGID" ] || sg_fail "$st: Gid: $gids (want all $DGID)"
	done
	for g in $groups; do
		[ "$g" != 0 ] || sg_fail "$st: Groups: $groups contains 0"
	done
	case " $groups " in
	*" $SHADOW_GID "*) ;;
	*) sg_fail "$st: Groups: $groups lacks shadow ($SHADOW_GID): initgroups not done" ;;
	esac
done
sg_info "ok: running as $(sed -n 's/^Uid:/Uid:/p' /proc/"$SG_PID"/status)"

mkdir -p "$SG_TMP/www"
echo "privdrop ok" > "$SG_TMP/www/f"
sg_server HTTP http --bind 127.0.0.1 --dir "$SG_TMP/www"

sg_curl --socks5-hostname "127.0.0.1:$SG_PORT4" --proxy-user "$LUSER:$PW" \
    -o "$SG_TMP/got" "http://127.0.0.1:$HTTP/f" ||
	sg_fail "curl login as $LUSER through the unprivileged daemon failed"
cmp -s "$SG_TMP/got" "$SG_TMP/www/f" || sg_fail "content differs"
sg_info "ok: pam_unix login after the privilege drop"

sgtool socks --proxy "[::1]:$SG_PORT6" --user "$LUSER" --password "wrong-$PW" \
    --dest "127.0.0.1:$HTTP" --close-wait 10 > "$SG_TMP/o" 2>&1
sg_expect "$SG_TMP/o" "auth=0x01" "closed=1"
if sg_curl --socks5-hostname "127.0.0.1:$SG_PORT4" --proxy-user "$LUSER:x$PW" \
    -o /dev/null "http://127.0.0.1:$HTTP/f" 2>/dev/null; then
	sg_fail "curl with a wrong password succeeded"
fi
sg_log_wait "authentication failed" 10 2 || sg_fail "no 'authentication failed' lines"
grep -qF -- "$PW" "$SG_LOG" && sg_fail "the password appears in the log"

sg_stop || sg_fail "sixgated did not stop"
[ "$SG_RC" = 0 ] || sg_fail "exit status $SG_RC after SIGTERM"
exit 0
