#!/bin/bash
# t-dns-forward.sh - the DNS front door forwards what it does not answer
# itself to the nameservers of /etc/resolv.conf.  sixgated runs in a
# network namespace of its own (ip netns exec bind-mounts
# /etc/netns/<ns>/resolv.conf over /etc/resolv.conf), with a small
# upstream server (dnsup.py) on 127.0.0.2:53 and [::1]:53 beside it;
# the file is rewritten in place between the steps (res_ninit reads it
# for every forwarded query).  Nothing leaves the namespace.
#  1. MX and TXT over UDP and TCP: the upstream's records (dig drops an
#     answer whose id is not its own); PTR of a real address: the
#     upstream's name; PTR of a fake and A: still ours, never upstream;
#  2. sizes: a 640-byte TXT to a client with a 512-byte buffer: TC and
#     no records (cut by the gateway: the upstream sent it whole); the
#     same over TCP: whole; a 1.4 KB TXT over TCP: the upstream's UDP
#     answer is truncated, the gateway asks again over TCP; a 6 KB one
#     over TCP: whole; ANY and AXFR: NOTIMP, not forwarded;
#  3. an IPv6 nameserver ([::1]);
#  4. a refused client: REFUSED, nothing reaches the upstream;
#  5. the upstream down (nobody on the address): SERVFAIL, logged;
#  6. the upstream silent: SERVFAIL within the 5 s cap; six such
#     queries at once: four forwarded, two SERVFAIL at once (the UDP
#     bound, logged), and an A query meanwhile is answered at once;
#     eight slow A look-ups at once: the sockets are still read (an
#     answer at once, SERVFAIL over the bound of 6, logged);
#  7. the loop guard: resolv.conf names the gateway's own dns listener:
#     SERVFAIL, one log line for two queries; A still answered; A of a
#     name in no /etc/hosts: the gateway's own look-up comes back to the
#     listener and is answered SERVFAIL at once (logged), so the client
#     gets SERVFAIL in under 3 s; names in /etc/hosts still get fakes;
#  8. shutdown while four UDP queries wait on the silent nameserver:
#     prompt (under 2.5 s), not at the 5 s cap.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
. "$top_srcdir/tests/integ/netns.sh"
ns_check
sg_init
sg_need dig

ns_init
ns_add dns NS dual
ns_hosts "$NS" <<EOF
127.0.0.1	localhost
::1		localhost ip6-localhost ip6-loopback
192.0.2.7	web.fwd.test
EOF
RESOLV=/etc/netns/$NS/resolv.conf
resolv() {	# rewrite in place: the bind mount keeps the inode
	printf '%s\n' "$@" > "$RESOLV" || sg_error "cannot write $RESOLV"
}
resolv "nameserver 127.0.0.2"
COUNT=$SG_TMP/upstream.count
: > "$COUNT"

upstream() {	# VAR ADDRESS: dnsup.py on ADDRESS:53 inside NS
	local rf=$SG_TMP/ready.$1
	sg_bg timeout 600 ip netns exec "$NS" "$SG_PY" "$SG_INTEG/dnsup.py" \
	    "$2" --count-file "$COUNT" --ready-file "$rf" \
	    2>>"$SG_TMP/servers.err"
	printf -v "$1" '%s' "$SG_BGPID"
	sg_wait_file "$rf" 10 || {
		cat "$SG_TMP/servers.err" >&2
		sg_error "dnsup.py on $2 did not start"
	}
}
upstream UP4 127.0.0.2
upstream UP6 ::1

SG_REAL=$(cd "$(dirname "$SIXGATED")" && pwd)/$(basename "$SIXGATED")
printf '#!/bin/sh\nexec ip netns exec "%s" "%s" "$@"\n' "$NS" "$SG_REAL" \
    > "$SG_TMP/sixgated-in-ns"
chmod 755 "$SG_TMP/sixgated-in-ns"
SIXGATED=$SG_TMP/sixgated-in-ns
fake='fake: { ipv4 = "240.0.0.0/12"; ipv6 = "100::/64"; ttl = 10; };'
sg_conf listen='"127.0.0.1:0", { address = "127.0.0.1:53"; protocol = "dns"; }' \
    methods='"none"' extra="$fake" \
    rules='{ action = "deny"; from = [ "127.0.0.3/32" ]; }, { action = "allow"; }'
