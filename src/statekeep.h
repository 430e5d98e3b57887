/*
 * statekeep.h - the quota counters kept across restarts: read from the
 * state directory at start-up into the usage table, written back every
 * state.interval seconds by a thread of their own and once more at
 * shutdown (after the relays have ended, so their last bytes count).
 * A state file that cannot be read or is refused is reported and
 * ignored: the counters start from zero.  Nothing happens without a
 * state group.
 */
#ifndef SG_STATEKEEP_H
#define SG_STATEKEEP_H

#include "config.h"

/* Load the file and start the saving thread: 0, or -1 (logged). */
int	statekeep_start(const struct config *c);
/* Stop the thread and save one last time (a no-op when not started). */
void	statekeep_stop(void);
/* Save now: 0, or -1 (logged).  The directory is the current config's. */
int	statekeep_save(void);

#endif
