/*
 * pack.c - struct hostent packed into a caller's buffer and addrinfo
 * chains in one allocation (see pack.h).
 *
 * Every size is computed, with overflow checks, before the first byte
 * is written: a buffer that is too small is left untouched, and so is
 * the hostent.  Beyond the header: pack_hostent returns EAFNOSUPPORT for
 * a family other than AF_INET/AF_INET6, and pack_addrinfo returns NULL
 * for an address of such a family (and on size overflow).
 */
#include "sgconfig.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "pack.h"

/* Pointer arrays in buf start on a multiple of this. */
#define PTR_ALIGN	sizeof(char *)
/* Each sockaddr in an addrinfo block starts on a multiple of this. */
#define SA_ALIGN	_Alignof(struct sockaddr_storage)

static size_t
round_up(size_t n, size_t align)
{
	return (n + align - 1) / align * align;
}

/*
 * Bytes pack_hostent needs after the alignment padding: the alias list
 * (one NULL), the address list (naddrs + NULL), the addresses and the
 * name.  Returns -1 on overflow.
 */
static int
hostent_size(size_t naddrs, size_t alen, size_t namesize, size_t *need)
{
	size_t ptrs, bytes;

	if (__builtin_add_overflow(naddrs, 2, &ptrs) ||
	    __builtin_mul_overflow(ptrs, sizeof(char *), &ptrs) ||
	    __builtin_mul_overflow(naddrs, alen, &bytes) ||
	    __builtin_add_overflow(ptrs, bytes, need) ||
	    __builtin_add_overflow(*need, namesize, need))
		return -1;
	return 0;
}

/*
 * Fill *he for the _r resolver hooks: buf, laid out as padding, alias
 * list, address list, addresses, name.  The caller owns buf and he;
 * nothing is allocated.  ERANGE is what glibc's gethostbyname_r reports
 * for a short buffer, so the caller can retry with a larger one.
 */
int
pack_hostent(struct hostent *he, char *buf, size_t buflen, const char *name,
    int family, const uint8_t *addrs, size_t naddrs)
{
	size_t alen, pad, namesize, need, i;
	char **aliases, **list, *a;

	if (family == AF_INET)
		alen = 4;
	else if (family == AF_INET6)
		alen = 16;
	else
		return EAFNOSUPPORT;
	pad = (PTR_ALIGN - (uintptr_t)buf % PTR_ALIGN) % PTR_ALIGN;
	namesize = strlen(name) + 1;
	if (hostent_size(naddrs, alen, namesize, &need) != 0 ||
	    pad > buflen || need > buflen - pad)
		return ERANGE;

	aliases = (char **)(void *)(buf + pad);
	list = aliases + 1;
	a = (char *)(list + naddrs + 1);
	aliases[0] = NULL;
	for (i = 0; i < naddrs; i++) {
		list[i] = a + i * alen;
		memcpy(list[i], addrs + i * alen, alen);
	}
	list[naddrs] = NULL;
	he->h_name = a + naddrs * alen;
	memcpy(he->h_name, name, namesize);
	he->h_aliases = aliases;
	he->h_addrtype = family;
	he->h_length = (int)alen;
	he->h_addr_list = list;
	return 0;
}

/* Size of the sockaddr for ss's family; 0 for other families. */
static socklen_t
sa_len(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return sizeof(struct sockaddr_in);
	if (ss->ss_family == AF_INET6)
		return sizeof(struct sockaddr_in6);
	return 0;
}

/*
 * Bytes of the whole block: ai entries, one sockaddr slot per entry
 * (its family's size, rounded to SA_ALIGN), the canonical name.
 * 0 on an unknown family or overflow.
 */
static size_t
addrinfo_size(const struct sockaddr_storage *addrs, size_t naddrs,
    size_t ntmpl, size_t canonsize)
{
	size_t total, i, slot;

	if (__builtin_mul_overflow(naddrs, ntmpl, &total) ||
	    __builtin_mul_overflow(total, sizeof(struct addrinfo), &total) ||
	    total > SIZE_MAX - SA_ALIGN)
		return 0;
	total = round_up(total, SA_ALIGN);
	for (i = 0; i < naddrs; i++) {
		if (sa_len(&addrs[i]) == 0)
			return 0;
		if (__builtin_mul_overflow(round_up(sa_len(&addrs[i]),
		    SA_ALIGN), ntmpl, &slot) ||
		    __builtin_add_overflow(total, slot, &total))
			return 0;
	}
	if (__builtin_add_overflow(total, canonsize, &total))
		return 0;
	return total;
}

/* Copy the address (and v6 flow/scope) of src into dst with port. */
static void
sa_fill(void *dst, const struct sockaddr_storage *src, uint16_t port)
{
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)src;
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)src;
	struct sockaddr_in *d4 = dst;
	struct sockaddr_in6 *d6 = dst;

	if (src->ss_family == AF_INET) {
		d4->sin_family = AF_INET;
		d4->sin_addr = s4->sin_addr;
		d4->sin_port = htons(port);
	} else {
		d6->sin6_family = AF_INET6;
		d6->sin6_addr = s6->sin6_addr;
		d6->sin6_flowinfo = s6->sin6_flowinfo;
		d6->sin6_scope_id = s6->sin6_scope_id;
		d6->sin6_port = htons(port);
	}
}

/*
 * Build the getaddrinfo result for the fake (or direct) addresses: one
 * calloc block, entries first, so the caller's freeaddrinfo hook frees
 * it with pack_addrinfo_free.  RFC 3493 section 6.1 gives the fields.
 */
struct addrinfo *
pack_addrinfo(const struct sockaddr_storage *addrs, size_t naddrs,
    const struct pack_ai_tmpl *tmpl, size_t ntmpl, const char *canon,
    int flags)
{
	struct addrinfo *ai, *e;
	size_t canonsize, total, i, j, k = 0;
	char *sa;

	if (naddrs == 0 || ntmpl == 0)
		return NULL;
	canonsize = canon != NULL ? strlen(canon) + 1 : 0;
	if ((total = addrinfo_size(addrs, naddrs, ntmpl, canonsize)) == 0 ||
	    (ai = calloc(1, total)) == NULL)
		return NULL;
	sa = (char *)ai + round_up(naddrs * ntmpl * sizeof(*ai), SA_ALIGN);
	for (i = 0; i < naddrs; i++)
		for (j = 0; j < ntmpl; j++, k++) {
			e = &ai[k];
			e->ai_flags = flags;
			e->ai_family = addrs[i].ss_family;
			e->ai_socktype = tmpl[j].socktype;
			e->ai_protocol = tmpl[j].protocol;
			e->ai_addrlen = sa_len(&addrs[i]);
			e->ai_addr = (struct sockaddr *)(void *)sa;
			sa_fill(sa, &addrs[i], tmpl[j].port);
			sa += round_up(e->ai_addrlen, SA_ALIGN);
			e->ai_next = k + 1 < naddrs * ntmpl ? e + 1 : NULL;
		}
	if (canon != NULL) {
		memcpy(sa, canon, canonsize);
		ai->ai_canonname = sa;
	}
	return ai;
}

/* Release a chain from pack_addrinfo (one block); NULL is a no-op. */
void
pack_addrinfo_free(struct addrinfo *ai)
{
	free(ai);
}
