/*
 * sockdiag.c - the owner of a TCP socket (see sockdiag.h).
 */
#include "sgconfig.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>

#include "sockdiag.h"

/* One end of the look-up's socket id: address and port, network order. */
static int
put_end(const struct sockaddr *sa, __be16 *port, __be32 addr[4])
{
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

	switch (sa->sa_family) {
	case AF_INET:
		*port = s4->sin_port;
		memcpy(addr, &s4->sin_addr, 4);
		return 0;
	case AF_INET6:
		*port = s6->sin6_port;
		memcpy(addr, &s6->sin6_addr, 16);
		return 0;
	}
	errno = EAFNOSUPPORT;
	return -1;
}

int
sockdiag_tcp_uid(const struct sockaddr *local, const struct sockaddr *remote,
    uid_t *uid)
{
	struct {
		struct nlmsghdr		nlh;
		struct inet_diag_req_v2	req;
	} q;
	union {
		struct nlmsghdr		nlh;
		char			buf[1024];
	} a;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	const struct inet_diag_msg *m;
	ssize_t n;
	int fd, saved;

	memset(&q, 0, sizeof(q));
	if (local->sa_family != remote->sa_family ||
	    put_end(local, &q.req.id.idiag_sport, q.req.id.idiag_src) == -1 ||
	    put_end(remote, &q.req.id.idiag_dport, q.req.id.idiag_dst) == -1) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	q.nlh.nlmsg_len = sizeof(q);
	q.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	q.nlh.nlmsg_flags = NLM_F_REQUEST;
	q.req.sdiag_family = local->sa_family;
	q.req.sdiag_protocol = IPPROTO_TCP;
	q.req.idiag_states = ~0U;
	q.req.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
	q.req.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	if ((fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC,
	    NETLINK_SOCK_DIAG)) == -1)
		return -1;
	/* The kernel answers an exact look-up before sendto returns. */
	if (sendto(fd, &q, sizeof(q), 0, (struct sockaddr *)&kernel,
	    sizeof(kernel)) == -1 ||
	    (n = recv(fd, &a, sizeof(a), MSG_DONTWAIT)) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	close(fd);
	if (!NLMSG_OK(&a.nlh, (size_t)n) ||
	    a.nlh.nlmsg_type != SOCK_DIAG_BY_FAMILY ||
	    a.nlh.nlmsg_len < NLMSG_LENGTH(sizeof(*m))) {
		/* NLMSG_ERROR: no such socket (ENOENT) or no inet_diag. */
		errno = ENOENT;
		return -1;
	}
	m = NLMSG_DATA(&a.nlh);
	*uid = m->idiag_uid;
	return 0;
}
