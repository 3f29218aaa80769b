/*
 * fuzz_labels_sdn.c - fuzz target for the OFAC SDN XML parser
 * (the shared body: fuzz_labels.h).
 */
#include "fuzz_labels.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_labels_run(data, size, ct__labels_parse_sdn);
}
