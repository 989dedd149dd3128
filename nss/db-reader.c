/* Services database reader: header validation, name and port lookups. */
#include <errno.h>
#include <string.h>

#include "db-reader.h"

/* Section i of the table, checked to lie inside the image.  0 or -1. */
static int section(const unsigned char *base, size_t size, unsigned i,
		   uint32_t *off, uint32_t *len)
{
	const unsigned char *p = base + IANA_H_SECTIONS + 8 * i;

	*off = iana_get32(p);
	*len = iana_get32(p + 4);
	if (*len == 0)
		return *off <= size ? 0 : -1;
	/* Subtractions that cannot wrap, as cdb's reader does. */
	if (*off < IANA_DB_HEADER_SIZE || *off > size || *len > size - *off)
		return -1;
	return 0;
}

/* Does STRINGS (ending at end) end with its IANA_STRINGS_PAD NULs? */
static int strings_padded(const unsigned char *end)
{
	for (unsigned i = 1; i <= IANA_STRINGS_PAD; i++)
		if (end[-(int)i] != 0)
			return 0;
	return 1;
}

/* The header check of an opened image: its protocol names, gathered. */
static uint32_t head_check(const struct iana_db *db)
{
	unsigned char names[IANA_MAX_PROTOS * (IANA_PROTO_MAX + 1) + 8] = { 0 };
	size_t n = 0;

	for (uint32_t i = 0; i < db->n_protos; i++) {
		memcpy(names + n, db->proto_name[i], db->proto_len[i] + 1u);
		n += db->proto_len[i] + 1u;
	}
	return iana_head_check(db->base, names, n);
}

