/*
 * trace_btc.c - the UTXO tracing engine over the Bitcoin store.
 *
 * Taint lives on outputs. Forward, the frontier holds the tainted outputs
 * not yet spent by a processed tx, filed under the tx that spends them
 * (analysis/frontier.h); txs are processed in chain order (a tx only
 * spends earlier outputs, so when a tx is taken every tainted input it has
 * is known). Backward is the mirror: the txs that created tainted outputs,
 * taken in decreasing order, with the tainted outputs in a hash map (output
 * id -> taint, hops) and those txs in a bitmap over tx ids. Memory:
 * the frontier and the result, plus indexes whose pages are touched only
 * where the trace goes (docs/internals/trace.md). Policy arithmetic:
 * trace_res.c.
 */
#include "analysis/cluster.h"
#include "analysis/frontier.h"
#include "analysis/trace.h"
#include "analysis/txset.h"
#include "chain/account/acctstore.h"
#include "labels/labels.h"
#include "query/db.h"
#include "util/bigmem.h"
#include "util/encode.h"
#include "util/error.h"
#include "util/fsutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Tainted source addresses of one tx that are grouped and named in its
 * flows; beyond this many (a huge consolidation) the largest stands for
 * all. */
#define MAX_SRC 256

#define ID_COINBASE (UINT64_MAX - 1)
#define ID_UNKNOWN (UINT64_MAX - 2)
#define ID_NOADDR (UINT64_MAX - 3)
#define F_SEED 0x80000000u

typedef struct ent {
	uint64_t key; /* output id + 1; 0 = empty */
	uint64_t taint;
	uint64_t addr; /* the address the output pays */
	uint32_t hops;
	uint32_t flags; /* F_SEED: a seed output */
} ent;

typedef struct bt {
	ct_btcstore *st;
	ct_clusters *cl;
	const ct_trace_options *o;
	int pol, back;
	uint64_t cutoff;
	int have_cut;
	uint64_t *stop;
	size_t n_stop;
	ent *map; /* backward: the tainted outputs */
	size_t cap, n;
	ct__txset pend; /* backward: the txs that created them */
	ct__front fr;   /* forward: the frontier */
	uint64_t cursor; /* the last tx popped (forward: pops go up; backward: down) */
	/* --since/--until bound the propagation (no address seed: for those
	 * the window chooses what the address sent, which is then followed) */
	int time_limits;
	uint64_t *sset;
	size_t scap2, sn;
	uint64_t seed_lo, seed_hi; /* the seed outputs' id range */
	/* per-tx scratch */
	size_t scap;
	uint64_t *v, *t, *w, *tout, *rem, *len, *tp, *dst, *dout, *ia, *oa, *refs;
	uint32_t *ih;
	size_t *ord;
	/* result entry updates, applied in batches (upd_flush) */
	struct upd *upd, *upd_sorted;
	size_t upd_n, upd_cap, upd_nb;
	uint32_t *upd_hist;
	ct__tr_res res;
} bt;

/* ---- backward: the map of tainted outputs ------------------------------- */

static uint64_t hh(uint64_t k)
{
	k *= 0x9e3779b97f4a7c15ull;
	return k ^ (k >> 31);
}

static int map_grow(bt *b)
{
	size_t nc = b->cap ? b->cap * 2 : 4096;
	ent *nm = ct__big_zalloc(nc * sizeof(*nm));
	if (!nm)
		return ct__err(CT_ENOMEM, "out of memory (trace map of %zu outputs)", b->n);
	for (size_t i = 0; i < b->cap; i++)
		if (b->map[i].key) {
			size_t s = hh(b->map[i].key) & (nc - 1);
			while (nm[s].key)
				s = (s + 1) & (nc - 1);
			nm[s] = b->map[i];
		}
	ct__big_free(b->map, b->cap * sizeof(*b->map));
	b->map = nm;
	b->cap = nc;
	return 0;
}

static ent *map_find(const bt *b, uint64_t o)
{
	if (!b->cap)
		return NULL;
	uint64_t k = o + 1;
	size_t mask = b->cap - 1;
	for (size_t s = hh(k) & mask;; s = (s + 1) & mask) {
		if (b->map[s].key == k)
			return &b->map[s];
		if (!b->map[s].key)
			return NULL;
	}
}

/* Add taint to output o (merging with an entry already there). */
static int map_add(bt *b, uint64_t o, uint64_t taint, uint32_t hops, uint32_t flags, uint64_t addr)
{
	if ((b->n + 1) * 2 > b->cap && map_grow(b))
		return CT_ENOMEM;
	uint64_t k = o + 1;
	size_t mask = b->cap - 1, s = hh(k) & mask;
	while (b->map[s].key && b->map[s].key != k)
		s = (s + 1) & mask;
	if (!b->map[s].key) {
		b->map[s] = (ent){k, taint, addr, hops, flags};
		b->n++;
	} else {
		b->map[s].taint += taint;
		if (hops < b->map[s].hops)
			b->map[s].hops = hops;
		b->map[s].flags |= flags;
	}
	return 0;
}

/* Remove o's entry (backward-shift deletion keeps probing chains whole). */
static int map_take(bt *b, uint64_t o, ent *out)
{
	ent *e = map_find(b, o);
	if (!e)
		return 0;
	*out = *e;
	size_t mask = b->cap - 1, i = (size_t)(e - b->map), j = i;
	for (;;) {
		j = (j + 1) & mask;
		if (!b->map[j].key)
			break;
		size_t home = hh(b->map[j].key) & mask;
		/* can the entry at j move to i? (i lies cyclically in [home, j)) */
		if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
			b->map[i] = b->map[j];
			i = j;
		}
	}
	b->map[i].key = 0;
	b->n--;
	return 1;
}

/* ---- backward: the pending set (analysis/txset.h) ---------------------- */

static int heap_push(bt *b, uint64_t t)
{
	ct__txset_add(&b->pend, t);
	return 0;
}

/* The next tx to process (the set must not be empty). */
static uint64_t heap_pop(bt *b)
{
	uint64_t t = b->back ? ct__txset_prev(&b->pend, b->cursor) : ct__txset_next(&b->pend, b->cursor);
	if (t == UINT64_MAX) /* behind the cursor: cannot happen (analysis/txset.h), but never lose it */
		t = b->back ? ct__txset_prev(&b->pend, UINT64_MAX) : ct__txset_next(&b->pend, 0);
	ct__txset_del(&b->pend, t);
	b->cursor = t;
	ct__txset_release(&b->pend, t, b->back);
	return t;
}

static uint64_t out_addr(const ct_btcstore *st, uint64_t o)
{
	uint64_t a = ct__out_addrword(st, o) & CT_OUT_ADDR_MASK;
	return a ? a - 1 : ID_NOADDR;
}

/* Forward: start the reads of the txs taken next (only hints: a tx pushed
 * in the meantime may come first), in two stages so that each reads
 * lines the stage before fetched: for the second next tx its input and
 * output records, for the next one its first frontier record and its
 * outputs' records and spenders. The spent outputs' records are not
 * needed for the tainted inputs (their records carry value and address);
 * forward_tx starts the reads of the others. Looking further ahead (3 or
 * 8 txs) cost more than it saved (bench/RESULTS.md §trace). */
