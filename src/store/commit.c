/*
 * commit.c - the commit protocol of the chain stores (commit.h): meta and
 * journal encoding, the three-phase append commit, recovery and rollback,
 * and the COINTRAIL_CRASH_AT hook that tests kill the process with.
 */
#include "store/commit.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fsutil.h"
#include "util/hash.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { PEND_APPEND = 1, PEND_ROLLBACK = 2 };

#define HDR_LEN 16      /* magic, version or kind, padding */
#define CHAIN_LEN 32

void ct__commit_init(ct_commit *cm, const ct_commit_fmt *fmt, void *st, const char *dir,
                     const char *chain, const ct_commit_col *cols, size_t ncols,
                     ct_hidx *const *idx)
{
	memset(cm, 0, sizeof(*cm));
	cm->fmt = fmt;
	cm->st = st;
	cm->dir = dir;
	cm->chain = chain;
	for (; cm->ncols < CT_COMMIT_MAXCOLS && cm->ncols < ncols; cm->ncols++)
		cm->cols[cm->ncols] = cols[cm->ncols];
	for (; cm->nidx < CT_COMMIT_MAXIDX && idx[cm->nidx]; cm->nidx++)
		cm->idx[cm->nidx] = idx[cm->nidx];
	const char *ca = getenv("COINTRAIL_CRASH_AT");
	cm->crash_at = ca ? strtoull(ca, NULL, 10) : 0;
}

void ct__commit_crash_point(ct_commit *cm)
{
	if (cm->crash_at == 0)
		return;
	if (++cm->crash_count == cm->crash_at)
		kill(getpid(), SIGKILL);
}

size_t ct__commit_meta_len(const ct_commit *cm)
{
	return HDR_LEN + CHAIN_LEN + 8 * cm->fmt->ncounts + 32;
}

size_t ct__commit_pend_len(const ct_commit *cm)
{
	return HDR_LEN + 16 * cm->fmt->ncounts + 32;
}

static void put_counts(const ct_commit *cm, uint8_t *p, const void *counts)
{
	uint64_t v[CT_COMMIT_MAXCOUNTS];
	memcpy(v, counts, 8 * cm->fmt->ncounts);
	for (size_t i = 0; i < cm->fmt->ncounts; i++)
		ct_put_le64(p + 8 * i, v[i]);
}

static void get_counts(const ct_commit *cm, const uint8_t *p, void *counts)
{
	uint64_t v[CT_COMMIT_MAXCOUNTS];
	for (size_t i = 0; i < cm->fmt->ncounts; i++)
		v[i] = ct_le64(p + 8 * i);
	memcpy(counts, v, 8 * cm->fmt->ncounts);
}

static int counts_eq(const ct_commit *cm, const void *a, const void *b)
{
	return memcmp(a, b, 8 * cm->fmt->ncounts) == 0;
}

static int write_meta(ct_commit *cm, const void *counts)
{
	uint8_t m[HDR_LEN + CHAIN_LEN + 8 * CT_COMMIT_MAXCOUNTS + 32];
	size_t len = ct__commit_meta_len(cm);
	memset(m, 0, sizeof(m));
	memcpy(m, cm->fmt->meta_magic, 8);
	ct_put_le32(m + 8, cm->fmt->version);
	snprintf((char *)m + HDR_LEN, CHAIN_LEN, "%s", cm->chain);
	put_counts(cm, m + HDR_LEN + CHAIN_LEN, counts);
	ct__sha256(NULL, m + len - 32, m, len - 32);
	return ct__write_atomic(cm->dir, "meta", m, len);
}

int ct__commit_read_meta(ct_commit *cm, void *counts)
{
	uint8_t m[HDR_LEN + CHAIN_LEN + 8 * CT_COMMIT_MAXCOUNTS + 32 + 1], chk[32];
	char path[4096];
	size_t len, want = ct__commit_meta_len(cm);
	snprintf(path, sizeof(path), "%s/meta", cm->dir);
	int rc = ct__read_small(path, m, want + 1, &len);
	if (rc)
		return rc;
	if (len != want || memcmp(m, cm->fmt->meta_magic, 8) != 0)
		return ct__err(CT_ECORRUPT, "%s: not a %s meta file", path, cm->fmt->what);
	ct__sha256(NULL, chk, m, want - 32);
	if (memcmp(chk, m + want - 32, 32) != 0)
		return ct__err(CT_ECORRUPT, "%s: checksum mismatch", path);
	if (ct_le32(m + 8) != cm->fmt->version)
		return ct__err(CT_ECORRUPT, "%s: format version %u, expected %u", path,
		               ct_le32(m + 8), cm->fmt->version);
	if (strncmp((char *)m + HDR_LEN, cm->chain, CHAIN_LEN) != 0)
		return ct__err(CT_ECORRUPT, "%s: store is for chain '%.32s', not '%s'", path,
		               (char *)m + HDR_LEN, cm->chain);
	get_counts(cm, m + HDR_LEN + CHAIN_LEN, counts);
	return 0;
}

