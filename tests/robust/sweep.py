#!/usr/bin/env python3
"""Corruption sweep: the real libnss_iana, through glibc, on damaged databases.

usage: sweep.py --probe SWEEP-PROBE --module LIBNSS_IANA --gen IANA-SERVICESDB
                --db SERVICES.DB --queries QUERIES [--jobs N] [--only TEXT]
                [--save-failures DIR] [--list]

From the database compiled from the full registry, many deterministic
variants are made: truncations, single and multiple bit flips across the
header and every section, header counts and section offsets/sizes set to
out-of-range values, index structures made to point at each other or
backwards, and special files (empty file, directory, FIFO, unreadable file,
missing file, character device).  For each variant:

  * sweep-probe (NSS_IANA_DB = the variant) asks fixed lookups by name and by
    port through glibc, then enumerates; it runs under `timeout 10` and must
    exit 0: no signal, no hang;
  * every lookup answer equals the intact database's answer to the same
    query, or is NOTFOUND or UNAVAIL;
  * the enumeration is a subsequence of the intact enumeration (damaged
    entries may be skipped), or UNAVAIL;
  * `iana-servicesdb check VARIANT` (also under `timeout 10`) exits exactly 1,
    since every variant differs from the intact file.

The header and protocol variants are made twice: as they are, which the
header check rejects at open, and "sealed", with the header check computed
again over the damaged header and names, as anyone who writes a file can.
A sealed variant is a file that lies consistently, so it may answer
anything: it is judged only on the probe (no signal, no hang, every query
answered, an enumeration that ends) and on `check`, which must still exit 1
(the file checksum is left as it was).  But one whose lies are only in the
fields that lookups do not use (`checksum`, `updated`, `n_lines`,
`n_names`: kind "sealed-desc") must answer exactly as the intact file
does, or be refused at open (every answer UNAVAIL, as for an `n_names`
above `name_slots`).

A variant is "identical" when every answer and the whole enumeration are the
intact ones, "degraded" when some answers are NOTFOUND/UNAVAIL or some lines
are missing, otherwise a failure.  Exit 0 when there is no failure, 1
otherwise, 2 on a usage or setup error.  Labels are deterministic: --only
LABEL-SUBSTRING reruns just the matching variants.
"""

import argparse
import collections
import concurrent.futures
import hashlib
import os
import random
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

HEADER_SIZE = 176
SEC_NAMES = ['strings', 'protos', 'entries', 'ranges', 'name_disp', 'name_offs',
             'name_post', 'port_bitmap', 'port_rank', 'port_offs', 'port_post',
             'info', 'reserved']
(STRINGS, PROTOS, ENTRIES, RANGES, NAME_DISP, NAME_OFFS, NAME_POST, PORT_BITMAP,
 PORT_RANK, PORT_OFFS, PORT_POST, INFO, RESERVED) = range(13)
HEADER_FIELDS = ['version', 'header_size', 'file_size', 'checksum', 'updated', 'flags',
                 'n_entries', 'n_lines', 'n_protos', 'n_names', 'name_slots',
                 'name_buckets', 'name_seed', 'n_ports', 'n_ranges', 'reserved']
TIMEOUT = 10
# The header bytes that lookups do not use: checksum, updated, n_lines, n_names.
DESCRIPTIVE = set(range(20, 28)) | set(range(36, 40)) | set(range(44, 48))
M64 = (1 << 64) - 1
M32 = (1 << 32) - 1


def u16(b, o):
    return struct.unpack_from('<H', b, o)[0]


def u32(b, o):
    return struct.unpack_from('<I', b, o)[0]


def u64(b, o):
    return struct.unpack_from('<Q', b, o)[0]


# --- the format, as far as the sweep needs it (FORMAT.md) -----------------

def mix64(x):
    x ^= x >> 33
    x = (x * 0xff51afd7ed558ccd) & M64
    x ^= x >> 33
    x = (x * 0xc4ceb9fe1a85ec53) & M64
    x ^= x >> 33
    return x


def reduce32(x, n):
    return (x * n) >> 32


def check_bytes(h, b):
    """FORMAT.md, section 7: bytes(h, p, n), the last chunk zero-padded."""
    b = bytes(b) + bytes(-len(b) % 8)
    for k in range(0, len(b), 8):
        h = ((h ^ u64(b, k)) * 0x9e3779b97f4a7c15) & M64
        h ^= h >> 29
    return h


def head_check(data):
    """FORMAT.md, section 7.1, of data's header and protocol names; None when
    the names cannot be found (iana_db_open() then rejects the file anyway)."""
    if len(data) < HEADER_SIZE:
        return None
    n_protos = u32(data, 40)
    po, ps = u32(data, 72 + 8 * PROTOS), u32(data, 76 + 8 * PROTOS)
    so, ss = u32(data, 72 + 8 * STRINGS), u32(data, 76 + 8 * STRINGS)
    if n_protos > 8 or ps != 4 * n_protos or po + ps > len(data) or so + ss > len(data) or ss < 24:
        return None
    names = b''
    for i in range(n_protos):
        off = u32(data, po + 4 * i)
        if off > ss - 24:
            return None
        names += data[so + off:data.index(b'\0', so + off) + 1]
    h = bytearray(data[:HEADER_SIZE])
    h[20:24] = bytes(4)
    h[68:72] = bytes(4)
    return mix64(check_bytes(check_bytes(0x4845414443484b31, h), names)) & M32


