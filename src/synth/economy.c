/*
 * economy.c - the background economy: everything on the chain that is not
 * a planted incident.
 *
 * Each call of syn_bg_step() emits one transaction of a kind drawn from
 * fixed weights: payments between users and to merchants, deposits to
 * exchanges (each customer has a persistent deposit address), batched
 * withdrawals from exchange hot wallets, consolidation of deposit
 * addresses into hot wallets, merchants cashing out, self-transfers and
 * consolidations by users, a custodial mixer, Whirlpool-like (tx0, then
 * 5-in/5-out equal-output mixes) and Wasabi-like (dozens of inputs,
 * equal outputs plus change, coordinator fee) CoinJoins. Once a block,
 * syn_bg_block() lets mining pools pay out matured coinbases and the
 * mixer pay what is due. The figures behind the weights and
 * distributions are in docs/synth.md.
 */
#include "synth/synth.h"

#include <stdlib.h>
#include <string.h>

#include "util/error.h"

#define BTC 100000000ULL
#define DUST 1000u

enum {
	A_PAY, A_DEPOSIT, A_WITHDRAW, A_CONSOLIDATE, A_SETTLE, A_SELF, A_USER_CONS,
	A_MIX_DEPOSIT, A_TX0, A_WHIRL, A_WASABI, A_BATCH, A_COUNT
};
static const double weights[A_COUNT] = {
	[A_PAY] = 50, [A_DEPOSIT] = 13, [A_WITHDRAW] = 9, [A_CONSOLIDATE] = 1.2,
	[A_SETTLE] = 2.5, [A_SELF] = 5, [A_USER_CONS] = 1.5, [A_MIX_DEPOSIT] = 0.4,
	[A_TX0] = 0.5, [A_WHIRL] = 1.5, [A_WASABI] = 0.04, [A_BATCH] = 1.5,
};

/* Whirlpool pools: denomination, coordinator fee (5%), premix surplus
 * that pays the mix's miner fee. */
#define NWPOOL 3
static const uint64_t wdenom[NWPOOL] = {BTC / 100, BTC / 20, BTC / 2};
#define WQ_MAX 48
#define PREMIX_SURPLUS 1700u

struct wq {
	uint32_t w;
	uint8_t remix;
	syn_utxo u;
};

struct mixpay {
	uint64_t due;
	uint32_t w;
	uint64_t amount;
};

/* Random wallets are drawn LOOK draws ahead of use, from a stream of
 * their own, and prefetched when drawn: a wallet is far away in memory
 * (most of the simulation's time is such cache misses), and a draw made
 * just before use leaves no time to fetch it. */
#define LOOK 32

struct syn_bg {
	syn_rng look;            /* the look-ahead stream                  */
	uint32_t users[LOOK];    /* users to come (random_user)            */
	uint32_t payers[LOOK];   /* funded wallets to come (random_funded) */
	unsigned uh, ph;
	double cw[A_COUNT];
	struct wq q[NWPOOL][WQ_MAX];
	uint32_t qn[NWPOOL];
	struct mixpay *mp;
	size_t nmp, cmp;
};

int syn_bg_init(syn_sim *s)
{
	struct syn_bg *b = ct__calloc(1, sizeof(*b));
	if (!b)
		return CT_ENOMEM;
	double acc = 0;
	for (int i = 0; i < A_COUNT; i++)
		b->cw[i] = acc += weights[i];
	syn_rng_seed(&b->look, s->o.seed, 3);
	for (int i = 0; i < LOOK; i++) {
		b->users[i] = (uint32_t)syn_below(&b->look, s->nusers);
		b->payers[i] = UINT32_MAX; /* nothing is funded yet */
	}
	s->bg = b;
	return 0;
}

void syn_bg_free(syn_sim *s)
{
	if (!s->bg)
		return;
	free(s->bg->mp);
	free(s->bg);
	s->bg = NULL;
}

/* ---- helpers ------------------------------------------------------------ */

