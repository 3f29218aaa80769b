/*
 * trace_acct.c - the account-model tracing engine (transfers between
 * accounts; each asset traced on its own).
 *
 * State lives on (account, asset): the balance, the tainted part of it,
 * and for FIFO/LIFO the lots in arrival order. Transfers are processed in
 * time order (time, then transfer id) through a heap of events: the seed
 * transfers, and for every tainted account a cursor over its transfers
 * after the moment it was first tainted (inflows dilute, outflows carry
 * taint on). An account's balance when taint first reaches it is summed
 * from its earlier transfers; value of unknown origin (history before the
 * data: an outflow larger than the known balance) counts as clean and is
 * the oldest value the account holds. Memory: the tainted accounts' state
 * and cursors, never the whole chain.
 *
 * Policies per outgoing transfer of v from an account holding bal with
 * taint t: haircut t*v/bal (exact split, largest remainder); poison v once
 * the account ever held taint; FIFO / LIFO consume lots oldest / newest
 * first; TIHO taint first, min(t, v). Fees (transfers to no one) carry
 * taint like any outflow and count as fees.
 *
 * Backward (where did the value come from): haircut and poison walk all
 * asked accounts' histories back together in one heap; FIFO, LIFO and
 * TIHO replay each asked account's lots (oldest, newest or largest
 * first) and follow the asked units to the inflows they came from. See
 * docs/internals/trace.md.
 */
#include "analysis/trace.h"
#include "chain/account/acctstore.h"
#include "labels/labels.h"
#include "query/db.h"
#include "util/encode.h"
#include "util/error.h"
#include "util/fsutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MAX_ASSETS 4096
_Static_assert(MAX_ASSETS <= 65536, "result entries keep the asset index in 16 bits");
/* backward pseudo-addresses: value from before the data, newly minted */
#define ID_UNKNOWN (UINT64_MAX - 2)
#define ID_MINTED (UINT64_MAX - 3)
#define MAX_CHAINS 16

typedef struct lot {
	ct_u128 amt;
	int tainted;
} lot;

typedef struct acc {
	uint64_t addr;
	uint32_t asset; /* local index */
	uint32_t hops;
	ct_u128 bal, taint;
	int poisoned;
	lot *lots;
	size_t head, n, cap;
	/* backward: the account's transfers of this asset in (time, id)
	 * order, the balance after each and what an outflow drew from before
	 * the data; events [0, hpos) are not crossed yet; dem: the value whose
	 * origin is still asked, as of the balance after event hpos - 1 */
	uint64_t *hid;
	ct_u128 *hafter, *htop;
	uint8_t *hin;
	size_t hn, hpos, hqueued; /* hqueued: event index + 1 in the heap */
	ct_u128 dem;
	/* backward FIFO/LIFO: what each outflow was made of, in the order
	 * it took it: pieces pfirst[i] .. pfirst[i + 1] of pcs */
	struct piece *pcs;
	size_t *pfirst;
} acc;

/* A run of value: `len` units starting at `off` of inflow `src` (a
 * transfer id), or of value from before the data (src CT_ACCT_NONE). */
typedef struct piece {
	uint64_t src;
	ct_u128 off, len;
} piece;

typedef struct cursor {
	uint64_t *ids; /* transfer ids after the start, in (time, id) order */
	size_t n, pos;
} cursor;

typedef struct ev {
	int64_t time;
	uint64_t id;
	uint64_t who; /* cursor index, or UINT64_MAX: a seed transfer */
} ev;

typedef struct at {
	ct_acctstore *st;
	const ct_trace_options *o;
	int pol;
	/* assets: local index <-> store id */
	uint32_t asset_id[MAX_ASSETS];
	ct_u128 cutoff[MAX_ASSETS];
	int have_cut;
	size_t n_assets;
	/* account state: open addressing over accs */
	acc *accs;
	size_t n_accs, cap_accs;
	uint64_t *aslots;
	size_t n_aslots;
	/* cursors per address: open addressing addr+1 -> cursor index + 1 */
	cursor *curs;
	size_t n_curs, cap_curs;
	uint64_t *cslots; /* pairs (addr+1, idx+1) */
	size_t n_cslots;
	ev *heap;
	size_t hn, hcap;
	uint64_t *seed_addrs;
	size_t n_seed_addrs;
	uint64_t *seed_x; /* seed transfers, sorted once the seeds are read */
	size_t n_seed_x, cap_seed_x;
	uint64_t *stop;
	size_t n_stop;
	/* backward FIFO/LIFO: runs of outflows still to explain */
	struct bwork *work;
	size_t n_work, cap_work;
	ct__tr_res res;
} at;

typedef struct bwork {
	uint64_t addr, id; /* the account and its outflow */
	ct_u128 off, len;  /* the units of the outflow asked about */
	uint32_t asset, hops;
} bwork;

/* ---- small containers -------------------------------------------------- */

static uint64_t hmix(uint64_t x)
{
	x *= 0x9e3779b97f4a7c15ull;
	return x ^ (x >> 29);
}

/* Room for one more element in a growing array (doubling from `first`);
 * -1 on out of memory, the array untouched. */
static int grow(void *arrp, size_t *cap, size_t n, size_t elem, size_t first)
{
	if (n < *cap)
		return 0;
	size_t nc = *cap ? *cap * 2 : first;
	void *na = realloc(*(void **)arrp, nc * elem);
	if (!na)
		return -1;
	*(void **)arrp = na;
	*cap = nc;
	return 0;
}

static acc *acc_find(at *t, uint64_t addr, uint32_t asset)
{
	if (!t->n_aslots)
		return NULL;
	size_t mask = t->n_aslots - 1;
	for (size_t s = hmix(addr * 4099 + asset) & mask;; s = (s + 1) & mask) {
		uint64_t v = t->aslots[s];
		if (!v)
			return NULL;
		acc *a = &t->accs[v - 1];
		if (a->addr == addr && a->asset == asset)
			return a;
	}
}

static acc *acc_new(at *t, uint64_t addr, uint32_t asset)
{
	if ((t->n_accs + 1) * 2 > t->n_aslots) {
		size_t ns = t->n_aslots ? t->n_aslots * 2 : 1024;
		uint64_t *sl = calloc(ns, sizeof(*sl));
		if (!sl)
			return NULL;
		for (size_t i = 0; i < t->n_accs; i++) {
			size_t s = hmix(t->accs[i].addr * 4099 + t->accs[i].asset) & (ns - 1);
			while (sl[s])
				s = (s + 1) & (ns - 1);
			sl[s] = i + 1;
		}
		free(t->aslots);
		t->aslots = sl;
		t->n_aslots = ns;
	}
	if (grow(&t->accs, &t->cap_accs, t->n_accs, sizeof(acc), 256))
		return NULL;
	acc *a = &t->accs[t->n_accs++];
	memset(a, 0, sizeof(*a));
	a->addr = addr;
	a->asset = asset;
	a->hops = UINT32_MAX;
	size_t mask = t->n_aslots - 1, s = hmix(addr * 4099 + asset) & mask;
	while (t->aslots[s])
		s = (s + 1) & mask;
	t->aslots[s] = t->n_accs;
	return a;
}

