#!/usr/bin/env bash
# The command line: version, help, unknown commands and options, and the
# exit statuses of docs/cli.md.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/in"
printf 'x\n' >"$WORK/in/x"

case_version() {
	expect_eq "gapimg 0.1.0 (built with libsquashfs 1.2.0)" "$("$GAPIMG" --version)"
}

case_help() {
	local st
	"$GAPIMG" --help | grep -q '^usage: gapimg \[--version\] \[--help\] <command> \[<args>\]$'
	"$GAPIMG" --help | grep -q '^  pack     Pack a directory into a deterministic SquashFS image$'
	"$GAPIMG" --help | grep -q '^  ls       List every entry of a SquashFS image$'
	for c in pack ls; do
		"$GAPIMG" $c --help | head -n 1 | grep -q "^usage: gapimg $c "
		expect_eq "$("$GAPIMG" $c --help)" "$("$GAPIMG" help $c)" "help $c"
	done
	st=$(run_status "$GAPIMG")
	expect_eq 2 "$st"
	grep -q '^usage: gapimg' "$WORK/.stderr"
}

case_unknown_command() {
	expect_eq 2 "$(run_status "$GAPIMG" frob)"
	expect_eq "gapimg: 'frob' is not a gapimg command. See 'gapimg --help'." \
		"$(cat "$WORK/.stderr")"
}

# usage_case EXPECTED-MESSAGE ARGS...: exit 2 with the message and a hint.
usage_case() {
	local msg=$1 cmd=$2
	shift
	expect_eq 2 "$(run_status "$GAPIMG" "$@")" "exit status of $*"
	expect_eq "gapimg $cmd: error: $msg
Run 'gapimg $cmd --help' for usage." "$(cat "$WORK/.stderr")" "$*"
	[ ! -s "$WORK/.stdout" ]
}

case_pack_usage_errors() {
	usage_case "give the image to write with -o IMAGE" pack "$WORK/in"
	usage_case "give the directory to pack" pack -o "$WORK/x.sqfs"
	usage_case "give exactly one directory to pack" pack "$WORK/in" "$WORK/in" -o "$WORK/x.sqfs"
	usage_case "unknown option --frob" pack --frob "$WORK/in" -o "$WORK/x.sqfs"
	usage_case "option -o needs a value" pack "$WORK/in" -o
	usage_case "unknown option -z" pack -qz "$WORK/in" -o "$WORK/x.sqfs"
	usage_case "unknown compressor \"lz4\": use zstd, xz or gzip, optionally with a level (zstd:19)" \
		pack --comp lz4 "$WORK/in" -o "$WORK/x.sqfs"
	usage_case "invalid compression level \"23\" for zstd: give a whole number from 1 to 22" \
		pack --comp zstd:23 "$WORK/in" -o "$WORK/x.sqfs"
	usage_case "invalid block size \"3000\": give a power of two from 4K to 1M (4096, 128K, 1M)" \
		pack --block-size 3000 "$WORK/in" -o "$WORK/x.sqfs"
	usage_case "--threads 0: give a whole number from 1 to 64" \
		pack --threads 0 "$WORK/in" -o "$WORK/x.sqfs"
	usage_case "--epoch=yesterday is not a time: give whole seconds since 1970-01-01 UTC, from 0 to 4294967295" \
		pack --epoch yesterday "$WORK/in" -o "$WORK/x.sqfs"
	usage_case "the image $WORK/in/x.sqfs would be inside the directory it packs ($WORK/in); write it elsewhere" \
		pack "$WORK/in" -o "$WORK/in/x.sqfs"
	SOURCE_DATE_EPOCH=-5 usage_case "SOURCE_DATE_EPOCH=-5 is not a time: give whole seconds since 1970-01-01 UTC, from 0 to 4294967295" \
		pack "$WORK/in" -o "$WORK/x.sqfs"
	[ ! -e "$WORK/x.sqfs" ]
}

case_pack_summary() {
	"$GAPIMG" pack --epoch 1700000000 --comp gzip:9 --block-size 4K "$WORK/in" -o "$WORK/s.sqfs" >"$WORK/sum"
	expect_eq "$WORK/s.sqfs: 2 inodes, 4096 bytes, gzip:9, block size 4096, epoch 1700000000
sha256 $(sha "$WORK/s.sqfs")" "$(cat "$WORK/sum")"
	"$GAPIMG" pack --json --epoch 1700000000 --comp gzip:9 --block-size 4K "$WORK/in" -o "$WORK/s.sqfs" >"$WORK/sum"
	expect_eq "{
  \"block_size\": 4096,
  \"bytes\": 4096,
  \"compression\": \"gzip\",
  \"epoch\": 1700000000,
  \"files\": 1,
  \"image\": \"$WORK/s.sqfs\",
  \"inodes\": 2,
  \"level\": 9,
  \"sha256\": \"$(sha "$WORK/s.sqfs")\"
}" "$(cat "$WORK/sum")"
	# Level 0 is a level (xz's fastest), not "the default".
	"$GAPIMG" pack --epoch 0 --comp xz:0 "$WORK/in" -o "$WORK/s.sqfs" >"$WORK/sum"
	head -n 1 "$WORK/sum" | grep -q ', xz:0, block size 131072, epoch 0$'
	# Not a terminal: no progress line, nothing on stderr.
	"$GAPIMG" pack "$WORK/in" -o "$WORK/s.sqfs" >/dev/null 2>"$WORK/e"
	[ ! -s "$WORK/e" ]
	"$GAPIMG" pack -q "$WORK/in" -o "$WORK/s.sqfs" >"$WORK/o"
	[ ! -s "$WORK/o" ]
}

case_ls_usage_errors() {
	usage_case "give exactly one image to list" ls
	usage_case "unknown option --long" ls --long "$WORK/x.sqfs"
}

test_case "--version names the build's libsquashfs" case_version
test_case "--help and help COMMAND" case_help
test_case "an unknown command exits 2" case_unknown_command
test_case "pack: every usage error exits 2 with a message and a hint" case_pack_usage_errors
test_case "pack: summary as text and JSON; quiet when asked" case_pack_summary
test_case "ls: usage errors exit 2" case_ls_usage_errors
finish
