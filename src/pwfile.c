/*
 * pwfile.c - read a password file with the strictest checks (see
 * pwfile.h).
 */
#include "sgconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "pwfile.h"

/* Longest first line read: a 255-byte password (RFC 1929) with CR LF. */
#define PWFILE_READ_MAX	512

static int
refuse(int err, char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
refuse(int err, char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	errno = err;
	return -1;
}

/* The file itself: regular, the right owner, private enough. */
static int
check_file(int fd, mode_t forbid, uid_t owner, char *why, size_t whylen)
{
	struct stat st;

	if (fstat(fd, &st) == -1)
		return refuse(errno, why, whylen, "%s", strerror(errno));
	if (!S_ISREG(st.st_mode))
		return refuse(EINVAL, why, whylen, "not a regular file");
	if (owner != PWFILE_ANY_OWNER && st.st_uid != owner)
		return refuse(EPERM, why, whylen, "belongs to uid %u, not to "
		    "uid %u", (unsigned)st.st_uid, (unsigned)owner);
	if ((st.st_mode & forbid) != 0)
		return refuse(EPERM, why, whylen, "mode %04o gives access to "
		    "%s (chmod %s)", (unsigned)(st.st_mode & 07777),
		    (forbid & 070) ? "the group or others" : "others",
		    (forbid & 070) ? "600" : "o-rwx");
	return 0;
}

/* The first line of buf[0..n) into out, refusing rather than cutting. */
static int
first_line(char *buf, size_t n, char *out, size_t outlen, char *why,
    size_t whylen)
{
	const char *nl = memchr(buf, '\n', n);
	size_t len = nl != NULL ? (size_t)(nl - buf) : n;

	if (nl == NULL && n == PWFILE_READ_MAX)
		return refuse(EOVERFLOW, why, whylen, "the first line is "
		    "longer than %zu bytes", outlen - 1);
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	if (memchr(buf, '\0', len) != NULL)
		return refuse(EINVAL, why, whylen, "the password holds a NUL "
		    "byte");
	if (len == 0)
		return refuse(EINVAL, why, whylen, "empty: the first line "
		    "must hold the password");
	if (len >= outlen)
		return refuse(EOVERFLOW, why, whylen, "the password is longer "
		    "than %zu bytes", outlen - 1);
	memcpy(out, buf, len);
	out[len] = '\0';
	return 0;
}

int
pwfile_read(const char *path, mode_t forbid, uid_t owner, char *out,
    size_t outlen, char *why, size_t whylen)
{
	char buf[PWFILE_READ_MAX + 1];
	ssize_t n = 0, k;
	int fd, rc = -1, saved;

	memset(out, 0, outlen);
	/* A relative path would depend on the directory we run in. */
	if (path[0] != '/')
		return refuse(EINVAL, why, whylen, "must be an absolute path");
	/* O_NONBLOCK: a FIFO put in its place must not hang the caller. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK)) == -1)
		return refuse(errno, why, whylen, "%s", errno == ELOOP ?
		    "is a symbolic link" : strerror(errno));
	if (check_file(fd, forbid, owner, why, whylen) == -1)
		goto out;
	while (n < PWFILE_READ_MAX && (k = read(fd, buf + n,
	    PWFILE_READ_MAX - (size_t)n)) != 0) {
		if (k == -1 && errno == EINTR)
			continue;
		if (k == -1) {
			refuse(errno, why, whylen, "%s", strerror(errno));
			goto out;
		}
		n += k;
	}
	buf[n] = '\0';
	rc = first_line(buf, (size_t)n, out, outlen, why, whylen);
out:
	saved = errno;
	explicit_bzero(buf, sizeof(buf));
	close(fd);
	errno = saved;
	return rc;
}
