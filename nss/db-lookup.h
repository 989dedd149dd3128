/*
 * The lookup fast path: inline, so that the NSS module compiles a whole
 * lookup, from the name asked for to the caller's filled struct servent,
 * into each entry point.  What runs once per postings list and mapping, or
 * only on a rare path, stays out of line in db-reader.c and servent-fill.c.
 *
 * Every read is bounds-checked against the descriptor (struct iana_db), which
 * never changes, so these functions are safe whatever bytes the mapping holds,
 * including a database replaced (or zeroed) under a reader; such a reader's
 * answer is thrown away by the module's generation check.
 */
#ifndef IANA_DB_LOOKUP_H
#define IANA_DB_LOOKUP_H

#include <arpa/inet.h>
#include <netdb.h>
#include <nss.h>
#include <stdalign.h>
#include <stdint.h>
#include <string.h>

#include "db-reader.h"

#define IANA_HOT static inline __attribute__((always_inline))

/* Out of line: verify a list once (and set its bit), a port inside a range. */
int iana_db_name_list_verify(const struct iana_db *db, uint32_t slot, uint32_t lo, uint32_t hi);
int iana_db_port_list_verify(const struct iana_db *db, uint16_t port, uint32_t rank,
			     uint32_t lo, uint32_t hi);
int iana_db_entry_covers(const struct iana_db *db, uint32_t idx, uint32_t w, uint16_t port);

/* Out of line: iana_fill() for a buffer without room for the worst case. */
enum nss_status iana_fill_exact(const struct iana_db *db, const struct iana_hit *h,
				struct servent *res, char *buf, size_t buflen, int *errnop);

IANA_HOT int iana_bit_get(const uint8_t *map, uint32_t i)
{
	return map != NULL && (__atomic_load_n(&map[i >> 3], __ATOMIC_RELAXED) >> (i & 7) & 1);
}

/*
 * The set bits of x, for a port's rank.  Debian's x86-64 baseline has no
 * popcnt instruction, so the compiler may not use one: where glibc says the
 * CPU has it (iana_db_open() sets db->popcnt), it is used through asm, else
 * counted in software.
 */
IANA_HOT unsigned iana_rank_popcount(const struct iana_db *db, uint64_t x)
{
#if IANA_POPCNT_ASM
	if (__builtin_expect(db->popcnt, 1)) {
		uint64_t n;

		__asm__("popcntq %1, %0" : "=r"(n) : "r"(x) : "cc");
		return (unsigned)n;
	}
#elif defined(__POPCNT__) || defined(__aarch64__)
	(void)db;
	return (unsigned)__builtin_popcountll(x);
#else
	(void)db;
#endif
	return iana_popcount64(x);
}

IANA_HOT uint32_t iana_entry_word(const struct iana_db *db, uint32_t idx)
{
	return iana_get32(db->entries + (size_t)idx * IANA_ENTRY_SIZE);
}

IANA_HOT uint16_t iana_entry_first(const struct iana_db *db, uint32_t idx)
{
	return iana_get16(db->entries + (size_t)idx * IANA_ENTRY_SIZE + 4);
}

IANA_HOT unsigned iana_word_proto(uint32_t w)
{
	return (w >> IANA_ENTRY_PROTO_SHIFT) & IANA_ENTRY_PROTO_MASK;
}

/* The length of a string from its first two words: where its NUL is, or -1. */
IANA_HOT int iana_words_len(uint64_t w0, uint64_t w1)
{
	uint64_t z;

	if ((z = iana_zero_bytes(w0)) != 0)
		return __builtin_ctzll(z) / 8;
	if ((z = iana_zero_bytes(w1)) != 0)
		return 8 + __builtin_ctzll(z) / 8;
	return -1;
}

/*
 * The length of the string at pos in STRINGS, found with one 16-byte load
 * (the section ends with IANA_STRINGS_PAD NULs, so once pos is checked the
 * load stays inside it); the two words loaded in *w0, *w1.  -1 when pos is
 * out of bounds or the string is longer than any name.
 */
IANA_HOT int iana_string_at(const struct iana_db *db, uint32_t pos, uint64_t *w0, uint64_t *w1)
{
	if (pos > db->strings_size - IANA_STRINGS_PAD)
		return -1;
	*w0 = iana_get64(db->strings + pos);
	*w1 = iana_get64(db->strings + pos + 8);
	return iana_words_len(*w0, *w1);
}

