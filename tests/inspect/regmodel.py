#!/usr/bin/env python3
"""An independent model of the registry -> services(5) entries rules
(nss/FORMAT.md, "From the registry to entries") and of what
`iana-servicesdb diff --json` should report between two registries.

Written from the specification with xml.etree, sharing no code with gen/,
so that the tests can hold the C implementation to it.

usage:
  regmodel.py entries REG.xml              print the entries, one per line
  regmodel.py diff OLD.xml NEW.xml         print the expected diff as JSON
  regmodel.py compare-batch LIST
        the same for each line "OLD NEW TOOL.json TOOL-STATUS" of LIST
  regmodel.py compare OLD.xml NEW.xml TOOL.json [TOOL-STATUS]
        compare the tool's diff --json output (and exit status: 1 when
        names were removed, else 0) with the model's; exit 1 and print every
        difference when they disagree
"""
import json
import re
import sys
import xml.etree.ElementTree as ET

NS = '{http://www.iana.org/assignments}'
PROTOS = ['tcp', 'udp', 'sctp', 'dccp']
WS = ' \t\r\n'
KINDS = ['added', 'removed', 'renamed', 'moved', 'aliases', 'descriptions']


def prose(el):
    """The text of a prose element: <xref data=D/> reads [D], <br/> a newline."""
    out = [el.text or '']
    for child in el:
        if child.tag == NS + 'xref':
            if child.get('data') is not None:
                out.append('[' + child.get('data') + ']')
        elif child.tag == NS + 'br':
            out.append('\n')
        else:
            out.append(prose(child))
        out.append(child.tail or '')
    return ''.join(out)


def field(rec, tag, join=False):
    els = [c for c in rec if c.tag == NS + tag]
    if not els:
        return None
    texts = [prose(e).strip(WS) for e in els]
    return '\n'.join(texts) if join else texts[0]


def parse_number(s):
    m = re.fullmatch(r'([0-9]+)(?:-([0-9]+))?', s)
    if not m:
        raise ValueError('bad number %r' % s)
    lo = int(m.group(1))
    hi = int(m.group(2)) if m.group(2) is not None else lo
    if hi > 65535 or lo > hi:
        raise ValueError('bad number %r' % s)
    return lo, hi


def valid_name(s):
    b = s.encode()
    return 1 <= len(b) <= 15 and all(0x21 <= c <= 0x7e and c != 0x23 for c in b)


ALIAS_RES = [re.compile(r'This entry is an alias to "([^"]+)"'),
             re.compile(r'This is a duplicate of the "([^"]+)" service')]


def alias_target(note):
    if note is None:
        return None
    for rx in ALIAS_RES:
        m = rx.search(note)
        if m:
            return m.group(1)
    return None


_cache = {}


def entries(path):
    """The registry's entries: dicts name, aliases (list), proto, lo, hi, description."""
    if path not in _cache:
        _cache[path] = _entries(path)
    return _cache[path]


def _entries(path):
    root = ET.parse(path).getroot()
    assert root.tag == NS + 'registry', root.tag
    out, seen = [], set()
    for rec in root.findall(NS + 'record'):
        name = field(rec, 'name')
        number = field(rec, 'number')
        proto = field(rec, 'protocol')
        if number is not None:
            lo, hi = parse_number(number)
        if not name or number is None:
            continue
        if not valid_name(name):
            continue
        if not proto:
            protos = ['tcp', 'udp']
        elif proto in PROTOS:
            protos = [proto]
        else:
            continue
        note = field(rec, 'note', join=True)
        desc = field(rec, 'description', join=True) or ''
        for p in protos:
            key = (name, p, lo, hi)
            if key in seen:
                continue
            seen.add(key)
            out.append({'name': name, 'aliases': [], 'proto': p, 'lo': lo, 'hi': hi,
                        'description': desc, 'alias_of': alias_target(note),
                        'folded': False})
    # Alias records fold into the first unfolded entry of the same protocol
    # and range holding the target, in document order.
    at = {}
    for e in out:
        at.setdefault((e['proto'], e['lo'], e['hi']), []).append(e)
    for a in out:
        if a['alias_of'] is None:
            continue
        target = None
        for c in at[(a['proto'], a['lo'], a['hi'])]:
            if c is not a and not c['folded'] and \
               (a['alias_of'] == c['name'] or a['alias_of'] in c['aliases']):
                target = c
                break
        if target is None:
            continue
        for s in [a['name']] + a['aliases']:
            if s != target['name'] and s not in target['aliases'] and len(target['aliases']) < 63:
                target['aliases'].append(s)
        a['folded'] = True
    return [e for e in out if not e['folded']]


def port_text(lo, hi):
    return str(lo) if lo == hi else '%d-%d' % (lo, hi)


