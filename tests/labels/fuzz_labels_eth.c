/*
 * fuzz_labels_eth.c - fuzz target for the Ethereum label parsers (Etherscan
 * JSON when the input starts with "{", else the Forta CSVs).
 * Every record handed out is normalised as the store would; a crash, a
 * leak or a sanitizer report is a bug, a CT_EDATA return is not.
 */
#include "labels/labels_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int on_rec(const ct__label_rec *r, void *payload)
{
	char out[192], ch[32], cat[48];
	int known;
	(void)payload;
	if (!r->address)
		abort(); /* parsers never emit a record without an address */
	if (r->chain)
		ct__labels_chain(ch, r->chain, r->address, &known);
	ct_labels_normalize(out, sizeof(out), r->chain, r->address);
	if (r->category)
		ct__labels_category(cat, r->category, &known);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ct__lsrc mem, bz, *src = &mem;
	ct__label_meta meta = {0};
	ct__lsrc_mem(&mem, data, size);
	if (size >= 3 && !memcmp(data, "BZh", 3)) {
		if (ct__lsrc_bz2(&bz, &mem))
			return 0;
		src = &bz;
	}
	if (size && data[0] == '{')
		ct__labels_parse_etherscan(src, &meta, on_rec, NULL);
	else
		ct__labels_parse_forta(src, &meta, on_rec, NULL);
	ct__lsrc_close(src);
	return 0;
}
