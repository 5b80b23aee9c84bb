#!/usr/bin/env bash
# gapimg pack on a tree with every entry type: the image lists, extracts and
# reads back exactly as the input, with the reference tools (unsquashfs,
# rdsquashfs) as well as gapimg ls.
. "$(dirname "$0")/lib.sh"

is_root || skip_all "needs root to create device nodes, owners and file capabilities"
for tool in unsquashfs rdsquashfs setcap getcap getfattr; do
	command -v $tool >/dev/null || skip_all "$tool is not installed (scripts/setup installs it)"
done

make_sample_tree "$WORK/in"
"$GAPIMG" pack -q --keep-owners --epoch 1700000000 "$WORK/in" -o "$WORK/img.sqfs" ||
	{ echo "pack failed"; exit 1; }

case_unsquashfs_listing() {
	local want got
	want='drwxr-xr-x 0/0                     104 2023-11-14 22:13 squashfs-root
lrwxrwxrwx 0/0                       7 2023-11-14 22:13 squashfs-root/bin -> usr/bin
drwxr-xr-x 0/0                      38 2023-11-14 22:13 squashfs-root/dev
crw-rw-rw- 0/0                   1,  3 2023-11-14 22:13 squashfs-root/dev/null
brw-rw---- 0/6                   8,  0 2023-11-14 22:13 squashfs-root/dev/sda
drwxr-xr-x 0/0                      45 2023-11-14 22:13 squashfs-root/etc
-rw-r--r-- 0/0                       7 2023-11-14 22:13 squashfs-root/etc/hostname
-rw-r----- 0/42                     26 2023-11-14 22:13 squashfs-root/etc/shadow
drwxr-xr-x 0/0                      27 2023-11-14 22:13 squashfs-root/home
drwx------ 1000/1000                32 2023-11-14 22:13 squashfs-root/home/user
-rw------- 1000/1000                 6 2023-11-14 22:13 squashfs-root/home/user/notes.txt
drwxr-xr-x 0/0                      42 2023-11-14 22:13 squashfs-root/run
prw------- 0/0                       0 2023-11-14 22:13 squashfs-root/run/initctl
srwxr-xr-x 0/0                       0 2023-11-14 22:13 squashfs-root/run/sock
drwxrwxrwt 0/0                       3 2023-11-14 22:13 squashfs-root/tmp
drwxr-xr-x 0/0                      39 2023-11-14 22:13 squashfs-root/usr
drwxr-xr-x 0/0                      40 2023-11-14 22:13 squashfs-root/usr/bin
-rwsr-xr-x 0/0                  300000 2023-11-14 22:13 squashfs-root/usr/bin/ping
-rwsr-xr-x 0/0                  300000 2023-11-14 22:13 squashfs-root/usr/bin/ping6
drwxr-xr-x 0/0                      26 2023-11-14 22:13 squashfs-root/usr/share
drwxr-xr-x 0/0                      41 2023-11-14 22:13 squashfs-root/usr/share/doc
-rw-r--r-- 0/0                    5000 2023-11-14 22:13 squashfs-root/usr/share/doc/same1
-rw-r--r-- 0/0                    5000 2023-11-14 22:13 squashfs-root/usr/share/doc/same2
drwxr-xr-x 0/0                      42 2023-11-14 22:13 squashfs-root/var
-rw-r--r-- 0/0                       0 2023-11-14 22:13 squashfs-root/var/empty
-rw-r--r-- 0/0                 2097156 2023-11-14 22:13 squashfs-root/var/sparse'
	got=$(TZ=UTC unsquashfs -lln "$WORK/img.sqfs")
	expect_eq "$want" "$got" "unsquashfs -lln"
}

