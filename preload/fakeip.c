/*
 * fakeip.c - the fake-address table of the Socks Lib (see fakeip.h),
 * RFC 3089 section 3.
 *
 * Layout of the region (host byte order, same offsets on 32- and 64-bit
 * ABIs so a mixed pair of preloaded programs can share one map file):
 *
 *	struct fakeip_table	header: magic, version, sizes, ranges,
 *				where the gateway words are, reserved
 *				words for future flags
 *	struct fakeip_slot[n]	state word, 16 reserved bytes, name
 *	struct gwlist_backoff	the gateways' shared back-off (gwlist.h),
 *				when gw_off says so (tables made before
 *				it existed have gw_off 0 and end here)
 *
 * The magic and the version stay the first two 32-bit words in every
 * future version, so any version can recognise any other's file.
 *
 * A slot goes EMPTY -> WRITING (compare-and-swap: one claimant wins)
 * -> READY (release store after the name is written), and never back:
 * a READY slot is immutable, so readers need nothing but an acquire
 * load of its state.  Slots are never freed, so a name's probe sequence
 * never has a hole before it: the first EMPTY slot ends a search.
 */
#include "sgconfig.h"

#include <stdatomic.h>
#include <string.h>
#include <netinet/in.h>

#include "addr.h"
#include "fakeip.h"
#include "gwlist.h"

#define FAKEIP_MAGIC	0x70666773u	/* "sgfp" read little-endian */
#define FAKEIP_VERSION	1u

/*
 * How long a reader waits for a WRITING slot before it takes it for
 * another name: long enough to outlast a writer preempted for a time
 * slice, short enough that a writer killed mid-copy costs little.  A
 * busy loop, not sched_yield: this module makes no system calls.
 */
#define FAKEIP_SPIN	(1u << 20)

enum slot_state {
	SLOT_EMPTY = 0,
	SLOT_WRITING,
	SLOT_READY
};

struct fakeip_slot {
	atomic_uint	state;		/* enum slot_state */
	uint32_t	pad;
	_Atomic uint64_t verdict;	/* until << 2 | FAKEIP_EXISTS ... */
	uint64_t	reserved;
	char		name[FAKEIP_NAME_MAX + 1];
};

struct fakeip_table {
	atomic_uint	magic;		/* stored last by fakeip_format */
	uint32_t	version;
	uint32_t	hdr_size;
	uint32_t	slot_size;
	uint32_t	nslots;
	uint32_t	v4prefix;
	uint32_t	v6prefix;
	uint8_t		v4net[4];
	uint8_t		v6net[16];
	_Atomic uint64_t flags;		/* FAKEIP_FLAG_* learnt by anyone */
	uint64_t	gw_off;		/* offset of the gwlist_backoff, or 0 */
	uint64_t	reserved[4];	/* future use */
	struct fakeip_slot slots[];
};

/* Shared memory between processes needs address-free atomics. */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "atomic_uint is not lock-free");
_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "64-bit atomics are not lock-free");
_Static_assert(sizeof(atomic_uint) == 4, "atomic_uint is not 32 bits");
_Static_assert(sizeof(struct fakeip_slot) == 280, "slot layout changed");
_Static_assert(sizeof(struct fakeip_table) == 96, "header layout changed");
_Static_assert(offsetof(struct fakeip_table, slots) == 96,
    "slots moved");

static inline void
cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

/* 64-bit FNV-1a: cheap, and the same on every host. */
static uint64_t
fnv1a64(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	while (n-- > 0) {
		h ^= (uint8_t)*s++;
		h *= 0x100000001b3ull;
	}
	return h;
}

/*
 * Normalise name into out (FAKEIP_NAME_MAX + 1 bytes): ASCII lowercase,
 * one trailing dot dropped.  Permissive on purpose (IDNA, '_' labels,
 * odd intranet names pass); refuses only what cannot be a host name or
 * would be taken for an address or a path.  Returns the length, 0 when
 * the name is refused.
 */
