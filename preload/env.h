/*
 * env.h - the Socks Lib's settings, parsed from SIXGATE_* environment
 * variables (the wrapper `sixgate` turns client.conf into these), and
 * the /etc/hosts test that keeps local names away from the gateway.
 *
 * Pure: the caller passes a look-up function for variables and the text
 * of files; nothing here reads the environment or the file system.
 *
 * Variables (all optional; without SIXGATE_GATEWAY the library passes
 * every call through untouched):
 *   SIXGATE_GATEWAY        host:port or [v6]:port (a name or a literal),
 *                          or a comma-separated list of up to
 *                          ENV_GATEWAYS_MAX of them, tried in order
 *   SIXGATE_GATEWAY_BACKOFF  seconds a gateway that could not be reached
 *                          is tried only after the others (default 30,
 *                          0 = never; shared by the session's processes)
 *   SIXGATE_USER           RFC 1929 user name (1..255 bytes)
 *   SIXGATE_PASSWORD       password (1..255 bytes; weaker than a file)
 *   SIXGATE_PASSWORD_FILE  file holding the password (must be 0600)
 *   SIXGATE_DIRECT         comma-separated networks reached directly
 *   SIXGATE_DIRECT_NAMES   comma-separated names or ".suffix"es resolved
 *                          and reached directly
 *   SIXGATE_FAKE_IPV4      IPv4 fake range (default 240.0.0.0/12)
 *   SIXGATE_FAKE_IPV6      IPv6 fake range (default 100::/64)
 *   SIXGATE_TABLE          path of the shared fake-address table
 *   SIXGATE_PIPELINE       auto | on | off (one write for the handshake)
 *   SIXGATE_TIMEOUT        handshake timeout in seconds (default 10)
 *   SIXGATE_VERIFY_NAMES   auto (default: when the gateway is sixgated)
 *                          | on | off: ask the gateway (RESOLVE) whether
 *                          a name exists before handing out its fake
 *   SIXGATE_VERIFY_TTL     seconds an answer "exists" is kept (300)
 *   SIXGATE_VERIFY_NEGATIVE_TTL  seconds "no such name" is kept (30)
 *   SIXGATE_VERIFY_UNREACHABLE   fake (default) | fail: what a look-up
 *                          does when the gateway cannot be asked
 *   SIXGATE_LOG            0 silent (default), 1 warnings, 2 debug
 *   SIXGATE_LOG_FILE       where log lines go (default standard error)
 */
#ifndef SG_ENV_H
#define SG_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

#define ENV_DIRECT_MAX		32
#define ENV_NAMES_MAX		32
#define ENV_PATH_MAX		4096
#define ENV_GATEWAYS_MAX	8

/* One gateway of the list. */
struct env_gateway {
	char			host[256];	/* name or literal, no [] */
	uint16_t		port;
};

enum env_pipeline {
	ENV_PIPELINE_AUTO = 0,	/* one write when the gateway is sixgated */
	ENV_PIPELINE_ON,
	ENV_PIPELINE_OFF
};

enum env_verify {
	ENV_VERIFY_AUTO = 0,	/* when the gateway is sixgated */
	ENV_VERIFY_ON,
	ENV_VERIFY_OFF
};

struct env_config {
	bool			enabled;	/* SIXGATE_GATEWAY set, valid */
	struct env_gateway	gw[ENV_GATEWAYS_MAX];	/* in list order */
	size_t			ngw;
	int			gw_backoff;	/* seconds; 0: no back-off */
	char			user[256];
	char			password[256];	/* "" when none given */
	char			password_file[ENV_PATH_MAX];
	struct addr_cidr	direct[ENV_DIRECT_MAX];
	size_t			ndirect;
	char			direct_names[ENV_NAMES_MAX][256];
	size_t			ndirect_names;
	struct addr_cidr	fake4;
	struct addr_cidr	fake6;
	char			table[ENV_PATH_MAX];
	enum env_pipeline	pipeline;
	enum env_verify		verify;
	int			verify_ttl;		/* seconds */
	int			verify_negative_ttl;	/* seconds */
	bool			verify_fail_closed;	/* unreachable: fail */
	int			timeout_ms;
	int			log_level;
	char			log_file[ENV_PATH_MAX];
};

enum env_status {
	ENV_OK = 0,
	ENV_ERR			/* a variable is malformed: see err */
};

/* get(name, ctx) returns the variable's value or NULL. */
typedef const char *(*env_getter)(const char *name, void *ctx);

/*
 * Fill c from the variables.  Defaults apply to whatever is unset.  On a
 * malformed variable: ENV_ERR, "SIXGATE_X: reason" in err, and c has
 * enabled == false (the library then passes everything through).
 */
enum env_status env_parse(env_getter get, void *ctx, struct env_config *c,
	    char *err, size_t errlen);

/*
 * Does name match a direct name?  Entries starting with '.' match that
 * suffix and the bare name ("." + "lan" matches "lan" and "a.lan");
 * others match exactly.  Case-insensitive, one trailing dot ignored.
 */
bool	env_name_is_direct(const struct env_config *c, const char *name);

/*
 * Does /etc/hosts text (hosts, len bytes) list name as a canonical name
 * or alias?  Case-insensitive; comments and malformed lines are skipped.
 */
bool	env_hosts_has_name(const char *hosts, size_t len, const char *name);

#endif
