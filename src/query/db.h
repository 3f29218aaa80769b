/*
 * db.h - the data directory handle, shared by the query and ingest code.
 */
#ifndef CT_QUERY_DB_H
#define CT_QUERY_DB_H

#include "cointrail.h"
#include "chain/btc/btcstore.h"

struct ct_db {
	char *dir;
	int writable;
	int lock_fd;
};

/* Chains present in the data directory (store subdirectories with a
 * meta file), in a fixed order. Returns how many were written. */
size_t ct__db_btc_nets(const ct_db *db, const ct_btc_net **out, size_t cap);

int ct__btc_ingest_dir(const char *dbdir, const char *const *paths, size_t npaths,
                       const ct_ingest_options *opts, ct_ingest_result *res);

#endif