SG_NLISTEN=3	# socks, dns (tcp), dns udp
sg_start

q() {	# dig args, from inside NS, to the gateway
	ns_exec "$NS" timeout 20 dig @127.0.0.1 -p 53 +time=8 +tries=1 "$@" 2>&1
}
answer() {	# the first answer record's data
	q +short "$@" | head -n1
}
status() {
	q "$@" | sed -n 's/.*status: \([A-Z]*\),.*/\1/p' | head -n1
}
asked() {	# how many queries of TYPE (number) by PROTO reached upstream
	grep -c "^$1 $2\$" "$COUNT"
}

# 1. Forwarded: MX, TXT, PTR of a real address; ours stay ours.
a=$(answer mail.fwd.test MX)
[ "$a" = "10 mail.mail.fwd.test." ] || { q mail.fwd.test MX >&2; sg_fail "MX over UDP: '$a'"; }
a=$(answer +tcp mail.fwd.test MX)
[ "$a" = "10 mail.mail.fwd.test." ] || sg_fail "MX over TCP: '$a'"
a=$(answer Some.Fwd.Test TXT)
[ "$a" = '"upstream-says-Some.Fwd.Test"' ] || sg_fail "TXT over UDP: '$a'"
a=$(answer +notcp +noedns some.fwd.test TXT)
[ "$a" = '"upstream-says-some.fwd.test"' ] || sg_fail "TXT without EDNS: '$a'"
a=$(answer -x 192.0.2.7)
[ "$a" = up.ptr.test. ] || sg_fail "PTR of a real address: '$a'"
[ "$(asked 15 udp)" -ge 2 ] && [ "$(asked 12 udp)" = 1 ] ||
	sg_fail "the upstream did not see the MX and PTR queries: $(cat "$COUNT")"
F=$(answer web.fwd.test A)
case $F in 240.*) ;; *) sg_fail "A web.fwd.test: '$F', not a fake" ;; esac
a=$(answer -x "$F")
[ "$a" = web.fwd.test. ] || sg_fail "PTR of the fake $F: '$a'"
[ "$(asked 1 udp)" = 0 ] && [ "$(asked 12 udp)" = 1 ] ||
	sg_fail "A or a fake's PTR went upstream: $(cat "$COUNT")"
sg_info "ok: MX, TXT, PTR forwarded; fakes answered here"

# 2. Sizes: TC from the gateway, TCP to the upstream.
out=$(q +bufsize=512 +ignore mid.fwd.test TXT)
echo "$out" | grep -q 'flags:[^;]* tc' || { echo "$out" >&2; sg_fail "640-byte TXT to a 512-byte client: no TC"; }
echo "$out" | grep -q 'ANSWER: 0' || sg_fail "a TC answer with records"
n=$(q +tcp +short mid.fwd.test TXT | wc -c)
[ "$n" -gt 600 ] || sg_fail "640-byte TXT over TCP: $n bytes"
tcp_before=$(asked 16 tcp)
n=$(q +tcp +short big.fwd.test TXT | wc -c)
[ "$n" -gt 1400 ] || sg_fail "1.4 KB TXT over TCP: $n bytes"
[ "$(asked 16 tcp)" -gt "$tcp_before" ] ||
	sg_fail "the gateway did not ask over TCP after a truncated answer"
# A 6 KB answer over TCP comes whole (not cut to a UDP-sized buffer).
n=$(q +tcp +short huge.fwd.test TXT | wc -c)
[ "$n" -gt 6000 ] || sg_fail "6 KB TXT over TCP: $n bytes"
# Meta-queries are not relayed: NOTIMP, and nothing reaches the upstream.
before=$(wc -l < "$COUNT")
st=$(status fwd.test ANY)
[ "$st" = NOTIMP ] || sg_fail "ANY: '$st', not NOTIMP"
st=$(status +tcp fwd.test AXFR)
[ -z "$st" ] || [ "$st" = NOTIMP ] || sg_fail "AXFR: '$st', not NOTIMP"
[ "$(wc -l < "$COUNT")" = "$before" ] || sg_fail "a meta-query reached the upstream"
# A UDP client (EDNS 1232): TC, then dig itself retries over TCP.
n=$(q +short big.fwd.test TXT | wc -c)
[ "$n" -gt 1400 ] || sg_fail "1.4 KB TXT over UDP then TCP: $n bytes"
sg_info "ok: TC when it does not fit, TCP upstream for a TCP client"

