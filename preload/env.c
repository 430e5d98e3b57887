/*
 * env.c - the Socks Lib's SIXGATE_* settings and the /etc/hosts test
 * (see env.h).
 *
 * Rules beyond the header:
 *  - An empty variable counts as unset (so `SIXGATE_GATEWAY= prog` turns
 *    the library off instead of failing).
 *  - Paths (SIXGATE_PASSWORD_FILE, SIXGATE_TABLE, SIXGATE_LOG_FILE) must
 *    be absolute: configuration is read lazily, after the program may
 *    have changed directory, and the current directory is never a source
 *    of configuration (a program run in an attacker's directory must not
 *    pick up the attacker's settings).
 *  - SIXGATE_LOG and SIXGATE_LOG_FILE are parsed first, so that after an
 *    ENV_ERR caused by another variable the caller still knows where to
 *    report the error.  On ENV_ERR the password is wiped.
 *  - Error texts name the variable and may quote its value, except for
 *    SIXGATE_USER and SIXGATE_PASSWORD, whose values are never quoted.
 *  - Names are compared in ASCII without the locale: the library runs in
 *    programs that may have called setlocale() (Turkish "I").
 */
#include "sgconfig.h"

#include <sys/stat.h>
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "env.h"

#ifndef HAVE_EXPLICIT_BZERO
/* A store through a volatile pointer is not optimised away. */
static void
explicit_bzero(void *p, size_t n)
{
	volatile unsigned char *v = p;

	while (n-- > 0)
		*v++ = 0;
}
#endif

#define NAME_MAX_LEN	255	/* RFC 1035 name, as in a SOCKS5 request */
#define LABEL_MAX_LEN	63

/* Where a parse reads from and reports to. */
struct penv {
	env_getter	 get;
	void		*ctx;
	char		*err;
	size_t		 errlen;
};

static enum env_status fail(struct penv *, const char *, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static enum env_status
fail(struct penv *p, const char *var, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->err != NULL && p->errlen > 0)
		snprintf(p->err, p->errlen, "%s: %s", var, msg);
	return ENV_ERR;
}

/* The variable's value; NULL when unset or empty. */
static const char *
get_var(struct penv *p, const char *name)
{
	const char *v = p->get(name, p->ctx);

	return v != NULL && v[0] != '\0' ? v : NULL;
}

static bool
is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' ||
	    ch == '\v' || ch == '\f';
}

static char
ascii_lower(char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

static bool
ascii_caseeq(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ascii_lower(a[i]) != ascii_lower(b[i]))
			return false;
	return true;
}

static bool
is_name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
}

/*
 * Is s[0..n) a host name: labels of 1..63 name characters separated by
 * single dots, 1..255 bytes?  (No trailing dot: callers strip it.)
 */
static bool
name_valid(const char *s, size_t n)
{
	size_t i, label = 0;

	if (n == 0 || n > NAME_MAX_LEN)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if (!is_name_char(s[i]) || ++label > LABEL_MAX_LEN)
			return false;
	}
	return label > 0;
}

/* Length of name without one trailing dot ("." itself stays 1). */
static size_t
len_nodot(const char *s, size_t n)
{
	return n > 1 && s[n - 1] == '.' ? n - 1 : n;
}

/* An IPv6 literal, optionally with a "%zone" (link-local gateways). */
static bool
v6_literal(const char *s)
{
	char buf[INET6_ADDRSTRLEN];
	uint8_t a[16];
	const char *pct = strchr(s, '%');
	size_t n = pct != NULL ? (size_t)(pct - s) : strlen(s);

	if (n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET6, buf, a) != 1)
		return false;
	return pct == NULL || name_valid(pct + 1, strlen(pct + 1));
}

/*
 * Cut the next comma-separated item out of *sp, blanks around it
 * trimmed.  Returns false when the list is used up.
 */
