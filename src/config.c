/*
 * config.c - libconfig text -> validated, immutable struct config, and
 * the reference-counted current snapshot (see config.h).  Here: the
 * embedded default, loading, the top-level settings (listen, user, auth,
 * resolve, timeouts, limits) and the snapshot; the rules are in
 * config_rules.c, hops and upstreams in config_upstreams.c, the shared
 * helpers in config_util.c.  Only these files include libconfig.h.
 */
#include "sgconfig.h"

#include <errno.h>
#include <grp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libconfig.h>

#include "config.h"
#include "authpool.h"
#include "config_int.h"
#include "metrics_text.h"

/* The embedded default; %s is the gateway-local networks (addr.h). */
static const char embedded_default[] =
	"# sixgated embedded default: loopback listeners, PAM login,\n"
	"# nothing on the gateway itself or its link-local networks.\n"
	"listen = [ \"127.0.0.1:1080\", \"[::1]:1080\" ];\n"
	"user = \"\";\n"
	"auth: { methods = [ \"username\" ]; pam_service = \"sixgated\"; };\n"
	"resolve: { prefer = \"ipv6\"; };\n"
	"timeouts: { handshake = 10; connect = 10; idle = 7200;"
	" shutdown = 30; };\n"
	"limits: { max_relays = 10000; };\n"
	"rules = (\n"
	"  { name = \"gateway-local\"; action = \"deny\";\n"
	"    to = [ \"self\", %s ]; },\n"
	"  { name = \"users\"; action = \"allow\"; users = [ \"*\" ]; }\n"
	");\n";

struct config *
config_load_default(char *err, size_t errlen)
{
	char text[sizeof(embedded_default) + 256], nets[200];

	snprintf(text, sizeof(text), embedded_default,
	    addr_local_nets_list(nets, sizeof(nets)));
	return config_load_string(text, "(embedded)", err, errlen);
}


static int
parse_methods(struct cfg_pctx *p, const config_setting_t *s, struct config *c)
{
	const config_setting_t *e;
	const char *m;
	unsigned bit;
	int i;

	if (cfg_check_string_list(p, s) == -1)
		return -1;
	c->nauth = 0;
	c->auth_methods = 0;
	for (i = 0; (e = config_setting_get_elem(s, (unsigned)i)) != NULL;
	    i++) {
		m = config_setting_get_string(e);
		if (strcmp(m, "username") == 0)
			bit = CONFIG_AUTH_USERNAME;
		else if (strcmp(m, "none") == 0)
			bit = CONFIG_AUTH_NONE;
		else
			return cfg_fail(p, e, "methods: unknown method \"%s\" "
			    "(\"username\" or \"none\")", m);
		if (c->auth_methods & bit)
			return cfg_fail(p, e,
			    "methods: \"%s\" listed twice", m);
		c->auth_methods |= bit;
		c->auth_order[c->nauth++] = (unsigned char)bit;
	}
	if (c->nauth == 0)
		return cfg_fail(p, s, "methods: at least one method is needed");
	return 0;
}

/* How much PAM work runs at once, and how failed logins are throttled. */
static int
parse_auth_limits(struct cfg_pctx *p, const config_setting_t *g,
    struct config *c)
{
	const config_setting_t *s;

	if ((s = config_setting_get_member(g, "max_concurrent")) != NULL &&
	    cfg_get_int(p, s, 1, AUTHPOOL_MAX, &c->auth_max_concurrent) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "fail_limit")) != NULL &&
	    cfg_get_int(p, s, 0, 1000000, &c->fail.limit) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "fail_window")) != NULL &&
	    cfg_get_int(p, s, 1, 86400, &c->fail.window_s) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "fail_block")) != NULL &&
	    cfg_get_int(p, s, 1, 86400, &c->fail.block_s) == -1)
		return -1;
	return 0;
}

