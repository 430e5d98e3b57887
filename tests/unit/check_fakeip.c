/*
 * check_fakeip.c - unit tests for the fake-address table
 * (preload/fakeip.h).
 *
 * Covered: fakeip_format/fakeip_attach (good, short or misaligned
 * region, bad magic, bad version, bad ranges, nslots cut to the
 * ranges), one slot and the same fakes per name (case, trailing dot),
 * distinct names, reverse look-ups in both families and v4-mapped,
 * NOTFAKE/UNKNOWN, fakeip_in_ranges, forced collisions and exhaustion
 * in an 8-slot table, refused names, 8 threads inserting overlapping
 * names, and sharing across fork (also 4 processes inserting at once).
 *
 * Not covered: a process dying between claiming a slot and publishing
 * it; the API gives no way to leave a slot half-written, and the tests
 * stay off the private layout except for the magic and version words,
 * whose offsets (0 and 4) are fixed in every format version.
 */
#include <sys/types.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fakeip.h"
#include "gwlist.h"

#define SA(p)	((const struct sockaddr *)(p))

/* --- helpers --- */

/* A table in shared anonymous memory, as without the wrapper. */
struct tbl {
	void			*mem;
	size_t			 len;
	struct fakeip_table	*t;
};

static struct fakeip_ranges
ranges(const char *v4, unsigned p4, const char *v6, unsigned p6)
{
	struct fakeip_ranges r;

	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(inet_pton(AF_INET, v4, r.v4net), 1);
	ck_assert_int_eq(inet_pton(AF_INET6, v6, r.v6net), 1);
	r.v4prefix = p4;
	r.v6prefix = p6;
	return r;
}

static struct fakeip_ranges
default_ranges(void)
{
	return ranges("240.0.0.0", 12, "100::", 64);
}

static void *
region(size_t len)
{
	void *mem;

	mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(mem, MAP_FAILED);
	return mem;
}

static struct tbl
tbl_new(uint32_t nslots)
{
	struct fakeip_ranges r = default_ranges();
	struct tbl b;

	b.len = fakeip_region_size(nslots);
	b.mem = region(b.len);
	ck_assert_int_eq(fakeip_format(b.mem, b.len, &r, nslots, &b.t),
	    FAKEIP_OK);
	return b;
}

static void
tbl_free(struct tbl *b)
{
	munmap(b->mem, b->len);
}

static uint32_t
lookup(struct fakeip_table *t, const char *name)
{
	uint32_t slot = UINT32_MAX;

	ck_assert_msg(fakeip_lookup_name(t, name, &slot) == FAKEIP_OK,
	    "lookup of \"%s\" failed", name);
	return slot;
}

static struct sockaddr_in
mk4(const char *ip, uint16_t port)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	ck_assert_int_eq(inet_pton(AF_INET, ip, &sin.sin_addr), 1);
	return sin;
}

static struct sockaddr_in6
mk6(const char *ip, uint16_t port)
{
	struct sockaddr_in6 sin6;

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(port);
	ck_assert_int_eq(inet_pton(AF_INET6, ip, &sin6.sin6_addr), 1);
	return sin6;
}

/* The fake of slot in family, as text; checks length and port. */
static const char *
fake_str(struct fakeip_table *t, uint32_t slot, int family)
{
	static char buf[INET6_ADDRSTRLEN];
	struct sockaddr_storage ss;
	socklen_t len = 0;
	const void *a;

	memset(&ss, 0xa5, sizeof(ss));
	ck_assert_int_eq(fakeip_slot_addr(t, slot, family, 8080, &ss, &len),
	    FAKEIP_OK);
	ck_assert_int_eq(ss.ss_family, family);
	if (family == AF_INET) {
		ck_assert_uint_eq(len, sizeof(struct sockaddr_in));
		ck_assert_uint_eq(((struct sockaddr_in *)&ss)->sin_port,
		    htons(8080));
		a = &((struct sockaddr_in *)&ss)->sin_addr;
	} else {
		ck_assert_uint_eq(len, sizeof(struct sockaddr_in6));
		ck_assert_uint_eq(((struct sockaddr_in6 *)&ss)->sin6_port,
		    htons(8080));
		ck_assert_uint_eq(((struct sockaddr_in6 *)&ss)->sin6_flowinfo,
		    0);
		ck_assert_uint_eq(((struct sockaddr_in6 *)&ss)->sin6_scope_id,
		    0);
		a = &((struct sockaddr_in6 *)&ss)->sin6_addr;
	}
	ck_assert_ptr_nonnull(inet_ntop(family, a, buf, sizeof(buf)));
	return buf;
}

/* Expect fakeip_slot_of(sa) to be want (and slot wslot when OK). */
static void
slot_of_is(struct fakeip_table *t, const struct sockaddr *sa,
    enum fakeip_status want, uint32_t wslot)
{
	uint32_t slot = UINT32_MAX;
	enum fakeip_status st;

	st = fakeip_slot_of(t, sa, &slot);
	ck_assert_int_eq(st, want);
	if (want == FAKEIP_OK)
		ck_assert_uint_eq(slot, wslot);
}

static void
name_is(struct fakeip_table *t, uint32_t slot, const char *want)
{
	char buf[FAKEIP_NAME_MAX + 1];

	memset(buf, 'X', sizeof(buf));
	ck_assert_int_eq(fakeip_slot_name(t, slot, buf, sizeof(buf)),
	    FAKEIP_OK);
	ck_assert_str_eq(buf, want);
}

/* --- format and attach --- */

