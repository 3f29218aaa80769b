/*
 * trace_res.c - the tracing result shared by both chain models: the
 * addresses reached (hash map keyed by asset and address id), the flows,
 * the conservation totals; the exact split and alignment arithmetic of the
 * policies; amounts and times as text. The document: trace_doc.c.
 */
#include "analysis/trace.h"
#include "labels/labels.h"
#include "util/bigmem.h"
#include "util/error.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- names ------------------------------------------------------------- */

static const char *const POLICIES[] = {"poison", "haircut", "fifo", "lifo", "tiho"};

int ct__tr_policy(const char *name)
{
	if (!name)
		return CT_POL_HAIRCUT;
	for (size_t i = 0; i < CT_ARRAY_LEN(POLICIES); i++)
		if (!strcmp(name, POLICIES[i]))
			return (int)i;
	return -1;
}

const char *ct__tr_policy_name(int p) { return POLICIES[p]; }

static const char *const REASONS[] = {"unspent", "service", "hop-limit", "dust", "time-limit",
                                      "coinbase", "unknown-origin", "seed", "burned"};

const char *ct__tr_reason_name(unsigned bit)
{
	for (unsigned i = 0; i < CT_ARRAY_LEN(REASONS); i++)
		if (bit == 1u << i)
			return REASONS[i];
	return "?";
}

/* Custodial services: they pool their customers' coins, so what leaves
 * them is not the coins that came in. Tracing stops there. */
int ct__tr_stop_category(const char *c)
{
	return !strcmp(c, "exchange") || !strcmp(c, "mixer") || !strcmp(c, "gambling") ||
	       !strcmp(c, "darknet-market");
}

/* ---- amounts and times ------------------------------------------------- */

void ct__u128_amount(char *out, size_t cap, ct_u128 v, int dec)
{
	char digits[64];
	int n = 0;
	do {
		digits[n++] = (char)('0' + (int)(v % 10));
		v /= 10;
	} while (v);
	while (n <= dec)
		digits[n++] = '0';
	size_t k = 0;
	for (int i = n - 1; i >= 0 && k + 2 < cap; i--) {
		out[k++] = digits[i];
		if (i == dec && dec > 0)
			out[k++] = '.';
	}
	out[k] = '\0';
}

int ct__u128_parse(ct_u128 *out, const char *s, int dec)
{
	ct_u128 v = 0;
	const ct_u128 max = ~(ct_u128)0 >> 1;
	int frac = -1, any = 0;
	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		if (*s == '.') {
			if (frac >= 0)
				return -1;
			frac = 0;
			continue;
		}
		if (!isdigit((unsigned char)*s))
			return -1;
		if (frac >= 0 && ++frac > dec)
			return -1;
		ct_u128 d = (ct_u128)(*s - '0');
		if (v > (max - d) / 10) /* exact: every value up to max parses */
			return -1;
		v = v * 10 + d;
		any = 1;
	}
	if (!any)
		return -1;
	for (int i = frac < 0 ? 0 : frac; i < dec; i++) {
		if (v > max / 10)
			return -1;
		v *= 10;
	}
	*out = v;
	return 0;
}

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

int ct__time_parse(int64_t *out, const char *s)
{
	if (!s || !*s)
		return -1;
	if (strspn(s, "0123456789") == strlen(s)) {
		if (strlen(s) > 12)
			return -1;
		*out = strtoll(s, NULL, 10);
		return 0;
	}
	int Y, M, D, h = 0, mi = 0, se = 0, n = 0;
	if (sscanf(s, "%4d-%2d-%2d%n", &Y, &M, &D, &n) != 3 || n != 10)
		return -1;
	const char *p = s + 10;
	if (*p == 'T' || *p == ' ') {
		int k = 0;
		if (sscanf(p + 1, "%2d:%2d%n", &h, &mi, &k) != 2 || k != 5)
			return -1;
		p += 1 + k;
		if (*p == ':') {
			if (sscanf(p + 1, "%2d%n", &se, &k) != 1 || k != 2)
				return -1;
			p += 3;
		}
	}
	int64_t off = 0;
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int oh, om, k = 0;
		if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &k) != 2 || k != 5 || oh > 23 || om > 59)
			return -1;
		off = (oh * 3600 + om * 60) * (*p == '+' ? 1 : -1);
		p += 1 + k;
	} else if (*p) {
		return -1;
	} else if (s[10]) {
		return -1; /* a time needs a zone: UTC is written Z */
	}
	if (*p || M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || mi > 59 || se > 60)
		return -1;
	*out = days_from_civil(Y, (unsigned)M, (unsigned)D) * 86400 + h * 3600 + mi * 60 + se - off;
	return 0;
}

