/*
 * registry.c - running sessions, in total and per client (see
 * registry.h).  Per-client counts live in a small chained hash table
 * whose entries exist only while that client has sessions.
 */
#include "sgconfig.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <netinet/in.h>

#include "registry.h"
#include "sgio.h"
#include "sock.h"

#define BUCKETS	1024

struct client {
	struct client	*next;
	int		 family;
	uint8_t		 addr[16];
	int		 n;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static struct client *buckets[BUCKETS];
static int total;

/* The address bytes of sa (the port does not matter). */
static size_t
key(const struct sockaddr *sa, uint8_t *out)
{
	if (sa->sa_family == AF_INET) {
		memcpy(out, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		return 4;
	}
	memcpy(out, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
	return 16;
}

/* The entry of sa (created when create), under the lock. */
static struct client **
find(const struct sockaddr *sa)
{
	uint8_t k[16];
	size_t n = key(sa, k), i;
	uint32_t h = 2166136261u;
	struct client **pp;

	for (i = 0; i < n; i++)
		h = (h ^ k[i]) * 16777619u;
	for (pp = &buckets[h % BUCKETS]; *pp != NULL; pp = &(*pp)->next)
		if ((*pp)->family == sa->sa_family &&
		    memcmp((*pp)->addr, k, n) == 0)
			break;
	return pp;
}

int
registry_enter(const struct sockaddr *client, int max_total,
    int max_per_client)
{
	struct client **pp, *c;
	int rc = 0;

	pthread_mutex_lock(&lock);
	pp = find(client);
	if (total >= max_total) {
		errno = EAGAIN;
		rc = -1;
	} else if (max_per_client > 0 && *pp != NULL &&
	    (*pp)->n >= max_per_client) {
		errno = EUSERS;
		rc = -1;
	} else if (*pp == NULL && (c = calloc(1, sizeof(*c))) == NULL) {
		errno = ENOMEM;
		rc = -1;
	} else {
		if (*pp == NULL) {
			c->family = client->sa_family;
			(void)key(client, c->addr);
			*pp = c;
		}
		(*pp)->n++;
		total++;
	}
	pthread_mutex_unlock(&lock);
	return rc;
}

void
registry_leave(const struct sockaddr *client)
{
	struct client **pp, *c;

	pthread_mutex_lock(&lock);
	pp = find(client);
	if ((c = *pp) != NULL && --c->n == 0) {
		*pp = c->next;
		free(c);
	}
	total--;
	pthread_cond_broadcast(&changed);
	pthread_mutex_unlock(&lock);
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
