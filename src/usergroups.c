/*
 * usergroups.c - the Unix groups of a user (see usergroups.h).
 *
 * The groups are read as names, at login, rather than the rules' group
 * names turned into gids when the configuration loads: a group may be
 * created, or renumbered, after the daemon started, and the rules must
 * see it without a reload.  Reading them once per login keeps NSS (which
 * may be LDAP) off the per-rule path, and the pure rule matcher compares
 * names.
 */
#include "sgconfig.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "usergroups.h"

#define PWBUF	16384

int
usergroups_get(const char *user, char (*names)[USERGROUPS_NAMELEN],
    size_t max)
{
	struct passwd pw, *pwp = NULL;
	struct group gr, *grp;
	gid_t gids[USERGROUPS_MAX];
	int ngids = USERGROUPS_MAX, i, rc;
	size_t n = 0;
	char *buf;

	if ((buf = malloc(PWBUF)) == NULL)
		return -1;
	if ((rc = getpwnam_r(user, &pw, buf, PWBUF, &pwp)) != 0 ||
	    pwp == NULL) {
		free(buf);
		errno = rc != 0 ? rc : ENOENT;
		return -1;
	}
	/* More groups than we keep: the first USERGROUPS_MAX count. */
	if (getgrouplist(user, pw.pw_gid, gids, &ngids) == -1)
		ngids = USERGROUPS_MAX;
	for (i = 0; i < ngids && n < max; i++) {
		grp = NULL;
		if (getgrgid_r(gids[i], &gr, buf, PWBUF, &grp) != 0 ||
		    grp == NULL || strlen(gr.gr_name) >= USERGROUPS_NAMELEN)
			continue;
		snprintf(names[n++], USERGROUPS_NAMELEN, "%s", gr.gr_name);
	}
	explicit_bzero(buf, PWBUF);
	free(buf);
	return (int)n;
}
