/*
 * btcstore.c - open, append, commit, recover and roll back the Bitcoin
 * chain store. The commit protocol is described in btcstore.h and
 * docs/internals/store.md.
 */
#include "chain/btc/btcstore.h"
#include "util/encode.h"
#include "util/error.h"
#include "util/fsutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define META_MAGIC "CTBTCST1"
#define PEND_MAGIC "CTPEND01"
#define META_VERSION 1
#define NCOUNTS 6
_Static_assert(sizeof(ct_btc_counts) == 8 * NCOUNTS, "counts are NCOUNTS words");

/* ---- index callbacks ---------------------------------------------------- */

static uint64_t hash32(const void *key)
{
	uint64_t v;
	memcpy(&v, key, 8); /* txids and block hashes are uniformly random */
	return v ^ (v >> 29) * 0x9e3779b97f4a7c15ULL;
}

static const void *txid_key(void *ctx, uint64_t id, void *buf)
{
	(void)buf;
	return ct__tx_id(ctx, id);
}

static int txid_match(void *ctx, uint64_t id, const void *key)
{
	return memcmp(ct__tx_id(ctx, id), key, 32) == 0;
}

static const void *blk_key(void *ctx, uint64_t id, void *buf)
{
	(void)buf;
	return ct__blk(ctx, id) + CT_BLK_HASH;
}

static int blk_match(void *ctx, uint64_t id, const void *key)
{
	return memcmp(ct__blk(ctx, id) + CT_BLK_HASH, key, 32) == 0;
}

static size_t addrkey_len(const ct_addrkey *k) { return 4 + (size_t)k->len; }

static uint64_t addr_hash(const void *key)
{
	const ct_addrkey *k = key;
	return ct__hash64(k, addrkey_len(k), 0x6374616464720000ULL);
}

static const void *addr_key(void *ctx, uint64_t id, void *buf)
{
	ct_btcstore *st = ctx;
	memcpy(buf, ct__col_get(&st->addrs, id), CT_REC_ADDR);
	return buf;
}

static int addr_match(void *ctx, uint64_t id, const void *key)
{
	ct_btcstore *st = ctx;
	const ct_addrkey *k = key;
	return memcmp(ct__col_get(&st->addrs, id), k, addrkey_len(k)) == 0;
}

static const ct_hidx_ops TXID_OPS = {hash32, txid_key, txid_match};
static const ct_hidx_ops BLK_OPS = {hash32, blk_key, blk_match};
static const ct_hidx_ops ADDR_OPS = {addr_hash, addr_key, addr_match};

static int counts_eq(const ct_btc_counts *a, const ct_btc_counts *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

/* ---- reader helpers ----------------------------------------------------- */

uint64_t ct__tx_end_in(const ct_btcstore *st, uint64_t t)
{
	return t + 1 < st->w.txs ? ct__tx_first_in(st, t + 1) : st->w.ins;
}

uint64_t ct__tx_end_out(const ct_btcstore *st, uint64_t t)
{
	return t + 1 < st->w.txs ? ct__tx_first_out(st, t + 1) : st->w.outs;
}

uint64_t ct__addr_head(const ct_btcstore *st, uint64_t a)
{
	uint64_t h = ct_le64(ct__col_at(&st->ahead, a));
	/* A crash between phases B and C can leave a head pointing past the
	 * committed outputs: walk back to the newest committed one. */
	while (h && h - 1 >= st->c.outs)
		h = ct_le64(ct__col_at(&st->olink, h - 1));
	return h ? h - 1 : UINT64_MAX;
}

/* Largest tx t (< n) whose first element (field at byte `off`) <= x. */
static uint64_t tx_search(const ct_btcstore *st, uint64_t x, int off, uint64_t n)
{
	uint64_t lo = 0, hi = n;
	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (ct_le64(ct__col_get(&st->txs, mid) + off) <= x)
			lo = mid;
		else
			hi = mid;
	}
	/* Txs with no outputs do not exist (consensus), but be exact. */
	return lo;
}

uint64_t ct__out_tx(const ct_btcstore *st, uint64_t o) { return tx_search(st, o, 8, st->w.txs); }
uint64_t ct__in_tx(const ct_btcstore *st, uint64_t i) { return tx_search(st, i, 0, st->w.txs); }

