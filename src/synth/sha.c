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

#include <math.h>
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

/* The initial state, from OpenSSL's SHA256_Init,
 * copied into contexts that only ever see the Transform function (and
 * SHA256_Update of whole blocks). */
static SHA256_CTX iv;
static pthread_once_t iv_once = PTHREAD_ONCE_INIT;

static void iv_init(void)
{
	SHA256_Init(&iv);
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

/* ---- RIPEMD-160 of 32-byte messages, eight at a time ------------------
 *
 * The second half of every HASH160 is RIPEMD-160 of a SHA-256 digest: one
 * block, always padded the same way. OpenSSL's RIPEMD-160 is scalar and
 * takes about four times as long as a SHA-256 block with SHA-NI, so the
 * generator hashes addresses in batches and runs eight RIPEMD-160s side
 * by side in the 32-bit lanes of AVX2 registers, written here from the
 * algorithm's definition (Dobbertin, Bosselaers, Preneel, 1996): two
 * lines of five rounds of 16 steps, message word order r / r', rotations
 * s / s', constants K / K'. Without AVX2, OpenSSL's transform is used. */

static const uint8_t RMD_R[80] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
	7, 4, 13, 1, 10, 6, 15, 3, 12, 0, 9, 5, 2, 14, 11, 8,
	3, 10, 14, 4, 9, 15, 8, 1, 2, 7, 0, 6, 13, 11, 5, 12,
	1, 9, 11, 10, 0, 8, 12, 4, 13, 3, 7, 15, 14, 5, 6, 2,
	4, 0, 5, 9, 7, 12, 2, 10, 14, 1, 3, 8, 11, 6, 15, 13};
static const uint8_t RMD_RP[80] = {
	5, 14, 7, 0, 9, 2, 11, 4, 13, 6, 15, 8, 1, 10, 3, 12,
	6, 11, 3, 7, 0, 13, 5, 10, 14, 15, 8, 12, 4, 9, 1, 2,
	15, 5, 1, 3, 7, 14, 6, 9, 11, 8, 12, 2, 10, 0, 4, 13,
	8, 6, 4, 1, 3, 11, 15, 0, 5, 12, 2, 13, 9, 7, 10, 14,
	12, 15, 10, 4, 1, 5, 8, 7, 6, 2, 13, 14, 0, 3, 9, 11};
static const uint8_t RMD_S[80] = {
	11, 14, 15, 12, 5, 8, 7, 9, 11, 13, 14, 15, 6, 7, 9, 8,
	7, 6, 8, 13, 11, 9, 7, 15, 7, 12, 15, 9, 11, 7, 13, 12,
	11, 13, 6, 7, 14, 9, 13, 15, 14, 8, 13, 6, 5, 12, 7, 5,
	11, 12, 14, 15, 14, 15, 9, 8, 9, 14, 5, 6, 8, 6, 5, 12,
	9, 15, 5, 11, 6, 8, 13, 12, 5, 12, 13, 14, 11, 8, 5, 6};
static const uint8_t RMD_SP[80] = {
	8, 9, 9, 11, 13, 15, 15, 5, 7, 7, 8, 11, 14, 14, 12, 6,
	9, 13, 15, 7, 12, 8, 9, 11, 7, 7, 12, 7, 6, 15, 13, 11,
	9, 7, 15, 11, 8, 6, 6, 14, 12, 13, 5, 14, 13, 13, 7, 5,
	15, 5, 8, 11, 14, 14, 6, 14, 6, 9, 12, 9, 12, 5, 15, 8,
	8, 5, 12, 9, 12, 5, 14, 6, 8, 13, 6, 5, 15, 13, 11, 11};
static const uint32_t RMD_K[5] = {0x00000000u, 0x5a827999u, 0x6ed9eba1u, 0x8f1bbcdcu,
                                  0xa953fd4eu};
static const uint32_t RMD_KP[5] = {0x50a28be6u, 0x5c4dd124u, 0x6d703ef3u, 0x7a6d76e9u,
                                   0x00000000u};