static void begin(syn_sim *s, syn_tx *t, uint32_t w)
{
	int sw = syn_is_segwit(s->w[w].type);
	int version = sw || syn_chance(&s->rng, 0.3) ? 2 : 1;
	/* Core sets nLockTime to the tip height against fee sniping. */
	uint32_t lock = syn_chance(&s->rng, 0.45) && s->height ? (uint32_t)(s->height - 1) : 0;
	syn_tx_reset(t, version, lock);
}

int syn_restore(syn_sim *s, syn_tx *t, int pool)
{
	int rc;
	for (uint32_t i = 0; i < t->nin; i++)
		if ((rc = syn_pool_add(s, t->in[i].k.w, pool, &t->in[i].u)) < 0)
			return rc;
	t->nin = 0;
	syn_undo(s);
	return 1;
}

/* Fetch wallet w (counts and inline coins) into the cache ahead of use.
 * noipa: GCC would otherwise drop calls of a function that only
 * prefetches. */
__attribute__((noipa)) static void prefetch_wallet(const syn_sim *s, uint32_t w)
{
	const char *p = (const char *)&s->w[w];
	for (size_t o = 0; o < sizeof(syn_wallet); o += 64)
		__builtin_prefetch(p + o);
	__builtin_prefetch(p + sizeof(syn_wallet) - 1);
}

/* A uniformly random user, drawn LOOK draws ago. */
static uint32_t random_user(syn_sim *s, uint32_t not)
{
	struct syn_bg *b = s->bg;
	uint32_t w;
	do {
		w = b->users[b->uh];
		uint32_t nx = (uint32_t)syn_below(&b->look, s->nusers);
		b->users[b->uh] = nx;
		b->uh = (b->uh + 1) % LOOK;
		prefetch_wallet(s, nx);
	} while (w == not && s->nusers > 1);
	return w;
}

/* A random funded user or merchant: the one drawn (uniformly among the
 * funded) LOOK draws ago if it still has coins, else one drawn now. */
static uint32_t random_funded(syn_sim *s)
{
	struct syn_bg *b = s->bg;
	if (!s->nfunded)
		return UINT32_MAX;
	uint32_t w = b->payers[b->ph];
	uint32_t nx = s->funded[syn_below(&b->look, s->nfunded)];
	b->payers[b->ph] = nx;
	b->ph = (b->ph + 1) % LOOK;
	prefetch_wallet(s, nx);
	if (w == UINT32_MAX || s->w[w].fpos == UINT32_MAX)
		w = s->funded[syn_below(&s->rng, s->nfunded)];
	return w;
}

static uint32_t random_exchange(syn_sim *s)
{
	return s->first_exch + syn_pick(&s->rng, s->exch_cw, s->nexch);
}

static uint64_t amount_draw(syn_sim *s, double median_btc, double sigma, uint64_t cap)
{
	double v = syn_lognormal(&s->rng, median_btc * (double)BTC, sigma);
	uint64_t a = v < 5460 ? 5460 : (uint64_t)v;
	return a > cap ? cap : a;
}

int syn_pay(syn_sim *s, syn_tx *t, uint32_t w, int pool, int flexible, uint8_t *txid)
{
	uint64_t want = 0;
	for (uint32_t i = 0; i < t->nout; i++)
		want += t->out[i].value;
	uint64_t guess = (uint64_t)s->feerate * (150 + 34 * (t->nout + 1)) * 2;
	uint64_t got = syn_select(s, w, pool, want + guess, t, 60);
	if (!t->nin)
		return syn_restore(s, t, pool);
	/* With change output (a fresh or reused address of the payer). */
	syn_akey ck = syn_change_addr(s, w, t);
	syn_tx_out(t, 0, ck, pool);
	uint64_t fee = syn_fee(s, t, 1.0);
	if (got >= want + fee + DUST) {
		t->out[t->nout - 1].value = got - want - fee;
	} else {
		t->nout--; /* no change */
		syn_unfresh(s, &ck);
		uint64_t fee1 = syn_fee(s, t, 1.0);
		if (got < want + fee1) {
			uint64_t short_by = want + fee1 - got;
			if (!flexible || t->out[0].value < short_by + 5460)
				return syn_restore(s, t, pool);
			t->out[0].value -= short_by;
		} else {
			/* leftover below dust goes to the miner */
		}
	}
	return syn_emit(s, t, txid);
}