static int lot_push(acc *a, ct_u128 amt, int tainted)
{
	if (!amt)
		return 0;
	if (a->n > a->head && a->lots[a->n - 1].tainted == tainted) {
		a->lots[a->n - 1].amt += amt;
		return 0;
	}
	if (a->n == a->cap) {
		if (a->head > a->n / 2) {
			memmove(a->lots, a->lots + a->head, (a->n - a->head) * sizeof(lot));
			a->n -= a->head;
			a->head = 0;
		} else {
			size_t nc = a->cap ? a->cap * 2 : 8;
			lot *nl = realloc(a->lots, nc * sizeof(*nl));
			if (!nl)
				return CT_ENOMEM;
			a->lots = nl;
			a->cap = nc;
		}
	}
	a->lots[a->n++] = (lot){amt, tainted};
	return 0;
}

/* Clean value of unknown origin, older than everything held: at the front. */
static int lot_front(acc *a, ct_u128 amt)
{
	if (a->head > 0) {
		a->lots[--a->head] = (lot){amt, 0};
		return 0;
	}
	int rc = lot_push(a, 0, 0);
	if (rc)
		return rc;
	if (a->n == a->cap) {
		size_t nc = a->cap ? a->cap * 2 : 8;
		lot *nl = realloc(a->lots, nc * sizeof(*nl));
		if (!nl)
			return CT_ENOMEM;
		a->lots = nl;
		a->cap = nc;
	}
	memmove(a->lots + 1, a->lots, a->n * sizeof(lot));
	a->lots[0] = (lot){amt, 0};
	a->n++;
	return 0;
}

static int heap_push(at *t, ev e)
{
	if (grow(&t->heap, &t->hcap, t->hn, sizeof(ev), 256))
		return ct__err(CT_ENOMEM, "out of memory (trace frontier)");
	size_t i = t->hn++;
	while (i > 0) {
		size_t p = (i - 1) / 2;
		ev *q = &t->heap[p];
		if (q->time < e.time || (q->time == e.time && q->id <= e.id))
			break;
		t->heap[i] = *q;
		i = p;
	}
	t->heap[i] = e;
	return 0;
}

static ev heap_pop(at *t)
{
	ev top = t->heap[0], last = t->heap[--t->hn];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= t->hn)
			break;
		ev *a = &t->heap[c], *b = &t->heap[c + 1];
		if (c + 1 < t->hn && (b->time < a->time || (b->time == a->time && b->id < a->id)))
			c++;
		ev *m = &t->heap[c];
		if (last.time < m->time || (last.time == m->time && last.id <= m->id))
			break;
		t->heap[i] = *m;
		i = c;
	}
	if (t->hn)
		t->heap[i] = last;
	return top;
}

static int in_sorted(const uint64_t *a, size_t n, uint64_t v)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t m = (lo + hi) / 2;
		if (a[m] < v)
			lo = m + 1;
		else
			hi = m;
	}
	return lo < n && a[lo] == v;
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
	return a < b ? -1 : a > b;
}

/* ---- store access ------------------------------------------------------ */

static int amount128(at *t, uint64_t id, const ct_acct_xfer *x, ct_u128 *out)
{
	if (x->amount.w[2] || x->amount.w[3] || (x->amount.w[1] >> 63))
		return ct__err(CT_EDATA, "transfer %llu: an amount of 2^127 base units or more; tracing "
		               "handles amounts below that (asset id %u)", (unsigned long long)id, x->asset);
	(void)t;
	*out = ((ct_u128)x->amount.w[1] << 64) | x->amount.w[0];
	return 0;
}

/* Local index of a store asset (created on first use). */
static int asset_local(at *t, uint32_t id, uint32_t *local)
{
	for (size_t i = 0; i < t->n_assets; i++)
		if (t->asset_id[i] == id) {
			*local = (uint32_t)i;
			return 0;
		}
	if (t->n_assets == MAX_ASSETS)
		return ct__err(CT_EUSER, "the trace reaches more than %d assets; pick one with --asset", MAX_ASSETS);
	ct_acct_asset as;
	ct__acct_asset_get(t->st, id, &as);
	int dec = as.decimals == CT_DECIMALS_UNKNOWN ? 0 : as.decimals;
	t->asset_id[t->n_assets] = id;
	if (t->o->min_amount) {
		if (ct__u128_parse(&t->cutoff[t->n_assets], t->o->min_amount, dec) != 0)
			return ct__err(CT_EUSER, "--min-amount '%s' is not an amount of an asset with %d decimals",
			               t->o->min_amount, dec);
	}
	*local = (uint32_t)t->n_assets++;
	return 0;
}

static int key_less(int64_t t1, uint64_t i1, int64_t t2, uint64_t i2)
{
	return t1 < t2 || (t1 == t2 && i1 < i2);
}

/* Transfers by time, then index (qsort_r: ctx is the store) */
static int cmp_time(const void *x, const void *y, void *ctx)
{
	const ct_acctstore *st = ctx;
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
	int64_t ta = ct__acct_xfer_time(st, a), tb = ct__acct_xfer_time(st, b);
	if (ta != tb)
		return ta < tb ? -1 : 1;
	return a < b ? -1 : a > b;
}

/* The balance of (addr, store asset) before (time, id): inflows minus
 * outflows (fees too), never below zero (unknown origin is clean). */
static int balance_before(at *t, uint64_t addr, uint32_t asset, int64_t time, uint64_t id, ct_u128 *bal)
{
	ct_acct_walk w;
	uint64_t x;
	int dir;
	ct_u128 in = 0, out = 0;
	ct__acct_walk_init(t->st, addr, &w);
	while (ct__acct_walk_next(&w, &x, &dir)) {
		if (!key_less(ct__acct_xfer_time(t->st, x), x, time, id))
			continue;
		ct_acct_xfer r;
		ct__acct_xfer_get(t->st, x, &r);
		if (r.asset != asset || (r.flags & CT_XF_FAILED) || dir == 3)
			continue;
		ct_u128 v = 0;
		int rc = amount128(t, x, &r, &v);
		if (rc)
			return rc;
		if (dir == 2)
			in += v;
		else
			out += v;
	}
	*bal = in > out ? in - out : 0;
	return 0;
}

/* Start following addr's transfers after (time, id), once. */
static int follow(at *t, uint64_t addr, int64_t time, uint64_t id)
{
	size_t mask = t->n_cslots ? t->n_cslots - 1 : 0;
	if (t->n_cslots) {
		for (size_t s = hmix(addr) & mask;; s = (s + 1) & mask) {
			if (!t->cslots[2 * s])
				break;
			if (t->cslots[2 * s] == addr + 1)
				return 0; /* already followed */
		}
	}
	if ((t->n_curs + 1) * 2 > t->n_cslots) {
		size_t ns = t->n_cslots ? t->n_cslots * 2 : 256;
		uint64_t *sl = calloc(2 * ns, sizeof(*sl));
		if (!sl)
			return ct__err(CT_ENOMEM, "out of memory");
		for (size_t i = 0; i < t->n_cslots; i++)
			if (t->cslots[2 * i]) {
				size_t s = hmix(t->cslots[2 * i] - 1) & (ns - 1);
				while (sl[2 * s])
					s = (s + 1) & (ns - 1);
				sl[2 * s] = t->cslots[2 * i];
				sl[2 * s + 1] = t->cslots[2 * i + 1];
			}
		free(t->cslots);
		t->cslots = sl;
		t->n_cslots = ns;
		mask = ns - 1;
	}
	if (grow(&t->curs, &t->cap_curs, t->n_curs, sizeof(cursor), 64))
		return ct__err(CT_ENOMEM, "out of memory");
	cursor *c = &t->curs[t->n_curs];
	memset(c, 0, sizeof(*c));
	size_t cap = 0;
	ct_acct_walk w;
	uint64_t x;
	int dir;
	ct__acct_walk_init(t->st, addr, &w);
	while (ct__acct_walk_next(&w, &x, &dir)) {
		if (!key_less(time, id, ct__acct_xfer_time(t->st, x), x))
			continue;
		if (c->n == cap) {
			cap = cap ? cap * 2 : 16;
			uint64_t *ni = realloc(c->ids, cap * sizeof(*ni));
			if (!ni) {
				free(c->ids);
				return ct__err(CT_ENOMEM, "out of memory");
			}
			c->ids = ni;
		}
		c->ids[c->n++] = x;
	}
	if (c->n > 1)
		qsort_r(c->ids, c->n, sizeof(*c->ids), cmp_time, (void *)t->st);
	size_t s = hmix(addr) & mask;
	while (t->cslots[2 * s])
		s = (s + 1) & mask;
	t->cslots[2 * s] = addr + 1;
	t->cslots[2 * s + 1] = t->n_curs + 1;
	t->n_curs++;
	if (c->n)
		return heap_push(t, (ev){ct__acct_xfer_time(t->st, c->ids[0]), c->ids[0], t->n_curs - 1});
	return 0;
}

