#!/bin/bash
# t-chain-dante.sh - chained relays (RFC 3089 section 4) with another
# SOCKS5 server as the last hop: Dante's danted (dante-server), started in
# a private mount namespace where the destination names exist (nowhere
# else).  As root Dante checks a throwaway system user's password
# (socksmethod username) and sixgated's hop has user + password_file;
# otherwise Dante runs without authentication (socksmethod none) and the
# hop has no user (and the namespace is a user namespace, if allowed).
#  1. client -> G1 (sixgated) -> danted -> HTTP, by name;
#  2. client -> G1 -> (G2 (sixgated), danted) as one chain of two hops;
#     both checked in the logs of every hop (Dante made the connection,
#     as the right user; G1 logged addr=via:...; G2 only saw Dante);
#  3. a name Dante cannot resolve: the client gets exactly the REP Dante
#     gives when asked directly, through both chains, and no hop is
#     marked down;
#  4. (root) a wrong password for Dante: the chain fails with a failure
#     REP, G1 logs "login refused" once-down, no password in any log.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
. "$top_srcdir/tests/integ/chain.sh"
sg_init
sg_need curl getent sha256sum
sg_find_danted || sg_skip "danted (dante-server) not installed"
T0=$(sg_now_ms)

WEB=web.dante.test
WEB2=web2.dante.test
mkdir -p "$SG_TMP/www"
head -c $((1 << 20)) /dev/urandom > "$SG_TMP/www/blob"
BLOB=$(sg_sha "$SG_TMP/www/blob")
sg_server WEBPORT http --bind 127.0.0.1 --dir "$SG_TMP/www"

cat > "$SG_TMP/dante.hosts" <<EOF
127.0.0.1	localhost
::1		localhost ip6-localhost ip6-loopback
127.0.0.1	$WEB $WEB2
EOF
CH_USERNS=1 ch_hosts_ns "$SG_TMP/dante.hosts"
for n in $WEB2 nosuch.dante.test nosuch2.dante.test; do
	timeout 30 getent hosts "$n" >/dev/null 2>&1 &&
		sg_error "this host resolves $n itself"
done
ch_hosts_ns_check "$WEB" 127.0.0.1
timeout 30 "$CH_NSEXEC" getent hosts nosuch.dante.test >/dev/null 2>&1 &&
	sg_error "Dante's view resolves nosuch.dante.test"

# ------------------------------------------------ danted
# As non-root ch_hosts_ns uses a user namespace: socksmethod none there.
sg_danted nsexec="$CH_NSEXEC" user=sgchd
method=$DMETHOD
DANTE=127.0.0.1:$DPORT

dfail() {	# MESSAGE: with Dante's log
	echo "--- Dante's log $DLOG, last 30 lines ---" >&2
	tail -n 30 "$DLOG" >&2
	ch_fail "$@"
}

# dante_rep NAME PORT: Dante's own REP for NAME:PORT, asked directly.
dante_rep() {
	local auth=()
	[ -n "$DUSER" ] && auth=(--user "$DUSER" --password "$DPASS")
	sgtool socks --proxy "$DANTE" "${auth[@]+"${auth[@]}"}" \
	    --dest-name "$1" --dest-port "$2" > "$SG_TMP/drep" 2>&1
	sed -n 's/^rep=\(0x[0-9a-f]*\) .*/\1/p' "$SG_TMP/drep"
}

# Control: Dante by itself reaches the name.
[ "$(dante_rep "$WEB" "$WEBPORT")" = 0x00 ] ||
	{ cat "$SG_TMP/drep" >&2; dfail "Dante does not reach $WEB:$WEBPORT itself"; }

# ------------------------------------------------ sixgated G2 and G1
PW_A="Al1ce-$$-$RANDOM"
PW_2="R3lay2-$$-$RANDOM"
ch_pam alice "$PW_A" sg-g1 relay2 "$PW_2" sg-g2
ch_secret relay2 "$PW_2"; SECRET2=$CH_SECRET
DHOP="address = \"$DANTE\";"
if [ -n "$DUSER" ]; then
	ch_secret dante "$DPASS"
	DHOP="$DHOP user = \"$DUSER\"; password_file = \"$CH_SECRET\";"
fi

sg_conf file="$SG_TMP/g2.conf" listen='"[::1]:0"' pam_service=sg-g2 \
    rules='{ name = "relay2-loopback"; action = "allow"; users = [ "relay2" ];
    to = [ "127.0.0.0/8", "::1/128" ]; }'
ch_start G2 -v
G2=${CH_ADDR[G2]}

