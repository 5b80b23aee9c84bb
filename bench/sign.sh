#!/usr/bin/env bash
# bench/sign.sh - time `gapimg sign` and `gapimg verify` against the tools
# operators glue together today to sign and check an image, on the same
# images, in the same run.
#
#   bench/sign.sh [--runs N] [--sizes MIB,MIB,...] [--gapimg PATH] [--work DIR] [--keep]
#
# Images: for each size (default 64,512,2048 MiB) a tree of that many bytes
#   of deterministic pseudo-random data (AES-128-CTR keystream of a fixed
#   key, `openssl enc`, in files of 64 MiB) packed with
#   `gapimg pack -q --comp zstd:1 --epoch 0 TREE -o image.sqfs`: random data
#   does not compress, so the image is about as large as the data. Its
#   manifest is written by hand with the fields the signer needs
#   (image.bytes, image.sha256, epoch, recipe.digest, lock.digest, as in
#   tests/unit/test_trailer.c's manifest_for). Sizes the disk has no room
#   for (about 4x the largest size plus all the images) are left out, with a
#   note.
#
# What is timed, per size (the same PEM Ed25519 key from `gapimg keygen`
# for gapimg and openssl; a throwaway GNUPGHOME with an ed25519 key, no
# passphrase, for gpg):
#   gapimg sign      gapimg sign u.sqfs --key k.key --manifest image.manifest.json
#                    in place, on a fresh unsigned copy of image.sqfs made
#                    (and synced) before each run; the copy is not timed.
#   gapimg verify    gapimg verify signed.sqfs --key k.pub
#   glue sign        sha256sum image.sqfs > image.sqfs.sha256 &&
#                    openssl pkeyutl -sign -rawin -inkey k.key
#                      -in image.sqfs.sha256 -out image.sqfs.sha256.sig
#   glue verify      openssl pkeyutl -verify -rawin -pubin -inkey k.pub
#                      -in image.sqfs.sha256 -sigfile image.sqfs.sha256.sig &&
#                    sha256sum --quiet -c image.sqfs.sha256
#   gpg sign         gpg --batch --pinentry-mode loopback --passphrase ''
#                      --yes -o image.sqfs.gpgsig --detach-sign image.sqfs
#   gpg verify       gpg --batch --verify image.sqfs.gpgsig image.sqfs
#   openssl dgst     openssl dgst -sha256 image.sqfs   (the floor: hashing
#                    the bytes is most of the work of every row)
#   copy + rename    cp --reflink=never u.sqfs u.new && openssl dgst -sha256
#                      u.new && sync u.new && mv u.new u.sqfs
#                    what signing in place through a copy costs when done by
#                    hand (copy, hash the copy, flush it, rename it over the
#                    original), on the same fresh unsigned copy as gapimg
#                    sign: a reference for that row, not a peer.
#   (the glue and copy rows run under `sh -c`, in the size's folder).
# Every measurement is run N times (default 5), the order rotated each run;
# `sync` runs (untimed) before each one, so no tool pays for another's
# writeback. Wall time is the shell's clock around the command
# ($EPOCHREALTIME), CPU time (user+sys) and peak RSS come from GNU time;
# medians are reported. All runs are warm-cache: the page cache is not
# dropped (that would disturb everyone else on the machine); each image is
# read once before its timed runs, and the machine's free memory is
# checked to hold the images.
# Checks: every timed gapimg sign gives the same bytes as an untimed
# reference signing; openssl dgst prints the manifest's SHA-256; every
# verify exits 0.
# Breakdown: one more (untimed) gapimg sign per size under
# `strace -f -w -c`, which gives the wall time spent in each system call:
# copy_file_range (the copy), pread64 (reading the copy back to hash it),
# fsync (writing the copy to disk), close (freeing the replaced file's
# blocks and page cache when its last descriptor closes).
#
# Work dir: ${TMPDIR:-/var/tmp}/gapimg-bench-sign (rebuilt every run;
# removed on exit except report.md and times.txt, unless --keep). The gapimg
# binary is copied into it first, so rebuilding meanwhile changes nothing.
# Needs: openssl, gpg, sha256sum, GNU time; strace for the breakdown.
# Never part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