/* ---- the policy step --------------------------------------------------- */

static int send(at *t, acc *a, ct_u128 v, ct_u128 *tout)
{
	*tout = 0;
	if (a->bal < v) {
		ct_u128 d = v - a->bal;
		if ((t->pol == CT_POL_FIFO || t->pol == CT_POL_LIFO) && lot_front(a, d))
			return ct__err(CT_ENOMEM, "out of memory");
		a->bal = v;
	}
	switch (t->pol) {
	case CT_POL_POISON:
		*tout = a->poisoned ? v : 0;
		break;
	case CT_POL_HAIRCUT: {
		ct_u128 w[2] = {v, a->bal - v}, out[2], rem[2];
		ct__tr_split128(a->taint, w, 2, a->bal, out, rem);
		*tout = out[0];
		break;
	}
	case CT_POL_TIHO:
		*tout = a->taint < v ? a->taint : v;
		break;
	case CT_POL_FIFO:
	case CT_POL_LIFO: {
		ct_u128 need = v;
		while (need > 0 && a->n > a->head) {
			lot *l = t->pol == CT_POL_FIFO ? &a->lots[a->head] : &a->lots[a->n - 1];
			ct_u128 take = l->amt < need ? l->amt : need;
			if (l->tainted)
				*tout += take;
			l->amt -= take;
			need -= take;
			if (!l->amt) {
				if (t->pol == CT_POL_FIFO)
					a->head++;
				else
					a->n--;
			}
		}
		break;
	}
	}
	if (t->pol != CT_POL_POISON)
		a->taint -= *tout;
	a->bal -= v;
	if (t->pol == CT_POL_POISON)
		a->taint = a->poisoned ? a->bal : 0;
	return 0;
}

static int receive(at *t, acc *a, ct_u128 v, ct_u128 tin)
{
	a->bal += v;
	if (t->pol == CT_POL_POISON) {
		if (tin)
			a->poisoned = 1;
		a->taint = a->poisoned ? a->bal : 0;
		return 0;
	}
	a->taint += tin;
	if (t->pol == CT_POL_FIFO || t->pol == CT_POL_LIFO) {
		/* the tainted part first, as in the UTXO model */
		if (lot_push(a, tin, 1) || lot_push(a, v - tin, 0))
			return ct__err(CT_ENOMEM, "out of memory");
	}
	return 0;
}

/* ---- one transfer ------------------------------------------------------ */

/* An asset's name: the native symbol, or a token's contract address. */
static void asset_name(const ct_acctstore *st, uint32_t id, char *buf, size_t cap)
{
	ct_acct_asset as;
	ct__acct_asset_get(st, id, &as);
	if (as.native)
		snprintf(buf, cap, "%s", as.symbol);
	else
		ct__acct_key_str(st->chain->addr_format, &as.contract, buf, cap);
}

/* Whether --asset (if given) names this store asset. */
static int asset_wanted(const at *t, uint32_t id)
{
	char name[CT_ACCT_ADDR_STR];
	if (!t->o->asset)
		return 1;
	asset_name(t->st, id, name, sizeof(name));
	return strcasecmp(name, t->o->asset) == 0;
}

static int is_seed_addr(const at *t, uint64_t a)
{
	return in_sorted(t->seed_addrs, t->n_seed_addrs, a);
}

static int process(at *t, uint64_t id, int seed_event)
{
	ct_acct_xfer x;
	ct__acct_xfer_get(t->st, id, &x);
	t->res.edges++;
	if (x.flags & CT_XF_FAILED)
		return 0;
	if (!asset_wanted(t, x.asset))
		return 0;
	ct_u128 v = 0, tout = 0;
	int rc = amount128(t, id, &x, &v);
	if (rc)
		return rc;
	uint32_t ai = 0;
	acc *s = NULL;
	uint32_t hop = 0;
	if (seed_event) {
		if ((rc = asset_local(t, x.asset, &ai)))
			return rc;
		tout = v;
		t->res.tot[ai].seeds += v;
		if (x.from != CT_ACCT_NONE) {
			ct__tr_addr *ad = ct__tr_addr_get(&t->res, ai, x.from);
			if (!ad)
				return CT_ENOMEM;
			ct__tr_amt_add(&t->res, ad, CT_AMT_RECEIVED, v);
			ad->hops = 0;
			ad->reasons |= CT_ADDR_SEED;
			ct__tr_amt_add(&t->res, ad, CT_AMT_SENT, v);
		}
	} else {
		/* only assets already tainted somewhere matter */
		size_t k;
		for (k = 0; k < t->n_assets && t->asset_id[k] != x.asset; k++)
			;
		if (k == t->n_assets)
			return 0;
		ai = (uint32_t)k;
		if (x.from != CT_ACCT_NONE && (s = acc_find(t, x.from, ai)) != NULL) {
			if ((rc = send(t, s, v, &tout)))
				return rc;
			hop = s->hops;
			if (tout) {
				ct__tr_addr *ad = ct__tr_addr_get(&t->res, ai, x.from);
				if (ad)
					ct__tr_amt_add(&t->res, ad, CT_AMT_SENT, tout);
			}
		}
	}
	t->res.txs++;
	if (x.to == CT_ACCT_NONE || (x.flags & CT_XF_FEE)) {
		t->res.tot[ai].fees += tout;
		return 0;
	}
	acc *r = acc_find(t, x.to, ai);
	if (!tout) {
		if (r && (rc = receive(t, r, v, 0)))
			return rc;
		return 0;
	}
	uint32_t nh = seed_event ? 1 : hop + 1;
	ct__tr_addr *ad = ct__tr_addr_get(&t->res, ai, x.to);
	if (!ad)
		return ct__err(CT_ENOMEM, "out of memory");
	ct__tr_amt_add(&t->res, ad, CT_AMT_RECEIVED, tout);
	if (nh < ad->hops)
		ad->hops = nh;
	ct__tr_flow f = {x.from, x.to, tout, id, x.time, ai, nh};
	ct__tr_flow_add(&t->res, &f);
	if (is_seed_addr(t, x.to)) {
		ct__tr_stop(&t->res, ad, tout, CT_END_SEED);
		return 0;
	}
	if (r) {
		if (nh < r->hops)
			r->hops = nh;
		return receive(t, r, v, tout);
	}
	if (t->o->min_amount && tout < t->cutoff[ai]) {
		ct__tr_stop(&t->res, ad, tout, CT_END_DUST);
		return 0;
	}
	if (!t->o->through_services && in_sorted(t->stop, t->n_stop, x.to)) {
		ct__tr_stop(&t->res, ad, tout, CT_END_SERVICE);
		return 0;
	}
	if (t->o->max_hops && nh >= t->o->max_hops) {
		ct__tr_stop(&t->res, ad, tout, CT_END_HOPS);
		return 0;
	}
	/* a newly tainted account: its balance so far, then this transfer */
	ct_u128 bal;
	if ((rc = balance_before(t, x.to, x.asset, x.time, id, &bal)))
		return rc;
	if (!(r = acc_new(t, x.to, ai)))
		return ct__err(CT_ENOMEM, "out of memory");
	r->hops = nh;
	r->bal = 0;
	if ((rc = receive(t, r, bal, 0)) || (rc = receive(t, r, v, tout)))
		return rc;
	return follow(t, x.to, x.time, id);
}

