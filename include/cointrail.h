/*
 * cointrail.h - the public C API of cointrail, an engine that ingests
 * blockchains into a compact on-disk store and follows funds through them.
 *
 * Conventions (see docs/internals/api.md):
 *  - Every function that can fail returns 0 or a negative CT_E* code and
 *    leaves a one-line message for ct_error_last() (thread-local).
 *  - Handles are opaque; one process may open several data directories.
 *  - Out-parameters come first after the handle; option structs are
 *    versioned and initialised with their *_INIT macro.
 *  - Strings returned through `char **` are malloc'd and owned by the
 *    caller (free with ct_free()); everything else is borrowed.
 */
#ifndef COINTRAIL_H
#define COINTRAIL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Error codes. The list only ever grows; values never change. */
enum {
	CT_OK = 0,
	CT_EUSER = -1,     /* bad argument or request from the caller      */
	CT_EDATA = -2,     /* bad input data (file, block, row)            */
	CT_EIO = -3,       /* an operating-system call failed              */
	CT_ENOMEM = -4,    /* out of memory                                */
	CT_ENOTFOUND = -5, /* the thing asked for is not in the store      */
	CT_ECORRUPT = -6,  /* the data directory fails its own invariants  */
	CT_EINTERNAL = -7, /* a bug: an invariant of the code itself broke */
	CT_ELOCKED = -8,   /* another process holds the store for writing  */
};

/* The message of the last error on this thread ("" when none). */
const char *ct_error_last(void);
/* A fixed description of an error code. */
const char *ct_strerror(int code);
/* Free memory handed out by this library. Accepts NULL. */
void ct_free(void *p);

/* ---- data directory ---------------------------------------------------- */

typedef struct ct_db ct_db;

#define CT_OPEN_READONLY 0u
#define CT_OPEN_WRITE 1u /* takes the writer lock; creates the directory */

/* Open the data directory `dir` (created on first use with
 * CT_OPEN_WRITE). A crash-interrupted append is finished or discarded
 * here, so an opened store is always a committed state. */
int ct_db_open(ct_db **out, const char *dir, unsigned flags);
void ct_db_close(ct_db *db);

/* ---- Bitcoin ingest ---------------------------------------------------- */

typedef struct ct_progress {
	uint64_t blocks_done, blocks_total;
	uint64_t bytes_done, bytes_total;
	uint64_t txs_done;
	double seconds; /* since the ingest began */
} ct_progress;

typedef struct ct_ingest_options {
	unsigned version;
	/* "mainnet", "testnet", "testnet4", "signet", "regtest", or NULL:
	 * taken from the blk files' magic, else mainnet (raw/hex blocks). */
	const char *network;
	/* Commit after this many blocks or bytes of block data (0: defaults). */
	uint32_t commit_blocks;
	uint64_t commit_bytes;
	void (*progress)(const ct_progress *p, void *payload);
	void *payload;
	/* Keep block trees whose root's parent is unknown even when the chain
	 * from genesis is present (e.g. mixing sample blocks with a chain);
	 * by default such blocks wait for their parents. */
	int allow_gaps;
	/* Change heuristics for clustering ("one-time,optimal,type,round",
	 * "all", "none"); NULL keeps the clustering's current choice. */
	const char *change_heuristics;
} ct_ingest_options;
#define CT_INGEST_OPTIONS_VERSION 1
#define CT_INGEST_OPTIONS_INIT {CT_INGEST_OPTIONS_VERSION, NULL, 0, 0, NULL, NULL, 0, NULL}

typedef struct ct_ingest_result {
	char chain[32];          /* "btc", "btc-testnet", ...            */
	uint64_t blocks_seen;    /* blocks found in the inputs           */
	uint64_t blocks_added;   /* appended to the best chain           */
	uint64_t blocks_known;   /* already in the store                 */
	uint64_t blocks_stale;   /* off the best chain, ignored          */
	uint64_t blocks_orphan;  /* parent not yet available, deferred   */
	uint64_t blocks_rolled_back; /* removed by a reorg                */
	uint64_t txs_added, inputs_added, outputs_added;
	uint64_t inputs_unresolved; /* previous output not in the store  */
	uint64_t bytes;          /* block bytes parsed                   */
	double seconds;
	/* the clustering, brought up to date after the blocks */
	uint64_t cluster_merges, cluster_coinjoins_skipped, cluster_merges_refused;
	double cluster_seconds;
} ct_ingest_result;

/* Ingest Bitcoin blocks from `paths` (a Bitcoin Core blocks directory,
 * blk*.dat files, raw serialized blocks, or hex files). Picks the best
 * chain by cumulative work, appends new blocks, rolls back blocks that
 * left the best chain. On bad data returns CT_EDATA with a message that
 * names the file, byte offset and reason, and the store is unchanged. */
int ct_btc_ingest(ct_db *db, const char *const *paths, size_t npaths,
                  const ct_ingest_options *opts, ct_ingest_result *res);

/* ---- account-model transfers (see docs/internals/account.md) ---------- */

typedef struct ct_transfers_options {
	unsigned version;
	/* "eth", "nem", ... or NULL: from the rows' chain column, else "eth"
	 * for the ethereum-etl / GraphSense schemas. */
	const char *chain;
	/* The sender of every row of a file with no from column (the Bybit
	 * flow files), as text; NULL: such files are bad data. */
	const char *from;
	/* Ingest the good rows and write the bad ones to `rejects` (default
	 * "cointrail-rejects.txt"); without it one bad row rejects the run. */
	int skip_bad;
	const char *rejects;
	void (*progress)(const ct_progress *p, void *payload); /* blocks_* = files */
	void *payload;
	/* One-line notes (unknown columns, files already ingested). */
	void (*note)(const char *msg, void *payload);
} ct_transfers_options;
#define CT_TRANSFERS_OPTIONS_VERSION 1
#define CT_TRANSFERS_OPTIONS_INIT {CT_TRANSFERS_OPTIONS_VERSION, NULL, NULL, 0, NULL, NULL, NULL, NULL}

