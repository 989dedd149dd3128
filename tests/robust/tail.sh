#!/bin/bash
# tail: how the first database of a process is mapped (nss-iana.c,
# region_map()).  When the file's last page has 64 bytes or more after its
# end (TAIL_ZEROS), the file is mapped alone, with one mmap(); else into an
# anonymous reservation with the file mapped over its start.
#
# usage: tail.sh GENERATOR MODULE-DIR REGISTRY.xml WORKDIR [REPLACE MISSING.db]
#
# REGISTRY's first <description>Reserved</description> is padded until the
# compiled database is exactly a page minus 64 bytes, a page minus 63, and a
# whole page (a multiple of the page size).  For each, under strace:
# - `getent -s iana services` (every entry) prints what `GENERATOR dump`
#   does, line for line: both ways of mapping answer alike;
# - the database was mapped as said: with 64 bytes to spare, by one mmap()
#   of its descriptor with no address given; with 63 or none, by an
#   anonymous mmap() and then one of the file with MAP_FIXED.
#
# With REPLACE (tests/robust/replace.c) and MISSING.db, then also what
# becomes of a region mapped alone once it is free: `REPLACE reuse` with the
# database of 64 bytes to spare as the first, and the one with 63 as the
# longer (see replace.c): one 64 bytes shorter than the region must go into
# it, one 63 bytes shorter must not.
set -uo pipefail

if [ $# -ne 4 ] && [ $# -ne 6 ]; then
	echo "usage: $0 GENERATOR MODULE-DIR REGISTRY.xml WORKDIR [REPLACE MISSING.db]" >&2
	exit 2
fi
gen=$1 moddir=$2 registry=$3 work=$4
mkdir -p "$work" || exit 1
page=$(getconf PAGESIZE)
norm() { awk '!/^#/ && NF { $1 = $1; print }'; }
fail() { echo "FAIL: $*"; exit 1; }

# compile PAD OUT: REGISTRY with PAD bytes added to the first description.
compile() {
	local pad
	pad=$(head -c "$1" /dev/zero | tr '\0' x)
	sed "0,/<description>Reserved</s//<description>Reserved$pad</" "$registry" >"$work/reg.xml" &&
		"$gen" compile --quiet "$work/reg.xml" -o "$2"
}

compile 0 "$work/base.db" || fail "cannot compile $registry"
base=$(stat -c %s "$work/base.db")
pages=$(((base + 200) / page + 1))

for spare in 64 63 0; do
	want=$((pages * page - spare)) pad=$((want - base)) db=$work/spare-$spare.db size=0
	# The INFO section holds the description: its size moves the file's, byte for byte.
	for try in 1 2 3 4; do
		compile "$pad" "$db" || fail "cannot compile with $pad bytes of padding"
		size=$(stat -c %s "$db")
		[ "$size" -eq "$want" ] && break
		pad=$((pad + want - size))
	done
	[ "$size" -eq "$want" ] || fail "could not make a database of $want bytes (last: $size)"

	"$gen" dump "$db" | norm >"$work/dump" || fail "dump $db"
	NSS_IANA_DB=$db LD_LIBRARY_PATH=$moddir strace -f -e trace=openat,mmap -o "$work/strace" \
		getent -s iana services | norm >"$work/getent"
	cmp -s "$work/dump" "$work/getent" ||
		fail "$size bytes ($spare to spare): getent -s iana services differs from the dump: $(diff "$work/dump" "$work/getent" | head -5)"

	# The descriptor the module opened the database as, and the mmap()s after it.
	fd=$(awk -v db="$db" 'index($0, "openat(") && index($0, "\"" db "\"") { sub(/.*= /, ""); print; exit }' "$work/strace")
	[ -n "$fd" ] || fail "$size bytes: strace shows no openat() of $db"
	maps=$(awk -v db="$db" 'index($0, "\"" db "\"") { on = 1; next } on && /mmap\(/' "$work/strace")
	direct=$(printf '%s\n' "$maps" | grep -c "mmap(NULL, $size, PROT_READ, MAP_PRIVATE, $fd, 0)")
	fixed=$(printf '%s\n' "$maps" | grep -c "MAP_PRIVATE|MAP_FIXED, $fd, 0)")
	reserved=$(printf '%s\n' "$maps" | grep -c "MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)")
	if [ "$spare" -ge 64 ]; then
		[ "$direct" -eq 1 ] && [ "$fixed" -eq 0 ] ||
			fail "$size bytes ($spare to spare): expected the file mapped alone, once; mmap()s after its open: $maps"
		echo "ok:   $size bytes, $spare to spare in its last page: mapped alone, with one mmap(); getent matches the dump"
	else
		[ "$direct" -eq 0 ] && [ "$fixed" -eq 1 ] && [ "$reserved" -ge 1 ] ||
			fail "$size bytes ($spare to spare): expected a reservation, then the file with MAP_FIXED; mmap()s after its open: $maps"
		echo "ok:   $size bytes, $spare to spare in its last page: reservation, then the file over it; getent matches the dump"
	fi
done

if [ $# -eq 6 ]; then
	rm -rf "$work/reuse"
	LD_LIBRARY_PATH=$moddir "$5" reuse "$work/spare-64.db" "$6" "$work/reuse" "$work/spare-63.db" ||
		fail "a free region mapped alone was reused for what does not fit it, or not for what does"
fi
