/*
 * ethrpc.h - an Ethereum JSON-RPC client (libcurl + jansson) and the parsers
 * of its answers: blocks with full txs, receipts, ERC-20 Transfer logs. The
 * parsers are pure (JSON in, plain structs out) so the fuzz target can drive
 * them without a node. Also the `ingest eth --rpc` loop (ethingest.c) that
 * appends what the client fetches to the account store.
 *
 * Quantities are hex strings of up to 256 bits, parsed exactly into ct_u256;
 * hashes and addresses are fixed-length hex. Every malformed answer is
 * CT_EDATA with one line naming the method, the block and the reason.
 * See docs/internals/ethrpc.md.
 */
#ifndef CT_CHAIN_ETHRPC_H
#define CT_CHAIN_ETHRPC_H

#include "util/u256.h"

#include <jansson.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

/* keccak256("Transfer(address,address,uint256)") */
#define CT_ETH_TRANSFER_TOPIC "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"

typedef struct ct_eth_tx {
	uint8_t hash[32];
	uint8_t from[20];
	uint8_t to[20];       /* the receiver, or the created contract (from the receipt) */
	int has_to;           /* 0: contract creation whose receipt named no contract */
	ct_u256 value;        /* wei */
	ct_u256 gas_price;    /* the tx's gasPrice (fee fallback for receipts without effectiveGasPrice) */
	int has_gas_price;
	/* from the receipt */
	int failed;           /* status 0x0 */
	ct_u256 fee;          /* gasUsed x effectiveGasPrice, wei */
} ct_eth_tx;

typedef struct ct_eth_log {
	uint8_t tx[32];
	uint8_t contract[20]; /* the token */
	uint8_t from[20], to[20];
	ct_u256 amount;
	uint64_t block, index; /* block number, logIndex */
	uint8_t block_hash[32];
} ct_eth_log;

typedef struct ct_eth_block {
	uint64_t number;
	uint8_t hash[32], parent[32];
	int64_t time;
	ct_eth_tx *txs;
	size_t ntx;
	ct_eth_log *logs; /* this block's ERC-20 Transfer logs, by logIndex */
	size_t nlogs;
} ct_eth_block;

void ct__eth_block_free(ct_eth_block *b);

/* ---- parsers (pure) ----------------------------------------------------- */

/* A hex quantity "0x1f" (1 to 64 significant digits; "0x0" is zero) into
 * 256 bits / 64 bits. 0 or -1 (*why: a static reason). */
int ct__eth_qty256(const char *s, ct_u256 *out, const char **why);
int ct__eth_qty64(const char *s, uint64_t *out, const char **why);

/* eth_getBlockByNumber(n, true) result into *b (txs without receipts yet).
 * `what` names the request for messages ("eth_getBlockByNumber(0x10)"). */
int ct__eth_parse_block(const json_t *j, ct_eth_block *b, const char *what);
/* A receipt for tx `t` of block `b`: checks transactionHash and blockHash
 * (a different blockHash = the chain changed: returns 1, no error set),
 * sets failed, fee, and the created contract for a creation. */
int ct__eth_parse_receipt(const json_t *j, const ct_eth_block *b, ct_eth_tx *t,
                          const char *what);
/* An eth_getLogs entry. Returns 0 (a Transfer in *l), 1 (not an ERC-20
 * Transfer: wrong topic count, data length, non-address topic, removed;
 * *why says which, the caller warns and skips), or CT_EDATA (malformed). */
int ct__eth_parse_log(const json_t *j, ct_eth_log *l, const char **why, const char *what);

/* r = a * b, 0 or -1 on overflow past 256 bits. */
int ct__eth_u256_mul64(ct_u256 *r, const ct_u256 *a, uint64_t b);

/* ---- the client --------------------------------------------------------- */

typedef struct ct_ethrpc ct_ethrpc;

int ct__ethrpc_open(ct_ethrpc **out, const char *url);
void ct__ethrpc_close(ct_ethrpc *c);
/* Response bytes received so far (progress). */
uint64_t ct__ethrpc_bytes(const ct_ethrpc *c);
/* HTTP requests sent so far. */
uint64_t ct__ethrpc_requests(const ct_ethrpc *c);

