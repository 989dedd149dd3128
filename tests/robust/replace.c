/*
 * replace: what the module does when the file that replaces its database
 * cannot be used, for now or at all.
 *
 * usage: replace MODE DATABASE MISSING.db WORKDIR
 *        (LD_LIBRARY_PATH = the module's directory)
 *
 * DATABASE has http 80/tcp and not missing-probe; MISSING.db (compiled from
 * registries/missing.xml) has missing-probe 47992/tcp and not http.  The
 * module's file is WORKDIR/services.db, a copy of DATABASE, replaced by
 * rename() as an update does.  time(), open64(), mmap64() and pread64()
 * (the module's open(), mmap() and pread(), with meson's
 * _FILE_OFFSET_BITS=64) are defined here (linked with -rdynamic, so the
 * module's calls bind to them): the module looks at its file when the second changes, and this program says when
 * that is, counts the module's opens of its file, and can make its mmap()s
 * and pread()s fail.
 *
 * A file that cannot be opened or mapped for now says nothing of the file:
 *
 * emfile: the replacement (MISSING.db) appears while the process is at its
 *   limit of open files, so the module's open() of it fails with EMFILE.
 *   Lookups must go on answering from the database the module has (http/tcp
 *   is 80), not fail with UNAVAIL.  Once a file can be opened again, the
 *   next second's look maps the replacement: missing-probe/tcp is 47992
 *   and http/tcp is not found.
 * nomem: the same with every mmap() failing (ENOMEM), and for a second
 *   each a header read short, a stat() failing with ENOMEM; then for a
 *   second its header cannot be read (pread() fails with EINTR), which must not
 *   make the module take the file for a bad one: once both work again it
 *   is mapped.  But a replacement whose header shows it is no database is
 *   not kept for: UNAVAIL, EINVAL.
 *
 * And a file that stat() already shows is none is not kept for either,
 * although open() fails with EMFILE whatever the file (the kernel looks for
 * a free descriptor first):
 *
 * gone: at the file limit, the database is removed: UNAVAIL, then ENOENT.
 * empty: at the file limit, an empty file is renamed over it: UNAVAIL,
 *   EINVAL (not EMFILE).  Such a file, or a FIFO, is never even opened,
 *   however often it changes: three seconds of lookups, each after its
 *   times were set, make no open.  A good database renamed over it is
 *   opened once and answers.  A directory in its place: EISDIR, no open.
 *   (The first lookup of a process makes no stat(): it opens what is there.)
 *
 * A file that is no database is not opened again while it is unchanged:
 *
 * bad: the replacement is not a database (UNAVAIL, EINVAL).  While it stays
 *   the same file, the module must not open it again, each second, under
 *   the lock fork() waits for: four more seconds of lookups make no open.
 *   A good database renamed over it is then opened and answers.
 * errno: the same bad file, its directory renamed away (ENOENT) and back:
 *   the module says EINVAL again, not ENOENT.  A file back after an
 *   absence is looked at afresh (opened once), then left alone again.
 *
 * And the regions a database is mapped into are reused only for what fits:
 *
 * reuse: usage replace reuse DATABASE MISSING.db WORKDIR LONGER.db, where
 *   DATABASE has exactly 64 bytes to spare in its last page (TAIL_ZEROS),
 *   and LONGER.db is one byte longer.  DATABASE, the process's first, is
 *   mapped alone; its region is as long as its pages.  MISSING.db replaces
 *   it, in a reservation of its own, and frees that region.  DATABASE
 *   again, 64 bytes shorter than the region, must be mapped into it.
 *   MISSING.db again goes back into its reservation and frees the region
 *   once more; LONGER.db, which would leave 63 bytes of it, must not be
 *   mapped into it, but into a new reservation.  After each, every entry
 *   (getservent_r) must be what DATABASE's first mapping gave: LONGER.db
 *   differs from DATABASE only in a description, which the entries do not
 *   show.  (The module's mmap()s are logged here.)
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
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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
EXPORTED void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off);
EXPORTED ssize_t pread64(int fd, void *buf, size_t n, off_t off);
EXPORTED int stat64(const char *path, struct stat64 *st);

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

static int fail_mmap;   /* the module's mmap()s fail with ENOMEM */
static int fail_pread;  /* the module's pread()s fail with EINTR */
static int short_pread; /* the module's pread()s read 10 bytes at most */
static int fail_stat;   /* the module's stat()s fail with ENOMEM */

