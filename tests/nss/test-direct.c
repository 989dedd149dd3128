/*
 * test-direct: the five NSS entry points of libnss_iana.so.2, called directly.
 *
 * usage: test-direct MODULE.so GROUP DATABASE [DUMP]
 *
 * The module is dlopen()ed once; every scenario runs in a fork()ed child that
 * sets NSS_IANA_DB before its first call (the module reads it once, at its
 * first lookup in the process).  Each check is printed; the first failure
 * prints FAIL and the program exits 1.
 *
 * Groups:
 *   lookups   DATABASE = tests' small.db: getservbyname_r / getservbyport_r rules
 *   buffers   DATABASE = small.db: ERANGE at every short size, unaligned buffers
 *   enum      DATABASE = small.db, DUMP = its dump: getservent_r, setservent, endservent
 *   case      DATABASE = case.db: the ASCII case-insensitive fallback
 *   full      DATABASE = the full database, DUMP = its dump: spot checks and enumeration
 *   unavail   DATABASE = small.db (a valid file to damage): missing, garbage, empty,
 *             directory, unreadable, truncated databases
 *   reload    DATABASE = small.db, DUMP = its dump, DATABASE2 = case.db: the file
 *             appears, is replaced (mid-enumeration), turns to garbage, vanishes
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <netdb.h>
#include <nss.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ERRNO_SENTINEL 12345
#define ERRNOP_SENTINEL 54321
#define CANARY 0xA5

static nss_getservbyname_r *f_byname;
static nss_getservbyport_r *f_byport;
static nss_setservent *f_setservent;
static nss_getservent_r *f_getservent;
static nss_endservent *f_endservent;

static const char *cur_scenario = "main";
static unsigned n_checks;

__attribute__((format(printf, 1, 2), noreturn))
static void fail(const char *fmt, ...)
{
	va_list ap;

	printf("FAIL [%s]: ", cur_scenario);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	_exit(1);
}

__attribute__((format(printf, 1, 2)))
static void ok(const char *fmt, ...)
{
	va_list ap;

	n_checks++;
	printf("ok   [%s]: ", cur_scenario);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static const char *st_name(enum nss_status s)
{
	switch (s) {
	case NSS_STATUS_TRYAGAIN: return "NSS_STATUS_TRYAGAIN";
	case NSS_STATUS_UNAVAIL: return "NSS_STATUS_UNAVAIL";
	case NSS_STATUS_NOTFOUND: return "NSS_STATUS_NOTFOUND";
	case NSS_STATUS_SUCCESS: return "NSS_STATUS_SUCCESS";
	case NSS_STATUS_RETURN: return "NSS_STATUS_RETURN";
	}
	return "(unknown status)";
}

/* ------------------------------------------------------------------------ */
/* Calls into a guarded arena: buf = arena + off, everything else a canary. */

#define ARENA_SIZE 8192
static unsigned char arena[ARENA_SIZE] __attribute__((aligned(64)));

struct call {
	enum nss_status st;
	int err;        /* *errnop after the call */
	int errno_after;
	struct servent res;
	char *buf;
	size_t buflen;
};

static void arena_prepare(size_t off, size_t buflen, struct call *c)
{
	if (off + buflen + 64 > ARENA_SIZE)
		fail("test bug: buffer of %zu at offset %zu does not fit the arena", buflen, off);
	memset(arena, CANARY, sizeof(arena));
	memset(&c->res, 0x5a, sizeof(c->res));
	c->buf = (char *)arena + off;
	c->buflen = buflen;
	c->err = ERRNOP_SENTINEL;
}

/* Nothing outside [buf, buf+buflen) was written. */
static void arena_check(const char *what, const struct call *c)
{
	size_t lo = (size_t)((unsigned char *)c->buf - arena), hi = lo + c->buflen;

	for (size_t i = 0; i < ARENA_SIZE; i++)
		if ((i < lo || i >= hi) && arena[i] != CANARY)
			fail("%s: byte %zd relative to buf (buflen %zu) was written outside the buffer",
			     what, (ssize_t)i - (ssize_t)lo, c->buflen);
}

static void do_byname(const char *name, const char *proto, size_t off, size_t buflen,
		      struct call *c)
{
	arena_prepare(off, buflen, c);
	errno = ERRNO_SENTINEL;
	c->st = f_byname(name, proto, &c->res, c->buf, c->buflen, &c->err);
	c->errno_after = errno;
}

static void do_byport(int port, const char *proto, size_t off, size_t buflen, struct call *c)
{
	arena_prepare(off, buflen, c);
	errno = ERRNO_SENTINEL;
	c->st = f_byport(port, proto, &c->res, c->buf, c->buflen, &c->err);
	c->errno_after = errno;
}

static void do_getent(size_t off, size_t buflen, struct call *c)
{
	arena_prepare(off, buflen, c);
	errno = ERRNO_SENTINEL;
	c->st = f_getservent(&c->res, c->buf, c->buflen, &c->err);
	c->errno_after = errno;
}

/* ------------------------------------------------------------------------ */
/* Expected entries. */

struct exp {
	const char *name;
	int port;                 /* host order */
	const char *proto;
	const char *aliases[8];   /* NULL-terminated */
};

static unsigned exp_nalias(const struct exp *e)
{
	unsigned n = 0;

	while (e->aliases[n] != NULL)
		n++;
	return n;
}

/* The least buffer any layout can use: the alias array and every string. */
static size_t exp_min_size(const struct exp *e)
{
	size_t n = (exp_nalias(e) + 1) * sizeof(char *) + strlen(e->name) + 1 +
		   strlen(e->proto) + 1;

	for (unsigned i = 0; e->aliases[i] != NULL; i++)
		n += strlen(e->aliases[i]) + 1;
	return n;
}

static int in_buf(const struct call *c, const void *p, size_t len)
{
	const char *q = p;

	return q >= c->buf && q <= c->buf + c->buflen && len <= (size_t)(c->buf + c->buflen - q);
}

/* A string inside the buffer, its NUL included; checked byte by byte. */
static int str_in_buf(const struct call *c, const char *s)
{
	if (!in_buf(c, s, 1))
		return 0;
	for (const char *p = s; in_buf(c, p, 1); p++)
		if (*p == '\0')
			return 1;
	return 0;
}

static void format_servent(const struct servent *r, char *out, size_t outlen)
{
	int n = snprintf(out, outlen, "%s %d/%s", r->s_name, ntohs((uint16_t)r->s_port), r->s_proto);

	for (char **a = r->s_aliases; *a != NULL && n > 0 && (size_t)n < outlen; a++)
		n += snprintf(out + n, outlen - (size_t)n, " %s", *a);
}