static const uint32_t RMD_H[5] = {0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u,
                                  0xc3d2e1f0u};

/* One RIPEMD-160 of a 32-byte message with OpenSSL's transform. */
static void rmd32_one(const uint8_t in[32], uint8_t out[20])
{
	uint8_t b[64];
	RIPEMD160_CTX r;
	memcpy(b, in, 32);
	memset(b + 32, 0, 32);
	b[32] = 0x80;
	b[57] = 0x01; /* 256 bits, little-endian */
	r.A = RMD_H[0]; /* all that RIPEMD160_Transform reads */
	r.B = RMD_H[1];
	r.C = RMD_H[2];
	r.D = RMD_H[3];
	r.E = RMD_H[4];
	RIPEMD160_Transform(&r, b);
	const uint32_t v[5] = {r.A, r.B, r.C, r.D, r.E};
	for (int i = 0; i < 5; i++) {
		out[4 * i] = (uint8_t)v[i];
		out[4 * i + 1] = (uint8_t)(v[i] >> 8);
		out[4 * i + 2] = (uint8_t)(v[i] >> 16);
		out[4 * i + 3] = (uint8_t)(v[i] >> 24);
	}
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>
#define RMD_X8 1
#define AVX2 __attribute__((target("avx2")))

AVX2 static inline __m256i rmd_rol(__m256i x, int s)
{
	return _mm256_or_si256(_mm256_sll_epi32(x, _mm_cvtsi32_si128(s)),
	                       _mm256_srl_epi32(x, _mm_cvtsi32_si128(32 - s)));
}

/* The five f functions: x^y^z, (x&y)|(~x&z), (x|~y)^z, (x&z)|(y&~z),
 * x^(y|~z). */
#define RF0(x, y, z) _mm256_xor_si256(_mm256_xor_si256(x, y), z)
#define RF1(x, y, z) _mm256_or_si256(_mm256_and_si256(x, y), _mm256_andnot_si256(x, z))
#define RF2(x, y, z) _mm256_xor_si256(_mm256_or_si256(x, _mm256_xor_si256(y, ones)), z)
#define RF3(x, y, z) _mm256_or_si256(_mm256_and_si256(x, z), _mm256_andnot_si256(z, y))
#define RF4(x, y, z) _mm256_xor_si256(x, _mm256_or_si256(y, _mm256_xor_si256(z, ones)))

/* One step of a line: a = rol(a + f(b, c, d) + x + k, s) + e, then the
 * registers shift (c is rotated by 10). */
#define RSTEP(F, a, b, c, d, e, x, k, s)                                                 \
	do {                                                                               \
		__m256i t_ = _mm256_add_epi32(_mm256_add_epi32(a, F(b, c, d)),                   \
		                              _mm256_add_epi32(x, k));                           \
		t_ = _mm256_add_epi32(rmd_rol(t_, s), e);                                        \
		a = e;                                                                           \
		e = d;                                                                           \
		d = rmd_rol(c, 10);                                                              \
		c = b;                                                                           \
		b = t_;                                                                          \
	} while (0)

/* Round rd (16 steps) of both lines, the left with FL, the right with FR;
 * unrolled, so that word indices and rotations are constants. */
#define RROUND(rd, FL, FR)                                                               \
	do {                                                                               \
		const __m256i kl_ = _mm256_set1_epi32((int)RMD_K[rd]);                          \
		const __m256i kr_ = _mm256_set1_epi32((int)RMD_KP[rd]);                         \
		_Pragma("GCC unroll 16") for (int j_ = 16 * (rd); j_ < 16 * (rd) + 16; j_++) {  \
			RSTEP(FL, a, b, c, d, e, X[RMD_R[j_]], kl_, RMD_S[j_]);                  \
			RSTEP(FR, ap, bp, cp, dp, ep, X[RMD_RP[j_]], kr_, RMD_SP[j_]);           \
		}                                                                          \
	} while (0)

/* Eight messages of 32 bytes: lane l hashes in[l] into out[l]. */
AVX2 static void rmd32_x8(const uint8_t *const in[8], uint8_t *const out[8])
{
	const __m256i ones = _mm256_set1_epi32(-1);
	__m256i X[16];
	for (int i = 0; i < 8; i++) {
		uint32_t w[8];
		for (int l = 0; l < 8; l++)
			memcpy(&w[l], in[l] + 4 * i, 4); /* little-endian words */
		X[i] = _mm256_loadu_si256((const __m256i *)w);
	}
	X[8] = _mm256_set1_epi32(0x80);
	for (int i = 9; i < 16; i++)
		X[i] = _mm256_setzero_si256();
	X[14] = _mm256_set1_epi32(256); /* the length in bits */
	__m256i a = _mm256_set1_epi32((int)RMD_H[0]), b = _mm256_set1_epi32((int)RMD_H[1]);
	__m256i c = _mm256_set1_epi32((int)RMD_H[2]), d = _mm256_set1_epi32((int)RMD_H[3]);
	__m256i e = _mm256_set1_epi32((int)RMD_H[4]);
	__m256i ap = a, bp = b, cp = c, dp = d, ep = e;
	RROUND(0, RF0, RF4);
	RROUND(1, RF1, RF3);
	RROUND(2, RF2, RF2);
	RROUND(3, RF3, RF1);
	RROUND(4, RF4, RF0);
	__m256i h[5];
	h[0] = _mm256_add_epi32(_mm256_add_epi32(_mm256_set1_epi32((int)RMD_H[1]), c), dp);
	h[1] = _mm256_add_epi32(_mm256_add_epi32(_mm256_set1_epi32((int)RMD_H[2]), d), ep);
	h[2] = _mm256_add_epi32(_mm256_add_epi32(_mm256_set1_epi32((int)RMD_H[3]), e), ap);
	h[3] = _mm256_add_epi32(_mm256_add_epi32(_mm256_set1_epi32((int)RMD_H[4]), a), bp);
	h[4] = _mm256_add_epi32(_mm256_add_epi32(_mm256_set1_epi32((int)RMD_H[0]), b), cp);
	for (int i = 0; i < 5; i++) {
		uint32_t w[8];
		_mm256_storeu_si256((__m256i *)w, h[i]);
		for (int l = 0; l < 8; l++)
			memcpy(out[l] + 4 * i, &w[l], 4);
	}
}

static int avx2_ok;
static pthread_once_t avx2_once = PTHREAD_ONCE_INIT;

static void avx2_init(void)
{
	__builtin_cpu_init();
	avx2_ok = __builtin_cpu_supports("avx2") ? 1 : 0;
}

static int have_avx2(void)
{
	pthread_once(&avx2_once, avx2_init);
	return avx2_ok;
}
#endif

/* Test hook: 1 forces the scalar path (syn_sha_selftest compares both). */
static _Thread_local int rmd_scalar;

void syn_rmd32_many(const uint8_t *const *in, uint8_t *const *out, size_t n)
{
	size_t i = 0;
#ifdef RMD_X8
	if (!rmd_scalar && n >= 2 && have_avx2()) {
		for (; i + 8 <= n; i += 8)
			rmd32_x8(in + i, out + i);
		if (i < n) {
			/* the rest, padded with copies of the last one */
			const uint8_t *pin[8];
			uint8_t *pout[8], scratch[8][20];
			for (int l = 0; l < 8; l++) {
				pin[l] = in[i + l < n ? i + l : n - 1];
				pout[l] = i + l < n ? out[i + l] : scratch[l];
			}
			rmd32_x8(pin, pout);
			i = n;
		}
	}
#endif
	for (; i < n; i++)
		rmd32_one(in[i], out[i]);
}

void syn_hash160_x(uint8_t out[20], const void *data, size_t len)
{
	uint8_t d[32];
	syn_sha256_x(d, data, len);
	rmd32_one(d, out);
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

/* ---- two SHA-256 streams at once with SHA-NI -------------------------------
 *
 * OpenSSL's SHA-NI code hashes one message at a time, and each
 * SHA256RNDS2 waits for the one before: the unit is idle half the time.
 * Two independent messages interleaved (two txids, two merkle nodes) keep
 * it busy. Written from Intel's definition of the SHA extensions: the
 * state in two registers (A,B,E,F and C,D,G,H), two rounds per
 * SHA256RNDS2 with message words plus constants in the third operand,
 * SHA256MSG1/MSG2 for the message schedule. The round constants are
 * computed at first use (the fractional parts of the cube roots of the
 * first 64 primes, exactly, in integers); a self-test compares with
 * OpenSSL. Without SHA-NI, or for a single message, the functions above
 * are used. */

static uint32_t NI_K[64];
static int ni_ok; /* set by ni_init */
static pthread_once_t ni_once = PTHREAD_ONCE_INIT;

static void ni_init(void)
{
	/* K[i] = the first 32 bits of the fraction of cbrt(p_i): x =
	 * floor(cbrt(p 2^96)) exactly (x^3 <= p 2^96 < (x+1)^3), K = x mod 2^32 */
	int n = 0;
	for (uint32_t p = 2; n < 64; p++) {
		int prime = 1;
		for (uint32_t d = 2; d * d <= p; d++)
			if (p % d == 0)
				prime = 0;
		if (!prime)
			continue;
		unsigned __int128 target = (unsigned __int128)p << 96;
		uint64_t x = (uint64_t)(cbrt((double)p) * 4294967296.0);
		while ((unsigned __int128)x * x * x > target)
			x--;
		while ((unsigned __int128)(x + 1) * (x + 1) * (x + 1) <= target)
			x++;
		NI_K[n++] = (uint32_t)x;
	}
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
	unsigned a, b, c, d;
	if (__get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 29)) &&
	    __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 19)) && (c & (1u << 9)))
		ni_ok = 1; /* SHA, SSE4.1, SSSE3 */