int stat64(const char *path, struct stat64 *st)
{
	int (*real)(const char *, struct stat64 *) =
		(int (*)(const char *, struct stat64 *))dlsym(RTLD_NEXT, "stat64");

	if (fail_stat || real == NULL) {
		errno = ENOMEM;
		return -1;
	}
	return real(path, st);
}

ssize_t pread64(int fd, void *buf, size_t n, off_t off)
{
	ssize_t (*real)(int, void *, size_t, off_t) =
		(ssize_t (*)(int, void *, size_t, off_t))dlsym(RTLD_NEXT, "pread64");

	if (fail_pread || real == NULL) {
		errno = EINTR;
		return -1;
	}
	return real(fd, buf, short_pread && n > 10 ? 10 : n, off);
}

/* The module's mmap()s since the log was last cleared (n_maps = 0). */
static struct map_call {
	void *addr;   /* asked for */
	size_t len;
	int flags, fd;
	void *got;
} maps[32];
static int n_maps;

void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	void *(*real)(void *, size_t, int, int, int, off_t) =
		(void *(*)(void *, size_t, int, int, int, off_t))dlsym(RTLD_NEXT, "mmap64");
	void *got;

	if (fail_mmap || real == NULL) {
		errno = ENOMEM;
		return MAP_FAILED;
	}
	got = real(addr, len, prot, flags, fd, off);
	if (n_maps < (int)(sizeof(maps) / sizeof(maps[0])))
		maps[n_maps++] = (struct map_call){ addr, len, flags, fd, got };
	return got;
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

/* Write a file of n bytes of text that is no database. */
static void write_junk(const char *path, size_t n)
{
	FILE *f = fopen(path, "w");
	static const char line[] = "not a services database\n";

	if (f == NULL)
		fail("%s: %s", path, strerror(errno));
	for (size_t i = 0; i < n; i++)
		putc(line[i % (sizeof(line) - 1)], f);
	if (fclose(f) != 0)
		fail("%s: %s", path, strerror(errno));
}

static struct rlimit saved_nofile;

/* The limit of open files at the lowest free descriptor: any open fails. */
static void at_file_limit(void)
{
	struct rlimit lim;
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		fail("/dev/null: %s", strerror(errno));
	close(fd);
	if (getrlimit(RLIMIT_NOFILE, &saved_nofile) != 0)
		fail("getrlimit: %s", strerror(errno));
	lim = saved_nofile;
	lim.rlim_cur = (rlim_t)fd;
	if (setrlimit(RLIMIT_NOFILE, &lim) != 0)
		fail("setrlimit: %s", strerror(errno));
	if ((fd = open("/dev/null", O_RDONLY)) >= 0 || errno != EMFILE)
		fail("at the file limit, open() did not fail with EMFILE (fd %d, %s)", fd, strerror(errno));
}

static void file_limit_lifted(void)
{
	if (setrlimit(RLIMIT_NOFILE, &saved_nofile) != 0)
		fail("setrlimit: %s", strerror(errno));
}

static void expect_unavail(const char *when, int want_err)
{
	int port, err;
	enum nss_status st = look("http", &port, &err);

	if (st != NSS_STATUS_UNAVAIL || (want_err != 0 && err != want_err))
		fail("%s: http/tcp gave status %d, port %d, errno %s; expected UNAVAIL%s%s", when,
		     (int)st, port, strerror(err), want_err ? ", " : "", want_err ? strerror(want_err) : "");
}

/* After the first lookup: the replacement maps once it can, then answers. */
static void replacement_answers(const char *when)
{
	expect(when, "missing-probe", NSS_STATUS_SUCCESS, 47992);
	expect(when, "http", NSS_STATUS_NOTFOUND, -1);
}

