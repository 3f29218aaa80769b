/*
 * script.c - classify output scripts the way Bitcoin Core's Solver does,
 * and derive the address key each output pays.
 */
#include "chain/btc/btc.h"

#include <string.h>

enum {
	OP_0 = 0x00,
	OP_PUSHDATA1 = 0x4c,
	OP_PUSHDATA2 = 0x4d,
	OP_PUSHDATA4 = 0x4e,
	OP_1 = 0x51,
	OP_16 = 0x60,
	OP_RETURN = 0x6a,
	OP_DUP = 0x76,
	OP_EQUAL = 0x87,
	OP_EQUALVERIFY = 0x88,
	OP_HASH160 = 0xa9,
	OP_CHECKSIG = 0xac,
	OP_CHECKMULTISIG = 0xae,
};

static const char *const TYPE_NAMES[CT_ST_COUNT] = {
	"nonstandard", "p2pk", "p2pkh", "p2sh", "p2wpkh",
	"p2wsh", "p2tr", "multisig", "nulldata", "witness_unknown",
};

const char *ct__script_type_name(int type)
{
	return type >= 0 && type < CT_ST_COUNT ? TYPE_NAMES[type] : "nonstandard";
}

/* CPubKey::ValidSize: the size a pubkey's first byte announces. */
static int valid_pubkey(const uint8_t *p, size_t len)
{
	if (len == 33)
		return p[0] == 2 || p[0] == 3;
	if (len == 65)
		return p[0] == 4 || p[0] == 6 || p[0] == 7;
	return 0;
}

/* One step over a script op; returns 0 at a valid op, -1 when malformed.
 * *data and *dlen describe a push (dlen 0 for non-push opcodes). */
static int next_op(const uint8_t **pc, const uint8_t *end, uint8_t *op,
                   const uint8_t **data, size_t *dlen)
{
	const uint8_t *p = *pc;
	size_t n = 0;
	if (p >= end)
		return -1;
	*op = *p++;
	if (*op <= OP_PUSHDATA4) {
		if (*op < OP_PUSHDATA1) {
			n = *op;
		} else if (*op == OP_PUSHDATA1) {
			if (end - p < 1)
				return -1;
			n = p[0];
			p += 1;
		} else if (*op == OP_PUSHDATA2) {
			if (end - p < 2)
				return -1;
			n = (size_t)p[0] | (size_t)p[1] << 8;
			p += 2;
		} else {
			if (end - p < 4)
				return -1;
			n = (size_t)p[0] | (size_t)p[1] << 8 | (size_t)p[2] << 16 | (size_t)p[3] << 24;
			p += 4;
		}
		if ((size_t)(end - p) < n)
			return -1;
	}
	*data = p;
	*dlen = n;
	*pc = p + n;
	return 0;
}

static int push_only(const uint8_t *p, const uint8_t *end)
{
	while (p < end) {
		uint8_t op;
		const uint8_t *d;
		size_t n;
		if (next_op(&p, end, &op, &d, &n))
			return 0;
		if (op > OP_16)
			return 0;
	}
	return 1;
}

static int is_multisig(const uint8_t *s, size_t len)
{
	const uint8_t *p = s, *end = s + len, *d;
	uint8_t op;
	size_t n;
	int keys = 0;
	if (len < 3 || s[len - 1] != OP_CHECKMULTISIG)
		return 0;
	if (next_op(&p, end, &op, &d, &n) || op < OP_1 || op > OP_16)
		return 0;
	int m = op - OP_1 + 1;
	for (;;) {
		if (next_op(&p, end, &op, &d, &n))
			return 0;
		if (op >= OP_1 && op <= OP_16)
			break;
		if (op > OP_PUSHDATA4 || !valid_pubkey(d, n))
			return 0;
		keys++;
	}
	int nk = op - OP_1 + 1;
	return nk == keys && m <= nk && p == end - 1;
}

static void key_set(ct_addrkey *k, int kind, int ver, const uint8_t *d, size_t n)
{
	memset(k, 0, sizeof(*k));
	k->kind = (uint8_t)kind;
	k->ver = (uint8_t)ver;
	k->len = (uint8_t)n;
	memcpy(k->data, d, n);
}

int ct__script_classify(ct_hasher *h, const uint8_t *s, size_t len, ct_addrkey *key)
{
	/* Fixed templates first: they are almost every output on chain. */
	if (len == 25 && s[0] == OP_DUP && s[1] == OP_HASH160 && s[2] == 20 &&
	    s[23] == OP_EQUALVERIFY && s[24] == OP_CHECKSIG) {
		key_set(key, CT_AK_PKH, 0, s + 3, 20);
		return CT_ST_P2PKH;
	}
	if (len == 23 && s[0] == OP_HASH160 && s[1] == 20 && s[22] == OP_EQUAL) {
		key_set(key, CT_AK_SH, 0, s + 2, 20);
		return CT_ST_P2SH;
	}
	/* Witness programs: version opcode, then one push of 2..40 bytes. */
	if (len >= 4 && len <= 42 && (s[0] == OP_0 || (s[0] >= OP_1 && s[0] <= OP_16)) &&
	    s[1] + 2u == len) {
		int ver = s[0] == OP_0 ? 0 : s[0] - OP_1 + 1;
		size_t plen = s[1];
		if (ver == 0 && plen == 20) {
			key_set(key, CT_AK_WITNESS, 0, s + 2, 20);
			return CT_ST_P2WPKH;
		}
		if (ver == 0 && plen == 32) {
			key_set(key, CT_AK_WITNESS, 0, s + 2, 32);
			return CT_ST_P2WSH;
		}
		if (ver == 1 && plen == 32) {
			key_set(key, CT_AK_WITNESS, 1, s + 2, 32);
			return CT_ST_P2TR;
		}
		if (ver != 0) {
			key_set(key, CT_AK_WITNESS, ver, s + 2, plen);
			return CT_ST_WITNESS_UNKNOWN;
		}
		/* v0 with another length: nonstandard, falls through. */
	}
	if (len >= 1 && s[0] == OP_RETURN && push_only(s + 1, s + len)) {
		memset(key, 0, sizeof(*key));
		return CT_ST_NULLDATA;
	}
	if ((len == 35 || len == 67) && s[0] == len - 2 && s[len - 1] == OP_CHECKSIG &&
	    valid_pubkey(s + 1, len - 2)) {
		uint8_t h160[20];
		ct__hash160(h, h160, s + 1, len - 2);
		key_set(key, CT_AK_PKH, 0, h160, 20);
		return CT_ST_P2PK;
	}
	uint8_t sh[32];
	ct__sha256(h, sh, s, len);
	key_set(key, CT_AK_SCRIPT, 0, sh, 32);
	return is_multisig(s, len) ? CT_ST_MULTISIG : CT_ST_NONSTANDARD;
}
