/*
 * cmd_check.c - `cointrail check [--deep]`.
 */
#include "cli/cli.h"

#include <jansson.h>
#include <string.h>

static void text_check(json_t *j)
{
	json_t *v, *p;
	size_t i, k;
	json_array_foreach(json_object_get(j, "chains"), i, v) {
		printf("%-14s %s  (%lld blocks, %lld txs)%s%s\n", json_string_value(json_object_get(v, "chain")),
		       json_is_true(json_object_get(v, "ok")) ? "ok" : "FAILED",
		       (long long)json_integer_value(json_object_get(v, "blocks")),
		       (long long)json_integer_value(json_object_get(v, "txs")),
		       json_object_get(v, "digest") ? "  digest " : "",
		       json_object_get(v, "digest") ? json_string_value(json_object_get(v, "digest")) : "");
		json_array_foreach(json_object_get(v, "problems"), k, p)
			printf("  %s\n", json_string_value(p));
	}
}

int cmd_check(cli *c)
{
	int deep = 0, rc;
	for (int i = 1; i < c->argc; i++) {
		if (!strcmp(c->argv[i], "--deep"))
			deep = 1;
		else
			return cli_usage("usage: cointrail check [--deep]");
	}
	ct_db *db;
	char *out = NULL;
	if ((rc = ct_db_open(&db, c->db, CT_OPEN_READONLY)))
		return cli_fail(rc);
	rc = ct_check(db, &out, deep);
	ct_db_close(db);
	if (out) {
		cli_print_json(c, out, text_check);
		ct_free(out);
	}
	return rc ? cli_fail(rc) : EXIT_OK;
}
