/*
 * address.c - Bitcoin networks and the text form of addresses:
 * Base58Check for P2PKH/P2SH, Bech32 for witness v0, Bech32m for v1+.
 */
#include "chain/btc/btc.h"
#include "util/encode.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const ct_btc_net NETS[] = {
	{"mainnet", "btc", {0xf9, 0xbe, 0xb4, 0xd9}, 0x00, 0x05, "bc",
	 "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"},
	{"testnet", "btc-testnet", {0x0b, 0x11, 0x09, 0x07}, 0x6f, 0xc4, "tb",
	 "000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943"},
	{"testnet4", "btc-testnet4", {0x1c, 0x16, 0x3f, 0x28}, 0x6f, 0xc4, "tb",
	 "00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043"},
	{"signet", "btc-signet", {0x0a, 0x03, 0xcf, 0x40}, 0x6f, 0xc4, "tb",
	 "00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6"},
	{"regtest", "btc-regtest", {0xfa, 0xbf, 0xb5, 0xda}, 0x6f, 0xc4, "bcrt",
	 "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206"},
};

const ct_btc_net *ct__btc_net_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof(NETS) / sizeof(NETS[0]); i++)
		if (!strcasecmp(name, NETS[i].name) || !strcasecmp(name, NETS[i].chain))
			return &NETS[i];
	if (!strcasecmp(name, "testnet3") || !strcasecmp(name, "test"))
		return &NETS[1];
	if (!strcasecmp(name, "main"))
		return &NETS[0];
	return NULL;
}

const ct_btc_net *ct__btc_net_by_magic(const uint8_t magic[4])
{
	for (size_t i = 0; i < sizeof(NETS) / sizeof(NETS[0]); i++)
		if (!memcmp(magic, NETS[i].magic, 4))
			return &NETS[i];
	return NULL;
}

int ct__addr_render(ct_hasher *h, const ct_btc_net *net, const ct_addrkey *k,
                    char *out, size_t cap)
{
	uint8_t buf[21];
	switch (k->kind) {
	case CT_AK_PKH:
	case CT_AK_SH:
		buf[0] = k->kind == CT_AK_PKH ? net->pkh_ver : net->sh_ver;
		memcpy(buf + 1, k->data, 20);
		return ct__base58check_encode(h, out, cap, buf, 21) < 0 ? -1 : 0;
	case CT_AK_WITNESS:
		return ct__segwit_encode(out, cap, net->hrp, k->ver, k->data, k->len);
	case CT_AK_SCRIPT:
		if (cap < 7 + 64 + 1)
			return -1;
		memcpy(out, "script:", 7);
		ct__hex(out + 7, k->data, 32);
		return 0;
	default:
		if (cap < 1)
			return -1;
		out[0] = '\0';
		return -1;
	}
}

int ct__addr_parse(ct_hasher *h, const ct_btc_net *net, const char *s, ct_addrkey *k)
{
	uint8_t buf[64];
	memset(k, 0, sizeof(*k));
	if (!strncmp(s, "script:", 7)) {
		if (strlen(s + 7) != 64 || ct__unhex(k->data, s + 7, 32))
			return -1;
		k->kind = CT_AK_SCRIPT;
		k->len = 32;
		return 0;
	}
	size_t hrplen = strlen(net->hrp);
	if (!strncasecmp(s, net->hrp, hrplen) && s[hrplen] == '1') {
		int ver;
		int n = ct__segwit_decode(&ver, buf, sizeof(buf), net->hrp, s);
		if (n < 0)
			return -1;
		k->kind = CT_AK_WITNESS;
		k->ver = (uint8_t)ver;
		k->len = (uint8_t)n;
		memcpy(k->data, buf, (size_t)n);
		return 0;
	}
	int n = ct__base58check_decode(h, buf, sizeof(buf), s);
	if (n != 21)
		return -1;
	if (buf[0] == net->pkh_ver)
		k->kind = CT_AK_PKH;
	else if (buf[0] == net->sh_ver)
		k->kind = CT_AK_SH;
	else
		return -1;
	k->len = 20;
	memcpy(k->data, buf + 1, 20);
	return 0;
}

const ct_btc_net *ct__addr_guess_net(ct_hasher *h, const char *s)
{
	ct_addrkey k;
	/* Order matters: "bcrt1" must be tried before "bc1". */
	static const char *const order[] = {"regtest", "mainnet", "testnet"};
	for (size_t i = 0; i < 3; i++) {
		const ct_btc_net *n = ct__btc_net_by_name(order[i]);
		if (ct__addr_parse(h, n, s, &k) == 0 && k.kind != CT_AK_SCRIPT)
			return n;
	}
	return NULL;
}
