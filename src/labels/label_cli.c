/*
 * label_cli.c - `cointrail label add|import|list|show`. Text for people,
 * JSON with --json; the text is rendered from the same JSON the library
 * returns, so the two never disagree. Exit codes: 0 ok, 1 user error,
 * 2 bad data, 3 internal.
 */
#include "labels/labels.h"
#include "util/error.h"

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int exit_code(int rc)
{
	switch (rc) {
	case CT_OK: return 0;
	case CT_EUSER:
	case CT_ENOTFOUND:
	case CT_ELOCKED:
	case CT_EIO: /* mostly an input file that cannot be read */
		return 1;
	case CT_EDATA:
	case CT_ECORRUPT:
		return 2;
	default:
		return 3;
	}
}

static int fail(int rc)
{
	fprintf(stderr, "cointrail label: %s\n", ct_error_last());
	return exit_code(rc);
}

const char ct__label_usage[] =
	"usage: cointrail label add ADDR --category CAT [--name NAME] [--source TEXT]"
	" [--confidence X]\n"
	"       cointrail label import FILE... [--chain C] [--category CAT] [--source S]"
	" [--format sdn|list|tagpack|csv|etherscan|forta] [--strict]\n"
	"       cointrail label list [--category CAT] [--chain C] [--limit N]\n"
	"       cointrail label show ADDR\n";

static int usage(const char *msg)
{
	if (msg)
		fprintf(stderr, "cointrail label: %s\n", msg);
	fputs(ct__label_usage, stderr);
	return 1;
}

typedef struct args {
	const char *category, *name, *source, *chain, *format, *confidence, *limit;
	int strict;
	const char *pos[4096];
	int npos;
} args;

/* Options anywhere, as "--opt VALUE" or "--opt=VALUE". */
static int parse_args(args *a, int argc, char **argv)
{
	static const struct {
		const char *name;
		size_t off;
	} opts[] = {
		{"category", offsetof(args, category)}, {"name", offsetof(args, name)},
		{"source", offsetof(args, source)},     {"chain", offsetof(args, chain)},
		{"format", offsetof(args, format)},     {"confidence", offsetof(args, confidence)},
		{"limit", offsetof(args, limit)},
	};
	memset(a, 0, sizeof(*a));
	for (int i = 2; i < argc; i++) {
		const char *s = argv[i];
		if (!strcmp(s, "--strict")) {
			a->strict = 1;
			continue;
		}
		if (!strcmp(s, "--json"))
			continue; /* handled by the caller */
		if (!strncmp(s, "--", 2) && s[2]) {
			const char *eq = strchr(s, '=');
			size_t n = eq ? (size_t)(eq - s - 2) : strlen(s + 2);
			size_t k;
			for (k = 0; k < CT_ARRAY_LEN(opts); k++)
				if (strlen(opts[k].name) == n && !strncmp(s + 2, opts[k].name, n))
					break;
			if (k == CT_ARRAY_LEN(opts)) {
				fprintf(stderr, "cointrail label: unknown option %s\n", s);
				return -1;
			}
			const char *v = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
			if (!v) {
				fprintf(stderr, "cointrail label: %s needs a value\n", s);
				return -1;
			}
			*(const char **)((char *)a + opts[k].off) = v;
			continue;
		}
		if (a->npos == (int)CT_ARRAY_LEN(a->pos)) {
			fprintf(stderr, "cointrail label: too many arguments\n");
			return -1;
		}
		a->pos[a->npos++] = s;
	}
	return 0;
}

static const char *jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static void print_label_text(json_t *o, int removed)
{
	printf("  %-15s %-30s source: %s", jstr(o, "category"),
	       *jstr(o, "name") ? jstr(o, "name") : "-", jstr(o, "source"));
	json_t *c = json_object_get(o, "confidence");
	if (json_is_number(c))
		printf("; confidence %.2f", json_number_value(c));
	if (*jstr(o, "ref"))
		printf("; ref %s", jstr(o, "ref"));
	printf("; family %s; added %s", jstr(o, "family"), jstr(o, "added"));
	if (removed)
		printf("; removed %s by %s", jstr(o, "removed"), jstr(o, "removed_by"));
	printf("\n");
}

