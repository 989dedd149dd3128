/*
 * load: the database replaced 200 times while 8 threads look it up.
 *
 * usage: load IANA-SERVICESDB NEW.xml OLD.xml WORKDIR
 *        (LD_LIBRARY_PATH = the directory of libnss_iana.so.2)
 *
 * 1. Both registries are compiled into WORKDIR (new.db, old.db), the copies
 *    that the replacer renames into place.
 * 2. Reference answers: two fork()ed children, one per snapshot, each with
 *    its own NSS_IANA_DB, answer every query and enumerate the database
 *    through glibc.  The queries are fixed ones (names and ports that differ
 *    between the snapshots, common ones) plus a sample of the enumeration.
 * 3. WORKDIR/services.db is compiled from NEW.xml; this process looks it up
 *    through glibc (__nss_configure_lookup("services", "iana")).  A replacer
 *    process replaces it 200 times (NEW again, then OLD and NEW alternately,
 *    ending with OLD): some by real "iana-servicesdb compile -o", the rest
 *    by copying new.db/old.db to a temporary name in WORKDIR and rename()ing
 *    it over services.db.  First
 *    120 every 10-50 ms, then 60 every 60-200 ms, then 20 every 1.05-1.15 s.
 * 4. Meanwhile 8 threads: 7 look up (getservbyname_r / getservbyport_r with
 *    tcp, udp and NULL), 1 enumerates (setservent / getservent_r /
 *    endservent, the only enumerator) between lookups.
 *
 * Pass: every answer is one snapshot's answer to that query (a query whose
 * answer is the same, found entry in both is therefore answered every
 * time); every enumeration is one snapshot's whole enumeration; each of the
 * 20 spaced replacements is observed (a thread's answers change snapshot at
 * least 20 times); after the last replacement and more than a second, the
 * answers are the last snapshot's, and /proc/self/maps names at most one
 * mapping of a file in WORKDIR, none "(deleted)", and /proc/self/fd holds
 * no descriptor of one.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <pthread.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test-util.h"

extern int __nss_configure_lookup(const char *db, const char *service_line);
extern char **environ;

#define MAXQ 1024
#define ANSLEN 512
#define N_THREADS 8
#define N_REPLACE 200
#define N_FAST 120
#define N_MEDIUM 60        /* then N_REPLACE - N_FAST - N_MEDIUM spaced ones */
#define MAX_REPORTS 30

enum { OLD = 0, NEW = 1 };
static const char *snap_name[2] = {"old", "new"};

struct query {
	int by_port;
	char name[64];
	int port;
	char proto[8];     /* "" = NULL */
};

struct shared {
	int nq;
	struct query q[MAXQ];
	char ans[2][MAXQ][ANSLEN];
	uint64_t enum_hash[2];
	unsigned long enum_count[2];
	/* the replacer's record */
	int n_replaced, n_compiled, last_snap, replacer_failed;
	struct timespec last_replace;
	char replacer_error[256];
};

static struct shared *sh;
static const char *gen_prog, *reg[2], *workdir;
static char target[PATH_MAX], db_copy[2][PATH_MAX];

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Run "iana-servicesdb compile --quiet REG -o OUT"; 0 on success, else -1 with errno. */
static int compile(const char *registry, const char *out)
{
	char *argv[] = {(char *)gen_prog, "compile", "--quiet", (char *)registry, "-o",
			(char *)out, NULL};
	pid_t pid;
	int st, rc = posix_spawn(&pid, gen_prog, NULL, NULL, argv, environ);

	if (rc != 0) {
		errno = rc;
		return -1;
	}
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	errno = EPROTO;   /* the generator said why on stderr */
	return -1;
}

