/*
 * cases.c - named investigations in the case store (cases.db): a case
 * keeps its seeds and trace options; opening or updating it runs the trace
 * and, in one transaction, records every address reached
 * (case_addresses) and labels those that received more than the case's
 * threshold (category of the case, source and family "case:NAME", the
 * amount in the label's ref). Receivers below the threshold (dusted
 * bystanders) are listed, not labelled. Re-running after new data extends
 * the case: new receivers are added and labelled, amounts updated.
 */
#include "analysis/trace.h"
#include "labels/labels_int.h"
#include "query/db.h"
#include "util/error.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int sqlfail(sqlite3 *db, const char *what)
{
	return ct__err(CT_EINTERNAL, "cases.db: %s: %s", what, sqlite3_errmsg(db));
}

static void now_iso(char out[32])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int check_name(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	if (!n || n > 64)
		return ct__err(CT_EUSER, "a case name is 1 to 64 characters");
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.'))
			return ct__err(CT_EUSER, "case name '%s': use letters, digits, '-', '_' and '.'", name);
	}
	return 0;
}

/* Trace options as stored JSON, and back (strings point into j). */
static json_t *opts_json(const ct_trace_options *o)
{
	json_t *j = json_object();
	json_object_set_new(j, "policy", json_string(o->policy ? o->policy : "haircut"));
	json_object_set_new(j, "backward", json_boolean(o->backward));
	json_object_set_new(j, "since", o->since == INT64_MIN ? json_null() : json_integer(o->since));
	json_object_set_new(j, "until", o->until == INT64_MAX ? json_null() : json_integer(o->until));
	json_object_set_new(j, "max_hops", json_integer(o->max_hops));
	json_object_set_new(j, "min_amount", o->min_amount ? json_string(o->min_amount) : json_null());
	json_object_set_new(j, "through_services", json_boolean(o->through_services));
	json_object_set_new(j, "asset", o->asset ? json_string(o->asset) : json_null());
	return j;
}

static void opts_from(ct_trace_options *o, json_t *j)
{
	ct_trace_options d = CT_TRACE_OPTIONS_INIT;
	*o = d;
	o->policy = json_string_value(json_object_get(j, "policy"));
	o->backward = json_is_true(json_object_get(j, "backward"));
	json_t *v;
	if (json_is_integer(v = json_object_get(j, "since")))
		o->since = json_integer_value(v);
	if (json_is_integer(v = json_object_get(j, "until")))
		o->until = json_integer_value(v);
	o->max_hops = (uint32_t)json_integer_value(json_object_get(j, "max_hops"));
	o->min_amount = json_string_value(json_object_get(j, "min_amount"));
	o->through_services = json_is_true(json_object_get(j, "through_services"));
	o->asset = json_string_value(json_object_get(j, "asset"));
}

typedef struct kase {
	int64_t id;
	char name[80], category[48], threshold[64];
	int has_threshold;
	json_t *opts;
	int64_t runs;
} kase;

static int load_case(sqlite3 *db, const char *name, kase *k, int *found)
{
	sqlite3_stmt *st;
	*found = 0;
	if (sqlite3_prepare_v2(db, "SELECT id, category, threshold, options, runs FROM cases WHERE name=?1",
	                       -1, &st, NULL) != SQLITE_OK)
		return sqlfail(db, "read case");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*found = 1;
		k->id = sqlite3_column_int64(st, 0);
		snprintf(k->name, sizeof(k->name), "%s", name);
		snprintf(k->category, sizeof(k->category), "%s", sqlite3_column_text(st, 1));
		const unsigned char *th = sqlite3_column_text(st, 2);
		k->has_threshold = th != NULL;
		snprintf(k->threshold, sizeof(k->threshold), "%s", th ? (const char *)th : "");
		k->opts = json_loads((const char *)sqlite3_column_text(st, 3), 0, NULL);
		k->runs = sqlite3_column_int64(st, 4);
		if (!k->opts)
			k->opts = json_object();
	}
	sqlite3_finalize(st);
	return 0;
}

