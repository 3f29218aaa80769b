/*
 * trace.h - the tracing engine's internals: the result being built (the
 * addresses reached, the flows, the conservation totals), the policy
 * arithmetic shared by both chain models, and the engines of the UTXO
 * (Bitcoin store) and account (transfers) models.
 *
 * Semantics: docs/tracing.md (for users) and docs/internals/trace.md
 * (layout, invariants, rounding). In short: amounts are exact integers in
 * base units; a haircut share is floor(T * w / D) plus one unit for the
 * largest remainders, so every edge is within one base unit of the exact
 * rational and every split sums exactly to what was split (conservation
 * is exact, not approximate).
 */
#ifndef CT_ANALYSIS_TRACE_H
#define CT_ANALYSIS_TRACE_H

#include "cointrail.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef unsigned __int128 ct_u128;

enum { CT_POL_POISON, CT_POL_HAIRCUT, CT_POL_FIFO, CT_POL_LIFO, CT_POL_TIHO };

/* Why taint stopped at an address (bits; an address may have several). */
enum {
	CT_END_UNSPENT = 1,   /* still held: the coin is unspent / the account keeps it */
	CT_END_SERVICE = 2,   /* a labelled exchange or other custodial service        */
	CT_END_HOPS = 4,      /* --max-hops reached                                    */
	CT_END_DUST = 8,      /* below --min-amount: cut off                           */
	CT_END_TIME = 16,     /* spent after --until (forward) / before --since (back)  */
	CT_END_COINBASE = 32, /* backward: newly mined coins                           */
	CT_END_UNKNOWN = 64,  /* backward: origin before the data / unresolved input    */
	CT_END_SEED = 128,    /* came back to a seed (counted once, as the seed)        */
	CT_END_BURNED = 256,  /* an output paying no address (OP_RETURN with value)     */
};
#define CT_END_COUNT 9

/* One address reached (per asset). A large trace has millions: 48 bytes,
 * no padding. Each amount keeps its low 64 bits here; the rare entry whose
 * amounts need more (an account-model token of 18 decimals) has the high
 * halves in the result's `hi` array: read and change them with
 * ct__tr_amt() and ct__tr_amt_add()/_sub(), never directly. */
enum { CT_AMT_RECEIVED, CT_AMT_HELD, CT_AMT_CUT, CT_AMT_SENT, CT_AMT_N };
typedef struct ct__tr_addr {
	uint64_t id;      /* address id (store or account model)                 */
	uint32_t hops;    /* fewest txs from a seed                              */
	uint16_t asset;   /* asset index (account model: < 4,096), 0 for Bitcoin */
	uint16_t reasons; /* CT_END_* bits, and CT_ADDR_SEED                     */
	/* low 64 bits of: the tainted amount that reached it (RECEIVED), of
	 * which stopped here (HELD, an endpoint) or below the dust cutoff
	 * (CUT), and the tainted amount it passed on (SENT) */
	uint64_t amt[CT_AMT_N];
} ct__tr_addr;
#define CT_ADDR_SEED 0x8000u /* in reasons: a seed address */

/* One flow: tainted value moving from one address to another in a tx. */
typedef struct ct__tr_flow {
	uint64_t from, to; /* address ids; UINT64_MAX: none (coinbase, unknown) */
	ct_u128 amount;
	uint64_t tx;       /* tx id (UTXO) or transfer index (account)          */
	int64_t time;
	uint32_t asset;
	uint32_t hops;     /* of the receiving side                             */
} ct__tr_flow;

/* A tx (or account step) that carried taint, for the pattern finder. */
typedef struct ct__tr_step {
	uint64_t tx;
	uint32_t n_in_tainted, n_in, n_out, n_out_tainted;
	uint32_t asset;
	int by_sender;           /* account model: all of from_addr's outflows   */
	ct_u128 tainted_in;
	uint64_t big_out_addr;   /* address of the largest tainted output        */
	uint64_t big_out_next;   /* tx that spent it (UINT64_MAX: none)          */
	ct_u128 big_out, small_out; /* largest and second tainted output amounts */
	uint64_t from_addr;      /* the largest tainted input's address          */
	uint32_t n_dust_out;     /* outputs below the dust threshold (UTXO: counted
	                            only in txs of 5 outputs or more)            */
	uint32_t n_new_out;      /* tainted outputs to addresses not among inputs
	                            (UTXO: counted only in txs of 3 or more)     */
} ct__tr_step; /* (ordered so that it has no padding: 112 bytes) */

/* Totals of one asset: seeds = held + fees + cut + returned. */
typedef struct ct__tr_totals {
	ct_u128 seeds, held, fees, cut, returned;
	ct_u128 by_reason[10]; /* held and cut split by CT_END_* bit index */
} ct__tr_totals;

