#!/usr/bin/env bash
# bench/build.sh - time `gapimg build` against mmdebstrap making the same
# root filesystem image from the same local Debian mirror.
#
#   bench/build.sh [--scripts] [--runs N] [--mirror DIR] [--gapimg PATH]
#                  [--wait MINUTES] [--work DIR]
#
# Input: a local Debian mirror (default ../shared/fixtures/deb-base:
#   bookworm, unsigned Release, the Essential set + mawk + python3-minimal +
#   busybox-static), whose roots.txt lists the packages to install.
#
# mmdebstrap (root mode):
#   mmdebstrap --variant=extract --include=ROOTS,... --format=squashfs \
#     bookworm OUT.sqfs "deb [trusted=yes] file://MIRROR bookworm main"
#   with SOURCE_DATE_EPOCH=EPOCH and otherwise only PATH, HOME=/root,
#   LANG=C.UTF-8, TZ=UTC and SHELL=/bin/sh in its environment (env -i:
#   mmdebstrap hands its environment on to dpkg and the maintainer
#   scripts), inside `unshare --net --mount` (no network at all, only a
#   loopback that is down; mounts private). A --setup-hook bind-mounts
#   the mirror read-only into the chroot (apt's file:// method
#   reads the .debs in place, and mmdebstrap needs them inside the chroot)
#   and an --extract-hook unmounts it and removes the empty folders again
#   (the extract variant runs no customize hooks, so mmdebstrap's own
#   file-mirror-automount hook would pack the whole mirror into the image).
#   mmdebstrap makes a tarball of the chroot and pipes it to tar2sqfs
#   (squashfs-tools-ng, not mksquashfs) with fixed options:
#     tar2sqfs --quiet --no-skip --force --exportable --compressor xz \
#              --block-size 1048576 OUT.sqfs
#   i.e. xz at tar2sqfs's default level 6, dictionary = block size, no BCJ
#   filter, 1 MiB blocks, one compressor job (tar2sqfs's default).
# gapimg: `gapimg build RECIPE -o OUT.sqfs --quiet` with a recipe for the same
#   mirror and roots, (a) at mmdebstrap's settings (compression xz level=6
#   block-size=1M) and (b) at gapimg's defaults (zstd level=15
#   block-size=128K); each cold (a fresh, empty cache folder every run:
#   --cache-dir if `gapimg build --help` has it, and XDG_CACHE_HOME) and
#   warm (the cache folder of an untimed warm-up build, which also writes
#   the lock file if build needs one). The lock file is present in every
#   timed run.
#
# Every measurement is run N times (default 3), the tools alternating, the
# order rotated each run: wall time, user+sys CPU and peak RSS (GNU time;
# the RSS of the largest single process), image size and SHA-256, and
# whether every run gave the same bytes. Then the images' contents are
# compared (both are extracted with unsquashfs) and a breakdown of
# mmdebstrap's time is measured once: the chroot as a tarball, tar2sqfs
# alone on it, and `gapimg pack` of the same tree at both compressions (how
# long compressing the tree takes, whoever does it).
#
# --scripts: the packages' own maintainer scripts run in both tools
#   instead. mmdebstrap: --variant=essential --include=EXTRA, where EXTRA is
#   the roots that are not Essential: yes in the mirror (the essential
#   variant brings the Essential set itself), the same squashfs output,
#   mirror, unshare and SOURCE_DATE_EPOCH; dpkg runs inside the chroot, so
#   the mirror's bind mount must stay until the --include packages are
#   installed: it is unmounted (and its empty folders removed, so the
#   mirror is not packed) in a --customize-hook instead of the extract-hook.
#   gapimg: the recipes get the line `scripts run` (preinsts, then the
#   image's `dpkg --configure -a`, in gapimg's sandbox); timed as above
#   (xz 6/1M and zstd 15/128K, cold and warm), plus gapimg-xz-none-warm, the
#   xz recipe with `scripts none` (warm), in the same rotation, to show what
#   running the scripts costs. Neither side removes /usr/share/doc or other
#   files. The breakdown also packs gapimg's own scripts-run tree with
#   `gapimg pack` (the cost of compressing it) and times one warm build
#   each at zstd level 1 with `scripts run` and `scripts none` (after an
#   untimed one): compression costs next to nothing there, so what is left
#   is unpacking, the scripts and reading the tree back. Default work dir:
#   ${TMPDIR:-/var/tmp}/gapimg-bench-build-scripts. gapimg's sandbox for
#   the scripts needs root here (it would otherwise need subordinate ids).
#
# If `GAPIMG build --help` does not succeed yet (the command is new), the
# mmdebstrap runs are done first and reported, then the script polls every
# 60 s until --wait minutes (default 60) have passed since it started, and
# runs the full alternating benchmark (mmdebstrap again) when it appears.
#
# Work dir: ${TMPDIR:-/var/tmp}/gapimg-bench-build[-scripts] (mmdebstrap's and
# gapimg's temporary files go there too); the report is also written to
# WORK/report.md. Needs root (mmdebstrap's root mode, mounts, apt-get);
# installs mmdebstrap, squashfs-tools, squashfs-tools-ng and time with
# apt-get when they are missing. Never part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

RUNS=3
MIRROR=$(cd "$ROOT/../shared/fixtures/deb-base" 2>/dev/null && pwd || echo /work/shared/fixtures/deb-base)
GAPIMG=$ROOT/build/release/gapimg
WAIT=60
W=
SCRIPTS=no
EPOCH=1795910400 # 2026-11-29T00:00:00Z
SUITE=bookworm
usage() { echo "usage: bench/build.sh [--scripts] [--runs N] [--mirror DIR] [--gapimg PATH] [--wait MINUTES] [--work DIR]" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	--scripts) SCRIPTS=yes; shift ;;
	--runs) RUNS=${2:?--runs N}; shift 2 ;;
	--mirror) MIRROR=${2:?--mirror DIR}; shift 2 ;;
	--gapimg) GAPIMG=${2:?--gapimg PATH}; shift 2 ;;
	--wait) WAIT=${2:?--wait MINUTES}; shift 2 ;;
	--work) W=${2:?--work DIR}; shift 2 ;;
	-h|--help) sed -n '2,/^set -euo/p' "$0" | sed -n 's/^# \{0,1\}//p'; exit 0 ;;
	*) usage ;;
	esac
