/*
 * config_util.c - the parsing helpers the files of the config module
 * share (config_int.h): typed getters, key and list checks, networks
 * and ports.  Each writes "file:line: reason" into the parse context's
 * error buffer and returns -1 on a bad setting, else 0.
 */
#include "sgconfig.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "config.h"
#include "config_int.h"

int
cfg_fail(struct cfg_pctx *p, const config_setting_t *s, const char *fmt, ...)
{
	char msg[CONFIG_ERRLEN];
	const char *file = NULL;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (s != NULL)
		file = config_setting_source_file(s);
	snprintf(p->err, p->errlen, "%s:%d: %s", file != NULL ? file : p->name,
	    s != NULL ? config_setting_source_line(s) : 0, msg);
	return -1;
}

/* Refuse keys of group g that are not in allowed (NULL-terminated). */
int
cfg_check_keys(struct cfg_pctx *p, const config_setting_t *g, const char *where,
    const char *const *allowed)
{
	const config_setting_t *e;
	const char *name;
	size_t i;
	int k;

	for (k = 0; (e = config_setting_get_elem(g, (unsigned)k)) != NULL;
	    k++) {
		name = config_setting_name(e);
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(allowed[i], name) == 0)
				break;
		if (allowed[i] == NULL)
			return cfg_fail(p, e, "unknown setting '%s'%s%s", name,
			    where[0] != '\0' ? " in " : "", where);
	}
	return 0;
}

int
cfg_get_string(struct cfg_pctx *p, const config_setting_t *s, char *out,
    size_t outlen)
{
	const char *v;

	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return cfg_fail(p, s,
		    "%s must be a string", config_setting_name(s));
	v = config_setting_get_string(s);
	if (strlen(v) >= outlen)
		return cfg_fail(p, s, "%s is too long (at most %zu characters)",
		    config_setting_name(s), outlen - 1);
	memcpy(out, v, strlen(v) + 1);
	return 0;
}

int
cfg_get_int(struct cfg_pctx *p, const config_setting_t *s, long long lo,
    long long hi, int *out)
{
	long long v;

	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64)
		return cfg_fail(p, s, "%s must be an integer",
		    config_setting_name(s));
	v = config_setting_get_int64(s);
	if (v < lo || v > hi)
		return cfg_fail(p, s, "%s must be between %lld and %lld",
		    config_setting_name(s), lo, hi);
	*out = (int)v;
	return 0;
}

int
cfg_get_bool(struct cfg_pctx *p, const config_setting_t *s, bool *out)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return cfg_fail(p, s, "%s must be true or false",
		    config_setting_name(s));
	*out = config_setting_get_bool(s) != 0;
	return 0;
}

/* A [ ] or ( ) list whose elements are all strings. */
int
cfg_check_string_list(struct cfg_pctx *p, const config_setting_t *s)
{
	const config_setting_t *e;
	int i;

	if (!config_setting_is_aggregate(s) ||
	    config_setting_type(s) == CONFIG_TYPE_GROUP)
		return cfg_fail(p, s, "%s must be a list: [ \"...\", ... ]",
		    config_setting_name(s));
	for (i = 0; (e = config_setting_get_elem(s, (unsigned)i)) != NULL;
	    i++)
		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			return cfg_fail(p, e, "%s: element %d must be a string",
			    config_setting_name(s), i + 1);
	return 0;
}

int
cfg_must_be_group(struct cfg_pctx *p, const config_setting_t *s)
{
	if (config_setting_type(s) != CONFIG_TYPE_GROUP)
		return cfg_fail(p, s, "%s must be a group: %s: { ... };",
		    config_setting_name(s), config_setting_name(s));
	return 0;
}

int
cfg_parse_nets(struct cfg_pctx *p, const config_setting_t *s,
    struct addr_cidr **out, size_t *nout)
{
	const config_setting_t *e;
	size_t i, n;

	if (cfg_check_string_list(p, s) == -1)
		return -1;
	if ((n = (size_t)config_setting_length(s)) == 0)
		return 0;
	if ((*out = calloc(n, sizeof(**out))) == NULL)
		return cfg_fail(p, s, "out of memory");
	*nout = n;
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, (unsigned)i);
		if (addr_parse_cidr(config_setting_get_string(e),
		    &(*out)[i]) != ADDR_OK)
			return cfg_fail(p, e, "%s: \"%s\" is not an address or "
			    "network (a.b.c.d/n, ipv6/n)",
			    config_setting_name(s),
			    config_setting_get_string(e));
	}
	return 0;
}

/* One ports element: 80, or "80", or "1024-65535". */
static int
parse_port_elem(const config_setting_t *e, struct acl_portrange *pr)
{
	unsigned long lo, hi;
	const char *v;
	char *end;

	if (config_setting_type(e) == CONFIG_TYPE_INT ||
	    config_setting_type(e) == CONFIG_TYPE_INT64) {
		long long x = config_setting_get_int64(e);

		if (x < 1 || x > 65535)
			return -1;
		pr->lo = pr->hi = (uint16_t)x;
		return 0;
	}
	if (config_setting_type(e) != CONFIG_TYPE_STRING)
		return -1;
	v = config_setting_get_string(e);
	if (*v < '0' || *v > '9')
		return -1;
	lo = strtoul(v, &end, 10);
	hi = lo;
	if (*end == '-') {
		if (end[1] < '0' || end[1] > '9')
			return -1;
		hi = strtoul(end + 1, &end, 10);
	}
	if (*end != '\0' || lo < 1 || hi > 65535 || lo > hi)
		return -1;
	pr->lo = (uint16_t)lo;
	pr->hi = (uint16_t)hi;
	return 0;
}

int
cfg_parse_ports(struct cfg_pctx *p, const config_setting_t *s,
    struct acl_portrange **ports, size_t *nports)
{
	const config_setting_t *e;
	size_t i, n;

	if (!config_setting_is_aggregate(s) ||
	    config_setting_type(s) == CONFIG_TYPE_GROUP)
		return cfg_fail(p, s,
		    "ports must be a list: ( 80, \"1024-65535\" )");
	if ((n = (size_t)config_setting_length(s)) == 0)
		return 0;
	if ((*ports = calloc(n, sizeof(**ports))) == NULL)
		return cfg_fail(p, s, "out of memory");
	*nports = n;
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, (unsigned)i);
		if (parse_port_elem(e, &(*ports)[i]) == -1)
			return cfg_fail(p, e,
			    "ports: element %zu must be a port "
			    "1-65535 or a range \"low-high\"", i + 1);
	}
	return 0;
}
