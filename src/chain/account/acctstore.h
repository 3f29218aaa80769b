/*
 * acctstore.h - the chain store of one account-model chain (eth, nem, op,
 * trx, ...): transfers, txs, blocks, the address and asset dictionaries,
 * their atomic commit, crash recovery and rollback. Shared by
 * `ingest transfers` (CSV / JSON Lines), `ingest eth --rpc`, the look-ups
 * and the tracer.
 *
 * It is built from the same parts as the Bitcoin store (store/column.h,
 * store/hashidx.h) and commits in the same three phases (see
 * docs/internals/store.md and docs/internals/account.md):
 *   A. new records are written past the committed counts (tail only) and
 *      synced; the hash indexes gain entries;
 *   B. a `pending` journal names the batch, then the columns that point
 *      forward in time are updated in place: the per-address heads
 *      (newest transfer out / in) and the per-tx head (newest transfer of
 *      the tx). Derived from phase-A records only, so idempotent;
 *   C. `meta` (every count + SHA-256) is replaced atomically.
 * Readers filter forward pointers by the committed counts and never see
 * an uncommitted record.
 *
 * Directory: DB/<chain>/ (chain names lower-case [a-z0-9-]).
 *
 * Ids are dense, 0-based, 64-bit: transfer ids, tx ids, address ids,
 * asset ids (asset 0 is always the chain's native asset), block ids.
 *
 * ORDER. Transfers are appended in time order within a batch (stable sort
 * by time, block height, input row); a later run may carry earlier times.
 * Readers that need time order sort by (time, transfer id). The address
 * walk below is newest-first by transfer id (append order), not by time.
 *
 * Every function returns 0 or a negative CT_E* code (message set).
 * Readers take ids below the committed counts (ct__acct_counts()).
 */
#ifndef CT_CHAIN_ACCTSTORE_H
#define CT_CHAIN_ACCTSTORE_H

#include "store/column.h"
#include "store/commit.h"
#include "store/hashidx.h"
#include "util/buf.h"
#include "util/hash.h"
#include "util/u256.h"

#include <stddef.h>
#include <stdint.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* ---- chains ---------------------------------------------------------- */

/* Address formats. */
enum {
	CT_AF_EVM = 1,  /* 20 bytes; text 0x + 40 hex (lower-case or EIP-55)      */
	CT_AF_NEM = 2,  /* 25 bytes decoded; text 40 chars base32, checksum checked */
	CT_AF_TRON = 3, /* 21 bytes (0x41 + 20); text Base58Check "T..." or 41+hex */
};

typedef struct ct_acct_chain {
	const char *name;      /* "eth", "nem", ... (the store subdirectory) */
	int addr_format;       /* CT_AF_*                                    */
	const char *native;    /* native asset symbol: "ETH", "XEM"          */
	int native_decimals;   /* 18, 6, ...                                 */
} ct_acct_chain;

/* The chain called `name` (lower-case), or NULL if cointrail does not
 * know it (the caller reports a user error listing ct__acct_chain_list). */
const ct_acct_chain *ct__acct_chain_find(const char *name);
/* The known chains, NULL-terminated. */
const ct_acct_chain *const *ct__acct_chain_list(void);

/* ---- address keys ---------------------------------------------------- */

#define CT_ACCT_KEY_MAX 31
/* An address as stored: len bytes of its binary form (the format is the
 * chain's). 32 bytes, the record of addrs.col. */
typedef struct ct_acct_key {
	uint8_t len;
	uint8_t b[CT_ACCT_KEY_MAX];
} ct_acct_key;

/* Parse the text form of an address of format `af` (s need not be
 * NUL-terminated). Checks what the format can check: EVM mixed case must
 * carry a valid EIP-55 checksum; NEM base32 must decode and its
 * checksum (keccak-256 of the first 21 bytes) match; TRON Base58Check.
 * Returns 0, or CT_EDATA with a message naming the reason. */
int ct__acct_key_parse(int af, ct_acct_key *k, const char *s, size_t n);
/* Hex digit values ('0'-'9', 'a'-'f', 'A'-'F'), -1 for other bytes. */
extern const int8_t ct__hexval[256];
/* Decode 16 hex digits into 8 bytes; nonzero if any is not a hex digit
 * (out is then unspecified). 16 digits a step with SSE2: on random hex a
 * table walk per digit is the cost of parsing addresses and hashes. */
