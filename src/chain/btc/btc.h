/*
 * btc.h - Bitcoin inside cointrail: networks, the block/tx parser's
 * views, script classification and address keys. Internal to the library.
 */
#ifndef CT_CHAIN_BTC_H
#define CT_CHAIN_BTC_H

#include <stddef.h>
#include <stdint.h>

#include "util/hash.h"

/* ---- networks ---------------------------------------------------------- */

typedef struct ct_btc_net {
	const char *name;  /* "mainnet" */
	const char *chain; /* "btc", "btc-testnet", ... (store and address prefix) */
	uint8_t magic[4];
	uint8_t pkh_ver, sh_ver;
	const char *hrp;
	const char *genesis_hex; /* display order */
} ct_btc_net;

const ct_btc_net *ct__btc_net_by_name(const char *name);  /* name or chain */
const ct_btc_net *ct__btc_net_by_magic(const uint8_t magic[4]);

/* ---- parsed blocks ----------------------------------------------------- */

/* Hard caps on what an outsider controls. A block on disk is at most
 * 4,000,000 bytes (the weight limit); the cap leaves room for serialized
 * testnets with larger limits but still bounds every allocation. */
#define CT_BTC_MAX_BLOCK 8000000u
#define CT_BTC_MAX_MONEY (21000000ull * 100000000ull)
#define CT_BTC_HEADER 80u

typedef struct ct_btc_in {
	const uint8_t *prev_txid; /* 32 bytes, internal order (borrowed) */
	uint32_t prev_n;
	uint32_t script_len;
	const uint8_t *script;
	uint32_t sequence;
} ct_btc_in;

typedef struct ct_btc_out {
	uint64_t value;
	const uint8_t *script; /* borrowed from the block buffer */
	uint32_t script_len;
} ct_btc_out;

typedef struct ct_btc_tx {
	uint8_t txid[32];
	uint32_t first_in, n_in;   /* into ct_btc_block.ins  */
	uint32_t first_out, n_out; /* into ct_btc_block.outs */
	uint32_t offset;           /* byte offset inside the block */
	uint32_t size, base_size;  /* total and without witness    */
	uint32_t version, locktime;
	int segwit;
} ct_btc_tx;

/* A parsed block. The arrays are reused from block to block; every
 * pointer borrows from the buffer given to ct__btc_parse_block() and is
 * valid only while that buffer lives and until the next parse. */
typedef struct ct_btc_block {
	uint8_t hash[32];
	const uint8_t *header; /* 80 bytes */
	uint32_t version, time, bits, nonce;
	const uint8_t *prev; /* 32 bytes */
	const uint8_t *merkle;
	size_t size;
	ct_btc_tx *txs;
	uint32_t n_tx;
	ct_btc_in *ins;
	uint32_t n_in;
	ct_btc_out *outs;
	uint32_t n_out;
	size_t cap_tx, cap_in, cap_out, cap_scratch;
	uint8_t (*scratch)[32]; /* merkle work area, cap_tx entries */
	int64_t bip34_height;   /* from the coinbase, -1 if absent   */
} ct_btc_block;

/* Where and why parsing failed. */
typedef struct ct_parse_err {
	size_t offset; /* byte offset inside the block */
	char reason[160];
} ct_parse_err;

void ct__btc_block_init(ct_btc_block *b);
void ct__btc_block_free(ct_btc_block *b);

/* Parse and check one serialized block: structure, caps, coinbase
 * position, value range, and the merkle root against the txids. Returns
 * 0, CT_EDATA (err filled) or CT_ENOMEM. */
int ct__btc_parse_block(ct_btc_block *b, ct_hasher *h, const uint8_t *data,
                        size_t len, ct_parse_err *err);

/* Hash of an 80-byte header, and whether it meets its own bits target.
 * `work` receives the block's work (32 LE bytes) when non-NULL. Returns
 * 0 if the proof of work holds, -1 otherwise. */
int ct__btc_header_check(ct_hasher *h, const uint8_t *hdr, uint8_t hash[32],
                         uint8_t work[32]);

/* ---- scripts and addresses --------------------------------------------- */

enum ct_script_type {
	CT_ST_NONSTANDARD = 0,
	CT_ST_P2PK = 1,
	CT_ST_P2PKH = 2,
	CT_ST_P2SH = 3,
	CT_ST_P2WPKH = 4,
	CT_ST_P2WSH = 5,
	CT_ST_P2TR = 6,
	CT_ST_MULTISIG = 7,
	CT_ST_NULLDATA = 8,
	CT_ST_WITNESS_UNKNOWN = 9,
	CT_ST_COUNT
};

const char *ct__script_type_name(int type);

/* The identity an output pays, the key of the address dictionary.
 * kind: one of CT_AK_*; for CT_AK_SCRIPT, data is SHA-256 of the script
 * (bare multisig and nonstandard scripts have no address form). */
enum { CT_AK_NONE = 0, CT_AK_PKH, CT_AK_SH, CT_AK_WITNESS, CT_AK_SCRIPT };

typedef struct ct_addrkey {
	uint8_t kind;
	uint8_t ver; /* witness version for CT_AK_WITNESS */
	uint8_t len;
	uint8_t pad;
	uint8_t data[40];
} ct_addrkey; /* 44 bytes, also the on-disk record of addrs.col */

/* Classify a scriptPubKey and derive its address key (P2PK maps to the
 * P2PKH key of its pubkey). Returns the script type; key->kind is
 * CT_AK_NONE for OP_RETURN outputs. */
int ct__script_classify(ct_hasher *h, const uint8_t *s, size_t len, ct_addrkey *key);

/* Render an address key as Bitcoin Core does for `net`; CT_AK_SCRIPT keys
 * render as "script:<hex>". Returns 0, or -1 if cap is too small. */
int ct__addr_render(ct_hasher *h, const ct_btc_net *net, const ct_addrkey *k,
                    char *out, size_t cap);
/* Parse an address string for `net` (also "script:<hex>"). 0 or -1. */
int ct__addr_parse(ct_hasher *h, const ct_btc_net *net, const char *s, ct_addrkey *k);
/* Which network an address string belongs to (by its form), or NULL. */
const ct_btc_net *ct__addr_guess_net(ct_hasher *h, const char *s);

#endif
