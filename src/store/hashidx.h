/*
 * hashidx.h - an on-disk, mmap'd open-addressing hash index from a key
 * (a txid, an address, a block hash) to the dense id of its record.
 *
 * The index stores no keys: each slot holds a 24-bit tag of the key's
 * hash and id+1 (40 bits), and a hit is confirmed by comparing the key
 * with the record itself (the `match` callback). That makes the index a
 * pure function of the columns: it can be rebuilt at any time, and
 * entries left behind by an append that never committed are harmless:
 * their id is >= the committed count (skipped) or, once that id is
 * reused, their key no longer matches.
 *
 * File: 8 header words (magic, nslots, count, 0...), then nslots words.
 */
#ifndef CT_STORE_HASHIDX_H
#define CT_STORE_HASHIDX_H

#include "store/column.h"

#define CT_HIDX_MAX_ID ((UINT64_C(1) << 40) - 2)

/* How an index reaches its records. `key` returns the key of record id
 * (it may assemble it in buf, 64 bytes); `match` says whether record id
 * has the given key; `hash` mixes a key into 64 bits. */
typedef struct ct_hidx_ops {
	uint64_t (*hash)(const void *key);
	const void *(*key)(void *ctx, uint64_t id, void *buf);
	int (*match)(void *ctx, uint64_t id, const void *key);
} ct_hidx_ops;

typedef struct ct_hidx {
	ct_col col;
	char *dir;
	char *name;
	const ct_hidx_ops *ops;
	void *ctx;
	uint64_t nslots; /* power of two */
	uint64_t count;  /* entries written (an upper bound of live ones) */
} ct_hidx;

/* Open; a missing, empty or malformed file is rebuilt from ids [0,n)
 * when writable, or reported as CT_ECORRUPT when not. */
int ct__hidx_open(ct_hidx *x, const char *dir, const char *name, int writable,
                  const ct_hidx_ops *ops, void *ctx, uint64_t n);
void ct__hidx_close(ct_hidx *x);

/* Find `key` among ids < limit. Returns 0 and *id, or CT_ENOTFOUND.
 * *slot (optional) receives the slot of the hit, or the first free slot
 * on a miss, for ct__hidx_set(). */
int ct__hidx_find(const ct_hidx *x, const void *key, uint64_t limit, uint64_t *id,
                  uint64_t *slot);
/* The same with the key's hash computed by the caller (x->ops->hash). */
int ct__hidx_find_h(const ct_hidx *x, uint64_t hash, const void *key, uint64_t limit,
                    uint64_t *id, uint64_t *slot);
/* Write id for a key of `hash` into `slot` as returned by a find (the hit
 * to overwrite, or the free slot of a miss). */
void ct__hidx_set(ct_hidx *x, uint64_t slot, uint64_t hash, uint64_t id);
/* Hint that a find for `hash` is coming: start loading its slot. */
static inline void ct__hidx_prefetch(const ct_hidx *x, uint64_t hash)
{
	if (x->nslots)
		__builtin_prefetch(x->col.map + 8 * (8 + (hash & (x->nslots - 1))));
}
/* The id in the home slot of `hash` if its tag matches, else UINT64_MAX:
 * a guess, used only to prefetch the record a find will compare. */
static inline uint64_t ct__hidx_peek(const ct_hidx *x, uint64_t hash)
{
	uint64_t v;
	if (!x->nslots)
		return UINT64_MAX;
	__builtin_memcpy(&v, x->col.map + 8 * (8 + (hash & (x->nslots - 1))), 8);
	if (v == 0 || (v >> 40) != (hash >> 40))
		return UINT64_MAX;
	return (v & ((UINT64_C(1) << 40) - 1)) - 1;
}
/* Make `id` the entry for `key` among ids < limit: overwrites an older
 * record with the same key (BIP 30 duplicate txids: the later one wins). */
int ct__hidx_put(ct_hidx *x, const void *key, uint64_t id, uint64_t limit);
/* Grow (rebuild from ids [0,n)) when the table would pass half full with
 * `extra` more entries. */
int ct__hidx_ensure(ct_hidx *x, uint64_t extra, uint64_t n);
/* Rebuild from scratch from ids [0,n) with room for `extra` more. */
int ct__hidx_rebuild(ct_hidx *x, uint64_t n, uint64_t extra);
int ct__hidx_sync(ct_hidx *x);

#endif
