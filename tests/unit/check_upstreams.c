/*
 * check_upstreams.c - unit tests of the "hops" and "upstreams" settings
 * (chained relays, RFC 3089 section 4) of config.c/config_upstreams.c.
 *
 * Covered: good configurations checked field by field (the hop table with
 * names, hosts, ports, users, passwords, "host:port" texts and lines;
 * routes with their lines, actions, names/networks split, ports, chains
 * as indices into the hop table, alternative chains, inline hops appended
 * to the table, `to`-less entries; hops written after upstreams; [ ] and
 * ( ) lists; no hops/upstreams at all; the limits 8 hops per chain, 4
 * chains per entry, 256 hops, 1024 entries exactly); route_match on a
 * loaded configuration; password_file (first line only, CR LF, modes 0600
 * 0640 0400 accepted, anything readable/writable by others refused with
 * the file named, missing file, empty file, a file of only a newline, a
 * directory, re-read at every load, never in an error message);
 * config_load_file with hops (source, fields, FILE:LINE errors); and
 * every error of the contract, refused with "bad.conf:LINE: reason" at
 * the line of the offending setting: unknown hop in via (also in an
 * alternative chain and with no hops at all), duplicate hop names, user
 * without password_file and the reverse (named and inline hops), hops
 * that are our own listeners (a literal listener address in both
 * families, localhost or a loopback address on the port of a loopback
 * listener, on the port of a wildcard listener of either family, the
 * default listeners, inline hops; and what is not a loop), bad hop
 * addresses, a hop without an address, 9 hops in a chain, 5 chains,
 * 257 hops, 1025 entries, via mixing hops and chains, action "direct" or
 * "deny" with via, an entry with neither via nor action, unknown keys in
 * hops, inline hops, entries and at the top level, bad action values and
 * malformed hops/upstreams/via/to.
 */
#include "sgconfig.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>

#include "acl.h"
#include "addr.h"
#include "config.h"
#include "route.h"

#define NAME	"bad.conf"

/* --- temp files: one directory per test case, removed by the parent --- */

static char tmpdir[256];

static void
tmp_setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "%s/check_upstreams.XXXXXX",
	    getenv("TMPDIR") != NULL && *getenv("TMPDIR") != '\0' ?
	    getenv("TMPDIR") : "/tmp");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		exit(99);
	}
}

static void
tmp_teardown(void)
{
	char path[600];
	struct dirent *e;
	DIR *d;

	if (tmpdir[0] == '\0' || (d = opendir(tmpdir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", tmpdir, e->d_name);
		if (unlink(path) == -1)
			(void)rmdir(path);
	}
	closedir(d);
	(void)rmdir(tmpdir);
}

/* Write content into tmpdir/name with mode; returns the path (static). */
static const char *
tmp_file(const char *name, const char *content, mode_t mode)
{
	static char paths[8][600];
	static unsigned next;
	char *path = paths[next++ % 8];
	size_t len = strlen(content);
	int fd;

	snprintf(path, sizeof(paths[0]), "%s/%s", tmpdir, name);
	(void)unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ck_assert_msg(fd >= 0, "cannot create %s", path);
	ck_assert_int_eq(write(fd, content, len), (int)len);
	close(fd);
	/* chmod, not open's mode: the umask must not change it */
	ck_assert_int_eq(chmod(path, mode), 0);
	return path;
}

/* printf into a buffer that lives until the next call but three. */
static const char *
fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));

static const char *
fmt(const char *f, ...)
{
	static char bufs[4][16384];
	static unsigned next;
	char *b = bufs[next++ % 4];
	va_list ap;
	int n;

	va_start(ap, f);
	n = vsnprintf(b, sizeof(bufs[0]), f, ap);
	va_end(ap);
	ck_assert_int_lt(n, (int)sizeof(bufs[0]));
	return b;
}

static struct config *
load_ok(const char *text)
{
	char err[CONFIG_ERRLEN] = "";
	struct config *c = config_load_string(text, "good.conf", err,
	    sizeof(err));

	ck_assert_msg(c != NULL, "config refused: %s\n--- text:\n%s", err,
	    text);
	return c;
}

/*
 * text must be refused with "bad.conf:LINE: reason"; the reason must
 * contain needle1 and needle2 (when not NULL).  The error is returned
 * (static) for further checks.
 */
static const char *
expect_error(const char *text, int line, const char *needle1,
    const char *needle2)
{
	static char err[CONFIG_ERRLEN];
	char prefix[64];
	struct config *c;
	size_t plen;

	memset(err, 0, sizeof(err));
	c = config_load_string(text, NAME, err, sizeof(err));
	if (c != NULL)
		config_free(c);
	ck_assert_msg(c == NULL, "config accepted:\n%s", text);
	if (getenv("CHECK_SHOW_ERRORS") != NULL)	/* for debugging */
		fprintf(stderr, "%s\n", err);
	plen = (size_t)snprintf(prefix, sizeof(prefix), NAME ":%d: ", line);
	ck_assert_msg(strncmp(err, prefix, plen) == 0,
	    "error \"%s\" does not start with \"%s\"\n--- text:\n%s", err,
	    prefix, text);
	ck_assert_msg(strlen(err) > plen, "error \"%s\" has no reason", err);
	if (needle1 != NULL)
		ck_assert_msg(strstr(err + plen, needle1) != NULL,
		    "error \"%s\" does not mention \"%s\"\n--- text:\n%s", err,
		    needle1, text);
	if (needle2 != NULL)
		ck_assert_msg(strstr(err + plen, needle2) != NULL,
		    "error \"%s\" does not mention \"%s\"\n--- text:\n%s", err,
		    needle2, text);
	return err;
}

static void
assert_cidr(const struct addr_cidr *c, const char *text)
{
	struct addr_cidr want;

	ck_assert_msg(addr_parse_cidr(text, &want) == ADDR_OK, "bad CIDR %s",
	    text);
	ck_assert_msg(c->family == want.family, "%s: family %d, want %d",
	    text, c->family, want.family);
	ck_assert_msg(c->prefix == want.prefix, "%s: prefix %u, want %u",
	    text, c->prefix, want.prefix);
	ck_assert_msg(memcmp(c->addr, want.addr,
	    want.family == AF_INET ? 4 : 16) == 0, "%s: address differs", text);
}

static void
assert_hop(const struct route_hop *h, const char *name, const char *host,
    uint16_t port, const char *user, const char *password, const char *text,
    int line)
{
	ck_assert_str_eq(h->name, name);
	ck_assert_str_eq(h->host, host);
	ck_assert_uint_eq(h->port, port);
	ck_assert_str_eq(h->user, user);
	ck_assert_str_eq(h->password, password);
	ck_assert_str_eq(h->text, text);
	ck_assert_int_eq(h->line, line);
}

