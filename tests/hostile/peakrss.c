/*
 * peakrss: run a command and report its peak resident set size.
 *
 * usage: peakrss [-l MiB] OUTFILE COMMAND [ARG...]
 *
 * Runs COMMAND (found in PATH), waits for it and writes its peak RSS in KiB
 * (ru_maxrss from wait4, which covers the command and the children it waited
 * for) as one decimal line to OUTFILE.  The exit status is the command's, or
 * 128 + N when signal N ended it; 127 when it could not be started.
 *
 * -l MiB sets RLIMIT_AS for the command, a safety net so that a runaway
 * allocation fails instead of exhausting the machine (not for sanitized
 * builds, which reserve terabytes of address space).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	unsigned long limit_mib = 0;
	const char *outfile;
	struct rusage ru;
	int status, argi = 1;
	pid_t pid;
	FILE *out;

	if (argc > 2 && strcmp(argv[1], "-l") == 0) {
		char *end;

		limit_mib = strtoul(argv[2], &end, 10);
		if (*end != '\0' || limit_mib == 0) {
			fprintf(stderr, "peakrss: bad limit '%s'\n", argv[2]);
			return 2;
		}
		argi = 3;
	}
	if (argc - argi < 2) {
		fprintf(stderr, "usage: peakrss [-l MiB] OUTFILE COMMAND [ARG...]\n");
		return 2;
	}
	outfile = argv[argi++];

	pid = fork();
	if (pid < 0) {
		perror("peakrss: fork");
		return 127;
	}
	if (pid == 0) {
		if (limit_mib) {
			struct rlimit rl;

			rl.rlim_cur = rl.rlim_max = (rlim_t)limit_mib << 20;
			if (setrlimit(RLIMIT_AS, &rl) < 0) {
				perror("peakrss: setrlimit");
				_exit(127);
			}
		}
		execvp(argv[argi], argv + argi);
		fprintf(stderr, "peakrss: cannot run %s: %s\n", argv[argi], strerror(errno));
		_exit(127);
	}
	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno != EINTR) {
			perror("peakrss: wait4");
			return 127;
		}
	}
	out = fopen(outfile, "w");
	if (out == NULL || fprintf(out, "%ld\n", ru.ru_maxrss) < 0 || fclose(out) != 0) {
		fprintf(stderr, "peakrss: cannot write %s\n", outfile);
		return 127;
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
