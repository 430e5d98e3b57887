#!/bin/bash
# t-log-escape.sh - nothing a client sends can forge a log line (issue
# 11, finding 1): a user name and destination names holding a newline,
# a fake "access user=root" line, quotes, backslashes, spaces and bytes
# >= 0x80 reach the log escaped (\n, \", \\, \xHH), on the one line they
# belong to, and the access line's key=value fields stay whole.
set -u
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/integ/lib.sh"
sg_init

PW="l0g-$$-$RANDOM"
sg_pamwrap logan "$PW"
sg_conf rules='{ action = "allow"; to = [ "127.0.0.0/8", "::1/128" ]; }'
sg_start
P4=127.0.0.1:$SG_PORT4
FORGED='sixgated: c999 192.0.2.66:4242 access user=root cmd=connect dest=secret.example:22 addr=10.0.0.1:22 rep=0x00'

# A failed login with a forged line in the user name.
sgtool socks --proxy "$P4" --user $'mallory\n'"$FORGED" --password x \
	--dest 127.0.0.1:9 > "$SG_TMP/o1" 2>&1
# A destination name with a forged line, a quote, a backslash, a space
# and UTF-8 bytes (it does not resolve: "cannot resolve" and the access
# line both carry it).
NAME=$'no\nsuch"\\ name-\xc3\xa9'"$FORGED"
sgtool socks --proxy "$P4" --user logan --password "$PW" \
	--dest-name "$NAME" --dest-port 80 > "$SG_TMP/o2" 2>&1
# (0x02, not 0x04: this user's rules name networks only, so an unknown
# name is answered as a forbidden one.)
grep -q "^rep=0x02 " "$SG_TMP/o2" || { cat "$SG_TMP/o2"; sg_fail "expected 0x02"; }
sg_log_wait "access user=logan" 10 || sg_fail "no access line"
sg_log_wait "authentication failed" 10 || sg_fail "no failed login logged"

# No line may start (after the tag) with the forged text, and nothing
# but printable ASCII reaches the log.
if grep -q "^sixgated: c999 " "$SG_LOG" ||
    grep -q " access user=root " "$SG_LOG"; then
	sg_fail "a forged line reached the log"
fi
LC_ALL=C grep -n '[^[:print:]]' "$SG_LOG" &&
	sg_fail "non-printable bytes reached the log"
grep -qF 'user="mallory\nsixgated:\x20c999' "$SG_LOG" ||
	sg_fail "the user name is not escaped as documented"
# (A name holding ':' is printed in brackets, as IPv6 literals are.)
grep -qF 'cannot resolve [no\nsuch\"\\\x20name-\xc3\xa9sixgated:' "$SG_LOG" ||
	sg_fail "the destination is not escaped in \"cannot resolve\""
# The access line: every field key=value, no value with a space.
line=$(grep "access user=logan" "$SG_LOG")
fields=$(sed 's/^.* access //' <<<"$line")
for f in $fields; do
	case $f in
	*=*) ;;
	*) sg_fail "access line field without key=value: $f ($line)" ;;
	esac
done
grep -qF 'dest=[no\nsuch\"\\\x20name-\xc3\xa9sixgated:\x20c999' <<<"$line" ||
	sg_fail "dest= is not escaped: $line"
sg_info "PASS"
