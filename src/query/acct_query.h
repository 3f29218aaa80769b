/*
 * acct_query.h - look-ups and checks over the account-model chains, called
 * by the chain-independent entry points (ct_query_tx, ct_query_address,
 * ct_query_stats, ct_check) beside the Bitcoin ones.
 */
#ifndef CT_QUERY_ACCT_QUERY_H
#define CT_QUERY_ACCT_QUERY_H

#include "query/db.h"

#include "util/error.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <stdint.h>

/* CT_ENOTFOUND (message set) when no account chain has it or the id is
 * not of an account chain's form; *handled = 1 when the id named an
 * account chain explicitly (then the Bitcoin stores are not searched). */
int ct__acct_query_tx(ct_db *db, char **out, const char *id, int *handled);
int ct__acct_query_address(ct_db *db, char **out, const char *addr, size_t max_txs,
                           int *handled);
/* Block "[chain:]HEIGHT" of an account chain: its txs (with_txs: in full,
 * else their ids); the same CT_ENOTFOUND / *handled contract. */
int ct__acct_query_block(ct_db *db, char **out, const char *id, int with_txs, int *handled);
/* Append one object per account chain to the stats "chains" array. */
int ct__acct_stats_append(ct_db *db, json_t *chains);
/* Append one object per account chain to the check "chains" array;
 * *bad |= 1 when a chain fails. */
void ct__acct_check_append(ct_db *db, json_t *chains, int deep, int *bad);

/* ---- shared by the Bitcoin and the account checks (check.c) ------------- */

/* The problems of one chain: the first 50 listed, all counted. */
typedef struct ct__checker {
	json_t *problems;
	uint64_t count;
} ct__checker;

void ct__problem(ct__checker *c, const char *fmt, ...) CT_PRINTF(2, 3);
/* A SHA-256 context for the digest of a deep check (NULL: out of memory,
 * which the EVP calls on it tolerate), and its hex, which frees it. */
EVP_MD_CTX *ct__digest_new(void);
void ct__digest_hex(EVP_MD_CTX *md, char hex[65]);
/* A chain's entry in the check report: its name, then (ended) whether it is
 * ok and its problems; appended to chains, *bad |= 1 when it has any. */
json_t *ct__check_entry(const char *chain, ct__checker *c);
void ct__check_entry_end(json_t *chains, json_t *entry, ct__checker *c, int *bad);

#endif
