/*
 * ethrpc.c - the Ethereum JSON-RPC client: HTTP POST of (batched) requests
 * through libcurl, answers decoded with jansson, and the exact parsers of
 * blocks, receipts and ERC-20 Transfer logs into the structs of ethrpc.h.
 */
#include "chain/account/acctstore.h"
#include "chain/account/ethrpc.h"
#include "util/encode.h"
#include "util/error.h"

#include <curl/curl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An answer bigger than this is refused (a block of 30M gas with full txs
 * is a few MB; a batch of 50 of them with receipts stays far below). */
#define CT_ETH_MAX_RESPONSE (512u << 20)
/* Receipts asked for in one HTTP request. */
#define CT_ETH_RECEIPTS_PER_REQ 1000

void ct__eth_block_free(ct_eth_block *b)
{
	if (!b)
		return;
	free(b->txs);
	free(b->logs);
	b->txs = NULL;
	b->logs = NULL;
	b->ntx = b->nlogs = 0;
}

/* ---- quantities and data ------------------------------------------------- */

int ct__eth_qty256(const char *s, ct_u256 *out, const char **why)
{
	memset(out, 0, sizeof(*out));
	if (!s || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) {
		*why = "not a hex quantity (no 0x)";
		return -1;
	}
	s += 2;
	if (!*s) {
		*why = "empty hex quantity";
		return -1;
	}
	while (*s == '0' && s[1])
		s++;
	size_t n = strlen(s);
	if (n > 64) {
		*why = "quantity exceeds 256 bits";
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		int v = ct__hexval[(unsigned char)s[i]];
		if (v < 0) {
			*why = "bad hex digit in quantity";
			return -1;
		}
		size_t bit = (n - 1 - i) * 4;
		out->w[bit / 64] |= (uint64_t)v << (bit % 64);
	}
	return 0;
}

int ct__eth_qty64(const char *s, uint64_t *out, const char **why)
{
	ct_u256 v;
	if (ct__eth_qty256(s, &v, why))
		return -1;
	if (v.w[1] || v.w[2] || v.w[3]) {
		*why = "quantity exceeds 64 bits";
		return -1;
	}
	*out = v.w[0];
	return 0;
}

int ct__eth_u256_mul64(ct_u256 *r, const ct_u256 *a, uint64_t b)
{
	unsigned __int128 carry = 0;
	ct_u256 t;
	for (int i = 0; i < 4; i++) {
		unsigned __int128 p = (unsigned __int128)a->w[i] * b + carry;
		t.w[i] = (uint64_t)p;
		carry = p >> 64;
	}
	if (carry)
		return -1;
	*r = t;
	return 0;
}

/* Exactly `len` bytes of 0x-prefixed hex. */
static int unhex_data(uint8_t *out, const char *s, size_t len)
{
	if (!s || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || strlen(s + 2) != 2 * len)
		return -1;
	return ct__unhex(out, s + 2, len);
}

/* ---- field access with messages ----------------------------------------- */

static int field_str(const json_t *o, const char *key, const char **s, const char *what,
                     const char *where)
{
	const json_t *v = json_object_get(o, key);
	if (!v)
		return ct__err(CT_EDATA, "%s: %s: missing \"%s\"", what, where, key);
	if (!json_is_string(v))
		return ct__err(CT_EDATA, "%s: %s: \"%s\" is not a string", what, where, key);
	*s = json_string_value(v);
	return 0;
}

static int field_hash(const json_t *o, const char *key, uint8_t out[32], const char *what,
                      const char *where)
{
	const char *s;
	int rc = field_str(o, key, &s, what, where);
	if (rc)
		return rc;
	if (unhex_data(out, s, 32))
		return ct__err(CT_EDATA, "%s: %s: \"%s\" is not a 32-byte hex hash", what, where, key);
	return 0;
}

/* An address, or (nullable) JSON null / absent: *present = 0. */
static int field_addr(const json_t *o, const char *key, uint8_t out[20], int nullable,
                      int *present, const char *what, const char *where)
{
	const json_t *v = json_object_get(o, key);
	if (present)
		*present = 0;
	if (nullable && (!v || json_is_null(v)))
		return 0;
	const char *s;
	int rc = field_str(o, key, &s, what, where);
	if (rc)
		return rc;
	if (unhex_data(out, s, 20))
		return ct__err(CT_EDATA, "%s: %s: \"%s\" is not a 20-byte hex address", what, where,
		               key);
	if (present)
		*present = 1;
	return 0;
}

/* A hex quantity field: into *o256 (up to 256 bits) or, when o256 is
 * NULL, into *o64. */
static int field_qty(const json_t *o, const char *key, ct_u256 *o256, uint64_t *o64,
                     const char *what, const char *where)
{
	const char *s, *why;
	int rc = field_str(o, key, &s, what, where);
	if (rc)
		return rc;
	if (o256 ? ct__eth_qty256(s, o256, &why) : ct__eth_qty64(s, o64, &why))
		return ct__err(CT_EDATA, "%s: %s: \"%s\": %s", what, where, key, why);
	return 0;
}