/* Every pointer inside the caller's buffer; then the contents as expected. */
static void check_pointers(const char *what, const struct call *c)
{
	const struct servent *r = &c->res;
	unsigned i;

	if (!str_in_buf(c, r->s_name))
		fail("%s: s_name %p is not inside the buffer [%p, %p)", what, (void *)r->s_name,
		     (void *)c->buf, (void *)(c->buf + c->buflen));
	if (!str_in_buf(c, r->s_proto))
		fail("%s: s_proto %p is not inside the buffer [%p, %p)", what, (void *)r->s_proto,
		     (void *)c->buf, (void *)(c->buf + c->buflen));
	for (i = 0;; i++) {
		if (!in_buf(c, &r->s_aliases[i], sizeof(char *)))
			fail("%s: s_aliases[%u] (at %p) is not inside the buffer [%p, %p)", what, i,
			     (void *)&r->s_aliases[i], (void *)c->buf, (void *)(c->buf + c->buflen));
		if ((uintptr_t)&r->s_aliases[i] % alignof(char *) != 0)
			fail("%s: s_aliases at %p is misaligned", what, (void *)r->s_aliases);
		if (r->s_aliases[i] == NULL)
			break;
		if (!str_in_buf(c, r->s_aliases[i]))
			fail("%s: alias %u at %p is not inside the buffer [%p, %p)", what, i,
			     (void *)r->s_aliases[i], (void *)c->buf, (void *)(c->buf + c->buflen));
		if (i > 64)
			fail("%s: more than 64 aliases (no NULL terminator?)", what);
	}
}

static void check_servent(const char *what, const struct call *c, const struct exp *e)
{
	const struct servent *r = &c->res;
	char got[1024], want[1024];
	struct servent w;

	check_pointers(what, c);
	w.s_name = (char *)e->name;
	w.s_port = (int)htons((uint16_t)e->port);
	w.s_proto = (char *)e->proto;
	w.s_aliases = (char **)e->aliases;
	format_servent(r, got, sizeof(got));
	format_servent(&w, want, sizeof(want));
	if (strcmp(got, want) != 0 || r->s_port != w.s_port)
		fail("%s: got \"%s\" (s_port 0x%x), expected \"%s\" (s_port 0x%x)", what, got,
		     (unsigned)r->s_port, want, (unsigned)w.s_port);
}

/* A found answer: SUCCESS, errno and *errnop untouched, nothing outside buf. */
static void check_found(const char *what, const struct call *c, const struct exp *e)
{
	if (c->st != NSS_STATUS_SUCCESS)
		fail("%s: status %s (*errnop %d), expected NSS_STATUS_SUCCESS with %s %d/%s", what,
		     st_name(c->st), c->err, e->name, e->port, e->proto);
	if (c->errno_after != ERRNO_SENTINEL)
		fail("%s: found, but errno changed from %d to %d (%s)", what, ERRNO_SENTINEL,
		     c->errno_after, strerror(c->errno_after));
	if (c->err != ERRNOP_SENTINEL)
		fail("%s: found, but *errnop changed from %d to %d", what, ERRNOP_SENTINEL, c->err);
	arena_check(what, c);
	check_servent(what, c, e);
}

static void check_notfound(const char *what, const struct call *c)
{
	if (c->st != NSS_STATUS_NOTFOUND) {
		char got[1024] = "";

		if (c->st == NSS_STATUS_SUCCESS)
			format_servent(&c->res, got, sizeof(got));
		fail("%s: status %s %s, expected NSS_STATUS_NOTFOUND", what, st_name(c->st), got);
	}
	if (c->errno_after != ERRNO_SENTINEL)
		fail("%s: not found, but errno changed from %d to %d", what, ERRNO_SENTINEL,
		     c->errno_after);
	if (c->err != ERRNOP_SENTINEL)
		fail("%s: not found, but *errnop changed from %d to %d", what, ERRNOP_SENTINEL, c->err);
	arena_check(what, c);
}

static void check_erange(const char *what, const struct call *c)
{
	if (c->st != NSS_STATUS_TRYAGAIN || c->err != ERANGE)
		fail("%s: status %s with *errnop %d, expected NSS_STATUS_TRYAGAIN with ERANGE (%d)",
		     what, st_name(c->st), c->err, ERANGE);
	arena_check(what, c);
}

static const size_t offsets[] = { 0, 1, 3, 5, 7 };
#define N_OFFSETS (sizeof(offsets) / sizeof(offsets[0]))

static const char *pname(const char *proto)
{
	return proto ? proto : "NULL";
}

/* Name lookups: e NULL means not found.  Tried at every buffer offset. */
static void expect_byname(const char *name, const char *proto, const struct exp *e)
{
	char what[256];
	struct call c;

	for (size_t i = 0; i < N_OFFSETS; i++) {
		snprintf(what, sizeof(what), "getservbyname_r(\"%s\", %s) at buf+%zu", name,
			 pname(proto), offsets[i]);
		do_byname(name, proto, offsets[i], 1024, &c);
		if (e)
			check_found(what, &c, e);
		else
			check_notfound(what, &c);
	}
	if (e)
		ok("getservbyname_r(\"%s\", %s) -> %s %d/%s (buf+0,1,3,5,7)", name, pname(proto),
		   e->name, e->port, e->proto);
	else
		ok("getservbyname_r(\"%s\", %s) -> NOTFOUND, errno and *errnop untouched", name,
		   pname(proto));
}

/* port is the argument as passed (network byte order for real ports). */
static void expect_byport(int port, const char *proto, const struct exp *e)
{
	char what[256];
	struct call c;

	for (size_t i = 0; i < N_OFFSETS; i++) {
		snprintf(what, sizeof(what), "getservbyport_r(0x%x, %s) at buf+%zu", (unsigned)port,
			 pname(proto), offsets[i]);
		do_byport(port, proto, offsets[i], 1024, &c);
		if (e)
			check_found(what, &c, e);
		else
			check_notfound(what, &c);
	}
	if (e)
		ok("getservbyport_r(htons(%d)=0x%x, %s) -> %s %d/%s", ntohs((uint16_t)port),
		   (unsigned)port, pname(proto), e->name, e->port, e->proto);
	else
		ok("getservbyport_r(0x%x, %s) -> NOTFOUND, errno and *errnop untouched",
		   (unsigned)port, pname(proto));
}

#define P(n) ((int)htons(n))

/* ------------------------------------------------------------------------ */
/* Scenario runner. */

static const char *g_db, *g_dump, *g_tmpdir;

static void run(const char *name, const char *db, void (*fn)(void))
{
	pid_t pid;
	int status;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (pid == 0) {
		cur_scenario = name;
		setvbuf(stdout, NULL, _IOLBF, 0);
		if (setenv("NSS_IANA_DB", db, 1) != 0)
			fail("setenv: %s", strerror(errno));
		printf("---- scenario %s (NSS_IANA_DB=%s)\n", name, db);
		fn();
		printf("---- scenario %s: %u checks passed\n", name, n_checks);
		fflush(stdout);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("waitpid");
		exit(1);
	}
	if (WIFSIGNALED(status)) {
		printf("FAIL [%s]: killed by signal %d (%s)\n", name, WTERMSIG(status),
		       strsignal(WTERMSIG(status)));
		exit(1);
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		printf("FAIL [%s]: scenario failed (exit status %d)\n", name, WEXITSTATUS(status));
		exit(1);
	}
}

/* ------------------------------------------------------------------------ */
/* lookups: small.db */