class Db:
    """The intact database, parsed."""

    def __init__(self, data):
        self.data = data
        self.h = {f: u32(data, 8 + 4 * i) for i, f in enumerate(HEADER_FIELDS)}
        self.sec = [(u32(data, 72 + 8 * i), u32(data, 76 + 8 * i)) for i in range(13)]
        so, ss = self.sec[STRINGS]
        self.strings = data[so:so + ss]
        po = self.sec[PROTOS][0]
        self.protos = [self.cstr(u32(data, po + 4 * i)) for i in range(self.h['n_protos'])]
        ro = self.sec[RANGES][0]
        self.ranges = {u16(data, ro + 4 * i): u16(data, ro + 4 * i + 2)
                       for i in range(self.h['n_ranges'])}
        self.entries = []
        eo = self.sec[ENTRIES][0]
        for i in range(self.h['n_entries']):
            word = u32(data, eo + 8 * i)
            first = u16(data, eo + 8 * i + 4)
            off = word & 0x3fffff
            names, p = [], off
            for _ in range(1 + (word >> 26)):
                s = self.cstr(p)
                names.append(s)
                p += len(s) + 1
            last = self.ranges[i] if word & (1 << 25) else first
            self.entries.append({'idx': i, 'word': word, 'first': first, 'last': last,
                                 'proto': self.protos[(word >> 22) & 7], 'names': names,
                                 'block': (off, p - off), 'pos': eo + 8 * i})

    def cstr(self, off):
        end = self.strings.index(b'\0', off)
        return self.strings[off:end].decode('ascii')

    def name_slot(self, name):
        f = name.encode('ascii').translate(bytes.maketrans(
            b'ABCDEFGHIJKLMNOPQRSTUVWXYZ', b'abcdefghijklmnopqrstuvwxyz'))
        f = f.ljust(16, b'\0')
        h = mix64(mix64(u64(f, 0) ^ self.h['name_seed']) ^ u64(f, 8))
        bucket = reduce32(h >> 32, self.h['name_buckets'])
        disp = u16(self.data, self.sec[NAME_DISP][0] + 2 * bucket)
        x = (h & M32) ^ ((disp * 0x85ebca6b) & M32)
        x ^= x >> 16
        x = (x * 0x7feb352d) & M32
        x ^= x >> 15
        return bucket, reduce32(x, self.h['name_slots'])

    def port_rank(self, port):
        bm = self.sec[PORT_BITMAP][0]
        word = u64(self.data, bm + 8 * (port >> 6))
        if not word >> (port & 63) & 1:
            return None
        below = word & ((1 << (port & 63)) - 1)
        return u16(self.data, self.sec[PORT_RANK][0] + 2 * (port >> 6)) + bin(below).count('1')

    def find_entry(self, name, port, proto):
        for e in self.entries:
            if e['names'][0] == name and e['proto'] == proto and \
               e['first'] <= port <= e['last']:
                return e
        return None


# --- running one variant ---------------------------------------------------

class Runner:
    def __init__(self, args, workdir):
        self.args = args
        self.workdir = workdir
        self.env = dict(os.environ)
        moddir = os.path.dirname(os.path.abspath(args.module))
        ld = self.env.get('LD_LIBRARY_PATH')
        self.env['LD_LIBRARY_PATH'] = moddir + (':' + ld if ld else '')
        self.as_nobody = []
        if os.geteuid() == 0:
            self.as_nobody = ['setpriv', '--reuid=nobody', '--regid=nogroup',
                              '--clear-groups']

    def run(self, cmd, db, nobody=False):
        env = dict(self.env, NSS_IANA_DB=db)
        full = (self.as_nobody if nobody else []) + ['timeout', str(TIMEOUT)] + cmd
        try:
            p = subprocess.run(full, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=TIMEOUT + 20)
        except subprocess.TimeoutExpired:
            return 'hang', b'', b'(timeout did not stop it)'
        return p.returncode, p.stdout, p.stderr

    def probe(self, db, nobody=False):
        return self.run([self.args.probe, self.args.queries], db, nobody)

    def check(self, db, nobody=False):
        return self.run([self.args.gen, 'check', db], db, nobody)


def status_text(rc):
    if rc == 'hang':
        return 'hang (not stopped by timeout)'
    if rc == 124:
        return 'timed out after %d s (hang)' % TIMEOUT
    if isinstance(rc, int) and rc < 0:
        return 'killed by signal %s' % signal.Signals(-rc).name
    if isinstance(rc, int) and rc > 128 and rc - 128 < 65:
        return 'exit %d (signal %d?)' % (rc, rc - 128)
    return 'exit %s' % rc


def parse_probe(out):
    q, e = [], []
    for line in out.decode('utf-8', 'replace').splitlines():
        if line.startswith('Q '):
            key, _, ans = line[2:].partition(': ')
            q.append((key, ans))
        elif line.startswith('E '):
            e.append(line[2:])
        else:
            q.append(('?', line))
    return q, e


def is_subsequence(sub, full):
    it = iter(full)
    return all(any(x == y for y in it) for x in sub)


class Baseline:
    def __init__(self, q, e):
        self.q = q
        self.keys = [k for k, _ in q]
        self.answers = dict(q)
        self.enum = e[:-1]
        self.lines = set(self.enum)


