/*
 * digest.c - the generator's hashing: SHA-256d, SHA-256 and HASH160
 * through OpenSSL's direct SHA256_* / RIPEMD160_* functions.
 *
 * The generator hashes a dozen short messages per transaction (txid,
 * wtxid, merkle nodes, HASH160 of keys and scripts). Through EVP in
 * OpenSSL 3.0 each digest re-creates its provider context (allocation,
 * cleansing, reference counting), which cost about a third of the
 * generator's time; the direct functions, deprecated but present in
 * every OpenSSL 3 release, compute the same digests without it. Still
 * OpenSSL's code: nothing here implements a hash.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "synth/synth.h"

#include <openssl/ripemd.h>
#include <openssl/sha.h>

void syn_sha256(uint8_t out[32], const void *data, size_t len)
{
	SHA256_CTX c;
	SHA256_Init(&c);
	SHA256_Update(&c, data, len);
	SHA256_Final(out, &c);
}

void syn_sha256d(uint8_t out[32], const void *data, size_t len)
{
	uint8_t t[32];
	syn_sha256(t, data, len);
	syn_sha256(out, t, 32);
}

void syn_sha256d_parts(uint8_t out[32], const void *const *parts, const size_t *lens, size_t n)
{
	SHA256_CTX c;
	uint8_t t[32];
	SHA256_Init(&c);
	for (size_t i = 0; i < n; i++)
		SHA256_Update(&c, parts[i], lens[i]);
	SHA256_Final(t, &c);
	syn_sha256(out, t, 32);
}

void syn_hash160(uint8_t out[20], const void *data, size_t len)
{
	RIPEMD160_CTX r;
	uint8_t t[32];
	syn_sha256(t, data, len);
	RIPEMD160_Init(&r);
	RIPEMD160_Update(&r, t, 32);
	RIPEMD160_Final(out, &r);
}
