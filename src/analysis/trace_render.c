/*
 * trace_render.c - a trace document (the trace --json JSON) rendered for
 * people and tools: a text report, CSV of the flows, Graphviz DOT, and SVG
 * laid out and drawn by the Graphviz library (libgvc).
 *
 * The graph: one node per address (labels and categories in it; seeds
 * blue, endpoints red (services) or orange (still holding), cut-off dust
 * receivers collapsed into one grey node per sender), one edge per
 * (from, to) pair with the summed amount. Large graphs keep the addresses
 * with the most taint (MAX_NODES) and fold the rest into "other".
 */
#include "analysis/trace.h"
#include "util/error.h"

#include <graphviz/cgraph.h>
#include <stdarg.h>
#include <graphviz/gvc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NODES 300

typedef struct sbuf {
	char *p;
	size_t len, cap;
	int oom;
} sbuf;

static void sb_add(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_add(sbuf *b, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		size_t room = b->cap - b->len;
		va_start(ap, fmt);
		int n = b->p ? vsnprintf(b->p + b->len, room, fmt, ap) : -1;
		va_end(ap);
		if (n >= 0 && (size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		size_t nc = b->cap ? b->cap * 2 : 4096;
		while (n >= 0 && nc - b->len <= (size_t)n)
			nc *= 2;
		char *np = realloc(b->p, nc);
		if (!np) {
			b->oom = 1;
			return;
		}
		b->p = np;
		b->cap = nc;
	}
}

static const char *s_of(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

/* CSV field: quoted when it holds a comma, quote or newline. */
static void csv_field(sbuf *b, const char *s)
{
	if (!strpbrk(s, ",\"\n\r")) {
		sb_add(b, "%s", s);
		return;
	}
	sb_add(b, "\"");
	for (; *s; s++)
		sb_add(b, *s == '"' ? "\"\"" : "%c", *s);
	sb_add(b, "\"");
}

static void render_csv(sbuf *b, json_t *j)
{
	size_t i;
	json_t *f;
	sb_add(b, "from,to,amount,asset,tx,time,hops\n");
	json_array_foreach(json_object_get(j, "flows"), i, f) {
		csv_field(b, s_of(f, "from"));
		sb_add(b, ",");
		csv_field(b, s_of(f, "to"));
		sb_add(b, ",%s,", s_of(f, "amount"));
		csv_field(b, s_of(f, "asset"));
		sb_add(b, ",%s,%s,%lld\n", s_of(f, "tx"), s_of(f, "time"),
		       (long long)json_integer_value(json_object_get(f, "hops")));
	}
}

static void labels_text(char *out, size_t cap, json_t *a)
{
	size_t i, k = 0;
	json_t *l;
	out[0] = 0;
	json_array_foreach(json_object_get(a, "labels"), i, l) {
		const char *n = s_of(l, "name");
		int w = snprintf(out + k, cap - k, "%s%s%s%s", k ? "; " : "", s_of(l, "category"),
		                 *n ? " " : "", n);
		if (w < 0 || (size_t)w >= cap - k)
			break;
		k += (size_t)w;
	}
}

static void reasons_text(char *out, size_t cap, json_t *a)
{
	size_t i, k = 0;
	json_t *r;
	out[0] = 0;
	json_array_foreach(json_object_get(a, "reasons"), i, r) {
		int w = snprintf(out + k, cap - k, "%s%s", k ? "," : "", json_string_value(r));
		if (w < 0 || (size_t)w >= cap - k)
			break;
		k += (size_t)w;
	}
}

static void render_text(sbuf *b, json_t *j)
{
	size_t i;
	json_t *x, *s;
	sb_add(b, "trace     %s, %s, chain %s\n", s_of(j, "direction"), s_of(j, "policy"), s_of(j, "chain"));
	sb_add(b, "seeds    ");
	json_array_foreach(json_object_get(j, "seeds"), i, s)
		sb_add(b, " %s", json_is_string(s) ? json_string_value(s) : "?");
	sb_add(b, "\n");
	json_array_foreach(json_object_get(j, "totals"), i, x) {
		json_t *c = json_object_get(x, "conserved");
		sb_add(b, "total     %s %s left the seeds: held %s + fees %s + cut off %s + returned %s%s\n",
		       s_of(x, "seeds"), s_of(x, "asset"), s_of(x, "held"), s_of(x, "fees"),
		       s_of(x, "cut_off"), s_of(x, "returned_to_seeds"),
		       json_is_true(c) ? " (conserved)" : json_is_false(c) ? " (NOT conserved)" : "");
		json_t *br = json_object_get(x, "by_reason");
		const char *k;
		json_t *v;
		json_object_foreach(br, k, v)
			sb_add(b, "            %-15s %s\n", k, json_string_value(v));
	}
	json_t *st = json_object_get(j, "stats");
	sb_add(b, "reached   %lld addresses, %lld endpoints, %lld significant; %lld txs, %lld edges\n\n",
	       (long long)json_integer_value(json_object_get(st, "addresses")),
	       (long long)json_integer_value(json_object_get(st, "endpoints")),
	       (long long)json_integer_value(json_object_get(st, "significant")),
	       (long long)json_integer_value(json_object_get(st, "txs")),
	       (long long)json_integer_value(json_object_get(st, "edges")));
	/* the address column as wide as the longest shown (P2WSH and
	 * Taproot addresses are 62 characters, legacy ones 34) */
	int aw = 7;
	size_t cnt = 0;
	json_array_foreach(json_object_get(j, "addresses"), i, x) {
		if (!json_is_true(json_object_get(x, "significant")))
			continue;
		if (cnt++ >= 200)
			break;
		int l = (int)strlen(s_of(x, "address"));
		if (l > aw)
			aw = l < 120 ? l : 120;
	}
	sb_add(b, "%-*s %20s %4s %-22s %s\n", aw, "address", "amount", "hops", "endpoint", "labels");
	size_t shown = 0, dust = 0;
	json_array_foreach(json_object_get(j, "addresses"), i, x) {
		if (!json_is_true(json_object_get(x, "significant"))) {
			dust++;
			continue;
		}
		if (shown++ >= 200)
			continue;
		char lt[256], rt[128];
		labels_text(lt, sizeof(lt), x);
		reasons_text(rt, sizeof(rt), x);
		sb_add(b, "%-*s %20s %4lld %-22s %s\n", aw, s_of(x, "address"), s_of(x, "amount"),
		       (long long)json_integer_value(json_object_get(x, "hops")),
		       json_is_true(json_object_get(x, "endpoint")) ? rt : "", lt);
	}
	/* the document may list only the largest (--max-addresses): the
	 * counts come from its stats */
	long long n_sig = (long long)json_integer_value(json_object_get(st, "significant"));
	long long n_all = (long long)json_integer_value(json_object_get(st, "addresses"));
	long long listed = (long long)(shown < 200 ? shown : 200);
	if (n_sig > listed)
		sb_add(b, "... %lld more addresses (see --json)\n", n_sig - listed);
	if (n_all > n_sig || dust)
		sb_add(b, "%lld addresses received only dust below --min-amount (cut off, see --json)\n",
		       n_all > n_sig ? n_all - n_sig : (long long)dust);
	json_t *pats = json_object_get(j, "patterns");
	size_t more = (size_t)json_integer_value(json_object_get(j, "patterns_dropped"));
	if (json_array_size(pats)) {
		sb_add(b, "\npatterns\n");
		json_array_foreach(pats, i, x) {
			if (i >= 100) {
				more += json_array_size(pats) - 100;
				break;
			}
			json_t *tx = json_array_get(json_object_get(x, "txids"), 0);
			sb_add(b, "  %-14s tx %s, %zu addresses", s_of(x, "kind"), json_string_value(tx) ? json_string_value(tx) : "?",
			       json_array_size(json_object_get(x, "addresses")));
			if (json_object_get(x, "length"))
				sb_add(b, ", %lld hops, peeled %s", (long long)json_integer_value(json_object_get(x, "length")),
				       s_of(x, "peeled"));
			sb_add(b, "\n");
		}
		if (more)
			sb_add(b, "  ... %zu more (see --json)\n", more);
	}
}

/* ---- DOT --------------------------------------------------------------- */

static void dot_str(sbuf *b, const char *s)
{
	sb_add(b, "\"");
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			sb_add(b, "\\%c", *s);
		else if (*s == '\n')
			sb_add(b, "\\n");
		else if ((unsigned char)*s >= 32)
			sb_add(b, "%c", *s);
	}
	sb_add(b, "\"");
}

static void short_addr(char *out, size_t cap, const char *a)
{
	size_t n = strlen(a);
	if (n <= 20)
		snprintf(out, cap, "%s", a);
	else
		snprintf(out, cap, "%.10s...%s", a, a + n - 8);
}

typedef struct edge {
	const char *from, *to;
	double amount; /* display only: the exact figures are in the JSON */
	char amount_s[64];
} edge;

static void render_dot(sbuf *b, json_t *j)
{
	size_t i;
	json_t *x;
	json_t *kept = json_object(); /* address -> node id, or "dust:SENDER" / "other" */
	size_t nk = 0;
	sb_add(b, "digraph trace {\n  rankdir=LR;\n  node [shape=box, style=\"rounded,filled\", "
	          "fillcolor=white, fontname=\"Helvetica\", fontsize=10];\n"
	          "  edge [fontname=\"Helvetica\", fontsize=9];\n");
	sb_add(b, "  label=");
	char title[256];
	json_t *tot = json_array_get(json_object_get(j, "totals"), 0);
	snprintf(title, sizeof(title), "%s trace (%s) of %s %s", s_of(j, "direction"), s_of(j, "policy"),
	         s_of(tot, "seeds"), s_of(tot, "asset"));
	dot_str(b, title);
	sb_add(b, ";\n  labelloc=t;\n");
	json_array_foreach(json_object_get(j, "addresses"), i, x) {
		const char *a = s_of(x, "address");
		int sig = json_is_true(json_object_get(x, "significant"));
		int seed = json_is_true(json_object_get(x, "seed"));
		if (!sig && !seed)
			continue;
		if (nk >= MAX_NODES && !seed)
			continue;
		char id[32], sa[64], lt[256], rt[128], lab[640];
		snprintf(id, sizeof(id), "n%zu", nk++);
		json_object_set_new(kept, a, json_string(id));
		short_addr(sa, sizeof(sa), a);
		labels_text(lt, sizeof(lt), x);
		reasons_text(rt, sizeof(rt), x);
		int ep = json_is_true(json_object_get(x, "endpoint"));
		snprintf(lab, sizeof(lab), "%s\n%s %s%s%s%s%s", sa, s_of(x, "amount"), s_of(x, "asset"),
		         *lt ? "\n" : "", lt, ep ? "\nendpoint: " : "", ep ? rt : "");
		const char *fill = seed ? "#cfe2ff" : !ep ? "white"
		                   : strstr(rt, "service") ? "#f8b4b4"
		                   : strstr(rt, "unspent") ? "#fde2b8" : "#eeeeee";
		sb_add(b, "  %s [label=", id);
		dot_str(b, lab);
		sb_add(b, ", fillcolor=\"%s\"%s];\n", fill, ep ? ", penwidth=2" : "");
	}
	/* edges: aggregate per (from node, to node) */
	json_t *agg = json_object();
	json_t *dust_nodes = json_object();
	json_array_foreach(json_object_get(j, "flows"), i, x) {
		const char *f = s_of(x, "from"), *t = s_of(x, "to");
		json_t *fn = json_object_get(kept, f), *tn = json_object_get(kept, t);
		if (!fn)
			continue;
		char tid[64];
		if (!tn) {
			/* a dust receiver (or beyond the node cap): one node per sender */
			snprintf(tid, sizeof(tid), "d_%s", json_string_value(fn));
			json_t *dn = json_object_get(dust_nodes, tid);
			if (!dn) {
				dn = json_pack("{s:i}", "count", 0);
				json_object_set_new(dust_nodes, tid, dn);
			}
			json_object_set_new(dn, "count", json_integer(json_integer_value(json_object_get(dn, "count")) + 1));
		} else {
			snprintf(tid, sizeof(tid), "%s", json_string_value(tn));
		}
		char key[160];
		snprintf(key, sizeof(key), "%s>%s", json_string_value(fn), tid);
		json_t *e = json_object_get(agg, key);
		double amt = strtod(s_of(x, "amount"), NULL);
		if (!e) {
			e = json_pack("{s:s,s:s,s:f,s:s}", "f", json_string_value(fn), "t", tid, "a", 0.0,
			              "asset", s_of(x, "asset"));
			json_object_set_new(agg, key, e);
		}
		json_object_set_new(e, "a", json_real(json_real_value(json_object_get(e, "a")) + amt));
	}
	const char *k;
	json_t *v;
	json_object_foreach(dust_nodes, k, v) {
		char lab[128];
		snprintf(lab, sizeof(lab), "%lld dust receivers\n(cut off)",
		         (long long)json_integer_value(json_object_get(v, "count")));
		sb_add(b, "  %s [label=", k);
		dot_str(b, lab);
		sb_add(b, ", fillcolor=\"#dddddd\", style=\"rounded,filled,dashed\"];\n");
	}
	json_object_foreach(agg, k, v) {
		sb_add(b, "  %s -> %s [label=\"%.8g %s\"];\n", s_of(v, "f"), s_of(v, "t"),
		       json_real_value(json_object_get(v, "a")), s_of(v, "asset"));
	}
	sb_add(b, "}\n");
	json_decref(agg);
	json_decref(dust_nodes);
	json_decref(kept);
}

static int render_svg(char **out, size_t *len, const char *dot)
{
	GVC_t *gvc = gvContext();
	if (!gvc)
		return ct__err(CT_ENOMEM, "Graphviz: cannot create a context");
	Agraph_t *g = agmemread(dot);
	if (!g) {
		gvFreeContext(gvc);
		return ct__err(CT_EINTERNAL, "Graphviz: cannot read the generated graph");
	}
	int rc = 0;
	if (gvLayout(gvc, g, "dot") != 0) {
		rc = ct__err(CT_EINTERNAL, "Graphviz: layout failed");
	} else {
		char *data = NULL;
		unsigned int n = 0;
		if (gvRenderData(gvc, g, "svg", &data, &n) != 0 || !data) {
			rc = ct__err(CT_EINTERNAL, "Graphviz: svg rendering failed");
		} else {
			*out = malloc(n + 1);
			if (!*out) {
				rc = ct__err(CT_ENOMEM, "out of memory");
			} else {
				memcpy(*out, data, n);
				(*out)[n] = 0;
				*len = n;
			}
			gvFreeRenderData(data);
		}
		gvFreeLayout(gvc, g);
	}
	agclose(g);
	gvFreeContext(gvc);
	return rc;
}

int ct_trace_render(char **out, size_t *len, const char *json, const char *format)
{
	*out = NULL;
	*len = 0;
	json_error_t err;
	json_t *j = json_loads(json, 0, &err);
	if (!j)
		return ct__err(CT_EDATA, "trace document: line %d: %s", err.line, err.text);
	sbuf b = {0};
	int rc = 0;
	if (!format || !strcmp(format, "text"))
		render_text(&b, j);
	else if (!strcmp(format, "csv"))
		render_csv(&b, j);
	else if (!strcmp(format, "dot") || !strcmp(format, "svg"))
		render_dot(&b, j);
	else if (!strcmp(format, "json"))
		sb_add(&b, "%s\n", json);
	else
		rc = ct__err(CT_EUSER, "unknown format '%s' (text, json, csv, dot, svg)", format);
	json_decref(j);
	if (!rc && b.oom)
		rc = ct__err(CT_ENOMEM, "out of memory rendering the trace");
	if (!rc && format && !strcmp(format, "svg")) {
		rc = render_svg(out, len, b.p ? b.p : "digraph{}");
		free(b.p);
		return rc;
	}
	if (rc) {
		free(b.p);
		return rc;
	}
	if (!b.p)
		sb_add(&b, "%s", "");
	*out = b.p;
	*len = b.len;
	return 0;
}
