/*
 * check_statefile.c - unit tests for statefile.c (the quota state file).
 *
 * Covered: a round trip of records with odd bytes in their names (space,
 * '%', controls, UTF-8) and extreme numbers; the empty file; every
 * truncation of a good file refused (and no record handed over); a
 * flipped byte, data after the end, a wrong count, a bad magic, garbage,
 * an overflowing number, a NUL escape; save + load through a directory
 * (no temporary left behind, mode 0600), a missing file (1), a symlink
 * and a directory refused.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <check.h>

#include "statefile.h"

struct got {
	size_t	 n;
	char	 rule[8][STATEFILE_FIELD_MAX + 1];
	char	 subject[8][STATEFILE_FIELD_MAX + 1];
	int64_t	 start[8];
	uint64_t used[8];
};

static void
collect(void *arg, const char *rule, const char *subject, int64_t start,
    uint64_t used)
{
	struct got *g = arg;

	if (g->n < 8) {
		snprintf(g->rule[g->n], sizeof(g->rule[0]), "%s", rule);
		snprintf(g->subject[g->n], sizeof(g->subject[0]), "%s",
		    subject);
		g->start[g->n] = start;
		g->used[g->n] = used;
	}
	g->n++;
}

static const char *const rules[] = { "#1", "staff 100%", "r\ttab" };
static const char *const subjects[] = { "sam", "ann smith", "\xc3\xa9l\x01" };
static const int64_t starts[] = { 0, 1764547200, INT64_MAX };
static const uint64_t useds[] = { 0, 5000000000ULL, UINT64_MAX };

static void
build(struct statefile_buf *b)
{
	size_t i;

	statefile_buf_init(b);
	for (i = 0; i < 3; i++)
		statefile_add(b, rules[i], subjects[i], starts[i], useds[i]);
	ck_assert_int_eq(statefile_finish(b), 0);
}

START_TEST(test_round_trip)
{
	struct statefile_buf b;
	struct got g = { 0 };
	char err[256];
	size_t i;

	build(&b);
	ck_assert_int_eq(statefile_decode(b.p, b.len, collect, &g, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(g.n, 3);
	for (i = 0; i < 3; i++) {
		ck_assert_str_eq(g.rule[i], rules[i]);
		ck_assert_str_eq(g.subject[i], subjects[i]);
		ck_assert(g.start[i] == starts[i]);
		ck_assert(g.used[i] == useds[i]);
	}
	/* Nothing in the file can split a line or a field. */
	ck_assert_ptr_null(memchr(b.p, '\t', b.len));
	statefile_buf_free(&b);
}
END_TEST