/* Chain ch of route r: its hops are the indices given (-1 ends them). */
static void
assert_chain(const struct route *r, size_t ch, ...)
{
	const struct route_chain *c;
	va_list ap;
	size_t n = 0;
	int idx;

	ck_assert_uint_lt(ch, r->nchains);
	c = &r->chains[ch];
	va_start(ap, ch);
	while ((idx = va_arg(ap, int)) >= 0) {
		ck_assert_msg(n < c->nhops, "route line %d chain %zu: %zu hops, "
		    "want more", r->line, ch, c->nhops);
		ck_assert_msg(c->hops[n] == (size_t)idx, "route line %d chain "
		    "%zu hop %zu: index %zu, want %d", r->line, ch, n,
		    c->hops[n], idx);
		n++;
	}
	va_end(ap);
	ck_assert_msg(c->nhops == n, "route line %d chain %zu: %zu hops, "
	    "want %zu", r->line, ch, c->nhops, n);
}

static void
assert_port(const struct route *r, size_t i, uint16_t lo, uint16_t hi)
{
	ck_assert_uint_lt(i, r->nports);
	ck_assert_uint_eq(r->ports[i].lo, lo);
	ck_assert_uint_eq(r->ports[i].hi, hi);
}

static const struct sockaddr *
sa(const char *text)
{
	static struct sockaddr_storage ss;
	socklen_t len;
	char buf[128];

	snprintf(buf, sizeof(buf), strchr(text, ':') ? "[%s]:1" : "%s:1",
	    text);
	ck_assert_int_eq(addr_parse_sockaddr(buf, &ss, &len), ADDR_OK);
	return (const struct sockaddr *)&ss;
}

/* --- good configurations --- */

static const char good_text[] =
/*  1 */ "listen = [ \"127.0.0.1:1080\", \"[::1]:1080\" ];\n"
/*  2 */ "hops = (\n"
/*  3 */ "  { name = \"gw2\"; address = \"gw2.example:1081\";\n"
/*  4 */ "    user = \"relay\"; password_file = \"%s\"; },\n"
/*  5 */ "  { name = \"gw3\"; address = \"[2001:db8::3]:1080\"; },\n"
/*  6 */ "  { name = \"gw4\"; address = \"192.0.2.4:1082\"; }\n"
/*  7 */ ");\n"
/*  8 */ "upstreams = (\n"
/*  9 */ "  { to = [ \"*.corp.example\", \"10.0.0.0/8\", "
	    "\"intranet.example\", \"2001:db8::/32\" ];\n"
/* 10 */ "    ports = ( 443, \"8000-8999\" );\n"
/* 11 */ "    via = ( \"gw2\", \"gw3\" ); },\n"
/* 12 */ "  { to = [ \"*.lab.example\" ];\n"
/* 13 */ "    via = ( ( \"gw2\" ), ( \"gw3\", \"gw4\" ) ); },\n"
/* 14 */ "  { to = [ \"*.inline.example\" ];\n"
/* 15 */ "    via = ( \"gw4\",\n"
/* 16 */ "      { address = \"198.51.100.7:1080\"; user = \"x\";\n"
/* 17 */ "        password_file = \"%s\"; } ); },\n"
/* 18 */ "  { to = [ \"*.local\" ]; action = \"direct\"; },\n"
/* 19 */ "  { to = [ \"*.evil.example\" ]; action = \"deny\"; },\n"
/* 20 */ "  { to = [ \"192.0.2.0/24\", \"2001:db8:1::7\" ]; action = "
	    "\"chain\"; via = [ \"gw3\" ]; },\n"
/* 21 */ "  { via = ( { address = \"[2001:db8::9]:1090\"; } ) }\n"
/* 22 */ ");\n";

START_TEST(test_good_full)
{
	const char *pw2 = tmp_file("gw2.pass", "s3cret-gw2\n", 0600);
	const char *pwx = tmp_file("x.pass", "x-password", 0600);
	struct config *c = load_ok(fmt(good_text, pw2, pwx));
	const struct route *r;

	/* the hop table: named hops in order, then inline ones */
	ck_assert_uint_eq(c->nhops, 5);
	assert_hop(&c->hops[0], "gw2", "gw2.example", 1081, "relay",
	    "s3cret-gw2", "gw2.example:1081", 3);
	assert_hop(&c->hops[1], "gw3", "2001:db8::3", 1080, "", "",
	    "[2001:db8::3]:1080", 5);
	assert_hop(&c->hops[2], "gw4", "192.0.2.4", 1082, "", "",
	    "192.0.2.4:1082", 6);
	assert_hop(&c->hops[3], "", "198.51.100.7", 1080, "x", "x-password",
	    "198.51.100.7:1080", 16);
	assert_hop(&c->hops[4], "", "2001:db8::9", 1090, "", "",
	    "[2001:db8::9]:1090", 21);

	ck_assert_uint_eq(c->nroutes, 7);

	r = &c->routes[0];	/* names + nets + ports, one chain of two */
	ck_assert_int_eq(r->line, 9);
	ck_assert_int_eq(r->action, ROUTE_CHAIN);
	ck_assert_uint_eq(r->nnames, 2);
	ck_assert_str_eq(r->names[0], "*.corp.example");
	ck_assert_str_eq(r->names[1], "intranet.example");
	ck_assert_uint_eq(r->nnets, 2);
	assert_cidr(&r->nets[0], "10.0.0.0/8");
	assert_cidr(&r->nets[1], "2001:db8::/32");
	ck_assert_uint_eq(r->nports, 2);
	assert_port(r, 0, 443, 443);
	assert_port(r, 1, 8000, 8999);
	ck_assert_uint_eq(r->nchains, 1);
	assert_chain(r, 0, 0, 1, -1);

	r = &c->routes[1];	/* two alternatives */
	ck_assert_int_eq(r->line, 12);
	ck_assert_int_eq(r->action, ROUTE_CHAIN);
	ck_assert_uint_eq(r->nnames, 1);
	ck_assert_str_eq(r->names[0], "*.lab.example");
	ck_assert_uint_eq(r->nnets, 0);
	ck_assert_uint_eq(r->nports, 0);
	ck_assert_uint_eq(r->nchains, 2);
	assert_chain(r, 0, 0, -1);
	assert_chain(r, 1, 1, 2, -1);

	r = &c->routes[2];	/* a named hop, then an inline one */
	ck_assert_int_eq(r->line, 14);
	ck_assert_int_eq(r->action, ROUTE_CHAIN);
	ck_assert_uint_eq(r->nchains, 1);
	assert_chain(r, 0, 2, 3, -1);

	r = &c->routes[3];
	ck_assert_int_eq(r->line, 18);
	ck_assert_int_eq(r->action, ROUTE_DIRECT);
	ck_assert_uint_eq(r->nnames, 1);
	ck_assert_str_eq(r->names[0], "*.local");
	ck_assert_uint_eq(r->nchains, 0);

	r = &c->routes[4];
	ck_assert_int_eq(r->line, 19);
	ck_assert_int_eq(r->action, ROUTE_DENY);
	ck_assert_uint_eq(r->nnames, 1);
	ck_assert_str_eq(r->names[0], "*.evil.example");
	ck_assert_uint_eq(r->nchains, 0);

	r = &c->routes[5];	/* explicit "chain", via as [ ] */
	ck_assert_int_eq(r->line, 20);
	ck_assert_int_eq(r->action, ROUTE_CHAIN);
	ck_assert_uint_eq(r->nnames, 0);
	ck_assert_uint_eq(r->nnets, 2);
	assert_cidr(&r->nets[0], "192.0.2.0/24");
	assert_cidr(&r->nets[1], "2001:db8:1::7/128");
	ck_assert_uint_eq(r->nchains, 1);
	assert_chain(r, 0, 1, -1);

	r = &c->routes[6];	/* no to: everything; an inline hop only */
	ck_assert_int_eq(r->line, 21);
	ck_assert_int_eq(r->action, ROUTE_CHAIN);
	ck_assert_uint_eq(r->nnames, 0);
	ck_assert_uint_eq(r->nnets, 0);
	ck_assert_uint_eq(r->nports, 0);
	ck_assert_uint_eq(r->nchains, 1);
	assert_chain(r, 0, 4, -1);

	/* the loaded routes, matched */
	ck_assert_int_eq(route_match(c->routes, c->nroutes, "a.corp.example",
	    NULL, 443), 0);
	ck_assert_int_eq(route_match(c->routes, c->nroutes, "A.Corp.Example.",
	    NULL, 8080), 0);
	ck_assert_int_eq(route_match(c->routes, c->nroutes, "intranet.example",
	    NULL, 8999), 0);
	ck_assert_int_eq(route_match(c->routes, c->nroutes, "a.corp.example",
	    NULL, 80), 6);
	ck_assert_int_eq(route_match(c->routes, c->nroutes, NULL,
	    sa("10.1.2.3"), 443), 0);
	ck_assert_int_eq(route_match(c->routes, c->nroutes, NULL,
	    sa("2001:db8:5::1"), 8000), 0);
	ck_assert_int_eq(route_match(c->routes, c->nroutes, "x.lab.example",
	    NULL, 22), 1);
	ck_assert_int_eq(route_match(c->routes, c->nroutes, "lab.example",
	    NULL, 22), 6);
	ck_assert_int_eq(route_match(c->routes, c->nroutes, "a.b.inline.example",
	    NULL, 1), 2);
	ck_assert_int_eq(route_match(c->routes, c->nroutes, "printer.local",
	    NULL, 631), 3);
	ck_assert_int_eq(route_match(c->routes, c->nroutes, "x.evil.example",
	    NULL, 443), 4);
	ck_assert_int_eq(route_match(c->routes, c->nroutes, NULL,
	    sa("192.0.2.200"), 80), 5);
	ck_assert_int_eq(route_match(c->routes, c->nroutes, NULL,
	    sa("2001:db8:1::7"), 80), 5);
	ck_assert_int_eq(route_match(c->routes, c->nroutes, NULL,
	    sa("2001:db8:5::1"), 80), 6);
	config_free(c);
}
END_TEST

