/*
 * notify.c - the sd_notify protocol, in-tree (see notify.h and
 * doc/HACKING.md for why not libsystemd): each message is one datagram
 * of newline-separated KEY=VALUE assignments sent to $NOTIFY_SOCKET,
 * a path or, with a leading '@', an abstract socket.  systemd reads the
 * sender's credentials from the socket itself (SO_PASSCRED), so nothing
 * else is needed.  Messages sixgated sends: READY=1, RELOADING=1 with
 * MONOTONIC_USEC (which systemd 253 and later want with it), STOPPING=1
 * and STATUS=.
 */
#include "sgconfig.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "notify.h"
#include "registry.h"

#define NOTIFY_MSGLEN	1024
#define NOTIFY_ERRLEN	600

static int notify_fd = -1;
static struct sockaddr_un notify_sun;
static socklen_t notify_len;
/* Why the last reload failed ("" if it did not), for STATUS. */
static char reload_err[NOTIFY_ERRLEN];
/* The last STATUS sent, to send only changes. */
static char last_status[NOTIFY_MSGLEN];

int
notify_addr_parse(const char *s, struct sockaddr_un *sun, socklen_t *len)
{
	size_t n;

	if (s == NULL || (s[0] != '/' && s[0] != '@'))
		return -1;
	n = strlen(s);
	if (n < 2 || n >= sizeof(sun->sun_path))
		return -1;
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, s, n);
	if (s[0] == '@') {
		/* Abstract: a leading NUL, and the length says where it ends. */
		sun->sun_path[0] = '\0';
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	} else
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
		    n + 1);
	return 0;
}

char *
notify_clean(const char *text, char *out, size_t size)
{
	size_t i;

	if (size == 0)
		return out;
	for (i = 0; text[i] != '\0' && i < size - 1; i++)
		out[i] = ((unsigned char)text[i] < 0x20 || text[i] == 0x7f) ?
		    ' ' : text[i];
	out[i] = '\0';
	return out;
}

bool
notify_init(void)
{
	const char *s = getenv("NOTIFY_SOCKET");
	struct timeval tv = { 2, 0 };
	int fd;

	if (notify_fd != -1) {
		close(notify_fd);
		notify_fd = -1;
	}
	reload_err[0] = last_status[0] = '\0';
	if (s == NULL)
		return false;
	if (notify_addr_parse(s, &notify_sun, &notify_len) == -1) {
		log_warnx("NOTIFY_SOCKET=\"%s\" is not a path or @name: "
		    "not notifying the service manager", s);
		goto fail;
	}
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1) {
		log_warn("notify socket");
		goto fail;
	}
	/* A stuck service manager must not hold up the signal loop. */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == -1)
		log_warn("notify socket: SO_SNDTIMEO");
	notify_fd = fd;
	unsetenv("NOTIFY_SOCKET");
	return true;
fail:
	unsetenv("NOTIFY_SOCKET");
	return false;
}

bool
notify_enabled(void)
{
	return notify_fd != -1;
}

/* One datagram; failures are logged at debug level and otherwise ignored. */
static void
send_msg(const char *msg)
{
	if (notify_fd == -1)
		return;
	if (sendto(notify_fd, msg, strlen(msg), MSG_NOSIGNAL,
	    (const struct sockaddr *)&notify_sun, notify_len) == -1)
		log_debug("notify: sendto: %s", strerror(errno));
}

/* The STATUS value now: the relay count, after a reload failure if any. */
static void
status_now(char *out, size_t size)
{
	int n = registry_count();

	snprintf(out, size, "%s%s%s%d relay%s active",
	    reload_err[0] != '\0' ? "reload failed: " : "", reload_err,
	    reload_err[0] != '\0' ? "; " : "", n, n == 1 ? "" : "s");
}

void
notify_ready(void)
{
	char msg[NOTIFY_MSGLEN + 32];

	if (notify_fd == -1)
		return;
	status_now(last_status, sizeof(last_status));
	snprintf(msg, sizeof(msg), "READY=1\nSTATUS=%s", last_status);
	send_msg(msg);
}

void
notify_reloading(void)
{
	struct timespec ts;
	char msg[128];

	reload_err[0] = '\0';
	if (notify_fd == -1)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000ULL +
	    (unsigned long long)ts.tv_nsec / 1000ULL);
	send_msg(msg);
}

void
notify_reload_failed(const char *err)
{
	notify_clean(err, reload_err, sizeof(reload_err));
}

void
notify_stopping(void)
{
	send_msg("STOPPING=1\nSTATUS=shutting down");
}

void
notify_status(const char *fmt, ...)
{
	char text[NOTIFY_MSGLEN], msg[NOTIFY_MSGLEN + 8];
	va_list ap;

	if (notify_fd == -1)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	notify_clean(text, last_status, sizeof(last_status));
	snprintf(msg, sizeof(msg), "STATUS=%s", last_status);
	send_msg(msg);
}

int
notify_sigwait(const sigset_t *set)
{
	struct timespec tick = { NOTIFY_STATUS_SECS, 0 };
	char now[NOTIFY_MSGLEN];
	int sig;

	if (notify_fd == -1)
		return sigwait(set, &sig) == 0 ? sig : -1;
	if ((sig = sigtimedwait(set, NULL, &tick)) != -1)
		return sig;
	status_now(now, sizeof(now));
	if (strcmp(now, last_status) != 0)
		notify_status("%s", now);
	return -1;
}
