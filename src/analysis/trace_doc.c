/*
 * trace_doc.c - the `trace --json` document (docs/tracing.md, DESIGN
 * section 6), written as text straight from the result.
 *
 * A large trace reaches hundreds of thousands of addresses and flows; a
 * tree of jansson values for them cost ten allocations per flow and most
 * of a command's time. The small parts (seeds, limits, totals, patterns,
 * stats) are still built with jansson and dumped compactly; the addresses
 * and flows are written one per line by hand, with the same keys, and
 * every address is rendered once.
 */
#include "analysis/trace.h"
#include "labels/labels.h"
#include "util/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- a growing text buffer ------------------------------------------ */

typedef struct sb {
	char *p;
	size_t n, cap;
	int oom;
} sb;

static int sb_room(sb *s, size_t k)
{
	if (s->oom)
		return -1;
	if (s->n + k + 1 <= s->cap)
		return 0;
	size_t c = s->cap ? s->cap : 1 << 16;
	while (c < s->n + k + 1)
		c *= 2;
	char *np = realloc(s->p, c);
	if (!np) {
		s->oom = 1;
		return -1;
	}
	s->p = np;
	s->cap = c;
	return 0;
}

static void sb_put(sb *s, const char *x, size_t k)
{
	if (sb_room(s, k))
		return;
	memcpy(s->p + s->n, x, k);
	s->n += k;
	s->p[s->n] = '\0';
}

static void sb_puts(sb *s, const char *x) { sb_put(s, x, strlen(x)); }

static void sb_printf(sb *s, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (k < 0)
		return;
	if ((size_t)k < sizeof(tmp)) {
		sb_put(s, tmp, (size_t)k);
		return;
	}
	if (sb_room(s, (size_t)k))
		return;
	va_start(ap, fmt);
	vsnprintf(s->p + s->n, (size_t)k + 1, fmt, ap);
	va_end(ap);
	s->n += (size_t)k;
}

/* Length of the valid UTF-8 sequence at p (at most left bytes), 0 if
 * the bytes there are not one. */
static size_t utf8_len(const unsigned char *p, size_t left)
{
	unsigned c = p[0];
	size_t n = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
	if (!n || n > left)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if (n == 3 && ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] >= 0xa0)))
		return 0; /* overlong, surrogate */
	if (n == 4 && ((c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] >= 0x90)))
		return 0;
	return n;
}

/* A JSON string: quotes, backslashes and control characters escaped,
 * bytes that are not UTF-8 replaced by U+FFFD (labels come from outside). */
static void sb_str(sb *s, const char *x)
{
	const unsigned char *p = (const unsigned char *)x;
	size_t len = strlen(x);
	sb_put(s, "\"", 1);
	for (size_t i = 0; i < len;) {
		size_t run = i;
		while (run < len && p[run] >= 0x20 && p[run] < 0x80 && p[run] != '"' && p[run] != '\\')
			run++;
		if (run > i) {
			sb_put(s, x + i, run - i);
			i = run;
			continue;
		}
		unsigned c = p[i];
		if (c == '"' || c == '\\') {
			char e[2] = {'\\', (char)c};
			sb_put(s, e, 2);
			i++;
		} else if (c < 0x20) {
			sb_printf(s, "\\u%04x", c);
			i++;
		} else {
			size_t n = utf8_len(p + i, len - i);
			if (n) {
				sb_put(s, x + i, n);
				i += n;
			} else {
				sb_puts(s, "\\ufffd");
				i++;
			}
		}
	}
	sb_put(s, "\"", 1);
}

static void sb_amt(sb *s, ct_u128 v, int dec)
{
	char b[64];
	ct__u128_amount(b, sizeof(b), v, dec);
	sb_put(s, "\"", 1);
	sb_puts(s, b);
	sb_put(s, "\"", 1);
}

static void sb_time(sb *s, int64_t t)
{
	char b[40];
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm)) {
		sb_puts(s, "null");
		return;
	}
	size_t k = strftime(b, sizeof(b), "\"%Y-%m-%dT%H:%M:%SZ\"", &tm);
	sb_put(s, b, k);
}

