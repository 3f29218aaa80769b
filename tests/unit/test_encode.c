/*
 * test_encode.c - address encodings against the published test vectors
 * of BIP 173 and BIP 350, Base58Check, exact amounts and 256-bit work.
 */
#include "tap.h"
#include "util/amount.h"
#include "util/encode.h"
#include "util/hash.h"
#include "util/u256.h"

#include <string.h>

/* BIP 173 / BIP 350 valid segwit addresses with their scriptPubKeys. */
static const struct {
	const char *addr, *hrp, *spk;
} SEGWIT[] = {
	{"BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "bc", "0014751e76e8199196d454941c45d1b3a323f1433bd6"},
	{"tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7", "tb",
	 "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262"},
	{"bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y", "bc",
	 "5128751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6"},
	{"BC1SW50QGDZ25J", "bc", "6002751e"},
	{"bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", "bc", "5210751e76e8199196d454941c45d1b3a323"},
	{"tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c", "tb",
	 "5120000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433"},
	{"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", "bc",
	 "512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"},
};

/* BIP 350: invalid (wrong checksum variant, bad program sizes, ...). */
static const char *const BAD[] = {
	"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd", /* bech32 for v1 */
	"BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL",
	"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh",                     /* bech32m for v0 */
	"bc1rw5uspcuh",                                                   /* program too short */
	"BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P",                           /* v0 of 16 bytes */
	"bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du",                          /* padding */
	"bc1gmk9yu",                                                      /* empty data */
};

static void lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

int main(void)
{
	ct_hasher *h;
	CHECK(ct__hasher_new(&h) == 0);

	for (size_t i = 0; i < sizeof(SEGWIT) / sizeof(SEGWIT[0]); i++) {
		uint8_t prog[40], spk[42];
		int ver;
		int n = ct__segwit_decode(&ver, prog, sizeof(prog), SEGWIT[i].hrp, SEGWIT[i].addr);
		size_t sl = strlen(SEGWIT[i].spk) / 2;
		CHECK(n > 0);
		ct__unhex(spk, SEGWIT[i].spk, sl);
		CHECK((size_t)n + 2 == sl);
		CHECK(spk[0] == (ver ? 0x50 + ver : 0));
		CHECK(memcmp(prog, spk + 2, (size_t)n) == 0);
		char back[100], want[100];
		CHECK(ct__segwit_encode(back, sizeof(back), SEGWIT[i].hrp, ver, prog, (size_t)n) == 0);
		strcpy(want, SEGWIT[i].addr);
		lower(want);
		CHECK(strcmp(back, want) == 0);
	}
	for (size_t i = 0; i < sizeof(BAD) / sizeof(BAD[0]); i++) {
		uint8_t prog[40];
		int ver;
		CHECK(ct__segwit_decode(&ver, prog, sizeof(prog), "bc", BAD[i]) < 0);
	}

	/* Base58Check: the genesis coinbase pays hash160 62e907b1...
	 * which is 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa. */
	uint8_t ver_h[21] = {0};
	ct__unhex(ver_h + 1, "62e907b15cbf27d5425399ebf6f0fb50ebb88f18", 20);
	char b58[64];
	CHECK(ct__base58check_encode(h, b58, sizeof(b58), ver_h, 21) > 0);
	CHECK(strcmp(b58, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa") == 0);
	uint8_t dec[32];
	CHECK(ct__base58check_decode(h, dec, sizeof(dec), b58) == 21);
	CHECK(memcmp(dec, ver_h, 21) == 0);
	CHECK(ct__base58check_decode(h, dec, sizeof(dec), "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb") < 0);
	CHECK(ct__base58check_decode(h, dec, sizeof(dec), "1A1zP1eP5QGefi2DMPTfTL5SLmv7Divf0a") < 0);

	/* Exact amounts. */
	char a[40];
	uint64_t v;
	ct__amount_ustr(a, sizeof(a), 2100000000000000ull, 8);
	CHECK(strcmp(a, "21000000.00000000") == 0);
	ct__amount_str(a, sizeof(a), -1, 8);
	CHECK(strcmp(a, "-0.00000001") == 0);
	CHECK(ct__amount_parse(&v, "0.00000001", 8) == 0 && v == 1);
	CHECK(ct__amount_parse(&v, "12.5", 8) == 0 && v == 1250000000ull);
	CHECK(ct__amount_parse(&v, "0.000000001", 8) != 0);
	CHECK(ct__amount_parse(&v, "1e5", 8) != 0);
	CHECK(ct__amount_parse(&v, "184467440737.09551616", 8) != 0);

	/* Work of difficulty-1 target 0x1d00ffff is 0x100010001. */
	ct_u256 t, w;
	CHECK(ct__u256_from_compact(&t, 0x1d00ffff) == 0);
	ct__u256_work(&w, &t);
	CHECK(w.w[0] == 0x100010001ull && w.w[1] == 0 && w.w[2] == 0 && w.w[3] == 0);
	CHECK(ct__u256_from_compact(&t, 0x04923456) != 0); /* negative */
	CHECK(ct__u256_from_compact(&t, 0xff123456) != 0); /* overflow */
	CHECK(ct__u256_from_compact(&t, 0x207fffff) == 0);
	ct__u256_work(&w, &t);
	CHECK(w.w[0] == 2 && w.w[1] == 0);

	/* Keccak-256 (original padding), the known vectors. */
	uint8_t kd[32];
	char kh[65];
	ct__keccak256(kd, "", 0);
	ct__hex(kh, kd, 32);
	CHECK(strcmp(kh, "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470") == 0);
	ct__keccak256(kd, "The quick brown fox jumps over the lazy dog", 43);
	ct__hex(kh, kd, 32);
	CHECK(strcmp(kh, "4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15") == 0);

	char tm[32];
	ct__time_str(tm, sizeof(tm), 1516892640);
	CHECK(strcmp(tm, "2018-01-25T15:04:00Z") == 0);

	ct__hasher_free(h);
	TAP_DONE();
}
