/*
 * acctfmt.c - text forms of account-chain addresses (EVM with EIP-55, NEM
 * base32 with its keccak checksum, TRON Base58Check) and exact 256-bit
 * decimal amounts (parse and render, never through floating point).
 */
#include "chain/account/acctstore.h"
#include "util/encode.h"
#include "util/error.h"

#include <string.h>

/* ---- addresses ---------------------------------------------------------- */

/* The value of each byte as a hex digit, or -1: a table, since the
 * branches of a comparison chain mispredict on random hex. */
const int8_t ct__hexval[256] = {
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, -1, -1, -1, -1, -1, -1,
	-1, 10, 11, 12, 13, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, 10, 11, 12, 13, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
};

static inline int hexv(unsigned c) { return ct__hexval[c & 255]; }

/* 0x + 40 hex digits. All-lower and all-upper are accepted as they are;
 * mixed case must be EIP-55 (letter i upper-case iff nibble i of
 * keccak256(lower-case hex) >= 8). The common lower-case path touches
 * each character once. */
static int parse_evm(ct_acct_key *k, const char *s, size_t n)
{
	if (n != 42 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return ct__err(CT_EDATA, "not an Ethereum address (0x and 40 hex digits): '%.*s'",
		               (int)(n > 60 ? 60 : n), s);
	const unsigned char *h = (const unsigned char *)s + 2;
	/* Case of the letters, 8 characters a step: a letter has bit 6 set,
	 * a lower-case one bit 5 too; digits have bit 6 clear. */
	uint64_t upper = 0, lower = 0;
	for (size_t i = 0; i < 40; i += 8) {
		uint64_t w;
		memcpy(&w, h + i, 8);
		uint64_t letter = (w >> 1) & 0x2020202020202020ULL;
		upper |= letter & ~w;
		lower |= letter & w;
	}
	/* bytes 0-7, 8-15 and 12-19 (overlapping: the same values twice) */
	int bad = ct__hex16(k->b, (const char *)h) | ct__hex16(k->b + 8, (const char *)h + 16) |
	          ct__hex16(k->b + 12, (const char *)h + 24);
	if (__builtin_expect(bad, 0))
		return ct__err(CT_EDATA, "not an Ethereum address (bad hex digit): '%.42s'", s);
	if (lower && upper) {
		char lc[40];
		uint8_t hh[32];
		for (size_t i = 0; i < 40; i++)
			lc[i] = "0123456789abcdef"[hexv(h[i])];
		ct__keccak256(hh, lc, 40);
		for (size_t i = 0; i < 40; i++) {
			unsigned c = h[i];
			if (c < 'A')
				continue; /* digits carry no checksum */
			int nib = (hh[i / 2] >> ((i & 1) ? 0 : 4)) & 15;
			if ((nib >= 8) != (c <= 'F'))
				return ct__err(CT_EDATA, "bad EIP-55 checksum in address %.42s", s);
		}
	}
	k->len = 20; /* the rest of k was zeroed by ct__acct_key_parse */
	return 0;
}

static const char B32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

static int parse_nem(ct_acct_key *k, const char *s, size_t n)
{
	char c40[40];
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '-')
			continue; /* the "pretty" form NC4C6P-... */
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 32);
		if (m == 40)
			return ct__err(CT_EDATA, "not a NEM address (40 base32 characters): '%.*s'",
			               (int)(n > 60 ? 60 : n), s);
		c40[m++] = c;
	}
	if (m != 40)
		return ct__err(CT_EDATA, "not a NEM address (40 base32 characters): '%.*s'",
		               (int)(n > 60 ? 60 : n), s);
	uint64_t acc = 0;
	int bits = 0;
	size_t o = 0;
	for (size_t i = 0; i < 40; i++) {
		const char *p = c40[i] ? strchr(B32, c40[i]) : NULL;
		if (!p)
			return ct__err(CT_EDATA, "not a NEM address (bad base32 character): '%.40s'",
			               c40);
		acc = acc << 5 | (uint64_t)(p - B32);
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			k->b[o++] = (uint8_t)(acc >> bits);
		}
	}
	uint8_t h[32];
	ct__keccak256(h, k->b, 21);
	if (memcmp(h, k->b + 21, 4) != 0)
		return ct__err(CT_EDATA, "bad NEM address checksum: %.40s", c40);
	k->len = 25;
	memset(k->b + 25, 0, sizeof(k->b) - 25);
	return 0;
}