static inline int ct__hex16(uint8_t out[8], const char *in)
{
#ifdef __SSE2__
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)in);
	__m128i d = _mm_sub_epi8(v, _mm_set1_epi8('0'));
	__m128i l = _mm_sub_epi8(_mm_or_si128(v, _mm_set1_epi8(0x20)), _mm_set1_epi8('a'));
	__m128i isd = _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d);
	__m128i isl = _mm_cmpeq_epi8(_mm_min_epu8(l, _mm_set1_epi8(5)), l);
	__m128i val = _mm_or_si128(_mm_and_si128(d, isd),
	                           _mm_and_si128(_mm_add_epi8(l, _mm_set1_epi8(10)), isl));
	/* pairs (hi, lo) as 16-bit lanes: hi << 4 | lo, then to bytes */
	__m128i w = _mm_or_si128(_mm_slli_epi16(_mm_and_si128(val, _mm_set1_epi16(0xff)), 4),
	                         _mm_srli_epi16(val, 8));
	_mm_storel_epi64((__m128i *)(void *)out, _mm_packus_epi16(w, w));
	return _mm_movemask_epi8(_mm_or_si128(isd, isl)) != 0xffff;
#else
	int bad = 0;
	for (int i = 0; i < 8; i++) {
		int hi = ct__hexval[(unsigned char)in[2 * i]], lo = ct__hexval[(unsigned char)in[2 * i + 1]];
		bad |= hi | lo;
		out[i] = (uint8_t)((unsigned)hi << 4 | (unsigned)lo);
	}
	return bad < 0;
#endif
}
/* Render: EVM "0x" + lower-case hex, NEM upper-case base32, TRON
 * Base58Check. out needs CT_ACCT_ADDR_STR bytes. Returns the length. */
#define CT_ACCT_ADDR_STR 64
int ct__acct_key_str(int af, const ct_acct_key *k, char *out, size_t cap);

/* ---- amounts ----------------------------------------------------------- */

#define CT_DECIMALS_UNKNOWN 255

/* Parse an exact decimal string into base units: `decimals` places
 * (CT_DECIMALS_UNKNOWN: an integer only). Accepts "123", "1.5", ".5",
 * "1e-5" / "1.5E+3" (exact exponent shift; never through floating point).
 * Returns 0, or -1 for syntax, negative, more fraction digits than the
 * asset has (non-zero ones), or more than 256 bits. Sets *why to a
 * static reason on failure. */
int ct__acct_amount_parse(ct_u256 *out, const char *s, size_t n, int decimals,
                          const char **why);
/* Render base units as a decimal in asset units ("1.500000000000000000"),
 * or the raw integer when decimals is CT_DECIMALS_UNKNOWN. cap >= 82. */
#define CT_ACCT_AMOUNT_STR 100
void ct__acct_amount_str(char *out, size_t cap, const ct_u256 *v, int decimals);

/* A sum of many 256-bit amounts: 320 bits so it cannot overflow. */
typedef struct ct_acct_sum {
	uint64_t w[5];
} ct_acct_sum;
void ct__acct_sum_add(ct_acct_sum *s, const ct_u256 *v);
/* Render s (or a - b - c, signed, for a balance) like ct__acct_amount_str. */
void ct__acct_sum_str(char *out, size_t cap, const ct_acct_sum *s, int decimals);
void ct__acct_balance_str(char *out, size_t cap, const ct_acct_sum *received,
                          const ct_acct_sum *sent, const ct_acct_sum *fees, int decimals);

/* ---- records ----------------------------------------------------------- */

#define CT_ACCT_NONE UINT64_MAX /* no address / no transfer / unknown height */

/* Transfer flags. */
#define CT_XF_FAILED 0x01u  /* the tx failed: no value moved (a fee still may) */
#define CT_XF_FEE 0x02u     /* a fee: paid by `from` in the native asset; to = NONE */
#define CT_XF_TOKEN 0x04u   /* asset is a token (asset id != 0)             */
#define CT_XF_BIG 0x08u     /* internal: amount is in big.col               */
#define CT_XF_MINT 0x10u    /* from = NONE (genesis allocation, block reward) */

/* Tx flags. */
#define CT_TXF_HASH 0x01u   /* the tx has a hash (CSV rows may have none)   */
#define CT_TXF_FAILED 0x02u /* receipt status 0                              */

