/*
 * txset.h - a set of tx ids (the tracer's pending txs): a bitmap over the
 * store's tx ids with summary levels (a bit per non-zero word of the level
 * below), so the next member after any position is found in a few word
 * reads however sparse the set.
 *
 * The tracer's pops only move one way (forward a tx only spends earlier
 * txs, backward only earlier txs created what it spends), so the part of
 * the bitmap behind the cursor is all clear: ct__txset_release() gives its
 * pages back. Memory: one bit per tx of the chain as address space, pages
 * touched only where members were, and resident only over the span still
 * pending; plus 1/63 of that for the summaries.
 */
#ifndef CT_ANALYSIS_TXSET_H
#define CT_ANALYSIS_TXSET_H

#include <stddef.h>
#include <stdint.h>

#define CT_TXSET_LEVELS 6

typedef struct ct__txset {
	uint64_t *lv[CT_TXSET_LEVELS];
	size_t nw[CT_TXSET_LEVELS]; /* words per level */
	int nl;
	uint64_t n; /* members */
	/* level-0 words outside [lo_kept, hi_kept) were given back */
	size_t lo_kept, hi_kept;
} ct__txset;

/* An empty set for ids 0..n-1 (0 or CT_ENOMEM with the error set). */
int ct__txset_init(ct__txset *t, uint64_t n);
void ct__txset_free(ct__txset *t);
/* Behind `cursor` (below it; above it when `back`) the set must be empty:
 * give back the level-0 pages wholly there, in 1 MB steps. Pages holding
 * a member anyway are kept, so nothing is ever lost. */
#define CT_TXSET_RELEASE_WORDS ((size_t)1 << 17) /* 1 MB of level 0 */
void ct__txset_release_at(ct__txset *t, uint64_t cursor, int back);
static inline void ct__txset_release(ct__txset *t, uint64_t cursor, int back)
{
	size_t w = (size_t)(cursor >> 6);
	if (back ? w + 1 + CT_TXSET_RELEASE_WORDS <= t->hi_kept
	         : w >= t->lo_kept + CT_TXSET_RELEASE_WORDS)
		ct__txset_release_at(t, cursor, back);
}

static inline void ct__txset_add(ct__txset *t, uint64_t x)
{
	uint64_t w = x >> 6, bit = UINT64_C(1) << (x & 63);
	if (t->lv[0][w] & bit)
		return;
	t->n++;
	for (int l = 0; l < t->nl; l++) {
		int was = t->lv[l][w] != 0;
		t->lv[l][w] |= bit;
		if (was)
			break;
		bit = UINT64_C(1) << (w & 63);
		w >>= 6;
	}
}

static inline void ct__txset_del(ct__txset *t, uint64_t x)
{
	uint64_t w = x >> 6, bit = UINT64_C(1) << (x & 63);
	if (!(t->lv[0][w] & bit))
		return;
	t->n--;
	for (int l = 0; l < t->nl; l++) {
		t->lv[l][w] &= ~bit;
		if (t->lv[l][w])
			break;
		bit = UINT64_C(1) << (w & 63);
		w >>= 6;
	}
}

/* The smallest member >= from, or UINT64_MAX. */
static inline uint64_t ct__txset_next(const ct__txset *t, uint64_t from)
{
	int l = 0;
	uint64_t pos = from;
	for (;;) {
		if (l >= t->nl)
			return UINT64_MAX;
		uint64_t w = pos >> 6;
		if (w >= t->nw[l])
			return UINT64_MAX;
		uint64_t m = t->lv[l][w] & (~UINT64_C(0) << (pos & 63));
		if (m) {
			pos = w << 6 | (uint64_t)__builtin_ctzll(m);
			break;
		}
		pos = w + 1; /* the next word, as a bit of the level above */
		l++;
	}
	while (l-- > 0)
		pos = pos << 6 | (uint64_t)__builtin_ctzll(t->lv[l][pos]);
	return pos;
}

/* The largest member <= from, or UINT64_MAX. */
static inline uint64_t ct__txset_prev(const ct__txset *t, uint64_t from)
{
	int l = 0;
	uint64_t pos = from;
	for (;;) {
		if (l >= t->nl)
			return UINT64_MAX;
		uint64_t w = pos >> 6;
		if (w >= t->nw[l]) {
			w = t->nw[l] - 1;
			pos = w << 6 | 63;
		}
		uint64_t m = t->lv[l][w] & (~UINT64_C(0) >> (63 - (pos & 63)));
		if (m) {
			pos = w << 6 | (uint64_t)(63 - __builtin_clzll(m));
			break;
		}
		if (!w)
			return UINT64_MAX;
		pos = w - 1;
		l++;
	}
	while (l-- > 0)
		pos = pos << 6 | (uint64_t)(63 - __builtin_clzll(t->lv[l][pos]));
	return pos;
}

#endif
