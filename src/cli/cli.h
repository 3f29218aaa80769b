/*
 * cli.h - the `cointrail` command: shared option parsing and output.
 */
#ifndef CT_CLI_H
#define CT_CLI_H

#include "cointrail.h"

#include <stdio.h>

/* Exit codes of the CLI contract (DESIGN.md section 3). */
enum { EXIT_OK = 0, EXIT_USER = 1, EXIT_DATA = 2, EXIT_INTERNAL = 3 };

typedef struct cli {
	const char *db;  /* --db, $COINTRAIL_DB, ./cointrail-data */
	int json;        /* --json */
	int argc;        /* the command's own arguments (options removed) */
	char **argv;
} cli;

/* Map a library error code to an exit code, printing the message. */
int cli_fail(int rc);
/* Print a usage error and return EXIT_USER. */
int cli_usage(const char *fmt, ...);
/* Print a JSON document from the library as is (--json), or as a
 * table/text: `text` renders the parsed document. */
struct json_t;
int cli_print_json(const cli *c, const char *json, void (*text)(struct json_t *doc));
/* Print a JSON document (indented, keys in order) and release it. */
void cli_print_doc(struct json_t *j);

/* A progress bar: 30 characters, '#' for the fraction done, '.' for the rest. */
void cli_bar(char line[31], double frac);

int cmd_ingest(cli *c);
int cmd_ingest_eth(cli *c); /* cmd_ingest_eth.c */
int cmd_block(cli *c);
int cmd_tx(cli *c);
int cmd_address(cli *c);
int cmd_stats(cli *c);
int cmd_cluster(cli *c);
int cmd_check(cli *c);
int cmd_trace(cli *c);
int cmd_case(cli *c);
/* trace options shared by `trace` and `case` (cmd_trace.c) */
int cli_trace_opts(cli *c, int from, ct_trace_options *o, const char **seeds, size_t *n_seeds,
                   const char **format, const char **output, const char **rest, size_t *n_rest);

#endif
