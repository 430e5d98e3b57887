/*
 * check_pwfile.c - unit tests for src/pwfile.c, the one reader of
 * password files (upstream hops, the Socks Lib and its wrapper).
 *
 * Covered, on real files in a temporary directory: the first line (LF,
 * CR LF, no newline, spaces kept), the longest password that fits and
 * one byte more, a first line longer than anything read, an empty file
 * and a file of only a newline, a NUL byte in the password; the mode
 * masks 007 and 077 with every permission bit of group and others; the
 * owner check; a relative path, a missing file, a directory, a symbolic
 * link (refused even when it points at a good file), a FIFO (refused at
 * once, never waited on); the password never in the reason; out wiped
 * on failure.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "pwfile.h"

static char dir[] = "/tmp/check_pwfile.XXXXXX";
static char path[512];

static void
setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
teardown(void)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	memcpy(dir + strlen(dir) - 6, "XXXXXX", 6);
}

/* A file of len bytes in the temporary directory, mode as given. */
static const char *
make_file(const char *name, const char *text, size_t len, mode_t mode)
{
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	(void)unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
	return path;
}

static void
expect_ok(const char *text, size_t len, mode_t mode, mode_t forbid,
    const char *want)
{
	char out[256], why[160] = "";

	make_file("pw", text, len, mode);
	ck_assert_msg(pwfile_read(path, forbid, PWFILE_ANY_OWNER, out,
	    sizeof(out), why, sizeof(why)) == 0, "mode %o refused: %s",
	    (unsigned)mode, why);
	ck_assert_str_eq(out, want);
}

/* Refused, with needle (if any) in the reason and no secret in it. */
static void
expect_refused(const char *p, mode_t forbid, uid_t owner, const char *needle)
{
	char out[256], why[160] = "";
	size_t i;

	memset(out, 'x', sizeof(out));
	ck_assert_msg(pwfile_read(p, forbid, owner, out, sizeof(out), why,
	    sizeof(why)) == -1, "%s accepted", p);
	ck_assert_int_ne(errno, 0);
	ck_assert_msg(why[0] != '\0', "no reason given");
	if (needle != NULL)
		ck_assert_msg(strstr(why, needle) != NULL, "reason \"%s\" "
		    "lacks \"%s\"", why, needle);
	ck_assert_msg(strstr(why, "hunter2") == NULL, "reason \"%s\" shows "
	    "the password", why);
	for (i = 0; i < sizeof(out); i++)
		ck_assert_int_eq(out[i], 0);
}

START_TEST(test_first_line)
{
	expect_ok("hunter2\n", 8, 0600, 077, "hunter2");
	expect_ok("hunter2", 7, 0600, 077, "hunter2");
	expect_ok("crlf\r\nnext\r\n", 12, 0600, 077, "crlf");
	expect_ok("first\nsecond\n", 13, 0400, 077, "first");
	expect_ok(" spaces kept \n", 14, 0600, 077, " spaces kept ");
	expect_ok("a\rb\n", 4, 0600, 077, "a\rb");
}
END_TEST

START_TEST(test_lengths)
{
	char text[700], out[256], why[160];

	/* 255 bytes fit a 256-byte buffer; 256 do not. */
	memset(text, 'p', 255);
	text[255] = '\n';
	make_file("pw", text, 256, 0600);
	ck_assert_int_eq(pwfile_read(path, 077, PWFILE_ANY_OWNER, out,
	    sizeof(out), why, sizeof(why)), 0);
	ck_assert_uint_eq(strlen(out), 255);
	memset(text, 'p', 256);
	text[256] = '\n';
	expect_refused(make_file("pw", text, 257, 0600), 077,
	    PWFILE_ANY_OWNER, "longer than 255");
	/* Longer than anything read: still refused, not cut. */
	memset(text, 'p', sizeof(text));
	expect_refused(make_file("pw", text, sizeof(text), 0600), 077,
	    PWFILE_ANY_OWNER, "longer than");
	expect_refused(make_file("pw", "", 0, 0600), 077, PWFILE_ANY_OWNER,
	    "empty");
	expect_refused(make_file("pw", "\n", 1, 0600), 077, PWFILE_ANY_OWNER,
	    "empty");
	expect_refused(make_file("pw", "\r\n", 2, 0600), 077,
	    PWFILE_ANY_OWNER, "empty");
	/* secret\0junk must not log in as "secret". */
	expect_refused(make_file("pw", "hunter2\0junk\n", 13, 0600), 077,
	    PWFILE_ANY_OWNER, "NUL");
}
END_TEST

START_TEST(test_modes)
{
	static const mode_t others[] = { 0604, 0602, 0601, 0666, 0777 };
	static const mode_t group[] = { 0640, 0620, 0610, 0660 };
	size_t i;

	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		expect_refused(make_file("pw", "hunter2\n", 8, others[i]), 007,
		    PWFILE_ANY_OWNER, "chmod");
		expect_refused(make_file("pw", "hunter2\n", 8, others[i]), 077,
		    PWFILE_ANY_OWNER, "chmod");
	}
	for (i = 0; i < sizeof(group) / sizeof(group[0]); i++) {
		/* The daemon's hop files may be read by its group... */
		expect_ok("hunter2\n", 8, group[i], 007, "hunter2");
		/* ...a user's own may not. */
		expect_refused(make_file("pw", "hunter2\n", 8, group[i]), 077,
		    PWFILE_ANY_OWNER, "chmod 600");
	}
}
END_TEST

START_TEST(test_owner)
{
	char out[64], why[160];

	make_file("pw", "hunter2\n", 8, 0600);
	ck_assert_int_eq(pwfile_read(path, 077, getuid(), out, sizeof(out),
	    why, sizeof(why)), 0);
	expect_refused(path, 077, getuid() + 1, "belongs to uid");
}
END_TEST

START_TEST(test_not_a_file)
{
	char target[600];

	expect_refused("relative/pw", 077, PWFILE_ANY_OWNER, "absolute");
	snprintf(path, sizeof(path), "%s/missing", dir);
	expect_refused(path, 077, PWFILE_ANY_OWNER, NULL);
	expect_refused(dir, 077, PWFILE_ANY_OWNER, "regular");
	/* A symbolic link, even to a good file. */
	snprintf(target, sizeof(target), "%s",
	    make_file("good", "hunter2\n", 8, 0600));
	snprintf(path, sizeof(path), "%s/link", dir);
	ck_assert_int_eq(symlink(target, path), 0);
	expect_refused(path, 077, PWFILE_ANY_OWNER, "symbolic link");
	/* A FIFO with no writer: refused at once, never waited on. */
	snprintf(path, sizeof(path), "%s/fifo", dir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	expect_refused(path, 077, PWFILE_ANY_OWNER, "regular");
}
END_TEST

static Suite *
pwfile_suite(void)
{
	Suite *s = suite_create("pwfile");
	TCase *tc = tcase_create("pwfile");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_first_line);
	tcase_add_test(tc, test_lengths);
	tcase_add_test(tc, test_modes);
	tcase_add_test(tc, test_owner);
	tcase_add_test(tc, test_not_a_file);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(pwfile_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
