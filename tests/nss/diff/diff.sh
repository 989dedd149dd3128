#!/bin/bash
# Differential test of libnss_iana against glibc's nss_files.
#
#   diff.sh [--self-check] SVC_QUERY IANA_SERVICESDB SERVICES_DB MODULE
#
# The contract: libnss_iana answering from SERVICES_DB answers exactly as
# nss_files does when `iana-servicesdb dump SERVICES_DB` is /etc/services,
# with one deliberate extension: when nss_files finds no exact name match
# (for the given protocol, or for any protocol when proto is NULL), the
# module returns the first entry in dump line order whose name or an alias
# equals the query ignoring ASCII case (RFC 6335); protocols compare exactly.
#
# The queries are generated from the dump itself (every name and alias, every
# port, misses, case variants, a full enumeration).  svc-query runs once with
# "iana" and once with "files" in a private mount namespace where the dump is
# bind-mounted over /etc/services (the host's /etc is never touched; this
# needs root, or unshare permission to create a mount namespace).
#
# --self-check: the "files" side reads a copy of the dump with one line's port
# changed, on a reduced query set.  The comparison must then report
# differences; diff.sh exits 0 only if it did (it checks its own ability to
# detect a difference).
set -euo pipefail
export LC_ALL=C

mode=normal
if [[ ${1-} == --self-check ]]; then
    mode=selfcheck
    shift
fi
if [[ $# -ne 4 ]]; then
    echo "usage: $0 [--self-check] SVC_QUERY IANA_SERVICESDB SERVICES_DB MODULE" >&2
    exit 2
fi
svcq=$(realpath -- "$1")
gen=$(realpath -- "$2")
db=$(realpath -- "$3")
moddir=$(dirname -- "$(realpath -- "$4")")
here=$(dirname -- "$(realpath -- "${BASH_SOURCE[0]}")")
compare_py=$here/compare.py

for tool in unshare mount python3; do
    command -v "$tool" >/dev/null || { echo "diff.sh: $tool not found" >&2; exit 1; }
done
if [[ ! -f /etc/services ]]; then
    echo "diff.sh: /etc/services must exist as a file (it is the bind-mount point)" >&2
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/nss-diff.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT

"$gen" dump "$db" >"$tmp/dump"
ndata=$(grep -vc '^#' "$tmp/dump" || true)
if [[ $ndata -lt 1 ]]; then
    echo "diff.sh: the dump of $db has no entries" >&2
    exit 1
fi

# ---------------------------------------------------------------------------
# Query generation, from the dump.  Each line of $tmp/kq is KIND<TAB>QUERY.

protos=(tcp udp sctp dccp -)

# Distinct names and aliases, in dump order; distinct ports, ascending.
awk '!/^#/ && NF >= 2 { for (i = 1; i <= NF; i++) if (i != 2) print $i }' "$tmp/dump" |
    awk '!seen[$0]++' >"$tmp/names"
awk '!/^#/ && NF >= 2 { split($2, a, "/"); print a[1] + 0 }' "$tmp/dump" |
    sort -n -u >"$tmp/ports"
# Ports absent from the dump: scan 0..65535, keep a deterministic sample of
# about 200 spread over the whole range (always including the first and last).
awk 'NR == FNR { present[$1] = 1; next }
     END { for (p = 0; p <= 65535; p++) if (!(p in present)) print p }' \
    "$tmp/ports" /dev/null >"$tmp/absent-all"
nabsent=$(wc -l <"$tmp/absent-all")
awk -v n="$nabsent" 'BEGIN { step = int(n / 200); if (step < 1) step = 1 }
     (NR - 1) % step == 0 || NR == n' "$tmp/absent-all" >"$tmp/absent"
nnames=$(wc -l <"$tmp/names")

{
    # Every name and every alias, with each protocol.
    while read -r n; do
        for p in "${protos[@]}"; do printf 'exact-name\tname %s %s\n' "$n" "$p"; done
    done <"$tmp/names"

    # Every port present, with each protocol.
    while read -r n; do
        for p in "${protos[@]}"; do printf 'port\tport %s %s\n' "$n" "$p"; done
    done <"$tmp/ports"

    # Misses: names that are not in the dump.
    for i in $(seq 1 200); do
        for p in tcp udp -; do printf 'miss-name\tname nosuch-%s %s\n' "$i" "$p"; done
    done
    # Misses: registered names with a suffix, registered names and ports with a
    # protocol nobody uses.
    awk -v n="$nnames" 'BEGIN { step = int(n / 100); if (step < 1) step = 1 }
        (NR - 1) % step == 0 {
            printf "miss-name\tname %s-nosuch tcp\n", $0
            printf "miss-name\tname %s ddp\n", $0
        }' "$tmp/names"
    awk 'BEGIN { step = 64 } (NR - 1) % step == 0 { printf "miss-port\tport %s ddp\n", $0 }' "$tmp/ports"
    # Misses: unregistered ports.
    while read -r n; do
        for p in tcp udp -; do printf 'miss-port\tport %s %s\n' "$n" "$p"; done
    done <"$tmp/absent"

    # Case variants: UPPER and Capitalised versions of ~300 names, and the
    # lower-cased version of every name holding an upper-case letter; each
    # with tcp and with no protocol.
    awk -v n="$nnames" 'BEGIN { step = int(n / 300); if (step < 1) step = 1 }
        function q(s) { printf "case\tname %s tcp\ncase\tname %s -\n", s, s }
        (NR - 1) % step == 0 { q(toupper($0)); q(toupper(substr($0, 1, 1)) substr($0, 2)) }
        /[A-Z]/ { q(tolower($0)) }' "$tmp/names"
    # ... and the UPPER-cased name of every sctp and dccp line, with its
    # protocol (the extension must honour the protocol).
    awk '!/^#/ && $2 ~ /\/(sctp|dccp)$/ {
            split($2, a, "/"); printf "case\tname %s %s\n", toupper($1), a[2]
        }' "$tmp/dump"

    # The enumeration, last: its answers are all the lines after the other
    # queries' answers.
    printf 'enum\tenum\n'
} | awk -F '\t' '!seen[$2]++' >"$tmp/kq.all"

# ---------------------------------------------------------------------------
# The dump nss_files reads.

filesdump=$tmp/dump
if [[ $mode == selfcheck ]]; then
    # Change the port of one data line (the middle one) to the first
    # unregistered port above 1023, and keep a small query set: every
    # 25th query, every query naming that line's name or aliases or port, and
    # the enumeration.
    target=$(( (ndata + 1) / 2 ))
    newport=$(awk '$1 > 1023 { print; exit }' "$tmp/absent-all")
    awk -v t="$target" -v np="$newport" '
        !/^#/ { k++ }
        !/^#/ && k == t {
            split($2, a, "/")
            printf "SELFCHECK line %d: %s %s -> %s/%s\n", t, $1, $2, np, a[2] > "/dev/stderr"
            $2 = np "/" a[2]
        }
        { print }' "$tmp/dump" >"$tmp/dump.corrupt" 2>"$tmp/selfcheck-note"
    cat "$tmp/selfcheck-note"
    filesdump=$tmp/dump.corrupt
    if cmp -s "$tmp/dump" "$tmp/dump.corrupt"; then
        echo "diff.sh: self-check: the corrupted dump is not different" >&2
        exit 1
    fi
    awk -v t="$target" -v np="$newport" '!/^#/ && ++k == t {
            for (i = 1; i <= NF; i++) if (i != 2) print "name", $i
            split($2, a, "/"); print "port", a[1] + 0; print "port", np
        }' "$tmp/dump" >"$tmp/selfcheck-keys"
    # The query that must differ: the changed line's old port, its protocol.
    must_differ=$(awk -v t="$target" '!/^#/ && ++k == t {
            split($2, a, "/"); print "port " (a[1] + 0) " " a[2]
        }' "$tmp/dump")
    awk -F '\t' 'NR == FNR { key[$0] = 1; next }
        { split($2, w, " "); k = w[1] " " w[2] }
        (FNR - 1) % 25 == 0 || (k in key) || $1 == "enum"' \
        "$tmp/selfcheck-keys" "$tmp/kq.all" >"$tmp/kq"
