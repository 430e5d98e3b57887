#!/bin/bash
# valgrind.sh - every unit test (tests/unit/check_*), run again under
# valgrind (memcheck): any invalid read or write, use of uninitialised
# memory or leak (definite, indirect or possible) fails the test.  No
# suppressions are needed today; if Check or pthread internals ever need
# one, put it in a file given with --suppressions, each entry with a
# comment saying why it is not our leak.  SKIP without valgrind.
set -u
: "${top_builddir:=.}"
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
command -v valgrind >/dev/null 2>&1 || { echo "SKIP: valgrind is not installed"; exit 77; }
# Every unit test that make check runs (check_PROGRAMS in Makefile.am):
# a test added there and not here fails this script.
UNIT_TESTS="check_socks5 check_socks4 check_socks5_client check_addr check_acl check_config
check_resolve check_fakeip check_env check_gwlist check_pack check_hostsfile check_route
check_upstreams check_sgio check_pwfile check_escape check_selfaddr
check_throttle check_authpool check_admit check_svcthread check_gate check_sock check_notify
check_authcache check_timewin check_acl_policy check_control
check_metrics check_usage check_statefile check_http check_proxyproto
check_dnsmsg check_faketable check_relay"
listed=$(sed -n '/^check_PROGRAMS += /,/^endif/s,.*tests/unit/\(check_[a-z0-9_]*\).*,\1,p' \
    "$top_srcdir/Makefile.am" | sort)
if [ -n "$listed" ] && [ "$listed" != "$(printf '%s\n' $UNIT_TESTS | sort)" ]; then
	echo "ERROR: valgrind.sh's list differs from check_PROGRAMS in Makefile.am:"
	diff <(printf '%s\n' $UNIT_TESTS | sort) <(echo "$listed")
	exit 99
fi
rc=0
for t in $UNIT_TESTS; do
	bin="$top_builddir/tests/unit/$t"
	[ -x "$bin" ] || { echo "ERROR: $bin not built"; exit 99; }
	echo "== $t"
	# No fork: memcheck then sees every test in one process.
	if ! CK_FORK=no CK_DEFAULT_TIMEOUT=600 timeout 900 valgrind -q \
	    --error-exitcode=3 --leak-check=full \
	    --show-leak-kinds=definite,indirect,possible \
	    --errors-for-leak-kinds=definite,indirect,possible \
	    "$bin" > "$t.valgrind.out" 2>&1; then
		tail -n 60 "$t.valgrind.out"
		echo "FAIL: $t under valgrind"
		rc=1
	fi
	rm -f "$t.valgrind.out"
done
exit $rc
