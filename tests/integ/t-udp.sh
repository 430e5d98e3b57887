#!/bin/bash
# t-udp.sh - UDP ASSOCIATE (RFC 1928 section 7; RFC 3089: across the
# IPv4/IPv6 gateway) with a raw SOCKS5 UDP client (s5udp.py udp) and UDP
# echo servers on 127.0.0.1 and ::1:
#  1. IPv4 and IPv6 control connections, each to both echo servers
#     (cross-family), by literal, by name and by a literal sent as a name;
#     payloads 0..8192 bytes verified, answers carry the echo server's
#     address (ATYP 1/4) and port; the reply's BND is the control
#     connection's local address; with a declared port and with 0.0.0.0:0;
#  2. hostile datagrams (empty, short headers, unknown ATYP, name length
#     past the end, FRAG != 0, another source port when the request
#     declared one, a source of 127.0.0.2, a stranger writing to the
#     gateway's outgoing socket) are dropped, none reaches an echo server,
#     the association keeps serving; a rule denying udp to an echo
#     server's port drops those datagrams;
#  3. the access line: cmd=udp with exact dgrams_up/dgrams_down/dropped
#     and byte counts;
#  4. closing the control connection ends the association (its access
#     line appears, the relay port stops answering); timeouts.idle ends
#     an idle one (the gateway closes the control connection).
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
sg_init
T0=$(sg_now_ms)

"$SG_PY" -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.2", 0))' \
	2>/dev/null || sg_skip "cannot bind 127.0.0.2 (needed for a foreign source)"

s5() {	# s5udp.py, bounded
	timeout 90 "$SG_PY" "$SG_INTEG/s5udp.py" "$@"
}

# udp_echo VAR ADDR: a UDP echo server logging to $SG_TMP/VAR.log.
udp_echo() {
	local pf=$SG_TMP/port.$1
	: > "$SG_TMP/$1.log"
	sg_bg timeout 600 "$SG_PY" "$SG_INTEG/s5udp.py" udpecho --bind "$2" \
	    --port-file "$pf" --log "$SG_TMP/$1.log" 2>>"$SG_TMP/servers.err"
	sg_wait_file "$pf" 10 || { cat "$SG_TMP/servers.err" >&2; sg_error "udp echo on $2 did not start"; }
	printf -v "$1" '%s' "$(cat "$pf")"
}
udp_echo E4 127.0.0.1
udp_echo E6 ::1
udp_echo D4 127.0.0.1	# ports denied by a rule
udp_echo D6 ::1

PW="h4nk-$$-$RANDOM"
sg_pamwrap hank "$PW"
A=(--user hank --password "$PW")
RULES="{ name = \"no-udp-echo\"; action = \"deny\"; to = [ \"127.0.0.0/8\", \"::1/128\" ];
    ports = [ $D4, $D6 ]; commands = [ \"udp\" ]; },
  { name = \"loopback\"; action = \"allow\"; to = [ \"127.0.0.0/8\", \"::1/128\" ]; }"
sg_conf rules="$RULES"
sg_start
P4=127.0.0.1:$SG_PORT4
P6="[::1]:$SG_PORT6"

# Names: localhost for 127.0.0.1 if it resolves there; a name of ::1 if
# this machine has one (else ::1 goes only as a literal in a DOMAINNAME).
N4='' N6=''
[ "$(getent ahosts localhost | awk '$1 == "127.0.0.1" {print $1; exit}')" = 127.0.0.1 ] &&
	! getent ahosts localhost | awk '{print $1}' | grep -q : && N4=localhost
for n in ip6-localhost ip6-loopback localhost6 localhost; do
	a=$(getent ahosts "$n" 2>/dev/null | awk '{print $1}' | sort -u | tr '\n' ' ')
	[ "$a" = "::1 " ] && { N6=$n; break; }
done
sg_info "names: IPv4 loopback '${N4:-none}', IPv6 loopback '${N6:-none}'"

TARGETS=(--echo "127.0.0.1:$E4" --echo "[::1]:$E6"
    --echo "name:127.0.0.1:$E4@127.0.0.1:$E4" --echo "name:::1:$E6@[::1]:$E6")
[ -n "$N4" ] && TARGETS+=(--echo "name:$N4:$E4@127.0.0.1:$E4")
[ -n "$N6" ] && TARGETS+=(--echo "name:$N6:$E6@[::1]:$E6")
DENY=(--deny "127.0.0.1:$D4" --deny "[::1]:$D6" --deny "name:127.0.0.1:$D4")
[ -n "$N4" ] && DENY+=(--deny "name:$N4:$D4")

# expect_words LINE WORD...
expect_words() {
	local line=$1 w
	shift
	for w in "$@"; do
		case " $line " in
		*" $w "*) ;;
		*) sg_fail "expected '$w' in: $line" ;;
		esac
	done
}