/* Callbacks that let the result name things of either model. */
typedef struct ct__tr_namer {
	void *ctx;
	/* render address id as "ADDRESS" (no chain prefix) into buf */
	void (*addr)(void *ctx, uint64_t id, char *buf, size_t cap);
	/* render tx (UTXO tx id, account transfer index) into buf */
	void (*tx)(void *ctx, uint64_t tx, char *buf, size_t cap);
	/* cluster id "CHAIN:ADDRESS" or NULL when none */
	json_t *(*cluster)(void *ctx, uint64_t id);
	const char *chain;            /* "btc", "nem", ...                       */
	const char *const *assets;    /* asset names by index                    */
	const int *decimals;          /* decimals by asset index                 */
	size_t n_assets;
} ct__tr_namer;

/* A slot of the address map: the key beside the index, so a look-up
 * costs one cache line, not two. */
typedef struct ct__tr_slot {
	uint64_t id;
	uint32_t asset, idx1; /* index + 1 into addrs; 0 = empty */
} ct__tr_slot;

/* The result under construction. Memory grows with what the trace
 * reached, never with the chain. */
typedef struct ct__tr_res {
	ct__tr_addr *addrs;
	size_t n_addrs, cap_addrs;
	/* the amounts' high 64 bits, by entry (cap_addrs of them); NULL while
	 * every amount fits 64 bits (always, for Bitcoin) */
	uint64_t (*hi)[CT_AMT_N];
	struct ct__tr_slot *slots; /* open addressing over addrs */
	size_t n_slots, n_hashed; /* slots, addresses in them */
	/* asset 0, ids below n_dense: a direct index (idx + 1, 0 = none)
	 * instead of the slots; see ct__tr_res_dense() */
	uint32_t *dense;
	uint64_t n_dense;
	ct__tr_flow *flows;
	size_t n_flows, cap_flows, max_flows;
	uint64_t flows_dropped;
	ct__tr_step *steps;
	size_t n_steps, cap_steps;
	size_t fault_addrs, fault_steps, fault_flows; /* faulted in up to (trace_res.c) */
	ct__tr_totals *tot; /* per asset */
	size_t n_tot;
	uint64_t edges, txs; /* work done: inputs and outputs examined, txs */
	double seconds;      /* the engine's time (seeds and propagation)     */
	double cpu_seconds;  /* its CPU time (the machine may be shared)      */
	size_t peak_frontier; /* most outputs / accounts pending at once      */
	ct_u128 dust_threshold;  /* per-output threshold for the dusting pattern */
	int oom;
} ct__tr_res;

/* The address map's hash, and a prefetch of the slot a look-up starts at. */
static inline uint64_t ct__tr_mix(uint32_t asset, uint64_t id)
{
	uint64_t x = id * 0x9e3779b97f4a7c15ull ^ ((uint64_t)asset << 32 | asset);
	x ^= x >> 29;
	x *= 0xbf58476d1ce4e5b9ull;
	return x ^ (x >> 32);
}
static inline void ct__tr_prefetch_addr(const ct__tr_res *r, uint32_t asset, uint64_t id)
{
	if (!asset && id < r->n_dense)
		__builtin_prefetch(&r->dense[id]);
	else
		__builtin_prefetch(&r->slots[ct__tr_mix(asset, id) & (r->n_slots - 1)]);
}

int ct__tr_res_init(ct__tr_res *r, size_t n_assets, size_t max_flows);
/* Index the addresses of asset 0 with ids below n directly (4 bytes per
 * possible id, pages touched on demand) when n is small enough that this
 * beats the hash map; a no-op otherwise. */
void ct__tr_res_dense(ct__tr_res *r, uint64_t n);
void ct__tr_res_free(ct__tr_res *r);
/* The entry of (asset, id), created with hops = UINT32_MAX; NULL on OOM. */
ct__tr_addr *ct__tr_addr_get(ct__tr_res *r, uint32_t asset, uint64_t id);
ct__tr_addr *ct__tr_addr_find(const ct__tr_res *r, uint32_t asset, uint64_t id);
void ct__tr_flow_add(ct__tr_res *r, const ct__tr_flow *f);
void ct__tr_step_add(ct__tr_res *r, const ct__tr_step *s);
/* Amount f (CT_AMT_*) of entry a, all 128 bits. */
static inline ct_u128 ct__tr_amt(const ct__tr_res *r, const ct__tr_addr *a, unsigned f)
{
	ct_u128 v = a->amt[f];
	if (r->hi)
		v |= (ct_u128)r->hi[a - r->addrs][f] << 64;
	return v;
}
/* Add hi_delta (mod 2^64) to the high half of amount f: the slow path of
 * the two below (sets r->oom when the high halves cannot be allocated). */
