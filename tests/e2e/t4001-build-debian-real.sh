#!/usr/bin/env bash
# gapimg build on real Debian 12 packages: ../shared/fixtures/deb
# (busybox-static + the python3-minimal closure, 19 packages) and
# ../shared/fixtures/deb-base (the Essential set + mawk + python3-minimal +
# busybox-static, 75 packages).  Without ../shared, the same roots are
# fetched with apt-get download into a local mirror (the test says so).
# The images are extracted and chrooted into: Python runs, busybox runs,
# dpkg lists every package as installed, the recipe's users resolve, and
# the same recipe built twice in different conditions is bit-identical.
# The manifest gives each package's licence from its machine-readable
# copyright file, even with /usr/share/doc removed from the image.
. "$(dirname "$0")/lib.sh"
cd "$WORK"

. "$GAPIMG_SRC/tests/e2e/debian-lib.sh"

# write_recipe FILE MIRROR: all of the mirror's roots, a user, some content.
write_recipe() {
	{
		printf 'image real\nversion 1\narch amd64\nepoch 1795910400\n'
		echo "mirror base deb $2 suite=bookworm components=main signatures=off"
		echo "install $(tr '\n' ' ' <"$2/roots.txt")"
		echo 'user demo uid=1000 shell=/bin/sh comment="Demo user"'
		echo 'group ops gid=2000'
		echo 'dir /home/demo mode=0750 owner=demo group=demo'
		echo 'file /etc/motd text="hello\n"'
		echo 'remove /usr/share/doc/** /usr/share/man/**'
	} >"$1"
}

# licences MANIFEST: "NAME LICENCE" (or "NAME (none)" when the manifest
# has no "license" key) for packages of both fixtures whose copyright files
# show each case: machine-readable with Files: * first (libexpat1, libzstd1,
# libpcre2-8-0), with its pattern on a continuation line (libacl1), after
# a long header (liblzma5), with an http Format URL (zlib1g); plain text
# (busybox-static, python3-minimal); none, its doc folder being a link to
# another package's (libgcc-s1).
licences() {
	jq -r '[.packages[] | select(.name | IN("busybox-static", "libacl1", "libexpat1",
		"libgcc-s1", "liblzma5", "libpcre2-8-0", "libzstd1", "python3-minimal", "zlib1g"))
		| .name + " " + (if has("license") then .license else "(none)" end)] | sort | .[]' "$1"
}

extract() {   # IMAGE DIR
	rm -rf "$2"
	unsquashfs -q -n -d "$2" "$1" >/dev/null
}

build_and_check() {   # FIXTURE
	local m n
	m=$(mirror_for "$1")
	mkdir -p "$WORK/$1" && cd "$WORK/$1"
	write_recipe r.recipe "$m"
	mkdir -p out
	expect_eq 0 "$(run_status "$GAPIMG" build -q --cache-dir cache -o out/real.sqfs r.recipe)" "build status: $(cat "$WORK/.stderr")"
	[ -s out/real.sqfs ] && [ -s out/real.manifest.json ]
	expect_eq "busybox-static (none)
libacl1 GPL-2+
libexpat1 MIT
libgcc-s1 (none)
liblzma5 PD
libpcre2-8-0 BSD-3-clause-Cambridge with BINARY LIBRARY-LIKE PACKAGES exception
libzstd1 BSD-3-clause or GPL-2
python3-minimal (none)
zlib1g Zlib" "$(licences out/real.manifest.json)" "licences"
	n=$(grep -c '^package ' r.lock)
	extract out/real.sqfs root
	# Python and busybox run inside the image (python3-minimal has no json
	# module: that is in libpython3.11-stdlib, which neither root pulls in).
	chroot root /usr/bin/python3 -c 'import sys, os, encodings; print(sys.version.split()[0])' >py.out
	grep -qE '^3\.11\.[0-9]+$' py.out
	chroot root /bin/busybox ls / >ls.out
	grep -qx usr ls.out && grep -qx etc ls.out
	# dpkg sees exactly the locked packages, every one installed.
	dpkg --root=root -l | awk '/^[a-z][a-z] /{print $1, $2}' | sed 's/:amd64$//' | sort >dpkg.out
	expect_eq "$n" "$(grep -c '^ii ' dpkg.out)" "installed packages"
	expect_eq "$(grep '^package ' r.lock | awk '{print "ii", $2}' | sort)" "$(sort dpkg.out)" "dpkg -l"
	# The recipe's accounts.
	grep -qx 'demo:x:1000:1000:Demo user:/home/demo:/bin/sh' root/etc/passwd
	grep -q '^ops:x:2000:' root/etc/group
	expect_eq "1000 1000 750" "$(stat -c '%u %g %a' root/home/demo)"
	# Removed documentation is gone, but still listed for dpkg.
	[ ! -e root/usr/share/doc ] || [ -z "$(ls -A root/usr/share/doc)" ]
	# The ld.so cache is the one ldconfig makes for this root.
	ldconfig -r root -C /ld.so.cache.ref -X 2>/dev/null
	cmp root/etc/ld.so.cache root/ld.so.cache.ref
}