static bool
list_next(const char **sp, const char **item, size_t *n)
{
	const char *s = *sp, *end;

	if (s == NULL)
		return false;
	if ((end = strchr(s, ',')) != NULL)
		*sp = end + 1;
	else {
		*sp = NULL;
		end = s + strlen(s);
	}
	while (s < end && is_blank(*s))
		s++;
	while (end > s && is_blank(end[-1]))
		end--;
	*item = s;
	*n = (size_t)(end - s);
	return true;
}

/* One gateway, item[0..n) of the list, into gw. */
static enum env_status
parse_one_gateway(struct penv *p, const char *item, size_t n,
    struct env_gateway *gw)
{
	const char *var = "SIXGATE_GATEWAY";
	char v[256 + 16];
	uint16_t port = 0;
	bool ok;

	if (n == 0)
		return fail(p, var, "empty entry in the list");
	if (n >= sizeof(v))
		return fail(p, var, "'%.*s...': too long", 32, item);
	memcpy(v, item, n);
	v[n] = '\0';
	switch (addr_split_hostport(v, gw->host, sizeof(gw->host), &port)) {
	case ADDR_OK:
		break;
	case ADDR_ERR_PORT:
		return fail(p, var, "'%s': missing or bad port (want host:port "
		    "or [v6]:port)", v);
	case ADDR_ERR_HOST:
		return fail(p, var, "'%s': host empty or too long", v);
	default:
		return fail(p, var, "'%s': not host:port or [v6]:port (IPv6 "
		    "literals need brackets)", v);
	}
	if (port == 0)
		return fail(p, var, "'%s': port must be 1..65535", v);
	if (v[0] == '[')
		ok = v6_literal(gw->host);
	else
		ok = name_valid(gw->host,
		    len_nodot(gw->host, strlen(gw->host)));
	if (!ok)
		return fail(p, var, "'%s': bad host (want a name, an IPv4 "
		    "address or [an IPv6 address])", v);
	gw->port = port;
	return ENV_OK;
}

/* The same host (case and one trailing dot aside) and port? */
static bool
same_gateway(const struct env_gateway *a, const struct env_gateway *b)
{
	size_t na = len_nodot(a->host, strlen(a->host));
	size_t nb = len_nodot(b->host, strlen(b->host));

	return a->port == b->port && na == nb &&
	    ascii_caseeq(a->host, b->host, na);
}

/*
 * "host:port" or "host:port,host:port,...": at most ENV_GATEWAYS_MAX,
 * each valid, none twice (a repeated entry would only be tried twice).
 */
static enum env_status
parse_gateway(struct penv *p, struct env_config *c)
{
	const char *var = "SIXGATE_GATEWAY", *v = get_var(p, var), *item;
	struct env_gateway *gw;
	size_t n, i;

	while (list_next(&v, &item, &n)) {
		if (c->ngw == ENV_GATEWAYS_MAX)
			return fail(p, var, "more than %d gateways",
			    ENV_GATEWAYS_MAX);
		gw = &c->gw[c->ngw];
		if (parse_one_gateway(p, item, n, gw) != ENV_OK)
			return ENV_ERR;
		for (i = 0; i < c->ngw; i++)
			if (same_gateway(&c->gw[i], gw))
				return fail(p, var, "'%.*s' is listed twice",
				    (int)n, item);
		c->ngw++;
	}
	return ENV_OK;
}

/* A credential: 1..outlen-1 bytes, value never quoted in errors. */
static enum env_status
parse_secret(struct penv *p, const char *var, char *out, size_t outlen)
{
	const char *v = get_var(p, var);
	size_t n;

	if (v == NULL)
		return ENV_OK;
	if ((n = strlen(v)) >= outlen)
		return fail(p, var, "longer than %zu bytes", outlen - 1);
	memcpy(out, v, n + 1);
	return ENV_OK;
}

static enum env_status
parse_path(struct penv *p, const char *var, char *out)
{
	const char *v = get_var(p, var);
	size_t n;

	if (v == NULL)
		return ENV_OK;
	if ((n = strlen(v)) >= ENV_PATH_MAX)
		return fail(p, var, "path longer than %d bytes",
		    ENV_PATH_MAX - 1);
	if (v[0] != '/')
		return fail(p, var, "'%s': not an absolute path", v);
	memcpy(out, v, n + 1);
	return ENV_OK;
}

