/*
 * config_int.h - parsing helpers shared by the files of the config
 * module (config.c, config_upstreams.c); nothing outside it includes
 * this or libconfig.h.  Each helper writes "file:line: reason" into the
 * context's error buffer and returns -1 on a bad setting, else 0.
 */
#ifndef SG_CONFIG_INT_H
#define SG_CONFIG_INT_H

#include <libconfig.h>

#include "config.h"

/* Parse context: where errors go and what they are prefixed with. */
struct pctx {
	const char	*name;
	char		*err;
	size_t		 errlen;
};

int	fail(struct pctx *p, const config_setting_t *s, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
int	check_keys(struct pctx *p, const config_setting_t *g,
	    const char *where, const char *const *allowed);
int	get_string(struct pctx *p, const config_setting_t *s, char *out,
	    size_t outlen);
int	get_int(struct pctx *p, const config_setting_t *s, long long lo,
	    long long hi, int *out);
int	get_bool(struct pctx *p, const config_setting_t *s, bool *out);
int	check_string_list(struct pctx *p, const config_setting_t *s);
int	parse_nets(struct pctx *p, const config_setting_t *s,
	    struct addr_cidr **out, size_t *nout);
int	parse_ports(struct pctx *p, const config_setting_t *s,
	    struct acl_portrange **ports, size_t *nports);

/* hops and upstreams (config_upstreams.c); free with config_free. */
int	parse_upstreams(struct pctx *p, const config_setting_t *root,
	    struct config *c);
void	free_upstreams(struct config *c);

#endif
