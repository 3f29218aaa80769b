/*
 * acctstore.c - open, append, commit, recover and roll back the store of
 * an account-model chain. The protocol is the Bitcoin store's (see
 * acctstore.h, docs/internals/store.md and docs/internals/account.md).
 */
#include "chain/account/acctstore.h"
#include "util/error.h"
#include "util/fsutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define META_MAGIC "CTACCT01"
#define PEND_MAGIC "CTAPND01"
#define META_VERSION 1
#define NCOUNTS 7
#define META_LEN (48 + 8 * NCOUNTS + 32) /* 136: store/commit.h */
_Static_assert(sizeof(ct_acct_counts) == 8 * NCOUNTS, "counts are NCOUNTS words");

/* Record widths and offsets (docs/internals/account.md). */
#define REC_BLOCK 128
#define BR_NUMBER 0
#define BR_HASH 8
#define BR_PARENT 40
#define BR_TIME 72
#define BR_FIRST 80 /* 6 counts: txs, xfers, addrs, assets, bigs, files */
#define REC_TX 64
#define TR_HASH 0
#define TR_HEIGHT 32
#define TR_TIME 40
#define TR_FIRST 48
#define TR_FLAGS 56
#define REC_THEAD 8
#define REC_BIG 32
#define REC_ADDR 32
#define REC_AHEAD 16
#define REC_ASSET 72
#define AR_FLAGS 0 /* 1 native, 2 decimals assumed */
#define AR_DECIMALS 1
#define AR_CONTRACT 4
#define AR_SYMBOL 36 /* 32 bytes, NUL-padded */
#define REC_FILE 64

/* ---- chains ------------------------------------------------------------- */

static const ct_acct_chain CHAINS[] = {
	{"eth", CT_AF_EVM, "ETH", 18},     {"etc", CT_AF_EVM, "ETC", 18},
	{"op", CT_AF_EVM, "ETH", 18},      {"arb", CT_AF_EVM, "ETH", 18},
	{"base", CT_AF_EVM, "ETH", 18},    {"bsc", CT_AF_EVM, "BNB", 18},
	{"polygon", CT_AF_EVM, "POL", 18}, {"avax", CT_AF_EVM, "AVAX", 18},
	{"nem", CT_AF_NEM, "XEM", 6},      {"trx", CT_AF_TRON, "TRX", 6},
};
static const ct_acct_chain *const CHAIN_LIST[] = {
	&CHAINS[0], &CHAINS[1], &CHAINS[2], &CHAINS[3], &CHAINS[4],
	&CHAINS[5], &CHAINS[6], &CHAINS[7], &CHAINS[8], &CHAINS[9], NULL,
};

const ct_acct_chain *ct__acct_chain_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < CT_ARRAY_LEN(CHAINS); i++)
		if (!strcmp(CHAINS[i].name, name))
			return &CHAINS[i];
	return NULL;
}

const ct_acct_chain *const *ct__acct_chain_list(void) { return CHAIN_LIST; }

/* ---- index callbacks ---------------------------------------------------- */

static uint64_t hash32(const void *key)
{
	uint64_t v;
	memcpy(&v, key, 8); /* tx hashes are uniformly random */
	return v ^ (v >> 29) * 0x9e3779b97f4a7c15ULL;
}

static const void *txid_key(void *ctx, uint64_t id, void *buf)
{
	ct_acctstore *st = ctx;
	(void)buf;
	return ct__col_get(&st->txs, id) + TR_HASH;
}

static int txid_match(void *ctx, uint64_t id, const void *key)
{
	ct_acctstore *st = ctx;
	const uint8_t *r = ct__col_get(&st->txs, id);
	/* A tx without a hash has zeros there; never match it. */
	return (ct_le32(r + TR_FLAGS) & CT_TXF_HASH) && memcmp(r + TR_HASH, key, 32) == 0;
}

static uint64_t key_hash(const void *key)
{
	const ct_acct_key *k = key;
	return ct__hash64(k, 1 + (size_t)k->len, 0x6163637461646472ULL);
}

static const void *addr_key(void *ctx, uint64_t id, void *buf)
{
	ct_acctstore *st = ctx;
	memcpy(buf, ct__col_get(&st->addrs, id), REC_ADDR);
	return buf;
}

static int addr_match(void *ctx, uint64_t id, const void *key)
{
	ct_acctstore *st = ctx;
	const ct_acct_key *k = key;
	return memcmp(ct__col_get(&st->addrs, id), k, 1 + (size_t)k->len) == 0;
}

static const void *asset_key(void *ctx, uint64_t id, void *buf)
{
	ct_acctstore *st = ctx;
	memcpy(buf, ct__col_get(&st->assets, id) + AR_CONTRACT, REC_ADDR);
	return buf;
}

static int asset_match(void *ctx, uint64_t id, const void *key)
{
	ct_acctstore *st = ctx;
	const ct_acct_key *k = key;
	const uint8_t *r = ct__col_get(&st->assets, id);
	return !(r[AR_FLAGS] & 1) && memcmp(r + AR_CONTRACT, k, 1 + (size_t)k->len) == 0;
}

static const ct_hidx_ops TXID_OPS = {hash32, txid_key, txid_match};
static const ct_hidx_ops ADDR_OPS = {key_hash, addr_key, addr_match};
static const ct_hidx_ops ASSET_OPS = {key_hash, asset_key, asset_match};

/* ---- reader helpers ----------------------------------------------------- */

static inline const uint8_t *xrec(const ct_acctstore *st, uint64_t i)
{
	return ct__col_get(&st->xfers, i);
}

static inline uint64_t link_of(const ct_acctstore *st, uint64_t i, int off)
{
	uint64_t v = ct_le64(xrec(st, i) + off);
	return v ? v - 1 : CT_ACCT_NONE;
}