static int cmd_add(ct_labels *l, args *a, int json)
{
	if (a->npos != 1)
		return usage("label add takes one address");
	if (!a->category)
		return usage("label add needs --category");
	double conf = -1;
	if (a->confidence) {
		char *end;
		conf = strtod(a->confidence, &end);
		if (*end || !(conf >= 0 && conf <= 1)) {
			fprintf(stderr, "cointrail label: --confidence must be a number in 0..1\n");
			return 1;
		}
	}
	int64_t id;
	int rc = ct_labels_add(l, &id, a->pos[0], a->category, a->name, a->source, conf);
	if (rc)
		return fail(rc);
	ct_label *lab;
	size_t n;
	rc = ct_labels_lookup(l, a->pos[0], &lab, &n);
	if (rc)
		return fail(rc);
	const ct_label *me = NULL;
	for (size_t i = 0; i < n; i++)
		if (lab[i].id == id)
			me = &lab[i];
	if (json) {
		json_t *o = json_pack("{s:I, s:s, s:s, s:s?, s:s}", "id", (json_int_t)id, "address",
		                      me ? me->address : "", "category", me ? me->category : "",
		                      "name", me && *me->name ? me->name : NULL, "source",
		                      me ? me->source : "");
		char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
		if (s)
			printf("%s\n", s);
		free(s);
		json_decref(o);
	} else if (me) {
		printf("labelled %s as %s%s%s (id %lld)\n", me->address, me->category,
		       *me->name ? ": " : "", me->name, (long long)id);
	}
	free(lab);
	return 0;
}

static int cmd_import(ct_labels *l, args *a, int json)
{
	if (a->npos < 1)
		return usage("label import needs at least one file");
	ct_label_import_options o = CT_LABEL_IMPORT_OPTIONS_INIT;
	o.chain = a->chain;
	o.category = a->category;
	o.source = a->source;
	o.format = a->format;
	o.strict = a->strict;
	int worst = 0;
	json_t *files = json_array();
	for (int i = 0; i < a->npos; i++) {
		ct_label_import_result r;
		int rc = ct_labels_import(l, a->pos[i], &o, &r);
		json_t *f = json_object();
		json_object_set_new(f, "file", json_string(a->pos[i]));
		if (rc) {
			int code = exit_code(rc);
			if (code > worst)
				worst = code;
			json_object_set_new(f, "error", json_string(ct_error_last()));
			if (!json)
				fprintf(stderr, "cointrail label: %s\n", ct_error_last());
			json_array_append_new(files, f);
			continue;
		}
		json_t *notes = json_array();
		for (unsigned k = 0; k < r.n_notes; k++)
			json_array_append_new(notes, json_string(r.notes[k]));
		json_object_set_new(f, "format", json_string(r.format));
		json_object_set_new(f, "family", json_string(r.family));
		json_object_set_new(f, "scope", r.scope[0] ? json_string(r.scope) : json_null());
		json_object_set_new(f, "source", json_string(r.source));
		json_object_set_new(f, "records", json_integer((json_int_t)r.records));
		json_object_set_new(f, "added", json_integer((json_int_t)r.added));
		json_object_set_new(f, "removed", json_integer((json_int_t)r.removed));
		json_object_set_new(f, "unchanged", json_integer((json_int_t)r.unchanged));
		json_object_set_new(f, "duplicates", json_integer((json_int_t)r.duplicates));
		json_object_set_new(f, "skipped", json_integer((json_int_t)r.skipped));
		json_object_set_new(f, "already_imported", json_boolean(r.already_imported));
		json_object_set_new(f, "seconds", json_real(r.seconds));
		json_object_set_new(f, "notes", notes);
		json_array_append_new(files, f);
		if (!json) {
			printf("%s: %s, family %s%s%s: ", a->pos[i], r.format, r.family,
			       r.scope[0] ? "/" : "", r.scope);
			if (r.already_imported)
				printf("already imported (same checksum), %llu labels unchanged",
				       (unsigned long long)r.unchanged);
			else
				printf("%llu added, %llu removed, %llu unchanged, %llu skipped, "
				       "%llu duplicates",
				       (unsigned long long)r.added, (unsigned long long)r.removed,
				       (unsigned long long)r.unchanged, (unsigned long long)r.skipped,
				       (unsigned long long)r.duplicates);
			printf(" (%.2f s)\n", r.seconds);
			for (unsigned k = 0; k < r.n_notes; k++)
				printf("  note: %s\n", r.notes[k]);
			if (r.notes_dropped)
				printf("  note: %llu more notes not shown\n",
				       (unsigned long long)r.notes_dropped);
		}
	}
	if (json) {
		json_t *doc = json_pack("{s:o}", "files", files);
		char *s = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
		if (s)
			printf("%s\n", s);
		free(s);
		json_decref(doc);
	} else {
		json_decref(files);
	}
	return worst;
}

