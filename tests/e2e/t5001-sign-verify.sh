#!/usr/bin/env bash
# Signed images through the command line: build --sign and gapimg sign
# give the same bytes, the image part is the unsigned image, unsquashfs
# and rdsquashfs read a signed image (and the kernel mounts it, as root),
# gapimg verify gives one exit status
# per reason (and JSON), a dense sample of flipped bytes and cuts is
# caught, and refused keys or manifests leave the image as it was.
. "$(dirname "$0")/lib.sh"
cd "$WORK"

# One small Debian package in an unsigned local mirror.
make_mirror() {
	local d=pkg
	mkdir -p "$d/DEBIAN" "$d/usr/share/hello" mirror/pool/main mirror/dists/s/main/binary-amd64
	printf 'Package: hello-data\nVersion: 1.0\nArchitecture: all\nMaintainer: t <t@example.invalid>\nDescription: data\n' >"$d/DEBIAN/control"
	gen_bytes 50000 7 >"$d/usr/share/hello/words"
	chmod -R u=rwX,go=rX "$d"
	SOURCE_DATE_EPOCH=1700000000 dpkg-deb --root-owner-group -Zxz --build "$d" mirror/pool/main/hello-data_1.0_all.deb >/dev/null
	deb_index mirror
	cat >r.recipe <<EOR
image s
version 1
arch amd64
epoch 1700000000
mirror m deb mirror suite=s components=main signatures=off
install hello-data
EOR
}

build() { # build OUT [options]: exit status
	local out=$1
	shift
	run_status "$GAPIMG" build -q --no-cache --no-package-cache -o "$out" "$@" r.recipe
}

make_mirror
mkdir plain signed
"$GAPIMG" keygen site >/dev/null
"$GAPIMG" keygen other >/dev/null
ID=$(openssl pkey -pubin -in site.pub -outform DER | tail -c 32 | sha256sum | cut -c1-16)
OTHER=$(openssl pkey -pubin -in other.pub -outform DER | tail -c 32 | sha256sum | cut -c1-16)
[ "$(build plain/s.sqfs)" = 0 ] || { cat "$WORK/.stderr"; exit 1; }

t_build_sign() {
	expect_eq 0 "$(run_status "$GAPIMG" build --no-cache --no-package-cache -o signed/s.sqfs \
		--sign site.key --detached-sig r.recipe)" "$(cat "$WORK/.stderr")"
	grep -qx "signed with key $ID, detached signature signed/s.sqfs.sig" "$WORK/.stdout"
	# the image part is the unsigned image, byte for byte
	local n
	n=$(stat -c %s plain/s.sqfs)
	cmp -n "$n" plain/s.sqfs signed/s.sqfs
	[ "$(stat -c %s signed/s.sqfs)" -gt "$n" ]
	# the trailer is what the detached signature holds, and holds the manifest
	tail -c +"$((n + 1))" signed/s.sqfs | cmp - signed/s.sqfs.sig
	grep -q "$(sha plain/s.sqfs)" signed/s.sqfs.sig
	expect_eq 0 "$(run_status "$GAPIMG" verify signed/s.sqfs --key site.pub)" "$(cat "$WORK/.stderr")"
	expect_eq "signed/s.sqfs: verified: s 1, signed with key $ID
sha256 $(sha plain/s.sqfs), $n bytes, epoch 1700000000" "$(cat "$WORK/.stdout")"
	expect_eq 0 "$(run_status "$GAPIMG" verify plain/s.sqfs --key site.pub --sig signed/s.sqfs.sig)"
	# the private key file also verifies (its public half)
	expect_eq 0 "$(run_status "$GAPIMG" verify signed/s.sqfs --key site.key -q)"
	expect_eq "" "$(cat "$WORK/.stdout" "$WORK/.stderr")"
}

