/*
 * cmd_trace.c - `cointrail trace SEED... [options]`: parse the options
 * into ct_trace_options, run the trace, render it (text, json, csv, dot,
 * svg) to stdout or --output FILE. Also the option parser `case` shares.
 */
#include "cli/cli.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* From the library (analysis/trace_res.c): ISO 8601 or Unix seconds. */
int ct__time_parse(int64_t *out, const char *s);

/* A count option's value: digits only. */
static int count_arg(size_t *out, const char *v)
{
	char *end;
	errno = 0;
	unsigned long long n = strtoull(v, &end, 10);
	if (!*v || *end || errno || v[0] == '-' || n > SIZE_MAX)
		return -1;
	*out = (size_t)n;
	return 0;
}

/* Parse trace options from argv[from..]; seeds and unknown words go to
 * `rest` (positional). Returns EXIT_OK or a usage error. */
int cli_trace_opts(cli *c, int from, ct_trace_options *o, const char **seeds, size_t *n_seeds,
                   const char **format, const char **output, const char **rest, size_t *n_rest)
{
	*n_seeds = 0;
	if (n_rest)
		*n_rest = 0;
	for (int i = from; i < c->argc; i++) {
		const char *a = c->argv[i];
		const char *v = i + 1 < c->argc ? c->argv[i + 1] : NULL;
#define NEED()                                                     \
	do {                                                           \
		if (!v)                                                    \
			return cli_usage("%s needs a value", a);               \
		i++;                                                       \
	} while (0)
		if (!strcmp(a, "--backward")) {
			o->backward = 1;
		} else if (!strcmp(a, "--forward")) {
			o->backward = 0;
		} else if (!strcmp(a, "--policy")) {
			NEED();
			o->policy = v;
		} else if (!strcmp(a, "--since") || !strcmp(a, "--until")) {
			NEED();
			int64_t t;
			if (ct__time_parse(&t, v) != 0)
				return cli_usage("%s '%s': give ISO 8601 with a zone (2018-01-25T15:04:00Z) or Unix seconds", a, v);
			if (a[2] == 's')
				o->since = t;
			else
				o->until = t;
		} else if (!strcmp(a, "--max-hops")) {
			NEED();
			char *end;
			errno = 0;
			unsigned long n = strtoul(v, &end, 10);
			if (*end || !*v || errno || n > 1000000)
				return cli_usage("--max-hops '%s' is not a number of hops", v);
			o->max_hops = (uint32_t)n;
		} else if (!strcmp(a, "--min-amount")) {
			NEED();
			o->min_amount = v;
		} else if (!strcmp(a, "--through-services") || !strcmp(a, "--through-exchanges")) {
			o->through_services = 1;
		} else if (!strcmp(a, "--asset")) {
			NEED();
			o->asset = v;
		} else if (!strcmp(a, "--max-flows")) {
			NEED();
			if (count_arg(&o->max_flows, v))
				return cli_usage("--max-flows '%s' is not a count (0: all)", v);
		} else if (!strcmp(a, "--max-addresses")) {
			NEED();
			if (count_arg(&o->max_addresses, v))
				return cli_usage("--max-addresses '%s' is not a count (0: all)", v);
		} else if (!strcmp(a, "--max-patterns")) {
			NEED();
			if (count_arg(&o->max_patterns, v))
				return cli_usage("--max-patterns '%s' is not a count (0: all)", v);
		} else if (!strcmp(a, "--format") && format) {
			NEED();
			*format = v;
		} else if ((!strcmp(a, "--output") || !strcmp(a, "-o")) && output) {
			NEED();
			*output = v;
		} else if (!strcmp(a, "--seed")) {
			NEED();
			seeds[(*n_seeds)++] = v;
			/* --seed A B C: following words that are not options are seeds too */
			while (i + 1 < c->argc && c->argv[i + 1][0] != '-')
				seeds[(*n_seeds)++] = c->argv[++i];
		} else if (a[0] == '-' && a[1]) {
			if (!rest)
				return cli_usage("unknown option '%s'", a);
			rest[(*n_rest)++] = a; /* the caller's own option */
			if (v && v[0] != '-') {
				rest[(*n_rest)++] = v;
				i++;
			}
		} else if (rest) {
			rest[(*n_rest)++] = a;
		} else {
			seeds[(*n_seeds)++] = a;
		}
#undef NEED
	}
	return EXIT_OK;
}

int cmd_trace(cli *c)
{
	ct_trace_options o = CT_TRACE_OPTIONS_INIT;
	const char **seeds = calloc((size_t)c->argc + 1, sizeof(char *));
	const char *format = c->json ? "json" : "text", *output = NULL;
	size_t n;
	if (!seeds)
		return EXIT_INTERNAL;
	/* unset: the text report then asks for only what it shows */
	o.max_addresses = o.max_patterns = SIZE_MAX;
	int rc = cli_trace_opts(c, 1, &o, seeds, &n, &format, &output, NULL, NULL);
	if (rc) {
		free(seeds);
		return rc;
	}
	if (!n) {
		free(seeds);
		return cli_usage("trace needs a SEED (address, txid, TXID:N)");
	}
	if (strcmp(format, "text") && strcmp(format, "json") && strcmp(format, "csv") &&
	    strcmp(format, "dot") && strcmp(format, "svg")) {
		free(seeds);
		return cli_usage("--format '%s': text, json, csv, dot or svg", format);
	}
	int text = !strcmp(format, "text");
	if (o.max_addresses == SIZE_MAX)
		o.max_addresses = text ? 2000 : 0;
	if (o.max_patterns == SIZE_MAX)
		o.max_patterns = text ? 100 : 0;
	/* the report lists no flows (its patterns still come from them) */
	o.summary = text;
	o.seeds = seeds;
	o.n_seeds = n;
	ct_db *db;
	if ((rc = ct_db_open(&db, c->db, CT_OPEN_READONLY))) {
		free(seeds);
		return cli_fail(rc);
	}
	char *json = NULL, *txt = NULL;
	size_t len = 0;
	rc = ct_trace(db, &json, &o);
	if (!rc && !strcmp(format, "json")) {
		/* as it is: a large trace is not parsed again */
		len = strlen(json);
		json[len] = '\n'; /* the terminator becomes the final newline */
		txt = json;
		json = NULL;
		len++;
	} else if (!rc) {
		rc = ct_trace_render(&txt, &len, json, format);
	}
	ct_db_close(db);
	free(seeds);
	if (rc) {
		ct_free(json);
		return cli_fail(rc);
	}
	FILE *f = output ? fopen(output, "wb") : stdout;
	int ok = f != NULL;
	if (f) {
		ok = fwrite(txt, 1, len, f) == len;
		if (output)
			ok = fclose(f) == 0 && ok;
		else
			fflush(stdout);
	}
	ct_free(json);
	ct_free(txt);
	if (!ok) {
		fprintf(stderr, "cointrail: %s: %s\n", output ? output : "stdout", strerror(errno));
		return EXIT_USER;
	}
	return EXIT_OK;
}
