/*
 * names.c - the "is this name ours?" policy (see names.h).
 *
 * /etc/hosts is cached: a snapshot of its text and its identity (device,
 * inode, size, change times), looked at again with stat at most once a
 * second by one thread, re-read only when the identity changes.  The
 * mutex guards only the pointer to the current snapshot and the time of
 * the last look, never I/O or a scan; pthread_atfork keeps a child from
 * inheriting it locked.  Readers scan a snapshot they hold a reference
 * to, so a replacement never pulls text from under them.
 */
#include "sgconfig.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/stat.h>

#include "hostsfile.h"
#include "names.h"
#include "real.h"

#define HOSTS_PATH	"/etc/hosts"

static pthread_mutex_t hosts_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t hosts_once = PTHREAD_ONCE_INIT;
static struct hostsfile_snap *hosts_cur;	/* under hosts_lock */
static int64_t hosts_looked;			/* under hosts_lock */

static void
hosts_prepare(void)
{
	pthread_mutex_lock(&hosts_lock);
}

static void
hosts_after(void)
{
	pthread_mutex_unlock(&hosts_lock);
}

static void
hosts_init(void)
{
	(void)pthread_atfork(hosts_prepare, hosts_after, hosts_after);
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
stamp_of(const struct stat *st, struct hostsfile_stamp *s)
{
	memset(s, 0, sizeof(*s));
	s->dev = (uint64_t)st->st_dev;
	s->ino = (uint64_t)st->st_ino;
	s->size = (int64_t)st->st_size;
	s->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 +
	    st->st_mtim.tv_nsec;
	s->ctime_ns = (int64_t)st->st_ctim.tv_sec * 1000000000 +
	    st->st_ctim.tv_nsec;
}

/*
 * The file as it is now: a new snapshot, or NULL when it is the version
 * of old (or cannot be read: then an empty snapshot, as "no names").
 */
static struct hostsfile_snap *
hosts_read(const struct hostsfile_snap *old)
{
	struct hostsfile_stamp stamp;
	struct hostsfile_snap *s = NULL;
	struct stat st;
	size_t len = 0;
	ssize_t n;
	int fd;

	memset(&stamp, 0, sizeof(stamp));
	if (stat(HOSTS_PATH, &st) == 0)
		stamp_of(&st, &stamp);
	if (old != NULL && hostsfile_same(&old->stamp, &stamp))
		return NULL;
	if ((fd = open(HOSTS_PATH, O_RDONLY | O_CLOEXEC)) == -1)
		return hostsfile_snap_new(&stamp, NULL, 0);
	/* The stamp of what is read: a change while reading shows next time. */
	if (fstat(fd, &st) == 0 && st.st_size > 0 &&
	    (size_t)st.st_size < HOSTSFILE_MAX) {
		stamp_of(&st, &stamp);
		s = hostsfile_snap_new(&stamp, NULL, (size_t)st.st_size);
	}
	while (s != NULL && len < s->len &&
	    (n = read(fd, s->text + len, s->len - len)) > 0)
		len += (size_t)n;
	if (s != NULL)
		s->len = len;
	real()->close(fd);
	return s != NULL ? s : hostsfile_snap_new(&stamp, NULL, 0);
}

/* A reference to the current snapshot, refreshed when due. */
static struct hostsfile_snap *
hosts_get(void)
{
	struct hostsfile_snap *s, *fresh, *old = NULL;
	int64_t now = now_ms();
	bool due;

	pthread_once(&hosts_once, hosts_init);
	pthread_mutex_lock(&hosts_lock);
	s = hostsfile_snap_ref(hosts_cur);
	if ((due = hostsfile_due(hosts_looked, now)))
		hosts_looked = now;	/* one thread looks; others go on */
	pthread_mutex_unlock(&hosts_lock);
	/* Never read yet (another thread may be at it): read it here. */
	if ((!due && s != NULL) || (fresh = hosts_read(s)) == NULL)
		return s;
	pthread_mutex_lock(&hosts_lock);
	/* Another thread got there first: keep its snapshot, use ours. */
	if (hosts_cur == s) {
		old = hosts_cur;
		hosts_cur = hostsfile_snap_ref(fresh);
	}
	pthread_mutex_unlock(&hosts_lock);
	hostsfile_snap_unref(old);
	hostsfile_snap_unref(s);
	return fresh;
}

/* Names in /etc/hosts stay local. */
static bool
in_etc_hosts(const char *name)
{
	struct hostsfile_snap *s = hosts_get();
	bool found = hostsfile_snap_has(s, name);

	hostsfile_snap_unref(s);
	return found;
}

static bool
is_localhost(const char *name)
{
	size_t n = strlen(name);

	if (n > 0 && name[n - 1] == '.')
		n--;
	if ((n == 9 && strncasecmp(name, "localhost", 9) == 0) ||
	    (n > 10 && strncasecmp(name + n - 10, ".localhost", 10) == 0))
		return true;
	return strcasecmp(name, "localhost.localdomain") == 0 ||
	    strcasecmp(name, "ip6-localhost") == 0 ||
	    strcasecmp(name, "ip6-loopback") == 0;
}

static bool
is_numeric(const char *name)
{
	struct in6_addr a6;
	struct in_addr a4;

	return inet_aton(name, &a4) != 0 || inet_pton(AF_INET6, name, &a6) ==
	    1 || strchr(name, ':') != NULL || strchr(name, '%') != NULL;
}

bool
names_fakeable(const struct lib *l, const char *name)
{
	char host[256];
	bool ours;
	int saved = errno;

	if (!l->enabled || name == NULL || name[0] == '\0' ||
	    strlen(name) > FAKEIP_NAME_MAX)
		return false;
	if (is_numeric(name) || is_localhost(name) ||
	    env_name_is_direct(&l->cfg, name))
		return false;
	if (gethostname(host, sizeof(host)) == 0 &&
	    strcasecmp(host, name) == 0)
		return false;
	ours = !in_etc_hosts(name);
	errno = saved;
	return ours;
}