/* `  "key": ` then the value dumped compactly (takes v). */
static void sb_key_json(sb *s, const char *key, json_t *v, int last)
{
	sb_puts(s, "  ");
	sb_str(s, key);
	sb_puts(s, ": ");
	char *d = v ? json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY) : NULL;
	if (d) {
		sb_puts(s, d);
		free(d);
	} else {
		if (v)
			s->oom = 1;
		sb_puts(s, "null");
	}
	json_decref(v);
	sb_puts(s, last ? "\n" : ",\n");
}

/* ---- small parts, with jansson ---------------------------------------- */

static json_t *jamt(ct_u128 v, int dec)
{
	char b[64];
	ct__u128_amount(b, sizeof(b), v, dec);
	return json_string(b);
}

static json_t *jtime(int64_t t)
{
	char b[40];
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm))
		return json_null();
	strftime(b, sizeof(b), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(b);
}

static json_t *totals_json(const ct__tr_res *r, const ct__tr_namer *nm, int pol, size_t used)
{
	size_t na = nm->n_assets ? nm->n_assets : 1;
	json_t *tots = json_array();
	for (size_t i = 0; i < na; i++) {
		const ct__tr_totals *t = &r->tot[i];
		if (!t->seeds && used)
			continue;
		int d = nm->decimals[i];
		json_t *x = json_object();
		json_object_set_new(x, "asset", json_string(nm->assets[i]));
		json_object_set_new(x, "seeds", jamt(t->seeds, d));
		json_object_set_new(x, "held", jamt(t->held, d));
		json_object_set_new(x, "fees", jamt(t->fees, d));
		json_object_set_new(x, "cut_off", jamt(t->cut, d));
		json_object_set_new(x, "returned_to_seeds", jamt(t->returned, d));
		json_t *br = json_object();
		for (unsigned b = 0; b < CT_END_COUNT; b++)
			if (t->by_reason[b])
				json_object_set_new(br, ct__tr_reason_name(1u << b), jamt(t->by_reason[b], d));
		json_object_set_new(x, "by_reason", br);
		/* conservation: seeds = held + fees + cut + returned (not for
		 * poison, which copies taint instead of moving it) */
		ct_u128 rhs = t->held + t->fees + t->cut + t->returned;
		json_object_set_new(x, "conserved", pol == CT_POL_POISON ? json_null()
		                                                         : json_boolean(rhs == t->seeds));
		json_object_set_new(x, "imbalance", pol == CT_POL_POISON ? json_null()
		                    : json_integer(rhs >= t->seeds ? (json_int_t)(rhs - t->seeds)
		                                                    : -(json_int_t)(t->seeds - rhs)));
		json_array_append_new(tots, x);
	}
	return tots;
}

/* ---- addresses ---------------------------------------------------------- */

/* Address order (qsort_r: ctx is the result): by asset, most received
 * first, then fewest hops, then id. */
