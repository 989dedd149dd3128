/*
 * svc-bench: the cost of a services lookup through glibc, per NSS source (issue 5).
 *
 * usage: svc-bench SOURCE KEYFILE MODE [COUNT] [RUNS] [ENUM-RUNS]
 *
 * SOURCE   an NSS services source ("iana", "files", "db", "floor", or a list
 *          such as "files iana"), set with __nss_configure_lookup("services",
 *          SOURCE) -- which also bypasses nscd; or "system": nothing is
 *          configured, /etc/nsswitch.conf (and nscd, if running) decide, as
 *          in any real program.  In time mode, several sources separated by
 *          commas ("iana,floor", "system=iana,system=floor") take turns run
 *          by run and report as SOURCE:figure (see time_paired).
 * KEYFILE  keys, one a line: KIND KEY PROTO, PROTO "-" for a NULL protocol.
 *          KIND is name (a name or alias that exists, with its protocol),
 *          nameany (a name that exists, NULL protocol), port (a port/protocol
 *          that exists), missname, missport (keys that do not).  Written by
 *          bench/run.sh from the database's dump with a fixed seed.
 * MODE
 *   time         every timed figure: for each key kind, RUNS runs (default 15)
 *                of COUNT calls (default 20000), cycling through the keys
 *                after one untimed warm-up pass; each run is timed with
 *                clock_gettime(CLOCK_MONOTONIC) around its calls and gives
 *                ns per call.  Then RUNS full enumerations (setservent,
 *                getservent_r until it fails, endservent), after one warm-up;
 *                ENUM-RUNS of them when given (default RUNS).
 *                Also name hits again with a stat(2) of /etc/nsswitch.conf
 *                before each call, as glibc does on the real path (figure
 *                name-stat, the stat included).
 *                Prints "RESULT figure median min max unit count runs note".
 *   first        RUNS (default 15) fresh processes (this program again, mode
 *                first1), each timing its first lookup, getservbyname_r("http",
 *                "tcp"), from just before the call to just after it: module
 *                load, configuration and database open included.  Also the
 *                page faults the process took in that call (figure
 *                first-faults, getrusage's ru_minflt + ru_majflt).
 *   getent       RUNS fresh getent processes (after 10 untimed), "getent -s
 *                services:SOURCE services http/tcp", or "getent services
 *                http/tcp" for a source system=M, timed from fork to exit.
 *   first1       one such process: prints the time of its first lookup in ns,
 *                "found" or "notfound", and the page faults taken in it.
 *   loop-KIND    KIND is one of the key kinds: a warm-up pass over the keys
 *                of that kind (module loaded, database open, each key looked
 *                up once, as in time mode; the first WARM keys when the RUNS
 *                argument gives WARM, since a slow source need not look up
 *                more keys than it will use), then exactly COUNT calls of
 *                that kind.  For callgrind and strace -c: run it with COUNT =
 *                n and COUNT = 0 (and the same WARM), the difference over n is
 *                the cost per call.
 *   cold-KIND    the same with a single warm-up call: the COUNT calls include
 *                the first lookup of each key (what a module does once per
 *                key, such as verifying what it reads, shows here).
 *   check        prints what a few lookups answer (no timing).
 *   memory       resident KiB (from /proc/self/smaps) of the database file
 *                ($NSS_IANA_DB) and of libnss_SOURCE.so.2, after one lookup
 *                and after a full enumeration.
 *
 * Exit status 0, or 1 on a usage or setup error, or when a hit kind misses or
 * a miss kind hits (except for SOURCE floor, touch or mapfloor, which answer everything,
 * or when $SVC_BENCH_LENIENT is set and not empty: floor behind nsswitch.conf).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <nss.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { K_NAME, K_NAMEANY, K_PORT, K_MISSNAME, K_MISSPORT, K_COUNT };

struct key {
	const char *name;   /* by name */
	int port;           /* by port: network byte order, as getservbyport_r takes it */
	const char *proto;  /* NULL: any */
};

