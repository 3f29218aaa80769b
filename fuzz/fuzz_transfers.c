/*
 * fuzz_transfers.c - libFuzzer target for the transfer file reader
 * (src/chain/account/rows.c) and the account formats (acctfmt.c): the
 * first byte picks the address format and the from override, the rest is
 * the file. Every row is split and typed; every parsed address must
 * render and parse back to the same key, every parsed amount must render
 * and parse back to the same value. abort() flags a broken invariant.
 */
#include "chain/account/rows.h"
#include "util/error.h"
#include "util/hash.h"

#include <stdlib.h>
#include <string.h>

static void addr_roundtrip(int af, const ct_acct_key *k)
{
	char s[CT_ACCT_ADDR_STR];
	ct_acct_key k2;
	int n = ct__acct_key_str(af, k, s, sizeof(s));
	if (ct__acct_key_parse(af, &k2, s, (size_t)n) != 0 || memcmp(k, &k2, sizeof(k2)) != 0)
		abort();
}

static void amount_roundtrip(const ct_field *f, int dec)
{
	ct_u256 v, v2;
	const char *why;
	char s[CT_ACCT_AMOUNT_STR];
	if (!f->present || ct__acct_amount_parse(&v, f->p, f->n, dec, &why) != 0)
		return;
	ct__acct_amount_str(s, sizeof(s), &v, dec);
	if (ct__acct_amount_parse(&v2, s, strlen(s), dec, &why) != 0 || memcmp(&v, &v2, sizeof(v)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	static const int afs[] = {CT_AF_EVM, CT_AF_NEM, CT_AF_TRON};
	int af = afs[data[0] % 3];
	int override = (data[0] >> 2) & 1;
	static ct_rows rows; /* large (scratch): not on the stack */
	ct_acct_key from;
	memset(&from, 0, sizeof(from));
	/* a valid key of the format (checksums included) */
	from.len = af == CT_AF_NEM ? 25 : af == CT_AF_TRON ? 21 : 20;
	if (af == CT_AF_NEM) {
		uint8_t h[32];
		from.b[0] = 0x68;
		ct__keccak256(h, from.b, 21);
		memcpy(from.b + 21, h, 4);
	} else if (af == CT_AF_TRON) {
		from.b[0] = 0x41;
	}
	/* the rows hold pointers into the buffer: copy it so the fuzzer sees
	 * reads past the end */
	char *buf = malloc(size);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, size - 1);
	if (ct__rows_init(&rows, "fuzz", buf, size - 1) == 0) {
		ct_field f[RC_N];
		const char *line, *why;
		size_t len;
		int rc, guard = 0;
		while ((rc = ct__rows_next(&rows, f, &line, &len, &why)) != 0 && guard++ < 100000) {
			if (rc < 0) {
				if (!why || line < buf || line + len > buf + size - 1)
					abort();
				continue;
			}
			ct_prow p;
			if (ct__row_type(&rows, f, af, "ETH", override ? &from : NULL, &p, &why) != 0) {
				if (!why)
					abort();
				continue;
			}
			addr_roundtrip(af, &p.from);
			if (p.to.len)
				addr_roundtrip(af, &p.to);
			if (p.token)
				addr_roundtrip(af, &p.contract);
			amount_roundtrip(&p.amount, p.amount_base ? 0 : 18);
			amount_roundtrip(&p.amount, CT_DECIMALS_UNKNOWN);
			amount_roundtrip(&p.fee, 6);
		}
	}
	ct__err_clear();
	free(buf);
	return 0;
}
