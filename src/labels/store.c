/*
 * store.c - the label store in DIR/cases.db (SQLite, WAL): schema, the
 * import transaction with its add/remove diff, manual labels, and the
 * in-memory address index that serves look-ups.
 *
 * Invariants of the schema (docs/internals/labels.md):
 *  - a label is active while `removed` IS NULL; at most one active label
 *    per (family, address, category); nothing is ever deleted, so every
 *    label keeps its provenance (source text, source_id -> label_sources);
 *  - addresses are stored normalised ("CHAIN:ADDRESS", norm.c);
 *  - an import is one transaction: a file is fully in or not at all.
 * The handle is not thread-safe; open one per thread.
 */
#include "labels/labels_int.h"
#include "util/error.h"
#include "util/fsutil.h"
#include "util/hash.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>
#include <sys/stat.h>
#include <time.h>

#define SCHEMA_VERSION 2 /* 2: cases, case_seeds, case_addresses */
#define INDEX_SEED 0x6c6162656c73ull /* "labels" */

typedef struct idx_ent {
	uint64_t h;
	int64_t id;
} idx_ent;

struct ct_labels {
	sqlite3 *db;
	int writable;
	idx_ent *idx;
	size_t n_idx;
	int idx_valid;
	sqlite3_stmt *by_id;
};

static const char SCHEMA[] =
	"CREATE TABLE IF NOT EXISTS label_sources("
	" id INTEGER PRIMARY KEY, family TEXT NOT NULL, scope TEXT NOT NULL DEFAULT '',"
	" format TEXT NOT NULL, path TEXT, name TEXT NOT NULL, version TEXT,"
	" sha256 TEXT NOT NULL, imported_at TEXT NOT NULL, records INTEGER, added INTEGER,"
	" removed INTEGER, unchanged INTEGER, skipped INTEGER);"
	"CREATE INDEX IF NOT EXISTS label_sources_family ON label_sources(family, id);"
	"CREATE TABLE IF NOT EXISTS labels("
	" id INTEGER PRIMARY KEY, address TEXT NOT NULL, chain TEXT NOT NULL,"
	" category TEXT NOT NULL, name TEXT NOT NULL DEFAULT '', family TEXT NOT NULL,"
	" scope TEXT NOT NULL DEFAULT '', source TEXT NOT NULL, ref TEXT NOT NULL DEFAULT '',"
	" confidence REAL CHECK (confidence IS NULL OR (confidence >= 0 AND confidence <= 1)),"
	" added TEXT NOT NULL, source_id INTEGER REFERENCES label_sources(id),"
	" removed TEXT, removed_by INTEGER REFERENCES label_sources(id));"
	"CREATE INDEX IF NOT EXISTS labels_address ON labels(address);"
	"CREATE INDEX IF NOT EXISTS labels_key ON labels(family, address, category)"
	" WHERE removed IS NULL;"
	"CREATE INDEX IF NOT EXISTS labels_category ON labels(category, chain)"
	" WHERE removed IS NULL;"
	/* cases (src/labels/cases.c, docs/internals/trace.md) */
	"CREATE TABLE IF NOT EXISTS cases("
	" id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, category TEXT NOT NULL,"
	" threshold TEXT, options TEXT NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL,"
	" runs INTEGER NOT NULL DEFAULT 0, summary TEXT);"
	"CREATE TABLE IF NOT EXISTS case_seeds("
	" case_id INTEGER NOT NULL REFERENCES cases(id), seed TEXT NOT NULL,"
	" PRIMARY KEY(case_id, seed));"
	"CREATE TABLE IF NOT EXISTS case_addresses("
	" case_id INTEGER NOT NULL REFERENCES cases(id), address TEXT NOT NULL, asset TEXT NOT NULL,"
	" amount TEXT NOT NULL, hops INTEGER NOT NULL, endpoint INTEGER NOT NULL,"
	" reasons TEXT NOT NULL, labelled INTEGER NOT NULL, first_seen TEXT NOT NULL,"
	" updated TEXT NOT NULL, PRIMARY KEY(case_id, address, asset));";

static int sqlerr(sqlite3 *db, const char *what)
{
	int code = sqlite3_errcode(db);
	int ct = (code == SQLITE_BUSY || code == SQLITE_LOCKED) ? CT_ELOCKED
	         : (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) ? CT_ECORRUPT
	         : code == SQLITE_NOMEM ? CT_ENOMEM
	         : (code == SQLITE_IOERR || code == SQLITE_FULL || code == SQLITE_CANTOPEN) ? CT_EIO
	                                                                                   : CT_EINTERNAL;
	return ct__err(ct, "cases.db: %s: %s", what, sqlite3_errmsg(db));
}

static int exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int rc = sqlerr(db, msg ? msg : sql);
		sqlite3_free(msg);
		return rc;
	}
	return 0;
}

static int prep(sqlite3 *db, sqlite3_stmt **st, const char *sql)
{
	if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK)
		return sqlerr(db, "prepare");
	return 0;
}

