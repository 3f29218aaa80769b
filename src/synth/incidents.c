/*
 * incidents.c - the planted BTC incidents and their ground truth.
 *
 * Each incident is a small state machine advanced once per block: a step
 * runs when the chain reaches its height, emits its txs and schedules the
 * next. Theft and laundering flows are kept pure: the actor's wallet
 * (thief-N, ransomware-1) only ever holds the proceeds, so every policy of
 * DESIGN §5 (poison, haircut, FIFO...) gives the same answer, and
 *   stolen = endpoints + bystanders + holdings + fees
 * holds exactly (the test checks it against the parsed blocks).
 *
 * Incidents (positions are fractions of the economy's span of blocks):
 *  - hot-wallet-drain (0.22): Coincheck's shape on exchange-1's hot wallet;
 *  - ransomware (0.30): victims pay, consolidation, peel chain, cash-out;
 *  - mixer-laundering (0.45): a user's wallet swept, custodial mixer,
 *    payouts, exchange deposits;
 *  - split-hops (0.58): exchange-2's hot wallet hit, six levels of splits,
 *    deposits at three exchanges;
 *  - sanctioned-flows (0.05 .. 0.95): a sanctioned entity trading with
 *    users and exchanges.
 */
#include "synth/synth.h"

#include <stdlib.h>
#include <string.h>

#include "util/amount.h"
#include "util/encode.h"
#include "util/error.h"

#define BTC 100000000ULL

typedef struct ep {
	syn_akey k;
	uint64_t amount;
	uint8_t txid[32]; /* the (last) tx that paid it */
} ep;

typedef struct eplist {
	ep *v;
	uint32_t n, cap;
} eplist;

typedef struct idlist {
	uint8_t (*v)[32];
	uint32_t n, cap;
} idlist;

typedef struct pattern {
	const char *kind;
	idlist txids;
	eplist addrs;
} pattern;

enum { INC_DRAIN, INC_RANSOM, INC_MIXER, INC_SPLIT, INC_SANCTION, INC_COUNT };

typedef struct inc {
	const char *name, *kind, *note;
	uint32_t actor, victim;
	int step, done, skipped, conserved;
	uint64_t next, deadline;
	int64_t t0, t1;
	idlist txids, seed_txids;
	eplist seeds, endpoints, bystanders, holdings, victims, mixpay, after, inflows;
	pattern pat[4];
	int npat;
	uint64_t stolen, fees;
	/* working state */
	uint64_t H, left, goal;
	uint32_t cnt, level;
	syn_akey a[16];
} inc;

struct syn_incidents {
	inc v[INC_COUNT];
	uint64_t emitted;
};

/* ---- bookkeeping -------------------------------------------------------- */