int ct__btcstore_find_tx(const ct_btcstore *st, const uint8_t txid[32], uint64_t *t)
{
	return ct__hidx_find(&st->txidx, txid, st->c.txs, t, NULL);
}

int ct__btcstore_find_block(const ct_btcstore *st, const uint8_t hash[32], uint64_t *b)
{
	return ct__hidx_find(&st->blkidx, hash, st->c.blocks, b, NULL);
}

int ct__btcstore_find_addr(const ct_btcstore *st, const ct_addrkey *k, uint64_t *a)
{
	return ct__hidx_find(&st->addridx, k, st->c.addrs, a, NULL);
}

void ct__btcstore_addr_key(const ct_btcstore *st, uint64_t a, ct_addrkey *k)
{
	memcpy(k, ct__col_get(&st->addrs, a), CT_REC_ADDR);
}

/* ---- open / close ------------------------------------------------------- */

int ct__btcstore_exists(const char *dbdir, const char *chain)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s/%s/meta", dbdir, chain);
	return ct__path_exists(p);
}


static void commit_setup(ct_btcstore *st);

int ct__btcstore_open(ct_btcstore **out, const char *dbdir, const ct_btc_net *net,
                      int writable)
{
	ct_btcstore *st = ct__calloc(1, sizeof(*st));
	int rc;
	char path[4096];
	if (!st)
		return CT_ENOMEM;
	st->net = net;
	st->writable = writable;
	st->txidx.col.fd = st->addridx.col.fd = st->blkidx.col.fd = -1;
	snprintf(path, sizeof(path), "%s/%s", dbdir, net->chain);
	if (!(st->dir = ct__strdup(path))) {
		rc = CT_ENOMEM;
		goto fail;
	}
	commit_setup(st);
	if ((rc = ct__hasher_new(&st->h)) ||
	    (rc = ct__commit_open(&st->cm, dbdir, writable, &st->c, &st->w)))
		goto fail;
	if ((rc = ct__hidx_open(&st->txidx, st->dir, "txid.idx", writable, &TXID_OPS, st, st->c.txs)) ||
	    (rc = ct__hidx_open(&st->addridx, st->dir, "addr.idx", writable, &ADDR_OPS, st, st->c.addrs)) ||
	    (rc = ct__hidx_open(&st->blkidx, st->dir, "block.idx", writable, &BLK_OPS, st, st->c.blocks)))
		goto fail;
	*out = st;
	return 0;
fail:
	ct__btcstore_close(st);
	return rc;
}

void ct__btcstore_close(ct_btcstore *st)
{
	if (!st)
		return;
	ct__commit_close(&st->cm);
	ct__hidx_close(&st->txidx);
	ct__hidx_close(&st->addridx);
	ct__hidx_close(&st->blkidx);
	ct__hasher_free(st->h);
	free(st->bmap);
	free(st->dir);
	free(st);
}

/* ---- the batch-local address head map ----------------------------------- */

/* Entries are (addr id + 1, out id + 1) pairs in one array. */
static int bmap_grow(ct_btcstore *st)
{
	size_t ncap = st->bmap_cap ? st->bmap_cap * 2 : 4096;
	uint64_t *nm = ct__calloc(ncap * 2, sizeof(uint64_t));
	if (!nm)
		return CT_ENOMEM;
	for (size_t i = 0; i < st->bmap_cap; i++) {
		uint64_t k = st->bmap[2 * i];
		if (!k)
			continue;
		size_t j = (size_t)(k * 0x9e3779b97f4a7c15ULL >> 20) & (ncap - 1);
		while (nm[2 * j])
			j = (j + 1) & (ncap - 1);
		nm[2 * j] = k;
		nm[2 * j + 1] = st->bmap[2 * i + 1];
	}
	free(st->bmap);
	st->bmap = nm;
	st->bmap_cap = ncap;
	return 0;
}

static inline uint64_t *bmap_home(const ct_btcstore *st, uint64_t a)
{
	return &st->bmap[2 * ((size_t)((a + 1) * 0x9e3779b97f4a7c15ULL >> 20) & (st->bmap_cap - 1))];
}

/* Returns the slot for addr a (existing or empty). */
static uint64_t *bmap_slot(ct_btcstore *st, uint64_t a)
{
	uint64_t k = a + 1;
	size_t j = (size_t)(k * 0x9e3779b97f4a7c15ULL >> 20) & (st->bmap_cap - 1);
	while (st->bmap[2 * j] && st->bmap[2 * j] != k)
		j = (j + 1) & (st->bmap_cap - 1);
	return &st->bmap[2 * j];
}

