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

static const ct__tr_step *find_step(const ct__tr_step *s, size_t n, uint64_t tx)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t m = (lo + hi) / 2;
		if (s[m].tx < tx)
			lo = m + 1;
		else
			hi = m;
	}
	return lo < n && s[lo].tx == tx ? &s[lo] : NULL;
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

json_t *ct__tr_patterns(const ct__tr_res *r, const ct__tr_namer *nm)
{
	json_t *out = json_array();
	size_t n = r->n_steps;
	if (!n)
		return out;
	ct__tr_step *s = malloc(n * sizeof(*s));
	if (!s)
		return out;
	memcpy(s, r->steps, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_step);
	/* peel chains: start at peel steps no peel step leads to */
	unsigned char *linked = calloc(n, 1);
	for (size_t i = 0; linked && i < n; i++) {
		if (!is_peel(&s[i]))
			continue;
		const ct__tr_step *nx = find_step(s, n, s[i].big_out_next);
		if (nx && is_peel(nx))
			linked[nx - s] = 1;
	}
	for (size_t i = 0; linked && i < n; i++) {
		if (!is_peel(&s[i]) || linked[i])
			continue;
		size_t len = 0;
		for (const ct__tr_step *p = &s[i]; p && is_peel(p) && len <= n;
		     p = find_step(s, n, p->big_out_next))
			len++;
		if (len < 3)
			continue;
		json_t *x = json_object(), *txs = json_array(), *ads = json_array();
		int dec = nm->decimals[s[i].asset];
		ct_u128 peeled = 0;
		size_t k = 0;
		for (const ct__tr_step *p = &s[i]; p && is_peel(p) && k < len;
		     p = find_step(s, n, p->big_out_next), k++) {
			json_array_append_new(txs, jtx(nm, p->tx));
			json_array_append_new(ads, jad(nm, p->big_out_addr));
			peeled += p->small_out;
		}
		char b[64];
		ct__u128_amount(b, sizeof(b), peeled, dec);
		json_object_set_new(x, "kind", json_string("peel-chain"));
		json_object_set_new(x, "length", json_integer((json_int_t)len));
		json_object_set_new(x, "peeled", json_string(b));
		json_object_set_new(x, "asset", json_string(nm->assets[s[i].asset]));
		json_object_set_new(x, "txids", txs);
		json_object_set_new(x, "addresses", ads);
		json_array_append_new(out, x);
	}
	free(linked);
	/* flows sorted by tx (UTXO steps) or by (asset, from) (account steps) */
	int by_sender = n && s[0].by_sender;
	ct__tr_flow *fx = malloc((r->n_flows ? r->n_flows : 1) * sizeof(*fx));
	if (fx) {
		memcpy(fx, r->flows, r->n_flows * sizeof(*fx));
		qsort(fx, r->n_flows, sizeof(*fx), by_sender ? cmp_flow : cmp_flow_tx);
	}
	for (size_t i = 0; fx && i < n; i++) {
		const ct__tr_step *p = &s[i];
		const char *kind = NULL;
		if (p->n_dust_out >= 5)
			kind = "dusting";
		else if (p->n_new_out >= 3 && p->big_out * 3 <= p->tainted_in * 2)
			kind = "fan-out";
		else if (p->n_in_tainted >= 3 && p->n_out <= 2)
			kind = "consolidation";
		if (!kind)
			continue;
		json_t *x = json_object(), *txs = json_array(), *ads = json_array();
		json_object_set_new(x, "kind", json_string(kind));
		json_array_append_new(txs, jtx(nm, p->tx));
		/* receivers (fan-out, dusting) or the sender (consolidation) */
		size_t listed = 0;
		if (!strcmp(kind, "consolidation")) {
			if (p->big_out_addr != UINT64_MAX)
				json_array_append_new(ads, jad(nm, p->big_out_addr));
		} else {
			/* the step's flows: a range of the flows sorted by tx, or
			 * (account model) by sender */
			size_t lo, hi;
			flow_range(fx, r->n_flows, p, &lo, &hi);
			for (size_t q = lo; q < hi && listed < 1000; q++) {
				const ct__tr_flow *fl = &fx[q];
				if (fl->asset != p->asset || fl->to == UINT64_MAX)
					continue;
				if (p->by_sender ? fl->from != p->from_addr : fl->tx != p->tx)
					continue;
				if (!strcmp(kind, "dusting")) {
					const ct__tr_addr *a = ct__tr_addr_find(r, fl->asset, fl->to);
					if (fl->amount > r->dust_threshold || !a || a->received > r->dust_threshold)
						continue;
				}
				json_array_append_new(ads, jad(nm, fl->to));
				listed++;
			}
		}
		if (!strcmp(kind, "dusting") && listed < 5) {
			json_decref(txs);
			json_decref(ads);
			json_decref(x);
			continue;
		}
		json_object_set_new(x, "asset", json_string(nm->assets[p->asset]));
		json_object_set_new(x, "inputs_tainted", json_integer(p->n_in_tainted));
		json_object_set_new(x, "outputs", json_integer(p->n_out));
		if (p->from_addr != UINT64_MAX)
			json_object_set_new(x, "from", jad(nm, p->from_addr));
		json_object_set_new(x, "txids", txs);
		json_object_set_new(x, "addresses", ads);
		json_array_append_new(out, x);
	}
	free(fx);
	/* round trips: A pays B (tx t1), later B pays A back (tx t2 > t1) in
	 * a tx A did not fund. Flows sorted by (from, to, tx) find t1. */
	ct__tr_flow *fs = malloc((r->n_flows ? r->n_flows : 1) * sizeof(*fs));
	if (fs) {
		memcpy(fs, r->flows, r->n_flows * sizeof(*fs));
		qsort(fs, r->n_flows, sizeof(*fs), cmp_flow);
	}
	for (size_t f = 0; fs && f < r->n_flows; f++) {
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
		const ct__tr_flow *out_f = first_flow(fs, r->n_flows, &key);
		if (!out_f || out_f->tx >= fl->tx)
			continue;
		json_t *x = json_object(), *txs = json_array(), *ads = json_array();
		json_object_set_new(x, "kind", json_string("round-trip"));
		json_object_set_new(x, "asset", json_string(nm->assets[fl->asset]));
		json_array_append_new(txs, jtx(nm, out_f->tx));
		json_array_append_new(txs, jtx(nm, fl->tx));
		json_array_append_new(ads, jad(nm, fl->to));
		json_array_append_new(ads, jad(nm, fl->from));
		char b[64];
		ct__u128_amount(b, sizeof(b), fl->amount, nm->decimals[fl->asset]);
		json_object_set_new(x, "amount", json_string(b));
		json_object_set_new(x, "txids", txs);
		json_object_set_new(x, "addresses", ads);
		json_array_append_new(out, x);
	}
	free(fs);
	free(s);
	return out;
}
