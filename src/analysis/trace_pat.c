/*
 * trace_pat.c - patterns named in a trace result, found from the steps
 * (txs that carried taint) and the flows. Definitions (docs/tracing.md):
 *  - peel-chain: at least 3 linked peel steps; a peel step is a tx whose
 *    tainted value leaves in exactly two tainted outputs, the smaller
 *    under 25% of the two, and the next step spends the larger one;
 *  - fan-out: a tx sending taint to at least 3 outputs at addresses not
 *    among its inputs, none of them over 2/3 of the tainted value;
 *  - consolidation: a tx with at least 3 tainted inputs and at most 2
 *    outputs;
 *  - dusting: a tx paying at least 5 outputs of dust value (at most the
 *    dust threshold: --min-amount, at least 10,000 base units) to
 *    addresses that receive nothing else significant from the trace;
 *  - round-trip: A pays B tainted value, later B pays A back in a tx A
 *    did not fund (change back to a funder is not a return).
 */
#include "analysis/trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *jtx(const ct__tr_namer *nm, uint64_t tx)
{
	char b[200];
	nm->tx(nm->ctx, tx, b, sizeof(b));
	return json_string(b);
}

static json_t *jad(const ct__tr_namer *nm, uint64_t id)
{
	char b[200];
	nm->addr(nm->ctx, id, b, sizeof(b));
	return json_string(b);
}

static int cmp_step(const void *x, const void *y)
{
	const ct__tr_step *a = x, *b = y;
	return a->tx < b->tx ? -1 : a->tx > b->tx;
}

static int cmp_flow(const void *x, const void *y)
{
	const ct__tr_flow *a = x, *b = y;
	if (a->from != b->from)
		return a->from < b->from ? -1 : 1;
	if (a->to != b->to)
		return a->to < b->to ? -1 : 1;
	if (a->asset != b->asset)
		return a->asset < b->asset ? -1 : 1;
	return a->tx < b->tx ? -1 : a->tx > b->tx;
}

/* The earliest flow with key's (from, to, asset), or NULL. */
static const ct__tr_flow *first_flow(const ct__tr_flow *fs, size_t n, const ct__tr_flow *key)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t m = (lo + hi) / 2;
		if (cmp_flow(&fs[m], key) < 0)
			lo = m + 1;
		else
			hi = m;
	}
	if (lo < n && fs[lo].from == key->from && fs[lo].to == key->to && fs[lo].asset == key->asset)
		return &fs[lo];
	return NULL;
}

static int cmp_flow_tx(const void *x, const void *y)
{
	const ct__tr_flow *a = x, *b = y;
	if (a->tx != b->tx)
		return a->tx < b->tx ? -1 : 1;
	return a->to < b->to ? -1 : a->to > b->to;
}

/* [lo, hi) of the flows of step p in fx: sorted by cmp_flow_tx for tx
 * steps, by cmp_flow (sender first) for account-model sender steps. */
static void flow_range(const ct__tr_flow *fx, size_t n, const ct__tr_step *p, size_t *lo, size_t *hi)
{
	size_t a = 0, b = n;
	while (a < b) {
		size_t m = (a + b) / 2;
		if (p->by_sender ? fx[m].from < p->from_addr : fx[m].tx < p->tx)
			a = m + 1;
		else
			b = m;
	}
	*lo = a;
	b = a;
	while (b < n && (p->by_sender ? fx[b].from == p->from_addr : fx[b].tx == p->tx))
		b++;
	*hi = b;
}

static int is_peel(const ct__tr_step *s)
{
	return s->n_out_tainted == 2 && s->small_out * 3 < s->big_out; /* smaller < 25% of both */
}

static const char *step_kind(const ct__tr_step *p)
{
	if (p->n_dust_out >= 5)
		return "dusting";
	if (p->n_new_out >= 3 && p->big_out * 3 <= p->tainted_in * 2)
		return "fan-out";
	if (p->n_in_tainted >= 3 && p->n_out <= 2)
		return "consolidation";
	return NULL;
}

int ct__tr_step_wanted(const ct__tr_step *s)
{
	return is_peel(s) || step_kind(s) != NULL;
}

/* A pattern found, before it is written: which, where, how much. */
enum { PK_PEEL, PK_STEP, PK_ROUND };
typedef struct cand {
	int kind;
	size_t idx;      /* peel/step: index into the sorted steps; round: flow */
	size_t len;      /* peel: chain length                                  */
	size_t out_idx;  /* round: the earlier flow (index into fs)             */
	ct_u128 score;   /* tainted value involved, for ranking                 */
} cand;