/* A private copy of the generator, so that a rebuild during the run cannot disturb it. */
static void copy_generator(const char *src)
{
	static char dst[PATH_MAX];
	char buf[65536];
	int in, out;
	ssize_t n;

	snprintf(dst, sizeof(dst), "%s/iana-servicesdb", workdir);
	in = open(src, O_RDONLY | O_CLOEXEC);
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	if (in < 0 || out < 0)
		fail("copying %s to %s: %s", src, dst, strerror(errno));
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			fail("write %s: %s", dst, strerror(errno));
	if (n < 0 || close(out) != 0)
		fail("copying %s: %s", src, strerror(errno));
	close(in);
	gen_prog = dst;
}

/* Copy src to a new temporary file in WORKDIR, then rename it over target. */
static int copy_rename(const char *src)
{
	char tmp[PATH_MAX], buf[65536];
	int in, out;
	ssize_t n;

	snprintf(tmp, sizeof(tmp), "%s/.load-tmp.XXXXXX", workdir);
	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -1;
	out = mkstemp(tmp);
	if (out < 0) {
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
	close(in);
	if (n < 0 || fchmod(out, 0644) < 0 || fsync(out) < 0) {
		close(out);
		unlink(tmp);
		return -1;
	}
	close(out);
	if (rename(tmp, target) < 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* "S name port/proto alias...", "N" (not found) or "E<errno>". */
static void fmt_answer(int rc, const struct servent *s, char *out, size_t len)
{
	int n;

	if (rc != 0) {
		snprintf(out, len, "E%d", rc);
		return;
	}
	if (s == NULL) {
		snprintf(out, len, "N");
		return;
	}
	n = snprintf(out, len, "S %s %d/%s", s->s_name, ntohs((uint16_t)s->s_port), s->s_proto);
	for (char **a = s->s_aliases; *a && n > 0 && (size_t)n < len; a++)
		n += snprintf(out + n, len - (size_t)n, " %s", *a);
}

static void ask(const struct query *q, char *out, size_t len)
{
	char buf[4096];
	struct servent sb, *r = NULL;
	const char *proto = q->proto[0] ? q->proto : NULL;
	int rc;

	if (q->by_port)
		rc = getservbyport_r((int)htons((uint16_t)q->port), proto, &sb, buf, sizeof(buf), &r);
	else
		rc = getservbyname_r(q->name, proto, &sb, buf, sizeof(buf), &r);
	fmt_answer(rc, r, out, len);
}

static void describe(const struct query *q, char *out, size_t len)
{
	if (q->by_port)
		snprintf(out, len, "getservbyport_r(%d, %s)", q->port, q->proto[0] ? q->proto : "NULL");
	else
		snprintf(out, len, "getservbyname_r(\"%s\", %s)", q->name,
			 q->proto[0] ? q->proto : "NULL");
}

static void add_query(int by_port, const char *name, int port, const char *proto)
{
	struct query *q;

	if (sh->nq >= MAXQ)
		return;
	q = &sh->q[sh->nq++];
	q->by_port = by_port;
	snprintf(q->name, sizeof(q->name), "%s", name ? name : "");
	q->port = port;
	snprintf(q->proto, sizeof(q->proto), "%s", proto ? proto : "");
}

static uint64_t fnv(uint64_t h, const char *s)
{
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* One whole enumeration through glibc: its hash and length, or -1 (*err). */
static int enumerate(uint64_t *hash, unsigned long *count, int sample, int *err)
{
	char buf[4096], line[ANSLEN];
	struct servent sb, *r;
	uint64_t h = 0xcbf29ce484222325ULL;
	unsigned long n = 0;
	int rc;

	setservent(0);
	for (;;) {
		r = NULL;
		rc = getservent_r(&sb, buf, sizeof(buf), &r);
		if (rc != 0 || r == NULL)
			break;
		fmt_answer(0, r, line, sizeof(line));
		h = fnv(h, line);
		h = fnv(h, "\n");
		if (sample && n % 97 == 13) {
			const char *protos[] = {r->s_proto, NULL};

			for (int i = 0; i < 2; i++) {
				add_query(0, r->s_name, 0, protos[i]);
				add_query(1, NULL, ntohs((uint16_t)r->s_port), protos[i]);
			}
		}
		n++;
	}
	endservent();
	*hash = h;
	*count = n;
	if (rc != 0 && rc != ENOENT) {
		*err = rc;
		return -1;
	}
	return 0;
}

static void reference_child(int snap, int sample)
{
	int err = 0;

	if (setenv("NSS_IANA_DB", db_copy[snap], 1) != 0 ||
	    __nss_configure_lookup("services", "iana") != 0)
		_exit(2);
	if (enumerate(&sh->enum_hash[snap], &sh->enum_count[snap], sample, &err) < 0) {
		printf("FAIL: reference enumeration of %s failed: %s\n", snap_name[snap],
		       strerror(err));
		_exit(1);
	}
	for (int i = 0; i < sh->nq; i++)
		ask(&sh->q[i], sh->ans[snap][i], ANSLEN);
	_exit(0);
}

static void run_reference(int snap, int sample)
{
	pid_t pid;
	int st;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		fail("fork: %s", strerror(errno));
	if (pid == 0)
		reference_child(snap, sample);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail("reference lookups in the %s snapshot failed (status %d)", snap_name[snap], st);
}

/* ----- the replacer process ----- */

static unsigned rng_next(unsigned *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/*
 * The first replacement puts the same snapshot (new) back, as a new file;
 * then old and new alternate, so that the last one (the 200th) is old: a
 * module that never noticed a replacement would still answer as new.
 */
static void replacer(int go_fd)
{
	unsigned seed = 0x9e3779b9u;
	char c;

	double start;

	if (read(go_fd, &c, 1) != 1)
		_exit(2);
	start = now_mono();
	for (int i = 0; i < N_REPLACE; i++) {
		if (i == N_FAST || i == N_FAST + N_MEDIUM)
			printf("      replacer: %d replacements (%d by compile) in %.1f s\n", i,
			       sh->n_compiled, now_mono() - start);
		int snap = i % 2 == 1 ? OLD : NEW, real, rc;
		long pause;

		if (i < N_FAST) {
			pause = 10 + (long)(rng_next(&seed) % 41);
			real = i % 15 == 0;
		} else if (i < N_FAST + N_MEDIUM) {
			pause = 60 + (long)(rng_next(&seed) % 141);
			real = i % 10 == 0;
		} else {
			pause = 1050 + (long)(rng_next(&seed) % 101);
			real = i % 3 == 0;
		}
		sleep_ms(pause);
		rc = real ? compile(reg[snap], target) : copy_rename(db_copy[snap]);
		if (rc != 0) {
			snprintf(sh->replacer_error, sizeof(sh->replacer_error),
				 "replacement %d (%s, %s) failed: %s", i + 1,
				 real ? "compile" : "copy+rename", snap_name[snap], strerror(errno));
			sh->replacer_failed = 1;
			_exit(1);
		}
		clock_gettime(CLOCK_MONOTONIC, &sh->last_replace);
		sh->n_replaced = i + 1;
		sh->n_compiled += real;
		sh->last_snap = snap;
	}
	printf("      replacer: %d replacements (%d by compile) in %.1f s\n", N_REPLACE,
	       sh->n_compiled, now_mono() - start);
	_exit(0);
}

/* ----- the threads ----- */

static atomic_int stop, n_failures;
static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;
static int differ[MAXQ], n_differ, differ_idx[MAXQ];
static double t0;

struct worker {
	int id;
	pthread_t tid;
	unsigned long lookups, enums, enum_entries, switches, seen[2];
	int last_snap;             /* of the last answer to a differing query, -1 none */
	int enum_last, enum_switches;
};

__attribute__((format(printf, 2, 3)))
static void report(struct worker *w, const char *fmt, ...)
{
	va_list ap;
	int n = atomic_fetch_add(&n_failures, 1);

	if (n >= MAX_REPORTS)
		return;
	pthread_mutex_lock(&report_lock);
	printf("FAIL: [thread %d, t=%.3f s] ", w->id, now_mono() - t0);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	pthread_mutex_unlock(&report_lock);
}

static void one_lookup(struct worker *w, int qi)
{
	char got[ANSLEN], what[128];
	int snap;

	ask(&sh->q[qi], got, sizeof(got));
	w->lookups++;
	if (strcmp(got, sh->ans[NEW][qi]) == 0)
		snap = NEW;
	else if (strcmp(got, sh->ans[OLD][qi]) == 0)
		snap = OLD;
	else {
		describe(&sh->q[qi], what, sizeof(what));
		if (differ[qi])
			report(w, "%s -> \"%s\"; new: \"%s\", old: \"%s\"", what, got,
			       sh->ans[NEW][qi], sh->ans[OLD][qi]);
		else
			report(w, "%s -> \"%s\"; both snapshots: \"%s\"", what, got,
			       sh->ans[NEW][qi]);
		return;
	}
	if (!differ[qi])
		return;
	w->seen[snap]++;
	if (w->last_snap >= 0 && w->last_snap != snap)
		w->switches++;
	w->last_snap = snap;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	unsigned seed = 2463534242u + (unsigned)w->id * 7919u;

	/*
	 * Niceness 10 for the threads alone: on a small or busy machine the
	 * replacer (and the generator it runs) would otherwise be starved by
	 * eight spinning threads and its 200 replacements take minutes.
	 */
	(void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 10);
	while (!atomic_load(&stop)) {
		if (w->id == 0) {
			uint64_t h;
			unsigned long n;
			int err = 0, snap = -1;

			if (enumerate(&h, &n, 0, &err) < 0) {
				report(w, "enumeration failed after %lu entries: %s", n, strerror(err));
			} else if (h == sh->enum_hash[NEW] && n == sh->enum_count[NEW]) {
				snap = NEW;
			} else if (h == sh->enum_hash[OLD] && n == sh->enum_count[OLD]) {
				snap = OLD;
			} else {
				report(w, "an enumeration of %lu entries is neither snapshot's (new %lu, old %lu entries)",
				       n, sh->enum_count[NEW], sh->enum_count[OLD]);
				snap = -1;
			}
			w->enums++;
			w->enum_entries += n;
			if (snap >= 0) {
				if (w->enum_last >= 0 && w->enum_last != snap)
					w->enum_switches++;
				w->enum_last = snap;
			}
		}
		for (int i = 0; i < 256 && !atomic_load(&stop); i++) {
			/* Every other lookup asks something the snapshots answer differently. */
			if (i % 2 == 0)
				one_lookup(w, differ_idx[rng_next(&seed) % (unsigned)n_differ]);
			else
				one_lookup(w, (int)(rng_next(&seed) % (unsigned)sh->nq));
		}
	}
	return NULL;
}

/* ----- the final state ----- */

static int check_maps_and_fds(void)
{
	char line[PATH_MAX + 256], prefix[PATH_MAX];
	size_t plen;
	int bad = 0, n_target = 0, n_other = 0, n_deleted = 0;
	FILE *f = fopen("/proc/self/maps", "r");
	DIR *dir;
	struct dirent *de;

	snprintf(prefix, sizeof(prefix), "%s/", workdir);
	plen = strlen(prefix);
	if (f == NULL)
		fail("/proc/self/maps: %s", strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL) {
		char *path = strchr(line, '/');

		line[strcspn(line, "\n")] = '\0';
		if (path == NULL || strncmp(path, prefix, plen) != 0)
			continue;
		printf("      maps: %s\n", line);
		if (strstr(path, " (deleted)") != NULL)
			n_deleted++;
		else if (strcmp(path, target) == 0)
			n_target++;
		else
			n_other++;
	}
	fclose(f);
	printf("ok?   /proc/self/maps: %d mapping(s) of %s, %d of deleted files, %d of other files in %s\n",
	       n_target, target, n_deleted, n_other, workdir);
	if (n_target > 1 || n_deleted > 0 || n_other > 0) {
		printf("FAIL: the process keeps more than the current database mapped\n");
		bad = 1;
	}
	if (n_target == 0)
		printf("note: the current database is not mapped at all\n");

	dir = opendir("/proc/self/fd");
	if (dir == NULL)
		fail("/proc/self/fd: %s", strerror(errno));
	while ((de = readdir(dir)) != NULL) {
		char p[PATH_MAX], l[PATH_MAX];
		ssize_t n;

		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "/proc/self/fd/%s", de->d_name);
		n = readlink(p, l, sizeof(l) - 1);
		if (n < 0)
			continue;
		l[n] = '\0';
		if (strncmp(l, prefix, plen) == 0) {
			printf("FAIL: descriptor %s is open on %s\n", de->d_name, l);
			bad = 1;
		}
	}
	closedir(dir);
	if (!bad)
		printf("ok:   no descriptor open on a file in %s\n", workdir);
	return bad;
}

/*
 * The bytes of anonymous read-only private mappings: the module's regions
 * (reservations with the database mapped over their start) show as such.
 */
static unsigned long anon_ro_bytes(void)
{
	char line[PATH_MAX + 256], perms[8], dev[16];
	unsigned long lo, hi, off, ino, total = 0;
	int n;
	FILE *f = fopen("/proc/self/maps", "r");

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%lx-%lx %7s %lx %15s %lu %n", &lo, &hi, perms, &off, dev, &ino, &n) < 6)
			continue;
		if (strcmp(perms, "r--p") == 0 && ino == 0 && line[n] == '\0')
			total += hi - lo;
	}
	fclose(f);
	return total;
}

static void clean_workdir(void)
{
	DIR *d = opendir(workdir);
	struct dirent *de;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		char p[PATH_MAX];

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", workdir, de->d_name);
		unlink(p);
	}
	closedir(d);
}

int main(int argc, char **argv)
{
	static const char *diff_names[] = {"bencher", "snif", "dilithium3"};
	static const int diff_ports[] = {6610, 7123, 30939};
	static const char *common_names[] = {"http", "ssh", "domain", "x11", "ntp", "https",
					     "kerberos", "sip", "no-such-service-here"};
	static const int common_ports[] = {22, 53, 80, 123, 443, 6000, 5060, 1, 65535};
	static const char *protos[] = {"tcp", "udp", NULL};
	int go[2], st, bad = 0, n_stable = 0;
	unsigned long ro_before, ro_after, region_max;
	struct stat sb;
	struct worker w[N_THREADS];
	unsigned long total = 0, max_switches = 0;
	double t_last, t_run;
	pid_t rpid;

	if (argc != 5) {
		fprintf(stderr, "usage: %s IANA-SERVICESDB NEW.xml OLD.xml WORKDIR\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	reg[NEW] = argv[2];
	reg[OLD] = argv[3];
	workdir = argv[4];
	if (mkdir(workdir, 0755) < 0 && errno != EEXIST)
		fail("mkdir %s: %s", workdir, strerror(errno));
	clean_workdir();
	copy_generator(argv[1]);
	snprintf(target, sizeof(target), "%s/services.db", workdir);
	snprintf(db_copy[NEW], sizeof(db_copy[NEW]), "%s/new.db", workdir);
	snprintf(db_copy[OLD], sizeof(db_copy[OLD]), "%s/old.db", workdir);

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		fail("mmap: %s", strerror(errno));

	for (int s = 0; s < 2; s++)
		if (compile(reg[s], db_copy[s]) != 0)
			fail("iana-servicesdb compile %s -o %s failed", reg[s], db_copy[s]);
	printf("ok:   compiled %s and %s\n", db_copy[NEW], db_copy[OLD]);

	/* The queries, then both snapshots' answers. */
	for (size_t i = 0; i < sizeof(diff_names) / sizeof(*diff_names); i++)
		for (int p = 0; p < 3; p++) {
			add_query(0, diff_names[i], 0, protos[p]);
			add_query(1, NULL, diff_ports[i], protos[p]);
		}
	for (size_t i = 0; i < sizeof(common_names) / sizeof(*common_names); i++)
		for (int p = 0; p < 3; p++)
			add_query(0, common_names[i], 0, protos[p]);
	for (size_t i = 0; i < sizeof(common_ports) / sizeof(*common_ports); i++)
		for (int p = 0; p < 3; p++)
			add_query(1, NULL, common_ports[i], protos[p]);
	run_reference(NEW, 1);
	run_reference(OLD, 0);
	for (int i = 0; i < sh->nq; i++) {
		for (int s = 0; s < 2; s++)
			if (sh->ans[s][i][0] == 'E') {
				char what[128];

				describe(&sh->q[i], what, sizeof(what));
				fail("reference %s in the %s snapshot: %s", what, snap_name[s],
				     sh->ans[s][i]);
			}
		differ[i] = strcmp(sh->ans[NEW][i], sh->ans[OLD][i]) != 0;
		if (differ[i])
			differ_idx[n_differ++] = i;
		else if (sh->ans[NEW][i][0] == 'S')
			n_stable++;
	}
	printf("ok:   %d queries: %d answered differently by the snapshots, %d found identically in both\n",
	       sh->nq, n_differ, n_stable);
	printf("ok:   enumerations: new %lu entries, old %lu entries\n", sh->enum_count[NEW],
	       sh->enum_count[OLD]);
	if (n_differ < 6 || n_stable < 100 || sh->enum_hash[NEW] == sh->enum_hash[OLD])
		fail("the two snapshots are too alike for this test (%d differing, %d stable queries)",
		     n_differ, n_stable);

	/* The live database, first the new snapshot, looked up through glibc. */
	if (compile(reg[NEW], target) != 0)
		fail("iana-servicesdb compile %s -o %s failed", reg[NEW], target);
	if (setenv("NSS_IANA_DB", target, 1) != 0 ||
	    __nss_configure_lookup("services", "iana") != 0)
		fail("setenv / __nss_configure_lookup failed");
	for (int i = 0; i < sh->nq; i++) {
		char got[ANSLEN];

		ask(&sh->q[i], got, sizeof(got));
		if (strcmp(got, sh->ans[NEW][i]) != 0)
			fail("before any replacement, query %d: \"%s\" instead of \"%s\"", i, got,
			     sh->ans[NEW][i]);
	}
	ro_before = anon_ro_bytes();
	printf("ok:   %s answers as the new snapshot\n", target);

	/* The replacer, forked before any thread exists. */
	if (pipe(go) < 0)
		fail("pipe: %s", strerror(errno));
	fflush(stdout);
	rpid = fork();
	if (rpid < 0)
		fail("fork: %s", strerror(errno));
	if (rpid == 0) {
		close(go[1]);
		replacer(go[0]);
	}
	close(go[0]);

	t0 = now_mono();
	for (int i = 0; i < N_THREADS; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].id = i;
		w[i].last_snap = -1;
		w[i].enum_last = -1;
		if (pthread_create(&w[i].tid, NULL, worker_main, &w[i]) != 0)
			fail("pthread_create failed");
	}
	if (write(go[1], "g", 1) != 1)
		fail("write: %s", strerror(errno));
	close(go[1]);
	if (waitpid(rpid, &st, 0) != rpid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		atomic_store(&stop, 1);
		fail("the replacer failed: %s (after %d replacements)", sh->replacer_error,
		     sh->n_replaced);
	}
	t_last = (double)sh->last_replace.tv_sec + (double)sh->last_replace.tv_nsec / 1e9;
	/* Let the threads see the last replacement too, then stop them. */
	while (now_mono() < t_last + 1.5)
		sleep_ms(50);
	atomic_store(&stop, 1);
	for (int i = 0; i < N_THREADS; i++)
		pthread_join(w[i].tid, NULL);
	t_run = now_mono() - t0;

	for (int i = 0; i < N_THREADS; i++) {
		total += w[i].lookups;
		if (w[i].switches > max_switches)
			max_switches = w[i].switches;
		printf("      thread %d: %lu lookups (differing queries: %lu new, %lu old answers), %lu snapshot switches seen",
		       i, w[i].lookups, w[i].seen[NEW], w[i].seen[OLD], w[i].switches);
		if (i == 0)
			printf("; %lu enumerations (%lu entries), %d switches between them",
			       w[i].enums, w[i].enum_entries, w[i].enum_switches);
		putchar('\n');
	}
	printf("ok?   %lu lookups and %lu enumerations in %.1f s across %d replacements (%d by compile -o, %d by copy+rename)\n",
	       total, w[0].enums, t_run, sh->n_replaced, sh->n_compiled,
	       sh->n_replaced - sh->n_compiled);
	printf("ok?   snapshot switches observed: at most %lu by one thread\n", max_switches);
	if (atomic_load(&n_failures) > 0) {
		printf("FAIL: %d wrong answers or enumerations (the first %d shown above)\n",
		       atomic_load(&n_failures), MAX_REPORTS);
		bad = 1;
	}
	if (sh->n_replaced != N_REPLACE)
		bad = 1;
	if (max_switches < N_REPLACE - N_FAST - N_MEDIUM) {
		printf("FAIL: fewer switches seen than the %d replacements spaced more than a second apart\n",
		       N_REPLACE - N_FAST - N_MEDIUM);
		bad = 1;
	}
	if (w[0].enums < 2) {
		printf("FAIL: only %lu enumerations\n", w[0].enums);
		bad = 1;
	}

	/* More than a second after the last replacement: the last snapshot, only it. */
	while (now_mono() < t_last + 1.1)
		sleep_ms(50);
	for (int i = 0; i < sh->nq; i++) {
		char got[ANSLEN], what[128];

		ask(&sh->q[i], got, sizeof(got));
		if (strcmp(got, sh->ans[sh->last_snap][i]) != 0) {
			describe(&sh->q[i], what, sizeof(what));
			printf("FAIL: after the last replacement (%s), %s -> \"%s\", expected \"%s\"\n",
			       snap_name[sh->last_snap], what, got, sh->ans[sh->last_snap][i]);
			bad = 1;
			break;
		}
	}
	if (!bad)
		printf("ok:   %.1f s after the last replacement every query gets the %s snapshot's answer\n",
		       now_mono() - t_last, snap_name[sh->last_snap]);
	bad |= check_maps_and_fds();
	/* The module keeps at most two regions, one with the database over its start. */
	ro_after = anon_ro_bytes();
	region_max = 0;
	for (int s = 0; s < 2; s++)
		if (stat(db_copy[s], &sb) == 0 && (unsigned long)sb.st_size > region_max)
			region_max = (unsigned long)sb.st_size;
	region_max = (region_max + 4095) / 4096 * 4096 + 4096;
	region_max = (region_max + region_max / 4 + 4095) / 4096 * 4096;
	printf("ok?   anonymous read-only mappings (the module's regions, less the mapped file): %lu bytes before the replacements, %lu after (a region is at most %lu)\n",
	       ro_before, ro_after, region_max);
	if (ro_after > ro_before + region_max + 2 * 4096) {
		printf("FAIL: more than two regions are kept\n");
		bad = 1;
	}
	if (bad) {
		printf("FAIL\n");
		return 1;
	}
	clean_workdir();
	printf("PASS: %lu lookups, %lu enumerations, %d replacements survived, %lu switches observed\n",
	       total, w[0].enums, sh->n_replaced, max_switches);
	return 0;
}