static void lookahead(bt *b)
{
	uint64_t nx[2];
	size_t m = ct__front_peek(&b->fr, nx, 2);
	if (!m)
		return;
	const ct_btcstore *st = b->st;
	if (m > 1) {
		__builtin_prefetch(ct__col_at(&st->ins, ct__tx_first_in(st, nx[1])));
		__builtin_prefetch(ct__col_at(&st->outs, ct__tx_first_out(st, nx[1])));
	}
	uint32_t h = ct__front_head(&b->fr, nx[0]);
	if (h != CT_FRONT_NONE)
		__builtin_prefetch(ct__front_rec(&b->fr, h));
	uint64_t fo = ct__tx_first_out(st, nx[0]);
	__builtin_prefetch(ct__col_at(&st->spent, fo));
	__builtin_prefetch(ct__col_at(&st->outs, fo));
}

/* ---- helpers ----------------------------------------------------------- */

/* Updates of result entries. Every tainted output reached adds to its
 * address's entry (received, fewest hops; held or cut). Made at once, each
 * would cost a random read of the address index and one of the entry.
 * All of them commute (sums, minimum, bits), so they are logged and
 * applied in batches ordered by address range (a counting sort on the
 * address id >> UPD_RANGE): a range's slice of the index (16 KB) and its
 * entries, created range by range, are then touched together.
 *
 * A record: key = what << 32 | arg << 4 | op, where `what` is an address
 * id below the result's dense index, or (top bit set) an entry index for
 * the addresses outside it; arg is the hop count (OP_RECV) or the reason
 * bit (OP_STOP). The batches start at 16 and double up to UPD_MAX: a
 * small trace touches little memory and goes through several batches (so
 * the tests' traces do), a large one has the largest batches.
 *
 * Forward, what an address sent is what it received less what stopped
 * there: every tainted output it was paid either stopped (held, cut, or
 * returned to a seed) or went into the frontier, which a finished trace
 * has emptied into the txs that spent them. So OP_RECV adds to `sent` and
 * OP_STOP takes off (the arithmetic is modulo 2^128, exact), instead of an
 * update per tainted input. */
enum { OP_RECV, OP_STOP };
typedef struct upd {
	uint64_t key;
	uint64_t amt;
} upd;
#define UPD_MAX (1u << 18)
#define UPD_FIRST 16
#define UPD_RANGE 12
#define UPD_IDX (UINT64_C(1) << 63)
#define UPD_ARG_MAX ((1u << 28) - 1)
#define UPD_AHEAD 32

/* The range (counting-sort bucket) of an update: by address id, or after
 * the nd ranges of the dense index by entry index. */
static inline size_t upd_range(uint64_t key, size_t nd)
{
	uint64_t w = key >> 32;
	return key & UPD_IDX ? nd + ((w & 0x7fffffffu) >> UPD_RANGE) : (size_t)(w >> UPD_RANGE);
}

/* The result entry an update is for, as index + 1; 0: a dense-index
 * address that has no entry yet. */
static inline uint32_t upd_entry1(const ct__tr_res *r, uint64_t key)
{
	uint64_t w = key >> 32;
	return key & UPD_IDX ? (uint32_t)(w & 0x7fffffffu) + 1 : r->dense[w];
}

static int upd_flush(bt *b)
{
	size_t n = b->upd_n, nd = (size_t)(b->res.n_dense >> UPD_RANGE) + 1;
	if (!n)
		return 0;
	size_t nb = nd + (b->res.n_addrs >> UPD_RANGE) + 1;
	if (nb > b->upd_nb) {
		uint32_t *h = realloc(b->upd_hist, (nb + 1) * sizeof(*h));
		if (!h)
			return ct__err(CT_ENOMEM, "out of memory (trace result)");
		b->upd_hist = h;
		b->upd_nb = nb;
	}
	uint32_t *h = b->upd_hist;
	memset(h, 0, (nb + 1) * sizeof(*h));
	const upd *in = b->upd;
	for (size_t k = 0; k < n; k++)
		h[1 + upd_range(in[k].key, nd)]++;
	for (size_t i = 1; i <= nb; i++)
		h[i] += h[i - 1];
	upd *out = b->upd_sorted;
	for (size_t k = 0; k < n; k++)
		out[h[upd_range(in[k].key, nd)]++] = in[k];
	ct__tr_res *r = &b->res;
	const uint32_t *dense = r->dense;
	for (size_t k = 0; k < n; k++) {
		/* two stages ahead: the index slot, then (its line there by now)
		 * the entry it names */
		if (k + UPD_AHEAD < n && !(out[k + UPD_AHEAD].key & UPD_IDX))
			__builtin_prefetch(&dense[out[k + UPD_AHEAD].key >> 32]);
		if (k + UPD_AHEAD / 2 < n) {
			uint32_t i2 = upd_entry1(r, out[k + UPD_AHEAD / 2].key);
			if (i2)
				__builtin_prefetch(&r->addrs[i2 - 1]);
		}
		uint64_t key = out[k].key;
		uint32_t i1 = upd_entry1(r, key);
		ct__tr_addr *a = i1 ? &r->addrs[i1 - 1] : ct__tr_addr_get(r, 0, key >> 32);
		if (!a)
			return ct__err(CT_ENOMEM, "out of memory (trace result)");
		uint32_t arg = (uint32_t)key >> 4;
		if ((key & 15) == OP_RECV) {
			ct__tr_amt_add(r, a, CT_AMT_RECEIVED, out[k].amt);
			if (arg < a->hops)
				a->hops = arg;
			if (!b->back)
				ct__tr_amt_add(r, a, CT_AMT_SENT, out[k].amt);
		} else {
			ct__tr_stop_entry(r, a, out[k].amt, arg);
			if (!b->back)
				ct__tr_amt_sub(r, a, CT_AMT_SENT, out[k].amt);
		}
	}
	b->upd_n = 0;
	if (b->upd_cap < UPD_MAX)
		b->upd_cap *= 2;
	return 0;
}

/* Log an update of address a's entry. */
static inline int upd_log(bt *b, uint64_t a, unsigned op, uint32_t arg, uint64_t amt)
{
	if (b->upd_n == b->upd_cap) {
		int rc = upd_flush(b);
		if (rc)
			return rc;
	}
	uint64_t what;
	if (a < b->res.n_dense) {
		what = a;
	} else {
		/* outside the dense index (ids near 2^64, or a store too large
		 * for one): the hash map gives the entry now */
		ct__tr_addr *ad = ct__tr_addr_get(&b->res, 0, a);
		if (!ad)
			return ct__err(CT_ENOMEM, "out of memory (trace result)");
		what = UPD_IDX >> 32 | (uint64_t)(ad - b->res.addrs);
	}
	b->upd[b->upd_n++] = (upd){what << 32 | (uint64_t)(arg < UPD_ARG_MAX ? arg : UPD_ARG_MAX) << 4 | op, amt};
	return 0;
}