static void bmap_clear(ct_btcstore *st)
{
	if (st->bmap)
		memset(st->bmap, 0, st->bmap_cap * 2 * sizeof(uint64_t));
	st->bmap_n = 0;
}

/* ---- append (phase A) --------------------------------------------------- */

static int reserve_all(ct_btcstore *st, const ct_btc_block *b)
{
	int rc;
	uint64_t ntx = st->w.txs + b->n_tx, nin = st->w.ins + b->n_in,
	         nout = st->w.outs + b->n_out, nunres = st->w.unres + b->n_in,
	         naddr = st->w.addrs + b->n_out;
	if ((rc = ct__col_reserve(&st->blocks, st->w.blocks + 1)) ||
	    (rc = ct__col_reserve(&st->txs, ntx)) || (rc = ct__col_reserve(&st->txinfo, ntx)) ||
	    (rc = ct__col_reserve(&st->txid, ntx)) || (rc = ct__col_reserve(&st->ins, nin)) ||
	    (rc = ct__col_reserve(&st->unres, nunres)) || (rc = ct__col_reserve(&st->outs, nout)) ||
	    (rc = ct__col_reserve(&st->spent, nout)) || (rc = ct__col_reserve(&st->olink, nout)) ||
	    (rc = ct__col_reserve(&st->addrs, naddr)) || (rc = ct__col_reserve(&st->ahead, naddr)))
		return rc;
	if ((rc = ct__hidx_ensure(&st->txidx, b->n_tx, st->w.txs)) ||
	    (rc = ct__hidx_ensure(&st->addridx, b->n_out, st->w.addrs)) ||
	    (rc = ct__hidx_ensure(&st->blkidx, 1, st->w.blocks)))
		return rc;
	while (2 * (st->bmap_n + b->n_out) >= st->bmap_cap)
		if ((rc = bmap_grow(st)))
			return rc;
	return 0;
}

/* Per-block preparation, independent of the store (so it can run on
 * another thread, ahead of the append): output keys and types, and the
 * index hashes of every input and output, computed up front so that the
 * index slots can be prefetched before they are probed (the probes are
 * cache misses on a large store; issuing them early overlaps them). */
int ct__btc_prepare(ct_btc_prep *p, ct_hasher *h, const ct_btc_block *b)
{
	size_t need = b->n_out > b->n_in ? b->n_out : b->n_in;
	if (need > p->cap) {
		size_t cap = p->cap ? p->cap : 1024;
		while (cap < need)
			cap *= 2;
		ct_addrkey *k = ct__realloc(p->okeys, cap * sizeof(*k));
		if (!k)
			return CT_ENOMEM;
		p->okeys = k;
		uint64_t *oh = ct__realloc(p->ohash, cap * sizeof(*oh));
		if (!oh)
			return CT_ENOMEM;
		p->ohash = oh;
		uint64_t *ih = ct__realloc(p->ihash, cap * sizeof(*ih));
		if (!ih)
			return CT_ENOMEM;
		p->ihash = ih;
		uint8_t *ot = ct__realloc(p->otypes, cap);
		if (!ot)
			return CT_ENOMEM;
		p->otypes = ot;
		p->cap = cap;
	}
	for (uint32_t i = b->txs[0].n_in; i < b->n_in; i++)
		p->ihash[i] = hash32(b->ins[i].prev_txid);
	for (uint32_t i = 0; i < b->n_out; i++) {
		const ct_btc_out *o = &b->outs[i];
		p->otypes[i] = (uint8_t)ct__script_classify(h, o->script, o->script_len, &p->okeys[i]);
		if (p->okeys[i].kind != CT_AK_NONE)
			p->ohash[i] = addr_hash(&p->okeys[i]);
	}
	return 0;
}

void ct__btc_prep_free(ct_btc_prep *p)
{
	if (!p)
		return;
	free(p->okeys);
	free(p->ohash);
	free(p->ihash);
	free(p->otypes);
	memset(p, 0, sizeof(*p));
}

#define PF_SLOTS_AHEAD 12
#define PF_RECORDS_AHEAD 6
#define PF_SPENT_AHEAD 3

