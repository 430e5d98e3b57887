/*
 * sixgate.c - the wrapper of the Socks Lib: merge client.conf files, the
 * environment and the options into SIXGATE_* variables, create the
 * shared fake-address table (RFC 3089 section 3), prepend the module to
 * LD_PRELOAD and exec the program in the same process; or, with
 * --check, try the configuration, the gateway and one SOCKS5 request
 * (RFC 1928, RFC 1929) and say in plain words what fails.  This file
 * holds main, the options, LD_PRELOAD and the exec; the other steps are
 * the wrap_*.c files (wrap.h).
 *
 * The only client-side program that links libconfig.  The password is
 * read only to check it (and to log in with --check); it never goes into
 * argv, into the environment (unless it already was there) or to output.
 */
#include "sgconfig.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "env.h"
#include "mmsg_filter.h"
#include "socks5.h"
#include "wrap.h"

#define MODULE_PATH	PKGLIBDIR "/libsixgate.so"
#define CHECK_DEST	"localhost:9"	/* discard port: any REP will do */

int
wrap_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

void
wrap_warn(bool quiet, const char *fmt, ...)
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
	    "[-s host:port ...] [-u user] [--] program [args ...]\n"
	    "       sixgate [-f file] [-s host:port ...] [-u user] "
	    "--check[=name:port]\n"
	    "       sixgate -V | -h\n");
}

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
			wrap_warn(quiet, "SIXGATE_MODULE %s is not an absolute "
			    "path: using %s", env, MODULE_PATH);
	}
	if (strpbrk(mod, " :") != NULL)
		return wrap_fail(err, errlen, "the module path %s contains a "
		    "space or a colon, which LD_PRELOAD cannot hold", mod);
	if (access(mod, R_OK) == -1)
		wrap_warn(quiet, "%s: %s: the program will run without the "
		    "Socks Lib", mod, strerror(errno));
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
	return rc == -1 ? wrap_fail(err, errlen, "LD_PRELOAD: %s",
	    strerror(errno)) : 0;
}

/* Set up the session and exec the program; returns only on failure. */
static int
run_program(const struct wrap_opts *o, const struct env_config *c)
{
	char table[ENV_PATH_MAX], err[WRAP_ERRLEN];
	int e;

	if (preload_module(o->quiet, err, sizeof(err)) == -1 ||
	    wrap_table_create(c, table, sizeof(table), err, sizeof(err)) ==
	    -1) {
		fprintf(stderr, "sixgate: %s\n", err);
		return 1;
	}
	if (!o->quiet)
		wrap_elf_warn(o->argv[0]);
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

static int
parse_opts(int argc, char *argv[], struct wrap_opts *o)
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
			if (o->ngateway == ENV_GATEWAYS_MAX) {
				fprintf(stderr, "sixgate: -s: more than %d "
				    "gateways\n", ENV_GATEWAYS_MAX);
				goto fail;
			}
			o->gateway[o->ngateway++] = optarg;
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
	static struct wrap_merged m;
	struct env_config c;
	struct wrap_opts o;
	char err[WRAP_ERRLEN], pass[S5_NAME_MAX + 1] = "";
	int rc = 1;

	memset(&c, 0, sizeof(c));
	if (parse_opts(argc, argv, &o) == -1)
		goto out;
	/* Each run makes its own table; an inherited one is not ours. */
	unsetenv("SIXGATE_TABLE");
	if (wrap_conf_load(&o, &m, err, sizeof(err)) == -1 ||
	    wrap_conf_validate(&m, &c, pass, err, sizeof(err)) == -1) {
		if (o.check != NULL)
			printf("error: %s\n", err);
		else
			fprintf(stderr, "sixgate: %s\n", err);
		goto out;
	}
	if (o.check != NULL)
		rc = wrap_check_run(o.check, &m, &c, pass);
	else {
		explicit_bzero(pass, sizeof(pass));
		explicit_bzero(c.password, sizeof(c.password));
		rc = run_program(&o, &c);
	}
out:
	explicit_bzero(pass, sizeof(pass));
	explicit_bzero(&c, sizeof(c));
	wrap_conf_free(&m);
	return rc;
}
