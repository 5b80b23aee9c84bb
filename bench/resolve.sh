#!/usr/bin/env bash
# bench/resolve.sh - time `gapimg resolve` on real, large indexes and check
# the closures it picks with independent tools.
#
#   bench/resolve.sh [--runs N]        (default 5 runs of every measurement)
#
# Debian: this machine's full bookworm main amd64 index (the Packages file
#   `apt-get update` keeps under /var/lib/apt/lists, ~63,000 packages) as a
#   local mirror: dists/bookworm/main/binary-amd64/Packages.xz plus a Release
#   made by apt-ftparchive. The request is resolved by gapimg (cold: no
#   metadata cache; first run: empty cache dir; warm: populated cache dir)
#   and by `apt-get install -s` with an empty dpkg status against the same
#   file, alternating. Only `install -s` is timed for apt (after an untimed
#   `apt-get update` of a throwaway apt root); it is timed with apt's binary
#   cache (pkgcache.bin) in place and with it removed. A second mirror holds
#   the same index uncompressed with Debian's own signed InRelease (checked
#   with key=/usr/share/keyrings/debian-archive-keyring.gpg), when apt's
#   InRelease lists exactly these bytes: it shows what xz decoding costs.
# RPM: CentOS Stream 9 BaseOS (2022) + AppStream (2025) from
#   ../shared/fixtures/rpm-md-real, as two rpm-md mirrors.
#
# gapimg checks that every chosen package file exists in the mirror with the
# size the metadata gives, and these are index-only mirrors, so the script
# creates every pool file as an empty sparse file of that size (no disk
# space; nothing reads the contents during a resolve).
#
# Closure checks (independent of libsolv):
#   Debian: dose-debcheck over a Packages file holding only the chosen
#     stanzas: every chosen package installable within the chosen set, and a
#     synthetic package depending on all of them (exact versions) installable
#     against that set; plus apt: `apt-get install -s` of the chosen
#     name=version list must install exactly that list. A negative control
#     (the set without libc6) must fail.
#   RPM: a Python check over primary.xml (+ BaseOS filelists): every Requires
#     (file and rich/boolean deps included, rpmlib() excepted) of every
#     chosen package is provided by a chosen package, and no chosen package
#     conflicts with or obsoletes another. A negative control (without
#     glibc) must fail.
#
# Work dir: ${TMPDIR:-/var/tmp}/gapimg-bench-resolve (the Debian mirror is
# reused when the index has not changed; the rest is rebuilt every run).
# Needs: apt-utils (apt-ftparchive), xz-utils, dose-distcheck, time, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

RUNS=5
while [ $# -gt 0 ]; do
	case $1 in
	--runs) RUNS=${2:?--runs N}; shift 2 ;;
	-h|--help) sed -n '2,/^set -euo/p' "$0" | sed -n 's/^# \{0,1\}//p'; exit 0 ;;
	*) echo "usage: bench/resolve.sh [--runs N]" >&2; exit 2 ;;
	esac
done
case $RUNS in ''|*[!0-9]*|0) echo "--runs: a positive number" >&2; exit 2 ;; esac

W=${TMPDIR:-/var/tmp}/gapimg-bench-resolve
G=$ROOT/build/release/gapimg
FIX=$(cd "$ROOT/../shared/fixtures" && pwd)
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
SUITE=bookworm
DEB_REQ="python3 python3-numpy python3-scipy openssh-server systemd curl ca-certificates"
RPM_REQ="python3 python3-numpy openssh-server systemd curl openmpi rsync tar"
START=$(date +%s)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

for c in apt-get apt-ftparchive xz dose-debcheck /usr/bin/time "$PY" cmake; do
	command -v "$c" >/dev/null 2>&1 || { echo "missing tool: $c" >&2; exit 1; }
done
mkdir -p "$W"
: > "$W/times.txt"
log() { printf '%s\n' "$*" >&2; }

# ------------------------------------------------------------------ build
log "== building the release binary"
scripts/setup release
cmake --build build/release -j2 >/dev/null
GAPIMG_REV=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
GAPIMG_DIRTY=$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null | wc -l)

# ------------------------------------------------------------------ helpers
mkdir -p "$W/py"
cat > "$W/py/placeholders.py" <<'EOF'
# placeholders.py deb ROOT PACKAGES | rpm ROOT PRIMARY.xml.gz
# Create every pool file the index lists as a sparse file of its listed size.
import gzip, os, sys
import xml.etree.ElementTree as ET
kind, root, index = sys.argv[1:4]
made, n = set(), 0
def touch(rel, size):
    global n
    if rel.startswith('/') or '..' in rel.split('/'):
        sys.exit('refusing location %r' % rel)
    p = os.path.join(root, rel)
    d = os.path.dirname(p)
    if d not in made:
        os.makedirs(d, exist_ok=True)
        made.add(d)
    if not (os.path.isfile(p) and os.path.getsize(p) == size):
        with open(p, 'wb') as f:
            f.truncate(size)
    n += 1
if kind == 'deb':
    fn = size = None
    with open(index, encoding='utf-8', errors='surrogateescape') as f:
        for line in f:
            if line == '\n':
                if fn: touch(fn, int(size))
                fn = size = None
            elif line.startswith('Filename: '): fn = line[10:].strip()
            elif line.startswith('Size: '): size = line[6:].strip()
    if fn: touch(fn, int(size))
else:
    NS = '{http://linux.duke.edu/metadata/common}'
    for ev, el in ET.iterparse(gzip.open(index)):
        if el.tag == NS + 'package':
            touch(el.find(NS + 'location').get('href'), int(el.find(NS + 'size').get('package')))
            el.clear()
print(n)
EOF

