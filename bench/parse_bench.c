/*
 * parse_bench.c - throughput of the block parser alone (structure checks,
 * txids, merkle root) and of script classification, on raw block files
 * given on the command line, repeated until ~2 s have passed.
 * usage: parse_bench FILE...   (raw serialized blocks)
 */
#include "chain/btc/btc.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	ct_hasher *h;
	ct_btc_block b;
	uint8_t **bufs = calloc((size_t)argc, sizeof(*bufs));
	size_t *lens = calloc((size_t)argc, sizeof(*lens)), total = 0;
	if (argc < 2 || ct__hasher_new(&h) != 0) {
		fprintf(stderr, "usage: parse_bench FILE...\n");
		return 1;
	}
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		if (!f)
			return 1;
		fseek(f, 0, SEEK_END);
		lens[i] = (size_t)ftell(f);
		fseek(f, 0, SEEK_SET);
		bufs[i] = malloc(lens[i]);
		if (fread(bufs[i], 1, lens[i], f) != lens[i])
			return 1;
		fclose(f);
		total += lens[i];
	}
	ct__btc_block_init(&b);
	double t0 = now(), t;
	uint64_t bytes = 0, txs = 0, outs = 0;
	int classify = getenv("CLASSIFY") != NULL;
	do {
		for (int i = 1; i < argc; i++) {
			ct_parse_err e;
			if (ct__btc_parse_block(&b, h, bufs[i], lens[i], &e) != 0) {
				fprintf(stderr, "%s: offset %zu: %s\n", argv[i], e.offset, e.reason);
				return 1;
			}
			if (classify)
				for (uint32_t k = 0; k < b.n_out; k++) {
					ct_addrkey key;
					ct__script_classify(h, b.outs[k].script, b.outs[k].script_len, &key);
				}
			bytes += lens[i];
			txs += b.n_tx;
			outs += b.n_out;
		}
		t = now() - t0;
	} while (t < 2.0);
	printf("parse%s: %.1f MB/s, %.0f txs/s, %.0f outputs/s (%zu bytes per pass)\n",
	       classify ? "+classify" : "", bytes / 1e6 / t, txs / t, outs / t, total);
	return 0;
}
