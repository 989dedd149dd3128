#!/bin/bash
# `iana-servicesdb compile --overlay FILE` (FORMAT.md, "Overlays").
#
# usage: overlay.sh IANA-SERVICESDB NSS-BUILD-DIR INSPECT-DIR FULL-REGISTRY
#
# 1. The full registry with `postgres 5432/tcp`: dump shows postgres as an
#    alias of postgresql on 5432/tcp only; getent through the module
#    (LD_LIBRARY_PATH=NSS-BUILD-DIR NSS_IANA_DB=DB getent -s iana services
#    postgres) answers postgresql 5432/tcp; show marks the record local.
# 2. registries/show.xml with two overlay files: aliases onto registry
#    entries, new entries (after the registry's, in overlay order, with their
#    aliases), conflicts (warning FILE:LINE, the registry wins, the line's
#    other names kept), a name of the registry on another protocol (no
#    conflict), comments, an unknown protocol (warning, skipped); the whole
#    dump is checked; show marks overlay records local with their FILE:LINE.
# 3. Malformed overlay lines: exit 1, error FILE:LINE, the output untouched
#    (or not created).
set -euo pipefail

if [ $# -ne 4 ]; then
	echo "usage: $0 IANA-SERVICESDB NSS-BUILD-DIR INSPECT-DIR FULL-REGISTRY" >&2
	exit 2
fi
gen=$(realpath "$1")
nssdir=$(realpath "$2")
dir=$(realpath "$3")
full=$4

# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"

getent_iana() {
	LD_LIBRARY_PATH=$nssdir NSS_IANA_DB=$1 getent -s iana services "${@:2}"
}

# 1. postgres onto postgresql, in the full registry.
echo 'postgres 5432/tcp' >"$tmp/pg.overlay"
"$gen" compile --quiet "$full" -o "$tmp/plain.db"
if "$gen" compile "$full" -o "$tmp/pg.db" --overlay "$tmp/pg.overlay" 2>"$tmp/err" &&
	"$gen" check "$tmp/pg.db"; then
	ok "full + postgres overlay: compiles, check passes"
else
	fail "full + postgres overlay: compile or check failed: $(cat "$tmp/err")"
fi
"$gen" dump "$tmp/pg.db" >"$tmp/pg.dump"
"$gen" dump "$tmp/plain.db" >"$tmp/plain.dump"
if grep -qxP 'postgresql +5432/tcp\tpostgres' "$tmp/pg.dump" &&
	grep -qxP 'postgresql +5432/udp' "$tmp/pg.dump"; then
	ok "dump: postgres is an alias of postgresql on 5432/tcp, not udp"
else
	fail "dump: $(grep postgres "$tmp/pg.dump" || echo 'no postgres line')"
fi
# Nothing else changed: the same lines but for that one.
{ diff "$tmp/plain.dump" "$tmp/pg.dump" || true; } | grep '^[<>]' | sed 's/[[:space:]]\+/ /g' >"$tmp/d" || true
if [ "$(cat "$tmp/d")" = "$(printf '< postgresql 5432/tcp\n> postgresql 5432/tcp postgres')" ]; then
	ok "dump: no other line differs from the registry alone"
else
	fail "dump: other differences: $(cat "$tmp/d")"
fi
out=$(getent_iana "$tmp/pg.db" postgres) || true
if [ "$(echo "$out" | awk '{print $1, $2, $3}')" = "postgresql 5432/tcp postgres" ]; then
	ok "getent -s iana services postgres: $out"
else
	fail "getent -s iana services postgres: \"$out\""
fi
rc=0
out=$(getent_iana "$tmp/pg.db" postgres/udp) || rc=$?
if [ "$rc" = 2 ] && [ -z "$out" ]; then
	ok "getent -s iana services postgres/udp: not found (the overlay named tcp only)"
else
	fail "getent -s iana services postgres/udp: exit $rc, \"$out\""
fi
rc=0
"$gen" show --db "$tmp/pg.db" postgres >"$tmp/out" || rc=$?
if [ "$rc" = 0 ] && grep -qxF 'postgres  5432/tcp' "$tmp/out" && grep -qxF '  alias of:     postgresql' "$tmp/out" &&
	grep -qxF '  local:        yes (an overlay, not the IANA registry)' "$tmp/out" &&
	grep -qxF "  source:       $tmp/pg.overlay:1" "$tmp/out"; then
	ok "show postgres: alias of postgresql, local, source FILE:1"
else
	fail "show postgres: exit $rc:"
	sed 's/^/      /' "$tmp/out"
fi
rc=0
"$gen" show --db "$tmp/pg.db" postgresql >"$tmp/out" || rc=$?
if [ "$rc" = 0 ] && grep -qxF '  aliases:      postgres' "$tmp/out" && ! grep -q 'local:' "$tmp/out"; then
	ok "show postgresql: registry records (not local), alias postgres on tcp"
else
	fail "show postgresql: exit $rc:"
	sed 's/^/      /' "$tmp/out"
fi

# 2. Two overlays on a small registry.
cd "$tmp"
cat >one.overlay <<'OV'
# local names (this line and the blank one are ignored)

alpha-local 1100/tcp al1 al2	# aliases onto alpha 1100/tcp
mysvc   7000/tcp   mysvc-a mysvc-b
unauth 3001/udp
both 4500/udp extra-both
newudp 7000/udp
unauth 3002/tcp
rangesvc 2003/tcp
odd 7200/xyz
OV
cat >two.overlay <<'OV'
second 7100/sctp
alpha 1100/udp alpha-u
mysvc 7000/tcp mysvc-c
OV
rc=0
"$gen" compile "$dir/registries/show.xml" -o small.db --overlay one.overlay --overlay two.overlay 2>err || rc=$?
cat >want.err <<'ERR'
one.overlay:5: warning: conflict: the registry has unauth on 3000/udp, not 3001; the registry wins
one.overlay:6: warning: conflict: the registry has both on 4000/udp, not 4500; the registry wins
one.overlay:10: warning: unknown protocol "xyz"; line skipped
ERR
if [ "$rc" = 0 ] && cmp -s err want.err; then
	ok "two overlays: exit 0, exactly the conflict and protocol warnings, with FILE:LINE"
else
	fail "two overlays: exit $rc, stderr:"
	diff -u want.err err | sed 's/^/      /' || true
fi
"$gen" check small.db || fail "two overlays: check fails"
"$gen" dump small.db | grep -v '^#' | sed 's/[[:space:]]\+/ /g' >dump
# The registry's entries first, untouched but for the aliases; then the new
# ones in overlay order: extra-both (kept although both conflicted),
# unauth 3002/tcp (the registry has unauth on udp only), second.
cat >want.dump <<'DUMP'
alpha 1100/tcp alpha-alt alpha-local al1 al2
alpha 1100/udp alpha-u
rangesvc 2000/tcp
rangesvc 2001/tcp
rangesvc 2002/tcp
rangesvc 2003/tcp
rangesvc 2004/tcp
rangesvc 2005/tcp
rangesvc 2006/tcp
rangesvc 2007/tcp
rangesvc 2008/tcp
rangesvc 2009/tcp
unauth 3000/udp
both 4000/tcp
both 4000/udp
MixedCase 4100/tcp
casey 4200/tcp
CASEY 4201/udp
mysvc 7000/tcp mysvc-a mysvc-b mysvc-c
extra-both 4500/udp
newudp 7000/udp
unauth 3002/tcp
second 7100/sctp
DUMP
if cmp -s dump want.dump; then
	ok "two overlays: dump (aliases kept, new entries after the registry's, the registry wins conflicts)"
else
	fail "two overlays: dump differs:"
	diff -u want.dump dump | sed 's/^/      /' || true
fi
for q in mysvc-b/tcp al2/tcp extra-both/udp; do
	out=$(getent_iana "$tmp/small.db" "${q%/*}" "${q#*/}") || true
	case $q in
	mysvc-b/tcp) want='mysvc 7000/tcp mysvc-a mysvc-b mysvc-c' ;;
	al2/tcp) want='alpha 1100/tcp alpha-alt alpha-local al1 al2' ;;
	extra-both/udp) want='extra-both 4500/udp' ;;
	esac
	if [ "$(echo "$out" | sed 's/[[:space:]]\+/ /g')" = "$want" ]; then
		ok "getent -s iana services $q: $want"
	else
		fail "getent -s iana services $q: \"$out\", expected \"$want\""
	fi
