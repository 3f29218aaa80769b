/*
 * fuzz_trace_input.c - fuzz target for what the tracer parses from users
 * and programs: times (--since/--until), amounts (--min-amount, case
 * thresholds) and trace documents handed to ct_trace_render() (text, CSV,
 * DOT). The first byte picks the parser. Invariants: a parsed amount
 * renders back to a string that parses to the same value; rendering never
 * crashes on any JSON.
 */
#include "analysis/trace.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2 || size > 1 << 16)
		return 0;
	char *s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 2, size - 2);
	s[size - 2] = 0;
	switch (data[0] % 3) {
	case 0: {
		int64_t t;
		(void)ct__time_parse(&t, s);
		break;
	}
	case 1: {
		ct_u128 v, w;
		int dec = data[1] % 31;
		if (ct__u128_parse(&v, s, dec) == 0) {
			char buf[64];
			ct__u128_amount(buf, sizeof(buf), v, dec);
			if (ct__u128_parse(&w, buf, dec) != 0 || w != v)
				abort();
		}
		break;
	}
	default: {
		static const char *const fmts[] = {"text", "csv", "dot", "json"};
		char *out = NULL;
		size_t len = 0;
		if (ct_trace_render(&out, &len, s, fmts[data[1] % 4]) == 0)
			free(out);
		break;
	}
	}
	free(s);
	return 0;
}