case_rdsquashfs_listing() {
	local want got
	want='slink bin 0777 0 0 usr/bin
dir dev 0755 0 0
nod dev/null 0666 0 0 c 1 3
nod dev/sda 0660 0 6 b 8 0
dir etc 0755 0 0
file etc/hostname 0644 0 0
file etc/shadow 0640 0 42
dir home 0755 0 0
dir home/user 0700 1000 1000
file home/user/notes.txt 0600 1000 1000
dir run 0755 0 0
pipe run/initctl 0600 0 0
sock run/sock 0755 0 0
dir tmp 01777 0 0
dir usr 0755 0 0
dir usr/bin 0755 0 0
file usr/bin/ping 04755 0 0
file usr/bin/ping6 04755 0 0
dir usr/share 0755 0 0
dir usr/share/doc 0755 0 0
file usr/share/doc/same1 0644 0 0
file usr/share/doc/same2 0644 0 0
dir var 0755 0 0
file var/empty 0644 0 0
file var/sparse 0644 0 0'
	got=$(rdsquashfs -d "$WORK/img.sqfs")
	expect_eq "$want" "$got" "rdsquashfs -d"
}

case_gapimg_ls() {
	local want got
	want='drwxr-xr-x 0/0 - 2023-11-14T22:13:20Z /
lrwxrwxrwx 0/0 - 2023-11-14T22:13:20Z /bin -> usr/bin
drwxr-xr-x 0/0 - 2023-11-14T22:13:20Z /dev
crw-rw-rw- 0/0 1,3 2023-11-14T22:13:20Z /dev/null
brw-rw---- 0/6 8,0 2023-11-14T22:13:20Z /dev/sda
drwxr-xr-x 0/0 - 2023-11-14T22:13:20Z /etc
-rw-r--r-- 0/0 7 2023-11-14T22:13:20Z /etc/hostname
  xattr user.origin="demo tree"
-rw-r----- 0/42 26 2023-11-14T22:13:20Z /etc/shadow
drwxr-xr-x 0/0 - 2023-11-14T22:13:20Z /home
drwx------ 1000/1000 - 2023-11-14T22:13:20Z /home/user
-rw------- 1000/1000 6 2023-11-14T22:13:20Z /home/user/notes.txt
drwxr-xr-x 0/0 - 2023-11-14T22:13:20Z /run
prw------- 0/0 - 2023-11-14T22:13:20Z /run/initctl
srwxr-xr-x 0/0 - 2023-11-14T22:13:20Z /run/sock
drwxrwxrwt 0/0 - 2023-11-14T22:13:20Z /tmp
drwxr-xr-x 0/0 - 2023-11-14T22:13:20Z /usr
drwxr-xr-x 0/0 - 2023-11-14T22:13:20Z /usr/bin
-rwsr-xr-x 0/0 300000 2023-11-14T22:13:20Z /usr/bin/ping
  xattr security.capability=0x0100000200200000000000000000000000000000
-rwsr-xr-x 0/0 300000 2023-11-14T22:13:20Z /usr/bin/ping6 => /usr/bin/ping
drwxr-xr-x 0/0 - 2023-11-14T22:13:20Z /usr/share
drwxr-xr-x 0/0 - 2023-11-14T22:13:20Z /usr/share/doc
-rw-r--r-- 0/0 5000 2023-11-14T22:13:20Z /usr/share/doc/same1
-rw-r--r-- 0/0 5000 2023-11-14T22:13:20Z /usr/share/doc/same2
drwxr-xr-x 0/0 - 2023-11-14T22:13:20Z /var
-rw-r--r-- 0/0 0 2023-11-14T22:13:20Z /var/empty
-rw-r--r-- 0/0 2097156 2023-11-14T22:13:20Z /var/sparse'
	got=$("$GAPIMG" ls "$WORK/img.sqfs")
	expect_eq "$want" "$got" "gapimg ls"
}

# Extracted trees equal the input: types, modes, owners, link counts,
# sizes, device numbers, symlink targets, bytes, xattrs, capabilities.
compare_extracted() {
	local ex=$1 f
	expect_eq "$(list_tree "$WORK/in")" "$(list_tree "$ex")" "stat listing of $ex"
	(cd "$WORK/in" && find . -type f -print0) | while IFS= read -r -d '' f; do
		cmp "$WORK/in/$f" "$ex/$f"
	done
	expect_eq "$(cd "$WORK/in" && getfattr -h -R -d -m - . 2>/dev/null)" \
		"$(cd "$ex" && getfattr -h -R -d -m - . 2>/dev/null)" "xattrs"
	expect_eq "./usr/bin/ping cap_net_raw=ep
./usr/bin/ping6 cap_net_raw=ep" "$(cd "$ex" && getcap -r . | sort)" "capabilities"
}

