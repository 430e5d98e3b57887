/*
 * real.c - dlsym(RTLD_NEXT) table (see real.h).
 *
 * Filled under pthread_once: a hook may run in another library's
 * constructor before ours, or in several threads at once.  A symbol
 * that resolves back into this module would recurse forever, so such
 * an answer is refused.
 */
#include "sgconfig.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <unistd.h>
#include <errno.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "real.h"

static struct real_fns fns;
static pthread_once_t fns_once = PTHREAD_ONCE_INIT;

static void *
find(const char *name, void *self)
{
	void *p = dlsym(RTLD_NEXT, name);

	return p == self ? NULL : p;
}

#define FIND(f, self)	(*(void **)&fns.f = find(#f, (void *)(self)))

static void
load(void)
{
	FIND(getaddrinfo, getaddrinfo);
	FIND(freeaddrinfo, freeaddrinfo);
	FIND(gethostbyname, gethostbyname);
	FIND(gethostbyname2, gethostbyname2);
	FIND(gethostbyname_r, gethostbyname_r);
	FIND(gethostbyname2_r, gethostbyname2_r);
	FIND(gethostbyaddr, gethostbyaddr);
	FIND(gethostbyaddr_r, gethostbyaddr_r);
	FIND(getnameinfo, getnameinfo);
	FIND(connect, connect);
	FIND(sendto, sendto);
	FIND(sendmsg, sendmsg);
	FIND(send, send);
	FIND(sendmmsg, sendmmsg);
	FIND(recv, recv);
	FIND(recvfrom, recvfrom);
	FIND(recvmsg, recvmsg);
	FIND(recvmmsg, recvmmsg);
	FIND(getpeername, getpeername);
	FIND(getsockname, getsockname);
	FIND(close, close);
}

const struct real_fns *
real(void)
{
	pthread_once(&fns_once, load);
	return &fns;
}

int
real_close(int fd)
{
	if (real()->close != NULL)
		return real()->close(fd);
	return (int)syscall(SYS_close, fd);
}

/*
 * Code linked into the module from src/ (pwfile.c) calls close(), which
 * would land on our own exported hook; Makefile.am links the module with
 * -Wl,--wrap=close so that those calls come here, to libc's close.
 */
int __wrap_close(int);

int
__wrap_close(int fd)
{
	return real_close(fd);
}
