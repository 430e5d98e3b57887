/*
 * lib.c - process-wide state of the Socks Lib (see lib.h).
 *
 * Everything here runs inside someone else's program: nothing exits,
 * nothing aborts, errno is left as found, and the set-up reads only
 * variables that secure_getenv() gives (none in setuid programs, where
 * the library then stays out of the way).
 */
#include "sgconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "lib.h"
#include "pwfile.h"
#include "real.h"

static struct lib state;
/* Back-off words when the table has none for our list (gwlist.h). */
static struct gwlist_backoff own_backoff;
static pthread_once_t state_once = PTHREAD_ONCE_INIT;

static const char *
get_var(const char *name, void *ctx)
{
	(void)ctx;
	return secure_getenv(name);
}

/*
 * The log descriptor lives at a high number (LOG_FD_MIN or above), out
 * of the program's way, and is checked against the file it was opened
 * on (st_dev, st_ino) before each line: a program that closed it and
 * reused the number never gets our lines in its file.  When it changed,
 * SIXGATE_LOG_FILE is opened again; stderr is given up.
 */
#define LOG_FD_MIN	900

static atomic_int log_fd = -1;
static dev_t log_dev;
static ino_t log_ino;

/* fd moved to a high number, close-on-exec, its identity recorded. */
static int
log_adopt(int fd)
{
	struct stat st;
	int hi;

	if (fd == -1)
		return -1;
	if ((hi = fcntl(fd, F_DUPFD_CLOEXEC, LOG_FD_MIN)) == -1)
		hi = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (fd > STDERR_FILENO)
		real_close(fd);
	if (hi == -1 || fstat(hi, &st) == -1) {
		if (hi != -1)
			real_close(hi);
		return -1;
	}
	log_dev = st.st_dev;
	log_ino = st.st_ino;
	return hi;
}

static int
log_open_file(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
	    O_NOCTTY | O_NONBLOCK, 0600);
}

/* The log descriptor if it is still ours, else a fresh one, or -1. */
static int
log_check(void)
{
	int fd = atomic_load(&log_fd), nfd;
	struct stat st;

	if (fd == -1)
		return -1;
	if (fstat(fd, &st) == 0 && st.st_dev == log_dev &&
	    st.st_ino == log_ino)
		return fd;
	/* Not ours any more: the number is the program's, never closed. */
	nfd = state.cfg.log_file[0] != '\0' ?
	    log_adopt(log_open_file(state.cfg.log_file)) : -1;
	if (!atomic_compare_exchange_strong(&log_fd, &fd, nfd)) {
		if (nfd != -1)
			real_close(nfd);
		return -1;	/* another thread did it: lose this line */
	}
	return nfd;
}

void
lib_log(int level, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n, fd, saved = errno;

	if (level > state.cfg.log_level || (fd = log_check()) == -1) {
		errno = saved;
		return;
	}
	n = snprintf(line, sizeof(line), "sixgate[%d]: ", (int)getpid());
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	n = (int)strlen(line);
	line[n++] = '\n';
	if (write(fd, line, (size_t)n) < 0)
		n = 0;	/* a lost log line must not disturb the program */
	errno = saved;
}

static void
open_log(const struct env_config *c)
{
	if (c->log_level == 0)
		return;
	if (c->log_file[0] == '\0')
		atomic_store(&log_fd, log_adopt(STDERR_FILENO));
	else
		atomic_store(&log_fd, log_adopt(log_open_file(c->log_file)));
}

/* The password file must be the user's own and private (like ssh keys). */
static int
read_password(struct env_config *c)
{
	char why[160];

	if (c->password[0] != '\0' || c->password_file[0] == '\0')
		return 0;
	if (pwfile_read(c->password_file, 077, getuid(), c->password,
	    sizeof(c->password), why, sizeof(why)) == -1) {
		lib_log(LIB_WARN, "password file %s: %s: not used",
		    c->password_file, why);
		return -1;
	}
	return 0;
}

/* libc's own socket calls, so our handshakes never meet our hooks. */
static void
io_from_real(struct sgio_ops *io)
{
	const struct real_fns *r = real();

	io->send = r->send;
	io->recv = r->recv;
	io->connect = r->connect;
}

