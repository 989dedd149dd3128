#!/bin/sh
# setuid: NSS_IANA_DB must be ignored by a setuid (or setgid) program.
#
# usage: setuid.sh SETUID-LOOKUP MODULE TEST.db FALLBACK-DIR
#
# SETUID-LOOKUP, the module and TEST.db (a database holding suid-probe/tcp
# 47991, which no other database has) are copied into a new directory under
# /tmp, or under FALLBACK-DIR (in the build tree) when /tmp is mounted
# nosuid.  Then, all with NSS_IANA_DB=TEST.db:
#   1. a plain copy run as nobody            -> found (NSS_IANA_DB honoured)
#   2. the setuid-root copy run by root      -> found (no privilege change)
#   3. the setuid-root copy run as nobody    -> NOT found: ignored, default path
#   4. a setgid-root copy run as nobody      -> NOT found: ignored, default path
# Needs root (chown, setpriv); exits 77 (skipped) otherwise.
set -u

# A sanitized build links its runtimes into the module, and they do not run
# in setuid programs: this is a test of the release build.
if [ -n "${IANA_SANITIZED:-}" ]; then
	echo "skipped: sanitized build"
	exit 77
fi

lookup=$1 module=$2 testdb=$3 fallback=$4
name=suid-probe proto=tcp port=47991

fail() { echo "FAIL: $*"; exit 1; }

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: needs root (chown root, chmod 4755, setpriv)"
	exit 77
fi
command -v setpriv >/dev/null || fail "setpriv (util-linux) is not installed"
id nobody >/dev/null 2>&1 || fail "there is no user nobody"
group=nogroup
getent group nogroup >/dev/null || group=$(id -gn nobody)

nosuid() {
	command -v findmnt >/dev/null || return 1
	findmnt -n -o OPTIONS -T "$1" | tr ',' '\n' | grep -qx nosuid
}
base=/tmp
if nosuid /tmp; then
	echo "note: /tmp is mounted nosuid; using $fallback"
	base=$fallback
	mkdir -p "$base" || fail "mkdir $base"
	nosuid "$base" && fail "$base is mounted nosuid too"
fi
dir=$(mktemp -d "$base/nss-iana-setuid.XXXXXX") || fail "mktemp -d in $base"
trap 'rm -rf "$dir"' EXIT
chmod 755 "$dir"
cp "$lookup" "$dir/lookup-plain" && cp "$lookup" "$dir/lookup-suid" &&
	cp "$lookup" "$dir/lookup-sgid" && cp "$module" "$dir/libnss_iana.so.2" &&
	cp "$testdb" "$dir/test.db" || fail "copying into $dir"
chown root:root "$dir"/* || fail chown
chmod 755 "$dir/lookup-plain" "$dir/libnss_iana.so.2"
chmod 644 "$dir/test.db"
chmod 4755 "$dir/lookup-suid"
chmod 2755 "$dir/lookup-sgid"
ls -l "$dir"

as_nobody() { setpriv --reuid=nobody --regid="$group" --clear-groups "$@"; }
run() {
	what=$1; shift
	echo "--- $what"
	NSS_IANA_DB=$dir/test.db "$@" || fail "$what"
}

# Without setuid in effect, NSS_IANA_DB is honoured ...
run "plain copy, as nobody" as_nobody "$dir/lookup-plain" "$dir/libnss_iana.so.2" \
	$name $proto "$dir/test.db" plain found $port
run "setuid-root copy, run by root" "$dir/lookup-suid" "$dir/libnss_iana.so.2" \
	$name $proto "$dir/test.db" plain found $port
# ... with it, it is not.
run "setuid-root copy, as nobody" as_nobody "$dir/lookup-suid" "$dir/libnss_iana.so.2" \
	$name $proto "$dir/test.db" secure ignored
run "setgid-root copy, as nobody" as_nobody "$dir/lookup-sgid" "$dir/libnss_iana.so.2" \
	$name $proto "$dir/test.db" secure ignored
echo "PASS: NSS_IANA_DB honoured without privilege change, ignored setuid and setgid"
