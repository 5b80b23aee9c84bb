#!/usr/bin/env bash
# bench/wheels-data.sh OUTDIR [N_PROJECTS] [N_VERSIONS]
#
# Writes a large synthetic flat folder of tiny pure-Python wheels for the
# wheel-resolution benchmarks (default 300 projects x 8 versions = 2400
# wheels), the projects to request in OUTDIR/roots.txt (20 names, one a
# line) and OUTDIR/MANIFEST.txt (file name, PEP 503 name, version, sha256,
# as tests/fixtures/make-wheels.sh writes it).  Python standard library
# only; the wheels come from tests/fixtures/make-wheels.py's writer.
#
# Projects are bench-p000, bench-p001, ...  Everything is drawn from a fixed
# seed, so the output is byte-identical from run to run:
# - versions: 1.0 first, then finals (minor bumps, sometimes a major bump),
#   pre-releases of the next final (a1, b1, rc1), post-releases (.post1);
# - Requires-Python: none, ">=3.8", or (never on 1.0) ">=3.13";
# - every version of project i requires 0-3 distinct projects j < i (no
#   cycles), with one or two of ">=X", "<Y", "!=Z", "~=M.m", or none, and
#   sometimes "[fast]" on a target that has that extra or a marker that is
#   false on Linux (sys_platform == "win32");
# - about one project in twelve has Provides-Extra: fast with one more
#   requirement under extra == "fast".
# Solvability is built in: each project has a hidden "witness" version (a
# final or post-release without ">=3.13", the newest one four times in
# five) and every specifier admits the target's witness, so the witnesses
# of the closure of the roots are always a valid answer for CPython 3.11.
#
# Exit status: 0 done; 2 usage or OUTDIR problem (as the fixture scripts:
# a non-empty OUTDIR must hold the marker .gapimg-bench-wheels of an earlier
# run); 77 python3 missing.
set -euo pipefail
set -o errtrace