static void
ranges_from(const struct env_config *c, struct fakeip_ranges *r)
{
	memset(r, 0, sizeof(*r));
	memcpy(r->v4net, c->fake4.addr, 4);
	r->v4prefix = c->fake4.prefix;
	memcpy(r->v6net, c->fake6.addr, 16);
	r->v6prefix = c->fake6.prefix;
}

/* The wrapper's shared table; or a private one that survives fork. */
static struct fakeip_table *
map_table(const struct env_config *c, const struct fakeip_ranges *r,
    size_t *maplen)
{
	struct fakeip_table *t = NULL;
	struct stat st;
	size_t len;
	void *mem;
	int fd;

	if (c->table[0] != '\0' &&
	    (fd = open(c->table, O_RDWR | O_CLOEXEC)) != -1) {
		if (fstat(fd, &st) == 0 && st.st_uid == getuid() &&
		    (st.st_mode & 077) == 0 && st.st_size > 0) {
			mem = mmap(NULL, (size_t)st.st_size, PROT_READ |
			    PROT_WRITE, MAP_SHARED, fd, 0);
			if (mem != MAP_FAILED && fakeip_attach(mem,
			    (size_t)st.st_size, &t) != FAKEIP_OK) {
				munmap(mem, (size_t)st.st_size);
				t = NULL;
			}
		}
		real_close(fd);
		if (t != NULL) {
			*maplen = (size_t)st.st_size;
			return t;
		}
		lib_log(LIB_WARN, "cannot use the table %s: using a private "
		    "one", c->table);
	}
	len = fakeip_region_size(FAKEIP_DEFAULT_SLOTS);
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED |
	    MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return NULL;
	if (fakeip_format(mem, len, r, FAKEIP_DEFAULT_SLOTS, &t) !=
	    FAKEIP_OK) {
		munmap(mem, len);
		return NULL;
	}
	*maplen = len;
	return t;
}

/*
 * The table's back-off words if they are free or already our list's
 * (the processes of one sixgate command share them), else our own.
 */
static struct gwlist_backoff *
backoff_words(struct fakeip_table *t, size_t maplen,
    const struct env_config *c)
{
	struct gwlist_backoff *b = fakeip_backoff(t, maplen);
	uint64_t key = gwlist_key(c->gw, c->ngw);

	if (b != NULL && gwlist_attach(b, key))
		return b;
	lib_log(LIB_DEBUG, "gateway back-off kept in this process only");
	(void)gwlist_attach(&own_backoff, key);
	return &own_backoff;
}

static void
setup(void)
{
	char err[256];
	int saved = errno, fd;
	size_t maplen = 0, i;

	if (env_parse(get_var, NULL, &state.cfg, err, sizeof(err)) != ENV_OK) {
		/* Log even when SIXGATE_LOG is 0: the setup is broken. */
		state.cfg.log_level = LIB_WARN;
		atomic_store(&log_fd, log_adopt(STDERR_FILENO));
		lib_log(LIB_WARN, "%s; passing everything through", err);
		state.cfg.log_level = 0;
		if ((fd = atomic_exchange(&log_fd, -1)) != -1)
			real_close(fd);
		goto out;
	}
	open_log(&state.cfg);
	if (!state.cfg.enabled)
		goto out;
	io_from_real(&state.io);
	if (state.io.send == NULL || state.io.recv == NULL ||
	    state.io.connect == NULL) {
		lib_log(LIB_WARN, "libc's send, recv or connect not found: "
		    "passing everything through");
		goto out;
	}
	(void)read_password(&state.cfg);
	ranges_from(&state.cfg, &state.ranges);
	if ((state.table = map_table(&state.cfg, &state.ranges, &maplen)) ==
	    NULL) {
		lib_log(LIB_WARN, "no fake-address table: passing everything "
		    "through");
		goto out;
	}
	fakeip_get_ranges(state.table, &state.ranges);
	state.backoff = backoff_words(state.table, maplen, &state.cfg);
	state.enabled = true;
	for (i = 0; i < state.cfg.ngw; i++)
		lib_log(LIB_DEBUG, "gateway %zu of %zu: %s port %u", i + 1,
		    state.cfg.ngw, state.cfg.gw[i].host, state.cfg.gw[i].port);
out:
	errno = saved;
}

const struct lib *
lib_get(void)
{
	pthread_once(&state_once, setup);
	return &state;
}
