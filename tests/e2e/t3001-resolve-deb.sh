#!/usr/bin/env bash
# gapimg resolve on Debian archives built in the set-up with dpkg-deb,
# apt-ftparchive and gpg (tests/fixtures/make-repos.sh): Release +
# Release.gpg, InRelease alone, by-hash, Valid-Until, the base set, and
# what apt itself would refuse.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/resolve-lib.sh"
make_repos
cd "$WORK"

deb_mirror() {
	echo "mirror deb deb repos/deb suite=$1 key=repos/keys/good.asc"
}

# What apt-get -s installs for "hello mta-user" on this archive (checked
# when the fixture was made, tests/fixtures/README.md).
HELLO_SET="   1 base-files 12.4 amd64 deb 1020
   2 mailer 1.0-1 amd64 deb 1028
   3 libgreet1 1.2-1 amd64 deb 1024
   4 mta-user 1.0-1 amd64 deb 1036
   5 hello 2.10-3 amd64 deb 1052
5 packages, 5160 bytes"

t_release_gpg_inrelease_byhash() {
	local suite file
	for suite in stable inrelease-only byhash; do
		{ deb_mirror $suite; echo "install hello mta-user"; } | recipe r.recipe
		expect_eq 0 "$(run_status "$GAPIMG" resolve r.recipe)" "$suite status"
		# the digest is of the file whose signature was checked
		file=Release
		[ $suite = inrelease-only ] && file=InRelease
		expect_eq "mirror deb deb: 20 packages, metadata sha256 $(sha repos/deb/dists/$suite/$file), signed by GOODKEY" \
			"$(head -n 1 .stdout | norm)" "$suite mirror line"
		expect_eq "$HELLO_SET" "$(pkgs)" "$suite packages"
		expect_eq "" "$(cat .stderr)" "$suite stderr"
	done
}

t_chosen_set_is_a_closure() {
	# dose-debcheck, on the Packages stanzas of the chosen set alone:
	# every chosen package must be installable from the set itself
	command -v dose-debcheck >/dev/null || skip_case "dose-debcheck is not installed (scripts/setup installs dose-distcheck)"
	{ deb_mirror stable; echo "install hello mta-user ess-tool deb-rec allarch"; } | recipe r.recipe
	expect_eq 0 "$(run_status "$GAPIMG" resolve --json r.recipe)"
	python3 - .stdout repos/deb/dists/stable/main/binary-amd64/Packages >subset <<'EOF'
import json, sys
chosen = {(p["name"], p["evr"]) for p in json.load(open(sys.argv[1]))["packages"]}
for stanza in open(sys.argv[2]).read().split("\n\n"):
    f = dict(l.split(": ", 1) for l in stanza.splitlines() if ": " in l and not l.startswith(" "))
    if (f.get("Package"), f.get("Version")) in chosen:
        print(stanza.strip() + "\n")
EOF
	expect_eq 9 "$(grep -c '^Package:' subset)" "stanzas"
	dose-debcheck --deb-native-arch=amd64 --failures --explain subset >dose.out || {
		cat dose.out; return 1; }
	grep -q '^broken-packages: 0$' dose.out || { cat dose.out; return 1; }
}

t_expired_release() {
	{ deb_mirror expired; echo "install hello"; } | recipe r.recipe
	expect_eq 1 "$(run_status "$GAPIMG" resolve r.recipe)"
	expect_eq "gapimg resolve: error: mirror deb: dists/expired/Release expired: Valid-Until Wed, 01 Jan 2020 00:00:00 UTC is before the build's epoch 1700000000; refresh the mirror, or accept the old metadata with --allow-expired" \
		"$(cat .stderr)"
	expect_eq 0 "$(run_status "$GAPIMG" resolve --allow-expired r.recipe)"
	expect_eq "gapimg resolve: note: mirror deb: dists/expired/Release expired (Valid-Until Wed, 01 Jan 2020 00:00:00 UTC) before the build's epoch 1700000000; accepted: --allow-expired" \
		"$(cat .stderr)"
	# the check is against the recipe's epoch, not the wall clock
	sed -i 's/^epoch 1700000000$/epoch 1546300800/' r.recipe
	expect_eq 0 "$(run_status "$GAPIMG" resolve r.recipe)"
}