static enum env_status
parse_direct(struct penv *p, struct env_config *c)
{
	const char *var = "SIXGATE_DIRECT", *v = get_var(p, var), *item;
	char buf[INET6_ADDRSTRLEN + 8];
	size_t n;

	while (list_next(&v, &item, &n)) {
		if (n == 0)
			return fail(p, var, "empty entry");
		if (c->ndirect == ENV_DIRECT_MAX)
			return fail(p, var, "more than %d networks",
			    ENV_DIRECT_MAX);
		if (n >= sizeof(buf))
			return fail(p, var, "'%.*s': not a network",
			    (int)n, item);
		memcpy(buf, item, n);
		buf[n] = '\0';
		if (addr_parse_cidr(buf, &c->direct[c->ndirect]) != ADDR_OK)
			return fail(p, var, "'%s': not a network or address",
			    buf);
		c->ndirect++;
	}
	return ENV_OK;
}

/* Store "name" or ".suffix" lowercased, without its trailing dot. */
static enum env_status
parse_names(struct penv *p, struct env_config *c)
{
	const char *var = "SIXGATE_DIRECT_NAMES", *v = get_var(p, var), *item;
	char *out;
	size_t n, i, lead;

	while (list_next(&v, &item, &n)) {
		if (n == 0)
			return fail(p, var, "empty entry");
		if (c->ndirect_names == ENV_NAMES_MAX)
			return fail(p, var, "more than %d names",
			    ENV_NAMES_MAX);
		lead = item[0] == '.' ? 1 : 0;
		n = len_nodot(item, n);
		if (n > NAME_MAX_LEN || !name_valid(item + lead, n - lead))
			return fail(p, var, "'%.*s': not a name or .suffix",
			    (int)n, item);
		out = c->direct_names[c->ndirect_names++];
		for (i = 0; i < n; i++)
			out[i] = ascii_lower(item[i]);
		out[n] = '\0';
	}
	return ENV_OK;
}

/* A fake range: given family, prefix <= maxprefix (room for slots). */
static enum env_status
parse_fake(struct penv *p, const char *var, int family, unsigned maxprefix,
    struct addr_cidr *out)
{
	const char *v = get_var(p, var);

	if (v == NULL)
		return ENV_OK;
	if (addr_parse_cidr(v, out) != ADDR_OK)
		return fail(p, var, "'%s': not a network", v);
	if (out->family != family)
		return fail(p, var, "'%s': not an IPv%d network", v,
		    family == AF_INET ? 4 : 6);
	if (out->prefix > maxprefix)
		return fail(p, var, "'%s': prefix longer than /%u", v,
		    maxprefix);
	return ENV_OK;
}

/* A decimal number lo..hi, digits only. */
static enum env_status
parse_uint(struct penv *p, const char *var, unsigned lo, unsigned hi,
    unsigned *out)
{
	const char *v = get_var(p, var), *s;
	unsigned long n = 0;

	if (v == NULL)
		return ENV_OK;
	for (s = v; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return fail(p, var, "'%s': not a number", v);
		if ((n = n * 10 + (unsigned long)(*s - '0')) > hi)
			break;
	}
	if (n < lo || n > hi)
		return fail(p, var, "'%s': must be %u..%u", v, lo, hi);
	*out = (unsigned)n;
	return ENV_OK;
}

static enum env_status
parse_pipeline(struct penv *p, struct env_config *c)
{
	static const char *const names[] = { "auto", "on", "off" };
	static const enum env_pipeline vals[] = {
		ENV_PIPELINE_AUTO, ENV_PIPELINE_ON, ENV_PIPELINE_OFF
	};
	const char *var = "SIXGATE_PIPELINE", *v = get_var(p, var);
	size_t i;

	if (v == NULL)
		return ENV_OK;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(v) == strlen(names[i]) &&
		    ascii_caseeq(v, names[i], strlen(v))) {
			c->pipeline = vals[i];
			return ENV_OK;
		}
	return fail(p, var, "'%s': want auto, on or off", v);
}