static struct kind {
	const char *id;
	int by_port;
	int expect_hit;
	struct key *keys;
	size_t n, cap;
} kinds[K_COUNT] = {
	[K_NAME] = {"name", 0, 1, NULL, 0, 0},
	[K_NAMEANY] = {"nameany", 0, 1, NULL, 0, 0},
	[K_PORT] = {"port", 1, 1, NULL, 0, 0},
	[K_MISSNAME] = {"missname", 0, 0, NULL, 0, 0},
	[K_MISSPORT] = {"missport", 1, 0, NULL, 0, 0},
};

static const char *source;
static int lenient;   /* floor, touch and mapfloor answer everything: misses hit */

__attribute__((format(printf, 1, 2), noreturn))
static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("svc-bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void use_source(const char *s);

/* floor, touch and mapfloor answer every key: their misses are hits (also as system=M). */
static int answers_everything(const char *s)
{
	if (strncmp(s, "system=", 7) == 0)
		s += 7;
	return strcmp(s, "floor") == 0 || strcmp(s, "touch") == 0 || strcmp(s, "mapfloor") == 0;
}

static void configure(void)
{
	/* "system": nsswitch.conf decides; a list is configured source by source. */
	if (strcmp(source, "system") == 0 || strchr(source, ',') != NULL)
		return;
	/* "system=M" alone: nsswitch.conf, rewritten to name M. */
	if (strncmp(source, "system=", 7) == 0) {
		use_source(source);
		return;
	}
	if (__nss_configure_lookup("services", source) != 0)
		die("__nss_configure_lookup(\"services\", \"%s\") failed", source);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void load_keys(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512], kind[32], key[256], proto[64];
	unsigned lineno = 0;

	if (f == NULL)
		die("%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL) {
		struct kind *k = NULL;
		struct key *e;

		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "%31s %255s %63s", kind, key, proto) != 3)
			die("%s:%u: expected KIND KEY PROTO", path, lineno);
		for (int i = 0; i < K_COUNT; i++)
			if (strcmp(kind, kinds[i].id) == 0)
				k = &kinds[i];
		if (k == NULL)
			die("%s:%u: unknown kind %s", path, lineno, kind);
		if (k->n == k->cap) {
			k->cap = k->cap ? 2 * k->cap : 1024;
			k->keys = realloc(k->keys, k->cap * sizeof(*k->keys));
			if (k->keys == NULL)
				die("out of memory");
		}
		e = &k->keys[k->n++];
		e->proto = strcmp(proto, "-") == 0 ? NULL : strdup(proto);
		if (k->by_port) {
			char *end;
			long p = strtol(key, &end, 10);

			if (*end != '\0' || p < 0 || p > 65535)
				die("%s:%u: bad port %s", path, lineno, key);
			e->name = NULL;
			e->port = (int)htons((uint16_t)p);
		} else {
			e->name = strdup(key);
			e->port = 0;
		}
	}
	fclose(f);
	for (int i = 0; i < K_COUNT; i++)
		if (kinds[i].n == 0)
			die("%s: no keys of kind %s", path, kinds[i].id);
}

static char buf[4096];

/* One lookup; 1 when it found something. */
static int call(const struct kind *k, const struct key *e)
{
	struct servent se, *res = NULL;
	int rc;

	if (k->by_port)
		rc = getservbyport_r(e->port, e->proto, &se, buf, sizeof(buf), &res);
	else
		rc = getservbyname_r(e->name, e->proto, &se, buf, sizeof(buf), &res);
	return rc == 0 && res != NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *figure, double *v, int runs, const char *unit, long count,
		   const char *note)
{
	qsort(v, (size_t)runs, sizeof(*v), cmp_double);
	double med = runs % 2 ? v[runs / 2] : (v[runs / 2 - 1] + v[runs / 2]) / 2;

	printf("RESULT %s %.1f %.1f %.1f %s %ld %d %s\n", figure, med, v[0], v[runs - 1], unit,
	       count, runs, note);
	fflush(stdout);
}

