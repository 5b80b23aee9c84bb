#!/usr/bin/env bash
# gapimg resolve on the real repositories in ../shared/fixtures (see its
# SOURCES.md): Pulp's zoo, rpm.org's edge-case RPMs, Debian 12 mirrors
# whose closures apt computed (packages.lock), real signed Debian and
# openSUSE metadata, and CentOS Stream 9 indexes.
. "$(dirname "$0")/lib.sh"
asan_options=${ASAN_OPTIONS:-}
. "$(dirname "$0")/resolve-lib.sh"
# Only the case with keys needs LeakSanitizer's slow full stacks
# (resolve-lib.sh); the large unsigned indexes would take minutes with it.
export ASAN_OPTIONS=$asan_options

FX=${GAPIMG_SHARED:-$GAPIMG_SRC/../shared}/fixtures
[ -d "$FX" ] || skip_all "no shared fixtures at $FX (the ../shared folder beside the checkout); these tests need its real repositories"
FX=$(cd "$FX" && pwd -P)
cd "$WORK"

need() {
	local d
	for d in "$@"; do
		[ -e "$FX/$d" ] || skip_case "$FX/$d is missing from the shared fixtures"
	done
}

set_of() {   # name=evr lines of the chosen packages, sorted
	python3 -c 'import json,sys; print("\n".join(sorted(p["name"]+"="+p["evr"] for p in json.load(open(sys.argv[1]))["packages"])))' "$1"
}

t_pulp_zoo() {
	need rpm/pulp-zoo/repodata/repomd.xml
	echo "mirror zoo rpm-md $FX/rpm/pulp-zoo signatures=off" | { cat; echo "install zebra penguin duck walrus"; } | recipe r.recipe
	expect_eq 0 "$(run_status "$GAPIMG" resolve r.recipe)"
	# the newest duck and walrus of the 3 and 2 versions, and the zoo's
	# dependency chains in install order
	expect_eq "   1 gorilla 0.62-1 noarch zoo 1860
   2 bear 4.1-1 noarch zoo 1846
   3 tiger 1.0-4 noarch zoo 1849
   4 crow 0.8-1 noarch zoo 1847
   5 wolf 9.4-2 noarch zoo 1847
   6 duck 0.8-1 noarch zoo 6540
   7 walrus 5.21-1 noarch zoo 1853
   8 kangaroo 0.3-1 noarch zoo 6560
   9 lion 0.4-1 noarch zoo 1854
  10 elephant 8.3-1 noarch zoo 1885
  11 dolphin 3.10.232-1 noarch zoo 1903
  12 pike 2.2-1 noarch zoo 1870
  13 penguin 0.9.1-1 noarch zoo 1872
  14 zebra 0.1-2 noarch zoo 1885
14 packages, 35471 bytes" "$(pkgs)"
	echo "mirror zoo rpm-md $FX/rpm/pulp-zoo signatures=off" | { cat; echo "install duck = 0.6-1 walrus < 1"; } | recipe r.recipe
	expect_eq 0 "$(run_status "$GAPIMG" resolve r.recipe)"
	expect_eq "duck=0.6-1 walrus=0.71-1" "$(pkgs | awk 'NF == 6 && ($2 == "duck" || $2 == "walrus") { printf "%s%s=%s", s, $2, $3; s = " " }')"
}

