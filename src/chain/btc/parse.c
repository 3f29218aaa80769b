/*
 * parse.c - the Bitcoin block and transaction parser.
 *
 * Parses legacy and BIP 144 (segwit) serialization into views that borrow
 * from the caller's buffer: no per-tx allocation, arrays reused across
 * blocks. Every count is bounded by the bytes that remain before anything
 * is reserved for it, so a hostile varint cannot make us allocate. The
 * txid is the double SHA-256 of the non-witness serialization, hashed in
 * place as up to three parts (version | ins..outs | locktime).
 */
#include "chain/btc/btc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/u256.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Smallest possible serialized input (32+4+1+4) and output (8+1). */
#define MIN_IN 41u
#define MIN_OUT 9u
#define MIN_TX 60u

void ct__btc_block_init(ct_btc_block *b) { memset(b, 0, sizeof(*b)); }

void ct__btc_block_free(ct_btc_block *b)
{
	if (!b)
		return;
	free(b->txs);
	free(b->ins);
	free(b->outs);
	free(b->scratch);
	memset(b, 0, sizeof(*b));
}

static int fail(ct_parse_err *err, size_t off, const char *fmt, ...) CT_PRINTF(3, 4);
static int fail(ct_parse_err *err, size_t off, const char *fmt, ...)
{
	va_list ap;
	err->offset = off;
	va_start(ap, fmt);
	vsnprintf(err->reason, sizeof(err->reason), fmt, ap);
	va_end(ap);
	return CT_EDATA;
}

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t n = *cap ? *cap : 64;
	while (n < need)
		n *= 2;
	void *p = ct__realloc(*arr, n * elem);
	if (!p)
		return CT_ENOMEM;
	*arr = p;
	*cap = n;
	return 0;
}

int ct__btc_header_check(ct_hasher *h, const uint8_t *hdr, uint8_t hash[32],
                         uint8_t work[32])
{
	ct_u256 target, hv;
	ct__sha256d(h, hash, hdr, CT_BTC_HEADER);
	if (ct__u256_from_compact(&target, ct_le32(hdr + 72)) != 0)
		return -1;
	if (target.w[0] == 0 && target.w[1] == 0 && target.w[2] == 0 && target.w[3] == 0)
		return -1;
	ct__u256_from_le(&hv, hash);
	if (work) {
		ct_u256 w;
		ct__u256_work(&w, &target);
		ct__u256_to_le(work, &w);
	}
	return ct__u256_cmp(&hv, &target) <= 0 ? 0 : -1;
}

/* BIP 34: the coinbase scriptSig starts with a push of the height. */
static int64_t bip34_height(const ct_btc_in *in)
{
	if (in->script_len < 1)
		return -1;
	uint8_t n = in->script[0];
	if (n == 0x00) /* OP_0: height 0 */
		return 0;
	if (n >= 0x51 && n <= 0x60) /* OP_1..OP_16 */
		return n - 0x50;
	if (n < 1 || n > 8 || n + 1u > in->script_len)
		return -1;
	uint64_t v = 0;
	for (int i = n; i >= 1; i--)
		v = v << 8 | in->script[i];
	if (in->script[n] & 0x80) /* negative: not a height */
		return -1;
	return (int64_t)v;
}

