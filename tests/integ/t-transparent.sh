#!/bin/bash
# t-transparent.sh (root, nftables) - transparent listeners (protocol
# "transparent") in network namespaces: an IPv4-only client c4 and an
# IPv6-only client c6 whose default routes point at the gateway gw, which
# does not forward; gw runs sixgated with transparent listeners on
# 0.0.0.0 and [::] and an nftables `nat prerouting ... redirect to :PORT`
# for TCP from the clients' veths; HTTP servers on d4 (IPv4 only) and d6
# (IPv6 only) that only gw reaches.
#  1. without the redirect the clients cannot reach d4/d6;
#  2. with it, curl http://D4_ADDR:PORT/blob from c4 (and the IPv6 pair
#     from c6) gets the file through sixgated: access line door=transparent
#     user=- dest=the original destination, the client's address in the
#     session's tag; auth.methods has no "none" (the door needs none);
#  3. a direct connection to the listener (redirected onto itself, and
#     from gw itself, never redirected) is refused and logged (loop); so
#     is, with an output redirect that also takes the daemon's own
#     connections, the relay's connection coming back (its socket is the
#     daemon's user's), and no chain of relays grows;
#     the metrics count refusals{reason="loop"} and door="transparent";
#  3b. fake addresses: c4 asks the gateway's DNS listener for an
#     IPv6-only name and c6 for an IPv4-only one, gets a fake of its own
#     family (240.0.0.0/12, 100::/64) and fetches the file from it: the
#     access line names the name and the real address; a fake that
#     stands for no name is refused, logged and counted
#     (refusals{reason="fake"}); a statically linked
#     client doing its own DNS over UDP (staticget.c, as Go does) does
#     the same from c4; so does busybox-static's wget (static glibc,
#     getaddrinfo through /etc/netns/<ns>/resolv.conf naming the DNS
#     listener on port 53) from c4 and c6 (without busybox-static: the
#     test ends with SKIP after every other part passed);
#  4. rules refusing the client network (reloaded): curl fails, the
#     access line says rep=0x02 end=denied;
#  5. TPROXY (tproxy = true, nft `tproxy to :PORT` and a fwmark route
#     to lo): both clients again, the original destination is the
#     accepted socket's local address; a direct connection is a loop;
#  6. sixgated -n: tproxy only for protocol "transparent"; without
#     CAP_NET_ADMIN/CAP_NET_RAW a tproxy listener is a start-up error.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
. "$top_srcdir/tests/integ/netns.sh"
ns_check
sg_init
sg_need curl sha256sum dig
command -v nft >/dev/null 2>&1 || sg_skip "nft (nftables) not installed"

ns_init
ns_rfc3089
ns_exec "$NS_C4" ip route add default via "$NS_GW_C4" &&
	ns_exec "$NS_C6" ip -6 route add default via "$NS_GW_C6" ||
	sg_error "cannot add the clients' default routes"
sg_info "namespaces: $NS_C4 $NS_C6 $NS_GW $NS_D4 $NS_D6"

mkdir -p "$SG_TMP/www"
head -c $((1 << 20)) /dev/urandom > "$SG_TMP/www/blob"
BLOB=$(sg_sha "$SG_TMP/www/blob")
ns_server HTTP4 "$NS_D4" http --bind "$NS_D4_ADDR" --dir "$SG_TMP/www"
ns_server HTTP6 "$NS_D6" http --bind "$NS_D6_ADDR" --dir "$SG_TMP/www"
URL4="http://$NS_D4_ADDR:$HTTP4/blob"
URL6="http://[$NS_D6_ADDR]:$HTTP6/blob"

ns_curl() {	# NS CURL-ARGS...
	local ns=$1
	shift
	timeout 30 ip netns exec "$ns" curl -q -sS --max-time 20 \
	    --connect-timeout 3 "$@"
}

# get NS OUT URL: fetch the blob, compare its checksum.
get() {
	rm -f "$2"
	ns_curl "$1" -o "$2" "$3" 2> "$2.err" || {
		cat "$2.err" >&2
		sg_show_log
		sg_fail "curl in $1 $3 failed"
	}
	[ "$(sg_sha "$2")" = "$BLOB" ] || sg_fail "curl in $1 $3: content differs"
}

# ------------------------------------------------ 1. no way without gw
ns_curl "$NS_C4" --max-time 4 -o /dev/null "$URL4" 2>/dev/null &&
	sg_fail "$URL4 reachable from c4 without the redirect"