static size_t
name_normalise(const char *name, char *out)
{
	size_t n, i;
	unsigned char c;

	n = strnlen(name, FAKEIP_NAME_MAX + 2);
	if (n > 0 && name[n - 1] == '.')
		n--;
	if (n == 0 || n > FAKEIP_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		c = (unsigned char)name[i];
		if (c <= ' ' || c == 0x7f || c == '/' || c == '%' ||
		    c == '[' || c == ']' || c == '\\')
			return 0;
		out[i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
	}
	out[n] = '\0';
	return n;
}

/* Slots a range of hostbits host bits numbers (first and last kept out). */
static uint32_t
range_cap(unsigned hostbits)
{
	if (hostbits >= 32)
		return UINT32_MAX - 1;
	return (UINT32_C(1) << hostbits) - 2;
}

/* No bit of net beyond prefix set? */
static bool
host_bits_clear(const uint8_t *net, size_t size, unsigned prefix)
{
	size_t i;
	unsigned bit;

	for (i = 0; i < size; i++)
		for (bit = 0; bit < 8; bit++)
			if (i * 8 + bit >= prefix &&
			    (net[i] & (0x80 >> bit)) != 0)
				return false;
	return true;
}

/*
 * Ranges usable for fakes: at least two host addresses besides the
 * first and the last, no host bits, and no IPv6 range inside
 * ::ffff:0:0/96 (its fakes would be read back as IPv4).
 */
static bool
ranges_valid(const uint8_t *v4net, unsigned v4prefix, const uint8_t *v6net,
    unsigned v6prefix)
{
	if (v4prefix > 30 || v6prefix > 126)
		return false;
	if (!host_bits_clear(v4net, 4, v4prefix) ||
	    !host_bits_clear(v6net, 16, v6prefix))
		return false;
	return !(v6prefix >= 96 && addr_is_v4mapped(v6net));
}

static uint32_t
table_cap(unsigned v4prefix, unsigned v6prefix)
{
	uint32_t c4 = range_cap(32 - v4prefix), c6 = range_cap(128 - v6prefix);

	return c4 < c6 ? c4 : c6;
}

/* Header and slots: the size of a version 1 table without gateways. */
static size_t
slots_size(uint32_t nslots)
{
	size_t hdr = sizeof(struct fakeip_table);
	size_t slot = sizeof(struct fakeip_slot);

	if (nslots > (SIZE_MAX - hdr - sizeof(struct gwlist_backoff)) / slot)
		return SIZE_MAX;	/* no such region can exist */
	return hdr + (size_t)nslots * slot;
}

size_t
fakeip_region_size(uint32_t nslots)
{
	size_t n = slots_size(nslots);

	return n == SIZE_MAX ? n : n + sizeof(struct gwlist_backoff);
}

static bool
region_aligned(const void *mem)
{
	return mem != NULL &&
	    (uintptr_t)mem % _Alignof(struct fakeip_table) == 0;
}

/*
 * Lay out a new table.  The region must be zero-filled (a fresh file
 * or anonymous mapping is): the slots are not touched, so creating a
 * large table costs no page faults.  The magic goes in last, with
 * release order, so an attacher never sees a half-written header.
 */
enum fakeip_status
fakeip_format(void *mem, size_t len, const struct fakeip_ranges *r,
    uint32_t nslots, struct fakeip_table **out)
{
	struct fakeip_table *t = mem;
	uint32_t cap;

	if (!ranges_valid(r->v4net, r->v4prefix, r->v6net, r->v6prefix))
		return FAKEIP_BADRANGE;
	cap = table_cap(r->v4prefix, r->v6prefix);
	if (nslots > cap)
		nslots = cap;
	if (nslots == 0 || !region_aligned(mem) ||
	    len < fakeip_region_size(nslots))
		return FAKEIP_BADTABLE;
	t->version = FAKEIP_VERSION;
	t->hdr_size = sizeof(struct fakeip_table);
	t->slot_size = sizeof(struct fakeip_slot);
	t->nslots = nslots;
	t->v4prefix = r->v4prefix;
	t->v6prefix = r->v6prefix;
	memcpy(t->v4net, r->v4net, sizeof(t->v4net));
	memcpy(t->v6net, r->v6net, sizeof(t->v6net));
	memset(t->reserved, 0, sizeof(t->reserved));
	/* The region after the slots is zero: a blank gwlist_backoff. */
	t->gw_off = slots_size(nslots);
	atomic_store_explicit(&t->flags, 0, memory_order_relaxed);
	atomic_store_explicit(&t->magic, FAKEIP_MAGIC, memory_order_release);
	*out = t;
	return FAKEIP_OK;
}

/*
 * Check a table some other process laid out.  Everything later index
 * arithmetic relies on is checked here, so a damaged file cannot make
 * this process read outside the region.
 */
enum fakeip_status
fakeip_attach(void *mem, size_t len, struct fakeip_table **out)
{
	struct fakeip_table *t = mem;

	if (!region_aligned(mem) || len < sizeof(*t))
		return FAKEIP_BADTABLE;
	if (atomic_load_explicit(&t->magic, memory_order_acquire) !=
	    FAKEIP_MAGIC || t->version != FAKEIP_VERSION ||
	    t->hdr_size != sizeof(*t) ||
	    t->slot_size != sizeof(struct fakeip_slot))
		return FAKEIP_BADTABLE;
	if (!ranges_valid(t->v4net, t->v4prefix, t->v6net, t->v6prefix) ||
	    t->nslots == 0 || t->nslots > table_cap(t->v4prefix, t->v6prefix) ||
	    len < slots_size(t->nslots))
		return FAKEIP_BADTABLE;
	*out = t;
	return FAKEIP_OK;
}

void
fakeip_get_ranges(const struct fakeip_table *t, struct fakeip_ranges *r)
{
	memset(r, 0, sizeof(*r));
	memcpy(r->v4net, t->v4net, sizeof(r->v4net));
	r->v4prefix = t->v4prefix;
	memcpy(r->v6net, t->v6net, sizeof(r->v6net));
	r->v6prefix = t->v6prefix;
}

/*
 * State of a slot, waiting (bounded) while it is being written.  Still
 * WRITING on return means the writer is slow, dead, or the very thread
 * a signal handler interrupted: the caller takes the slot for another
 * name, so nothing ever blocks for good.  (At worst a name then gets a
 * second slot; both map back to it, so no fake is ever wrong.)
 */
static unsigned
slot_settled(const struct fakeip_slot *s)
{
	unsigned st = SLOT_WRITING;
	uint32_t i;

	for (i = 0; i < FAKEIP_SPIN; i++) {
		st = atomic_load_explicit(&s->state, memory_order_acquire);
		if (st != SLOT_WRITING)
			break;
		cpu_relax();
	}
	return st;
}

/* Does a settled slot hold norm (n bytes plus NUL)? */
static bool
slot_holds(const struct fakeip_slot *s, unsigned st, const char *norm,
    size_t n)
{
	return st == SLOT_READY && memcmp(s->name, norm, n + 1) == 0;
}

/* Claim an EMPTY slot for norm; false when someone else got it first. */
static bool
slot_claim(struct fakeip_slot *s, const char *norm, size_t n,
    unsigned *st)
{
	unsigned expected = SLOT_EMPTY;

	if (!atomic_compare_exchange_strong_explicit(&s->state, &expected,
	    SLOT_WRITING, memory_order_acquire, memory_order_acquire)) {
		*st = expected;
		return false;
	}
	memcpy(s->name, norm, n + 1);
	atomic_store_explicit(&s->state, SLOT_READY, memory_order_release);
	return true;
}

/*
 * Linear probing from the name's hash.  Lookup and insertion are one
 * walk: the name, if present, lies before the first EMPTY slot, which
 * is where it goes otherwise.  Two inserters of one name meet at the
 * same EMPTY slot; the loser of the CAS waits for the winner's name.
 */
enum fakeip_status
fakeip_lookup_name(struct fakeip_table *t, const char *name,
    uint32_t *slot)
{
	char norm[FAKEIP_NAME_MAX + 1];
	struct fakeip_slot *s;
	uint32_t i, k, n_slots = t->nslots;
	unsigned st;
	size_t n;

	if ((n = name_normalise(name, norm)) == 0)
		return FAKEIP_BADNAME;
	i = (uint32_t)(fnv1a64(norm, n) % n_slots);
	for (k = 0; k < n_slots; k++, i = i + 1 == n_slots ? 0 : i + 1) {
		s = &t->slots[i];
		st = atomic_load_explicit(&s->state, memory_order_acquire);
		if (st == SLOT_EMPTY && slot_claim(s, norm, n, &st)) {
			*slot = i;
			return FAKEIP_OK;
		}
		if (st == SLOT_WRITING)
			st = slot_settled(s);
		if (slot_holds(s, st, norm, n)) {
			*slot = i;
			return FAKEIP_OK;
		}
	}
	return FAKEIP_FULL;
}

enum fakeip_status
fakeip_find_name(const struct fakeip_table *t, const char *name,
    uint32_t *slot)
{
	char norm[FAKEIP_NAME_MAX + 1];
	const struct fakeip_slot *s;
	uint32_t i, k, n_slots = t->nslots;
	unsigned st;
	size_t n;

	if ((n = name_normalise(name, norm)) == 0)
		return FAKEIP_BADNAME;
	i = (uint32_t)(fnv1a64(norm, n) % n_slots);
	for (k = 0; k < n_slots; k++, i = i + 1 == n_slots ? 0 : i + 1) {
		s = &t->slots[i];
		st = atomic_load_explicit(&s->state, memory_order_acquire);
		if (st == SLOT_EMPTY)
			break;
		if (st == SLOT_WRITING)
			st = slot_settled(s);
		if (slot_holds(s, st, norm, n)) {
			*slot = i;
			return FAKEIP_OK;
		}
	}
	return FAKEIP_UNKNOWN;
}

/*
 * Pure arithmetic: slot i is host i + 1 in both ranges (the network
 * address itself is never a fake).  FAKEIP_UNKNOWN for a slot past the
 * table, FAKEIP_NOTFAKE for a family with no fake range.
 */
enum fakeip_status
fakeip_slot_addr(const struct fakeip_table *t, uint32_t slot, int family,
    uint16_t port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	uint32_t host;
	uint8_t *a;

	if (family != AF_INET && family != AF_INET6)
		return FAKEIP_NOTFAKE;
	if (slot >= t->nslots)
		return FAKEIP_UNKNOWN;
	host = slot + 1;
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		a = (uint8_t *)&sin->sin_addr;
		memcpy(a, t->v4net, 4);
		*len = sizeof(*sin);
	} else {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		a = sin6->sin6_addr.s6_addr;
		memcpy(a, t->v6net, 16);
		a += 12;
		*len = sizeof(*sin6);
	}
	/* host < 2^hostbits and the net's host bits are 0: OR adds. */
	a[0] |= (uint8_t)(host >> 24);
	a[1] |= (uint8_t)(host >> 16);
	a[2] |= (uint8_t)(host >> 8);
	a[3] |= (uint8_t)host;
	return FAKEIP_OK;
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* Host part of a in a range with hostbits host bits (at most 32 used). */
static uint32_t
host_part(const uint8_t *a, unsigned hostbits)
{
	uint32_t v = be32(a);

	return hostbits >= 32 ? v : v & ((UINT32_C(1) << hostbits) - 1);
}

/*
 * The address bytes of sa and their range, v4-mapped unwrapped: sets
 * *a (4 or 16 bytes) and returns 4 or 16, or 0 outside both ranges.
 */
static int
range_of(const uint8_t *v4net, unsigned v4prefix, const uint8_t *v6net,
    unsigned v6prefix, const struct sockaddr *sa, const uint8_t **a)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;

	if (sa->sa_family == AF_INET)
		*a = (const uint8_t *)&sin->sin_addr;
	else if (sa->sa_family == AF_INET6) {
		*a = sin6->sin6_addr.s6_addr;
		if (addr_is_v4mapped(*a))
			*a += 12;
		else
			return v6prefix <= 128 &&
			    addr_prefix_match(*a, v6net, v6prefix) ? 16 : 0;
	} else
		return 0;
	return v4prefix <= 32 && addr_prefix_match(*a, v4net, v4prefix) ? 4 : 0;
}