static int
parse_auth(struct cfg_pctx *p, const config_setting_t *g, struct config *c)
{
	static const char *const keys[] = { "methods", "pam_service",
	    "pam_serialize", "cache_ttl", "max_concurrent", "fail_limit",
	    "fail_window", "fail_block", NULL };
	const config_setting_t *s;

	if (cfg_check_keys(p, g, "auth", keys) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "methods")) != NULL &&
	    parse_methods(p, s, c) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "pam_service")) != NULL) {
		if (cfg_get_string(p, s, c->pam_service,
		    sizeof(c->pam_service)) == -1)
			return -1;
		if (c->pam_service[0] == '\0' ||
		    strspn(c->pam_service, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") !=
		    strlen(c->pam_service))
			return cfg_fail(p, s,
			    "pam_service must be a PAM service "
			    "name (letters, digits, '.', '_', '-')");
	}
	if ((s = config_setting_get_member(g, "pam_serialize")) != NULL &&
	    cfg_get_bool(p, s, &c->pam_serialize) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "cache_ttl")) != NULL &&
	    cfg_get_int(p, s, 0, 86400, &c->auth_cache_ttl) == -1)
		return -1;
	return parse_auth_limits(p, g, c);
}

static int
parse_resolve(struct cfg_pctx *p, const config_setting_t *g, struct config *c)
{
	static const char *const keys[] = { "prefer", "command", NULL };
	const config_setting_t *s;
	char v[16];

	if (cfg_check_keys(p, g, "resolve", keys) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "command")) != NULL &&
	    cfg_get_bool(p, s, &c->resolve_command) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "prefer")) == NULL)
		return 0;
	if (cfg_get_string(p, s, v, sizeof(v)) == -1)
		return cfg_fail(p, s, "prefer must be \"ipv6\", \"ipv4\" or "
		    "\"system\"");
	if (strcmp(v, "ipv6") == 0)
		c->prefer = CONFIG_PREFER_IPV6;
	else if (strcmp(v, "ipv4") == 0)
		c->prefer = CONFIG_PREFER_IPV4;
	else if (strcmp(v, "system") == 0)
		c->prefer = CONFIG_PREFER_SYSTEM;
	else
		return cfg_fail(p, s, "prefer must be \"ipv6\", \"ipv4\" or "
		    "\"system\"");
	return 0;
}

static int
parse_timeouts(struct cfg_pctx *p, const config_setting_t *g, struct config *c)
{
	static const char *const keys[] = { "handshake", "connect", "idle",
	    "shutdown", "bind", NULL };
	const config_setting_t *s;

	if (cfg_check_keys(p, g, "timeouts", keys) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "handshake")) != NULL &&
	    cfg_get_int(p, s, 1, 3600, &c->timeout_handshake) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "connect")) != NULL &&
	    cfg_get_int(p, s, 1, 3600, &c->timeout_connect) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "idle")) != NULL &&
	    cfg_get_int(p, s, 0, 2592000, &c->timeout_idle) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "shutdown")) != NULL &&
	    cfg_get_int(p, s, 0, 3600, &c->timeout_shutdown) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "bind")) != NULL &&
	    cfg_get_int(p, s, 1, 3600, &c->timeout_bind) == -1)
		return -1;
	return 0;
}

/* max_handshakes: a number, or sshd's "start:rate:full". */
static int
parse_startups(struct cfg_pctx *p, const config_setting_t *s,
    struct admit_startups *out)
{
	char text[64];
	int n;

	if (config_setting_type(s) == CONFIG_TYPE_INT) {
		if (cfg_get_int(p, s, 1, 1000000, &n) == -1)
			return -1;
		out->start = out->full = (unsigned)n;
		out->rate = 100;
		return 0;
	}
	if (cfg_get_string(p, s, text, sizeof(text)) == -1)
		return -1;
	if (admit_parse(text, out) == -1)
		return cfg_fail(p, s, "max_handshakes: \"%s\" is not a number "
		    "or \"start:rate:full\" (rate 0-100, start <= full)", text);
	return 0;
}

static int
parse_limits(struct cfg_pctx *p, const config_setting_t *g, struct config *c)
{
	static const char *const keys[] = { "max_relays", "max_per_client",
	    "max_handshakes", "max_handshakes_per_client", "ipv6_prefix", NULL };
	const config_setting_t *s;
	int prefix;

	if (cfg_check_keys(p, g, "limits", keys) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "max_handshakes")) != NULL &&
	    parse_startups(p, s, &c->max_handshakes) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "max_handshakes_per_client")) !=
	    NULL && cfg_get_int(p, s, 0, 1000000,
	    &c->max_handshakes_per_client) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "ipv6_prefix")) != NULL) {
		if (cfg_get_int(p, s, 32, 128, &prefix) == -1)
			return -1;
		c->ipv6_prefix = (unsigned)prefix;
		c->fail.v6_prefix = c->ipv6_prefix;
	}
	if ((s = config_setting_get_member(g, "max_relays")) != NULL &&
	    cfg_get_int(p, s, 1, 1000000, &c->max_relays) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "max_per_client")) != NULL &&
	    cfg_get_int(p, s, 0, 1000000, &c->max_per_client) == -1)
		return -1;
	return 0;
}