START_TEST(test_format_attach)
{
	struct tbl b = tbl_new(FAKEIP_DEFAULT_SLOTS);
	struct fakeip_table *t2 = NULL;
	struct fakeip_ranges r, want = default_ranges();
	uint32_t slot;

	ck_assert_uint_ge(b.len, FAKEIP_DEFAULT_SLOTS *
	    (size_t)(FAKEIP_NAME_MAX + 1));
	ck_assert_uint_gt(fakeip_region_size(2), fakeip_region_size(1));
	fakeip_get_ranges(b.t, &r);
	ck_assert_mem_eq(r.v4net, want.v4net, 4);
	ck_assert_uint_eq(r.v4prefix, 12);
	ck_assert_mem_eq(r.v6net, want.v6net, 16);
	ck_assert_uint_eq(r.v6prefix, 64);

	slot = lookup(b.t, "example.org");
	ck_assert_int_eq(fakeip_attach(b.mem, b.len, &t2), FAKEIP_OK);
	ck_assert_ptr_nonnull(t2);
	name_is(t2, slot, "example.org");
	ck_assert_uint_eq(lookup(t2, "example.org"), slot);
	/* The last slot exists in a full-sized table. */
	ck_assert_str_eq(fake_str(t2, FAKEIP_DEFAULT_SLOTS - 1, AF_INET),
	    "240.0.64.0");
	ck_assert_int_eq(fakeip_slot_addr(t2, FAKEIP_DEFAULT_SLOTS, AF_INET,
	    0, &(struct sockaddr_storage){ 0 }, &(socklen_t){ 0 }),
	    FAKEIP_UNKNOWN);
	tbl_free(&b);
}
END_TEST

START_TEST(test_format_bad_region)
{
	struct fakeip_ranges r = default_ranges();
	struct fakeip_table *t = NULL;
	size_t len = fakeip_region_size(8);
	char *mem = region(len + 64);

	ck_assert_int_eq(fakeip_format(mem, len - 1, &r, 8, &t),
	    FAKEIP_BADTABLE);
	ck_assert_int_eq(fakeip_format(mem, 0, &r, 8, &t), FAKEIP_BADTABLE);
	ck_assert_int_eq(fakeip_format(mem + 1, len, &r, 8, &t),
	    FAKEIP_BADTABLE);
	ck_assert_int_eq(fakeip_format(NULL, len, &r, 8, &t),
	    FAKEIP_BADTABLE);
	ck_assert_int_eq(fakeip_format(mem, len, &r, 0, &t),
	    FAKEIP_BADTABLE);
	ck_assert_ptr_null(t);
	/* A smaller table fits; a larger one does not. */
	ck_assert_int_eq(fakeip_format(mem, len, &r, 9, &t),
	    FAKEIP_BADTABLE);
	ck_assert_int_eq(fakeip_format(mem, len, &r, 8, &t), FAKEIP_OK);
	munmap(mem, len + 64);
}
END_TEST

START_TEST(test_attach_bad)
{
	struct tbl b = tbl_new(8);
	struct fakeip_table *t = NULL;
	uint32_t *word = b.mem, save;
	char *zero = region(b.len);

	/* Never formatted: no magic. */
	ck_assert_int_eq(fakeip_attach(zero, b.len, &t), FAKEIP_BADTABLE);
	/* Too short for the header, or for its slots. */
	ck_assert_int_eq(fakeip_attach(b.mem, 4, &t), FAKEIP_BADTABLE);
	ck_assert_int_eq(fakeip_attach(b.mem, b.len -
	    sizeof(struct gwlist_backoff) - 1, &t), FAKEIP_BADTABLE);
	ck_assert_int_eq(fakeip_attach(NULL, b.len, &t), FAKEIP_BADTABLE);
	ck_assert_ptr_null(t);
	/* Wrong magic (word 0), wrong version (word 1). */
	save = word[0];
	word[0] ^= 0x01000000;
	ck_assert_int_eq(fakeip_attach(b.mem, b.len, &t), FAKEIP_BADTABLE);
	word[0] = save;
	save = word[1];
	word[1] = save + 1;
	ck_assert_int_eq(fakeip_attach(b.mem, b.len, &t), FAKEIP_BADTABLE);
	word[1] = 0;
	ck_assert_int_eq(fakeip_attach(b.mem, b.len, &t), FAKEIP_BADTABLE);
	word[1] = save;
	ck_assert_ptr_null(t);
	ck_assert_int_eq(fakeip_attach(b.mem, b.len, &t), FAKEIP_OK);
	ck_assert_ptr_eq(t, b.t);
	munmap(zero, b.len);
	tbl_free(&b);
}
END_TEST

/* Expect fakeip_format to refuse the ranges. */
static void
badrange(const char *v4, unsigned p4, const char *v6, unsigned p6)
{
	struct fakeip_ranges r = ranges(v4, p4, v6, p6);
	struct fakeip_table *t = NULL;
	size_t len = fakeip_region_size(64);
	void *mem = region(len);

	ck_assert_msg(fakeip_format(mem, len, &r, 64, &t) == FAKEIP_BADRANGE,
	    "%s/%u %s/%u accepted", v4, p4, v6, p6);
	ck_assert_ptr_null(t);
	munmap(mem, len);
}

START_TEST(test_format_bad_ranges)
{
	badrange("240.0.0.0", 31, "100::", 64);
	badrange("240.0.0.0", 32, "100::", 64);
	badrange("240.0.0.0", 33, "100::", 64);
	badrange("240.0.0.0", 12, "100::", 127);
	badrange("240.0.0.0", 12, "100::", 128);
	badrange("240.0.0.0", 12, "100::", 129);
	/* Host bits set. */
	badrange("240.0.0.1", 12, "100::", 64);
	badrange("240.8.0.0", 12, "100::", 64);
	badrange("240.0.0.0", 12, "100::1", 64);
	badrange("240.0.0.0", 12, "100:0:0:0:1::", 64);
	badrange("10.0.0.0", 0, "100::", 64);
	/* Inside ::ffff:0:0/96, fakes would read back as IPv4. */
	badrange("240.0.0.0", 12, "::ffff:10.0.0.0", 104);
	badrange("240.0.0.0", 12, "::ffff:0.0.0.0", 96);
}
END_TEST

