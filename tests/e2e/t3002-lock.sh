#!/usr/bin/env bash
# gapimg lock and gapimg lock --check: the lock file's exact text, its
# round trip, stale and broken locks, and that a failure keeps the old
# lock (docs/lock.md).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/resolve-lib.sh"
make_repos
cd "$WORK"

# sha256= fields checked against the package files, then replaced by SHA.
check_shas() {
	local lock=$1 root=$2
	python3 - "$lock" "$root" <<'EOF'
import hashlib, os, re, sys
for line in open(sys.argv[1]):
    if not line.startswith("package "):
        continue
    kv = dict(w.split("=", 1) for w in line.split()[5:])
    data = open(os.path.join(sys.argv[2], kv["location"]), "rb").read()
    assert hashlib.sha256(data).hexdigest() == kv["sha256"], line
    assert len(data) == int(kv["size"]), line
EOF
	sed -E 's/sha256=[0-9a-f]{64}/sha256=SHA/' "$lock"
}

t_round_trip() {
	{ echo "mirror base rpm-md repos/rpm/base key=repos/keys/good.asc"
	  echo "mirror updates rpm-md repos/rpm/updates key=repos/keys/good.asc priority=10"
	  echo "install delta gamma epochy"; } | recipe app.recipe
	expect_eq 0 "$(run_status "$GAPIMG" lock app.recipe)"
	expect_eq "gapimg lock: wrote app.lock: 5 packages from 2 mirrors" "$(cat .stderr)"
	expect_eq "" "$(cat .stdout)" stdout
	expect_eq 644 "$(stat -c %a app.lock)" mode
	local digest
	digest=$("$GAPIMG" show --json app.recipe | python3 -c 'import json,sys; print(json.load(sys.stdin)["digest"])')
	expect_eq "# gapimg lock file: the exact packages this recipe resolved to.
# Written by \"gapimg lock\"; review changes to it like code.
# The format is described in docs/lock.md.
lock 1
recipe $digest
family rpm
arch x86_64

mirror base rpm-md metadata=$(sha repos/rpm/base/repodata/repomd.xml) revision=1700000000 signed-by=GOODKEY
mirror updates rpm-md metadata=$(sha repos/rpm/updates/repodata/repomd.xml) revision=1700000000 signed-by=GOODKEY

package alpha 2.0-1 x86_64 base order=1 size=6341 sha256=SHA location=alpha-2.0-1.x86_64.rpm
package beta 3.1-1 x86_64 base order=2 size=6426 sha256=SHA location=beta-3.1-1.x86_64.rpm
package delta 1.0-1 noarch base order=5 size=6443 sha256=SHA location=delta-1.0-1.noarch.rpm
package epochy 1:0.9-1 noarch base order=3 size=6347 sha256=SHA location=epochy-0.9-1.noarch.rpm
package gamma 1.0-1 x86_64 base order=4 size=6395 sha256=SHA location=gamma-1.0-1.x86_64.rpm" \
		"$(check_shas app.lock repos/rpm/base | norm)"
	expect_eq 0 "$(run_status "$GAPIMG" lock --check app.recipe)"
	expect_eq "gapimg lock: app.lock is current: 5 packages" "$(cat .stderr)"
	# the same bytes again, also without the cache
	cp app.lock first.lock
	expect_eq 0 "$(run_status "$GAPIMG" lock --no-cache -q app.recipe)"
	expect_eq "" "$(cat .stderr)"
	cmp first.lock app.lock
	# -o, and --check of that file
	expect_eq 0 "$(run_status "$GAPIMG" lock -o other.lock app.recipe)"
	cmp first.lock other.lock
	expect_eq 0 "$(run_status "$GAPIMG" lock --check -o other.lock app.recipe)"
}

