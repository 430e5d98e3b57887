/*
 * control.c - the control socket and its thread (see control.h).
 */
#include "sgconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "control.h"
#include "ctlproto.h"
#include "escape.h"
#include "log.h"
#include "registry.h"
#include "request.h"
#include "sgio.h"
#include "stats.h"
#include "svcthread.h"
#include "usage.h"

#define REQ_TIMEOUT_MS	2000
#define RELOAD_WAIT_S	10

static int lfd = -1;
static char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
static struct svcthread svc = SVCTHREAD_INITIALIZER;

static pthread_mutex_t rl_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t rl_cond = PTHREAD_COND_INITIALIZER;
static unsigned long rl_gen;
static bool rl_ok;
static char rl_why[512];

void
control_reload_done(bool ok, const char *why)
{
	pthread_mutex_lock(&rl_lock);
	rl_gen++;
	rl_ok = ok;
	snprintf(rl_why, sizeof(rl_why), "%s", why != NULL ? why : "");
	pthread_cond_broadcast(&rl_cond);
	pthread_mutex_unlock(&rl_lock);
}

/*
 * Is the socket at sun stale?  Only when nobody listens on it
 * (ECONNREFUSED); a live daemon, or one we may not reach (EACCES), is
 * not ours to remove: false with errno (0 when it answered).
 */
static bool
stale(const struct sockaddr_un *sun)
{
	int fd, rc, e;

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return false;
	rc = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	e = rc == 0 ? 0 : errno;
	close(fd);
	errno = e;
	return rc == -1 && e == ECONNREFUSED;
}

int
control_open(const struct config *c, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	struct stat st;
	char dir[sizeof(path)];

	if (!c->control_on)
		return 0;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", c->control_socket);
	snprintf(dir, sizeof(dir), "%s", c->control_socket);
	if (geteuid() == 0 && stat(dirname(dir), &st) == -1 &&
	    errno == ENOENT && mkdir(dir, 0755) == -1) {
		snprintf(err, errlen, "control socket: cannot create %s: %s",
		    dir, strerror(errno));
		return -1;
	}
	if (lstat(sun.sun_path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "control socket: %s exists and "
			    "is not a socket", sun.sun_path);
			return -1;
		}
		if (!stale(&sun)) {
			snprintf(err, errlen, "control socket: %s: %s (give "
			    "each daemon its own control.socket)", sun.sun_path,
			    errno == 0 ? "another daemon answers on it" :
			    strerror(errno));
			return -1;
		}
		log_info("control socket: removing the stale %s",
		    sun.sun_path);
		(void)unlink(sun.sun_path);
	}
	if ((lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0)) == -1 ||
	    bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		snprintf(err, errlen, "control socket: %s: %s", sun.sun_path,
		    strerror(errno));
		goto fail;
	}
	snprintf(path, sizeof(path), "%s", sun.sun_path);
	if (chmod(path, (mode_t)c->control_mode) == -1 ||
	    (c->control_gid != -1 && chown(path, (uid_t)-1,
	    (gid_t)c->control_gid) == -1) || listen(lfd, 16) == -1) {
		snprintf(err, errlen, "control socket: %s: %s", path,
		    strerror(errno));
		(void)unlink(path);
		path[0] = '\0';
		goto fail;
	}
	/* Any exit after this, a fatal error at start-up too, removes it. */
	if (atexit(control_close) != 0)
		log_warnx("control socket: %s stays behind at a fatal exit",
		    path);
	log_info("control socket %s (mode %04o)", path, c->control_mode);
	return 0;
fail:
	if (lfd != -1)
		close(lfd);
	lfd = -1;
	return -1;
}

void
control_close(void)
{
	if (path[0] != '\0')
		(void)unlink(path);
	path[0] = '\0';
}

