/*
 * wallet.c - the wallets of the simulated economy and their coins.
 *
 * A wallet is an entity of truth.json: a user, a merchant, an exchange,
 * a mining pool, a service or an incident actor. It owns
 *  - addresses: index i of wallet w is a pure function of (seed, w, i),
 *    so only the count handed out is stored; exchanges also give each
 *    customer one persistent deposit address (index SYN_DEP_BASE + the
 *    customer's wallet id), remembered in a bitmap;
 *  - at most two pools of spendable outputs, each capped. When a user's
 *    pool is full the smallest coin is forgotten: it stays unspent on
 *    chain, as dust and lost coins do, and memory stays bounded by the
 *    number of wallets whatever the length of the chain (the serialiser
 *    is told, so that the txid table lets go of it too).
 */
#include "synth/synth.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "util/error.h"

const char *const syn_kind_name[K_KIND_COUNT] = {
	"user", "merchant", "exchange", "miner", "mixer",
	"coordinator", "sanctioned", "ransomware", "thief",
};

/* Script types of users' wallets. Legacy mode (no segwit) keeps the
 * pre-2017 split of inputs: 84% P2PKH, 16% P2SH (nearly all multisig). */
static uint8_t user_type(syn_sim *s)
{
	double u = syn_unif(&s->rng);
	if (s->o.legacy)
		return u < 0.84 ? ST_P2PKH : ST_P2SH_MS;
	if (u < 0.42) return ST_P2PKH;
	if (u < 0.62) return ST_P2SH_WPKH;
	if (u < 0.86) return ST_P2WPKH;
	if (u < 0.91) return ST_P2SH_MS;
	if (u < 0.94) return ST_P2WSH;
	return ST_P2TR;
}

static uint8_t single_key_type(syn_sim *s, double segwit_share)
{
	if (s->o.legacy || !syn_chance(&s->rng, segwit_share))
		return ST_P2PKH;
	return syn_chance(&s->rng, 0.5) ? ST_P2WPKH : ST_P2SH_WPKH;
}

void *syn_big_calloc(size_t n)
{
	const size_t huge = (size_t)2 << 20;
	if (!n)
		n = 1;
	/* fresh pages are zero, and touched only when used */
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
#ifdef MADV_HUGEPAGE
	/* whole huge pages only (a partly used one would cost its 2 MiB);
	 * only advice, so a failure is harmless */
	uintptr_t a = ((uintptr_t)p + huge - 1) & ~(uintptr_t)(huge - 1);
	uintptr_t e = ((uintptr_t)p + n) & ~(uintptr_t)(huge - 1);
	if (e > a)
		madvise((void *)a, e - a, MADV_HUGEPAGE);
#endif
	return p;
}

void syn_big_free(void *p, size_t n)
{
	if (p)
		munmap(p, n ? n : 1);
}

static void setup(syn_sim *s, uint32_t w, int kind, uint16_t sub, uint8_t type, uint32_t max0,
                  uint32_t max1)
{
	syn_wallet *x = &s->w[w];
	memset(x, 0, sizeof(*x));
	x->kind = (uint8_t)kind;
	x->sub = sub;
	x->type = type;
	x->htype = type;
	x->p[0].max = max0;
	x->p[1].max = max1;
	if (max0 <= SYN_POOL_INLINE) {
		x->p[0].u = x->in;
		x->p[0].cap = max0;
	}
	x->fpos = UINT32_MAX;
}

