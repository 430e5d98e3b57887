/*
 * hostsfile.h - the pure part of the Socks Lib's /etc/hosts cache: a
 * file's identity (device, inode, size, change times), when to look at
 * it again, and immutable reference-counted snapshots of its text that
 * readers scan without holding any lock.  Reading the file and the lock
 * that guards the current snapshot are names.c's.
 */
#ifndef SG_HOSTSFILE_H
#define SG_HOSTSFILE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HOSTSFILE_RECHECK_MS	1000		/* stat at most this often */
#define HOSTSFILE_MAX		(4 * 1024 * 1024) /* larger: not cached */

/* What tells one version of the file from another (all 0: no file). */
struct hostsfile_stamp {
	uint64_t	dev, ino;
	int64_t		size;
	int64_t		mtime_ns, ctime_ns;
};

struct hostsfile_snap {
	atomic_uint		refs;
	struct hostsfile_stamp	stamp;
	size_t			len;
	char			text[];
};

/*
 * Is it time to look at the file again?  last_ms is when it was last
 * looked at (0: never), both on a monotonic clock in milliseconds.
 */
bool	hostsfile_due(int64_t last_ms, int64_t now_ms);

/* Same version of the file? */
bool	hostsfile_same(const struct hostsfile_stamp *a,
	    const struct hostsfile_stamp *b);

/*
 * A snapshot of len bytes of text with its stamp, holding one reference
 * (the caller's).  text NULL: len zero bytes, for the caller to fill
 * before anyone else sees the snapshot (and to shorten len, if less
 * comes).  NULL when len exceeds HOSTSFILE_MAX or memory is
 * short.
 */
struct hostsfile_snap *hostsfile_snap_new(const struct hostsfile_stamp *st,
	    const char *text, size_t len);

/* One more reference to s (may be NULL); s. */
struct hostsfile_snap *hostsfile_snap_ref(struct hostsfile_snap *s);

/* Drop a reference; the last frees s.  NULL is accepted. */
void	hostsfile_snap_unref(struct hostsfile_snap *s);

/* Does the snapshot list name (env_hosts_has_name)?  NULL: no. */
bool	hostsfile_snap_has(const struct hostsfile_snap *s, const char *name);

#endif
