#!/usr/bin/env bash
# gapimg sbom on real images: a Debian image with two self-made packages
# (one with an epoch; DEP-5 copyright files with an SPDX licence and a
# Debian one), a wheel and a data file, and an RPM image with an epoch.
# Both formats pass the CycloneDX project's own validator and the SPDX 2.3
# JSON schema (tests/sbom: npm ci there first); every package, wheel and
# data file of the manifest appears exactly once with its purl and
# SHA-256; the output is the same bytes every time; the SBOM of a signed
# image equals the one of its manifest file, and a wrong key is refused;
# usage errors, missing and mismatched files give exact messages.
. "$(dirname "$0")/lib.sh"
cd "$WORK"
export XDG_CACHE_HOME=$WORK/xdg-cache
VALIDATORS=$GAPIMG_SRC/tests/sbom
SCHEMA=${GAPIMG_SHARED:-$GAPIMG_SRC/../shared}/schemas/spdx-2.3.schema.json

# make_deb NAME VERSION ARCH [LICENSE]: a package with a machine-readable
# copyright file (DEP-5) whose Files: * paragraph states LICENSE, or with
# no copyright file.
make_deb() {
	local d=deb-$1
	mkdir -p "$d/DEBIAN" "$d/usr/share/doc/$1" mirror/pool/main
	printf 'Package: %s\nVersion: %s\nArchitecture: %s\nMaintainer: t <t@example.invalid>\nDescription: t5002\n' \
		"$1" "$2" "$3" >"$d/DEBIAN/control"
	[ -z "${4:-}" ] || printf 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\nUpstream-Name: %s\n\nFiles: *\nCopyright: 2023 t5002\nLicense: %s\n' \
		"$1" "$4" >"$d/usr/share/doc/$1/copyright"
	printf '%s\n' "$1" >"$d/usr/share/doc/$1/README"
	chmod -R u=rwX,go=rX "$d"
	SOURCE_DATE_EPOCH=1700000000 dpkg-deb --root-owner-group -Zxz --build "$d" \
		"mirror/pool/main/${1}_${2#*:}_$3.deb" >/dev/null
}

