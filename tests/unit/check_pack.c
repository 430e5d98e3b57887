/*
 * check_pack.c - unit tests for hostent and addrinfo packing
 * (preload/pack.h).
 *
 * Covered: pack_hostent in both families with 0, 1, 3 and many
 * addresses, short and 255-byte names, every buffer alignment 0..7:
 * the smallest buflen that works equals the layout's size, every
 * smaller one gives ERANGE and touches neither the buffer nor the
 * hostent, and no call writes outside [buf, buf + buflen) (guard bytes
 * on both sides); pointer alignment, empty alias list, copied name;
 * exact-size heap buffers (for ASan/valgrind); bad family; size
 * overflow.  pack_addrinfo: counts, address-major order, families,
 * ai_addrlen, ports in network order from the templates, addresses and
 * IPv6 scope kept, canonical name on the first entry only (or nowhere),
 * flags, separate sockaddrs, alignment, a long chain, empty inputs,
 * unknown family, overflow, and pack_addrinfo_free(NULL).
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <errno.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pack.h"

#define GUARD		0xA5
#define ARENA_SIZE	8192
#define HE_FILL		0x5A

/* Aligned scratch memory; buffers are carved out of it at offsets. */
static union {
	char		c[ARENA_SIZE];
	max_align_t	align;
} arena;

static const uint8_t v4s[3][4] = {
	{ 240, 0, 0, 1 }, { 240, 0, 0, 2 }, { 10, 1, 2, 3 }
};
static const uint8_t v6s[3][16] = {
	{ 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 },
	{ 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 },
	{ 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7 },
};

/* --- hostent helpers --- */

/* Layout size from pack.h's description, plus padding for buf. */
static size_t
expected_size(const char *buf, size_t naddrs, size_t alen, const char *name)
{
	size_t pad = (sizeof(char *) - (uintptr_t)buf % sizeof(char *)) %
	    sizeof(char *);

	return pad + (naddrs + 2) * sizeof(char *) + naddrs * alen +
	    strlen(name) + 1;
}

static bool
inside(const void *p, size_t n, const char *buf, size_t buflen)
{
	const char *c = p;

	return c >= buf && c + n <= buf + buflen;
}

/* Every field of he, and that all it points to lies in buf. */
static void
check_hostent(const struct hostent *he, const char *buf, size_t buflen,
    const char *name, int family, const uint8_t *addrs, size_t naddrs)
{
	size_t alen = family == AF_INET ? 4 : 16, i;

	ck_assert_str_eq(he->h_name, name);
	ck_assert_ptr_ne(he->h_name, name);
	ck_assert(inside(he->h_name, strlen(name) + 1, buf, buflen));
	ck_assert_int_eq(he->h_addrtype, family);
	ck_assert_int_eq(he->h_length, (int)alen);

	ck_assert_ptr_nonnull(he->h_aliases);
	ck_assert_uint_eq((uintptr_t)he->h_aliases % sizeof(char *), 0);
	ck_assert(inside(he->h_aliases, sizeof(char *), buf, buflen));
	ck_assert_ptr_null(he->h_aliases[0]);

	ck_assert_ptr_nonnull(he->h_addr_list);
	ck_assert_uint_eq((uintptr_t)he->h_addr_list % sizeof(char *), 0);
	ck_assert(inside(he->h_addr_list, (naddrs + 1) * sizeof(char *), buf,
	    buflen));
	for (i = 0; i < naddrs; i++) {
		ck_assert_ptr_nonnull(he->h_addr_list[i]);
		ck_assert(inside(he->h_addr_list[i], alen, buf, buflen));
		/* in_addr / in6_addr may be read as 32-bit words. */
		ck_assert_uint_eq((uintptr_t)he->h_addr_list[i] % 4, 0);
		ck_assert_msg(memcmp(he->h_addr_list[i], addrs + i * alen,
		    alen) == 0, "address %zu differs", i);
	}
	ck_assert_ptr_null(he->h_addr_list[naddrs]);
}

static bool
all_bytes(const char *p, size_t n, int v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)p[i] != v)
			return false;
	return true;
}

/*
 * For buf = arena + off, every buflen below the expected size must give
 * ERANGE with arena and hostent untouched; the expected size itself must
 * work without a byte written outside [buf, buf + buflen).
 */
