#!/usr/bin/env bash
# gapimg ls: the JSON listing, odd names, and refusing broken images.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/in/d"
printf 'hello\n' >"$WORK/in/d/f"
ln "$WORK/in/d/f" "$WORK/in/g"
ln -s d/f "$WORK/in/l"
printf 'n\n' >"$WORK/in/$(printf 'new\nline')"
setfattr -n user.k -v v "$WORK/in/d/f" 2>/dev/null || skip_all "this filesystem has no user xattrs"
chmod 0755 "$WORK/in" "$WORK/in/d"
chmod 0644 "$WORK/in/d/f" "$WORK/in/new"*
"$GAPIMG" pack -q --epoch 1700000000 "$WORK/in" -o "$WORK/img.sqfs" || { echo "pack failed"; exit 1; }

case_text() {
	expect_eq 'drwxr-xr-x 0/0 - 2023-11-14T22:13:20Z /
drwxr-xr-x 0/0 - 2023-11-14T22:13:20Z /d
-rw-r--r-- 0/0 6 2023-11-14T22:13:20Z /d/f
  xattr user.k="v"
-rw-r--r-- 0/0 6 2023-11-14T22:13:20Z /g => /d/f
lrwxrwxrwx 0/0 - 2023-11-14T22:13:20Z /l -> d/f
-rw-r--r-- 0/0 2 2023-11-14T22:13:20Z /new\nline' "$("$GAPIMG" ls "$WORK/img.sqfs")"
}

case_json() {
	expect_eq '{
  "entries": [
    {
      "gid": 0,
      "inode": 5,
      "mode": "0755",
      "mtime": 1700000000,
      "nlink": 1,
      "path": "/",
      "type": "dir",
      "uid": 0
    },
    {
      "gid": 0,
      "inode": 2,
      "mode": "0755",
      "mtime": 1700000000,
      "nlink": 1,
      "path": "/d",
      "type": "dir",
      "uid": 0
    },
    {
      "gid": 0,
      "inode": 1,
      "mode": "0644",
      "mtime": 1700000000,
      "nlink": 2,
      "path": "/d/f",
      "size": 6,
      "type": "file",
      "uid": 0,
      "xattrs": [
        {
          "hex": "76",
          "name": "user.k"
        }
      ]
    },
    {
      "gid": 0,
      "hardlink_to": "/d/f",
      "inode": 1,
      "mode": "0644",
      "mtime": 1700000000,
      "nlink": 2,
      "path": "/g",
      "size": 6,
      "type": "file",
      "uid": 0,
      "xattrs": [
        {
          "hex": "76",
          "name": "user.k"
        }
      ]
    },
    {
      "gid": 0,
      "inode": 3,
      "mode": "0777",
      "mtime": 1700000000,
      "nlink": 1,
      "path": "/l",
      "target": "d/f",
      "type": "symlink",
      "uid": 0
    },
    {
      "gid": 0,
      "inode": 4,
      "mode": "0644",
      "mtime": 1700000000,
      "nlink": 1,
      "path": "/new\nline",
      "size": 2,
      "type": "file",
      "uid": 0
    }
  ],
  "image": {
    "block_size": 131072,
    "bytes_used": '"$("$GAPIMG" ls --json "$WORK/img.sqfs" | python3 -c 'import json,sys; print(json.load(sys.stdin)["image"]["bytes_used"])')"',
    "compression": "zstd",
    "inodes": 5,
    "mkfs_time": 1700000000,
    "path": "'"$WORK/img.sqfs"'"
  }
}' "$("$GAPIMG" ls --json "$WORK/img.sqfs")"
}

case_not_an_image() {
	printf 'not an image at all, just text that is long enough\n%.0s' $(seq 100) >"$WORK/text"
	expect_eq 1 "$(run_status "$GAPIMG" ls "$WORK/text")"
	expect_eq "gapimg ls: error: cannot read image $WORK/text (super block): not a SquashFS image (bad magic number)" \
		"$(cat "$WORK/.stderr")"
	expect_eq 1 "$(run_status "$GAPIMG" ls "$WORK/absent.sqfs")"
	expect_eq "gapimg ls: error: cannot open image $WORK/absent.sqfs: No such file or directory" \
		"$(cat "$WORK/.stderr")"
}

case_truncated_image() {
	head -c 300 "$WORK/img.sqfs" >"$WORK/short.sqfs"
	expect_eq 1 "$(run_status "$GAPIMG" ls "$WORK/short.sqfs")"
	grep -q "^gapimg ls: error: image $WORK/short.sqfs is truncated: its super block says [0-9]* bytes, the file has 300\$" \
		"$WORK/.stderr"
}

case_every_flipped_byte_is_caught_or_harmless() {
	# Flip every third byte of the image: gapimg ls must either list or
	# report an error, never crash (ASan/UBSan run this under sanitizers).
	local used i st
	used=$("$GAPIMG" ls --json "$WORK/img.sqfs" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["image"]["bytes_used"])')
	for i in $(seq 0 3 $((used - 1))); do
		cp "$WORK/img.sqfs" "$WORK/flip.sqfs"
		printf '\xff' | dd of="$WORK/flip.sqfs" bs=1 seek="$i" conv=notrunc status=none
		st=$(run_status "$GAPIMG" ls "$WORK/flip.sqfs")
		case "$st" in
		0|1) ;;
		*) echo "byte $i: exit status $st"; cat "$WORK/.stderr"; return 1;;
		esac
	done
}

case_host_xattrs_left_out() {
	is_root || skip_case "needs root to set a trusted.* attribute"
	cp -a "$WORK/in" "$WORK/tr"
	setfattr -n trusted.host -v local "$WORK/tr/l" -h 2>/dev/null ||
		setfattr -n trusted.host -v local "$WORK/tr/d/f"
	local who
	who=$(getfattr -h -n trusted.host "$WORK/tr/l" >/dev/null 2>&1 && echo l || echo d/f)
	"$GAPIMG" pack --epoch 0 "$WORK/tr" -o "$WORK/tr.sqfs" >/dev/null 2>"$WORK/note"
	expect_eq "gapimg pack: note: left out 1 extended attribute that depend on the host (the first: trusted.host of $WORK/tr/$who); --all-xattrs keeps them" \
		"$(cat "$WORK/note")"
	! "$GAPIMG" ls "$WORK/tr.sqfs" | grep -q trusted
	"$GAPIMG" pack -q --all-xattrs --epoch 0 "$WORK/tr" -o "$WORK/tr.sqfs"
	"$GAPIMG" ls "$WORK/tr.sqfs" | grep -q '^  xattr trusted.host="local"$'
}

test_case "text listing: hard links, xattrs, symlinks, escaped names" case_text
test_case "JSON listing is complete and sorted" case_json
test_case "host-dependent xattrs are left out unless asked, with a note" case_host_xattrs_left_out
test_case "a file that is not an image is refused" case_not_an_image
test_case "a truncated image is refused" case_truncated_image
test_case "corrupted bytes never crash the reader" case_every_flipped_byte_is_caught_or_harmless
finish