uint64_t ct__acct_xfer_prev_out(const ct_acctstore *st, uint64_t i)
{
	return link_of(st, i, CT_XR_PREV_OUT);
}
uint64_t ct__acct_xfer_prev_in(const ct_acctstore *st, uint64_t i)
{
	return link_of(st, i, CT_XR_PREV_IN);
}
uint64_t ct__acct_xfer_prev_tx(const ct_acctstore *st, uint64_t i)
{
	return link_of(st, i, CT_XR_PREV_TX);
}

/* A head may point past the committed transfers (a crash between phases
 * B and C): walk back along the link to the newest committed one. */
static uint64_t head_walk(const ct_acctstore *st, uint64_t h, int link_off, uint64_t limit)
{
	while (h && h - 1 >= limit)
		h = ct_le64(xrec(st, h - 1) + link_off);
	return h ? h - 1 : CT_ACCT_NONE;
}

uint64_t ct__acct_addr_head_out(const ct_acctstore *st, uint64_t a)
{
	return head_walk(st, ct_le64(ct__col_at(&st->ahead, a)), CT_XR_PREV_OUT, st->c.xfers);
}

uint64_t ct__acct_addr_head_in(const ct_acctstore *st, uint64_t a)
{
	return head_walk(st, ct_le64(ct__col_at(&st->ahead, a) + 8), CT_XR_PREV_IN, st->c.xfers);
}

void ct__acct_xfer_get(const ct_acctstore *st, uint64_t i, ct_acct_xfer *x)
{
	const uint8_t *r = xrec(st, i);
	x->from = ct_le64(r + CT_XR_FROM);
	x->to = ct_le64(r + CT_XR_TO);
	x->tx = ct_le64(r + CT_XR_TX);
	x->time = (int64_t)ct_le64(r + CT_XR_TIME);
	x->asset = ct_le32(r + CT_XR_ASSET);
	x->flags = ct_le32(r + CT_XR_FLAGS);
	uint64_t amt = ct_le64(r + CT_XR_AMOUNT);
	if (x->flags & CT_XF_BIG) {
		x->flags &= ~CT_XF_BIG;
		ct__u256_from_le(&x->amount, ct__col_get(&st->bigs, amt));
	} else {
		memset(&x->amount, 0, sizeof(x->amount));
		x->amount.w[0] = amt;
	}
	x->height = ct_le64(ct__col_get(&st->txs, x->tx) + TR_HEIGHT);
}

void ct__acct_walk_init(const ct_acctstore *st, uint64_t a, ct_acct_walk *w)
{
	w->st = st;
	w->a = a;
	w->next_out = ct__acct_addr_head_out(st, a);
	w->next_in = ct__acct_addr_head_in(st, a);
}

int ct__acct_walk_next(ct_acct_walk *w, uint64_t *xfer, int *dir)
{
	uint64_t o = w->next_out, i = w->next_in;
	if (o == CT_ACCT_NONE && i == CT_ACCT_NONE)
		return 0;
	/* NONE is UINT64_MAX: take the larger id that is not NONE. */
	if (i == CT_ACCT_NONE || (o != CT_ACCT_NONE && o > i)) {
		*xfer = o;
		*dir = 1;
		w->next_out = ct__acct_xfer_prev_out(w->st, o);
	} else if (o == CT_ACCT_NONE || i > o) {
		*xfer = i;
		*dir = 2;
		w->next_in = ct__acct_xfer_prev_in(w->st, i);
	} else {
		*xfer = o;
		*dir = 3;
		w->next_out = ct__acct_xfer_prev_out(w->st, o);
		w->next_in = ct__acct_xfer_prev_in(w->st, i);
	}
	return 1;
}

int ct__acct_addr_find(const ct_acctstore *st, const ct_acct_key *k, uint64_t *a)
{
	return ct__hidx_find(&st->addridx, k, st->c.addrs, a, NULL);
}

void ct__acct_addr_key(const ct_acctstore *st, uint64_t a, ct_acct_key *k)
{
	memcpy(k, ct__col_get(&st->addrs, a), REC_ADDR);
}

int ct__acct_addr_str(const ct_acctstore *st, uint64_t a, char *out, size_t cap)
{
	ct_acct_key k;
	ct__acct_addr_key(st, a, &k);
	return ct__acct_key_str(st->chain->addr_format, &k, out, cap);
}

int ct__acct_addr_lookup(const ct_acctstore *st, const char *text, uint64_t *a)
{
	ct_acct_key k;
	int rc = ct__acct_key_parse(st->chain->addr_format, &k, text, strlen(text));
	if (rc)
		return rc;
	return ct__acct_addr_find(st, &k, a);
}

void ct__acct_asset_get(const ct_acctstore *st, uint32_t id, ct_acct_asset *out)
{
	const uint8_t *r = ct__col_get(&st->assets, id);
	memset(out, 0, sizeof(*out));
	out->native = (r[AR_FLAGS] & 1) != 0;
	out->decimals_assumed = (r[AR_FLAGS] & 2) != 0;
	out->decimals = r[AR_DECIMALS];
	memcpy(&out->contract, r + AR_CONTRACT, REC_ADDR);
	memcpy(out->symbol, r + AR_SYMBOL, 31);
	out->symbol[31] = 0;
}

int ct__acct_asset_find(const ct_acctstore *st, const ct_acct_key *contract, uint32_t *id)
{
	uint64_t v;
	int rc = ct__hidx_find(&st->assetidx, contract, st->c.assets, &v, NULL);
	if (rc == 0)
		*id = (uint32_t)v;
	return rc;
}

int ct__acct_tx_find(const ct_acctstore *st, const uint8_t hash[32], uint64_t *t)
{
	return ct__hidx_find(&st->txidx, hash, st->c.txs, t, NULL);
}