/* ---- exact splits ------------------------------------------------------ */

/* p / D and p % D for p <= D * 2^64 (so the quotient fits 64 bits): a
 * quotient estimated in floating point, then corrected by exact integer
 * arithmetic (the estimate is within a few units: 53 bits of precision on
 * a quotient below 2^64), instead of a 128-bit division, which is the
 * slowest instruction sequence in the tracer's inner loop. */
static inline void divide(ct_u128 p, uint64_t D, uint64_t *q, uint64_t *r)
{
	if (!(p >> 64)) {
		*q = (uint64_t)p / D;
		*r = (uint64_t)p % D;
		return;
	}
	double e = (double)p / (double)D;
	if (e >= 18446744073709551616.0 || e < 1.0) {
		*q = (uint64_t)(p / D); /* outside the estimate's range */
		*r = (uint64_t)(p % D);
		return;
	}
	uint64_t g = (uint64_t)e;
	ct_u128 gd = (ct_u128)g * D;
	while (gd > p) { /* too large */
		g--;
		gd -= D;
	}
	while (p - gd >= D) { /* too small */
		g++;
		gd += D;
	}
	*q = g;
	*r = (uint64_t)(p - gd);
}

/* The k-th largest (k from 0) of c[0..n) (reorders c): quickselect with
 * a three-way partition (many remainders are equal). */
static uint64_t kth_largest(uint64_t *c, size_t n, size_t k)
{
	ptrdiff_t lo = 0, hi = (ptrdiff_t)n - 1, kk = (ptrdiff_t)k;
	while (lo < hi) {
		uint64_t p = c[lo + (hi - lo) / 2];
		/* [lo, lt) > p, [lt, i) == p, (gt, hi] < p */
		ptrdiff_t lt = lo, i = lo, gt = hi;
		while (i <= gt) {
			uint64_t x = c[i];
			if (x > p) {
				c[i++] = c[lt];
				c[lt++] = x;
			} else if (x < p) {
				c[i] = c[gt];
				c[gt--] = x;
			} else {
				i++;
			}
		}
		if (kk < lt)
			hi = lt - 1;
		else if (kk > gt)
			lo = gt + 1;
		else
			return p;
	}
	return c[lo];
}

/* The `left` units to the largest remainders among non-zero weights
 * (ties: lowest k), in linear time: the left-th largest remainder is the
 * threshold; every remainder above it gets a unit, and of those equal to
 * it the first ones. key[k] is the remainder + 1 for a non-zero weight, 0
 * for none. 0 when out of memory (the caller then scans). */
static int split_select(const uint64_t *key, size_t n, uint64_t left, uint64_t *out)
{
	uint64_t stack[256], *c = n <= 256 ? stack : malloc(n * sizeof(*c));
	if (!c)
		return 0;
	size_t m = 0;
	for (size_t k = 0; k < n; k++)
		if (key[k])
			c[m++] = key[k];
	if (left > m)
		left = m;
	if (left) {
		uint64_t thr = kth_largest(c, m, (size_t)left - 1), above = 0;
		for (size_t k = 0; k < n; k++)
			above += key[k] > thr;
		uint64_t eq = left - above;
		for (size_t k = 0; k < n; k++)
			if (key[k] > thr || (key[k] == thr && eq && eq--))
				out[k]++;
	}
	if (c != stack)
		free(c);
	return 1;
}

