#!/usr/bin/env bash
# gapimg build with 'scripts run' on real Debian 12 packages: the deb-base
# set (the Essential set + mawk + python3-minimal + busybox-static, 75
# packages, from ../shared or apt-get download) plus small packages made
# here whose scripts leave build-time litter, fail, reach for the network
# or hang.  The images are extracted and checked: dpkg's view, the accounts
# base-passwd's preinst made, Python, every normalisation rule, and
# bit-identical bytes across umask/TZ/locale/threads/caches.
. "$(dirname "$0")/lib.sh"
cd "$WORK"
. "$GAPIMG_SRC/tests/e2e/debian-lib.sh"

is_root || skip_all "the sandbox for package scripts needs root here (the unprivileged path is tested with RPMs in t4005)"
EPOCH=1795910400
DAY=$((EPOCH / 86400))
PORT=$((20000 + $$ % 20000))

# make_deb NAME SCRIPT BODY: a package whose SCRIPT (preinst or postinst)
# is BODY; it ships /usr/share/NAME/README and, for gapimg-mess, a module.
make_deb() {
	local d=$WORK/src/$1
	rm -rf "$d" && mkdir -p "$d/DEBIAN" "$d/usr/share/$1"
	printf 'Package: %s\nVersion: 1.0\nArchitecture: all\nMaintainer: t <t@gapimg.invalid>\nDepends: bash, coreutils\nDescription: script test %s\n' "$1" "$1" >"$d/DEBIAN/control"
	printf '#!/bin/bash\nset -e\n%s\n' "$3" >"$d/DEBIAN/$2"
	chmod 0755 "$d/DEBIAN/$2"
	echo "$1" >"$d/usr/share/$1/README"
	if [ "$1" = gapimg-mess ]; then
		mkdir -p "$d/usr/lib/python3/dist-packages"
		echo 'X = 1' >"$d/usr/lib/python3/dist-packages/messy.py"
	fi
	(cd "$d" && find usr -type f | sort | xargs md5sum >DEBIAN/md5sums)
	find "$d" -exec touch -h -d @1700000000 {} +
	dpkg-deb --root-owner-group -Zxz -b "$d" "$WORK/extra/pool/main/$1_1.0_all.deb" >/dev/null
}

# Every kind of litter normalise.c knows, made the way scripts make it.
MESS='
d=$(date +%s%N)
echo "$d" >/var/log/dpkg.log
echo "$d" >/var/log/alternatives.log
echo "$d" >/var/log/bootstrap.log
mkdir -p /var/log/apt && echo "$d" >/var/log/apt/history.log && echo "$d" >/var/log/apt/term.log
mkdir -p /var/cache/ldconfig && echo "$d" >/var/cache/ldconfig/aux-cache
mkdir -p /var/cache/man/de && echo "$d" >/var/cache/man/index.db && echo "$d" >/var/cache/man/de/index.db
mkdir -p /var/cache/apt && echo "$d" >/var/cache/apt/pkgcache.bin && echo "$d" >/var/cache/apt/srcpkgcache.bin
echo "$d" | md5sum | cut -c1-32 >/etc/machine-id
mkdir -p /var/lib/dbus && echo "$d" | md5sum | cut -c1-32 >/var/lib/dbus/machine-id
mkdir -p /var/lib/systemd && head -c 512 /dev/urandom >/var/lib/systemd/random-seed
head -c 512 /dev/urandom >/var/lib/random-seed
# what the sandbox looks like from inside, for the test to read
{ cat /proc/sys/kernel/hostname; umask; cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d " "; } >/usr/share/gapimg-mess/sandbox
env | grep -v "^_=" | sort >/usr/share/gapimg-mess/env
echo "mess:!:$(( $(date +%s) / 86400 )):0:99999:7:::" >>/etc/shadow
: >/etc/.pwd.lock
for f in passwd group shadow gshadow subuid subgid; do echo "$d" >/etc/$f-; done
mkdir -p /usr/lib/python3/dist-packages/__pycache__
printf "\247\015\015\012\0\0\0\0\001\0\0\0\005\0\0\0" >/usr/lib/python3/dist-packages/__pycache__/messy.cpython-311.pyc
'

