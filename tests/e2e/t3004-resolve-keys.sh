#!/usr/bin/env bash
# Keys and signatures the resolver must get right beyond the fixtures:
# Ed25519 signatures with a short s value (which crash libsolv 0.7.23's own
# EdDSA code), signing subkeys with and without a binding signature, and
# revoked keys. Keys are made here with gpg.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/resolve-lib.sh"
command -v gpg >/dev/null || skip_all "gpg is not installed (scripts/setup installs it)"
make_repos
cd "$WORK"
# gpg-agent's socket must have a short path
GH=$(mktemp -d /tmp/gapimg-gpg.XXXXXX)
trap 'command gpgconf --homedir "$GH" --kill all 2>/dev/null; rm -rf "$GH" "$WORK"' EXIT
export GNUPGHOME=$GH
g() { command gpg --batch --quiet --pinentry-mode loopback --passphrase '' "$@"; }

# "RLEN SLEN" (bytes) of the first EdDSA signature in a file
mpi_lengths() {
	python3 - "$1" <<'EOF'
import base64, sys
data = open(sys.argv[1], "rb").read()
if not data[0] & 0x80:
    lines = data.decode().splitlines()
    i = next(i for i, l in enumerate(lines) if l.startswith("-----BEGIN"))
    j = next(j for j in range(i + 1, len(lines)) if lines[j] == "")
    body = [l for l in lines[j + 1:] if not l.startswith(("=", "-----"))]
    data = base64.b64decode("".join(body))
c = data[0]
if c & 0x40:
    l = data[1]; hl = 2
else:
    n = 1 << (c & 3); hl = 1 + n; l = int.from_bytes(data[1:1 + n], "big")
b = data[hl:hl + l]
q = 6 + int.from_bytes(b[4:6], "big")
q += 2 + int.from_bytes(b[q:q + 2], "big") + 2
r = int.from_bytes(b[q:q + 2], "big"); q += 2 + (r + 7) // 8
s = int.from_bytes(b[q:q + 2], "big")
print((r + 7) // 8, (s + 7) // 8)
EOF
}

g --faked-system-time 20200101T000000 --quick-gen-key 'gapimg key test <k@gapimg.invalid>' ed25519 sign never
FPR=$(g --with-colons --list-keys k@gapimg.invalid | awk -F: '$1 == "fpr" { print tolower($10); exit }')
g --armor --export "$FPR" >k.asc

t_short_s_signature() {
	# re-sign repomd.xml at different times until s is shorter than r
	# (about one signature in 128); libsolv would write past its buffer
	cp -a repos/rpm/base b1
	rm b1/repodata/repomd.xml.asc
	local i found=""
	for i in $(seq 1 3000); do
		g --yes --faked-system-time $((1690000000 + i)) -u "$FPR" --armor --detach-sign \
			-o b1/repodata/repomd.xml.asc b1/repodata/repomd.xml
		set -- $(mpi_lengths b1/repodata/repomd.xml.asc)
		if [ "$2" -lt "$1" ]; then found=$i; break; fi
	done
	[ -n "$found" ] || skip_case "no signature with a short s in 3000 tries"
	echo "mirror base rpm-md b1 key=k.asc" | { cat; echo "install alpha"; } | recipe r.recipe
	expect_eq 0 "$(run_status "$GAPIMG" resolve --no-cache r.recipe)"
	expect_eq "mirror base rpm-md: 18 packages, metadata sha256 $(sha b1/repodata/repomd.xml), signed by $FPR" \
		"$(head -n 1 .stdout)"
	# and the same signature over other bytes is refused, without a crash
	sed -i 's|<revision>1700000000</revision>|<revision>1700000002</revision>|' b1/repodata/repomd.xml
	expect_eq 1 "$(run_status "$GAPIMG" resolve --no-cache r.recipe)"
	grep -q "the file was changed after it was signed" .stderr
}

t_subkeys_and_revocation() {
	# a signing subkey, bound to the primary key: accepted
	g --quick-add-key "$FPR" ed25519 sign never
	local sub
	sub=$(g --with-colons --list-keys "$FPR" | awk -F: '$1 == "sub" { print $5; exit }')
	g --armor --export "$FPR" >ksub.asc
	cp -a repos/rpm/base b2
	g --yes -u "$sub!" --armor --detach-sign -o b2/repodata/repomd.xml.asc b2/repodata/repomd.xml
	echo "mirror base rpm-md b2 key=ksub.asc" | { cat; echo "install alpha"; } | recipe r.recipe
	expect_eq 0 "$(run_status "$GAPIMG" resolve --no-cache r.recipe)" "bound subkey"
	# the same subkey appended to another key's file, without a binding
	# signature by that key: refused (libsolv alone would trust it)
	g --quick-gen-key 'gapimg other <o@gapimg.invalid>' ed25519 sign never
	g --export o@gapimg.invalid >other.gpg
	g --export "$FPR" | python3 -c '
import sys
data = sys.stdin.buffer.read(); out = b""; p = 0; keep = False
while p < len(data):
    c = data[p]
    if c & 0x40:
        tag = c & 0x3f; l = data[p + 1]
        if l < 192: hl = 2
        elif l < 224: l = ((l - 192) << 8) + data[p + 2] + 192; hl = 3
        else: l = int.from_bytes(data[p + 2:p + 6], "big"); hl = 6
    else:
        tag = (c >> 2) & 15; n = 1 << (c & 3); hl = 1 + n; l = int.from_bytes(data[p + 1:p + 1 + n], "big")
    if tag == 14: keep = True
    elif tag in (6, 13): keep = False
    if keep: out += data[p:p + hl + l]
    p += hl + l
sys.stdout.buffer.write(out)' >subonly.gpg
	cat other.gpg subonly.gpg >spliced.gpg
	echo "mirror base rpm-md b2 key=spliced.gpg" | { cat; echo "install alpha"; } | recipe r.recipe
	expect_eq 1 "$(run_status "$GAPIMG" resolve --no-cache r.recipe)" "spliced subkey"
	expect_eq "gapimg resolve: error: mirror base: repodata/repomd.xml.asc is signed by key ${sub,,}, which is not in the mirror's keys (key=spliced.gpg); add the right key to the recipe if you trust it" \
		"$(cat .stderr)"
	# a revoked key is not trusted at all
	sed -n '/BEGIN PGP PUBLIC KEY BLOCK/,$p' "$GH/openpgp-revocs.d/${FPR^^}.rev" | sed 's/^://' >rev.asc
	g --import rev.asc
	g --armor --export "$FPR" >krev.asc
	echo "mirror base rpm-md b2 key=krev.asc" | { cat; echo "install alpha"; } | recipe r.recipe
	expect_eq 2 "$(run_status "$GAPIMG" resolve --no-cache r.recipe)" "revoked"
	expect_eq "gapimg resolve: error: mirror base: key file krev.asc holds no usable OpenPGP public key (v4 RSA, DSA or EdDSA, armored or binary, and not revoked)" \
		"$(cat .stderr)"
}

t_filelists() {
	# /usr/share/doc/delta/README is only in filelists.xml, not in primary
	echo "mirror base rpm-md repos/rpm/base key=repos/keys/good.asc" | { cat; echo "install /usr/share/doc/delta/README"; } | recipe r.recipe
	expect_eq 0 "$(run_status "$GAPIMG" resolve r.recipe)"
	expect_eq "alpha beta delta" "$(awk 'NF == 6 { printf "%s%s", s, $2; s = " " }' .stdout)"
}

test_case "an Ed25519 signature with a short s verifies, and does not crash" t_short_s_signature
test_case "subkeys need a binding signature; revoked keys are refused" t_subkeys_and_revocation
test_case "files listed only in filelists.xml can be asked for" t_filelists
finish