/* ---- seeds ------------------------------------------------------------- */

static int add_seed_event(at *t, uint64_t id)
{
	if (grow(&t->seed_x, &t->cap_seed_x, t->n_seed_x, sizeof(uint64_t), 64))
		return ct__err(CT_ENOMEM, "out of memory");
	t->seed_x[t->n_seed_x++] = id;
	if (t->o->backward)
		return 0; /* started by back_seed() */
	return heap_push(t, (ev){ct__acct_xfer_time(t->st, id), id, UINT64_MAX});
}

static int parse_seed(at *t, const char *seed, json_t *sj)
{
	const char *s = seed, *c = strchr(seed, ':');
	if (c && c - seed < 20) {
		char name[24];
		snprintf(name, sizeof(name), "%.*s", (int)(c - seed), seed);
		if (ct__acct_chain_find(name))
			s = c + 1;
	}
	json_t *x = json_object();
	json_object_set_new(x, "seed", json_string(seed));
	const char *hex = s;
	if (hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X') && strlen(hex) >= 66 &&
	    (hex[66] == 0 || hex[66] == ':'))
		hex += 2;
	uint8_t h[32];
	size_t L = strlen(hex);
	if ((L == 64 || (L > 65 && hex[64] == ':')) && ct__unhex(h, hex, 32) == 0) {
		uint64_t tx;
		if (ct__acct_tx_find(t->st, h, &tx) != 0) {
			json_decref(x);
			return ct__err(CT_ENOTFOUND, "seed %s: tx not found in %s", seed, t->st->chain->name);
		}
		ct_acct_tx tr;
		ct__acct_tx_get(t->st, tx, &tr);
		/* the tx's transfers in id order (value ones: no fees) */
		uint64_t ids[4096];
		size_t n = 0;
		for (uint64_t i = tr.last; i != CT_ACCT_NONE && n < 4096; i = ct__acct_xfer_prev_tx(t->st, i))
			ids[n++] = i;
		qsort(ids, n, sizeof(ids[0]), cmp_u64);
		size_t m = 0;
		for (size_t i = 0; i < n; i++) {
			ct_acct_xfer r;
			ct__acct_xfer_get(t->st, ids[i], &r);
			if (!(r.flags & (CT_XF_FEE | CT_XF_FAILED)) && r.to != CT_ACCT_NONE)
				ids[m++] = ids[i];
		}
		if (L > 65) {
			char *end;
			unsigned long k = strtoul(hex + 65, &end, 10);
			if (*end || hex[65] < '0' || hex[65] > '9' || k >= m) {
				json_decref(x);
				return ct__err(CT_EUSER, "seed %s: no transfer %s in a tx of %zu transfers", seed, hex + 65, m);
			}
			json_object_set_new(x, "kind", json_string("transfer"));
			json_array_append_new(sj, x);
			return add_seed_event(t, ids[k]);
		}
		json_object_set_new(x, "kind", json_string("tx"));
		json_array_append_new(sj, x);
		for (size_t i = 0; i < m; i++) {
			int rc = add_seed_event(t, ids[i]);
			if (rc)
				return rc;
		}
		return 0;
	}
	uint64_t a;
	if (ct__acct_addr_lookup(t->st, s, &a) != 0) {
		json_decref(x);
		return ct__err(CT_ENOTFOUND, "seed '%s' is neither an address nor a tx of %s", seed,
		               t->st->chain->name);
	}
	json_object_set_new(x, "kind", json_string("address"));
	json_array_append_new(sj, x);
	/* everything it sends inside the window (backward: receives) */
	size_t cnt = 0;
	int back = t->o->backward;
	for (uint64_t i = back ? ct__acct_addr_head_in(t->st, a) : ct__acct_addr_head_out(t->st, a);
	     i != CT_ACCT_NONE; i = back ? ct__acct_xfer_prev_in(t->st, i) : ct__acct_xfer_prev_out(t->st, i)) {
		int64_t tm = ct__acct_xfer_time(t->st, i);
		if (tm < t->o->since || tm > t->o->until)
			continue;
		int rc = add_seed_event(t, i);
		if (rc)
			return rc;
		cnt++;
	}
	uint64_t *ns = realloc(t->seed_addrs, (t->n_seed_addrs + 1) * sizeof(*ns));
	if (!ns)
		return ct__err(CT_ENOMEM, "out of memory");
	t->seed_addrs = ns;
	t->seed_addrs[t->n_seed_addrs++] = a;
	qsort(t->seed_addrs, t->n_seed_addrs, sizeof(*ns), cmp_u64);
	if (!cnt)
		return ct__err(CT_ENOTFOUND, "seed %s: the address %s nothing%s", seed, back ? "received" : "sent",
		               t->o->since != INT64_MIN || t->o->until != INT64_MAX ? " in the time window" : "");
	return 0;
}

static int load_stops(at *t, ct_labels *l)
{
	static const char *const cats[] = {"exchange", "mixer", "gambling", "darknet-market"};
	size_t cap = 0;
	for (size_t c = 0; c < CT_ARRAY_LEN(cats); c++) {
		char *js = NULL;
		if (ct_labels_list_json(l, &js, cats[c], t->st->chain->name, 0) != 0)
			continue;
		json_t *j = json_loads(js, 0, NULL);
		ct_free(js);
		size_t i;
		json_t *x;
		json_array_foreach(json_object_get(j, "labels"), i, x) {
			const char *ad = json_string_value(json_object_get(x, "address"));
			const char *colon = ad ? strchr(ad, ':') : NULL;
			uint64_t id;
			if (!colon || ct__acct_addr_lookup(t->st, colon + 1, &id) != 0)
				continue;
			if (t->n_stop == cap) {
				cap = cap ? cap * 2 : 256;
				uint64_t *ns = realloc(t->stop, cap * sizeof(*ns));
				if (!ns) {
					json_decref(j);
					return ct__err(CT_ENOMEM, "out of memory");
				}
				t->stop = ns;
			}
			t->stop[t->n_stop++] = id;
		}
		json_decref(j);
	}
	if (t->n_stop)
		qsort(t->stop, t->n_stop, sizeof(*t->stop), cmp_u64);
	return 0;
}