/* A transfer as readers see it. */
typedef struct ct_acct_xfer {
	uint64_t from, to;  /* address ids; CT_ACCT_NONE for a fee's `to` / a mint's `from` */
	uint64_t tx;        /* tx id                                         */
	int64_t time;       /* Unix seconds (UTC)                            */
	uint64_t height;    /* block height, CT_ACCT_NONE if unknown (from the tx) */
	uint32_t asset;     /* asset id (0: native)                          */
	uint32_t flags;     /* CT_XF_*                                       */
	ct_u256 amount;     /* base units, exact                             */
} ct_acct_xfer;

typedef struct ct_acct_tx {
	uint8_t hash[32];   /* valid when flags & CT_TXF_HASH                 */
	uint64_t height;    /* CT_ACCT_NONE if unknown                        */
	int64_t time;
	uint64_t first;     /* first transfer id of the tx                    */
	uint64_t last;      /* newest committed transfer of the tx (walk back with ct__acct_xfer_prev_tx) */
	uint32_t flags;     /* CT_TXF_*                                       */
} ct_acct_tx;

typedef struct ct_acct_asset {
	int native;         /* 1: the chain's native asset (id 0)             */
	int decimals;       /* 0..77, or CT_DECIMALS_UNKNOWN (render raw base units) */
	int decimals_assumed; /* decimals were not known but assumed (see docs) */
	ct_acct_key contract; /* tokens: the contract address                 */
	char symbol[32];    /* display only (spam tokens copy symbols), may be "" */
} ct_acct_asset;

typedef struct ct_acct_block {
	uint64_t number;
	uint8_t hash[32], parent[32];
	int64_t time;
	uint64_t first_tx, first_xfer; /* ids of its first records        */
} ct_acct_block;

/* Committed (or working) counts. */
typedef struct ct_acct_counts {
	uint64_t blocks, txs, xfers, addrs, assets, bigs, files;
} ct_acct_counts;

/* ---- the store --------------------------------------------------------- */

typedef struct ct_acctstore {
	char *dir;
	const ct_acct_chain *chain;
	int writable;
	ct_hasher *h;
	ct_acct_counts c; /* committed */
	ct_acct_counts w; /* working: c plus the open batch */
	ct_col blocks, txs, thead, xfers, bigs, addrs, ahead, assets, files;
	ct_hidx txidx, addridx, assetidx;
	/* batch-local newest out/in transfer per address: (addr+1, out+1, in+1) */
	uint64_t *bmap;
	size_t bmap_cap, bmap_n;
	/* batch-local newest transfer per tx: (tx+1, xfer+1) */
	uint64_t *tmap;
	size_t tmap_cap, tmap_n;
	ct_commit cm; /* the commit protocol (store/commit.h) and its crash hook */
} ct_acctstore;

/* Open the store of `chain` under the data directory `dbdir` (subdir =
 * chain->name). Writable opens create it (with asset 0 = the native
 * asset) and finish or discard an interrupted batch. A read-only open of
 * a missing store is CT_ENOTFOUND. */
int ct__acctstore_open(ct_acctstore **out, const char *dbdir, const ct_acct_chain *chain,
                       int writable);
void ct__acctstore_close(ct_acctstore *st);
/* Whether a committed store for chain `name` exists under dbdir. */
int ct__acctstore_exists(const char *dbdir, const char *name);
/* The account chains present under dbdir, in ct__acct_chain_list order. */
size_t ct__acct_chains_present(const char *dbdir, const ct_acct_chain **out, size_t cap);

static inline const ct_acct_counts *ct__acct_counts(const ct_acctstore *st) { return &st->c; }

/* ---- appending (phase A; nothing is visible before commit) ------------- */

/* Find or add an address; *id receives its id. */
int ct__acct_addr_add(ct_acctstore *st, const ct_acct_key *k, uint64_t *id);
/* The same with the key's hash computed beforehand (ct__acct_key_hash),
 * and hints that a look-up of that hash is coming (bulk ingest issues
 * them a few rows ahead so that the index probes hit the cache):
 * prefetch_slot loads the index slot, prefetch_rec (later) the record it
 * points to. */
uint64_t ct__acct_key_hash(const ct_acct_key *k);
int ct__acct_addr_add_h(ct_acctstore *st, const ct_acct_key *k, uint64_t hash, uint64_t *id);
void ct__acct_addr_prefetch_slot(const ct_acctstore *st, uint64_t hash);
void ct__acct_addr_prefetch_rec(const ct_acctstore *st, uint64_t hash);
/* The same for a tx hash look-up (ct__acct_tx_add). */
void ct__acct_tx_prefetch_slot(const ct_acctstore *st, const uint8_t hash[32]);
/* Find or add a token asset by contract. decimals may be
 * CT_DECIMALS_UNKNOWN; a later call with known decimals fills them in
 * only for an asset added in the open batch (committed records are never
 * rewritten; see ct__acct_asset_get). symbol may be NULL. */
