/* Lay service entries out as a database image, as FORMAT.md specifies. */
#include <stdlib.h>
#include <string.h>

#include "db-format.h"
#include "db-reader.h"
#include "diag.h"
#include "services.h"

struct buf {
	unsigned char *p;
	size_t len, cap;
};

static void buf_grow(struct buf *b, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 4096;
		b->p = xrealloc(b->p, b->cap);
	}
}

static void buf_add(struct buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void buf_u16(struct buf *b, uint16_t v)
{
	buf_grow(b, 2);
	iana_put16(b->p + b->len, v);
	b->len += 2;
}

static void buf_u32(struct buf *b, uint32_t v)
{
	buf_grow(b, 4);
	iana_put32(b->p + b->len, v);
	b->len += 4;
}

/* A string-keyed open-addressing map to a size_t, for deduplication. */
struct smap {
	char **key;
	size_t *keylen;
	size_t *val;
	size_t cap, n;
};

static uint64_t bytes_hash(const char *p, size_t n)
{
	uint64_t h = UINT64_C(1469598103934665603);

	while (n--)
		h = (h ^ (unsigned char)*p++) * UINT64_C(1099511628211);
	return iana_mix64(h);
}

static void smap_init(struct smap *m, size_t want)
{
	m->cap = 64;
	while (m->cap < 2 * want)
		m->cap *= 2;
	m->key = xcalloc(m->cap, sizeof(char *));
	m->keylen = xcalloc(m->cap, sizeof(size_t));
	m->val = xcalloc(m->cap, sizeof(size_t));
	m->n = 0;
}

static void smap_free(struct smap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->key[i]);
	free(m->key);
	free(m->keylen);
	free(m->val);
}

/* The value of key, inserting val when absent.  *added says which happened. */
static size_t smap_get(struct smap *m, const char *key, size_t len, size_t val, int *added)
{
	size_t mask = m->cap - 1, k = (size_t)bytes_hash(key, len) & mask;

	for (; m->key[k] != NULL; k = (k + 1) & mask)
		if (m->keylen[k] == len && memcmp(m->key[k], key, len) == 0) {
			*added = 0;
			return m->val[k];
		}
	m->key[k] = xmalloc(len + 1);
	memcpy(m->key[k], key, len);
	m->key[k][len] = '\0';
	m->keylen[k] = len;
	m->val[k] = val;
	m->n++;
	*added = 1;
	return val;
}

/* A list of u16 entry indexes per key. */
struct plist {
	uint16_t *idx;
	size_t n, cap;
};

static void plist_add(struct plist *l, uint16_t v)
{
	if (l->n && l->idx[l->n - 1] == v)
		return;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 2;
		l->idx = xreallocarray(l->idx, l->cap, sizeof(uint16_t));
	}
	l->idx[l->n++] = v;
}

/* The block of an entry: its name, then its aliases, NUL-terminated. */
static size_t block_of(const struct svc_entry *e, char *out)
{
	size_t n = 0;

	for (unsigned k = 0; k <= e->nalias; k++) {
		const char *s = k ? e->aliases[k - 1] : e->name;
		size_t l = strlen(s) + 1;

		memcpy(out + n, s, l);
		n += l;
	}
	return n;
}

struct name_key {
	unsigned char folded[16];
	uint64_t hash;
	struct plist post;
};

struct phf {
	uint32_t seed, slots, buckets;
	uint16_t *disp;
	uint32_t *slot_key;          /* key index + 1, 0 when free */
};

/*
 * Build the name index's perfect hash: CHD-style hash and displace.  Keys
 * fall into buckets; the biggest buckets are placed first, each trying
 * displacements until all its keys land on free slots.  Seeds are tried in
 * a fixed order, so the same keys always give the same index.
 */
