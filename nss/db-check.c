/* Full validation of a services database: checksum, entries, both indexes. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "db-reader.h"

uint32_t iana_crc32(uint32_t crc, const unsigned char *p, size_t n)
{
	static uint32_t table[256];
	static int ready;

	if (!ready) {
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i;

			for (int k = 0; k < 8; k++)
				c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
			table[i] = c;
		}
		ready = 1;
	}
	crc = ~crc;
	while (n--)
		crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

uint32_t iana_db_checksum(const unsigned char *base, size_t size)
{
	static const unsigned char zero[4];
	uint32_t crc;

	crc = iana_crc32(0, base, IANA_H_CHECKSUM);
	crc = iana_crc32(crc, zero, 4);
	return iana_crc32(crc, base + IANA_H_CHECKSUM + 4, size - IANA_H_CHECKSUM - 4);
}

__attribute__((format(printf, 3, 4)))
static int fail(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return -1;
}

static int check_sections(const struct iana_db *db, char *why, size_t whylen)
{
	uint32_t off[IANA_SEC_COUNT], len[IANA_SEC_COUNT];

	for (unsigned i = 0; i < IANA_SEC_COUNT; i++) {
		off[i] = iana_get32(db->base + IANA_H_SECTIONS + 8 * i);
		len[i] = iana_get32(db->base + IANA_H_SECTIONS + 8 * i + 4);
	}
	for (unsigned i = 0; i < IANA_SEC_COUNT; i++)
		for (unsigned j = i + 1; j < IANA_SEC_COUNT; j++)
			if (len[i] && len[j] && off[i] < off[j] + len[j] && off[j] < off[i] + len[i])
				return fail(why, whylen, "sections %u and %u overlap", i, j);
	return 0;
}

static int check_entries(const struct iana_db *db, char *why, size_t whylen)
{
	uint32_t lines = 0, ranges = 0, prev = 0;

	for (uint32_t i = 0; i < db->n_protos; i++)
		for (uint32_t j = 0; j < i; j++)
			if (strcmp(db->proto_name[i], db->proto_name[j]) == 0)
				return fail(why, whylen, "protocol %s listed twice", db->proto_name[i]);

	for (uint32_t i = 0; i < db->n_entries; i++) {
		struct iana_entry e;
		const char *s;
		uint32_t w;

		if (iana_db_entry(db, i, &e) < 0)
			return fail(why, whylen, "entry %u is damaged (bad offset or check)", i);
		s = e.strings;
		for (unsigned k = 0; k <= e.nalias; k++, s += strlen(s) + 1)
			if (!iana_valid_name(s))
				return fail(why, whylen, "entry %u holds an invalid name", i);
		if (!iana_valid_name(e.proto))
			return fail(why, whylen, "protocol %u is not a valid name", e.proto_idx);
		w = iana_get32(db->entries + (size_t)i * IANA_ENTRY_SIZE);
		if (w & IANA_ENTRY_RANGE_BIT)
			ranges++;
		lines += (uint32_t)(e.port_hi - e.port_lo) + 1;
	}
	if (ranges != db->n_ranges)
		return fail(why, whylen, "%u range entries but %u ranges", ranges, db->n_ranges);
	for (uint32_t r = 0; r < db->n_ranges; r++) {
		uint32_t idx = iana_get16(db->ranges + IANA_RANGE_SIZE * r);

		if (r > 0 && idx <= prev)
			return fail(why, whylen, "ranges out of order at %u", r);
		prev = idx;
	}
	if (lines != db->n_lines)
		return fail(why, whylen, "header says %u lines, entries make %u", db->n_lines, lines);
	return 0;
}

/* The offsets of an index: non-decreasing, ending at the postings' count. */
static int check_offsets(const unsigned char *offs, uint32_t n, uint32_t npost,
			 const char *what, char *why, size_t whylen)
{
	for (uint32_t i = 0; i < n; i++)
		if (iana_get16(offs + 2 * i) > iana_get16(offs + 2 * i + 2))
			return fail(why, whylen, "%s offsets decrease at %u", what, i);
	if (iana_get16(offs) != 0 || iana_get16(offs + 2 * n) != npost)
		return fail(why, whylen, "%s offsets do not span the postings", what);
	return 0;
}

static int holds_exact(const struct iana_entry *e, const char *name)
{
	const char *s = e->strings;

	for (unsigned k = 0; k <= e->nalias; k++, s += strlen(s) + 1)
		if (strcmp(s, name) == 0)
			return 1;
	return 0;
}

