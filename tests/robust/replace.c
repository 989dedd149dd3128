/*
 * replace: what the module does when the file that replaces its database
 * cannot be used.
 *
 * usage: replace emfile|bad DATABASE MISSING.db WORKDIR
 *        (LD_LIBRARY_PATH = the module's directory)
 *
 * DATABASE has http 80/tcp and not missing-probe; MISSING.db (compiled from
 * registries/missing.xml) has missing-probe 47992/tcp and not http.  The
 * module's file is WORKDIR/services.db, a copy of DATABASE, replaced by
 * rename() as an update does.  time() and open64() (the module's open(),
 * with meson's _FILE_OFFSET_BITS=64) are defined here (linked with
 * -rdynamic, so the module's calls bind to them): the module
 * looks at its file when the second changes, and this program says when
 * that is, and counts the module's opens of its file.
 *
 * emfile: the replacement (MISSING.db) appears while the process is at its
 *   limit of open files, so the module's open() of it fails with EMFILE.
 *   That says nothing of the file: lookups must go on answering from the
 *   database the module has (http/tcp is 80), not fail with UNAVAIL.  Once
 *   a file can be opened again, the next second's look maps the
 *   replacement: missing-probe/tcp is 47992 and http/tcp is not found.
 *
 * bad: the replacement is not a database (EINVAL, UNAVAIL).  While it stays
 *   the same file, the module must not open it again, each second, under
 *   the lock fork() waits for: four more seconds of lookups make no open.
 *   A good database renamed over it is then opened and answers.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <nss.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "test-util.h"

static time_t second = 1000000;
static char db[PATH_MAX];
static int db_opens;
static nss_getservbyname_r *by_name;

#define EXPORTED __attribute__((visibility("default")))
EXPORTED time_t time(time_t *t);
EXPORTED int open64(const char *path, int flags, ...);

time_t time(time_t *t)
{
	if (t != NULL)
		*t = second;
	return second;
}

static int next_open(const char *path, int flags, mode_t mode)
{
	int (*real)(const char *, int, ...) = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open64");

	if (real == NULL) {
		errno = ENOSYS;
		return -1;
	}
	if (db[0] != '\0' && strcmp(path, db) == 0)
		db_opens++;
	return real(path, flags, mode);
}

static mode_t mode_arg(int flags, va_list ap)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? va_arg(ap, mode_t) : 0;
}

int open64(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	return next_open(path, flags, mode);
}

/* Copy src to WORKDIR/tmp, then rename it over the database. */
static void install(const char *src, const char *workdir)
{
	char tmp[PATH_MAX], buf[65536];
	FILE *in, *out;
	size_t n;

	snprintf(tmp, sizeof(tmp), "%s/tmp", workdir);
	if ((in = fopen(src, "rb")) == NULL || (out = fopen(tmp, "wb")) == NULL)
		fail("copy %s to %s: %s", src, tmp, strerror(errno));
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			fail("write %s: %s", tmp, strerror(errno));
	if (ferror(in) || fclose(out) != 0)
		fail("copy %s: %s", src, strerror(errno));
	fclose(in);
	if (rename(tmp, db) != 0)
		fail("rename %s %s: %s", tmp, db, strerror(errno));
}

/* Look name/tcp up: the status, with the port (host order) or errno. */
static enum nss_status look(const char *name, int *port, int *err)
{
	struct servent se;
	char buf[1024];
	enum nss_status st;

	*err = 0;
	st = by_name(name, "tcp", &se, buf, sizeof(buf), err);
	*port = st == NSS_STATUS_SUCCESS ? ntohs((uint16_t)se.s_port) : -1;
	return st;
}

static void expect(const char *when, const char *name, enum nss_status want, int want_port)
{
	int port, err;
	enum nss_status st = look(name, &port, &err);

	if (st != want || port != want_port)
		fail("%s: %s/tcp gave status %d, port %d, errno %s; expected status %d, port %d",
		     when, name, (int)st, port, strerror(err), (int)want, want_port);
}