/* ---- backward (haircut, poison) ---------------------------------------- */

/* Backward asks where the value of the seed transfers came from. Under
 * haircut an account's balance is a mix that outflows leave unchanged, so
 * the value v taken out of it at some moment is, going back in time,
 * split at each earlier inflow of a (balance b after it) into v*a/b from
 * that inflow's sender and the rest from the balance before; an outflow
 * that drew on value from before the data (more than the balance then)
 * gives that share to "(unknown origin)"; a transfer with no sender to
 * "(minted)". Every account with value still asked keeps a cursor moving
 * back through its transfers; all cursors advance together in decreasing
 * (time, transfer) order, inflow sides first, so a sender is always asked
 * about a moment its own cursor has not passed. Poison asks every earlier
 * inflow for its whole amount. */

/* Heap keys that pop in decreasing (time, id, side): min-heap of negations. */
static ev back_ev(const acc *a, size_t idx, uint64_t who, const ct_acctstore *st)
{
	uint64_t id = a->hid[idx];
	return (ev){-ct__acct_xfer_time(st, id), UINT64_MAX - (id * 2 + a->hin[idx]), who};
}

/* Backward policies that replay lots: FIFO, LIFO and TIHO. */
static int back_lots(const at *t)
{
	return t->pol == CT_POL_FIFO || t->pol == CT_POL_LIFO || t->pol == CT_POL_TIHO;
}

/* TIHO backward: the lots as a max-heap of indices into q, largest
 * remaining first, ties to the older (smaller age). */
typedef struct lheap {
	size_t *h;
	int64_t *age; /* by index into q */
	size_t n, cap, acap;
} lheap;

static int lh_before(const lheap *lh, const piece *q, size_t x, size_t y)
{
	return q[x].len != q[y].len ? q[x].len > q[y].len : lh->age[x] < lh->age[y];
}

static void lh_down(lheap *lh, const piece *q, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < lh->n && lh_before(lh, q, lh->h[l], lh->h[m]))
			m = l;
		if (r < lh->n && lh_before(lh, q, lh->h[r], lh->h[m]))
			m = r;
		if (m == i)
			return;
		size_t x = lh->h[i];
		lh->h[i] = lh->h[m];
		lh->h[m] = x;
		i = m;
	}
}

/* Add lot qi (of age `age`) to the heap. */
static int lh_push(lheap *lh, const piece *q, size_t qi, int64_t age)
{
	if (grow(&lh->h, &lh->cap, lh->n, sizeof(*lh->h), 16) ||
	    grow(&lh->age, &lh->acap, qi, sizeof(*lh->age), 16))
		return ct__err(CT_ENOMEM, "out of memory");
	lh->age[qi] = age;
	size_t i = lh->n++;
	lh->h[i] = qi;
	while (i && lh_before(lh, q, lh->h[i], lh->h[(i - 1) / 2])) {
		size_t p = (i - 1) / 2, x = lh->h[i];
		lh->h[i] = lh->h[p];
		lh->h[p] = x;
		i = p;
	}
	return 0;
}

/* FIFO/LIFO/TIHO: replay the account's lots (value from before the data
 * is the oldest, as forward) and record what each outflow took: the
 * oldest lot first (FIFO), the newest (LIFO), or the largest (TIHO: as
 * UTXO backward TIHO gives the asked value to the largest inputs). */
static int back_pieces(at *t, acc *a)
{
	piece *q = NULL, *out = NULL; /* the lots: q[qh..qn) oldest first */
	size_t qh = 0, qn = 0, qcap = 0, on = 0, ocap = 0;
	int lifo = t->pol == CT_POL_LIFO, tiho = t->pol == CT_POL_TIHO, rc = 0;
	lheap lh = {0};
	int64_t young = 0, old = 0; /* ages of the next inflow and top-up */
	if (!(a->pfirst = calloc(a->hn + 1, sizeof(*a->pfirst))))
		return ct__err(CT_ENOMEM, "out of memory");
#define GROW(arr, n, cap)                                                   \
	do {                                                                    \
		if ((n) == (cap)) {                                                 \
			size_t nc_ = (cap) ? (cap) * 2 : 16;                            \
			piece *np_ = realloc((arr), nc_ * sizeof(piece));               \
			if (!np_) {                                                     \
				rc = ct__err(CT_ENOMEM, "out of memory");                   \
				goto done;                                                  \
			}                                                               \
			(arr) = np_;                                                    \
			(cap) = nc_;                                                    \
		}                                                                   \
	} while (0)
	for (size_t i = 0; i < a->hn; i++) {
		ct_acct_xfer r;
		ct_u128 v = 0;
		ct__acct_xfer_get(t->st, a->hid[i], &r);
		if ((rc = amount128(t, a->hid[i], &r, &v)))
			goto done;
		a->pfirst[i] = on;
		if (a->hin[i]) {
			if (!v)
				continue;
			GROW(q, qn, qcap);
			q[qn++] = (piece){a->hid[i], 0, v};
			if (tiho && (rc = lh_push(&lh, q, qn - 1, young++)))
				goto done;
			continue;
		}
		if (a->htop[i] && tiho) {
			/* value from before the data: older than all held */
			GROW(q, qn, qcap);
			q[qn++] = (piece){CT_ACCT_NONE, 0, a->htop[i]};
			if ((rc = lh_push(&lh, q, qn - 1, --old)))
				goto done;
		} else if (a->htop[i]) {
			/* before everything held */
			if (qh == 0) {
				GROW(q, qn, qcap);
				memmove(q + 1, q, qn * sizeof(*q));
				qn++;
			} else {
				qh--;
			}
			q[qh] = (piece){CT_ACCT_NONE, 0, a->htop[i]};
		}
		for (ct_u128 need = v; need > 0 && (tiho ? lh.n > 0 : qn > qh);) {
			piece *l = tiho ? &q[lh.h[0]] : lifo ? &q[qn - 1] : &q[qh];
			ct_u128 take = l->len < need ? l->len : need;
			GROW(out, on, ocap);
			out[on++] = (piece){l->src, l->off, take};
			l->off += take;
			l->len -= take;
			need -= take;
			if (tiho) {
				if (!l->len)
					lh.h[0] = lh.h[--lh.n];
				lh_down(&lh, q, 0);
			} else if (!l->len) {
				if (lifo)
					qn--;
				else
					qh++;
			}
		}
	}
	a->pfirst[a->hn] = on;
	a->pcs = out;
	out = NULL;
done:
#undef GROW
	free(q);
	free(out);
	free(lh.h);
	free(lh.age);
	return rc;
}

