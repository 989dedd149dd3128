/*
 * missing: the database is missing when the process starts, then appears.
 *
 * usage: missing IANA-SERVICESDB MISSING.xml WORKDIR
 *        (LD_LIBRARY_PATH = the directory of libnss_iana.so.2)
 *
 * "services: iana files" (__nss_configure_lookup) and NSS_IANA_DB =
 * WORKDIR/services.db, which does not exist.  MISSING.xml holds
 * missing-probe 47992/tcp, which /etc/services must not have; /etc/services
 * must have ssh 22/tcp.
 *   1. ssh/tcp is answered (by files); missing-probe/tcp is not found;
 *      _nss_iana_getservbyname_r itself (the object glibc loaded) returns
 *      UNAVAIL with *errnop ENOENT.
 *   2. The database is created by "iana-servicesdb compile -o"; more than
 *      a second later, in the same process, missing-probe/tcp is found by
 *      name and by port, the module returns SUCCESS, and ssh/tcp is still
 *      answered (files, after the module's NOTFOUND).
 *   3. The database is removed: a second later the module is UNAVAIL/ENOENT
 *      again and files still answers; then it reappears by rename() of a
 *      copy, and is found again a second later.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <nss.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test-util.h"

extern int __nss_configure_lookup(const char *db, const char *service_line);
extern char **environ;

#define PROBE "missing-probe"
#define PROBE_PORT 47992

static nss_getservbyname_r *mod_byname;
static char db[PATH_MAX];

/* Does /etc/services have a line "name port/proto"? */
static int etc_services_has(const char *name, int port, const char *proto)
{
	char line[1024], want[64];
	FILE *f = fopen("/etc/services", "r");
	int found = 0;

	if (f == NULL)
		return 0;
	snprintf(want, sizeof(want), "%d/%s", port, proto);
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		char *save = NULL, *tok, *hash = strchr(line, '#');
		int i = 0, name_ok = 0, port_ok = 0;

		if (hash != NULL)
			*hash = '\0';
		for (tok = strtok_r(line, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save), i++) {
			if (i == 1)
				port_ok = strcmp(tok, want) == 0;
			else if (strcmp(tok, name) == 0)
				name_ok = 1;   /* the name or an alias */
		}
		found = name_ok && port_ok;
	}
	fclose(f);
	return found;
}

static int etc_services_mentions(const char *name)
{
	char line[1024];
	FILE *f = fopen("/etc/services", "r");
	int found = 0;

	if (f == NULL)
		return 0;
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = strstr(line, name) != NULL;
	fclose(f);
	return found;
}

/* Through glibc: the port found, 0 for not found, -errno on error. */
static int glibc_byname(const char *name, const char *proto)
{
	char buf[4096];
	struct servent sb, *r = NULL;
	int rc = getservbyname_r(name, proto, &sb, buf, sizeof(buf), &r);

	if (rc != 0)
		return -rc;
	return r == NULL ? 0 : ntohs((uint16_t)r->s_port);
}

static const char *glibc_byport(int port, const char *proto, char *name, size_t len)
{
	char buf[4096];
	struct servent sb, *r = NULL;

	if (getservbyport_r((int)htons((uint16_t)port), proto, &sb, buf, sizeof(buf), &r) != 0 ||
	    r == NULL)
		return NULL;
	snprintf(name, len, "%s", r->s_name);
	return name;
}

static enum nss_status module_byname(const char *name, const char *proto, int *err, int *port)
{
	char buf[1024];
	struct servent se;
	enum nss_status st;

	*err = 0;
	st = mod_byname(name, proto, &se, buf, sizeof(buf), err);
	*port = st == NSS_STATUS_SUCCESS ? ntohs((uint16_t)se.s_port) : 0;
	return st;
}

static void expect_absent(const char *when)
{
	int err, port, p;
	enum nss_status st;

	if ((p = glibc_byname("ssh", "tcp")) != 22)
		fail("%s: getservbyname_r(\"ssh\", \"tcp\") -> %d, expected 22 (from files)", when, p);
	ok("%s: getservbyname_r(\"ssh\", \"tcp\") -> 22 (files, after iana)", when);
	if ((p = glibc_byname(PROBE, "tcp")) != 0)
		fail("%s: getservbyname_r(\"%s\", \"tcp\") -> %d, expected not found", when, PROBE, p);
	ok("%s: getservbyname_r(\"%s\", \"tcp\") -> not found", when, PROBE);
	st = module_byname("ssh", "tcp", &err, &port);
	if (st != NSS_STATUS_UNAVAIL || err != ENOENT)
		fail("%s: _nss_iana_getservbyname_r(\"ssh\", \"tcp\") -> status %d, *errnop %d (%s); expected UNAVAIL (%d), ENOENT",
		     when, st, err, strerror(err), NSS_STATUS_UNAVAIL);
	ok("%s: _nss_iana_getservbyname_r(\"ssh\", \"tcp\") -> UNAVAIL, *errnop ENOENT", when);
}

