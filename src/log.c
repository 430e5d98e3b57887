/*
 * log.c - logging to syslog or stderr (see log.h).
 */
#include "sgconfig.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"

/* Set once in main() before any thread starts; read-only afterwards. */
static int log_stderr = 1;
static int log_level_verbose;

static _Thread_local char log_tag[96];

void
log_init(int to_stderr, int verbose)
{
	log_stderr = to_stderr;
	log_level_verbose = verbose;
	if (!to_stderr)
		openlog("sixgated", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_to_syslog(void)
{
	if (log_stderr) {
		log_stderr = 0;
		openlog("sixgated", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	}
}

void
log_set_tag(const char *tag)
{
	if (tag == NULL)
		tag = "";
	snprintf(log_tag, sizeof(log_tag), "%s", tag);
}

int
log_verbose(void)
{
	return log_level_verbose;
}

static void
vlog(int pri, int err, const char *fmt, va_list ap)
{
	char msg[1024], line[1280], ebuf[128];
	const char *es;
	int n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (err != 0) {
		/* GNU strerror_r returns the string to use. */
		es = strerror_r(err, ebuf, sizeof(ebuf));
		n = (int)strlen(msg);
		snprintf(msg + n, sizeof(msg) - (size_t)n, ": %s", es);
	}
	if (!log_stderr) {
		if (log_tag[0] != '\0')
			syslog(pri, "%s %s", log_tag, msg);
		else
			syslog(pri, "%s", msg);
		return;
	}
	n = snprintf(line, sizeof(line), "sixgated: %s%s%s\n", log_tag,
	    log_tag[0] != '\0' ? " " : "", msg);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	/* One write per line: concurrent threads never interleave. */
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		return;	/* nowhere left to report it */
}

#define LOG_BODY(pri, err) do {				\
	va_list ap;					\
	int saved = errno;				\
	va_start(ap, fmt);				\
	vlog(pri, err, fmt, ap);			\
	va_end(ap);					\
	errno = saved;					\
} while (0)

void
log_warn(const char *fmt, ...)
{
	int e = errno;

	LOG_BODY(LOG_WARNING, e);
}

void
log_warnx(const char *fmt, ...)
{
	LOG_BODY(LOG_WARNING, 0);
}

void
log_info(const char *fmt, ...)
{
	LOG_BODY(LOG_INFO, 0);
}

void
log_debug(const char *fmt, ...)
{
	if (log_level_verbose > 0)
		LOG_BODY(LOG_DEBUG, 0);
}

void
fatal(const char *fmt, ...)
{
	int e = errno;

	LOG_BODY(LOG_CRIT, e);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	LOG_BODY(LOG_CRIT, 0);
	exit(1);
}

bool
log_due(_Atomic int64_t *last, int64_t now_ms, int64_t every_ms)
{
	int64_t was = atomic_load(last);

	if (was != 0 && now_ms - was < every_ms)
		return false;
	return atomic_compare_exchange_strong(last, &was, now_ms);
}