RUNS=5
SIZES=64,512,2048
GAPIMG=$ROOT/build/release/gapimg
W=${TMPDIR:-/var/tmp}/gapimg-bench-sign
KEEP=0
usage() { echo "usage: bench/sign.sh [--runs N] [--sizes MIB,MIB,...] [--gapimg PATH] [--work DIR] [--keep]" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	--runs) RUNS=${2:?--runs N}; shift 2 ;;
	--sizes) SIZES=${2:?--sizes MIB,MIB,...}; shift 2 ;;
	--gapimg) GAPIMG=${2:?--gapimg PATH}; shift 2 ;;
	--work) W=${2:?--work DIR}; shift 2 ;;
	--keep) KEEP=1; shift ;;
	-h|--help) sed -n '2,/^set -euo/p' "$0" | sed -n 's/^# \{0,1\}//p'; exit 0 ;;
	*) usage ;;
	esac
done
case $RUNS in ''|*[!0-9]*|0) echo "--runs: a positive number" >&2; exit 2 ;; esac
[[ $SIZES =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || { echo "--sizes: MiB, comma-separated (64,512,2048), not '$SIZES'" >&2; exit 2; }
case $GAPIMG in /*) ;; *) GAPIMG=$PWD/$GAPIMG ;; esac
[ -x "$GAPIMG" ] || { echo "$GAPIMG: no gapimg binary (build it, or give --gapimg PATH)" >&2; exit 1; }
for c in openssl gpg gpgconf sha256sum /usr/bin/time; do
	command -v "$c" >/dev/null 2>&1 || { echo "missing tool: $c" >&2; exit 1; }
done
HAVE_STRACE=0
command -v strace >/dev/null 2>&1 && HAVE_STRACE=1

START=$(date +%s)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
log() { printf '%s\n' "$*" >&2; }

# A work dir that is not ours would be removed below: insist on our name.
case $(basename "$W") in gapimg-bench-sign*) ;; *) echo "--work: the folder's name must start with gapimg-bench-sign (it is removed)" >&2; exit 2 ;; esac
rm -rf "$W"
mkdir -p "$W"
W=$(cd "$W" && pwd -P)
export GNUPGHOME=$W/gnupg
cleanup() {
	gpgconf --homedir "$GNUPGHOME" --kill gpg-agent >/dev/null 2>&1 || true
	if [ "$KEEP" = 0 ]; then
		find "$W" -mindepth 1 -maxdepth 1 ! -name report.md ! -name times.txt -exec rm -rf {} + 2>/dev/null || true
	fi
}
trap cleanup EXIT
trap 'log "bench/sign.sh: line $LINENO failed: $BASH_COMMAND"' ERR

cp "$GAPIMG" "$W/gapimg"
G=$W/gapimg

# ------------------------------------------------------------------ versions
GAPIMG_REV=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
GAPIMG_DIRTY=$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null | wc -l)
GAPIMG_DESC="$("$G" --version 2>/dev/null | head -n1), $GAPIMG (binary sha256 $(sha256sum "$G" | cut -c1-12)), repo $GAPIMG_REV (tracked files changed: $GAPIMG_DIRTY)"
TOOLS_DESC="$(openssl version); gpg $(gpg --version | sed -n '1s/.* //p') with libgcrypt $(gpg --version | sed -n 's/^libgcrypt //p'); sha256sum from coreutils $(dpkg-query -W -f='${Version}' coreutils 2>/dev/null || echo '?') ($(ldd "$(command -v sha256sum)" | grep -q libcrypto && echo linked with libcrypto || echo its own SHA-256 code, not OpenSSL))"
CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
SHANI=$(grep -qw sha_ni /proc/cpuinfo && echo "has SHA extensions (sha_ni)" || echo "no SHA extensions")
FS=$(df -PT "$W" | awk 'NR==2 {print $2 " on " $1}')
MACHINE="$(nproc) CPUs ($CPU, $SHANI), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, kernel $(uname -r), $(sed -n 's/^PRETTY_NAME="\(.*\)"$/\1/p' /etc/os-release); work dir $W on $FS"
log "== gapimg: $GAPIMG_DESC"
log "== $TOOLS_DESC"
log "== $MACHINE"

# ------------------------------------------------------------------ sizes
NOTES=()
IFS=, read -r -a WANT <<< "$SIZES"
mapfile -t WANT < <(printf '%s\n' "${WANT[@]}" | sort -n -u)
avail_mib() { df -Pm "$W" | awk 'NR==2 {print $4}'; }
SZ=()
for s in "${WANT[@]}"; do
	# The data (the largest size), every image, and for the one being
	# timed a fresh copy, sign's temporary copy and the signed image; 1 GiB
	# to spare.
	sum=0
	for t in "${SZ[@]}" "$s"; do sum=$((sum + t)); done
	need=$((s + sum + 3 * s + 1024))
	if [ "$need" -gt "$(avail_mib)" ]; then
		NOTES+=("$s MiB left out: it needs about $need MiB of disk and $W has $(avail_mib) MiB free")
		log "note: ${NOTES[-1]}"
		continue
	fi
	SZ+=("$s")
done
[ ${#SZ[@]} -gt 0 ] || { echo "no size fits on the disk" >&2; exit 1; }
MAX=${SZ[-1]}
MEM_AVAIL=$(awk '/MemAvailable/ {printf "%d", $2/1024}' /proc/meminfo)
if [ "$MEM_AVAIL" -lt $((4 * MAX)) ]; then
	NOTES+=("only $MEM_AVAIL MiB of memory available for about $((4 * MAX)) MiB of files: the largest size may not stay in the page cache")
	log "note: ${NOTES[-1]}"
fi

# ------------------------------------------------------------------ data, images, keys
CHUNK=64
log "== data: $MAX MiB of AES-128-CTR keystream in $CHUNK MiB files"
mkdir -p "$W/data"
# (head before openssl: CTR output is as long as its input, and openssl
# is not cut off by a closed pipe)
head -c $((MAX * 1048576)) /dev/zero \
	| openssl enc -aes-128-ctr -nosalt -K 676170696d672062656e6368206b6579 -iv 62656e63682f7369676e2e7368206976 \
	| (cd "$W/data" && split -b ${CHUNK}M -d -a 4 - part-)
[ "$(cat "$W"/data/part-* | wc -c)" = $((MAX * 1048576)) ] || { echo "openssl enc gave the wrong number of bytes" >&2; exit 1; }
DATA_SHA=$(cat "$W"/data/part-* | sha256sum | cut -c1-16)

KEYID=$("$G" keygen "$W/k" | sed -n 's/^key id //p')
mkdir -m 700 "$GNUPGHOME"
gpg --batch --pinentry-mode loopback --passphrase '' --quick-gen-key 'gapimg bench <bench@invalid>' \
	ed25519 sign never > "$W/gpg-keygen.log" 2>&1

declare -A BYTES SHA
LOCK_HEX=$(printf 'bench lock' | sha256sum | cut -c1-64)
RECIPE_HEX=$(printf 'bench recipe' | sha256sum | cut -c1-64)
for s in "${SZ[@]}"; do
	d=$W/s$s
	mkdir -p "$d/tree"
	full=$((s / CHUNK)) rem=$((s % CHUNK))
	for i in $(seq 0 $((full - 1))); do
		ln "$W/data/part-$(printf %04d "$i")" "$d/tree/"
	done
	if [ "$rem" -gt 0 ]; then
		head -c $((rem * 1048576)) "$W/data/part-$(printf %04d "$full")" > "$d/tree/rest"
	fi
	log "== packing $s MiB"
	"$G" pack -q --comp zstd:1 --epoch 0 "$d/tree" -o "$d/image.sqfs"
	rm -rf "$d/tree"
	BYTES[$s]=$(stat -c %s "$d/image.sqfs")
	SHA[$s]=$(openssl dgst -sha256 -r "$d/image.sqfs" | cut -d' ' -f1)
	printf '{\n  "epoch": 0,\n  "image": {\n    "bytes": %s,\n    "name": "bench",\n    "sha256": "%s",\n    "version": "%s"\n  },\n  "lock": {\n    "digest": "%s"\n  },\n  "manifest": 1,\n  "recipe": {\n    "digest": "%s"\n  }\n}\n' \
		"${BYTES[$s]}" "${SHA[$s]}" "$s" "$LOCK_HEX" "$RECIPE_HEX" > "$d/image.manifest.json"
done
rm -rf "$W/data"

# ------------------------------------------------------------------ timing
TIMES=$W/times.txt
: > "$TIMES"
# tm SIZE LABEL CMD...: one timed run, appended to times.txt as
# "SIZE LABEL WALL USER SYS MAXRSS_KB".
tm() {
	local size=$1 label=$2 t0 t1 rc=0
	shift 2
	sync
	t0=$EPOCHREALTIME
	/usr/bin/time -f '%U %S %M' -o "$W/time.tmp" "$@" > "$W/out.log" 2>&1 || rc=$?
	t1=$EPOCHREALTIME
	if [ $rc -ne 0 ]; then
		log "failed ($rc): $*"; sed -n '1,20p' "$W/out.log" >&2; exit 1
	fi
	echo "$size $label $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.4f", b - a}') $(tail -n1 "$W/time.tmp")" >> "$TIMES"
}
# shellcheck disable=SC2016  # $1 is for sh -c, the size's folder
GLUE_SIGN='cd "$1" && sha256sum image.sqfs > image.sqfs.sha256 && openssl pkeyutl -sign -rawin -inkey ../k.key -in image.sqfs.sha256 -out image.sqfs.sha256.sig'
# shellcheck disable=SC2016
GLUE_VERIFY='cd "$1" && openssl pkeyutl -verify -rawin -pubin -inkey ../k.pub -in image.sqfs.sha256 -sigfile image.sqfs.sha256.sig >/dev/null && sha256sum --quiet -c image.sqfs.sha256'
# shellcheck disable=SC2016
COPY_RENAME='cd "$1" && cp --reflink=never u.sqfs u.new && openssl dgst -sha256 u.new >/dev/null && sync u.new && mv u.new u.sqfs'
fresh() { # an unsigned copy to sign in place, on disk before the clock starts
	rm -f "$1/u.sqfs"
	cp --reflink=never "$1/image.sqfs" "$1/u.sqfs"
	sync
}
run_one() { # size what
	local s=$1 d=$W/s$1
	case $2 in
	gapimg-sign)
		fresh "$d"
		tm "$s" "$2" "$G" sign "$d/u.sqfs" --key "$W/k.key" --manifest "$d/image.manifest.json"
		cmp -s "$d/u.sqfs" "$d/signed.sqfs" || { echo "gapimg sign gave other bytes than the reference signing ($s MiB)" >&2; exit 1; }
		rm -f "$d/u.sqfs" ;;
	copy-rename)
		fresh "$d"
		tm "$s" "$2" sh -c "$COPY_RENAME" sh "$d"
		rm -f "$d/u.sqfs" ;;
	gapimg-verify) tm "$s" "$2" "$G" verify "$d/signed.sqfs" --key "$W/k.pub" ;;
	glue-sign) tm "$s" "$2" sh -c "$GLUE_SIGN" sh "$d" ;;
	glue-verify) tm "$s" "$2" sh -c "$GLUE_VERIFY" sh "$d" ;;
	gpg-sign) tm "$s" "$2" gpg --batch --pinentry-mode loopback --passphrase '' --yes -o "$d/image.sqfs.gpgsig" --detach-sign "$d/image.sqfs" ;;
	gpg-verify) tm "$s" "$2" gpg --batch --verify "$d/image.sqfs.gpgsig" "$d/image.sqfs" ;;
	openssl-dgst)
		tm "$s" "$2" openssl dgst -sha256 "$d/image.sqfs"
		grep -q "${SHA[$s]}" "$W/out.log" || { echo "openssl dgst printed another SHA-256 ($s MiB)" >&2; exit 1; } ;;
	esac
}
ORDER=(gapimg-sign gapimg-verify glue-sign glue-verify gpg-sign gpg-verify openssl-dgst copy-rename)

load1() { cut -d' ' -f1 /proc/loadavg; }
declare -A BREAK
RUNLOADS=()
T0=$(date +%s)
for s in "${SZ[@]}"; do
	d=$W/s$s
	log "== $s MiB (${BYTES[$s]} bytes): untimed reference signatures (and warm-up)"
	cat "$d/image.sqfs" > /dev/null
	cp --reflink=never "$d/image.sqfs" "$d/signed.sqfs"
	"$G" sign -q "$d/signed.sqfs" --key "$W/k.key" --manifest "$d/image.manifest.json"
	"$G" verify -q "$d/signed.sqfs" --key "$W/k.pub"
	sh -c "$GLUE_SIGN" sh "$d"
	sh -c "$GLUE_VERIFY" sh "$d"
	gpg --batch --pinentry-mode loopback --passphrase '' --yes -o "$d/image.sqfs.gpgsig" --detach-sign "$d/image.sqfs" 2> /dev/null
	gpg --batch --verify "$d/image.sqfs.gpgsig" "$d/image.sqfs" 2> /dev/null
	for i in $(seq 1 "$RUNS"); do
		RUNLOADS+=("$(load1)")
		k=$(( (i - 1) % ${#ORDER[@]} ))
		rot=("${ORDER[@]:k}" "${ORDER[@]:0:k}")
		log "   run $i/$RUNS (load $(load1)): ${rot[*]}"
		for what in "${rot[@]}"; do run_one "$s" "$what"; done
	done
	if [ "$HAVE_STRACE" = 1 ]; then
		fresh "$d"
		t0=$EPOCHREALTIME
		strace -f -w -c -o "$W/strace-$s.txt" "$G" sign -q "$d/u.sqfs" --key "$W/k.key" --manifest "$d/image.manifest.json"
		t1=$EPOCHREALTIME
		cmp -s "$d/u.sqfs" "$d/signed.sqfs" || { echo "gapimg sign under strace gave other bytes ($s MiB)" >&2; exit 1; }
		sc() { awk -v n="$1" '$NF == n {printf "%.3f", $2; f = 1} END {if (!f) printf "0"}' "$W/strace-$s.txt"; }
		BREAK[$s]="$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}') $(sc copy_file_range) $(sc pread64) $(sc fsync) $(sc close) $(sc rename)"
	fi
	rm -f "$d"/*.sqfs
done
T1=$(date +%s)

# ------------------------------------------------------------------ report
# summary: "SIZE LABEL median_wall min max median_cpu median_rss_MB n"
awk '{k = $1 " " $2; w[k] = w[k] " " $3; c[k] = c[k] " " ($4 + $5); r[k] = r[k] " " $6; if (!(k in seen)) {seen[k] = 1; order[++n] = k}}
	function med(s,   a, m, i, j, t) { m = split(s, a, " "); for (i = 2; i <= m; i++) for (j = i; j > 1 && a[j-1] + 0 > a[j] + 0; j--) {t = a[j]; a[j] = a[j-1]; a[j-1] = t}
		return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2 }
	function lo(s,   a, m, i, x) { m = split(s, a, " "); x = a[1]; for (i = 2; i <= m; i++) if (a[i] + 0 < x + 0) x = a[i]; return x }
	function hi(s,   a, m, i, x) { m = split(s, a, " "); x = a[1]; for (i = 2; i <= m; i++) if (a[i] + 0 > x + 0) x = a[i]; return x }
	END {for (i = 1; i <= n; i++) {k = order[i]; printf "%s %.4f %.4f %.4f %.3f %.1f %d\n", k, med(w[k]), lo(w[k]), hi(w[k]), med(c[k]), med(r[k]) / 1024, split(w[k], x, " ")}}' \
	"$TIMES" > "$W/summary.txt"
row() { awk -v s="$1" -v l="$2" '$1 == s && $2 == l' "$W/summary.txt"; }
med() { row "$1" "$2" | cut -d' ' -f3; }
declare -A NAME=([gapimg-sign]="gapimg sign (in place)" [gapimg-verify]="gapimg verify"
	[glue-sign]="sha256sum + openssl pkeyutl -sign" [glue-verify]="openssl pkeyutl -verify + sha256sum -c"
	[gpg-sign]="gpg --detach-sign" [gpg-verify]="gpg --verify" [openssl-dgst]="openssl dgst -sha256 (floor)"
	[copy-rename]="reference: cp + openssl dgst + sync + mv (in place by hand)")
SHOW=(gapimg-sign copy-rename glue-sign gpg-sign gapimg-verify glue-verify gpg-verify openssl-dgst)
END=$(date +%s)
{
echo "#### bench/sign.sh, $(date -u +%Y-%m-%d), $RUNS runs"
echo
echo "gapimg: $GAPIMG_DESC."
echo "Peers: $TOOLS_DESC."
echo "Machine: $MACHINE."
echo "Images: \`gapimg pack -q --comp zstd:1 --epoch 0\` of AES-128-CTR keystream (data sha256 $DATA_SHA…, $CHUNK MiB files); warm cache."
for n in "${NOTES[@]}"; do echo "Note: $n."; done
echo
echo "| image | what | wall s, median (min–max) | CPU s (user+sys), median | peak RSS MB, median | GB/s (median) | vs openssl dgst | runs |"
echo "|---|---|---|---|---|---|---|---|"
for s in "${SZ[@]}"; do
	floor=$(med "$s" openssl-dgst)
	for l in "${SHOW[@]}"; do
		row "$s" "$l" | awk -v name="${NAME[$l]}" -v b="${BYTES[$s]}" -v f="$floor" -v mib="$s" \
			'{printf "| %d MiB (%s bytes) | %s | %.3f (%.3f–%.3f) | %.2f | %.1f | %.2f | %.2fx | %d |\n", mib, b, name, $3, $4, $5, $6, $7, b / $3 / 1e9, $3 / f, $8}'
	done
done
if [ "$HAVE_STRACE" = 1 ]; then
	echo
	echo "Where \`gapimg sign\`'s time goes: one more run per size under \`strace -f -w -c\` (seconds of wall time inside each system call; the rest is mostly hashing in user space):"
	echo
	echo "| image | wall s under strace | copy_file_range (the copy) | pread64 (reading the copy to hash it) | fsync (the copy to disk) | close (freeing the replaced file) | rename | the rest |"
	echo "|---|---|---|---|---|---|---|---|"
	for s in "${SZ[@]}"; do
		echo "${BREAK[$s]}" | awk -v mib="$s" '{printf "| %d MiB | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f |\n", mib, $1, $2, $3, $4, $5, $6, $1 - $2 - $3 - $4 - $5 - $6}'
	done
fi
echo
echo "Every timed \`gapimg sign\` gave the same bytes as the reference signing; every verify exited 0; openssl dgst printed the manifest's SHA-256."
echo
echo "Commands (in W/sSIZE; W=$W, GNUPGHOME=W/gnupg, k.key/k.pub from \`gapimg keygen\`, key id $KEYID):"
echo
echo "    cp --reflink=never image.sqfs u.sqfs; sync    # untimed, before each gapimg sign"
echo "    gapimg sign u.sqfs --key W/k.key --manifest image.manifest.json"
echo "    gapimg verify signed.sqfs --key W/k.pub"
echo "    sh -c '$GLUE_SIGN' sh W/sSIZE"
echo "    sh -c '$GLUE_VERIFY' sh W/sSIZE"
echo "    gpg --batch --pinentry-mode loopback --passphrase '' --yes -o image.sqfs.gpgsig --detach-sign image.sqfs"
echo "    gpg --batch --verify image.sqfs.gpgsig image.sqfs"
echo "    openssl dgst -sha256 image.sqfs"
echo "    sh -c '$COPY_RENAME' sh W/sSIZE    # after the same untimed fresh copy"
echo
echo "Load average: at start $LOAD_START; 1-minute load before each run: ${RUNLOADS[*]}; at the end $(cut -d' ' -f1-3 /proc/loadavg)."
echo "Timed part: $((T1 - T0)) s; script runtime: $((END - START)) s."
} | tee "$W/report.md"
