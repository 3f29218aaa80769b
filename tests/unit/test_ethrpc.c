/*
 * test_ethrpc.c - the Ethereum JSON-RPC parsers without a node: exact hex
 * quantities at the 64- and 256-bit edges, fee multiplication overflow,
 * ERC-20 Transfer logs (a 256-bit amount, and each shape that is skipped
 * rather than stored), receipts (status, pre-London fee fallback, a receipt
 * from another block), blocks with missing or malformed fields, and the
 * decoders of decimals() and symbol() answers.
 */
#include "chain/account/ethrpc.h"
#include "tap.h"
#include "util/error.h"

#include <string.h>

static int q256(const char *s, ct_u256 *v)
{
	const char *why;
	return ct__eth_qty256(s, v, &why);
}

static void test_quantities(void)
{
	ct_u256 v;
	uint64_t x;
	const char *why;
	CHECK(q256("0x0", &v) == 0 && !v.w[0] && !v.w[3]);
	CHECK(q256("0x1f", &v) == 0 && v.w[0] == 31);
	CHECK(q256("0x0000000000000000000000000000000000000000000000000000000000000000001", &v) == 0 &&
	      v.w[0] == 1);
	CHECK(q256("0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", &v) == 0 &&
	      v.w[0] == UINT64_MAX && v.w[3] == UINT64_MAX);
	CHECK(q256("0x10000000000000000000000000000000000000000000000000000000000000000", &v) < 0);
	CHECK(q256("0x", &v) < 0);
	CHECK(q256("1f", &v) < 0);
	CHECK(q256("0x1g", &v) < 0);
	CHECK(q256("0x-1", &v) < 0);
	CHECK(q256("0x10000000000000000", &v) == 0 && v.w[0] == 0 && v.w[1] == 1);
	CHECK(ct__eth_qty64("0xffffffffffffffff", &x, &why) == 0 && x == UINT64_MAX);
	CHECK(ct__eth_qty64("0x10000000000000000", &x, &why) < 0);
	/* 1234.567890123456789012 ETH in wei, above 2^64 */
	CHECK(q256("0x42ed123b0bd8203a14", &v) == 0 && v.w[1] == 0x42 && v.w[0] == 0xed123b0bd8203a14ULL);
	ct_u256 a = {{UINT64_MAX, UINT64_MAX, UINT64_MAX, 0}}, r;
	CHECK(ct__eth_u256_mul64(&r, &a, 2) == 0 && r.w[0] == UINT64_MAX - 1 && r.w[3] == 1);
	ct_u256 big = {{0, 0, 0, 1ULL << 63}};
	CHECK(ct__eth_u256_mul64(&r, &big, 2) < 0);
	CHECK(ct__eth_u256_mul64(&r, &big, 1) == 0 && r.w[3] == 1ULL << 63);
}

static json_t *J(const char *s)
{
	json_error_t e;
	return json_loads(s, 0, &e);
}

#define TOPIC CT_ETH_TRANSFER_TOPIC
#define A1 "0x000000000000000000000000f39fd6e51aad88f6f4ce6ab8827279cfffb92266"
#define A2 "0x00000000000000000000000070997970c51812dc3a010c7d01b50e0d17dc79c8"
#define H32 "0x1111111111111111111111111111111111111111111111111111111111111111"
#define LOG_HEAD                                                                   \
	"{\"logIndex\":\"0x2\",\"blockNumber\":\"0x5\",\"blockHash\":\"" H32 "\","    \
	"\"transactionHash\":\"" H32 "\",\"address\":\"0x5fbdb2315678afecb367f032d93f642f64180aa3\","

static int log_of(const char *json, ct_eth_log *l, const char **why)
{
	json_t *j = J(json);
	int rc = ct__eth_parse_log(j, l, why, "test");
	json_decref(j);
	return rc;
}

