#!/bin/bash
# t-rules-policy.sh - the policy keys of rules (issue 12), end to end:
# - name patterns in `to`: good.sgtest is allowed, bad.sgtest (the same
#   address, in the gateway's private hosts file) is refused before it
#   is resolved, a name sent as an address is not a name;
# - time windows computed from `date`: one that includes now allows, one
#   that excludes now refuses, today's day allows and tomorrow's refuses;
#   a relay under a window that ends at the next full minute ends then,
#   with end=time in its access line (bounded: at most ~65 s);
# - auth = [ "none" ] (methods "none" and "username"): a client without
#   a user is allowed, a user to the same destination is not;
# - groups (root only: a throwaway Unix group and two system users
#   through pam_unix): a member is allowed, a non-member and a client
#   without a user are refused.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
. "$top_srcdir/tests/integ/preload.sh"
sg_init
sg_need getent
export LC_ALL=C
PL_SIXGATED=$SIXGATED
pl_hosts "127.0.0.1 good.sgtest" "127.0.0.1 bad.sgtest"

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
TODAY=$(date -d "@$now" +%a)
TOMORROW=$(date -d "@$((now + 86400))" +%a)
sg_info "now $(date -d "@$now" '+%a %H:%M:%S'): include $INC, exclude $EXC, cut $CUT"

sg_pamwrap alice 'Al1ce-pw' early 'E4rly-pw' late 'L4te-pw' \
    today 'T0day-pw' tomorrow 'T0mor-pw' cut 'Cu7-pw'
