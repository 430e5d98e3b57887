/*
 * wrap_table.c - the session's shared fake-address table (RFC 3089
 * section 3) as a file (see wrap.h): in $XDG_RUNTIME_DIR/sixgate or
 * /tmp/sixgate-UID, a directory of the user's alone; tables of gone
 * processes removed on the way.
 */
#include "sgconfig.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "fakeip.h"
#include "wrap.h"

/* Create dir 0700 if needed; it must be a directory of ours alone. */
static int
make_dir(const char *dir, char *err, size_t errlen)
{
	struct stat st;

	if (mkdir(dir, 0700) == -1 && errno != EEXIST)
		return wrap_fail(err, errlen, "cannot create %s: %s", dir,
		    strerror(errno));
	if (lstat(dir, &st) == -1)
		return wrap_fail(err, errlen, "%s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode) || st.st_uid != getuid())
		return wrap_fail(err, errlen, "%s is not a directory of yours: "
		    "refusing to keep the address table there", dir);
	if ((st.st_mode & 022) != 0)
		return wrap_fail(err, errlen, "%s is writable by group or "
		    "others (mode %04o): run chmod 700 %s", dir,
		    (unsigned)(st.st_mode & 07777), dir);
	return 0;
}

/* $XDG_RUNTIME_DIR/sixgate, or /tmp/sixgate-UID when that is unusable. */
static int
table_dir(char *dir, size_t len, char *err, size_t errlen)
{
	const char *x = getenv("XDG_RUNTIME_DIR");
	struct stat st;

	if (x != NULL && x[0] == '/' && stat(x, &st) == 0 &&
	    S_ISDIR(st.st_mode) && access(x, W_OK | X_OK) == 0 &&
	    snprintf(dir, len, "%s/sixgate", x) < (int)len)
		return make_dir(dir, err, errlen);
	snprintf(dir, len, "/tmp/sixgate-%u", (unsigned)getuid());
	return make_dir(dir, err, errlen);
}

/* Remove table-PID files whose process is gone (or is us, re-exec'd). */
static void
remove_stale(const char *dir)
{
	struct dirent *e;
	char *end;
	long pid;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, "table-", 6) != 0)
			continue;
		errno = 0;
		pid = strtol(e->d_name + 6, &end, 10);
		if (errno != 0 || *end != '\0' || pid <= 0 || pid > INT_MAX)
			continue;
		if (pid == (long)getpid() ||
		    (kill((pid_t)pid, 0) == -1 && errno == ESRCH))
			(void)unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
}

/*
 * Create the shared table (RFC 3089 fake addresses) as
 * DIR/table-PID, 0600, formatted with the configured ranges, and
 * export its path as SIXGATE_TABLE: the library maps it in every
 * process of the session.
 */
int
wrap_table_create(const struct env_config *c, char *path, size_t len, char *err,
    size_t errlen)
{
	size_t size = fakeip_region_size(FAKEIP_DEFAULT_SLOTS);
	struct fakeip_ranges r;
	struct fakeip_table *t;
	char dir[ENV_PATH_MAX];
	void *mem = MAP_FAILED;
	int fd, rc = -1;

	if (table_dir(dir, sizeof(dir), err, errlen) == -1)
		return -1;
	remove_stale(dir);
	if (snprintf(path, len, "%s/table-%ld", dir, (long)getpid()) >=
	    (int)len)
		return wrap_fail(err, errlen, "%s: path too long", dir);
	if ((fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1)
		return wrap_fail(err, errlen, "cannot create %s: %s", path,
		    strerror(errno));
	if (fchmod(fd, 0600) == -1 || ftruncate(fd, (off_t)size) == -1 ||
	    (mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
	    0)) == MAP_FAILED) {
		wrap_fail(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	memset(&r, 0, sizeof(r));
	memcpy(r.v4net, c->fake4.addr, 4);
	r.v4prefix = c->fake4.prefix;
	memcpy(r.v6net, c->fake6.addr, 16);
	r.v6prefix = c->fake6.prefix;
	if (fakeip_format(mem, size, &r, FAKEIP_DEFAULT_SLOTS, &t) !=
	    FAKEIP_OK) {
		wrap_fail(err, errlen, "cannot lay out the address table with "
		    "fake_ipv4 /%u and fake_ipv6 /%u (host bits set, or a "
		    "range too small?)", r.v4prefix, r.v6prefix);
		goto out;
	}
	if ((rc = setenv("SIXGATE_TABLE", path, 1)) == -1)
		wrap_fail(err, errlen, "SIXGATE_TABLE: %s", strerror(errno));
out:
	if (mem != MAP_FAILED)
		munmap(mem, size);
	close(fd);
	if (rc == -1)
		unlink(path);
	return rc;
}

