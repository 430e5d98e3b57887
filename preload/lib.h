/*
 * lib.h - the Socks Lib's process-wide state: settings from the
 * environment, the shared fake-address table and the log.  Set up once,
 * on first use, and read-only afterwards.
 */
#ifndef SG_LIB_H
#define SG_LIB_H

#include <stdbool.h>

#include "env.h"
#include "fakeip.h"
#include "gwlist.h"
#include "sgio.h"

struct lib {
	bool			 enabled;	/* a gateway is configured */
	struct env_config	 cfg;
	struct fakeip_table	*table;		/* NULL when disabled */
	struct fakeip_ranges	 ranges;
	/* The gateways' back-off: in the table, else this process's own. */
	struct gwlist_backoff	*backoff;
	struct sgio_ops		 io;		/* libc's send, recv, connect */
};

/*
 * The state, set up on the first call.  Never NULL; enabled is false
 * when the library has no configuration (or a broken one: logged once)
 * and then every hook passes its call through untouched.
 */
const struct lib *lib_get(void);

#define LIB_WARN	1
#define LIB_DEBUG	2

/* One line to the log when level <= SIXGATE_LOG; errno is preserved. */
void	lib_log(int level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
