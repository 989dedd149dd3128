/*
 * sweep-probe: ask libnss_iana, through glibc, a fixed list of questions and
 * print one normalized line per answer; used by sweep.py on corrupted
 * databases.
 *
 * usage: sweep-probe QUERIES   (NSS_IANA_DB = the database to open,
 *                               LD_LIBRARY_PATH = the directory of
 *                               libnss_iana.so.2)
 *
 * QUERIES holds one query a line: "name NAME" or "port NUMBER".  Each is
 * asked with proto "tcp", "udp" and NULL ("-"), and answered as
 *
 *     Q name NAME PROTO: NAME PORT/PROTO ALIAS...
 *     Q name NAME PROTO: NOTFOUND
 *     Q name NAME PROTO: UNAVAIL ERRNO
 *
 * Then a full enumeration (setservent, getservent_r until the end,
 * endservent), one line per answer "E NAME PORT/PROTO ALIAS...", ended by
 * "E END" or by "E UNAVAIL ERRNO"; then every query again, in the same
 * process.  Buffers start small and grow on ERANGE.
 * Exit 0, or 2 on a usage error, 3 when something is out of bounds (a
 * buffer that never suffices, an enumeration that does not end).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern int __nss_configure_lookup(const char *db, const char *service_line);

#define BUF_MAX   (1u << 20)
#define ENUM_MAX  1000000L   /* the full registry has about 12,000 lines */

static void print_servent(const struct servent *s)
{
	printf("%s %d/%s", s->s_name, ntohs((uint16_t)s->s_port), s->s_proto);
	for (char **a = s->s_aliases; *a != NULL; a++)
		printf(" %s", *a);
	putchar('\n');
}

static void grow(char **buf, size_t *len)
{
	if (*len >= BUF_MAX) {
		printf("BUFFER TOO SMALL AT %zu\n", *len);
		exit(3);
	}
	*len *= 2;
	free(*buf);
	*buf = malloc(*len);
	if (*buf == NULL) {
		perror("malloc");
		exit(3);
	}
}

static void ask(const char *kind, const char *arg, const char *proto)
{
	size_t len = 16;
	char *buf = malloc(len);
	struct servent sb, *r;
	int rc;

	if (buf == NULL) {
		perror("malloc");
		exit(3);
	}
	for (;;) {
		r = NULL;
		errno = 0;
		if (strcmp(kind, "name") == 0)
			rc = getservbyname_r(arg, proto, &sb, buf, len, &r);
		else
			rc = getservbyport_r((int)htons((uint16_t)atoi(arg)), proto, &sb, buf, len,
					     &r);
		if (rc != ERANGE)
			break;
		grow(&buf, &len);
	}
	printf("Q %s %s %s: ", kind, arg, proto ? proto : "-");
	if (rc != 0)
		printf("UNAVAIL %d\n", rc);
	else if (r == NULL)
		printf("NOTFOUND\n");
	else
		print_servent(r);
	free(buf);
}

static void enumerate(void)
{
	size_t len = 16;
	char *buf = malloc(len);
	struct servent sb, *r;
	long n = 0;
	int rc;

	if (buf == NULL) {
		perror("malloc");
		exit(3);
	}
	setservent(0);
	for (;;) {
		r = NULL;
		rc = getservent_r(&sb, buf, len, &r);
		if (rc == ERANGE) {
			grow(&buf, &len);
			continue;
		}
		if (rc == 0 && r != NULL) {
			if (++n > ENUM_MAX) {
				printf("E DOES NOT END\n");
				exit(3);
			}
			fputs("E ", stdout);
			print_servent(r);
			continue;
		}
		if (rc == 0 || rc == ENOENT)
			printf("E END\n");
		else
			printf("E UNAVAIL %d\n", rc);
		break;
	}
	endservent();
	free(buf);
}

int main(int argc, char **argv)
{
	static const char *const protos[] = { "tcp", "udp", NULL };
	char line[512], kind[16], arg[256];
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: sweep-probe QUERIES\n");
		return 2;
	}
	f = fopen(argv[1], "r");
	if (f == NULL) {
		perror(argv[1]);
		return 2;
	}
	if (__nss_configure_lookup("services", "iana") != 0) {
		fprintf(stderr, "__nss_configure_lookup failed\n");
		return 2;
	}
	/*
	 * Twice: the second pass is answered from what the first pass and the
	 * enumeration left verified in this mapping (postings lists, entries),
	 * which must not change an answer.
	 */
	for (int pass = 0; pass < 2; pass++) {
		rewind(f);
		while (fgets(line, sizeof(line), f) != NULL) {
			if (line[0] == '#' || line[0] == '\n')
				continue;
			if (sscanf(line, "%15s %255s", kind, arg) != 2 ||
			    (strcmp(kind, "name") != 0 && strcmp(kind, "port") != 0)) {
				fprintf(stderr, "%s: bad query: %s", argv[1], line);
				return 2;
			}
			for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
				ask(kind, arg, protos[i]);
		}
		if (pass == 0)
			enumerate();
	}
	fclose(f);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("stdout");
		return 3;
	}
	return 0;
}
