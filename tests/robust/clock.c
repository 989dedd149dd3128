/*
 * clock: the module answers whatever second time() says, 0 and -1
 * included (a clock stuck at the epoch, or before it).
 *
 * usage: clock SECOND DATABASE   (LD_LIBRARY_PATH = the module's directory)
 *
 * time() is defined here (linked with -rdynamic, so the module's calls bind
 * to it) and always says SECOND.  The module looks at its file when the
 * second differs from that of its last look; before the first look there
 * is none, and no second may be mistaken for it, or the module would never
 * look at its file while the clock says that second.  "http"/tcp must be
 * port 80, and stay so on a second lookup.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <netdb.h>
#include <nss.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "test-util.h"

static time_t second;

__attribute__((visibility("default"))) time_t time(time_t *t);

time_t time(time_t *t)
{
	if (t != NULL)
		*t = second;
	return second;
}

int main(int argc, char **argv)
{
	nss_getservbyname_r *by_name;
	char *end;

	if (argc != 3) {
		fprintf(stderr, "usage: clock SECOND DATABASE\n");
		return 2;
	}
	errno = 0;
	second = (time_t)strtoll(argv[1], &end, 10);
	if (errno != 0 || *end != '\0' || end == argv[1])
		fail("bad SECOND %s", argv[1]);
	by_name = (nss_getservbyname_r *)iana_module_sym(argv[2], "_nss_iana_getservbyname_r");
	for (int i = 1; i <= 2; i++) {
		struct servent se;
		char buf[1024];
		int err = 0;
		enum nss_status st = by_name("http", "tcp", &se, buf, sizeof(buf), &err);

		if (st != NSS_STATUS_SUCCESS)
			fail("time() = %s: lookup %d of http/tcp: status %d, errno %s", argv[1], i,
			     (int)st, strerror(err));
		if (ntohs((uint16_t)se.s_port) != 80)
			fail("time() = %s: http/tcp is port %d", argv[1], ntohs((uint16_t)se.s_port));
	}
	ok("with time() = %s, http/tcp is 80/tcp, twice", argv[1]);
	return 0;
}