/* One timed run of count calls of kind k from key idx on; ns per call. */
static double timed_run(const struct kind *k, long count, int with_stat, size_t *idx)
{
	struct stat st;
	uint64_t t0 = now_ns();

	for (long i = 0; i < count; i++) {
		if (with_stat)
			stat("/etc/nsswitch.conf", &st);
		call(k, &k->keys[*idx]);
		if (++*idx == k->n)
			*idx = 0;
	}
	return (double)(now_ns() - t0) / (double)count;
}

/*
 * An untimed warm-up pass of warm calls of kind k from key *idx on (module
 * loaded, database open, caches, nscd's too, filled).  1 when its answers
 * are not what the kind expects (unless the source is lenient), else 0.
 */
static int warm_up(const struct kind *k, long warm, size_t *idx, int say)
{
	long hits = 0;

	for (long i = 0; i < warm; i++) {
		hits += call(k, &k->keys[*idx]);
		*idx = (*idx + 1) % k->n;
	}
	if (k->expect_hit ? hits == warm : hits == 0)
		return 0;
	if (say)
		fprintf(stderr, "svc-bench: %s %s: %ld of %ld warm-up lookups found something\n",
			source, k->id, hits, warm);
	return !(lenient && !k->expect_hit);
}

/*
 * with_stat: a stat(2) of /etc/nsswitch.conf before each call, as glibc does
 * on the real path, to show what kernel work between lookups does to them.
 */
static int time_kind(struct kind *k, long count, int runs, int with_stat)
{
	double *v = calloc((size_t)runs, sizeof(*v));
	size_t idx = 0;
	long warm = count < (long)k->n ? count : (long)k->n;
	char note[64], id[32];
	int bad = warm_up(k, warm, &idx, 1);

	for (int r = 0; r < runs; r++)
		v[r] = timed_run(k, count, with_stat, &idx);
	snprintf(note, sizeof(note), "keys=%zu,warmup=%ld%s", k->n, warm,
		 with_stat ? ",stat-before-each" : "");
	snprintf(id, sizeof(id), with_stat ? "%s-stat" : "%s", k->id);
	report(id, v, runs, "ns/call", count, note);
	free(v);
	return bad;
}

static long enumerate(void)
{
	struct servent se, *res;
	long n = 0;

	setservent(0);
	while (getservent_r(&se, buf, sizeof(buf), &res) == 0 && res != NULL)
		n++;
	endservent();
	return n;
}

/*
 * Paired timing (SOURCE "A,B"): the sources take turns, run by run, in one
 * process, so that whatever else the machine does falls on both alike; and
 * within each run the kinds take turns too, so that it falls on a miss and
 * a hit alike.  A
 * source "system=M" rewrites the nsswitch.conf file named by
 * $SVC_BENCH_NSSWITCH (the bench's own, bind-mounted over /etc/nsswitch.conf)
 * with "services: M"; glibc notices the change at its next call, as on the
 * real path.  Other sources are set with __nss_configure_lookup.
 */
#define MAX_PAIRED 8

static void use_source(const char *s)
{
	const char *env = getenv("SVC_BENCH_LENIENT");

	source = s;
	if (strncmp(s, "system=", 7) == 0) {
		const char *path = getenv("SVC_BENCH_NSSWITCH");
		FILE *f;

		if (path == NULL || *path == '\0')
			die("%s: SVC_BENCH_NSSWITCH names no file to rewrite", s);
		f = fopen(path, "w");
		if (f == NULL || fprintf(f, "passwd: files\ngroup: files\nshadow: files\n"
					    "hosts: files dns\nservices: %s\n", s + 7) < 0 ||
		    fclose(f) != 0)
			die("%s: %s", path, strerror(errno));
	} else if (__nss_configure_lookup("services", s) != 0) {
		die("__nss_configure_lookup(\"services\", \"%s\") failed", s);
	}
	lenient = answers_everything(s) || (env != NULL && *env != '\0');
}

