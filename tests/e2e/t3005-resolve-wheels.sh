#!/usr/bin/env bash
# Python wheels resolved with the OS packages in one solve: self-made
# wheels (tests/fixtures/make-wheels.sh: versions, pre- and post-releases,
# epochs, extras, markers, tags, Requires-Python, yanked files, broken
# wheels), a flat folder and a PEP 503 index over the same files, Debian
# and RPM packages that provide python3dist(), the problems in plain
# words, lock lines and replay; then the real wheels of ../shared when it
# is there.  The OS side is the real Debian 12 python3-minimal closure
# (../shared/fixtures/deb, or the same roots fetched with apt-get).
. "$(dirname "$0")/lib.sh"
cd "$WORK"
. "$GAPIMG_SRC/tests/e2e/debian-lib.sh"
. "$GAPIMG_SRC/tests/e2e/wheels-lib.sh"

# recipe WHEELS-MIRROR [PIP-LINE...]: the Debian interpreter and the
# wheels mirror, one pip line per argument.
recipe() {
	local wheels=$1
	shift
	{
		printf 'image t\nversion 1\narch amd64\nepoch 1795910400\n'
		echo "mirror base deb $DEB suite=bookworm components=main signatures=off"
		[ -z "${OSDEB:-}" ] || echo "mirror osdeb deb $WF/os-deb suite=bookworm components=main signatures=off $OSDEB"
		echo "mirror pypi wheels $wheels ${WHEELPRIO:-}"
		echo "install python3-minimal ${INSTALL:-}"
		echo "python 3.11"
		for r in "$@"; do echo "pip $r"; done
	} >r.recipe
}

# "NAME VERSION LOCATION" of the lock's wheel lines.
wheels() { awk '$1 == "wheel" { sub("location=", "", $8); print $2, $3, $8 }' r.lock; }

t_pip_choices() {
	recipe "$WF/wheels/files" '"app[fancy]"' vers epochy tagged abi3only newpy dotted.name
	expect_eq 0 "$(run_status "$GAPIMG" lock r.recipe)" "lock: $(cat "$WORK/.stderr")"
	# lib 1.5: the newest that app's <2 allows; vers: the post-release,
	# not the rc, a1 or dev1; epochy: 1!0.5 beats 2.0; tagged: the
	# manylinux_2_17 file beats py3-none-any, and 1.1 (glibc 2.99 only)
	# is left out; newpy 1.0: 2.0 needs Python 3.13; fancy-dep for
	# app's extra; Lib and dotted.name by their PEP 503 names
	expect_eq 'abi3only 1.0 abi3only-1.0-cp38-abi3-manylinux_2_17_x86_64.whl
app 1.0 app-1.0-py3-none-any.whl
dotted-name 1.0 dotted_name-1.0-py3-none-any.whl
epochy "1!0.5" "epochy-1!0.5-py3-none-any.whl"
fancy-dep 1.1 fancy_dep-1.1-py3-none-any.whl
lib 1.5 lib-1.5-py3-none-any.whl
newpy 1.0 newpy-1.0-py3-none-any.whl
tagged 1.0 tagged-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl
vers 1.0.post1 vers-1.0.post1-py3-none-any.whl' "$(wheels)"
	expect_eq "gapimg lock: note: mirror pypi: 3 wheels for other interpreters or platforms left out
gapimg lock: wrote r.lock: 27 packages from 2 mirrors" "$(grep -v 'mirror base: ' "$WORK/.stderr")"
	# the lock lines as documented (docs/lock.md), each hash the file's
	grep -q "^wheel lib 1.5 pypi order=[0-9]* size=$(stat -c %s "$WF/wheels/files/lib-1.5-py3-none-any.whl") sha256=$(sha "$WF/wheels/files/lib-1.5-py3-none-any.whl") location=lib-1.5-py3-none-any.whl$" r.lock
	grep -q "^mirror pypi wheels metadata=[0-9a-f]\{64\}$" r.lock
	# the interpreter is in the solve: every wheel requires it
	grep -q '^package python3.11-minimal ' r.lock
	# the lock replays
	expect_eq 0 "$(run_status "$GAPIMG" lock --check r.recipe)" "$(cat "$WORK/.stderr")"
	# the wheels come after the OS packages they need
	awk '$1 == "package" { sub("order=", "", $6); if ($6 + 0 > m) m = $6 + 0 }
	     $1 == "wheel" { sub("order=", "", $5); if (!w || $5 + 0 < w) w = $5 + 0 }
	     END { exit !(w > m) }' r.lock
}

