/*
 * sha.c - the generator's hashing: SHA-256, double SHA-256 and HASH160 of
 * many short messages.
 *
 * The compression functions are OpenSSL's (SHA256_Update on whole blocks,
 * SHA256_Transform, RIPEMD160_Transform: the same code util/hash.c runs,
 * SHA-NI where the CPU has it); only the Merkle-Damgard padding of the
 * last block is done here. Going through SHA256_Init / SHA256_Final
 * and their RIPEMD-160 counterparts costs a context setup, a cleanse and
 * copies per message: 15-35% of the work for a 33-byte key, a 64-byte
 * merkle node or a Base58Check checksum. The output is
 * checked against util/hash.c once per process (syn_sha_selftest, which
 * also checks syn_base58check and syn_segwit_addr against util/encode.c).
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "synth/synth.h"

#include <openssl/ripemd.h>
#include <openssl/sha.h>

#include "util/encode.h"
#include "util/error.h"

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* The initial states, from OpenSSL's SHA256_Init and RIPEMD160_Init,
 * copied into contexts that only ever see the Transform functions (and
 * SHA256_Update of whole blocks). */
static SHA256_CTX iv;
static RIPEMD160_CTX riv;
static pthread_once_t iv_once = PTHREAD_ONCE_INIT;

static void iv_init(void)
{
	SHA256_Init(&iv);
	RIPEMD160_Init(&riv);
}

/* For SHA256_Transform only: it reads nothing but the state. */
static void ctx_init(SHA256_CTX *c)
{
	pthread_once(&iv_once, iv_init);
	memcpy(c->h, iv.h, sizeof(c->h));
}

static void sha_out(const SHA256_CTX *c, uint8_t out[32])
{
	for (int i = 0; i < 8; i++) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		uint32_t v = __builtin_bswap32(c->h[i]);
		memcpy(out + 4 * i, &v, 4);
#else
		put_be32(out + 4 * i, c->h[i]);
#endif
	}
}

/* A message in pieces: whole blocks go straight to OpenSSL, the rest is
 * gathered in buf. */
typedef struct sha_st {
	SHA256_CTX c;
	uint8_t buf[64];
	size_t nbuf;
	uint64_t total;
} sha_st;

static void st_init(sha_st *s)
{
	pthread_once(&iv_once, iv_init);
	s->c = iv; /* SHA256_Update reads the counters too */
	s->nbuf = 0;
	s->total = 0;
}

static void st_update(sha_st *s, const uint8_t *p, size_t n)
{
	s->total += n;
	if (s->nbuf) {
		size_t k = 64 - s->nbuf < n ? 64 - s->nbuf : n;
		memcpy(s->buf + s->nbuf, p, k);
		s->nbuf += k;
		p += k;
		n -= k;
		if (s->nbuf < 64)
			return;
		SHA256_Transform(&s->c, s->buf);
		s->nbuf = 0;
	}
	if (n >= 64) {
		/* whole blocks only: OpenSSL's own buffer stays empty */
		size_t full = n & ~(size_t)63;
		SHA256_Update(&s->c, p, full);
		p += full;
		n -= full;
	}
	if (n)
		memcpy(s->buf, p, n);
	s->nbuf = n;
}

static void st_final(sha_st *s, uint8_t out[32])
{
	s->buf[s->nbuf++] = 0x80;
	if (s->nbuf > 56) {
		memset(s->buf + s->nbuf, 0, 64 - s->nbuf);
		SHA256_Transform(&s->c, s->buf);
		s->nbuf = 0;
	}
	memset(s->buf + s->nbuf, 0, 56 - s->nbuf);
	uint64_t bits = s->total * 8;
	put_be32(s->buf + 56, (uint32_t)(bits >> 32));
	put_be32(s->buf + 60, (uint32_t)bits);
	SHA256_Transform(&s->c, s->buf);
	sha_out(&s->c, out);
}

/* SHA-256 of a 32-byte message: one block. */
static void sha32(uint8_t out[32], const uint8_t in[32])
{
	SHA256_CTX c;
	uint8_t b[64];
	memcpy(b, in, 32);
	memset(b + 32, 0, 32);
	b[32] = 0x80;
	b[62] = 0x01; /* 256 bits */
	ctx_init(&c);
	SHA256_Transform(&c, b);
	sha_out(&c, out);
}

/* SHA-256 of a message of at most 55 bytes: one padded block. */
static void sha_short(SHA256_CTX *c, const void *data, size_t len)
{
	uint8_t b[64];
	memset(b, 0, sizeof(b));
	memcpy(b, data, len);
	b[len] = 0x80;
	b[62] = (uint8_t)(len >> 5); /* len * 8 bits, big-endian */
	b[63] = (uint8_t)(len << 3);
	ctx_init(c);
	SHA256_Transform(c, b);
}

