/*
 * cmd_ingest.c - `cointrail ingest btc PATH...` with a progress bar on a
 * terminal (blocks, MB/s, ETA) and a one-paragraph summary.
 */
#include "cli/cli.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void cli_bar(char line[31], double frac)
{
	int w = frac > 0 ? (int)(frac * 30) : 0;
	if (w > 30)
		w = 30;
	memset(line, '#', (size_t)w);
	memset(line + w, '.', (size_t)(30 - w));
	line[30] = 0;
}

typedef struct bar {
	int tty;
	double last, last_mem;
	long max_anon_kb, max_file_kb; /* sampled from /proc/self/status */
} bar;

/* Resident memory split: anonymous (heap, buffers) vs file pages (the
 * store's mapping, which the kernel can drop at will). */
static void sample_memory(bar *b)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		long v;
		if (sscanf(line, "RssAnon: %ld", &v) == 1 && v > b->max_anon_kb)
			b->max_anon_kb = v;
		if (sscanf(line, "RssFile: %ld", &v) == 1 && v > b->max_file_kb)
			b->max_file_kb = v;
	}
	fclose(f);
}

static void progress(const ct_progress *p, void *payload)
{
	bar *b = payload;
	if (p->seconds - b->last_mem >= 0.25 || p->blocks_done == p->blocks_total) {
		b->last_mem = p->seconds;
		sample_memory(b);
	}
	if (!b->tty || (p->seconds - b->last < 0.2 && p->blocks_done != p->blocks_total))
		return;
	b->last = p->seconds;
	double mb = p->bytes_done / 1e6, rate = p->seconds > 0 ? mb / p->seconds : 0;
	double frac = p->bytes_total ? (double)p->bytes_done / (double)p->bytes_total : 1;
	double eta = rate > 0 ? (p->bytes_total - p->bytes_done) / 1e6 / rate : 0;
	char line[31];
	cli_bar(line, frac);
	char etas[32] = "--";
	if (p->seconds >= 0.5)
		snprintf(etas, sizeof(etas), "%.0fs", eta);
	fprintf(stderr, "\r[%s] %llu/%llu blocks  %.1f MB/s  %llu txs  ETA %s ", line,
	        (unsigned long long)p->blocks_done, (unsigned long long)p->blocks_total, rate,
	        (unsigned long long)p->txs_done, etas);
	fflush(stderr);
}

static void note_line(const char *msg, void *payload)
{
	(void)payload;
	fprintf(stderr, "cointrail: note: %s\n", msg);
}

/* Progress of `ingest transfers` on a terminal: files, MB/s, transfers. */
static void xfer_progress(const ct_progress *p, void *payload)
{
	bar *b = payload;
	if (!b->tty || (p->seconds - b->last < 0.2 && p->blocks_done != p->blocks_total))
		return;
	b->last = p->seconds;
	double mb = p->bytes_done / 1e6, rate = p->seconds > 0 ? mb / p->seconds : 0;
	double frac = p->bytes_total ? (double)p->bytes_done / (double)p->bytes_total : 1;
	char line[31];
	cli_bar(line, frac);
	fprintf(stderr, "\r[%s] file %llu/%llu  %.1f MB/s  %llu transfers ", line,
	        (unsigned long long)(p->blocks_done < p->blocks_total ? p->blocks_done + 1
	                                                               : p->blocks_total),
	        (unsigned long long)p->blocks_total, rate, (unsigned long long)p->txs_done);
	fflush(stderr);
}

/* The PATHs of an ingest command. */
typedef struct path_list {
	const char **v;
	size_t n;
} path_list;

/* The PATHs of `ingest KIND PATH... [options]` (argv[2..]) into p: `opt`
 * takes the options it knows into x (a: the option, v: the argument after
 * it or NULL) and returns how many arguments it used, 0 when a is not its
 * own; another "--..." is a usage error, and so are no paths. EXIT_OK (the
 * caller frees p->v) or the exit code. */
static int collect_paths(cli *c, const char *kind, const char *what,
                         int (*opt)(const char *a, const char *v, void *x), void *x, path_list *p)
{
	p->v = calloc((size_t)c->argc + 1, sizeof(char *));
	p->n = 0;
	if (!p->v)
		return EXIT_INTERNAL;
	for (int i = 2; i < c->argc; i++) {
		const char *a = c->argv[i];
		int used = opt(a, i + 1 < c->argc ? c->argv[i + 1] : NULL, x);
		if (used) {
			i += used - 1;
		} else if (a[0] == '-' && a[1] == '-') {
			free(p->v);
			return cli_usage("unknown option '%s' for ingest %s", a, kind);
		} else {
			p->v[p->n++] = a;
		}
	}
	if (!p->n) {
		free(p->v);
		return cli_usage("ingest %s needs at least one %s", kind, what);
	}
	return EXIT_OK;
}

