#!/usr/bin/env bash
# gapimg keygen: an Ed25519 pair OpenSSL reads, the private key 0600 even
# under umask 000, the key id from the raw public key, never replacing a
# key, and nothing left behind when it cannot write.
. "$(dirname "$0")/lib.sh"
cd "$WORK"

t_pair() {
	expect_eq 0 "$(umask 000 && run_status "$GAPIMG" keygen site)" "$(cat "$WORK/.stderr")"
	expect_eq "600 644" "$(stat -c %a site.key) $(stat -c %a site.pub)"
	# OpenSSL reads both; the .pub is the private key's public half
	openssl pkey -in site.key -noout -text | grep -q '^ED25519 Private-Key:$'
	openssl pkey -in site.key -pubout | cmp - site.pub
	# the key id: the first 8 bytes of the SHA-256 of the raw public key
	local id
	id=$(openssl pkey -pubin -in site.pub -outform DER | tail -c 32 | sha256sum | cut -c1-16)
	expect_eq "wrote site.key (private: keep it off the nodes) and site.pub
key id $id" "$(cat "$WORK/.stdout")"
	# two keys differ
	expect_eq 0 "$(run_status "$GAPIMG" keygen other)"
	[ "$(sed -n 's/^key id //p' "$WORK/.stdout")" != "$id" ]
}

t_never_replaces() {
	expect_eq 0 "$(run_status "$GAPIMG" keygen keep)"
	local before
	before=$(cat keep.key keep.pub | sha256sum)
	expect_eq 2 "$(run_status "$GAPIMG" keygen keep)"
	expect_eq "gapimg keygen: error: keep.key exists: gapimg never replaces a key (images signed with it could no longer be re-signed); choose another name, or move the old pair away first" "$(cat "$WORK/.stderr")"
	expect_eq "$before" "$(cat keep.key keep.pub | sha256sum)"
	# a lone .pub blocks it too
	echo x >lone.pub
	expect_eq 2 "$(run_status "$GAPIMG" keygen lone)"
	[ ! -e lone.key ]
}

t_errors() {
	expect_eq 1 "$(run_status "$GAPIMG" keygen no/such/dir/k)"
	expect_eq "gapimg keygen: error: cannot create a temporary file beside no/such/dir/k.key: No such file or directory" "$(cat "$WORK/.stderr")"
	expect_eq 2 "$(run_status "$GAPIMG" keygen)"
	expect_eq 2 "$(run_status "$GAPIMG" keygen a b)"
	mkdir -p ro && chmod 555 ro
	if ! is_root; then
		expect_eq 1 "$(run_status "$GAPIMG" keygen ro/k)"
		expect_eq "" "$(ls ro)"
	fi
}

test_case "an Ed25519 pair OpenSSL reads, with its key id" t_pair
test_case "an existing key is never replaced" t_never_replaces
test_case "errors leave nothing behind" t_errors
finish