static void prefetch_slots(const ct_btcstore *st, const ct_btc_block *b, const ct_btc_prep *p,
                           uint32_t ti)
{
	const ct_btc_tx *tx = &b->txs[ti];
	if (ti > 0)
		for (uint32_t i = tx->first_in; i < tx->first_in + tx->n_in; i++)
			ct__hidx_prefetch(&st->txidx, p->ihash[i]);
	for (uint32_t i = tx->first_out; i < tx->first_out + tx->n_out; i++)
		if (p->okeys[i].kind != CT_AK_NONE)
			ct__hidx_prefetch(&st->addridx, p->ohash[i]);
	ct__hidx_prefetch(&st->txidx, hash32(tx->txid));
}

static void prefetch_records(const ct_btcstore *st, const ct_btc_block *b, const ct_btc_prep *p,
                             uint32_t ti)
{
	const ct_btc_tx *tx = &b->txs[ti];
	if (ti > 0)
		for (uint32_t i = tx->first_in; i < tx->first_in + tx->n_in; i++) {
			uint64_t id = ct__hidx_peek(&st->txidx, p->ihash[i]);
			if (id < st->w.txs) {
				__builtin_prefetch(ct__tx_id(st, id));
				__builtin_prefetch(ct__col_get(&st->txs, id));
			}
		}
	for (uint32_t i = tx->first_out; i < tx->first_out + tx->n_out; i++) {
		if (p->okeys[i].kind == CT_AK_NONE)
			continue;
		uint64_t id = ct__hidx_peek(&st->addridx, p->ohash[i]);
		if (id < st->w.addrs) {
			__builtin_prefetch(ct__col_get(&st->addrs, id));
			__builtin_prefetch(ct__col_at(&st->ahead, id));
			__builtin_prefetch(bmap_home(st, id));
		}
	}
}

/* Third stage: the spent mark of each input's output (the double-spend
 * check reads it), once the tx record giving the output id has arrived. */
static void prefetch_spent(const ct_btcstore *st, const ct_btc_block *b, const ct_btc_prep *p,
                           uint32_t ti)
{
	const ct_btc_tx *tx = &b->txs[ti];
	for (uint32_t i = tx->first_in; i < tx->first_in + tx->n_in; i++) {
		uint64_t id = ct__hidx_peek(&st->txidx, p->ihash[i]);
		if (id < st->c.txs) {
			uint64_t o = ct__tx_first_out(st, id) + b->ins[i].prev_n;
			if (o < st->c.outs)
				__builtin_prefetch(ct__col_at(&st->spent, o));
		}
	}
}

