/*
 * test_acct.c - the account store and its formats: EIP-55 vectors (from
 * the EIP), NEM checksums, exact 256-bit amounts, append/commit/reopen,
 * address walks, tx sharing, rollback, and recovery of a torn batch.
 */
#include "chain/account/acctstore.h"
#include "tap.h"
#include "util/error.h"
#include "util/fsutil.h"

#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static int parse(int af, ct_acct_key *k, const char *s)
{
	return ct__acct_key_parse(af, k, s, strlen(s));
}

static void test_addresses(void)
{
	ct_acct_key k;
	char out[CT_ACCT_ADDR_STR];
	/* EIP-55's own examples. */
	const char *good[] = {"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
	                      "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
	                      "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
	                      "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb"};
	for (size_t i = 0; i < CT_ARRAY_LEN(good); i++) {
		CHECK(parse(CT_AF_EVM, &k, good[i]) == 0);
		ct__acct_key_str(CT_AF_EVM, &k, out, sizeof(out));
		CHECK(strcasecmp(out, good[i]) == 0);
	}
	CHECK(parse(CT_AF_EVM, &k, "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed") == 0);
	CHECK(parse(CT_AF_EVM, &k, "0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED") == 0);
	/* one letter's case flipped */
	CHECK(parse(CT_AF_EVM, &k, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD") == CT_EDATA);
	CHECK(parse(CT_AF_EVM, &k, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA") == CT_EDATA);
	CHECK(parse(CT_AF_EVM, &k, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg") == CT_EDATA);
	/* NEM: Coincheck's hot wallet as published, and a digit changed. */
	CHECK(parse(CT_AF_NEM, &k, "NC3BI3DNMR2PGEOOMP2NKXQGSAKMS7GYRKVA5CSZ") == 0);
	ct__acct_key_str(CT_AF_NEM, &k, out, sizeof(out));
	CHECK(strcmp(out, "NC3BI3DNMR2PGEOOMP2NKXQGSAKMS7GYRKVA5CSZ") == 0);
	CHECK(parse(CT_AF_NEM, &k, "NC3BI3-DNMR2P-GEOOMP-2NKXQG-SAKMS7-GYRKVA-5CSZ") == 0);
	CHECK(parse(CT_AF_NEM, &k, "NC3BI3DNMR2PGEOOMP2NKXQGSAKMS7GYRKVA5CSA") == CT_EDATA);
	CHECK(parse(CT_AF_NEM, &k, "NC3BI3DNMR2PGEOOMP2NKXQGSAKMS7GYRKVA5CS") == CT_EDATA);
	ct__err_clear();
}

static void amt(const char *s, int dec, const char *want)
{
	ct_u256 v;
	const char *why = NULL;
	char out[CT_ACCT_AMOUNT_STR];
	int rc = ct__acct_amount_parse(&v, s, strlen(s), dec, &why);
	if (!want) {
		CHECK(rc != 0);
		return;
	}
	CHECK(rc == 0);
	if (rc == 0) {
		ct__acct_amount_str(out, sizeof(out), &v, CT_DECIMALS_UNKNOWN);
		if (strcmp(out, want) != 0)
			fprintf(stderr, "amount %s (%d): got %s want %s\n", s, dec, out, want);
		CHECK(strcmp(out, want) == 0);
	}
}

static void test_amounts(void)
{
	amt("1", 18, "1000000000000000000");
	amt("1.5", 6, "1500000");
	amt(".5", 6, "500000");
	amt("0.000001", 6, "1");
	amt("0.0000001", 6, NULL);
	amt("0.0000010", 6, "1");
	amt("-1", 6, NULL);
	amt("1e-05", 18, "10000000000000");
	amt("1.5E+3", 0, "1500");
	amt("abc", 6, NULL);
	amt("", 6, NULL);
	amt("1.2.3", 6, NULL);
	amt("12", CT_DECIMALS_UNKNOWN, "12");
	amt("1.2", CT_DECIMALS_UNKNOWN, NULL);
	/* 2^256 - 1 and 2^256 */
	amt("115792089237316195423570985008687907853269984665640564039457584007913129639935", 0,
	    "115792089237316195423570985008687907853269984665640564039457584007913129639935");
	amt("115792089237316195423570985008687907853269984665640564039457584007913129639936", 0,
	    NULL);
	/* around the 128-bit fast path (38 digits after scaling) */
	amt("18446744073709551616", 0, "18446744073709551616");
	amt("99999999999999999999.999999999999999999", 18,
	    "99999999999999999999999999999999999999");
	amt("999999999999999999999.999999999999999999", 18,
	    "999999999999999999999999999999999999999");
	amt("1234567890123456789012.5", 16, "12345678901234567890125000000000000000");
	amt("0.0000000000000000000000000000000000001", 38, "10");
	amt("231.722562962676789948", 18, "231722562962676789948");
	amt("12345678.87654321", 8, "1234567887654321");
	amt("123456789012345678901234567890.12345678", 8,
	    "12345678901234567890123456789012345678");
	amt("09080706.0504030201", 10, "90807060504030201");
	amt("340282366920938463463374607431768211456", 18,
	    "340282366920938463463374607431768211456000000000000000000");
	ct_u256 v = {{1500000, 0, 0, 0}};
	char out[CT_ACCT_AMOUNT_STR];
	ct__acct_amount_str(out, sizeof(out), &v, 6);
	CHECK(strcmp(out, "1.500000") == 0);
	ct__acct_amount_str(out, sizeof(out), &v, 8);
	CHECK(strcmp(out, "0.01500000") == 0);
	ct_acct_sum r = {{0}}, s = {{0}}, f = {{0}};
	ct_u256 a = {{5, 0, 0, 0}}, b = {{7, 0, 0, 0}}, c = {{1, 0, 0, 0}};
	ct__acct_sum_add(&r, &a);
	ct__acct_sum_add(&s, &b);
	ct__acct_sum_add(&f, &c);
	ct__acct_balance_str(out, sizeof(out), &r, &s, &f, 2);
	CHECK(strcmp(out, "-0.03") == 0);
	ct_u256 max = {{UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX}};
	ct_acct_sum big = {{0}};
	ct__acct_sum_add(&big, &max);
	ct__acct_sum_add(&big, &max);
	ct__acct_sum_str(out, sizeof(out), &big, 0);
	CHECK(strcmp(out, "231584178474632390847141970017375815706539969331281128078915168015826259279870") == 0);
}

/* ct__hex16 (16 digits a step) against a plain digit-by-digit decode:
 * every byte value at every position, among valid digits. */
static void test_hex16(void)
{
	static const char digits[] = "0123456789abcdefABCDEF";
	int bad = 0;
	for (int pos = 0; pos < 16; pos++)
		for (int c = 0; c < 256; c++) {
			char in[16];
			uint8_t out[8], want[8];
			for (int i = 0; i < 16; i++)
				in[i] = digits[(i * 7 + c + pos) % 22];
			in[pos] = (char)c;
			int ok = 1;
			for (int i = 0; i < 16; i++) {
				int ch = (unsigned char)in[i], v;
				if (ch >= '0' && ch <= '9')
					v = ch - '0';
				else if (ch >= 'a' && ch <= 'f')
					v = ch - 'a' + 10;
				else if (ch >= 'A' && ch <= 'F')
					v = ch - 'A' + 10;
				else
					v = -1, ok = 0;
				if (i % 2 == 0)
					want[i / 2] = (uint8_t)((v & 15) << 4);
				else
					want[i / 2] |= (uint8_t)(v & 15);
			}
			int rc = ct__hex16(out, in);
			if ((rc != 0) != !ok || (ok && memcmp(out, want, 8) != 0))
				bad++;
		}
	CHECK(bad == 0);
}

static void key(ct_acct_key *k, int i)
{
	memset(k, 0, sizeof(*k));
	k->len = 20;
	k->b[19] = (uint8_t)i;
	k->b[0] = 0xaa;
}

static void test_store(void)
{
	char dir[] = "/tmp/ct_acct_XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	const ct_acct_chain *eth = ct__acct_chain_find("eth");
	CHECK(eth && eth->native_decimals == 18);
	ct_acctstore *st = NULL;
	CHECK(ct__acctstore_open(&st, dir, eth, 1) == 0);
	uint64_t a[4], t0, t1, t2;
	int added;
	ct_acct_key k;
	for (int i = 0; i < 4; i++) {
		key(&k, i);
		CHECK(ct__acct_addr_add(st, &k, &a[i]) == 0);
		CHECK(a[i] == (uint64_t)i);
	}
	key(&k, 2);
	uint64_t again;
	CHECK(ct__acct_addr_add(st, &k, &again) == 0 && again == 2);
	uint8_t h1[32] = {1, 2, 3}, h2[32] = {9, 9, 9};
	CHECK(ct__acct_tx_add(st, h1, 100, 1000, 0, &t0, &added) == 0 && added && t0 == 0);
	CHECK(ct__acct_tx_add(st, NULL, 101, 1001, 0, &t1, &added) == 0 && added && t1 == 1);
	CHECK(ct__acct_tx_add(st, h1, 100, 1000, 0, &t2, &added) == 0 && !added && t2 == 0);
	key(&k, 77);
	uint32_t tok;
	CHECK(ct__acct_asset_add(st, &k, 6, "USDT", &tok) == 0 && tok == 1);
	ct_acct_xfer x = {0};
	x.from = a[0];
	x.to = a[1];
	x.tx = t0;
	x.time = 1000;
	x.amount.w[0] = 5;
	CHECK(ct__acct_xfer_add(st, &x) == 0); /* 0: a0->a1 5 ETH-wei */
	x.asset = tok;
	x.flags = CT_XF_TOKEN;
	x.amount.w[2] = 1; /* a big amount */
	CHECK(ct__acct_xfer_add(st, &x) == 0); /* 1: a0->a1 token big */
	memset(&x, 0, sizeof(x));
	x.from = a[1];
	x.to = a[2];
	x.tx = t1;
	x.time = 1001;
	x.amount.w[0] = 3;
	CHECK(ct__acct_xfer_add(st, &x) == 0); /* 2: a1->a2 3 */
	x.to = CT_ACCT_NONE;
	x.flags = CT_XF_FEE;
	x.amount.w[0] = 1;
	CHECK(ct__acct_xfer_add(st, &x) == 0); /* 3: a1 fee 1 */
	/* nothing visible before the commit */
	CHECK(st->c.xfers == 0);
	CHECK(ct__acctstore_commit(st) == 0);
	CHECK(st->c.xfers == 4 && st->c.addrs == 4 && st->c.txs == 2 && st->c.assets == 2 &&
	      st->c.bigs == 1);
	ct__acctstore_close(st);

	CHECK(ct__acctstore_open(&st, dir, eth, 0) == 0);
	ct_acct_xfer r;
	ct__acct_xfer_get(st, 1, &r);
	CHECK(r.from == 0 && r.to == 1 && r.asset == 1 && r.amount.w[2] == 1 && r.amount.w[0] == 5 &&
	      r.height == 100 && r.time == 1000 && !(r.flags & CT_XF_BIG));
	ct_acct_walk w;
	uint64_t id;
	int dir3;
	ct__acct_walk_init(st, a[1], &w);
	uint64_t seq[8];
	int dirs[8], n = 0;
	while (n < 8 && ct__acct_walk_next(&w, &id, &dir3)) {
		seq[n] = id;
		dirs[n++] = dir3;
	}
	CHECK(n == 4 && seq[0] == 3 && dirs[0] == 1 && seq[1] == 2 && seq[2] == 1 && dirs[2] == 2 &&
	      seq[3] == 0);
	ct_acct_tx tx;
	ct__acct_tx_get(st, 0, &tx);
	CHECK(tx.first == 0 && tx.last == 1 && (tx.flags & CT_TXF_HASH));
	CHECK(ct__acct_xfer_prev_tx(st, 1) == 0);
	CHECK(ct__acct_tx_find(st, h2, &id) == CT_ENOTFOUND);
	CHECK(ct__acct_tx_find(st, h1, &id) == 0 && id == 0);
	ct_acct_asset as;
	ct__acct_asset_get(st, 0, &as);
	CHECK(as.native && as.decimals == 18 && !strcmp(as.symbol, "ETH"));
	ct__acct_asset_get(st, 1, &as);
	CHECK(!as.native && as.decimals == 6 && !strcmp(as.symbol, "USDT"));
	ct_acct_total *tot;
	size_t nt;
	uint64_t ntx;
	int64_t f, l;
	CHECK(ct__acct_addr_totals(st, a[1], &tot, &nt, &ntx, &f, &l) == 0);
	CHECK(nt == 2 && ntx == 2 && f == 1000 && l == 1001);
	if (nt == 2) {
		char out[CT_ACCT_AMOUNT_STR];
		ct__acct_balance_str(out, sizeof(out), &tot[0].received, &tot[0].sent, &tot[0].fees,
		                     0);
		CHECK(strcmp(out, "1") == 0); /* 5 - 3 - 1 */
		CHECK(tot[1].n_in == 1 && tot[1].received.w[2] == 1);
	}
	free(tot);
	ct__acctstore_close(st);

	/* A second batch, then roll it back: the walk is as before. */
	CHECK(ct__acctstore_open(&st, dir, eth, 1) == 0);
	ct_acct_counts before = st->c;
	CHECK(ct__acct_tx_add(st, h2, 102, 1002, 0, &t2, &added) == 0 && added);
	memset(&x, 0, sizeof(x));
	x.from = a[2];
	x.to = a[1];
	x.tx = t2;
	x.time = 1002;
	x.amount.w[0] = 1;
	CHECK(ct__acct_xfer_add(st, &x) == 0);
	CHECK(ct__acctstore_commit(st) == 0);
	CHECK(ct__acct_addr_head_in(st, a[1]) == 4);
	CHECK(ct__acctstore_rollback(st, &before) == 0);
	CHECK(ct__acct_addr_head_in(st, a[1]) == 1);
	CHECK(ct__acct_addr_head_out(st, a[2]) == CT_ACCT_NONE);
	CHECK(ct__acct_tx_find(st, h2, &id) == CT_ENOTFOUND);
	/* An aborted batch leaves nothing. */
	key(&k, 50);
	CHECK(ct__acct_addr_add(st, &k, &id) == 0 && id == 4);
	ct__acctstore_abort(st);
	CHECK(st->w.addrs == 4 && st->w.assets == 2);
	/* blocks and rollback by number */
	uint8_t bh[32] = {7}, bp[32] = {6};
	CHECK(ct__acct_block_add(st, 500, bh, bp, 2000) == 0);
	CHECK(ct__acct_tx_add(st, NULL, 500, 2000, 0, &t2, &added) == 0);
	x.tx = t2;
	CHECK(ct__acct_xfer_add(st, &x) == 0);
	CHECK(ct__acct_block_add(st, 502, bh, bp, 2000) == CT_EUSER);
	bh[0] = 8;
	CHECK(ct__acct_block_add(st, 501, bh, bp, 2012) == 0);
	CHECK(ct__acctstore_commit(st) == 0);
	ct_acct_block tip;
	CHECK(ct__acct_tip(st, &tip) == 0 && tip.number == 501 && tip.hash[0] == 8);
	CHECK(ct__acctstore_rollback_block(st, 501) == 0);
	CHECK(ct__acct_tip(st, &tip) == 0 && tip.number == 500);
	CHECK(st->c.xfers == 5);
	CHECK(ct__acctstore_rollback_block(st, 500) == 0);
	CHECK(ct__acct_tip(st, &tip) == CT_ENOTFOUND && st->c.xfers == 4);
	ct__acctstore_close(st);
	ct__err_clear();
	ct__remove_tree(dir);
	char sub[4096];
	snprintf(sub, sizeof(sub), "%s/eth", dir);
	ct__remove_tree(sub);
	ct__remove_tree(dir);
}

/* Three blocks of transfers among a few addresses, one commit each. */
static void build_chain(const char *dir)
{
	const ct_acct_chain *eth = ct__acct_chain_find("eth");
	ct_acctstore *st = NULL;
	CHECK(ct__acctstore_open(&st, dir, eth, 1) == 0);
	if (!st)
		return;
	for (int b = 0; b < 3; b++) {
		uint8_t bh[32] = {(uint8_t)(b + 1)}, bp[32] = {(uint8_t)b};
		CHECK(ct__acct_block_add(st, 500 + (uint64_t)b, bh, bp, 1000 + b) == 0);
		for (int i = 0; i < 5; i++) {
			uint64_t t, f, to;
			int added;
			uint8_t h[32] = {(uint8_t)b, (uint8_t)i, 0x77};
			ct_acct_key k;
			key(&k, (b * 5 + i) % 4);
			CHECK(ct__acct_addr_add(st, &k, &f) == 0);
			key(&k, (b * 3 + i) % 6);
			CHECK(ct__acct_addr_add(st, &k, &to) == 0);
			CHECK(ct__acct_tx_add(st, h, 500 + (uint64_t)b, 1000 + b, 0, &t, &added) == 0);
			ct_acct_xfer x = {0};
			x.from = f;
			x.to = to;
			x.tx = t;
			x.time = 1000 + b;
			x.amount.w[0] = (uint64_t)(b * 10 + i + 1);
			CHECK(ct__acct_xfer_add(st, &x) == 0);
		}
		CHECK(ct__acctstore_commit(st) == 0);
	}
	ct__acctstore_close(st);
}

/* What readers see: counts, every head and every tx head. */
static void snapshot(const char *dir, char *out, size_t cap)
{
	const ct_acct_chain *eth = ct__acct_chain_find("eth");
	ct_acctstore *st = NULL;
	size_t o = 0;
	out[0] = 0;
	if (ct__acctstore_open(&st, dir, eth, 0) != 0)
		return;
	const ct_acct_counts *c = ct__acct_counts(st);
	o += (size_t)snprintf(out + o, cap - o, "%llu %llu %llu %llu;", (unsigned long long)c->blocks,
	                      (unsigned long long)c->txs, (unsigned long long)c->xfers,
	                      (unsigned long long)c->addrs);
	for (uint64_t a = 0; a < c->addrs && o < cap; a++)
		o += (size_t)snprintf(out + o, cap - o, "%lld/%lld ",
		                      (long long)ct__acct_addr_head_out(st, a),
		                      (long long)ct__acct_addr_head_in(st, a));
	for (uint64_t t = 0; t < c->txs && o < cap; t++) {
		ct_acct_tx tx;
		ct__acct_tx_get(st, t, &tx);
		o += (size_t)snprintf(out + o, cap - o, "t%lld ", (long long)tx.last);
	}
	ct__acctstore_close(st);
}

/* A reorg's rollback killed at each of its steps, then recovered by the
 * next writable open: readers see the clean rollback's state. */
static void test_rollback_crash(void)
{
	char ref[] = "/tmp/ct_acct_rbref_XXXXXX", cmd[512], want[8192], got[8192];
	CHECK(mkdtemp(ref) != NULL);
	build_chain(ref);
	const ct_acct_chain *eth = ct__acct_chain_find("eth");
	ct_acctstore *st = NULL;
	snapshot(ref, got, sizeof(got));
	CHECK(ct__acctstore_open(&st, ref, eth, 1) == 0);
	CHECK(st && ct__acctstore_rollback_block(st, 501) == 0);
	ct__acctstore_close(st);
	snapshot(ref, want, sizeof(want));
	CHECK(strncmp(want, "1 5 5 ", 6) == 0);
	for (int p = 1; p <= 4; p++) {
		char dir[] = "/tmp/ct_acct_rbc_XXXXXX";
		CHECK(mkdtemp(dir) != NULL);
		build_chain(dir);
		pid_t pid = fork();
		if (pid == 0) {
			char v[8];
			snprintf(v, sizeof(v), "%d", p);
			setenv("COINTRAIL_CRASH_AT", v, 1);
			ct_acctstore *c = NULL;
			if (ct__acctstore_open(&c, dir, eth, 1) == 0)
				ct__acctstore_rollback_block(c, 501);
			_exit(0);
		}
		int status = 0;
		waitpid(pid, &status, 0);
		if (p <= 3)
			CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
		/* recovery by a writer, then the reader's view */
		st = NULL;
		CHECK(ct__acctstore_open(&st, dir, eth, 1) == 0);
		ct__acctstore_close(st);
		snapshot(dir, got, sizeof(got));
		if (strcmp(got, want) != 0)
			fprintf(stderr, "rollback crash point %d:\n got  %s\n want %s\n", p, got, want);
		CHECK(strcmp(got, want) == 0);
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		CHECK(system(cmd) == 0);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", ref);
	CHECK(system(cmd) == 0);
	ct__err_clear();
}

int main(void)
{
	test_addresses();
	test_amounts();
	test_hex16();
	test_store();
	test_rollback_crash();
	TAP_DONE();
}
