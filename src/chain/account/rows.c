/*
 * rows.c - split CSV (with header) and JSON Lines transfer files into rows
 * of canonical columns, and type a row's fields. No allocation per row, no
 * sscanf/strtod: this is the hot path of `ingest transfers`.
 */
#include "chain/account/rows.h"
#include "util/error.h"

#include <stdio.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* ---- column names ------------------------------------------------------- */

static const struct {
	const char *name; /* folded: lower-case, no '_' or ' ' */
	int col;
} ALIASES[] = {
	{"timestamp", RC_TIME},        {"blocktimestamp", RC_TIME},
	{"timestamputc", RC_TIME},     {"time", RC_TIME},
	{"from", RC_FROM},             {"fromaddress", RC_FROM},
	{"to", RC_TO},                 {"toaddress", RC_TO},
	{"amount", RC_AMOUNT},         {"value", RC_VALUE},
	{"txhash", RC_TXHASH},         {"hash", RC_TXHASH},
	{"transactionhash", RC_TXHASH}, {"blockheight", RC_HEIGHT},
	{"blocknumber", RC_HEIGHT},    {"blockid", RC_HEIGHT},
	{"block", RC_HEIGHT},          {"asset", RC_ASSET},
	{"tokenaddress", RC_CONTRACT}, {"contractaddress", RC_CONTRACT},
	{"contract", RC_CONTRACT},     {"symbol", RC_SYMBOL},
	{"tokensymbol", RC_SYMBOL},    {"decimals", RC_DECIMALS},
	{"tokendecimals", RC_DECIMALS}, {"chain", RC_CHAIN},
	{"fee", RC_FEE},               {"receiptstatus", RC_STATUS},
	{"status", RC_STATUS},         {"iserror", RC_ISERROR},
	{"receiptgasused", RC_GASUSED}, {"gasused", RC_GASUSED},
	{"gasprice", RC_GASPRICE},     {"receipteffectivegasprice", RC_EFFPRICE},
	{"receiptcontractaddress", RC_CREATED},
};

/* Fold a column name; returns its RC_* or -1. *utc: the name ends in utc. */
static int col_of(const char *s, size_t n, int *utc)
{
	char f[64];
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '_' || c == ' ' || c == '-')
			continue;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		if (m + 1 >= sizeof(f))
			return -1;
		f[m++] = c;
	}
	f[m] = 0;
	*utc = m >= 3 && !strcmp(f + m - 3, "utc");
	for (size_t i = 0; i < CT_ARRAY_LEN(ALIASES); i++)
		if (!strcmp(ALIASES[i].name, f))
			return ALIASES[i].col;
	return -1;
}

static void note_unknown(ct_rows *r, const char *s, size_t n)
{
	size_t have = strlen(r->unknown);
	/* Already listed? (names are short; a linear look is fine) */
	const char *q = r->unknown;
	while (*q) {
		const char *e = strstr(q, ", ");
		size_t l = e ? (size_t)(e - q) : strlen(q);
		if (l == n && !memcmp(q, s, n))
			return;
		q += l;
		if (*q)
			q += 2;
	}
	if (have + n + 3 >= sizeof(r->unknown))
		return;
	if (have) {
		memcpy(r->unknown + have, ", ", 2);
		have += 2;
	}
	for (size_t i = 0; i < n; i++)
		r->unknown[have + i] = (s[i] >= 32 && s[i] < 127) ? s[i] : '?';
	r->unknown[have + n] = 0;
	r->unknown_n++;
	r->unknown_new = 1;
}

/* ---- CSV ---------------------------------------------------------------- */

/* The end of the record starting at p (the '\n' or end), quote-aware. */
static const char *record_end(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	if (!nl)
		nl = end;
	if (!memchr(p, '"', (size_t)(nl - p)))
		return nl;
	int inq = 0;
	for (const char *q = p; q < end; q++) {
		if (*q == '"')
			inq = !inq;
		else if (*q == '\n' && !inq)
			return q;
	}
	return end;
}