cat > "$W/py/summary.py" <<'EOF'
# summary.py TIMES -> "label median_wall min_wall max_wall median_rss_MB median_cpu n" per label
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    label, wall, rss, user, sys_ = line.split()
    rows.setdefault(label, []).append((float(wall), int(rss), float(user) + float(sys_)))
for label, r in rows.items():
    w = [x[0] for x in r]
    print(label, '%.2f' % statistics.median(w), '%.2f' % min(w), '%.2f' % max(w),
          '%.1f' % (statistics.median(x[1] for x in r) / 1024), '%.2f' % statistics.median(x[2] for x in r), len(r))
EOF

cat > "$W/py/debsets.py" <<'EOF'
# debsets.py PACKAGES GAP.json APT.out OUTDIR
# Writes OUTDIR/{subset,subset-nolibc6,apt-subset}.Packages, {meta,apt-meta}.Packages,
# pins.txt, gap.set, apt.set; prints the comparison of the two sets.
import json, os, re, sys
pk_file, gap_json, apt_out, out = sys.argv[1:5]
stanzas = {}            # (name, version) -> stanza text
fields = {}             # (name, version) -> dict
essential_total = 0
cur = []
def flush():
    global essential_total
    if not cur: return
    text = ''.join(cur)
    d, last = {}, None
    for l in cur:
        if l[0] in ' \t' and last: d[last] += l
        else:
            k, _, v = l.partition(':'); d[k] = v.strip(); last = k
    key = (d['Package'], d['Version'])
    stanzas[key] = text; fields[key] = d
    if d.get('Essential') == 'yes': essential_total += 1
with open(pk_file, encoding='utf-8', errors='surrogateescape') as f:
    for line in f:
        if line == '\n': flush(); cur = []
        else: cur.append(line)
flush()
gap = [(p['name'], p['evr']) for p in json.load(open(gap_json))['packages']]
apt = []
for l in open(apt_out):
    m = re.match(r'Inst (\S+) \((\S+) ', l)
    if m: apt.append((m.group(1), m.group(2)))
for what, s in (('gapimg', gap), ('apt', apt)):
    miss = [k for k in s if k not in stanzas]
    if miss: sys.exit('%s chose packages not in the index: %s' % (what, miss[:5]))
def write(path, keys, meta=None):
    with open(path, 'w', encoding='utf-8', errors='surrogateescape') as f:
        for k in keys: f.write(stanzas[k] + '\n')
    if meta:
        with open(meta, 'w') as f:
            f.write('Package: chosen-set\nVersion: 1\nArchitecture: all\nDepends: %s\n\n'
                    % ', '.join('%s (= %s)' % k for k in keys))
write(os.path.join(out, 'subset.Packages'), gap, os.path.join(out, 'meta.Packages'))
write(os.path.join(out, 'subset-nolibc6.Packages'), [k for k in gap if k[0] != 'libc6'])
write(os.path.join(out, 'apt-subset.Packages'), apt, os.path.join(out, 'apt-meta.Packages'))
open(os.path.join(out, 'pins.txt'), 'w').write(' '.join('%s=%s' % k for k in gap) + '\n')
open(os.path.join(out, 'gap.set'), 'w').write(''.join('%s %s\n' % k for k in sorted(gap)))
open(os.path.join(out, 'apt.set'), 'w').write(''.join('%s %s\n' % k for k in sorted(apt)))

size = lambda keys: sum(int(fields[k]['Size']) for k in keys)
ess = lambda keys: sum(fields[k].get('Essential') == 'yes' for k in keys)
gs, as_ = set(gap), set(apt)
print('index: %d packages, %d of them Essential: yes' % (len(stanzas), essential_total))
print('gapimg: %d packages, %d bytes, %d Essential' % (len(gs), size(gs), ess(gs)))
print('apt:    %d packages, %d bytes, %d Essential' % (len(as_), size(as_), ess(as_)))
print('common: %d packages (same name and version)' % len(gs & as_))
samename_diffver = {n for n, v in gs} & {n for n, v in as_ - gs}
print('same name, other version: %s' % (', '.join(sorted(samename_diffver)) or 'none'))
og, oa = sorted(gs - as_), sorted(as_ - gs)
print('only gapimg (%d, %d bytes): %s' % (len(og), size(og), ' '.join(n for n, v in og)))
print('only apt (%d, %d bytes): %s' % (len(oa), size(oa), ' '.join(n for n, v in oa)))

# Explain: dependencies that the two sets satisfy differently (another
# alternative of "A | B", or a real package against another's Provides).
def provides(keys):
    p = {}
    for k in keys:
        p.setdefault(k[0], set()).add(k[0])
        for item in fields[k].get('Provides', '').split(','):
            item = item.strip()
            if item: p.setdefault(item.split()[0], set()).add(k[0])
    return p
pg, pa = provides(gs), provides(as_)
seen = set()
print('dependencies satisfied differently, in packages both chose:')
for k in sorted(gs & as_):
    for fld in ('Pre-Depends', 'Depends'):
        for group in fields[k].get(fld, '').split(','):
            alts = [a.strip().split()[0].split(':')[0] for a in group.split('|') if a.strip()]
            if not alts: continue
            def first(pmap):
                for a in alts:
                    if a in pmap: return '%s%s' % (a, '' if pmap[a] == {a} else ' (via ' + ', '.join(sorted(pmap[a])) + ')')
                return '-'
            fg, fa = first(pg), first(pa)
            if fg != fa and (group.strip(), fg, fa) not in seen:
                seen.add((group.strip(), fg, fa))
                print('  %s %s: "%s": apt %s, gapimg %s' % (k[0], fld, ' '.join(group.split()), fa, fg))
EOF

