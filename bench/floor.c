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
 *
 * Built a second time with -DFLOOR_TOUCH as libnss_touch: a lower bound on
 * what any module that answers from the registry must spend in time above
 * the floor.  A module that answers must at least read the key it is asked
 * for (the floor never does) and fetch that key's answer from a table that
 * holds every answer: one load, at a place the key decides, that the rest
 * of the lookup depends on.  That is all touch adds to the floor:
 *
 *   by name: the name read as two words (strnlen and word loads, as bare
 *            and iana do), one multiply for a hash, one 8-byte load from
 *            the table at the hashed place, a branch on what it read;
 *   by port: one 8-byte load at the place the port decides, a branch;
 *
 * then the floor's fixed answer.  The table is $NSS_TOUCH_KB KiB (default
 * 64) of random words, written at load, so that each of its pages is a page
 * of its own.  64 KiB is smaller than any table that holds the registry's
 * answers (its distinct names and aliases alone take about 62,000 bytes with
 * their NULs, before any port, protocol or structure), and larger than this
 * machine's 48 KiB L1 data cache, as every such table is.  Everything else a
 * real module does (compare the whole name, resolve the protocol, copy the
 * answer's own strings) it leaves out.
 *
 * Built a third time with -DFLOOR_MAP as libnss_mapfloor: a lower bound on
 * what a module that answers from a mapped database file must add to the
 * floor's first lookup in a process.  Before it answers for the first time it opens
 * $NSS_IANA_DB, learns its size with fstat (mapping and reading past the end
 * of a file raises SIGBUS, so a module must know where the file ends, and
 * must know which file it mapped to notice a replacement), maps it, closes
 * it and reads the first word of its header, as every module must before it
 * trusts the rest.  That is all: no validation, no lookup in the file, no
 * other page, no bookkeeping; later lookups are the floor's.  If any step
 * fails, every lookup says UNAVAIL.  (A bound for a module that maps its
 * file, as one that makes no system call per lookup does, or reads it into
 * pages of its own, which fault as they are written.)
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
#include <sys/mman.h>
#ifdef FLOOR_MAP
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

#include "module.h"

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

#ifdef FLOOR_MAP
/* 1: mapped, -1: failed, 0: not yet.  The bench's processes have one thread. */
static int mapped;

/* Out of line: the lookups' own path is one test of mapped, as the floor's plus a branch. */
__attribute__((noinline, cold)) static int map_once(void)
{
	const char *path = getenv("NSS_IANA_DB");
	const volatile uint64_t *head;
	struct stat st;
	void *p = MAP_FAILED;
	int fd;

	if (mapped != 0)
		return mapped;
	mapped = -1;
	fd = path != NULL ? open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY) : -1;
	if (fd < 0)
		return mapped;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 8)
		p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return mapped;
	head = p;
	if (*head != 0)   /* the header's first word: the page fault every module takes */
		mapped = 1;
	return mapped;
}
#define FLOOR_READY(errnop) \
	do { \
		if (__builtin_expect(mapped <= 0, 0) && map_once() < 0) { \
			*(errnop) = ENOENT; \
			return NSS_STATUS_UNAVAIL; \
		} \
	} while (0)
#else
#define FLOOR_READY(errnop) ((void)0)
#endif

#ifndef FLOOR_TOUCH
enum nss_status FN(getservbyname_r)(const char *name, const char *proto, struct servent *res,
				    char *buf, size_t buflen, int *errnop)
{
	(void)name;
	(void)proto;
	FLOOR_READY(errnop);
	return fill(res, buf, buflen, errnop);
}

enum nss_status FN(getservbyport_r)(int port, const char *proto, struct servent *res,
				    char *buf, size_t buflen, int *errnop)
{
	(void)port;
	(void)proto;
	FLOOR_READY(errnop);
	return fill(res, buf, buflen, errnop);
}
#else
static const uint64_t *table;
static unsigned table_bits;   /* the table has 1 << table_bits words */

__attribute__((constructor)) static void touch_load(void)
{
	const char *s = getenv("NSS_TOUCH_KB");
	unsigned long kb = s != NULL && *s != '\0' ? strtoul(s, NULL, 10) : 64;
	uint64_t x = UINT64_C(0x9e3779b97f4a7c15), *t;
	size_t words;

	for (table_bits = 3; table_bits < 27 && ((size_t)8 << table_bits) < kb * 1024; table_bits++)
		;
	words = (size_t)1 << table_bits;
	t = mmap(NULL, words * 8, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (t == MAP_FAILED)
		return;   /* every lookup then says NOTFOUND */
	for (size_t i = 0; i < words; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		t[i] = x | 1;   /* never zero */
	}
	table = t;
}

static inline uint64_t load_le(const unsigned char *p, size_t n)
{
	uint64_t v = 0;

	memcpy(&v, p, n);
	return v;
}

enum nss_status FN(getservbyname_r)(const char *name, const char *proto, struct servent *res,
				    char *buf, size_t buflen, int *errnop)
{
	size_t n = strnlen(name, 16);
	const unsigned char *u = (const unsigned char *)name;
	uint64_t k0, k1 = 0;

	(void)proto;
	if (table == NULL || n == 0 || n > 15)
		return NSS_STATUS_NOTFOUND;
	/* Two zero-padded words, read only within the name, as bare reads it. */
	if (n >= 8) {
		k0 = load_le(u, 8);
		k1 = n == 8 ? 0 : load_le(u + n - 8, 8) >> 8 * (16 - n);
	} else if (n >= 4) {
		k0 = load_le(u, 4) | load_le(u + n - 4, 4) << 8 * (n - 4);
	} else {
		k0 = (uint64_t)u[0] | (uint64_t)u[n / 2] << 8 * (n / 2) | (uint64_t)u[n - 1] << 8 * (n - 1);
	}
	if (table[((k0 ^ k1 * UINT64_C(0x9e3779b97f4a7c15)) * UINT64_C(0xff51afd7ed558ccd)) >>
		  (64 - table_bits)] == k0)
		return NSS_STATUS_NOTFOUND;   /* a random word: as good as never */
	return fill(res, buf, buflen, errnop);
}

enum nss_status FN(getservbyport_r)(int port, const char *proto, struct servent *res,
				    char *buf, size_t buflen, int *errnop)
{
	(void)proto;
	/* Ports spread over the table, as their answers are in any table of them. */
	if (table == NULL ||
	    table[((uint64_t)(uint16_t)port * UINT64_C(0x9e3779b97f4a7c15)) >> (64 - table_bits)] == 0)
		return NSS_STATUS_NOTFOUND;   /* never */
	return fill(res, buf, buflen, errnop);
}
#endif

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

enum nss_status FN(setservent)(int stayopen)
{
	(void)stayopen;
	atomic_store(&ent_next, 0);
	atomic_store(&ent_total, floor_n() + 1);   /* stored +1 so 0 means "not started" */
	return NSS_STATUS_SUCCESS;
}

enum nss_status FN(endservent)(void)
{
	atomic_store(&ent_next, 0);
	atomic_store(&ent_total, 0);
	return NSS_STATUS_SUCCESS;
}

enum nss_status FN(getservent_r)(struct servent *res, char *buf, size_t buflen, int *errnop)
{
	enum nss_status st;
	unsigned long total = atomic_load(&ent_total);

	FLOOR_READY(errnop);
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
