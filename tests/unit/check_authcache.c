/*
 * check_authcache.c - unit tests for src/authcache.c (the cache of
 * successful logins, auth.cache_ttl) with an injected clock and key.
 *
 * Covered: BLAKE2s against RFC 7693 (Appendix B "abc", the Appendix E
 * self-test that covers keyed and unkeyed hashes of 16..32 bytes over
 * inputs of 0..1024 bytes) and the reference keyed test vectors; a
 * stored login is a hit until its TTL ends and a miss after; a wrong
 * password, another user and a user/password split differently are
 * misses; a new password replaces the user's old one; a store is the
 * only way in (nothing for a failure), and a store under an older epoch
 * is dropped; a flush (reload) empties the table; two caches with
 * different keys do not share entries; more users than slots stay
 * bounded and the most recent ones are kept; four threads storing and
 * looking up at once agree with what was stored.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authcache.h"

static void
hex(const uint8_t *b, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

static void
ck_hash(const char *want, const void *key, size_t keylen, const void *in,
    size_t inlen, size_t outlen)
{
	uint8_t md[32];
	char got[65];

	authcache_blake2s(md, outlen, key, keylen, in, inlen);
	hex(md, outlen, got);
	ck_assert_str_eq(got, want);
}

/* RFC 7693 Appendix B: BLAKE2s-256("abc"). */
START_TEST(test_b2s_abc)
{
	ck_hash("508c5e8c327c14e2e1a72ba34eeb452f"
	    "37458b209ed63a294d999b4c86675982", NULL, 0, "abc", 3, 32);
}
END_TEST

/* The reference implementation's keyed KAT: key 00..1f, in 00..n-1. */
START_TEST(test_b2s_keyed_kat)
{
	uint8_t key[32], in[255];
	int i;

	for (i = 0; i < 32; i++)
		key[i] = (uint8_t)i;
	for (i = 0; i < 255; i++)
		in[i] = (uint8_t)i;
	ck_hash("48a8997da407876b3d79c0d92325ad3b"
	    "89cbb754d86ab71aee047ad345fd2c49", key, 32, in, 0, 32);
	ck_hash("8975b0577fd35566d750b362b0897a26"
	    "c399136df07bababbde6203ff2954ed4", key, 32, in, 64, 32);
	ck_hash("3fb735061abc519dfe979e54c1ee5bfa"
	    "d0a9d858b3315bad34bde999efd724dd", key, 32, in, 255, 32);
}
END_TEST

/* RFC 7693 Appendix E: the deterministic input sequence... */
static void
selftest_seq(uint8_t *out, size_t len, uint32_t seed)
{
	uint32_t a = 0xDEAD4BADu * seed, b = 1, t;
	size_t i;

	for (i = 0; i < len; i++) {
		t = a + b;
		a = b;
		b = t;
		out[i] = (uint8_t)(t >> 24);
	}
}

/* ... and the self-test: a hash over 48 keyed and unkeyed hashes. */
START_TEST(test_b2s_selftest)
{
	static const size_t md_len[] = { 16, 20, 28, 32 };
	static const size_t in_len[] = { 0, 3, 64, 65, 255, 1024 };
	static uint8_t all[4 * 6 * 2 * 32], in[1024];
	uint8_t md[32], key[32];
	size_t i, j, n = 0;

	for (i = 0; i < 4; i++)
		for (j = 0; j < 6; j++) {
			selftest_seq(in, in_len[j], (uint32_t)in_len[j]);
			authcache_blake2s(md, md_len[i], NULL, 0, in,
			    in_len[j]);
			memcpy(all + n, md, md_len[i]);
			n += md_len[i];
			selftest_seq(key, md_len[i], (uint32_t)md_len[i]);
			authcache_blake2s(md, md_len[i], key, md_len[i], in,
			    in_len[j]);
			memcpy(all + n, md, md_len[i]);
			n += md_len[i];
		}
	ck_hash("6a411f08ce25adcdfb02aba641451cec"
	    "53c598b24f4fc787fbdc88797f4c1dfe", NULL, 0, all, n, 32);
}
END_TEST

