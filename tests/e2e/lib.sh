# Helpers for the end-to-end tests. Each tNNNN-*.sh sources this file,
# declares its cases with test_case and ends with finish.
#
#   test_case "what must hold" function_name
#
# A case runs in a subshell with errexit on; any failing command fails it
# and its output is shown. A case may call skip_case "reason" to skip.
# finish prints "N passed, N failed" (ctest and CI read that line) and
# sets the exit status. skip_all "reason" skips the whole script (exit 77).
set -uo pipefail

: "${GAPIMG:?GAPIMG must name the gapimg binary (ctest sets it)}"
: "${GAPIMG_SRC:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
export LC_ALL=C TZ=UTC
unset SOURCE_DATE_EPOCH

TEST_NAME=$(basename "$0" .sh)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/gapimg-$TEST_NAME.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

passed=0
failed=0
skipped=0

test_case() {
	local name=$1 fn=$2 rc
	set +e
	( set -e; "$fn" ) >"$WORK/.case-out" 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then
		echo "ok - $name"
		passed=$((passed + 1))
	elif [ $rc -eq 77 ]; then
		echo "skip - $name: $(tail -n 1 "$WORK/.case-out")"
		skipped=$((skipped + 1))
	else
		echo "not ok - $name"
		sed 's/^/#   /' "$WORK/.case-out"
		failed=$((failed + 1))
	fi
}

skip_case() {
	echo "$*"
	exit 77
}

skip_all() {
	echo "SKIP: $*"
	exit 77
}

finish() {
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ]
}

# expect_eq EXPECTED ACTUAL [what]: show a diff when they differ.
expect_eq() {
	if [ "$1" != "$2" ]; then
		echo "mismatch${3:+ in $3}:"
		diff -u <(printf '%s\n' "$1") <(printf '%s\n' "$2") || true
		return 1
	fi
}

# run_status CMD...: run, keep stdout and stderr in $WORK/.stdout and $WORK/.stderr, and
# print the exit status (never fails itself).
run_status() {
	set +e
	"$@" >"$WORK/.stdout" 2>"$WORK/.stderr"
	echo $?
	set -e
}