t_sign_reproducible() {
	# the same key on the same image: the same bytes as build --sign
	cp plain/s.sqfs plain/s.manifest.json .
	expect_eq 0 "$(run_status "$GAPIMG" sign s.sqfs --key site.key)" "$(cat "$WORK/.stderr")"
	expect_eq "signed s.sqfs with key $ID" "$(cat "$WORK/.stdout")"
	[ -f signed/s.sqfs ] || "$GAPIMG" build -q --no-cache --no-package-cache -o signed/s.sqfs --sign site.key r.recipe
	cmp s.sqfs signed/s.sqfs
	# re-signing with the same key checks the old signature with it
	expect_eq 0 "$(run_status "$GAPIMG" sign s.sqfs --key site.key)"
	cmp s.sqfs signed/s.sqfs
	# another key needs the old signature's public key
	expect_eq 2 "$(run_status "$GAPIMG" sign s.sqfs --key other.key)"
	expect_eq "gapimg sign: error: s.sqfs is signed with key $ID: give that key's public key with --old-key PUB, so that the manifest in its trailer is checked before it is signed again, or give the manifest with --manifest FILE" "$(cat "$WORK/.stderr")"
	expect_eq 1 "$(run_status "$GAPIMG" sign s.sqfs --key other.key --old-key other.pub)"
	grep -q "^gapimg sign: error: cannot sign s.sqfs again: its old signature does not hold (.* is signed with key $ID, not with the expected key $OTHER): nothing was signed$" "$WORK/.stderr"
	cmp s.sqfs signed/s.sqfs
	# re-signing with another key, and back: the same bytes again
	expect_eq 0 "$(run_status "$GAPIMG" sign s.sqfs --key other.key --old-key site.pub --detached-sig)"
	expect_eq 0 "$(run_status "$GAPIMG" verify s.sqfs --key other.pub)"
	expect_eq 0 "$(run_status "$GAPIMG" sign s.sqfs --key site.key --old-key other.pub)"
	cmp s.sqfs signed/s.sqfs
	# a detached signature by one key beside an embedded one by another
	expect_eq 0 "$(run_status "$GAPIMG" verify s.sqfs --key other.pub --sig s.sqfs.sig)"
}

t_readers() {
	[ -f signed/s.sqfs ] || "$GAPIMG" build -q --no-cache --no-package-cache -o signed/s.sqfs --sign site.key r.recipe
	expect_eq "$(unsquashfs -lls -d '' plain/s.sqfs)" "$(unsquashfs -lls -d '' signed/s.sqfs)"
	expect_eq "$(rdsquashfs -d / plain/s.sqfs)" "$(rdsquashfs -d / signed/s.sqfs)"
	unsquashfs -q -n -d x signed/s.sqfs >/dev/null
	cmp x/usr/share/hello/words pkg/usr/share/hello/words
	expect_eq "$("$GAPIMG" ls plain/s.sqfs)" "$("$GAPIMG" ls signed/s.sqfs)"
}

t_kernel() {
	[ -f signed/s.sqfs ] || "$GAPIMG" build -q --no-cache --no-package-cache -o signed/s.sqfs --sign site.key r.recipe
	is_root || skip_case "mounting needs root"
	mkdir -p mnt
	mount -t squashfs -o loop,ro signed/s.sqfs mnt 2>mount.err ||
		skip_case "cannot loop-mount here: $(head -n 1 mount.err)"
	local rc=0
	cmp mnt/usr/share/hello/words pkg/usr/share/hello/words || rc=1
	umount mnt
	return $rc
}

# verify_status FILE [options]: verify's exit status, output in .stdout/.stderr
vs() { run_status "$GAPIMG" verify "$@"; }