static int64_t tx_time(const ct_btcstore *st, uint64_t t)
{
	return ct_le32(ct__blk(st, ct__tx_block(st, t)) + 68);
}

static int is_stop(const bt *b, uint64_t a)
{
	if (b->o->through_services || !b->n_stop)
		return 0;
	size_t lo = 0, hi = b->n_stop;
	while (lo < hi) {
		size_t m = (lo + hi) / 2;
		if (b->stop[m] < a)
			lo = m + 1;
		else
			hi = m;
	}
	return lo < b->n_stop && b->stop[lo] == a;
}

static int scratch(bt *b, size_t n)
{
	if (n <= b->scap)
		return 0;
	size_t c = b->scap ? b->scap : 64;
	while (c < n)
		c *= 2;
	uint64_t **arrs[] = {&b->v, &b->t, &b->w, &b->tout, &b->rem, &b->len, &b->tp, &b->dst, &b->dout,
	                     &b->ia, &b->oa, &b->refs};
	for (size_t i = 0; i < CT_ARRAY_LEN(arrs); i++) {
		uint64_t *p = realloc(*arrs[i], c * sizeof(uint64_t));
		if (!p)
			return ct__err(CT_ENOMEM, "out of memory (a tx of %zu inputs and outputs)", n);
		*arrs[i] = p;
	}
	uint32_t *h = realloc(b->ih, c * sizeof(*h));
	if (!h)
		return ct__err(CT_ENOMEM, "out of memory");
	b->ih = h;
	size_t *o = realloc(b->ord, c * sizeof(*o));
	if (!o)
		return ct__err(CT_ENOMEM, "out of memory");
	b->ord = o;
	b->scap = c;
	return 0;
}

/* (qsort_r: ctx is the values; no global, traces may run in threads) */
static int cmp_desc(const void *x, const void *y, void *ctx)
{
	const uint64_t *vals = ctx;
	size_t a = *(const size_t *)x, c = *(const size_t *)y;
	if (vals[a] != vals[c])
		return vals[a] > vals[c] ? -1 : 1;
	return a < c ? -1 : a > c;
}

/* Indices 0..n-1 ordered by vals descending, ties by index. */
static void order_desc(size_t *ord, const uint64_t *vals, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ord[i] = i;
	/* insertion sort for the usual handful; qsort beyond */
	if (n <= 16) {
		for (size_t i = 1; i < n; i++) {
			size_t x = ord[i], j = i;
			while (j > 0 && (vals[ord[j - 1]] < vals[x] || (vals[ord[j - 1]] == vals[x] && ord[j - 1] > x))) {
				ord[j] = ord[j - 1];
				j--;
			}
			ord[j] = x;
		}
	} else {
		qsort_r(ord, n, sizeof(*ord), cmp_desc, (void *)vals);
	}
}

/* The policy: from n_src source segments (value v, taint t) to n_dst
 * destination segments (value w); the last destination is the fee
 * (forward) and may be 0. Fills out[0..n_dst). `T`, `V` totals. */
static void apply(bt *b, const uint64_t *v, const uint64_t *t, size_t ns, const uint64_t *w,
                  size_t nd, uint64_t T, uint64_t V, uint64_t *out)
{
	switch (b->pol) {
	case CT_POL_POISON:
		for (size_t j = 0; j < nd; j++)
			out[j] = T ? w[j] : 0;
		break;
	case CT_POL_HAIRCUT:
		ct__tr_split64(T, w, nd, V, out, b->rem);
		break;
	case CT_POL_FIFO:
		ct__tr_align(v, t, ns, w, nd, out);
		break;
	case CT_POL_LIFO:
		for (size_t k = 0; k < ns; k++) {
			b->len[k] = v[ns - 1 - k];
			b->tp[k] = t[ns - 1 - k];
		}
		ct__tr_align(b->len, b->tp, ns, w, nd, out);
		break;
	case CT_POL_TIHO: {
		/* tainted value first, into the largest destinations first */
		uint64_t sl[2] = {T, V - T}, stp[2] = {T, 0};
		order_desc(b->ord, w, nd);
		for (size_t k = 0; k < nd; k++)
			b->dst[k] = w[b->ord[k]];
		ct__tr_align(sl, stp, 2, b->dst, nd, b->dout);
		for (size_t k = 0; k < nd; k++)
			out[b->ord[k]] = b->dout[k];
		break;
	}
	}
}

/* Record flows of one tx: tainted sources (address, amount) to one
 * destination address; split in proportion to the sources' taint. */
static void flows_to(bt *b, const uint64_t *sa, const uint64_t *sv, size_t ns, uint64_t T,
                     uint64_t to, uint64_t amount, uint64_t tx, int64_t time, uint32_t hops)
{
	int full = b->res.max_flows && b->res.n_flows >= b->res.max_flows;
	if (full && (ns <= 1 || ns > MAX_SRC)) {
		b->res.flows_dropped++; /* one flow, not kept */
		return;
	}
	ct__tr_flow f = {0, to, amount, tx, time, 0, hops};
	if (ns == 1 || ns > MAX_SRC) {
		size_t best = 0;
		for (size_t k = 1; k < ns; k++)
			if (sv[k] > sv[best])
				best = k;
		f.from = ns ? sa[best] : UINT64_MAX;
		ct__tr_flow_add(&b->res, &f);
		return;
	}
	if (full) {
		/* only counted: how many sources get a non-zero share. Two
		 * cases need no split: every floor share is at least one unit
		 * (all ns), or every one is zero, when the `amount` units go one
		 * each to the largest remainders, i.e. the largest sources. */
		size_t ge1 = 0, nz = 0;
		for (size_t k = 0; k < ns; k++) {
			ge1 += (ct_u128)amount * sv[k] >= T;
			nz += sv[k] != 0;
		}
		if (ge1 == ns || ge1 == 0) {
			b->res.flows_dropped += ge1 ? ns : (amount < nz ? amount : nz);
			return;
		}
	}
	/* (the per-tx scratch holds nin + nout + 2 >= ns entries, and dst
	 * and dout are free once the policy was applied) */
	uint64_t *part = b->dst, *rem = b->dout;
	ct__tr_split64(amount, sv, ns, T, part, rem);
	for (size_t k = 0; k < ns; k++)
		if (part[k]) {
			f.from = sa[k];
			f.amount = part[k];
			ct__tr_flow_add(&b->res, &f);
		}
}

/* Group tainted (address, taint) pairs by address in place; returns n. */
static size_t group(uint64_t *a, uint64_t *t, size_t n)
{
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		size_t k = 0;
		while (k < m && a[k] != a[i])
			k++;
		if (k < m) {
			t[k] += t[i];
		} else {
			a[m] = a[i];
			t[m] = t[i];
			m++;
		}
		if (m > MAX_SRC) {
			/* many distinct sources: keep them all, unmerged */
			for (size_t r = i + 1; r < n; r++) {
				a[m] = a[r];
				t[m] = t[r];
				m++;
			}
			return m;
		}
	}
	return m;
}

/* ---- the decision at a tainted output (forward) / input (backward) ----- */

