#!/bin/bash
# t-auth-cache.sh - auth.cache_ttl: a returning user costs no PAM call.
# PAM calls are counted by a pam_exec line in front of pam_matrix in the
# pam_wrapper service file.  With cache_ttl = 60: the first login is one
# PAM call, 20 more logins of the same user and password none; a wrong
# password still goes to PAM (and fails, and is logged); another user is
# a PAM call of its own; after a reload (SIGHUP) the first login is a PAM
# call again; with cache_ttl = 2, a login after the TTL is a PAM call
# again; a client blocked by the failed-login throttle is refused even
# with the cached password, without PAM.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
sg_init

GOOD='C4che-Passw0rd-k2'
BAD='Wr0ng-Passw0rd-x8'
sg_pamwrap alice "$GOOD" bob "B0b-$GOOD"

PAMEXEC=
for f in "$(sg_pamwrap_libdir)/security/pam_exec.so" \
    /lib/*/security/pam_exec.so /usr/lib/*/security/pam_exec.so \
    /lib64/security/pam_exec.so /lib/security/pam_exec.so; do
	[ -r "$f" ] && { PAMEXEC=$f; break; }
done
[ -n "$PAMEXEC" ] || sg_skip "pam_exec.so not found (needed to count PAM calls)"
CALLS=$SG_TMP/pam-calls
: > "$CALLS"
cat > "$SG_TMP/count.sh" <<EOF
#!/bin/sh
echo "\$PAM_TYPE \$PAM_USER" >> "$CALLS"
exit 0
EOF
chmod 755 "$SG_TMP/count.sh"
SVC=$SG_TMP/pam.d/${SG_PAM_SERVICE:-sixgated}
{ echo "auth optional $PAMEXEC quiet $SG_TMP/count.sh"; cat "$SVC"; } > "$SVC.new"
mv "$SVC.new" "$SVC"

calls() {	# PAM authentications so far
	grep -c '^auth ' "$CALLS" || true
}

want_calls() {	# N WHAT
	local n
	n=$(calls)
	[ "$n" -eq "$1" ] || { cat "$CALLS" >&2; sg_fail "$2: $n PAM calls, expected $1"; }
	sg_info "ok: $1 PAM calls after $2"
}

sg_server ECHO echo --bind 127.0.0.1
sg_conf auth_extra='cache_ttl = 60; fail_limit = 3; fail_window = 60; fail_block = 60;'
sg_start -v -v
P4=127.0.0.1:$SG_PORT4

login() {	# NAME USER PASSWORD: must succeed and relay
	sgtool socks --proxy "$P4" --user "$2" --password "$3" \
	    --dest "127.0.0.1:$ECHO" --data ping --echo-check > "$SG_TMP/$1" 2>&1
	sg_expect "$SG_TMP/$1" "auth=0x00" "rep=0x00" "echo=ok"
}

refused() {	# NAME USER PASSWORD: must get status 0x01
	sgtool socks --proxy "$P4" --user "$2" --password "$3" \
	    --dest "127.0.0.1:$ECHO" --data ping > "$SG_TMP/$1" 2>&1
	sg_expect "$SG_TMP/$1" "auth=0x01" "closed=1"
	grep -q "rep=" "$SG_TMP/$1" && sg_fail "$1: a request was answered after a failed login"
	return 0
}

# The pam_exec line counts (sanity): no call before the first login.
want_calls 0 "the start"
login first alice "$GOOD"
want_calls 1 "the first login"
for i in $(seq 1 20); do
	login "again$i" alice "$GOOD"
done
want_calls 1 "20 more logins within the TTL"
sg_log_wait "from the login cache" 5 20 ||
	sg_fail "expected 20 'from the login cache' debug lines"

# A wrong password is never answered from the cache: PAM says no.
refused wrong alice "$BAD"
want_calls 2 "a wrong password"
sg_log_wait "authentication failed" 5 || sg_fail "no 'authentication failed' line"
# ... and did not evict the good one.
login after-wrong alice "$GOOD"
want_calls 2 "the right password after a wrong one"

# Another user: a PAM call of its own, then cached too.
login bob1 bob "B0b-$GOOD"
login bob2 bob "B0b-$GOOD"
want_calls 3 "another user, twice"

# The password never reaches the log.
grep -qF -- "$GOOD" "$SG_LOG" && sg_fail "the password is in the log"

# A reload empties the cache.
kill -HUP "$SG_PID"
sg_log_wait "configuration reloaded" 10 || sg_fail "no 'configuration reloaded' after SIGHUP"
login reload1 alice "$GOOD"
login reload2 alice "$GOOD"
want_calls 4 "a reload and two logins"

# A short TTL: a PAM call again once it is over.
sg_conf auth_extra='cache_ttl = 2; fail_limit = 3; fail_window = 60; fail_block = 60;'
kill -HUP "$SG_PID"
sg_log_wait "configuration reloaded" 10 2 || sg_fail "no second 'configuration reloaded'"
login ttl1 alice "$GOOD"
login ttl2 alice "$GOOD"
want_calls 5 "a reload to cache_ttl = 2 and two logins"
sleep 2.5
login ttl3 alice "$GOOD"
want_calls 6 "a login after the TTL"
login ttl4 alice "$GOOD"
want_calls 6 "a login just after that"

# A client blocked by the throttle is refused before the cache is asked.
refused block1 alice "$BAD"
refused block2 alice "$BAD"
refused block3 alice "$BAD"
want_calls 9 "three wrong passwords"
sg_log_wait "logins from there are refused" 5 || sg_fail "the throttle did not block"
refused blocked alice "$GOOD"
want_calls 9 "a blocked client's cached password"
sg_log_wait "login refused without checking" 5 || sg_fail "no 'login refused without checking' line"

sg_alive "$SG_PID" || sg_fail "sixgated died"
exit 0
