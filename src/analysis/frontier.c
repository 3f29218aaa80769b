/*
 * frontier.c - see frontier.h: the buckets, the window and the walk from
 * one bucket to the next.
 */
#include "analysis/frontier.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

int ct__front_init(ct__front *f, uint64_t ntx)
{
	memset(f, 0, sizeof(*f));
	f->ntx = ntx;
	f->ndir = (size_t)(ntx >> CT_FRONT_SHIFT) + 1;
	f->dir = calloc(f->ndir, sizeof(*f->dir));
	f->whead = malloc(CT_FRONT_TXS * sizeof(*f->whead));
	f->wcount = calloc(CT_FRONT_TXS, sizeof(*f->wcount));
	if (!f->dir || !f->whead || !f->wcount) {
		ct__front_free(f);
		return ct__err(CT_ENOMEM, "out of memory (trace frontier of a %llu-tx chain)",
		               (unsigned long long)ntx);
	}
	memset(f->whead, 0xff, CT_FRONT_TXS * sizeof(*f->whead));
	f->wcur = SIZE_MAX;
	f->lo = f->ndir;
	return 0;
}

static void free_chunks(ct__fchunk *c)
{
	while (c) {
		ct__fchunk *nx = c->next;
		free(c);
		c = nx;
	}
}

void ct__front_free(ct__front *f)
{
	for (size_t i = 0; f->dir && i < f->ndir; i++)
		free_chunks(f->dir[i].first);
	free(f->dir);
	for (uint32_t k = 0; k < f->nwch; k++)
		free(f->wch[k]);
	free(f->wch);
	free_chunks(f->pool);
	free(f->wnext);
	free(f->whead);
	free(f->wcount);
	memset(f, 0, sizeof(*f));
	f->wcur = SIZE_MAX;
}

/* An empty chunk: from the free list, else new. */
static ct__fchunk *chunk_new(ct__front *f)
{
	ct__fchunk *c = f->pool;
	if (c)
		f->pool = c->next;
	else if (!(c = malloc(sizeof(*c))))
		return NULL;
	c->next = NULL;
	return c;
}

/* Link record i of the window under its tx. */
static inline void window_link(ct__front *f, uint32_t i)
{
	uint32_t x = ct__front_rec(f, i)->sx;
	f->wnext[i] = f->whead[x];
	f->whead[x] = i;
	f->wcount[x]++;
	f->wbits[x >> 6] |= UINT64_C(1) << (x & 63);
}

/* Room in the window for n chunks (their pointers and their links). */
static int window_room(ct__front *f, uint64_t n)
{
	if (n <= f->capwch)
		return 0;
	if (n > UINT32_MAX / CT_FRONT_CHUNK)
		return ct__err(CT_ENOMEM, "out of memory (trace frontier)");
	uint32_t nc = f->capwch ? f->capwch : 16;
	while (nc < n)
		nc *= 2;
	ct__fchunk **w = realloc(f->wch, nc * sizeof(*w));
	if (w)
		f->wch = w;
	uint32_t *nn = w ? realloc(f->wnext, (size_t)nc * CT_FRONT_CHUNK * sizeof(*nn)) : NULL;
	if (!nn)
		return ct__err(CT_ENOMEM, "out of memory (trace frontier)");
	f->wnext = nn;
	f->capwch = nc;
	return 0;
}

static int window_add(ct__front *f, const ct__frec *r)
{
	if (f->wn == f->nwch * CT_FRONT_CHUNK) {
		int rc = window_room(f, (uint64_t)f->nwch + 1);
		if (rc)
			return rc;
		if (!(f->wch[f->nwch] = chunk_new(f)))
			return ct__err(CT_ENOMEM, "out of memory (trace frontier)");
		f->nwch++;
	}
	uint32_t i = f->wn++;
	f->wch[i / CT_FRONT_CHUNK]->r[i % CT_FRONT_CHUNK] = *r;
	window_link(f, i);
	return 0;
}