/* Taint `amt` reaches output o (paying address a) at `hops`. `next` is
 * the tx to continue with (forward: the spender; backward: the creator),
 * UINT64_MAX when none. `value`: the output's value (forward: it goes
 * into the frontier record). */
static int seed_live(const bt *b, uint64_t o);

/* A damaged spent column: one line naming the file, the record's offset
 * and what is wrong with it. */
static int spent_corrupt(const bt *b, uint64_t o, uint64_t s, const char *why)
{
	return ct__err(CT_ECORRUPT, "%s: offset %llu: output %llu is said to be spent by tx %llu, %s",
	               b->st->spent.path, (unsigned long long)o * CT_REC_SPENT, (unsigned long long)o,
	               (unsigned long long)s, why);
}

static int reach(bt *b, uint64_t o, uint64_t a, uint64_t amt, uint32_t hops, uint64_t next,
                 uint64_t value)
{
	/* (the address's entry is updated later: upd_flush) */
	int rc = upd_log(b, a, OP_RECV, hops, amt);
	if (rc)
		return rc;
	unsigned why = 0;
	/* a seed output reached again? (only ids in the seeds' range can be) */
	int seed = 0;
	if (o != UINT64_MAX && o >= b->seed_lo && o <= b->seed_hi) {
		const ent *e = b->back ? map_find(b, o) : NULL;
		seed = b->back ? e && (e->flags & F_SEED) : seed_live(b, o);
	}
	if (seed)
		why = CT_END_SEED;
	else if (a == ID_COINBASE)
		why = CT_END_COINBASE;
	else if (a == ID_UNKNOWN)
		why = CT_END_UNKNOWN;
	else if (b->have_cut && amt < b->cutoff)
		why = CT_END_DUST;
	else if (a == ID_NOADDR)
		why = CT_END_BURNED;
	else if (is_stop(b, a))
		why = CT_END_SERVICE;
	else if (b->o->max_hops && hops >= b->o->max_hops)
		why = CT_END_HOPS;
	else if (next == UINT64_MAX)
		why = b->back ? CT_END_UNKNOWN : CT_END_UNSPENT;
	else if (b->time_limits &&
	         ((!b->back && b->o->until != INT64_MAX) || (b->back && b->o->since != INT64_MIN))) {
		int64_t tm = tx_time(b->st, next);
		if ((!b->back && tm > b->o->until) || (b->back && tm < b->o->since))
			why = CT_END_TIME;
	}
	if (why) {
		ct__tr_stop_totals(&b->res, 0, amt, why);
		return upd_log(b, a, OP_STOP, why, amt);
	}
	if (!b->back) {
		rc = ct__front_push(&b->fr, next, o, amt, value, a, hops);
		return rc == CT_ECORRUPT ? spent_corrupt(b, o, next, "which is not after the tx paying it") : rc;
	}
	rc = map_add(b, o, amt, hops, 0, a);
	return rc ? rc : heap_push(b, next);
}

/* ---- one tx ------------------------------------------------------------ */

/* Which input of tx s each of its frontier records is for: b->len[k] is
 * the record of input k, or CT_FRONT_NONE. The refs are in b->refs. */
static int match_records(bt *b, uint64_t s, size_t nin, uint32_t head, uint32_t m)
{
	for (size_t k = 0; k < nin; k++)
		b->len[k] = CT_FRONT_NONE;
	uint32_t found = 0;
	if (m <= 8 || nin <= 8) {
		for (uint32_t i = head; i != CT_FRONT_NONE; i = ct__front_next(&b->fr, i)) {
			uint64_t o = ct__front_rec(&b->fr, i)->o;
			for (size_t k = 0; k < nin; k++)
				if (b->refs[k] == o && b->len[k] == CT_FRONT_NONE) {
					b->len[k] = i;
					found++;
					break;
				}
		}
	} else {
		/* a consolidation: the records by output id in a small hash
		 * (keys in tp, record indexes in dst; the scratch holds 2 *
		 * (nin + nout) + 2 >= 2m) */
		size_t cap = 16;
		while (cap < 2 * (size_t)m)
			cap *= 2;
		if (cap > b->scap && scratch(b, cap))
			return CT_ENOMEM;
		memset(b->tp, 0, cap * sizeof(*b->tp));
		for (uint32_t i = head; i != CT_FRONT_NONE; i = ct__front_next(&b->fr, i)) {
			uint64_t key = ct__front_rec(&b->fr, i)->o + 1;
			size_t x = hh(key) & (cap - 1);
			while (b->tp[x])
				x = (x + 1) & (cap - 1);
			b->tp[x] = key;
			b->dst[x] = i;
		}
		for (size_t k = 0; k < nin; k++) {
			uint64_t key = b->refs[k] + 1;
			for (size_t x = hh(key) & (cap - 1); b->tp[x]; x = (x + 1) & (cap - 1))
				if (b->tp[x] == key) {
					b->len[k] = b->dst[x];
					b->tp[x] = UINT64_MAX; /* taken (a tx spends an output once) */
					found++;
					break;
				}
		}
	}
	if (found != m) {
		/* name the output whose spender link is wrong */
		uint64_t bad = UINT64_MAX;
		for (uint32_t i = head; i != CT_FRONT_NONE && bad == UINT64_MAX; i = ct__front_next(&b->fr, i)) {
			uint64_t o = ct__front_rec(&b->fr, i)->o;
			size_t k = 0;
			while (k < nin && b->refs[k] != o)
				k++;
			if (k == nin)
				bad = o;
		}
		return spent_corrupt(b, bad, s, "which does not spend it");
	}
	return 0;
}

