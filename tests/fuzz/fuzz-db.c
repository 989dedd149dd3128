/* libFuzzer target: arbitrary bytes as the database, through the module itself. */

/* The module's own code, statics included: its open, map and lookup paths. */
#include "../../nss/nss-iana.c"

#include <stdio.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[128], tmp[136];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("TMPDIR");

	(void)argc;
	(void)argv;
	snprintf(path, sizeof(path), "%s/fuzz-db-%ld.db", dir ? dir : "/tmp", (long)getpid());
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	setenv("NSS_IANA_DB", path, 1);
	return 0;
}

/*
 * The protocol asked for resolves to the first of the file's names equal
 * to it, whichever way the reader finds it (the map of the known names or
 * the comparison with the file's): checked against a plain loop.
 */
static void check_proto_index(const struct iana_db *db, const char *q)
{
	int want = -1;

	for (uint32_t i = 0; i < db->n_protos && want < 0; i++)
		if (strcmp(db->proto_name[i], q) == 0)
			want = (int)i;
	if (iana_proto_index(db, q) != want) {
		fprintf(stderr, "fuzz-db: protocol \"%s\" resolves to %d, expected %d\n", q,
			iana_proto_index(db, q), want);
		abort();
	}
}

/* Put the input in place as an update would: a new file renamed over the old. */
static void install(const uint8_t *data, size_t size)
{
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || write(fd, data, size) != (ssize_t)size || close(fd) < 0 ||
	    rename(tmp, path) < 0) {
		perror("fuzz-db: cannot write the input file");
		abort();
	}
	pthread_mutex_lock(&db_lock);
	have_failed_st = 0;   /* inode numbers are reused between inputs */
	refresh(NULL);
	atomic_store(&checked, time(NULL));
	pthread_mutex_unlock(&db_lock);
}

static void check_result(enum nss_status st, const struct servent *se, const char *buf,
			 size_t buflen)
{
	if (st != NSS_STATUS_SUCCESS)
		return;
	/* Every pointer must point into the caller's buffer. */
	if (se->s_name < buf || se->s_name >= buf + buflen || se->s_proto < buf ||
	    se->s_proto >= buf + buflen || (const char *)se->s_aliases < buf ||
	    (const char *)se->s_aliases >= buf + buflen)
		abort();
	for (char **a = se->s_aliases; *a; a++)
		if (*a < buf || *a >= buf + buflen)
			abort();
	(void)strlen(se->s_name);
	(void)strlen(se->s_proto);
}

static void by_name(const char *name, const char *proto)
{
	struct servent se;
	char buf[512];
	int err = 0;

	check_result(_nss_iana_getservbyname_r(name, proto, &se, buf, sizeof(buf), &err), &se,
		     buf, sizeof(buf));
	check_result(_nss_iana_getservbyname_r(name, proto, &se, buf + 1, 16, &err), &se, buf + 1, 16);
}

static void by_port(int port, const char *proto)
{
	struct servent se;
	char buf[512];
	int err = 0;

	check_result(_nss_iana_getservbyport_r(htons((uint16_t)port), proto, &se, buf, sizeof(buf),
					       &err), &se, buf, sizeof(buf));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const protos[] = { "tcp", "udp", "sctp", "dccp", NULL, "TCP" };
	static const char *const names[] = { "http", "www", "x11", "HTTP", "nosuch", "", "a" };
	static const int ports[] = { 0, 1, 7, 80, 443, 6010, 65535 };
	struct dbref *d;
	int err = 0;

	iana_forget_all();
	install(data, size);
	for (size_t p = 0; p < sizeof(protos) / sizeof(protos[0]); p++) {
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			by_name(names[i], protos[p]);
		for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++)
			by_port(ports[i], protos[p]);
	}

	/* Names and ports the database itself holds reach the deeper paths. */
	d = db_current(&err);
	if (d != NULL) {
		static const char *const queries[] = {
			"tcp", "udp", "sctp", "dccp", "TCP", "tc", "tcpx", "", "ddp",
			"tcpxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
		};
		const char *s = (const char *)d->db.strings;
		uint32_t n = d->db.strings_size;

		for (size_t i = 0; i < sizeof(queries) / sizeof(queries[0]); i++)
			check_proto_index(&d->db, queries[i]);
		for (uint32_t i = 0; i < d->db.n_protos; i++)
			check_proto_index(&d->db, d->db.proto_name[i]);

		for (uint32_t at = 0, k = 0; at < n && k < 64; k++) {
			by_name(s + at, NULL);
			by_name(s + at, "udp");
			at += (uint32_t)strlen(s + at) + 1;
		}
		for (uint32_t i = 0; i < d->db.n_entries && i < 64; i++) {
			const unsigned char *e = d->db.entries + (size_t)i * IANA_ENTRY_SIZE;

			by_port(iana_get16(e + 4), NULL);
			by_port(iana_get16(e + 4), "tcp");
		}
	}

	/* A full enumeration with a buffer grown on ERANGE; bounded. */
	{
		struct servent se;
		char buf[1024];
		size_t len = 8;
		enum nss_status st;

		_nss_iana_setservent(0);
		for (int steps = 0; steps < 200000; steps++) {
			st = _nss_iana_getservent_r(&se, buf, len, &err);
			if (st == NSS_STATUS_TRYAGAIN && err == ERANGE && len < sizeof(buf)) {
				len *= 2;
				continue;
			}
			if (st != NSS_STATUS_SUCCESS)
				break;
			check_result(st, &se, buf, len);
		}
		_nss_iana_endservent();
	}
	return 0;
}
