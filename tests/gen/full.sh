#!/bin/bash
# The full IANA registry: compile, check, reproducibility, size, corruption,
# and glibc's own parser reading the dump (getent -s files services).
#
# usage: full.sh IANA-SERVICESDB REGISTRY.xml
#
# The getent part bind-mounts the dump over /etc/services inside a private
# mount namespace (unshare --mount); the host's /etc is never touched.  It
# needs root; without root it is skipped and the test exits 77 (skipped) once
# everything else has passed.
set -euo pipefail

if [ $# -ne 2 ]; then
	echo "usage: $0 IANA-SERVICESDB REGISTRY.xml" >&2
	exit 2
fi
gen=$(realpath "$1")
registry=$2

# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"

db=$tmp/services.db
echo "== compile $registry"
if ! "$gen" compile "$registry" -o "$db"; then
	echo "FAIL: compiling the full registry failed"
	exit 1
fi
ok "compile exits 0"

if "$gen" check "$db"; then
	ok "check passes"
else
	fail "check fails on the freshly compiled database"
fi

"$gen" compile --quiet "$registry" -o "$tmp/again.db"
if cmp "$db" "$tmp/again.db"; then
	ok "two compiles are byte-identical"
else
	fail "two compiles differ"
fi

"$gen" info "$db" > "$tmp/info"
lookup=$(sed -n 's/^lookup data: \([0-9][0-9]*\)$/\1/p' "$tmp/info")
if [ -z "$lookup" ]; then
	fail "info prints no 'lookup data: N' line"
elif [ "$lookup" -le 262144 ]; then
	ok "lookup data is $lookup bytes <= 262144"
else
	fail "lookup data is $lookup bytes > 262144"
fi

# Corruption: one byte flipped in the middle, and a truncated copy.
size=$(stat -c %s "$db")
mid=$((size / 2))
cp "$db" "$tmp/flipped.db"
byte=$(od -An -tu1 -j "$mid" -N1 "$db" | tr -d ' ')
printf "$(printf '\\%03o' $((byte ^ 0xff)))" |
	dd of="$tmp/flipped.db" bs=1 seek="$mid" conv=notrunc status=none
if cmp -s "$db" "$tmp/flipped.db"; then
	fail "could not flip byte $mid"
fi
head -c $((size - size / 3)) "$db" > "$tmp/truncated.db"

for bad in flipped truncated; do
	rc=0
	"$gen" check "$tmp/$bad.db" >"$tmp/out" 2>"$tmp/err" || rc=$?
	nlines=$(wc -l < "$tmp/err")
	if [ $rc -eq 1 ] && [ "$nlines" -eq 1 ] && grep -q "^$tmp/$bad.db: ." "$tmp/err" &&
	   [ ! -s "$tmp/out" ]; then
		ok "check refuses the $bad copy (status 1): $(cat "$tmp/err")"
	else
		fail "check on the $bad copy: status $rc, $nlines line(s): $(cat "$tmp/out" "$tmp/err")"
	fi
done

# glibc's files backend reading the dump.
"$gen" dump "$db" > "$tmp/services"
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: getent over a bind-mounted /etc/services needs root"
	if [ $failures -ne 0 ]; then
		echo "$failures check(s) failed"
		exit 1
	fi
	exit 77
fi

# query<TAB>expected answer, white space squeezed to one space.
expect=$(printf '%s\n' \
	$'6010/tcp\tx11 6010/tcp' \
	$'www\thttp 80/tcp www www-http' \
	$'3323/udp\tactive-net 3323/udp' \
	$'9/dccp\tdiscard 9/dccp' \
	$'elpro_tunnel\telpro-tunnel 4370/tcp elpro_tunnel')
cut -f1 <<<"$expect" > "$tmp/queries"

# Each answer is printed as QUERY<TAB>STATUS<TAB>ANSWER.
cat > "$tmp/lookup.sh" <<'EOF'
set -eu
mount --bind "$1" /etc/services
while IFS= read -r q; do
	rc=0
	a=$(getent -s files services "$q") || rc=$?
	printf '%s\t%s\t%s\n' "$q" "$rc" "$(printf '%s' "$a" | tr -s ' \t' '  ')"
done < "$2"
EOF
if ! unshare --mount --propagation private sh "$tmp/lookup.sh" "$tmp/services" "$tmp/queries" \
	> "$tmp/answers" 2>"$tmp/unshare.err"; then
	fail "unshare/mount failed: $(cat "$tmp/unshare.err")"
fi
while IFS=$'\t' read -r q want; do
	line=$(awk -F '\t' -v q="$q" '$1 == q { print; exit }' "$tmp/answers")
	rc=$(cut -f2 <<<"$line")
	got=$(cut -f3 <<<"$line")
	if [ "$rc" = 0 ] && [ "$got" = "$want" ]; then
		ok "getent services $q -> $got"
	else
		fail "getent services $q: status '$rc', got '$got', expected '$want'"
	fi
done <<<"$expect"

# The host's /etc/services was not touched by the bind mount.
if [ -e /etc/services ] && cmp -s /etc/services "$tmp/services"; then
	fail "/etc/services outside the namespace is the dump: the bind mount leaked"
fi

if [ $failures -ne 0 ]; then
	echo "$failures check(s) failed"
	exit 1
fi
echo "all full-registry checks passed"
