/* Diagnostics and checked allocation for the generator. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

const char *diag_program = "iana-servicesdb";
unsigned diag_errors;
unsigned diag_warnings;
int diag_quiet_warnings;
int diag_silent;

/*
 * Messages quote the input (names, numbers, libxml2's words about it): any
 * control character, DEL or non-ASCII byte in them is written as \xHH, so a
 * message is always one line that the input cannot end or forge.
 */
__attribute__((format(printf, 4, 0)))
static void report(const char *file, unsigned long line, const char *kind,
		   const char *fmt, va_list ap)
{
	char *msg;

	if (vasprintf(&msg, fmt, ap) < 0)
		diag_oom();
	if (file != NULL && line > 0)
		fprintf(stderr, "%s:%lu: %s: ", file, line, kind);
	else if (file != NULL)
		fprintf(stderr, "%s: %s: ", file, kind);
	else
		fprintf(stderr, "%s: %s: ", diag_program, kind);
	for (const unsigned char *p = (const unsigned char *)msg; *p; p++) {
		if (*p < 0x20 || *p >= 0x7f)
			fprintf(stderr, "\\x%02x", *p);
		else
			fputc(*p, stderr);
	}
	fputc('\n', stderr);
	free(msg);
}

int diag_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", diag_program);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", diag_program);
	return 2;
}

int diag_option_error(const char *cmd, char **argv, int c)
{
	/* A short option unknown within a cluster ("-qx") is named alone. */
	if (c == '?' && optopt != 0)
		return diag_usage("%s: unknown option '-%c'", cmd, optopt);
	if (c == '?')
		return diag_usage("%s: unknown option '%s'", cmd, argv[optind - 1]);
	return diag_usage("%s: option '%s' requires an argument", cmd, argv[optind - 1]);
}

void diag_error(const char *file, unsigned long line, const char *fmt, ...)
{
	va_list ap;

	diag_errors++;
	if (diag_silent)
		return;
	va_start(ap, fmt);
	report(file, line, "error", fmt, ap);
	va_end(ap);
}

void diag_warning(const char *file, unsigned long line, const char *fmt, ...)
{
	va_list ap;

	diag_warnings++;
	if (diag_quiet_warnings || diag_silent)
		return;
	va_start(ap, fmt);
	report(file, line, "warning", fmt, ap);
	va_end(ap);
}

void diag_oom(void)
{
	fprintf(stderr, "%s: error: out of memory\n", diag_program);
	exit(2);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		diag_oom();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		diag_oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		diag_oom();
	return p;
}

void *xreallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		diag_oom();
	return xrealloc(p, n * size);
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		diag_oom();
	return s;
}