cat > "$W/py/rpmcheck.py" <<'EOF'
# rpmcheck.py GAP.json [--drop NAME] MIRROR_ID=DIR...
# Checks, without libsolv, that the chosen packages form a complete and
# consistent closure: every Requires of every chosen package (file deps and
# rich/boolean deps included; rpmlib() deps are provided by rpm itself and
# only counted) is satisfied by a chosen package, and no chosen package
# Conflicts with or Obsoletes another. Weak deps are not checked (gapimg
# resolves with recommends off). Uses primary.xml and, where present and
# not a stub, filelists.xml.
import glob, gzip, json, lzma, re, sys
import xml.etree.ElementTree as ET
args = sys.argv[1:]
gap_json = args.pop(0)
drop = None
if args and args[0] == '--drop':
    drop = args[1]; args = args[2:]
mirrors = dict(a.split('=', 1) for a in args)
C = '{http://linux.duke.edu/metadata/common}'
R = '{http://linux.duke.edu/metadata/rpm}'
FL = '{http://linux.duke.edu/metadata/filelists}'

def rpmvercmp(a, b):
    if a == b: return 0
    al = lambda c: c.isascii() and c.isalnum()
    i = j = 0
    while i < len(a) or j < len(b):
        while i < len(a) and not al(a[i]) and a[i] not in '~^': i += 1
        while j < len(b) and not al(b[j]) and b[j] not in '~^': j += 1
        ta, tb = i < len(a) and a[i] == '~', j < len(b) and b[j] == '~'
        if ta or tb:
            if not ta: return 1
            if not tb: return -1
            i += 1; j += 1; continue
        ca, cb = i < len(a) and a[i] == '^', j < len(b) and b[j] == '^'
        if ca or cb:
            if i >= len(a): return -1
            if j >= len(b): return 1
            if not ca: return 1
            if not cb: return -1
            i += 1; j += 1; continue
        if not (i < len(a) and j < len(b)): break
        si, sj = i, j
        isnum = a[i].isdigit()
        test = (lambda c: c.isascii() and c.isdigit()) if isnum else (lambda c: c.isascii() and c.isalpha())
        while i < len(a) and test(a[i]): i += 1
        while j < len(b) and test(b[j]): j += 1
        s1, s2 = a[si:i], b[sj:j]
        if not s2: return 1 if isnum else -1
        if isnum:
            s1, s2 = s1.lstrip('0'), s2.lstrip('0')
            if len(s1) != len(s2): return 1 if len(s1) > len(s2) else -1
        if s1 != s2: return 1 if s1 > s2 else -1
    if i >= len(a) and j >= len(b): return 0
    return -1 if i >= len(a) else 1

def evrcmp(x, y):
    (e1, v1, r1), (e2, v2, r2) = x, y
    c = (int(e1 or 0) > int(e2 or 0)) - (int(e1 or 0) < int(e2 or 0))
    if c: return c
    c = rpmvercmp(v1 or '', v2 or '')
    if c or not r1 or not r2: return c
    return rpmvercmp(r1, r2)

SENSE = {'EQ': '=', 'LT': '<', 'LE': '<=', 'GT': '>', 'GE': '>=', None: ''}
def overlap(pf, pevr, rf, revr):
    # rpmdsCompare: an unversioned side always overlaps
    if not pf or not rf: return True
    s = evrcmp(pevr, revr)
    if s < 0: return '>' in pf or '<' in rf
    if s > 0: return '<' in pf or '>' in rf
    return ('=' in pf and '=' in rf) or ('<' in pf and '<' in rf) or ('>' in pf and '>' in rf)

def parse_evr(s):
    e, _, vr = s.rpartition(':') if ':' in s else ('', '', s)
    v, _, r = vr.rpartition('-') if '-' in vr else (vr, '', '')
    return (e or '0', v, r or None)

def entries(fmt, tag):
    el = fmt.find(R + tag)
    out = []
    if el is None: return out
    for e in el.findall(R + 'entry'):
        f = SENSE[e.get('flags')]
        evr = (e.get('epoch') or '0', e.get('ver'), e.get('rel')) if f else None
        out.append((e.get('name'), f, evr))
    return out

pkgs = {}    # (mirror, name, evr, arch) -> dict
for mid, d in mirrors.items():
    repomd = ET.parse(d + '/repodata/repomd.xml').getroot()
    locs = {x.get('type'): x.find('{http://linux.duke.edu/metadata/repo}location').get('href')
            for x in repomd.findall('{http://linux.duke.edu/metadata/repo}data')}
    def op(p):
        p = d + '/' + p
        return gzip.open(p) if p.endswith('.gz') else lzma.open(p) if p.endswith('.xz') else open(p, 'rb')
    files_by_pkgid = {}
    fl = locs.get('filelists')
    full_filelists = False
    if fl and glob.glob(d + '/' + fl):
        for ev, el in ET.iterparse(op(fl)):
            if el.tag == FL + 'package':
                files_by_pkgid[el.get('pkgid')] = [f.text for f in el.findall(FL + 'file')]
                el.clear()
        full_filelists = len(files_by_pkgid) > 0
    for ev, el in ET.iterparse(op(locs['primary'])):
        if el.tag != C + 'package': continue
        v = el.find(C + 'version')
        e, ver, rel = v.get('epoch') or '0', v.get('ver'), v.get('rel')
        evr = ('' if e == '0' else e + ':') + ver + '-' + rel
        name, arch = el.find(C + 'name').text, el.find(C + 'arch').text
        fmt = el.find(C + 'format')
        pkgid = el.find(C + 'checksum').text
        files = [f.text for f in fmt.findall(C + 'file')] + files_by_pkgid.get(pkgid, [])
        pkgs[(mid, name, evr, arch)] = dict(
            name=name, evr=(e, ver, rel), arch=arch, files=set(files), full_files=pkgid in files_by_pkgid,
            provides=entries(fmt, 'provides') + [(name, '=', (e, ver, rel))],
            requires=entries(fmt, 'requires'), conflicts=entries(fmt, 'conflicts'),
            obsoletes=entries(fmt, 'obsoletes'))
        el.clear()

