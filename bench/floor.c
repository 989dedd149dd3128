/*
 * libnss_floor: the cheapest possible glibc NSS services module, the floor
 * against which libnss_iana is measured (issue 5).
 *
 * getservbyname_r and getservbyport_r ignore their key and fill one fixed
 * entry ("http", alias "www", 80/tcp) into the caller's buffer with the same
 * ERANGE contract as a real module (TRYAGAIN + ERANGE when the buffer is too
 * small), and return SUCCESS at once: no file, no lock, no system call.
 *
 * getservent_r returns N copies of that entry, then NOTFOUND; N is 12045 (the
 * full registry's services(5) lines) or $NSS_FLOOR_N, read at setservent or
 * at the first getservent_r of an enumeration.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <nss.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))

EXPORT nss_getservbyname_r _nss_floor_getservbyname_r;
EXPORT nss_getservbyport_r _nss_floor_getservbyport_r;
EXPORT nss_setservent _nss_floor_setservent;
EXPORT nss_getservent_r _nss_floor_getservent_r;
EXPORT nss_endservent _nss_floor_endservent;

#define FLOOR_N_DEFAULT 12045

/* "http\0www\0tcp\0": name, the one alias, the protocol. */
static const char strings[] = "http\0www\0tcp";
#define NAME_OFF 0
#define ALIAS_OFF 5
#define PROTO_OFF 9

static enum nss_status fill(struct servent *res, char *buf, size_t buflen, int *errnop)
{
	size_t pad = (alignof(char *) - (uintptr_t)buf % alignof(char *)) % alignof(char *);
	size_t need = pad + 2 * sizeof(char *) + sizeof(strings);
	char **aliases, *p;

	if (buflen < need) {
		*errnop = ERANGE;
		return NSS_STATUS_TRYAGAIN;
	}
	aliases = (char **)(void *)(buf + pad);
	p = (char *)(aliases + 2);
	memcpy(p, strings, sizeof(strings));
	aliases[0] = p + ALIAS_OFF;
	aliases[1] = NULL;
	res->s_name = p + NAME_OFF;
	res->s_aliases = aliases;
	res->s_port = (int)htons(80);
	res->s_proto = p + PROTO_OFF;
	return NSS_STATUS_SUCCESS;
}

enum nss_status _nss_floor_getservbyname_r(const char *name, const char *proto,
					   struct servent *res, char *buf, size_t buflen,
					   int *errnop)
{
	(void)name;
	(void)proto;
	return fill(res, buf, buflen, errnop);
}

enum nss_status _nss_floor_getservbyport_r(int port, const char *proto, struct servent *res,
					   char *buf, size_t buflen, int *errnop)
{
	(void)port;
	(void)proto;
	return fill(res, buf, buflen, errnop);
}

/* The enumeration: entries handed out so far, and how many to hand out. */
static atomic_ulong ent_next;
static atomic_ulong ent_total;   /* 0: not started */

static unsigned long floor_n(void)
{
	const char *s = getenv("NSS_FLOOR_N");
	char *end;
	unsigned long n;

	if (s == NULL || *s == '\0')
		return FLOOR_N_DEFAULT;
	n = strtoul(s, &end, 10);
	return *end == '\0' ? n : FLOOR_N_DEFAULT;
}

enum nss_status _nss_floor_setservent(int stayopen)
{
	(void)stayopen;
	atomic_store(&ent_next, 0);
	atomic_store(&ent_total, floor_n() + 1);   /* stored +1 so 0 means "not started" */
	return NSS_STATUS_SUCCESS;
}

enum nss_status _nss_floor_endservent(void)
{
	atomic_store(&ent_next, 0);
	atomic_store(&ent_total, 0);
	return NSS_STATUS_SUCCESS;
}

enum nss_status _nss_floor_getservent_r(struct servent *res, char *buf, size_t buflen,
					int *errnop)
{
	enum nss_status st;
	unsigned long total = atomic_load(&ent_total);

	if (total == 0) {
		total = floor_n() + 1;
		atomic_store(&ent_total, total);
	}
	if (atomic_load(&ent_next) >= total - 1)
		return NSS_STATUS_NOTFOUND;
	st = fill(res, buf, buflen, errnop);
	/* Advance only on success: after ERANGE the retry gets the same entry. */
	if (st == NSS_STATUS_SUCCESS)
		atomic_fetch_add(&ent_next, 1);
	return st;
}