enum fakeip_status
fakeip_slot_of(const struct fakeip_table *t, const struct sockaddr *sa,
    uint32_t *slot)
{
	const uint8_t *a;
	uint32_t host;
	unsigned st;

	switch (range_of(t->v4net, t->v4prefix, t->v6net, t->v6prefix, sa,
	    &a)) {
	case 4:
		host = host_part(a, 32 - t->v4prefix);
		break;
	case 16:
		/* Host parts wider than 32 bits number no slot. */
		if (memcmp(a, t->v6net, 12) != 0)
			return FAKEIP_UNKNOWN;
		host = host_part(a + 12, 128 - t->v6prefix);
		break;
	default:
		return FAKEIP_NOTFAKE;
	}
	if (host == 0 || host > t->nslots)
		return FAKEIP_UNKNOWN;
	st = atomic_load_explicit(&t->slots[host - 1].state,
	    memory_order_acquire);
	if (st != SLOT_READY)
		return FAKEIP_UNKNOWN;
	*slot = host - 1;
	return FAKEIP_OK;
}

/*
 * The name is copied out of the shared region bounded, so a damaged
 * slot without a NUL reads as unknown.  A buf too short for the name
 * gives FAKEIP_FULL (the header asks for FAKEIP_NAME_MAX + 1 bytes).
 */
