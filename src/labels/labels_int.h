/*
 * labels_int.h - inside the label store: the byte sources the importers
 * read from, the record every parser emits, and the parsers themselves.
 *
 * Parsers know nothing of SQLite: each reads a ct__lsrc and hands one
 * ct__label_rec per usable row to a callback, so the fuzz targets drive
 * them without a database. Normalisation (chain, address, category) is
 * the store's job, done on each record as it arrives.
 */
#ifndef CT_LABELS_INT_H
#define CT_LABELS_INT_H

#include <stddef.h>
#include <stdint.h>

#include "labels/labels.h"

/* Hard caps on what a label file controls. */
#define CT_LBL_MAX_LINE 65536u     /* list and CSV line             */
#define CT_LBL_MAX_FIELD 4096u     /* any one field or YAML scalar   */
#define CT_LBL_MAX_CSV_COLS 64u
#define CT_LBL_MAX_XML_DEPTH 64
#define CT_LBL_MAX_ADDR 128u       /* address text                   */
#define CT_LBL_MAX_PROFILE_ADDRS 100000u

/* ---- byte sources ------------------------------------------------------ */

/* A pull stream. read() fills up to cap bytes, sets *got (0 = end) and
 * returns 0 or a negative CT_E* code with a message. `offset` counts the
 * bytes delivered so far (decompressed bytes for bz2). */
typedef struct ct__lsrc {
	int (*read)(struct ct__lsrc *s, void *buf, size_t cap, size_t *got);
	void (*close)(struct ct__lsrc *s);
	uint64_t offset;
	void *impl;
} ct__lsrc;

/* A file; CT_EIO if it cannot be opened. */
int ct__lsrc_file(ct__lsrc *s, const char *path);
/* A borrowed buffer (valid while the source is used). */
void ct__lsrc_mem(ct__lsrc *s, const void *data, size_t len);
/* bzip2 decompression of `inner` (owned: closed with the wrapper). A
 * truncated or corrupt stream is CT_EDATA naming the compressed offset. */
int ct__lsrc_bz2(ct__lsrc *s, ct__lsrc *inner);
int ct__lsrc_read(ct__lsrc *s, void *buf, size_t cap, size_t *got);
void ct__lsrc_close(ct__lsrc *s);

/* Lines of a source, each without its line end (LF or CRLF), at most
 * CT_LBL_MAX_LINE bytes (longer is CT_EDATA). */
typedef struct ct__lines {
	ct__lsrc *src;
	char *buf;
	size_t len, pos, cap;
	int eof;
	uint64_t lineno; /* of the line last returned, 1-based */
} ct__lines;

int ct__lines_init(ct__lines *r, ct__lsrc *src);
/* 1 with *line and *len (NUL-terminated, writable until the next call), 0 at
 * the end, or a negative code. */
int ct__lines_next(ct__lines *r, char **line, size_t *len);
void ct__lines_free(ct__lines *r);

/* ---- records ----------------------------------------------------------- */

typedef struct ct__label_rec {
	const char *chain;    /* chain or currency code; NULL: from the address */
	const char *address;  /* as written in the file                        */
	const char *category; /* as written; NULL: the import's default        */
	const char *name;     /* NULL: none                                    */
	const char *source;   /* per-row source text; NULL: the file's          */
	const char *ref;      /* e.g. "sdn:25308"; NULL: none                   */
	const char *scope;    /* list currency code; NULL: none                 */
	double confidence;    /* < 0: none                                      */
	uint64_t line;        /* line (or byte offset for XML) for messages     */
} ct__label_rec;

/* Returns 0 to go on or a negative code to stop the parse with it. */
typedef int (*ct__label_emit)(const ct__label_rec *r, void *payload);

/* What a parser learned about the file as a whole. */
typedef struct ct__label_meta {
	char version[64];  /* SDN DateOfIssue, TagPack lastmod, ...  */
	char title[160];   /* TagPack title                           */
	/* called once per unknown thing worth a note (unknown CSV column) */
	void (*note)(void *payload, const char *msg);
} ct__label_meta;

/* OFAC SDN advanced XML ("Digital Currency Address - XXX" features).
 * Each record: chain = scope = the currency code, ref "sdn:PROFILE",
 * name = the primary name. Errors are CT_EDATA "line L, byte B: ...". */
int ct__labels_parse_sdn(ct__lsrc *src, ct__label_meta *meta, ct__label_emit emit, void *payload);
/* One address a line; '#' comments and blank lines skipped. */
int ct__labels_parse_list(ct__lsrc *src, ct__label_meta *meta, ct__label_emit emit, void *payload);
/* GraphSense TagPack YAML: header keys inherited by each tag. */
int ct__labels_parse_tagpack(ct__lsrc *src, ct__label_meta *meta, ct__label_emit emit,
                             void *payload);
/* CSV with a header naming at least address; category, name, source,
 * chain/currency and confidence are used when present. RFC 4180 quotes. */