static int build_phf(struct name_key *keys, size_t n, struct phf *f)
{
	f->slots = (uint32_t)(n + n / 16 + 1);
	f->buckets = (uint32_t)((n + 3) / 4);
	if (f->buckets == 0)
		f->buckets = 1;
	if (f->slots > IANA_MAX_NAME_SLOTS)
		return -1;
	f->disp = xcalloc(f->buckets, sizeof(uint16_t));
	f->slot_key = xcalloc(f->slots, sizeof(uint32_t));

	size_t *order = xcalloc(n + 1, sizeof(size_t));
	uint32_t *bsize = xcalloc(f->buckets, sizeof(uint32_t));
	uint32_t *bstart = xcalloc(f->buckets + 1, sizeof(uint32_t));
	uint32_t *border = xcalloc(f->buckets, sizeof(uint32_t));
	uint32_t *tmp = xcalloc(n + 1, sizeof(uint32_t));
	int ok = 0;

	for (f->seed = 0; f->seed < 64 && !ok; f->seed++) {
		memset(bsize, 0, f->buckets * sizeof(uint32_t));
		memset(f->slot_key, 0, f->slots * sizeof(uint32_t));
		for (size_t i = 0; i < n; i++) {
			keys[i].hash = iana_name_hash(keys[i].folded, f->seed);
			bsize[iana_name_bucket(keys[i].hash, f->buckets)]++;
		}
		bstart[0] = 0;
		for (uint32_t b = 0; b < f->buckets; b++)
			bstart[b + 1] = bstart[b] + bsize[b];
		memset(bsize, 0, f->buckets * sizeof(uint32_t));
		for (size_t i = 0; i < n; i++) {
			uint32_t b = iana_name_bucket(keys[i].hash, f->buckets);

			order[bstart[b] + bsize[b]++] = i;
		}
		/* Buckets by size, biggest first; ties by bucket number (a stable order). */
		for (uint32_t b = 0; b < f->buckets; b++)
			border[b] = b;
		for (uint32_t i = 1; i < f->buckets; i++) {
			uint32_t b = border[i], j = i;

			/* Insertion sort over at most a few sizes: counting would do too. */
			while (j > 0 && bsize[border[j - 1]] < bsize[b]) {
				border[j] = border[j - 1];
				j--;
			}
			border[j] = b;
		}
		ok = 1;
		for (uint32_t bi = 0; bi < f->buckets && ok; bi++) {
			uint32_t b = border[bi], placed = 0;

			if (bsize[b] == 0)
				break;
			for (uint32_t d = 0; d <= 0xffff; d++) {
				uint32_t k;

				for (k = 0; k < bsize[b]; k++) {
					uint32_t s = iana_name_slot(keys[order[bstart[b] + k]].hash,
								    (uint16_t)d, f->slots);

					if (f->slot_key[s] != 0)
						break;
					for (uint32_t q = 0; q < k; q++)
						if (tmp[q] == s)
							goto next;
					tmp[k] = s;
				}
				if (k == bsize[b]) {
					for (k = 0; k < bsize[b]; k++)
						f->slot_key[tmp[k]] = (uint32_t)order[bstart[b] + k] + 1;
					f->disp[b] = (uint16_t)d;
					placed = 1;
					break;
				}
next:;
			}
			if (!placed)
				ok = 0;
		}
		if (ok)
			break;
		memset(f->disp, 0, f->buckets * sizeof(uint16_t));
	}
	free(order);
	free(bsize);
	free(bstart);
	free(border);
	free(tmp);
	return ok ? 0 : -1;
}

static void align8(struct buf *b)
{
	static const unsigned char zero[8];

	buf_add(b, zero, (8 - b->len % 8) % 8);
}

