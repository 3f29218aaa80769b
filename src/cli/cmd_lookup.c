/*
 * cmd_lookup.c - `block`, `tx`, `address` and `stats`: the library
 * answers in JSON; people get it rendered as text here.
 */
#include "cli/cli.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char *s_or(json_t *o, const char *k, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : dflt;
}

static long long i_or(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_integer(v) ? (long long)json_integer_value(v) : -1;
}

/* A height, or "?" when unknown (a chain sample that starts mid-way). */
static const char *h_or(json_t *o, const char *k, char *buf, size_t cap)
{
	json_t *v = json_object_get(o, k);
	if (!json_is_integer(v))
		return "?";
	snprintf(buf, cap, "%lld", (long long)json_integer_value(v));
	return buf;
}

static void text_tx(json_t *j)
{
	printf("tx       %s\n", s_or(j, "txid", "?"));
	char hb[24];
	json_t *xs = json_object_get(j, "transfers"), *v;
	size_t i;
	if (json_is_array(xs)) {
		/* an account chain's tx: its transfers */
		printf("chain    %s   height %s   %s%s\n", s_or(j, "chain", "?"),
		       h_or(j, "height", hb, sizeof(hb)), s_or(j, "time", "?"),
		       json_is_true(json_object_get(j, "failed")) ? "   FAILED" : "");
		printf("fee      %s\n", s_or(j, "fee", "unknown"));
		printf("transfers (%zu)\n", json_array_size(xs));
		json_array_foreach(xs, i, v)
			printf("  %s -> %s  %s %s%s\n", s_or(v, "from", "-"), s_or(v, "to", "-"),
			       s_or(v, "amount", "?"), s_or(v, "symbol", ""),
			       json_is_true(json_object_get(v, "failed")) ? " (failed)" : "");
		return;
	}
	printf("block    %s (height %s, %s)\n", s_or(j, "block", "?"), h_or(j, "height", hb, sizeof(hb)),
	       s_or(j, "time", "?"));
	printf("fee      %s   size %lld   weight %lld\n", s_or(j, "fee", "unknown"), i_or(j, "size"), i_or(j, "weight"));
	json_t *ins = json_object_get(j, "inputs"), *outs = json_object_get(j, "outputs");
	printf("inputs (%zu)\n", json_array_size(ins));
	json_array_foreach(ins, i, v) {
		if (json_is_true(json_object_get(v, "coinbase")))
			printf("  %4zu  coinbase\n", i);
		else if (json_is_null(json_object_get(v, "amount")))
			printf("  %4zu  %s:%lld  (previous output not in the store)\n", i, s_or(v, "prev_tx", "?"),
			       i_or(v, "prev_n"));
		else
			printf("  %4zu  %18s  %-62s  %s:%lld\n", i, s_or(v, "amount", "?"),
			       s_or(v, "address", "(no address)"), s_or(v, "prev_tx", "?"), i_or(v, "prev_n"));
	}
	printf("outputs (%zu)\n", json_array_size(outs));
	json_array_foreach(outs, i, v) {
		const char *sb = s_or(v, "spent_by", NULL);
		printf("  %4zu  %18s  %-62s  %-15s %s%s\n", i, s_or(v, "amount", "?"),
		       s_or(v, "address", s_or(v, "script_id", "(no address)")), s_or(v, "type", "?"),
		       sb ? "spent by " : "unspent", sb ? sb : "");
	}
}