void ct__tr_split64(uint64_t T, const uint64_t *w, size_t n, uint64_t D, uint64_t *out,
                    uint64_t *rem)
{
	uint64_t sum = 0;
	if (D == 0) {
		memset(out, 0, n * sizeof(*out));
		return;
	}
	if (T == D || T == 0) {
		/* all of the value is tainted, or none: the shares are the
		 * weights, or nothing, with no remainder */
		for (size_t k = 0; k < n; k++) {
			out[k] = T ? w[k] : 0;
			rem[k] = w[k] != 0; /* (keys: see below) */
			sum += out[k];
		}
	} else {
		/* floor(T * w / D) estimated as w * (T / D) in floating point:
		 * for w <= 2^52 within two units of the quotient, so the
		 * remainder T * w - g * D lies in (-3D, 3D) and 64-bit
		 * arithmetic (modulo 2^64) gives it exactly when D < 2^61; then
		 * a step or two make it exact. Otherwise: divide(). */
		double f = (double)T / (double)D;
		int fast = D < (UINT64_C(1) << 61);
		for (size_t k = 0; k < n; k++) {
			uint64_t wk = w[k], q, r;
			if (fast && wk <= (UINT64_C(1) << 52)) {
				/* (through int64_t: the estimate is at most w <= 2^52,
				 * and the signed conversion is one instruction) */
				uint64_t g = (uint64_t)(int64_t)((double)(int64_t)wk * f);
				int64_t d = (int64_t)(T * wk - g * D);
				while (d < 0) {
					g--;
					d += (int64_t)D;
				}
				while ((uint64_t)d >= D) {
					g++;
					d -= (int64_t)D;
				}
				q = g;
				r = (uint64_t)d;
			} else {
				divide((ct_u128)T * wk, D, &q, &r);
			}
			out[k] = q;
			/* the remainder's key: r + 1 for a non-zero weight, 0 for
			 * none or, below, a unit given (r < D: no wrap) */
			rem[k] = wk ? r + 1 : 0;
			sum += q;
		}
	}
	uint64_t left = T - sum; /* < n when sum(w) == D */
	if (!left)
		return;
	/* One more unit to the `left` largest remainders (ties: lowest k).
	 * A fan-out of many outputs with many units left: select them in one
	 * pass instead of a scan per unit. */
	if (left > 4 && n > 16 && split_select(rem, n, left, out))
		return;
	while (left > 0) {
		size_t best = 0;
		for (size_t k = 1; k < n; k++)
			if (rem[k] > rem[best])
				best = k;
		if (!rem[best])
			break;
		out[best]++;
		rem[best] = 0;
		left--;
	}
}

/* 128 x 128 -> 256-bit product divided by D (< 2^127): the quotient fits
 * 128 bits because T <= D. Bit-by-bit long division: the account model
 * splits few weights per transfer, so speed does not matter here. */
static void muldiv128(ct_u128 T, ct_u128 w, ct_u128 D, ct_u128 *q, ct_u128 *r)
{
	uint64_t a[2] = {(uint64_t)T, (uint64_t)(T >> 64)}, b[2] = {(uint64_t)w, (uint64_t)(w >> 64)};
	uint64_t p[4] = {0, 0, 0, 0};
	for (int i = 0; i < 2; i++) {
		ct_u128 carry = 0;
		for (int k = 0; k < 2; k++) {
			ct_u128 t = (ct_u128)a[i] * b[k] + p[i + k] + carry;
			p[i + k] = (uint64_t)t;
			carry = t >> 64;
		}
		p[i + 2] += (uint64_t)carry;
	}
	ct_u128 rr = 0, qq = 0;
	for (int bit = 255; bit >= 0; bit--) {
		rr = (rr << 1) | ((p[bit / 64] >> (bit % 64)) & 1);
		if (rr >= D) {
			rr -= D;
			if (bit < 128)
				qq |= (ct_u128)1 << bit;
		}
	}
	*q = qq;
	*r = rr;
}

