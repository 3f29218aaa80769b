/*
 * rows.h - the row reader of `ingest transfers`: CSV with a header or JSON
 * Lines, in memory, split into rows of known columns without allocating
 * per row; and the typed parsing of a row's fields (timestamps, addresses,
 * hashes, heights). Amounts are parsed once the asset's decimals are known
 * (ct__acct_amount_parse). Fuzzed by fuzz/fuzz_transfers.c.
 *
 * Column names are matched after folding case and dropping '_' and ' ',
 * so the DESIGN.md names (timestamp, from, to, amount, tx_hash, ...),
 * ethereum-etl's (from_address, block_timestamp, receipt_status, ...) and
 * GraphSense's (fromAddress, blockTimestamp, ...) meet. The aliases are
 * listed in rows.c and docs/internals/account.md.
 */
#ifndef CT_CHAIN_ACCOUNT_ROWS_H
#define CT_CHAIN_ACCOUNT_ROWS_H

#include "chain/account/acctstore.h"

#include <stddef.h>
#include <stdint.h>

/* Canonical columns. */
enum {
	RC_TIME,      /* timestamp, block_timestamp, timestamp_utc, time_stamp, time */
	RC_FROM,      /* from, from_address                                       */
	RC_TO,        /* to, to_address                                           */
	RC_AMOUNT,    /* amount: asset units                                      */
	RC_VALUE,     /* value: base units (asset units if it has a '.' or 'e')   */
	RC_TXHASH,    /* tx_hash, hash, transaction_hash                          */
	RC_HEIGHT,    /* block_height, block_number, block_id, block              */
	RC_ASSET,     /* asset: contract address or native symbol (or a symbol when a
	                 contract column exists)                                  */
	RC_CONTRACT,  /* token_address, contract_address, contract                */
	RC_SYMBOL,    /* symbol, token_symbol                                     */
	RC_DECIMALS,  /* decimals, token_decimals                                 */
	RC_CHAIN,     /* chain                                                    */
	RC_FEE,       /* fee: native asset units                                  */
	RC_STATUS,    /* receipt_status, status: 0 = failed                       */
	RC_ISERROR,   /* is_error: 1 = failed                                     */
	RC_GASUSED,   /* receipt_gas_used, gas_used                               */
	RC_GASPRICE,  /* gas_price                                                */
	RC_EFFPRICE,  /* receipt_effective_gas_price                              */
	RC_CREATED,   /* receipt_contract_address (to of a contract creation)     */
	RC_N
};

typedef struct ct_field {
	const char *p;
	uint32_t n;
	uint8_t present;
} ct_field;

#define CT_ROWS_MAXCOLS 128
#define CT_ROWS_SCRATCH 8192

typedef struct ct_rows {
	const char *name;  /* for messages */
	const char *buf, *end, *p;
	uint64_t line;     /* line number of the row just returned (1-based) */
	uint64_t extra;    /* newlines inside its quoted fields */
	int jsonl;
	int ncols;         /* CSV: header columns */
	int8_t map[CT_ROWS_MAXCOLS]; /* CSV column -> RC_* or -1 */
	uint8_t has[RC_N]; /* CSV: the header has the column; JSONL: seen so far */
	int naive_utc;     /* the time column is named ..._utc: a zone-less time is UTC */
	int asset_is_symbol; /* a contract column exists: asset is a display symbol */
	/* Unknown columns, reported once: names joined by ", ". */
	char unknown[512];
	int unknown_n, unknown_new;
	/* the last time field parsed, and its value (most rows repeat it) */
	char last_time_s[40];
	uint32_t last_time_n;
	int64_t last_time;
	/* JSONL: decoded escaped strings live here for one row. */
	char scratch[CT_ROWS_SCRATCH];
} ct_rows;

/* Start reading buf (the whole file, any bytes). Detects JSON Lines (first
 * non-blank byte '{') or CSV and reads the CSV header. Returns 0, or
 * CT_EDATA with "NAME:1: reason". */
int ct__rows_init(ct_rows *r, const char *name, const char *buf, size_t len);
/* The next row: 1 and the fields (indexed by RC_*; absent ones have
 * present = 0); 0 at the end; CT_EDATA for a row that cannot be split
 * (*why set, r->line names it, *line_p/len the raw line). */
int ct__rows_next(ct_rows *r, ct_field *f, const char **line_p, size_t *line_len,
                  const char **why);

/* A row's typed fields (the amount stays text until the asset is known). */
typedef struct ct_prow {
	int64_t time;
	uint64_t height;        /* CT_ACCT_NONE if absent */
	ct_acct_key from, to;   /* to.len == 0: no recipient (contract creation) */
	int has_hash;
	uint8_t hash[32];       /* as written (display order) */
	int token;              /* the asset is a token: contract set */
	ct_acct_key contract;
	ct_field symbol;
	int decimals;           /* from a decimals column, else -1 */
	ct_field amount;        /* the text */
	int amount_base;        /* amount is in base units (value column, integer) */
	ct_field fee;           /* fee text (native asset units) or absent */
	int fee_wei;            /* fee_wei_v holds gas_used * gas_price */
	ct_u256 fee_wei_v;
	int failed;
	ct_field chain;
} ct_prow;

/* Type the fields of a row for a chain of address format `af`.
 * native_sym: the chain's native symbol (an asset column equal to it, case
 * folded, or "native" or empty, names the native asset). from_override:
 * used when there is no from column (NULL: from is required).
 * Returns 0 or -1 with *why (a static string, or one in r->scratch). */
int ct__row_type(ct_rows *r, const ct_field *f, int af, const char *native_sym,
                 const ct_acct_key *from_override, ct_prow *out, const char **why);

/* Timestamps: ISO 8601 with a zone (Z, +hh:mm, +hhmm, +hh, " UTC"), or
 * Unix seconds; naive_utc also accepts no zone. Fractions of a second are
 * dropped. Returns 0 or -1. */
int ct__parse_time(const char *s, size_t n, int naive_utc, int64_t *out);

#endif
