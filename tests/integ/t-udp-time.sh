#!/bin/bash
# t-udp-time.sh - UDP ASSOCIATE and the time windows of rules (issue 12),
# with windows computed from `date`:
# - a user whose rule's window includes now gets an association that
#   echoes;
# - a user whose rule's window excludes now is refused with 0x02 (no
#   rule allows it UDP now: end=denied);
# - an association under a window that ends at the next full minute is
#   ended by the gateway then, with end=time in its access line
#   (bounded: at most ~65 s; it runs while the rest is checked).
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
sg_init
export LC_ALL=C

s5() {	# s5udp.py, bounded
	timeout 90 "$SG_PY" "$SG_INTEG/s5udp.py" "$@"
}
pf=$SG_TMP/port.echo
sg_bg timeout 300 "$SG_PY" "$SG_INTEG/s5udp.py" udpecho --bind 127.0.0.1 \
    --port-file "$pf" 2>>"$SG_TMP/servers.err"
sg_wait_file "$pf" 10 || { cat "$SG_TMP/servers.err" >&2; sg_error "udp echo did not start"; }
E4=$(cat "$pf")

hm() { date -d "@$1" +%H:%M; }
now=$(date +%s)
sec=$(( now % 60 ))
if [ "$sec" -ge 50 ]; then	# leave the cut window at least 10 s
	sleep $(( 61 - sec ))
	now=$(date +%s)
fi
cut_at=$(( (now / 60 + 1) * 60 ))	# the next full minute
INC="$(hm $((now - 600)))-$(hm $((now + 900)))"
EXC="$(hm $((now + 1800)))-$(hm $((now + 3600)))"
CUT="$(hm $((now - 600)))-$(hm "$cut_at")"
sg_info "now $(date -d "@$now" '+%a %H:%M:%S'): include $INC, exclude $EXC, cut $CUT"

sg_pamwrap early 'E4rly-pw' late 'L4te-pw' cut 'Cu7-pw'
LO='to = [ "127.0.0.0/8" ]; commands = [ "udp" ];'
sg_conf rules="
  { name = \"now\"; action = \"allow\"; users = [ \"early\" ]; $LO time = [ \"$INC\" ]; },
  { name = \"later\"; action = \"allow\"; users = [ \"late\" ]; $LO time = [ \"$EXC\" ]; },
  { name = \"cut\"; action = \"allow\"; users = [ \"cut\" ]; $LO time = [ \"$CUT\" ]; }"
sg_start
P4=127.0.0.1:$SG_PORT4

# The cut first, in the background: it runs while the rest is checked.
s5 udp --proxy "$P4" --user cut --password 'Cu7-pw' --echo "127.0.0.1:$E4" \
    --sizes 10 --idle-end 80 > "$SG_TMP/cut" 2>&1 &
CUTPID=$!
SG_PIDS="$SG_PIDS $CUTPID"

s5 udp --proxy "$P4" --user early --password 'E4rly-pw' --echo "127.0.0.1:$E4" \
    --sizes 10,1400 --close > "$SG_TMP/early" 2>&1 ||
	{ cat "$SG_TMP/early" >&2; sg_fail "an association inside its window does not work"; }
sg_expect "$SG_TMP/early" "echo_target=127.0.0.1:$E4 sizes=2 ok=2"
s5 udp --proxy "$P4" --user late --password 'L4te-pw' --echo "127.0.0.1:$E4" \
    --expect-rep 0x02 > "$SG_TMP/late" 2>&1 ||
	{ cat "$SG_TMP/late" >&2; sg_fail "an association outside its window was not refused with 0x02"; }
sg_log_wait "access user=late " 10 || sg_fail "no access line for the refused association"
grep -F "access user=late " "$SG_LOG" | grep -q "cmd=udp .*rep=0x02 .*end=denied$" ||
	{ grep -F "access user=late " "$SG_LOG" >&2; sg_fail "the refusal's access line is wrong"; }
grep -q "udp to .* denied: no rule allows it" "$SG_LOG" || sg_fail "the refusal is not logged"

# The cut: the association ends at the next full minute with end=time.
sg_wait_exit "$CUTPID" 85 || sg_fail "the cut association did not end"
ended=$(date +%s)
sg_expect "$SG_TMP/cut" "echo_target=127.0.0.1:$E4 sizes=1 ok=1" "ctl_end=eof"
[ "$ended" -ge $((cut_at - 1)) ] && [ "$ended" -le $((cut_at + 5)) ] ||
	sg_fail "the association ended at $ended, its window at $cut_at"
sg_log_wait "access user=cut " 5 || sg_fail "no access line for the cut association"
grep -F "access user=cut " "$SG_LOG" | grep -q "cmd=udp .* end=time$" || {
	grep -F "access user=cut " "$SG_LOG" >&2
	sg_fail "the cut association's access line does not say end=time"
}
sg_info "ok: inside the window it works, outside refused, cut at the window's end ($((ended - cut_at)) s after) with end=time"
exit 0