ns_curl "$NS_C6" --max-time 4 -o /dev/null "$URL6" 2>/dev/null &&
	sg_fail "$URL6 reachable from c6 without the redirect"
sg_info "ok: without the redirect the clients reach neither destination"

# ------------------------------------------------ 2. through sixgated
SG_REAL=$(cd "$(dirname "$SIXGATED")" && pwd)/$(basename "$SIXGATED")
printf '#!/bin/sh\nexec ip netns exec "%s" "%s" "$@"\n' "$NS_GW" "$SG_REAL" \
    > "$SG_TMP/sixgated-in-gw"
chmod 755 "$SG_TMP/sixgated-in-gw"
SIXGATED=$SG_TMP/sixgated-in-gw
LISTEN='{ address = "0.0.0.0:0"; protocol = "transparent"; },
  { address = "[::]:0"; protocol = "transparent"; },
  { address = "192.0.2.1:0"; protocol = "dns"; },
  { address = "[2001:db8:c6::1]:0"; protocol = "dns"; },
  { address = "192.0.2.1:53"; protocol = "dns"; },
  { address = "[2001:db8:c6::1]:53"; protocol = "dns"; }'
ALLOW='{ name = "legacy"; action = "allow"; auth = [ "none" ];
    from = [ "192.0.2.0/24", "2001:db8:c6::/64", "198.51.100.1/32" ];
    to = [ "198.51.100.0/24", "2001:db8:d6::/64" ]; }'
METRICS='metrics: { listen = "127.0.0.1:0"; path = "/metrics"; };
fake: { ipv4 = "240.0.0.0/12"; ipv6 = "100::/64"; ttl = 10; };'
sg_conf listen="$LISTEN" methods='"username"' rules="$ALLOW" extra="$METRICS"
sg_start
MPORT=$(sed -n 's,.*metrics on http://127\.0\.0\.1:\([0-9][0-9]*\)/metrics.*,\1,p' "$SG_LOG" | head -n1)
[ -n "$MPORT" ] || sg_fail "no metrics listener in the log"
T4=$(sed -n 's/.*listening on 0\.0\.0\.0:\([0-9][0-9]*\) (transparent).*/\1/p' "$SG_LOG")
T6=$(sed -n 's/.*listening on \[::\]:\([0-9][0-9]*\) (transparent).*/\1/p' "$SG_LOG")
[ -n "$T4" ] && [ -n "$T6" ] || sg_fail "transparent listener ports not in the log"

ns_exec "$NS_GW" nft -f - <<EOF || sg_error "nft in gw failed"
table inet sgtest {
	chain pre {
		type nat hook prerouting priority dstnat; policy accept;
		iifname "to-c4" meta l4proto tcp redirect to :$T4
		iifname "to-c6" meta l4proto tcp redirect to :$T6
	}
}
EOF

get "$NS_C4" "$SG_TMP/c4.blob" "$URL4"
sg_log_wait "door=transparent" 10 || sg_fail "no access line door=transparent"
line=$(grep -F "door=transparent" "$SG_LOG" | grep -F "dest=$NS_D4_ADDR:$HTTP4 ")
[ -n "$line" ] || { sg_show_log; sg_fail "no access line for dest=$NS_D4_ADDR:$HTTP4"; }
for w in "$NS_C4_ADDR:" "user=-" "cmd=connect" "rep=0x00" "addr=$NS_D4_ADDR:$HTTP4"; do
	printf '%s\n' "$line" | grep -qF -- "$w" ||
		{ sg_show_log; sg_fail "IPv4 access line lacks $w: $line"; }
done
sg_info "ok: c4 -> $URL4 through the transparent listener"

get "$NS_C6" "$SG_TMP/c6.blob" "$URL6"
sg_log_wait "door=transparent" 10 2 || sg_fail "no second access line"
line=$(grep -F "door=transparent" "$SG_LOG" | grep -F "dest=[$NS_D6_ADDR]:$HTTP6 ")
[ -n "$line" ] || { sg_show_log; sg_fail "no access line for dest=[$NS_D6_ADDR]:$HTTP6"; }
for w in "[$NS_C6_ADDR]:" "user=-" "rep=0x00"; do
	printf '%s\n' "$line" | grep -qF -- "$w" ||
		{ sg_show_log; sg_fail "IPv6 access line lacks $w: $line"; }
