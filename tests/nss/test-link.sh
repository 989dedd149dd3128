#!/bin/bash
# Like libvirt's nsslinktest: the module exports exactly the five services
# entry points and needs nothing but libc (and the dynamic loader).
#
# usage: test-link.sh MODULE.so
set -uo pipefail

# A sanitized build links its runtimes into the module, and they do not run
# in setuid programs: this is a test of the release build.
if [ -n "${IANA_SANITIZED:-}" ]; then
	echo "skipped: sanitized build"
	exit 77
fi

if [ $# -ne 1 ]; then
	echo "usage: $0 MODULE.so" >&2
	exit 2
fi
so=$1
fail() { echo "FAIL: $*"; exit 1; }

[ -f "$so" ] || fail "$so does not exist"

want=$(printf '%s\n' _nss_iana_endservent _nss_iana_getservbyname_r \
	_nss_iana_getservbyport_r _nss_iana_getservent_r _nss_iana_setservent)

# Every defined dynamic symbol, functions or not.
nm_out=$(nm -D --defined-only "$so") || fail "nm -D --defined-only $so failed"
got=$(printf '%s\n' "$nm_out" | awk 'NF { print $NF }' | sed 's/@.*//' | sort)
if [ "$got" != "$want" ]; then
	echo "FAIL: nm -D --defined-only $so lists:"
	printf '%s\n' "$nm_out"
	echo "expected exactly:"
	printf '%s\n' "$want"
	exit 1
fi
echo "ok:   nm -D --defined-only lists exactly the five _nss_iana_* entry points"
types=$(printf '%s\n' "$nm_out" | awk 'NF { print $(NF-1) }' | sort -u)
[ "$types" = T ] || fail "the exported symbols are not all functions (types: $types)"
echo "ok:   all five are functions (T)"

# NEEDED: libc alone.
needed=$(readelf -d "$so" | sed -n 's/.*(NEEDED).*\[\(.*\)\].*/\1/p' | sort)
[ "$needed" = libc.so.6 ] || fail "readelf -d NEEDED lists: $(echo $needed); expected libc.so.6 only"
echo "ok:   readelf -d: NEEDED is libc.so.6 only"

# ldd: libc, the loader and the vDSO, nothing else.
ldd_out=$(ldd "$so") || fail "ldd $so failed"
extra=$(printf '%s\n' "$ldd_out" | awk 'NF { print $1 }' |
	grep -v -e '^linux-vdso\.so' -e '^linux-gate\.so' -e '^libc\.so\.6$' -e 'ld-linux' -e '^/lib.*/ld-' || true)
if [ -n "$extra" ]; then
	echo "FAIL: ldd $so shows more than libc and the loader:"
	printf '%s\n' "$ldd_out"
	exit 1
fi
printf '%s\n' "$ldd_out" | grep -q 'libc\.so\.6' || fail "ldd does not show libc.so.6"
echo "ok:   ldd: only libc.so.6, the loader and the vDSO"

# Nothing undefined that libc does not provide (also what -Wl,--no-undefined checks).
undef=$(nm -D --undefined-only "$so" | awk '{ print $NF }' | grep -v '@GLIBC_' | grep -v -e '^__gmon_start__$' -e '^_ITM_' -e '^__cxa_finalize' || true)
[ -z "$undef" ] || fail "undefined symbols without a GLIBC version: $(echo $undef)"
echo "ok:   every undefined symbol is a versioned glibc one"
echo "PASS"
