#!/bin/bash
# t-fuzz.sh - every libFuzzer harness (tests/fuzz/fuzz_*.c) built with
# clang in a private build, its library code instrumented for coverage
# (-fsanitize=fuzzer-no-link) and ASan+UBSan, then run by `make
# fuzz-run` on its seed corpus for FUZZ_SECONDS each: 60 s in CI
# (CI=true), 5 s otherwise.  A crash fails the test; the input is copied
# to $top_builddir/tests/assure/fuzz-crashes/<harness>/ (see
# tests/fuzz/regress/README for making it a regression case).
# SKIP without clang or its libFuzzer runtime (Debian: clang and
# libclang-rt-14-dev).
. "$(dirname "$0")/lib.sh"
as_init

if [ -n "${FUZZ_SECONDS:-}" ]; then
	secs=$FUZZ_SECONDS
elif [ "${CI:-}" = true ]; then
	secs=60
else
	secs=5
fi
CLANG=${FUZZ_CC:-clang}
command -v "$CLANG" >/dev/null 2>&1 ||
	as_skip "$CLANG not installed (Debian: clang libclang-rt-14-dev)"
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return (int)(d[0] & n & 0); }\n' \
    > "$AS_TMP/probe.c"
"$CLANG" -fsanitize=fuzzer,address,undefined "$AS_TMP/probe.c" \
    -o "$AS_TMP/probe" > "$AS_TMP/probe.log" 2>&1 || {
	cat "$AS_TMP/probe.log"
	as_skip "$CLANG cannot link a libFuzzer program (Debian: libclang-rt-14-dev)"
}

as_tree
as_configure CC="$CLANG" --disable-unit-tests \
    CFLAGS="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined" \
    LDFLAGS="-fsanitize=address,undefined"
as_make fuzz

as_info "make fuzz-run FUZZ_SECONDS=$secs"
rc=0
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    make -C "$AS_BUILD" -s fuzz-run FUZZ_SECONDS="$secs" \
    > "$AS_TMP/fuzz-run.log" 2>&1 || rc=$?

# One line per harness: executions, executions per second, coverage.
for d in "$AS_BUILD"/fuzz-out/*/; do
	[ -d "$d" ] || continue
	h=$(basename "$d")
	execs=$(sed -n "/fuzz-run: $h for/,/fuzz-run: .* for/p" "$AS_TMP/fuzz-run.log" |
	    sed -n 's/^stat::number_of_executed_units: *//p' | head -n 1)
	rate=$(sed -n "/fuzz-run: $h for/,/fuzz-run: .* for/p" "$AS_TMP/fuzz-run.log" |
	    sed -n 's/^stat::average_exec_per_sec: *//p' | head -n 1)
	cov=$(sed -n "/fuzz-run: $h for/,/fuzz-run: .* for/p" "$AS_TMP/fuzz-run.log" |
	    grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' | tail -n 1 |
	    sed -n 's/.*\(cov: [0-9]*\).*\(corp: [^ ]*\).*/\1 \2/p')
	echo "$AS_TEST: fuzz_$h: ${secs} s, ${execs:-?} execs, ${rate:-?} exec/s, ${cov:-?}"
	if ls "$d"crash-* "$d"leak-* "$d"timeout-* "$d"oom-* >/dev/null 2>&1; then
		mkdir -p "$top_builddir/tests/assure/fuzz-crashes/$h"
		for f in "$d"crash-* "$d"leak-* "$d"timeout-* "$d"oom-*; do
			[ -f "$f" ] || continue
			cp "$f" "$top_builddir/tests/assure/fuzz-crashes/$h/"
			echo "$AS_TEST: fuzz_$h: input $(basename "$f") kept in tests/assure/fuzz-crashes/$h/:"
			od -A x -t x1z -v "$f" | head -n 20
		done
	fi
done
if [ "$rc" -ne 0 ]; then
	grep -n -E -B 2 -A 30 'ERROR: libFuzzer|==ERROR|runtime error:|deadly signal|SUMMARY' \
	    "$AS_TMP/fuzz-run.log" | head -n 80
	as_fail "a fuzz harness failed; replay: tests/fuzz/replay_<harness> FILE (or fuzz_<harness> FILE)"
fi
exit 0
