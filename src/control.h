/*
 * control.h - the control socket (config "control", sixgatectl(8)): a
 * UNIX stream socket bound at start (before the privilege drop), and a
 * thread that answers one request line per connection (ctlproto.h).
 */
#ifndef SG_CONTROL_H
#define SG_CONTROL_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

/*
 * Bind c's control socket, if configured: refuses (-1, err) when a live
 * daemon answers on the path, replaces a stale socket, creates a missing
 * parent directory (mode 0755) when root, sets mode and group.  The
 * socket is removed at exit(3), whatever the reason.
 */
int	control_open(const struct config *c, char *err, size_t errlen);
/* Start answering (after the signal mask is set); -1 on failure. */
int	control_start(void);
/* Remove the socket now (at a clean exit); harmless when none. */
void	control_close(void);

/*
 * main's reload() says how a reload went; the control thread's reload
 * command waits for it.
 */
void	control_reload_done(bool ok, const char *why);

#endif
