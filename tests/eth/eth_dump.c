/*
 * eth_dump.c - test tool for tests/cases/eth_rpc.sh: prints every committed
 * transfer, tx and block of the eth account store as JSON Lines, straight
 * from the store's readers, so the test can compare the whole store (not
 * only what look-ups show) with what the driver sent through the node.
 *   eth_dump DB
 * {"kind":"block","number":N,"hash":"0x.."}
 * {"kind":"tx","tx":"0x..","block":N,"failed":bool}
 * {"kind":"fee"|"eth"|"token","tx":"0x..","block":N,"from":"0x..","to":"0x..",
 *  "asset":"eth"|"0x<contract>","amount":"<base units>","failed":bool}
 */
#include "chain/account/acctstore.h"
#include "util/encode.h"
#include "util/error.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	ct_acctstore *st;
	if (argc != 2) {
		fprintf(stderr, "usage: eth_dump DB\n");
		return 1;
	}
	int rc = ct__acctstore_open(&st, argv[1], ct__acct_chain_find("eth"), 0);
	if (rc == CT_ENOTFOUND)
		return 0; /* nothing stored */
	if (rc) {
		fprintf(stderr, "eth_dump: %s\n", ct_error_last());
		return 2;
	}
	const ct_acct_counts *c = ct__acct_counts(st);
	char h[65], from[CT_ACCT_ADDR_STR], to[CT_ACCT_ADDR_STR], amt[CT_ACCT_AMOUNT_STR];
	for (uint64_t b = 0; b < c->blocks; b++) {
		ct_acct_block blk;
		ct__acct_block_get(st, b, &blk);
		ct__hex(h, blk.hash, 32);
		printf("{\"kind\":\"block\",\"number\":%llu,\"hash\":\"0x%s\"}\n",
		       (unsigned long long)blk.number, h);
	}
	for (uint64_t t = 0; t < c->txs; t++) {
		ct_acct_tx tx;
		ct__acct_tx_get(st, t, &tx);
		ct__hex(h, tx.hash, 32);
		printf("{\"kind\":\"tx\",\"tx\":\"0x%s\",\"block\":%llu,\"failed\":%s}\n", h,
		       (unsigned long long)tx.height, tx.flags & CT_TXF_FAILED ? "true" : "false");
	}
	for (uint64_t i = 0; i < c->xfers; i++) {
		ct_acct_xfer x;
		ct_acct_tx tx;
		ct__acct_xfer_get(st, i, &x);
		ct__acct_tx_get(st, x.tx, &tx);
		ct__hex(h, tx.hash, 32);
		ct__acct_addr_str(st, x.from, from, sizeof(from));
		char tos[CT_ACCT_ADDR_STR + 2] = "null";
		if (x.to != CT_ACCT_NONE) {
			ct__acct_addr_str(st, x.to, to, sizeof(to));
			snprintf(tos, sizeof(tos), "\"%s\"", to);
		}
		char asset[CT_ACCT_ADDR_STR + 2] = "eth";
		if (x.asset) {
			ct_acct_asset a;
			ct__acct_asset_get(st, x.asset, &a);
			ct__acct_key_str(CT_AF_EVM, &a.contract, asset, sizeof(asset));
		}
		ct__acct_amount_str(amt, sizeof(amt), &x.amount, CT_DECIMALS_UNKNOWN);
		const char *kind = x.flags & CT_XF_FEE ? "fee" : x.flags & CT_XF_TOKEN ? "token" : "eth";
		printf("{\"kind\":\"%s\",\"tx\":\"0x%s\",\"block\":%llu,\"from\":\"%s\",\"to\":%s,"
		       "\"asset\":\"%s\",\"amount\":\"%s\",\"failed\":%s}\n",
		       kind, h, (unsigned long long)tx.height, from, tos, asset, amt,
		       x.flags & CT_XF_FAILED ? "true" : "false");
	}
	ct__acctstore_close(st);
	return 0;
}