int ct__acct_tx_find_w(const ct_acctstore *st, const uint8_t hash[32], uint64_t *t)
{
	return ct__hidx_find(&st->txidx, hash, st->w.txs, t, NULL);
}

void ct__acct_tx_get(const ct_acctstore *st, uint64_t t, ct_acct_tx *out)
{
	const uint8_t *r = ct__col_get(&st->txs, t);
	memcpy(out->hash, r + TR_HASH, 32);
	out->height = ct_le64(r + TR_HEIGHT);
	out->time = (int64_t)ct_le64(r + TR_TIME);
	out->first = ct_le64(r + TR_FIRST);
	out->flags = ct_le32(r + TR_FLAGS);
	out->last = head_walk(st, ct_le64(ct__col_at(&st->thead, t)), CT_XR_PREV_TX, st->c.xfers);
}

void ct__acct_block_get(const ct_acctstore *st, uint64_t b, ct_acct_block *out)
{
	const uint8_t *r = ct__col_at(&st->blocks, b);
	out->number = ct_le64(r + BR_NUMBER);
	memcpy(out->hash, r + BR_HASH, 32);
	memcpy(out->parent, r + BR_PARENT, 32);
	out->time = (int64_t)ct_le64(r + BR_TIME);
	out->first_tx = ct_le64(r + BR_FIRST);
	out->first_xfer = ct_le64(r + BR_FIRST + 8);
}

int ct__acct_tip(const ct_acctstore *st, ct_acct_block *out)
{
	if (st->c.blocks == 0)
		return ct__err(CT_ENOTFOUND, "no blocks in the %s store", st->chain->name);
	ct__acct_block_get(st, st->c.blocks - 1, out);
	return 0;
}

int ct__acct_block_find(const ct_acctstore *st, uint64_t number, uint64_t *b)
{
	/* Block numbers are consecutive from the first stored block. */
	if (st->c.blocks == 0)
		return ct__err(CT_ENOTFOUND, "block %llu not stored", (unsigned long long)number);
	uint64_t first = ct_le64(ct__col_at(&st->blocks, 0) + BR_NUMBER);
	if (number < first || number - first >= st->c.blocks)
		return ct__err(CT_ENOTFOUND, "block %llu not stored", (unsigned long long)number);
	*b = number - first;
	return 0;
}

int ct__acct_file_size_seen(const ct_acctstore *st, uint64_t size)
{
	for (uint64_t i = 0; i < st->w.files; i++)
		if (ct_le64(ct__col_get(&st->files, i) + 32) == size)
			return 1;
	return 0;
}

int ct__acct_file_find(const ct_acctstore *st, const uint8_t sha[32])
{
	for (uint64_t i = 0; i < st->w.files; i++)
		if (memcmp(ct__col_get(&st->files, i), sha, 32) == 0)
			return 0;
	return CT_ENOTFOUND;
}

/* ---- open / close ------------------------------------------------------- */

int ct__acctstore_exists(const char *dbdir, const char *name)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s/%s/meta", dbdir, name);
	if (!ct__path_exists(p))
		return 0;
	/* The same directory name may hold a Bitcoin store: check the magic. */
	uint8_t m[8];
	size_t len;
	uint8_t buf[META_LEN + 1];
	if (ct__read_small(p, buf, sizeof(buf), &len) || len < 8)
		return 0;
	memcpy(m, buf, 8);
	return memcmp(m, META_MAGIC, 8) == 0;
}

size_t ct__acct_chains_present(const char *dbdir, const ct_acct_chain **out, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < CT_ARRAY_LEN(CHAINS) && n < cap; i++)
		if (ct__acctstore_exists(dbdir, CHAINS[i].name))
			out[n++] = &CHAINS[i];
	return n;
}

static int add_native(ct_acctstore *st);

static void commit_setup(ct_acctstore *st);

int ct__acctstore_open(ct_acctstore **out, const char *dbdir, const ct_acct_chain *chain,
                       int writable)
{
	ct_acctstore *st = ct__calloc(1, sizeof(*st));
	int rc;
	char path[4096];
	if (!st)
		return CT_ENOMEM;
	st->chain = chain;
	st->writable = writable;
	st->txidx.col.fd = st->addridx.col.fd = st->assetidx.col.fd = -1;
	snprintf(path, sizeof(path), "%s/%s", dbdir, chain->name);
	if (!(st->dir = ct__strdup(path))) {
		rc = CT_ENOMEM;
		goto fail;
	}
	commit_setup(st);
	if ((rc = ct__hasher_new(&st->h)) ||
	    (rc = ct__commit_open(&st->cm, dbdir, writable, &st->c, &st->w)))
		goto fail;
	if ((rc = ct__hidx_open(&st->txidx, st->dir, "txid.idx", writable, &TXID_OPS, st,
	                        st->c.txs)) ||
	    (rc = ct__hidx_open(&st->addridx, st->dir, "addr.idx", writable, &ADDR_OPS, st,
	                        st->c.addrs)) ||
	    (rc = ct__hidx_open(&st->assetidx, st->dir, "asset.idx", writable, &ASSET_OPS, st,
	                        st->c.assets)))
		goto fail;
	if (writable && (rc = add_native(st)))
		goto fail;
	*out = st;
	return 0;
fail:
	ct__acctstore_close(st);
	return rc;
}

void ct__acctstore_close(ct_acctstore *st)
{
	if (!st)
		return;
	ct__commit_close(&st->cm);
	ct__hidx_close(&st->txidx);
	ct__hidx_close(&st->addridx);
	ct__hidx_close(&st->assetidx);
	ct__hasher_free(st->h);
	free(st->bmap);
	free(st->tmap);
	free(st->dir);
	free(st);
}

/* ---- batch-local maps --------------------------------------------------- */