static void test_logs(void)
{
	ct_eth_log l;
	const char *why;
	CHECK(log_of(LOG_HEAD "\"topics\":[\"" TOPIC "\",\"" A1 "\",\"" A2 "\"],"
	             "\"data\":\"0x8000000000000000000000000000000000000000000000000000000000000001\"}",
	             &l, &why) == 0);
	CHECK(l.amount.w[3] == 1ULL << 63 && l.amount.w[0] == 1 && l.index == 2 && l.block == 5);
	CHECK(l.from[0] == 0xf3 && l.to[19] == 0xc8);
	/* skipped shapes */
	CHECK(log_of(LOG_HEAD "\"topics\":[\"" TOPIC "\"],\"data\":\"0x" "00" "\"}", &l, &why) == 1);
	CHECK(log_of(LOG_HEAD "\"topics\":[\"" TOPIC "\",\"" A1 "\",\"" A2 "\",\"" H32 "\"],\"data\":\"0x\"}",
	             &l, &why) == 1 && strstr(why, "ERC-721"));
	CHECK(log_of(LOG_HEAD "\"topics\":[\"" TOPIC "\",\"" H32 "\",\"" A2 "\"],"
	             "\"data\":\"0x0000000000000000000000000000000000000000000000000000000000000001\"}",
	             &l, &why) == 1);
	CHECK(log_of(LOG_HEAD "\"topics\":[\"" TOPIC "\",\"" A1 "\",\"" A2 "\"],\"data\":\"0x01\"}", &l,
	             &why) == 1);
	CHECK(log_of(LOG_HEAD "\"removed\":true,\"topics\":[\"" TOPIC "\",\"" A1 "\",\"" A2 "\"],"
	             "\"data\":\"0x0000000000000000000000000000000000000000000000000000000000000001\"}",
	             &l, &why) == 1);
	/* malformed: bad topic, missing tx hash, data not hex */
	CHECK(log_of(LOG_HEAD "\"topics\":[\"" TOPIC "\",\"0x12\",\"" A2 "\"],\"data\":\"0x\"}", &l, &why) ==
	      CT_EDATA);
	CHECK(log_of("{\"logIndex\":\"0x2\",\"blockNumber\":\"0x5\",\"blockHash\":\"" H32 "\","
	             "\"address\":\"0x5fbdb2315678afecb367f032d93f642f64180aa3\",\"topics\":[],\"data\":\"0x\"}",
	             &l, &why) == CT_EDATA);
	CHECK(strstr(ct_error_last(), "transactionHash") != NULL);
	CHECK(log_of(LOG_HEAD "\"topics\":[\"" TOPIC "\"],\"data\":\"zz\"}", &l, &why) == CT_EDATA);
}

#define BLOCK_HEAD                                                                   \
	"{\"number\":\"0x5\",\"hash\":\"" H32 "\",\"parentHash\":\"" H32 "\",\"timestamp\":\"0x5f5e1000\","

static void test_blocks_and_receipts(void)
{
	ct_eth_block b;
	json_t *j = J(BLOCK_HEAD "\"transactions\":[{\"hash\":\"" H32 "\","
	              "\"from\":\"0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266\",\"to\":null,"
	              "\"value\":\"0x10\",\"gasPrice\":\"0x3\"}]}");
	CHECK(ct__eth_parse_block(j, &b, "test") == 0 && b.ntx == 1 && b.number == 5 &&
	      b.time == 0x5f5e1000 && !b.txs[0].has_to && b.txs[0].value.w[0] == 16);
	json_decref(j);
	/* pre-London receipt: no status, no effectiveGasPrice: fee = gasUsed x gasPrice;
	 * a creation takes the contract address */
	j = J("{\"transactionHash\":\"" H32 "\",\"blockHash\":\"" H32 "\",\"gasUsed\":\"0x5208\","
	      "\"contractAddress\":\"0x5fbdb2315678afecb367f032d93f642f64180aa3\"}");
	CHECK(ct__eth_parse_receipt(j, &b, &b.txs[0], "test") == 0 && !b.txs[0].failed &&
	      b.txs[0].fee.w[0] == 21000 * 3 && b.txs[0].has_to && b.txs[0].to[0] == 0x5f);
	json_decref(j);
	j = J("{\"transactionHash\":\"" H32 "\",\"blockHash\":\"" H32 "\",\"gasUsed\":\"0x5208\","
	      "\"status\":\"0x0\",\"effectiveGasPrice\":\"0x10000000000000000\"}");
	CHECK(ct__eth_parse_receipt(j, &b, &b.txs[0], "test") == 0 && b.txs[0].failed &&
	      b.txs[0].fee.w[1] == 21000 && b.txs[0].fee.w[0] == 0);
	json_decref(j);
	/* another block's receipt: the chain changed (1, not an error) */
	j = J("{\"transactionHash\":\"" H32 "\",\"blockHash\":\"0x2222222222222222222222222222222222222222222222222222222222222222\","
	      "\"gasUsed\":\"0x1\",\"status\":\"0x1\",\"effectiveGasPrice\":\"0x1\"}");
	CHECK(ct__eth_parse_receipt(j, &b, &b.txs[0], "test") == 1);
	json_decref(j);
	j = J("{\"transactionHash\":\"" H32 "\",\"blockHash\":\"" H32 "\",\"gasUsed\":\"0x1\","
	      "\"status\":\"0x2\",\"effectiveGasPrice\":\"0x1\"}");
	CHECK(ct__eth_parse_receipt(j, &b, &b.txs[0], "test") == CT_EDATA);
	json_decref(j);
	ct__eth_block_free(&b);
	/* malformed blocks */
	const char *bad[] = {
		"{\"hash\":\"" H32 "\",\"parentHash\":\"" H32 "\",\"timestamp\":\"0x1\",\"transactions\":[]}",
		BLOCK_HEAD "\"transactions\":[\"" H32 "\"]}",
		BLOCK_HEAD "\"transactions\":{}}",
		BLOCK_HEAD "\"transactions\":[{\"hash\":\"" H32 "\",\"from\":\"0x12\",\"to\":null,\"value\":\"0x0\"}]}",
		BLOCK_HEAD "\"transactions\":[{\"hash\":\"" H32 "\",\"from\":\"0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266\","
		"\"to\":null,\"value\":\"0x10000000000000000000000000000000000000000000000000000000000000000\"}]}",
		"[]",
	};
	for (size_t i = 0; i < CT_ARRAY_LEN(bad); i++) {
		j = J(bad[i]);
		CHECK(j && ct__eth_parse_block(j, &b, "eth_getBlockByNumber(0x5, true)") == CT_EDATA);
		CHECK(strncmp(ct_error_last(), "eth_getBlockByNumber(0x5, true): ", 33) == 0);
		json_decref(j);
	}
}