static int cmp_addr(const void *x, const void *y, void *ctx)
{
	const ct__tr_res *r = ctx;
	const ct__tr_addr *a = *(ct__tr_addr *const *)x, *b = *(ct__tr_addr *const *)y;
	if (a->asset != b->asset)
		return a->asset < b->asset ? -1 : 1;
	ct_u128 ra = ct__tr_amt(r, a, CT_AMT_RECEIVED), rb = ct__tr_amt(r, b, CT_AMT_RECEIVED);
	if (ra != rb)
		return ra > rb ? -1 : 1;
	if (a->hops != b->hops)
		return a->hops < b->hops ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

/* Taint stopped there (other than by coming back to a seed). */
static int addr_endpoint(const ct__tr_res *r, const ct__tr_addr *a)
{
	unsigned stop = a->reasons & ~(unsigned)(CT_END_SEED | CT_ADDR_SEED);
	return stop != 0 && (ct__tr_amt(r, a, CT_AMT_HELD) > 0 || ct__tr_amt(r, a, CT_AMT_CUT) > 0);
}

/* Received at least the cutoff in amounts that were followed. */
static int addr_significant(const ct__tr_res *r, const ct__tr_addr *a, int have_cut,
                            ct_u128 cutoff)
{
	ct_u128 rec = ct__tr_amt(r, a, CT_AMT_RECEIVED), cut = ct__tr_amt(r, a, CT_AMT_CUT);
	if (rec == cut && cut > 0)
		return 0;
	return !have_cut || rec - cut >= cutoff;
}

static int addr_before(const void *ctx, size_t a, size_t b)
{
	const ct__tr_res *r = ctx;
	const ct__tr_addr *x = &r->addrs[a], *y = &r->addrs[b];
	return cmp_addr(&x, &y, (void *)r) < 0;
}

/* The k first addresses in cmp_addr order, sorted (NULL on OOM). */
static const ct__tr_addr **top_addrs(const ct__tr_res *r, size_t k)
{
	const ct__tr_addr **h = malloc((k ? k : 1) * sizeof(*h));
	size_t *ix = k < r->n_addrs ? malloc((k ? k : 1) * sizeof(*ix)) : NULL;
	if (!h || (k < r->n_addrs && !ix)) {
		free(h);
		free(ix);
		return NULL;
	}
	if (ix) {
		ct__tr_topk(r->n_addrs, k, addr_before, r, ix);
		for (size_t i = 0; i < k; i++)
			h[i] = &r->addrs[ix[i]];
		free(ix);
	} else {
		for (size_t i = 0; i < k; i++)
			h[i] = &r->addrs[i];
	}
	qsort_r(h, k, sizeof(*h), cmp_addr, (void *)r);
	return h;
}

/* Rendered address names, each once: offsets into one pool, by entry. */
typedef struct names {
	const ct__tr_res *r;
	const ct__tr_namer *nm;
	size_t *off; /* + 1; 0: not yet */
	sb pool;
} names;

static const char *name_of(names *n, uint32_t asset, uint64_t id, char *tmp, size_t cap)
{
	const ct__tr_addr *e = ct__tr_addr_find(n->r, asset, id);
	if (!e || !n->off) {
		n->nm->addr(n->nm->ctx, id, tmp, cap);
		return tmp;
	}
	size_t i = (size_t)(e - n->r->addrs);
	if (!n->off[i]) {
		n->nm->addr(n->nm->ctx, id, tmp, cap);
		size_t at = n->pool.n;
		sb_put(&n->pool, tmp, strlen(tmp) + 1);
		if (n->pool.oom)
			return tmp;
		n->off[i] = at + 1;
	}
	return n->pool.p + n->off[i] - 1;
}

static void write_addr(sb *s, names *nn, const ct__tr_addr *a, struct ct_labels *labels,
                       int have_cut, ct_u128 cutoff)
{
	const ct__tr_namer *nm = nn->nm;
	char tmp[256], full[300];
	int d = nm->decimals[a->asset];
	const char *name = name_of(nn, a->asset, a->id, tmp, sizeof(tmp));
	sb_puts(s, "    {\"address\":");
	sb_str(s, name);
	sb_puts(s, ",\"asset\":");
	sb_str(s, nm->assets[a->asset]);
	sb_puts(s, ",\"amount\":");
	sb_amt(s, ct__tr_amt(nn->r, a, CT_AMT_RECEIVED), d);
	sb_printf(s, ",\"hops\":%u,\"labels\":[", a->hops == UINT32_MAX ? 0 : a->hops);
	if (labels) {
		ct_label *ls = NULL;
		size_t nl = 0;
		snprintf(full, sizeof(full), "%s:%s", nm->chain, name);
		if (ct_labels_lookup(labels, full, &ls, &nl) == 0) {
			for (size_t k = 0; k < nl; k++) {
				sb_puts(s, k ? ",{\"category\":" : "{\"category\":");
				sb_str(s, ls[k].category ? ls[k].category : "");
				sb_puts(s, ",\"name\":");
				sb_str(s, ls[k].name ? ls[k].name : "");
				sb_puts(s, ",\"source\":");
				sb_str(s, ls[k].source ? ls[k].source : "");
				sb_puts(s, "}");
			}
			ct_free(ls);
		}
	}
	sb_puts(s, "],\"cluster\":");
	json_t *cl = nm->cluster ? nm->cluster(nm->ctx, a->id) : NULL;
	if (cl && json_is_string(cl))
		sb_str(s, json_string_value(cl));
	else
		sb_puts(s, "null");
	json_decref(cl);
	sb_printf(s, ",\"endpoint\":%s,\"reasons\":[", addr_endpoint(nn->r, a) ? "true" : "false");
	for (unsigned i = 0, k = 0; i < CT_END_COUNT; i++)
		if (a->reasons & (1u << i)) {
			sb_puts(s, k++ ? ",\"" : "\"");
			sb_puts(s, ct__tr_reason_name(1u << i));
			sb_puts(s, "\"");
		}
	sb_puts(s, "],\"held\":");
	sb_amt(s, ct__tr_amt(nn->r, a, CT_AMT_HELD), d);
	sb_puts(s, ",\"cut_off\":");
	sb_amt(s, ct__tr_amt(nn->r, a, CT_AMT_CUT), d);
	sb_puts(s, ",\"sent\":");
	sb_amt(s, ct__tr_amt(nn->r, a, CT_AMT_SENT), d);
	sb_printf(s, ",\"seed\":%s,\"significant\":%s}", a->reasons & CT_ADDR_SEED ? "true" : "false",
	          addr_significant(nn->r, a, have_cut, cutoff) ? "true" : "false");
}

static void write_flow(sb *s, names *nn, const ct__tr_flow *f)
{
	const ct__tr_namer *nm = nn->nm;
	char tmp[256];
	for (int side = 0; side < 2; side++) {
		uint64_t id = side ? f->to : f->from;
		sb_puts(s, side ? ",\"to\":" : "    {\"from\":");
		if (id == UINT64_MAX)
			sb_puts(s, "null");
		else
			sb_str(s, name_of(nn, f->asset, id, tmp, sizeof(tmp)));
	}
	sb_puts(s, ",\"amount\":");
	sb_amt(s, f->amount, nm->decimals[f->asset]);
	sb_puts(s, ",\"asset\":");
	sb_str(s, nm->assets[f->asset]);
	nm->tx(nm->ctx, f->tx, tmp, sizeof(tmp));
	sb_puts(s, ",\"tx\":");
	sb_str(s, tmp);
	sb_puts(s, ",\"time\":");
	sb_time(s, f->time);
	sb_printf(s, ",\"hops\":%u}", f->hops);
}

/* ---- the document ------------------------------------------------------- */

char *ct__tr_doc(const ct__tr_res *r, const ct__tr_namer *nm, struct ct_labels *labels,
                 const ct_trace_options *o, json_t *seeds)
{
	sb s = {0};
	int pol = ct__tr_policy(o->policy);
	size_t na = nm->n_assets ? nm->n_assets : 1;
	ct_u128 cutoff = 0;
	int have_cut = 0;
	sb_puts(&s, "{\n");
	sb_key_json(&s, "policy", json_string(ct__tr_policy_name(pol)), 0);
	sb_key_json(&s, "direction", json_string(o->backward ? "backward" : "forward"), 0);
	sb_key_json(&s, "chain", json_string(nm->chain), 0);
	/* "seeds": the seeds as given (DESIGN section 6); "seed_kinds": how
	 * each was read (address, tx, output, transfer) */
	json_t *given = json_array();
	size_t si;
	json_t *sx;
	json_array_foreach(seeds, si, sx)
		json_array_append(given, json_object_get(sx, "seed"));
	sb_key_json(&s, "seeds", given, 0);
	sb_key_json(&s, "seed_kinds", seeds, 0);
	/* Top-level total and asset: the only asset traced; with several, null
	 * and see "totals" (one entry per asset). */
	size_t used = 0, last = 0;
	for (size_t i = 0; i < na; i++)
		if (r->tot[i].seeds) {
			used++;
			last = i;
		}
	sb_key_json(&s, "total", used <= 1 ? jamt(r->tot[last].seeds, nm->decimals[last]) : json_null(), 0);
	sb_key_json(&s, "asset", used <= 1 ? json_string(nm->assets[last]) : json_null(), 0);
	if (o->min_amount && ct__u128_parse(&cutoff, o->min_amount, nm->decimals[last]) == 0)
		have_cut = 1;
	json_t *lim = json_object();
	json_object_set_new(lim, "max_hops", o->max_hops ? json_integer(o->max_hops) : json_null());
	json_object_set_new(lim, "min_amount", o->min_amount ? json_string(o->min_amount) : json_null());
	json_object_set_new(lim, "since", o->since == INT64_MIN ? json_null() : jtime(o->since));
	json_object_set_new(lim, "until", o->until == INT64_MAX ? json_null() : jtime(o->until));
	json_object_set_new(lim, "through_services", json_boolean(o->through_services));
	sb_key_json(&s, "limits", lim, 0);
	sb_key_json(&s, "totals", totals_json(r, nm, pol, used), 0);

	/* addresses, largest first: all sorted, or the `max_addresses`
	 * largest picked in one pass (a large trace reaches millions) */
	names nn = {r, nm, calloc(r->n_addrs ? r->n_addrs : 1, sizeof(size_t)), {0}};
	size_t n_end = 0, n_sig = 0, n_list = r->n_addrs;
	if (o->max_addresses && n_list > o->max_addresses)
		n_list = o->max_addresses;
	for (size_t i = 0; i < r->n_addrs; i++) {
		n_end += addr_endpoint(r, &r->addrs[i]);
		n_sig += addr_significant(r, &r->addrs[i], have_cut, cutoff);
	}
	const ct__tr_addr **ord = top_addrs(r, n_list);
	if (!ord)
		s.oom = 1;
	sb_puts(&s, "  \"addresses\": [");
	for (size_t i = 0; ord && i < n_list && !s.oom; i++) {
		sb_puts(&s, i ? ",\n" : "\n");
		write_addr(&s, &nn, ord[i], labels, have_cut, cutoff);
	}
	free(ord);
	sb_puts(&s, n_list ? "\n  ],\n" : "],\n");
	sb_printf(&s, "  \"addresses_dropped\": %zu,\n", r->n_addrs - n_list);

	size_t n_fl = o->summary ? 0 : r->n_flows;
	sb_puts(&s, "  \"flows\": [");
	for (size_t i = 0; i < n_fl && !s.oom; i++) {
		sb_puts(&s, i ? ",\n" : "\n");
		write_flow(&s, &nn, &r->flows[i]);
	}
	sb_puts(&s, n_fl ? "\n  ],\n" : "],\n");
	sb_printf(&s, "  \"flows_dropped\": %llu,\n",
	          (unsigned long long)(r->flows_dropped + (r->n_flows - n_fl)));
	free(nn.off);
	free(nn.pool.p);

	uint64_t n_pat = 0;
	json_t *pats = ct__tr_patterns(r, nm, o->max_patterns, &n_pat);
	sb_puts(&s, "  \"patterns\": [");
	size_t pi;
	json_t *px;
	json_array_foreach(pats, pi, px) {
		char *d = json_dumps(px, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (!d) {
			s.oom = 1;
			break;
		}
		sb_puts(&s, pi ? ",\n    " : "\n    ");
		sb_puts(&s, d);
		free(d);
	}
	sb_puts(&s, json_array_size(pats) ? "\n  ],\n" : "],\n");
	json_decref(pats);
	sb_printf(&s, "  \"patterns_dropped\": %llu,\n",
	          (unsigned long long)(o->max_patterns && n_pat > o->max_patterns ? n_pat - o->max_patterns : 0));

	json_t *st = json_object();
	json_object_set_new(st, "addresses", json_integer((json_int_t)r->n_addrs));
	json_object_set_new(st, "endpoints", json_integer((json_int_t)n_end));
	json_object_set_new(st, "significant", json_integer((json_int_t)n_sig));
	json_object_set_new(st, "txs", json_integer((json_int_t)r->txs));
	json_object_set_new(st, "edges", json_integer((json_int_t)r->edges));
	json_object_set_new(st, "seconds", json_real(r->seconds));
	json_object_set_new(st, "cpu_seconds", json_real(r->cpu_seconds));
	json_object_set_new(st, "edges_per_cpu_second",
	                    json_real(r->cpu_seconds > 0 ? (double)r->edges / r->cpu_seconds : 0));
	json_object_set_new(st, "edges_per_second", json_real(r->seconds > 0 ? (double)r->edges / r->seconds : 0));
	json_object_set_new(st, "peak_frontier", json_integer((json_int_t)r->peak_frontier));
	sb_key_json(&s, "stats", st, 1);
	sb_puts(&s, "}");
	if (s.oom) {
		free(s.p);
		return NULL;
	}
	return s.p;
}