sg_conf methods='"none", "username"' rules="
  { name = \"names\"; action = \"allow\"; users = [ \"alice\" ]; to = [ \"good.sgtest\" ]; },
  { name = \"now\"; action = \"allow\"; users = [ \"early\" ]; time = [ \"$INC\" ]; },
  { name = \"later\"; action = \"allow\"; users = [ \"late\" ]; time = [ \"$EXC\" ]; },
  { name = \"today\"; action = \"allow\"; users = [ \"today\" ]; time = [ \"$TODAY 00:00-24:00\" ]; },
  { name = \"tomorrow\"; action = \"allow\"; users = [ \"tomorrow\" ]; time = [ \"$TOMORROW 00:00-24:00\" ]; },
  { name = \"cut\"; action = \"allow\"; users = [ \"cut\" ]; time = [ \"$CUT\" ]; },
  { name = \"anon\"; action = \"allow\"; auth = [ \"none\" ]; to = [ \"127.0.0.0/8\" ]; }"
SIXGATED=$SG_TMP/sixgated-ns sg_start
SIXGATED=$PL_SIXGATED
sg_server ECHO echo --bind 127.0.0.1
P=(--proxy "127.0.0.1:$SG_PORT4")

# The cut first, in the background: it runs while the rest is checked.
SG_TOOL_TIMEOUT=90 sgtool socks "${P[@]}" --user cut --password 'Cu7-pw' \
    --dest "127.0.0.1:$ECHO" --data ping --echo-check --expect-eof 80 \
    > "$SG_TMP/cut" 2>&1 &
CUTPID=$!
SG_PIDS="$SG_PIDS $CUTPID"

# Name patterns: by the name sent, before resolving.
sg_socks_rep 0x00 good "${P[@]}" --user alice --password 'Al1ce-pw' \
    --dest-name good.sgtest --dest-port "$ECHO" --data x --echo-check
sg_socks_rep 0x00 good-case "${P[@]}" --user alice --password 'Al1ce-pw' \
    --dest-name GOOD.SGTEST --dest-port "$ECHO" --data x --echo-check
sg_socks_rep 0x02 bad "${P[@]}" --user alice --password 'Al1ce-pw' \
    --dest-name bad.sgtest --dest-port "$ECHO" --close-wait 3
# (alice to an address: "names" has no name to match, "anon" wants no user)
sg_socks_rep 0x02 by-address "${P[@]}" --user alice --password 'Al1ce-pw' \
    --dest "127.0.0.1:$ECHO" --close-wait 3
# bad.sgtest was refused before any look-up: its line names no address
# (a resolved name is logged as "NAME:PORT (ADDR)").
grep -qF "connect to bad.sgtest:$ECHO denied: no rule allows it" "$SG_LOG" ||
	sg_fail "no 'denied: no rule allows it' line for bad.sgtest"
grep -qF "bad.sgtest:$ECHO (" "$SG_LOG" &&
	sg_fail "bad.sgtest was resolved before the rules refused it"

# Time windows.
sg_socks_rep 0x00 early "${P[@]}" --user early --password 'E4rly-pw' \
    --dest "127.0.0.1:$ECHO" --data x --echo-check
sg_socks_rep 0x02 late "${P[@]}" --user late --password 'L4te-pw' \
    --dest "127.0.0.1:$ECHO" --close-wait 3
sg_socks_rep 0x00 today "${P[@]}" --user today --password 'T0day-pw' \
    --dest "127.0.0.1:$ECHO" --data x --echo-check
sg_socks_rep 0x02 tomorrow "${P[@]}" --user tomorrow --password 'T0mor-pw' \
    --dest "127.0.0.1:$ECHO" --close-wait 3

# auth = [ "none" ]: no user is allowed; a user is not (the anon rule
# does not match it, and alice's rule names good.sgtest only).
sg_socks_rep 0x00 anon "${P[@]}" --dest "127.0.0.1:$ECHO" --data x --echo-check

# The cut: the relay ends at the next full minute with end=time.
sg_wait_exit "$CUTPID" 85 || sg_fail "the cut relay did not end"
ended=$(date +%s)
sg_expect "$SG_TMP/cut" "rep=0x00" "echo=ok" "eof_secs="
grep -q "eof_secs=none" "$SG_TMP/cut" && sg_fail "the relay was not cut when its window closed"
[ "$ended" -ge $((cut_at - 1)) ] && [ "$ended" -le $((cut_at + 5)) ] ||
	sg_fail "the relay ended at $ended, its window at $cut_at"
sg_log_wait "access user=cut " 5 || sg_fail "no access line for the cut relay"
grep -F "access user=cut " "$SG_LOG" | grep -q " end=time$" || {
	grep -F "access user=cut " "$SG_LOG" >&2
	sg_fail "the cut relay's access line does not say end=time"
}
sg_info "ok: the relay ended at the window's end ($((ended - cut_at)) s after) with end=time"
sg_stop

# Groups: real Unix groups, through pam_unix (root only).
if [ "$(id -u)" != 0 ]; then
	sg_info "groups: skipped (not root)"
	exit 0
fi
sg_need useradd userdel groupadd groupdel chpasswd
sg_pam_other
GRP=sgg$$
MEMBER=sgga$$
OTHER=sggb$$
PW="Gp-$$-$RANDOM-z"
getent group "$GRP" >/dev/null && sg_error "group $GRP exists"
sg_retry timeout 30 groupadd "$GRP" || sg_error "groupadd failed"
sg_on_exit "sg_retry groupdel $GRP >/dev/null 2>&1"
sg_add_user "$MEMBER" -U -G "$GRP" -M -d /nonexistent -s /usr/sbin/nologin
sg_add_user "$OTHER" -U -M -d /nonexistent -s /usr/sbin/nologin
printf '%s:%s\n%s:%s\n' "$MEMBER" "$PW" "$OTHER" "$PW" |
	sg_retry timeout 30 chpasswd || sg_error "chpasswd failed"
SG_DAEMON_ENV=()
sg_conf pam_service="$SG_SVC" methods='"none", "username"' \
    rules="{ name = \"grp\"; action = \"allow\"; groups = [ \"$GRP\" ]; to = [ \"127.0.0.0/8\" ]; }"
sg_start
P=(--proxy "127.0.0.1:$SG_PORT4")
sg_socks_rep 0x00 member "${P[@]}" --user "$MEMBER" --password "$PW" \
    --dest "127.0.0.1:$ECHO" --data x --echo-check
sg_socks_rep 0x02 other "${P[@]}" --user "$OTHER" --password "$PW" \
    --dest "127.0.0.1:$ECHO" --close-wait 3
sg_socks_rep 0x02 nouser "${P[@]}" --dest "127.0.0.1:$ECHO" --close-wait 3
sg_alive "$SG_PID" || sg_fail "sixgated died"
exit 0