START_TEST(test_good_none)
{
	struct config *c = load_ok("listen = [ \"127.0.0.1:1080\" ];\n");

	ck_assert_uint_eq(c->nhops, 0);
	ck_assert_uint_eq(c->nroutes, 0);
	ck_assert_int_eq(route_match(c->routes, c->nroutes, "www.example",
	    NULL, 80), -1);
	config_free(c);

	c = load_ok("hops = ( );\nupstreams = ( );\n");
	ck_assert_uint_eq(c->nhops, 0);
	ck_assert_uint_eq(c->nroutes, 0);
	config_free(c);

	/* hops that no entry uses */
	c = load_ok("hops = ( { name = \"gw2\"; address = \"192.0.2.2:1080\"; "
	    "} );\n");
	ck_assert_uint_eq(c->nhops, 1);
	ck_assert_uint_eq(c->nroutes, 0);
	assert_hop(&c->hops[0], "gw2", "192.0.2.2", 1080, "", "",
	    "192.0.2.2:1080", 1);
	config_free(c);

	/* direct and deny need no hops */
	c = load_ok("upstreams = (\n { to = [ \"*.a.example\" ]; action = "
	    "\"deny\"; },\n { action = \"direct\"; }\n);\n");
	ck_assert_uint_eq(c->nhops, 0);
	ck_assert_uint_eq(c->nroutes, 2);
	ck_assert_int_eq(c->routes[0].action, ROUTE_DENY);
	ck_assert_int_eq(c->routes[0].line, 2);
	ck_assert_int_eq(c->routes[1].action, ROUTE_DIRECT);
	ck_assert_int_eq(c->routes[1].line, 3);
	ck_assert_uint_eq(c->routes[1].nnames + c->routes[1].nnets, 0);
	config_free(c);
}
END_TEST

START_TEST(test_good_hops_after_upstreams)
{
	struct config *c = load_ok(
	    "upstreams = (\n"
	    "  { to = [ \"*.x.example\" ]; via = ( \"gw3\", \"gw2\" ); }\n"
	    ");\n"
	    "hops = (\n"
	    "  { name = \"gw2\"; address = \"gw2.example:1080\"; },\n"
	    "  { name = \"gw3\"; address = \"gw3.example:1080\"; }\n"
	    ");\n");

	ck_assert_uint_eq(c->nhops, 2);
	ck_assert_str_eq(c->hops[0].name, "gw2");
	ck_assert_str_eq(c->hops[1].name, "gw3");
	ck_assert_uint_eq(c->nroutes, 1);
	ck_assert_int_eq(c->routes[0].line, 2);
	assert_chain(&c->routes[0], 0, 1, 0, -1);
	config_free(c);
}
END_TEST

START_TEST(test_good_shared_hop)
{
	/* one named hop in several chains and entries: one table entry */
	struct config *c = load_ok(
	    "hops = ( { name = \"gw2\"; address = \"192.0.2.2:1080\"; },\n"
	    "         { name = \"gw3\"; address = \"192.0.2.3:1080\"; } );\n"
	    "upstreams = (\n"
	    "  { to = [ \"a.example\" ]; via = ( ( \"gw2\", \"gw3\" ), "
	    "( \"gw3\", \"gw2\" ) ); },\n"
	    "  { to = [ \"b.example\" ]; via = ( \"gw3\" ); },\n"
	    "  { to = [ \"c.example\" ]; via = ( \"gw2\", \"gw2\" ); }\n"
	    ");\n");

	ck_assert_uint_eq(c->nhops, 2);
	assert_chain(&c->routes[0], 0, 0, 1, -1);
	assert_chain(&c->routes[0], 1, 1, 0, -1);
	assert_chain(&c->routes[1], 0, 1, -1);
	assert_chain(&c->routes[2], 0, 0, 0, -1);
	config_free(c);
}
END_TEST

