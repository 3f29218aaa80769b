/*
 * test_split.c - the tracer's exact haircut split (ct__tr_split64), whose
 * quotients come from a floating-point estimate corrected in integers:
 * compared with plain 128-bit division and the largest-remainder rule on
 * random and extreme inputs, and the shares must always sum to what was
 * split.
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
	TAP_DONE();
}
