/*
 * libnss_bare: the cheapest services module that really looks a key up, a
 * measuring stick for how little any module that answers from the registry
 * can do above the floor (issue 5).  Not a module to use.
 *
 * When it is loaded it reads a services(5) file ($NSS_BARE_SERVICES, else
 * /etc/services, where bench/run.sh bind-mounts the database's dump) into
 * tables on the heap, every answer rendered in advance.  A lookup then does
 * only what no lookup can avoid: it reads the name (or port) and the
 * protocol, finds the answer with one hash probe (or one array index), and
 * copies it into the caller's buffer.
 *
 * What it leaves out, against libnss_iana: the RFC 6335 case-insensitive
 * fallback (names are compared exactly), every check of what it reads (the
 * tables are its own, in its own memory), noticing a replaced file, and
 * anything but tcp, udp, sctp and dccp.  Lines that do not fit its fixed
 * sizes are skipped; the registry's dump has none.
 *
 * Built a second time with -DBARE_LIVE as libnss_barelive: the same, plus
 * what a module must add to every lookup to notice a replaced file without
 * a system call, as libnss_iana does (issue 3): a once-a-second test of
 * time(), served by the vDSO, and a generation check (a seqlock) around the
 * lookup.  The file is never looked at again: that would happen once a
 * second, out of line, and is not what a lookup costs.
 *
 * Built a third time with -DBARE_LIVE -DBARE_CHECKED as libnss_barecheck:
 * bare + live update, with what its lookups would need if its tables were
 * a file that another process wrote (as libnss_iana's database is), and
 * nothing more.  Per lookup: the record index read from a table is checked
 * against the number of records (which also rules out NONE), the record is
 * verified once (its lengths and offsets, its NULs) and a bit remembers it,
 * and the protocol, found by bare's switch on four known names, goes
 * through a map from those to the table's own protocol indexes, which is
 * made once, when the tables are loaded, from the protocol names the table
 * holds.  What a reader checks once per file costs a lookup nothing and is
 * left out: that the port table has 65,536 rows (a port cannot then be out
 * of it) and that the slot table has an empty slot (the probe then ends).
 * So it says what bare's layout -- one probe, then one record with the
 * answer rendered in advance -- costs as a checked database, at the least.
 * Still exact names only, and private tables.
 *
 * Built a fourth time with -DBARE_LIVE -DBARE_CHECKED -DBARE_COMPACT as
 * libnss_barecompact: barecheck with, by port, the index the size budget of
 * libnss_iana's database leaves room for (FORMAT.md, section 1: 256 KiB of
 * lookup data for the registry of 2026-08-17) in place of the 65,536-row
 * table, which alone would be half the budget at two bytes a row.  It is
 * iana's rank directory, a bitmap of the ports that have a line and the
 * running count of its words, counted as iana's reader counts it
 * (iana_rank_popcount()), then a row per such port with the first line of
 * each protocol (no column for a NULL protocol: the smallest of the four).
 * Those 61,040 bytes for the registry's 6,350 ports fit the budget where
 * iana's own port index (46,944 bytes) is; the records they lead to, 64
 * bytes a line, do not, and are kept, so what it costs by port is a lower
 * bound, as far as we know how to build one, for a port lookup in a
 * database of that size.  By name it is barecheck.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <nss.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db-lookup.h"
#include "module.h"

#if defined(BARE_COMPACT) && IANA_POPCNT_ASM
#include <sys/platform/x86.h>
#endif

#define NPROTO IANA_KNOWN_PROTOS
#define MAXALIAS 3
#define NONE UINT16_MAX
#define STR 56          /* every answer's strings, zero-padded */
/* The lookup path is inlined whole into each entry point. */
#define HOT static inline __attribute__((always_inline))

#define HASH_BITS 14    /* 16,384 slots, at most half of them used */

/* One services(5) line, its strings as they will be in the caller's buffer: a cache line. */
struct rec {
	char s[STR];                 /* name\0alias\0...protocol\0, zeros after */
	uint16_t port;               /* host order */
	uint8_t nalias, len;         /* len: bytes of s in use */
	uint8_t off[MAXALIAS];       /* each alias's offset in s */
	uint8_t proto_off;
} __attribute__((aligned(64)));
_Static_assert(sizeof(struct rec) == 64, "a record is one cache line");