prog=${0##*/}
die() { echo "$prog: $*" >&2; exit 2; }
if [ $# -lt 1 ] || [ $# -gt 3 ] || [ -z "$1" ]; then
    echo "usage: $prog OUTDIR [N_PROJECTS] [N_VERSIONS]" >&2
    exit 2
fi
nproj=${2:-300}
nver=${3:-8}
if ! [[ $nproj =~ ^[1-9][0-9]{0,4}$ ]] || [ "$nproj" -lt 20 ]; then
    die "N_PROJECTS must be a whole number from 20 to 99999, not '$nproj'"
fi
[[ $nver =~ ^[1-9][0-9]{0,2}$ ]] || die "N_VERSIONS must be a whole number from 1 to 999, not '$nver'"

here=$(cd "$(dirname "$0")" && pwd -P)
fixtures=$here/../tests/fixtures
# shellcheck source=tests/fixtures/fixture-lib.sh
. "$fixtures/fixture-lib.sh"
fixture_need python3

fixture_begin "$1" .gapimg-bench-wheels gapimg-bench-wheels

q python3 -I -B - "$fixtures/make-wheels.py" "$OUT" "$nproj" "$nver" <<'EOF'
import hashlib
import importlib.util
import os
import random
import sys

helper, out, nproj, nver = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
spec = importlib.util.spec_from_file_location("make_wheels", helper)
mw = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mw)

# Only random() is used (its sequence for an int seed has been stable across
# CPython releases since 3.2); integers are derived from it here, not with
# randrange()/choice(), whose algorithms may change.
rng = random.Random(1700000000)


def below(n):
    return int(rng.random() * n)


def pick(seq):
    return seq[below(len(seq))]


def chance(p):
    return rng.random() < p


width = max(3, len(str(nproj - 1)))
names = ["bench-p%0*d" % (width, i) for i in range(nproj)]


def make_versions():
    """Increasing PEP 440 versions: (text, kind, major, minor)."""
    vs = [("1.0", "final", 1, 0)]
    major, minor = 1, 0
    pending = None              # (major, minor) of a pre-release already out
    posted = False
    while len(vs) < nver:
        r = rng.random()
        if pending is None and not posted and r < 0.10:
            vs.append(("%d.%d.post1" % (major, minor), "post", major, minor))
            posted = True
            continue
        if pending is None and r < 0.22:
            nxt = (major + 1, 0) if chance(0.2) else (major, minor + 1)
            vs.append(("%d.%d%s" % (nxt[0], nxt[1], pick(["a1", "b1", "rc1"])), "pre") + nxt)
            pending = nxt
            continue
        if pending is not None:
            major, minor = pending
            pending = None
        elif chance(0.2):
            major, minor = major + 1, 0
        else:
            minor += 1
        vs.append(("%d.%d" % (major, minor), "final", major, minor))
        posted = False
    return vs


projects = []
for i in range(nproj):
    vs = make_versions()
    rp = []
    for k in range(len(vs)):
        r = rng.random()
        rp.append(">=3.13" if k > 0 and r < 0.04 else ">=3.8" if r < 0.29 else None)
    ok = [k for k, v in enumerate(vs) if v[1] != "pre" and rp[k] != ">=3.13"]
    witness = ok[-1] if chance(0.8) else pick(ok)
    projects.append({"versions": vs, "rp": rp, "w": witness,
                     "extra": i > 0 and chance(1 / 12)})


def specifier(j):
    """One or two specifiers on project j, all admitting its witness."""
    p = projects[j]
    vs, w = p["versions"], p["w"]
    wv = vs[w]
    kinds = []
    for _ in range(1 + below(2)):
        kind = pick([">=", "<", "!=", "~=", ""])
        if kind and kind not in kinds:
            kinds.append(kind)
    parts = []
    for kind in sorted(kinds):
        if kind == ">=":
            parts.append(">=" + pick([v[0] for v in vs[:w + 1] if v[1] != "pre"]))
        elif kind == "<" and w + 1 < len(vs):
            parts.append("<" + pick([v[0] for v in vs[w + 1:]]))
        elif kind == "!=" and len(vs) > 1:
            parts.append("!=" + pick([v[0] for k, v in enumerate(vs) if k != w]))
        elif kind == "~=":
            parts.append("~=%d.%d" % (wv[2], below(wv[3] + 1)))
    return ",".join(parts)


def requirement(i):
    j = below(i)
    extra = "[fast]" if projects[j]["extra"] and chance(0.3) else ""
    marker = '; sys_platform == "win32"' if chance(0.05) else ""
    return j, names[j] + extra + specifier(j) + marker


manifest = []
for i, p in enumerate(projects):
    fast_req = None
    if p["extra"]:
        fast_req = requirement(i)[1] + '; extra == "fast"'
        if "; sys_platform" in fast_req:
            fast_req = fast_req.split(";")[0] + '; extra == "fast"'
    for k, (v, _, _, _) in enumerate(p["versions"]):
        reqs = []
        if i > 0:
            seen = set()
            for _ in range(below(4)):
                j, req = requirement(i)
                if j not in seen:
                    seen.add(j)
                    reqs.append(req)
        if fast_req:
            reqs.append(fast_req)
        members = mw.wheel_members(names[i], v, requires=reqs,
                                   requires_python=p["rp"][k],
                                   extras=["fast"] if p["extra"] else ())
        fname = mw.wheel_file_name(names[i], v, "py3-none-any")
        blob = mw.zip_bytes(members)
        mw.write(os.path.join(out, fname), blob)
        manifest.append("%s %s %s %s\n" % (fname, mw.pep503(names[i]), v,
                                          hashlib.sha256(blob).hexdigest()))

lo = nproj - max(20, (nproj * 2) // 5)
pool = list(range(lo, nproj))
roots = []
while len(roots) < 20:
    roots.append(pool.pop(below(len(pool))))
mw.write(os.path.join(out, "roots.txt"), "".join(names[r] + "\n" for r in sorted(roots)).encode())
mw.write(os.path.join(out, "MANIFEST.txt"), "".join(sorted(manifest)).encode())
EOF
echo "$prog: $((nproj * nver)) wheels ($nproj projects x $nver versions) in $OUT; request the projects in $OUT/roots.txt"
