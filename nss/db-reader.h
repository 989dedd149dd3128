/* Reading the services database from memory: validation, lookups, iteration. */
#ifndef IANA_DB_READER_H
#define IANA_DB_READER_H

#include <stddef.h>
#include <stdint.h>

#include "db-format.h"

/*
 * The protocols the generator writes, which a reader resolves without
 * comparing strings: "tcp", "udp", "sctp", "dccp", numbered so by
 * iana_known_proto().  A database may name them in any order, and others.
 */
#define IANA_KNOWN_PROTOS 4

/*
 * Whether the reader counts bits with the popcnt instruction when the CPU
 * has it (iana_rank_popcount()): x86-64 built for a baseline without it,
 * with glibc's <sys/platform/x86.h> to ask.
 */
#if defined(__x86_64__) && !defined(__POPCNT__) && defined(__has_include)
#if __has_include(<sys/platform/x86.h>)
#define IANA_POPCNT_ASM 1
#endif
#endif
#ifndef IANA_POPCNT_ASM
#define IANA_POPCNT_ASM 0
#endif

/*
 * A validated view of a database image.  Nothing here points outside
 * [base, base + size); every offset read from the image is checked against
 * the section it points into before it is used, so any byte string is safe.
 */
struct iana_db {
	const unsigned char *base;
	size_t size;

	uint32_t updated;
	uint32_t n_entries;
	uint32_t n_lines;
	uint32_t n_protos;
	uint32_t n_names;
	uint32_t name_slots;
	uint32_t name_buckets;
	uint32_t name_seed;
	uint32_t n_ports;

	const unsigned char *strings;
	uint32_t strings_size;
	const unsigned char *entries;
	const unsigned char *ranges;
	uint32_t n_ranges;
	const unsigned char *name_disp;
	const unsigned char *name_offs;
	const unsigned char *name_post;
	uint32_t name_npost;
	const unsigned char *port_bitmap;
	const unsigned char *port_rank;
	const unsigned char *port_offs;
	const unsigned char *port_post;
	uint32_t port_npost;
	const unsigned char *info;
	uint32_t info_size;

	/*
	 * Optional, per mapping: what has been verified once need not be
	 * verified again, since a mapping never changes.  NULL: verify at
	 * every use (the tools).  Bits only go from 0 to 1.
	 */
	uint8_t *verified;       /* a bit per entry whose check passed */
	uint8_t *slot_ok;        /* a bit per name slot whose postings list is sound */
	uint8_t *port_ok;        /* a bit per port rank whose postings list is sound */

	const char *proto_name[IANA_MAX_PROTOS];
	uint8_t proto_len[IANA_MAX_PROTOS];
	char proto_b[IANA_MAX_PROTOS][16];      /* each name, zero-padded: its NUL included */
	/*
	 * The first index among the names above of each protocol the
	 * generator knows (iana_known_proto()), or -1: made at open, so that a
	 * lookup resolves those without comparing with the file's names.
	 */
	int8_t proto_known[IANA_KNOWN_PROTOS];
	/* The CPU has a popcnt instruction that the compiler was not allowed to use. */
	uint8_t popcnt;
};

/* Bytes of the three bitmaps above, for a database of this shape. */
size_t iana_db_bitmaps_size(const struct iana_db *db);

/* Point the bitmaps into mem, zeroed, iana_db_bitmaps_size() bytes. */
void iana_db_set_bitmaps(struct iana_db *db, uint8_t *mem);

/* What a lookup found: an entry whose check passed, by index and word. */
struct iana_hit {
	uint32_t idx;
	uint32_t word;           /* the entry's first u32: block, protocol, aliases */
	uint16_t port;           /* its first port (by name), or the port asked for */
};

/* One decoded entry; every pointer points into the image. */
struct iana_entry {
	uint32_t idx;            /* its index, in registry order */
	const char *strings;     /* the name, then nalias aliases, each NUL-terminated */
	uint32_t strings_len;    /* bytes of all of them, NULs included */
	unsigned name_len;       /* of the name alone */
	unsigned nalias;
	unsigned proto_idx;
	const char *proto;
	unsigned proto_len;      /* without the NUL */
	uint16_t port_lo;
	uint16_t port_hi;
};

/*
 * Check the header and the section table of an image against its size and
 * fill *db.  Returns 0, or EINVAL when the image is not a database this
 * reader can use.  O(1): contents are checked when they are used (or all at
 * once by iana_db_check()).
 */
int iana_db_open(struct iana_db *db, const void *base, size_t size);

/* Decode entry idx and verify its check.  Returns 0, or -1 when it is damaged. */
int iana_db_entry(const struct iana_db *db, uint32_t idx, struct iana_entry *e);

/*
 * Entry idx's word and ports, for enumeration: once the entry has verified
 * in this mapping, without decoding its strings again.  0, or -1 when it is
 * damaged.
 */
int iana_db_entry_span(const struct iana_db *db, uint32_t idx, uint32_t *word, uint16_t *lo,
		       uint16_t *hi);

/* The index of protocol name proto, or -1 when the database has none such. */
int iana_db_proto_index(const struct iana_db *db, const char *proto);

/*
 * The same for a name that is none of the known protocols, by comparing it
 * with the file's names: out of line, since no database the generator
 * writes holds another.
 */
int iana_db_proto_other(const struct iana_db *db, const char *proto);

/*
 * First entry in registry order whose name or an alias equals name and whose
 * protocol is proto (any when NULL); when there is none, the first whose name
 * or an alias equals it ignoring ASCII case.  Returns 1 and fills *h, or 0.
 */
int iana_db_lookup_name(const struct iana_db *db, const char *name, const char *proto,
			struct iana_hit *h);

/* First entry in registry order covering port (host order) with protocol proto. */
int iana_db_lookup_port(const struct iana_db *db, uint16_t port, const char *proto,
			struct iana_hit *h);

/* The same, decoded: 1 and *e filled, or 0. */
int iana_db_find_name(const struct iana_db *db, const char *name, const char *proto,
		      struct iana_entry *e);
int iana_db_find_port(const struct iana_db *db, uint16_t port, const char *proto,
		      struct iana_entry *e);

/* One record of the INFO section; strings point into the image. */
struct iana_info {
	uint16_t port_lo, port_hi;
	unsigned proto;            /* IANA_INFO_NO_PROTO when the record names none */
	unsigned flags;
	const char *field[IANA_INFO_FIELDS];
};

/* Records in the INFO section (0 when it is empty or damaged). */
uint32_t iana_db_info_count(const struct iana_db *db);

/* Decode INFO record i, bounds checked.  0, or -1 when it is damaged. */
int iana_db_info(const struct iana_db *db, uint32_t i, struct iana_info *out);

/* CRC-32 (IEEE 802.3, reflected) continuing from crc; start with 0. */
uint32_t iana_crc32(uint32_t crc, const unsigned char *p, size_t n);

/* The file's checksum as the header defines it: CRC-32 with the field zeroed. */
uint32_t iana_db_checksum(const unsigned char *base, size_t size);

/*
 * Validate everything: the checksum, every entry and string, both indexes
 * against the entries.  Returns 0, or -1 with a one-line reason in why.
 */
int iana_db_check(const struct iana_db *db, char *why, size_t whylen);

#endif
