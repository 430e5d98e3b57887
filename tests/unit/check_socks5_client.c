/*
 * check_socks5_client.c - the client side of the handshake against a
 * scripted server on a socketpair: stepwise and pipelined exchanges
 * (exact bytes on the wire, in order), answers split into single
 * bytes, every failure (no method, refused login, REP codes, garbage,
 * early close, timeout), data after the reply left in the socket, and
 * the REP -> errno table.
 */
#include "sgconfig.h"

#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "socks5_client.h"

/* One step of the scripted server: read `in` bytes, then write `out`. */
struct step {
	size_t		 in;
	const uint8_t	*out;
	size_t		 outlen;
};

struct script {
	int		 fd;
	struct step	 steps[4];
	size_t		 nsteps;
	bool		 split;		/* answers one byte at a time */
	bool		 hang;		/* never answer the last step */
	uint8_t		 got[1024];
	size_t		 got_len;
	size_t		 got_at[4];	/* got_len when each step answered */
};

static void *
server(void *arg)
{
	struct script *s = arg;
	size_t k, i, want = 0;
	ssize_t n;

	for (k = 0; k < s->nsteps; k++) {
		want += s->steps[k].in;
		while (s->got_len < want) {
			n = read(s->fd, s->got + s->got_len, want - s->got_len);
			if (n <= 0)
				return NULL;
			s->got_len += (size_t)n;
		}
		s->got_at[k] = s->got_len;
		if (s->hang && k == s->nsteps - 1)
			return NULL;
		for (i = 0; s->split && i < s->steps[k].outlen; i++) {
			if (write(s->fd, s->steps[k].out + i, 1) != 1)
				return NULL;
			usleep(500);
		}
		if (!s->split && s->steps[k].outlen > 0 &&
		    write(s->fd, s->steps[k].out, s->steps[k].outlen) < 0)
			return NULL;
	}
	/* End of the script: the client sees EOF from here on. */
	shutdown(s->fd, SHUT_WR);
	return NULL;
}

static const uint8_t GREETING_AUTH[] = { 5, 2, S5_METHOD_SIXGATE, 2 };
static const uint8_t GREETING_NOAUTH[] = { 5, 1, 0 };
static const uint8_t LOGIN[] = { 1, 1, 'u', 2, 'p', 'w' };
static const uint8_t REQUEST[] = { 5, 1, 0, 3, 4, 'h', 'o', 's', 't', 0, 80 };
static const uint8_t M_SIXGATE[] = { 5, S5_METHOD_SIXGATE };
static const uint8_t M_USERPASS[] = { 5, S5_METHOD_USERPASS };
static const uint8_t M_NONE[] = { 5, S5_METHOD_NONE };
static const uint8_t M_FF[] = { 5, 0xff };
static const uint8_t AUTH_OK[] = { 1, 0 };
static const uint8_t AUTH_BAD[] = { 1, 1 };
static const uint8_t REPLY_V4[] = { 5, 0, 0, 1, 10, 0, 0, 1, 0x1f, 0x90 };
static const uint8_t REPLY_V6[] = { 5, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 1, 0, 22 };
static const uint8_t REPLY_NAME[] = { 5, 0, 0, 3, 2, 'g', 'w', 4, 0 };

#define STEP(n, a)	((struct step){ (n), (a), sizeof(a) })

static void
request(struct socks5_client_req *r, bool auth, bool pipeline)
{
	memset(r, 0, sizeof(*r));
	r->user = auth ? "u" : NULL;
	r->pass = auth ? "pw" : NULL;
	r->cmd = S5_CMD_CONNECT;
	ck_assert_int_eq(socks5_addr_set_name(&r->dest, "host", 80), S5_OK);
	r->pipeline = pipeline;
	r->timeout_ms = 2000;
}

/* Run one exchange; *cfd (if not NULL) keeps the client end open. */
static enum socks5_client_result
run(struct script *s, const struct socks5_client_req *r,
    struct socks5_client_res *res, int *cfd)
{
	enum socks5_client_result rc;
	pthread_t t;
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	s->fd = sv[1];
	ck_assert_int_eq(pthread_create(&t, NULL, server, s), 0);
	rc = socks5_client_handshake(&sgio_libc, sv[0], r, res);
	if (rc != S5C_OK || cfd == NULL)
		shutdown(sv[0], SHUT_RDWR);	/* unblock the server */
	pthread_join(t, NULL);
	close(sv[1]);
	if (cfd != NULL && rc == S5C_OK)
		*cfd = sv[0];
	else
		close(sv[0]);
	return rc;
}

