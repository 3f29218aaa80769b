/*
 * cluster.h - address clustering by common-input ownership, kept as a
 * persisted union-find beside the chain store and updated incrementally
 * after each ingest. See docs/internals/cluster.md.
 */
#ifndef CT_ANALYSIS_CLUSTER_H
#define CT_ANALYSIS_CLUSTER_H

#include "chain/btc/btcstore.h"

/* Why two addresses were merged (evidence codes; the change heuristics
 * are options, off by default, combined as a bit set). */
enum {
	CT_H_MULTI_INPUT = 1,
	CT_H_ONE_TIME_CHANGE = 2, /* the only output to a never-seen address   */
	CT_H_OPTIMAL_CHANGE = 4,  /* the only output smaller than every input  */
	CT_H_ADDRESS_TYPE = 8,    /* the only output of the inputs' script type */
	CT_H_ROUND_AMOUNT = 16,   /* the only output that is not a round amount */
};
#define CT_H_CHANGE_ALL (CT_H_ONE_TIME_CHANGE | CT_H_OPTIMAL_CHANGE | CT_H_ADDRESS_TYPE | CT_H_ROUND_AMOUNT)

/* Parse "one-time,optimal,type,round" (or "all", "none") into bits;
 * -1 on an unknown name. */
int ct__cluster_heuristics_parse(const char *list);
const char *ct__cluster_heuristic_name(int bit);

/* Why a tx was not used for merging. */
enum {
	CT_CJ_NONE = 0,
	CT_CJ_WHIRLPOOL,
	CT_CJ_WASABI,
	CT_CJ_JOINMARKET,
	CT_CJ_EQUAL_OUTPUTS,
};

typedef struct ct_cluster_stats {
	uint64_t txs_seen, txs_merged, coinjoins_skipped, merges, merges_refused;
	uint64_t change_merges; /* of the merges, by a change heuristic */
	uint64_t inputs_seen;
	int rebuilt;
	double seconds;
} ct_cluster_stats;

typedef struct ct_clusters ct_clusters;

/* Open the clustering of `st` (writable when st is). A writable open of
 * a clustering that a crash or a reorg left stale rebuilds it. */
int ct__clusters_open(ct_clusters **out, ct_btcstore *st);
/* Choose the change heuristics (bits); a different choice than the one
 * the clustering was built with makes the next update rebuild it. */
void ct__clusters_set_heuristics(ct_clusters *c, int bits);
void ct__clusters_close(ct_clusters *c);
/* Mark the clustering stale (after a rollback): the next update rebuilds. */
int ct__clusters_invalidate(const char *chain_dir);
/* Bring the clustering up to the store's committed txs. */
int ct__clusters_update(ct_clusters *c, ct_cluster_stats *stats);
/* The cluster (its representative: the lowest address id in it) of a;
 * a itself when the clustering has not reached it. */
uint64_t ct__clusters_find(const ct_clusters *c, uint64_t a);
uint64_t ct__clusters_size(const ct_clusters *c, uint64_t root);
/* Members: a circular list; next of a member, and the tx that merged a
 * member's former cluster into this one (UINT64_MAX if none). */
uint64_t ct__clusters_next(const ct_clusters *c, uint64_t a);
uint64_t ct__clusters_via(const ct_clusters *c, uint64_t a, int *heuristic);
/* Whether the clustering covers all committed txs (else answers lag). */
int ct__clusters_current(const ct_clusters *c);
/* The CoinJoin shape of tx t, CT_CJ_NONE when it has none. */
int ct__coinjoin_kind(const ct_btcstore *st, uint64_t t);
const char *ct__coinjoin_name(int kind);

#endif
