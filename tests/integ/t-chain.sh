#!/bin/bash
# t-chain.sh (root) - chained relays (RFC 3089 section 4) on loopback:
# three sixgated instances, each on its own address and family
#
#   client -> G1 127.0.0.1 -> G2 [::1] -> G3 127.0.0.2 -> HTTP on [::1]
#
# each with its own pam_matrix user (alice at G1, relay2 at G2, relay3 at
# G3; a user is valid at its own gateway only).  The destination names
# *.chain.test exist only in G3's /etc/hosts (a private mount namespace),
# so they must travel unresolved to the last hop:
#  1. the names do not resolve here (G1, G2, curl) but do at G3;
#  2. through three instances, G2 routing on by name (nested);
#  3. through two instances (G1 -> G3);
#  4. through three instances as one chain of two hops at G1;
#     with the access logs of every hop (dest=NAME:PORT where the name was
#     requested, addr=via:... at the routing gateways, the destination
#     address only at G3) and the last hop's BND in the reply;
#  5. destination failures at the last hop come back unchanged (name
#     unknown there: REP 0x04 and curl exit 97; refused: 0x05; G3's rule:
#     0x02) and mark no hop down; literal destinations (ATYP 1 and 4, or
#     sent as a name, [bracketed] or not) are routed by their address;
#     G1's own rules apply before any hop is contacted;
#  6. a wrong upstream password fails the chain (failure REP, "login
#     refused" logged, no password in any log); the right one in the
#     password file and SIGHUP: the chain works;
#  7. a dead upstream with a working alternative chain: every request
#     succeeds, "is down" is logged once, the resting chain is tried last;
#     a route whose only hop is dead still tries it (not skipped);
#  8. sixgated -n accepts the configurations and refuses a loop and an
#     unknown hop with FILE:LINE.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
. "$top_srcdir/tests/integ/chain.sh"
sg_init
sg_need curl getent sha256sum
T0=$(sg_now_ms)

SUFFIX=chain.test
WEB=web.$SUFFIX		# nested: G1 -> G2 -> G3
WEB2=web2.$SUFFIX	# G1 -> G3
WEB3=web3.$SUFFIX	# G1 -> (G2, G3)
ALT=alt.$SUFFIX		# G1 -> (dead) or (G3)
DEADONLY=deadonly.$SUFFIX	# G1 -> (dead)
CLOSED=closed.$SUFFIX	# known at G3, nothing listens
REMOTE=remote.$SUFFIX	# known at G3, denied by G3's rules

# ------------------------------------------------ helpers, servers
mkdir -p "$SG_TMP/www"
head -c $((1 << 20)) /dev/urandom > "$SG_TMP/www/blob"
BLOB=$(sg_sha "$SG_TMP/www/blob")
sg_server WEBPORT http --bind ::1 --dir "$SG_TMP/www"
sg_refuser DEAD 127.0.0.1	# the dead upstream, and a closed port

cat > "$SG_TMP/g3.hosts" <<EOF
127.0.0.1	localhost
::1		localhost ip6-localhost ip6-loopback
::1		$WEB $WEB2 $WEB3 $ALT $DEADONLY
127.0.0.1	$CLOSED
192.0.2.99	$REMOTE
EOF
ch_hosts_ns "$SG_TMP/g3.hosts"

# ------------------------------------------------ 1. who knows the names
for n in $WEB $WEB2 $WEB3 $ALT nosuch.$SUFFIX; do
	if out=$(timeout 30 getent hosts "$n" 2>&1); then
		sg_error "this host resolves $n itself ($out): the test needs names only G3 knows"
	fi
done
ch_hosts_ns_check "$WEB" ::1
timeout 30 "$CH_NSEXEC" getent hosts nosuch.$SUFFIX >/dev/null 2>&1 &&
	sg_error "G3's view resolves nosuch.$SUFFIX"
rc=0
sg_curl -o /dev/null "http://$WEB:$WEBPORT/blob" 2>/dev/null || rc=$?
[ "$rc" = 6 ] || sg_error "curl without a proxy to $WEB: exit $rc, want 6 (cannot resolve)"
sg_curl -o "$SG_TMP/direct" "http://[::1]:$WEBPORT/blob" ||
	sg_error "the HTTP server on [::1]:$WEBPORT does not answer"
sg_info "ok: only G3 resolves *.$SUFFIX"