/* One word of a fixed list (case ignored): its index in *idx. */
static enum env_status
parse_word(struct penv *p, const char *var, const char *const *words,
    size_t n, unsigned *idx)
{
	const char *v = get_var(p, var);
	size_t i;

	if (v == NULL)
		return ENV_OK;
	for (i = 0; i < n; i++)
		if (strlen(v) == strlen(words[i]) &&
		    ascii_caseeq(v, words[i], strlen(v))) {
			*idx = (unsigned)i;
			return ENV_OK;
		}
	return fail(p, var, "'%s': want %s%s%s%s%s", v, words[0],
	    n > 1 ? ", " : "", n > 1 ? words[1] : "", n > 2 ? " or " : "",
	    n > 2 ? words[2] : "");
}

static enum env_status
parse_verify(struct penv *p, struct env_config *c)
{
	static const char *const modes[] = { "auto", "on", "off" };
	static const char *const unreach[] = { "fake", "fail" };
	unsigned mode = 0, fail_closed = 0, ttl = 300, nttl = 30;

	if (parse_word(p, "SIXGATE_VERIFY_NAMES", modes, 3, &mode) ||
	    parse_uint(p, "SIXGATE_VERIFY_TTL", 0, 86400, &ttl) ||
	    parse_uint(p, "SIXGATE_VERIFY_NEGATIVE_TTL", 0, 86400, &nttl) ||
	    parse_word(p, "SIXGATE_VERIFY_UNREACHABLE", unreach, 2,
	    &fail_closed))
		return ENV_ERR;
	c->verify = (enum env_verify)mode;
	c->verify_ttl = (int)ttl;
	c->verify_negative_ttl = (int)nttl;
	c->verify_fail_closed = fail_closed == 1;
	return ENV_OK;
}

static void
set_defaults(struct env_config *c)
{
	memset(c, 0, sizeof(*c));
	(void)addr_parse_cidr("240.0.0.0/12", &c->fake4);
	(void)addr_parse_cidr("100::/64", &c->fake6);
	c->pipeline = ENV_PIPELINE_AUTO;
	c->verify = ENV_VERIFY_AUTO;
	c->verify_ttl = 300;
	c->verify_negative_ttl = 30;
	c->timeout_ms = 10000;
	c->gw_backoff = 30;
	c->log_level = 0;
}

/* Everything but the log settings, in the order of env.h. */
static enum env_status
parse_rest(struct penv *p, struct env_config *c)
{
	unsigned timeout = 10, backoff = 30;

	if (parse_gateway(p, c) ||
	    parse_uint(p, "SIXGATE_GATEWAY_BACKOFF", 0, 86400, &backoff) ||
	    parse_secret(p, "SIXGATE_USER", c->user, sizeof(c->user)) ||
	    parse_secret(p, "SIXGATE_PASSWORD", c->password,
		sizeof(c->password)) ||
	    parse_path(p, "SIXGATE_PASSWORD_FILE", c->password_file) ||
	    parse_direct(p, c) || parse_names(p, c) ||
	    parse_fake(p, "SIXGATE_FAKE_IPV4", AF_INET, 30, &c->fake4) ||
	    parse_fake(p, "SIXGATE_FAKE_IPV6", AF_INET6, 126, &c->fake6) ||
	    parse_path(p, "SIXGATE_TABLE", c->table) ||
	    parse_pipeline(p, c) || parse_verify(p, c) ||
	    parse_uint(p, "SIXGATE_TIMEOUT", 1, 3600, &timeout))
		return ENV_ERR;
	c->timeout_ms = (int)timeout * 1000;
	c->gw_backoff = (int)backoff;
	return ENV_OK;
}

/*
 * Fill c from the SIXGATE_* variables (see env.h for the list and
 * env.c's head comment for the rules).  c is the caller's; nothing is
 * kept here.  On ENV_ERR c->enabled is false, the password wiped, and
 * err holds "SIXGATE_X: reason" without any credential.
 */