void syn_sha256_x(uint8_t out[32], const void *data, size_t len)
{
	if (len <= 55) {
		SHA256_CTX c;
		sha_short(&c, data, len);
		sha_out(&c, out);
		return;
	}
	sha_st s;
	st_init(&s);
	st_update(&s, data, len);
	st_final(&s, out);
}

void syn_sha256d_parts_x(uint8_t out[32], const void *const *parts, const size_t *lens,
                         size_t n)
{
	sha_st s;
	uint8_t t[32];
	st_init(&s);
	for (size_t i = 0; i < n; i++)
		st_update(&s, parts[i], lens[i]);
	st_final(&s, t);
	sha32(out, t);
}

void syn_sha256d_x(uint8_t out[32], const void *data, size_t len)
{
	uint8_t t[32];
	syn_sha256_x(t, data, len);
	sha32(out, t);
}

void syn_hash160_x(uint8_t out[20], const void *data, size_t len)
{
	uint8_t b[64];
	RIPEMD160_CTX r;
	syn_sha256_x(b, data, len);
	memset(b + 32, 0, 32);
	b[32] = 0x80;
	b[57] = 0x01; /* 256 bits, little-endian */
	pthread_once(&iv_once, iv_init);
	r.A = riv.A; /* all that RIPEMD160_Transform reads */
	r.B = riv.B;
	r.C = riv.C;
	r.D = riv.D;
	r.E = riv.E;
	RIPEMD160_Transform(&r, b);
	const uint32_t v[5] = {r.A, r.B, r.C, r.D, r.E};
	for (int i = 0; i < 5; i++) {
		out[4 * i] = (uint8_t)v[i];
		out[4 * i + 1] = (uint8_t)(v[i] >> 8);
		out[4 * i + 2] = (uint8_t)(v[i] >> 16);
		out[4 * i + 3] = (uint8_t)(v[i] >> 24);
	}
}

void syn_merkle_pair(uint8_t out[32], const uint8_t in[64])
{
	static const uint8_t pad[64] = {0x80, [62] = 0x02}; /* after 64 bytes: 512 bits */
	SHA256_CTX c;
	uint8_t t[32];
	ctx_init(&c);
	SHA256_Transform(&c, in);
	SHA256_Transform(&c, pad);
	sha_out(&c, t);
	sha32(out, t);
}

int syn_sha_selftest(void)
{
	uint8_t msg[300], a[32], b[32];
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 7 + 3);
	for (size_t n = 0; n <= sizeof(msg); n += 1 + n / 8) {
		ct__sha256(NULL, a, msg, n);
		syn_sha256_x(b, msg, n);
		if (memcmp(a, b, 32))
			return ct__err(CT_EINTERNAL, "synth: SHA-256 self-test failed (%zu bytes)", n);
		ct__sha256d(NULL, a, msg, n);
		syn_sha256d_x(b, msg, n);
		if (memcmp(a, b, 32))
			return ct__err(CT_EINTERNAL, "synth: SHA-256d self-test failed (%zu bytes)", n);
		ct__hash160(NULL, a, msg, n);
		syn_hash160_x(b, msg, n);
		if (memcmp(a, b, 20))
			return ct__err(CT_EINTERNAL, "synth: HASH160 self-test failed (%zu bytes)", n);
	}
	ct__sha256d(NULL, a, msg, 64);
	syn_merkle_pair(b, msg);
	if (memcmp(a, b, 32))
		return ct__err(CT_EINTERNAL, "synth: merkle self-test failed");
	const void *parts[3] = {msg, msg + 5, msg + 200};
	size_t lens[3] = {5, 195, 100};
	ct__sha256d(NULL, a, msg, 300);
	syn_sha256d_parts_x(b, parts, lens, 3);
	if (memcmp(a, b, 32))
		return ct__err(CT_EINTERNAL, "synth: SHA-256d self-test failed (parts)");
	for (size_t t = 0; t < 64; t++) {
		char x[80], y[80];
		size_t len = 1 + t % 32;
		for (size_t i = 0; i < len; i++)
			msg[i] = i < t / 32 * 3 ? 0 : (uint8_t)(t * 37 + i * 101);
		if (ct__base58check_encode(NULL, x, sizeof(x), msg, len) < 0 ||
		    syn_base58check(y, sizeof(y), msg, len) < 0 || strcmp(x, y))
			return ct__err(CT_EINTERNAL, "synth: Base58Check self-test failed");
		static const char *const hrps[3] = {"bc", "bcrt", "tb"};
		size_t plen = t % 2 ? 32 : 20;
		int ver = (int)(t % 3);
		if (ct__segwit_encode(x, sizeof(x), hrps[t % 3], ver, msg, plen) < 0 ||
		    syn_segwit_addr(y, sizeof(y), hrps[t % 3], ver, msg, plen) < 0 || strcmp(x, y))
			return ct__err(CT_EINTERNAL, "synth: bech32 self-test failed");
	}
	return 0;
}