/* Run an ingest (`fn`, with its options and result) on the data directory
 * opened for writing, ending the progress bar's line; frees p's paths. */
static int run_ingest(cli *c, path_list *p, const bar *b,
                      int (*fn)(ct_db *db, const char **paths, size_t n, void *o, void *r),
                      void *o, void *r)
{
	ct_db *db;
	int rc = ct_db_open(&db, c->db, CT_OPEN_WRITE);
	if (!rc) {
		rc = fn(db, p->v, p->n, o, r);
		if (b->tty && b->last >= 0)
			fputc('\n', stderr);
		ct_db_close(db);
	}
	free(p->v);
	return rc ? cli_fail(rc) : EXIT_OK;
}

static int transfers_opt(const char *a, const char *v, void *x)
{
	ct_transfers_options *o = x;
	if (!strcmp(a, "--chain") && v)
		o->chain = v;
	else if (!strcmp(a, "--from") && v)
		o->from = v;
	else if (!strcmp(a, "--rejects") && v)
		o->rejects = v;
	else if (!strcmp(a, "--skip-bad"))
		return o->skip_bad = 1;
	else
		return 0;
	return 2;
}

static int transfers_fn(ct_db *db, const char **v, size_t n, void *o, void *r)
{
	return ct_transfers_ingest(db, v, n, o, r);
}

/* `cointrail ingest transfers FILE... [--chain C] [--from ADDR]
 * [--skip-bad [--rejects FILE]]` */
static int cmd_ingest_transfers(cli *c)
{
	ct_transfers_options o = CT_TRANSFERS_OPTIONS_INIT;
	path_list p;
	int rc = collect_paths(c, "transfers", "FILE", transfers_opt, &o, &p);
	if (rc)
		return rc;
	if (o.rejects && !o.skip_bad) {
		free(p.v);
		return cli_usage("--rejects goes with --skip-bad");
	}
	o.note = note_line;
	bar b = {isatty(2), -1, -1, 0, 0};
	o.progress = xfer_progress;
	o.payload = &b;
	ct_transfers_result r;
	if ((rc = run_ingest(c, &p, &b, transfers_fn, &o, &r)))
		return rc;
	double rate = r.seconds > 0 ? (double)r.rows / r.seconds : 0;
	if (c->json) {
		json_t *j = json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:f,s:f}", "chain",
		                      r.chain, "files", (json_int_t)r.files, "files_skipped",
		                      (json_int_t)r.files_skipped, "rows", (json_int_t)r.rows,
		                      "rows_rejected", (json_int_t)r.rows_rejected, "transfers",
		                      (json_int_t)r.transfers, "fees", (json_int_t)r.fees, "txs",
		                      (json_int_t)r.txs, "addresses", (json_int_t)r.addresses, "assets",
		                      (json_int_t)r.assets, "bytes", (json_int_t)r.bytes, "seconds",
		                      r.seconds, "rows_per_s", rate);
		cli_print_doc(j);
	} else {
		printf("%s: %llu files (%llu already ingested), %llu rows (%llu rejected): %llu transfers, "
		       "%llu fees, %llu new txs, %llu new addresses, %llu new assets; %.2f s (%.0f rows/s)\n",
		       r.chain, (unsigned long long)r.files, (unsigned long long)r.files_skipped,
		       (unsigned long long)r.rows, (unsigned long long)r.rows_rejected,
		       (unsigned long long)r.transfers, (unsigned long long)r.fees,
		       (unsigned long long)r.txs, (unsigned long long)r.addresses,
		       (unsigned long long)r.assets, r.seconds, rate);
		if (r.rows_rejected)
			fprintf(stderr, "cointrail: %llu bad rows written to %s\n",
			        (unsigned long long)r.rows_rejected,
			        o.rejects ? o.rejects : "cointrail-rejects.txt");
	}
	return EXIT_OK;
}