/* nslots is cut to what the smaller range numbers (first, last kept). */
START_TEST(test_format_cap)
{
	struct fakeip_ranges r = ranges("240.0.0.0", 30, "100::", 64);
	struct fakeip_table *t;
	size_t len = fakeip_region_size(64);
	void *mem = region(len);
	uint32_t a, b, c;

	ck_assert_int_eq(fakeip_format(mem, len, &r, 64, &t), FAKEIP_OK);
	a = lookup(t, "a.example");
	b = lookup(t, "b.example");
	ck_assert_uint_ne(a, b);
	ck_assert_int_eq(fakeip_lookup_name(t, "c.example", &c), FAKEIP_FULL);
	ck_assert_str_eq(fake_str(t, 0, AF_INET), "240.0.0.1");
	ck_assert_str_eq(fake_str(t, 1, AF_INET), "240.0.0.2");
	ck_assert_int_eq(fakeip_slot_addr(t, 2, AF_INET, 0,
	    &(struct sockaddr_storage){ 0 }, &(socklen_t){ 0 }),
	    FAKEIP_UNKNOWN);
	munmap(mem, len);

	/* The same with the IPv6 range the smaller: /124 numbers 14. */
	r = ranges("240.0.0.0", 12, "100::", 124);
	len = fakeip_region_size(14);
	mem = region(len);
	ck_assert_int_eq(fakeip_format(mem, len, &r, 1000, &t), FAKEIP_OK);
	ck_assert_str_eq(fake_str(t, 13, AF_INET6), "100::e");
	ck_assert_str_eq(fake_str(t, 13, AF_INET), "240.0.0.14");
	ck_assert_int_eq(fakeip_slot_addr(t, 14, AF_INET6, 0,
	    &(struct sockaddr_storage){ 0 }, &(socklen_t){ 0 }),
	    FAKEIP_UNKNOWN);
	munmap(mem, len);

	/* Non-default ranges give addresses in them. */
	r = ranges("198.18.4.0", 22, "fd00:1:2:3:4:5::", 96);
	len = fakeip_region_size(300);
	mem = region(len);
	ck_assert_int_eq(fakeip_format(mem, len, &r, 300, &t), FAKEIP_OK);
	ck_assert_str_eq(fake_str(t, 299, AF_INET), "198.18.5.44");
	ck_assert_str_eq(fake_str(t, 299, AF_INET6), "fd00:1:2:3:4:5:0:12c");
	munmap(mem, len);
}
END_TEST

/* --- forward look-ups --- */

START_TEST(test_same_name)
{
	struct tbl b = tbl_new(FAKEIP_DEFAULT_SLOTS);
	uint32_t s, s2;
	char v4[INET6_ADDRSTRLEN], v6[INET6_ADDRSTRLEN];

	s = lookup(b.t, "example.org");
	ck_assert_uint_lt(s, FAKEIP_DEFAULT_SLOTS);
	snprintf(v4, sizeof(v4), "240.0.%u.%u", (s + 1) >> 8,
	    (s + 1) & 0xff);
	snprintf(v6, sizeof(v6), "100::%x", s + 1);
	ck_assert_str_eq(fake_str(b.t, s, AF_INET), v4);
	ck_assert_str_eq(fake_str(b.t, s, AF_INET6), v6);

	ck_assert_uint_eq(lookup(b.t, "example.org"), s);
	ck_assert_uint_eq(lookup(b.t, "Example.ORG"), s);
	ck_assert_uint_eq(lookup(b.t, "EXAMPLE.ORG."), s);
	ck_assert_uint_eq(lookup(b.t, "example.org."), s);
	s2 = UINT32_MAX;
	ck_assert_int_eq(fakeip_find_name(b.t, "eXample.org.", &s2),
	    FAKEIP_OK);
	ck_assert_uint_eq(s2, s);
	ck_assert_str_eq(fake_str(b.t, s2, AF_INET), v4);
	ck_assert_str_eq(fake_str(b.t, s2, AF_INET6), v6);
	name_is(b.t, s, "example.org");

	/* Only one trailing dot goes. */
	s2 = lookup(b.t, "example.org..");
	ck_assert_uint_ne(s2, s);
	name_is(b.t, s2, "example.org.");
	tbl_free(&b);
}
END_TEST

START_TEST(test_find_absent)
{
	struct tbl b = tbl_new(FAKEIP_DEFAULT_SLOTS);
	uint32_t s = 77;

	ck_assert_int_eq(fakeip_find_name(b.t, "nowhere.example", &s),
	    FAKEIP_UNKNOWN);
	ck_assert_uint_eq(s, 77);
	/* find_name never inserts. */
	ck_assert_int_eq(fakeip_find_name(b.t, "nowhere.example", &s),
	    FAKEIP_UNKNOWN);
	s = lookup(b.t, "nowhere.example");
	ck_assert_int_eq(fakeip_find_name(b.t, "NOWHERE.example", &s),
	    FAKEIP_OK);
	tbl_free(&b);
}
END_TEST

START_TEST(test_distinct_names)
{
	struct tbl b = tbl_new(FAKEIP_DEFAULT_SLOTS);
	static uint32_t slots[2000];
	static bool used[FAKEIP_DEFAULT_SLOTS];
	char name[64];
	int i;

	for (i = 0; i < 2000; i++) {
		snprintf(name, sizeof(name), "host%d.example.com", i);
		slots[i] = lookup(b.t, name);
		ck_assert_uint_lt(slots[i], FAKEIP_DEFAULT_SLOTS);
		ck_assert_msg(!used[slots[i]], "slot %u given twice",
		    slots[i]);
		used[slots[i]] = true;
	}
	for (i = 0; i < 2000; i++) {
		snprintf(name, sizeof(name), "HOST%d.example.com.", i);
		ck_assert_uint_eq(lookup(b.t, name), slots[i]);
		snprintf(name, sizeof(name), "host%d.example.com", i);
		name_is(b.t, slots[i], name);
	}
	tbl_free(&b);
}
END_TEST

/* --- reverse look-ups --- */

START_TEST(test_reverse)
{
	struct tbl b = tbl_new(FAKEIP_DEFAULT_SLOTS);
	struct sockaddr_storage ss;
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	socklen_t len;
	uint32_t s, s2;
	char mapped[64];

	s = lookup(b.t, "WWW.Example.net.");
	s2 = lookup(b.t, "mail.example.net");

	ck_assert_int_eq(fakeip_slot_addr(b.t, s, AF_INET, 443, &ss, &len),
	    FAKEIP_OK);
	slot_of_is(b.t, SA(&ss), FAKEIP_OK, s);
	ck_assert_int_eq(fakeip_slot_addr(b.t, s, AF_INET6, 443, &ss, &len),
	    FAKEIP_OK);
	slot_of_is(b.t, SA(&ss), FAKEIP_OK, s);
	name_is(b.t, s, "www.example.net");

	/* From text, any port; v4-mapped reads as IPv4. */
	sin = mk4(fake_str(b.t, s2, AF_INET), 0);
	slot_of_is(b.t, SA(&sin), FAKEIP_OK, s2);
	snprintf(mapped, sizeof(mapped), "::ffff:%s",
	    fake_str(b.t, s2, AF_INET));
	sin6 = mk6(mapped, 80);
	slot_of_is(b.t, SA(&sin6), FAKEIP_OK, s2);
	sin6 = mk6(fake_str(b.t, s2, AF_INET6), 22);
	slot_of_is(b.t, SA(&sin6), FAKEIP_OK, s2);
	name_is(b.t, s2, "mail.example.net");
	tbl_free(&b);
}
END_TEST

