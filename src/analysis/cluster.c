/*
 * cluster.c - common-input clustering as a persisted union-find.
 *
 * Four columns beside the chain store, one 8-byte record per address:
 *   cluster.parent  parent + 1 (0: the address is its cluster's root)
 *   cluster.size    members, valid at roots
 *   cluster.next    next member + 1 in a circular list (0: itself), so a
 *                   cluster's members are listed without scanning, and
 *                   two lists are joined in O(1) by swapping two nexts
 *   cluster.via     tx + 1 that merged this root's cluster into another
 * The root of a cluster is always its lowest address id (the address seen
 * first), so a cluster's id only changes when it joins an older one.
 * Finds use path halving. `cluster.meta` records how many txs have been
 * folded in; an update marks it dirty first and clean when done, and a
 * dirty clustering (a crash mid-update, or a reorg, which union-find
 * cannot undo) is rebuilt from scratch at the next update.
 */
#include "analysis/cluster.h"
#include "util/error.h"
#include "util/fsutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CMETA_MAGIC "CTCLUST1"
#define CMETA_LEN 64
#define DEFAULT_GUARD 1000000 /* refuse merging two clusters both this big */
#define DEFAULT_CHANGE_GUARD 1000 /* no change-heuristic merge into a cluster this big */

struct ct_clusters {
	ct_btcstore *st;
	int present, writable;
	ct_col parent, size, next, via;
	uint64_t txs_done, addrs_done;
	int dirty;
	uint64_t guard;
	uint64_t merges, refused, coinjoins;
	int heuristics, want_heuristics;
	uint64_t change_guard;
};

int ct__cluster_heuristics_parse(const char *list)
{
	int bits = 0;
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", list);
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (!strcmp(t, "all"))
			bits |= CT_H_CHANGE_ALL;
		else if (!strcmp(t, "none"))
			continue;
		else if (!strcmp(t, "one-time"))
			bits |= CT_H_ONE_TIME_CHANGE;
		else if (!strcmp(t, "optimal"))
			bits |= CT_H_OPTIMAL_CHANGE;
		else if (!strcmp(t, "type"))
			bits |= CT_H_ADDRESS_TYPE;
		else if (!strcmp(t, "round"))
			bits |= CT_H_ROUND_AMOUNT;
		else
			return -1;
	}
	return bits;
}

const char *ct__cluster_heuristic_name(int bit)
{
	switch (bit) {
	case CT_H_MULTI_INPUT: return "multi-input";
	case CT_H_ONE_TIME_CHANGE: return "one-time-change";
	case CT_H_OPTIMAL_CHANGE: return "optimal-change";
	case CT_H_ADDRESS_TYPE: return "address-type-change";
	case CT_H_ROUND_AMOUNT: return "round-amount-change";
	default: return "unknown";
	}
}

void ct__clusters_set_heuristics(ct_clusters *c, int bits) { c->want_heuristics = bits; }

static inline uint64_t rd(const ct_col *c, uint64_t i) { return ct_le64(ct__col_at(c, i)); }
static inline void wr(ct_col *c, uint64_t i, uint64_t v) { ct_put_le64(ct__col_at(c, i), v); }

static int write_cmeta(ct_clusters *c, int dirty)
{
	uint8_t m[CMETA_LEN];
	memset(m, 0, sizeof(m));
	memcpy(m, CMETA_MAGIC, 8);
	ct_put_le64(m + 8, c->txs_done);
	ct_put_le64(m + 16, c->addrs_done);
	ct_put_le64(m + 24, (uint64_t)dirty);
	ct_put_le64(m + 32, c->merges);
	ct_put_le64(m + 40, c->refused);
	ct_put_le64(m + 48, c->coinjoins);
	ct_put_le64(m + 56, (uint64_t)c->heuristics);
	c->dirty = dirty;
	return ct__write_atomic(c->st->dir, "cluster.meta", m, sizeof(m));
}

int ct__clusters_invalidate(const char *chain_dir)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s/cluster.meta", chain_dir);
	if (!ct__path_exists(p))
		return 0;
	return ct__remove_durable(chain_dir, "cluster.meta");
}

