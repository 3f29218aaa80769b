/*
 * u256.h - unsigned 256-bit integers: proof-of-work targets, chain work,
 * and (later) token amounts that exceed 64 bits. Limbs little-endian.
 */
#ifndef CT_UTIL_U256_H
#define CT_UTIL_U256_H

#include <stdint.h>

typedef struct ct_u256 {
	uint64_t w[4];
} ct_u256;

int ct__u256_cmp(const ct_u256 *a, const ct_u256 *b);
/* r = a + b; returns the carry out. */
int ct__u256_add(ct_u256 *r, const ct_u256 *a, const ct_u256 *b);
/* q = a / b (b != 0), by restoring long division. */
void ct__u256_div(ct_u256 *q, const ct_u256 *a, const ct_u256 *b);
/* From 32 little-endian bytes and back. */
void ct__u256_from_le(ct_u256 *r, const uint8_t b[32]);
void ct__u256_to_le(uint8_t b[32], const ct_u256 *a);
/* Expand a compact "bits" target. Returns -1 for a negative or
 * overflowing encoding (which no valid header has). */
int ct__u256_from_compact(ct_u256 *r, uint32_t bits);
/* The work of a block whose target is t: floor(2^256 / (t + 1)). */
void ct__u256_work(ct_u256 *r, const ct_u256 *t);

#endif