static void maybe_opreturn(syn_sim *s, syn_tx *t)
{
	if (syn_chance(&s->rng, 0.004)) {
		/* Omni-style payload: "omni" marker then a simple send. */
		uint8_t d[20] = {'o', 'm', 'n', 'i'};
		syn_fill(&s->rng, d + 4, 16);
		syn_tx_opreturn(t, d, sizeof(d));
	}
}

/* ---- activities --------------------------------------------------------- */

static int act_pay(syn_sim *s, syn_tx *t)
{
	uint32_t w = random_funded(s);
	if (w == UINT32_MAX)
		return 1;
	uint64_t bal = s->w[w].p[0].bal;
	if (bal < 20000)
		return 1;
	uint32_t to = syn_chance(&s->rng, 0.25)
	                  ? s->first_merch + (uint32_t)syn_below(&s->rng, s->nmerch)
	                  : random_user(s, w);
	begin(s, t, w);
	if (syn_chance(&s->rng, 0.08)) {
		/* Sweep everything to the payee: n inputs, one output. */
		uint64_t got = syn_take_all(s, w, 0, t, 30);
		syn_tx_out(t, 0, syn_recv_addr(s, to), 0);
		uint64_t fee = syn_fee(s, t, 1.0);
		if (got < fee + 5460)
			return syn_restore(s, t, 0);
		t->out[0].value = got - fee;
		return syn_emit(s, t, NULL);
	}
	uint64_t a = amount_draw(s, 0.015, 2.0, bal * 9 / 10);
	syn_tx_out(t, a, syn_recv_addr(s, to), 0);
	maybe_opreturn(s, t);
	return syn_pay(s, t, w, 0, 1, NULL);
}

static int act_batch(syn_sim *s, syn_tx *t)
{
	uint32_t w = random_funded(s);
	if (w == UINT32_MAX || s->w[w].p[0].bal < 200000)
		return 1;
	uint64_t bal = s->w[w].p[0].bal;
	uint32_t k = 2 + syn_geom(&s->rng, 0.2, 30);
	begin(s, t, w);
	for (uint32_t i = 0; i < k; i++)
		syn_tx_out(t, amount_draw(s, 0.005, 1.5, bal / (2 * k) + 5460),
		           syn_recv_addr(s, random_user(s, w)), 0);
	return syn_pay(s, t, w, 0, 1, NULL);
}

static int act_deposit(syn_sim *s, syn_tx *t)
{
	uint32_t w = random_funded(s);
	if (w == UINT32_MAX || s->w[w].p[0].bal < 20000)
		return 1;
	uint32_t e = random_exchange(s);
	begin(s, t, w);
	if (syn_chance(&s->rng, 0.3)) {
		uint64_t got = syn_take_all(s, w, 0, t, 30);
		syn_tx_out(t, 0, syn_deposit_addr(s, e, w), 0);
		uint64_t fee = syn_fee(s, t, 1.0);
		if (got < fee + 5460)
			return syn_restore(s, t, 0);
		t->out[0].value = got - fee;
		return syn_emit(s, t, NULL);
	}
	uint64_t a = amount_draw(s, 0.08, 1.8, s->w[w].p[0].bal * 9 / 10);
	syn_tx_out(t, a, syn_deposit_addr(s, e, w), 0);
	return syn_pay(s, t, w, 0, 1, NULL);
}

static int consolidate(syn_sim *s, syn_tx *t, uint32_t e)
{
	syn_pool *p = &s->w[e].p[0];
	if (p->n < 2)
		return 1;
	syn_tx_reset(t, 2, 0);
	uint32_t k = 20 + (uint32_t)syn_below(&s->rng, 180);
	uint64_t got = 0;
	while (p->n && k--)
		got += syn_take_at(s, e, 0, (uint32_t)syn_below(&s->rng, p->n), t);
	syn_akey hot = syn_key(s, e, (uint32_t)syn_below(&s->rng, s->w[e].nh));
	hot.reused = 1;
	syn_tx_out(t, 0, hot, 1);
	/* Consolidations wait for cheap blocks: a low fee rate. */
	uint64_t fee = syn_fee(s, t, 0.4);
	if (got < fee + 5460)
		return syn_restore(s, t, 0);
	t->out[0].value = got - fee;
	return syn_emit(s, t, NULL);
}