static void report_as(const char *src, const char *figure, double *v, int runs,
		      const char *unit, long count, const char *note)
{
	char id[96];

	snprintf(id, sizeof(id), "%s:%s", src, figure);
	report(id, v, runs, unit, count, note);
}

/* Figure kk of time_paired(): its kind of key (K_COUNT: name hits with a stat), and its warm-up. */
static struct kind *paired_kind(int kk, long count, long *warm)
{
	struct kind *k = &kinds[kk == K_COUNT ? K_NAME : kk];

	*warm = count < (long)k->n ? count : (long)k->n;
	return k;
}

static int time_paired(char **src, int nsrc, long count, int runs, int enum_runs)
{
	int nfig = K_COUNT + 1;   /* each kind, then name hits with a stat before each */
	double *v = calloc((size_t)(nfig * nsrc * (runs > enum_runs ? runs : enum_runs)), sizeof(*v));
	double *per = calloc((size_t)(nsrc * enum_runs), sizeof(*per));
	int bad = 0;

	/*
	 * Run by run, each figure in turn, and for each the sources in turn:
	 * figures of different kinds (a miss against a hit) are taken under
	 * the same conditions too, not minutes apart.
	 */
	for (int r = 0; r < runs; r++)
		for (int kk = 0; kk < nfig; kk++) {
			long warm;
			struct kind *k = paired_kind(kk, count, &warm);

			for (int si = 0; si < nsrc; si++) {
				size_t idx = 0;

				use_source(src[si]);
				/* A warm-up before every run: another source or kind ran meanwhile. */
				bad |= warm_up(k, warm, &idx, r == 0);
				v[(kk * nsrc + si) * runs + r] = timed_run(k, count, kk == K_COUNT, &idx);
			}
		}
	for (int kk = 0; kk < nfig; kk++) {
		long warm;
		struct kind *k = paired_kind(kk, count, &warm);
		int with_stat = kk == K_COUNT;
		char note[96];

		for (int si = 0; si < nsrc; si++) {
			snprintf(note, sizeof(note), "keys=%zu,warmup=%ld,interleaved%s", k->n, warm,
				 with_stat ? ",stat-before-each" : "");
			report_as(src[si], with_stat ? "name-stat" : k->id, v + (kk * nsrc + si) * runs,
				  runs, "ns/call", count, note);
		}
	}
	for (int r = 0; r < enum_runs; r++)
		for (int si = 0; si < nsrc; si++) {
			uint64_t t0;
			long n, m;

			use_source(src[si]);
			n = enumerate();
			t0 = now_ns();
			m = enumerate();
			v[si * enum_runs + r] = (double)(now_ns() - t0);
			per[si * enum_runs + r] = m ? v[si * enum_runs + r] / (double)m : 0;
			if (m != n || n == 0)
				die("%s: enumeration returned %ld entries, then %ld", src[si], n, m);
		}
	for (int si = 0; si < nsrc; si++) {
		report_as(src[si], "enum-total", v + si * enum_runs, enum_runs, "ns", 0, "interleaved");
		report_as(src[si], "enum-entry", per + si * enum_runs, enum_runs, "ns/entry", 0,
			  "interleaved");
	}
	free(v);
	free(per);
	return bad;
}

static int time_enum(int runs)
{
	double *total = calloc((size_t)runs, sizeof(double));
	double *per = calloc((size_t)runs, sizeof(double));
	long n = enumerate(), m;
	char note[64];

	for (int r = 0; r < runs; r++) {
		uint64_t t0 = now_ns();

		m = enumerate();
		total[r] = (double)(now_ns() - t0);
		per[r] = m ? total[r] / (double)m : 0;
		if (m != n)
			die("enumeration returned %ld entries, then %ld", n, m);
	}
	snprintf(note, sizeof(note), "entries=%ld", n);
	report("enum-total", total, runs, "ns", n, note);
	report("enum-entry", per, runs, "ns/entry", n, note);
	free(total);
	free(per);
	return n == 0;
}

static long faults_so_far(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		die("getrusage: %s", strerror(errno));
	return ru.ru_minflt + ru.ru_majflt;
}

