/* Diagnostics and checked allocation for the generator. */
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

__attribute__((format(printf, 4, 0)))
static void report(const char *file, unsigned long line, const char *kind,
		   const char *fmt, va_list ap)
{
	if (file != NULL && line > 0)
		fprintf(stderr, "%s:%lu: %s: ", file, line, kind);
	else if (file != NULL)
		fprintf(stderr, "%s: %s: ", file, kind);
	else
		fprintf(stderr, "%s: %s: ", diag_program, kind);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
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