/* A block of an account chain: its txs and their transfers. */
static void text_acct_block(json_t *j)
{
	char hb[24];
	json_t *txs = json_object_get(j, "txs"), *v, *x;
	size_t i, k;
	printf("block    %s\nchain    %s   height %s   time %s\nprev     %s\n%lld txs, %lld transfers\n",
	       s_or(j, "hash", "(not in the store: rows from files)"), s_or(j, "chain", "?"),
	       h_or(j, "height", hb, sizeof(hb)), s_or(j, "time", "?"), s_or(j, "prev", "-"),
	       i_or(j, "tx_count"), i_or(j, "transfer_count"));
	json_array_foreach(txs, i, v) {
		json_t *xs = json_object_get(v, "transfers");
		printf("  %4zu  %s%s\n", i, s_or(v, "txid", "(no hash)"),
		       json_is_true(json_object_get(v, "failed")) ? "  FAILED" : "");
		json_array_foreach(xs, k, x)
			printf("          %s -> %s  %s %s\n", s_or(x, "from", "-"), s_or(x, "to", "-"),
			       s_or(x, "amount", "?"), s_or(x, "symbol", ""));
		if (i == 49 && json_array_size(txs) > 60) {
			printf("  ... %zu more (use --json for all)\n", json_array_size(txs) - 50);
			break;
		}
	}
}

static void text_block(json_t *j)
{
	char hb[24];
	if (json_object_get(j, "transfer_count")) {
		text_acct_block(j);
		return;
	}
	printf("block    %s\nchain    %s   height %s   time %s\nprev     %s\nmerkle   %s\n"
	       "size     %lld bytes   %lld txs\n",
	       s_or(j, "hash", "?"), s_or(j, "chain", "?"), h_or(j, "height", hb, sizeof(hb)), s_or(j, "time", "?"),
	       s_or(j, "prev", "?"), s_or(j, "merkle_root", "?"), i_or(j, "size"), i_or(j, "tx_count"));
	json_t *txs = json_object_get(j, "txs"), *v;
	size_t i;
	json_array_foreach(txs, i, v) {
		json_t *outs = json_object_get(v, "outputs"), *o;
		size_t k;
		unsigned long long sat = 0;
		json_array_foreach(outs, k, o) {
			const char *a = s_or(o, "amount", "0");
			const char *dot = strchr(a, '.');
			sat += strtoull(a, NULL, 10) * 100000000ull + (dot ? strtoull(dot + 1, NULL, 10) : 0);
		}
		printf("  %4zu  %s  %3zu in  %3zu out  %llu.%08llu\n", i, s_or(v, "txid", "?"),
		       json_array_size(json_object_get(v, "inputs")), json_array_size(outs), sat / 100000000ull,
		       sat % 100000000ull);
		if (i == 49 && json_array_size(txs) > 60) {
			printf("  ... %zu more (use --json for all)\n", json_array_size(txs) - 50);
			break;
		}
	}
}

static void text_address(json_t *j)
{
	printf("address   %s (%s)\nreceived  %s\nsent      %s\nbalance   %s\ntxs       %lld   "
	       "first seen %s   last seen %s\n",
	       s_or(j, "address", "?"), s_or(j, "chain", "?"), s_or(j, "received", "?"), s_or(j, "sent", "?"),
	       s_or(j, "balance", "?"), i_or(j, "tx_count"), s_or(j, "first_seen", "-"), s_or(j, "last_seen", "-"));
	json_t *txs = json_object_get(j, "txs"), *v;
	size_t i;
	printf("cluster   %s\n", s_or(j, "cluster", "-"));
	json_array_foreach(json_object_get(j, "labels"), i, v)
		printf("label     %s %s  (source: %s)\n", s_or(v, "category", "?"), s_or(v, "name", ""),
		       s_or(v, "source", "?"));
	json_array_foreach(txs, i, v) {
		char hb[24];
		printf("  %s  %7s  %s  %20s\n", s_or(v, "time", "?"), h_or(v, "height", hb, sizeof(hb)),
		       s_or(v, "txid", "?"), s_or(v, "delta", "?"));
	}
	if (json_is_true(json_object_get(j, "txs_truncated")))
		printf("  ... older txs omitted (use --limit N)\n");
	/* account chains: per-asset totals and the newest transfers */
	json_array_foreach(json_object_get(j, "assets"), i, v)
		printf("asset     %-44s %-10s received %s  sent %s  fees %s  balance %s\n",
		       s_or(v, "asset", "?"), s_or(v, "symbol", ""), s_or(v, "received", "?"),
		       s_or(v, "sent", "?"), s_or(v, "fees", "?"), s_or(v, "balance", "?"));
	json_array_foreach(json_object_get(j, "transfers"), i, v) {
		char hb[24];
		printf("  %s  %9s  %-4s %-44s %s %s\n", s_or(v, "time", "?"),
		       h_or(v, "height", hb, sizeof(hb)), s_or(v, "direction", "?"),
		       s_or(v, "counterparty", "-"), s_or(v, "amount", "?"), s_or(v, "symbol", ""));
	}
	if (json_is_true(json_object_get(j, "transfers_truncated")))
		printf("  ... older transfers omitted (use --limit N)\n");
}