typedef struct pctx {
	const ct__tr_res *r;
	const ct__tr_namer *nm;
	const ct__tr_step *s; /* steps sorted by tx: the result's own, or `own` */
	ct__tr_step *own;     /* a sorted copy, when they were not in order    */
	size_t n;
	size_t *nxt;     /* peel steps: the step spending the larger output (SIZE_MAX: none) */
	ct__tr_flow *fx; /* flows by tx (or by sender) */
	ct__tr_flow *fs; /* flows by (from, to, tx)    */
	cand *c;
	size_t nc, cc;
	int oom;
} pctx;

static void cand_add(pctx *x, cand c)
{
	if (x->nc == x->cc) {
		size_t n = x->cc ? x->cc * 2 : 256;
		cand *nv = realloc(x->c, n * sizeof(*nv));
		if (!nv) {
			x->oom = 1;
			return;
		}
		x->c = nv;
		x->cc = n;
	}
	x->c[x->nc++] = c;
}

/* The receivers a step lists (fan-out, dusting): its flows' receivers,
 * for dusting only those that got dust and nothing significant. Appended
 * to `ads` when given; returns how many (at most 1000). */
static size_t step_receivers(const pctx *x, const ct__tr_step *p, int dusting, json_t *ads)
{
	const ct__tr_res *r = x->r;
	size_t lo, hi, listed = 0;
	flow_range(x->fx, r->n_flows, p, &lo, &hi);
	for (size_t q = lo; q < hi && listed < 1000; q++) {
		const ct__tr_flow *fl = &x->fx[q];
		if (fl->asset != p->asset || fl->to == UINT64_MAX)
			continue;
		if (p->by_sender ? fl->from != p->from_addr : fl->tx != p->tx)
			continue;
		if (dusting) {
			const ct__tr_addr *a = ct__tr_addr_find(r, fl->asset, fl->to);
			if (fl->amount > r->dust_threshold || !a || ct__tr_amt(r, a, CT_AMT_RECEIVED) > r->dust_threshold)
				continue;
		}
		if (ads)
			json_array_append_new(ads, jad(x->nm, fl->to));
		listed++;
	}
	return listed;
}

/* nxt[] of every peel step, through a hash of the steps' txs (a binary
 * search per step costs ~20 cache misses on a million steps). */
static int link_peels(pctx *x)
{
	size_t n = x->n, cap = 64;
	while (cap < 2 * n)
		cap *= 2;
	uint64_t *key = calloc(cap, sizeof(*key));
	size_t *val = malloc(cap * sizeof(*val));
	x->nxt = malloc((n ? n : 1) * sizeof(*x->nxt));
	if (!key || !val || !x->nxt) {
		free(key);
		free(val);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t k = x->s[i].tx + 1, h = (k * 0x9e3779b97f4a7c15ull) >> 20;
		for (;; h++) {
			size_t sl = h & (cap - 1);
			if (!key[sl]) {
				key[sl] = k;
				val[sl] = i;
				break;
			}
			if (key[sl] == k)
				break; /* the first step of a tx, as a search would find */
		}
	}
	for (size_t i = 0; i < n; i++) {
		x->nxt[i] = SIZE_MAX;
		if (!is_peel(&x->s[i]) || x->s[i].big_out_next == UINT64_MAX)
			continue;
		uint64_t k = x->s[i].big_out_next + 1, h = (k * 0x9e3779b97f4a7c15ull) >> 20;
		for (;; h++) {
			size_t sl = h & (cap - 1);
			if (!key[sl])
				break;
			if (key[sl] == k) {
				x->nxt[i] = val[sl];
				break;
			}
		}
	}
	free(key);
	free(val);
	return 0;
}

static const ct__tr_step *next_peel(const pctx *x, const ct__tr_step *p)
{
	size_t i = x->nxt[p - x->s];
	return i == SIZE_MAX ? NULL : &x->s[i];
}

