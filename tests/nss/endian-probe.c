/*
 * endian-probe: what the reader answers from a database image, one line per
 * answer, so that the output of a little-endian and of a big-endian build
 * (run under qemu-user) can be compared byte for byte: FORMAT.md promises
 * one file for every architecture.
 *
 * usage: endian-probe DATABASE
 *
 * Prints the host's byte order, the full validation's verdict, then for
 * every entry every services(5) line it yields, filled through the module's
 * own fill with a large buffer (the word-at-a-time path) and with a buffer
 * of exactly the size it needs (the exact path), each of its names looked
 * up with its protocol and with none, and each of its ports likewise.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db-reader.h"
#include "servent-fill.h"

static _Alignas(16) char big[4096];

static void line(const char *what, enum nss_status st, const struct servent *r)
{
	printf("%s:", what);
	if (st != NSS_STATUS_SUCCESS) {
		printf(" status %d\n", (int)st);
		return;
	}
	printf(" %s %d/%s", r->s_name, ntohs((uint16_t)r->s_port), r->s_proto);
	for (char **a = r->s_aliases; *a != NULL; a++)
		printf(" %s", *a);
	putchar('\n');
}

/* Fill h with a large buffer, then with one of exactly the size needed. */
static void fill_both(const struct iana_db *db, const struct iana_hit *h, const char *what)
{
	struct iana_entry e;
	struct servent se;
	char label[64];
	int err = 0;
	char *small;
	size_t need;

	snprintf(label, sizeof(label), "%s big", what);
	line(label, iana_fill_hit(db, h, &se, big, sizeof(big), &err), &se);
	if (iana_db_entry(db, h->idx, &e) < 0) {
		printf("%s: entry %u does not decode\n", what, h->idx);
		return;
	}
	/* At the end of big, aligned, so that the size needed does not change. */
	need = iana_servent_size(&e, big);
	small = big + (sizeof(big) - need) / 8 * 8;
	snprintf(label, sizeof(label), "%s exact", what);
	line(label, iana_fill_hit(db, h, &se, small, need, &err), &se);
}

int main(int argc, char **argv)
{
	static unsigned char img[8 << 20];
	struct iana_db db;
	char why[256] = "";
	FILE *f;
	size_t n;

	if (argc != 2) {
		fprintf(stderr, "usage: endian-probe DATABASE\n");
		return 2;
	}
	f = fopen(argv[1], "rb");
	if (f == NULL) {
		perror(argv[1]);
		return 2;
	}
	n = fread(img, 1, sizeof(img), f);
	fclose(f);
	printf("byte order: %s\n", IANA_LE_HOST ? "little-endian" : "big-endian");
	if (iana_db_open(&db, img, n) != 0) {
		printf("open: failed\n");
		return 1;
	}
	printf("check: %s %s\n", iana_db_check(&db, why, sizeof(why)) == 0 ? "ok" : "FAILED", why);
	for (uint32_t i = 0; i < db.n_entries; i++) {
		struct iana_entry e;
		struct iana_hit h;
		const char *s;
		char what[64];

		if (iana_db_entry(&db, i, &e) < 0) {
			printf("entry %u: damaged\n", i);
			continue;
		}
		for (uint32_t p = e.port_lo;; p++) {
			struct iana_hit l;

			if (!iana_db_lookup_port(&db, (uint16_t)p, e.proto, &l) ||
			    !iana_db_lookup_port(&db, (uint16_t)p, NULL, &h)) {
				printf("entry %u: port %u/%s not found\n", i, p, e.proto);
			} else {
				snprintf(what, sizeof(what), "port %u/%s", p, e.proto);
				fill_both(&db, &l, what);
				snprintf(what, sizeof(what), "port %u/-", p);
				fill_both(&db, &h, what);
			}
			if (p == e.port_hi)
				break;
		}
		s = e.strings;
		for (unsigned k = 0; k <= e.nalias; k++, s += strlen(s) + 1) {
			if (!iana_db_lookup_name(&db, s, e.proto, &h)) {
				printf("entry %u: name %s/%s not found\n", i, s, e.proto);
				continue;
			}
			snprintf(what, sizeof(what), "name %s/%s", s, e.proto);
			fill_both(&db, &h, what);
			if (iana_db_lookup_name(&db, s, NULL, &h)) {
				snprintf(what, sizeof(what), "name %s/-", s);
				fill_both(&db, &h, what);
			}
		}
	}
	return 0;
}