static void
boundary(const char *name, int family, const uint8_t *addrs, size_t naddrs,
    size_t off)
{
	size_t alen = family == AF_INET ? 4 : 16, want, len, after;
	char *buf = arena.c + off;
	struct hostent he, blank;
	int r;

	want = expected_size(buf, naddrs, alen, name);
	ck_assert_uint_lt(off + want + 64, ARENA_SIZE);
	memset(&blank, HE_FILL, sizeof(blank));
	for (len = 0; len < want; len++) {
		memset(arena.c, GUARD, sizeof(arena.c));
		he = blank;
		r = pack_hostent(&he, buf, len, name, family, addrs, naddrs);
		ck_assert_msg(r == ERANGE, "off %zu len %zu (need %zu): %d",
		    off, len, want, r);
		ck_assert_msg(all_bytes(arena.c, sizeof(arena.c), GUARD),
		    "off %zu len %zu: buffer written on ERANGE", off, len);
		ck_assert(memcmp(&he, &blank, sizeof(he)) == 0);
	}
	for (len = want; len < want + 3; len++) {
		memset(arena.c, GUARD, sizeof(arena.c));
		r = pack_hostent(&he, buf, len, name, family, addrs, naddrs);
		ck_assert_msg(r == 0, "off %zu len %zu: %d", off, len, r);
		after = off + len;
		ck_assert_msg(all_bytes(arena.c, off, GUARD),
		    "written before buf");
		ck_assert_msg(all_bytes(arena.c + after, sizeof(arena.c) -
		    after, GUARD), "off %zu len %zu: written past buflen", off,
		    len);
		check_hostent(&he, buf, len, name, family, addrs, naddrs);
	}
}

static void
boundary_all_offsets(const char *name, int family, const uint8_t *addrs,
    size_t naddrs)
{
	size_t off;

	for (off = 0; off < 2 * sizeof(char *); off++)
		boundary(name, family, addrs, naddrs, off);
}

/* --- hostent --- */

START_TEST(test_hostent_v4_one)
{
	boundary_all_offsets("a.example", AF_INET, v4s[0], 1);
}
END_TEST

START_TEST(test_hostent_v4_three)
{
	boundary_all_offsets("three.example.com", AF_INET, v4s[0], 3);
}
END_TEST

START_TEST(test_hostent_v6_one)
{
	boundary_all_offsets("b.example", AF_INET6, v6s[0], 1);
}
END_TEST

START_TEST(test_hostent_v6_three)
{
	boundary_all_offsets("x", AF_INET6, v6s[0], 3);
}
END_TEST

START_TEST(test_hostent_no_addrs)
{
	boundary_all_offsets("none.example", AF_INET, NULL, 0);
	boundary_all_offsets("", AF_INET6, NULL, 0);
}
END_TEST

START_TEST(test_hostent_long_name)
{
	char name[256];

	memset(name, 'n', 255);
	name[255] = '\0';
	boundary_all_offsets(name, AF_INET6, v6s[0], 3);
	boundary_all_offsets(name, AF_INET, v4s[0], 2);
}
END_TEST

START_TEST(test_hostent_many)
{
	uint8_t addrs[100 * 16];
	size_t i;

	for (i = 0; i < sizeof(addrs); i++)
		addrs[i] = (uint8_t)(i * 7 + 1);
	boundary("many.example", AF_INET6, addrs, 100, 3);
	boundary("many.example", AF_INET, addrs, 100, 0);
}
END_TEST

/* Exact-size heap buffers: ASan/valgrind see any write past the end. */
START_TEST(test_hostent_heap_exact)
{
	static const struct {
		int		 family;
		const uint8_t	*addrs;
		size_t		 n;
		const char	*name;
	} t[] = {
		{ AF_INET, v4s[0], 1, "h.example" },
		{ AF_INET, v4s[0], 3, "h3.example" },
		{ AF_INET6, v6s[0], 1, "h6" },
		{ AF_INET6, v6s[0], 3, "h6-3.example.org" },
	};
	struct hostent he;
	size_t i, len;
	char *buf;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		len = (t[i].n + 2) * sizeof(char *) +
		    t[i].n * (t[i].family == AF_INET ? 4 : 16) +
		    strlen(t[i].name) + 1;
		buf = malloc(len);	/* malloc aligns: no padding */
		ck_assert_ptr_nonnull(buf);
		ck_assert_int_eq(pack_hostent(&he, buf, len, t[i].name,
		    t[i].family, t[i].addrs, t[i].n), 0);
		check_hostent(&he, buf, len, t[i].name, t[i].family,
		    t[i].addrs, t[i].n);
		ck_assert_int_eq(pack_hostent(&he, buf, len - 1, t[i].name,
		    t[i].family, t[i].addrs, t[i].n), ERANGE);
		free(buf);
	}
}
END_TEST