# 3. An IPv6 nameserver.
resolv "nameserver ::1"
before=$(asked 15 udp)
a=$(answer v6.fwd.test MX)
[ "$a" = "10 mail.v6.fwd.test." ] || sg_fail "MX through [::1]: '$a'"
[ "$(asked 15 udp)" -gt "$before" ] || sg_fail "[::1] was not asked"
resolv "nameserver 127.0.0.2"

# 4. A refused client: REFUSED, not forwarded.
before=$(wc -l < "$COUNT")
st=$(status -b 127.0.0.3 mail.fwd.test MX)
[ "$st" = REFUSED ] || sg_fail "a refused client's MX: '$st'"
st=$(status -b 127.0.0.3 -x 192.0.2.7)
[ "$st" = REFUSED ] || sg_fail "a refused client's PTR: '$st'"
[ "$(wc -l < "$COUNT")" = "$before" ] || sg_fail "a refused query went upstream"

# 5. Nobody on the nameserver's address: SERVFAIL, logged.
resolv "nameserver 127.0.0.4"
st=$(status down.fwd.test MX)
[ "$st" = SERVFAIL ] || sg_fail "upstream down: '$st', not SERVFAIL"
sg_log_wait "MX down.fwd.test: no answer from the nameservers" 5 ||
	sg_fail "no log line for the failed forward"

# 6. A silent nameserver: the 5 s cap; the UDP bound; fakes stay fast.
SILENT_RF=$SG_TMP/ready.silent
SILENT_LOG=$SG_TMP/silent.log	# a line per query it was sent
sg_bg timeout 600 ip netns exec "$NS" "$SG_PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.5", 53))
open(sys.argv[1], "w").write("ready\n")
while True:
    s.recv(512)
    with open(sys.argv[2], "a") as f:
        f.write("query\n")' "$SILENT_RF" "$SILENT_LOG" \
    2>>"$SG_TMP/servers.err"
sg_wait_file "$SILENT_RF" 10 || sg_error "the silent server did not start"
resolv "nameserver 127.0.0.5"
t0=$(sg_now_ms)
st=$(status silent.fwd.test MX)
t=$(( $(sg_now_ms) - t0 ))
[ "$st" = SERVFAIL ] || sg_fail "a silent upstream: '$st', not SERVFAIL"
[ "$t" -ge 4000 ] && [ "$t" -lt 7500 ] ||
	sg_fail "a silent upstream answered SERVFAIL after $t ms, not ~5 s"
slow_queries() {	# N PREFIX TYPE: N queries at once in the background
	pids=
	for i in $(seq "$1"); do
		status "$2$i.fwd.test" "$3" > "$SG_TMP/$2.$i" &
		pids="$pids $!"
	done
	sleep 1
}
slow_queries 6 slow MX
t0=$(sg_now_ms)
F2=$(answer localhost A)
t=$(( $(sg_now_ms) - t0 ))
case $F2 in 240.*) ;; *) sg_fail "A localhost during forwards: '$F2'" ;; esac
[ "$t" -lt 2000 ] || sg_fail "A localhost took $t ms while queries were forwarded"
# shellcheck disable=SC2086
wait $pids
[ "$(cat "$SG_TMP"/slow.* | grep -c SERVFAIL)" = 6 ] ||
	sg_fail "six slow queries: $(cat "$SG_TMP"/slow.* | tr '\n' ' ')"
sg_log_wait "queries over UDP are being forwarded already" 1 ||
	sg_fail "no log line for the UDP forwarding bound"