/* A name: as two zero-padded words; the first line holding it per protocol. */
struct slot {
	uint64_t k0, k1;
	uint16_t any, by_proto[NPROTO];
};

static struct rec *recs;
static size_t nrecs;
static struct slot *slots;      /* 1 << HASH_BITS, k0 == 0: empty */
static size_t nnames;           /* slots in use, kept at most half */
static uint16_t (*ports)[NPROTO + 1];   /* 65,536: per protocol, then any */

#ifdef BARE_COMPACT
/* By port, the compact index that replaces ports[] once it is built. */
static uint64_t *port_bits;              /* 1,024 words: bit p, port p has a line */
static uint16_t *port_rank;              /* 1,024: the bits set in the words before */
static uint16_t (*port_rows)[NPROTO];    /* per port with a line, by rank: per protocol */
static volatile uint32_t file_nports;    /* the rows, as a header would say */
static struct iana_db rank_db;           /* only its popcnt, as iana_db_open() sets it */
#endif

#ifdef BARE_CHECKED
/*
 * What a reader of a file takes from its header: the number of records,
 * read from memory at every lookup (volatile: never known to the
 * compiler), and the protocol names, mapped once to the known ones.
 */
static volatile size_t file_nrecs;
static const char file_protos[NPROTO][8] = { "tcp", "udp", "sctp", "dccp" };
static int8_t proto_map[NPROTO];   /* known protocol -> the table's index, or -1 */
static uint8_t *rec_ok;            /* a bit per record: verified */

/*
 * Once per file: where each known protocol is among the table's names, as
 * libnss_iana's iana_db_open() maps them (backwards: the first one wins).
 */
static void map_protos(void)
{
	memset(proto_map, -1, sizeof(proto_map));
	for (int i = NPROTO; i-- > 0;) {
		int k = iana_known_proto(file_protos[i]);

		if (k >= 0)
			proto_map[k] = (int8_t)i;
	}
}

/* The table's index of protocol name p, or -1. */
HOT int proto_id_checked(const char *p)
{
	int k = iana_known_proto(p);

	return k < 0 ? -1 : proto_map[k];
}
#endif