done
sg_info "ok: c6 -> $URL6 through the transparent listener"

# ------------------------------------------------ 3. loops
n=$(sg_log_count "(loop)")
ns_curl "$NS_C4" --max-time 5 -o /dev/null "http://$NS_GW_C4:$T4/blob" 2>/dev/null &&
	sg_fail "a direct connection to the IPv4 listener was relayed"
sg_log_wait "(loop)" 5 $((n + 1)) || { sg_show_log; sg_fail "IPv4 loop not logged"; }
grep -F "(loop)" "$SG_LOG" | grep -qF "$NS_GW_C4:$T4" ||
	sg_fail "the loop line does not name $NS_GW_C4:$T4"
ns_curl "$NS_C6" --max-time 5 -o /dev/null "http://[$NS_GW_C6]:$T6/blob" 2>/dev/null &&
	sg_fail "a direct connection to the IPv6 listener was relayed"
sg_log_wait "(loop)" 5 $((n + 2)) || { sg_show_log; sg_fail "IPv6 loop not logged"; }
# From gw itself: not redirected at all (output, not prerouting).
ns_curl "$NS_GW" --max-time 5 -o /dev/null "http://127.0.0.1:$T4/blob" 2>/dev/null &&
	sg_fail "a connection from gw to its own listener was relayed"
sg_log_wait "(loop)" 5 $((n + 3)) || { sg_show_log; sg_fail "local loop not logged"; }
[ "$(grep -F "door=transparent" "$SG_LOG" | grep -c "rep=0x00")" -eq 2 ] ||
	sg_fail "a refused loop produced a relay"
sg_info "ok: connections to the listener itself are refused (loop)"
# An output redirect that takes sixgated's own connections too (no skuid
# match): a relay's connection to the destination comes back to the
# listener, is seen to be the daemon's user's (sock_diag) and refused;
# no chain of relays grows.
ns_exec "$NS_GW" nft -f - <<EOF || sg_error "nft output chain in gw failed"
table inet sgtest {
	chain out {
		type nat hook output priority -100; policy accept;
		ip daddr $NS_D4_ADDR tcp dport $HTTP4 redirect to :$T4
	}
}
EOF
n=$(sg_log_count "belongs to this daemon's user")
a=$(sg_log_count "door=transparent")
ns_exec "$NS_GW" setpriv --reuid=65534 --regid=65534 --clear-groups \
    curl -q -sS --max-time 5 -o /dev/null "$URL4" 2>/dev/null &&
	sg_fail "curl as nobody through a self-redirecting gateway succeeded"
sg_log_wait "belongs to this daemon's user" 5 $((n + 1)) ||
	{ sg_show_log; sg_fail "the daemon's own redirected connection was not refused"; }