static int parse_tx(ct_btc_block *b, ct_hasher *h, ct_rd *r, ct_parse_err *err)
{
	size_t start = ct_rd_off(r);
	ct_btc_tx *tx = &b->txs[b->n_tx];
	const uint8_t *p0 = r->p;
	int rc;

	tx->offset = (uint32_t)start;
	tx->version = ct_rd_u32(r);
	size_t after_version = ct_rd_off(r);
	uint64_t n_in = ct_rd_varint(r);
	int segwit = 0;
	if (r->fail)
		return fail(err, start, "truncated transaction");
	if (n_in == 0) {
		/* BIP 144 marker 0x00 followed by flag 0x01. */
		uint8_t flag = ct_rd_u8(r);
		if (r->fail)
			return fail(err, ct_rd_off(r), "truncated transaction");
		if (flag != 1)
			return fail(err, ct_rd_off(r) - 1, "transaction has no inputs (or bad segwit flag 0x%02x)", flag);
		segwit = 1;
		after_version = ct_rd_off(r);
		n_in = ct_rd_varint(r);
		if (r->fail)
			return fail(err, start, "truncated transaction");
		if (n_in == 0)
			return fail(err, after_version, "transaction has no inputs");
	}
	if (n_in > ct_rd_left(r) / MIN_IN)
		return fail(err, after_version, "input count %llu exceeds the bytes left (%zu)",
		            (unsigned long long)n_in, ct_rd_left(r));
	if ((rc = grow((void **)&b->ins, &b->cap_in, b->n_in + n_in, sizeof(ct_btc_in))))
		return rc;
	tx->first_in = b->n_in;
	tx->n_in = (uint32_t)n_in;
	for (uint64_t i = 0; i < n_in; i++) {
		ct_btc_in *in = &b->ins[b->n_in + i];
		size_t off = ct_rd_off(r);
		in->prev_txid = ct_rd_take(r, 32);
		in->prev_n = ct_rd_u32(r);
		uint64_t sl = ct_rd_varint(r);
		if (r->fail)
			return fail(err, off, "truncated input");
		if (sl > ct_rd_left(r))
			return fail(err, off + 36, "input script length %llu runs past the end",
			            (unsigned long long)sl);
		in->script_len = (uint32_t)sl;
		in->script = ct_rd_take(r, sl);
		in->sequence = ct_rd_u32(r);
		if (r->fail)
			return fail(err, off, "truncated input");
	}
	b->n_in += (uint32_t)n_in;

	size_t outs_at = ct_rd_off(r);
	uint64_t n_out = ct_rd_varint(r);
	if (r->fail)
		return fail(err, outs_at, "truncated transaction");
	if (n_out > ct_rd_left(r) / MIN_OUT)
		return fail(err, outs_at, "output count %llu exceeds the bytes left (%zu)",
		            (unsigned long long)n_out, ct_rd_left(r));
	if ((rc = grow((void **)&b->outs, &b->cap_out, b->n_out + n_out, sizeof(ct_btc_out))))
		return rc;
	tx->first_out = b->n_out;
	tx->n_out = (uint32_t)n_out;
	for (uint64_t i = 0; i < n_out; i++) {
		ct_btc_out *o = &b->outs[b->n_out + i];
		size_t off = ct_rd_off(r);
		o->value = ct_rd_u64(r);
		uint64_t sl = ct_rd_varint(r);
		if (r->fail)
			return fail(err, off, "truncated output");
		if (o->value > CT_BTC_MAX_MONEY)
			return fail(err, off, "output value %llu exceeds 21 million BTC",
			            (unsigned long long)o->value);
		if (sl > ct_rd_left(r))
			return fail(err, off + 8, "output script length %llu runs past the end",
			            (unsigned long long)sl);
		o->script_len = (uint32_t)sl;
		o->script = ct_rd_take(r, sl);
	}
	b->n_out += (uint32_t)n_out;
	size_t outs_end = ct_rd_off(r);

	if (segwit) {
		int any = 0;
		for (uint64_t i = 0; i < n_in; i++) {
			size_t off = ct_rd_off(r);
			uint64_t items = ct_rd_varint(r);
			if (r->fail)
				return fail(err, off, "truncated witness");
			if (items > ct_rd_left(r))
				return fail(err, off, "witness item count %llu exceeds the bytes left",
				            (unsigned long long)items);
			any |= items != 0;
			for (uint64_t k = 0; k < items; k++) {
				size_t ioff = ct_rd_off(r);
				uint64_t il = ct_rd_varint(r);
				if (r->fail || il > ct_rd_left(r))
					return fail(err, ioff, "witness item runs past the end");
				ct_rd_take(r, il);
			}
		}
		/* Bitcoin Core refuses a superfluous witness marker. */
		if (!any)
			return fail(err, start, "segwit marker but all witnesses are empty");
	}
	size_t lt_at = ct_rd_off(r);
	tx->locktime = ct_rd_u32(r);
	if (r->fail)
		return fail(err, lt_at, "truncated transaction (locktime)");
	tx->segwit = segwit;
	tx->size = (uint32_t)(ct_rd_off(r) - start);
	if (segwit) {
		const void *parts[3] = {p0, r->base + after_version, r->base + lt_at};
		size_t lens[3] = {4, outs_end - after_version, 4};
		tx->base_size = (uint32_t)(4 + lens[1] + 4);
		ct__sha256d_parts(h, tx->txid, parts, lens, 3);
	} else {
		tx->base_size = tx->size;
		ct__sha256d(h, tx->txid, p0, tx->size);
	}
	return 0;
}

