#!/bin/bash
# t-dns.sh - the DNS front door (protocol "dns") and the fake table,
# with dig on loopback:
#  1. A localhost -> a fake in fake.ipv4; asked again -> the same fake;
#     AAAA -> a fake in fake.ipv6; over TCP (+tcp) -> the same fake;
#  2. nonexistent.invalid -> NXDOMAIN; class CH -> NOTIMP; PTR of
#     either fake -> localhost (other types and reverse names of real
#     addresses are forwarded to the system resolver: t-dns-forward.sh,
#     in a namespace, as nothing here may reach the host's resolver);
#  3. reload with exclude = [ "localhost" ]: A localhost -> 127.0.0.1
#     (the real address), and the fake still maps back (the table
#     survives a reload with the same ranges);
#  4. reload with rules that refuse clients from 127.0.0.0/8 ->
#     REFUSED, logged;
#  5. the log: one line per refused or failed query, none per answered
#     one at info level.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
sg_init
sg_need dig

fake='fake: { ipv4 = "240.0.0.0/12"; ipv6 = "100::/64"; ttl = 10; exclude = [ "*.local" ]; };'
listen='"127.0.0.1:0", { address = "127.0.0.1:0"; protocol = "dns"; }'
sg_conf listen="$listen" methods='"none"' rules='{ action = "allow"; }' \
    extra="$fake"
SG_NLISTEN=3	# socks, dns (tcp), dns udp
sg_start
DNS=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\) (dns)$/\1/p' "$SG_LOG" | head -n1)
[ -n "$DNS" ] || sg_fail "no dns listener port in the log"
grep -q "listening on 127.0.0.1:$DNS (dns udp)" "$SG_LOG" ||
	sg_fail "the udp side is not on the tcp side's port $DNS"

q() {	# dig args: bounded (2 s, one try; +tcp is one connection)
	timeout 20 dig @127.0.0.1 -p "$DNS" +time=2 +tries=1 "$@" 2>&1
}
answer() {	# the first answer record's data
	q +short "$@" | head -n1
}
status() {
	q "$@" | sed -n 's/.*status: \([A-Z]*\),.*/\1/p' | head -n1
}

# 1. Fakes.
A1=$(answer localhost A)
case $A1 in
240.[0-9]*.[0-9]*.[0-9]*) ;;
*) q localhost A >&2; sg_fail "A localhost: '$A1', not a fake in 240.0.0.0/12" ;;
esac
second=$(( $(echo "$A1" | cut -d. -f2) ))
[ "$second" -lt 16 ] || sg_fail "A localhost: $A1 is outside 240.0.0.0/12"
A2=$(answer localhost A)
[ "$A2" = "$A1" ] || sg_fail "A localhost again: $A2, not the same fake $A1"
ttl=$(q +noall +answer localhost A | awk '{ print $2; exit }')
[ "$ttl" = 10 ] || sg_fail "A localhost: TTL '$ttl', not fake.ttl 10"
A6=$(answer localhost AAAA)
case $A6 in
100::*) ;;
*) q localhost AAAA >&2; sg_fail "AAAA localhost: '$A6', not a fake in 100::/64" ;;
esac
AT=$(answer +tcp localhost A)
[ "$AT" = "$A1" ] || sg_fail "A localhost over TCP: '$AT', not $A1"
A6T=$(answer +tcp localhost AAAA)
[ "$A6T" = "$A6" ] || sg_fail "AAAA localhost over TCP: '$A6T', not $A6"
# Several queries on one TCP connection (+keepopen).
n=$(q +tcp +keepopen +short localhost A localhost AAAA | grep -c .)
[ "$n" -ge 2 ] || sg_fail "two queries on one TCP connection: $n answers"

# 2. Errors and reverse look-ups.
st=$(status nonexistent.invalid A)
[ "$st" = NXDOMAIN ] || sg_fail "nonexistent.invalid: status '$st', not NXDOMAIN"
st=$(status -c CH localhost TXT)
[ "$st" = NOTIMP ] || sg_fail "CH TXT localhost: status '$st', not NOTIMP"
p=$(answer -x "$A1")
[ "$p" = localhost. ] || sg_fail "PTR of $A1: '$p', not localhost."
p=$(answer -x "$A6")
[ "$p" = localhost. ] || sg_fail "PTR of $A6: '$p', not localhost."
p=$(answer +tcp -x "$A1")
[ "$p" = localhost. ] || sg_fail "PTR of $A1 over TCP: '$p', not localhost."
st=$(status -x 240.15.255.254)
[ "$st" = NXDOMAIN ] || sg_fail "PTR of an unused fake: status '$st', not NXDOMAIN"
if grep -q "dns: A localhost" "$SG_LOG"; then
	sg_fail "an answered query was logged at info level"
fi

# 3. exclude: the real address; the table survives the reload.
sg_conf listen="$listen" methods='"none"' rules='{ action = "allow"; }' \
    extra="${fake/\*.local/localhost}"
kill -HUP "$SG_PID"
sg_log_wait "configuration reloaded" 10 || sg_fail "no reload"
R=$(answer localhost A)
[ "$R" = 127.0.0.1 ] || sg_fail "A localhost (excluded): '$R', not 127.0.0.1"
p=$(answer -x "$A1")
[ "$p" = localhost. ] || sg_fail "PTR of $A1 after a reload: '$p'"

# 4. Rules that refuse the client: REFUSED, one line.
sg_conf listen="$listen" methods='"none"' \
    rules='{ action = "deny"; from = [ "127.0.0.0/8" ]; }, { action = "allow"; }' \
    extra="$fake"
kill -HUP "$SG_PID"
sg_log_wait "configuration reloaded" 10 2 || sg_fail "no second reload"
st=$(status localhost A)
[ "$st" = REFUSED ] || sg_fail "a refused client: status '$st', not REFUSED"
st=$(status +tcp localhost AAAA)
[ "$st" = REFUSED ] || sg_fail "a refused client over TCP: status '$st'"
st=$(status -x "$A1")
[ "$st" = REFUSED ] || sg_fail "a refused client's PTR: status '$st'"
# One line per refused query (the core's), none other at info level.
sg_log_wait "denied by rule 1" 5 3 || sg_fail "no log line per refusal"
[ "$(grep -c "answered REFUSED" "$SG_LOG")" = 0 ] ||
	sg_fail "a refusal logged twice"

sg_stop || sg_fail "sixgated did not stop"
exit 0