static int field_q256(const json_t *o, const char *key, ct_u256 *out, const char *what,
                      const char *where)
{
	return field_qty(o, key, out, NULL, what, where);
}

static int field_q64(const json_t *o, const char *key, uint64_t *out, const char *what,
                     const char *where)
{
	return field_qty(o, key, NULL, out, what, where);
}

/* ---- blocks, receipts, logs ---------------------------------------------- */

int ct__eth_parse_block(const json_t *j, ct_eth_block *b, const char *what)
{
	int rc;
	uint64_t t;
	memset(b, 0, sizeof(*b));
	if (!json_is_object(j))
		return ct__err(CT_EDATA, "%s: the block is not an object", what);
	if ((rc = field_q64(j, "number", &b->number, what, "block")) ||
	    (rc = field_hash(j, "hash", b->hash, what, "block")) ||
	    (rc = field_hash(j, "parentHash", b->parent, what, "block")) ||
	    (rc = field_q64(j, "timestamp", &t, what, "block")))
		return rc;
	if (t > (uint64_t)INT64_MAX)
		return ct__err(CT_EDATA, "%s: block: timestamp out of range", what);
	b->time = (int64_t)t;
	const json_t *txs = json_object_get(j, "transactions");
	if (!json_is_array(txs))
		return ct__err(CT_EDATA, "%s: block: \"transactions\" is missing or not an array", what);
	size_t n = json_array_size(txs);
	if (n) {
		b->txs = ct__calloc(n, sizeof(*b->txs));
		if (!b->txs)
			return CT_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		const json_t *x = json_array_get(txs, i);
		ct_eth_tx *tx = &b->txs[i];
		char where[48];
		snprintf(where, sizeof(where), "transactions[%zu]", i);
		if (!json_is_object(x)) {
			ct__eth_block_free(b);
			return ct__err(CT_EDATA, "%s: %s is not an object (hashes only? full txs needed)",
			               what, where);
		}
		const json_t *gp = json_object_get(x, "gasPrice");
		if ((rc = field_hash(x, "hash", tx->hash, what, where)) ||
		    (rc = field_addr(x, "from", tx->from, 0, NULL, what, where)) ||
		    (rc = field_addr(x, "to", tx->to, 1, &tx->has_to, what, where)) ||
		    (rc = field_q256(x, "value", &tx->value, what, where)) ||
		    (gp && !json_is_null(gp) &&
		     (rc = field_q256(x, "gasPrice", &tx->gas_price, what, where)))) {
			ct__eth_block_free(b);
			return rc;
		}
		tx->has_gas_price = gp && !json_is_null(gp);
		/* a tx that names its block must name this one */
		const json_t *bh = json_object_get(x, "blockHash");
		uint8_t h[32];
		if (bh && !json_is_null(bh) &&
		    (!json_is_string(bh) || unhex_data(h, json_string_value(bh), 32) ||
		     memcmp(h, b->hash, 32))) {
			ct__eth_block_free(b);
			return ct__err(CT_EDATA, "%s: %s: blockHash is not the block's hash", what, where);
		}
	}
	b->ntx = n;
	return 0;
}

int ct__eth_parse_receipt(const json_t *j, const ct_eth_block *b, ct_eth_tx *t, const char *what)
{
	int rc;
	uint8_t h[32], bh[32];
	uint64_t gas_used;
	ct_u256 price;
	if (json_is_null(j))
		return ct__err(CT_EDATA, "%s: no receipt for a tx of block %" PRIu64, what, b->number);
	if (!json_is_object(j))
		return ct__err(CT_EDATA, "%s: the receipt is not an object", what);
	if ((rc = field_hash(j, "transactionHash", h, what, "receipt")) ||
	    (rc = field_hash(j, "blockHash", bh, what, "receipt")) ||
	    (rc = field_q64(j, "gasUsed", &gas_used, what, "receipt")))
		return rc;
	if (memcmp(h, t->hash, 32))
		return ct__err(CT_EDATA, "%s: receipt: transactionHash is not the tx asked for", what);
	if (memcmp(bh, b->hash, 32))
		return 1; /* mined in another block now: the chain changed */
	const json_t *st = json_object_get(j, "status");
	if (st && !json_is_null(st)) {
		uint64_t s;
		if ((rc = field_q64(j, "status", &s, what, "receipt")))
			return rc;
		if (s > 1)
			return ct__err(CT_EDATA, "%s: receipt: status %" PRIu64 " is neither 0 nor 1", what,
			               s);
		t->failed = s == 0;
	} else {
		t->failed = 0; /* before Byzantium: a state root, no status */
	}
	const json_t *eg = json_object_get(j, "effectiveGasPrice");
	if (eg && !json_is_null(eg)) {
		if ((rc = field_q256(j, "effectiveGasPrice", &price, what, "receipt")))
			return rc;
	} else if (t->has_gas_price) {
		price = t->gas_price;
	} else {
		return ct__err(CT_EDATA, "%s: receipt: no effectiveGasPrice and the tx has no gasPrice",
		               what);
	}
	if (ct__eth_u256_mul64(&t->fee, &price, gas_used))
		return ct__err(CT_EDATA, "%s: receipt: gasUsed x effectiveGasPrice exceeds 256 bits", what);
	if (!t->has_to) {
		int has = 0;
		if ((rc = field_addr(j, "contractAddress", t->to, 1, &has, what, "receipt")))
			return rc;
		t->has_to = has;
	}
	return 0;
}