static int btc_opt(const char *a, const char *v, void *x)
{
	ct_ingest_options *o = x;
	if (!strcmp(a, "--network") && v)
		o->network = v;
	else if (!strcmp(a, "--allow-gaps"))
		return o->allow_gaps = 1;
	else if (!strcmp(a, "--change-heuristics") && v)
		o->change_heuristics = v;
	else
		return 0;
	return 2;
}

static int btc_fn(ct_db *db, const char **v, size_t n, void *o, void *r)
{
	return ct_btc_ingest(db, v, n, o, r);
}

int cmd_ingest(cli *c)
{
	if (c->argc >= 2 && !strcmp(c->argv[1], "transfers"))
		return cmd_ingest_transfers(c);
	if (c->argc >= 2 && !strcmp(c->argv[1], "eth"))
		return cmd_ingest_eth(c);
	if (c->argc < 2 || strcmp(c->argv[1], "btc") != 0)
		return cli_usage("usage: cointrail ingest btc PATH... | ingest transfers FILE... | ingest eth --rpc URL");
	ct_ingest_options o = CT_INGEST_OPTIONS_INIT;
	path_list p;
	int rc = collect_paths(c, "btc", "PATH", btc_opt, &o, &p);
	if (rc)
		return rc;
	bar b = {isatty(2), -1, -1, 0, 0};
	o.progress = progress;
	o.payload = &b;
	/* Test hook: commit after every N blocks (crash tests use 1). */
	const char *cb = getenv("COINTRAIL_COMMIT_BLOCKS");
	if (cb)
		o.commit_blocks = (uint32_t)strtoul(cb, NULL, 10);
	ct_ingest_result r;
	if ((rc = run_ingest(c, &p, &b, btc_fn, &o, &r)))
		return rc;
	double mbs = r.seconds > 0 ? r.bytes / 1e6 / r.seconds : 0;
	if (c->json) {
		json_t *j = json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:f,s:f}",
		                      "chain", r.chain, "blocks_seen", (json_int_t)r.blocks_seen,
		                      "blocks_added", (json_int_t)r.blocks_added, "blocks_known",
		                      (json_int_t)r.blocks_known, "blocks_stale", (json_int_t)r.blocks_stale, "blocks_orphan", (json_int_t)r.blocks_orphan,
		                      "blocks_rolled_back", (json_int_t)r.blocks_rolled_back, "txs",
		                      (json_int_t)r.txs_added, "inputs", (json_int_t)r.inputs_added,
		                      "outputs", (json_int_t)r.outputs_added, "inputs_unresolved",
		                      (json_int_t)r.inputs_unresolved, "bytes", (json_int_t)r.bytes,
		                      "seconds", r.seconds, "mb_per_s", mbs);
		json_object_set_new(j, "max_rss_anon_kb", json_integer(b.max_anon_kb));
		json_object_set_new(j, "cluster_merges", json_integer((json_int_t)r.cluster_merges));
		json_object_set_new(j, "cluster_coinjoins_skipped", json_integer((json_int_t)r.cluster_coinjoins_skipped));
		json_object_set_new(j, "cluster_merges_refused", json_integer((json_int_t)r.cluster_merges_refused));
		json_object_set_new(j, "cluster_seconds", json_real(r.cluster_seconds));
		json_object_set_new(j, "max_rss_file_kb", json_integer(b.max_file_kb));
		cli_print_doc(j);
	} else {
		printf("%s: %llu blocks added (%llu already stored, %llu stale, %llu waiting for their parent, "
		       "%llu rolled back), "
		       "%llu txs, %llu inputs (%llu unresolved), %llu outputs; %.1f MB in %.2f s (%.1f MB/s)\n",
		       r.chain, (unsigned long long)r.blocks_added, (unsigned long long)r.blocks_known,
		       (unsigned long long)r.blocks_stale, (unsigned long long)r.blocks_orphan,
		       (unsigned long long)r.blocks_rolled_back,
		       (unsigned long long)r.txs_added, (unsigned long long)r.inputs_added,
		       (unsigned long long)r.inputs_unresolved, (unsigned long long)r.outputs_added,
		       r.bytes / 1e6, r.seconds, mbs);
		printf("clustering: %llu merges, %llu CoinJoin-shaped txs skipped, %llu merges refused by the "
		       "collapse guard, %.2f s\n",
		       (unsigned long long)r.cluster_merges, (unsigned long long)r.cluster_coinjoins_skipped,
		       (unsigned long long)r.cluster_merges_refused, r.cluster_seconds);
	}
	return EXIT_OK;
}
