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
	/* One mix for the key's identity, then a splitmix64 stream. */
	uint64_t x = syn_mix3(seed, (uint64_t)k->w << 32 | k->i, (uint64_t)j + 1), z = 0;
	size_t n = uncompressed ? 64 : 32;
	for (size_t o = 0; o < n; o += 8) {
		z = (x += 0x9e3779b97f4a7c15ULL);
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		z ^= z >> 31;
		for (int b = 0; b < 8; b++)
			out[1 + o + (size_t)b] = (uint8_t)(z >> (8 * b));
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

/* The 20- or 32-byte program an address encodes. */
static size_t program(uint64_t seed, const syn_akey *k, uint8_t *out)
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

size_t syn_program(uint64_t seed, const syn_akey *k, uint8_t *prog)
{
	return k->type == ST_P2PK ? 0 : program(seed, k, prog);
}

size_t syn_spk(uint64_t seed, const syn_akey *k, uint8_t *out)
{
	uint8_t prog[32];
	size_t n = syn_program(seed, k, prog);
	return syn_spk_prog(seed, k, prog, n, out);
}

int syn_addr_str(uint64_t seed, ct_hasher *h, const syn_net *net, const syn_akey *k,
                 char *out, size_t cap)
{
	uint8_t prog[32], ver[21];
	size_t n = program(seed, k, prog);
	switch (k->type) {
	case ST_P2PK:
	case ST_P2PKH:
	case ST_P2SH_MS:
	case ST_P2SH_WPKH:
		ver[0] = (k->type == ST_P2PK || k->type == ST_P2PKH) ? net->p2pkh_ver : net->p2sh_ver;
		memcpy(ver + 1, prog, 20);
		return ct__base58check_encode(h, out, cap, ver, 21) < 0 ? -1 : 0;
	case ST_P2TR:
		return ct__segwit_encode(out, cap, net->hrp, 1, prog, 32);
	default:
		return ct__segwit_encode(out, cap, net->hrp, 0, prog, n);
	}
}

/* A strict-DER, low-S dummy signature plus SIGHASH_ALL: 71 or 72 bytes. */
static size_t dummy_sig(syn_rng *r, uint8_t *out)
{
	uint8_t rv[32], sv[32];
	syn_fill(r, rv, 32);
	syn_fill(r, sv, 32);
	rv[0] |= rv[0] ? 0 : 1;
	sv[0] = (uint8_t)((sv[0] & 0x7f) | 0x01);
	size_t rl = rv[0] & 0x80 ? 33 : 32, o = 0;
	out[o++] = 0x30;
	out[o++] = (uint8_t)(4 + rl + 32);
	out[o++] = 0x02;
	out[o++] = (uint8_t)rl;
	if (rl == 33)
		out[o++] = 0;
	memcpy(out + o, rv, 32);
	o += 32;
	out[o++] = 0x02;
	out[o++] = 32;
	memcpy(out + o, sv, 32);
	o += 32;
	out[o++] = 0x01; /* SIGHASH_ALL */
	return o;
}

size_t syn_scriptsig(syn_rng *r, uint64_t seed, const syn_akey *k, uint8_t *out)
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
		n = pubkey(seed, k, 0, 0, buf);
		out[0] = 22;
		out[1] = 0x00;
		out[2] = 0x14;
		syn_hash160(out + 3, buf, n);
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
