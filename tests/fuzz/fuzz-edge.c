/*
 * libFuzzer target: no read past a database's last byte.
 *
 * The module maps a database into a region where zeros follow it
 * (nss-iana.c, region_map()), but only TAIL_ZEROS bytes of them when the
 * file is mapped alone; fuzz-db, through the module, cannot see a read that
 * strays into them.  Here every input that iana_db_open() accepts is placed
 * so that its last byte is the last one before a PROT_NONE page, and every
 * reader runs over it: lookups by name and by port and their fill, every
 * entry, the INFO section, the whole-file check.  Then, as a late reader
 * would see it, the same descriptor runs again over other bytes (the input
 * turned half-way round) and over zeros.  A read past the end faults.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "db-lookup.h"
#include "servent-fill.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define AREA_SIZE (4u << 20)   /* larger than any input: -max_len is 64 KiB */

static const char *const protos[] = { "tcp", "udp", "sctp", "dccp", "TCP", NULL };
#define N_PROTOS (sizeof(protos) / sizeof(protos[0]))

static void fill(const struct iana_db *db, const struct iana_hit *h)
{
	char buf[1024];
	struct servent se;
	int err;

	(void)iana_fill(db, h, &se, buf, sizeof(buf), &err);
	(void)iana_fill(db, h, &se, buf + 1, 24, &err);   /* the exact path */
}

/* Everything a reader does with db; check: also the whole-file check. */
static void read_all(const struct iana_db *db, int check)
{
	struct iana_hit h;

	for (size_t p = 0; p < N_PROTOS; p++) {
		/* Names: the strings of STRINGS, as found there, up to 16 bytes each. */
		for (uint32_t at = 0, n = 0; at < db->strings_size && n < 512; n++) {
			char name[17];
			size_t k = 0;

			while (k < 16 && at + k < db->strings_size && db->strings[at + k] != 0) {
				name[k] = (char)db->strings[at + k];
				k++;
			}
			name[k] = '\0';
			if (iana_lookup_name(db, name, protos[p], &h))
				fill(db, &h);
			at += (uint32_t)k + 1;
		}
		/* Ports: all of them with a NULL protocol, a sample with the others. */
		for (uint32_t port = 0; port < 65536; port += protos[p] == NULL ? 1 : 61)
			if (iana_lookup_port(db, (uint16_t)port, protos[p], &h))
				fill(db, &h);
	}
	for (uint32_t i = 0; i < db->n_entries; i++) {
		uint16_t lo, hi;

		if (iana_db_entry_span(db, i, &h.word, &lo, &hi) == 0) {
			h.idx = i;
			h.port = lo;
			fill(db, &h);
		}
	}
	for (uint32_t i = 0, n = iana_db_info_count(db); i < n && i < 4096; i++) {
		struct iana_info info;

		(void)iana_db_info(db, i, &info);
	}
	if (check) {
		char why[256];

		(void)iana_db_check(db, why, sizeof(why));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char *area;
	struct iana_db db;
	unsigned char *image;
	uint8_t *bits;

	if (area == NULL) {
		size_t pg = (size_t)sysconf(_SC_PAGESIZE);

		area = mmap(NULL, AREA_SIZE + pg, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (area == MAP_FAILED || mprotect(area + AREA_SIZE, pg, PROT_NONE) != 0)
			abort();
	}
	if (size == 0 || size > AREA_SIZE)
		return 0;
	image = area + AREA_SIZE - size;
	memcpy(image, data, size);
	if (iana_db_open(&db, image, size) != 0)
		return 0;
	bits = calloc(1, iana_db_bitmaps_size(&db));
	if (bits == NULL)
		abort();
	iana_db_set_bitmaps(&db, bits);
	read_all(&db, 1);

	/* A late reader: its descriptor over bytes that changed, then over zeros. */
	for (size_t i = 0; i < size; i++)
		image[i] = data[(i + size / 2) % size];
	read_all(&db, 0);
	memset(image, 0, size);
	read_all(&db, 0);
	free(bits);
	return 0;
}