/*
 * The first lookup, then the database replaced by MISSING.db while
 * condition() holds: two seconds of lookups must answer from the database
 * the module had.
 */
static void kept_while(const char *missing, const char *workdir, void (*condition)(void),
		       const char *what)
{
	expect("first lookup", "http", NSS_STATUS_SUCCESS, 80);
	install(missing, workdir);
	condition();
	for (int i = 0; i < 2; i++) {
		char when[160];

		second += i == 0 ? 2 : 1;
		snprintf(when, sizeof(when), "%d s after the database was replaced, %s", i + 1, what);
		expect(when, "http", NSS_STATUS_SUCCESS, 80);
	}
	ok("%s, the module kept answering from the database it had", what);
}

static void mmap_fails(void)
{
	fail_mmap = 1;
}

static void emfile(const char *good, const char *missing, const char *workdir)
{
	(void)good;
	kept_while(missing, workdir, at_file_limit, "at the file limit (EMFILE)");
	file_limit_lifted();
	second++;
	replacement_answers("a second after the file limit was lifted");
	ok("once files could be opened again, the replacement was mapped and answers");
}

static void nomem(const char *good, const char *missing, const char *workdir)
{
	char junk[PATH_MAX];

	(void)good;
	kept_while(missing, workdir, mmap_fails, "with mmap() failing (ENOMEM)");
	/*
	 * A second each with its header read short, a stat() without memory,
	 * its header unreadable: nothing is learnt of the file, still kept.
	 */
	static const struct {
		int *flag;
		const char *when;
	} also[] = {
		{ &short_pread, "mmap() failing, the header read short" },
		{ &fail_stat, "mmap() and stat() failing" },
		{ &fail_pread, "mmap() and pread() failing" },
	};
	for (size_t i = 0; i < sizeof(also) / sizeof(also[0]); i++) {
		*also[i].flag = 1;
		second++;
		expect(also[i].when, "http", NSS_STATUS_SUCCESS, 80);
		*also[i].flag = 0;
	}
	fail_mmap = 0;
	second++;
	replacement_answers("a second after mmap() and pread() work again");
	ok("a header that could not be read for a second did not make the file bad for good");
	install(good, workdir);
	fail_mmap = 1;
	second++;
	expect("the first database back, mmap() failing", "missing-probe", NSS_STATUS_SUCCESS, 47992);
	snprintf(junk, sizeof(junk), "%s/junk", workdir);
	write_junk(junk, 4096);
	install(junk, workdir);
	second++;
	expect_unavail("a file that is no database, mmap() failing", EINVAL);
	ok("but not for a file whose header is no database's: UNAVAIL, EINVAL");
	fail_mmap = 0;
	install(missing, workdir);
	second++;
	replacement_answers("a second after mmap() works again");
	ok("once mmap() worked again, the replacement was mapped and answers");
}

static void gone(const char *good, const char *missing, const char *workdir)
{
	(void)missing;
	expect("first lookup", "http", NSS_STATUS_SUCCESS, 80);
	at_file_limit();
	if (unlink(db) != 0)
		fail("unlink %s: %s", db, strerror(errno));
	second += 2;
	expect_unavail("a second after the database was removed, at the file limit", 0);
	second++;
	expect_unavail("another second later", ENOENT);
	ok("a database removed at the file limit: UNAVAIL, then ENOENT (not the old answers)");
	file_limit_lifted();
	install(good, workdir);
	second++;
	expect("a second after it was put back", "http", NSS_STATUS_SUCCESS, 80);
}

/*
 * Three more seconds of lookups, the file at the database's path changed
 * (its times set) before each: UNAVAIL, EINVAL, and no open of it.
 */
static void changing_not_opened(const char *what)
{
	int opens = db_opens;

	for (int i = 0; i < 3; i++) {
		if (utimensat(AT_FDCWD, db, NULL, 0) != 0)
			fail("utimensat %s: %s", db, strerror(errno));
		second++;
		expect_unavail(what, EINVAL);
	}
	if (db_opens != opens)
		fail("%s: the module opened it %d times in 3 s; stat() shows it is no database",
		     what, db_opens - opens);
}

