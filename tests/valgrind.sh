#!/usr/bin/env bash
# valgrind over real lookups and a full enumeration through getent and the
# module: any memory error or leak fails.  Usage: tests/valgrind.sh BUILD_DIR
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
export LD_LIBRARY_PATH=$build/nss NSS_IANA_DB=$build/data/services.db
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

run() {
	# The last line of getent's output, for the record; errors fail the test.
	valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect,possible \
		--errors-for-leak-kinds=definite,indirect,possible --log-file="$out/vg.log" \
		getent -s iana services "$@" >"$out/stdout" || {
		rc=$?
		# getent exits 2 when a key is not found; that is not a valgrind error.
		if [ $rc -ne 2 ]; then
			echo "valgrind: getent services $* exited $rc" >&2
			cat "$out/vg.log" >&2
			return 1
		fi
	}
	if [ -s "$out/vg.log" ]; then
		echo "valgrind reported on getent services $*:" >&2
		cat "$out/vg.log" >&2
		return 1
	fi
}

run 6010/tcp www 3323/udp 9/dccp PostgreSQL nosuch 65000 http/sctp 80
echo "lookups: $(wc -l <"$out/stdout") answers, 0 valgrind errors"
grep -q '^x11 *6010/tcp' "$out/stdout"
run
lines=$(wc -l <"$out/stdout")
echo "enumeration: $lines entries, 0 valgrind errors"
[ "$lines" -gt 10000 ]