/* Load the account's transfers of its asset, with balances (once). */
static int back_history(at *t, acc *a)
{
	if (a->hid)
		return 0;
	uint32_t sa = t->asset_id[a->asset];
	size_t cap = 0;
	ct_acct_walk w;
	uint64_t x;
	int dir;
	ct__acct_walk_init(t->st, a->addr, &w);
	while (ct__acct_walk_next(&w, &x, &dir)) {
		ct_acct_xfer r;
		ct__acct_xfer_get(t->st, x, &r);
		if (r.asset != sa || (r.flags & CT_XF_FAILED) || dir == 3)
			continue;
		if (a->hn == cap) {
			cap = cap ? cap * 2 : 16;
			uint64_t *ni = realloc(a->hid, cap * sizeof(*ni));
			if (!ni)
				return ct__err(CT_ENOMEM, "out of memory");
			a->hid = ni;
		}
		a->hid[a->hn++] = x;
	}
	if (!a->hid && !(a->hid = malloc(sizeof(*a->hid))))
		return ct__err(CT_ENOMEM, "out of memory");
	if (a->hn > 1)
		qsort_r(a->hid, a->hn, sizeof(*a->hid), cmp_time, (void *)t->st);
	size_t n = a->hn ? a->hn : 1;
	a->hafter = calloc(n, sizeof(*a->hafter));
	a->htop = calloc(n, sizeof(*a->htop));
	a->hin = calloc(n, 1);
	if (!a->hafter || !a->htop || !a->hin)
		return ct__err(CT_ENOMEM, "out of memory");
	ct_u128 bal = 0;
	for (size_t i = 0; i < a->hn; i++) {
		ct_acct_xfer r;
		ct_u128 v = 0;
		ct__acct_xfer_get(t->st, a->hid[i], &r);
		int rc = amount128(t, a->hid[i], &r, &v);
		if (rc)
			return rc;
		a->hin[i] = r.to == a->addr && r.from != a->addr;
		if (a->hin[i]) {
			bal += v;
		} else {
			if (bal < v) {
				a->htop[i] = v - bal;
				bal = v;
			}
			bal -= v;
		}
		a->hafter[i] = bal;
	}
	a->hpos = a->hn;
	if (back_lots(t))
		return back_pieces(t, a);
	return 0;
}

/* The index of transfer id among a's events (it is there). */
static size_t back_find(const at *t, const acc *a, uint64_t id)
{
	int64_t tm = ct__acct_xfer_time(t->st, id);
	size_t lo = 0, hi = a->hn;
	while (lo < hi) {
		size_t m = (lo + hi) / 2;
		uint64_t x = a->hid[m];
		if (key_less(ct__acct_xfer_time(t->st, x), x, tm, id))
			lo = m + 1;
		else
			hi = m;
	}
	return lo;
}

static int back_queue(at *t, acc *a)
{
	if (!a->dem || !a->hpos || a->hqueued == a->hpos)
		return 0;
	a->hqueued = a->hpos;
	return heap_push(t, back_ev(a, a->hpos - 1, (uint64_t)(a - t->accs), t->st));
}

/* Value d of transfer id (asset ai) reaches its sender `addr` at `hops`:
 * stop there, or ask the sender's balance before it. */
static int back_reach(at *t, uint32_t ai, uint64_t addr, uint64_t id, ct_u128 off, ct_u128 d,
                      uint32_t hops)
{
	ct__tr_addr *ad = ct__tr_addr_get(&t->res, ai, addr);
	if (!ad)
		return ct__err(CT_ENOMEM, "out of memory");
	ct__tr_amt_add(&t->res, ad, CT_AMT_RECEIVED, d);
	if (hops < ad->hops)
		ad->hops = hops;
	unsigned why = 0;
	if (addr == ID_UNKNOWN)
		why = CT_END_UNKNOWN;
	else if (addr == ID_MINTED)
		why = CT_END_COINBASE;
	else if (is_seed_addr(t, addr))
		why = CT_END_SEED;
	else if (t->o->min_amount && d < t->cutoff[ai])
		why = CT_END_DUST;
	else if (!t->o->through_services && in_sorted(t->stop, t->n_stop, addr))
		why = CT_END_SERVICE;
	else if (t->o->max_hops && hops >= t->o->max_hops)
		why = CT_END_HOPS;
	else if (ct__acct_xfer_time(t->st, id) < t->o->since)
		why = CT_END_TIME;
	if (why) {
		ct__tr_stop(&t->res, ad, d, why);
		return 0;
	}
	ct__tr_amt_add(&t->res, ad, CT_AMT_SENT, d); /* backward: what it passed on towards the seeds */
	if (back_lots(t)) {
		if (grow(&t->work, &t->cap_work, t->n_work, sizeof(bwork), 256))
			return ct__err(CT_ENOMEM, "out of memory");
		t->work[t->n_work++] = (bwork){addr, id, off, d, ai, hops};
		return 0;
	}
	acc *a = acc_find(t, addr, ai);
	if (!a && !(a = acc_new(t, addr, ai)))
		return ct__err(CT_ENOMEM, "out of memory");
	int rc = back_history(t, a);
	if (rc)
		return rc;
	size_t e = back_find(t, a, id);
	if (e >= a->hn || a->hid[e] != id)
		return ct__err(CT_EDATA, "transfer %llu is not in the history of its sender",
		               (unsigned long long)id);
	if (!a->dem)
		a->hpos = e + 1; /* nothing asked of the later balance */
	if (hops < a->hops)
		a->hops = hops;
	/* the value left with this outflow: as of the balance before it,
	 * which is where its cursor stands (events after it are crossed) */
	if (t->pol == CT_POL_POISON)
		a->dem = 1;
	else
		a->dem += d;
	return back_queue(t, a);
}

/* Cross a's next event backwards. */
static int back_step(at *t, acc *a)
{
	size_t i = --a->hpos;
	a->hqueued = 0;
	ct_acct_xfer x;
	ct_u128 v = 0;
	uint64_t id = a->hid[i];
	ct__acct_xfer_get(t->st, id, &x);
	int rc = amount128(t, id, &x, &v);
	if (rc)
		return rc;
	t->res.edges++;
	int poison = t->pol == CT_POL_POISON;
	ct_u128 share = 0;
	uint64_t src = CT_ACCT_NONE;
	if (!a->hin[i]) {
		/* an outflow: the mix is unchanged, except for value it drew
		 * from before the data */
		if (a->htop[i] && a->dem) {
			ct_u128 before = a->hafter[i] + v, w[2] = {a->htop[i], before - a->htop[i]}, out[2], rem[2];
			if (poison)
				out[0] = a->htop[i];
			else
				ct__tr_split128(a->dem, w, 2, before, out, rem);
			share = out[0];
			src = ID_UNKNOWN;
		}
	} else if (a->dem) {
		ct_u128 after = a->hafter[i], w[2] = {v, after - v}, out[2], rem[2];
		if (poison)
			out[0] = v;
		else
			ct__tr_split128(a->dem, w, 2, after, out, rem);
		share = out[0];
		src = x.from == CT_ACCT_NONE ? ID_MINTED : x.from;
	}
	if (share) {
		t->res.txs++;
		if (!poison)
			a->dem -= share;
		uint32_t nh = a->hops + 1;
		ct__tr_flow f = {src, a->addr, share, id, x.time, a->asset, nh};
		if (src == ID_UNKNOWN)
			f.from = UINT64_MAX;
		ct__tr_flow_add(&t->res, &f);
		if ((rc = back_reach(t, a->asset, src, id, 0, share, nh)))
			return rc;
	}
	if (!a->hpos && a->dem && !poison) {
		/* cannot happen (the first event's balance before is zero);
		 * never lose value */
		ct__tr_addr *ad = ct__tr_addr_get(&t->res, a->asset, ID_UNKNOWN);
		if (ad)
			ct__tr_stop(&t->res, ad, a->dem, CT_END_UNKNOWN);
		a->dem = 0;
	}
	return back_queue(t, a);
}