int ct__btcstore_append(ct_btcstore *st, const ct_btc_block *b, const ct_btc_prep *p,
                        uint32_t height, const uint8_t work[32], uint64_t *unresolved)
{
	int rc;
	if ((rc = reserve_all(st, b)))
		return rc;
	if (st->w.addrs + b->n_out > CT_HIDX_MAX_ID || st->w.txs + b->n_tx > CT_HIDX_MAX_ID)
		return ct__err(CT_EINTERNAL, "id space exhausted");

	for (uint32_t ti = 0; ti < b->n_tx && ti < PF_SLOTS_AHEAD; ti++)
		prefetch_slots(st, b, p, ti);
	for (uint32_t ti = 0; ti < b->n_tx && ti < PF_RECORDS_AHEAD; ti++)
		prefetch_records(st, b, p, ti);

	uint8_t *br = ct__col_at(&st->blocks, st->w.blocks);
	memcpy(br + CT_BLK_HEADER, b->header, CT_BTC_HEADER);
	memcpy(br + CT_BLK_HASH, b->hash, 32);
	memcpy(br + CT_BLK_WORK, work, 32);
	ct_put_le64(br + CT_BLK_FIRST_TX, st->w.txs);
	ct_put_le64(br + CT_BLK_FIRST_ADDR, st->w.addrs);
	ct_put_le64(br + CT_BLK_FIRST_UNRES, st->w.unres);
	ct_put_le32(br + CT_BLK_HEIGHT, height);
	ct_put_le32(br + CT_BLK_SIZE, (uint32_t)b->size);

	for (uint32_t ti = 0; ti < b->n_tx; ti++) {
		const ct_btc_tx *tx = &b->txs[ti];
		uint64_t t = st->w.txs;
		/* Software pipeline: slots PF_SLOTS_AHEAD txs ahead, the records
		 * they point to PF_RECORDS_AHEAD txs ahead (by then the slot has
		 * arrived), so the probes of this tx hit the cache. */
		if (ti + PF_SLOTS_AHEAD < b->n_tx)
			prefetch_slots(st, b, p, ti + PF_SLOTS_AHEAD);
		if (ti + PF_RECORDS_AHEAD < b->n_tx)
			prefetch_records(st, b, p, ti + PF_RECORDS_AHEAD);
		if (ti > 0 && ti + PF_SPENT_AHEAD < b->n_tx)
			prefetch_spent(st, b, p, ti + PF_SPENT_AHEAD);
		uint8_t *tr = ct__col_put(&st->txs, t);
		ct_put_le64(tr, st->w.ins);
		ct_put_le64(tr + 8, st->w.outs);
		uint8_t *ti_rec = ct__col_put(&st->txinfo, t);
		ct_put_le32(ti_rec, (uint32_t)st->w.blocks);
		ct_put_le32(ti_rec + 4, tx->size);
		ct_put_le32(ti_rec + 8, tx->base_size);
		ct_put_le32(ti_rec + 12, tx->locktime);
		memcpy(ct__col_put(&st->txid, t), tx->txid, 32);

		for (uint32_t k = 0; k < tx->n_in; k++) {
			const ct_btc_in *in = &b->ins[tx->first_in + k];
			uint64_t ref, pt;
			if (ti == 0) {
				ref = CT_IN_COINBASE;
			} else if (ct__hidx_find_h(&st->txidx, p->ihash[tx->first_in + k], in->prev_txid,
			                           st->w.txs, &pt, NULL) == 0 &&
			           in->prev_n < ct__tx_end_out(st, pt) - ct__tx_first_out(st, pt)) {
				ref = ct__tx_first_out(st, pt) + in->prev_n;
				if (ref < st->c.outs) {
					uint64_t sp = ct_le64(ct__col_at(&st->spent, ref));
					if (sp && sp <= st->c.txs) {
						char hex[65];
						ct__hex_rev(hex, tx->txid, 32);
						return ct__err(CT_EDATA, "tx %s spends output %u of an earlier tx that "
						               "is already spent (double spend)", hex, in->prev_n);
					}
				}
			} else {
				uint8_t *u = ct__col_put(&st->unres, st->w.unres);
				memcpy(u, in->prev_txid, 32);
				ct_put_le32(u + 32, in->prev_n);
				ct_put_le32(u + 36, 0);
				ref = CT_IN_UNRESOLVED_BIT | st->w.unres;
				st->w.unres++;
				(*unresolved)++;
			}
			ct_put_le64(ct__col_put(&st->ins, st->w.ins), ref);
			st->w.ins++;
		}
		for (uint32_t k = 0; k < tx->n_out; k++) {
			uint32_t bo = tx->first_out + k;
			const ct_btc_out *o = &b->outs[bo];
			const ct_addrkey *key = &p->okeys[bo];
			int type = p->otypes[bo];
			uint64_t oid = st->w.outs, a = 0, link = 0;
			if (key->kind != CT_AK_NONE) {
				uint64_t slot;
				rc = ct__hidx_find_h(&st->addridx, p->ohash[bo], key, st->w.addrs, &a, &slot);
				if (rc == CT_ENOTFOUND) {
					a = st->w.addrs++;
					memcpy(ct__col_put(&st->addrs, a), key, CT_REC_ADDR);
					ct_put_le64(ct__col_at(&st->ahead, a), 0);
					ct__hidx_set(&st->addridx, slot, p->ohash[bo], a);
				} else if (rc) {
					return rc;
				}
				uint64_t *bslot = bmap_slot(st, a);
				if (bslot[0]) {
					link = bslot[1];
				} else {
					bslot[0] = a + 1;
					st->bmap_n++;
					if (a < st->c.addrs) {
						uint64_t h = ct__addr_head(st, a);
						link = h == UINT64_MAX ? 0 : h + 1;
					}
				}
				bslot[1] = oid + 1;
			}
			uint8_t *orec = ct__col_put(&st->outs, oid);
			ct_put_le64(orec, o->value);
			ct_put_le64(orec + 8, key->kind == CT_AK_NONE ? (uint64_t)type << 56
			                                              : ((uint64_t)type << 56) | (a + 1));
			ct_put_le64(ct__col_at(&st->spent, oid), 0);
			ct_put_le64(ct__col_put(&st->olink, oid), link);
			st->w.outs++;
		}
		/* Insert after resolving this tx's own inputs: a tx cannot spend
		 * itself, and later txs of the block find it. A BIP 30 duplicate
		 * txid takes over the older tx's slot. */
		uint64_t th = hash32(tx->txid), old, slot;
		rc = ct__hidx_find_h(&st->txidx, th, tx->txid, t, &old, &slot);
		if (rc != 0 && rc != CT_ENOTFOUND)
			return rc;
		ct__hidx_set(&st->txidx, slot, th, t);
		st->w.txs++;
	}
	if ((rc = ct__hidx_put(&st->blkidx, b->hash, st->w.blocks, st->w.blocks)))
		return rc;
	st->w.blocks++;
	ct__commit_crash_point(&st->cm);
	return 0;
}

