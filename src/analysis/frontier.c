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
	if (!f->dir || !f->whead) {
		ct__front_free(f);
		return ct__err(CT_ENOMEM, "out of memory (trace frontier of a %llu-tx chain)",
		               (unsigned long long)ntx);
	}
	memset(f->whead, 0xff, CT_FRONT_TXS * sizeof(*f->whead));
	f->wcur = SIZE_MAX;
	f->lo = f->ndir;
	return 0;
}

void ct__front_free(ct__front *f)
{
	for (size_t i = 0; f->dir && i < f->ndir; i++)
		free(f->dir[i].r);
	free(f->dir);
	free(f->wr);
	free(f->wnext);
	free(f->whead);
	memset(f, 0, sizeof(*f));
	f->wcur = SIZE_MAX;
}

/* Double an array of records of capacity *cap (from `first`). */
static int grow(ct__frec **r, uint32_t *cap, uint32_t first)
{
	if (*cap >= UINT32_MAX / 2)
		return ct__err(CT_ENOMEM, "out of memory (trace frontier)");
	uint32_t nc = *cap ? *cap * 2 : first;
	ct__frec *nr = realloc(*r, nc * sizeof(*nr));
	if (!nr)
		return ct__err(CT_ENOMEM, "out of memory (trace frontier)");
	*r = nr;
	*cap = nc;
	return 0;
}

static int window_add(ct__front *f, const ct__frec *r)
{
	if (f->wn == f->wcap) {
		uint32_t nc = f->wcap;
		int rc = grow(&f->wr, &nc, 1024);
		if (rc)
			return rc;
		uint32_t *nn = realloc(f->wnext, nc * sizeof(*nn));
		if (!nn)
			return ct__err(CT_ENOMEM, "out of memory (trace frontier)");
		f->wnext = nn;
		f->wcap = nc;
	}
	uint32_t x = r->sx, i = f->wn++;
	f->wr[i] = *r;
	f->wnext[i] = f->whead[x];
	f->whead[x] = i;
	f->wbits[x >> 6] |= UINT64_C(1) << (x & 63);
	return 0;
}

int ct__front_push(ct__front *f, uint64_t s, uint64_t o, uint64_t taint, uint32_t hops)
{
	size_t c = (size_t)(s >> CT_FRONT_SHIFT);
	if (s >= f->ntx || (f->taken && s <= f->last) || (f->wcur != SIZE_MAX && c < f->wcur))
		return ct__err(CT_ECORRUPT, "the store's spender of output %llu (tx %llu) is not after tx %llu",
		               (unsigned long long)o, (unsigned long long)s, (unsigned long long)f->last);
	ct__frec rec = {o, taint, hops, (uint16_t)(s & (CT_FRONT_TXS - 1)), 0}, *r = &rec;
	int rc;
	if (c == f->wcur) {
		if ((rc = window_add(f, r)))
			return rc;
	} else {
		ct__fbucket *bk = &f->dir[c];
		if (bk->n == bk->cap && (rc = grow(&bk->r, &bk->cap, 8)))
			return rc;
		bk->r[bk->n++] = *r;
		if (c < f->lo)
			f->lo = c;
	}
	f->n++;
	return 0;
}

/* Open bucket c: its records into the (empty) window. */
static int open_bucket(ct__front *f, size_t c)
{
	ct__fbucket *bk = &f->dir[c];
	f->wcur = c;
	f->wpos = 0;
	f->wn = 0;
	for (uint32_t k = 0; k < bk->n; k++) {
		int rc = window_add(f, &bk->r[k]);
		if (rc)
			return rc;
	}
	free(bk->r);
	*bk = (ct__fbucket){0};
	return 0;
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
				uint32_t h = f->whead[x], m = 0;
				f->whead[x] = CT_FRONT_NONE;
				for (uint32_t i = h; i != CT_FRONT_NONE; i = f->wnext[i])
					m++;
				f->n -= m;
				*head = h;
				*count = m;
				f->last = *tx = base | x;
				f->taken = 1;
				return 0;
			}
			/* the window is done: every record it had was taken */
			f->lo = f->wcur + 1;
			f->wcur = SIZE_MAX;
			f->wn = 0;
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