sg_conf file="$SG_TMP/g1.conf" listen='"127.0.0.1:0"' pam_service=sg-g1 \
    rules='{ name = "alice"; action = "allow"; users = [ "alice" ]; }' \
    extra="hops = (
  { name = \"g2\"; address = \"$G2\"; user = \"relay2\"; password_file = \"$SECRET2\"; },
  { name = \"dante\"; $DHOP }
);
upstreams = (
  { to = [ \"$WEB2\", \"nosuch2.dante.test\" ]; via = ( \"g2\", \"dante\" ); },
  { to = [ \"*.dante.test\" ]; via = ( \"dante\" ); }
);"
ch_start G1 -v
G1=${CH_ADDR[G1]}

get() {	# OUT NAME
	rm -f "$SG_TMP/$1"
	sg_curl --socks5-hostname "$G1" --proxy-user "alice:$PW_A" \
	    -o "$SG_TMP/$1" "http://$2:$WEBPORT/blob" 2> "$SG_TMP/$1.err" || {
		cat "$SG_TMP/$1.err" >&2
		dfail "curl through $G1 to $2 failed"
	}
	[ "$(sg_sha "$SG_TMP/$1")" = "$BLOB" ] || dfail "curl to $2: content differs"
}

# dante_connects N: Dante logged N connects to the HTTP server
dante_connects() {
	local end got
	end=$(( $(sg_now_ms) + 10000 ))
	while got=$(grep -c "tcp/connect \[.*127\.0\.0\.1\.$WEBPORT" "$DLOG"); [ "$got" -lt "$1" ]; do
		[ "$(sg_now_ms)" -lt "$end" ] || break
		sleep 0.05
	done
	[ "$got" -eq "$1" ] || dfail "Dante logged $got connects to 127.0.0.1.$WEBPORT, want $1"
}

# ------------------------------------------------ 1. G1 -> Dante
n0=$(grep -c "tcp/connect \[.*127\.0\.0\.1\.$WEBPORT" "$DLOG")	# the control
get one "$WEB"
dante_connects $((n0 + 1))
ch_access G1 1 "user=alice " "dest=$WEB:$WEBPORT " "addr=via:$DANTE " "rep=0x00"
grep -qF "127.0.0.1:$WEBPORT" "${CH_LOG[G1]}" &&
	dfail "G1's log shows the destination address"
if [ -n "$DUSER" ]; then
	grep -q "username%$DUSER@" "$DLOG" || dfail "Dante did not log user $DUSER"
fi
sg_info "ok: G1 -> Dante by name (socksmethod $method)"

# ------------------------------------------------ 2. G1 -> (G2, Dante)
get two "$WEB2"
dante_connects $((n0 + 2))
ch_access G1 1 "user=alice " "dest=$WEB2:$WEBPORT " "addr=via:$G2,$DANTE " "rep=0x00"
ch_access G2 1 "user=relay2 " "dest=$DANTE " "addr=$DANTE " "rep=0x00"
[ "$(ch_count G2 "$WEB2")" = 0 ] || dfail "G2 saw the name $WEB2"
sg_info "ok: G1 -> (G2, Dante) as one chain"

# ------------------------------------------------ 3. Dante's REP, unchanged
want=$(dante_rep nosuch.dante.test "$WEBPORT")
case $want in
0x0[1-8]) ;;
*) cat "$SG_TMP/drep" >&2; dfail "Dante's REP for an unknown name: '$want'" ;;
esac
for n in nosuch.dante.test nosuch2.dante.test; do
	sgtool socks --proxy "$G1" --user alice --password "$PW_A" \
	    --dest-name "$n" --dest-port "$WEBPORT" > "$SG_TMP/rep" 2>&1
	grep -q "^rep=$want " "$SG_TMP/rep" ||
		{ cat "$SG_TMP/rep" >&2; dfail "REP for $n through G1 is not Dante's $want"; }
	ch_access G1 1 "dest=$n:$WEBPORT " "rep=$want"
done
grep -q "is down" "${CH_LOG[G1]}" && dfail "G1 marked a hop down"
get again "$WEB"
sg_info "ok: unknown name: Dante's REP $want passed unchanged, no hop down"

# ------------------------------------------------ 4. wrong password (root)
SECRETS=("$PW_A" "$PW_2")
if [ -n "$DUSER" ]; then
	SECRETS+=("$DPASS")
	PW_BAD="Wr0ng-$$-$RANDOM"
	SECRETS+=("$PW_BAD")
	ch_secret wrong "$PW_BAD"
	sg_conf file="$SG_TMP/g1bad.conf" listen='"127.0.0.1:0"' pam_service=sg-g1 \
	    rules='{ name = "alice"; action = "allow"; users = [ "alice" ]; }' \
	    extra="hops = ( { name = \"dante\"; address = \"$DANTE\";
	    user = \"$DUSER\"; password_file = \"$CH_SECRET\"; } );
upstreams = ( { via = ( \"dante\" ); } );"
	ch_start G1BAD -v
	for i in 1 2; do
		sgtool socks --proxy "${CH_ADDR[G1BAD]}" --user alice --password "$PW_A" \
		    --dest-name "$WEB" --dest-port "$WEBPORT" > "$SG_TMP/rep" 2>&1
		# A hop failure is REP 0x01, exactly (sixgated.conf(5)).
		grep -q "^rep=0x01 " "$SG_TMP/rep" ||
			{ cat "$SG_TMP/rep" >&2; dfail "wrong password for Dante: REP is not 0x01 (hop failure)"; }
	done
	grep -q "login refused" "${CH_LOG[G1BAD]}" ||
		dfail "G1BAD's log does not say 'login refused'"
	[ "$(grep -c "upstream $DANTE is down" "${CH_LOG[G1BAD]}")" = 1 ] ||
		dfail "G1BAD did not log 'upstream $DANTE is down' once"
	sg_info "ok: wrong password for Dante: failure REP, 'login refused'"
fi
ch_no_secrets "${SECRETS[@]}"
sg_info "ok: no password in any log"

for g in "${CH_NAMES[@]}"; do
	SG_PID=${CH_PID[$g]}
	SG_LOG=${CH_LOG[$g]}
	sg_stop || ch_fail "$g did not stop on SIGTERM"
	[ "$SG_RC" = 0 ] || ch_fail "$g exited with $SG_RC after SIGTERM"
done
sg_info "done in $(( $(sg_now_ms) - T0 )) ms"
exit 0