void ct__tr_split128(ct_u128 T, const ct_u128 *w, size_t n, ct_u128 D, ct_u128 *out,
                     ct_u128 *rem)
{
	ct_u128 sum = 0;
	const ct_u128 TAKEN = ~(ct_u128)0;
	if (D == 0) {
		memset(out, 0, n * sizeof(*out));
		return;
	}
	for (size_t k = 0; k < n; k++) {
		muldiv128(T, w[k], D, &out[k], &rem[k]);
		sum += out[k];
	}
	ct_u128 left = T - sum;
	while (left > 0) {
		size_t best = n;
		for (size_t k = 0; k < n; k++)
			if (rem[k] != TAKEN && w[k] && (best == n || rem[k] > rem[best]))
				best = k;
		if (best == n)
			break;
		out[best]++;
		rem[best] = TAKEN;
		left--;
	}
}

void ct__tr_align(const uint64_t *len, const uint64_t *tainted, size_t ns, const uint64_t *dst,
                  size_t nd, uint64_t *out)
{
	size_t j = 0;
	uint64_t dleft = nd ? dst[0] : 0;
	memset(out, 0, nd * sizeof(*out));
	for (size_t k = 0; k < ns && j < nd; k++) {
		/* two pieces: tainted prefix, clean rest */
		for (int piece = 0; piece < 2; piece++) {
			uint64_t plen = piece == 0 ? tainted[k] : len[k] - tainted[k];
			while (plen > 0 && j < nd) {
				while (dleft == 0 && j < nd) {
					if (++j < nd)
						dleft = dst[j];
				}
				if (j >= nd)
					break;
				uint64_t take = plen < dleft ? plen : dleft;
				if (piece == 0)
					out[j] += take;
				plen -= take;
				dleft -= take;
			}
		}
	}
}

/* ---- the result -------------------------------------------------------- */

int ct__tr_res_init(ct__tr_res *r, size_t n_assets, size_t max_flows)
{
	memset(r, 0, sizeof(*r));
	r->n_tot = n_assets ? n_assets : 1;
	r->tot = ct__calloc(r->n_tot, sizeof(*r->tot));
	r->n_slots = 1024;
	r->slots = ct__big_zalloc(r->n_slots * sizeof(*r->slots));
	r->max_flows = max_flows;
	if (!r->tot || !r->slots) {
		ct__tr_res_free(r);
		return ct__err(CT_ENOMEM, "out of memory (trace result)");
	}
	return 0;
}

/* At most 64 M ids (256 MB of address space, touched page by page):
 * beyond that a trace reaching addresses spread over the whole range would
 * touch a page per address, and the hash map costs less memory. */
#define DENSE_MAX (UINT64_C(64) << 20)

void ct__tr_res_dense(ct__tr_res *r, uint64_t n)
{
	if (!n || n > DENSE_MAX || r->n_addrs)
		return;
	r->dense = ct__big_zalloc((size_t)n * sizeof(*r->dense));
	if (r->dense)
		r->n_dense = n;
}

void ct__tr_res_free(ct__tr_res *r)
{
	ct__big_free(r->dense, (size_t)r->n_dense * sizeof(*r->dense));
	free(r->addrs);
	free(r->hi);
	ct__big_free(r->slots, r->n_slots * sizeof(*r->slots));
	free(r->flows);
	free(r->steps);
	free(r->tot);
	memset(r, 0, sizeof(*r));
}

#define mix ct__tr_mix

ct__tr_addr *ct__tr_addr_find(const ct__tr_res *r, uint32_t asset, uint64_t id)
{
	if (!asset && id < r->n_dense)
		return r->dense[id] ? &r->addrs[r->dense[id] - 1] : NULL;
	size_t mask = r->n_slots - 1;
	for (size_t s = mix(asset, id) & mask;; s = (s + 1) & mask) {
		const ct__tr_slot *sl = &r->slots[s];
		if (!sl->idx1)
			return NULL;
		if (sl->id == id && sl->asset == asset)
			return &r->addrs[sl->idx1 - 1];
	}
}