enum env_status
env_parse(env_getter get, void *ctx, struct env_config *c, char *err,
    size_t errlen)
{
	struct penv p = { get, ctx, err, errlen };
	unsigned level = 0;

	set_defaults(c);
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (parse_uint(&p, "SIXGATE_LOG", 0, 2, &level) != ENV_OK ||
	    parse_path(&p, "SIXGATE_LOG_FILE", c->log_file) != ENV_OK)
		goto bad;
	c->log_level = (int)level;
	if (parse_rest(&p, c) != ENV_OK)
		goto bad;
	c->enabled = c->ngw > 0;
	return ENV_OK;

bad:
	explicit_bzero(c->password, sizeof(c->password));
	c->enabled = false;
	return ENV_ERR;
}

/* Does name (n bytes, no trailing dot) match one entry? */
static bool
name_matches(const char *entry, const char *name, size_t n)
{
	size_t elen = strlen(entry);

	if (entry[0] != '.')
		return elen == n && ascii_caseeq(entry, name, n);
	/* ".lan" matches "lan" itself and anything ending in ".lan". */
	if (n == elen - 1 && ascii_caseeq(entry + 1, name, n))
		return true;
	return n > elen && ascii_caseeq(entry, name + n - elen, elen);
}

/*
 * Does name match one of c's direct names?  Entries are lowercase and
 * without a trailing dot (env_parse made them so); name may have both.
 */
bool
env_name_is_direct(const struct env_config *c, const char *name)
{
	size_t i, n;

	if (name == NULL || (n = len_nodot(name, strlen(name))) == 0)
		return false;
	for (i = 0; i < c->ndirect_names; i++)
		if (name_matches(c->direct_names[i], name, n))
			return true;
	return false;
}

/* Next blank-separated token of [*pp, end); false when none is left. */
static bool
token_next(const char **pp, const char *end, const char **tok, size_t *n)
{
	const char *s = *pp;

	while (s < end && is_blank(*s))
		s++;
	if (s == end)
		return false;
	*tok = s;
	while (s < end && !is_blank(*s))
		s++;
	*n = (size_t)(s - *tok);
	*pp = s;
	return true;
}

/* The address column of a hosts line: IPv4 or IPv6 (maybe "%zone"). */
static bool
hosts_addr_ok(const char *tok, size_t n)
{
	char buf[INET6_ADDRSTRLEN + 32];
	uint8_t a[16];

	if (n >= sizeof(buf))
		return false;
	memcpy(buf, tok, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, a) == 1)
		return true;
	return v6_literal(buf);
}

/* One line [s, end): "addr name alias..." with an optional comment. */
static bool
hosts_line_has(const char *s, const char *end, const char *name, size_t n)
{
	const char *hash, *tok;
	size_t tlen;

	if ((hash = memchr(s, '#', (size_t)(end - s))) != NULL)
		end = hash;
	if (!token_next(&s, end, &tok, &tlen) || !hosts_addr_ok(tok, tlen))
		return false;
	while (token_next(&s, end, &tok, &tlen)) {
		tlen = len_nodot(tok, tlen);
		if (tlen == n && ascii_caseeq(tok, name, n))
			return true;
	}
	return false;
}

/*
 * Does the hosts(5) text list name (case-insensitive, one trailing dot
 * ignored on either side)?  The caller reads the file; lines without a
 * valid address are skipped, as glibc's files backend does.
 */
bool
env_hosts_has_name(const char *hosts, size_t len, const char *name)
{
	const char *s = hosts, *end, *eol;
	size_t n;

	if (hosts == NULL || name == NULL)
		return false;
	end = hosts + len;
	n = len_nodot(name, strlen(name));
	if (n == 0 || n > NAME_MAX_LEN)
		return false;
	while (s < end) {
		if ((eol = memchr(s, '\n', (size_t)(end - s))) == NULL)
			eol = end;
		if (hosts_line_has(s, eol, name, n))
			return true;
		s = eol < end ? eol + 1 : end;
	}
	return false;
}
