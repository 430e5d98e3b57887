/*
 * fakeip.h - the fake-address table of the Socks Lib (RFC 3089 section
 * 3): name <-> fake address, in both families, kept in one memory region
 * that every process of a `sixgate` invocation maps shared.
 *
 * Pure: no system calls, no allocation, no globals; the caller supplies
 * the memory (a MAP_SHARED file mapping, or anonymous memory).  Slot i
 * owns the IPv4 fake v4net + i + 1 and the IPv6 fake v6net + i + 1, so
 * a name keeps both of its fakes and a fake leads back to its name in
 * O(1).  Lock-free: a slot is claimed with a compare-and-swap on its
 * state word and published with a release store, so concurrent threads
 * and processes (and fork children) agree without any lock that a dying
 * process could leave held.
 */
#ifndef SG_FAKEIP_H
#define SG_FAKEIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define FAKEIP_NAME_MAX		255
#define FAKEIP_DEFAULT_SLOTS	16384

enum fakeip_status {
	FAKEIP_OK = 0,
	FAKEIP_FULL,		/* every slot the name may use is taken */
	FAKEIP_BADNAME,		/* empty, too long, or not a host name */
	FAKEIP_NOTFAKE,		/* address outside both fake ranges */
	FAKEIP_UNKNOWN,		/* in a fake range, but no name has it */
	FAKEIP_BADTABLE,	/* region too small, wrong magic or version */
	FAKEIP_BADRANGE		/* a range too small or host bits set */
};

/* The two ranges fakes come from (network bytes and prefix length). */
struct fakeip_ranges {
	uint8_t		v4net[4];
	unsigned	v4prefix;	/* <= 30 */
	uint8_t		v6net[16];
	unsigned	v6prefix;	/* <= 126 */
};

struct fakeip_table;	/* lives inside the caller's region */

/* Bytes a table with nslots slots needs (the gateway words included). */
size_t	fakeip_region_size(uint32_t nslots);

/*
 * Lay out a new table in a zero-filled region (the creator: the wrapper,
 * or a process without one).  nslots is cut down to what the smaller
 * range can address.  Returns the table in *out.
 */
enum fakeip_status fakeip_format(void *mem, size_t len,
	    const struct fakeip_ranges *r, uint32_t nslots,
	    struct fakeip_table **out);

/* Use a table another process formatted (checks magic, version, size). */
enum fakeip_status fakeip_attach(void *mem, size_t len,
	    struct fakeip_table **out);

/* The ranges a table was formatted with. */
void	fakeip_get_ranges(const struct fakeip_table *t,
	    struct fakeip_ranges *r);

/*
 * The slot of name, inserting it if new.  Names are compared without
 * case and without one trailing dot; "Example.ORG." and "example.org"
 * share a slot.  Thread- and process-safe.
 */
enum fakeip_status fakeip_lookup_name(struct fakeip_table *t,
	    const char *name, uint32_t *slot);

/* Like fakeip_lookup_name, but never inserts (FAKEIP_UNKNOWN if absent). */
enum fakeip_status fakeip_find_name(const struct fakeip_table *t,
	    const char *name, uint32_t *slot);

/*
 * The fake address of a slot in family AF_INET or AF_INET6 (never
 * v4-mapped), with the given port (host order) in *ss.
 */
enum fakeip_status fakeip_slot_addr(const struct fakeip_table *t,
	    uint32_t slot, int family, uint16_t port,
	    struct sockaddr_storage *ss, socklen_t *len);

/*
 * The slot a fake address stands for: FAKEIP_NOTFAKE outside the ranges,
 * FAKEIP_UNKNOWN when no name holds it.  IPv4-mapped IPv6 addresses
 * are looked at as IPv4.
 */
enum fakeip_status fakeip_slot_of(const struct fakeip_table *t,
	    const struct sockaddr *sa, uint32_t *slot);

/*
 * Copy the name of a slot into buf (at least FAKEIP_NAME_MAX + 1
 * bytes).  FAKEIP_UNKNOWN for a free or half-written slot.
 */
enum fakeip_status fakeip_slot_name(const struct fakeip_table *t,
	    uint32_t slot, char *buf, size_t len);

/*
 * Facts one process learns that help every process of the session: a
 * bit set is never cleared.  FAKEIP_FLAG_PIPELINE: the gateway is
 * sixgated, so handshakes may go in one write (SIXGATE_PIPELINE=auto).
 */
#define FAKEIP_FLAG_PIPELINE	0x1ULL
void	fakeip_set_flags(struct fakeip_table *t, uint64_t bits);
uint64_t fakeip_flags(const struct fakeip_table *t);

#define FAKEIP_FLAG_NO_RESOLVE	0x2ULL	/* gateway answers RESOLVE 0x07 */

/*
 * What the gateway said of a slot's name (RFC 3089 section 3: telling
 * a program at look-up time that a name does not exist), cached for
 * every process of the session until a time (in any unit of a clock the
 * callers share: verify.c uses CLOCK_REALTIME milliseconds, since
 * processes differ).
 */
enum fakeip_verdict {
	FAKEIP_UNVERIFIED = 0,	/* not asked, or the answer expired */
	FAKEIP_EXISTS = 1,
	FAKEIP_NONAME = 2
};
enum fakeip_verdict fakeip_verdict(const struct fakeip_table *t,
	    uint32_t slot, uint64_t now);
void	fakeip_set_verdict(struct fakeip_table *t, uint32_t slot,
	    enum fakeip_verdict v, uint64_t until);

/*
 * The gateways' shared back-off words (gwlist.h) of table t, mapped
 * with len bytes; NULL for a table made by a version without them (the
 * caller then keeps its back-off to itself).  Sized into
 * fakeip_region_size and laid out (zero) by fakeip_format.
 */
struct gwlist_backoff;
struct gwlist_backoff *fakeip_backoff(struct fakeip_table *t, size_t len);

/* Is sa inside one of the ranges (whether or not a name holds it)? */
bool	fakeip_in_ranges(const struct fakeip_ranges *r,
	    const struct sockaddr *sa);

#endif