/* The first lookup of a process; prints its time in ns and its page faults. */
static int first1(void)
{
	struct servent se, *res = NULL;
	uint64_t t0, t1;
	long f0, f1;
	int rc;

	if (strncmp(source, "system=", 7) == 0)
		use_source(source);   /* this process's nsswitch.conf, before its first lookup */
	else
		configure();
	f0 = faults_so_far();
	t0 = now_ns();
	rc = getservbyname_r("http", "tcp", &se, buf, sizeof(buf), &res);
	t1 = now_ns();
	f1 = faults_so_far();
	printf("%llu %s %ld\n", (unsigned long long)(t1 - t0),
	       rc == 0 && res != NULL ? "found" : "notfound", f1 - f0);
	return rc == 0 && res != NULL ? 0 : 1;
}

/*
 * Resident KiB of the mappings whose path ends with suffix (summed over them),
 * from /proc/self/smaps.
 */
static long resident_kib(const char *suffix)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[4096];
	int in = 0;
	long kib = 0, v;

	if (f == NULL)
		die("/proc/self/smaps: %s", strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL) {
		size_t n = strcspn(line, "\n"), m = strlen(suffix);
		unsigned long lo, hi;
		char perms[8];

		line[n] = '\0';
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3) {
			/* A mapping's first line: address range, perms, ..., path. */
			in = n >= m && strcmp(line + n - m, suffix) == 0;
			continue;
		}
		if (in && sscanf(line, "Rss: %ld kB", &v) == 1)
			kib += v;
	}
	fclose(f);
	return kib;
}

/* One reading: median, min and max are that reading. */
static void mem_result(const char *figure, long kib, const char *note)
{
	printf("RESULT %s %ld %ld %ld KiB 1 1 %s\n", figure, kib, kib, kib, note);
}

/*
 * The module's resident memory: its database mapping (the file named by
 * $NSS_IANA_DB) and its own text and data (libnss_SOURCE.so.2), after one
 * lookup and after a full enumeration.
 */
static int memory(void)
{
	const char *db = getenv("NSS_IANA_DB");
	const char *dbname = db != NULL && strrchr(db, '/') != NULL ? strrchr(db, '/') : "/services.db";
	char lib[64];
	struct servent se, *res = NULL;

	snprintf(lib, sizeof(lib), "/libnss_%s.so.2", source);
	configure();
	if (getservbyname_r("http", "tcp", &se, buf, sizeof(buf), &res) != 0 || res == NULL)
		die("http/tcp: not found");
	mem_result("mem-one-db", resident_kib(dbname), "one lookup");
	mem_result("mem-one-lib", resident_kib(lib), "one lookup");
	enumerate();
	mem_result("mem-enum-db", resident_kib(dbname), "after a full enumeration");
	mem_result("mem-enum-lib", resident_kib(lib), "after a full enumeration");
	return 0;
}