static int act_consolidate(syn_sim *s, syn_tx *t)
{
	return consolidate(s, t, random_exchange(s));
}

static int act_withdraw(syn_sim *s, syn_tx *t)
{
	uint32_t e = random_exchange(s);
	syn_pool *hot = &s->w[e].p[1];
	if (hot->bal < BTC / 10)
		return consolidate(s, t, e);
	/* Batched payouts: 40% single, the rest geometric up to 80. */
	uint32_t k = syn_chance(&s->rng, 0.4) ? 1 : 1 + syn_geom(&s->rng, 0.12, 80);
	/* Exchanges keep reserves: one withdrawal tx takes at most a tenth. */
	uint64_t cap = hot->bal / (10 * k);
	syn_tx_reset(t, 2, 0);
	for (uint32_t i = 0; i < k; i++) {
		uint32_t u = random_user(s, UINT32_MAX);
		syn_tx_out(t, amount_draw(s, 0.02, 1.6, cap), syn_recv_addr(s, u), 0);
	}
	return syn_pay(s, t, e, 1, 1, NULL);
}

static int act_settle(syn_sim *s, syn_tx *t)
{
	uint32_t m = s->first_merch + (uint32_t)syn_below(&s->rng, s->nmerch);
	if (s->w[m].p[0].n < 3)
		return 1;
	begin(s, t, m);
	uint64_t got = syn_take_all(s, m, 0, t, 50);
	uint32_t e = random_exchange(s);
	syn_tx_out(t, 0, syn_deposit_addr(s, e, m), 0);
	uint64_t fee = syn_fee(s, t, 0.8);
	if (got < fee + 5460)
		return syn_restore(s, t, 0);
	t->out[0].value = got - fee;
	return syn_emit(s, t, NULL);
}

static int act_self(syn_sim *s, syn_tx *t, int all)
{
	uint32_t w = random_funded(s);
	if (w == UINT32_MAX || (all && s->w[w].p[0].n < 4))
		return 1;
	begin(s, t, w);
	uint64_t got = all ? syn_take_all(s, w, 0, t, 40)
	                   : syn_take_at(s, w, 0, (uint32_t)syn_below(&s->rng, s->w[w].p[0].n), t);
	syn_tx_out(t, 0, syn_fresh(s, w), 0);
	uint64_t fee = syn_fee(s, t, all ? 0.5 : 1.0);
	if (got < fee + 5460)
		return syn_restore(s, t, 0);
	t->out[0].value = got - fee;
	return syn_emit(s, t, NULL);
}

/* ---- custodial mixer ---------------------------------------------------- */

static int act_mix_deposit(syn_sim *s, syn_tx *t)
{
	struct syn_bg *b = s->bg;
	uint32_t w = random_funded(s);
	if (w == UINT32_MAX || s->w[w].p[0].bal < BTC / 100 || s->w[w].kind != K_USER)
		return 1;
	if (b->nmp == b->cmp) {
		size_t cap = b->cmp ? b->cmp * 2 : 256;
		struct mixpay *mp = ct__realloc(b->mp, cap * sizeof(*mp));
		if (!mp)
			return CT_ENOMEM;
		b->mp = mp;
		b->cmp = cap;
	}
	begin(s, t, w);
	uint64_t a = amount_draw(s, 0.1, 1.2, s->w[w].p[0].bal * 8 / 10);
	syn_tx_out(t, a, syn_fresh(s, s->mixer), 0);
	int rc = syn_pay(s, t, w, 0, 0, NULL);
	if (rc != 0)
		return rc;
	/* The mixer pays back later, less its 1-3% fee, to a fresh address. */
	struct mixpay *m = &b->mp[b->nmp++];
	m->due = s->height + 6 + syn_below(&s->rng, 66);
	m->w = w;
	m->amount = a - a * (10 + syn_below(&s->rng, 21)) / 1000;
	return 0;
}

