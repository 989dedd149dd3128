#!/usr/bin/python3
"""Write svc-bench's KEYFILE from a services(5) file (iana-servicesdb dump).

usage: make-keys.py DUMP KEYFILE [SEED]

A fixed-seed sample (seed 5 unless told): 2000 name+protocol hits (a name or
an alias of a random line, with that line's protocol), 2000 name hits with a
NULL protocol, 2000 port/protocol hits, 1000 name misses (half unknown names,
half known names with a protocol they are not registered for) and 1000
port/protocol misses.  Misses are checked against every name and alias,
compared without regard to case (libnss_iana falls back to a case-insensitive
match).
"""
import random
import sys

N_HIT, N_MISS = 2000, 1000


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    dump, out = sys.argv[1], sys.argv[2]
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) == 4 else 5)
    lines = []          # (names, port, proto)
    names_lc = set()    # every name and alias, lower case
    name_protos = {}    # name (lower case) -> protocols it is known with
    ports = set()       # (port, proto)
    protos = set()
    with open(dump) as f:
        for line in f:
            line = line.split('#', 1)[0].split()
            if len(line) < 2:
                continue
            port, proto = line[1].split('/')
            names = [line[0]] + line[2:]
            lines.append((names, int(port), proto))
            ports.add((int(port), proto))
            protos.add(proto)
            for n in names:
                names_lc.add(n.lower())
                name_protos.setdefault(n.lower(), set()).add(proto)
    if not lines:
        sys.exit(f"{dump}: no services")
    keys = []
    for _ in range(N_HIT):
        names, port, proto = rng.choice(lines)
        keys.append(f"name {rng.choice(names)} {proto}")
    for _ in range(N_HIT):
        names, port, proto = rng.choice(lines)
        keys.append(f"nameany {rng.choice(names)} -")
    for _ in range(N_HIT):
        names, port, proto = rng.choice(lines)
        keys.append(f"port {port} {proto}")
    protos = sorted(protos)
    i = 0
    while i < N_MISS:
        names, port, proto = rng.choice(lines)
        name = rng.choice(names)
        if i % 2 == 0:
            name = f"{name}-zq{rng.randrange(100000)}"
            if name.lower() in names_lc:
                continue
            proto = rng.choice(("tcp", "udp"))
        else:
            other = [p for p in protos if p not in name_protos[name.lower()]]
            if not other:
                continue
            proto = rng.choice(other)
        keys.append(f"missname {name} {proto}")
        i += 1
    i = 0
    while i < N_MISS:
        port, proto = rng.randrange(65536), rng.choice(("tcp", "udp"))
        if (port, proto) in ports:
            continue
        keys.append(f"missport {port} {proto}")
        i += 1
    with open(out, "w") as f:
        f.write(f"# svc-bench keys from {dump}, seed fixed\n")
        f.write("\n".join(keys) + "\n")


main()