/* bmap: (addr+1, out+1, in+1) triples for committed addresses touched by
 * the batch (new addresses keep their working heads in ahead.col itself,
 * which readers do not look at before the commit). tmap: (tx+1, xfer+1)
 * for committed txs that gain transfers. Open addressing. */
static inline size_t mix_slot(uint64_t k, size_t cap)
{
	return (size_t)(k * 0x9e3779b97f4a7c15ULL >> 20) & (cap - 1);
}

static int map_grow(uint64_t **map, size_t *cap, size_t width)
{
	size_t ncap = *cap ? *cap * 2 : 1024;
	uint64_t *nm = ct__calloc(ncap * width, sizeof(uint64_t));
	if (!nm)
		return CT_ENOMEM;
	for (size_t i = 0; i < *cap; i++) {
		uint64_t k = (*map)[width * i];
		if (!k)
			continue;
		size_t j = mix_slot(k, ncap);
		while (nm[width * j])
			j = (j + 1) & (ncap - 1);
		memcpy(&nm[width * j], &(*map)[width * i], width * sizeof(uint64_t));
	}
	free(*map);
	*map = nm;
	*cap = ncap;
	return 0;
}

/* The slot of key k (k = id + 1), created if absent (*fresh = 1). */
static uint64_t *map_slot(uint64_t **map, size_t *cap, size_t *n, size_t width, uint64_t k,
                          int *fresh)
{
	if (2 * (*n + 1) >= *cap && map_grow(map, cap, width))
		return NULL;
	size_t j = mix_slot(k, *cap);
	uint64_t *m = *map;
	while (m[width * j] && m[width * j] != k)
		j = (j + 1) & (*cap - 1);
	*fresh = m[width * j] == 0;
	if (*fresh) {
		m[width * j] = k;
		(*n)++;
	}
	return &m[width * j];
}

static void maps_clear(ct_acctstore *st)
{
	if (st->bmap)
		memset(st->bmap, 0, st->bmap_cap * 3 * sizeof(uint64_t));
	if (st->tmap)
		memset(st->tmap, 0, st->tmap_cap * 2 * sizeof(uint64_t));
	st->bmap_n = st->tmap_n = 0;
}

/* ---- append (phase A) --------------------------------------------------- */

static int add_native(ct_acctstore *st)
{
	if (st->w.assets > 0)
		return 0;
	int rc = ct__col_reserve(&st->assets, 1);
	if (rc)
		return rc;
	uint8_t *r = ct__col_put(&st->assets, 0);
	memset(r, 0, REC_ASSET);
	r[AR_FLAGS] = 1;
	r[AR_DECIMALS] = (uint8_t)st->chain->native_decimals;
	snprintf((char *)r + AR_SYMBOL, 32, "%s", st->chain->native);
	st->w.assets = 1;
	return 0;
}

uint64_t ct__acct_key_hash(const ct_acct_key *k) { return key_hash(k); }

void ct__acct_addr_prefetch_slot(const ct_acctstore *st, uint64_t hash)
{
	ct__hidx_prefetch(&st->addridx, hash);
}

void ct__acct_addr_prefetch_rec(const ct_acctstore *st, uint64_t hash)
{
	uint64_t id = ct__hidx_peek(&st->addridx, hash);
	if (id < st->w.addrs) {
		__builtin_prefetch(ct__col_get(&st->addrs, id));
		__builtin_prefetch(ct__col_at(&st->ahead, id));
	}
}

void ct__acct_tx_prefetch_slot(const ct_acctstore *st, const uint8_t hash[32])
{
	ct__hidx_prefetch(&st->txidx, hash32(hash));
}

int ct__acct_addr_add(ct_acctstore *st, const ct_acct_key *k, uint64_t *id)
{
	return ct__acct_addr_add_h(st, k, key_hash(k), id);
}

/* Find `key` (of hash h) among the n records an index covers, growing
 * the index first: 0 and *id when found; 1 and *id = n (the new record's
 * id, checked against the id space `max`) and *slot for ct__hidx_set()
 * when not; or an error. */
static inline int find_or_new(ct_hidx *x, uint64_t h, const void *key, uint64_t n, uint64_t max,
                              const char *what, uint64_t *id, uint64_t *slot)
{
	int rc = ct__hidx_ensure(x, 1, n);
	if (rc == 0)
		rc = ct__hidx_find_h(x, h, key, n, id, slot);
	if (rc != CT_ENOTFOUND)
		return rc;
	if (n >= max)
		return ct__err(CT_EINTERNAL, "%s id space exhausted", what);
	*id = n;
	return 1;
}

int ct__acct_addr_add_h(ct_acctstore *st, const ct_acct_key *k, uint64_t h, uint64_t *id)
{
	uint64_t slot, a = 0;
	int rc = find_or_new(&st->addridx, h, k, st->w.addrs, CT_HIDX_MAX_ID, "address", &a, &slot);
	if (rc <= 0) {
		*id = a; /* found (or an error: unused) */
		return rc;
	}
	if ((rc = ct__col_reserve(&st->addrs, a + 1)) || (rc = ct__col_reserve(&st->ahead, a + 1)))
		return rc;
	uint8_t *r = ct__col_put(&st->addrs, a);
	memset(r, 0, REC_ADDR);
	memcpy(r, k, 1 + (size_t)k->len);
	memset(ct__col_at(&st->ahead, a), 0, REC_AHEAD);
	ct__hidx_set(&st->addridx, slot, h, a);
	st->w.addrs++;
	*id = a;
	return 0;
}

