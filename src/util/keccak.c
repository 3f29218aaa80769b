/*
 * keccak.c - Keccak-256 with the original padding (0x01 ... 0x80), the
 * hash NEM and Ethereum use for addresses and checksums. FIPS 202 SHA3-256
 * pads with 0x06 and gives other digests; OpenSSL 3.0 has only that. The
 * Keccak-f[1600] permutation comes from nettle (sha3_permute); this file
 * is only the sponge around it.
 */
#include "util/hash.h"

#include <nettle/sha3.h>
#include <string.h>

#define KECCAK256_RATE 136

static void absorb(struct sha3_state *s, const uint8_t *block)
{
	for (int i = 0; i < KECCAK256_RATE / 8; i++) {
		uint64_t v = 0;
		for (int b = 7; b >= 0; b--)
			v = v << 8 | block[8 * i + b];
		s->a[i] ^= v;
	}
	sha3_permute(s);
}

void ct__keccak256(uint8_t out[32], const void *data, size_t len)
{
	struct sha3_state s;
	uint8_t last[KECCAK256_RATE];
	const uint8_t *p = data;
	memset(&s, 0, sizeof(s));
	for (; len >= KECCAK256_RATE; p += KECCAK256_RATE, len -= KECCAK256_RATE)
		absorb(&s, p);
	memset(last, 0, sizeof(last));
	memcpy(last, p, len);
	last[len] ^= 0x01;
	last[KECCAK256_RATE - 1] ^= 0x80;
	absorb(&s, last);
	for (int i = 0; i < 4; i++)
		for (int b = 0; b < 8; b++)
			out[8 * i + b] = (uint8_t)(s.a[i] >> (8 * b));
}