t_debian_lock() {
	echo "mirror deb deb repos/deb suite=inrelease-only key=repos/keys/good.asc" | { cat; echo "install hello"; } | recipe d.recipe
	expect_eq 0 "$(run_status "$GAPIMG" lock d.recipe)"
	expect_eq "family deb
arch amd64
mirror deb deb metadata=$(sha repos/deb/dists/inrelease-only/InRelease) date=\"Tue, 14 Nov 2023 22:13:20 UTC\" valid-until=\"Sat, 01 Jan 2050 00:00:00 UTC\" signed-by=GOODKEY
package base-files 12.4 amd64 deb order=1 size=1020 sha256=SHA location=pool/main/base-files_12.4_amd64.deb
package hello 2.10-3 amd64 deb order=3 size=1052 sha256=SHA location=pool/main/hello_2.10-3_amd64.deb
package libgreet1 1.2-1 amd64 deb order=2 size=1024 sha256=SHA location=pool/main/libgreet1_1.2-1_amd64.deb" \
		"$(check_shas d.lock repos/deb | grep -E '^(family|arch|mirror|package)' | norm)"
	expect_eq 0 "$(run_status "$GAPIMG" lock --check d.recipe)"
}

t_stale_and_missing() {
	echo "mirror base rpm-md repos/rpm/base key=repos/keys/good.asc" | { cat; echo "install gamma"; } | recipe s.recipe
	expect_eq 4 "$(run_status "$GAPIMG" lock --check s.recipe)"
	expect_eq "gapimg lock: s.lock does not exist; run 'gapimg lock s.recipe' to write it" "$(cat .stderr)"
	expect_eq 0 "$(run_status "$GAPIMG" lock s.recipe)"
	local old new
	old=$("$GAPIMG" show --json s.recipe | python3 -c 'import json,sys; print(json.load(sys.stdin)["digest"])')
	echo "install alpha" >>s.recipe
	new=$("$GAPIMG" show --json s.recipe | python3 -c 'import json,sys; print(json.load(sys.stdin)["digest"])')
	expect_eq 4 "$(run_status "$GAPIMG" lock --check s.recipe)"
	expect_eq "gapimg lock: s.lock is stale: it was made from recipe digest $old, the recipe is now $new; run 'gapimg lock s.recipe' and review the change" \
		"$(cat .stderr)"
	# comments do not make it stale
	sed -i '$d' s.recipe
	echo "# a comment" >>s.recipe
	expect_eq 0 "$(run_status "$GAPIMG" lock --check s.recipe)"
}

t_mirror_changes() {
	cp -a repos/rpm/dir local
	echo "mirror local rpm-dir local signatures=off" | { cat; echo "install gamma alpha"; } | recipe m.recipe
	expect_eq 0 "$(run_status "$GAPIMG" lock m.recipe)"
	local old_alpha
	old_alpha=$(sha local/alpha-2.0-1.x86_64.rpm)
	# a new file in the mirror changes its metadata digest, not the lock
	cp repos/rpm/base/epochy-1.0-1.noarch.rpm local/
	expect_eq 0 "$(run_status "$GAPIMG" lock --check m.recipe)"
	expect_eq "gapimg lock: note: mirror local: the metadata changed since the lock was written (sha256 $(grep '^mirror local' m.lock | sed 's/.*metadata=//'), now $(cd local && for f in $(ls | LC_ALL=C sort); do printf '%s %s %s\n' "$f" "$(stat -c %s "$f")" "$(sha "$f")"; done | sha256sum | cut -d' ' -f1)); every locked package is still there
gapimg lock: m.lock is current: 3 packages" "$(cat .stderr)"
	# a locked package whose bytes changed under the same version
	printf 'x' >>local/alpha-2.0-1.x86_64.rpm
	expect_eq 4 "$(run_status "$GAPIMG" lock --check m.recipe)"
	expect_eq "gapimg lock: m.lock is not current: the mirrors no longer give its packages
gapimg lock: error: the packages cannot be resolved: 1 problem
problem 1: the locked package alpha 2.0-1 (x86_64) changed in mirror local: the lock has alpha-2.0-1.x86_64.rpm, 6341 bytes, sha256 $old_alpha; the mirror now has alpha-2.0-1.x86_64.rpm, 6342 bytes, sha256 $(sha local/alpha-2.0-1.x86_64.rpm)
  possible solutions:
    1. a package must never change under the same version: find out why before you re-lock" "$(cat .stderr)"
	# a locked package that is gone
	cp repos/rpm/dir/alpha-2.0-1.x86_64.rpm local/
	rm local/beta-3.1-1.x86_64.rpm
	expect_eq 4 "$(run_status "$GAPIMG" lock --check m.recipe)"
	expect_eq "problem 1: the locked package beta 3.1-1 (x86_64) is no longer in mirror local
  possible solutions:
    1. restore the mirror to the state the lock was made from, or run \"gapimg lock\" again and review the change" \
		"$(sed -n '3,$p' .stderr)"
	# and a fresh lock then fails, keeping the old one
	cp m.lock before.lock
	expect_eq 3 "$(run_status "$GAPIMG" lock m.recipe)"
	expect_eq "gapimg lock: m.lock was not written" "$(tail -n 1 .stderr)"
	cmp before.lock m.lock
	[ -z "$(ls | grep '\.tmp-')" ]
}