static const uint8_t key1[AUTHCACHE_KEY_LEN] = "0123456789abcdef0123456789abcde";
static const uint8_t key2[AUTHCACHE_KEY_LEN] = "fedcba9876543210fedcba987654321";

#define TTL	300000	/* ms */

/* The daemon's sequence: a ticket, then a lookup or a store. */
static bool
lookup(struct authcache *c, const char *user, const char *pass, int64_t now)
{
	struct authcache_ticket t;
	bool hit;

	authcache_ticket(c, user, pass, &t);
	hit = authcache_lookup(c, &t, now);
	authcache_ticket_wipe(&t);
	return hit;
}

static void
store(struct authcache *c, const char *user, const char *pass, int64_t now,
    int64_t ttl)
{
	struct authcache_ticket t;

	authcache_ticket(c, user, pass, &t);
	authcache_store(c, &t, now, ttl);
	authcache_ticket_wipe(&t);
}

START_TEST(test_hit_miss_expiry)
{
	struct authcache *c = authcache_new(64, key1);
	int64_t now = 5000000;

	ck_assert_ptr_nonnull(c);
	ck_assert(!lookup(c, "alice", "secret", now));
	store(c, "alice", "secret", now, TTL);
	ck_assert(lookup(c, "alice", "secret", now));
	ck_assert(lookup(c, "alice", "secret", now + TTL - 1));
	/* Wrong password, other user, other split, prefixes: misses. */
	ck_assert(!lookup(c, "alice", "Secret", now));
	ck_assert(!lookup(c, "alice", "secre", now));
	ck_assert(!lookup(c, "alice", "secretx", now));
	ck_assert(!lookup(c, "alice", "", now));
	ck_assert(!lookup(c, "bob", "secret", now));
	ck_assert(!lookup(c, "alic", "esecret", now));
	ck_assert(!lookup(c, "alices", "ecret", now));
	/* ... and they did not disturb the entry. */
	ck_assert(lookup(c, "alice", "secret", now + 1));
	ck_assert_uint_eq(authcache_count(c, now), 1);
	/* The TTL ends it. */
	ck_assert(!lookup(c, "alice", "secret", now + TTL));
	ck_assert_uint_eq(authcache_count(c, now + TTL), 0);
	/* A store with no TTL stores nothing. */
	store(c, "bob", "pw", now, 0);
	ck_assert(!lookup(c, "bob", "pw", now));
	authcache_free(c);
}
END_TEST

START_TEST(test_new_password)
{
	struct authcache *c = authcache_new(64, key1);
	int64_t now = 1000;

	store(c, "alice", "old", now, TTL);
	store(c, "alice", "new", now + 10, TTL);
	ck_assert(lookup(c, "alice", "new", now + 20));
	ck_assert(!lookup(c, "alice", "old", now + 20));
	ck_assert_uint_eq(authcache_count(c, now + 20), 1);
	authcache_free(c);
}
END_TEST

START_TEST(test_epoch_flush)
{
	struct authcache *c = authcache_new(64, key1);
	struct authcache_ticket t;
	int64_t now = 1000;

	store(c, "alice", "pw", now, TTL);
	store(c, "bob", "pw2", now, TTL);
	ck_assert_uint_eq(authcache_count(c, now), 2);
	/* A PAM check that started before a reload finishes after it. */
	authcache_ticket(c, "alice", "pw", &t);
	authcache_flush(c);
	ck_assert_uint_eq(authcache_count(c, now), 0);
	ck_assert(!lookup(c, "alice", "pw", now));
	ck_assert(!lookup(c, "bob", "pw2", now));
	authcache_store(c, &t, now, TTL);
	ck_assert(!lookup(c, "alice", "pw", now));
	ck_assert_uint_eq(authcache_count(c, now), 0);
	authcache_ticket_wipe(&t);
	/* After the reload the cache fills again. */
	store(c, "alice", "pw", now, TTL);
	ck_assert(lookup(c, "alice", "pw", now));
	authcache_flush(NULL);
	authcache_free(c);
	authcache_free(NULL);
}
END_TEST

