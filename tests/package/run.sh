#!/usr/bin/env bash
# Build the Debian packages, lint them, and install, use, upgrade and purge
# them in a clean Debian 12 (bookworm) root made by debootstrap.
#
# usage: sudo tests/package/run.sh
#
# Needs root (debootstrap, chroot, mount).  Installs what it needs from the
# Debian archive.  The build happens in a temporary copy of the work tree
# (tracked and untracked, not ignored files), so the repository stays clean;
# the registry is copied into that copy's data/ from data/ or from
# ../shared/registry.  The bookworm root is cached as a tarball in
# $IANA_PKG_CACHE (default /var/cache/libnss-iana-test) and reused; delete it
# to start from a fresh debootstrap.  The mirror is the one this machine's own
# apt sources name.  Nothing outside the temporary directory and the cache is
# changed: the host's /etc is only read.
#
# IANA_PKG_TREE=DIR packages DIR instead of this work tree; IANA_PKG_KEEP=1
# keeps the temporary directory (packages, logs, the root).
#
# Prints each check as "ok:" or "FAIL:" and ends with "N passed, N failed".
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
	echo "$0: must run as root (debootstrap, chroot, mount)" >&2
	exit 2
fi

repo=$(cd "$(dirname "$0")/../.." && pwd)
cache=${IANA_PKG_CACHE:-/var/cache/libnss-iana-test}
suite=bookworm
arch=$(dpkg --print-architecture)
# Preinstalled in the cached root: the packages' dependencies, so that the
# test installs them offline and the file lists compare exactly.
include=libxml2
tarball=$cache/$suite-minbase-$arch-$include.tar
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8

start=$SECONDS
passed=0
failed=0
ok() {
	echo "ok:   $*"
	passed=$((passed + 1))
}
fail() {
	echo "FAIL: $*"
	failed=$((failed + 1))
}
step() {
	echo
	echo "== $* ($((SECONDS - start)) s)"
}
die() {
	echo "FAIL: $*"
	failed=$((failed + 1))
	echo
	echo "$passed passed, $failed failed"
	exit 1
}

