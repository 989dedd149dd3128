#!/bin/bash
# show, diff and compile --overlay under valgrind memcheck: any invalid read
# or write, any use of an uninitialised value, any leak fails.
#
# usage: memcheck.sh IANA-SERVICESDB INSPECT-DIR
# Skipped (77) without valgrind or in a sanitized build.
set -euo pipefail

if [ $# -ne 2 ]; then
	echo "usage: $0 IANA-SERVICESDB INSPECT-DIR" >&2
	exit 2
fi
gen=$(realpath "$1")
dir=$(realpath "$2")
reg=$dir/registries
if ! command -v valgrind >/dev/null; then
	echo "SKIP: valgrind not installed"
	exit 77
fi
if [ -n "${IANA_SANITIZED:-}" ]; then
	echo "SKIP: sanitized build"
	exit 77
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

# vg WANT-STATUS ARGS...: run the generator under valgrind.
vg() {
	local want=$1 rc=0
	shift
	valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect,possible --log-file="$tmp/vg.log" \
		"$gen" "$@" >/dev/null 2>"$tmp/err" || rc=$?
	if [ "$rc" != "$want" ] || [ -s "$tmp/vg.log" ]; then
		echo "FAIL: iana-servicesdb $* (exit $rc, expected $want):"
		sed 's/^/      /' "$tmp/vg.log" "$tmp/err"
		failures=$((failures + 1))
	else
		echo "ok:   iana-servicesdb $*"
	fi
}

"$gen" compile --quiet "$reg/show.xml" -o "$tmp/show.db"
"$gen" compile --quiet "$reg/diff-old.xml" -o "$tmp/old.db"
for q in alpha alpha-alt 2005 3000 3050 50000 dnssdonly alpha/udp 1100/tcp Casey nosuch both/sctp; do
	want=0
	case $q in 3050|50000|nosuch|both/sctp) want=1 ;; esac
	vg $want show --db "$tmp/show.db" "$q"
	vg $want show --json --db "$tmp/show.db" "$q"
done
vg 2 show --db "$tmp/show.db" 70000
vg 1 diff "$reg/diff-old.xml" "$reg/diff-new.xml"
vg 1 diff --json "$tmp/old.db" "$reg/diff-new.xml"
vg 0 diff "$reg/diff-new.xml" "$reg/diff-new.xml"

cd "$tmp"
printf 'alpha-local 1100/tcp al1\nmysvc 7000/tcp a b\nunauth 3001/udp\nodd 7200/xyz\n' >good.overlay
vg 0 compile --quiet "$reg/show.xml" -o ov.db --overlay good.overlay
n=0
for line in 'lonely' 'x 7000' 'x 12x/tcp' 'x 70000/tcp' 'x 7000-7001/tcp' 'x /tcp'; do
	# The bad line first (nothing parsed before it), then after a good one.
	n=$((n + 1))
	printf '%s\n' "$line" >bad$n.overlay
	vg 1 compile "$reg/show.xml" -o bad.db --overlay bad$n.overlay
	n=$((n + 1))
	printf 'fine 7300/tcp\n%s\n' "$line" >bad$n.overlay
	vg 1 compile "$reg/show.xml" -o bad.db --overlay bad$n.overlay
done

if [ "$failures" -ne 0 ]; then
	echo "$failures failure(s)"
	exit 1
fi
echo "all passed"
