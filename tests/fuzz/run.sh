#!/usr/bin/env bash
# Build the libFuzzer targets with clang (ASan+UBSan) and run each for a
# bounded time.  Fails on any crash, leak or sanitizer report; prints the
# executions reached.  Usage: tests/fuzz/run.sh [SECONDS] [BUILD_DIR]
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-60}
build=${2:-$top/build-fuzz}
registry=${IANA_REGISTRY:-$top/../shared/registry/service-names-port-numbers.xml}

if [ ! -f "$build/build.ninja" ]; then
	if [ ! -f "$registry" ]; then
		echo "run.sh: no registry at $registry: set IANA_REGISTRY to the IANA XML (see README.md)" >&2
		exit 1
	fi
	if ! out=$(CC=clang meson setup "$build" "$top" -Dregistry="$registry" -Dfuzzing=true -Dwerror=true \
		-Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized 2>&1); then
		printf '%s\n' "$out" >&2
		echo "run.sh: meson setup $build failed" >&2
		exit 1
	fi
fi
if ! out=$(meson compile -C "$build" 2>&1); then
	printf '%s\n' "$out" | tail -30 >&2
	echo "run.sh: meson compile -C $build failed" >&2
	exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/seed-db" "$work/seed-registry" "$work/corpus-db" "$work/corpus-db-nocheck" \
	"$work/corpus-edge" "$work/corpus-edge-nocheck" "$work/corpus-registry"
ln -s seed-db "$work/seed-db-nocheck"
ln -s seed-db "$work/seed-edge"
ln -s seed-db "$work/seed-edge-nocheck"

# Seeds: the small registries of the test suite, and their compiled databases.
gen="$build/gen/iana-servicesdb"
for xml in "$top"/tests/gen/registries/*.xml "$top"/tests/nss/registries/*.xml; do
	[ -f "$xml" ] || continue
	cp "$xml" "$work/seed-registry/"
	"$gen" compile --quiet "$xml" -o "$work/seed-db/$(basename "$xml" .xml).db" 2>/dev/null || true
done

export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
artifacts="$build/fuzz-artifacts"
mkdir -p "$artifacts"
status=0
for target in db db-nocheck edge edge-nocheck registry; do
	log="$work/fuzz-$target.log"
	# Inputs that once failed, run first: each must now pass.
	regress=$top/tests/fuzz/regress/${target%-nocheck}
	if [ -d "$regress" ] && ! "$build/tests/fuzz/fuzz-$target" "$regress"/* >"$log" 2>&1; then
		echo "fuzz-$target: a regression input fails again:" >&2
		tail -40 "$log" >&2
		status=1
		continue
	fi
	echo "fuzz-$target: $seconds s"
	if ! TMPDIR="$work" "$build/tests/fuzz/fuzz-$target" -max_total_time="$seconds" \
		-print_final_stats=1 -artifact_prefix="$artifacts/" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
		"$work/corpus-$target" "$work/seed-$target" >"$log" 2>&1; then
		echo "fuzz-$target FAILED:" >&2
		tail -60 "$log" >&2
		echo "the input that failed is kept in $artifacts" >&2
		status=1
		continue
	fi
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	echo "fuzz-$target: $execs executions, $(ls "$work/corpus-$target" | wc -l) corpus inputs, no crash, leak or sanitizer report"
done
exit $status
