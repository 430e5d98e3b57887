/*
 * check_escape.c - unit tests for src/escape.c (peer strings in log
 * lines).
 *
 * Covered: printable ASCII kept; newline, CR, tab, quote and backslash
 * as C escapes; space, other control bytes, DEL and every byte >= 0x80
 * as \xHH; a name holding "\n...access user=root" stays on one line
 * with no space; NUL bytes inside a counted string; every byte value
 * round-trips through a reference decoder; truncation at every output
 * size ends on a whole escape followed by "..." and never overruns.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

static char out[ESCAPE_LEN(300)];

START_TEST(test_plain)
{
	ck_assert_str_eq(escape_log_str("alice@corp.example:443", out,
	    sizeof(out)), "alice@corp.example:443");
	ck_assert_str_eq(escape_log_str("", out, sizeof(out)), "");
}
END_TEST

START_TEST(test_escapes)
{
	ck_assert_str_eq(escape_log_str("a\nb\rc\td\"e\\f", out, sizeof(out)),
	    "a\\nb\\rc\\td\\\"e\\\\f");
	ck_assert_str_eq(escape_log_str("a b\x01\x1f\x7f\x80\xff", out,
	    sizeof(out)), "a\\x20b\\x01\\x1f\\x7f\\x80\\xff");
	ck_assert_str_eq(escape_log("x\0y", 3, out, sizeof(out)), "x\\x00y");
}
END_TEST

START_TEST(test_forged_line)
{
	const char *evil = "bob\nsixgated: c9 1.2.3.4:5 access user=root "
	    "cmd=connect rep=0x00";

	escape_log_str(evil, out, sizeof(out));
	ck_assert_ptr_null(strchr(out, '\n'));
	ck_assert_ptr_null(strchr(out, ' '));
}
END_TEST

/* Reference decoder: the escapes back into bytes. */
static size_t
unescape(const char *s, unsigned char *b)
{
	size_t n = 0;
	unsigned v;

	while (*s != '\0') {
		if (*s != '\\') {
			b[n++] = (unsigned char)*s++;
			continue;
		}
		s++;
		switch (*s) {
		case 'n': b[n++] = '\n'; s++; break;
		case 'r': b[n++] = '\r'; s++; break;
		case 't': b[n++] = '\t'; s++; break;
		case 'x':
			ck_assert_int_eq(sscanf(s + 1, "%2x", &v), 1);
			b[n++] = (unsigned char)v;
			s += 3;
			break;
		default:
			ck_assert_msg(*s == '"' || *s == '\\', "bad escape %c",
			    *s);
			b[n++] = (unsigned char)*s++;
		}
	}
	return n;
}

START_TEST(test_round_trip)
{
	unsigned char all[256], back[256];
	char big[ESCAPE_LEN(256)];
	size_t i;

	for (i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	escape_log(all, sizeof(all), big, sizeof(big));
	ck_assert_uint_eq(unescape(big, back), 256);
	ck_assert_mem_eq(all, back, 256);
	for (i = 0; big[i] != '\0'; i++)
		ck_assert(big[i] > ' ' && big[i] < 0x7f);
}
END_TEST

START_TEST(test_truncation)
{
	const char *in = "ab\ncd\x80" "ef";
	char full[64], buf[64 + 8];
	unsigned char back[64];
	size_t size, len, n;

	escape_log_str(in, full, sizeof(full));
	for (size = 1; size <= strlen(full) + 1; size++) {
		memset(buf, '#', sizeof(buf));
		escape_log_str(in, buf, size);
		len = strlen(buf);
		ck_assert_uint_lt(len, size);
		ck_assert_int_eq(buf[size], '#');	/* no overrun */
		if (size == strlen(full) + 1) {
			ck_assert_str_eq(buf, full);
			continue;
		}
		if (size < 4) {
			ck_assert_str_eq(buf, "");
			continue;
		}
		/* A prefix of whole escapes, then "...". */
		ck_assert_str_eq(buf + len - 3, "...");
		ck_assert_int_eq(strncmp(buf, full, len - 3), 0);
		/* Whole escapes: they decode to a prefix of the input. */
		buf[len - 3] = '\0';
		n = unescape(buf, back);
		ck_assert_mem_eq(back, in, n);
	}
}
END_TEST

static Suite *
escape_suite(void)
{
	Suite *s = suite_create("escape");
	TCase *tc = tcase_create("escape");

	tcase_add_test(tc, test_plain);
	tcase_add_test(tc, test_escapes);
	tcase_add_test(tc, test_forged_line);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_truncation);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(escape_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
