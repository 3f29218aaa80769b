/*
 * synth.h - internals shared by the files of the synthetic chain generator
 * (`cointrail synth`, docs/synth.md).
 *
 * The generator is one single-threaded simulation driven by one seeded
 * PRNG, so a seed always gives the same bytes. It never holds the chain:
 * transactions are serialised into the current block's buffer, blocks are
 * appended to blk*.dat and forgotten. What it keeps is bounded by the
 * number of wallets, not by the number of transactions:
 *  - per wallet a small pool of spendable outputs (syn_pool, capped);
 *  - per wallet a count of addresses handed out. Addresses are a pure
 *    function of (seed, wallet, index), so truth.json re-derives every
 *    address at the end instead of remembering them;
 *  - per exchange a bitmap of which customers used their deposit address;
 *  - the planted incidents' own records (a few thousand entries).
 *
 * Threads (block.c): the simulation runs on the main thread and only
 * describes each transaction (inputs, outputs, keys, the PRNG state its
 * dummy signatures start from) in a compact record. A serialiser thread
 * turns the records into bytes, a finisher thread fills in the txids the
 * inputs spend, hashes the txs, builds the blocks (merkle trees,
 * coinbase, header, nonce) and writes them. Outputs refer to the tx that
 * made them by a slot of a txid table that the finisher fills, so the
 * simulation never waits for a hash. Every byte still derives from the
 * seed alone.
 *
 * Naming: syn_* are internal to src/synth (the ct_synth_main entry point
 * is the only public symbol).
 */
#ifndef CT_SYNTH_SYNTH_H
#define CT_SYNTH_SYNTH_H

#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "util/buf.h"
#include "util/hash.h"

/* ---- deterministic randomness (rng.c) ----------------------------------- */

/* xoshiro256** seeded through splitmix64: fast, and a stream id lets
 * independent parts (BTC economy, account-model economy) draw without
 * disturbing each other. */
typedef struct syn_rng {
	uint64_t s[4];
} syn_rng;

void syn_rng_seed(syn_rng *r, uint64_t seed, uint64_t stream);

static inline uint64_t syn_rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t syn_next(syn_rng *r)
{
	uint64_t *s = r->s;
	uint64_t res = syn_rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = syn_rotl(s[3], 45);
	return res;
}

/* v as 8 little-endian bytes. */
static inline void syn_put64(uint8_t *p, uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	memcpy(p, &v, 8);
#else
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
#endif
}

/* Uniform in [0, n); n > 0. The modulo bias (< n / 2^64) is irrelevant here. */
static inline uint64_t syn_below(syn_rng *r, uint64_t n) { return syn_next(r) % n; }
/* Uniform in [0, 1). */
static inline double syn_unif(syn_rng *r) { return (double)(syn_next(r) >> 11) * 0x1.0p-53; }
static inline int syn_chance(syn_rng *r, double p) { return syn_unif(r) < p; }

double syn_normal(syn_rng *r);
/* Log-normal with the given median and shape sigma (of the log). */
double syn_lognormal(syn_rng *r, double median, double sigma);
/* Exponential with the given mean. */
double syn_exp(syn_rng *r, double mean);
/* 1 + geometric(p), capped at max: P(k) ~ (1-p)^(k-1) p. */
uint32_t syn_geom(syn_rng *r, double p, uint32_t max);
/* Index drawn from cumulative weights cw[0..n-1] (cw[n-1] = total). */
uint32_t syn_pick(syn_rng *r, const double *cw, uint32_t n);
/* A 64-bit mix of a few words: the key material of an address. */
uint64_t syn_mix3(uint64_t a, uint64_t b, uint64_t c);
/* syn_mix3 in two steps: the first depends on a alone. */
uint64_t syn_mix3_first(uint64_t a);
uint64_t syn_mix3_rest(uint64_t first, uint64_t b, uint64_t c);
void syn_fill(syn_rng *r, uint8_t *out, size_t n);

/* ---- hashing (sha.c): OpenSSL's compression functions ------------------ */

void syn_sha256_x(uint8_t out[32], const void *data, size_t len);
void syn_sha256d_x(uint8_t out[32], const void *data, size_t len);
void syn_sha256d_parts_x(uint8_t out[32], const void *const *parts, const size_t *lens,
                         size_t n);
