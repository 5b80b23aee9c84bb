#!/usr/bin/env bash
# bench/wheels.sh - time `gapimg resolve` of a recipe's pip lines against
# pip's own resolver (`pip install --dry-run --report`) on the same wheel
# folder and the same request, in the same run, and compare the sets they
# choose.
#
#   bench/wheels.sh [--runs N] [--big NPROJ,NVER] [--gapimg PATH] [--work DIR] [--wait MINUTES]
#
# Data sets (flat folders of .whl files: a `wheels` mirror for gapimg,
# --find-links for pip):
#   small  bench/wheels-data.sh OUT (300 projects x 8 versions = 2,400 tiny
#          pure-Python wheels: pre- and post-releases, Requires-Python,
#          specifiers, extras, markers); the request is its roots.txt (20
#          projects).
#   big    bench/wheels-data.sh OUT 1000 8 (--big NPROJ,NVER to change),
#          the same kind of request.
#   real   ../shared/fixtures/wheels/files (real wheels), the request
#          importlib-metadata simplewheel "complex-dist[simple]"; skipped
#          with a note when ../shared is missing.
#
# gapimg: `gapimg resolve --no-cache --json RECIPE` (cold; the wheel mirror
#   is never cached anyway), RECIPE =
#     mirror base deb OSMIRROR suite=bookworm components=main signatures=off
#     mirror pypi wheels DIR
#     install python3-minimal
#     python X.Y.Z          (the version of /usr/bin/python3, pip's own)
#     pip REQUEST
#   Every wheel requires the interpreter (python3.Y-minimal), so an OS
#   mirror is needed: ../shared/fixtures/deb, a small real Debian mirror
#   ($GAPIMG_SHARED/fixtures/deb when that is set). Without it the mirror
#   is downloaded as tests/e2e/debian-lib.sh's mirror_for does (that file
#   is sourced: apt-get download of the closure of python3-minimal and
#   busybox-static), and the report says so.
#   "gapimg OS part": the same recipe without the wheels mirror, python and
#   pip lines, timed in the same rotation: what reading the Debian mirror
#   and solving python3-minimal costs. Subtracting its median from a data
#   set's median gives the wheel part.
# pip: Debian's pip, explicitly (python3 on PATH may be another one), with
#   the environment's PIP_FIND_LINKS and PIP_INDEX_URL removed:
#     env -u PIP_FIND_LINKS -u PIP_INDEX_URL /usr/bin/python3 -m pip --isolated
#       --disable-pip-version-check install --dry-run --no-index
#       --find-links DIR --ignore-installed --report FILE
#       --break-system-packages -q REQUEST
#
# Every measurement is run N times (default 3), the order rotated each run
# (gapimg and pip on a data set are always next to each other): wall time,
# user+sys CPU and peak RSS (GNU time); medians are reported. Each tool
# must choose the same set in every run. The folders are read once before
# the timed runs (page cache warm for both tools). Before the timed runs
# the script waits, polling every 30 s for up to --wait minutes (default
# 15, 0: do not wait), until the 1-minute load average is 0.8 or less; the
# load is reported either way, also before each run.
#
# The chosen sets are compared by (PEP 503 name, PEP 440 version): gapimg's
# wheels from --json ("wheel": true), pip's "install" list from its report.
# Each set is also checked on its own by WORK/py/compare.py, with the
# packaging library vendored in pip but neither resolver: the request met,
# every Requires-Dist whose marker holds (extras included) met, Requires-Python
# and tags acceptable, nothing unneeded; and whether any chosen project
# could move to a newer final release with everything else kept. Where the
# sets differ it names, for each project, the requirement that keeps the
# other tool's newer version out of a set.
#
# Work dir: ${TMPDIR:-/var/tmp}/gapimg-bench-wheels (rebuilt every run);
# the report is also written to WORK/report.md. The gapimg binary is copied
# into the work dir first, so rebuilding it during the run changes nothing.
# Needs: /usr/bin/python3 with pip, GNU time. Never part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