setup_mirrors() {
	BASE=$(mirror_for deb-base)
	mkdir -p "$WORK/extra/pool/main" "$WORK/extra/dists/bookworm/main/binary-amd64"
	make_deb gapimg-mess postinst "$MESS"
	make_deb gapimg-fail postinst 'echo "gapimg-fail: step 1"; echo "gapimg-fail: step 2" >&2; echo "gapimg-fail: giving up"; exit 3'
	make_deb gapimg-prefail preinst '[ "$1" = install ] || exit 9; echo "gapimg-prefail: refusing"; exit 2'
	make_deb gapimg-net postinst "exec 3<>/dev/tcp/127.0.0.1/$PORT || { echo \"gapimg-net: no network\"; exit 5; }; echo connected"
	make_deb gapimg-slow postinst 'echo "gapimg-slow: sleeping"; sleep 600'
	make_deb gapimg-lone postinst 'exit 0'
	sed -i '/^Depends:/d' "$WORK/src/gapimg-lone/DEBIAN/control"
	dpkg-deb --root-owner-group -Zxz -b "$WORK/src/gapimg-lone" "$WORK/extra/pool/main/gapimg-lone_1.0_all.deb" >/dev/null
	apt_index "$WORK/extra"
}

# write_recipe FILE EXTRA-PACKAGES...
write_recipe() {
	local f=$1
	shift
	{
		printf 'image scripted\nversion 1\narch amd64\nepoch %s\nscripts run\n' "$EPOCH"
		echo "mirror base deb $BASE suite=bookworm components=main signatures=off"
		echo "mirror extra deb $WORK/extra suite=bookworm components=main signatures=off"
		echo "install $(tr '\n' ' ' <"$BASE/roots.txt") $*"
		echo 'user demo uid=1000 shell=/bin/sh comment="Demo user"'
		echo 'dir /home/demo mode=0750 owner=demo group=demo'
		echo 'file /etc/motd text="hello\n"'
		echo 'remove /usr/share/doc/** /usr/share/man/**'
	} >"$f"
}

setup_mirrors

t_base() {
	mkdir -p "$WORK/a/out" && cd "$WORK/a"
	write_recipe r.recipe gapimg-mess
	expect_eq 0 "$(GAPIMG_TEST_LEAK=host run_status "$GAPIMG" build -q --cache-dir "$WORK/cache" -o out/s.sqfs r.recipe)" "build: $(cat "$WORK/.stderr")"
	rm -rf root && unsquashfs -q -n -d root out/s.sqfs >/dev/null
	# (before anything below runs in or on the tree and leaves files)
	expect_eq "" "$(jq -r '.normalised[] | select(.action == "removed") | .path' out/s.manifest.json |
		while read -r p; do [ ! -e "root$p" ] || echo "$p"; done)" "what was removed is not in the image"
	n=$(grep -c '^package ' r.lock)
	expect_eq "$n" "$(dpkg --root=root -l | grep -c '^ii ')" "every locked package is ii"
	expect_eq "$n" "$(dpkg --root=root -l | awk 'NR>5' | wc -l)" "and no other state"
	expect_eq "" "$(dpkg --root=root --audit)" "dpkg --audit"
	# base-passwd's preinst wrote the accounts; the recipe's user follows.
	expect_eq "$(cat root/usr/share/base-passwd/passwd.master)
demo:x:1000:1000:Demo user:/home/demo:/bin/sh" "$(cat root/etc/passwd)" "/etc/passwd"
	expect_eq "$(cat root/usr/share/base-passwd/group.master)
demo:x:1000:" "$(cat root/etc/group)" "/etc/group"
	# The recipe's content after the scripts: its /etc/motd replaces the
	# one base-files' postinst made; its folder belongs to its user.
	expect_eq "hello" "$(cat root/etc/motd)" "/etc/motd"
	expect_eq "750 1000:1000" "$(stat -c '%a %u:%g' root/home/demo)" "/home/demo"
	expect_eq "" "$(ls root/usr/share/doc root/usr/share/man 2>/dev/null)" "removed folders stay empty"
	expect_eq "3.11" "$(chroot root /usr/bin/python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')" "python3 in the image"
	expect_eq "awk ok" "$(chroot root awk 'BEGIN { print "awk ok" }')" "awk through mawk's alternative, set by its postinst"
	# the ld.so cache libc-bin's trigger made is the one ldconfig makes
	ldconfig -r root -C /ld.so.cache.ref -X 2>/dev/null
	cmp root/etc/ld.so.cache root/ld.so.cache.ref
	# debconf knew which package each preinst's questions belong to (dpkg
	# runs a preinst from var/lib/dpkg/tmp.ci, where debconf looks)
	expect_eq "" "$(grep '^Owners:.*unknown' root/var/cache/debconf/config.dat || true)" "debconf owners"
	grep -qx 'Owners: libpam-modules' root/var/cache/debconf/config.dat
	[ ! -e root/var/lib/dpkg/tmp.ci ]
	# conffiles were moved into place by dpkg and their sums recorded
	expect_eq "" "$(find root/etc -name '*.dpkg-new')" "no .dpkg-new left"
	grep -q '^ /etc/dpkg/dpkg.cfg [0-9a-f]\{32\}$' root/var/lib/dpkg/status
	# Every normalisation rule, in the manifest with its reason.
	expect_eq "run" "$(jq -r .scripts out/s.manifest.json)" "manifest scripts"
	expect_eq "/etc/.pwd.lock removed