tmp=$(mktemp -d /tmp/libnss-iana-package.XXXXXX)
root=$tmp/root
cleanup() {
	local rc=$?
	if [ -n "${fake_nscd_pid:-}" ]; then
		kill "$fake_nscd_pid" 2>/dev/null || true
	fi
	# Unmount everything below the root, deepest first.
	if [ -d "$root" ]; then
		local m
		for m in $(findmnt -rn -o TARGET | grep -F "$root/" | sort -r); do
			umount "$m" 2>/dev/null || umount -l "$m" || true
		done
	fi
	if findmnt -rn -o TARGET | grep -qF "$tmp/"; then
		echo "warning: something is still mounted below $tmp; left in place" >&2
	elif [ -z "${IANA_PKG_KEEP:-}" ]; then
		rm -rf "$tmp"
	else
		echo "kept $tmp"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- tools -------------------------------------------------------------------
step "tools"
tools=(debhelper dh-nss devscripts lintian debootstrap fakeroot dpkg-dev
       debian-archive-keyring git)
missing=()
for p in "${tools[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "installing: ${missing[*]}"
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
ok "tools installed: ${tools[*]}"

# --- the source tree ---------------------------------------------------------
step "source tree"
src=$tmp/libnss-iana
mkdir "$src"
if [ -n "${IANA_PKG_TREE:-}" ]; then
	# Another tree to package (a clean export, say), used as it is.
	tar -C "$IANA_PKG_TREE" --exclude=./.git --exclude='./build*' --exclude=./obj-\* -cf - . | tar -C "$src" -xf -
elif git -C "$repo" rev-parse --git-dir >/dev/null 2>&1; then
	# Tracked and untracked files as they are in the work tree, less ignored
	# ones (build directories, the registry) and files deleted but not staged.
	(cd "$repo" && git ls-files -z --cached --others --exclude-standard \
		| xargs -0 -r sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh \
		| tar --null -T - -cf -) | tar -C "$src" -xf -
else
	tar -C "$repo" --exclude=./.git --exclude='./build*' -cf - . | tar -C "$src" -xf -
fi
registry=data/service-names-port-numbers.xml
if [ -f "$repo/$registry" ]; then
	cp "$repo/$registry" "$src/$registry"
	ok "registry: $registry"
elif [ -f "$repo/../shared/registry/service-names-port-numbers.xml" ]; then
	cp "$repo/../shared/registry/service-names-port-numbers.xml" "$src/$registry"
	ok "registry: ../shared/registry/service-names-port-numbers.xml (copied into the build tree)"
else
	die "no registry: run data/fetch-registry or put the snapshot in ../shared/registry"
fi

# --- build -------------------------------------------------------------------
step "build dependencies"
if ! (cd "$src" && dpkg-checkbuilddeps >/dev/null 2>&1); then
	apt-get update -qq
	(cd "$src" && apt-get build-dep -y -qq --no-install-recommends ./ >/dev/null)
fi
(cd "$src" && dpkg-checkbuilddeps) && ok "build dependencies satisfied" || die "build dependencies"

step "dpkg-buildpackage -us -uc -b"
if (cd "$src" && DEB_BUILD_OPTIONS="parallel=$(nproc)" dpkg-buildpackage -us -uc -b) \
	>"$tmp/build.log" 2>&1; then
	ok "dpkg-buildpackage -us -uc -b"
	grep -E '^ *[0-9]+/[0-9]+ .*(OK|FAIL|SKIP|EXPECTEDFAIL)' "$tmp/build.log" | sed 's/^/      /' || true
else
	tail -n 60 "$tmp/build.log"
	die "dpkg-buildpackage failed (log above)"
fi
changes=$(ls "$tmp"/libnss-iana_*.changes)
debs=("$tmp"/libnss-iana_*.deb "$tmp"/iana-services-data_*.deb "$tmp"/iana-servicesdb_*.deb)
for d in "${debs[@]}"; do
	[ -f "$d" ] || die "missing package $d"
	echo "  $(basename "$d"):"
	dpkg-deb -c "$d" | awk '{ print "      " $1, $3, $6, $7, $8 }'
done

# --- lintian -----------------------------------------------------------------
step "lintian"
lintian_rc=0
lintian --display-info --fail-on error,warning "$changes" >"$tmp/lintian.log" 2>&1 || lintian_rc=$?
sed 's/^/      /' "$tmp/lintian.log"
if [ "$lintian_rc" -eq 0 ] && ! grep -qE '^[EW]: ' "$tmp/lintian.log"; then
	ok "lintian: no errors, no warnings"
else
	fail "lintian reported errors or warnings (exit $lintian_rc)"
fi

# --- the bookworm root -------------------------------------------------------
step "bookworm root"
# The mirror that this machine's own apt sources use for Debian itself.
find_mirror() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk -v suite="$suite" '
			function flush() {
				if (uris != "" && types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " suite " ") &&
				    comps ~ /(^| )main( |$)/ && enabled !~ /^no$/) {
					split(uris, u, " "); print u[1]; found = 1; exit
				}
				uris = types = suites = comps = enabled = ""
			}
			/^[ \t]*#/ { next }
			/^[ \t]*$/ { flush(); next }
			tolower($1) == "types:" { $1 = ""; types = $0 }
			tolower($1) == "uris:" { $1 = ""; uris = $0 }
			tolower($1) == "suites:" { $1 = ""; suites = $0 }
			tolower($1) == "components:" { $1 = ""; comps = $0 }
			tolower($1) == "enabled:" { enabled = $2 }
			END { if (!found) flush() }' "$f" | sed 's/^ *//'
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		# deb [options] URI SUITE COMPONENT...
		sed -E 's/\[[^]]*\]//' "$f" | awk -v suite="$suite" \
			'$1 == "deb" && $3 == suite { for (i = 4; i <= NF; i++) if ($i == "main") { print $2; exit } }'
	done
}
if [ -f "$tarball" ]; then
	ok "cached root: $tarball"
else
	mirror=$(find_mirror | head -n 1)
	[ -n "$mirror" ] || die "no $suite main source in /etc/apt/sources.list{,.d}: cannot choose a debootstrap mirror"
	echo "debootstrap --variant=minbase --include=$include $suite from $mirror (not cached: $tarball)"
	t0=$SECONDS
	mkdir -p "$tmp/bootstrap"
	if ! debootstrap --variant=minbase --include="$include" "$suite" "$tmp/bootstrap" "$mirror" \
		>"$tmp/debootstrap.log" 2>&1; then
		tail -n 30 "$tmp/debootstrap.log"
		die "debootstrap failed"
	fi
	chroot "$tmp/bootstrap" apt-get clean
	mkdir -p "$cache"
	tar -C "$tmp/bootstrap" --numeric-owner -cf "$tarball.tmp" .
	mv "$tarball.tmp" "$tarball"
	rm -rf "$tmp/bootstrap"
	ok "debootstrap took $((SECONDS - t0)) s; cached as $tarball"
fi
mkdir "$root"
tar -C "$root" --numeric-owner -xf "$tarball"
mount -t proc proc "$root/proc"
ok "root unpacked at $root, /proc mounted"

in_root() { chroot "$root" "$@"; }

mkdir "$root/tmp/debs"
cp "${debs[@]}" "$root/tmp/debs/"
cp "$src/debian/tests/getent-services" "$root/tmp/getent-services"
chmod 755 "$root/tmp/getent-services"