def judge(base, rc, out, err, sealed=False):
    """('identical'|'degraded'|'fail', [reasons]).  sealed: True for a file that
    lies consistently, whose answers are not judged; 'desc' for one that lies
    only where lookups do not look (see the top)."""
    if rc != 0:
        return 'fail', ['probe: %s; stderr: %s' % (status_text(rc),
                                                   err.decode('utf-8', 'replace').strip()[:300])]
    q, e = parse_probe(out)
    problems, degraded = [], False
    if [k for k, _ in q] != base.keys:
        problems.append('probe: the queries answered are not the ones asked')
    if sealed == 'desc':
        # Refused at open: every lookup UNAVAIL, and an enumeration of nothing.
        unavail = all(re.fullmatch(r'UNAVAIL \d+', a) for _, a in q) and len(e) == 1 and \
            (e[0] == 'END' or re.fullmatch(r'UNAVAIL \d+', e[0]))
        if q == base.q and e[:-1] == base.enum and e[-1:] == ['END']:
            return 'identical', []
        if unavail and not problems:
            return 'degraded', []
        return 'fail', problems + ['a lie in a field that lookups do not use changed the '
                                   'answers (%d of %d differ, %d enumeration lines of %d)' %
                                   (sum(1 for x, y in zip(q, base.q) if x != y), len(q),
                                    len(e) - 1, len(base.enum))]
    if sealed:
        if not e or not (e[-1] == 'END' or re.fullmatch(r'UNAVAIL \d+', e[-1])):
            problems.append('enumeration did not end properly (last: %r)' % (e[-1] if e else None))
        if problems:
            return 'fail', problems
        return ('identical' if q == base.q and e[:-1] == base.enum else 'degraded'), []
    for key, ans in q:
        want = base.answers.get(key)
        if ans == want:
            continue
        if ans == 'NOTFOUND' or re.fullmatch(r'UNAVAIL \d+', ans):
            degraded = True
            continue
        where = ('a genuine line of the intact database' if ans in base.lines
                 else 'not a line of the intact database')
        problems.append('wrong answer to %s: got "%s" (%s), intact: "%s"' % (key, ans, where, want))
    if not e or not (e[-1] == 'END' or re.fullmatch(r'UNAVAIL \d+', e[-1])):
        problems.append('enumeration did not end properly (last: %r)' % (e[-1] if e else None))
    else:
        body = e[:-1]
        if body != base.enum:
            degraded = True
            if not is_subsequence(body, base.enum):
                bad = [x for x in body if x not in base.lines][:3]
                problems.append('enumeration is not a subsequence of the intact one '
                                '(%d lines; lines not in the intact enumeration: %s)' %
                                (len(body), bad or 'none, but out of order or repeated'))
    if problems:
        return 'fail', problems
    return ('degraded' if degraded else 'identical'), []


# --- the variants ------------------------------------------------------------

class Variants:
    """Ordered, de-duplicated variants: (kind, label, recipe).

    A recipe is (length, ((offset, bytes), ...)): the intact file cut or zero-extended
    to length, then the bytes patched; None for a special file.  Recipes, not
    copies, are kept, so thousands of variants of a large file cost little.
    """

    def __init__(self, orig, sections):
        self.orig = bytes(orig)
        self.sections = sections
        self.items = []
        self.seen = {hashlib.sha1(repr((len(self.orig), ())).encode()).digest()}

    def add(self, kind, label, length, patches=None):
        runs = []   # [(offset, bytes)] of the bytes that really change, in order
        for o in sorted(patches or {}):
            b = patches[o]
            if o >= length or b == (self.orig[o] if o < len(self.orig) else 0):
                continue
            if runs and runs[-1][0] + len(runs[-1][1]) == o:
                runs[-1][1].append(b)
            else:
                runs.append((o, bytearray([b])))
        runs = tuple((o, bytes(b)) for o, b in runs)
        key = hashlib.sha1(repr((length, runs)).encode()).digest()
        if key in self.seen:
            return
        self.seen.add(key)
        self.items.append((kind, label, (length, runs)))

    def special(self, kind, label):
        self.items.append((kind, label, None))

    def flip(self, kind, label, bits):
        patches = {}
        for off, bit in bits:
            patches[off] = patches.get(off, self.orig[off]) ^ (1 << bit)
        self.add(kind, label + ' ' + ','.join('%d:%d (%s)' % (o, b, self.where(o))
                                           for o, b in bits),
                 len(self.orig), patches)

    def seal(self, kinds):
        """A sealed copy of every variant of these kinds (see the top)."""
        for kind, label, recipe in list(self.items):
            if kind not in kinds or recipe is None:
                continue
            length, runs = recipe
            d = materialize(self.orig, recipe)
            hc = head_check(d)
            if hc is None or hc == u32(d, 68):
                continue
            patches = {o + k: x for o, b in runs for k, x in enumerate(b)}
            desc = all(o in DESCRIPTIVE for o in patches)
            patches.update({68 + k: x for k, x in enumerate(p32(hc))})
            self.add('sealed-desc' if desc else 'sealed', label + ' (sealed)', length, patches)

    def where(self, off):
        """An offset as section+offset, stable when an unrelated section grows."""
        if off < HEADER_SIZE:
            return 'header+%d' % off
        for i, (o, s) in enumerate(self.sections):
            if o <= off < o + s:
                return '%s+%d' % (SEC_NAMES[i], off - o)
        return 'padding'

    def put(self, kind, label, edits):
        """edits: [(offset, bytes)]"""
        patches = {}
        for off, b in edits:
            for k, x in enumerate(b):
                patches[off + k] = x
        self.add(kind, label, len(self.orig), patches)


def materialize(orig, recipe):
    length, runs = recipe
    d = bytearray(orig[:length])
    d.extend(bytes(length - len(d)))
    for o, b in runs:
        d[o:o + len(b)] = b
    return bytes(d)


def some_bits(k, count):
    """count distinct bit numbers for byte k, varying with k."""
    return {(k * 3 + j * 5) % 8 for j in range(count)}


def p16(v):
    return struct.pack('<H', v & 0xffff)


def p32(v):
    return struct.pack('<I', v & M32)