/*
 * control: { socket = PATH; mode = "0660"; group = NAME; }: the group is
 * resolved here, so a missing one is an error with its line.
 */
static int
parse_control(struct cfg_pctx *p, const config_setting_t *g, struct config *c)
{
	static const char *const keys[] = { "socket", "mode", "group", NULL };
	const config_setting_t *s;
	char text[256], *end;
	struct group *gr;
	unsigned long m;

	if (cfg_check_keys(p, g, "control", keys) == -1)
		return -1;
	c->control_on = true;
	if ((s = config_setting_get_member(g, "socket")) != NULL) {
		if (cfg_get_string(p, s, text, sizeof(text)) == -1)
			return -1;
		if (text[0] != '/')
			return cfg_fail(p, s, "control.socket: \"%s\" is not "
			    "an absolute path", text);
		if (strlen(text) >= sizeof(c->control_socket))
			return cfg_fail(p, s, "control.socket: longer than "
			    "%zu bytes", sizeof(c->control_socket) - 1);
		snprintf(c->control_socket, sizeof(c->control_socket), "%s",
		    text);
	}
	if ((s = config_setting_get_member(g, "mode")) != NULL) {
		if (cfg_get_string(p, s, text, sizeof(text)) == -1)
			return -1;
		errno = 0;
		m = strtoul(text, &end, 8);
		if (text[0] < '0' || text[0] > '7' || *end != '\0' ||
		    errno != 0 || m > 0777)
			return cfg_fail(p, s, "control.mode: \"%s\" is not an "
			    "octal mode like \"0660\"", text);
		c->control_mode = (unsigned)m;
	}
	if ((s = config_setting_get_member(g, "group")) != NULL) {
		if (cfg_get_string(p, s, c->control_group,
		    sizeof(c->control_group)) == -1)
			return -1;
		if ((gr = getgrnam(c->control_group)) == NULL)
			return cfg_fail(p, s, "control.group: group \"%s\" "
			    "does not exist", c->control_group);
		c->control_gid = (long)gr->gr_gid;
	}
	return 0;
}

/*
 * metrics: { listen = "127.0.0.1:9180"; path = "/metrics";
 * user_labels = true; }: the endpoint answers anyone who can connect,
 * so only a loopback address is accepted.
 */
static int
parse_metrics(struct cfg_pctx *p, const config_setting_t *g,
    struct config *c)
{
	static const char *const keys[] = { "listen", "path", "user_labels",
	    NULL };
	struct config_listen *l = &c->metrics_listen;
	const config_setting_t *s;
	char text[256];

	if (cfg_check_keys(p, g, "metrics", keys) == -1)
		return -1;
	c->metrics_on = true;
	if ((s = config_setting_get_member(g, "listen")) != NULL) {
		if (cfg_get_string(p, s, text, sizeof(text)) == -1)
			return -1;
		if (strlen(text) >= sizeof(l->text) ||
		    addr_parse_sockaddr(text, &l->ss, &l->sslen) != ADDR_OK)
			return cfg_fail(p, s, "metrics.listen: \"%s\" is not a "
			    "numeric address:port or [ipv6]:port", text);
		snprintf(l->text, sizeof(l->text), "%s", text);
		if (!addr_is_loopback((const struct sockaddr *)&l->ss))
			return cfg_fail(p, s, "metrics.listen must be a "
			    "loopback address (127.0.0.0/8 or [::1]), not %s",
			    text);
	}
	if ((s = config_setting_get_member(g, "path")) != NULL) {
		if (cfg_get_string(p, s, text, sizeof(text)) == -1)
			return -1;
		if (strlen(text) >= sizeof(c->metrics_path) ||
		    !metrics_path_ok(text))
			return cfg_fail(p, s, "metrics.path: \"%s\" is not a "
			    "path like \"/metrics\" (printable ASCII, no "
			    "spaces, '?', '#' or '%%')", text);
		snprintf(c->metrics_path, sizeof(c->metrics_path), "%s", text);
	}
	if ((s = config_setting_get_member(g, "user_labels")) != NULL &&
	    cfg_get_bool(p, s, &c->metrics_user_labels) == -1)
		return -1;
	return 0;
}