static int ep_add(eplist *l, syn_akey k, uint64_t amount, const uint8_t *txid)
{
	for (uint32_t i = 0; i < l->n; i++)
		if (l->v[i].k.w == k.w && l->v[i].k.i == k.i) {
			l->v[i].amount += amount;
			if (txid)
				memcpy(l->v[i].txid, txid, 32);
			return 0;
		}
	if (l->n == l->cap) {
		uint32_t cap = l->cap ? l->cap * 2 : 16;
		ep *v = ct__realloc(l->v, cap * sizeof(*v));
		if (!v)
			return CT_ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	ep *e = &l->v[l->n++];
	e->k = k;
	e->k.reused = 0;
	e->amount = amount;
	memset(e->txid, 0, 32);
	if (txid)
		memcpy(e->txid, txid, 32);
	return 0;
}

/* A list entry per payment (no merging): victims, payouts, inflows. */
static int ep_push(eplist *l, syn_akey k, uint64_t amount, const uint8_t *txid)
{
	if (l->n == l->cap) {
		uint32_t cap = l->cap ? l->cap * 2 : 16;
		ep *v = ct__realloc(l->v, cap * sizeof(*v));
		if (!v)
			return CT_ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	ep *e = &l->v[l->n++];
	e->k = k;
	e->k.reused = 0;
	e->amount = amount;
	memcpy(e->txid, txid, 32);
	return 0;
}

static int id_add(idlist *l, const uint8_t *id)
{
	if (l->n == l->cap) {
		uint32_t cap = l->cap ? l->cap * 2 : 16;
		uint8_t(*v)[32] = ct__realloc(l->v, cap * sizeof(*v));
		if (!v)
			return CT_ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	memcpy(l->v[l->n++], id, 32);
	return 0;
}

static pattern *pat_new(inc *x, const char *kind)
{
	pattern *p = &x->pat[x->npat++];
	p->kind = kind;
	return p;
}

/* Emit an incident tx. A seed tx moves the victim's coins to the actor
 * (its fee is the victim's); every other tx spends only tainted coins,
 * so its fee is part of the stolen funds' fate. */
static int inc_emit(syn_sim *s, inc *x, syn_tx *t, int seed, uint8_t *txid)
{
	uint64_t in = 0, out = 0;
	uint8_t id[32];
	for (uint32_t i = 0; i < t->nin; i++)
		in += t->in[i].u.value;
	for (uint32_t i = 0; i < t->nout; i++)
		out += t->out[i].value;
	int rc = syn_emit(s, t, id);
	if (rc < 0)
		return rc;
	if (!seed)
		x->fees += in - out;
	s->inc->emitted++;
	if (!x->t0)
		x->t0 = s->time;
	x->t1 = s->time;
	if ((rc = id_add(&x->txids, id)) < 0 || (seed && (rc = id_add(&x->seed_txids, id)) < 0))
		return rc;
	if (txid)
		memcpy(txid, id, 32);
	return 0;
}

/* A payment from a wallet outside the incident (victim, mixer): inputs
 * chosen by the usual selection, change back to the payer. Returns 1 if
 * the payer could not afford it. */
static int inc_pay(syn_sim *s, inc *x, syn_tx *t, uint32_t payer, int pool, int seed,
                   uint8_t *txid)
{
	uint8_t id[32];
	uint64_t in = 0, out = 0;
	int rc = syn_pay(s, t, payer, pool, 0, id);
	if (rc != 0)
		return rc;
	for (uint32_t i = 0; i < t->nin; i++)
		in += t->in[i].u.value;
	for (uint32_t i = 0; i < t->nout; i++)
		out += t->out[i].value;
	if (!seed)
		x->fees += in - out;
	s->inc->emitted++;
	if (!x->t0)
		x->t0 = s->time;
	x->t1 = s->time;
	if ((rc = id_add(&x->txids, id)) < 0 || (seed && (rc = id_add(&x->seed_txids, id)) < 0))
		return rc;
	if (txid)
		memcpy(txid, id, 32);
	return 0;
}

/* Move every coin of wallet w on address index idx into t's inputs. */
static uint64_t take_addr(syn_sim *s, uint32_t w, uint32_t idx, syn_tx *t)
{
	syn_pool *p = &s->w[w].p[0];
	uint64_t got = 0;
	for (uint32_t j = p->n; j-- > 0;)
		if (p->u[j].idx == idx)
			got += syn_take_at(s, w, 0, j, t);
	return got;
}

static uint64_t fee_of(syn_sim *s, syn_tx *t)
{
	return syn_fee(s, t, 1.0);
}

static uint64_t pos(const syn_sim *s, double f)
{
	return s->boot_blocks + (uint64_t)(f * (double)(s->nblocks - s->boot_blocks));
}

/* Blocks per hour-ish unit, scaled down on short chains. */
static uint64_t blocks(const syn_sim *s, uint64_t n)
{
	uint64_t span = s->nblocks - s->boot_blocks;
	uint64_t cap = span / 40 ? span / 40 : 1;
	return n < cap ? n : cap;
}

static int ensure_hot(syn_sim *s, uint32_t e, uint64_t want)
{
	/* An exchange sweeps its deposit addresses into the hot wallet when
	 * the hot wallet runs low: do that before the attacker arrives. */
	syn_tx *t = s->tx2;
	for (int round = 0; round < 6 && s->w[e].p[1].bal < want && s->w[e].p[0].n >= 1; round++) {
		syn_pool *p = &s->w[e].p[0];
		syn_tx_reset(t, 2, 0);
		uint64_t got = 0;
		for (uint32_t k = 0; p->n && k < 400; k++)
			got += syn_take_at(s, e, 0, p->n - 1, t);
		syn_akey hot = syn_key(s, e, 0);
		hot.reused = 1;
		syn_tx_out(t, 0, hot, 1);
		uint64_t fee = syn_fee(s, t, 0.5);
		if (got < fee + 10000)
			return syn_restore(s, t, 0);
		t->out[0].value = got - fee;
		int rc = syn_emit(s, t, NULL);
		if (rc < 0)
			return rc;
		s->inc->emitted++;
	}
	return 0;
}

/* ---- hot-wallet drain (Coincheck's shape) -------------------------------- */

static int drain_pay(syn_sim *s, inc *x, uint64_t amount)
{
	syn_tx *t = s->tx2;
	uint32_t v = x->victim;
	uint64_t room = s->w[v].p[1].bal;
	if (room < 200000)
		return 0;
	if (amount > room - 100000)
		amount = room - 100000;
	syn_tx_reset(t, 2, 0);
	syn_tx_out(t, amount, x->a[0], 0);
	uint8_t id[32];
	int rc = inc_pay(s, x, t, v, 1, 1, id);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		x->stolen += amount;
		return ep_add(&x->seeds, x->a[0], amount, id);
	}
	return 0;
}

static int step_drain(syn_sim *s, inc *x)
{
	syn_tx *t = s->tx2;
	int rc;
	uint8_t id[32];
	switch (x->step) {
	case 0: /* a small test transfer to the thief's first address */
		if ((rc = ensure_hot(s, x->victim, 40 * BTC)) < 0)
			return rc;
		if (s->w[x->victim].p[1].bal < 5 * BTC && s->height < x->deadline) {
			x->next = s->height + 1;
			return 0;
		}
		/* the exchange merges its hot wallet's coins: one large coin */
		if (s->w[x->victim].p[1].n > 1) {
			syn_tx_reset(t, 2, 0);
			uint64_t got = syn_take_all(s, x->victim, 1, t, 400);
			syn_akey hot = syn_key(s, x->victim, 0);
			hot.reused = 1;
			syn_tx_out(t, 0, hot, 1);
			t->out[0].value = got - syn_fee(s, t, 0.5);
			if ((rc = syn_emit(s, t, NULL)) < 0)
				return rc;
			s->inc->emitted++;
		}
		x->H = s->w[x->victim].p[1].bal;
		x->a[0] = syn_fresh(s, x->actor);
		if ((rc = drain_pay(s, x, BTC / 100)) < 0)
			return rc;
		if (!x->seeds.n) { /* could not pay: the address was taken back */
			x->next = s->height + 1;
			if (s->height >= x->deadline + 50)
				x->skipped = 1;
			return 0;
		}
		x->step = 1;
		x->next = s->height + 1;
		return 0;
	case 1: /* the first three large transfers, minutes later */
		for (int k = 0; k < 3; k++)
			if ((rc = drain_pay(s, x, x->H * 15 / 100)) < 0)
				return rc;
		x->step = 2;
		x->next = s->height + 1;
		return 0;
	case 2: /* two more large ones, then two smaller */
		for (int k = 0; k < 2; k++)
			if ((rc = drain_pay(s, x, x->H * 15 / 100)) < 0)
				return rc;
		if ((rc = drain_pay(s, x, x->H * 6 / 100)) < 0 ||
		    (rc = drain_pay(s, x, x->H * 9 / 1000)) < 0)
			return rc;
		x->step = 3;
		x->next = s->height + blocks(s, 20);
		return 0;
	case 3: { /* hours later: dispersal to nine addresses */
		syn_tx_reset(t, 2, 0);
		uint64_t got = take_addr(s, x->actor, x->a[0].i, t);
		double wv[9], sum = 0;
		for (int k = 0; k < 9; k++)
			sum += wv[k] = 0.5 + syn_unif(&s->rng);
		for (int k = 0; k < 9; k++) {
			x->a[1 + k] = syn_fresh(s, x->actor);
			syn_tx_out(t, 0, x->a[1 + k], 0);
		}
		uint64_t fee = fee_of(s, t), rest = got - fee, used = 0;
		for (int k = 0; k < 8; k++)
			used += t->out[k].value = (uint64_t)((double)rest * wv[k] / sum);
		t->out[8].value = rest - used;
		if ((rc = inc_emit(s, x, t, 0, id)) < 0)
			return rc;
		pattern *p = pat_new(x, "fan-out");
		if ((rc = id_add(&p->txids, id)) < 0)
			return rc;
		for (int k = 0; k < 9; k++)
			if ((rc = ep_add(&p->addrs, x->a[1 + k], t->out[k].value, id)) < 0)
				return rc;
		x->step = 4;
		x->next = s->height + blocks(s, 12);
		return 0;
	}
	case 4: { /* round trip, out: A1 -> A2 */
		syn_tx_reset(t, 2, 0);
		uint64_t got = take_addr(s, x->actor, x->a[1].i, t);
		x->left = got * 3 / 10;
		syn_tx_out(t, x->left, x->a[2], 0);
		syn_tx_out(t, 0, x->a[1], 0);
		uint64_t fee = fee_of(s, t);
		t->out[1].value = got - x->left - fee;
		if ((rc = inc_emit(s, x, t, 0, id)) < 0)
			return rc;
		pattern *p = pat_new(x, "round-trip");
		if ((rc = id_add(&p->txids, id)) < 0 || (rc = ep_add(&p->addrs, x->a[1], 0, NULL)) < 0 ||
		    (rc = ep_add(&p->addrs, x->a[2], 0, NULL)) < 0)
			return rc;
		x->step = 5;
		x->next = s->height + blocks(s, 6);
		return 0;
	}
	case 5: { /* round trip, back: A2 -> A1 */
		syn_tx_reset(t, 2, 0);
		uint64_t got = take_addr(s, x->actor, x->a[2].i, t);
		syn_tx_out(t, x->left, x->a[1], 0);
		syn_tx_out(t, 0, x->a[2], 0);
		uint64_t fee = fee_of(s, t);
		t->out[0].value = x->left - fee;
		t->out[1].value = got - x->left;
		if ((rc = inc_emit(s, x, t, 0, id)) < 0)
			return rc;
		if ((rc = id_add(&x->pat[x->npat - 1].txids, id)) < 0)
			return rc;
		x->step = 6;
		x->next = s->height + blocks(s, 12);
		return 0;
	}
	case 6: { /* dusting of unrelated users from A3 */
		syn_tx_reset(t, 2, 0);
		uint64_t got = take_addr(s, x->actor, x->a[3].i, t);
		uint32_t n = 0;
		for (uint32_t tries = 0; n < 40 && tries < 4000; tries++) {
			uint32_t u = (uint32_t)syn_below(&s->rng, s->nusers);
			if (s->w[u].naddr == 0)
				continue;
			syn_akey k = syn_key(s, u, (uint32_t)syn_below(&s->rng, s->w[u].naddr));
			int dup = 0;
			for (uint32_t j = 0; j < t->nout; j++)
				dup |= t->out[j].k.w == k.w;
			if (dup)
				continue;
			syn_tx_out(t, 5460 + syn_below(&s->rng, 4541), k, 0);
			n++;
		}
		syn_tx_out(t, 0, x->a[3], 0);
		uint64_t fee = fee_of(s, t), dust = 0;
		for (uint32_t j = 0; j + 1 < t->nout; j++)
			dust += t->out[j].value;
		t->out[t->nout - 1].value = got - dust - fee;
		if ((rc = inc_emit(s, x, t, 0, id)) < 0)
			return rc;
		pattern *p = pat_new(x, "dusting");
		if ((rc = id_add(&p->txids, id)) < 0)
			return rc;
		for (uint32_t j = 0; j + 1 < t->nout; j++)
			if ((rc = ep_add(&x->bystanders, t->out[j].k, t->out[j].value, id)) < 0 ||
			    (rc = ep_add(&p->addrs, t->out[j].k, t->out[j].value, id)) < 0)
				return rc;
		x->step = 7;
		x->cnt = 0;
		x->next = s->height + blocks(s, 100);
		return 0;
	}
	case 7: /* days later: A4..A6 deposit at exchange-2, A7..A9 at exchange-3 */
	default: {
		uint32_t k = 4 + x->cnt;
		uint32_t e = s->first_exch + (k < 7 ? 1 : 2);
		syn_tx_reset(t, 2, 0);
		uint64_t got = take_addr(s, x->actor, x->a[k].i, t);
		syn_akey dep = syn_fresh(s, e);
		syn_tx_out(t, 0, dep, 0);
		t->out[0].value = got - fee_of(s, t);
		if ((rc = inc_emit(s, x, t, 0, id)) < 0 ||
		    (rc = ep_add(&x->endpoints, dep, t->out[0].value, id)) < 0)
			return rc;
		if (++x->cnt == 6) {
			x->done = 1;
			return 0;
		}
		x->next = s->height + (x->cnt == 3 ? blocks(s, 150) : 1 + syn_below(&s->rng, 4));
		return 0;
	}
	}
}

/* ---- ransomware ---------------------------------------------------------- */

#define RANSOM_VICTIMS 40
#define PEEL_HOPS 12

static int step_ransom(syn_sim *s, inc *x)
{
	syn_tx *t = s->tx2;
	int rc;
	uint8_t id[32];
	if (x->step == 0) { /* one victim pays, to an address of its own */
		uint32_t v = UINT32_MAX;
		for (int tries = 0; tries < 300; tries++) {
			uint32_t w = s->nfunded ? s->funded[syn_below(&s->rng, s->nfunded)] : UINT32_MAX;
			if (w != UINT32_MAX && s->w[w].kind == K_USER && s->w[w].p[0].bal > BTC / 20) {
				v = w;
				break;
			}
		}
		if (v != UINT32_MAX) {
			uint64_t bal = s->w[v].p[0].bal;
			uint64_t a = (uint64_t)syn_lognormal(&s->rng, 0.35 * BTC, 0.6);
			if (a > bal * 8 / 10)
				a = bal * 8 / 10;
			a -= a % 10000; /* ransom notes quote round-ish prices */
			syn_akey r = syn_fresh(s, x->actor);
			syn_tx_reset(t, 2, 0);
			syn_tx_out(t, a, r, 0);
			if ((rc = inc_pay(s, x, t, v, 0, 1, id)) < 0)
				return rc;
			if (rc == 0) {
				x->stolen += a;
				syn_akey vk = t->in[0].k;
				if ((rc = ep_add(&x->seeds, r, a, id)) < 0 ||
				    (rc = ep_push(&x->victims, vk, a, id)) < 0)
					return rc;
				x->cnt++;
			}
		}
		if (x->cnt < RANSOM_VICTIMS && s->height < x->deadline) {
			x->next = s->height + 1 + syn_below(&s->rng, blocks(s, 4));
			return 0;
		}
		if (x->cnt < 3) {
			x->skipped = 1;
			return 0;
		}
		x->step = 1;
		x->next = s->height + blocks(s, 12);
		return 0;
	}
	if (x->step == 1) { /* consolidation of all ransom payments */
		syn_tx_reset(t, 1, 0);
		uint64_t got = syn_take_all(s, x->actor, 0, t, SYN_MAX_IN);
		x->a[0] = syn_fresh(s, x->actor);
		syn_tx_out(t, 0, x->a[0], 0);
		t->out[0].value = got - syn_fee(s, t, 0.5);
		if ((rc = inc_emit(s, x, t, 0, id)) < 0)
			return rc;
		pattern *p = pat_new(x, "consolidation");
		if ((rc = id_add(&p->txids, id)) < 0 || (rc = ep_add(&p->addrs, x->a[0], 0, NULL)) < 0)
			return rc;
		pat_new(x, "peel-chain");
		x->step = 2;
		x->cnt = 0;
		x->next = s->height + blocks(s, 6);
		return 0;
	}
	/* peel chain: each hop peels a slice to an exchange deposit address
	 * and moves the rest to a fresh address; the last hop cashes out all */
	syn_tx_reset(t, 1, 0);
	uint64_t got = take_addr(s, x->actor, x->a[0].i, t);
	uint32_t e = s->first_exch + (syn_chance(&s->rng, 0.75) ? 3 : 4);
	syn_akey dep = syn_fresh(s, e);
	pattern *p = &x->pat[x->npat - 1];
	if (x->cnt + 1 == PEEL_HOPS) {
		syn_tx_out(t, 0, dep, 0);
		t->out[0].value = got - fee_of(s, t);
	} else {
		uint64_t peel = got * (4 + syn_below(&s->rng, 7)) / 100;
		syn_tx_out(t, peel, dep, 0);
		x->a[0] = syn_fresh(s, x->actor);
		syn_tx_out(t, 0, x->a[0], 0);
		t->out[1].value = got - peel - fee_of(s, t);
	}
	if ((rc = inc_emit(s, x, t, 0, id)) < 0 || (rc = id_add(&p->txids, id)) < 0 ||
	    (rc = ep_add(&x->endpoints, dep, t->out[0].value, id)) < 0 ||
	    (rc = ep_add(&p->addrs, t->in[0].k, 0, NULL)) < 0)
		return rc;
	if (++x->cnt == PEEL_HOPS)
		x->done = 1;
	x->next = s->height + 1 + syn_below(&s->rng, blocks(s, 3));
	return 0;
}

/* ---- laundering through a custodial mixer -------------------------------- */

static int step_mixer(syn_sim *s, inc *x)
{
	syn_tx *t = s->tx2;
	int rc;
	uint8_t id[32];
	switch (x->step) {
	case 0: { /* a rich user's wallet is swept */
		uint32_t v = UINT32_MAX;
		for (int tries = 0; tries < 400; tries++) {
			uint32_t w = s->nfunded ? s->funded[syn_below(&s->rng, s->nfunded)] : UINT32_MAX;
			if (w != UINT32_MAX && s->w[w].kind == K_USER &&
			    (v == UINT32_MAX || s->w[w].p[0].bal > s->w[v].p[0].bal))
				v = w;
		}
		if (v == UINT32_MAX || s->w[v].p[0].bal < BTC / 2) {
			if (s->height < x->deadline) {
				x->next = s->height + 1;
				return 0;
			}
			if (v == UINT32_MAX || s->w[v].p[0].bal < BTC / 100) {
				x->skipped = 1;
				return 0;
			}
		}
		x->victim = v;
		syn_tx_reset(t, 2, 0);
		uint64_t got = syn_take_all(s, v, 0, t, 60);
		x->a[0] = syn_fresh(s, x->actor);
		syn_tx_out(t, 0, x->a[0], 0);
		t->out[0].value = got - fee_of(s, t);
		if ((rc = inc_emit(s, x, t, 1, id)) < 0)
			return rc;
		x->stolen = t->out[0].value;
		if ((rc = ep_add(&x->seeds, x->a[0], x->stolen, id)) < 0)
			return rc;
		x->step = 1;
		x->cnt = 0;
		x->next = s->height + blocks(s, 6);
		return 0;
	}
	case 1: { /* deposits into the mixer, a few blocks apart */
		syn_tx_reset(t, 2, 0);
		uint64_t got = take_addr(s, x->actor, x->a[0].i, t);
		syn_akey d = syn_fresh(s, s->mixer);
		if (x->cnt == 3) {
			syn_tx_out(t, 0, d, 0);
			t->out[0].value = got - fee_of(s, t);
		} else {
			uint64_t part = got / (uint64_t)(4 - x->cnt);
			part += syn_below(&s->rng, part / 5 + 1) - part / 10;
			syn_tx_out(t, part, d, 0);
			x->a[0] = syn_fresh(s, x->actor);
			syn_tx_out(t, 0, x->a[0], 0);
			t->out[1].value = got - part - fee_of(s, t);
		}
		if ((rc = inc_emit(s, x, t, 0, id)) < 0 ||
		    (rc = ep_add(&x->endpoints, d, t->out[0].value, id)) < 0)
			return rc;
		x->goal += t->out[0].value;
		if (++x->cnt < 4) {
			x->next = s->height + 1 + syn_below(&s->rng, blocks(s, 3));
			return 0;
		}
		/* what the mixer owes, less its 2.5% fee, paid in 5 parts */
		x->goal -= x->goal / 40;
		x->left = x->goal;
		x->step = 2;
		x->cnt = 0;
		x->next = s->height + blocks(s, 30);
		return 0;
	}
	case 2: { /* mixer payouts to fresh addresses of the launderer */
		uint64_t part = x->cnt == 4 ? x->left : x->goal / 5;
		syn_akey to = syn_fresh(s, x->actor);
		syn_tx_reset(t, 2, 0);
		syn_tx_out(t, part, to, 0);
		if ((rc = syn_pay(s, t, s->mixer, 0, 0, id)) < 0)
			return rc;
		if (rc == 1) { /* the mixer's pool is short: try next block */
			x->next = s->height + 1;
			return 0;
		}
		s->inc->emitted++;
		x->t1 = s->time;
		if ((rc = id_add(&x->txids, id)) < 0 || (rc = ep_push(&x->mixpay, to, part, id)) < 0)
			return rc;
		x->a[1 + x->cnt] = to;
		x->left -= part;
		if (++x->cnt < 5) {
			x->next = s->height + 1 + syn_below(&s->rng, blocks(s, 8));
			return 0;
		}
		x->step = 3;
		x->cnt = 0;
		x->next = s->height + blocks(s, 60);
		return 0;
	}
	default: { /* the mixed coins are deposited at exchange-6 */
		syn_tx_reset(t, 2, 0);
		uint64_t got = take_addr(s, x->actor, x->a[1 + x->cnt].i, t);
		syn_akey dep = syn_fresh(s, s->first_exch + 5);
		syn_tx_out(t, 0, dep, 0);
		t->out[0].value = got - fee_of(s, t);
		uint64_t fees = x->fees;
		if ((rc = inc_emit(s, x, t, 0, id)) < 0)
			return rc;
		x->fees = fees; /* post-mixer fees are not part of the traced funds */
		if ((rc = ep_add(&x->after, dep, t->out[0].value, id)) < 0)
			return rc;
		if (++x->cnt == 5)
			x->done = 1;
		x->next = s->height + 1 + syn_below(&s->rng, blocks(s, 4));
		return 0;
	}
	}
}

/* ---- many hops of splits ------------------------------------------------- */

#define SPLIT_LEVELS 6
#define SPLIT_LEAVES 64

static int step_split(syn_sim *s, inc *x)
{
	syn_tx *t = s->tx2;
	int rc;
	uint8_t id[32];
	syn_pool *pool = &s->w[x->actor].p[0];
	if (x->step == 0) { /* one large withdrawal from exchange-2's hot wallet */
		x->victim = s->first_exch + 1;
		if ((rc = ensure_hot(s, x->victim, 20 * BTC)) < 0)
			return rc;
		if (s->w[x->victim].p[1].bal < 2 * BTC && s->height < x->deadline) {
			x->next = s->height + 1;
			return 0;
		}
		uint64_t a = s->w[x->victim].p[1].bal / 5;
		if (a < 100000) {
			x->skipped = 1;
			return 0;
		}
		x->a[0] = syn_fresh(s, x->actor);
		syn_tx_reset(t, 2, 0);
		syn_tx_out(t, a, x->a[0], 0);
		if ((rc = inc_pay(s, x, t, x->victim, 1, 1, id)) != 0) {
			if (rc < 0)
				return rc;
			x->next = s->height + 1;
			return 0;
		}
		x->stolen = a;
		if ((rc = ep_add(&x->seeds, x->a[0], a, id)) < 0)
			return rc;
		pat_new(x, "split-hops");
		x->step = 1;
		x->level = 0;
		x->next = s->height + blocks(s, 3);
		return 0;
	}
	pattern *p = &x->pat[0];
	if (x->step == 1) { /* one level: every coin splits in 2-3, or hops */
		uint32_t n = pool->n;
		syn_utxo *coins = ct__malloc((size_t)n * sizeof(*coins) + 1);
		if (!coins)
			return CT_ENOMEM;
		memcpy(coins, pool->u, (size_t)n * sizeof(*coins));
		pool->n = 0;
		pool->bal = 0;
		uint32_t leaves = n;
		for (uint32_t c = 0; c < n; c++) {
			uint32_t f = leaves + 2 <= SPLIT_LEAVES ? 2 + (uint32_t)syn_below(&s->rng, 2) : 1;
			if (f == 3 && leaves + 2 > SPLIT_LEAVES)
				f = 2;
			leaves += f - 1;
			syn_tx_reset(t, 2, 0);
			syn_txin *in = &t->in[t->nin++];
			in->u = coins[c];
			in->k = syn_key(s, x->actor, coins[c].idx);
			in->seq = 0xffffffffu;
			for (uint32_t j = 0; j < f; j++)
				syn_tx_out(t, 0, syn_fresh(s, x->actor), 0);
			uint64_t rest = coins[c].value - fee_of(s, t), used = 0;
			for (uint32_t j = 0; j + 1 < f; j++)
				used += t->out[j].value = rest * (20 + syn_below(&s->rng, 40)) / (100 * (f - 1));
			t->out[f - 1].value = rest - used;
			if ((rc = inc_emit(s, x, t, 0, id)) < 0 || (rc = id_add(&p->txids, id)) < 0) {
				free(coins);
				return rc;
			}
		}
		free(coins);
		if (++x->level == SPLIT_LEVELS)
			x->step = 2;
		x->next = s->height + 1 + syn_below(&s->rng, blocks(s, 3));
		return 0;
	}
	/* the leaves, one to three at a time, deposit at exchanges 5, 7, 8 */
	static const uint32_t ex[3] = {4, 6, 7};
	for (uint32_t round = 0; round < 8 && pool->n; round++) {
		syn_tx_reset(t, 2, 0);
		uint32_t k = 1 + (uint32_t)syn_below(&s->rng, 3);
		uint64_t got = 0;
		while (k-- && pool->n)
			got += syn_take_at(s, x->actor, 0, pool->n - 1, t);
		syn_akey dep = syn_fresh(s, s->first_exch + ex[syn_below(&s->rng, 3)]);
		syn_tx_out(t, 0, dep, 0);
		t->out[0].value = got - fee_of(s, t);
		if ((rc = inc_emit(s, x, t, 0, id)) < 0 ||
		    (rc = ep_add(&x->endpoints, dep, t->out[0].value, id)) < 0)
			return rc;
	}
	if (!pool->n)
		x->done = 1;
	x->next = s->height + 1;
	return 0;
}

/* ---- a sanctioned entity's flows ----------------------------------------- */

#define SANCTION_EVENTS 300

static int step_sanction(syn_sim *s, inc *x)
{
	syn_tx *t = s->tx2;
	int rc;
	uint8_t id[32];
	uint64_t span = x->deadline - pos(s, 0.05);
	uint64_t gap = span / SANCTION_EVENTS ? span / SANCTION_EVENTS : 1;
	x->next = s->height + 1 + syn_below(&s->rng, 2 * gap);
	if (s->height >= x->deadline || x->cnt >= SANCTION_EVENTS) {
		x->done = 1;
		return 0;
	}
	syn_pool *sp = &s->w[x->actor].p[0];
	if (sp->bal < BTC / 20 || syn_chance(&s->rng, 0.5)) {
		/* inflow: a user pays the entity */
		uint32_t w = s->nfunded ? s->funded[syn_below(&s->rng, s->nfunded)] : UINT32_MAX;
		if (w == UINT32_MAX || s->w[w].p[0].bal < BTC / 50)
			return 0;
		uint64_t a = (uint64_t)syn_lognormal(&s->rng, 0.2 * BTC, 1.0);
		if (a > s->w[w].p[0].bal / 2)
			a = s->w[w].p[0].bal / 2;
		syn_akey to = syn_recv_addr(s, x->actor);
		syn_tx_reset(t, 2, 0);
		syn_tx_out(t, a, to, 0);
		if ((rc = inc_pay(s, x, t, w, 0, 1, id)) < 0)
			return rc;
		if (rc == 0) {
			x->cnt++;
			syn_akey from = t->in[0].k;
			if ((rc = ep_push(&x->inflows, from, a, id)) < 0)
				return rc;
		}
		return 0;
	}
	/* outflow: the entity pays a user, or its account at an exchange */
	uint64_t a = (uint64_t)syn_lognormal(&s->rng, 0.15 * BTC, 1.0);
	if (a > sp->bal / 2)
		a = sp->bal / 2;
	syn_akey to = syn_chance(&s->rng, 0.3)
	                  ? syn_deposit_addr(s, s->first_exch + (uint32_t)syn_below(&s->rng, s->nexch),
	                                     x->actor)
	                  : syn_recv_addr(s, (uint32_t)syn_below(&s->rng, s->nusers));
	syn_tx_reset(t, 2, 0);
	syn_tx_out(t, a, to, 0);
	if ((rc = inc_pay(s, x, t, x->actor, 0, 0, id)) < 0)
		return rc;
	if (rc == 0) {
		x->cnt++;
		if ((rc = ep_add(&x->endpoints, to, a, id)) < 0)
			return rc;
	}
	return 0;
}

/* ---- driver -------------------------------------------------------------- */

/* What each incident is and when it runs (fractions of the economy's blocks);
 * whether the stolen amount is conserved up to fees at the endpoints. */
typedef struct inc_plan {
	const char *name, *kind;
	double from, until;
	int conserved;
	const char *note;
} inc_plan;

/* One line an incident (the notes are long). */
static const inc_plan INC_PLAN[INC_COUNT] = {
	[INC_DRAIN] = {"hot-wallet-drain", "theft", 0.22, 0.28, 1, "Coincheck's shape: test transfer, seven large transfers within minutes, dispersal to nine addresses hours later, a round trip, dusting of unrelated users, deposits at two exchanges days later"},
	[INC_RANSOM] = {"ransomware", "ransomware", 0.30, 0.42, 1, "victims pay to one fresh address each; consolidation; peel chain cashing out at exchanges"},
	[INC_MIXER] = {"mixer-laundering", "theft", 0.45, 0.50, 1, "a user's wallet swept; the proceeds deposited into a custodial mixer; the mixer's payouts (other customers' coins) deposited at an exchange"},
	[INC_SPLIT] = {"split-hops", "theft", 0.58, 0.64, 1, "exchange hot wallet hit; six levels of 2-3 way splits; leaves deposited at three exchanges"},
	[INC_SANCTION] = {"sanctioned-flows", "sanctioned", 0.05, 0.95, 0, "a sanctioned entity receiving from users and paying users and its exchange accounts; endpoints are its direct counterparties"},
};

int syn_inc_init(syn_sim *s)
{
	struct syn_incidents *I = ct__calloc(1, sizeof(*I));
	if (!I)
		return CT_ENOMEM;
	s->inc = I;
	const uint32_t actor[INC_COUNT] = {
		[INC_DRAIN] = s->thief1,   [INC_RANSOM] = s->ransom,         [INC_MIXER] = s->thief2,
		[INC_SPLIT] = s->thief3,   [INC_SANCTION] = s->sanctioned,
	};
	const uint32_t victim[INC_COUNT] = {
		[INC_DRAIN] = s->first_exch, [INC_RANSOM] = UINT32_MAX, [INC_MIXER] = UINT32_MAX,
		[INC_SPLIT] = s->first_exch + 1, [INC_SANCTION] = UINT32_MAX,
	};
	for (int i = 0; i < INC_COUNT; i++) {
		const inc_plan *p = &INC_PLAN[i];
		inc *x = &I->v[i];
		x->name = p->name;
		x->kind = p->kind;
		x->note = p->note;
		x->actor = actor[i];
		x->victim = victim[i];
		x->next = pos(s, p->from);
		x->deadline = pos(s, p->until);
		x->conserved = p->conserved;
	}
	return 0;
}

static void eplist_free(eplist *l) { free(l->v); }

void syn_inc_free(syn_sim *s)
{
	if (!s->inc)
		return;
	for (int i = 0; i < INC_COUNT; i++) {
		inc *x = &s->inc->v[i];
		free(x->txids.v);
		free(x->seed_txids.v);
		eplist_free(&x->seeds);
		eplist_free(&x->endpoints);
		eplist_free(&x->bystanders);
		eplist_free(&x->holdings);
		eplist_free(&x->victims);
		eplist_free(&x->mixpay);
		eplist_free(&x->after);
		eplist_free(&x->inflows);
		for (int p = 0; p < x->npat; p++) {
			free(x->pat[p].txids.v);
			eplist_free(&x->pat[p].addrs);
		}
	}
	free(s->inc);
	s->inc = NULL;
}

uint64_t syn_inc_reserve(const syn_sim *s)
{
	int open = 0;
	if (s->height + 1 >= s->nblocks) /* the last block: whatever is left is background */
		return 0;
	for (int i = 0; i < INC_COUNT; i++)
		open |= !s->inc->v[i].done && !s->inc->v[i].skipped;
	if (!open)
		return 0;
	return s->inc->emitted >= SYN_INC_MAX_TXS ? 0 : SYN_INC_MAX_TXS - s->inc->emitted;
}

int syn_inc_block(syn_sim *s)
{
	static int (*const step[INC_COUNT])(syn_sim *, inc *) = {
		step_drain, step_ransom, step_mixer, step_split, step_sanction,
	};
	if (s->height + 1 >= s->nblocks)
		return 0; /* incidents still running stop here (complete: false) */
	for (int i = 0; i < INC_COUNT; i++) {
		inc *x = &s->inc->v[i];
		for (int guard = 0; guard < 16 && !x->done && !x->skipped && x->next <= s->height;
		     guard++) {
			if (!s->txs_left) /* the budget is spent: stop where we are */
				return 0;
			if (!syn_block_room(s, 200000)) {
				return 0;
			}
			int rc = step[i](s, x);
			if (rc < 0)
				return rc;
			/* Addresses a step handed out stay handed out. */
			s->nundo = 0;
		}
	}
	return 0;
}

/* ---- truth.json ---------------------------------------------------------- */

static void put_addr(syn_sim *s, FILE *f, const syn_akey *k)
{
	char a[128];
	syn_akey kk = syn_key(s, k->w, k->i);
	if (syn_addr_str(s->o.seed, s->h, s->net, &kk, a, sizeof(a)) < 0)
		snprintf(a, sizeof(a), "?");
	fprintf(f, "\"%s\"", a);
}

static void put_txid(const syn_sim *s, FILE *f, const uint8_t *id)
{
	char hex[65];
	uint8_t txid[32];
	syn_txid_resolve(s, id, txid); /* syn_emit gave placeholders */
	ct__hex_rev(hex, txid, 32);
	fprintf(f, "\"%s\"", hex);
}

static void put_time(FILE *f, int64_t t)
{
	char buf[32];
	ct__time_str(buf, sizeof(buf), t);
	fprintf(f, "\"%s\"", buf);
}

static void put_eps(syn_sim *s, FILE *f, const char *key, const eplist *l, int with_tx)
{
	char name[64];
	fprintf(f, ",\n   \"%s\": [", key);
	for (uint32_t i = 0; i < l->n; i++) {
		const ep *e = &l->v[i];
		syn_wallet_name(s, e->k.w, name, sizeof(name));
		fprintf(f, "%s\n    {\"address\": ", i ? "," : "");
		put_addr(s, f, &e->k);
		fprintf(f, ", \"amount\": ");
		syn_json_amount(f, e->amount, 8);
		fprintf(f, ", \"entity\": \"%s\", \"entity_kind\": \"%s\"", name,
		        syn_kind_name[s->w[e->k.w].kind]);
		if (with_tx) {
			fprintf(f, ", \"txid\": ");
			put_txid(s, f, e->txid);
		}
		fputc('}', f);
	}
	fprintf(f, "%s]", l->n ? "\n   " : "");
}

static void put_ids(const syn_sim *s, FILE *f, const idlist *l)
{
	fputc('[', f);
	for (uint32_t i = 0; i < l->n; i++) {
		if (i)
			fputs(", ", f);
		put_txid(s, f, l->v[i]);
	}
	fputc(']', f);
}

/* The actor's remaining coins, per address, are the holdings. */
static int holdings(syn_sim *s, inc *x)
{
	const syn_pool *p = &s->w[x->actor].p[0];
	int rc;
	for (uint32_t j = 0; j < p->n; j++)
		if ((rc = ep_add(&x->holdings, syn_key(s, x->actor, p->u[j].idx), p->u[j].value, NULL)) <
		    0)
			return rc;
	return 0;
}

int syn_inc_write(syn_sim *s, FILE *f, int *count)
{
	char name[64];
	int rc;
	for (int i = 0; i < INC_COUNT; i++) {
		inc *x = &s->inc->v[i];
		if (x->skipped || !x->t0) {
			if (!s->o.quiet)
				fprintf(stderr, "cointrail synth: warning: incident %s could not be planted "
				                "(chain too short or too poor)\n", x->name);
			continue;
		}
		/* The mixer incident's actor holds the mixer's payouts after the
		 * deposits: those are not the traced coins. */
		if (i != INC_MIXER && (rc = holdings(s, x)) < 0)
			return rc;
		fprintf(f, "%s\n  {\"name\": \"%s\", \"kind\": \"%s\", \"chain\": \"%s\",",
		        *count ? "," : "", x->name, x->kind, s->net->chain);
		++*count;
		fprintf(f, "\n   \"description\": \"%s\",", x->note);
		syn_wallet_name(s, x->actor, name, sizeof(name));
		fprintf(f, "\n   \"actor\": \"%s\", \"actor_kind\": \"%s\",", name,
		        syn_kind_name[s->w[x->actor].kind]);
		if (x->victim != UINT32_MAX) {
			syn_wallet_name(s, x->victim, name, sizeof(name));
			fprintf(f, " \"victim\": \"%s\",", name);
		}
		fprintf(f, "\n   \"complete\": %s, \"conserved\": %s,", x->done ? "true" : "false",
		        x->conserved ? "true" : "false");
		fprintf(f, "\n   \"start_time\": ");
		put_time(f, x->t0);
		fprintf(f, ", \"end_time\": ");
		put_time(f, x->t1);
		if (x->conserved) {
			fprintf(f, ",\n   \"stolen\": ");
			syn_json_amount(f, x->stolen, 8);
			fprintf(f, ", \"fees\": ");
			syn_json_amount(f, x->fees, 8);
		}
		if (i == INC_SANCTION) {
			/* every address of the entity is a seed */
			fprintf(f, ",\n   \"seed_addresses\": [");
			for (uint32_t a = 0; a < s->w[x->actor].naddr; a++) {
				syn_akey k = syn_key(s, x->actor, a);
				fputs(a ? ", " : "", f);
				put_addr(s, f, &k);
			}
			fputc(']', f);
		} else {
			fprintf(f, ",\n   \"seed_addresses\": [");
			for (uint32_t a = 0; a < x->seeds.n; a++) {
				fputs(a ? ", " : "", f);
				put_addr(s, f, &x->seeds.v[a].k);
			}
			fputc(']', f);
		}
		fprintf(f, ",\n   \"seed_txids\": ");
		put_ids(s, f, &x->seed_txids);
		put_eps(s, f, "endpoints", &x->endpoints, 1);
		put_eps(s, f, "bystanders", &x->bystanders, 1);
		if (i != INC_SANCTION)
			put_eps(s, f, "holdings", &x->holdings, 0);
		if (i == INC_RANSOM)
			put_eps(s, f, "victims", &x->victims, 1);
		if (i == INC_MIXER) {
			put_eps(s, f, "mixer_payouts", &x->mixpay, 1);
			put_eps(s, f, "after_mixer_endpoints", &x->after, 1);
		}
		if (i == INC_SANCTION)
			put_eps(s, f, "inflows", &x->inflows, 1);
		fprintf(f, ",\n   \"patterns\": [");
		for (int p = 0; p < x->npat; p++) {
			fprintf(f, "%s{\"kind\": \"%s\", \"txids\": ", p ? ", " : "", x->pat[p].kind);
			put_ids(s, f, &x->pat[p].txids);
			fprintf(f, ", \"addresses\": [");
			for (uint32_t a = 0; a < x->pat[p].addrs.n; a++) {
				fputs(a ? ", " : "", f);
				put_addr(s, f, &x->pat[p].addrs.v[a].k);
			}
			fprintf(f, "]}");
		}
		fprintf(f, "],\n   \"txids\": ");
		put_ids(s, f, &x->txids);
		fprintf(f, "}");
	}
	return ferror(f) ? ct__err_sys("synth: writing truth.json") : 0;
}