int ct__acct_asset_add(ct_acctstore *st, const ct_acct_key *contract, int decimals,
                       const char *symbol, uint32_t *id)
{
	uint64_t h = key_hash(contract), slot, a;
	int rc = find_or_new(&st->assetidx, h, contract, st->w.assets, UINT32_MAX, "asset", &a,
	                     &slot);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		/* Fill in decimals learnt later, for an asset of the open batch. */
		if (a >= st->c.assets && decimals != CT_DECIMALS_UNKNOWN) {
			uint8_t *r = (uint8_t *)ct__col_get(&st->assets, a);
			if (r[AR_DECIMALS] == CT_DECIMALS_UNKNOWN)
				r[AR_DECIMALS] = (uint8_t)decimals;
		}
		*id = (uint32_t)a;
		return 0;
	}
	if ((rc = ct__col_reserve(&st->assets, a + 1)))
		return rc;
	uint8_t *r = ct__col_put(&st->assets, a);
	memset(r, 0, REC_ASSET);
	r[AR_DECIMALS] = (uint8_t)decimals;
	memcpy(r + AR_CONTRACT, contract, 1 + (size_t)contract->len);
	if (symbol) {
		/* Cut at a UTF-8 character boundary within 31 bytes. */
		size_t n = strlen(symbol);
		if (n > 31) {
			n = 31;
			while (n > 0 && ((unsigned char)symbol[n] & 0xc0) == 0x80)
				n--;
		}
		memcpy(r + AR_SYMBOL, symbol, n);
	}
	ct__hidx_set(&st->assetidx, slot, h, a);
	st->w.assets++;
	*id = (uint32_t)a;
	return 0;
}

int ct__acct_asset_assume(ct_acctstore *st, uint32_t id, int decimals)
{
	if (id < st->c.assets)
		return ct__err(CT_EINTERNAL, "asset %u is committed", id);
	uint8_t *r = (uint8_t *)ct__col_get(&st->assets, id);
	r[AR_DECIMALS] = (uint8_t)decimals;
	r[AR_FLAGS] |= 2;
	return 0;
}

int ct__acct_block_add(ct_acctstore *st, uint64_t number, const uint8_t hash[32],
                       const uint8_t parent[32], int64_t time)
{
	int rc;
	if (st->w.blocks > 0) {
		uint64_t prev = ct_le64(ct__col_at(&st->blocks, st->w.blocks - 1) + BR_NUMBER);
		if (number != prev + 1)
			return ct__err(CT_EUSER, "block %llu does not follow the tip %llu",
			               (unsigned long long)number, (unsigned long long)prev);
	}
	if ((rc = ct__col_reserve(&st->blocks, st->w.blocks + 1)))
		return rc;
	uint8_t *r = ct__col_at(&st->blocks, st->w.blocks);
	memset(r, 0, REC_BLOCK);
	ct_put_le64(r + BR_NUMBER, number);
	memcpy(r + BR_HASH, hash, 32);
	memcpy(r + BR_PARENT, parent, 32);
	ct_put_le64(r + BR_TIME, (uint64_t)time);
	ct_put_le64(r + BR_FIRST, st->w.txs);
	ct_put_le64(r + BR_FIRST + 8, st->w.xfers);
	ct_put_le64(r + BR_FIRST + 16, st->w.addrs);
	ct_put_le64(r + BR_FIRST + 24, st->w.assets);
	ct_put_le64(r + BR_FIRST + 32, st->w.bigs);
	ct_put_le64(r + BR_FIRST + 40, st->w.files);
	st->w.blocks++;
	return 0;
}

int ct__acct_tx_add(ct_acctstore *st, const uint8_t *hash, uint64_t height, int64_t time,
                    uint32_t flags, uint64_t *tx, int *added)
{
	int rc;
	uint64_t h = 0, slot = 0, t = st->w.txs;
	*added = 0;
	if (hash) {
		h = hash32(hash);
		rc = find_or_new(&st->txidx, h, hash, st->w.txs, CT_HIDX_MAX_ID, "tx", &t, &slot);
		if (rc <= 0) {
			*tx = t;
			return rc;
		}
	} else if (t >= CT_HIDX_MAX_ID) {
		return ct__err(CT_EINTERNAL, "tx id space exhausted");
	}
	if ((rc = ct__col_reserve(&st->txs, t + 1)) || (rc = ct__col_reserve(&st->thead, t + 1)))
		return rc;
	uint8_t *r = ct__col_put(&st->txs, t);
	memset(r, 0, REC_TX);
	if (hash) {
		memcpy(r + TR_HASH, hash, 32);
		flags |= CT_TXF_HASH;
	} else {
		flags &= ~CT_TXF_HASH;
	}
	ct_put_le64(r + TR_HEIGHT, height);
	ct_put_le64(r + TR_TIME, (uint64_t)time);
	ct_put_le64(r + TR_FIRST, st->w.xfers);
	ct_put_le32(r + TR_FLAGS, flags);
	ct_put_le64(ct__col_at(&st->thead, t), 0);
	if (hash)
		ct__hidx_set(&st->txidx, slot, h, t);
	st->w.txs++;
	*tx = t;
	*added = 1;
	return 0;
}

/* The working head word of address a (0: out, 1: in) as id + 1. */
static int work_head(ct_acctstore *st, uint64_t a, int which, uint64_t **p)
{
	if (a >= st->c.addrs) {
		*p = NULL;
		return 0;
	}
	int fresh;
	uint64_t *s = map_slot(&st->bmap, &st->bmap_cap, &st->bmap_n, 3, a + 1, &fresh);
	if (!s)
		return CT_ENOMEM;
	if (fresh) {
		const uint8_t *hr = ct__col_at(&st->ahead, a);
		uint64_t o = head_walk(st, ct_le64(hr), CT_XR_PREV_OUT, st->c.xfers);
		uint64_t i = head_walk(st, ct_le64(hr + 8), CT_XR_PREV_IN, st->c.xfers);
		s[1] = o == CT_ACCT_NONE ? 0 : o + 1;
		s[2] = i == CT_ACCT_NONE ? 0 : i + 1;
	}
	*p = &s[1 + which];
	return 0;
}

