/* svc-query: ask the services database through one NSS service, for the
 * differential test (tests/nss/diff/diff.sh).
 *
 *   svc-query SERVICE < QUERIES
 *
 * SERVICE is the NSS service to use for the "services" database ("iana",
 * "files", ...), forced with __nss_configure_lookup.  QUERIES has one query
 * per line:
 *
 *   name NAME PROTO     getservbyname_r(NAME, PROTO)
 *   port NUMBER PROTO   getservbyport_r(htons(NUMBER), PROTO)
 *   enum                setservent(0); getservent_r until the end; endservent()
 *
 * PROTO "-" means NULL.  Each answer is printed as one normalized line,
 *
 *   NAME PORT/PROTO alias1 alias2 ...      (PORT in host order)
 *
 * or NOTFOUND; "enum" prints one such line per entry.  A function returning
 * an error other than ERANGE prints "ERROR <strerror>" (ERANGE makes the
 * buffer grow and the call be repeated).  A malformed query line prints
 * "BADQUERY" and makes the exit status 2.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern int __nss_configure_lookup(const char *, const char *);

static char *buf;
static size_t buflen = 4096;

static void grow(void)
{
    buflen *= 2;
    free(buf);
    buf = malloc(buflen);
    if (buf == NULL) {
        perror("svc-query: malloc");
        exit(3);
    }
}

static void print_servent(const struct servent *se)
{
    printf("%s %u/%s", se->s_name ? se->s_name : "(null)",
           (unsigned)ntohs((unsigned short)se->s_port),
           se->s_proto ? se->s_proto : "(null)");
    if (se->s_aliases != NULL)
        for (char **a = se->s_aliases; *a != NULL; a++)
            printf(" %s", *a);
    putchar('\n');
}

static void print_result(int rc, const struct servent *res)
{
    if (rc != 0)
        printf("ERROR %s\n", strerror(rc));
    else if (res == NULL)
        puts("NOTFOUND");
    else
        print_servent(res);
}

static void q_name(const char *name, const char *proto)
{
    struct servent se, *res;
    int rc;

    while ((rc = getservbyname_r(name, proto, &se, buf, buflen, &res)) == ERANGE)
        grow();
    print_result(rc, res);
}

static void q_port(int port, const char *proto)
{
    struct servent se, *res;
    int rc;

    while ((rc = getservbyport_r(htons((unsigned short)port), proto, &se, buf,
                                 buflen, &res)) == ERANGE)
        grow();
    print_result(rc, res);
}

static void q_enum(void)
{
    struct servent se, *res;
    int rc;

    setservent(0);
    for (;;) {
        rc = getservent_r(&se, buf, buflen, &res);
        if (rc == ERANGE) {
            grow();
            continue;
        }
        if (rc != 0 || res == NULL)
            break;
        print_servent(res);
    }
    endservent();
}

int main(int argc, char **argv)
{
    char line[8192];
    int status = 0;

    if (argc != 2) {
        fprintf(stderr, "usage: %s SERVICE < QUERIES\n", argv[0]);
        return 2;
    }
    if (__nss_configure_lookup("services", argv[1]) != 0) {
        fprintf(stderr, "svc-query: __nss_configure_lookup(services, %s) failed\n",
                argv[1]);
        return 2;
    }
    buf = malloc(buflen);
    if (buf == NULL) {
        perror("svc-query: malloc");
        return 3;
    }

    while (fgets(line, sizeof line, stdin) != NULL) {
        char kind[16], arg[4096], proto[256], extra[2];
        int n;

        line[strcspn(line, "\n")] = '\0';
        n = sscanf(line, "%15s %4095s %255s %1s", kind, arg, proto, extra);
        const char *p = (n == 3 && strcmp(proto, "-") != 0) ? proto : NULL;

        if (n == 1 && strcmp(kind, "enum") == 0) {
            q_enum();
        } else if (n == 3 && strcmp(kind, "name") == 0) {
            q_name(arg, p);
        } else if (n == 3 && strcmp(kind, "port") == 0) {
            char *end;
            errno = 0;
            long port = strtol(arg, &end, 10);
            if (errno != 0 || *end != '\0' || end == arg || port < 0 || port > 65535) {
                puts("BADQUERY");
                status = 2;
                continue;
            }
            q_port((int)port, p);
        } else {
            puts("BADQUERY");
            status = 2;
        }
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        perror("svc-query: stdout");
        return 3;
    }
    return status;
}
