/*
 * metrics.h - the Prometheus metrics endpoint (config "metrics"): a TCP
 * listener on a loopback address, bound at start (before the privilege
 * drop), and one thread that answers GET of metrics.path with the text
 * format 0.0.4 (metrics_text.h).  Bounded: at most METRICS_CONNS
 * connections at once (more are closed at once), a request head of at
 * most METRICS_HEAD_MAX bytes read within METRICS_READ_MS; one request
 * per connection (Connection: close).  It never blocks a session.
 */
#ifndef SG_METRICS_H
#define SG_METRICS_H

#include <stddef.h>

#include "config.h"

#define METRICS_CONNS		8
#define METRICS_READ_MS		5000
#define METRICS_WRITE_MS	10000

/*
 * Bind c's metrics listener, if configured, and switch on the per-rule
 * and per-user counters (stats.h); -1 with a reason in err.
 */
int	metrics_open(const struct config *c, char *err, size_t errlen);
/* Start answering (after the signal mask is set); -1 on failure. */
int	metrics_start(void);

#endif