static void now_iso(char out[32])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int ct_labels_open(ct_labels **out, const char *dbdir, int writable)
{
	*out = NULL;
	if (!dbdir || !*dbdir)
		return ct__err(CT_EUSER, "no data directory given");
	if (writable) {
		int rc = ct__mkdirs(dbdir);
		if (rc)
			return rc;
	}
	size_t n = strlen(dbdir) + 16;
	char *path = ct__malloc(n);
	if (!path)
		return CT_ENOMEM;
	snprintf(path, n, "%s/cases.db", dbdir);
	if (!writable && !ct__path_exists(path)) {
		/* Nothing labelled yet: an empty in-memory store answers reads. */
		snprintf(path, n, ":memory:");
	}
	ct_labels *l = ct__calloc(1, sizeof(*l));
	if (!l) {
		free(path);
		return CT_ENOMEM;
	}
	l->writable = writable;
	int flags = writable ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
	if (!strcmp(path, ":memory:"))
		flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	int rc = 0;
	if (sqlite3_open_v2(path, &l->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		rc = l->db ? sqlerr(l->db, "open") : ct__err(CT_ENOMEM, "cases.db: cannot open");
		rc = ct__err_prefix(rc, "%s", path);
		goto fail;
	}
	sqlite3_busy_timeout(l->db, 5000);
	sqlite3_extended_result_codes(l->db, 0);
	if (flags & SQLITE_OPEN_CREATE) {
		if ((rc = exec(l->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")))
			goto fail;
		sqlite3_stmt *st;
		if ((rc = prep(l->db, &st, "PRAGMA user_version")))
			goto fail;
		int ver = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
		sqlite3_finalize(st);
		if (ver > SCHEMA_VERSION) {
			rc = ct__err(CT_ECORRUPT, "%s: schema version %d is newer than this program's %d",
			             path, ver, SCHEMA_VERSION);
			goto fail;
		}
		if ((rc = exec(l->db, "BEGIN IMMEDIATE")))
			goto fail;
		if ((rc = exec(l->db, SCHEMA)) || (rc = exec(l->db, "PRAGMA user_version=2")) ||
		    (rc = exec(l->db, "COMMIT"))) {
			exec(l->db, "ROLLBACK");
			goto fail;
		}
	}
	if ((rc = prep(l->db, &l->by_id,
	               "SELECT id, address, chain, category, name, source, family, ref,"
	               " IFNULL(confidence, -1), added FROM labels WHERE id = ?1"))) {
		rc = ct__err_prefix(rc, "%s", path);
		goto fail;
	}
	free(path);
	*out = l;
	return 0;
fail:
	free(path);
	ct_labels_close(l);
	return rc;
}

void ct_labels_close(ct_labels *l)
{
	if (!l)
		return;
	sqlite3_finalize(l->by_id);
	sqlite3_close_v2(l->db);
	free(l->idx);
	free(l);
}

/* ---- the address index ------------------------------------------------- */

static int idx_cmp(const void *a, const void *b)
{
	const idx_ent *x = a, *y = b;
	if (x->h != y->h)
		return x->h < y->h ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Load (id, hash(address)) of every active label, sorted by hash. About
 * 16 bytes a label; rebuilt after each change made through this handle. */
static int idx_build(ct_labels *l)
{
	sqlite3_stmt *st;
	int rc = prep(l->db, &st, "SELECT count(*) FROM labels WHERE removed IS NULL");
	if (rc)
		return rc;
	size_t n = sqlite3_step(st) == SQLITE_ROW ? (size_t)sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	idx_ent *e = ct__malloc((n ? n : 1) * sizeof(*e));
	if (!e)
		return CT_ENOMEM;
	if ((rc = prep(l->db, &st, "SELECT id, address FROM labels WHERE removed IS NULL"))) {
		free(e);
		return rc;
	}
	size_t k = 0;
	int s;
	while ((s = sqlite3_step(st)) == SQLITE_ROW && k < n) {
		const void *a = sqlite3_column_text(st, 1);
		size_t len = (size_t)sqlite3_column_bytes(st, 1);
		e[k].id = sqlite3_column_int64(st, 0);
		e[k].h = ct__hash64(a, len, INDEX_SEED);
		k++;
	}
	if (s != SQLITE_ROW && s != SQLITE_DONE) {
		rc = sqlerr(l->db, "index load");
		sqlite3_finalize(st);
		free(e);
		return rc;
	}
	sqlite3_finalize(st);
	qsort(e, k, sizeof(*e), idx_cmp);
	free(l->idx);
	l->idx = e;
	l->n_idx = k;
	l->idx_valid = 1;
	return 0;
}

size_t ct_labels_count(const ct_labels *l) { return l && l->idx_valid ? l->n_idx : 0; }

/* Growable scratch for building one-block results. */
typedef struct sbuf {
	char *p;
	size_t len, cap;
} sbuf;

static size_t sb_put(sbuf *b, const char *s, int *oom)
{
	size_t n = strlen(s) + 1, at = b->len;
	if (b->len + n > b->cap) {
		size_t nc = b->cap ? b->cap * 2 : 1024;
		while (nc < b->len + n)
			nc *= 2;
		char *np = realloc(b->p, nc);
		if (!np) {
			*oom = 1;
			return 0;
		}
		b->p = np;
		b->cap = nc;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	return at;
}

int ct_labels_lookup_norm(ct_labels *l, const char *norm, ct_label **out, size_t *n)
{
	if (out)
		*out = NULL;
	if (n)
		*n = 0;
	if (!l->idx_valid) {
		int rc = idx_build(l);
		if (rc)
			return rc;
	}
	size_t len = strlen(norm);
	uint64_t h = ct__hash64(norm, len, INDEX_SEED);
	size_t lo = 0, hi = l->n_idx;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (l->idx[mid].h < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == l->n_idx || l->idx[lo].h != h)
		return 0;
	/* Hits are confirmed against the row: the hash only narrows. */
	enum { NS = 9 };
	size_t cnt = 0, cap = 0;
	size_t(*offs)[NS] = NULL;
	double *conf = NULL;
	int64_t *ids = NULL;
	sbuf sb = {0};
	int oom = 0, rc = 0;
	for (size_t i = lo; i < l->n_idx && l->idx[i].h == h; i++) {
		sqlite3_stmt *st = l->by_id;
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, l->idx[i].id);
		if (sqlite3_step(st) != SQLITE_ROW)
			continue; /* removed by another process since the index was built */
		const char *a = (const char *)sqlite3_column_text(st, 1);
		if (!a || strcmp(a, norm))
			continue;
		if (!out) {
			cnt++;
			continue;
		}
		if (cnt == cap) {
			cap = cap ? cap * 2 : 4;
			void *p1 = realloc(offs, cap * sizeof(*offs));
			if (p1)
				offs = p1;
			void *p2 = realloc(conf, cap * sizeof(*conf));
			if (p2)
				conf = p2;
			void *p3 = realloc(ids, cap * sizeof(*ids));
			if (p3)
				ids = p3;
			if (!p1 || !p2 || !p3) {
				oom = 1;
				break;
			}
		}
		ids[cnt] = sqlite3_column_int64(st, 0);
		for (int c = 0; c < 8; c++) {
			const char *t = (const char *)sqlite3_column_text(st, c == 7 ? 9 : c + 1);
			offs[cnt][c] = sb_put(&sb, t ? t : "", &oom);
		}
		conf[cnt] = sqlite3_column_double(st, 8);
		cnt++;
	}
	sqlite3_reset(l->by_id);
	if (oom) {
		rc = ct__err(CT_ENOMEM, "out of memory");
		goto out;
	}
	if (out && cnt) {
		ct_label *arr = malloc(cnt * sizeof(ct_label) + sb.len);
		if (!arr) {
			rc = ct__err(CT_ENOMEM, "out of memory");
			goto out;
		}
		char *strs = (char *)(arr + cnt);
		memcpy(strs, sb.p, sb.len);
		for (size_t i = 0; i < cnt; i++) {
			arr[i].id = ids[i];
			arr[i].address = strs + offs[i][0];
			arr[i].chain = strs + offs[i][1];
			arr[i].category = strs + offs[i][2];
			arr[i].name = strs + offs[i][3];
			arr[i].source = strs + offs[i][4];
			arr[i].family = strs + offs[i][5];
			arr[i].ref = strs + offs[i][6];
			arr[i].added = strs + offs[i][7];
			arr[i].confidence = conf[i];
		}
		*out = arr;
	}
	if (n)
		*n = cnt;
	rc = (int)(cnt > 0x7fffffff ? 0x7fffffff : cnt);
out:
	free(offs);
	free(conf);
	free(ids);
	free(sb.p);
	return rc;
}

int ct_labels_lookup(ct_labels *l, const char *address, ct_label **out, size_t *n)
{
	char norm[192];
	*out = NULL;
	*n = 0;
	int rc = ct_labels_normalize(norm, sizeof(norm), NULL, address);
	if (rc)
		return rc;
	rc = ct_labels_lookup_norm(l, norm, out, n);
	return rc < 0 ? rc : 0;
}

/* ---- manual labels ----------------------------------------------------- */

int ct_labels_add(ct_labels *l, int64_t *id, const char *address, const char *category,
                  const char *name, const char *source, double confidence)
{
	char norm[192], cat[48], now[32];
	int known, rc;
	if (!l->writable)
		return ct__err(CT_EUSER, "label store opened read-only");
	if ((rc = ct_labels_normalize(norm, sizeof(norm), NULL, address)))
		return rc;
	if (!category || (rc = ct__labels_category(cat, category, &known)))
		return category ? rc : ct__err(CT_EUSER, "a label needs a category");
	if (confidence > 1.0 || (confidence < 0 && confidence != -1.0 && confidence > -1e-9))
		return ct__err(CT_EUSER, "confidence %g outside 0..1", confidence);
	const char *family = source && *source ? source : "manual";
	char chain[32];
	const char *colon = strchr(norm, ':');
	snprintf(chain, sizeof(chain), "%.*s", (int)(colon - norm), norm);
	now_iso(now);
	sqlite3_stmt *st = NULL;
	if ((rc = exec(l->db, "BEGIN IMMEDIATE")))
		return rc;
	if ((rc = prep(l->db, &st,
	               "SELECT id FROM labels WHERE family=?1 AND address=?2 AND category=?3"
	               " AND removed IS NULL")))
		goto fail;
	sqlite3_bind_text(st, 1, family, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, norm, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, cat, -1, SQLITE_STATIC);
	int64_t rid = 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		rid = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	if (rid) {
		if ((rc = prep(l->db, &st, "UPDATE labels SET name=?2, confidence=?3 WHERE id=?1")))
			goto fail;
		sqlite3_bind_int64(st, 1, rid);
	} else {
		if ((rc = prep(l->db, &st,
		               "INSERT INTO labels(name, confidence, address, chain, category, family,"
		               " source, added) VALUES(?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8)")))
			goto fail;
		sqlite3_bind_text(st, 4, norm, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, chain, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, cat, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, family, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 8, now, -1, SQLITE_STATIC);
	}
	sqlite3_bind_text(st, 2, name ? name : "", -1, SQLITE_STATIC);
	if (confidence >= 0)
		sqlite3_bind_double(st, 3, confidence);
	else
		sqlite3_bind_null(st, 3);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = sqlerr(l->db, "add label");
		goto fail;
	}
	if (!rid)
		rid = sqlite3_last_insert_rowid(l->db);
	sqlite3_finalize(st);
	st = NULL;
	if ((rc = exec(l->db, "COMMIT")))
		goto fail;
	l->idx_valid = 0;
	if (id)
		*id = rid;
	return 0;
fail:
	sqlite3_finalize(st);
	exec(l->db, "ROLLBACK");
	return rc;
}

/* ---- import ------------------------------------------------------------ */

typedef struct imp {
	ct_labels *l;
	const ct_label_import_options *o;
	ct_label_import_result *res;
	const char *path, *base;
	sqlite3_stmt *ins;
	const char *default_chain;    /* list currency or --chain */
	const char *default_category; /* --category or the list's */
	const char *scope;            /* list scope ("" = none) */
	char seen[64][48];            /* unknown codes already noted */
	int n_seen;
} imp;

static void add_note(ct_label_import_result *res, const char *msg)
{
	if (res->n_notes < CT_LABEL_MAX_NOTES)
		snprintf(res->notes[res->n_notes++], sizeof(res->notes[0]), "%s", msg);
	else
		res->notes_dropped++;
}

static void meta_note(void *payload, const char *msg) { add_note(((imp *)payload)->res, msg); }

/* Note `what` once per import. */
static void note_once(imp *c, const char *kind, const char *code, const char *msg)
{
	char key[48];
	snprintf(key, sizeof(key), "%s:%s", kind, code);
	for (int i = 0; i < c->n_seen; i++)
		if (!strcmp(c->seen[i], key))
			return;
	if (c->n_seen < 64)
		snprintf(c->seen[c->n_seen++], sizeof(c->seen[0]), "%s", key);
	add_note(c->res, msg);
}

static int skip(imp *c, uint64_t line, const char *why)
{
	c->res->skipped++;
	char msg[200];
	snprintf(msg, sizeof(msg), "%s %llu: %s", !strcmp(c->res->format, "etherscan") ? "entry" : "line",
	         (unsigned long long)line, why);
	if (c->o->strict)
		return ct__err(CT_EDATA, "%s", msg);
	if (c->res->skipped <= 3)
		add_note(c->res, msg);
	return 0;
}

static int on_rec(const ct__label_rec *r, void *payload)
{
	imp *c = payload;
	char chain[32], norm[192], cat[48], msg[200];
	int known = 1, rc;
	const char *code = r->chain ? r->chain : c->default_chain;
	if (code) {
		if (ct__labels_chain(chain, code, r->address, &known))
			return skip(c, r->line, ct_error_last());
		if (!known) {
			snprintf(msg, sizeof(msg), "currency '%.40s' is not in the table: chain '%s' used",
			         code, chain);
			note_once(c, "cur", chain, msg);
		}
	}
	if (ct_labels_normalize(norm, sizeof(norm), code ? chain : NULL, r->address))
		return skip(c, r->line, ct_error_last());
	const char *craw = r->category ? r->category : c->default_category;
	if (!craw)
		return skip(c, r->line, "no category (give --category)");
	if (ct__labels_category(cat, craw, &known))
		return skip(c, r->line, ct_error_last());
	if (!known) {
		snprintf(msg, sizeof(msg), "category '%.40s' is not in the taxonomy: kept as '%s'",
		         craw, cat);
		note_once(c, "cat", cat, msg);
	}
	const char *colon = strchr(norm, ':');
	snprintf(chain, sizeof(chain), "%.*s", (int)(colon - norm), norm);
	sqlite3_stmt *st = c->ins;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, norm, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, cat, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, chain, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, r->name ? r->name : "", -1, SQLITE_TRANSIENT);
	if (r->source) {
		char s[320];
		snprintf(s, sizeof(s), "%s: %s", c->base, r->source);
		sqlite3_bind_text(st, 5, s, -1, SQLITE_TRANSIENT);
	} else {
		sqlite3_bind_null(st, 5);
	}
	sqlite3_bind_text(st, 6, r->ref ? r->ref : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 7, r->scope ? r->scope : c->scope, -1, SQLITE_TRANSIENT);
	if (r->confidence >= 0 && r->confidence <= 1)
		sqlite3_bind_double(st, 8, r->confidence);
	else
		sqlite3_bind_null(st, 8);
	if (sqlite3_step(st) != SQLITE_DONE)
		return sqlerr(c->l->db, "stage label");
	rc = sqlite3_changes(c->l->db);
	if (rc == 0)
		c->res->duplicates++;
	else
		c->res->records++;
	return 0;
}

static int sha256_file(const char *path, char hex[65])
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return ct__err_sys("%s", path);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	if (!md) {
		fclose(f);
		return ct__err(CT_ENOMEM, "out of memory");
	}
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	unsigned char buf[65536], out[32];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		EVP_DigestUpdate(md, buf, n);
	int err = ferror(f);
	fclose(f);
	unsigned olen = 0;
	EVP_DigestFinal_ex(md, out, &olen);
	EVP_MD_CTX_free(md);
	if (err)
		return ct__err_sys("%s: read", path);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", out[i]);
	return 0;
}

static int ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && !strcasecmp(s + a - b, suf);
}

/* Format from the name, else from the first bytes. */
static const char *detect(const char *path, int *bz2)
{
	char name[512];
	snprintf(name, sizeof(name), "%s", path);
	*bz2 = 0;
	if (ends_with(name, ".bz2")) {
		*bz2 = 1;
		name[strlen(name) - 4] = '\0';
	}
	if (ends_with(name, ".xml"))
		return "sdn";
	if (ends_with(name, ".yaml") || ends_with(name, ".yml"))
		return "tagpack";
	if (ends_with(name, ".csv") && !*bz2) {
		/* Forta's CSVs have their own headers; every other CSV is ours */
		char h[512] = "";
		FILE *f = fopen(path, "rb");
		if (f) {
			if (!fgets(h, sizeof(h), f))
				h[0] = '\0';
			fclose(f);
		}
		const char *p = !memcmp(h, "\xef\xbb\xbf", 3) ? h + 3 : h;
		return ct__labels_is_forta_header(p) ? "forta" : "csv";
	}
	if (ends_with(name, ".csv"))
		return "csv";
	if (ends_with(name, ".json"))
		return "etherscan";
	if (ends_with(name, ".txt") || ends_with(name, ".lst") || ends_with(name, ".list"))
		return "list";
	unsigned char b[512] = {0};
	FILE *f = fopen(path, "rb");
	size_t n = f ? fread(b, 1, sizeof(b) - 1, f) : 0;
	if (f)
		fclose(f);
	if (n >= 3 && !memcmp(b, "BZh", 3)) {
		*bz2 = 1;
		return "sdn"; /* compressed and unnamed: the SDN file is the one shipped so */
	}
	size_t i = 0;
	if (n >= 3 && !memcmp(b, "\xef\xbb\xbf", 3))
		i = 3;
	while (i < n && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t'))
		i++;
	if (i < n && b[i] == '<')
		return "sdn";
	if (i < n && b[i] == '{')
		return "etherscan";
	if (strstr((char *)b + i, "tags:") || !strncmp((char *)b + i, "title:", 6) ||
	    !strncmp((char *)b + i, "---", 3))
		return "tagpack";
	char *nl = strchr((char *)b + i, '\n');
	if (nl)
		*nl = '\0';
	if (ct__labels_is_forta_header((char *)b + i))
		return "forta";
	if (strchr((char *)b + i, ',') && strcasestr((char *)b + i, "address"))
		return "csv";
	return "list";
}

/* "sanctioned_addresses_XBT.txt.bz2" -> "sanctioned_addresses_XBT" */
static void basename_noext(char out[128], const char *path)
{
	static const char *const exts[] = {".bz2", ".yaml", ".yml", ".xml", ".csv", ".txt",
	                                   ".lst", ".list", ".json"};
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	snprintf(out, 128, "%s", b);
	for (int again = 0; again < 2; again++)
		for (size_t i = 0; i < CT_ARRAY_LEN(exts); i++)
			if (ends_with(out, exts[i]) && strlen(out) > strlen(exts[i]))
				out[strlen(out) - strlen(exts[i])] = '\0';
}

/* Chain of an EVM chain id directory (".../labels/10/x.csv" -> "op");
 * "eth" when the parent directory is not a number. */
static void evm_dir_chain(char out[32], const char *path)
{
	static const struct {
		const char *id, *chain;
	} IDS[] = {{"1", "eth"},      {"10", "op"},     {"56", "bsc"},   {"137", "polygon"},
	           {"42161", "arb"},  {"250", "ftm"},   {"8453", "base"}, {"61", "etc"},
	           {"321", "kcc"},    {"30", "rsk"}};
	const char *end = strrchr(path, '/'), *beg = end;
	snprintf(out, 32, "eth");
	if (!end)
		return;
	while (beg > path && beg[-1] != '/')
		beg--;
	size_t n = (size_t)(end - beg);
	if (n == 0 || n > 12 || beg[0] == '0')
		return;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)beg[i]))
			return;
	for (size_t i = 0; i < CT_ARRAY_LEN(IDS); i++)
		if (strlen(IDS[i].id) == n && !memcmp(IDS[i].id, beg, n)) {
			snprintf(out, 32, "%s", IDS[i].chain);
			return;
		}
	snprintf(out, 32, "evm-%.*s", (int)n, beg);
}

