/*
 * check_notify.c - unit tests for src/notify.c (the sd_notify protocol).
 *
 * Covered: $NOTIFY_SOCKET parsing (a path with its terminating NUL in
 * the length, "@name" as an abstract address with a leading NUL and no
 * terminator, relative, empty, "@" alone, "vsock:" and over-long values
 * refused); STATUS cleaning (newlines and other control bytes become
 * spaces, truncation terminates); end to end on a datagram socket: no
 * $NOTIFY_SOCKET means nothing is sent; with it (path, then abstract)
 * the variable leaves the environment and READY=1 with STATUS,
 * RELOADING=1 with MONOTONIC_USEC, a reload failure in STATUS (one
 * line) and STOPPING=1 arrive, one datagram each.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "notify.h"

#define SUN_OFF	offsetof(struct sockaddr_un, sun_path)

START_TEST(test_parse_path)
{
	struct sockaddr_un sun;
	socklen_t len;

	ck_assert_int_eq(notify_addr_parse("/run/systemd/notify", &sun,
	    &len), 0);
	ck_assert_int_eq(sun.sun_family, AF_UNIX);
	ck_assert_str_eq(sun.sun_path, "/run/systemd/notify");
	ck_assert_uint_eq(len, SUN_OFF + strlen("/run/systemd/notify") + 1);
}
END_TEST

START_TEST(test_parse_abstract)
{
	struct sockaddr_un sun;
	socklen_t len;

	ck_assert_int_eq(notify_addr_parse("@sd/notify-1", &sun, &len), 0);
	ck_assert_int_eq(sun.sun_path[0], '\0');
	ck_assert_int_eq(memcmp(sun.sun_path + 1, "sd/notify-1", 11), 0);
	ck_assert_uint_eq(len, SUN_OFF + 1 + 11);
}
END_TEST

START_TEST(test_parse_bad)
{
	struct sockaddr_un sun;
	socklen_t len;
	char big[sizeof(sun.sun_path) + 2];

	ck_assert_int_eq(notify_addr_parse(NULL, &sun, &len), -1);
	ck_assert_int_eq(notify_addr_parse("", &sun, &len), -1);
	ck_assert_int_eq(notify_addr_parse("@", &sun, &len), -1);
	ck_assert_int_eq(notify_addr_parse("/", &sun, &len), -1);
	ck_assert_int_eq(notify_addr_parse("run/notify", &sun, &len), -1);
	ck_assert_int_eq(notify_addr_parse("vsock:2:1234", &sun, &len), -1);
	memset(big, 'x', sizeof(big) - 1);
	big[0] = '/';
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(notify_addr_parse(big, &sun, &len), -1);
	/* The longest that fits: sun_path minus the terminator. */
	big[sizeof(sun.sun_path) - 1] = '\0';
	ck_assert_int_eq(notify_addr_parse(big, &sun, &len), 0);
}
END_TEST

START_TEST(test_clean)
{
	char out[16];

	ck_assert_str_eq(notify_clean("a:1: bad\nREADY=1", out, sizeof(out)),
	    "a:1: bad READY=");
	ck_assert_str_eq(notify_clean("t\tx\x7f\x01y", out, sizeof(out)),
	    "t x  y");
	ck_assert_str_eq(notify_clean("", out, sizeof(out)), "");
	ck_assert_str_eq(notify_clean("abc", out, 1), "");
}
END_TEST

/* The next datagram on fd, as a string ("" if none within 2 s). */
static const char *
next_msg(int fd)
{
	static char buf[2048];
	struct timeval tv = { 2, 0 };
	ssize_t n;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* One run against a socket bound to name ("/path" or "@abstract"). */
static void
run_protocol(const char *name)
{
	struct sockaddr_un sun;
	socklen_t len;
	const char *m;
	int fd;

	ck_assert_int_eq(notify_addr_parse(name, &sun, &len), 0);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, len), 0);

	ck_assert_int_eq(setenv("NOTIFY_SOCKET", name, 1), 0);
	ck_assert(notify_init());
	ck_assert(notify_enabled());
	ck_assert_ptr_null(getenv("NOTIFY_SOCKET"));

	notify_ready();
	ck_assert_str_eq(next_msg(fd), "READY=1\nSTATUS=0 relays active");
	notify_reloading();
	m = next_msg(fd);
	ck_assert_msg(strncmp(m, "RELOADING=1\nMONOTONIC_USEC=", 27) == 0 &&
	    strtoull(m + 27, NULL, 10) > 0, "got \"%s\"", m);
	notify_reload_failed("/etc/x.conf:3: syntax error\nSTOPPING=1");
	notify_ready();
	ck_assert_str_eq(next_msg(fd), "READY=1\nSTATUS=reload failed: "
	    "/etc/x.conf:3: syntax error STOPPING=1; 0 relays active");
	notify_status("%d %s", 7, "up");
	ck_assert_str_eq(next_msg(fd), "STATUS=7 up");
	notify_stopping();
	ck_assert_str_eq(next_msg(fd), "STOPPING=1\nSTATUS=shutting down");
	close(fd);
}

START_TEST(test_protocol)
{
	char dir[] = "/tmp/check_notify.XXXXXX", path[64], abst[64];

	/* Without NOTIFY_SOCKET: nothing to do, nothing sent. */
	unsetenv("NOTIFY_SOCKET");
	ck_assert(!notify_init());
	ck_assert(!notify_enabled());
	notify_ready();
	notify_stopping();

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/notify", dir);
	run_protocol(path);
	unlink(path);
	rmdir(dir);

	snprintf(abst, sizeof(abst), "@check_notify/%ld", (long)getpid());
	run_protocol(abst);

	/* An unusable value: ignored, and removed all the same. */
	setenv("NOTIFY_SOCKET", "vsock:2:99", 1);
	ck_assert(!notify_init());
	ck_assert(!notify_enabled());
	ck_assert_ptr_null(getenv("NOTIFY_SOCKET"));
}
END_TEST

static Suite *
notify_suite(void)
{
	Suite *s = suite_create("notify");
	TCase *tc = tcase_create("notify");

	tcase_add_test(tc, test_parse_path);
	tcase_add_test(tc, test_parse_abstract);
	tcase_add_test(tc, test_parse_bad);
	tcase_add_test(tc, test_clean);
	tcase_add_test(tc, test_protocol);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(notify_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