static int forward_tx(bt *b, uint64_t s, uint32_t head, uint32_t m)
{
	ct_btcstore *st = b->st;
	uint64_t fi = ct__tx_first_in(st, s), ei = ct__tx_end_in(st, s);
	uint64_t fo = ct__tx_first_out(st, s), eo = ct__tx_end_out(st, s);
	size_t nin = (size_t)(ei - fi), nout = (size_t)(eo - fo);
	int rc = scratch(b, 2 * (nin + nout) + 2);
	if (rc)
		return rc;
	uint64_t V = 0, T = 0, W = 0;
	uint32_t hop = UINT32_MAX;
	size_t unknown = 0, nt = 0;
	/* the tx's own outputs (values, addresses, spenders) do not depend on
	 * the inputs: start their reads now */
	__builtin_prefetch(ct__col_at(&st->outs, fo));
	__builtin_prefetch(ct__col_at(&st->spent, fo));
	if (nout > 1) {
		__builtin_prefetch(ct__col_at(&st->outs, eo - 1));
		__builtin_prefetch(ct__col_at(&st->spent, eo - 1));
	}
	for (size_t k = 0; k < nin; k++)
		b->refs[k] = ct__in_ref(st, fi + k);
	if ((rc = match_records(b, s, nin, head, m)))
		return rc;
	/* a tainted input's value and address came with its record; the
	 * others are read from the store (their reads started together, so
	 * that the misses overlap instead of queueing) */
	for (size_t k = 0; k < nin; k++)
		if (b->len[k] == CT_FRONT_NONE && !(b->refs[k] & CT_IN_UNRESOLVED_BIT))
			__builtin_prefetch(ct__col_at(&st->outs, b->refs[k]));
	for (size_t k = 0; k < nin; k++) {
		uint64_t ref = b->refs[k];
		b->t[k] = 0;
		if (b->len[k] != CT_FRONT_NONE) {
			const ct__frec *e = ct__front_rec(&b->fr, (uint32_t)b->len[k]);
			b->v[k] = e->value;
			b->t[k] = e->taint;
			T += e->taint;
			if (e->hops < hop)
				hop = e->hops;
			b->ia[nt] = e->addr;
			b->oa[nt] = e->taint;
			nt++;
		} else if (ref & CT_IN_UNRESOLVED_BIT) {
			b->v[k] = 0;
			unknown += ref != CT_IN_COINBASE;
			continue;
		} else {
			b->v[k] = ct__out_value(st, ref);
		}
		V += b->v[k];
	}
	b->res.edges += nin + nout;
	b->res.txs++;
	if (!T)
		return 0;
	for (size_t j = 0; j < nout; j++) {
		b->w[j] = ct__out_value(st, fo + j);
		W += b->w[j];
	}
	/* the value of unresolved inputs: what the outputs need beyond the
	 * known inputs (its fee is unknown; taken as none) */
	size_t ns = nin;
	if (unknown || V < W) {
		b->v[ns] = W > V ? W - V : 0;
		b->t[ns] = 0;
		V += b->v[ns];
		ns++;
	}
	b->w[nout] = V - W; /* the fee, last */
	/* (what the sources sent is counted in upd_flush) */
	/* source addresses and their taint, grouped */
	uint64_t *sa = b->ia, *sv = b->oa;
	size_t nsrc = group(sa, sv, nt);
	apply(b, b->v, b->t, ns, b->w, nout + 1, T, V, b->tout);
	/* prefetch what the outputs' decisions read: the spender, and the
	 * address map's slot of an address outside the dense index (upd_log) */
	for (size_t j = 0; j < nout; j++)
		if (b->tout[j]) {
			uint64_t a = out_addr(st, fo + j);
			if (a >= b->res.n_dense)
				ct__tr_prefetch_addr(&b->res, 0, a);
			__builtin_prefetch(ct__col_at(&st->spent, fo + j));
		}
	b->res.tot[0].fees += b->tout[nout];
	/* the time only goes into flows: not read once they are full */
	int64_t time = b->res.max_flows && b->res.n_flows >= b->res.max_flows ? 0 : tx_time(st, s);
	/* (every field set one by one: zeroing the 112 bytes first took a
	 * `rep stos`, slow to start) */
	ct__tr_step step;
	step.tx = s;
	step.n_in = (uint32_t)nin;
	step.n_in_tainted = (uint32_t)nt;
	step.n_out = (uint32_t)nout;
	step.n_out_tainted = 0;
	step.asset = 0;
	step.by_sender = 0;
	step.tainted_in = T;
	step.big_out = step.small_out = 0;
	step.big_out_next = UINT64_MAX;
	step.big_out_addr = UINT64_MAX;
	step.from_addr = nsrc ? sa[0] : UINT64_MAX;
	step.n_dust_out = step.n_new_out = 0;
	for (size_t k = 1, best = 0; k < nsrc; k++)
		if (sv[k] > sv[best]) {
			best = k;
			step.from_addr = sa[k];
		}
	for (size_t j = 0; j < nout; j++) {
		uint64_t amt = b->tout[j];
		if (!amt)
			continue;
		uint64_t o = fo + j, a = out_addr(st, o);
		step.n_out_tainted++;
		/* the pattern finder asks for at least 3 new receivers (fan-out)
		 * and 5 dust outputs (dusting): fewer outputs cannot have them */
		if (nout >= 3) {
			int among_in = 0;
			for (size_t k = 0; k < nsrc && k < MAX_SRC; k++)
				among_in |= sa[k] == a;
			step.n_new_out += !among_in;
			step.n_dust_out += nout >= 5 && b->w[j] <= b->res.dust_threshold;
		}
		if (amt > step.big_out) {
			step.small_out = step.big_out;
			step.big_out = amt;
			step.big_out_addr = a;
			step.big_out_next = ct__out_spent_by(st, o);
		} else if (amt > step.small_out) {
			step.small_out = amt;
		}
		flows_to(b, sa, sv, nsrc, T, a, amt, s, time, hop + 1);
		if ((rc = reach(b, o, a, amt, hop + 1, ct__out_spent_by(st, o), b->w[j])))
			return rc;
	}
	ct__tr_step_add(&b->res, &step);
	return b->res.oom ? ct__err(CT_ENOMEM, "out of memory (trace result)") : 0;
}