static int open_source(ct__lsrc *src, ct__lsrc *file, const char *path, int bz2)
{
	int rc = ct__lsrc_file(file, path);
	if (rc)
		return rc;
	if (!bz2) {
		*src = *file;
		return 0;
	}
	return ct__lsrc_bz2(src, file);
}

static int64_t scalar_i64(sqlite3 *db, const char *sql, const char *a, const char *b)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (a)
		sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	if (b)
		sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
	int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
	sqlite3_finalize(st);
	return v;
}

/* Run one of the diff statements with the import's parameters bound by
 * name; *changes receives the rows it touched. */
static int run_diff(sqlite3 *db, const char *sql, const char *family, const char *scope,
                    int64_t sid, const char *now, const char *source, uint64_t *changes)
{
	sqlite3_stmt *st;
	int rc = prep(db, &st, sql);
	if (rc)
		return rc;
	int i;
	if ((i = sqlite3_bind_parameter_index(st, ":fam")))
		sqlite3_bind_text(st, i, family, -1, SQLITE_STATIC);
	if ((i = sqlite3_bind_parameter_index(st, ":scope")))
		sqlite3_bind_text(st, i, scope, -1, SQLITE_STATIC);
	if ((i = sqlite3_bind_parameter_index(st, ":sid")))
		sqlite3_bind_int64(st, i, sid);
	if ((i = sqlite3_bind_parameter_index(st, ":now")))
		sqlite3_bind_text(st, i, now, -1, SQLITE_STATIC);
	if ((i = sqlite3_bind_parameter_index(st, ":src")))
		sqlite3_bind_text(st, i, source, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = sqlerr(db, "apply import");
	else if (changes)
		*changes = (uint64_t)sqlite3_changes(db);
	sqlite3_finalize(st);
	return rc;
}

/* Labels of the family (the list's scope only, when it has one) that the
 * new version lacks are marked removed; those it keeps take its
 * attributes; the rest are added. */
static const char SQL_REMOVE[] =
	"UPDATE labels SET removed = :now, removed_by = :sid"
	" WHERE family = :fam AND removed IS NULL AND (:scope = '' OR scope = :scope)"
	" AND NOT EXISTS (SELECT 1 FROM temp.imp i"
	"   WHERE i.address = labels.address AND i.category = labels.category)";
static const char SQL_KEEP[] =
	"UPDATE labels SET name = i.name, ref = i.ref, confidence = i.confidence,"
	" source = IFNULL(i.source, :src), source_id = :sid,"
	" scope = CASE WHEN :scope = '' THEN i.scope ELSE labels.scope END"
	" FROM temp.imp AS i WHERE labels.family = :fam AND labels.removed IS NULL"
	" AND labels.address = i.address AND labels.category = i.category";
static const char SQL_ADD[] =
	"INSERT INTO labels(address, chain, category, name, family, scope, source, ref,"
	" confidence, added, source_id)"
	" SELECT i.address, i.chain, i.category, i.name, :fam, i.scope, IFNULL(i.source, :src),"
	" i.ref, i.confidence, :now, :sid FROM temp.imp AS i WHERE NOT EXISTS ("
	"  SELECT 1 FROM labels l WHERE l.family = :fam AND l.removed IS NULL"
	"  AND l.address = i.address AND l.category = i.category)";

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int ct_labels_import(ct_labels *l, const char *path, const ct_label_import_options *opts,
                     ct_label_import_result *res)
{
	static const ct_label_import_options defaults = CT_LABEL_IMPORT_OPTIONS_INIT;
	const ct_label_import_options *o = opts ? opts : &defaults;
	if (o->version != CT_LABEL_IMPORT_OPTIONS_VERSION)
		return ct__err(CT_EUSER, "label import options version %u, expected %u", o->version,
		               CT_LABEL_IMPORT_OPTIONS_VERSION);
	memset(res, 0, sizeof(*res));
	double t0 = now_seconds();
	if (!l->writable)
		return ct__err(CT_EUSER, "label store opened read-only");
	int bz2, rc;
	const char *fmt = detect(path, &bz2);
	if (o->format) {
		if (strcmp(o->format, "sdn") && strcmp(o->format, "list") &&
		    strcmp(o->format, "tagpack") && strcmp(o->format, "csv") &&
		    strcmp(o->format, "etherscan") && strcmp(o->format, "forta"))
			return ct__err(CT_EUSER, "unknown label format '%s' (sdn, list, tagpack, csv, "
			                         "etherscan, forta)", o->format);
		fmt = o->format;
	}
	snprintf(res->format, sizeof(res->format), "%s", fmt);
	char base[128], cur[16] = "", sha[65], now[32], version[64] = "", name[160], fchain[32];
	basename_noext(base, path);
	const char *slash = strrchr(path, '/');
	const char *fname = slash ? slash + 1 : path;
	if ((rc = sha256_file(path, sha)))
		return rc;
	now_iso(now);

	imp c = {0};
	c.l = l;
	c.o = o;
	c.res = res;
	c.path = path;
	c.base = fname;
	c.scope = "";
	c.default_category = o->category;
	c.default_chain = o->chain;
	/* The family decides what a newer version replaces. */
	if (!strcmp(fmt, "sdn")) {
		snprintf(res->family, sizeof(res->family), "%s", o->source ? o->source : "ofac-sdn");
		snprintf(name, sizeof(name), "OFAC SDN advanced XML");
		if (!c.default_category)
			c.default_category = "sanctioned";
	} else if (!strcmp(fmt, "list")) {
		int has_cur = ct__labels_list_currency(cur, path) == 0;
		int ofac = !strncasecmp(base, "sanctioned_addresses_", 21) && has_cur;
		if (!o->chain && has_cur)
			c.default_chain = cur;
		if (ofac) {
			snprintf(res->family, sizeof(res->family), "%s", o->source ? o->source : "ofac-sdn");
			snprintf(name, sizeof(name), "OFAC SDN list %s", fname);
			if (!c.default_category)
				c.default_category = "sanctioned";
			/* a per-currency list replaces only its currency's labels */
			for (char *p = cur; *p; p++)
				*p = (char)toupper((unsigned char)*p);
			c.scope = cur;
		} else {
			snprintf(res->family, sizeof(res->family), "%s%s", o->source ? "" : "list:",
			         o->source ? o->source : base);
			snprintf(name, sizeof(name), "list %s", fname);
			if (!c.default_category)
				return ct__err(CT_EUSER, "%s: an address list needs --category", path);
		}
		/* Lists carry no date: the file's modification day is the version. */
		struct stat sta;
		if (stat(path, &sta) == 0) {
			struct tm tm;
			gmtime_r(&sta.st_mtime, &tm);
			strftime(version, sizeof(version), "%Y-%m-%d", &tm);
		}
	} else if (!strcmp(fmt, "etherscan")) {
		snprintf(res->family, sizeof(res->family), "%s%s", o->source ? "" : "etherscan:",
		         o->source ? o->source : base);
		snprintf(name, sizeof(name), "Etherscan labels %s", fname);
		if (!c.default_chain)
			c.default_chain = "eth";
	} else if (!strcmp(fmt, "forta")) {
		/* labels/<chain id>/<set>.csv: the chain is the directory's */
		if (!c.default_chain) {
			evm_dir_chain(fchain, path);
			c.default_chain = fchain;
		}
		snprintf(res->family, sizeof(res->family), "%s%s%s%s", o->source ? "" : "forta:",
		         o->source ? "" : c.default_chain, o->source ? "" : "/",
		         o->source ? o->source : base);
		snprintf(name, sizeof(name), "Forta labelled-datasets %s", fname);
	} else if (!strcmp(fmt, "tagpack")) {
		snprintf(res->family, sizeof(res->family), "%s%s", o->source ? "" : "graphsense:",
		         o->source ? o->source : base);
		snprintf(name, sizeof(name), "GraphSense TagPack %s", fname);
	} else {
		snprintf(res->family, sizeof(res->family), "%s%s", o->source ? "" : "csv:",
		         o->source ? o->source : base);
		snprintf(name, sizeof(name), "%s", fname);
	}
	snprintf(res->scope, sizeof(res->scope), "%s", c.scope);

	sqlite3 *db = l->db;
	ct__lsrc src = {0}, file = {0};
	int src_open = 0;
	if ((rc = exec(db, "BEGIN IMMEDIATE")))
		return ct__err_prefix(rc, "%s", path);
	/* Idempotence: the newest import touching this family and scope
	 * had the same bytes. */
	{
		sqlite3_stmt *st;
		if ((rc = prep(db, &st,
		               "SELECT sha256, scope FROM label_sources WHERE family = ?1"
		               " AND (scope = ?2 OR scope = '' OR ?2 = '') ORDER BY id DESC LIMIT 1")))
			goto fail;
		sqlite3_bind_text(st, 1, res->family, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, c.scope, -1, SQLITE_STATIC);
		int same = sqlite3_step(st) == SQLITE_ROW &&
		           !strcmp((const char *)sqlite3_column_text(st, 0), sha) &&
		           !strcmp((const char *)sqlite3_column_text(st, 1), c.scope);
		sqlite3_finalize(st);
		if (same) {
			res->already_imported = 1;
			int64_t n = scalar_i64(db,
			                       "SELECT count(*) FROM labels WHERE family = ?1 AND removed"
			                       " IS NULL AND (?2 = '' OR scope = ?2)",
			                       res->family, c.scope);
			res->unchanged = n > 0 ? (uint64_t)n : 0;
			exec(db, "ROLLBACK");
			res->seconds = now_seconds() - t0;
			return 0;
		}
	}
	if ((rc = exec(db, "CREATE TEMP TABLE IF NOT EXISTS imp(address TEXT NOT NULL,"
	                   " category TEXT NOT NULL, chain TEXT NOT NULL, name TEXT NOT NULL,"
	                   " source TEXT, ref TEXT NOT NULL, scope TEXT NOT NULL, confidence REAL,"
	                   " PRIMARY KEY(address, category)) WITHOUT ROWID;"
	                   "DELETE FROM temp.imp;")))
		goto fail;
	if ((rc = prep(db, &c.ins,
	               "INSERT OR IGNORE INTO temp.imp(address, category, chain, name, source,"
	               " ref, scope, confidence) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")))
		goto fail;
	if ((rc = open_source(&src, &file, path, bz2)))
		goto fail;
	src_open = 1;
	ct__label_meta meta = {0};
	meta.note = meta_note;
	if (!strcmp(fmt, "sdn"))
		rc = ct__labels_parse_sdn(&src, &meta, on_rec, &c);
	else if (!strcmp(fmt, "list"))
		rc = ct__labels_parse_list(&src, &meta, on_rec, &c);
	else if (!strcmp(fmt, "tagpack"))
		rc = ct__labels_parse_tagpack(&src, &meta, on_rec, &c);
	else if (!strcmp(fmt, "etherscan"))
		rc = ct__labels_parse_etherscan(&src, &meta, on_rec, &c);
	else if (!strcmp(fmt, "forta"))
		rc = ct__labels_parse_forta(&src, &meta, on_rec, &c);
	else
		rc = ct__labels_parse_csv(&src, &meta, on_rec, &c);
	ct__lsrc_close(&src);
	src_open = 0;
	if (rc)
		goto fail;
	if (meta.version[0])
		snprintf(version, sizeof(version), "%s", meta.version);
	if (version[0])
		snprintf(res->source, sizeof(res->source), "%s %s", name, version);
	else
		snprintf(res->source, sizeof(res->source), "%s", name);
	sqlite3_finalize(c.ins);
	c.ins = NULL;

	int64_t sid;
	{
		sqlite3_stmt *st;
		if ((rc = prep(db, &st,
		               "INSERT INTO label_sources(family, scope, format, path, name, version,"
		               " sha256, imported_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")))
			goto fail;
		sqlite3_bind_text(st, 1, res->family, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, c.scope, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, fmt, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, path, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, res->source, -1, SQLITE_STATIC);
		if (version[0])
			sqlite3_bind_text(st, 6, version, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, sha, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 8, now, -1, SQLITE_STATIC);
		int s = sqlite3_step(st);
		sqlite3_finalize(st);
		if (s != SQLITE_DONE) {
			rc = sqlerr(db, "record source");
			goto fail;
		}
		sid = sqlite3_last_insert_rowid(db);
	}
	if ((rc = run_diff(db, SQL_REMOVE, res->family, c.scope, sid, now, res->source,
	                   &res->removed)) ||
	    (rc = run_diff(db, SQL_KEEP, res->family, c.scope, sid, now, res->source,
	                   &res->unchanged)) ||
	    (rc = run_diff(db, SQL_ADD, res->family, c.scope, sid, now, res->source, &res->added)))
		goto fail;
	{
		sqlite3_stmt *st;
		if ((rc = prep(db, &st,
		               "UPDATE label_sources SET records=?2, added=?3, removed=?4,"
		               " unchanged=?5, skipped=?6 WHERE id=?1")))
			goto fail;
		sqlite3_bind_int64(st, 1, sid);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)res->records);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)res->added);
		sqlite3_bind_int64(st, 4, (sqlite3_int64)res->removed);
		sqlite3_bind_int64(st, 5, (sqlite3_int64)res->unchanged);
		sqlite3_bind_int64(st, 6, (sqlite3_int64)res->skipped);
		int s = sqlite3_step(st);
		sqlite3_finalize(st);
		if (s != SQLITE_DONE) {
			rc = sqlerr(db, "record source");
			goto fail;
		}
	}
	if ((rc = exec(db, "DELETE FROM temp.imp; COMMIT")))
		goto fail;
	l->idx_valid = 0;
	res->seconds = now_seconds() - t0;
	return 0;