static int write_pending(ct_commit *cm, int kind, const void *base, const void *target)
{
	uint8_t p[HDR_LEN + 16 * CT_COMMIT_MAXCOUNTS + 32];
	size_t len = ct__commit_pend_len(cm);
	memset(p, 0, sizeof(p));
	memcpy(p, cm->fmt->pend_magic, 8);
	ct_put_le32(p + 8, (uint32_t)kind);
	put_counts(cm, p + HDR_LEN, base);
	put_counts(cm, p + HDR_LEN + 8 * cm->fmt->ncounts, target);
	ct__sha256(NULL, p + len - 32, p, len - 32);
	return ct__write_atomic(cm->dir, "pending", p, len);
}

/* Every column covers the counts, or the store is damaged. */
static int check_sizes(const ct_commit *cm, const void *counts)
{
	uint64_t v[CT_COMMIT_MAXCOUNTS];
	memcpy(v, counts, 8 * cm->fmt->ncounts);
	for (size_t i = 0; i < cm->ncols; i++) {
		const ct_col *c = cm->cols[i].col;
		uint64_t n = v[cm->cols[i].count];
		if (ct__col_cap(c) < n)
			return ct__err(CT_ECORRUPT, "%s: holds %llu records, meta says %llu", c->path,
			               (unsigned long long)ct__col_cap(c), (unsigned long long)n);
	}
	return 0;
}

/* The columns phase B (or a rollback) wrote in place. */
static int sync_fwd(ct_commit *cm)
{
	int rc;
	for (size_t i = 0; i < cm->ncols; i++)
		if ((cm->cols[i].flags & CT_COMMIT_FWD) && (rc = ct__col_sync(cm->cols[i].col)))
			return rc;
	return 0;
}

/* Phase A's end: every buffered record written, everything durable. */
static int sync_all(ct_commit *cm)
{
	int rc;
	for (size_t i = 0; i < cm->ncols; i++)
		if ((rc = ct__col_flush(cm->cols[i].col)) || (rc = ct__col_sync(cm->cols[i].col)))
			return rc;
	for (size_t i = 0; i < cm->nidx; i++)
		if ((rc = ct__hidx_sync(cm->idx[i])))
			return rc;
	return 0;
}

int ct__commit_recover(ct_commit *cm, void *committed, void *working)
{
	uint8_t p[HDR_LEN + 16 * CT_COMMIT_MAXCOUNTS + 32 + 1], chk[32];
	uint64_t base[CT_COMMIT_MAXCOUNTS], target[CT_COMMIT_MAXCOUNTS];
	char path[4096];
	size_t len, want = ct__commit_pend_len(cm);
	snprintf(path, sizeof(path), "%s/pending", cm->dir);
	int rc = ct__read_small(path, p, want + 1, &len);
	if (rc == CT_ENOTFOUND)
		return 0;
	if (rc)
		return rc;
	ct__sha256(NULL, chk, p, want - 32);
	if (len != want || memcmp(p, cm->fmt->pend_magic, 8) || memcmp(chk, p + want - 32, 32))
		/* A torn journal was never acted upon: phase B starts after it
		 * is durable. */
		return ct__remove_durable(cm->dir, "pending");
	get_counts(cm, p + HDR_LEN, base);
	get_counts(cm, p + HDR_LEN + 8 * cm->fmt->ncounts, target);
	if (counts_eq(cm, base, committed)) {
		if ((rc = check_sizes(cm, target)))
			return rc;
		memcpy(working, target, 8 * cm->fmt->ncounts);
		if (ct_le32(p + 8) == PEND_APPEND)
			rc = cm->fmt->forward(cm->st, base, target, 1);
		else
			rc = cm->fmt->rollback(cm->st, base, target);
		if (rc || (rc = sync_fwd(cm)) || (rc = write_meta(cm, target)))
			return rc;
		memcpy(committed, target, 8 * cm->fmt->ncounts);
	}
	return ct__remove_durable(cm->dir, "pending");
}

