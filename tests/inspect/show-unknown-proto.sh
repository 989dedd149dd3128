#!/bin/bash
# show on a record whose <protocol> is none of tcp, udp, sctp, dccp (the
# compiler skips it with a warning): its INFO record must not pass for a
# record without a protocol, i.e. show must not present it as tcp,udp, nor
# match it for NAME/tcp or PORT/udp.
#
# usage: show-unknown-proto.sh IANA-SERVICESDB INSPECT-DIR
set -euo pipefail

if [ $# -ne 2 ]; then
	echo "usage: $0 IANA-SERVICESDB INSPECT-DIR" >&2
	exit 2
fi
gen=$(realpath "$1")
dir=$(realpath "$2")
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"

"$gen" compile --quiet "$dir/registries/unknown-proto.xml" -o "$tmp/db"

rc=0
"$gen" show --db "$tmp/db" oddproto >"$tmp/out" || rc=$?
if grep -q 'tcp,udp' "$tmp/out"; then
	fail "show oddproto (protocol ddp) presents it as tcp,udp:"
	sed 's/^/      /' "$tmp/out"
else
	ok "show oddproto: not presented as tcp,udp"
fi
for q in oddproto/tcp oddproto/udp 20/tcp 20/udp; do
	rc=0
	"$gen" show --db "$tmp/db" "$q" >"$tmp/out" 2>&1 || rc=$?
	if [ "$rc" = 1 ] && ! grep -Eq '^oddproto +[0-9]' "$tmp/out"; then
		ok "show $q: no record (exit 1)"
	else
		fail "show $q: exit $rc, the ddp record matched:"
		sed 's/^/      /' "$tmp/out"
	fi
done
rc=0
"$gen" show --json --db "$tmp/db" oddproto >"$tmp/out" || rc=$?
if python3 -c '
import json, sys
r = json.load(sys.stdin)["records"]
assert all(x["protocol"] != ["tcp", "udp"] for x in r), r' <"$tmp/out"; then
	ok "show --json oddproto: protocol is not [tcp, udp]"
else
	fail "show --json oddproto: protocol reported as [\"tcp\", \"udp\"]"
fi

if [ "$failures" -ne 0 ]; then
	echo "$failures failure(s)"
	exit 1
fi
echo "all passed"
