#!/bin/bash
# t-http-errors.sh - malformed and oversized requests to the HTTP proxy
# door get their status (400 for a garbage line and for Content-Length
# with Transfer-Encoding, 414 for a 20 KB request line, 431 for 100 KB
# of header fields, 501 for a method not forwarded), each with a short
# body and Connection: close; the door goes on serving after each; a
# request without credentials goes on unauthenticated when the methods
# include "none".
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
sg_init
sg_need curl
sg_pamwrap alice 's3cret'
sg_conf listen='{ address = "127.0.0.1:0"; protocol = "http"; }' \
    methods='"username", "none"'
sg_start
HP=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\) (http).*/\1/p' "$SG_LOG" | head -n1)
[ -n "$HP" ] || sg_error "no http listener in the log"
sg_server WEB http11 --bind 127.0.0.1

# raw NAME WANT: send stdin to the proxy as it is; the status must be WANT
# and the connection closed by the proxy afterwards.
raw() {
	local got
	got=$(timeout 30 "$SG_PY" -c '
import socket, sys
data = sys.stdin.buffer.read()
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=20)
try:
    s.sendall(data)
except (BrokenPipeError, ConnectionResetError):
    pass
buf = b""
try:
    while True:
        b = s.recv(65536)
        if not b:
            break
        buf += b
except ConnectionResetError:
    pass
head = buf.split(b"\r\n\r\n", 1)[0].decode("latin-1")
line = head.split("\r\n")[0]
print(line.split(" ")[1] if " " in line else "none",
      "close" if "\r\nconnection: close" in head.lower() else "open")
' "$HP") || sg_fail "$1: the client failed"
	[ "$got" = "$2 close" ] || sg_fail "$1: got '$got', want '$2 close'"
	sg_info "ok: $1 ($2)"
}
alive() {
	[ "$(sg_curl -x "http://127.0.0.1:$HP" "http://127.0.0.1:$WEB/ok")" = \
	    "hello /ok" ] || sg_fail "the proxy stopped serving after $1"
}

printf 'this is not http\r\n\r\n' | raw garbage 400
alive garbage
"$SG_PY" -c 'import sys; sys.stdout.write("GET http://127.0.0.1/" + "a" * 20000 + " HTTP/1.1\r\n\r\n")' |
	raw longline 414
alive longline
"$SG_PY" -c 'import sys; sys.stdout.write("GET http://127.0.0.1/ HTTP/1.1\r\n" + "".join("X-F%d: %s\r\n" % (i, "b" * 1000) for i in range(100)) + "\r\n")' |
	raw bigheaders 431
alive bigheaders
printf 'POST http://127.0.0.1:%s/ HTTP/1.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n' "$WEB" |
	raw smuggling 400
printf 'GET http://127.0.0.1:%s/ HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n' "$WEB" |
	raw twolengths 400
printf 'BREW http://127.0.0.1:%s/ HTTP/1.1\r\n\r\n' "$WEB" | raw method 501
printf 'GET http://127.0.0.1:%s/ HTTP/1.1\r\nA: b\r\n folded\r\n\r\n' "$WEB" |
	raw fold 400
alive everything
sg_log_wait "request refused with 431" 5 || sg_fail "no log line for the 431"
# Unauthenticated (methods include "none"): the access line says user=-.
sg_log_wait "access user=- cmd=connect dest=127.0.0.1:$WEB" 5 ||
	sg_fail "no unauthenticated access line"
sg_alive "$SG_PID" || sg_fail "sixgated died"
exit 0