int iana_db_open(struct iana_db *db, const void *image, size_t size)
{
	const unsigned char *base = image;
	uint32_t off[IANA_SEC_COUNT], len[IANA_SEC_COUNT];

	memset(db, 0, sizeof(*db));
	if (size < IANA_DB_HEADER_SIZE || size > UINT32_MAX)
		return EINVAL;
	if (memcmp(base + IANA_H_MAGIC, IANA_DB_MAGIC, IANA_DB_MAGIC_LEN) != 0 ||
	    iana_get32(base + IANA_H_VERSION) != IANA_DB_VERSION ||
	    iana_get32(base + IANA_H_HEADER_SIZE) != IANA_DB_HEADER_SIZE ||
	    iana_get32(base + IANA_H_FILE_SIZE) != size ||
	    iana_get32(base + IANA_H_FLAGS) != 0)
		return EINVAL;

	for (unsigned i = 0; i < IANA_SEC_COUNT; i++)
		if (section(base, size, i, &off[i], &len[i]) < 0)
			return EINVAL;

	db->base = base;
	db->size = size;
	db->updated = iana_get32(base + IANA_H_UPDATED);
	db->n_entries = iana_get32(base + IANA_H_N_ENTRIES);
	db->n_lines = iana_get32(base + IANA_H_N_LINES);
	db->n_protos = iana_get32(base + IANA_H_N_PROTOS);
	db->n_names = iana_get32(base + IANA_H_N_NAMES);
	db->name_slots = iana_get32(base + IANA_H_NAME_SLOTS);
	db->name_buckets = iana_get32(base + IANA_H_NAME_BUCKETS);
	db->name_seed = iana_get32(base + IANA_H_NAME_SEED);
	db->n_ports = iana_get32(base + IANA_H_N_PORTS);
	db->n_ranges = iana_get32(base + IANA_H_N_RANGES);

	/* Counts are bounded before they multiply, so no product can wrap. */
	if (db->n_entries > IANA_MAX_ENTRIES || db->n_protos > IANA_MAX_PROTOS ||
	    db->name_slots > IANA_MAX_NAME_SLOTS || db->name_buckets > IANA_MAX_NAME_SLOTS ||
	    db->n_ports > 65536 || db->n_ranges > db->n_entries ||
	    db->n_names > db->name_slots ||
	    (db->name_slots > 0 && db->name_buckets == 0))
		return EINVAL;
	if (len[IANA_SEC_STRINGS] < IANA_STRINGS_PAD || len[IANA_SEC_STRINGS] > IANA_MAX_STRINGS ||
	    !strings_padded(base + off[IANA_SEC_STRINGS] + len[IANA_SEC_STRINGS]) ||
	    len[IANA_SEC_PROTOS] != 4 * db->n_protos ||
	    len[IANA_SEC_ENTRIES] != IANA_ENTRY_SIZE * db->n_entries ||
	    len[IANA_SEC_RANGES] != IANA_RANGE_SIZE * db->n_ranges ||
	    len[IANA_SEC_NAME_DISP] != 2 * db->name_buckets ||
	    len[IANA_SEC_NAME_OFFS] != 2 * (db->name_slots + 1) ||
	    len[IANA_SEC_NAME_POST] % 2 != 0 ||
	    len[IANA_SEC_PORT_BITMAP] != IANA_PORT_BITMAP_SIZE ||
	    len[IANA_SEC_PORT_RANK] != IANA_PORT_RANK_SIZE ||
	    len[IANA_SEC_PORT_OFFS] != 2 * (db->n_ports + 1) ||
	    len[IANA_SEC_PORT_POST] % 2 != 0 ||
	    off[IANA_SEC_RESERVED] != 0 || len[IANA_SEC_RESERVED] != 0)
		return EINVAL;

	db->strings = base + off[IANA_SEC_STRINGS];
	db->strings_size = len[IANA_SEC_STRINGS];
	db->entries = base + off[IANA_SEC_ENTRIES];
	db->ranges = base + off[IANA_SEC_RANGES];
	db->name_disp = base + off[IANA_SEC_NAME_DISP];
	db->name_offs = base + off[IANA_SEC_NAME_OFFS];
	db->name_post = base + off[IANA_SEC_NAME_POST];
	db->name_npost = len[IANA_SEC_NAME_POST] / 2;
	db->port_bitmap = base + off[IANA_SEC_PORT_BITMAP];
	db->port_rank = base + off[IANA_SEC_PORT_RANK];
	db->port_offs = base + off[IANA_SEC_PORT_OFFS];
	db->port_post = base + off[IANA_SEC_PORT_POST];
	db->port_npost = len[IANA_SEC_PORT_POST] / 2;
	db->info = base + off[IANA_SEC_INFO];
	db->info_size = len[IANA_SEC_INFO];

	for (uint32_t i = 0; i < db->n_protos; i++) {
		uint32_t s = iana_get32(base + off[IANA_SEC_PROTOS] + 4 * i);
		size_t n;

		if (s > db->strings_size - IANA_STRINGS_PAD)
			return EINVAL;
		/* The section ends with NULs, so strlen stays inside it. */
		n = strlen((const char *)db->strings + s);
		if (n == 0 || n > IANA_PROTO_MAX)
			return EINVAL;
		db->proto_name[i] = (const char *)db->strings + s;
		db->proto_len[i] = (uint8_t)n;
		if (iana_db_proto_words(db->proto_name[i], db->proto_w[i]) != (int)n)
			return EINVAL;
	}
	if (head_check(db) != iana_get32(base + IANA_H_HEAD_CHECK))
		return EINVAL;
	return 0;
}

/* The last port of range entry idx, by bisection of RANGES.  0 or -1. */
static int range_end(const struct iana_db *db, uint32_t idx, uint16_t *hi)
{
	uint32_t lo = 0, n = db->n_ranges;

	while (lo < n) {
		uint32_t mid = lo + (n - lo) / 2;
		uint32_t at = iana_get16(db->ranges + IANA_RANGE_SIZE * mid);

		if (at == idx) {
			*hi = iana_get16(db->ranges + IANA_RANGE_SIZE * mid + 2);
			return 0;
		}
		if (at < idx)
			lo = mid + 1;
		else
			n = mid;
	}
	return -1;
}

/*
 * The length of the string at pos in STRINGS, found with one 16-byte load
 * (the section ends with IANA_STRINGS_PAD NULs, so once pos is checked the
 * load stays inside it); the two words loaded in *w0, *w1.  -1 when pos is
 * out of bounds or the string is longer than any name.
 */