static int parse_tron(ct_acct_key *k, const char *s, size_t n)
{
	char buf[64];
	uint8_t out[32];
	if (n == 42 && s[0] == '4' && s[1] == '1') {
		/* hex form 41 + 20 bytes */
		for (size_t i = 0; i < 42; i++) {
			int v = hexv((unsigned char)s[i]);
			if (v < 0)
				return ct__err(CT_EDATA, "not a TRON address: '%.42s'", s);
			if (i & 1)
				k->b[i / 2] |= (uint8_t)v;
			else
				k->b[i / 2] = (uint8_t)(v << 4);
		}
	} else {
		if (n == 0 || n >= sizeof(buf))
			return ct__err(CT_EDATA, "not a TRON address: '%.*s'", (int)(n > 60 ? 60 : n), s);
		memcpy(buf, s, n);
		buf[n] = 0;
		if (ct__base58check_decode(NULL, out, sizeof(out), buf) != 21 || out[0] != 0x41)
			return ct__err(CT_EDATA, "not a TRON address (Base58Check): '%s'", buf);
		memcpy(k->b, out, 21);
	}
	k->len = 21;
	memset(k->b + 21, 0, sizeof(k->b) - 21);
	return 0;
}

int ct__acct_key_parse(int af, ct_acct_key *k, const char *s, size_t n)
{
	memset(k, 0, sizeof(*k));
	switch (af) {
	case CT_AF_EVM:
		return parse_evm(k, s, n);
	case CT_AF_NEM:
		return parse_nem(k, s, n);
	case CT_AF_TRON:
		return parse_tron(k, s, n);
	default:
		return ct__err(CT_EINTERNAL, "unknown address format %d", af);
	}
}

int ct__acct_key_str(int af, const ct_acct_key *k, char *out, size_t cap)
{
	if (cap < CT_ACCT_ADDR_STR) {
		if (cap)
			out[0] = 0;
		return 0;
	}
	switch (af) {
	case CT_AF_EVM:
		out[0] = '0';
		out[1] = 'x';
		ct__hex(out + 2, k->b, k->len);
		return 2 + 2 * k->len;
	case CT_AF_NEM: {
		uint64_t acc = 0;
		int bits = 0, m = 0;
		for (int i = 0; i < k->len; i++) {
			acc = acc << 8 | k->b[i];
			bits += 8;
			while (bits >= 5) {
				bits -= 5;
				out[m++] = B32[(acc >> bits) & 31];
			}
		}
		if (bits)
			out[m++] = B32[(acc << (5 - bits)) & 31];
		out[m] = 0;
		return m;
	}
	case CT_AF_TRON: {
		int r = ct__base58check_encode(NULL, out, cap, k->b, k->len);
		return r < 0 ? 0 : r;
	}
	default:
		out[0] = 0;
		return 0;
	}
}

/* ---- amounts ------------------------------------------------------------ */

/* r = r * m + a; returns nonzero on overflow past 256 bits. */
static inline int mul_add(ct_u256 *r, uint64_t m, uint64_t a)
{
	unsigned __int128 c = a;
	for (int i = 0; i < 4; i++) {
		c += (unsigned __int128)r->w[i] * m;
		r->w[i] = (uint64_t)c;
		c >>= 64;
	}
	return c != 0;
}

/* v = v * 10^n + the n decimal digits at s (checked digits): eight at a
 * time in one word (pairs, then fours, then the eight), the rest one by one. */
static inline void dec_digits(unsigned __int128 *v, const char *s, size_t n)
{
	for (; n >= 8; s += 8, n -= 8) {
		uint64_t w = ct_le64((const uint8_t *)s) - 0x3030303030303030ULL;
		w = (w * 10 + (w >> 8)) & 0x00ff00ff00ff00ffULL;
		w = (w * 100 + (w >> 16)) & 0x0000ffff0000ffffULL;
		w = (w * 10000 + (w >> 32)) & 0xffffffffULL;
		*v = *v * 100000000u + w;
	}
	for (; n; s++, n--)
		*v = *v * 10 + (unsigned)(*s - '0');
}

