/*
 * metrics_text.h - the metrics endpoint's pure part (metrics.h): the
 * head of an HTTP/1.x request (RFC 9112 section 3), the answer's head,
 * label values escaped for the Prometheus text format 0.0.4, and the
 * page itself.  No I/O, no logging, no globals; the request parser
 * does not allocate.
 */
#ifndef SG_METRICS_TEXT_H
#define SG_METRICS_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctlproto.h"
#include "stats.h"
#include "tally.h"

/* The longest request head read (request line and header fields). */
#define METRICS_HEAD_MAX	4096

enum metrics_req {
	METRICS_REQ_MORE = 0,	/* the head is not complete yet */
	METRICS_REQ_OK,		/* GET (or HEAD) of the path: 200 */
	METRICS_REQ_NOT_FOUND,	/* another path: 404 */
	METRICS_REQ_METHOD,	/* another method: 405 */
	METRICS_REQ_BAD,	/* not an HTTP/1.x request: 400 */
	METRICS_REQ_TOO_BIG	/* no end of head in METRICS_HEAD_MAX: 431 */
};

/*
 * Look at the len bytes of a request head received so far: MORE until
 * the empty line that ends it, unless the request line already shows
 * garbage (BAD at once) or len reached METRICS_HEAD_MAX (TOO_BIG).
 * The target's path (before any '?'; origin-form or absolute-form) is
 * compared with path.  *head_only is set for HEAD.  Incremental: call
 * again with the same bytes and more.
 */
enum metrics_req metrics_parse_request(const char *buf, size_t len,
	    const char *path, bool *head_only);

/* 200, 404, 405, 400, 431 (0 for MORE). */
int	metrics_status(enum metrics_req st);

/*
 * Is path usable as metrics.path: "/" then printable ASCII without
 * spaces, '?', '#', '%', '"' or '\'?
 */
bool	metrics_path_ok(const char *path);

/*
 * The answer's head for st with a body of body_len bytes, into out
 * (NUL-terminated); returns its length, 0 if it did not fit.
 */
size_t	metrics_head(char *out, size_t outlen, enum metrics_req st,
	    size_t body_len);
/* The short text body of an error answer. */
const char *metrics_error_body(enum metrics_req st);

/* Room for the escaped form of a label of n bytes, and the NUL. */
#define METRICS_LABEL_LEN(n)	((n) * 3 + 1)

/*
 * A label value for the text format 0.0.4: backslash, double quote and
 * newline as \\, \" and \n; bytes that are not UTF-8 as U+FFFD, so the
 * page stays valid UTF-8 whatever a name holds.  Cut at a whole
 * character when out is too small; returns out.
 */
char	*metrics_escape_label(const char *in, char *out, size_t outlen);

/* What the page shows; the bytes already include the live relays'. */
struct metrics_view {
	const char		*version;
	int64_t			 uptime_s;
	int			 sessions, handshakes, relays;
	struct stats_snapshot	 ss;
	const struct tally_row	*doors;		/* socks5, http, ... */
	size_t			 ndoors;
	const struct tally_row	*rules;
	size_t			 nrules;
	bool			 user_labels;	/* the user families at all */
	const struct tally_row	*users;
	size_t			 nusers;
};

/* The page: every family with its HELP and TYPE lines. */
void	metrics_render(struct ctl_buf *b, const struct metrics_view *v);

#endif
