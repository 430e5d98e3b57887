#!/bin/bash
# t-preload-check.sh - `sixgate --check`: all "ok:" and exit 0 against a
# working gateway (and with --check=web4.sgtest:PORT, a name only the
# gateway resolves); exit 1 with a plain "error:" line for a wrong
# password, a gateway that is down, and a name the gateway cannot resolve.
# Method 0x88: sixgated chooses it for a raw client that offers it, --check
# says exactly "the gateway is sixgated", and once the Socks Lib has seen
# 0x88 it sends greeting, login and request in one write (a fake gateway
# records what its first read gets; against one that chooses 0x02 the
# handshake stays step by step).
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
. "$top_srcdir/tests/integ/preload.sh"
sg_init
sg_need getent
pl_init
pl_hosts
pl_unresolvable web4.sgtest nowhere.sgtest pipe.sgtest
pl_gateway
pl_client_conf
sg_server ECHO4 echo --bind 127.0.0.1

check() {	# check OUTFILE WANT-RC CONF [--check=...]: run sixgate --check
	local o=$1 want=$2 conf=$3 rc=0
	shift 3
	timeout 60 "$PL_WRAPPER" -f "$conf" "${@:---check}" > "$o" 2> "$o.err" || rc=$?
	[ "$rc" = "$want" ] || {
		cat "$o.err" >&2
		pl_fail_with "$o" "sixgate -f $conf ${*:---check}: exit $rc, want $want"
	}
}
no_error() {	# FILE: only "ok:" lines
	grep -v '^ok: ' "$1" | grep -q . && pl_fail_with "$1" "lines other than 'ok:' in $1"
	grep -q '^ok: ' "$1" || pl_fail_with "$1" "no 'ok:' lines"
}

# A working gateway: the default check (localhost:9).
check "$SG_TMP/c1" 0 "$PL_CONF"
no_error "$SG_TMP/c1"
sg_expect "$SG_TMP/c1" "ok: configuration read from $PL_CONF" \
    "127.0.0.1:$SG_PORT4" "localhost"
# The whole verdict: "the gateway is not sixgated" contains "sixgated" too.
grep -qx "ok: the gateway is sixgated: pipelining available" "$SG_TMP/c1" ||
	pl_fail_with "$SG_TMP/c1" "--check did not say 'the gateway is sixgated'"
grep -qF "$PL_PASS" "$SG_TMP/c1" "$SG_TMP/c1.err" && sg_fail "--check printed the password"
sg_info "ok: --check: $(wc -l < "$SG_TMP/c1") ok lines"

# A raw client offering 0x88 (sixgated's sign) gets it chosen, then the
# RFC 1929 login as for 0x02; offering 0x02 alone still gets 0x02.
for m in 88,02 02,88 88; do
	sgtool socks --proxy "127.0.0.1:$SG_PORT4" --methods "$m" --user "$PL_USER" \
	    --password "$PL_PASS" --dest "127.0.0.1:$ECHO4" --data x --echo-check \
	    > "$SG_TMP/m$m" 2>&1
	sg_expect "$SG_TMP/m$m" "method=0x88" "auth=0x00" "rep=0x00" "echo=ok"
done
sgtool socks --proxy "127.0.0.1:$SG_PORT4" --methods 02 --user "$PL_USER" \
    --password "$PL_PASS" --dest "127.0.0.1:$ECHO4" --data x --echo-check \
    > "$SG_TMP/m02" 2>&1
sg_expect "$SG_TMP/m02" "method=0x02" "auth=0x00" "rep=0x00" "echo=ok"
sg_info "ok: a raw client offering 0x88 gets 0x88"

