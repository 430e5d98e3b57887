/*
 * fdstate.c - the per-descriptor table of the Socks Lib (see fdstate.h).
 *
 * One anonymous private mapping of FDSTATE_FDS entries, made by the
 * first socket that needs one; pages the program never uses are never
 * touched.  A fork copies it with the descriptors it describes.
 */
#include "sgconfig.h"

#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "fdstate.h"
#include "real.h"

static _Atomic(struct fdstate *) table;

uint64_t
fdstate_inode(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

static struct fdstate *
table_map(void)
{
	struct fdstate *t = atomic_load(&table), *expect = NULL;
	void *mem;

	if (t != NULL)
		return t;
	mem = mmap(NULL, FDSTATE_FDS * sizeof(*t), PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return NULL;
	/* Two threads may race: the loser's mapping goes. */
	if (!atomic_compare_exchange_strong(&table, &expect, mem)) {
		munmap(mem, FDSTATE_FDS * sizeof(*t));
		return expect;
	}
	return mem;
}

struct fdstate *
fdstate_get(int fd, enum fdstate_kind kind)
{
	struct fdstate *t = atomic_load(&table), *e;
	uint64_t ino;

	if (t == NULL || fd < 0 || fd >= FDSTATE_FDS)
		return NULL;
	e = &t[fd];
	/* Cheap tests first: most fds were never recorded (no fstat). */
	ino = atomic_load_explicit(&e->ino, memory_order_acquire);
	if (ino == 0 || atomic_load(&e->kind) != (int)kind)
		return NULL;
	return ino == fdstate_inode(fd) ? e : NULL;
}

void
fdstate_close_ctl(struct fdstate *e)
{
	/* The number may have been reused: close only what we opened. */
	if (e->ctl != -1 && fdstate_inode(e->ctl) == e->ctl_ino)
		real()->close(e->ctl);
	e->ctl = -1;
}

/* Forget e, releasing what it owns. */
static void
release(struct fdstate *e)
{
	if (atomic_load(&e->ino) == 0)
		return;
	atomic_store(&e->ino, 0);
	fdstate_close_ctl(e);
	atomic_store(&e->phase, 0);
}

struct fdstate *
fdstate_open(int fd, enum fdstate_kind kind, uint64_t *ino)
{
	struct fdstate *t, *e;

	if (fd < 0 || fd >= FDSTATE_FDS || (t = table_map()) == NULL ||
	    (*ino = fdstate_inode(fd)) == 0)
		return NULL;
	e = &t[fd];
	release(e);
	memset(&e->u, 0, sizeof(e->u));
	e->ctl = -1;
	e->ctl_ino = 0;
	atomic_store(&e->phase, 0);
	atomic_store(&e->kind, (int)kind);
	return e;
}

void
fdstate_publish(struct fdstate *e, uint64_t ino)
{
	atomic_store_explicit(&e->ino, ino, memory_order_release);
}

struct fdstate *
fdstate_claim(int fd, enum fdstate_kind kind)
{
	struct fdstate *e;
	uint64_t ino;

	if ((e = fdstate_get(fd, kind)) != NULL)
		return e;
	if ((e = fdstate_open(fd, kind, &ino)) == NULL)
		return NULL;
	fdstate_publish(e, ino);
	return e;
}

void
fdstate_drop(int fd)
{
	struct fdstate *t = atomic_load(&table);

	if (t != NULL && fd >= 0 && fd < FDSTATE_FDS)
		release(&t[fd]);
}
