#!/bin/bash
# The benchmark of issue 5: what a services lookup costs through libnss_iana
# against nss_files, nss_db, nscd, libnss_floor (a module that does no work
# at all), libnss_bare (the cheapest module that really looks keys up: a
# lower bound for a lookup that hits), libnss_barelive (bare with the per-lookup
# cost of noticing a replaced file), libnss_barecheck (barelive with the
# checks a lookup in a file that another process wrote needs),
# libnss_barecompact (barecheck with, by port, the compact index that iana's
# database has room for), libnss_touch (the floor plus only
# what every module that answers must do: read the key, one load from a
# table) and libnss_mapfloor (the floor, plus what a module that maps its
# database file must do before its first answer: open, fstat, mmap, close,
# read the header), directly and through the real nsswitch.conf path.
#
# usage (as root, after `meson compile -C build`):   bench/run.sh [BUILDDIR]
#
# Installs what it lacks from the Debian archive (valgrind strace libnss-db
# nscd hyperfine), then measures inside a private mount namespace
# (unshare --mount): the dump of the database is bind-mounted over
# /etc/services, nss_db's services.db (made from the same dump with makedb)
# over /var/lib/misc, a scratch directory over /run/nscd, and an nsswitch.conf
# of its own over /etc/nsswitch.conf.  nscd runs inside the namespace only,
# with its own configuration, and is stopped at the end.  Nothing of the
# host's /etc, /var or /run is changed.
#
# The figures the issue's ratios compare (iana, bare, barelive, barecheck,
# barecompact, touch, mapfloor against floor, directly and on the real path:
# lookups, enumeration, first lookups, fresh getent) are timed interleaved
# (eight sources at most: svc-bench's MAX_PAIRED), the sources (and, for
# lookups, the kinds of key) taking turns run by run, so that other work on
# the machine falls on all alike; the other sources are timed one after the
# other.
#
# Prints one markdown table (and the ratios to iana, and the issue's targets)
# and writes it with the raw figures to bench/results/latest.md.
# Environment: BENCH_RUNS (default 15), BENCH_FIRST_RUNS (31),
# BENCH_GETENT_RUNS (200), BENCH_SEED (5), BENCH_NICE (-10: the measurements
# run at a raised priority), BENCH_NO_COMPILE (set: skip meson compile).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$here")

die() { echo "run.sh: $*" >&2; exit 1; }
note() { echo "== $*" >&2; }

RUNS=${BENCH_RUNS:-15}
FIRST_RUNS=${BENCH_FIRST_RUNS:-31}
GETENT_RUNS=${BENCH_GETENT_RUNS:-200}
SEED=${BENCH_SEED:-5}
NICE=${BENCH_NICE:--10}   # the machine may be busy: measure at a higher priority
PY=/usr/bin/python3

# Calls per timed run, per callgrind run and per strace run, by source kind:
# nss_files reads the whole file per call (~0.4 ms a hit, ~0.8 ms a miss) and
# nss_db opens its Berkeley DB per call (~30 us), so they get fewer.
declare -A TIME_COUNT=([fast]=20000 [db]=2000 [files]=200)
declare -A ENUM_RUNS=([fast]=$RUNS [db]=5 [files]=$RUNS)
declare -A CG_COUNT=([fast]=20000 [db]=500 [files]=30)
declare -A ST_COUNT=([fast]=5000 [db]=500 [files]=30)
KINDS=(name nameany port missname missport)
OWN_COUNT=200000   # calls for the module's own instructions and its profile

