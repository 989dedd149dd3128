#!/usr/bin/env python3
"""Decode the INFO section exactly as nss/FORMAT.md section 4.6 describes it
and check it against registries/show.xml and an overlay.

usage: info-layout.py IANA-SERVICESDB INSPECT-DIR
"""
import os
import struct
import subprocess
import sys
import tempfile

FIELDS = ['name', 'description', 'assignee', 'contact', 'refs', 'registered',
          'modified', 'note', 'unauthorized', 'source']


def decode(path):
    d = open(path, 'rb').read()
    n_protos = struct.unpack_from('<I', d, 40)[0]
    poff, _ = struct.unpack_from('<II', d, 72 + 8 * 1)
    soff, _ = struct.unpack_from('<II', d, 72 + 8 * 0)
    protos = []
    for k in range(n_protos):
        o = soff + struct.unpack_from('<I', d, poff + 4 * k)[0]
        protos.append(d[o:d.index(b'\0', o)].decode())
    off, size = struct.unpack_from('<II', d, 72 + 8 * 11)
    info = d[off:off + size]
    assert size >= 4 and info[-1] == 0, 'INFO: size %d, last byte' % size
    n = struct.unpack_from('<I', info, 0)[0]
    recs, expect_at = [], 4 + 4 * n
    for i in range(n):
        at = struct.unpack_from('<I', info, 4 + 4 * i)[0]
        assert at == expect_at, 'record %d at %d, expected %d (back to back)' % (i, at, expect_at)
        lo, hi, proto, flags = struct.unpack_from('<HHBB', info, at)
        pos = at + 6
        r = {'lo': lo, 'hi': hi, 'proto': None if proto == 0xff else protos[proto],
             'has_port': bool(flags & 1), 'local': bool(flags & 2), 'other_flags': flags & ~3}
        for f in FIELDS:
            end = info.index(b'\0', pos)
            r[f] = info[pos:end].decode()
            pos = end + 1
        expect_at = pos
        recs.append(r)
    assert expect_at == size, 'INFO ends at %d, size %d' % (expect_at, size)
    return recs


def main():
    gen, idir = sys.argv[1], sys.argv[2]
    bad = 0

    def check(what, cond):
        nonlocal bad
        print(('ok:   ' if cond else 'FAIL: ') + what)
        bad += not cond

    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, 's.db')
        ov = os.path.join(tmp, 'o.overlay')
        with open(ov, 'w') as f:
            f.write('alpha-local 1100/tcp\nmysvc 7000/udp mysvc-a\n')
        subprocess.run([gen, 'compile', '--quiet', os.path.join(idir, 'registries', 'show.xml'),
                        '-o', db, '--overlay', ov], check=True)
        recs = decode(db)
    nreg = open(os.path.join(idir, 'registries', 'show.xml')).read().count('<record')
    check('one record per <record> (%d) plus 3 overlay names: %d' % (nreg, len(recs)),
          nreg == 13 and len(recs) == nreg + 3)
    check('no flag bits beyond HAS_PORT and LOCAL', all(r['other_flags'] == 0 for r in recs))
    r = recs[0]
    check('Reserved 0: no name, no protocol, has port 0-0',
          r['name'] == '' and r['proto'] is None and r['has_port'] and (r['lo'], r['hi']) == (0, 0)
          and r['description'] == 'Reserved')
    r = recs[1]
    check('alpha/tcp: head', (r['name'], r['lo'], r['hi'], r['proto'], r['has_port'], r['local'])
          == ('alpha', 1100, 1100, 'tcp', True, False))
    check('alpha/tcp: fields in order', [r[f] for f in FIELDS] == [
        'alpha', 'Alpha Service', 'Ann Example', 'Bob Example <mailto:bob&example.net>',
        'RFC 1234, RFC 5678, https://example.org/alpha', '2001-05-01', '2020-03-04',
        'First line of the note.\nSecond line, see [rfc9999].', '', ''])
    r = recs[3]
    check('alpha-alt: plain person xref for assignee and contact, by org',
          r['name'] == 'alpha-alt' and r['assignee'] == 'Only An Org'
          and r['contact'] == 'Only An Org <mailto:org&example.com>')
    r = recs[4]
    check('rangesvc: range 2000-2009', (r['lo'], r['hi']) == (2000, 2009))
    r = [x for x in recs if x['name'] == 'dnssdonly'][0]
    check('dnssdonly: no port (lo = hi = 0, has_port clear), no protocol',
          (r['lo'], r['hi'], r['has_port'], r['proto']) == (0, 0, False, None))
    r = [x for x in recs if x['name'] == 'both'][0]
    check('both: no protocol (0xff), notes joined', r['proto'] is None and r['note'] == 'One note.\nAnother note.')
    loc = recs[nreg:]
    check('overlay records last, local, with source FILE:LINE',
          [(x['name'], x['lo'], x['proto'], x['local'], x['has_port'], x['description'], x['source'])
           for x in loc] ==
          [('alpha-local', 1100, 'tcp', True, True, 'local alias (overlay)', ov + ':1'),
           ('mysvc', 7000, 'udp', True, True, 'local name (overlay)', ov + ':2'),
           ('mysvc-a', 7000, 'udp', True, True, 'local alias (overlay)', ov + ':2')])
    check('overlay records: other fields empty',
          all(x[f] == '' for x in loc for f in FIELDS if f not in ('name', 'description', 'source')))
    check('registry records: not local, no source', all(not x['local'] and x['source'] == '' for x in recs[:nreg]))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