void syn_hash160_x(uint8_t out[20], const void *data, size_t len);
/* RIPEMD-160 of n 32-byte messages (SHA-256 digests: the second half of
 * HASH160), in[j] into out[j]; eight at a time where the CPU has AVX2. */
void syn_rmd32_many(const uint8_t *const *in, uint8_t *const *out, size_t n);
/* Double SHA-256 of 64 bytes: a merkle tree node. */
void syn_merkle_pair(uint8_t out[32], const uint8_t in[64]);
/* Two at a time (two SHA-NI streams interleaved where the CPU has them):
 * the same results as two calls of syn_sha256d / syn_merkle_pair. */
void syn_sha256d_x2(uint8_t o0[32], const void *m0, size_t l0, uint8_t o1[32], const void *m1,
                    size_t l1);
void syn_merkle_pair_x2(uint8_t o0[32], const uint8_t i0[64], uint8_t o1[32],
                        const uint8_t i1[64]);
void syn_sha256_x2(uint8_t o0[32], const void *m0, size_t l0, uint8_t o1[32], const void *m1,
                   size_t l1);
/* Compares the above with util/hash.c; 0 or an error. */
int syn_sha_selftest(void);

static inline void syn_sha256(uint8_t out[32], const void *data, size_t len)
{
	syn_sha256_x(out, data, len);
}
static inline void syn_sha256d(uint8_t out[32], const void *data, size_t len)
{
	syn_sha256d_x(out, data, len);
}
static inline void syn_sha256d_parts(uint8_t out[32], const void *const *parts,
                                     const size_t *lens, size_t n)
{
	syn_sha256d_parts_x(out, parts, lens, n);
}
static inline void syn_hash160(uint8_t out[20], const void *data, size_t len)
{
	syn_hash160_x(out, data, len);
}

/* ---- scripts, keys and addresses (script.c) ----------------------------- */

enum syn_stype {
	ST_P2PK = 0,  /* uncompressed key, as in 2009-2010 coinbases      */
	ST_P2PKH,     /* pay to public key hash                           */
	ST_P2SH_MS,   /* P2SH around a 2-of-3 bare multisig               */
	ST_P2SH_WPKH, /* P2SH-wrapped P2WPKH ("nested segwit")            */
	ST_P2WPKH,    /* native segwit v0 key hash                        */
	ST_P2WSH,     /* native segwit v0 script hash, 2-of-3 multisig    */
	ST_P2TR,      /* taproot key path                                 */
	ST_COUNT
};

/* One address: which wallet, which index in it, and how it is locked. */
typedef struct syn_akey {
	uint32_t w, i;
	uint8_t type;
	uint8_t ucomp;  /* P2PKH with an uncompressed key (old wallets) */
	uint8_t reused; /* handed out before (statistics only)          */
} syn_akey;

#define SYN_SPK_MAX 67 /* P2PK with a 65-byte key */

typedef struct syn_net {
	const char *name;   /* "regtest" / "mainnet"             */
	const char *chain;  /* "btc-regtest" / "btc"             */
	const char *hrp;    /* "bcrt" / "bc"                     */
	uint8_t magic[4];
	uint8_t p2pkh_ver, p2sh_ver;
} syn_net;

extern const syn_net syn_regtest, syn_mainnet;

/* scriptPubKey of `k` into out[SYN_SPK_MAX]; returns its length. */
size_t syn_spk(uint64_t seed, const syn_akey *k, uint8_t *out);
/* The hash (or key) an address commits to, into prog[32]; its length
 * (0 for P2PK, whose script holds the key itself). For P2SH-P2WPKH the
 * key hash of the redeem script into inner[20] too, if not NULL. */
size_t syn_program(uint64_t seed, const syn_akey *k, uint8_t *prog, uint8_t *inner);
/* The scriptPubKey from a program syn_program made. */
size_t syn_spk_prog(uint64_t seed, const syn_akey *k, const uint8_t *prog, size_t n,
                    uint8_t *out);
/* syn_program for n keys at once (n <= SYN_PROG_BATCH), the RIPEMD-160s
 * batched; unlike syn_program, P2PK gets the HASH160 of its key (its
 * address's program) and len[j] = 20. inner may be NULL. */
#define SYN_PROG_BATCH 64
void syn_programs(uint64_t seed, const syn_akey *k, size_t n, uint8_t (*prog)[32],
                  uint8_t *len, uint8_t (*inner)[20]);