START_TEST(test_hostent_bad_family)
{
	struct hostent he;

	ck_assert_int_eq(pack_hostent(&he, arena.c, sizeof(arena.c), "x",
	    AF_UNIX, v4s[0], 1), EAFNOSUPPORT);
	ck_assert_int_eq(pack_hostent(&he, arena.c, sizeof(arena.c), "x",
	    AF_UNSPEC, v4s[0], 1), EAFNOSUPPORT);
}
END_TEST

/* Sizes that overflow size_t are ERANGE, not a wrapped small size. */
START_TEST(test_hostent_overflow)
{
	struct hostent he;

	ck_assert_int_eq(pack_hostent(&he, arena.c, sizeof(arena.c), "x",
	    AF_INET6, v6s[0], SIZE_MAX / 16 + 1), ERANGE);
	ck_assert_int_eq(pack_hostent(&he, arena.c, sizeof(arena.c), "x",
	    AF_INET, v4s[0], SIZE_MAX - 1), ERANGE);
	ck_assert_int_eq(pack_hostent(&he, arena.c, SIZE_MAX, "x",
	    AF_INET, v4s[0], SIZE_MAX / sizeof(char *)), ERANGE);
	ck_assert_int_eq(pack_hostent(&he, NULL, 0, "x", AF_INET, v4s[0], 1),
	    ERANGE);
}
END_TEST

/* --- addrinfo helpers --- */

static struct sockaddr_storage
ss4(const uint8_t a[4], uint16_t junkport)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

	memset(&ss, 0x33, sizeof(ss));	/* junk the packer must not copy */
	sin->sin_family = AF_INET;
	sin->sin_port = htons(junkport);
	memcpy(&sin->sin_addr, a, 4);
	return ss;
}

static struct sockaddr_storage
ss6(const uint8_t a[16], uint16_t junkport, uint32_t scope)
{
	struct sockaddr_storage ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0x33, sizeof(ss));
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(junkport);
	sin6->sin6_flowinfo = 0;
	sin6->sin6_scope_id = scope;
	memcpy(&sin6->sin6_addr, a, 16);
	return ss;
}

static const struct pack_ai_tmpl tmpl3[] = {
	{ SOCK_STREAM, IPPROTO_TCP, 80 },
	{ SOCK_DGRAM, IPPROTO_UDP, 0x1234 },
	{ SOCK_RAW, 0, 0 },
};