int ct__eth_parse_log(const json_t *j, ct_eth_log *l, const char **why, const char *what)
{
	int rc;
	char where[64];
	memset(l, 0, sizeof(*l));
	*why = NULL;
	if (!json_is_object(j))
		return ct__err(CT_EDATA, "%s: a log is not an object", what);
	if ((rc = field_q64(j, "logIndex", &l->index, what, "log")))
		return rc;
	snprintf(where, sizeof(where), "log %" PRIu64, l->index);
	if ((rc = field_q64(j, "blockNumber", &l->block, what, where)) ||
	    (rc = field_hash(j, "blockHash", l->block_hash, what, where)) ||
	    (rc = field_hash(j, "transactionHash", l->tx, what, where)) ||
	    (rc = field_addr(j, "address", l->contract, 0, NULL, what, where)))
		return rc;
	const json_t *topics = json_object_get(j, "topics");
	const json_t *data = json_object_get(j, "data");
	if (!json_is_array(topics))
		return ct__err(CT_EDATA, "%s: %s: \"topics\" is missing or not an array", what, where);
	if (!json_is_string(data))
		return ct__err(CT_EDATA, "%s: %s: \"data\" is missing or not a string", what, where);
	uint8_t tp[4][32];
	size_t nt = json_array_size(topics);
	for (size_t i = 0; i < nt && i < 4; i++) {
		const json_t *t = json_array_get(topics, i);
		if (!json_is_string(t) || unhex_data(tp[i], json_string_value(t), 32))
			return ct__err(CT_EDATA, "%s: %s: topic %zu is not 32 bytes of hex", what, where, i);
	}
	const char *ds = json_string_value(data);
	if (ds[0] != '0' || (ds[1] != 'x' && ds[1] != 'X'))
		return ct__err(CT_EDATA, "%s: %s: \"data\" is not hex", what, where);
	size_t dl = strlen(ds + 2);
	const json_t *rm = json_object_get(j, "removed");
	if (json_is_true(rm)) {
		*why = "removed by a reorg";
		return 1;
	}
	uint8_t want[32];
	ct__unhex(want, &CT_ETH_TRANSFER_TOPIC[2], 32);
	if (nt == 0 || memcmp(tp[0], want, 32)) {
		*why = "not the Transfer topic";
		return 1;
	}
	if (nt != 3) {
		*why = nt == 4 ? "4 topics (an ERC-721 Transfer)" : "not 3 topics (not an ERC-20 Transfer)";
		return 1;
	}
	if (dl != 64) {
		*why = "data is not one 32-byte amount";
		return 1;
	}
	static const uint8_t zero[12];
	if (memcmp(tp[1], zero, 12) || memcmp(tp[2], zero, 12)) {
		*why = "an address topic has non-zero upper bytes";
		return 1;
	}
	memcpy(l->from, tp[1] + 12, 20);
	memcpy(l->to, tp[2] + 12, 20);
	uint8_t amt[32], le[32];
	if (ct__unhex(amt, ds + 2, 32))
		return ct__err(CT_EDATA, "%s: %s: \"data\" is not hex", what, where);
	for (int i = 0; i < 32; i++)
		le[i] = amt[31 - i];
	ct__u256_from_le(&l->amount, le);
	return 0;
}

/* ---- transport ------------------------------------------------------------ */

struct ct_ethrpc {
	CURL *curl;
	char *url;
	struct curl_slist *hdr;
	char *body; /* the answer being received */
	size_t len, cap;
	int too_big;
	uint64_t bytes, requests;
	uint64_t next_id;
	int block_receipts; /* eth_getBlockReceipts: -1 untried, 0 not served, 1 served */
};

