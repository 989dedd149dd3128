/* Shared by the C test programs: fail (print and exit 1) and ok (print). */
#ifndef IANA_TEST_UTIL_H
#define IANA_TEST_UTIL_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

__attribute__((format(printf, 1, 2), noreturn, unused))
static void fail(const char *fmt, ...)
{
	va_list ap;

	fputs("FAIL: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	exit(1);
}

__attribute__((format(printf, 1, 2), unused))
static void ok(const char *fmt, ...)
{
	va_list ap;

	fputs("ok:   ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

#endif
