/*
 * trace_floor.c - how fast a forward haircut trace could go on this
 * machine at best: the same walk as the engine (analysis/trace_btc.c) with
 * everything but the propagation taken out, so the gap between its figure
 * and the engine's is what the engine's bookkeeping costs, and its figure
 * is a ceiling for any engine on the same memory layout.
 *
 *   trace_floor DBDIR CHAIN TXID     (e.g. /tmp/tb/db btc-regtest <txid>)
 *
 * From the seed tx's outputs, taint moves through every later tx that
 * spends a tainted output, split over the outputs by value (floor of the
 * exact share: no remainder units, no fee or hop bookkeeping, no stops,
 * flows, patterns or result entries; each tainted output only appended to
 * a log, summed per address after the walk). Three walks:
 *   pending-hash  the engine's shape: pending txs in the tx-id bitmap
 *                 (analysis/txset.h), taint in an open-addressing map
 *                 keyed by output id (memory bounded by the frontier);
 *   sweep-dense   every tx after the seed in order, taint in an array
 *                 indexed by output id (memory proportional to the chain:
 *                 8 bytes per output after the seed) -- a floor for
 *                 designs that give up that bound;
 *   bucket-window the engine's frontier since this walk was added
 *                 (analysis/frontier.h): taint filed under the spending
 *                 tx in buckets of 4096 txs, a bucket spread into a
 *                 window of per-tx sums when the walk gets there (memory
 *                 bounded by the frontier again).
 * All prefetch the next tx's inputs. Edges count as the engine counts
 * them: inputs and outputs of each tx that carried taint. CPU time of the
 * walk only (CLOCK_THREAD_CPUTIME_ID).
 */
#include "analysis/txset.h"
#include "chain/btc/btc.h"
#include "chain/btc/btcstore.h"
#include "util/encode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct slot {
	uint64_t key; /* output id + 1; 0 = empty */
	uint64_t taint;
} slot;

typedef struct fmap {
	slot *s;
	size_t cap, n;
} fmap;

static uint64_t mixh(uint64_t k)
{
	k *= 0x9e3779b97f4a7c15ull;
	return k ^ (k >> 31);
}

static void fmap_put(fmap *m, uint64_t o, uint64_t taint);

static void fmap_grow(fmap *m)
{
	fmap g = {calloc(m->cap * 2, sizeof(slot)), m->cap * 2, 0};
	if (!g.s) {
		fprintf(stderr, "trace_floor: out of memory\n");
		exit(1);
	}
	for (size_t i = 0; i < m->cap; i++)
		if (m->s[i].key)
			fmap_put(&g, m->s[i].key - 1, m->s[i].taint);
	free(m->s);
	*m = g;
}

static void fmap_put(fmap *m, uint64_t o, uint64_t taint)
{
	if ((m->n + 1) * 2 > m->cap)
		fmap_grow(m);
	size_t mask = m->cap - 1, i = mixh(o + 1) & mask;
	while (m->s[i].key && m->s[i].key != o + 1)
		i = (i + 1) & mask;
	if (!m->s[i].key) {
		m->s[i] = (slot){o + 1, 0};
		m->n++;
	}
	m->s[i].taint += taint;
}

/* Take o's taint out of the map (backward-shift deletion); 0 if absent. */
static uint64_t fmap_take(fmap *m, uint64_t o)
{
	size_t mask = m->cap - 1, i = mixh(o + 1) & mask;
	while (m->s[i].key != o + 1) {
		if (!m->s[i].key)
			return 0;
		i = (i + 1) & mask;
	}
	uint64_t t = m->s[i].taint;
	for (size_t j = i;;) {
		j = (j + 1) & mask;
		if (!m->s[j].key)
			break;
		size_t home = mixh(m->s[j].key) & mask;
		if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
			m->s[i] = m->s[j];
			i = j;
		}
	}
	m->s[i].key = 0;
	m->n--;
	return t;
}

typedef struct logent {
	uint64_t addr, amount;
} logent;

/* bucket-window: the frontier as records (spender tx, taint) in buckets of
 * WB_TXS consecutive spender ids; the bucket being processed is spread
 * into a window (a sum and a bit per tx of the bucket). */
#define WB_SHIFT 12
#define WB_TXS ((uint64_t)1 << WB_SHIFT)
typedef struct brec {
	uint64_t s, taint;
} brec;
typedef struct bucket {
	brec *r;
	uint32_t n, cap;
} bucket;

typedef struct walk {
	const ct_btcstore *st;
	int dense;
	bucket *dir;     /* bucket-window */
	uint64_t cur;    /* the bucket in the window */
	uint64_t acc[WB_TXS];
	uint64_t bits[WB_TXS / 64];
	uint64_t *taint; /* dense: by output id */
	fmap map;        /* hash */
	ct__txset pend;  /* hash */
	logent *log;
	size_t nlog, caplog;
	uint64_t edges, txs;
} walk;