sg_log_wait "door=transparent" 5 $((a + 1)) || { sg_show_log; sg_fail "no access line for nobody's relay"; }
sleep 0.5
[ "$(sg_log_count "door=transparent")" -eq $((a + 1)) ] &&
	[ "$(sg_log_count "belongs to this daemon's user")" -eq $((n + 1)) ] ||
	{ sg_show_log; sg_fail "relays to itself went on"; }
ns_exec "$NS_GW" nft -f - <<EOF || sg_error "cannot remove the output chain"
flush chain inet sgtest out
delete chain inet sgtest out
EOF
sg_info "ok: the daemon's own connections redirected back are refused (loop)"
ns_curl "$NS_GW" -o "$SG_TMP/metrics" "http://127.0.0.1:$MPORT/metrics" ||
	sg_fail "cannot scrape the metrics in gw"
for w in 'sixgate_refusals_total{reason="loop"} 4' \
    'sixgate_door_relays_total{door="transparent"} 3'; do
	grep -qF -- "$w" "$SG_TMP/metrics" ||
		{ grep -F -e refusals -e door_relays "$SG_TMP/metrics" >&2; sg_fail "metrics lack: $w"; }
done
sg_info "ok: the metrics count the loops and the transparent relays"

# ------------------------------------------------ 3b. fake addresses
# RFC 3089 types B and C without a SOCKS client: the clients ask the
# gateway's DNS listeners, get fakes of their own family for names that
# only have the other, and connect to them; the transparent listener
# maps each fake back to its name, which the gateway resolves.
DNS4=$(sed -n 's/.*listening on 192\.0\.2\.1:\([0-9][0-9]*\) (dns)$/\1/p' "$SG_LOG" | head -n1)
DNS6=$(sed -n 's/.*listening on \[2001:db8:c6::1\]:\([0-9][0-9]*\) (dns)$/\1/p' "$SG_LOG" | head -n1)
[ -n "$DNS4" ] && [ -n "$DNS6" ] || sg_fail "dns listener ports not in the log"
fake_of() {	# NS SERVER PORT TYPE NAME: the first answer
	ns_exec "$1" dig @"$2" -p "$3" +short +time=2 +tries=1 "$5" "$4" 2>&1 |
		head -n1
}
F4=$(fake_of "$NS_C4" "$NS_GW_C4" "$DNS4" A "$NS_WEB6")
case $F4 in
240.*) ;;
*) sg_show_log; sg_fail "A $NS_WEB6 asked from c4: '$F4', not a fake in 240.0.0.0/12" ;;
esac
F6=$(fake_of "$NS_C6" "$NS_GW_C6" "$DNS6" AAAA "$NS_WEB4")
case $F6 in
100::*) ;;
*) sg_show_log; sg_fail "AAAA $NS_WEB4 asked from c6: '$F6', not a fake in 100::/64" ;;
esac
get "$NS_C4" "$SG_TMP/c4.fake" "http://$F4:$HTTP6/blob"
get "$NS_C6" "$SG_TMP/c6.fake" "http://[$F6]:$HTTP4/blob"
for w in "dest=$NS_WEB6:$HTTP6 addr=[$NS_D6_ADDR]:$HTTP6 rep=0x00" \
    "dest=$NS_WEB4:$HTTP4 addr=$NS_D4_ADDR:$HTTP4 rep=0x00"; do
	grep -F "door=transparent" "$SG_LOG" | grep -qF -- "$w" ||
		{ sg_show_log; sg_fail "no access line with $w"; }
done
sg_info "ok: c4 -> $F4 ($NS_WEB6, IPv6) and c6 -> $F6 ($NS_WEB4, IPv4) by name"
# A statically linked program that does its own DNS over UDP, as a Go
# binary does (staticget.c, built here with -static): port 53 of the
# gateway's DNS listener, then a connection to the fake.  Nothing on the
# client knows of SOCKS, and no preload could reach it.
"${CC:-cc}" -static -O1 -o "$SG_TMP/staticget" "$SG_INTEG/staticget.c" \
    2> "$SG_TMP/staticget.cc" || { cat "$SG_TMP/staticget.cc" >&2; sg_error "cannot build staticget with -static"; }
ns_exec "$NS_C4" "$SG_TMP/staticget" "$NS_GW_C4" "$NS_WEB6" "$HTTP6" blob \
    > "$SG_TMP/c4.static" 2> "$SG_TMP/c4.static.err" ||
	{ cat "$SG_TMP/c4.static.err" >&2; sg_show_log; sg_fail "the static client in c4 could not fetch $NS_WEB6"; }
[ "$(sg_sha "$SG_TMP/c4.static")" = "$BLOB" ] || sg_fail "the static client: content differs"
grep -q "is 240\." "$SG_TMP/c4.static.err" || sg_fail "the static client was not given a fake: $(cat "$SG_TMP/c4.static.err")"
sg_info "ok: a static binary with its own DNS in c4 fetched $NS_WEB6 (IPv6 only) through a fake"
# busybox-static's wget: a static glibc binary whose getaddrinfo reads
# the client's /etc/resolv.conf (bind-mounted by ip netns exec), which
# names the gateway's DNS listener on port 53; c4 gets a fake for the
# IPv6-only name, c6 one for the IPv4-only name.  No -T: Debian 12's
# busybox 1.35 is built without FEATURE_WGET_TIMEOUT, yet its getopt32
# still takes -T as a number and stores it through a NULL pointer
# (SIGSEGV before any system call); timeout(1) bounds it instead.
BB_SKIP=
BB=$(command -v busybox)
if [ -z "$BB" ]; then
	BB_SKIP="busybox-static not installed"
elif ! LC_ALL=C ldd "$BB" 2>&1 | grep -q "not a dynamic executable"; then
	BB_SKIP="$BB is not statically linked (install busybox-static)"
