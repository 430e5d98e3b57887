/*
 * relay.c - the TCP pump (see relay.h).
 *
 * Each direction moves data from one socket into a pipe and from the
 * pipe into the other socket with splice(2), so bytes never enter user
 * space.  A direction borrows a pipe (pipepool.h) when its socket turns
 * readable and gives it back as soon as the pipe is empty again.
 */
#include "sgconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/socket.h>

#include "pipepool.h"
#include "relay.h"
#include "sgio.h"
#include "sock.h"

#define CHUNK		65536		/* bytes per read, or per grant */
#define ROUNDS		4		/* full reads in a row before poll */

struct dir {
	int		 from, to;
	struct pipe_lent pipe;		/* borrowed while data is in flight */
	char		*buf;		/* fallback when no pipe */
	size_t		 off, len;	/* pending bytes: buf[off..len) */
	size_t		 inpipe;	/* pending bytes in the pipe */
	bool		 eof;		/* from said EOF */
	bool		 nosplice;	/* splice refused: read/write */
	bool		 shut;		/* EOF passed on to `to` */
	_Atomic uint64_t *count;
	/* Limits (NULL: none): this direction is lim's number idx. */
	const struct relay_limit *lim;
	int		 idx;
	int64_t		 retry_at;	/* no input wanted before, 0: none */
	bool		 quota_out;	/* no input wanted any more */
};

static size_t
pending(const struct dir *d)
{
	return d->inpipe + (d->len - d->off);
}

/* Outcome of one step of a direction. */
enum step {
	STEP_IDLE,	/* nothing moved */
	STEP_MOVED,	/* some bytes moved */
	STEP_ERR_FROM,	/* error reading */
	STEP_ERR_TO,	/* error writing */
	STEP_NOMEM
};

static enum step
flush(struct dir *d)
{
	ssize_t n;
	bool moved = false;

	while (d->inpipe > 0) {
		n = splice(d->pipe.fd[0], NULL, d->to, NULL, d->inpipe,
		    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n > 0) {
			d->inpipe -= (size_t)n;
			atomic_fetch_add_explicit(d->count, (uint64_t)n,
			    memory_order_relaxed);
			moved = true;
		} else if (n == -1 && errno == EINTR)
			continue;
		else if (n == -1 && errno == EAGAIN)
			return moved ? STEP_MOVED : STEP_IDLE;
		else
			return STEP_ERR_TO;
	}
	while (d->off < d->len) {
		n = send(d->to, d->buf + d->off, d->len - d->off, MSG_NOSIGNAL);
		if (n > 0) {
			d->off += (size_t)n;
			atomic_fetch_add_explicit(d->count, (uint64_t)n,
			    memory_order_relaxed);
			moved = true;
		} else if (n == -1 && errno == EINTR)
			continue;
		else if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return moved ? STEP_MOVED : STEP_IDLE;
		else
			return STEP_ERR_TO;
	}
	d->off = d->len = 0;
	/* Empty again: the pipe goes back for other relays. */
	pipepool_put(&d->pipe, true);
	return moved ? STEP_MOVED : STEP_IDLE;
}

/*
 * Read side: take in at most cap bytes (no more than the pipe holds, or
 * CHUNK into the buffer); *got: how many, *full: all that was asked.
 */