# A pure wheel Demo.Pkg 2.0 (PEP 503 name demo-pkg) with a licence
# expression in its METADATA.
make_wheel() {
	mkdir -p wheels
	python3 - wheels <<'EOF'
import base64, hashlib, sys, zipfile
out = sys.argv[1]
files = {"demo_pkg/__init__.py": b"X = 1\n",
         "demo_pkg-2.0.dist-info/METADATA": b"Metadata-Version: 2.4\nName: Demo.Pkg\nVersion: 2.0\nLicense-Expression: Apache-2.0\n",
         "demo_pkg-2.0.dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: t5002\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
rec = "".join(f"{p},sha256={base64.urlsafe_b64encode(hashlib.sha256(d).digest()).rstrip(b'=').decode()},{len(d)}\n" for p, d in files.items())
rec += "demo_pkg-2.0.dist-info/RECORD,,\n"
with zipfile.ZipFile(f"{out}/demo_pkg-2.0-py3-none-any.whl", "w") as z:
    for p, d in list(files.items()) + [("demo_pkg-2.0.dist-info/RECORD", rec.encode())]:
        z.writestr(zipfile.ZipInfo(p, (2023, 1, 1, 0, 0, 0)), d)
EOF
}

make_deb alpha 1:2.0-1+b1 amd64 GPL-2+
make_deb beta 0.9~rc1 all MIT
# what a wheel for the image's Python needs (docs/python.md), without the
# interpreter: nothing here runs it
make_deb python3.11-minimal 3.11.2-6+deb12u1 amd64
deb_index mirror
make_wheel
gen_bytes 20000 5 >table.csv
cat >r.recipe <<EOR
image sb
version 1.0
arch amd64
epoch 1700000000
mirror m deb mirror suite=s components=main signatures=off
mirror py wheels wheels
install alpha beta
python 3.11
pip demo-pkg
data /opt/data/table.csv source=table.csv sha256=$(sha table.csv) provenance="made by t5002"
EOR
mkdir out
if [ "$(run_status "$GAPIMG" build -q --no-cache --no-package-cache -o out/sb.sqfs r.recipe)" != 0 ]; then
	echo "the image did not build:"
	cat "$WORK/.stderr"
	exit 1
fi
M=out/sb.manifest.json

have_validators() {
	[ -d "$VALIDATORS/node_modules/@cyclonedx/cyclonedx-library" ] && command -v node >/dev/null ||
		skip_case "no SBOM validators: run 'npm ci' in tests/sbom (scripts/setup does, with node and npm installed)"
}

# validate FORMAT FILE
validate() {
	if [ "$1" = cyclonedx ]; then
		node "$VALIDATORS/validate-cyclonedx.js" "$2"
	else
		[ -f "$SCHEMA" ] || skip_case "no SPDX 2.3 schema at $SCHEMA"
		node "$VALIDATORS/validate-spdx.js" "$SCHEMA" "$2"
	fi
}

t_cyclonedx_valid() {
	have_validators
	"$GAPIMG" sbom --manifest $M >sb.cdx.json
	validate cyclonedx sb.cdx.json
}

t_spdx_valid() {
	have_validators
	"$GAPIMG" sbom --format spdx --manifest $M >sb.spdx.json
	validate spdx sb.spdx.json
}

# What the manifest says is in the image, and nothing else, each exactly
# once, with the purls and licences the rules give.
t_contents() {
	"$GAPIMG" sbom --manifest $M >c.cdx.json
	"$GAPIMG" sbom --format spdx --manifest $M >c.spdx.json
	python3 - $M c.cdx.json c.spdx.json "$(sha out/sb.sqfs)" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
cdx = json.load(open(sys.argv[2]))
spdx = json.load(open(sys.argv[3]))
image_sha = sys.argv[4]

# the manifest is what the fixture made
assert [(p["name"], p["version"], p["arch"], p.get("license")) for p in m["packages"]] == [
    ("alpha", "1:2.0-1+b1", "amd64", "GPL-2+"), ("beta", "0.9~rc1", "all", "MIT"),
    ("python3.11-minimal", "3.11.2-6+deb12u1", "amd64", None)], m["packages"]
assert [(w["name"], w["version"], w.get("license")) for w in m["wheels"]] == [("demo-pkg", "2.0", "Apache-2.0")], m["wheels"]
assert [f["path"] for f in m["files"]] == ["/opt/data/table.csv"], m["files"]

purls = {"alpha": "pkg:deb/debian/alpha@1:2.0-1%2Bb1?arch=amd64",
         "beta": "pkg:deb/debian/beta@0.9~rc1?arch=all",
         "python3.11-minimal": "pkg:deb/debian/python3.11-minimal@3.11.2-6%2Bdeb12u1?arch=amd64",
         "demo-pkg": "pkg:pypi/demo-pkg@2.0"}

# CycloneDX: the image, then one component per package, wheel and file
meta = cdx["metadata"]
assert meta["timestamp"] == "2023-11-14T22:13:20Z", meta["timestamp"]
assert meta["component"]["name"] == "sb" and meta["component"]["version"] == "1.0"
assert meta["component"]["hashes"] == [{"alg": "SHA-256", "content": image_sha}]
assert m["image"]["sha256"] == image_sha
comps = cdx["components"]
assert len(comps) == len(m["packages"]) + len(m["wheels"]) + len(m["files"]), len(comps)
by_purl = {}
for c in comps:
    if "purl" in c:
        assert c["purl"] not in by_purl, c["purl"]
        by_purl[c["purl"]] = c
for p in m["packages"] + m["wheels"]:
    c = by_purl[purls[p["name"]]]
    assert c["bom-ref"] == c["purl"] and c["type"] == "library"
    assert (c["name"], c["version"]) == (p["name"], p["version"])
    assert c["hashes"] == [{"alg": "SHA-256", "content": p["sha256"]}]
files = [c for c in comps if c["type"] == "file"]
assert [(c["bom-ref"], c["name"], c["hashes"][0]["content"]) for c in files] == \
    [("file:/opt/data/table.csv", "/opt/data/table.csv", m["files"][0]["sha256"])], files
assert {"name": "gapimg:provenance", "value": "made by t5002"} in files[0]["properties"]
assert by_purl[purls["alpha"]]["licenses"] == [{"license": {"name": "GPL-2+"}}]
assert by_purl[purls["beta"]]["licenses"] == [{"expression": "MIT"}]
assert by_purl[purls["demo-pkg"]]["licenses"] == [{"expression": "Apache-2.0"}]
assert "licenses" not in by_purl[purls["python3.11-minimal"]]

# SPDX: the image package, one package per item, CONTAINS each once
pk = spdx["packages"]
assert pk[0]["SPDXID"] == "SPDXRef-Image" and pk[0]["checksums"] == [{"algorithm": "SHA256", "checksumValue": image_sha}]
assert len(pk) == 1 + len(comps), len(pk)
loc = {}
for p in pk[1:]:
    refs = [r["referenceLocator"] for r in p.get("externalRefs", [])]
    key = refs[0] if refs else p["name"]
    assert key not in loc, key
    loc[key] = p
for p in m["packages"] + m["wheels"]:
    s = loc[purls[p["name"]]]
    assert (s["name"], s["versionInfo"]) == (p["name"], p["version"])
    assert s["checksums"] == [{"algorithm": "SHA256", "checksumValue": p["sha256"]}]
assert loc[purls["alpha"]]["licenseDeclared"] == "NOASSERTION"
assert loc[purls["alpha"]]["licenseComments"] == 'The package metadata states the licence as "GPL-2+", which is not an SPDX licence expression.'
assert loc[purls["beta"]]["licenseDeclared"] == "MIT"
assert loc[purls["demo-pkg"]]["licenseDeclared"] == "Apache-2.0"
assert loc[purls["python3.11-minimal"]]["licenseDeclared"] == "NOASSERTION"
assert "licenseComments" not in loc[purls["python3.11-minimal"]]
f = loc["/opt/data/table.csv"]
assert f["primaryPackagePurpose"] == "FILE" and f["checksums"][0]["checksumValue"] == m["files"][0]["sha256"]
contains = sorted(r["relatedSpdxElement"] for r in spdx["relationships"] if r["relationshipType"] == "CONTAINS")
assert contains == sorted(p["SPDXID"] for p in pk[1:]), contains
assert [r for r in spdx["relationships"] if r["relationshipType"] == "DESCRIBES"] == [
    {"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": "SPDXRef-Image"}]
assert spdx["documentNamespace"] == "https://gapimg.invalid/spdx/sb-1.0-" + image_sha
assert spdx["creationInfo"]["created"] == "2023-11-14T22:13:20Z"
EOF
	# the purls, as an independent parser reads them
	if [ -d "$VALIDATORS/node_modules/packageurl-js" ]; then
		expect_eq 'deb debian alpha 1:2.0-1+b1 {"arch":"amd64"}
deb debian beta 0.9~rc1 {"arch":"all"}
deb debian python3.11-minimal 3.11.2-6+deb12u1 {"arch":"amd64"}
pypi - demo-pkg 2.0 {}' "$(cd "$VALIDATORS" && node -e '
const { PackageURL } = require("packageurl-js");
for (const c of JSON.parse(require("fs").readFileSync(process.argv[1])).components)
	if (c.purl) { const u = PackageURL.fromString(c.purl);
		console.log(u.type, u.namespace || "-", u.name, u.version, JSON.stringify(u.qualifiers || {})); }' "$WORK/c.cdx.json" | sort)"
	fi
}

t_deterministic() {
	local f
	for f in cyclonedx spdx; do
		"$GAPIMG" sbom --format $f --manifest $M >d1.$f
		TZ=Asia/Tokyo LC_ALL=C.UTF-8 "$GAPIMG" sbom --format $f --manifest $M >d2.$f
		cmp d1.$f d2.$f
		# -o writes the same bytes; with the image named, too
		"$GAPIMG" sbom --format $f --manifest $M -o d3.$f out/sb.sqfs
		cmp d1.$f d3.$f
		expect_eq 644 "$(stat -c %a d3.$f)"
	done
	# cyclonedx is the default
	"$GAPIMG" sbom --format cyclonedx --manifest $M | cmp - d1.cyclonedx
	# the serial number is the image's, the same for both runs
	grep -q "\"serialNumber\": \"urn:uuid:[0-9a-f]\{8\}-[0-9a-f]\{4\}-5[0-9a-f]\{3\}-[89ab][0-9a-f]\{3\}-[0-9a-f]\{12\}\"" d1.cyclonedx
}

t_errors() {
	expect_eq 2 "$(run_status "$GAPIMG" sbom --format xml --manifest $M)"
	expect_eq "gapimg sbom: error: --format xml: give cyclonedx or spdx
Run 'gapimg sbom --help' for usage." "$(cat "$WORK/.stderr")"
	expect_eq "" "$(cat "$WORK/.stdout")"
	expect_eq 2 "$(run_status "$GAPIMG" sbom)"
	expect_eq "gapimg sbom: error: give an IMAGE (a signed image holds its manifest) or --manifest FILE
Run 'gapimg sbom --help' for usage." "$(cat "$WORK/.stderr")"
	expect_eq 2 "$(run_status "$GAPIMG" sbom a.sqfs b.sqfs)"
	expect_eq "gapimg sbom: error: give one image" "$(head -n 1 "$WORK/.stderr")"
	expect_eq 2 "$(run_status "$GAPIMG" sbom --manifest)"
	expect_eq "gapimg sbom: error: --manifest needs a value" "$(head -n 1 "$WORK/.stderr")"
	expect_eq 2 "$(run_status "$GAPIMG" sbom --bogus out/sb.sqfs)"
	expect_eq "gapimg sbom: error: unknown option --bogus" "$(head -n 1 "$WORK/.stderr")"
	expect_eq 2 "$(run_status "$GAPIMG" sbom --key k.pub --manifest $M out/sb.sqfs)"
	expect_eq "gapimg sbom: error: --key checks the manifest signed into IMAGE; it cannot be used with --manifest" \
		"$(head -n 1 "$WORK/.stderr")"
	# a missing manifest
	expect_eq 1 "$(run_status "$GAPIMG" sbom --manifest nothere.json)"
	expect_eq "gapimg sbom: error: cannot open nothere.json: No such file or directory" "$(cat "$WORK/.stderr")"
	# a manifest that is not one, or is damaged
	expect_eq 2 "$(run_status "$GAPIMG" sbom --manifest r.recipe)"
	expect_eq "gapimg sbom: error: r.recipe: the manifest is not valid JSON: line 1, column 5: '[' or '{' expected near 'image'" \
		"$(cat "$WORK/.stderr")"
	python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); del m["packages"][1]["sha256"]; json.dump(m, open("bad.json", "w"))' $M
	expect_eq 2 "$(run_status "$GAPIMG" sbom --manifest bad.json --format spdx)"
	expect_eq "gapimg sbom: error: bad.json: the manifest has no packages[1].sha256" "$(cat "$WORK/.stderr")"
	expect_eq "" "$(cat "$WORK/.stdout")"
	# a manifest and an image that do not belong together
	head -c 8192 /dev/zero >other.sqfs
	expect_eq 2 "$(run_status "$GAPIMG" sbom --manifest $M other.sqfs)"
	expect_eq "gapimg sbom: error: other.sqfs is not the image $M describes: it has 8192 bytes, the manifest's image has $(stat -c %s out/sb.sqfs)" \
		"$(cat "$WORK/.stderr")"
	head -c "$(stat -c %s out/sb.sqfs)" /dev/zero >other.sqfs
	expect_eq 2 "$(run_status "$GAPIMG" sbom --manifest $M other.sqfs)"
	expect_eq "gapimg sbom: error: other.sqfs is not the image $M describes: its sha256 is $(sha other.sqfs), the manifest's image has $(sha out/sb.sqfs)" \
		"$(cat "$WORK/.stderr")"
	expect_eq "" "$(cat "$WORK/.stdout")"
	# an unsigned image holds no manifest
	expect_eq 5 "$(run_status "$GAPIMG" sbom out/sb.sqfs)"
	expect_eq "gapimg sbom: error: out/sb.sqfs is not signed, so it holds no manifest: give the manifest the build wrote with --manifest FILE" \
		"$(cat "$WORK/.stderr")"
	# an output folder that does not exist: nothing written anywhere
	expect_eq 1 "$(run_status "$GAPIMG" sbom --manifest $M -o nodir/x.json)"
	grep -q "^gapimg sbom: error: .*nodir/x.json" "$WORK/.stderr" || { cat "$WORK/.stderr"; false; }
	[ ! -e nodir ]
}

