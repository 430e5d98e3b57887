/*
 * mmsg_filter.h - make the sendmmsg and recvmmsg system calls fail with
 * ENOSYS in the wrapped program (a seccomp filter installed by the
 * `sixgate` wrapper before exec, on request: --udp-compat).
 *
 * Why: libuv (dig, Node.js ...) issues them with syscall(2), which no
 * LD_PRELOAD library sees; told they do not exist, libuv falls back to
 * sendmsg/recvmsg through libc, which the Socks Lib handles.  The cost:
 * the filter needs no_new_privs, so setuid programs started under the
 * wrapper run without their privileges.
 */
#ifndef SG_MMSG_FILTER_H
#define SG_MMSG_FILTER_H

#include <stddef.h>

/* 0, or -1 with a reason in err (unsupported architecture, kernel). */
int	mmsg_filter_install(char *err, size_t errlen);

#endif
