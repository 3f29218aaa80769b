/*
 * btcstore.h - the chain store of one Bitcoin network: the column files,
 * their id spaces, the atomic commit and crash recovery.
 *
 * Layout and invariants: docs/internals/store.md. In short, the store is
 * a set of fixed-width columns indexed by dense ids (blocks, txs, inputs,
 * outputs, addresses), appended in best-chain order. A batch of blocks is
 * appended in three phases:
 *   A. new records are written past the committed counts (tail only) and
 *      synced; the txid/address/block hash indexes gain entries;
 *   B. a `pending` journal names the batch, then the two columns that
 *      point forward in time are updated in place for committed records:
 *      spent[o] (the tx that spent output o) and ahead[a] (the newest
 *      output paying address a);
 *   C. meta (the commit marker, with every count) is replaced atomically.
 * Phase B is idempotent and derived from phase-A records only, so a crash
 * in B is finished at the next open (roll forward); a crash before the
 * journal leaves only an ignored tail. Readers filter forward pointers by
 * the committed counts, so they never see an uncommitted record.
 */
#ifndef CT_CHAIN_BTCSTORE_H
#define CT_CHAIN_BTCSTORE_H

#include "chain/btc/btc.h"
#include "store/column.h"
#include "store/commit.h"
#include "store/hashidx.h"
#include "util/buf.h"

/* Record widths (bytes). */
#define CT_REC_BLOCK 176
#define CT_REC_TX 16
#define CT_REC_TXINFO 16
#define CT_REC_TXID 32
#define CT_REC_IN 8
#define CT_REC_UNRES 40
#define CT_REC_OUT 16
#define CT_REC_SPENT 8
#define CT_REC_OLINK 8
#define CT_REC_ADDR 44
#define CT_REC_AHEAD 8

/* Field offsets in a block record. */
#define CT_BLK_HEADER 0
#define CT_BLK_HASH 80
#define CT_BLK_WORK 112   /* chain work from the segment's root, 32 LE */
#define CT_BLK_FIRST_TX 144
#define CT_BLK_FIRST_ADDR 152
#define CT_BLK_FIRST_UNRES 160
#define CT_BLK_HEIGHT 168 /* UINT32_MAX: unknown */
#define CT_BLK_SIZE 172

#define CT_HEIGHT_UNKNOWN UINT32_MAX

/* An input record: an output id, or one of these. */
#define CT_IN_COINBASE UINT64_MAX
#define CT_IN_UNRESOLVED_BIT (UINT64_C(1) << 63) /* | index into unres */

/* An output's addr word: script type in the top byte, addr id + 1 in
 * the low 40 bits (0: pays no address, e.g. OP_RETURN). */
#define CT_OUT_ADDR_MASK ((UINT64_C(1) << 40) - 1)

typedef struct ct_btc_counts {
	uint64_t blocks, txs, ins, outs, addrs, unres;
} ct_btc_counts;

typedef struct ct_btcstore {
	char *dir;
	const ct_btc_net *net;
	int writable;
	ct_hasher *h;
	ct_btc_counts c; /* committed */
	ct_btc_counts w; /* working: c plus the open batch */
	ct_col blocks, txs, txinfo, txid, ins, unres, outs, spent, olink, addrs, ahead;
	ct_hidx txidx, addridx, blkidx;
	/* batch-local newest output per address: open addressing */
	uint64_t *bmap;
	size_t bmap_cap, bmap_n;
	ct_commit cm; /* the commit protocol (store/commit.h) and its crash hook */
} ct_btcstore;

/* Open the store of `net` under the data directory `dbdir` (its subdir is
 * net->chain). Writable opens create it and finish an interrupted batch. */
int ct__btcstore_open(ct_btcstore **out, const char *dbdir, const ct_btc_net *net,
                      int writable);
void ct__btcstore_close(ct_btcstore *st);
/* Whether a store for `chain` exists under dbdir. */
int ct__btcstore_exists(const char *dbdir, const char *chain);

/* What a block needs before it is appended, computed without the store
 * (on the reader thread): output address keys and script types, and the
 * index hashes of inputs and outputs. Arrays grow and are reused. */
typedef struct ct_btc_prep {
	ct_addrkey *okeys;
	uint64_t *ohash, *ihash;
	uint8_t *otypes;
	size_t cap;
} ct_btc_prep;

int ct__btc_prepare(ct_btc_prep *p, ct_hasher *h, const ct_btc_block *b);
void ct__btc_prep_free(ct_btc_prep *p);

