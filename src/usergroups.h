/*
 * usergroups.h - the Unix groups of a user (for rules with `groups`):
 * getgrouplist(3) and getgrgid_r(3), through NSS, once per login.
 */
#ifndef SG_USERGROUPS_H
#define SG_USERGROUPS_H

#include <stddef.h>

#define USERGROUPS_MAX		64	/* groups kept per user */
#define USERGROUPS_NAMELEN	64	/* longest group name kept, with NUL */

/*
 * The names of the groups user belongs to (its primary group and its
 * supplementary ones) into names[0..max), at most max; returns how many,
 * or -1 with errno (ENOENT: no such Unix user).  A group whose name is
 * too long or cannot be read is left out: a rule cannot name it anyway.
 */
int	usergroups_get(const char *user, char (*names)[USERGROUPS_NAMELEN],
	    size_t max);

#endif