static const struct exp e_tcpmux = { "tcpmux", 1, "tcp", { NULL } };
static const struct exp e_echo_tcp = { "echo", 7, "tcp", { NULL } };
static const struct exp e_echo_udp = { "echo", 7, "udp", { NULL } };
static const struct exp e_http_tcp = { "http", 80, "tcp", { "www", "www-http", "web", NULL } };
static const struct exp e_http_udp = { "http", 80, "udp", { NULL } };
static const struct exp e_multi_udp = { "multi", 800, "udp", { NULL } };
static const struct exp e_multi_tcp = { "multi", 801, "tcp", { NULL } };
static const struct exp e_udpfirst = { "udpfirst", 700, "udp", { NULL } };
static const struct exp e_tcpsecond = { "tcpsecond", 700, "tcp", { NULL } };
static const struct exp e_first = { "first", 600, "tcp", { NULL } };
static const struct exp e_second = { "second", 600, "tcp", { NULL } };
static const struct exp e_single = { "single", 903, "tcp", { NULL } };
static const struct exp e_zero = { "zero", 0, "tcp", { NULL } };
static const struct exp e_sctpsvc = { "sctpsvc", 1000, "sctp", { NULL } };
static const struct exp e_dccpsvc = { "dccpsvc", 1001, "dccp", { NULL } };
static const struct exp e_dup500 = { "dup", 500, "tcp", { NULL } };
static const struct exp e_dup501 = { "dup", 501, "tcp", { NULL } };
static const struct exp e_long = { "abcdefghijklmno", 1500, "tcp", { NULL } };
static const struct exp e_hiport = { "hiport", 65535, "tcp", { NULL } };
static const struct exp e_lastsvc = { "lastsvc", 1234, "udp", { NULL } };

static struct exp mk(const char *name, int port, const char *proto)
{
	struct exp e = { name, port, proto, { NULL } };

	return e;
}

static void sc_lookups(void)
{
	struct exp e;

	/* Plain hits, each protocol. */
	expect_byname("tcpmux", "tcp", &e_tcpmux);
	expect_byname("tcpmux", NULL, &e_tcpmux);
	expect_byname("tcpmux", "udp", NULL);
	expect_byname("sctpsvc", NULL, &e_sctpsvc);
	expect_byname("sctpsvc", "sctp", &e_sctpsvc);
	expect_byname("sctpsvc", "tcp", NULL);
	expect_byname("dccpsvc", "dccp", &e_dccpsvc);
	expect_byport(P(1001), "dccp", &e_dccpsvc);
	expect_byport(P(1001), NULL, &e_dccpsvc);
	expect_byport(P(1001), "tcp", NULL);
	expect_byport(P(1000), "sctp", &e_sctpsvc);
	expect_byname("lastsvc", NULL, &e_lastsvc);
	expect_byport(P(1234), "udp", &e_lastsvc);

	/* Proto NULL matches any protocol: the first in registry order. */
	expect_byname("echo", NULL, &e_echo_tcp);
	expect_byname("echo", "tcp", &e_echo_tcp);
	expect_byname("echo", "udp", &e_echo_udp);
	expect_byname("multi", NULL, &e_multi_udp);
	expect_byname("multi", "udp", &e_multi_udp);
	expect_byname("multi", "tcp", &e_multi_tcp);
	expect_byname("multi", "sctp", NULL);
	expect_byport(P(700), NULL, &e_udpfirst);
	expect_byport(P(700), "udp", &e_udpfirst);
	expect_byport(P(700), "tcp", &e_tcpsecond);
	expect_byport(P(7), NULL, &e_echo_tcp);
	expect_byport(P(7), "udp", &e_echo_udp);

	/* First match in registry order. */
	expect_byport(P(600), "tcp", &e_first);
	expect_byport(P(600), NULL, &e_first);
	expect_byname("second", "tcp", &e_second);
	expect_byname("first", NULL, &e_first);
	expect_byname("dup", "tcp", &e_dup500);
	expect_byname("dup", NULL, &e_dup500);
	expect_byport(P(501), "tcp", &e_dup501);
	expect_byport(P(500), NULL, &e_dup500);

	/* Aliases: in s_aliases; a lookup by alias returns the entry. */
	expect_byname("http", "tcp", &e_http_tcp);
	expect_byname("http", NULL, &e_http_tcp);
	expect_byname("http", "udp", &e_http_udp);
	expect_byname("www", "tcp", &e_http_tcp);
	expect_byname("www", NULL, &e_http_tcp);
	expect_byname("www-http", NULL, &e_http_tcp);
	expect_byname("web", "tcp", &e_http_tcp);
	expect_byname("www", "udp", NULL);
	expect_byname("web", "udp", NULL);
	expect_byport(P(80), "tcp", &e_http_tcp);
	expect_byport(P(80), NULL, &e_http_tcp);
	expect_byport(P(80), "udp", &e_http_udp);
	expect_byport(P(80), "sctp", NULL);

	/* Ranges: every port; byport answers the asked port, byname the first. */
	e = mk("rng", 900, "tcp");
	expect_byname("rng", NULL, &e);
	expect_byname("rng", "tcp", &e);
	expect_byname("rng", "udp", NULL);
	for (int p = 900; p <= 905; p++) {
		e = mk("rng", p, "tcp");
		expect_byport(P(p), "tcp", &e);
		expect_byport(P(p), NULL, &e);
	}
	expect_byport(P(899), "tcp", NULL);
	expect_byport(P(906), "tcp", NULL);
	expect_byport(P(906), NULL, NULL);
	expect_byname("single", "tcp", &e_single);   /* 903, inside rng: rng wins by port */
	/* A single port before a range covering it: registry order, per protocol. */
	e = mk("early", 950, "udp");
	expect_byport(P(950), NULL, &e);
	expect_byport(P(950), "udp", &e);
	e = mk("late-rng", 950, "tcp");
	expect_byport(P(950), "tcp", &e);
	e = mk("late-rng", 945, "tcp");
	expect_byport(P(945), NULL, &e);
	expect_byport(P(945), "udp", NULL);
	e = mk("late-rng", 940, "tcp");
	expect_byname("late-rng", NULL, &e);
	e = mk("late-rng", 960, "tcp");
	expect_byport(P(960), NULL, &e);
	expect_byport(P(961), NULL, NULL);
	e = mk("x11", 6000, "tcp");
	expect_byname("x11", NULL, &e);
	expect_byname("x11", "tcp", &e);
	e = mk("x11", 6000, "udp");
	expect_byname("x11", "udp", &e);
	for (int p = 6000; p <= 6063; p++) {
		e = mk("x11", p, "tcp");
		expect_byport(P(p), "tcp", &e);
		expect_byport(P(p), NULL, &e);
		e = mk("x11", p, "udp");
		expect_byport(P(p), "udp", &e);
	}
	expect_byport(P(5999), NULL, NULL);
	expect_byport(P(6064), NULL, NULL);
	expect_byport(P(6064), "udp", NULL);

	/* Edge ports. */
	expect_byport(P(0), "tcp", &e_zero);
	expect_byport(P(0), NULL, &e_zero);
	expect_byport(P(0), "udp", NULL);
	expect_byname("zero", NULL, &e_zero);
	expect_byport(P(65535), "tcp", &e_hiport);
	expect_byport(P(65535), NULL, &e_hiport);
	expect_byport(P(65534), NULL, NULL);

	/* The port argument is in network byte order, compared as an int. */
	expect_byport(80, "tcp", NULL);                  /* htons(20480): nothing there */
	expect_byport(1500, NULL, NULL);                 /* 0x05dc = htons(56325) */
	expect_byport(P(1500), NULL, &e_long);
	expect_byport(P(80) | 0x10000, "tcp", NULL);     /* bits above 16 never match */
	expect_byport(P(80) | (int)0x80000000u, NULL, NULL);
	expect_byport(-1, NULL, NULL);

	/* Protocol names compare exactly. */
	expect_byname("http", "TCP", NULL);
	expect_byname("http", "Tcp", NULL);
	expect_byname("http", "tcp ", NULL);
	expect_byname("http", "", NULL);
	expect_byname("http", "xyz", NULL);
	expect_byport(P(80), "TCP", NULL);
	expect_byport(P(80), "UDP", NULL);
	expect_byport(P(80), "", NULL);
	expect_byport(P(80), "xyz", NULL);

	/* Names that are not there. */
	expect_byname("nosuchservice", NULL, NULL);
	expect_byname("nosuch", "tcp", NULL);
	expect_byname("", NULL, NULL);
	expect_byname("", "tcp", NULL);
	expect_byname("http ", NULL, NULL);
	expect_byname(" http", NULL, NULL);
	expect_byname("htt", NULL, NULL);
	expect_byname("https", NULL, NULL);
	expect_byname("80", NULL, NULL);
	expect_byname("http tcp", NULL, NULL);
	expect_byname("abcdefghijklmno", NULL, &e_long);
	expect_byname("abcdefghijklmnop", NULL, NULL);   /* 16 characters */
	expect_byname("abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz", NULL, NULL);
	expect_byname("tcp", NULL, NULL);
	expect_byname("x11\n", NULL, NULL);

	/* The case-insensitive fallback (no exact spelling here). */
	expect_byname("HTTP", "tcp", &e_http_tcp);
	expect_byname("Http", NULL, &e_http_tcp);
	expect_byname("HTTP", "udp", &e_http_udp);
	expect_byname("WWW", NULL, &e_http_tcp);
	expect_byname("Www-Http", "tcp", &e_http_tcp);
	expect_byname("WWW", "udp", NULL);
	expect_byname("ABCDEFGHIJKLMNO", NULL, &e_long);
	expect_byname("ABCDEFGHIJKLMNOP", NULL, NULL);
	e = mk("x11", 6000, "udp");
	expect_byname("X11", "udp", &e);
	expect_byname("MULTI", NULL, &e_multi_udp);
	expect_byname("MULTI", "tcp", &e_multi_tcp);
	expect_byname("HTTP", "TCP", NULL);

	/* Repeated lookups give the same answer (nothing cached wrongly). */
	for (int i = 0; i < 3; i++) {
		expect_byname("http", "tcp", &e_http_tcp);
		expect_byname("nosuch", NULL, NULL);
		expect_byport(P(903), "tcp", &(struct exp){ "rng", 903, "tcp", { NULL } });
	}

	/* A lookup does not disturb, nor is disturbed by, enumeration. */
	{
		struct call c;

		do_getent(0, 1024, &c);
		check_found("getservent_r #1 (before lookups)", &c, &e_tcpmux);
		expect_byname("lastsvc", NULL, &e_lastsvc);
		expect_byport(P(65535), NULL, &e_hiport);
		do_getent(0, 1024, &c);
		check_found("getservent_r #2 (after lookups)", &c, &e_echo_tcp);
		ok("getservent_r continues where it was after getservbyname_r/getservbyport_r");
		expect_byname("echo", "udp", &e_echo_udp);
		f_endservent();
	}
}

