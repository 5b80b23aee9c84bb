#!/usr/bin/env bash
# The recipe's own content on top of packages: data files pinned by
# SHA-256 (with provenance in the manifest), files that replace a
# package's file, removals, /etc/environment, systemd unit enablement, and
# owners that only the image's accounts know.  Also the manifest itself.
. "$(dirname "$0")/lib.sh"
cd "$WORK"

# A small unsigned Debian mirror with one package holding a unit.
make_mirror() {
	local d=pkg
	mkdir -p "$d/DEBIAN" "$d/lib/systemd/system" "$d/etc" "$d/usr/share/doc/svc" mirror/pool/main \
		mirror/dists/s/main/binary-amd64
	printf 'Package: svc\nVersion: 1.0\nArchitecture: all\nMaintainer: t <t@example.invalid>\nDescription: a unit\n' >"$d/DEBIAN/control"
	printf '[Unit]\nDescription=demo\n\n[Service]\nExecStart=/bin/true\n\n[Install]\nWantedBy=multi-user.target\nAlias=demo-alias.service\n' \
		>"$d/lib/systemd/system/demo.service"
	printf 'from the package\n' >"$d/etc/demo.conf"
	printf 'doc\n' >"$d/usr/share/doc/svc/README"
	printf 'u svcd - "Service daemon"\n' >"$d/etc/svcd.conf"
	mkdir -p "$d/usr/lib/sysusers.d" && mv "$d/etc/svcd.conf" "$d/usr/lib/sysusers.d/svcd.conf"
	chmod -R u=rwX,go=rX "$d"
	SOURCE_DATE_EPOCH=1700000000 dpkg-deb --root-owner-group -Zxz --build "$d" mirror/pool/main/svc_1.0_all.deb >/dev/null
	# svc-on ships a unit and the link that enables it
	d=pkg-on
	mkdir -p "$d/DEBIAN" "$d/lib/systemd/system" "$d/etc/systemd/system/multi-user.target.wants"
	printf 'Package: svc-on\nVersion: 1.0\nArchitecture: all\nMaintainer: t <t@example.invalid>\nDescription: an enabled unit\n' >"$d/DEBIAN/control"
	printf '[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n' >"$d/lib/systemd/system/other.service"
	ln -sfn /lib/systemd/system/other.service "$d/etc/systemd/system/multi-user.target.wants/other.service"
	chmod -R u=rwX,go=rX "$d"
	SOURCE_DATE_EPOCH=1700000000 dpkg-deb --root-owner-group -Zxz --build "$d" mirror/pool/main/svc-on_1.0_all.deb >/dev/null
	deb_index mirror
}

