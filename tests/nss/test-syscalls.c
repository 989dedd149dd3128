/*
 * test-syscalls: lookups that cost no system call.
 *
 * usage: test-syscalls MODULE.so   (NSS_IANA_DB = the full database)
 *
 * Warms up with 1,000 lookups, waits until just after a second boundary
 * (the module looks at its file again only when time() moves to a new
 * second), does one lookup, writes the marker IANA-SYSCALL-MARK-BEGIN to
 * /dev/null, does 10,000 lookups of mixed kinds (by name, by port, case
 * fallback, hits, misses, ERANGE, enumeration), and writes the marker
 * IANA-SYSCALL-MARK-END.  Run under strace, test-syscalls.sh asserts that
 * nothing lies between the two markers.  Every answer is checked, so a
 * module that fails fast cannot pass.  Exit 0; 1 on a wrong answer; 3 when
 * the 10,000 lookups did not fit in the second (the script runs it again).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <nss.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MARK_BEGIN "IANA-SYSCALL-MARK-BEGIN"
#define MARK_END "IANA-SYSCALL-MARK-END"

static nss_getservbyname_r *f_byname;
static nss_getservbyport_r *f_byport;
static nss_setservent *f_setservent;
static nss_getservent_r *f_getservent;
static nss_endservent *f_endservent;

/* Wrong answers are counted, not printed, so that nothing is written meanwhile. */
static unsigned bad;
static int bad_step = -1;

static char buf[4096];

static void name_hit(int step, const char *name, const char *proto, const char *want, int port)
{
	struct servent r;
	int err = 0;

	if (f_byname(name, proto, &r, buf, sizeof(buf), &err) != NSS_STATUS_SUCCESS ||
	    strcmp(r.s_name, want) != 0 || r.s_port != htons((uint16_t)port)) {
		bad++;
		if (bad_step < 0)
			bad_step = step;
	}
}

static void port_hit(int step, int port, const char *proto, const char *want)
{
	struct servent r;
	int err = 0;

	if (f_byport(htons((uint16_t)port), proto, &r, buf, sizeof(buf), &err) != NSS_STATUS_SUCCESS ||
	    strcmp(r.s_name, want) != 0 || r.s_port != htons((uint16_t)port)) {
		bad++;
		if (bad_step < 0)
			bad_step = step;
	}
}

static void name_miss(int step, const char *name, const char *proto)
{
	struct servent r;
	int err = 0;

	if (f_byname(name, proto, &r, buf, sizeof(buf), &err) != NSS_STATUS_NOTFOUND) {
		bad++;
		if (bad_step < 0)
			bad_step = step;
	}
}

static void port_miss(int step, int port, const char *proto)
{
	struct servent r;
	int err = 0;

	if (f_byport(htons((uint16_t)port), proto, &r, buf, sizeof(buf), &err) != NSS_STATUS_NOTFOUND) {
		bad++;
		if (bad_step < 0)
			bad_step = step;
	}
}

static void short_buffer(int step)
{
	struct servent r;
	int err = 0;

	if (f_byname("www", "tcp", &r, buf + 1, 9, &err) != NSS_STATUS_TRYAGAIN || err != ERANGE) {
		bad++;
		if (bad_step < 0)
			bad_step = step;
	}
}

static void enumerate(int step)
{
	struct servent r;
	int err = 0;

	if (step % 3 == 0 && f_setservent(0) != NSS_STATUS_SUCCESS) {
		bad++;
		if (bad_step < 0)
			bad_step = step;
	}
	if (f_getservent(&r, buf, sizeof(buf), &err) != NSS_STATUS_SUCCESS) {
		bad++;
		if (bad_step < 0)
			bad_step = step;
	}
	if (step % 5 == 0)
		f_endservent();
}

static void one(int step)
{
	switch (step % 13) {
	case 0: name_hit(step, "http", "tcp", "http", 80); break;
	case 1: port_hit(step, 6010, "tcp", "x11"); break;
	case 2: name_miss(step, "no-such-svc", NULL); break;
	case 3: name_hit(step, "PostgreSQL", "tcp", "postgresql", 5432); break;
	case 4: port_miss(step, 1023, "tcp"); break;
	case 5: name_hit(step, "www", NULL, "http", 80); break;
	case 6: port_hit(step, 3323, "udp", "active-net"); break;
	case 7: name_miss(step, "http", "TCP"); break;
	case 8: port_hit(step, 9, NULL, "discard"); break;
	case 9: short_buffer(step); break;
	case 10: name_hit(step, "x11", NULL, "x11", 6000); break;
	case 11: port_miss(step, 80, "TCP"); break;
	case 12: enumerate(step); break;
	}
}

static void *sym(void *h, const char *name)
{
	void *p = dlsym(h, name);

	if (p == NULL) {
		fprintf(stderr, "FAIL: dlsym(%s): %s\n", name, dlerror());
		exit(1);
	}
	return p;
}

int main(int argc, char **argv)
{
	struct timespec now, wait;
	time_t second, after;
	void *h;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: %s MODULE.so\n", argv[0]);
		return 2;
	}
	h = dlopen(argv[1], RTLD_NOW);
	if (h == NULL) {
		fprintf(stderr, "FAIL: dlopen(%s): %s\n", argv[1], dlerror());
		return 1;
	}
	f_byname = (nss_getservbyname_r *)sym(h, "_nss_iana_getservbyname_r");
	f_byport = (nss_getservbyport_r *)sym(h, "_nss_iana_getservbyport_r");
	f_setservent = (nss_setservent *)sym(h, "_nss_iana_setservent");
	f_getservent = (nss_getservent_r *)sym(h, "_nss_iana_getservent_r");
	f_endservent = (nss_endservent *)sym(h, "_nss_iana_endservent");
	fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		perror("/dev/null");
		return 1;
	}

	/* Warm-up: the database is opened and mapped here. */
	for (int i = 0; i < 1000; i++)
		one(i);
	if (bad) {
		printf("FAIL: %u wrong answers in the warm-up, the first at step %d (kind %d)\n", bad,
		       bad_step, bad_step % 13);
		return 1;
	}
	printf("warm-up: 1000 lookups, all answers right\n");
	fflush(stdout);

	/* Sleep to 20 ms past the next second boundary. */
	clock_gettime(CLOCK_REALTIME, &now);
	wait.tv_sec = 0;
	wait.tv_nsec = 1000000000L - now.tv_nsec + 20000000L;
	if (wait.tv_nsec >= 1000000000L) {
		wait.tv_sec = 1;
		wait.tv_nsec -= 1000000000L;
	}
	nanosleep(&wait, NULL);
	one(0);       /* may look at the file: a new second */
	second = time(NULL);

	if (write(fd, MARK_BEGIN, strlen(MARK_BEGIN)) < 0)
		return 1;
	for (int i = 0; i < 10000; i++)
		one(i);
	if (write(fd, MARK_END, strlen(MARK_END)) < 0)
		return 1;

	after = time(NULL);
	if (bad) {
		printf("FAIL: %u wrong answers among the 10,000 lookups, the first at step %d (kind %d)\n",
		       bad, bad_step, bad_step % 13);
		return 1;
	}
	if (after != second) {
		printf("the 10,000 lookups crossed a second boundary (%ld -> %ld); try again\n",
		       (long)second, (long)after);
		return 3;
	}
	printf("10,000 lookups between the markers, all answers right, within second %ld\n",
	       (long)second);
	return 0;
}
