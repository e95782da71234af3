/*
 * What strata adopt keeps while it works (struct adopt, on the context):
 * releasing it. Apart from adopt.c so that releasing a context does not
 * call into the command.
 */
#include "common.h"
#include "ctx.h"
#include "adopt.h"

void strata__adopt_items_release(struct adopt *a)
{
	size_t i;

	for (i = 0; i < a->n_items; i++) {
		strata__free(a->items[i].version_text);
		strata__free(a->items[i].name);
		strata__free(a->items[i].detail);
	}
	strata__free(a->items);
	a->items = NULL;
	a->n_items = a->alloc_items = 0;
}

void strata__adopt_free(strata_ctx *ctx)
{
	struct adopt *a = ctx->adopt;
	size_t i;

	if (!a)
		return;
	for (i = 0; i < a->n_rows; i++) {
		strata__free(a->rows[i].version);
		strata__free(a->rows[i].key);
		strata__free(a->rows[i].checksum);
		strata__free(a->rows[i].group);
	}
	strata__free(a->rows);
	strata__adopt_items_release(a);
	strata__free(a->at);
	strata__free(a->renamed);
	strata__free(a->baseline_file);
	strata__free(a->out_items);
	strata_buf_release(&a->undo_sql);
	strata_buf_release(&a->next);
	strata__free(a);
	ctx->adopt = NULL;
}