t_edited_locks() {
	echo "mirror base rpm-md repos/rpm/base key=repos/keys/good.asc" | { cat; echo "install delta"; } | recipe e.recipe
	expect_eq 0 "$(run_status "$GAPIMG" lock e.recipe)"
	cp e.lock good.lock
	# a dependency removed by hand
	grep -v '^package beta ' good.lock >e.lock
	expect_eq 4 "$(run_status "$GAPIMG" lock --check e.recipe)"
	expect_eq "problem 1: the locked set is not complete: the locked packages also need beta 3.1-1 (x86_64) from mirror base
  possible solutions:
    1. the lock file was edited by hand or made by another gapimg: run \"gapimg lock\" again" \
		"$(sed -n '3,$p' .stderr)"
	# syntax errors name file:line
	check_bad() {
		printf '%s' "$1" >e.lock
		expect_eq 2 "$(run_status "$GAPIMG" lock --check e.recipe)" "status for: $1"
		expect_eq "gapimg lock: error: $2" "$(cat .stderr)" "message for: $1"
	}
	check_bad $'lock 2\n' "e.lock:1: lock format 2 is not one this gapimg reads (it reads 1); use the gapimg that wrote it"
	check_bad $'recipe x\n' 'e.lock:1: the first line must be "lock 1"'
	check_bad $'lock 1\nfrobnicate\n' 'e.lock:2: unknown line "frobnicate"'
	check_bad $'lock 1\nmirror base rpm-md metadata=abc\n' 'e.lock:2: mirror base needs metadata=<64 lowercase hex digits>'
	check_bad "$(sed 's/ order=1 / order=1 order=2 /' good.lock)" 'e.lock:11: the key in "order=2" is given twice'
	check_bad "$(sed 's/ location=alpha/ location=..\/alpha/' good.lock)" 'e.lock:11: package alpha needs location=PATH inside its mirror'
	check_bad "$(sed 's/ base order=1 / nosuch order=1 /' good.lock)" 'e.lock:11: package alpha comes from mirror nosuch, which has no mirror line before it'
	check_bad $'lock 1\nrecipe "unterminated\n' 'e.lock:2: a quoted word is not closed'
	check_bad $'lock 1\n' 'e.lock: not a complete gapimg lock file (it needs the lock, recipe, family and arch lines)'
}

test_case "lock writes the documented text, --check agrees, rewrites are byte-identical" t_round_trip
test_case "a Debian lock records the Release date, Valid-Until and key" t_debian_lock
test_case "a missing lock or a changed recipe is not current (4)" t_stale_and_missing
test_case "changed or missing locked packages are named; failures keep the old lock" t_mirror_changes
test_case "hand-edited and malformed locks" t_edited_locks
finish
