/*
 * Lookups by port against the entries themselves, with the port's rank
 * counted both ways the reader can count it: the popcnt instruction (where
 * the CPU has it and the build uses asm for it) and software.
 *
 * The answer for every port, with each protocol and with none, is taken
 * from the entries in registry order (the first that covers the port),
 * without the port index; iana_db_find_port() must give the same entry
 * with either way of counting.  The two counts are also compared on their
 * own, over words that reach every bit count.
 *
 * usage: test-rank DATABASE
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db-lookup.h"
#include "test-util.h"

#if IANA_POPCNT_ASM
#include <cpuid.h>

/* Does the CPU itself say it has popcnt (CPUID leaf 1, ECX bit 23)? */
static int cpu_has_popcnt(void)
{
	unsigned a, b, c, d;

	return __get_cpuid(1, &a, &b, &c, &d) && (c & bit_POPCNT) != 0;
}
#endif

#define NONE UINT32_MAX

static void map_file(const char *path, const unsigned char **p, size_t *size)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) != 0)
		fail("%s: %s", path, strerror(errno));
	*size = (size_t)st.st_size;
	*p = mmap(NULL, *size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (*p == MAP_FAILED)
		fail("mmap %s: %s", path, strerror(errno));
	close(fd);
}

/* Counts that the two ways must agree on: every bit count, and mixed words. */
static void check_counts(struct iana_db *db)
{
	uint64_t x = UINT64_C(0x9e3779b97f4a7c15);

	for (int k = 0; k <= 64; k++) {
		uint64_t v = k == 64 ? UINT64_MAX : (UINT64_C(1) << k) - 1;

		for (int r = 0; r < 64; r++) {
			uint64_t w = v << r | (r == 0 ? 0 : v >> (64 - r));   /* rotated */

			if (iana_rank_popcount(db, w) != (unsigned)k || iana_popcount64(w) != (unsigned)k)
				fail("popcount(%#llx) = %u, software %u, expected %d (popcnt %d)",
				     (unsigned long long)w, iana_rank_popcount(db, w),
				     iana_popcount64(w), k, db->popcnt);
		}
	}
	for (int i = 0; i < 100000; i++) {
		unsigned want = 0;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		for (uint64_t y = x; y != 0; y &= y - 1)
			want++;
		if (iana_rank_popcount(db, x) != want || iana_popcount64(x) != want)
			fail("popcount(%#llx) = %u, software %u, expected %u (popcnt %d)",
			     (unsigned long long)x, iana_rank_popcount(db, x), iana_popcount64(x),
			     want, db->popcnt);
	}
}

int main(int argc, char **argv)
{
	static const char *const protos[] = { NULL, "tcp", "udp", "sctp", "dccp" };
	enum { NP = sizeof(protos) / sizeof(protos[0]) };
	static uint32_t first[65536][NP];
	const unsigned char *image;
	size_t size;
	struct iana_db db;
	uint8_t hw;
	unsigned long hits = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 2) {
		fprintf(stderr, "usage: %s DATABASE\n", argv[0]);
		return 2;
	}
	map_file(argv[1], &image, &size);
	if (iana_db_open(&db, image, size) != 0)
		fail("%s: not a database", argv[1]);
	hw = db.popcnt;
#if IANA_POPCNT_ASM
	/*
	 * glibc turns a feature off only when GLIBC_TUNABLES says so: on a CPU
	 * that has popcnt, a reader that does not use it lost its way to ask.
	 */
	if (!hw && cpu_has_popcnt() && getenv("GLIBC_TUNABLES") == NULL)
		fail("the CPU has popcnt, but the reader does not use it");
#endif

	/* The answers, from the entries in registry order. */
	for (uint32_t p = 0; p < 65536; p++)
		for (int k = 0; k < NP; k++)
			first[p][k] = NONE;
	for (uint32_t i = 0; i < db.n_entries; i++) {
		struct iana_entry e;

		if (iana_db_entry(&db, i, &e) != 0)
			fail("entry %u is damaged", i);
		for (uint32_t p = e.port_lo; p <= e.port_hi; p++)
			for (int k = 0; k < NP; k++)
				if (first[p][k] == NONE &&
				    (protos[k] == NULL || strcmp(protos[k], e.proto) == 0))
					first[p][k] = i;
	}

	for (int way = 0; way < 2; way++) {
		if (way == 1 && !hw) {
			ok("the popcnt instruction: %s",
			   IANA_POPCNT_ASM ? "glibc reports it inactive (no such CPU feature, or "
					     "GLIBC_TUNABLES)" :
					     "not used through asm by this build");
			break;
		}
		db.popcnt = (uint8_t)way;
		check_counts(&db);
		hits = 0;
		for (uint32_t p = 0; p < 65536; p++) {
			for (int k = 0; k < NP; k++) {
				struct iana_entry e;
				int found = iana_db_find_port(&db, (uint16_t)p, protos[k], &e);

				if (found != (first[p][k] != NONE) || (found && e.idx != first[p][k]))
					fail("%u/%s (%s): entry %d, expected %d", p,
					     protos[k] ? protos[k] : "NULL",
					     way ? "popcnt" : "software", found ? (int)e.idx : -1,
					     first[p][k] == NONE ? -1 : (int)first[p][k]);
				hits += (unsigned long)found;
			}
		}
		ok("%s: every port with each protocol and none as the entries say (%lu hits)",
		   way ? "popcnt" : "software", hits);
	}
	if (hits < 10000)
		fail("only %lu hits: not the full registry?", hits);
	return 0;
}