static int string_at(const struct iana_db *db, uint32_t pos, uint64_t *w0, uint64_t *w1)
{
	uint64_t z;

	if (pos > db->strings_size - IANA_STRINGS_PAD)
		return -1;
	*w0 = iana_get64(db->strings + pos);
	*w1 = iana_get64(db->strings + pos + 8);
	if ((z = iana_zero_bytes(*w0)) != 0)
		return __builtin_ctzll(z) / 8;
	if ((z = iana_zero_bytes(*w1)) != 0)
		return 8 + __builtin_ctzll(z) / 8;
	return -1;
}

/* The last port of entry idx, from its word and RANGES.  0 or -1. */
static int entry_last_port(const struct iana_db *db, uint32_t idx, uint32_t w, uint16_t lo,
			   uint16_t *hi)
{
	*hi = lo;
	if (!(w & IANA_ENTRY_RANGE_BIT))
		return 0;
	return range_end(db, idx, hi) == 0 && *hi > lo ? 0 : -1;
}

/*
 * Decode entry idx without its check.  Every offset is checked, so a damaged
 * entry yields -1 or strings inside the section.
 */
static int entry_peek(const struct iana_db *db, uint32_t idx, struct iana_entry *e,
		      uint32_t *word)
{
	const unsigned char *p;
	uint32_t w, pos, start;
	uint64_t w0, w1;

	if (idx >= db->n_entries)
		return -1;
	p = db->entries + (size_t)idx * IANA_ENTRY_SIZE;
	w = iana_get32(p);
	start = w & IANA_ENTRY_BLOCK_MASK;
	e->proto_idx = (w >> IANA_ENTRY_PROTO_SHIFT) & IANA_ENTRY_PROTO_MASK;
	e->nalias = w >> IANA_ENTRY_NALIAS_SHIFT;
	e->port_lo = iana_get16(p + 4);
	if (e->proto_idx >= db->n_protos ||
	    entry_last_port(db, idx, w, e->port_lo, &e->port_hi) < 0)
		return -1;

	pos = start;
	for (unsigned i = 0; i <= e->nalias; i++) {
		int len = string_at(db, pos, &w0, &w1);

		if (len < 0)
			return -1;
		if (i == 0)
			e->name_len = (unsigned)len;
		pos += (uint32_t)len + 1;
	}
	e->idx = idx;
	e->strings = (const char *)db->strings + start;
	e->strings_len = pos - start;
	e->proto = db->proto_name[e->proto_idx];
	e->proto_len = db->proto_len[e->proto_idx];
	*word = w;
	return 0;
}

static int entry_verify(const struct iana_db *db, uint32_t idx, uint32_t word,
			const struct iana_entry *e)
{
	uint16_t want = iana_get16(db->entries + (size_t)idx * IANA_ENTRY_SIZE + 6);

#ifdef IANA_FUZZ_NO_CHECK
	/* A fuzzing build only: let damaged entries through, to exercise what follows. */
	(void)want;
	return 0;
#endif
	return iana_entry_check(idx, word, e->port_lo, e->port_hi,
				(const unsigned char *)e->strings, e->strings_len,
				(const unsigned char *)e->proto, e->proto_len) == want ? 0 : -1;
}

int iana_db_entry(const struct iana_db *db, uint32_t idx, struct iana_entry *e)
{
	uint32_t word;

	if (entry_peek(db, idx, e, &word) < 0)
		return -1;
	/* An entry verified once in this mapping need not be verified again. */
	if (db->verified != NULL &&
	    (__atomic_load_n(&db->verified[idx >> 3], __ATOMIC_RELAXED) >> (idx & 7) & 1))
		return 0;
	if (entry_verify(db, idx, word, e) < 0)
		return -1;
	if (db->verified != NULL)
		__atomic_fetch_or(&db->verified[idx >> 3], (uint8_t)(1u << (idx & 7)), __ATOMIC_RELAXED);
	return 0;
}