int ct__acct_asset_add(ct_acctstore *st, const ct_acct_key *contract, int decimals,
                       const char *symbol, uint32_t *id);
/* Set the decimals of an asset added in the open batch and mark them
 * assumed (a token amount given in asset units while its decimals are
 * unknown; see docs/internals/account.md). */
int ct__acct_asset_assume(ct_acctstore *st, uint32_t id, int decimals);
/* Start a block (RPC path): number must be tip + 1 when the store has
 * blocks (else any); txs and transfers appended after it belong to it. */
int ct__acct_block_add(ct_acctstore *st, uint64_t number, const uint8_t hash[32],
                       const uint8_t parent[32], int64_t time);
/* Add a tx. With a hash, an existing tx with that hash (committed or in
 * this batch) is returned instead (*added = 0): ethereum-etl token
 * transfers and transactions share txs. hash NULL: always a new tx. */
int ct__acct_tx_add(ct_acctstore *st, const uint8_t *hash, uint64_t height, int64_t time,
                    uint32_t flags, uint64_t *tx, int *added);
/* Append a transfer (x->tx must exist; x->height is ignored: the tx's). */
int ct__acct_xfer_add(ct_acctstore *st, const ct_acct_xfer *x);
/* Input files already ingested (so that a re-run, e.g. after a crash,
 * adds nothing): the SHA-256 of a file's bytes. find: CT_ENOTFOUND or 0;
 * add records it in the open batch. */
int ct__acct_file_find(const ct_acctstore *st, const uint8_t sha[32]);
int ct__acct_file_add(ct_acctstore *st, const uint8_t sha[32], uint64_t size, uint64_t rows);
/* Whether a recorded file has this size (else a file cannot be one of
 * them, and its SHA-256 may be computed alongside the ingest). */
int ct__acct_file_size_seen(const ct_acctstore *st, uint64_t size);
/* Commit everything appended since the last commit (phases A-sync, B, C). */
int ct__acctstore_commit(ct_acctstore *st);
/* Forget the open batch (its tail stays as garbage). */
void ct__acctstore_abort(ct_acctstore *st);
/* Size the indexes and columns for about `xfers` transfers to come. */
int ct__acctstore_expect(ct_acctstore *st, uint64_t xfers);

/* Roll back to committed counts `to` (<= committed, e.g. the counts read
 * before a run) and commit. Crash-safe and idempotent like a commit. */
int ct__acctstore_rollback(ct_acctstore *st, const ct_acct_counts *to);
/* Remove every block with number >= `number` (and all records appended
 * since the first of them) and commit: a reorg. No-op if none. */
int ct__acctstore_rollback_block(ct_acctstore *st, uint64_t number);

/* ---- readers ----------------------------------------------------------- */

/* Transfer i (< committed xfers). */
void ct__acct_xfer_get(const ct_acctstore *st, uint64_t i, ct_acct_xfer *x);
/* Only the fields the tracer needs most (no big-amount load). */
static inline uint64_t ct__acct_xfer_from(const ct_acctstore *st, uint64_t i);
static inline uint64_t ct__acct_xfer_to(const ct_acctstore *st, uint64_t i);
static inline int64_t ct__acct_xfer_time(const ct_acctstore *st, uint64_t i);
/* The previous transfer (lower id) with the same `from` / `to` / tx, or
 * CT_ACCT_NONE. */
uint64_t ct__acct_xfer_prev_out(const ct_acctstore *st, uint64_t i);
uint64_t ct__acct_xfer_prev_in(const ct_acctstore *st, uint64_t i);
uint64_t ct__acct_xfer_prev_tx(const ct_acctstore *st, uint64_t i);
/* Newest committed transfer out of / into address a, or CT_ACCT_NONE. */
uint64_t ct__acct_addr_head_out(const ct_acctstore *st, uint64_t a);
uint64_t ct__acct_addr_head_in(const ct_acctstore *st, uint64_t a);

/* Walk an address's transfers, out and in merged, newest first (by
 * transfer id). A transfer from a to a appears once, as dir 3.
 *   ct_acct_walk w; ct__acct_walk_init(st, a, &w);
 *   while (ct__acct_walk_next(&w, &id, &dir)) ...   dir: 1 out, 2 in, 3 both */