HOT uint64_t load64(const void *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

HOT uint32_t load32(const void *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* A name of 1 to 15 bytes as two zero-padded words (read only within it), or -1. */
HOT int name_words(const char *s, uint64_t *k0, uint64_t *k1)
{
	size_t n = strnlen(s, 16);
	const unsigned char *u = (const unsigned char *)s;

	if (n == 0 || n > 15)
		return -1;
	if (n >= 8) {
		*k0 = load64(u);
		*k1 = n == 8 ? 0 : load64(u + n - 8) >> 8 * (16 - n);
	} else if (n >= 4) {
		*k0 = (uint64_t)load32(u) | (uint64_t)load32(u + n - 4) << 8 * (n - 4);
		*k1 = 0;
	} else {
		*k0 = (uint64_t)u[0] | (uint64_t)u[n / 2] << 8 * (n / 2) | (uint64_t)u[n - 1] << 8 * (n - 1);
		*k1 = 0;
	}
	return 0;
}

HOT uint32_t hash(uint64_t k0, uint64_t k1)
{
	return (uint32_t)(((k0 ^ k1 * UINT64_C(0x9e3779b97f4a7c15)) * UINT64_C(0xff51afd7ed558ccd)) >>
			  (64 - HASH_BITS));
}

HOT struct slot *slot_for(uint64_t k0, uint64_t k1)
{
	uint32_t mask = (1u << HASH_BITS) - 1;

	for (uint32_t h = hash(k0, k1);; h = (h + 1) & mask) {
		struct slot *s = &slots[h];

		if (s->k0 == 0 || (s->k0 == k0 && s->k1 == k1))
			return s;
	}
}

static void add_name(const char *name, uint16_t r, int pid)
{
	uint64_t k0, k1;
	struct slot *s;

	if (name_words(name, &k0, &k1) < 0)
		return;
	s = slot_for(k0, k1);
	if (s->k0 == 0) {
		if (nnames >= (1u << HASH_BITS) / 2)
			return;
		nnames++;
		s->k0 = k0;
		s->k1 = k1;
		s->any = NONE;
		for (int i = 0; i < NPROTO; i++)
			s->by_proto[i] = NONE;
	}
	if (s->any == NONE)
		s->any = r;
	if (s->by_proto[pid] == NONE)
		s->by_proto[pid] = r;
}

#ifdef BARE_COMPACT
/* ports[] into the compact index, then ports[] is freed.  0, or -1 out of memory. */
static int compact_ports(void)
{
	uint32_t n = 0;

	port_bits = calloc(1024, sizeof(*port_bits));
	port_rank = calloc(1024, sizeof(*port_rank));
	for (uint32_t p = 0; p < 65536; p++)
		n += ports[p][NPROTO] != NONE;
	port_rows = malloc((n ? n : 1) * sizeof(*port_rows));
	if (port_bits == NULL || port_rank == NULL || port_rows == NULL)
		return -1;
	n = 0;
	for (uint32_t w = 0; w < 1024; w++) {
		port_rank[w] = (uint16_t)n;
		for (uint32_t b = 0; b < 64; b++) {
			if (ports[64 * w + b][NPROTO] == NONE)
				continue;
			port_bits[w] |= UINT64_C(1) << b;
			memcpy(port_rows[n++], ports[64 * w + b], sizeof(*port_rows));
		}
	}
	file_nports = n;
#if IANA_POPCNT_ASM
	rank_db.popcnt = CPU_FEATURE_ACTIVE(POPCNT);
#endif
	free(ports);
	ports = NULL;
	return 0;
}
#endif

/* Read the file into the tables; on any failure there are none (all misses). */
__attribute__((constructor)) static void load(void)
{
	const char *path = getenv("NSS_BARE_SERVICES");
	char line[1024];
	size_t cap = 0;
	int good = 0;
	FILE *f;

	f = fopen(path != NULL && path[0] != '\0' ? path : "/etc/services", "re");
	slots = calloc((size_t)1 << HASH_BITS, sizeof(*slots));
	ports = malloc(65536 * sizeof(*ports));
	if (f == NULL || slots == NULL || ports == NULL)
		goto out;
	memset(ports, 0xff, 65536 * sizeof(*ports));
	while (fgets(line, sizeof(line), f) != NULL && nrecs < NONE) {
		char *save, *name, *pp, *proto, *w[1 + MAXALIAS + 1], *slash;
		struct rec r = { .nalias = 0 };
		unsigned long port;
		size_t nw = 0, len = 0;
		int pid;

		line[strcspn(line, "#\n")] = '\0';
		if ((name = strtok_r(line, " \t", &save)) == NULL ||
		    (pp = strtok_r(NULL, " \t", &save)) == NULL || (slash = strchr(pp, '/')) == NULL)
			continue;
		*slash = '\0';
		proto = slash + 1;
		port = strtoul(pp, NULL, 10);
		if ((pid = iana_known_proto(proto)) < 0 || port > 65535)
			continue;
		w[nw++] = name;
		while (nw < 1 + MAXALIAS + 1 && (w[nw] = strtok_r(NULL, " \t", &save)) != NULL)
			nw++;
		if (nw > 1 + MAXALIAS)
			continue;
		for (size_t i = 0; i < nw; i++) {
			size_t n = strlen(w[i]) + 1;

			if (len + n + strlen(proto) + 1 > STR)
				goto next;
			if (i > 0)
				r.off[i - 1] = (uint8_t)len;
			memcpy(r.s + len, w[i], n);
			len += n;
		}
		r.proto_off = (uint8_t)len;
		memcpy(r.s + len, proto, strlen(proto) + 1);
		r.len = (uint8_t)(len + strlen(proto) + 1);
		r.nalias = (uint8_t)(nw - 1);
		r.port = (uint16_t)port;
		if (nrecs == cap) {
			struct rec *p = aligned_alloc(64, (cap = cap ? 2 * cap : 4096) * sizeof(*recs));

			if (p == NULL)
				goto out;
			if (nrecs > 0)
				memcpy(p, recs, nrecs * sizeof(*recs));
			free(recs);
			recs = p;
		}
		recs[nrecs] = r;
		for (size_t i = 0; i < nw; i++)
			add_name(w[i], (uint16_t)nrecs, pid);
		if (ports[port][pid] == NONE)
			ports[port][pid] = (uint16_t)nrecs;
		if (ports[port][NPROTO] == NONE)
			ports[port][NPROTO] = (uint16_t)nrecs;
		nrecs++;
next:;
	}
	good = !ferror(f);
#ifdef BARE_CHECKED
	rec_ok = calloc(nrecs / 8 + 1, 1);
	good = good && rec_ok != NULL;
	file_nrecs = nrecs;
	map_protos();
#endif
#ifdef BARE_COMPACT
	good = good && compact_ports() == 0;
#endif
out:
	if (f != NULL)
		fclose(f);
	if (!good) {
		free(slots);
		free(ports);
		free(recs);
		slots = NULL;
		ports = NULL;
		recs = NULL;
		nrecs = 0;
#ifdef BARE_COMPACT
		free(port_bits);
		free(port_rank);
		free(port_rows);
		port_rows = NULL;
		file_nports = 0;
#endif
	}
}

HOT enum nss_status fill(const struct rec *r, uint16_t port, struct servent *res, char *buf,
			    size_t buflen, int *errnop)
{
	size_t pad = (alignof(char *) - (uintptr_t)buf % alignof(char *)) % alignof(char *);
	size_t head = pad + (r->nalias + 1u) * sizeof(char *);
	char **aliases = (char **)(void *)(buf + pad), *p = buf + head;

	if (__builtin_expect(buflen < head + STR, 0)) {
		if (buflen < head + r->len) {
			*errnop = ERANGE;
			return NSS_STATUS_TRYAGAIN;
		}
		memcpy(p, r->s, r->len);
	} else {
		memcpy(p, r->s, STR);
	}
	for (unsigned k = 0; k < r->nalias; k++)
		aliases[k] = p + r->off[k];
	aliases[r->nalias] = NULL;
	res->s_name = p;
	res->s_aliases = aliases;
	res->s_port = (int)htons(port);
	res->s_proto = p + r->proto_off;
	return NSS_STATUS_SUCCESS;
}

#ifdef BARE_CHECKED
/* Out of line, once per record: what fill() relies on, and its bit. */
__attribute__((noinline, cold)) static int rec_verify(uint16_t r)
{
	const struct rec *x = &recs[r];

	if (x->len > STR || x->nalias > MAXALIAS || x->proto_off < 2 ||
	    x->proto_off >= x->len || x->s[x->len - 1] != '\0' || x->s[x->proto_off - 1] != '\0')
		return -1;
	for (unsigned k = 0; k < x->nalias; k++)
		if (x->off[k] == 0 || x->off[k] >= x->proto_off || x->s[x->off[k] - 1] != '\0')
			return -1;
	__atomic_fetch_or(&rec_ok[r >> 3], (uint8_t)(1u << (r & 7)), __ATOMIC_RELAXED);
	return 0;
}

/* A record index read from a table (NONE included): in bounds, and its record verified. */
HOT int rec_usable(uint16_t r)
{
	if (r >= file_nrecs)
		return 0;
	return (__atomic_load_n(&rec_ok[r >> 3], __ATOMIC_RELAXED) >> (r & 7) & 1) ||
	       rec_verify(r) == 0;
}
#define FOUND(r) rec_usable(r)
#define proto_of proto_id_checked
#else
#define FOUND(r) ((r) != NONE)
#define proto_of iana_known_proto
#endif

HOT enum nss_status by_name(const char *name, const char *proto, struct servent *res, char *buf,
			    size_t buflen, int *errnop)
{
	uint64_t k0, k1;
	const struct slot *s;
	uint16_t r;
	int pid = NPROTO;

	if (slots == NULL || name_words(name, &k0, &k1) < 0)
		return NSS_STATUS_NOTFOUND;
	if (proto != NULL && (pid = proto_of(proto)) < 0)
		return NSS_STATUS_NOTFOUND;
	s = slot_for(k0, k1);
	if (s->k0 == 0)
		return NSS_STATUS_NOTFOUND;
	r = pid == NPROTO ? s->any : s->by_proto[pid];
	if (!FOUND(r))
		return NSS_STATUS_NOTFOUND;
	return fill(&recs[r], recs[r].port, res, buf, buflen, errnop);
}

HOT enum nss_status by_port(int port, const char *proto, struct servent *res, char *buf,
			    size_t buflen, int *errnop)
{
	int pid = NPROTO;
	uint16_t p = ntohs((uint16_t)port), r;

#ifdef BARE_COMPACT
	uint64_t bits;
	uint32_t rank;

	if (port_rows == NULL || port < 0 || port > 0xffff)
		return NSS_STATUS_NOTFOUND;
	if (proto != NULL && (pid = proto_of(proto)) < 0)
		return NSS_STATUS_NOTFOUND;
	/* As iana's reader: the bit, the rank, the rank bounded by the header's count. */
	bits = port_bits[p >> 6];
	if (!(bits >> (p & 63) & 1))
		return NSS_STATUS_NOTFOUND;
	rank = port_rank[p >> 6] + iana_rank_popcount(&rank_db, bits & ((UINT64_C(1) << (p & 63)) - 1));
	if (rank >= file_nports)
		return NSS_STATUS_NOTFOUND;
	if (pid < NPROTO) {
		r = port_rows[rank][pid];
	} else {   /* lines are in file order: the first of any protocol is the smallest */
		r = port_rows[rank][0];
		for (int i = 1; i < NPROTO; i++)
			r = port_rows[rank][i] < r ? port_rows[rank][i] : r;
	}
#else
	if (ports == NULL || port < 0 || port > 0xffff)
		return NSS_STATUS_NOTFOUND;
	if (proto != NULL && (pid = proto_of(proto)) < 0)
		return NSS_STATUS_NOTFOUND;
	r = ports[p][pid];
#endif
	if (!FOUND(r))
		return NSS_STATUS_NOTFOUND;
	return fill(&recs[r], p, res, buf, buflen, errnop);
}

#ifdef BARE_LIVE
static _Atomic(time_t) checked;
static atomic_uint generation;

/* Where a module would stat its file, once a second. */
__attribute__((noinline)) static void look_again(time_t now)
{
	atomic_store(&checked, now);
}

HOT unsigned live_begin(void)
{
	time_t now = time(NULL);

	if (__builtin_expect(atomic_load_explicit(&checked, memory_order_relaxed) != now, 0))
		look_again(now);
	return atomic_load_explicit(&generation, memory_order_acquire);
}

/* Did the data change under the lookup?  Then its answer is thrown away. */
HOT int live_torn(unsigned gen)
{
	atomic_thread_fence(memory_order_acquire);
	return atomic_load_explicit(&generation, memory_order_relaxed) != gen;
}
#define LIVE(call)                                            \
	for (;;) {                                            \
		unsigned gen = live_begin();                  \
		enum nss_status st = call;                    \
		if (!live_torn(gen))                          \
			return st;                            \
	}
#else
#define LIVE(call) return call;
#endif

enum nss_status FN(getservbyname_r)(const char *name, const char *proto, struct servent *res,
				    char *buf, size_t buflen, int *errnop)
{
	LIVE(by_name(name, proto, res, buf, buflen, errnop))
}

enum nss_status FN(getservbyport_r)(int port, const char *proto, struct servent *res, char *buf,
				    size_t buflen, int *errnop)
{
	LIVE(by_port(port, proto, res, buf, buflen, errnop))
}

/* The enumeration: every line in order.  glibc serializes these calls. */
static size_t ent_next;

enum nss_status FN(setservent)(int stayopen)
{
	(void)stayopen;
	ent_next = 0;
	return NSS_STATUS_SUCCESS;
}

enum nss_status FN(endservent)(void)
{
	ent_next = 0;
	return NSS_STATUS_SUCCESS;
}

enum nss_status FN(getservent_r)(struct servent *res, char *buf, size_t buflen, int *errnop)
{
	enum nss_status st;

	if (ent_next >= nrecs)
		return NSS_STATUS_NOTFOUND;
	st = fill(&recs[ent_next], recs[ent_next].port, res, buf, buflen, errnop);
	/* Advance only on success: after ERANGE the retry gets the same line. */
	if (st == NSS_STATUS_SUCCESS)
		ent_next++;
	return st;
}