static size_t on_data(char *p, size_t size, size_t nmemb, void *ud)
{
	ct_ethrpc *c = ud;
	size_t n = size * nmemb;
	if (c->len + n + 1 > CT_ETH_MAX_RESPONSE) {
		c->too_big = 1;
		return 0;
	}
	if (c->len + n + 1 > c->cap) {
		size_t cap = c->cap ? c->cap : 1 << 16;
		while (cap < c->len + n + 1)
			cap *= 2;
		char *b = realloc(c->body, cap);
		if (!b)
			return 0;
		c->body = b;
		c->cap = cap;
	}
	memcpy(c->body + c->len, p, n);
	c->len += n;
	c->body[c->len] = 0;
	return n;
}

int ct__ethrpc_open(ct_ethrpc **out, const char *url)
{
	static int global_done;
	*out = NULL;
	if (!url || (strncmp(url, "http://", 7) && strncmp(url, "https://", 8)))
		return ct__err(CT_EUSER, "--rpc needs an http:// or https:// URL, not '%s'",
		               url ? url : "");
	if (!global_done) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT))
			return ct__err(CT_EINTERNAL, "libcurl failed to initialise");
		global_done = 1;
	}
	ct_ethrpc *c = ct__calloc(1, sizeof(*c));
	if (!c)
		return CT_ENOMEM;
	c->block_receipts = -1;
	c->url = ct__strdup(url);
	c->curl = curl_easy_init();
	c->hdr = curl_slist_append(NULL, "Content-Type: application/json");
	if (!c->url || !c->curl || !c->hdr) {
		ct__ethrpc_close(c);
		return ct__err(CT_ENOMEM, "out of memory setting up the RPC client");
	}
	curl_easy_setopt(c->curl, CURLOPT_URL, c->url);
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, c->hdr);
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT, 300L);
	curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c->curl, CURLOPT_ACCEPT_ENCODING, "");
	*out = c;
	return 0;
}

void ct__ethrpc_close(ct_ethrpc *c)
{
	if (!c)
		return;
	if (c->curl)
		curl_easy_cleanup(c->curl);
	curl_slist_free_all(c->hdr);
	free(c->url);
	free(c->body);
	free(c);
}

uint64_t ct__ethrpc_bytes(const ct_ethrpc *c) { return c->bytes; }
uint64_t ct__ethrpc_requests(const ct_ethrpc *c) { return c->requests; }

/* POST `req` (one request or a batch array); *resp is the decoded answer. */
static int post(ct_ethrpc *c, json_t *req, json_t **resp, const char *what)
{
	char *body = json_dumps(req, JSON_COMPACT);
	*resp = NULL;
	if (!body)
		return ct__err(CT_ENOMEM, "%s: cannot encode the request", what);
	c->len = 0;
	c->too_big = 0;
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body);
	CURLcode cc = curl_easy_perform(c->curl);
	free(body);
	c->requests++;
	c->bytes += c->len;
	if (c->too_big)
		return ct__err(CT_EDATA, "%s: the answer exceeds %u MB", what, CT_ETH_MAX_RESPONSE >> 20);
	if (cc != CURLE_OK)
		return ct__err(CT_EIO, "%s: %s: %s", what, c->url, curl_easy_strerror(cc));
	long code = 0;
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &code);
	if (code != 200)
		return ct__err(CT_EIO, "%s: %s: HTTP status %ld", what, c->url, code);
	json_error_t je;
	*resp = json_loadb(c->body ? c->body : "", c->len, 0, &je);
	if (!*resp)
		return ct__err(CT_EDATA, "%s: the answer is not JSON (offset %d: %s)", what, je.position,
		               je.text);
	return 0;
}

static json_t *request(ct_ethrpc *c, const char *method, json_t *params)
{
	return json_pack("{s:s,s:I,s:s,s:o}", "jsonrpc", "2.0", "id", (json_int_t)++c->next_id,
	                 "method", method, "params", params);
}

/* The result of one answer object (borrowed), or CT_EDATA/CT_EUSER. */
static int result_of(const json_t *a, const json_t **res, const char *what)
{
	if (!json_is_object(a))
		return ct__err(CT_EDATA, "%s: the answer is not a JSON-RPC object", what);
	const json_t *e = json_object_get(a, "error");
	if (e && !json_is_null(e)) {
		const json_t *m = json_object_get(e, "message");
		const json_t *code = json_object_get(e, "code");
		return ct__err(CT_EDATA, "%s: the node answered error %lld: %s", what,
		               json_is_integer(code) ? (long long)json_integer_value(code) : 0LL,
		               json_is_string(m) ? json_string_value(m) : "(no message)");
	}
	*res = json_object_get(a, "result");
	if (!*res)
		return ct__err(CT_EDATA, "%s: the answer has neither result nor error", what);
	return 0;
}

/* Send a batch of k requests (ids first_id..first_id+k-1); out[i] gets
 * the borrowed answer object of request i (answers may come in any
 * order). *resp owns them. */
