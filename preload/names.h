/*
 * names.h - which names the Socks Lib answers with a fake address (RFC
 * 3089 section 3) and which stay with the local resolver: numeric
 * forms, localhost, this host's name, names in /etc/hosts and the
 * configured direct names are never faked.
 */
#ifndef SG_NAMES_H
#define SG_NAMES_H

#include <stdbool.h>

#include "lib.h"

/*
 * Is name one to answer with a fake?  false too when the library is
 * disabled.  errno is preserved.  /etc/hosts is read once and again only
 * when it changes (looked at with stat at most once a second).
 */
bool	names_fakeable(const struct lib *l, const char *name);

#endif