START_TEST(test_empty_and_skipped)
{
	struct statefile_buf b;
	struct got g = { 0 };
	char err[256], big[STATEFILE_FIELD_MAX + 2];

	statefile_buf_init(&b);
	statefile_add(&b, "", "sam", 1, 2);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	statefile_add(&b, "#1", big, 1, 2);
	ck_assert_int_eq(statefile_finish(&b), 0);
	ck_assert_int_eq(statefile_decode(b.p, b.len, collect, &g, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(g.n, 0);
	statefile_buf_free(&b);
}
END_TEST

START_TEST(test_every_truncation)
{
	struct statefile_buf b;
	struct got g = { 0 };
	char err[256];
	size_t len;

	build(&b);
	for (len = 0; len < b.len; len++) {
		ck_assert_msg(statefile_decode(b.p, len, collect, &g, err,
		    sizeof(err)) == -1, "accepted when cut to %zu bytes", len);
		ck_assert_uint_eq(g.n, 0);
		ck_assert(strncmp(err, "line ", 5) == 0);
	}
	statefile_buf_free(&b);
}
END_TEST

START_TEST(test_every_flipped_byte)
{
	struct statefile_buf b;
	struct got g = { 0 };
	char err[256];
	size_t i;

	build(&b);
	for (i = 0; i < b.len; i++) {
		b.p[i] ^= 0x01;
		ck_assert_msg(statefile_decode(b.p, b.len, collect, &g, err,
		    sizeof(err)) == -1, "accepted with byte %zu altered", i);
		b.p[i] ^= 0x01;
	}
	ck_assert_uint_eq(g.n, 0);
	statefile_buf_free(&b);
}
END_TEST

static const char *const bad[] = {
	"",
	"garbage\n",
	"sixgate-state 2\nend 0 0000000000000000\n",
	"sixgate-state 1\n",
	"sixgate-state 1\nend 1 0000000000000000\n",
	"sixgate-state 1\nq 1 2 #1\nend 1 0000000000000000\n",
	"sixgate-state 1\nq -1 2 #1 sam\nend 1 0000000000000000\n",
	"sixgate-state 1\nq 1 99999999999999999999 #1 sam\nend 1 0\n",
	"sixgate-state 1\nq 1 2 #1 s%00m\nend 1 0000000000000000\n",
	"sixgate-state 1\nq 1 2 #1 s%4\nend 1 0000000000000000\n",
	"sixgate-state 1\nq 1 2  sam\nend 1 0000000000000000\n",
	"\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
};

START_TEST(test_bad)
{
	struct got g = { 0 };
	const char *s = bad[_i];
	size_t len = _i == (int)(sizeof(bad) / sizeof(bad[0])) - 1 ? 20 :
	    strlen(s);
	char err[256];

	ck_assert_int_eq(statefile_decode(s, len, collect, &g, err,
	    sizeof(err)), -1);
	ck_assert_uint_eq(g.n, 0);
	ck_assert(err[0] != '\0');
}
END_TEST

START_TEST(test_trailing_data)
{
	struct statefile_buf b;
	struct got g = { 0 };
	char err[256];

	build(&b);
	b.p[b.len] = 'x';	/* finish leaves room: its reserve is 64 */
	ck_assert_int_eq(statefile_decode(b.p, b.len + 1, collect, &g, err,
	    sizeof(err)), -1);
	ck_assert(strstr(err, "after the end") != NULL);
	statefile_buf_free(&b);
}
END_TEST

static char *
tmpdir(void)
{
	char *d = strdup("/tmp/check_statefile.XXXXXX");

	ck_assert_ptr_nonnull(d);
	ck_assert_ptr_nonnull(mkdtemp(d));
	return d;
}

static void
cleanup(const char *d)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", d, STATEFILE_NAME);
	unlink(p);
	rmdir(p);
	snprintf(p, sizeof(p), "%s/%s.tmp", d, STATEFILE_NAME);
	unlink(p);
	rmdir(d);
}

START_TEST(test_save_load)
{
	struct statefile_buf b;
	struct got g = { 0 };
	char err[256], p[512];
	struct stat st;
	char *d = tmpdir();

	ck_assert_int_eq(statefile_load(d, collect, &g, err, sizeof(err)), 1);
	build(&b);
	ck_assert_int_eq(statefile_save(d, &b, err, sizeof(err)), 0);
	/* Saved twice: the second replaces the first. */
	ck_assert_int_eq(statefile_save(d, &b, err, sizeof(err)), 0);
	snprintf(p, sizeof(p), "%s/%s", d, STATEFILE_NAME);
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	snprintf(p, sizeof(p), "%s/%s.tmp", d, STATEFILE_NAME);
	ck_assert_int_eq(access(p, F_OK), -1);
	ck_assert_int_eq(statefile_load(d, collect, &g, err, sizeof(err)), 0);
	ck_assert_uint_eq(g.n, 3);
	ck_assert_str_eq(g.subject[1], "ann smith");
	statefile_buf_free(&b);
	cleanup(d);
	free(d);
}
END_TEST

START_TEST(test_load_refused)
{
	struct statefile_buf b;
	struct got g = { 0 };
	char err[256], p[512];
	char *d = tmpdir();
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", d, STATEFILE_NAME);
	ck_assert_int_eq(symlink("/etc/passwd", p), 0);
	ck_assert_int_eq(statefile_load(d, collect, &g, err, sizeof(err)), -1);
	ck_assert_int_eq(unlink(p), 0);
	ck_assert_int_eq(mkdir(p, 0700), 0);
	ck_assert_int_eq(statefile_load(d, collect, &g, err, sizeof(err)), -1);
	ck_assert(strstr(err, "not a regular file") != NULL);
	/* Saving over a directory fails cleanly, leaving no temporary. */
	build(&b);
	ck_assert_int_eq(statefile_save(d, &b, err, sizeof(err)), -1);
	ck_assert_int_eq(rmdir(p), 0);
	/* A truncated file on disk: refused with the reason. */
	ck_assert_ptr_nonnull(f = fopen(p, "w"));
	fwrite(b.p, 1, b.len / 2, f);
	fclose(f);
	ck_assert_int_eq(statefile_load(d, collect, &g, err, sizeof(err)), -1);
	ck_assert(strstr(err, STATEFILE_NAME) != NULL);
	ck_assert_uint_eq(g.n, 0);
	statefile_buf_free(&b);
	cleanup(d);
	free(d);
}
END_TEST

static Suite *
statefile_suite(void)
{
	Suite *s = suite_create("statefile");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_empty_and_skipped);
	tcase_add_test(tc, test_every_truncation);
	tcase_add_test(tc, test_every_flipped_byte);
	tcase_add_loop_test(tc, test_bad, 0,
	    (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, test_trailing_data);
	tcase_add_test(tc, test_save_load);
	tcase_add_test(tc, test_load_refused);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(statefile_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