START_TEST(pipelined_one_write)
{
	static const uint8_t ans[] = { 5, S5_METHOD_SIXGATE, 1, 0,
	    5, 0, 0, 1, 10, 0, 0, 1, 0x1f, 0x90, 'D', 'A', 'T', 'A' };
	size_t all = sizeof(GREETING_AUTH) + sizeof(LOGIN) + sizeof(REQUEST);
	struct script s = { .nsteps = 1 };
	struct socks5_client_req r;
	struct socks5_client_res res;
	uint8_t data[8];
	int fd;

	s.steps[0] = STEP(all, ans);
	request(&r, true, true);
	ck_assert_int_eq(run(&s, &r, &res, &fd), S5C_OK);
	ck_assert_uint_eq(s.got_len, all);
	ck_assert_mem_eq(s.got, GREETING_AUTH, sizeof(GREETING_AUTH));
	ck_assert_mem_eq(s.got + 4, LOGIN, sizeof(LOGIN));
	ck_assert_mem_eq(s.got + 10, REQUEST, sizeof(REQUEST));
	ck_assert_uint_eq(res.method, S5_METHOD_SIXGATE);
	ck_assert_uint_eq(res.rep, 0);
	ck_assert_uint_eq(res.bnd.atyp, S5_ATYP_IPV4);
	ck_assert_uint_eq(res.bnd.port, 8080);
	/* The destination's first bytes stay for the program. */
	ck_assert_int_eq(read(fd, data, sizeof(data)), 4);
	ck_assert_mem_eq(data, "DATA", 4);
	close(fd);
}
END_TEST

START_TEST(stepwise_in_order)
{
	struct script s = { .nsteps = 3, .split = _i == 1 };
	struct socks5_client_req r;
	struct socks5_client_res res;

	s.steps[0] = STEP(sizeof(GREETING_AUTH), M_USERPASS);
	s.steps[1] = STEP(sizeof(LOGIN), AUTH_OK);
	s.steps[2] = STEP(sizeof(REQUEST), REPLY_V6);
	request(&r, true, false);
	ck_assert_int_eq(run(&s, &r, &res, NULL), S5C_OK);
	/* Nothing is sent before the previous answer arrived. */
	ck_assert_uint_eq(s.got_at[0], sizeof(GREETING_AUTH));
	ck_assert_uint_eq(s.got_at[1], sizeof(GREETING_AUTH) + sizeof(LOGIN));
	ck_assert_mem_eq(s.got + 4, LOGIN, sizeof(LOGIN));
	ck_assert_mem_eq(s.got + 10, REQUEST, sizeof(REQUEST));
	ck_assert_uint_eq(res.method, S5_METHOD_USERPASS);
	ck_assert_uint_eq(res.bnd.atyp, S5_ATYP_IPV6);
	ck_assert_uint_eq(res.bnd.u.v6[15], 1);
	ck_assert_uint_eq(res.bnd.port, 22);
}
END_TEST

START_TEST(no_auth_and_name_reply)
{
	struct script s = { .nsteps = 2 };
	struct socks5_client_req r;
	struct socks5_client_res res;

	s.steps[0] = STEP(sizeof(GREETING_NOAUTH), M_NONE);
	s.steps[1] = STEP(sizeof(REQUEST), REPLY_NAME);
	request(&r, false, false);
	ck_assert_int_eq(run(&s, &r, &res, NULL), S5C_OK);
	ck_assert_mem_eq(s.got, GREETING_NOAUTH, sizeof(GREETING_NOAUTH));
	ck_assert_uint_eq(res.bnd.atyp, S5_ATYP_DOMAINNAME);
	ck_assert_str_eq(res.bnd.u.name, "gw");
	ck_assert_uint_eq(res.bnd.port, 1024);
}
END_TEST

START_TEST(failures)
{
	static const uint8_t rep4[] = { 5, 4, 0, 1, 0, 0, 0, 0, 0, 0 };
	static const uint8_t garbage[] = { 4, 90 };
	struct socks5_client_req r;
	struct socks5_client_res res;
	struct script s;

	memset(&s, 0, sizeof(s));
	s.nsteps = 1;
	s.steps[0] = STEP(sizeof(GREETING_AUTH), M_FF);
	request(&r, true, false);
	ck_assert_int_eq(run(&s, &r, &res, NULL), S5C_NO_METHOD);

	memset(&s, 0, sizeof(s));
	s.nsteps = 2;
	s.steps[0] = STEP(sizeof(GREETING_AUTH), M_USERPASS);
	s.steps[1] = STEP(sizeof(LOGIN), AUTH_BAD);
	ck_assert_int_eq(run(&s, &r, &res, NULL), S5C_AUTH_FAILED);

	memset(&s, 0, sizeof(s));
	s.nsteps = 3;
	s.steps[0] = STEP(sizeof(GREETING_AUTH), M_USERPASS);
	s.steps[1] = STEP(sizeof(LOGIN), AUTH_OK);
	s.steps[2] = STEP(sizeof(REQUEST), rep4);
	ck_assert_int_eq(run(&s, &r, &res, NULL), S5C_REPLY);
	ck_assert_uint_eq(res.rep, S5_REP_HOST_UNREACH);

	/* Not SOCKS5 at all. */
	memset(&s, 0, sizeof(s));
	s.nsteps = 1;
	s.steps[0] = STEP(sizeof(GREETING_AUTH), garbage);
	ck_assert_int_eq(run(&s, &r, &res, NULL), S5C_PROTOCOL);

	/* A method we did not offer: no-auth when we log in, and back. */
	memset(&s, 0, sizeof(s));
	s.nsteps = 1;
	s.steps[0] = STEP(sizeof(GREETING_AUTH), M_NONE);
	ck_assert_int_eq(run(&s, &r, &res, NULL), S5C_PROTOCOL);
	memset(&s, 0, sizeof(s));
	s.nsteps = 1;
	s.steps[0] = STEP(sizeof(GREETING_NOAUTH), M_SIXGATE);
	request(&r, false, false);
	ck_assert_int_eq(run(&s, &r, &res, NULL), S5C_PROTOCOL);
}
END_TEST

