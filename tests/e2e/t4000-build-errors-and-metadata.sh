#!/usr/bin/env bash
# gapimg build on self-made, signed Debian and rpm-md mirrors
# (tests/fixtures/make-build-repos.sh): what lands in the image (owners by
# name, modes, capabilities, hard links, symlinks, conffiles, sysusers.d
# accounts, alternatives, the package database), and every refusal, each
# with its exact message and no output written.
. "$(dirname "$0")/lib.sh"
cd "$WORK"
# Signed mirrors reach libsolv's keyring code, whose leak (tests/lsan.supp)
# LeakSanitizer can only match with full stacks.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"
bash "$GAPIMG_SRC/tests/fixtures/make-build-repos.sh" "$WORK/fx" || skip_all "could not make the fixture mirrors (exit $?)"
F=$WORK/fx
mkdir out

deb_recipe() {   # NAME PACKAGES...
	local name=$1; shift
	{
		printf 'image t\nversion 1\narch amd64\nepoch 1700000000\n'
		echo "mirror m deb $F/deb suite=stable components=main key=$F/keys/deb.asc"
		echo "install $*"
	} >"$name.recipe"
}
rpm_recipe() {
	local name=$1; shift
	{
		printf 'image t\nversion 1\narch x86_64\nepoch 1700000000\n'
		echo "mirror m rpm-md $F/rpm key=$F/keys/rpm.asc"
		echo "install $*"
	} >"$name.recipe"
}
build() {   # NAME [options]: status, output in .stdout/.stderr
	local name=$1; shift
	run_status "$GAPIMG" build -q --no-cache --cache-dir "$WORK/cache" -o "out/$name.sqfs" "$@" "$name.recipe"
}
# The build failed with exactly this message and wrote nothing.
refused() {   # NAME STATUS MESSAGE
	expect_eq "$2" "$(build "$1")" "exit status"
	expect_eq "gapimg build: error: $3
gapimg build: nothing was written" "$(sed "s|$F|FX|g" "$WORK/.stderr")"
	expect_eq "" "$(ls out | grep "^$1\." || true)" "outputs"
}
listing() { "$GAPIMG" ls "out/$1.sqfs" | grep -E "$2"; }

t_deb_metadata() {
	deb_recipe own acct-base own-files own-unknown
	expect_eq 0 "$(build own)"
	expect_eq "-rwsr-xr-x 0/0 32 2023-11-14T22:13:20Z /usr/bin/own-tool
-rw-r--r-- 0/0 65536 2023-11-14T22:13:20Z /usr/lib/own/data-link.bin
-rw-r--r-- 0/0 65536 2023-11-14T22:13:20Z /usr/lib/own/data.bin => /usr/lib/own/data-link.bin
-rw------- 120/130 20 2023-11-14T22:13:20Z /usr/lib/own/secret
lrwxrwxrwx 0/0 - 2023-11-14T22:13:20Z /usr/share/own/readme.txt -> README
-rw-r--r-- 4242/0 25 2023-11-14T22:13:20Z /usr/share/unknown/file
drwxrwsr-x 0/130 - 2023-11-14T22:13:20Z /var/lib/own" \
		"$(listing own 'Z /(usr/bin/own-tool|usr/lib/own/[^ ]*|usr/share/own/readme.txt|usr/share/unknown/file|var/lib/own)( [-=]> .*)?$')"
	unsquashfs -q -n -d root out/own.sqfs >/dev/null
	# sysusers.d: ownd and owngrp allocated from 999 down, as systemd-sysusers does
	expect_eq "svc:*:120:130:Service account:/nonexistent:/usr/sbin/nologin
nobody:*:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
ownd:x:998:998:Own daemon:/var/lib/ownd:/usr/sbin/nologin" "$(tail -n 3 root/etc/passwd)"
	expect_eq "owngrp:x:999:
ownd:x:998:" "$(tail -n 2 root/etc/group)"
	# alternatives, as update-alternatives --install makes them
	expect_eq "/etc/alternatives/own /usr/bin/own-tool" "$(readlink root/usr/bin/own) $(readlink root/etc/alternatives/own)"
	printf 'auto\n/usr/bin/own\n\n/usr/bin/own-tool\n50\n\n' >alt.expected
	cmp alt.expected root/var/lib/dpkg/alternatives/own
	# dpkg's database: conffiles with their MD5, md5sums that check out
	expect_eq " /etc/own/own.conf $(md5sum <root/etc/own/own.conf | cut -d' ' -f1)" \
		"$(sed -n '/^Package: own-files$/,/^$/p' root/var/lib/dpkg/status | sed -n '/^Conffiles:/{n;p}')"
	(cd root && md5sum --quiet -c var/lib/dpkg/info/own-files.md5sums)
	expect_eq "ii acct-base
ii own-files
ii own-unknown" "$(dpkg --root=root -l | awk '/^ii/{print $1, $2}')"
	# the ld.so cache is ldconfig's for this root
	ldconfig -r root -C /ref.cache -X
	cmp root/etc/ld.so.cache root/ref.cache
}