int ct__clusters_open(ct_clusters **out, ct_btcstore *st)
{
	ct_clusters *c = ct__calloc(1, sizeof(*c));
	char p[4096];
	uint8_t m[CMETA_LEN + 1];
	size_t len;
	int rc;
	if (!c)
		return CT_ENOMEM;
	c->st = st;
	c->writable = st->writable;
	c->guard = DEFAULT_GUARD;
	c->change_guard = DEFAULT_CHANGE_GUARD;
	const char *g = getenv("COINTRAIL_CLUSTER_GUARD");
	if (g)
		c->guard = strtoull(g, NULL, 10);
	if ((g = getenv("COINTRAIL_CHANGE_GUARD")))
		c->change_guard = strtoull(g, NULL, 10);
	c->parent.fd = c->size.fd = c->next.fd = c->via.fd = -1;
	snprintf(p, sizeof(p), "%s/cluster.meta", st->dir);
	rc = ct__read_small(p, m, sizeof(m), &len);
	if (rc == 0 && len == CMETA_LEN && !memcmp(m, CMETA_MAGIC, 8)) {
		c->txs_done = ct_le64(m + 8);
		c->addrs_done = ct_le64(m + 16);
		c->dirty = ct_le64(m + 24) != 0;
		c->merges = ct_le64(m + 32);
		c->refused = ct_le64(m + 40);
		c->coinjoins = ct_le64(m + 48);
		c->heuristics = (int)ct_le64(m + 56);
		c->want_heuristics = c->heuristics;
		c->present = 1;
	} else if (rc != 0 && rc != CT_ENOTFOUND) {
		free(c);
		return rc;
	}
	if (c->txs_done > st->c.txs || c->addrs_done > st->c.addrs)
		c->dirty = 1; /* the store shrank (reorg) under it */
	if (!c->present && !c->writable) {
		*out = c;
		return 0;
	}
	struct {
		ct_col *col;
		const char *name;
	} cols[] = {{&c->parent, "cluster.parent"}, {&c->size, "cluster.size"},
	            {&c->next, "cluster.next"}, {&c->via, "cluster.via"}};
	for (size_t i = 0; i < CT_ARRAY_LEN(cols); i++) {
		rc = ct__col_open(cols[i].col, st->dir, cols[i].name, 8, c->writable);
		if (rc == CT_ECORRUPT && !c->writable) {
			c->present = 0; /* files gone: answer as unclustered */
			rc = 0;
			break;
		}
		if (rc) {
			ct__clusters_close(c);
			return rc;
		}
		if (c->present && ct__col_cap(cols[i].col) < c->addrs_done)
			c->dirty = 1;
	}
	if (c->present && !c->writable && c->dirty)
		c->present = 0; /* stale: answer as unclustered until rebuilt */
	*out = c;
	return 0;
}

void ct__clusters_close(ct_clusters *c)
{
	if (!c)
		return;
	ct_col *cols[] = {&c->parent, &c->size, &c->next, &c->via};
	for (size_t i = 0; i < CT_ARRAY_LEN(cols); i++)
		if (cols[i]->path)
			ct__col_close(cols[i]);
	free(c);
}

int ct__clusters_current(const ct_clusters *c)
{
	return c->present && !c->dirty && c->txs_done == c->st->c.txs;
}

uint64_t ct__clusters_find(const ct_clusters *c, uint64_t a)
{
	if (!c->present || a >= c->addrs_done)
		return a;
	for (;;) {
		uint64_t p = rd(&c->parent, a);
		if (!p)
			return a;
		a = p - 1;
	}
}

/* Find with path halving (writable clusterings only). */
static uint64_t find_mut(ct_clusters *c, uint64_t a)
{
	for (;;) {
		uint64_t p = rd(&c->parent, a);
		if (!p)
			return a;
		uint64_t gp = rd(&c->parent, p - 1);
		if (!gp)
			return p - 1;
		wr(&c->parent, a, gp);
		a = gp - 1;
	}
}