/* Split one CSV record [p, e) into fields; quoted fields are unquoted
 * into scratch. Returns the field count or -1 (*why). */
static int csv_split(ct_rows *r, const char *p, const char *e, ct_field *out, int max,
                     const char **why)
{
	int n = 0;
	size_t sc = 0;
	if (e > p && e[-1] == '\r')
		e--;
	for (;;) {
		if (n == max) {
			*why = "too many fields";
			return -1;
		}
		if (p < e && *p == '"') {
			/* quoted: copy to scratch, "" is a quote */
			const char *q = p + 1;
			size_t start = sc;
			for (;;) {
				if (q >= e) {
					*why = "unterminated quoted field";
					return -1;
				}
				if (*q == '"') {
					if (q + 1 < e && q[1] == '"') {
						q += 2;
						if (sc >= sizeof(r->scratch)) {
							*why = "quoted fields too long";
							return -1;
						}
						r->scratch[sc++] = '"';
						continue;
					}
					q++;
					break;
				}
				if (sc >= sizeof(r->scratch)) {
					*why = "quoted fields too long";
					return -1;
				}
				r->scratch[sc++] = *q++;
			}
			out[n].p = r->scratch + start;
			out[n].n = (uint32_t)(sc - start);
			n++;
			if (q == e)
				return n;
			if (*q != ',') {
				*why = "text after a closing quote";
				return -1;
			}
			p = q + 1;
			continue;
		}
		const char *c = memchr(p, ',', (size_t)(e - p));
		const char *fe = c ? c : e;
		out[n].p = p;
		out[n].n = (uint32_t)(fe - p);
		n++;
		if (!c)
			return n;
		p = c + 1;
	}
}

/* The common record: no quotes, fields split at commas, ending at '\n' or
 * the end. One pass (16 bytes a step where SSE2 is there) finds the
 * commas and the end together. Returns the field count and *e_out, or -1
 * for a record the general path must take (a quote, too many fields). */
static int csv_fast(const char *s, const char *end, ct_field *out, const char **e_out)
{
	const char *p = s, *fs = s;
	int n = 0;
#ifdef __SSE2__
	const __m128i comma = _mm_set1_epi8(','), nl = _mm_set1_epi8('\n'),
	              quote = _mm_set1_epi8('"');
	for (; end - p >= 16; p += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(
		        _mm_or_si128(_mm_cmpeq_epi8(v, comma), _mm_cmpeq_epi8(v, nl)),
		        _mm_cmpeq_epi8(v, quote)));
		while (m) {
			const char *q = p + __builtin_ctz(m);
			m &= m - 1;
			if (*q == '"' || n == CT_ROWS_MAXCOLS)
				return -1;
			out[n].p = fs;
			out[n].n = (uint32_t)(q - fs);
			n++;
			fs = q + 1;
			if (*q == '\n') {
				*e_out = q;
				return n;
			}
		}
	}
#endif
	for (; p < end; p++) {
		char c = *p;
		if (c != ',' && c != '\n' && c != '"')
			continue;
		if (c == '"' || n == CT_ROWS_MAXCOLS)
			return -1;
		out[n].p = fs;
		out[n].n = (uint32_t)(p - fs);
		n++;
		fs = p + 1;
		if (c == '\n') {
			*e_out = p;
			return n;
		}
	}
	if (n == CT_ROWS_MAXCOLS)
		return -1;
	out[n].p = fs;
	out[n].n = (uint32_t)(end - fs);
	*e_out = end;
	return n + 1;
}

static int is_blank(const char *p, const char *e)
{
	for (; p < e; p++)
		if (*p != ' ' && *p != '\t' && *p != '\r')
			return 0;
	return 1;
}

