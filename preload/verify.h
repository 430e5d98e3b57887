/*
 * verify.h - before handing out a fake, ask the gateway whether the
 * name exists (the RESOLVE command), so a program learns at look-up
 * time that a name is unknown, as with a local resolver (RFC 3089
 * section 3 names this weak point of DNS name resolving delegation).
 * Answers are cached in the shared table for the whole session.
 */
#ifndef SG_VERIFY_H
#define SG_VERIFY_H

#include <stdint.h>

#include "lib.h"

enum verify_result {
	VERIFY_EXISTS = 0,	/* hand out the fake (also: not asked) */
	VERIFY_NONAME,		/* the gateway knows no such name */
	VERIFY_FAIL		/* the gateway could not be asked, and
				   SIXGATE_VERIFY_UNREACHABLE=fail */
};

/*
 * The verdict on name (holding slot) for a look-up of family (AF_INET,
 * AF_INET6 or AF_UNSPEC): from the cache, or one bounded round trip in
 * the calling thread (other threads are never held up).
 */
enum verify_result verify_name(const struct lib *l, const char *name,
	    uint32_t slot, int family);

#endif
