#!/bin/bash
# t-reload.sh - SIGHUP: a relay open across the reload keeps its data
# intact; a valid reload logs "configuration reloaded" and its rules apply
# to new connections; an invalid config logs "reload failed: FILE:LINE:"
# and the previous configuration stays in force.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
sg_init

sg_pamwrap ivan 'iv4n-pw'
sg_server SINK sink --bind 127.0.0.1 --out "$SG_TMP/sink" --reply
sg_server ECHO echo --bind ::1
sg_conf
sg_start
P4=127.0.0.1:$SG_PORT4
A=(--user ivan --password 'iv4n-pw')

# Before: the sink is reachable.
sgtool socks "${A[@]}" --proxy "$P4" --dest "127.0.0.1:$SINK" --data x \
    --shutdown-wr --read > "$SG_TMP/o0" 2>&1
sg_expect "$SG_TMP/o0" "rep=0x00" "recv_bytes="

# A slow stream (2 MiB over ~4 s) across the reload.
sgtool socks "${A[@]}" --proxy "$P4" --dest "127.0.0.1:$SINK" \
    --data-len 2097152 --chunk 16384 --chunk-delay 0.03 \
    --shutdown-wr --read --timeout 30 > "$SG_TMP/slow" 2>&1 &
SLOW=$!
SG_PIDS="$SG_PIDS $SLOW"
end=$(( $(sg_now_ms) + 10000 ))
until grep -q "^rep=0x00" "$SG_TMP/slow"; do
	[ "$(sg_now_ms)" -lt "$end" ] || { cat "$SG_TMP/slow" >&2; sg_fail "slow client got no success reply"; }
	sleep 0.05
done
sleep 1

# Valid reload: deny the sink's port from now on.
sg_conf rules="
  { name = \"no-sink\"; action = \"deny\"; to = [ \"127.0.0.1\" ]; ports = [ $SINK ]; },
  { name = \"loopback\"; action = \"allow\"; to = [ \"127.0.0.0/8\", \"::1/128\" ]; }"
kill -HUP "$SG_PID"
sg_log_wait "configuration reloaded" 10 || sg_fail "no 'configuration reloaded' after SIGHUP"
sg_alive "$SLOW" || { cat "$SG_TMP/slow" >&2; sg_fail "the slow stream ended before the reload completed (test too fast?)"; }

sgtool socks "${A[@]}" --proxy "$P4" --dest "127.0.0.1:$SINK" --data x > "$SG_TMP/o1" 2>&1
sg_expect "$SG_TMP/o1" "rep=0x02"
sg_log_wait "denied by rule 1 (no-sink)" 5 || sg_fail "no 'denied by rule 1 (no-sink)' line"
sgtool socks "${A[@]}" --proxy "[::1]:$SG_PORT6" --dest "[::1]:$ECHO" --data y \
    --echo-check > "$SG_TMP/o2" 2>&1
sg_expect "$SG_TMP/o2" "rep=0x00" "echo=ok"

# The relay that was open across the reload completes intact.
sg_wait_exit "$SLOW" 40 || sg_fail "slow client did not finish"
sent=$(sed -n 's/^sent_sha256=//p' "$SG_TMP/slow")
want=$(printf '2097152 %s\n' "$sent" | sha256sum | cut -d' ' -f1)
grep -q "^recv_sha256=$want$" "$SG_TMP/slow" || {
	cat "$SG_TMP/slow" "$SG_TMP/sink" >&2
	sg_fail "the relay open across SIGHUP did not carry its 2 MiB intact"
}
sg_info "ok: relay across reload intact, new rule applied"

# Invalid config: syntax error on line 3.
good=$(cat "$SG_CONF")
printf 'listen = [ "127.0.0.1:0", "[::1]:0" ];\nauth: { methods = [ "username" ]; };\ntimeouts: { handshake = ; };\n' > "$SG_CONF"
kill -HUP "$SG_PID"
sg_log_wait "reload failed" 10 || sg_fail "no 'reload failed' after SIGHUP with a bad config"
grep -F "reload failed" "$SG_LOG" | grep -qF "$SG_CONF:3:" ||
	sg_fail "'reload failed' line without '$SG_CONF:3:'"
# An unknown key, too.
printf '%s\nbogus_key = 1;\n' "$good" > "$SG_CONF"
kill -HUP "$SG_PID"
sg_log_wait "reload failed" 10 2 || sg_fail "no second 'reload failed'"
grep -F "reload failed" "$SG_LOG" | grep -F "bogus_key" | grep -q "unknown" ||
	sg_fail "'reload failed' line does not name the unknown key"
sg_alive "$SG_PID" || sg_fail "sixgated died after a failed reload"
[ "$(sg_log_count "configuration reloaded")" -eq 1 ] ||
	sg_fail "a failed reload was logged as 'configuration reloaded'"

# The previous configuration (with no-sink) is still in force.
sgtool socks "${A[@]}" --proxy "$P4" --dest "127.0.0.1:$SINK" --data x > "$SG_TMP/o3" 2>&1
sg_expect "$SG_TMP/o3" "rep=0x02"
sgtool socks "${A[@]}" --proxy "$P4" --dest "[::1]:$ECHO" --data z --echo-check > "$SG_TMP/o4" 2>&1
sg_expect "$SG_TMP/o4" "rep=0x00" "echo=ok"

# Back to a valid config without the deny rule: reachable again.
printf '%s\n' "$good" | sed '/no-sink/d' > "$SG_CONF"
kill -HUP "$SG_PID"
sg_log_wait "configuration reloaded" 10 2 || sg_fail "no second 'configuration reloaded'"
sgtool socks "${A[@]}" --proxy "$P4" --dest "127.0.0.1:$SINK" --data x \
    --shutdown-wr --read > "$SG_TMP/o5" 2>&1
sg_expect "$SG_TMP/o5" "rep=0x00" "recv_bytes="

# A listen change needs a restart (sixgated(8), SIGHUP): the new
# configuration is valid, so it replaces the old one and "configuration
# reloaded" is logged, with a warning that the listeners stay; no
# "reload failed", no new listener.
sg_conf listen='"127.0.0.1:0"'
kill -HUP "$SG_PID"
sg_log_wait "configuration reloaded" 10 3 ||
	sg_fail "a valid configuration with a new listen list was not reloaded"
[ "$(sg_log_count "reload failed")" -eq 2 ] ||
	sg_fail "a listen change was logged as 'reload failed'"
sg_log_wait "reload: listen changes take effect only after a restart; the old listeners stay open" 1 ||
	sg_fail "a listen change was not logged as needing a restart"
[ "$(sg_log_count "listening on")" -eq 2 ] ||
	sg_fail "a reload opened listeners"
sgtool socks "${A[@]}" --proxy "[::1]:$SG_PORT6" --dest "[::1]:$ECHO" --data w \
    --echo-check > "$SG_TMP/o6" 2>&1
sg_expect "$SG_TMP/o6" "rep=0x00" "echo=ok"

sg_stop || sg_fail "sixgated did not stop"
[ "$SG_RC" = 0 ] || sg_fail "exit status $SG_RC after SIGTERM"
exit 0
