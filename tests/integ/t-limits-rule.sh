#!/bin/bash
# t-limits-rule.sh - the limits block of a rule: bandwidth_down shapes a
# user's download (and not another user's), max_relays = 1 refuses a
# second relay with 0x02 while the first is open (a UDP association
# counts as one relay, refused the same way), a quota cuts a
# download (end=quota) and refuses the next request, and sixgatectl
# quota shows use and limit (text, USER, --json).
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
sg_init
sg_ctl_init

LO='to = [ "127.0.0.0/8", "::1/128" ];'
sg_pamwrap sam 'S4m-pw' una 'Un4-pw' olga '0lg4-pw' quinn 'Qu1nn-pw'
sg_conf extra="$SG_CTL_CONF" rules="
  { name = \"shaped\"; action = \"allow\"; users = [ \"sam\" ]; $LO
    limits: { bandwidth_down = 200000; }; },
  { action = \"allow\"; users = [ \"olga\" ]; $LO limits: { max_relays = 1; }; },
  { name = \"capped\"; action = \"allow\"; users = [ \"quinn\" ]; $LO
    limits: { quota = 300000; quota_period = \"day\"; }; },
  { action = \"allow\"; users = [ \"una\" ]; $LO }"
sg_start
SIZE=600000
sg_server SINK sink --bind 127.0.0.1 --reply --reply-bytes "$SIZE"
sg_server BIG sink --bind 127.0.0.1 --reply --reply-bytes 1000000
sg_server ECHO echo --bind 127.0.0.1

download() {	# NAME USER PASS PORT: send 1 byte, read the answer to EOF
	sgtool socks --proxy "127.0.0.1:$SG_PORT4" --user "$2" --password "$3" \
	    --dest "127.0.0.1:$4" --data x --shutdown-wr --read --timeout 30 \
	    > "$SG_TMP/$1" 2>&1
}
secs_ms() {	# FILE: the client's total time in ms
	sed -n 's/^done=1 secs=\([0-9]*\)\.\([0-9]*\)$/\1\2/p' "$1" | sed 's/^0*//'
}

# (1) 600 kB at 200000 B/s with a burst of 20000 B: at least 2.9 s; 2 s
# leaves slack for timer rounding.  The unshaped user is not held back.
download shaped sam 'S4m-pw' "$SINK"
grep -q "^recv_bytes=6000[0-9][0-9]$" "$SG_TMP/shaped" || { cat "$SG_TMP/shaped" >&2; sg_fail "shaped download incomplete"; }
t_shaped=$(secs_ms "$SG_TMP/shaped")
[ "${t_shaped:-0}" -ge 2000 ] || sg_fail "shaped download took ${t_shaped:-?} ms, want >= 2000 (200000 B/s)"
[ "$t_shaped" -le 20000 ] || sg_fail "shaped download took $t_shaped ms: stalled?"
download free una 'Un4-pw' "$SINK"
grep -q "^recv_bytes=6000[0-9][0-9]$" "$SG_TMP/free" || { cat "$SG_TMP/free" >&2; sg_fail "unshaped download incomplete"; }
t_free=$(secs_ms "$SG_TMP/free")
[ "${t_free:-99999}" -lt 2000 ] || sg_fail "unshaped download took ${t_free:-?} ms: slowed by another user's limits"
sg_info "ok: shaped $t_shaped ms, unshaped $t_free ms"

# (2) max_relays = 1
sgtool socks --proxy "127.0.0.1:$SG_PORT4" --user olga --password '0lg4-pw' \
    --dest "127.0.0.1:$ECHO" --data hi --echo-check --hold-file "$SG_TMP/release" \
    --hold-max 30 > "$SG_TMP/first" 2>&1 &
SG_PIDS="$SG_PIDS $!"
end=$(( $(sg_now_ms) + 10000 ))
until grep -q "^holding=1" "$SG_TMP/first"; do
	[ "$(sg_now_ms)" -lt "$end" ] || { cat "$SG_TMP/first" >&2; sg_fail "first relay not established"; }
	sleep 0.05
done
sg_socks_rep 0x02 second --proxy "127.0.0.1:$SG_PORT4" --user olga \
    --password '0lg4-pw' --dest "127.0.0.1:$ECHO" --data hi
grep -q "denied by the limits of rule 2 .*olga: 1 relays already open (max_relays)" "$SG_LOG" ||
	sg_fail "no log line for the max_relays refusal"
touch "$SG_TMP/release"
sg_log_wait "access user=olga cmd=connect" 10 2 || sg_fail "the first relay did not end"
sg_socks_rep 0x00 third --proxy "127.0.0.1:$SG_PORT4" --user olga \
    --password '0lg4-pw' --dest "127.0.0.1:$ECHO" --data hi --echo-check

# (2b) max_relays = 1 counts UDP associations too: a second association
# while the first lives is refused (0x02, logged), so is a CONNECT; once
# the first has ended (its access line), the next one is admitted.
out=$(timeout 30 "$SG_PY" - "$SG_PORT4" "$SG_LOG" "$ECHO" <<'PY' 2>&1
import socket, sys, time
port, log, echo = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
def recv_exact(s, n):
    b = b""
    while len(b) < n:
        x = s.recv(n - len(b))
        if not x:
            sys.exit("closed after %r" % b)
        b += x
    return b
def ask(cmd, dport):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(b"\x05\x01\x02")
    if recv_exact(s, 2) != b"\x05\x02":
        sys.exit("method refused")
    s.sendall(b"\x01\x04olga\x070lg4-pw")
    if recv_exact(s, 2) != b"\x01\x00":
        sys.exit("login refused")
    s.sendall(bytes([5, cmd, 0, 1, 127, 0, 0, 1]) + dport.to_bytes(2, "big"))
    rep = recv_exact(s, 10)[1]
    return s, rep
def udp_done():	# the admitted association's access line
    return any(" access user=olga cmd=udp" in l and " rep=0x00 " in l
               for l in open(log))
first, r1 = ask(3, 0)
second, r2 = ask(3, 0)
tcp, r3 = ask(1, echo)
print("first=%d second=%d connect=%d" % (r1, r2, r3))
first.close()
end = time.time() + 10
while not udp_done() and time.time() < end:
    time.sleep(0.05)
third, r4 = ask(3, 0)
print("after=%d" % r4)
PY
)
[ "$out" = "$(printf 'first=0 second=2 connect=2\nafter=0')" ] ||
	sg_fail "max_relays with UDP associations: $out"
grep -q "udp associate to .* denied by the limits of rule 2 .*olga: 1 relays already open (max_relays)" "$SG_LOG" ||
	sg_fail "no log line for the max_relays refusal of a UDP association"
sg_info "ok: max_relays counts UDP associations"

# (3) a quota of 300000 cuts a 1 MB download
download quota quinn 'Qu1nn-pw' "$BIG"
got=$(sed -n 's/^recv_bytes=//p' "$SG_TMP/quota")
[ -n "$got" ] && [ "$got" -gt 0 ] && [ "$got" -lt 1000000 ] ||
	{ cat "$SG_TMP/quota" >&2; sg_fail "quota: got ${got:-no} bytes, want 0 < n < 1000000"; }
[ "$got" -le 300000 ] || sg_fail "quota: got $got bytes, more than the quota"
sg_log_wait "access user=quinn" 10 || sg_fail "quota: no access line"
grep "access user=quinn" "$SG_LOG" | grep -q "end=quota" || sg_fail "quota: access line without end=quota"
sg_socks_rep 0x02 after --proxy "127.0.0.1:$SG_PORT4" --user quinn \
    --password 'Qu1nn-pw' --dest "127.0.0.1:$ECHO" --data hi
grep -q "denied by the limits of rule 3 (capped) .*quinn: quota exhausted (.* of 300000 bytes this day) until 20" "$SG_LOG" ||
	sg_fail "no log line for the quota refusal"
sg_info "ok: quota cut at $got bytes, next request refused"

# (4) sixgatectl quota
ctl quota > "$SG_TMP/q" || sg_fail "quota: exit $?"
grep -Eq "^capped +quinn +(2[0-9]{5}|300000) +300000 +day " "$SG_TMP/q" ||
	{ cat "$SG_TMP/q" >&2; sg_fail "quota: no line for quinn"; }
grep -q " sam " "$SG_TMP/q" && sg_fail "quota: sam has no quota but is listed"
ctl quota sam > "$SG_TMP/q2" || sg_fail "quota sam: exit $?"
[ "$(grep -c quinn "$SG_TMP/q2")" = 0 ] || sg_fail "quota sam lists quinn"
ctl --json quota quinn > "$SG_TMP/q.json" || sg_fail "--json quota quinn: exit $?"
"$SG_PY" - "$SG_TMP/q.json" <<'PY' || { cat "$SG_TMP/q.json" >&2; sg_fail "--json quota is wrong"; }
import json, sys, time
d = json.load(open(sys.argv[1]))["quotas"]
assert len(d) == 1, d
q = d[0]
assert q["rule"] == "capped" and q["subject"] == "quinn", q
assert 200000 <= q["used"] <= 300000 and q["limit"] == 300000, q
assert q["period"] == "day" and q["since"] <= time.time() < q["until"], q
assert q["until"] - q["since"] in (82800, 86400, 90000), q
PY
sg_info "ok: limits of a rule: bandwidth, max_relays, quota, sixgatectl quota"
exit 0
