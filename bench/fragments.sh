#!/usr/bin/env bash
# How many fragment blocks change when one file of a real tree is removed
# or grows by 300 bytes (every 2203rd file under 200 KB), under gapimg's tail-end policy and under alternatives built
# from the same source (-DMIN_FILL_EIGHTHS, -DCUT_BITS; CUT_BITS=30 is the
# library's sequential packing). Prints a Markdown table for
# docs/squashfs-layout.md.
#
#   bench/fragments.sh [--work DIR] [VARIANT...]    VARIANT = MIN-CUT, e.g. 7-2
set -euo pipefail
cd "$(dirname "$0")/.."
work=${TMPDIR:-/var/tmp}/gapimg-bench-frag
[ "${1:-}" = --work ] && { work=$2; shift 2; }
variants=("$@")
[ ${#variants[@]} -gt 0 ] || variants=(7-2 4-3 4-30)

scripts/setup release
mkdir -p "$work"
cc -O2 -o "$work/fraghash" bench/fraghash.c -lsquashfs -lcrypto
base=$work/base
if [ ! -d "$base" ]; then
	mkdir -p "$base/share"
	cp -a /usr/lib/python3 "$base/"
	for s in vim i18n man icons zoneinfo; do
		[ -d "/usr/share/$s" ] && cp -a "/usr/share/$s" "$base/share/"
	done
fi
find "$base" -type f -size -200k | LC_ALL=C sort | awk 'NR % 2203 == 0' >"$work/victims"
echo "Tree: $(find "$base" -type f | wc -l) files, $(du -sm --apparent-size "$base" | cut -f1) MB" \
	"(/usr/lib/python3 and /usr/share/{vim,i18n,man,icons,zoneinfo}); $(wc -l <"$work/victims") files removed or grown by" \
	"300 bytes, one at a time; zstd:1, 128 KiB blocks."
echo
echo "| variant | fragment blocks | image bytes | new blocks per removal (avg) | new blocks per growth (avg) |"
echo "|---|---:|---:|---:|---:|"
for v in "${variants[@]}"; do
	min=${v%-*} cut=${v#*-}
	b=$work/build-$v
	cmake -S . -B "$b" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGAPIMG_TESTS=OFF \
		-DCMAKE_C_FLAGS="-DMIN_FILL_EIGHTHS=$min -DCUT_BITS=$cut" >/dev/null
	cmake --build "$b" -j "$(nproc)" >/dev/null
	pack() { "$b/gapimg" pack -q --comp zstd:1 "$1" -o "$2"; }
	pack "$base" "$work/base.sqfs"
	"$work/fraghash" "$work/base.sqfs" | sort >"$work/base.h"
	rem=0 grow=0 n=0
	while read -r f; do
		n=$((n + 1))
		rel=${f#"$base"/}
		rm -rf "$work/var"; cp -al "$base" "$work/var"
		rm "$work/var/$rel"
		pack "$work/var" "$work/var.sqfs"
		rem=$((rem + $("$work/fraghash" "$work/var.sqfs" | sort | comm -13 "$work/base.h" - | wc -l)))
		rm -rf "$work/var"; cp -al "$base" "$work/var"
		cp --remove-destination "$f" "$work/var/$rel"
		head -c 300 /dev/zero | tr '\0' x >>"$work/var/$rel"
		pack "$work/var" "$work/var.sqfs"
		grow=$((grow + $("$work/fraghash" "$work/var.sqfs" | sort | comm -13 "$work/base.h" - | wc -l)))
	done <"$work/victims"
	rm -rf "$work/var"
	printf '| min fill %s/8, %s | %s | %s | %.1f | %.1f |\n' "$min" \
		"$([ "$cut" -ge 30 ] && echo "no cuts (sequential)" || echo "cut 1 tail in $((1 << cut))")" \
		"$(wc -l <"$work/base.h")" "$(stat -c %s "$work/base.sqfs")" \
		"$(echo "$rem / $n" | bc -l)" "$(echo "$grow / $n" | bc -l)"
done
