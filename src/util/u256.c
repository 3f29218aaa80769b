/*
 * u256.c - the few 256-bit operations cointrail needs, done in limbs.
 */
#include "util/u256.h"

#include <string.h>

int ct__u256_cmp(const ct_u256 *a, const ct_u256 *b)
{
	for (int i = 3; i >= 0; i--) {
		if (a->w[i] != b->w[i])
			return a->w[i] < b->w[i] ? -1 : 1;
	}
	return 0;
}

int ct__u256_add(ct_u256 *r, const ct_u256 *a, const ct_u256 *b)
{
	unsigned __int128 c = 0;
	for (int i = 0; i < 4; i++) {
		c += (unsigned __int128)a->w[i] + b->w[i];
		r->w[i] = (uint64_t)c;
		c >>= 64;
	}
	return (int)c;
}

static void sub(ct_u256 *r, const ct_u256 *a, const ct_u256 *b)
{
	uint64_t borrow = 0;
	for (int i = 0; i < 4; i++) {
		uint64_t ai = a->w[i], bi = b->w[i];
		uint64_t d = ai - bi - borrow;
		borrow = (ai < bi) || (ai == bi && borrow) || (ai - bi < borrow);
		r->w[i] = d;
	}
}

static void shl1(ct_u256 *a)
{
	for (int i = 3; i > 0; i--)
		a->w[i] = a->w[i] << 1 | a->w[i - 1] >> 63;
	a->w[0] <<= 1;
}

void ct__u256_div(ct_u256 *q, const ct_u256 *a, const ct_u256 *b)
{
	ct_u256 rem = {{0, 0, 0, 0}}, quo = {{0, 0, 0, 0}};
	for (int bit = 255; bit >= 0; bit--) {
		shl1(&rem);
		rem.w[0] |= (a->w[bit / 64] >> (bit % 64)) & 1;
		if (ct__u256_cmp(&rem, b) >= 0) {
			sub(&rem, &rem, b);
			quo.w[bit / 64] |= (uint64_t)1 << (bit % 64);
		}
	}
	*q = quo;
}

void ct__u256_from_le(ct_u256 *r, const uint8_t b[32])
{
	for (int i = 0; i < 4; i++) {
		uint64_t v = 0;
		for (int j = 7; j >= 0; j--)
			v = v << 8 | b[i * 8 + j];
		r->w[i] = v;
	}
}

void ct__u256_to_le(uint8_t b[32], const ct_u256 *a)
{
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 8; j++)
			b[i * 8 + j] = (uint8_t)(a->w[i] >> (8 * j));
}

int ct__u256_from_compact(ct_u256 *r, uint32_t bits)
{
	uint32_t size = bits >> 24, mant = bits & 0x007fffff;
	memset(r, 0, sizeof(*r));
	if (mant != 0 && (bits & 0x00800000))
		return -1;
	if (size <= 3) {
		mant >>= 8 * (3 - size);
		r->w[0] = mant;
		return 0;
	}
	/* mant * 256^(size-3); overflow if it does not fit 256 bits. */
	unsigned shift = 8 * (size - 3);
	if (mant && (shift > 255 || (mant > 0xff && shift > 247) ||
	             (mant > 0xffff && shift > 239)))
		return -1;
	if (shift > 255)
		return 0;
	unsigned limb = shift / 64, off = shift % 64;
	r->w[limb] = (uint64_t)mant << off;
	if (off && limb + 1 < 4)
		r->w[limb + 1] = (uint64_t)mant >> (64 - off);
	return 0;
}

void ct__u256_work(ct_u256 *r, const ct_u256 *t)
{
	/* 2^256 / (t+1) == (~t / (t+1)) + 1, which stays within 256 bits. */
	ct_u256 nt, t1, one = {{1, 0, 0, 0}};
	for (int i = 0; i < 4; i++)
		nt.w[i] = ~t->w[i];
	if (ct__u256_add(&t1, t, &one)) {
		*r = one; /* t = 2^256-1: work 1 */
		return;
	}
	ct__u256_div(r, &nt, &t1);
	ct__u256_add(r, r, &one);
}