t_rpm_testdata_edge_cases() {
	need rpm/testdata/repodata/repomd.xml
	echo "mirror td rpm-md $FX/rpm/testdata signatures=off" | { cat; echo "install rpm-rich-deps balicek-utf8 hello"; } | recipe r.recipe
	expect_eq 3 "$(run_status "$GAPIMG" resolve r.recipe)"
	expect_eq "gapimg resolve: error: the packages cannot be resolved: 3 problems
problem 1: nothing provides ((pkgS or pkgT) and pkgU) needed by rpm-rich-deps-1.0-1.noarch from mirror td
  because:
    - nothing provides (pkgA or pkgB) needed by rpm-rich-deps-1.0-1.noarch from mirror td
    - nothing provides (pkgBB >= 2.0 or pkgCC >= 3.0) needed by rpm-rich-deps-1.0-1.noarch from mirror td
    - nothing provides (pkgC and pkgD) needed by rpm-rich-deps-1.0-1.noarch from mirror td
    - nothing provides (pkgDD >= 1.0 and pkgEE < 5.0) needed by rpm-rich-deps-1.0-1.noarch from mirror td
    - nothing provides (pkgG if pkgH else pkgI) needed by rpm-rich-deps-1.0-1.noarch from mirror td
    - nothing provides (pkgO with pkgP) needed by rpm-rich-deps-1.0-1.noarch from mirror td
    - nothing provides (pkgQ without pkgR) needed by rpm-rich-deps-1.0-1.noarch from mirror td
    - nothing provides (pkgV or (pkgW and pkgX)) needed by rpm-rich-deps-1.0-1.noarch from mirror td
    - requested: install rpm-rich-deps (r.recipe:6:9)
  possible solutions:
    1. leave out install rpm-rich-deps (r.recipe:6:9)
problem 2: nothing provides bílýkůň needed by balicek-utf8-1.1.1-1.x86_64 from mirror td
  because:
    - requested: install balicek-utf8 (r.recipe:6:23)
  possible solutions:
    1. leave out install balicek-utf8 (r.recipe:6:23)
problem 3: nothing provides rtld(GNU_HASH) needed by hello-2.0-1.x86_64 from mirror td
  because:
    - nothing provides libc.so.6(GLIBC_2.2.5)(64bit) needed by hello-2.0-1.x86_64 from mirror td
    - requested: install hello (r.recipe:6:36)
  possible solutions:
    1. leave out install hello (r.recipe:6:36)" "$(cat .stderr)"
	# hello-1.0-1.i386 is in the repo too, and is not a candidate
	echo "mirror td rpm-md $FX/rpm/testdata signatures=off" | { cat; echo "install hello < 2"; } | recipe r.recipe
	expect_eq 3 "$(run_status "$GAPIMG" resolve r.recipe)"
	expect_eq "problem 1: r.recipe:6:9: install hello < 2: only hello-1.0-1.i386 from mirror td matches, which is not for the image's architecture x86_64" \
		"$(sed -n 2p .stderr)"
	echo "mirror td rpm-md $FX/rpm/testdata signatures=off" | { cat; echo "install foo capstest hlinktest rpm-file-types empty"; } | recipe r.recipe
	expect_eq 0 "$(run_status "$GAPIMG" resolve r.recipe)"
	expect_eq "capstest=1.0-1 empty=0-0 foo=1.0-1 hlinktest=1.0-1 rpm-file-types=1.0-1" \
		"$(pkgs | awk 'NF == 6 { print $2 "=" $3 }' | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')"
}

t_debian_closures_match_apt() {
	local d
	for d in deb deb-base; do
		need $d/packages.lock $d/roots.txt $d/dists/bookworm/Release
		{ echo "mirror main deb $FX/$d suite=bookworm signatures=off"
		  [ $d = deb-base ] && echo "debian-base essential"
		  echo "install $(tr '\n' ' ' <"$FX/$d/roots.txt")"; } | recipe $d.recipe
		expect_eq 0 "$(run_status "$GAPIMG" resolve --json $d.recipe)" "$d status"
		# packages.lock is apt-get install -s's answer for the same roots
		expect_eq "$(LC_ALL=C sort "$FX/$d/packages.lock")" "$(set_of .stdout)" "$d closure"
	done
}

