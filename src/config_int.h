/*
 * config_int.h - parsing helpers shared by the files of the config
 * module (config.c, config_rules.c, config_upstreams.c, config_util.c);
 * nothing outside it includes this or libconfig.h.  Each helper writes
 * "file:line: reason" into the context's error buffer and returns -1 on
 * a bad setting, else 0.
 */
#ifndef SG_CONFIG_INT_H
#define SG_CONFIG_INT_H

#include <libconfig.h>

#include "config.h"

/* Parse context: where errors go and what they are prefixed with. */
struct cfg_pctx {
	const char	*name;
	char		*err;
	size_t		 errlen;
};

/* config_util.c */
int	cfg_fail(struct cfg_pctx *p, const config_setting_t *s,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Refuse keys of group g that are not in allowed (NULL-terminated). */
int	cfg_check_keys(struct cfg_pctx *p, const config_setting_t *g,
	    const char *where, const char *const *allowed);
int	cfg_get_string(struct cfg_pctx *p, const config_setting_t *s,
	    char *out, size_t outlen);
int	cfg_get_int(struct cfg_pctx *p, const config_setting_t *s,
	    long long lo, long long hi, int *out);
int	cfg_get_bool(struct cfg_pctx *p, const config_setting_t *s,
	    bool *out);
/* A [ ] or ( ) list whose elements are all strings. */
int	cfg_check_string_list(struct cfg_pctx *p, const config_setting_t *s);
int	cfg_must_be_group(struct cfg_pctx *p, const config_setting_t *s);
int	cfg_parse_nets(struct cfg_pctx *p, const config_setting_t *s,
	    struct addr_cidr **out, size_t *nout);
int	cfg_parse_ports(struct cfg_pctx *p, const config_setting_t *s,
	    struct acl_portrange **ports, size_t *nports);

/* listen (config_listen.c); free with config_free. */
int	cfg_parse_listen(struct cfg_pctx *p, const config_setting_t *s,
	    struct config *c);
int	cfg_default_listen(struct config *c);

/* the fake group (config_fake.c); free with config_free. */
int	cfg_parse_fake(struct cfg_pctx *p, const config_setting_t *g,
	    struct config *c);
void	cfg_default_fake(struct config *c);
void	cfg_free_fake(struct config *c);

/* rules (config_rules.c); free with config_free. */
int	cfg_parse_rules(struct cfg_pctx *p, const config_setting_t *s,
	    struct config *c);
void	cfg_free_rules(struct config *c);

/* hops and upstreams (config_upstreams.c); free with config_free. */
int	cfg_parse_upstreams(struct cfg_pctx *p, const config_setting_t *root,
	    struct config *c);
void	cfg_free_upstreams(struct config *c);
/* A name pattern as in upstreams' `to`: "name" or "*.suffix". */
bool	cfg_name_pattern_ok(const char *v);

#endif
