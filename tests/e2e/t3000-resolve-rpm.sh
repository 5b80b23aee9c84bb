#!/usr/bin/env bash
# gapimg resolve on rpm-md and rpm-dir mirrors built in the set-up with
# rpmbuild, createrepo_c and gpg (tests/fixtures/make-repos.sh; what each
# package declares is listed in tests/fixtures/README.md).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/resolve-lib.sh"
make_repos
cd "$WORK"
BASE_MD=$(sha repos/rpm/base/repodata/repomd.xml)

rpm_base() {
	echo "mirror base rpm-md repos/rpm/base key=repos/keys/good.asc"
}

t_versions_provides_files_rich() {
	{ rpm_base; echo "install delta gamma needs-virtual epochy withpre"; } | recipe r.recipe
	expect_eq 0 "$(run_status "$GAPIMG" resolve r.recipe)"
	expect_eq "" "$(cat .stderr)" stderr
	expect_eq "mirror base rpm-md: 18 packages, metadata sha256 $BASE_MD, signed by GOODKEY" \
		"$(grep '^mirror' .stdout | norm)"
	# alpha 2.0 (delta's rich dependency alpha >= 2 with alpha < 3),
	# beta through a file, a virtual provide and a soname, the epoch
	# winning over a higher version, Requires(pre) ordered first
	expect_eq "   1 alpha 2.0-1 x86_64 base 6341
   2 beta 3.1-1 x86_64 base 6426
   3 filesystem-lite 1.0-1 noarch base 6383
   4 epochy 1:0.9-1 noarch base 6347
   5 needs-virtual 1.0-1 noarch base 6429
   6 gamma 1.0-1 x86_64 base 6395
   7 withpre 1.0-1 noarch base 6376
   8 delta 1.0-1 noarch base 6443
8 packages, 51140 bytes" "$(pkgs)"
}

t_problems_in_plain_words() {
	{ rpm_base; printf 'install broken\ninstall conflicter alpha\ninstall oldname newname\n'; } | recipe r.recipe
	expect_eq 3 "$(run_status "$GAPIMG" resolve r.recipe)"
	expect_eq "" "$(cat .stdout)" stdout
	expect_eq "gapimg resolve: error: the packages cannot be resolved: 3 problems
problem 1: conflicter-1.0-1.noarch from mirror base conflicts with alpha, provided by alpha-1.0-1.x86_64 from mirror base
  because:
    - conflicter-1.0-1.noarch from mirror base conflicts with alpha, provided by alpha-2.0-1.x86_64 from mirror base
    - requested: install alpha (r.recipe:7:20)
    - requested: install conflicter (r.recipe:7:9)
  possible solutions:
    1. leave out install conflicter (r.recipe:7:9)
    2. leave out install alpha (r.recipe:7:20)
problem 2: newname-2.0-1.noarch from mirror base obsoletes oldname < 2, provided by oldname-1.0-1.noarch from mirror base
  because:
    - requested: install newname (r.recipe:8:17)
    - requested: install oldname (r.recipe:8:9)
  possible solutions:
    1. leave out install oldname (r.recipe:8:9)
    2. leave out install newname (r.recipe:8:17)
problem 3: nothing provides libmissing.so.1()(64bit) needed by broken-1.2-3.x86_64 from mirror base
  because:
    - requested: install broken (r.recipe:6:9)
  possible solutions:
    1. leave out install broken (r.recipe:6:9)" "$(cat .stderr)"
}

