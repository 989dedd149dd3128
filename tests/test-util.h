/*
 * Shared by the C test programs: fail (print and exit 1), ok (print), and
 * the module's entry points called directly (iana_module_sym).
 */
#ifndef IANA_TEST_UTIL_H
#define IANA_TEST_UTIL_H

#include <dlfcn.h>
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

/*
 * Entry point sym of libnss_iana.so.2 (found through LD_LIBRARY_PATH),
 * loaded at the first call with NSS_IANA_DB = db; fails the test when the
 * module or the symbol is missing.
 */
__attribute__((unused))
static void *iana_module_sym(const char *db, const char *sym)
{
	static void *lib;
	void *p;

	if (lib == NULL) {
		if (setenv("NSS_IANA_DB", db, 1) != 0)
			fail("setenv NSS_IANA_DB");
		if ((lib = dlopen("libnss_iana.so.2", RTLD_NOW)) == NULL)
			fail("dlopen libnss_iana.so.2: %s", dlerror());
	}
	if ((p = dlsym(lib, sym)) == NULL)
		fail("libnss_iana.so.2 has no %s", sym);
	return p;
}

#endif
