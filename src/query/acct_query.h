/*
 * acct_query.h - look-ups and checks over the account-model chains, called
 * by the chain-independent entry points (ct_query_tx, ct_query_address,
 * ct_query_stats, ct_check) beside the Bitcoin ones.
 */
#ifndef CT_QUERY_ACCT_QUERY_H
#define CT_QUERY_ACCT_QUERY_H

#include "query/db.h"

#include <jansson.h>

/* CT_ENOTFOUND (message set) when no account chain has it or the id is
 * not of an account chain's form; *handled = 1 when the id named an
 * account chain explicitly (then the Bitcoin stores are not searched). */
int ct__acct_query_tx(ct_db *db, char **out, const char *id, int *handled);
int ct__acct_query_address(ct_db *db, char **out, const char *addr, size_t max_txs,
                           int *handled);
/* Append one object per account chain to the stats "chains" array. */
int ct__acct_stats_append(ct_db *db, json_t *chains);
/* Append one object per account chain to the check "chains" array;
 * *bad |= 1 when a chain fails. */
void ct__acct_check_append(ct_db *db, json_t *chains, int deep, int *bad);

#endif