# ---------------------------------------------------------------- inner part
# Runs in the private mount namespace: run.sh --inner TMPDIR
if [ "${1:-}" = "--inner" ]; then
	tmp=$2
	art=$tmp/art                 # a snapshot of the build: a rebuild meanwhile changes nothing
	B=$art/svc-bench
	keys=$tmp/keys
	raw=$tmp/raw.tsv
	: >"$raw"
	export LD_LIBRARY_PATH=$art
	export NSS_IANA_DB=$art/services.db

	mount --bind "$tmp/services" /etc/services
	mount --bind "$tmp/misc" /var/lib/misc
	mkdir -p /run/nscd
	mount --bind "$tmp/run-empty" /run/nscd          # no nscd unless started here
	if [ -d /var/cache/nscd ]; then
		mount --bind "$tmp/cache" /var/cache/nscd
	fi
	mount --bind "$tmp/nsswitch.conf" /etc/nsswitch.conf
	# The file is rewritten in place (same inode) for each row.
	set_nsswitch() {
		printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files dns\nservices: %s\n' \
			"$1" >"$tmp/nsswitch.conf"
	}
	set_nsswitch files

	nscd_pid=
	stop_nscd() {
		if [ -n "$nscd_pid" ]; then
			kill "$nscd_pid" 2>/dev/null || true
			wait "$nscd_pid" 2>/dev/null || true
			nscd_pid=
			umount /run/nscd
		fi
	}
	trap stop_nscd EXIT
	# start_nscd NAME: nscd with services only, in a run directory of its own.
	start_nscd() {
		local run=$tmp/run-$1
		mkdir -p "$run"
		mount --bind "$run" /run/nscd
		/usr/sbin/nscd -F -f "$tmp/nscd.conf" >"$tmp/nscd-$1.log" 2>&1 &
		nscd_pid=$!
		for _ in $(seq 100); do
			[ -S /run/nscd/socket ] && return 0
			kill -0 "$nscd_pid" 2>/dev/null || break
			sleep 0.05
		done
		echo "nscd ($1) did not start privately: $(tr '\n' ' ' <"$tmp/nscd-$1.log")" >&2
		stop_nscd
		return 1
	}

	rec() {   # rec ROW FIGURE MEDIAN MIN MAX UNIT COUNT RUNS NOTE
		local IFS=$'\t'
		echo "$*" >>"$raw"
	}

	# (TOTAL - BASE) / N, printed with FORMAT: the cost of one call.
	per_call() {   # per_call TOTAL BASE N FORMAT
		awk -v a="$1" -v b="$2" -v n="$3" -v f="$4" 'BEGIN {printf f, (a - b) / n}'
	}

	# callgrind / strace: (total(n) - total(0)) / n for loop-KIND
	# ir_total SOURCE KIND COUNT WARM [MODE]: MODE loop (default) or cold
	ir_total() {
		valgrind --tool=callgrind --callgrind-out-file=/dev/null "$B" "$1" "$keys" \
			"${5:-loop}-$2" "$3" "$4" 2>&1 | sed -n 's/.*I *refs: *\([0-9,]*\).*/\1/p' | tr -d , | tail -1
	}
	sc_total() {   # sc_total SOURCE KIND COUNT WARM
		strace -f -c -o "$tmp/strace.out" "$B" "$1" "$keys" "loop-$2" "$3" "$4" 2>/dev/null
		awk '$NF == "total" {print $4}' "$tmp/strace.out"
	}

	# measure ROW SOURCE KIND(fast|db|files) GETENT-ARGS...
	measure() {
		local row=$1 src=$2 kind=$3; shift 3
		local count=${TIME_COUNT[$kind]} n t0 tn lenient=
		case $row in floor* | touch* | mapfloor*) lenient=1 ;; esac   # their misses are hits
		if [ -z "${TIMED[$row]:-}" ]; then
			note "$row: timing ($count calls x $RUNS runs per figure)"
			SVC_BENCH_LENIENT=$lenient "$B" "$src" "$keys" time "$count" "$RUNS" "${ENUM_RUNS[$kind]}" | tee "$tmp/$row.time" >&2 ||
				die "$row: svc-bench time failed"
			while read -r _ fig med min max unit cnt runs rest; do
				rec "$row" "$fig" "$med" "$min" "$max" "$unit" "$cnt" "$runs" "$rest"
			done <"$tmp/$row.time"
			note "$row: first lookup ($FIRST_RUNS fresh processes)"
			"$B" "$src" "$keys" first 1 "$FIRST_RUNS" >"$tmp/$row.first" ||
				die "$row: svc-bench first failed"
			while read -r _ fig med min max unit cnt runs rest; do
				rec "$row" "$fig" "$med" "$min" "$max" "$unit" "$cnt" "$runs" "$rest"
			done <"$tmp/$row.first"
		fi
		n=${CG_COUNT[$kind]}
		note "$row: callgrind ($n calls, minus 0)"
		for k in "${KINDS[@]}"; do
			t0=$(ir_total "$src" "$k" 0 "$n")
			tn=$(ir_total "$src" "$k" "$n" "$n")
			[ -n "$t0" ] && [ -n "$tn" ] || die "$row: callgrind gave no total"
			rec "$row" "ir-$k" "$(per_call "$tn" "$t0" "$n" %.1f)" \
				"" "" Ir/call "$n" 1 "total=$tn,base=$t0"
		done
		# The first lookup of each key (what a module does once per key, such
		# as verifying what it reads): one call per key, after one warm-up.
		for k in name port; do
			n=$(grep -c "^$k " "$keys")
			[ "$kind" = fast ] || n=${CG_COUNT[$kind]}
			t0=$(ir_total "$src" "$k" 0 "$n" cold)
			tn=$(ir_total "$src" "$k" "$n" "$n" cold)
			[ -n "$t0" ] && [ -n "$tn" ] || die "$row: callgrind gave no total"
			rec "$row" "ir-cold$k" "$(per_call "$tn" "$t0" "$n" %.1f)" \
				"" "" Ir/call "$n" 1 "total=$tn,base=$t0,first-touch"
		done
		n=${ST_COUNT[$kind]}
		note "$row: strace -c ($n calls, minus 0)"
		for k in "${KINDS[@]}"; do
			t0=$(sc_total "$src" "$k" 0 "$n")
			tn=$(sc_total "$src" "$k" "$n" "$n")
			rec "$row" "sc-$k" "$(per_call "$tn" "$t0" "$n" %.3f)" \
				"" "" syscalls/call "$n" 1 "total=$tn,base=$t0"
		done
		[ -n "${TIMED[$row]:-}" ] && return 0
		note "$row: fresh getent ${*} ($GETENT_RUNS runs, hyperfine)"
		hyperfine -N --style none --warmup 10 --runs "$GETENT_RUNS" \
			--export-json "$tmp/$row.hf.json" -- "$*" >/dev/null 2>&1 ||
			die "$row: hyperfine failed (getent $*)"
		read -r med min max < <("$PY" -c '
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print(" ".join("%.1f" % (r[k] * 1e6) for k in ("median", "min", "max")))' "$tmp/$row.hf.json")
		rec "$row" getent "$med" "$min" "$max" us "$GETENT_RUNS" 1 "$*"
	}

	# Interleaved timing of several sources in one process (svc-bench time
	# with "A,B,..."), run by run, so that other work on the machine falls on
	# all alike: the figures the issue's ratios compare.
	# interleave ROW=SOURCE...   (a SOURCE may itself hold "=": system=iana)
	interleave() {
		local srcs= rows=() sources=() a tag fig med min max unit cnt runs rest i
		for a in "$@"; do
			rows+=("${a%%=*}")
			sources+=("${a#*=}")
			srcs+=${srcs:+,}${a#*=}
		done
		note "${rows[*]}: interleaved timing (${TIME_COUNT[fast]} calls x $RUNS runs per figure)"
		SVC_BENCH_NSSWITCH=$tmp/nsswitch.conf "$B" "$srcs" "$keys" time "${TIME_COUNT[fast]}" \
			"$RUNS" "${ENUM_RUNS[fast]}" >"$tmp/${rows[0]}.time" || die "$srcs: svc-bench time failed"
		# First lookups and fresh getents in fresh processes.  The modules
		# that parse a text file when they are loaded (bare*: about 3 ms and
		# 2 MiB of heap each) take their turns apart, after the others: run
		# between them, they slowed the first lookups that the targets compare
		# (iana's against the floor's by about 5 µs, in 7 of 8 paired rounds
		# of 31 processes).  A group of one would be reported untagged, so
		# then all take turns together.
		local loaders= parsers= group
		for i in "${!rows[@]}"; do
			case ${rows[i]} in
			bare*) parsers+=${parsers:+,}${sources[i]} ;;
			*) loaders+=${loaders:+,}${sources[i]} ;;
			esac
		done
		[[ $loaders == *,* && ( -z $parsers || $parsers == *,* ) ]] || { loaders=$srcs; parsers=; }
		for group in "$loaders" "$parsers"; do
			[ -n "$group" ] || continue
			note "$group: first lookups ($FIRST_RUNS fresh processes each), fresh getent ($GETENT_RUNS each), interleaved"
			SVC_BENCH_NSSWITCH=$tmp/nsswitch.conf "$B" "$group" "$keys" first 1 "$FIRST_RUNS" \
				>>"$tmp/${rows[0]}.time" || die "$group: svc-bench first failed"
			SVC_BENCH_NSSWITCH=$tmp/nsswitch.conf "$B" "$group" "$keys" getent 0 "$GETENT_RUNS" \
				>>"$tmp/${rows[0]}.time" || die "$group: svc-bench getent failed"
		done
		while read -r _ tag med min max unit cnt runs rest; do
			fig=${tag##*:}
			for i in "${!rows[@]}"; do
				if [ "${tag%:*}" = "${sources[i]}" ]; then
					rec "${rows[i]}" "$fig" "$med" "$min" "$max" "$unit" "$cnt" "$runs" "$rest"
				fi
			done
		done <"$tmp/${rows[0]}.time"
		for i in "${!rows[@]}"; do TIMED[${rows[i]}]=1; done
	}
	declare -A TIMED=()

	# Every source must answer the same thing before it is timed.
	check() {   # check ROW SOURCE
		"$B" "$2" "$keys" check >"$tmp/$1.check"
		if ! grep -q '^6010/tcp -> x11 6010/tcp$' "$tmp/$1.check" ||
		   ! grep -q '^www/tcp -> http 80/tcp' "$tmp/$1.check"; then
			case $1 in
			floor* | touch* | mapfloor*) ;;   # they answer every key alike
			*) cat "$tmp/$1.check" >&2; die "$1: wrong answers" ;;
			esac
		fi
	}

	set_nsswitch files
	check iana iana
	check bare bare
	check barelive barelive
	check barecheck barecheck
	check barecompact barecompact
	check floor floor
	check touch touch
	check mapfloor mapfloor
	interleave iana=iana bare=bare barelive=barelive barecheck=barecheck barecompact=barecompact \
		touch=touch mapfloor=mapfloor floor=floor
	for m in iana bare barelive barecheck barecompact touch; do
		measure $m $m fast getent -s services:$m services http/tcp
	done
	check files files
	measure files files files getent -s services:files services http/tcp
	check db db
	measure db db db getent -s services:db services http/tcp
	measure floor floor fast getent -s services:floor services http/tcp

	for m in floor bare barelive barecheck barecompact touch mapfloor iana; do
		set_nsswitch $m
		check $m-real system
	done
	interleave iana-real=system=iana bare-real=system=bare barelive-real=system=barelive \
		barecheck-real=system=barecheck barecompact-real=system=barecompact \
		touch-real=system=touch mapfloor-real=system=mapfloor floor-real=system=floor
	for m in iana bare barelive barecheck barecompact touch floor; do
		set_nsswitch $m
		measure $m-real system fast getent services http/tcp
	done

	# nscd over nss_files, then over libnss_iana.
	set_nsswitch files
	if start_nscd files; then
		check nscd system
		# Counts of a fast source: the warm-up pass then covers every key, so
		# the timed calls are answered from nscd's cache, as intended.
		measure nscd system fast getent services http/tcp
		/usr/sbin/nscd -f "$tmp/nscd.conf" -g >"$tmp/nscd-files.stats" 2>&1 || true
		stop_nscd
	else
		echo "nscd: skipped (could not run privately)" >"$tmp/nscd-skipped"
	fi
	set_nsswitch iana
	if start_nscd iana; then
		# Correct answers from nscd alone: this client cannot load libnss_iana
		# (no LD_LIBRARY_PATH), so whatever it gets came from nscd.
		env -u LD_LIBRARY_PATH getent services 6010/tcp >"$tmp/iana-nscd.verify"
		env -u LD_LIBRARY_PATH getent services www >>"$tmp/iana-nscd.verify"
		env -u LD_LIBRARY_PATH getent services 6063/tcp >>"$tmp/iana-nscd.verify"
		env -u LD_LIBRARY_PATH getent services active-net/udp >>"$tmp/iana-nscd.verify"
		env -u LD_LIBRARY_PATH "$B" system "$keys" check >>"$tmp/iana-nscd.verify"
		grep -q '^x11 *6010/tcp' "$tmp/iana-nscd.verify" &&
			grep -q '^http *80/tcp www' "$tmp/iana-nscd.verify" ||
			{ cat "$tmp/iana-nscd.verify" >&2; die "iana behind nscd: wrong answers"; }
		check iana-nscd system
		measure iana-nscd system fast getent services http/tcp
		/usr/sbin/nscd -f "$tmp/nscd.conf" -g >"$tmp/nscd-iana.stats" 2>&1 || true
		stop_nscd
	else
		echo "nscd: skipped (could not run privately)" >"$tmp/nscd-skipped"
	fi
	set_nsswitch files

	# The module's own instructions, and where they go: callgrind collecting
	# only inside the module's lookup entry points (and what they call), for
	# iana, bare, barelive, barecheck, barecompact, touch and floor, with OWN_COUNT calls minus none (the warm-up pass over
	# the keys is in both).  The iana profiles are kept for the report.
	own_total() {   # own_total SOURCE KIND COUNT
		valgrind --tool=callgrind --callgrind-out-file="$tmp/cg-$1-$2-$3.out" \
			--toggle-collect="_nss_$1_getservby*" \
			"$B" "$1" "$keys" "loop-$2" "$3" >/dev/null 2>&1
		callgrind_annotate "$tmp/cg-$1-$2-$3.out" 2>/dev/null |
			sed -n 's/^ *\([0-9,]*\) .*PROGRAM TOTALS.*/\1/p' | tr -d ,
	}
	# Resident memory of the database mapping and of the module, and sizes.
	note "memory and sizes"
	for src in iana floor; do
		"$B" "$src" "$keys" memory | while read -r _ fig med min max unit cnt runs rest; do
			rec "$src" "$fig" "$med" "$min" "$max" "$unit" "$cnt" "$runs" "$rest"
		done
	done
	rec iana size-lookup "$("$art/iana-servicesdb" info "$art/services.db" | sed -n 's/^lookup data: //p')" \
		"" "" bytes 1 1 "header and lookup sections"
	rec iana size-file "$(stat -c %s "$art/services.db")" "" "" bytes 1 1 "services.db"
	rec files size-file "$(stat -c %s "$tmp/services")" "" "" bytes 1 1 "the dump (services(5) text)"
	rec db size-file "$(stat -c %s "$tmp/misc/services.db")" "" "" bytes 1 1 "makedb services.db"

	for src in iana bare barelive barecheck barecompact touch floor; do
		note "$src: the module's own instructions ($OWN_COUNT calls, minus 0)"
		for k in name nameany port; do
			t0=$(own_total "$src" "$k" 0)
			tn=$(own_total "$src" "$k" "$OWN_COUNT")
			[ -n "$t0" ] && [ -n "$tn" ] || die "$src: callgrind gave no total"
			rec "$src" "own-$k" "$(per_call "$tn" "$t0" "$OWN_COUNT" %.1f)" \
				"" "" Ir/call "$OWN_COUNT" 1 "total=$tn,base=$t0,inside _nss_${src}_getservby*"
			[ "$src" = iana ] && cp "$tmp/cg-$src-$k-$OWN_COUNT.out" "$tmp/cg-iana-$k.out"
		done
	done
	exit 0
