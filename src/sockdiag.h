/*
 * sockdiag.h - who owns a TCP socket of this host: one exact look-up
 * through NETLINK_SOCK_DIAG (inet_diag), which needs no privilege.
 */
#ifndef SG_SOCKDIAG_H
#define SG_SOCKDIAG_H

#include <sys/socket.h>
#include <sys/types.h>

/*
 * The uid owning the TCP socket of this host (and network namespace)
 * whose local address is local and whose peer is remote (same family,
 * AF_INET or AF_INET6): 0 with *uid, or -1 when it is unknown (no such
 * socket, no sock_diag in the kernel; errno says which).
 */
int	sockdiag_tcp_uid(const struct sockaddr *local,
	    const struct sockaddr *remote, uid_t *uid);

#endif
