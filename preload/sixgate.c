/*
 * sixgate.c - the wrapper of the Socks Lib: merge client.conf files, the
 * environment and the options into SIXGATE_* variables, create the
 * shared fake-address table (RFC 3089 section 3), prepend the module to
 * LD_PRELOAD and exec the program in the same process; or, with
 * --check, try the configuration, the gateway and one SOCKS5 request
 * (RFC 1928, RFC 1929) and say in plain words what fails.
 *
 * The only client-side program that links libconfig.  The password is
 * read only to check it (and to log in with --check); it never goes into
 * argv, into the environment (unless it already was there) or to output.
 */
#include "sgconfig.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <link.h>
#include <netdb.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/xattr.h>

#include <libconfig.h>

#include "addr.h"
#include "env.h"
#include "fakeip.h"
#include "mmsg_filter.h"
#include "pwfile.h"
#include "socks5.h"
#include "socks5_client.h"

#define SYS_CONF	SYSCONFDIR "/sixgate/client.conf"
#define MODULE_PATH	PKGLIBDIR "/libsixgate.so"
#define CHECK_DEST	"localhost:9"	/* discard port: any REP will do */
#define CONNECT_MS	5000
#define ERRLEN		(ENV_PATH_MAX + 512)
#define FROM_MAX	(ENV_PATH_MAX + 64)

enum key_type { K_STR, K_PATH, K_INT, K_LIST };

/* client.conf keys and the variables they become (see env.h). */
static const struct key {
	const char	*name;
	const char	*var;
	enum key_type	 type;
} keys[] = {
	{ "gateway",		"SIXGATE_GATEWAY",	K_STR },
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
	{ "log",		"SIXGATE_LOG",		K_INT },
	{ "log_file",		"SIXGATE_LOG_FILE",	K_PATH },
};
#define NKEYS		(sizeof(keys) / sizeof(keys[0]))
#define KEY_GATEWAY	0
#define KEY_USER	1

struct opts {
	const char	*file;		/* -f: the only file read */
	const char	*gateway;	/* -s */
	const char	*user;		/* -u */
	const char	*check;		/* --check destination; NULL: run */
	bool		 quiet;		/* -q */
	bool		 udp_compat;	/* --udp-compat */
	char		**argv;		/* PROGRAM ARGS... */
};

/* The merged settings: a value per key and where it came from. */
struct merged {
	char		*val[NKEYS];		/* NULL: set nowhere */
	char		 from[NKEYS][FROM_MAX];	/* "FILE:LINE: key", "-s" */
	const char	*read[2];		/* files read, for --check */
	size_t		 nread;
	char		 userconf[ENV_PATH_MAX];
};

