#!/usr/bin/env bash
# The Linux kernel mounts a gapimg image and sees exactly the input: the
# reader PXE-booted nodes will use. Needs root and a loop device.
. "$(dirname "$0")/lib.sh"

is_root || skip_all "needs root to create the sample tree and to mount"
make_sample_tree "$WORK/in"
"$GAPIMG" pack -q --keep-owners --epoch 1700000000 "$WORK/in" -o "$WORK/img.sqfs" ||
	{ echo "pack failed"; exit 1; }
mkdir "$WORK/mnt"
mount -t squashfs -o loop,ro "$WORK/img.sqfs" "$WORK/mnt" 2>"$WORK/mount.err" ||
	skip_all "cannot loop-mount here: $(head -n 1 "$WORK/mount.err")"
trap 'umount "$WORK/mnt"; rm -rf "$WORK"' EXIT

case_tree() {
	expect_eq "$(list_tree "$WORK/in")" "$(list_tree "$WORK/mnt")" "stat listing"
}

case_contents() {
	local f
	(cd "$WORK/in" && find . -type f -print0) | while IFS= read -r -d '' f; do
		cmp "$WORK/in/$f" "$WORK/mnt/$f"
	done
}

case_links_xattrs_caps() {
	expect_eq "$(stat -c %i "$WORK/mnt/usr/bin/ping")" "$(stat -c %i "$WORK/mnt/usr/bin/ping6")" \
		"inode of the hard link"
	expect_eq "$(cd "$WORK/in" && getfattr -h -R -d -m - . 2>/dev/null)" \
		"$(cd "$WORK/mnt" && getfattr -h -R -d -m - . 2>/dev/null)" "xattrs"
	expect_eq "/usr/bin/ping cap_net_raw=ep" "$(cd "$WORK/mnt" && getcap usr/bin/ping | sed 's|^|/|')"
	expect_eq "2023-11-14 22:13:20" "$(TZ=UTC stat -c %y "$WORK/mnt/etc/hostname" | cut -c1-19)"
}

case_lookup_in_a_large_directory() {
	# Lookups rely on sorted directories and the index the kernel walks;
	# 3000 names span many directory headers.
	local i
	mkdir "$WORK/big"
	for i in $(seq 3000); do : >"$WORK/big/name-$((i * 7919 % 10007))"; done
	"$GAPIMG" pack -q "$WORK/big" -o "$WORK/big.sqfs"
	mkdir "$WORK/mnt2"
	mount -t squashfs -o loop,ro "$WORK/big.sqfs" "$WORK/mnt2"
	trap 'umount "$WORK/mnt2"' EXIT
	for i in 1 500 1234 2999 3000; do
		[ -e "$WORK/mnt2/name-$((i * 7919 % 10007))" ]
	done
	[ ! -e "$WORK/mnt2/name-10008" ]
	expect_eq 3000 "$(ls "$WORK/mnt2" | wc -l)"
}

test_case "the kernel sees the same tree" case_tree
test_case "the kernel reads the same bytes" case_contents
test_case "hard links, xattrs, capabilities and times through the kernel" case_links_xattrs_caps
test_case "the kernel finds every name in a 3000-entry directory" case_lookup_in_a_large_directory
finish