/* ------------------------------------------------------------------------ */
/* buffers: small.db */

/*
 * Every size from 0 up: TRYAGAIN/ERANGE until the needed size, which must
 * succeed, as must every larger one.  At several misalignments.
 */
static void sweep(const char *label, int byname, const char *name, int port, const char *proto,
		  const struct exp *e)
{
	size_t lower = exp_min_size(e);

	for (size_t i = 0; i < N_OFFSETS; i++) {
		size_t off = offsets[i], need = 0;
		char what[256];
		struct call c;

		for (size_t len = 0; len <= lower + 256; len++) {
			snprintf(what, sizeof(what), "%s at buf+%zu, buflen %zu", label, off, len);
			if (byname)
				do_byname(name, proto, off, len, &c);
			else
				do_byport(port, proto, off, len, &c);
			if (c.st == NSS_STATUS_SUCCESS) {
				need = len;
				check_found(what, &c, e);
				break;
			}
			check_erange(what, &c);
		}
		if (need == 0)
			fail("%s at buf+%zu: no success with up to %zu bytes", label, off, lower + 256);
		if (need < lower)
			fail("%s at buf+%zu: success with %zu bytes, less than the %zu the answer occupies",
			     label, off, need, lower);
		/* Larger buffers keep working. */
		for (size_t len = need; len <= need + 3 * sizeof(char *); len++) {
			snprintf(what, sizeof(what), "%s at buf+%zu, buflen %zu", label, off, len);
			if (byname)
				do_byname(name, proto, off, len, &c);
			else
				do_byport(port, proto, off, len, &c);
			check_found(what, &c, e);
		}
		ok("%s at buf+%zu: ERANGE for every buflen 0..%zu, success from %zu (contents need %zu)",
		   label, off, need - 1, need, lower);
	}
}

static void sc_buffers(void)
{
	struct exp e;
	struct call c;

	sweep("getservbyname_r(\"http\", \"tcp\")", 1, "http", 0, "tcp", &e_http_tcp);
	sweep("getservbyname_r(\"www-http\", NULL)", 1, "www-http", 0, NULL, &e_http_tcp);
	sweep("getservbyname_r(\"WEB\", \"tcp\")", 1, "WEB", 0, "tcp", &e_http_tcp);
	sweep("getservbyport_r(htons(80), NULL)", 0, NULL, P(80), NULL, &e_http_tcp);
	sweep("getservbyname_r(\"abcdefghijklmno\", NULL)", 1, "abcdefghijklmno", 0, NULL, &e_long);
	sweep("getservbyport_r(htons(1000), \"sctp\")", 0, NULL, P(1000), "sctp", &e_sctpsvc);
	e = mk("x11", 6042, "udp");
	sweep("getservbyport_r(htons(6042), \"udp\")", 0, NULL, P(6042), "udp", &e);

	/* A miss is NOTFOUND even with no buffer at all. */
	do_byname("nosuch", NULL, 0, 0, &c);
	check_notfound("getservbyname_r(\"nosuch\") with buflen 0", &c);
	do_byport(P(906), NULL, 3, 0, &c);
	check_notfound("getservbyport_r(htons(906)) with buflen 0", &c);
	ok("misses with buflen 0 are NOTFOUND, not TRYAGAIN");

	/* After ERANGE, the same call with room succeeds. */
	do_byname("http", "tcp", 1, 10, &c);
	check_erange("getservbyname_r(\"http\") buflen 10", &c);
	do_byname("http", "tcp", 1, 4096, &c);
	check_found("getservbyname_r(\"http\") buflen 4096 after ERANGE", &c, &e_http_tcp);
	ok("retry after ERANGE succeeds");
}

/* ------------------------------------------------------------------------ */
/* enum: small.db and its dump */

static char **dump_lines;
static size_t n_dump;