fi

# ---------------------------------------------------------------- outer part
build=${1:-$top/build}
[ -d "$build" ] ||
	die "no build directory $build: run meson setup $build -Dregistry=REGISTRY.xml first (see docs/PERFORMANCE.md), or pass yours"
build=$(cd "$build" && pwd)
[ "$(id -u)" = 0 ] || die "run as root (unshare --mount, bind mounts, apt-get)"
if [ -z "${BENCH_NO_COMPILE:-}" ]; then
	meson compile -C "$build" >&2 || die "meson compile -C $build failed (BENCH_NO_COMPILE=1 measures the build as it is)"
fi
for f in bench/svc-bench bench/libnss_floor.so.2 bench/libnss_bare.so.2 bench/libnss_barelive.so.2 \
	 bench/libnss_barecheck.so.2 bench/libnss_barecompact.so.2 \
	 bench/libnss_touch.so.2 bench/libnss_mapfloor.so.2 \
	 nss/libnss_iana.so.2 gen/iana-servicesdb \
	 data/services.db; do
	[ -e "$build/$f" ] || die "$build/$f missing: run meson compile -C $build first"
done

need=()
command -v valgrind >/dev/null || need+=(valgrind)
command -v callgrind_annotate >/dev/null || need+=(valgrind)
command -v strace >/dev/null || need+=(strace)
command -v hyperfine >/dev/null || need+=(hyperfine)
[ -x /usr/sbin/nscd ] || need+=(nscd)
[ -x /usr/bin/makedb ] && [ -e /var/lib/misc/Makefile ] || need+=(libnss-db)
[ -x "$PY" ] || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
	note "installing ${need[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y "${need[@]}" >&2 ||
		{ apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y "${need[@]}" >&2; } ||
		die "apt-get install ${need[*]} failed"
