/*
 * script.c - keys, locking scripts, spends and address text.
 *
 * Keys are not real secp256k1 points: a key is 32 (or 64) bytes drawn from
 * (seed, wallet, index), behind the right prefix byte. Everything derived
 * from a key is real, though: scriptPubKeys use the standard templates,
 * hashes are HASH160 / SHA-256 of the actual key or script (so a parser
 * that derives an input's address from its scriptSig or witness finds
 * the same address as the output it spends), and signatures are strict
 * DER with low S, of the realistic 71-72 bytes, just not valid ones.
 */
#include "synth/synth.h"

#include <string.h>

#include "util/encode.h"

const syn_net syn_regtest = {"regtest", "btc-regtest", "bcrt", {0xfa, 0xbf, 0xb5, 0xda}, 0x6f, 0xc4};
const syn_net syn_mainnet = {"mainnet", "btc", "bc", {0xf9, 0xbe, 0xb4, 0xd9}, 0x00, 0x05};

/* Key j (0..2 for multisig) of address k; 33 bytes, or 65 when
 * uncompressed. Returns the length. */
static size_t pubkey(uint64_t seed, const syn_akey *k, int j, int uncompressed, uint8_t *out)
{
	/* One mix for the key's identity (syn_mix3, its first step, which
	 * depends on the seed alone, done once), then a splitmix64 stream. */
	static _Thread_local uint64_t mseed, mfirst;
	static _Thread_local int mset;
	if (!mset || mseed != seed) {
		mfirst = syn_mix3_first(seed);
		mseed = seed;
		mset = 1;
	}
	uint64_t x = syn_mix3_rest(mfirst, (uint64_t)k->w << 32 | k->i, (uint64_t)j + 1), z = 0;
	size_t n = uncompressed ? 64 : 32;
	for (size_t o = 0; o < n; o += 8) {
		z = (x += 0x9e3779b97f4a7c15ULL);
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		z ^= z >> 31;
		syn_put64(out + 1 + o, z);
	}
	out[0] = uncompressed ? 0x04 : (uint8_t)(0x02 | (z >> 63));
	return n + 1;
}

/* The 2-of-3 multisig script behind P2SH_MS and P2WSH (105 bytes). */
static size_t multisig(uint64_t seed, const syn_akey *k, uint8_t *out)
{
	size_t o = 0;
	out[o++] = 0x52; /* OP_2 */
	for (int j = 0; j < 3; j++) {
		out[o++] = 33;
		o += pubkey(seed, k, j, 0, out + o);
	}
	out[o++] = 0x53; /* OP_3 */
	out[o++] = 0xae; /* OP_CHECKMULTISIG */
	return o;
}

static int key_uncompressed(const syn_akey *k)
{
	return k->type == ST_P2PK || (k->type == ST_P2PKH && k->ucomp);
}

/* The 20- or 32-byte program an address encodes; for P2SH-P2WPKH also
 * the key hash inside (the redeem script's) into inner, if not NULL. */
static size_t program(uint64_t seed, const syn_akey *k, uint8_t *out, uint8_t *inner)
{
	uint8_t buf[128], t[20];
	size_t n;
	switch (k->type) {
	case ST_P2PK:
	case ST_P2PKH:
	case ST_P2WPKH:
		n = pubkey(seed, k, 0, key_uncompressed(k), buf);
		syn_hash160(out, buf, n);
		return 20;
	case ST_P2SH_WPKH:
		n = pubkey(seed, k, 0, 0, buf);
		syn_hash160(t, buf, n);
		if (inner)
			memcpy(inner, t, 20);
		buf[0] = 0x00;
		buf[1] = 0x14;
		memcpy(buf + 2, t, 20);
		syn_hash160(out, buf, 22);
		return 20;
	case ST_P2SH_MS:
		n = multisig(seed, k, buf);
		syn_hash160(out, buf, n);
		return 20;
	case ST_P2WSH:
		n = multisig(seed, k, buf);
		syn_sha256(out, buf, n);
		return 32;
	default: /* ST_P2TR: the output key itself */
		pubkey(seed, k, 0, 0, buf);
		memcpy(out, buf + 1, 32);
		return 32;
	}
}

