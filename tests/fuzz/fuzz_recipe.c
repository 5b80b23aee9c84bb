/*
 * libFuzzer target for the recipe compiler: any bytes in, and the compiler
 * must neither crash, leak nor hit undefined behaviour, whatever it
 * thinks of them.  Also linked into fuzz_replay (replay.c) so that gcc
 * builds without libFuzzer can run the corpus as a regression test.
 *
 * GAPIMG_COMPILE_NO_FILES keeps the compiler off the file system: an
 * include or source= in the input is an error, so a run never depends on
 * what happens to lie in the current folder.
 *
 * Besides the sanitizers, the API's promises are checked (abort() makes
 * libFuzzer save the input): a plan comes back exactly when there are no
 * errors, and writing the plan and the diagnostics never fails.  Memory
 * does not run out on inputs this small (and the sanitizers' malloc aborts
 * rather than return NULL), so an "out of memory" error is a mislabelled
 * bug.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gapimg/error.h"
#include "gapimg/plan.h"
#include "gapimg/recipe.h"
#include "gapimg/strbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gapimg_diags diags;
	struct gapimg_error err;
	struct gapimg_plan *plan;
	struct strbuf out = STRBUF_INIT;
	size_t i;

	memset(&diags, 0, sizeof(diags));
	memset(&err, 0, sizeof(err));
	plan = gapimg_recipe_compile_buffer("fuzz.recipe", (const char *)data, size,
					    GAPIMG_COMPILE_NO_FILES, &diags, &err);
	if (plan) {
		/* A plan with errors would be a half-checked recipe. */
		if (diags.errors != 0)
			abort();
		if (gapimg_plan_canonical_json(plan, &out, &err) < 0)
			abort();
		strbuf_reset(&out);
	} else if (diags.errors == 0) {
		/* No plan and no diagnostic saying why: the user would see
		 * only err (or nothing). */
		abort();
	}
	for (i = 0; i < diags.n; i++)
		if (gapimg_diag_format(&diags.v[i], &out) < 0)
			abort();
	gapimg_plan_free(plan);
	gapimg_diags_release(&diags);
	strbuf_release(&out);
	return 0;
}
