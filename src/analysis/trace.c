/*
 * trace.c - ct_trace(): checks the options and hands the seeds to the
 * engine of the chain model they belong to (UTXO: trace_btc.c; account
 * model: trace_acct.c).
 */
#include "analysis/trace.h"
#include "query/db.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

int ct_trace(ct_db *db, char **json, const ct_trace_options *o)
{
	*json = NULL;
	if (!o || o->version != CT_TRACE_OPTIONS_VERSION)
		return ct__err(CT_EUSER, "ct_trace_options version %u not supported", o ? o->version : 0);
	if (!o->n_seeds)
		return ct__err(CT_EUSER, "a trace needs at least one seed");
	if (ct__tr_policy(o->policy) < 0)
		return ct__err(CT_EUSER, "unknown policy '%s' (poison, haircut, fifo, lifo, tiho)", o->policy);
	if (o->since > o->until)
		return ct__err(CT_EUSER, "--since is after --until");
	char *j = NULL;
	int handled = 0;
	int rc = ct__trace_btc(db, &j, o, &handled);
	if (!rc && !handled)
		rc = ct__trace_acct(db, &j, o, &handled);
	if (!rc && !handled)
		rc = ct__err(CT_ENOTFOUND, "no chain in %s holds the seed %s", db->dir, o->seeds[0]);
	if (rc) {
		free(j);
		return rc;
	}
	*json = j;
	return 0;
}