#endif
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define NI_FN __attribute__((target("sha,sse4.1,ssse3")))

/* Four rounds of one stream: its state (s0 = ABEF, s1 = CDGH) and the
 * message words w plus constants. */
#define NI_4R(s0, s1, w, k)                                                           \
	do {                                                                            \
		__m128i m_ = _mm_add_epi32(w, k);                                           \
		s1 = _mm_sha256rnds2_epu32(s1, s0, m_);                                    \
		m_ = _mm_shuffle_epi32(m_, 0x0e);                                          \
		s0 = _mm_sha256rnds2_epu32(s0, s1, m_);                                    \
	} while (0)

/* The next four message words from the last sixteen (w0 oldest). */
#define NI_NEXT(w0, w1, w2, w3)                                                      \
	_mm_sha256msg2_epu32(_mm_add_epi32(_mm_sha256msg1_epu32(w0, w1),                 \
	                                   _mm_alignr_epi8(w3, w2, 4)),                  \
	                     w3)

/* The states of two streams, each as ABEF and CDGH. */
typedef struct ni2 {
	__m128i a0, a1, b0, b1;
} ni2;

/* H0 as ABEF / CDGH (from the words A..H: BADC and HGFE shuffled). */
NI_FN static inline void ni_h0(__m128i *s0, __m128i *s1)
{
	/* ABEF: A in the top dword, F at the bottom; CDGH likewise */
	*s0 = _mm_set_epi32(0x6a09e667, (int)0xbb67ae85u, 0x510e527f, (int)0x9b05688cu);
	*s1 = _mm_set_epi32(0x3c6ef372, (int)0xa54ff53au, 0x1f83d9ab, 0x5be0cd19);
}