fi

tmp=$(mktemp -d /tmp/svc-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/misc" "$tmp/run-empty" "$tmp/cache" "$tmp/art"
cp "$build/bench/svc-bench" "$build/bench/libnss_floor.so.2" "$build/bench/libnss_bare.so.2" \
   "$build/bench/libnss_barelive.so.2" "$build/bench/libnss_barecheck.so.2" \
   "$build/bench/libnss_barecompact.so.2" \
   "$build/bench/libnss_touch.so.2" "$build/bench/libnss_mapfloor.so.2" \
   "$build/nss/libnss_iana.so.2" \
   "$build/data/services.db" "$build/gen/iana-servicesdb" "$tmp/art/"

note "dump, keys (seed $SEED), nss_db database"
"$build/gen/iana-servicesdb" dump "$tmp/art/services.db" >"$tmp/services"
"$PY" "$here/make-keys.py" "$tmp/services" "$tmp/keys" "$SEED"
# libnss-db's own transform for services (/var/lib/misc/Makefile), then makedb.
awk 'BEGIN { FS="[ \t/]+"; cnt=0 }
     /^[ \t]*$/ { next }
     /^[ \t]*#/ { next }
     { printf "0%u ", cnt++; print }
     /^[^#]/ { printf ".%s/%s ", $1, $3; print;
	       printf ".%s/ ", $1; print;
	       printf "=%s/%s ", $2, $3; print;
	       printf "=%s/ ", $2; print;
	       for (i = 4; i <= NF && !($i ~ /^#/); ++i)
		 { printf ".%s/%s ", $i, $3; print;
		   printf ".%s/ ", $i; print } }' "$tmp/services" |
	(umask 022 && makedb --quiet -o "$tmp/misc/services.db" -)
touch "$tmp/nsswitch.conf"
cat >"$tmp/nscd.conf" <<'EOF'
# svc-bench's private nscd: the services cache only, Debian's sizes, no
# persistent files (its shared mapping lives in the private /run/nscd).
	debug-level		0
	paranoia		no
	enable-cache		passwd		no
	enable-cache		group		no
	enable-cache		hosts		no
	enable-cache		netgroup	no
	enable-cache		services	yes
	positive-time-to-live	services	28800
	negative-time-to-live	services	600
	suggested-size		services	211
	check-files		services	yes
	persistent		services	no
	shared			services	yes
	max-db-size		services	33554432
EOF

start=$(date +%s)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
nice -n "$NICE" unshare --mount --propagation private "$here/run.sh" --inner "$tmp" ||
	die "the measurements failed"
elapsed=$(( $(date +%s) - start ))
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# Profile of the calls into libnss_iana (self Ir) in the hit loops.
for k in name nameany port; do
	if [ -s "$tmp/cg-iana-$k.out" ]; then
		callgrind_annotate --threshold=100 "$tmp/cg-iana-$k.out" 2>/dev/null >"$tmp/cg-iana-$k.txt" || true
	fi
done

mkdir -p "$here/results"
{
	echo "sources:"
	echo "  rows: iana files db floor bare barelive barecheck barecompact touch mapfloor = __nss_configure_lookup(\"services\", SOURCE) (no nscd);"
	echo "  *-real = SOURCE system with services: iana|bare|barelive|barecheck|barecompact|touch|mapfloor|floor in nsswitch.conf (no nscd running);"
	echo "  nscd = nscd (services: files) answering a SOURCE system client; iana-nscd = nscd with services: iana."
	echo "machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | sed -n 1p);" \
	     "kernel $(uname -r); $(ldd --version | sed -n 1p)"
	echo "commit: $(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
	     "(working tree may differ); libnss_iana.so.2 sha256 $(sha256sum "$tmp/art/libnss_iana.so.2" | cut -c1-12);" \
	     "date: $(date -u +%FT%TZ); elapsed ${elapsed}s"
	echo "load average (1, 5, 15 min) before: $load_before, after: $load_after" \
	     "(other work on the machine shows as wide min–max ranges; measured at nice $NICE)"
	echo "registry entries: $(grep -vc '^#' "$tmp/services") (dump lines); keys: $(grep -c '^name ' "$tmp/keys") name," \
	     "$(grep -c '^nameany ' "$tmp/keys") nameany, $(grep -c '^port ' "$tmp/keys") port," \
	     "$(grep -c '^missname ' "$tmp/keys") missname, $(grep -c '^missport ' "$tmp/keys") missport (seed $SEED)"
	[ -e "$tmp/nscd-skipped" ] && cat "$tmp/nscd-skipped"
	true
} >"$tmp/meta.txt"

"$PY" "$here/report.py" "$tmp" >"$tmp/report.md"
cat "$tmp/report.md"
{
	cat "$tmp/report.md"
	echo
	echo "## Raw figures"
	echo
	echo '```'
	printf 'row\tfigure\tmedian\tmin\tmax\tunit\tcount\truns\tnote\n'
	cat "$tmp/raw.tsv"
	echo '```'
	if [ -e "$tmp/iana-nscd.verify" ]; then
		echo
		echo "### iana behind nscd: answers to a client that cannot load libnss_iana"
		echo
		echo '```'
		cat "$tmp/iana-nscd.verify"
		echo '```'
	fi
	for f in "$tmp"/nscd-*.stats; do
		[ -e "$f" ] || continue
		echo
		echo "### $(basename "$f" .stats): nscd -g, services cache"
		echo
		echo '```'
		awk '/^services cache:/ {on = 1} on && /^[a-z]+ cache:/ && !/^services/ {on = 0} on' "$f" |
			grep -v '^$'
		echo '```'
	done
	for k in name nameany port; do
		[ -s "$tmp/cg-iana-$k.txt" ] || continue
		echo
		echo "### callgrind_annotate: iana loop-$k, a warm-up pass then $OWN_COUNT calls, collected inside _nss_iana_getservby* only, self Ir"
		echo
		echo '```'
		awk '/PROGRAM TOTALS/ {print; next} /file:function/ {on = 1; next}
		     on && NF && !/^-+$/ && n++ < 30' "$tmp/cg-iana-$k.txt"
		echo '```'
	done
} >"$here/results/latest.md"
note "written: $here/results/latest.md"
