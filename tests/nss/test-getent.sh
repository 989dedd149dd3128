#!/bin/bash
# libnss_iana through glibc's getent: getent -s iana services ...
#
# usage: test-getent.sh MODULE-DIR DATABASE DUMP
#   MODULE-DIR holds libnss_iana.so.2 (put on LD_LIBRARY_PATH); DATABASE is the
#   full database; DUMP its `iana-servicesdb dump`.
set -uo pipefail

if [ $# -ne 3 ]; then
	echo "usage: $0 MODULE-DIR DATABASE DUMP" >&2
	exit 2
fi
export LD_LIBRARY_PATH=$1${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export NSS_IANA_DB=$2
dump=$3

if [ ! -e "$1/libnss_iana.so.2" ]; then
	echo "FAIL: no libnss_iana.so.2 in $1"
	exit 1
fi

# Collapse runs of blanks, as getent pads with spaces and the dump with tabs.
norm() { awk '!/^#/ && NF { $1 = $1; print }'; }

# check KEY EXPECTED-LINE: exit 0 and exactly that line.
check() {
	local key=$1 want=$2 out rc=0
	out=$(getent -s iana services "$key") || rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "FAIL: getent -s iana services $key exited $rc (expected 0 and \"$want\")"
		exit 1
	fi
	out=$(printf '%s\n' "$out" | norm)
	if [ "$out" != "$want" ]; then
		echo "FAIL: getent -s iana services $key printed \"$out\", expected \"$want\""
		exit 1
	fi
	echo "ok:   getent -s iana services $key -> $out"
}

# check_miss KEY: exit 2 (not found) and no output.
check_miss() {
	local key=$1 out rc=0
	out=$(getent -s iana services "$key") || rc=$?
	if [ "$rc" -ne 2 ] || [ -n "$out" ]; then
		echo "FAIL: getent -s iana services $key exited $rc printing \"$out\"; expected exit 2, nothing"
		exit 1
	fi
	echo "ok:   getent -s iana services $key -> exit 2, no output"
}

check 6010/tcp "x11 6010/tcp"
check 6010 "x11 6010/tcp"
check www "http 80/tcp www www-http"
check www/tcp "http 80/tcp www www-http"
check 80/udp "http 80/udp www www-http"
check 3323/udp "active-net 3323/udp"
check active-net "active-net 3322/tcp"
check 9/dccp "discard 9/dccp"
check PostgreSQL/tcp "postgresql 5432/tcp"
check postgresql "postgresql 5432/tcp"
check X11/udp "x11 6000/udp"
check_miss no-such-service-x
check_miss http/TCP
check_miss 6010/TCP
check_miss 1023/tcp

# Several keys at once.
out=$(getent -s iana services x11 3323/udp | norm)
want=$'x11 6000/tcp\nactive-net 3323/udp'
if [ "$out" != "$want" ]; then
	echo "FAIL: getent -s iana services x11 3323/udp printed:"
	echo "$out"
	exit 1
fi
echo "ok:   getent -s iana services x11 3323/udp -> two lines"

# Enumeration: the dump, line for line.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rc=0
getent -s iana services > "$tmp/enum" || rc=$?
if [ "$rc" -ne 0 ]; then
	echo "FAIL: getent -s iana services (enumeration) exited $rc"
	exit 1
fi
norm < "$tmp/enum" > "$tmp/enum.norm"
norm < "$dump" > "$tmp/dump.norm"
if ! cmp -s "$tmp/enum.norm" "$tmp/dump.norm"; then
	echo "FAIL: getent -s iana services differs from the dump:"
	diff "$tmp/dump.norm" "$tmp/enum.norm" | head -20
	exit 1
fi
echo "ok:   getent -s iana services enumerates $(wc -l < "$tmp/enum.norm") lines, equal to the dump"

# The module answers from NSS_IANA_DB: with no database there, nothing.
rc=0
out=$(NSS_IANA_DB=$tmp/no-such.db getent -s iana services 6010/tcp) || rc=$?
if [ "$rc" -ne 2 ] || [ -n "$out" ]; then
	echo "FAIL: with NSS_IANA_DB missing, getent -s iana services 6010/tcp exited $rc printing \"$out\""
	exit 1
fi
echo "ok:   with NSS_IANA_DB pointing at no file, getent exits 2"
echo "PASS"