/etc/group- removed
/etc/gshadow- removed
/etc/machine-id emptied
/etc/passwd- removed
/etc/shadow dates set
/etc/shadow- removed
/etc/subgid- removed
/etc/subuid- removed
/usr/lib/python3/dist-packages/__pycache__/messy.cpython-311.pyc removed
/var/cache/apt/pkgcache.bin removed
/var/cache/apt/srcpkgcache.bin removed
/var/cache/debconf/config.dat-old removed
/var/cache/debconf/templates.dat-old removed
/var/cache/ldconfig/aux-cache removed
/var/cache/man/de/index.db removed
/var/cache/man/index.db removed
/var/lib/dbus/machine-id removed
/var/lib/dpkg/status-old removed
/var/lib/random-seed removed
/var/lib/systemd/random-seed removed
/var/log/alternatives.log removed
/var/log/apt/history.log removed
/var/log/apt/term.log removed
/var/log/bootstrap.log removed
/var/log/dpkg.log removed" "$(jq -r '.normalised[] | .path + " " + .action' out/s.manifest.json)" "normalised"
	expect_eq "log of the build: every line has the time it ran" \
		"$(jq -r '.normalised[] | select(.path == "/var/log/dpkg.log") | .reason' out/s.manifest.json)" "a reason"
	expect_eq "0" "$(stat -c %s root/etc/machine-id)" "machine-id emptied"
	expect_eq "mess:!:$DAY:0:99999:7:::" "$(grep '^mess:' root/etc/shadow)" "shadow date is the epoch's day"
	[ ! -e root/usr/lib/python3/dist-packages/__pycache__/messy.cpython-311.pyc ]
	# .pyc files that match their sources (python3-minimal's postinst
	# compiles the standard library) stay.
	[ "$(find root/usr/lib/python3.11 -name '*.pyc' | wc -l)" -gt 100 ]
	# the sandbox as a postinst saw it: host name, umask, only a loopback
	# (down) for a network, and only the fixed environment (no variable of
	# the caller's, such as GAPIMG_TEST_LEAK)
	expect_eq "gapimg
0022
lo" "$(cat root/usr/share/gapimg-mess/sandbox)" "sandbox"
	grep -qx "SOURCE_DATE_EPOCH=$EPOCH" root/usr/share/gapimg-mess/env
	grep -qx "LANG=C.UTF-8" root/usr/share/gapimg-mess/env
	grep -qx "TZ=UTC" root/usr/share/gapimg-mess/env
	grep -qx "DPKG_MAINTSCRIPT_PACKAGE=gapimg-mess" root/usr/share/gapimg-mess/env
	expect_eq "" "$(grep -E '^(GAPIMG_TEST_LEAK|LC_ALL|TMPDIR|USER)=' root/usr/share/gapimg-mess/env || true)" "no host variables"
	expect_eq "" "$(ls -d out/.gapimg-staging-* 2>/dev/null)" "no staging folder left"
}
test_case "deb-base with scripts run: dpkg ii, base-passwd's accounts, python3, every normalisation" t_base

t_reproducible() {
	mkdir -p "$WORK/b/out" && cd "$WORK/b"
	cp "$WORK/a/r.recipe" "$WORK/a/r.lock" .
	(umask 077 && TZ=Asia/Kolkata LC_ALL=C.UTF-8 "$GAPIMG" build -q --threads 1 --no-package-cache --no-cache -o out/s.sqfs r.recipe)
	expect_eq "$(sha "$WORK/a/out/s.sqfs")" "$(sha out/s.sqfs)" "image bytes"
	expect_eq "$(sha "$WORK/a/out/s.manifest.json")" "$(sha out/s.manifest.json)" "manifest bytes"
}
test_case "scripts run: the same bytes under umask 077, TZ, C.UTF-8, 1 thread, no caches" t_reproducible

# refused PACKAGE EXTRA-OPTIONS: a build that must fail and keep the old image.
refused() {
	local pkg=$1
	shift
	mkdir -p "$WORK/$pkg/out" && cd "$WORK/$pkg"
	write_recipe r.recipe "$pkg"
	echo old >out/s.sqfs
	expect_eq 1 "$(run_status "$GAPIMG" build -q --cache-dir "$WORK/cache" "$@" -o out/s.sqfs r.recipe)" "status"
	expect_eq old "$(cat out/s.sqfs)" "the old image is untouched"
	[ ! -e out/s.manifest.json ]
}