res = json.load(open(gap_json))
chosen = []
for p in res['packages']:
    k = (p['mirror'], p['name'], p['evr'], p['arch'])
    if k not in pkgs: sys.exit('chosen package not in metadata: %s' % (k,))
    if p['name'] != drop: chosen.append(pkgs[k])
prov = {}
for p in chosen:
    for n, f, evr in p['provides']:
        prov.setdefault(n, []).append((p, f, evr))
files = {}
for p in chosen:
    for f in p['files']: files.setdefault(f, []).append(p)

def providers(name, f, evr):
    if name.startswith('/'):
        return files.get(name, []) + [p for p, pf, pe in prov.get(name, [])]
    return [p for p, pf, pe in prov.get(name, []) if overlap(pf, pe, f, evr)]

def tokens(s):
    # '(' and ')' are structure only outside a name: names like
    # libc.so.6(GLIBC_2.34)(64bit) carry balanced parentheses
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c.isspace(): i += 1; continue
        if c in '()': out.append(c); i += 1; continue
        j, depth = i, 0
        while j < len(s) and not s[j].isspace():
            if s[j] == '(': depth += 1
            elif s[j] == ')':
                if depth == 0: break
                depth -= 1
            j += 1
        out.append(s[i:j]); i = j
    return out
OPS = ('and', 'or', 'if', 'else', 'unless', 'with', 'without')
def rich_parse(tokens, i):
    # returns (tree, next index); tree: ('atom', name, f, evr) | (op, [trees])
    if tokens[i] == '(':
        terms, ops, i = [], [], i + 1
        while True:
            t, i = rich_parse(tokens, i)
            terms.append(t)
            if tokens[i] == ')': i += 1; break
            ops.append(tokens[i]); i += 1
        if not ops: return terms[0], i
        if ops[0] in ('if', 'unless'):
            return (ops[0], terms), i          # A if B [else C]
        return (ops[0], terms), i              # and/or/with/without chains
    name = tokens[i]; i += 1
    if i < len(tokens) and tokens[i] in ('<', '<=', '=', '>=', '>', '=='):
        f = tokens[i].replace('==', '='); evr = parse_evr(tokens[i + 1])
        return ('atom', name, f, evr), i + 2
    return ('atom', name, '', None), i

def holds(t):
    if t[0] == 'atom': return bool(providers(t[1], t[2], t[3]))
    op, ts = t
    if op == 'and': return all(holds(x) for x in ts)
    if op == 'or': return any(holds(x) for x in ts)
    if op == 'if': return (holds(ts[0]) if holds(ts[1]) else (holds(ts[2]) if len(ts) > 2 else True))
    if op == 'unless': return ((holds(ts[2]) if len(ts) > 2 else True) if holds(ts[1]) else holds(ts[0]))
    if op in ('with', 'without'):
        a = {id(p) for p in prov_set(ts[0])}
        b = {id(p) for p in prov_set(ts[1])}
        return bool(a & b) if op == 'with' else bool(a - b)
    raise ValueError(op)
def prov_set(t):
    if t[0] != 'atom': raise ValueError('nested with/without')
    return providers(t[1], t[2], t[3])

unsat, rpmlib, rich, filedeps, conflicts, obsoleted = [], 0, 0, 0, [], []
def nevra(p): return '%s-%s.%s' % (p['name'], ('' if p['evr'][0] == '0' else p['evr'][0] + ':') + p['evr'][1] + '-' + p['evr'][2], p['arch'])
def dep(n, f, evr): return n + ('' if not f else ' %s %s' % (f, ('' if evr[0] == '0' else evr[0] + ':') + evr[1] + ('-' + evr[2] if evr[2] else '')))
for p in chosen:
    for n, f, evr in p['requires']:
        if n.startswith('rpmlib('): rpmlib += 1; continue
        if n.startswith('('):
            rich += 1
            t, _ = rich_parse(tokens(n), 0)
            if not holds(t): unsat.append((nevra(p), n))
            continue
        if n.startswith('/'): filedeps += 1
        if not providers(n, f, evr): unsat.append((nevra(p), dep(n, f, evr)))
    for n, f, evr in p['conflicts']:
        if n.startswith('('):
            t, _ = rich_parse(tokens(n), 0)
            if holds(t): conflicts.append((nevra(p), n))
            continue
        for q in providers(n, f, evr):
            if q is not p: conflicts.append((nevra(p), dep(n, f, evr) + ' (' + nevra(q) + ')'))
    for n, f, evr in p['obsoletes']:
        for q in chosen:
            if q is not p and q['name'] == n and overlap('=', q['evr'], f, evr):
                obsoleted.append((nevra(p), dep(n, f, evr) + ' (' + nevra(q) + ')'))
names = [p['name'] for p in chosen]
dups = sorted({n for n in names if names.count(n) > 1})
nreq = sum(len(p['requires']) for p in chosen)
print('packages checked: %d (%s)' % (len(chosen), 'without ' + drop if drop else 'the chosen set'))
print('requires checked: %d (%d file deps, %d rich deps; %d rpmlib() deps skipped)' % (nreq - rpmlib, filedeps, rich, rpmlib))
print('packages with full file lists: %d of %d' % (sum(p['full_files'] for p in chosen), len(chosen)))
print('unsatisfied requires: %d' % len(unsat))
for a, b in unsat[:15]: print('  %s requires %s' % (a, b))
print('conflicts inside the set: %d' % len(conflicts))
for a, b in conflicts[:10]: print('  %s conflicts with %s' % (a, b))
print('obsoleted inside the set: %d' % len(obsoleted))
for a, b in obsoleted[:10]: print('  %s obsoletes %s' % (a, b))
print('names chosen twice: %s' % (', '.join(dups) or 'none'))
bad = len(unsat) + len(conflicts) + len(obsoleted) + len(dups)
print('RESULT: %s' % ('complete and consistent' if not bad else '%d problems' % bad))
EOF