/* ---- phase B: forward pointers, derived from phase-A records ------------ */

static int apply_forward(ct_btcstore *st, const ct_btc_counts *base, const ct_btc_counts *to)
{
	for (uint64_t t = base->txs; t < to->txs; t++) {
		uint64_t end = t + 1 < to->txs ? ct__tx_first_in(st, t + 1) : to->ins;
		for (uint64_t i = ct__tx_first_in(st, t); i < end; i++) {
			uint64_t ref = ct__in_ref(st, i);
			if (ref == CT_IN_COINBASE || (ref & CT_IN_UNRESOLVED_BIT))
				continue;
			if (ref >= to->outs)
				return ct__err(CT_ECORRUPT, "%s: input %llu spends output %llu past the end",
				               st->dir, (unsigned long long)i, (unsigned long long)ref);
			ct_put_le64(ct__col_at(&st->spent, ref), t + 1);
		}
		if (t == base->txs + (to->txs - base->txs) / 2)
			ct__commit_crash_point(&st->cm);
	}
	for (uint64_t o = base->outs; o < to->outs; o++) {
		uint64_t aw = ct__out_addrword(st, o) & CT_OUT_ADDR_MASK;
		if (aw) {
			if (aw - 1 >= to->addrs)
				return ct__err(CT_ECORRUPT, "%s: output %llu pays address past the end",
				               st->dir, (unsigned long long)o);
			ct_put_le64(ct__col_at(&st->ahead, aw - 1), o + 1);
		}
	}
	return 0;
}

/* Undo the forward pointers of [to, from) so committed records no longer
 * point at records being removed. Idempotent. */
static int apply_rollback(void *ctx, const void *from_, const void *to_)
{
	ct_btcstore *st = ctx;
	const ct_btc_counts *from = from_, *to = to_;
	for (uint64_t t = to->txs; t < from->txs; t++) {
		uint64_t end = t + 1 < from->txs ? ct__tx_first_in(st, t + 1) : from->ins;
		for (uint64_t i = ct__tx_first_in(st, t); i < end; i++) {
			uint64_t ref = ct__in_ref(st, i);
			if (ref == CT_IN_COINBASE || (ref & CT_IN_UNRESOLVED_BIT) || ref >= to->outs)
				continue;
			if (ct_le64(ct__col_at(&st->spent, ref)) == t + 1)
				ct_put_le64(ct__col_at(&st->spent, ref), 0);
		}
	}
	for (uint64_t o = from->outs; o-- > to->outs;) {
		uint64_t aw = ct__out_addrword(st, o) & CT_OUT_ADDR_MASK;
		if (!aw || aw - 1 >= to->addrs)
			continue;
		uint8_t *hp = ct__col_at(&st->ahead, aw - 1);
		uint64_t h = ct_le64(hp);
		while (h && h - 1 >= to->outs)
			h = ct_le64(ct__col_at(&st->olink, h - 1));
		ct_put_le64(hp, h);
	}
	return 0;
}

static int forward_cb(void *ctx, const void *base, const void *to, int recovering)
{
	(void)recovering; /* phase B reads the phase-A records either way */
	return apply_forward(ctx, base, to);
}

static const ct_commit_fmt COMMIT_FMT = {
	META_MAGIC, PEND_MAGIC, "cointrail store", META_VERSION, NCOUNTS, 0, forward_cb, apply_rollback,
};

/* Describe the store to the commit protocol (store/commit.h). Appended
 * columns go through append buffers; blocks (a record per block) and
 * spent/ahead (updated in place) use the map. */
