/*
 * hash.c - SHA-256, double SHA-256 and HASH160 through OpenSSL EVP.
 *
 * The EVP_MD objects are fetched once per hasher (fetching per call costs
 * more than hashing a small tx) and the EVP_MD_CTX is reused.
 */
#include "util/hash.h"
#include "util/error.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

struct ct_hasher {
	EVP_MD *sha256;
	EVP_MD *ripemd160;
	EVP_MD_CTX *ctx;
};

int ct__hasher_new(ct_hasher **out)
{
	ct_hasher *h = ct__calloc(1, sizeof(*h));
	if (!h)
		return CT_ENOMEM;
	h->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	h->ripemd160 = EVP_MD_fetch(NULL, "RIPEMD160", NULL);
	h->ctx = EVP_MD_CTX_new();
	if (!h->sha256 || !h->ripemd160 || !h->ctx) {
		ct__hasher_free(h);
		return ct__err(CT_EINTERNAL, "libcrypto lacks SHA256 or RIPEMD160");
	}
	*out = h;
	return 0;
}

void ct__hasher_free(ct_hasher *h)
{
	if (!h)
		return;
	EVP_MD_CTX_free(h->ctx);
	EVP_MD_free(h->sha256);
	EVP_MD_free(h->ripemd160);
	free(h);
}

static void digest(ct_hasher *h, const EVP_MD *md, uint8_t *out,
                   const void *const *parts, const size_t *lens, size_t n)
{
	unsigned int outlen = 0;
	EVP_DigestInit_ex2(h->ctx, md, NULL);
	for (size_t i = 0; i < n; i++)
		EVP_DigestUpdate(h->ctx, parts[i], lens[i]);
	EVP_DigestFinal_ex(h->ctx, out, &outlen);
}

void ct__sha256(ct_hasher *h, uint8_t out[32], const void *data, size_t len)
{
	digest(h, h->sha256, out, &data, &len, 1);
}

void ct__sha256d(ct_hasher *h, uint8_t out[32], const void *data, size_t len)
{
	uint8_t t[32];
	digest(h, h->sha256, t, &data, &len, 1);
	const void *p = t;
	size_t l = 32;
	digest(h, h->sha256, out, &p, &l, 1);
}

void ct__sha256d_parts(ct_hasher *h, uint8_t out[32], const void *const *parts,
                       const size_t *lens, size_t nparts)
{
	uint8_t t[32];
	digest(h, h->sha256, t, parts, lens, nparts);
	const void *p = t;
	size_t l = 32;
	digest(h, h->sha256, out, &p, &l, 1);
}

void ct__hash160(ct_hasher *h, uint8_t out[20], const void *data, size_t len)
{
	uint8_t t[32];
	digest(h, h->sha256, t, &data, &len, 1);
	const void *p = t;
	size_t l = 32;
	digest(h, h->ripemd160, out, &p, &l, 1);
}

static inline uint64_t rd64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static inline uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

uint64_t ct__hash64(const void *data, size_t len, uint64_t seed)
{
	const uint8_t *p = data;
	uint64_t h = seed ^ (len * 0x9e3779b97f4a7c15ULL);
	while (len >= 8) {
		h = mix(h ^ rd64(p)) + 0x9e3779b97f4a7c15ULL;
		p += 8;
		len -= 8;
	}
	uint64_t t = 0;
	for (size_t i = 0; i < len; i++)
		t |= (uint64_t)p[i] << (8 * i);
	return mix(h ^ t ^ 0x5bd1e9955bd1e995ULL);
}
