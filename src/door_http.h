/*
 * door_http.h - the HTTP proxy front door (listeners with protocol
 * "http"): CONNECT tunnels and forwarding of absolute-URI requests
 * (RFC 7230, RFC 7231 section 4.3.6), Basic proxy credentials (RFC 7617)
 * checked through request_login, each request handed to the request
 * core like a SOCKS5 CONNECT.
 */
#ifndef SG_DOOR_HTTP_H
#define SG_DOOR_HTTP_H

#include "request.h"

/*
 * Speak HTTP on r->cfd: read a request, log in, hand it to request_run
 * (which logs its access line), and go on with the next request of a
 * keep-alive connection until the client or an error ends it (then
 * request_next between requests).  r as for door_socks5_run; the caller
 * keeps ownership of both fds and closes them afterwards.
 */
void	door_http_run(struct request *r);

#endif
