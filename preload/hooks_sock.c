/*
 * hooks_sock.c - the socket calls the Socks Lib interposes, and nothing
 * else.  Each one: set up once (lib_get), decide whether the call is
 * ours (a TCP connect or Fast Open to a proxied address: client.c;
 * datagrams of a UDP socket: dgram.c), and either answer it or hand it
 * to libc untouched.  RFC 3089 sections 2 and 5.1.
 */
#include "sgconfig.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "client.h"
#include "dgram.h"
#include "fdstate.h"
#include "lib.h"
#include "real.h"

#define HOOK		__attribute__((visibility("default")))

static int
connect_impl(int fd, const struct sockaddr *sa, socklen_t len)
{
	const struct lib *l = lib_get();
	int rc;

	if (dgram_connect(l, fd, sa, len, &rc))
		return rc;
	if (client_intercepts(l, fd, sa, len))
		return client_connect(l, fd, sa, len);
	if ((rc = REAL_CALL(connect, fd, sa, len)) == 0 && sa != NULL &&
	    sa->sa_family == AF_UNSPEC)
		client_forget(fd);	/* dissolved: free to connect again */
	return rc;
}


/* A plain buffer as a message, for the datagram path. */
static struct msghdr
one_buffer(struct iovec *iov, const void *buf, size_t n,
    const struct sockaddr *to, socklen_t tolen)
{
	struct msghdr m;

	memset(&m, 0, sizeof(m));
	iov->iov_base = (void *)(uintptr_t)buf;
	iov->iov_len = n;
	m.msg_iov = iov;
	m.msg_iovlen = 1;
	m.msg_name = (void *)(uintptr_t)to;
	m.msg_namelen = to != NULL ? tolen : 0;
	return m;
}

/*
 * TCP Fast Open: sendto(MSG_FASTOPEN) is connect + send in one call.
 * UDP to a proxied address: through the association.
 */
static ssize_t
sendto_impl(int fd, const void *buf, size_t n, int flags,
    const struct sockaddr *to, socklen_t tolen)
{
	const struct lib *l = lib_get();
	struct iovec iov;
	struct msghdr m;
	ssize_t rc;

	if ((flags & MSG_FASTOPEN) && client_intercepts(l, fd, to, tolen)) {
		if (client_connect(l, fd, to, tolen) == -1)
			return -1;
		return REAL_CALL(send, fd, buf, n, flags & ~MSG_FASTOPEN);
	}
	m = one_buffer(&iov, buf, n, to, tolen);
	if (dgram_sendmsg(l, fd, &m, flags, &rc))
		return rc;
	return REAL_CALL(sendto, fd, buf, n, flags, to, tolen);
}

static ssize_t
send_impl(int fd, const void *buf, size_t n, int flags)
{
	const struct lib *l = lib_get();
	struct iovec iov;
	struct msghdr m;
	ssize_t rc;

	m = one_buffer(&iov, buf, n, NULL, 0);
	if (dgram_sendmsg(l, fd, &m, flags, &rc))
		return rc;
	return REAL_CALL(send, fd, buf, n, flags);
}

static ssize_t
sendmsg_impl(int fd, const struct msghdr *msg, int flags)
{
	const struct lib *l = lib_get();
	struct msghdr m;
	ssize_t rc;

	if (real()->sendmsg == NULL) {
		errno = ENOSYS;
		return -1;
	}
	if (msg != NULL && (flags & MSG_FASTOPEN) && client_intercepts(l, fd,
	    msg->msg_name, msg->msg_namelen)) {
		if (client_connect(l, fd, msg->msg_name, msg->msg_namelen) ==
		    -1)
			return -1;
		m = *msg;
		m.msg_name = NULL;
		m.msg_namelen = 0;
		return real()->sendmsg(fd, &m, flags & ~MSG_FASTOPEN);
	}
	if (msg != NULL && dgram_sendmsg(l, fd, msg, flags, &rc))
		return rc;
	return real()->sendmsg(fd, msg, flags);
}