done
[ -n "$W" ] || W=${TMPDIR:-/var/tmp}/gapimg-bench-build$([ $SCRIPTS = yes ] && echo -scripts)
case $RUNS in ''|*[!0-9]*|0) echo "--runs: a positive number" >&2; exit 2 ;; esac
case $WAIT in ''|*[!0-9]*) echo "--wait: minutes, 0 or more" >&2; exit 2 ;; esac
[ "$(id -u)" = 0 ] || { echo "bench/build.sh needs root (mmdebstrap's root mode, mounts, apt-get)" >&2; exit 1; }
MIRROR=$(realpath "$MIRROR")
[ -f "$MIRROR/dists/$SUITE/Release" ] && [ -f "$MIRROR/roots.txt" ] ||
	{ echo "$MIRROR: no dists/$SUITE/Release or roots.txt" >&2; exit 1; }
case $MIRROR in *[[:space:]\"\'\\]*) echo "$MIRROR: the mirror path may not hold spaces or quotes (it goes into an apt sources line)" >&2; exit 1 ;; esac
case $GAPIMG in /*) ;; *) GAPIMG=$PWD/$GAPIMG ;; esac

START=$(date +%s)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
log() { printf '%s\n' "$*" >&2; }
trap 'log "bench/build.sh: line $LINENO failed: $BASH_COMMAND"' ERR

# ------------------------------------------------------------------ tools
missing=()
for p in mmdebstrap squashfs-tools squashfs-tools-ng time python3; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	log "== installing with apt-get: ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
INSTALLED=${missing[*]:-nothing}
for c in mmdebstrap tar2sqfs unsquashfs unshare /usr/bin/time python3 sha256sum; do
	command -v "$c" >/dev/null 2>&1 || { log "missing tool: $c"; exit 1; }
done

# The network namespace mmdebstrap runs in must have no way out.
if unshare --net cat /proc/net/dev | awk 'NR > 2 {sub(":", "", $1); print $1}' | grep -qv '^lo$'; then
	log "unshare --net left an interface other than lo: refusing to run"; exit 1
fi

rm -rf "$W/tmp" "$W/out" "$W/log" "$W/cache" "$W/tree" "$W/recipes" "$W/breakdown"
mkdir -p "$W/tmp" "$W/out" "$W/log" "$W/cache" "$W/tree" "$W/recipes" "$W/breakdown" "$W/py"

ROOTS=$(grep -v -e '^[[:space:]]*$' -e '^[[:space:]]*#' "$MIRROR/roots.txt" | tr -s ' \t\n' ' ' | sed 's/ $//')
packages_index() {
	local d=$MIRROR/dists/$SUITE/main/binary-amd64
	if [ -f "$d/Packages" ]; then cat "$d/Packages"; else xz -dc "$d/Packages.xz"; fi
}
NPKG_MIRROR=$(packages_index | grep -c '^Package: ')
if [ $SCRIPTS = yes ]; then
	# The essential variant installs every Essential: yes package itself;
	# --include gets the other roots.
	ESSENTIAL=$(packages_index | awk '/^Package:/ {p = $2} /^Essential: *yes/ {print p}' | sort -u)
	INC=$(tr ' ' '\n' <<< "$ROOTS" | grep -vxF -f <(printf '%s\n' "$ESSENTIAL") | paste -sd, -)
	VARIANT=essential
	NOT_ESSENTIAL_ROOTS=$(comm -13 <(tr ' ' '\n' <<< "$ROOTS" | sort -u) <(printf '%s\n' "$ESSENTIAL") | paste -sd' ' -)
	[ -z "$NOT_ESSENTIAL_ROOTS" ] || log "note: Essential packages that roots.txt does not list (mmdebstrap installs them, gapimg does not): $NOT_ESSENTIAL_ROOTS"
else
	INC=${ROOTS// /,}
	VARIANT=extract
fi

# ------------------------------------------------------------------ versions
GAPIMG_REV=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
GAPIMG_DIRTY=$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null | wc -l)
gapimg_desc() {
	local v bt
	v=$("$GAPIMG" --version 2>/dev/null | head -n1 || true)
	bt=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$(dirname "$GAPIMG")/CMakeCache.txt" 2>/dev/null || true)
	echo "${v:-gapimg (no --version)}, $GAPIMG, build type ${bt:-unknown}$([ "$bt" = Debug ] && echo ' (unoptimised: -O0)'), binary sha256 $(sha256sum "$GAPIMG" 2>/dev/null | cut -c1-12), repo $GAPIMG_REV (tracked files changed: $GAPIMG_DIRTY)"
}
VERSIONS="$(mmdebstrap --version | sed -n 1p), $(tar2sqfs --version 2>&1 | sed -n 1p), $(apt-get --version | sed -n 1p),"
VERSIONS+=" squashfs-tools $(dpkg-query -W -f='${Version}' squashfs-tools), libsquashfs $(dpkg-query -W -f='${Version}' libsquashfs1 2>/dev/null || echo '?'),"
VERSIONS+=" liblzma $(dpkg-query -W -f='${Version}' liblzma5), libzstd $(dpkg-query -W -f='${Version}' libzstd1), kernel $(uname -r), $(nproc) CPUs"

# ------------------------------------------------------------------ helpers
cat > "$W/py/summary.py" <<'EOF'
# summary.py TIMES [BASE_LABEL] -> one Markdown row per label, in first-seen order
# TIMES lines: label run wall user sys rss_kb bytes sha256
import statistics, sys
rows, order = {}, []
for line in open(sys.argv[1]):
    label, run, wall, user, sys_, rss, size, sha = line.split()
    if label not in rows: order.append(label); rows[label] = []
    rows[label].append((float(wall), float(user) + float(sys_), int(rss), int(size), sha))
base = sys.argv[2] if len(sys.argv) > 2 else None
bw = statistics.median(r[0] for r in rows[base]) if base in rows else None
for label in order:
    r = rows[label]
    w = [x[0] for x in r]
    mw = statistics.median(w)
    shas = {x[4] for x in r}
    sizes = sorted({x[3] for x in r})
    print('| %s | %.2f (%.2f–%.2f) | %.2f | %.1f | %s | %s | %s |' % (
        label, mw, min(w), max(w), statistics.median(x[1] for x in r),
        statistics.median(x[2] for x in r) / 1024, ' / '.join('{:,}'.format(s) for s in sizes),
        ('yes (%d runs)' % len(r)) if len(shas) == 1 else 'NO: %d different of %d' % (len(shas), len(r)),
        ('%.2fx' % (mw / bw)) if bw else '-'))
EOF
cat > "$W/py/med.py" <<'EOF'
# med.py TIMES LABEL -> median wall; empty if the label has no runs
import statistics, sys
w = [float(l.split()[2]) for l in open(sys.argv[1]) if l.split()[0] == sys.argv[2]]
print('%.2f' % statistics.median(w) if w else '')
EOF
cat > "$W/py/sha.py" <<'EOF'
# sha.py TIMES LABEL -> the distinct sha256s of a label, space separated
import sys
print(' '.join(sorted({l.split()[7] for l in open(sys.argv[1]) if l.split()[0] == sys.argv[2]})))
EOF
cat > "$W/py/compare.py" <<'EOF'
# compare.py EPOCH NAME_A TREE_A [NAME_B TREE_B]
# Describes one extracted image, or compares two: entries by type, what only
# one has, what differs in the paths both have, timestamps, and a few files
# that tell how each tool finished the tree.
import collections, hashlib, os, stat, sys
epoch = int(sys.argv[1])
sides = [(sys.argv[i], sys.argv[i + 1]) for i in range(2, len(sys.argv), 2)]
KIND = {stat.S_IFDIR: 'dir', stat.S_IFREG: 'file', stat.S_IFLNK: 'symlink', stat.S_IFCHR: 'chardev',
        stat.S_IFBLK: 'blockdev', stat.S_IFIFO: 'fifo', stat.S_IFSOCK: 'socket'}
def scan(root):
    out = {}
    for dp, dns, fns in os.walk(root):
        for n in dns + fns:
            p = os.path.join(dp, n)
            st = os.lstat(p)
            k = KIND.get(stat.S_IFMT(st.st_mode), '?')
            e = {'kind': k, 'mode': stat.S_IMODE(st.st_mode), 'owner': (st.st_uid, st.st_gid),
                 'mtime': int(st.st_mtime), 'nlink': st.st_nlink}
            if k == 'file':
                e['size'] = st.st_size
                h = hashlib.sha256()
                with open(p, 'rb') as f:
                    for b in iter(lambda: f.read(1 << 20), b''): h.update(b)
                e['sha'] = h.hexdigest()
            elif k == 'symlink': e['target'] = os.readlink(p)
            elif k in ('chardev', 'blockdev'): e['rdev'] = (os.major(st.st_rdev), os.minor(st.st_rdev))
            out['/' + os.path.relpath(p, root)] = e
    return out
trees = [(name, scan(root)) for name, root in sides]
def counts(t):
    c = collections.Counter(e['kind'] for e in t.values())
    return ', '.join('%d %ss' % (c[k], k) for k in ('file', 'dir', 'symlink', 'chardev', 'blockdev', 'fifo', 'socket') if c[k])
for name, t in trees:
    files = [e for e in t.values() if e['kind'] == 'file']
    mt = collections.Counter('= epoch' if e['mtime'] == epoch else ('< epoch' if e['mtime'] < epoch else '> epoch') for e in t.values())
    print('- %s: %d entries (%s); %s bytes in regular files; %d files with more than one name (hard links); mtimes: %s.' % (
        name, len(t), counts(t), '{:,}'.format(sum(e['size'] for e in files)),
        sum(1 for e in files if e['nlink'] > 1), ', '.join('%d %s' % (v, k) for k, v in sorted(mt.items()))))
def group(paths, depth=3):
    g = collections.Counter('/'.join(p.split('/')[:depth + 1]) for p in paths)
    return ', '.join('%s (%d)' % kv for kv in sorted(g.items(), key=lambda kv: (-kv[1], kv[0]))[:20])
NOTABLE = ['/etc/apt/sources.list', '/etc/apt/apt.conf.d/99mmdebstrap', '/etc/apt/apt.conf.d/70debconf',
           '/var/lib/dpkg/status', '/var/lib/dpkg/available', '/var/lib/dpkg/arch', '/var/lib/dpkg/info',
           '/etc/passwd', '/etc/group', '/etc/shadow', '/etc/gshadow', '/etc/ld.so.cache', '/etc/machine-id',
           '/etc/hostname', '/etc/hosts', '/etc/resolv.conf', '/etc/fstab', '/etc/os-release', '/dev/null',
           '/bin', '/lib64', '/usr/bin/awk', '/etc/alternatives/awk', '/usr/sbin/policy-rc.d', '/var/cache/apt/archives/lock',
           '/var/log/dpkg.log', '/var/log/alternatives.log', '/var/lib/dpkg/diversions', '/var/lib/dpkg/triggers',
           '/var/cache/ldconfig/aux-cache', '/etc/mtab', '/usr/share/doc']
def describe(t, root, p):
    e = t.get(p)
    if not e: return 'absent'
    if e['kind'] == 'file':
        s = '%s bytes' % '{:,}'.format(e['size'])
        if p == '/var/lib/dpkg/status':
            with open(os.path.join(root, p[1:]), 'rb') as f:
                s += ', %d stanzas' % sum(1 for l in f if l.startswith(b'Package: '))
        return s
    if e['kind'] == 'symlink': return '-> ' + e['target']
    if e['kind'] == 'dir':
        return 'folder of %d entries' % sum(1 for q in t if q.startswith(p + '/') and '/' not in q[len(p) + 1:])
    return e['kind']
if len(trees) == 2:
    (na, a), (nb, b) = trees
    oa, ob = sorted(set(a) - set(b)), sorted(set(b) - set(a))
    both = sorted(set(a) & set(b))
    print('- only in %s: %d: %s' % (na, len(oa), group(oa) or '-'))
    if oa: print('  first ones: ' + ' '.join(oa[:30]))
    print('- only in %s: %d: %s' % (nb, len(ob), group(ob) or '-'))
    if ob: print('  first ones: ' + ' '.join(ob[:30]))
    kind = [p for p in both if a[p]['kind'] != b[p]['kind']]
    content = [p for p in both if p not in kind and (a[p].get('sha'), a[p].get('target'), a[p].get('rdev')) != (b[p].get('sha'), b[p].get('target'), b[p].get('rdev'))]
    meta = [p for p in both if p not in kind and (a[p]['mode'], a[p]['owner']) != (b[p]['mode'], b[p]['owner'])]
    same = [p for p in both if p not in kind and p not in content and p not in meta]
    mtime = sum(1 for p in both if a[p]['mtime'] != b[p]['mtime'])
    print('- in both: %d; identical type, content, mode and owner: %d; other type: %d; other content: %d; other mode/owner: %d; other mtime: %d.' % (
        len(both), len(same), len(kind), len(content), len(meta), mtime))
    for p in kind[:15]: print('  type: %s: %s %s, %s %s' % (p, na, a[p]['kind'], nb, b[p]['kind']))
    for p in content[:25]:
        print('  content: %s: %s %s, %s %s' % (p, na, describe(a, sides[0][1], p), nb, describe(b, sides[1][1], p)))
    for p in meta[:15]:
        print('  mode/owner: %s: %s %o %d:%d, %s %o %d:%d' % (p, na, a[p]['mode'], *a[p]['owner'], nb, b[p]['mode'], *b[p]['owner']))
print()
print('| path | ' + ' | '.join(n for n, _ in trees) + ' |')
print('|---|' + '---|' * len(trees))
for p in NOTABLE:
    print('| %s | %s |' % (p, ' | '.join(describe(t, sides[i][1], p) for i, (_, t) in enumerate(trees))))
EOF

run=0
# timed LABEL TIMES IMAGE CMD... : one measured run; 1 if the command fails.
timed() {
	local label=$1 times=$2 img=$3 rc=0 w u s m
	shift 3
	rm -f "$img"
	cut -d' ' -f1 /proc/loadavg >> "$W/load.txt"
	/usr/bin/time -f '%e %U %S %M' -o "$W/time.tmp" "$@" > "$W/log/$label.$run.out" 2> "$W/log/$label.$run.err" || rc=$?
	if [ $rc -ne 0 ] || [ ! -f "$img" ]; then
		log "$label run $run failed (status $rc, image $([ -f "$img" ] && echo present || echo missing)): $*"
		sed -n '1,40p' "$W/log/$label.$run.err" >&2
		return 1
	fi
	read -r w u s m < <(tail -n1 "$W/time.tmp")
	echo "$label $run $w $u $s $m $(stat -c %s "$img") $(sha256sum "$img" | cut -d' ' -f1)" >> "$times"
}

R=${MIRROR#/}
# extract: nothing reads the mirror after the extraction. essential: dpkg and
# apt read the .debs inside the chroot until the --include packages are
# installed, so the mirror is unmounted in the first customize hook.
[ $VARIANT = extract ] && UMOUNT_HOOK=--extract-hook || UMOUNT_HOOK=--customize-hook
MMD_HOOKS=(--setup-hook="mkdir -p \"\$1/$R\" && mount -o ro,bind $MIRROR \"\$1/$R\""
	"$UMOUNT_HOOK=umount \"\$1/$R\" && cd \"\$1\" && rmdir -p $R")
MMD_SRC="deb [trusted=yes] file://$MIRROR $SUITE main"
# mmdebstrap passes its caller's environment on to dpkg and the maintainer
# scripts (the essential variant runs them); give it a fixed one, like the
# environment gapimg's sandbox gives scripts, so that nothing from the
# shell this runs in (PYTHONDONTWRITEBYTECODE, LC_*, ...) reaches the image.
MMD_ENV=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 TZ=UTC SHELL=/bin/sh)
# mmdebstrap FORMAT OUT [extra options]
mmd_cmd() {
	local fmt=$1 out=$2
	shift 2
	MMD=(env -i "${MMD_ENV[@]}" "SOURCE_DATE_EPOCH=$EPOCH" TMPDIR="$W/tmp" unshare --net --mount --propagation private
		mmdebstrap "$@" --variant="$VARIANT" --include="$INC" --format="$fmt" "${MMD_HOOKS[@]}" "$SUITE" "$out" "$MMD_SRC")
}
MMD_SHOWN="env -i ${MMD_ENV[*]} SOURCE_DATE_EPOCH=$EPOCH unshare --net --mount --propagation private mmdebstrap --variant=$VARIANT --include=$INC --format=squashfs ${MMD_HOOKS[*]@Q} $SUITE OUT.sqfs ${MMD_SRC@Q}"
run_mmd() { # TIMES
	mmd_cmd squashfs "$W/out/mmdebstrap.sqfs"
	timed mmdebstrap "$1" "$W/out/mmdebstrap.sqfs" "${MMD[@]}" || exit 1
	if grep -Eq 'https?://' "$W/log/mmdebstrap.$run.err"; then
		log "mmdebstrap's output names an http(s) source:"; grep -E 'https?://' "$W/log/mmdebstrap.$run.err" >&2; exit 1
	fi
	if grep -q " $W/tmp/" /proc/mounts; then log "a mount under $W/tmp was left behind"; exit 1; fi
	if unsquashfs -l "$W/out/mmdebstrap.sqfs" | grep -qx "squashfs-root/${R%%/*}"; then
		log "mmdebstrap's image holds /${R%%/*}: the mirror's folders (or the mirror) were packed"; exit 1
	fi
}

table() { # TIMES
	echo "| what | wall s, median (min–max) | CPU s (user+sys), median | peak RSS MB, median | image bytes | same bytes every run | wall vs mmdebstrap |"
	echo "|---|---|---|---|---|---|---|"
	python3 "$W/py/summary.py" "$1" mmdebstrap
}

ready() { "$GAPIMG" build --help > /dev/null 2>&1; }

REPORT=$W/report.md
: > "$REPORT"
: > "$W/load.txt"
out() { printf '%s\n' "$*" | tee -a "$REPORT"; }
outf() { tee -a "$REPORT"; }

out "### bench/build.sh, $(date -u +%Y-%m-%d), $RUNS runs"
out ""
out "Mirror: $MIRROR ($NPKG_MIRROR packages, $SUITE, unsigned Release); roots ($(wc -w <<< "$ROOTS")): $ROOTS."
if [ $SCRIPTS = yes ]; then
	out "Mode --scripts: the packages' maintainer scripts run in both tools: mmdebstrap --variant=essential --include=$INC; gapimg recipes with \`scripts run\`."
else
	out "Mode: no package scripts run (mmdebstrap --variant=extract, gapimg's default \`scripts none\`)."
fi
out "Tools: $VERSIONS."
out "gapimg: $(gapimg_desc)."
out "Installed for this run with apt-get: $INSTALLED."
out "Timings are noisy: $(nproc) CPUs shared with other work (compile jobs); load average at start $LOAD_START."
out ""

# ------------------------------------------------------------------ breakdown of mmdebstrap (once)
log "== mmdebstrap breakdown: chroot as a tarball, then tar2sqfs alone"
BD=$W/breakdown/times.txt
: > "$BD"
run=1
mmd_cmd tar "$W/breakdown/chroot.tar" --verbose
timed mmdebstrap-tar "$BD" "$W/breakdown/chroot.tar" "${MMD[@]}" || exit 1
# the packages apt chose: "Get:N file:/... SUITE/main amd64 NAME ARCH VERSION [SIZE]"
sed -n 's/^Get:[0-9]* file:[^ ]* [^ ]* [^ ]* \([^ ]*\) \([^ ]*\) \([^ ]*\) \[.*/\1 \3 \2/p' "$W/log/mmdebstrap-tar.1.err" | sort -u > "$W/breakdown/mmdebstrap.pkgs"
TAR2SQFS=(tar2sqfs --quiet --no-skip --force --exportable --compressor xz --block-size 1048576)
timed tar2sqfs-alone "$BD" "$W/breakdown/t.sqfs" sh -c '"$@" < "$0"' "$W/breakdown/chroot.tar" "${TAR2SQFS[@]}" "$W/breakdown/t.sqfs" || exit 1
timed "tar2sqfs-alone-j$(nproc)" "$BD" "$W/breakdown/tj.sqfs" sh -c '"$@" < "$0"' "$W/breakdown/chroot.tar" "${TAR2SQFS[@]}" -j "$(nproc)" "$W/breakdown/tj.sqfs" || exit 1
TREE_MB=$(tar -tvf "$W/breakdown/chroot.tar" | awk '{s += $3} END {printf "%.1f", s / 1048576}')
TREE_N=$(tar -tf "$W/breakdown/chroot.tar" | wc -l)

# ------------------------------------------------------------------ phase 1: mmdebstrap alone, if gapimg build is not there yet
PRE=$W/times-mmdebstrap-alone.txt
if ! ready; then
	log "== '$GAPIMG build --help' fails: running mmdebstrap alone first"
	: > "$PRE"
	for run in $(seq "$RUNS"); do log "-- mmdebstrap run $run"; run_mmd "$PRE"; done
	out "#### mmdebstrap alone (gapimg build was not there yet), $(date -u +%H:%M) UTC"
	out ""
	table "$PRE" | outf
	out ""
	log "== waiting for '$GAPIMG build --help' to succeed (polling every 60 s until $WAIT minutes after the start)"
	while ! ready && [ $(($(date +%s) + 60)) -le $((START + WAIT * 60)) ]; do
		sleep 60
		[ $((($(date +%s) - START) / 60 % 5)) = 0 ] && log "   still waiting ($((($(date +%s) - START) / 60)) min)"
	done
fi

GAP_OK=no
if ready; then
	GAP_OK=yes
	# Benchmark a copy: the binary in the tree may be rebuilt meanwhile.
	GAPIMG_DESC=$(gapimg_desc)
	cp "$GAPIMG" "$W/gapimg"
	GAPIMG=$W/gapimg
	HELP=$("$GAPIMG" build --help 2>&1)
	printf '%s\n' "$HELP" > "$W/gapimg-build-help.txt"
	has() { grep -qE -e "$1" <<< "$HELP"; }
	GB_OPTS=()
	if has '--quiet'; then GB_OPTS+=(--quiet); elif has '(^|[[:space:],])-q([,[:space:]]|$)'; then GB_OPTS+=(-q); fi
	HAS_O=no; has '(^|[[:space:],])(-o|--output)([,[:space:]=]|$)' && HAS_O=yes
	HAS_CACHE=no; has '--cache-dir' && HAS_CACHE=yes
	# gapimg build CACHE RECIPE OUT [loud]: run in the recipe's folder with
	# the given cache; without -o the image is the recipe's output name there.
	gb_cmd() {
		local cache=$1 recipe=$2 img=$3
		GB=(env -u SOURCE_DATE_EPOCH XDG_CACHE_HOME="$cache" TMPDIR="$W/tmp" "$GAPIMG" build)
		[ "${4:-}" = loud ] || GB+=("${GB_OPTS[@]}")
		[ $HAS_CACHE = yes ] && GB+=(--cache-dir "$cache/gapimg")
		GB+=("$recipe")
		[ $HAS_O = yes ] && GB+=(-o "$img")
		return 0
	}
	write_recipe() { # NAME COMPRESSION-LINE [SCRIPTS-LINE]
		cat > "$W/recipes/$1.recipe" <<-EOF
		# written by bench/build.sh
		image bench
		version 1
		arch amd64
		epoch $EPOCH
		mirror base deb $MIRROR suite=$SUITE components=main signatures=off
		install $ROOTS
		$2
		output $1.sqfs
		EOF
		if [ -n "${3:-}" ]; then echo "$3" >> "$W/recipes/$1.recipe"; fi
	}
	RECIPES=(bench-xz bench-zstd)
	if [ $SCRIPTS = yes ]; then
		write_recipe bench-xz "compression xz level=6 block-size=1M" "scripts run"
		write_recipe bench-zstd "compression zstd level=15 block-size=128K" "scripts run"
		# the reference: the same xz recipe, installed declaratively
		write_recipe bench-xz-none "compression xz level=6 block-size=1M" "scripts none"
		RECIPES+=(bench-xz-none)
	else
		write_recipe bench-xz "compression xz level=6 block-size=1M"
		write_recipe bench-zstd "compression zstd level=15 block-size=128K"
	fi

	# gapimg_run LABEL TIMES RECIPE-NAME cold|warm
	gapimg_run() {
		local label=$1 times=$2 name=$3 cache rc=0
		if [ "$4" = cold ]; then cache=$W/cache/cold; rm -rf "$cache"; mkdir -p "$cache"; else cache=$W/cache/warm-$name; fi
		gb_cmd "$cache" "$W/recipes/$name.recipe" "$W/out/$label.sqfs"
		if [ $HAS_O = yes ]; then
			timed "$label" "$times" "$W/out/$label.sqfs" "${GB[@]}" || rc=1
		else
			rm -f "$W/recipes/$name.sqfs"
			(cd "$W/recipes" && timed "$label" "$times" "$W/recipes/$name.sqfs" "${GB[@]}") || rc=1
			[ $rc = 0 ] && mv "$W/recipes/$name.sqfs" "$W/out/$label.sqfs"
		fi
		return $rc
	}

	log "== gapimg warm-up builds (write the lock if needed, fill the warm caches)"
	WARMUP=""
	for name in "${RECIPES[@]}"; do
		mkdir -p "$W/cache/warm-$name"
		gb_cmd "$W/cache/warm-$name" "$W/recipes/$name.recipe" "$W/out/warmup-$name.sqfs" loud
		rc=0
		(cd "$W/recipes" && "${GB[@]}") > "$W/log/warmup-$name.out" 2> "$W/log/warmup-$name.err" || rc=$?
		if [ $rc = 4 ]; then
			log "   $name: build said the lock is missing or not current (status 4): running gapimg lock"
			LK=(env XDG_CACHE_HOME="$W/cache/warm-$name" "$GAPIMG" lock)
			[ $HAS_CACHE = yes ] && LK+=(--cache-dir "$W/cache/warm-$name/gapimg")
			"${LK[@]}" "$W/recipes/$name.recipe" >> "$W/log/warmup-$name.out" 2>> "$W/log/warmup-$name.err" || rc=$?
			rc=0
			(cd "$W/recipes" && "${GB[@]}") >> "$W/log/warmup-$name.out" 2>> "$W/log/warmup-$name.err" || rc=$?
		fi
		if [ $rc != 0 ]; then
			log "   $name: warm-up build failed (status $rc):"; sed -n '1,40p' "$W/log/warmup-$name.err" >&2
			GAP_OK="no (warm-up build of $name.recipe failed with status $rc: $(head -n3 "$W/log/warmup-$name.err" | tr '\n' ' '))"
			break
		fi
		WARMUP+="$name: $(cat "$W/log/warmup-$name.out" "$W/log/warmup-$name.err" | grep -v '^[[:space:]]*$' | sed -n 1,6p | tr '\n' ' ' | cut -c1-600 || true); "
	done
fi

# ------------------------------------------------------------------ phase 2: everything, alternating
TIMES=$W/times.txt
: > "$TIMES"
if [ "$GAP_OK" = yes ]; then
	GAPIMG_SHA_START=$(sha256sum "$GAPIMG" | cut -d' ' -f1)
	labels=(mmdebstrap gapimg-xz-cold gapimg-xz-warm gapimg-zstd-cold gapimg-zstd-warm)
	[ $SCRIPTS = yes ] && labels+=(gapimg-xz-none-warm)
	for run in $(seq "$RUNS"); do
		for i in "${!labels[@]}"; do
			l=${labels[$(((i + run - 1) % ${#labels[@]}))]}
			log "-- run $run: $l"
			case $l in
			mmdebstrap) run_mmd "$TIMES" ;;
			gapimg-xz-cold) gapimg_run "$l" "$TIMES" bench-xz cold || GAP_OK="no ($l failed)" ;;
			gapimg-xz-warm) gapimg_run "$l" "$TIMES" bench-xz warm || GAP_OK="no ($l failed)" ;;
			gapimg-zstd-cold) gapimg_run "$l" "$TIMES" bench-zstd cold || GAP_OK="no ($l failed)" ;;
			gapimg-zstd-warm) gapimg_run "$l" "$TIMES" bench-zstd warm || GAP_OK="no ($l failed)" ;;
			gapimg-xz-none-warm) gapimg_run "$l" "$TIMES" bench-xz-none warm || GAP_OK="no ($l failed)" ;;
			esac
			[ "$GAP_OK" = yes ] || break 2
		done
	done
	[ "$(sha256sum "$GAPIMG" | cut -d' ' -f1)" = "$GAPIMG_SHA_START" ] || GAPIMG_CHANGED=yes
