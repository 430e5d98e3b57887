/*
 * wrap_conf.c - the wrapper's settings (see wrap.h): client.conf files
 * (system, then user, or only -f), then SIXGATE_* variables, then -s
 * and -u; each value remembers where it came from, so an error names
 * the file and line.  The only file of the Socks Lib that includes
 * libconfig.h.  A password is never accepted in a file.
 */
#include "sgconfig.h"

#include <errno.h>
#include <libgen.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <libconfig.h>

#include "pwfile.h"
#include "socks5.h"
#include "wrap.h"

#define SYS_CONF	SYSCONFDIR "/sixgate/client.conf"

enum key_type { K_STR, K_PATH, K_INT, K_LIST };

/* client.conf keys and the variables they become (see env.h). */
static const struct key {
	const char	*name;
	const char	*var;
	enum key_type	 type;
} keys[] = {
	{ "gateway",		"SIXGATE_GATEWAY",	K_LIST },
	{ "user",		"SIXGATE_USER",		K_STR },
	{ "password_file",	"SIXGATE_PASSWORD_FILE", K_PATH },
	{ "direct",		"SIXGATE_DIRECT",	K_LIST },
	{ "direct_names",	"SIXGATE_DIRECT_NAMES",	K_LIST },
	{ "fake_ipv4",		"SIXGATE_FAKE_IPV4",	K_STR },
	{ "fake_ipv6",		"SIXGATE_FAKE_IPV6",	K_STR },
	{ "pipeline",		"SIXGATE_PIPELINE",	K_STR },
	{ "verify_names",	"SIXGATE_VERIFY_NAMES",	K_STR },
	{ "verify_ttl",		"SIXGATE_VERIFY_TTL",	K_INT },
	{ "verify_negative_ttl", "SIXGATE_VERIFY_NEGATIVE_TTL", K_INT },
	{ "verify_unreachable",	"SIXGATE_VERIFY_UNREACHABLE", K_STR },
	{ "timeout",		"SIXGATE_TIMEOUT",	K_INT },
	{ "gateway_backoff",	"SIXGATE_GATEWAY_BACKOFF", K_INT },
	{ "log",		"SIXGATE_LOG",		K_INT },
	{ "log_file",		"SIXGATE_LOG_FILE",	K_PATH },
};
#define NKEYS		(sizeof(keys) / sizeof(keys[0]))
#define KEY_GATEWAY	0
#define KEY_USER	1

_Static_assert(NKEYS == WRAP_NKEYS, "WRAP_NKEYS must count keys[]");

static const char *
home_dir(void)
{
	const char *h = getenv("HOME");
	struct passwd *pw;

	if (h != NULL && h[0] == '/')
		return h;
	pw = getpwuid(getuid());
	return pw != NULL && pw->pw_dir[0] == '/' ? pw->pw_dir : NULL;
}

/* Replace key k's value with a copy of v; fmt says where v came from. */
static int set_value(struct wrap_merged *, size_t, const char *,
    const char *, ...) __attribute__((format(printf, 4, 5)));

static int
set_value(struct wrap_merged *m, size_t k, const char *v, const char *fmt, ...)
{
	char *copy;
	va_list ap;

	if ((copy = strdup(v)) == NULL)
		return -1;
	free(m->val[k]);
	m->val[k] = copy;
	va_start(ap, fmt);
	vsnprintf(m->from[k], sizeof(m->from[k]), fmt, ap);
	va_end(ap);
	return 0;
}

/* A list (or one string) of strings, comma-joined into a new string. */
static char *
join_list(const config_setting_t *s, const char **why)
{
	const config_setting_t *e;
	char buf[ENV_NAMES_MAX * 256];
	const char *v;
	size_t n = 0;
	int i;

	if (config_setting_type(s) == CONFIG_TYPE_STRING)
		return strdup(config_setting_get_string(s));
	buf[0] = '\0';
	*why = "must be a list of strings: [ \"...\", ... ]";
	if (!config_setting_is_array(s) && !config_setting_is_list(s))
		return NULL;
	for (i = 0; (e = config_setting_get_elem(s, (unsigned)i)) != NULL;
	    i++) {
		*why = "must be a list of strings: [ \"...\", ... ]";
		if ((v = config_setting_get_string(e)) == NULL)
			return NULL;
		*why = "an entry must not contain a comma";
		if (strchr(v, ',') != NULL)
			return NULL;
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s",
		    i > 0 ? "," : "", v);
		*why = "the list is too long";
		if (n >= sizeof(buf))
			return NULL;
	}
	return strdup(buf);
}