/* A good database renamed over what is there: opened once, and answers. */
static void good_again(const char *good, const char *workdir, const char *what)
{
	int opens = db_opens;

	install(good, workdir);
	second++;
	expect(what, "http", NSS_STATUS_SUCCESS, 80);
	if (db_opens != opens + 1)
		fail("%s: the good database was opened %d times, expected once", what, db_opens - opens);
}

static void empty(const char *good, const char *missing, const char *workdir)
{
	char path[PATH_MAX];
	int opens;

	(void)missing;
	expect("first lookup", "http", NSS_STATUS_SUCCESS, 80);
	snprintf(path, sizeof(path), "%s/empty", workdir);
	write_junk(path, 0);
	install(path, workdir);
	at_file_limit();
	opens = db_opens;
	second += 2;
	expect_unavail("a second after an empty file replaced the database, at the file limit", EINVAL);
	if (db_opens != opens)
		fail("the module opened the empty file; stat() shows it is no database");
	ok("an empty file renamed over the database at the file limit: UNAVAIL, EINVAL, not opened");
	changing_not_opened("the empty file, changed every second, at the file limit");
	file_limit_lifted();
	changing_not_opened("the empty file, changed every second");
	ok("the empty file, changed every second, was never opened");
	good_again(good, workdir, "a second after a good database replaced the empty file");

	/* A FIFO over the database in use: not opened, not even with O_NONBLOCK. */
	snprintf(path, sizeof(path), "%s/fifo", workdir);
	if (mkfifo(path, 0644) != 0)
		fail("mkfifo %s: %s", path, strerror(errno));
	if (rename(path, db) != 0)
		fail("rename %s %s: %s", path, db, strerror(errno));
	opens = db_opens;
	second++;
	expect_unavail("a second after a FIFO replaced the database", EINVAL);
	if (db_opens != opens)
		fail("the module opened the FIFO; stat() shows it is no database");
	changing_not_opened("the FIFO, changed every second");
	ok("a FIFO renamed over the database: UNAVAIL, EINVAL, never opened");
	good_again(good, workdir, "a second after a good database replaced the FIFO");
	ok("a good database renamed over the FIFO was opened once, and answers");

	/* A directory in its place: UNAVAIL, EISDIR, not opened. */
	if (unlink(db) != 0 || mkdir(db, 0755) != 0)
		fail("a directory at %s: %s", db, strerror(errno));
	opens = db_opens;
	second++;
	expect_unavail("a second after a directory took the database's place", EISDIR);
	if (db_opens != opens)
		fail("the module opened the directory; stat() shows it is no database");
	if (rmdir(db) != 0)
		fail("rmdir %s: %s", db, strerror(errno));
	ok("a directory in the database's place: UNAVAIL, EISDIR, not opened");
	good_again(good, workdir, "a second after a good database replaced the directory");
}

/* A bad file renamed over the database, looked at: UNAVAIL, EINVAL. */
static void install_bad(const char *workdir)
{
	char path[PATH_MAX];

	expect("first lookup", "http", NSS_STATUS_SUCCESS, 80);
	snprintf(path, sizeof(path), "%s/bad", workdir);
	write_junk(path, 1536);
	install(path, workdir);
	second += 2;
	expect_unavail("a file that is not a database", EINVAL);
}

static void bad(const char *good, const char *missing, const char *workdir)
{
	int opens;

	(void)missing;
	install_bad(workdir);
	opens = db_opens;
	for (int i = 1; i <= 4; i++) {
		second++;
		expect_unavail("seconds later, the same bad file", EINVAL);
	}
	if (db_opens != opens)
		fail("the module opened the same bad file %d more times in 4 s (under the lock fork() "
		     "waits for); it is unchanged", db_opens - opens);
	ok("the bad file, unchanged, was not opened again in 4 s; lookups said UNAVAIL/EINVAL");
	good_again(good, workdir, "a second after a good database replaced the bad file");
	ok("a good database renamed over the bad file was opened once, and answers");
}

