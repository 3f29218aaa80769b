/*
 * hashidx.c - linear-probing hash index over column records.
 */
#include "store/hashidx.h"
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HIDX_MAGIC UINT64_C(0x31584449544e4354) /* "CTNTIDX1" */
#define HDR_WORDS 8
#define ID_BITS 40
#define ID_MASK ((UINT64_C(1) << ID_BITS) - 1)

static inline uint64_t word(const ct_hidx *x, uint64_t i)
{
	uint64_t v;
	memcpy(&v, x->col.map + 8 * i, 8);
	return v;
}

static inline void set_word(ct_hidx *x, uint64_t i, uint64_t v)
{
	memcpy(x->col.map + 8 * i, &v, 8);
}

static int header_ok(ct_hidx *x)
{
	if (x->col.map_len < 8 * HDR_WORDS)
		return 0;
	uint64_t ns = word(x, 1);
	if (word(x, 0) != HIDX_MAGIC || ns == 0 || (ns & (ns - 1)) ||
	    x->col.map_len / 8 < HDR_WORDS + ns)
		return 0;
	x->nslots = ns;
	x->count = word(x, 2);
	return 1;
}

int ct__hidx_open(ct_hidx *x, const char *dir, const char *name, int writable,
                  const ct_hidx_ops *ops, void *ctx, uint64_t n)
{
	int rc;
	memset(x, 0, sizeof(*x));
	x->col.fd = -1;
	x->ops = ops;
	x->ctx = ctx;
	if (!(x->dir = ct__strdup(dir)) || !(x->name = ct__strdup(name)))
		return CT_ENOMEM;
	if ((rc = ct__col_open(&x->col, dir, name, 8, writable)))
		return rc;
	if (header_ok(x))
		return 0;
	if (!writable)
		return ct__err(CT_ECORRUPT, "%s/%s: malformed index header", dir, name);
	return ct__hidx_rebuild(x, n, 0);
}

void ct__hidx_close(ct_hidx *x)
{
	if (!x)
		return;
	ct__col_close(&x->col);
	free(x->dir);
	free(x->name);
	x->dir = x->name = NULL;
}

static int find(const ct_hidx *x, uint64_t hash, const void *key, uint64_t limit,
                uint64_t *id, uint64_t *slot)
{
	uint64_t mask = x->nslots - 1, tag = hash >> ID_BITS;
	for (uint64_t i = hash & mask, probes = 0; probes < x->nslots;
	     i = (i + 1) & mask, probes++) {
		uint64_t v = word(x, HDR_WORDS + i);
		if (v == 0) {
			*slot = i;
			return CT_ENOTFOUND;
		}
		uint64_t cand = (v & ID_MASK) - 1;
		if ((v >> ID_BITS) == tag && cand < limit && x->ops->match(x->ctx, cand, key)) {
			*id = cand;
			*slot = i;
			return 0;
		}
	}
	return ct__err(CT_EINTERNAL, "%s: hash index full", x->name);
}

int ct__hidx_find(const ct_hidx *x, const void *key, uint64_t limit, uint64_t *id,
                  uint64_t *slot)
{
	uint64_t s;
	if (!x->nslots)
		return CT_ENOTFOUND;
	return find(x, x->ops->hash(key), key, limit, id, slot ? slot : &s);
}

int ct__hidx_find_h(const ct_hidx *x, uint64_t hash, const void *key, uint64_t limit,
                    uint64_t *id, uint64_t *slot)
{
	uint64_t s;
	if (!x->nslots)
		return CT_ENOTFOUND;
	return find(x, hash, key, limit, id, slot ? slot : &s);
}

void ct__hidx_set(ct_hidx *x, uint64_t slot, uint64_t hash, uint64_t id)
{
	uint64_t at = HDR_WORDS + slot;
	if (word(x, at) == 0) {
		x->count++;
		set_word(x, 2, x->count);
	}
	set_word(x, at, (hash >> ID_BITS) << ID_BITS | (id + 1));
}

int ct__hidx_put(ct_hidx *x, const void *key, uint64_t id, uint64_t limit)
{
	uint64_t h = x->ops->hash(key), slot, old;
	int rc = find(x, h, key, limit, &old, &slot);
	if (rc != 0 && rc != CT_ENOTFOUND)
		return rc;
	ct__hidx_set(x, slot, h, id);
	return 0;
}

int ct__hidx_rebuild(ct_hidx *x, uint64_t n, uint64_t extra)
{
	uint64_t ns = 1024;
	while (ns < 2 * (n + extra) + 16)
		ns *= 2;
	size_t plen = strlen(x->dir) + strlen(x->name) + 8;
	char *tmp = ct__malloc(plen), *final = ct__malloc(plen);
	int rc = 0;
	ct_hidx nx;
	memset(&nx, 0, sizeof(nx));
	nx.col.fd = -1;
	if (!tmp || !final) {
		rc = CT_ENOMEM;
		goto cleanup;
	}
	snprintf(tmp, plen, "%s.new", x->name);
	snprintf(final, plen, "%s/%s", x->dir, x->name);
	{
		char full[4096];
		snprintf(full, sizeof(full), "%s/%s", x->dir, tmp);
		unlink(full);
		if ((rc = ct__col_open(&nx.col, x->dir, tmp, 8, 1)))
			goto cleanup;
		if ((rc = ct__col_reserve(&nx.col, HDR_WORDS + ns)))
			goto cleanup;
		/* the file was just created (unlinked first): ftruncate gave
		 * zeros, so no memset (it would touch every page) */
		nx.nslots = ns;
		nx.name = x->name;
		nx.ops = x->ops;
		nx.ctx = x->ctx;
		set_word(&nx, 0, HIDX_MAGIC);
		set_word(&nx, 1, ns);
		uint8_t buf[64];
		for (uint64_t id = 0; id < n; id++) {
			const void *key = x->ops->key(x->ctx, id, buf);
			if ((rc = ct__hidx_put(&nx, key, id, id)))
				goto cleanup;
		}
		if ((rc = ct__col_sync(&nx.col)))
			goto cleanup;
		if (rename(full, final) != 0) {
			rc = ct__err_sys("rename %s", full);
			goto cleanup;
		}
	}
	ct__col_close(&x->col);
	x->col = nx.col;
	nx.col.fd = -1;
	nx.col.map = NULL;
	nx.col.path = NULL;
	x->nslots = ns;
	x->count = nx.count;
cleanup:
	ct__col_close(&nx.col);
	free(tmp);
	free(final);
	return rc;
}

int ct__hidx_ensure(ct_hidx *x, uint64_t extra, uint64_t n)
{
	if (2 * (x->count + extra) < x->nslots)
		return 0;
	return ct__hidx_rebuild(x, n, extra + n);
}

int ct__hidx_sync(ct_hidx *x) { return ct__col_sync(&x->col); }
