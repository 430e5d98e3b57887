# tests/assure/lib.sh - sourced by tests/assure/t-*.sh (bash): each of
# them builds sixgate again in a private directory (a copy of the
# distributed tree, made with `make distdir`, so that an in-tree build
# of the source does not stop an out-of-tree one) and runs something
# there.
#
# Environment: top_srcdir, top_builddir (set by make check).
#   SIXGATE_ASSURE_INNER  set inside such a private build's make check:
#                         the assure tests SKIP there (no recursion).
#   ASSURE_KEEP=1         keep the private directory (printed at exit).
#   ASSURE_JOBS           make -j for the private build (default 2).
# Exit codes: 0 pass, 77 skip (after "SKIP: reason"), 99 hard error,
# 1 failure.

set -u

: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${top_builddir:=.}"
top_builddir=$(cd "$top_builddir" && pwd)
AS_TEST=$(basename "$0" .sh)
AS_JOBS=${ASSURE_JOBS:-2}
AS_TMP=
AS_START=$(date +%s)

as_skip() {
	echo "SKIP: $*"
	exit 77
}

as_error() {
	echo "ERROR: $AS_TEST: $*" >&2
	exit 99
}

as_fail() {
	echo "FAIL: $AS_TEST: $*" >&2
	exit 1
}

as_info() {
	echo "$AS_TEST: [$(( $(date +%s) - AS_START )) s] $*"
}

as_cleanup() {
	local rc=$?
	trap - EXIT
	if [ -n "$AS_TMP" ]; then
		if [ -n "${ASSURE_KEEP:-}" ]; then
			echo "kept $AS_TMP" >&2
		else
			rm -rf "$AS_TMP"
		fi
	fi
	echo "$AS_TEST: wall time $(( $(date +%s) - AS_START )) s"
	exit "$rc"
}

# as_init: no recursion, private directory, a clean make environment.
as_init() {
	[ -z "${SIXGATE_ASSURE_INNER:-}" ] ||
		as_skip "inside a private build of tests/assure (no recursion)"
	[ -z "${SIXGATE_NO_ASSURE:-}" ] ||
		as_skip "SIXGATE_NO_ASSURE is set"
	trap as_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	AS_TMP=$(mktemp -d "${TMPDIR:-/tmp}/sg-$AS_TEST.XXXXXX") ||
		as_error "mktemp failed"
	# One private build at a time: under make -j2 check the others wait
	# here, holding one job slot, while the rest of the suite runs on.
	if command -v flock >/dev/null 2>&1; then
		mkdir -p "$top_builddir/tests/assure" &&
		exec 9> "$top_builddir/tests/assure/lock" ||
			as_error "cannot open $top_builddir/tests/assure/lock"
		flock 9
		as_info "start (after $(( $(date +%s) - AS_START )) s waiting for the other private builds)"
	fi
	# The outer make's job server and flags are not ours to share.
	unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES GNUMAKEFLAGS
}

# as_tree: the distributed tree in $AS_TMP/src (AS_SRC).
as_tree() {
	AS_SRC=$AS_TMP/src
	as_info "copying the distributed tree (make distdir)"
	make -s -C "$top_builddir" distdir distdir="$AS_SRC" \
	    > "$AS_TMP/distdir.log" 2>&1 || {
		tail -n 30 "$AS_TMP/distdir.log"
		as_error "make distdir failed"
	}
}

# as_configure ARGS...: configure $AS_SRC in $AS_TMP/build (AS_BUILD).
as_configure() {
	AS_BUILD=$AS_TMP/build
	mkdir -p "$AS_BUILD" || as_error "mkdir failed"
	as_info "configure $*"
	(cd "$AS_BUILD" && "$AS_SRC/configure" "$@") \
	    > "$AS_TMP/configure.log" 2>&1 || {
		tail -n 30 "$AS_TMP/configure.log"
		as_fail "configure $* failed (log above)"
	}
}

# as_make TARGET... : make in the private build, quietly; tail on error.
as_make() {
	as_info "make $*"
	make -C "$AS_BUILD" -j"$AS_JOBS" "$@" > "$AS_TMP/make.log" 2>&1 || {
		grep -E 'error|Error' "$AS_TMP/make.log" | head -n 40
		tail -n 30 "$AS_TMP/make.log"
		as_fail "make $* failed"
	}
}