t_deb_compressions() {
	deb_recipe comp data-zst data-gz data-uncompressed
	expect_eq 0 "$(build comp)"
	expect_eq "-rw-r--r-- 0/0 18 2023-11-14T22:13:20Z /usr/share/data-uncompressed/file
-rw-r--r-- 0/0 8 2023-11-14T22:13:20Z /usr/share/data-gz/file
-rw-r--r-- 0/0 9 2023-11-14T22:13:20Z /usr/share/data-zst/file" \
		"$(listing comp 'data-[a-z]*/file$' | sort -k6)"
}

t_deb_refusals() {
	deb_recipe clash clash-a clash-b
	refused clash 2 "file conflict: package clash-b 1.0-1 installs regular file /usr/share/clash/file, which is already in package clash-a 1.0-1 (as regular file); the later package must declare Replaces: on the earlier one, or exclude one of them"
	deb_recipe abs evil-abs
	refused abs 1 "package evil-abs 1.0-1: refusing the absolute path /etc/evil in data.tar.xz: payload paths are relative to the image root"
	deb_recipe dotdot evil-dotdot
	refused dotdot 1 "package evil-dotdot 1.0-1: invalid path \"/usr/../../escape\" from its payload: '..' components are not allowed; give the path without them"
	deb_recipe link evil-through-link
	refused link 1 "package evil-through-link 1.0-1: refusing /usr/lib/evil/passwd: /usr/lib/evil is a symlink (from evil-through-link 1.0-1), and a package may not write through it"
	deb_recipe dup evil-dup
	refused dup 1 "package evil-dup 1.0-1: /usr/share/dup/file appears twice in its payload"
	deb_recipe dev evil-dev
	refused dev 1 "package evil-dev 1.0-1: refusing the device node /dev/evil: Debian packages may not contain device files (Policy 10.6)"
	deb_recipe huge evil-huge
	refused huge 1 "package evil-huge 1.0-1: /usr/share/huge/file: the payload is damaged: Truncated tar archive"
	deb_recipe tampered tampered
	refused tampered 1 "package tampered 1.0-1: FX/deb/pool/main/tampered_1.0-1_all.deb has SHA-256 $(sha "$F/deb/pool/main/tampered_1.0-1_all.deb"), the lock says $(grep -A20 '^Package: tampered' "$F/deb/dists/stable/main/binary-amd64/Packages" | sed -n 's/^SHA256: //p' | head -n1): the file in mirror 'm' is not the one that was locked; if the change is expected, run 'gapimg lock' again"
}

# The recipe removes the name that carries a hard-linked file's data.
t_deb_removed_link_target() {
	deb_recipe hl acct-base own-files
	echo "remove /usr/lib/own/data.bin" >>hl.recipe
	refused hl 2 "package own-files 1.0-1: /usr/lib/own/data-link.bin is a hard link to /usr/lib/own/data.bin, which the recipe removes (or replaces); remove both names or neither"
}

t_deb_replaces() {
	deb_recipe repl clash-a clash-c
	expect_eq 0 "$(build repl)"
	unsquashfs -q -n -d r out/repl.sqfs >/dev/null
	grep -q clash-c r/usr/share/clash/file
}