int ct__acct_amount_parse(ct_u256 *out, const char *s, size_t n, int decimals,
                          const char **why)
{
	static const uint64_t P10[20] = {1ULL,
	                                  10ULL,
	                                  100ULL,
	                                  1000ULL,
	                                  10000ULL,
	                                  100000ULL,
	                                  1000000ULL,
	                                  10000000ULL,
	                                  100000000ULL,
	                                  1000000000ULL,
	                                  10000000000ULL,
	                                  100000000000ULL,
	                                  1000000000000ULL,
	                                  10000000000000ULL,
	                                  100000000000000ULL,
	                                  1000000000000000ULL,
	                                  10000000000000000ULL,
	                                  100000000000000000ULL,
	                                  1000000000000000000ULL,
	                                  10000000000000000000ULL};
	size_t i = 0, ie, fs = 0, fe = 0;
	int dec = decimals == CT_DECIMALS_UNKNOWN ? 0 : decimals;
	long exp = 0;
	memset(out, 0, sizeof(*out));
	if (n && s[0] == '+')
		i++;
	if (n && s[0] == '-') {
		*why = "negative amount";
		return -1;
	}
	size_t is = i;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	ie = i;
	if (i < n && s[i] == '.') {
		fs = ++i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		fe = i;
	}
	if (ie == is && fe == fs) {
		*why = "amount is not a number";
		return -1;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		int neg = 0;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			neg = s[i++] == '-';
		size_t es = i;
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			if (exp > 1000) {
				*why = "amount exponent out of range";
				return -1;
			}
			exp = exp * 10 + (s[i] - '0');
			i++;
		}
		if (i == es) {
			*why = "amount is not a number";
			return -1;
		}
		if (neg)
			exp = -exp;
	}
	if (i != n) {
		*why = "amount is not a number";
		return -1;
	}
	/* The value is digits(int . frac) * 10^(exp - nfrac); in base units
	 * multiply by 10^dec. shift = dec + exp - nfrac: digits beyond that
	 * (at the end) must be zeros. */
	long nfrac = (long)(fe - fs);
	long shift = (long)dec + exp - nfrac;
	size_t ndig = (ie - is) + (size_t)nfrac;
	/* Walk digits: integer then fraction; drop trailing digits if shift < 0. */
	if (shift >= 0 && (long)ndig + shift <= 38) {
		/* The common case: below 10^38, so 128 bits hold it and no
		 * digit is dropped (the digits were checked above). */
		unsigned __int128 v = 0;
		dec_digits(&v, s + is, ie - is);
		dec_digits(&v, s + fs, fe - fs);
		for (long t = shift; t > 0; t -= 19)
			v *= P10[t >= 19 ? 19 : t];
		out->w[0] = (uint64_t)v;
		out->w[1] = (uint64_t)(v >> 64);
		return 0;
	}
	long keep = (long)ndig + (shift < 0 ? shift : 0);
	if (keep < 0)
		keep = 0;
	uint64_t acc = 0;
	int accn = 0;
	/* Digits in groups of up to 19: out = out * 10^n + group. */
	for (size_t k = 0; k < ndig; k++) {
		char c = k < ie - is ? s[is + k] : s[fs + (k - (ie - is))];
		unsigned d = (unsigned)(c - '0');
		if ((long)k >= keep) {
			if (d) {
				*why = decimals == CT_DECIMALS_UNKNOWN
				           ? "fractional amount for an asset of unknown decimals"
				           : "more decimals than the asset has";
				return -1;
			}
			continue;
		}
		acc = acc * 10 + d;
		if (++accn == 19) {
			if (mul_add(out, P10[19], acc))
				goto overflow;
			acc = 0;
			accn = 0;
		}
	}
	if (accn && mul_add(out, P10[accn], acc))
		goto overflow;
	for (long t = shift; t > 0; t -= 19) {
		if (!(out->w[0] | out->w[1] | out->w[2] | out->w[3]))
			break; /* zero stays zero */
		if (mul_add(out, P10[t >= 19 ? 19 : t], 0))
			goto overflow;
	}
	return 0;
overflow:
	*why = "amount exceeds 256 bits";
	return -1;
}

/* Divide a little-endian multi-limb number in place by d; returns the
 * remainder. */
static uint64_t divmod_small(uint64_t *w, int n, uint64_t d)
{
	unsigned __int128 r = 0;
	for (int i = n - 1; i >= 0; i--) {
		r = (r << 64) | w[i];
		w[i] = (uint64_t)(r / d);
		r %= d;
	}
	return (uint64_t)r;
}

