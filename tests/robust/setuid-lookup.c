/*
 * setuid-lookup: one lookup through the module's own entry point, for
 * tests/robust/setuid.sh, which runs it setuid root as nobody.
 *
 * usage: setuid-lookup MODULE.so NAME PROTO TEST.db secure|plain found PORT|ignored
 *
 * LD_LIBRARY_PATH is ignored in a setuid program, so the module is dlopen()ed
 * by absolute path and _nss_iana_getservbyname_r is called directly.
 *
 *   secure|plain  what the kernel must have made of the run: AT_SECURE set
 *                 (setuid/setgid in effect), or not; anything else fails, as
 *                 the test would then prove nothing.
 *   found PORT    NAME/PROTO must be found at PORT (NSS_IANA_DB = TEST.db
 *                 honoured), and TEST.db must be what is mapped;
 *   ignored       NAME/PROTO must not be found, TEST.db must not be mapped,
 *                 and the answer must be the default database's: UNAVAIL
 *                 with ENOENT when it does not exist, else NOTFOUND with the
 *                 default database mapped.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <netdb.h>
#include <nss.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "config.h"

static const char *status_name(enum nss_status s)
{
	switch (s) {
	case NSS_STATUS_SUCCESS: return "SUCCESS";
	case NSS_STATUS_NOTFOUND: return "NOTFOUND";
	case NSS_STATUS_UNAVAIL: return "UNAVAIL";
	case NSS_STATUS_TRYAGAIN: return "TRYAGAIN";
	case NSS_STATUS_RETURN: return "RETURN";
	default: return "?";
	}
}

/* Is a file mapped whose path is exactly path? */
static int mapped(const char *path)
{
	char line[4352];
	int found = 0;
	FILE *f = fopen("/proc/self/maps", "r");

	if (f == NULL) {
		printf("FAIL: /proc/self/maps: %s\n", strerror(errno));
		exit(1);
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *p = strchr(line, '/');

		line[strcspn(line, "\n")] = '\0';
		if (p != NULL && strcmp(p, path) == 0)
			found = 1;
	}
	fclose(f);
	return found;
}

int main(int argc, char **argv)
{
	nss_getservbyname_r *byname;
	char buf[1024];
	struct servent se;
	enum nss_status st;
	int err = 0, secure, want_secure, default_exists;
	const char *env;
	void *h;

	if (argc < 7 || (strcmp(argv[6], "found") == 0 && argc != 8)) {
		fprintf(stderr, "usage: %s MODULE NAME PROTO TEST.db secure|plain found PORT|ignored\n",
			argv[0]);
		return 2;
	}
	secure = (int)getauxval(AT_SECURE);
	want_secure = strcmp(argv[5], "secure") == 0;
	env = getenv("NSS_IANA_DB");
	printf("      uid %d euid %d gid %d egid %d, AT_SECURE %d, NSS_IANA_DB=%s\n", (int)getuid(),
	       (int)geteuid(), (int)getgid(), (int)getegid(), secure, env ? env : "(unset)");
	if (secure != want_secure) {
		printf("FAIL: AT_SECURE is %d, the run needs %d (is the file system mounted nosuid?)\n",
		       secure, want_secure);
		return 1;
	}
	if (env == NULL || strcmp(env, argv[4]) != 0) {
		printf("FAIL: NSS_IANA_DB is not %s in the environment: the test proves nothing\n",
		       argv[4]);
		return 1;
	}
	h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		printf("FAIL: dlopen %s: %s\n", argv[1], dlerror());
		return 1;
	}
	byname = (nss_getservbyname_r *)dlsym(h, "_nss_iana_getservbyname_r");
	if (byname == NULL) {
		printf("FAIL: dlsym _nss_iana_getservbyname_r: %s\n", dlerror());
		return 1;
	}
	st = byname(argv[2], argv[3], &se, buf, sizeof(buf), &err);
	if (st == NSS_STATUS_SUCCESS)
		printf("      _nss_iana_getservbyname_r(\"%s\", \"%s\") = SUCCESS: %s %d/%s\n", argv[2],
		       argv[3], se.s_name, ntohs((uint16_t)se.s_port), se.s_proto);
	else
		printf("      _nss_iana_getservbyname_r(\"%s\", \"%s\") = %s, *errnop = %d (%s)\n",
		       argv[2], argv[3], status_name(st), err, strerror(err));

	if (strcmp(argv[6], "found") == 0) {
		if (st != NSS_STATUS_SUCCESS || ntohs((uint16_t)se.s_port) != atoi(argv[7]) ||
		    strcmp(se.s_name, argv[2]) != 0) {
			printf("FAIL: NSS_IANA_DB=%s was not honoured: %s/%s not found at %s\n",
			       argv[4], argv[2], argv[3], argv[7]);
			return 1;
		}
		if (!mapped(argv[4])) {
			printf("FAIL: found, but %s is not mapped\n", argv[4]);
			return 1;
		}
		printf("ok:   NSS_IANA_DB honoured: %s/%s found in %s\n", argv[2], argv[3], argv[4]);
		return 0;
	}

	if (st == NSS_STATUS_SUCCESS) {
		printf("FAIL: NSS_IANA_DB was honoured in a %s program: %s/%s found\n",
		       want_secure ? "setuid/setgid" : "plain", argv[2], argv[3]);
		return 1;
	}
	if (mapped(argv[4])) {
		printf("FAIL: %s (NSS_IANA_DB) is mapped\n", argv[4]);
		return 1;
	}
	default_exists = access(IANA_DEFAULT_DB, F_OK) == 0;
	if (!default_exists && !(st == NSS_STATUS_UNAVAIL && err == ENOENT)) {
		printf("FAIL: the default database %s does not exist, yet the answer is not UNAVAIL/ENOENT\n",
		       IANA_DEFAULT_DB);
		return 1;
	}
	if (default_exists && !mapped(IANA_DEFAULT_DB)) {
		printf("FAIL: the default database %s exists but is not what is mapped\n",
		       IANA_DEFAULT_DB);
		return 1;
	}
	printf("ok:   NSS_IANA_DB ignored; the module used its default path %s (%s)\n",
	       IANA_DEFAULT_DB, default_exists ? "mapped" : "absent: UNAVAIL, ENOENT");
	return 0;
}
