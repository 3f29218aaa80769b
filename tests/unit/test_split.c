/*
 * test_split.c - the tracer's exact haircut split (ct__tr_split64), whose
 * quotients come from a floating-point estimate corrected in integers:
 * compared with plain 128-bit division and the largest-remainder rule on
 * random and extreme inputs, and the shares must always sum to what was
 * split. Also the result entries' amounts, kept as 64-bit halves with the
 * high halves allocated on the first carry: random additions and
 * subtractions against plain 128-bit arithmetic.
 */
#include "tap.h"
#include "analysis/trace.h"

#include <stdint.h>
#include <string.h>

/* The reference: floor shares, then one unit to the largest remainders
 * (ties: lowest index), only among non-zero weights. */
static void ref_split(uint64_t T, const uint64_t *w, size_t n, uint64_t D, uint64_t *out)
{
	uint64_t rem[64], sum = 0;
	int taken[64] = {0};
	for (size_t k = 0; k < n; k++) {
		unsigned __int128 p = (unsigned __int128)T * w[k];
		out[k] = (uint64_t)(p / D);
		rem[k] = (uint64_t)(p % D);
		sum += out[k];
	}
	for (uint64_t left = T - sum; left > 0; left--) {
		size_t best = n;
		for (size_t k = 0; k < n; k++)
			if (!taken[k] && w[k] && (best == n || rem[k] > rem[best]))
				best = k;
		if (best == n)
			break;
		out[best]++;
		taken[best] = 1;
	}
}

static int one(uint64_t T, const uint64_t *w, size_t n)
{
	uint64_t D = 0, out[64], want[64], scratch[64];
	for (size_t k = 0; k < n; k++)
		D += w[k];
	if (!D)
		return 1;
	if (T > D)
		T = D;
	ct__tr_split64(T, w, n, D, out, scratch);
	ref_split(T, w, n, D, want);
	uint64_t sum = 0;
	for (size_t k = 0; k < n; k++)
		sum += out[k];
	return !memcmp(out, want, n * sizeof(*out)) && sum == T;
}