/* The sources of a comma-separated list (one for a plain SOURCE). */
static int split_sources(char *src[MAX_PAIRED])
{
	char *list = strdup(source), *save = NULL;
	int n = 0;

	for (char *t = strtok_r(list, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
		if (n == MAX_PAIRED)
			die("at most %d sources at once", MAX_PAIRED);
		src[n++] = t;
	}
	if (n == 0)
		die("no source");
	return n;
}

static void report_src(int nsrc, const char *src, const char *figure, double *v, int runs,
		       const char *unit, long count, const char *note)
{
	if (nsrc > 1)
		report_as(src, figure, v, runs, unit, count, note);
	else
		report(figure, v, runs, unit, count, note);
}

/* First lookups in fresh processes; with several sources, in turns. */
static int first(const char *keyfile, int runs)
{
	char *src[MAX_PAIRED];
	int nsrc = split_sources(src);
	double *v = calloc((size_t)(runs * nsrc), sizeof(double));
	double *flt = calloc((size_t)(runs * nsrc), sizeof(double));

	if (v == NULL || flt == NULL)
		die("out of memory");
	for (int r = 0; r < runs; r++)
		for (int si = 0; si < nsrc; si++) {
			int fd[2], status;
			char out[128] = "", *end, word[16];
			ssize_t got;
			pid_t pid;

			if (pipe(fd) < 0)
				die("pipe: %s", strerror(errno));
			pid = fork();
			if (pid < 0)
				die("fork: %s", strerror(errno));
			if (pid == 0) {
				dup2(fd[1], STDOUT_FILENO);
				close(fd[0]);
				close(fd[1]);
				execl("/proc/self/exe", "svc-bench", src[si], keyfile, "first1", (char *)NULL);
				_exit(127);
			}
			close(fd[1]);
			got = read(fd[0], out, sizeof(out) - 1);
			close(fd[0]);
			if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
			    WEXITSTATUS(status) != 0 || got <= 0)
				die("%s: first lookup process failed (%s)", src[si], got > 0 ? out : "no output");
			out[got] = '\0';
			v[si * runs + r] = strtod(out, &end);
			if (sscanf(end, " %15s %lf", word, &flt[si * runs + r]) != 2)
				die("%s: first lookup process said: %s", src[si], out);
		}
	for (int si = 0; si < nsrc; si++) {
		const char *note = nsrc > 1 ? "fresh-process,http/tcp,interleaved" : "fresh-process,http/tcp";

		report_src(nsrc, src[si], "first", v + si * runs, runs, "ns", 1, note);
		report_src(nsrc, src[si], "first-faults", flt + si * runs, runs, "faults", 1, note);
	}
	free(v);
	free(flt);
	return 0;
}

/*
 * Fresh getent processes, "getent -s services:SOURCE services http/tcp", or
 * "getent services http/tcp" for system=M (nsswitch.conf rewritten first);
 * timed from fork to exit, after 10 untimed ones; with several sources, in
 * turns.  Prints microseconds.
 */
static int getent_runs(int runs)
{
	char *src[MAX_PAIRED];
	int nsrc = split_sources(src);
	double *v = calloc((size_t)(runs * nsrc), sizeof(double));

	for (int r = -10; r < runs; r++)
		for (int si = 0; si < nsrc; si++) {
			char arg[96];
			const char *argv_s[] = { "getent", "-s", arg, "services", "http/tcp", NULL };
			const char *argv_sys[] = { "getent", "services", "http/tcp", NULL };
			int sys = strncmp(src[si], "system=", 7) == 0, status;
			uint64_t t0;
			pid_t pid;

			if (sys)
				use_source(src[si]);
			snprintf(arg, sizeof(arg), "services:%s", src[si]);
			t0 = now_ns();
			pid = fork();
			if (pid < 0)
				die("fork: %s", strerror(errno));
			if (pid == 0) {
				int null = open("/dev/null", O_WRONLY);

				dup2(null, STDOUT_FILENO);
				execvp("getent", (char *const *)(sys ? argv_sys : argv_s));
				_exit(127);
			}
			if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
				die("%s: getent failed", src[si]);
			if (r >= 0)
				v[si * runs + r] = (double)(now_ns() - t0) / 1e3;
		}
	for (int si = 0; si < nsrc; si++)
		report_src(nsrc, src[si], "getent", v + si * runs, runs, "us", runs,
			   nsrc > 1 ? "fork-to-exit,interleaved" : "fork-to-exit");
	free(v);
	return 0;
}

static int loop(const char *kid, long count, int cold, long warm)
{
	struct kind *k = NULL;
	long hits = 0;
	size_t idx = 0;

	for (int i = 0; i < K_COUNT; i++)
		if (strcmp(kid, kinds[i].id) == 0)
			k = &kinds[i];
	if (k == NULL)
		die("unknown kind %s", kid);
	/* Warm-up, in the baseline (COUNT = 0) too. */
	if (cold)
		call(k, &k->keys[k->n - 1]);
	else
		for (size_t i = 0; i < k->n && (warm < 0 || (long)i < warm); i++)
			call(k, &k->keys[i]);
	for (long i = 0; i < count; i++) {
		hits += call(k, &k->keys[idx]);
		if (++idx == k->n)
			idx = 0;
	}
	fprintf(stderr, "svc-bench: %s %s-%s: %ld calls, %ld found\n", source,
		cold ? "cold" : "loop", k->id, count, hits);
	return 0;
}

