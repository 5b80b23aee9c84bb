# Shared set-up for the resolver tests (t30xx): real repositories built
# by tests/fixtures/make-repos.sh (rpmbuild, createrepo_c, dpkg-deb,
# apt-ftparchive, gpg) in $WORK/repos, and small helpers.

# libsolv 0.7.23 leaks in repo_add_keyring (tests/lsan.supp); LeakSanitizer
# can match that suppression only with full stacks, as libsolv has no
# frame pointers.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"
export XDG_CACHE_HOME=$WORK/xdg-cache

make_repos() {
	make_fixture make-repos "$WORK/repos"
	GOOD=$(tr 'A-F' 'a-f' <"$WORK/repos/keys/good.fpr")
	WRONG=$(tr 'A-F' 'a-f' <"$WORK/repos/keys/wrong.fpr")
}

# recipe FILE: an image recipe whose body comes from standard input.
recipe() {
	{ printf 'image t\nversion 1\narch x86_64\nepoch 1700000000\n'; cat; } >"$1"
}

# Replace what differs between fixture builds (random keys) with names.
norm() {
	sed -e "s/$GOOD/GOODKEY/g" -e "s/$WRONG/WRONGKEY/g" \
	    -e "s/${GOOD: -16}/GOODKEYID/g" -e "s/${WRONG: -16}/WRONGKEYID/g"
}

# Package lines of "gapimg resolve" output (without the mirror lines).
pkgs() { grep -v '^mirror ' "$WORK/.stdout"; }
