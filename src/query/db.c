/*
 * db.c - open and close a data directory; dispatch ingest to the chain.
 */
#include "query/db.h"
#include "util/error.h"
#include "util/fsutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int ct_db_open(ct_db **out, const char *dir, unsigned flags)
{
	int rc;
	ct_db *db = ct__calloc(1, sizeof(*db));
	if (!db)
		return CT_ENOMEM;
	db->lock_fd = -1;
	db->writable = (flags & CT_OPEN_WRITE) != 0;
	if (!(db->dir = ct__strdup(dir))) {
		free(db);
		return CT_ENOMEM;
	}
	if (db->writable) {
		if ((rc = ct__mkdirs(dir)) || (rc = ct__lock_dir(dir, &db->lock_fd))) {
			ct_db_close(db);
			return rc;
		}
	} else if (!ct__is_dir(dir)) {
		ct_db_close(db);
		return ct__err(CT_EUSER, "%s: no data directory here (ingest something first)", dir);
	}
	*out = db;
	return 0;
}

void ct_db_close(ct_db *db)
{
	if (!db)
		return;
	if (db->lock_fd >= 0)
		close(db->lock_fd);
	free(db->dir);
	free(db);
}

size_t ct__db_btc_nets(const ct_db *db, const ct_btc_net **out, size_t cap)
{
	static const char *const names[] = {"mainnet", "testnet", "testnet4", "signet", "regtest"};
	size_t n = 0;
	for (size_t i = 0; i < CT_ARRAY_LEN(names) && n < cap; i++) {
		const ct_btc_net *net = ct__btc_net_by_name(names[i]);
		if (ct__btcstore_exists(db->dir, net->chain))
			out[n++] = net;
	}
	return n;
}

int ct_btc_ingest(ct_db *db, const char *const *paths, size_t npaths,
                  const ct_ingest_options *opts, ct_ingest_result *res)
{
	if (!db->writable)
		return ct__err(CT_EUSER, "data directory opened read-only");
	if (opts && opts->version != CT_INGEST_OPTIONS_VERSION)
		return ct__err(CT_EUSER, "ct_ingest_options version %u not supported", opts->version);
	return ct__btc_ingest_dir(db->dir, paths, npaths, opts, res);
}