t_tampered_and_badly_signed() {
	{ deb_mirror tampered; echo "install hello"; } | recipe r.recipe
	expect_eq 1 "$(run_status "$GAPIMG" lock r.recipe)"
	expect_eq "gapimg lock: error: mirror deb: dists/tampered/main/binary-amd64/Packages is 12336 bytes, dists/tampered/Release says 12325; the mirror is damaged, half-synced or tampered with (re-sync it)" \
		"$(cat .stderr)"
	[ ! -e r.lock ]
	# same size, other bytes: the checksum catches it; the plain index is
	# read first, the compressed ones when it is absent
	cp -a repos/deb deb-copy
	local dir=deb-copy/dists/stable/main/binary-amd64 idx
	echo "mirror deb deb deb-copy suite=stable key=repos/keys/good.asc" | { cat; echo "install hello"; } | recipe r.recipe
	for idx in Packages Packages.gz Packages.xz; do
		printf '\x00' | dd of=$dir/$idx bs=1 seek=100 conv=notrunc status=none
		expect_eq 1 "$(run_status "$GAPIMG" resolve r.recipe)" "$idx status"
		expect_eq "gapimg resolve: error: mirror deb: dists/stable/main/binary-amd64/$idx does not match dists/stable/Release: sha256 is $(sha $dir/$idx), the metadata says $(sha repos/deb/dists/stable/main/binary-amd64/$idx); the mirror is damaged, half-synced or tampered with (re-sync it)" \
			"$(cat .stderr)" "$idx"
		rm $dir/$idx
	done
	expect_eq 1 "$(run_status "$GAPIMG" resolve r.recipe)"
	expect_eq "gapimg resolve: error: mirror deb: dists/stable/Release lists main/binary-amd64/Packages, but no such file exists in $WORK/deb-copy/dists/stable (the mirror is incomplete; re-sync it)" \
		"$(cat .stderr)"
	# each compressed form on its own gives the same answer
	for idx in Packages.gz Packages.xz; do
		rm -f $dir/Packages*
		cp repos/deb/dists/stable/main/binary-amd64/$idx $dir/
		expect_eq 0 "$(run_status "$GAPIMG" resolve --no-cache r.recipe)" "$idx alone"
		expect_eq "hello" "$(pkgs | awk 'NF == 6 && $2 == "hello" { print $2 }')"
	done
	{ deb_mirror badsig; echo "install hello"; } | recipe r.recipe
	expect_eq 1 "$(run_status "$GAPIMG" resolve r.recipe)"
	expect_eq "gapimg resolve: error: mirror deb: dists/badsig/Release.gpg is signed by key WRONGKEYID, which is not in the mirror's keys (key=repos/keys/good.asc); add the right key to the recipe if you trust it" \
		"$(norm <.stderr)"
	# InRelease whose text was changed after signing
	rm -rf deb-copy && cp -a repos/deb deb-copy
	sed -i 's/^Label: gapimg-test$/Label: gapimg-test2/' deb-copy/dists/inrelease-only/InRelease
	echo "mirror deb deb deb-copy suite=inrelease-only key=repos/keys/good.asc" | { cat; echo "install hello"; } | recipe r.recipe
	expect_eq 1 "$(run_status "$GAPIMG" resolve r.recipe)"
	expect_eq "gapimg resolve: error: mirror deb: the signature in dists/inrelease-only/InRelease does not match dists/inrelease-only/InRelease: the file was changed after it was signed (key GOODKEYID); re-sync the mirror" \
		"$(norm <.stderr)"
	# the right key, binary keyring form
	echo "mirror deb deb repos/deb suite=badsig key=repos/keys/wrong.gpg" | { cat; echo "install hello"; } | recipe r.recipe
	expect_eq 0 "$(run_status "$GAPIMG" resolve r.recipe)"
}

t_release_of_another_suite_is_refused() {
	cp -a repos/deb deb-copy2
	rm -rf deb-copy2/dists/testing && cp -a deb-copy2/dists/stable deb-copy2/dists/testing
	echo "mirror deb deb deb-copy2 suite=testing key=repos/keys/good.asc" | { cat; echo "install hello"; } | recipe r.recipe
	expect_eq 1 "$(run_status "$GAPIMG" resolve r.recipe)"
	expect_eq "gapimg resolve: error: mirror deb: dists/testing/Release is for suite stable (codename stable), not testing; a Release from another suite is refused (it could roll the mirror back)" \
		"$(cat .stderr)"
}

t_missing_component_or_release() {
	echo "mirror deb deb repos/deb suite=stable components=main,contrib key=repos/keys/good.asc" | { cat; echo "install hello"; } | recipe r.recipe
	expect_eq 1 "$(run_status "$GAPIMG" resolve r.recipe)"
	expect_eq "gapimg resolve: error: mirror deb: dists/stable/Release lists no contrib/binary-amd64/Packages file: the suite has no component contrib for amd64 (Components: main)" \
		"$(cat .stderr)"
	echo "mirror deb deb repos/deb suite=nosuch key=repos/keys/good.asc" | { cat; echo "install hello"; } | recipe r.recipe
	expect_eq 1 "$(run_status "$GAPIMG" resolve r.recipe)"
	expect_eq "gapimg resolve: error: mirror deb: $WORK/repos/deb/dists/nosuch has neither Release nor InRelease: not a Debian archive for suite nosuch (check the mirror folder and suite=)" \
		"$(cat .stderr)"
}