/* hops = ( gw1 .. gwN ) with addresses 192.0.2.x:(1000 + i). */
static size_t
print_hops(char *buf, size_t len, int n)
{
	size_t off;
	int i;

	off = (size_t)snprintf(buf, len, "hops = (\n");
	for (i = 1; i <= n; i++)
		off += (size_t)snprintf(buf + off, len - off,
		    "  { name = \"gw%d\"; address = \"192.0.2.%d:%d\"; }%s\n",
		    i, 1 + i % 250, 1000 + i, i < n ? "," : "");
	off += (size_t)snprintf(buf + off, len - off, ");\n");
	ck_assert_uint_lt(off, len);
	return off;
}

START_TEST(test_good_limits)
{
	static char text[65536];
	struct config *c;
	size_t off, i;

	/* 8 hops in one chain, 4 alternative chains */
	off = print_hops(text, sizeof(text), 9);
	snprintf(text + off, sizeof(text) - off,
	    "upstreams = (\n"
	    "  { via = ( \"gw1\", \"gw2\", \"gw3\", \"gw4\", \"gw5\", \"gw6\", "
	    "\"gw7\", \"gw8\" ); },\n"
	    "  { via = ( ( \"gw1\" ), ( \"gw2\" ), ( \"gw3\" ), "
	    "( \"gw9\", \"gw8\", \"gw7\", \"gw6\", \"gw5\", \"gw4\", \"gw3\", "
	    "\"gw2\" ) ); }\n"
	    ");\n");
	c = load_ok(text);
	ck_assert_uint_eq(c->nhops, 9);
	assert_chain(&c->routes[0], 0, 0, 1, 2, 3, 4, 5, 6, 7, -1);
	ck_assert_uint_eq(c->routes[1].nchains, 4);
	assert_chain(&c->routes[1], 0, 0, -1);
	assert_chain(&c->routes[1], 1, 1, -1);
	assert_chain(&c->routes[1], 2, 2, -1);
	assert_chain(&c->routes[1], 3, 8, 7, 6, 5, 4, 3, 2, 1, -1);
	config_free(c);

	/* 256 hops */
	print_hops(text, sizeof(text), 256);
	c = load_ok(text);
	ck_assert_uint_eq(c->nhops, 256);
	ck_assert_str_eq(c->hops[255].name, "gw256");
	ck_assert_int_eq(c->hops[255].line, 257);
	config_free(c);

	/* 1024 entries */
	off = (size_t)snprintf(text, sizeof(text), "upstreams = (\n");
	for (i = 1; i <= 1024; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
		    "  { to = [ \"h%zu.example\" ]; action = \"direct\"; }%s\n",
		    i, i < 1024 ? "," : "");
	snprintf(text + off, sizeof(text) - off, ");\n");
	c = load_ok(text);
	ck_assert_uint_eq(c->nroutes, 1024);
	ck_assert_int_eq(c->routes[1023].line, 1025);
	ck_assert_int_eq(route_match(c->routes, c->nroutes, "h1024.example",
	    NULL, 80), 1023);
	config_free(c);
}
END_TEST

/* --- password_file --- */

static const char pw_text[] =
/* 1 */ "hops = (\n"
/* 2 */ "  { name = \"gw2\"; address = \"192.0.2.2:1080\"; user = \"relay\";\n"
/* 3 */ "    password_file = \"%s\"; }\n"
/* 4 */ ");\n";

/* The password read from a file with content and mode. */
static void
expect_password(const char *content, mode_t mode, const char *want)
{
	const char *path = tmp_file("pw", content, mode);
	struct config *c = load_ok(fmt(pw_text, path));

	ck_assert_uint_eq(c->nhops, 1);
	ck_assert_str_eq(c->hops[0].user, "relay");
	ck_assert_msg(strcmp(c->hops[0].password, want) == 0,
	    "mode %o, content \"%s\": password \"%s\", want \"%s\"",
	    (unsigned)mode, content, c->hops[0].password, want);
	config_free(c);
}

START_TEST(test_password_read)
{
	expect_password("hunter2\n", 0600, "hunter2");
	expect_password("hunter2", 0600, "hunter2");
	expect_password("first line\nsecond line\n", 0600, "first line");
	expect_password("crlf\r\nnext\r\n", 0600, "crlf");
	expect_password(" spaces kept \n", 0600, " spaces kept ");
	expect_password("p@ss:w0rd;\"#\n", 0600, "p@ss:w0rd;\"#");
	/* not readable by others is all it takes */
	expect_password("g\n", 0640, "g");
	expect_password("g\n", 0660, "g");
	expect_password("r\n", 0400, "r");
	expect_password("r\n", 0700, "r");
}
END_TEST

START_TEST(test_password_reread)
{
	const char *path = tmp_file("pw", "old-password\n", 0600);
	const char *text = fmt(pw_text, path);
	struct config *a = load_ok(text), *b;

	ck_assert_str_eq(a->hops[0].password, "old-password");
	tmp_file("pw", "new-password\n", 0600);
	b = load_ok(text);
	ck_assert_str_eq(b->hops[0].password, "new-password");
	/* the old config keeps its own copy */
	ck_assert_str_eq(a->hops[0].password, "old-password");
	config_free(a);
	config_free(b);
}
END_TEST

/* Refused at line 3 (password_file) with the path in the reason. */
static void
expect_pw_error(const char *path, const char *needle)
{
	const char *err = expect_error(fmt(pw_text, path), 3, path, needle);

	ck_assert_msg(strstr(err, "hunter2") == NULL,
	    "error \"%s\" shows the password", err);
}

START_TEST(test_password_bad_modes)
{
	static const mode_t modes[] = { 0644, 0604, 0602, 0601, 0606, 0666,
	    0777, 0004 };
	size_t i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		expect_pw_error(tmp_file("pw", "hunter2\n", modes[i]), NULL);
}
END_TEST

START_TEST(test_password_missing_empty)
{
	char missing[600];

	snprintf(missing, sizeof(missing), "%s/no-such-file", tmpdir);
	expect_pw_error(missing, NULL);
	expect_pw_error(tmp_file("empty", "", 0600), "empty");
	expect_pw_error(tmp_file("nl", "\n", 0600), "empty");
	expect_pw_error(tmp_file("crlf", "\r\n", 0600), "empty");
	/* a directory is no password file */
	expect_pw_error(tmpdir, NULL);
}
END_TEST

START_TEST(test_password_inline_hop)
{
	const char *ok = tmp_file("ok", "inline-pw\n", 0600);
	const char *bad = tmp_file("bad", "inline-pw\n", 0644);
	static const char text[] =
	    "upstreams = (\n"
	    "  { to = [ \"*.x.example\" ];\n"
	    "    via = ( { address = \"192.0.2.9:1080\"; user = \"u\";\n"
	    "              password_file = \"%s\"; } ); }\n"
	    ");\n";
	const char *err;
	struct config *c;

	c = load_ok(fmt(text, ok));
	ck_assert_uint_eq(c->nhops, 1);
	assert_hop(&c->hops[0], "", "192.0.2.9", 1080, "u", "inline-pw",
	    "192.0.2.9:1080", 3);
	config_free(c);
	err = expect_error(fmt(text, bad), 4, bad, NULL);
	ck_assert_ptr_null(strstr(err, "inline-pw"));
}
END_TEST