START_TEST(test_notfake_unknown)
{
	struct tbl b = tbl_new(FAKEIP_DEFAULT_SLOTS);
	struct fakeip_ranges r = default_ranges();
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	struct sockaddr_un sun;
	char buf[FAKEIP_NAME_MAX + 1];
	uint32_t s, free_slot;

	s = lookup(b.t, "known.example");
	free_slot = s == 0 ? 1 : s - 1;

	/* Outside both ranges. */
	sin = mk4("10.0.0.1", 80);
	slot_of_is(b.t, SA(&sin), FAKEIP_NOTFAKE, 0);
	ck_assert(!fakeip_in_ranges(&r, SA(&sin)));
	sin = mk4("240.16.0.1", 80);
	slot_of_is(b.t, SA(&sin), FAKEIP_NOTFAKE, 0);
	sin = mk4("239.255.255.255", 80);
	slot_of_is(b.t, SA(&sin), FAKEIP_NOTFAKE, 0);
	sin6 = mk6("2001:db8::1", 80);
	slot_of_is(b.t, SA(&sin6), FAKEIP_NOTFAKE, 0);
	ck_assert(!fakeip_in_ranges(&r, SA(&sin6)));
	sin6 = mk6("100:0:0:1::1", 80);
	slot_of_is(b.t, SA(&sin6), FAKEIP_NOTFAKE, 0);
	sin6 = mk6("::ffff:10.0.0.1", 80);
	slot_of_is(b.t, SA(&sin6), FAKEIP_NOTFAKE, 0);
	ck_assert(!fakeip_in_ranges(&r, SA(&sin6)));
	/* IPv4-compatible (not mapped) stays IPv6: not fake. */
	sin6 = mk6("::240.0.0.1", 80);
	slot_of_is(b.t, SA(&sin6), FAKEIP_NOTFAKE, 0);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	slot_of_is(b.t, SA(&sun), FAKEIP_NOTFAKE, 0);
	ck_assert(!fakeip_in_ranges(&r, SA(&sun)));

	/* Inside, but no name: network address, free slot, past nslots. */
	sin = mk4("240.0.0.0", 80);
	slot_of_is(b.t, SA(&sin), FAKEIP_UNKNOWN, 0);
	ck_assert(fakeip_in_ranges(&r, SA(&sin)));
	sin = mk4(fake_str(b.t, free_slot, AF_INET), 80);
	slot_of_is(b.t, SA(&sin), FAKEIP_UNKNOWN, 0);
	sin = mk4("240.0.64.1", 80);
	slot_of_is(b.t, SA(&sin), FAKEIP_UNKNOWN, 0);
	sin = mk4("240.15.255.255", 80);
	slot_of_is(b.t, SA(&sin), FAKEIP_UNKNOWN, 0);
	ck_assert(fakeip_in_ranges(&r, SA(&sin)));
	sin6 = mk6("::ffff:240.15.255.255", 80);
	slot_of_is(b.t, SA(&sin6), FAKEIP_UNKNOWN, 0);
	ck_assert(fakeip_in_ranges(&r, SA(&sin6)));
	sin6 = mk6("100::", 80);
	slot_of_is(b.t, SA(&sin6), FAKEIP_UNKNOWN, 0);
	sin6 = mk6(fake_str(b.t, free_slot, AF_INET6), 80);
	slot_of_is(b.t, SA(&sin6), FAKEIP_UNKNOWN, 0);
	sin6 = mk6("100::4001", 80);
	slot_of_is(b.t, SA(&sin6), FAKEIP_UNKNOWN, 0);
	/* Host part beyond 32 bits, or with its low bits a known slot. */
	snprintf(buf, sizeof(buf), "100::1:0:%x", s + 1);
	sin6 = mk6(buf, 80);
	slot_of_is(b.t, SA(&sin6), FAKEIP_UNKNOWN, 0);
	snprintf(buf, sizeof(buf), "100::8000:0:0:%x", s + 1);
	sin6 = mk6(buf, 80);
	slot_of_is(b.t, SA(&sin6), FAKEIP_UNKNOWN, 0);
	ck_assert(fakeip_in_ranges(&r, SA(&sin6)));
	sin6 = mk6("100::ffff:ffff:ffff:ffff", 80);
	slot_of_is(b.t, SA(&sin6), FAKEIP_UNKNOWN, 0);

	/* Names of free or missing slots; a buffer too short. */
	ck_assert_int_eq(fakeip_slot_name(b.t, free_slot, buf, sizeof(buf)),
	    FAKEIP_UNKNOWN);
	ck_assert_int_eq(fakeip_slot_name(b.t, FAKEIP_DEFAULT_SLOTS, buf,
	    sizeof(buf)), FAKEIP_UNKNOWN);
	ck_assert_int_eq(fakeip_slot_name(b.t, UINT32_MAX, buf, sizeof(buf)),
	    FAKEIP_UNKNOWN);
	ck_assert_int_ne(fakeip_slot_name(b.t, s, buf, 5), FAKEIP_OK);
	ck_assert_int_eq(fakeip_slot_name(b.t, s, buf, 14), FAKEIP_OK);
	ck_assert_str_eq(buf, "known.example");
	/* Families without a fake range. */
	ck_assert_int_eq(fakeip_slot_addr(b.t, s, AF_UNIX, 0,
	    &(struct sockaddr_storage){ 0 }, &(socklen_t){ 0 }),
	    FAKEIP_NOTFAKE);
	tbl_free(&b);
}
END_TEST

/* --- small tables --- */

