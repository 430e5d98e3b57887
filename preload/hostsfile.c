/*
 * hostsfile.c - /etc/hosts snapshots and their freshness (see
 * hostsfile.h).  No I/O, no locks; malloc for the snapshots only.
 */
#include "sgconfig.h"

#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "hostsfile.h"

bool
hostsfile_due(int64_t last_ms, int64_t now_ms)
{
	/* A clock that went backwards counts as time passed. */
	return last_ms == 0 || now_ms < last_ms ||
	    now_ms - last_ms >= HOSTSFILE_RECHECK_MS;
}

bool
hostsfile_same(const struct hostsfile_stamp *a,
    const struct hostsfile_stamp *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	    a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

struct hostsfile_snap *
hostsfile_snap_new(const struct hostsfile_stamp *st, const char *text,
    size_t len)
{
	struct hostsfile_snap *s;

	if (len > HOSTSFILE_MAX || (s = malloc(sizeof(*s) + len + 1)) == NULL)
		return NULL;
	atomic_init(&s->refs, 1);
	s->stamp = *st;
	s->len = len;
	if (text != NULL && len > 0)
		memcpy(s->text, text, len);
	else
		memset(s->text, 0, len);
	s->text[len] = '\0';
	return s;
}

struct hostsfile_snap *
hostsfile_snap_ref(struct hostsfile_snap *s)
{
	if (s != NULL)
		atomic_fetch_add(&s->refs, 1);
	return s;
}

void
hostsfile_snap_unref(struct hostsfile_snap *s)
{
	if (s != NULL && atomic_fetch_sub(&s->refs, 1) == 1)
		free(s);
}

bool
hostsfile_snap_has(const struct hostsfile_snap *s, const char *name)
{
	return s != NULL && s->len > 0 &&
	    env_hosts_has_name(s->text, s->len, name);
}