t_index_yanked_and_prereleases() {
	# the PEP 503 index in wheels/simple links to ../../files: the mirror
	# is the folder that holds both
	recipe "$WF/wheels" yanky vers app
	expect_eq 0 "$(run_status "$GAPIMG" lock r.recipe)" "$(cat "$WORK/.stderr")"
	expect_eq 'app 1.0 files/app-1.0-py3-none-any.whl
lib 1.5 files/lib-1.5-py3-none-any.whl
vers 1.0.post1 files/vers-1.0.post1-py3-none-any.whl
yanky 1.0 files/yanky-1.0-py3-none-any.whl' "$(wheels)"
	# the same hashes as the flat folder (the index's #sha256=)
	expect_eq "$(sha "$WF/wheels/files/app-1.0-py3-none-any.whl")" \
		"$(awk '$1 == "wheel" && $2 == "app" { sub("sha256=", "", $7); print $7 }' r.lock)"
	# a yanked file only when pinned with ==; a pre-release when the
	# specifier names one
	recipe "$WF/wheels" '"yanky==2.0"' '"vers>=1.1rc1"'
	expect_eq 0 "$(run_status "$GAPIMG" lock r.recipe)" "$(cat "$WORK/.stderr")"
	expect_eq 'vers 1.1rc1 files/vers-1.1rc1-py3-none-any.whl
yanky 2.0 files/yanky-2.0-py3-none-any.whl' "$(wheels)"
	recipe "$WF/wheels" '"yanky>=2"'
	expect_eq 3 "$(run_status "$GAPIMG" resolve r.recipe)"
	expect_eq 'problem 1: r.recipe:9:5: pip yanky>=2: nothing in the mirrors satisfies it; the mirrors have yanky 1.0 (wheel yanky-1.0-py3-none-any.whl) from mirror pypi; left out: yanky-2.0-py3-none-any.whl is yanked (pin yanky with == to use it anyway)' \
		"$(grep '^problem' "$WORK/.stderr")"
	# the wrong folder: the index's links leave it
	recipe "$WF/wheels/simple" app
	expect_eq 3 "$(run_status "$GAPIMG" resolve r.recipe)"
	grep -q '^gapimg resolve: note: mirror pypi: skipped 29 links that point outside the mirror folder (the first: "../../files/abi3only-1.0-cp38-abi3-manylinux_2_17_x86_64.whl" on abi3only/index.html); a wheels mirror is the folder that holds the index and the wheel files it links to$' "$WORK/.stderr"
}

t_markers() {
	recipe "$WF/wheels/files" "\"app; python_version >= '3.12'\"" "\"lib; platform_machine == 'x86_64' and sys_platform == 'linux'\""
	expect_eq 0 "$(run_status "$GAPIMG" lock r.recipe)" "$(cat "$WORK/.stderr")"
	expect_eq 'lib 2.0 lib-2.0-py3-none-any.whl' "$(wheels)"
	grep -q "^gapimg lock: note: r.recipe:9:5: pip app; python_version >= \"3.12\": the marker is false for the image (Python 3.11.0 on x86_64), so it is not installed$" "$WORK/.stderr"
}

