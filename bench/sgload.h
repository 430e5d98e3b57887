/*
 * sgload.h - what the parts of bench/sgload share: the options, the
 * targets, the workers, and the socket and SOCKS5 helpers (sgload_io.c)
 * and the servers (sgload_srv.c).  See sgload.c for the commands.
 */
#ifndef SGLOAD_H
#define SGLOAD_H

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <security/pam_appl.h>

#define MAX_BINDS	4
#define MAX_THREADS	256
#define MAX_SAMPLES	(1 << 20)	/* latency samples per worker */
#define BULK_CHUNK	(128 * 1024)

struct target {
	struct sockaddr_storage	ss;	/* when resolved */
	socklen_t		len;
	char			host[256];
	uint16_t		port;
	int			is_name;	/* send as DOMAINNAME */
};

struct opts {
	const char	*mode;
	struct target	proxy, dest;
	int		use_proxy;
	const char	*user, *pass, *service;
	const char	*binds[MAX_BINDS];
	int		nbinds, port, threads, streams, workers;
	int		spread;	/* worker k from 127.0.0.2 + k */
	long		count;
	double		secs, hold, timeout, max_secs;
	const char	*port_file;
};

extern struct opts o;

struct worker {
	pthread_t	tid;
	int		id;
	long		done, errors;
	uint64_t	bytes;
	double		start, end;
	uint32_t	*lat;	/* microseconds */
	long		nlat;
	const char	*why;
	int		*fds;	/* idle: this worker's share */
	long		nfds;
};

extern struct worker workers[MAX_THREADS];
extern pthread_barrier_t barrier;
extern double deadline;
extern atomic_long claimed;

void	die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
double	now(void);
void	parse_addr(const char *s, struct target *t);
void	resolve_name(struct target *t);
void	set_timeouts(int fd, double secs);
int	write_all(int fd, const void *buf, size_t n);
int	read_full(int fd, void *buf, size_t n);
int	spread_ok(const struct target *t);
int	tcp_connect(const struct target *t, const struct sockaddr_in *src);
int	open_relay(struct worker *w);
int	echo_byte(int fd, char c);
int	run_server(int echo);
/*
 * Start n workers on fn (each gets its struct worker), release them
 * together with the deadline set, join them; the sums and the first
 * start and last end into the out arguments.
 */
void	run_workers(int n, void *(*fn)(void *), long *done, long *errors,
	    double *start, double *end);

#endif
