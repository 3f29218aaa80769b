/*
 * main.c - entry point of the `cointrail` command: global options and
 * dispatch to the sub-commands (one file per group of commands).
 */
#include "cli/cli.h"
#include "labels/labels.h"
#include "util/error.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char USAGE_HEAD[] = "usage: cointrail [--db DIR] COMMAND [ARGS] [--json]\n\n";
static const char USAGE_FOOT[] =
	"\n"
	"The data directory is --db DIR, else $COINTRAIL_DB, else ./cointrail-data.\n"
	"Exit codes: 0 ok, 1 usage or user error, 2 bad data, 3 internal failure.\n";

/* The commands: their lines of `cointrail --help`, and the usage of their
 * own (`cointrail COMMAND --help`) when they have a longer one. */
static const struct command {
	const char *name, *usage, *own;
} COMMANDS[] = {
	{"ingest",
	 "  ingest btc PATH... [--network NET] [--allow-gaps] [--change-heuristics LIST]\n"
	 "                                       Bitcoin Core blocks dir, blk*.dat, raw or hex blocks\n"
	 "  ingest transfers FILE... [--chain C] [--from ADDR] [--skip-bad [--rejects FILE]]\n"
	 "                                       account-model transfers: CSV, JSON Lines, ethereum-etl\n"
	 "  ingest eth --rpc URL [--follow] [--confirmations N] [--from N]\n"
	 "                                       an Ethereum JSON-RPC node (ETH, ERC-20 Transfers, fees)\n",
	 NULL},
	{"block", "  block ID                             a block by height or hash\n", NULL},
	{"tx", "  tx TXID                              a transaction with its inputs and outputs\n", NULL},
	{"address", "  address ADDR [--limit N]             balance and history of an address\n", NULL},
	{"label",
	 "  label add ADDR --category CAT [--name NAME] [--source TEXT] [--confidence X]\n"
	 "  label import FILE... [--chain C] [--category CAT] [--source S] [--strict]\n"
	 "                                       OFAC SDN XML (.bz2 too), lists, TagPack YAML, CSV\n"
	 "  label list [--category CAT] [--chain C] [--limit N] | label show ADDR\n",
	 ct__label_usage},
	{"cluster",
	 "  cluster ADDR [--limit N]             the entity an address belongs to, with evidence\n"
	 "  cluster --export FILE                every address and its cluster, as CSV\n"
	 "  cluster --update [--change-heuristics one-time,optimal,type,round|all|none]\n"
	 "                                       bring the clustering up to date / rebuild it\n",
	 NULL},
	{"trace",
	 "  trace SEED... [--backward] [--policy haircut|poison|fifo|lifo|tiho] [--since T]\n"
	 "        [--until T] [--max-hops N] [--min-amount X] [--through-services]\n"
	 "        [--max-flows N] [--max-addresses N] [--max-patterns N]\n"
	 "        [--format text|json|csv|dot|svg] [--output FILE]\n"
	 "                                       follow funds from addresses, txids or TXID:N\n",
	 NULL},
	{"case",
	 "  case open NAME --seed SEED... [--category CAT] [--threshold X] [trace options]\n"
	 "  case update NAME | case list | case show NAME\n",
	 NULL},
	{"stats", "  stats                                what the data directory holds\n", NULL},
	{"check", "  check [--deep]                       verify the data directory\n", NULL},
	{"synth", "  synth --out DIR --txs N [--seed S]   generate a synthetic chain with planted incidents\n",
#ifdef CT_NO_SYNTH
	 NULL},
#else
	 ct_synth_usage},
#endif
};

static void usage_all(FILE *f)
{
	fputs(USAGE_HEAD, f);
	for (size_t i = 0; i < CT_ARRAY_LEN(COMMANDS); i++)
		fputs(COMMANDS[i].usage, f);
	fputs(USAGE_FOOT, f);
}

/* `cointrail --help` (cmd NULL) or `cointrail COMMAND --help`, on stdout:
 * the command's own usage, else its lines of the whole. */