static int post_batch(ct_ethrpc *c, json_t *batch, uint64_t first_id, size_t k,
                      const json_t **out, json_t **resp, const char *what)
{
	int rc = post(c, batch, resp, what);
	if (rc)
		return rc;
	if (!json_is_array(*resp)) {
		/* a node that refuses batches answers one error object */
		const json_t *r;
		rc = result_of(*resp, &r, what);
		return rc ? rc : ct__err(CT_EDATA, "%s: a batch answered by a single object", what);
	}
	memset(out, 0, k * sizeof(*out));
	size_t i;
	json_t *a;
	json_array_foreach(*resp, i, a)
	{
		const json_t *id = json_object_get(a, "id");
		if (!json_is_integer(id))
			return ct__err(CT_EDATA, "%s: a batch answer has no integer id", what);
		json_int_t v = json_integer_value(id);
		if (v < (json_int_t)first_id || (uint64_t)v - first_id >= k || out[v - first_id])
			return ct__err(CT_EDATA, "%s: a batch answer has an unexpected id %lld", what,
			               (long long)v);
		out[v - first_id] = a;
	}
	for (i = 0; i < k; i++)
		if (!out[i])
			return ct__err(CT_EDATA, "%s: the batch answer lacks request %zu", what, i);
	return 0;
}

int ct__ethrpc_block_number(ct_ethrpc *c, uint64_t *out)
{
	const char *what = "eth_blockNumber";
	json_t *req = request(c, "eth_blockNumber", json_array()), *resp;
	if (!req)
		return ct__err(CT_ENOMEM, "%s: out of memory", what);
	int rc = post(c, req, &resp, what);
	json_decref(req);
	if (rc)
		return rc;
	const json_t *r;
	const char *why;
	if (!(rc = result_of(resp, &r, what))) {
		if (!json_is_string(r))
			rc = ct__err(CT_EDATA, "%s: the result is not a string", what);
		else if (ct__eth_qty64(json_string_value(r), out, &why))
			rc = ct__err(CT_EDATA, "%s: %s", what, why);
	}
	json_decref(resp);
	return rc;
}

static json_t *qty(uint64_t v)
{
	char s[24];
	snprintf(s, sizeof(s), "0x%" PRIx64, v);
	return json_string(s);
}