/* The text a setting becomes in its variable; NULL and *why if bad. */
static char *
setting_text(const config_setting_t *s, enum key_type type,
    const char **why)
{
	char num[32], *out;
	const char *v, *home;

	*why = "out of memory";
	if (type == K_LIST)
		return join_list(s, why);
	if (type == K_INT) {
		*why = "must be a whole number, without quotes";
		if (config_setting_type(s) != CONFIG_TYPE_INT &&
		    config_setting_type(s) != CONFIG_TYPE_INT64)
			return NULL;
		snprintf(num, sizeof(num), "%lld",
		    config_setting_get_int64(s));
		return strdup(num);
	}
	*why = "must be a string in double quotes";
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return NULL;
	v = config_setting_get_string(s);
	if (type != K_PATH || strncmp(v, "~/", 2) != 0)
		return strdup(v);
	*why = "cannot expand '~/': HOME is not set";
	if ((home = home_dir()) == NULL ||
	    asprintf(&out, "%s/%s", home, v + 2) == -1)
		return NULL;
	return out;
}

/* Take one top-level setting of a file. */
static int
take_setting(const char *path, const config_setting_t *s, struct wrap_merged *m,
    char *err, size_t errlen)
{
	const char *name = config_setting_name(s), *why, *file;
	int line = config_setting_source_line(s);
	size_t k;
	char *v;
	int rc;

	if ((file = config_setting_source_file(s)) == NULL)
		file = path;
	if (strcmp(name, "password") == 0)
		return wrap_fail(err, errlen, "%s:%d: password: not accepted "
		    "in a configuration file: use password_file (a file of its "
		    "own, mode 600)", file, line);
	for (k = 0; k < WRAP_NKEYS && strcmp(keys[k].name, name) != 0; k++)
		continue;
	if (k == WRAP_NKEYS)
		return wrap_fail(err, errlen, "%s:%d: unknown setting '%s'",
		    file, line, name);
	if ((v = setting_text(s, keys[k].type, &why)) == NULL)
		return wrap_fail(err, errlen, "%s:%d: %s: %s", file, line, name,
		    why);
	rc = set_value(m, k, v, "%s:%d: %s", file, line, name);
	free(v);
	return rc == -1 ? wrap_fail(err, errlen, "out of memory") : 0;
}

/* Read one client.conf into m.  A missing file is fine unless required. */
static int
load_file(const char *path, bool required, struct wrap_merged *m, char *err,
    size_t errlen)
{
	config_setting_t *root, *s;
	struct stat st;
	config_t cf;
	char dir[ENV_PATH_MAX];
	FILE *f;
	int i, rc = -1;

	if (stat(path, &st) == -1)
		return errno == ENOENT && !required ? 0 :
		    wrap_fail(err, errlen, "%s: %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return wrap_fail(err, errlen, "%s: is a directory", path);
	if ((f = fopen(path, "r")) == NULL)
		return wrap_fail(err, errlen, "%s: %s", path, strerror(errno));
	config_init(&cf);
	/* @include "x" is relative to the file, never to the current dir. */
	snprintf(dir, sizeof(dir), "%s", path);
	config_set_include_dir(&cf, dirname(dir));
	if (config_read(&cf, f) != CONFIG_TRUE) {
		wrap_fail(err, errlen, "%s:%d: %s",
		    config_error_file(&cf) != NULL ? config_error_file(&cf) :
		    path, config_error_line(&cf), config_error_text(&cf));
		goto out;
	}
	root = config_root_setting(&cf);
	for (i = 0; (s = config_setting_get_elem(root, (unsigned)i)) != NULL;
	    i++)
		if (take_setting(path, s, m, err, errlen) == -1)
			goto out;
	m->read[m->nread++] = path;
	rc = 0;
out:
	config_destroy(&cf);
	fclose(f);
	return rc;
}

/* The -s options, comma-joined as SIXGATE_GATEWAY wants them. */
static int
set_gateways(const struct wrap_opts *o, struct wrap_merged *m)
{
	char buf[ENV_GATEWAYS_MAX * 300];
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < o->ngateway && n < sizeof(buf); i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s",
		    i > 0 ? "," : "", o->gateway[i]);
	return set_value(m, KEY_GATEWAY, buf, "option -s");
}