START_TEST(test_keys)
{
	struct authcache *a = authcache_new(64, key1),
	    *b = authcache_new(64, key2), *r = authcache_new(64, NULL);

	ck_assert_ptr_nonnull(r);
	store(a, "alice", "pw", 0, TTL);
	ck_assert(lookup(a, "alice", "pw", 1));
	ck_assert(!lookup(b, "alice", "pw", 1));
	ck_assert(!lookup(r, "alice", "pw", 1));
	store(r, "alice", "pw", 0, TTL);
	ck_assert(lookup(r, "alice", "pw", 1));
	authcache_free(a);
	authcache_free(b);
	authcache_free(r);
}
END_TEST

START_TEST(test_bounded)
{
	struct authcache *c = authcache_new(256, key1);
	char user[32];
	size_t cap, kept = 0;
	int i, n = 20000;

	cap = authcache_capacity(c);
	ck_assert_uint_ge(cap, 256);
	ck_assert_uint_lt(cap, 256 + 16);
	for (i = 0; i < n; i++) {
		snprintf(user, sizeof(user), "user%d", i);
		store(c, user, "pw", i, TTL);
	}
	ck_assert_uint_le(authcache_count(c, n), cap);
	/* The most recent users are (nearly all) still there. */
	for (i = n - 32; i < n; i++) {
		snprintf(user, sizeof(user), "user%d", i);
		kept += lookup(c, user, "pw", n);
	}
	ck_assert_uint_ge(kept, 28);
	/* The oldest are gone. */
	ck_assert(!lookup(c, "user0", "pw", n));
	authcache_free(c);
}
END_TEST

#define THREADS	4
#define USERS	64
#define ROUNDS	20000

static struct authcache *hammered;

static void *
hammer(void *arg)
{
	unsigned id = (unsigned)(uintptr_t)arg, seed = id + 1;
	char user[32], pass[32];
	int i, u, wrong = 0;

	for (i = 0; i < ROUNDS; i++) {
		u = (int)(rand_r(&seed) % USERS);
		snprintf(user, sizeof(user), "u%d", u);
		snprintf(pass, sizeof(pass), "p%d", u);
		if (i % 4 == 0)
			store(hammered, user, pass, 1000, TTL);
		/* Only the right password may ever be a hit. */
		snprintf(pass, sizeof(pass), "q%d", u);
		if (lookup(hammered, user, pass, 1000 + i % 1000))
			wrong++;
		if (id == 0 && i % 5000 == 4999)
			authcache_flush(hammered);
	}
	return (void *)(uintptr_t)wrong;
}

START_TEST(test_threads)
{
	pthread_t t[THREADS];
	char user[32], pass[32];
	void *ret;
	int i;

	hammered = authcache_new(USERS * 2, key1);
	for (i = 0; i < THREADS; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, hammer,
		    (void *)(uintptr_t)i), 0);
	for (i = 0; i < THREADS; i++) {
		ck_assert_int_eq(pthread_join(t[i], &ret), 0);
		ck_assert_ptr_null(ret);
	}
	/* Afterwards, every stored user answers with its own password. */
	for (i = 0; i < USERS; i++) {
		snprintf(user, sizeof(user), "u%d", i);
		snprintf(pass, sizeof(pass), "p%d", i);
		store(hammered, user, pass, 2000, TTL);
	}
	for (i = 0; i < USERS; i++) {
		snprintf(user, sizeof(user), "u%d", i);
		snprintf(pass, sizeof(pass), "p%d", i);
		ck_assert(lookup(hammered, user, pass, 2001));
	}
	ck_assert_uint_le(authcache_count(hammered, 2001),
	    authcache_capacity(hammered));
	authcache_free(hammered);
}
END_TEST

static Suite *
authcache_suite(void)
{
	Suite *s = suite_create("authcache");
	TCase *h = tcase_create("blake2s"), *tc = tcase_create("cache");

	tcase_add_test(h, test_b2s_abc);
	tcase_add_test(h, test_b2s_keyed_kat);
	tcase_add_test(h, test_b2s_selftest);
	suite_add_tcase(s, h);
	tcase_add_test(tc, test_hit_miss_expiry);
	tcase_add_test(tc, test_new_password);
	tcase_add_test(tc, test_epoch_flush);
	tcase_add_test(tc, test_keys);
	tcase_add_test(tc, test_bounded);
	tcase_add_test(tc, test_threads);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(authcache_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