/* The address text of k from its program (syn_programs'). 0 / -1. */
int syn_addr_prog_str(const syn_net *net, const syn_akey *k, const uint8_t *prog, size_t n,
                      char *out, size_t cap);
/* The address texts of n keys (n <= SYN_PROG_BATCH) from their programs,
 * into out + j * stride; the Base58Check checksums two at a time. 0 / -1. */
int syn_addr_prog_strs(const syn_net *net, const syn_akey *k, size_t n, uint8_t (*prog)[32],
                       const uint8_t *len, char *out, size_t stride);
/* Base58Check of data[len] (len <= 32) into out; its length, or -1.
 * syn_base58check_chk: with the checksum (the first 4 bytes of the
 * double SHA-256 of data) already computed. */
int syn_base58check_chk(char *out, size_t cap, const uint8_t *data, size_t len,
                        const uint8_t chk[4]);
int syn_base58check(char *out, size_t cap, const uint8_t *data, size_t len);
/* A segwit address (bech32 for version 0, bech32m above); its length, or
 * -1. Same text as util/encode.c's ct__segwit_encode. */
int syn_segwit_addr(char *out, size_t cap, const char *hrp, int ver, const uint8_t *prog,
                    size_t len);
/* The address text of `k` as Bitcoin Core renders it for `net` (P2PK:
 * the P2PKH address of its key, as block explorers show it). 0 / -1. */
int syn_addr_str(uint64_t seed, ct_hasher *h, const syn_net *net,
                 const syn_akey *k, char *out, size_t cap);
/* The scriptSig (without its length) and the witness (item count and
 * items) that spend `k`, with fresh dummy signatures drawn from r
 * (inner: P2SH-P2WPKH's key hash if known, else NULL). */
size_t syn_scriptsig(syn_rng *r, uint64_t seed, const syn_akey *k, const uint8_t *inner,
                     uint8_t *out);
size_t syn_witness(syn_rng *r, uint64_t seed, const syn_akey *k, uint8_t *out);
/* Their lengths, drawing exactly what syn_scriptsig / syn_witness draw
 * from r (a signature is 71 or 72 bytes, as its random R says). */
size_t syn_scriptsig_len(syn_rng *r, int type, int ucomp);
size_t syn_witness_len(syn_rng *r, int type);
/* Length of the scriptPubKey of `type`. */
size_t syn_spk_len(int type);
/* Serialized sizes of a spend of `type`: non-witness bytes of the input
 * (outpoint, script length, scriptSig, sequence) and witness bytes. */
void syn_spend_size(int type, int ucomp, size_t *base, size_t *wit);
/* Output size (value + script length + script) for `type`. */
size_t syn_out_size(int type, int ucomp);
static inline int syn_is_segwit(int type)
{
	return type == ST_P2SH_WPKH || type == ST_P2WPKH || type == ST_P2WSH || type == ST_P2TR;
}

/* ---- transactions (tx.c) ------------------------------------------------ */

#define SYN_MAX_IN 640
#define SYN_MAX_OUT 640

/* Bitcoin's CompactSize, for the counts the generator writes (below 2^32):
 * the bytes written. */
static inline size_t syn_put_varint(uint8_t *p, uint64_t v)
{
	if (v < 0xfd) {
		p[0] = (uint8_t)v;
		return 1;
	}
	if (v <= 0xffff) {
		p[0] = 0xfd;
		p[1] = (uint8_t)v;
		p[2] = (uint8_t)(v >> 8);
		return 3;
	}
	p[0] = 0xfe;
	ct_put_le32(p + 1, (uint32_t)v);
	return 5;
}

/* A spendable output. The tx that made it is a slot of the txid table
 * (below): the simulation runs ahead of the hashing. */
typedef struct syn_utxo {
	uint64_t value;
	uint32_t slot; /* txid table slot of the tx that made it */
	uint32_t vout;
	uint32_t idx; /* address index in the owning wallet */
} syn_utxo;

/* The txid table. The simulation takes a slot for every tx it emits
 * (coinbases too) and stores it in the tx's outputs; the finisher writes
 * the txid there, reads it back for every input that spends one of the
 * outputs, and counts the outputs still held (refs): when the last is
 * spent or dropped the slot goes back to the simulation for reuse. So
 * the table holds one entry per tx with an output still in some wallet's
 * pool, not one per tx. */