static void find_peels(pctx *x)
{
	const ct__tr_step *s = x->s;
	size_t n = x->n;
	/* peel chains: start at peel steps no peel step leads to */
	unsigned char *linked = calloc(n ? n : 1, 1);
	if (!linked || link_peels(x) != 0) {
		free(linked);
		x->oom = 1;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (!is_peel(&s[i]))
			continue;
		const ct__tr_step *nx = next_peel(x, &s[i]);
		if (nx && is_peel(nx))
			linked[nx - s] = 1;
	}
	for (size_t i = 0; i < n; i++) {
		if (!is_peel(&s[i]) || linked[i])
			continue;
		size_t len = 0;
		for (const ct__tr_step *p = &s[i]; p && is_peel(p) && len <= n; p = next_peel(x, p))
			len++;
		if (len >= 3)
			cand_add(x, (cand){PK_PEEL, i, len, 0, s[i].tainted_in});
	}
	free(linked);
}

static void find_steps(pctx *x)
{
	for (size_t i = 0; i < x->n; i++) {
		const ct__tr_step *p = &x->s[i];
		const char *kind = step_kind(p);
		if (!kind)
			continue;
		if (!strcmp(kind, "dusting") && step_receivers(x, p, 1, NULL) < 5)
			continue;
		cand_add(x, (cand){PK_STEP, i, 0, 0, p->tainted_in});
	}
}

/* round trips: A pays B (tx t1), later B pays A back (tx t2 > t1) in a
 * tx A did not fund. Flows sorted by (from, to, tx) find t1. */
static void find_rounds(pctx *x)
{
	const ct__tr_res *r = x->r;
	for (size_t f = 0; f < r->n_flows; f++) {
		const ct__tr_flow *fl = &r->flows[f];
		if (fl->to == UINT64_MAX || fl->from == fl->to || fl->from == UINT64_MAX)
			continue;
		/* did `to` fund this tx? then it is change, not a return */
		int funded = 0;
		for (size_t g = f; g-- > 0 && r->flows[g].tx == fl->tx;)
			funded |= r->flows[g].from == fl->to;
		for (size_t g = f + 1; g < r->n_flows && r->flows[g].tx == fl->tx; g++)
			funded |= r->flows[g].from == fl->to;
		if (funded)
			continue;
		ct__tr_flow key = {fl->to, fl->from, 0, 0, 0, fl->asset, 0};
		const ct__tr_flow *out_f = first_flow(x->fs, r->n_flows, &key);
		if (!out_f || out_f->tx >= fl->tx)
			continue;
		cand_add(x, (cand){PK_ROUND, f, 0, (size_t)(out_f - x->fs), fl->amount});
	}
}

static json_t *write_cand(const pctx *x, const cand *c)
{
	const ct__tr_namer *nm = x->nm;
	json_t *o = json_object(), *txs = json_array(), *ads = json_array();
	char b[64];
	if (c->kind == PK_PEEL) {
		const ct__tr_step *s0 = &x->s[c->idx];
		ct_u128 peeled = 0;
		size_t k = 0;
		for (const ct__tr_step *p = s0; p && is_peel(p) && k < c->len; p = next_peel(x, p), k++) {
			json_array_append_new(txs, jtx(nm, p->tx));
			json_array_append_new(ads, jad(nm, p->big_out_addr));
			peeled += p->small_out;
		}
		ct__u128_amount(b, sizeof(b), peeled, nm->decimals[s0->asset]);
		json_object_set_new(o, "kind", json_string("peel-chain"));
		json_object_set_new(o, "length", json_integer((json_int_t)c->len));
		json_object_set_new(o, "peeled", json_string(b));
		json_object_set_new(o, "asset", json_string(nm->assets[s0->asset]));
	} else if (c->kind == PK_STEP) {
		const ct__tr_step *p = &x->s[c->idx];
		const char *kind = step_kind(p);
		json_object_set_new(o, "kind", json_string(kind));
		json_array_append_new(txs, jtx(nm, p->tx));
		/* receivers (fan-out, dusting) or the sender (consolidation) */
		if (!strcmp(kind, "consolidation")) {
			if (p->big_out_addr != UINT64_MAX)
				json_array_append_new(ads, jad(nm, p->big_out_addr));
		} else {
			step_receivers(x, p, !strcmp(kind, "dusting"), ads);
		}
		json_object_set_new(o, "asset", json_string(nm->assets[p->asset]));
		json_object_set_new(o, "inputs_tainted", json_integer(p->n_in_tainted));
		json_object_set_new(o, "outputs", json_integer(p->n_out));
		if (p->from_addr != UINT64_MAX)
			json_object_set_new(o, "from", jad(nm, p->from_addr));
	} else {
		const ct__tr_flow *fl = &x->r->flows[c->idx], *out_f = &x->fs[c->out_idx];
		json_object_set_new(o, "kind", json_string("round-trip"));
		json_object_set_new(o, "asset", json_string(nm->assets[fl->asset]));
		json_array_append_new(txs, jtx(nm, out_f->tx));
		json_array_append_new(txs, jtx(nm, fl->tx));
		json_array_append_new(ads, jad(nm, fl->to));
		json_array_append_new(ads, jad(nm, fl->from));
		ct__u128_amount(b, sizeof(b), fl->amount, nm->decimals[fl->asset]);
		json_object_set_new(o, "amount", json_string(b));
	}
	/* the tainted value that went in: what ranks patterns (--max-patterns) */
	uint32_t asset = c->kind == PK_ROUND ? x->r->flows[c->idx].asset : x->s[c->idx].asset;
	ct__u128_amount(b, sizeof(b), c->score, nm->decimals[asset]);
	json_object_set_new(o, "tainted", json_string(b));
	json_object_set_new(o, "txids", txs);
	json_object_set_new(o, "addresses", ads);
	return o;
}

