/*
 * commit.h - the commit protocol shared by the chain stores (Bitcoin and
 * account chains): the meta file, the `pending` journal, the three-phase
 * append commit, recovery at open and rollback. See
 * docs/internals/store.md ("Appending: the commit protocol").
 *
 * A store describes itself once (its directory, magics, chain name, its
 * columns and indexes, the columns that phase B updates in place) and
 * passes its own parts as callbacks: phase B of an append (the forward
 * pointers), the undo of a rollback, the size check of its columns.
 *
 * Counts: a store's counts are a struct of `ncounts` uint64_t fields
 * (no padding), written in field order. On disk, little-endian:
 *   meta    = magic (8), version (4), 0 (4), chain name (32, NUL-padded),
 *             counts (8 each), SHA-256 of all before it (32)
 *   pending = magic (8), kind (4), 0 (4), base counts, target counts,
 *             SHA-256 of all before it (32)
 *
 * The test hook COINTRAIL_CRASH_AT=N kills the process with SIGKILL at
 * the N-th crash point (ct__commit_crash_point: every step of the
 * protocol, and the points the stores add while appending).
 */
#ifndef CT_STORE_COMMIT_H
#define CT_STORE_COMMIT_H

#include "store/column.h"
#include "store/hashidx.h"

#include <stddef.h>
#include <stdint.h>

#define CT_COMMIT_MAXCOUNTS 8
#define CT_COMMIT_MAXCOLS 16
#define CT_COMMIT_MAXIDX 4

/* What is fixed for a kind of store. */
typedef struct ct_commit_fmt {
	const char *meta_magic; /* 8 bytes                                  */
	const char *pend_magic; /* 8 bytes                                  */
	const char *what;       /* "cointrail store": for messages          */
	uint32_t version;
	size_t ncounts;         /* words of the counts struct               */
	/* a crash point after a rollback's meta (the account store has one) */
	int rollback_crash_after_meta;
	/* Phase B of an append: the forward pointers of records [base, to).
	 * Idempotent. `recovering`: redone at open from the records alone
	 * (no batch state left). May call ct__commit_crash_point(). */
	int (*forward)(void *st, const void *base, const void *to, int recovering);
	/* Undo the forward pointers of records [to, from). Idempotent. */
	int (*rollback)(void *st, const void *from, const void *to);
} ct_commit_fmt;

/* A column of the store: its file name, record width, role, and which
 * count (word of the counts struct) it must hold records for. */
#define CT_COMMIT_BUF 1u /* appended through an append buffer (column.h)      */
#define CT_COMMIT_FWD 2u /* updated in place by phase B and rollbacks: synced
                            again before meta                                 */
typedef struct ct_commit_col {
	ct_col *col;
	const char *name;
	size_t rec;
	unsigned flags;
	unsigned count;
} ct_commit_col;

typedef struct ct_commit {
	const ct_commit_fmt *fmt;
	void *st;          /* the store, passed to the ops   */
	const char *dir;   /* its directory (borrowed)       */
	const char *chain; /* the name in meta (borrowed)    */
	ct_commit_col cols[CT_COMMIT_MAXCOLS]; /* every column: synced in phase A */
	size_t ncols;
	ct_hidx *idx[CT_COMMIT_MAXIDX]; /* every index: synced in phase A */
	size_t nidx;
	uint64_t crash_at, crash_count; /* COINTRAIL_CRASH_AT */
} ct_commit;

/* Describe a store: its kind, itself, its directory, its columns and its
 * indexes (NULL-terminated). Reads COINTRAIL_CRASH_AT. */
void ct__commit_init(ct_commit *cm, const ct_commit_fmt *fmt, void *st, const char *dir,
                     const char *chain, const ct_commit_col *cols, size_t ncols,
                     ct_hidx *const *idx);
/* Open the store's files: meta (a writer creates the directory, and a
 * missing store is an empty one; a reader gets CT_ENOTFOUND naming
 * dbdir), every column, the size check, append buffers for a writer, then
 * a writer's recovery. The indexes are the store's to open after this. */
int ct__commit_open(ct_commit *cm, const char *dbdir, int writable, void *committed,
                    void *working);
/* Close the columns opened by ct__commit_open. */
void ct__commit_close(ct_commit *cm);
/* Drop the buffered records of an aborted batch. */
void ct__commit_discard(ct_commit *cm);
/* A step of the protocol: SIGKILL here if the test hook says so. */
void ct__commit_crash_point(ct_commit *cm);

/* meta: 0 and the committed counts, CT_ENOTFOUND (no store yet), or
 * CT_ECORRUPT. */
int ct__commit_read_meta(ct_commit *cm, void *counts);
/* The bytes of meta and of pending. */
size_t ct__commit_meta_len(const ct_commit *cm);
size_t ct__commit_pend_len(const ct_commit *cm);

/* At a writer's open, after the columns are mapped: finish (roll
 * forward) or drop a `pending` journal. `committed` and `working` are the
 * store's count structs. */
int ct__commit_recover(ct_commit *cm, void *committed, void *working);

/* Commit the open batch (working past committed): A (flush and sync every
 * column and index), B (journal, then ops->forward), C (meta). On success
 * *committed = *working. A no-op when they are equal. */
int ct__commit_append(ct_commit *cm, void *committed, const void *working);

/* Roll the committed state back to `to` (counts below committed):
 * journal, ops->rollback, meta. The caller has discarded any open batch.
 * On success *committed = *working = *to. */
int ct__commit_rollback(ct_commit *cm, void *committed, void *working, const void *to);

#endif
