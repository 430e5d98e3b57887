#!/bin/bash
# valgrind.sh - the unit tests of code that packs, parses and shares
# memory, run again under valgrind (memcheck): any invalid read or write,
# use of uninitialised memory or leak fails the test.  SKIP without
# valgrind.
set -u
: "${top_builddir:=.}"
command -v valgrind >/dev/null 2>&1 || { echo "SKIP: valgrind is not installed"; exit 77; }
rc=0
for t in check_socks5 check_socks5_client check_addr check_config check_pack check_env check_fakeip check_hostsfile check_route check_upstreams; do
	bin="$top_builddir/tests/unit/$t"
	[ -x "$bin" ] || { echo "ERROR: $bin not built"; exit 99; }
	echo "== $t"
	# No fork: memcheck then sees every test in one process.
	if ! CK_FORK=no CK_DEFAULT_TIMEOUT=600 timeout 900 valgrind -q \
	    --error-exitcode=3 --leak-check=full --errors-for-leak-kinds=definite \
	    "$bin" > "$t.valgrind.out" 2>&1; then
		tail -n 40 "$t.valgrind.out"
		echo "FAIL: $t under valgrind"
		rc=1
	fi
	rm -f "$t.valgrind.out"
done
exit $rc