enum fakeip_status
fakeip_slot_name(const struct fakeip_table *t, uint32_t slot, char *buf,
    size_t len)
{
	const struct fakeip_slot *s;
	size_t n;

	if (slot >= t->nslots)
		return FAKEIP_UNKNOWN;
	s = &t->slots[slot];
	if (atomic_load_explicit(&s->state, memory_order_acquire) !=
	    SLOT_READY)
		return FAKEIP_UNKNOWN;
	n = strnlen(s->name, sizeof(s->name));
	if (n == 0 || n == sizeof(s->name))
		return FAKEIP_UNKNOWN;
	if (n >= len)
		return FAKEIP_FULL;
	memcpy(buf, s->name, n + 1);
	return FAKEIP_OK;
}

bool
fakeip_in_ranges(const struct fakeip_ranges *r, const struct sockaddr *sa)
{
	const uint8_t *a;

	return range_of(r->v4net, r->v4prefix, r->v6net, r->v6prefix, sa,
	    &a) != 0;
}

void
fakeip_set_flags(struct fakeip_table *t, uint64_t bits)
{
	atomic_fetch_or_explicit(&t->flags, bits, memory_order_release);
}

uint64_t
fakeip_flags(const struct fakeip_table *t)
{
	/* Reading an atomic through a const table is fine: no store. */
	struct fakeip_table *w = (struct fakeip_table *)(uintptr_t)t;

	return atomic_load_explicit(&w->flags, memory_order_acquire);
}