static void show_name(const char *name, const char *proto)
{
	struct servent se, *res = NULL;

	getservbyname_r(name, proto, &se, buf, sizeof(buf), &res);
	printf("%s/%s ->", name, proto ? proto : "*");
	if (res == NULL) {
		puts(" not found");
		return;
	}
	printf(" %s %d/%s", res->s_name, ntohs((uint16_t)res->s_port), res->s_proto);
	for (char **a = res->s_aliases; *a != NULL; a++)
		printf(" %s", *a);
	putchar('\n');
}

static void show_port(int port, const char *proto)
{
	struct servent se, *res = NULL;

	getservbyport_r((int)htons((uint16_t)port), proto, &se, buf, sizeof(buf), &res);
	printf("%d/%s ->", port, proto ? proto : "*");
	if (res == NULL) {
		puts(" not found");
		return;
	}
	printf(" %s %d/%s\n", res->s_name, ntohs((uint16_t)res->s_port), res->s_proto);
}

int main(int argc, char **argv)
{
	const char *keyfile, *mode;
	long count = -1;
	int runs = 15, enum_runs = -1, bad = 0;

	if (argc < 4 || argc > 7) {
		fprintf(stderr, "usage: svc-bench SOURCE KEYFILE "
				"time|first|first1|getent|check|memory|loop-KIND|cold-KIND [COUNT] [RUNS] [ENUM-RUNS]\n");
		return 1;
	}
	source = argv[1];
	keyfile = argv[2];
	mode = argv[3];
	if (argc > 4)
		count = strtol(argv[4], NULL, 10);
	if (argc > 5)
		runs = atoi(argv[5]);
	if (argc > 6)
		enum_runs = atoi(argv[6]);
	if (runs < 1)
		die("RUNS must be at least 1");
	if (enum_runs < 1)
		enum_runs = runs;
	lenient = answers_everything(source) ||
		  (getenv("SVC_BENCH_LENIENT") != NULL && *getenv("SVC_BENCH_LENIENT") != '\0');

	if (strcmp(mode, "first1") == 0)
		return first1();
	if (strcmp(mode, "memory") == 0)
		return memory();
	if (strcmp(mode, "first") == 0)
		return first(keyfile, runs);
	if (strcmp(mode, "getent") == 0)
		return getent_runs(runs);

	configure();
	if (strcmp(mode, "check") == 0) {
		show_name("http", "tcp");
		show_name("www", "tcp");
		show_name("www", NULL);
		show_name("x11", "tcp");
		show_name("no-such-service-xyz", "tcp");
		show_port(80, "tcp");
		show_port(6010, "tcp");
		show_port(6063, "tcp");
		show_port(3323, "udp");
		return 0;
	}
	load_keys(keyfile);
	if (strncmp(mode, "loop-", 5) == 0 || strncmp(mode, "cold-", 5) == 0) {
		if (count < 0)
			die("%s needs COUNT", mode);
		return loop(mode + 5, count, mode[0] == 'c', argc > 5 ? runs : -1);
	}
	if (strcmp(mode, "time") == 0) {
		if (count < 0)
			count = 20000;
		if (count < 1)
			die("COUNT must be at least 1");
		if (strchr(source, ',') != NULL) {
			char *src[MAX_PAIRED];
			int nsrc = split_sources(src);

			return time_paired(src, nsrc, count, runs, enum_runs);
		}
		for (int i = 0; i < K_COUNT; i++)
			bad |= time_kind(&kinds[i], count, runs, 0);
		bad |= time_kind(&kinds[K_NAME], count, runs, 1);
		bad |= time_enum(enum_runs);
		return bad;
	}
	die("unknown mode %s", mode);
}