# Dependencies of the packages not in the cached root (normally none).
need=()
for d in "${debs[@]}"; do
	deps=$(dpkg-deb -f "$d" Depends | tr ',' '\n' | sed -E 's/\|.*//; s/\(.*\)//; s/:any//; s/^ +//; s/ +$//')
	for p in $deps; do
		case $p in libnss-iana | iana-services-data | iana-servicesdb) continue ;; esac
		in_root dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
	done
done
if [ ${#need[@]} -gt 0 ]; then
	echo "installing dependencies in the root: ${need[*]}"
	cp /etc/resolv.conf "$root/etc/resolv.conf"
	in_root apt-get update -qq
	in_root apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
	in_root apt-get clean
fi

# What the root looks like before: the whole nsswitch.conf and every file,
# less dpkg's own database and the logs.
snapshot() {
	(cd "$root" && find . -xdev \
		\( -path ./proc -o -path ./tmp -o -path ./var/lib/dpkg -o -path ./var/log \
		   -o -path ./var/cache/debconf -o -path ./var/cache/apt \) -prune \
		-o -printf '%y %m %p\n') | sort
}
cp "$root/etc/nsswitch.conf" "$tmp/nsswitch.before"
snapshot >"$tmp/files.before"
orig_line=$(grep -E '^services:' "$tmp/nsswitch.before")
echo "services line before: $orig_line"

services_line() { grep -E '^services:' "$root/etc/nsswitch.conf" || true; }
iana_on_line() { services_line | grep -qE '[[:space:]]iana([[:space:]]|$)'; }

# --- install -----------------------------------------------------------------
step "install"
if in_root getent services 6010/tcp >/dev/null; then
	fail "before install, 6010/tcp is already known (stock /etc/services?)"
else
	ok "before install: getent services 6010/tcp finds nothing"
fi
if in_root sh -c 'dpkg -i /tmp/debs/*.deb' >"$tmp/dpkg.log" 2>&1; then
	ok "dpkg -i libnss-iana iana-services-data iana-servicesdb"
else
	cat "$tmp/dpkg.log"
	die "dpkg -i failed"
fi
line=$(services_line)
echo "services line after:  $line"
if [[ $line =~ [[:space:]]iana$ ]] && [ "${line% iana}" = "$orig_line" ]; then
	ok "the services line is the old one with \" iana\" appended"
else
	fail "services line after install: \"$line\" (before: \"$orig_line\")"
fi
if diff <(grep -vE '^services:' "$tmp/nsswitch.before") <(grep -vE '^services:' "$root/etc/nsswitch.conf") >/dev/null; then
	ok "the rest of nsswitch.conf is unchanged"
else
	fail "install changed other lines of nsswitch.conf"
fi
out=$(in_root getent services 6010/tcp || true)
if [ "$(echo "$out" | awk '{ print $1, $2 }')" = "x11 6010/tcp" ]; then
	ok "getent services 6010/tcp: $out"
else
	fail "getent services 6010/tcp gave \"$out\", expected x11 6010/tcp"
fi
out=$(in_root getent -s iana services PostgreSQL/tcp || true)
if [ "$(echo "$out" | awk '{ print $1, $2 }')" = "postgresql 5432/tcp" ]; then
	ok "getent -s iana services PostgreSQL/tcp (case folding): $out"
else
	fail "getent -s iana services PostgreSQL/tcp gave \"$out\""
fi
if in_root /tmp/getent-services >"$tmp/autopkgtest.log" 2>&1; then
	ok "debian/tests/getent-services (the autopkgtest) passes in the root"
else
	sed 's/^/      /' "$tmp/autopkgtest.log"
	fail "debian/tests/getent-services failed in the root"
fi
if in_root iana-servicesdb check; then
	ok "iana-servicesdb check (installed database)"
else
	fail "iana-servicesdb check of the installed database"
fi
if in_root sh -c 'command -v python3' >/dev/null 2>&1; then
	out=$(in_root python3 -c 'import socket; print(socket.getservbyport(6010, "tcp"))' 2>&1 || true)
	[ "$out" = x11 ] && ok "python3 socket.getservbyport(6010): $out" ||
		fail "python3 socket.getservbyport(6010) gave \"$out\""
else
	echo "skip: python3 is not in the root (minbase); getent covers the same glibc path"
fi

# --- upgrade and remove ------------------------------------------------------
step "upgrade and remove"
after_install=$(cat "$root/etc/nsswitch.conf")
in_root sh -c 'dpkg -i /tmp/debs/libnss-iana_*.deb' >"$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log"; die "reinstall"; }
[ "$(cat "$root/etc/nsswitch.conf")" = "$after_install" ] &&
	ok "upgrade (reinstall) of libnss-iana leaves nsswitch.conf as it was (iana not added twice)" ||
	fail "upgrade changed nsswitch.conf: $(services_line)"
in_root dpkg --remove libnss-iana >"$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log"; die "dpkg --remove libnss-iana"; }
cmp -s "$tmp/nsswitch.before" "$root/etc/nsswitch.conf" &&
	ok "dpkg --remove libnss-iana restores nsswitch.conf byte for byte" ||
	fail "after dpkg --remove: $(services_line)"