/* Eight names in eight slots collide on their first choice. */
START_TEST(test_collisions)
{
	struct tbl b = tbl_new(8);
	const char *names[8] = {
		"a.example", "b.example", "c.example", "d.example",
		"e.example", "f.example", "g.example", "h.example"
	};
	struct sockaddr_in sin;
	uint32_t slots[8], s;
	bool used[8] = { false };
	int i, round;

	for (i = 0; i < 8; i++) {
		slots[i] = lookup(b.t, names[i]);
		ck_assert_uint_lt(slots[i], 8);
		ck_assert(!used[slots[i]]);
		used[slots[i]] = true;
	}
	for (round = 0; round < 3; round++)
		for (i = 7; i >= 0; i--) {
			ck_assert_uint_eq(lookup(b.t, names[i]), slots[i]);
			ck_assert_int_eq(fakeip_find_name(b.t, names[i], &s),
			    FAKEIP_OK);
			ck_assert_uint_eq(s, slots[i]);
			name_is(b.t, slots[i], names[i]);
			sin = mk4(fake_str(b.t, s, AF_INET), 1);
			slot_of_is(b.t, SA(&sin), FAKEIP_OK, slots[i]);
		}
	tbl_free(&b);
}
END_TEST

START_TEST(test_exhaustion)
{
	struct tbl b = tbl_new(8);
	uint32_t slots[8], s;
	char name[32];
	int i;

	for (i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "n%d.test", i);
		slots[i] = lookup(b.t, name);
	}
	s = 99;
	ck_assert_int_eq(fakeip_lookup_name(b.t, "one.more", &s),
	    FAKEIP_FULL);
	ck_assert_int_eq(fakeip_lookup_name(b.t, "another.one", &s),
	    FAKEIP_FULL);
	ck_assert_uint_eq(s, 99);
	ck_assert_int_eq(fakeip_find_name(b.t, "one.more", &s),
	    FAKEIP_UNKNOWN);
	for (i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "N%d.TEST.", i);
		ck_assert_uint_eq(lookup(b.t, name), slots[i]);
		ck_assert_int_eq(fakeip_find_name(b.t, name, &s), FAKEIP_OK);
		ck_assert_uint_eq(s, slots[i]);
	}
	tbl_free(&b);
}
END_TEST

/* Every slot is usable whatever the hash: fill tiny tables to the brim. */
START_TEST(test_fill)
{
	struct tbl b;
	char name[32];
	uint32_t s, nslots, used;
	int round, i;

	for (nslots = 1; nslots <= 8; nslots++)
		for (round = 0; round < 20; round++) {
			b = tbl_new(nslots);
			used = 0;
			for (i = 0; used < nslots; i++) {
				snprintf(name, sizeof(name), "r%d-%d.example",
				    round, i);
				s = lookup(b.t, name);
				ck_assert_uint_lt(s, nslots);
				used++;
			}
			for (s = 0; s < nslots; s++)
				ck_assert_int_eq(fakeip_slot_name(b.t, s, name,
				    sizeof(name)), FAKEIP_OK);
			ck_assert_int_eq(fakeip_lookup_name(b.t, "x.example",
			    &s), FAKEIP_FULL);
			tbl_free(&b);
		}
}
END_TEST

/* --- names --- */

static void
badname(struct fakeip_table *t, const char *name)
{
	uint32_t s;

	ck_assert_msg(fakeip_lookup_name(t, name, &s) == FAKEIP_BADNAME,
	    "\"%s\" accepted", name);
	ck_assert_msg(fakeip_find_name(t, name, &s) == FAKEIP_BADNAME,
	    "\"%s\" accepted by find", name);
}

START_TEST(test_bad_names)
{
	struct tbl b = tbl_new(64);
	char longname[FAKEIP_NAME_MAX + 3];
	uint32_t s, s2;

	badname(b.t, "");
	badname(b.t, ".");
	badname(b.t, "a b.example");
	badname(b.t, " a.example");
	badname(b.t, "a/b");
	badname(b.t, "fe80::1%eth0");
	badname(b.t, "a%b");
	badname(b.t, "[::1]");
	badname(b.t, "a]");
	badname(b.t, "a\\b");
	badname(b.t, "a\tb");
	badname(b.t, "a\nb");
	badname(b.t, "a\x7f");
	badname(b.t, "\x01");

	/* 255 bytes pass (with or without the dot), 256 do not. */
	memset(longname, 'a', sizeof(longname));
	longname[FAKEIP_NAME_MAX] = '\0';
	s = lookup(b.t, longname);
	longname[FAKEIP_NAME_MAX] = '.';
	longname[FAKEIP_NAME_MAX + 1] = '\0';
	ck_assert_uint_eq(lookup(b.t, longname), s);
	longname[FAKEIP_NAME_MAX] = 'a';
	badname(b.t, longname);
	longname[FAKEIP_NAME_MAX + 1] = '.';
	longname[FAKEIP_NAME_MAX + 2] = '\0';
	badname(b.t, longname);

	/* Permissive on the rest. */
	s = lookup(b.t, "xn--bcher-kva.example");
	name_is(b.t, s, "xn--bcher-kva.example");
	s = lookup(b.t, "_srv._tcp.Example.COM");
	name_is(b.t, s, "_srv._tcp.example.com");
	lookup(b.t, "a");
	lookup(b.t, "under_score-dash.example");
	lookup(b.t, "b\xc3\xbc" "cher.example");
	/* Non-ASCII bytes are not case-folded. */
	s = lookup(b.t, "\xc3\x9c.example");
	s2 = lookup(b.t, "\xc3\xbc.example");
	ck_assert_uint_ne(s, s2);
	tbl_free(&b);
}
END_TEST

/* --- concurrency --- */

#define NTHREADS	8
#define NLOOKUPS	2000
#define NNAMES		3000

struct worker {
	struct fakeip_table	*t;
	pthread_barrier_t	*start;
	unsigned		 seed;
	uint32_t		 seen[NNAMES];	/* UINT32_MAX: not looked up */
	int			 errors;
};

static void
worker_name(char *buf, size_t len, unsigned i)
{
	/* Case and trailing dot vary: same names, other spellings. */
	snprintf(buf, len, i % 3 == 0 ? "Host-%u.Example.ORG." :
	    "host-%u.example.org", i);
}