/* --- config_load_file --- */

START_TEST(test_load_file)
{
	const char *pw = tmp_file("gw2.pass", "file-pw\n", 0600);
	const char *conf = tmp_file("sixgated.conf", fmt(
	    "# chained\n"
	    "hops = ( { name = \"gw2\"; address = \"[::1]:2080\";\n"
	    "           user = \"relay\"; password_file = \"%s\"; } );\n"
	    "upstreams = ( { to = [ \"*.x.example\" ]; via = ( \"gw2\" ); } );\n",
	    pw), 0644);
	char err[CONFIG_ERRLEN] = "", want[700];
	struct config *c;

	c = config_load_file(conf, err, sizeof(err));
	ck_assert_msg(c != NULL, "%s refused: %s", conf, err);
	ck_assert_str_eq(c->source, conf);
	ck_assert_uint_eq(c->nhops, 1);
	assert_hop(&c->hops[0], "gw2", "::1", 2080, "relay", "file-pw",
	    "[::1]:2080", 2);
	ck_assert_uint_eq(c->nroutes, 1);
	ck_assert_int_eq(c->routes[0].line, 4);
	assert_chain(&c->routes[0], 0, 0, -1);
	config_free(c);

	/* an error in a file: named by its path, at the right line */
	conf = tmp_file("sixgated.conf", fmt(
	    "hops = ( { name = \"gw2\"; address = \"[::1]:2080\";\n"
	    "           user = \"relay\"; password_file = \"%s\"; } );\n"
	    "upstreams = (\n"
	    "  { to = [ \"*.x.example\" ]; via = ( \"gw2\" ); },\n"
	    "  { to = [ \"*.y.example\" ]; via = ( \"gw5\" ); }\n"
	    ");\n", pw), 0644);
	c = config_load_file(conf, err, sizeof(err));
	ck_assert_ptr_null(c);
	snprintf(want, sizeof(want), "%s:5: ", conf);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0,
	    "error \"%s\" does not start with \"%s\"", err, want);
	ck_assert_ptr_nonnull(strstr(err, "gw5"));
	ck_assert_ptr_null(strstr(err, "file-pw"));

	/* a world-readable password file: the config file's line, the
	 * password file's name */
	pw = tmp_file("gw2.pass", "file-pw\n", 0644);
	conf = tmp_file("sixgated.conf", fmt(
	    "hops = ( { name = \"gw2\"; address = \"[::1]:2080\";\n"
	    "           user = \"relay\"; password_file = \"%s\"; } );\n", pw),
	    0644);
	c = config_load_file(conf, err, sizeof(err));
	ck_assert_ptr_null(c);
	snprintf(want, sizeof(want), "%s:2: ", conf);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0,
	    "error \"%s\" does not start with \"%s\"", err, want);
	ck_assert_msg(strstr(err + strlen(want), pw) != NULL,
	    "error \"%s\" does not name %s", err, pw);
	ck_assert_ptr_null(strstr(err, "file-pw"));
}
END_TEST

/* --- errors --- */

START_TEST(test_bad_unknown_hop)
{
	const char *err;

	err = expect_error(
	    "hops = ( { name = \"gw2\"; address = \"192.0.2.2:1080\"; } );\n"
	    "upstreams = (\n"
	    "  { to = [ \"*.x.example\" ];\n"
	    "    via = ( \"gw2\", \"gw9\" ); }\n"
	    ");\n", 4, "unknown hop", "\"gw9\"");
	ck_assert_ptr_nonnull(strstr(err, "not defined in hops"));
	/* in an alternative chain, on a line of its own */
	expect_error(
	    "hops = ( { name = \"gw2\"; address = \"192.0.2.2:1080\"; } );\n"
	    "upstreams = (\n"
	    "  { to = [ \"*.x.example\" ];\n"
	    "    via = ( ( \"gw2\" ),\n"
	    "            ( \"gw2\", \"GW2\" ) ); }\n"
	    ");\n", 5, "unknown hop", "\"GW2\"");
	/* no hops at all */
	expect_error(
	    "\n"
	    "upstreams = ( { via = ( \"gw2\" ); } );\n", 2, "unknown hop",
	    "gw2");
	/* an entry after a good one */
	expect_error(
	    "hops = ( { name = \"gw2\"; address = \"192.0.2.2:1080\"; } );\n"
	    "upstreams = (\n"
	    "  { via = ( \"gw2\" ); },\n"
	    "  { via = ( \"gw3\" ); }\n"
	    ");\n", 4, "unknown hop", "gw3");
}
END_TEST

START_TEST(test_bad_duplicate_hop)
{
	expect_error(
	    "hops = (\n"
	    "  { name = \"gw2\"; address = \"192.0.2.2:1080\"; },\n"
	    "  { name = \"gw3\"; address = \"192.0.2.3:1080\"; },\n"
	    "  { name = \"gw2\"; address = \"192.0.2.4:1080\"; }\n"
	    ");\n", 4, "gw2", NULL);
}
END_TEST

START_TEST(test_bad_user_password_pairs)
{
	const char *pw = tmp_file("pw", "hunter2\n", 0600);

	/* user without password_file */
	expect_error(
	    "hops = (\n"
	    "  { name = \"gw2\"; address = \"192.0.2.2:1080\"; user = \"u\"; }\n"
	    ");\n", 2, "password_file", NULL);
	/* password_file without user */
	expect_error(fmt(
	    "hops = (\n"
	    "  { name = \"gw2\"; address = \"192.0.2.2:1080\";\n"
	    "    password_file = \"%s\"; }\n"
	    ");\n", pw), 2, "user", NULL);
	/* the same in an inline hop */
	expect_error(
	    "upstreams = (\n"
	    "  { to = [ \"*.x.example\" ];\n"
	    "    via = ( { address = \"192.0.2.9:1080\"; user = \"u\"; } ); }\n"
	    ");\n", 3, "password_file", NULL);
	/* an empty user is no user */
	expect_error(fmt(
	    "hops = (\n"
	    "  { name = \"gw2\"; address = \"192.0.2.2:1080\"; user = \"\";\n"
	    "    password_file = \"%s\"; }\n"
	    ");\n", pw), 2, "user", NULL);
}
END_TEST

/* hop at line 3 is one of our own listeners */
static void
expect_loop(const char *listen, const char *address)
{
	char text[1024];
	const char *err;

	snprintf(text, sizeof(text),
	    "%s\n"
	    "hops = (\n"
	    "  { name = \"me\"; address = \"%s\"; }\n"
	    ");\n", listen, address);
	err = expect_error(text, 3, address, "listener");
	ck_assert_msg(strstr(err, "loop") != NULL,
	    "error \"%s\" does not say \"loop\"", err);
}

