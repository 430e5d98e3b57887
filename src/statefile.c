/*
 * statefile.c - the quota counters on disk (see statefile.h): the pure
 * encoding and decoding first, then the file I/O.
 */
#include "sgconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "statefile.h"

#define MAGIC		"sixgate-state 1\n"
#define LINE_MAX_LEN	(2 * 3 * STATEFILE_FIELD_MAX + 64)

static uint64_t
fnv1a(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (n-- > 0) {
		h ^= (unsigned char)*p++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

void
statefile_buf_init(struct statefile_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void
statefile_buf_free(struct statefile_buf *b)
{
	free(b->p);
	statefile_buf_init(b);
}

static bool
reserve(struct statefile_buf *b, size_t more)
{
	size_t cap;
	char *p;

	if (b->failed)
		return false;
	if (b->len + more <= b->cap)
		return true;
	cap = b->cap == 0 ? 4096 : b->cap;
	while (cap < b->len + more)
		cap *= 2;
	if ((p = realloc(b->p, cap)) == NULL) {
		b->failed = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

static void
put_escaped(struct statefile_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (c <= ' ' || c >= 0x7f || c == '%') {
			b->p[b->len++] = '%';
			b->p[b->len++] = hex[c >> 4];
			b->p[b->len++] = hex[c & 15];
		} else
			b->p[b->len++] = (char)c;
	}
}

void
statefile_add(struct statefile_buf *b, const char *rule, const char *subject,
    int64_t period_start, uint64_t used)
{
	size_t lr = strlen(rule), ls = strlen(subject);
	int n;

	if (lr == 0 || ls == 0 || lr > STATEFILE_FIELD_MAX ||
	    ls > STATEFILE_FIELD_MAX)
		return;
	if (b->len == 0 && reserve(b, sizeof(MAGIC))) {
		memcpy(b->p, MAGIC, sizeof(MAGIC) - 1);
		b->len = sizeof(MAGIC) - 1;
	}
	if (!reserve(b, 3 * (lr + ls) + 64))
		return;
	n = snprintf(b->p + b->len, b->cap - b->len, "q %" PRId64 " %" PRIu64
	    " ", period_start, used);
	b->len += (size_t)n;
	put_escaped(b, rule);
	b->p[b->len++] = ' ';
	put_escaped(b, subject);
	b->p[b->len++] = '\n';
	b->n++;
}

int
statefile_finish(struct statefile_buf *b)
{
	uint64_t sum;
	int n;

	if (b->len == 0 && reserve(b, sizeof(MAGIC))) {
		memcpy(b->p, MAGIC, sizeof(MAGIC) - 1);
		b->len = sizeof(MAGIC) - 1;
	}
	if (!reserve(b, 64))
		return -1;
	sum = fnv1a(b->p, b->len);
	n = snprintf(b->p + b->len, b->cap - b->len, "end %zu %016" PRIx64
	    "\n", b->n, sum);
	b->len += (size_t)n;
	return 0;
}

static int
fail(char *err, size_t errlen, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
fail(char *err, size_t errlen, size_t line, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(err, errlen, "line %zu: ", line);
	if (n < 0 || (size_t)n >= errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* One %XX-escaped field of a line into out (NUL-terminated); its end. */
static const char *
get_field(const char *p, const char *end, char *out, bool last)
{
	size_t n = 0;
	int hi, lo;

	while (p < end && *p != ' ') {
		if (n == STATEFILE_FIELD_MAX)
			return NULL;
		if (*p == '%') {
			if (end - p < 3 || (hi = hexval(p[1])) < 0 ||
			    (lo = hexval(p[2])) < 0 || (hi == 0 && lo == 0))
				return NULL;
			out[n++] = (char)(hi << 4 | lo);
			p += 3;
		} else if ((unsigned char)*p <= ' ' ||
		    (unsigned char)*p >= 0x7f)
			return NULL;
		else
			out[n++] = *p++;
	}
	out[n] = '\0';
	if (n == 0 || (last ? p != end : p == end))
		return NULL;
	return last ? p : p + 1;
}

/* A decimal number without sign or leading junk, then one space. */
static const char *
get_number(const char *p, const char *end, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	const char *s = p;

	while (p < end && *p >= '0' && *p <= '9') {
		if (v > (max - (uint64_t)(*p - '0')) / 10)
			return NULL;
		v = v * 10 + (uint64_t)(*p++ - '0');
	}
	if (p == s || p - s > 20 || p == end || *p != ' ')
		return NULL;
	*out = v;
	return p + 1;
}

/* One "q ..." record line (without its newline). */
static int
parse_record(const char *p, const char *end, statefile_cb cb, void *arg)
{
	char rule[STATEFILE_FIELD_MAX + 1], subject[STATEFILE_FIELD_MAX + 1];
	uint64_t start, used;

	if (end - p < 2 || p[0] != 'q' || p[1] != ' ')
		return -1;
	p += 2;
	if ((p = get_number(p, end, INT64_MAX, &start)) == NULL ||
	    (p = get_number(p, end, UINT64_MAX, &used)) == NULL ||
	    (p = get_field(p, end, rule, false)) == NULL ||
	    get_field(p, end, subject, true) == NULL)
		return -1;
	if (cb != NULL)
		cb(arg, rule, subject, (int64_t)start, used);
	return 0;
}

/* The end line: count and checksum of what came before. */
static int
check_end(const char *buf, size_t at, const char *line, size_t len,
    size_t count, char *err, size_t errlen, size_t lineno)
{
	char want[64];
	int n;

	n = snprintf(want, sizeof(want), "end %zu %016" PRIx64, count,
	    fnv1a(buf, at));
	if ((size_t)n != len || memcmp(want, line, len) != 0)
		return fail(err, errlen, lineno, "the end line does not match "
		    "the records (%zu) and their checksum: the file was cut "
		    "short or altered", count);
	return 0;
}

static int
walk(const char *buf, size_t len, statefile_cb cb, void *arg, char *err,
    size_t errlen)
{
	size_t at = sizeof(MAGIC) - 1, count = 0, lineno = 1;
	const char *nl;

	if (len < at || memcmp(buf, MAGIC, at) != 0)
		return fail(err, errlen, 1, "not a sixgate state file "
		    "(version 1)");
	for (;;) {
		lineno++;
		if (at == len)
			return fail(err, errlen, lineno, "no end line: the file "
			    "was cut short");
		if ((nl = memchr(buf + at, '\n', len - at)) == NULL)
			return fail(err, errlen, lineno, "no newline: the file "
			    "was cut short");
		if ((size_t)(nl - (buf + at)) > LINE_MAX_LEN)
			return fail(err, errlen, lineno, "line too long");
		if (nl - (buf + at) > 4 && memcmp(buf + at, "end ", 4) == 0)
			break;
		if (parse_record(buf + at, nl, cb, arg) == -1)
			return fail(err, errlen, lineno, "not a valid record");
		count++;
		at = (size_t)(nl - buf) + 1;
	}
	if (check_end(buf, at, buf + at, (size_t)(nl - (buf + at)), count,
	    err, errlen, lineno) == -1)
		return -1;
	if ((size_t)(nl - buf) + 1 != len)
		return fail(err, errlen, lineno + 1, "data after the end line");
	return 0;
}

int
statefile_decode(const char *buf, size_t len, statefile_cb cb, void *arg,
    char *err, size_t errlen)
{
	/* All or nothing: the records are handed over only once all is checked. */
	if (walk(buf, len, NULL, NULL, err, errlen) == -1)
		return -1;
	return walk(buf, len, cb, arg, err, errlen);
}

/* --- file I/O --- */

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
statefile_save(const char *dir, const struct statefile_buf *b, char *err,
    size_t errlen)
{
	char tmp[4200], path[4200];
	int fd, dfd, saved;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, STATEFILE_NAME)
	    >= sizeof(path) || (size_t)snprintf(tmp, sizeof(tmp), "%s.tmp",
	    path) >= sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", dir);
		return -1;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	if (write_all(fd, b->p, b->len) == -1 || fsync(fd) == -1) {
		saved = errno;
		close(fd);
		unlink(tmp);
		snprintf(err, errlen, "%s: %s", tmp, strerror(saved));
		return -1;
	}
	close(fd);
	if (rename(tmp, path) == -1) {
		saved = errno;
		unlink(tmp);
		snprintf(err, errlen, "rename to %s: %s", path,
		    strerror(saved));
		return -1;
	}
	/* The rename itself is durable only once the directory is synced. */
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		(void)fsync(dfd);
		close(dfd);
	}
	return 0;
}

/* The whole file into a malloc'd buffer, refusing odd files. */
static char *
read_file(int fd, const char *path, size_t *len, char *err, size_t errlen)
{
	struct stat st;
	char *buf;
	ssize_t n;
	size_t got = 0;

	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		return NULL;
	}
	if ((uint64_t)st.st_size > STATEFILE_MAX_BYTES) {
		snprintf(err, errlen, "%s: larger than %u bytes", path,
		    STATEFILE_MAX_BYTES);
		return NULL;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	*len = got;
	return buf;
}

int
statefile_load(const char *dir, statefile_cb cb, void *arg, char *err,
    size_t errlen)
{
	char path[4200], why[256];
	size_t len = 0;
	char *buf;
	int fd, rc;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, STATEFILE_NAME)
	    >= sizeof(path)) {
		snprintf(err, errlen, "%s: path too long", dir);
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC))
	    == -1) {
		if (errno == ENOENT)
			return 1;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	buf = read_file(fd, path, &len, err, errlen);
	close(fd);
	if (buf == NULL)
		return -1;
	rc = statefile_decode(buf, len, cb, arg, why, sizeof(why));
	free(buf);
	if (rc == -1)
		snprintf(err, errlen, "%s: %s", path, why);
	return rc;
}