static void *
worker_run(void *arg)
{
	struct worker *w = arg;
	char name[64];
	uint32_t slot;
	unsigned i, k, x = w->seed;

	pthread_barrier_wait(w->start);
	for (k = 0; k < NLOOKUPS; k++) {
		x = x * 1103515245u + 12345u;
		i = (x >> 8) % NNAMES;
		worker_name(name, sizeof(name), i);
		if (fakeip_lookup_name(w->t, name, &slot) != FAKEIP_OK ||
		    (w->seen[i] != UINT32_MAX && w->seen[i] != slot)) {
			w->errors++;
			continue;
		}
		w->seen[i] = slot;
	}
	return NULL;
}

/* Every slot's name once at most, and nothing but looked-up names. */
static void
check_table_names(struct fakeip_table *t, uint32_t nslots,
    const uint32_t *want)
{
	static uint32_t count[NNAMES];
	char name[FAKEIP_NAME_MAX + 1];
	unsigned i;
	uint32_t s;

	memset(count, 0, sizeof(count));
	for (s = 0; s < nslots; s++) {
		if (fakeip_slot_name(t, s, name, sizeof(name)) != FAKEIP_OK)
			continue;
		ck_assert_msg(sscanf(name, "host-%u.example.org", &i) == 1 &&
		    i < NNAMES, "stray name \"%s\"", name);
		ck_assert_msg(want[i] == s, "\"%s\" in slot %u, want %u",
		    name, s, want[i]);
		count[i]++;
	}
	for (i = 0; i < NNAMES; i++)
		ck_assert_uint_eq(count[i], want[i] == UINT32_MAX ? 0 : 1);
}

START_TEST(test_threads)
{
	struct tbl b = tbl_new(FAKEIP_DEFAULT_SLOTS);
	static struct worker w[NTHREADS];
	static uint32_t slot_of_name[NNAMES];
	pthread_t th[NTHREADS];
	pthread_barrier_t start;
	unsigned i, j, seen = 0;

	ck_assert_int_eq(pthread_barrier_init(&start, NULL, NTHREADS), 0);
	for (i = 0; i < NTHREADS; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		memset(w[i].seen, 0xff, sizeof(w[i].seen));
		w[i].t = b.t;
		w[i].start = &start;
		w[i].seed = 7 + i * 1000003u;
		ck_assert_int_eq(pthread_create(&th[i], NULL, worker_run,
		    &w[i]), 0);
	}
	for (i = 0; i < NTHREADS; i++)
		ck_assert_int_eq(pthread_join(th[i], NULL), 0);
	pthread_barrier_destroy(&start);

	/* Each thread agrees with the others and with the table. */
	memset(slot_of_name, 0xff, sizeof(slot_of_name));
	for (i = 0; i < NTHREADS; i++) {
		ck_assert_int_eq(w[i].errors, 0);
		for (j = 0; j < NNAMES; j++) {
			if (w[i].seen[j] == UINT32_MAX)
				continue;
			if (slot_of_name[j] == UINT32_MAX) {
				slot_of_name[j] = w[i].seen[j];
				seen++;
			}
			ck_assert_uint_eq(w[i].seen[j], slot_of_name[j]);
		}
	}
	ck_assert_uint_gt(seen, NNAMES / 2);
	check_table_names(b.t, FAKEIP_DEFAULT_SLOTS, slot_of_name);
	tbl_free(&b);
}
END_TEST

#define CROWD_PER	4096
#define CROWD_SLOTS	(NTHREADS * CROWD_PER)

struct crowd {
	struct fakeip_table	*t;
	pthread_barrier_t	*start;
	unsigned		 id;
	uint32_t		 slot[CROWD_PER];
	int			 errors;
};

static void *
crowd_run(void *arg)
{
	struct crowd *c = arg;
	char name[64];
	unsigned i;

	pthread_barrier_wait(c->start);
	for (i = 0; i < CROWD_PER; i++) {
		snprintf(name, sizeof(name), "t%u-%u.crowd", c->id, i);
		if (fakeip_lookup_name(c->t, name, &c->slot[i]) != FAKEIP_OK)
			c->errors++;
	}
	return NULL;
}

/*
 * Threads inserting different names into a table they fill exactly:
 * near the end every thread probes for the same few free slots, so
 * claims collide; no slot may go to two names, none may be lost.
 */
START_TEST(test_threads_crowded)
{
	static struct crowd c[NTHREADS];
	static bool used[CROWD_SLOTS];
	pthread_t th[NTHREADS];
	pthread_barrier_t start;
	struct tbl b;
	char name[64];
	unsigned i, j, round;

	for (round = 0; round < 4; round++) {
		b = tbl_new(CROWD_SLOTS);
		memset(used, 0, sizeof(used));
		ck_assert_int_eq(pthread_barrier_init(&start, NULL,
		    NTHREADS), 0);
		for (i = 0; i < NTHREADS; i++) {
			memset(&c[i], 0, sizeof(c[i]));
			c[i].t = b.t;
			c[i].start = &start;
			c[i].id = i;
			ck_assert_int_eq(pthread_create(&th[i], NULL,
			    crowd_run, &c[i]), 0);
		}
		for (i = 0; i < NTHREADS; i++)
			ck_assert_int_eq(pthread_join(th[i], NULL), 0);
		pthread_barrier_destroy(&start);
		for (i = 0; i < NTHREADS; i++) {
			ck_assert_int_eq(c[i].errors, 0);
			for (j = 0; j < CROWD_PER; j++) {
				ck_assert_uint_lt(c[i].slot[j], CROWD_SLOTS);
				ck_assert_msg(!used[c[i].slot[j]],
				    "slot %u twice", c[i].slot[j]);
				used[c[i].slot[j]] = true;
				snprintf(name, sizeof(name), "t%u-%u.crowd",
				    i, j);
				name_is(b.t, c[i].slot[j], name);
			}
		}
		tbl_free(&b);
	}
}
END_TEST

/* --- processes --- */

