/*
 * labels.h - the label store (the labels half of the case store): who an
 * address belongs to, by which source, with what confidence.
 *
 * The store is one SQLite database, DIR/cases.db, in WAL mode. Every label
 * keeps its provenance (source text, source family, the imported file's
 * checksum); a label a newer version of its list drops is marked removed,
 * never deleted. See docs/internals/labels.md for the schema, formats and
 * numbers. These declarations are public once the lead moves them into
 * include/cointrail.h; until then they live here.
 *
 * Conventions as in cointrail.h: 0 or a negative CT_E* code with a one-line
 * message for ct_error_last(); option structs versioned with *_INIT.
 */
#ifndef CT_LABELS_LABELS_H
#define CT_LABELS_LABELS_H

#include <stddef.h>
#include <stdint.h>

#include "cointrail.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ct_labels ct_labels;

/* One label. In arrays handed out by ct_labels_lookup() every string
 * points into the same allocation as the array. */
typedef struct ct_label {
	int64_t id;
	const char *address;  /* "CHAIN:ADDRESS", normalised            */
	const char *chain;    /* "btc", "eth", ...                      */
	const char *category; /* "sanctioned", ... (see labels.md)      */
	const char *name;     /* entity, "" when none                   */
	const char *source;   /* file/list name and version             */
	const char *family;   /* replacement scope: "ofac-sdn", ...     */
	const char *ref;      /* reference inside the source, "" if none */
	double confidence;    /* 0..1, or negative when not given       */
	const char *added;    /* ISO 8601 UTC                           */
} ct_label;

/* Open (writable: create) DIR/cases.db. A writable open creates DIR and
 * the schema. The address index is loaded here. */
int ct_labels_open(ct_labels **out, const char *dbdir, int writable);
/* Accepts NULL. */
void ct_labels_close(ct_labels *l);

typedef struct ct_label_import_options {
	unsigned version;
	const char *format;   /* "sdn", "list", "tagpack", "csv", "etherscan",
	                       * "forta" or NULL: detect */
	const char *chain;    /* lists: chain or currency code of every address  */
	const char *category; /* lists: category of every address; CSV: default  */
	const char *source;   /* family (and source text) instead of the file's  */
	int strict;           /* a row that cannot be used fails the file        */
} ct_label_import_options;
#define CT_LABEL_IMPORT_OPTIONS_VERSION 1
#define CT_LABEL_IMPORT_OPTIONS_INIT {CT_LABEL_IMPORT_OPTIONS_VERSION, NULL, NULL, NULL, NULL, 0}

#define CT_LABEL_MAX_NOTES 8
typedef struct ct_label_import_result {
	char format[16];    /* "sdn", "list", "tagpack", "csv", "etherscan", "forta" */
	char family[96];    /* the replacement scope                        */
	char scope[32];     /* list currency the import replaced, "" = all  */
	char source[256];   /* the provenance text stored with the labels   */
	uint64_t records;   /* usable rows read from the file               */
	uint64_t added, removed, unchanged;
	uint64_t duplicates; /* rows repeating an earlier row of the file   */
	uint64_t skipped;    /* rows that could not be used (see notes)     */
	int already_imported; /* same family and checksum: nothing changed  */
	double seconds;
	unsigned n_notes;   /* skip reasons and "reported once" notes       */
	char notes[CT_LABEL_MAX_NOTES][200];
	uint64_t notes_dropped;
} ct_label_import_result;

/* Import one file, format by opts->format or detected from the name and
 * content (.xml/.xml.bz2 SDN, .yaml/.yml TagPack, .csv (Forta's headers:
 * forta), .json Etherscan export, .txt list). The
 * file is one transaction: on a syntax error nothing is stored and the
 * message names the file and line (or byte offset for XML and bz2).
 * A newer version of a family replaces that family's labels (labels it
 * no longer has are marked removed and counted in res->removed). */
int ct_labels_import(ct_labels *l, const char *path, const ct_label_import_options *opts,
                     ct_label_import_result *res);

/* Add one label by hand. `address` is "CHAIN:ADDRESS" or a bare address
 * whose form names the chain; name/source may be NULL (source defaults to
 * "manual"); confidence < 0 means none. *id receives the row id (may be
 * NULL). An identical active label is not duplicated. */
int ct_labels_add(ct_labels *l, int64_t *id, const char *address, const char *category,
                  const char *name, const char *source, double confidence);

/* Active labels of one address. *out is one malloc'd block (array and
 * strings), owned by the caller: free with ct_free(). *n may be 0 (then
 * *out is NULL). CT_EUSER when the address cannot be read. */
int ct_labels_lookup(ct_labels *l, const char *address, ct_label **out, size_t *n);

/* Same, for hot paths: `norm` must already be normalised
 * (ct_labels_normalize). Returns the number of labels (>= 0) and, when
 * out is not NULL, the array as above. */
int ct_labels_lookup_norm(ct_labels *l, const char *norm, ct_label **out, size_t *n);

/* Normalise an address to "CHAIN:ADDRESS" in out[cap] (cap >= 160).
 * `chain` may be NULL or a chain name / currency code; a prefix on the
 * address wins. CT_EUSER with a message if it cannot be read. */
int ct_labels_normalize(char *out, size_t cap, const char *chain, const char *address);

/* JSON {"labels": [...], "total": N} of active labels, filtered by
 * category and chain (NULL: all), at most `limit` (0: no limit). *json is
 * malloc'd, owned by the caller (ct_free()). */
int ct_labels_list_json(ct_labels *l, char **json, const char *category, const char *chain,
                        size_t limit);
/* JSON {"address", "labels": [...], "removed": [...]} of one address,
 * with provenance; removed labels are those a later list dropped. */
int ct_labels_show_json(ct_labels *l, char **json, const char *address);

/* How many active labels the in-memory index holds. */
size_t ct_labels_count(const ct_labels *l);

/* Entry point of `cointrail label ...`; argv[0] is "label". Returns an
 * exit code: 0 ok, 1 user error, 2 bad data, 3 internal. */
int ct__cli_label(int argc, char **argv, const char *dbdir, int json);
/* Its usage text (`cointrail label --help`). */
extern const char ct__label_usage[];

#ifdef __cplusplus
}
#endif
#endif
