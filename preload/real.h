/*
 * real.h - the libc functions the Socks Lib wraps, found once with
 * dlsym(RTLD_NEXT) so that other preloaded libraries stay in the chain.
 */
#ifndef SG_REAL_H
#define SG_REAL_H

#include <errno.h>

#include <netdb.h>
#include <sys/socket.h>

struct real_fns {
	int	(*getaddrinfo)(const char *, const char *,
		    const struct addrinfo *, struct addrinfo **);
	void	(*freeaddrinfo)(struct addrinfo *);
	struct hostent *(*gethostbyname)(const char *);
	struct hostent *(*gethostbyname2)(const char *, int);
	int	(*gethostbyname_r)(const char *, struct hostent *, char *,
		    size_t, struct hostent **, int *);
	int	(*gethostbyname2_r)(const char *, int, struct hostent *,
		    char *, size_t, struct hostent **, int *);
	struct hostent *(*gethostbyaddr)(const void *, socklen_t, int);
	int	(*gethostbyaddr_r)(const void *, socklen_t, int,
		    struct hostent *, char *, size_t, struct hostent **, int *);
	int	(*getnameinfo)(const struct sockaddr *, socklen_t, char *,
		    socklen_t, char *, socklen_t, int);
	int	(*connect)(int, const struct sockaddr *, socklen_t);
	ssize_t	(*sendto)(int, const void *, size_t, int,
		    const struct sockaddr *, socklen_t);
	ssize_t	(*sendmsg)(int, const struct msghdr *, int);
	ssize_t	(*send)(int, const void *, size_t, int);
	int	(*sendmmsg)(int, struct mmsghdr *, unsigned int, int);
	ssize_t	(*recv)(int, void *, size_t, int);
	ssize_t	(*recvfrom)(int, void *, size_t, int, struct sockaddr *,
		    socklen_t *);
	ssize_t	(*recvmsg)(int, struct msghdr *, int);
	int	(*recvmmsg)(int, struct mmsghdr *, unsigned int, int,
		    struct timespec *);
	int	(*getpeername)(int, struct sockaddr *, socklen_t *);
	int	(*getsockname)(int, struct sockaddr *, socklen_t *);
	int	(*close)(int);
};

/*
 * The table, filled on first use (any thread, any time, even before
 * constructors run).  A missing symbol stays NULL; callers check.
 */
const struct real_fns *real(void);

/*
 * libc's own fn(args), or -1 with ENOSYS when this libc has none (the
 * program sees what a kernel without the call would say).
 */
#define REAL_CALL(fn, ...)						\
	(real()->fn != NULL ? real()->fn(__VA_ARGS__) : (errno = ENOSYS, -1))

/* libc's close (the system call if dlsym found none), never our hook. */
int	real_close(int fd);

#endif