/* Link transfer x (id + 1 = xv) into the chain of address a: returns the
 * previous head (id + 1, 0 = none) and makes x the head. */
static int link_addr(ct_acctstore *st, uint64_t a, int which, uint64_t xv, uint64_t *prev)
{
	uint64_t *p;
	int rc = work_head(st, a, which, &p);
	if (rc)
		return rc;
	if (p) {
		*prev = *p;
		*p = xv;
	} else {
		uint8_t *hr = ct__col_at(&st->ahead, a) + 8 * which;
		*prev = ct_le64(hr);
		ct_put_le64(hr, xv);
	}
	return 0;
}

static int link_tx(ct_acctstore *st, uint64_t t, uint64_t xv, uint64_t *prev)
{
	if (t >= st->c.txs) {
		uint8_t *hr = ct__col_at(&st->thead, t);
		*prev = ct_le64(hr);
		ct_put_le64(hr, xv);
		return 0;
	}
	int fresh;
	uint64_t *s = map_slot(&st->tmap, &st->tmap_cap, &st->tmap_n, 2, t + 1, &fresh);
	if (!s)
		return CT_ENOMEM;
	if (fresh) {
		uint64_t h = head_walk(st, ct_le64(ct__col_at(&st->thead, t)), CT_XR_PREV_TX,
		                       st->c.xfers);
		s[1] = h == CT_ACCT_NONE ? 0 : h + 1;
	}
	*prev = s[1];
	s[1] = xv;
	return 0;
}

int ct__acct_xfer_add(ct_acctstore *st, const ct_acct_xfer *x)
{
	int rc;
	uint64_t id = st->w.xfers;
	if (x->tx >= st->w.txs || x->asset >= st->w.assets ||
	    (x->from != CT_ACCT_NONE && x->from >= st->w.addrs) ||
	    (x->to != CT_ACCT_NONE && x->to >= st->w.addrs))
		return ct__err(CT_EINTERNAL, "transfer refers to a record that does not exist");
	if ((rc = ct__col_reserve(&st->xfers, id + 1)))
		return rc;
	uint32_t flags = x->flags & ~CT_XF_BIG;
	uint64_t amt = x->amount.w[0];
	if (x->amount.w[1] | x->amount.w[2] | x->amount.w[3]) {
		if ((rc = ct__col_reserve(&st->bigs, st->w.bigs + 1)))
			return rc;
		ct__u256_to_le(ct__col_put(&st->bigs, st->w.bigs), &x->amount);
		amt = st->w.bigs++;
		flags |= CT_XF_BIG;
	}
	uint64_t po = 0, pi = 0, pt = 0;
	if (x->from != CT_ACCT_NONE && (rc = link_addr(st, x->from, 0, id + 1, &po)))
		return rc;
	if (x->to != CT_ACCT_NONE && (rc = link_addr(st, x->to, 1, id + 1, &pi)))
		return rc;
	if ((rc = link_tx(st, x->tx, id + 1, &pt)))
		return rc;
	uint8_t *r = ct__col_put(&st->xfers, id);
	ct_put_le64(r + CT_XR_FROM, x->from);
	ct_put_le64(r + CT_XR_TO, x->to);
	ct_put_le64(r + CT_XR_TX, x->tx);
	ct_put_le64(r + CT_XR_TIME, (uint64_t)x->time);
	ct_put_le64(r + CT_XR_AMOUNT, amt);
	ct_put_le32(r + CT_XR_ASSET, x->asset);
	ct_put_le32(r + CT_XR_FLAGS, flags);
	ct_put_le64(r + CT_XR_PREV_OUT, po);
	ct_put_le64(r + CT_XR_PREV_IN, pi);
	ct_put_le64(r + CT_XR_PREV_TX, pt);
	st->w.xfers++;
	return 0;
}

int ct__acct_file_add(ct_acctstore *st, const uint8_t sha[32], uint64_t size, uint64_t rows)
{
	int rc;
	if ((rc = ct__col_reserve(&st->files, st->w.files + 1)))
		return rc;
	uint8_t *r = ct__col_put(&st->files, st->w.files);
	memset(r, 0, REC_FILE);
	memcpy(r, sha, 32);
	ct_put_le64(r + 32, size);
	ct_put_le64(r + 40, rows);
	ct_put_le64(r + 48, st->w.xfers);
	st->w.files++;
	ct__commit_crash_point(&st->cm); /* a file appended (phase A) */
	return 0;
}

int ct__acctstore_expect(ct_acctstore *st, uint64_t xfers)
{
	int rc;
	if ((rc = ct__col_reserve(&st->xfers, st->w.xfers + xfers)) ||
	    (rc = ct__col_reserve(&st->txs, st->w.txs + xfers)) ||
	    (rc = ct__col_reserve(&st->thead, st->w.txs + xfers)) ||
	    (rc = ct__col_reserve(&st->addrs, st->w.addrs + xfers / 4)) ||
	    (rc = ct__col_reserve(&st->ahead, st->w.addrs + xfers / 4)) ||
	    (rc = ct__hidx_ensure(&st->txidx, xfers, st->w.txs)) ||
	    (rc = ct__hidx_ensure(&st->addridx, xfers / 4, st->w.addrs)))
		return rc;
	/* A bulk ingest writes the indexes all over: map their pages now, in
	 * one pass, rather than by a fault (and a dropped prefetch) per page
	 * at random. Advisory: older kernels say EINVAL. */
#ifdef MADV_POPULATE_WRITE
	if (xfers > 100000) {
		ct__col_hugepages(&st->txidx.col);
		ct__col_hugepages(&st->addridx.col);
		ct__col_hugepages(&st->addrs);
		ct__col_hugepages(&st->ahead);
		ct__col_hugepages(&st->thead);
		(void)madvise(st->txidx.col.map, st->txidx.col.map_len, MADV_POPULATE_WRITE);
		(void)madvise(st->addridx.col.map, st->addridx.col.map_len, MADV_POPULATE_WRITE);
	}
#endif
	return 0;
}