static void errno_mode(const char *good, const char *missing, const char *workdir)
{
	char away[PATH_MAX];
	int opens;

	(void)good;
	(void)missing;
	install_bad(workdir);
	snprintf(away, sizeof(away), "%s.away", workdir);
	if (rename(workdir, away) != 0)
		fail("rename %s %s: %s", workdir, away, strerror(errno));
	second++;
	expect_unavail("the database's directory renamed away", ENOENT);
	if (rename(away, workdir) != 0)
		fail("rename %s %s: %s", away, workdir, strerror(errno));
	opens = db_opens;
	second++;
	expect_unavail("the directory back, with the same bad file", EINVAL);
	ok("the same bad file back: EINVAL again, not the ENOENT of its absence");
	if (db_opens != opens + 1)
		fail("the bad file, back after an absence, was opened %d times, expected once",
		     db_opens - opens);
	second++;
	expect_unavail("a second later, the same bad file", EINVAL);
	if (db_opens != opens + 1)
		fail("the bad file, unchanged since it came back, was opened again");
	ok("a file back after an absence is looked at again once, then left alone");
}

/* The logged mapping of a file: there must be exactly one. */
static const struct map_call *file_mapping(const char *when)
{
	const struct map_call *m = NULL;

	for (int i = 0; i < n_maps; i++) {
		if (maps[i].fd < 0)
			continue;
		if (m != NULL)
			fail("%s: the module mapped a file twice", when);
		m = &maps[i];
	}
	if (m == NULL || m->got == MAP_FAILED)
		fail("%s: the module mapped no file", when);
	return m;
}

/* Was addr given by an anonymous mmap() of the log, a reservation? */
static int reserved_here(const void *addr)
{
	for (int i = 0; i < n_maps; i++)
		if (maps[i].fd < 0 && (maps[i].flags & MAP_ANONYMOUS) && !(maps[i].flags & MAP_FIXED) &&
		    maps[i].got == addr)
			return 1;
	return 0;
}

/* Every entry, one line each: name port/proto aliases.  Malloced. */
static char *entries(void)
{
	nss_setservent *set = (nss_setservent *)iana_module_sym(db, "_nss_iana_setservent");
	nss_getservent_r *get = (nss_getservent_r *)iana_module_sym(db, "_nss_iana_getservent_r");
	nss_endservent *end = (nss_endservent *)iana_module_sym(db, "_nss_iana_endservent");
	struct servent se;
	char buf[1024], *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	int err, n = 0;

	if (out == NULL || set(0) != NSS_STATUS_SUCCESS)
		fail("setservent");
	while (get(&se, buf, sizeof(buf), &err) == NSS_STATUS_SUCCESS) {
		fprintf(out, "%s %d/%s", se.s_name, ntohs((uint16_t)se.s_port), se.s_proto);
		for (char **a = se.s_aliases; *a != NULL; a++)
			fprintf(out, " %s", *a);
		putc('\n', out);
		n++;
	}
	end();
	if (fclose(out) != 0 || n == 0)
		fail("getservent_r gave %d entries", n);
	return text;
}

static void same_entries(const char *when, const char *want)
{
	char *got = entries();

	if (strcmp(got, want) != 0)
		fail("%s: getservent_r's entries differ from the first mapping's", when);
	free(got);
}

static const char *longer_db;   /* reuse's LONGER.db */

/*
 * Rename src over the database and look a second later: MISSING.db must
 * answer as the replacement, any other as DATABASE.  The one file mapping
 * the module made for it.
 */
static const struct map_call *swap_in(const char *src, const char *missing, const char *workdir,
				      const char *when)
{
	n_maps = 0;
	install(src, workdir);
	second++;
	if (src == missing)
		replacement_answers(when);
	else
		expect(when, "http", NSS_STATUS_SUCCESS, 80);
	return file_mapping(when);
}