int ct__commit_open(ct_commit *cm, const char *dbdir, int writable, void *committed,
                    void *working)
{
	int rc;
	if (writable && (rc = ct__mkdirs(cm->dir)))
		return rc;
	rc = ct__commit_read_meta(cm, committed);
	if (rc == CT_ENOTFOUND) {
		if (!writable)
			return ct__err(CT_ENOTFOUND, "no %s chain in %s", cm->chain, dbdir);
		memset(committed, 0, 8 * cm->fmt->ncounts);
	} else if (rc) {
		return rc;
	}
	for (size_t i = 0; i < cm->ncols; i++) {
		const ct_commit_col *c = &cm->cols[i];
		if ((rc = ct__col_open(c->col, cm->dir, c->name, c->rec, writable)))
			return rc;
	}
	if ((rc = check_sizes(cm, committed)))
		return rc;
	/* Appended columns go through append buffers (column.h), read back
	 * with ct__col_get() until flushed; the others use the map. */
	for (size_t i = 0; writable && i < cm->ncols; i++)
		if ((cm->cols[i].flags & CT_COMMIT_BUF) &&
		    (rc = ct__col_buffered(cm->cols[i].col, 1u << 20)))
			return rc;
	memcpy(working, committed, 8 * cm->fmt->ncounts);
	if (writable)
		return ct__commit_recover(cm, committed, working);
	return 0;
}

void ct__commit_close(ct_commit *cm)
{
	for (size_t i = 0; i < cm->ncols; i++) {
		ct_col *c = cm->cols[i].col;
		if (c->path || c->map)
			ct__col_close(c);
	}
}

void ct__commit_discard(ct_commit *cm)
{
	for (size_t i = 0; i < cm->ncols; i++)
		if (cm->cols[i].flags & CT_COMMIT_BUF)
			ct__col_discard(cm->cols[i].col);
}

int ct__commit_append(ct_commit *cm, void *committed, const void *working)
{
	uint64_t base[CT_COMMIT_MAXCOUNTS], to[CT_COMMIT_MAXCOUNTS];
	int rc;
	if (counts_eq(cm, committed, working))
		return 0;
	memcpy(base, committed, 8 * cm->fmt->ncounts);
	memcpy(to, working, 8 * cm->fmt->ncounts);
	if ((rc = sync_all(cm)))
		return rc;
	ct__commit_crash_point(cm);
	if ((rc = write_pending(cm, PEND_APPEND, base, to)))
		return rc;
	ct__commit_crash_point(cm);
	if ((rc = cm->fmt->forward(cm->st, base, to, 0)))
		return rc;
	ct__commit_crash_point(cm);
	if ((rc = sync_fwd(cm)) || (rc = write_meta(cm, to)))
		return rc;
	ct__commit_crash_point(cm);
	memcpy(committed, to, 8 * cm->fmt->ncounts);
	return ct__remove_durable(cm->dir, "pending");
}

int ct__commit_rollback(ct_commit *cm, void *committed, void *working, const void *to_in)
{
	uint64_t from[CT_COMMIT_MAXCOUNTS], to[CT_COMMIT_MAXCOUNTS];
	int rc;
	memcpy(from, committed, 8 * cm->fmt->ncounts);
	memcpy(to, to_in, 8 * cm->fmt->ncounts);
	if ((rc = write_pending(cm, PEND_ROLLBACK, from, to)))
		return rc;
	ct__commit_crash_point(cm);
	if ((rc = cm->fmt->rollback(cm->st, from, to)))
		return rc;
	ct__commit_crash_point(cm);
	if ((rc = sync_fwd(cm)) || (rc = write_meta(cm, to)))
		return rc;
	if (cm->fmt->rollback_crash_after_meta)
		ct__commit_crash_point(cm);
	memcpy(committed, to, 8 * cm->fmt->ncounts);
	memcpy(working, to, 8 * cm->fmt->ncounts);
	return ct__remove_durable(cm->dir, "pending");
}