int iana_db_proto_words(const char *s, uint64_t w[2])
{
	size_t n = strnlen(s, 16);
	const unsigned char *u = (const unsigned char *)s;

	/*
	 * Into two zero-padded words with loads inside the string only: two
	 * overlapping loads cover any length between one and two load widths.
	 */
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

int iana_db_proto_index(const struct iana_db *db, const char *proto)
{
	/* Compared in place: proto is read only as far as it equals a name. */
	for (uint32_t i = 0; i < db->n_protos; i++) {
		const char *p = db->proto_name[i];
		size_t j = 0;

		while (p[j] != '\0' && p[j] == proto[j])
			j++;
		if (p[j] == proto[j])
			return (int)i;
	}
	return -1;
}

/*
 * Postings [*lo, *hi) of a slot, checked against the postings section.  The
 * first posting of every list is marked, so a damaged offset, which would
 * start or end a list inside another, is seen: the list must start with a
 * mark and the next list (if any) too.  A list may be empty (an unused name
 * slot): then -1, like any damage, and the lookup finds nothing.
 */
static int postings(const unsigned char *offs, const unsigned char *post, uint32_t slot,
		    uint32_t npost, uint32_t *lo, uint32_t *hi)
{
	*lo = iana_get16(offs + 2 * slot);
	*hi = iana_get16(offs + 2 * slot + 2);
	if (*lo >= *hi || *hi > npost || !(iana_get16(post + 2 * *lo) & IANA_POST_FIRST))
		return -1;
	return *hi == npost || (iana_get16(post + 2 * *hi) & IANA_POST_FIRST) ? 0 : -1;
}

/* Posting i of a list starting at lo: its entry index, or -1 when marked wrongly. */
static inline int64_t posting(const unsigned char *post, uint32_t i, uint32_t lo)
{
	uint32_t v = iana_get16(post + 2 * i);

	return ((v & IANA_POST_FIRST) != 0) == (i == lo) ? (int64_t)(v & IANA_POST_INDEX) : -1;
}

#define BLOCK_AND_ALIASES (IANA_ENTRY_BLOCK_MASK | ~UINT32_C(0) << IANA_ENTRY_NALIAS_SHIFT)

size_t iana_db_bitmaps_size(const struct iana_db *db)
{
	return db->n_entries / 8 + 1 + db->name_slots / 8 + 1 + db->n_ports / 8 + 1;
}

void iana_db_set_bitmaps(struct iana_db *db, uint8_t *mem)
{
	db->verified = mem;
	db->slot_ok = mem + db->n_entries / 8 + 1;
	db->port_ok = db->slot_ok + db->name_slots / 8 + 1;
}

static inline int bit_get(const uint8_t *map, uint32_t i)
{
	return map != NULL && (__atomic_load_n(&map[i >> 3], __ATOMIC_RELAXED) >> (i & 7) & 1);
}

static inline void bit_set(uint8_t *map, uint32_t i)
{
	if (map != NULL)
		__atomic_fetch_or(&map[i >> 3], (uint8_t)(1u << (i & 7)), __ATOMIC_RELAXED);
}

/* A name asked for: as given and folded, two zero-padded words each. */
struct name_query {
	uint64_t q0, q1;       /* the name */
	uint64_t f0, f1;       /* folded */
	uint64_t m0, m1;       /* over the name and its NUL: one compare checks the length too */
};

/* Masks over the first n + 1 bytes of two words, for n = 0 ... 15. */
static const uint64_t name_masks[16][2] = {
#define M(n) { (n) >= 7 ? UINT64_MAX : (UINT64_C(1) << 8 * ((n) + 1)) - 1, \
	       (n) < 7 ? 0 : (n) == 15 ? UINT64_MAX : (UINT64_C(1) << 8 * ((n) - 7)) - 1 }
	M(0), M(1), M(2), M(3), M(4), M(5), M(6), M(7),
	M(8), M(9), M(10), M(11), M(12), M(13), M(14), M(15),
#undef M
};

static inline int name_query(const char *name, struct name_query *q)
{
	uint64_t w[2];
	int n = iana_db_proto_words(name, w);

	if (n <= 0)
		return -1;
	q->q0 = w[0];
	q->q1 = w[1];
	q->f0 = iana_lower8(w[0]);
	q->f1 = iana_lower8(w[1]);
	q->m0 = name_masks[n][0];
	q->m1 = name_masks[n][1];
	return 0;
}

