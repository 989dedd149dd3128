#!/bin/bash
# The command line of iana-servicesdb: help, version, usage errors.
#
# usage: cli.sh IANA-SERVICESDB REGISTRY.xml
#
# REGISTRY.xml is a small valid registry, so that usage errors are tested
# with an input that would otherwise compile.
set -euo pipefail

if [ $# -ne 2 ]; then
	echo "usage: $0 IANA-SERVICESDB REGISTRY.xml" >&2
	exit 2
fi
gen=$(realpath "$1")
registry=$(realpath "$2")

# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
cd "$tmp"


# run WANT-STATUS DESCRIPTION -- ARGS...: stdout in $tmp/out, stderr in $tmp/err.
run() {
	local want=$1 what=$2 rc=0
	shift 3
	"$gen" "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
	if [ $rc -eq "$want" ]; then
		ok "$what: exit status $rc"
		return 0
	fi
	fail "$what: exit status $rc, expected $want; stderr: $(cat "$tmp/err")"
	return 1
}

for opt in --help -h; do
	if run 0 "$opt" -- "$opt"; then
		if grep -q '^Usage: iana-servicesdb COMMAND' "$tmp/out" && grep -q 'compile' "$tmp/out" &&
		   [ ! -s "$tmp/err" ]; then
			ok "$opt: usage on stdout, nothing on stderr"
		else
			fail "$opt: no usage text on stdout (or output on stderr)"
		fi
	fi
done
if run 0 "compile --help" -- compile --help; then
	grep -q '^Usage: ' "$tmp/out" && ok "compile --help: usage on stdout" ||
		fail "compile --help: no usage on stdout"
fi

for opt in --version -V; do
	if run 0 "$opt" -- "$opt"; then
		if grep -Eq '^iana-servicesdb \(libnss-iana\) [0-9]+\.[0-9]+' "$tmp/out" && [ ! -s "$tmp/err" ]; then
			ok "$opt: '$(cat "$tmp/out")'"
		else
			fail "$opt: unexpected output '$(cat "$tmp/out" "$tmp/err")'"
		fi
	fi
done

# usage_case DESCRIPTION MESSAGE-SUBSTRING -- ARGS...: exit 2, one message on
# stderr and the line pointing to --help, nothing on stdout, no output file
# written.
usage_case() {
	local what=$1 msg=$2
	shift 2
	if run 2 "$what" "$@"; then
		if grep -qF -- "$msg" "$tmp/err" && grep -qF -- "--help' for more information" "$tmp/err"; then
			ok "$what: stderr says '$msg'"
		else
			fail "$what: stderr lacks '$msg': $(cat "$tmp/err")"
		fi
		if [ "$(wc -l <"$tmp/err")" -ne 2 ]; then
			fail "$what: expected one message and the --help line on stderr: $(cat "$tmp/err")"
		fi
		if [ -s "$tmp/out" ]; then
			fail "$what: printed on stdout: $(cat "$tmp/out")"
		fi
	fi
	if [ -e "$tmp/out.db" ]; then
		fail "$what: wrote out.db"
		rm -f "$tmp/out.db"
	fi
}

usage_case "no command" "missing COMMAND" --
usage_case "unknown command" "unknown command 'frobnicate'" -- frobnicate "$registry"
usage_case "compile without -o" "missing -o FILE" -- compile "$registry"
usage_case "compile with no input" "missing REGISTRY.xml" -- compile -o "$tmp/out.db"
usage_case "compile with two inputs" "more than one REGISTRY.xml" -- compile "$registry" "$registry" -o "$tmp/out.db"
usage_case "compile with an unknown option" "compile: unknown option '--frobnicate'" -- compile --frobnicate "$registry" -o "$tmp/out.db"
usage_case "compile with -o and no FILE" "compile: option '-o' requires an argument" -- compile "$registry" -o
usage_case "dump with two files" "too many arguments" -- dump a.db b.db
# dump, check and info take no options: not even --help is a file name.
usage_case "dump --help" "dump: unknown option '--help'" -- dump --help
usage_case "check with an option" "check: unknown option '-x'" -- check -x
usage_case "info with an option" "info: unknown option '--frobnicate'" -- info --frobnicate
usage_case "show with --db and no FILE" "show: option '--db' requires an argument" -- show http --db
usage_case "show with an unknown option" "show: unknown option '--frobnicate'" -- show http --frobnicate
usage_case "show with an unknown short option" "show: unknown option '-x'" -- show -jx http
usage_case "diff with an unknown option" "diff: unknown option '--frobnicate'" -- diff --frobnicate a b
usage_case "show with no QUERY" "show: missing QUERY" -- show
usage_case "show with two QUERYs" "show: more than one QUERY" -- show http ssh
usage_case "diff with one file" "diff: expected OLD and NEW" -- diff a

# The same registry with all arguments right compiles: the cases above
# failed for the reason they test.
if run 0 "compile REGISTRY -o FILE" -- compile --quiet "$registry" -o "$tmp/out.db" &&
   [ -s "$tmp/out.db" ]; then
	ok "a correct command line writes the database"
else
	fail "a correct command line does not write the database"
fi
# After --, a FILE is a file, whatever it starts with.
cp "$tmp/out.db" "$tmp/-dash.db"
if run 0 "dump -- -dash.db" -- dump -- -dash.db; then
	grep -q '^# IANA Service Name' "$tmp/out" && ok "dump -- FILE dumps FILE" ||
		fail "dump -- FILE: stdout: $(head -3 "$tmp/out")"
fi

# Missing files are failures (1), not usage errors.
for cmd in dump check info; do
	if run 1 "$cmd of a missing file" -- "$cmd" "$tmp/missing.db"; then
		grep -qF "$tmp/missing.db: error: cannot open: No such file or directory" "$tmp/err" &&
			ok "$cmd: says it cannot open the file, and why" ||
			fail "$cmd: stderr: $(cat "$tmp/err")"
	fi
done
# show and diff exit 2 when their input cannot be read (iana-servicesdb(8)).
if run 2 "diff of a missing file" -- diff "$tmp/missing.db" "$tmp/out.db"; then
	grep -qF "$tmp/missing.db: error: cannot open: No such file or directory" "$tmp/err" &&
		ok "diff: says it cannot open the file, and why" ||
		fail "diff: stderr: $(cat "$tmp/err")"
fi
if run 1 "compile of a missing registry" -- compile "$tmp/missing.xml" -o "$tmp/out2.db"; then
	[ ! -e "$tmp/out2.db" ] && ok "compile of a missing registry writes nothing" ||
		fail "compile of a missing registry wrote the output"
fi

if [ $failures -ne 0 ]; then
	echo "$failures check(s) failed"
	exit 1
fi
echo "all command-line checks passed"
