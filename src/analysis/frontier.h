/*
 * frontier.h - the forward tracer's frontier: tainted outputs waiting for
 * the tx that spends them, as records filed under that tx.
 *
 * A forward trace takes txs in chain order, and every record it files is
 * for a tx after the one it is processing. So the records go into buckets
 * of CT_FRONT_TXS consecutive spender ids (an append to the bucket's
 * chunks), and a bucket is opened only when the trace gets there: its
 * records are linked in place into a window with a list head and a bit
 * per tx of the bucket, and the window's bits give the txs in order. A
 * record for a tx of the open bucket goes straight into the window.
 * Records live in fixed chunks that go back to a free list once their
 * window is done: a bucket never moves its records, and memory once
 * touched is used again.
 *
 * Why not a map keyed by output id: a tx would then probe the map once
 * per input at a random place, and a pending-tx set would have to be kept
 * beside it. Here a tx gets its records in one list, the bucket being
 * worked on is a few cache-resident kilobytes, and the pushes are appends
 * (bench/RESULTS.md §trace measures both shapes).
 *
 * Memory: the records held (the frontier) in chunks of CT_FRONT_CHUNK,
 * the open window, and a 24-byte directory entry per CT_FRONT_TXS txs of
 * the chain (6 MB for a billion txs).
 */
#ifndef CT_ANALYSIS_FRONTIER_H
#define CT_ANALYSIS_FRONTIER_H

#include <stddef.h>
#include <stdint.h>

#define CT_FRONT_SHIFT 12
#define CT_FRONT_TXS ((uint64_t)1 << CT_FRONT_SHIFT)
#define CT_FRONT_NONE UINT32_MAX
#define CT_FRONT_CHUNK 256 /* records per chunk (10 KB) */

/* Taint on output `o`, `hops` txs from a seed, waiting for the tx that
 * spends it (filed under it; `sx` is its place in its bucket). The
 * output's value and address ride along: the spender needs them, and
 * reading them again from the store would be a random access per input. */
typedef struct ct__frec {
	uint64_t o, taint, value, addr;
	uint32_t hops;
	uint16_t sx, pad_;
} ct__frec;

typedef struct ct__fchunk {
	struct ct__fchunk *next;
	ct__frec r[CT_FRONT_CHUNK];
} ct__fchunk;

/* A bucket's chunks are full but the last, which holds n % CT_FRONT_CHUNK
 * records (or is full when that is 0): a push reads no chunk header. */
typedef struct ct__fbucket {
	ct__fchunk *first, *last;
	uint64_t n; /* records */
} ct__fbucket;

typedef struct ct__front {
	uint64_t ntx;
	ct__fbucket *dir;
	size_t ndir;
	size_t lo;     /* no bucket below holds records */
	size_t wcur;   /* the bucket in the window; SIZE_MAX: none */
	uint32_t wpos; /* the window's next position to look at */
	ct__fchunk **wch; /* the window's chunks: record i is in wch[i / CT_FRONT_CHUNK], */
	uint32_t *wnext; /* each record linked to the next of its tx */
	uint32_t wn, nwch, capwch;
	uint32_t *whead; /* per tx of the bucket: its first record */
	uint32_t *wcount; /* and how many it has */
	ct__fchunk *pool; /* free chunks */
	uint64_t wbits[CT_FRONT_TXS / 64];
	uint64_t n;    /* records held */
	uint64_t last; /* the last tx taken; pushes must be after it */
	int taken;
} ct__front;

/* An empty frontier for txs 0..ntx-1 (0 or CT_ENOMEM, error set). */
int ct__front_init(ct__front *f, uint64_t ntx);
void ct__front_free(ct__front *f);

/* File a record (output o, taint, value, addr, hops; its sx is set here)
 * under tx s, which must be after the last tx taken and below ntx (else
 * CT_ECORRUPT: the store's spender links point back). The usual case, an
 * append to the last chunk of a bucket ahead of the window, is inline and
 * writes the fields in place (a record built on the stack and copied
 * whole stalls on store forwarding); the rest is ct__front_push_slow. */
int ct__front_push_slow(ct__front *f, uint64_t s, const ct__frec *r);
static inline int ct__front_push(ct__front *f, uint64_t s, uint64_t o, uint64_t taint,
                                 uint64_t value, uint64_t addr, uint32_t hops)
{
	size_t c = (size_t)(s >> CT_FRONT_SHIFT);
	if (s < f->ntx && f->wcur != SIZE_MAX && c > f->wcur) {
		ct__fbucket *bk = &f->dir[c];
		size_t i = (size_t)(bk->n % CT_FRONT_CHUNK);
		if (i) {
			ct__frec *d = &bk->last->r[i];
			d->o = o;
			d->taint = taint;
			d->value = value;
			d->addr = addr;
			d->hops = hops;
			d->sx = (uint16_t)(s & (CT_FRONT_TXS - 1));
			d->pad_ = 0;
			bk->n++;
			f->n++;
			return 0;
		}
	}
	ct__frec r = {o, taint, value, addr, hops, 0, 0};
	return ct__front_push_slow(f, s, &r);
}

/* Take the next tx that has records: *tx, and *head the first of its
 * *count records (ct__front_rec, ct__front_next). Returns 0, 1 when the
 * frontier is empty, or an error (out of memory). The records stay valid
 * until the next push. */
int ct__front_take(ct__front *f, uint64_t *tx, uint32_t *head, uint32_t *count);

static inline const ct__frec *ct__front_rec(const ct__front *f, uint32_t i)
{
	return &f->wch[i / CT_FRONT_CHUNK]->r[i % CT_FRONT_CHUNK];
}
static inline uint32_t ct__front_next(const ct__front *f, uint32_t i)
{
	return f->wnext[i];
}

/* The first record of tx t of the open window (CT_FRONT_NONE if none). */
static inline uint32_t ct__front_head(const ct__front *f, uint64_t t)
{
	return f->whead[t & (CT_FRONT_TXS - 1)];
}

/* Up to `want` txs of the open window that come next (a push meanwhile
 * may put one before them); for prefetching. */
static inline size_t ct__front_peek(const ct__front *f, uint64_t *nx, size_t want)
{
	size_t m = 0;
	if (f->wcur == SIZE_MAX)
		return 0;
	uint64_t base = (uint64_t)f->wcur << CT_FRONT_SHIFT;
	for (uint32_t w = f->wpos >> 6; w < CT_FRONT_TXS / 64 && m < want; w++) {
		uint64_t bits = f->wbits[w];
		if (w == f->wpos >> 6)
			bits &= ~UINT64_C(0) << (f->wpos & 63);
		while (bits && m < want) {
			nx[m++] = base | (uint64_t)w << 6 | (uint64_t)__builtin_ctzll(bits);
			bits &= bits - 1;
		}
	}
	return m;
}

#endif