t_real_signed_debian_inrelease() {
	need deb-real-index/dists/bookworm-security/InRelease deb-base/dists/bookworm/Release
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"
	export XDG_CACHE_HOME=$WORK/cache-inrelease
	local keys=$FX/deb-real-index/keys
	# sec_recipe KEY EPOCH: deb-base's bookworm subset, and the real
	# security and updates indexes (no pool) with Debian's keys
	sec_recipe() {
		{ echo "mirror main deb $FX/deb-base suite=bookworm signatures=off"
		  echo "mirror sec deb $FX/deb-real-index suite=bookworm-security key=$keys/$1"
		  echo "mirror upd deb $FX/deb-real-index suite=bookworm-updates key=$keys/debian-archive-bookworm-automatic.gpg"
		  echo "install openssl tzdata"; } | recipe r.recipe
		sed -i "s/^epoch .*/epoch $2/" r.recipe
	}
	sec_recipe debian-archive-bookworm-security-automatic.gpg 1764500000
	# the index has no pool: plan from the metadata alone
	expect_eq 0 "$(run_status "$GAPIMG" resolve --metadata-only r.recipe)"
	expect_eq "mirror main deb: 75 packages, metadata sha256 $(sha "$FX/deb-base/dists/bookworm/Release")
mirror sec deb: 3070 packages, metadata sha256 $(sha "$FX/deb-real-index/dists/bookworm-security/InRelease"), signed by b0cab9266e8c3929798b3eeebde6d2b9216ec7a8
mirror upd deb: 38 packages, metadata sha256 $(sha "$FX/deb-real-index/dists/bookworm-updates/InRelease"), signed by 4cb50190207b4758a3f73a796ed0e7b82643e131
   1 debconf 1.5.82 all main 121212
   2 gcc-12-base 12.2.0-14+deb12u1 amd64 main 37596
   3 libc6 2.36-9+deb12u14 amd64 main 2759320
   4 libgcc-s1 12.2.0-14+deb12u1 amd64 main 49856
   5 libssl3 3.0.22-1~deb12u2 amd64 main 2039888
   6 tzdata 2026f-0+deb12u1 all sec 307832
   7 openssl 3.0.22-1~deb12u2 amd64 sec 1441784
7 packages, 6757488 bytes" "$(cat .stdout)"
	# Debian also signs it with a subkey of the bullseye security key,
	# whose binding signature gapimg checks itself (libsolv does not)
	sec_recipe debian-archive-bullseye-security-automatic.gpg 1764500000
	expect_eq 0 "$(run_status "$GAPIMG" resolve --metadata-only r.recipe)"
	expect_eq "mirror sec deb: 3070 packages, metadata sha256 $(sha "$FX/deb-real-index/dists/bookworm-security/InRelease"), signed by ed541312a33f1128f10b1c6c54404762bbb6e853 (cached)" \
		"$(sed -n 2p .stdout)"
	sec_recipe debian-archive-bookworm-automatic.gpg 1764500000
	expect_eq 1 "$(run_status "$GAPIMG" resolve --metadata-only r.recipe)"
	expect_eq "gapimg resolve: error: mirror sec: dists/bookworm-security/InRelease is signed by key 54404762bbb6e853, bde6d2b9216ec7a8, which is not in the mirror's keys (key=$keys/debian-archive-bookworm-automatic.gpg); add the right key to the recipe if you trust it" \
		"$(cat .stderr)"
	# bookworm-security is valid for a week (Valid-Until 2026-12-05)
	sec_recipe debian-archive-bookworm-security-automatic.gpg 1800000000
	expect_eq 1 "$(run_status "$GAPIMG" resolve --metadata-only r.recipe)"
	expect_eq "gapimg resolve: error: mirror sec: dists/bookworm-security/InRelease expired: Valid-Until Sat, 05 Dec 2026 02:53:00 UTC is before the build's epoch 1800000000; refresh the mirror, or accept the old metadata with --allow-expired" \
		"$(cat .stderr)"
	expect_eq 0 "$(run_status "$GAPIMG" resolve --metadata-only --allow-expired r.recipe)"
}

