/*
 * test_txset.c - the tracer's set of pending txs (analysis/txset.h):
 * next/prev/add/del against a plain array of flags under random operations
 * at several sizes (one summary level to five), and the release of the
 * bitmap's pages behind a moving cursor: the pages left behind are no
 * longer resident (mincore), every member is still popped exactly once and
 * in order, and a member behind the cursor (which the tracer never leaves)
 * is kept rather than lost. Also ct__big_prefault (util/bigmem.h), which
 * the tracer's result arrays use: the pages of the range are resident
 * afterwards, those outside it are not, and the contents are unchanged.
 */
#include "tap.h"
#include "analysis/txset.h"
#include "util/bigmem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static uint64_t ref_next(const unsigned char *f, uint64_t n, uint64_t from)
{
	for (uint64_t x = from; x < n; x++)
		if (f[x])
			return x;
	return UINT64_MAX;
}

static uint64_t ref_prev(const unsigned char *f, uint64_t n, uint64_t from)
{
	for (uint64_t x = from < n ? from + 1 : n; x-- > 0;)
		if (f[x])
			return x;
	return UINT64_MAX;
}

static int random_ops(uint64_t n, int ops)
{
	ct__txset t;
	unsigned char *f = calloc(n, 1);
	uint64_t count = 0;
	int bad = 0;
	if (!f || ct__txset_init(&t, n))
		return 1;
	for (int i = 0; i < ops; i++) {
		uint64_t x = tap_rand() % n;
		switch (tap_rand() % 4) {
		case 0:
		case 1:
			count += !f[x];
			f[x] = 1;
			ct__txset_add(&t, x);
			break;
		case 2:
			count -= f[x];
			f[x] = 0;
			ct__txset_del(&t, x);
			break;
		default:
			bad += ct__txset_next(&t, x) != ref_next(f, n, x);
			bad += ct__txset_prev(&t, x) != ref_prev(f, n, x);
			break;
		}
		bad += t.n != count;
	}
	bad += ct__txset_prev(&t, UINT64_MAX) != ref_prev(f, n, UINT64_MAX);
	bad += ct__txset_next(&t, n) != UINT64_MAX;
	ct__txset_free(&t);
	free(f);
	return bad;
}

/* Resident pages of level 0 in words [lo, hi). */
static size_t resident(const ct__txset *t, size_t lo, size_t hi)
{
	long pg = sysconf(_SC_PAGESIZE);
	uintptr_t a = ((uintptr_t)(t->lv[0] + lo) + (uintptr_t)pg - 1) & ~((uintptr_t)pg - 1);
	uintptr_t e = (uintptr_t)(t->lv[0] + hi) & ~((uintptr_t)pg - 1);
	if (e <= a)
		return 0;
	size_t np = (e - a) / (size_t)pg, r = 0;
	unsigned char *v = malloc(np);
	if (!v || mincore((void *)a, e - a, v))
		r = (size_t)-1;
	else
		for (size_t i = 0; i < np; i++)
			r += v[i] & 1;
	free(v);
	return r;
}

/* Members every `step` ids over a 2^26-id set (8 MB of level 0), popped
 * forward or backward with a release after each pop. */
static void release_run(int back)
{
	const uint64_t n = UINT64_C(1) << 26, step = 4099;
	ct__txset t;
	CHECK(ct__txset_init(&t, n) == 0);
	uint64_t members = 0;
	for (uint64_t x = 11; x < n; x += step, members++)
		ct__txset_add(&t, x);
	CHECK(resident(&t, 0, t.nw[0]) > 1000);
	/* halfway, the part behind the cursor holds no resident page */
	uint64_t cursor = back ? UINT64_MAX : 0, popped = 0, last = back ? UINT64_MAX : 0;
	int order_ok = 1;
	while (t.n) {
		uint64_t x = back ? ct__txset_prev(&t, cursor) : ct__txset_next(&t, cursor);
		if (x == UINT64_MAX)
			break;
		if (popped && (back ? x >= last : x <= last))
			order_ok = 0;
		last = x;
		ct__txset_del(&t, x);
		ct__txset_release(&t, x, back);
		cursor = x;
		popped++;
		if (popped == members / 2) {
			size_t w = (size_t)(x >> 6);
			if (!back)
				CHECK(resident(&t, 0, w & ~(CT_TXSET_RELEASE_WORDS - 1)) == 0);
			else
				CHECK(resident(&t, (w + CT_TXSET_RELEASE_WORDS) & ~(CT_TXSET_RELEASE_WORDS - 1),
				               t.nw[0]) == 0);
			CHECK(back ? t.hi_kept < t.nw[0] : t.lo_kept > 0);
		}
	}
	CHECK(order_ok);
	CHECK(popped == members);
	CHECK(t.n == 0);
	ct__txset_free(&t);
}

int main(void)
{
	tap_seed(0x2545f4914f6cdd1dull);
	/* sizes: one word, one summary level, several, five */
	uint64_t sizes[] = {1, 64, 65, 4096, 4097, 300000, UINT64_C(1) << 21};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		CHECK(random_ops(sizes[i], sizes[i] < 5000 ? 20000 : 4000) == 0);
	release_run(0);
	release_run(1);
	/* a member behind the cursor keeps its page: never lost */
	{
		ct__txset t;
		CHECK(ct__txset_init(&t, UINT64_C(1) << 26) == 0);
		ct__txset_add(&t, 5);
		ct__txset_add(&t, UINT64_C(1) << 25);
		ct__txset_release(&t, UINT64_C(1) << 25, 0);
		CHECK(ct__txset_next(&t, 0) == 5);
		CHECK(t.n == 2);
		ct__txset_free(&t);
	}
	/* prefault: resident pages in the range, none beyond, data kept */
	{
		size_t ps = (size_t)sysconf(_SC_PAGESIZE), np = 64;
		unsigned char *m = mmap(NULL, np * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		unsigned char v[64];
		CHECK(m != MAP_FAILED);
		m[3] = 7; /* page 0 resident, with data */
		if (ct__big_prefault(m + 5, 20 * ps) != 0) {
			printf("skip: ct__big_prefault: this kernel has no MADV_POPULATE_WRITE (Linux 5.14+)\n");
		} else {
			/* [m + 5, m + 5 + 20 pages) touches pages 0..20 */
			CHECK(mincore(m, np * ps, v) == 0);
			size_t in = 0, out = 0;
			for (size_t i = 0; i < np; i++) {
				if (i <= 20)
					in += v[i] & 1;
				else
					out += v[i] & 1;
			}
			CHECK(in == 21 && out == 0);
			CHECK(m[3] == 7 && m[5 + 20 * ps - 1] == 0);
		}
		munmap(m, np * ps);
	}
	TAP_DONE();
}