uint64_t ct__clusters_size(const ct_clusters *c, uint64_t root)
{
	if (!c->present || root >= c->addrs_done)
		return 1;
	return rd(&c->size, root);
}

uint64_t ct__clusters_next(const ct_clusters *c, uint64_t a)
{
	if (!c->present || a >= c->addrs_done)
		return a;
	uint64_t n = rd(&c->next, a);
	return n ? n - 1 : a;
}

uint64_t ct__clusters_via(const ct_clusters *c, uint64_t a, int *heuristic)
{
	if (!c->present || a >= c->addrs_done)
		return UINT64_MAX;
	uint64_t v = rd(&c->via, a);
	if (heuristic)
		*heuristic = (int)(v >> 56);
	v &= (UINT64_C(1) << 56) - 1;
	return v ? v - 1 : UINT64_MAX;
}

/* ---- CoinJoin shapes ----------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

const char *ct__coinjoin_name(int kind)
{
	switch (kind) {
	case CT_CJ_WHIRLPOOL: return "whirlpool";
	case CT_CJ_WASABI: return "wasabi";
	case CT_CJ_JOINMARKET: return "joinmarket";
	case CT_CJ_EQUAL_OUTPUTS: return "equal-outputs";
	default: return "none";
	}
}

int ct__coinjoin_kind(const ct_btcstore *st, uint64_t t)
{
	uint64_t fi = ct__tx_first_in(st, t), ei = ct__tx_end_in(st, t);
	uint64_t fo = ct__tx_first_out(st, t), eo = ct__tx_end_out(st, t);
	uint64_t n_in = ei - fi, n_out = eo - fo;
	uint64_t vals[512];
	if (n_in < 2 || n_out < 2)
		return CT_CJ_NONE;
	/* Only the largest equal-value group matters; very wide txs are
	 * sampled by their first 512 outputs (batch payouts, not mixes). */
	size_t n = n_out < 512 ? (size_t)n_out : 512, best = 1, run = 1;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		vals[i] = ct__out_value(st, fo + i);
	qsort(vals, n, sizeof(vals[0]), cmp_u64);
	for (size_t i = 1; i <= n; i++) {
		if (i < n && vals[i] == vals[i - 1] && vals[i] > 0) {
			run++;
			continue;
		}
		if (run > best) {
			best = run;
			v = vals[i - 1];
		}
		run = 1;
	}
	if (best < 2)
		return CT_CJ_NONE;
	/* Whirlpool: 5 inputs, 5 outputs of one pool denomination. */
	if (n_in == 5 && n_out == 5 && best == 5)
		return CT_CJ_WHIRLPOOL;
	/* Wasabi 1.x: many equal outputs near 0.1 BTC. */
	if (best >= 10 && v >= 9000000 && v <= 11000000)
		return CT_CJ_WASABI;
	/* JoinMarket: k equal outputs, k or k-1 change outputs, >= k inputs. */
	if (best >= 3 && n_in >= best && (n_out == 2 * best || n_out == 2 * best - 1))
		return CT_CJ_JOINMARKET;
	/* Generic: a group of at least 3 equal outputs that is at least half
	 * of the outputs, funded by at least as many inputs. */
	if (best >= 3 && 2 * best >= n_out && n_in >= best)
		return CT_CJ_EQUAL_OUTPUTS;
	return CT_CJ_NONE;
}

/* ---- update --------------------------------------------------------------- */

static int cover_addresses(ct_clusters *c, uint64_t n)
{
	int rc;
	ct_col *cols[] = {&c->parent, &c->size, &c->next, &c->via};
	for (size_t i = 0; i < CT_ARRAY_LEN(cols); i++)
		if ((rc = ct__col_reserve(cols[i], n)))
			return rc;
	for (uint64_t a = c->addrs_done; a < n; a++) {
		wr(&c->parent, a, 0);
		wr(&c->size, a, 1);
		wr(&c->next, a, 0);
		wr(&c->via, a, 0);
	}
	c->addrs_done = n;
	return 0;
}