enum fakeip_verdict
fakeip_verdict(const struct fakeip_table *t, uint32_t slot, uint64_t now)
{
	uint64_t v;

	if (slot >= t->nslots)
		return FAKEIP_UNVERIFIED;
	/* Reading an atomic through a const table is fine: no store. */
	v = atomic_load_explicit(&((struct fakeip_slot *)(uintptr_t)
	    &t->slots[slot])->verdict, memory_order_acquire);
	if ((v >> 2) <= now)
		return FAKEIP_UNVERIFIED;	/* never asked, or expired */
	return (enum fakeip_verdict)(v & 3);
}

void
fakeip_set_verdict(struct fakeip_table *t, uint32_t slot,
    enum fakeip_verdict v, uint64_t until)
{
	if (slot < t->nslots)
		atomic_store_explicit(&t->slots[slot].verdict,
		    until << 2 | ((uint64_t)v & 3), memory_order_release);
}

/*
 * The gateway words of a table mapped with len bytes: only where this
 * version puts them (right after the slots) and inside the mapping, so
 * a damaged or foreign header cannot point anywhere else.
 */
struct gwlist_backoff *
fakeip_backoff(struct fakeip_table *t, size_t len)
{
	size_t off = slots_size(t->nslots);

	if (t->gw_off == 0 || t->gw_off != off ||
	    len < off + sizeof(struct gwlist_backoff))
		return NULL;
	return (struct gwlist_backoff *)(void *)((char *)t + off);
}
