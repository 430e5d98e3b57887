#!/bin/bash
# t-portmap.sh - port mappings (protocol "portmap"):
#  1. TCP: an IPv4 client (127.0.0.2:MAP) reaches an HTTP server that
#     listens on [::1] only, named web6.sgtest, a name only the gateway
#     resolves (per connection); access line door=portmap, user=-;
#  2. TCP refused by the rules (destination not allowed): the client's
#     connection is closed, the access line says rep=0x02 end=denied;
#  3. UDP: dig @127.0.0.3 -p MAP gets its answer from a DNS responder on
#     [::1] only; the flow ends at shutdown with an access line
#     door=portmap cmd=udp dgrams_up=1 dgrams_down=1;
#  4. TCP through an upstream gateway (via, an inline hop: a second
#     sixgated on [::1]), seen in both access logs;
#  5. sixgated -n refuses via on a udp mapping and an unknown hop.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
. "$top_srcdir/tests/integ/preload.sh"
sg_init
sg_need curl dig

PL_SIXGATED=$SIXGATED
pl_hosts
pl_unresolvable web6.sgtest

printf 'hello over a port mapping\n' > "$SG_TMP/index.html"
sg_server WEB6 http --bind ::1 --dir "$SG_TMP"
rm -f "$SG_TMP/port.DNS6"
sg_bg timeout 600 "$SG_PY" "$SG_INTEG/udptool.py" dns --bind ::1 \
    --port-file "$SG_TMP/port.DNS6" --a map.sgtest=192.0.2.44 \
    --log "$SG_TMP/dns.log" 2>>"$SG_TMP/servers.err"
sg_wait_file "$SG_TMP/port.DNS6" 10 || sg_error "DNS responder did not start"
DNS6=$(cat "$SG_TMP/port.DNS6")

# G2: the upstream hop, on [::1], for unauthenticated clients.
sg_conf file="$SG_TMP/g2.conf" listen='"[::1]:0"' methods='"none"' \
    rules='{ name = "anon"; action = "allow"; auth = [ "none" ]; to = [ "::1/128" ]; }'
sg_start
G2_LOG=$SG_LOG G2_PORT=$SG_PORT6
[ -n "$G2_PORT" ] || sg_fail "G2: no listener port"

# G1: the mappings.  auth.methods has no "none": a mapping needs none.
listen='"127.0.0.1:0",
  { address = "127.0.0.2:0"; protocol = "portmap"; to = "web6.sgtest:'$WEB6'"; },
  { address = "127.0.0.3:0"; protocol = "portmap"; transport = "udp"; to = "[::1]:'$DNS6'"; },
  { address = "127.0.0.4:0"; protocol = "portmap"; to = "[::1]:'$WEB6'";
    via = ( { address = "[::1]:'$G2_PORT'"; } ); },
  { address = "127.0.0.5:0"; protocol = "portmap"; to = "127.0.0.1:'$WEB6'"; }'
sg_conf file="$SG_TMP/g1.conf" listen="$listen" methods='"username"' \
    rules='{ name = "anon-v6"; action = "allow"; auth = [ "none" ]; to = [ "::1/128" ]; }'
SG_NLISTEN=5
SIXGATED=$SG_TMP/sixgated-ns
sg_start
SIXGATED=$PL_SIXGATED
port_of() {	# ADDRESS: the port the log says it listens on
	sed -n "s/.*listening on $1:\([0-9][0-9]*\).*/\1/p" "$SG_LOG" | head -n1
}
MAP=$(port_of 127.0.0.2) UMAP=$(port_of 127.0.0.3) VMAP=$(port_of 127.0.0.4)
DMAP=$(port_of 127.0.0.5)
[ -n "$MAP" ] && [ -n "$UMAP" ] && [ -n "$VMAP" ] && [ -n "$DMAP" ] ||
	sg_fail "G1: mapping ports not found in the log"
grep -q "listening on 127.0.0.3:$UMAP (portmap udp)" "$SG_LOG" ||
	sg_fail "G1: the udp mapping is not announced as such"

