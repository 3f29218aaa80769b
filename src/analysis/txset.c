/*
 * txset.c - see txset.h: building, freeing and trimming the set; the
 * per-member operations are inline in the header (the tracer's hot loop).
 */
#include "analysis/txset.h"
#include "util/bigmem.h"
#include "util/error.h"

#include <string.h>

int ct__txset_init(ct__txset *t, uint64_t n)
{
	memset(t, 0, sizeof(*t));
	uint64_t bits = n ? n : 1;
	for (int l = 0; l < CT_TXSET_LEVELS; l++) {
		t->nw[l] = (size_t)((bits + 63) / 64);
		t->lv[l] = ct__big_zalloc(t->nw[l] * sizeof(uint64_t));
		if (!t->lv[l]) {
			ct__txset_free(t);
			return ct__err(CT_ENOMEM, "out of memory (trace frontier of a %llu-tx chain)",
			               (unsigned long long)n);
		}
		t->nl = l + 1;
		if (t->nw[l] == 1)
			break;
		bits = t->nw[l];
	}
	t->lo_kept = 0;
	t->hi_kept = t->nw[0];
	return 0;
}

void ct__txset_free(ct__txset *t)
{
	for (int l = 0; l < t->nl; l++)
		ct__big_free(t->lv[l], t->nw[l] * sizeof(uint64_t));
	memset(t, 0, sizeof(*t));
}

#define RELEASE_WORDS CT_TXSET_RELEASE_WORDS

static int words_zero(const uint64_t *w, size_t n)
{
	uint64_t any = 0;
	for (size_t i = 0; i < n; i++)
		any |= w[i];
	return !any;
}

void ct__txset_release_at(ct__txset *t, uint64_t cursor, int back)
{
	size_t w = (size_t)(cursor >> 6), lo, hi;
	if (!back) {
		/* words below the cursor's, in whole steps */
		if (w < t->lo_kept + RELEASE_WORDS)
			return;
		lo = t->lo_kept;
		hi = w & ~(RELEASE_WORDS - 1);
		if (hi > t->hi_kept)
			hi = t->hi_kept;
		t->lo_kept = hi;
	} else {
		/* words above the cursor's, in whole steps */
		if (w + 1 + RELEASE_WORDS > t->hi_kept)
			return;
		lo = (w + RELEASE_WORDS) & ~(RELEASE_WORDS - 1);
		if (lo < t->lo_kept)
			lo = t->lo_kept;
		hi = t->hi_kept;
		t->hi_kept = lo;
	}
	if (lo < hi && words_zero(t->lv[0] + lo, hi - lo))
		ct__big_release(t->lv[0], t->nw[0] * sizeof(uint64_t), lo * sizeof(uint64_t),
		                (hi - lo) * sizeof(uint64_t));
}
