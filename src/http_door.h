/*
 * http_door.h - what the HTTP door's two files share (door_http.c: the
 * client's requests, login and error answers; http_forward.c: plain
 * forwarding on the destination connection).  Not for other modules.
 */
#ifndef SG_HTTP_DOOR_H
#define SG_HTTP_DOOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http_parse.h"
#include "relay.h"
#include "request.h"

/* Bytes from one peer: heads are parsed here, bodies pass through. */
struct http_buf {
	int		 fd;
	uint8_t		 b[HTTP_HEAD_MAX];
	size_t		 len;
};

struct http_door {
	struct request		*req;
	struct http_buf		 cl;		/* from the client */
	struct http_buf		 up;		/* from the destination */
	uint8_t			 head[HTTP_HEAD_MAX + 512]; /* rewritten */
	struct http_request	 hr;		/* parsed, spans into cl.b */
	bool			 pending;	/* hr read, not yet run */
	bool			 first;		/* no request read yet */
	bool			 keep;		/* the client's goes on */
	unsigned		 status;	/* last sent to the client */
	unsigned		 nreq;		/* on this destination */
};

/* Outcome of reading the client's next request head. */
enum http_read {
	HTTP_READ_OK,
	HTTP_READ_END,		/* the client left or stayed idle: quiet end */
	HTTP_READ_FAIL		/* answered with an error status: end */
};

/*
 * Read and parse the client's next request head into d->hr; errors are
 * answered (400, 414, 431, 501, 505) and logged.  idle_wait: wait up to
 * timeouts.idle for its first byte, then timeouts.handshake for the head.
 */
enum http_read http_door_read(struct http_door *d, bool idle_wait);

/* Log in with d->hr's credentials; -1 after answering 407 (logged). */
int	http_door_login(struct http_door *d);

/*
 * d->hr asks for what the current request serves: the same host, port
 * and login (so it may go on on the same destination connection).
 */
bool	http_door_same(const struct http_door *d);

/*
 * Answer the client with status and a short text body; close: with
 * "Connection: close" (the caller ends the connection).
 */
int	http_door_error(struct http_door *d, unsigned status,
	    const char *text, bool close);

/* All of p to fd before the deadline; -1 (logged with who) on failure. */
int	http_door_send(int fd, const void *p, size_t n, int64_t deadline,
	    const char *who);

/* The request has a body (Content-Length > 0 or chunked). */
bool	http_door_has_body(const struct http_door *d);

/* Drop the first n bytes of a buffer. */
void	http_buf_consume(struct http_buf *b, size_t n);

/* The relay of a forwarded request (struct request_door's relay). */
enum relay_end http_forward_relay(void *ctx, struct request *r,
	    const struct relay_limit *lim, int *err);

#endif