int ct__ethrpc_block_number(ct_ethrpc *c, uint64_t *out);
/* Hashes of blocks [from, from + n): hashes[i], present[i] = 0 when the
 * node has no such block. Headers only (eth_getBlockByNumber(n, false)). */
int ct__ethrpc_block_hashes(ct_ethrpc *c, uint64_t from, size_t n, uint8_t (*hashes)[32],
                            int *present);

/* decimals() and symbol() of n token contracts, by eth_call at "latest"
 * (two calls per contract, one batch). A call that fails, reverts or
 * answers out of shape leaves that contract's entry unknown: decimals[i]
 * = -1 (or 0..77), symbols[i] = "" (else printable, valid UTF-8, cut to 31
 * bytes). Only transport failures are errors. */
int ct__ethrpc_token_info(ct_ethrpc *c, const uint8_t (*contracts)[20], size_t n, int *decimals,
                          char (*symbols)[32]);
/* The ABI decoders behind it (pure; fuzzed): a uint8-range integer from a
 * 32-byte answer (-1 if not 0..77), and a string or bytes32 symbol. */
int ct__eth_abi_decimals(const char *hex);
void ct__eth_abi_symbol(const char *hex, char out[32]);

typedef struct ct_eth_fetch_stats {
	uint64_t logs_skipped; /* Transfer-topic logs that are not ERC-20 Transfers */
	uint64_t requests;
} ct_eth_fetch_stats;

/* Fetch blocks [from, to] with their txs, receipts and Transfer logs, and
 * check they form one chain (parent links, receipts' and logs' block
 * hashes). *n may be less than asked when the node lacks the later blocks
 * (a shorter chain after a reorg). Returns 0, 1 when the chain changed
 * while fetching (the caller retries), 2 when the node refused eth_getLogs
 * for a range of several blocks (the caller asks for fewer; the node's
 * message is in ct_error_last()), or a negative CT_E* code.
 * `warn` (may be NULL) hears each skipped log. */
int ct__ethrpc_fetch(ct_ethrpc *c, uint64_t from, uint64_t to, ct_eth_block **blocks,
                     size_t *n, ct_eth_fetch_stats *st,
                     void (*warn)(const char *msg, void *payload), void *payload);

/* ---- the ingest loop (ethingest.c) -------------------------------------- */

typedef struct ct_eth_progress {
	uint64_t block, target;  /* last stored block, the block it goes to */
	uint64_t blocks_done, blocks_total, txs_done, xfers_done;
	double seconds;
	int following;           /* caught up, waiting for new blocks */
} ct_eth_progress;

typedef struct ct_eth_ingest_options {
	const char *url;
	uint64_t confirmations;  /* stay this many blocks below the node's tip */
	int follow;              /* keep polling until *stop */
	uint64_t start;          /* first block of an empty store (default 0) */
	int has_start;
	uint32_t batch_blocks;   /* blocks per fetch and commit (default 50) */
	uint32_t poll_ms;        /* --follow poll interval (default 1000) */
	volatile sig_atomic_t *stop; /* set by a signal handler: stop cleanly */
	void (*progress)(const ct_eth_progress *p, void *payload);
	void (*warn)(const char *msg, void *payload);
	void *payload;
} ct_eth_ingest_options;

typedef struct ct_eth_ingest_result {
	uint64_t blocks_added, blocks_rolled_back, reorgs;
	uint64_t txs, txs_failed, xfers_eth, xfers_token, fees, logs_skipped;
	uint64_t tip;            /* newest stored block after the run */
	int has_tip;
	uint64_t node_tip;       /* the node's block number when last asked */
	uint64_t requests, bytes;
	double seconds;
	int stopped;             /* ended by *stop */
} ct_eth_ingest_result;

/* Ingest from the node at o->url into the "eth" store under dbdir (the
 * caller holds the writer lock). */
int ct__eth_ingest(const char *dbdir, const ct_eth_ingest_options *o, ct_eth_ingest_result *r);

#endif