#define SYN_SLOT_BITS 16
#define SYN_SLOT_CHUNKS 8192 /* up to 2^29 live txs */
typedef struct syn_slot {
	uint8_t txid[32];
	int32_t refs;
} syn_slot;

static inline syn_slot *syn_slot_at(syn_slot *const *chunks, uint32_t i)
{
	return &chunks[i >> SYN_SLOT_BITS][i & ((1u << SYN_SLOT_BITS) - 1)];
}

typedef struct syn_txin {
	syn_utxo u;
	syn_akey k;
	uint32_t seq;
} syn_txin;

enum { SYN_POOL_NONE = -1 };

typedef struct syn_txout {
	uint64_t value;
	syn_akey k;
	int8_t pool; /* receiving pool of wallet k.w, or SYN_POOL_NONE */
} syn_txout;

typedef struct syn_tx {
	int32_t version;
	uint32_t locktime;
	uint32_t nin, nout;
	int opret_at;            /* output position of an OP_RETURN, or -1 */
	uint32_t opret_len;
	uint8_t opret[80];
	syn_txin in[SYN_MAX_IN];
	syn_txout out[SYN_MAX_OUT];
} syn_tx;

/* vsize estimate (exact up to signature-length variation). */
size_t syn_tx_vsize(const syn_tx *t);

/* ---- wallets (wallet.c) ------------------------------------------------- */

enum syn_kind {
	K_USER = 0,
	K_MERCHANT,
	K_EXCHANGE,
	K_MINER,
	K_MIXER,
	K_COORDINATOR,
	K_SANCTIONED,
	K_RANSOMWARE,
	K_THIEF,
	K_KIND_COUNT
};
extern const char *const syn_kind_name[K_KIND_COUNT];

typedef struct syn_pool {
	syn_utxo *u;
	uint32_t n, cap, max;
	uint64_t bal;
} syn_pool;

#define SYN_WF_UCOMP 1u    /* P2PKH keys uncompressed                       */
#define SYN_WF_REUSER 2u   /* reuses addresses (receiving and change)        */

/* Indices at or above this are an exchange's per-customer deposit
 * addresses: index SYN_DEP_BASE + customer wallet id. */
#define SYN_DEP_BASE 0x80000000u

/* Pools of at most this many coins (users') live inside the wallet,
 * next to the counts that lead to them: one walk through memory. */
#define SYN_POOL_INLINE 12

typedef struct syn_wallet {
	syn_pool p[2];  /* users: p[0]; exchanges: p[0] deposits, p[1] hot */
	uint32_t naddr; /* sequential indices handed out: [0, naddr)        */
	uint32_t fpos;  /* position in the funded list, or UINT32_MAX       */
	uint8_t kind, type, htype, nh; /* indices [0, nh) have type htype   */
	uint8_t flags;
	uint8_t hused;  /* which of the indices [0, nh) received coins      */
	uint16_t sub;   /* rank within its kind (exchange-3 -> 2)           */
	syn_utxo in[SYN_POOL_INLINE]; /* p[0].u of a small pool             */
} syn_wallet;

/* ---- the simulation ----------------------------------------------------- */

typedef struct syn_opts {
	const char *out;
	uint64_t txs, blocks, transfers;
	uint64_t seed;
	int txs_set, blocks_set, transfers_set;
	int legacy;
	int no_membership; /* truth.json without per-wallet address lists */
	int quiet;
	const syn_net *net;
} syn_opts;

struct syn_incidents;
struct syn_acct;
struct syn_bg;

typedef struct syn_txrec {
	uint32_t off, len;   /* in the block buffer */
	uint32_t body, wit;  /* from off: inputs' count, witnesses (segwit) */
	uint32_t report;     /* syn_emit's placeholder number, or UINT32_MAX */
	uint16_t nout;       /* spendable outputs */
	uint8_t segwit;
	uint8_t txid[32], wtxid[32];
} syn_txrec;

/* What the finisher does with the txid table, in the simulation's
 * order: fill in the txid an input spends (arg: its offset in the block
 * buffer) and let go of the output; let go of a forgotten output; hash
 * a tx (arg: its recs index) and give its slot the txid. */
