#!/bin/bash
# Bad registries: each bad/NAME.xml must be refused.
#
# usage: bad.sh IANA-SERVICESDB BAD-DIR
#
# For each bad/NAME.xml, compiled as `compile [ARGS] NAME.xml -o OUT` where
# ARGS is the content of NAME.args if present:
#   - the exit status is 1 (failure, not usage error, not a crash);
#   - stderr holds `NAME.xml:LINE: error: ` (file name as given, a line
#     number) and every line of NAME.expect as a substring, and says the
#     output was left unchanged;
#   - an existing OUT holding sentinel bytes is byte-for-byte unchanged
#     (same content, same inode) and no OUT.XXXXXX temporary is left;
#   - when OUT does not exist beforehand, it is not created.
set -euo pipefail

if [ $# -ne 2 ]; then
	echo "usage: $0 IANA-SERVICESDB BAD-DIR" >&2
	exit 2
fi
gen=$(realpath "$1")
dir=$2

# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"

cd "$dir"
shopt -s nullglob
inputs=(*.xml)
if [ ${#inputs[@]} -eq 0 ]; then
	echo "FAIL: no bad inputs in $dir"
	exit 1
fi

printf 'sentinel: not a database\n\0\1\2\377' > "$tmp/sentinel"

for xml in "${inputs[@]}"; do
	name=${xml%.xml}
	echo "== $xml"
	if [ ! -f "$name.expect" ]; then
		fail "$xml: no $name.expect"
		continue
	fi
	args=()
	if [ -f "$name.args" ]; then
		read -r -a args < "$name.args"
	fi

	# 1. Over an existing file.
	out=$tmp/out-$name/services.db
	mkdir "$tmp/out-$name"
	cp "$tmp/sentinel" "$out"
	inode=$(stat -c %i "$out")
	rc=0
	"$gen" compile "${args[@]}" "$xml" -o "$out" >"$tmp/stdout" 2>"$tmp/stderr" || rc=$?
	if [ $rc -eq 1 ]; then
		ok "$xml: exit status 1"
	else
		fail "$xml: exit status $rc, expected 1"
	fi
	if [ -s "$tmp/stdout" ]; then
		fail "$xml: printed on stdout:"
		sed 's/^/      /' "$tmp/stdout"
	fi
	if grep -Eq "^$(printf '%s' "$xml" | sed 's/[.]/[.]/g'):[0-9]+: error: " "$tmp/stderr"; then
		ok "$xml: stderr has '$xml:LINE: error: '"
	else
		fail "$xml: stderr has no '$xml:LINE: error: ' line"
	fi
	while IFS= read -r want || [ -n "$want" ]; do
		[ -n "$want" ] || continue
		if grep -qF -- "$want" "$tmp/stderr"; then
			ok "$xml: stderr holds '$want'"
		else
			fail "$xml: stderr lacks '$want'"
		fi
	done < "$name.expect"
	if grep -qF "left unchanged" "$tmp/stderr"; then
		ok "$xml: stderr says the output is left unchanged"
	else
		fail "$xml: stderr does not say the output is left unchanged"
	fi
	echo "      stderr was:"
	sed 's/^/      | /' "$tmp/stderr"

	if cmp -s "$tmp/sentinel" "$out" && [ "$(stat -c %i "$out")" = "$inode" ]; then
		ok "$xml: existing output is unchanged"
	else
		fail "$xml: existing output was replaced or modified"
	fi
	left=$(find "$tmp/out-$name" -mindepth 1 ! -name services.db)
	if [ -z "$left" ]; then
		ok "$xml: no temporary file left beside the output"
	else
		fail "$xml: left behind: $left"
	fi

	# 2. With no output file beforehand.
	out=$tmp/new-$name/services.db
	mkdir "$tmp/new-$name"
	rc=0
	"$gen" compile "${args[@]}" "$xml" -o "$out" >/dev/null 2>&1 || rc=$?
	if [ $rc -ne 0 ] && [ -z "$(ls -A "$tmp/new-$name")" ]; then
		ok "$xml: fails (status $rc) and creates nothing when there is no output yet"
	else
		fail "$xml: status $rc; directory holds: $(ls -A "$tmp/new-$name" | tr '\n' ' ')"
	fi
done

# The strict-only failures must compile without --strict (with a warning):
# otherwise the bad input would fail for another reason than the one tested.
for argsfile in *.args; do
	name=${argsfile%.args}
	if grep -qx -- '--strict' "$argsfile"; then
		rc=0
		"$gen" compile "$name.xml" -o "$tmp/lax-$name.db" 2>"$tmp/stderr" || rc=$?
		if [ $rc -eq 0 ] && grep -q "^${name}[.]xml:[0-9]*: warning: " "$tmp/stderr"; then
			ok "$name.xml: compiles with a warning without --strict"
		else
			fail "$name.xml: without --strict: status $rc, stderr: $(cat "$tmp/stderr")"
		fi
	fi
done

if [ $failures -ne 0 ]; then
	echo "$failures check(s) failed"
	exit 1
fi
echo "all bad-input checks passed"