# t LABEL OUTFILE CMD... : run CMD, stdout to OUTFILE, record wall/RSS/CPU
t() {
	local label=$1 out=$2 rc=0
	shift 2
	/usr/bin/time -f "%e %M %U %S" -o "$W/time.tmp" "$@" > "$out" 2> "$out.err" || rc=$?
	if [ $rc -ne 0 ]; then
		log "failed ($rc): $*"; sed -n '1,40p' "$out.err" >&2; exit 1
	fi
	echo "$label $(tail -n1 "$W/time.tmp")" >> "$W/times.txt"
}
pkglines() { awk 'NF==6 && $1 ~ /^[0-9]+$/ {print $2, $3, $4, $5}' "$1"; }

# ------------------------------------------------------------------ Debian mirror
log "== Debian mirror"
LISTS=/var/lib/apt/lists
shopt -s nullglob
src=("$LISTS"/*_dists_"${SUITE}"_main_binary-amd64_Packages*)
if [ ${#src[@]} -eq 0 ]; then
	log "no bookworm main Packages list in $LISTS: running apt-get update"
	apt-get update -qq
	src=("$LISTS"/*_dists_"${SUITE}"_main_binary-amd64_Packages*)
fi
inrel=("$LISTS"/*_dists_"${SUITE}"_InRelease)
shopt -u nullglob
[ ${#src[@]} -eq 1 ] || { echo "expected one bookworm main amd64 Packages list, found ${#src[@]}" >&2; exit 1; }
DEBM=$W/deb
B=$DEBM/dists/$SUITE/main/binary-amd64
mkdir -p "$B"
/usr/lib/apt/apt-helper cat-file "${src[0]}" > "$W/Packages.new"
PK_SHA=$(sha256sum < "$W/Packages.new" | cut -d' ' -f1)
PK_BYTES=$(stat -c %s "$W/Packages.new")
INREL_SHA=- INREL_DATE=- PK_SIGNED=unknown
if [ ${#inrel[@]} -eq 1 ]; then
	INREL_SHA=$(sha256sum < "${inrel[0]}" | cut -d' ' -f1)
	INREL_DATE=$(sed -n 's/^Date: //p' "${inrel[0]}" | head -n1)
	if awk -v h="$PK_SHA" -v s="$PK_BYTES" '/^SHA256:/{f=1;next} /^[^ ]/{f=0} f && $1==h && $2==s && $3=="main/binary-amd64/Packages"{ok=1} END{exit !ok}' "${inrel[0]}"; then
		PK_SIGNED=yes
	else
		PK_SIGNED=no
	fi
fi
# The xz mirror holds Packages.xz only (gapimg reads the plain file first
# when a mirror has both); the plain index is kept beside it, in IDX.
IDX=$W/Packages.index
if [ -f "$DEBM/.packages-sha256" ] && [ "$(cat "$DEBM/.packages-sha256")" = "$PK_SHA" ] && [ -f "$B/Packages.xz" ] && [ -f "$IDX" ] && [ ! -e "$B/Packages" ]; then
	log "reusing $DEBM (same index)"
	rm -f "$W/Packages.new"
else
	rm -rf "$DEBM" "$W/deb-plain"
	mkdir -p "$B"
	mv "$W/Packages.new" "$IDX"
	log "compressing the index (xz -6, one thread, as the archive does)"
	xz -6 -T1 -c "$IDX" > "$B/Packages.xz"
	log "creating sparse pool files"
	$PY "$W/py/placeholders.py" deb "$DEBM" "$IDX" > "$W/deb-pool.count"
	echo "$PK_SHA" > "$DEBM/.packages-sha256"
fi
# the Release of the xz mirror
mkrelease() { # dir-with-dists
	(cd "$1/dists/$SUITE" && apt-ftparchive \
		-o APT::FTPArchive::Release::Suite=$SUITE \
		-o APT::FTPArchive::Release::Codename=$SUITE \
		-o APT::FTPArchive::Release::Architectures=amd64 \
		-o APT::FTPArchive::Release::Components=main \
		release . > Release.tmp && mv Release.tmp Release)
}
rm -f "$DEBM/dists/$SUITE/Release"
# Like Debian's own Release, it lists the uncompressed index too (apt finds
# an index by that name), which the mirror then does not carry.
ln "$IDX" "$B/Packages" 2>/dev/null || cp "$IDX" "$B/Packages"
mkrelease "$DEBM"
rm -f "$B/Packages"
# The same index uncompressed only, sharing the pool: shows what xz costs.
# Those are the very bytes Debian's InRelease lists, so when apt verified it
# and the archive keyring is here, this mirror uses the real signed InRelease.
DEBP=$W/deb-plain
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
rm -rf "$DEBP"; mkdir -p "$DEBP/dists/$SUITE/main/binary-amd64"
ln "$IDX" "$DEBP/dists/$SUITE/main/binary-amd64/Packages" 2>/dev/null \
	|| cp "$IDX" "$DEBP/dists/$SUITE/main/binary-amd64/Packages"
ln -s ../deb/pool "$DEBP/pool"
if [ "$PK_SIGNED" = yes ] && [ -f "$KEYRING" ]; then
	cp "${inrel[0]}" "$DEBP/dists/$SUITE/InRelease"
	PLAIN_OPTS="key=$KEYRING"
	PLAIN_DESC="plain Packages + Debian's signed InRelease"
else
	mkrelease "$DEBP"
	PLAIN_OPTS="signatures=off"
	PLAIN_DESC="plain Packages, signatures=off"
fi
DEB_N=$(grep -c '^Package: ' "$IDX")
DEB_XZ_BYTES=$(stat -c %s "$B/Packages.xz")

# ------------------------------------------------------------------ RPM mirrors
log "== RPM mirrors"
RPMW=$W/rpm
rm -rf "$RPMW"
for r in baseos:centos-stream9-baseos-2022 appstream:centos-stream9-appstream-2025; do
	id=${r%%:*}; d=$FIX/rpm-md-real/${r#*:}
	mkdir -p "$RPMW/$id"
	cp -r "$d/repodata" "$RPMW/$id/"
	chmod -R u+w "$RPMW/$id"
	primary=$(sed -n 's/.*location href="\([^"]*primary\.xml[^"]*\)".*/\1/p' "$d/repodata/repomd.xml" | head -n1)
	$PY "$W/py/placeholders.py" rpm "$RPMW/$id" "$RPMW/$id/$primary" > "$W/rpm-$id.count"
done
RPM_N_BASE=$(cat "$W/rpm-baseos.count"); RPM_N_APP=$(cat "$W/rpm-appstream.count")

# ------------------------------------------------------------------ recipes
cat > "$W/deb.recipe" <<EOF
image bench-resolve-deb
version 1
arch x86_64
epoch 1795910400
mirror bookworm deb $DEBM suite=$SUITE components=main signatures=off
install $DEB_REQ
EOF
sed -e "s|deb $DEBM |deb $DEBP |" -e "s|signatures=off|$PLAIN_OPTS|" "$W/deb.recipe" > "$W/deb-plain.recipe"
cat > "$W/rpm.recipe" <<EOF
image bench-resolve-rpm
version 1
arch x86_64
epoch 1795910400
mirror baseos rpm-md $RPMW/baseos signatures=off
mirror appstream rpm-md $RPMW/appstream signatures=off
install $RPM_REQ
EOF

# ------------------------------------------------------------------ apt root
log "== throwaway apt root"
A=$W/apt
rm -rf "$A"
mkdir -p "$A/state/lists/partial" "$A/cache/archives/partial" "$A/etc/sources.list.d" \
	"$A/etc/preferences.d" "$A/etc/apt.conf.d" "$A/etc/trusted.gpg.d"
: > "$A/status"
echo "deb [trusted=yes] file:$DEBM $SUITE main" > "$A/etc/sources.list"
# Dir::Etc::parts is redirected, so none of /etc/apt/apt.conf.d applies
cat > "$A/apt.conf" <<EOF
Dir::Etc "$A/etc";
Dir::Etc::sourcelist "$A/etc/sources.list";
Dir::Etc::sourceparts "$A/etc/sources.list.d";
Dir::Etc::preferences "$A/etc/preferences";
Dir::Etc::preferencesparts "$A/etc/preferences.d";
Dir::Etc::parts "$A/etc/apt.conf.d";
Dir::Etc::trustedparts "$A/etc/trusted.gpg.d";
Dir::State "$A/state";
Dir::State::status "$A/status";
Dir::Cache "$A/cache";
APT::Architecture "amd64";
APT::Architectures { "amd64"; };
APT::Install-Recommends "false";
APT::Install-Suggests "false";
APT::Sandbox::User "root";
Acquire::Languages "none";
Debug::NoLocking "true";
EOF
export APT_CONFIG=$A/apt.conf
apt-get update -qq
[ -s "$A/cache/pkgcache.bin" ] || { echo "apt wrote no pkgcache.bin" >&2; exit 1; }

# ------------------------------------------------------------------ timing
DC=$W/cache-deb; RC=$W/cache-rpm
read -r -a DEBP_ARGS <<< "$DEB_REQ"
log "== timing, $RUNS runs, alternating"
mkdir -p "$W/out"
for i in $(seq 1 "$RUNS"); do
	log "   run $i/$RUNS"
	t deb-cold "$W/out/deb-cold.$i" "$G" resolve --no-cache "$W/deb.recipe"
	t deb-plain-cold "$W/out/deb-plain-cold.$i" "$G" resolve --no-cache "$W/deb-plain.recipe"
	rm -rf "$DC"
	t deb-first "$W/out/deb-first.$i" "$G" resolve --cache-dir "$DC" "$W/deb.recipe"
	t deb-warm "$W/out/deb-warm.$i" "$G" resolve --cache-dir "$DC" "$W/deb.recipe"
	t apt-warm "$W/out/apt-warm.$i" apt-get install -s -q "${DEBP_ARGS[@]}"
	rm -f "$A/cache/pkgcache.bin" "$A/cache/srcpkgcache.bin"
	t apt-cold "$W/out/apt-cold.$i" apt-get install -s -q "${DEBP_ARGS[@]}"
	t rpm-cold "$W/out/rpm-cold.$i" "$G" resolve --no-cache "$W/rpm.recipe"
	rm -rf "$RC"
	t rpm-first "$W/out/rpm-first.$i" "$G" resolve --cache-dir "$RC" "$W/rpm.recipe"
	t rpm-warm "$W/out/rpm-warm.$i" "$G" resolve --cache-dir "$RC" "$W/rpm.recipe"
done

# every run of a side must print the same set of packages, and every run of
# one mode the same order; whether cold and warm give the same install order
# is reported (ORDER_deb, ORDER_rpm). Warm runs must hit the cache.
declare -A ORDER
for side in deb rpm; do
	ref=$(pkglines "$W/out/$side-cold.1" | sort | sha256sum)
	for f in "$W"/out/"$side"-*.[0-9]*; do
		case $f in *.err) continue ;; esac
		[ "$(pkglines "$f" | sort | sha256sum)" = "$ref" ] || { echo "different package set in $f" >&2; exit 1; }
		mode=${f%.*}
		[ "$(pkglines "$f" | sha256sum)" = "$(pkglines "$mode.1" | sha256sum)" ] \
			|| { echo "different order between runs: $f" >&2; exit 1; }
	done
	if [ "$(pkglines "$W/out/$side-cold.1" | sha256sum)" = "$(pkglines "$W/out/$side-warm.1" | sha256sum)" ]; then
		ORDER[$side]="the same install order cold and warm"
	else
		moved=$({ diff <(pkglines "$W/out/$side-cold.1" | cut -d' ' -f1) \
			<(pkglines "$W/out/$side-warm.1" | cut -d' ' -f1) || true; } | sed -n 's/^< //p' | paste -sd' ' -)
		ORDER[$side]="a DIFFERENT install order cold and warm (same set); moved: $moved"
	fi
	for f in "$W"/out/"$side"-warm.[0-9]*; do
		case $f in *.err) continue ;; esac
		[ "$(grep -c '^mirror .*(cached)$' "$f")" -eq "$(grep -c '^mirror ' "$f")" ] \
			|| { echo "warm run did not use the cache: $f" >&2; exit 1; }
	done
	! grep -q '(cached)' "$W/out/$side-cold.1" || { echo "cold run used a cache" >&2; exit 1; }