int ct__ethrpc_block_hashes(ct_ethrpc *c, uint64_t from, size_t n, uint8_t (*hashes)[32],
                            int *present)
{
	char what[96];
	snprintf(what, sizeof(what), "eth_getBlockByNumber(0x%" PRIx64 "..+%zu, false)", from, n);
	json_t *batch = json_array(), *resp = NULL;
	const json_t **ans = ct__calloc(n ? n : 1, sizeof(*ans));
	uint64_t first = c->next_id + 1;
	int rc = 0;
	if (!batch || !ans) {
		json_decref(batch);
		free(ans);
		return CT_ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		json_array_append_new(batch, request(c, "eth_getBlockByNumber",
		                                     json_pack("[o,b]", qty(from + i), 0)));
	rc = post_batch(c, batch, first, n, ans, &resp, what);
	for (size_t i = 0; !rc && i < n; i++) {
		const json_t *r;
		char w2[96];
		snprintf(w2, sizeof(w2), "eth_getBlockByNumber(0x%" PRIx64 ", false)", from + i);
		if ((rc = result_of(ans[i], &r, w2)))
			break;
		present[i] = !json_is_null(r);
		if (present[i]) {
			uint64_t num;
			if (!json_is_object(r)) {
				rc = ct__err(CT_EDATA, "%s: the block is not an object", w2);
				break;
			}
			if ((rc = field_hash(r, "hash", hashes[i], w2, "block")) ||
			    (rc = field_q64(r, "number", &num, w2, "block")))
				break;
			if (num != from + i)
				rc = ct__err(CT_EDATA, "%s: the node answered block %" PRIu64, w2, num);
		}
	}
	json_decref(batch);
	json_decref(resp);
	free(ans);
	return rc;
}

/* The receipts of blocks bs[0..nb) by eth_getBlockReceipts, one request
 * per block in one batch. Returns 0, 1 (the chain changed), 2 (the node
 * does not serve the method: asked the first time only) or CT_E*. */
static int block_receipts(ct_ethrpc *c, ct_eth_block *bs, size_t nb, ct_eth_fetch_stats *st)
{
	char what[96];
	json_t *batch = json_array(), *resp = NULL;
	const json_t **ans = ct__calloc(nb ? nb : 1, sizeof(*ans));
	uint64_t first = c->next_id + 1;
	int rc = 0;
	if (!batch || !ans) {
		json_decref(batch);
		free(ans);
		return CT_ENOMEM;
	}
	for (size_t i = 0; i < nb; i++)
		json_array_append_new(batch,
		                      request(c, "eth_getBlockReceipts", json_pack("[o]", qty(bs[i].number))));
	snprintf(what, sizeof(what), "eth_getBlockReceipts(0x%" PRIx64 "..0x%" PRIx64 ")", bs[0].number,
	         bs[nb - 1].number);
	rc = post_batch(c, batch, first, nb, ans, &resp, what);
	st->requests++;
	for (size_t i = 0; !rc && i < nb; i++) {
		const json_t *e = json_object_get(ans[i], "error"), *r;
		snprintf(what, sizeof(what), "eth_getBlockReceipts(0x%" PRIx64 ")", bs[i].number);
		if (e && !json_is_null(e) && c->block_receipts == -1) {
			rc = 2;
			break;
		}
		if ((rc = result_of(ans[i], &r, what)))
			break;
		if (json_is_null(r)) {
			rc = 1; /* the block is gone */
			break;
		}
		if (!json_is_array(r)) {
			rc = ct__err(CT_EDATA, "%s: the result is not an array", what);
			break;
		}
		if (json_array_size(r) != bs[i].ntx) {
			rc = ct__err(CT_EDATA, "%s: %zu receipts for %zu txs", what, json_array_size(r),
			             bs[i].ntx);
			break;
		}
		for (size_t j = 0; !rc && j < bs[i].ntx; j++)
			rc = ct__eth_parse_receipt(json_array_get(r, j), &bs[i], &bs[i].txs[j], what);
	}
	json_decref(batch);
	json_decref(resp);
	free(ans);
	return rc;
}

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

int ct__eth_abi_decimals(const char *hex)
{
	uint8_t w[32];
	if (!hex || unhex_data(w, hex, 32))
		return -1;
	for (int i = 0; i < 31; i++)
		if (w[i])
			return -1;
	return w[31] <= 77 ? w[31] : -1;
}

/* Length of the valid UTF-8 character at p (n bytes left), or 0. */
static size_t utf8_char(const uint8_t *p, size_t n)
{
	size_t len = p[0] < 0x80 ? 1 : (p[0] & 0xe0) == 0xc0 ? 2 : (p[0] & 0xf0) == 0xe0 ? 3
	             : (p[0] & 0xf8) == 0xf0 ? 4 : 0;
	if (!len || len > n || (len == 2 && p[0] < 0xc2))
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

void ct__eth_abi_symbol(const char *hex, char out[32])
{
	uint8_t buf[4096];
	size_t n, len = 0, off = 0, o = 0;
	out[0] = 0;
	if (!hex || hex[0] != '0' || (hex[1] != 'x' && hex[1] != 'X'))
		return;
	n = strlen(hex + 2);
	if (n % 2 || n / 2 > sizeof(buf) || n < 64 || ct__unhex(buf, hex + 2, n / 2))
		return;
	n /= 2;
	if (n == 32) { /* bytes32 (old tokens): up to the first NUL */
		while (len < 32 && buf[len])
			len++;
	} else { /* string: offset, length, bytes */
		for (int i = 0; i < 24; i++)
			if (buf[i])
				return;
		uint64_t of = be64(buf + 24);
		if (of > n - 32 || of % 32)
			return;
		for (int i = 0; i < 24; i++)
			if (buf[of + i])
				return;
		uint64_t l = be64(buf + of + 24);
		if (l > n - of - 32)
			return;
		off = of + 32;
		len = l;
	}
	/* printable ASCII and valid UTF-8 only, whole characters, 31 bytes */
	for (size_t i = 0; i < len;) {
		size_t k = utf8_char(buf + off + i, len - i);
		if (!k || (k == 1 && (buf[off + i] < 0x20 || buf[off + i] == 0x7f)))
			break;
		if (o + k > 31)
			break;
		memcpy(out + o, buf + off + i, k);
		o += k;
		i += k;
	}
	out[o] = 0;
}

int ct__ethrpc_token_info(ct_ethrpc *c, const uint8_t (*contracts)[20], size_t n, int *decimals,
                          char (*symbols)[32])
{
	static const char *const sel[2] = {"0x313ce567", "0x95d89b41"}; /* decimals(), symbol() */
	json_t *batch = json_array(), *resp = NULL;
	const json_t **ans = ct__calloc(2 * n + 1, sizeof(*ans));
	uint64_t first = c->next_id + 1;
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		decimals[i] = -1;
		symbols[i][0] = 0;
	}
	if (!batch || !ans) {
		json_decref(batch);
		free(ans);
		return CT_ENOMEM;
	}
	if (!n)
		goto out;
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < 2; k++) {
			char to[43] = "0x";
			ct__hex(to + 2, contracts[i], 20);
			json_array_append_new(batch,
			                      request(c, "eth_call",
			                              json_pack("[{s:s,s:s},s]", "to", to, "data", sel[k],
			                                        "latest")));
		}
	if ((rc = post_batch(c, batch, first, 2 * n, ans, &resp, "eth_call(decimals(), symbol())")))
		goto out;
	for (size_t i = 0; i < n; i++) {
		const json_t *d = json_object_get(ans[2 * i], "result");
		const json_t *y = json_object_get(ans[2 * i + 1], "result");
		if (json_is_string(d))
			decimals[i] = ct__eth_abi_decimals(json_string_value(d));
		if (json_is_string(y))
			ct__eth_abi_symbol(json_string_value(y), symbols[i]);
	}
out:
	json_decref(batch);
	json_decref(resp);
	free(ans);
	return rc;
}

