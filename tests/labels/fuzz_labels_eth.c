/*
 * fuzz_labels_eth.c - fuzz target for the Ethereum label parsers (Etherscan
 * JSON when the input starts with "{", else the Forta CSVs; the shared
 * body: fuzz_labels.h).
 */
#include "fuzz_labels.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_labels_run(data, size,
	                       size && data[0] == '{' ? ct__labels_parse_etherscan
	                                              : ct__labels_parse_forta);
}