/* ---- phase B ------------------------------------------------------------ */

static int apply_forward(ct_acctstore *st, const ct_acct_counts *base, const ct_acct_counts *to)
{
	for (uint64_t x = base->xfers; x < to->xfers; x++) {
		const uint8_t *r = xrec(st, x);
		uint64_t f = ct_le64(r + CT_XR_FROM), t = ct_le64(r + CT_XR_TO),
		         tx = ct_le64(r + CT_XR_TX);
		if ((f != CT_ACCT_NONE && f >= to->addrs) || (t != CT_ACCT_NONE && t >= to->addrs) ||
		    tx >= to->txs)
			return ct__err(CT_ECORRUPT, "%s: transfer %llu refers past the end", st->dir,
			               (unsigned long long)x);
		if (f != CT_ACCT_NONE)
			ct_put_le64(ct__col_at(&st->ahead, f), x + 1);
		if (t != CT_ACCT_NONE)
			ct_put_le64(ct__col_at(&st->ahead, t) + 8, x + 1);
		ct_put_le64(ct__col_at(&st->thead, tx), x + 1);
		if (x == base->xfers + (to->xfers - base->xfers) / 2)
			ct__commit_crash_point(&st->cm);
	}
	return 0;
}

/* Phase B of a normal commit, from the batch maps: the heads of committed
 * addresses and txs that the batch touched (new ones got theirs in
 * phase A, past the committed counts, and were synced with it). Writes
 * exactly what apply_forward() would, without reading every new
 * transfer back; recovery after a crash uses apply_forward(). */
static void apply_forward_maps(ct_acctstore *st)
{
	size_t done = 0;
	for (size_t i = 0; i < st->bmap_cap; i++) {
		const uint64_t *e = &st->bmap[3 * i];
		if (!e[0])
			continue;
		uint8_t *hr = ct__col_at(&st->ahead, e[0] - 1);
		ct_put_le64(hr, e[1]);
		ct_put_le64(hr + 8, e[2]);
		if (++done == st->bmap_n / 2)
			ct__commit_crash_point(&st->cm);
	}
	if (st->bmap_n < 2)
		ct__commit_crash_point(&st->cm); /* the same number of crash points either way */
	for (size_t i = 0; i < st->tmap_cap; i++) {
		const uint64_t *e = &st->tmap[2 * i];
		if (e[0])
			ct_put_le64(ct__col_at(&st->thead, e[0] - 1), e[1]);
	}
}

static int forward_cb(void *ctx, const void *base, const void *to, int recovering)
{
	ct_acctstore *st = ctx;
	if (recovering)
		return apply_forward(st, base, to);
	apply_forward_maps(st);
	return 0;
}

static void head_back(ct_acctstore *st, uint8_t *hp, int link_off, uint64_t limit)
{
	uint64_t h = ct_le64(hp);
	while (h && h - 1 >= limit)
		h = ct_le64(xrec(st, h - 1) + link_off);
	ct_put_le64(hp, h);
}

static int apply_rollback(void *ctx, const void *from_, const void *to_)
{
	ct_acctstore *st = ctx;
	const ct_acct_counts *from = from_, *to = to_;
	for (uint64_t x = from->xfers; x-- > to->xfers;) {
		const uint8_t *r = xrec(st, x);
		uint64_t f = ct_le64(r + CT_XR_FROM), t = ct_le64(r + CT_XR_TO),
		         tx = ct_le64(r + CT_XR_TX);
		if (f != CT_ACCT_NONE && f < to->addrs)
			head_back(st, ct__col_at(&st->ahead, f), CT_XR_PREV_OUT, to->xfers);
		if (t != CT_ACCT_NONE && t < to->addrs)
			head_back(st, ct__col_at(&st->ahead, t) + 8, CT_XR_PREV_IN, to->xfers);
		if (tx < to->txs)
			head_back(st, ct__col_at(&st->thead, tx), CT_XR_PREV_TX, to->xfers);
	}
	return 0;
}

static const ct_commit_fmt COMMIT_FMT = {
	META_MAGIC, PEND_MAGIC, "cointrail account store", META_VERSION, NCOUNTS, 1,
	forward_cb, apply_rollback,
};

/* Describe the store to the commit protocol (store/commit.h). */
static void commit_setup(ct_acctstore *st)
{
	const unsigned B = CT_COMMIT_BUF, F = CT_COMMIT_FWD;
	/* count words: blocks 0, txs 1, xfers 2, addrs 3, assets 4, bigs 5, files 6 */
	const ct_commit_col cols[] = {
		{&st->blocks, "blocks.col", REC_BLOCK, 0, 0},
		{&st->txs, "txs.col", REC_TX, B, 1},
		{&st->thead, "thead.col", REC_THEAD, F, 1},
		{&st->xfers, "xfers.col", CT_REC_XFER, B, 2},
		{&st->bigs, "big.col", REC_BIG, B, 5},
		{&st->addrs, "addrs.col", REC_ADDR, B, 3},
		{&st->ahead, "ahead.col", REC_AHEAD, F, 3},
		{&st->assets, "assets.col", REC_ASSET, B, 4},
		{&st->files, "files.col", REC_FILE, B, 6},
	};
	ct_hidx *idx[] = {&st->txidx, &st->addridx, &st->assetidx, NULL};
	ct__commit_init(&st->cm, &COMMIT_FMT, st, st->dir, st->chain->name, cols,
	                CT_ARRAY_LEN(cols), idx);
}