/* The dump's lines, normalized to "name port/proto alias...". */
static void load_dump(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[2048];
	size_t cap = 0;

	if (f == NULL)
		fail("cannot open dump %s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL) {
		char norm[2048], *tok, *save = NULL;
		size_t n = 0;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		norm[0] = '\0';
		for (tok = strtok_r(line, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save))
			n += (size_t)snprintf(norm + n, sizeof(norm) - n, "%s%s", n ? " " : "", tok);
		if (n_dump == cap) {
			cap = cap ? 2 * cap : 256;
			dump_lines = realloc(dump_lines, cap * sizeof(char *));
			if (dump_lines == NULL)
				fail("out of memory");
		}
		dump_lines[n_dump++] = strdup(norm);
	}
	fclose(f);
	if (n_dump == 0)
		fail("dump %s has no entries", path);
}

/*
 * Enumerate to the end and compare with the dump.  With grow, every entry is
 * first asked for with buflen 0, then 1, 2, ... until it fits: every short
 * size must be ERANGE and must not advance the cursor.  Else one buffer,
 * starting at start_len, grown by one byte on each ERANGE.
 */
static void enumerate_all(const char *label, int per_entry_sweep, size_t start_len, size_t off)
{
	size_t len = start_len, n = 0, eranges = 0;
	char what[256], got[2048];
	struct call c;

	for (;;) {
		if (per_entry_sweep)
			len = 0;
		for (;;) {
			snprintf(what, sizeof(what), "%s: getservent_r #%zu, buflen %zu", label, n + 1, len);
			do_getent(off, len, &c);
			if (c.st != NSS_STATUS_TRYAGAIN)
				break;
			check_erange(what, &c);
			eranges++;
			len++;
		}
		if (c.st == NSS_STATUS_NOTFOUND) {
			check_notfound(what, &c);
			break;
		}
		if (c.st != NSS_STATUS_SUCCESS)
			fail("%s: status %s (*errnop %d)", what, st_name(c.st), c.err);
		if (c.errno_after != ERRNO_SENTINEL)
			fail("%s: errno changed from %d to %d", what, ERRNO_SENTINEL, c.errno_after);
		if (c.err != ERRNOP_SENTINEL)
			fail("%s: success, but *errnop changed to %d", what, c.err);
		arena_check(what, &c);
		check_pointers(what, &c);
		format_servent(&c.res, got, sizeof(got));
		if (n >= n_dump)
			fail("%s: entry %zu \"%s\" beyond the dump's %zu lines", what, n + 1, got, n_dump);
		if (strcmp(got, dump_lines[n]) != 0)
			fail("%s: got \"%s\", the dump's line %zu is \"%s\"", what, got, n + 1,
			     dump_lines[n]);
		n++;
	}
	if (n != n_dump)
		fail("%s: enumeration ended after %zu entries, the dump has %zu", label, n, n_dump);
	ok("%s: %zu entries equal the dump's lines in order (%zu ERANGE retries, buf+%zu); "
	   "then NOTFOUND with errno and *errnop untouched", label, n, eranges, off);
	/* And it stays at the end. */
	for (int i = 0; i < 3; i++) {
		do_getent(off, 1024, &c);
		check_notfound("getservent_r after the end", &c);
	}
	ok("%s: getservent_r after the end stays NOTFOUND", label);
}

static void expect_next(const char *what, size_t idx)
{
	char got[2048];
	struct call c;

	do_getent(1, 1024, &c);
	if (c.st != NSS_STATUS_SUCCESS)
		fail("%s: status %s, expected line %zu \"%s\"", what, st_name(c.st), idx + 1,
		     dump_lines[idx]);
	if (c.errno_after != ERRNO_SENTINEL || c.err != ERRNOP_SENTINEL)
		fail("%s: errno %d / *errnop %d changed on success", what, c.errno_after, c.err);
	check_pointers(what, &c);
	format_servent(&c.res, got, sizeof(got));
	if (strcmp(got, dump_lines[idx]) != 0)
		fail("%s: got \"%s\", expected line %zu \"%s\"", what, got, idx + 1, dump_lines[idx]);
	ok("%s -> \"%s\"", what, got);
}

static void expect_status_errno(const char *what, enum nss_status st, enum nss_status want)
{
	if (st != want)
		fail("%s: returned %s, expected %s", what, st_name(st), st_name(want));
	if (errno != ERRNO_SENTINEL)
		fail("%s: errno changed from %d to %d", what, ERRNO_SENTINEL, errno);
	ok("%s -> %s, errno untouched", what, st_name(st));
}

static void sc_enum_fresh(void)
{
	/* The very first call of the process is getservent_r: no setservent. */
	enumerate_all("fresh getservent_r without setservent, buflen swept from 0 per entry", 1, 0, 1);
	errno = ERRNO_SENTINEL;
	expect_status_errno("setservent(0) after the end", f_setservent(0), NSS_STATUS_SUCCESS);
	enumerate_all("after setservent(0), buflen grown from 1 on ERANGE", 0, 1, 3);
	errno = ERRNO_SENTINEL;
	expect_status_errno("endservent() after the end", f_endservent(), NSS_STATUS_SUCCESS);
	enumerate_all("after endservent(), buflen grown from 8", 0, 8, 0);
	errno = ERRNO_SENTINEL;
	expect_status_errno("endservent()", f_endservent(), NSS_STATUS_SUCCESS);
}

static void sc_enum_endfirst(void)
{
	/* endservent as the very first call, then twice more. */
	errno = ERRNO_SENTINEL;
	expect_status_errno("endservent() as the first call", f_endservent(), NSS_STATUS_SUCCESS);
	errno = ERRNO_SENTINEL;
	expect_status_errno("endservent() again", f_endservent(), NSS_STATUS_SUCCESS);
	expect_next("getservent_r after endservent only", 0);
	expect_next("getservent_r", 1);
	expect_next("getservent_r", 2);
	errno = ERRNO_SENTINEL;
	expect_status_errno("endservent() mid-enumeration", f_endservent(), NSS_STATUS_SUCCESS);
	expect_next("getservent_r after endservent restarts", 0);
	expect_next("getservent_r", 1);
	errno = ERRNO_SENTINEL;
	expect_status_errno("setservent(1) mid-enumeration", f_setservent(1), NSS_STATUS_SUCCESS);
	expect_next("getservent_r after setservent(1) rewinds", 0);
	expect_next("getservent_r", 1);
	expect_next("getservent_r", 2);
	expect_next("getservent_r", 3);
	errno = ERRNO_SENTINEL;
	expect_status_errno("setservent(0) mid-enumeration", f_setservent(0), NSS_STATUS_SUCCESS);
	errno = ERRNO_SENTINEL;
	expect_status_errno("setservent(0) twice", f_setservent(0), NSS_STATUS_SUCCESS);
	expect_next("getservent_r after setservent(0) rewinds", 0);
	/* Lookups between enumeration calls do not move the cursor. */
	expect_byname("lastsvc", NULL, &e_lastsvc);
	expect_byport(P(6010), "udp", &(struct exp){ "x11", 6010, "udp", { NULL } });
	expect_next("getservent_r after lookups continues", 1);
	/* Into the middle of a range, then rewind from there. */
	for (size_t i = 2; i < 16; i++)
		expect_next("getservent_r", i);
	errno = ERRNO_SENTINEL;
	expect_status_errno("setservent(0) inside a range", f_setservent(0), NSS_STATUS_SUCCESS);
	enumerate_all("full enumeration after rewinding from inside a range", 0, 64, 5);
	errno = ERRNO_SENTINEL;
	expect_status_errno("endservent() at the end", f_endservent(), NSS_STATUS_SUCCESS);
	errno = ERRNO_SENTINEL;
	expect_status_errno("endservent() twice at the end", f_endservent(), NSS_STATUS_SUCCESS);
	expect_next("getservent_r after endservent at the end", 0);
}