case_unsquashfs_extract() {
	unsquashfs -q -n -d "$WORK/ex1" "$WORK/img.sqfs" >/dev/null
	compare_extracted "$WORK/ex1"
	# The hard link is one inode; the sparse file is still sparse.
	expect_eq "$(stat -c %i "$WORK/ex1/usr/bin/ping")" "$(stat -c %i "$WORK/ex1/usr/bin/ping6")"
	[ "$(stat -c %b "$WORK/ex1/var/sparse")" -lt 64 ]
}

case_rdsquashfs_extract() {
	mkdir "$WORK/ex2"
	rdsquashfs -q -u / -p "$WORK/ex2" -C -O -X "$WORK/img.sqfs"
	# rdsquashfs writes hard links as copies; compare everything else.
	expect_eq "$(list_tree "$WORK/in" | sed 's/ 2 usr\/bin\/ping/ 1 usr\/bin\/ping/')" \
		"$(list_tree "$WORK/ex2")" "stat listing of rdsquashfs output"
	cmp "$WORK/in/usr/bin/ping" "$WORK/ex2/usr/bin/ping"
	cmp "$WORK/in/var/sparse" "$WORK/ex2/var/sparse"
}

case_default_owners_are_root() {
	"$GAPIMG" pack -q "$WORK/in" -o "$WORK/root.sqfs"
	expect_eq "0/0" "$(TZ=UTC unsquashfs -lln "$WORK/root.sqfs" | awk '{print $2}' | sort -u)"
	# Without --epoch or SOURCE_DATE_EPOCH every time is 0.
	expect_eq " 1970-01-01 " "$(TZ=UTC unsquashfs -lln "$WORK/root.sqfs" | grep -o ' [0-9]\{4\}-[0-9][0-9]-[0-9][0-9] ' | sort -u)"
}

case_keep_mtimes_clamps() {
	# bin was touched to 1600000000; everything else is newer than the
	# epoch 1650000000 and clamps to it.
	"$GAPIMG" pack -q --keep-mtimes --epoch 1650000000 "$WORK/in" -o "$WORK/mt.sqfs"
	expect_eq "1600000000" "$("$GAPIMG" ls --json "$WORK/mt.sqfs" |
		python3 -c 'import json,sys; print([e["mtime"] for e in json.load(sys.stdin)["entries"] if e["path"]=="/bin"][0])')"
	expect_eq "2" "$("$GAPIMG" ls --json "$WORK/mt.sqfs" |
		python3 -c 'import json,sys; print(len({e["mtime"] for e in json.load(sys.stdin)["entries"]}))')"
}

case_reads_mksquashfs_images() {
	# The reader is not tied to our writer: an image of the same tree made
	# by mksquashfs lists the same, inode numbers aside.
	command -v mksquashfs >/dev/null || skip_case "mksquashfs is not installed"
	mksquashfs "$WORK/in" "$WORK/mk.sqfs" -quiet -no-progress -noappend \
		-all-time 1700000000 -mkfs-time 1700000000 -xattrs >/dev/null
	expect_eq "$("$GAPIMG" ls "$WORK/img.sqfs")" "$("$GAPIMG" ls "$WORK/mk.sqfs")" \
		"gapimg ls of the gapimg and mksquashfs images"
	# And sqfsdiff, which decompresses and compares every file, finds the
	# two images equal (types, modes, owners, times, contents).
	sqfsdiff -T -a "$WORK/img.sqfs" -b "$WORK/mk.sqfs"
}

test_case "unsquashfs -lln lists exactly the input" case_unsquashfs_listing
test_case "rdsquashfs -d describes exactly the input" case_rdsquashfs_listing
test_case "gapimg ls lists exactly the input" case_gapimg_ls
test_case "unsquashfs extracts the input byte for byte" case_unsquashfs_extract
test_case "rdsquashfs unpacks the input byte for byte" case_rdsquashfs_extract
test_case "without --keep-owners everything is 0:0 at time 0" case_default_owners_are_root
test_case "--keep-mtimes keeps older times and clamps newer ones" case_keep_mtimes_clamps
test_case "mksquashfs's image of the same tree: same listing, sqfsdiff-equal" case_reads_mksquashfs_images
finish