/* Decimal digits of the n-limb number (destroyed) into buf, most
 * significant first; returns the count (>= 1). buf needs 100 bytes. */
static int digits(char *buf, uint64_t *w, int n)
{
	char tmp[120];
	int m = 0;
	for (;;) {
		int zero = 1;
		for (int i = 0; i < n; i++)
			if (w[i])
				zero = 0;
		if (zero && m > 0)
			break;
		uint64_t r = divmod_small(w, n, 10000000000000000000ULL);
		for (int k = 0; k < 19; k++) {
			tmp[m++] = (char)('0' + r % 10);
			r /= 10;
		}
		if (zero)
			break;
	}
	while (m > 1 && tmp[m - 1] == '0')
		m--;
	for (int i = 0; i < m; i++)
		buf[i] = tmp[m - 1 - i];
	return m;
}

static void render(char *out, size_t cap, uint64_t *w, int n, int decimals, int neg)
{
	char d[128];
	int m = digits(d, w, n);
	int dec = decimals == CT_DECIMALS_UNKNOWN ? 0 : decimals;
	size_t o = 0;
	char tmp[200];
	if (neg && !(m == 1 && d[0] == '0'))
		tmp[o++] = '-';
	if (dec == 0) {
		memcpy(tmp + o, d, (size_t)m);
		o += (size_t)m;
	} else if (m > dec) {
		memcpy(tmp + o, d, (size_t)(m - dec));
		o += (size_t)(m - dec);
		tmp[o++] = '.';
		memcpy(tmp + o, d + m - dec, (size_t)dec);
		o += (size_t)dec;
	} else {
		tmp[o++] = '0';
		tmp[o++] = '.';
		for (int i = 0; i < dec - m; i++)
			tmp[o++] = '0';
		memcpy(tmp + o, d, (size_t)m);
		o += (size_t)m;
	}
	tmp[o] = 0;
	if (cap) {
		size_t c = o < cap - 1 ? o : cap - 1;
		memcpy(out, tmp, c);
		out[c] = 0;
	}
}

void ct__acct_amount_str(char *out, size_t cap, const ct_u256 *v, int decimals)
{
	uint64_t w[4];
	memcpy(w, v->w, sizeof(w));
	render(out, cap, w, 4, decimals, 0);
}

void ct__acct_sum_add(ct_acct_sum *s, const ct_u256 *v)
{
	unsigned __int128 c = 0;
	for (int i = 0; i < 4; i++) {
		c += (unsigned __int128)s->w[i] + v->w[i];
		s->w[i] = (uint64_t)c;
		c >>= 64;
	}
	s->w[4] += (uint64_t)c;
}

void ct__acct_sum_str(char *out, size_t cap, const ct_acct_sum *s, int decimals)
{
	uint64_t w[5];
	memcpy(w, s->w, sizeof(w));
	render(out, cap, w, 5, decimals, 0);
}

/* r = a - b over 5 limbs (a >= b). */
static void sub5(uint64_t *r, const uint64_t *a, const uint64_t *b)
{
	uint64_t borrow = 0;
	for (int i = 0; i < 5; i++) {
		uint64_t ai = a[i], bi = b[i];
		uint64_t d = ai - bi - borrow;
		borrow = (ai < bi) || (ai - bi < borrow);
		r[i] = d;
	}
}

static int cmp5(const uint64_t *a, const uint64_t *b)
{
	for (int i = 4; i >= 0; i--)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

void ct__acct_balance_str(char *out, size_t cap, const ct_acct_sum *received,
                          const ct_acct_sum *sent, const ct_acct_sum *fees, int decimals)
{
	/* out = received - (sent + fees); sent + fees fits 320 bits as sums
	 * of at most 2^64 256-bit values each. */
	uint64_t spend[5], r[5];
	unsigned __int128 c = 0;
	for (int i = 0; i < 5; i++) {
		c += (unsigned __int128)sent->w[i] + fees->w[i];
		spend[i] = (uint64_t)c;
		c >>= 64;
	}
	if (cmp5(received->w, spend) >= 0) {
		sub5(r, received->w, spend);
		render(out, cap, r, 5, decimals, 0);
	} else {
		sub5(r, spend, received->w);
		render(out, cap, r, 5, decimals, 1);
	}
}