static int backward_tx(bt *b, uint64_t s)
{
	ct_btcstore *st = b->st;
	uint64_t fi = ct__tx_first_in(st, s), ei = ct__tx_end_in(st, s);
	uint64_t fo = ct__tx_first_out(st, s), eo = ct__tx_end_out(st, s);
	size_t nin = (size_t)(ei - fi), nout = (size_t)(eo - fo);
	int rc = scratch(b, nin + nout + 2);
	if (rc)
		return rc;
	uint64_t V = 0, T = 0, W = 0;
	uint32_t hop = UINT32_MAX;
	size_t unknown = 0, ntout = 0;
	uint64_t big_to = UINT64_MAX, big = 0;
	for (size_t j = 0; j < nout; j++) {
		b->w[j] = ct__out_value(st, fo + j);
		W += b->w[j];
		b->tp[j] = 0;
		ent e;
		if (map_take(b, fo + j, &e)) {
			b->tp[j] = e.taint;
			T += e.taint;
			ntout++;
			if (e.hops < hop)
				hop = e.hops;
			if (e.taint > big) {
				big = e.taint;
				big_to = out_addr(st, fo + j);
			}
		}
	}
	b->res.edges += nin + nout;
	b->res.txs++;
	if (!T)
		return 0;
	int coinbase = 0;
	for (size_t k = 0; k < nin; k++) {
		uint64_t ref = ct__in_ref(st, fi + k);
		b->v[k] = 0;
		if (ref == CT_IN_COINBASE) {
			coinbase = 1;
			continue;
		}
		if (ref & CT_IN_UNRESOLVED_BIT) {
			unknown++;
			continue;
		}
		b->v[k] = ct__out_value(st, ref);
		V += b->v[k];
	}
	/* pseudo input: new coins (coinbase) or value of unknown origin */
	size_t ni = nin;
	b->v[ni++] = W > V ? W - V : 0;
	V += b->v[nin];
	/* sources: outputs (tainted prefix) then the fee (clean) */
	b->w[nout] = V - W;
	b->tp[nout] = 0;
	switch (b->pol) {
	case CT_POL_POISON:
		for (size_t k = 0; k < ni; k++)
			b->tout[k] = b->v[k];
		break;
	case CT_POL_HAIRCUT:
		ct__tr_split64(T, b->v, ni, V, b->tout, b->rem);
		break;
	case CT_POL_FIFO:
		ct__tr_align(b->w, b->tp, nout + 1, b->v, ni, b->tout);
		break;
	case CT_POL_LIFO:
		/* forward LIFO lays the inputs last-first against the outputs */
		for (size_t k = 0; k < ni; k++)
			b->dst[k] = b->v[ni - 1 - k];
		ct__tr_align(b->w, b->tp, nout + 1, b->dst, ni, b->dout);
		for (size_t k = 0; k < ni; k++)
			b->tout[ni - 1 - k] = b->dout[k];
		break;
	case CT_POL_TIHO: {
		uint64_t sl[2] = {T, V - T}, stp[2] = {T, 0};
		order_desc(b->ord, b->v, ni);
		for (size_t k = 0; k < ni; k++)
			b->dst[k] = b->v[b->ord[k]];
		ct__tr_align(sl, stp, 2, b->dst, ni, b->dout);
		for (size_t k = 0; k < ni; k++)
			b->tout[b->ord[k]] = b->dout[k];
		break;
	}
	}
	/* the time only goes into flows: not read once they are full */
	int64_t time = b->res.max_flows && b->res.n_flows >= b->res.max_flows ? 0 : tx_time(st, s);
	ct__tr_step step = {0};
	step.tx = s;
	step.n_in = (uint32_t)nin;
	step.n_out = (uint32_t)nout;
	step.n_out_tainted = (uint32_t)ntout;
	step.tainted_in = T;
	step.big_out_addr = big_to;
	step.big_out_next = UINT64_MAX;
	step.from_addr = UINT64_MAX;
	for (size_t k = 0; k < ni; k++) {
		uint64_t amt = b->tout[k];
		if (!amt)
			continue;
		step.n_in_tainted++;
		uint64_t ref = k < nin ? ct__in_ref(st, fi + k) : UINT64_MAX;
		uint64_t a, next = UINT64_MAX;
		if (k == nin)
			a = coinbase ? ID_COINBASE : ID_UNKNOWN;
		else if (ref == CT_IN_COINBASE || (ref & CT_IN_UNRESOLVED_BIT))
			continue; /* valued through the pseudo input */
		else {
			a = out_addr(st, ref);
			next = ct__out_tx(st, ref);
		}
		if (step.from_addr == UINT64_MAX)
			step.from_addr = a;
		ct__tr_flow f = {a, big_to, amt, s, time, 0, hop + 1};
		ct__tr_flow_add(&b->res, &f);
		if ((rc = reach(b, k < nin ? ref : UINT64_MAX, a, amt, hop + 1, next, 0)))
			return rc;
	}
	ct__tr_step_add(&b->res, &step);
	return b->res.oom ? ct__err(CT_ENOMEM, "out of memory (trace result)") : 0;
}

/* ---- seeds ------------------------------------------------------------- */

/* Seed outputs already counted (a seed given twice, or a tx and one of
 * its outputs): a small open-addressing set of output id + 1; the top bit
 * marks a seed put in the forward frontier (seed_live). */
#define SEED_LIVE (UINT64_C(1) << 63)
static int seen_before(bt *b, uint64_t o)
{
	if ((b->sn + 1) * 2 > b->scap2) {
		size_t nc = b->scap2 ? b->scap2 * 2 : 256;
		uint64_t *ns = calloc(nc, sizeof(*ns));
		if (!ns)
			return -1;
		for (size_t i = 0; i < b->scap2; i++)
			if (b->sset[i]) {
				size_t s = hh(b->sset[i] & ~SEED_LIVE) & (nc - 1);
				while (ns[s])
					s = (s + 1) & (nc - 1);
				ns[s] = b->sset[i];
			}
		free(b->sset);
		b->sset = ns;
		b->scap2 = nc;
	}
	size_t mask = b->scap2 - 1, s = hh(o + 1) & mask;
	while (b->sset[s]) {
		if ((b->sset[s] & ~SEED_LIVE) == o + 1)
			return 1;
		s = (s + 1) & mask;
	}
	b->sset[s] = o + 1;
	b->sn++;
	return 0;
}

/* The sset slot of seed output o, or NULL. */
static uint64_t *seed_slot(const bt *b, uint64_t o)
{
	if (!b->scap2)
		return NULL;
	size_t mask = b->scap2 - 1, s = hh(o + 1) & mask;
	for (; b->sset[s]; s = (s + 1) & mask)
		if ((b->sset[s] & ~SEED_LIVE) == o + 1)
			return &b->sset[s];
	return NULL;
}

/* Forward: is o a seed output waiting in the frontier? (Taint that comes
 * back to it ends there: it is counted among the seeds already.) */
static int seed_live(const bt *b, uint64_t o)
{
	const uint64_t *p = seed_slot(b, o);
	return p && (*p & SEED_LIVE);
}

static int seed_output(bt *b, uint64_t o)
{
	uint64_t v = ct__out_value(b->st, o), a = out_addr(b->st, o);
	int dup = seen_before(b, o);
	if (dup < 0)
		return ct__err(CT_ENOMEM, "out of memory");
	if (!v || dup)
		return 0;
	b->res.tot[0].seeds += v;
	if (o < b->seed_lo)
		b->seed_lo = o;
	if (o > b->seed_hi)
		b->seed_hi = o;
	uint64_t next = b->back ? ct__out_tx(b->st, o) : ct__out_spent_by(b->st, o);
	ct__tr_addr *ad = ct__tr_addr_get(&b->res, 0, a);
	if (!ad)
		return ct__err(CT_ENOMEM, "out of memory");
	ct__tr_amt_add(&b->res, ad, CT_AMT_RECEIVED, v);
	ad->hops = 0;
	ad->reasons |= CT_ADDR_SEED;
	if (b->back) {
		/* the value of a seed output came from the tx that created it */
		if (b->time_limits && tx_time(b->st, next) < b->o->since) {
			ct__tr_stop(&b->res, ad, v, CT_END_TIME);
			return 0;
		}
	} else {
		/* what it sent: what it received less what stops (see upd_flush) */
		unsigned why = next == UINT64_MAX ? CT_END_UNSPENT
		               : b->time_limits && tx_time(b->st, next) > b->o->until ? CT_END_TIME
		                                                                       : 0;
		if (why) {
			ct__tr_stop(&b->res, ad, v, why);
			return 0;
		}
		ct__tr_amt_add(&b->res, ad, CT_AMT_SENT, v);
	}
	if (!b->back) {
		*seed_slot(b, o) |= SEED_LIVE;
		int rc = ct__front_push(&b->fr, next, o, v, v, a, 0);
		return rc == CT_ECORRUPT ? spent_corrupt(b, o, next, "which is not after the tx paying it") : rc;
	}
	int rc = map_add(b, o, v, 0, F_SEED, a);
	return rc ? rc : heap_push(b, next);
}

