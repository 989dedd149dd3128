/*
 * Protocol names as a database may hold them, which the generator never
 * writes: in another order than tcp, udp, sctp, dccp, with names that are
 * none of those, without some of them, or with one twice.  A reader maps
 * the four known names once, at open, and compares any other name with the
 * file's (iana_proto_index()); both ways must give what comparing every
 * query with the file's names in order gives, the first that is equal.
 *
 * This program lays databases out with the generator's own image code
 * (gen/image.c), giving it protocol names of its own through svc_protos,
 * and checks each protocol asked for, by name and by port, in the reader
 * and through the module's entry points (libnss_iana.so.2, dlopen()ed in a
 * child per database).
 *
 * usage: test-protos DIR    (a scratch directory for the databases)
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <nss.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "db-reader.h"
#include "services.h"
#include "test-util.h"

/* The generator writes svc_protos as the PROTOS section: here, names of ours. */
static char proto_buf[SVC_NPROTOS][IANA_PROTO_MAX + 1];
const char *const svc_protos[SVC_NPROTOS] = { proto_buf[0], proto_buf[1], proto_buf[2],
					      proto_buf[3] };

struct set {
	const char *label;
	const char *names[SVC_NPROTOS];
	int distinct;          /* iana_db_check() passes, else it reports the repeat */
};

static const struct set sets[] = {
	{ "known, reversed", { "dccp", "sctp", "udp", "tcp" }, 1 },
	{ "others among them", { "udp", "ddp", "tcp", "sctpx" }, 1 },
	{ "none known", { "xtp", "TCP", "tc", "udpudp" }, 1 },
	{ "one twice", { "udp", "xtp", "tcp", "udp" }, 0 },
};

static const char *const queries[] = {
	"tcp", "udp", "sctp", "dccp", "ddp", "xtp", "sctpx", "TCP", "Tcp", "tc", "t", "tcpx",
	"udpx", "udpudp", "sctp ", "dcc", "dccpp", "", "s", "d", "u", "alpha", "beta",
	"tcpxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
};
#define NQ (sizeof(queries) / sizeof(queries[0]))

/* Ports of the entries: one per protocol for "alpha", and all on BETA_PORT for "beta". */
#define ALPHA_PORT 1000
#define BETA_PORT 2000

/* What the reader must answer: the first of n names equal to q. */
static int first_of(const char *const *names, int n, const char *q)
{
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], q) == 0)
			return i;
	return -1;
}

static int expected(const struct set *s, const char *q)
{
	return first_of(s->names, SVC_NPROTOS, q);
}

/*
 * Lists of other lengths than the generator's four, made by rewriting a
 * built image's PROTOS (from the set "known, reversed"): every name is one
 * of the strings that image holds, and a known one may come after the
 * fourth place.
 */
static const struct {
	int n;
	const char *names[IANA_MAX_PROTOS];
} lists[] = {
	{ 0, { NULL } },
	{ 1, { "tcp" } },
	{ 2, { "udp", "tcp" } },
	{ 3, { "alpha", "sctp", "dccp" } },
	{ 5, { "beta", "tcp", "alpha", "udp", "dccp" } },
	{ 6, { "alpha", "beta", "sctp", "dccp", "udp", "tcp" } },
	{ 7, { "alpha", "tcp", "beta", "tcp", "udp", "sctp", "dccp" } },
	{ 8, { "alpha", "beta", "alpha", "udp", "sctp", "udp", "dccp", "tcp" } },
};

/* Where string name starts in the image's STRINGS. */
static uint32_t string_offset(const unsigned char *image, const char *name)
{
	const unsigned char *sec = image + IANA_H_SECTIONS + 8 * IANA_SEC_STRINGS;
	uint32_t off = iana_get32(sec), len = iana_get32(sec + 4);
	const char *str = (const char *)image + off;

	for (uint32_t at = 0; at < len; at += (uint32_t)strlen(str + at) + 1)
		if (strcmp(str + at, name) == 0)
			return at;
	fail("the image holds no string \"%s\"", name);
}

