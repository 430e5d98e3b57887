/*
 * tally.h - labelled counters for the metrics endpoint (metrics.h): a
 * table of label -> relays, bytes up, bytes down, for the per-rule and
 * per-user series.  Bounded: past max_rows distinct labels, new labels
 * are counted under TALLY_OTHER.  One mutex guards each table; rows are
 * added to when a relay ends, never on a per-byte path, and never go
 * down.
 */
#ifndef SG_TALLY_H
#define SG_TALLY_H

#include <stddef.h>
#include <stdint.h>

/* The label that counts whatever does not fit. */
#define TALLY_OTHER	"(other)"
/* Longest label kept (a SOCKS5 user name is at most 255 bytes). */
#define TALLY_LABEL_MAX	256

struct tally_row {
	char		label[TALLY_LABEL_MAX];
	uint64_t	relays, up, down;
};

struct tally;

/* A table of at most max_rows labels (and TALLY_OTHER); NULL: no memory. */
struct tally	*tally_new(size_t max_rows);
/* NULL is ok. */
void		 tally_free(struct tally *t);

/*
 * One more relay under label, with its bytes.  A label longer than
 * TALLY_LABEL_MAX - 1 is cut; a new label in a full table (or one
 * whose row cannot be allocated) counts under TALLY_OTHER.
 */
void		 tally_add(struct tally *t, const char *label, uint64_t up,
		    uint64_t down);

/*
 * A copy of every row, sorted by label, malloc'd (free it); NULL with
 * *n 0 when empty or out of memory.
 */
struct tally_row *tally_rows(struct tally *t, size_t *n);

#endif