t_deb() { build_and_check deb; }

t_deb_base() {
	build_and_check deb-base
	# getent resolves the recipe's user in the image (libc-bin is essential).
	expect_eq "demo:x:1000:1000:Demo user:/home/demo:/bin/sh" "$(chroot root getent passwd demo)"
	# More licences: a plain-text copyright file, and a Files: * paragraph
	# followed by one for "*install-sh" (not the whole source).
	expect_eq "base-files (none)
dash BSD-3-Clause
libdb5.3 Sleepycat and BSD-3-clause
perl-base GPL-1+ or Artistic" "$(jq -r '[.packages[] | select(.name | IN("base-files", "dash", "libdb5.3", "perl-base"))
		| .name + " " + (.license // "(none)")] | sort | .[]' out/real.manifest.json)" "licences"
	# awk is mawk, through the alternative mawk's postinst declares.
	expect_eq "/etc/alternatives/awk" "$(readlink root/usr/bin/awk)"
	expect_eq "3" "$(echo 1 2 | chroot root awk '{print $1+$2}')"
	# Nothing but the locked packages, and dpkg's own checks pass.
	chroot root dpkg --audit >audit.out 2>&1
	expect_eq "" "$(cat audit.out)" "dpkg --audit"
	# Built again from the lock the first build wrote: the same bytes (the
	# lock's install order is the one used, not a re-solved one).
	"$GAPIMG" build -q --cache-dir cache --locked -o out/again.sqfs r.recipe
	cmp out/real.sqfs out/again.sqfs
}

# Same recipe, two folders, different umask/TZ/locale/threads: same bytes.
t_reproducible() {
	local m
	m=$(mirror_for deb)
	mkdir -p a b
	write_recipe a/r.recipe "$m"
	cp a/r.recipe b/r.recipe
	mkdir -p a/out b/out
	(cd a && umask 022 && TZ=UTC LC_ALL=C "$GAPIMG" build -q --threads 1 --cache-dir ../c1 -o out/real.sqfs r.recipe)
	(cd b && umask 077 && TZ=Asia/Kolkata LC_ALL=C.UTF-8 "$GAPIMG" build -q --threads 2 --no-package-cache --no-cache -o out/real.sqfs r.recipe)
	expect_eq "$(sha a/out/real.sqfs)" "$(sha b/out/real.sqfs)" "image bytes"
	cmp a/out/real.manifest.json b/out/real.manifest.json
	cmp a/r.lock b/r.lock
}

is_root || skip_all "chroot and extraction need root"
command -v unsquashfs >/dev/null || skip_all "unsquashfs (squashfs-tools) is not installed"
test_case "deb fixture: python3 and busybox run in the image, dpkg lists every package" t_deb
test_case "deb-base fixture: getent, alternatives and dpkg --audit in the image" t_deb_base
test_case "the same recipe in different folders, umask, TZ, locale, threads: identical bytes" t_reproducible
finish