static void commit_setup(ct_btcstore *st)
{
	const unsigned B = CT_COMMIT_BUF, F = CT_COMMIT_FWD;
	/* count words: blocks 0, txs 1, ins 2, outs 3, addrs 4, unres 5 */
	const ct_commit_col cols[] = {
		{&st->blocks, "blocks.col", CT_REC_BLOCK, 0, 0}, {&st->txs, "txs.col", CT_REC_TX, B, 1},
		{&st->txinfo, "txinfo.col", CT_REC_TXINFO, B, 1}, {&st->txid, "txid.col", CT_REC_TXID, B, 1},
		{&st->ins, "ins.col", CT_REC_IN, B, 2},   {&st->unres, "unres.col", CT_REC_UNRES, B, 5},
		{&st->outs, "outs.col", CT_REC_OUT, B, 3}, {&st->spent, "spent.col", CT_REC_SPENT, F, 3},
		{&st->olink, "olink.col", CT_REC_OLINK, B, 3}, {&st->addrs, "addrs.col", CT_REC_ADDR, B, 4},
		{&st->ahead, "ahead.col", CT_REC_AHEAD, F, 4},
	};
	ct_hidx *idx[] = {&st->txidx, &st->addridx, &st->blkidx, NULL};
	ct__commit_init(&st->cm, &COMMIT_FMT, st, st->dir, st->net->chain, cols,
	                CT_ARRAY_LEN(cols), idx);
}

int ct__btcstore_commit(ct_btcstore *st)
{
	ct_btc_counts to = st->w;
	int rc = ct__commit_append(&st->cm, &st->c, &st->w);
	if (counts_eq(&st->c, &to))
		bmap_clear(st);
	return rc;
}

void ct__btcstore_abort(ct_btcstore *st)
{
	ct__commit_discard(&st->cm);
	st->w = st->c;
	bmap_clear(st);
}

void ct__btcstore_writeback(ct_btcstore *st)
{
	/* The append-only tails only: spent/ahead/indexes change again. */
	ct_col *bufd[] = {&st->txs, &st->txid,  &st->addrs, &st->txinfo,
	                  &st->ins, &st->unres, &st->outs,  &st->olink};
	for (size_t i = 0; i < CT_ARRAY_LEN(bufd); i++)
		if (ct__col_flush(bufd[i]) != 0)
			return; /* reported by the commit's flush */
	ct__col_writeback(&st->blocks, st->w.blocks);
	ct__col_writeback(&st->txs, st->w.txs);
	ct__col_writeback(&st->txinfo, st->w.txs);
	ct__col_writeback(&st->txid, st->w.txs);
	ct__col_writeback(&st->ins, st->w.ins);
	ct__col_writeback(&st->unres, st->w.unres);
	ct__col_writeback(&st->outs, st->w.outs);
	ct__col_writeback(&st->olink, st->w.outs);
	ct__col_writeback(&st->addrs, st->w.addrs);
}

int ct__btcstore_expect(ct_btcstore *st, uint64_t bytes)
{
	/* Rough shape of Bitcoin data: a tx per 300 bytes, a new address per
	 * 200. Sizing the indexes once avoids rebuilding them at every
	 * doubling; an underestimate only means a rebuild later. */
	int rc;
	if ((rc = ct__hidx_ensure(&st->txidx, bytes / 300, st->w.txs)) ||
	    (rc = ct__hidx_ensure(&st->addridx, bytes / 200, st->w.addrs)))
		return rc;
	return 0;
}

int ct__btcstore_rollback(ct_btcstore *st, uint64_t to_blocks)
{
	if (to_blocks >= st->c.blocks)
		return 0;
	ct__btcstore_abort(st);
	ct_btc_counts from = st->c, to;
	const uint8_t *br = ct__blk(st, to_blocks);
	to.blocks = to_blocks;
	to.txs = ct_le64(br + CT_BLK_FIRST_TX);
	to.addrs = ct_le64(br + CT_BLK_FIRST_ADDR);
	to.unres = ct_le64(br + CT_BLK_FIRST_UNRES);
	to.ins = to.txs < from.txs ? ct__tx_first_in(st, to.txs) : from.ins;
	to.outs = to.txs < from.txs ? ct__tx_first_out(st, to.txs) : from.outs;
	return ct__commit_rollback(&st->cm, &st->c, &st->w, &to);
}
