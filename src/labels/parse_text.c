/*
 * parse_text.c - the two line formats: address lists (one address a line,
 * as in the 0xB10C and brave-intl sanctioned_addresses_XXX.txt files) and
 * CSV with a header (RFC 4180 quoting, one record a line: a quoted field
 * may not span lines, which keeps every line bounded).
 */
#include "labels/labels_int.h"
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int ct__labels_parse_list(ct__lsrc *src, ct__label_meta *meta, ct__label_emit emit, void *payload)
{
	(void)meta;
	ct__lines lr;
	int rc = ct__lines_init(&lr, src);
	if (rc)
		return rc;
	char *line;
	size_t len;
	while ((rc = ct__lines_next(&lr, &line, &len)) == 1) {
		/* A UTF-8 byte order mark on the first line is not part of it. */
		if (lr.lineno == 1 && len >= 3 && !memcmp(line, "\xef\xbb\xbf", 3))
			line += 3;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *a = ct__lbl_trim(line);
		if (!*a)
			continue;
		ct__label_rec r = {0};
		r.address = a;
		r.confidence = -1;
		r.line = lr.lineno;
		rc = emit(&r, payload);
		if (rc)
			break;
	}
	ct__lines_free(&lr);
	return rc < 0 ? rc : 0;
}

/* Split one CSV line in place into at most CT_LBL_MAX_CSV_COLS fields.
 * Returns the field count or a negative code. Shared with parse_eth.c. */
int ct__lbl_csv_split(char *s, char **f, uint64_t lineno)
{
	int n = 0;
	char *w = s;
	for (;;) {
		if (n == (int)CT_LBL_MAX_CSV_COLS)
			return ct__err(CT_EDATA, "line %llu: more than %u columns",
			               (unsigned long long)lineno, CT_LBL_MAX_CSV_COLS);
		f[n++] = w;
		if (*s == '"') {
			s++;
			for (;;) {
				if (*s == '\0')
					return ct__err(CT_EDATA, "line %llu: unterminated quoted field",
					               (unsigned long long)lineno);
				if (*s == '"') {
					if (s[1] == '"') {
						*w++ = '"';
						s += 2;
						continue;
					}
					s++;
					break;
				}
				*w++ = *s++;
			}
			if (*s != ',' && *s != '\0')
				return ct__err(CT_EDATA, "line %llu: text after a closing quote",
				               (unsigned long long)lineno);
		} else {
			while (*s && *s != ',') {
				if (*s == '"')
					return ct__err(CT_EDATA, "line %llu: quote inside an unquoted field",
					               (unsigned long long)lineno);
				*w++ = *s++;
			}
		}
		if (*s == '\0') {
			*w = '\0';
			return n;
		}
		/* *s == ',': end this field, start the next after it */
		s++;
		*w++ = '\0';
		w = s;
	}
}

enum { COL_ADDRESS, COL_CATEGORY, COL_NAME, COL_SOURCE, COL_CHAIN, COL_CONFIDENCE, COL_N };

static int column_of(const char *h)
{
	static const struct {
		const char *name;
		int col;
	} names[] = {
		{"address", COL_ADDRESS},   {"addr", COL_ADDRESS},       {"category", COL_CATEGORY},
		{"name", COL_NAME},         {"entity", COL_NAME},        {"label", COL_NAME},
		{"source", COL_SOURCE},     {"chain", COL_CHAIN},        {"currency", COL_CHAIN},
		{"network", COL_CHAIN},     {"confidence", COL_CONFIDENCE},
	};
	for (size_t i = 0; i < CT_ARRAY_LEN(names); i++)
		if (!strcasecmp(h, names[i].name))
			return names[i].col;
	return -1;
}

const char *ct__lbl_table_get(ct__lbl_table *t, int k)
{
	if (t->col[k] < 0)
		return NULL;
	char *v = ct__lbl_trim(t->f[t->col[k]]);
	return *v ? v : NULL;
}

