/* Services database reader: header validation, name and port lookups. */
#include <errno.h>
#include <string.h>

#include "db-lookup.h"

#if IANA_POPCNT_ASM
#include <sys/platform/x86.h>
#endif

/*
 * A fuzzing build only (IANA_FUZZ_NO_CHECK): the checks that anyone who
 * writes a file can make pass -- the header check and the entry checks --
 * are off, so that the fuzzer reaches what a file sealed by a hostile
 * writer reaches.  What keeps a reader inside the file must not depend on
 * them (FORMAT.md, section 12).
 */
#ifdef IANA_FUZZ_NO_CHECK
#define FORGEABLE_CHECKS 0
#else
#define FORGEABLE_CHECKS 1
#endif

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
	memset(db->proto_known, -1, sizeof(db->proto_known));
	if (size < IANA_DB_HEADER_SIZE || size > UINT32_MAX)
		return EINVAL;
	if (!iana_head_fixed_ok(base, size))
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
		memcpy(db->proto_b[i], db->proto_name[i], n);   /* the rest stays zero */
	}
	if (FORGEABLE_CHECKS && head_check(db) != iana_get32(base + IANA_H_HEAD_CHECK))
		return EINVAL;
	/*
	 * A protocol asked for is the first index whose name equals it
	 * (FORMAT.md, PROTOS).  The four names the generator writes are mapped
	 * to theirs here, once, so that a lookup finds them with a switch on
	 * the name's bytes; any other name is compared with the file's
	 * (iana_db_proto_other()).  Backwards, so that a name the file repeats
	 * maps to its first index.
	 */
	for (uint32_t i = db->n_protos; i-- > 0;) {
		int k = iana_known_proto(db->proto_name[i]);

		if (k >= 0)
			db->proto_known[k] = (int8_t)i;
	}
#if IANA_POPCNT_ASM
	/* As glibc decided at startup (GLIBC_TUNABLES can turn it off). */
	db->popcnt = CPU_FEATURE_ACTIVE(POPCNT);
#endif
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
		int len = iana_string_at(db, pos, &w0, &w1);

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

	if (!FORGEABLE_CHECKS)
		return 0;
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

int iana_db_entry_span(const struct iana_db *db, uint32_t idx, uint32_t *word, uint16_t *lo,
		       uint16_t *hi)
{
	struct iana_entry e;

	/* The first time in this mapping, the whole entry is decoded and checked. */
	if (!(idx < db->n_entries && iana_bit_get(db->verified, idx)) && iana_db_entry(db, idx, &e) < 0)
		return -1;
	*word = iana_entry_word(db, idx);
	*lo = iana_entry_first(db, idx);
	return entry_last_port(db, idx, *word, *lo, hi);
}

int iana_db_proto_index(const struct iana_db *db, const char *proto)
{
	return iana_proto_index(db, proto);
}

int iana_db_proto_other(const struct iana_db *db, const char *proto)
{
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
 * The marks of a postings list [lo, hi), lo < hi <= npost: the first posting
 * of every list is marked, so a damaged offset, which would start or end a
 * list inside another, is seen.  The list must start with a mark, the next
 * list (if any) too, and no other posting of it be marked.  0 or -1.
 */
static int marks(const unsigned char *post, uint32_t npost, uint32_t lo, uint32_t hi)
{
	if (!(iana_get16(post + 2 * lo) & IANA_POST_FIRST) ||
	    (hi < npost && !(iana_get16(post + 2 * hi) & IANA_POST_FIRST)))
		return -1;
	for (uint32_t i = lo + 1; i < hi; i++)
		if (iana_get16(post + 2 * i) & IANA_POST_FIRST)
			return -1;
	return 0;
}

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

static void bit_set(uint8_t *map, uint32_t i)
{
	if (map != NULL)
		__atomic_fetch_or(&map[i >> 3], (uint8_t)(1u << (i & 7)), __ATOMIC_RELAXED);
}

/*
 * Verify the postings list [lo, hi) of name slot `slot`, whatever was asked:
 * list marks (section 4.5 of FORMAT.md) and order, every entry's check, and
 * that every entry holds the slot's key, the folded string of the first
 * entry that hashes to the slot.  0 and the slot's bit set, or -1 when the
 * file is damaged.  Once per list and mapping.
 */
int iana_db_name_list_verify(const struct iana_db *db, uint32_t slot, uint32_t lo, uint32_t hi)
{
	uint64_t k0 = 0, k1 = 0;
	uint32_t prev = 0;
	int have_key = 0;

	if (marks(db->name_post, db->name_npost, lo, hi) < 0)
		return -1;
	for (uint32_t i = lo; i < hi; i++) {
		uint32_t idx = iana_get16(db->name_post + 2 * i) & IANA_POST_INDEX, pos;
		struct iana_entry e;
		int found = 0;

		if ((i > lo && idx <= prev) || iana_db_entry(db, idx, &e) < 0)
			return -1;
		prev = idx;
		pos = (uint32_t)((const unsigned char *)e.strings - db->strings);
		for (unsigned k = 0; k <= e.nalias && !found; k++) {
			uint64_t w0, w1;
			int len = iana_string_at(db, pos, &w0, &w1);

			if (len <= 0)
				return -1;
			w0 = iana_lower8(w0) & iana_name_masks[len][0];
			w1 = iana_lower8(w1) & iana_name_masks[len][1];
			if (!have_key && iana_db_name_slot(db, w0, w1) == slot) {
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
	bit_set(db->slot_ok, slot);
	return 0;
}

int iana_db_entry_covers(const struct iana_db *db, uint32_t idx, uint32_t w, uint16_t port)
{
	uint16_t lo = iana_entry_first(db, idx), hi;

	return entry_last_port(db, idx, w, lo, &hi) == 0 && lo <= port && port <= hi;
}

/*
 * Verify the postings list [lo, hi) of a port (its rank): list marks and
 * order, every entry's check, and that every entry covers the port.  0 and
 * the rank's bit set, or -1.
 */
int iana_db_port_list_verify(const struct iana_db *db, uint16_t port, uint32_t rank,
			     uint32_t lo, uint32_t hi)
{
	uint32_t prev = 0;

	if (marks(db->port_post, db->port_npost, lo, hi) < 0)
		return -1;
	for (uint32_t i = lo; i < hi; i++) {
		uint32_t idx = iana_get16(db->port_post + 2 * i) & IANA_POST_INDEX;
		struct iana_entry e;

		if ((i > lo && idx <= prev) || iana_db_entry(db, idx, &e) < 0 ||
		    port < e.port_lo || port > e.port_hi)
			return -1;
		prev = idx;
	}
	bit_set(db->port_ok, rank);
	return 0;
}

int iana_db_lookup_name(const struct iana_db *db, const char *name, const char *proto,
			struct iana_hit *h)
{
	return iana_lookup_name(db, name, proto, h);
}

int iana_db_lookup_port(const struct iana_db *db, uint16_t port, const char *proto,
			struct iana_hit *h)
{
	return iana_lookup_port(db, port, proto, h);
}

int iana_db_find_name(const struct iana_db *db, const char *name, const char *proto,
		      struct iana_entry *e)
{
	struct iana_hit h;

	return iana_lookup_name(db, name, proto, &h) && iana_db_entry(db, h.idx, e) == 0;
}

int iana_db_find_port(const struct iana_db *db, uint16_t port, const char *proto,
		      struct iana_entry *e)
{
	struct iana_hit h;

	return iana_lookup_port(db, port, proto, &h) && iana_db_entry(db, h.idx, e) == 0;
}