static int fail(char *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));
static void warn(bool, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static void
warn(bool quiet, const char *fmt, ...)
{
	va_list ap;

	if (quiet)
		return;
	va_start(ap, fmt);
	fputs("sixgate: warning: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: sixgate [-q] [--udp-compat] [-f file] "
	    "[-s host:port] [-u user] [--] program [args ...]\n"
	    "       sixgate [-f file] [-s host:port] [-u user] "
	    "--check[=name:port]\n"
	    "       sixgate -V | -h\n");
}

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
static int set_value(struct merged *, size_t, const char *, const char *, ...)
    __attribute__((format(printf, 4, 5)));

static int
set_value(struct merged *m, size_t k, const char *v, const char *fmt, ...)
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
take_setting(const char *path, const config_setting_t *s, struct merged *m,
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
		return fail(err, errlen, "%s:%d: password: not accepted in a "
		    "configuration file: use password_file (a file of its "
		    "own, mode 600)", file, line);
	for (k = 0; k < NKEYS && strcmp(keys[k].name, name) != 0; k++)
		continue;
	if (k == NKEYS)
		return fail(err, errlen, "%s:%d: unknown setting '%s'", file,
		    line, name);
	if ((v = setting_text(s, keys[k].type, &why)) == NULL)
		return fail(err, errlen, "%s:%d: %s: %s", file, line, name,
		    why);
	rc = set_value(m, k, v, "%s:%d: %s", file, line, name);
	free(v);
	return rc == -1 ? fail(err, errlen, "out of memory") : 0;
}

/* Read one client.conf into m.  A missing file is fine unless required. */
static int
load_file(const char *path, bool required, struct merged *m, char *err,
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
		    fail(err, errlen, "%s: %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return fail(err, errlen, "%s: is a directory", path);
	if ((f = fopen(path, "r")) == NULL)
		return fail(err, errlen, "%s: %s", path, strerror(errno));
	config_init(&cf);
	/* @include "x" is relative to the file, never to the current dir. */
	snprintf(dir, sizeof(dir), "%s", path);
	config_set_include_dir(&cf, dirname(dir));
	if (config_read(&cf, f) != CONFIG_TRUE) {
		fail(err, errlen, "%s:%d: %s", config_error_file(&cf) != NULL ?
		    config_error_file(&cf) : path, config_error_line(&cf),
		    config_error_text(&cf));
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

/* Files (or -f), then SIXGATE_* variables, then -s and -u. */
static int
settings_load(const struct opts *o, struct merged *m, char *err,
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
	for (k = 0; k < NKEYS; k++)
		if ((x = getenv(keys[k].var)) != NULL && x[0] != '\0' &&
		    set_value(m, k, x, "%s", keys[k].var) == -1)
			return fail(err, errlen, "out of memory");
	if ((o->gateway != NULL &&
	    set_value(m, KEY_GATEWAY, o->gateway, "option -s") == -1) ||
	    (o->user != NULL &&
	    set_value(m, KEY_USER, o->user, "option -u") == -1))
		return fail(err, errlen, "out of memory");
	for (k = 0; k < NKEYS; k++)
		if (m->val[k] != NULL && setenv(keys[k].var, m->val[k], 1) == -1)
			return fail(err, errlen, "setenv: %s", strerror(errno));
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
		return fail(err, errlen, "user %s has no password: set "
		    "password_file in client.conf, or SIXGATE_PASSWORD_FILE "
		    "or SIXGATE_PASSWORD", c->user);
	/* Yours and private, like an ssh key. */
	if (pwfile_read(c->password_file, 077, getuid(), out, S5_NAME_MAX + 1,
	    why, sizeof(why)) == -1)
		return fail(err, errlen, "password file %s: %s",
		    c->password_file, why);
	return 0;
}

/* env_parse() the exported variables; name the source of a bad one. */
static int
validate(const struct merged *m, struct env_config *c, char *pass,
    char *err, size_t errlen)
{
	char why[ERRLEN];
	size_t k, n;

	if (env_parse(env_get, NULL, c, why, sizeof(why)) != ENV_OK) {
		for (k = 0; k < NKEYS; k++) {
			n = strlen(keys[k].var);
			if (m->val[k] != NULL &&
			    strncmp(why, keys[k].var, n) == 0 && why[n] == ':')
				return fail(err, errlen, "%s%s", m->from[k],
				    why + n);
		}
		return fail(err, errlen, "%s", why);
	}
	if (!c->enabled)
		return fail(err, errlen, "no gateway configured (set gateway "
		    "in client.conf, -s or SIXGATE_GATEWAY)");
	return password_get(c, pass, err, errlen);
}

/* --- running a program --- */

/* Is path one of the space- or colon-separated entries of list? */
static bool
list_has(const char *list, const char *path)
{
	size_t n, len = strlen(path);

	while (*list != '\0') {
		n = strcspn(list, " :");
		if (n == len && strncmp(list, path, n) == 0)
			return true;
		list += n;
		list += strspn(list, " :");
	}
	return false;
}

/* Put the module first in LD_PRELOAD, unless it is there already. */
static int
preload_module(bool quiet, char *err, size_t errlen)
{
	const char *mod = MODULE_PATH, *env = getenv("SIXGATE_MODULE");
	const char *old = getenv("LD_PRELOAD");
	char *v;
	int rc;

	if (env != NULL && env[0] != '\0') {
		if (env[0] == '/')
			mod = env;
		else
			warn(quiet, "SIXGATE_MODULE %s is not an absolute "
			    "path: using %s", env, MODULE_PATH);
	}
	if (strpbrk(mod, " :") != NULL)
		return fail(err, errlen, "the module path %s contains a space "
		    "or a colon, which LD_PRELOAD cannot hold", mod);
	if (access(mod, R_OK) == -1)
		warn(quiet, "%s: %s: the program will run without the Socks "
		    "Lib", mod, strerror(errno));
	if (old == NULL || old[0] == '\0')
		rc = setenv("LD_PRELOAD", mod, 1);
	else if (list_has(old, mod))
		rc = 0;
	else if (asprintf(&v, "%s:%s", mod, old) == -1)
		rc = -1;
	else {
		rc = setenv("LD_PRELOAD", v, 1);
		free(v);
	}
	return rc == -1 ? fail(err, errlen, "LD_PRELOAD: %s",
	    strerror(errno)) : 0;
}

/* Create dir 0700 if needed; it must be a directory of ours alone. */
static int
make_dir(const char *dir, char *err, size_t errlen)
{
	struct stat st;

	if (mkdir(dir, 0700) == -1 && errno != EEXIST)
		return fail(err, errlen, "cannot create %s: %s", dir,
		    strerror(errno));
	if (lstat(dir, &st) == -1)
		return fail(err, errlen, "%s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode) || st.st_uid != getuid())
		return fail(err, errlen, "%s is not a directory of yours: "
		    "refusing to keep the address table there", dir);
	if ((st.st_mode & 022) != 0)
		return fail(err, errlen, "%s is writable by group or others "
		    "(mode %04o): run chmod 700 %s", dir,
		    (unsigned)(st.st_mode & 07777), dir);
	return 0;
}

/* $XDG_RUNTIME_DIR/sixgate, or /tmp/sixgate-UID when that is unusable. */
static int
table_dir(char *dir, size_t len, char *err, size_t errlen)
{
	const char *x = getenv("XDG_RUNTIME_DIR");
	struct stat st;

	if (x != NULL && x[0] == '/' && stat(x, &st) == 0 &&
	    S_ISDIR(st.st_mode) && access(x, W_OK | X_OK) == 0 &&
	    snprintf(dir, len, "%s/sixgate", x) < (int)len)
		return make_dir(dir, err, errlen);
	snprintf(dir, len, "/tmp/sixgate-%u", (unsigned)getuid());
	return make_dir(dir, err, errlen);
}

/* Remove table-PID files whose process is gone (or is us, re-exec'd). */
static void
remove_stale(const char *dir)
{
	struct dirent *e;
	char *end;
	long pid;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, "table-", 6) != 0)
			continue;
		errno = 0;
		pid = strtol(e->d_name + 6, &end, 10);
		if (errno != 0 || *end != '\0' || pid <= 0 || pid > INT_MAX)
			continue;
		if (pid == (long)getpid() ||
		    (kill((pid_t)pid, 0) == -1 && errno == ESRCH))
			(void)unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
}

/*
 * Create the shared table (RFC 3089 fake addresses) as
 * DIR/table-PID, 0600, formatted with the configured ranges, and
 * export its path as SIXGATE_TABLE: the library maps it in every
 * process of the session.
 */
static int
table_create(const struct env_config *c, char *path, size_t len, char *err,
    size_t errlen)
{
	size_t size = fakeip_region_size(FAKEIP_DEFAULT_SLOTS);
	struct fakeip_ranges r;
	struct fakeip_table *t;
	char dir[ENV_PATH_MAX];
	void *mem = MAP_FAILED;
	int fd, rc = -1;

	if (table_dir(dir, sizeof(dir), err, errlen) == -1)
		return -1;
	remove_stale(dir);
	if (snprintf(path, len, "%s/table-%ld", dir, (long)getpid()) >=
	    (int)len)
		return fail(err, errlen, "%s: path too long", dir);
	if ((fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1)
		return fail(err, errlen, "cannot create %s: %s", path,
		    strerror(errno));
	if (fchmod(fd, 0600) == -1 || ftruncate(fd, (off_t)size) == -1 ||
	    (mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
	    0)) == MAP_FAILED) {
		fail(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	memset(&r, 0, sizeof(r));
	memcpy(r.v4net, c->fake4.addr, 4);
	r.v4prefix = c->fake4.prefix;
	memcpy(r.v6net, c->fake6.addr, 16);
	r.v6prefix = c->fake6.prefix;
	if (fakeip_format(mem, size, &r, FAKEIP_DEFAULT_SLOTS, &t) !=
	    FAKEIP_OK) {
		fail(err, errlen, "cannot lay out the address table with "
		    "fake_ipv4 /%u and fake_ipv6 /%u (host bits set, or a "
		    "range too small?)", r.v4prefix, r.v6prefix);
		goto out;
	}
	if ((rc = setenv("SIXGATE_TABLE", path, 1)) == -1)
		fail(err, errlen, "SIXGATE_TABLE: %s", strerror(errno));
out:
	if (mem != MAP_FAILED)
		munmap(mem, size);
	close(fd);
	if (rc == -1)
		unlink(path);
	return rc;
}

/* The file execvp(3) would run for prog, searching PATH as it does. */
static bool
find_program(const char *prog, char *out, size_t len)
{
	const char *p, *e, *path = getenv("PATH");
	struct stat st;
	int n;

	if (strchr(prog, '/') != NULL)
		return snprintf(out, len, "%s", prog) < (int)len;
	for (p = path != NULL ? path : "/bin:/usr/bin"; ; p = e + 1) {
		e = strchrnul(p, ':');
		n = e == p ? snprintf(out, len, "%s", prog) :
		    snprintf(out, len, "%.*s/%s", (int)(e - p), p, prog);
		if (n < (int)len && stat(out, &st) == 0 &&
		    S_ISREG(st.st_mode) && access(out, X_OK) == 0)
			return true;
		if (*e == '\0')
			return false;
	}
}

/* Does a PT_NOTE segment hold Go's build-ID note ("Go", type 4)? */
static bool
notes_have_go(const unsigned char *p, size_t len)
{
	ElfW(Nhdr) nh;
	size_t off = 0, nsz, dsz;

	while (len - off >= sizeof(nh)) {
		memcpy(&nh, p + off, sizeof(nh));
		off += sizeof(nh);
		nsz = ((size_t)nh.n_namesz + 3) & ~(size_t)3;
		dsz = ((size_t)nh.n_descsz + 3) & ~(size_t)3;
		if (nsz > len - off || dsz > len - off - nsz)
			return false;
		/* Go writes the name as "Go\0\0", namesz 4. */
		if ((nh.n_namesz == 3 || nh.n_namesz == 4) &&
		    memcmp(p + off, "Go", 3) == 0 && nh.n_type == 4)
			return true;
		off += nsz + dsz;
	}
	return false;
}

/* Warn when the ELF image m[0..len) cannot take the module. */
static void
elf_warn(const char *prog, const unsigned char *m, size_t len)
{
	ElfW(Ehdr) eh;
	ElfW(Phdr) ph;
	bool interp = false, go = false;
	size_t i;

	if (len < sizeof(eh) || memcmp(m, ELFMAG, SELFMAG) != 0)
		return;		/* a script: its interpreter is what runs */
	if (m[EI_CLASS] != (sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32))
		return;		/* ld.so itself says it cannot preload */
	memcpy(&eh, m, sizeof(eh));
	if (eh.e_phentsize != sizeof(ph) || eh.e_phoff > len ||
	    eh.e_phnum > (len - eh.e_phoff) / sizeof(ph))
		return;
	for (i = 0; i < eh.e_phnum; i++) {
		memcpy(&ph, m + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_INTERP)
			interp = true;
		else if (ph.p_type == PT_NOTE && ph.p_offset <= len &&
		    ph.p_filesz <= len - ph.p_offset && !go)
			go = notes_have_go(m + ph.p_offset, ph.p_filesz);
	}
	if (go)
		warn(false, "%s is a Go program: Go makes its own system "
		    "calls, so its connections bypass sixgate", prog);
	else if (!interp)
		warn(false, "%s is statically linked: the loader cannot add "
		    "the Socks Lib, so its connections bypass sixgate", prog);
}

/* Warn about programs that bypass the module (not fatal). */
static void
program_warnings(const char *prog)
{
	char path[ENV_PATH_MAX];
	struct stat st;
	void *m;
	int fd;

	if (!find_program(prog, path, sizeof(path)) ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return;
	if (fstat(fd, &st) == -1)
		goto out;
	/* The loader ignores LD_PRELOAD when exec changes credentials. */
	if (((st.st_mode & S_ISUID) && st.st_uid != getuid()) ||
	    ((st.st_mode & S_ISGID) && st.st_gid != getgid()) ||
	    (getuid() != 0 && fgetxattr(fd, "security.capability", NULL,
	    0) > 0))
		warn(false, "%s is setuid, setgid or has file capabilities: "
		    "the loader ignores LD_PRELOAD for it, so its connections "
		    "bypass sixgate", prog);
	if (st.st_size > 0 && (m = mmap(NULL, (size_t)st.st_size, PROT_READ,
	    MAP_PRIVATE, fd, 0)) != MAP_FAILED) {
		elf_warn(prog, m, (size_t)st.st_size);
		munmap(m, (size_t)st.st_size);
	}
out:
	close(fd);
}

/* Set up the session and exec the program; returns only on failure. */
static int
run_program(const struct opts *o, const struct env_config *c)
{
	char table[ENV_PATH_MAX], err[ERRLEN];
	int e;

	if (preload_module(o->quiet, err, sizeof(err)) == -1 ||
	    table_create(c, table, sizeof(table), err, sizeof(err)) == -1) {
		fprintf(stderr, "sixgate: %s\n", err);
		return 1;
	}
	if (!o->quiet)
		program_warnings(o->argv[0]);
	if (o->udp_compat && mmsg_filter_install(err, sizeof(err)) == -1) {
		fprintf(stderr, "sixgate: %s\n", err);
		unlink(table);
		return 1;
	}
	execvp(o->argv[0], o->argv);
	e = errno;
	unlink(table);
	fprintf(stderr, "sixgate: %s: %s\n", o->argv[0], strerror(e));
	return 127;
}

/* --- --check --- */

/* Connect to a within CONNECT_MS; the socket, or -1 with errno. */
static int
connect_timeout(const struct addrinfo *a)
{
	int fd, e;

	if ((fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, a->ai_protocol)) == -1)
		return -1;
	if (sgio_connect(&sgio_libc, fd, a->ai_addr, a->ai_addrlen,
	    sgio_now_ms() + CONNECT_MS) == 0)
		return fd;
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

/* Resolve and connect to the gateway, one line for each step. */
static int
check_connect(const struct env_config *c)
{
	struct addrinfo hints, *res, *a;
	char port[8], buf[ADDR_STRLEN], line[ERRLEN] = "";
	size_t n = 0;
	int fd = -1, e;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(port, sizeof(port), "%u", c->gw_port);
	if ((e = getaddrinfo(c->gw_host, port, &hints, &res)) != 0) {
		printf("error: cannot resolve the gateway %s: %s\n",
		    c->gw_host, gai_strerror(e));
		return -1;
	}
	for (a = res; a != NULL && n < sizeof(line); a = a->ai_next)
		n += (size_t)snprintf(line + n, sizeof(line) - n, "%s%s",
		    a == res ? "" : ", ", addr_ntop_host(a->ai_addr, buf,
		    sizeof(buf)));
	printf("ok: the gateway %s resolves to %s\n", c->gw_host, line);
	for (a = res, n = 0; a != NULL && fd == -1; a = a->ai_next) {
		if ((fd = connect_timeout(a)) != -1)
			printf("ok: connected to the gateway at %s\n",
			    addr_ntop(a->ai_addr, buf, sizeof(buf)));
		else if (n < sizeof(line))
			n += (size_t)snprintf(line + n, sizeof(line) - n,
			    "%s%s: %s", n > 0 ? "; " : "", addr_ntop(a->ai_addr,
			    buf, sizeof(buf)), strerror(errno));
	}
	if (fd == -1)
		printf("error: cannot connect to the gateway: %s\n", line);
	freeaddrinfo(res);
	return fd;
}

/* Say what the answer to the test request means; 0 if it passes. */
static int
check_answer(const struct env_config *c, const struct socks5_addr *d,
    enum socks5_client_result r, const struct socks5_client_res *res)
{
	const char *who = c->user[0] != '\0' ? c->user : "(none)";

	switch (r) {
	case S5C_NO_METHOD:
		printf("error: the gateway accepts none of our authentication "
		    "methods (is a user configured?)\n");
		return -1;
	case S5C_AUTH_FAILED:
		printf("error: the gateway refused user %s: wrong password or "
		    "unknown user\n", who);
		return -1;
	case S5C_PROTOCOL:
		printf("error: the gateway's answer is not SOCKS5 as we know "
		    "it (is it a SOCKS5 server?)\n");
		return -1;
	case S5C_IO:
		if (errno == ETIMEDOUT)
			printf("error: the gateway did not answer within %d "
			    "s (timeout)\n", c->timeout_ms / 1000);
		else
			printf("error: the SOCKS5 exchange with the gateway "
			    "failed: %s\n", strerror(errno));
		return -1;
	default:
		break;
	}
	printf("ok: the gateway %s\n", c->user[0] != '\0' ?
	    "accepted our user name and password" : "lets us in without "
	    "authentication");
	if (res->rep == S5_REP_HOST_UNREACH) {
		printf("error: the gateway cannot resolve %s\n", d->u.name);
		return -1;
	}
	/*
	 * The default probe asks for the gateway's own localhost, which a
	 * well-configured gateway refuses: the refusal still proves that
	 * login and request processing work.
	 */
	if (res->rep == S5_REP_NOT_ALLOWED &&
	    strcmp(d->u.name, "localhost") == 0) {
		printf("ok: the gateway answered (its rules keep its own "
		    "localhost private, as they should; --check=NAME:PORT "
		    "tests a real destination)\n");
		return 0;
	}
	if (res->rep == S5_REP_NOT_ALLOWED) {
		printf("error: the gateway's rules refuse user %s a connection "
		    "to %s port %u\n", who, d->u.name, d->port);
		return -1;
	}
	if (res->rep == S5_REP_SUCCEEDED || res->rep == S5_REP_CONN_REFUSED)
		printf("ok: the gateway resolved %s (port %u: %s)\n",
		    d->u.name, d->port, socks5_rep_str(res->rep));
	else
		printf("ok: the gateway answered the request for %s port %u: "
		    "%s\n", d->u.name, d->port, socks5_rep_str(res->rep));
	return 0;
}

/* --check: configuration, gateway, login and one request by name. */
static int
check_run(const struct opts *o, const struct merged *m,
    const struct env_config *c, const char *pass)
{
	struct socks5_client_req req;
	struct socks5_client_res res;
	enum socks5_client_result r;
	char name[S5_NAME_MAX + 1];
	uint16_t port = 9;
	int fd, rc;

	if (strchr(o->check, ':') == NULL)
		snprintf(name, sizeof(name), "%s", o->check);
	else if (addr_split_hostport(o->check, name, sizeof(name), &port) !=
	    ADDR_OK || port == 0) {
		printf("error: --check=%s: want NAME or NAME:PORT\n", o->check);
		return 1;
	}
	memset(&req, 0, sizeof(req));
	if (socks5_addr_set_name(&req.dest, name, port) != S5_OK) {
		printf("error: --check=%s: bad name\n", o->check);
		return 1;
	}
	if (m->nread == 0)
		printf("ok: configuration: no file found, using the "
		    "environment and options\n");
	else
		printf("ok: configuration read from %s%s%s\n", m->read[0],
		    m->nread > 1 ? ", then " : "", m->nread > 1 ? m->read[1] :
		    "");
	if ((fd = check_connect(c)) == -1)
		return 1;
	req.user = c->user;
	req.pass = pass;
	req.cmd = S5_CMD_CONNECT;
	req.timeout_ms = c->timeout_ms;
	r = socks5_client_handshake(&sgio_libc, fd, &req, &res);
	close(fd);
	rc = check_answer(c, &req.dest, r, &res) == 0 ? 0 : 1;
	if (r == S5C_OK || r == S5C_REPLY || r == S5C_AUTH_FAILED)
		printf("ok: %s\n", res.method == S5_METHOD_SIXGATE ?
		    "the gateway is sixgated: pipelining available" :
		    "the gateway is not sixgated: no pipelining");
	return rc;
}

static int
parse_opts(int argc, char *argv[], struct opts *o)
{
	static const struct option longopts[] = {
		{ "check",	optional_argument,	NULL, 'c' },
		{ "udp-compat",	no_argument,		NULL, 'U' },
		{ "help",	no_argument,		NULL, 'h' },
		{ "version",	no_argument,		NULL, 'V' },
		{ NULL,		0,			NULL, 0 }
	};
	int ch;

	memset(o, 0, sizeof(*o));
	while ((ch = getopt_long(argc, argv, "+f:s:u:qhV", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'c':
			o->check = optarg != NULL ? optarg : CHECK_DEST;
			break;
		case 'f':
			o->file = optarg;
			break;
		case 's':
			o->gateway = optarg;
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'U':
			o->udp_compat = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("sixgate %s\n", PACKAGE_VERSION);
			exit(0);
		default:
			goto fail;
		}
	}
	o->argv = argv + optind;
	if ((o->check != NULL) == (optind < argc))
		goto fail;
	return 0;
fail:
	usage(stderr);
	return -1;
}

int
main(int argc, char *argv[])
{
	static struct merged m;
	struct env_config c;
	struct opts o;
	char err[ERRLEN], pass[S5_NAME_MAX + 1] = "";
	size_t k;
	int rc = 1;

	memset(&c, 0, sizeof(c));
	if (parse_opts(argc, argv, &o) == -1)
		goto out;
	/* Each run makes its own table; an inherited one is not ours. */
	unsetenv("SIXGATE_TABLE");
	if (settings_load(&o, &m, err, sizeof(err)) == -1 ||
	    validate(&m, &c, pass, err, sizeof(err)) == -1) {
		if (o.check != NULL)
			printf("error: %s\n", err);
		else
			fprintf(stderr, "sixgate: %s\n", err);
		goto out;
	}
	if (o.check != NULL)
		rc = check_run(&o, &m, &c, pass);
	else {
		explicit_bzero(pass, sizeof(pass));
		explicit_bzero(c.password, sizeof(c.password));
		rc = run_program(&o, &c);
	}
out:
	explicit_bzero(pass, sizeof(pass));
	explicit_bzero(&c, sizeof(c));
	for (k = 0; k < NKEYS; k++)
		free(m.val[k]);
	return rc;
}