static void
expect_no_loop(const char *listen, const char *address)
{
	char text[1024];

	snprintf(text, sizeof(text),
	    "%s\n"
	    "hops = (\n"
	    "  { name = \"other\"; address = \"%s\"; }\n"
	    ");\n", listen, address);
	config_free(load_ok(text));
}

START_TEST(test_bad_loop_literal)
{
	const char *l = "listen = [ \"127.0.0.1:1080\", \"[::1]:1081\", "
	    "\"192.0.2.10:1082\", \"[2001:db8::10]:1083\" ];";

	expect_loop(l, "127.0.0.1:1080");
	expect_loop(l, "[::1]:1081");
	expect_loop(l, "192.0.2.10:1082");
	expect_loop(l, "[2001:db8::10]:1083");
	/* other ports, other addresses */
	expect_no_loop(l, "192.0.2.10:1080");
	expect_no_loop(l, "192.0.2.11:1082");
	expect_no_loop(l, "[2001:db8::10]:1082");
	expect_no_loop(l, "[2001:db8::11]:1083");
}
END_TEST

START_TEST(test_bad_loop_localhost)
{
	const char *l4 = "listen = [ \"127.0.0.1:1080\" ];";
	const char *l6 = "listen = [ \"[::1]:1090\" ];";
	const char *pub = "listen = [ \"192.0.2.10:1080\", "
	    "\"[2001:db8::10]:1090\" ];";

	/* the name, and any loopback address, on a loopback listener's port */
	expect_loop(l4, "localhost:1080");
	expect_loop(l4, "127.0.0.2:1080");
	expect_loop(l4, "127.255.255.254:1080");
	expect_loop(l4, "[::1]:1080");
	expect_loop(l6, "localhost:1090");
	expect_loop(l6, "[::1]:1090");
	expect_loop(l6, "127.0.0.1:1090");
	/* other ports */
	expect_no_loop(l4, "localhost:1081");
	expect_no_loop(l4, "127.0.0.1:1081");
	expect_no_loop(l6, "[::1]:1080");
	expect_no_loop(l6, "localhost:1080");
	/* loopback on the port of a listener that is not loopback */
	expect_no_loop(pub, "localhost:1080");
	expect_no_loop(pub, "127.0.0.1:1080");
	expect_no_loop(pub, "[::1]:1090");
	/* a name that merely starts like it */
	expect_no_loop(l4, "localhost.example:1080");
}
END_TEST

START_TEST(test_bad_loop_localhost_case)
{
	/* names are case-insensitive: LocalHost is localhost */
	expect_loop("listen = [ \"127.0.0.1:1080\" ];", "LocalHost:1080");
	expect_loop("listen = [ \"127.0.0.1:1080\" ];", "LOCALHOST:1080");
}
END_TEST

START_TEST(test_bad_loop_wildcard)
{
	const char *w4 = "listen = [ \"0.0.0.0:1080\" ];";
	const char *w6 = "listen = [ \"[::]:1090\" ];";

	expect_loop(w4, "127.0.0.1:1080");
	expect_loop(w4, "127.0.0.53:1080");
	expect_loop(w4, "localhost:1080");
	expect_loop(w4, "[::1]:1080");
	expect_loop(w4, "0.0.0.0:1080");
	expect_loop(w6, "[::1]:1090");
	expect_loop(w6, "localhost:1090");
	expect_loop(w6, "127.0.0.1:1090");
	expect_loop(w6, "[::]:1090");
	expect_no_loop(w4, "127.0.0.1:1081");
	expect_no_loop(w4, "localhost:1081");
	expect_no_loop(w6, "[::1]:1091");
	/* a remote address on the same port is another gateway */
	expect_no_loop(w4, "192.0.2.20:1080");
	expect_no_loop(w6, "[2001:db8::20]:1090");
}
END_TEST

START_TEST(test_bad_loop_default_listen)
{
	/* no listen: the defaults 127.0.0.1:1080 and [::1]:1080 */
	expect_loop("", "127.0.0.1:1080");
	expect_loop("", "[::1]:1080");
	expect_loop("", "localhost:1080");
	expect_no_loop("", "localhost:1081");
}
END_TEST

START_TEST(test_bad_loop_inline)
{
	expect_error(
	    "listen = [ \"127.0.0.1:1080\" ];\n"
	    "upstreams = (\n"
	    "  { to = [ \"*.x.example\" ];\n"
	    "    via = ( { address = \"192.0.2.2:1080\"; },\n"
	    "            { address = \"localhost:1080\"; } ); }\n"
	    ");\n", 5, "localhost:1080", "listener");
	/* a named hop that only an alternative uses */
	expect_error(
	    "listen = [ \"[::1]:1080\" ];\n"
	    "hops = ( { name = \"a\"; address = \"192.0.2.2:1080\"; },\n"
	    "         { name = \"b\"; address = \"[::1]:1080\"; } );\n"
	    "upstreams = ( { via = ( ( \"a\" ), ( \"b\" ) ); } );\n",
	    3, "[::1]:1080", "listener");
}
END_TEST

