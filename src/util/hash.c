/*
 * hash.c - SHA-256, double SHA-256 and HASH160, computed by OpenSSL's
 * libcrypto (no hash is implemented here).
 *
 * Bitcoin hashes many short messages (a txid per tx, merkle nodes, keys).
 * Through EVP in OpenSSL 3.0 every digest re-creates its provider context
 * (allocation, cleansing, reference counting), which measured as a large
 * share of ingest and of the generator; the direct SHA256_* and
 * RIPEMD160_* functions, deprecated in 3.0 but present in every OpenSSL 3
 * release, compute the same digests without that overhead. The hasher
 * object stays in the API so that a future libcrypto without them can be
 * served through a reused EVP context again.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "util/hash.h"
#include "util/error.h"

#include <openssl/ripemd.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

struct ct_hasher {
	int unused;
};

int ct__hasher_new(ct_hasher **out)
{
	ct_hasher *h = ct__calloc(1, sizeof(*h));
	if (!h)
		return CT_ENOMEM;
	*out = h;
	return 0;
}

void ct__hasher_free(ct_hasher *h) { free(h); }

void ct__sha256(ct_hasher *h, uint8_t out[32], const void *data, size_t len)
{
	SHA256_CTX c;
	(void)h;
	SHA256_Init(&c);
	SHA256_Update(&c, data, len);
	SHA256_Final(out, &c);
}

void ct__sha256d(ct_hasher *h, uint8_t out[32], const void *data, size_t len)
{
	uint8_t t[32];
	ct__sha256(h, t, data, len);
	ct__sha256(h, out, t, 32);
}

void ct__sha256d_parts(ct_hasher *h, uint8_t out[32], const void *const *parts,
                       const size_t *lens, size_t nparts)
{
	SHA256_CTX c;
	uint8_t t[32];
	SHA256_Init(&c);
	for (size_t i = 0; i < nparts; i++)
		SHA256_Update(&c, parts[i], lens[i]);
	SHA256_Final(t, &c);
	ct__sha256(h, out, t, 32);
}

void ct__hash160(ct_hasher *h, uint8_t out[20], const void *data, size_t len)
{
	RIPEMD160_CTX r;
	uint8_t t[32];
	ct__sha256(h, t, data, len);
	RIPEMD160_Init(&r);
	RIPEMD160_Update(&r, t, 32);
	RIPEMD160_Final(out, &r);
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
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* The tail as a little-endian word, in two (overlapping) loads for 4
	 * to 7 bytes: an overlapped byte lands on its own place twice. Same
	 * value as the byte loop (the hash is part of the index files). */
	if (len >= 4) {
		uint32_t a, b;
		memcpy(&a, p, 4);
		memcpy(&b, p + len - 4, 4);
		t = a | (uint64_t)b << (8 * (len - 4));
	} else if (len) {
		t = p[0] | (uint64_t)p[len / 2] << (8 * (len / 2)) | (uint64_t)p[len - 1] << (8 * (len - 1));
	}
#else
	for (size_t i = 0; i < len; i++)
		t |= (uint64_t)p[i] << (8 * i);
#endif
	return mix(h ^ t ^ 0x5bd1e9955bd1e995ULL);
}