/* The result's growing arrays (entries, steps, flows) are filled in
 * order: before element n, fault in the next 2 MB at once (up to the
 * capacity) instead of taking a fault per page as they fill. *upto: the
 * element the faulted-in part ends at. */
static void fault_ahead(void *base, size_t n, size_t cap, size_t size, size_t *upto)
{
	if (n < *upto)
		return;
	size_t e = n + (2u << 20) / size;
	if (e > cap)
		e = cap;
	if (e > n)
		(void)ct__big_prefault((char *)base + n * size, (e - n) * size);
	*upto = e;
}

ct__tr_addr *ct__tr_addr_get(ct__tr_res *r, uint32_t asset, uint64_t id)
{
	ct__tr_addr *a = ct__tr_addr_find(r, asset, id);
	if (a)
		return a;
	int dense = !asset && id < r->n_dense;
	if (!dense && (r->n_hashed + 1) * 2 > r->n_slots) {
		size_t ns = r->n_slots * 2;
		ct__tr_slot *sl = ct__big_zalloc(ns * sizeof(*sl));
		if (!sl) {
			r->oom = 1;
			return NULL;
		}
		for (size_t i = 0; i < r->n_addrs; i++) {
			if (!r->addrs[i].asset && r->addrs[i].id < r->n_dense)
				continue; /* in the direct index */
			size_t s = mix(r->addrs[i].asset, r->addrs[i].id) & (ns - 1);
			while (sl[s].idx1)
				s = (s + 1) & (ns - 1);
			sl[s] = (ct__tr_slot){r->addrs[i].id, r->addrs[i].asset, (uint32_t)(i + 1)};
		}
		ct__big_free(r->slots, r->n_slots * sizeof(*r->slots));
		r->slots = sl;
		r->n_slots = ns;
	}
	if (r->n_addrs == r->cap_addrs) {
		size_t nc = r->cap_addrs ? r->cap_addrs * 2 : 256;
		ct__tr_addr *na = realloc(r->addrs, nc * sizeof(*na));
		if (!na) {
			r->oom = 1;
			return NULL;
		}
		r->addrs = na;
		if (r->hi) {
			uint64_t(*nh)[CT_AMT_N] = realloc(r->hi, nc * sizeof(*nh));
			if (!nh) {
				r->oom = 1;
				return NULL;
			}
			memset(nh + r->cap_addrs, 0, (nc - r->cap_addrs) * sizeof(*nh));
			r->hi = nh;
		}
		r->cap_addrs = nc;
	}
	fault_ahead(r->addrs, r->n_addrs, r->cap_addrs, sizeof(*r->addrs), &r->fault_addrs);
	a = &r->addrs[r->n_addrs++];
	memset(a, 0, sizeof(*a)); /* (its high halves, if any, are zero already) */
	a->id = id;
	a->asset = (uint16_t)asset;
	a->hops = UINT32_MAX;
	if (dense) {
		r->dense[id] = (uint32_t)r->n_addrs;
		return a;
	}
	r->n_hashed++;
	size_t mask = r->n_slots - 1, s = mix(asset, id) & mask;
	while (r->slots[s].idx1)
		s = (s + 1) & mask;
	r->slots[s] = (ct__tr_slot){id, asset, (uint32_t)r->n_addrs};
	return a;
}

void ct__tr_flow_add(ct__tr_res *r, const ct__tr_flow *f)
{
	if (r->max_flows && r->n_flows >= r->max_flows) {
		r->flows_dropped++;
		return;
	}
	if (r->n_flows == r->cap_flows) {
		size_t nc = r->cap_flows ? r->cap_flows * 2 : 256;
		ct__tr_flow *nf = realloc(r->flows, nc * sizeof(*nf));
		if (!nf) {
			r->oom = 1;
			return;
		}
		r->flows = nf;
		r->cap_flows = nc;
	}
	fault_ahead(r->flows, r->n_flows, r->cap_flows, sizeof(*r->flows), &r->fault_flows);
	r->flows[r->n_flows++] = *f;
}