/*
 * A string of at most 15 bytes as two zero-padded words, read only within
 * the string: its length, or -1 when it is longer.  Two overlapping loads
 * cover any length between one and two load widths.
 */
IANA_HOT int iana_words(const char *s, uint64_t w[2])
{
	size_t n = strnlen(s, 16);
	const unsigned char *u = (const unsigned char *)s;

	if (n > 15)
		return -1;
	if (n >= 8) {
		w[0] = iana_get64(u);
		w[1] = n == 8 ? 0 : iana_get64(u + n - 8) >> 8 * (16 - n);
	} else if (n >= 4) {
		w[0] = (uint64_t)iana_get32(u) | (uint64_t)iana_get32(u + n - 4) << 8 * (n - 4);
		w[1] = 0;
	} else {
		w[0] = n == 0 ? 0 : (uint64_t)u[0] | (uint64_t)u[n / 2] << 8 * (n / 2) |
				     (uint64_t)u[n - 1] << 8 * (n - 1);
		w[1] = 0;
	}
	return (int)n;
}

/* The number of a known protocol name, or -1.  p is read only as far as it matches. */
IANA_HOT int iana_known_proto(const char *p)
{
	switch (p[0]) {
	case 't':
		return p[1] == 'c' && p[2] == 'p' && p[3] == '\0' ? 0 : -1;
	case 'u':
		return p[1] == 'd' && p[2] == 'p' && p[3] == '\0' ? 1 : -1;
	case 's':
		return p[1] == 'c' && p[2] == 't' && p[3] == 'p' && p[4] == '\0' ? 2 : -1;
	case 'd':
		return p[1] == 'c' && p[2] == 'c' && p[3] == 'p' && p[4] == '\0' ? 3 : -1;
	}
	return -1;
}

/*
 * The index of protocol name proto, or -1: a known protocol through the map
 * made at open, any other by comparing it with the file's names.  proto is
 * read only as far as it matches.
 */
IANA_HOT int iana_proto_index(const struct iana_db *db, const char *proto)
{
	int k = iana_known_proto(proto);

	if (__builtin_expect(k >= 0, 1))
		return db->proto_known[k];
	return iana_db_proto_other(db, proto);
}

/* A name asked for: as given and folded, two zero-padded words each. */
struct iana_name_query {
	uint64_t q0, q1;       /* the name */
	uint64_t f0, f1;       /* folded */
	uint64_t m0, m1;       /* over the name and its NUL: one compare checks the length too */
};

/* Masks over the first n + 1 bytes of two words, for n = 0 ... 15. */
#define IANA_ONES(b) ((b) <= 0 ? 0 : (b) >= 8 ? UINT64_MAX : UINT64_MAX >> ((64 - 8 * (b)) & 63))
#define IANA_M(n) { IANA_ONES((n) + 1), IANA_ONES((n) - 7) }
static const uint64_t iana_name_masks[16][2] = {
	IANA_M(0), IANA_M(1), IANA_M(2), IANA_M(3), IANA_M(4), IANA_M(5), IANA_M(6), IANA_M(7),
	IANA_M(8), IANA_M(9), IANA_M(10), IANA_M(11), IANA_M(12), IANA_M(13), IANA_M(14), IANA_M(15),
};
#undef IANA_M
#undef IANA_ONES

/* The slot of a folded name. */
IANA_HOT uint32_t iana_db_name_slot(const struct iana_db *db, uint64_t f0, uint64_t f1)
{
	uint64_t h = iana_name_hash_words(f0, f1, db->name_seed);
	uint32_t b = iana_name_bucket(h, db->name_buckets);

	return iana_name_slot(h, iana_get16(db->name_disp + 2 * b), db->name_slots);
}

/*
 * How the block of an entry (word w) holds the name asked for: 2 as one of
 * its strings exactly, 1 only ignoring ASCII case, 0 not at all, -1 when the
 * block is damaged.
 */