static void sc_enum_setfirst(void)
{
	errno = ERRNO_SENTINEL;
	expect_status_errno("setservent(1) as the first call", f_setservent(1), NSS_STATUS_SUCCESS);
	enumerate_all("enumeration after setservent(1), one buffer grown from 0", 0, 0, 7);
}

static void sc_enum_range_erange(void)
{
	/* ERANGE inside a range: the retry is the same port, not the next. */
	char what[128];
	struct call c;

	for (size_t i = 0; i < n_dump; i++) {
		snprintf(what, sizeof(what), "getservent_r #%zu with buflen 2", i + 1);
		do_getent(0, 2, &c);
		check_erange(what, &c);
		do_getent(0, 2, &c);
		check_erange(what, &c);
		expect_next("getservent_r after two ERANGEs", i);
	}
	do_getent(0, 2, &c);
	check_notfound("getservent_r with buflen 2 at the end", &c);
	ok("two ERANGEs before every entry: nothing skipped or repeated");
}

/* ------------------------------------------------------------------------ */
/* case: case.db */

static void sc_case(void)
{
	static const struct exp foo100 = { "Foo", 100, "tcp", { NULL } };
	static const struct exp foo200 = { "foo", 200, "tcp", { NULL } };
	static const struct exp bar = { "BAR", 300, "udp", { NULL } };
	static const struct exp baz400 = { "Baz", 400, "tcp", { NULL } };
	static const struct exp baz401 = { "baz", 401, "udp", { NULL } };
	static const struct exp qux = { "Qux", 500, "tcp", { "QuxAlias", NULL } };
	static const struct exp quxalias = { "quxalias", 501, "tcp", { NULL } };

	/* An exact match anywhere wins; else the first match ignoring case. */
	expect_byname("foo", NULL, &foo200);
	expect_byname("foo", "tcp", &foo200);
	expect_byname("Foo", NULL, &foo100);
	expect_byname("Foo", "tcp", &foo100);
	expect_byname("FOO", NULL, &foo100);
	expect_byname("FOO", "tcp", &foo100);
	expect_byname("fOo", "tcp", &foo100);
	expect_byname("foo", "udp", NULL);
	expect_byname("FOO", "udp", NULL);
	expect_byname("foo", "TCP", NULL);
	expect_byname("fo", NULL, NULL);
	expect_byname("fooo", NULL, NULL);

	expect_byname("bar", NULL, &bar);
	expect_byname("Bar", "udp", &bar);
	expect_byname("BAR", "udp", &bar);
	expect_byname("bar", "tcp", NULL);

	/* The exact spelling exists only on another protocol. */
	expect_byname("baz", NULL, &baz401);
	expect_byname("baz", "udp", &baz401);
	expect_byname("baz", "tcp", &baz400);
	expect_byname("Baz", "udp", &baz401);
	expect_byname("Baz", NULL, &baz400);
	expect_byname("BAZ", NULL, &baz400);
	expect_byname("BAZ", "udp", &baz401);

	/* Aliases take part in both passes. */
	expect_byname("QuxAlias", NULL, &qux);
	expect_byname("quxalias", NULL, &quxalias);
	expect_byname("QUXALIAS", NULL, &qux);
	expect_byname("Quxalias", "tcp", &qux);
	expect_byname("qux", NULL, &qux);
	expect_byname("QUX", "tcp", &qux);
	expect_byport(P(500), "tcp", &qux);
	expect_byport(P(501), NULL, &quxalias);
	expect_byport(P(100), NULL, &foo100);
	expect_byport(P(200), NULL, &foo200);

	/* Non-ASCII bytes are not folded (ASCII only); nor are non-letters. */
	expect_byname("F\xcf\x8fo", NULL, NULL);
	expect_byname("x[y", NULL, &(struct exp){ "x[y", 600, "tcp", { NULL } });
	expect_byname("X[Y", NULL, &(struct exp){ "x[y", 600, "tcp", { NULL } });
	expect_byname("x{y", NULL, NULL);
	expect_byname("X{Y", NULL, NULL);
	expect_byname("X@Y", "tcp", &(struct exp){ "x@y", 601, "tcp", { NULL } });
	expect_byname("x`y", NULL, NULL);
	expect_byname("X`Y", NULL, NULL);

	sweep("getservbyname_r(\"QUXALIAS\", NULL)", 1, "QUXALIAS", 0, NULL, &qux);
}

/* ------------------------------------------------------------------------ */
/* full: the full database */

static void sc_full(void)
{
	static const struct exp x11 = { "x11", 6010, "tcp", { NULL } };
	static const struct exp http = { "http", 80, "tcp", { "www", "www-http", NULL } };
	static const struct exp an = { "active-net", 3323, "udp", { NULL } };
	static const struct exp discard = { "discard", 9, "dccp", { NULL } };
	static const struct exp pg = { "postgresql", 5432, "tcp", { NULL } };
	static const struct exp x11_0 = { "x11", 6000, "tcp", { NULL } };

	expect_byport(P(6010), "tcp", &x11);
	expect_byname("www", "tcp", &http);
	expect_byname("www", NULL, &http);
	expect_byname("http", "tcp", &http);
	expect_byport(P(3323), "udp", &an);
	expect_byport(P(9), "dccp", &discard);
	expect_byname("discard", "dccp", &discard);
	expect_byname("PostgreSQL", "tcp", &pg);
	expect_byname("postgresql", "tcp", &pg);
	expect_byname("x11", NULL, &x11_0);
	expect_byname("http", "TCP", NULL);
	expect_byname("no-such-service", NULL, NULL);
	enumerate_all("full database: enumeration, one buffer grown from 0 on ERANGE", 0, 0, 3);
}

/* ------------------------------------------------------------------------ */
/* unavail: databases that cannot be used */

static int want_errno;