/* The slot of a folded name. */
static inline uint32_t name_slot(const struct iana_db *db, uint64_t f0, uint64_t f1)
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
static inline int block_match(const struct iana_db *db, uint32_t w, const struct name_query *q)
{
	uint32_t pos = w & IANA_ENTRY_BLOCK_MASK;
	unsigned nalias = w >> IANA_ENTRY_NALIAS_SHIFT;
	int match = 0;

	for (unsigned k = 0;; k++) {
		uint64_t w0, w1, z;

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
		/* On to the next alias, past this string's NUL. */
		if ((z = iana_zero_bytes(w0)) != 0)
			pos += (uint32_t)__builtin_ctzll(z) / 8 + 1;
		else if ((z = iana_zero_bytes(w1)) != 0)
			pos += 8 + (uint32_t)__builtin_ctzll(z) / 8 + 1;
		else
			return -1;
	}
}

/*
 * Verify the postings list [lo, hi) of name slot `slot`, whatever was asked:
 * list marks and order, every entry's check, and that every entry holds the
 * slot's key, the folded string of the first entry that hashes to the slot.
 * 0, or -1 when the file is damaged.  Once per list and mapping.
 */
static int name_list_verify(const struct iana_db *db, uint32_t slot, uint32_t lo, uint32_t hi)
{
	uint64_t k0 = 0, k1 = 0;
	uint32_t prev = 0;
	int have_key = 0;

	for (uint32_t i = lo; i < hi; i++) {
		int64_t v = posting(db->name_post, i, lo);
		uint32_t idx = (uint32_t)v, pos;
		struct iana_entry e;
		int found = 0;

		if (v < 0 || (i > lo && idx <= prev) || iana_db_entry(db, idx, &e) < 0)
			return -1;
		prev = idx;
		pos = (uint32_t)((const unsigned char *)e.strings - db->strings);
		for (unsigned k = 0; k <= e.nalias && !found; k++) {
			uint64_t w0, w1;
			int len = string_at(db, pos, &w0, &w1);

			if (len <= 0)
				return -1;
			w0 = iana_lower8(w0) & name_masks[len][0];
			w1 = iana_lower8(w1) & name_masks[len][1];
			if (!have_key && name_slot(db, w0, w1) == slot) {
				k0 = w0;
				k1 = w1;
				have_key = 1;
			}
			found = have_key && w0 == k0 && w1 == k1;
			pos += (uint32_t)len + 1;
		}
		if (!found)
			return -1;
	}
	return 0;
}

int iana_db_lookup_name(const struct iana_db *db, const char *name, const char *proto,
			struct iana_hit *h)
{
	struct name_query q;
	uint32_t lo, hi, slot, prev_w = 0, folded = UINT32_MAX, folded_w = 0;
	int want = -1, prev_match = 0;

	if (db->name_slots == 0 || name_query(name, &q) < 0)
		return 0;
	if (proto != NULL && (want = iana_db_proto_index(db, proto)) < 0)
		return 0;
	slot = name_slot(db, q.f0, q.f1);
	if (postings(db->name_offs, db->name_post, slot, db->name_npost, &lo, &hi) < 0)
		return 0;
	if (!bit_get(db->slot_ok, slot)) {
		if (name_list_verify(db, slot, lo, hi) < 0)
			return 0;
		bit_set(db->slot_ok, slot);
	}

	/*
	 * The index is a perfect hash: a slot belongs to one folded name, and
	 * its postings list, in registry order, holds the first entry of every
	 * (exact string, protocol) that folds to it, each verified above.  So
	 * the first entry of the wanted protocol that holds the name exactly is
	 * the answer; failing that, the first that holds it ignoring case.  An
	 * entry that does not hold it even ignoring case means the name is
	 * not in the database (another name took the slot): none will.
	 */
	for (uint32_t i = lo; i < hi; i++) {
		uint32_t idx = iana_get16(db->name_post + 2 * i) & IANA_POST_INDEX, w;
		int match;

		if (idx >= db->n_entries)
			return 0;
		w = iana_get32(db->entries + (size_t)idx * IANA_ENTRY_SIZE);
		if (want >= 0 && ((w >> IANA_ENTRY_PROTO_SHIFT) & IANA_ENTRY_PROTO_MASK) != (unsigned)want)
			continue;
		/* Entries of one service on several protocols share a block. */
		if (prev_match != 0 && (w & BLOCK_AND_ALIASES) == (prev_w & BLOCK_AND_ALIASES))
			match = prev_match;
		else
			match = block_match(db, w, &q);
		if (match <= 0)
			return 0;
		if (match == 2) {
			h->idx = idx;
			h->word = w;
			h->port = iana_get16(db->entries + (size_t)idx * IANA_ENTRY_SIZE + 4);
			return 1;
		}
		if (folded == UINT32_MAX) {
			folded = idx;
			folded_w = w;
		}
		prev_w = w;
		prev_match = match;
	}
	if (folded == UINT32_MAX)
		return 0;
	h->idx = folded;
	h->word = folded_w;
	h->port = iana_get16(db->entries + (size_t)folded * IANA_ENTRY_SIZE + 4);
	return 1;
}