enum { SYN_OP_SPEND = 1, SYN_OP_DROP, SYN_OP_TX };
typedef struct syn_slotop {
	uint8_t kind;
	uint32_t slot, arg;
} syn_slotop;

/* One block on its way through the pipeline (block.c): the simulation
 * fills the records, the serialiser the bytes and txids, the finisher
 * adds the coinbase and header and writes it; then it comes back empty. */
typedef struct syn_job {
	struct syn_job *next;
	/* simulation -> serialiser: tx records (tx.c) and the coinbase */
	uint8_t *rec;
	size_t rlen, reccap;
	uint32_t *roff; /* offset of each tx record, for prefetching */
	size_t ntx, ocap;
	size_t bytes;   /* serialised size of the txs (exact) */
	uint64_t height, value; /* value: subsidy + fees */
	int64_t time;
	syn_akey mk; /* the coinbase's address */
	uint8_t extranonce[8];
	unsigned pool_no;
	uint32_t cb_slot; /* txid table slot of the coinbase */
	/* serialiser -> finisher */
	uint8_t *buf; /* serialised non-coinbase txs, spent txids left out */
	size_t len, cap;
	syn_txrec *recs; /* recs[0]: the coinbase */
	size_t nrecs, rcap;
	syn_slotop *ops;
	size_t nops, opcap;
	/* finisher -> simulation: txid table slots free again */
	uint32_t *freed;
	size_t nfreed, fcap;
} syn_job;

/* The finishing thread's own state: the header chain and the files. */
typedef struct syn_fin {
	uint8_t prev_hash[32];
	int blk_fd, blk_open;
	unsigned blk_no;
	uint64_t blk_size, bytes;
	const char *dir;
	const uint8_t *magic;
	int segwit;
	uint64_t seed;
} syn_fin;

/* Programs of recently paid addresses (serialiser): reused addresses are
 * paid often, and each payment would hash the key again. Direct-mapped,
 * entries of 64 bytes, about four per wallet (a power of two from 2^16
 * to 2^21). */
#define SYN_PCACHE_MIN_BITS 16
#define SYN_PCACHE_MAX_BITS 21
typedef struct syn_pcache {
	uint32_t w, i;
	uint8_t type, len, valid;
	uint8_t prog[32];
	uint8_t inner[20]; /* P2SH-P2WPKH: for spends of the address */
} syn_pcache;
_Static_assert(sizeof(syn_pcache) == 64, "a cache entry is one cache line");

#define SYN_NJOBS 12

typedef struct syn_stats {
	uint64_t txs, inputs, outputs, bytes;
	uint64_t nin_hist[6];  /* 1, 2, 3, 4-9, 10-99, 100+ inputs  */
	uint64_t nout_hist[6]; /* 1, 2, 3, 4-9, 10-99, 100+ outputs */
	uint64_t out_type[ST_COUNT + 1]; /* + OP_RETURN */
	uint64_t reused_outputs, segwit_txs, coinjoins;
} syn_stats;

