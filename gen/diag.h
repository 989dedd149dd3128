/* Diagnostics in compiler form: "file:line: error: message". */
#ifndef IANA_DIAG_H
#define IANA_DIAG_H

#include <stddef.h>

extern const char *diag_program;
extern unsigned diag_errors;
extern unsigned diag_warnings;
extern int diag_quiet_warnings;
extern int diag_silent;          /* count, print nothing (fuzzing) */

/* line 0 means the message is about the whole file. */
void diag_error(const char *file, unsigned long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void diag_warning(const char *file, unsigned long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * A usage error: "PROGRAM: message" and a line pointing to --help, on
 * stderr.  Returns 2, the usage error's exit status.
 */
int diag_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * The usage error for what getopt_long() returned as c ('?' or ':'), for
 * command cmd whose options argv holds: the option unknown, or its argument
 * missing.  The callers' option strings start with ':' and opterr is 0, so
 * that this is the only message.  Returns 2.
 */
int diag_option_error(const char *cmd, char **argv, int c);

/* Report an out-of-memory condition and exit: nothing sensible is left to do. */
_Noreturn void diag_oom(void);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
