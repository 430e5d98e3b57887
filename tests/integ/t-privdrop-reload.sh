#!/bin/bash
# t-privdrop-reload.sh - (root) reload after the privilege drop: sixgated
# starts as root with user = a throwaway system user, drops to it, and on
# SIGHUP reads the changed configuration as that user (sixgated(8),
# CAVEATS): the new rules apply, a relay opened before the reload goes
# on, new relays work; a configuration file the user cannot read is a
# failed reload that keeps the old configuration.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
sg_need_root "the daemon must start as root to drop privileges"
sg_init
sg_need useradd userdel groupdel getent
DUSER=sgrl$$
sg_add_user "$DUSER" --system -U -M -d /nonexistent -s /usr/sbin/nologin
DUID=$(id -u "$DUSER")
chmod 755 "$SG_TMP"
PW="Rl-$$-$RANDOM"
sg_pamwrap rita "$PW"
chmod -R a+rX "$SG_TMP/pam.d" "$SG_PASSDB"
sg_server ECHO echo --bind 127.0.0.1
sg_server ECHO2 echo --bind 127.0.0.1
sg_conf user="$DUSER"
chmod 644 "$SG_CONF"
sg_start
sg_log_wait "running as user $DUSER (uid $DUID)" 5 ||
	sg_fail "no 'running as user $DUSER (uid $DUID)' line"
uids=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$SG_PID/status")
[ "$uids" = "$DUID $DUID $DUID $DUID" ] || sg_fail "uids after the drop: $uids, want $DUID"
P="127.0.0.1:$SG_PORT4"
A=(--user rita --password "$PW")

# A relay that stays open across the reload: 3 s of slow data.
sg_bg sgtool socks "${A[@]}" --proxy "$P" --dest "127.0.0.1:$ECHO" \
    --data "$(head -c 300 /dev/zero | tr "\0" x)" --echo-check \
    --chunk 10 --chunk-delay 0.1 > "$SG_TMP/long" 2>&1
LONG=$SG_BGPID
sgtool socks "${A[@]}" --proxy "$P" --dest "127.0.0.1:$ECHO2" --data a --echo-check > "$SG_TMP/o1" 2>&1
sg_expect "$SG_TMP/o1" "rep=0x00" "echo=ok"

# The new configuration: ECHO2's port denied.
sg_conf user="$DUSER" rules="{ name = \"no-echo2\"; action = \"deny\"; to = [ \"127.0.0.1\" ]; ports = [ $ECHO2 ]; },
  { name = \"loopback\"; action = \"allow\"; to = [ \"127.0.0.0/8\", \"::1/128\" ]; }"
chmod 644 "$SG_CONF"
sg_alive "$LONG" || sg_error "the long relay ended before the reload (loaded host?)"
kill -HUP "$SG_PID"
sg_log_wait "configuration reloaded from $SG_CONF" 10 ||
	sg_fail "no 'configuration reloaded' after SIGHUP as $DUSER"
sgtool socks "${A[@]}" --proxy "$P" --dest "127.0.0.1:$ECHO2" --data b > "$SG_TMP/o2" 2>&1
sg_expect "$SG_TMP/o2" "rep=0x02"
sgtool socks "${A[@]}" --proxy "$P" --dest "127.0.0.1:$ECHO" --data c --echo-check > "$SG_TMP/o3" 2>&1
sg_expect "$SG_TMP/o3" "rep=0x00" "echo=ok"
sg_info "ok: reloaded as $DUSER: the new rule applies, relays work"

# A file the user cannot read: a failed reload, the old configuration kept.
chmod 600 "$SG_CONF"
kill -HUP "$SG_PID"
sg_log_wait "reload failed" 10 || sg_fail "no 'reload failed' for a file $DUSER cannot read"
sgtool socks "${A[@]}" --proxy "$P" --dest "127.0.0.1:$ECHO2" --data d > "$SG_TMP/o4" 2>&1
sg_expect "$SG_TMP/o4" "rep=0x02"
sg_info "ok: an unreadable file: reload failed, old configuration kept"

sg_wait_exit "$LONG" 30 || sg_fail "the relay opened before the reload did not finish"
[ "$SG_RC" = 0 ] || { cat "$SG_TMP/long" >&2; sg_fail "the relay opened before the reload failed"; }
sg_expect "$SG_TMP/long" "rep=0x00" "echo=ok"
sg_info "ok: the relay opened before the reloads carried on"
sg_stop || sg_fail "sixgated did not stop"
exit 0
