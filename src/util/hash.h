/*
 * hash.h - the hash functions of Bitcoin, all computed by OpenSSL's
 * libcrypto (no hand-written SHA-256 or RIPEMD-160), plus a fast
 * non-cryptographic mixer for in-store hash tables.
 */
#ifndef CT_UTIL_HASH_H
#define CT_UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>

/* A reusable hashing context: one per thread or per ingest. */
typedef struct ct_hasher ct_hasher;

int ct__hasher_new(ct_hasher **out);
void ct__hasher_free(ct_hasher *h);

/* SHA256(SHA256(data)). The hasher may be NULL. */
void ct__sha256d(ct_hasher *h, uint8_t out[32], const void *data, size_t len);
/* SHA256(SHA256(parts...)) over non-contiguous parts (segwit txids). */
void ct__sha256d_parts(ct_hasher *h, uint8_t out[32], const void *const *parts,
                       const size_t *lens, size_t nparts);
void ct__sha256(ct_hasher *h, uint8_t out[32], const void *data, size_t len);
/* RIPEMD160(SHA256(data)). */
void ct__hash160(ct_hasher *h, uint8_t out[20], const void *data, size_t len);

/* Keccak-256 (original padding; NEM and Ethereum), via nettle. */
void ct__keccak256(uint8_t out[32], const void *data, size_t len);

/* 64-bit mix of arbitrary bytes for hash tables (not cryptographic). */
uint64_t ct__hash64(const void *data, size_t len, uint64_t seed);

#endif
