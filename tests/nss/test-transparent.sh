#!/bin/bash
# Unmodified programs use libnss_iana once nsswitch.conf says "services: iana".
#
# usage: test-transparent.sh MODULE-DIR DATABASE
#
# Inside a private mount namespace (unshare --mount) an nsswitch.conf whose
# services line is "services: iana" is bind-mounted over /etc/nsswitch.conf;
# the host's /etc is never written.  Then getent, python3's socket module and
# perl's getservbyname are asked.  Exit 77 (skipped) only when python3 or perl
# is absent.
set -uo pipefail

if [ $# -ne 2 ]; then
	echo "usage: $0 MODULE-DIR DATABASE" >&2
	exit 2
fi

if [ "${IANA_TRANSPARENT_INSIDE:-}" != 1 ]; then
	for p in python3 perl getent unshare mount; do
		if ! command -v "$p" >/dev/null; then
			if [ "$p" = python3 ] || [ "$p" = perl ]; then
				echo "SKIP: $p is not installed"
				exit 77
			fi
			echo "FAIL: $p is not installed"
			exit 1
		fi
	done
	if [ ! -f /etc/nsswitch.conf ]; then
		echo "FAIL: there is no /etc/nsswitch.conf to bind-mount over"
		exit 1
	fi
	before=$(sha256sum /etc/nsswitch.conf)
	rc=0
	# As root a mount namespace alone; otherwise a user namespace maps us to root in it.
	userns=()
	[ "$(id -u)" -eq 0 ] || userns=(--user --map-root-user)
	IANA_TRANSPARENT_INSIDE=1 unshare "${userns[@]}" --mount --propagation private "$0" "$@" || rc=$?
	after=$(sha256sum /etc/nsswitch.conf)
	if [ "$before" != "$after" ]; then
		echo "FAIL: the host's /etc/nsswitch.conf changed!"
		exit 1
	fi
	if [ "$rc" -eq 0 ]; then
		# Outside the namespace nothing changed: the host's configuration rules.
		if grep -q '^services:[[:space:]]*iana[[:space:]]*$' /etc/nsswitch.conf; then
			echo "note: the host's own nsswitch.conf already says services: iana"
		else
			echo "ok:   outside the namespace /etc/nsswitch.conf is the host's, unchanged"
		fi
	fi
	exit "$rc"
fi

# ---- inside the private mount namespace ----
moddir=$(realpath "$1")
db=$(realpath "$2")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if grep -q '^[[:space:]]*services:' /etc/nsswitch.conf; then
	sed 's/^[[:space:]]*services:.*/services: iana/' /etc/nsswitch.conf > "$tmp/nsswitch.conf"
else
	{ cat /etc/nsswitch.conf; echo 'services: iana'; } > "$tmp/nsswitch.conf"
fi
chmod 644 "$tmp/nsswitch.conf"
if ! mount --bind "$tmp/nsswitch.conf" /etc/nsswitch.conf; then
	echo "FAIL: cannot bind-mount over /etc/nsswitch.conf in the private namespace"
	exit 1
fi
line=$(grep '^[[:space:]]*services:' /etc/nsswitch.conf)
if [ "$line" != "services: iana" ]; then
	echo "FAIL: /etc/nsswitch.conf in the namespace says \"$line\""
	exit 1
fi
echo "ok:   in a private mount namespace /etc/nsswitch.conf says: $line"

export LD_LIBRARY_PATH=$moddir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export NSS_IANA_DB=$db

fail() { echo "FAIL: $*"; exit 1; }

# getent, without -s: the configured source.
out=$(getent services 6010/tcp | awk '{ $1 = $1; print }')
[ "$out" = "x11 6010/tcp" ] || fail "getent services 6010/tcp printed \"$out\", expected \"x11 6010/tcp\""
echo "ok:   getent services 6010/tcp -> $out"
out=$(getent services PostgreSQL/tcp | awk '{ $1 = $1; print }')
[ "$out" = "postgresql 5432/tcp" ] || fail "getent services PostgreSQL/tcp printed \"$out\""
echo "ok:   getent services PostgreSQL/tcp -> $out"

# python3's socket module.
out=$(python3 -c 'import socket; print(socket.getservbyport(6010, "tcp"))' 2>&1) ||
	fail "python3 socket.getservbyport(6010, \"tcp\") failed: $out"
[ "$out" = x11 ] || fail "python3 socket.getservbyport(6010, \"tcp\") = \"$out\", expected x11"
echo "ok:   python3 socket.getservbyport(6010, \"tcp\") -> $out"
out=$(python3 -c 'import socket; print(socket.getservbyname("PostgreSQL", "tcp"))' 2>&1) ||
	fail "python3 socket.getservbyname(\"PostgreSQL\", \"tcp\") failed: $out"
[ "$out" = 5432 ] || fail "python3 socket.getservbyname(\"PostgreSQL\", \"tcp\") = \"$out\", expected 5432"
echo "ok:   python3 socket.getservbyname(\"PostgreSQL\", \"tcp\") -> $out"

# perl's getservbyname: (name, aliases, port, proto).
out=$(perl -e 'my @s = getservbyname("www", "tcp") or die "not found\n"; print join("|", @s), "\n"' 2>&1) ||
	fail "perl getservbyname(\"www\", \"tcp\") failed: $out"
[ "$out" = "http|www www-http|80|tcp" ] ||
	fail "perl getservbyname(\"www\", \"tcp\") = \"$out\", expected \"http|www www-http|80|tcp\""
echo "ok:   perl getservbyname(\"www\", \"tcp\") -> name http, port 80 ($out)"

# Control: the answers came from NSS_IANA_DB; without it nothing is found.
rc=0
out=$(NSS_IANA_DB=$tmp/no-such.db getent services 6010/tcp) || rc=$?
[ "$rc" -eq 2 ] && [ -z "$out" ] ||
	fail "with NSS_IANA_DB missing, getent services 6010/tcp exited $rc printing \"$out\""
out=$(NSS_IANA_DB=$tmp/no-such.db python3 -c '
import socket
try:
    print(socket.getservbyport(6010, "tcp"))
except OSError:
    print("OSError")' 2>&1)
[ "$out" = OSError ] || fail "with NSS_IANA_DB missing, python3 getservbyport(6010) gave \"$out\""
echo "ok:   control: with NSS_IANA_DB pointing at no file, getent exits 2 and python3 raises OSError"
echo "PASS"