/* Port bytes as stored: network order. */
static uint16_t
wire_port(const struct sockaddr *sa)
{
	const uint8_t *p;

	if (sa->sa_family == AF_INET)
		p = (const uint8_t *)
		    &((const struct sockaddr_in *)(const void *)sa)->sin_port;
	else
		p = (const uint8_t *)
		    &((const struct sockaddr_in6 *)(const void *)sa)->sin6_port;
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Entry e must be address a with template t. */
static void
check_entry(const struct addrinfo *e, const struct sockaddr_storage *a,
    const struct pack_ai_tmpl *t, int flags, size_t k)
{
	const struct sockaddr_in *sin;
	const struct sockaddr_in6 *sin6, *a6;
	static const uint8_t zero[8];

	ck_assert_msg(e->ai_family == a->ss_family, "entry %zu family", k);
	ck_assert_int_eq(e->ai_socktype, t->socktype);
	ck_assert_int_eq(e->ai_protocol, t->protocol);
	ck_assert_int_eq(e->ai_flags, flags);
	ck_assert_ptr_nonnull(e->ai_addr);
	ck_assert_uint_eq((uintptr_t)e->ai_addr %
	    _Alignof(struct sockaddr_in6), 0);
	ck_assert_int_eq(e->ai_addr->sa_family, a->ss_family);
	ck_assert_msg(wire_port(e->ai_addr) == t->port, "entry %zu port %u, "
	    "want %u", k, wire_port(e->ai_addr), t->port);
	if (a->ss_family == AF_INET) {
		sin = (const struct sockaddr_in *)(const void *)e->ai_addr;
		ck_assert_uint_eq(e->ai_addrlen, sizeof(struct sockaddr_in));
		ck_assert(memcmp(&sin->sin_addr,
		    &((const struct sockaddr_in *)a)->sin_addr, 4) == 0);
		ck_assert(memcmp(sin->sin_zero, zero, sizeof(zero)) == 0);
	} else {
		sin6 = (const struct sockaddr_in6 *)(const void *)e->ai_addr;
		a6 = (const struct sockaddr_in6 *)a;
		ck_assert_uint_eq(e->ai_addrlen, sizeof(struct sockaddr_in6));
		ck_assert(memcmp(&sin6->sin6_addr, &a6->sin6_addr, 16) == 0);
		ck_assert_uint_eq(sin6->sin6_scope_id, a6->sin6_scope_id);
		ck_assert_uint_eq(sin6->sin6_flowinfo, 0);
	}
}

/* Walk the chain: naddrs * ntmpl entries in address-major order. */
static void
check_chain(const struct addrinfo *ai, const struct sockaddr_storage *addrs,
    size_t naddrs, const struct pack_ai_tmpl *t, size_t ntmpl,
    const char *canon, int flags)
{
	const struct addrinfo *e;
	size_t k = 0;

	for (e = ai; e != NULL; e = e->ai_next, k++) {
		ck_assert_msg(k < naddrs * ntmpl, "chain longer than %zu",
		    naddrs * ntmpl);
		check_entry(e, &addrs[k / ntmpl], &t[k % ntmpl], flags, k);
		if (k == 0 && canon != NULL) {
			ck_assert_ptr_nonnull(e->ai_canonname);
			ck_assert_str_eq(e->ai_canonname, canon);
			ck_assert_ptr_ne(e->ai_canonname, canon);
		} else
			ck_assert_msg(e->ai_canonname == NULL,
			    "entry %zu has a canonname", k);
		/* sockaddrs are separate: no two entries share one. */
		if (e->ai_next != NULL)
			ck_assert_ptr_ne(e->ai_addr, e->ai_next->ai_addr);
	}
	ck_assert_uint_eq(k, naddrs * ntmpl);
}

/* --- addrinfo --- */

START_TEST(test_ai_mixed)
{
	struct sockaddr_storage a[3];
	struct addrinfo *ai;
	int flags = AI_CANONNAME | AI_V4MAPPED;

	a[0] = ss6(v6s[0], 9999, 0);
	a[1] = ss4(v4s[0], 9998);
	a[2] = ss6(v6s[2], 0, 3);
	ai = pack_addrinfo(a, 3, tmpl3, 3, "www.example.org", flags);
	ck_assert_ptr_nonnull(ai);
	check_chain(ai, a, 3, tmpl3, 3, "www.example.org", flags);
	/* Spot checks independent of the walker. */
	ck_assert_int_eq(ai->ai_family, AF_INET6);
	ck_assert_int_eq(ai->ai_next->ai_socktype, SOCK_DGRAM);
	ck_assert_int_eq(ai->ai_next->ai_next->ai_next->ai_family, AF_INET);
	ck_assert_int_eq(ai->ai_next->ai_next->ai_next->ai_socktype,
	    SOCK_STREAM);
	ck_assert_uint_eq(ai->ai_next->ai_next->ai_next->ai_addrlen, 16);
	pack_addrinfo_free(ai);
}
END_TEST

START_TEST(test_ai_one)
{
	struct sockaddr_storage a = ss4(v4s[2], 1);
	struct pack_ai_tmpl t = { SOCK_STREAM, IPPROTO_TCP, 65535 };
	struct addrinfo *ai;

	ai = pack_addrinfo(&a, 1, &t, 1, NULL, 0);
	ck_assert_ptr_nonnull(ai);
	ck_assert_ptr_null(ai->ai_next);
	ck_assert_ptr_null(ai->ai_canonname);
	check_chain(ai, &a, 1, &t, 1, NULL, 0);
	pack_addrinfo_free(ai);
}
END_TEST

START_TEST(test_ai_no_canon)
{
	struct sockaddr_storage a[2];
	struct addrinfo *ai;

	a[0] = ss4(v4s[0], 0);
	a[1] = ss4(v4s[1], 0);
	ai = pack_addrinfo(a, 2, tmpl3, 2, NULL, AI_NUMERICSERV);
	ck_assert_ptr_nonnull(ai);
	check_chain(ai, a, 2, tmpl3, 2, NULL, AI_NUMERICSERV);
	pack_addrinfo_free(ai);
}
END_TEST

START_TEST(test_ai_empty_canon)
{
	struct sockaddr_storage a = ss6(v6s[1], 0, 0);
	struct addrinfo *ai;

	ai = pack_addrinfo(&a, 1, tmpl3, 3, "", AI_CANONNAME);
	ck_assert_ptr_nonnull(ai);
	check_chain(ai, &a, 1, tmpl3, 3, "", AI_CANONNAME);
	pack_addrinfo_free(ai);
}
END_TEST

/* Writing through one entry's sockaddr leaves the others alone. */
START_TEST(test_ai_separate)
{
	struct sockaddr_storage a[2];
	struct addrinfo *ai, *e;
	size_t k;

	a[0] = ss6(v6s[0], 0, 0);
	a[1] = ss4(v4s[0], 0);
	ai = pack_addrinfo(a, 2, tmpl3, 3, "c.example", 0);
	ck_assert_ptr_nonnull(ai);
	memset(ai->ai_addr, 0xEE, ai->ai_addrlen);
	ai->ai_addr->sa_family = AF_INET6;
	memset(ai->ai_canonname, 'z', strlen(ai->ai_canonname));
	for (e = ai->ai_next, k = 1; e != NULL; e = e->ai_next, k++)
		check_entry(e, &a[k / 3], &tmpl3[k % 3], 0, k);
	ck_assert_uint_eq(k, 6);
	pack_addrinfo_free(ai);
}
END_TEST

START_TEST(test_ai_long_chain)
{
	struct sockaddr_storage a[100];
	struct addrinfo *ai;
	size_t i;
	uint8_t b[16];

	for (i = 0; i < 100; i++) {
		memset(b, (int)i, sizeof(b));
		a[i] = i % 3 == 0 ? ss4(b, (uint16_t)i) :
		    ss6(b, (uint16_t)i, (uint32_t)i);
	}
	ai = pack_addrinfo(a, 100, tmpl3, 3, "long.example", AI_ALL);
	ck_assert_ptr_nonnull(ai);
	check_chain(ai, a, 100, tmpl3, 3, "long.example", AI_ALL);
	pack_addrinfo_free(ai);
}
END_TEST

START_TEST(test_ai_refused)
{
	struct sockaddr_storage a[2];

	a[0] = ss4(v4s[0], 0);
	a[1] = ss4(v4s[1], 0);
	ck_assert_ptr_null(pack_addrinfo(a, 0, tmpl3, 3, "x", 0));
	ck_assert_ptr_null(pack_addrinfo(a, 2, tmpl3, 0, "x", 0));
	ck_assert_ptr_null(pack_addrinfo(NULL, 0, NULL, 0, NULL, 0));
	/* An address of another family poisons the whole result. */
	a[1].ss_family = AF_UNIX;
	ck_assert_ptr_null(pack_addrinfo(a, 2, tmpl3, 3, "x", 0));
	/* Counts whose product overflows: refused before any read. */
	ck_assert_ptr_null(pack_addrinfo(a, SIZE_MAX / 2, tmpl3, 3, "x", 0));
	ck_assert_ptr_null(pack_addrinfo(a, SIZE_MAX / sizeof(struct addrinfo)
	    + 1, tmpl3, 1, NULL, 0));
	pack_addrinfo_free(NULL);
}
END_TEST

static Suite *
pack_suite(void)
{
	Suite *s = suite_create("pack");
	TCase *tc;

	tc = tcase_create("hostent");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_hostent_v4_one);
	tcase_add_test(tc, test_hostent_v4_three);
	tcase_add_test(tc, test_hostent_v6_one);
	tcase_add_test(tc, test_hostent_v6_three);
	tcase_add_test(tc, test_hostent_no_addrs);
	tcase_add_test(tc, test_hostent_long_name);
	tcase_add_test(tc, test_hostent_many);
	tcase_add_test(tc, test_hostent_heap_exact);
	tcase_add_test(tc, test_hostent_bad_family);
	tcase_add_test(tc, test_hostent_overflow);
	suite_add_tcase(s, tc);

	tc = tcase_create("addrinfo");
	tcase_add_test(tc, test_ai_mixed);
	tcase_add_test(tc, test_ai_one);
	tcase_add_test(tc, test_ai_no_canon);
	tcase_add_test(tc, test_ai_empty_canon);
	tcase_add_test(tc, test_ai_separate);
	tcase_add_test(tc, test_ai_long_chain);
	tcase_add_test(tc, test_ai_refused);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(pack_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