else
    cp "$tmp/kq.all" "$tmp/kq"
fi
cut -f2 "$tmp/kq" >"$tmp/queries"

# ---------------------------------------------------------------------------
# Run both sides.  nss_files re-reads the whole file for every query, so the
# "files" side is split into chunks run in parallel (each in its own mount
# namespace); the chunks' outputs are concatenated in order.

LD_LIBRARY_PATH=$moddir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} NSS_IANA_DB=$db \
    "$svcq" iana <"$tmp/queries" >"$tmp/out.iana"

jobs=$(nproc 2>/dev/null || echo 2)
(( jobs > 8 )) && jobs=8
(( jobs < 1 )) && jobs=1
split -n "l/$jobs" -d -a 3 "$tmp/queries" "$tmp/chunk."
pids=()
for c in "$tmp"/chunk.[0-9][0-9][0-9]; do
    unshare --mount --propagation private \
        sh -c 'mount --bind "$1" /etc/services && exec "$2" files' \
        sh "$filesdump" "$svcq" <"$c" >"$c.out" &
    pids+=($!)
done
for pid in "${pids[@]}"; do
    wait "$pid" || { echo "diff.sh: svc-query files failed (status $?)" >&2; exit 1; }
done
cat "$tmp"/chunk.[0-9][0-9][0-9].out >"$tmp/out.files"

# ---------------------------------------------------------------------------
# Compare.

status=0
python3 "$compare_py" "$tmp/kq" "$filesdump" "$tmp/out.files" "$tmp/out.iana" \
    >"$tmp/report" || status=$?
cat "$tmp/report"

if [[ $mode == normal ]]; then
    exit "$status"
fi

# Self-check verdict: the comparison must have failed with status 1 and
# reported differences, among them the query for the changed line's old port.
ndiff=$(awk '/^differences: / { print $2 }' "$tmp/report")
echo
if [[ $status -eq 1 && ${ndiff:-0} -gt 0 ]] && grep -qF "] $must_differ" "$tmp/report"; then
    echo "SELF-CHECK PASSED: the corrupted dump was detected ($ndiff differences)"
    exit 0
fi
echo "SELF-CHECK FAILED: compare.py exited $status reporting ${ndiff:-no} differences" \
     "against a corrupted dump (expected among them: $must_differ);" \
     "the test cannot detect a difference" >&2
exit 1
