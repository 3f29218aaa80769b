/*
 * fuzz_block.c - fuzz target for the block/tx parser, script classifier
 * and address renderer: any bytes in, never a crash or an over-read.
 */
#include "chain/btc/btc.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static ct_hasher *h;
	ct_btc_block b;
	ct_parse_err err;
	if (!h && ct__hasher_new(&h) != 0)
		abort();
	/* Copy to an exact-size heap buffer so ASan sees any over-read. */
	uint8_t *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	ct__btc_block_init(&b);
	if (ct__btc_parse_block(&b, h, buf, size, &err) == 0) {
		const ct_btc_net *net = ct__btc_net_by_name("mainnet");
		for (uint32_t i = 0; i < b.n_out; i++) {
			ct_addrkey k;
			char out[128];
			ct__script_classify(h, b.outs[i].script, b.outs[i].script_len, &k);
			if (k.kind != CT_AK_NONE && ct__addr_render(h, net, &k, out, sizeof(out)) == 0) {
				ct_addrkey k2;
				if (ct__addr_parse(h, net, out, &k2) != 0 || memcmp(&k, &k2, sizeof(k)) != 0)
					abort(); /* rendering must round-trip */
			}
		}
	}
	/* The classifier alone, on the raw bytes as a script. */
	ct_addrkey k;
	ct__script_classify(h, buf, size, &k);
	ct__btc_block_free(&b);
	free(buf);
	return 0;
}
