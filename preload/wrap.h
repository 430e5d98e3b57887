/*
 * wrap.h - what the parts of the sixgate wrapper share: the command
 * line, the merged settings, and each part's entry point.
 *
 *   sixgate.c     main, options, LD_PRELOAD, exec
 *   wrap_conf.c   client.conf files + environment + options -> SIXGATE_*
 *   wrap_table.c  the shared fake-address table file
 *   wrap_elf.c    warnings for programs the module cannot enter
 *   wrap_check.c  --check
 */
#ifndef SG_WRAP_H
#define SG_WRAP_H

#include <stdbool.h>
#include <stddef.h>

#include "env.h"

#define WRAP_ERRLEN	(ENV_PATH_MAX + 512)
#define WRAP_FROM_MAX	(ENV_PATH_MAX + 64)
#define WRAP_NKEYS	16		/* client.conf keys (wrap_conf.c) */

struct wrap_opts {
	const char	*file;		/* -f: the only file read */
	const char	*gateway[ENV_GATEWAYS_MAX];	/* -s, in order */
	size_t		 ngateway;
	const char	*user;		/* -u */
	const char	*check;		/* --check destination; NULL: run */
	bool		 quiet;		/* -q */
	bool		 udp_compat;	/* --udp-compat */
	char		**argv;		/* PROGRAM ARGS... */
};

/* The merged settings: a value per key and where it came from. */
struct wrap_merged {
	char		*val[WRAP_NKEYS];	/* NULL: set nowhere */
	/* Where each came from: "FILE:LINE: key", "option -s" ... */
	char		 from[WRAP_NKEYS][WRAP_FROM_MAX];
	const char	*read[2];		/* files read, for --check */
	size_t		 nread;
	char		 userconf[ENV_PATH_MAX];
};

/* printf into err; returns -1 (sixgate.c). */
int	wrap_fail(char *err, size_t errlen, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* "sixgate: warning: ..." on stderr unless quiet (sixgate.c). */
void	wrap_warn(bool quiet, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/*
 * Merge the client.conf files (or -f), the SIXGATE_* variables and -s/-u
 * into m and export the result as SIXGATE_* variables.  0, or -1 with
 * the reason (file and line) in err.
 */
int	wrap_conf_load(const struct wrap_opts *o, struct wrap_merged *m,
	    char *err, size_t errlen);

/*
 * Parse the exported variables into c as the library will, and read
 * the password (SIXGATE_PASSWORD or the private password file) into
 * pass (S5_NAME_MAX + 1 bytes).  0, or -1 with err naming the source
 * of a bad setting.
 */
int	wrap_conf_validate(const struct wrap_merged *m, struct env_config *c,
	    char *pass, char *err, size_t errlen);

/* Free what m holds (not m). */
void	wrap_conf_free(struct wrap_merged *m);

/*
 * Create the session's fake-address table as a 0600 file and export
 * its path as SIXGATE_TABLE; the path in path.  0, or -1 with err.
 */
int	wrap_table_create(const struct env_config *c, char *path, size_t len,
	    char *err, size_t errlen);

/* Warn (stderr) when prog is static, Go, setuid or has capabilities. */
void	wrap_elf_warn(const char *prog);

/*
 * --check=dest: say in plain words whether the configuration, the
 * gateway, the login and one request by name work.  The exit status.
 */
int	wrap_check_run(const char *dest, const struct wrap_merged *m,
	    const struct env_config *c, const char *pass);

#endif
