/*
 * check_hostsfile.c - unit tests for the pure part of the Socks Lib's
 * /etc/hosts cache (preload/hostsfile.h).
 *
 * Covered: hostsfile_due (never looked, within and past the interval,
 * a clock that went backwards); hostsfile_same (each field of the stamp
 * on its own, the all-zero stamp of a missing file); snapshots: text
 * copied and terminated, names found and not found (aliases, comments),
 * an empty or NULL snapshot has no names, a NULL text gives zeroed room
 * for the caller to fill and shorten, the size limit, references (a
 * snapshot outlives the first unref while another is held; NULL is
 * accepted everywhere).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "hostsfile.h"

static const char hosts_text[] =
    "127.0.0.1\tlocalhost\n"
    "# 10.0.0.9 commented.example\n"
    "192.0.2.7 printer.lan printer  # the office printer\n"
    "2001:db8::5 v6host.example\n";

static struct hostsfile_stamp
stamp(uint64_t ino, int64_t size, int64_t mtime)
{
	struct hostsfile_stamp s;

	memset(&s, 0, sizeof(s));
	s.dev = 8;
	s.ino = ino;
	s.size = size;
	s.mtime_ns = mtime;
	s.ctime_ns = mtime;
	return s;
}

START_TEST(test_due)
{
	ck_assert(hostsfile_due(0, 5));
	ck_assert(!hostsfile_due(10000, 10000));
	ck_assert(!hostsfile_due(10000, 10000 + HOSTSFILE_RECHECK_MS - 1));
	ck_assert(hostsfile_due(10000, 10000 + HOSTSFILE_RECHECK_MS));
	ck_assert(hostsfile_due(10000, 20000));
	/* Backwards: look again rather than trust a stale snapshot. */
	ck_assert(hostsfile_due(10000, 9000));
}
END_TEST

START_TEST(test_same)
{
	struct hostsfile_stamp a = stamp(42, 100, 7), b, none, none2;

	b = a;
	ck_assert(hostsfile_same(&a, &b));
	b.dev++;
	ck_assert(!hostsfile_same(&a, &b));
	b = a;
	b.ino++;
	ck_assert(!hostsfile_same(&a, &b));
	b = a;
	b.size++;
	ck_assert(!hostsfile_same(&a, &b));
	b = a;
	b.mtime_ns++;
	ck_assert(!hostsfile_same(&a, &b));
	b = a;
	b.ctime_ns++;
	ck_assert(!hostsfile_same(&a, &b));
	memset(&none, 0, sizeof(none));
	memset(&none2, 0, sizeof(none2));
	ck_assert(hostsfile_same(&none, &none2));
	ck_assert(!hostsfile_same(&none, &a));
}
END_TEST

START_TEST(test_snap_names)
{
	struct hostsfile_stamp st = stamp(1, sizeof(hosts_text) - 1, 1);
	struct hostsfile_snap *s;

	s = hostsfile_snap_new(&st, hosts_text, strlen(hosts_text));
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->len, strlen(hosts_text));
	ck_assert_int_eq(s->text[s->len], '\0');
	ck_assert(hostsfile_same(&s->stamp, &st));
	ck_assert(hostsfile_snap_has(s, "printer.lan"));
	ck_assert(hostsfile_snap_has(s, "PRINTER"));
	ck_assert(hostsfile_snap_has(s, "v6host.example."));
	ck_assert(!hostsfile_snap_has(s, "commented.example"));
	ck_assert(!hostsfile_snap_has(s, "office"));
	ck_assert(!hostsfile_snap_has(s, "example.org"));
	hostsfile_snap_unref(s);
}
END_TEST

START_TEST(test_snap_empty)
{
	struct hostsfile_stamp none;
	struct hostsfile_snap *s;

	memset(&none, 0, sizeof(none));
	ck_assert(!hostsfile_snap_has(NULL, "localhost"));
	s = hostsfile_snap_new(&none, NULL, 0);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->len, 0);
	ck_assert(!hostsfile_snap_has(s, "localhost"));
	hostsfile_snap_unref(s);
	hostsfile_snap_unref(NULL);
	ck_assert_ptr_null(hostsfile_snap_ref(NULL));
}
END_TEST

START_TEST(test_snap_fill)
{
	struct hostsfile_stamp st = stamp(2, 64, 2);
	struct hostsfile_snap *s;
	const char line[] = "192.0.2.1 filled.example\n";
	size_t i;

	s = hostsfile_snap_new(&st, NULL, 64);
	ck_assert_ptr_nonnull(s);
	for (i = 0; i <= 64; i++)
		ck_assert_int_eq(s->text[i], '\0');
	/* The file came shorter than its size said: the caller says so. */
	memcpy(s->text, line, sizeof(line) - 1);
	s->len = sizeof(line) - 1;
	ck_assert(hostsfile_snap_has(s, "filled.example"));
	hostsfile_snap_unref(s);
}
END_TEST

START_TEST(test_snap_limit)
{
	struct hostsfile_stamp st = stamp(3, 1, 3);

	ck_assert_ptr_null(hostsfile_snap_new(&st, NULL, HOSTSFILE_MAX + 1));
}
END_TEST

START_TEST(test_snap_refs)
{
	struct hostsfile_stamp st = stamp(4, 10, 4);
	struct hostsfile_snap *s, *r;

	s = hostsfile_snap_new(&st, hosts_text, strlen(hosts_text));
	ck_assert_ptr_nonnull(s);
	r = hostsfile_snap_ref(s);
	ck_assert_ptr_eq(r, s);
	ck_assert_uint_eq(atomic_load(&s->refs), 2);
	hostsfile_snap_unref(s);
	/* Still held by r: readable (valgrind and ASan would object). */
	ck_assert(hostsfile_snap_has(r, "localhost"));
	hostsfile_snap_unref(r);
}
END_TEST

static Suite *
hostsfile_suite(void)
{
	Suite *s = suite_create("hostsfile");
	TCase *tc;

	tc = tcase_create("stamp");
	tcase_add_test(tc, test_due);
	tcase_add_test(tc, test_same);
	suite_add_tcase(s, tc);

	tc = tcase_create("snapshot");
	tcase_add_test(tc, test_snap_names);
	tcase_add_test(tc, test_snap_empty);
	tcase_add_test(tc, test_snap_fill);
	tcase_add_test(tc, test_snap_limit);
	tcase_add_test(tc, test_snap_refs);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(hostsfile_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