static void text_stats(json_t *j)
{
	json_t *v;
	size_t i;
	printf("%-14s %10s %12s %12s %12s %12s  %s\n", "chain", "blocks", "txs", "inputs", "outputs",
	       "addresses", "tip");
	json_array_foreach(json_object_get(j, "chains"), i, v) {
		json_t *tip = json_object_get(v, "tip");
		char hb[24];
		printf("%-14s %10lld %12lld %12lld %12lld %12lld  %s (height %s)\n", s_or(v, "chain", "?"),
		       i_or(v, "blocks"), i_or(v, "txs"), i_or(v, "inputs"), i_or(v, "outputs"),
		       i_or(v, "addresses"), s_or(tip, "hash", "-"), h_or(tip, "height", hb, sizeof(hb)));
	}
	if (json_array_size(json_object_get(j, "chains")) == 0)
		printf("(empty: run cointrail ingest first)\n");
}

typedef int (*query_fn)(ct_db *db, char **out, const char *id);

static int run(cli *c, const char *what, char *(*fn)(ct_db *, const char *, int *),
               void (*text)(json_t *))
{
	(void)what;
	ct_db *db;
	int rc;
	if (c->argc != 2)
		return cli_usage("usage: cointrail %s ID", c->argv[0]);
	if ((rc = ct_db_open(&db, c->db, CT_OPEN_READONLY)))
		return cli_fail(rc);
	char *out = fn(db, c->argv[1], &rc);
	ct_db_close(db);
	if (rc)
		return cli_fail(rc);
	cli_print_json(c, out, text);
	ct_free(out);
	return EXIT_OK;
}

static char *q_block(ct_db *db, const char *id, int *rc)
{
	char *o = NULL;
	*rc = ct_query_block(db, &o, id, 1);
	return o;
}

static char *q_tx(ct_db *db, const char *id, int *rc)
{
	char *o = NULL;
	*rc = ct_query_tx(db, &o, id);
	return o;
}

int cmd_block(cli *c) { return run(c, "block", q_block, text_block); }
int cmd_tx(cli *c) { return run(c, "tx", q_tx, text_tx); }

int cmd_address(cli *c)
{
	size_t limit = 100;
	const char *addr = NULL;
	for (int i = 1; i < c->argc; i++) {
		if (!strcmp(c->argv[i], "--limit") && i + 1 < c->argc)
			limit = strtoull(c->argv[++i], NULL, 10);
		else if (!addr)
			addr = c->argv[i];
		else
			return cli_usage("usage: cointrail address ADDR [--limit N]");
	}
	if (!addr)
		return cli_usage("usage: cointrail address ADDR [--limit N]");
	ct_db *db;
	char *out = NULL;
	int rc;
	if ((rc = ct_db_open(&db, c->db, CT_OPEN_READONLY)))
		return cli_fail(rc);
	rc = ct_query_address(db, &out, addr, limit);
	ct_db_close(db);
	if (rc)
		return cli_fail(rc);
	cli_print_json(c, out, text_address);
	ct_free(out);
	return EXIT_OK;
}