RUNS=3
BIG=1000,8
GAPIMG=$ROOT/build/release/gapimg
W=${TMPDIR:-/var/tmp}/gapimg-bench-wheels
WAIT=15
usage() { echo "usage: bench/wheels.sh [--runs N] [--big NPROJ,NVER] [--gapimg PATH] [--work DIR] [--wait MINUTES]" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	--runs) RUNS=${2:?--runs N}; shift 2 ;;
	--big) BIG=${2:?--big NPROJ,NVER}; shift 2 ;;
	--gapimg) GAPIMG=${2:?--gapimg PATH}; shift 2 ;;
	--work) W=${2:?--work DIR}; shift 2 ;;
	--wait) WAIT=${2:?--wait MINUTES}; shift 2 ;;
	-h|--help) sed -n '2,/^set -euo/p' "$0" | sed -n 's/^# \{0,1\}//p'; exit 0 ;;
	*) usage ;;
	esac
done
case $RUNS in ''|*[!0-9]*|0) echo "--runs: a positive number" >&2; exit 2 ;; esac
case $WAIT in ''|*[!0-9]*) echo "--wait: minutes, 0 or more" >&2; exit 2 ;; esac
[[ $BIG =~ ^[0-9]+,[0-9]+$ ]] || { echo "--big: NPROJ,NVER (as bench/wheels-data.sh takes them), not '$BIG'" >&2; exit 2; }
case $GAPIMG in /*) ;; *) GAPIMG=$PWD/$GAPIMG ;; esac
[ -x "$GAPIMG" ] || { echo "$GAPIMG: no gapimg binary (build it, or give --gapimg PATH)" >&2; exit 1; }
PY=/usr/bin/python3
for c in "$PY" /usr/bin/time sha256sum; do
	command -v "$c" >/dev/null 2>&1 || { echo "missing tool: $c" >&2; exit 1; }
done
"$PY" -m pip --version >/dev/null 2>&1 || { echo "$PY has no pip (apt-get install python3-pip)" >&2; exit 1; }

START=$(date +%s)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
log() { printf '%s\n' "$*" >&2; }
trap 'log "bench/wheels.sh: line $LINENO failed: $BASH_COMMAND"' ERR

rm -rf "$W"
mkdir -p "$W/data" "$W/out" "$W/py" "$W/recipes"
cp "$GAPIMG" "$W/gapimg"
G=$W/gapimg

# ------------------------------------------------------------------ versions
PYV=$("$PY" -c 'import platform; print(platform.python_version())')
case $PYV in
3.11.*) ;;
*) echo "$PY is Python $PYV: the OS mirror's interpreter is 3.11, and pip's markers must see the same version" >&2; exit 1 ;;
esac
[ "$(uname -m)" = x86_64 ] || { echo "the recipes are for amd64; this machine is $(uname -m)" >&2; exit 1; }
GAPIMG_REV=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
GAPIMG_DIRTY=$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null | wc -l)
GAPIMG_DESC="$("$G" --version 2>/dev/null | head -n1), $GAPIMG (binary sha256 $(sha256sum "$G" | cut -c1-12)), repo $GAPIMG_REV (tracked files changed: $GAPIMG_DIRTY)"
PIP_DESC="$("$PY" -m pip --version)"
PATH_PY="python3 on PATH: $(command -v python3 || echo none) ($(python3 --version 2>&1 || true)), not used"
VERSIONS="libsolv $(dpkg-query -W -f='${Version}' libsolv1 2>/dev/null || echo '?'), libarchive $(dpkg-query -W -f='${Version}' libarchive13 2>/dev/null || echo '?'), kernel $(uname -r), $(nproc) CPUs, $(sed -n 's/^PRETTY_NAME="\(.*\)"$/\1/p' /etc/os-release)"
log "== gapimg: $GAPIMG_DESC"
log "== pip: $PIP_DESC; $PATH_PY"
log "== $VERSIONS"

# ------------------------------------------------------------------ OS mirror
SHARED=${GAPIMG_SHARED:-$ROOT/../shared}/fixtures
NOTES=()
if [ -d "$SHARED/deb/dists" ]; then
	OSM=$(cd "$SHARED/deb" && pwd -P)
else
	NOTES+=("no ../shared/fixtures/deb: the OS mirror was downloaded with apt-get (tests/e2e/debian-lib.sh's mirror_for)")
	log "note: ${NOTES[-1]}"
	command -v apt-ftparchive >/dev/null 2>&1 || { echo "no ../shared and no apt-ftparchive to index a downloaded mirror: skipping" >&2; exit 77; }
	skip_case() { echo "bench/wheels.sh: skipped: $*" >&2; exit 77; }
	# shellcheck disable=SC2034  # read by debian-lib.sh
	GAPIMG_SRC=$ROOT WORK=$W
	# shellcheck source=tests/e2e/debian-lib.sh
	. "$ROOT/tests/e2e/debian-lib.sh"
	OSM=$(mirror_for deb)
fi
case $OSM in *[[:space:]\"\'\\]*) echo "$OSM: the mirror path may not hold spaces or quotes (it goes into a recipe)" >&2; exit 1 ;; esac

# ------------------------------------------------------------------ data sets
SETS=()
declare -A DIR REQ DESC
log "== generating the synthetic wheel folders"
bench/wheels-data.sh "$W/data/small" >/dev/null
DIR[small]=$W/data/small
REQ[small]=$(grep -v '^[[:space:]]*$' "$W/data/small/roots.txt" | tr '\n' ' ' | sed 's/ $//')
DESC[small]="bench/wheels-data.sh OUT (300 projects x 8 versions)"
SETS+=(small)
bench/wheels-data.sh "$W/data/big" "${BIG%,*}" "${BIG#*,}" >/dev/null
DIR[big]=$W/data/big
REQ[big]=$(grep -v '^[[:space:]]*$' "$W/data/big/roots.txt" | tr '\n' ' ' | sed 's/ $//')
DESC[big]="bench/wheels-data.sh OUT ${BIG%,*} ${BIG#*,}"
SETS+=(big)
if [ -d "$SHARED/wheels/files" ]; then
	DIR[real]=$(cd "$SHARED/wheels/files" && pwd -P)
	REQ[real]='importlib-metadata simplewheel complex-dist[simple]'
	DESC[real]="../shared/fixtures/wheels/files"
	SETS+=(real)
else
	NOTES+=("no ../shared/fixtures/wheels/files: the real data set was skipped")
	log "note: ${NOTES[-1]}"
fi
declare -A NWHL MANI
for s in "${SETS[@]}"; do
	NWHL[$s]=$(find "${DIR[$s]}" -maxdepth 1 -name '*.whl' | wc -l)
	if [ -f "${DIR[$s]}/MANIFEST.txt" ]; then
		MANI[$s]="MANIFEST.txt sha256 $(sha256sum < "${DIR[$s]}/MANIFEST.txt" | cut -c1-16)"
	else
		MANI[$s]="file names + sizes sha256 $(cd "${DIR[$s]}" && find . -maxdepth 1 -name '*.whl' -printf '%f %s\n' | LC_ALL=C sort | sha256sum | cut -c1-16)"
	fi
done

# ------------------------------------------------------------------ recipes
cat > "$W/recipes/os.recipe" <<EOF
image bench-wheels
version 1
arch amd64
epoch 1795910400
mirror base deb $OSM suite=bookworm components=main signatures=off
install python3-minimal
EOF
for s in "${SETS[@]}"; do
	case ${DIR[$s]} in *[[:space:]\"\'\\]*) echo "${DIR[$s]}: the folder path may not hold spaces or quotes" >&2; exit 1 ;; esac
	{
		cat "$W/recipes/os.recipe"
		echo "mirror pypi wheels ${DIR[$s]}"
		echo "python $PYV"
		printf 'pip'
		for r in ${REQ[$s]}; do printf ' "%s"' "$r"; done
		echo
	} > "$W/recipes/$s.recipe"
done

# ------------------------------------------------------------------ compare.py
cat > "$W/py/compare.py" <<'EOF'
# compare.py LABEL DIR GAP.json PIP.json REQUIREMENT...
# Compares the wheels gapimg chose (its --json) with the ones pip chose (its
# --report) and checks each set on its own, with packaging (as vendored in
# pip) but without libsolv or pip's resolver:
# - valid: every requested requirement is met; every chosen wheel's
#   Requires-Python admits the interpreter and one of its tags is accepted
#   by this Python; each Requires-Dist whose marker holds (evaluated with
#   the extras asked of that project) is met by a chosen wheel; one version
#   per project. A chosen wheel no requirement reaches is "unneeded".
# - upgradable alone: a chosen project for which a newer final release in
#   the folder (Requires-Python and tags acceptable) could replace the
#   chosen one with everything else unchanged (nothing chosen excludes it,
#   and its own requirements are met by the set).
# Where the sets differ, it says for each project why the set with the
# older version cannot take the other's newer one as it stands: which
# chosen wheel's requirement excludes it, or which of its own
# requirements that set fails.
# Markers are evaluated in pip's environment (from its report), which is
# the recipe's target too (CPython of the same version, Linux, x86_64).
import email.parser, json, os, sys, zipfile
from pip._vendor.packaging.requirements import Requirement
from pip._vendor.packaging.specifiers import SpecifierSet
from pip._vendor.packaging.version import Version
from pip._vendor.packaging.utils import parse_wheel_filename, canonicalize_name
from pip._vendor.packaging import tags as ptags

label, folder, gap_json, pip_json = sys.argv[1:5]
roots = [Requirement(r) for r in sys.argv[5:]]
report = json.load(open(pip_json))
env = dict(report['environment'])
py = Version(env['python_full_version'])
accepted = set(ptags.sys_tags())

files = {}                                 # project -> [(Version, file name)]
for fn in sorted(os.listdir(folder)):
    if fn.endswith('.whl'):
        try:
            n, v, _, _ = parse_wheel_filename(fn)
        except Exception:
            continue
        files.setdefault(canonicalize_name(n), []).append((v, fn))

meta = {}
def wheel_meta(fn):
    """(name, Version, tags, Requires-Python or None, [Requirement])"""
    if fn not in meta:
        name, ver, _, tags = parse_wheel_filename(fn)
        with zipfile.ZipFile(os.path.join(folder, fn)) as z:
            mp = [m for m in z.namelist() if m.count('/') == 1 and m.endswith('.dist-info/METADATA')]
            msg = email.parser.BytesParser().parsebytes(z.read(mp[0]))
        meta[fn] = (canonicalize_name(name), ver, tags, msg.get('Requires-Python'),
                    [Requirement(l) for l in msg.get_all('Requires-Dist') or []])
    return meta[fn]

def active(req, extras):
    return req.marker is None or any(req.marker.evaluate(dict(env, extra=e)) for e in [''] + sorted(extras))

def usable(fn):
    _, _, tags, rp, _ = wheel_meta(fn)
    return bool(tags & accepted) and (not rp or SpecifierSet(rp).contains(py, prereleases=True))

doc = json.load(open(gap_json))
gap = {canonicalize_name(p['name']): (Version(p['evr']), os.path.basename(p['location']))
       for p in doc['packages'] if p.get('wheel')}
n_os = sum(1 for p in doc['packages'] if not p.get('wheel'))
pip = {canonicalize_name(i['metadata']['name']):
       (Version(i['metadata']['version']), os.path.basename(i['download_info']['url']))
       for i in report['install']}

def check(chosen):
    """(problems, unneeded names, extras asked of each project)"""
    problems, extras, reached, seen = [], {}, set(), set()
    for name, (v, fn) in chosen.items():
        wn, wv, _, rp, _ = wheel_meta(fn)
        if (wn, wv) != (name, v):
            problems.append('%s %s: its file %s is %s %s' % (name, v, fn, wn, wv))
        if not usable(fn):
            problems.append('%s %s: %s is not installable here (tags or Requires-Python %s)' % (name, v, fn, rp))
    todo = [(None, r) for r in roots]
    while todo:
        src, r = todo.pop()
        if (src, str(r)) in seen:
            continue
        seen.add((src, str(r)))
        n = canonicalize_name(r.name)
        where = 'the request' if src is None else '%s %s' % (src, chosen[src][0])
        if n not in chosen:
            problems.append('%s needs %s: not chosen' % (where, r))
            continue
        if not r.specifier.contains(chosen[n][0], prereleases=True):
            problems.append('%s needs %s: chose %s' % (where, r, chosen[n][0]))
        new = set(r.extras) - extras.get(n, set())
        if n in reached and not new:
            continue
        reached.add(n)
        extras.setdefault(n, set()).update(r.extras)
        todo += [(n, q) for q in wheel_meta(chosen[n][1])[4] if active(q, extras[n])]
    return problems, sorted(set(chosen) - reached), extras

def blockers(chosen, extras, name, fn):
    """Why NAME's wheel FN cannot replace the chosen version, all else kept."""
    v = wheel_meta(fn)[1]
    out = ['the request: %s' % r for r in roots
           if canonicalize_name(r.name) == name and not r.specifier.contains(v, prereleases=True)]
    for src, (sv, sfn) in sorted(chosen.items()):
        if src == name:
            continue
        for q in wheel_meta(sfn)[4]:
            if canonicalize_name(q.name) == name and active(q, extras.get(src, ())) \
                    and not q.specifier.contains(v, prereleases=True):
                out.append('%s %s requires %s' % (src, sv, q))
    for q in wheel_meta(fn)[4]:
        if not active(q, extras.get(name, ())):
            continue
        t = canonicalize_name(q.name)
        if t not in chosen:
            out.append('%s %s requires %s, not in this set' % (name, v, q))
        elif not q.specifier.contains(chosen[t][0], prereleases=True):
            out.append('%s %s requires %s, this set has %s' % (name, v, q, chosen[t][0]))
    if not usable(fn):
        out.append('%s is not installable here' % fn)
    return out

def upgradable(chosen, extras):
    out = []
    for name, (v, _) in sorted(chosen.items()):
        for nv, fn in files.get(name, []):
            if nv > v and not nv.is_prerelease and usable(fn) and not blockers(chosen, extras, name, fn):
                out.append('%s %s -> %s' % (name, v, nv))
                break
    return out

def show(s):
    return ' '.join('%s %s' % (n, s[n][0]) for n in sorted(s))

print('[%s] gapimg: %d wheels (+%d OS packages); pip: %d wheels' % (label, len(gap), n_os, len(pip)))
info, bad = {}, 0
for who, s in (('gapimg', gap), ('pip', pip)):
    problems, unneeded, extras = check(s)
    info[who] = extras
    bad += len(problems)
    up = upgradable(s, extras)
    print('[%s] %s: %s; unneeded: %s; upgradable alone: %s' % (label, who,
          'valid' if not problems else 'INVALID (%d problems)' % len(problems),
          ', '.join(unneeded) or 'none', ', '.join(up) or 'none'))
    for p in problems[:20]:
        print('[%s]   %s' % (label, p))
same = {n for n in gap if n in pip and gap[n][0] == pip[n][0]}
if len(same) == len(gap) == len(pip):
    other = sorted(n for n in same if gap[n][1] != pip[n][1])
    print('[%s] AGREE: the same %d projects and versions%s' % (label, len(same),
          ', the same files' if not other else '; other files for ' +
          ', '.join('%s (gapimg %s, pip %s)' % (n, gap[n][1], pip[n][1]) for n in other)))
    if len(gap) <= 12:
        print('[%s] set: %s' % (label, show(gap)))
    sys.exit(1 if bad else 0)
diff = sorted((set(gap) | set(pip)) - same)
newer = {'gapimg': [], 'pip': []}
print('[%s] DIFFER: %d projects with the same version, %d differ:' % (label, len(same), len(diff)))
for n in diff:
    g, p = gap.get(n, (None,))[0], pip.get(n, (None,))[0]
    print('[%s]   %-14s gapimg %-10s pip %s' % (label, n, g or '-', p or '-'))
    if g and p:
        newer['gapimg' if g > p else 'pip'].append(n)
        lo, lo_set, hi_fn = ('gapimg', gap, pip[n][1]) if g < p else ('pip', pip, gap[n][1])
        for b in blockers(lo_set, info[lo], n, hi_fn):
            print('[%s]       %s cannot take %s: %s' % (label, lo, max(g, p), b))
print('[%s] newer in gapimg: %s; newer in pip: %s; only in gapimg: %s; only in pip: %s' % (label,
      ', '.join(newer['gapimg']) or 'none', ', '.join(newer['pip']) or 'none',
      ', '.join(n for n in diff if n not in pip) or 'none', ', '.join(n for n in diff if n not in gap) or 'none'))
sys.exit(1 if bad else 0)
EOF

cat > "$W/py/summary.py" <<'EOF'
# summary.py TIMES -> "label median_wall min_wall max_wall median_cpu median_rss_MB n" per label
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    label, wall, rss, user, sys_ = line.split()
    rows.setdefault(label, []).append((float(wall), int(rss), float(user) + float(sys_)))
for label, r in rows.items():
    w = [x[0] for x in r]
    print(label, '%.3f' % statistics.median(w), '%.3f' % min(w), '%.3f' % max(w),
          '%.3f' % statistics.median(x[2] for x in r), '%.1f' % (statistics.median(x[1] for x in r) / 1024), len(r))
EOF

cat > "$W/py/sets.py" <<'EOF'
# sets.py gap|pip FILE.json [pins|files|request REQUEST...]: the chosen
# wheels, sorted: "name version" (PEP 503 name), or "name==version", or the
# file names; or the REQUEST with every chosen version pinned (a requested
# project's own item gets the pin, since a pip line names a project once).
import json, os, re, sys
kind, f = sys.argv[1:3]
form = sys.argv[3] if len(sys.argv) > 3 else 'set'
d = json.load(open(f))
norm = lambda n: re.sub(r'[-_.]+', '-', n).lower()
if kind == 'gap':
    s = [(p['name'], p['evr'], p['location']) for p in d['packages'] if p.get('wheel')]
else:
    s = [(norm(i['metadata']['name']), i['metadata']['version'], i['download_info']['url'])
         for i in d['install']]
if form == 'request':
    from pip._vendor.packaging.requirements import Requirement
    chosen = {n: v for n, v, _ in s}
    for r in sys.argv[4:]:
        n = norm(Requirement(r).name)
        print(r + (',' if Requirement(r).specifier else '') + '==' + chosen.pop(n))
    s = [(n, v, None) for n, v in chosen.items()]
    form = 'pins'
for n, v, loc in sorted(s):
    print({'set': '%s %s' % (n, v), 'pins': '%s==%s' % (n, v), 'files': os.path.basename(loc or '')}[form])
EOF

# ------------------------------------------------------------------ timing
TIMES=$W/times.txt
: > "$TIMES"
t() { # label out cmd...
	local label=$1 out=$2 rc=0
	shift 2
	/usr/bin/time -f "%e %M %U %S" -o "$W/time.tmp" "$@" > "$out" 2> "$out.err" || rc=$?
	if [ $rc -ne 0 ]; then
		log "failed ($rc): $*"; sed -n '1,40p' "$out.err" >&2; exit 1
	fi
	echo "$label $(tail -n1 "$W/time.tmp")" >> "$TIMES"
}
run_one() { # what run
	local what=$1 i=$2 s
	case $what in
	os) t gapimg-os "$W/out/os.$i" "$G" resolve --no-cache --json "$W/recipes/os.recipe" ;;
	gapimg-*)
		s=${what#gapimg-}
		t "$what" "$W/out/$what.$i" "$G" resolve --no-cache --json "$W/recipes/$s.recipe" ;;
	pip-*)
		s=${what#pip-}
		# shellcheck disable=SC2086  # the request is a list of words
		t "$what" "$W/out/$what.$i.log" env -u PIP_FIND_LINKS -u PIP_INDEX_URL "$PY" -m pip --isolated \
			--disable-pip-version-check install --dry-run --no-index --find-links "${DIR[$s]}" \
			--ignore-installed --report "$W/out/$what.$i" --break-system-packages -q ${REQ[$s]} ;;
	esac
}

log "== reading the folders once (page cache)"
cat "$OSM"/dists/bookworm/Release "$OSM"/dists/bookworm/main/binary-amd64/* > /dev/null
for s in "${SETS[@]}"; do
	find "${DIR[$s]}" -maxdepth 1 -type f -exec cat {} + > /dev/null
done

load1() { cut -d' ' -f1 /proc/loadavg; }
WAITED=0
if [ "$WAIT" -gt 0 ]; then
	while awk -v l="$(load1)" 'BEGIN{exit !(l > 0.8)}'; do
		if [ $WAITED -ge $((WAIT * 60)) ]; then
			log "load still $(load1) after $WAIT minutes: timing anyway"
			break
		fi
		[ $WAITED -gt 0 ] || log "== waiting for the 1-minute load average to drop to 0.8 (now $(load1); up to $WAIT min)"
		sleep 30
		WAITED=$((WAITED + 30))
	done
fi
LOAD_TIMED=$(cut -d' ' -f1-3 /proc/loadavg)

ORDER=(os)
for s in "${SETS[@]}"; do ORDER+=("gapimg-$s" "pip-$s"); done
RUNLOADS=()
T0=$(date +%s)
log "== timing, $RUNS runs, order rotated each run"
for i in $(seq 1 "$RUNS"); do
	RUNLOADS+=("$(load1)")
	k=$(( (i - 1) % ${#ORDER[@]} ))
	rot=("${ORDER[@]:k}" "${ORDER[@]:0:k}")
	log "   run $i/$RUNS (load $(load1)): ${rot[*]}"
	for what in "${rot[@]}"; do run_one "$what" "$i"; done
done
T1=$(date +%s)

# ------------------------------------------------------------------ checks
# Every run of a tool on a data set chose the same set.
for s in "${SETS[@]}"; do
	for tool in gapimg pip; do
		kind=$([ $tool = gapimg ] && echo gap || echo pip)
		"$PY" "$W/py/sets.py" "$kind" "$W/out/$tool-$s.1" > "$W/out/$tool-$s.set"
		for i in $(seq 2 "$RUNS"); do
			cmp -s <("$PY" "$W/py/sets.py" "$kind" "$W/out/$tool-$s.$i") "$W/out/$tool-$s.set" \
				|| { echo "$tool chose a different set in run $i on $s" >&2; exit 1; }
		done
	done
done
# Cross-checks, each resolver on the other's answer: pip given gapimg's set
# as ==pins (with the request) and a folder holding only those wheels must
# install exactly that set; gapimg given pip's set as ==pins (with the
# request), against the whole folder, must choose exactly that set.
declare -A PIP_ON_GAP GAP_ON_PIP
mkdir -p "$W/cross"
for s in "${SETS[@]}"; do
	c=$W/cross/$s
	mkdir -p "$c/gapimg-wheels"
	"$PY" "$W/py/sets.py" gap "$W/out/gapimg-$s.1" files | while read -r f; do
		ln -s "${DIR[$s]}/$f" "$c/gapimg-wheels/$f"
	done
	mapfile -t gpins < <("$PY" "$W/py/sets.py" gap "$W/out/gapimg-$s.1" pins)
	# shellcheck disable=SC2086
	mapfile -t ppins < <("$PY" "$W/py/sets.py" pip "$W/out/pip-$s.1" request ${REQ[$s]})
	# shellcheck disable=SC2086
	if env -u PIP_FIND_LINKS -u PIP_INDEX_URL "$PY" -m pip --isolated --disable-pip-version-check install \
		--dry-run --no-index --find-links "$c/gapimg-wheels" --ignore-installed --report "$c/pip-on-gapimg.json" \
		--break-system-packages -q ${REQ[$s]} "${gpins[@]}" > "$c/pip-on-gapimg.log" 2>&1; then
		if cmp -s <("$PY" "$W/py/sets.py" pip "$c/pip-on-gapimg.json") "$W/out/gapimg-$s.set"; then
			PIP_ON_GAP[$s]=yes
		else
			PIP_ON_GAP[$s]="NO (pip installed another set)"
		fi
	else
		PIP_ON_GAP[$s]="NO ($(grep -m1 -i error "$c/pip-on-gapimg.log" || tail -n1 "$c/pip-on-gapimg.log"))"
	fi
	{
		grep -v '^pip ' "$W/recipes/$s.recipe"
		printf 'pip'
		for r in "${ppins[@]}"; do printf ' "%s"' "$r"; done
		echo
	} > "$c/gapimg-on-pip.recipe"
	if "$G" resolve --no-cache --json "$c/gapimg-on-pip.recipe" > "$c/gapimg-on-pip.json" 2> "$c/gapimg-on-pip.err"; then
		if cmp -s <("$PY" "$W/py/sets.py" gap "$c/gapimg-on-pip.json") "$W/out/pip-$s.set"; then
			GAP_ON_PIP[$s]=yes
		else
			GAP_ON_PIP[$s]="NO (gapimg chose another set)"
		fi
	else
		GAP_ON_PIP[$s]="NO ($(grep -m1 -v '^gapimg resolve: note' "$c/gapimg-on-pip.err" || true))"
	fi
done

CMP_RC=0
: > "$W/compare.txt"
for s in "${SETS[@]}"; do
	# shellcheck disable=SC2086
	"$PY" "$W/py/compare.py" "$s" "${DIR[$s]}" "$W/out/gapimg-$s.1" "$W/out/pip-$s.1" ${REQ[$s]} \
		>> "$W/compare.txt" || CMP_RC=1
done

# ------------------------------------------------------------------ report
"$PY" "$W/py/summary.py" "$TIMES" > "$W/summary.txt"
row() { awk -v l="$1" '$1==l' "$W/summary.txt"; }
med() { row "$1" | cut -d' ' -f2; }
cell() { row "$1" | awk '{printf "%.2f (%.2f–%.2f) | %.2f | %.1f | %d", $2, $3, $4, $5, $6, $7}'; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a - b}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{if (b <= 0) print "-"; else printf "%.0fx", a / b}'; }
nwheels() { wc -l < "$W/out/$1-$2.set"; }
cands() { "$PY" -c 'import json,sys; print([m["packages"] for m in json.load(open(sys.argv[1]))["mirrors"] if m["type"]=="wheels"][0])' "$W/out/gapimg-$1.1"; }
verdict() { grep -q "^\[$1\] AGREE" "$W/compare.txt" && echo same || echo "differ ($(sed -n "s/^\[$1\] DIFFER: .*, \([0-9]*\) differ:/\1/p" "$W/compare.txt") projects)"; }
END=$(date +%s)
{
echo "### bench/wheels.sh, $(date -u +%Y-%m-%d), $RUNS runs"
echo
echo "gapimg: $GAPIMG_DESC."
echo "pip: $PIP_DESC; $PATH_PY."
echo "$VERSIONS."
echo "OS mirror: $OSM ($(sed -n 's/^mirror base deb: //p' < <("$G" resolve --no-cache "$W/recipes/os.recipe" 2>/dev/null)))."
for n in "${NOTES[@]}"; do echo "Note: $n."; done
echo
echo "| data set | folder | request | .whl files | gapimg's count for the wheels mirror |"
echo "|---|---|---|---|---|"
for s in "${SETS[@]}"; do
	echo "| $s | ${DESC[$s]}, ${MANI[$s]} | $(echo "${REQ[$s]}" | wc -w) projects | ${NWHL[$s]} | $(cands "$s") |"
done
echo
echo "| data set | tool | wall s, median (min–max) | CPU s, median | peak RSS MB, median | runs | wheels chosen |"
echo "|---|---|---|---|---|---|---|"
echo "| - | gapimg OS part only | $(cell gapimg-os) | - |"
for s in "${SETS[@]}"; do
	echo "| $s | gapimg resolve | $(cell "gapimg-$s") | $(nwheels gapimg "$s") |"
	echo "| $s | pip --dry-run | $(cell "pip-$s") | $(nwheels pip "$s") |"
done
echo
echo "| data set | gapimg | gapimg minus OS part (the wheels) | pip | pip / gapimg | pip / gapimg's wheel part | chosen sets |"
echo "|---|---|---|---|---|---|---|"
for s in "${SETS[@]}"; do
	g=$(med "gapimg-$s"); p=$(med "pip-$s"); d=$(sub "$g" "$(med gapimg-os)")
	echo "| $s | $(printf %.2f "$g") | $d | $(printf %.2f "$p") | $(ratio "$p" "$g") | $(ratio "$p" "$d") | $(verdict "$s") |"
done
echo
echo "Every run of a tool on a data set chose the same set."
echo
echo "Each resolver given the other's answer as ==pins (W/cross):"
echo
for s in "${SETS[@]}"; do
	echo "- $s: pip accepts gapimg's set: ${PIP_ON_GAP[$s]}; gapimg accepts pip's set: ${GAP_ON_PIP[$s]}."
done
echo
echo "Comparison and independent checks (W/py/compare.py):"
echo
sed 's/^/    /' "$W/compare.txt"
echo
echo "Commands (W=$W):"
echo
echo "    W/gapimg resolve --no-cache --json W/recipes/SET.recipe     # and W/recipes/os.recipe"
echo "    env -u PIP_FIND_LINKS -u PIP_INDEX_URL $PY -m pip --isolated --disable-pip-version-check install --dry-run --no-index --find-links DIR --ignore-installed --report FILE --break-system-packages -q REQUEST"
echo
echo "Recipe (small; the others differ in the folder and the pip line):"
echo
sed 's/^/    /' "$W/recipes/small.recipe"
echo
echo "Load average: at start $LOAD_START; when the timed runs began $LOAD_TIMED (after waiting ${WAITED} s for ≤ 0.8);"
echo "1-minute load before each run: ${RUNLOADS[*]}; at the end $(cut -d' ' -f1-3 /proc/loadavg)."
echo "Timed runs: $((T1 - T0)) s; script runtime: $((END - START)) s."
} | tee "$W/report.md"
[ $CMP_RC -eq 0 ] || { echo "a chosen set FAILED the independent check (see $W/compare.txt)" >&2; exit 1; }