static int exec(sqlite3 *db, const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return sqlite3_errcode(db) == SQLITE_BUSY ? ct__err(CT_ELOCKED, "cases.db is busy")
		                                          : sqlfail(db, sql);
	return 0;
}

/* Run the case's trace and record it (inside the caller's transaction). */
static int run_case(ct_db *dbh, ct_labels *l, kase *k, json_t *report)
{
	sqlite3 *db = ct__labels_sqlite(l);
	sqlite3_stmt *st = NULL;
	int rc;
	/* seeds */
	const char **seeds = NULL;
	size_t n = 0, cap = 0;
	if (sqlite3_prepare_v2(db, "SELECT seed FROM case_seeds WHERE case_id=?1 ORDER BY rowid", -1, &st,
	                       NULL) != SQLITE_OK)
		return sqlfail(db, "read seeds");
	sqlite3_bind_int64(st, 1, k->id);
	json_t *seeds_j = json_array();
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(seeds_j, json_string((const char *)sqlite3_column_text(st, 0)));
	sqlite3_finalize(st);
	cap = json_array_size(seeds_j);
	seeds = calloc(cap + 1, sizeof(*seeds));
	if (!seeds) {
		json_decref(seeds_j);
		return ct__err(CT_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < cap; i++)
		seeds[n++] = json_string_value(json_array_get(seeds_j, i));
	ct_trace_options o;
	opts_from(&o, k->opts);
	o.seeds = seeds;
	o.n_seeds = n;
	char *tj = NULL;
	rc = ct_trace(dbh, &tj, &o);
	free(seeds);
	if (rc) {
		json_decref(seeds_j);
		return rc;
	}
	json_t *t = json_loads(tj, 0, NULL);
	ct_free(tj);
	if (!t) {
		json_decref(seeds_j);
		return ct__err(CT_EINTERNAL, "cannot read the trace back");
	}
	/* threshold: the case's, else 0.1% of what left the seeds */
	const char *chain = json_string_value(json_object_get(t, "chain"));
	json_t *tots = json_object_get(t, "totals");
	char now[32];
	now_iso(now);
	size_t labelled = 0, listed = 0, added = 0, i;
	json_t *a;
	json_t *addrs_out = json_array();
	sqlite3_stmt *up = NULL, *find = NULL, *ins = NULL, *upd = NULL, *old = NULL;
	if (sqlite3_prepare_v2(db,
	                       "INSERT INTO case_addresses(case_id, address, asset, amount, hops, endpoint,"
	                       " reasons, labelled, first_seen, updated) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?9)"
	                       " ON CONFLICT(case_id, address, asset) DO UPDATE SET amount=?4, hops=?5,"
	                       " endpoint=?6, reasons=?7, labelled=MAX(labelled, ?8), updated=?9",
	                       -1, &up, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT 1 FROM case_addresses WHERE case_id=?1 AND address=?2 AND asset=?3",
	                       -1, &old, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db,
	                       "SELECT id FROM labels WHERE family=?1 AND address=?2 AND category=?3"
	                       " AND removed IS NULL", -1, &find, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db,
	                       "INSERT INTO labels(address, chain, category, name, family, source, ref, added)"
	                       " VALUES(?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7)", -1, &ins, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "UPDATE labels SET ref=?2 WHERE id=?1", -1, &upd, NULL) != SQLITE_OK) {
		rc = sqlfail(db, "prepare");
		goto out;
	}
	char family[100];
	snprintf(family, sizeof(family), "case:%s", k->name);
	json_array_foreach(json_object_get(t, "addresses"), i, a) {
		const char *ad = json_string_value(json_object_get(a, "address"));
		const char *asset = json_string_value(json_object_get(a, "asset"));
		const char *amt = json_string_value(json_object_get(a, "amount"));
		if (!ad || !asset || !amt || ad[0] == '(')
			continue; /* (coinbase), (unknown origin), (no address) */
		/* the asset's decimals follow from the amount's form */
		const char *dot = strchr(amt, '.');
		int dec = dot ? (int)strlen(dot + 1) : 0;
		ct_u128 v = 0, th = 0;
		ct__u128_parse(&v, amt, dec);
		if (k->has_threshold) {
			if (ct__u128_parse(&th, k->threshold, dec) != 0) {
				rc = ct__err(CT_EUSER, "threshold '%s' is not an amount of %s (%d decimals)", k->threshold,
				             asset, dec);
				goto out;
			}
		} else {
			size_t ti;
			json_t *x;
			json_array_foreach(tots, ti, x) if (!strcmp(json_string_value(json_object_get(x, "asset")), asset))
			{
				ct_u128 s = 0;
				ct__u128_parse(&s, json_string_value(json_object_get(x, "seeds")), dec);
				th = s / 1000;
			}
		}
		int label = v > th;
		char full[300];
		snprintf(full, sizeof(full), "%s:%s", chain, ad);
		sqlite3_reset(old);
		sqlite3_bind_int64(old, 1, k->id);
		sqlite3_bind_text(old, 2, full, -1, SQLITE_STATIC);
		sqlite3_bind_text(old, 3, asset, -1, SQLITE_STATIC);
		int existed = sqlite3_step(old) == SQLITE_ROW;
		char reasons[200] = "";
		size_t ri;
		json_t *r;
		json_array_foreach(json_object_get(a, "reasons"), ri, r) {
			size_t L = strlen(reasons);
			snprintf(reasons + L, sizeof(reasons) - L, "%s%s", L ? "," : "", json_string_value(r));
		}
		sqlite3_reset(up);
		sqlite3_bind_int64(up, 1, k->id);
		sqlite3_bind_text(up, 2, full, -1, SQLITE_STATIC);
		sqlite3_bind_text(up, 3, asset, -1, SQLITE_STATIC);
		sqlite3_bind_text(up, 4, amt, -1, SQLITE_STATIC);
		sqlite3_bind_int64(up, 5, json_integer_value(json_object_get(a, "hops")));
		sqlite3_bind_int(up, 6, json_is_true(json_object_get(a, "endpoint")));
		sqlite3_bind_text(up, 7, reasons, -1, SQLITE_STATIC);
		sqlite3_bind_int(up, 8, label);
		sqlite3_bind_text(up, 9, now, -1, SQLITE_STATIC);
		if (sqlite3_step(up) != SQLITE_DONE) {
			rc = sqlfail(db, "record address");
			goto out;
		}
		added += !existed;
		if (!label) {
			listed++;
			continue;
		}
		labelled++;
		char ref[120];
		snprintf(ref, sizeof(ref), "%s %s", amt, asset);
		sqlite3_reset(find);
		sqlite3_bind_text(find, 1, family, -1, SQLITE_STATIC);
		sqlite3_bind_text(find, 2, full, -1, SQLITE_STATIC);
		sqlite3_bind_text(find, 3, k->category, -1, SQLITE_STATIC);
		if (sqlite3_step(find) == SQLITE_ROW) {
			int64_t lid = sqlite3_column_int64(find, 0);
			sqlite3_reset(upd);
			sqlite3_bind_int64(upd, 1, lid);
			sqlite3_bind_text(upd, 2, ref, -1, SQLITE_STATIC);
			if (sqlite3_step(upd) != SQLITE_DONE) {
				rc = sqlfail(db, "update label");
				goto out;
			}
		} else {
			sqlite3_reset(ins);
			sqlite3_bind_text(ins, 1, full, -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 2, chain, -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 3, k->category, -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 4, k->name, -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 5, family, -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 6, ref, -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 7, now, -1, SQLITE_STATIC);
			if (sqlite3_step(ins) != SQLITE_DONE) {
				rc = sqlfail(db, "add label");
				goto out;
			}
		}
	}
	/* the case row */
	sqlite3_finalize(up);
	up = NULL;
	char *summary = json_dumps(tots, JSON_COMPACT);
	if (sqlite3_prepare_v2(db, "UPDATE cases SET runs=runs+1, updated=?2, summary=?3 WHERE id=?1", -1, &up,
	                       NULL) != SQLITE_OK) {
		free(summary);
		rc = sqlfail(db, "update case");
		goto out;
	}
	sqlite3_bind_int64(up, 1, k->id);
	sqlite3_bind_text(up, 2, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(up, 3, summary ? summary : "[]", -1, SQLITE_STATIC);
	int ok = sqlite3_step(up) == SQLITE_DONE;
	free(summary);
	if (!ok) {
		rc = sqlfail(db, "update case");
		goto out;
	}
	json_object_set_new(report, "case", json_string(k->name));
	json_object_set_new(report, "category", json_string(k->category));
	json_object_set_new(report, "threshold", k->has_threshold ? json_string(k->threshold) : json_null());
	json_object_set_new(report, "seeds", json_incref(seeds_j));
	json_object_set_new(report, "runs", json_integer(k->runs + 1));
	json_object_set_new(report, "labelled", json_integer((json_int_t)labelled));
	json_object_set_new(report, "listed_below_threshold", json_integer((json_int_t)listed));
	json_object_set_new(report, "new_addresses", json_integer((json_int_t)added));
	json_object_set_new(report, "total", json_incref(json_object_get(t, "total")));
	json_object_set_new(report, "asset", json_incref(json_object_get(t, "asset")));
	json_object_set_new(report, "totals", json_incref(tots));
	json_object_set_new(report, "patterns", json_incref(json_object_get(t, "patterns")));
	ct__labels_changed(l);
out:
	json_decref(addrs_out);
	sqlite3_finalize(up);
	sqlite3_finalize(old);
	sqlite3_finalize(find);
	sqlite3_finalize(ins);
	sqlite3_finalize(upd);
	json_decref(seeds_j);
	json_decref(t);
	return rc;
}

static int finish(json_t *j, char **out)
{
	*out = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(j);
	return *out ? 0 : ct__err(CT_ENOMEM, "out of memory");
}

/* The end of a writing case command (open, update): on success the report
 * becomes *json, else rc is returned; the case and the store let go. */
static int case_done(ct_labels *l, kase *k, json_t *report, char **json, int rc)
{
	json_decref(k->opts);
	ct_labels_close(l);
	if (!rc)
		return finish(report, json);
	json_decref(report);
	return rc;
}

/* The store, writable, for a command on the existing case `name`. */
static int case_store(ct_db *dbh, const char *name, char **json, ct_labels **l)
{
	int rc;
	*json = NULL;
	if ((rc = check_name(name)))
		return rc;
	return ct_labels_open(l, dbh->dir, 1);
}

/* Case `name`, which must exist, into k. */
static int load_existing(sqlite3 *db, const char *name, kase *k)
{
	int found, rc = load_case(db, name, k, &found);
	if (!rc && !found)
		rc = ct__err(CT_ENOTFOUND, "no case named '%s' (cointrail case list)", name);
	return rc;
}

int ct_case_open(ct_db *dbh, char **json, const char *name, const char *category,
                 const char *threshold, const ct_trace_options *o)
{
	ct_labels *l;
	char cat[48];
	int known, rc, found;
	*json = NULL;
	if ((rc = check_name(name)))
		return rc;
	if (!o || o->version != CT_TRACE_OPTIONS_VERSION)
		return ct__err(CT_EUSER, "ct_trace_options version not supported");
	if ((rc = ct__labels_category(cat, category ? category : "theft", &known)))
		return rc;
	if (threshold && ct__u128_parse(&(ct_u128){0}, threshold, 18) != 0)
		return ct__err(CT_EUSER, "threshold '%s' is not an amount", threshold);
	if ((rc = ct_labels_open(&l, dbh->dir, 1)))
		return rc;
	sqlite3 *db = ct__labels_sqlite(l);
	kase k = {0};
	json_t *report = json_object();
	if ((rc = exec(db, "BEGIN IMMEDIATE")))
		goto out;
	if ((rc = load_case(db, name, &k, &found)))
		goto rollback;
	char now[32];
	now_iso(now);
	if (!found) {
		sqlite3_stmt *st;
		json_t *oj = opts_json(o);
		char *os = json_dumps(oj, JSON_COMPACT);
		json_decref(oj);
		if (sqlite3_prepare_v2(db,
		                       "INSERT INTO cases(name, category, threshold, options, created, updated)"
		                       " VALUES(?1, ?2, ?3, ?4, ?5, ?5)", -1, &st, NULL) != SQLITE_OK) {
			free(os);
			rc = sqlfail(db, "create case");
			goto rollback;
		}
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, cat, -1, SQLITE_STATIC);
		if (threshold)
			sqlite3_bind_text(st, 3, threshold, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, os ? os : "{}", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
		int ok = sqlite3_step(st) == SQLITE_DONE;
		sqlite3_finalize(st);
		free(os);
		if (!ok) {
			rc = sqlfail(db, "create case");
			goto rollback;
		}
		if ((rc = load_case(db, name, &k, &found)))
			goto rollback;
	}
	/* seeds: re-opening adds the new ones */
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO case_seeds(case_id, seed) VALUES(?1, ?2)", -1, &st,
	                       NULL) != SQLITE_OK) {
		rc = sqlfail(db, "add seeds");
		goto rollback;
	}
	for (size_t i = 0; i < o->n_seeds; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, k.id);
		sqlite3_bind_text(st, 2, o->seeds[i], -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_finalize(st);
			rc = sqlfail(db, "add seeds");
			goto rollback;
		}
	}
	sqlite3_finalize(st);
	if ((rc = run_case(dbh, l, &k, report)))
		goto rollback;
	if ((rc = exec(db, "COMMIT")))
		goto rollback;
	json_object_set_new(report, "opened", json_boolean(!k.runs));
	return case_done(l, &k, report, json, 0);
