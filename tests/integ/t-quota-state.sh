#!/bin/bash
# t-quota-state.sh - quota counters survive restarts (state group):
#  1. quinn (quota 300000 a day) downloads 200000 bytes; SIGTERM; the
#     state file holds the count; after the restart the log says the
#     counters were restored, sixgatectl quota shows >= 200000 used, and
#     a 1 MB download is cut by the quota well before 300000 more bytes
#     (end=quota).
#  2. kill -9 once the file holds the exhausted quota (interval 1 s):
#     after the restart quinn is still refused with 0x02.
#  3. a state file cut in half: reported at start ("cut short"), ignored
#     (the counters start from zero: quinn downloads again), no crash.
#  4. garbage in the file: the same.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
sg_init
sg_ctl_init

STATE=$SG_TMP/state
SF=$STATE/quota.state
mkdir -m 0700 "$STATE" || sg_error "mkdir $STATE"
sg_pamwrap quinn 'Qu1nn-pw'
sg_conf extra="$SG_CTL_CONF
state: { directory = \"$STATE\"; interval = 1; };" rules='
  { name = "capped"; action = "allow"; users = [ "quinn" ];
    to = [ "127.0.0.0/8" ]; limits: { quota = 300000; quota_period = "day"; }; }'
sg_start
sg_server PART sink --bind 127.0.0.1 --reply --reply-bytes 200000
sg_server BIG sink --bind 127.0.0.1 --reply --reply-bytes 1000000

download() {	# NAME PORT: send 1 byte, read the answer to EOF
	sgtool socks --proxy "127.0.0.1:$SG_PORT4" --user quinn --password 'Qu1nn-pw' \
	    --dest "127.0.0.1:$2" --data x --shutdown-wr --read --timeout 30 \
	    > "$SG_TMP/$1" 2>&1
}
got() { sed -n 's/^recv_bytes=//p' "$SG_TMP/$1"; }
# the whole answer of PART: 200000 bytes and the sink's short header
whole() { local g; g=$(got "$1"); [ "${g:-0}" -ge 200000 ] && [ "$g" -lt 200100 ]; }
used() {	# the bytes quinn used, from sixgatectl --json quota
	ctl --json quota quinn | "$SG_PY" -c '
import json, sys
d = json.load(sys.stdin)["quotas"]
print(d[0]["used"] if d else 0)'
}
# the used count of quinn in the state file (0 when absent)
file_used() { awk '$1 == "q" && $4 == "capped" && $5 == "quinn" { print $3 }' "$SF" 2>/dev/null; }

# 1. SIGTERM and restart
download part "$PART"
whole part || { cat "$SG_TMP/part" >&2; sg_fail "first download: $(got part) bytes, want 200000"; }
sg_log_wait "access user=quinn" 10 || sg_fail "no access line for the first download"
sg_stop || sg_fail "sixgated did not stop on SIGTERM"
[ -f "$SF" ] || sg_fail "no state file $SF after SIGTERM"
[ ! -e "$SF.tmp" ] || sg_fail "a temporary state file was left behind"
u=$(file_used)
[ "${u:-0}" -ge 200000 ] && [ "$u" -le 300000 ] || { cat "$SF" >&2; sg_fail "state file says ${u:-nothing} used, want >= 200000"; }
mode=$(stat -c %a "$SF")
[ "$mode" = 600 ] || sg_fail "state file mode $mode, want 600"
sg_start
grep -q "quota counters restored from $SF: 1 entries" "$SG_LOG" || sg_fail "no 'restored' line at start"
u=$(used)
[ "${u:-0}" -ge 200000 ] || sg_fail "after the restart sixgatectl quota says ${u:-?} used, want >= 200000"
download big "$BIG"
g=$(got big)
[ -n "$g" ] && [ "$g" -lt 1000000 ] && [ "$g" -le $((300000 - 200000)) ] ||
	{ cat "$SG_TMP/big" >&2; sg_fail "after the restart quinn got ${g:-no} bytes: the restored count was not applied"; }
sg_log_wait "access user=quinn" 10 || sg_fail "no access line for the cut download"
grep "access user=quinn" "$SG_LOG" | grep -q "end=quota" || sg_fail "the cut download's access line lacks end=quota"
sg_info "ok: SIGTERM + restart: $u restored, then cut after $g bytes"

# 2. kill -9 once the exhausted count is on disk
end=$(( $(sg_now_ms) + 10000 ))
until [ "$(file_used)" -ge 299000 ] 2>/dev/null; do
	[ "$(sg_now_ms)" -lt "$end" ] || { cat "$SF" >&2; sg_fail "the state file did not reach the exhausted count within 10 s (interval 1 s)"; }
	sleep 0.1
done
kill -KILL "$SG_PID"
wait "$SG_PID" 2>/dev/null
SG_PID=
sg_start
sg_socks_rep 0x02 after-kill --proxy "127.0.0.1:$SG_PORT4" --user quinn \
    --password 'Qu1nn-pw' --dest "127.0.0.1:$PART" --data x
grep -q "quinn: quota exhausted" "$SG_LOG" || sg_fail "no quota refusal after kill -9 and restart"
sg_info "ok: kill -9 + restart: the quota still holds"

# 3. and 4. a damaged state file is reported and ignored
damaged() {	# WHAT WANT: start on a damaged file, expect WANT in the log
	sg_start
	grep -q "quota counters not restored: $SF: .*$2" "$SG_LOG" ||
		sg_fail "$1: no log line saying the state file was refused ($2)"
	download "after-$1" "$PART"
	whole "after-$1" || { cat "$SG_TMP/after-$1" >&2; sg_fail "$1: quinn refused: the damaged file was not ignored"; }
	sg_stop || sg_fail "$1: sixgated did not stop"
	sg_info "ok: $1 state file reported and ignored"
}
sg_stop || sg_fail "sixgated did not stop"
size=$(stat -c %s "$SF")
truncate -s $((size / 2)) "$SF" || sg_error "truncate failed"
damaged truncated "cut short"
head -c 3000 /dev/urandom > "$SF"
damaged garbage "not a sixgate state file"
exit 0
