#!/bin/bash
# t-revoke.sh - sixgatectl reload --revoke (issue 12): two relays held
# open, of ann and sam; the configuration is rewritten so that ann is no
# longer allowed.  A plain reload keeps both; reload --revoke ends ann's
# alone (access line end=revoked, answer "1 relay revoked", --json
# "revoked"), sam's stays and still echoes; a broken configuration with
# --revoke is not taken and revokes nothing.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
sg_init
sg_ctl_init

rules() {	# USERS...: loopback allowed to them
	local u list=
	for u in "$@"; do list="$list${list:+, }\"$u\""; done
	echo "{ name = \"loopback\"; action = \"allow\"; users = [ $list ]; to = [ \"127.0.0.0/8\", \"::1/128\" ]; }"
}

sg_pamwrap ann 'Ann-pw1' sam 'S4m-pw'
sg_conf extra="$SG_CTL_CONF" rules="$(rules ann sam)"
sg_start
sg_server ECHO echo --bind 127.0.0.1

hold() {	# NAME USER PASSWORD: a relay through the echo server, held open
	sg_hold "$1" --proxy "127.0.0.1:$SG_PORT4" --user "$2" --password "$3" \
	    --dest "127.0.0.1:$ECHO" --data "hello-$1" --echo-again
}
active() {	# N: relays active, as status says
	ctl status > "$SG_TMP/status" || sg_fail "status: exit $?"
	grep -q "^relays active: $1$" "$SG_TMP/status" || {
		cat "$SG_TMP/status" >&2
		sg_fail "relays active is not $1"
	}
}
hold ra ann 'Ann-pw1'
hold rs sam 'S4m-pw'
active 2

# ann is no longer allowed; a plain reload keeps both relays.
sg_conf extra="$SG_CTL_CONF" rules="$(rules sam)"
ctl reload > "$SG_TMP/reload1" || { cat "$SG_TMP/reload1" >&2; sg_fail "reload: exit $?"; }
grep -q "configuration reloaded" "$SG_TMP/reload1" || sg_fail "reload: not taken"
grep -q "revoked" "$SG_TMP/reload1" && sg_fail "a plain reload speaks of revoking"
sg_socks_rep 0x02 ann-new --proxy "127.0.0.1:$SG_PORT4" --user ann \
    --password 'Ann-pw1' --dest "127.0.0.1:$ECHO" --close-wait 3
active 2
[ "$(sg_log_count " end=")" = 1 ] || sg_fail "a relay ended at a plain reload"

# reload --revoke: ann's relay ends, sam's stays.
ctl reload --revoke > "$SG_TMP/reload2" || { cat "$SG_TMP/reload2" >&2; sg_fail "reload --revoke: exit $?"; }
grep -q "^configuration reloaded: .*; 1 relay revoked$" "$SG_TMP/reload2" ||
	{ cat "$SG_TMP/reload2" >&2; sg_fail "reload --revoke: the answer does not say 1 relay revoked"; }
sg_log_wait "end=revoked" 10 || sg_fail "no access line with end=revoked"
grep -F "access user=ann " "$SG_LOG" | grep -q " cmd=connect .* end=revoked$" ||
	{ grep -F "access " "$SG_LOG" >&2; sg_fail "the end=revoked line is not ann's relay"; }
grep -qF "access user=sam " "$SG_LOG" && sg_fail "sam's relay ended"
grep -q "reload --revoke: 1 relay revoked" "$SG_LOG" || sg_fail "the revoke is not logged"
active 1
ctl sessions | grep -q " sam " || sg_fail "sam's session is not listed"

# --json; nothing more to revoke now.
ctl --json reload --revoke > "$SG_TMP/reload3.json" || sg_fail "--json reload --revoke: exit $?"
"$SG_PY" - "$SG_TMP/reload3.json" <<'PY' || { cat "$SG_TMP/reload3.json" >&2; sg_fail "--json reload --revoke: wrong answer"; }
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is True and d["revoked"] == 0, d
assert d["message"].startswith("configuration reloaded"), d
PY

# A broken configuration is not taken: nothing is revoked.
cp "$SG_CONF" "$SG_TMP/good.conf"
sg_conf extra="$SG_CTL_CONF" rules="$(rules ann)"	# would revoke sam's
echo "this is = not valid" >> "$SG_CONF"
ctl --json reload --revoke > "$SG_TMP/reload4.json" 2>&1; rc=$?
[ "$rc" = 1 ] || sg_fail "reload --revoke of a broken configuration: exit $rc, want 1"
"$SG_PY" - "$SG_TMP/reload4.json" <<'PY' || { cat "$SG_TMP/reload4.json" >&2; sg_fail "broken reload --revoke: wrong answer"; }
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is False and d["revoked"] == 0, d
assert "reload failed" in d["message"], d
PY
cp "$SG_TMP/good.conf" "$SG_CONF"
active 1

# sam's relay still carries data, and ends as the client closes it.
touch "$SG_TMP/release.rs"
sg_wait_exit "$HOLD_PID_rs" 10 || sg_fail "sam's client did not finish"
sg_expect "$SG_TMP/rs" "echo_again=ok" "done=1"
sg_log_wait "access user=sam " 10 || sg_fail "no access line for sam's relay"
grep -F "access user=sam " "$SG_LOG" | grep -q "end=revoked" && sg_fail "sam's relay says end=revoked"
# ann's client saw its relay end: its second echo never came back.
touch "$SG_TMP/release.ra"
sg_wait_exit "$HOLD_PID_ra" 10
grep -q "echo_again=ok" "$SG_TMP/ra" && sg_fail "ann's revoked relay still echoed"
sg_alive "$SG_PID" || sg_fail "sixgated died"
sg_info "ok: reload keeps, reload --revoke ends the disallowed relay only (end=revoked), --json, broken config revokes nothing"
exit 0