static int check_names(const struct iana_db *db, char *why, size_t whylen)
{
	uint32_t used = 0;

	if (check_offsets(db->name_offs, db->name_slots, db->name_npost, "name", why, whylen) < 0)
		return -1;
	/*
	 * Each slot holds one folded name: every posting holds a string that
	 * folds to it and hashes to this slot, in increasing entry order, one
	 * per (exact string, protocol), each the first entry holding it.
	 */
	for (uint32_t slot = 0; slot < db->name_slots; slot++) {
		uint32_t lo = iana_get16(db->name_offs + 2 * slot);
		uint32_t hi = iana_get16(db->name_offs + 2 * slot + 2);
		unsigned char key[16];
		int have_key = 0;

		if (lo == hi)
			continue;
		used++;
		for (uint32_t i = lo; i < hi; i++) {
			uint32_t v = iana_get16(db->name_post + 2 * i), idx = v & IANA_POST_INDEX;
			struct iana_entry e;
			const char *str;
			int holds = 0;

			if (((v & IANA_POST_FIRST) != 0) != (i == lo))
				return fail(why, whylen, "name slot %u: list start marked wrongly", slot);
			if (i > lo && idx <= (iana_get16(db->name_post + 2 * i - 2) & IANA_POST_INDEX))
				return fail(why, whylen, "name slot %u: postings out of order", slot);
			if (iana_db_entry(db, idx, &e) < 0)
				return fail(why, whylen, "name slot %u: posting %u is not an entry", slot, idx);
			str = e.strings;
			for (unsigned k = 0; k <= e.nalias; k++, str += strlen(str) + 1) {
				unsigned char f[16];
				uint64_t h;

				if (iana_fold_name(str, f) <= 0)
					continue;
				h = iana_name_hash(f, db->name_seed);
				if (iana_name_slot(h, iana_get16(db->name_disp +
						   2 * iana_name_bucket(h, db->name_buckets)),
						   db->name_slots) != slot)
					continue;
				if (have_key && memcmp(f, key, 16) != 0)
					return fail(why, whylen, "name slot %u holds two names", slot);
				memcpy(key, f, 16);
				have_key = holds = 1;
			}
			if (!holds)
				return fail(why, whylen, "name slot %u: entry %u holds no name of it", slot, idx);
		}
	}
	if (used != db->n_names)
		return fail(why, whylen, "%u names in the header, %u used slots", db->n_names, used);

	/* Every string of every entry is found, by the first entry holding it. */
	for (uint32_t i = 0; i < db->n_entries; i++) {
		struct iana_entry e, f;
		const char *s;

		iana_db_entry(db, i, &e);
		s = e.strings;
		for (unsigned k = 0; k <= e.nalias; k++, s += strlen(s) + 1) {
			if (!iana_db_find_name(db, s, e.proto, &f))
				return fail(why, whylen, "name %s/%s of entry %u is not indexed", s, e.proto, i);
			if (f.idx > i || f.proto_idx != e.proto_idx || !holds_exact(&f, s))
				return fail(why, whylen, "name %s/%s finds entry %u, not %u or before",
					    s, e.proto, f.idx, i);
		}
	}
	return 0;
}

static int check_ports(const struct iana_db *db, char *why, size_t whylen)
{
	uint32_t total = 0;

	for (uint32_t w = 0; w < IANA_PORT_WORDS; w++) {
		if (iana_get16(db->port_rank + 2 * w) != total)
			return fail(why, whylen, "port rank directory wrong at word %u", w);
		total += iana_popcount64(iana_get64(db->port_bitmap + 8 * w));
	}
	if (total != db->n_ports)
		return fail(why, whylen, "%u ports in the bitmap, %u in the header", total, db->n_ports);
	if (check_offsets(db->port_offs, db->n_ports, db->port_npost, "port", why, whylen) < 0)
		return -1;

	/* Each port's postings: not empty, in order, covering it, one per protocol. */
	for (uint32_t p = 0, rank = 0; p < 65536; p++) {
		uint32_t lo, hi, protos = 0;

		if (!(iana_get64(db->port_bitmap + 8 * (p >> 6)) >> (p & 63) & 1))
			continue;
		lo = iana_get16(db->port_offs + 2 * rank);
		hi = iana_get16(db->port_offs + 2 * rank + 2);
		rank++;
		if (lo == hi)
			return fail(why, whylen, "port %u is marked but has no entry", p);
		for (uint32_t i = lo; i < hi; i++) {
			uint32_t v = iana_get16(db->port_post + 2 * i), idx = v & IANA_POST_INDEX;
			struct iana_entry e;

			if (((v & IANA_POST_FIRST) != 0) != (i == lo))
				return fail(why, whylen, "port %u: list start marked wrongly", p);
			if (i > lo && idx <= (iana_get16(db->port_post + 2 * i - 2) & IANA_POST_INDEX))
				return fail(why, whylen, "port %u: postings out of order", p);
			if (iana_db_entry(db, idx, &e) < 0 || p < e.port_lo || p > e.port_hi)
				return fail(why, whylen, "port %u: posting %u does not cover it", p, idx);
			if (protos & (1u << e.proto_idx))
				return fail(why, whylen, "port %u: two postings for %s", p, e.proto);
			protos |= 1u << e.proto_idx;
		}
	}

	for (uint32_t i = 0; i < db->n_entries; i++) {
		struct iana_entry e, f;

		iana_db_entry(db, i, &e);
		for (uint32_t p = e.port_lo; p <= e.port_hi; p++)
			if (!iana_db_find_port(db, (uint16_t)p, e.proto, &f) || f.idx > i ||
			    f.proto_idx != e.proto_idx)
				return fail(why, whylen, "port %u/%s of entry %u is not indexed", p, e.proto, i);
	}
	return 0;
}

static int check_info(const struct iana_db *db, char *why, size_t whylen)
{
	uint32_t n;

	if (db->info_size == 0)
		return 0;
	n = iana_db_info_count(db);
	if (n == 0)
		return fail(why, whylen, "the INFO section is damaged");
	for (uint32_t i = 0; i < n; i++) {
		struct iana_info in;

		if (iana_db_info(db, i, &in) < 0)
			return fail(why, whylen, "INFO record %u is damaged", i);
	}
	return 0;
}

int iana_db_check(const struct iana_db *db, char *why, size_t whylen)
{
	if (iana_db_checksum(db->base, db->size) != iana_get32(db->base + IANA_H_CHECKSUM))
		return fail(why, whylen, "checksum mismatch");
	if (check_sections(db, why, whylen) < 0 || check_entries(db, why, whylen) < 0 ||
	    check_names(db, why, whylen) < 0 || check_ports(db, why, whylen) < 0 ||
	    check_info(db, why, whylen) < 0)
		return -1;
	return 0;
}