t_rpm_metadata() {
	rpm_recipe rown setup-lite own-files same-a same-b
	expect_eq 0 "$(build rown)"
	expect_eq "-rwxr-xr-x 0/0 32 2023-11-14T22:13:20Z /usr/bin/own-ping
  xattr security.capability=0x0100000200200000000000000000000000000000
-rw-r--r-- 0/0 65536 2023-11-14T22:13:20Z /usr/lib/own/data-link.bin
-rw-r--r-- 0/0 65536 2023-11-14T22:13:20Z /usr/lib/own/data.bin => /usr/lib/own/data-link.bin
-rw-r----- 120/130 20 2023-11-14T22:13:20Z /usr/lib/own/secret
-rw-r--r-- 0/0 39 2023-11-14T22:13:20Z /usr/share/same/file
drwxrwsr-x 0/130 - 2023-11-14T22:13:20Z /var/lib/own" \
		"$(listing rown '( /usr/bin/own-ping| /usr/lib/own/.*| /usr/share/same/file| /var/lib/own|xattr.*)$')"
	# %ghost files are not created
	expect_eq "" "$(listing rown 'own.log' || true)"
	unsquashfs -q -n -d rr out/rown.sqfs >/dev/null
	expect_eq "own-files-1.0-1.x86_64
same-a-1.0-1.noarch
same-b-1.0-1.noarch
setup-lite-1.0-1.noarch" "$(rpm --root="$WORK/rr" --dbpath=/var/lib/rpm -qa | sort)"
	expect_eq "-rw-r--r-- 0/0 233472 2023-11-14T22:13:20Z /var/lib/rpm/rpmdb.sqlite" \
		"$(listing rown '/var/lib/rpm/')" "rpmdb, and no -shm, -wal or lock file"
	# the same build again: the same bytes, rpmdb included
	"$GAPIMG" build -q --no-cache --no-package-cache -o out/rown2.sqfs rown.recipe
	cmp out/rown.sqfs out/rown2.sqfs
}

t_rpm_refusals() {
	rpm_recipe rclash setup-lite clash-a clash-b
	refused rclash 2 "file conflict: /usr/share/clash/file is in both clash-a 1.0-1 and clash-b 1.0-1 with different contents (2502df1d5ef23b6d8407cb76e92e96797111477ce87cb6fab614a0218b1bea17 / 9e49217561c815563b53cd6f4297946ac215cc01e60eb32f04f70d9a53aa3cef); RPM lets packages share a file only when it is identical: exclude one of them"
	rpm_recipe unknown setup-lite unknown-owner
	refused unknown 2 "package unknown-owner 1.0-1: /usr/share/unknown/file is owned by user 'nobodyhere', which the image does not have (neither its packages' /etc/passwd nor the recipe's users name it); add 'user nobodyhere uid=N' to the recipe"
	rpm_recipe unsigned unsigned
	refused unsigned 1 "package unsigned 1.0-1 (unsigned-1.0-1.noarch.rpm) is not signed, and mirror 'm' requires signatures; sign it, or set signatures=off on the mirror if unsigned packages are really expected"
	rpm_recipe rtampered tampered
	build rtampered >/dev/null
	grep -q "^gapimg build: error: package tampered 1.0-1: its payload does not match the digest in its signed header (.*): the package was altered after it was signed$" "$WORK/.stderr"
	rpm_recipe otherkey otherkey
	build otherkey >/dev/null
	grep -q "^gapimg build: error: package otherkey 1.0-1 (otherkey-1.0-1.noarch.rpm): signed by a key that is not among the keys of mirror 'm' (.*NOKEY); add the right key with key=, or if the mirror is really unsigned, set signatures=off$" "$WORK/.stderr"
	expect_eq "" "$(ls out | grep -E '^(rtampered|otherkey)\.' || true)"
}

# An unprivileged user gets the same image (rpmdb included), sealed
# through a user namespace.
t_unprivileged() {
	is_root || skip_case "needs root to switch to an unprivileged user"
	command -v setpriv >/dev/null || skip_case "setpriv (util-linux) is not installed"
	rpm_recipe rown setup-lite own-files same-a same-b
	expect_eq 0 "$(build rown)"
	mkdir -p nobody/out
	cp rown.recipe nobody/
	chmod a+rx "$WORK" && chmod -R a+rX "$F" && chmod -R a+rwX nobody
	(cd nobody && setpriv --reuid=65534 --regid=65534 --clear-groups \
		env HOME="$WORK/nobody" XDG_CACHE_HOME="$WORK/nobody/cache" \
		"$GAPIMG" build -q -o out/rown.sqfs rown.recipe)
	cmp out/rown.sqfs nobody/out/rown.sqfs
	expect_eq "True" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["sealed"]["network_namespace"])' nobody/out/rown.manifest.json)"
}

