/* On-disk layout of the libnss-iana services database: the only C copy of FORMAT.md. */
#ifndef IANA_DB_FORMAT_H
#define IANA_DB_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * Every integer in the file is little-endian and is read and written byte by
 * byte through the helpers below, never by casting a struct onto the file,
 * so one file serves every architecture.  See FORMAT.md for the prose.
 */

#define IANA_DB_MAGIC        "IANASVDB"
#define IANA_DB_MAGIC_LEN    8
#define IANA_DB_VERSION      1
#define IANA_DB_HEADER_SIZE  176

/* Field offsets inside the header. */
enum {
	IANA_H_MAGIC        = 0,   /* 8 bytes "IANASVDB" */
	IANA_H_VERSION      = 8,   /* u32 */
	IANA_H_HEADER_SIZE  = 12,  /* u32, IANA_DB_HEADER_SIZE */
	IANA_H_FILE_SIZE    = 16,  /* u32, size of the whole file */
	IANA_H_CHECKSUM     = 20,  /* u32, CRC-32 of the file with this field zero */
	IANA_H_UPDATED      = 24,  /* u32, registry <updated> as YYYYMMDD, 0 if none */
	IANA_H_FLAGS        = 28,  /* u32, must be zero in version 1 */
	IANA_H_N_ENTRIES    = 32,  /* u32 */
	IANA_H_N_LINES      = 36,  /* u32, services(5) lines: ranges expanded */
	IANA_H_N_PROTOS     = 40,  /* u32 */
	IANA_H_N_NAMES      = 44,  /* u32, distinct folded names (keys of the name index) */
	IANA_H_NAME_SLOTS   = 48,  /* u32, slots of the name index */
	IANA_H_NAME_BUCKETS = 52,  /* u32, buckets of the name index */
	IANA_H_NAME_SEED    = 56,  /* u32, seed of the name hash */
	IANA_H_N_PORTS      = 60,  /* u32, distinct ports with at least one entry */
	IANA_H_N_RANGES     = 64,  /* u32, entries that cover more than one port */
	IANA_H_HEAD_CHECK   = 68,  /* u32, iana_head_check(): header and protocol names */
	IANA_H_SECTIONS     = 72,  /* IANA_SEC_COUNT x (u32 offset, u32 size) */
	/* 72 + 13 * 8 = 176: the header ends with the section table. */
};

/* Sections, by their index in the header's section table. */
enum iana_section {
	IANA_SEC_STRINGS = 0,      /* NUL-terminated strings; last byte is NUL */
	IANA_SEC_PROTOS,           /* n_protos x u32: offset of the name in STRINGS */
	IANA_SEC_ENTRIES,          /* n_entries x IANA_ENTRY_SIZE, registry order */
	IANA_SEC_RANGES,           /* n_ranges x (u16 entry, u16 last port), by entry */
	IANA_SEC_NAME_DISP,        /* name_buckets x u16: displacement per bucket */
	IANA_SEC_NAME_OFFS,        /* (name_slots + 1) x u16: postings start per slot */
	IANA_SEC_NAME_POST,        /* u16 entry indexes */
	IANA_SEC_PORT_BITMAP,      /* 1024 x u64: bit p set when port p has an entry */
	IANA_SEC_PORT_RANK,        /* 1024 x u16: set bits in the words before */
	IANA_SEC_PORT_OFFS,        /* (n_ports + 1) x u16: postings start per port */
	IANA_SEC_PORT_POST,        /* u16 entry indexes */
	IANA_SEC_INFO,             /* descriptive data, never read by lookups */
	IANA_SEC_RESERVED,         /* must be offset 0, size 0 */
	IANA_SEC_COUNT
};

#define IANA_SEC_LOOKUP_COUNT   IANA_SEC_INFO  /* sections before INFO are lookup data */

/*
 * An entry: u32 word, u16 first port, u16 check.  The word holds the offset
 * of the entry's string block (its name, then its aliases), its protocol,
 * whether it covers a range (its last port is then in RANGES) and its alias
 * count.  The check is iana_entry_check() of all of that.
 */