done
for q in 3001/udp 4500/udp; do
	if out=$(getent_iana "$tmp/small.db" "$q"); then
		[ "${out%% *}" != unauth ] && [ "${out%% *}" != both ] ||
			fail "getent $q: the overlay won a conflict: $out"
	fi
done

rc=0
"$gen" show --json --db small.db mysvc >out || rc=$?
if [ "$rc" = 0 ] && python3 -c '
import json, sys
r = json.load(sys.stdin)["records"]
assert len(r) == 1, r
r = r[0]
assert r["local"] is True and r["source"] == "one.overlay:4", r
assert r["port"] == "7000" and r["protocol"] == "tcp", r
assert r["aliases"] == ["mysvc-a", "mysvc-b", "mysvc-c"] and r["alias_of"] is None, r' <out; then
	ok "show --json mysvc: local, source one.overlay:4, its aliases"
else
	fail "show --json mysvc: exit $rc: $(cat out)"
fi
rc=0
"$gen" show --json --db small.db mysvc-c >out || rc=$?
if [ "$rc" = 0 ] && python3 -c '
import json, sys
r = json.load(sys.stdin)["records"]
assert len(r) == 1 and r[0]["local"] is True and r[0]["source"] == "two.overlay:3" and r[0]["alias_of"] == "mysvc", r' <out; then
	ok "show --json mysvc-c: local alias of mysvc from two.overlay:3"
