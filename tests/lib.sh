# Shared by the test scripts (sourced): a temporary directory removed on
# exit, and fail/ok, which print a line each; fail counts into $failures,
# which the script turns into its exit status.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

failures=0
fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}
ok() {
	echo "ok:   $*"
}
