#!/bin/bash
# t-metrics.sh - the Prometheus endpoint (metrics group): two relays of
# user sam, a request denied by a rule and a failed login move the
# counters; every line of the page parses, with its TYPE line; counters
# never go down between scrapes; 404, 405, 400 and 431 for other
# requests; a ninth connection at once is closed; user_labels = false
# (by reload) hides the user series; a changed metrics.listen on reload
# is reported and the listener stays; a non-loopback metrics.listen is
# refused by sixgated -n with file:line.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
sg_init
sg_need curl

metrics_conf() {	# USER_LABELS [LISTEN]
	sg_conf rules='{ name = "no-two"; action = "deny"; to = [ "127.0.0.2/32" ]; },
  { action = "allow"; to = [ "127.0.0.0/8", "::1/128" ]; }' \
	    extra="metrics: { listen = \"${2:-127.0.0.1:0}\"; path = \"/metrics\"; user_labels = $1; };"
}
scrape() {	# NAME [PATH]: the page into $SG_TMP/NAME, headers into NAME.h
	sg_curl -D "$SG_TMP/$1.h" -o "$SG_TMP/$1" \
	    "http://127.0.0.1:$MPORT${2:-/metrics}" ||
	    sg_fail "scrape $1: curl failed"
}
code() {	# CURL ARGS...: the HTTP status
	sg_curl -o /dev/null -w '%{http_code}' "$@" 2>/dev/null
}

sg_pamwrap sam 'S4m-pw'
metrics_conf true
sg_start
sg_server ECHO echo --bind 127.0.0.1
MPORT=$(sed -n 's,.*metrics on http://127\.0\.0\.1:\([0-9][0-9]*\)/metrics.*,\1,p' "$SG_LOG" | head -n1)
[ -n "$MPORT" ] || sg_fail "no 'metrics on http://127.0.0.1:PORT/metrics' line"

# Before any traffic: the page is there, nothing counted yet.
scrape s0
grep -q '^sixgate_relays_total 0$' "$SG_TMP/s0" || sg_fail "relays_total is not 0 at start"

S="--proxy 127.0.0.1:$SG_PORT4 --user sam"
sg_socks_rep 0x00 r1 $S --password 'S4m-pw' --dest "127.0.0.1:$ECHO" --data hello-1 --echo-check
sg_socks_rep 0x00 r2 $S --password 'S4m-pw' --dest "127.0.0.1:$ECHO" --data hello-22 --echo-check
sg_socks_rep 0x02 denied $S --password 'S4m-pw' --dest "127.0.0.2:$ECHO"
sgtool socks $S --password 'wrong' --dest "127.0.0.1:$ECHO" > "$SG_TMP/badpw" 2>&1
grep -q "^auth=0x01" "$SG_TMP/badpw" || { cat "$SG_TMP/badpw" >&2; sg_fail "a wrong password was not refused"; }
# Counters move before the access line is written.
sg_log_wait "access user=sam" 10 3 || sg_fail "not 3 access lines"
sg_log_wait "authentication failed" 10 || sg_fail "no failed login line"

scrape s1
grep -qi '^content-type: text/plain; version=0.0.4' "$SG_TMP/s1.h" ||
    { cat "$SG_TMP/s1.h" >&2; sg_fail "200 without the text format's Content-Type"; }
grep -q '^HTTP/1.1 200 ' "$SG_TMP/s1.h" || sg_fail "scrape: not 200"
ctr=$(sed -n 's/^sixgate_relays_total //p' "$SG_TMP/s1")
sg_curl "http://127.0.0.1:$MPORT/metrics" > "$SG_TMP/s2" || sg_fail "second scrape"

"$SG_PY" - "$SG_TMP/s1" "$SG_TMP/s2" <<'PY' || { cat "$SG_TMP/s1" >&2; sg_fail "the page does not parse or the counters are wrong"; }
import re, sys
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)')
def parse(path):
    types, series = {}, {}
    for line in open(path, encoding="utf-8").read().split("\n")[:-1]:
        if line.startswith("#"):
            f = line.split(" ", 3)
            assert f[1] in ("HELP", "TYPE") and len(f) >= 4, line
            if f[1] == "TYPE":
                assert f[3] in ("counter", "gauge"), line
                types[f[2]] = f[3]
            continue
        m = SAMPLE.match(line)
        assert m, "bad line: %r" % line
        name, labels, value = m.group(1), m.group(2) or "", m.group(3)
        assert name in types, "no TYPE line for %s" % name
        lab, pos = [], 0
        while pos < len(labels):
            lm = LABEL.match(labels, pos)
            assert lm, "bad labels: %r" % line
            lab.append((lm.group(1), lm.group(2)))
            pos = lm.end()
        key = (name, tuple(lab))
        assert key not in series, "twice: %r" % line
        series[key] = float(value)
    return types, series
t1, a = parse(sys.argv[1])
t2, b = parse(sys.argv[2])
def get(s, name, **kw):
    return s.get((name, tuple(kw.items())))
