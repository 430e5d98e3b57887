/*
 * fuzz_socks5_client.c - libFuzzer harness for the client side of a
 * SOCKS5 handshake: socks5_client_handshake() (and through it
 * socks5_parse_method, socks5_parse_auth_status and socks5_parse_reply)
 * run against a server whose answers are the fuzz bytes.
 *
 * The first byte chooses the request: bit 0 log in (user and password)
 * or not, bit 1 pipelined or stepwise, bits 2-3 the command, bits 4-7
 * the size of the chunks the fake recv hands out (1..16 bytes), so the
 * incremental parsing sees every split.  The rest is the server's byte
 * stream; once it is used up, recv answers 0 (the server closed).  send
 * discards, so no socket is ever touched (fd -1).
 *
 * Invariant checked: after S5C_OK the handshake has read exactly the
 * server's messages (method, status when logging in, reply) and not one
 * byte more, and BND.ADDR is well formed.
 *
 *   ./configure CC=clang && make fuzz
 *   ./tests/fuzz/fuzz_socks5_client -max_total_time=60 tests/fuzz/corpus/socks5_client
 */
#include "sgconfig.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "socks5_client.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t *fz_data;
static size_t fz_size, fz_off, fz_chunk;

static ssize_t
fz_send(int fd, const void *buf, size_t len, int flags)
{
	(void)fd;
	(void)buf;
	(void)flags;
	return (ssize_t)len;
}

static ssize_t
fz_recv(int fd, void *buf, size_t len, int flags)
{
	size_t n = fz_size - fz_off;

	(void)fd;
	(void)flags;
	if (n > len)
		n = len;
	if (n > fz_chunk)
		n = fz_chunk;
	memcpy(buf, fz_data + fz_off, n);
	fz_off += n;
	return (ssize_t)n;
}

static int
fz_connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	(void)fd;
	(void)sa;
	(void)len;
	errno = ENOSYS;
	return -1;
}

static const struct sgio_ops fz_ops = { fz_send, fz_recv, fz_connect };

static size_t
reply_len(const uint8_t *p, size_t avail)
{
	if (avail < 5)
		return (size_t)-1;
	switch (p[3]) {
	case S5_ATYP_IPV4:
		return 4 + 4 + 2;
	case S5_ATYP_IPV6:
		return 4 + 16 + 2;
	default:
		return 4 + 1 + (size_t)p[4] + 2;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t cmds[4] = { S5_CMD_CONNECT, S5_CMD_BIND,
	    S5_CMD_UDP_ASSOCIATE, S5_CMD_RESOLVE };
	struct socks5_client_req req;
	struct socks5_client_res res;
	enum socks5_client_result r;
	size_t want;
	bool login;

	if (size < 1)
		return 0;
	memset(&req, 0, sizeof(req));
	login = data[0] & 1;
	req.user = login ? "fuzzuser" : NULL;
	req.pass = login ? "fuzzpass" : NULL;
	req.pipeline = (data[0] & 2) != 0;
	req.cmd = cmds[(data[0] >> 2) & 3];
	req.timeout_ms = 1000;
	if (socks5_addr_set_name(&req.dest, "example.org", 443) != S5_OK)
		abort();
	fz_chunk = 1 + (data[0] >> 4);
	fz_data = data + 1;
	fz_size = size - 1;
	fz_off = 0;

	r = socks5_client_handshake(&fz_ops, -1, &req, &res);
	if (fz_off > fz_size)
		abort();
	if (r == S5C_OK || r == S5C_REPLY) {
		/* Exactly method [+ status] + reply were read. */
		want = 2 + (login ? 2 : 0);
		if (fz_size < want)
			abort();
		want += reply_len(fz_data + want, fz_size - want);
		if (want != fz_off)
			abort();
		if (r == S5C_OK && res.rep != S5_REP_SUCCEEDED)
			abort();
		if (r == S5C_REPLY && res.rep == S5_REP_SUCCEEDED)
			abort();
		if (res.bnd.atyp == S5_ATYP_DOMAINNAME &&
		    (res.bnd.namelen == 0 ||
		    strlen(res.bnd.u.name) != res.bnd.namelen))
			abort();
	}
	(void)socks5_errno_from_rep(res.rep);
	return 0;
}
