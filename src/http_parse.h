/*
 * http_parse.h - the HTTP/1.x messages a forward proxy reads from
 * untrusted peers (RFC 7230, RFC 7231, RFC 7617): request heads in
 * absolute-form and authority-form (CONNECT), response heads, chunk-size
 * lines and trailer sections, and Basic credentials.  Pure: bytes in,
 * a struct out; no I/O, no allocation, no globals.  Strings in the
 * structs are spans (offset and length) into the caller's buffer, which
 * must stay as it is while they are used.
 *
 * A parser answers HTTP_NEED_MORE (nothing decided: read more, call
 * again with the whole buffer), HTTP_OK, or an error whose status code
 * http_status_code gives.  The bounds hold whatever is read: a head is
 * refused (414, 431) as soon as the bytes at hand pass them.
 */
#ifndef SG_HTTP_PARSE_H
#define SG_HTTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_LINE_MAX		8192	/* request or status line, no CRLF */
#define HTTP_FIELDS_MAX		65536	/* the header lines together */
#define HTTP_HEADERS_MAX	100
/* A whole head: line, CRLF, fields, the blank line. */
#define HTTP_HEAD_MAX		(HTTP_LINE_MAX + 2 + HTTP_FIELDS_MAX + 2)
#define HTTP_HOST_MAX		255
#define HTTP_CHUNK_LINE_MAX	1024	/* size, extensions and CRLF */
#define HTTP_CRED_MAX		255	/* user or password, decoded */

enum http_status {
	HTTP_OK = 0,
	HTTP_NEED_MORE,
	HTTP_ERR_FORMAT,	/* 400: malformed, smuggling, bad field */
	HTTP_ERR_LINE_LONG,	/* 414: request line over HTTP_LINE_MAX */
	HTTP_ERR_HEAD_LARGE,	/* 431: fields over the bounds */
	HTTP_ERR_VERSION,	/* 505: HTTP/x.y other than 1.0 and 1.1 */
	HTTP_ERR_METHOD		/* 501: a method not forwarded */
};

enum http_method {
	HTTP_M_GET, HTTP_M_HEAD, HTTP_M_POST, HTTP_M_PUT, HTTP_M_DELETE,
	HTTP_M_OPTIONS, HTTP_M_PATCH, HTTP_M_CONNECT
};

struct http_span {
	uint32_t	off;
	uint32_t	len;
};

struct http_field {
	struct http_span name;
	struct http_span value;		/* without leading or trailing OWS */
};

/* What requests and responses share: the version and the fields. */
struct http_head {
	unsigned	minor;		/* HTTP/1.minor: 0 or 1 */
	size_t		len;		/* bytes of the head, blank line too */
	size_t		nfields;
	struct http_field f[HTTP_HEADERS_MAX];
	bool		has_length;	/* Content-Length */
	uint64_t	length;
	bool		chunked;	/* Transfer-Encoding, chunked last */
	bool		has_te;		/* any Transfer-Encoding */
	bool		conn_close;	/* Connection: close */
	bool		conn_keep;	/* Connection: keep-alive */
};

struct http_request {
	enum http_method method;
	struct http_span method_s;
	/*
	 * The target: host (no brackets, NUL-terminated), port, the
	 * authority as sent (for Host), and the path and query in
	 * origin-form (empty for "http://h": forward "/").
	 */
	char		host[HTTP_HOST_MAX + 1];
	bool		host_v6;	/* it was a [literal] */
	uint16_t	port;
	struct http_span authority;
	struct http_span path;
	struct http_span auth;		/* Proxy-Authorization; len 0: none */
	bool		expect_continue;
	struct http_head head;
};

struct http_response {
	unsigned	code;		/* 100-999 */
	struct http_span reason;
	struct http_head head;
};

