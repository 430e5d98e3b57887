/*
 * check_control.c - unit tests for ctlproto.c (the control protocol's
 * pure part).
 *
 * Covered: request lines (every command, --json, ids with and without
 * the "c" of the log tag, whitespace and the newline, unknown commands,
 * wrong argument counts, bad ids, a line too long, reload --revoke and
 * its misspellings); JSON strings (quotes, backslashes, controls, bytes
 * >= 0x7f); the status, sessions and reload answers as text and as
 * JSON; the buffer growing past its first allocation.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "ctlproto.h"

static struct ctl_req
parse_ok(const char *line)
{
	struct ctl_req q;
	char err[200];

	ck_assert_msg(ctl_parse(line, &q, err, sizeof(err)) == 0,
	    "\"%s\": %s", line, err);
	return q;
}

START_TEST(test_parse_ok)
{
	struct ctl_req q;

	q = parse_ok("status\n");
	ck_assert_int_eq(q.cmd, CTL_STATUS);
	ck_assert(!q.json);
	q = parse_ok("--json status\r\n");
	ck_assert_int_eq(q.cmd, CTL_STATUS);
	ck_assert(q.json);
	q = parse_ok("  sessions  ");
	ck_assert_int_eq(q.cmd, CTL_SESSIONS);
	q = parse_ok("kill 42\n");
	ck_assert_int_eq(q.cmd, CTL_KILL_ID);
	ck_assert_uint_eq(q.id, 42);
	q = parse_ok("kill c7");
	ck_assert_uint_eq(q.id, 7);
	q = parse_ok("--json kill --user alice");
	ck_assert_int_eq(q.cmd, CTL_KILL_USER);
	ck_assert_str_eq(q.arg, "alice");
	q = parse_ok("reload");
	ck_assert_int_eq(q.cmd, CTL_RELOAD);
	ck_assert(!q.revoke);
	q = parse_ok("reload --revoke\n");
	ck_assert_int_eq(q.cmd, CTL_RELOAD);
	ck_assert(q.revoke);
	ck_assert(!q.json);
	q = parse_ok("--json reload --revoke");
	ck_assert(q.revoke && q.json);
	q = parse_ok("status");
	ck_assert(!q.revoke);
	q = parse_ok("quota");
	ck_assert_int_eq(q.cmd, CTL_QUOTA);
	ck_assert_str_eq(q.arg, "");
	q = parse_ok("quota bob");
	ck_assert_str_eq(q.arg, "bob");
}
END_TEST

static const char *const bad[] = {
	"", "\n", "   ", "--json", "bogus", "status extra", "sessions x",
	"kill", "kill 0", "kill -3", "kill 12x", "kill c", "kill --user",
	"kill --user a b", "reload now", "quota a b",
	"kill 99999999999999999999999", "--json --json status",
	"kill --usr alice", "reload --revok", "reload --revoke x",
	"reload --revoke --revoke", "--revoke reload", "reload revoke",
	"reload --REVOKE",
};

START_TEST(test_parse_bad)
{
	struct ctl_req q;
	char err[200];

	err[0] = '\0';
	ck_assert_msg(ctl_parse(bad[_i], &q, err, sizeof(err)) == -1,
	    "\"%s\" accepted", bad[_i]);
	ck_assert(err[0] != '\0');
}
END_TEST

START_TEST(test_parse_long)
{
	char line[CTL_LINE_MAX + 10], err[200];
	struct ctl_req q;

	memset(line, 'a', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	ck_assert_int_eq(ctl_parse(line, &q, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "request too long");
}
END_TEST

static char *
json(const char *s)
{
	static char out[256];
	struct ctl_buf b = { 0 };

	ctl_json_str(&b, s);
	ck_assert(!b.failed);
	ck_assert_uint_lt(b.len, sizeof(out));
	memcpy(out, b.p, b.len);
	out[b.len] = '\0';
	ctl_buf_free(&b);
	return out;
}

START_TEST(test_json_str)
{
	ck_assert_str_eq(json(""), "\"\"");
	ck_assert_str_eq(json("plain"), "\"plain\"");
	ck_assert_str_eq(json("a\"b\\c"), "\"a\\\"b\\\\c\"");
	ck_assert_str_eq(json("\n\t\x01\x1f"), "\"\\n\\t\\u0001\\u001f\"");
	ck_assert_str_eq(json("\x7f\xc3\xa9"), "\"\\u007f\\u00c3\\u00a9\"");
}
END_TEST

START_TEST(test_status)
{
	struct ctl_status s = { "1.2.3", 65, 2, 10, 4, 1, 100, 2000 };
	struct ctl_buf b = { 0 };

	ctl_fmt_status(&b, &s, false);
	ctl_printf(&b, "%c", '\0');
	ck_assert_str_eq(b.p, "version: 1.2.3\nuptime: 65 s\n"
	    "relays active: 2\nrelays total: 10\nlogins ok: 4\n"
	    "logins failed: 1\nbytes up: 100\nbytes down: 2000\n");
	ctl_buf_free(&b);
	ctl_fmt_status(&b, &s, true);
	ctl_printf(&b, "%c", '\0');
	ck_assert_str_eq(b.p, "{\"version\":\"1.2.3\",\"uptime\":65,"
	    "\"relays_active\":2,\"relays_total\":10,\"logins_ok\":4,"
	    "\"logins_failed\":1,\"bytes_up\":100,\"bytes_down\":2000}\n");
	ctl_buf_free(&b);
}
END_TEST

START_TEST(test_sessions)
{
	struct registry_info *v = calloc(2, sizeof(*v));
	struct ctl_buf b = { 0 };

	ck_assert_ptr_nonnull(v);
	v[0].id = 3;
	strcpy(v[0].client, "127.0.0.1:5000");
	strcpy(v[0].user, "sam");
	strcpy(v[0].dest, "example.org:443");
	strcpy(v[0].connected, "[2001:db8::1]:443");
	v[0].cmd = 0x01;
	v[0].rule = 0;
	v[0].up = 8;
	v[0].down = 9;
	v[0].start = 1000;
	v[1].id = 4;
	strcpy(v[1].client, "[::1]:6000");
	strcpy(v[1].dest, "a\"b");
	v[1].cmd = -1;
	v[1].rule = -1;
	v[1].start = 5000;
	ctl_fmt_sessions(&b, v, 2, 11000, false);
	ctl_printf(&b, "%c", '\0');
	ck_assert_msg(strstr(b.p, "\nc3 ") != NULL, "%s", b.p);
	ck_assert_msg(strstr(b.p, " sam ") != NULL, "%s", b.p);
	ck_assert_msg(strstr(b.p, " example.org:443 ") != NULL, "%s", b.p);
	ck_assert_msg(strstr(b.p, " connect  1 ") != NULL, "%s", b.p);
	ck_assert_msg(strstr(b.p, " 8            9 10\n") != NULL, "%s", b.p);
	ck_assert_msg(strstr(b.p, "\nc4       -   ") != NULL, "%s", b.p);
	ctl_buf_free(&b);
	ctl_fmt_sessions(&b, v, 2, 11000, true);
	ctl_printf(&b, "%c", '\0');
	ck_assert_str_eq(b.p, "{\"sessions\":[{\"id\":3,\"user\":\"sam\","
	    "\"client\":\"127.0.0.1:5000\",\"dest\":\"example.org:443\","
	    "\"connected\":\"[2001:db8::1]:443\",\"cmd\":\"connect\","
	    "\"rule\":1,\"bytes_up\":8,\"bytes_down\":9,\"age\":10},"
	    "{\"id\":4,\"user\":\"\",\"client\":\"[::1]:6000\","
	    "\"dest\":\"a\\\"b\",\"connected\":\"\",\"cmd\":\"-\","
	    "\"rule\":null,\"bytes_up\":0,\"bytes_down\":0,\"age\":6}]}\n");
	ctl_buf_free(&b);
	ctl_fmt_sessions(&b, NULL, 0, 0, true);
	ctl_printf(&b, "%c", '\0');
	ck_assert_str_eq(b.p, "{\"sessions\":[]}\n");
	ctl_buf_free(&b);
	free(v);
}
END_TEST

START_TEST(test_message_and_growth)
{
	struct ctl_buf b = { 0 };
	size_t i;

	ctl_fmt_message(&b, false, "no \"such\" session", true);
	ctl_printf(&b, "%c", '\0');
	ck_assert_str_eq(b.p, "{\"ok\":false,\"message\":"
	    "\"no \\\"such\\\" session\"}\n");
	ctl_buf_free(&b);
	ctl_fmt_message(&b, true, "fine", false);
	ck_assert_uint_eq(b.len, 5);
	ctl_buf_free(&b);
	for (i = 0; i < 5000; i++)
		ctl_printf(&b, "%s", "0123456789");
	ck_assert(!b.failed);
	ck_assert_uint_eq(b.len, 50000);
	ck_assert(memcmp(b.p + 49990, "0123456789", 10) == 0);
	ctl_buf_free(&b);
}
END_TEST

/* The reload answer: "revoked" in JSON only for reload --revoke. */
START_TEST(test_reload_answer)
{
	struct ctl_buf b = { 0 };

	ctl_fmt_reload(&b, true, "configuration reloaded", 2, true);
	ctl_printf(&b, "%c", '\0');
	ck_assert_str_eq(b.p, "{\"ok\":true,\"message\":"
	    "\"configuration reloaded\",\"revoked\":2}\n");
	ctl_buf_free(&b);
	ctl_fmt_reload(&b, false, "reload failed", 0, true);
	ctl_printf(&b, "%c", '\0');
	ck_assert_str_eq(b.p, "{\"ok\":false,\"message\":"
	    "\"reload failed\",\"revoked\":0}\n");
	ctl_buf_free(&b);
	ctl_fmt_reload(&b, true, "configuration reloaded", -1, true);
	ctl_printf(&b, "%c", '\0');
	ck_assert_str_eq(b.p, "{\"ok\":true,\"message\":"
	    "\"configuration reloaded\"}\n");
	ctl_buf_free(&b);
	ctl_fmt_reload(&b, true, "configuration reloaded; 2 relays revoked",
	    2, false);
	ctl_printf(&b, "%c", '\0');
	ck_assert_str_eq(b.p, "configuration reloaded; 2 relays revoked\n");
	ctl_buf_free(&b);
}
END_TEST

static Suite *
control_suite(void)
{
	Suite *s = suite_create("control");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_parse_ok);
	tcase_add_loop_test(tc, test_parse_bad, 0,
	    (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, test_parse_long);
	tcase_add_test(tc, test_json_str);
	tcase_add_test(tc, test_status);
	tcase_add_test(tc, test_sessions);
	tcase_add_test(tc, test_message_and_growth);
	tcase_add_test(tc, test_reload_answer);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(control_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