# as_tests: the build's TESTS, one a line.
as_tests() {
	printf 'as-print-tests:\n\t@echo $(TESTS)\n' > "$AS_TMP/print.mk"
	make -s -C "$AS_BUILD" -f Makefile -f "$AS_TMP/print.mk" \
	    as-print-tests | tr ' ' '\n' | sed '/^$/d'
}

# as_reports SANDIR DIR...: the files holding a sanitizer report: every
# file in SANDIR (the runtimes' log_path: they write only to report),
# and the files under each DIR with a report in them.  Any of them
# fails the test.
AS_REPORT_RE='ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|WARNING: ThreadSanitizer|ThreadSanitizer: reported|FATAL: ThreadSanitizer|AddressSanitizer:DEADLYSIGNAL|ERROR: UndefinedBehaviorSanitizer|incompatible with sanitizer runtime'
as_reports() {
	local san=$1
	shift
	find "$san" -type f -size +0 2>/dev/null
	grep -r -I -l -E "$AS_REPORT_RE" "$@" 2>/dev/null
}

# as_show_reports FILE...: the first lines of each report.
as_show_reports() {
	local f
	for f in "$@"; do
		echo "==== $f"
		if grep -q -E "$AS_REPORT_RE" "$f"; then
			grep -n -E -A 25 "$AS_REPORT_RE" "$f" | head -n 60
		else
			head -n 40 "$f"
		fi
	done
}

# as_check_under WHAT TESTS [VAR=VALUE...]: make check of TESTS in the
# private build, with the variables given, then fail on any sanitizer
# report (in the runtimes' log directory $AS_TMP/san, the kept logs of
# the integration tests or the suite's logs) or failed test.  $AS_RUN,
# when set, goes in front of make (setarch -R for TSan).
#
# UID_WRAPPER_DISABLE_DEEPBIND=1: pam_wrapper 1.1.4 dlopen()s libpam with
# RTLD_DEEPBIND, which the sanitizer runtimes refuse ("incompatible with
# sanitizer runtime", google/sanitizers#611); this variable (named after
# uid_wrapper's, whose code pam_wrapper copied) turns that off.
as_check_under() {
	local what=$1 tests=$2 rc=0 reports f
	shift 2
	mkdir -p "$AS_TMP/san" "$AS_TMP/integ" || as_error "mkdir failed"
	# A daemon that dropped its privileges (t-privdrop, t-pam-unix) must
	# still be able to write its report.
	chmod 755 "$AS_TMP" "$AS_TMP/integ" && chmod 1777 "$AS_TMP/san" ||
		as_error "chmod failed"
	as_info "make check under $what: $(echo $tests | wc -w) tests"
	(
		cd "${AS_BUILD:?}" &&
		env SIXGATE_ASSURE_INNER=1 SG_KEEP=1 TMPDIR="$AS_TMP/integ" \
		    UID_WRAPPER_DISABLE_DEEPBIND=1 "$@" \
		    ${AS_RUN:-} make -j"$AS_JOBS" check TESTS="$(echo $tests)"
	) > "$AS_TMP/check.log" 2>&1 || rc=$?
	grep -E '^(# [A-Z]+:|(FAIL|ERROR|XPASS|SKIP):)' "$AS_TMP/check.log"
	reports=$(as_reports "$AS_TMP/san" "$AS_TMP/integ" "$AS_BUILD/tests")
	if [ -n "$reports" ]; then
		as_show_reports $reports
		as_fail "$what reports (above)"
	fi
	if [ "$rc" -ne 0 ]; then
		for f in $(grep -l -E '^:test-result: (FAIL|ERROR|XPASS)' \
		    "$AS_BUILD"/tests/*/*.trs 2>/dev/null); do
			echo "==== ${f%.trs}.log"
			tail -n 40 "${f%.trs}.log"
		done
		as_fail "make check under $what failed (rc $rc), without a report"
	fi
	as_info "no $what report"
}