size_t syn_spk_prog(uint64_t seed, const syn_akey *k, const uint8_t *prog, size_t n,
                    uint8_t *out)
{
	if (k->type == ST_P2PK) {
		out[0] = 65;
		pubkey(seed, k, 0, 1, out + 1);
		out[66] = 0xac; /* OP_CHECKSIG */
		return 67;
	}
	switch (k->type) {
	case ST_P2PKH:
		out[0] = 0x76; /* OP_DUP OP_HASH160 <20> OP_EQUALVERIFY OP_CHECKSIG */
		out[1] = 0xa9;
		out[2] = 20;
		memcpy(out + 3, prog, 20);
		out[23] = 0x88;
		out[24] = 0xac;
		return 25;
	case ST_P2SH_MS:
	case ST_P2SH_WPKH:
		out[0] = 0xa9; /* OP_HASH160 <20> OP_EQUAL */
		out[1] = 20;
		memcpy(out + 2, prog, 20);
		out[22] = 0x87;
		return 23;
	case ST_P2TR:
		out[0] = 0x51; /* OP_1 <32> */
		out[1] = 32;
		memcpy(out + 2, prog, 32);
		return 34;
	default: /* v0 witness program */
		out[0] = 0x00;
		out[1] = (uint8_t)n;
		memcpy(out + 2, prog, n);
		return 2 + n;
	}
}

void syn_programs(uint64_t seed, const syn_akey *k, size_t n, uint8_t (*prog)[32],
                  uint8_t *len, uint8_t (*inner)[20])
{
	/* first the SHA-256 of every key or script, then their RIPEMD-160s
	 * in one batch; P2SH-P2WPKH hashes its redeem script in a second */
	uint8_t dig[SYN_PROG_BATCH][32], in1[SYN_PROG_BATCH][20], buf[2][128];
	const uint8_t *rin[SYN_PROG_BATCH] = {0};
	uint8_t *rout[SYN_PROG_BATCH] = {0};
	size_t nr = 0, nested = 0, m[2] = {0, 0};
	uint8_t *sout[2] = {NULL, NULL};
	int ns = 0;
	for (size_t j = 0; j < n; j++) {
		uint8_t *bj = buf[ns];
		switch (k[j].type) {
		case ST_P2PK:
		case ST_P2PKH:
		case ST_P2WPKH:
		case ST_P2SH_WPKH:
			m[ns] = pubkey(seed, &k[j], 0, key_uncompressed(&k[j]), bj);
			sout[ns++] = dig[nr];
			rin[nr] = dig[nr];
			rout[nr++] = k[j].type == ST_P2SH_WPKH ? in1[j] : prog[j];
			nested += k[j].type == ST_P2SH_WPKH;
			len[j] = 20;
			break;
		case ST_P2SH_MS:
			m[ns] = multisig(seed, &k[j], bj);
			sout[ns++] = dig[nr];
			rin[nr] = dig[nr];
			rout[nr++] = prog[j];
			len[j] = 20;
			break;
		case ST_P2WSH:
			m[ns] = multisig(seed, &k[j], bj);
			sout[ns++] = prog[j];
			len[j] = 32;
			break;
		default: /* ST_P2TR: the output key itself */
			pubkey(seed, &k[j], 0, 0, bj);
			memcpy(prog[j], bj + 1, 32);
			len[j] = 32;
			break;
		}
		if (ns == 2) { /* the SHA-256s two at a time */
			syn_sha256_x2(sout[0], buf[0], m[0], sout[1], buf[1], m[1]);
			ns = 0;
		}
	}
	if (ns)
		syn_sha256(sout[0], buf[0], m[0]);
	syn_rmd32_many(rin, rout, nr);
	if (!nested)
		return;
	nr = 0;
	for (size_t j = 0; j < n; j++) {
		if (k[j].type != ST_P2SH_WPKH)
			continue;
		if (inner)
			memcpy(inner[j], in1[j], 20);
		uint8_t rs[22] = {0x00, 0x14}; /* the redeem script 0014<key hash> */
		memcpy(rs + 2, in1[j], 20);
		syn_sha256(dig[nr], rs, 22);
		rin[nr] = dig[nr];
		rout[nr++] = prog[j];
	}
	syn_rmd32_many(rin, rout, nr);
}