START_TEST(close_and_timeout)
{
	struct socks5_client_req r;
	struct socks5_client_res res;
	struct script s;

	/* The server closes in the middle of its reply. */
	memset(&s, 0, sizeof(s));
	s.nsteps = 1;
	s.steps[0] = (struct step){ sizeof(GREETING_AUTH), M_USERPASS, 1 };
	request(&r, true, false);
	errno = 0;
	ck_assert_int_eq(run(&s, &r, &res, NULL), S5C_IO);
	ck_assert_int_eq(errno, ECONNRESET);

	/* The server never answers: the deadline holds. */
	memset(&s, 0, sizeof(s));
	s.nsteps = 1;
	s.hang = true;
	s.steps[0] = STEP(sizeof(GREETING_AUTH), M_USERPASS);
	r.timeout_ms = 300;
	errno = 0;
	ck_assert_int_eq(run(&s, &r, &res, NULL), S5C_IO);
	ck_assert_int_eq(errno, ETIMEDOUT);
}
END_TEST

START_TEST(bad_request_refused_locally)
{
	struct socks5_client_req r;
	struct socks5_client_res res;
	struct script s = { .nsteps = 0 };

	request(&r, true, true);
	r.dest.atyp = 9;	/* cannot be encoded */
	ck_assert_int_eq(run(&s, &r, &res, NULL), S5C_IO);
	ck_assert_uint_eq(s.got_len, 0);
	(void)REPLY_V4;
}
END_TEST

/*
 * RESOLVE (CMD 0xF0): the request as the Socks Lib sends it (DST.PORT =
 * the family wanted), replies with an IPv4 or IPv6 BND, and 0x04 (no
 * such name) / 0x02 / 0x07 as S5C_REPLY with the REP.
 */