int syn_wallets_init(syn_sim *s)
{
	uint64_t u = s->o.txs / 25;
	s->nusers = (uint32_t)(u < 500 ? 500 : u > 1000000 ? 1000000 : u);
	s->nmerch = s->nusers / 200 < 20 ? 20 : s->nusers / 200;
	s->nexch = 8;
	s->nminer = 6;
	s->first_merch = s->nusers;
	s->first_exch = s->first_merch + s->nmerch;
	s->first_miner = s->first_exch + s->nexch;
	s->mixer = s->first_miner + s->nminer;
	s->whirl = s->mixer + 1;
	s->wasabi = s->whirl + 1;
	s->sanctioned = s->wasabi + 1;
	s->thief1 = s->sanctioned + 1;
	s->thief2 = s->thief1 + 1;
	s->thief3 = s->thief2 + 1;
	s->ransom = s->thief3 + 1;
	s->nw = s->ransom + 1;

	s->w = syn_big_calloc((size_t)s->nw * sizeof(*s->w));
	s->funded = ct__calloc(s->nw, sizeof(*s->funded));
	s->depbits = ct__calloc(s->nexch, sizeof(*s->depbits));
	if (!s->w || !s->funded || !s->depbits)
		return CT_ENOMEM;
	for (uint32_t e = 0; e < s->nexch; e++)
		if (!(s->depbits[e] = ct__calloc((s->nw + 7) / 8, 1)))
			return CT_ENOMEM;

	for (uint32_t w = 0; w < s->nusers; w++) {
		setup(s, w, K_USER, 0, user_type(s), 12, 0);
		if (s->w[w].type == ST_P2PKH && syn_chance(&s->rng, 0.06))
			s->w[w].flags |= SYN_WF_UCOMP;
		/* BitMEX Research (2018): about half of all outputs go to
		 * addresses used before; heavy reusers carry most of it. */
		if (syn_chance(&s->rng, 0.45))
			s->w[w].flags |= SYN_WF_REUSER;
	}
	for (uint32_t m = 0; m < s->nmerch; m++)
		setup(s, s->first_merch + m, K_MERCHANT, (uint16_t)m, single_key_type(s, 0.5), 64, 0);
	/* Exchange volume shares fall off like 1/rank. */
	double acc = 0;
	for (uint32_t e = 0; e < s->nexch; e++) {
		uint32_t w = s->first_exch + e;
		setup(s, w, K_EXCHANGE, (uint16_t)e, single_key_type(s, 0.6), 4096, 256);
		s->w[w].htype = s->o.legacy ? ST_P2SH_MS : (e % 2 ? ST_P2SH_MS : ST_P2WSH);
		s->w[w].nh = 8;
		s->w[w].naddr = 8;
		acc += 1.0 / (e + 1);
		s->exch_cw[e] = acc;
	}
	/* Mining pools: shares like the largest pools' of early 2018. */
	static const double shares[6] = {0.27, 0.20, 0.16, 0.14, 0.12, 0.11};
	acc = 0;
	for (uint32_t m = 0; m < s->nminer; m++) {
		uint32_t w = s->first_miner + m;
		setup(s, w, K_MINER, (uint16_t)m, single_key_type(s, 0.3), 512, 0);
		s->w[w].htype = ST_P2PK;
		s->w[w].nh = 1;
		s->w[w].naddr = 2; /* 0: early P2PK key, 1: the pool's payout address */
		acc += shares[m];
		s->miner_cw[m] = acc;
	}
	setup(s, s->mixer, K_MIXER, 0, single_key_type(s, 0.5), 4096, 0);
	setup(s, s->whirl, K_COORDINATOR, 0, s->o.legacy ? ST_P2PKH : ST_P2WPKH, 64, 0);
	setup(s, s->wasabi, K_COORDINATOR, 1, s->o.legacy ? ST_P2PKH : ST_P2WPKH, 64, 0);
	setup(s, s->sanctioned, K_SANCTIONED, 0, ST_P2PKH, 1024, 0);
	s->w[s->sanctioned].flags |= SYN_WF_REUSER;
	setup(s, s->thief1, K_THIEF, 0, single_key_type(s, 0.5), 1u << 20, 0);
	setup(s, s->thief2, K_THIEF, 1, single_key_type(s, 0.5), 1u << 20, 0);
	setup(s, s->thief3, K_THIEF, 2, single_key_type(s, 0.5), 1u << 20, 0);
	setup(s, s->ransom, K_RANSOMWARE, 0, ST_P2PKH, 1u << 20, 0);
	return 0;
}

void syn_wallets_free(syn_sim *s)
{
	if (s->w)
		for (uint32_t w = 0; w < s->nw; w++) {
			if (s->w[w].p[0].u != s->w[w].in)
				free(s->w[w].p[0].u);
			free(s->w[w].p[1].u);
		}
	if (s->depbits)
		for (uint32_t e = 0; e < s->nexch; e++)
			free(s->depbits[e]);
	free(s->depbits);
	syn_big_free(s->w, (size_t)s->nw * sizeof(*s->w));
	free(s->funded);
}