/* Phase A for one parsed and prepared block (see top). `work` is its
 * cumulative chain work (32 LE bytes); height may be CT_HEIGHT_UNKNOWN. */
int ct__btcstore_append(ct_btcstore *st, const ct_btc_block *b, const ct_btc_prep *p,
                        uint32_t height, const uint8_t work[32], uint64_t *unresolved);
/* Phases A-sync, B and C for everything appended since the last commit. */
int ct__btcstore_commit(ct_btcstore *st);
/* Forget the open batch (its tail stays as garbage). */
void ct__btcstore_abort(ct_btcstore *st);
/* Start writeback of the appended tails (see ct__col_writeback). */
void ct__btcstore_writeback(ct_btcstore *st);
/* Size the indexes for about `bytes` of block data to come. */
int ct__btcstore_expect(ct_btcstore *st, uint64_t bytes);
/* Remove committed blocks [to, blocks) and commit the result. */
int ct__btcstore_rollback(ct_btcstore *st, uint64_t to);

/* ---- readers: all ids must be below the committed counts ---------------- */

static inline const uint8_t *ct__blk(const ct_btcstore *st, uint64_t b)
{
	return ct__col_at(&st->blocks, b);
}
static inline uint64_t ct__blk_first_tx(const ct_btcstore *st, uint64_t b)
{
	return ct_le64(ct__blk(st, b) + CT_BLK_FIRST_TX);
}
static inline uint32_t ct__blk_height(const ct_btcstore *st, uint64_t b)
{
	return ct_le32(ct__blk(st, b) + CT_BLK_HEIGHT);
}
static inline uint64_t ct__tx_first_in(const ct_btcstore *st, uint64_t t)
{
	return ct_le64(ct__col_get(&st->txs, t));
}
static inline uint64_t ct__tx_first_out(const ct_btcstore *st, uint64_t t)
{
	return ct_le64(ct__col_get(&st->txs, t) + 8);
}
/* Input/output ranges of tx t: [first, end). Valid for t < w.txs. */
uint64_t ct__tx_end_in(const ct_btcstore *st, uint64_t t);
uint64_t ct__tx_end_out(const ct_btcstore *st, uint64_t t);
static inline uint32_t ct__tx_block(const ct_btcstore *st, uint64_t t)
{
	return ct_le32(ct__col_at(&st->txinfo, t));
}
static inline const uint8_t *ct__tx_id(const ct_btcstore *st, uint64_t t)
{
	return ct__col_get(&st->txid, t);
}
static inline uint64_t ct__in_ref(const ct_btcstore *st, uint64_t i)
{
	return ct_le64(ct__col_at(&st->ins, i));
}
static inline uint64_t ct__out_value(const ct_btcstore *st, uint64_t o)
{
	return ct_le64(ct__col_at(&st->outs, o));
}
static inline uint64_t ct__out_addrword(const ct_btcstore *st, uint64_t o)
{
	return ct_le64(ct__col_at(&st->outs, o) + 8);
}
/* The committed spender of output o (tx id), or UINT64_MAX if unspent. */
static inline uint64_t ct__out_spent_by(const ct_btcstore *st, uint64_t o)
{
	uint64_t v = ct_le64(ct__col_at(&st->spent, o));
	return v == 0 || v > st->c.txs ? UINT64_MAX : v - 1;
}
/* Newest committed output paying address a, or UINT64_MAX. */
uint64_t ct__addr_head(const ct_btcstore *st, uint64_t a);
/* The output paying the same address before o, or UINT64_MAX. */
static inline uint64_t ct__out_prev_same(const ct_btcstore *st, uint64_t o)
{
	uint64_t v = ct_le64(ct__col_at(&st->olink, o));
	return v ? v - 1 : UINT64_MAX;
}
/* The tx holding output o / input i (binary search). */
uint64_t ct__out_tx(const ct_btcstore *st, uint64_t o);
uint64_t ct__in_tx(const ct_btcstore *st, uint64_t i);

int ct__btcstore_find_tx(const ct_btcstore *st, const uint8_t txid[32], uint64_t *t);
int ct__btcstore_find_block(const ct_btcstore *st, const uint8_t hash[32], uint64_t *b);
int ct__btcstore_find_addr(const ct_btcstore *st, const ct_addrkey *k, uint64_t *a);
void ct__btcstore_addr_key(const ct_btcstore *st, uint64_t a, ct_addrkey *k);

#endif