# A signed image carries its manifest: the SBOM from it is the SBOM of
# the manifest file, with or without the key; another key is refused.
t_signed() {
	"$GAPIMG" sign --help >/dev/null 2>&1 || skip_case "gapimg sign is not there yet"
	"$GAPIMG" keygen site >/dev/null
	"$GAPIMG" keygen other >/dev/null
	mkdir -p signed
	expect_eq 0 "$(run_status "$GAPIMG" build -q --no-cache --no-package-cache -o signed/sb.sqfs \
		--sign site.key r.recipe)" "$(cat "$WORK/.stderr")"
	cmp -n "$(stat -c %s out/sb.sqfs)" out/sb.sqfs signed/sb.sqfs
	local f
	for f in cyclonedx spdx; do
		"$GAPIMG" sbom --format $f --manifest $M >want.$f
		expect_eq 0 "$(run_status "$GAPIMG" sbom --format $f signed/sb.sqfs)" "$(cat "$WORK/.stderr")"
		cmp "$WORK/.stdout" want.$f
		expect_eq "gapimg sbom: note: the manifest in signed/sb.sqfs was read without checking its signature (give --key PUB to check it)" \
			"$(cat "$WORK/.stderr")"
		expect_eq 0 "$(run_status "$GAPIMG" sbom --format $f --key site.pub signed/sb.sqfs)" "$(cat "$WORK/.stderr")"
		cmp "$WORK/.stdout" want.$f
		expect_eq "" "$(cat "$WORK/.stderr")"
		# the manifest file with the signed image: the trailer is not the image
		expect_eq 0 "$(run_status "$GAPIMG" sbom --format $f --manifest $M signed/sb.sqfs)" "$(cat "$WORK/.stderr")"
		cmp "$WORK/.stdout" want.$f
	done
	local id other
	id=$(openssl pkey -pubin -in site.pub -outform DER | tail -c 32 | sha256sum | cut -c1-16)
	other=$(openssl pkey -pubin -in other.pub -outform DER | tail -c 32 | sha256sum | cut -c1-16)
	expect_eq 6 "$(run_status "$GAPIMG" sbom --key other.pub signed/sb.sqfs)"
	expect_eq "gapimg sbom: error: signed/sb.sqfs is signed with key $id, not with the expected key $other" \
		"$(cat "$WORK/.stderr")"
	expect_eq "" "$(cat "$WORK/.stdout")"
	# a changed image byte is caught with the key
	cp signed/sb.sqfs changed.sqfs
	printf 'X' | dd of=changed.sqfs bs=1 seek=5000 conv=notrunc status=none
	expect_eq 7 "$(run_status "$GAPIMG" sbom --key site.pub changed.sqfs)"
	expect_eq "" "$(cat "$WORK/.stdout")"
	# a key that cannot be loaded
	expect_eq 2 "$(run_status "$GAPIMG" sbom --key nothere.pub signed/sb.sqfs)"
	expect_eq "" "$(cat "$WORK/.stdout")"
}

