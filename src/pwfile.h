/*
 * pwfile.h - a password kept in a file of its own (an upstream hop's
 * password_file, the Socks Lib's password_file), read with one set of
 * checks everywhere: an absolute path, not a symbolic link, a regular
 * file, no permission for those who must not read it, the first line
 * only, and an error rather than a silently shortened password.
 * libc only, no logging, no allocation: the Socks Lib reads the file
 * inside the program it is loaded into.
 */
#ifndef SG_PWFILE_H
#define SG_PWFILE_H

#include <stddef.h>
#include <sys/types.h>

/* Any owner will do (the daemon's files belong to root). */
#define PWFILE_ANY_OWNER	((uid_t)-1)

/*
 * Read the first line of path into out (outlen bytes with the NUL; a
 * CR before the newline is dropped).  The file must not be readable,
 * writable or executable through the mode bits in forbid (007: others;
 * 077: group and others) and, unless owner is PWFILE_ANY_OWNER, must
 * belong to owner.  Returns 0, or -1 with errno and a reason in why
 * (never the password): an empty first line, a password of outlen bytes
 * or more, or one holding a NUL byte are refused.  out is all zero on
 * failure.
 */
int	pwfile_read(const char *path, mode_t forbid, uid_t owner, char *out,
	    size_t outlen, char *why, size_t whylen);

#endif