rollback:
	exec(db, "ROLLBACK");
out:
	return case_done(l, &k, report, json, rc);
}

int ct_case_update(ct_db *dbh, char **json, const char *name)
{
	ct_labels *l;
	int rc;
	if ((rc = case_store(dbh, name, json, &l)))
		return rc;
	sqlite3 *db = ct__labels_sqlite(l);
	kase k = {0};
	json_t *report = json_object();
	if ((rc = exec(db, "BEGIN IMMEDIATE")))
		return case_done(l, &k, report, json, rc);
	if ((rc = load_existing(db, name, &k)) || (rc = run_case(dbh, l, &k, report)) ||
	    (rc = exec(db, "COMMIT")))
		exec(db, "ROLLBACK");
	return case_done(l, &k, report, json, rc);
}

int ct_case_list(ct_db *dbh, char **json)
{
	ct_labels *l;
	int rc;
	*json = NULL;
	if ((rc = ct_labels_open(&l, dbh->dir, 1)))
		return rc;
	sqlite3 *db = ct__labels_sqlite(l);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db,
	                       "SELECT c.name, c.category, c.threshold, c.created, c.updated, c.runs, c.summary,"
	                       " (SELECT COUNT(*) FROM case_seeds s WHERE s.case_id=c.id),"
	                       " (SELECT COUNT(*) FROM case_addresses a WHERE a.case_id=c.id),"
	                       " (SELECT COUNT(*) FROM case_addresses a WHERE a.case_id=c.id AND a.labelled)"
	                       " FROM cases c ORDER BY c.id", -1, &st, NULL) != SQLITE_OK) {
		rc = sqlfail(db, "list cases");
		ct_labels_close(l);
		return rc;
	}
	json_t *arr = json_array();
	while (sqlite3_step(st) == SQLITE_ROW) {
		json_t *x = json_object();
		json_object_set_new(x, "case", json_string((const char *)sqlite3_column_text(st, 0)));
		json_object_set_new(x, "category", json_string((const char *)sqlite3_column_text(st, 1)));
		const char *th = (const char *)sqlite3_column_text(st, 2);
		json_object_set_new(x, "threshold", th ? json_string(th) : json_null());
		json_object_set_new(x, "created", json_string((const char *)sqlite3_column_text(st, 3)));
		json_object_set_new(x, "updated", json_string((const char *)sqlite3_column_text(st, 4)));
		json_object_set_new(x, "runs", json_integer(sqlite3_column_int64(st, 5)));
		const char *sm = (const char *)sqlite3_column_text(st, 6);
		json_t *tj = sm ? json_loads(sm, 0, NULL) : NULL;
		json_object_set_new(x, "totals", tj ? tj : json_array());
		json_object_set_new(x, "seeds", json_integer(sqlite3_column_int64(st, 7)));
		json_object_set_new(x, "addresses", json_integer(sqlite3_column_int64(st, 8)));
		json_object_set_new(x, "labelled", json_integer(sqlite3_column_int64(st, 9)));
		json_array_append_new(arr, x);
	}
	sqlite3_finalize(st);
	ct_labels_close(l);
	json_t *j = json_object();
	json_object_set_new(j, "cases", arr);
	return finish(j, json);
}