fi
bb_get() {	# NS NAMESERVER NAME PORT OUT
	ns_hosts "$1" <<EOF
127.0.0.1	localhost
::1		localhost ip6-localhost ip6-loopback
EOF
	printf 'nameserver %s\n' "$2" > "/etc/netns/$1/resolv.conf" ||
		sg_error "cannot write /etc/netns/$1/resolv.conf"
	rm -f "$5"
	timeout 30 ip netns exec "$1" "$BB" wget -q -O "$5" "http://$3:$4/blob" \
	    2> "$5.err" || {
		cat "$5.err" >&2
		sg_show_log
		sg_fail "busybox wget in $1 could not fetch http://$3:$4/blob"
	}
	[ "$(sg_sha "$5")" = "$BLOB" ] || sg_fail "busybox wget in $1: content differs"
}
if [ -z "$BB_SKIP" ]; then
	n6=$(sg_log_count "dest=$NS_WEB6:$HTTP6 addr=[$NS_D6_ADDR]:$HTTP6 rep=0x00")
	n4=$(sg_log_count "dest=$NS_WEB4:$HTTP4 addr=$NS_D4_ADDR:$HTTP4 rep=0x00")
	bb_get "$NS_C4" "$NS_GW_C4" "$NS_WEB6" "$HTTP6" "$SG_TMP/c4.busybox"
	sg_log_wait "dest=$NS_WEB6:$HTTP6 addr=[$NS_D6_ADDR]:$HTTP6 rep=0x00" 5 $((n6 + 1)) ||
		{ sg_show_log; sg_fail "no access line for busybox wget in c4"; }
	bb_get "$NS_C6" "$NS_GW_C6" "$NS_WEB4" "$HTTP4" "$SG_TMP/c6.busybox"
	sg_log_wait "dest=$NS_WEB4:$HTTP4 addr=$NS_D4_ADDR:$HTTP4 rep=0x00" 5 $((n4 + 1)) ||
		{ sg_show_log; sg_fail "no access line for busybox wget in c6"; }
	sg_info "ok: busybox-static wget by name from c4 ($NS_WEB6) and c6 ($NS_WEB4) through fakes"
fi
# A fake that stands for no name is refused, not relayed.
ns_curl "$NS_C4" --max-time 5 -o /dev/null "http://240.0.255.254:$HTTP6/blob" 2>/dev/null &&
	sg_fail "a fake that stands for nothing was relayed"
sg_log_wait "240.0.255.254:$HTTP6 is a fake address that stands for no name" 5 ||
	{ sg_show_log; sg_fail "the dead fake was not refused and logged"; }
ns_curl "$NS_GW" -o "$SG_TMP/metrics" "http://127.0.0.1:$MPORT/metrics" ||
	sg_fail "cannot scrape the metrics in gw"
grep -qF 'sixgate_refusals_total{reason="fake"} 1' "$SG_TMP/metrics" ||
	{ grep -F refusals "$SG_TMP/metrics" >&2; sg_fail "the dead fake is not counted as a refusal"; }
sg_info "ok: a dead fake is refused"

# ------------------------------------------------ 4. rules say no
sg_conf listen="$LISTEN" methods='"username"' extra="$METRICS" rules='{ name = "no-legacy"; action = "deny"; from = [ "192.0.2.0/24" ]; },
  '"$ALLOW"
n=$(sg_log_count "configuration reloaded")
kill -HUP "$SG_PID"
sg_log_wait "configuration reloaded" 10 $((n + 1)) || sg_fail "reload not logged"
ns_curl "$NS_C4" --max-time 5 -o "$SG_TMP/denied" "$URL4" 2>/dev/null &&
	sg_fail "$URL4 fetched from c4 though the rules refuse 192.0.2.0/24"
sg_log_wait "end=denied" 5 || { sg_show_log; sg_fail "no access line end=denied"; }
grep -F "end=denied" "$SG_LOG" | grep -F "door=transparent" |
	grep -qF "rep=0x02" || { sg_show_log; sg_fail "the refusal is not rep=0x02"; }
get "$NS_C6" "$SG_TMP/c6.again" "$URL6"
sg_info "ok: the rules refuse 192.0.2.0/24 (closed, logged); c6 still passes"
sg_stop || sg_fail "sixgated did not stop on SIGTERM"

# ------------------------------------------------ 5. TPROXY
ns_exec "$NS_GW" nft delete table inet sgtest || sg_error "cannot delete the nat table"
sg_conf listen='{ address = "0.0.0.0:0"; protocol = "transparent"; tproxy = true; },
  { address = "[::]:0"; protocol = "transparent"; tproxy = true; }' \
    methods='"username"' rules="$ALLOW"