int cmd_stats(cli *c)
{
	ct_db *db;
	char *out = NULL;
	int rc;
	if (c->argc != 1)
		return cli_usage("usage: cointrail stats");
	if ((rc = ct_db_open(&db, c->db, CT_OPEN_READONLY)))
		return cli_fail(rc);
	rc = ct_query_stats(db, &out);
	ct_db_close(db);
	if (rc)
		return cli_fail(rc);
	cli_print_json(c, out, text_stats);
	ct_free(out);
	return EXIT_OK;
}

static void text_cluster(json_t *j)
{
	json_t *v;
	size_t i;
	printf("cluster   %s\nsize      %lld addresses%s\n", s_or(j, "cluster", "?"), i_or(j, "size"),
	       json_is_true(json_object_get(j, "current")) ? "" : "  (clustering not up to date)");
	json_array_foreach(json_object_get(j, "addresses"), i, v)
		printf("  %s\n", json_string_value(v));
	if (json_is_true(json_object_get(j, "addresses_truncated")))
		printf("  ... more (use --limit N)\n");
	if (json_array_size(json_object_get(j, "labels")))
		printf("labels\n");
	json_array_foreach(json_object_get(j, "labels"), i, v)
		printf("  %-14s %-30s %s  (source: %s)\n", s_or(v, "category", "?"), s_or(v, "name", ""),
		       s_or(v, "address", "?"), s_or(v, "source", "?"));
	if (json_array_size(json_object_get(j, "evidence")))
		printf("evidence (the tx that joined each address's group)\n");
	json_array_foreach(json_object_get(j, "evidence"), i, v)
		printf("  %-12s %-62s %s\n", s_or(v, "heuristic", "?"), s_or(v, "address", "?"), s_or(v, "tx", "?"));
}

static int cluster_update(cli *c, const char *heur)
{
	ct_db *db;
	char *out = NULL;
	int rc;
	if ((rc = ct_db_open(&db, c->db, CT_OPEN_WRITE)))
		return cli_fail(rc);
	rc = ct_cluster_update(db, heur, &out);
	ct_db_close(db);
	if (rc)
		return cli_fail(rc);
	printf("%s\n", out);
	ct_free(out);
	return EXIT_OK;
}

int cmd_cluster(cli *c)
{
	size_t limit = 100;
	const char *addr = NULL, *export = NULL, *heur = NULL;
	int update = 0;
	for (int i = 1; i < c->argc; i++) {
		if (!strcmp(c->argv[i], "--limit") && i + 1 < c->argc)
			limit = strtoull(c->argv[++i], NULL, 10);
		else if (!strcmp(c->argv[i], "--update"))
			update = 1;
		else if (!strcmp(c->argv[i], "--change-heuristics") && i + 1 < c->argc)
			heur = c->argv[++i];
		else if (!strcmp(c->argv[i], "--export") && i + 1 < c->argc)
			export = c->argv[++i];
		else if (!addr && c->argv[i][0] != '-')
			addr = c->argv[i];
		else
			return cli_usage("usage: cointrail cluster ADDR [--limit N] | cluster --export FILE");
	}
	if (update)
		return cluster_update(c, heur);
	if (!addr == !export)
		return cli_usage("usage: cointrail cluster ADDR [--limit N] | cluster --export FILE | "
		                 "cluster --update [--change-heuristics LIST]");
	ct_db *db;
	char *out = NULL;
	int rc;
	if ((rc = ct_db_open(&db, c->db, CT_OPEN_READONLY)))
		return cli_fail(rc);
	rc = export ? ct_cluster_export(db, export) : ct_query_cluster(db, &out, addr, limit);
	ct_db_close(db);
	if (rc)
		return cli_fail(rc);
	if (out) {
		cli_print_json(c, out, text_cluster);
		ct_free(out);
	}
	return EXIT_OK;
}