# An RPM image: the epoch is the purl's qualifier, the licence the
# header's License tag.
t_rpm() {
	command -v rpmbuild >/dev/null || skip_case "no rpmbuild"
	mkdir -p rpm/SPECS rpm-mirror
	cat >rpm/SPECS/gamma.spec <<'EOS'
Name: gamma
Epoch: 3
Version: 1.5
Release: 2
Summary: t5002
License: MIT AND (Apache-2.0 OR BSD-3-Clause)
BuildArch: noarch
%description
t5002
%install
mkdir -p %{buildroot}/usr/share/gamma
echo gamma > %{buildroot}/usr/share/gamma/README
%files
/usr/share/gamma/README
EOS
	SOURCE_DATE_EPOCH=1700000000 rpmbuild -bb --define "_topdir $WORK/rpm" --define "_rpmdir $WORK/rpm-mirror" \
		--define "_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm" \
		--define "use_source_date_epoch_as_buildtime 1" rpm/SPECS/gamma.spec >rpmbuild.log 2>&1 ||
		{ cat rpmbuild.log; false; }
	printf 'image el\nversion 9\narch x86_64\nepoch 1700000000\nmirror local rpm-dir rpm-mirror signatures=off\ninstall gamma\n' >el.recipe
	expect_eq 0 "$(run_status "$GAPIMG" build -q --no-cache --no-package-cache -o out/el.sqfs el.recipe)" "$(cat "$WORK/.stderr")"
	"$GAPIMG" sbom --manifest out/el.manifest.json >el.cdx.json
	"$GAPIMG" sbom --format spdx --manifest out/el.manifest.json >el.spdx.json
	expect_eq 'pkg:rpm/gamma@1.5-2?arch=noarch&epoch=3 3:1.5-2 [{"expression": "MIT AND (Apache-2.0 OR BSD-3-Clause)"}]
MIT AND (Apache-2.0 OR BSD-3-Clause)' "$(python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["components"][0]
print(c["purl"], c["version"], json.dumps(c["licenses"]))
print(json.load(open(sys.argv[2]))["packages"][1]["licenseDeclared"])' el.cdx.json el.spdx.json)"
	if [ -d "$VALIDATORS/node_modules/@cyclonedx/cyclonedx-library" ] && command -v node >/dev/null; then
		validate cyclonedx el.cdx.json
		validate spdx el.spdx.json
	fi
}

test_case "the CycloneDX SBOM passes the CycloneDX validator" t_cyclonedx_valid
test_case "the SPDX SBOM passes the SPDX 2.3 schema" t_spdx_valid
test_case "every package, wheel and data file appears once, with its purl and licence" t_contents
test_case "the same manifest gives the same bytes, to stdout or -o" t_deterministic
test_case "usage errors, missing and mismatched files give exact messages" t_errors
test_case "a signed image's SBOM equals its manifest's; a wrong key is refused" t_signed
test_case "an RPM image: epoch qualifier and the License tag" t_rpm
finish
