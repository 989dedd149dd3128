#!/usr/bin/python3
"""The markdown report of bench/run.sh: one table, the ratios to iana, the targets.

usage: report.py TMPDIR     (reads TMPDIR/raw.tsv and TMPDIR/meta.txt)

raw.tsv lines: row figure median min max unit count runs note (tab-separated).
"""
import sys

ROWS = [
    ("iana", "iana"),
    ("files", "files"),
    ("db", "db"),
    ("nscd", "nscd (files)"),
    ("floor", "floor"),
    ("bare", "bare (cheapest real lookup)"),
    ("barelive", "bare + live update"),
    ("barecheck", "bare + live update + checks"),
    ("barecompact", "bare + live update + checks, compact port index"),
    ("touch", "touch (read the key, one load)"),
    ("mapfloor", "mapfloor (floor + open and map the file)"),
    ("iana-real", "iana (real path)"),
    ("bare-real", "bare (real path)"),
    ("barelive-real", "bare + live update (real path)"),
    ("barecheck-real", "bare + live update + checks (real path)"),
    ("barecompact-real", "bare + live update + checks, compact port index (real path)"),
    ("touch-real", "touch (real path)"),
    ("mapfloor-real", "mapfloor (real path)"),
    ("floor-real", "floor (real path)"),
    ("iana-nscd", "iana behind nscd"),
]

# The reference modules each target is also shown for.
REFS = ("bare", "barelive", "barecheck", "barecompact", "touch")

# (figure, header, scale to the shown unit, kind)
COLS = [
    ("name", "name+proto hit ns", 1, "t"),
    ("nameany", "name NULL-proto hit ns", 1, "t"),
    ("name-stat", "name+proto hit ns, a stat(2) before each", 1, "t"),
    ("port", "port hit ns", 1, "t"),
    ("missname", "name miss ns", 1, "t"),
    ("missport", "port miss ns", 1, "t"),
    ("enum-total", "enum total µs", 1e-3, "t"),
    ("enum-entry", "enum ns/entry", 1, "t"),
    ("first", "first lookup µs", 1e-3, "t"),
    ("first-faults", "page faults in the first lookup", 1, "v"),
    ("ir-name", "Ir/call name hit", 1, "v"),
    ("ir-nameany", "Ir/call name NULL-proto hit", 1, "v"),
    ("ir-port", "Ir/call port hit", 1, "v"),
    ("own-name", "module's own Ir/call name hit", 1, "v"),
    ("own-nameany", "module's own Ir/call name NULL-proto hit", 1, "v"),
    ("own-port", "module's own Ir/call port hit", 1, "v"),
    ("ir-coldname", "Ir/call name hit, first touch of each key", 1, "v"),
    ("ir-coldport", "Ir/call port hit, first touch of each key", 1, "v"),
    ("ir-missname", "Ir/call name miss", 1, "v"),
    ("ir-missport", "Ir/call port miss", 1, "v"),
    ("sc-name", "syscalls/call name hit", 1, "s"),
    ("sc-nameany", "syscalls/call name NULL-proto hit", 1, "s"),
    ("sc-port", "syscalls/call port hit", 1, "s"),
    ("sc-missname", "syscalls/call name miss", 1, "s"),
    ("sc-missport", "syscalls/call port miss", 1, "s"),
    ("getent", "fresh getent µs", 1, "t"),
]


def num(x):
    if x is None:
        return "—"
    if abs(x) >= 100:
        return f"{x:,.0f}".replace(",", "\u202f")
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def load(tmp):
    data, counts = {}, {}
    with open(f"{tmp}/raw.tsv") as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) < 8:
                continue
            row, fig = p[0], p[1]
            vals = [float(v) if v else None for v in p[2:5]]
            data[(row, fig)] = vals
            counts[(row, fig)] = (p[6], p[7], p[8] if len(p) > 8 else "")
    return data, counts


