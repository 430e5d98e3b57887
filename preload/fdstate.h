/*
 * fdstate.h - what the Socks Lib records about a program's sockets, in
 * one table indexed by fd: the program's view of a TCP socket it
 * connected through the gateway (client.c), or the UDP association of a
 * datagram socket (dgram.c).  Each entry is checked against the
 * socket's inode, so a reused fd number inherits nothing.  The table is
 * mapped on first use only (a program that never talks through the
 * gateway touches none of it) and read without locks.
 */
#ifndef SG_FDSTATE_H
#define SG_FDSTATE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

#define FDSTATE_FDS	65536
#define FDSTATE_SENT	8

enum fdstate_kind { FDSTATE_FREE = 0, FDSTATE_TCP, FDSTATE_UDP };

/* What the program was told about a socket the library connected. */
struct fdstate_tcp {
	int			app_family;
	bool			swapped;	/* family differs underneath */
	struct sockaddr_in6	peer;		/* or a sockaddr_in */
};

/* A UDP socket's association (see dgram.c). */
struct fdstate_udp {
	int			app_family;	/* the program's family */
	struct sockaddr_in6	relay;		/* or a sockaddr_in */
	bool			connected;
	struct sockaddr_in6	peer;		/* what connect() named */
	struct sockaddr_in6	sent[FDSTATE_SENT]; /* recent fakes sent to */
	atomic_uint		nsent;
	bool			swapped;	/* other family underneath */
};

struct fdstate {
	_Atomic uint64_t	ino;		/* the socket; 0: free */
	atomic_int		kind;		/* enum fdstate_kind */
	atomic_int		phase;		/* the owner's progress; 0
						   after a drop */
	int			ctl;		/* a descriptor the entry
						   owns (UDP control), or -1 */
	uint64_t		ctl_ino;
	union {
		struct fdstate_tcp	tcp;
		struct fdstate_udp	udp;
	} u;
};

/* The inode of fd's open file, or 0. */
uint64_t fdstate_inode(int fd);

/*
 * The entry of fd if it records this very socket as kind; else NULL.
 * Never maps the table, and costs no fstat for an fd never recorded.
 */
struct fdstate *fdstate_get(int fd, enum fdstate_kind kind);

/*
 * A blank entry of kind for fd, not yet visible to fdstate_get: whatever
 * it held is dropped first.  The socket's inode in *ino, for
 * fdstate_publish once the caller has filled it in.  NULL when fd is out
 * of range, not open, or the table cannot be mapped.
 */
struct fdstate *fdstate_open(int fd, enum fdstate_kind kind, uint64_t *ino);

/* Make e visible as the entry of the socket with inode ino. */
void	fdstate_publish(struct fdstate *e, uint64_t ino);

/* fdstate_get, or else a blank published entry (fdstate_open). */
struct fdstate *fdstate_claim(int fd, enum fdstate_kind kind);

/* Close the descriptor e owns, if it is still the one recorded. */
void	fdstate_close_ctl(struct fdstate *e);

/*
 * The program closes fd: forget it, closing the descriptor its entry
 * owns.  The memory stays, blank, for the next socket with that number.
 */
void	fdstate_drop(int fd);

#endif