/*
 * state: { directory = PATH; interval = SECONDS; }: where the quota
 * counters are kept.  The directory is not checked here: it may be
 * created after the configuration is (the package does it), and the
 * daemon reports at start-up when it cannot write there.
 */
static int
parse_state(struct cfg_pctx *p, const config_setting_t *g, struct config *c)
{
	static const char *const keys[] = { "directory", "interval", NULL };
	const config_setting_t *s;

	if (cfg_check_keys(p, g, "state", keys) == -1)
		return -1;
	if ((s = config_setting_get_member(g, "directory")) == NULL)
		return cfg_fail(p, g, "state: a directory is required");
	if (cfg_get_string(p, s, c->state_dir, sizeof(c->state_dir)) == -1)
		return -1;
	if (c->state_dir[0] != '/')
		return cfg_fail(p, s, "state.directory: \"%s\" is not an "
		    "absolute path", c->state_dir);
	if ((s = config_setting_get_member(g, "interval")) != NULL &&
	    cfg_get_int(p, s, 1, 86400, &c->state_interval) == -1)
		return -1;
	c->state_on = true;
	return 0;
}

/*
 * PAM with yescrypt is CPU-bound (about 50 ms a login): two at a time
 * per core keeps the cores busy while one waits on I/O, and no fewer
 * than 4, so that one slow PAM module does not stall every login.
 */
static int
default_pam_workers(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 2)
		return 4;
	return n * 2 > AUTHPOOL_MAX ? AUTHPOOL_MAX : (n * 2 < 4 ? 4 :
	    (int)n * 2);
}

static void
set_defaults(struct config *c)
{
	c->auth_methods = CONFIG_AUTH_USERNAME;
	c->auth_order[0] = CONFIG_AUTH_USERNAME;
	c->nauth = 1;
	snprintf(c->pam_service, sizeof(c->pam_service), "sixgated");
	c->prefer = CONFIG_PREFER_IPV6;
	c->resolve_command = true;
	c->timeout_handshake = 10;
	c->timeout_connect = 10;
	c->timeout_idle = 7200;
	c->timeout_shutdown = 30;
	c->timeout_bind = 120;
	c->max_relays = 10000;
	snprintf(c->control_socket, sizeof(c->control_socket), "%s",
	    "/run/sixgate/control.sock");
	c->control_mode = 0660;
	c->control_gid = -1;
	snprintf(c->metrics_path, sizeof(c->metrics_path), "/metrics");
	snprintf(c->metrics_listen.text, sizeof(c->metrics_listen.text),
	    "127.0.0.1:9180");
	(void)addr_parse_sockaddr(c->metrics_listen.text, &c->metrics_listen.ss,
	    &c->metrics_listen.sslen);
	c->metrics_user_labels = true;
	c->state_interval = 60;
	/* One address (or NAT) cannot take every relay. */
	c->max_per_client = 1000;
	c->auth_max_concurrent = default_pam_workers();
	c->fail = (struct throttle_cfg){ 10, 60, 120, 64 };
	c->max_handshakes = (struct admit_startups){ 512, 30, 2048 };
	c->max_handshakes_per_client = 128;
	c->ipv6_prefix = 64;
	cfg_default_fake(c);
	c->refs = 1;
}

