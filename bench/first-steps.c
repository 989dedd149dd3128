/*
 * first-steps: what the steps of a first lookup cost on this machine, one
 * by one (issue 5: where the first lookup's time above the floor's goes).
 *
 * usage: first-steps DATABASE MODULE.so [FLOOR.so]
 *
 * Repeats, in this process, the system calls and page faults that
 * libnss_iana's first lookup makes after the module is loaded (open, fstat,
 * the bookkeeping's mmap, the region's two mmaps, close, the first write to
 * the bookkeeping, the header's page fault, then faults on five more pages
 * spread over the lookup data), timing each with CLOCK_MONOTONIC; then the
 * dlopen of MODULE (and of FLOOR), each in a fresh child process so that
 * neither is already loaded.  Prints one line per step, in microseconds.
 * Run it several times: a single run is at the machine's mercy.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

/* The time of dlopen(path) in a fresh child, in microseconds, or -1. */
static double dlopen_us(const char *path)
{
	int fds[2], status;
	double us = -1;
	pid_t pid;

	if (pipe(fds) != 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		double t0 = now_us();
		void *h = dlopen(path, RTLD_NOW);
		double t = now_us() - t0;

		_exit(h != NULL && write(fds[1], &t, sizeof(t)) == sizeof(t) ? 0 : 1);
	}
	close(fds[1]);
	if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0 && read(fds[0], &us, sizeof(us)) != sizeof(us))
		us = -1;
	close(fds[0]);
	return us;
}

int main(int argc, char **argv)
{
	volatile unsigned char sink = 0;
	const unsigned char *db;
	unsigned char *arena;
	struct stat st;
	double t[8];
	size_t len;
	int fd;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: first-steps DATABASE MODULE.so [FLOOR.so]\n");
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
	arena = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	t[3] = now_us();
	/* As the module: a reservation a page and a quarter longer, the file over its start. */
	len = ((size_t)st.st_size + 4095) / 4096 * 4096 + 4096;
	len = (len + len / 4 + 4095) / 4096 * 4096;
	db = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (db != MAP_FAILED)
		db = mmap((void *)db, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0);
	t[4] = now_us();
	close(fd);
	t[5] = now_us();
	if (arena == MAP_FAILED || db == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	arena[0] = 1;
	t[6] = now_us();
	sink += db[0];
	t[7] = now_us();
	printf("open           %6.1f\n", t[1] - t[0]);
	printf("fstat          %6.1f\n", t[2] - t[1]);
	printf("mmap arena     %6.1f\n", t[3] - t[2]);
	printf("mmap region    %6.1f\n", t[4] - t[3]);
	printf("close          %6.1f\n", t[5] - t[4]);
	printf("arena write    %6.1f\n", t[6] - t[5]);
	printf("header fault   %6.1f\n", t[7] - t[6]);
	/* Five more pages, 48 KiB apart: over the 242 KB of lookup data. */
	for (int i = 1; i <= 5 && (off_t)(i * 48 * 1024) < st.st_size; i++) {
		double t0 = now_us();

		sink += db[i * 48 * 1024];
		printf("fault +%3d KiB %6.1f\n", i * 48, now_us() - t0);
	}
	printf("dlopen module  %6.1f\n", dlopen_us(argv[2]));
	if (argc == 4)
		printf("dlopen floor   %6.1f\n", dlopen_us(argv[3]));
	return sink == 0 ? 0 : 0;   /* the pages were read */
}