static int parse_seed(bt *b, const char *seed, json_t *sj)
{
	ct_btcstore *st = b->st;
	char buf[200];
	const char *s = seed, *c = strchr(seed, ':');
	if (c && ct__btc_net_by_name((snprintf(buf, sizeof(buf), "%.*s", (int)(c - seed), seed), buf)))
		s = c + 1;
	size_t L = strlen(s);
	uint8_t txid[32];
	if ((L == 64 || (L > 65 && s[64] == ':')) && ct__unhex_rev(txid, s, 32) == 0) {
		uint64_t t;
		if (ct__btcstore_find_tx(st, txid, &t) != 0)
			return ct__err(CT_ENOTFOUND, "seed %s: tx not found", seed);
		uint64_t fo = ct__tx_first_out(st, t), eo = ct__tx_end_out(st, t);
		json_t *x = json_object();
		json_object_set_new(x, "seed", json_string(seed));
		if (L > 65) {
			char *end;
			unsigned long n = strtoul(s + 65, &end, 10);
			if (*end || s[65] < '0' || s[65] > '9' || n >= eo - fo) {
				json_decref(x);
				return ct__err(CT_EUSER, "seed %s: no output %s in a tx of %llu outputs", seed,
				               s + 65, (unsigned long long)(eo - fo));
			}
			json_object_set_new(x, "kind", json_string("output"));
			json_array_append_new(sj, x);
			return seed_output(b, fo + n);
		}
		json_object_set_new(x, "kind", json_string("tx"));
		json_array_append_new(sj, x);
		for (uint64_t o = fo; o < eo; o++) {
			int rc = seed_output(b, o);
			if (rc)
				return rc;
		}
		return 0;
	}
	ct_addrkey k;
	uint64_t a;
	if (ct__addr_parse(st->h, st->net, s, &k) != 0)
		return ct__err(CT_EUSER, "seed '%s' is neither an address of %s, a txid nor TXID:N", seed,
		               st->net->chain);
	if (ct__btcstore_find_addr(st, &k, &a) != 0)
		return ct__err(CT_ENOTFOUND, "seed %s: address has no activity in the store", seed);
	json_t *x = json_object();
	json_object_set_new(x, "seed", json_string(seed));
	json_object_set_new(x, "kind", json_string("address"));
	json_array_append_new(sj, x);
	/* Forward: its outputs spent inside the window (what it sent);
	 * backward: its outputs created inside the window (what it received). */
	size_t cnt = 0;
	for (uint64_t o = ct__addr_head(st, a); o != UINT64_MAX; o = ct__out_prev_same(st, o)) {
		if (o >= st->c.outs)
			continue;
		uint64_t t = b->back ? ct__out_tx(st, o) : ct__out_spent_by(st, o);
		if (t == UINT64_MAX)
			continue;
		int64_t tm = tx_time(st, t);
		if (tm < b->o->since || tm > b->o->until)
			continue;
		int rc = seed_output(b, o);
		if (rc)
			return rc;
		cnt++;
	}
	if (!cnt)
		return ct__err(CT_ENOTFOUND, "seed %s: the address %s nothing%s", seed,
		               b->back ? "received" : "sent",
		               b->o->since != INT64_MIN || b->o->until != INT64_MAX ? " in the time window" : "");
	return 0;
}

/* ---- labels: the stop set ---------------------------------------------- */

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, c = *(const uint64_t *)y;
	return a < c ? -1 : a > c;
}

static int load_stops(bt *b, ct_labels *l)
{
	static const char *const cats[] = {"exchange", "mixer", "gambling", "darknet-market"};
	size_t cap = 0;
	for (size_t c = 0; c < CT_ARRAY_LEN(cats); c++) {
		char *js = NULL;
		if (ct_labels_list_json(l, &js, cats[c], b->st->net->chain, 0) != 0)
			continue;
		json_t *j = json_loads(js, 0, NULL);
		ct_free(js);
		json_t *arr = json_object_get(j, "labels");
		size_t i;
		json_t *x;
		json_array_foreach(arr, i, x) {
			const char *ad = json_string_value(json_object_get(x, "address"));
			const char *colon = ad ? strchr(ad, ':') : NULL;
			ct_addrkey k;
			uint64_t id;
			if (!colon || ct__addr_parse(b->st->h, b->st->net, colon + 1, &k) != 0 ||
			    ct__btcstore_find_addr(b->st, &k, &id) != 0)
				continue;
			if (b->n_stop == cap) {
				cap = cap ? cap * 2 : 256;
				uint64_t *ns = realloc(b->stop, cap * sizeof(*ns));
				if (!ns) {
					json_decref(j);
					return ct__err(CT_ENOMEM, "out of memory");
				}
				b->stop = ns;
			}
			b->stop[b->n_stop++] = id;
		}
		json_decref(j);
	}
	if (b->n_stop)
		qsort(b->stop, b->n_stop, sizeof(*b->stop), cmp_u64);
	return 0;
}

/* ---- naming ------------------------------------------------------------ */

static void name_addr(void *ctx, uint64_t id, char *buf, size_t cap)
{
	bt *b = ctx;
	if (id == ID_COINBASE)
		snprintf(buf, cap, "(coinbase)");
	else if (id == ID_UNKNOWN)
		snprintf(buf, cap, "(unknown origin)");
	else if (id == ID_NOADDR)
		snprintf(buf, cap, "(no address)");
	else {
		ct_addrkey k;
		ct__btcstore_addr_key(b->st, id, &k);
		if (ct__addr_render(b->st->h, b->st->net, &k, buf, cap) != 0)
			snprintf(buf, cap, "?");
	}
}

static void name_tx(void *ctx, uint64_t t, char *buf, size_t cap)
{
	bt *b = ctx;
	if (cap < 65) {
		buf[0] = 0;
		return;
	}
	ct__hex_rev(buf, ct__tx_id(b->st, t), 32);
}

static json_t *cluster_of(void *ctx, uint64_t id)
{
	bt *b = ctx;
	char buf[160], ad[128];
	if (!b->cl || id >= b->st->c.addrs)
		return json_null();
	uint64_t root = ct__clusters_find(b->cl, id);
	name_addr(ctx, root, ad, sizeof(ad));
	snprintf(buf, sizeof(buf), "%s:%s", b->st->net->chain, ad);
	return json_string(buf);
}

/* ---- entry ------------------------------------------------------------- */

/* Which Bitcoin store the seeds name: a chain prefix, an address form,
 * a txid found in it; *handled = 0 when no Bitcoin store fits. */
static const ct_btc_net *pick_net(ct_db *db, const ct_trace_options *o)
{
	const ct_btc_net *nets[8];
	size_t k = ct__db_btc_nets(db, nets, 8);
	if (!k || !o->n_seeds)
		return NULL;
	const char *s = o->seeds[0], *c = strchr(s, ':');
	char buf[64];
	if (c && c - s < 30) {
		snprintf(buf, sizeof(buf), "%.*s", (int)(c - s), s);
		const ct_btc_net *n = ct__btc_net_by_name(buf);
		if (n) {
			for (size_t i = 0; i < k; i++)
				if (nets[i] == n)
					return n;
			return NULL;
		}
	}
	if (k == 1)
		return nets[0];
	ct_hasher *h;
	if (ct__hasher_new(&h) != 0)
		return nets[0];
	const ct_btc_net *g = ct__addr_guess_net(h, s);
	ct__hasher_free(h);
	for (size_t i = 0; g && i < k; i++)
		if (nets[i] == g)
			return g;
	return nets[0];
}