int svc_build_image(const struct svc_list *l, unsigned char **image, size_t *size)
{
	struct buf strings = { 0 }, out = { 0 };
	struct smap blocks, exact, folded;
	struct name_key *keys = NULL;
	size_t nkeys = 0, keycap = 0, name_npost = 0, port_npost = 0;
	uint32_t *word = xcalloc(l->n + 1, sizeof(uint32_t));
	uint32_t proto_off[SVC_NPROTOS], off[IANA_SEC_COUNT] = { 0 }, len[IANA_SEC_COUNT] = { 0 };
	uint32_t lines = 0, nranges = 0, nports = 0;
	struct plist *ports = xcalloc(65536, sizeof(struct plist));
	unsigned char *port_seen = xcalloc(65536, 1);
	struct phf f = { 0 };
	int rc = -1, added;
	char block[(IANA_NAME_MAX + 1) * (IANA_MAX_ALIASES + 1)];

	size_t nstrings = 0;

	for (size_t i = 0; i < l->n; i++)
		nstrings += 1 + l->e[i].nalias;
	/* Sized for every key they can get, so they stay at most half full. */
	if (l->n > IANA_MAX_ENTRIES) {
		/* Overlays add entries after the registry's count was checked. */
		diag_error(NULL, 0, "%zu entries; the format holds at most %d", l->n, IANA_MAX_ENTRIES);
		free(word);
		free(ports);
		free(port_seen);
		return -1;
	}
	smap_init(&blocks, l->n);
	smap_init(&exact, nstrings);
	smap_init(&folded, nstrings);

	for (int p = 0; p < SVC_NPROTOS; p++) {
		proto_off[p] = (uint32_t)strings.len;
		buf_add(&strings, svc_protos[p], strlen(svc_protos[p]) + 1);
	}

	for (size_t i = 0; i < l->n; i++) {
		const struct svc_entry *e = &l->e[i];
		size_t blen = block_of(e, block);
		size_t boff = smap_get(&blocks, block, blen, strings.len, &added);

		if (added)
			buf_add(&strings, block, blen);
		if (strings.len + IANA_STRINGS_PAD > IANA_MAX_STRINGS) {
			diag_error(NULL, 0, "the string section outgrows the format's %u bytes",
				   IANA_MAX_STRINGS);
			goto out;
		}
		word[i] = (uint32_t)boff | (uint32_t)e->proto << IANA_ENTRY_PROTO_SHIFT |
			  (e->hi > e->lo ? IANA_ENTRY_RANGE_BIT : 0) |
			  (uint32_t)e->nalias << IANA_ENTRY_NALIAS_SHIFT;
		lines += (uint32_t)(e->hi - e->lo) + 1;
		nranges += e->hi > e->lo;

		/* Name postings: the first entry of each (exact string, protocol). */
		for (unsigned k = 0; k <= e->nalias; k++) {
			const char *s = k ? e->aliases[k - 1] : e->name;
			char ekey[IANA_NAME_MAX + 3];
			unsigned char fold[16];
			size_t slen = strlen(s), key;

			memcpy(ekey, s, slen);
			ekey[slen] = '/';
			ekey[slen + 1] = (char)('0' + e->proto);
			smap_get(&exact, ekey, slen + 2, 0, &added);
			if (!added)
				continue;
			iana_fold_name(s, fold);
			key = smap_get(&folded, (const char *)fold, slen, nkeys, &added);
			if (added) {
				if (nkeys == keycap) {
					keycap = keycap ? 2 * keycap : 1024;
					keys = xreallocarray(keys, keycap, sizeof(*keys));
				}
				memset(&keys[nkeys], 0, sizeof(*keys));
				memcpy(keys[nkeys].folded, fold, 16);
				nkeys++;
			}
			plist_add(&keys[key].post, (uint16_t)i);
		}

		/* Port postings: the first entry of each (port, protocol). */
		for (uint32_t p = e->lo; p <= e->hi; p++) {
			if (port_seen[p] & (1u << e->proto))
				continue;
			port_seen[p] |= (unsigned char)(1u << e->proto);
			plist_add(&ports[p], (uint16_t)i);
		}
	}
	{
		/* Readers load strings by words: the section ends in NULs. */
		static const unsigned char pad[IANA_STRINGS_PAD];

		buf_add(&strings, pad, sizeof(pad));
	}
	for (size_t k = 0; k < nkeys; k++)
		name_npost += keys[k].post.n;
	for (uint32_t p = 0; p < 65536; p++) {
		port_npost += ports[p].n;
		nports += ports[p].n > 0;
	}
	if (name_npost > IANA_MAX_POSTINGS || port_npost > IANA_MAX_POSTINGS) {
		diag_error(NULL, 0, "the indexes outgrow the format's %d postings",
			   IANA_MAX_POSTINGS);
		goto out;
	}
	if (build_phf(keys, nkeys, &f) < 0) {
		diag_error(NULL, 0, "cannot build the name index for %zu names", nkeys);
		goto out;
	}

	/* The image: header, then each section 8-aligned, in section order. */
	buf_grow(&out, IANA_DB_HEADER_SIZE);
	memset(out.p, 0, IANA_DB_HEADER_SIZE);
	out.len = IANA_DB_HEADER_SIZE;

#define SECTION_BEGIN(s) do { align8(&out); off[s] = (uint32_t)out.len; } while (0)
#define SECTION_END(s) (len[s] = (uint32_t)(out.len - off[s]))

	SECTION_BEGIN(IANA_SEC_STRINGS);
	buf_add(&out, strings.p, strings.len);
	SECTION_END(IANA_SEC_STRINGS);

	SECTION_BEGIN(IANA_SEC_PROTOS);
	for (int p = 0; p < SVC_NPROTOS; p++)
		buf_u32(&out, proto_off[p]);
	SECTION_END(IANA_SEC_PROTOS);

	SECTION_BEGIN(IANA_SEC_ENTRIES);
	for (size_t i = 0; i < l->n; i++) {
		const struct svc_entry *e = &l->e[i];
		uint32_t boff = word[i] & IANA_ENTRY_BLOCK_MASK;
		size_t blen = block_of(e, block);

		buf_u32(&out, word[i]);
		buf_u16(&out, e->lo);
		buf_u16(&out, iana_entry_check((uint32_t)i, word[i], e->lo, e->hi,
					       strings.p + boff, (uint32_t)blen,
					       /* the copy in STRINGS: the check may read past its end */
					       strings.p + proto_off[e->proto],
					       (uint32_t)strlen(svc_protos[e->proto])));
	}
	SECTION_END(IANA_SEC_ENTRIES);

	SECTION_BEGIN(IANA_SEC_RANGES);
	for (size_t i = 0; i < l->n; i++)
		if (l->e[i].hi > l->e[i].lo) {
			buf_u16(&out, (uint16_t)i);
			buf_u16(&out, l->e[i].hi);
		}
	SECTION_END(IANA_SEC_RANGES);

	SECTION_BEGIN(IANA_SEC_NAME_DISP);
	for (uint32_t b = 0; b < f.buckets; b++)
		buf_u16(&out, f.disp[b]);
	SECTION_END(IANA_SEC_NAME_DISP);

	SECTION_BEGIN(IANA_SEC_NAME_OFFS);
	{
		uint32_t at = 0;

		for (uint32_t s = 0; s < f.slots; s++) {
			buf_u16(&out, (uint16_t)at);
			if (f.slot_key[s])
				at += (uint32_t)keys[f.slot_key[s] - 1].post.n;
		}
		buf_u16(&out, (uint16_t)at);
	}
	SECTION_END(IANA_SEC_NAME_OFFS);

	SECTION_BEGIN(IANA_SEC_NAME_POST);
	for (uint32_t s = 0; s < f.slots; s++)
		if (f.slot_key[s]) {
			const struct plist *pl = &keys[f.slot_key[s] - 1].post;

			for (size_t k = 0; k < pl->n; k++)
				buf_u16(&out, (uint16_t)(pl->idx[k] | (k == 0 ? IANA_POST_FIRST : 0)));
		}
	SECTION_END(IANA_SEC_NAME_POST);

	SECTION_BEGIN(IANA_SEC_PORT_BITMAP);
	for (uint32_t w = 0; w < IANA_PORT_WORDS; w++) {
		uint64_t bits = 0;

		for (uint32_t b = 0; b < 64; b++)
			if (ports[w * 64 + b].n)
				bits |= UINT64_C(1) << b;
		buf_grow(&out, 8);
		iana_put64(out.p + out.len, bits);
		out.len += 8;
	}
	SECTION_END(IANA_SEC_PORT_BITMAP);

	SECTION_BEGIN(IANA_SEC_PORT_RANK);
	{
		uint32_t before = 0;

		for (uint32_t w = 0; w < IANA_PORT_WORDS; w++) {
			buf_u16(&out, (uint16_t)before);
			for (uint32_t b = 0; b < 64; b++)
				before += ports[w * 64 + b].n > 0;
		}
	}
	SECTION_END(IANA_SEC_PORT_RANK);

	SECTION_BEGIN(IANA_SEC_PORT_OFFS);
	{
		uint32_t at = 0;

		for (uint32_t p = 0; p < 65536; p++)
			if (ports[p].n) {
				buf_u16(&out, (uint16_t)at);
				at += (uint32_t)ports[p].n;
			}
		buf_u16(&out, (uint16_t)at);
	}
	SECTION_END(IANA_SEC_PORT_OFFS);

	SECTION_BEGIN(IANA_SEC_PORT_POST);
	for (uint32_t p = 0; p < 65536; p++)
		for (size_t k = 0; k < ports[p].n; k++)
			buf_u16(&out, (uint16_t)(ports[p].idx[k] | (k == 0 ? IANA_POST_FIRST : 0)));
	SECTION_END(IANA_SEC_PORT_POST);

	SECTION_BEGIN(IANA_SEC_INFO);
	if (l->n_info > 0) {
		size_t base = out.len, at;

		buf_u32(&out, (uint32_t)l->n_info);
		buf_grow(&out, 4 * l->n_info);
		out.len += 4 * l->n_info;
		for (size_t i = 0; i < l->n_info; i++) {
			const struct svc_info *in = &l->info[i];
			unsigned char head[IANA_INFO_HEAD];

			at = out.len - base;
			if (at > UINT32_MAX) {
				diag_error(NULL, 0, "the INFO section outgrows 4 GiB");
				goto out;
			}
			iana_put32(out.p + base + 4 + 4 * i, (uint32_t)at);
			iana_put16(head, in->lo);
			iana_put16(head + 2, in->hi);
			head[4] = in->proto;
			head[5] = in->flags;
			buf_add(&out, head, sizeof(head));
			for (unsigned k = 0; k < IANA_INFO_FIELDS; k++)
				buf_add(&out, in->field[k], strlen(in->field[k]) + 1);
		}
	}
	SECTION_END(IANA_SEC_INFO);
	off[IANA_SEC_RESERVED] = 0;
#undef SECTION_BEGIN
#undef SECTION_END

	memcpy(out.p + IANA_H_MAGIC, IANA_DB_MAGIC, IANA_DB_MAGIC_LEN);
	iana_put32(out.p + IANA_H_VERSION, IANA_DB_VERSION);
	iana_put32(out.p + IANA_H_HEADER_SIZE, IANA_DB_HEADER_SIZE);
	iana_put32(out.p + IANA_H_FILE_SIZE, (uint32_t)out.len);
	iana_put32(out.p + IANA_H_UPDATED, l->updated);
	iana_put32(out.p + IANA_H_N_ENTRIES, (uint32_t)l->n);
	iana_put32(out.p + IANA_H_N_LINES, lines);
	iana_put32(out.p + IANA_H_N_PROTOS, SVC_NPROTOS);
	iana_put32(out.p + IANA_H_N_NAMES, (uint32_t)nkeys);
	iana_put32(out.p + IANA_H_NAME_SLOTS, f.slots);
	iana_put32(out.p + IANA_H_NAME_BUCKETS, f.buckets);
	iana_put32(out.p + IANA_H_NAME_SEED, f.seed);
	iana_put32(out.p + IANA_H_N_PORTS, nports);
	iana_put32(out.p + IANA_H_N_RANGES, nranges);
	for (unsigned s = 0; s < IANA_SEC_COUNT; s++) {
		iana_put32(out.p + IANA_H_SECTIONS + 8 * s, off[s]);
		iana_put32(out.p + IANA_H_SECTIONS + 8 * s + 4, len[s]);
	}
	{
		unsigned char names[IANA_MAX_PROTOS * (IANA_PROTO_MAX + 1) + 8] = { 0 };
		size_t n = 0;

		for (int p = 0; p < SVC_NPROTOS; p++) {
			memcpy(names + n, svc_protos[p], strlen(svc_protos[p]) + 1);
			n += strlen(svc_protos[p]) + 1;
		}
		iana_put32(out.p + IANA_H_HEAD_CHECK, iana_head_check(out.p, names, n));
	}
	iana_put32(out.p + IANA_H_CHECKSUM, iana_db_checksum(out.p, out.len));

	*image = out.p;
	*size = out.len;
	out.p = NULL;
	rc = 0;
out:
	free(out.p);
	free(strings.p);
	free(word);
	for (size_t k = 0; k < nkeys; k++)
		free(keys[k].post.idx);
	free(keys);
	for (uint32_t p = 0; p < 65536; p++)
		free(ports[p].idx);
	free(ports);
	free(port_seen);
	free(f.disp);
	free(f.slot_key);
	smap_free(&blocks);
	smap_free(&exact);
	smap_free(&folded);
	return rc;
}