/* ABEF / CDGH back to the words A..D and E..H, lowest dword first. */
NI_FN static inline void ni_words(__m128i s0, __m128i s1, __m128i *abcd, __m128i *efgh)
{
	__m128i t = _mm_shuffle_epi32(s0, 0x1b); /* F,E,B,A low to high -> A,B,E,F */
	__m128i u = _mm_shuffle_epi32(s1, 0xb1); /* H,G,D,C -> G,H,C,D */
	*abcd = _mm_blend_epi16(t, u, 0xf0);
	*efgh = _mm_alignr_epi8(u, t, 8);
}

/* 64 rounds on both streams from their message words (big-endian words,
 * four per register), then the feed-forward. */
NI_FN static inline void ni_rounds2(ni2 *st, __m128i wa[4], __m128i wb[4])
{
	const __m128i sa0 = st->a0, sa1 = st->a1, sb0 = st->b0, sb1 = st->b1;
	__m128i a0 = sa0, a1 = sa1, b0 = sb0, b1 = sb1;
#pragma GCC unroll 16
	for (int g = 0; g < 16; g++) {
		const __m128i k = _mm_loadu_si128((const __m128i *)(NI_K + 4 * g));
		if (g >= 4) { /* words 4g..4g+3 replace those of group g-4 */
			wa[g & 3] = NI_NEXT(wa[g & 3], wa[(g + 1) & 3], wa[(g + 2) & 3], wa[(g + 3) & 3]);
			wb[g & 3] = NI_NEXT(wb[g & 3], wb[(g + 1) & 3], wb[(g + 2) & 3], wb[(g + 3) & 3]);
		}
		NI_4R(a0, a1, wa[g & 3], k);
		NI_4R(b0, b1, wb[g & 3], k);
	}
	st->a0 = _mm_add_epi32(a0, sa0);
	st->a1 = _mm_add_epi32(a1, sa1);
	st->b0 = _mm_add_epi32(b0, sb0);
	st->b1 = _mm_add_epi32(b1, sb1);
}