static int mixer_payouts(syn_sim *s, syn_tx *t)
{
	struct syn_bg *b = s->bg;
	int rc;
	for (size_t i = 0; i < b->nmp;) {
		struct mixpay *m = &b->mp[i];
		if (m->due > s->height || !s->txs_left) {
			i++;
			continue;
		}
		syn_tx_reset(t, 2, 0);
		syn_tx_out(t, m->amount, syn_fresh(s, m->w), 0);
		if ((rc = syn_pay(s, t, s->mixer, 0, 0, NULL)) < 0)
			return rc;
		if (rc == 1) { /* not enough in the pool yet: try next block */
			m->due = s->height + 1;
			i++;
			continue;
		}
		b->mp[i] = b->mp[--b->nmp];
	}
	return 0;
}

/* ---- CoinJoins ---------------------------------------------------------- */

static int cj_type_ok(const syn_sim *s, uint32_t w)
{
	uint8_t ty = s->w[w].type;
	return s->w[w].kind == K_USER && (s->o.legacy ? ty == ST_P2PKH : ty == ST_P2WPKH);
}

/* Whirlpool tx0: one wallet splits a coin into premix outputs of
 * denomination + surplus, pays the coordinator's flat fee, keeps the
 * ("toxic") change. The premix outputs wait in the pool's queue. */
static int act_tx0(syn_sim *s, syn_tx *t)
{
	struct syn_bg *b = s->bg;
	uint32_t w = random_funded(s);
	if (w == UINT32_MAX || !cj_type_ok(s, w))
		return 1;
	uint64_t bal = s->w[w].p[0].bal;
	int pi = bal > 3 * wdenom[2] ? 2 : bal > 3 * wdenom[1] ? 1 : bal > 3 * wdenom[0] ? 0 : -1;
	if (pi < 0 || b->qn[pi] > WQ_MAX - 2)
		return 1;
	uint64_t unit = wdenom[pi] + PREMIX_SURPLUS;
	uint32_t k = (uint32_t)((bal / 2) / unit);
	if (k > WQ_MAX - b->qn[pi])
		k = WQ_MAX - b->qn[pi];
	if (k > 10)
		k = 10;
	if (k < 1)
		return 1;
	syn_tx_reset(t, 2, 0);
	syn_tx_out(t, wdenom[pi] / 20, syn_fresh(s, s->whirl), 0);
	for (uint32_t i = 0; i < k; i++)
		syn_tx_out(t, unit, syn_fresh(s, w), SYN_POOL_NONE);
	uint8_t d[46];
	syn_fill(&s->rng, d, sizeof(d));
	syn_tx_opreturn(t, d, sizeof(d));
	int rc = syn_pay(s, t, w, 0, 0, NULL);
	if (rc != 0)
		return rc;
	for (uint32_t i = 1; i <= k; i++) {
		struct wq *q = &b->q[pi][b->qn[pi]++];
		q->w = w;
		q->remix = 0;
		q->u.slot = s->last_slot;
		q->u.value = unit;
		q->u.vout = i;
		q->u.idx = t->out[i].k.i;
	}
	return 0;
}

/* A Whirlpool mix: 5 inputs from 5 different wallets, at least two new
 * entrants whose surplus pays the fee, 5 outputs of exactly the
 * denomination to fresh addresses of the same wallets. */