int ct__trace_btc(ct_db *db, char **out, const ct_trace_options *o, int *handled)
{
	bt b;
	int rc;
	memset(&b, 0, sizeof(b));
	*handled = 0;
	const ct_btc_net *net = pick_net(db, o);
	if (!net)
		return 0;
	/* an account-model seed ("nem:...", "eth:...") is not ours */
	const char *c = strchr(o->seeds[0], ':');
	if (c && c - o->seeds[0] < 30 && (size_t)(c - o->seeds[0]) != 64) {
		char buf[64];
		snprintf(buf, sizeof(buf), "%.*s", (int)(c - o->seeds[0]), o->seeds[0]);
		if (!ct__btc_net_by_name(buf))
			return 0;
	}
	/* a bare seed that is not Bitcoin's (a NEM address, an account-model
	 * tx hash) belongs to the account engine when such a chain exists */
	{
		const ct_acct_chain *ac[4];
		if (!c && ct__acct_chains_present(db->dir, ac, 4) > 0) {
			ct_btcstore *st;
			int mine = 0;
			if (ct__btcstore_open(&st, db->dir, net, 0) == 0) {
				ct_addrkey k;
				uint8_t txid[32];
				uint64_t id;
				const char *s = o->seeds[0];
				if (strlen(s) >= 64 && ct__unhex_rev(txid, s, 32) == 0)
					mine = ct__btcstore_find_tx(st, txid, &id) == 0;
				else
					mine = ct__addr_parse(st->h, st->net, s, &k) == 0;
				ct__btcstore_close(st);
			}
			if (!mine)
				return 0;
		}
	}
	*handled = 1;
	b.o = o;
	b.seed_lo = UINT64_MAX;
	b.pol = ct__tr_policy(o->policy);
	b.back = o->backward;
	if ((rc = ct__btcstore_open(&b.st, db->dir, net, 0)))
		return rc;
	if (o->min_amount) {
		ct_u128 cut;
		if (ct__u128_parse(&cut, o->min_amount, 8) != 0 || cut > UINT64_MAX) {
			rc = ct__err(CT_EUSER, "--min-amount '%s' is not an amount in BTC (8 decimals at most)",
			             o->min_amount);
			goto out;
		}
		b.cutoff = (uint64_t)cut;
		b.have_cut = 1;
	}
	if ((rc = ct__tr_res_init(&b.res, 1, o->max_flows)))
		goto out;
	/* the pseudo-addresses (coinbase, unknown, none) are ids near 2^64:
	 * they stay in the hash map */
	ct__tr_res_dense(&b.res, b.st->c.addrs);
	if ((rc = b.back ? ct__txset_init(&b.pend, b.st->c.txs) : ct__front_init(&b.fr, b.st->c.txs)))
		goto out;
	b.cursor = b.back ? UINT64_MAX : 0;
	b.upd = ct__big_zalloc(UPD_MAX * sizeof(*b.upd));
	b.upd_sorted = ct__big_zalloc(UPD_MAX * sizeof(*b.upd));
	b.upd_cap = UPD_FIRST;
	if (!b.upd || !b.upd_sorted) {
		rc = ct__err(CT_ENOMEM, "out of memory (trace)");
		goto out;
	}
	/* dust for the pattern finder: the cutoff, at least 10,000 sat */
	b.res.dust_threshold = b.cutoff > 10000 ? b.cutoff : 10000;
	ct_labels *lab = NULL;
	{
		char p[4096];
		snprintf(p, sizeof(p), "%s/cases.db", db->dir);
		if (ct__path_exists(p) && ct_labels_open(&lab, db->dir, 0) != 0)
			lab = NULL;
	}
	if (lab && (rc = load_stops(&b, lab)))
		goto out_lab;
	if (ct__clusters_open(&b.cl, b.st) != 0)
		b.cl = NULL;
	b.time_limits = 1;
	for (size_t i = 0; i < o->n_seeds; i++) {
		const char *sd = o->seeds[i], *cc = strchr(sd, ':');
		char pre[32];
		if (cc && cc - sd < 30 &&
		    ct__btc_net_by_name((snprintf(pre, sizeof(pre), "%.*s", (int)(cc - sd), sd), pre)))
			sd = cc + 1;
		ct_addrkey k;
		if (ct__addr_parse(b.st->h, b.st->net, sd, &k) == 0)
			b.time_limits = 0;
	}
	json_t *seeds = json_array();
	struct timespec t0, t1, c0, c1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
	for (size_t i = 0; i < o->n_seeds; i++)
		if ((rc = parse_seed(&b, o->seeds[i], seeds))) {
			json_decref(seeds);
			goto out_lab;
		}
	for (;;) {
		uint64_t t;
		if (b.back) {
			if (!b.pend.n)
				break;
			t = heap_pop(&b);
			rc = backward_tx(&b, t);
		} else {
			uint32_t head, m;
			if ((rc = ct__front_take(&b.fr, &t, &head, &m)) == 1) {
				rc = 0;
				break;
			}
			if (!rc) {
				lookahead(&b);
				rc = forward_tx(&b, t, head, m);
			}
		}
		if (rc) {
			json_decref(seeds);
			goto out_lab;
		}
		uint64_t held = b.back ? b.n : b.fr.n;
		if (held > b.res.peak_frontier)
			b.res.peak_frontier = held;
	}
	if ((rc = upd_flush(&b))) {
		json_decref(seeds);
		goto out_lab;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
	b.res.seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	b.res.cpu_seconds = (double)(c1.tv_sec - c0.tv_sec) + (double)(c1.tv_nsec - c0.tv_nsec) / 1e9;
	const char *assets[1] = {"BTC"};
	int decs[1] = {8};
	ct__tr_namer nm = {&b, name_addr, name_tx, cluster_of, net->chain, assets, decs, 1};
	*out = ct__tr_doc(&b.res, &nm, lab, o, seeds);
	if (!*out)
		rc = ct__err(CT_ENOMEM, "out of memory building the trace");
out_lab:
	ct_labels_close(lab);
	if (b.cl)
		ct__clusters_close(b.cl);
out:
	ct__tr_res_free(&b.res);
	ct__big_free(b.map, b.cap * sizeof(*b.map));
	ct__txset_free(&b.pend);
	ct__front_free(&b.fr);
	free(b.stop);
	free(b.sset);
	ct__big_free(b.upd, UPD_MAX * sizeof(*b.upd));
	ct__big_free(b.upd_sorted, UPD_MAX * sizeof(*b.upd));
	free(b.upd_hist);
	uint64_t **arrs[] = {&b.v, &b.t, &b.w, &b.tout, &b.rem, &b.len, &b.tp, &b.dst, &b.dout, &b.ia, &b.oa,
	                     &b.refs};
	for (size_t i = 0; i < CT_ARRAY_LEN(arrs); i++)
		free(*arrs[i]);
	free(b.ih);
	free(b.ord);
	ct__btcstore_close(b.st);
	return rc;
}