/* One 64-byte block of each stream. */
NI_FN static inline void ni_block2(ni2 *st, const uint8_t *da, const uint8_t *db)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
	__m128i wa[4], wb[4];
	for (int i = 0; i < 4; i++) {
		wa[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(da + 16 * i)), bswap);
		wb[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(db + 16 * i)), bswap);
	}
	ni_rounds2(st, wa, wb);
}

/* The two digests the states hold, big-endian, into oa and ob. */
NI_FN static inline void ni_store2(const ni2 *st, uint8_t *oa, uint8_t *ob)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
	__m128i x, y;
	ni_words(st->a0, st->a1, &x, &y);
	_mm_storeu_si128((__m128i *)oa, _mm_shuffle_epi8(x, bswap));
	_mm_storeu_si128((__m128i *)(oa + 16), _mm_shuffle_epi8(y, bswap));
	ni_words(st->b0, st->b1, &x, &y);
	_mm_storeu_si128((__m128i *)ob, _mm_shuffle_epi8(x, bswap));
	_mm_storeu_si128((__m128i *)(ob + 16), _mm_shuffle_epi8(y, bswap));
}

/* The second SHA-256 of a double SHA-256: of the 32-byte digests the
 * states hold, whose big-endian words are the state words themselves;
 * the results into oa, ob. */
NI_FN static inline void ni_second2(ni2 *st, uint8_t *oa, uint8_t *ob)
{
	__m128i wa[4], wb[4];
	ni_words(st->a0, st->a1, &wa[0], &wa[1]);
	ni_words(st->b0, st->b1, &wb[0], &wb[1]);
	wa[2] = wb[2] = _mm_set_epi32(0, 0, 0, (int)0x80000000u);
	wa[3] = wb[3] = _mm_set_epi32(256, 0, 0, 0);
	ni_h0(&st->a0, &st->a1);
	ni_h0(&st->b0, &st->b1);
	ni_rounds2(st, wa, wb);
	ni_store2(st, oa, ob);
}
#else
#define NI_NONE 1
#endif

/* A message as whole blocks in place and its padded tail (one or two
 * blocks) in tail. */
typedef struct ni_msg {
	const uint8_t *p;
	size_t full, nblk; /* blocks in place; all blocks */
	uint8_t tail[128];
} ni_msg;