int ct__labels_parse_csv(ct__lsrc *src, ct__label_meta *meta, ct__label_emit emit, void *payload);

/* Etherscan label export (brianleect/etherscan-labels combined*Labels.json):
 * one JSON object {"0xADDR": {"name": "...", "labels": ["exchange", ...]}}.
 * The whole source is read (at most CT_LBL_MAX_JSON bytes) and parsed with
 * jansson; rec.line is the entry's position (1-based). One record per
 * category the entry's labels map to (ct__labels_etherscan_category), else
 * one "service" record. ref is "etherscan:" + the labels. */
#define CT_LBL_MAX_JSON (256u << 20)
int ct__labels_parse_etherscan(ct__lsrc *src, ct__label_meta *meta, ct__label_emit emit,
                               void *payload);
/* Forta labelled-datasets CSVs, recognised by their header: phishing_scams
 * (address, etherscan_tag, etherscan_labels, is_contract),
 * etherscan_malicious_labels (banned_address, wallet_tag, data_source),
 * malicious_smart_contracts (contract_address, contract_tag,
 * contract_creator, contract_creator_tag, ...). A contract's creator is a
 * second record. Chain: the caller's default (from the directory). */
int ct__labels_parse_forta(ct__lsrc *src, ct__label_meta *meta, ct__label_emit emit,
                           void *payload);
/* 1 when a CSV header line (NUL-terminated) is one of Forta's. */
int ct__labels_is_forta_header(const char *line);
/* Our category for an Etherscan label word ("phish-hack" -> scam, "binance"
 * -> exchange, "tornado-cash" -> mixer); NULL when it names no category. */
const char *ct__labels_etherscan_category(const char *word);
/* Split one CSV line in place (RFC 4180 quotes); field count or < 0. */
int ct__lbl_csv_split(char *s, char **f, uint64_t lineno);

/* A CSV file whose header names its columns (the csv format, Forta's):
 * each header name is mapped by `column` to one of the format's columns
 * (-1: unknown, noted through meta->note; -2: known and unused; a column
 * twice is CT_EDATA), and a header without column `key` is CT_EDATA
 * `no_key`; an empty file is CT_EDATA `empty`. */
#define CT_LBL_TABLE_COLS 16
typedef struct ct__lbl_table_kind {
	int (*column)(const char *name);
	int key;
	const char *no_key, *empty;
} ct__lbl_table_kind;

/* The rows of such a file, one at a time: a UTF-8 BOM and blank lines
 * skipped, the header's field count and CT_LBL_MAX_FIELD checked. */
typedef struct ct__lbl_table {
	const ct__lbl_table_kind *kind;
	ct__label_meta *meta;
	void *payload;
	ct__lines lr;
	int col[CT_LBL_TABLE_COLS]; /* the format's column -> field, -1 if absent */
	int ncols;                  /* fields of the header; 0 before it */
	char *f[CT_LBL_MAX_CSV_COLS]; /* the row's fields, untrimmed */
} ct__lbl_table;

/* Parse src as a table of `kind`, calling row(t, emit, payload) for each
 * row (0 to go on, < 0 to stop with it); 0 or a negative code. */
int ct__lbl_table_parse(const ct__lbl_table_kind *kind, ct__lsrc *src, ct__label_meta *meta,
                        int (*row)(ct__lbl_table *t, ct__label_emit emit, void *payload),
                        ct__label_emit emit, void *payload);
/* Column k of the row, trimmed; NULL when absent or empty. */
const char *ct__lbl_table_get(ct__lbl_table *t, int k);

/* ---- normalisation ----------------------------------------------------- */

/* Chain for a chain name or currency code ("XBT" -> "btc"; "USDT" by the
 * address's form, else "eth"). *known is 0 when the code was not in the
 * table (the code, lower-cased, is used). CT_EUSER if unusable. */
int ct__labels_chain(char out[32], const char *code, const char *address, int *known);
/* Our category for a taxonomy term of ours, GraphSense's or INTERPOL's;
 * unknown terms are lower-cased with '_'/' ' -> '-' and *known = 0. */
int ct__labels_category(char out[48], const char *term, int *known);
/* GraphSense confidence level name -> 0..1, or -1 if unknown. */
double ct__labels_confidence_level(const char *name);
/* Read a confidence "0.8", "80%", or a level name; -1 when empty,
 * -2 when unreadable. */
double ct__labels_confidence(const char *text);
/* Currency code from a list file name ("sanctioned_addresses_XBT.txt"
 * -> "XBT"); 0 or -1. */
int ct__labels_list_currency(char out[16], const char *path);

/* Duplicate at most n bytes into a bounded scratch; helpers for parsers. */
char *ct__lbl_trim(char *s);

/* The case store's own tables (cases.c) share the handle: the SQLite
 * connection, and a note that labels changed behind the index. */
struct sqlite3;
struct sqlite3 *ct__labels_sqlite(ct_labels *l);
void ct__labels_changed(ct_labels *l);

#endif
