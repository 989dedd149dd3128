#!/bin/bash
# `iana-servicesdb show` against golden outputs.
#
# usage: show.sh IANA-SERVICESDB INSPECT-DIR FULL-DB
#
# Compiles registries/show.xml (people, assignee/contact groups, plain person
# xrefs, RFC and URI references, date/updated attributes, notes with <br/> and
# <xref>, <unauthorized>, Reserved and Unassigned records, a DNS-SD-only name,
# a record without a protocol, names differing only in case) and checks, for
# each query below, the exact text output (golden/show-LABEL.txt, checked by
# hand against show.xml) and the exit status; then the --json output of
# several queries (valid JSON, fields checked in python); then three
# queries on the database of the full registry.
set -euo pipefail

if [ $# -ne 3 ]; then
	echo "usage: $0 IANA-SERVICESDB INSPECT-DIR FULL-DB" >&2
	exit 2
fi
gen=$(realpath "$1")
dir=$(realpath "$2")
fulldb=$3

# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"

db=$tmp/show.db
"$gen" compile --quiet "$dir/registries/show.xml" -o "$db"

# show QUERY [OPTIONS] into $tmp/out, its status into $rc.
run_show() {
	rc=0
	"$gen" show "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
}

# golden LABEL EXPECTED-STATUS QUERY...: text output and status.
golden() {
	local label=$1 want=$2
	shift 2
	run_show --db "$db" "$@"
	if [ "$rc" != "$want" ]; then
		fail "show $*: exit $rc, expected $want"
		sed 's/^/      /' "$tmp/err"
	elif ! cmp -s "$tmp/out" "$dir/golden/show-$label.txt"; then
		fail "show $*: output differs from golden/show-$label.txt:"
		diff -u "$dir/golden/show-$label.txt" "$tmp/out" | sed 's/^/      /' || true
	elif [ -s "$tmp/err" ]; then
		fail "show $*: unexpected stderr:"
		sed 's/^/      /' "$tmp/err"
	else
		ok "show $* (exit $rc, golden show-$label.txt)"
	fi
}

golden name           0 alpha           # both records of a name, aliases, every field
golden alias          0 alpha-alt       # an alias record: "alias of: alpha"
golden range          0 2005            # a port inside a range: the range record
golden unauthorized   0 3000            # unauthorized use, beside a Reserved record
golden unassigned     1 3050            # only an Unassigned record: range class, exit 1
golden dynamic        1 50000           # no record at all in the dynamic range
golden reserved       1 0               # only a Reserved record, system range
golden dnssd          0 dnssdonly       # a DNS-SD-only name: no port, no protocol
golden name-proto     0 alpha/udp       # NAME/PROTOCOL
golden port-proto     0 1100/tcp        # PORT/PROTOCOL: the entry and its alias record
golden noproto        0 both            # no <protocol>: tcp,udp; two notes
golden noproto-sctp   1 both/sctp       # ... but not sctp
golden folded         0 mixedcase       # ASCII case-insensitive
golden exact          0 casey           # an exact spelling wins over another case
golden exact-upper    0 CASEY
golden both-cases     0 Casey           # no exact spelling: every folded match
golden unknown        1 nosuch          # unknown name: exit 1

# Errors: exit 2.
for args in "--db $db" "--db $db 70000" "--db $tmp/missing.db alpha" "--db $db alpha beta"; do
	# shellcheck disable=SC2086
	run_show $args
	if [ "$rc" = 2 ] && [ -s "$tmp/err" ]; then
		ok "show $args: exit 2 with a message"
	else
		fail "show $args: exit $rc (expected 2 and a message)"
	fi
done

# --json: valid JSON (python3 -m json.tool), then fields.
for q in alpha alpha-alt 2005 3000 3050 dnssdonly both alpha/udp Casey nosuch 1100/tcp; do
	run_show --db "$db" --json "$q"
	cp "$tmp/out" "$tmp/json-${q//\//_}"
	echo "$rc" >"$tmp/rc-${q//\//_}"
	if python3 -m json.tool "$tmp/out" >/dev/null 2>"$tmp/err"; then
		ok "show --json $q: valid JSON"
	else
		fail "show --json $q: not valid JSON: $(cat "$tmp/err")"
		cat "$tmp/out"
	fi
done
if python3 - "$tmp" <<'PY'
import json, sys
d = sys.argv[1]
def load(q):
    k = q.replace('/', '_')
    return json.load(open(d + '/json-' + k)), int(open(d + '/rc-' + k).read())
bad = 0
def check(what, cond):
    global bad
    print(('ok:   ' if cond else 'FAIL: ') + what)
    bad += not cond
FIELDS = ['name', 'port', 'protocol', 'aliases', 'alias_of', 'description', 'assignee',
          'contact', 'references', 'registered', 'modified', 'note', 'unauthorized',
          'source', 'local']

j, rc = load('alpha')
check('alpha: exit 0, query echoed, no port_range', rc == 0 and j['query'] == 'alpha' and 'port_range' not in j)
r = j['records']
check('alpha: two records, tcp then udp', [x['protocol'] for x in r] == ['tcp', 'udp'])
check('alpha: every record has every field', all(sorted(x) == sorted(FIELDS) for x in r))
t = r[0]
check('alpha/tcp: port, aliases, alias_of', t['port'] == '1100' and t['aliases'] == ['alpha-alt'] and t['alias_of'] is None)
check('alpha/tcp: description', t['description'] == 'Alpha Service')
check('alpha/tcp: assignee from <assignee>', t['assignee'] == 'Ann Example')
check('alpha/tcp: contact from <contact>, with URI', t['contact'] == 'Bob Example <mailto:bob&example.net>')
check('alpha/tcp: references', t['references'] == 'RFC 1234, RFC 5678, https://example.org/alpha')
check('alpha/tcp: dates', t['registered'] == '2001-05-01' and t['modified'] == '2020-03-04')
check('alpha/tcp: note with <br/> and <xref>', t['note'] == 'First line of the note.\nSecond line, see [rfc9999].')
check('alpha/tcp: not local, no source, no unauthorized', t['local'] is False and t['source'] == '' and t['unauthorized'] == '')
check('alpha/udp: own description, no aliases', r[1]['description'] == 'Alpha Service (datagrams)' and r[1]['aliases'] == [] and r[1]['references'] == 'RFC 1234')

j, rc = load('alpha-alt')
r = j['records']
check('alpha-alt: one record, alias_of alpha, no aliases', rc == 0 and len(r) == 1 and r[0]['alias_of'] == 'alpha' and r[0]['aliases'] == [])
check('alpha-alt: person by organisation', r[0]['assignee'] == 'Only An Org' and r[0]['contact'] == 'Only An Org <mailto:org&example.com>')

j, rc = load('2005')
r = j['records']
check('2005: range record', rc == 0 and j['port_range'] == 'User Port (1024-49151, RFC 6335)' and len(r) == 1 and r[0]['name'] == 'rangesvc' and r[0]['port'] == '2000-2009')
check('2005: unknown person id kept as is', r[0]['assignee'] == 'Ann Example; Nobody_Listed')

j, rc = load('3000')
r = j['records']
check('3000: unauth record and a Reserved one', rc == 0 and [x['name'] for x in r] == ['unauth', ''])
check('3000: unauthorized text', r[0]['unauthorized'] == 'Known Unauthorized Use on port 3000')

j, rc = load('3050')
r = j['records']
check('3050: exit 1, range class, one Unassigned record', rc == 1 and j['port_range'] == 'User Port (1024-49151, RFC 6335)' and len(r) == 1)
check('3050: unnamed, no protocol, range', r[0]['name'] == '' and r[0]['protocol'] is None and r[0]['port'] == '3001-3099' and r[0]['description'] == 'Unassigned')

j, rc = load('dnssdonly')
r = j['records']
check('dnssdonly: no port, no protocol', rc == 0 and len(r) == 1 and r[0]['port'] is None and r[0]['protocol'] is None and r[0]['modified'] == '2015-02-03')

j, rc = load('both')
r = j['records']
check('both: protocol is [tcp, udp]', rc == 0 and len(r) == 1 and r[0]['protocol'] == ['tcp', 'udp'])
check('both: two notes joined', r[0]['note'] == 'One note.\nAnother note.')

j, rc = load('alpha/udp')
check('alpha/udp: only the udp record', rc == 0 and [x['protocol'] for x in j['records']] == ['udp'])

j, rc = load('Casey')
check('Casey: both folded matches', rc == 0 and [x['name'] for x in j['records']] == ['casey', 'CASEY'])

j, rc = load('nosuch')
check('nosuch: no records, exit 1', rc == 1 and j['records'] == [])

j, rc = load('1100/tcp')
check('1100/tcp: alpha and alpha-alt', rc == 0 and [(x['name'], x['alias_of']) for x in j['records']] == [('alpha', None), ('alpha-alt', 'alpha')])
sys.exit(1 if bad else 0)
PY
then :; else failures=$((failures + 1)); fi

# The full registry.
full() {
	local want=$1 q=$2
	shift 2
	run_show --db "$fulldb" "$q"
	if [ "$rc" != "$want" ]; then
		fail "full: show $q: exit $rc, expected $want"
		return
	fi
	for pattern in "$@"; do
		if ! grep -qxF -- "$pattern" "$tmp/out"; then
			fail "full: show $q: no line \"$pattern\" in:"
			sed 's/^/      /' "$tmp/out"
			return
		fi
	done
	ok "full: show $q"
}
full 0 4443 'port 4443: User Port (1024-49151, RFC 6335)' 'pharos  4443/tcp' 'pharos  4443/udp' \
	'  unauthorized: Known Unauthorized Use on port 4443'
full 0 6010 'port 6010: User Port (1024-49151, RFC 6335)' 'x11  6000-6063/tcp' 'x11  6000-6063/udp'
full 0 www 'www  80/tcp' 'www  80/udp' '  alias of:     http'
full 0 WWW 'www  80/tcp' '  alias of:     http'
full 0 http/tcp 'http  80/tcp'
run_show --db "$fulldb" --json www
if python3 -c '
import json, sys
j = json.load(sys.stdin)
r = j["records"]
assert r and all(x["alias_of"] == "http" and x["port"] == "80" and not x["local"] for x in r), r
' <"$tmp/out"; then
	ok "full: show --json www: alias_of http"
else
	fail "full: show --json www"
fi

if [ "$failures" -ne 0 ]; then
	echo "$failures failure(s)"
	exit 1
fi
echo "all passed"