START_TEST(resolve_exchange)
{
	static const uint8_t req4[] = { 5, 0xF0, 0, 3, 11, 'e', 'x', 'a', 'm',
	    'p', 'l', 'e', '.', 'o', 'r', 'g', 0, 4 };
	static const uint8_t rep4[] = { 5, 0, 0, 1, 192, 0, 2, 7, 0, 0 };
	static const uint8_t rep6[] = { 5, 0, 0, 4, 0x20, 0x01, 0x0d, 0xb8,
	    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0 };
	static const uint8_t noname[] = { 5, 4, 0, 1, 0, 0, 0, 0, 0, 0 };
	static const uint8_t denied[] = { 5, 2, 0, 1, 0, 0, 0, 0, 0, 0 };
	static const uint8_t unsupp[] = { 5, 7, 0, 1, 0, 0, 0, 0, 0, 0 };
	static const uint8_t *const fails[] = { noname, denied, unsupp };
	static const uint8_t fail_rep[] = { S5_REP_HOST_UNREACH,
	    S5_REP_NOT_ALLOWED, S5_REP_CMD_UNSUPPORTED };
	struct socks5_client_req r;
	struct socks5_client_res res;
	struct script s;
	size_t k;

	/* Stepwise, IPv4 answer. */
	memset(&s, 0, sizeof(s));
	s.nsteps = 3;
	s.steps[0] = STEP(sizeof(GREETING_AUTH), M_USERPASS);
	s.steps[1] = STEP(sizeof(LOGIN), AUTH_OK);
	s.steps[2] = STEP(sizeof(req4), rep4);
	request(&r, true, false);
	r.cmd = S5_CMD_RESOLVE;
	ck_assert_int_eq(socks5_addr_set_name(&r.dest, "example.org",
	    S5_RESOLVE_WANT_IPV4), S5_OK);
	ck_assert_int_eq(run(&s, &r, &res, NULL), S5C_OK);
	ck_assert_uint_eq(s.got_len, sizeof(GREETING_AUTH) + sizeof(LOGIN) +
	    sizeof(req4));
	ck_assert_mem_eq(s.got, GREETING_AUTH, sizeof(GREETING_AUTH));
	ck_assert_mem_eq(s.got + 4, LOGIN, sizeof(LOGIN));
	ck_assert_mem_eq(s.got + 10, req4, sizeof(req4));
	ck_assert_uint_eq(res.rep, 0);
	ck_assert_uint_eq(res.bnd.atyp, S5_ATYP_IPV4);
	ck_assert_mem_eq(res.bnd.u.v4, rep4 + 4, 4);
	ck_assert_uint_eq(res.bnd.port, 0);

	/* Pipelined (sixgated), IPv6 asked for and answered. */
	memset(&s, 0, sizeof(s));
	{
		static uint8_t ans[2 + 2 + sizeof(rep6)];

		memcpy(ans, M_SIXGATE, 2);
		memcpy(ans + 2, AUTH_OK, 2);
		memcpy(ans + 4, rep6, sizeof(rep6));
		s.nsteps = 1;
		s.steps[0] = STEP(sizeof(GREETING_AUTH) + sizeof(LOGIN) +
		    sizeof(req4), ans);
		request(&r, true, true);
		r.cmd = S5_CMD_RESOLVE;
		ck_assert_int_eq(socks5_addr_set_name(&r.dest, "example.org",
		    S5_RESOLVE_WANT_IPV6), S5_OK);
		ck_assert_int_eq(run(&s, &r, &res, NULL), S5C_OK);
	}
	ck_assert_mem_eq(s.got + 10, req4, sizeof(req4) - 1);
	ck_assert_uint_eq(s.got[10 + sizeof(req4) - 1], 6);
	ck_assert_uint_eq(res.method, S5_METHOD_SIXGATE);
	ck_assert_uint_eq(res.bnd.atyp, S5_ATYP_IPV6);
	ck_assert_mem_eq(res.bnd.u.v6, rep6 + 4, 16);
	ck_assert_uint_eq(res.bnd.port, 0);

	/* Refusals: S5C_REPLY with the REP. */
	for (k = 0; k < 3; k++) {
		memset(&s, 0, sizeof(s));
		s.nsteps = 3;
		s.steps[0] = STEP(sizeof(GREETING_AUTH), M_USERPASS);
		s.steps[1] = STEP(sizeof(LOGIN), AUTH_OK);
		s.steps[2] = (struct step){ sizeof(req4), fails[k], 10 };
		request(&r, true, false);
		r.cmd = S5_CMD_RESOLVE;
		ck_assert_int_eq(socks5_addr_set_name(&r.dest, "example.org",
		    S5_RESOLVE_WANT_IPV4), S5_OK);
		ck_assert_int_eq(run(&s, &r, &res, NULL), S5C_REPLY);
		ck_assert_uint_eq(res.rep, fail_rep[k]);
		ck_assert_mem_eq(s.got + 10, req4, sizeof(req4));
	}
}
END_TEST

START_TEST(errno_table)
{
	ck_assert_int_eq(socks5_errno_from_rep(S5_REP_SUCCEEDED), 0);
	ck_assert_int_eq(socks5_errno_from_rep(S5_REP_GENERAL_FAILURE),
	    ECONNREFUSED);
	ck_assert_int_eq(socks5_errno_from_rep(S5_REP_NOT_ALLOWED), EACCES);
	ck_assert_int_eq(socks5_errno_from_rep(S5_REP_NET_UNREACH),
	    ENETUNREACH);
	ck_assert_int_eq(socks5_errno_from_rep(S5_REP_HOST_UNREACH),
	    EHOSTUNREACH);
	ck_assert_int_eq(socks5_errno_from_rep(S5_REP_CONN_REFUSED),
	    ECONNREFUSED);
	ck_assert_int_eq(socks5_errno_from_rep(S5_REP_TTL_EXPIRED), ETIMEDOUT);
	ck_assert_int_eq(socks5_errno_from_rep(S5_REP_CMD_UNSUPPORTED),
	    EOPNOTSUPP);
	ck_assert_int_eq(socks5_errno_from_rep(S5_REP_ATYP_UNSUPPORTED),
	    EAFNOSUPPORT);
	ck_assert_int_eq(socks5_errno_from_rep(0x42), ECONNREFUSED);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("socks5_client");
	TCase *tc = tcase_create("handshake");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, pipelined_one_write);
	tcase_add_loop_test(tc, stepwise_in_order, 0, 2);
	tcase_add_test(tc, no_auth_and_name_reply);
	tcase_add_test(tc, failures);
	tcase_add_test(tc, close_and_timeout);
	tcase_add_test(tc, bad_request_refused_locally);
	tcase_add_test(tc, resolve_exchange);
	tcase_add_test(tc, errno_table);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