t_statuses() {
	[ -f signed/s.sqfs ] || "$GAPIMG" build -q --no-cache --no-package-cache -o signed/s.sqfs --sign site.key r.recipe
	local n size
	n=$(stat -c %s plain/s.sqfs)
	size=$(stat -c %s signed/s.sqfs)
	expect_eq 5 "$(vs plain/s.sqfs --key site.pub)"
	expect_eq "gapimg verify: unsigned: plain/s.sqfs is not signed: nothing follows the image (sign it with 'gapimg sign plain/s.sqfs --key KEY')" "$(cat "$WORK/.stderr")"
	expect_eq 6 "$(vs signed/s.sqfs --key other.pub)"
	expect_eq "gapimg verify: wrong-key: signed/s.sqfs is signed with key $ID, not with the expected key $OTHER" "$(cat "$WORK/.stderr")"
	# a byte of the manifest: the signature no longer holds
	cp signed/s.sqfs m.sqfs
	printf 'X' | dd of=m.sqfs bs=1 seek=$((n + 200)) conv=notrunc status=none
	expect_eq 7 "$(vs m.sqfs --key site.pub)"
	expect_eq "gapimg verify: bad-signature: m.sqfs: the signature does not match key $ID: the signature trailer (its header or manifest) was changed after signing" "$(cat "$WORK/.stderr")"
	# a byte of the image
	cp signed/s.sqfs i.sqfs
	printf 'X' | dd of=i.sqfs bs=1 seek=5000 conv=notrunc status=none
	expect_eq 7 "$(vs i.sqfs --key site.pub)"
	grep -q "^gapimg verify: modified: i.sqfs was changed after signing: its first $n bytes have SHA-256 $(head -c "$n" i.sqfs | sha256sum | cut -c1-64), the signature is for $(sha plain/s.sqfs)$" "$WORK/.stderr"
	# cut short
	head -c $((size - 100)) signed/s.sqfs >t.sqfs
	expect_eq 8 "$(vs t.sqfs --key site.pub)"
	expect_eq "gapimg verify: truncated: t.sqfs: the signature trailer at byte $n is cut short: it needs $((size - n)) bytes and the file has $((size - n - 100)) after it (copy it again)" "$(cat "$WORK/.stderr")"
	head -c 4000 signed/s.sqfs >t.sqfs
	expect_eq 8 "$(vs t.sqfs --key site.pub)"
	# junk after the image
	{ cat plain/s.sqfs; printf 'not a signature at all'; } >j.sqfs
	expect_eq 9 "$(vs j.sqfs --key site.pub)"
	expect_eq "gapimg verify: malformed: j.sqfs: 22 bytes follow the $n-byte image and they are not a gapimg signature trailer" \
		"$(cat "$WORK/.stderr")"
	# a missing file, a bad key, no key
	expect_eq 1 "$(vs nothere.sqfs --key site.pub)"
	expect_eq "gapimg verify: error: cannot open nothere.sqfs: No such file or directory" "$(cat "$WORK/.stderr")"
	expect_eq 2 "$(vs signed/s.sqfs --key r.recipe)"
	expect_eq 2 "$(vs signed/s.sqfs)"
}

t_json() {
	[ -f signed/s.sqfs ] || "$GAPIMG" build -q --no-cache --no-package-cache -o signed/s.sqfs --sign site.key r.recipe
	expect_eq 0 "$(vs signed/s.sqfs --key site.pub --json)"
	expect_eq "verified 0 $ID $ID s 1 1700000000 $(sha plain/s.sqfs) $(sha r.lock)" \
		"$(python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["status"], j["exit"], j["expected_key"], j["found_key"], j["name"], j["version"], j["epoch"], j["image_sha256"], j["lock_digest"])' <"$WORK/.stdout")"
	expect_eq 6 "$(vs signed/s.sqfs --key other.pub --json)"
	expect_eq "wrong-key 6 $OTHER $ID" \
		"$(python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["status"], j["exit"], j["expected_key"], j["found_key"])' <"$WORK/.stdout")"
	expect_eq "" "$(cat "$WORK/.stderr")"
}

# Flip one byte at 97 evenly spread places, and cut at 97 places: never
# verified.  (The unit test test_trailer does every byte of a small image.)
t_dense_sample() {
	[ -f signed/s.sqfs ] || "$GAPIMG" build -q --no-cache --no-package-cache -o signed/s.sqfs --sign site.key r.recipe
	local size i off st bad=0
	size=$(stat -c %s signed/s.sqfs)
	cp signed/s.sqfs f.sqfs
	for i in $(seq 0 96); do
		off=$((i * (size - 1) / 96))
		python3 -c 'import sys; f=open(sys.argv[1],"r+b"); f.seek(int(sys.argv[2])); b=f.read(1); f.seek(int(sys.argv[2])); f.write(bytes([b[0]^0x10]))' f.sqfs "$off"
		st=$(vs f.sqfs --key site.pub)
		{ [ "$st" -ge 5 ] && [ "$st" -le 9 ]; } || { echo "byte $off flipped: status $st"; bad=1; }
		cp signed/s.sqfs f.sqfs
		head -c "$off" signed/s.sqfs >c.sqfs
		st=$(vs c.sqfs --key site.pub)
		{ [ "$st" -ge 5 ] && [ "$st" -le 9 ]; } || { echo "cut at $off: status $st"; bad=1; }
	done
	[ $bad = 0 ]
}

