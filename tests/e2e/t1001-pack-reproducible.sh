#!/usr/bin/env bash
# Same tree, same options: same bytes, whatever the thread count, umask,
# time zone, locale, or the order the tree was created in on disk.
. "$(dirname "$0")/lib.sh"

is_root || skip_all "needs root to create device nodes, owners and file capabilities"

make_sample_tree "$WORK/fwd" forward
make_sample_tree "$WORK/rev" reverse

# pack_in ENV... -- ARGS: run pack with the given environment and umask.
pack_with() {
	local mask=$1 tz=$2 lc=$3 threads=$4 tree=$5 out=$6
	shift 6
	(umask "$mask" && TZ=$tz LC_ALL=$lc "$GAPIMG" pack -q --keep-owners \
		--epoch 1700000000 --threads "$threads" "$@" "$WORK/$tree" -o "$WORK/$out")
}

# The image of the sample tree with zstd:15, 128K blocks, epoch 1700000000
# and --keep-owners. It pins the layout: if a change to the writer alters
# it on purpose, update it here and say why in the commit.
GOLDEN=f05443014351c4a8255b85634a8754308be09144a1c3c2284a10fd446d69573f

case_zstd_everywhere_the_same() {
	pack_with 022 UTC C 1 fwd z1.sqfs
	pack_with 077 Asia/Kolkata C.UTF-8 2 rev z2.sqfs
	pack_with 027 America/New_York POSIX 4 fwd z4.sqfs
	pack_with 000 Pacific/Chatham C.UTF-8 3 rev z3.sqfs
	expect_eq "$(sha "$WORK/z1.sqfs")" "$(sha "$WORK/z2.sqfs")" "1 vs 2 threads, reversed tree"
	expect_eq "$(sha "$WORK/z1.sqfs")" "$(sha "$WORK/z4.sqfs")" "1 vs 4 threads"
	expect_eq "$(sha "$WORK/z1.sqfs")" "$(sha "$WORK/z3.sqfs")" "1 vs 3 threads, umask 000"
	if [ -n "$GOLDEN" ]; then
		expect_eq "$GOLDEN" "$(sha "$WORK/z1.sqfs")" "pinned image hash"
	fi
	# The output file's own mode does not follow the umask either.
	expect_eq "644" "$(stat -c %a "$WORK/z3.sqfs")"
}

case_xz_and_gzip_the_same() {
	local c
	for c in xz:9 gzip:6; do
		pack_with 022 UTC C 1 fwd "a.$c.sqfs" --comp "$c" --block-size 64K
		pack_with 077 Asia/Tokyo C.UTF-8 4 rev "b.$c.sqfs" --comp "$c" --block-size 64K
		expect_eq "$(sha "$WORK/a.$c.sqfs")" "$(sha "$WORK/b.$c.sqfs")" "$c"
	done
	[ "$(sha "$WORK/a.xz:9.sqfs")" != "$(sha "$WORK/a.gzip:6.sqfs")" ]
	expect_eq "xz" "$("$GAPIMG" ls --json "$WORK/a.xz:9.sqfs" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["image"]["compression"])')"
}

case_source_date_epoch() {
	SOURCE_DATE_EPOCH=1700000000 "$GAPIMG" pack -q --keep-owners --threads 2 \
		"$WORK/fwd" -o "$WORK/sde.sqfs"
	pack_with 022 UTC C 2 fwd ref.sqfs
	expect_eq "$(sha "$WORK/ref.sqfs")" "$(sha "$WORK/sde.sqfs")"
	# --epoch wins over SOURCE_DATE_EPOCH.
	SOURCE_DATE_EPOCH=5 "$GAPIMG" pack -q --keep-owners --epoch 1700000000 \
		"$WORK/fwd" -o "$WORK/both.sqfs"
	expect_eq "$(sha "$WORK/ref.sqfs")" "$(sha "$WORK/both.sqfs")"
}

case_rebuild_after_touch() {
	# Newer mtimes and a changed access order on disk do not matter.
	cp -a "$WORK/fwd" "$WORK/touched"
	find "$WORK/touched" -exec touch -h -d @1800000000 {} +
	cat "$WORK/touched/usr/share/doc/same2" >/dev/null
	pack_with 022 UTC C 2 touched t.sqfs
	pack_with 022 UTC C 2 fwd f.sqfs
	expect_eq "$(sha "$WORK/f.sqfs")" "$(sha "$WORK/t.sqfs")"
}

test_case "zstd: 1-4 threads, umask, TZ, locale, creation order" case_zstd_everywhere_the_same
test_case "xz and gzip are reproducible too" case_xz_and_gzip_the_same
test_case "SOURCE_DATE_EPOCH is the default epoch" case_source_date_epoch
test_case "host mtimes do not leak into the image" case_rebuild_after_touch
finish