static void ni_msg_init(ni_msg *m, const uint8_t *p, size_t len)
{
	size_t rest = len % 64, tb = rest < 56 ? 1 : 2;
	m->p = p;
	m->full = len / 64;
	m->nblk = m->full + tb;
	memset(m->tail, 0, 64 * tb);
	if (rest)
		memcpy(m->tail, p + 64 * m->full, rest);
	m->tail[rest] = 0x80;
	uint64_t bits = (uint64_t)len * 8;
	put_be32(m->tail + 64 * tb - 8, (uint32_t)(bits >> 32));
	put_be32(m->tail + 64 * tb - 4, (uint32_t)bits);
}

static const uint8_t *ni_blk(const ni_msg *m, size_t i)
{
	return i < m->full ? m->p + 64 * i : m->tail + 64 * (i - m->full);
}

static int ni_ready(void)
{
	pthread_once(&ni_once, ni_init);
	return ni_ok;
}

/* Test hook: 1 forces the one-stream path. */
static _Thread_local int ni_off;

#ifndef NI_NONE
/* The first SHA-256 of two messages side by side: the states end holding
 * the digests of m0 and m1. */
NI_FN static inline void ni_first2(ni2 *st, const uint8_t *m0, size_t l0, const uint8_t *m1,
                                   size_t l1)
{
	ni_msg a, b;
	ni_msg_init(&a, m0, l0);
	ni_msg_init(&b, m1, l1);
	ni_h0(&st->a0, &st->a1);
	ni_h0(&st->b0, &st->b1);
	size_t i = 0;
	for (; i < a.nblk && i < b.nblk; i++)
		ni_block2(st, ni_blk(&a, i), ni_blk(&b, i));
	if (i == a.nblk && i == b.nblk)
		return;
	/* the longer one's rest, alone (each block needs the one before),
	 * beside a copy of itself whose result is dropped */
	const ni_msg *m = i < a.nblk ? &a : &b;
	ni2 keep = *st;
	for (; i < m->nblk; i++)
		ni_block2(st, ni_blk(m, i), ni_blk(m, i));
	if (m == &a) {
		st->b0 = keep.b0;
		st->b1 = keep.b1;
	} else {
		st->a0 = keep.a0;
		st->a1 = keep.a1;
	}
}

NI_FN static void ni_sha256d_x2(uint8_t o0[32], const uint8_t *m0, size_t l0, uint8_t o1[32],
                                const uint8_t *m1, size_t l1)
{
	ni2 st;
	ni_first2(&st, m0, l0, m1, l1);
	ni_second2(&st, o0, o1);
}

NI_FN static void ni_sha256_x2(uint8_t o0[32], const uint8_t *m0, size_t l0, uint8_t o1[32],
                               const uint8_t *m1, size_t l1)
{
	ni2 st;
	ni_first2(&st, m0, l0, m1, l1);
	ni_store2(&st, o0, o1);
}

NI_FN static void ni_merkle_x2(uint8_t o0[32], const uint8_t i0[64], uint8_t o1[32],
                               const uint8_t i1[64])
{
	static const uint8_t pad[64] = {0x80, [62] = 0x02}; /* after 64 bytes: 512 bits */
	ni2 st;
	ni_h0(&st.a0, &st.a1);
	ni_h0(&st.b0, &st.b1);
	ni_block2(&st, i0, i1);
	ni_block2(&st, pad, pad);
	ni_second2(&st, o0, o1);
}
#endif

void syn_sha256d_x2(uint8_t o0[32], const void *m0, size_t l0, uint8_t o1[32], const void *m1,
                    size_t l1)
{
#ifndef NI_NONE
	if (!ni_off && ni_ready()) {
		ni_sha256d_x2(o0, m0, l0, o1, m1, l1);
		return;
	}
#endif
	syn_sha256d_x(o0, m0, l0);
	syn_sha256d_x(o1, m1, l1);
}

void syn_sha256_x2(uint8_t o0[32], const void *m0, size_t l0, uint8_t o1[32], const void *m1,
                   size_t l1)
{
#ifndef NI_NONE
	if (!ni_off && ni_ready()) {
		ni_sha256_x2(o0, m0, l0, o1, m1, l1);
		return;
	}
#endif
	syn_sha256_x(o0, m0, l0);
	syn_sha256_x(o1, m1, l1);
}

