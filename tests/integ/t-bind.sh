#!/bin/bash
# t-bind.sh - the BIND command (RFC 1928 section 4; RFC 3089: across the
# IPv4/IPv6 gateway) with a raw SOCKS5 client (s5udp.py bind):
#  1. control connection over 127.0.0.1 and [::1], expected peer IPv4 and
#     IPv6 (both cross-family pairs), by literal and by name: the first
#     reply announces the local address towards the peer (in the peer's
#     family) and a port; the peer connects there; the second reply names
#     the peer's address and port; data both ways (sha256); bytes the
#     client sends before the peer comes are relayed too; the listener
#     is gone afterwards; access line cmd=bind with the byte counts;
#  2. a connection from a wrong address (127.0.0.2 / 127.0.0.1) is closed
#     and logged "refused: not the expected peer", the right one still
#     gets through; DST.PORT does not restrict the peer's port;
#  3. an all-zero peer is refused by rules with `to` networks (0x02);
#  4. a rule with commands = [ "connect" ] only: BIND -> 0x02 (CONNECT ok);
#  5. timeouts.bind = 2 and nobody connects: second reply 0x06, access
#     line rep=0x06; an all-zero peer under a rule without `to` accepts
#     anyone and announces the control connection's local address; the
#     listener closes when the client gives up;
#  6. an IPv4-mapped IPv6 peer (::ffff:127.0.0.1) over [::1]: the peer
#     reaches the announced address and port.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
sg_init
T0=$(sg_now_ms)

"$SG_PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.2", 0))' \
	2>/dev/null || sg_skip "cannot bind 127.0.0.2 (needed for a wrong peer)"

s5() {	# s5udp.py, bounded
	timeout 90 "$SG_PY" "$SG_INTEG/s5udp.py" "$@"
}

PW="g1na-$$-$RANDOM"
sg_pamwrap gina "$PW"
A=(--user gina --password "$PW")
LOOP='{ name = "loopback"; action = "allow"; to = [ "127.0.0.0/8", "::1/128" ]; }'
sg_conf rules="$LOOP"
sg_start
P4=127.0.0.1:$SG_PORT4
P6="[::1]:$SG_PORT6"

# src_towards ADDR: the local address the kernel uses towards ADDR.
src_towards() {
	"$SG_PY" -c 'import socket, sys
a = sys.argv[1]
s = socket.socket(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_DGRAM)
s.connect((a, 9))
print(s.getsockname()[0])' "$1"
}

# access_line OUTFILE: the daemon's access line for that client (waits).
access_line() {
	local ctl
	ctl=$(sed -n 's/^ctl_local=//p' "$1")
	[ -n "$ctl" ] || { cat "$1" >&2; sg_fail "no ctl_local in $1"; }
	sg_log_wait " $ctl access " 10 ||
		sg_fail "no access line for the client $ctl"
	grep -F " $ctl access " "$SG_LOG"
}

# expect_words LINE WORD...: each fixed word must be in LINE.
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

# bind_ok NAME PROXY PEER PEER-FROM BND ATYP [s5udp.py bind options...]
bind_ok() {
	local name=$1 proxy=$2 peer=$3 from=$4 bnd=$5 atyp=$6 o line up down pl
	shift 6
	o=$SG_TMP/$name.out
	s5 bind "${A[@]}" --proxy "$proxy" --peer "$peer" --peer-from "$from" \
	    --expect-bnd "$bnd" --expect-atyp "$atyp" "$@" > "$o" 2>&1 || {
		cat "$o" >&2
		sg_fail "$name: BIND via $proxy for peer $peer (from $from) failed"
	}
	grep -q '^bind_ok=1 ' "$o" || { cat "$o" >&2; sg_fail "$name: no bind_ok"; }
	up=$(sed -n 's/^bind_ok=1 up=\([0-9]*\) .*/\1/p' "$o")
	down=$(sed -n 's/^bind_ok=1 .* down=\([0-9]*\)$/\1/p' "$o")
	pl=$(sed -n 's/^peer_local=//p' "$o")
	line=$(access_line "$o")
	expect_words "$line" "user=gina" "cmd=bind" "rep=0x00" "addr=$pl" \
	    "up=$up" "down=$down" "end=closed"
	sg_info "ok: $name: BIND via $proxy for $peer: BND $bnd (ATYP $atyp), peer $pl, $up/$down bytes"
}

UP=(--up-len 1048576 --down-len 777777 --early-len 4096)

# ------------------------------------------------ 1. families, names
bind_ok b44 "$P4" 127.0.0.1:0 127.0.0.1 127.0.0.1 1 "${UP[@]}"
bind_ok b66 "$P6" "[::1]:0" ::1 ::1 4 "${UP[@]}"
bind_ok b64 "$P6" 127.0.0.1:0 127.0.0.1 127.0.0.1 1 "${UP[@]}"
bind_ok b46 "$P4" "[::1]:0" ::1 ::1 4 "${UP[@]}"
# The peer by name, resolved at the gateway (prefer = ipv6: an IPv6
# address of the name first, if it has one).
LH=$(getent ahosts localhost | awk '{print $1}' | sort -u | tr '\n' ' ')
case " $LH " in
*" ::1 "*) LHA=::1 LHT=4 ;;
*" 127.0.0.1 "*) LHA=127.0.0.1 LHT=1 ;;
*) LHA= ;;
esac
if [ -n "$LHA" ]; then
	bind_ok bname6 "$P6" name:localhost:0 "$LHA" "$LHA" "$LHT" "${UP[@]}"
	bind_ok bname4 "$P4" name:localhost:0 "$LHA" "$LHA" "$LHT" --up-len 1000 --down-len 1000
	line=$(access_line "$SG_TMP/bname6.out")
	expect_words "$line" "dest=localhost:0"
