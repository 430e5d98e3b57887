#!/bin/bash
# t-preload-check.sh - `sixgate --check`: all "ok:" and exit 0 against a
# working gateway (and with --check=web4.sgtest:PORT, a name only the
# gateway resolves); exit 1 with a plain "error:" line for a wrong
# password, a gateway that is down, and a name the gateway cannot resolve.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
. "$top_srcdir/tests/integ/preload.sh"
sg_init
sg_need getent
pl_init
pl_hosts
pl_unresolvable web4.sgtest nowhere.sgtest
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
    "127.0.0.1:$SG_PORT4" "localhost" "sixgated"
grep -qF "$PL_PASS" "$SG_TMP/c1" "$SG_TMP/c1.err" && sg_fail "--check printed the password"
sg_info "ok: --check: $(wc -l < "$SG_TMP/c1") ok lines"

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