done
for i in $(seq 1 "$RUNS"); do
	cmp -s <(awk '/^Inst /' "$W/out/apt-warm.1") <(awk '/^Inst /' "$W/out/apt-cold.$i") \
		|| { echo "apt runs disagree" >&2; exit 1; }
done

# ------------------------------------------------------------------ closure checks
log "== closure checks"
"$G" resolve --json --cache-dir "$DC" "$W/deb.recipe" > "$W/deb.json"
"$G" resolve --json --cache-dir "$RC" "$W/rpm.recipe" > "$W/rpm.json"
cmp -s <($PY -c 'import json,sys; [print(p["name"], p["evr"], p["arch"], p["mirror"]) for p in json.load(open(sys.argv[1]))["packages"]]' "$W/deb.json") \
	<(pkglines "$W/out/deb-warm.1") || { echo "--json and text output differ (deb)" >&2; exit 1; }
CK=$W/check; rm -rf "$CK"; mkdir -p "$CK"
$PY "$W/py/debsets.py" "$IDX" "$W/deb.json" "$W/out/apt-warm.1" "$CK" > "$CK/compare.txt"
dose() { dose-debcheck --deb-native-arch=amd64 --failures --explain --summary "$@"; }
broken() { sed -n 's/^broken-packages: //p' "$1"; }
dose "$CK/subset.Packages" > "$CK/dose-each.txt" || true
dose --fg "$CK/meta.Packages" --bg "$CK/subset.Packages" > "$CK/dose-all.txt" || true
dose --fg "$CK/meta.Packages" --bg "$CK/subset-nolibc6.Packages" > "$CK/dose-neg.txt" || true
dose "$CK/apt-subset.Packages" > "$CK/dose-apt-each.txt" || true
dose --fg "$CK/apt-meta.Packages" --bg "$CK/apt-subset.Packages" > "$CK/dose-apt-all.txt" || true
DOSE_EACH=$(broken "$CK/dose-each.txt"); DOSE_EACH_N=$(sed -n 's/^total-packages: //p' "$CK/dose-each.txt")
DOSE_ALL=$(broken "$CK/dose-all.txt"); DOSE_NEG=$(broken "$CK/dose-neg.txt")
DOSE_APT_EACH=$(broken "$CK/dose-apt-each.txt"); DOSE_APT_ALL=$(broken "$CK/dose-apt-all.txt")
# apt: the pinned chosen set must need nothing more and remove nothing
# shellcheck disable=SC2046
apt-get install -s -q $(cat "$CK/pins.txt") > "$CK/apt-pins.txt" 2>&1 || true
APT_PIN_INST=$(grep -c '^Inst ' "$CK/apt-pins.txt" || true)
APT_PIN_SUMMARY=$(grep -E '^[0-9]+ upgraded' "$CK/apt-pins.txt" || echo "apt failed: $(grep '^E:' "$CK/apt-pins.txt" | head -n1)")
if cmp -s <(awk '/^Inst /{v=$3; gsub(/[()]/,"",v); print $2, v}' "$CK/apt-pins.txt" | sort) "$CK/gap.set"; then
	APT_PIN_SAME=yes
