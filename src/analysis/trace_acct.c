/*
 * trace_acct.c - the account-model tracing engine (transfers between
 * accounts, per asset). Filled in once the account store exists.
 */
#include "analysis/trace.h"

int ct__trace_acct(struct ct_db *db, json_t **out, const ct_trace_options *o, int *handled)
{
	(void)db;
	(void)out;
	(void)o;
	*handled = 0;
	return 0;
}
