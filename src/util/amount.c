/*
 * amount.c - amounts are integers inside, exact decimals outside.
 */
#include "util/amount.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

void ct__amount_ustr(char *out, size_t cap, uint64_t v, int decimals)
{
	uint64_t scale = 1;
	for (int i = 0; i < decimals; i++)
		scale *= 10;
	if (decimals == 0)
		snprintf(out, cap, "%llu", (unsigned long long)v);
	else
		snprintf(out, cap, "%llu.%0*llu", (unsigned long long)(v / scale),
		         decimals, (unsigned long long)(v % scale));
}

void ct__amount_str(char *out, size_t cap, int64_t v, int decimals)
{
	if (v < 0) {
		if (cap < 2)
			return;
		out[0] = '-';
		ct__amount_ustr(out + 1, cap - 1, (uint64_t)0 - (uint64_t)v, decimals);
	} else {
		ct__amount_ustr(out, cap, (uint64_t)v, decimals);
	}
}

int ct__amount_parse(uint64_t *out, const char *s, int decimals)
{
	uint64_t v = 0;
	int seen = 0, frac = -1;
	for (; *s; s++) {
		if (*s == '.') {
			if (frac >= 0)
				return -1;
			frac = 0;
			continue;
		}
		if (*s < '0' || *s > '9')
			return -1;
		if (frac >= 0 && ++frac > decimals)
			return -1;
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
		seen = 1;
	}
	if (!seen)
		return -1;
	for (int i = frac < 0 ? 0 : frac; i < decimals; i++) {
		if (v > UINT64_MAX / 10)
			return -1;
		v *= 10;
	}
	*out = v;
	return 0;
}

void ct__time_str(char *out, size_t cap, int64_t t)
{
	struct tm tm;
	time_t tt = (time_t)t;
	if (!gmtime_r(&tt, &tm) || !strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, cap, "%lld", (long long)t);
}