IANA_HOT int iana_block_match(const struct iana_db *db, uint32_t w,
			      const struct iana_name_query *q)
{
	uint32_t pos = w & IANA_ENTRY_BLOCK_MASK;
	unsigned nalias = w >> IANA_ENTRY_NALIAS_SHIFT;
	int match = 0;

	for (unsigned k = 0;; k++) {
		uint64_t w0, w1;
		int len;

		if (pos > db->strings_size - IANA_STRINGS_PAD)
			return -1;
		w0 = iana_get64(db->strings + pos);
		w1 = iana_get64(db->strings + pos + 8);
		if ((w0 & q->m0) == q->q0 && (w1 & q->m1) == q->q1)
			return 2;
		if (match == 0 && (iana_lower8(w0) & q->m0) == q->f0 &&
		    (iana_lower8(w1) & q->m1) == q->f1)
			match = 1;
		if (k == nalias)
			return match;
		/* On to the next alias, past this string's NUL (looked for only now). */
		if ((len = iana_words_len(w0, w1)) < 0)
			return -1;
		pos += (uint32_t)len + 1;
	}
}

#define IANA_BLOCK_AND_ALIASES (IANA_ENTRY_BLOCK_MASK | ~UINT32_C(0) << IANA_ENTRY_NALIAS_SHIFT)

/*
 * First entry in registry order whose name or an alias equals name and whose
 * protocol is proto (any when NULL); when there is none, the first whose name
 * or an alias equals it ignoring ASCII case.  1 and *h filled, or 0.
 */
IANA_HOT int iana_lookup_name(const struct iana_db *db, const char *name, const char *proto,
			      struct iana_hit *h)
{
	struct iana_name_query q;
	uint64_t w[2];
	uint32_t lo, hi, slot, prev_w = 0, folded = UINT32_MAX, folded_w = 0;
	int n, want = -1, prev_match = 0;

	if ((n = iana_words(name, w)) <= 0 || db->name_slots == 0)
		return 0;
	if (proto != NULL && (want = iana_proto_index(db, proto)) < 0)
		return 0;
	q.q0 = w[0];
	q.q1 = w[1];
	q.f0 = iana_lower8(w[0]);
	q.f1 = w[1] != 0 ? iana_lower8(w[1]) : 0;   /* names of up to 8 bytes: one word */
	q.m0 = iana_name_masks[n][0];
	q.m1 = iana_name_masks[n][1];
	slot = iana_db_name_slot(db, q.f0, q.f1);
	lo = iana_get16(db->name_offs + 2 * slot);
	hi = iana_get16(db->name_offs + 2 * slot + 2);
	if (lo >= hi || hi > db->name_npost)
		return 0;
	if (!iana_bit_get(db->slot_ok, slot) && iana_db_name_list_verify(db, slot, lo, hi) < 0)
		return 0;

	/*
	 * The index is a perfect hash: a slot belongs to one folded name, and
	 * its postings list, in registry order, holds the first entry of every
	 * (exact string, protocol) that folds to it, each verified.  So the
	 * first entry of the wanted protocol that holds the name exactly is the
	 * answer; failing that, the first that holds it ignoring case.  An entry
	 * that does not hold it even ignoring case means the name is not in the
	 * database (another name has the slot): no other entry will.
	 */
	for (uint32_t i = lo; i < hi; i++) {
		uint32_t idx = iana_get16(db->name_post + 2 * i) & IANA_POST_INDEX, wd;
		int match;

		if (idx >= db->n_entries)
			return 0;
		wd = iana_entry_word(db, idx);
		if (want >= 0 && iana_word_proto(wd) != (unsigned)want)
			continue;
		/* Entries of one service on several protocols share a block. */
		if (prev_match != 0 && (wd & IANA_BLOCK_AND_ALIASES) == (prev_w & IANA_BLOCK_AND_ALIASES))
			match = prev_match;
		else
			match = iana_block_match(db, wd, &q);
		if (match <= 0)
			return 0;
		if (match == 2) {
			folded = idx;
			folded_w = wd;
			break;
		}
		if (folded == UINT32_MAX) {
			folded = idx;
			folded_w = wd;
		}
		prev_w = wd;
		prev_match = match;
	}
	if (folded == UINT32_MAX)
		return 0;
	h->idx = folded;
	h->word = folded_w;
	h->port = iana_entry_first(db, folded);
	return 1;
}

/* First entry in registry order covering port (host order) with protocol proto. */
IANA_HOT int iana_lookup_port(const struct iana_db *db, uint16_t port, const char *proto,
			      struct iana_hit *h)
{
	uint64_t bits = iana_get64(db->port_bitmap + 8 * (port >> 6));
	unsigned bit = port & 63;
	uint32_t rank, lo, hi;
	int want = -1;