void syn_wallet_name(const syn_sim *s, uint32_t w, char *out, size_t cap)
{
	const syn_wallet *x = &s->w[w];
	if (w == s->whirl)
		snprintf(out, cap, "coordinator-whirlpool");
	else if (w == s->wasabi)
		snprintf(out, cap, "coordinator-wasabi");
	else
		snprintf(out, cap, "%s-%u", syn_kind_name[x->kind],
		         (unsigned)(x->kind == K_USER ? w : x->sub) + 1);
}

uint8_t syn_addr_type(const syn_sim *s, uint32_t w, uint32_t i)
{
	const syn_wallet *x = &s->w[w];
	return i < x->nh ? x->htype : x->type;
}

syn_akey syn_key(const syn_sim *s, uint32_t w, uint32_t i)
{
	syn_akey k;
	k.w = w;
	k.i = i;
	k.type = syn_addr_type(s, w, i);
	k.ucomp = k.type == ST_P2PKH && (s->w[w].flags & SYN_WF_UCOMP);
	k.reused = 0;
	return k;
}

static void log_undo(syn_sim *s, uint32_t w, uint32_t cust, uint8_t what)
{
	if (s->nundo == CT_ARRAY_LEN(s->undo)) {
		s->undo_lost = 1;
		return;
	}
	s->undo[s->nundo].w = w;
	s->undo[s->nundo].cust = cust;
	s->undo[s->nundo++].what = what;
}

void syn_undo(syn_sim *s)
{
	while (s->nundo) {
		struct syn_undo *u = &s->undo[--s->nundo];
		if (u->what == 0) {
			s->w[u->w].naddr--;
		} else {
			uint8_t *bits = s->depbits[u->w - s->first_exch];
			bits[u->cust / 8] &= (uint8_t)~(1u << (u->cust % 8));
		}
	}
}

void syn_unfresh(syn_sim *s, const syn_akey *k)
{
	if (k->reused || !s->nundo)
		return;
	struct syn_undo *u = &s->undo[s->nundo - 1];
	if (u->what == 0 && u->w == k->w && s->w[k->w].naddr == k->i + 1) {
		s->nundo--;
		s->w[k->w].naddr--;
	}
}

syn_akey syn_fresh(syn_sim *s, uint32_t w)
{
	log_undo(s, w, 0, 0);
	return syn_key(s, w, s->w[w].naddr++);
}

syn_akey syn_recv_addr(syn_sim *s, uint32_t w)
{
	syn_wallet *x = &s->w[w];
	double p = x->flags & SYN_WF_REUSER ? 0.8 : x->kind == K_USER ? 0.04 : 0.02;
	if (x->naddr > x->nh && syn_chance(&s->rng, p)) {
		uint32_t i = syn_chance(&s->rng, 0.5) ? x->naddr - 1
		                                      : x->nh + (uint32_t)syn_below(&s->rng, x->naddr - x->nh);
		syn_akey k = syn_key(s, w, i);
		k.reused = 1;
		return k;
	}
	return syn_fresh(s, w);
}

syn_akey syn_deposit_addr(syn_sim *s, uint32_t e, uint32_t cust)
{
	uint8_t *bits = s->depbits[e - s->first_exch];
	syn_akey k = syn_key(s, e, SYN_DEP_BASE + cust);
	k.reused = (bits[cust / 8] >> (cust % 8)) & 1;
	if (!k.reused) {
		bits[cust / 8] |= (uint8_t)(1u << (cust % 8));
		log_undo(s, e, cust, 1);
	}
	return k;
}

syn_akey syn_change_addr(syn_sim *s, uint32_t w, const syn_tx *t)
{
	syn_wallet *x = &s->w[w];
	if (x->kind == K_EXCHANGE) {
		syn_akey k = syn_key(s, w, (uint32_t)syn_below(&s->rng, x->nh));
		k.reused = 1;
		return k;
	}
	if ((x->flags & SYN_WF_REUSER) && t->nin && t->in[0].k.w == w && syn_chance(&s->rng, 0.7)) {
		syn_akey k = t->in[0].k;
		k.reused = 1;
		return k;
	}
	return syn_fresh(s, w);
}

