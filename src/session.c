/*
 * session.c - one client, start to end, in its own thread (see
 * session.h): the thread, its log tag, and what it owns (the client's
 * fd, the configuration reference, the registry entry).  What is said
 * on the connection is the door's (door_socks5.c) and the request
 * core's (request.c) business.
 */
#include "sgconfig.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdbool.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "addr.h"
#include "door_dns.h"
#include "door_http.h"
#include "door_portmap.h"
#include "door_socks4.h"
#include "door_socks5.h"
#include "door_transparent.h"
#include "fdbudget.h"
#include "log.h"
#include "proxyhdr.h"
#include "registry.h"
#include "request.h"
#include "session.h"
#include "sgio.h"
#include "sock.h"
#include "socks4.h"

struct session {
	uint64_t		 id;
	struct config		*cfg;		/* our reference */
	struct request		 req;
};

static atomic_uint_fast64_t next_id = 1;

/*
 * Session threads are reused: one whose session has ended parks (at
 * most SESSION_PARK_MAX of them, each for at most SESSION_PARK_SECS)
 * and the next client is handed to it, which spares the acceptor the
 * clone(2) that was most of its time per client, and the thread its
 * start and exit.  Each parked thread waits on its own semaphore, posted
 * after the lock is let go: the woken thread does not queue for the
 * lock the acceptor still holds (a condition variable's wake-up would).
 */
struct parked {
	sem_t			 wake;
	/* Handed over, or NULL; atomic: read outside the lock after the
	 * post (sem_clockwait is not seen by every race detector). */
	struct session *_Atomic	 s;
	struct parked		*next;
};

static struct {
	pthread_mutex_t		 lock;
	struct parked		*idle;		/* parked threads */
	int			 nidle;
} park = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void
session_free(struct session *s)
{
	/* Out of the registry's sight before the descriptors close. */
	registry_set_fds(s->req.reg, -1, -1);
	if (s->req.dfd != -1)
		close(s->req.dfd);
	if (s->req.cfd != -1)
		close(s->req.cfd);
	config_release(s->cfg);
	registry_leave(s->req.reg);
	fdbudget_give(s->req.fds_held);
	request_free_groups(&s->req);
	free(s);
}

/*
 * A socks listener with socks4: the first byte says which SOCKS (0x04,
 * or 0x05 and anything else, which the SOCKS5 door refuses in its own
 * words).  Peeked, not read, within the handshake's deadline.
 */
static void
socks_door(struct request *r)
{
	int64_t deadline = r->start + (int64_t)r->cfg->timeout_handshake *
	    1000;
	uint8_t b = 0;
	ssize_t n = -1;

	while (r->listener->socks4 && n == -1 &&
	    sgio_wait(r->cfd, POLLIN, deadline) == 0)
		if ((n = recv(r->cfd, &b, 1, MSG_PEEK)) == -1 &&
		    errno != EAGAIN && errno != EINTR)
			break;
	if (n == 1 && b == S4_VERSION)
		door_socks4_run(r);
	else
		door_socks5_run(r);
}

/*
 * The log tag, sixgatectl's view and PAM_RHOST from r->peer: at the
 * start, and again once a PROXY protocol header named the client.
 */
static void
set_client(struct session *s)
{
	struct request *r = &s->req;
	char tag[96], full[ADDR_STRLEN];

	addr_ntop((const struct sockaddr *)&r->peer, full, sizeof(full));
	snprintf(tag, sizeof(tag), "c%" PRIu64 " %s", s->id, full);
	log_set_tag(tag);
	registry_set_session(r->reg, s->id, full, r->start, &r->stats);
	/* The printable client address without port, for PAM_RHOST. */
	addr_ntop_host((struct sockaddr *)&r->peer, r->peerhost,
	    sizeof(r->peerhost));
}

static void
session_run(struct session *s)
{
	struct request *r = &s->req;

	set_client(s);
	/* Behind a balancer: its header first, then the real client. */
	if (r->listener->proxy_protocol) {
		if (proxyhdr_read(r) == -1)
			goto done;
		set_client(s);
	}
	/* The listener's protocol says which door the client came in by. */
	switch (r->listener->proto) {
	case LISTEN_SOCKS:
		socks_door(r);
		break;
	case LISTEN_PORTMAP:
		door_portmap_run(r);
		break;
	case LISTEN_HTTP:
		door_http_run(r);
		break;
	case LISTEN_DNS:
		door_dns_run(r);
		break;
	case LISTEN_TRANSPARENT:
		door_transparent_run(r);
		break;
	default:
		log_warnx("listener %s: protocol %s not served",
		    r->listener->text,
		    config_listen_proto_str(r->listener->proto));
		break;
	}
done:
	session_free(s);
}

/*
 * Park the calling thread, whose session has ended, until a new one is
 * handed to it (returned) or SESSION_PARK_SECS pass (NULL: the thread
 * ends).
 */