/* The library's JSON answer `out` (rc its result): with --json printed as
 * is (0), else read back into *doc for the text view (-1: go on); an
 * error is its exit code. */
static int answer(int rc, char *out, int json, const char *what, json_t **doc)
{
	if (rc)
		return fail(rc);
	if (json) {
		printf("%s\n", out);
		free(out);
		return 0;
	}
	*doc = json_loads(out, 0, NULL);
	free(out);
	if (!*doc)
		return fail(ct__err(CT_EINTERNAL, "cannot read back the %s", what));
	return -1;
}

static int cmd_list(ct_labels *l, args *a, int json)
{
	if (a->npos)
		return usage("label list takes no arguments");
	size_t limit = 0;
	if (a->limit) {
		char *end;
		long long v = strtoll(a->limit, &end, 10);
		if (*end || v < 0)
			return usage("--limit must be a number >= 0");
		limit = (size_t)v;
	}
	char *out = NULL;
	json_t *doc;
	int rc = ct_labels_list_json(l, &out, a->category, a->chain, limit);
	if ((rc = answer(rc, out, json, "label list", &doc)) >= 0)
		return rc;
	json_t *arr = json_object_get(doc, "labels");
	size_t i;
	json_t *o;
	printf("%-50s %-15s %-30s %s\n", "ADDRESS", "CATEGORY", "NAME", "SOURCE");
	json_array_foreach(arr, i, o)
	{
		printf("%-50s %-15s %-30s %s\n", jstr(o, "address"), jstr(o, "category"),
		       *jstr(o, "name") ? jstr(o, "name") : "-", jstr(o, "source"));
	}
	printf("(%zu of %lld labels)\n", json_array_size(arr),
	       (long long)json_integer_value(json_object_get(doc, "total")));
	json_decref(doc);
	return 0;
}

static int cmd_show(ct_labels *l, args *a, int json)
{
	if (a->npos != 1)
		return usage("label show takes one address");
	char *out = NULL;
	json_t *doc;
	int rc = ct_labels_show_json(l, &out, a->pos[0]);
	if ((rc = answer(rc, out, json, "labels", &doc)) >= 0)
		return rc;
	json_t *act = json_object_get(doc, "labels"), *rem = json_object_get(doc, "removed");
	printf("%s: %zu label%s\n", jstr(doc, "address"), json_array_size(act),
	       json_array_size(act) == 1 ? "" : "s");
	size_t i;
	json_t *o;
	json_array_foreach(act, i, o) print_label_text(o, 0);
	if (json_array_size(rem)) {
		printf("removed by later versions of their lists:\n");
		json_array_foreach(rem, i, o) print_label_text(o, 1);
	}
	json_decref(doc);
	return 0;
}

int ct__cli_label(int argc, char **argv, const char *dbdir, int json)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return usage(argc < 2 ? "missing subcommand" : NULL);
	const char *cmd = argv[1];
	int writable;
	if (!strcmp(cmd, "add") || !strcmp(cmd, "import"))
		writable = 1;
	else if (!strcmp(cmd, "list") || !strcmp(cmd, "show"))
		writable = 0;
	else
		return usage("unknown subcommand");
	args *a = ct__malloc(sizeof(*a));
	if (!a)
		return fail(CT_ENOMEM);
	for (int i = 2; i < argc; i++)
		if (!strcmp(argv[i], "--json"))
			json = 1;
	if (parse_args(a, argc, argv)) {
		free(a);
		return usage(NULL);
	}
	ct_labels *l;
	int rc = ct_labels_open(&l, dbdir, writable);
	if (rc) {
		free(a);
		return fail(rc);
	}
	int code;
	if (!strcmp(cmd, "add"))
		code = cmd_add(l, a, json);
	else if (!strcmp(cmd, "import"))
		code = cmd_import(l, a, json);
	else if (!strcmp(cmd, "list"))
		code = cmd_list(l, a, json);
	else
		code = cmd_show(l, a, json);
	ct_labels_close(l);
	free(a);
	return code;
}
