/*
 * first-steps: what the steps of a first lookup cost on this machine, one
 * by one (issue 5: where the first lookup's time above the floor's goes).
 *
 * usage: first-steps DATABASE [RUNS MODULE.so...]
 *
 * First repeats, in this process, the system calls and page faults that
 * libnss_iana's first lookup makes after the module is loaded (open, fstat,
 * one mmap of the file, close, the header's page fault, then faults on five
 * more pages spread over the lookup data), timing each with CLOCK_MONOTONIC.
 * (One mmap: the module maps the first database of a process alone when
 * its last page has 64 bytes to spare, as the full registry's has; else it
 * makes two, a reservation and the file over it.)
 *
 * Then, for each MODULE (a path ending in libnss_NAME.so.2), RUNS fresh
 * child processes (the modules taking turns) each time the two halves of a
 * first lookup apart: loading the module (dlopen, then dlsym of its
 * getservbyname_r; glibc also looks up each of the sixty-odd NSS function
 * names, which costs every module alike) and its first call,
 * getservbyname_r("http", "tcp"), which for libnss_iana and libnss_mapfloor
 * opens and maps DATABASE (NSS_IANA_DB is set to it).  Prints the median
 * and the minimum of each.
 *
 * Prints one line per step, in microseconds.  Run it several times: a
 * single run is at the machine's mercy.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <netdb.h>
#include <nss.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef enum nss_status lookup_fn(const char *, const char *, struct servent *, char *, size_t,
				  int *);

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

/* The file name of path: libnss_NAME.so.2. */
static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

/*
 * In a fresh child: load the module at path and call its getservbyname_r
 * once; us[0] = the load, us[1] = the call.  Returns 0, or -1 if either
 * failed.
 */
static int first_us(const char *path, double us[2])
{
	const char *base = base_name(path), *dot = strchr(base, '.');
	int fds[2], status, rc = -1;
	pid_t pid;

	if (strncmp(base, "libnss_", 7) != 0 || dot == NULL || pipe(fds) != 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		char sym[128], buf[1024];
		struct servent se;
		lookup_fn *fn;
		double t0, t1, t2;
		enum nss_status st;
		void *h;
		int err;

		snprintf(sym, sizeof(sym), "_nss_%.*s_getservbyname_r", (int)(dot - (base + 7)), base + 7);
		t0 = now_us();
		h = dlopen(path, RTLD_NOW);
		fn = h != NULL ? (lookup_fn *)dlsym(h, sym) : NULL;
		t1 = now_us();
		if (fn == NULL) {
			fprintf(stderr, "first-steps: %s: %s\n", path, dlerror());
			_exit(1);
		}
		st = fn("http", "tcp", &se, buf, sizeof(buf), &err);
		t2 = now_us();
		if (st != NSS_STATUS_SUCCESS) {
			fprintf(stderr, "first-steps: %s: http/tcp: status %d, %s\n", path, (int)st,
				strerror(err));
			_exit(1);
		}
		us[0] = t1 - t0;
		us[1] = t2 - t1;
		_exit(write(fds[1], us, 2 * sizeof(double)) == 2 * sizeof(double) ? 0 : 1);
	}
	close(fds[1]);
	if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0 && read(fds[0], us, 2 * sizeof(double)) == 2 * sizeof(double))
		rc = 0;
	close(fds[0]);
	return rc;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median and minimum of v[0..n), which it sorts. */
static void summary(const char *what, const char *module, double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), by_value);
	printf("%-10s %-24s %6.1f (min %.1f)\n", what, module,
	       n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2, v[0]);
}

int main(int argc, char **argv)
{
	volatile unsigned char sink = 0;
	const unsigned char *db;
	struct stat st;
	double t[6], *v;
	int fd, runs, nmod;

	if (argc < 2 || argc == 3) {
		fprintf(stderr, "usage: first-steps DATABASE [RUNS MODULE.so...]\n");
		return 1;
	}
	t[0] = now_us();
	fd = open(argv[1], O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	t[1] = now_us();
	if (fd < 0 || fstat(fd, &st) != 0) {
		perror(argv[1]);
		return 1;
	}
	t[2] = now_us();
	/* As the module maps the first database of a process: the file alone. */
	db = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	t[3] = now_us();
	close(fd);
	t[4] = now_us();
	if (db == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	sink += db[0];
	t[5] = now_us();
	printf("open           %6.1f\n", t[1] - t[0]);
	printf("fstat          %6.1f\n", t[2] - t[1]);
	printf("mmap           %6.1f\n", t[3] - t[2]);
	printf("close          %6.1f\n", t[4] - t[3]);
	printf("header fault   %6.1f\n", t[5] - t[4]);
	/* Five more pages, 48 KiB apart: over the 242 KB of lookup data. */
	for (int i = 1; i <= 5 && (off_t)(i * 48 * 1024) < st.st_size; i++) {
		double t0 = now_us();

		sink += db[i * 48 * 1024];
		printf("fault +%3d KiB %6.1f\n", i * 48, now_us() - t0);
	}
	if (argc == 2)
		return sink == 0 ? 0 : 0;   /* the pages were read */

	/* The modules' first calls map the same file as the steps above. */
	if (setenv("NSS_IANA_DB", argv[1], 1) != 0) {
		perror("setenv");
		return 1;
	}
	runs = atoi(argv[2]);
	nmod = argc - 3;
	if (runs < 1 || runs > 10000) {
		fprintf(stderr, "first-steps: RUNS must be 1 to 10000\n");
		return 1;
	}
	v = calloc((size_t)runs * (size_t)nmod * 2, sizeof(*v));
	if (v == NULL)
		return 1;
	/* v[(m * 2 + half) * runs + i]: the modules take turns, run by run. */
	for (int i = 0; i < runs; i++) {
		for (int m = 0; m < nmod; m++) {
			double us[2];

			if (first_us(argv[3 + m], us) != 0) {
				fprintf(stderr, "first-steps: %s: no first lookup\n", argv[3 + m]);
				return 1;
			}
			v[(m * 2) * runs + i] = us[0];
			v[(m * 2 + 1) * runs + i] = us[1];
		}
	}
	for (int m = 0; m < nmod; m++) {
		summary("load", base_name(argv[3 + m]), v + (m * 2) * runs, runs);
		summary("first call", base_name(argv[3 + m]), v + (m * 2 + 1) * runs, runs);
	}
	free(v);
	return 0;
}