sha() { sha256sum "$1" | cut -d' ' -f1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# make_fixture NAME OUTDIR: run tests/fixtures/NAME.sh OUTDIR; skip the
# whole test when it says a tool is missing (exit 77), fail with its log
# when it fails otherwise.
make_fixture() {
	local rc
	set +e
	bash "$GAPIMG_SRC/tests/fixtures/$1.sh" "$2" 2>"$WORK/$1.log"
	rc=$?
	set -e
	if [ $rc -eq 77 ]; then
		skip_all "$(tail -n 1 "$WORK/$1.log")"
	elif [ $rc -ne 0 ]; then
		echo "tests/fixtures/$1.sh failed ($rc):"
		cat "$WORK/$1.log"
		exit 1
	fi
}

# deb_index MIRROR: an unsigned index for the .debs in MIRROR/pool/main:
# suite "s", component main, amd64 (apt-ftparchive, as a real mirror).
deb_index() {
	mkdir -p "$1/dists/s/main/binary-amd64"
	(cd "$1" && apt-ftparchive packages pool/main >dists/s/main/binary-amd64/Packages &&
	 apt-ftparchive -o APT::FTPArchive::Release::Suite=s -o APT::FTPArchive::Release::Codename=s \
		-o APT::FTPArchive::Release::Architectures=amd64 -o APT::FTPArchive::Release::Components=main \
		release dists/s >dists/s/Release.new && mv dists/s/Release.new dists/s/Release)
}

# Deterministic bytes: N bytes from a seeded generator.
gen_bytes() {
	python3 -c '
import sys, random
r = random.Random(int(sys.argv[2]))
sys.stdout.buffer.write(bytes(r.choice(b"abcdefghij \n0123") for _ in range(int(sys.argv[1]))))
' "$1" "$2"
}

# make_sample_tree DIR [reverse]: a tree with every entry type, created in
# forward or reverse order; every mode and owner set explicitly so that the
# caller's umask does not matter. Needs root (devices, owners, caps).
make_sample_tree() {
	local d=$1 order=${2:-forward} step
	mkdir -p "$d"
	for step in 1 2; do
		if { [ $step = 1 ] && [ "$order" = forward ]; } ||
		   { [ $step = 2 ] && [ "$order" = reverse ]; }; then
			mkdir -p "$d/usr/bin" "$d/usr/share/doc" "$d/etc"
			gen_bytes 300000 1 >"$d/usr/bin/ping"
			chmod 4755 "$d/usr/bin/ping"
			setcap cap_net_raw+ep "$d/usr/bin/ping"
			ln "$d/usr/bin/ping" "$d/usr/bin/ping6"
			gen_bytes 5000 2 >"$d/usr/share/doc/same1"
			cp "$d/usr/share/doc/same1" "$d/usr/share/doc/same2"
			printf 'gapimg\n' >"$d/etc/hostname"
			setfattr -n user.origin -v "demo tree" "$d/etc/hostname"
			printf 'root:*:19000:0:99999:7:::\n' >"$d/etc/shadow"
			chown 0:42 "$d/etc/shadow"
			chmod 0640 "$d/etc/shadow"
			chmod 0644 "$d/etc/hostname" "$d/usr/share/doc/same1" \
				"$d/usr/share/doc/same2"
			chmod 0755 "$d/usr" "$d/usr/bin" "$d/usr/share" \
				"$d/usr/share/doc" "$d/etc"
		else
			mkdir -p "$d/dev" "$d/run" "$d/var" "$d/home/user" "$d/tmp"
			mknod "$d/dev/null" c 1 3
			mknod "$d/dev/sda" b 8 0
			chown 0:6 "$d/dev/sda"
			chmod 0666 "$d/dev/null"
			chmod 0660 "$d/dev/sda"
			mkfifo "$d/run/initctl"
			python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' \
				"$d/run/sock"
			chmod 0600 "$d/run/initctl"
			chmod 0755 "$d/run/sock"
			truncate -s 2M "$d/var/sparse"
			printf 'end\n' >>"$d/var/sparse"
			: >"$d/var/empty"
			chmod 0644 "$d/var/sparse" "$d/var/empty"
			ln -s usr/bin "$d/bin"
			printf 'notes\n' >"$d/home/user/notes.txt"
			chmod 0600 "$d/home/user/notes.txt"
			chown -R 1000:1000 "$d/home/user"
			chmod 0700 "$d/home/user"
			chmod 0755 "$d/dev" "$d/run" "$d/var" "$d/home"
			chmod 1777 "$d/tmp"
		fi
	done
	chmod 0755 "$d"
	touch -h -d @1600000000 "$d/bin"
}

# list_tree DIR: a stat listing to compare trees (dirs without size).
list_tree() {
	(cd "$1" && find . -printf '%y %m %U:%G %n %P' \
		-exec sh -c 'case "$(stat -c %F "$1")" in
			"regular file"|"regular empty file") printf " size=%s" "$(stat -c %s "$1")";;
			symbolic\ link) printf " -> %s" "$(readlink "$1")";;
			character\ special\ file|block\ special\ file) printf " dev=%s,%s" "$(stat -c %t "$1")" "$(stat -c %T "$1")";;
			esac; echo' _ {} \; | LC_ALL=C sort -k5)
}

# start_listener PORT FILE: a TCP listener on the host's 127.0.0.1:PORT
# that appends a line to FILE for every connection (FILE exists once it
# listens); its pid in LISTENER.  Shows whether a sandbox reached the host.
start_listener() {
	python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(5); s.settimeout(300)
open(sys.argv[2], "w").close()
while True:
    c, a = s.accept(); open(sys.argv[2], "a").write("connection\n"); c.close()
' "$1" "$2" &
	LISTENER=$!
	for _ in $(seq 50); do [ -e "$2" ] && break; sleep 0.1; done
}
