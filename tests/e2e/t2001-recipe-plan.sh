#!/usr/bin/env bash
# The compiled plan: golden canonical JSON and text, the recipe digest's
# stability (comments, spacing, quoting, line order, where the checkout
# lives) and sensitivity (every local input, every setting), include
# resolution, and the shipped recipes.
. "$(dirname "$0")/lib.sh"

PLAN="$GAPIMG_SRC/tests/recipes/plan"
GOLDEN_DIGEST=$(sed -n 's/^{"digest":"\([0-9a-f]*\)".*/\1/p' "$PLAN/full.json")

# A private copy to edit; the golden outputs name the recipe as given.
fresh_copy() {
	rm -rf "$WORK/p"
	cp -r "$PLAN" "$WORK/p"
}

digest_of() {
	(cd "$(dirname "$1")" && "$GAPIMG" show --json "$(basename "$1")") |
		sed -n 's/^{"digest":"\([0-9a-f]*\)".*/\1/p'
}

golden_json() {
	cd "$PLAN"
	"$GAPIMG" show --json full.recipe >"$WORK/full.json"
	if [ -n "${GAPIMG_UPDATE_GOLDEN:-}" ]; then cp "$WORK/full.json" full.json; fi
	cmp full.json "$WORK/full.json" || { diff -u full.json "$WORK/full.json"; return 1; }
	[ "$(wc -l <"$WORK/full.json")" -eq 1 ]
}
test_case "show --json prints the golden canonical plan on one line" golden_json

golden_text() {
	cd "$PLAN"
	"$GAPIMG" show full.recipe >"$WORK/full.txt"
	if [ -n "${GAPIMG_UPDATE_GOLDEN:-}" ]; then cp "$WORK/full.txt" full.txt; fi
	cmp full.txt "$WORK/full.txt" || { diff -u full.txt "$WORK/full.txt"; return 1; }
}
test_case "show prints the golden plan for people" golden_text