sg_start
T4=$(sed -n 's/.*listening on 0\.0\.0\.0:\([0-9][0-9]*\) (transparent tproxy).*/\1/p' "$SG_LOG")
T6=$(sed -n 's/.*listening on \[::\]:\([0-9][0-9]*\) (transparent tproxy).*/\1/p' "$SG_LOG")
[ -n "$T4" ] && [ -n "$T6" ] || sg_fail "no 'transparent tproxy' listeners in the log"
ns_exec "$NS_GW" ip rule add fwmark 1 lookup 100 &&
	ns_exec "$NS_GW" ip route add local 0.0.0.0/0 dev lo table 100 &&
	ns_exec "$NS_GW" ip -6 rule add fwmark 1 lookup 100 &&
	ns_exec "$NS_GW" ip -6 route add local ::/0 dev lo table 100 ||
	sg_error "cannot add the tproxy routes in gw"
ns_exec "$NS_GW" nft -f - <<EOF || sg_error "nft tproxy in gw failed"
table inet sgtproxy {
	chain pre {
		type filter hook prerouting priority mangle; policy accept;
		iifname "to-c4" meta l4proto tcp tproxy ip to :$T4 meta mark set 1 accept
		iifname "to-c6" meta l4proto tcp tproxy ip6 to :$T6 meta mark set 1 accept
	}
}
EOF
get "$NS_C4" "$SG_TMP/c4.tproxy" "$URL4"
get "$NS_C6" "$SG_TMP/c6.tproxy" "$URL6"
sg_log_wait "door=transparent" 10 2 || sg_fail "no access lines under tproxy"
for d in "dest=$NS_D4_ADDR:$HTTP4 " "dest=[$NS_D6_ADDR]:$HTTP6 "; do
	grep -F "door=transparent" "$SG_LOG" | grep -F "$d" | grep -qF "rep=0x00" ||
		{ sg_show_log; sg_fail "no tproxy access line with $d"; }
done
n=$(sg_log_count "(loop)")
ns_curl "$NS_C4" --max-time 5 -o /dev/null "http://$NS_GW_C4:$T4/blob" 2>/dev/null &&
	sg_fail "a direct connection to the tproxy listener was relayed"
sg_log_wait "(loop)" 5 $((n + 1)) || { sg_show_log; sg_fail "tproxy loop not logged"; }
sg_info "ok: TPROXY, IPv4 and IPv6; a direct connection is a loop"
sg_stop || sg_fail "sixgated (tproxy) did not stop on SIGTERM"

# ------------------------------------------------ 6. configuration
SIXGATED=$SG_REAL
printf 'listen = ( { address = "127.0.0.1:1"; tproxy = true; } );\n' > "$SG_TMP/bad.conf"
out=$("$SIXGATED" -n -f "$SG_TMP/bad.conf" 2>&1) && sg_fail "sixgated -n took tproxy on a socks listener"
printf '%s\n' "$out" | grep -q "tproxy.*transparent" || sg_fail "unexpected -n output: $out"
printf 'listen = ( { address = "127.0.0.1:1"; protocol = "transparent"; tproxy = true; } );\n' > "$SG_TMP/ok.conf"
"$SIXGATED" -n -f "$SG_TMP/ok.conf" >/dev/null 2>&1 || sg_fail "sixgated -n refused a tproxy listener"
sg_info "ok: sixgated -n on tproxy"
# The bind needs CAP_NET_ADMIN (or CAP_NET_RAW): a clear start-up error.
if command -v setpriv >/dev/null 2>&1; then
	out=$(timeout 10 setpriv --bounding-set -net_admin,-net_raw \
	    "$SIXGATED" -d -f "$SG_TMP/ok.conf" 2>&1) &&
		sg_fail "sixgated started a tproxy listener without CAP_NET_ADMIN"
	printf '%s\n' "$out" | grep -qF "tproxy needs CAP_NET_ADMIN" ||
		sg_fail "no CAP_NET_ADMIN hint: $out"
	sg_info "ok: without CAP_NET_ADMIN the tproxy listener fails to start"
fi
[ -z "$BB_SKIP" ] || sg_skip "$BB_SKIP: every other part passed, busybox wget not tested"
exit 0