static void expect_present(const char *when)
{
	char name[64];
	int err, port, p;
	enum nss_status st;

	if ((p = glibc_byname(PROBE, "tcp")) != PROBE_PORT)
		fail("%s: getservbyname_r(\"%s\", \"tcp\") -> %d, expected %d (from iana)", when, PROBE,
		     p, PROBE_PORT);
	ok("%s: getservbyname_r(\"%s\", \"tcp\") -> %d (iana)", when, PROBE, PROBE_PORT);
	if (glibc_byport(PROBE_PORT, "tcp", name, sizeof(name)) == NULL || strcmp(name, PROBE) != 0)
		fail("%s: getservbyport_r(%d, \"tcp\") is not %s", when, PROBE_PORT, PROBE);
	ok("%s: getservbyport_r(%d, \"tcp\") -> %s", when, PROBE_PORT, PROBE);
	st = module_byname(PROBE, "tcp", &err, &port);
	if (st != NSS_STATUS_SUCCESS || port != PROBE_PORT)
		fail("%s: _nss_iana_getservbyname_r(\"%s\", \"tcp\") -> status %d, *errnop %d, port %d",
		     when, PROBE, st, err, port);
	ok("%s: _nss_iana_getservbyname_r(\"%s\", \"tcp\") -> SUCCESS, %d", when, PROBE, PROBE_PORT);
	if ((p = glibc_byname("ssh", "tcp")) != 22)
		fail("%s: getservbyname_r(\"ssh\", \"tcp\") -> %d, expected 22 (files, after iana's NOTFOUND)",
		     when, p);
	ok("%s: getservbyname_r(\"ssh\", \"tcp\") -> 22 (files, after iana's NOTFOUND)", when);
}

static int compile(const char *prog, const char *registry, const char *out)
{
	char *argv[] = {(char *)prog, "compile", "--quiet", (char *)registry, "-o", (char *)out, NULL};
	pid_t pid;
	int st;

	if (posix_spawn(&pid, prog, NULL, NULL, argv, environ) != 0)
		return -1;
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* Sleep until the second has changed at least twice: more than a second. */
static void wait_past_second(void)
{
	time_t start = time(NULL);
	struct timespec ts = {0, 50 * 1000000L};

	while (time(NULL) < start + 2)
		nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
	char copy[PATH_MAX], tmp[PATH_MAX];
	const char *gen, *registry, *workdir;
	void *h;

	if (argc != 4) {
		fprintf(stderr, "usage: %s IANA-SERVICESDB MISSING.xml WORKDIR\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	gen = argv[1];
	registry = argv[2];
	workdir = argv[3];
	if (mkdir(workdir, 0755) < 0 && errno != EEXIST)
		fail("mkdir %s: %s", workdir, strerror(errno));
	snprintf(db, sizeof(db), "%s/services.db", workdir);
	snprintf(copy, sizeof(copy), "%s/copy.db", workdir);
	snprintf(tmp, sizeof(tmp), "%s/tmp.db", workdir);
	unlink(db);
	unlink(copy);
	unlink(tmp);
	if (access(db, F_OK) == 0)
		fail("%s exists and cannot be removed", db);

	if (!etc_services_has("ssh", 22, "tcp"))
		fail("this host's /etc/services has no \"ssh 22/tcp\": the files fallback cannot be tested");
	if (etc_services_mentions(PROBE))
		fail("this host's /etc/services mentions %s: the probe would not tell iana from files", PROBE);
	ok("/etc/services has ssh 22/tcp and no %s", PROBE);

	if (setenv("NSS_IANA_DB", db, 1) != 0 ||
	    __nss_configure_lookup("services", "iana files") != 0)
		fail("setenv / __nss_configure_lookup(\"services\", \"iana files\") failed");
	ok("services: iana files; NSS_IANA_DB=%s (absent)", db);

	/* The first lookup makes glibc load the module; call that same object. */
	(void)glibc_byname("ssh", "tcp");
	h = dlopen("libnss_iana.so.2", RTLD_NOW | RTLD_NOLOAD);
	if (h == NULL)
		fail("glibc did not load libnss_iana.so.2 (dlopen RTLD_NOLOAD: %s)", dlerror());
	mod_byname = (nss_getservbyname_r *)dlsym(h, "_nss_iana_getservbyname_r");
	if (mod_byname == NULL)
		fail("dlsym _nss_iana_getservbyname_r: %s", dlerror());

	expect_absent("missing");

	/* 2. The database appears. */
	if (compile(gen, registry, db) != 0)
		fail("iana-servicesdb compile %s -o %s failed", registry, db);
	ok("created %s with iana-servicesdb compile -o", db);
	wait_past_second();
	expect_present("created");

	/* 3. Removed, then back by rename. */
	if (rename(db, copy) != 0)
		fail("rename %s: %s", db, strerror(errno));
	ok("removed %s (renamed away)", db);
	wait_past_second();
	expect_absent("removed");
	{
		char buf[65536];
		ssize_t n;
		int in = open(copy, O_RDONLY), out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (in < 0 || out < 0)
			fail("copying %s: %s", copy, strerror(errno));
		while ((n = read(in, buf, sizeof(buf))) > 0)
			if (write(out, buf, (size_t)n) != n)
				fail("write %s: %s", tmp, strerror(errno));
		if (n < 0 || fsync(out) != 0)
			fail("copying %s: %s", copy, strerror(errno));
		close(in);
		close(out);
		if (rename(tmp, db) != 0)
			fail("rename %s %s: %s", tmp, db, strerror(errno));
	}
	ok("recreated %s by rename()", db);
	wait_past_second();
	expect_present("recreated");

	unlink(db);
	unlink(copy);
	printf("PASS\n");
	return 0;
}