t_postinst_fails() {
	refused gapimg-fail
	expect_eq "gapimg build: error: dpkg --configure -a: package gapimg-fail 1.0: its postinst failed with exit status 3; nothing was built (the last lines of its output follow)" \
		"$(head -1 "$WORK/.stderr")" "error"
	grep -qx '    gapimg-fail: step 1' "$WORK/.stderr"
	grep -qx '    gapimg-fail: step 2' "$WORK/.stderr"
	grep -qx '    gapimg-fail: giving up' "$WORK/.stderr"
	expect_eq "gapimg build: nothing was written" "$(tail -1 "$WORK/.stderr")" "last line"
	expect_eq "" "$(ls -A out | grep -v '^s.sqfs$' || true)" "no staging folder left behind"
}
test_case "a failing postinst stops the build with the package, script, status and output" t_postinst_fails

t_preinst_fails() {
	refused gapimg-prefail
	expect_eq "gapimg build: error: package gapimg-prefail 1.0: its preinst failed with exit status 2; nothing was built (the last lines of its output follow)
    gapimg-prefail: refusing
gapimg build: nothing was written" "$(cat "$WORK/.stderr")" "error"
}
test_case "a failing preinst (run with 'install' before dpkg --configure) stops the build" t_preinst_fails

t_network() {
	start_listener "$PORT" "$WORK/connections"
	trap "kill $LISTENER 2>/dev/null || true" EXIT
	# The same script on the host does reach it: the test can fail.
	bash "$WORK/src/gapimg-net/DEBIAN/postinst" configure >"$WORK/host.out"
	expect_eq "connected" "$(cat "$WORK/host.out")" "on the host"
	: >"$WORK/connections"
	refused gapimg-net
	kill "$LISTENER" 2>/dev/null; wait "$LISTENER" 2>/dev/null || true
	expect_eq "gapimg build: error: dpkg --configure -a: package gapimg-net 1.0: its postinst failed with exit status 5; nothing was built (the last lines of its output follow)" \
		"$(head -1 "$WORK/.stderr")" "error"
	grep -q 'connect: Network is unreachable' "$WORK/.stderr"
	grep -qx '    gapimg-net: no network' "$WORK/.stderr"
	expect_eq "" "$(cat "$WORK/connections")" "no connection reached the host"
}
test_case "a script that reaches for the network fails in the sandbox; the build says which" t_network

t_timeout() {
	refused gapimg-slow --script-timeout 3 --keep-staging
	expect_eq "gapimg build: error: dpkg --configure -a: package gapimg-slow 1.0: its postinst was stopped after running longer than 3 s (the time limit for one script); nothing was built (the last lines of its output follow)" \
		"$(head -1 "$WORK/.stderr")" "error"
	grep -qx '    gapimg-slow: sleeping' "$WORK/.stderr"
	# --keep-staging: the tree is left where the message says, as the
	# failed script left it.
	kept=$(sed -n 's/^gapimg build: the staged tree is kept in //p' "$WORK/.stderr")
	[ -n "$kept" ] && [ -d "$kept" ]
	expect_eq "Status: install ok half-configured" \
		"$(grep -A1 '^Package: gapimg-slow$' "$kept/var/lib/dpkg/status" | tail -1)" "dpkg's state in the kept tree"
	rm -rf "$kept"
}
test_case "a script over the time limit is killed and named; --keep-staging keeps the tree" t_timeout

t_no_dpkg() {
	mkdir -p "$WORK/lone/out" && cd "$WORK/lone"
	printf 'image lone\nversion 1\narch amd64\nepoch %s\nscripts run\n' "$EPOCH" >r.recipe
	echo "mirror extra deb $WORK/extra suite=bookworm components=main signatures=off" >>r.recipe
	echo "install gapimg-lone" >>r.recipe
	expect_eq 2 "$(run_status "$GAPIMG" build -q --no-cache -o out/s.sqfs r.recipe)" "status"
	expect_eq "gapimg build: error: 'scripts run' needs the image's own dpkg to configure its packages, and dpkg is not among them; add 'dpkg' to the recipe's packages
gapimg build: nothing was written" "$(cat "$WORK/.stderr")" "error"
	expect_eq "" "$(ls -A out)" "nothing left in out/"
}
test_case "scripts run without dpkg in the image: a clear error" t_no_dpkg

finish
