/*
 * ctlproto.c - the control protocol's pure part (see ctlproto.h).
 */
#include "sgconfig.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctlproto.h"
#include "escape.h"
#include "usage.h"

#define WS	" \t\r\n"

int
ctl_parse(const char *line, struct ctl_req *q, char *err, size_t errlen)
{
	char buf[CTL_LINE_MAX + 1], *save = NULL, *w[4], *t, *end;
	size_t n = 0;

	memset(q, 0, sizeof(*q));
	if (strlen(line) > CTL_LINE_MAX) {
		snprintf(err, errlen, "request too long");
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s", line);
	for (t = strtok_r(buf, WS, &save); t != NULL;
	    t = strtok_r(NULL, WS, &save)) {
		if (strcmp(t, "--json") == 0 && n == 0 && !q->json) {
			q->json = true;
			continue;
		}
		if (n == 4) {
			snprintf(err, errlen, "too many arguments");
			return -1;
		}
		w[n++] = t;
	}
	if (n == 0) {
		snprintf(err, errlen, "empty request");
		return -1;
	}
	if (strcmp(w[0], "status") == 0 && n == 1)
		q->cmd = CTL_STATUS;
	else if (strcmp(w[0], "sessions") == 0 && n == 1)
		q->cmd = CTL_SESSIONS;
	else if (strcmp(w[0], "reload") == 0 && (n == 1 ||
	    (n == 2 && strcmp(w[1], "--revoke") == 0))) {
		q->cmd = CTL_RELOAD;
		q->revoke = n == 2;
	}
	else if (strcmp(w[0], "quota") == 0 && n <= 2) {
		q->cmd = CTL_QUOTA;
		if (n == 2)
			snprintf(q->arg, sizeof(q->arg), "%s", w[1]);
	} else if (strcmp(w[0], "kill") == 0 && n == 3 &&
	    strcmp(w[1], "--user") == 0) {
		if (strlen(w[2]) >= sizeof(q->arg)) {
			snprintf(err, errlen, "user name too long");
			return -1;
		}
		q->cmd = CTL_KILL_USER;
		snprintf(q->arg, sizeof(q->arg), "%s", w[2]);
	} else if (strcmp(w[0], "kill") == 0 && n == 2) {
		t = w[1][0] == 'c' ? w[1] + 1 : w[1];
		errno = 0;
		q->id = strtoull(t, &end, 10);
		if (*t < '0' || *t > '9' || *end != '\0' || errno != 0 ||
		    q->id == 0) {
			snprintf(err, errlen, "kill: \"%.64s\" is not a "
			    "session id", w[1]);
			return -1;
		}
		q->cmd = CTL_KILL_ID;
	} else {
		snprintf(err, errlen, "unknown command or wrong arguments: "
		    "\"%.64s\"", w[0]);
		return -1;
	}
	return 0;
}

void
ctl_printf(struct ctl_buf *b, const char *fmt, ...)
{
	va_list ap;
	size_t want;
	char *np;
	int n;

	if (b->failed)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p != NULL ? b->p + b->len : NULL,
		    b->p != NULL ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->failed = true;
			return;
		}
		if (b->p != NULL && (size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		want = b->cap * 2 + (size_t)n + 256;
		if ((np = realloc(b->p, want)) == NULL) {
			b->failed = true;
			return;
		}
		b->p = np;
		b->cap = want;
	}
}

void
ctl_json_str(struct ctl_buf *b, const char *s)
{
	const unsigned char *u;

	ctl_printf(b, "\"");
	for (u = (const unsigned char *)s; *u != '\0'; u++) {
		if (*u == '"' || *u == '\\')
			ctl_printf(b, "\\%c", *u);
		else if (*u == '\n')
			ctl_printf(b, "\\n");
		else if (*u == '\t')
			ctl_printf(b, "\\t");
		else if (*u < 0x20 || *u >= 0x7f)
			/* Bytes, not UTF-8: each one its own code point. */
			ctl_printf(b, "\\u%04x", *u);
		else
			ctl_printf(b, "%c", *u);
	}
	ctl_printf(b, "\"");
}

void
ctl_buf_free(struct ctl_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

void
ctl_fmt_status(struct ctl_buf *b, const struct ctl_status *s, bool json)
{
	if (json) {
		ctl_printf(b, "{\"version\":");
		ctl_json_str(b, s->version);
		ctl_printf(b, ",\"uptime\":%" PRId64 ",\"relays_active\":%d,"
		    "\"relays_total\":%" PRIu64 ",\"logins_ok\":%" PRIu64
		    ",\"logins_failed\":%" PRIu64 ",\"bytes_up\":%" PRIu64
		    ",\"bytes_down\":%" PRIu64 "}\n", s->uptime_s,
		    s->relays_active, s->relays_total, s->logins_ok,
		    s->logins_failed, s->bytes_up, s->bytes_down);
		return;
	}
	ctl_printf(b, "version: %s\nuptime: %" PRId64 " s\n"
	    "relays active: %d\nrelays total: %" PRIu64 "\n"
	    "logins ok: %" PRIu64 "\nlogins failed: %" PRIu64 "\n"
	    "bytes up: %" PRIu64 "\nbytes down: %" PRIu64 "\n",
	    s->version, s->uptime_s, s->relays_active, s->relays_total,
	    s->logins_ok, s->logins_failed, s->bytes_up, s->bytes_down);
}

const char *
ctl_cmd_name(int s5cmd)
{
	switch (s5cmd) {
	case 0x01:
		return "connect";
	case 0x02:
		return "bind";
	case 0x03:
		return "udp";
	case 0xf0:
		return "resolve";
	case -1:
		return "-";
	default:
		return "other";
	}
}

static const char *
dash(const char *s)
{
	return s[0] != '\0' ? s : "-";
}

void
ctl_fmt_sessions(struct ctl_buf *b, const struct registry_info *v,
    size_t n, int64_t now, bool json)
{
	const struct registry_info *e;
	int64_t age;
	size_t i;

	if (json)
		ctl_printf(b, "{\"sessions\":[");
	else
		ctl_printf(b, "%-8s %-12s %-24s %-28s %-28s %-8s %-5s %12s "
		    "%12s %s\n", "ID", "USER", "CLIENT", "DEST", "CONNECTED",
		    "CMD", "RULE", "UP", "DOWN", "AGE");
	for (i = 0; i < n; i++) {
		e = &v[i];
		age = (now - e->start) / 1000;
		if (age < 0)
			age = 0;
		if (!json) {
			ctl_printf(b, "c%-7" PRIu64 " %-12s %-24s %-28s %-28s "
			    "%-8s ", e->id, dash(e->user), dash(e->client),
			    dash(e->dest), dash(e->connected),
			    ctl_cmd_name(e->cmd));
			if (e->rule >= 0)
				ctl_printf(b, "%-5d", e->rule + 1);
			else
				ctl_printf(b, "%-5s", "-");
			ctl_printf(b, " %12" PRIu64 " %12" PRIu64 " %" PRId64
			    "\n", e->up, e->down, age);
			continue;
		}
		ctl_printf(b, "%s{\"id\":%" PRIu64 ",\"user\":", i ? "," : "",
		    e->id);
		ctl_json_str(b, e->user);
		ctl_printf(b, ",\"client\":");
		ctl_json_str(b, e->client);
		ctl_printf(b, ",\"dest\":");
		ctl_json_str(b, e->dest);
		ctl_printf(b, ",\"connected\":");
		ctl_json_str(b, e->connected);
		ctl_printf(b, ",\"cmd\":");
		ctl_json_str(b, ctl_cmd_name(e->cmd));
		if (e->rule >= 0)
			ctl_printf(b, ",\"rule\":%d", e->rule + 1);
		else
			ctl_printf(b, ",\"rule\":null");
		ctl_printf(b, ",\"bytes_up\":%" PRIu64 ",\"bytes_down\":%"
		    PRIu64 ",\"age\":%" PRId64 "}", e->up, e->down, age);
	}
	if (json)
		ctl_printf(b, "]}\n");
}

void
ctl_fmt_reload(struct ctl_buf *b, bool ok, const char *msg, int revoked,
    bool json)
{
	if (!json) {
		ctl_printf(b, "%s\n", msg);
		return;
	}
	ctl_printf(b, "{\"ok\":%s,\"message\":", ok ? "true" : "false");
	ctl_json_str(b, msg);
	if (revoked >= 0)
		ctl_printf(b, ",\"revoked\":%d", revoked);
	ctl_printf(b, "}\n");
}

void
ctl_fmt_message(struct ctl_buf *b, bool ok, const char *msg, bool json)
{
	ctl_fmt_reload(b, ok, msg, -1, json);
}

/* t as local "YYYY-MM-DD HH:MM" (pure but for the zone). */
static const char *
local_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (t == 0 || localtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%d %H:%M", &tm) == 0)
		snprintf(buf, len, "-");
	return buf;
}

void
ctl_fmt_quota(struct ctl_buf *b, const struct usage_info *v, size_t n,
    bool json)
{
	char rule[ESCAPE_LEN(USAGE_RULELEN)], subj[ESCAPE_LEN(USAGE_SUBJLEN)];
	char t1[32], t2[32];
	const struct usage_info *u;
	size_t i;

	if (json)
		ctl_printf(b, "{\"quotas\":[");
	else
		ctl_printf(b, "%-16s %-20s %14s %14s %-6s %-16s %s\n", "RULE",
		    "SUBJECT", "USED", "LIMIT", "PERIOD", "SINCE", "UNTIL");
	for (i = 0; i < n; i++) {
		u = &v[i];
		if (!json) {
			ctl_printf(b, "%-16s %-20s %14" PRIu64 " %14" PRIu64
			    " %-6s %-16s %s\n", escape_log_str(u->rule, rule,
			    sizeof(rule)), escape_log_str(u->subject, subj,
			    sizeof(subj)), u->used, u->limit,
			    qperiod_name(u->period), local_time(u->start, t1,
			    sizeof(t1)), local_time(u->until, t2, sizeof(t2)));
			continue;
		}
		ctl_printf(b, "%s{\"rule\":", i ? "," : "");
		ctl_json_str(b, u->rule);
		ctl_printf(b, ",\"subject\":");
		ctl_json_str(b, u->subject);
		ctl_printf(b, ",\"used\":%" PRIu64 ",\"limit\":%" PRIu64
		    ",\"period\":\"%s\",\"since\":%" PRId64 ",\"until\":%"
		    PRId64 ",\"relays\":%d}", u->used, u->limit,
		    qperiod_name(u->period), (int64_t)u->start,
		    (int64_t)u->until, u->relays);
	}
	if (json)
		ctl_printf(b, "]}\n");
}
