/*
 * fuzz_labels_csv.c - fuzz target for the label CSV parser
 * (the shared body: fuzz_labels.h).
 */
#include "fuzz_labels.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_labels_run(data, size, ct__labels_parse_csv);
}