static int table_header(ct__lbl_table *t, int n)
{
	for (int i = 0; i < n; i++) {
		char *h = ct__lbl_trim(t->f[i]);
		int c = t->kind->column(h);
		if (c == -1 && t->meta->note) {
			char msg[160];
			snprintf(msg, sizeof(msg), "line 1: column '%.60s' ignored", h);
			t->meta->note(t->payload, msg);
		}
		if (c < 0)
			continue;
		if (t->col[c] >= 0)
			return ct__err(CT_EDATA, "line 1: column '%.60s' given twice", h);
		t->col[c] = i;
	}
	if (t->col[t->kind->key] < 0)
		return ct__err(CT_EDATA, "line 1: %s", t->kind->no_key);
	t->ncols = n;
	return 0;
}

/* The next row: 1, 0 at the end, or < 0. */
static int table_row(ct__lbl_table *t)
{
	char *line;
	size_t len;
	int rc;
	while ((rc = ct__lines_next(&t->lr, &line, &len)) == 1) {
		if (t->lr.lineno == 1 && len >= 3 && !memcmp(line, "\xef\xbb\xbf", 3))
			line += 3;
		if (!*ct__lbl_trim(line) && t->ncols)
			continue;
		int n = ct__lbl_csv_split(line, t->f, t->lr.lineno);
		if (n < 0)
			return n;
		if (!t->ncols) {
			if ((rc = table_header(t, n)) < 0)
				return rc;
			continue;
		}
		if (n != t->ncols)
			return ct__err(CT_EDATA, "line %llu: %d fields where the header has %d",
			               (unsigned long long)t->lr.lineno, n, t->ncols);
		for (int i = 0; i < n; i++)
			if (strlen(t->f[i]) > CT_LBL_MAX_FIELD)
				return ct__err(CT_EDATA, "line %llu: field %d longer than %u bytes",
				               (unsigned long long)t->lr.lineno, i + 1, CT_LBL_MAX_FIELD);
		return 1;
	}
	if (rc == 0 && !t->ncols)
		return ct__err(CT_EDATA, "line 1: %s", t->kind->empty);
	return rc;
}

int ct__lbl_table_parse(const ct__lbl_table_kind *kind, ct__lsrc *src, ct__label_meta *meta,
                        int (*row)(ct__lbl_table *t, ct__label_emit emit, void *payload),
                        ct__label_emit emit, void *payload)
{
	ct__lbl_table t = {.kind = kind, .meta = meta, .payload = payload};
	for (int i = 0; i < CT_LBL_TABLE_COLS; i++)
		t.col[i] = -1;
	int rc = ct__lines_init(&t.lr, src);
	if (rc)
		return rc;
	while ((rc = table_row(&t)) == 1)
		if ((rc = row(&t, emit, payload)))
			break;
	ct__lines_free(&t.lr);
	return rc < 0 ? rc : 0;
}

static int csv_row(ct__lbl_table *t, ct__label_emit emit, void *payload)
{
	ct__label_rec r = {0};
	r.line = t->lr.lineno;
	r.address = ct__lbl_trim(t->f[t->col[COL_ADDRESS]]);
	r.category = ct__lbl_table_get(t, COL_CATEGORY);
	r.name = ct__lbl_table_get(t, COL_NAME);
	r.source = ct__lbl_table_get(t, COL_SOURCE);
	r.chain = ct__lbl_table_get(t, COL_CHAIN);
	r.confidence = -1;
	if (t->col[COL_CONFIDENCE] >= 0) {
		const char *v = t->f[t->col[COL_CONFIDENCE]];
		r.confidence = ct__labels_confidence(v);
		if (r.confidence < -1.5)
			return ct__err(CT_EDATA, "line %llu: confidence '%.40s' is not a number in 0..1",
			               (unsigned long long)t->lr.lineno, v);
	}
	return emit(&r, payload);
}

int ct__labels_parse_csv(ct__lsrc *src, ct__label_meta *meta, ct__label_emit emit, void *payload)
{
	static const ct__lbl_table_kind csv = {
		column_of, COL_ADDRESS,
		"the header has no 'address' column (expected address,category,name,source)",
		"empty file, a header address,category,name,source is required"};
	return ct__lbl_table_parse(&csv, src, meta, csv_row, emit, payload);
}