def diff(old_path, new_path):
    old, new = entries(old_path), entries(new_path)

    def by_key(side):
        d = {}
        for e in side:
            d.setdefault((e['name'], e['proto']), []).append(e)
        return d

    ok, nk = by_key(old), by_key(new)
    lines = []          # (kind, key, old, new, port, proto)
    for key, olds in ok.items():
        name, proto = key
        if key not in nk:
            continue
        news = nk[key]
        a = ' '.join(port_text(e['lo'], e['hi']) for e in olds)
        b = ' '.join(port_text(e['lo'], e['hi']) for e in news)
        if a != b:
            lines.append(('moved', name, a, b, '', proto))
            continue
        for e in olds:
            m = next(x for x in news if (x['lo'], x['hi']) == (e['lo'], e['hi']))
            port = port_text(e['lo'], e['hi'])
            if e['aliases'] != m['aliases']:
                lines.append(('aliases', name, ' '.join(e['aliases']), ' '.join(m['aliases']),
                              port, proto))
            if e['description'] != m['description']:
                lines.append(('descriptions', name, e['description'], m['description'],
                              port, proto))
    removed = [e for e in old if (e['name'], e['proto']) not in nk]
    added = [e for e in new if (e['name'], e['proto']) not in ok]
    used, renamed = set(), set()
    for i, e in enumerate(removed):
        for j, f in enumerate(added):
            if j not in used and f['proto'] == e['proto'] and (f['lo'], f['hi']) == (e['lo'], e['hi']):
                used.add(j)
                renamed.add(i)
                lines.append(('renamed', e['name'], e['name'], f['name'],
                              port_text(e['lo'], e['hi']), e['proto']))
                break
    for i, e in enumerate(removed):
        if i not in renamed:
            lines.append(('removed', e['name'], e['name'], '', port_text(e['lo'], e['hi']), e['proto']))
    for j, f in enumerate(added):
        if j not in used:
            lines.append(('added', f['name'], '', f['name'], port_text(f['lo'], f['hi']), f['proto']))

    # Lines equal but for the protocol are one line with several protocols.
    merged = {}
    order = []
    for kind, key, a, b, port, proto in lines:
        k = (kind, key, a, b, port)
        if k not in merged:
            merged[k] = set()
            order.append(k)
        merged[k].add(proto)
    report = {k: [] for k in KINDS}
    for k in order:
        kind, key, a, b, port = k
        report[kind].append({'name': key, 'port': port,
                             'protocols': ','.join(p for p in PROTOS if p in merged[k]),
                             'old': a, 'new': b})

    new_names = set()
    for e in new:
        new_names.add(e['name'])
        new_names.update(e['aliases'])
    lost = []
    for e in old:
        for s in [e['name']] + e['aliases']:
            if s not in new_names and s not in lost:
                lost.append(s)
    report['names_removed'] = lost
    report['counts'] = {k: len(report[k]) for k in KINDS}
    report['counts']['names_removed'] = len(lost)
    return report


def canon(rep):
    """Order-independent form of a report (the lists compared as sorted)."""
    out = {}
    for k in KINDS:
        out[k] = sorted(json.dumps(x, sort_keys=True) for x in rep.get(k, []))
    out['names_removed'] = sorted(rep.get('names_removed', []))
    out['counts'] = rep.get('counts')
    return out


def compare(old, new, tool, status=None):
    """Compare the tool's report (and exit status) with the model: 0 agree, 1 not."""
    model = diff(old, new)
    want = canon(model)
    with open(tool) as f:
        got = canon(json.load(f))
    bad = 0
    if status is not None:
        want_status = 1 if model['names_removed'] else 0
        if int(status) != want_status:
            print('exit status: expected %d, the tool exited %s' % (want_status, status))
            bad += 1
    for k in KINDS + ['names_removed']:
        w, g = set(want[k]), set(got[k])
        for x in sorted(w - g):
            print('MISSING from the tool (%s): %s' % (k, x))
            bad += 1
        for x in sorted(g - w):
            print('UNEXPECTED in the tool (%s): %s' % (k, x))
            bad += 1
        if len(want[k]) != len(got[k]) and w == g:
            print('%s: %d items expected, %d reported' % (k, len(want[k]), len(got[k])))
            bad += 1
    if want['counts'] != got['counts']:
        print('counts: expected %s, reported %s' % (want['counts'], got['counts']))
        bad += 1
    if bad:
        return 1
    print('model and tool agree: %s' % want['counts'])
    return 0



def main(argv):
    if len(argv) == 3 and argv[1] == 'entries':
        for e in entries(argv[2]):
            print(e['name'], port_text(e['lo'], e['hi']) + '/' + e['proto'], ' '.join(e['aliases']))
        return 0
    if len(argv) == 4 and argv[1] == 'diff':
        print(json.dumps(diff(argv[2], argv[3]), indent=1))
        return 0
    if len(argv) in (5, 6) and argv[1] == 'compare':
        return compare(*argv[2:])
    if len(argv) == 3 and argv[1] == 'compare-batch':
        bad = 0
        with open(argv[2]) as f:
            for line in f:
                old, new, tool, status = line.split()
                print('== %s -> %s' % (old, new))
                bad += compare(old, new, tool, status)
        return 1 if bad else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv))
