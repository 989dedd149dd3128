/*
 * The services entry points of a bench module, named _nss_M_* for
 * -DBENCH_MODULE=M (bench/meson.build passes the module's name), declared
 * with glibc's own types and exported.
 */
#ifndef BENCH_MODULE_H
#define BENCH_MODULE_H

#include <nss.h>
#include <netdb.h>

#define EXPORT __attribute__((visibility("default")))
#define FN_NAME(m, f) _nss_##m##_##f
#define FN_EXPAND(m, f) FN_NAME(m, f)
#define FN(f) FN_EXPAND(BENCH_MODULE, f)

EXPORT nss_getservbyname_r FN(getservbyname_r);
EXPORT nss_getservbyport_r FN(getservbyport_r);
EXPORT nss_setservent FN(setservent);
EXPORT nss_getservent_r FN(getservent_r);
EXPORT nss_endservent FN(endservent);

#endif