else
	fail "show --json mysvc-c: exit $rc: $(cat out)"
fi
rc=0
"$gen" show --json --db small.db alpha >out || rc=$?
if [ "$rc" = 0 ] && python3 -c '
import json, sys
r = json.load(sys.stdin)["records"]
assert [x["local"] for x in r] == [False, False], r
assert r[0]["aliases"] == ["alpha-alt", "alpha-local", "al1", "al2"] and r[1]["aliases"] == ["alpha-u"], r' <out; then
	ok "show --json alpha: registry records not local, overlay aliases listed"
else
	fail "show --json alpha: exit $rc: $(cat out)"
fi
rc=0
"$gen" show --db small.db 3001 >out || rc=$?
if ! grep -q '^unauth' out; then
	ok "show 3001: no unauth record (conflict lost)"
else
	fail "show 3001: the conflicting overlay line left a record:"
	sed 's/^/      /' out
fi
rc=0
"$gen" show --db small.db second >out || rc=$?
if [ "$rc" = 0 ] && grep -qxF 'second  7100/sctp' out && grep -qxF '  local:        yes (an overlay, not the IANA registry)' out &&
	grep -qxF '  source:       two.overlay:1' out; then
	ok "show second: local, from two.overlay:1"
else
	fail "show second: exit $rc:"
	sed 's/^/      /' out
fi

# 3. Malformed lines: an error naming FILE:LINE, nothing written.
"$gen" compile --quiet "$dir/registries/show.xml" -o keep.db
cp keep.db keep.orig
n=0
while IFS='|' read -r line pattern; do
	n=$((n + 1))
	printf 'fine 7300/tcp\n%s\nlater 7301/tcp\n' "$line" >bad$n.overlay
	rc=0
	"$gen" compile "$dir/registries/show.xml" -o keep.db --overlay bad$n.overlay 2>err || rc=$?
	if [ "$rc" = 1 ] && grep -q "^bad$n.overlay:2: error: .*$pattern" err && cmp -s keep.db keep.orig &&
		grep -q 'left unchanged' err; then
		ok "malformed \"$line\": exit 1, bad$n.overlay:2: error, output untouched"
	else
		fail "malformed \"$line\": exit $rc, output $(cmp -s keep.db keep.orig && echo untouched || echo CHANGED), stderr:"
		sed 's/^/      /' err
		cp keep.orig keep.db
	fi
	rc=0
	"$gen" compile --quiet "$dir/registries/show.xml" -o new$n.db --overlay bad$n.overlay 2>/dev/null || rc=$?
	if [ "$rc" = 1 ] && [ ! -e new$n.db ]; then
		ok "malformed \"$line\": no output created"
	else
		fail "malformed \"$line\": exit $rc, output $( [ -e new$n.db ] && echo created || echo absent)"
	fi
done <<'BAD'
lonely|expected NAME PORT/PROTOCOL
x 7000|expected NAME PORT/PROTOCOL
x 12x/tcp|not a port number
x 70000/tcp|above 65535
x 7000-7001/tcp|one port, not a range
x /tcp|not a port number
BAD
# Malformed in the second of two overlays: still nothing written.
rc=0
"$gen" compile "$dir/registries/show.xml" -o keep.db --overlay one.overlay --overlay bad1.overlay 2>err || rc=$?
if [ "$rc" = 1 ] && grep -q '^bad1.overlay:2: error' err && cmp -s keep.db keep.orig; then
	ok "malformed second overlay: exit 1, output untouched"
else
	fail "malformed second overlay: exit $rc: $(cat err)"
fi
rc=0
"$gen" compile "$dir/registries/show.xml" -o keep.db --overlay missing.overlay 2>err || rc=$?
if [ "$rc" = 1 ] && grep -q '^missing.overlay' err && cmp -s keep.db keep.orig; then
	ok "missing overlay file: exit 1, output untouched"
else
	fail "missing overlay file: exit $rc: $(cat err)"
fi

if [ "$failures" -ne 0 ]; then
	echo "$failures failure(s)"
	exit 1
fi
echo "all passed"
