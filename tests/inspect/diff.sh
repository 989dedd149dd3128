#!/bin/bash
# `iana-servicesdb diff`.
#
# usage: diff.sh IANA-SERVICESDB INSPECT-DIR small
#        diff.sh IANA-SERVICESDB INSPECT-DIR history CURRENT-REGISTRY
#
# small: parts 1 and 2; history: part 3.
#
# 1. registries/diff-old.xml -> diff-new.xml holds one change of every kind
#    (added, removed, renamed, moved, alias added, alias removed, description
#    changed; tcp and udp lines merged): the text report equals
#    golden/diff.txt, the --json report has the expected items and counts,
#    the exit status is 1 (names gone), and XML/XML, db/db, XML/db and db/XML
#    give the same report.
# 2. Only additions: exit 0; no change at all: exit 0 and zero counts; the
#    reverse direction lists the names of NEW as removed; unreadable input:
#    exit 2.
# 3. The history snapshots beside CURRENT-REGISTRY (history/...-2025-11-14.xml
#    and the others): the --json report equals what regmodel.py, written
#    independently from FORMAT.md with xml.etree, computes; 2025-11-14 ->
#    current renames pearldoc-xact to panquest-xact on 1980 and exits 1.
set -euo pipefail

if ! { [ $# -eq 3 ] && [ "$3" = small ]; } && ! { [ $# -eq 4 ] && [ "$3" = history ]; }; then
	echo "usage: $0 IANA-SERVICESDB INSPECT-DIR small|history CURRENT-REGISTRY" >&2
	exit 2
fi
gen=$(realpath "$1")
dir=$(realpath "$2")
part=$3
model=$dir/regmodel.py
reg=$dir/registries

# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"

# diff ARGS: stdout to $tmp/out, status to $rc.
run_diff() {
	rc=0
	"$gen" diff "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
}

"$gen" compile --quiet "$reg/diff-old.xml" -o "$tmp/old.db"
"$gen" compile --quiet "$reg/diff-new.xml" -o "$tmp/new.db"

if [ "$part" = small ]; then
# 1. Every kind of change.
run_diff "$reg/diff-old.xml" "$reg/diff-new.xml"
if [ "$rc" = 1 ]; then ok "diff old new: exit 1 (names removed)"; else fail "diff old new: exit $rc, expected 1"; fi
if [ "$(head -n 1 "$tmp/out")" = "Changes from $reg/diff-old.xml to $reg/diff-new.xml" ]; then
	ok "diff old new: header names both files"
else
	fail "diff old new: header is \"$(head -n 1 "$tmp/out")\""
fi
tail -n +2 "$tmp/out" >"$tmp/text-xml-xml"
if cmp -s "$tmp/text-xml-xml" "$dir/golden/diff.txt"; then
	ok "diff old new: text equals golden/diff.txt"
else
	fail "diff old new: text differs from golden/diff.txt:"
	diff -u "$dir/golden/diff.txt" "$tmp/text-xml-xml" | sed 's/^/      /' || true
fi

run_diff --json "$reg/diff-old.xml" "$reg/diff-new.xml"
cp "$tmp/out" "$tmp/json-xml-xml"
if [ "$rc" = 1 ] && python3 -m json.tool "$tmp/out" >/dev/null; then
	ok "diff --json old new: valid JSON, exit 1"
else
	fail "diff --json old new: exit $rc or not valid JSON"
fi
if python3 - "$tmp/json-xml-xml" "$reg/diff-old.xml" "$reg/diff-new.xml" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
bad = 0
def check(what, cond):
    global bad
    print(('ok:   ' if cond else 'FAIL: ') + what)
    bad += not cond
def item(name, port, protocols, old, new):
    return {'name': name, 'port': port, 'protocols': protocols, 'old': old, 'new': new}
check('json: old and new paths', j['old'] == sys.argv[2] and j['new'] == sys.argv[3])
check('json: added fresh 1600 tcp,udp', j['added'] == [item('fresh', '1600', 'tcp,udp', '', 'fresh')])
check('json: removed gone 1001 tcp,udp', j['removed'] == [item('gone', '1001', 'tcp,udp', 'gone', '')])
check('json: renamed oldname -> newname 1002 tcp,udp', j['renamed'] == [item('oldname', '1002', 'tcp,udp', 'oldname', 'newname')])
check('json: moved mover 1003 -> 1503 tcp', j['moved'] == [item('mover', '', 'tcp', '1003', '1503')])
check('json: alias added and alias removed', j['aliases'] == [item('aliased', '1004', 'tcp', '', 'aliased-x'),
                                                            item('unaliased', '1005', 'tcp', 'unaliased-y', '')])
check('json: description changed 1006 tcp,udp', j['descriptions'] == [item('descr', '1006', 'tcp,udp', 'Old Description', 'New Description')])
check('json: names_removed', j['names_removed'] == ['gone', 'oldname', 'unaliased-y'])
want = {'added': 1, 'removed': 1, 'renamed': 1, 'moved': 1, 'aliases': 2, 'descriptions': 1, 'names_removed': 3}
check('json: counts %s' % j['counts'], j['counts'] == want)
check('json: counts equal list lengths', all(j['counts'][k] == len(j[k]) for k in want))
sys.exit(1 if bad else 0)
PY
then :; else failures=$((failures + 1)); fi
if python3 "$model" compare "$reg/diff-old.xml" "$reg/diff-new.xml" "$tmp/json-xml-xml" 1; then
	ok "diff --json old new: agrees with regmodel.py"
else
	fail "diff --json old new: disagrees with regmodel.py"
fi

# The same report whatever each side is (headers and paths aside).
for pair in "old.db new.db" "diff-old.xml new.db" "old.db diff-new.xml"; do
	set -- $pair
	a=$tmp/$1 b=$tmp/$2
	[ -f "$a" ] || a=$reg/$1
	[ -f "$b" ] || b=$reg/$2
	run_diff "$a" "$b"
	rc_text=$rc
	tail -n +2 "$tmp/out" >"$tmp/text"
	run_diff --json "$a" "$b"
	if [ "$rc_text" = 1 ] && [ "$rc" = 1 ] && cmp -s "$tmp/text" "$tmp/text-xml-xml" &&
		python3 -c '
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
for j in (a, b):
    del j["old"], j["new"]
sys.exit(a != b)' "$tmp/out" "$tmp/json-xml-xml"; then
		ok "diff $1 $2: same text and JSON report as XML vs XML, exit 1"
	else
		fail "diff $1 $2: exit $rc_text/$rc, or a report other than XML vs XML:"
		diff -u "$tmp/text-xml-xml" "$tmp/text" | sed 's/^/      /' || true
	fi
done

# 2. Only additions; nothing; the reverse; errors.
sed 's|</registry>|  <record>\n    <name>extra</name>\n    <protocol>udp</protocol>\n    <description>One More</description>\n    <number>1700</number>\n  </record>\n</registry>|' \
	"$reg/diff-old.xml" >"$tmp/plus.xml"
grep -q '<name>extra</name>' "$tmp/plus.xml"
run_diff --json "$reg/diff-old.xml" "$tmp/plus.xml"
if [ "$rc" = 0 ] && python3 -c '
import json, sys
j = json.load(sys.stdin)
assert j["added"] == [{"name": "extra", "port": "1700", "protocols": "udp", "old": "", "new": "extra"}], j["added"]
assert j["counts"] == {"added": 1, "removed": 0, "renamed": 0, "moved": 0, "aliases": 0, "descriptions": 0, "names_removed": 0}, j["counts"]
assert j["names_removed"] == []' <"$tmp/out"; then
	ok "diff with only an addition: exit 0, one added"
else
	fail "diff with only an addition: exit $rc or wrong report: $(cat "$tmp/out")"
fi
run_diff "$reg/diff-old.xml" "$tmp/plus.xml"
if [ "$rc" = 0 ] && grep -qx '  extra            1700/udp' "$tmp/out" &&
	grep -qx 'Summary: 1 added, 0 removed, 0 renamed, 0 moved, 0 alias changes, 0 description changes' "$tmp/out" &&
	! grep -q 'no longer present' "$tmp/out"; then
	ok "diff with only an addition (text): exit 0"
else
	fail "diff with only an addition (text): exit $rc:"
	sed 's/^/      /' "$tmp/out"
fi
run_diff --json "$reg/diff-old.xml" "$tmp/old.db"
if [ "$rc" = 0 ] && python3 -c '
import json, sys
j = json.load(sys.stdin)
assert all(v == 0 for v in j["counts"].values()), j["counts"]' <"$tmp/out"; then
	ok "diff of a registry and its own database: exit 0, nothing changed"
else
	fail "diff of a registry and its own database: exit $rc: $(cat "$tmp/out")"
fi
run_diff --json "$reg/diff-new.xml" "$reg/diff-old.xml"
if [ "$rc" = 1 ] && python3 -c '
import json, sys
j = json.load(sys.stdin)
assert sorted(j["names_removed"]) == ["aliased-x", "fresh", "newname"], j["names_removed"]
assert j["renamed"][0]["old"] == "newname" and j["renamed"][0]["new"] == "oldname", j["renamed"]
assert j["moved"][0]["old"] == "1503" and j["moved"][0]["new"] == "1003", j["moved"]' <"$tmp/out"; then
	ok "diff new old: exit 1, the reverse changes"
else
	fail "diff new old: exit $rc: $(cat "$tmp/out")"
fi
printf 'not xml\n' >"$tmp/bad.xml"
for args in "$reg/diff-old.xml $tmp/missing.xml" "$tmp/bad.xml $reg/diff-old.xml" "$reg/diff-old.xml"; do
	# shellcheck disable=SC2086
	run_diff $args
	if [ "$rc" = 2 ]; then ok "diff ${args//$tmp\//}: exit 2"; else fail "diff $args: exit $rc, expected 2"; fi
done

fi

if [ "$part" = history ]; then
# 3. Real history, against the independent model.
current=$(realpath "$4")
h=$(dirname "$current")/history/service-names-port-numbers
if [ ! -f "$h-2025-11-14.xml" ]; then
	echo "FAIL: no history snapshot $h-2025-11-14.xml"
	exit 1
fi
run_diff --json "$h-2025-11-14.xml" "$current"
cp "$tmp/out" "$tmp/hist.json"
if [ "$rc" = 1 ]; then ok "diff 2025-11-14 current: exit 1"; else fail "diff 2025-11-14 current: exit $rc, expected 1"; fi
if python3 "$model" compare "$h-2025-11-14.xml" "$current" "$tmp/hist.json" "$rc"; then
	ok "diff 2025-11-14 current: the report is exactly what regmodel.py computes"
else
	fail "diff 2025-11-14 current: report and regmodel.py disagree"
fi
if python3 -c '
import json, sys
j = json.load(sys.stdin)
r = [x for x in j["renamed"] if x["port"] == "1980"]
assert r == [{"name": "pearldoc-xact", "port": "1980", "protocols": "tcp,udp", "old": "pearldoc-xact", "new": "panquest-xact"}], r
assert "pearldoc-xact" in j["names_removed"], j["names_removed"]
assert not any(x["name"] in ("pearldoc-xact", "panquest-xact") for x in j["added"] + j["removed"])' <"$tmp/hist.json"; then
	ok "diff 2025-11-14 current: 1980 pearldoc-xact -> panquest-xact is a rename, pearldoc-xact removed"
else
	fail "diff 2025-11-14 current: the 1980 rename"
fi
# The same through compiled databases.
"$gen" compile --quiet "$h-2025-11-14.xml" -o "$tmp/h1.db"
"$gen" compile --quiet "$current" -o "$tmp/cur.db"
run_diff --json "$tmp/h1.db" "$tmp/cur.db"
if [ "$rc" = 1 ] && python3 -c '
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
for j in (a, b):
    del j["old"], j["new"]
sys.exit(a != b)' "$tmp/out" "$tmp/hist.json"; then
	ok "diff 2025-11-14 current, as databases: the same report"
else
	fail "diff 2025-11-14 current, as databases: exit $rc or another report"
fi
# Every other pair of snapshots, both ways: one python3 run reads each once.
snaps=("$h-2025-11-14.xml" "$h-2026-03-27.xml" "$h-2026-05-11.xml" "$current")
: >"$tmp/batch"
n=0
for ((i = 0; i < ${#snaps[@]}; i++)); do
	for ((k = 0; k < ${#snaps[@]}; k++)); do
		[ $i != $k ] && [ -f "${snaps[i]}" ] && [ -f "${snaps[k]}" ] || continue
		n=$((n + 1))
		run_diff --json "${snaps[i]}" "${snaps[k]}"
		cp "$tmp/out" "$tmp/pair$n.json"
		echo "${snaps[i]} ${snaps[k]} $tmp/pair$n.json $rc" >>"$tmp/batch"
	done
done
if python3 "$model" compare-batch "$tmp/batch" >"$tmp/cmp"; then
	ok "$n ordered pairs of snapshots: every report and exit status agrees with regmodel.py"
else
	fail "pairs of snapshots: reports and regmodel.py disagree:"
	sed 's/^/      /' "$tmp/cmp"
fi
fi

if [ "$failures" -ne 0 ]; then
	echo "$failures failure(s)"
	exit 1
fi
echo "all passed"