/* Several datagrams at once (libuv, hence dig): one by one when ours. */
static int
sendmmsg_impl(int fd, struct mmsghdr *v, unsigned int n, int flags)
{
	const struct lib *l = lib_get();
	unsigned int i;
	ssize_t rc;

	if (n > 0 && v != NULL && dgram_sendmsg(l, fd, &v[0].msg_hdr, flags,
	    &rc)) {
		for (i = 0; i < n; i++) {
			if (i > 0 && !dgram_sendmsg(l, fd, &v[i].msg_hdr,
			    flags, &rc))
				rc = real()->sendmsg(fd, &v[i].msg_hdr, flags);
			if (rc < 0)
				break;
			v[i].msg_len = (unsigned int)rc;
		}
		return i > 0 ? (int)i : -1;
	}
	if (real()->sendmmsg != NULL &&
	    ((i = (unsigned int)real()->sendmmsg(fd, v, n, flags)) !=
	    (unsigned int)-1 || errno != ENOSYS))
		return (int)i;
	/* No sendmmsg (sixgate --udp-compat): one sendmsg at a time. */
	for (i = 0; i < n; i++) {
		if ((rc = real()->sendmsg(fd, &v[i].msg_hdr, flags)) < 0)
			break;
		v[i].msg_len = (unsigned int)rc;
	}
	return i > 0 ? (int)i : -1;
}

static ssize_t
recvmsg_impl(int fd, struct msghdr *msg, int flags)
{
	ssize_t rc;

	if (msg != NULL && dgram_recvmsg(fd, msg, flags, &rc))
		return rc;
	return REAL_CALL(recvmsg, fd, msg, flags);
}

static ssize_t
recvfrom_impl(int fd, void *buf, size_t n, int flags, struct sockaddr *from,
    socklen_t *fromlen)
{
	struct iovec iov = { buf, n };
	struct msghdr m;
	ssize_t rc;

	memset(&m, 0, sizeof(m));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_name = from;
	m.msg_namelen = from != NULL && fromlen != NULL ? *fromlen : 0;
	if (dgram_recvmsg(fd, &m, flags, &rc)) {
		if (rc >= 0 && from != NULL && fromlen != NULL)
			*fromlen = m.msg_namelen;
		return rc;
	}
	return REAL_CALL(recvfrom, fd, buf, n, flags, from, fromlen);
}

static ssize_t
recv_impl(int fd, void *buf, size_t n, int flags)
{
	struct iovec iov = { buf, n };
	struct msghdr m;
	ssize_t rc;

	memset(&m, 0, sizeof(m));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	if (dgram_recvmsg(fd, &m, flags, &rc))
		return rc;
	return REAL_CALL(recv, fd, buf, n, flags);
}

static int
recvmmsg_impl(int fd, struct mmsghdr *v, unsigned int n, int flags,
    struct timespec *timeout)
{
	unsigned int i;
	ssize_t rc;

	if (n > 0 && v != NULL && dgram_recvmsg(fd, &v[0].msg_hdr, flags,
	    &rc)) {
		/* The first as asked, the rest only if already waiting. */
		for (i = 0; rc >= 0; ) {
			v[i].msg_len = (unsigned int)rc;
			if (++i == n || !dgram_recvmsg(fd, &v[i].msg_hdr,
			    flags | MSG_DONTWAIT, &rc))
				break;
		}
		return i > 0 ? (int)i : -1;
	}
	if (real()->recvmmsg != NULL &&
	    ((i = (unsigned int)real()->recvmmsg(fd, v, n, flags, timeout)) !=
	    (unsigned int)-1 || errno != ENOSYS))
		return (int)i;
	/* No recvmmsg (sixgate --udp-compat): the first, then what waits. */
	for (i = 0; i < n; i++) {
		if ((rc = real()->recvmsg(fd, &v[i].msg_hdr,
		    i == 0 ? flags : flags | MSG_DONTWAIT)) < 0)
			break;
		v[i].msg_len = (unsigned int)rc;
	}
	return i > 0 ? (int)i : -1;
}