/* Join the clusters of a and b because of tx t. 1 merged, 0 same, -1
 * refused by the collapse guard. */
static int join(ct_clusters *c, uint64_t a, uint64_t b, uint64_t t, int heuristic)
{
	uint64_t ra = find_mut(c, a), rb = find_mut(c, b);
	if (ra == rb)
		return 0;
	uint64_t sa = rd(&c->size, ra), sb = rd(&c->size, rb);
	/* Multi-input may not fuse two clusters that are both giant. A change
	 * heuristic is one guess per tx, and wrong guesses accrete: it may not
	 * grow a cluster that already holds change_guard addresses at all. */
	if (heuristic == CT_H_MULTI_INPUT ? (c->guard && sa >= c->guard && sb >= c->guard)
	                                  : (c->change_guard && (sa >= c->change_guard ||
	                                                         sb >= c->change_guard))) {
		c->refused++;
		return -1;
	}
	if (rb < ra) {
		uint64_t tmp = ra;
		ra = rb;
		rb = tmp;
	}
	/* rb joins ra: the older address stays the representative. */
	wr(&c->parent, rb, ra + 1);
	wr(&c->size, ra, sa + sb);
	wr(&c->via, rb, (t + 1) | (uint64_t)heuristic << 56);
	uint64_t na = rd(&c->next, ra), nb = rd(&c->next, rb);
	wr(&c->next, ra, nb ? nb : rb + 1);
	wr(&c->next, rb, na ? na : ra + 1);
	c->merges++;
	return 1;
}

static int is_round(uint64_t v)
{
	/* a whole number of 0.0001 BTC (10,000 sat) and not dust */
	return v >= 100000 && v % 10000 == 0;
}

/* The change output of tx t by the enabled heuristics: the output that
 * every heuristic that applies points to (they must agree), or
 * UINT64_MAX. *hbit names the first heuristic that found it. Outputs
 * paying an input's address (self-change) are left to multi-input. */
