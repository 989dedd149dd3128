#!/bin/bash
# data/fetch-registry refuses to replace a registry by one that drops names
# (issue 7.5), using the history snapshots through --from (no network).
#
# usage: fetch.sh FETCH-REGISTRY IANA-SERVICESDB CURRENT-REGISTRY
#
# 2025-11-14 installed, then the current snapshot: refused (exit 1, the diff
# printed, pearldoc-xact named, the file untouched, no temporary left); with
# --allow-removals: replaced. Additions only (2026-05-11 -> current): replaced
# without the option. The generator is found by --generator, in PATH, or as
# build/gen/iana-servicesdb beside data/; a bad --generator or an old file
# that cannot be compared is refused.
set -euo pipefail

if [ $# -ne 3 ]; then
	echo "usage: $0 FETCH-REGISTRY IANA-SERVICESDB CURRENT-REGISTRY" >&2
	exit 2
fi
fetch=$(realpath "$1")
gen=$(realpath "$2")
current=$(realpath "$3")
h=$(dirname "$current")/history/service-names-port-numbers
if ! command -v xmllint >/dev/null; then
	echo "SKIP: xmllint not installed"
	exit 77
fi
for f in "$h-2025-11-14.xml" "$h-2026-05-11.xml"; do
	[ -f "$f" ] || { echo "FAIL: no snapshot $f"; exit 1; }
done

# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"

mkdir "$tmp/data"
target=$tmp/data/reg.xml

# run ARGS...: fetch-registry -o $target, output in $tmp/out and $tmp/err.
run() {
	rc=0
	"$fetch" -o "$target" "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
}
only_target() {
	local left
	left=$(cd "$tmp/data" && ls -A)
	[ "$left" = reg.xml ] || fail "$1: files left beside the target: $left"
}

run --from "$h-2025-11-14.xml" --generator "$gen"
if [ "$rc" = 0 ] && cmp -s "$target" "$h-2025-11-14.xml" && grep -q 'registry updated 2025-11-14' "$tmp/out"; then
	ok "2025-11-14 into an empty place: installed"
else
	fail "2025-11-14 into an empty place: exit $rc: $(cat "$tmp/err")"
fi

run --from "$current" --generator "$gen"
if [ "$rc" = 1 ] && cmp -s "$target" "$h-2025-11-14.xml"; then
	ok "current over 2025-11-14: refused (exit 1), the registry untouched"
else
	fail "current over 2025-11-14: exit $rc, target $(cmp -s "$target" "$h-2025-11-14.xml" && echo untouched || echo REPLACED)"
fi
if grep -qF 'pearldoc-xact -> panquest-xact' "$tmp/out" && grep -q 'Names no longer present (1)' "$tmp/out" &&
	grep -qF "Changes from $target to $current" "$tmp/out"; then
	ok "current over 2025-11-14: the diff is printed, naming the source, not a temporary file"
else
	fail "current over 2025-11-14: no diff on stdout:"
	sed 's/^/      /' "$tmp/out"
fi
if grep -q 'removes names' "$tmp/err" && grep -q -- '--allow-removals' "$tmp/err"; then
	ok "current over 2025-11-14: says why and how to override"
else
	fail "current over 2025-11-14: stderr: $(cat "$tmp/err")"
fi
only_target "refused"

run --from "$current" --generator "$gen" --allow-removals
if [ "$rc" = 0 ] && cmp -s "$target" "$current" && grep -qF 'pearldoc-xact -> panquest-xact' "$tmp/out" &&
	grep -q 'registry updated 2026-08-17' "$tmp/out"; then
	ok "current over 2025-11-14 with --allow-removals: replaced, diff printed"
else
	fail "--allow-removals: exit $rc: $(cat "$tmp/err")"
fi
only_target "--allow-removals"

run --from "$current" --generator "$gen"
if [ "$rc" = 0 ] && cmp -s "$target" "$current" &&
	grep -q '^Summary: 0 added, 0 removed, 0 renamed, 0 moved, 0 alias changes, 0 description changes$' "$tmp/out"; then
	ok "the same registry again: exit 0, no changes"
else
	fail "the same registry again: exit $rc: $(cat "$tmp/out" "$tmp/err")"
fi

# Additions only: no option needed.
run --from "$h-2026-05-11.xml" --generator "$gen"
if [ "$rc" = 1 ] && cmp -s "$target" "$current"; then
	ok "2026-05-11 over current (drops the names added since): refused"
else
	fail "2026-05-11 over current: exit $rc"
fi
run --from "$h-2026-05-11.xml" --generator "$gen" --allow-removals
[ "$rc" = 0 ] && cmp -s "$target" "$h-2026-05-11.xml" || fail "2026-05-11 with --allow-removals: exit $rc"
run --from "$current" --generator "$gen"
if [ "$rc" = 0 ] && cmp -s "$target" "$current" && grep -q '^Added: ' "$tmp/out"; then
	ok "current over 2026-05-11 (only additions): replaced without --allow-removals"
else
	fail "current over 2026-05-11: exit $rc: $(cat "$tmp/err")"
fi
only_target "additions"

# The generator: a bad --generator; found in PATH; found beside data/.
cp "$h-2025-11-14.xml" "$target"
run --from "$current" --generator "$tmp/nonexistent"
if [ "$rc" = 1 ] && cmp -s "$target" "$h-2025-11-14.xml"; then
	ok "--generator that does not exist: exit 1, untouched"
else
	fail "--generator that does not exist: exit $rc"
fi
mkdir "$tmp/bin"
cat >"$tmp/bin/iana-servicesdb" <<WRAP
#!/bin/sh
echo "\$*" >>"$tmp/called"
exec "$gen" "\$@"
WRAP
chmod +x "$tmp/bin/iana-servicesdb"
rc=0
PATH=$tmp/bin:$PATH "$fetch" -o "$target" --from "$current" >"$tmp/out" 2>"$tmp/err" || rc=$?
if [ "$rc" = 1 ] && cmp -s "$target" "$h-2025-11-14.xml" && grep -q '^diff ' "$tmp/called"; then
	ok "iana-servicesdb from PATH: used, refused"
else
	fail "iana-servicesdb from PATH: exit $rc, called: $(cat "$tmp/called" 2>/dev/null)"
fi
rm -f "$tmp/called"
if ! command -v iana-servicesdb >/dev/null; then
	mkdir -p "$tmp/tree/data" "$tmp/tree/build/gen"
	cp "$fetch" "$tmp/tree/data/fetch-registry"
	cp "$tmp/bin/iana-servicesdb" "$tmp/tree/build/gen/iana-servicesdb"
	rc=0
	"$tmp/tree/data/fetch-registry" -o "$target" --from "$current" >"$tmp/out" 2>"$tmp/err" || rc=$?
	if [ "$rc" = 1 ] && cmp -s "$target" "$h-2025-11-14.xml" && grep -q '^diff ' "$tmp/called"; then
		ok "build/gen/iana-servicesdb of the tree: used, refused"
	else
		fail "build/gen/iana-servicesdb of the tree: exit $rc, called: $(cat "$tmp/called" 2>/dev/null)"
	fi
	rm -rf "$tmp/tree/build"
	rc=0
	"$tmp/tree/data/fetch-registry" -o "$target" --from "$current" >"$tmp/out" 2>"$tmp/err" || rc=$?
	if [ "$rc" = 1 ] && cmp -s "$target" "$h-2025-11-14.xml" && grep -q 'not found' "$tmp/err"; then
		ok "no generator anywhere: refused"
	else
		fail "no generator anywhere: exit $rc: $(cat "$tmp/err")"
	fi
else
	echo "note: iana-servicesdb is installed in PATH; the build/gen fallback is not tested"
fi

# An old file that cannot be compared: refused unless --allow-removals.
echo 'not a registry' >"$target"
run --from "$current" --generator "$gen"
if [ "$rc" = 1 ] && [ "$(cat "$target")" = 'not a registry' ]; then
	ok "an old file that is no registry: refused"
else
	fail "an old file that is no registry: exit $rc"
fi
run --from "$current" --generator "$gen" --allow-removals
if [ "$rc" = 0 ] && cmp -s "$target" "$current"; then
	ok "an old file that is no registry, --allow-removals: replaced"
else
	fail "an old file that is no registry, --allow-removals: exit $rc"
fi
only_target "uncomparable"

if [ "$failures" -ne 0 ]; then
	echo "$failures failure(s)"
	exit 1
fi
echo "all passed"