#define IANA_ENTRY_SIZE         8
#define IANA_ENTRY_BLOCK_MASK   0x003fffffu    /* word bits 0-21: block offset */
#define IANA_ENTRY_PROTO_SHIFT  22             /* word bits 22-24: protocol */
#define IANA_ENTRY_PROTO_MASK   0x7u
#define IANA_ENTRY_RANGE_BIT    (UINT32_C(1) << 25)
#define IANA_ENTRY_NALIAS_SHIFT 26             /* word bits 26-31: alias count */

#define IANA_RANGE_SIZE         4

#define IANA_MAX_STRINGS        0x00400000u    /* 22-bit block offsets */
#define IANA_STRINGS_PAD        24             /* NULs ending STRINGS: word loads stay inside */
#define IANA_MAX_PROTOS         8
#define IANA_MAX_ALIASES        63
#define IANA_MAX_ENTRIES        32767          /* 15-bit entry indexes in postings */
#define IANA_POST_FIRST         0x8000u        /* a posting that starts its list */
#define IANA_POST_INDEX         0x7fffu        /* a posting's entry index */
#define IANA_MAX_POSTINGS       65535          /* u16 postings offsets */
#define IANA_MAX_NAME_SLOTS     65535
#define IANA_NAME_MAX           15             /* RFC 6335 section 5.1 */
#define IANA_PROTO_MAX          15

/*
 * INFO: u32 n_records, n_records x u32 offsets (from the section's start),
 * then records: u16 first port, u16 last port, u8 protocol (IANA_INFO_NO_PROTO
 * when the record names none), u8 flags, IANA_INFO_FIELDS NUL-terminated
 * strings in the order below.  The section's last byte is NUL.
 */
enum iana_info_field {
	IANA_INFO_NAME, IANA_INFO_DESCRIPTION, IANA_INFO_ASSIGNEE, IANA_INFO_CONTACT,
	IANA_INFO_REFS, IANA_INFO_REGISTERED, IANA_INFO_MODIFIED, IANA_INFO_NOTE,
	IANA_INFO_UNAUTHORIZED, IANA_INFO_SOURCE, IANA_INFO_FIELDS
};
#define IANA_INFO_NO_PROTO      0xff
#define IANA_INFO_HAS_PORT      0x01   /* the record has a <number> */
#define IANA_INFO_LOCAL         0x02   /* from an overlay, not the registry */
#define IANA_INFO_OTHER_PROTO   0x04   /* a protocol the database does not know */
#define IANA_INFO_HEAD          6      /* bytes before the strings */

#define IANA_PORT_WORDS         1024           /* 65536 bits */
#define IANA_PORT_BITMAP_SIZE   (IANA_PORT_WORDS * 8)
#define IANA_PORT_RANK_SIZE     (IANA_PORT_WORDS * 2)

/*
 * Little-endian loads from any alignment.  On a little-endian host that is
 * one unaligned load (memcpy into the integer); elsewhere, byte by byte.
 */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define IANA_LE_HOST 1
#else
#define IANA_LE_HOST 0
#endif

static inline uint16_t iana_get16(const unsigned char *p)
{
	if (IANA_LE_HOST) {
		uint16_t v;

		memcpy(&v, p, sizeof(v));
		return v;
	}
	return (uint16_t)(p[0] | (unsigned)p[1] << 8);
}

static inline uint32_t iana_get32(const unsigned char *p)
{
	if (IANA_LE_HOST) {
		uint32_t v;

		memcpy(&v, p, sizeof(v));
		return v;
	}
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t iana_get64(const unsigned char *p)
{
	if (IANA_LE_HOST) {
		uint64_t v;

		memcpy(&v, p, sizeof(v));
		return v;
	}
	return (uint64_t)iana_get32(p) | (uint64_t)iana_get32(p + 4) << 32;
}

static inline void iana_put16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static inline void iana_put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static inline void iana_put64(unsigned char *p, uint64_t v)
{
	iana_put32(p, (uint32_t)v);
	iana_put32(p + 4, (uint32_t)(v >> 32));
}

/* The 64-bit finaliser of MurmurHash3; a bijection with good avalanche. */
static inline uint64_t iana_mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= UINT64_C(0xff51afd7ed558ccd);
	x ^= x >> 33;
	x *= UINT64_C(0xc4ceb9fe1a85ec53);
	x ^= x >> 33;
	return x;
}