/* Read one line within the deadline; -1 on timeout, error or size. */
static int
read_line(int fd, char *buf, size_t len)
{
	int64_t deadline = sgio_now_ms() + REQ_TIMEOUT_MS, left;
	struct pollfd pfd = { fd, POLLIN, 0 };
	size_t got = 0;
	ssize_t n;

	while (got < len - 1) {
		if ((left = deadline - sgio_now_ms()) <= 0)
			return -1;
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		n = recv(fd, buf + got, len - 1 - got, 0);
		if (n == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
		buf[got] = '\0';
		if (memchr(buf, '\n', got) != NULL)
			return 0;
	}
	buf[got] = '\0';
	return got > 0 && got < len - 1 ? 0 : -1;
}

/*
 * After a reload that was taken: cut the relays its rules no longer
 * allow (reload --revoke).  Returns how many, or -1.
 */
static int
revoke_relays(void)
{
	struct config *c = config_current();
	int n;

	n = registry_revoke(c, request_still_allowed);
	config_release(c);
	if (n == -1)
		log_warn("control: reload --revoke");
	else
		log_info("control: reload --revoke: %d relay%s revoked", n,
		    n == 1 ? "" : "s");
	return n;
}

static void
do_reload(struct ctl_buf *b, bool json, bool revoking, bool *ok)
{
	struct timespec ts;
	unsigned long gen;
	char msg[600], tail[64] = "";
	int rc = 0, n = revoking ? 0 : -1;

	pthread_mutex_lock(&rl_lock);
	gen = rl_gen;
	kill(getpid(), SIGHUP);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += RELOAD_WAIT_S;
	while (rl_gen == gen && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&rl_cond, &rl_lock, &ts);
	if (rl_gen == gen) {
		*ok = false;
		snprintf(msg, sizeof(msg), "no answer from the reload within "
		    "%d s", RELOAD_WAIT_S);
	} else if (rl_ok) {
		*ok = true;
		snprintf(msg, sizeof(msg), "configuration reloaded%s%s",
		    rl_why[0] ? ": " : "", rl_why);
	} else {
		*ok = false;
		snprintf(msg, sizeof(msg), "reload failed, the old "
		    "configuration stays: %s", rl_why);
	}
	pthread_mutex_unlock(&rl_lock);
	/* Only a configuration that was taken revokes anything. */
	if (*ok && revoking) {
		if ((n = revoke_relays()) == -1) {
			*ok = false;
			snprintf(tail, sizeof(tail), "; revoking failed: %s",
			    strerror(errno));
		} else
			snprintf(tail, sizeof(tail), "; %d relay%s revoked",
			    n, n == 1 ? "" : "s");
		strncat(msg, tail, sizeof(msg) - strlen(msg) - 1);
	}
	ctl_fmt_reload(b, *ok, msg, n, json);
}

/*
 * quota [USER]: the rules' quota use (usage.h) under the current
 * configuration's rules, of USER (raw, as the table keys it) or all.
 */
static void
do_quota(const struct ctl_req *q, struct ctl_buf *b)
{
	struct config *c = config_current();
	struct usage_info *v;
	size_t n;

	if (c == NULL || !usage_quota_configured(c)) {
		ctl_fmt_message(b, true, "no quotas configured", q->json);
		if (c != NULL)
			config_release(c);
		return;
	}
	v = usage_list(c, q->arg[0] != '\0' ? q->arg : NULL, time(NULL), &n);
	config_release(c);
	ctl_fmt_quota(b, v, n, q->json);
	free(v);
}

/* Carry out q into b; false for a daemon-side error. */
static bool
answer(const struct ctl_req *q, struct ctl_buf *b)
{
	struct stats_snapshot ss;
	struct ctl_status st;
	struct registry_info *v;
	char msg[1200], esc[ESCAPE_LEN(255)];
	size_t n, i;
	bool ok = true;
	int k;

	switch (q->cmd) {
	case CTL_STATUS:
		v = registry_list(&n, &ss);
		memset(&st, 0, sizeof(st));
		st.version = PACKAGE_VERSION;
		st.uptime_s = (sgio_now_ms() - ss.started) / 1000;
		st.relays_total = ss.relays_total;
		st.logins_ok = ss.logins_ok;
		st.logins_failed = ss.logins_failed;
		st.bytes_up = ss.bytes_up;
		st.bytes_down = ss.bytes_down;
		st.relays_active = (int)n;
		/* The live relays' bytes too. */
		for (i = 0; i < n; i++) {
			st.bytes_up += v[i].up;
			st.bytes_down += v[i].down;
		}
		free(v);
		ctl_fmt_status(b, &st, q->json);
		break;
	case CTL_SESSIONS:
		v = registry_list(&n, NULL);
		ctl_fmt_sessions(b, v, n, sgio_now_ms(), q->json);
		free(v);
		break;
	case CTL_KILL_ID:
		k = registry_kill_id(q->id);
		ok = k > 0;
		snprintf(msg, sizeof(msg), ok ? "killed session c%llu" :
		    "no session c%llu", (unsigned long long)q->id);
		log_info("control: %s", msg);
		ctl_fmt_message(b, ok, msg, q->json);
		break;
	case CTL_KILL_USER:
		escape_log_str(q->arg, esc, sizeof(esc));
		k = registry_kill_user(esc);
		snprintf(msg, sizeof(msg), "killed %d sessions of user %s", k,
		    esc);
		log_info("control: %s", msg);
		ctl_fmt_message(b, true, msg, q->json);
		break;
	case CTL_RELOAD:
		do_reload(b, q->json, q->revoke, &ok);
		break;
	case CTL_QUOTA:
		do_quota(q, b);
		break;
	}
	return ok;
}

static void
serve(int fd)
{
	struct ucred cr;
	socklen_t crlen = sizeof(cr);
	struct ctl_req q;
	struct ctl_buf b = { 0 }, body = { 0 };
	char line[CTL_LINE_MAX + 2], err[200];
	bool ok;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &crlen) == -1)
		memset(&cr, 0xff, sizeof(cr));
	if (read_line(fd, line, sizeof(line)) == -1) {
		log_info("control: pid %d uid %d: no request line in time or "
		    "too long", (int)cr.pid, (int)cr.uid);
		ctl_printf(&b, "ERR\nrequest line missing or too long\n");
	} else if (ctl_parse(line, &q, err, sizeof(err)) == -1) {
		log_info("control: pid %d uid %d: %s", (int)cr.pid,
		    (int)cr.uid, err);
		ctl_printf(&b, "ERR\n");
		ctl_fmt_message(&b, false, err, strstr(line, "--json") !=
		    NULL);
	} else {
		log_info("control: pid %d uid %d gid %d: %.*s", (int)cr.pid,
		    (int)cr.uid, (int)cr.gid, (int)strcspn(line, "\r\n"),
		    line);
		ok = answer(&q, &body);
		ctl_printf(&b, "%s\n", ok ? "OK" : "ERR");
		if (body.p != NULL)
			ctl_printf(&b, "%.*s", (int)body.len, body.p);
		b.failed = b.failed || body.failed;
		ctl_buf_free(&body);
	}
	if (!b.failed && b.p != NULL)
		(void)sgio_send_all(&sgio_libc, fd, b.p, b.len,
		    sgio_now_ms() + REQ_TIMEOUT_MS);
	ctl_buf_free(&b);
}

static void *
control_main(void *arg)
{
	struct pollfd pfd = { lfd, POLLIN, 0 };
	int fd;

	(void)arg;
	for (;;) {
		if (poll(&pfd, 1, -1) == -1)
			continue;
		if ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) == -1)
			continue;
		serve(fd);
		close(fd);
	}
	return NULL;
}

int
control_start(void)
{
	if (lfd == -1)
		return 0;
	/* No stop pipe: it answers until the process exits. */
	return svcthread_start(&svc, "control", control_main, NULL);
}