t_sha1_signed_opensuse_metadata() {
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"
	local r
	for r in opensuse-11.0-update obs-zypp-svn-11.1; do
		need rpm-md-real/$r/repodata/repomd.xml.asc
		echo "mirror suse rpm-md $FX/rpm-md-real/$r key=$FX/rpm-md-real/$r/repodata/repomd.xml.key" | { cat; echo "install zypper"; } | recipe r.recipe
		expect_eq 1 "$(run_status "$GAPIMG" resolve r.recipe)" "$r status"
		# v3 DSA-1024 signatures over SHA-1, from keys that expired in
		# 2010-2011: refused at the first of these
		expect_eq "gapimg resolve: error: mirror suse: repodata/repomd.xml.asc holds no OpenPGP signature gapimg can read (only v4 signature packets are accepted)" \
			"$(cat .stderr)" "$r"
	done
	# unsigned trust still refuses SHA-1 checksums inside repomd.xml
	echo "mirror suse rpm-md $FX/rpm-md-real/opensuse-11.0-update signatures=off" | { cat; echo "install zypper"; } | recipe r.recipe
	expect_eq 1 "$(run_status "$GAPIMG" resolve r.recipe)"
	expect_eq "gapimg resolve: error: mirror suse: repodata/repomd.xml gives repodata/primary.xml.gz only a sha1 checksum; gapimg trusts sha256, sha384 or sha512 (regenerate the metadata with a current createrepo_c or apt-ftparchive)" \
		"$(cat .stderr)"
}

t_centos_stream_9() {
	# BaseOS only: AppStream's 17,649 packages take minutes to parse under
	# AddressSanitizer (libsolv grows its buffers in small steps, and ASan's
	# realloc copies); bench/resolve.sh resolves against both.
	need rpm-md-real/centos-stream9-baseos-2022/repodata/repomd.xml
	echo "mirror baseos rpm-md $FX/rpm-md-real/centos-stream9-baseos-2022 signatures=off" | { cat
	  echo "install bash python3 systemd openssh-server"; } | recipe r.recipe
	# repomd lists other.xml.gz, which is not there and is not needed
	expect_eq 0 "$(run_status "$GAPIMG" resolve --no-cache --metadata-only r.recipe)"
	expect_eq "" "$(cat .stderr)"
	expect_eq "mirror baseos rpm-md: 1125 packages, metadata sha256 $(sha "$FX/rpm-md-real/centos-stream9-baseos-2022/repodata/repomd.xml")" \
		"$(sed -n 1p .stdout)"
	expect_eq "97 packages, 53997696 bytes" "$(tail -n 1 .stdout)"
	# sizes are primary's <size package=...>
	expect_eq "   2 libgcc 11.2.1-9.1.el9 x86_64 baseos 114169" "$(sed -n 3p .stdout)"
	# cold, first cached and warm runs give the same order: libsolv breaks
	# ties by string ids, which differ between parsing XML and .solv files
	cp .stdout cold
	expect_eq 0 "$(run_status "$GAPIMG" resolve --metadata-only r.recipe)"
	cmp cold .stdout
	expect_eq 0 "$(run_status "$GAPIMG" resolve --metadata-only r.recipe)"
	grep -q '(cached)$' .stdout
	expect_eq "$(sed 1d cold)" "$(sed 1d .stdout)"
	# without --metadata-only the missing pool is a problem per package
	expect_eq 3 "$(run_status "$GAPIMG" resolve r.recipe)"
	expect_eq "gapimg resolve: error: the packages cannot be resolved: 97 problems" "$(head -n 1 .stderr)"
}

test_case "Pulp's zoo: versions and dependency chains" t_pulp_zoo
test_case "rpm.org test RPMs: rich dependencies, UTF-8 names, i386" t_rpm_testdata_edge_cases
test_case "Debian 12 closures equal apt's (deb, deb-base with the Essential set)" t_debian_closures_match_apt
test_case "real Debian InRelease: Debian's keys, Valid-Until" t_real_signed_debian_inrelease
test_case "openSUSE's v3, SHA-1 signed metadata is refused" t_sha1_signed_opensuse_metadata
test_case "CentOS Stream 9 BaseOS, cold and warm alike" t_centos_stream_9
finish