# 1. TCP, IPv4 client to an IPv6-only server by a name.
sg_curl -o "$SG_TMP/out1" "http://127.0.0.2:$MAP/index.html" \
    2> "$SG_TMP/curl1.err" || {
	cat "$SG_TMP/curl1.err" >&2
	sg_fail "curl through the TCP mapping failed"
}
cmp -s "$SG_TMP/out1" "$SG_TMP/index.html" || sg_fail "mapping: wrong body"
sg_log_wait "door=portmap" 10 1 || sg_fail "no access line door=portmap"
grep -F " access " "$SG_LOG" | grep -F "dest=web6.sgtest:$WEB6" |
    grep -F "addr=[::1]:$WEB6" | grep -F "user=- cmd=connect" |
    grep -qF "rep=0x00" || sg_fail "mapping access line: wrong fields"
sg_info "ok: TCP mapping, IPv4 client to an IPv6-only name"

# 2. Refused by the rules: closed, logged.
if sg_curl -o /dev/null "http://127.0.0.5:$DMAP/index.html" 2>/dev/null; then
	sg_fail "a mapping the rules refuse was relayed"
fi
sg_log_wait "end=denied" 10 1 || sg_fail "no denied access line"
grep -F " access " "$SG_LOG" | grep -F "dest=127.0.0.1:$WEB6" |
    grep -F "door=portmap" | grep -qF "rep=0x02" ||
	sg_fail "denied mapping: wrong access line"
sg_info "ok: TCP mapping refused by the rules"

# 3. UDP: a DNS query through the mapping to a responder on [::1].
out=$(timeout 20 dig +short +tries=2 +time=3 @127.0.0.3 -p "$UMAP" \
    map.sgtest A 2>&1) || sg_fail "dig through the udp mapping failed: $out"
[ "$out" = 192.0.2.44 ] || sg_fail "dig through the udp mapping: '$out'"
grep -q "qname=map.sgtest" "$SG_TMP/dns.log" ||
	sg_fail "the DNS responder did not see the query"
sg_info "ok: UDP mapping relays a DNS query to [::1]"

# 4. Through the upstream hop G2.
sg_curl -o "$SG_TMP/out4" "http://127.0.0.4:$VMAP/index.html" \
    2> "$SG_TMP/curl4.err" || {
	cat "$SG_TMP/curl4.err" >&2
	sg_fail "curl through the mapping via G2 failed"
}
cmp -s "$SG_TMP/out4" "$SG_TMP/index.html" || sg_fail "via G2: wrong body"
sg_log_wait "addr=via:" 10 1 || sg_fail "G1: no access line via the hop"
grep -F " access " "$SG_LOG" | grep -F "addr=via:[::1]:$G2_PORT" |
    grep -qF "door=portmap" || sg_fail "G1: via access line: wrong fields"
grep -F " access " "$G2_LOG" | grep -F "dest=[::1]:$WEB6" |
    grep -qF "rep=0x00" || sg_fail "G2: no access line for the mapping"
sg_info "ok: TCP mapping through an upstream gateway"

# The UDP flow ends at shutdown, with its access line.
sg_stop || sg_fail "G1 did not stop in time"
grep -F " access " "$SG_LOG" | grep -F "cmd=udp" | grep -F "door=portmap" |
    grep -F "dgrams_up=1 dgrams_down=1" | grep -qF "end=shutdown" ||
	sg_fail "no access line for the udp flow at shutdown"
sg_info "ok: the udp flow logged at shutdown"

# 5. Configuration errors.
printf 'listen = ( { address = "127.0.0.1:0"; protocol = "portmap"; transport = "udp"; to = "[::1]:53"; via = ( { address = "[::1]:1080"; } ); } );\n' > "$SG_TMP/bad1.conf"
out=$("$SIXGATED" -n -f "$SG_TMP/bad1.conf" 2>&1) &&
	sg_fail "via on a udp mapping accepted"
case $out in *"only for transport"*) ;; *) sg_fail "bad1: $out" ;; esac
printf 'listen = ( { address = "127.0.0.1:0"; protocol = "portmap"; to = "[::1]:22"; via = ( "nosuch" ); } );\n' > "$SG_TMP/bad2.conf"
out=$("$SIXGATED" -n -f "$SG_TMP/bad2.conf" 2>&1) &&
	sg_fail "via with an unknown hop accepted"
case $out in *'unknown hop "nosuch"'*) ;; *) sg_fail "bad2: $out" ;; esac
sg_info "ok: configuration errors"
exit 0