t_content() {
	make_mirror
	head -c 3000000 /dev/zero | tr '\0' 'm' >model.bin
	local sum
	sum=$(sha model.bin)
	cat >r.recipe <<EOR
image c
version 2
arch amd64
epoch 1700000000
mirror m deb mirror suite=s components=main signatures=off
install svc
data /opt/models/model.bin source=model.bin sha256=$sum provenance="made by t4002" owner=svcd
file /etc/demo.conf text="from the recipe\n"
enable demo.service
env LANG C.UTF-8
env GREETING "hello world"
remove /usr/share/doc/**
EOR
	mkdir out
	expect_eq 0 "$(run_status "$GAPIMG" build -q --no-cache --no-package-cache -o out/c.sqfs r.recipe)" "$(cat "$WORK/.stderr")"
	expect_eq "lrwxrwxrwx 0/0 - 2023-11-14T22:13:20Z /etc/systemd/system/demo-alias.service -> /lib/systemd/system/demo.service
lrwxrwxrwx 0/0 - 2023-11-14T22:13:20Z /etc/systemd/system/multi-user.target.wants/demo.service -> /lib/systemd/system/demo.service
-rw-r--r-- 999/0 3000000 2023-11-14T22:13:20Z /opt/models/model.bin" \
		"$("$GAPIMG" ls out/c.sqfs | grep -E 'Z /(etc/systemd/system/.*[^/]|opt/models/model.bin)( -> .*)?$' | grep -v '^d')"
	expect_eq "" "$("$GAPIMG" ls out/c.sqfs | grep /usr/share/doc || true)" "removed docs"
	unsquashfs -q -n -d root out/c.sqfs >/dev/null
	expect_eq "from the recipe" "$(cat root/etc/demo.conf)"
	expect_eq 'GREETING="hello world"
LANG=C.UTF-8' "$(cat root/etc/environment)"
	cmp model.bin root/opt/models/model.bin
	grep -qx 'svcd:x:999:999:Service daemon:/:/usr/sbin/nologin' root/etc/passwd
	# the manifest: data files with provenance, packages with hashes
	python3 - out/c.manifest.json "$sum" "$(sha out/c.sqfs)" <<'EOP'
import json, sys
m = json.load(open(sys.argv[1]))
assert m["files"] == [{"path": "/opt/models/model.bin", "source": "model.bin", "sha256": sys.argv[2],
                       "size": 3000000, "provenance": "made by t4002"}], m["files"]
assert m["image"]["sha256"] == sys.argv[3]
assert [p["name"] for p in m["packages"]] == ["svc"]
assert m["recipe"]["digest"] and m["lock"]["digest"]
assert m["compression"] == {"algorithm": "zstd", "level": 15, "block_size": 131072}
for k in ("libsquashfs", "libzstd", "librpm", "libsolv", "libarchive", "openssl"):
    assert m["libraries"][k], k
assert m["sealed"]["network_namespace"] in (True, False)
EOP
}

t_unit_missing() {
	make_mirror
	printf 'image c\nversion 2\narch amd64\nepoch 1700000000\nmirror m deb mirror suite=s components=main signatures=off\ninstall svc\nenable nosuch.service\n' >u.recipe
	mkdir -p out
	expect_eq 1 "$(run_status "$GAPIMG" build -q --no-cache --no-package-cache -o out/u.sqfs u.recipe)"
	expect_eq "gapimg build: error: u.recipe:7: cannot enable nosuch.service: no package installs it in /usr/lib/systemd/system or /lib/systemd/system
gapimg build: nothing was written" "$(cat "$WORK/.stderr")"
}

# disable: fine when nothing enables the unit; a package's enablement
# link is named, and "remove" takes it away.
t_disable() {
	make_mirror
	mkdir -p out
	printf 'image c\nversion 2\narch amd64\nepoch 1700000000\nmirror m deb mirror suite=s components=main signatures=off\ninstall svc svc-on\ndisable demo.service other.service\n' >d.recipe
	expect_eq 2 "$(run_status "$GAPIMG" build -q --no-cache --no-package-cache -o out/d.sqfs d.recipe)"
	expect_eq "gapimg build: error: d.recipe:7: cannot disable other.service: /etc/systemd/system/multi-user.target.wants/other.service (from svc-on 1.0) enables it; add 'remove /etc/systemd/system/multi-user.target.wants/other.service' to the recipe
gapimg build: nothing was written" "$(cat "$WORK/.stderr")"
	echo 'remove /etc/systemd/system/multi-user.target.wants/other.service' >>d.recipe
	rm -f d.lock
	expect_eq 0 "$(run_status "$GAPIMG" build -q --no-cache --no-package-cache -o out/d.sqfs d.recipe)" "$(cat "$WORK/.stderr")"
	expect_eq "" "$("$GAPIMG" ls out/d.sqfs | grep 'wants/' || true)"
}

# "unshare -n gapimg build" works, and the manifest says the build was sealed.
t_sealed() {
	is_root || skip_case "a network namespace needs root here"
	make_mirror
	printf 'image c\nversion 2\narch amd64\nepoch 1700000000\nmirror m deb mirror suite=s components=main signatures=off\ninstall svc\n' >s.recipe
	mkdir -p out
	unshare -n "$GAPIMG" build -q --no-cache --no-package-cache -o out/s.sqfs s.recipe
	expect_eq true "$(python3 -c 'import json,sys; print(str(json.load(open(sys.argv[1]))["sealed"]["network_namespace"]).lower())' out/s.manifest.json)"
}

test_case "data files, replaced and removed files, env, enabled units, manifest" t_content
test_case "enabling a unit no package installs is an error naming the recipe line" t_unit_missing
test_case "disable: a package's enablement link is named and can be removed" t_disable
test_case "unshare -n gapimg build works and is recorded as sealed" t_sealed
finish