t_problems() {
	recipe "$WF/wheels/files" app conflicting
	expect_eq 3 "$(run_status "$GAPIMG" resolve r.recipe)"
	expect_eq 'gapimg resolve: error: the packages cannot be resolved: 1 problem
problem 1: conflicting 1.0 (wheel conflicting-1.0-py3-none-any.whl) from mirror pypi requires lib>=2, but none of the packages that provide it can be installed
  because:
    - app 1.0 (wheel app-1.0-py3-none-any.whl) from mirror pypi requires lib>=1.2,<2, but none of the packages that provide it can be installed
    - only one of lib 1.2 (wheel lib-1.2-py3-none-any.whl) from mirror pypi and lib 2.0 (wheel lib-2.0-py3-none-any.whl) from mirror pypi can be installed (same name)
    - only one of lib 1.5 (wheel lib-1.5-py3-none-any.whl) from mirror pypi and lib 2.0 (wheel lib-2.0-py3-none-any.whl) from mirror pypi can be installed (same name)
    - requested: pip app (r.recipe:9:5)
    - requested: pip conflicting (r.recipe:10:5)
  possible solutions:
    1. leave out pip conflicting (r.recipe:10:5)
    2. leave out pip app (r.recipe:9:5)' "$(grep -v ': note: ' "$WORK/.stderr")"
	recipe "$WF/wheels/files" needs-missing
	expect_eq 3 "$(run_status "$GAPIMG" resolve r.recipe)"
	expect_eq 'problem 1: nothing provides not-in-mirror>=1 needed by needs-missing 1.0 (wheel needs_missing-1.0-py3-none-any.whl) from mirror pypi' \
		"$(grep '^problem' "$WORK/.stderr")"
	recipe "$WF/wheels/files" '"newpy>=2"'
	expect_eq 3 "$(run_status "$GAPIMG" resolve r.recipe)"
	expect_eq 'problem 1: r.recipe:9:5: pip newpy>=2: nothing in the mirrors satisfies it; the mirrors have newpy 1.0 (wheel newpy-1.0-py3-none-any.whl) from mirror pypi; left out: newpy 2.0 requires Python >=3.13 (the image has 3.11.0)' \
		"$(grep '^problem' "$WORK/.stderr")"
}

t_debian_package_provides_python3dist() {
	# python3-osdup ships osdup-1.8.dist-info: the suite's Contents file
	# says so, and it provides python3dist(osdup) = 1.8
	OSDEB=priority=10 recipe "$WF/wheels/files" osdup
	expect_eq 0 "$(run_status "$GAPIMG" lock r.recipe)" "$(cat "$WORK/.stderr")"
	grep -q '^package python3-osdup 1.8-1 all osdeb ' r.lock
	expect_eq "" "$(wheels)"
	# the wheels mirror first: the osdup 2.0 wheel
	OSDEB="" WHEELPRIO=priority=10 recipe "$WF/wheels/files" osdup
	expect_eq 0 "$(run_status "$GAPIMG" lock r.recipe)" "$(cat "$WORK/.stderr")"
	expect_eq 'osdup 2.0 osdup-2.0-py3-none-any.whl' "$(wheels)"
	! grep -q '^package python3-osdup ' r.lock
	# both asked for: one distribution, two sources
	OSDEB=" " INSTALL=python3-osdup recipe "$WF/wheels/files" '"osdup>=2"'
	expect_eq 3 "$(run_status "$GAPIMG" resolve r.recipe)"
	expect_eq 'gapimg resolve: error: the packages cannot be resolved: 1 problem
problem 1: only one of osdup 2.0 (wheel osdup-2.0-py3-none-any.whl) from mirror pypi and python3-osdup 1.8-1 (all) from mirror osdeb can be installed: both are the Python distribution osdup
  because:
    - requested: install python3-osdup (r.recipe:8:25)
    - requested: pip osdup>=2 (r.recipe:10:5)
  possible solutions:
    1. leave out pip osdup>=2 (r.recipe:10:5)
    2. leave out install python3-osdup (r.recipe:8:25)' "$(grep -v ': note: ' "$WORK/.stderr")"
	# dak puts Architecture: all packages in Contents-all: read too
	cp -a "$WF/os-deb" osdeb-all
	(cd osdeb-all/dists/bookworm/main && mv Contents-amd64 Contents-all && mv Contents-amd64.gz Contents-all.gz)
	(cd osdeb-all && apt-ftparchive -o APT::FTPArchive::Release::Suite=bookworm \
		-o APT::FTPArchive::Release::Codename=bookworm -o APT::FTPArchive::Release::Architectures=amd64 \
		-o APT::FTPArchive::Release::Components=main release dists/bookworm >Release.new &&
	 mv Release.new dists/bookworm/Release)
	grep -q 'main/Contents-all.gz$' osdeb-all/dists/bookworm/Release
	OSDEB=" " INSTALL=python3-osdup recipe "$WF/wheels/files" '"osdup>=2"'
	sed -i "s|$WF/os-deb|$WORK/osdeb-all|" r.recipe
	expect_eq 3 "$(run_status "$GAPIMG" resolve r.recipe)"
	grep -q '^problem 1: only one of osdup 2.0 (wheel osdup-2.0-py3-none-any.whl) from mirror pypi and python3-osdup 1.8-1 (all) from mirror osdeb can be installed: both are the Python distribution osdup$' "$WORK/.stderr"
	OSDEB=" " INSTALL=python3-osdup recipe "$WF/wheels/files" '"osdup>=2"'
	# the base mirror has no Contents file: said when it is read
	expect_eq 3 "$(run_status "$GAPIMG" resolve --no-cache r.recipe)"
	grep -q '^gapimg resolve: note: mirror base: dists/bookworm/Release has no main/Contents-amd64 or Contents-all: its Python packages cannot satisfy pip requirements$' "$WORK/.stderr"
}