START_TEST(test_fork)
{
	struct tbl b = tbl_new(FAKEIP_DEFAULT_SLOTS);
	uint32_t *shared, parent_slot, s;
	struct fakeip_table *t;
	char name[64];
	pid_t pid;
	int i, status;

	shared = region(100 * sizeof(uint32_t));
	parent_slot = lookup(b.t, "parent.example");
	pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		/* A child as an exec'd program would: attach, look up. */
		if (fakeip_attach(b.mem, b.len, &t) != FAKEIP_OK)
			_exit(10);
		if (fakeip_find_name(t, "Parent.Example", &s) != FAKEIP_OK ||
		    s != parent_slot)
			_exit(11);
		for (i = 0; i < 100; i++) {
			snprintf(name, sizeof(name), "child%d.example", i);
			if (fakeip_lookup_name(t, name, &shared[i]) !=
			    FAKEIP_OK)
				_exit(12);
		}
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "child status %#x", status);
	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "CHILD%d.example.", i);
		ck_assert_int_eq(fakeip_find_name(b.t, name, &s), FAKEIP_OK);
		ck_assert_uint_eq(s, shared[i]);
		ck_assert_uint_eq(lookup(b.t, name), shared[i]);
		snprintf(name, sizeof(name), "child%d.example", i);
		name_is(b.t, s, name);
	}
	ck_assert_uint_eq(lookup(b.t, "parent.example"), parent_slot);
	munmap(shared, 100 * sizeof(uint32_t));
	tbl_free(&b);
}
END_TEST

#define NPROCS	4