static int is_null_prevout(const ct_btc_in *in)
{
	static const uint8_t zero[32];
	return in->prev_n == 0xffffffffu && memcmp(in->prev_txid, zero, 32) == 0;
}

/* Merkle root of the txids, Bitcoin's way: odd levels repeat the last. */
static void merkle_root(ct_btc_block *b, ct_hasher *h, uint8_t out[32], int *mutated)
{
	size_t n = b->n_tx;
	*mutated = 0;
	for (size_t i = 0; i < n; i++)
		memcpy(b->scratch[i], b->txs[i].txid, 32);
	while (n > 1) {
		size_t m = 0;
		for (size_t i = 0; i < n; i += 2) {
			size_t j = i + 1 < n ? i + 1 : i;
			if (j != i && memcmp(b->scratch[i], b->scratch[j], 32) == 0)
				*mutated = 1;
			uint8_t pair[64];
			memcpy(pair, b->scratch[i], 32);
			memcpy(pair + 32, b->scratch[j], 32);
			ct__sha256d(h, b->scratch[m++], pair, 64);
		}
		n = m;
	}
	memcpy(out, b->scratch[0], 32);
}

int ct__btc_parse_block(ct_btc_block *b, ct_hasher *h, const uint8_t *data,
                        size_t len, ct_parse_err *err)
{
	ct_rd r;
	int rc;

	b->n_tx = b->n_in = b->n_out = 0;
	b->size = len;
	b->bip34_height = -1;
	if (len > CT_BTC_MAX_BLOCK)
		return fail(err, 0, "block of %zu bytes exceeds the %u-byte cap", len, CT_BTC_MAX_BLOCK);
	if (len < CT_BTC_HEADER + 1)
		return fail(err, 0, "truncated block header (%zu bytes)", len);
	ct_rd_init(&r, data, len);
	b->header = ct_rd_take(&r, CT_BTC_HEADER);
	b->version = ct_le32(b->header);
	b->prev = b->header + 4;
	b->merkle = b->header + 36;
	b->time = ct_le32(b->header + 68);
	b->bits = ct_le32(b->header + 72);
	b->nonce = ct_le32(b->header + 76);
	ct__sha256d(h, b->hash, b->header, CT_BTC_HEADER);

	uint64_t n_tx = ct_rd_varint(&r);
	if (r.fail)
		return fail(err, CT_BTC_HEADER, "truncated transaction count");
	if (n_tx == 0)
		return fail(err, CT_BTC_HEADER, "block has no transactions");
	if (n_tx > ct_rd_left(&r) / MIN_TX)
		return fail(err, CT_BTC_HEADER, "transaction count %llu exceeds the bytes left (%zu)",
		            (unsigned long long)n_tx, ct_rd_left(&r));
	if ((rc = grow((void **)&b->txs, &b->cap_tx, n_tx, sizeof(ct_btc_tx))))
		return rc;
	if (b->cap_scratch < b->cap_tx) {
		void *s = ct__realloc(b->scratch, b->cap_tx * 32);
		if (!s)
			return CT_ENOMEM;
		b->scratch = s;
		b->cap_scratch = b->cap_tx;
	}
	for (uint64_t i = 0; i < n_tx; i++) {
		if ((rc = parse_tx(b, h, &r, err)))
			return rc;
		ct_btc_tx *tx = &b->txs[b->n_tx];
		int cb = tx->n_in == 1 && is_null_prevout(&b->ins[tx->first_in]);
		if (i == 0 && !cb)
			return fail(err, tx->offset, "first transaction is not a coinbase");
		if (i > 0) {
			for (uint32_t k = 0; k < tx->n_in; k++)
				if (is_null_prevout(&b->ins[tx->first_in + k]))
					return fail(err, tx->offset, "coinbase-style input in transaction %llu",
					            (unsigned long long)i);
		}
		b->n_tx++;
	}
	if (ct_rd_left(&r) != 0)
		return fail(err, ct_rd_off(&r), "%zu trailing bytes after the last transaction",
		            ct_rd_left(&r));
	uint8_t root[32];
	int mutated;
	merkle_root(b, h, root, &mutated);
	if (memcmp(root, b->merkle, 32) != 0)
		return fail(err, 36, "merkle root mismatch (a transaction is corrupt)");
	if (mutated)
		return fail(err, 36, "mutated merkle tree (duplicate transactions, CVE-2012-2459)");
	if (b->version >= 2)
		b->bip34_height = bip34_height(&b->ins[0]);
	return 0;
}
