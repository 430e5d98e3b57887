#!/bin/bash
# t-tsan.sh - the integration tests that exercise the daemon's threads
# (acceptor, sessions, reload, shutdown, relays, chains, UDP, BIND) in a
# private build with -fsanitize=thread.  Every ThreadSanitizer report is
# fatal (halt_on_error), and the test fails if any report shows up in
# TSan's log files, in the logs the integration tests keep (SG_KEEP) or
# in the suite's logs.  Suppressions: tests/assure/tsan.supp, each with
# the reason it is there.
#
# Some kernels map memory where TSan's shadow cannot live (high
# vm.mmap_rnd_bits): then the runs go under `setarch -R` (no address
# randomisation), which the probe below finds out.
. "$(dirname "$0")/lib.sh"
as_init

TSAN_TESTS=${TSAN_TESTS:-"t-types t-auth t-reload t-limits t-limits-client
	t-shutdown t-bulk t-idle-clients t-chain t-udp t-bind t-pipeline
	t-halfclose t-resolve t-control"}
CC_TSAN=${ASSURE_CC:-gcc}
command -v "$CC_TSAN" >/dev/null 2>&1 || as_skip "$CC_TSAN not installed"

# Probe: a race-free threaded program must run clean.
cat > "$AS_TMP/probe.c" <<'PROBE'
#include <pthread.h>
static int x;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static void *f(void *a) { pthread_mutex_lock(&m); x++; pthread_mutex_unlock(&m); return a; }
int main(void) { pthread_t t; if (pthread_create(&t, 0, f, 0)) return 1; f(0); pthread_join(t, 0); return x != 2; }
PROBE
"$CC_TSAN" -fsanitize=thread -g "$AS_TMP/probe.c" -o "$AS_TMP/probe" \
    -pthread > "$AS_TMP/probe.log" 2>&1 || {
	cat "$AS_TMP/probe.log"
	as_skip "$CC_TSAN cannot link -fsanitize=thread (Debian gcc: libtsan2; clang: libclang-rt-14-dev)"
}
RUN=
if ! "$AS_TMP/probe" > "$AS_TMP/probe.log" 2>&1; then
	if setarch "$(uname -m)" -R "$AS_TMP/probe" > "$AS_TMP/probe.log" 2>&1; then
		RUN="setarch $(uname -m) -R"
		as_info "TSan needs setarch -R here (vm.mmap_rnd_bits=$(cat /proc/sys/vm/mmap_rnd_bits 2>/dev/null))"
	else
		cat "$AS_TMP/probe.log"
		as_skip "TSan programs do not run here, not even under setarch -R"
	fi
fi

as_tree
as_configure CC="$CC_TSAN" --disable-unit-tests \
    CFLAGS="-g -O1 -fno-omit-frame-pointer -fsanitize=thread" \
    LDFLAGS="-fsanitize=thread"
as_make all
as_make check TESTS=

tests=
for t in $TSAN_TESTS; do
	[ -f "$AS_SRC/tests/integ/$t.sh" ] || as_error "no tests/integ/$t.sh"
	tests="$tests tests/integ/$t.sh"
done
AS_RUN=$RUN as_check_under TSan "$tests" \
    TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:history_size=4:log_path=$AS_TMP/san/tsan:suppressions=$top_srcdir/tests/assure/tsan.supp"
exit 0