/* Does entry idx (word w), which does not start at port, cover it? */
static int entry_covers(const struct iana_db *db, uint32_t idx, uint32_t w, uint16_t port)
{
	uint16_t lo = iana_get16(db->entries + (size_t)idx * IANA_ENTRY_SIZE + 4), hi;

	return entry_last_port(db, idx, w, lo, &hi) == 0 && lo <= port && port <= hi;
}

/*
 * Verify the postings list [lo, hi) of a port: list marks and order, every
 * entry's check, and that every entry covers the port.  0 or -1.
 */
static int port_list_verify(const struct iana_db *db, uint16_t port, uint32_t lo, uint32_t hi)
{
	uint32_t prev = 0;

	for (uint32_t i = lo; i < hi; i++) {
		int64_t v = posting(db->port_post, i, lo);
		uint32_t idx = (uint32_t)v;
		struct iana_entry e;

		if (v < 0 || (i > lo && idx <= prev) || iana_db_entry(db, idx, &e) < 0 ||
		    port < e.port_lo || port > e.port_hi)
			return -1;
		prev = idx;
	}
	return 0;
}

int iana_db_lookup_port(const struct iana_db *db, uint16_t port, const char *proto,
			struct iana_hit *h)
{
	uint64_t word = iana_get64(db->port_bitmap + 8 * (port >> 6));
	unsigned bit = port & 63;
	uint32_t rank, lo, hi;
	int want = -1;

	if (!(word >> bit & 1))
		return 0;
	if (proto != NULL && (want = iana_db_proto_index(db, proto)) < 0)
		return 0;
	rank = iana_get16(db->port_rank + 2 * (port >> 6)) +
	       iana_popcount64(word & ((UINT64_C(1) << bit) - 1));
	if (rank >= db->n_ports ||
	    postings(db->port_offs, db->port_post, rank, db->port_npost, &lo, &hi) < 0)
		return 0;
	if (!bit_get(db->port_ok, rank)) {
		if (port_list_verify(db, port, lo, hi) < 0)
			return 0;
		bit_set(db->port_ok, rank);
	}

	/* In registry order, the first entry of every protocol on this port. */
	for (uint32_t i = lo; i < hi; i++) {
		uint32_t idx = iana_get16(db->port_post + 2 * i) & IANA_POST_INDEX, w;

		if (idx >= db->n_entries)
			return 0;
		w = iana_get32(db->entries + (size_t)idx * IANA_ENTRY_SIZE);
		if (want < 0 || ((w >> IANA_ENTRY_PROTO_SHIFT) & IANA_ENTRY_PROTO_MASK) == (unsigned)want) {
			/*
			 * The list was verified for the port it belongs to; a
			 * damaged rank can lead another port here.  So the answer
			 * must cover the port asked for.
			 */
			if (port != iana_get16(db->entries + (size_t)idx * IANA_ENTRY_SIZE + 4) &&
			    !entry_covers(db, idx, w, port))
				return 0;
			h->idx = idx;
			h->word = w;
			h->port = port;
			return 1;
		}
	}
	return 0;
}

int iana_db_find_name(const struct iana_db *db, const char *name, const char *proto,
		      struct iana_entry *e)
{
	struct iana_hit h;

	return iana_db_lookup_name(db, name, proto, &h) && iana_db_entry(db, h.idx, e) == 0;
}

int iana_db_find_port(const struct iana_db *db, uint16_t port, const char *proto,
		      struct iana_entry *e)
{
	struct iana_hit h;

	return iana_db_lookup_port(db, port, proto, &h) && iana_db_entry(db, h.idx, e) == 0;
}