/* Files (or -f), then SIXGATE_* variables, then -s and -u. */
int
wrap_conf_load(const struct wrap_opts *o, struct wrap_merged *m, char *err,
    size_t errlen)
{
	const char *x, *home = home_dir();
	size_t k;

	if (o->file != NULL) {
		if (load_file(o->file, true, m, err, errlen) == -1)
			return -1;
	} else {
		x = getenv("XDG_CONFIG_HOME");
		if (x != NULL && x[0] == '/')
			snprintf(m->userconf, sizeof(m->userconf),
			    "%s/sixgate/client.conf", x);
		else if (home != NULL)
			snprintf(m->userconf, sizeof(m->userconf),
			    "%s/.config/sixgate/client.conf", home);
		if (load_file(SYS_CONF, false, m, err, errlen) == -1 ||
		    (m->userconf[0] != '\0' &&
		    load_file(m->userconf, false, m, err, errlen) == -1))
			return -1;
	}
	/* An empty variable counts as unset, as in env.c. */
	for (k = 0; k < WRAP_NKEYS; k++)
		if ((x = getenv(keys[k].var)) != NULL && x[0] != '\0' &&
		    set_value(m, k, x, "%s", keys[k].var) == -1)
			return wrap_fail(err, errlen, "out of memory");
	if ((o->ngateway > 0 && set_gateways(o, m) == -1) ||
	    (o->user != NULL &&
	    set_value(m, KEY_USER, o->user, "option -u") == -1))
		return wrap_fail(err, errlen, "out of memory");
	for (k = 0; k < WRAP_NKEYS; k++)
		if (m->val[k] != NULL && setenv(keys[k].var, m->val[k], 1) ==
		    -1)
			return wrap_fail(err, errlen, "setenv: %s",
			    strerror(errno));
	return 0;
}

static const char *
env_get(const char *name, void *ctx)
{
	(void)ctx;
	return getenv(name);
}

/*
 * The password the library will use (SIXGATE_PASSWORD, else the first
 * line of password_file, which must be the user's own and private) into
 * out (S5_NAME_MAX + 1 bytes); "" when no user is configured.
 */
static int
password_get(const struct env_config *c, char *out, char *err,
    size_t errlen)
{
	char why[160];

	out[0] = '\0';
	if (c->password[0] != '\0' || c->user[0] == '\0') {
		snprintf(out, S5_NAME_MAX + 1, "%s", c->password);
		return 0;
	}
	if (c->password_file[0] == '\0')
		return wrap_fail(err, errlen, "user %s has no password: set "
		    "password_file in client.conf, or SIXGATE_PASSWORD_FILE "
		    "or SIXGATE_PASSWORD", c->user);
	/* Yours and private, like an ssh key. */
	if (pwfile_read(c->password_file, 077, getuid(), out, S5_NAME_MAX + 1,
	    why, sizeof(why)) == -1)
		return wrap_fail(err, errlen, "password file %s: %s",
		    c->password_file, why);
	return 0;
}

/* env_parse() the exported variables; name the source of a bad one. */
int
wrap_conf_validate(const struct wrap_merged *m, struct env_config *c,
    char *pass, char *err, size_t errlen)
{
	char why[WRAP_ERRLEN];
	size_t k, n;

	if (env_parse(env_get, NULL, c, why, sizeof(why)) != ENV_OK) {
		for (k = 0; k < WRAP_NKEYS; k++) {
			n = strlen(keys[k].var);
			if (m->val[k] != NULL &&
			    strncmp(why, keys[k].var, n) == 0 && why[n] == ':')
				return wrap_fail(err, errlen, "%s%s",
				    m->from[k], why + n);
		}
		return wrap_fail(err, errlen, "%s", why);
	}
	if (!c->enabled)
		return wrap_fail(err, errlen, "no gateway configured (set "
		    "gateway in client.conf, -s or SIXGATE_GATEWAY)");
	return password_get(c, pass, err, errlen);
}

void
wrap_conf_free(struct wrap_merged *m)
{
	size_t k;

	for (k = 0; k < WRAP_NKEYS; k++) {
		free(m->val[k]);
		m->val[k] = NULL;
	}
}