size_t syn_program(uint64_t seed, const syn_akey *k, uint8_t *prog, uint8_t *inner)
{
	return k->type == ST_P2PK ? 0 : program(seed, k, prog, inner);
}

size_t syn_spk(uint64_t seed, const syn_akey *k, uint8_t *out)
{
	uint8_t prog[32];
	size_t n = syn_program(seed, k, prog, NULL);
	return syn_spk_prog(seed, k, prog, n, out);
}

static const char B58[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/* B58_PAIRS[v]: the two base-58 digits of v < 58^2, least significant
 * first. */
static char B58_PAIRS[58 * 58][2];
static pthread_once_t b58_once = PTHREAD_ONCE_INIT;

#define B58_D5 656356768u /* 58^5 < 2^30 */

/* B58_POW[i][j]: digit j (least significant first) in base 58^5 of
 * 2^(32 (6 - i)), the weight of 32-bit limb i of a 25-byte number
 * (limb 0 holds its first byte, limbs 1..6 four bytes each). */
static uint32_t B58_POW[7][7];

static void b58_init(void)
{
	for (int v = 0; v < 58 * 58; v++) {
		B58_PAIRS[v][0] = (char)(v % 58);
		B58_PAIRS[v][1] = (char)(v / 58);
	}
	uint64_t d[7] = {1, 0, 0, 0, 0, 0, 0};
	for (int i = 6; i >= 0; i--) {
		for (int j = 0; j < 7; j++)
			B58_POW[i][j] = (uint32_t)d[j];
		uint64_t carry = 0; /* d *= 2^32 */
		for (int j = 0; j < 7; j++) {
			uint64_t x = (d[j] << 32) + carry;
			d[j] = x % B58_D5;
			carry = x / B58_D5;
		}
	}
}

/* Base58 of a 25-byte number (a version byte, 20 bytes, a checksum),
 * the digits' values into dig[35], least significant first: every limb
 * times its weight's digits, summed (independent products, not a chain
 * of divisions), then the carries. No overflow: a limb is below 2^32, a
 * weight's digit below 2^29.3, six products and a small seventh stay
 * below 2^64, and a carry adds less than 2^35 to a sum below 2^63.9. */
static void b58_25(const uint8_t *b, char dig[35])
{
	uint64_t limb[7], acc[7];
	limb[0] = b[0];
	for (int i = 1; i < 7; i++)
		limb[i] = (uint64_t)b[4 * i - 3] << 24 | (uint64_t)b[4 * i - 2] << 16 |
		          (uint64_t)b[4 * i - 1] << 8 | b[4 * i];
#pragma GCC unroll 7
	for (int j = 0; j < 7; j++) {
		uint64_t a = 0;
#pragma GCC unroll 7
		for (int i = 0; i < 7; i++)
			a += limb[i] * B58_POW[i][j];
		acc[j] = a;
	}
	for (int j = 0; j < 6; j++) {
		acc[j + 1] += acc[j] / B58_D5;
		acc[j] %= B58_D5;
	}
	for (int j = 0; j < 7; j++) {
		uint32_t r = (uint32_t)acc[j], q = r / (58 * 58), q2 = q / (58 * 58);
		memcpy(dig + 5 * j, B58_PAIRS[r - q * (58 * 58)], 2);
		memcpy(dig + 5 * j + 2, B58_PAIRS[q - q2 * (58 * 58)], 2);
		dig[5 * j + 4] = (char)q2;
	}
}

int syn_base58check(char *out, size_t cap, const uint8_t *data, size_t len)
{
	uint8_t chk[32];
	if (len > 32)
		return -1;
	syn_sha256d(chk, data, len);
	return syn_base58check_chk(out, cap, data, len, chk);
}

int syn_base58check_chk(char *out, size_t cap, const uint8_t *data, size_t len,
                        const uint8_t chk4[4])
{
	/* The number (data and a 4-byte checksum, big-endian) in 32-bit
	 * limbs, divided by 58^5 until nothing is left: five digits at a
	 * time instead of one. */
	enum { D5 = 58u * 58u * 58u * 58u * 58u }; /* 656356768 < 2^32 */
	uint8_t b[40];
	uint32_t limb[10];
	char dig[64];
	size_t n = len + 4, zeros = 0, nl = 0, nd = 0;
	if (len > 32)
		return -1;
	pthread_once(&b58_once, b58_init);
	memcpy(b, data, len);
	memcpy(b + len, chk4, 4);
	while (zeros < n && b[zeros] == 0)
		zeros++;
	if (n == 25) { /* every address but P2WSH/P2TR's: the fast way */
		b58_25(b, dig);
		nd = 35;
		goto digits;
	}
	for (size_t i = zeros, first = (n - zeros) % 4 ? (n - zeros) % 4 : 4; i < n; first = 4) {
		uint32_t v = 0;
		for (size_t j = 0; j < first; j++)
			v = v << 8 | b[i++];
		limb[nl++] = v;
	}
	size_t top = 0; /* limb[top..nl): the number, most significant first */
	while (top < nl) {
		uint64_t r = 0;
		for (size_t i = top; i < nl; i++) {
			uint64_t cur = r << 32 | limb[i];
			limb[i] = (uint32_t)(cur / D5);
			r = cur % D5;
		}
		while (top < nl && limb[top] == 0)
			top++;
		/* five digits, least significant first: two pairs and one */
		uint32_t r32 = (uint32_t)r, q = r32 / (58 * 58), q2 = q / (58 * 58);
		memcpy(dig + nd, B58_PAIRS[r32 - q * (58 * 58)], 2);
		memcpy(dig + nd + 2, B58_PAIRS[q - q2 * (58 * 58)], 2);
		dig[nd + 4] = (char)q2;
		nd += 5;
	}
digits:
	while (nd && dig[nd - 1] == 0)
		nd--;
	if (zeros + nd + 1 > cap)
		return -1;
	size_t o = 0;
	for (size_t i = 0; i < zeros; i++)
		out[o++] = '1';
	while (nd)
		out[o++] = B58[(unsigned char)dig[--nd]];
	out[o] = '\0';
	return (int)o;
}

/* BIP 173 / BIP 350 checksum step, five bits at a time from a table of
 * the generator's combinations. */
static const uint32_t GEN[5] = {0x3b6a57b2u, 0x26508e6du, 0x1ea119fau, 0x3d4233ddu, 0x2a1462b3u};

/* One step: chk = ((chk & 0x1ffffff) << 5) ^ G(chk >> 25) ^ v, G linear
 * in its five bits. Two steps at once (the checksum is GF(2)-linear):
 * chk = ((chk & 0xfffff) << 10) ^ GEN_T2[chk >> 20] ^ (v1 << 5) ^ v2,
 * GEN_T2[t] being two steps from t << 20 with nothing added. */
static uint32_t GEN_T2[1024];
static pthread_once_t gen_once = PTHREAD_ONCE_INIT;

static uint32_t step1(uint32_t chk, uint32_t v)
{
	uint32_t g = 0;
	for (int i = 0; i < 5; i++)
		if ((chk >> (25 + i)) & 1)
			g ^= GEN[i];
	return ((chk & 0x1ffffffu) << 5) ^ g ^ v;
}

static void gen_init(void)
{
	for (uint32_t t = 0; t < 1024; t++)
		GEN_T2[t] = step1(step1(t << 20, 0), 0);
}

int syn_segwit_addr(char *out, size_t cap, const char *hrp, int ver, const uint8_t *prog,
                    size_t len)
{
	static const char B32[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
	uint8_t v[160]; /* every value the checksum takes in, in order */
	size_t nv = 0, hl = strlen(hrp);
	if (len > 40 || hl > 40 || hl + 1 + 1 + (len * 8 + 4) / 5 + 6 + 1 > cap)
		return -1;
	pthread_once(&gen_once, gen_init);
	for (size_t i = 0; i < hl; i++)
		v[nv++] = (uint8_t)((unsigned char)hrp[i] >> 5);
	v[nv++] = 0;
	for (size_t i = 0; i < hl; i++)
		v[nv++] = (uint8_t)((unsigned char)hrp[i] & 31);
	size_t d0 = nv; /* the data part: version, program in 5-bit groups */
	v[nv++] = (uint8_t)ver;
	uint32_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < len; i++) {
		acc = acc << 8 | prog[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			v[nv++] = (uint8_t)((acc >> bits) & 31);
		}
	}
	if (bits)
		v[nv++] = (uint8_t)((acc << (5 - bits)) & 31);
	size_t d1 = nv;
	memset(v + nv, 0, 6);
	nv += 6;
	uint32_t chk = 1;
	size_t i = 0;
	if (nv & 1)
		chk = step1(chk, v[i++]);
	for (; i < nv; i += 2)
		chk = ((chk & 0xfffffu) << 10) ^ GEN_T2[chk >> 20] ^ ((uint32_t)v[i] << 5) ^ v[i + 1];
	chk ^= ver == 0 ? 1u : 0x2bc830a3u; /* bech32 / bech32m */
	size_t o = hl;
	memcpy(out, hrp, hl);
	out[o++] = '1';
	for (size_t j = d0; j < d1; j++)
		out[o++] = B32[v[j]];
	for (int j = 0; j < 6; j++)
		out[o++] = B32[(chk >> (5 * (5 - j))) & 31];
	out[o] = '\0';
	return (int)o;
}

int syn_addr_prog_str(const syn_net *net, const syn_akey *k, const uint8_t *prog, size_t n,
                      char *out, size_t cap)
{
	uint8_t ver[21];
	switch (k->type) {
	case ST_P2PK:
	case ST_P2PKH:
	case ST_P2SH_MS:
	case ST_P2SH_WPKH:
		ver[0] = (k->type == ST_P2PK || k->type == ST_P2PKH) ? net->p2pkh_ver : net->p2sh_ver;
		memcpy(ver + 1, prog, 20);
		return syn_base58check(out, cap, ver, 21) < 0 ? -1 : 0;
	case ST_P2TR:
		return syn_segwit_addr(out, cap, net->hrp, 1, prog, 32) < 0 ? -1 : 0;
	default:
		return syn_segwit_addr(out, cap, net->hrp, 0, prog, n) < 0 ? -1 : 0;
	}
}

int syn_addr_prog_strs(const syn_net *net, const syn_akey *k, size_t n, uint8_t (*prog)[32],
                       const uint8_t *len, char *out, size_t stride)
{
	/* the Base58Check payloads (version byte, hash) and their checksums,
	 * two at a time; the others (segwit) one by one */
	uint8_t ver[SYN_PROG_BATCH][21], chk[SYN_PROG_BATCH][32];
	size_t b58[SYN_PROG_BATCH], nb = 0;
	for (size_t j = 0; j < n; j++) {
		switch (k[j].type) {
		case ST_P2PK:
		case ST_P2PKH:
		case ST_P2SH_MS:
		case ST_P2SH_WPKH:
			ver[j][0] = (k[j].type == ST_P2PK || k[j].type == ST_P2PKH) ? net->p2pkh_ver
			                                                              : net->p2sh_ver;
			memcpy(ver[j] + 1, prog[j], 20);
			b58[nb++] = j;
			break;
		default:
			if (syn_addr_prog_str(net, &k[j], prog[j], len[j], out + j * stride, stride) < 0)
				return -1;
		}
	}
	size_t i = 0;
	for (; i + 2 <= nb; i += 2)
		syn_sha256d_x2(chk[b58[i]], ver[b58[i]], 21, chk[b58[i + 1]], ver[b58[i + 1]], 21);
	if (i < nb)
		syn_sha256d(chk[b58[i]], ver[b58[i]], 21);
	for (i = 0; i < nb; i++) {
		size_t j = b58[i];
		if (syn_base58check_chk(out + j * stride, stride, ver[j], 21, chk[j]) < 0)
			return -1;
	}
	return 0;
}

int syn_addr_str(uint64_t seed, ct_hasher *h, const syn_net *net, const syn_akey *k,
                 char *out, size_t cap)
{
	uint8_t prog[32];
	size_t n = program(seed, k, prog, NULL);
	(void)h;
	return syn_addr_prog_str(net, k, prog, n, out, cap);
}

/* A strict-DER, low-S dummy signature plus SIGHASH_ALL: 71 or 72 bytes.
 * R and S are 32 random bytes each (8 draws); R's first byte is made
 * non-zero and gets a 0x00 in front when its top bit is set, S's top bit
 * is cleared (low S) and its first byte made non-zero. */
static size_t dummy_sig(syn_rng *r, uint8_t *out)
{
	uint64_t a = syn_next(r);
	uint8_t r0 = (uint8_t)a ? (uint8_t)a : 1;
	size_t rl = r0 & 0x80 ? 33 : 32, o = 4;
	out[0] = 0x30;
	out[1] = (uint8_t)(4 + rl + 32);
	out[2] = 0x02;
	out[3] = (uint8_t)rl;
	if (rl == 33)
		out[o++] = 0;
	syn_put64(out + o, a);
	out[o] = r0;
	for (int i = 1; i < 4; i++)
		syn_put64(out + o + 8 * i, syn_next(r));
	o += 32;
	out[o++] = 0x02;
	out[o++] = 32;
	for (int i = 0; i < 4; i++)
		syn_put64(out + o + 8 * i, syn_next(r));
	out[o] = (uint8_t)((out[o] & 0x7f) | 0x01);
	o += 32;
	out[o++] = 0x01; /* SIGHASH_ALL */
	return o;
}

size_t syn_scriptsig(syn_rng *r, uint64_t seed, const syn_akey *k, const uint8_t *inner,
                     uint8_t *out)
{
	uint8_t buf[128];
	size_t o = 0, n;
	switch (k->type) {
	case ST_P2PK:
		n = dummy_sig(r, out + 1);
		out[0] = (uint8_t)n;
		return n + 1;
	case ST_P2PKH:
		n = dummy_sig(r, out + 1);
		out[0] = (uint8_t)n;
		o = n + 1;
		n = pubkey(seed, k, 0, k->ucomp, out + o + 1);
		out[o] = (uint8_t)n;
		return o + n + 1;
	case ST_P2SH_MS:
		out[o++] = 0x00; /* the extra item CHECKMULTISIG pops */
		for (int j = 0; j < 2; j++) {
			n = dummy_sig(r, out + o + 1);
			out[o] = (uint8_t)n;
			o += n + 1;
		}
		n = multisig(seed, k, buf);
		out[o++] = 0x4c; /* OP_PUSHDATA1 */
		out[o++] = (uint8_t)n;
		memcpy(out + o, buf, n);
		return o + n;
	case ST_P2SH_WPKH: /* the redeem script 0014<hash160(key)>, pushed */
		out[0] = 22;
		out[1] = 0x00;
		out[2] = 0x14;
		if (inner) {
			memcpy(out + 3, inner, 20);
		} else {
			n = pubkey(seed, k, 0, 0, buf);
			syn_hash160(out + 3, buf, n);
		}
		return 23;
	default:
		return 0;
	}
}

size_t syn_witness(syn_rng *r, uint64_t seed, const syn_akey *k, uint8_t *out)
{
	size_t o = 0, n;
	switch (k->type) {
	case ST_P2SH_WPKH:
	case ST_P2WPKH:
		out[o++] = 2;
		n = dummy_sig(r, out + o + 1);
		out[o] = (uint8_t)n;
		o += n + 1;
		out[o++] = 33;
		o += pubkey(seed, k, 0, 0, out + o);
		return o;
	case ST_P2WSH:
		out[o++] = 4;
		out[o++] = 0; /* empty item for CHECKMULTISIG */
		for (int j = 0; j < 2; j++) {
			n = dummy_sig(r, out + o + 1);
			out[o] = (uint8_t)n;
			o += n + 1;
		}
		out[o] = (uint8_t)multisig(seed, k, out + o + 1);
		return o + 1 + out[o];
	case ST_P2TR:
		out[o++] = 1;
		out[o++] = 64; /* BIP 340 signature, SIGHASH_DEFAULT */
		syn_fill(r, out + o, 64);
		return o + 64;
	default:
		out[0] = 0; /* no witness items */
		return 1;
	}
}

/* What dummy_sig draws: 8 words, the first of which decides whether R
 * needs a leading zero (72 bytes) or not (71). */
static size_t sig_len_draw(syn_rng *r)
{
	uint64_t v = syn_next(r);
	for (int i = 0; i < 7; i++)
		syn_next(r);
	return (v & 0x80) ? 72 : 71;
}

size_t syn_scriptsig_len(syn_rng *r, int type, int ucomp)
{
	switch (type) {
	case ST_P2PK:
		return 1 + sig_len_draw(r);
	case ST_P2PKH:
		return 1 + sig_len_draw(r) + 1 + (ucomp ? 65 : 33);
	case ST_P2SH_MS: {
		size_t a = sig_len_draw(r), b = sig_len_draw(r);
		return 1 + (1 + a) + (1 + b) + 2 + 105;
	}
	case ST_P2SH_WPKH:
		return 23;
	default:
		return 0;
	}
}

size_t syn_witness_len(syn_rng *r, int type)
{
	switch (type) {
	case ST_P2SH_WPKH:
	case ST_P2WPKH:
		return 1 + 1 + sig_len_draw(r) + 1 + 33;
	case ST_P2WSH: {
		size_t a = sig_len_draw(r), b = sig_len_draw(r);
		return 2 + (1 + a) + (1 + b) + 1 + 105;
	}
	case ST_P2TR:
		for (int i = 0; i < 8; i++) /* syn_fill of 64 bytes */
			syn_next(r);
		return 2 + 64;
	default:
		return 1;
	}
}

size_t syn_spk_len(int type)
{
	switch (type) {
	case ST_P2PK: return 67;
	case ST_P2PKH: return 25;
	case ST_P2SH_MS:
	case ST_P2SH_WPKH: return 23;
	case ST_P2WPKH: return 22;
	default: return 34; /* P2WSH, P2TR */
	}
}

void syn_spend_size(int type, int ucomp, size_t *base, size_t *wit)
{
	/* outpoint 36 + sequence 4 + script length byte(s) + scriptSig */
	switch (type) {
	case ST_P2PK: *base = 40 + 1 + 73; *wit = 1; break;
	case ST_P2PKH: *base = 40 + 1 + 73 + (ucomp ? 66 : 34); *wit = 1; break;
	case ST_P2SH_MS: *base = 40 + 3 + 1 + 2 * 73 + 2 + 105; *wit = 1; break;
	case ST_P2SH_WPKH: *base = 40 + 1 + 23; *wit = 1 + 73 + 34; break;
	case ST_P2WPKH: *base = 41; *wit = 1 + 73 + 34; break;
	case ST_P2WSH: *base = 41; *wit = 2 + 2 * 73 + 106; break;
	default: *base = 41; *wit = 66; break;
	}
}

size_t syn_out_size(int type, int ucomp)
{
	(void)ucomp;
	switch (type) {
	case ST_P2PK: return 9 + 67;
	case ST_P2PKH: return 9 + 25;
	case ST_P2SH_MS:
	case ST_P2SH_WPKH: return 9 + 23;
	case ST_P2WPKH: return 9 + 22;
	default: return 9 + 34;
	}
}
