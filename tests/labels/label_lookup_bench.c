/*
 * label_lookup_bench.c - look-ups per second against a label store:
 *   label_lookup_bench DBDIR [N]
 * Samples up to 100,000 labelled addresses from DBDIR/cases.db, then
 * times N look-ups (default 1,000,000) of four kinds: hits and misses of
 * normalised addresses (count only, and with the labels copied out), and
 * full look-ups of user text (normalisation included). Not a test.
 */
#include "labels/labels.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s DBDIR [N]\n", argv[0]);
		return 1;
	}
	long n = argc > 2 ? atol(argv[2]) : 1000000;
	char path[4096];
	snprintf(path, sizeof(path), "%s/cases.db", argv[1]);
	sqlite3 *db;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		fprintf(stderr, "%s: %s\n", path, sqlite3_errmsg(db));
		return 1;
	}
	sqlite3_stmt *st;
	sqlite3_prepare_v2(db,
	                   "SELECT DISTINCT address FROM labels WHERE removed IS NULL"
	                   " ORDER BY random() LIMIT 100000",
	                   -1, &st, NULL);
	char **hits = NULL, **miss = NULL;
	size_t k = 0, cap = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (k == cap) {
			cap = cap ? 2 * cap : 1024;
			hits = realloc(hits, cap * sizeof(char *));
			miss = realloc(miss, cap * sizeof(char *));
		}
		hits[k] = strdup((const char *)sqlite3_column_text(st, 0));
		miss[k] = strdup(hits[k]);
		size_t len = strlen(miss[k]);
		miss[k][len - 1] = miss[k][len - 1] == 'x' ? 'y' : 'x'; /* not labelled */
		k++;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	if (!k) {
		fprintf(stderr, "no labels in %s\n", path);
		return 1;
	}
	ct_labels *l;
	double t0 = now();
	if (ct_labels_open(&l, argv[1], 0)) {
		fprintf(stderr, "%s\n", ct_error_last());
		return 1;
	}
	ct_labels_lookup_norm(l, hits[0], NULL, NULL); /* builds the index */
	printf("open + index load: %.3f s, %zu active labels, %zu sampled addresses\n", now() - t0,
	       ct_labels_count(l), k);
	long found = 0;
	t0 = now();
	for (long i = 0; i < n; i++)
		found += ct_labels_lookup_norm(l, hits[i % k], NULL, NULL) > 0;
	double dt = now() - t0;
	printf("hit,  count only:      %10.0f lookups/s (%ld/%ld found)\n", n / dt, found, n);
	found = 0;
	t0 = now();
	for (long i = 0; i < n; i++)
		found += ct_labels_lookup_norm(l, miss[i % k], NULL, NULL) > 0;
	dt = now() - t0;
	printf("miss, count only:      %10.0f lookups/s (%ld found)\n", n / dt, found);
	t0 = now();
	for (long i = 0; i < n; i++) {
		ct_label *lab;
		size_t m;
		ct_labels_lookup_norm(l, hits[i % k], &lab, &m);
		free(lab);
	}
	dt = now() - t0;
	printf("hit,  labels copied:   %10.0f lookups/s\n", n / dt);
	t0 = now();
	long bad = 0;
	for (long i = 0; i < n; i++) {
		ct_label *lab;
		size_t m;
		bad += ct_labels_lookup(l, hits[i % k], &lab, &m) != 0;
		free(lab);
	}
	dt = now() - t0;
	printf("hit,  text + normalise:%10.0f lookups/s (%ld unreadable)\n", n / dt, bad);
	ct_labels_close(l);
	for (size_t i = 0; i < k; i++) {
		free(hits[i]);
		free(miss[i]);
	}
	free(hits);
	free(miss);
	return 0;
}
