/*
 * log.h - the one logging module: syslog (facility daemon), or stderr in
 * the foreground.  Each line goes out in a single write()/syslog() call,
 * prefixed with the calling thread's session tag (e.g. "c42 [::1]:5000")
 * so that lines of concurrent sessions can be told apart.
 */
#ifndef SG_LOG_H
#define SG_LOG_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define LOG_PRINTF(f, a)	__attribute__((format(printf, f, a)))

/* to_stderr: 1 for -d; verbose: number of -v. */
void	log_init(int to_stderr, int verbose);
/* Switch to syslog after detaching (stderr is gone). */
void	log_to_syslog(void);
/* Tag for lines of this thread; NULL or "" clears it. */
void	log_set_tag(const char *tag);
int	log_verbose(void);

/* log_warn appends ": strerror(errno)"; log_warnx does not.  Every call
 * leaves errno as it found it, so a caller may still read it afterwards. */
/*
 * A warning about a state many peers can hit at once is said at most
 * once every every_ms: true (and *last becomes now_ms) when it is due,
 * for exactly one of the threads that ask at the same moment.
 */
bool	log_due(_Atomic int64_t *last, int64_t now_ms, int64_t every_ms);

void	log_warn(const char *fmt, ...) LOG_PRINTF(1, 2);
void	log_warnx(const char *fmt, ...) LOG_PRINTF(1, 2);
void	log_info(const char *fmt, ...) LOG_PRINTF(1, 2);
void	log_debug(const char *fmt, ...) LOG_PRINTF(1, 2);
/* Log and exit(1); only before sessions start, or on broken invariants. */
void	fatal(const char *fmt, ...) LOG_PRINTF(1, 2) __attribute__((noreturn));
void	fatalx(const char *fmt, ...) LOG_PRINTF(1, 2) __attribute__((noreturn));

#endif