int ct__front_push_slow(ct__front *f, uint64_t s, const ct__frec *r)
{
	ct__frec rec = *r;
	size_t c = (size_t)(s >> CT_FRONT_SHIFT);
	if (s >= f->ntx || (f->taken && s <= f->last) || (f->wcur != SIZE_MAX && c < f->wcur))
		return ct__err(CT_ECORRUPT, "the store's spender of output %llu (tx %llu) is not after tx %llu",
		               (unsigned long long)rec.o, (unsigned long long)s, (unsigned long long)f->last);
	rec.sx = (uint16_t)(s & (CT_FRONT_TXS - 1));
	rec.pad_ = 0;
	if (c == f->wcur) {
		int rc = window_add(f, &rec);
		if (rc)
			return rc;
	} else {
		ct__fbucket *bk = &f->dir[c];
		size_t i = (size_t)(bk->n % CT_FRONT_CHUNK);
		if (!i) { /* no chunk yet, or the last is full */
			ct__fchunk *nk = chunk_new(f);
			if (!nk)
				return ct__err(CT_ENOMEM, "out of memory (trace frontier)");
			if (bk->last)
				bk->last->next = nk;
			else
				bk->first = nk;
			bk->last = nk;
		}
		bk->last->r[i] = rec;
		bk->n++;
		if (c < f->lo)
			f->lo = c;
	}
	f->n++;
	return 0;
}

/* Open bucket c: its chunks become the (empty) window's, and its records
 * are linked in place under their txs. */
static int open_bucket(ct__front *f, size_t c)
{
	ct__fbucket *bk = &f->dir[c];
	uint64_t nch = (bk->n + CT_FRONT_CHUNK - 1) / CT_FRONT_CHUNK;
	int rc = window_room(f, nch);
	if (rc)
		return rc;
	f->nwch = 0;
	for (ct__fchunk *k = bk->first; k; k = k->next)
		f->wch[f->nwch++] = k;
	f->wn = (uint32_t)bk->n;
	*bk = (ct__fbucket){0};
	f->wcur = c;
	f->wpos = 0;
	for (uint32_t i = 0; i < f->wn; i++)
		window_link(f, i);
	return 0;
}

/* The window is done: its chunks go back to the free list. */
static void window_close(ct__front *f)
{
	for (uint32_t k = 0; k < f->nwch; k++) {
		f->wch[k]->next = f->pool;
		f->pool = f->wch[k];
	}
	f->nwch = 0;
	f->wn = 0;
	f->lo = f->wcur + 1;
	f->wcur = SIZE_MAX;
}

int ct__front_take(ct__front *f, uint64_t *tx, uint32_t *head, uint32_t *count)
{
	for (;;) {
		if (f->wcur != SIZE_MAX) {
			uint64_t base = (uint64_t)f->wcur << CT_FRONT_SHIFT;
			for (uint32_t w = f->wpos >> 6; w < CT_FRONT_TXS / 64; w++) {
				uint64_t bits = f->wbits[w];
				if (!bits)
					continue;
				uint32_t x = w << 6 | (uint32_t)__builtin_ctzll(bits);
				f->wbits[w] = bits & (bits - 1);
				f->wpos = x + 1;
				uint32_t h = f->whead[x], m = f->wcount[x];
				f->whead[x] = CT_FRONT_NONE;
				f->wcount[x] = 0;
				f->n -= m;
				*head = h;
				*count = m;
				f->last = *tx = base | x;
				f->taken = 1;
				return 0;
			}
			/* the window is done: every record it had was taken */
			window_close(f);
		}
		if (!f->n)
			return 1;
		size_t c = f->lo;
		while (c < f->ndir && !f->dir[c].n)
			c++;
		if (c >= f->ndir)
			return ct__err(CT_EINTERNAL, "trace frontier: %llu records in no bucket",
			               (unsigned long long)f->n);
		f->lo = c;
		int rc = open_bucket(f, c);
		if (rc)
			return rc;
	}
}