static void test_token_metadata(void)
{
	char sym[32];
	CHECK(ct__eth_abi_decimals("0x0000000000000000000000000000000000000000000000000000000000000006") == 6);
	CHECK(ct__eth_abi_decimals("0x0000000000000000000000000000000000000000000000000000000000000000") == 0);
	CHECK(ct__eth_abi_decimals("0x00000000000000000000000000000000000000000000000000000000000000ff") == -1);
	CHECK(ct__eth_abi_decimals("0x0000000000000000000000000000000000000000000000000000000000000106") == -1);
	CHECK(ct__eth_abi_decimals("0x06") == -1);
	CHECK(ct__eth_abi_decimals("0x") == -1);
	/* ABI string "TOK" */
	ct__eth_abi_symbol("0x0000000000000000000000000000000000000000000000000000000000000020"
	                   "0000000000000000000000000000000000000000000000000000000000000003"
	                   "544f4b0000000000000000000000000000000000000000000000000000000000", sym);
	CHECK(strcmp(sym, "TOK") == 0);
	/* bytes32 "MKR" (old tokens) */
	ct__eth_abi_symbol("0x4d4b520000000000000000000000000000000000000000000000000000000000", sym);
	CHECK(strcmp(sym, "MKR") == 0);
	/* Cyrillic look-alike "ЕТН" kept as UTF-8 (display only) */
	ct__eth_abi_symbol("0x0000000000000000000000000000000000000000000000000000000000000020"
	                   "0000000000000000000000000000000000000000000000000000000000000006"
	                   "d095d0a2d09d0000000000000000000000000000000000000000000000000000", sym);
	CHECK(strcmp(sym, "\xd0\x95\xd0\xa2\xd0\x9d") == 0);
	/* length past the end, control characters, invalid UTF-8 */
	ct__eth_abi_symbol("0x0000000000000000000000000000000000000000000000000000000000000020"
	                   "00000000000000000000000000000000000000000000000000000000000000ff"
	                   "544f4b0000000000000000000000000000000000000000000000000000000000", sym);
	CHECK(sym[0] == 0);
	ct__eth_abi_symbol("0x0000000000000000000000000000000000000000000000000000000000000020"
	                   "0000000000000000000000000000000000000000000000000000000000000004"
	                   "41420a4300000000000000000000000000000000000000000000000000000000", sym);
	CHECK(strcmp(sym, "AB") == 0);
	ct__eth_abi_symbol("0x41ff420000000000000000000000000000000000000000000000000000000000", sym);
	CHECK(strcmp(sym, "A") == 0);
}

int main(void)
{
	test_token_metadata();
	test_quantities();
	test_logs();
	test_blocks_and_receipts();
	TAP_DONE();
}