# Names that resolve slowly (A, no /etc/hosts entry, the nameserver
# silent) hold at most DNS_UDP_BLOCKING_MAX (6) workers: eight at once
# leave the sockets read, so a query meanwhile is answered at once
# (SERVFAIL once the bound is reached: logged).
slow_queries 8 slowa A
t0=$(sg_now_ms)
st=$(status localhost A)
t=$(( $(sg_now_ms) - t0 ))
{ [ -n "$st" ] && [ "$t" -lt 2000 ]; } ||
	sg_fail "A localhost during eight slow look-ups: '$st' after $t ms"
# shellcheck disable=SC2086
wait $pids
sg_log_wait "UDP queries are waiting for look-ups already" 1 ||
	sg_fail "no log line for the bound on blocking UDP queries"
# The gateway's own look-ups time out in the resolver: wait them out.
end=$(( $(sg_now_ms) + 40000 ))
until [ "$(status localhost A)" = NOERROR ]; do
	[ "$(sg_now_ms)" -lt "$end" ] || sg_fail "the slow look-ups never ended"
	sleep 1
done
sg_info "ok: 5 s cap, at most 4 forwarded UDP queries, fakes answered meanwhile, slow look-ups bounded"

# 7. The loop guard.
resolv "nameserver 127.0.0.1"
before=$(wc -l < "$COUNT")
st=$(status loop.fwd.test MX)
[ "$st" = SERVFAIL ] || sg_fail "resolv.conf naming us: '$st', not SERVFAIL"
st=$(status loop2.fwd.test TXT)
[ "$st" = SERVFAIL ] || sg_fail "resolv.conf naming us (TXT): '$st'"
n=$(grep -c "of /etc/resolv.conf is this gateway's own dns listener" "$SG_LOG")
[ "$n" = 1 ] || sg_fail "the loop logged $n times, not once"
F3=$(answer localhost A)
[ "$F3" = "$F2" ] || sg_fail "A localhost after the loop: '$F3', not $F2"
# A name in no /etc/hosts: the gateway's own look-up of it asks its own
# listener, which answers that query (from 127.0.0.1, for a name being
# looked up) SERVFAIL at once: the client's SERVFAIL comes at once too,
# not after the resolver's timeouts with every worker held.
t0=$(sg_now_ms)
st=$(status nohosts.fwd.test A)
ms=$(( $(sg_now_ms) - t0 ))
[ "$st" = SERVFAIL ] || { sg_show_log; sg_fail "A of a name in no /etc/hosts while resolv.conf names us: '$st', not SERVFAIL"; }
[ "$ms" -lt 3000 ] || sg_fail "A of a name in no /etc/hosts while resolv.conf names us: SERVFAIL after $ms ms"
sg_log_wait "nohosts.fwd.test: the gateway's own look-up came back" 2 ||
	{ sg_show_log; sg_fail "the own look-up's loop was not logged"; }
[ "$(asked 1 udp)" = 0 ] || sg_fail "an A query went upstream: $(cat "$COUNT")"
F4=$(answer web.fwd.test A)
[ "$F4" = "$F" ] || sg_fail "A web.fwd.test (in /etc/hosts) after the loop: '$F4', not $F"
sg_info "ok: the loop guard (forwarding; the gateway's own look-ups, $ms ms)"

# 8. Shutdown while four UDP queries are forwarded to the silent
# nameserver: the workers leave their forwards at once rather than at
# the 5 s cap (2.5 s: slack for a loaded machine, half the cap).
resolv "nameserver 127.0.0.5"
: > "$SILENT_LOG"
slow_queries 4 stop MX
end=$(( $(sg_now_ms) + 10000 ))
until [ "$(wc -l < "$SILENT_LOG")" -ge 4 ]; do
	[ "$(sg_now_ms)" -lt "$end" ] || sg_fail "four forwards did not reach the silent server"
	sleep 0.1
done
t0=$(sg_now_ms)
sg_stop || sg_fail "sixgated did not stop"
t=$(( $(sg_now_ms) - t0 ))
[ "$t" -lt 2500 ] || sg_fail "shutdown during four forwards took $t ms"
# shellcheck disable=SC2086
wait $pids
sg_info "ok: shutdown during forwards in $t ms"
exit 0