int ct__rows_init(ct_rows *r, const char *name, const char *buf, size_t len)
{
	memset(r->map, -1, sizeof(r->map));
	memset(r->has, 0, sizeof(r->has));
	r->name = name;
	r->buf = r->p = buf;
	r->end = buf + len;
	r->line = 0;
	r->extra = 0;
	r->last_time_n = 0;
	r->jsonl = 0;
	r->ncols = 0;
	r->naive_utc = 0;
	r->asset_is_symbol = 0;
	r->unknown[0] = 0;
	r->unknown_n = r->unknown_new = 0;
	/* UTF-8 byte order mark */
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		r->p += 3;
	const char *q = r->p;
	while (q < r->end && (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n'))
		q++;
	if (q == r->end)
		return ct__err(CT_EDATA, "%s:1: empty file", name);
	if (*q == '{') {
		r->jsonl = 1;
		return 0;
	}
	/* CSV header: the first non-blank line. */
	const char *e;
	for (;;) {
		if (r->p >= r->end)
			return ct__err(CT_EDATA, "%s:1: empty file", name);
		e = record_end(r->p, r->end);
		r->line++;
		if (!is_blank(r->p, e))
			break;
		r->p = e < r->end ? e + 1 : e;
	}
	ct_field f[CT_ROWS_MAXCOLS];
	const char *why;
	int n = csv_split(r, r->p, e, f, CT_ROWS_MAXCOLS, &why);
	if (n < 0)
		return ct__err(CT_EDATA, "%s:%llu: header: %s", name, (unsigned long long)r->line, why);
	r->ncols = n;
	for (int i = 0; i < n; i++) {
		int utc = 0, c = col_of(f[i].p, f[i].n, &utc);
		/* trim spaces around header names */
		if (c < 0) {
			note_unknown(r, f[i].p, f[i].n);
			continue;
		}
		if (r->has[c])
			continue; /* the first of two aliases wins (e.g. hash, tx_hash) */
		r->has[c] = 1;
		r->map[i] = (int8_t)c;
		if (c == RC_TIME && utc)
			r->naive_utc = 1;
	}
	if (r->has[RC_CONTRACT])
		r->asset_is_symbol = 1;
	r->p = e < r->end ? e + 1 : e;
	return 0;
}

/* ---- JSON Lines --------------------------------------------------------- */

static const char *skip_ws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\r'))
		p++;
	return p;
}


static int hex4(const char *p)
{
	int v = 0;
	for (int i = 0; i < 4; i++) {
		int c = (unsigned char)p[i], d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		v = v << 4 | d;
	}
	return v;
}

/* A JSON string at p (after the quote). Without escapes the field points
 * into the buffer; with escapes it is decoded into scratch at *sc. */
static const char *json_string(ct_rows *r, const char *p, const char *e, ct_field *f,
                               size_t *sc, const char **why)
{
	const char *s = p;
	while (p < e && *p != '"' && *p != '\\') {
		if ((unsigned char)*p < 0x20) {
			*why = "control character in a JSON string";
			return NULL;
		}
		p++;
	}
	if (p < e && *p == '"') {
		f->p = s;
		f->n = (uint32_t)(p - s);
		return p + 1;
	}
	size_t start = *sc;
	if ((size_t)(p - s) > sizeof(r->scratch) - *sc) {
		*why = "JSON strings too long";
		return NULL;
	}
	memcpy(r->scratch + *sc, s, (size_t)(p - s));
	*sc += (size_t)(p - s);
	while (p < e && *p != '"') {
		if (*sc + 4 > sizeof(r->scratch)) {
			*why = "JSON strings too long";
			return NULL;
		}
		char c = *p++;
		if ((unsigned char)c < 0x20) {
			*why = "control character in a JSON string";
			return NULL;
		}
		if (c != '\\') {
			r->scratch[(*sc)++] = c;
			continue;
		}
		if (p >= e) {
			*why = "unterminated JSON string";
			return NULL;
		}
		c = *p++;
		switch (c) {
		case '"': case '\\': case '/':
			r->scratch[(*sc)++] = c;
			break;
		case 'b': r->scratch[(*sc)++] = '\b'; break;
		case 'f': r->scratch[(*sc)++] = '\f'; break;
		case 'n': r->scratch[(*sc)++] = '\n'; break;
		case 'r': r->scratch[(*sc)++] = '\r'; break;
		case 't': r->scratch[(*sc)++] = '\t'; break;
		case 'u': {
			int v = e - p >= 4 ? hex4(p) : -1;
			if (v < 0) {
				*why = "bad \\u escape in a JSON string";
				return NULL;
			}
			p += 4;
			if (v >= 0xd800 && v <= 0xdbff && e - p >= 6 && p[0] == '\\' && p[1] == 'u') {
				int lo = hex4(p + 2);
				if (lo >= 0xdc00 && lo <= 0xdfff) {
					v = 0x10000 + ((v - 0xd800) << 10) + (lo - 0xdc00);
					p += 6;
				}
			}
			if (v < 0x80) {
				r->scratch[(*sc)++] = (char)v;
			} else if (v < 0x800) {
				r->scratch[(*sc)++] = (char)(0xc0 | v >> 6);
				r->scratch[(*sc)++] = (char)(0x80 | (v & 63));
			} else if (v < 0x10000) {
				r->scratch[(*sc)++] = (char)(0xe0 | v >> 12);
				r->scratch[(*sc)++] = (char)(0x80 | ((v >> 6) & 63));
				r->scratch[(*sc)++] = (char)(0x80 | (v & 63));
			} else {
				r->scratch[(*sc)++] = (char)(0xf0 | v >> 18);
				r->scratch[(*sc)++] = (char)(0x80 | ((v >> 12) & 63));
				r->scratch[(*sc)++] = (char)(0x80 | ((v >> 6) & 63));
				r->scratch[(*sc)++] = (char)(0x80 | (v & 63));
			}
			break;
		}
		default:
			*why = "bad escape in a JSON string";
			return NULL;
		}
	}
	if (p >= e) {
		*why = "unterminated JSON string";
		return NULL;
	}
	f->p = r->scratch + start;
	f->n = (uint32_t)(*sc - start);
	return p + 1;
}

/* One flat JSON object per line: string, number, true/false/null values. */
static int jsonl_row(ct_rows *r, const char *p, const char *e, ct_field *f, const char **why)
{
	size_t sc = 0;
	p = skip_ws(p, e);
	if (p >= e || *p != '{') {
		*why = "not a JSON object";
		return -1;
	}
	p = skip_ws(p + 1, e);
	if (p < e && *p == '}') {
		p = skip_ws(p + 1, e);
		if (p != e) {
			*why = "text after the JSON object";
			return -1;
		}
		return 0;
	}
	for (;;) {
		ct_field k, v = {0};
		if (p >= e || *p != '"') {
			*why = "expected a JSON key";
			return -1;
		}
		if (!(p = json_string(r, p + 1, e, &k, &sc, why)))
			return -1;
		p = skip_ws(p, e);
		if (p >= e || *p != ':') {
			*why = "expected ':' in JSON";
			return -1;
		}
		p = skip_ws(p + 1, e);
		int isnull = 0;
		if (p < e && *p == '"') {
			if (!(p = json_string(r, p + 1, e, &v, &sc, why)))
				return -1;
		} else if (p < e && (*p == '{' || *p == '[')) {
			*why = "nested JSON values are not supported";
			return -1;
		} else {
			const char *s = p;
			while (p < e && *p != ',' && *p != '}' && *p != ' ' && *p != '\t' && *p != '\r')
				p++;
			v.p = s;
			v.n = (uint32_t)(p - s);
			if (v.n == 4 && !memcmp(s, "null", 4))
				isnull = 1;
			else if (v.n == 0) {
				*why = "missing JSON value";
				return -1;
			} else if (!((*s >= '0' && *s <= '9') || *s == '-' ||
			             (v.n == 4 && !memcmp(s, "true", 4)) ||
			             (v.n == 5 && !memcmp(s, "false", 5)))) {
				*why = "bad JSON value";
				return -1;
			}
		}
		int utc = 0, c = col_of(k.p, k.n, &utc);
		if (c < 0) {
			note_unknown(r, k.p, k.n);
		} else if (!f[c].present && !isnull) {
			f[c].p = v.p;
			f[c].n = v.n;
			f[c].present = 1;
			r->has[c] = 1;
			if (c == RC_TIME && utc)
				r->naive_utc = 1;
			if (c == RC_CONTRACT)
				r->asset_is_symbol = 1;
		}
		p = skip_ws(p, e);
		if (p < e && *p == ',') {
			p = skip_ws(p + 1, e);
			continue;
		}
		if (p < e && *p == '}') {
			p = skip_ws(p + 1, e);
			if (p != e) {
				*why = "text after the JSON object";
				return -1;
			}
			return 0;
		}
		*why = "expected ',' or '}' in JSON";
		return -1;
	}
}

int ct__rows_next(ct_rows *r, ct_field *f, const char **line_p, size_t *line_len,
                  const char **why)
{
	for (;;) {
		if (r->p >= r->end)
			return 0;
		const char *s = r->p, *e;
		r->line += r->extra;
		r->extra = 0;
		if (!r->jsonl) {
			ct_field raw[CT_ROWS_MAXCOLS];
			int n = csv_fast(s, r->end, raw, &e);
			if (n > 0) {
				/* as below, for a record without quotes (so on one line) */
				r->line++;
				r->p = e < r->end ? e + 1 : e;
				*line_p = s;
				*line_len = (size_t)(e - s);
				if (*line_len && s[*line_len - 1] == '\r') {
					(*line_len)--;
					raw[n - 1].n--;
				}
				if (is_blank(s, e))
					continue;
				if (n != r->ncols) {
					*why = n < r->ncols ? "fewer fields than the header has"
					                    : "more fields than the header has";
					return CT_EDATA;
				}
				for (int i = 0; i < RC_N; i++)
					f[i].present = 0;
				for (int i = 0; i < n; i++) {
					int c = r->map[i];
					if (c >= 0) {
						f[c] = raw[i];
						f[c].present = raw[i].n > 0;
					}
				}
				return 1;
			}
		}
		if (r->jsonl) {
			e = memchr(s, '\n', (size_t)(r->end - s));
			if (!e)
				e = r->end;
		} else {
			e = record_end(s, r->end);
		}
		r->line++;
		/* Quoted newlines make a record span lines: count them. */
		uint64_t extra = 0;
		if (!r->jsonl)
			for (const char *q = memchr(s, '\n', (size_t)(e - s)); q;
			     q = memchr(q + 1, '\n', (size_t)(e - q - 1)))
				extra++;
		r->p = e < r->end ? e + 1 : e;
		*line_p = s;
		*line_len = (size_t)(e - s);
		if (*line_len && s[*line_len - 1] == '\r')
			(*line_len)--;
		if (is_blank(s, e)) {
			r->extra = extra;
			continue;
		}
		for (int i = 0; i < RC_N; i++)
			f[i].present = 0;
		int rc = 0;
		if (r->jsonl) {
			if (jsonl_row(r, s, e, f, why) < 0)
				rc = CT_EDATA;
		} else {
			ct_field raw[CT_ROWS_MAXCOLS];
			int n = csv_split(r, s, e, raw, CT_ROWS_MAXCOLS, why);
			if (n < 0) {
				rc = CT_EDATA;
			} else if (n != r->ncols) {
				*why = n < r->ncols ? "fewer fields than the header has"
				                    : "more fields than the header has";
				rc = CT_EDATA;
			} else {
				for (int i = 0; i < n; i++) {
					int c = r->map[i];
					if (c >= 0) {
						f[c] = raw[i];
						f[c].present = raw[i].n > 0;
					}
				}
			}
		}
		r->extra = extra;
		return rc ? rc : 1;
	}
}

/* ---- typed fields ------------------------------------------------------- */

static inline int dig(char c) { return c >= '0' && c <= '9'; }

static int num(const char *s, int n, int *v)
{
	int x = 0;
	for (int i = 0; i < n; i++) {
		if (!dig(s[i]))
			return -1;
		x = x * 10 + (s[i] - '0');
	}
	*v = x;
	return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (eras of 400 years). */
static int64_t days_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int ct__parse_time(const char *s, size_t n, int naive_utc, int64_t *out)
{
	while (n && (*s == ' '))
		s++, n--;
	while (n && s[n - 1] == ' ')
		n--;
	if (!n)
		return -1;
	size_t i = 0;
	int allnum = 1;
	for (i = 0; i < n; i++)
		if (!dig(s[i]))
			allnum = 0;
	if (allnum) {
		if (n > 12)
			return -1; /* seconds, not milliseconds: year < 33658 */
		int64_t v = 0;
		for (i = 0; i < n; i++)
			v = v * 10 + (s[i] - '0');
		*out = v;
		return 0;
	}
	int Y, M, D, h, mi, sec = 0;
	if (n < 16 || num(s, 4, &Y) || s[4] != '-' || num(s + 5, 2, &M) || s[7] != '-' ||
	    num(s + 8, 2, &D) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    num(s + 11, 2, &h) || s[13] != ':' || num(s + 14, 2, &mi))
		return -1;
	i = 16;
	if (i < n && s[i] == ':') {
		if (i + 3 > n || num(s + i + 1, 2, &sec))
			return -1;
		i += 3;
		if (i < n && (s[i] == '.' || s[i] == ',')) {
			i++;
			size_t f = i;
			while (i < n && dig(s[i]))
				i++;
			if (i == f)
				return -1;
		}
	}
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (M < 1 || M > 12 || D < 1 || D > mdays[M - 1] || h > 23 || mi > 59 || sec > 60)
		return -1;
	if (M == 2 && D == 29 && !((Y % 4 == 0 && Y % 100 != 0) || Y % 400 == 0))
		return -1;
	int64_t off = 0;
	if (i == n) {
		if (!naive_utc)
			return -1; /* no zone */
	} else if (s[i] == 'Z' || s[i] == 'z') {
		if (i + 1 != n)
			return -1;
	} else if (n - i == 4 && !memcmp(s + i, " UTC", 4)) {
		/* BigQuery's "2015-07-30 15:26:28 UTC" */
	} else if (s[i] == '+' || s[i] == '-') {
		int sign = s[i] == '-' ? -1 : 1, oh, om = 0;
		size_t r = n - i - 1;
		const char *z = s + i + 1;
		if (r == 2) {
			if (num(z, 2, &oh))
				return -1;
		} else if (r == 4) {
			if (num(z, 2, &oh) || num(z + 2, 2, &om))
				return -1;
		} else if (r == 5 && z[2] == ':') {
			if (num(z, 2, &oh) || num(z + 3, 2, &om))
				return -1;
		} else {
			return -1;
		}
		if (oh > 23 || om > 59)
			return -1;
		off = sign * (oh * 3600 + om * 60);
	} else {
		return -1;
	}
	*out = days_civil(Y, M, D) * 86400 + h * 3600 + mi * 60 + sec - off;
	return 0;
}

static int parse_u64(const ct_field *f, uint64_t *v)
{
	uint64_t x = 0;
	if (!f->n || f->n > 19)
		return -1;
	for (uint32_t i = 0; i < f->n; i++) {
		if (!dig(f->p[i]))
			return -1;
		x = x * 10 + (uint64_t)(f->p[i] - '0');
	}
	*v = x;
	return 0;
}

static int parse_hash(const ct_field *f, uint8_t out[32])
{
	const char *p = f->p;
	uint32_t n = f->n;
	if (n == 66 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2, n -= 2;
	if (n != 64)
		return -1;
	int bad = 0;
	for (int i = 0; i < 4; i++)
		bad |= ct__hex16(out + 8 * i, p + 16 * i);
	return bad ? -1 : 0;
}

static int ieq(const ct_field *f, const char *s)
{
	size_t n = strlen(s);
	if (f->n != n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char a = f->p[i], b = s[i];
		if (a >= 'A' && a <= 'Z')
			a = (char)(a + 32);
		if (b >= 'A' && b <= 'Z')
			b = (char)(b + 32);
		if (a != b)
			return 0;
	}
	return 1;
}

/* Parse an address field; on failure put the library's message in
 * scratch for *why. */
static int addr_field(ct_rows *r, int af, const ct_field *f, ct_acct_key *k, const char *what,
                      const char **why)
{
	if (ct__acct_key_parse(af, k, f->p, f->n) == 0)
		return 0;
	/* reuse the end of scratch: the row's fields are no longer needed
	 * once they are typed, except this message */
	char *m = r->scratch + CT_ROWS_SCRATCH / 2;
	snprintf(m, CT_ROWS_SCRATCH / 2, "%s: %s", what, ct_error_last());
	ct__err_clear();
	*why = m;
	return -1;
}

int ct__row_type(ct_rows *r, const ct_field *f, int af, const char *native_sym,
                 const ct_acct_key *from_override, ct_prow *out, const char **why)
{
	/* Every field a reader looks at is set below or here (no memset of
	 * the whole struct: it is written for every row). The keys and
	 * hashes are written only when their flag says so. */
	static const ct_field none = {NULL, 0, 0};
	out->height = CT_ACCT_NONE;
	out->decimals = -1;
	out->has_hash = out->token = out->amount_base = out->fee_wei = out->failed = 0;
	out->symbol = out->fee = out->chain = none;
	/* time (ethereum-etl token_transfers have none: the caller fills it
	 * from the tx; time = INT64_MIN marks that) */
	if (f[RC_TIME].present) {
		/* consecutive rows often share a time: reuse the last parse */
		const ct_field *tf = &f[RC_TIME];
		if (tf->n == r->last_time_n && tf->n <= sizeof(r->last_time_s) &&
		    !memcmp(tf->p, r->last_time_s, tf->n)) {
			out->time = r->last_time;
		} else if (ct__parse_time(tf->p, tf->n, r->naive_utc, &out->time)) {
			*why = "unparsable timestamp (ISO 8601 with a zone, or Unix seconds)";
			return -1;
		} else if (tf->n <= sizeof(r->last_time_s)) {
			memcpy(r->last_time_s, tf->p, tf->n);
			r->last_time_n = tf->n;
			r->last_time = out->time;
		}
	} else {
		out->time = INT64_MIN;
	}
	if (f[RC_FROM].present) {
		if (addr_field(r, af, &f[RC_FROM], &out->from, "from", why))
			return -1;
	} else if (from_override && !r->has[RC_FROM]) {
		out->from = *from_override;
	} else {
		*why = "missing from";
		return -1;
	}
	if (f[RC_TO].present) {
		if (addr_field(r, af, &f[RC_TO], &out->to, "to", why))
			return -1;
	} else if (f[RC_CREATED].present) {
		if (addr_field(r, af, &f[RC_CREATED], &out->to, "receipt_contract_address", why))
			return -1;
	} else if (r->has[RC_GASPRICE] || r->has[RC_STATUS] || r->has[RC_CREATED]) {
		memset(&out->to, 0, sizeof(out->to)); /* an ethereum-etl contract creation */
	} else {
		*why = "missing to";
		return -1;
	}
	if (f[RC_AMOUNT].present) {
		out->amount = f[RC_AMOUNT];
	} else if (f[RC_VALUE].present) {
		out->amount = f[RC_VALUE];
		out->amount_base = 1;
		for (uint32_t i = 0; i < f[RC_VALUE].n; i++)
			if (f[RC_VALUE].p[i] == '.' || f[RC_VALUE].p[i] == 'e' || f[RC_VALUE].p[i] == 'E')
				out->amount_base = 0;
	} else {
		*why = "missing amount";
		return -1;
	}
	if (f[RC_TXHASH].present) {
		if (parse_hash(&f[RC_TXHASH], out->hash)) {
			*why = "tx_hash is not 32 bytes of hex";
			return -1;
		}
		out->has_hash = 1;
	}
	if (f[RC_HEIGHT].present && parse_u64(&f[RC_HEIGHT], &out->height)) {
		*why = "block height is not a number";
		return -1;
	}
	/* asset: a contract column wins; else the asset column names the
	 * native asset or a contract (symbols are display only). */
	const ct_field *cf = NULL;
	if (f[RC_CONTRACT].present)
		cf = &f[RC_CONTRACT];
	else if (f[RC_ASSET].present && !r->asset_is_symbol && !ieq(&f[RC_ASSET], native_sym) &&
	         !ieq(&f[RC_ASSET], "native"))
		cf = &f[RC_ASSET];
	if (cf) {
		if (ct__acct_key_parse(af, &out->contract, cf->p, cf->n)) {
			ct__err_clear();
			*why = cf == &f[RC_ASSET] ? "asset is neither the native asset nor a contract "
			                            "address (token symbols are display only)"
			                          : "token contract is not an address";
			return -1;
		}
		out->token = 1;
		if (f[RC_SYMBOL].present)
			out->symbol = f[RC_SYMBOL];
		else if (r->asset_is_symbol && f[RC_ASSET].present)
			out->symbol = f[RC_ASSET];
	}
	if (f[RC_DECIMALS].present) {
		uint64_t d;
		if (parse_u64(&f[RC_DECIMALS], &d) || d > 77) {
			*why = "decimals is not a number from 0 to 77";
			return -1;
		}
		out->decimals = (int)d;
	}
	if (f[RC_CHAIN].present)
		out->chain = f[RC_CHAIN];
	/* failure: receipt_status 0, is_error 1 */
	if (f[RC_STATUS].present) {
		if (f[RC_STATUS].n == 1 && f[RC_STATUS].p[0] == '0')
			out->failed = 1;
		else if (!(f[RC_STATUS].n == 1 && f[RC_STATUS].p[0] == '1')) {
			*why = "receipt_status is neither 0 nor 1";
			return -1;
		}
	}
	if (f[RC_ISERROR].present) {
		if (f[RC_ISERROR].n == 1 && f[RC_ISERROR].p[0] == '1')
			out->failed = 1;
		else if (!(f[RC_ISERROR].n == 1 && f[RC_ISERROR].p[0] == '0')) {
			*why = "is_error is neither 0 nor 1";
			return -1;
		}
	}
	if (f[RC_FEE].present) {
		out->fee = f[RC_FEE];
	} else if (f[RC_GASUSED].present && (f[RC_EFFPRICE].present || f[RC_GASPRICE].present)) {
		const ct_field *pf = f[RC_EFFPRICE].present ? &f[RC_EFFPRICE] : &f[RC_GASPRICE];
		ct_u256 gu, gp;
		const char *w2;
		if (ct__acct_amount_parse(&gu, f[RC_GASUSED].p, f[RC_GASUSED].n, 0, &w2) ||
		    ct__acct_amount_parse(&gp, pf->p, pf->n, 0, &w2) || gu.w[1] | gu.w[2] | gu.w[3] ||
		    gp.w[2] | gp.w[3]) {
			*why = "gas used or gas price is not a number (or too large)";
			return -1;
		}
		/* gas used < 2^64, price < 2^128: the product fits 192 bits */
		unsigned __int128 lo = (unsigned __int128)gu.w[0] * gp.w[0];
		unsigned __int128 hi = (unsigned __int128)gu.w[0] * gp.w[1] + (uint64_t)(lo >> 64);
		memset(&out->fee_wei_v, 0, sizeof(out->fee_wei_v));
		out->fee_wei_v.w[0] = (uint64_t)lo;
		out->fee_wei_v.w[1] = (uint64_t)hi;
		out->fee_wei_v.w[2] = (uint64_t)(hi >> 64);
		out->fee_wei = 1;
	}
	return 0;
}