static void expect_unavail_all(const char *label)
{
	struct call c;
	char what[256];

	for (int round = 0; round < 2; round++) {
		snprintf(what, sizeof(what), "%s: getservbyname_r (call %d)", label, round + 1);
		do_byname("http", "tcp", 0, 1024, &c);
		if (c.st != NSS_STATUS_UNAVAIL || c.err != want_errno)
			fail("%s: status %s with *errnop %d (%s), expected NSS_STATUS_UNAVAIL with %d (%s)",
			     what, st_name(c.st), c.err, strerror(c.err), want_errno,
			     strerror(want_errno));
		arena_check(what, &c);
		snprintf(what, sizeof(what), "%s: getservbyport_r (call %d)", label, round + 1);
		do_byport(P(80), NULL, 0, 1024, &c);
		if (c.st != NSS_STATUS_UNAVAIL || c.err != want_errno)
			fail("%s: status %s with *errnop %d (%s), expected NSS_STATUS_UNAVAIL with %d (%s)",
			     what, st_name(c.st), c.err, strerror(c.err), want_errno,
			     strerror(want_errno));
		arena_check(what, &c);
		snprintf(what, sizeof(what), "%s: getservent_r (call %d)", label, round + 1);
		do_getent(0, 1024, &c);
		if (c.st != NSS_STATUS_UNAVAIL || c.err != want_errno)
			fail("%s: status %s with *errnop %d (%s), expected NSS_STATUS_UNAVAIL with %d (%s)",
			     what, st_name(c.st), c.err, strerror(c.err), want_errno,
			     strerror(want_errno));
		arena_check(what, &c);
		{
			enum nss_status st = f_setservent(0);

			if (st != NSS_STATUS_UNAVAIL)
				fail("%s: setservent returned %s, expected NSS_STATUS_UNAVAIL", label,
				     st_name(st));
		}
		errno = ERRNO_SENTINEL;
		expect_status_errno("endservent()", f_endservent(), NSS_STATUS_SUCCESS);
	}
	ok("%s: getservbyname_r, getservbyport_r, getservent_r -> UNAVAIL with *errnop %s; "
	   "setservent UNAVAIL; twice each", label, strerrorname_np(want_errno));
}

static char path_buf[4096];

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	remove(path);
	return 0;   /* go on regardless */
}

/* The parent removes its temporary directory however it exits. */
static pid_t tmp_owner;

