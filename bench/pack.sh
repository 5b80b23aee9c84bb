#!/usr/bin/env bash
# Benchmark: gapimg pack against mksquashfs and gensquashfs on the same
# tree of real files, same compressor, level, block size and thread count,
# runs alternating between the tools. Prints a Markdown table of wall
# time, CPU time, peak RSS and image size (median of the runs), for
# docs/benchmarks.md. Never part of the test suite.
#
#   bench/pack.sh [--runs N] [--comp zstd|xz|gzip] [--level N]
#                 [--block-size BYTES] [--threads N] [--work DIR]
#
# The tree is a copy of /usr subtrees of this machine (listed below; the
# script says which exist and how large the tree is), at least 200 MB.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=5 comp=zstd level=15 bs=131072 threads=$(nproc)
work=${TMPDIR:-/var/tmp}/gapimg-bench
while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=$2; shift 2;;
	--comp) comp=$2; shift 2;;
	--level) level=$2; shift 2;;
	--block-size) bs=$2; shift 2;;
	--threads) threads=$2; shift 2;;
	--work) work=$2; shift 2;;
	*) echo "usage: $0 [--runs N] [--comp C] [--level N] [--block-size B] [--threads N] [--work DIR]" >&2; exit 2;;
	esac
done

for p in squashfs-tools squashfs-tools-ng time; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=" $p"
done
if [ -n "${missing:-}" ]; then
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi
scripts/setup release
cmake --build build/release -j "$(nproc)" >/dev/null
gapimg=$PWD/build/release/gapimg

subtrees=(lib/python3 lib/x86_64-linux-gnu/perl share/i18n share/vim share/man
	share/icons lib/x86_64-linux-gnu/dri lib/x86_64-linux-gnu/gconv share/zoneinfo
	lib/gcc/x86_64-linux-gnu/12)
tree=$work/tree
if [ ! -d "$tree" ]; then
	mkdir -p "$tree"
	for s in "${subtrees[@]}"; do
		[ -d "/usr/$s" ] || continue
		mkdir -p "$tree/$(dirname "$s")"
		cp -a "/usr/$s" "$tree/$s"
		[ "$(du -sm --apparent-size "$tree" | cut -f1)" -ge 260 ] && break
	done
fi
mb=$(du -sm --apparent-size "$tree" | cut -f1)
files=$(find "$tree" -type f | wc -l)
[ "$mb" -ge 200 ] || { echo "tree is only $mb MB; need 200" >&2; exit 1; }
# Warm the page cache so that every tool reads from memory.
tar -cf - -C "$tree" . >/dev/null

out=$work/out
mkdir -p "$out"
declare -A cmd
cmd[gapimg]="$gapimg pack -q --comp $comp:$level --block-size $bs --threads $threads --epoch 0 $tree -o $out/gapimg.sqfs"
cmd[mksquashfs]="mksquashfs $tree $out/mksquashfs.sqfs -noappend -quiet -no-progress -reproducible -all-root -mkfs-time 0 -all-time 0 -comp $comp -Xcompression-level $level -b $bs -processors $threads"
[ "$comp" = xz ] && cmd[mksquashfs]="${cmd[mksquashfs]/-Xcompression-level $level/}"
cmd[gensquashfs]="env SOURCE_DATE_EPOCH=0 gensquashfs -q -f -D $tree -c $comp -X level=$level -b $bs -j $threads --all-root $out/gensquashfs.sqfs"
tools=(gapimg mksquashfs gensquashfs)

declare -A wall cpu rss size
for r in $(seq "$runs"); do
	# Rotate the order each run so that no tool always goes first.
	for i in 0 1 2; do
		t=${tools[$(((i + r) % 3))]}
		rm -f "$out/$t.sqfs"
		/usr/bin/time -f '%e %U %S %M' -o "$work/time" ${cmd[$t]} >/dev/null
		read -r w u s m <"$work/time"
		wall[$t]+="$w "
		cpu[$t]+="$(echo "$u + $s" | bc) "
		rss[$t]+="$m "
		size[$t]=$(stat -c %s "$out/$t.sqfs")
		sha=$(sha256sum "$out/$t.sqfs" | cut -d' ' -f1)
		if [ "$r" = 1 ]; then eval "sha_$t=$sha"; elif [ "$(eval echo \$sha_$t)" != "$sha" ]; then
			echo "warning: $t gave different bytes in run $r" >&2; fi
	done
done

median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
minimum() { tr ' ' '\n' | grep . | sort -g | head -n 1; }

echo "Tree: $mb MB in $files files ($(printf '%s ' "${subtrees[@]}")); $comp level $level, block size $bs, $threads threads, $runs runs each, alternating; $(nproc) CPUs."
echo
echo "| tool | wall s (median, best) | CPU s (median) | peak RSS MB (median) | image bytes | vs mksquashfs wall / size |"
echo "|---|---|---|---|---|---|"
mw=$(echo "${wall[mksquashfs]}" | median)
for t in "${tools[@]}"; do
	w=$(echo "${wall[$t]}" | median)
	printf '| %s | %s, %s | %s | %.1f | %s | %.2fx / %.4fx |\n' "$t" "$w" \
		"$(echo "${wall[$t]}" | minimum)" "$(echo "${cpu[$t]}" | median)" \
		"$(echo "$(echo "${rss[$t]}" | median) / 1024" | bc -l)" "${size[$t]}" \
		"$(echo "$w / $mw" | bc -l)" "$(echo "${size[$t]} / ${size[mksquashfs]}" | bc -l)"
done
echo
echo "Commands:"
for t in "${tools[@]}"; do echo "    ${cmd[$t]}"; done