int ct_case_show(ct_db *dbh, char **json, const char *name)
{
	ct_labels *l;
	int rc;
	if ((rc = case_store(dbh, name, json, &l)))
		return rc;
	sqlite3 *db = ct__labels_sqlite(l);
	kase k = {0};
	if ((rc = load_existing(db, name, &k))) {
		ct_labels_close(l);
		return rc;
	}
	json_t *j = json_object();
	json_object_set_new(j, "case", json_string(k.name));
	json_object_set_new(j, "category", json_string(k.category));
	json_object_set_new(j, "threshold", k.has_threshold ? json_string(k.threshold) : json_null());
	json_object_set_new(j, "options", k.opts);
	json_object_set_new(j, "runs", json_integer(k.runs));
	sqlite3_stmt *st;
	json_t *seeds = json_array(), *lab = json_array(), *below = json_array();
	if (sqlite3_prepare_v2(db, "SELECT seed FROM case_seeds WHERE case_id=?1 ORDER BY rowid", -1, &st,
	                       NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, k.id);
		while (sqlite3_step(st) == SQLITE_ROW)
			json_array_append_new(seeds, json_string((const char *)sqlite3_column_text(st, 0)));
		sqlite3_finalize(st);
	}
	if (sqlite3_prepare_v2(db, "SELECT summary, created, updated FROM cases WHERE id=?1", -1, &st, NULL) ==
	    SQLITE_OK) {
		sqlite3_bind_int64(st, 1, k.id);
		if (sqlite3_step(st) == SQLITE_ROW) {
			const char *sm = (const char *)sqlite3_column_text(st, 0);
			json_t *tj = sm ? json_loads(sm, 0, NULL) : NULL;
			json_object_set_new(j, "totals", tj ? tj : json_array());
			json_object_set_new(j, "created", json_string((const char *)sqlite3_column_text(st, 1)));
			json_object_set_new(j, "updated", json_string((const char *)sqlite3_column_text(st, 2)));
		}
		sqlite3_finalize(st);
	}
	if (sqlite3_prepare_v2(db,
	                       "SELECT address, asset, amount, hops, endpoint, reasons, labelled, first_seen"
	                       " FROM case_addresses WHERE case_id=?1 ORDER BY labelled DESC, hops, address",
	                       -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, k.id);
		while (sqlite3_step(st) == SQLITE_ROW) {
			json_t *x = json_object();
			json_object_set_new(x, "address", json_string((const char *)sqlite3_column_text(st, 0)));
			json_object_set_new(x, "asset", json_string((const char *)sqlite3_column_text(st, 1)));
			json_object_set_new(x, "amount", json_string((const char *)sqlite3_column_text(st, 2)));
			json_object_set_new(x, "hops", json_integer(sqlite3_column_int64(st, 3)));
			json_object_set_new(x, "endpoint", json_boolean(sqlite3_column_int(st, 4)));
			const char *rs = (const char *)sqlite3_column_text(st, 5);
			json_object_set_new(x, "reasons", json_string(rs ? rs : ""));
			json_object_set_new(x, "first_seen", json_string((const char *)sqlite3_column_text(st, 7)));
			json_array_append_new(sqlite3_column_int(st, 6) ? lab : below, x);
		}
		sqlite3_finalize(st);
	}
	json_object_set_new(j, "seeds", seeds);
	json_object_set_new(j, "labelled", lab);
	json_object_set_new(j, "below_threshold", below);
	ct_labels_close(l);
	return finish(j, json);
}