typedef struct ct_acct_walk {
	const ct_acctstore *st;
	uint64_t a, next_out, next_in;
} ct_acct_walk;
void ct__acct_walk_init(const ct_acctstore *st, uint64_t a, ct_acct_walk *w);
int ct__acct_walk_next(ct_acct_walk *w, uint64_t *xfer, int *dir);

/* Address dictionary. */
int ct__acct_addr_find(const ct_acctstore *st, const ct_acct_key *k, uint64_t *a);
void ct__acct_addr_key(const ct_acctstore *st, uint64_t a, ct_acct_key *k);
/* Text form of address a ("0x..." lower-case, NEM base32, ...). */
int ct__acct_addr_str(const ct_acctstore *st, uint64_t a, char *out, size_t cap);
/* Parse text (with or without a "chain:" prefix already stripped) and look up. */
int ct__acct_addr_lookup(const ct_acctstore *st, const char *text, uint64_t *a);

/* Asset dictionary (id < committed assets). */
void ct__acct_asset_get(const ct_acctstore *st, uint32_t id, ct_acct_asset *out);
int ct__acct_asset_find(const ct_acctstore *st, const ct_acct_key *contract, uint32_t *id);

/* Txs. */
int ct__acct_tx_find(const ct_acctstore *st, const uint8_t hash[32], uint64_t *t);
/* The same over the working state (committed and the open batch). */
int ct__acct_tx_find_w(const ct_acctstore *st, const uint8_t hash[32], uint64_t *t);
void ct__acct_tx_get(const ct_acctstore *st, uint64_t t, ct_acct_tx *out);

/* Blocks (RPC path). The tip: *number and hash of the newest stored
 * block, CT_ENOTFOUND if none. */
int ct__acct_tip(const ct_acctstore *st, ct_acct_block *out);
void ct__acct_block_get(const ct_acctstore *st, uint64_t b, ct_acct_block *out);
/* The block id of block number `number`, CT_ENOTFOUND if not stored. */
int ct__acct_block_find(const ct_acctstore *st, uint64_t number, uint64_t *b);

/* Per-address, per-asset totals, from walking the address's transfers.
 * Failed transfers move nothing (but their fees count). The balance is
 * received - sent - fees and goes negative when the data starts after
 * the address's history did (value received before it is not seen). */
typedef struct ct_acct_total {
	uint32_t asset;
	uint64_t n_in, n_out, n_fee; /* transfers counted in each sum   */
	ct_acct_sum received, sent, fees;
	int64_t first, last;   /* time of the first / last transfer    */
} ct_acct_total;
/* *out: malloc'd array (asset ids ascending), *n entries; also the number
 * of distinct txs and the first/last time over all assets. */
int ct__acct_addr_totals(const ct_acctstore *st, uint64_t a, ct_acct_total **out, size_t *n,
                         uint64_t *tx_count, int64_t *first, int64_t *last);

/* ---- inline readers ---------------------------------------------------- */

/* xfers.col record (72 bytes): from, to, tx, time, amount-or-big-index,
 * asset (4), flags (4), prev_out+1, prev_in+1, prev_tx+1. */
#define CT_REC_XFER 72
#define CT_XR_FROM 0
#define CT_XR_TO 8
#define CT_XR_TX 16
#define CT_XR_TIME 24
#define CT_XR_AMOUNT 32
#define CT_XR_ASSET 40
#define CT_XR_FLAGS 44
#define CT_XR_PREV_OUT 48
#define CT_XR_PREV_IN 56
#define CT_XR_PREV_TX 64

static inline uint64_t ct__acct_rd64(const uint8_t *p) { return ct_le64(p); }

static inline uint64_t ct__acct_xfer_from(const ct_acctstore *st, uint64_t i)
{
	return ct__acct_rd64(ct__col_get(&st->xfers, i) + CT_XR_FROM);
}
static inline uint64_t ct__acct_xfer_to(const ct_acctstore *st, uint64_t i)
{
	return ct__acct_rd64(ct__col_get(&st->xfers, i) + CT_XR_TO);
}
static inline int64_t ct__acct_xfer_time(const ct_acctstore *st, uint64_t i)
{
	return (int64_t)ct__acct_rd64(ct__col_get(&st->xfers, i) + CT_XR_TIME);
}

#endif
