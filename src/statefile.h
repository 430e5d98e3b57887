/*
 * statefile.h - the quota counters on disk (the `state` group): one text
 * file, DIR/quota.state, written whole to a temporary file, synced and
 * renamed over the old one, so that a crash leaves either the old file
 * or the new one.  Its last line carries the record count and a checksum
 * of everything before it: a truncated or altered file is refused as a
 * whole (reported by the caller, then ignored), never half read.
 *
 *	sixgate-state 1
 *	q PERIOD_START USED RULE SUBJECT
 *	end COUNT CHECKSUM
 *
 * RULE and SUBJECT are %XX-escaped (bytes up to space, from DEL on, and
 * '%'); PERIOD_START is a time_t, USED a byte count, CHECKSUM the 64-bit
 * FNV-1a of the bytes before the end line, in hex.
 *
 * The encoding and decoding are pure (unit-tested); statefile_save and
 * statefile_load do the file I/O.
 */
#ifndef SG_STATEFILE_H
#define SG_STATEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STATEFILE_NAME		"quota.state"
#define STATEFILE_MAX_BYTES	(64u << 20)	/* larger: refused */
#define STATEFILE_FIELD_MAX	1024		/* a rule or subject */

/* A file being built in memory; zero it (or statefile_buf_init). */
struct statefile_buf {
	char	*p;
	size_t	 len, cap;
	size_t	 n;		/* records added */
	bool	 failed;	/* out of memory: statefile_finish says so */
};

void	statefile_buf_init(struct statefile_buf *b);
void	statefile_buf_free(struct statefile_buf *b);
/*
 * One record; fields longer than STATEFILE_FIELD_MAX or empty are
 * skipped (no such key can exist).
 */
void	statefile_add(struct statefile_buf *b, const char *rule,
	    const char *subject, int64_t period_start, uint64_t used);
/* Seal it with the end line: 0, or -1 when memory ran out on the way. */
int	statefile_finish(struct statefile_buf *b);

typedef void (*statefile_cb)(void *arg, const char *rule, const char *subject,
	    int64_t period_start, uint64_t used);

/*
 * Check the whole of buf first, then call cb once per record.  0, or -1
 * with the reason in err ("line N: ...") and cb never called.
 */
int	statefile_decode(const char *buf, size_t len, statefile_cb cb,
	    void *arg, char *err, size_t errlen);

/* Write b (sealed) as DIR/quota.state: 0, or -1 with err. */
int	statefile_save(const char *dir, const struct statefile_buf *b,
	    char *err, size_t errlen);
/*
 * Read DIR/quota.state: 0 (cb called per record), 1 when there is no
 * file yet, -1 with err when it cannot be read or is refused.
 */
int	statefile_load(const char *dir, statefile_cb cb, void *arg,
	    char *err, size_t errlen);

#endif