t_requests_that_match_nothing() {
	{ rpm_base; printf 'install archy nosuch\ninstall alpha > 5\n'; } | recipe r.recipe
	expect_eq 3 "$(run_status "$GAPIMG" resolve r.recipe)"
	expect_eq "gapimg resolve: error: the packages cannot be resolved: 3 problems
problem 1: r.recipe:6:15: install nosuch: no package in any mirror has this name, provides it or contains this file
  possible solutions:
    1. remove \"nosuch\" from the install line at r.recipe:6:15, or add a mirror that has it
problem 2: r.recipe:6:9: install archy: only archy-1.0-1.i686 from mirror base matches, which is not for the image's architecture x86_64
  possible solutions:
    1. remove \"archy\" from the install line at r.recipe:6:9, or add a mirror that has it
problem 3: r.recipe:7:9: install alpha > 5: no version matches the constraint; the mirrors have alpha-1.0-1.x86_64 from mirror base, alpha-2.0-1.x86_64 from mirror base
  possible solutions:
    1. remove \"alpha > 5\" from the install line at r.recipe:7:9, or add a mirror that has it" "$(cat .stderr)"
}

t_excludes() {
	{ rpm_base; printf 'exclude "alpha*"\ninstall delta\n'; } | recipe r.recipe
	expect_eq 3 "$(run_status "$GAPIMG" resolve r.recipe)"
	expect_eq "gapimg resolve: error: the packages cannot be resolved: 1 problem
problem 1: delta-1.0-1.noarch from mirror base requires (alpha >= 2 with alpha < 3), but none of the packages that provide it can be installed
  because:
    - alpha-2.0-1.x86_64 from mirror base is excluded by the recipe
    - requested: install delta (r.recipe:7:9)
  possible solutions:
    1. leave out install delta (r.recipe:7:9)" "$(cat .stderr)"
	{ rpm_base; printf 'exclude "rec-e*"\nrecommends on\ninstall rec-app\n'; } | recipe r.recipe
	expect_eq 0 "$(run_status "$GAPIMG" resolve r.recipe)"
	expect_eq "   1 rec-app 1.0-1 noarch base 6360
1 package, 6360 bytes" "$(pkgs)"
}

t_recommends_off_and_on() {
	{ rpm_base; echo "install rec-app"; } | recipe r.recipe
	expect_eq 0 "$(run_status "$GAPIMG" resolve r.recipe)"
	expect_eq "   1 rec-app 1.0-1 noarch base 6360
1 package, 6360 bytes" "$(pkgs)"
	{ rpm_base; printf 'recommends on\ninstall rec-app\n'; } | recipe r.recipe
	expect_eq 0 "$(run_status "$GAPIMG" resolve r.recipe)"
	expect_eq "   1 rec-extra 1.0-1 noarch base 6352
   2 rec-app 1.0-1 noarch base 6360
2 packages, 12712 bytes" "$(pkgs)"
}

t_priorities_constraints_and_mirror_choice() {
	{ rpm_base; echo "mirror updates rpm-md repos/rpm/updates key=repos/keys/good.asc priority=10"
	  echo "install alpha"; } | recipe r.recipe
	expect_eq 0 "$(run_status "$GAPIMG" resolve r.recipe)"
	# the higher priority wins over the newer alpha-2.0-1 in base
	expect_eq "   1 alpha 1.5-1 x86_64 updates 6341
1 package, 6341 bytes" "$(pkgs)"
	# ... but a dependency that needs alpha >= 2 still gets it from base
	{ rpm_base; echo "mirror updates rpm-md repos/rpm/updates key=repos/keys/good.asc priority=10"
	  echo "install delta"; } | recipe r.recipe
	expect_eq 0 "$(run_status "$GAPIMG" resolve r.recipe)"
	expect_eq "   1 alpha 2.0-1 x86_64 base 6341
   2 beta 3.1-1 x86_64 base 6426
   3 delta 1.0-1 noarch base 6443
3 packages, 19210 bytes" "$(pkgs)"
	# equal priorities: the newest version
	{ rpm_base; echo "mirror updates rpm-md repos/rpm/updates key=repos/keys/good.asc"
	  echo "install alpha"; echo "install /usr/bin/beta-tool"; } | recipe r.recipe
	expect_eq 0 "$(run_status "$GAPIMG" resolve r.recipe)"
	expect_eq "   1 beta 3.1-1 x86_64 base 6426
   2 alpha 2.0-1 x86_64 base 6341
2 packages, 12767 bytes" "$(pkgs)"
	# a constraint and mirror=ID
	{ rpm_base; echo "mirror updates rpm-md repos/rpm/updates key=repos/keys/good.asc"
	  echo "install alpha < 2 mirror=updates"; } | recipe r.recipe
	expect_eq 0 "$(run_status "$GAPIMG" resolve r.recipe)"
	expect_eq "   1 alpha 1.5-1 x86_64 updates 6341
1 package, 6341 bytes" "$(pkgs)"
	{ rpm_base; echo "mirror updates rpm-md repos/rpm/updates key=repos/keys/good.asc"
	  echo "install gamma mirror=updates"; } | recipe r.recipe
	expect_eq 3 "$(run_status "$GAPIMG" resolve r.recipe)"
	expect_eq "problem 1: r.recipe:7:9: install gamma: mirror updates has no package that matches it, but mirror base does (drop mirror=updates, or add the package to mirror updates)" \
		"$(sed -n 2p .stderr)"
}

