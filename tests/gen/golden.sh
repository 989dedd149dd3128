#!/bin/bash
# Golden tests of the generator: compile each small registry in registries/,
# dump the database and compare with the hand-checked NAME.dump beside it.
#
# usage: golden.sh IANA-SERVICESDB REGISTRIES-DIR
#
# For each registries/NAME.xml:
#   - `compile NAME.xml -o DB` exits 0;
#   - stderr holds exactly the warnings listed in NAME.warnings (one expected
#     substring a line, e.g. `NAME.xml:54: warning: service name "x"`), in
#     that order, and nothing else; with no NAME.warnings, stderr is empty;
#   - `compile --quiet` prints nothing and writes the same bytes;
#   - a second compile writes byte-identical output;
#   - `check DB` exits 0 and prints nothing;
#   - `dump DB` equals NAME.dump exactly;
#   - `info DB` reports as many lines as the dump has services(5) lines.
set -euo pipefail

if [ $# -ne 2 ]; then
	echo "usage: $0 IANA-SERVICESDB REGISTRIES-DIR" >&2
	exit 2
fi
gen=$(realpath "$1")
dir=$2

# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"

cd "$dir"
shopt -s nullglob
regs=(*.xml)
if [ ${#regs[@]} -eq 0 ]; then
	echo "FAIL: no registries in $dir"
	exit 1
fi

for xml in "${regs[@]}"; do
	name=${xml%.xml}
	golden=$name.dump
	echo "== $xml"
	if [ ! -f "$golden" ]; then
		fail "$xml: no golden $golden"
		continue
	fi
	db=$tmp/$name.db

	# The file name is given as a bare NAME.xml so messages read NAME.xml:LINE:.
	if ! "$gen" compile "$xml" -o "$db" 2>"$tmp/err"; then
		fail "$xml: compile exited non-zero:"
		sed 's/^/      /' "$tmp/err"
		continue
	fi
	ok "$xml: compile exits 0"

	# Warnings: exactly the expected ones, in order.
	if [ -f "$name.warnings" ]; then
		mapfile -t want < "$name.warnings"
	else
		want=()
	fi
	mapfile -t got < "$tmp/err"
	if [ ${#got[@]} -ne ${#want[@]} ]; then
		fail "$xml: expected ${#want[@]} line(s) on stderr, got ${#got[@]}:"
		sed 's/^/      /' "$tmp/err"
	fi
	for i in "${!want[@]}"; do
		w=${want[$i]}
		if [ "$i" -lt ${#got[@]} ] && [[ ${got[$i]} == *"$w"* ]]; then
			ok "$xml: stderr line $((i + 1)) holds '$w'"
		else
			fail "$xml: stderr line $((i + 1)) lacks '$w' (got: '${got[$i]:-<none>}')"
		fi
	done

	# --quiet silences warnings and changes nothing else.
	if "$gen" compile --quiet "$xml" -o "$db.quiet" 2>"$tmp/err.quiet"; then
		if [ -s "$tmp/err.quiet" ]; then
			fail "$xml: compile --quiet printed:"
			sed 's/^/      /' "$tmp/err.quiet"
		else
			ok "$xml: compile --quiet prints nothing"
		fi
		if cmp -s "$db" "$db.quiet"; then
			ok "$xml: compile --quiet writes the same bytes"
		else
			fail "$xml: compile --quiet writes different bytes"
		fi
	else
		fail "$xml: compile --quiet exited non-zero"
	fi

	# Reproducible output.
	if "$gen" compile --quiet "$xml" -o "$db.again" 2>/dev/null && cmp "$db" "$db.again"; then
		ok "$xml: two compiles are byte-identical"
	else
		fail "$xml: two compiles differ"
	fi

	if "$gen" check "$db" >"$tmp/check" 2>&1 && [ ! -s "$tmp/check" ]; then
		ok "$xml: check passes"
	else
		fail "$xml: check fails:"
		sed 's/^/      /' "$tmp/check"
	fi

	if ! "$gen" dump "$db" >"$tmp/dump" 2>"$tmp/dump.err"; then
		fail "$xml: dump exited non-zero:"
		sed 's/^/      /' "$tmp/dump.err"
		continue
	fi
	if [ -s "$tmp/dump.err" ]; then
		fail "$xml: dump printed on stderr:"
		sed 's/^/      /' "$tmp/dump.err"
	fi
	if diff -u "$golden" "$tmp/dump"; then
		ok "$xml: dump matches $golden"
	else
		fail "$xml: dump differs from $golden (diff above: - golden, + actual)"
	fi

	lines=$(grep -vc '^#' "$tmp/dump" || true)
	info_lines=$("$gen" info "$db" | sed -n 's/^lines: //p')
	if [ "$lines" = "$info_lines" ]; then
		ok "$xml: info reports $info_lines lines, as the dump has"
	else
		fail "$xml: info reports '$info_lines' lines, the dump has $lines"
	fi
done

if [ $failures -ne 0 ]; then
	echo "$failures check(s) failed"
	exit 1
fi
echo "all golden checks passed"