static enum step
fill(struct dir *d, size_t cap, size_t *got, bool *full)
{
	ssize_t n;
	size_t len;
	int saved;

	*got = 0;
	*full = false;
	/* No pipe (EMFILE, ENFILE): the direction falls back to a buffer. */
	if (d->pipe.fd[0] == -1 && d->buf == NULL && !d->nosplice &&
	    pipepool_get(&d->pipe) == -1)
		d->pipe.fd[0] = d->pipe.fd[1] = -1;
	if (d->pipe.fd[0] != -1) {
		len = cap < d->pipe.cap ? cap : d->pipe.cap;
		n = splice(d->from, NULL, d->pipe.fd[1], NULL, len,
		    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n == -1 && errno == EINVAL) {
			/* Not spliceable here: read/write from now on. */
			pipepool_put(&d->pipe, true);
			d->nosplice = true;
			return fill(d, cap, got, full);
		}
		if (n > 0)
			d->inpipe += (size_t)n;
		else if (d->inpipe == 0) {
			saved = errno;
			pipepool_put(&d->pipe, true);	/* nothing came */
			errno = saved;
		}
		/* A full pipe: a bulk stream, worth a bigger one. */
		if (n > 0 && (size_t)n == d->pipe.cap)
			pipepool_grow(&d->pipe);
	} else {
		if (d->buf == NULL && (d->buf = malloc(CHUNK)) == NULL)
			return STEP_NOMEM;
		len = cap < CHUNK ? cap : CHUNK;
		n = recv(d->from, d->buf, len, 0);
		if (n > 0) {
			d->off = 0;
			d->len = (size_t)n;
		}
	}
	if (n > 0) {
		*got = (size_t)n;
		*full = (size_t)n == len;
		return STEP_MOVED;
	}
	if (n == 0) {
		d->eof = true;
		return STEP_MOVED;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return STEP_IDLE;
	return STEP_ERR_FROM;
}

/*
 * How much d may read now: CHUNK or what the limits grant, 0 when it
 * must wait (retry_at set) or the quota is spent.
 */
static size_t
allowance(struct dir *d)
{
	int64_t retry = 0;
	uint64_t g;
	bool out = false;

	g = d->lim->grant(d->lim->ctx, d->idx, CHUNK, &retry, &out);
	if (out)
		d->quota_out = true;
	else if (g == 0)
		d->retry_at = sgio_now_ms() + (retry > 0 ? retry : 1);
	return g > CHUNK ? CHUNK : (size_t)g;
}

/*
 * Read what the limits allow (without limits, what the pipe holds);
 * the rest of a grant goes back.  *full: the read got all it asked.
 */
static enum step
fill_limited(struct dir *d, bool readable, bool polled, bool *full)
{
	size_t cap, got;
	enum step r;

	*full = false;
	/*
	 * Input poll was asked about and did not report is not tried: a
	 * read that finds nothing costs a system call (and the pipe's
	 * round trip to the pool).  Input not asked about (the direction
	 * still held bytes, now flushed) is tried at once: a stream kept
	 * busy by a slower writer would otherwise pay a poll per chunk.
	 */
	if (d->lim == NULL)
		return readable || !polled ?
		    fill(d, PIPEPOOL_BULK, &got, full) : STEP_IDLE;
	/* A grant only for input that is there: none sits unused. */
	if (!readable || d->quota_out || d->retry_at != 0 ||
	    (cap = allowance(d)) == 0)
		return STEP_IDLE;
	r = fill(d, cap, &got, full);
	if (got < cap)
		d->lim->unused(d->lim->ctx, d->idx, cap - got);
	return r;
}

/*
 * Move what can be moved now in one direction; readable: poll found
 * its input readable (or hung up); polled: poll was asked about it.
 */
static enum step
step(struct dir *d, bool readable, bool polled)
{
	enum step r, w;
	bool full, flushed = false;
	int round;

	if (pending(d) > 0) {
		w = flush(d);
		if (w != STEP_IDLE && (w != STEP_MOVED || pending(d) > 0))
			return w;
		flushed = w == STEP_MOVED;
	}
	r = STEP_IDLE;
	for (round = 0; !d->eof && pending(d) == 0; round++) {
		r = fill_limited(d, readable || round > 0, polled, &full);
		if (r == STEP_IDLE && (round > 0 || flushed)) {
			r = STEP_MOVED;		/* the flush or a round did */
			break;
		}
		if (r != STEP_MOVED)
			return r;
		if ((w = flush(d)) != STEP_IDLE && w != STEP_MOVED)
			return w;
		/*
		 * A read that got all it asked for most likely left more
		 * behind: taken now, a poll is saved; a few rounds only,
		 * so the other direction is not kept waiting.  Not with
		 * limits: their grant is only for input known to be there.
		 */
		if (!full || round + 1 >= ROUNDS || d->lim != NULL)
			break;
	}
	if (d->eof && pending(d) == 0 && !d->shut) {
		/* Half-close: pass the EOF on once everything is out. */
		shutdown(d->to, SHUT_WR);
		d->shut = true;
		pipepool_put(&d->pipe, true);
		r = STEP_MOVED;
	}
	return r;
}

static void
dir_free(struct dir *d)
{
	pipepool_put(&d->pipe, d->inpipe == 0);
	free(d->buf);
}

static short
events_for(const struct dir *rd, const struct dir *wr)
{
	short ev = 0;

	/* A direction waiting for its limits does not poll for input. */
	if (!rd->eof && pending(rd) == 0 && !rd->quota_out &&
	    rd->retry_at == 0)
		ev |= POLLIN;
	if (pending(wr) > 0)
		ev |= POLLOUT;
	return ev;
}

/*
 * How long poll may wait: until the idle time runs out or the deadline
 * comes (-1: forever).  0 with *end set when one of them has come.
 */
static int64_t
wait_ms(int64_t last, int64_t idle_ms, int64_t deadline, enum relay_end *end)
{
	int64_t now = sgio_now_ms(), wait = -1;

	if (idle_ms > 0 && (wait = last + idle_ms - now) <= 0) {
		*end = RELAY_END_IDLE;
		return 0;
	}
	if (deadline > 0 && deadline - now <= 0) {
		*end = RELAY_END_TIME;
		return 0;
	}
	if (deadline > 0 && (wait == -1 || deadline - now < wait))
		wait = deadline - now;
	return wait > INT32_MAX ? INT32_MAX : wait;
}

/*
 * The limits' side of the wait: directions whose time has come poll for
 * input again; wait (-1: forever) is cut to the next that waits.
 */
static int64_t
limits_wait(struct dir d[2], int64_t wait)
{
	int64_t now = sgio_now_ms(), left;
	int i;

	for (i = 0; i < 2; i++) {
		if (d[i].retry_at == 0)
			continue;
		if ((left = d[i].retry_at - now) <= 0) {
			d[i].retry_at = 0;
			continue;
		}
		if (wait == -1 || left < wait)
			wait = left;
	}
	return wait;
}

/* The quota is spent and nothing read is still to be delivered. */
static bool
quota_done(const struct dir d[2])
{
	return (d[0].quota_out || d[1].quota_out) && pending(&d[0]) == 0 &&
	    pending(&d[1]) == 0;
}

/* What a step's outcome ends, for the side of direction i. */
static bool
step_ends(enum step s, int i, enum relay_end *end, int *err)
{
	if (s == STEP_ERR_FROM || s == STEP_ERR_TO) {
		*err = errno;
		*end = (i == 0) == (s == STEP_ERR_FROM) ?
		    RELAY_END_CLIENT_ERR : RELAY_END_DEST_ERR;
		return true;
	}
	if (s == STEP_NOMEM) {
		*err = ENOMEM;
		*end = RELAY_END_NOMEM;
		return true;
	}
	return false;
}

/*
 * The wait cut to when the relay will have been quiet RELAY_QUIET_MS,
 * and *quiet called (then cleared) once that time has come.
 */
static int64_t
quiet_wait(void (**quiet)(void), int64_t last, int64_t wait)
{
	int64_t left;

	if (*quiet == NULL)
		return wait;
	if ((left = last + RELAY_QUIET_MS - sgio_now_ms()) <= 0) {
		(*quiet)();
		*quiet = NULL;
		return wait;
	}
	return wait == -1 || left < wait ? left : wait;
}

enum relay_end
relay_run(int cfd, int dfd, int idle_s, int64_t deadline,
    const struct relay_limit *lim, void (*quiet)(void),
    struct relay_stats *st, int *err)
{
	struct dir d[2] = {
		{ cfd, dfd, PIPE_NONE, NULL, 0, 0, 0, false, false, false,
		    &st->up, lim, 0, 0, false },
		{ dfd, cfd, PIPE_NONE, NULL, 0, 0, 0, false, false, false,
		    &st->down, lim, 1, 0, false },
	};
	struct pollfd pfd[2];
	enum relay_end end = RELAY_END_CLOSED;
	enum step s;
	int64_t last = sgio_now_ms(), idle_ms = (int64_t)idle_s * 1000;
	int64_t wait;
	int i, rc;

	*err = 0;
	while (!(d[0].shut && d[1].shut)) {
		if (quota_done(d)) {
			end = RELAY_END_QUOTA;
			break;
		}
		if ((wait = wait_ms(last, idle_ms, deadline, &end)) == 0)
			break;
		wait = quiet_wait(&quiet, last, limits_wait(d, wait));
		/*
		 * A socket we wait on for nothing is left out: its hang-up
		 * would otherwise wake poll in a loop while the other side
		 * still has data to deliver.
		 */
		pfd[0].events = events_for(&d[0], &d[1]);
		pfd[0].fd = pfd[0].events != 0 ? cfd : -1;
		pfd[1].events = events_for(&d[1], &d[0]);
		pfd[1].fd = pfd[1].events != 0 ? dfd : -1;
		/* Nothing to wait for but the limits' time: never forever. */
		if (pfd[0].fd == -1 && pfd[1].fd == -1 &&
		    d[0].retry_at == 0 && d[1].retry_at == 0)
			break;
		rc = poll(pfd, 2, wait > INT32_MAX ? INT32_MAX : (int)wait);
		if (rc == -1 && errno != EINTR) {
			*err = errno;
			end = RELAY_END_CLIENT_ERR;
			break;
		}
		if (rc <= 0)
			continue;
		for (i = 0; i < 2; i++) {
			s = step(&d[i], pfd[i].fd != -1 && (pfd[i].revents &
			    (POLLIN | POLLHUP | POLLERR)) != 0, pfd[i].fd !=
			    -1 && (pfd[i].events & POLLIN) != 0);
			if (s == STEP_MOVED)
				last = sgio_now_ms();
			else if (step_ends(s, i, &end, err))
				goto out;
		}
	}
out:
	dir_free(&d[0]);
	dir_free(&d[1]);
	return end;
}

const char *
relay_end_str(enum relay_end e)
{
	switch (e) {
	case RELAY_END_CLOSED:
		return "closed";
	case RELAY_END_IDLE:
		return "idle-timeout";
	case RELAY_END_CLIENT_ERR:
		return "client-error";
	case RELAY_END_DEST_ERR:
		return "destination-error";
	case RELAY_END_NOMEM:
		return "out-of-memory";
	case RELAY_END_TIME:
		return "time";
	case RELAY_END_QUOTA:
		return "quota";
	}
	return "?";
}