static void emfile(const char *good, const char *missing, const char *workdir)
{
	struct rlimit old, lim;
	int fd;

	expect("first lookup", "http", NSS_STATUS_SUCCESS, 80);
	install(missing, workdir);
	/* The limit of open files at the lowest free descriptor: any open fails. */
	if ((fd = dup(0)) < 0)
		fail("dup: %s", strerror(errno));
	close(fd);
	if (getrlimit(RLIMIT_NOFILE, &old) != 0)
		fail("getrlimit: %s", strerror(errno));
	lim = old;
	lim.rlim_cur = (rlim_t)fd;
	if (setrlimit(RLIMIT_NOFILE, &lim) != 0)
		fail("setrlimit: %s", strerror(errno));
	if ((fd = open(good, O_RDONLY)) >= 0 || errno != EMFILE)
		fail("at the file limit, open() did not fail with EMFILE (fd %d, %s)", fd, strerror(errno));
	second += 2;
	expect("a second after the database was replaced, at the file limit", "http",
	       NSS_STATUS_SUCCESS, 80);
	second++;
	expect("another second later, still at the file limit", "http", NSS_STATUS_SUCCESS, 80);
	ok("at the file limit (EMFILE), the module kept answering from the database it had");
	if (setrlimit(RLIMIT_NOFILE, &old) != 0)
		fail("setrlimit: %s", strerror(errno));
	second++;
	expect("a second after the file limit was lifted", "missing-probe", NSS_STATUS_SUCCESS, 47992);
	expect("a second after the file limit was lifted", "http", NSS_STATUS_NOTFOUND, -1);
	ok("once files could be opened again, the replacement was mapped and answers");
}

static void bad(const char *good, const char *missing, const char *workdir)
{
	char path[PATH_MAX];
	FILE *f;
	int port, err, opens;
	enum nss_status st;

	expect("first lookup", "http", NSS_STATUS_SUCCESS, 80);
	snprintf(path, sizeof(path), "%s/bad", workdir);
	if ((f = fopen(path, "w")) == NULL)
		fail("%s: %s", path, strerror(errno));
	for (int i = 0; i < 64; i++)
		fputs("not a services database\n", f);
	if (fclose(f) != 0)
		fail("%s: %s", path, strerror(errno));
	install(path, workdir);
	second += 2;
	st = look("http", &port, &err);
	if (st != NSS_STATUS_UNAVAIL || err != EINVAL)
		fail("a file that is not a database: status %d, errno %s; expected UNAVAIL, EINVAL",
		     (int)st, strerror(err));
	opens = db_opens;
	for (int i = 1; i <= 4; i++) {
		second++;
		st = look("http", &port, &err);
		if (st != NSS_STATUS_UNAVAIL || err != EINVAL)
			fail("%d s later, the same bad file: status %d, errno %s; expected UNAVAIL, EINVAL",
			     i, (int)st, strerror(err));
	}
	if (db_opens != opens)
		fail("the module opened the same bad file %d more times in 4 s (under the lock fork() "
		     "waits for); it is unchanged", db_opens - opens);
	ok("the bad file, unchanged, was not opened again in 4 s; lookups said UNAVAIL/EINVAL");
	install(good, workdir);
	second++;
	expect("a second after a good database replaced the bad file", "http", NSS_STATUS_SUCCESS, 80);
	if (db_opens != opens + 1)
		fail("the good replacement was opened %d times, expected once", db_opens - opens);
	(void)missing;
	ok("a good database renamed over the bad file was opened once, and answers");
}

int main(int argc, char **argv)
{
	void *lib;

	if (argc != 5 || (strcmp(argv[1], "emfile") != 0 && strcmp(argv[1], "bad") != 0)) {
		fprintf(stderr, "usage: replace emfile|bad DATABASE MISSING.db WORKDIR\n");
		return 2;
	}
	if (mkdir(argv[4], 0755) != 0 && errno != EEXIST)
		fail("mkdir %s: %s", argv[4], strerror(errno));
	snprintf(db, sizeof(db), "%s/services.db", argv[4]);
	install(argv[2], argv[4]);
	if (setenv("NSS_IANA_DB", db, 1) != 0)
		fail("setenv");
	if ((lib = dlopen("libnss_iana.so.2", RTLD_NOW)) == NULL)
		fail("dlopen libnss_iana.so.2: %s", dlerror());
	by_name = (nss_getservbyname_r *)dlsym(lib, "_nss_iana_getservbyname_r");
	if (by_name == NULL)
		fail("libnss_iana.so.2 has no _nss_iana_getservbyname_r");
	if (strcmp(argv[1], "emfile") == 0)
		emfile(argv[2], argv[3], argv[4]);
	else
		bad(argv[2], argv[3], argv[4]);
	return 0;
}