/* Ranking: most tainted value first, then the order found. */
static int ranks_before(const void *ctx, size_t a, size_t b)
{
	const cand *c = ctx;
	if (c[a].score != c[b].score)
		return c[a].score > c[b].score;
	return a < b;
}

/* Mark the k best candidates in keep[]. */
static int top_cands(const pctx *x, size_t k, unsigned char *keep)
{
	size_t *h = malloc(k * sizeof(*h));
	if (!h)
		return -1;
	size_t n = ct__tr_topk(x->nc, k, ranks_before, x->c, h);
	for (size_t i = 0; i < n; i++)
		keep[h[i]] = 1;
	free(h);
	return 0;
}

static int steps_sorted(const ct__tr_step *s, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (s[i - 1].tx > s[i].tx)
			return 0;
	return 1;
}

json_t *ct__tr_patterns(const ct__tr_res *r, const ct__tr_namer *nm, size_t max, uint64_t *found)
{
	json_t *out = json_array();
	pctx x;
	memset(&x, 0, sizeof(x));
	x.r = r;
	x.nm = nm;
	x.n = r->n_steps;
	*found = 0;
	size_t nf = r->n_flows ? r->n_flows : 1;
	x.fx = malloc(nf * sizeof(*x.fx));
	x.fs = malloc(nf * sizeof(*x.fs));
	if (!x.fx || !x.fs)
		goto done;
	/* forward UTXO steps come in chain order already: used as they are
	 * (a million steps are 112 MB); the others are sorted in a copy */
	x.s = r->steps;
	if (!steps_sorted(r->steps, x.n)) {
		if (!(x.own = malloc(x.n * sizeof(*x.own))))
			goto done;
		memcpy(x.own, r->steps, x.n * sizeof(*x.own));
		qsort(x.own, x.n, sizeof(*x.own), cmp_step);
		x.s = x.own;
	}
	/* flows sorted by tx (UTXO steps) or by (asset, from) (account steps) */
	int by_sender = x.n && x.s[0].by_sender;
	if (r->n_flows) {
		memcpy(x.fx, r->flows, r->n_flows * sizeof(*x.fx));
		qsort(x.fx, r->n_flows, sizeof(*x.fx), by_sender ? cmp_flow : cmp_flow_tx);
		memcpy(x.fs, r->flows, r->n_flows * sizeof(*x.fs));
		qsort(x.fs, r->n_flows, sizeof(*x.fs), cmp_flow);
	}
	find_peels(&x);
	find_steps(&x);
	find_rounds(&x);
	*found = x.nc;
	/* keep the `max` largest, written in the order found */
	unsigned char *keep = NULL;
	if (max && x.nc > max) {
		keep = calloc(x.nc, 1);
		if (!keep || top_cands(&x, max, keep) != 0) {
			free(keep);
			goto done;
		}
	}
	for (size_t i = 0; i < x.nc; i++)
		if (!keep || keep[i])
			json_array_append_new(out, write_cand(&x, &x.c[i]));
	free(keep);
done:
	free(x.c);
	free(x.nxt);
	free(x.fx);
	free(x.fs);
	free(x.own);
	return out;
}
