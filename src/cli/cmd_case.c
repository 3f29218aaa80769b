/*
 * cmd_case.c - `cointrail case open|update|list|show`: named
 * investigations kept in the case store (see docs/tracing.md).
 */
#include "cli/cli.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char *s_of(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static void text_run(json_t *j)
{
	printf("case      %s (%s), run %lld\n", s_of(j, "case"), s_of(j, "category"),
	       (long long)json_integer_value(json_object_get(j, "runs")));
	printf("traced    %s %s\n", s_of(j, "total"), s_of(j, "asset"));
	printf("labelled  %lld addresses above the threshold (%s); %lld listed below it; %lld new\n",
	       (long long)json_integer_value(json_object_get(j, "labelled")),
	       json_is_string(json_object_get(j, "threshold")) ? s_of(j, "threshold") : "0.1% of the total",
	       (long long)json_integer_value(json_object_get(j, "listed_below_threshold")),
	       (long long)json_integer_value(json_object_get(j, "new_addresses")));
}

static void text_list(json_t *j)
{
	size_t i;
	json_t *x;
	printf("%-24s %-12s %6s %9s %9s %s\n", "case", "category", "runs", "addresses", "labelled", "updated");
	json_array_foreach(json_object_get(j, "cases"), i, x)
		printf("%-24s %-12s %6lld %9lld %9lld %s\n", s_of(x, "case"), s_of(x, "category"),
		       (long long)json_integer_value(json_object_get(x, "runs")),
		       (long long)json_integer_value(json_object_get(x, "addresses")),
		       (long long)json_integer_value(json_object_get(x, "labelled")), s_of(x, "updated"));
}

static void text_show(json_t *j)
{
	size_t i;
	json_t *x;
	printf("case      %s (%s), %lld runs, updated %s\n", s_of(j, "case"), s_of(j, "category"),
	       (long long)json_integer_value(json_object_get(j, "runs")), s_of(j, "updated"));
	printf("seeds    ");
	json_array_foreach(json_object_get(j, "seeds"), i, x)
		printf(" %s", json_string_value(x));
	printf("\n");
	json_array_foreach(json_object_get(j, "totals"), i, x)
		printf("total     %s %s: held %s, fees %s, cut off %s\n", s_of(x, "seeds"), s_of(x, "asset"),
		       s_of(x, "held"), s_of(x, "fees"), s_of(x, "cut_off"));
	printf("\nlabelled (%zu)\n", json_array_size(json_object_get(j, "labelled")));
	json_array_foreach(json_object_get(j, "labelled"), i, x)
		printf("  %-60s %20s %s %3lld %s\n", s_of(x, "address"), s_of(x, "amount"), s_of(x, "asset"),
		       (long long)json_integer_value(json_object_get(x, "hops")), s_of(x, "reasons"));
	json_t *b = json_object_get(j, "below_threshold");
	printf("\nbelow the threshold, not labelled (%zu)\n", json_array_size(b));
	json_array_foreach(b, i, x) {
		if (i >= 50) {
			printf("  ... %zu more (see --json)\n", json_array_size(b) - 50);
			break;
		}
		printf("  %-60s %20s %s\n", s_of(x, "address"), s_of(x, "amount"), s_of(x, "asset"));
	}
}

int cmd_case(cli *c)
{
	if (c->argc < 2)
		return cli_usage("case open NAME --seed SEED... | case update NAME | case list | case show NAME");
	const char *sub = c->argv[1];
	ct_db *db;
	char *json = NULL;
	int rc;
	void (*text)(json_t *) = text_run;
	if (!strcmp(sub, "list")) {
		if (c->argc != 2)
			return cli_usage("case list takes no arguments");
		if ((rc = ct_db_open(&db, c->db, CT_OPEN_READONLY)))
			return cli_fail(rc);
		rc = ct_case_list(db, &json);
		text = text_list;
	} else if (!strcmp(sub, "show") || !strcmp(sub, "update")) {
		if (c->argc != 3)
			return cli_usage("case %s NAME", sub);
		if ((rc = ct_db_open(&db, c->db, CT_OPEN_READONLY)))
			return cli_fail(rc);
		if (!strcmp(sub, "show")) {
			rc = ct_case_show(db, &json, c->argv[2]);
			text = text_show;
		} else {
			rc = ct_case_update(db, &json, c->argv[2]);
		}
	} else if (!strcmp(sub, "open")) {
		if (c->argc < 3 || c->argv[2][0] == '-')
			return cli_usage("case open NAME --seed SEED... [--category CAT] [--threshold X]");
		ct_trace_options o = CT_TRACE_OPTIONS_INIT;
		const char **seeds = calloc((size_t)c->argc + 1, sizeof(char *));
		const char **rest = calloc((size_t)c->argc + 1, sizeof(char *));
		size_t n = 0, nr = 0;
		const char *category = "theft", *threshold = NULL;
		if (!seeds || !rest) {
			free(seeds);
			free(rest);
			return EXIT_INTERNAL;
		}
		rc = cli_trace_opts(c, 3, &o, seeds, &n, NULL, NULL, rest, &nr);
		for (size_t i = 0; !rc && i < nr; i++) {
			if (!strcmp(rest[i], "--category") && i + 1 < nr)
				category = rest[++i];
			else if (!strcmp(rest[i], "--threshold") && i + 1 < nr)
				threshold = rest[++i];
			else
				rc = cli_usage("case open: unexpected '%s'", rest[i]);
		}
		if (!rc && !n)
			rc = cli_usage("case open needs --seed SEED...");
		if (rc) {
			free(seeds);
			free(rest);
			return rc;
		}
		o.seeds = seeds;
		o.n_seeds = n;
		if ((rc = ct_db_open(&db, c->db, CT_OPEN_READONLY))) {
			free(seeds);
			free(rest);
			return cli_fail(rc);
		}
		rc = ct_case_open(db, &json, c->argv[2], category, threshold, &o);
		free(seeds);
		free(rest);
	} else {
		return cli_usage("unknown case command '%s' (open, update, list, show)", sub);
	}
	ct_db_close(db);
	if (rc)
		return cli_fail(rc);
	cli_print_json(c, json, text);
	ct_free(json);
	return EXIT_OK;
}
