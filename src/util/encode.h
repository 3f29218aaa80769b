/*
 * encode.h - text encodings of binary data: hex, Base58Check, Bech32 and
 * Bech32m (BIP 173 / BIP 350).
 */
#ifndef CT_UTIL_ENCODE_H
#define CT_UTIL_ENCODE_H

#include <stddef.h>
#include <stdint.h>

struct ct_hasher;

/* Lower-case hex of `len` bytes into out[2*len+1]. */
void ct__hex(char *out, const uint8_t *in, size_t len);
/* Same, bytes reversed (Bitcoin's display order for hashes). */
void ct__hex_rev(char *out, const uint8_t *in, size_t len);
/* Parse exactly 2*len hex digits; returns 0 or -1. */
int ct__unhex(uint8_t *out, const char *in, size_t len);
int ct__unhex_rev(uint8_t *out, const char *in, size_t len);

/* Base58Check of version bytes + payload. Returns chars written (without
 * the NUL) or -1 if `cap` is too small. */
int ct__base58check_encode(struct ct_hasher *h, char *out, size_t cap,
                           const uint8_t *data, size_t len);
/* Decode and verify the checksum; returns the payload length or -1. */
int ct__base58check_decode(struct ct_hasher *h, uint8_t *out, size_t cap,
                           const char *in);

enum { CT_BECH32 = 1, CT_BECH32M = 2 };

/* Segwit address for witness version `ver` and program; 0 or -1. */
int ct__segwit_encode(char *out, size_t cap, const char *hrp, int ver,
                      const uint8_t *prog, size_t prog_len);
/* Decode a segwit address with the given hrp, checking the BIP 350
 * rule (v0: bech32, v1+: bech32m). Returns program length or -1. */
int ct__segwit_decode(int *ver, uint8_t *prog, size_t cap, const char *hrp,
                      const char *addr);

#endif
