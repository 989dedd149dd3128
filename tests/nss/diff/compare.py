#!/usr/bin/env python3
"""Compare svc-query answers of nss_files and libnss_iana (see diff.sh).

    compare.py KQ DUMP FILES_OUT IANA_OUT

KQ has one query per line as KIND<TAB>QUERY, in the order given to svc-query;
the only "enum" query, if any, is the last one.  DUMP is the services(5) file
nss_files read.  FILES_OUT and IANA_OUT are the svc-query outputs: one line
per query, then one line per entry of the enumeration.

Answers must be identical, with one allowed exception, the case-insensitive
extension of libnss_iana: for a "name NAME PROTO" query, nss_files said
NOTFOUND and libnss_iana answered with the FIRST dump line, in order, whose
protocol matches PROTO (any protocol for "-") and whose name or one of whose
aliases equals NAME ignoring ASCII case.  Everything is handled as bytes, so
case folding is ASCII only (bytes.lower()).

Prints a summary; on differences, also the first 20 of them.  Exit status 0
when there is no difference, 1 when there are, 2 on malformed input.
"""
import sys
from collections import OrderedDict

MAX_SHOWN = 20


def die(msg):
    print("compare.py: " + msg, file=sys.stderr)
    sys.exit(2)


def text(b):
    return b.decode("ascii", "backslashreplace")


def read_lines(path):
    with open(path, "rb") as f:
        data = f.read()
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return lines


def parse_dump(path):
    """The dump's entries as nss_files parses them, in line order:
    (proto, [name] + aliases, normalized answer line)."""
    entries = []
    for line in read_lines(path):
        line = line.split(b"#", 1)[0]
        f = line.split()
        if len(f) < 2 or b"/" not in f[1]:
            continue
        port, proto = f[1].split(b"/", 1)
        if not port.isdigit() or not proto:
            continue
        norm = b" ".join([f[0], b"%d/%s" % (int(port) & 0xFFFF, proto)] + f[2:])
        entries.append((proto, [f[0]] + f[2:], norm))
    return entries


def main():
    if len(sys.argv) != 5:
        die("usage: compare.py KQ DUMP FILES_OUT IANA_OUT")
    kq_path, dump_path, files_path, iana_path = sys.argv[1:]

    kinds, queries = [], []
    for i, line in enumerate(read_lines(kq_path)):
        if b"\t" not in line:
            die("%s:%d: no KIND<TAB>QUERY" % (kq_path, i + 1))
        k, q = line.split(b"\t", 1)
        kinds.append(text(k))
        queries.append(q)
    has_enum = bool(queries) and queries[-1] == b"enum"
    if b"enum" in queries[:-1]:
        die("the enum query must be the last one")
    nsingle = len(queries) - (1 if has_enum else 0)

    files_out = read_lines(files_path)
    iana_out = read_lines(iana_path)
    for name, out in (("files", files_out), ("iana", iana_out)):
        if len(out) < nsingle:
            die("%s output has %d lines for %d queries" % (name, len(out), nsingle))
        if not has_enum and len(out) != nsingle:
            die("%s output has %d lines for %d queries" % (name, len(out), nsingle))

    # First-in-dump-order candidates for the ci-extension, by folded string.
    entries = parse_dump(dump_path)
    by_folded = {}
    for idx, (proto, strings, norm) in enumerate(entries):
        for s in set(x.lower() for x in strings):
            by_folded.setdefault(s, []).append(idx)

    def ci_expected(name, proto):
        """The line the ci-extension must answer, or None."""
        for idx in by_folded.get(name.lower(), ()):
            eproto, strings, norm = entries[idx]
            if proto is None or eproto == proto:
                return entries[idx]
        return None

    def allowed_ci(query, files_ans, iana_ans):
        f = query.split(b" ")
        if len(f) != 3 or f[0] != b"name" or files_ans != b"NOTFOUND":
            return False
        name, proto = f[1], (None if f[2] == b"-" else f[2])
        exp = ci_expected(name, proto)
        if exp is None or iana_ans != exp[2]:
            return False
        # The answer's name or an alias equals the query ignoring ASCII case,
        # and its protocol is the query's one.
        a = iana_ans.split(b" ")
        if len(a) < 2 or not any(s.lower() == name.lower() for s in [a[0]] + a[2:]):
            return False
        return proto is None or a[1].split(b"/", 1)[1] == proto

    stats = OrderedDict()

    def stat(kind):
        return stats.setdefault(kind, {"queries": 0, "identical": 0, "ci": 0, "diff": 0})

    diffs = []
    for i in range(nsingle):
        kind, q, fa, ia = kinds[i], queries[i], files_out[i], iana_out[i]
        st = stat(kind)
        st["queries"] += 1
        if fa == ia:
            st["identical"] += 1
        elif allowed_ci(q, fa, ia):
            st["ci"] += 1
        else:
            st["diff"] += 1
            diffs.append((kind, text(q), text(fa), text(ia)))

    enum_files, enum_iana = files_out[nsingle:], iana_out[nsingle:]
    if has_enum:
        st = stat(kinds[-1])
        st["queries"] += 1
        n = max(len(enum_files), len(enum_iana))
        enum_diffs = 0
        for j in range(n):
            fa = enum_files[j] if j < len(enum_files) else b"(end of enumeration)"
            ia = enum_iana[j] if j < len(enum_iana) else b"(end of enumeration)"
            if fa != ia:
                enum_diffs += 1
                diffs.append((kinds[-1], "enum entry #%d" % (j + 1), text(fa), text(ia)))
        if enum_diffs:
            st["diff"] += enum_diffs
        else:
            st["identical"] += 1

    total = {k: sum(s[k] for s in stats.values()) for k in ("queries", "identical", "ci", "diff")}

    print("nss-diff: libnss_iana vs nss_files over %d dump entries" % len(entries))
    print("%-12s %9s %9s %9s %9s" % ("kind", "queries", "identical", "ci-ext", "differ"))
    for kind, s in stats.items():
        print("%-12s %9d %9d %9d %9d" % (kind, s["queries"], s["identical"], s["ci"], s["diff"]))
    print("%-12s %9d %9d %9d %9d" % ("total", total["queries"], total["identical"],
                                      total["ci"], total["diff"]))
    if has_enum:
        print("enumeration: files %d entries, iana %d entries" % (len(enum_files), len(enum_iana)))
    print("queries: %d" % total["queries"])
    print("identical: %d" % total["identical"])
    print("allowed ci-extension answers: %d" % total["ci"])
    print("differences: %d" % total["diff"])

    if diffs:
        print()
        print("FAIL: %d difference(s); the first %d:" % (len(diffs), min(len(diffs), MAX_SHOWN)))
        for kind, q, fa, ia in diffs[:MAX_SHOWN]:
            print("  [%s] %s" % (kind, q))
            print("      files: %s" % fa)
            print("      iana:  %s" % ia)
        print("total differences: %d" % len(diffs))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
