/*
 * verify.c - does a name exist? asked of the gateway (see verify.h).
 */
#include "sgconfig.h"

#include <errno.h>
#include <time.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "dial.h"
#include "real.h"
#include "verify.h"

enum verify_result
verify_name(const struct lib *l, const char *name, uint32_t slot, int family)
{
	struct socks5_client_res res;
	struct socks5_addr dest;
	struct timespec ts;
	uint64_t now;
	int ctl;

	/* Milliseconds: with whole seconds a 1 s TTL could last 0 s. */
	clock_gettime(CLOCK_REALTIME, &ts);
	now = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;

	if (l->cfg.verify == ENV_VERIFY_OFF ||
	    (l->cfg.verify == ENV_VERIFY_AUTO &&
	    (fakeip_flags(l->table) & FAKEIP_FLAG_NO_RESOLVE)))
		return VERIFY_EXISTS;
	switch (fakeip_verdict(l->table, slot, now)) {
	case FAKEIP_EXISTS:
		return VERIFY_EXISTS;
	case FAKEIP_NONAME:
		return VERIFY_NONAME;
	default:
		break;
	}
	/* DST.PORT tells sixgated which family we want (socks5.h). */
	if (socks5_addr_set_name(&dest, name, family == AF_INET ?
	    S5_RESOLVE_WANT_IPV4 : family == AF_INET6 ? S5_RESOLVE_WANT_IPV6 :
	    0) != S5_OK)
		return VERIFY_EXISTS;
	if ((ctl = dial_control(l, AF_UNSPEC, S5_CMD_RESOLVE, &dest, &res))
	    != -1) {
		real()->close(ctl);
		fakeip_set_verdict(l->table, slot, FAKEIP_EXISTS,
		    now + (uint64_t)l->cfg.verify_ttl * 1000);
		return VERIFY_EXISTS;
	}
	switch (res.rep) {
	case S5_REP_HOST_UNREACH:
		lib_log(LIB_DEBUG, "the gateway knows no name %s", name);
		fakeip_set_verdict(l->table, slot, FAKEIP_NONAME,
		    now + (uint64_t)l->cfg.verify_negative_ttl * 1000);
		return VERIFY_NONAME;
	case S5_REP_CMD_UNSUPPORTED:
		/* Not sixgated: not asked again in this session (auto). */
		fakeip_set_flags(l->table, FAKEIP_FLAG_NO_RESOLVE);
		return VERIFY_EXISTS;
	case S5_REP_NOT_ALLOWED:
		/* Refused: connect() will say so (EACCES), clearer than "no
		   such host"; remembered like an answer. */
		fakeip_set_verdict(l->table, slot, FAKEIP_EXISTS,
		    now + (uint64_t)l->cfg.verify_ttl * 1000);
		return VERIFY_EXISTS;
	case 0:
		/*
		 * Hung up on the request (Dante does that with commands it
		 * does not know): not supported, like 0x07.
		 */
		if (errno == ECONNRESET) {
			fakeip_set_flags(l->table, FAKEIP_FLAG_NO_RESOLVE);
			return VERIFY_EXISTS;
		}
		lib_log(LIB_WARN, "cannot ask the gateway about %s", name);
		return l->cfg.verify_fail_closed ? VERIFY_FAIL : VERIFY_EXISTS;
	default:
		return VERIFY_EXISTS;
	}
}