typedef struct syn_sim {
	syn_opts o;
	syn_rng rng;
	ct_hasher *h;
	const syn_net *net;
	char *dir; /* the temporary output directory */

	/* wallets: users, merchants, exchanges, miners, services, incidents */
	syn_wallet *w;
	uint32_t nw;
	uint32_t nusers, nmerch;
	uint32_t first_merch, first_exch, nexch, first_miner, nminer;
	uint32_t mixer, whirl, wasabi, sanctioned;
	uint32_t thief1, thief2, thief3, ransom;
	uint8_t **depbits; /* per exchange: customers who used their deposit address */
	uint32_t *funded;  /* users and merchants with spendable outputs     */
	uint32_t nfunded;
	double miner_cw[16], exch_cw[16];

	/* chain state */
	uint64_t height, nblocks, boot_blocks;
	int64_t time, start_time;
	uint64_t txs_left;       /* non-coinbase txs still to emit        */
	uint64_t block_quota;    /* background txs wanted in this block   */
	uint64_t block_txs;      /* non-coinbase txs in this block so far */
	uint64_t feerate;        /* sat/vB level of the current day       */

	/* the current block */
	uint64_t block_fees;
	size_t block_base, block_wit; /* size accounting for the limits */

	/* coinbase maturity queue: outputs become spendable after 100 blocks */
	struct syn_matq {
		uint64_t height;
		uint32_t w;
		syn_utxo u;
	} *mat;
	size_t mat_head, mat_n, mat_cap;

	/* the txid table (chunks shared with the serialiser) and the
	 * simulation's stack of free slots */
	syn_slot **slots;
	uint32_t nslots;
	uint32_t *sfree;
	size_t nsfree, csfree;
	uint32_t last_slot; /* slot of the tx syn_emit emitted last */
	/* txids that syn_emit promised its callers (incidents): the callers
	 * hold placeholders numbered by nreports; the finisher fills
	 * reports[] (its own array) in the same order (syn_txid_resolve) */
	uint32_t nreports;

	/* the pipeline (block.c) */
	syn_job jobs[SYN_NJOBS];
	syn_job *cur; /* the block being simulated */
	syn_job *q_ser, *q_fin, *q_free; /* FIFO queues, under mu */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int pl_init, pl_threads, pl_joins, pl_stop, pl_rc;
	char pl_err[256];
	uint64_t fin_bytes;  /* bytes written, under mu */
	pthread_t th_ser, th_fin;
	double cpu_ser, cpu_fin; /* CPU seconds of the two threads, at their end */
	syn_fin fin;             /* finisher's */
	syn_pcache *pc;          /* serialiser's */
	uint32_t pc_bits;
	uint8_t (*reports)[32];  /* finisher's */
	uint32_t ser_reports;
	size_t creports;

	/* Addresses handed out while building the current tx, taken back if
	 * the tx is abandoned, so truth.json lists only addresses on chain. */
	struct syn_undo {
		uint32_t w, cust;
		uint8_t what; /* 0: a fresh index, 1: a deposit-address bit */
	} undo[4096];
	uint32_t nundo;
	int undo_lost;

	syn_tx *tx;   /* scratch builder for background txs */
	syn_tx *tx2;  /* scratch builder for incidents      */
	syn_stats st;
	struct syn_bg *bg;
	struct syn_incidents *inc;
} syn_sim;

/* CPU seconds the calling thread has used. */
double syn_thread_cpu(void);

/* wallet.c */
/* Zeroed memory for a big table, mapped apart and advised to use huge
 * pages (random access to it then costs fewer TLB misses); its pages are
 * touched only when used. syn_big_free(p, n) with the same n. */
void *syn_big_calloc(size_t n);
void syn_big_free(void *p, size_t n);
int syn_wallets_init(syn_sim *s);
void syn_wallets_free(syn_sim *s);
uint8_t syn_addr_type(const syn_sim *s, uint32_t w, uint32_t i);
syn_akey syn_key(const syn_sim *s, uint32_t w, uint32_t i);
/* A fresh address of wallet w. */
syn_akey syn_fresh(syn_sim *s, uint32_t w);
/* The address a wallet gives a payer: fresh, or a reused one for reusers. */
syn_akey syn_recv_addr(syn_sim *s, uint32_t w);
/* The persistent deposit address of customer `cust` at exchange `e`. */
syn_akey syn_deposit_addr(syn_sim *s, uint32_t e, uint32_t cust);
/* Change address for a tx that spends from wallet w (reusers: the first
 * input's address). */
syn_akey syn_change_addr(syn_sim *s, uint32_t w, const syn_tx *t);
/* Take back k if it is the address handed out last (an unused change). */
void syn_unfresh(syn_sim *s, const syn_akey *k);
/* Take back the addresses handed out since the last emitted tx. */
void syn_undo(syn_sim *s);
int syn_pool_add(syn_sim *s, uint32_t w, int pool, const syn_utxo *u);
/* Move UTXOs of w's pool into t's inputs until at least `amount` is
 * gathered or `max_in` inputs are used; returns the value gathered. */
uint64_t syn_select(syn_sim *s, uint32_t w, int pool, uint64_t amount, syn_tx *t,
                    uint32_t max_in);
/* Move every UTXO of the pool (up to max_in) into t's inputs. */
uint64_t syn_take_all(syn_sim *s, uint32_t w, int pool, syn_tx *t, uint32_t max_in);
/* Move the UTXO at position j of the pool into t's inputs. */
uint64_t syn_take_at(syn_sim *s, uint32_t w, int pool, uint32_t j, syn_tx *t);
/* Wallet names for truth.json: "user-17", "exchange-2", ... */
void syn_wallet_name(const syn_sim *s, uint32_t w, char *out, size_t cap);