# A plain folder of RPMs: nothing signs the folder, so with signatures on
# every package's own signature is checked.
t_rpm_dir() {
	printf 'image t\nversion 1\narch x86_64\nepoch 1700000000\nmirror d rpm-dir %s key=%s\ninstall setup-lite own-files\n' \
		"$F/rpm" "$F/keys/rpm.asc" >dir.recipe
	expect_eq 0 "$(build dir)" "$(cat "$WORK/.stderr")"
	printf 'image t\nversion 1\narch x86_64\nepoch 1700000000\nmirror d rpm-dir %s key=%s\ninstall unsigned\n' \
		"$F/rpm" "$F/keys/rpm.asc" >dirun.recipe
	refused dirun 1 "package unsigned 1.0-1 (unsigned-1.0-1.noarch.rpm) is not signed, and mirror 'd' requires signatures; sign it, or set signatures=off on the mirror if unsigned packages are really expected"
}

t_missing() {
	rpm_recipe missing missing
	expect_eq 3 "$(build missing)"
	expect_eq "gapimg build: error: the packages cannot be resolved: 1 problem
problem 1: mirror m does not have missing-1.0-1.noarch.rpm, which its metadata lists for missing-1.0-1.noarch
  possible solutions:
    1. re-sync the mirror (it is incomplete or damaged)" "$(cat "$WORK/.stderr")"
}

# The lock: written when missing (and said), used when current, refused
# when stale; --locked never resolves.
t_lock_use() {
	deb_recipe lk acct-base
	expect_eq 4 "$(build lk --locked)"
	expect_eq "gapimg build: lk.lock does not exist, and --locked forbids resolving; run 'gapimg lock lk.recipe' and review it" "$(cat "$WORK/.stderr")"
	expect_eq 0 "$(run_status "$GAPIMG" build --no-cache -o out/lk.sqfs lk.recipe)"
	grep -qx "gapimg build: lk.lock does not exist: resolving the recipe and writing it" "$WORK/.stderr"
	grep -qx "gapimg build: wrote lk.lock: 1 packages" "$WORK/.stderr"
	expect_eq 0 "$(build lk --locked)"
	echo 'file /etc/x text="x"' >>lk.recipe
	expect_eq 4 "$(build lk)"
	grep -q "^gapimg build: lk.lock is stale: it was made from recipe digest" "$WORK/.stderr"
}

# A failed build leaves an older image and manifest untouched.
t_failure_keeps_old() {
	deb_recipe keep acct-base
	expect_eq 0 "$(build keep)"
	local before
	before=$(sha out/keep.sqfs)$(sha out/keep.manifest.json)
	deb_recipe keep acct-base evil-dup
	rm keep.lock
	expect_eq 1 "$(build keep)"
	expect_eq "$before" "$(sha out/keep.sqfs)$(sha out/keep.manifest.json)"
	expect_eq "keep.manifest.json keep.sqfs" "$(ls out | grep '^keep' | tr '\n' ' ' | sed 's/ $//')"
}

command -v unsquashfs >/dev/null || skip_all "unsquashfs (squashfs-tools) is not installed"
test_case "deb: owners by name and number, modes, links, sysusers, alternatives, dpkg db, ld.so cache" t_deb_metadata
test_case "deb: data.tar compressed with zstd, gzip or not at all" t_deb_compressions
test_case "deb: conflicts, hostile payloads and a tampered file are refused with nothing written" t_deb_refusals
test_case "deb: a package that declares Replaces overwrites the earlier file" t_deb_replaces
test_case "deb: removing the data-carrying name of a hard link is refused" t_deb_removed_link_target
test_case "rpm: owners, caps, hard links, shared identical files, rpmdb, reproducible" t_rpm_metadata
test_case "rpm: conflicts, unknown owner, unsigned, tampered, unknown key refused" t_rpm_refusals
test_case "an unprivileged user builds the same RPM image, sealed by a user namespace" t_unprivileged
test_case "rpm-dir with signatures: signed packages build, an unsigned one is refused" t_rpm_dir
test_case "a package missing from its mirror is a resolution problem" t_missing
test_case "the lock: written when missing, --locked, stale refused" t_lock_use
test_case "a failed build leaves the previous image untouched" t_failure_keeps_old
finish