static int
parse_root(struct cfg_pctx *p, const config_setting_t *root, struct config *c)
{
	static const char *const keys[] = { "listen", "user", "auth",
	    "resolve", "timeouts", "limits", "rules", "hops", "upstreams",
	    "control", "metrics", "state", "fake", NULL };
	const config_setting_t *s;

	if (cfg_check_keys(p, root, "", keys) == -1)
		return -1;
	if ((s = config_setting_get_member(root, "listen")) != NULL) {
		if (cfg_parse_listen(p, s, c) == -1)
			return -1;
	} else if (cfg_default_listen(c) == -1)
		return cfg_fail(p, NULL, "out of memory");
	if ((s = config_setting_get_member(root, "user")) != NULL) {
		if (cfg_get_string(p, s, c->user, sizeof(c->user)) == -1)
			return -1;
		c->user_line = config_setting_source_line(s);
	}
	if ((s = config_setting_get_member(root, "auth")) != NULL &&
	    (cfg_must_be_group(p, s) == -1 || parse_auth(p, s, c) == -1))
		return -1;
	if ((s = config_setting_get_member(root, "resolve")) != NULL &&
	    (cfg_must_be_group(p, s) == -1 || parse_resolve(p, s, c) == -1))
		return -1;
	if ((s = config_setting_get_member(root, "timeouts")) != NULL &&
	    (cfg_must_be_group(p, s) == -1 || parse_timeouts(p, s, c) == -1))
		return -1;
	if ((s = config_setting_get_member(root, "limits")) != NULL &&
	    (cfg_must_be_group(p, s) == -1 || parse_limits(p, s, c) == -1))
		return -1;
	if ((s = config_setting_get_member(root, "rules")) != NULL &&
	    cfg_parse_rules(p, s, c) == -1)
		return -1;
	if ((s = config_setting_get_member(root, "control")) != NULL &&
	    (cfg_must_be_group(p, s) == -1 || parse_control(p, s, c) == -1))
		return -1;
	if ((s = config_setting_get_member(root, "metrics")) != NULL &&
	    (cfg_must_be_group(p, s) == -1 || parse_metrics(p, s, c) == -1))
		return -1;
	if ((s = config_setting_get_member(root, "state")) != NULL &&
	    (cfg_must_be_group(p, s) == -1 || parse_state(p, s, c) == -1))
		return -1;
	if ((s = config_setting_get_member(root, "fake")) != NULL &&
	    (cfg_must_be_group(p, s) == -1 || cfg_parse_fake(p, s, c) == -1))
		return -1;
	/* After listen: loops are checked against our own addresses. */
	return cfg_parse_upstreams(p, root, c);
}

/* Parse text (or the file at path when text is NULL). */
static struct config *
load(const char *path, const char *text, const char *name, char *err,
    size_t errlen)
{
	struct cfg_pctx p = { name, err, errlen };
	struct config *c = NULL;
	config_t lc;
	int ok;

	config_init(&lc);
	ok = text != NULL ? config_read_string(&lc, text) :
	    config_read_file(&lc, path);
	if (ok != CONFIG_TRUE) {
		if (config_error_type(&lc) == CONFIG_ERR_FILE_IO)
			snprintf(err, errlen, "%s:0: cannot read the file: %s",
			    name, strerror(errno));
		else
			snprintf(err, errlen, "%s:%d: %s",
			    config_error_file(&lc) != NULL ?
			    config_error_file(&lc) : name,
			    config_error_line(&lc), config_error_text(&lc));
		goto fail;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(err, errlen, "%s:0: out of memory", name);
		goto fail;
	}
	set_defaults(c);
	snprintf(c->source, sizeof(c->source), "%s", name);
	if (parse_root(&p, config_root_setting(&lc), c) == -1)
		goto fail;
	config_destroy(&lc);
	return c;
fail:
	config_free(c);
	config_destroy(&lc);
	return NULL;
}

struct config *
config_load_file(const char *path, char *err, size_t errlen)
{
	return load(path, NULL, path, err, errlen);
}

struct config *
config_load_string(const char *text, const char *name, char *err,
    size_t errlen)
{
	return load(NULL, text, name, err, errlen);
}

void
config_free(struct config *c)
{
	if (c == NULL)
		return;
	cfg_free_rules(c);
	cfg_free_upstreams(c);
	cfg_free_fake(c);
	free(c->listen);
	free(c);
}

bool
config_same_metrics(const struct config *a, const struct config *b)
{
	if (a->metrics_on != b->metrics_on)
		return false;
	return !a->metrics_on || addr_equal(
	    (const struct sockaddr *)&a->metrics_listen.ss,
	    (const struct sockaddr *)&b->metrics_listen.ss);
}

/*
 * The current snapshot: the pointer and every reference count change
 * under one mutex; the snapshots themselves are never written after
 * they are built, so readers need no lock.
 */
static pthread_mutex_t current_lock = PTHREAD_MUTEX_INITIALIZER;
static struct config *current;

struct config *
config_current(void)
{
	struct config *c;

	pthread_mutex_lock(&current_lock);
	if ((c = current) != NULL)
		c->refs++;
	pthread_mutex_unlock(&current_lock);
	return c;
}

void
config_publish(struct config *c)
{
	struct config *old;

	pthread_mutex_lock(&current_lock);
	old = current;
	current = c;
	pthread_mutex_unlock(&current_lock);
	config_release(old);
}

void
config_release(struct config *c)
{
	int left;

	if (c == NULL)
		return;
	pthread_mutex_lock(&current_lock);
	left = --c->refs;
	pthread_mutex_unlock(&current_lock);
	if (left == 0)
		config_free(c);
}
