/*
 * testutil.h - helpers shared by the unit tests (header only).
 *
 * tu_guarded(): copy len bytes so that they end exactly where an
 * inaccessible page begins: a parser that reads one byte past its input
 * faults at once instead of reading stale memory.  One guarded region per
 * test program (each call overwrites the previous copy); len must not
 * exceed a page.
 */
#ifndef SG_TESTUTIL_H
#define SG_TESTUTIL_H

#include <sys/mman.h>

#include <check.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

static inline const uint8_t *
tu_guarded(const void *src, size_t len)
{
	static uint8_t	*base;
	static size_t	 pgsz;
	uint8_t		*p;

	if (base == NULL) {
		pgsz = (size_t)sysconf(_SC_PAGESIZE);
		base = mmap(NULL, 2 * pgsz, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ck_assert_msg(base != MAP_FAILED, "mmap failed");
		ck_assert_int_eq(mprotect(base + pgsz, pgsz, PROT_NONE), 0);
	}
	ck_assert_uint_le(len, pgsz);
	p = base + pgsz - len;
	if (len > 0)
		memcpy(p, src, len);
	return p;
}

#endif