in_root sh -c 'dpkg -i /tmp/debs/libnss-iana_*.deb' >"$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log"; die "install after remove"; }
[ "$(cat "$root/etc/nsswitch.conf")" = "$after_install" ] &&
	ok "installing again after remove adds iana back" ||
	fail "install after remove: $(services_line)"

# --- purge -------------------------------------------------------------------
step "purge"
if in_root dpkg --purge libnss-iana iana-servicesdb iana-services-data >"$tmp/dpkg.log" 2>&1; then
	ok "dpkg --purge libnss-iana iana-servicesdb iana-services-data"
else
	cat "$tmp/dpkg.log"
	die "dpkg --purge failed"
fi
if cmp -s "$tmp/nsswitch.before" "$root/etc/nsswitch.conf"; then
	ok "nsswitch.conf is byte for byte the one before install"
else
	diff -u "$tmp/nsswitch.before" "$root/etc/nsswitch.conf" || true
	fail "nsswitch.conf differs from the one before install"
fi
snapshot >"$tmp/files.after"
if diff -u "$tmp/files.before" "$tmp/files.after" >"$tmp/files.diff"; then
	ok "no file left behind, none removed (file lists before install and after purge agree)"
else
	sed 's/^/      /' "$tmp/files.diff"
	fail "the file lists before install and after purge differ"
fi
if in_root getent services 6010/tcp >/dev/null; then
	fail "after purge, getent services 6010/tcp still answers"
else
	ok "after purge, getent services 6010/tcp finds nothing"
fi

# --- the administrator's choice survives upgrades; nscd ----------------------
step "admin edits, upgrade, nscd"
in_root sh -c 'dpkg -i /tmp/debs/*.deb' >"$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log"; die "install"; }
iana_on_line && ok "installed again after purge: iana is on the line" || fail "install after purge: $(services_line)"
# The administrator takes iana out of the line (in the test root).
sed -i -E '/^services:/ s/[[:space:]]+iana([[:space:]]|$)/\1/' "$root/etc/nsswitch.conf"
cp "$root/etc/nsswitch.conf" "$tmp/nsswitch.admin"
in_root sh -c 'dpkg -i /tmp/debs/libnss-iana_*.deb' >"$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log"; die "upgrade"; }
cmp -s "$tmp/nsswitch.admin" "$root/etc/nsswitch.conf" &&
	ok "upgrade after the administrator removed iana does not add it back" ||
	fail "upgrade re-added iana: $(services_line)"

# A stand-in nscd: a process named nscd for pidof, and an nscd command that
# records its arguments; upgrading the data package must invalidate services.
cat >"$root/usr/local/sbin/nscd" <<'EOF'
#!/bin/sh
echo "$*" >>/tmp/nscd.calls
EOF
chmod 755 "$root/usr/local/sbin/nscd"
(exec -a nscd sleep 300) &
fake_nscd_pid=$!
in_root sh -c 'dpkg -i /tmp/debs/iana-services-data_*.deb' >"$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log"; die "upgrade of iana-services-data"; }
if grep -qx -- '--invalidate=services' "$root/tmp/nscd.calls" 2>/dev/null; then
	ok "upgrade of iana-services-data with nscd running: nscd --invalidate=services"
else
	fail "upgrade of iana-services-data did not run nscd --invalidate=services"
fi
kill "$fake_nscd_pid" 2>/dev/null || true
wait "$fake_nscd_pid" 2>/dev/null || true
fake_nscd_pid=
rm -f "$root/usr/local/sbin/nscd" "$root/tmp/nscd.calls"
in_root sh -c 'dpkg -i /tmp/debs/iana-services-data_*.deb' >"$tmp/dpkg.log" 2>&1 &&
	[ ! -e "$root/tmp/nscd.calls" ] &&
	ok "upgrade of iana-services-data without nscd: nothing called, no error" ||
	fail "upgrade of iana-services-data without nscd"
in_root dpkg --purge libnss-iana iana-servicesdb iana-services-data >"$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log"; die "purge"; }
cmp -s "$tmp/nsswitch.admin" "$root/etc/nsswitch.conf" &&
	ok "purge keeps the administrator's services line" ||
	fail "purge changed the administrator's line: $(services_line)"

echo
echo "runtime: $((SECONDS - start)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
