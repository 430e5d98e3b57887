/*
 * fdbudget.h - descriptors, not sessions, are what a relay costs: a
 * CONNECT holds 2, a BIND 3, a UDP association 4, and a connect in
 * progress a few more.  Each session reserves what it is about to open
 * before opening it and gives it back after closing; a reserve stays
 * free for PAM, getaddrinfo, logging and splice pipes, so a valid login
 * is never answered with a failure that came from an exhausted table.
 * Lock-free (one atomic counter).
 */
#ifndef SG_FDBUDGET_H
#define SG_FDBUDGET_H

#include <stdbool.h>

/*
 * Descriptors kept out of the budget: listeners, the log, signals and
 * getaddrinfo's spare sockets; and for each PAM transaction that may run
 * at once, what its modules open (files, helper pipes, sockets).
 */
#define FDBUDGET_RESERVE	64
#define FDBUDGET_PER_PAM	8

/* What each command holds at most, the client's socket included. */
#define FDBUDGET_CONNECT	2
#define FDBUDGET_BIND		3
#define FDBUDGET_UDP		4
/* Connection attempts one session may have in flight at once. */
#define FDBUDGET_ATTEMPTS	4

/*
 * The budget: the descriptor limit less FDBUDGET_RESERVE and
 * FDBUDGET_PER_PAM for each of pam_workers (at least 1).  Set at start.
 */
void	fdbudget_init(long nofile, int pam_workers);

/* Take n descriptors: true if they were free (then give them back). */
bool	fdbudget_take(int n);
void	fdbudget_give(int n);

/*
 * Connection attempts to have in flight at once (RFC 8305 staggers
 * them): 1, plus up to FDBUDGET_ATTEMPTS - 1 more when the budget has
 * them.  Hand the number to fdbudget_attempts_done afterwards.
 */
int	fdbudget_attempts(void);
void	fdbudget_attempts_done(int n);

/* Descriptors reserved now, and the budget, for status and tests. */
int	fdbudget_used(void);
int	fdbudget_total(void);

#endif