typedef struct ct_transfers_result {
	char chain[32];
	uint64_t files, files_skipped;   /* skipped: already ingested (same bytes) */
	uint64_t rows, rows_rejected;
	uint64_t transfers, fees, txs, addresses, assets; /* added */
	uint64_t bytes;
	double seconds;
} ct_transfers_result;

/* Ingest account-model transfer files (CSV with a header or JSON Lines;
 * the ethereum-etl and GraphSense schemas; gzip-compressed too). All files
 * of a run are one commit: on a bad row (without skip_bad) returns CT_EDATA
 * with "FILE:LINE: reason" and the store is unchanged. */
int ct_transfers_ingest(ct_db *db, const char *const *paths, size_t npaths,
                        const ct_transfers_options *opts, ct_transfers_result *res);

/* ---- look-ups (JSON strings per docs/json.md) -------------------------- */

/* Each returns a malloc'd JSON document in *out (free with ct_free()).
 * `id` may carry a chain prefix ("btc:..."); without it the chain is
 * inferred from the form, else the only chain in the store is used. */
int ct_query_block(ct_db *db, char **out, const char *id, int with_txs);
int ct_query_tx(ct_db *db, char **out, const char *id);
int ct_query_address(ct_db *db, char **out, const char *addr, size_t max_txs);
int ct_query_stats(ct_db *db, char **out);
/* The cluster of an address: its size, members (up to max_addrs) and the
 * txs that joined them (evidence). */
int ct_query_cluster(ct_db *db, char **out, const char *addr, size_t max_addrs);
/* Write "address,cluster" lines for every clustered address of every
 * chain to `path` (for evaluation against ground truth). */
int ct_cluster_export(ct_db *db, const char *path);
/* Bring every chain's clustering up to date (rebuilding it when the
 * change heuristics differ from those it was built with; NULL keeps
 * them). The db must be open for writing. */
int ct_cluster_update(ct_db *db, const char *change_heuristics, char **json);

/* Verify the data directory; deep also re-derives every index and link.
 * Writes a JSON report to *out (problems listed); returns CT_ECORRUPT if
 * any invariant fails. */
int ct_check(ct_db *db, char **out, int deep);

/* ---- tracing (see docs/tracing.md) ------------------------------------- */

typedef struct ct_trace_options {
	unsigned version;
	/* Seeds: "ADDRESS" (its outflows; inside since/until when given),
	 * "TXID" (every output), "TXID:N" (one output); chain prefix allowed. */
	const char *const *seeds;
	size_t n_seeds;
	const char *policy;     /* poison, haircut (NULL), fifo, lifo, tiho     */
	int backward;           /* where did it come from                       */
	int64_t since, until;   /* Unix seconds; INT64_MIN / INT64_MAX: none    */
	uint32_t max_hops;      /* 0: no limit                                  */
	const char *min_amount; /* dust cutoff in asset units, NULL: none       */
	int through_services;   /* do not stop at exchanges and other services  */
	const char *asset;      /* account model: one asset (NULL: every one)   */
	size_t max_flows;       /* flows kept in the result (0: all)            */
	size_t max_addresses;   /* addresses listed, largest first (0: all)     */
	size_t max_patterns;    /* patterns listed, most value first (0: all)   */
	int summary;            /* list no flows (counted in flows_dropped; the
	                         * pattern finder still sees them): for reports */
} ct_trace_options;
#define CT_TRACE_OPTIONS_VERSION 2
#define CT_TRACE_OPTIONS_INIT \
	{CT_TRACE_OPTIONS_VERSION, NULL, 0, NULL, 0, INT64_MIN, INT64_MAX, 0, NULL, 0, NULL, 0, 0, 0, 0}

/* Follow the seeds' value forward (or backward) under a taint policy;
 * *json receives the `trace --json` document (DESIGN section 6 keys plus
 * totals, endpoints' reasons, clusters, patterns). */
int ct_trace(ct_db *db, char **json, const ct_trace_options *opts);
/* Render a trace document as "text", "csv" (flows), "dot" or "svg"
 * (drawn with Graphviz). *out is malloc'd, *len its length. */
int ct_trace_render(char **out, size_t *len, const char *json, const char *format);

/* Cases: named investigations in the case store (docs/tracing.md). A case
 * keeps its seeds and options; opening or updating it runs the trace and
 * labels every address that received more than `threshold` (asset units;
 * NULL: any amount) with `category` and source "case:NAME". */
int ct_case_open(ct_db *db, char **json, const char *name, const char *category,
                 const char *threshold, const ct_trace_options *opts);
int ct_case_update(ct_db *db, char **json, const char *name);
int ct_case_list(ct_db *db, char **json);
int ct_case_show(ct_db *db, char **json, const char *name);

/* ---- synthetic chains (see docs/synth.md) ------------------------------ */

/* Entry point of `cointrail synth`; argv[0] is "synth". Returns an exit
 * code (0 ok, 1 user error, 2 data error, 3 internal). */
int ct_synth_main(int argc, char **argv);
/* Its usage text (`cointrail synth --help`). */
extern const char ct_synth_usage[];

#ifdef __cplusplus
}
#endif
#endif /* COINTRAIL_H */
