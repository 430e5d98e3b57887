/*
 * ctlproto.h - the control socket's protocol, the pure part: parsing a
 * request line, and formatting the answers as text or JSON.
 *
 * A client sends one line, "[--json] COMMAND [ARGS]\n" (at most
 * CTL_LINE_MAX bytes); the daemon answers "OK\n" or "ERR\n" and then
 * the body, and closes.  Commands: status, sessions, kill ID,
 * kill --user NAME, reload [--revoke], quota [USER].
 */
#ifndef SG_CTLPROTO_H
#define SG_CTLPROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "registry.h"

#define CTL_LINE_MAX	512

enum ctl_cmd {
	CTL_STATUS, CTL_SESSIONS, CTL_KILL_ID, CTL_KILL_USER, CTL_RELOAD,
	CTL_QUOTA
};

struct ctl_req {
	enum ctl_cmd	 cmd;
	bool		 json;
	bool		 revoke;	/* reload --revoke */
	uint64_t	 id;		/* kill ID */
	char		 arg[256];	/* kill --user NAME, quota USER */
};

/* Parse one line (without or with its newline); -1 with a message. */
int	ctl_parse(const char *line, struct ctl_req *q, char *err,
	    size_t errlen);

/* A growing output buffer; on allocation failure it marks itself. */
struct ctl_buf {
	char	*p;
	size_t	 len, cap;
	bool	 failed;
};
void	ctl_printf(struct ctl_buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* s as a JSON string, quotes included. */
void	ctl_json_str(struct ctl_buf *b, const char *s);
void	ctl_buf_free(struct ctl_buf *b);

struct ctl_status {
	const char	*version;
	int64_t		 uptime_s;
	int		 relays_active;
	uint64_t	 relays_total;
	uint64_t	 logins_ok, logins_failed;
	uint64_t	 bytes_up, bytes_down;
};

void	ctl_fmt_status(struct ctl_buf *b, const struct ctl_status *s,
	    bool json);
/* The sessions v[0..n), ages from now (sgio_now_ms clock). */
void	ctl_fmt_sessions(struct ctl_buf *b, const struct registry_info *v,
	    size_t n, int64_t now, bool json);
/*
 * The quota table (sixgatectl quota): v[0..n) from usage_list, times in
 * local time (text) or seconds since the epoch (JSON).
 */
struct usage_info;
void	ctl_fmt_quota(struct ctl_buf *b, const struct usage_info *v,
	    size_t n, bool json);
/* A one-line message {"ok":..,"message":..} or the text itself. */
void	ctl_fmt_message(struct ctl_buf *b, bool ok, const char *msg,
	    bool json);
/*
 * The answer to reload: a message as ctl_fmt_message; with revoked >= 0
 * (reload --revoke) JSON has "revoked":N too.
 */
void	ctl_fmt_reload(struct ctl_buf *b, bool ok, const char *msg,
	    int revoked, bool json);
const char *ctl_cmd_name(int s5cmd);

#endif