/* A seed transfer: its receiver is the seed, its sender is asked. */
static int back_seed(at *t, uint64_t id)
{
	ct_acct_xfer x;
	ct__acct_xfer_get(t->st, id, &x);
	if (x.flags & CT_XF_FAILED)
		return 0;
	if (!asset_wanted(t, x.asset))
		return 0;
	ct_u128 v = 0;
	uint32_t ai = 0;
	int rc = amount128(t, id, &x, &v);
	if (rc || (rc = asset_local(t, x.asset, &ai)))
		return rc;
	if (!v)
		return 0;
	t->res.tot[ai].seeds += v;
	t->res.txs++;
	if (x.to != CT_ACCT_NONE) {
		ct__tr_addr *ad = ct__tr_addr_get(&t->res, ai, x.to);
		if (!ad)
			return ct__err(CT_ENOMEM, "out of memory");
		ct__tr_amt_add(&t->res, ad, CT_AMT_RECEIVED, v);
		ad->hops = 0;
		ad->reasons |= CT_ADDR_SEED;
	}
	uint64_t src = x.from == CT_ACCT_NONE ? ID_MINTED : x.from;
	ct__tr_flow f = {src, x.to, v, id, x.time, ai, 1};
	ct__tr_flow_add(&t->res, &f);
	return back_reach(t, ai, src, id, 0, v, 1);
}

/* FIFO/LIFO: the units [off, off + len) of account addr's outflow id came
 * from the runs its lots held: each run's share of them is asked of the
 * run's own inflow (the sender's outflow, the same units), or ends at
 * "(unknown origin)" / "(minted)". Units have one history each, so runs
 * never overlap and the work ends. */
static int back_take(at *t, const bwork *w)
{
	acc *a = acc_find(t, w->addr, w->asset);
	if (!a && !(a = acc_new(t, w->addr, w->asset)))
		return ct__err(CT_ENOMEM, "out of memory");
	if (w->hops < a->hops)
		a->hops = w->hops;
	int rc = back_history(t, a);
	if (rc)
		return rc;
	size_t e = back_find(t, a, w->id);
	if (e >= a->hn || a->hid[e] != w->id)
		return ct__err(CT_EDATA, "transfer %llu is not in the history of its sender",
		               (unsigned long long)w->id);
	t->res.edges++;
	ct_u128 p = 0, lo = w->off, hi = w->off + w->len;
	for (size_t k = a->pfirst[e]; k < a->pfirst[e + 1] && p < hi; k++) {
		const piece pc = a->pcs[k];
		ct_u128 s = p > lo ? p : lo, en = p + pc.len < hi ? p + pc.len : hi;
		p += pc.len;
		if (s >= en)
			continue;
		ct_u128 part = en - s, at_off = pc.off + (s - (p - pc.len));
		uint64_t src = ID_UNKNOWN;
		int64_t tm = ct__acct_xfer_time(t->st, w->id);
		if (pc.src != CT_ACCT_NONE) {
			ct_acct_xfer x;
			ct__acct_xfer_get(t->st, pc.src, &x);
			src = x.from == CT_ACCT_NONE ? ID_MINTED : x.from;
			tm = x.time;
		}
		t->res.txs++;
		ct__tr_flow f = {src == ID_UNKNOWN ? UINT64_MAX : src, w->addr, part,
		                 pc.src != CT_ACCT_NONE ? pc.src : w->id, tm, w->asset, w->hops + 1};
		ct__tr_flow_add(&t->res, &f);
		if ((rc = back_reach(t, w->asset, src, pc.src != CT_ACCT_NONE ? pc.src : w->id, at_off, part,
		                     w->hops + 1)))
			return rc;
	}
	return 0;
}

static int run_backward(at *t)
{
	int rc;
	/* seeds newest first: a seed's sender may be asked about an earlier
	 * seed's moment only once its cursor is there */
	for (size_t i = t->n_seed_x; i-- > 0;)
		if ((i + 1 == t->n_seed_x || t->seed_x[i] != t->seed_x[i + 1]) &&
		    (rc = back_seed(t, t->seed_x[i])))
			return rc;
	while (t->n_work) {
		bwork w = t->work[--t->n_work];
		if ((rc = back_take(t, &w)))
			return rc;
	}
	while (t->hn) {
		ev e = heap_pop(t);
		acc *a = &t->accs[e.who];
		if (!a->hpos || a->hqueued != a->hpos)
			continue; /* stale */
		if ((rc = back_step(t, a)))
			return rc;
	}
	return 0;
}

/* ---- naming ------------------------------------------------------------ */

static void name_addr(void *ctx, uint64_t id, char *buf, size_t cap)
{
	at *t = ctx;
	if (id == ID_UNKNOWN)
		snprintf(buf, cap, "(unknown origin)");
	else if (id == ID_MINTED)
		snprintf(buf, cap, "(minted)");
	else if (id == CT_ACCT_NONE || ct__acct_addr_str(t->st, id, buf, cap) < 0)
		snprintf(buf, cap, "(none)");
}

static void name_tx(void *ctx, uint64_t xid, char *buf, size_t cap)
{
	at *t = ctx;
	ct_acct_xfer x;
	ct_acct_tx tr;
	ct__acct_xfer_get(t->st, xid, &x);
	ct__acct_tx_get(t->st, x.tx, &tr);
	if ((tr.flags & CT_TXF_HASH) && cap >= 67) {
		int evm = t->st->chain->addr_format == CT_AF_EVM;
		if (evm) {
			buf[0] = '0';
			buf[1] = 'x';
		}
		ct__hex(buf + (evm ? 2 : 0), tr.hash, 32);
	} else {
		snprintf(buf, cap, "transfer:%llu", (unsigned long long)xid);
	}
}

/* ---- patterns: account steps ------------------------------------------- */

/* One step per sender account and asset: its tainted outflows (fan-out,
 * dusting); one per receiver: its tainted inflows (consolidation). */
static int cmp_flow_from(const void *x, const void *y)
{
	const ct__tr_flow *a = x, *b = y;
	if (a->asset != b->asset)
		return a->asset < b->asset ? -1 : 1;
	if (a->from != b->from)
		return a->from < b->from ? -1 : 1;
	if (a->to != b->to)
		return a->to < b->to ? -1 : 1;
	return a->tx < b->tx ? -1 : a->tx > b->tx;
}

static void account_steps(at *t)
{
	size_t n = t->res.n_flows;
	if (!n)
		return;
	ct__tr_flow *fs = malloc(n * sizeof(*fs));
	if (!fs)
		return;
	memcpy(fs, t->res.flows, n * sizeof(*fs));
	qsort(fs, n, sizeof(*fs), cmp_flow_from);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		ct__tr_step s = {0};
		s.tx = fs[i].tx;
		s.asset = fs[i].asset;
		s.from_addr = fs[i].from;
		s.big_out_addr = UINT64_MAX;
		s.big_out_next = UINT64_MAX;
		s.n_in_tainted = 1;
		s.by_sender = 1;
		/* per distinct receiver: what it got from this sender */
		for (; j < n && fs[j].from == fs[i].from && fs[j].asset == fs[i].asset;) {
			size_t k = j;
			ct_u128 got = 0;
			for (; k < n && fs[k].from == fs[i].from && fs[k].asset == fs[i].asset && fs[k].to == fs[j].to; k++)
				got += fs[k].amount;
			if (fs[j].tx < s.tx)
				s.tx = fs[j].tx;
			s.n_out++;
			s.n_out_tainted++;
			s.tainted_in += got;
			if (fs[j].to != fs[i].from)
				s.n_new_out++;
			if (got <= t->res.dust_threshold)
				s.n_dust_out++;
			if (got > s.big_out) {
				s.small_out = s.big_out;
				s.big_out = got;
				s.big_out_addr = fs[j].to;
			} else if (got > s.small_out) {
				s.small_out = got;
			}
			j = k;
		}
		if (fs[i].from != CT_ACCT_NONE)
			ct__tr_step_add(&t->res, &s);
		i = j;
	}
	free(fs);
}