def main():
    tmp = sys.argv[1]
    data, counts = load(tmp)
    rows = [(r, label) for r, label in ROWS if any(k[0] == r for k in data)]

    def med(row, fig):
        v = data.get((row, fig))
        return None if v is None else v[0]

    def cell(row, fig, scale, kind):
        v = data.get((row, fig))
        if v is None or v[0] is None:
            return "—"
        m = v[0] * scale
        if kind == "s":
            return f"{m:.3f}".rstrip("0").rstrip(".") if m else "0"
        if kind == "v" or v[1] is None:
            return num(m)
        return f"{num(m)} ({num(v[1] * scale)}–{num(v[2] * scale)})"

    out = []
    out.append("# libnss-iana services lookup benchmark (issue 5)")
    out.append("")
    with open(f"{tmp}/meta.txt") as f:
        out += [line.rstrip("\n") + "  " for line in f]
    out.append("")
    out.append("Medians over the runs, (min–max) in brackets; lookups timed per run of "
               "calls (ns per call), see Counts below.  Ir/call and syscalls/call: "
               "(total for n calls − total for 0 calls) / n, after the same warm-up pass "
               "over the keys in both (\"first touch\": one warm-up call, then one call per key).  "
               "floor answers every key (its misses are hits).  bare is the cheapest module that "
               "really looks keys up (bench/bare.c: exact names, its own heap tables, no checks, "
               "no case fallback, no live update): a lower bound for a real lookup that hits; bare + live "
               "update (libnss_barelive) adds what noticing a replaced file without a system call "
               "costs a lookup (a vDSO time() test and a generation check, as iana); bare + live "
               "update + checks (libnss_barecheck) adds what its lookups would need if its tables "
               "were a file another process wrote: the record index checked against the number of "
               "records, each record verified once (a bit remembers it), the protocol mapped to the "
               "table's own indexes (a map made once per file).  bare + live update + checks, "
               "compact port index (libnss_barecompact) is the same, but by port it finds its row "
               "as iana does, through a bitmap of the ports and the running count of its words "
               "(a rank), in place of a 65,536-row table: the port index that the 256 KiB budget "
               "of iana's lookup data has room for (by name it is barecheck).  touch "
               "(libnss_touch, bench/floor.c) is the floor plus only what every module that answers "
               "must do: read the name (or port) asked for, and one load, at a place the key decides, "
               "from a 64 KiB table (smaller than any that holds the registry's answers); like the "
               "floor it answers every key.  mapfloor (libnss_mapfloor, bench/floor.c) is the floor plus "
               "what a module that maps its database file must do before its first answer: open the "
               "database, fstat it, map it, close it and read its header; later lookups are the floor's.  "
               "iana, bare, "
               "bare + live update, bare + live update + checks, its compact port index, touch, "
               "mapfloor and floor, and their "
               "real-path rows, are timed interleaved: one process, the "
               "sources, and the kinds of lookup, taking turns run by run, so that other work on "
               "the machine falls on all alike; for first lookups and fresh getents, the bare "
               "modules, which parse a text file at load, take their turns apart, after the "
               "others, so that their processes do not run between those the targets compare.")
    out.append("")
    out.append("| source | " + " | ".join(c[1] for c in COLS) + " |")
    out.append("|---|" + "---:|" * len(COLS))
    for r, label in rows:
        out.append(f"| {label} | " + " | ".join(cell(r, *c[0:1], c[2], c[3]) for c in COLS) + " |")
    out.append("")

    out.append("## Ratios to iana (medians; > 1: slower / more than iana)")
    out.append("")
    out.append("| source | " + " | ".join(c[1] for c in COLS) + " |")
    out.append("|---|" + "---:|" * len(COLS))
    for r, label in rows:
        cells = []
        for fig, _, _, _ in COLS:
            a, b = med(r, fig), med("iana", fig)
            if a is None or b is None:
                cells.append("—")
            elif b == 0:
                cells.append("=" if a == 0 else f"+{a:.3g} (iana 0)")
            else:
                q = a / b
                cells.append(f"×{q:.0f}" if q >= 100 else f"×{q:.2f}")
        out.append(f"| {label} | " + " | ".join(cells) + " |")
    out.append("")

    out.append("## The issue's targets for iana")
    out.append("")
    out.append("The last columns hold the same target for bare, the cheapest real lookup, and "
               "for bare + live update: a target that bare misses too is out of reach of a "
               "lookup built like bare (one probe, one answer record), and one that bare + live "
               "update misses, of such a lookup that also notices a replaced file without a "
               "system call; one that bare + live update + checks misses, of such a lookup in a "
               "file that another process wrote, as iana's database is; one that its compact "
               "port index misses by port, of such a lookup in a database that fits iana's "
               "256 KiB of lookup data.  A target that touch "
               "misses is out of reach of any module that answers from the registry: touch does only what every such module must, and less.  "
               "(Not for the first lookup and a fresh "
               "getent: bare parses a text file when it is loaded, which says nothing of what "
               "loading a module must cost.)")
    out.append("")
    out.append("| target | iana | verdict | bare | bare's verdict | bare + live update | its verdict "
               "| bare + live update + checks | its verdict | compact port index | its verdict "
               "| touch | touch's verdict |")
    out.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    missed = []

    def verdict(ok):
        return "not measured" if ok is None else "met" if ok else "**MISSED**"

    def target(name, ok, measured, refs=None):
        """refs: for each of REFS, (ok, measured), or None."""
        cells = [f"{m} | {verdict(k)}" for k, m in refs] if refs else ["— | —"] * len(REFS)
        out.append(f"| {name} | {measured} | {verdict(ok)} | " + " | ".join(cells) + " |")
        if ok is not None and not ok:
            missed.append(name)

    def ratio(a, b):
        return None if a is None or b is None or b == 0 else a / b

    def mn(row, fig):
        v = data.get((row, fig))
        return None if v is None else v[1]

    def minq(r, f, fig):
        q = ratio(mn(r, fig), mn(f, fig))
        return "" if q is None else f" (mins: ×{q:.2f})"

    HITS = (("name", "name+proto hit"), ("nameany", "name NULL-proto hit"), ("port", "port hit"))

    def ratio_target(name, r, f, fig, limit, unit, mins):
        """Row r's median over row f's for fig, at most limit; and bare's."""
        def one(r):
            q = ratio(med(r, fig), med(f, fig))
            return (None if q is None else q <= limit,
                    f"{num(med(r, fig))} vs {num(med(f, fig))} {unit} = "
                    f"×{q:.{3 if abs(q - limit) >= 0.0005 else 4}f}"
                    + (minq(r, f, fig) if mins else "") if q else "—")
        target(name, *one(r), refs=[one(r.replace("iana", b)) for b in REFS])

    for fig, what in HITS:
        ratio_target(f"{what} ≤ 1.25× floor instructions", "iana", "floor", "ir-" + fig, 1.25, "Ir",
                     False)
    for fig, what in HITS:
        ratio_target(f"{what} ≤ 1.3× floor ns", "iana", "floor", fig, 1.3, "ns", True)
    for fig, what in (("sc-name", "name hit"), ("sc-nameany", "name NULL-proto hit"),
                      ("sc-port", "port hit"),
                      ("sc-missname", "name miss"), ("sc-missport", "port miss")):
        v = med("iana", fig)
        target(f"{what}: 0 syscalls", None if v is None else v == 0, f"{v:g}/call" if v is not None else "—")
    for fig, what in HITS:
        ratio_target(f"real path {what} within 5% of floor real path", "iana-real", "floor-real",
                     fig, 1.05, "ns", True)
    for miss, hit, what in (("missname", "name", "name"), ("missport", "port", "port")):
        a, b = med("iana", miss), med("iana", hit)
        target(f"{what} miss ≤ {what} hit (ns)", None if a is None or b is None else a <= b,
               f"{num(a)} vs {num(b)} ns (mins: {num(mn('iana', miss))} vs {num(mn('iana', hit))})")
        a, b = med("iana", "ir-" + miss), med("iana", "ir-" + hit)
        target(f"{what} miss ≤ {what} hit (Ir)", None if a is None or b is None else a <= b,
               f"{num(a)} vs {num(b)} Ir")
    def enum(r):
        v = med(r, "enum-entry")
        return (None if v is None else v <= 50,
                f"{num(v)} ns/entry (floor {num(med('floor', 'enum-entry'))})")

    target("enumeration ≤ 50 ns/entry", *enum("iana"), refs=[enum(b) for b in REFS])
    def first(r, f):
        a, b = med(r, "first"), med(f, "first")
        c, d = mn(r, "first"), mn(f, "first")
        return (None if a is None or b is None else a <= b + 30000,
                f"{num(a / 1e3)} vs {num(b / 1e3)} µs ({(a - b) / 1e3:+.1f}; mins {(c - d) / 1e3:+.1f})"
                if a and b else "—")

    def getent(r, f):
        q = ratio(med(r, "getent"), med(f, "getent"))
        return (None if q is None else q <= 1.05,
                f"{num(med(r, 'getent'))} vs {num(med(f, 'getent'))} µs = ×{q:.3f}" + minq(r, f, "getent")
                if q else "—")

    for r, f, what in (("iana", "floor", ""), ("iana-real", "floor-real", ", real path,")):
        target(f"first lookup{what} ≤ floor's + 30 µs", *first(r, f))
    for r, f, what in (("iana", "floor", "getent -s"), ("iana-real", "floor-real", "getent, real path")):
        target(f"fresh {what} within 5% of floor's", *getent(r, f))
    out.append("")
    out.append(f"Targets missed: {len(missed)}" + (": " + "; ".join(missed) if missed else ""))
    out.append("")

    out.append("## The first lookup against mapfloor")
    out.append("")
    out.append("mapfloor's first lookup costs what a module that answers from a mapped database file "
               "must add to the floor's: the open, fstat, mmap and close of the file and the page "
               "fault on its header (and a module file with a few more instructions).  If mapfloor "
               "misses the target, a module that maps its file cannot meet it in this run; what iana "
               "spends above mapfloor is its own (a larger module to load and relocate, its fork "
               "handlers, validation, more page faults).  Medians of the fresh processes, (mins) in "
               "brackets; these are differences of medians, within the runs' noise of a few µs.")
    out.append("")
    out.append("| | direct | real path |")
    out.append("|---|---|---|")

    def gap(r, f):
        a, b, c, d = med(r, "first"), med(f, "first"), mn(r, "first"), mn(f, "first")
        if None in (a, b, c, d):
            return "—", None
        return f"{(a - b) / 1e3:+.1f} µs ({(c - d) / 1e3:+.1f})", (a - b) / 1e3

    def faults(r, f):
        a, b = med(r, "first-faults"), med(f, "first-faults")
        return "" if a is None or b is None else f"; page faults {a - b:+.0f}"

    for what, r, f in (("mapfloor above floor: the least a module that maps its file adds", "mapfloor", "floor"),
                       ("iana above mapfloor: iana's own", "iana", "mapfloor"),
                       ("iana above floor", "iana", "floor")):
        out.append(f"| {what} | {gap(r, f)[0]}{faults(r, f)} | "
                   f"{gap(r + '-real', f + '-real')[0]}{faults(r + '-real', f + '-real')} |")
    cells = []
    for sfx in ("", "-real"):
        g = gap("mapfloor" + sfx, "floor" + sfx)[1]
        cells.append("not measured" if g is None else "met" if g <= 30 else "**MISSED**")
    out.append(f"| the target (≤ +30 µs) for mapfloor | {cells[0]} | {cells[1]} |")
    out.append("")

    out.append("## Memory and sizes")
    out.append("")
    out.append("Resident KiB in a process (`/proc/self/smaps`, Rss) of the database mapping "
               "and of the module's own mapping, after one lookup and after a full enumeration. "
               "The database pages are clean page cache shared by every process; the kernel may "
               "map a whole page-cache folio (up to 1 MiB here) on one fault, so the mapping's "
               "Rss says more about how the page cache holds the file than about what a lookup "
               "reads.")
    out.append("")
    out.append("| source | database, one lookup | database, enumeration | module, one lookup | "
               "module, enumeration |")
    out.append("|---|---:|---:|---:|---:|")
    for r in ("iana", "floor"):
        vals = [med(r, f) for f in ("mem-one-db", "mem-enum-db", "mem-one-lib", "mem-enum-lib")]
        out.append(f"| {r} | " + " | ".join("—" if v is None else f"{v:.0f} KiB" for v in vals) + " |")
    out.append("")
    out.append("| file | bytes |")
    out.append("|---|---:|")
    for r, fig, what in (("iana", "size-lookup", "iana `services.db`: lookup data (header and lookup sections)"),
                         ("iana", "size-file", "iana `services.db`: whole file (with INFO)"),
                         ("files", "size-file", "the `dump` of it (services(5) text, `files`' /etc/services)"),
                         ("db", "size-file", "nss_db's `services.db` made from the dump (`makedb`)")):
        v = med(r, fig)
        out.append(f"| {what} | {'—' if v is None else f'{v:,.0f}'} |")
    out.append("")

    out.append("## Counts")
    out.append("")
    out.append("| source | calls per timed run × runs | enumerations | first-lookup processes | "
               "callgrind calls | strace calls | getent runs |")
    out.append("|---|---|---|---|---|---|---|")
    for r, label in rows:
        def c(fig, i=0):
            v = counts.get((r, fig))
            return v[i] if v else "—"
        out.append(f"| {label} | {c('name')} × {c('name', 1)} | {c('enum-total', 1)} | "
                   f"{c('first', 1)} | {c('ir-name')} | {c('sc-name')} | {c('getent')} |")
    print("\n".join(out))


main()