t_rpm_package_provides_python3dist() {
	{
		printf 'image t\nversion 1\narch x86_64\nepoch 1795910400\n'
		echo "mirror os rpm-md $WF/os-rpm signatures=off"
		echo "mirror pypi wheels $WF/wheels"
		echo "python 3.11"
		echo 'pip app "osdup<2"'
	} >r.recipe
	expect_eq 0 "$(run_status "$GAPIMG" resolve r.recipe)" "$(cat "$WORK/.stderr")"
	# python(abi) = 3.11 from the OS, python3dist(osdup) = 1.8 from
	# Fedora-style python3-osdup; no glibc in the mirror: no manylinux
	expect_eq '   1 fakepython3.11 3.11.4-1 noarch os 6408
   2 python3-osdup 1.8-1 noarch os 6759
   3 lib 1.5 wheel pypi 906
   4 app 1.0 wheel pypi 1518
4 packages, 15591 bytes' "$(grep -v '^mirror ' "$WORK/.stdout")"
	expect_eq 'gapimg resolve: note: mirror pypi: 5 wheels for other interpreters or platforms left out' "$(cat "$WORK/.stderr")"
}

t_broken_wheels_are_skipped_with_a_note() {
	recipe "$WF/wheels/bad" tampered
	# RECORD is checked when the image is built (t4006): here it resolves
	expect_eq 0 "$(run_status "$GAPIMG" resolve r.recipe)" "$(cat "$WORK/.stderr")"
	expect_eq "gapimg resolve: note: mirror pypi: skipped badmeta-1.0-py3-none-any.whl: invalid Requires-Dist \"lib (>dev)\": invalid version 'dev' in specifier: a version must start with a number
gapimg resolve: note: mirror pypi: skipped badversion-1.0-py3-none-any.whl: its metadata has the version \"1.0-bogus!\", which is not PEP 440
gapimg resolve: note: mirror pypi: skipped: escaper-1.0-py3-none-any.whl: member ../escape.txt has a '..' component
gapimg resolve: note: mirror pypi: skipped: notazip-1.0-py3-none-any.whl is not a wheel: not a zip archive (libarchive: Unrecognized archive format)
gapimg resolve: note: mirror pypi: skipped: wrongname-1.0-py3-none-any.whl: the .dist-info folder is for othername 1.0, but the file name says wrongname 1.0" \
		"$(grep -v 'mirror base' "$WORK/.stderr")"
	# a request that needs a skipped wheel fails
	recipe "$WF/wheels/bad" wrongname
	expect_eq 3 "$(run_status "$GAPIMG" resolve r.recipe)"
	expect_eq 'problem 1: r.recipe:9:5: pip wrongname: nothing in the mirrors satisfies it; no wheel or package in the mirrors provides wrongname' \
		"$(grep '^problem' "$WORK/.stderr")"
}