/*
 * A name services(5) can carry, as every name and alias in a database is:
 * 1 to IANA_NAME_MAX printable ASCII bytes, no white space, no '#'.
 */
static inline int iana_valid_name(const char *s)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++) {
		unsigned char c = (unsigned char)s[n];

		if (n == IANA_NAME_MAX || c <= ' ' || c >= 0x7f || c == '#')
			return 0;
	}
	return n > 0;
}

/* ASCII A-Z to a-z in each byte of a word, nothing else (bytes >= 0x80 kept). */
static inline uint64_t iana_lower8(uint64_t x)
{
	uint64_t heptets = x & UINT64_C(0x7f7f7f7f7f7f7f7f);
	uint64_t above_z = heptets + UINT64_C(0x2525252525252525);   /* > 'Z' */
	uint64_t from_a = heptets + UINT64_C(0x3f3f3f3f3f3f3f3f);    /* >= 'A' */
	uint64_t upper = ~x & (from_a ^ above_z) & UINT64_C(0x8080808080808080);

	return x | upper >> 2;
}

/* Bit 7 of each byte of x that is zero set (exact for the first zero byte). */
static inline uint64_t iana_zero_bytes(uint64_t x)
{
	return (x - UINT64_C(0x0101010101010101)) & ~x & UINT64_C(0x8080808080808080);
}

/*
 * Fold a name for the name index: ASCII A-Z to a-z, nothing else, into 16
 * zero-padded bytes.  Returns the length, or -1 when the name is longer than
 * IANA_NAME_MAX, which no database holds.
 */
static inline int iana_fold_name(const char *name, unsigned char out[16])
{
	int n;

	memset(out, 0, 16);
	for (n = 0; name[n] != '\0'; n++) {
		unsigned char c = (unsigned char)name[n];

		if (n == IANA_NAME_MAX)
			return -1;
		out[n] = (c >= 'A' && c <= 'Z') ? (unsigned char)(c | 0x20) : c;
	}
	return n;
}

/* The name hash of a folded name's two little-endian words, with the seed. */
static inline uint64_t iana_name_hash_words(uint64_t w0, uint64_t w1, uint32_t seed)
{
	return iana_mix64(iana_mix64(w0 ^ seed) ^ w1);
}

static inline uint64_t iana_name_hash(const unsigned char folded[16], uint32_t seed)
{
	return iana_name_hash_words(iana_get64(folded), iana_get64(folded + 8), seed);
}

/* Map a 32-bit value uniformly onto [0, n) without a division. */
static inline uint32_t iana_reduce(uint32_t x, uint32_t n)
{
	return (uint32_t)(((uint64_t)x * n) >> 32);
}

/* The bucket of a name hash: its high half reduced onto the buckets. */
static inline uint32_t iana_name_bucket(uint64_t h, uint32_t buckets)
{
	return iana_reduce((uint32_t)(h >> 32), buckets);
}

/* The slot of a name hash given its bucket's displacement. */
static inline uint32_t iana_name_slot(uint64_t h, uint16_t disp, uint32_t slots)
{
	uint32_t x = (uint32_t)h ^ (uint32_t)disp * UINT32_C(0x85ebca6b);

	x ^= x >> 16;
	x *= UINT32_C(0x7feb352d);
	x ^= x >> 15;
	return iana_reduce(x, slots);
}

/*
 * The entry check: catches a damaged entry or string block, so a lookup never
 * answers with bytes the generator did not write, without checksumming the
 * whole file at every open.  Steps are bijections of h for a fixed chunk, so
 * a change confined to one chunk always changes h before the final fold.
 */
static inline uint64_t iana_check_step(uint64_t h, uint64_t chunk)
{
	h = (h ^ chunk) * UINT64_C(0x9e3779b97f4a7c15);
	return h ^ (h >> 29);
}