else
	sg_info "localhost does not resolve to 127.0.0.1 or ::1: no BIND by name"
fi
# Literals sent as a DOMAINNAME.
bind_ok blit4 "$P6" name:127.0.0.1:0 127.0.0.1 127.0.0.1 1 --up-len 5000 --down-len 7000
bind_ok blit6 "$P4" name:::1:0 ::1 ::1 4 --up-len 5000 --down-len 7000

# ------------------------------------------------ 2. the wrong peer
# DST.PORT names a port the peer does not use: only the address counts.
sg_refuser PORTX
n0=$(sg_log_count "refused: not the expected peer")
bind_ok bwrong4 "$P4" "127.0.0.1:$PORTX" 127.0.0.1 127.0.0.1 1 \
    --wrong-from 127.0.0.2 --up-len 300000 --down-len 200000
wl=$(sed -n 's/^wrong_peer=refused wrong_local=//p' "$SG_TMP/bwrong4.out")
[ -n "$wl" ] || sg_fail "bwrong4: the wrong peer was not refused"
sg_log_wait "bind: connection from $wl refused: not the expected peer" 5 ||
	sg_fail "no log line 'bind: connection from $wl refused: not the expected peer'"
# Cross-family control connection, and the other way round: 127.0.0.2
# expected, 127.0.0.1 refused.
bind_ok bwrong64 "$P6" 127.0.0.1:0 127.0.0.1 127.0.0.1 1 \
    --wrong-from 127.0.0.2 --up-len 300000 --down-len 200000
S2=$(src_towards 127.0.0.2)
bind_ok bwrong2 "$P4" 127.0.0.2:0 127.0.0.2 "$S2" 1 \
    --wrong-from 127.0.0.1 --up-len 300000 --down-len 200000
sg_log_wait "refused: not the expected peer" 5 $((n0 + 3)) ||
	sg_fail "expected 3 more 'refused: not the expected peer' lines"
for f in bwrong64 bwrong2; do
	wl=$(sed -n 's/^wrong_peer=refused wrong_local=//p' "$SG_TMP/$f.out")
	grep -qF "bind: connection from $wl refused: not the expected peer" "$SG_LOG" ||
		sg_fail "$f: the wrong peer $wl was not logged"
done
sg_info "ok: wrong peers refused and logged, the right ones got through"

# ------------------------------------------------ 3. all-zero peer vs `to`
for case in "$P4 0.0.0.0:0" "$P6 [::]:0" "$P6 0.0.0.0:0"; do
	set -f; set -- $case; set +f
	o=$SG_TMP/zero.out
	s5 bind "${A[@]}" --proxy "$1" --peer "$2" --expect-rep1 0x02 > "$o" 2>&1 ||
		{ cat "$o" >&2; sg_fail "BIND via $1 for $2: expected 0x02"; }
	grep -q '^rep1=0x02 ' "$o" || { cat "$o" >&2; sg_fail "BIND via $1 for $2: expected 0x02"; }
	sg_expect "$o" "ctl_closed=1"
	expect_words "$(access_line "$o")" "cmd=bind" "rep=0x02"
done
sg_info "ok: an all-zero peer matches no rule with 'to' networks: 0x02"
sg_stop || sg_fail "sixgated did not stop"

# ------------------------------------------------ 4. connect-only rule
sg_server ECHO4 echo --bind 127.0.0.1
sg_conf rules='{ name = "connect-only"; action = "allow"; commands = [ "connect" ]; }'
sg_start
P4=127.0.0.1:$SG_PORT4
P6="[::1]:$SG_PORT6"
for case in "$P4 127.0.0.1:0" "$P6 [::1]:0" "$P6 127.0.0.1:0" "$P4 0.0.0.0:0" \
    "$P4 name:localhost:0"; do
	set -f; set -- $case; set +f
	o=$SG_TMP/conly.out
	s5 bind "${A[@]}" --proxy "$1" --peer "$2" --expect-rep1 0x02 > "$o" 2>&1 ||
		{ cat "$o" >&2; sg_fail "connect-only: BIND via $1 for $2: expected 0x02"; }
	grep -q '^rep1=0x02 ' "$o" || { cat "$o" >&2; sg_fail "connect-only: BIND via $1 for $2: expected 0x02"; }
	expect_words "$(access_line "$o")" "cmd=bind" "rep=0x02" "end=denied"
done
sgtool socks "${A[@]}" --proxy "$P4" --dest "127.0.0.1:$ECHO4" --data x \
    --echo-check > "$SG_TMP/conly-connect" 2>&1