/* image with its PROTOS replaced by n names: a new section at the end. */
static unsigned char *reprotos(const unsigned char *image, size_t size, const char *const *names,
			       int n, size_t *newsize)
{
	unsigned char *out = malloc(size + 4 * (size_t)n), *sec;
	unsigned char all[IANA_MAX_PROTOS * (IANA_PROTO_MAX + 1) + 8] = { 0 };
	size_t total = 0;

	if (out == NULL)
		fail("out of memory");
	memcpy(out, image, size);
	for (int i = 0; i < n; i++) {
		iana_put32(out + size + 4 * (size_t)i, string_offset(image, names[i]));
		memcpy(all + total, names[i], strlen(names[i]) + 1);
		total += strlen(names[i]) + 1;
	}
	*newsize = size + 4 * (size_t)n;
	sec = out + IANA_H_SECTIONS + 8 * IANA_SEC_PROTOS;
	iana_put32(sec, (uint32_t)size);
	iana_put32(sec + 4, 4 * (uint32_t)n);
	iana_put32(out + IANA_H_N_PROTOS, (uint32_t)n);
	iana_put32(out + IANA_H_FILE_SIZE, (uint32_t)*newsize);
	iana_put32(out + IANA_H_HEAD_CHECK, iana_head_check(out, all, total));
	return out;
}

static void check_lists(const unsigned char *image, size_t size)
{
	for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]); l++) {
		size_t newsize;
		unsigned char *img = reprotos(image, size, lists[l].names, lists[l].n, &newsize);
		struct iana_db db;

		if (iana_db_open(&db, img, newsize) != 0)
			fail("a list of %d names: iana_db_open refused the image", lists[l].n);
		if (db.n_protos != (uint32_t)lists[l].n)
			fail("a list of %d names: the reader has %u", lists[l].n, db.n_protos);
		for (size_t k = 0; k < NQ; k++) {
			int want = first_of(lists[l].names, lists[l].n, queries[k]);
			int got = iana_db_proto_index(&db, queries[k]);

			if (got != want)
				fail("a list of %d names: protocol index of \"%s\": %d, expected %d",
				     lists[l].n, queries[k], got, want);
		}
		free(img);
	}
	ok("lists of 0 to 8 names, known ones past the fourth and repeated: %zu protocols asked for",
	   NQ);
}

static void build(const struct set *s, unsigned char **image, size_t *size)
{
	static char alpha[] = "alpha", beta[] = "beta";
	struct svc_entry e[2 * SVC_NPROTOS];
	struct svc_list l;

	for (int i = 0; i < SVC_NPROTOS; i++)
		snprintf(proto_buf[i], sizeof(proto_buf[i]), "%s", s->names[i]);
	memset(e, 0, sizeof(e));
	for (int i = 0; i < SVC_NPROTOS; i++) {
		e[i].name = alpha;
		e[i].proto = (unsigned)i;
		e[i].lo = e[i].hi = (uint16_t)(ALPHA_PORT + i);
		e[i].line = (unsigned long)i + 1;
		e[SVC_NPROTOS + i].name = beta;
		e[SVC_NPROTOS + i].proto = (unsigned)i;
		e[SVC_NPROTOS + i].lo = e[SVC_NPROTOS + i].hi = BETA_PORT;
		e[SVC_NPROTOS + i].line = (unsigned long)(SVC_NPROTOS + i) + 1;
	}
	memset(&l, 0, sizeof(l));
	l.e = e;
	l.n = l.n_registry = 2 * SVC_NPROTOS;
	if (svc_build_image(&l, image, size) != 0)
		fail("%s: svc_build_image failed", s->label);
}