static int
getpeername_impl(int fd, struct sockaddr *sa, socklen_t *len)
{
	if (client_peername(fd, sa, len) || dgram_peername(fd, sa, len))
		return 0;
	return REAL_CALL(getpeername, fd, sa, len);
}

static int
getsockname_impl(int fd, struct sockaddr *sa, socklen_t *len)
{
	int rc;

	if (client_sockname(fd, sa, len, &rc) ||
	    dgram_sockname(fd, sa, len, &rc))
		return rc;
	return REAL_CALL(getsockname, fd, sa, len);
}

/* Only forgets what was recorded: the fd is closed by libc as ever. */
static int
close_impl(int fd)
{
	fdstate_drop(fd);
	return REAL_CALL(close, fd);
}

/*
 * The hooks proper: errno as the program left it whenever the call
 * succeeds (the decisions above may try and fail calls of their own,
 * and the association's liveness test reads with MSG_DONTWAIT).
 */
#define KEEP_ERRNO(type, call)	do {					\
	int saved_ = errno;						\
	type rc_ = (call);						\
									\
	if (rc_ >= 0)							\
		errno = saved_;						\
	return rc_;							\
} while (0)

HOOK int
connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	KEEP_ERRNO(int, connect_impl(fd, sa, len));
}

/* glibc's internal name, reached by some libc paths and old binaries. */
HOOK int __connect(int, const struct sockaddr *, socklen_t)
    __attribute__((alias("connect")));

HOOK ssize_t
sendto(int fd, const void *buf, size_t n, int flags,
    const struct sockaddr *to, socklen_t tolen)
{
	KEEP_ERRNO(ssize_t, sendto_impl(fd, buf, n, flags, to, tolen));
}

HOOK ssize_t
send(int fd, const void *buf, size_t n, int flags)
{
	KEEP_ERRNO(ssize_t, send_impl(fd, buf, n, flags));
}

HOOK ssize_t
sendmsg(int fd, const struct msghdr *msg, int flags)
{
	KEEP_ERRNO(ssize_t, sendmsg_impl(fd, msg, flags));
}

HOOK int
sendmmsg(int fd, struct mmsghdr *v, unsigned int n, int flags)
{
	KEEP_ERRNO(int, sendmmsg_impl(fd, v, n, flags));
}

HOOK ssize_t
recvmsg(int fd, struct msghdr *msg, int flags)
{
	KEEP_ERRNO(ssize_t, recvmsg_impl(fd, msg, flags));
}

HOOK ssize_t
recvfrom(int fd, void *buf, size_t n, int flags, struct sockaddr *from,
    socklen_t *fromlen)
{
	KEEP_ERRNO(ssize_t, recvfrom_impl(fd, buf, n, flags, from, fromlen));
}

HOOK ssize_t
recv(int fd, void *buf, size_t n, int flags)
{
	KEEP_ERRNO(ssize_t, recv_impl(fd, buf, n, flags));
}

HOOK int
recvmmsg(int fd, struct mmsghdr *v, unsigned int n, int flags,
    struct timespec *timeout)
{
	KEEP_ERRNO(int, recvmmsg_impl(fd, v, n, flags, timeout));
}

HOOK int
getpeername(int fd, struct sockaddr *sa, socklen_t *len)
{
	KEEP_ERRNO(int, getpeername_impl(fd, sa, len));
}

HOOK int
getsockname(int fd, struct sockaddr *sa, socklen_t *len)
{
	KEEP_ERRNO(int, getsockname_impl(fd, sa, len));
}

HOOK int
close(int fd)
{
	KEEP_ERRNO(int, close_impl(fd));
}
