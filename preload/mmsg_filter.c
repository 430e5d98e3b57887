/*
 * mmsg_filter.c - ENOSYS for sendmmsg/recvmmsg (see mmsg_filter.h).
 */
#include "sgconfig.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "mmsg_filter.h"

#if defined(__x86_64__)
#define SG_AUDIT_ARCH	AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SG_AUDIT_ARCH	AUDIT_ARCH_AARCH64
#elif defined(__i386__)
#define SG_AUDIT_ARCH	AUDIT_ARCH_I386
#elif defined(__powerpc64__) && defined(__LITTLE_ENDIAN__)
#define SG_AUDIT_ARCH	AUDIT_ARCH_PPC64LE
#elif defined(__s390x__)
#define SG_AUDIT_ARCH	AUDIT_ARCH_S390X
#endif

int
mmsg_filter_install(char *err, size_t errlen)
{
#if defined(SG_AUDIT_ARCH) && defined(__NR_sendmmsg) && defined(__NR_recvmmsg)
	struct sock_filter f[] = {
		/* Another ABI (x32, i386 on x86-64): leave it alone. */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SG_AUDIT_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_sendmmsg, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_recvmmsg, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == -1) {
		snprintf(err, errlen, "cannot install the --udp-compat filter: "
		    "%s", strerror(errno));
		return -1;
	}
	return 0;
#else
	snprintf(err, errlen, "--udp-compat is not available on this "
	    "architecture");
	return -1;
#endif
}