t_debian_base_sets() {
	{ deb_mirror stable; echo "debian-base essential"; } | recipe r.recipe
	expect_eq 0 "$(run_status "$GAPIMG" resolve r.recipe)"
	expect_eq "   1 base-files 12.4 amd64 deb 1020
   2 libess1 1.0-1 amd64 deb 1028
   3 ess-tool 1.0-1 amd64 deb 1044
3 packages, 3092 bytes" "$(pkgs)"
	{ deb_mirror stable; echo "debian-base required"; } | recipe r.recipe
	expect_eq 0 "$(run_status "$GAPIMG" resolve r.recipe)"
	expect_eq "base-files libess1 req-only ess-tool" "$(pkgs | awk 'NF == 6 { printf "%s%s", s, $2; s = " " }')"
	# from the cache, the fields libsolv does not keep are still there
	expect_eq 0 "$(run_status "$GAPIMG" resolve r.recipe)"
	grep -q '(cached)$' .stdout
	expect_eq "base-files libess1 req-only ess-tool" "$(pkgs | awk 'NF == 6 { printf "%s%s", s, $2; s = " " }')"
}

t_epochs_recommends_conflicts() {
	{ deb_mirror stable; echo "install epoch-deb allarch deb-rec"; } | recipe r.recipe
	expect_eq 0 "$(run_status "$GAPIMG" resolve r.recipe)"
	expect_eq "   1 allarch 1.0 all deb 1008
   2 deb-rec 1.0-1 amd64 deb 1016
   3 epoch-deb 1:0.5-1 amd64 deb 1016
3 packages, 3040 bytes" "$(pkgs)"
	{ deb_mirror stable; printf 'recommends on\ninstall deb-rec\n'; } | recipe r.recipe
	expect_eq 0 "$(run_status "$GAPIMG" resolve r.recipe)"
	expect_eq "deb-rec-extra deb-rec" "$(pkgs | awk 'NF == 6 { printf "%s%s", s, $2; s = " " }')"
	{ deb_mirror stable; echo "install hello breaker deb-broken"; echo "install libgreet1 < 1.1"; } | recipe r.recipe
	expect_eq 3 "$(run_status "$GAPIMG" resolve r.recipe)"
	expect_eq "gapimg resolve: error: the packages cannot be resolved: 2 problems
problem 1: breaker 1.0-1 (amd64) from mirror deb conflicts with hello << 3, provided by hello 2.10-3 (amd64) from mirror deb
  because:
    - requested: install breaker (r.recipe:6:15)
    - requested: install hello (r.recipe:6:9)
  possible solutions:
    1. leave out install hello (r.recipe:6:9)
    2. leave out install breaker (r.recipe:6:15)
problem 2: nothing provides libnothing0 needed by deb-broken 1.0-1 (amd64) from mirror deb
  because:
    - requested: install deb-broken (r.recipe:6:23)
  possible solutions:
    1. leave out install deb-broken (r.recipe:6:23)" "$(cat .stderr)"
	# hello's "libgreet1 (>= 1.1) | libgreet-compat" with old libgreet1 forced
	{ deb_mirror stable; echo "install hello libgreet1 < 1.1"; } | recipe r.recipe
	expect_eq 0 "$(run_status "$GAPIMG" resolve r.recipe)"
	expect_eq "libgreet1=1.0-1 base-files libgreet-compat=1.0-1 hello=2.10-3" \
		"$(pkgs | awk 'NF == 6 { printf "%s%s", s, ($2 == "base-files" ? $2 : $2 "=" $3); s = " " }')"
}

t_signatures_off() {
	cp -a repos/deb deb-unsigned
	rm deb-unsigned/dists/stable/Release.gpg deb-unsigned/dists/stable/InRelease
	echo "mirror deb deb deb-unsigned suite=stable key=repos/keys/good.asc" | { cat; echo "install hello"; } | recipe r.recipe
	expect_eq 1 "$(run_status "$GAPIMG" resolve r.recipe)"
	expect_eq "gapimg resolve: error: mirror deb: dists/stable/Release.gpg does not exist (and there is no InRelease), but the recipe requires signed metadata; sign the Release or set signatures=off on the mirror" \
		"$(cat .stderr)"
	echo "mirror deb deb deb-unsigned suite=stable signatures=off" | { cat; echo "install hello"; } | recipe r.recipe
	expect_eq 0 "$(run_status "$GAPIMG" resolve r.recipe)"
	expect_eq "mirror deb deb: 20 packages, metadata sha256 $(sha repos/deb/dists/stable/Release)" "$(head -n 1 .stdout)"
}

test_case "Release+Release.gpg, InRelease alone and by-hash give apt's answer" t_release_gpg_inrelease_byhash
test_case "the chosen set is a closure (dose-debcheck)" t_chosen_set_is_a_closure
test_case "Valid-Until is checked against the recipe's epoch" t_expired_release
test_case "tampered indexes and wrong signatures are refused" t_tampered_and_badly_signed
test_case "a Release of another suite is refused" t_release_of_another_suite_is_refused
test_case "a missing component or suite is named" t_missing_component_or_release
test_case "debian-base essential and required" t_debian_base_sets
test_case "epochs, Architecture: all, recommends, Breaks, alternatives" t_epochs_recommends_conflicts
test_case "signatures=off" t_signatures_off
finish