t_strict_arch_policy() {
	{ rpm_base; echo "install foreign"; } | recipe r.recipe
	expect_eq 3 "$(run_status "$GAPIMG" resolve r.recipe)"
	expect_eq "problem 1: r.recipe:6:9: install foreign: only foreign-1.0-1.aarch64 from mirror base matches, which is not for the image's architecture x86_64" \
		"$(sed -n 2p .stderr)"
}

t_tampered_metadata_is_refused() {
	echo "mirror base rpm-md repos/rpm/tampered key=repos/keys/good.asc" | { cat; echo "install alpha"; } | recipe r.recipe
	local primary
	primary=$(cd repos/rpm/tampered && ls repodata/*-primary.xml.gz)
	expect_eq 1 "$(run_status "$GAPIMG" lock r.recipe)"
	expect_eq "gapimg lock: error: mirror base: $primary does not match repodata/repomd.xml: sha256 is $(sha repos/rpm/tampered/$primary), the metadata says $(basename "$primary" -primary.xml.gz); the mirror is damaged, half-synced or tampered with (re-sync it)" \
		"$(cat .stderr)"
	[ ! -e r.lock ] || { echo "a lock was written"; return 1; }
}

t_bad_or_missing_signature_is_refused() {
	echo "mirror base rpm-md repos/rpm/badsig key=repos/keys/good.asc" | { cat; echo "install alpha"; } | recipe r.recipe
	expect_eq 1 "$(run_status "$GAPIMG" resolve r.recipe)"
	expect_eq "gapimg resolve: error: mirror base: repodata/repomd.xml.asc is signed by key WRONGKEYID, which is not in the mirror's keys (key=repos/keys/good.asc); add the right key to the recipe if you trust it" \
		"$(norm <.stderr)"
	echo "mirror base rpm-md repos/rpm/unsigned key=repos/keys/good.asc" | { cat; echo "install alpha"; } | recipe r.recipe
	expect_eq 1 "$(run_status "$GAPIMG" resolve r.recipe)"
	expect_eq "gapimg resolve: error: mirror base: repodata/repomd.xml.asc does not exist, but the recipe requires signed metadata; sign repomd.xml (gpg --detach-sign --armor), or set signatures=packages to rely on the packages' own signatures (as Fedora and EL mirrors need)" \
		"$(cat .stderr)"
	# repomd.xml changed after signing: the signature no longer matches
	cp -a repos/rpm/base base-edited
	sed -i 's|<revision>1700000000</revision>|<revision>1700000001</revision>|' base-edited/repodata/repomd.xml
	echo "mirror base rpm-md base-edited key=repos/keys/good.asc" | { cat; echo "install alpha"; } | recipe r.recipe
	expect_eq 1 "$(run_status "$GAPIMG" resolve r.recipe)"
	expect_eq "gapimg resolve: error: mirror base: the signature in repodata/repomd.xml.asc does not match repodata/repomd.xml: the file was changed after it was signed (key GOODKEYID); re-sync the mirror" \
		"$(norm <.stderr)"
	# signatures=off trusts the unsigned copy, and says so in the plan
	echo "mirror base rpm-md repos/rpm/unsigned signatures=off" | { cat; echo "install alpha"; } | recipe r.recipe
	expect_eq 0 "$(run_status "$GAPIMG" resolve r.recipe)"
	expect_eq "mirror base rpm-md: 18 packages, metadata sha256 $BASE_MD" "$(head -n 1 .stdout)"
}

t_expired_signing_key() {
	# a key made in 2020 that expired after 365 days, signing repomd.xml in
	# 2020; the recipe's epoch is in 2023 (gpg's socket path must be short)
	local gh
	gh=$(mktemp -d /tmp/gapimg-gpg.XXXXXX)
	export GNUPGHOME=$gh
	gpg() { command gpg --batch --quiet --pinentry-mode loopback --passphrase '' "$@"; }
	gpg --faked-system-time 20200101T000000 --quick-gen-key 'gapimg expired test <expired@gapimg.invalid>' ed25519 sign 1y 2>/dev/null
	gpg --armor --export expired@gapimg.invalid >expired.asc
	local fpr
	fpr=$(gpg --with-colons --list-keys expired@gapimg.invalid | awk -F: '$1 == "fpr" { print tolower($10); exit }')
	cp -a repos/rpm/base base-expired
	rm base-expired/repodata/repomd.xml.asc
	gpg --faked-system-time 20200601T000000 --armor --detach-sign -u expired@gapimg.invalid \
		-o base-expired/repodata/repomd.xml.asc base-expired/repodata/repomd.xml 2>/dev/null
	command gpgconf --kill all
	rm -rf "$gh"
	echo "mirror base rpm-md base-expired key=expired.asc" | { cat; echo "install alpha"; } | recipe r.recipe
	expect_eq 1 "$(run_status "$GAPIMG" resolve r.recipe)"
	expect_eq "gapimg resolve: error: mirror base: repodata/repomd.xml is signed by key $fpr, which expired on 2020-12-31 00:00:00 UTC, before the build's epoch 1700000000 (2023-11-14 22:13:20 UTC); use a current key, or accept it with --allow-expired" \
		"$(cat .stderr)"
	expect_eq 0 "$(run_status "$GAPIMG" resolve --allow-expired r.recipe)"
	expect_eq "gapimg resolve: note: mirror base: repodata/repomd.xml is signed by key $fpr, which expired on 2020-12-31 00:00:00 UTC, before the build's epoch; accepted: --allow-expired" \
		"$(cat .stderr)"
	# at an epoch when the key was valid, it is simply good
	sed -i 's/^epoch .*/epoch 1590000000/' r.recipe
	expect_eq 0 "$(run_status "$GAPIMG" resolve r.recipe)"
	expect_eq "" "$(cat .stderr)"
}

t_rpm_dir() {
	echo "mirror local rpm-dir repos/rpm/dir signatures=off" | { cat; echo "install gamma"; } | recipe r.recipe
	expect_eq 0 "$(run_status "$GAPIMG" resolve r.recipe)"
	local listing
	listing=$(cd repos/rpm/dir && for f in $(ls | LC_ALL=C sort); do
		printf '%s %s %s\n' "$f" "$(stat -c %s "$f")" "$(sha "$f")"; done | sha256sum | cut -d' ' -f1)
	expect_eq "mirror local rpm-dir: 4 packages, metadata sha256 $listing
   1 beta 3.1-1 x86_64 local 6426
   2 gamma 1.0-1 x86_64 local 6395
2 packages, 12821 bytes" "$(cat .stdout)"
	# a file that is not an RPM is named, not skipped
	echo "not an rpm" >repos/rpm/dir/zz-broken.rpm
	expect_eq 1 "$(run_status "$GAPIMG" resolve r.recipe)"
	grep -q "^gapimg resolve: error: mirror local: zz-broken.rpm is not a readable RPM package" .stderr
	rm repos/rpm/dir/zz-broken.rpm
}

t_xml_base() {
	echo "mirror base rpm-md repos/rpm/xmlbase key=repos/keys/good.asc" | { cat; echo "install gamma"; } | recipe r.recipe
	expect_eq 0 "$(run_status "$GAPIMG" resolve --json r.recipe)"
	expect_eq "pkgs/beta-3.1-1.x86_64.rpm $(sha repos/rpm/xmlbase/pkgs/beta-3.1-1.x86_64.rpm)
pkgs/gamma-1.0-1.x86_64.rpm $(sha repos/rpm/xmlbase/pkgs/gamma-1.0-1.x86_64.rpm)" \
		"$(python3 -c 'import json,sys; [print(p["location"], p["sha256"]) for p in json.load(sys.stdin)["packages"]]' <.stdout)"
	# packages only at the xml:base: not followed, and named in the problem
	echo "mirror base rpm-md repos/rpm/xmlbase-remote key=repos/keys/good.asc" | { cat; echo "install gamma"; } | recipe r.recipe
	expect_eq 3 "$(run_status "$GAPIMG" resolve r.recipe)"
	expect_eq "problem 1: mirror base does not have pkgs/beta-3.1-1.x86_64.rpm, which its metadata lists for beta-3.1-1.x86_64 (the metadata's xml:base is file://$WORK/repos/rpm/xmlbase/; gapimg reads packages relative to the mirror folder)" \
		"$(sed -n 2p .stderr)"
	# --metadata-only plans from the index alone
	expect_eq 0 "$(run_status "$GAPIMG" resolve --metadata-only r.recipe)"
}

t_cache_is_used_and_damage_is_rebuilt() {
	export XDG_CACHE_HOME=$WORK/cache-case
	{ rpm_base; echo "install delta"; } | recipe r.recipe
	expect_eq 0 "$(run_status "$GAPIMG" resolve r.recipe)"
	local first
	first=$(pkgs)
	expect_eq 1 "$(ls "$XDG_CACHE_HOME"/gapimg/solv/*.solv | wc -l)" "cache entries"
	expect_eq 0 "$(run_status "$GAPIMG" resolve r.recipe)"
	grep -q '^mirror base rpm-md: .*(cached)$' .stdout
	expect_eq "$first" "$(pkgs)"
	# flip one byte in the middle of the entry: ignored, noted, rebuilt
	local f size
	f=$(ls "$XDG_CACHE_HOME"/gapimg/solv/*.solv)
	size=$(stat -c %s "$f")
	printf '\x55' | dd of="$f" bs=1 seek=$((size / 2)) conv=notrunc status=none
	expect_eq 0 "$(run_status "$GAPIMG" resolve r.recipe)"
	expect_eq "gapimg resolve: note: mirror base: ignored a damaged cache entry $f; rebuilding it" "$(cat .stderr)"
	expect_eq "$first" "$(pkgs)"
	! grep -q '(cached)' .stdout
	expect_eq 0 "$(run_status "$GAPIMG" resolve r.recipe)"
	grep -q '(cached)$' .stdout
	# a truncated entry too; and --cache-dir / --no-cache
	truncate -s 100 "$f"
	expect_eq 0 "$(run_status "$GAPIMG" resolve r.recipe)"
	grep -q "ignored a damaged cache entry" .stderr
	expect_eq 0 "$(run_status "$GAPIMG" resolve --no-cache --cache-dir elsewhere r.recipe)"
	[ ! -e elsewhere ]
	expect_eq 0 "$(run_status "$GAPIMG" resolve --cache-dir elsewhere r.recipe)"
	expect_eq 1 "$(ls elsewhere/solv/*.solv | wc -l)" "cache entries"
	# the cache is keyed by the metadata: another repomd is another entry
	{ echo "mirror base rpm-md repos/rpm/unsigned signatures=off"; echo "install delta"; } | recipe u.recipe
	expect_eq 0 "$(run_status "$GAPIMG" resolve u.recipe)"
	! grep -q '(cached)' .stdout
}

t_json() {
	{ rpm_base; echo "install gamma"; } | recipe r.recipe
	expect_eq 0 "$(run_status "$GAPIMG" resolve --json r.recipe)"
	python3 - .stdout "$GOOD" "$BASE_MD" "$(sha repos/rpm/base/beta-3.1-1.x86_64.rpm)" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["family"] == "rpm" and d["arch"] == "x86_64", d
m = d["mirrors"][0]
assert m["id"] == "base" and m["type"] == "rpm-md" and m["signed_by"] == sys.argv[2], m
assert m["metadata_sha256"] == sys.argv[3] and m["revision"] == "1700000000", m
assert [(p["order"], p["name"], p["evr"]) for p in d["packages"]] == [(1, "beta", "3.1-1"), (2, "gamma", "1.0-1")], d
assert d["packages"][0]["sha256"] == sys.argv[4] and d["packages"][0]["location"] == "beta-3.1-1.x86_64.rpm"
assert d["problems"] == [] and d["notes"] == []
EOF
	{ rpm_base; echo "install broken"; } | recipe r.recipe
	expect_eq 3 "$(run_status "$GAPIMG" resolve --json r.recipe)"
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["packages"]==[] and d["problems"][0]["summary"].startswith("nothing provides libmissing"), d' .stdout
}

t_usage_errors() {
	expect_eq 2 "$(run_status "$GAPIMG" resolve)"
	expect_eq "gapimg resolve: error: give exactly one recipe
Run 'gapimg resolve --help' for usage." "$(cat .stderr)"
	expect_eq 2 "$(run_status "$GAPIMG" resolve --bogus x.recipe)"
	expect_eq 0 "$(run_status "$GAPIMG" resolve --help)"
	grep -q -- '--metadata-only' .stdout
	printf 'fragment\nmirror base rpm-md repos/rpm/base signatures=off\ninstall alpha\n' >f.recipe
	expect_eq 2 "$(run_status "$GAPIMG" resolve f.recipe)"
	expect_eq "gapimg resolve: error: f.recipe is a fragment (it says \"fragment\"): it is included by image recipes and cannot be resolved on its own" \
		"$(cat .stderr)"
}

test_case "versions, epochs, provides, file and rich dependencies resolve" t_versions_provides_files_rich
test_case "unsatisfiable requests are explained with versions, mirrors and recipe lines" t_problems_in_plain_words
test_case "requests that match nothing say why" t_requests_that_match_nothing
test_case "excludes hide packages" t_excludes
test_case "recommends are off by default" t_recommends_off_and_on
test_case "mirror priorities, version constraints and mirror=ID" t_priorities_constraints_and_mirror_choice
test_case "i686 and aarch64 packages are not candidates for x86_64" t_strict_arch_policy
test_case "a primary file that does not match repomd is refused, nothing written" t_tampered_metadata_is_refused
test_case "a bad, missing or stale signature is refused when required" t_bad_or_missing_signature_is_refused
test_case "a signing key that expired before the epoch is refused" t_expired_signing_key
test_case "a plain folder of RPMs resolves" t_rpm_dir
test_case "xml:base is not followed" t_xml_base
test_case "the metadata cache is used, and a damaged entry rebuilt" t_cache_is_used_and_damage_is_rebuilt
test_case "--json" t_json
test_case "usage errors" t_usage_errors
finish