# Pipelining, learnt once: a fake gateway answers with METHOD and logs,
# for each connection, what its first read got (made as soon as data
# arrives, before it answers anything).  Three connections to a name in
# one invocation (one shared table).  With 0x88: the first is step by
# step (the library does not know yet), then greeting, login and request
# come in one write.  With 0x02: step by step every time.
fakegw() {	# METHOD: run the three connections, leave the log in $SG_TMP/gw.METHOD
	local log=$SG_TMP/gw.$1 pf=$SG_TMP/port.gw$1 port
	rm -f "$pf"; : > "$log"
	sg_bg timeout 120 "$SG_PY" "$SG_INTEG/pltool.py" fakegw --method "$1" \
	    --port-file "$pf" --log "$log" 2>>"$SG_TMP/servers.err"
	sg_wait_file "$pf" 10 || sg_error "fake gateway did not start"
	port=$(cat "$pf")
	pl_client_conf file="$SG_TMP/gw$1.conf" gateway="127.0.0.1:$port"
	SIXGATE_VERIFY_NAMES=off pl_run -c "$SG_TMP/gw$1.conf" sh -c '
		for i in 1 2 3; do "$1" "$2" connect pipe.sgtest 80; done' \
	    sh "$SG_PY" "$SG_INTEG/pltool.py" > "$SG_TMP/gw$1.out" 2>&1
	[ "$(grep -c '^connected' "$SG_TMP/gw$1.out")" = 3 ] ||
		pl_fail_with "$SG_TMP/gw$1.out" "connections through the fake gateway (method $1) failed"
	local end=$(( $(sg_now_ms) + 10000 ))
	while [ "$(grep -c 'cmd=0x01' "$log")" -lt 3 ]; do
		[ "$(sg_now_ms)" -lt "$end" ] || pl_fail_with "$log" "the fake gateway logged no 3 CONNECTs"
		sleep 0.05
	done
	grep -q error= "$log" && pl_fail_with "$log" "the fake gateway saw a broken handshake"
	grep 'cmd=0x01' "$log" | sort -t= -k2 -n > "$log.sorted"
}
fakegw 88
sed -n 1p "$SG_TMP/gw.88.sorted" | grep -q " whole=0 methods=[0-9a-f]*88" ||
	pl_fail_with "$SG_TMP/gw.88.sorted" "the first connection did not offer 0x88 step by step"
[ "$(sed -n '2,3p' "$SG_TMP/gw.88.sorted" | grep -c ' whole=1 ')" = 2 ] ||
	pl_fail_with "$SG_TMP/gw.88.sorted" "after 0x88, greeting+login+request did not arrive in one write"
sg_info "ok: after 0x88 the Socks Lib pipelines: $(sed -n 2p "$SG_TMP/gw.88.sorted")"
fakegw 02
[ "$(grep -c ' whole=0 ' "$SG_TMP/gw.02.sorted")" = 3 ] ||
	pl_fail_with "$SG_TMP/gw.02.sorted" "the Socks Lib pipelined to a gateway that chose 0x02"
sg_info "ok: after 0x02 the Socks Lib stays step by step"

# A name only the gateway resolves.
check "$SG_TMP/c2" 0 "$PL_CONF" --check="web4.sgtest:$ECHO4"
no_error "$SG_TMP/c2"
sg_expect "$SG_TMP/c2" "web4.sgtest"
sg_log_wait "dest=web4.sgtest:$ECHO4" 10 || sg_fail "no access line for web4.sgtest:$ECHO4"
sg_info "ok: --check=web4.sgtest:$ECHO4"

# A name the gateway cannot resolve.
check "$SG_TMP/c3" 1 "$PL_CONF" --check="nowhere.sgtest:$ECHO4"
sg_expect "$SG_TMP/c3" "error: the gateway cannot resolve nowhere.sgtest"
sg_info "ok: --check=nowhere.sgtest: exit 1"

# Wrong password: exit 1, a plain message, no password shown.
pl_client_conf file="$SG_TMP/bad.conf" password=not-the-password
check "$SG_TMP/c4" 1 "$SG_TMP/bad.conf"
sg_expect "$SG_TMP/c4" "error: the gateway refused user $PL_USER: wrong password or unknown user"
grep -qF "not-the-password" "$SG_TMP/c4" "$SG_TMP/c4.err" && sg_fail "--check printed the wrong password"
sg_info "ok: wrong password: exit 1"

# The gateway is down.
sg_refuser DOWN
pl_client_conf file="$SG_TMP/down.conf" gateway="127.0.0.1:$DOWN"
check "$SG_TMP/c5" 1 "$SG_TMP/down.conf"
sg_expect "$SG_TMP/c5" "error: cannot connect to the gateway"
grep -qi "refused" "$SG_TMP/c5" || pl_fail_with "$SG_TMP/c5" "no reason (connection refused) given"
sg_info "ok: gateway down: exit 1"

# The real gateway stopped: same.
sg_stop || sg_fail "sixgated did not stop"
check "$SG_TMP/c6" 1 "$PL_CONF"
sg_expect "$SG_TMP/c6" "error: cannot connect to the gateway"
sg_info "ok: gateway stopped: exit 1"
exit 0