else
	APT_PIN_SAME=no
fi
RPMARGS=(baseos="$RPMW/baseos" appstream="$RPMW/appstream")
$PY "$W/py/rpmcheck.py" "$W/rpm.json" "${RPMARGS[@]}" > "$CK/rpm-check.txt"
$PY "$W/py/rpmcheck.py" "$W/rpm.json" --drop glibc "${RPMARGS[@]}" > "$CK/rpm-neg.txt"

# ------------------------------------------------------------------ report
$PY "$W/py/summary.py" "$W/times.txt" > "$W/summary.txt"
row() { awk -v l="$1" '$1==l' "$W/summary.txt"; }
med() { row "$1" | cut -d' ' -f2; }
cell() { row "$1" | awk '{printf "%s (%s–%s) | %s | %s | %s", $2, $3, $4, $5, $6, $7}'; }
DEB_GAP_N=$(tail -n1 "$W/out/deb-cold.1"); RPM_GAP_N=$(tail -n1 "$W/out/rpm-cold.1")
APT_N=$(grep -c '^Inst ' "$W/out/apt-warm.1")
ok() { awk -v a="$1" -v b="$2" 'BEGIN{print (a+0 <= b+0) ? "met" : "not met"}'; }
END=$(date +%s)
{
echo "### bench/resolve.sh, $(date -u +%Y-%m-%d), $RUNS runs"
echo
echo "gapimg $GAPIMG_REV (tracked files changed since: $GAPIMG_DIRTY), $(nproc) CPUs, $(sed -n 's/^PRETTY_NAME="\(.*\)"$/\1/p' /etc/os-release),"
echo "$(dpkg-query -W -f='libsolv ${Version}' libsolv1 2>/dev/null), $(apt-get --version | head -n1), dose-debcheck $(dpkg-query -W -f='${Version}' dose-distcheck 2>/dev/null)."
echo
echo "Debian index: apt's list of $SUITE main amd64 = $DEB_N packages, $PK_BYTES bytes, sha256 $PK_SHA;"
echo "listed in the signed InRelease (Date: $INREL_DATE, sha256 $INREL_SHA): $PK_SIGNED."
echo "Mirror: Packages.xz ($DEB_XZ_BYTES bytes, xz -6) + Release from apt-ftparchive, signatures=off."
echo "Second mirror (the \"plain\" row): $PLAIN_DESC ($PLAIN_OPTS); gapimg said: $(sed -n 's/^mirror //p' "$W/out/deb-plain-cold.1")."
echo "RPM: CentOS Stream 9 BaseOS 2022 ($RPM_N_BASE packages) + AppStream 2025 ($RPM_N_APP packages), signatures=off."
echo
echo "Request (Debian): $DEB_REQ"
echo "Request (RPM): $RPM_REQ"
echo
echo "| side | what | wall s, median (min–max) | peak RSS MB, median | CPU s, median | runs | packages |"
echo "|---|---|---|---|---|---|---|"
echo "| Debian | gapimg cold (--no-cache), Packages.xz | $(cell deb-cold) | ${DEB_GAP_N%% packages*} |"
echo "| Debian | gapimg cold (--no-cache), $PLAIN_DESC | $(cell deb-plain-cold) | ${DEB_GAP_N%% packages*} |"
echo "| Debian | gapimg first run, empty --cache-dir | $(cell deb-first) | ${DEB_GAP_N%% packages*} |"
echo "| Debian | gapimg warm, populated --cache-dir | $(cell deb-warm) | ${DEB_GAP_N%% packages*} |"
echo "| Debian | apt-get install -s, pkgcache.bin present | $(cell apt-warm) | $APT_N |"
echo "| Debian | apt-get install -s, pkgcache.bin removed | $(cell apt-cold) | $APT_N |"
echo "| RPM | gapimg cold (--no-cache) | $(cell rpm-cold) | ${RPM_GAP_N%% packages*} |"
echo "| RPM | gapimg first run, empty --cache-dir | $(cell rpm-first) | ${RPM_GAP_N%% packages*} |"
echo "| RPM | gapimg warm, populated --cache-dir | $(cell rpm-warm) | ${RPM_GAP_N%% packages*} |"
echo
echo "Targets: cold ≤ 1.5 s: Debian $(med deb-cold) s $(ok "$(med deb-cold)" 1.5), RPM $(med rpm-cold) s $(ok "$(med rpm-cold)" 1.5);"
echo "warm ≤ 0.150 s: Debian $(med deb-warm) s $(ok "$(med deb-warm)" 0.150), RPM $(med rpm-warm) s $(ok "$(med rpm-warm)" 0.150)."
echo
echo "gapimg: Debian $DEB_GAP_N; RPM $RPM_GAP_N. apt: $APT_N packages."
echo "Every run of a side printed the same set. Debian: ${ORDER[deb]}."
echo "RPM: ${ORDER[rpm]}."
echo
echo "Commands (W=$W):"
echo
echo "    gapimg resolve --no-cache W/deb.recipe          # and W/deb-plain.recipe, W/rpm.recipe"
echo "    rm -rf CACHE; gapimg resolve --cache-dir CACHE W/deb.recipe   # first run (W/rpm.recipe likewise)"
echo "    gapimg resolve --cache-dir CACHE W/deb.recipe   # warm"
echo "    APT_CONFIG=W/apt/apt.conf apt-get install -s -q $DEB_REQ"
echo "    rm W/apt/cache/*.bin; APT_CONFIG=W/apt/apt.conf apt-get install -s -q $DEB_REQ"
echo
echo "Closure checks:"
echo
echo "- dose-debcheck, universe = the $(grep -c '^Package: ' "$CK/subset.Packages") chosen stanzas: each chosen package installable: $DOSE_EACH broken of $DOSE_EACH_N;"
echo "  a package depending on all of them (= version) installable: $DOSE_ALL broken;"
echo "  negative control, same without libc6: $DOSE_NEG broken (must be 1)."
echo "- apt-get install -s of the $(wc -l < "$CK/gap.set") chosen name=version: $APT_PIN_INST Inst lines, same set: $APT_PIN_SAME ($APT_PIN_SUMMARY)."
echo "- apt's own set through dose-debcheck: each $DOSE_APT_EACH broken, all together $DOSE_APT_ALL broken."
echo "- RPM (Python over primary.xml/filelists, no libsolv): $(grep '^RESULT' "$CK/rpm-check.txt");"
echo "  $(grep -E '^(requires checked|unsatisfied|conflicts|obsoleted|packages with full)' "$CK/rpm-check.txt" | paste -sd';' - | sed 's/;\([^ ]\)/; \1/g')"
echo "  negative control without glibc: $(grep '^RESULT' "$CK/rpm-neg.txt")."
echo
echo "apt against gapimg (Debian):"
echo
sed 's/^/    /' "$CK/compare.txt"
echo
echo "Script runtime: $((END - START)) s. Load average at start: $LOAD_START; at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
} | tee "$W/report.md"
if ! { [ "$DOSE_EACH" = 0 ] && [ "$DOSE_ALL" = 0 ] && [ "$DOSE_NEG" = 1 ] && [ "$APT_PIN_SAME" = yes ] &&
	grep -q '^RESULT: complete' "$CK/rpm-check.txt" && ! grep -q '^RESULT: complete' "$CK/rpm-neg.txt"; }; then
	echo "closure check FAILED (see $CK)" >&2
	exit 1
fi