START_TEST(test_bad_address)
{
	static const char *const bad[] = {
		"gw2.example",			/* no port */
		"192.0.2.2",
		"[2001:db8::2]",
		"2001:db8::2",
		"192.0.2.2:0",			/* port 0 */
		"gw2.example:0",
		"192.0.2.2:65536",
		"192.0.2.2:-1",
		"192.0.2.2:http",
		"192.0.2.2:",
		":1080",
		"",
		"[2001:db8::2:1080",
		"[gw2.example]x:1080",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_error(fmt(
		    "hops = (\n"
		    "  { name = \"gw2\";\n"
		    "    address = \"%s\"; }\n"
		    ");\n", bad[i]), 3, "address", NULL);
	/* not a string */
	expect_error(
	    "hops = (\n"
	    "  { name = \"gw2\";\n"
	    "    address = 1080; }\n"
	    ");\n", 3, "address", NULL);
	/* an inline hop */
	expect_error(
	    "upstreams = ( { to = [ \"*.x.example\" ];\n"
	    "  via = ( { address = \"192.0.2.9\"; } ); } );\n", 2, "address",
	    NULL);
	/* no address */
	expect_error(
	    "hops = (\n"
	    "  { name = \"gw2\"; user = \"x\"; }\n"
	    ");\n", 2, "address", NULL);
}
END_TEST

START_TEST(test_bad_too_many)
{
	static char text[65536];
	size_t off, i;

	/* 9 hops in a chain */
	off = print_hops(text, sizeof(text), 9);
	snprintf(text + off, sizeof(text) - off,
	    "upstreams = (\n"
	    "  { to = [ \"*.x.example\" ];\n"
	    "    via = ( \"gw1\", \"gw2\", \"gw3\", \"gw4\", \"gw5\", \"gw6\", "
	    "\"gw7\", \"gw8\", \"gw9\" ); }\n"
	    ");\n");
	expect_error(text, 14, "8", NULL);
	/* 9 in an alternative chain, inline hops included */
	snprintf(text + off, sizeof(text) - off,
	    "upstreams = (\n"
	    "  { to = [ \"*.x.example\" ];\n"
	    "    via = ( ( \"gw1\" ), ( \"gw1\", \"gw2\", \"gw3\", \"gw4\", "
	    "\"gw5\", \"gw6\", \"gw7\", \"gw8\", "
	    "{ address = \"198.51.100.1:1080\"; } ) ); }\n"
	    ");\n");
	expect_error(text, 14, "8", NULL);
	/* 5 chains */
	snprintf(text + off, sizeof(text) - off,
	    "upstreams = (\n"
	    "  { to = [ \"*.x.example\" ];\n"
	    "    via = ( ( \"gw1\" ), ( \"gw2\" ), ( \"gw3\" ), ( \"gw4\" ), "
	    "( \"gw5\" ) ); }\n"
	    ");\n");
	expect_error(text, 14, "4", NULL);
	/* 257 hops */
	print_hops(text, sizeof(text), 257);
	expect_error(text, 258, "256", NULL);
	/* 256 named hops and one inline */
	off = print_hops(text, sizeof(text), 256);
	snprintf(text + off, sizeof(text) - off,
	    "upstreams = ( { via = ( { address = \"198.51.100.1:1080\"; } ); "
	    "} );\n");
	expect_error(text, 259, "256", NULL);
	/* 1025 entries */
	off = (size_t)snprintf(text, sizeof(text), "\nupstreams = (\n");
	for (i = 1; i <= 1025; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
		    "  { action = \"direct\"; }%s\n", i < 1025 ? "," : "");
	snprintf(text + off, sizeof(text) - off, ");\n");
	expect_error(text, 2, "1024", NULL);
}
END_TEST

START_TEST(test_bad_via_mix)
{
	static const char hops[] =
	    "hops = ( { name = \"gw2\"; address = \"192.0.2.2:1080\"; },\n"
	    "         { name = \"gw3\"; address = \"192.0.2.3:1080\"; } );\n";

	/* a chain, then a hop */
	expect_error(fmt("%s"
	    "upstreams = (\n"
	    "  { to = [ \"*.x.example\" ];\n"
	    "    via = ( ( \"gw2\" ), \"gw3\" ); }\n"
	    ");\n", hops), 5, "via", NULL);
	/* a hop, then a chain */
	expect_error(fmt("%s"
	    "upstreams = (\n"
	    "  { to = [ \"*.x.example\" ];\n"
	    "    via = ( \"gw2\", ( \"gw3\" ) ); }\n"
	    ");\n", hops), 5, "via", NULL);
	/* an inline hop among chains */
	expect_error(fmt("%s"
	    "upstreams = (\n"
	    "  { to = [ \"*.x.example\" ];\n"
	    "    via = ( ( \"gw2\" ), { address = \"192.0.2.9:1080\"; } ); }\n"
	    ");\n", hops), 5, "via", NULL);
	/* chains of chains */
	expect_error(fmt("%s"
	    "upstreams = (\n"
	    "  { to = [ \"*.x.example\" ];\n"
	    "    via = ( ( ( \"gw2\" ) ) ); }\n"
	    ");\n", hops), 5, "via", NULL);
}
END_TEST

START_TEST(test_bad_action_via)
{
	static const char hops[] =
	    "hops = ( { name = \"gw2\"; address = \"192.0.2.2:1080\"; } );\n";

	expect_error(fmt("%s"
	    "upstreams = (\n"
	    "  { to = [ \"*.x.example\" ]; action = \"direct\";\n"
	    "    via = ( \"gw2\" ); }\n"
	    ");\n", hops), 4, "via", "direct");
	expect_error(fmt("%s"
	    "upstreams = (\n"
	    "  { to = [ \"*.x.example\" ];\n"
	    "    via = ( \"gw2\" ); action = \"deny\"; }\n"
	    ");\n", hops), 4, "via", "deny");
	/* neither via nor action */
	expect_error(fmt("%s"
	    "upstreams = (\n"
	    "  { via = ( \"gw2\" ); },\n"
	    "  { to = [ \"*.x.example\" ];\n"
	    "    ports = ( 443 ); }\n"
	    ");\n", hops), 4, "via", NULL);
	expect_error("upstreams = (\n  { }\n);\n", 2, "via", NULL);
	/* "chain" needs a via too */
	expect_error(fmt("%s"
	    "upstreams = (\n"
	    "  { to = [ \"*.x.example\" ]; action = \"chain\"; }\n"
	    ");\n", hops), 3, "via", NULL);
	/* other actions */
	expect_error(fmt("%s"
	    "upstreams = (\n"
	    "  { to = [ \"*.x.example\" ];\n"
	    "    action = \"reject\"; }\n"
	    ");\n", hops), 4, "action", NULL);
	expect_error(fmt("%s"
	    "upstreams = (\n"
	    "  { to = [ \"*.x.example\" ];\n"
	    "    action = \"allow\"; via = ( \"gw2\" ); }\n"
	    ");\n", hops), 4, "action", NULL);
}
END_TEST

START_TEST(test_bad_unknown_keys)
{
	/* in a hop */
	expect_error(
	    "hops = (\n"
	    "  { name = \"gw2\"; address = \"192.0.2.2:1080\";\n"
	    "    port = 1080; }\n"
	    ");\n", 3, "unknown", "port");
	/* in an inline hop */
	expect_error(
	    "upstreams = ( { to = [ \"*.x.example\" ];\n"
	    "  via = ( { address = \"192.0.2.9:1080\";\n"
	    "            password = \"secret\"; } ); } );\n",
	    3, "unknown", "password");
	/* in an entry */
	expect_error(
	    "hops = ( { name = \"gw2\"; address = \"192.0.2.2:1080\"; } );\n"
	    "upstreams = (\n"
	    "  { to = [ \"*.x.example\" ]; via = ( \"gw2\" );\n"
	    "    users = [ \"alice\" ]; }\n"
	    ");\n", 4, "unknown", "users");
	expect_error(
	    "upstreams = (\n"
	    "  { host = \"192.0.2.1:1080\"; }\n"
	    ");\n", 2, "unknown", "host");
	/* at the top level */
	expect_error(
	    "\n\nhop = ( { name = \"gw2\"; address = \"192.0.2.2:1080\"; } );\n",
	    3, "unknown", "hop");
	expect_error("\nupstream = ( );\n", 2, "unknown", "upstream");
}
END_TEST

START_TEST(test_bad_shapes)
{
	/* hops not a list of groups */
	expect_error("\nhops = { name = \"gw2\"; address = \"192.0.2.2:1080\"; };\n",
	    2, "hops", NULL);
	/* (libconfig dates a scalar list element by the token after it:
	 * keep the closing parenthesis on the same line) */
	expect_error("hops = (\n  \"192.0.2.2:1080\" );\n", 2, "hop", NULL);
	expect_error("\nhops = \"gw2\";\n", 2, "hops", NULL);
	/* a hop in hops without a name */
	expect_error(
	    "hops = (\n"
	    "  { name = \"gw2\"; address = \"192.0.2.2:1080\"; },\n"
	    "  { address = \"192.0.2.3:1080\"; }\n"
	    ");\n", 3, "name", NULL);
	/* upstreams not a list of groups */
	expect_error("\nupstreams = { via = ( \"gw2\" ); };\n", 2, "upstreams",
	    NULL);
	expect_error("upstreams = (\n  \"gw2\" );\n", 2, "upstreams", NULL);
	/* via not a list, empty */
	expect_error(
	    "hops = ( { name = \"gw2\"; address = \"192.0.2.2:1080\"; } );\n"
	    "upstreams = ( { to = [ \"*.x.example\" ];\n"
	    "  via = \"gw2\"; } );\n", 3, "via", NULL);
	expect_error(
	    "upstreams = ( { to = [ \"*.x.example\" ];\n"
	    "  via = ( ); } );\n", 2, "via", NULL);
	expect_error(
	    "hops = ( { name = \"gw2\"; address = \"192.0.2.2:1080\"; } );\n"
	    "upstreams = ( { to = [ \"*.x.example\" ];\n"
	    "  via = ( ( \"gw2\" ), ( ) ); } );\n", 3, "via", NULL);
	/* a hop that is neither a name nor a group */
	expect_error(
	    "upstreams = ( { to = [ \"*.x.example\" ];\n"
	    "  via = ( 1080 ); } );\n", 2, "via", NULL);
	/* to: strings only, each a network or a name pattern */
	expect_error(
	    "upstreams = ( { action = \"direct\";\n"
	    "  to = [ 10 ]; } );\n", 2, "to", NULL);
	expect_error(
	    "upstreams = ( { action = \"direct\";\n"
	    "  to = [ \"a.example\",\n"
	    "         \"not a name!\" ]; } );\n", 3, "to", "not a name!");
	expect_error(
	    "upstreams = ( { action = \"direct\";\n"
	    "  to = [ \"10.0.0.0/33\" ]; } );\n", 2, "to", NULL);
	/* ports as for rules */
	expect_error(
	    "upstreams = ( { action = \"direct\";\n"
	    "  ports = ( 0 ); } );\n", 2, "ports", NULL);
	expect_error(
	    "upstreams = ( { action = \"direct\";\n"
	    "  ports = ( \"9-2\" ); } );\n", 2, "ports", NULL);
}
END_TEST

START_TEST(test_bad_no_secret_in_errors)
{
	/* errors found after the password was read never show it */
	const char *pw = tmp_file("pw", "Sup3r-S3cret\n", 0600);
	const char *err;

	err = expect_error(fmt(
	    "listen = [ \"127.0.0.1:1080\" ];\n"
	    "hops = ( { name = \"gw2\"; address = \"localhost:1080\";\n"
	    "           user = \"u\"; password_file = \"%s\"; } );\n", pw),
	    2, "listener", NULL);
	ck_assert_msg(strstr(err, "Sup3r") == NULL, "error shows the password:"
	    " %s", err);
	err = expect_error(fmt(
	    "hops = ( { name = \"gw2\"; address = \"192.0.2.2:1080\";\n"
	    "           user = \"u\"; password_file = \"%s\";\n"
	    "           bogus = 1; } );\n", pw), 3, "unknown", "bogus");
	ck_assert_msg(strstr(err, "Sup3r") == NULL, "error shows the password:"
	    " %s", err);
	err = expect_error(fmt(
	    "hops = ( { name = \"gw2\"; address = \"192.0.2.2:1080\";\n"
	    "           user = \"u\"; password_file = \"%s\"; },\n"
	    "         { name = \"gw2\"; address = \"192.0.2.3:1080\";\n"
	    "           user = \"u\"; password_file = \"%s\"; } );\n", pw, pw),
	    3, "gw2", NULL);
	ck_assert_msg(strstr(err, "Sup3r") == NULL, "error shows the password:"
	    " %s", err);
}
END_TEST

START_TEST(test_error_truncated)
{
	char err[16];
	struct config *c;

	memset(err, 'X', sizeof(err));
	c = config_load_string("upstreams = ( { via = ( \"nope\" ); } );\n",
	    NAME, err, sizeof(err));
	ck_assert_ptr_null(c);
	ck_assert_ptr_nonnull(memchr(err, '\0', sizeof(err)));
	ck_assert_uint_eq(strlen(err), sizeof(err) - 1);
	ck_assert(strncmp(err, NAME ":1: ", strlen(NAME ":1: ")) == 0);
}
END_TEST

static Suite *
upstreams_suite(void)
{
	Suite *s = suite_create("upstreams");
	TCase *tc;

	tc = tcase_create("good");
	tcase_add_unchecked_fixture(tc, tmp_setup, tmp_teardown);
	tcase_add_test(tc, test_good_full);
	tcase_add_test(tc, test_good_none);
	tcase_add_test(tc, test_good_hops_after_upstreams);
	tcase_add_test(tc, test_good_shared_hop);
	tcase_add_test(tc, test_good_limits);
	suite_add_tcase(s, tc);

	tc = tcase_create("password_file");
	tcase_add_unchecked_fixture(tc, tmp_setup, tmp_teardown);
	tcase_add_test(tc, test_password_read);
	tcase_add_test(tc, test_password_reread);
	tcase_add_test(tc, test_password_bad_modes);
	tcase_add_test(tc, test_password_missing_empty);
	tcase_add_test(tc, test_password_inline_hop);
	tcase_add_test(tc, test_load_file);
	suite_add_tcase(s, tc);

	tc = tcase_create("bad");
	tcase_add_unchecked_fixture(tc, tmp_setup, tmp_teardown);
	tcase_add_test(tc, test_bad_unknown_hop);
	tcase_add_test(tc, test_bad_duplicate_hop);
	tcase_add_test(tc, test_bad_user_password_pairs);
	tcase_add_test(tc, test_bad_loop_literal);
	tcase_add_test(tc, test_bad_loop_localhost);
	tcase_add_test(tc, test_bad_loop_localhost_case);
	tcase_add_test(tc, test_bad_loop_wildcard);
	tcase_add_test(tc, test_bad_loop_default_listen);
	tcase_add_test(tc, test_bad_loop_inline);
	tcase_add_test(tc, test_bad_address);
	tcase_add_test(tc, test_bad_too_many);
	tcase_add_test(tc, test_bad_via_mix);
	tcase_add_test(tc, test_bad_action_via);
	tcase_add_test(tc, test_bad_unknown_keys);
	tcase_add_test(tc, test_bad_shapes);
	tcase_add_test(tc, test_bad_no_secret_in_errors);
	tcase_add_test(tc, test_error_truncated);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(upstreams_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