# udp_run NAME PROXY [s5udp.py udp options...]: an association; once the
# client has closed the control connection and the access line is
# there, the client checks that the relay port no longer answers.
udp_run() {
	local name=$1 proxy=$2 o gate ctl pid line
	shift 2
	o=$SG_TMP/$name.out
	gate=$SG_TMP/$name.gate
	s5 udp "${A[@]}" --proxy "$proxy" --close-gate "$gate" "$@" > "$o" 2>&1 &
	pid=$!
	for _ in $(seq 1 300); do
		ctl=$(sed -n 's/^ctl_local=//p' "$o")
		[ -n "$ctl" ] && grep -q '^ctl_closed_by_client=1' "$o" && break
		sg_alive "$pid" || break
		sleep 0.1
	done
	[ -n "$ctl" ] || { wait "$pid"; cat "$o" >&2; sg_fail "$name: no control connection"; }
	sg_log_wait " $ctl access " 15 || {
		kill "$pid" 2>/dev/null; wait "$pid"; cat "$o" >&2
		sg_fail "$name: no access line for $ctl (association not ended by the close?)"
	}
	touch "$gate"
	wait "$pid" || { cat "$o" >&2; sg_fail "$name: UDP ASSOCIATE via $proxy failed"; }
	grep -q '^udp_after_end=' "$o" || { cat "$o" >&2; sg_fail "$name: incomplete"; }
	line=$(grep -F " $ctl access " "$SG_LOG")
	set -- $(sed -n 's/^access_expect=//p' "$o")
	[ $# -eq 5 ] || { cat "$o" >&2; sg_fail "$name: cannot read the expected counts ($*)"; }
	expect_words "$line" "user=hank" "cmd=udp" "rep=0x00" "end=closed" "$@"
	sg_info "ok: $name via $proxy: $* ($(sed -n 's/^udp_after_end=/after the end: /p' "$o"))"
}

# ------------------------------------------------ 1-4. associations
udp_run u4 "$P4" "${TARGETS[@]}" "${DENY[@]}" --hostile --foreign-from 127.0.0.2 \
    --stranger-log "$SG_TMP/E4.log" --close
udp_run u6 "$P6" "${TARGETS[@]}" "${DENY[@]}" --hostile \
    --stranger-log "$SG_TMP/E6.log" --stranger-target "[::1]:$E6" --close
udp_run u4z "$P4" --declare zero "${TARGETS[@]}" --hostile --foreign-from 127.0.0.2 \
    --stranger-log "$SG_TMP/E6.log" --stranger-target "name:::1:$E6@[::1]:$E6" --close
udp_run u6z "$P6" --declare zero "${TARGETS[@]}" "${DENY[@]}" --hostile --close
sg_expect "$SG_TMP/u4.out" "after_hostile=ok" "after_stranger=ok" "hostile_other_sources=2"
sg_expect "$SG_TMP/u6.out" "after_hostile=ok" "after_stranger=ok" "hostile_other_sources=1"
sg_expect "$SG_TMP/u4z.out" "after_hostile=ok" "after_stranger=ok" "hostile_other_sources=1"

# Nothing hostile and nothing denied reached a server.
for f in E4 E6 D4 D6; do
	if grep -q 'hostile=1' "$SG_TMP/$f.log"; then
		grep 'hostile=1' "$SG_TMP/$f.log" >&2
		sg_fail "a dropped datagram reached the echo server $f"
	fi
done
for f in D4 D6; do
	[ ! -s "$SG_TMP/$f.log" ] || { cat "$SG_TMP/$f.log" >&2; sg_fail "the denied echo server $f got datagrams"; }
done
sg_info "ok: no dropped datagram reached a server"
sg_stop || sg_fail "sixgated did not stop on SIGTERM"
[ "$SG_RC" = 0 ] || sg_fail "sixgated exited with $SG_RC after SIGTERM"

# ------------------------------------------------ 4b. timeouts.idle
sg_conf rules="$RULES" idle=2
sg_start
for case in "i4 127.0.0.1:$SG_PORT4" "i6 [::1]:$SG_PORT6"; do
	set -f; set -- $case; set +f
	o=$SG_TMP/$1.out
	s5 udp "${A[@]}" --proxy "$2" --echo "127.0.0.1:$E4" --echo "[::1]:$E6" \
	    --sizes 10,8192 --idle-end 8 > "$o" 2>&1 ||
		{ cat "$o" >&2; sg_fail "$1: idle association via $2"; }
	sg_expect "$o" "ctl_end=eof"
	grep -q '^udp_after_end=answered' "$o" && sg_fail "$1: relay answers after the idle end"
	ctl=$(sed -n 's/^ctl_local=//p' "$o")
	sg_log_wait " $ctl access " 10 || sg_fail "$1: no access line"
	expect_words "$(grep -F " $ctl access " "$SG_LOG")" "cmd=udp" "dgrams_up=4" \
	    "dgrams_down=4" "dropped=0" "end=idle-timeout"
	sg_info "ok: $1: timeouts.idle = 2 ended the association ($(sed -n 's/^ctl_end=//p' "$o"))"
done

sg_stop || sg_fail "sixgated did not stop on SIGTERM"
[ "$SG_RC" = 0 ] || sg_fail "sixgated exited with $SG_RC after SIGTERM"
sg_info "done in $(( $(sg_now_ms) - T0 )) ms"
exit 0