	if (!(bits >> bit & 1))
		return 0;
	if (proto != NULL && (want = iana_proto_index(db, proto)) < 0)
		return 0;
	rank = iana_get16(db->port_rank + 2 * (port >> 6)) +
	       iana_rank_popcount(db, bits & ((UINT64_C(1) << bit) - 1));
	if (rank >= db->n_ports)
		return 0;
	lo = iana_get16(db->port_offs + 2 * rank);
	hi = iana_get16(db->port_offs + 2 * rank + 2);
	if (lo >= hi || hi > db->port_npost)
		return 0;
	if (!iana_bit_get(db->port_ok, rank) &&
	    iana_db_port_list_verify(db, port, rank, lo, hi) < 0)
		return 0;

	/* In registry order, the first entry of every protocol on this port. */
	for (uint32_t i = lo; i < hi; i++) {
		uint32_t idx = iana_get16(db->port_post + 2 * i) & IANA_POST_INDEX, wd;

		if (idx >= db->n_entries)
			return 0;
		wd = iana_entry_word(db, idx);
		if (want >= 0 && iana_word_proto(wd) != (unsigned)want)
			continue;
		/*
		 * The list was verified for the port it belongs to; a damaged
		 * rank can lead another port here.  So the answer must cover
		 * the port asked for.
		 */
		if (port != iana_entry_first(db, idx) && !iana_db_entry_covers(db, idx, wd, port))
			return 0;
		h->idx = idx;
		h->word = wd;
		h->port = port;
		return 1;
	}
	return 0;
}

/* Padding that aligns buf for the alias array; the buffer may be unaligned. */
IANA_HOT size_t iana_pad_for(const char *buf)
{
	return (alignof(char *) - (uintptr_t)buf % alignof(char *)) % alignof(char *);
}

/*
 * Fill *res from a lookup's answer with s_port = htons(h->port): every
 * pointer into buf, never into the database.  NSS_STATUS_TRYAGAIN with
 * *errnop = ERANGE when buflen is too small, leaving *res untouched;
 * NSS_STATUS_NOTFOUND when the entry's strings are not sound (a database
 * replaced under the reader); else NSS_STATUS_SUCCESS.
 *
 * Layout: padding, alias pointers, name and aliases, protocol.  Every string
 * is at most 16 bytes with its NUL, so with room for each as two whole words
 * the strings are copied a word at a time, their lengths found on the way, in
 * one pass: the case of any buffer a caller really passes (glibc's
 * getservbyname starts at 1024 bytes).  A smaller buffer takes the exact
 * path, which gives the same layout.
 */
IANA_HOT enum nss_status iana_fill(const struct iana_db *db, const struct iana_hit *h,
				   struct servent *res, char *buf, size_t buflen, int *errnop)
{
	unsigned nalias = h->word >> IANA_ENTRY_NALIAS_SHIFT;
	uint32_t pos = h->word & IANA_ENTRY_BLOCK_MASK;
	size_t pad = iana_pad_for(buf);
	char **aliases, *p;

	if (__builtin_expect(buflen < pad + (nalias + 1) * (sizeof(char *) + 16) + 16, 0))
		return iana_fill_exact(db, h, res, buf, buflen, errnop);
	aliases = (char **)(void *)(buf + pad);
	p = (char *)(aliases + nalias + 1);
	for (unsigned k = 0; k <= nalias; k++) {
		uint64_t w0, w1;
		/* Bounds, and a NUL, on every string: the database may be replaced meanwhile. */
		int len = iana_string_at(db, pos, &w0, &w1);

		if (len < 0)
			return NSS_STATUS_NOTFOUND;
		/*
		 * w0 and w1 are little-endian numbers: on a little-endian host
		 * they are the bytes themselves, elsewhere the bytes are copied.
		 */
		if (IANA_LE_HOST) {
			memcpy(p, &w0, 8);
			memcpy(p + 8, &w1, 8);
		} else {
			memcpy(p, db->strings + pos, 16);
		}
		if (k == 0)
			res->s_name = p;
		else
			aliases[k - 1] = p;
		p += len + 1;
		pos += (uint32_t)len + 1;
	}
	aliases[nalias] = NULL;
	/* The protocol, zero-padded at open (its NUL included; all zeros past n_protos). */
	memcpy(p, db->proto_b[iana_word_proto(h->word)], 16);
	res->s_proto = p;
	res->s_aliases = aliases;
	res->s_port = (int)htons(h->port);
	return NSS_STATUS_SUCCESS;
}

#endif
