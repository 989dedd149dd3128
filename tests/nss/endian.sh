#!/bin/bash
# One database for every architecture (FORMAT.md): the reader and the fill,
# built for s390x (big-endian) and run under qemu-user, must answer exactly
# what the native (little-endian) build answers, for every entry, name and
# port of the full database.
#
# usage: endian.sh NSS-SOURCE-DIR DATABASE
# Skips (77) when s390x-linux-gnu-gcc or qemu-s390x is missing; .ci/run
# installs both (tests/install-deps).
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

if [ $# -ne 2 ]; then
	echo "usage: $0 NSS-SOURCE-DIR DATABASE" >&2
	exit 2
fi
src=$1 db=$2
probe=$(dirname "$0")/endian-probe.c
files=("$probe" "$src/db-reader.c" "$src/servent-fill.c" "$src/db-check.c" "$src/db-info.c")
cc=${CC:-cc}

for t in s390x-linux-gnu-gcc qemu-s390x; do
	if ! command -v "$t" >/dev/null; then
		echo "SKIP: $t is not installed (apt-get install gcc-s390x-linux-gnu qemu-user)"
		exit 77
	fi
done

"$cc" -std=gnu11 -O2 -Wall -Wextra -Werror -I"$src" -o "$tmp/native" "${files[@]}" ||
	{ echo "FAIL: native build"; exit 1; }
s390x-linux-gnu-gcc -std=gnu11 -O2 -Wall -Wextra -Werror -static -I"$src" -o "$tmp/s390x" \
	"${files[@]}" || { echo "FAIL: s390x build"; exit 1; }

"$tmp/native" "$db" >"$tmp/native.out" || fail "the native probe exited $?"
qemu-s390x "$tmp/s390x" "$db" >"$tmp/s390x.out" || fail "the s390x probe exited $?"

[ "$(sed -n 1p "$tmp/native.out")" = "byte order: little-endian" ] ||
	fail "native build: $(sed -n 1p "$tmp/native.out")"
[ "$(sed -n 1p "$tmp/s390x.out")" = "byte order: big-endian" ] ||
	fail "s390x build: $(sed -n 1p "$tmp/s390x.out")"
for out in native s390x; do
	grep -q '^check: ok' "$tmp/$out.out" || fail "$out: $(grep '^check:' "$tmp/$out.out")"
	grep -qx 'name http/tcp big: http 80/tcp www www-http' "$tmp/$out.out" ||
		fail "$out: no 'http 80/tcp www www-http' for http/tcp"
	grep -qx 'name www/- exact: http 80/tcp www www-http' "$tmp/$out.out" ||
		fail "$out: no 'http 80/tcp www www-http' for www with no protocol"
	grep -qx 'port 6010/tcp big: x11 6010/tcp' "$tmp/$out.out" ||
		fail "$out: no 'x11 6010/tcp' for port 6010/tcp"
	bad='^entry [0-9]+: |: status -?[0-9]+$'
	if grep -Eq "$bad" "$tmp/$out.out"; then
		fail "$out: $(grep -Ec "$bad" "$tmp/$out.out") lookups failed, e.g. $(grep -Em1 "$bad" "$tmp/$out.out")"
	fi
done
lines=$(wc -l <"$tmp/native.out")
if [ "$lines" -lt 50000 ]; then
	fail "native: only $lines lines"
fi
if ! diff <(tail -n +2 "$tmp/native.out") <(tail -n +2 "$tmp/s390x.out") >"$tmp/diff"; then
	fail "big-endian answers differ from little-endian ones ($(grep -c '^<' "$tmp/diff") lines), first:"
	head -6 "$tmp/diff"
else
	ok "$((lines - 1)) answers, byte for byte the same on s390x (big-endian) as natively"
fi
exit $((failures > 0))