static int help(const char *cmd)
{
	if (!cmd) {
		usage_all(stdout);
		return EXIT_OK;
	}
	for (size_t i = 0; i < CT_ARRAY_LEN(COMMANDS); i++) {
		const struct command *k = &COMMANDS[i];
		if (strcmp(cmd, k->name))
			continue;
		if (k->own) {
			fputs(k->own, stdout);
		} else {
			fputs(USAGE_HEAD, stdout);
			fputs(k->usage, stdout);
			fputs(USAGE_FOOT, stdout);
		}
		return EXIT_OK;
	}
	return cli_usage("unknown command '%s'", cmd);
}

int cli_usage(const char *fmt, ...)
{
	va_list ap;
	fputs("cointrail: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see cointrail --help)\n", stderr);
	return EXIT_USER;
}

int cli_fail(int rc)
{
	const char *m = ct_error_last();
	fprintf(stderr, "cointrail: %s\n", m && *m ? m : ct_strerror(rc));
	switch (rc) {
	case CT_EUSER:
	case CT_ENOTFOUND:
	case CT_ELOCKED:
		return EXIT_USER;
	case CT_EDATA:
	case CT_ECORRUPT:
		return EXIT_DATA;
	default:
		return EXIT_INTERNAL;
	}
}

int cli_print_json(const cli *c, const char *json, void (*text)(json_t *doc))
{
	if (c->json || !text) {
		printf("%s\n", json);
	} else {
		json_t *doc = json_loads(json, 0, NULL);
		if (doc) /* the library's own JSON: unreadable only without memory */
			text(doc);
		json_decref(doc);
	}
	return EXIT_OK;
}

void cli_print_doc(json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	printf("%s\n", s);
	free(s);
	json_decref(j);
}

int main(int argc, char **argv)
{
	cli c = {0};
	char **rest = calloc((size_t)argc + 1, sizeof(char *));
	const char *cmd = NULL;
	int n = 0;
	if (!rest)
		return EXIT_INTERNAL;
	c.db = getenv("COINTRAIL_DB");
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--db")) {
			if (i + 1 >= argc) {
				free(rest);
				return cli_usage("--db needs a directory");
			}
			c.db = argv[++i];
		} else if (!strncmp(argv[i], "--db=", 5)) {
			c.db = argv[i] + 5;
		} else if (!strcmp(argv[i], "--json")) {
			c.json = 1;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			/* before the command: the whole usage; after it, the command's */
			free(rest);
			return help(cmd);
		} else if (!cmd) {
			cmd = argv[i];
			rest[n++] = argv[i];
		} else {
			rest[n++] = argv[i];
		}
	}
	if (!c.db || !*c.db)
		c.db = "cointrail-data";
	c.argc = n;
	c.argv = rest;
	int rc;
	if (!cmd) {
		usage_all(stderr);
		rc = EXIT_USER;
	} else if (!strcmp(cmd, "ingest")) {
		rc = cmd_ingest(&c);
	} else if (!strcmp(cmd, "block")) {
		rc = cmd_block(&c);
	} else if (!strcmp(cmd, "tx")) {
		rc = cmd_tx(&c);
	} else if (!strcmp(cmd, "address")) {
		rc = cmd_address(&c);
	} else if (!strcmp(cmd, "label")) {
		rc = ct__cli_label(n, rest, c.db, c.json);
	} else if (!strcmp(cmd, "cluster")) {
		rc = cmd_cluster(&c);
	} else if (!strcmp(cmd, "trace")) {
		rc = cmd_trace(&c);
	} else if (!strcmp(cmd, "case")) {
		rc = cmd_case(&c);
	} else if (!strcmp(cmd, "stats")) {
		rc = cmd_stats(&c);
	} else if (!strcmp(cmd, "check")) {
		rc = cmd_check(&c);
	} else if (!strcmp(cmd, "synth")) {
#ifdef CT_NO_SYNTH
		rc = cli_usage("this build has no synthetic chain generator");
#else
		/* synth parses its own options; --db is irrelevant to it */
		rc = ct_synth_main(n, rest);
#endif
	} else {
		rc = cli_usage("unknown command '%s'", cmd);
	}
	free(rest);
	return rc;
}
