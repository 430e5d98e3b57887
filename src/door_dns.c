/*
 * door_dns.c - the DNS front door over TCP (see door_dns.h).
 */
#include "sgconfig.h"

#include <stdint.h>
#include <stdlib.h>

#include "dnsfront.h"
#include "dnsmsg.h"
#include "door_dns.h"
#include "log.h"
#include "sgio.h"

void
door_dns_run(struct request *r)
{
	int idle = r->cfg->timeout_idle > 0 && r->cfg->timeout_idle <
	    DOOR_DNS_IDLE ? r->cfg->timeout_idle : DOOR_DNS_IDLE;
	uint8_t in[DNSMSG_QUERY_MAX], *out;
	size_t len, n;
	int64_t deadline;
	int k;

	/* A forwarded answer over TCP may take all 65535 bytes. */
	if ((out = malloc(2 + DNSMSG_TCP_MAX)) == NULL) {
		log_warn("dns: tcp answer buffer");
		return;
	}
	for (k = 0; k < DOOR_DNS_QUERIES_MAX; k++) {
		deadline = sgio_now_ms() + (int64_t)idle * 1000;
		if (sgio_recv_all(&sgio_libc, r->cfd, in, 2, deadline) == -1)
			break;
		len = (size_t)in[0] << 8 | in[1];
		if (len == 0 || len > sizeof(in)) {
			log_info("dns: a %zu-byte message over TCP: closing",
			    len);
			break;
		}
		if (sgio_recv_all(&sgio_libc, r->cfd, in, len, deadline) == -1)
			break;
		if ((n = dnsfront_answer(r->listener, &r->peer, true, in, len,
		    out + 2, DNSMSG_TCP_MAX)) == 0)
			break;
		out[0] = (uint8_t)(n >> 8);
		out[1] = (uint8_t)n;
		if (sgio_send_all(&sgio_libc, r->cfd, out, n + 2, deadline)
		    == -1)
			break;
	}
	free(out);
	log_debug("dns: tcp connection ends after %d queries", k);
}