/* ---- entry ------------------------------------------------------------- */

static const ct_acct_chain *pick_chain(ct_db *db, const char *seed)
{
	const ct_acct_chain *ch[MAX_CHAINS];
	size_t k = ct__acct_chains_present(db->dir, ch, MAX_CHAINS);
	const char *c = strchr(seed, ':');
	if (c && c - seed < 20) {
		char name[24];
		snprintf(name, sizeof(name), "%.*s", (int)(c - seed), seed);
		const ct_acct_chain *want = ct__acct_chain_find(name);
		for (size_t i = 0; want && i < k; i++)
			if (ch[i] == want)
				return want;
		if (want)
			return NULL;
	}
	/* bare: the chain whose store knows the address or tx */
	for (size_t i = 0; i < k; i++) {
		ct_acctstore *st;
		if (ct__acctstore_open(&st, db->dir, ch[i], 0) != 0)
			continue;
		uint64_t a;
		uint8_t h[32];
		const char *hex = seed;
		if (hex[0] == '0' && hex[1] == 'x')
			hex += 2;
		int found = ct__acct_addr_lookup(st, seed, &a) == 0 ||
		            (strlen(hex) >= 64 && ct__unhex(h, hex, 32) == 0 && ct__acct_tx_find(st, h, &a) == 0);
		ct__acctstore_close(st);
		if (found)
			return ch[i];
	}
	return k == 1 ? ch[0] : NULL;
}

int ct__trace_acct(struct ct_db *db, char **out, const ct_trace_options *o, int *handled)
{
	*handled = 0;
	const ct_acct_chain *chain = pick_chain(db, o->seeds[0]);
	if (!chain)
		return 0;
	*handled = 1;
	at *t = calloc(1, sizeof(*t));
	if (!t)
		return ct__err(CT_ENOMEM, "out of memory");
	int rc;
	t->o = o;
	t->pol = ct__tr_policy(o->policy);
	ct_labels *lab = NULL;
	json_t *seeds = json_array();
	if ((rc = ct__acctstore_open(&t->st, db->dir, chain, 0)))
		goto out;
	if ((rc = ct__tr_res_init(&t->res, MAX_ASSETS, o->max_flows)))
		goto out;
	{
		char p[4096];
		snprintf(p, sizeof(p), "%s/cases.db", db->dir);
		if (ct__path_exists(p) && ct_labels_open(&lab, db->dir, 0) != 0)
			lab = NULL;
	}
	if (lab && (rc = load_stops(t, lab)))
		goto out;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (size_t i = 0; i < o->n_seeds; i++)
		if ((rc = parse_seed(t, o->seeds[i], seeds)))
			goto out;
	if (t->n_seed_x)
		qsort(t->seed_x, t->n_seed_x, sizeof(*t->seed_x), cmp_u64);
	uint64_t last = UINT64_MAX;
	int timed_out = 0;
	if (o->backward && (rc = run_backward(t)))
		goto out;
	while (!o->backward && t->hn) {
		ev e = heap_pop(t);
		if (e.who != UINT64_MAX) {
			cursor *c = &t->curs[e.who];
			if (++c->pos < c->n && (rc = heap_push(t, (ev){ct__acct_xfer_time(t->st, c->ids[c->pos]),
			                                               c->ids[c->pos], e.who})))
				goto out;
		}
		if (t->n_seed_addrs == 0 && e.time > o->until) {
			timed_out = 1;
			continue;
		}
		if (e.id == last)
			continue; /* both sides followed, or a seed: once */
		last = e.id;
		if ((rc = process(t, e.id, in_sorted(t->seed_x, t->n_seed_x, e.id))))
			goto out;
	}
	if (!t->n_assets) {
		rc = ct__err(CT_ENOTFOUND, "the seeds moved %s%s in the window", o->asset ? "no " : "nothing",
		             o->asset ? o->asset : "");
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	t->res.seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	t->res.peak_frontier = t->n_accs;
	/* what the tainted accounts still hold */
	for (size_t i = 0; i < t->n_accs; i++) {
		acc *a = &t->accs[i];
		if (!a->taint)
			continue;
		ct__tr_addr *ad = ct__tr_addr_get(&t->res, a->asset, a->addr);
		if (ad)
			ct__tr_stop(&t->res, ad, a->taint, timed_out ? CT_END_TIME : CT_END_UNSPENT);
	}
	/* amounts: the dust threshold for the patterns in the first asset */
	t->res.dust_threshold = t->n_assets && t->cutoff[0] > 10000 ? t->cutoff[0] : 10000;
	account_steps(t);
	if (t->res.oom) { /* an entry, a flow, a step or an amount's high half */
		rc = ct__err(CT_ENOMEM, "out of memory (trace result)");
		goto out;
	}
	{
		size_t na = t->n_assets ? t->n_assets : 1;
		const char **names = calloc(na, sizeof(*names));
		int *decs = calloc(na, sizeof(*decs));
		char (*buf)[CT_ACCT_ADDR_STR] = calloc(na, sizeof(*buf));
		if (!names || !decs || !buf) {
			free(names);
			free(decs);
			free(buf);
			rc = ct__err(CT_ENOMEM, "out of memory");
			goto out;
		}
		for (size_t i = 0; i < na; i++) {
			ct_acct_asset as;
			ct__acct_asset_get(t->st, t->n_assets ? t->asset_id[i] : 0, &as);
			asset_name(t->st, t->n_assets ? t->asset_id[i] : 0, buf[i], sizeof(buf[i]));
			names[i] = buf[i];
			decs[i] = as.decimals == CT_DECIMALS_UNKNOWN ? 0 : as.decimals;
		}
		ct__tr_namer nm = {t, name_addr, name_tx, NULL, chain->name, names, decs, na};
		*out = ct__tr_doc(&t->res, &nm, lab, o, seeds);
		seeds = NULL;
		free(names);
		free(decs);
		free(buf);
		if (!*out)
			rc = ct__err(CT_ENOMEM, "out of memory building the trace");
	}
out:
	json_decref(seeds);
	ct_labels_close(lab);
	for (size_t i = 0; i < t->n_accs; i++) {
		free(t->accs[i].lots);
		free(t->accs[i].hid);
		free(t->accs[i].hafter);
		free(t->accs[i].htop);
		free(t->accs[i].hin);
		free(t->accs[i].pcs);
		free(t->accs[i].pfirst);
	}
	free(t->work);
	for (size_t i = 0; i < t->n_curs; i++)
		free(t->curs[i].ids);
	free(t->accs);
	free(t->aslots);
	free(t->curs);
	free(t->cslots);
	free(t->heap);
	free(t->seed_addrs);
	free(t->seed_x);
	free(t->stop);
	ct__tr_res_free(&t->res);
	if (t->st)
		ct__acctstore_close(t->st);
	free(t);
	return rc;
}