/* The reader: the index, and lookups by name and by port. */
static void check_reader(const struct set *s, const unsigned char *image, size_t size)
{
	struct iana_db db;
	char why[256];
	int rc;

	if (iana_db_open(&db, image, size) != 0)
		fail("%s: iana_db_open refused the image", s->label);
	rc = iana_db_check(&db, why, sizeof(why));
	if (s->distinct && rc != 0)
		fail("%s: iana_db_check: %s", s->label, why);
	if (!s->distinct && (rc == 0 || strstr(why, "listed twice") == NULL))
		fail("%s: iana_db_check did not report the repeated name (rc %d, \"%s\")",
		     s->label, rc, rc == 0 ? "" : why);
	for (size_t k = 0; k < NQ; k++) {
		const char *q = queries[k];
		int want = expected(s, q), got = iana_db_proto_index(&db, q);
		struct iana_entry e;
		int found;

		if (got != want)
			fail("%s: protocol index of \"%s\": %d, expected %d", s->label, q, got, want);
		found = iana_db_find_name(&db, "alpha", q, &e);
		if (found != (want >= 0) ||
		    (found && (e.port_lo != ALPHA_PORT + want || strcmp(e.proto, q) != 0)))
			fail("%s: alpha/\"%s\": found %d (port %u, %s), expected %s", s->label, q,
			     found, found ? e.port_lo : 0, found ? e.proto : "-",
			     want >= 0 ? "a hit" : "none");
		found = iana_db_find_port(&db, BETA_PORT, q, &e);
		if (found != (want >= 0) ||
		    (found && (e.idx != (uint32_t)(SVC_NPROTOS + want) || strcmp(e.proto, q) != 0)))
			fail("%s: %u/\"%s\": found %d (entry %u), expected %s", s->label, BETA_PORT,
			     q, found, found ? e.idx : 0, want >= 0 ? "a hit" : "none");
	}
	ok("%s (%s %s %s %s): the reader, %zu protocols asked for by name and by port",
	   s->label, s->names[0], s->names[1], s->names[2], s->names[3], NQ);
}

typedef enum nss_status byname_fn(const char *, const char *, struct servent *, char *, size_t,
				  int *);
typedef enum nss_status byport_fn(int, const char *, struct servent *, char *, size_t, int *);

/* The module, in a child: the same answers through its entry points. */
static void check_module(const struct set *s, const char *path)
{
	byname_fn *byname = (byname_fn *)iana_module_sym(path, "_nss_iana_getservbyname_r");
	byport_fn *byport = (byport_fn *)iana_module_sym(path, "_nss_iana_getservbyport_r");

	for (size_t k = 0; k < NQ; k++) {
		const char *q = queries[k];
		int want = expected(s, q), err = 0;
		struct servent se;
		char buf[1024];
		enum nss_status st;

		st = byname("alpha", q, &se, buf, sizeof(buf), &err);
		if (want < 0 ? st != NSS_STATUS_NOTFOUND :
			       st != NSS_STATUS_SUCCESS || strcmp(se.s_proto, q) != 0 ||
				       ntohs((uint16_t)se.s_port) != ALPHA_PORT + want)
			fail("%s: module, alpha/\"%s\": status %d, expected %s", s->label, q, st,
			     want >= 0 ? "a hit" : "NOTFOUND");
		st = byport(htons(BETA_PORT), q, &se, buf, sizeof(buf), &err);
		if (want < 0 ? st != NSS_STATUS_NOTFOUND :
			       st != NSS_STATUS_SUCCESS || strcmp(se.s_proto, q) != 0 ||
				       strcmp(se.s_name, "beta") != 0)
			fail("%s: module, %u/\"%s\": status %d, expected %s", s->label, BETA_PORT, q,
			     st, want >= 0 ? "a hit" : "NOTFOUND");
	}
	ok("%s: the module, %zu protocols asked for by name and by port", s->label, NQ);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		const struct set *s = &sets[i];
		unsigned char *image;
		size_t size;
		char path[4096];
		FILE *f;
		pid_t pid;
		int status;

		build(s, &image, &size);
		check_reader(s, image, size);
		if (i == 0)
			check_lists(image, size);
		snprintf(path, sizeof(path), "%s/protos-%zu.db", argv[1], i);
		if ((f = fopen(path, "wb")) == NULL || fwrite(image, 1, size, f) != size ||
		    fclose(f) != 0)
			fail("writing %s: %s", path, strerror(errno));
		free(image);
		fflush(stdout);
		if ((pid = fork()) < 0)
			fail("fork: %s", strerror(errno));
		if (pid == 0) {
			check_module(s, path);
			fflush(stdout);
			_exit(0);
		}
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			fail("%s: the module's child failed", s->label);
	}
	return 0;
}