fail:
	if (src_open)
		ct__lsrc_close(&src);
	sqlite3_finalize(c.ins);
	exec(db, "ROLLBACK");
	res->added = res->removed = res->unchanged = 0;
	res->seconds = now_seconds() - t0;
	return ct__err_prefix(rc, "%s", path);
}

/* ---- JSON -------------------------------------------------------------- */

static json_t *row_json(sqlite3_stmt *st, int with_removed)
{
	/* columns: id address chain category name source family ref confidence
	 * added removed removed_by_name */
	json_t *o = json_object();
	if (!o)
		return NULL;
	json_object_set_new(o, "id", json_integer(sqlite3_column_int64(st, 0)));
	static const char *const keys[] = {"address", "chain", "category", "name",
	                                   "source",  "family", "ref"};
	for (int i = 0; i < 7; i++) {
		const char *t = (const char *)sqlite3_column_text(st, i + 1);
		if ((i == 3 || i == 6) && (!t || !*t))
			json_object_set_new(o, keys[i], json_null());
		else
			json_object_set_new(o, keys[i], json_string(t ? t : ""));
	}
	if (sqlite3_column_type(st, 8) == SQLITE_NULL)
		json_object_set_new(o, "confidence", json_null());
	else
		json_object_set_new(o, "confidence", json_real(sqlite3_column_double(st, 8)));
	json_object_set_new(o, "added", json_string((const char *)sqlite3_column_text(st, 9)));
	if (with_removed) {
		const char *rm = (const char *)sqlite3_column_text(st, 10);
		const char *by = (const char *)sqlite3_column_text(st, 11);
		json_object_set_new(o, "removed", rm ? json_string(rm) : json_null());
		json_object_set_new(o, "removed_by", by ? json_string(by) : json_null());
	}
	return o;
}