static int counts_eq(const ct_acct_counts *a, const ct_acct_counts *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

int ct__acctstore_commit(ct_acctstore *st)
{
	ct_acct_counts to = st->w;
	int rc = ct__commit_append(&st->cm, &st->c, &st->w);
	if (counts_eq(&st->c, &to))
		maps_clear(st);
	return rc;
}

void ct__acctstore_abort(ct_acctstore *st)
{
	ct__commit_discard(&st->cm);
	st->w = st->c;
	maps_clear(st);
	(void)add_native(st);
}

int ct__acctstore_rollback(ct_acctstore *st, const ct_acct_counts *to_in)
{
	int rc;
	ct__acctstore_abort(st);
	ct_acct_counts from = st->c, to = *to_in;
	if (to.assets < 1 && from.assets >= 1)
		to.assets = 1;
	if (to.blocks > from.blocks || to.txs > from.txs || to.xfers > from.xfers ||
	    to.addrs > from.addrs || to.assets > from.assets || to.bigs > from.bigs ||
	    to.files > from.files)
		return ct__err(CT_EINTERNAL, "rollback target beyond the committed state");
	if (counts_eq(&from, &to))
		return 0;
	if ((rc = ct__commit_rollback(&st->cm, &st->c, &st->w, &to)))
		return rc;
	return add_native(st);
}

int ct__acctstore_rollback_block(ct_acctstore *st, uint64_t number)
{
	uint64_t b;
	if (st->c.blocks == 0)
		return 0;
	uint64_t first = ct_le64(ct__col_at(&st->blocks, 0) + BR_NUMBER);
	if (number < first)
		number = first;
	if (ct__acct_block_find(st, number, &b) != 0) {
		ct__err_clear();
		return 0;
	}
	const uint8_t *r = ct__col_at(&st->blocks, b);
	ct_acct_counts to;
	to.blocks = b;
	to.txs = ct_le64(r + BR_FIRST);
	to.xfers = ct_le64(r + BR_FIRST + 8);
	to.addrs = ct_le64(r + BR_FIRST + 16);
	to.assets = ct_le64(r + BR_FIRST + 24);
	to.bigs = ct_le64(r + BR_FIRST + 32);
	to.files = ct_le64(r + BR_FIRST + 40);
	return ct__acctstore_rollback(st, &to);
}

/* ---- totals ------------------------------------------------------------- */

static int tot_cmp(const void *a, const void *b)
{
	uint32_t x = ((const ct_acct_total *)a)->asset, y = ((const ct_acct_total *)b)->asset;
	return x < y ? -1 : x > y;
}

static ct_acct_total *tot_for(ct_acct_total **arr, size_t *n, size_t *cap, uint32_t asset)
{
	for (size_t i = 0; i < *n; i++)
		if ((*arr)[i].asset == asset)
			return &(*arr)[i];
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 4;
		ct_acct_total *na = ct__realloc(*arr, nc * sizeof(*na));
		if (!na)
			return NULL;
		*arr = na;
		*cap = nc;
	}
	ct_acct_total *t = &(*arr)[(*n)++];
	memset(t, 0, sizeof(*t));
	t->asset = asset;
	t->first = INT64_MAX;
	t->last = INT64_MIN;
	return t;
}

int ct__acct_addr_totals(const ct_acctstore *st, uint64_t a, ct_acct_total **out, size_t *n,
                         uint64_t *tx_count, int64_t *first, int64_t *last)
{
	ct_acct_total *arr = NULL;
	size_t cnt = 0, cap = 0;
	uint64_t ntx = 0, prev_tx = CT_ACCT_NONE, x;
	int64_t f = INT64_MAX, l = INT64_MIN;
	int dir;
	ct_acct_walk w;
	ct_acct_xfer xf;
	/* Distinct txs: the walk is by descending transfer id, and a tx's
	 * transfers are not always adjacent (a later file may add to an old
	 * tx), so keep a small open-addressing set of tx ids. */
	uint64_t *seen = NULL;
	size_t seen_cap = 0, seen_n = 0;
	ct__acct_walk_init(st, a, &w);
	while (ct__acct_walk_next(&w, &x, &dir)) {
		ct__acct_xfer_get(st, x, &xf);
		ct_acct_total *t = tot_for(&arr, &cnt, &cap, xf.asset);
		if (!t) {
			free(arr);
			free(seen);
			return CT_ENOMEM;
		}
		if (xf.time < t->first)
			t->first = xf.time;
		if (xf.time > t->last)
			t->last = xf.time;
		if (xf.time < f)
			f = xf.time;
		if (xf.time > l)
			l = xf.time;
		if (xf.flags & CT_XF_FEE) {
			if (dir & 1) {
				ct__acct_sum_add(&t->fees, &xf.amount);
				t->n_fee++;
			}
		} else if (!(xf.flags & CT_XF_FAILED)) {
			if (dir & 1) {
				ct__acct_sum_add(&t->sent, &xf.amount);
				t->n_out++;
			}
			if (dir & 2) {
				ct__acct_sum_add(&t->received, &xf.amount);
				t->n_in++;
			}
		}
		if (xf.tx != prev_tx) {
			prev_tx = xf.tx;
			int fresh;
			if (!map_slot(&seen, &seen_cap, &seen_n, 1, xf.tx + 1, &fresh)) {
				free(arr);
				free(seen);
				return CT_ENOMEM;
			}
			if (fresh)
				ntx++;
		}
	}
	free(seen);
	if (cnt > 1)
		qsort(arr, cnt, sizeof(*arr), tot_cmp);
	*out = arr;
	*n = cnt;
	*tx_count = ntx;
	*first = cnt ? f : 0;
	*last = cnt ? l : 0;
	return 0;
}