static uint64_t change_output(const ct_clusters *c, uint64_t t, int *hbit)
{
	const ct_btcstore *st = c->st;
	uint64_t fi = ct__tx_first_in(st, t), ei = ct__tx_end_in(st, t);
	uint64_t fo = ct__tx_first_out(st, t), eo = ct__tx_end_out(st, t);
	uint64_t min_in = UINT64_MAX, pick = UINT64_MAX;
	int in_type = -1, mixed_types = 0;
	if (eo - fo < 2 || eo - fo > 64)
		return UINT64_MAX;
	for (uint64_t i = fi; i < ei; i++) {
		uint64_t r = ct__in_ref(st, i);
		if (r == CT_IN_COINBASE || (r & CT_IN_UNRESOLVED_BIT))
			return UINT64_MAX; /* values unknown: no guess */
		uint64_t v = ct__out_value(st, r);
		int ty = (int)(ct__out_addrword(st, r) >> 56);
		min_in = v < min_in ? v : min_in;
		if (in_type < 0)
			in_type = ty;
		else if (ty != in_type)
			mixed_types = 1;
	}
	static const int order[] = {CT_H_ONE_TIME_CHANGE, CT_H_OPTIMAL_CHANGE, CT_H_ADDRESS_TYPE,
	                            CT_H_ROUND_AMOUNT};
	*hbit = 0;
	for (size_t h = 0; h < CT_ARRAY_LEN(order); h++) {
		if (!(c->heuristics & order[h]))
			continue;
		uint64_t cand = UINT64_MAX;
		int n = 0;
		for (uint64_t o = fo; o < eo; o++) {
			uint64_t aw = ct__out_addrword(st, o), v = ct__out_value(st, o);
			int ty = (int)(aw >> 56), hit = 0;
			if (!(aw & CT_OUT_ADDR_MASK))
				continue;
			if (order[h] == CT_H_ONE_TIME_CHANGE)
				hit = ct__out_prev_same(st, o) == UINT64_MAX;
			else if (order[h] == CT_H_OPTIMAL_CHANGE)
				hit = v < min_in;
			else if (order[h] == CT_H_ADDRESS_TYPE)
				hit = !mixed_types && ty == in_type;
			else
				hit = !is_round(v);
			if (hit) {
				cand = o;
				n++;
			}
		}
		if (n != 1)
			continue; /* this heuristic does not decide this tx */
		if (pick != UINT64_MAX && pick != cand)
			return UINT64_MAX; /* heuristics disagree: no guess */
		if (pick == UINT64_MAX) {
			pick = cand;
			*hbit = order[h];
		}
	}
	return pick;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int ct__clusters_update(ct_clusters *c, ct_cluster_stats *stats)
{
	ct_btcstore *st = c->st;
	double t0 = now_s();
	int rc;
	uint64_t merges0;
	memset(stats, 0, sizeof(*stats));
	if (!c->writable)
		return ct__err(CT_EINTERNAL, "clustering opened read-only");
	if (c->present && c->want_heuristics != c->heuristics)
		c->dirty = 1;
	c->heuristics = c->want_heuristics;
	if (!c->present || c->dirty) {
		c->txs_done = c->addrs_done = 0;
		c->merges = c->refused = c->coinjoins = 0;
		stats->rebuilt = c->present;
		c->present = 1;
	}
	if (c->txs_done == st->c.txs && !c->dirty)
		return 0;
	merges0 = c->merges;
	if ((rc = write_cmeta(c, 1)))
		return rc;
	if ((rc = cover_addresses(c, st->c.addrs)))
		return rc;
	for (uint64_t t = c->txs_done; t < st->c.txs; t++) {
		uint64_t fi = ct__tx_first_in(st, t), ei = ct__tx_end_in(st, t), first = UINT64_MAX;
		stats->txs_seen++;
		stats->inputs_seen += ei - fi;
		if (ei - fi < 2 && !c->heuristics)
			continue;
		/* Prefetch the spent outputs' address words a few txs ahead. */
		if (t + 4 < st->c.txs)
			for (uint64_t i = ct__tx_first_in(st, t + 4), e = ct__tx_end_in(st, t + 4); i < e; i++) {
				uint64_t r = ct__in_ref(st, i);
				if (r < st->c.outs)
					__builtin_prefetch(ct__col_at(&st->outs, r) + 8);
			}
		if (ei - fi >= 2 && ct__coinjoin_kind(st, t) != CT_CJ_NONE) {
			stats->coinjoins_skipped++;
			c->coinjoins++;
			continue;
		}
		int merged = 0;
		for (uint64_t i = fi; i < ei; i++) {
			uint64_t r = ct__in_ref(st, i);
			if (r == CT_IN_COINBASE || (r & CT_IN_UNRESOLVED_BIT))
				continue;
			uint64_t a = ct__out_addrword(st, r) & CT_OUT_ADDR_MASK;
			if (!a)
				continue;
			if (first == UINT64_MAX) {
				first = a - 1;
				continue;
			}
			int j = join(c, first, a - 1, t, CT_H_MULTI_INPUT);
			if (j > 0)
				merged = 1;
			else if (j < 0)
				stats->merges_refused++;
		}
		if (c->heuristics && first != UINT64_MAX) {
			int hbit;
			uint64_t change = change_output(c, t, &hbit);
			if (change != UINT64_MAX) {
				uint64_t a = ct__out_addrword(st, change) & CT_OUT_ADDR_MASK;
				int j = a ? join(c, first, a - 1, t, hbit) : 0;
				if (j > 0) {
					merged = 1;
					stats->change_merges++;
				} else if (j < 0) {
					stats->merges_refused++;
				}
			}
		}
		stats->txs_merged += merged;
	}
	c->txs_done = st->c.txs;
	ct_col *cols[] = {&c->parent, &c->size, &c->next, &c->via};
	for (size_t i = 0; i < CT_ARRAY_LEN(cols); i++)
		if ((rc = ct__col_sync(cols[i])))
			return rc;
	if ((rc = write_cmeta(c, 0)))
		return rc;
	stats->merges = c->merges - merges0;
	stats->seconds = now_s() - t0;
	return 0;
}