/*
 * Feed n bytes as little-endian 8-byte chunks, the last one zero-padded.
 * The last chunk is one load, masked: p + n must be followed by at least 7
 * readable bytes (STRINGS ends with IANA_STRINGS_PAD NULs for that).
 */
static inline uint64_t iana_check_bytes(uint64_t h, const unsigned char *p, size_t n)
{
	for (; n >= 8; p += 8, n -= 8)
		h = iana_check_step(h, iana_get64(p));
	if (n > 0)
		h = iana_check_step(h, iana_get64(p) & ((UINT64_C(1) << 8 * n) - 1));
	return h;
}

static inline uint16_t iana_entry_check(uint32_t idx, uint32_t word, uint16_t port_lo,
					uint16_t port_hi, const unsigned char *block,
					uint32_t block_len, const unsigned char *proto,
					uint32_t proto_len)
{
	uint64_t h = UINT64_C(0x49414e4153564442);

	h = iana_check_step(h, (uint64_t)idx | (uint64_t)word << 16 | (uint64_t)port_lo << 48);
	h = iana_check_step(h, (uint64_t)port_hi | (uint64_t)block_len << 16 |
			       (uint64_t)proto_len << 48);
	h = iana_check_bytes(h, block, block_len);
	h = iana_check_bytes(h, proto, proto_len);
	h = iana_mix64(h);
	return (uint16_t)(h ^ h >> 16 ^ h >> 32 ^ h >> 48);
}

/*
 * The header check: the header (with both check fields zero) and then each
 * protocol name with its NUL, fed to iana_check_bytes.  Verified at every
 * open, it catches any damage to the counts, offsets, seed or protocol names
 * that would otherwise pass as a different but well-formed database: a
 * change within one 8-byte chunk always changes it.  proto_names holds the
 * names concatenated, NULs included, total bytes long and followed by 7
 * readable bytes.
 */
static inline uint32_t iana_head_check(const unsigned char *header,
				       const unsigned char *proto_names, size_t total)
{
	unsigned char h[IANA_DB_HEADER_SIZE + 8];
	uint64_t x = UINT64_C(0x4845414443484b31);

	memcpy(h, header, IANA_DB_HEADER_SIZE);
	memset(h + IANA_H_CHECKSUM, 0, 4);
	memset(h + IANA_H_HEAD_CHECK, 0, 4);
	x = iana_check_bytes(x, h, IANA_DB_HEADER_SIZE);
	x = iana_check_bytes(x, proto_names, total);
	return (uint32_t)iana_mix64(x);
}

/*
 * The fixed fields of a header (its first IANA_H_FLAGS + 4 bytes) say this
 * is a database of this format, of size bytes: magic, version, header
 * size, file size, no flags.  Checked by iana_db_open(), and by the module
 * on a file it cannot map.
 */
#define IANA_HEAD_FIXED_SIZE (IANA_H_FLAGS + 4)
static inline int iana_head_fixed_ok(const unsigned char *h, uint64_t size)
{
	return memcmp(h + IANA_H_MAGIC, IANA_DB_MAGIC, IANA_DB_MAGIC_LEN) == 0 &&
	       iana_get32(h + IANA_H_VERSION) == IANA_DB_VERSION &&
	       iana_get32(h + IANA_H_HEADER_SIZE) == IANA_DB_HEADER_SIZE &&
	       iana_get32(h + IANA_H_FILE_SIZE) == size && iana_get32(h + IANA_H_FLAGS) == 0;
}

/* Set bits in a 64-bit word, without relying on a popcnt instruction. */
static inline unsigned iana_popcount64(uint64_t x)
{
	x = x - ((x >> 1) & UINT64_C(0x5555555555555555));
	x = (x & UINT64_C(0x3333333333333333)) + ((x >> 2) & UINT64_C(0x3333333333333333));
	x = (x + (x >> 4)) & UINT64_C(0x0f0f0f0f0f0f0f0f);
	return (unsigned)((x * UINT64_C(0x0101010101010101)) >> 56);
}

#endif
