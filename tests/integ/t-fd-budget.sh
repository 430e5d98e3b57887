#!/bin/bash
# t-fd-budget.sh - UDP associations under a low descriptor limit.  The
# daemon runs with RLIMIT_NOFILE 602 and auth.max_concurrent = 4: its
# budget is 602 - 64 - 4 * 8 = 506 descriptors, 4 per UDP association
# (2 for the client, 2 for the relay), so about 126 associations fit and
# 2 descriptors are left over: a client is still admitted and its UDP
# ASSOCIATE is refused with REP 0x01 (with 600 the budget, 504, would be
# a multiple of 4 and the late clients would all meet the acceptor's
# "05 FF" instead).  200 associations are asked for from 4 processes,
# each holding its control connection open: the first ones succeed, the
# later ones get 0x01 (or 05 FF while another is being admitted) - no
# hang, no crash.  A valid login then gets RFC 1929 status 0x00 (never
# 0x01 for a good password) and its CONNECT 0x00 or 0x01; the budget line
# is logged at most once per 10 s; no "authentication failed", no PAM
# error.  Once the associations are closed a CONNECT and a UDP ASSOCIATE
# work again (the budget came back).
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
sg_init
sg_need prlimit

NOFILE=602
BUDGET=$(( NOFILE - 64 - 4 * 8 ))
sg_pamwrap uma 'Um4-pw'
sg_conf auth_extra='max_concurrent = 4;'
SG_DAEMON_WRAP=(prlimit "--nofile=$NOFILE:$NOFILE" --)
sg_start
SG_DAEMON_WRAP=()
grep -q "^Max open files *$NOFILE *$NOFILE" "/proc/$SG_PID/limits" ||
	sg_error "the daemon (pid $SG_PID) does not run with nofile $NOFILE"
sg_server ECHO echo --bind 127.0.0.1

adm() { timeout 120 "$SG_PY" "$SG_INTEG/admtool.py" "$@"; }

t0=$(sg_now_ms)
hp=
for k in 1 2 3 4; do
	adm udphold --proxy "127.0.0.1:$SG_PORT4" --user uma --password 'Um4-pw' \
	    --count 50 --timeout 20 --ready-file "$SG_TMP/ready.$k" \
	    --hold-file "$SG_TMP/release" --hold-max 90 > "$SG_TMP/hold.$k" 2>&1 &
	hp="$hp $!"
done
SG_PIDS="$SG_PIDS $hp"
for k in 1 2 3 4; do
	sg_wait_file "$SG_TMP/ready.$k" 60 || {
		cat "$SG_TMP/hold.$k" >&2
		sg_fail "association client $k did not get its 50 answers within 60 s (a hang?)"
	}
done
t1=$(sg_now_ms)
sg_alive "$SG_PID" || sg_fail "sixgated died during the associations"
cat "$SG_TMP"/hold.[1-4]
ok=0 rep01=0 ff=0 other=0
for k in 1 2 3 4; do
	for kv in $(head -n 1 "$SG_TMP/hold.$k"); do
		n=${kv##*=}
		case ${kv%=*} in
		0x00) ok=$((ok + n)) ;;
		0x01) rep01=$((rep01 + n)) ;;
		auth:0xff) ff=$((ff + n)) ;;
		*) other=$((other + n)) ;;
		esac
	done
done
sg_info "200 UDP ASSOCIATE in $((t1 - t0)) ms: $ok succeeded, $rep01 got 0x01, $ff got 05 FF, $other other (budget $BUDGET)"
[ "$other" = 0 ] || sg_fail "$other associations got neither 0x00, 0x01 nor 05 FF"
[ "$ok" -ge 100 ] || sg_fail "only $ok associations succeeded (budget $BUDGET fits $((BUDGET / 4)))"
[ "$ok" -le $((BUDGET / 4)) ] || sg_fail "$ok associations succeeded: more than the budget allows ($((BUDGET / 4)))"
[ "$rep01" -ge 1 ] || sg_fail "no association was refused with REP 0x01"
sg_log_wait "refused with 0x01" 5 || sg_fail "no 'descriptor budget spent ... refused with 0x01' line"

# A valid login now: admitted with the 2 spare descriptors.
adm req --proxy "127.0.0.1:$SG_PORT4" --user uma --password 'Um4-pw' --cmd connect \
    --dest "127.0.0.1:$ECHO" --data full --timeout 15 > "$SG_TMP/valid" 2>&1
sg_info "valid login while the budget is spent: $(cat "$SG_TMP/valid")"
grep -q "auth=0x01" "$SG_TMP/valid" && sg_fail "a valid password got RFC 1929 status 0x01"
sg_expect "$SG_TMP/valid" "method=0x02" "auth=0x00"
grep -qE "rep=0x0[01]( |$)" "$SG_TMP/valid" || sg_fail "the CONNECT got neither 0x00 nor 0x01"
t2=$(sg_now_ms)

# The budget line at most once per 10 s (the log has no timestamps: no
# more lines than 10 s periods since the first association).
n=$(sg_log_count "refused with 0x01")
max=$(( (t2 - t0) / 10000 + 1 ))
[ "$n" -le "$max" ] || sg_fail "$n 'refused with 0x01' lines in $((t2 - t0)) ms (at most once per 10 s)"
n2=$(sg_log_count "refusing new clients")
[ "$n2" -le "$max" ] || sg_fail "$n2 'refusing new clients' lines in $((t2 - t0)) ms"
for bad in "authentication failed" "pam_start" "not checked: internal error"; do
	grep -qF "$bad" "$SG_LOG" && { grep -F "$bad" "$SG_LOG" | head -n 3 >&2; sg_fail "the log has '$bad'"; }
done

# Release: the budget comes back.
touch "$SG_TMP/release"
for p in $hp; do
	sg_wait_exit "$p" 30 || sg_fail "an association client did not finish"
done
end=$(( $(sg_now_ms) + 10000 ))
while :; do
	adm req --proxy "127.0.0.1:$SG_PORT4" --user uma --password 'Um4-pw' --cmd connect \
	    --dest "127.0.0.1:$ECHO" --data again --timeout 10 > "$SG_TMP/after" 2>&1
	grep -q "echo=ok" "$SG_TMP/after" && break
	[ "$(sg_now_ms)" -lt "$end" ] || { cat "$SG_TMP/after" >&2; sg_fail "no CONNECT served after the associations closed"; }
	sleep 0.2
done
adm udphold --proxy "127.0.0.1:$SG_PORT4" --user uma --password 'Um4-pw' \
    --count 100 --timeout 10 --hold-max 0 > "$SG_TMP/again" 2>&1
grep -q "^0x00=100$" "$SG_TMP/again" || { cat "$SG_TMP/again" >&2; sg_fail "100 new associations were not all served after the release"; }
sg_alive "$SG_PID" || sg_fail "sixgated died"
sg_info "ok: budget spent -> 0x01, valid login 0x00, budget back after release"
exit 0