void syn_merkle_pair_x2(uint8_t o0[32], const uint8_t i0[64], uint8_t o1[32],
                        const uint8_t i1[64])
{
#ifndef NI_NONE
	if (!ni_off && ni_ready()) {
		ni_merkle_x2(o0, i0, o1, i1);
		return;
	}
#endif
	syn_merkle_pair(o0, i0);
	syn_merkle_pair(o1, i1);
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
	/* RIPEMD-160 in batches of 1 to 19 (the eight-lane path with and
	 * without padding lanes, and the scalar one) against HASH160 */
	{
		uint8_t dig[19][32], got[19][20], exp[20];
		const uint8_t *pin[19];
		uint8_t *pout[19];
		for (size_t j = 0; j < 19; j++) {
			syn_sha256_x(dig[j], msg + j, 33);
			pin[j] = dig[j];
			pout[j] = got[j];
		}
		for (int scalar = 0; scalar < 2; scalar++)
			for (size_t n = 1; n <= 19; n++) {
				rmd_scalar = scalar;
				memset(got, 0, sizeof(got));
				syn_rmd32_many(pin, pout, n);
				rmd_scalar = 0;
				for (size_t j = 0; j < n; j++) {
					ct__hash160(NULL, exp, msg + j, 33);
					if (memcmp(exp, got[j], 20))
						return ct__err(CT_EINTERNAL,
						               "synth: RIPEMD-160 self-test failed (%zu of %zu)", j, n);
				}
			}
	}
	/* two streams: every pair of lengths 0..300 in steps, both paths */
	for (int off = 0; off < 2; off++)
		for (size_t la = 0; la <= 300; la += 1 + la / 5)
			for (size_t lb = 0; lb <= 300; lb += 7 + lb / 3) {
				uint8_t ea[32], eb[32], ga[32], gb[32];
				ni_off = off;
				syn_sha256d_x2(ga, msg, la, gb, msg + 3, lb);
				ni_off = 0;
				ct__sha256d(NULL, ea, msg, la);
				ct__sha256d(NULL, eb, msg + 3, lb);
				if (memcmp(ea, ga, 32) || memcmp(eb, gb, 32))
					return ct__err(CT_EINTERNAL, "synth: SHA-256 x2 self-test failed (%zu, %zu)",
					               la, lb);
				ni_off = off;
				syn_sha256_x2(ga, msg, la, gb, msg + 3, lb);
				ni_off = 0;
				ct__sha256(NULL, ea, msg, la);
				ct__sha256(NULL, eb, msg + 3, lb);
				if (memcmp(ea, ga, 32) || memcmp(eb, gb, 32))
					return ct__err(CT_EINTERNAL, "synth: SHA-256 x2 self-test failed (single, "
					               "%zu, %zu)", la, lb);
			}
	{
		uint8_t ea[32], eb[32], ga[32], gb[32];
		syn_merkle_pair_x2(ga, msg + 10, gb, msg + 100);
		ct__sha256d(NULL, ea, msg + 10, 64);
		ct__sha256d(NULL, eb, msg + 100, 64);
		if (memcmp(ea, ga, 32) || memcmp(eb, gb, 32))
			return ct__err(CT_EINTERNAL, "synth: merkle x2 self-test failed");
	}
	/* Base58Check of 21-byte payloads (its own fast path): 0 to 21
	 * leading zeros, pseudo-random rest */
	for (uint32_t t = 0, z = 0x12345678; t < 2200; t++) {
		char x[80], y[80];
		for (size_t i = 0; i < 21; i++) {
			z = z * 1103515245u + 12345u;
			msg[i] = i < t % 22 ? 0 : (uint8_t)(z >> 16);
		}
		if (t % 7 == 0)
			memset(msg + 1, 0xff, 20);
		if (ct__base58check_encode(NULL, x, sizeof(x), msg, 21) < 0 ||
		    syn_base58check(y, sizeof(y), msg, 21) < 0 || strcmp(x, y))
			return ct__err(CT_EINTERNAL, "synth: Base58Check self-test failed (21 bytes)");
	}
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
