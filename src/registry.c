/*
 * registry.c - running sessions, in total and per client (see
 * registry.h).  Per-client counts live in a small chained hash table
 * whose entries exist only while that client has sessions; each session
 * is on a list, for the cut at shutdown.
 */
#include "sgconfig.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>

#include "addr.h"
#include "registry.h"
#include "sgio.h"
#include "stats.h"

#define BUCKETS	1024

struct client {
	struct client	*next;
	uint8_t		 key[ADDR_KEY_LEN];
	int		 n;		/* sessions */
	int		 handshakes;	/* of them, not yet logged in */
};

/*
 * What sixgatectl sessions shows of a session (struct registry_info),
 * with its strings on the heap, sized to fit (NULL: none yet): the
 * fixed arrays of struct registry_info, 2.5 KiB, were most of an idle
 * relay's heap.
 */
struct entry_info {
	uint64_t	 id;
	char		 client[64];
	char		*user, *dest, *connected;
	int		 cmd, rule;
	int64_t		 start;
};

struct registry_entry {
	struct registry_entry	*prev, *next;
	struct client		*client;
	bool			 in_handshake;
	int			 cfd, dfd;
	struct entry_info	 info;
	const struct relay_stats *stats;
	atomic_bool		 killed;
	/* registry_set_relay; pins: registry_revoke is checking it. */
	const struct request	*req;
	int			 pins;
	atomic_bool		 revoked;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static struct client *buckets[BUCKETS];
static struct registry_entry *sessions;
static int total, handshakes;
static atomic_bool stopping;

/* The entry of key, under the lock. */
static struct client **
find(const uint8_t *key)
{
	uint32_t h = 2166136261u;
	struct client **pp;
	size_t i;

	for (i = 0; i < ADDR_KEY_LEN; i++)
		h = (h ^ key[i]) * 16777619u;
	for (pp = &buckets[h % BUCKETS]; *pp != NULL; pp = &(*pp)->next)
		if (memcmp((*pp)->key, key, ADDR_KEY_LEN) == 0)
			break;
	return pp;
}

/* Which per-client limit, if any, refuses one more session of cl. */
static int
client_over(const struct client *cl, const struct config *c)
{
	if (cl != NULL && c->max_per_client > 0 && cl->n >= c->max_per_client)
		return EUSERS;
	if (cl != NULL && c->max_handshakes_per_client > 0 &&
	    cl->handshakes >= c->max_handshakes_per_client)
		return ETOOMANYREFS;
	return 0;
}

/*
 * Which limit, if any, refuses one more session of cl (lock held);
 * anonymous (a client not known yet) skips the per-client ones.
 */
static int
over_limit(const struct client *cl, bool anonymous, const struct config *c)
{
	int err;

	if (total >= c->max_relays)
		return EAGAIN;
	if (!anonymous && (err = client_over(cl, c)) != 0)
		return err;
	/* Below start nothing is dropped: spare the getrandom(2). */
	if ((unsigned)handshakes >= c->max_handshakes.start &&
	    admit_drop(&c->max_handshakes, (unsigned)handshakes,
	    arc4random_uniform(100)))
		return EBUSY;
	return 0;
}

/*
 * Count e (in its handshake or not) as a session of the client whose
 * slot is *pp (lock held): 0, or ENOMEM.
 */
static int
attach(struct registry_entry *e, struct client **pp, const uint8_t *key)
{
	if (*pp == NULL) {
		if ((*pp = calloc(1, sizeof(**pp))) == NULL)
			return ENOMEM;
		memcpy((*pp)->key, key, ADDR_KEY_LEN);
	}
	e->client = *pp;
	e->client->n++;
	if (e->in_handshake)
		e->client->handshakes++;
	return 0;
}

struct registry_entry *
registry_enter(const struct sockaddr *client, const struct config *c)
{
	uint8_t key[ADDR_KEY_LEN];
	struct registry_entry *e;
	struct client **pp;
	int err;

	if (client != NULL)
		addr_client_key(client, c->ipv6_prefix, key);
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	e->cfd = e->dfd = -1;
	e->info.cmd = -1;
	e->info.rule = -1;
	e->in_handshake = true;
	pthread_mutex_lock(&lock);
	pp = client != NULL ? find(key) : NULL;
	if ((err = over_limit(pp != NULL ? *pp : NULL, pp == NULL, c)) ==
	    0 && pp != NULL)
		err = attach(e, pp, key);
	if (err != 0) {
		pthread_mutex_unlock(&lock);
		free(e);
		errno = err;
		return NULL;
	}
	handshakes++;
	total++;
	if ((e->next = sessions) != NULL)
		sessions->prev = e;
	sessions = e;
	pthread_mutex_unlock(&lock);
	return e;
}

/* Lock held. */
static void
end_handshake(struct registry_entry *e)
{
	if (!e->in_handshake)
		return;
	e->in_handshake = false;
	if (e->client != NULL)
		e->client->handshakes--;
	handshakes--;
}

int
registry_set_client(struct registry_entry *e, const struct sockaddr *client,
    const struct config *c)
{
	uint8_t key[ADDR_KEY_LEN];
	struct client **pp;
	int err;

	addr_client_key(client, c->ipv6_prefix, key);
	pthread_mutex_lock(&lock);
	if (e->client != NULL)
		err = EINVAL;	/* known already: a broken caller */
	else if ((err = client_over(*(pp = find(key)), c)) == 0)
		err = attach(e, pp, key);
	pthread_mutex_unlock(&lock);
	if (err != 0) {
		errno = err;
		return -1;
	}
	return 0;
}

void
registry_handshake_done(struct registry_entry *e)
{
	pthread_mutex_lock(&lock);
	end_handshake(e);
	pthread_mutex_unlock(&lock);
}

/* Lock held: the session cannot close them meanwhile. */
static void
cut_fds(struct registry_entry *e)
{
	if (e->cfd != -1)
		shutdown(e->cfd, SHUT_RDWR);
	if (e->dfd != -1)
		shutdown(e->dfd, SHUT_RDWR);
}

void
registry_set_fds(struct registry_entry *e, int cfd, int dfd)
{
	pthread_mutex_lock(&lock);
	e->cfd = cfd;
	e->dfd = dfd;
	/* A descriptor set after the cut (a kill, a revoke): cut at once. */
	if (atomic_load(&stopping) || atomic_load(&e->killed) ||
	    atomic_load(&e->revoked))
		cut_fds(e);
	pthread_mutex_unlock(&lock);
}

void
registry_leave(struct registry_entry *e)
{
	struct client **pp, *cl;

	if (e == NULL)
		return;
	pthread_mutex_lock(&lock);
	end_handshake(e);
	if ((cl = e->client) != NULL && --cl->n == 0) {
		pp = find(cl->key);
		*pp = cl->next;
		free(cl);
	}
	if (e->prev != NULL)
		e->prev->next = e->next;
	else
		sessions = e->next;
	if (e->next != NULL)
		e->next->prev = e->prev;
	total--;
	pthread_cond_broadcast(&changed);
	pthread_mutex_unlock(&lock);
	free(e->info.user);
	free(e->info.dest);
	free(e->info.connected);
	free(e);
}

void
registry_set_session(struct registry_entry *e, uint64_t id,
    const char *client, int64_t start, const struct relay_stats *stats)
{
	pthread_mutex_lock(&lock);
	e->info.id = id;
	snprintf(e->info.client, sizeof(e->info.client), "%s", client);
	e->info.start = start;
	e->stats = stats;
	pthread_mutex_unlock(&lock);
}

void
registry_set_stats(struct registry_entry *e, const struct relay_stats *stats)
{
	pthread_mutex_lock(&lock);
	e->stats = stats;
	pthread_mutex_unlock(&lock);
}

/*
 * v, the caller's copy, in place of *slot (v NULL: not given, or no
 * memory for the copy; *slot stays).  Lock held; what was there goes
 * to *old, for the caller to free after the lock.
 */
static void
set_str(char **slot, char *v, char **old)
{
	*old = NULL;
	if (v == NULL)
		return;
	*old = *slot;
	*slot = v;
}

void
registry_set_request(struct registry_entry *e, const char *user,
    const char *dest, const char *connected, int cmd, int rule)
{
	char *u, *d, *c, *old[3];

	/* Copied before the lock: malloc need not wait on it. */
	u = user != NULL ? strndup(user, REGISTRY_USERLEN - 1) : NULL;
	d = dest != NULL ? strndup(dest, REGISTRY_DESTLEN - 1) : NULL;
	c = connected != NULL ? strndup(connected, REGISTRY_CONNLEN - 1) :
	    NULL;
	pthread_mutex_lock(&lock);
	set_str(&e->info.user, u, &old[0]);
	set_str(&e->info.dest, d, &old[1]);
	set_str(&e->info.connected, c, &old[2]);
	if (cmd >= 0)
		e->info.cmd = cmd;
	if (rule >= 0)
		e->info.rule = rule;
	pthread_mutex_unlock(&lock);
	free(old[0]);
	free(old[1]);
	free(old[2]);
}

/* The shown copy of e's strings (lock held). */
static void
info_copy(struct registry_info *v, const struct entry_info *in)
{
	v->id = in->id;
	memcpy(v->client, in->client, sizeof(v->client));
	snprintf(v->user, sizeof(v->user), "%s", in->user ? in->user : "");
	snprintf(v->dest, sizeof(v->dest), "%s", in->dest ? in->dest : "");
	snprintf(v->connected, sizeof(v->connected), "%s",
	    in->connected ? in->connected : "");
	v->cmd = in->cmd;
	v->rule = in->rule;
	v->start = in->start;
}

void
registry_account(struct registry_entry *e)
{
	pthread_mutex_lock(&lock);
	if (e->stats != NULL)
		stats_relay_ended(atomic_load(&e->stats->up),
		    atomic_load(&e->stats->down));
	e->stats = NULL;
	pthread_mutex_unlock(&lock);
}

struct registry_info *
registry_list(size_t *n, struct stats_snapshot *ss)
{
	struct registry_entry *e;
	struct registry_info *v;
	size_t i = 0;

	*n = 0;
	pthread_mutex_lock(&lock);
	if (ss != NULL)
		stats_get(ss);
	if (total == 0 || (v = calloc((size_t)total, sizeof(*v))) == NULL) {
		pthread_mutex_unlock(&lock);
		return NULL;
	}
	for (e = sessions; e != NULL && i < (size_t)total; e = e->next) {
		info_copy(&v[i], &e->info);
		if (e->stats != NULL) {
			v[i].up = atomic_load_explicit(&e->stats->up,
			    memory_order_relaxed);
			v[i].down = atomic_load_explicit(&e->stats->down,
			    memory_order_relaxed);
		}
		i++;
	}
	pthread_mutex_unlock(&lock);
	*n = i;
	return v;
}

void
registry_totals(struct registry_totals *t, struct stats_snapshot *ss)
{
	struct registry_entry *e;

	memset(t, 0, sizeof(*t));
	pthread_mutex_lock(&lock);
	stats_get(ss);
	t->sessions = total;
	t->handshakes = handshakes;
	for (e = sessions; e != NULL; e = e->next) {
		if (e->stats == NULL)
			continue;
		/* Its connected address is set as its relay starts. */
		if (e->info.connected != NULL && e->info.connected[0] != '\0')
			t->relays++;
		ss->bytes_up += atomic_load_explicit(&e->stats->up,
		    memory_order_relaxed);
		ss->bytes_down += atomic_load_explicit(&e->stats->down,
		    memory_order_relaxed);
	}
	pthread_mutex_unlock(&lock);
}

/* Lock held. */
static void
kill_entry(struct registry_entry *e)
{
	atomic_store(&e->killed, true);
	cut_fds(e);
}

int
registry_kill_id(uint64_t id)
{
	struct registry_entry *e;
	int n = 0;

	pthread_mutex_lock(&lock);
	for (e = sessions; e != NULL; e = e->next)
		if (e->info.id == id) {
			kill_entry(e);
			n++;
		}
	pthread_mutex_unlock(&lock);
	return n;
}

int
registry_kill_user(const char *user)
{
	struct registry_entry *e;
	int n = 0;

	pthread_mutex_lock(&lock);
	for (e = sessions; e != NULL; e = e->next)
		if (e->info.user != NULL && e->info.user[0] != '\0' &&
		    strcmp(e->info.user, user) == 0) {
			kill_entry(e);
			n++;
		}
	pthread_mutex_unlock(&lock);
	return n;
}

bool
registry_killed(const struct registry_entry *e)
{
	return e != NULL && atomic_load(&e->killed);
}

void
registry_set_relay(struct registry_entry *e, const struct request *r)
{
	pthread_mutex_lock(&lock);
	/* A revoke reads the request outside the lock: let it finish. */
	while (r == NULL && e->pins > 0)
		pthread_cond_wait(&changed, &lock);
	e->req = r;
	pthread_mutex_unlock(&lock);
}

struct revoke_item {
	struct registry_entry	*e;
	const struct request	*req;
	bool			 keep;
};

int
registry_revoke(const struct config *c,
    bool (*still)(const struct request *, const struct config *))
{
	struct registry_entry *e;
	struct revoke_item *v = NULL;
	size_t n = 0, i;
	int cut = 0;

	/* Pin the running relays: their requests stay while we look. */
	pthread_mutex_lock(&lock);
	if (total > 0 && (v = calloc((size_t)total, sizeof(*v))) == NULL) {
		pthread_mutex_unlock(&lock);
		errno = ENOMEM;
		return -1;
	}
	for (e = sessions; e != NULL && n < (size_t)total; e = e->next)
		if (e->req != NULL) {
			e->pins++;
			v[n].e = e;
			v[n++].req = e->req;
		}
	pthread_mutex_unlock(&lock);
	for (i = 0; i < n; i++)
		v[i].keep = still(v[i].req, c);
	pthread_mutex_lock(&lock);
	for (i = 0; i < n; i++) {
		if (!v[i].keep) {
			atomic_store(&v[i].e->revoked, true);
			cut_fds(v[i].e);
			cut++;
		}
		v[i].e->pins--;
	}
	pthread_cond_broadcast(&changed);
	pthread_mutex_unlock(&lock);
	free(v);
	return cut;
}

bool
registry_revoked(const struct registry_entry *e)
{
	return e != NULL && atomic_load(&e->revoked);
}

int
registry_count(void)
{
	int n;

	pthread_mutex_lock(&lock);
	n = total;
	pthread_mutex_unlock(&lock);
	return n;
}

int
registry_handshakes(void)
{
	int n;

	pthread_mutex_lock(&lock);
	n = handshakes;
	pthread_mutex_unlock(&lock);
	return n;
}

void
registry_cut_all(void)
{
	struct registry_entry *e;

	pthread_mutex_lock(&lock);
	atomic_store(&stopping, true);
	for (e = sessions; e != NULL; e = e->next)
		cut_fds(e);
	pthread_mutex_unlock(&lock);
}

bool
registry_stopping(void)
{
	return atomic_load(&stopping);
}

int
registry_wait_empty(int64_t deadline_ms)
{
	struct timespec ts;
	int64_t left;
	int n;

	pthread_mutex_lock(&lock);
	while (total > 0 && (left = deadline_ms - sgio_now_ms()) > 0) {
		clock_gettime(CLOCK_REALTIME, &ts);
		left = left > 200 ? 200 : left;
		ts.tv_nsec += (long)(left % 1000) * 1000000;
		ts.tv_sec += ts.tv_nsec / 1000000000;
		ts.tv_nsec %= 1000000000;
		pthread_cond_timedwait(&changed, &lock, &ts);
	}
	n = total;
	pthread_mutex_unlock(&lock);
	return n;
}
