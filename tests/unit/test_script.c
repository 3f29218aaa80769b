/*
 * test_script.c - output script classification and address rendering
 * for every standard template, P2PK's mapping to P2PKH, and the
 * malformed scripts that must fall to nonstandard.
 */
#include "tap.h"
#include "chain/btc/btc.h"
#include "util/encode.h"

#include <string.h>

static int classify(ct_hasher *h, const char *hex, ct_addrkey *k)
{
	uint8_t s[200];
	size_t n = strlen(hex) / 2;
	ct__unhex(s, hex, n);
	return ct__script_classify(h, s, n, k);
}

static int renders(ct_hasher *h, const char *net, const char *spk, int type, const char *want)
{
	ct_addrkey k;
	char out[128];
	if (classify(h, spk, &k) != type)
		return 0;
	if (!want)
		return k.kind == CT_AK_NONE || k.kind == CT_AK_SCRIPT;
	if (ct__addr_render(h, ct__btc_net_by_name(net), &k, out, sizeof(out)) != 0)
		return 0;
	if (strcmp(out, want) != 0) {
		fprintf(stderr, "got %s want %s\n", out, want);
		return 0;
	}
	/* and back */
	ct_addrkey k2;
	return ct__addr_parse(h, ct__btc_net_by_name(net), out, &k2) == 0 && !memcmp(&k, &k2, sizeof(k));
}

int main(void)
{
	ct_hasher *h;
	CHECK(ct__hasher_new(&h) == 0);
	/* Genesis coinbase: P2PK with an uncompressed key -> its P2PKH. */
	CHECK(renders(h, "mainnet",
	              "4104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f3"
	              "5504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5fac",
	              CT_ST_P2PK, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"));
	CHECK(renders(h, "mainnet", "76a91462e907b15cbf27d5425399ebf6f0fb50ebb88f1888ac", CT_ST_P2PKH,
	              "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"));
	CHECK(renders(h, "mainnet", "a914e9c3dd0c07aac76179ebc76a6c78d4d67c6c160a87", CT_ST_P2SH,
	              "3P14159f73E4gFr7JterCCQh9QjiTjiZrG"));
	CHECK(renders(h, "mainnet", "0014751e76e8199196d454941c45d1b3a323f1433bd6", CT_ST_P2WPKH,
	              "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"));
	CHECK(renders(h, "testnet", "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262",
	              CT_ST_P2WSH, "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7"));
	CHECK(renders(h, "mainnet", "512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
	              CT_ST_P2TR, "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"));
	CHECK(renders(h, "mainnet", "6002751e", CT_ST_WITNESS_UNKNOWN, "bc1sw50qgdz25j"));
	/* Pay-to-anchor (witness v1, 2 bytes), rendered as Bitcoin Core 28 does. */
	CHECK(renders(h, "mainnet", "51024e73", CT_ST_WITNESS_UNKNOWN, "bc1pfeessrawgf"));
	CHECK(renders(h, "regtest", "0014751e76e8199196d454941c45d1b3a323f1433bd6", CT_ST_P2WPKH,
	              "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"));
	/* OP_RETURN with pushes only: nulldata, no address. */
	CHECK(renders(h, "mainnet", "6a0b68656c6c6f20776f726c64", CT_ST_NULLDATA, NULL));
	/* OP_RETURN followed by a non-push opcode: nonstandard. */
	CHECK(renders(h, "mainnet", "6a76", CT_ST_NONSTANDARD, NULL));
	/* 1-of-2 bare multisig. */
	CHECK(renders(h, "mainnet",
	              "512102f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9"
	              "2103e493dbf1c10d80f3581e4904930b1404cc6c13900ee0758474fa94abe8c4cd1352ae",
	              CT_ST_MULTISIG, NULL));
	/* P2PK with a bad key prefix: nonstandard. */
	CHECK(renders(h, "mainnet", "2105f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9ac",
	              CT_ST_NONSTANDARD, NULL));
	/* Witness v0 of 21 bytes: nonstandard. */
	CHECK(renders(h, "mainnet", "0015751e76e8199196d454941c45d1b3a323f1433bd6aa", CT_ST_NONSTANDARD, NULL));
	/* Truncated push: nonstandard, must not read past the end. */
	CHECK(renders(h, "mainnet", "4c", CT_ST_NONSTANDARD, NULL));
	CHECK(renders(h, "mainnet", "", CT_ST_NONSTANDARD, NULL));
	ct__hasher_free(h);
	TAP_DONE();
}
