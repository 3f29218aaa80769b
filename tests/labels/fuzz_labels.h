/*
 * fuzz_labels.h - the body every label parser's fuzz target shares
 * (tests/labels/fuzz_labels_*.c): the input, bzip2-decompressed when it
 * starts with "BZh", goes through one parser, and every record handed out
 * is normalised as the store would. A crash, a leak or a sanitizer report
 * is a bug, a CT_EDATA return is not.
 */
#ifndef CT_FUZZ_LABELS_H
#define CT_FUZZ_LABELS_H

#include "labels/labels_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef int (*fuzz_labels_parser)(ct__lsrc *src, ct__label_meta *meta, ct__label_emit emit,
                                  void *payload);

static int fuzz_labels_on_rec(const ct__label_rec *r, void *payload)
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

static int fuzz_labels_run(const uint8_t *data, size_t size, fuzz_labels_parser parse)
{
	ct__lsrc mem, bz, *src = &mem;
	ct__label_meta meta = {0};
	ct__lsrc_mem(&mem, data, size);
	if (size >= 3 && !memcmp(data, "BZh", 3)) {
		if (ct__lsrc_bz2(&bz, &mem))
			return 0;
		src = &bz;
	}
	parse(src, &meta, fuzz_labels_on_rec, NULL);
	ct__lsrc_close(src);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