int main(void)
{
	/* the toy of docs/tracing.md: 1 BTC of taint in 3 BTC split 2:1 */
	{
		uint64_t w[] = {200000000, 100000000, 0}, out[3], s[3];
		ct__tr_split64(100000000, w, 3, 300000000, out, s);
		CHECK(out[0] == 66666667 && out[1] == 33333333 && out[2] == 0);
	}
	/* random amounts of every magnitude, up to 21 M BTC in satoshi */
	int bad = 0;
	for (int i = 0; i < 200000; i++) {
		size_t n = 1 + tap_rand() % 8;
		uint64_t w[8];
		int bits = 1 + (int)(tap_rand() % 51);
		for (size_t k = 0; k < n; k++)
			w[k] = tap_rand() % 4 == 0 ? 0 : tap_rand() >> (64 - bits);
		uint64_t T = tap_rand() >> (64 - (1 + (int)(tap_rand() % 51)));
		/* all of the value tainted (T == D after the clamp), or none */
		if (i % 8 == 0)
			T = i % 16 ? UINT64_MAX : 0;
		bad += !one(T, w, n);
	}
	CHECK(bad == 0);
	/* fan-outs: many outputs, many units left for the remainders (the
	 * split sorts the remainders then), equal remainders included */
	bad = 0;
	for (int i = 0; i < 20000; i++) {
		size_t n = 17 + tap_rand() % 48;
		uint64_t w[64];
		for (size_t k = 0; k < n; k++)
			w[k] = tap_rand() % 5 == 0 ? 0 : 1 + tap_rand() % (i % 2 ? 7 : 100000);
		uint64_t D = 0;
		for (size_t k = 0; k < n; k++)
			D += w[k];
		bad += !one(D ? tap_rand() % D : 0, w, n);
	}
	CHECK(bad == 0);
	/* extremes: products near 2^127, quotients near 2^64, tiny divisors */
	{
		uint64_t w1[] = {UINT64_MAX / 4, UINT64_MAX / 4 - 1, 3};
		CHECK(one(UINT64_MAX / 2 - 7, w1, 3));
		uint64_t w2[] = {1, UINT64_MAX / 2};
		CHECK(one(UINT64_MAX / 2, w2, 2));
		uint64_t w3[] = {(UINT64_C(1) << 62) + 12345, (UINT64_C(1) << 62) - 999, 1};
		CHECK(one((UINT64_C(1) << 62) + 77, w3, 3));
		uint64_t w4[] = {2100000000000000ull, 1, 2099999999999999ull};
		CHECK(one(2100000000000000ull, w4, 3));
		uint64_t w5[] = {1, 1, 1};
		CHECK(one(2, w5, 3));
		/* quotients on either side of 2^52, where the estimate gives way
		 * to divide() */
		uint64_t w6[] = {(UINT64_C(1) << 52) + 1, (UINT64_C(1) << 52) - 1, 5};
		CHECK(one((UINT64_C(1) << 53) - 3, w6, 3));
		CHECK(one((UINT64_C(1) << 53) + 1, w6, 3));
		uint64_t w7[] = {(UINT64_C(1) << 60) + 3, (UINT64_C(1) << 53) + 1};
		CHECK(one((UINT64_C(1) << 60) + 1, w7, 2));
	}
	/* entry amounts: 64-bit low halves, high halves on demand */
	{
		ct__tr_res r;
		CHECK(ct__tr_res_init(&r, 1, 0) == 0);
		enum { NA = 600 };
		static ct_u128 want[NA][CT_AMT_N];
		size_t mism = 0, was_narrow = 0;
		for (int i = 0; i < 200000 && !r.oom; i++) {
			uint64_t id = tap_rand() % NA;
			ct__tr_addr *a = ct__tr_addr_get(&r, 0, id);
			if (!a)
				break;
			unsigned f = (unsigned)(tap_rand() % CT_AMT_N);
			/* mostly small amounts; from the middle on, some past 64 bits */
			ct_u128 v = tap_rand() % 1000000;
			if (i > 100000 && tap_rand() % 50 == 0)
				v = (ct_u128)(tap_rand() % 1000) << 64 | tap_rand();
			if (i == 100000)
				was_narrow = r.hi == NULL;
			if (tap_rand() % 3 == 0 && want[id][f] >= v) {
				ct__tr_amt_sub(&r, a, f, v);
				want[id][f] -= v;
			} else {
				ct__tr_amt_add(&r, a, f, v);
				want[id][f] += v;
			}
		}
		CHECK(!r.oom && r.n_addrs == NA);
		CHECK(was_narrow && r.hi != NULL); /* narrow first, then wide */
		for (size_t id = 0; id < NA; id++) {
			const ct__tr_addr *a = ct__tr_addr_find(&r, 0, id);
			for (unsigned f = 0; f < CT_AMT_N; f++)
				mism += !a || ct__tr_amt(&r, a, f) != want[id][f];
		}
		CHECK(mism == 0);
		/* a borrow out of a low half: 2^64 + 5 - 7 */
		ct__tr_addr *a = ct__tr_addr_get(&r, 0, NA);
		ct__tr_amt_add(&r, a, CT_AMT_SENT, (ct_u128)1 << 64 | 5);
		ct__tr_amt_sub(&r, a, CT_AMT_SENT, 7);
		CHECK(ct__tr_amt(&r, a, CT_AMT_SENT) == ((ct_u128)1 << 64) - 2);
		/* entries created after the high halves exist (they grow with
		 * the entries): zero, and the old ones kept */
		size_t nz = 0;
		for (uint64_t id = NA + 1; id < NA + 3000; id++) {
			const ct__tr_addr *e = ct__tr_addr_get(&r, 0, id);
			for (unsigned f = 0; e && f < CT_AMT_N; f++)
				nz += ct__tr_amt(&r, e, f) != 0;
		}
		CHECK(r.cap_addrs >= 3600 && nz == 0);
		for (size_t id = 0; id < NA; id++) {
			const ct__tr_addr *e = ct__tr_addr_find(&r, 0, id);
			for (unsigned f = 0; f < CT_AMT_N; f++)
				mism += !e || ct__tr_amt(&r, e, f) != want[id][f];
		}
		CHECK(mism == 0);
		ct__tr_res_free(&r);
	}
	TAP_DONE();
}