static void reuse(const char *good, const char *missing, const char *workdir)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE), len;
	const struct map_call *m;
	struct stat st, lst;
	void *region, *reservation;
	char *want;

	if (stat(good, &st) != 0 || stat(longer_db, &lst) != 0)
		fail("stat %s, %s: %s", good, longer_db, strerror(errno));
	len = ((size_t)st.st_size + pg - 1) / pg * pg;
	if (len - (size_t)st.st_size != 64 || (size_t)lst.st_size != (size_t)st.st_size + 1)
		fail("%s must have 64 bytes to spare in its last page (it has %zu), and %s be a byte "
		     "longer (it is %jd bytes)", good, len - (size_t)st.st_size, longer_db,
		     (intmax_t)lst.st_size);

	n_maps = 0;
	expect("first lookup", "http", NSS_STATUS_SUCCESS, 80);
	m = file_mapping("the first lookup");
	if (m->addr != NULL || (m->flags & MAP_FIXED) || m->len != (size_t)st.st_size)
		fail("the first database, with 64 bytes to spare, was not mapped alone");
	region = m->got;
	want = entries();

	m = swap_in(missing, missing, workdir, "a second after MISSING.db replaced the first database");
	if (!(m->flags & MAP_FIXED) || m->addr == region || !reserved_here(m->addr))
		fail("MISSING.db was not mapped into a new reservation (at %p; the first region is %p)",
		     m->addr, region);
	reservation = m->addr;
	ok("the first database was mapped alone at %p (a region of %zu bytes); the next one, in a "
	   "reservation at %p", region, len, reservation);

	m = swap_in(good, missing, workdir, "a second after the first database came back");
	if (!(m->flags & MAP_FIXED) || m->addr != region)
		fail("a database of %jd bytes (its region's length less 64) was mapped at %p (flags %#x), "
		     "not into the free region at %p", (intmax_t)st.st_size, m->addr, (unsigned)m->flags,
		     region);
	same_entries("the first database, back in its region", want);
	ok("a database 64 bytes shorter than a free region was mapped into it; its entries are all there");

	m = swap_in(missing, missing, workdir, "a second after MISSING.db came back");
	if (!(m->flags & MAP_FIXED) || m->addr != reservation)
		fail("MISSING.db again was mapped at %p, not into its free reservation at %p", m->addr,
		     reservation);

	m = swap_in(longer_db, missing, workdir, "a second after LONGER.db replaced MISSING.db");
	if (m->addr == region || m->addr == reservation || !(m->flags & MAP_FIXED) ||
	    !reserved_here(m->addr))
		fail("a database of %jd bytes, which leaves 63 of the free region of %zu, was mapped at "
		     "%p, not into a new reservation (the region is at %p)", (intmax_t)lst.st_size, len,
		     m->addr, region);
	same_entries("LONGER.db", want);
	ok("one a byte longer was not: it went into a new reservation; its entries are all there");
	free(want);
}

static const struct {
	const char *name;
	void (*run)(const char *good, const char *missing, const char *workdir);
} modes[] = {
	{ "emfile", emfile }, { "nomem", nomem }, { "gone", gone },
	{ "empty", empty }, { "bad", bad }, { "errno", errno_mode },
	{ "reuse", reuse },
};

int main(int argc, char **argv)
{
	size_t m = 0;
	int args = argc >= 2 && strcmp(argv[1], "reuse") == 0 ? 6 : 5;

	while (argc == args && m < sizeof(modes) / sizeof(modes[0]) && strcmp(argv[1], modes[m].name) != 0)
		m++;
	if (argc != args || m == sizeof(modes) / sizeof(modes[0])) {
		fprintf(stderr, "usage: replace emfile|nomem|gone|empty|bad|errno DATABASE MISSING.db WORKDIR\n"
				"       replace reuse DATABASE MISSING.db WORKDIR LONGER.db\n");
		return 2;
	}
	if (args == 6)
		longer_db = argv[5];
	if (mkdir(argv[4], 0755) != 0 && errno != EEXIST)
		fail("mkdir %s: %s", argv[4], strerror(errno));
	snprintf(db, sizeof(db), "%s/services.db", argv[4]);
	install(argv[2], argv[4]);
	by_name = (nss_getservbyname_r *)iana_module_sym(db, "_nss_iana_getservbyname_r");
	modes[m].run(argv[2], argv[3], argv[4]);
	return 0;
}
