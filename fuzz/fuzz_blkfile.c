/*
 * fuzz_blkfile.c - fuzz target for the blk-file reader: the input is
 * written as a blk*.dat file and scanned, then every block found is read
 * back and parsed, as ingest does.
 */
#include "chain/btc/blkfile.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static ct_hasher *h;
	static char dir[64], path[128];
	if (!h) {
		if (ct__hasher_new(&h) != 0)
			abort();
		snprintf(dir, sizeof(dir), "/tmp/ct-fuzz-blk.%d", (int)getpid());
		snprintf(path, sizeof(path), "%s/blk00000.dat", dir);
		mkdir(dir, 0700);
	}
	FILE *f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	ct_blkset s;
	memset(&s, 0, sizeof(s));
	if (ct__blkset_add_path(&s, path) == 0 && ct__blkset_scan(&s, h, NULL) == 0) {
		uint8_t *buf = NULL;
		size_t cap = 0;
		ct_btc_block b;
		ct__btc_block_init(&b);
		for (size_t i = 0; i < s.n_locs; i++) {
			ct_parse_err err;
			if (ct__blkset_read(&s, i, &buf, &cap) == 0)
				ct__btc_parse_block(&b, h, buf, s.locs[i].len, &err);
		}
		ct__btc_block_free(&b);
		free(buf);
	}
	ct__blkset_free(&s);
	return 0;
}
