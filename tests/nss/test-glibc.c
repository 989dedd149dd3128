/*
 * test-glibc: libnss_iana through glibc's own NSS front end.
 *
 * usage: test-glibc DUMP   (NSS_IANA_DB = the full database, LD_LIBRARY_PATH
 *                           = the directory of libnss_iana.so.2)
 *
 * __nss_configure_lookup("services", "iana") makes glibc ask the module
 * alone, whatever /etc/nsswitch.conf says; then getservbyname,
 * getservbyname_r, getservbyport, getservbyport_r and getservent must give
 * what nss_files would give reading DUMP as /etc/services.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test-util.h"

extern int __nss_configure_lookup(const char *db, const char *service_line);

static void fmt(const struct servent *s, char *out, size_t len)
{
	int n;

	if (s == NULL) {
		snprintf(out, len, "(none)");
		return;
	}
	n = snprintf(out, len, "%s %d/%s", s->s_name, ntohs((uint16_t)s->s_port), s->s_proto);
	for (char **a = s->s_aliases; *a && n > 0 && (size_t)n < len; a++)
		n += snprintf(out + n, len - (size_t)n, " %s", *a);
}

static void expect(const char *what, const struct servent *s, const char *want)
{
	char got[1024];

	fmt(s, got, sizeof(got));
	if (strcmp(got, want) != 0)
		fail("%s: got \"%s\", expected \"%s\"", what, got, want);
	ok("%s -> %s", what, got);
}

static void by_name(const char *name, const char *proto, const char *want)
{
	char what[256], buf[4096];
	struct servent sb, *r = NULL;
	int rc;

	snprintf(what, sizeof(what), "getservbyname(\"%s\", %s)", name, proto ? proto : "NULL");
	expect(what, getservbyname(name, proto), want);
	snprintf(what, sizeof(what), "getservbyname_r(\"%s\", %s)", name, proto ? proto : "NULL");
	rc = getservbyname_r(name, proto, &sb, buf, sizeof(buf), &r);
	if (rc != 0)
		fail("%s returned %d (%s)", what, rc, strerror(rc));
	expect(what, r, want);
}

static void by_port(int port, const char *proto, const char *want)
{
	char what[256], buf[4096];
	struct servent sb, *r = NULL;
	int rc;

	snprintf(what, sizeof(what), "getservbyport(htons(%d), %s)", port, proto ? proto : "NULL");
	expect(what, getservbyport(htons((uint16_t)port), proto), want);
	snprintf(what, sizeof(what), "getservbyport_r(htons(%d), %s)", port, proto ? proto : "NULL");
	rc = getservbyport_r(htons((uint16_t)port), proto, &sb, buf, sizeof(buf), &r);
	if (rc != 0)
		fail("%s returned %d (%s)", what, rc, strerror(rc));
	expect(what, r, want);
}

int main(int argc, char **argv)
{
	char buf[4096], line[2048];
	struct servent sb, *r;
	size_t n = 0;
	FILE *dump;
	int rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 2) {
		fprintf(stderr, "usage: %s DUMP\n", argv[0]);
		return 2;
	}
	if (getenv("NSS_IANA_DB") == NULL)
		fail("NSS_IANA_DB is not set");
	if (__nss_configure_lookup("services", "iana") != 0)
		fail("__nss_configure_lookup(\"services\", \"iana\") failed");
	ok("__nss_configure_lookup(\"services\", \"iana\")");

	by_port(6010, "tcp", "x11 6010/tcp");
	by_port(6010, NULL, "x11 6010/tcp");
	by_name("www", "tcp", "http 80/tcp www www-http");
	by_name("www", NULL, "http 80/tcp www www-http");
	by_name("http", "udp", "http 80/udp www www-http");
	by_port(80, "sctp", "http 80/sctp");
	by_port(3323, "udp", "active-net 3323/udp");
	by_name("active-net", "udp", "active-net 3322/udp");
	by_port(9, "dccp", "discard 9/dccp");
	by_name("PostgreSQL", "tcp", "postgresql 5432/tcp");
	by_name("x11", NULL, "x11 6000/tcp");
	by_name("X11", "udp", "x11 6000/udp");

	/* Misses: NULL, and the _r forms return 0 with *result NULL. */
	if (getservbyname("no-such-svc", NULL) != NULL || getservbyname("http", "TCP") != NULL ||
	    getservbyport(htons(6010), "TCP") != NULL)
		fail("a lookup that must miss found something");
	r = &sb;
	rc = getservbyname_r("no-such-svc", "tcp", &sb, buf, sizeof(buf), &r);
	if (rc != 0 || r != NULL)
		fail("getservbyname_r(no-such-svc) returned %d, result %p; expected 0 and NULL", rc,
		     (void *)r);
	r = &sb;
	rc = getservbyport_r(htons(6010), "TCP", &sb, buf, sizeof(buf), &r);
	if (rc != 0 || r != NULL)
		fail("getservbyport_r(6010, \"TCP\") returned %d, result %p; expected 0 and NULL", rc,
		     (void *)r);
	ok("misses: NULL from getservbyname/getservbyport, 0 and NULL from the _r forms");

	/* A short buffer: glibc passes ERANGE back. */
	r = &sb;
	rc = getservbyname_r("www", "tcp", &sb, buf, 8, &r);
	if (rc != ERANGE || r != NULL)
		fail("getservbyname_r(www) with an 8-byte buffer returned %d (%s), result %p; "
		     "expected ERANGE and NULL", rc, strerror(rc), (void *)r);
	r = &sb;
	rc = getservbyport_r(htons(80), "tcp", &sb, buf, 8, &r);
	if (rc != ERANGE || r != NULL)
		fail("getservbyport_r(80) with an 8-byte buffer returned %d (%s); expected ERANGE", rc,
		     strerror(rc));
	ok("8-byte buffer: getservbyname_r and getservbyport_r return ERANGE");

	/* Enumeration: every dump line, in order. */
	dump = fopen(argv[1], "r");
	if (dump == NULL)
		fail("cannot open %s: %s", argv[1], strerror(errno));
	setservent(0);
	while (fgets(line, sizeof(line), dump) != NULL) {
		char want[2048], got[2048], *tok, *save = NULL;
		size_t k = 0;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		for (tok = strtok_r(line, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save))
			k += (size_t)snprintf(want + k, sizeof(want) - k, "%s%s", k ? " " : "", tok);
		r = getservent();
		n++;
		fmt(r, got, sizeof(got));
		if (strcmp(got, want) != 0)
			fail("getservent #%zu: got \"%s\", the dump says \"%s\"", n, got, want);
	}
	fclose(dump);
	r = getservent();
	if (r != NULL) {
		fmt(r, line, sizeof(line));
		fail("getservent after the dump's %zu lines returned \"%s\"", n, line);
	}
	ok("getservent: %zu entries, equal to the dump in order, then NULL", n);
	setservent(1);
	expect("getservent after setservent(1)", getservent(), "tcpmux 1/tcp");
	expect("getservent", getservent(), "tcpmux 1/udp");
	endservent();
	expect("getservent after endservent", getservent(), "tcpmux 1/tcp");
	endservent();
	puts("PASS");
	return 0;
}