t_refusals() {
	[ -f signed/s.sqfs ] || "$GAPIMG" build -q --no-cache --no-package-cache -o signed/s.sqfs --sign site.key r.recipe
	local before
	cp signed/s.sqfs r.sqfs
	before=$(sha r.sqfs)
	# a private key others can read
	cp site.key loose.key && chmod 644 loose.key
	expect_eq 2 "$(run_status "$GAPIMG" sign r.sqfs --key loose.key)"
	expect_eq "gapimg sign: error: the private key loose.key can be read or written by others (mode 0644): run 'chmod 600 loose.key' and make a new key if others may have copied it" "$(cat "$WORK/.stderr")"
	expect_eq 2 "$(build loose.sqfs --sign loose.key)"
	[ ! -e loose.sqfs ]
	# a public key cannot sign
	expect_eq 2 "$(run_status "$GAPIMG" sign r.sqfs --key site.pub)"
	expect_eq "gapimg sign: error: site.pub is a public key: signing needs the private key file (NAME.key, from 'gapimg keygen NAME')" "$(cat "$WORK/.stderr")"
	# a manifest of the right length for other bytes: refused after the copy
	sed "s/$(sha plain/s.sqfs)/$(printf '%064d' 1)/" plain/s.manifest.json >other.json
	expect_eq 2 "$(run_status "$GAPIMG" sign r.sqfs --key site.key --manifest other.json)"
	grep -q "it was changed since it was built, or this is another image's manifest; nothing was signed" "$WORK/.stderr"
	# a manifest for another image
	printf '{"image":{"bytes":4096,"sha256":"%064d"},"epoch":1,"recipe":{"digest":"%064d"},"lock":{"digest":"%064d"}}' 0 0 0 >wrong.json
	expect_eq 2 "$(run_status "$GAPIMG" sign r.sqfs --key site.key --manifest wrong.json)"
	grep -q "not its manifest" "$WORK/.stderr"
	# a damaged image is not signed again
	head -c -7 r.sqfs >cut.sqfs
	expect_eq 1 "$(run_status "$GAPIMG" sign cut.sqfs --key site.key)"
	grep -q "^gapimg sign: error: cannot sign cut.sqfs: cut.sqfs: the signature trailer at byte" "$WORK/.stderr"
	# nothing changed, nothing left behind
	expect_eq "$before" "$(sha r.sqfs)"
	expect_eq "" "$(ls -A | grep -- '^\.gapimg-sign' || true)"
	# usage
	expect_eq 2 "$(run_status "$GAPIMG" sign r.sqfs)"
	expect_eq "gapimg sign: give the private key with --key KEY" "$(sed 's/^gapimg sign: error: /gapimg sign: /' "$WORK/.stderr" | head -n 1)"
	expect_eq 2 "$(build d.sqfs --detached-sig)"
}

# Signing in place follows a symbolic link to the file it names, refuses a
# file with several hard links, and keeps the owner.
t_links() {
	[ -f signed/s.sqfs ] || "$GAPIMG" build -q --no-cache --no-package-cache -o signed/s.sqfs --sign site.key r.recipe
	mkdir -p store links
	cp plain/s.sqfs store/real.sqfs
	ln -s ../store/real.sqfs links/img.sqfs
	expect_eq 0 "$(run_status "$GAPIMG" sign links/img.sqfs --key site.key --manifest plain/s.manifest.json)" "$(cat "$WORK/.stderr")"
	[ -L links/img.sqfs ]
	cmp store/real.sqfs signed/s.sqfs
	expect_eq "" "$(ls -A store links | grep -- '\.gapimg-sign' || true)"
	cp plain/s.sqfs h1.sqfs
	ln h1.sqfs h2.sqfs
	expect_eq 2 "$(run_status "$GAPIMG" sign h1.sqfs --key site.key --manifest plain/s.manifest.json)"
	expect_eq "gapimg sign: error: h1.sqfs has 2 hard links: signing replaces the file, which would leave the other names with the old one; sign a copy, or remove the other links first" "$(cat "$WORK/.stderr")"
	cmp h1.sqfs plain/s.sqfs
	if is_root; then
		cp plain/s.sqfs owned.sqfs
		chown 65534:65534 owned.sqfs
		chmod 640 owned.sqfs
		expect_eq 0 "$(run_status "$GAPIMG" sign owned.sqfs --key site.key --manifest plain/s.manifest.json)"
		expect_eq "65534:65534 640" "$(stat -c '%u:%g %a' owned.sqfs)"
	fi
}

test_case "build --sign: the unsigned image plus a trailer that verifies" t_build_sign
test_case "gapimg sign gives build --sign's bytes; re-signing is reproducible" t_sign_reproducible
test_case "unsquashfs, rdsquashfs and gapimg ls read a signed image" t_readers
test_case "the kernel mounts a signed image" t_kernel
test_case "verify: one exit status and message per reason" t_statuses
test_case "verify --json" t_json
test_case "a dense sample of flipped bytes and cuts never verifies" t_dense_sample
test_case "refused keys and manifests change nothing" t_refusals
test_case "links: a symlink's target is signed, hard links refused, owner kept" t_links
finish