sg_expect "$SG_TMP/conly-connect" "rep=0x00" "echo=ok"
sg_info "ok: commands = [ \"connect\" ] only: BIND gets 0x02, CONNECT works"
sg_stop || sg_fail "sixgated did not stop"

# ------------------------------------------------ 5. timeout, anyone
sg_conf rules='{ name = "bind-anyone"; action = "allow"; from = [ "127.0.0.0/8", "::1/128" ]; commands = [ "bind" ]; }'
sed -i 's/^timeouts: { /timeouts: { bind = 2; /' "$SG_CONF"
grep -q 'bind = 2;' "$SG_CONF" || sg_error "cannot set timeouts.bind"
sg_start
P4=127.0.0.1:$SG_PORT4
P6="[::1]:$SG_PORT6"
for case in "t4 $P4 127.0.0.1:0" "t6 $P6 [::1]:0" "t64 $P6 127.0.0.1:0"; do
	set -f; set -- $case; set +f
	o=$SG_TMP/$1.out
	s5 bind "${A[@]}" --proxy "$2" --peer "$3" --no-peer > "$o" 2>&1 ||
		{ cat "$o" >&2; sg_fail "$1: BIND with nobody connecting failed"; }
	grep -q '^rep1=0x00 ' "$o" || { cat "$o" >&2; sg_fail "$1: first reply not 0x00"; }
	grep -q '^rep2=0x06 ' "$o" || { cat "$o" >&2; sg_fail "$1: second reply not 0x06 (TTL expired) after timeouts.bind"; }
	secs=$(sed -n 's/^rep2=.* secs=\([0-9]*\)\..*/\1/p' "$o")
	# Never before 1 s; up to 4 s late on a loaded host (make -j2 check).
	[ "$secs" -ge 1 ] && [ "$secs" -le 6 ] ||
		{ cat "$o" >&2; sg_fail "$1: second reply after $secs s, timeouts.bind = 2"; }
	sg_expect "$o" "ctl_closed=1"
	expect_words "$(access_line "$o")" "cmd=bind" "rep=0x06"
done
sg_info "ok: timeouts.bind = 2: second reply 0x06"
# Anyone (all-zero peer): BND = the control connection's local address;
# a peer from any address is accepted.
bind_ok any4 "$P4" 0.0.0.0:0 127.0.0.2 127.0.0.1 1 --up-len 200000 --down-len 100000
bind_ok any6 "$P6" "[::]:0" ::1 ::1 4 --up-len 200000 --down-len 100000
# The client gives up before the peer comes: the listener goes away.
for case in "$P4 127.0.0.1:0 127.0.0.2" "$P6 [::1]:0 ::1"; do
	set -f; set -- $case; set +f
	o=$SG_TMP/gone.out
	s5 bind "${A[@]}" --proxy "$1" --peer "$2" --close-before-peer \
	    --wrong-from "$3" > "$o" 2>&1 ||
		{ cat "$o" >&2; sg_fail "BIND via $1 for $2: listener after the client left"; }
	sg_expect "$o" "listener_after_close=refused"
	expect_words "$(access_line "$o")" "cmd=bind"
done
sg_info "ok: the listener closes when the client leaves"

sg_stop || sg_fail "sixgated did not stop on SIGTERM"
[ "$SG_RC" = 0 ] || sg_fail "sixgated exited with $SG_RC after SIGTERM"

# ------------------------------------------------ 6. IPv4-mapped peer
# An IPv6 client may name an IPv4 peer as ::ffff:a.b.c.d (the rules treat
# it as IPv4): the address and port of the first reply must be where the
# gateway really listens for that peer, whichever spelling BND uses.
sg_conf rules="$LOOP"
sg_start
P6="[::1]:$SG_PORT6"
o=$SG_TMP/bmapped.out
s5 bind "${A[@]}" --proxy "$P6" --peer "[::ffff:127.0.0.1]:0" --peer-from 127.0.0.1 \
    --up-len 100000 --down-len 100000 --timeout 5 > "$o" 2>&1 || {
	cat "$o" >&2
	sg_fail "BIND for the IPv4-mapped peer ::ffff:127.0.0.1: the peer cannot connect to the announced $(sed -n 's/^rep1=0x00 bnd1_atyp=\([0-9]\) bnd1=\([^ ]*\) bnd1_port=\([0-9]*\)/ATYP \1 \2 port \3/p' "$o")"
}
grep -q '^bind_ok=1 ' "$o" || { cat "$o" >&2; sg_fail "bmapped: no bind_ok"; }
expect_words "$(access_line "$o")" "cmd=bind" "rep=0x00" "up=100000" "down=100000"
sg_info "ok: BIND for an IPv4-mapped peer: $(sed -n 's/^rep1=//p' "$o")"
sg_stop || sg_fail "sixgated did not stop on SIGTERM"
[ "$SG_RC" = 0 ] || sg_fail "sixgated exited with $SG_RC after SIGTERM"
sg_info "done in $(( $(sg_now_ms) - T0 )) ms"
exit 0