static int counts_funded(const syn_wallet *x)
{
	return x->kind == K_USER || x->kind == K_MERCHANT;
}

static void funded_add(syn_sim *s, uint32_t w)
{
	if (s->w[w].fpos != UINT32_MAX || !counts_funded(&s->w[w]))
		return;
	s->w[w].fpos = s->nfunded;
	s->funded[s->nfunded++] = w;
}

static void funded_del(syn_sim *s, uint32_t w)
{
	uint32_t pos = s->w[w].fpos;
	if (pos == UINT32_MAX)
		return;
	uint32_t last = s->funded[--s->nfunded];
	s->funded[pos] = last;
	s->w[last].fpos = pos;
	s->w[w].fpos = UINT32_MAX;
}

int syn_pool_add(syn_sim *s, uint32_t w, int pool, const syn_utxo *u)
{
	syn_pool *p = &s->w[w].p[pool];
	if (p->n == p->max) {
		/* Full: forget the smallest coin (it stays unspent on chain);
		 * big pools forget one at random rather than search. */
		uint32_t j = 0;
		if (p->max > 64)
			j = (uint32_t)syn_below(&s->rng, p->n);
		else
			for (uint32_t k = 1; k < p->n; k++)
				if (p->u[k].value < p->u[j].value)
					j = k;
		if (p->u[j].value >= u->value)
			return syn_drop(s, u->slot);
		int rc = syn_drop(s, p->u[j].slot);
		p->bal -= p->u[j].value;
		p->u[j] = *u;
		p->bal += u->value;
		return rc;
	}
	if (p->n == p->cap) {
		uint32_t cap = p->cap ? p->cap * 2 : 4;
		if (cap > p->max)
			cap = p->max;
		syn_utxo *nu = ct__realloc(p->u, (size_t)cap * sizeof(*nu));
		if (!nu)
			return CT_ENOMEM;
		p->u = nu;
		p->cap = cap;
	}
	p->u[p->n++] = *u;
	p->bal += u->value;
	if (pool == 0)
		funded_add(s, w);
	return 0;
}

uint64_t syn_take_at(syn_sim *s, uint32_t w, int pool, uint32_t j, syn_tx *t)
{
	syn_pool *p = &s->w[w].p[pool];
	syn_txin *in = &t->in[t->nin++];
	in->u = p->u[j];
	in->k = syn_key(s, w, in->u.idx);
	in->seq = t->locktime ? 0xfffffffeu : 0xffffffffu;
	p->bal -= in->u.value;
	p->u[j] = p->u[--p->n];
	if (pool == 0 && p->n == 0)
		funded_del(s, w);
	return in->u.value;
}

uint64_t syn_select(syn_sim *s, uint32_t w, int pool, uint64_t amount, syn_tx *t,
                    uint32_t max_in)
{
	syn_pool *p = &s->w[w].p[pool];
	uint64_t got = 0;
	if (max_in > SYN_MAX_IN - t->nin)
		max_in = SYN_MAX_IN - t->nin;
	/* Most wallets find one coin that covers the payment: prefer the
	 * smallest such coin when there is one, like Core's selection. */
	if (p->n && p->n <= 512 && syn_chance(&s->rng, 0.75)) {
		uint32_t best = UINT32_MAX;
		for (uint32_t k = 0; k < p->n; k++)
			if (p->u[k].value >= amount && (best == UINT32_MAX || p->u[k].value < p->u[best].value))
				best = k;
		if (best != UINT32_MAX && max_in)
			return syn_take_at(s, w, pool, best, t);
	}
	uint32_t used = 0;
	while (got < amount && p->n && used < max_in) {
		got += syn_take_at(s, w, pool, (uint32_t)syn_below(&s->rng, p->n), t);
		used++;
	}
	return got;
}

uint64_t syn_take_all(syn_sim *s, uint32_t w, int pool, syn_tx *t, uint32_t max_in)
{
	syn_pool *p = &s->w[w].p[pool];
	uint64_t got = 0;
	if (max_in > SYN_MAX_IN - t->nin)
		max_in = SYN_MAX_IN - t->nin;
	while (p->n && max_in--)
		got += syn_take_at(s, w, pool, p->n - 1, t);
	return got;
}