recompute_digest() {
	cd "$PLAN"
	"$GAPIMG" show --json full.recipe | python3 -c '
import sys, json, hashlib
d = json.load(sys.stdin)
plan = json.dumps(d["plan"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
print(hashlib.sha256(plan.encode()).hexdigest())
print(d["digest"])' >"$WORK/digests"
	expect_eq "$GOLDEN_DIGEST
$GOLDEN_DIGEST" "$(cat "$WORK/digests")"
}
test_case "the digest is the SHA-256 of the plan, recomputable with Python's json" recompute_digest

# Comments, blank lines, spacing, tabs, quoting and the order of lines
# (mirrors aside) mean nothing.
same_meaning() {
	fresh_copy
	{
		echo "# a different file, the same image"
		echo
		echo "include   site/base.recipe   # first, so its mirror stays first"
		grep -v '^include\|^#' "$PLAN/full.recipe" | grep . | tac |
			sed -e 's/^install "python3"/install	python3/' -e 's/ / \t /' -e 's/$/   # noted/'
		echo "   # the end"
	} >"$WORK/p/full.recipe"
	"$GAPIMG" check -q "$WORK/p/full.recipe"
	expect_eq "$GOLDEN_DIGEST" "$(digest_of "$WORK/p/full.recipe")" "digest"
}
test_case "comments, spacing, quoting and line order do not change the digest" same_meaning

moved_checkout() {
	fresh_copy
	mkdir -p "$WORK/elsewhere/deeper"
	mv "$WORK/p" "$WORK/elsewhere/deeper/p"
	expect_eq "$GOLDEN_DIGEST" "$(digest_of "$WORK/elsewhere/deeper/p/full.recipe")" "moved"
	# Named with an absolute path from another folder: the same plan.
	got=$(cd / && "$GAPIMG" show --json "$WORK/elsewhere/deeper/p/full.recipe" |
		sed -n 's/^{"digest":"\([0-9a-f]*\)".*/\1/p')
	expect_eq "$GOLDEN_DIGEST" "$got" "absolute path"
}
test_case "where the checkout lives does not change the digest" moved_checkout

# Each edit must change the digest, and to a different value each time.
sensitivity() {
	local seen="$GOLDEN_DIGEST" d edit
	for edit in \
		"printf x >>site/files/app.conf" \
		"printf x >>site/files/site.conf" \
		"printf x >>site/keys/local.asc" \
		"sed -i 's/Hello/Hallo/' full.recipe" \
		"sed -i 's/^epoch 1700000000/epoch 1700000001/' full.recipe" \
		"sed -i 's/mode=0600/mode=0640/' full.recipe" \
		"sed -i 's/provenance=\"Data team/provenance=\"Data Team/' full.recipe" \
		"sed -i 's/level=9/level=8/' full.recipe" \
		"sed -i 's/^scripts run/scripts none/' full.recipe" \
		"sed -i 's/priority=7/priority=8/' site/base.recipe" \
		"sed -i 's/^install \\/usr\\/bin\\/python3 /install /' full.recipe" \
		"sed -i 's/^include .*//; s/^\\(mirror wheels .*\\)$/\\1\\ninclude site\\/base.recipe/' full.recipe"
	do
		fresh_copy
		(cd "$WORK/p" && eval "$edit")
		d=$(digest_of "$WORK/p/full.recipe")
		[ -n "$d" ] || { echo "no digest after: $edit"; return 1; }
		case " $seen " in
		*" $d "*) echo "digest did not change (or repeated) after: $edit"; return 1 ;;
		esac
		seen="$seen $d"
	done
}
test_case "every local input and setting changes the digest" sensitivity

data_changed() {
	fresh_copy
	printf x >>"$WORK/p/data/table.bin"
	st=$(cd "$WORK/p" && run_status "$GAPIMG" show --json full.recipe)
	expect_eq 2 "$st" "exit status"
	expect_eq "" "$(cat "$WORK/.stdout")" "stdout"
	grep -q "^full.recipe:24:[0-9]*: error: data file data/table.bin does not match its sha256: the recipe says 785b0751fc2c53dc14a4ce3d800e69ef9ce1009eb327ccf458afe09c242c26c9, the file has " "$WORK/.stderr"
}
test_case "a changed data file is refused, naming both hashes" data_changed

include_paths() {
	cd "$PLAN"
	"$GAPIMG" show --json full.recipe | python3 -c '
import sys, json
p = json.load(sys.stdin)["plan"]
files = {f["path"]: f.get("source") for f in p["content"]["files"]}
print(files["/etc/site.conf"], files["/etc/app.conf"])
print(p["mirrors"][0]["location"], " ".join(k["path"] for k in p["mirrors"][0]["keys"]))
print(p["mirrors"][1]["location"])' >"$WORK/paths"
	expect_eq "site/files/site.conf site/files/app.conf
mirrors/debian site/keys/archive.asc site/keys/local.asc
/srv/mirror wheels" "$(cat "$WORK/paths")"
}
test_case "paths in included files are relative to them, recorded relative to the main recipe" include_paths

hard_link_include() {
	mkdir -p "$WORK/h"
	cd "$WORK/h"
	printf 'fragment\nenv X 1\n' >a.recipe
	ln a.recipe b.recipe
	printf 'image t\nversion 1\narch x86_64\nepoch 0\ninclude a.recipe\ninclude b.recipe\n' >main.recipe
	st=$(run_status "$GAPIMG" check main.recipe)
	expect_eq 2 "$st"
	expect_eq "main.recipe:6:9: error: b.recipe is the same file as a.recipe, which is already included
 6 | include b.recipe
   |         ^~~~~~~~
   = help: each file is read once per image; include it from one place
main.recipe: 1 error" "$(cat "$WORK/.stderr")"
}
test_case "a hard link to an included file is not read a second time" hard_link_include

symlinked_main() {
	mkdir -p "$WORK/s/real/files" "$WORK/s/view/files"
	cd "$WORK/s"
	printf 'image t\nversion 1\narch x86_64\nepoch 0\nfile /etc/a source=files/a\n' >real/x.recipe
	printf 'real\n' >real/files/a
	printf 'view\n' >view/files/a
	ln -s ../real/x.recipe view/x.recipe
	"$GAPIMG" show --json view/x.recipe | python3 -c '
import sys, json
f = json.load(sys.stdin)["plan"]["content"]["files"][0]
print(f["source"], f["sha256"])' >"$WORK/got"
	expect_eq "files/a $(printf 'view\n' | sha256sum | cut -d' ' -f1)" "$(cat "$WORK/got")"
}
test_case "a symlinked recipe reads its inputs next to the link, as the plan records" symlinked_main

shipped_recipes() {
	cd "$GAPIMG_SRC"
	"$GAPIMG" check recipes/*.recipe >"$WORK/out" 2>"$WORK/err"
	expect_eq "recipes/base.recipe: ok
recipes/demo.recipe: ok
recipes/ml-gpu.recipe: ok" "$(cat "$WORK/out")"
	expect_eq "" "$(cat "$WORK/err")" "warnings"
}
test_case "the shipped recipes pass gapimg check without warnings" shipped_recipes

readme_digest() {
	cd "$GAPIMG_SRC"
	expect_eq "$(sed -n 's/^    digest  //p' README.md)" \
		"$("$GAPIMG" show recipes/ml-gpu.recipe | sed -n 's/^digest  //p')" \
		"README's ml-gpu digest"
}
test_case "README shows the current digest of recipes/ml-gpu.recipe" readme_digest

cli() {
	st=$(run_status "$GAPIMG" check)
	expect_eq "2" "$st"
	expect_eq "gapimg check: error: give at least one recipe
Run 'gapimg check --help' for usage." "$(cat "$WORK/.stderr")"
	st=$(run_status "$GAPIMG" show a b)
	expect_eq "2" "$st"
	expect_eq "gapimg show: error: give exactly one recipe
Run 'gapimg show --help' for usage." "$(cat "$WORK/.stderr")"
	st=$(run_status "$GAPIMG" check --bogus)
	expect_eq "2" "$st"
	# One bad recipe among good ones: the good ones still say ok, the
	# status is 2.
	cd "$PLAN"
	st=$(run_status "$GAPIMG" check full.recipe ../diag/arch-unknown.recipe site/base.recipe)
	expect_eq "2" "$st"
	expect_eq "full.recipe: ok
site/base.recipe: ok (1 warning)" "$(cat "$WORK/.stdout")"
	grep -qx "../diag/arch-unknown.recipe: 1 error" "$WORK/.stderr"
	st=$(run_status "$GAPIMG" check -q full.recipe)
	expect_eq "0" "$st"
	expect_eq "" "$(cat "$WORK/.stdout")" "quiet"
	st=$(run_status "$GAPIMG" show ../diag/arch-unknown.recipe)
	expect_eq "2" "$st"
	expect_eq "" "$(cat "$WORK/.stdout")" "show on errors"
	"$GAPIMG" help check | grep -q '^usage: gapimg check'
	"$GAPIMG" show --help | grep -q '^usage: gapimg show'
}
test_case "check and show: arguments, statuses, several recipes, -q" cli

finish