static int act_whirl(syn_sim *s, syn_tx *t)
{
	struct syn_bg *b = s->bg;
	int pi = (int)syn_below(&s->rng, NWPOOL);
	struct wq *q = b->q[pi];
	uint32_t pick[5], np = 0, nnew = 0;
	/* new entrants first (two), then remixers, then more new ones */
	for (int pass = 0; pass < 3 && np < 5; pass++)
		for (uint32_t i = 0; i < b->qn[pi] && np < 5; i++) {
			int want_new = pass != 1;
			if ((q[i].remix == 0) != want_new || (pass == 0 && nnew >= 2))
				continue;
			int dup = 0;
			for (uint32_t j = 0; j < np; j++)
				dup |= q[pick[j]].w == q[i].w || pick[j] == i;
			if (dup)
				continue;
			pick[np++] = i;
			nnew += q[i].remix == 0;
		}
	if (np < 5 || nnew < 2)
		return 1;
	syn_tx_reset(t, 1, 0);
	for (uint32_t j = 0; j < 5; j++) {
		syn_txin *in = &t->in[t->nin++];
		in->u = q[pick[j]].u;
		in->k = syn_key(s, q[pick[j]].w, in->u.idx);
		in->seq = 0xffffffffu;
	}
	/* Outputs in random order, so position says nothing of ownership. */
	uint32_t order[5] = {0, 1, 2, 3, 4};
	for (uint32_t j = 4; j > 0; j--) {
		uint32_t r = (uint32_t)syn_below(&s->rng, j + 1), x = order[j];
		order[j] = order[r];
		order[r] = x;
	}
	uint32_t owners[5];
	for (uint32_t j = 0; j < 5; j++) {
		owners[j] = q[pick[order[j]]].w;
		syn_tx_out(t, wdenom[pi], syn_fresh(s, owners[j]), SYN_POOL_NONE);
	}
	/* Drop the used entries from the queue (highest position first). */
	for (uint32_t a = 0; a < 5; a++)
		for (uint32_t c = a + 1; c < 5; c++)
			if (pick[c] > pick[a]) {
				uint32_t x = pick[a];
				pick[a] = pick[c];
				pick[c] = x;
			}
	for (uint32_t j = 0; j < 5; j++)
		q[pick[j]] = q[--b->qn[pi]];
	int rc = syn_emit(s, t, NULL);
	if (rc < 0)
		return rc;
	s->st.coinjoins++;
	for (uint32_t j = 0; j < 5; j++) {
		syn_utxo u;
		u.slot = s->last_slot;
		u.value = wdenom[pi];
		u.vout = j;
		u.idx = t->out[j].k.i;
		if (syn_chance(&s->rng, 0.6) && b->qn[pi] < WQ_MAX) {
			struct wq *e = &q[b->qn[pi]++];
			e->w = owners[j];
			e->remix = 1;
			e->u = u;
		} else if ((rc = syn_pool_add(s, owners[j], 0, &u)) < 0) {
			return rc;
		}
	}
	return 0;
}

/* A Wasabi 1.x-like round: many participants, one equal output each of
 * about 0.1 BTC, their change, and the coordinator's fee output. */
static int act_wasabi(syn_sim *s, syn_tx *t)
{
	uint32_t want = 20 + (uint32_t)syn_below(&s->rng, 41), n = 0;
	uint64_t d = BTC / 10 - 100000 + syn_below(&s->rng, 200000);
	uint64_t cfee = d * 3 * want / 100000; /* 0.003% per anonymity-set member */
	uint32_t who[64];
	uint64_t paid[64];
	syn_tx_reset(t, 1, 0);
	for (uint32_t tries = 0; tries < want * 12 && n < want; tries++) {
		uint32_t w = random_funded(s);
		if (w == UINT32_MAX || !cj_type_ok(s, w) || s->w[w].p[0].bal < d + cfee + 20000)
			continue;
		int dup = 0;
		for (uint32_t j = 0; j < n; j++)
			dup |= who[j] == w;
		if (dup)
			continue;
		uint32_t before = t->nin;
		uint64_t got = syn_select(s, w, 0, d + cfee + 20000, t, 3);
		if (got < d + cfee + 20000) { /* give these inputs back */
			for (uint32_t i = before; i < t->nin; i++)
				if (syn_pool_add(s, w, 0, &t->in[i].u) < 0)
					return CT_ENOMEM;
			t->nin = before;
			continue;
		}
		who[n] = w;
		paid[n++] = got;
	}
	if (n < 10)
		return syn_restore(s, t, 0);
	/* Equal outputs, then change outputs, then the coordinator. */
	for (uint32_t j = 0; j < n; j++)
		syn_tx_out(t, d, syn_fresh(s, who[j]), 0);
	uint64_t share = (uint64_t)s->feerate * 120; /* each pays ~ its own vbytes */
	uint64_t coord = 0;
	for (uint32_t j = 0; j < n; j++) {
		uint64_t ch = paid[j] - d - cfee - share;
		coord += cfee;
		if (ch >= DUST)
			syn_tx_out(t, ch, syn_fresh(s, who[j]), 0);
	}
	syn_tx_out(t, coord, syn_fresh(s, s->wasabi), 0);
	int rc = syn_emit(s, t, NULL);
	if (rc == 0)
		s->st.coinjoins++;
	return rc;
}