static uint64_t take(walk *w, uint64_t ref)
{
	if (!w->dense)
		return fmap_take(&w->map, ref);
	uint64_t t = w->taint[ref];
	w->taint[ref] = 0;
	return t;
}

static void prefetch_tx(const walk *w, uint64_t t)
{
	const ct_btcstore *st = w->st;
	uint64_t fi = ct__tx_first_in(st, t), ei = ct__tx_end_in(st, t);
	for (uint64_t i = fi; i < ei && i < fi + 8; i++) {
		uint64_t r = ct__in_ref(st, i);
		if (r & CT_IN_UNRESOLVED_BIT)
			continue;
		__builtin_prefetch(ct__col_at(&st->outs, r));
		if (w->dense == 1)
			__builtin_prefetch(&w->taint[r]);
		else if (!w->dense)
			__builtin_prefetch(&w->map.s[mixh(r + 1) & (w->map.cap - 1)]);
	}
}

/* The tx's share of taint to its outputs; 1 if it carried taint. */
static int step(walk *w, uint64_t t, uint64_t T)
{
	const ct_btcstore *st = w->st;
	uint64_t fi = ct__tx_first_in(st, t), ei = ct__tx_end_in(st, t), V = 0;
	for (uint64_t i = fi; i < ei; i++) {
		uint64_t r = ct__in_ref(st, i);
		if (r & CT_IN_UNRESOLVED_BIT)
			continue;
		if (w->dense != 2)
			T += take(w, r);
		V += ct__out_value(st, r);
	}
	if (!T)
		return 0;
	uint64_t fo = ct__tx_first_out(st, t), eo = ct__tx_end_out(st, t);
	w->edges += (ei - fi) + (eo - fo);
	w->txs++;
	for (uint64_t o = fo; o < eo; o++) {
		uint64_t x = V ? (uint64_t)((unsigned __int128)T * ct__out_value(st, o) / V) : 0;
		if (!x)
			continue;
		if (w->nlog == w->caplog) {
			w->caplog = w->caplog ? w->caplog * 2 : 1 << 16;
			w->log = realloc(w->log, w->caplog * sizeof(*w->log));
			if (!w->log) {
				fprintf(stderr, "trace_floor: out of memory\n");
				exit(1);
			}
		}
		w->log[w->nlog++] = (logent){ct__out_addrword(st, o) & CT_OUT_ADDR_MASK, x};
		uint64_t sp = ct__out_spent_by(st, o);
		if (sp == UINT64_MAX)
			continue;
		if (w->dense == 1) {
			w->taint[o] = x;
		} else if (w->dense == 2) {
			if (sp >> WB_SHIFT == w->cur) {
				w->acc[sp & (WB_TXS - 1)] += x;
				w->bits[(sp & (WB_TXS - 1)) >> 6] |= UINT64_C(1) << (sp & 63);
			} else {
				bucket *bk = &w->dir[sp >> WB_SHIFT];
				if (bk->n == bk->cap) {
					bk->cap = bk->cap ? bk->cap * 2 : 16;
					bk->r = realloc(bk->r, bk->cap * sizeof(brec));
					if (!bk->r) {
						fprintf(stderr, "trace_floor: out of memory\n");
						exit(1);
					}
				}
				bk->r[bk->n++] = (brec){sp, x};
			}
		} else {
			fmap_put(&w->map, o, x);
			ct__txset_add(&w->pend, sp);
		}
	}
	return 1;
}