def make_variants(db, info_bounds, targets):
    data = db.data
    n = len(data)
    v = Variants(data, db.sec)
    rnd = random.Random(20260817)
    nonempty = [(i, o, s) for i, (o, s) in enumerate(db.sec) if s > 0]

    # Truncation.
    cuts = {0, 1, 2, 4, 7, 8, 9, 12, 16, 20, 24, 28, 32, 40, 48, 56, 64, 68, 72, 73,
            100, 128, 150, 172, 175, 176, 177, 184, n - 1, n - 2, n - 8}
    for b in info_bounds:
        cuts.update({b - 1, b, b + 1})
    cuts.update(n * i // 51 for i in range(1, 51))
    for c in sorted(x for x in cuts if 0 <= x < n):
        v.add('truncate', 'truncate to %d bytes' % c, c)
    for extra in (1, 8, 4096):
        v.add('extend', 'append %d zero bytes' % extra, n + extra)

    # Single bit flips: every bit of the header; spread across every section;
    # every bit of the alignment padding; every bit of the structures the
    # queries go through.
    for off in range(0, HEADER_SIZE, 4):
        for bit in (0, 1, 2, 5, 8, 16, 24, 31):
            v.flip('flip1-header', 'flip1 header', [(off + bit // 8, bit % 8)])
    for i, o, s in nonempty:
        if i == PROTOS and s <= 64:
            pos = [(o + k // 8, k % 8) for k in range(s * 8)]
        elif s <= 256:
            pos = [(o + k, b) for k in range(s) for b in some_bits(k, 2)]
        else:
            pos = [(o + s * k // 32, k % 8) for k in range(32)]
            pos += [(o + rnd.randrange(s), rnd.randrange(8)) for _ in range(16)]
            pos += [(o + s - 1 - k, k) for k in range(8)]
        for p in pos:
            v.flip('flip1-' + SEC_NAMES[i], 'flip1 ' + SEC_NAMES[i], [p])
    # The gaps between the header and the sections (alignment padding).
    at = HEADER_SIZE
    for o, s in sorted((o, s) for _, o, s in nonempty) + [(n, 0)]:
        for off in range(at, o):
            v.flip('flip1-padding', 'flip1 padding', [(off, off % 8)])
        at = max(at, o + s)
    for what, spans in targets:
        for o, s, nbits in spans:
            for off in range(o, o + s):
                # Two bits a byte and the ASCII case bit, or every bit.
                bits = range(8) if nbits == 8 else some_bits(off, nbits) | {5}
                for bit in sorted(bits):
                    v.flip('flip1-target', 'flip1 %s' % what, [(off, bit)])

    # Multiple bit flips: anywhere, within one section, within one target.
    for k in (2, 3, 8):
        for _ in range(25):
            v.flip('flip%d' % k, 'flip%d anywhere' % k,
                   sorted((rnd.randrange(n), rnd.randrange(8)) for _ in range(k)))
        for i, o, s in nonempty:
            for _ in range(4):
                v.flip('flip%d' % k, 'flip%d %s' % (k, SEC_NAMES[i]),
                       sorted((o + rnd.randrange(s), rnd.randrange(8)) for _ in range(k)))
        for what, spans in targets:
            span = [off for o, s, _ in spans for off in range(o, o + s)]
            for _ in range(3):
                v.flip('flip%d' % k, 'flip%d %s' % (k, what),
                       sorted((rnd.choice(span), rnd.randrange(8)) for _ in range(k)))

    # Header fields set to out-of-range, huge, zero and neighbouring values.
    v.put('header', 'magic zeroed', [(0, bytes(8))])
    v.put('header', 'magic lowercase', [(0, b'ianasvdb')])
    for i, f in enumerate(HEADER_FIELDS):
        off = 8 + 4 * i
        old = u32(data, off)
        for val in (0, 1, M32, 0x7fffffff, 0x80000000, 0xffff, 0x10000, n, n + 1, n - 1,
                    old + 1, old - 1, old * 2):
            v.put('header', 'header %s = %#x' % (f, val & M32), [(off, p32(val))])
    for i in range(13):
        oo, so = 72 + 8 * i, 76 + 8 * i
        o, s = db.sec[i]
        name = SEC_NAMES[i]
        for val in (0, 1, 175, 176, n - 1, n, n + 1, M32, 0x80000000, o + 1, o - 1, o + 8,
                    o - 8, max(o - s, 0)):
            v.put('header', 'section %s offset = %#x' % (name, val & M32), [(oo, p32(val))])
        for val in (0, 1, 2, M32, 0x80000000, n, n - o, n - o + 1, s + 1, s - 1, s + 2,
                    s - 2, s * 2):
            v.put('header', 'section %s size = %#x' % (name, val & M32), [(so, p32(val))])
        # Point the section at another one, size and all.
        for j in (i - 1, i + 1, STRINGS):
            if 0 <= j < 13 and j != i:
                v.put('header', 'section %s = section %s' % (name, SEC_NAMES[j]),
                      [(oo, p32(db.sec[j][0])), (so, p32(db.sec[j][1]))])
                v.put('header', 'section %s offset = section %s offset' % (name, SEC_NAMES[j]),
                      [(oo, p32(db.sec[j][0]))])
    # Consistent-looking lies: a count and its section's size changed together.
    for cnt, sec, unit, extra in (('n_entries', ENTRIES, 8, 0), ('n_protos', PROTOS, 4, 0),
                                  ('n_ranges', RANGES, 4, 0), ('name_buckets', NAME_DISP, 2, 0),
                                  ('name_slots', NAME_OFFS, 2, 1), ('n_ports', PORT_OFFS, 2, 1)):
        off = 8 + 4 * HEADER_FIELDS.index(cnt)
        old = db.h[cnt]
        for new in (old - 1, old - 2, old // 2, 1):
            if new < 0:
                continue
            v.put('header', '%s = %d with its section size' % (cnt, new),
                  [(off, p32(new)), (76 + 8 * sec, p32((new + extra) * unit))])
        v.put('header', '%s = 0 with its section size' % cnt,
              [(off, p32(0)), (76 + 8 * sec, p32(extra * unit))])
    v.put('header', 'name_slots = 0, name index emptied',
          [(8 + 4 * HEADER_FIELDS.index('name_slots'), p32(0)),
           (8 + 4 * HEADER_FIELDS.index('n_names'), p32(0)),
           (76 + 8 * NAME_OFFS, p32(2))])

    index_variants(db, v, targets)

    # The header and protocol variants again, sealed as a writer would seal them.
    v.seal(('header', 'protos', 'flip1-header', 'flip1-protos'))

    # Special files.
    for kind in ('empty', 'directory', 'fifo', 'unreadable', 'missing', 'chardev',
                 'symlink-loop'):
        v.special('special', kind)
    return v.items


def index_variants(db, v, targets):
    """Index entries made to point at each other, backwards, or out of range."""
    data = db.data
    h = db.h

    def offs_edits(kind, sec, slot, npost, what):
        base = db.sec[sec][0]
        at = base + 2 * slot
        lo, hi = u16(data, at), u16(data, at + 2)
        nm = SEC_NAMES[sec]
        v.put(kind, '%s[%d] (%s) = next' % (nm, slot, what), [(at, p16(hi))])
        v.put(kind, '%s[%d+1] (%s) = this' % (nm, slot, what), [(at + 2, p16(lo))])
        v.put(kind, '%s[%d+1] (%s) = this - 1' % (nm, slot, what), [(at + 2, p16(lo - 1))])
        v.put(kind, '%s[%d] (%s) = next + 1' % (nm, slot, what), [(at, p16(hi + 1))])
        v.put(kind, '%s[%d] (%s) = 0xffff' % (nm, slot, what), [(at, p16(0xffff))])
        v.put(kind, '%s[%d+1] (%s) = 0xffff' % (nm, slot, what), [(at + 2, p16(0xffff))])
        v.put(kind, '%s[%d+1] (%s) = npost + 1' % (nm, slot, what), [(at + 2, p16(npost + 1))])
        v.put(kind, '%s[%d] (%s) = 0' % (nm, slot, what), [(at, p16(0))])
        v.put(kind, '%s[%d..%d] (%s) swapped' % (nm, slot, slot + 1, what),
              [(at, p16(hi)), (at + 2, p16(lo))])
        if lo > 0:
            v.put(kind, '%s[%d] (%s) = previous slot start' % (nm, slot, what),
                  [(at, p16(u16(data, at - 2)))])
        return lo, hi

    def post_edits(kind, sec, lo, hi, what):
        base = db.sec[sec][0]
        nm = SEC_NAMES[sec]
        ne = h['n_entries']
        for j in range(lo, hi):
            at = base + 2 * j
            e = u16(data, at)
            for val, why in ((0xffff, '0xffff'), (ne, 'n_entries'), (ne - 1, 'last entry'),
                             (0, 'entry 0'), (e + 1, 'next entry'), (e - 1, 'previous entry')):
                v.put(kind, '%s[%d] (%s) = %s' % (nm, j, what, why), [(at, p16(val))])
            if j > lo:
                v.put(kind, '%s[%d] (%s) = the one before' % (nm, j, what),
                      [(at, p16(u16(data, at - 2)))])
                v.put(kind, '%s[%d,%d] (%s) swapped' % (nm, j - 1, j, what),
                      [(at - 2, p16(e)), (at, p16(u16(data, at - 2)))])
            if j + 1 < hi:
                v.put(kind, '%s[%d] (%s) = the one after' % (nm, j, what),
                      [(at, p16(u16(data, at + 2)))])
        if hi - lo >= 1:
            v.put(kind, '%s[%d..%d) (%s) all the same entry' % (nm, lo, hi, what),
                  [(base + 2 * j, p16(u16(data, base + 2 * lo))) for j in range(lo, hi)])

    # The name index, for the target names.
    nname = db.sec[NAME_POST][1] // 2
    disp_base = db.sec[NAME_DISP][0]
    for name in targets.names:
        bucket, slot = db.name_slot(name)
        lo, hi = offs_edits('index-name', NAME_OFFS, slot, nname, name)
        post_edits('index-name', NAME_POST, lo, hi, name)
        at = disp_base + 2 * bucket
        d = u16(data, at)
        for val, why in ((0, '0'), (0xffff, '0xffff'), (d + 1, 'disp + 1'), (d - 1, 'disp - 1'),
                         (u16(data, at + 2) if bucket + 1 < h['name_buckets'] else d ^ 1,
                          'next bucket\'s')):
            v.put('index-name', 'name_disp[%d] (%s) = %s' % (bucket, name, why),
                  [(at, p16(val))])
    # Whole-array damage.
    for sec, nm in ((NAME_OFFS, 'name_offs'), (NAME_POST, 'name_post'), (NAME_DISP, 'name_disp'),
                    (PORT_OFFS, 'port_offs'), (PORT_POST, 'port_post'), (PORT_RANK, 'port_rank')):
        o, s = db.sec[sec]
        arr = [u16(data, o + 2 * k) for k in range(s // 2)]
        kind = 'index-' + nm.split('_')[0]
        v.put(kind, '%s all 0' % nm, [(o, bytes(s))])
        v.put(kind, '%s all 0xffff' % nm, [(o, b'\xff' * s)])
        v.put(kind, '%s all = its middle value' % nm, [(o, p16(arr[len(arr) // 2]) * (s // 2))])
        v.put(kind, '%s reversed' % nm, [(o, b''.join(p16(x) for x in reversed(arr)))])
        v.put(kind, '%s shifted by one' % nm, [(o, b''.join(p16(x) for x in arr[1:] + arr[:1]))])
        v.put(kind, '%s descending from the end' % nm,
              [(o, b''.join(p16(len(arr) - k) for k in range(len(arr))))])
    for o, s, nm in ((db.sec[NAME_OFFS][0], db.sec[NAME_OFFS][1], 'name_offs'),
                     (db.sec[PORT_OFFS][0], db.sec[PORT_OFFS][1], 'port_offs')):
        last = o + s - 2
        for val in (0, 0xffff, u16(data, last) - 1, u16(data, last) + 1):
            v.put('index-' + nm[:4], '%s last = %#x' % (nm, val & 0xffff), [(last, p16(val))])
        # Every slot's list is the whole postings array, or a loop back to 0.
        v.put('index-' + nm[:4], '%s: every list is everything' % nm,
              [(o + 2 * k, p16(0 if k % 2 == 0 else u16(data, last))) for k in range(s // 2)])

    # The port index, for the target ports.
    nport = db.sec[PORT_POST][1] // 2
    bm, rk = db.sec[PORT_BITMAP][0], db.sec[PORT_RANK][0]
    for port in targets.ports:
        r = db.port_rank(port)
        w = port >> 6
        word = u64(data, bm + 8 * w)
        v.put('index-port', 'port_bitmap bit %d cleared' % port,
              [(bm + 8 * w, struct.pack('<Q', word & ~(1 << (port & 63))))])
        for nb in (port - 1, port + 1):
            if 0 <= nb < 65536 and nb >> 6 == w and not word >> (nb & 63) & 1:
                v.put('index-port', 'port_bitmap bit %d set (next to %d)' % (nb, port),
                      [(bm + 8 * w, struct.pack('<Q', word | 1 << (nb & 63)))])
        v.put('index-port', 'port_bitmap word %d all ones (%d)' % (w, port),
              [(bm + 8 * w, b'\xff' * 8)])
        rv = u16(data, rk + 2 * w)
        for val, why in ((0, '0'), (0xffff, '0xffff'), (rv + 1, '+1'), (rv - 1, '-1'),
                         (h['n_ports'], 'n_ports'), (h['n_ports'] - 1, 'n_ports - 1')):
            v.put('index-port', 'port_rank[%d] (%d) = %s' % (w, port, why),
                  [(rk + 2 * w, p16(val))])
        if r is None:
            continue
        lo, hi = offs_edits('index-port', PORT_OFFS, r, nport, 'port %d' % port)
        post_edits('index-port', PORT_POST, lo, hi, 'port %d' % port)
    v.put('index-port', 'port_bitmap all ones', [(bm, b'\xff' * 8192)])
    v.put('index-port', 'port_bitmap all zero', [(bm, bytes(8192))])

    # RANGES records made to name the same entry, go backwards, end early.
    ro = db.sec[RANGES][0]
    recs = [(u16(data, ro + 4 * i), u16(data, ro + 4 * i + 2)) for i in range(h['n_ranges'])]
    for i, (ent, last) in enumerate(recs):
        at = ro + 4 * i
        first = db.entries[ent]['first']
        for val, why in ((first, 'first'), (first - 1, 'first - 1'), (0xffff, '0xffff'),
                         (last + 1, 'last + 1'), (0, '0')):
            v.put('ranges', 'ranges[%d] last = %s' % (i, why), [(at + 2, p16(val))])
        for val, why in ((0xffff, '0xffff'), (h['n_entries'], 'n_entries'), (ent + 1, 'entry + 1'),
                         (ent - 1, 'entry - 1')):
            v.put('ranges', 'ranges[%d] entry = %s' % (i, why), [(at, p16(val))])
        if i > 0:
            v.put('ranges', 'ranges[%d] entry = the one before' % i,
                  [(at, p16(recs[i - 1][0]))])
            v.put('ranges', 'ranges[%d,%d] swapped' % (i - 1, i),
                  [(at - 4, p16(ent) + p16(last)),
                   (at, p16(recs[i - 1][0]) + p16(recs[i - 1][1]))])
    v.put('ranges', 'ranges all the same record', [(ro, (p16(recs[0][0]) + p16(recs[0][1])) *
                                                     len(recs))])

    # Entries: fields changed, entries copied over and swapped.
    so, ss = db.sec[STRINGS]
    for e in targets.entries:
        at, word, i = e['pos'], e['word'], e['idx']

        def w(new, why, e=e, at=at):
            v.put('entries', 'entry %d (%s %d/%s) %s' % (e['idx'], e['names'][0], e['first'],
                                                         e['proto'], why), [(at, p32(new))])
        blk = word & ~0x3fffff
        for val, why in ((ss - 1, 'last NUL'), (ss, 'end of strings'), (0x3fffff, 'max'),
                         (ss - 2, 'last string'), (0, 'strings start')):
            w(blk | val, 'block offset = %s' % why)
        w(word | 63 << 26, 'alias count 63')
        w(word & ~(63 << 26), 'alias count 0')
        w((word & ~(7 << 22)) | 7 << 22, 'protocol 7')
        w((word & ~(7 << 22)) | h['n_protos'] << 22, 'protocol n_protos')
        w(word ^ 1 << 22, 'protocol tcp/udp swapped')
        w(word ^ 1 << 25, 'range bit toggled')
        other = db.entries[i ^ 1] if (i ^ 1) < h['n_entries'] else db.entries[i - 1]
        w(other['word'], 'word of entry %d' % other['idx'])
        v.put('entries', 'entry %d copied from entry %d' % (i, other['idx']),
              [(at, data[other['pos']:other['pos'] + 8])])
        v.put('entries', 'entries %d and %d swapped' % (i, other['idx']),
              [(at, data[other['pos']:other['pos'] + 8]),
               (other['pos'], data[at:at + 8])])
        v.put('entries', 'entry %d port = port + 1' % i, [(at + 4, p16(e['first'] + 1))])
        v.put('entries', 'entry %d check + 1' % i, [(at + 6, p16(u16(data, at + 6) + 1))])
        # The string block: case changed, NULs removed.
        bo, bl = e['block']
        blk_bytes = data[so + bo:so + bo + bl]
        v.put('entries', 'entry %d name upper-cased' % i, [(so + bo, blk_bytes.upper())])
        v.put('entries', 'entry %d block NULs removed' % i,
              [(so + bo, blk_bytes.replace(b'\0', b'x'))])
    v.put('entries', 'entries all zero', [(db.sec[ENTRIES][0], bytes(db.sec[ENTRIES][1]))])

    # PROTOS and STRINGS.
    po = db.sec[PROTOS][0]
    pr = [u32(data, po + 4 * k) for k in range(h['n_protos'])]
    v.put('protos', 'protos tcp and udp swapped', [(po, p32(pr[1]) + p32(pr[0]))])
    for k in range(h['n_protos']):
        for val, why in ((ss - 1, 'last NUL'), (ss, 'end of strings'), (M32, '0xffffffff'),
                         (pr[(k + 1) % len(pr)], 'next protocol'), (pr[k] + 1, '+1')):
            v.put('protos', 'protos[%d] = %s' % (k, why), [(po + 4 * k, p32(val))])
    long_at = next(m.start() for m in re.finditer(rb'[^\0]{16,}', db.strings)) \
        if re.search(rb'[^\0]{16,}', db.strings) else None
    if long_at is not None:
        v.put('protos', 'protos[0] = a string of 16+ bytes', [(po, p32(long_at))])
    v.put('strings', 'strings last byte not NUL', [(so + ss - 1, b'x')])
    v.put('strings', 'strings all NULs removed', [(so, db.strings.replace(b'\0', b'x'))])
    v.put('strings', 'strings all zero', [(so, bytes(ss))])
    v.put('strings', 'strings protocol names upper-cased', [(so, db.strings[:16].upper())])


class Targets(list):
    """[(what, [(offset, size, bits a byte)])] plus the names, ports and entries they come from."""


def make_targets(db):
    t = Targets()
    t.names = ['http', 'www', 'ssh', 'x11', '3Com-nsd', 'EtherNet-IP-1', 'tcpmux', 'inspider',
               'domain', 'no-such-service']
    t.ports = [80, 22, 6031, 9, 1, 49150, 2222, 4]
    t.entries = []
    so = db.sec[STRINGS][0]
    # (name, port, proto, every bit of the record or two a byte)
    for name, port, proto, allbits in (('http', 80, 'tcp', True), ('http', 80, 'udp', False),
                                       ('ssh', 22, 'tcp', True), ('x11', 6000, 'tcp', True),
                                       ('EtherNet-IP-1', 2222, 'tcp', True),
                                       ('tcpmux', 1, 'tcp', False),
                                       ('inspider', 49150, 'tcp', False),
                                       ('domain', 53, 'udp', False)):
        e = db.find_entry(name, port, proto)
        if e is None:
            raise SystemExit('setup: no entry %s %d/%s in the database' % (name, port, proto))
        t.entries.append(e)
        t.append(('entry %d (%s %d/%s)' % (e['idx'], name, port, proto),
                  [(e['pos'], 8, 8 if allbits else 2),
                   (so + e['block'][0], e['block'][1], 2 if allbits else 1)]))
        if e['word'] & 1 << 25:
            ro = db.sec[RANGES][0]
            k = sorted(db.ranges).index(e['idx'])
            t.append(('ranges record of entry %d' % e['idx'], [(ro + 4 * k, 4, 8)]))
    for name in ('http', 'ssh', 'x11'):
        bucket, slot = db.name_slot(name)
        o = db.sec[NAME_OFFS][0] + 2 * slot
        lo, hi = u16(db.data, o), u16(db.data, o + 2)
        t.append(('name index of %s' % name,
                  [(db.sec[NAME_DISP][0] + 2 * bucket, 2, 8), (o, 4, 8),
                   (db.sec[NAME_POST][0] + 2 * lo, 2 * (hi - lo), 8)]))
    for port in (80, 6031):
        r = db.port_rank(port)
        o = db.sec[PORT_OFFS][0] + 2 * r
        lo, hi = u16(db.data, o), u16(db.data, o + 2)
        t.append(('port index of %d' % port,
                  [(db.sec[PORT_BITMAP][0] + 8 * (port >> 6), 8, 2),
                   (db.sec[PORT_RANK][0] + 2 * (port >> 6), 2, 8), (o, 4, 8),
                   (db.sec[PORT_POST][0] + 2 * lo, 2 * (hi - lo), 8)]))
    return t


def failure_class(why):
    if why.startswith('wrong answer'):
        proto = why.split(':')[0].split()[-1]
        return 'wrong lookup answer, %s, proto %s' % (
            'another genuine line' if 'a genuine line' in why else 'NOT a genuine line',
            'NULL' if proto == '-' else proto)
    if why.startswith('enumeration is not'):
        return 'enumeration not a subsequence of the intact one'
    if why.startswith('check:'):
        return 'iana-servicesdb check: ' + why.split(';')[0][7:]
    if why.startswith('probe:'):
        return 'probe: ' + why.split(';')[0][7:]
    return why[:60]


# --- main --------------------------------------------------------------------

def run_variant(runner, base, workdir, num, kind, label, recipe):
    nobody = False
    data = None if recipe is None else materialize(base.orig, recipe)
    path = os.path.join(workdir, 'v%05d.db' % num)
    cleanup = None
    if data is not None:
        with open(path, 'wb') as f:
            f.write(data)
    elif label == 'empty':
        open(path, 'wb').close()
    elif label == 'directory':
        os.mkdir(path)
        cleanup = lambda: os.rmdir(path)
    elif label == 'fifo':
        os.mkfifo(path)
    elif label == 'unreadable':
        with open(path, 'wb') as f:
            f.write(base.orig)
        os.chmod(path, 0)
        nobody = True
    elif label == 'missing':
        pass
    elif label == 'chardev':
        os.symlink('/dev/zero', path)
    elif label == 'symlink-loop':
        os.symlink(os.path.basename(path), path)
    if cleanup is None:
        def cleanup():
            if os.path.lexists(path):
                os.unlink(path)
    try:
        prc, pout, perr = runner.probe(path, nobody)
        crc, cout, cerr = runner.check(path, nobody)
        verdict, why = judge(base, prc, pout, perr,
                             {'sealed': True, 'sealed-desc': 'desc'}.get(kind, False))
        if crc != 1:
            verdict = 'fail'
            why.append('check: %s (expected exit 1); stdout: %s; stderr: %s' % (
                status_text(crc), cout.decode('utf-8', 'replace').strip()[:200],
                cerr.decode('utf-8', 'replace').strip()[:200]))
        if verdict == 'fail' and runner.args.save_failures and data is not None:
            os.makedirs(runner.args.save_failures, exist_ok=True)
            shutil.copy(path, os.path.join(runner.args.save_failures, 'v%05d.db' % num))
    finally:
        cleanup()
    return num, kind, label, verdict, why


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--probe', required=True)
    ap.add_argument('--module', required=True)
    ap.add_argument('--gen', required=True)
    ap.add_argument('--db', required=True)
    ap.add_argument('--queries', required=True)
    ap.add_argument('--jobs', type=int, default=2)
    ap.add_argument('--only', default=None)
    ap.add_argument('--save-failures', default=None)
    ap.add_argument('--list', action='store_true')
    args = ap.parse_args()
    for a in ('probe', 'module', 'gen', 'db', 'queries'):
        setattr(args, a, os.path.abspath(getattr(args, a)))
        if not os.path.exists(getattr(args, a)):
            print('setup: %s not found' % getattr(args, a))
            return 2

    start = time.monotonic()
    workdir = tempfile.mkdtemp(prefix='iana-sweep.')

    def on_signal(signum, frame):
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        # Readable by nobody (the unreadable-file variant runs as nobody, and
        # only the file itself must be what stops it).
        os.chmod(workdir, 0o755)
        return sweep(args, workdir, start)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def sweep(args, workdir, start):
    # Private copies of the programs and the module, so that a rebuild while
    # the sweep runs cannot pull them from under it (nobody can read them too).
    bindir = os.path.join(workdir, 'bin')
    os.mkdir(bindir)
    os.chmod(bindir, 0o755)
    for a, name in (('probe', 'sweep-probe'), ('gen', 'iana-servicesdb'),
                    ('module', 'libnss_iana.so.2')):
        dst = os.path.join(bindir, name)
        shutil.copy(getattr(args, a), dst)
        os.chmod(dst, 0o755)
        setattr(args, a, dst)
    queries = os.path.join(bindir, 'queries')
    shutil.copy(args.queries, queries)
    os.chmod(queries, 0o644)
    args.queries = queries
    runner = Runner(args, workdir)
    orig_path = os.path.join(workdir, 'intact.db')
    shutil.copy(args.db, orig_path)
    os.chmod(orig_path, 0o644)
    with open(orig_path, 'rb') as f:
        data = f.read()
    db = Db(data)

    # The intact database: sound, and the baseline answers.
    rc, out, err = runner.check(orig_path)
    if rc != 0:
        print('setup: iana-servicesdb check of the intact database: %s %s' %
              (status_text(rc), err.decode().strip()))
        return 2
    rc, out, err = runner.run([args.gen, 'info', orig_path], orig_path)
    bounds = set()
    for m in re.finditer(r'^section (\w+)\s+offset\s+(\d+) size\s+(\d+)$', out.decode(), re.M):
        i = SEC_NAMES.index(m.group(1))
        o, s = int(m.group(2)), int(m.group(3))
        if (o, s) != db.sec[i]:
            print('setup: info and the header disagree about section %s' % m.group(1))
            return 2
        bounds.update({o, o + s})
    if rc != 0 or len(bounds) < 2:
        print('setup: iana-servicesdb info failed: %s' % err.decode().strip())
        return 2
    rc, out, err = runner.probe(orig_path)
    if rc != 0:
        print('setup: probe of the intact database: %s %s' % (status_text(rc), err.decode()))
        return 2
    q, e = parse_probe(out)
    if not e or e[-1] != 'END' or len(e) - 1 != db.h['n_lines'] or \
       any(a == 'NOTFOUND' for _, a in q[:6]) or any(a.startswith('UNAVAIL') for _, a in q):
        print('setup: the intact database does not answer as expected '
              '(%d enumeration lines, n_lines %d)' % (len(e) - 1, db.h['n_lines']))
        return 2
    base = Baseline(q, e)
    base.orig = data
    found = sum(1 for _, a in q if a != 'NOTFOUND')
    print('intact database: %d bytes, %d entries, %d lines; %d queries (%d found), '
          '%d enumeration lines' % (len(data), db.h['n_entries'], db.h['n_lines'],
                                    len(q), found, len(e) - 1))

    variants = make_variants(db, bounds, make_targets(db))
    numbered = [(k, v) for k, v in enumerate(variants)]
    if args.only:
        numbered = [(k, v) for k, v in numbered
                    if args.only in '%s: %s' % (v[0], v[1])]
    if args.list:
        for k, (kind, label, _) in numbered:
            print('v%05d %-14s %s' % (k, kind, label))
        return 0
    print('%d variants, %d jobs' % (len(numbered), args.jobs))
    sys.stdout.flush()

    results = collections.defaultdict(collections.Counter)
    failures = []
    ex = concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs)
    try:
        futs = [ex.submit(run_variant, runner, base, workdir, k, kind, label, d)
                for k, (kind, label, d) in numbered]
        for f in concurrent.futures.as_completed(futs):
            num, kind, label, verdict, why = f.result()
            results[kind][verdict] += 1
            if verdict == 'fail':
                failures.append((num, kind, label, why))
                print('FAIL v%05d [%s] %s' % (num, kind, label))
                for w in why:
                    print('     ' + w)
                sys.stdout.flush()
    finally:
        # On a signal, let the (at most --jobs) running variants end, run no more.
        ex.shutdown(wait=True, cancel_futures=True)

    total = collections.Counter()
    if failures:
        classes = collections.Counter()
        for _, _, _, why in failures:
            classes.update({failure_class(w) for w in why})
        print()
        print('failures by cause (a variant may have several):')
        for c, k in sorted(classes.items(), key=lambda x: -x[1]):
            print('  %5d  %s' % (k, c))
    print()
    print('%-16s %8s %10s %9s %8s' % ('kind', 'variants', 'identical', 'degraded', 'failed'))
    for kind in sorted(results):
        r = results[kind]
        total.update(r)
        print('%-16s %8d %10d %9d %8d' % (kind, sum(r.values()), r['identical'], r['degraded'],
                                          r['fail']))
    print('%-16s %8d %10d %9d %8d' % ('total', sum(total.values()), total['identical'],
                                      total['degraded'], total['fail']))
    print('identical: every answer and the whole enumeration as intact; degraded: some '
          'NOTFOUND/UNAVAIL or skipped lines; failed: see above')
    print('runtime: %.1f s' % (time.monotonic() - start))
    if failures:
        print('FAIL: %d of %d variants failed; rerun one with --only \'LABEL\' '
              '(and --save-failures DIR to keep its file)' % (len(failures), sum(total.values())))
        return 1
    print('PASS: %d variants' % sum(total.values()))
    return 0


if __name__ == '__main__':
    sys.exit(main())
