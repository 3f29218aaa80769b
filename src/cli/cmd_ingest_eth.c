/*
 * cmd_ingest_eth.c - `cointrail ingest eth --rpc URL [--follow]
 * [--confirmations N] [--from N] [--batch N]`: pulls blocks from an
 * Ethereum JSON-RPC node into the eth store, with a progress bar on a
 * terminal, a clean stop on SIGINT/SIGTERM, and a summary (text or --json).
 */
#include "chain/account/ethrpc.h"
#include "cli/cli.h"

#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

typedef struct eth_ui {
	int tty;
	double last;
	int shown;
	uint64_t warnings;
} eth_ui;

#define CT_ETH_MAX_WARNINGS 20

static void warn(const char *msg, void *payload)
{
	eth_ui *u = payload;
	u->warnings++;
	if (u->warnings <= CT_ETH_MAX_WARNINGS) {
		if (u->tty && u->shown)
			fputc('\n', stderr);
		fprintf(stderr, "cointrail: warning: %s\n", msg);
	} else if (u->warnings == CT_ETH_MAX_WARNINGS + 1) {
		fprintf(stderr, "cointrail: warning: more skipped logs (counted in the summary)\n");
	}
}

static void progress(const ct_eth_progress *p, void *payload)
{
	eth_ui *u = payload;
	if (!u->tty || p->seconds - u->last < 0.2)
		return;
	u->last = p->seconds;
	u->shown = 1;
	if (p->following) {
		fprintf(stderr, "\r\033[Kfollowing: block %llu, %llu txs, waiting for new blocks",
		        (unsigned long long)p->block, (unsigned long long)p->txs_done);
	} else {
		double frac = p->blocks_total ? (double)p->blocks_done / (double)p->blocks_total : 1;
		double rate = p->seconds > 0 ? p->blocks_done / p->seconds : 0;
		double eta = rate > 0 ? (p->blocks_total - p->blocks_done) / rate : 0;
		char line[31];
		cli_bar(line, frac);
		fprintf(stderr, "\r\033[K[%s] block %llu/%llu  %.1f blocks/s  %llu txs  ETA %.0fs ", line,
		        (unsigned long long)p->block, (unsigned long long)p->target, rate,
		        (unsigned long long)p->txs_done, eta);
	}
	fflush(stderr);
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

int cmd_ingest_eth(cli *c)
{
	ct_eth_ingest_options o = {0};
	eth_ui u = {isatty(2), -1, 0, 0};
	uint64_t v;
	for (int i = 2; i < c->argc; i++) {
		const char *a = c->argv[i];
		const char *val = i + 1 < c->argc ? c->argv[i + 1] : NULL;
		if (!strcmp(a, "--rpc") && val) {
			o.url = val;
			i++;
		} else if (!strncmp(a, "--rpc=", 6)) {
			o.url = a + 6;
		} else if (!strcmp(a, "--follow")) {
			o.follow = 1;
		} else if (!strcmp(a, "--confirmations") || !strcmp(a, "--from") ||
		           !strcmp(a, "--batch") || !strcmp(a, "--poll-ms")) {
			if (parse_u64(val, &v))
				return cli_usage("%s needs a non-negative integer", a);
			if (!strcmp(a, "--confirmations"))
				o.confirmations = v;
			else if (!strcmp(a, "--from")) {
				o.start = v;
				o.has_start = 1;
			} else if (!strcmp(a, "--batch")) {
				if (v < 1 || v > 10000)
					return cli_usage("--batch takes 1 to 10000 blocks");
				o.batch_blocks = (uint32_t)v;
			} else {
				if (v < 10 || v > 3600000)
					return cli_usage("--poll-ms takes 10 to 3600000");
				o.poll_ms = (uint32_t)v;
			}
			i++;
		} else {
			return cli_usage("unknown argument '%s' for ingest eth", a);
		}
	}
	if (!o.url)
		return cli_usage("usage: cointrail ingest eth --rpc URL [--follow] [--confirmations N] "
		                 "[--from N] [--batch N]");
	if (strncmp(o.url, "http://", 7) && strncmp(o.url, "https://", 8))
		return cli_usage("--rpc needs an http:// or https:// URL, not '%s'", o.url);
	ct_db *db;
	int rc;
	/* the writer lock of the data directory */
	if ((rc = ct_db_open(&db, c->db, CT_OPEN_WRITE)))
		return cli_fail(rc);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN); /* a node that hangs up is an error, not a kill */
	o.stop = &stop_flag;
	o.progress = progress;
	o.warn = warn;
	o.payload = &u;
	ct_eth_ingest_result r;
	rc = ct__eth_ingest(c->db, &o, &r);
	if (u.tty && u.shown)
		fputc('\n', stderr);
	ct_db_close(db);
	if (rc)
		return cli_fail(rc);
	if (c->json) {
		json_t *j = json_object();
		json_object_set_new(j, "chain", json_string("eth"));
		json_object_set_new(j, "blocks_added", json_integer((json_int_t)r.blocks_added));
		json_object_set_new(j, "blocks_rolled_back", json_integer((json_int_t)r.blocks_rolled_back));
		json_object_set_new(j, "reorgs", json_integer((json_int_t)r.reorgs));
		json_object_set_new(j, "txs", json_integer((json_int_t)r.txs));
		json_object_set_new(j, "txs_failed", json_integer((json_int_t)r.txs_failed));
		json_object_set_new(j, "eth_transfers", json_integer((json_int_t)r.xfers_eth));
		json_object_set_new(j, "token_transfers", json_integer((json_int_t)r.xfers_token));
		json_object_set_new(j, "fees", json_integer((json_int_t)r.fees));
		json_object_set_new(j, "logs_skipped", json_integer((json_int_t)r.logs_skipped));
		json_object_set_new(j, "tip", r.has_tip ? json_integer((json_int_t)r.tip) : json_null());
		json_object_set_new(j, "node_tip", json_integer((json_int_t)r.node_tip));
		json_object_set_new(j, "confirmations", json_integer((json_int_t)o.confirmations));
		json_object_set_new(j, "requests", json_integer((json_int_t)r.requests));
		json_object_set_new(j, "bytes", json_integer((json_int_t)r.bytes));
		json_object_set_new(j, "seconds", json_real(r.seconds));
		json_object_set_new(j, "stopped", json_boolean(r.stopped));
		cli_print_doc(j);
	} else {
		char tip[32] = "none";
		if (r.has_tip)
			snprintf(tip, sizeof(tip), "%llu", (unsigned long long)r.tip);
		printf("eth: %llu blocks added, %llu rolled back in %llu reorgs; %llu txs (%llu failed), "
		       "%llu ETH transfers, %llu token transfers, %llu fees, %llu logs skipped; "
		       "stored tip %s, node tip %llu; %.1f MB in %.2f s%s\n",
		       (unsigned long long)r.blocks_added, (unsigned long long)r.blocks_rolled_back,
		       (unsigned long long)r.reorgs, (unsigned long long)r.txs,
		       (unsigned long long)r.txs_failed, (unsigned long long)r.xfers_eth,
		       (unsigned long long)r.xfers_token, (unsigned long long)r.fees,
		       (unsigned long long)r.logs_skipped, tip, (unsigned long long)r.node_tip,
		       r.bytes / 1e6, r.seconds, r.stopped ? " (stopped)" : "");
	}
	return EXIT_OK;
}