static double cpu(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void run(const ct_btcstore *st, uint64_t seed, int dense)
{
	walk w = {0};
	w.st = st;
	w.dense = dense;
	uint64_t ntx = st->c.txs;
	if (dense == 1)
		w.taint = calloc(st->c.outs, sizeof(uint64_t));
	else if (dense == 2) {
		w.dir = calloc((ntx >> WB_SHIFT) + 1, sizeof(bucket));
		w.taint = (uint64_t *)w.dir; /* (the allocation check below) */
	} else {
		w.map.cap = 4096;
		w.map.s = calloc(w.map.cap, sizeof(slot));
	}
	if ((dense ? !w.taint : !w.map.s) || (!dense && ct__txset_init(&w.pend, ntx))) {
		fprintf(stderr, "trace_floor: out of memory\n");
		exit(1);
	}
	double c0 = cpu();
	for (uint64_t o = ct__tx_first_out(st, seed), eo = ct__tx_end_out(st, seed); o < eo; o++) {
		uint64_t sp = ct__out_spent_by(st, o), v = ct__out_value(st, o);
		if (sp == UINT64_MAX || !v)
			continue;
		if (dense == 2)
			break; /* (seeded below) */
		if (dense)
			w.taint[o] = v;
		else {
			fmap_put(&w.map, o, v);
			ct__txset_add(&w.pend, sp);
		}
	}
	if (dense == 1) {
		for (uint64_t t = seed + 1; t < ntx; t++) {
			if (t + 8 < ntx)
				prefetch_tx(&w, t + 8);
			step(&w, t, 0);
		}
	} else if (dense == 2) {
		w.cur = seed >> WB_SHIFT;
		for (uint64_t o = ct__tx_first_out(st, seed), eo = ct__tx_end_out(st, seed); o < eo; o++) {
			uint64_t sp = ct__out_spent_by(st, o), v = ct__out_value(st, o);
			if (sp == UINT64_MAX || !v)
				continue;
			if (sp >> WB_SHIFT == w.cur) {
				w.acc[sp & (WB_TXS - 1)] += v;
				w.bits[(sp & (WB_TXS - 1)) >> 6] |= UINT64_C(1) << (sp & 63);
			} else {
				bucket *bk = &w.dir[sp >> WB_SHIFT];
				if (bk->n == bk->cap) {
					bk->cap = bk->cap ? bk->cap * 2 : 16;
					bk->r = realloc(bk->r, bk->cap * sizeof(brec));
				}
				bk->r[bk->n++] = (brec){sp, v};
			}
		}
		for (uint64_t c = w.cur; c <= (ntx >> WB_SHIFT); c++) {
			w.cur = c;
			bucket *bk = &w.dir[c];
			for (uint32_t k = 0; k < bk->n; k++) {
				uint64_t x = bk->r[k].s & (WB_TXS - 1);
				w.acc[x] += bk->r[k].taint;
				w.bits[x >> 6] |= UINT64_C(1) << (x & 63);
			}
			free(bk->r);
			bk->r = NULL;
			bk->n = bk->cap = 0;
			uint64_t base = c << WB_SHIFT;
			for (size_t wd = 0; wd < WB_TXS / 64; wd++)
				while (w.bits[wd]) {
					uint64_t x = wd << 6 | (uint64_t)__builtin_ctzll(w.bits[wd]);
					w.bits[wd] &= w.bits[wd] - 1;
					uint64_t T = w.acc[x];
					w.acc[x] = 0;
					/* the next pending tx of the window, for prefetching */
					uint64_t nb = w.bits[wd];
					size_t nw = wd;
					while (!nb && ++nw < WB_TXS / 64)
						nb = w.bits[nw];
					if (nb)
						prefetch_tx(&w, base + (nw << 6 | (uint64_t)__builtin_ctzll(nb)));
					step(&w, base + x, T);
				}
		}
	} else {
		uint64_t cur = seed;
		while (w.pend.n) {
			uint64_t t = ct__txset_next(&w.pend, cur);
			ct__txset_del(&w.pend, t);
			cur = t;
			uint64_t nx = ct__txset_next(&w.pend, t);
			if (nx != UINT64_MAX)
				prefetch_tx(&w, nx);
			step(&w, t, 0);
		}
	}
	double c1 = cpu();
	uint64_t *sum = calloc(st->c.addrs + 1, sizeof(uint64_t));
	size_t reached = 0;
	for (size_t i = 0; sum && i < w.nlog; i++) {
		reached += !sum[w.log[i].addr];
		sum[w.log[i].addr] += w.log[i].amount;
	}
	double c2 = cpu();
	printf("%-12s %10llu edges %8llu txs %8zu addresses  walk %.3f s CPU = %6.2f M edges "
	       "per CPU-second; sums by address %.3f s\n",
	       dense == 2 ? "bucket-window" : dense ? "sweep-dense" : "pending-hash", (unsigned long long)w.edges,
	       (unsigned long long)w.txs, reached, c1 - c0, (double)w.edges / (c1 - c0) / 1e6,
	       c2 - c1);
	free(sum);
	free(w.log);
	if (dense == 1)
		free(w.taint);
	free(w.dir);
	free(w.map.s);
	if (!dense)
		ct__txset_free(&w.pend);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: trace_floor DBDIR CHAIN TXID\n");
		return 2;
	}
	const ct_btc_net *net = ct__btc_net_by_name(argv[2]);
	ct_btcstore *st;
	uint8_t txid[32];
	uint64_t seed;
	if (!net || ct__btcstore_open(&st, argv[1], net, 0) != 0) {
		fprintf(stderr, "trace_floor: cannot open the %s store under %s\n", argv[2], argv[1]);
		return 1;
	}
	if (strlen(argv[3]) != 64 || ct__unhex_rev(txid, argv[3], 32) != 0 ||
	    ct__btcstore_find_tx(st, txid, &seed) != 0) {
		fprintf(stderr, "trace_floor: tx %s not in the store\n", argv[3]);
		return 1;
	}
	run(st, seed, 0);
	run(st, seed, 1);
	run(st, seed, 2);
	ct__btcstore_close(st);
	return 0;
}