static struct session *
park_wait(struct parked *me)
{
	struct parked **pp;
	struct timespec until;
	int rc;

	pthread_mutex_lock(&park.lock);
	if (park.nidle >= SESSION_PARK_MAX) {
		pthread_mutex_unlock(&park.lock);
		return NULL;
	}
	me->s = NULL;
	me->next = park.idle;
	park.idle = me;
	park.nidle++;
	pthread_mutex_unlock(&park.lock);
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += SESSION_PARK_SECS;
	while ((rc = sem_clockwait(&me->wake, CLOCK_MONOTONIC, &until)) ==
	    -1 && errno == EINTR)
		continue;
	if (rc == 0)
		return me->s;
	pthread_mutex_lock(&park.lock);
	if (me->s == NULL) {
		/* Still on the list: nobody took us. */
		for (pp = &park.idle; *pp != me; pp = &(*pp)->next)
			continue;
		*pp = me->next;
		park.nidle--;
	}
	pthread_mutex_unlock(&park.lock);
	/* Handed a session as the wait timed out: its post is coming. */
	if (me->s != NULL)
		while (sem_wait(&me->wake) == -1 && errno == EINTR)
			continue;
	return me->s;
}

static void *
session_main(void *arg)
{
	struct session *s = arg;
	struct parked me;

	sem_init(&me.wake, 0, 0);
	while (s != NULL) {
		session_run(s);
		s = park_wait(&me);
	}
	sem_destroy(&me.wake);
	return NULL;
}

/* Hand s to a parked thread: true, or false when none is parked. */
static bool
unpark(struct session *s)
{
	struct parked *p;

	pthread_mutex_lock(&park.lock);
	if ((p = park.idle) != NULL) {
		park.idle = p->next;
		park.nidle--;
		p->s = s;
	}
	pthread_mutex_unlock(&park.lock);
	/* p stays: its thread does not leave park_wait before this post. */
	if (p != NULL)
		sem_post(&p->wake);
	return p != NULL;
}

int
session_start(int fd, const struct sockaddr_storage *peer,
    struct config *cfg, struct registry_entry *reg,
    const struct config_listen *lis)
{
	pthread_attr_t attr;
	pthread_t t;
	struct session *s;
	int rc;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return -1;
	s->id = atomic_fetch_add(&next_id, 1);
	s->cfg = cfg;
	s->req.cfd = fd;
	s->req.dfd = -1;
	s->req.peer = *peer;
	s->req.cfg = cfg;
	s->req.start = sgio_now_ms();
	s->req.reg = reg;
	s->req.listener = lis;
	s->req.fds_held = FDBUDGET_CONNECT;
	s->req.rule = -1;
	addr_ntop((const struct sockaddr *)peer, s->req.peerhost,
	    sizeof(s->req.peerhost));
	registry_set_session(reg, s->id, s->req.peerhost, s->req.start,
	    &s->req.stats);

	registry_set_fds(reg, fd, -1);
	if (unpark(s))
		return 0;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, SESSION_STACK_SIZE);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&t, &attr, session_main, s);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		registry_set_fds(reg, -1, -1);
		free(s);
		errno = rc;
		return -1;
	}
	return 0;
}

/*
 * The calling thread's stack, looked up once per thread: the look-up
 * (pthread_getattr_np) costs a sched_getaffinity(2) each time.
 */
static bool
own_stack(uintptr_t *lo, size_t *size)
{
	static __thread uintptr_t stack_lo;
	static __thread size_t stack_size;
	pthread_attr_t attr;
	void *addr = NULL;

	if (stack_lo == 0) {
		if (pthread_getattr_np(pthread_self(), &attr) != 0)
			return false;
		if (pthread_attr_getstack(&attr, &addr, &stack_size) != 0)
			addr = NULL;
		pthread_attr_destroy(&attr);
		if (addr == NULL)
			return false;
		stack_lo = (uintptr_t)addr;
	}
	*lo = stack_lo;
	*size = stack_size;
	return true;
}

void
session_stack_trim(void)
{
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0), lo, end;
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	unsigned char vec[SESSION_STACK_SIZE / 4096];
	size_t size, i, n;

	if (!own_stack(&lo, &size))
		return;
	end = (sp - SESSION_TRIM_KEEP) & ~(page - 1);
	/* Not ours to trim (not a session thread's stack): leave it. */
	if (sp < lo || sp - lo > size || end <= lo)
		return;
	/*
	 * Most sessions never went deeper than the relay will: then no
	 * page below is resident, and madvise(2), whose TLB shoot-down
	 * interrupts every CPU running our threads, is not needed.
	 */
	n = (end - lo + page - 1) / page;
	if (n <= sizeof(vec) && mincore((void *)lo, end - lo, vec) == 0) {
		for (i = 0; i < n && !(vec[i] & 1); i++)
			continue;
		if (i == n)
			return;
	}
	(void)madvise((void *)lo, end - lo, MADV_DONTNEED);
}