static void rm_tmpdir(void)
{
	if (g_tmpdir != NULL && getpid() == tmp_owner)
		nftw(g_tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static const char *make_tmpdir(void)
{
	static char tmpl[] = "/tmp/test-nss-iana.XXXXXX";

	g_tmpdir = mkdtemp(tmpl);
	if (g_tmpdir == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	tmp_owner = getpid();
	atexit(rm_tmpdir);
	/* nobody must reach the files, and only their modes must stop it. */
	if (chmod(g_tmpdir, 0755) < 0) {
		perror("chmod");
		exit(1);
	}
	return g_tmpdir;
}

static const char *tmp_path(const char *name)
{
	snprintf(path_buf, sizeof(path_buf), "%s/%s", g_tmpdir, name);
	return path_buf;
}

static void write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	if (fd < 0 || (len && write(fd, data, len) != (ssize_t)len) || fchmod(fd, mode) < 0 ||
	    close(fd) < 0) {
		fprintf(stderr, "cannot write %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

static unsigned char *read_whole(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *p;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) < 0 || (n = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) < 0) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(1);
	}
	p = malloc((size_t)n);
	if (p == NULL || fread(p, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(1);
	}
	fclose(f);
	*len = (size_t)n;
	return p;
}

static void sc_missing(void) { want_errno = ENOENT; expect_unavail_all("missing file"); }
static void sc_missing_dir(void) { want_errno = ENOENT; expect_unavail_all("missing directory"); }
static void sc_garbage(void) { want_errno = EINVAL; expect_unavail_all("garbage file"); }
static void sc_empty(void) { want_errno = EINVAL; expect_unavail_all("empty file"); }
static void sc_dir(void) { want_errno = EISDIR; expect_unavail_all("a directory"); }
static void sc_notdir(void) { want_errno = ENOTDIR; expect_unavail_all("a path through a file"); }
static void sc_loop(void) { want_errno = ELOOP; expect_unavail_all("a symbolic link loop"); }
static void sc_fifo(void) { alarm(10); want_errno = EINVAL; expect_unavail_all("a FIFO (must not hang)"); }
static void sc_devnull(void) { want_errno = EINVAL; expect_unavail_all("/dev/null"); }
static void sc_symlink_ok(void) { expect_byname("http", "tcp", &e_http_tcp); }
static void sc_truncated(void) { want_errno = EINVAL; expect_unavail_all("truncated database"); }
static void sc_extended(void) { want_errno = EINVAL; expect_unavail_all("database with bytes appended"); }
static void sc_badmagic(void) { want_errno = EINVAL; expect_unavail_all("database with a bad magic"); }

static void sc_unreadable(void)
{
	const char *db = getenv("NSS_IANA_DB");
	int fd;

	if (geteuid() == 0) {
		/* Become nobody/nogroup, as setpriv --reuid=nobody --regid=nogroup --clear-groups. */
		if (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
		    setresuid(65534, 65534, 65534) < 0)
			fail("cannot drop privileges to uid/gid 65534: %s", strerror(errno));
		ok("running as uid %d gid %d", (int)getuid(), (int)getgid());
	}
	fd = open(db, O_RDONLY);
	if (fd >= 0) {
		close(fd);
		printf("SKIP [%s]: %s is still readable (capabilities?); EACCES not testable\n",
		       cur_scenario, db);
		return;
	}
	if (errno != EACCES)
		fail("test setup: opening %s as uid %d fails with %s, not EACCES", db, (int)getuid(),
		     strerror(errno));
	want_errno = EACCES;
	expect_unavail_all("unreadable file (mode 0000, not owner)");
}

/* A readable copy in the same directory works as nobody: the EACCES is the mode's. */
static void sc_readable_control(void)
{
	if (geteuid() == 0 && (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
			       setresuid(65534, 65534, 65534) < 0))
		fail("cannot drop privileges to uid/gid 65534: %s", strerror(errno));
	expect_byname("http", "tcp", &e_http_tcp);
}

static void group_unavail(void)
{
	unsigned char garbage[4096];
	unsigned char *db;
	size_t len;

	make_tmpdir();
	db = read_whole(g_db, &len);

	for (size_t i = 0; i < sizeof(garbage); i++)
		garbage[i] = (unsigned char)("This is not a services database. "[i % 33] ^ (i / 33 % 7));
	write_file(tmp_path("garbage.db"), garbage, sizeof(garbage), 0644);
	write_file(tmp_path("empty.db"), "", 0, 0644);
	write_file(tmp_path("truncated.db"), db, len - 1, 0644);
	{
		unsigned char *big = malloc(len + 8);

		memcpy(big, db, len);
		memset(big + len, 0, 8);
		write_file(tmp_path("extended.db"), big, len + 8, 0644);
		free(big);
	}
	db[0] ^= 0x20;
	write_file(tmp_path("badmagic.db"), db, len, 0644);
	db[0] ^= 0x20;
	write_file(tmp_path("unreadable.db"), db, len, 0000);
	write_file(tmp_path("readable.db"), db, len, 0644);
	if (mkdir(tmp_path("dir.db"), 0755) < 0) {
		perror("mkdir");
		exit(1);
	}

	if (mkfifo(tmp_path("fifo.db"), 0644) < 0 || symlink("loop.db", tmp_path("loop.db")) < 0 ||
	    symlink("readable.db", tmp_path("link.db")) < 0) {
		perror("mkfifo/symlink");
		exit(1);
	}
	run("missing", tmp_path("no-such-file.db"), sc_missing);
	run("not-a-directory", tmp_path("garbage.db/services.db"), sc_notdir);
	run("symlink-loop", tmp_path("loop.db"), sc_loop);
	run("fifo", tmp_path("fifo.db"), sc_fifo);
	run("dev-null", "/dev/null", sc_devnull);
	run("symlink-to-database", tmp_path("link.db"), sc_symlink_ok);
	run("missing-dir", tmp_path("no-such-dir/services.db"), sc_missing_dir);
	run("garbage", tmp_path("garbage.db"), sc_garbage);
	run("empty", tmp_path("empty.db"), sc_empty);
	run("directory", tmp_path("dir.db"), sc_dir);
	run("truncated", tmp_path("truncated.db"), sc_truncated);
	run("extended", tmp_path("extended.db"), sc_extended);
	run("bad-magic", tmp_path("badmagic.db"), sc_badmagic);
	run("unreadable", tmp_path("unreadable.db"), sc_unreadable);
	run("readable-control", tmp_path("readable.db"), sc_readable_control);

	free(db);
}

/* ------------------------------------------------------------------------ */
/* reload: the file behind NSS_IANA_DB appears, is replaced, breaks, vanishes */

static const char *g_db2;
static char live_path[4096];

/* Put a copy of src (NULL: remove) at the live path, atomically by rename. */
static void install(const char *src)
{
	char tmp[4200];
	unsigned char *data;
	size_t len;

	if (src == NULL) {
		if (unlink(live_path) < 0)
			fail("unlink %s: %s", live_path, strerror(errno));
		return;
	}
	data = read_whole(src, &len);
	snprintf(tmp, sizeof(tmp), "%s.new", live_path);
	write_file(tmp, data, len, 0644);
	free(data);
	if (rename(tmp, live_path) < 0)
		fail("rename %s: %s", tmp, strerror(errno));
}

/* The module looks at its file again when time() reaches a new second. */
static void next_second(void)
{
	time_t t0 = time(NULL);
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	while (time(NULL) == t0)
		nanosleep(&ts, NULL);
}

static void expect_unavail_byname(const char *what, int want)
{
	struct call c;

	do_byname("http", "tcp", 0, 1024, &c);
	if (c.st != NSS_STATUS_UNAVAIL || c.err != want)
		fail("%s: getservbyname_r: status %s with *errnop %d, expected NSS_STATUS_UNAVAIL with %s",
		     what, st_name(c.st), c.err, strerrorname_np(want));
	ok("%s: getservbyname_r -> UNAVAIL, %s", what, strerrorname_np(want));
}

static void sc_reload(void)
{
	static const struct exp foo100 = { "Foo", 100, "tcp", { NULL } };
	static const char *garbage = "garbage, not a database; garbage, not a database; "
				     "garbage, not a database; garbage, not a database; "
				     "garbage, not a database; garbage, not a database; "
				     "garbage, not a database; garbage, not a database.\n";
	char tmpl[4200];
	struct call c;

	snprintf(tmpl, sizeof(tmpl), "%s/garbage.db", g_tmpdir);
	write_file(tmpl, garbage, strlen(garbage), 0644);

	expect_unavail_byname("no file yet", ENOENT);
	install(g_db);
	next_second();
	expect_byname("http", "tcp", &e_http_tcp);
	ok("the file appeared: found within a second");

	/* An enumeration started on the first file... */
	expect_next("getservent_r on the first database", 0);
	expect_next("getservent_r", 1);
	expect_next("getservent_r", 2);

	install(g_db2);
	next_second();
	expect_byname("Foo", NULL, &foo100);
	expect_byname("http", "tcp", NULL);
	ok("the file was replaced (rename): lookups answer from the new one");

	/* ...continues on it, as nss_files continues with the file it has open. */
	for (size_t i = 3; i < n_dump; i++)
		expect_next("getservent_r continues on the database it started with", i);
	do_getent(0, 1024, &c);
	check_notfound("getservent_r at the end of the first database", &c);
	ok("the enumeration ended after the first database's %zu lines", n_dump);
	errno = ERRNO_SENTINEL;
	expect_status_errno("setservent(0)", f_setservent(0), NSS_STATUS_SUCCESS);
	do_getent(0, 1024, &c);
	check_found("getservent_r after setservent: the new database", &c, &foo100);

	install(tmpl);
	next_second();
	expect_unavail_byname("replaced by garbage", EINVAL);
	install(NULL);
	next_second();
	expect_unavail_byname("removed", ENOENT);
	install(g_db);
	next_second();
	expect_byname("http", "tcp", &e_http_tcp);
	expect_byname("Foo", NULL, NULL);
	ok("restored: found again");
	f_endservent();
}

static void group_reload(void)
{
	make_tmpdir();
	snprintf(live_path, sizeof(live_path), "%s/live.db", g_tmpdir);
	run("reload", live_path, sc_reload);
}

/* ------------------------------------------------------------------------ */

static void *must_sym(void *h, const char *name)
{
	void *p;

	dlerror();
	p = dlsym(h, name);
	if (p == NULL)
		fail("dlsym(%s): %s", name, dlerror() ? "not found" : "NULL");
	ok("dlsym(%s) found", name);
	return p;
}

int main(int argc, char **argv)
{
	const char *group;
	void *h;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 4 || argc > 6) {
		fprintf(stderr, "usage: %s MODULE.so GROUP DATABASE [DUMP [DATABASE2]]\n", argv[0]);
		return 2;
	}
	group = argv[2];
	g_db = argv[3];
	g_dump = argc > 4 ? argv[4] : NULL;
	g_db2 = argc > 5 ? argv[5] : NULL;

	/* Nothing set in this process: each scenario sets it in its child. */
	unsetenv("NSS_IANA_DB");
	h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (h == NULL)
		fail("dlopen(%s): %s", argv[1], dlerror());
	ok("dlopen(%s)", argv[1]);
	f_byname = (nss_getservbyname_r *)must_sym(h, "_nss_iana_getservbyname_r");
	f_byport = (nss_getservbyport_r *)must_sym(h, "_nss_iana_getservbyport_r");
	f_setservent = (nss_setservent *)must_sym(h, "_nss_iana_setservent");
	f_getservent = (nss_getservent_r *)must_sym(h, "_nss_iana_getservent_r");
	f_endservent = (nss_endservent *)must_sym(h, "_nss_iana_endservent");

	if (strcmp(group, "lookups") == 0) {
		run("lookups", g_db, sc_lookups);
	} else if (strcmp(group, "buffers") == 0) {
		run("buffers", g_db, sc_buffers);
	} else if (strcmp(group, "enum") == 0) {
		if (g_dump == NULL)
			fail("group enum needs DUMP");
		load_dump(g_dump);
		run("enum-fresh", g_db, sc_enum_fresh);
		run("enum-endservent-first", g_db, sc_enum_endfirst);
		run("enum-setservent-first", g_db, sc_enum_setfirst);
		run("enum-erange-every-entry", g_db, sc_enum_range_erange);
	} else if (strcmp(group, "case") == 0) {
		run("case", g_db, sc_case);
	} else if (strcmp(group, "full") == 0) {
		if (g_dump == NULL)
			fail("group full needs DUMP");
		load_dump(g_dump);
		run("full", g_db, sc_full);
	} else if (strcmp(group, "unavail") == 0) {
		group_unavail();
	} else if (strcmp(group, "reload") == 0) {
		if (g_dump == NULL || g_db2 == NULL)
			fail("group reload needs DUMP and DATABASE2");
		load_dump(g_dump);
		group_reload();
	} else {
		fprintf(stderr, "%s: unknown group %s\n", argv[0], group);
		return 2;
	}
	printf("PASS: group %s\n", group);
	return 0;
}