/*
 * A request head at the start of buf (RFC 7230 sections 3 and 5.3):
 * absolute-form "http://host[:port]/path" for GET, HEAD, POST, PUT,
 * DELETE, OPTIONS and PATCH, authority-form "host:port" for CONNECT;
 * HTTP/1.0 or HTTP/1.1; token field names, no obs-fold; Content-Length
 * and Transfer-Encoding checked against smuggling (differing lengths,
 * both at once, a coding other than chunked alone: HTTP_ERR_FORMAT).
 * On HTTP_OK, req->head.len bytes were the head.
 */
enum http_status http_parse_request(const uint8_t *buf, size_t len,
	    struct http_request *req);

/*
 * A response head (RFC 7230 section 3.1.2): HTTP/1.0 or 1.1, a
 * three-digit status, fields as for requests (a Transfer-Encoding other
 * than chunked alone is HTTP_ERR_FORMAT: it could not be passed on).
 */
enum http_status http_parse_response(const uint8_t *buf, size_t len,
	    struct http_response *res);

/*
 * A chunk-size line (RFC 7230 section 4.1): hex size, extensions, CRLF,
 * at most HTTP_CHUNK_LINE_MAX bytes.  *used is the line's length.
 */
enum http_status http_parse_chunk_size(const uint8_t *buf, size_t len,
	    uint64_t *size, size_t *used);

/*
 * The trailer section after the last chunk (field lines, then a blank
 * line), at most HTTP_FIELDS_MAX bytes: *used is its length.
 */
enum http_status http_parse_trailers(const uint8_t *buf, size_t len,
	    size_t *used);

/*
 * Basic credentials (RFC 7617) from a Proxy-Authorization value:
 * "Basic" and base64 of user:pass, split at the first ':'.  user and
 * pass get NUL-terminated strings of at most HTTP_CRED_MAX bytes; an
 * empty user, a NUL byte or another scheme is HTTP_ERR_FORMAT.  The
 * decoded bytes are wiped from the stack; the caller wipes pass.
 */
enum http_status http_basic_decode(const uint8_t *val, size_t len,
	    char user[HTTP_CRED_MAX + 1], char pass[HTTP_CRED_MAX + 1]);

/* The name of field i equals name, case-insensitively. */
bool	http_field_is(const uint8_t *buf, const struct http_field *f,
	    const char *name);

/*
 * Field i of h is hop-by-hop (RFC 7230 section 6.1): Connection,
 * Keep-Alive, Proxy-Connection, Proxy-Authorization, Proxy-Authenticate,
 * TE, Trailer, Transfer-Encoding, Upgrade, or a name the Connection
 * fields list.  A proxy does not pass it on.
 */
bool	http_hop_by_hop(const uint8_t *buf, const struct http_head *h,
	    size_t i);

/* How a response's body ends (RFC 9112 section 6.3). */
enum http_body {
	HTTP_BODY_NONE,		/* HEAD, 1xx, 204, 304: no body */
	HTTP_BODY_LENGTH,	/* Content-Length */
	HTTP_BODY_CHUNKED,	/* Transfer-Encoding: chunked */
	HTTP_BODY_CLOSE		/* until the sender closes */
};

/* The body of res, the response to a request of method m. */
enum http_body http_response_body(enum http_method m,
	    const struct http_response *res);

/*
 * The sender of h asks for the connection to go on after this message
 * (RFC 9112 section 9.3): HTTP/1.1 unless Connection lists "close";
 * HTTP/1.0 only when Connection lists "keep-alive" (and not "close").
 */
bool	http_keep_alive(const struct http_head *h);

/*
 * The client's connection goes on after the response to its request
 * req, whose body the client gets as body: the client asked
 * (http_keep_alive), the response's end is known without a close (not
 * HTTP_BODY_CLOSE; for HTTP/1.0, which gets a chunked body decoded and
 * ended by the close, not HTTP_BODY_CHUNKED either), and an HTTP/1.0
 * request had no Transfer-Encoding (RFC 9112 section 6.1: faulty
 * framing, close after it).
 */
bool	http_client_persists(const struct http_head *req,
	    enum http_body body);

/* The status code an error answers (400, 414, 431, 501, 505). */
unsigned http_status_code(enum http_status st);

#endif
