#!/usr/bin/env bash
# Golden tests for every recipe diagnostic: each tests/recipes/diag/NAME.recipe
# is checked with "gapimg check NAME.recipe" from its folder, and standard
# output, standard error and the exit status must equal NAME.expected byte
# for byte.
#
# After an intended change to a message, regenerate with
#   GAPIMG_UPDATE_GOLDEN=1 scripts/test -R t2000
# and review the diff of tests/recipes/diag/*.expected before committing.
. "$(dirname "$0")/lib.sh"

DIAG="$GAPIMG_SRC/tests/recipes/diag"

# The same bytes whatever the checkout's path: the recipes are named
# relative to their folder.
run_golden() {
	local name=$1 out
	out=$(cd "$DIAG" && {
		set +e
		"$GAPIMG" check "$name.recipe" >"$WORK/$name.out" 2>"$WORK/$name.err"
		echo "--- exit $?"
	})
	{
		echo "--- stdout"
		cat "$WORK/$name.out"
		echo "--- stderr"
		cat "$WORK/$name.err"
		echo "$out"
	} >"$WORK/$name.actual"
	if [ -n "${GAPIMG_UPDATE_GOLDEN:-}" ]; then
		cp "$WORK/$name.actual" "$DIAG/$name.expected"
	fi
	if ! cmp -s "$DIAG/$name.expected" "$WORK/$name.actual"; then
		diff -u "$DIAG/$name.expected" "$WORK/$name.actual" || true
		return 1
	fi
}

for recipe in "$DIAG"/*.recipe; do
	name=$(basename "$recipe" .recipe)
	eval "case_$name() { run_golden '$name'; }"
	test_case "diagnostics of $name.recipe" "case_$name"
done

# Every golden file has its recipe: a renamed recipe must not leave an
# expectation that no longer runs.
orphans() {
	local f bad=0
	for f in "$DIAG"/*.expected; do
		[ -e "${f%.expected}.recipe" ] || { echo "no recipe for $f"; bad=1; }
	done
	return $bad
}
test_case "every .expected file has a recipe" orphans

# A recipe over the 1 MiB limit is refused before it is parsed; made here
# rather than committed.
too_large() {
	{ printf 'image t\nversion 1\narch x86_64\nepoch 0\n'
	  head -c 1100000 /dev/zero | tr '\0' '#'; echo; } >"$WORK/big.recipe"
	st=$(cd "$WORK" && run_status "$GAPIMG" check big.recipe)
	expect_eq 2 "$st" "exit status"
	expect_eq "big.recipe: error: recipe big.recipe is too large (1100039 bytes)
  = help: recipes are at most 1 MiB; split it with includes
big.recipe: 1 error" "$(cat "$WORK/.stderr")"
}
test_case "a recipe over 1 MiB is refused with its size" too_large

finish