_Static_assert(sizeof(ct__tr_step) == 112, "a step has no padding (trace.h)");
_Static_assert(sizeof(ct__tr_addr) == 48, "an address entry has no padding (trace.h)");

void ct__tr_amt_carry(ct__tr_res *r, ct__tr_addr *a, unsigned f, uint64_t hi_delta)
{
	if (!r->hi) {
		/* the first amount beyond 64 bits: high halves for every entry */
		r->hi = calloc(r->cap_addrs, sizeof(*r->hi));
		if (!r->hi) {
			r->oom = 1;
			return;
		}
	}
	r->hi[a - r->addrs][f] += hi_delta;
}

void ct__tr_step_add(ct__tr_res *r, const ct__tr_step *s)
{
	/* only what the pattern finder can use: most txs of a large trace
	 * are plain payments */
	if (!ct__tr_step_wanted(s))
		return;
	if (r->n_steps == r->cap_steps) {
		size_t nc = r->cap_steps ? r->cap_steps * 2 : 256;
		ct__tr_step *ns = realloc(r->steps, nc * sizeof(*ns));
		if (!ns) {
			r->oom = 1;
			return;
		}
		r->steps = ns;
		r->cap_steps = nc;
	}
	fault_ahead(r->steps, r->n_steps, r->cap_steps, sizeof(*r->steps), &r->fault_steps);
	r->steps[r->n_steps++] = *s;
}

static unsigned bit_index(unsigned bit)
{
	unsigned i = 0;
	while (bit > 1) {
		bit >>= 1;
		i++;
	}
	return i;
}

void ct__tr_stop_entry(ct__tr_res *r, ct__tr_addr *a, ct_u128 amount, unsigned reason)
{
	a->reasons |= reason;
	if (reason == CT_END_DUST)
		ct__tr_amt_add(r, a, CT_AMT_CUT, amount);
	else if (reason != CT_END_SEED)
		ct__tr_amt_add(r, a, CT_AMT_HELD, amount);
}

void ct__tr_stop_totals(ct__tr_res *r, uint32_t asset, ct_u128 amount, unsigned reason)
{
	ct__tr_totals *t = &r->tot[asset];
	if (reason == CT_END_DUST)
		t->cut += amount;
	else if (reason == CT_END_SEED)
		t->returned += amount;
	else
		t->held += amount;
	t->by_reason[bit_index(reason)] += amount;
}

void ct__tr_stop(ct__tr_res *r, ct__tr_addr *a, ct_u128 amount, unsigned reason)
{
	if (a)
		ct__tr_stop_entry(r, a, amount, reason);
	ct__tr_stop_totals(r, a ? a->asset : 0, amount, reason);
}

/* ---- top k ------------------------------------------------------------- */

size_t ct__tr_topk(size_t n, size_t k, int (*before)(const void *ctx, size_t a, size_t b),
                   const void *ctx, size_t *h)
{
	size_t m = 0;
	for (size_t i = 0; i < n && k; i++) {
		size_t c;
		if (m < k) {
			/* sift up: parents are worse than children */
			for (c = m++; c > 0 && before(ctx, h[(c - 1) / 2], i); c = (c - 1) / 2)
				h[c] = h[(c - 1) / 2];
			h[c] = i;
			continue;
		}
		if (!before(ctx, i, h[0]))
			continue;
		for (c = 0;;) {
			size_t l = 2 * c + 1, w = l;
			if (l >= m)
				break;
			if (l + 1 < m && before(ctx, h[l], h[l + 1]))
				w = l + 1;
			if (!before(ctx, i, h[w]))
				break;
			h[c] = h[w];
			c = w;
		}
		h[c] = i;
	}
	return m;
}