t_lock_replay_notices_a_changed_wheel() {
	mkdir -p m && cp "$WF"/wheels/files/{app,lib}-*.whl m/
	recipe "$WORK/m" app
	expect_eq 0 "$(run_status "$GAPIMG" lock r.recipe)" "$(cat "$WORK/.stderr")"
	expect_eq 0 "$(run_status "$GAPIMG" lock --check r.recipe)"
	# the same wheel zipped again: other bytes under the same version
	python3 -c 'import sys, zipfile
src = zipfile.ZipFile(sys.argv[1])
with zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_STORED) as out:
    for i in src.infolist():
        out.writestr(i.filename, src.read(i))' "$WF/wheels/files/lib-1.5-py3-none-any.whl" m/new.whl
	mv m/new.whl m/lib-1.5-py3-none-any.whl
	expect_eq 4 "$(run_status "$GAPIMG" lock --check r.recipe)"
	grep -q "the locked package lib 1.5 (wheel) changed in mirror pypi: the lock has lib-1.5-py3-none-any.whl, $(stat -c %s "$WF/wheels/files/lib-1.5-py3-none-any.whl") bytes" "$WORK/.stderr" ||
		{ cat "$WORK/.stderr"; false; }
	rm -rf m
}

t_locks_survive_a_growing_mirror() {
	mkdir -p m2 && cp "$WF"/wheels/files/{app,lib}-*.whl m2/
	recipe "$WORK/m2" app
	expect_eq 0 "$(run_status "$GAPIMG" lock r.recipe)" "$(cat "$WORK/.stderr")"
	# a build-tagged copy of the locked version (what a re-upload is):
	# a new resolve takes it, the lock still replays with its own file
	cp m2/lib-1.5-py3-none-any.whl m2/lib-1.5-1-py3-none-any.whl
	expect_eq 0 "$(run_status "$GAPIMG" lock --check r.recipe)" "$(cat "$WORK/.stderr")"
	expect_eq 0 "$(run_status "$GAPIMG" resolve --json r.recipe)"
	expect_eq "lib-1.5-1-py3-none-any.whl" "$(python3 -c 'import json,sys; print([p["location"] for p in json.load(sys.stdin)["packages"] if p["name"] == "lib"][0])' <"$WORK/.stdout")"
	# the best file of a version broken: the next file of that version
	printf 'not a zip' >m2/lib-1.5-1-py3-none-any.whl
	expect_eq 0 "$(run_status "$GAPIMG" resolve --json r.recipe)"
	expect_eq "lib-1.5-py3-none-any.whl" "$(python3 -c 'import json,sys; print([p["location"] for p in json.load(sys.stdin)["packages"] if p["name"] == "lib"][0])' <"$WORK/.stdout")"
	grep -q "^gapimg resolve: note: mirror pypi: skipped: lib-1.5-1-py3-none-any.whl is not a wheel: not a zip archive" "$WORK/.stderr"
	rm -rf m2
}

