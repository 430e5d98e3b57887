#!/bin/bash
# t-replies.sh - exact REP codes: 0x04 name does not resolve, 0x05
# refused, 0x02 rule refusal (logged "denied by rule N (name)"), 0x07
# unknown commands, 0x08 unknown ATYP; the success
# reply's BND.ADDR is in the destination's family.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
sg_init

sg_pamwrap dave 'd4ve-pw'
sg_server ECHO4 echo --bind 127.0.0.1
sg_server ECHO6 echo --bind ::1
sg_refuser DENIED
sg_conf rules="
  { name = \"no-denied-port\"; action = \"deny\"; to = [ \"127.0.0.1\", \"::1/128\" ]; ports = [ $DENIED ]; },
  { name = \"loopback\"; action = \"allow\"; to = [ \"127.0.0.0/8\", \"::1/128\" ]; },
  { name = \"web-anywhere\"; action = \"allow\"; ports = [ 80 ]; }"
# (web-anywhere: a rule for every destination, so an unknown name is
# told apart from a forbidden one; t-dns-probe covers the other case.)
sg_start
P4=127.0.0.1:$SG_PORT4
P6=[::1]:$SG_PORT6
A=(--user dave --password 'd4ve-pw')

rep() {	# EXPECTED-REP OUTFILE ARGS...: one request as the user
	sg_socks_rep "$1" "$2" "${A[@]}" "${@:3}"
}

# Name that does not resolve -> host unreachable.
rep 0x04 r1 --proxy "$P4" --dest-name nonexistent.invalid --dest-port 80
sg_expect "$SG_TMP/r1" "closed=1"

# Refused port.
sg_refuser REFUSED
rep 0x05 r2 --proxy "$P4" --dest "127.0.0.1:$REFUSED"
rep 0x05 r2b --proxy "$P6" --dest-name 127.0.0.1 --dest-port "$REFUSED"

# Rule refusal: by address and by a name that resolves to it.
rep 0x02 r3 --proxy "$P4" --dest "127.0.0.1:$DENIED"
rep 0x02 r3b --proxy "$P4" --dest-name 127.0.0.1 --dest-port "$DENIED"
rep 0x02 r3c --proxy "$P6" --dest "[::1]:$DENIED"
sg_log_wait "denied by rule 1 (no-denied-port)" 5 3 ||
	sg_fail "expected 3 lines 'denied by rule 1 (no-denied-port)'"

# Commands RFC 1928 does not define (BIND and UDP have their own tests).
rep 0x07 r4 --proxy "$P4" --cmd 4 --dest "127.0.0.1:$ECHO4"
rep 0x07 r5 --proxy "$P4" --cmd 16 --dest "127.0.0.1:$ECHO4"
rep 0x07 r5b --proxy "$P6" --cmd 9 --dest "[::1]:$ECHO6"

# Unknown address type.
rep 0x08 r6 --proxy "$P4" --atyp-raw 5
sg_expect "$SG_TMP/r6" "closed=1"

# Success: BND.ADDR in the destination's family, whatever the listener.
rep 0x00 r7 --proxy "$P4" --dest "[::1]:$ECHO6" --data v6 --echo-check
sg_expect "$SG_TMP/r7" "bnd_atyp=4 bnd=::1 " "echo=ok"
rep 0x00 r8 --proxy "$P6" --dest "127.0.0.1:$ECHO4" --data v4 --echo-check
sg_expect "$SG_TMP/r8" "bnd_atyp=1 bnd=127.0.0.1 " "echo=ok"
# The same with the literals sent as DOMAINNAME (plain and [bracketed]).
rep 0x00 r9 --proxy "$P4" --dest-name ::1 --dest-port "$ECHO6" --data a --echo-check
sg_expect "$SG_TMP/r9" "bnd_atyp=4 bnd=::1 " "echo=ok"
rep 0x00 r10 --proxy "$P4" --dest-name "[::1]" --dest-port "$ECHO6" --data b --echo-check
sg_expect "$SG_TMP/r10" "bnd_atyp=4 bnd=::1 " "echo=ok"
rep 0x00 r11 --proxy "$P6" --dest-name 127.0.0.1 --dest-port "$ECHO4" --data c --echo-check
sg_expect "$SG_TMP/r11" "bnd_atyp=1 bnd=127.0.0.1 " "echo=ok"
# BND.PORT is the local port of the outbound socket (non-zero).
grep -q "bnd_port=0$" "$SG_TMP/r7" "$SG_TMP/r8" && sg_fail "BND.PORT is 0 in a success reply"

# Every request-stage session has its access line with its rep.
# 15 sessions reached the request stage (r6, unknown ATYP, may or may not
# count as one): at least 14 access lines.
sg_log_wait "access" 10 14 || sg_fail "expected at least 14 access lines"
for r in 0x00 0x02 0x04 0x05 0x07; do
	grep -F "access" "$SG_LOG" | grep -qF "rep=$r" ||
		sg_fail "no access line with rep=$r"
done
exit 0