/* tx.c / block.c */
void syn_tx_reset(syn_tx *t, int version, uint32_t locktime);
void syn_tx_out(syn_tx *t, uint64_t value, syn_akey k, int pool);
void syn_tx_opreturn(syn_tx *t, const uint8_t *data, uint32_t len);
/* Put t into the current block (as a record for the serialiser) and hand
 * its tracked outputs to their wallets; s->last_slot is its txid table
 * slot. If txid is non-NULL it receives a placeholder of the txid that
 * syn_txid_resolve turns into the txid once the chain is written.
 * The caller has made sum(in) >= sum(out); the difference is the fee.
 * Outputs with pool SYN_POOL_NONE are the caller's to keep track of. */
int syn_emit(syn_sim *s, syn_tx *t, uint8_t *txid);
/* An output referring to txid table slot `slot` is gone without being
 * spent (a full pool forgot it). */
int syn_drop(syn_sim *s, uint32_t slot);
/* A free txid table slot for a new tx. */
int syn_slot_new(syn_sim *s, uint32_t *slot);
/* The txid behind a placeholder from syn_emit (after syn_blocks_close). */
void syn_txid_resolve(const syn_sim *s, const uint8_t *id, uint8_t out[32]);
/* Serialiser: turn job J's records into bytes (tx.c). */
int syn_serialise(syn_sim *s, syn_job *J);
/* Finisher, first: fill in the spent txids, hash the txs in order (txid
 * and wtxid), keep the txid table (tx.c). */
int syn_txids(syn_sim *s, syn_job *J);
int syn_block_begin(syn_sim *s);
int syn_block_end(syn_sim *s);
int syn_blocks_open(syn_sim *s);
int syn_blocks_close(syn_sim *s);
/* After a failure: wait for the block thread, close and free. */
void syn_blocks_abort(syn_sim *s);
/* Fee for t at the current level, from its estimated vsize. */
uint64_t syn_fee(syn_sim *s, const syn_tx *t, double mult);
/* Whether the block has room for a tx of about `bytes`. */
int syn_block_room(const syn_sim *s, size_t bytes);

/* economy.c: the background economy */
int syn_bg_init(syn_sim *s);
void syn_bg_free(syn_sim *s);
/* Called once per block before background txs (payouts that are due). */
int syn_bg_block(syn_sim *s);
/* Emit one background tx; returns 0, or 1 when nothing could be made. */
int syn_bg_step(syn_sim *s);
/* Pay the outputs already in t (t->out[0..nout)) from wallet w's pool:
 * select inputs, add change, fix the fee, emit. If funds fall short,
 * the first output absorbs the shortfall when `flexible`, else the tx
 * is abandoned: inputs and addresses given back, returns 1. */
int syn_pay(syn_sim *s, syn_tx *t, uint32_t w, int pool, int flexible, uint8_t *txid);
/* Give an abandoned tx's inputs back to their owners' `pool`; returns 1. */
int syn_restore(syn_sim *s, syn_tx *t, int pool);

/* incidents.c: the planted BTC incidents */
int syn_inc_init(syn_sim *s);
void syn_inc_free(syn_sim *s);
/* Emit the incident txs scheduled for the current block. */
int syn_inc_block(syn_sim *s);
/* Upper bound of the txs all incidents emit (budgeted out of --txs). */
#define SYN_INC_MAX_TXS 1200
/* Incident txs that may still come: background txs leave room for them. */
uint64_t syn_inc_reserve(const syn_sim *s);
/* The BTC entries of truth.json's "incidents" array, each preceded by a
 * comma once *count > 0; *count grows by the entries written. */
int syn_inc_write(syn_sim *s, FILE *f, int *count);

/* truth.c */
int syn_truth_write(syn_sim *s, const char *path, const struct syn_acct *acct);

/* account.c: the account-model (NEM) transfers and their incident */
int syn_acct_run(const syn_opts *o, const char *csv_path, struct syn_acct **out);
/* The NEM incident object and the NEM "accounts" array of truth.json. */
int syn_acct_write_truth(const struct syn_acct *a, FILE *f);
int syn_acct_write_accounts(const struct syn_acct *a, FILE *f);
void syn_acct_free(struct syn_acct *a);


/* JSON string output helper (truth.c) */
void syn_json_amount(FILE *f, uint64_t v, int decimals);

#endif
