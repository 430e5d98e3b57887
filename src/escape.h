/*
 * escape.h - make a string a peer sent safe for one log line: nothing in
 * it can end the line, start a forged one, split a key=value field or
 * reach the log as raw non-ASCII bytes.  Pure: no I/O, no allocation.
 */
#ifndef SG_ESCAPE_H
#define SG_ESCAPE_H

#include <stddef.h>

/* Room for the escaped form of n bytes (4 per byte at most) and a NUL. */
#define ESCAPE_LEN(n)	((n) * 4 + 1)

/*
 * Escape inlen bytes of in into out (outlen bytes, NUL-terminated):
 * printable ASCII but space, '"' and '\' as it is; '\n', '\r', '\t',
 * '"' and '\' as C writes them ("\n", "\"", "\\" ...); every other byte
 * (control characters, space, DEL, bytes >= 0x80) as "\xHH".  A value
 * escaped so never holds a space, so key=value fields stay split where
 * the log's writer split them, and it can be quoted as it is.  Output
 * that does not fit is cut at a whole escape and ends in "..."; returns
 * out.
 */
char	*escape_log(const void *in, size_t inlen, char *out, size_t outlen);

/* escape_log of a NUL-terminated string. */
char	*escape_log_str(const char *in, char *out, size_t outlen);

#endif