t_many_extras() {
	# 300 extras: each is a solvable, so the pool's array moves while
	# they are added (AddressSanitizer caught a stale pointer here)
	mkdir -p m3 && cp "$WF"/wheels/files/lib-*.whl m3/
	python3 - m3 <<'EOF'
import base64, hashlib, sys, zipfile
meta = "Metadata-Version: 2.1\nName: many\nVersion: 1.0\n"
meta += "".join(f"Provides-Extra: e{i}\n" for i in range(300))
meta += "".join(f'Requires-Dist: lib>=1.{i % 3}; extra == "e{i}"\n' for i in range(300))
files = {"many/__init__.py": b"", "many-1.0.dist-info/METADATA": meta.encode(),
         "many-1.0.dist-info/WHEEL": b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
rec = "".join(f"{p},sha256={base64.urlsafe_b64encode(hashlib.sha256(d).digest()).rstrip(b'=').decode()},{len(d)}\n"
              for p, d in files.items())
files["many-1.0.dist-info/RECORD"] = (rec + "many-1.0.dist-info/RECORD,,\n").encode()
with zipfile.ZipFile(sys.argv[1] + "/many-1.0-py3-none-any.whl", "w") as z:
    for p, d in files.items():
        z.writestr(zipfile.ZipInfo(p, (2023, 1, 1, 0, 0, 0)), d)
EOF
	recipe "$WORK/m3" '"many[e2,e299]"' '"lib<1.5"'
	expect_eq 0 "$(run_status "$GAPIMG" lock r.recipe)" "$(cat "$WORK/.stderr")"
	expect_eq 'lib 1.2 lib-1.2-py3-none-any.whl
many 1.0 many-1.0-py3-none-any.whl' "$(wheels)"
	rm -rf m3
}

t_shared_real_wheels() {
	local SW=${GAPIMG_SHARED:-$GAPIMG_SRC/../shared}/fixtures/wheels
	[ -d "$SW/files" ] || skip_case "no shared fixtures at $SW (the ../shared folder beside the checkout): the real wheels are not tested"
	SW=$(cd "$SW" && pwd -P)
	# pip 23's answer for the same request (../shared/fixtures/SOURCES.md)
	for m in "$SW/files" "$SW"; do
		recipe "$m" importlib-metadata simplewheel '"complex-dist[simple]"'
		expect_eq 0 "$(run_status "$GAPIMG" lock r.recipe)" "$(cat "$WORK/.stderr")"
		expect_eq 'complex-dist 0.1
importlib-metadata 4.8.3
simple-dist 0.1
simplewheel 2.0
zipp 3.7.0' "$(wheels | cut -d' ' -f1-2)"
	done
	# the build tag 1 file of simplewheel 2.0 beats the one without
	expect_eq 'files/simplewheel-2.0-1-py2.py3-none-any.whl' "$(wheels | awk '$1 == "simplewheel" { print $3 }')"
	# celery's Requires-Dist "pytz (>dev)" is not PEP 508
	grep -q "^gapimg lock: note: mirror pypi: skipped files/celery-4.4.2-py2.py3-none-any.whl: invalid Requires-Dist \"pytz (>dev)\": invalid version 'dev' in specifier: a version must start with a number$" "$WORK/.stderr"
	# ipykernel needs Python 3.13
	recipe "$SW" ipykernel
	expect_eq 3 "$(run_status "$GAPIMG" resolve r.recipe)"
	expect_eq 'problem 1: r.recipe:9:5: pip ipykernel: nothing in the mirrors satisfies it; no wheel or package in the mirrors provides ipykernel; left out: ipykernel 6.9.2 requires Python >=3.13 (the image has 3.11.0)' \
		"$(grep '^problem' "$WORK/.stderr")"
	# the broken ones, each with its reason
	recipe "$SW/bad" brokenwheel
	expect_eq 3 "$(run_status "$GAPIMG" resolve r.recipe)"
	expect_eq "gapimg resolve: note: mirror pypi: skipped invalid_version-2010i-py3-none-any.whl: invalid version '2010i' in wheel name 'invalid_version-2010i-py3-none-any.whl'
gapimg resolve: note: mirror pypi: skipped: brokenwheel-1.0-py2.py3-none-any.whl: the .dist-info folder is for simple.dist 0.1, but the file name says brokenwheel 1.0
gapimg resolve: note: mirror pypi: skipped: corruptwheel-1.0-py2.py3-none-any.whl is not a wheel: not a zip archive (libarchive: Unrecognized archive format)
gapimg resolve: note: mirror pypi: skipped require_invalid_version-1.0-py3-none-any.whl: invalid Requires-Dist \"invalid-version ==2010i\": invalid version '2010i' in specifier: unexpected 'i' after '2010'
gapimg resolve: note: mirror pypi: 1 wheel for other interpreters or platforms left out" "$(grep 'mirror pypi' "$WORK/.stderr")"
}

test_case "pip's choices: versions, post/pre/dev, epochs, extras, tags, Requires-Python, names" t_pip_choices
test_case "a PEP 503 index: the same wheels; yanked files and pre-releases only when asked" t_index_yanked_and_prereleases
test_case "markers are evaluated for the image" t_markers
test_case "problems in plain words" t_problems
test_case "a Debian package provides python3dist() through Contents" t_debian_package_provides_python3dist
test_case "a Fedora-style RPM provides python3dist() and python(abi)" t_rpm_package_provides_python3dist
test_case "broken wheels are skipped with a note naming them" t_broken_wheels_are_skipped_with_a_note
test_case "a lock replay notices a wheel that changed" t_lock_replay_notices_a_changed_wheel
test_case "a lock stays buildable when the mirror gains a better file" t_locks_survive_a_growing_mirror
test_case "a wheel with 300 extras" t_many_extras
test_case "the real wheels of ../shared (pip's answers, broken ones)" t_shared_real_wheels
finish