void ct__tr_amt_carry(ct__tr_res *r, ct__tr_addr *a, unsigned f, uint64_t hi_delta);
/* Amount f of entry a += v / -= v, modulo 2^128 like a ct_u128. */
static inline void ct__tr_amt_add(ct__tr_res *r, ct__tr_addr *a, unsigned f, ct_u128 v)
{
	uint64_t hi = (uint64_t)(v >> 64);
	hi += __builtin_add_overflow(a->amt[f], (uint64_t)v, &a->amt[f]);
	if (hi)
		ct__tr_amt_carry(r, a, f, hi);
}
static inline void ct__tr_amt_sub(ct__tr_res *r, ct__tr_addr *a, unsigned f, ct_u128 v)
{
	uint64_t hi = (uint64_t)(v >> 64);
	hi += __builtin_sub_overflow(a->amt[f], (uint64_t)v, &a->amt[f]);
	if (hi)
		ct__tr_amt_carry(r, a, f, (uint64_t)0 - hi);
}
/* Record that `amount` stopped at address entry a for reason bit. */
void ct__tr_stop(ct__tr_res *r, ct__tr_addr *a, ct_u128 amount, unsigned reason);
/* Its two halves, for engines that apply entry updates later. */
void ct__tr_stop_entry(ct__tr_res *r, ct__tr_addr *a, ct_u128 amount, unsigned reason);
void ct__tr_stop_totals(ct__tr_res *r, uint32_t asset, ct_u128 amount, unsigned reason);

/* Exact splits (see the top of this file). ------------------------------ */

/* out[k] = T * w[k] / D rounded by largest remainder, sum(out) == T when
 * sum(w) == D. T <= D. scratch needs n entries. */
void ct__tr_split64(uint64_t T, const uint64_t *w, size_t n, uint64_t D, uint64_t *out,
                    uint64_t *scratch);
void ct__tr_split128(ct_u128 T, const ct_u128 *w, size_t n, ct_u128 D, ct_u128 *out,
                     ct_u128 *scratch);
/* Lay `src` segments end to end (segment k: len[k], of which the first
 * tainted[k] units tainted) against `dst` segments end to end; out[m] =
 * tainted units inside dst segment m. Lengths must sum to the same. */
void ct__tr_align(const uint64_t *len, const uint64_t *tainted, size_t ns, const uint64_t *dst,
                  size_t nd, uint64_t *out);

/* Patterns found in the result (JSON array): the `max` with the most
 * tainted value (0: all), in the order found; *found counts them all. */
json_t *ct__tr_patterns(const ct__tr_res *r, const ct__tr_namer *nm, size_t max, uint64_t *found);
/* The k best of items 0..n-1 (before(ctx, a, b): a ranks above b, a
 * strict total order) into h[0..], unordered; returns how many (min(n, k)).
 * One pass with a bounded heap whose root is the worst kept. */
size_t ct__tr_topk(size_t n, size_t k, int (*before)(const void *ctx, size_t a, size_t b),
                   const void *ctx, size_t *h);
/* Whether a step can be part of a pattern (others are not kept). */
int ct__tr_step_wanted(const ct__tr_step *s);

/* The trace --json document (trace_doc.c), written as text straight from
 * the result: a large trace lists millions of addresses and flows, too
 * many for a tree of JSON values. `labels` may be NULL; takes `seeds`.
 * NULL on out of memory. */
struct ct_labels;
char *ct__tr_doc(const ct__tr_res *r, const ct__tr_namer *nm, struct ct_labels *labels,
                 const ct_trace_options *o, json_t *seeds);

/* u128 as a decimal string with `dec` decimals (cap >= 48). */
void ct__u128_amount(char *out, size_t cap, ct_u128 v, int dec);
/* Parse an amount in asset units into base units. -1 on error. */
int ct__u128_parse(ct_u128 *out, const char *s, int dec);
/* ISO 8601 (with Z or +hh:mm) or Unix seconds; -1 on error. */
int ct__time_parse(int64_t *out, const char *s);

/* Policy by name, -1 when unknown. */
int ct__tr_policy(const char *name);
const char *ct__tr_policy_name(int p);
/* Reason names and "is this category a custodial service we stop at". */
const char *ct__tr_reason_name(unsigned bit);
int ct__tr_stop_category(const char *category);

/* The engines. */
struct ct_db;
int ct__trace_btc(struct ct_db *db, char **out, const ct_trace_options *o, int *handled);
int ct__trace_acct(struct ct_db *db, char **out, const ct_trace_options *o, int *handled);

#endif