/* ---- mining pools ------------------------------------------------------- */

static int pool_payout(syn_sim *s, syn_tx *t, uint32_t m)
{
	syn_pool *p = &s->w[m].p[0];
	if (!p->n)
		return 1;
	syn_tx_reset(t, 1, 0);
	uint64_t got = syn_take_at(s, m, 0, (uint32_t)syn_below(&s->rng, p->n), t);
	if (p->n && syn_chance(&s->rng, 0.3))
		got += syn_take_at(s, m, 0, (uint32_t)syn_below(&s->rng, p->n), t);
	uint32_t k = 10 + (uint32_t)syn_below(&s->rng, 110);
	double wsum = 0, wv[128];
	for (uint32_t i = 0; i < k; i++)
		wsum += wv[i] = syn_lognormal(&s->rng, 1.0, 1.0);
	uint64_t spend = got - got / 20; /* keep ~5% as change */
	uint64_t est = (uint64_t)s->feerate * (60 + 34 * (k + 1) + 150 * t->nin);
	if (spend <= est + k * 6000)
		return syn_restore(s, t, 0);
	spend -= est;
	uint64_t used = 0;
	for (uint32_t i = 0; i < k; i++) {
		uint64_t v = (uint64_t)((double)spend * wv[i] / wsum);
		if (v < 5460)
			continue;
		/* Miners sell about half at once, the rest goes to their wallets. */
		syn_akey to = syn_chance(&s->rng, 0.5)
		                  ? syn_deposit_addr(s, random_exchange(s), m)
		                  : syn_recv_addr(s, random_user(s, UINT32_MAX));
		syn_tx_out(t, v, to, 0);
		used += v;
	}
	if (!t->nout)
		return syn_restore(s, t, 0);
	syn_akey back = syn_key(s, m, 1);
	back.reused = 1;
	syn_tx_out(t, got - used - est, back, 0);
	return syn_emit(s, t, NULL);
}

static int bg_step(syn_sim *s)
{
	syn_tx *t = s->tx;
	switch (syn_pick(&s->rng, s->bg->cw, A_COUNT)) {
	case A_PAY: return act_pay(s, t);
	case A_DEPOSIT: return act_deposit(s, t);
	case A_WITHDRAW: return act_withdraw(s, t);
	case A_CONSOLIDATE: return act_consolidate(s, t);
	case A_SETTLE: return act_settle(s, t);
	case A_SELF: return act_self(s, t, 0);
	case A_USER_CONS: return act_self(s, t, 1);
	case A_MIX_DEPOSIT: return act_mix_deposit(s, t);
	case A_TX0: return act_tx0(s, t);
	case A_WHIRL: return act_whirl(s, t);
	case A_WASABI: return act_wasabi(s, t);
	default: return act_batch(s, t);
	}
}

int syn_bg_block(syn_sim *s)
{
	int rc;
	syn_tx *t = s->tx;
	int early = s->nfunded < s->nusers / 4;
	for (uint32_t m = 0; m < s->nminer && s->txs_left; m++)
		if (syn_chance(&s->rng, early ? 0.9 : 0.25) &&
		    (rc = pool_payout(s, t, s->first_miner + m)) < 0)
			return rc;
	return mixer_payouts(s, t);
}

int syn_bg_step(syn_sim *s)
{
	int rc = bg_step(s);
	if (rc == 1)
		syn_undo(s);
	return rc;
}