static int cmp_log(const void *a, const void *b)
{
	const ct_eth_log *x = a, *y = b;
	if (x->block != y->block)
		return x->block < y->block ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static void free_blocks(ct_eth_block *bs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ct__eth_block_free(&bs[i]);
	free(bs);
}

int ct__ethrpc_fetch(ct_ethrpc *c, uint64_t from, uint64_t to, ct_eth_block **blocks,
                     size_t *nout, ct_eth_fetch_stats *st,
                     void (*warn)(const char *msg, void *payload), void *payload)
{
	size_t n = (size_t)(to - from + 1), nb = 0;
	char what[128];
	int rc = 0;
	*blocks = NULL;
	*nout = 0;
	ct_eth_block *bs = ct__calloc(n, sizeof(*bs));
	const json_t **ans = ct__calloc(n + 1, sizeof(*ans));
	json_t *batch = json_array(), *resp = NULL, *filter;
	ct_eth_log *logs = NULL;
	size_t nlogs = 0;
	if (!bs || !ans || !batch) {
		rc = CT_ENOMEM;
		goto out;
	}
	/* 1. the blocks with full txs, and the range's Transfer logs */
	uint64_t first = c->next_id + 1;
	for (size_t i = 0; i < n; i++)
		json_array_append_new(batch, request(c, "eth_getBlockByNumber",
		                                     json_pack("[o,b]", qty(from + i), 1)));
	filter = json_pack("{s:o,s:o,s:[s]}", "fromBlock", qty(from), "toBlock", qty(to), "topics",
	                   CT_ETH_TRANSFER_TOPIC);
	json_array_append_new(batch, request(c, "eth_getLogs", json_pack("[o]", filter)));
	snprintf(what, sizeof(what), "eth_getBlockByNumber(0x%" PRIx64 "..0x%" PRIx64 ", true)", from,
	         to);
	if ((rc = post_batch(c, batch, first, n + 1, ans, &resp, what)))
		goto out;
	st->requests++;
	for (size_t i = 0; i < n; i++) {
		const json_t *r;
		snprintf(what, sizeof(what), "eth_getBlockByNumber(0x%" PRIx64 ", true)", from + i);
		if ((rc = result_of(ans[i], &r, what)))
			goto out;
		if (json_is_null(r))
			break; /* the node's chain ends here */
		if ((rc = ct__eth_parse_block(r, &bs[nb], what)))
			goto out;
		nb++;
		if (bs[nb - 1].number != from + i) {
			rc = ct__err(CT_EDATA, "%s: the node answered block %" PRIu64, what,
			             bs[nb - 1].number);
			goto out;
		}
		if (nb > 1 && memcmp(bs[nb - 1].parent, bs[nb - 2].hash, 32)) {
			rc = 1; /* the chain changed between two answers */
			goto out;
		}
	}
	{
		const json_t *r;
		snprintf(what, sizeof(what), "eth_getLogs(0x%" PRIx64 "..0x%" PRIx64 ")", from, to);
		if ((rc = result_of(ans[n], &r, what))) {
			/* providers cap the range or the result count of eth_getLogs:
			 * a refused range of several blocks is for the caller to split */
			const json_t *e = json_is_object(ans[n]) ? json_object_get(ans[n], "error") : NULL;
			if (e && !json_is_null(e) && n > 1)
				rc = 2;
			goto out;
		}
		if (!json_is_array(r)) {
			rc = ct__err(CT_EDATA, "%s: the result is not an array", what);
			goto out;
		}
		size_t k = json_array_size(r);
		logs = ct__calloc(k ? k : 1, sizeof(*logs));
		if (!logs) {
			rc = CT_ENOMEM;
			goto out;
		}
		for (size_t i = 0; i < k; i++) {
			const char *why;
			int lr = ct__eth_parse_log(json_array_get(r, i), &logs[nlogs], &why, what);
			if (lr < 0) {
				rc = lr;
				goto out;
			}
			if (lr == 1) {
				char m[256];
				char tx[65];
				ct__hex(tx, logs[nlogs].tx, 32);
				snprintf(m, sizeof(m), "block %" PRIu64 ", tx 0x%s, log %" PRIu64 ": skipped: %s",
				         logs[nlogs].block, tx, logs[nlogs].index, why);
				st->logs_skipped++;
				if (warn)
					warn(m, payload);
				continue;
			}
			if (logs[nlogs].block < from || logs[nlogs].block > to) {
				rc = ct__err(CT_EDATA, "%s: a log of block %" PRIu64 " is outside the range",
				             what, logs[nlogs].block);
				goto out;
			}
			nlogs++;
		}
	}
	json_decref(resp);
	resp = NULL;
	json_decref(batch);
	batch = NULL;
	/* logs to their blocks (a log of a block past the chain's end, or with
	 * another hash, means the chain changed between the calls) */
	qsort(logs, nlogs, sizeof(*logs), cmp_log);
	for (size_t i = 0, j = 0; i < nb; i++) {
		size_t s = j;
		while (j < nlogs && logs[j].block == bs[i].number) {
			if (memcmp(logs[j].block_hash, bs[i].hash, 32)) {
				rc = 1;
				goto out;
			}
			if (j > s && logs[j].index == logs[j - 1].index) {
				rc = ct__err(CT_EDATA, "eth_getLogs: block %" PRIu64 ": log %" PRIu64 " twice",
				             bs[i].number, logs[j].index);
				goto out;
			}
			j++;
		}
		if (j > s) {
			bs[i].logs = ct__malloc((j - s) * sizeof(*logs));
			if (!bs[i].logs) {
				rc = CT_ENOMEM;
				goto out;
			}
			memcpy(bs[i].logs, logs + s, (j - s) * sizeof(*logs));
			bs[i].nlogs = j - s;
		}
		if (i + 1 == nb && j < nlogs) {
			rc = 1;
			goto out;
		}
	}
	/* every log's tx must be a tx of its block */
	for (size_t i = 0; i < nb; i++)
		for (size_t k = 0; k < bs[i].nlogs; k++) {
			size_t t = 0;
			while (t < bs[i].ntx && memcmp(bs[i].txs[t].hash, bs[i].logs[k].tx, 32))
				t++;
			if (t == bs[i].ntx) {
				rc = ct__err(CT_EDATA,
				             "eth_getLogs: block %" PRIu64 ": log %" PRIu64
				             " names a tx that is not in the block",
				             bs[i].number, bs[i].logs[k].index);
				goto out;
			}
		}
	/* 2. receipts: one request per block where the node serves
	 * eth_getBlockReceipts, else one per tx, in batches */
	if (c->block_receipts != 0 && nb > 0) {
		rc = block_receipts(c, bs, nb, st);
		if (rc == 2) {
			c->block_receipts = 0;
			rc = 0;
		} else {
			if (rc)
				goto out;
			c->block_receipts = 1;
			goto done;
		}
	}
	{
		size_t total = 0;
		for (size_t i = 0; i < nb; i++)
			total += bs[i].ntx;
		size_t bi = 0, ti = 0; /* next tx to ask for */
		while (total) {
			size_t k = total < CT_ETH_RECEIPTS_PER_REQ ? total : CT_ETH_RECEIPTS_PER_REQ;
			ct_eth_tx **tx = ct__calloc(k, sizeof(*tx));
			ct_eth_block **blk = ct__calloc(k, sizeof(*blk));
			const json_t **ra = ct__calloc(k, sizeof(*ra));
			batch = json_array();
			if (!tx || !blk || !ra || !batch) {
				free(tx);
				free(blk);
				free(ra);
				rc = CT_ENOMEM;
				goto out;
			}
			first = c->next_id + 1;
			for (size_t q = 0; q < k; q++) {
				while (ti == bs[bi].ntx) {
					bi++;
					ti = 0;
				}
				blk[q] = &bs[bi];
				tx[q] = &bs[bi].txs[ti++];
				char h[67] = "0x";
				ct__hex(h + 2, tx[q]->hash, 32);
				json_array_append_new(batch, request(c, "eth_getTransactionReceipt",
				                                     json_pack("[s]", h)));
			}
			snprintf(what, sizeof(what), "eth_getTransactionReceipt(block 0x%" PRIx64 "..)",
			         blk[0]->number);
			rc = post_batch(c, batch, first, k, ra, &resp, what);
			st->requests++;
			for (size_t q = 0; !rc && q < k; q++) {
				const json_t *r;
				char h[65];
				ct__hex(h, tx[q]->hash, 32);
				snprintf(what, sizeof(what), "eth_getTransactionReceipt(0x%s) in block %" PRIu64,
				         h, blk[q]->number);
				if ((rc = result_of(ra[q], &r, what)))
					break;
				rc = ct__eth_parse_receipt(r, blk[q], tx[q], what);
			}
			free(tx);
			free(blk);
			free(ra);
			json_decref(batch);
			batch = NULL;
			json_decref(resp);
			resp = NULL;
			if (rc)
				goto out;
			total -= k;
		}
	}
done:
	*blocks = bs;
	*nout = nb;
	bs = NULL;
out:
	if (bs)
		free_blocks(bs, n);
	free(ans);
	free(logs);
	json_decref(batch);
	json_decref(resp);
	return rc;
}
