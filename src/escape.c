/*
 * escape.c - escaping peer-supplied strings for log lines (see escape.h).
 */
#include "sgconfig.h"

#include <string.h>

#include "escape.h"

/* The escaped form of byte c into e (at most 4 bytes); its length. */
static size_t
escape_byte(unsigned char c, char *e)
{
	static const char hex[] = "0123456789abcdef";

	switch (c) {
	case '\n':
		memcpy(e, "\\n", 2);
		return 2;
	case '\r':
		memcpy(e, "\\r", 2);
		return 2;
	case '\t':
		memcpy(e, "\\t", 2);
		return 2;
	case '"':
	case '\\':
		e[0] = '\\';
		e[1] = (char)c;
		return 2;
	}
	if (c > ' ' && c < 0x7f) {
		e[0] = (char)c;
		return 1;
	}
	e[0] = '\\';
	e[1] = 'x';
	e[2] = hex[c >> 4];
	e[3] = hex[c & 0xf];
	return 4;
}

char *
escape_log(const void *in, size_t inlen, char *out, size_t outlen)
{
	const unsigned char *p = in;
	size_t used = 0, safe = 0, i, n;
	char e[4];

	if (outlen == 0)
		return out;
	for (i = 0; i < inlen; i++) {
		n = escape_byte(p[i], e);
		if (used + n + 1 > outlen) {
			/* Back to the last whole escape with room for "...". */
			used = safe;
			if (used + 4 <= outlen) {
				memcpy(out + used, "...", 3);
				used += 3;
			}
			break;
		}
		memcpy(out + used, e, n);
		used += n;
		if (used + 4 <= outlen)
			safe = used;
	}
	out[used] = '\0';
	return out;
}

char *
escape_log_str(const char *in, char *out, size_t outlen)
{
	return escape_log(in, strlen(in), out, outlen);
}