/* Processes inserting overlapping names at once agree like threads. */
/* Session flags: start clear, only ever gain bits, shared across fork. */
START_TEST(test_flags)
{
	struct tbl b = tbl_new(64);
	pid_t pid;
	int status;

	ck_assert_uint_eq(fakeip_flags(b.t), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		fakeip_set_flags(b.t, FAKEIP_FLAG_PIPELINE);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_uint_eq(fakeip_flags(b.t), FAKEIP_FLAG_PIPELINE);
	fakeip_set_flags(b.t, 0x4);
	fakeip_set_flags(b.t, 0);
	ck_assert_uint_eq(fakeip_flags(b.t), FAKEIP_FLAG_PIPELINE | 0x4);
	tbl_free(&b);
}
END_TEST

/* FAKEIP_FLAG_NO_RESOLVE: its own bit, set by one process, seen by all. */
START_TEST(test_flag_no_resolve)
{
	struct tbl b = tbl_new(64);
	pid_t pid;
	int status;

	ck_assert_uint_ne(FAKEIP_FLAG_NO_RESOLVE, 0);
	ck_assert_uint_eq(FAKEIP_FLAG_NO_RESOLVE & FAKEIP_FLAG_PIPELINE, 0);
	ck_assert_uint_eq(fakeip_flags(b.t) & FAKEIP_FLAG_NO_RESOLVE, 0);
	fakeip_set_flags(b.t, FAKEIP_FLAG_PIPELINE);
	ck_assert_uint_eq(fakeip_flags(b.t) & FAKEIP_FLAG_NO_RESOLVE, 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		fakeip_set_flags(b.t, FAKEIP_FLAG_NO_RESOLVE);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_uint_eq(fakeip_flags(b.t),
	    FAKEIP_FLAG_PIPELINE | FAKEIP_FLAG_NO_RESOLVE);
	/* Never cleared. */
	fakeip_set_flags(b.t, 0);
	fakeip_set_flags(b.t, FAKEIP_FLAG_NO_RESOLVE);
	ck_assert_uint_eq(fakeip_flags(b.t),
	    FAKEIP_FLAG_PIPELINE | FAKEIP_FLAG_NO_RESOLVE);
	tbl_free(&b);
}
END_TEST

/*
 * The gateway's verdict on a slot's name: unverified until set, then
 * exists / noname while now < until, unverified again after; per slot,
 * overwritable, out-of-range slots ignored, names and fakes untouched.
 */
START_TEST(test_verdict)
{
	struct tbl b = tbl_new(64);
	struct sockaddr_storage before, after;
	socklen_t len;
	uint64_t now = 1700000000;
	uint32_t a, c, i;
	char name[FAKEIP_NAME_MAX + 1];

	a = lookup(b.t, "exists.example");
	c = lookup(b.t, "noname.example");
	ck_assert_uint_ne(a, c);
	for (i = 0; i < 64; i++) {
		ck_assert_int_eq(fakeip_verdict(b.t, i, 0), FAKEIP_UNVERIFIED);
		ck_assert_int_eq(fakeip_verdict(b.t, i, now),
		    FAKEIP_UNVERIFIED);
	}
	ck_assert_int_eq(fakeip_slot_addr(b.t, a, AF_INET, 80, &before, &len),
	    FAKEIP_OK);

	fakeip_set_verdict(b.t, a, FAKEIP_EXISTS, now + 300);
	fakeip_set_verdict(b.t, c, FAKEIP_NONAME, now + 30);
	ck_assert_int_eq(fakeip_verdict(b.t, a, now), FAKEIP_EXISTS);
	ck_assert_int_eq(fakeip_verdict(b.t, a, now + 299), FAKEIP_EXISTS);
	ck_assert_int_eq(fakeip_verdict(b.t, a, now + 301),
	    FAKEIP_UNVERIFIED);
	ck_assert_int_eq(fakeip_verdict(b.t, c, now), FAKEIP_NONAME);
	ck_assert_int_eq(fakeip_verdict(b.t, c, now + 29), FAKEIP_NONAME);
	ck_assert_int_eq(fakeip_verdict(b.t, c, now + 31), FAKEIP_UNVERIFIED);
	ck_assert_int_eq(fakeip_verdict(b.t, c, now + 100000),
	    FAKEIP_UNVERIFIED);
	/* Other slots are not affected. */
	for (i = 0; i < 64; i++)
		if (i != a && i != c)
			ck_assert_int_eq(fakeip_verdict(b.t, i, now),
			    FAKEIP_UNVERIFIED);

	/* An expiry already past: unverified at once. */
	fakeip_set_verdict(b.t, a, FAKEIP_EXISTS, now - 1);
	ck_assert_int_eq(fakeip_verdict(b.t, a, now), FAKEIP_UNVERIFIED);
	fakeip_set_verdict(b.t, c, FAKEIP_NONAME, 0);
	ck_assert_int_eq(fakeip_verdict(b.t, c, now), FAKEIP_UNVERIFIED);
	ck_assert_int_eq(fakeip_verdict(b.t, c, 0), FAKEIP_UNVERIFIED);

	/* Overwritten: the latest answer counts. */
	fakeip_set_verdict(b.t, a, FAKEIP_NONAME, now + 10);
	ck_assert_int_eq(fakeip_verdict(b.t, a, now), FAKEIP_NONAME);
	fakeip_set_verdict(b.t, a, FAKEIP_EXISTS, now + 10);
	ck_assert_int_eq(fakeip_verdict(b.t, a, now), FAKEIP_EXISTS);
	fakeip_set_verdict(b.t, a, FAKEIP_UNVERIFIED, now + 10);
	ck_assert_int_eq(fakeip_verdict(b.t, a, now), FAKEIP_UNVERIFIED);

	/* Out of range: nothing happens, unverified. */
	fakeip_set_verdict(b.t, 1000000, FAKEIP_NONAME, now + 10);
	fakeip_set_verdict(b.t, UINT32_MAX, FAKEIP_EXISTS, now + 10);
	ck_assert_int_eq(fakeip_verdict(b.t, 1000000, now), FAKEIP_UNVERIFIED);
	ck_assert_int_eq(fakeip_verdict(b.t, UINT32_MAX, now),
	    FAKEIP_UNVERIFIED);

	/* The name and its fake stay what they were. */
	ck_assert_int_eq(fakeip_slot_name(b.t, a, name, sizeof(name)),
	    FAKEIP_OK);
	ck_assert_str_eq(name, "exists.example");
	ck_assert_int_eq(fakeip_slot_addr(b.t, a, AF_INET, 80, &after, &len),
	    FAKEIP_OK);
	ck_assert_mem_eq(&before, &after, sizeof(struct sockaddr_in));
	ck_assert_uint_eq(lookup(b.t, "exists.example"), a);
	tbl_free(&b);
}
END_TEST

/* Verdicts are shared across fork, both ways. */
START_TEST(test_verdict_fork)
{
	struct tbl b = tbl_new(64);
	uint64_t now = 1700000000;
	uint32_t a, c;
	pid_t pid;
	int status;

	a = lookup(b.t, "parent.example");
	fakeip_set_verdict(b.t, a, FAKEIP_EXISTS, now + 300);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		uint32_t s2;

		if (fakeip_verdict(b.t, a, now) != FAKEIP_EXISTS)
			_exit(2);
		if (fakeip_lookup_name(b.t, "child.example", &s2) !=
		    FAKEIP_OK)
			_exit(3);
		fakeip_set_verdict(b.t, s2, FAKEIP_NONAME, now + 30);
		fakeip_set_verdict(b.t, a, FAKEIP_NONAME, now + 30);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	ck_assert_int_eq(fakeip_find_name(b.t, "child.example", &c),
	    FAKEIP_OK);
	ck_assert_int_eq(fakeip_verdict(b.t, c, now), FAKEIP_NONAME);
	ck_assert_int_eq(fakeip_verdict(b.t, a, now), FAKEIP_NONAME);
	ck_assert_int_eq(fakeip_verdict(b.t, c, now + 31), FAKEIP_UNVERIFIED);
	tbl_free(&b);
}
END_TEST

START_TEST(test_fork_concurrent)
{
	struct tbl b = tbl_new(FAKEIP_DEFAULT_SLOTS);
	static uint32_t want[NNAMES];
	uint32_t (*seen)[NNAMES];
	char name[64];
	pid_t pid[NPROCS];
	unsigned i, j;
	int status;

	seen = region(NPROCS * sizeof(*seen));
	for (i = 0; i < NPROCS; i++) {
		pid[i] = fork();
		ck_assert_int_ne(pid[i], -1);
		if (pid[i] != 0)
			continue;
		/* Each child takes every name, starting at its own. */
		for (j = 0; j < NNAMES; j++) {
			worker_name(name, sizeof(name),
			    (j + i * NNAMES / NPROCS) % NNAMES);
			if (fakeip_lookup_name(b.t, name, &seen[i][(j + i *
			    NNAMES / NPROCS) % NNAMES]) != FAKEIP_OK)
				_exit(1);
		}
		_exit(0);
	}
	for (i = 0; i < NPROCS; i++) {
		ck_assert_int_eq(waitpid(pid[i], &status, 0), pid[i]);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	for (j = 0; j < NNAMES; j++) {
		want[j] = seen[0][j];
		for (i = 1; i < NPROCS; i++)
			ck_assert_uint_eq(seen[i][j], want[j]);
	}
	check_table_names(b.t, FAKEIP_DEFAULT_SLOTS, want);
	munmap(seen, NPROCS * sizeof(*seen));
	tbl_free(&b);
}
END_TEST

static Suite *
fakeip_suite(void)
{
	Suite *s = suite_create("fakeip");
	TCase *tc;

	tc = tcase_create("format");
	tcase_add_test(tc, test_format_attach);
	tcase_add_test(tc, test_format_bad_region);
	tcase_add_test(tc, test_attach_bad);
	tcase_add_test(tc, test_format_bad_ranges);
	tcase_add_test(tc, test_format_cap);
	suite_add_tcase(s, tc);

	tc = tcase_create("forward");
	tcase_add_test(tc, test_same_name);
	tcase_add_test(tc, test_find_absent);
	tcase_add_test(tc, test_distinct_names);
	tcase_add_test(tc, test_bad_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("reverse");
	tcase_add_test(tc, test_reverse);
	tcase_add_test(tc, test_notfake_unknown);
	suite_add_tcase(s, tc);

	tc = tcase_create("small");
	tcase_add_test(tc, test_collisions);
	tcase_add_test(tc, test_exhaustion);
	tcase_add_test(tc, test_fill);
	suite_add_tcase(s, tc);

	tc = tcase_create("shared");
	tcase_set_timeout(tc, 120);	/* valgrind, sanitizers */
	tcase_add_test(tc, test_threads);
	tcase_add_test(tc, test_threads_crowded);
	tcase_add_test(tc, test_fork);
	tcase_add_test(tc, test_fork_concurrent);
	tcase_add_test(tc, test_flags);
	tcase_add_test(tc, test_flag_no_resolve);
	tcase_add_test(tc, test_verdict);
	tcase_add_test(tc, test_verdict_fork);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(fakeip_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
