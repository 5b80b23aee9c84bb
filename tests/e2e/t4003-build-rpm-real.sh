#!/usr/bin/env bash
# gapimg build on real RPMs from ../shared/fixtures/rpm (rpm.org's and
# createrepo_c's test packages, Pulp's zoo): hard-link sets, odd file
# names, empty capabilities, gzip/xz/zstd payloads, and the rpmdb that
# rpm itself reads back; signatures=packages refuses an unsigned package.
# The manifest gives each package's licence from its header's License tag.
. "$(dirname "$0")/lib.sh"
cd "$WORK"
# Signed mirrors reach libsolv's keyring code, whose leak (tests/lsan.supp)
# LeakSanitizer can only match with full stacks.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"

FX=${GAPIMG_SHARED:-$GAPIMG_SRC/../shared}/fixtures
[ -d "$FX/rpm/testdata" ] || skip_all "no shared fixtures at $FX (the ../shared folder beside the checkout); these tests need its real RPMs"
FX=$(cd "$FX" && pwd -P)
command -v unsquashfs >/dev/null || skip_all "unsquashfs (squashfs-tools) is not installed"
mkdir out

recipe() {   # FILE MIRROR-LINE PACKAGES...
	local f=$1 m=$2; shift 2
	printf 'image t\nversion 1\narch x86_64\nepoch 1700000000\n%s\ninstall %s\n' "$m" "$*" >"$f"
}

t_testdata() {
	recipe t.recipe "mirror td rpm-md $FX/rpm/testdata signatures=off" \
		capstest empty foo hlinktest rpm-file-types rpm-scriptlets
	expect_eq 0 "$(run_status "$GAPIMG" build -q --no-cache -o out/t.sqfs t.recipe)" "$(cat "$WORK/.stderr")"
	expect_eq "-rwxrwxrwx 0/0 2 2018-11-09T13:19:21Z /a/emptyCaps1
-rwxr-xr-x 0/0 29 2021-06-22T10:02:41Z /foo/hello
-rwxr-xr-x 0/0 29 2021-06-22T10:02:41Z /foo/hello-bar => /foo/hello
-rwxr-xr-x 0/0 29 2021-06-22T10:02:41Z /foo/hello-foo => /foo/hello
-rwxr-xr-x 0/0 29 2021-06-22T10:02:41Z /foo/hello-world => /foo/hello
-rw-r--r-- 0/0 31 2023-04-09T19:29:19Z /opt/rpm-file-types/file with spaces & special (chars).txt" \
		"$("$GAPIMG" ls out/t.sqfs | grep -E 'Z /(foo/hello.*|opt/rpm-file-types/file with.*|a/emptyCaps1)$')"
	unsquashfs -q -n -d root out/t.sqfs >/dev/null
	expect_eq "capstest-1.0-1.noarch
empty-0-0.x86_64
foo-1.0-1.noarch
hlinktest-1.0-1.noarch
rpm-file-types-1.0-1.noarch
rpm-scriptlets-1.0-1.noarch" "$(rpm --root="$WORK/root" --dbpath=/var/lib/rpm -qa | sort)"
	expect_eq "4" "$(stat -c %h root/foo/hello)"
	# the License tag of each header, as rpm -qp --qf '%{LICENSE}' shows it
	expect_eq "capstest GPL
empty LGPL
foo GPLv2+
hlinktest Testing
rpm-file-types MIT
rpm-scriptlets MIT" "$(jq -r '.packages[] | .name + " " + .license' out/t.manifest.json | sort)" "licences"
	# rpm -V finds every file as the headers describe it (ignoring mtime)
	rpm --root="$WORK/root" --dbpath=/var/lib/rpm -V --nomtime hlinktest foo rpm-file-types
}

t_zoo() {
	recipe z.recipe "mirror z rpm-md $FX/rpm/pulp-zoo signatures=off" zebra
	expect_eq 0 "$(run_status "$GAPIMG" build -q --no-cache -o out/z.sqfs z.recipe)"
	expect_eq "11" "$(grep -c '^package ' z.lock)"
	# one of them is not GPLv2
	expect_eq "bear crow dolphin elephant gorilla lion pike tiger wolf zebra: GPLv2
kangaroo: Public Domain" "$(jq -r 'def names: map(.name) | sort | join(" ");
		.packages | group_by(.license) | map((. | names) + ": " + .[0].license) | .[]' out/z.manifest.json)" "licences"
}

t_packages_policy() {
	recipe f.recipe "mirror td rpm-md $FX/rpm/testdata signatures=packages key=$FX/rpm/keys/rpm.org-rsa-2048-test.pub" foo
	expect_eq 1 "$(run_status "$GAPIMG" build -q --no-cache -o out/f.sqfs f.recipe)"
	expect_eq "gapimg build: note: mirror td: repomd.xml is not signature-checked (signatures=packages); every package's own signature is checked when the image is built
gapimg build: error: package foo 1.0-1 (foo-1.0-1.noarch.rpm) is not signed, and mirror 'td' requires signatures; sign it, or set signatures=off on the mirror if unsigned packages are really expected
gapimg build: nothing was written" "$(cat "$WORK/.stderr")"
}

test_case "rpm.org and createrepo_c test packages: links, names, caps, rpmdb read back by rpm" t_testdata
test_case "Pulp's zoo: zebra's closure builds" t_zoo
test_case "signatures=packages: unsigned metadata allowed, an unsigned package refused" t_packages_policy
finish