static int dump(json_t *doc, char **json)
{
	*json = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	return *json ? 0 : ct__err(CT_ENOMEM, "out of memory");
}

#define LABEL_COLS                                                                         \
	"l.id, l.address, l.chain, l.category, l.name, l.source, l.family, l.ref,"            \
	" l.confidence, l.added"

int ct_labels_list_json(ct_labels *l, char **json, const char *category, const char *chain,
                        size_t limit)
{
	*json = NULL;
	char cat[48], ch[32];
	int known, rc;
	if (category && (rc = ct__labels_category(cat, category, &known)))
		return rc;
	if (chain && (rc = ct__labels_chain(ch, chain, NULL, &known)))
		return rc;
	sqlite3_stmt *st;
	if ((rc = prep(l->db, &st,
	               "SELECT " LABEL_COLS " FROM labels l WHERE l.removed IS NULL"
	               " AND (?1 IS NULL OR l.category = ?1) AND (?2 IS NULL OR l.chain = ?2)"
	               " ORDER BY l.address, l.id LIMIT ?3")))
		return rc;
	if (category)
		sqlite3_bind_text(st, 1, cat, -1, SQLITE_STATIC);
	if (chain)
		sqlite3_bind_text(st, 2, ch, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, limit ? (sqlite3_int64)limit : -1);
	json_t *arr = json_array(), *doc = json_object();
	int s;
	while ((s = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(arr, row_json(st, 0));
	sqlite3_finalize(st);
	if (s != SQLITE_DONE) {
		json_decref(arr);
		json_decref(doc);
		return sqlerr(l->db, "list labels");
	}
	sqlite3_stmt *cs;
	if ((rc = prep(l->db, &cs,
	               "SELECT count(*) FROM labels WHERE removed IS NULL"
	               " AND (?1 IS NULL OR category = ?1) AND (?2 IS NULL OR chain = ?2)"))) {
		json_decref(arr);
		json_decref(doc);
		return rc;
	}
	if (category)
		sqlite3_bind_text(cs, 1, cat, -1, SQLITE_STATIC);
	if (chain)
		sqlite3_bind_text(cs, 2, ch, -1, SQLITE_STATIC);
	int64_t total = sqlite3_step(cs) == SQLITE_ROW ? sqlite3_column_int64(cs, 0) : 0;
	sqlite3_finalize(cs);
	json_object_set_new(doc, "labels", arr);
	json_object_set_new(doc, "total", json_integer(total));
	return dump(doc, json);
}

int ct_labels_show_json(ct_labels *l, char **json, const char *address)
{
	*json = NULL;
	char norm[192];
	int rc = ct_labels_normalize(norm, sizeof(norm), NULL, address);
	if (rc)
		return rc;
	sqlite3_stmt *st;
	if ((rc = prep(l->db, &st,
	               "SELECT " LABEL_COLS ", l.removed, s.name, src.sha256, src.imported_at,"
	               " src.path FROM labels l LEFT JOIN label_sources s ON s.id = l.removed_by"
	               " LEFT JOIN label_sources src ON src.id = l.source_id"
	               " WHERE l.address = ?1 ORDER BY l.removed IS NOT NULL, l.id")))
		return rc;
	sqlite3_bind_text(st, 1, norm, -1, SQLITE_STATIC);
	json_t *doc = json_object(), *act = json_array(), *rem = json_array();
	json_object_set_new(doc, "address", json_string(norm));
	int s;
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *o = row_json(st, sqlite3_column_type(st, 10) != SQLITE_NULL);
		if (sqlite3_column_type(st, 12) != SQLITE_NULL) {
			json_object_set_new(o, "source_sha256",
			                    json_string((const char *)sqlite3_column_text(st, 12)));
			json_object_set_new(o, "imported_at",
			                    json_string((const char *)sqlite3_column_text(st, 13)));
			json_object_set_new(o, "source_path",
			                    json_string((const char *)sqlite3_column_text(st, 14)));
		}
		json_array_append_new(sqlite3_column_type(st, 10) != SQLITE_NULL ? rem : act, o);
	}
	sqlite3_finalize(st);
	if (s != SQLITE_DONE) {
		json_decref(doc);
		json_decref(act);
		json_decref(rem);
		return sqlerr(l->db, "show labels");
	}
	json_object_set_new(doc, "labels", act);
	json_object_set_new(doc, "removed", rem);
	return dump(doc, json);
}

struct sqlite3 *ct__labels_sqlite(ct_labels *l) { return l->db; }

void ct__labels_changed(ct_labels *l) { l->idx_valid = 0; }
