#!/usr/bin/env bash
# Bad input gets a clear error, the exit status docs/cli.md promises, no
# partial output, and an existing image at the target stays as it was.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/in/sub" "$WORK/out"
printf 'one\n' >"$WORK/in/a"
printf 'two\n' >"$WORK/in/sub/b"
"$GAPIMG" pack -q "$WORK/in" -o "$WORK/out/img.sqfs" || { echo "setup pack failed"; exit 1; }
OLD=$(sha "$WORK/out/img.sqfs")

# Only the image itself may be in the output folder afterwards.
no_leftovers() {
	expect_eq "${2:-img.sqfs}" "$(ls -A "$1")" "contents of $1"
}

case_unreadable_file() {
	local st
	cp -a "$WORK/in" "$WORK/locked"
	printf 'secret\n' >"$WORK/locked/secret"
	chmod 000 "$WORK/locked/secret"
	chmod 0777 "$WORK/out" "$WORK"
	chmod -R a+rX "$WORK/locked"
	chmod 000 "$WORK/locked/secret"
	chmod 0666 "$WORK/out/img.sqfs"
	if is_root; then
		# Root reads anything: drop to an unprivileged user.
		command -v setpriv >/dev/null || skip_case "setpriv (util-linux) is not installed"
		st=$(run_status setpriv --reuid=65534 --regid=65534 --clear-groups \
			"$GAPIMG" pack -q "$WORK/locked" -o "$WORK/out/img.sqfs")
	else
		st=$(run_status "$GAPIMG" pack -q "$WORK/locked" -o "$WORK/out/img.sqfs")
	fi
	expect_eq 1 "$st" "exit status"
	expect_eq "gapimg pack: error: cannot open $WORK/locked/secret: Permission denied" \
		"$(cat "$WORK/.stderr")"
	expect_eq "$OLD" "$(sha "$WORK/out/img.sqfs")" "previous image"
	no_leftovers "$WORK/out"
}

case_path_too_long() {
	local st i name
	name=$(printf 'd%.0s' $(seq 250))
	mkdir "$WORK/deep"
	(cd "$WORK/deep" && for i in $(seq 17); do mkdir "$name" && cd "$name"; done && : >f)
	st=$(run_status "$GAPIMG" pack -q "$WORK/deep" -o "$WORK/out/img.sqfs")
	expect_eq 2 "$st" "exit status"
	# The message names the path (cut at 512 bytes) and where it came from.
	grep -q '^gapimg pack: error: invalid path "/ddd' "$WORK/.stderr"
	grep -q "\.\.\.\" from $WORK/deep/$name/.*: the path is longer than 4095 bytes\$" "$WORK/.stderr"
	expect_eq "$OLD" "$(sha "$WORK/out/img.sqfs")" "previous image"
	no_leftovers "$WORK/out"
}

case_output_folder_missing() {
	local st
	st=$(run_status "$GAPIMG" pack -q "$WORK/in" -o "$WORK/nowhere/img.sqfs")
	expect_eq 1 "$st" "exit status"
	expect_eq "gapimg pack: error: cannot write $WORK/nowhere/img.sqfs: output folder $WORK/nowhere does not exist; create it first: No such file or directory" \
		"$(cat "$WORK/.stderr")"
	[ ! -e "$WORK/nowhere" ]
}

case_output_is_a_folder() {
	local st
	st=$(run_status "$GAPIMG" pack -q "$WORK/in" -o "$WORK/out")
	expect_eq 2 "$st" "exit status"
	expect_eq "gapimg pack: error: cannot write $WORK/out: it is a folder; give the image file's name" \
		"$(cat "$WORK/.stderr")"
}

case_input_not_a_directory() {
	local st
	st=$(run_status "$GAPIMG" pack -q "$WORK/in/a" -o "$WORK/out/img.sqfs")
	expect_eq 2 "$st" "exit status"
	expect_eq "gapimg pack: error: $WORK/in/a is not a directory; pack takes a directory tree as input" \
		"$(cat "$WORK/.stderr")"
	st=$(run_status "$GAPIMG" pack -q "$WORK/none" -o "$WORK/out/img.sqfs")
	expect_eq 1 "$st" "exit status"
	expect_eq "gapimg pack: error: cannot read input directory $WORK/none: No such file or directory" \
		"$(cat "$WORK/.stderr")"
	no_leftovers "$WORK/out"
}

case_disk_full() {
	local st mnt=$WORK/small
	is_root || skip_case "needs root to mount a small tmpfs"
	mkdir "$mnt"
	mount -t tmpfs -o size=256k tmpfs "$mnt" 2>/dev/null ||
		skip_case "cannot mount a tmpfs here (no mount permission in this container)"
	# Cases run in a subshell: unmount when it ends, pass or fail.
	trap "umount '$mnt'" EXIT
	"$GAPIMG" pack -q "$WORK/in" -o "$mnt/img.sqfs"
	local before
	before=$(sha "$mnt/img.sqfs")
	mkdir "$WORK/large"
	head -c 2000000 /dev/urandom >"$WORK/large/noise"
	st=$(run_status "$GAPIMG" pack -q "$WORK/large" -o "$mnt/img.sqfs")
	expect_eq 1 "$st" "exit status"
	expect_eq "gapimg pack: error: cannot write $mnt/img.sqfs (compressing file data): No space left on device" \
		"$(cat "$WORK/.stderr")"
	expect_eq "$before" "$(sha "$mnt/img.sqfs")" "previous image"
	no_leftovers "$mnt"
}

case_interrupted() {
	local pid i st
	# A 64 GiB sparse file keeps pack busy long enough to interrupt it.
	mkdir "$WORK/slow"
	truncate -s 64G "$WORK/slow/holes"
	"$GAPIMG" pack -q --threads 1 "$WORK/slow" -o "$WORK/out/img.sqfs" &
	pid=$!
	for i in $(seq 200); do
		ls -A "$WORK/out" | grep -q '^\.img\.sqfs\.tmp-' && break
		sleep 0.1
	done
	ls -A "$WORK/out" | grep -q '^\.img\.sqfs\.tmp-' ||
		{ kill $pid; echo "no temporary file appeared"; return 1; }
	kill -INT $pid
	set +e
	wait $pid
	st=$?
	set -e
	expect_eq 130 "$st" "exit status (killed by SIGINT)"
	expect_eq "$OLD" "$(sha "$WORK/out/img.sqfs")" "previous image"
	no_leftovers "$WORK/out"
}

test_case "an unreadable file is named, nothing is written" case_unreadable_file
test_case "a path over 4095 bytes is refused with its origin" case_path_too_long
test_case "a missing output folder is named" case_output_folder_missing
test_case "an output path that is a folder is refused" case_output_is_a_folder
test_case "the input must be an existing directory" case_input_not_a_directory
test_case "a full filesystem leaves the previous image intact" case_disk_full
test_case "an interrupted pack removes its temporary file" case_interrupted
finish