# ------------------------------------------------ gateways
PW_A="Al1ce-$$-$RANDOM"
PW_2="R3lay2-$$-$RANDOM"
PW_3="R3lay3-$$-$RANDOM"
PW_BAD="Wr0ng-$$-$RANDOM"
ch_pam alice "$PW_A" sg-gw1 relay2 "$PW_2" sg-gw2 relay3 "$PW_3" sg-gw3
ch_secret relay2 "$PW_2"; SECRET2=$CH_SECRET
ch_secret relay3 "$PW_3"; SECRET3=$CH_SECRET
ch_secret wrong "$PW_BAD"; SECRETBAD=$CH_SECRET

# G3: the last hop; resolves in its own namespace, connects to loopback.
sg_conf file="$SG_TMP/g3.conf" listen='"127.0.0.2:0"' pam_service=sg-gw3 \
    rules="{ name = \"relay3-loopback\"; action = \"allow\"; users = [ \"relay3\" ];
    to = [ \"127.0.0.0/8\", \"::1/128\" ]; },
    { name = \"relay3-web\"; action = \"allow\"; users = [ \"relay3\" ];
    ports = [ $WEBPORT ]; }"
# (relay3-web allows every destination on the web port, so that G3 tells
# an unknown name (0x04) from a forbidden one; a user whose rules name
# only networks would get 0x02 for both, see t-dns-probe.)
REAL_SIXGATED=$SIXGATED
printf '#!/bin/sh\nexec %s %s "$@"\n' "$CH_NSEXEC" "$REAL_SIXGATED" \
    > "$SG_TMP/sixgated-g3"
chmod 0755 "$SG_TMP/sixgated-g3"
SIXGATED=$SG_TMP/sixgated-g3
ch_start G3 -v
SIXGATED=$REAL_SIXGATED
G3=${CH_ADDR[G3]}

# G2: routes *.chain.test on to G3 by name; everything else direct.
sg_conf file="$SG_TMP/g2.conf" listen='"[::1]:0"' pam_service=sg-gw2 \
    rules='{ name = "relay2"; action = "allow"; users = [ "relay2" ]; }' \
    extra="hops = ( { name = \"g3\"; address = \"$G3\"; user = \"relay3\";
    password_file = \"$SECRET3\"; } );
upstreams = ( { to = [ \"*.$SUFFIX\" ]; via = ( \"g3\" ); } );"
ch_start G2 -v
G2=${CH_ADDR[G2]}

# G1: the client's gateway.
cat > "$SG_TMP/g1.upstreams" <<EOF
hops = (
  { name = "g2"; address = "$G2"; user = "relay2"; password_file = "$SECRET2"; },
  { name = "g3"; address = "$G3"; user = "relay3"; password_file = "$SECRET3"; },
  { name = "dead"; address = "127.0.0.1:$DEAD"; }
);
upstreams = (
  { to = [ "127.0.0.3", "::1/128" ]; via = ( "g3" ); },
  { to = [ "$WEB2", "nosuch2.$SUFFIX" ]; via = ( "g3" ); },
  { to = [ "$WEB3", "nosuch3.$SUFFIX" ]; ports = ( $WEBPORT, 1 ); via = ( "g2", "g3" ); },
  { to = [ "$ALT" ]; via = ( ( "dead" ), ( "g3" ) ); },
  { to = [ "$DEADONLY" ]; via = ( "dead" ); },
  { to = [ "*.$SUFFIX" ]; via = ( "g2" ); }
);
EOF
sg_conf file="$SG_TMP/g1.conf" listen='"127.0.0.1:0"' pam_service=sg-gw1 \
    rules='{ name = "deny-port"; action = "deny"; ports = ( 9 ); },
  { name = "alice"; action = "allow"; users = [ "alice" ]; }' \
    extra="$(cat "$SG_TMP/g1.upstreams")"
ch_start G1 -v
G1=${CH_ADDR[G1]}

# Each user is valid at its own gateway only.
while read -r gw u p; do
	sgtool socks --proxy "$gw" --user "$u" --password "$p" \
	    --dest-name "$WEB" --dest-port "$WEBPORT" > "$SG_TMP/xuser" 2>&1
	grep -q "auth=0x01" "$SG_TMP/xuser" ||
		{ cat "$SG_TMP/xuser" >&2; ch_fail "$u was not refused at $gw"; }
done <<EOF
$G1 relay3 $PW_3
$G2 alice $PW_A
$G3 relay2 $PW_2
$G3 alice $PW_A
EOF
sg_info "ok: alice, relay2, relay3 each valid at one gateway only"

# get OUT NAME: curl through G1 by name, checksum.
get() {
	rm -f "$SG_TMP/$1"
	sg_curl --socks5-hostname "$G1" --proxy-user "alice:$PW_A" \
	    -o "$SG_TMP/$1" "http://$2:$WEBPORT/blob" 2> "$SG_TMP/$1.err" || {
		cat "$SG_TMP/$1.err" >&2
		ch_fail "curl through $G1 to $2 failed"
	}
	[ "$(sg_sha "$SG_TMP/$1")" = "$BLOB" ] || ch_fail "curl to $2: content differs"
}

# no_dest_addr GATEWAY...: the destination's address appears nowhere in
# their logs (they never resolved the name)
no_dest_addr() {
	local g
	for g in "$@"; do
		grep -qF "[::1]:$WEBPORT" "${CH_LOG[$g]}" &&
			ch_fail "$g's log shows the destination address [::1]:$WEBPORT"
	done
	return 0
}

# ------------------------------------------------ 2. three instances, nested
get nested "$WEB"
ch_access G1 1 "user=alice " "dest=$WEB:$WEBPORT " "addr=via:$G2 " "rep=0x00"
ch_access G2 1 "user=relay2 " "dest=$WEB:$WEBPORT " "addr=via:$G3 " "rep=0x00"
ch_access G3 1 "user=relay3 " "dest=$WEB:$WEBPORT " "addr=[::1]:$WEBPORT " "rep=0x00"
no_dest_addr G1 G2
sg_info "ok: G1 -> G2 -> G3 by name, routed on at G2 (dest=$WEB at every hop)"

# ------------------------------------------------ 3. two instances
get two "$WEB2"
ch_access G1 1 "user=alice " "dest=$WEB2:$WEBPORT " "addr=via:$G3 " "rep=0x00"
ch_access G3 1 "user=relay3 " "dest=$WEB2:$WEBPORT " "addr=[::1]:$WEBPORT " "rep=0x00"
[ "$(ch_count G2 "$WEB2")" = 0 ] || ch_fail "G2 saw the request for $WEB2"
no_dest_addr G1
sg_info "ok: G1 -> G3 by name"

# ------------------------------------------------ 4. one chain of two hops
get chain "$WEB3"
ch_access G1 1 "user=alice " "dest=$WEB3:$WEBPORT " "addr=via:$G2,$G3 " "rep=0x00"
# G2 is only asked for G3 itself: a literal, connected directly
ch_access G2 1 "user=relay2 " "dest=$G3 " "addr=$G3 " "rep=0x00"
ch_access G3 1 "user=relay3 " "dest=$WEB3:$WEBPORT " "addr=[::1]:$WEBPORT " "rep=0x00"
[ "$(ch_count G2 "$WEB3")" = 0 ] || ch_fail "G2 saw the name $WEB3"
no_dest_addr G1 G2
sg_info "ok: G1 -> (G2, G3) as one chain: G2 relays to G3, G3 resolves"

# The reply's BND is the last hop's: G3's socket to [::1].  (For $WEB2,
# G1's own socket, to G3 at 127.0.0.2, is IPv4; for $WEB3 G2's is.)
for n in "$WEB2" "$WEB3"; do
	sgtool socks --proxy "$G1" --user alice --password "$PW_A" \
	    --dest-name "$n" --dest-port "$WEBPORT" \
	    --data $'GET /blob HTTP/1.0\r\n\r\n' --read > "$SG_TMP/bnd" 2>&1
	grep -q "rep=0x00 ver=5 bnd_atyp=4 bnd=::1 " "$SG_TMP/bnd" ||
		{ cat "$SG_TMP/bnd" >&2; ch_fail "BND for $n is not G3's [::1]"; }
	n_bytes=$(sed -n 's/^recv_bytes=//p' "$SG_TMP/bnd")
	[ "${n_bytes:-0}" -gt $((1 << 20)) ] ||
		{ cat "$SG_TMP/bnd" >&2; ch_fail "raw client got ${n_bytes:-0} bytes from $n"; }
done
sg_info "ok: BND in the reply is the last hop's"

# ------------------------------------------------ 5. destination failures
# rep NAME PORT WANT: the raw client's REP through G1
rep() {
	sgtool socks --proxy "$G1" --user alice --password "$PW_A" \
	    --dest-name "$1" --dest-port "$2" > "$SG_TMP/rep" 2>&1
	grep -q "^rep=$3 " "$SG_TMP/rep" ||
		{ cat "$SG_TMP/rep" >&2; ch_fail "REP for $1:$2 through G1 is not $3"; }
}
for n in nosuch.$SUFFIX nosuch2.$SUFFIX nosuch3.$SUFFIX; do
	rc=0
	sg_curl --socks5-hostname "$G1" --proxy-user "alice:$PW_A" -o /dev/null \
	    "http://$n:$WEBPORT/blob" 2> "$SG_TMP/curl.err" || rc=$?
	[ "$rc" = 97 ] || { cat "$SG_TMP/curl.err" >&2; ch_fail "curl to $n: exit $rc, want 97"; }
	rep "$n" "$WEBPORT" 0x04
	ch_access G3 2 "dest=$n:$WEBPORT " "rep=0x04"
	ch_access G1 2 "dest=$n:$WEBPORT " "rep=0x04"
done
ch_access G2 2 "dest=nosuch.$SUFFIX:$WEBPORT " "rep=0x04"
rep "$CLOSED" "$DEAD" 0x05
ch_access G3 1 "dest=$CLOSED:$DEAD " "rep=0x05"
rep "$REMOTE" 80 0x02
ch_access G3 1 "dest=$REMOTE:80 " "rep=0x02"
ch_access G1 1 "dest=$REMOTE:80 " "rep=0x02"
# A literal destination routed by its address, as ATYP 1 and as a name.
sgtool socks --proxy "$G1" --user alice --password "$PW_A" \
    --dest "127.0.0.3:$DEAD" > "$SG_TMP/rep" 2>&1
grep -q "^rep=0x05 " "$SG_TMP/rep" ||
	{ cat "$SG_TMP/rep" >&2; ch_fail "REP for 127.0.0.3:$DEAD (ATYP 1) through G1 is not 0x05"; }
rep 127.0.0.3 "$DEAD" 0x05
ch_access G3 2 "dest=127.0.0.3:$DEAD " "rep=0x05"
ch_access G1 2 "dest=127.0.0.3:$DEAD " "rep=0x05"
[ "$(grep -F "connect to 127.0.0.3:$DEAD via $G3" "${CH_LOG[G1]}" | grep -c .)" = 2 ] ||
	ch_fail "G1 did not log 2 attempts at 127.0.0.3:$DEAD via $G3"
# ... and an IPv6 literal: ATYP 4, as a name, as a [bracketed] name.
for d in "--dest [::1]:$WEBPORT" "--dest-name ::1 --dest-port $WEBPORT" \
    "--dest-name [::1] --dest-port $WEBPORT"; do
	# shellcheck disable=SC2086
	sgtool socks --proxy "$G1" --user alice --password "$PW_A" $d \
	    --data $'GET /blob HTTP/1.0\r\n\r\n' --read > "$SG_TMP/rep" 2>&1
	grep -q "^rep=0x00 " "$SG_TMP/rep" ||
		{ cat "$SG_TMP/rep" >&2; ch_fail "sgtool $d through G1 failed"; }
done
# The access line brackets an IPv6 literal however it was sent.
ch_access G1 3 "dest=[::1]:$WEBPORT " "addr=via:$G3 " "rep=0x00"
ch_access G3 3 "dest=[::1]:$WEBPORT " "addr=[::1]:$WEBPORT " "rep=0x00"
for g in G1 G2; do
	grep -q "is down" "${CH_LOG[$g]}" &&
		ch_fail "$g marked a hop down after destination failures"
done
get after-failures "$WEB3"
sg_info "ok: last hop's REP 0x04 (curl 97) / 0x05 / 0x02 passed unchanged, no hop down"

# G1's own rules apply before any hop is contacted (ports: the requested
# port); the rule without `to` allowed every name so far.
rep "$WEB" 9 0x02
grep -q "denied by rule 1 (deny-port)" "${CH_LOG[G1]}" ||
	ch_fail "G1 did not log 'denied by rule 1 (deny-port)'"
ch_access G1 1 "dest=$WEB:9 " "rep=0x02"
sleep 0.5
for g in G2 G3; do
	[ "$(ch_count "$g" "dest=$WEB:9 ")" = 0 ] || ch_fail "$g saw a request G1's rules deny"
done
sg_info "ok: G1's rules checked before the chain"

# ------------------------------------------------ 6. wrong upstream password
sg_conf file="$SG_TMP/g1bad.conf" listen='"127.0.0.1:0"' pam_service=sg-gw1 \
    rules='{ name = "alice"; action = "allow"; users = [ "alice" ]; }' \
    extra="hops = ( { name = \"g3\"; address = \"$G3\"; user = \"relay3\";
    password_file = \"$SECRETBAD\"; } );
upstreams = ( { via = ( \"g3\" ); } );"
ch_start G1BAD -v
G1BAD=${CH_ADDR[G1BAD]}
rc=0
sg_curl --socks5-hostname "$G1BAD" --proxy-user "alice:$PW_A" -o /dev/null \
    "http://$WEB:$WEBPORT/blob" 2> "$SG_TMP/curl.err" || rc=$?
[ "$rc" = 97 ] || { cat "$SG_TMP/curl.err" >&2; ch_fail "curl with a wrong upstream password: exit $rc, want 97"; }
sgtool socks --proxy "$G1BAD" --user alice --password "$PW_A" \
    --dest-name "$WEB" --dest-port "$WEBPORT" > "$SG_TMP/rep" 2>&1
# A hop failure is REP 0x01 (general failure), exactly (sixgated(8),
# sixgated.conf(5) CHAINED RELAYS): not any other non-zero code.
grep -q "^rep=0x01 " "$SG_TMP/rep" ||
	{ cat "$SG_TMP/rep" >&2; ch_fail "wrong upstream password: REP is not 0x01 (hop failure)"; }
ch_access G1BAD 2 "dest=$WEB:$WEBPORT "
[ "$(ch_count G1BAD "dest=$WEB:$WEBPORT " "rep=0x01")" = 2 ] ||
	ch_fail "G1BAD did not log rep=0x01 for both requests"
[ "$(ch_count G1BAD "dest=$WEB:$WEBPORT " "rep=0x00")" = 0 ] ||
	ch_fail "G1BAD reported success"
grep -q "login refused" "${CH_LOG[G1BAD]}" ||
	ch_fail "G1BAD's log does not say 'login refused'"
grep -q 'authentication failed.*user="relay3"' "${CH_LOG[G3]}" ||
	ch_fail "G3 did not log the failed login of relay3"
[ "$(grep -c "upstream $G3 is down" "${CH_LOG[G1BAD]}")" = 1 ] ||
	ch_fail "G1BAD did not log 'upstream $G3 is down' once"
sg_info "ok: wrong upstream password: failure REP, 'login refused' logged"
# The password file is read again at reload: put the right one in, SIGHUP.
printf '%s\n' "$PW_3" > "$SECRETBAD"
kill -HUP "${CH_PID[G1BAD]}"
SG_LOG=${CH_LOG[G1BAD]}
sg_log_wait "configuration reloaded" 10 || ch_fail "G1BAD did not reload"
rc=0
sg_curl --socks5-hostname "$G1BAD" --proxy-user "alice:$PW_A" -o "$SG_TMP/reloaded" \
    "http://$WEB:$WEBPORT/blob" 2> "$SG_TMP/curl.err" || rc=$?
[ "$rc" = 0 ] && [ "$(sg_sha "$SG_TMP/reloaded")" = "$BLOB" ] ||
	{ cat "$SG_TMP/curl.err" >&2; ch_fail "after the reload with the right password: curl exit $rc"; }
ch_access G1BAD 1 "dest=$WEB:$WEBPORT " "addr=via:$G3 " "rep=0x00"
sg_info "ok: password_file read again at reload"

# ------------------------------------------------ 7. dead upstream, alternative
for i in 1 2 3 4; do
	get "alt$i" "$ALT"
done
ch_access G1 4 "dest=$ALT:$WEBPORT " "addr=via:$G3 " "rep=0x00"
ch_access G3 4 "dest=$ALT:$WEBPORT " "rep=0x00"
[ "$(grep -c "upstream 127.0.0.1:$DEAD is down" "${CH_LOG[G1]}")" = 1 ] ||
	ch_fail "G1 did not log 'upstream 127.0.0.1:$DEAD is down' exactly once"
# The only chain of a route is tried even while its hop rests.
for i in 1 2 3; do
	rc=0
	sg_curl --socks5-hostname "$G1" --proxy-user "alice:$PW_A" -o /dev/null \
	    "http://$DEADONLY:$WEBPORT/blob" 2>/dev/null || rc=$?
	[ "$rc" = 97 ] || ch_fail "curl to $DEADONLY: exit $rc, want 97"
done
ch_access G1 3 "dest=$DEADONLY:$WEBPORT "
[ "$(ch_count G1 "dest=$DEADONLY:$WEBPORT " "rep=0x01")" = 3 ] ||
	ch_fail "G1 did not answer 0x01 (hop failure) to the 3 requests to $DEADONLY"
# The first hop cannot be reached: still 0x01, not 0x05 (that is kept for
# the destination).
sgtool socks --proxy "$G1" --user alice --password "$PW_A" \
    --dest-name "$DEADONLY" --dest-port "$WEBPORT" > "$SG_TMP/rep" 2>&1
grep -q "^rep=0x01 " "$SG_TMP/rep" ||
	{ cat "$SG_TMP/rep" >&2; ch_fail "REP for $DEADONLY (dead first hop) is not 0x01"; }
[ "$(ch_count G1 "dest=$DEADONLY:$WEBPORT " "rep=0x00")" = 0 ] ||
	ch_fail "a request to $DEADONLY succeeded"
n=$(grep -F "$DEADONLY" "${CH_LOG[G1]}" | grep -cF "via 127.0.0.1:$DEAD")
[ "$n" -ge 3 ] || ch_fail "G1 tried the resting hop $n times for 3 requests to $DEADONLY"
get alt5 "$ALT"
# The resting chain went last: tried for the first request only.
n=$(grep -F "connect to $ALT:$WEBPORT via 127.0.0.1:$DEAD" "${CH_LOG[G1]}" | grep -c .)
[ "$n" = 1 ] || ch_fail "G1 tried the resting chain for $ALT $n times, want 1"
[ "$(grep -c "is down" "${CH_LOG[G1]}")" = 1 ] ||
	ch_fail "G1 logged 'is down' $(grep -c "is down" "${CH_LOG[G1]}") times, want 1"
sg_info "ok: dead upstream: the alternative chain carries every request, 'is down' logged once"

# ------------------------------------------------ passwords never logged
ch_no_secrets "$PW_A" "$PW_2" "$PW_3" "$PW_BAD"
sg_info "ok: no password in any log"

# ------------------------------------------------ 8. sixgated -n
for g in g1 g2 g3 g1bad; do
	out=$(timeout 20 "$SIXGATED" -n -f "$SG_TMP/$g.conf" 2>&1) ||
		ch_fail "sixgated -n refused $g.conf: $out"
	[ "$out" = "configuration OK" ] || ch_fail "sixgated -n $g.conf said: $out"
done
nloop() {	# FILE LINE NEEDLE: sixgated -n refuses FILE with FILE:LINE
	local out rc=0
	out=$(timeout 20 "$SIXGATED" -n -f "$1" 2>&1) || rc=$?
	[ "$rc" = 1 ] || ch_fail "sixgated -n $1: exit $rc, want 1 ($out)"
	case $out in
	"$1:$2: "*"$3"*) ;;
	*) ch_fail "sixgated -n $1 said '$out', want '$1:$2: ...$3...'" ;;
	esac
}
printf 'listen = [ "127.0.0.1:%s" ];\nhops = (\n  { name = "me"; address = "localhost:%s"; }\n);\n' \
    "$DEAD" "$DEAD" > "$SG_TMP/loop.conf"
nloop "$SG_TMP/loop.conf" 3 "own listeners"
printf 'hops = ( { name = "g2"; address = "%s"; } );\nupstreams = (\n  { via = ( "g9" ); }\n);\n' \
    "$G2" > "$SG_TMP/unknown.conf"
nloop "$SG_TMP/unknown.conf" 3 'unknown hop "g9"'
ch_secret public "$PW_2"
chmod 0644 "$CH_SECRET"
printf 'hops = (\n  { name = "g2"; address = "%s";\n    user = "relay2"; password_file = "%s"; }\n);\n' \
    "$G2" "$CH_SECRET" > "$SG_TMP/pwmode.conf"
nloop "$SG_TMP/pwmode.conf" 3 "$CH_SECRET"
sg_info "ok: sixgated -n"

for g in G1 G1BAD G2 G3; do
	SG_PID=${CH_PID[$g]}
	SG_LOG=${CH_LOG[$g]}
	sg_stop || ch_fail "$g did not stop on SIGTERM"
	[ "$SG_RC" = 0 ] || ch_fail "$g exited with $SG_RC after SIGTERM"
done
sg_info "done in $(( $(sg_now_ms) - T0 )) ms"
exit 0
