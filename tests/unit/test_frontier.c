/*
 * test_frontier.c - the forward tracer's frontier (analysis/frontier.h)
 * against a plain list of pending records under random traces: every take
 * gives the smallest pending tx with exactly its records, records filed
 * for the open bucket and for buckets far ahead both arrive, the count of
 * held records is right, and a push that is not after the last tx taken
 * (a store whose spender links point back) is refused, not misfiled.
 */
#include "tap.h"
#include "analysis/frontier.h"
#include "util/error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct refrec {
	uint64_t s, o, taint;
	uint32_t hops;
	int live;
} refrec;

/* The value and address a record of output o carries. */
#define VALUE_OF(o) ((o) * 3 + 7)
#define ADDR_OF(o) ((o) ^ UINT64_C(0x5a5a5a5a5a))

static ct__frec mkrec(uint64_t o, uint64_t taint, uint32_t hops)
{
	return (ct__frec){.o = o, .taint = taint, .value = VALUE_OF(o), .addr = ADDR_OF(o), .hops = hops};
}

static int push(ct__front *f, uint64_t s, ct__frec r)
{
	return ct__front_push(f, s, r.o, r.taint, r.value, r.addr, r.hops);
}

/* One random trace over ntx txs; returns the number of mismatches. */
static int random_trace(uint64_t ntx, int steps, uint64_t near)
{
	ct__front f;
	if (ct__front_init(&f, ntx) != 0)
		return 1;
	size_t cap = 1 << 16, n = 0;
	refrec *ref = calloc(cap, sizeof(*ref));
	uint64_t next_o = 1, live = 0;
	int bad = 0;
	/* seeds anywhere */
	for (int i = 0; i < 20; i++) {
		uint64_t s = tap_rand() % ntx, taint = 1 + tap_rand() % 1000;
		uint32_t hops = (uint32_t)(tap_rand() % 50);
		bad += push(&f, s, mkrec(next_o, taint, hops)) != 0;
		ref[n++] = (refrec){s, next_o++, taint, hops, 1};
		live++;
	}
	for (int st = 0; st < steps; st++) {
		uint64_t t;
		uint32_t head, m;
		int rc = ct__front_take(&f, &t, &head, &m);
		uint64_t want = UINT64_MAX;
		for (size_t i = 0; i < n; i++)
			if (ref[i].live && ref[i].s < want)
				want = ref[i].s;
		if (rc == 1) {
			bad += want != UINT64_MAX || f.n != 0;
			break;
		}
		if (rc != 0 || t != want) {
			bad++;
			break;
		}
		/* its records: each pending record of t, once */
		uint32_t got = 0;
		for (uint32_t i = head; i != CT_FRONT_NONE; i = ct__front_next(&f, i)) {
			const ct__frec *r = ct__front_rec(&f, i);
			size_t k = 0;
			while (k < n && !(ref[k].live && ref[k].o == r->o))
				k++;
			if (k == n || ref[k].s != t || r->sx != (t & (CT_FRONT_TXS - 1)) ||
			    r->taint != ref[k].taint || r->hops != ref[k].hops || r->value != VALUE_OF(r->o) ||
			    r->addr != ADDR_OF(r->o)) {
				bad++;
				continue;
			}
			ref[k].live = 0;
			live--;
			got++;
		}
		for (size_t i = 0; i < n; i++)
			bad += ref[i].live && ref[i].s == t; /* left behind */
		bad += got != m || f.n != live;
		/* file new records after t: most in the open bucket, some far */
		int k = (int)(tap_rand() % 4);
		for (int j = 0; j < k && t + 1 < ntx; j++) {
			uint64_t span = tap_rand() % 3 ? near : ntx - t - 1;
			if (span > ntx - t - 1)
				span = ntx - t - 1;
			uint64_t s = t + 1 + tap_rand() % span;
			if (n == cap) {
				cap *= 2;
				ref = realloc(ref, cap * sizeof(*ref));
			}
			uint64_t taint = tap_rand() >> 1;
			uint32_t hops = (uint32_t)tap_rand();
			bad += push(&f, s, mkrec(next_o, taint, hops)) != 0;
			ref[n++] = (refrec){s, next_o++, taint, hops, 1};
			live++;
		}
		/* a record for t itself or before: refused, nothing filed */
		if (tap_rand() % 16 == 0) {
			uint64_t s = t - tap_rand() % (t + 1);
			bad += push(&f, s, mkrec(0, 1, 0)) != CT_ECORRUPT || f.n != live;
		}
	}
	/* a spender past the chain's end: refused */
	{
		bad += push(&f, ntx, mkrec(0, 1, 0)) != CT_ECORRUPT;
	}
	ct__front_free(&f);
	free(ref);
	return bad;
}

int main(void)
{
	/* one bucket only, a few, many; spenders near and far */
	CHECK(random_trace(100, 2000, 10) == 0);
	CHECK(random_trace(3 * CT_FRONT_TXS + 17, 20000, 50) == 0);
	CHECK(random_trace(40 * CT_FRONT_TXS, 50000, 3000) == 0);
	CHECK(random_trace(40 * CT_FRONT_TXS, 50000, 2 * CT_FRONT_TXS) == 0);
	/* an empty frontier: nothing to take */
	{
		ct__front f;
		uint64_t t;
		uint32_t h, m;
		CHECK(ct__front_init(&f, 10) == 0);
		CHECK(ct__front_take(&f, &t, &h, &m) == 1);
		ct__front_free(&f);
	}
	TAP_DONE();
}
