/*
 * fuzz_ethrpc.c - libFuzzer target for the Ethereum JSON-RPC answer parsers
 * (ethrpc.h): the input is a JSON document {"block", "receipts", "logs"}
 * (anything else is also fed to each parser; every string also goes
 * through the quantity and token-metadata decoders). Checks: no crash or leak;
 * a parsed quantity renders back to its input digits; a block's receipts
 * and logs parse only into values the parsers promise (status 0/1, 20-byte
 * addresses from zero-padded topics).
 */
#include "chain/account/ethrpc.h"
#include "util/encode.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void u256_hex(char *out, const ct_u256 *v)
{
	char tmp[65];
	snprintf(tmp, sizeof(tmp), "%016llx%016llx%016llx%016llx", (unsigned long long)v->w[3],
	         (unsigned long long)v->w[2], (unsigned long long)v->w[1],
	         (unsigned long long)v->w[0]);
	const char *p = tmp;
	while (*p == '0' && p[1])
		p++;
	strcpy(out, p);
}

/* A quantity that parses must render back to its digits (case and
 * leading zeros aside). */
static void check_qty(const char *s)
{
	ct_u256 v;
	const char *why;
	if (ct__eth_qty256(s, &v, &why))
		return;
	char back[65], in[80];
	u256_hex(back, &v);
	const char *d = s + 2;
	while (*d == '0' && d[1])
		d++;
	if (strlen(d) >= sizeof(in))
		abort();
	size_t i = 0;
	for (; d[i]; i++)
		in[i] = (char)(d[i] >= 'A' && d[i] <= 'F' ? d[i] + 32 : d[i]);
	in[i] = 0;
	if (strcmp(in, back))
		abort();
	uint64_t v64;
	if (ct__eth_qty64(s, &v64, &why) == 0 && (v.w[1] || v.w[2] || v.w[3] || v64 != v.w[0]))
		abort();
}

static void walk_strings(const json_t *j, int depth)
{
	if (depth > 6)
		return;
	if (json_is_string(j)) {
		check_qty(json_string_value(j));
		/* token metadata decoders: bounded, printable, whole characters */
		char sym[32];
		int d = ct__eth_abi_decimals(json_string_value(j));
		if (d < -1 || d > 77)
			abort();
		ct__eth_abi_symbol(json_string_value(j), sym);
		if (strlen(sym) > 31)
			abort();
		for (size_t i = 0; sym[i]; i++)
			if ((unsigned char)sym[i] < 0x20)
				abort();
	} else if (json_is_object(j)) {
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)j, k, v) walk_strings(v, depth + 1);
	} else if (json_is_array(j)) {
		size_t i;
		json_t *v;
		json_array_foreach(j, i, v) walk_strings(v, depth + 1);
	}
}

static void run_logs(const json_t *logs)
{
	size_t i;
	json_t *l;
	if (!json_is_array(logs))
		return;
	json_array_foreach(logs, i, l)
	{
		ct_eth_log lg;
		const char *why;
		int rc = ct__eth_parse_log(l, &lg, &why, "fuzz");
		if (rc == 1 && !why)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t e;
	json_t *j = json_loadb((const char *)data, size, JSON_DECODE_ANY, &e);
	if (!j)
		return 0;
	walk_strings(j, 0);
	const json_t *blk = json_object_get(j, "block");
	ct_eth_block b;
	if (ct__eth_parse_block(blk ? blk : j, &b, "fuzz") == 0) {
		const json_t *rs = json_object_get(j, "receipts");
		for (size_t i = 0; i < b.ntx; i++) {
			const json_t *r = json_array_get(rs, i);
			if (!r)
				break;
			int rc = ct__eth_parse_receipt(r, &b, &b.txs[i], "fuzz");
			if (rc == 0 && b.txs[i].failed != 0 && b.txs[i].failed != 1)
				abort();
		}
		ct__eth_block_free(&b);
	}
	run_logs(json_object_get(j, "logs"));
	run_logs(j);
	ct_eth_log lg;
	const char *why;
	ct__eth_parse_log(j, &lg, &why, "fuzz");
	json_decref(j);
	return 0;
}