fi

# ------------------------------------------------------------------ report
if [ -s "$TIMES" ]; then
	out "#### mmdebstrap and gapimg build, alternating, $(date -u +%H:%M) UTC"
	out ""
	table "$TIMES" | outf
	out ""
	out "SHA-256 of the images: $(awk '!seen[$1]++ {print $1}' "$TIMES" | while read -r l; do printf '%s %s; ' "$l" "$(python3 "$W/py/sha.py" "$TIMES" "$l")"; done | sed 's/; $//')."
	out ""
fi
if [ "$GAP_OK" = yes ]; then
	MW=$(python3 "$W/py/med.py" "$TIMES" mmdebstrap)
	cpuratio() { python3 -c "
import statistics, sys
c = lambda l: statistics.median(float(x.split()[3]) + float(x.split()[4]) for x in open(sys.argv[1]) if x.split()[0] == l)
print('%.2fx' % (c(sys.argv[2]) / c('mmdebstrap')))" "$TIMES" "$1"; }
	ratio() { python3 -c "import sys; r = float(sys.argv[1]) / float(sys.argv[2]); print('%.2fx (%s)' % (r, 'met' if r <= 0.5 else 'not met'))" "$(python3 "$W/py/med.py" "$TIMES" "$1")" "$MW"; }
	out "gapimg/mmdebstrap wall time at equal compression (xz level 6, 1 MiB blocks), target ≤ 0.5x:"
	out "cold cache $(ratio gapimg-xz-cold), warm cache $(ratio gapimg-xz-warm)."
	out "At gapimg's defaults (zstd 15, 128K blocks): cold cache $(ratio gapimg-zstd-cold | cut -d' ' -f1), warm cache $(ratio gapimg-zstd-warm | cut -d' ' -f1)."
	out "CPU time (user+sys), steadier than wall time on a busy machine, gapimg/mmdebstrap: xz cold $(cpuratio gapimg-xz-cold), xz warm $(cpuratio gapimg-xz-warm), zstd cold $(cpuratio gapimg-zstd-cold), zstd warm $(cpuratio gapimg-zstd-warm)."
	if [ $SCRIPTS = yes ]; then
		out "What running the scripts costs gapimg (xz 6/1M, warm cache, medians, \`scripts run\` minus \`scripts none\`): $(python3 -c "
import statistics, sys
def m(l, f): return statistics.median(f(x.split()) for x in open(sys.argv[1]) if x.split()[0] == l)
wall = lambda x: float(x[2]); cpu = lambda x: float(x[3]) + float(x[4])
a, b = 'gapimg-xz-warm', 'gapimg-xz-none-warm'
print('%+.2f s wall (%.2f against %.2f), %+.2f s CPU (%.2f against %.2f)' % (m(a, wall) - m(b, wall), m(a, wall), m(b, wall), m(a, cpu) - m(b, cpu), m(a, cpu), m(b, cpu)))" "$TIMES")."
	fi
	same() { [ "$(python3 "$W/py/sha.py" "$TIMES" "$1")" = "$(python3 "$W/py/sha.py" "$TIMES" "$2")" ] && echo yes || echo no; }
	out "gapimg cold and warm builds gave the same bytes: xz $(same gapimg-xz-cold gapimg-xz-warm), zstd $(same gapimg-zstd-cold gapimg-zstd-warm)."
	wsame() { [ "$(sha256sum "$W/out/warmup-$1.sqfs" | cut -d' ' -f1)" = "$(python3 "$W/py/sha.py" "$TIMES" "$2")" ] && echo yes || echo "NO ($(stat -c %s "$W/out/warmup-$1.sqfs") bytes)"; }
	out "The warm-up build (the first, which may have resolved and written the lock) gave the same bytes as the timed builds: xz $(wsame bench-xz gapimg-xz-warm), zstd $(wsame bench-zstd gapimg-zstd-warm)$([ $SCRIPTS = yes ] && echo ", xz with scripts none $(wsame bench-xz-none gapimg-xz-none-warm)")."
	out "The gapimg measured: a copy (W/gapimg) of $GAPIMG_DESC, taken when the runs began."
	[ "${GAPIMG_CHANGED:-}" = yes ] && out "WARNING: the gapimg binary changed while the benchmark ran; the gapimg figures mix two builds."
	out "Warm-up builds (untimed, without --quiet) said: ${WARMUP:-nothing}"
	out "gapimg build options seen in --help: quiet=${GB_OPTS[*]:-none}, -o: $HAS_O, --cache-dir: $HAS_CACHE (cold runs also get a fresh XDG_CACHE_HOME)."
	out ""
elif [ "$GAP_OK" = no ]; then
	out "gapimg: '$GAPIMG build --help' never succeeded within $WAIT minutes of the start; no gapimg figures."
	out ""
else
	out "gapimg: $GAP_OK"
	out ""
fi

out "#### Where $([ $SCRIPTS = yes ] && echo "mmdebstrap's and gapimg's time goes" || echo "mmdebstrap's time goes") (one run each, $(date -u +%H:%M) UTC)"
out ""
out "The chroot mmdebstrap $([ $SCRIPTS = yes ] && echo builds || echo extracts): $TREE_N tar entries, $TREE_MB MiB of file data; apt chose $(wc -l < "$W/breakdown/mmdebstrap.pkgs") packages."
out ""
{
	echo "| what | wall s | CPU s (user+sys) | peak RSS MB | image bytes |"
	echo "|---|---|---|---|---|"
	while read -r l _ w u s m b _; do
		printf '| %s | %s | %.2f | %.1f | %s |\n' "$l" "$w" "$(echo "$u + $s" | bc)" "$(echo "$m / 1024" | bc -l)" "$b"
	done < "$BD"
} | outf
mkdir -p "$W/tree/mmdebstrap"
unsquashfs -q -n -f -d "$W/tree/mmdebstrap" "$W/out/mmdebstrap.sqfs" > /dev/null
PACK_TREES=(mmdebstrap)
if [ "$GAP_OK" = yes ]; then
	mkdir -p "$W/tree/gapimg"
	unsquashfs -q -n -f -d "$W/tree/gapimg" "$W/out/gapimg-xz-warm.sqfs" > /dev/null
	# with --scripts, also how long compressing gapimg's own scripts-run tree takes
	[ $SCRIPTS = yes ] && PACK_TREES+=(gapimg)
fi
if "$GAPIMG" pack --help > /dev/null 2>&1; then
	run=1
	: > "$W/breakdown/pack.txt"
	for t in "${PACK_TREES[@]}"; do
		timed "pack-xz:6-1M-$t" "$W/breakdown/pack.txt" "$W/breakdown/pack-xz-$t.sqfs" \
			"$GAPIMG" pack -q --comp xz:6 --block-size 1M --epoch "$EPOCH" "$W/tree/$t" -o "$W/breakdown/pack-xz-$t.sqfs" || true
		timed "pack-zstd:15-128K-$t" "$W/breakdown/pack.txt" "$W/breakdown/pack-zstd-$t.sqfs" \
			"$GAPIMG" pack -q --comp zstd:15 --block-size 128K --epoch "$EPOCH" "$W/tree/$t" -o "$W/breakdown/pack-zstd-$t.sqfs" || true
	done
	while read -r l _ w u s m b _; do
		t=${l##*-}
		printf '| gapimg %s of the same tree (the extracted %s image%s) | %s | %.2f | %.1f | %s |\n' "${l%-*}" "$t" "$([ "$t" = gapimg ] && echo ', gapimg-xz-warm')" "$w" "$(echo "$u + $s" | bc)" "$(echo "$m / 1024" | bc -l)" "$b"
	done < "$W/breakdown/pack.txt" | outf
fi
if [ $SCRIPTS = yes ] && [ "$GAP_OK" = yes ]; then
	# The same build with a compressor that costs next to nothing (zstd level
	# 1), scripts run and none, warm cache, one untimed build each first
	# (lock, caches): what is left is unpacking, the scripts and reading the
	# tree back.
	run=1
	: > "$W/breakdown/fast.txt"
	write_recipe bench-zstd1-run "compression zstd level=1 block-size=128K" "scripts run"
	write_recipe bench-zstd1-none "compression zstd level=1 block-size=128K" "scripts none"
	for name in bench-zstd1-run bench-zstd1-none; do
		mkdir -p "$W/cache/warm-$name"
		gb_cmd "$W/cache/warm-$name" "$W/recipes/$name.recipe" "$W/breakdown/warmup-$name.sqfs" loud
		(cd "$W/recipes" && "${GB[@]}") > "$W/log/warmup-$name.out" 2> "$W/log/warmup-$name.err" ||
			{ log "warm-up build of $name failed:"; sed -n '1,20p' "$W/log/warmup-$name.err" >&2; continue; }
		gb_cmd "$W/cache/warm-$name" "$W/recipes/$name.recipe" "$W/breakdown/$name.sqfs"
		timed "gapimg-${name#bench-}-warm" "$W/breakdown/fast.txt" "$W/breakdown/$name.sqfs" "${GB[@]}" || true
	done
	while read -r l _ w u s m b _; do
		printf '| %s (gapimg build, zstd level 1: almost no compression cost) | %s | %.2f | %.1f | %s |\n' "$l" "$w" "$(echo "$u + $s" | bc)" "$(echo "$m / 1024" | bc -l)" "$b"
	done < "$W/breakdown/fast.txt" | outf
fi
out ""
MMD_SHAS=$(python3 "$W/py/sha.py" "$TIMES" mmdebstrap; if [ -s "$PRE" ]; then python3 "$W/py/sha.py" "$PRE" mmdebstrap; fi)
out "mmdebstrap's image sha256 over all its runs: $(tr ' ' '\n' <<< "$MMD_SHAS" | grep . | sort -u | cut -c1-16 | paste -sd' ' -) (one value = reproducible)."
out "tar2sqfs alone on the tarball of the verbose run: $(sha256sum "$W/breakdown/t.sqfs" | cut -c1-16), with -j $(nproc): $(sha256sum "$W/breakdown/tj.sqfs" | cut -c1-16)."
out ""

out "#### Image contents"
out ""
if [ "$GAP_OK" = yes ]; then
	unsquashfs -lln "$W/out/gapimg-xz-warm.sqfs" > "$W/out/gapimg-xz.list"
	# every path only one side has, for reading beside the summary below
	diff <(cd "$W/tree/mmdebstrap" && find . | sort) <(cd "$W/tree/gapimg" && find . | sort) |
		sed -n 's/^< \./mmdebstrap only: /p; s/^> \./gapimg only: /p' > "$W/out/paths-only-one.txt" || true
	"$GAPIMG" ls "$W/out/gapimg-xz-warm.sqfs" > "$W/out/gapimg-xz.gapimg-ls" 2>&1 || true
	python3 "$W/py/compare.py" "$EPOCH" mmdebstrap "$W/tree/mmdebstrap" gapimg "$W/tree/gapimg" | outf
	LOCK=$(ls "$W/recipes"/bench-xz.lock 2>/dev/null || true)
	if [ -n "$LOCK" ]; then
		awk '$1 == "package" {print $2, $3, $4}' "$LOCK" | sort -u > "$W/breakdown/gapimg.pkgs"
		out ""
		out "Packages: mmdebstrap (apt) $(wc -l < "$W/breakdown/mmdebstrap.pkgs"), gapimg lock $(wc -l < "$W/breakdown/gapimg.pkgs");" \
			"only apt: $(comm -23 <(cut -d' ' -f1,2 "$W/breakdown/mmdebstrap.pkgs") <(cut -d' ' -f1,2 "$W/breakdown/gapimg.pkgs") | paste -sd, - | sed 's/^$/none/')," \
			"only gapimg: $(comm -13 <(cut -d' ' -f1,2 "$W/breakdown/mmdebstrap.pkgs") <(cut -d' ' -f1,2 "$W/breakdown/gapimg.pkgs") | paste -sd, - | sed 's/^$/none/')."
	fi
else
	python3 "$W/py/compare.py" "$EPOCH" mmdebstrap "$W/tree/mmdebstrap" | outf
fi
unsquashfs -lln "$W/out/mmdebstrap.sqfs" > "$W/out/mmdebstrap.list"
out ""
out "Listings: W/out/mmdebstrap.list$([ "$GAP_OK" = yes ] && echo ', W/out/gapimg-xz.list') (unsquashfs -lln)$([ "$GAP_OK" = yes ] && echo ', W/out/gapimg-xz.gapimg-ls (gapimg ls), W/out/paths-only-one.txt (every path only one image has)'); extracted trees in W/tree."
out ""
out "Commands (W=$W):"
out ""
out "    $MMD_SHOWN"
if [ "$GAP_OK" = yes ]; then
	out "    XDG_CACHE_HOME=CACHE gapimg build ${GB_OPTS[*]}$([ $HAS_CACHE = yes ] && echo ' --cache-dir CACHE/gapimg') W/recipes/bench-xz.recipe$([ $HAS_O = yes ] && echo ' -o OUT.sqfs')"
	out "    # cold: CACHE a fresh empty folder every run; warm: the warm-up build's; bench-zstd.recipe$([ $SCRIPTS = yes ] && echo ' and bench-xz-none.recipe') likewise; SOURCE_DATE_EPOCH unset"
	out ""
	out "W/recipes/bench-xz.recipe:"
	out ""
	sed 's/^/    /' "$W/recipes/bench-xz.recipe" | outf
fi
out ""
out "Script runtime: $(($(date +%s) - START)) s. Load average at start: $LOAD_START; at the end: $(cut -d' ' -f1-3 /proc/loadavg); 1-minute load average when each timed run started: $(sort -g "$W/load.txt" | sed -n '1p;$p' | paste -sd'-' -) (min-max)."
out "Wall times on this shared 2-CPU machine vary by several percent or more between runs; CPU time and sizes are steadier."