assert a[("sixgate_relays_total", ())] >= 2, a
assert t1["sixgate_relays_total"] == "counter"
assert t1["sixgate_sessions_active"] == "gauge"
assert get(a, "sixgate_refusals_total", reason="rule") >= 1
assert get(a, "sixgate_refusals_total", reason="auth") >= 1
assert get(a, "sixgate_logins_total", result="failed") >= 1
assert get(a, "sixgate_logins_total", result="ok") >= 3
assert get(a, "sixgate_user_relays_total", user="sam") >= 2
assert get(a, "sixgate_user_bytes_total", user="sam", direction="up") >= 15
assert get(a, "sixgate_rule_relays_total", rule="#2") >= 2
assert get(a, "sixgate_door_relays_total", door="socks5") >= 2
assert get(a, "sixgate_rule_bytes_total", rule="#2", direction="down") >= 15
assert get(a, "sixgate_bytes_total", direction="up") >= 15
assert [k for k in a if k[0] == "sixgate_build_info"], a
assert ("sixgate_uptime_seconds", ()) in a
for k, v in a.items():
    if t1[k[0]] == "counter":
        assert k in b and b[k] >= v, "went down: %r %r -> %r" % (k, v, b.get(k))
PY

# Other requests.
c=$(code "http://127.0.0.1:$MPORT/other"); [ "$c" = 404 ] || sg_fail "/other: $c, want 404"
c=$(code -X POST "http://127.0.0.1:$MPORT/metrics"); [ "$c" = 405 ] || sg_fail "POST: $c, want 405"
c=$(code -I "http://127.0.0.1:$MPORT/metrics"); [ "$c" = 200 ] || sg_fail "HEAD: $c, want 200"
timeout 30 "$SG_PY" - "$MPORT" <<'PY' || sg_fail "raw requests: wrong answers"
import socket, sys, time
port = int(sys.argv[1])
def ask(data, want):
    s = socket.create_connection(("127.0.0.1", port), 5)
    s.settimeout(8)
    s.sendall(data)
    got = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        got += b
    s.close()
    line = got.split(b"\r\n", 1)[0]
    assert line.startswith(b"HTTP/1.1 %d " % want), (data[:40], line)
ask(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 400)
ask(b"hello there\r\n\r\n", 400)
ask(b"GET /metrics HTTP/1.1\r\nX-A: " + b"a" * 5000, 431)
# Eight connections at once are served, a ninth is closed at once
# (whichever the daemon accepts last): one sees EOF well before the 5 s
# read deadline.
import select
conns = [socket.create_connection(("127.0.0.1", port), 5) for _ in range(9)]
t = time.monotonic()
r, _, _ = select.select(conns, [], [], 3)
assert len(r) == 1, "%d of 9 connections closed early" % len(r)
try:
    assert r[0].recv(100) == b"", "a connection was answered"
except ConnectionResetError:
    pass
for c in conns:
    c.close()
time.sleep(0.3)
ask(b"GET /metrics HTTP/1.0\r\n\r\n", 200)
PY
# A silent connection is closed at the read deadline (5 s; 10 s slack).
timeout 30 "$SG_PY" - "$MPORT" <<'PY' || sg_fail "an idle connection was not closed in time"
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5)
s.settimeout(15)
t = time.monotonic()
assert s.recv(10) == b""
assert 4 <= time.monotonic() - t < 15, time.monotonic() - t
PY

# user_labels = false, by reload: no user series, the rest stays.
metrics_conf false
kill -HUP "$SG_PID"
sg_log_wait "configuration reloaded" 10 || sg_fail "reload not taken"
sg_socks_rep 0x00 r3 $S --password 'S4m-pw' --dest "127.0.0.1:$ECHO" --data hello-3 --echo-check
sg_log_wait "access user=sam" 10 4 || sg_fail "no access line of r3"
scrape s3
grep -q 'user=' "$SG_TMP/s3" && sg_fail "user_labels = false: user series still shown"
n=$(sed -n 's/^sixgate_relays_total //p' "$SG_TMP/s3")
[ "${n:-0}" -gt "${ctr:-0}" ] || sg_fail "relays_total did not move after the reload ($ctr -> $n)"
grep -q '^sixgate_rule_relays_total{rule="#2"} ' "$SG_TMP/s3" || sg_fail "rule series gone"

# A new metrics.listen takes a restart: said so, and the old one stays.
metrics_conf false "127.0.0.1:1"
kill -HUP "$SG_PID"
sg_log_wait "configuration reloaded" 10 2 || sg_fail "second reload not taken"
grep -q "metrics.listen changes" "$SG_LOG" || sg_fail "a changed metrics.listen is not reported"
c=$(code "http://127.0.0.1:$MPORT/metrics"); [ "$c" = 200 ] || sg_fail "old metrics listener gone after reload: $c"

# Only loopback addresses: "FILE:LINE: metrics.listen must be ...".
for a in 0.0.0.0:9180 "[::]:9180" 10.1.2.3:9180 "[2001:db8::1]:9180"; do
	printf 'listen = [ "127.0.0.1:0" ];\nmetrics: {\n  listen = "%s";\n};\n' "$a" > "$SG_TMP/bad.conf"
	timeout 10 "$SIXGATED" -n -f "$SG_TMP/bad.conf" > "$SG_TMP/bad.out" 2>&1; rc=$?
	[ "$rc" = 1 ] || sg_fail "metrics.listen $a: sixgated -n exit $rc, want 1"
	grep -qF "$SG_TMP/bad.conf:3: metrics.listen must be a loopback address" "$SG_TMP/bad.out" ||
	    { cat "$SG_TMP/bad.out" >&2; sg_fail "metrics.listen $a: no file:line error"; }
done
printf 'metrics: { listen = "[::1]:0"; path = "/m"; user_labels = false; };\n' > "$SG_TMP/ok.conf"
timeout 10 "$SIXGATED" -n -f "$SG_TMP/ok.conf" | grep -qx "configuration OK" ||
    sg_fail "metrics.listen [::1]:0 refused"
sg_info "ok: page parses, counters move and stay monotonic, 404/405/400/431, 9th connection closed, idle closed, user_labels, reload, loopback only"
exit 0
