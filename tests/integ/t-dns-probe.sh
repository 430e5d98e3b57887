#!/bin/bash
# t-dns-probe.sh - the gateway is no oracle for names: a user whose only
# allow rule names networks (to = [ "127.0.0.0/8" ]) gets REP 0x02 both
# for a name that does not resolve (nonexistent.invalid) and for one that
# resolves outside its networks (outside.sgtest -> 10.9.8.7, known only in
# the gateway's private hosts file) - byte-identical replies; a user
# allowed any destination gets 0x04 for the unknown name; a user no rule
# allows gets 0x02 before any lookup (its "denied: no rule allows it"
# line names no address).
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
. "$top_srcdir/tests/integ/preload.sh"
sg_init
sg_need getent
PL_SIXGATED=$SIXGATED
pl_hosts "10.9.8.7 outside.sgtest"
pl_unresolvable outside.sgtest
sg_pamwrap netonly 'N3t-pw' anyone 'Any-pw' norule 'N0r-pw'
sg_conf rules='{ name = "net"; action = "allow"; users = [ "netonly" ]; to = [ "127.0.0.0/8" ]; },
  { name = "any"; action = "allow"; users = [ "anyone" ]; }'
SIXGATED=$SG_TMP/sixgated-ns sg_start
SIXGATED=$PL_SIXGATED
sg_server ECHO echo --bind 127.0.0.1

req() {	# OUT USER PASS NAME
	timeout 30 "$SG_PY" "$SG_INTEG/admtool.py" req --proxy "127.0.0.1:$SG_PORT4" \
	    --timeout 15 --user "$2" --password "$3" --cmd connect \
	    --dest-name "$4" --dest-port "$ECHO" --close-wait 3 > "$SG_TMP/$1" 2>&1
	sg_info "$1: $(cat "$SG_TMP/$1")"
	grep -q "auth=0x00" "$SG_TMP/$1" || sg_fail "$1: login failed"
}
rep() { sed -n 's/.* rep=\(0x[0-9a-f]*\).*/\1/p' "$SG_TMP/$1"; }
reply() { sed -n 's/.* reply=\([0-9a-f]*\).*/\1/p' "$SG_TMP/$1"; }

# The rules work: netonly reaches a loopback name.
req net-ok netonly 'N3t-pw' localhost
[ "$(rep net-ok)" = 0x00 ] || sg_fail "netonly could not CONNECT to localhost"

req net-unknown netonly 'N3t-pw' nonexistent.invalid
req net-outside netonly 'N3t-pw' outside.sgtest
[ "$(rep net-unknown)" = 0x02 ] || sg_fail "netonly, unknown name: expected 0x02, got $(rep net-unknown)"
[ "$(rep net-outside)" = 0x02 ] || sg_fail "netonly, name outside its networks: expected 0x02, got $(rep net-outside)"
[ "$(reply net-unknown)" = "$(reply net-outside)" ] ||
	sg_fail "the replies differ: $(reply net-unknown) vs $(reply net-outside) (the gateway tells which names exist)"
grep -q "closed=1" "$SG_TMP/net-unknown" && grep -q "closed=1" "$SG_TMP/net-outside" ||
	sg_fail "the gateway did not close both refused connections alike"
sg_info "ok: netonly gets the same reply $(reply net-unknown) for both names"

req any-unknown anyone 'Any-pw' nonexistent.invalid
[ "$(rep any-unknown)" = 0x04 ] || sg_fail "anyone, unknown name: expected 0x04, got $(rep any-unknown)"

n0=$(sg_log_count "denied: no rule allows it")
req none-unknown norule 'N0r-pw' nonexistent.invalid
req none-outside norule 'N0r-pw' outside.sgtest
[ "$(rep none-unknown)" = 0x02 ] || sg_fail "norule, unknown name: expected 0x02, got $(rep none-unknown)"
[ "$(rep none-outside)" = 0x02 ] || sg_fail "norule, known name: expected 0x02, got $(rep none-outside)"
[ "$(reply none-unknown)" = "$(reply none-outside)" ] || sg_fail "norule: the replies differ"
sg_log_wait "denied: no rule allows it" 5 $((n0 + 2)) || sg_fail "no 'denied: no rule allows it' lines for norule"
# Refused before any lookup: the lines name no address (a resolved name
# would be logged as "NAME:PORT (ADDR)").
# (the session ids of norule's two requests, from their access lines)
ids=$(grep -F "access user=norule " "$SG_LOG" | awk '{print $2}')
[ -n "$ids" ] || sg_fail "no access lines for norule"
: > "$SG_TMP/none-lines"
for id in $ids; do
	grep -F "sixgated: $id " "$SG_LOG" | grep -v " access " >> "$SG_TMP/none-lines"
done
grep -F "outside.sgtest" "$SG_TMP/none-lines" | grep -qF "denied: no rule allows it" ||
	sg_fail "no 'denied: no rule allows it' line for norule's outside.sgtest"
if grep -q "10\.9\.8\.7\|cannot resolve" "$SG_TMP/none-lines"; then
	cat "$SG_TMP/none-lines" >&2
	sg_fail "the name was resolved for a user no rule allows"
fi
sg_alive "$SG_PID" || sg_fail "sixgated died"
sg_info "ok: 0x02/0x02 (networks only), 0x04 (any destination), 0x02 unresolved (no rule)"
exit 0
