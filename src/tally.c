/*
 * tally.c - bounded labelled counters (see tally.h): a chained hash
 * table, rows allocated as labels first appear and kept until the
 * table is freed, so that counters stay monotonic.
 */
#include "sgconfig.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tally.h"

#define BUCKETS	4096

struct row {
	struct row	*next;
	struct tally_row r;
};

struct tally {
	pthread_mutex_t	 lock;
	size_t		 max, n;	/* rows but "other" */
	struct row	*other;		/* allocated with the table */
	struct row	*buckets[BUCKETS];
};

struct tally *
tally_new(size_t max_rows)
{
	struct tally *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	if ((t->other = calloc(1, sizeof(*t->other))) == NULL) {
		free(t);
		return NULL;
	}
	snprintf(t->other->r.label, sizeof(t->other->r.label), "%s",
	    TALLY_OTHER);
	pthread_mutex_init(&t->lock, NULL);
	t->max = max_rows;
	return t;
}

void
tally_free(struct tally *t)
{
	struct row *w, *next;
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < BUCKETS; i++)
		for (w = t->buckets[i]; w != NULL; w = next) {
			next = w->next;
			free(w);
		}
	free(t->other);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

/* The row of label, made when there is room; "other" if not (lock held). */
static struct row *
find(struct tally *t, const char *label)
{
	uint32_t h = 2166136261u;
	struct row **pp;
	const char *s;

	if (strcmp(label, TALLY_OTHER) == 0)
		return t->other;
	for (s = label; *s != '\0'; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	for (pp = &t->buckets[h % BUCKETS]; *pp != NULL; pp = &(*pp)->next)
		if (strcmp((*pp)->r.label, label) == 0)
			return *pp;
	if (t->n >= t->max || (*pp = calloc(1, sizeof(**pp))) == NULL)
		return t->other;
	snprintf((*pp)->r.label, sizeof((*pp)->r.label), "%s", label);
	t->n++;
	return *pp;
}

void
tally_add(struct tally *t, const char *label, uint64_t up, uint64_t down)
{
	char key[TALLY_LABEL_MAX];
	struct row *w;

	/* Cut as stored, so that a long label finds its own row again. */
	snprintf(key, sizeof(key), "%s", label);
	pthread_mutex_lock(&t->lock);
	w = find(t, key);
	w->r.relays++;
	w->r.up += up;
	w->r.down += down;
	pthread_mutex_unlock(&t->lock);
}

static int
by_label(const void *a, const void *b)
{
	return strcmp(((const struct tally_row *)a)->label,
	    ((const struct tally_row *)b)->label);
}

struct tally_row *
tally_rows(struct tally *t, size_t *n)
{
	struct tally_row *v;
	struct row *w;
	size_t i, k = 0;

	*n = 0;
	pthread_mutex_lock(&t->lock);
	if ((v = calloc(t->n + 1, sizeof(*v))) == NULL) {
		pthread_mutex_unlock(&t->lock);
		return NULL;
	}
	for (i = 0; i < BUCKETS; i++)
		for (w = t->buckets[i]; w != NULL && k < t->n; w = w->next)
			v[k++] = w->r;
	if (t->other->r.relays > 0)
		v[k++] = t->other->r;
	pthread_mutex_unlock(&t->lock);
	if (k == 0) {
		free(v);
		return NULL;
	}
	qsort(v, k, sizeof(*v), by_label);
	*n = k;
	return v;
}
