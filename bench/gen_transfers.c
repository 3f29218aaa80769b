/*
 * gen_transfers.c - writes a large transfers CSV for the `ingest transfers`
 * benchmark (bench/transfers.sh): DESIGN.md's columns, rows in time order,
 * a skewed address population (a few hot addresses, a long tail), a tx
 * hash per row (every fifth tx carries a second, token transfer), ETH
 * amounts with 18 decimals and USDT amounts with 6.
 *
 * usage: gen_transfers ROWS ADDRESSES SEED > transfers.csv
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t s[2];

static uint64_t rnd(void)
{
	/* xorshift128+ */
	uint64_t a = s[0], b = s[1];
	s[0] = b;
	a ^= a << 23;
	s[1] = a ^ b ^ (a >> 17) ^ (b >> 26);
	return s[1] + b;
}

/* Address index with a skew: half the picks from the first 1%. */
static uint64_t pick(uint64_t n)
{
	uint64_t r = rnd();
	if (r & 1)
		return (r >> 1) % (n / 100 + 1);
	return (r >> 1) % n;
}

static void addr(char *out, uint64_t i)
{
	/* a deterministic 20-byte address for index i */
	uint64_t x = i * 0x9e3779b97f4a7c15ULL + 0x1234567, y = x ^ (x >> 31) * 0xbf58476d1ce4e5b9ULL;
	snprintf(out, 43, "0x%016llx%016llx%08x", (unsigned long long)x, (unsigned long long)y,
	         (unsigned)(i & 0xffffffffu));
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: gen_transfers ROWS ADDRESSES SEED\n");
		return 1;
	}
	uint64_t rows = strtoull(argv[1], NULL, 10), naddr = strtoull(argv[2], NULL, 10);
	s[0] = strtoull(argv[3], NULL, 10) * 0x9e3779b97f4a7c15ULL + 1;
	s[1] = 0x2545f4914f6cdd1dULL;
	if (naddr < 2)
		naddr = 2;
	static char buf[1 << 16];
	setvbuf(stdout, buf, _IOFBF, sizeof(buf));
	fputs("timestamp,from,to,amount,tx_hash,block_height,asset\n", stdout);
	int64_t t = 1609459200; /* 2021-01-01 */
	uint64_t height = 11565019, tx = 0;
	char from[48], to[48], ts[32];
	uint64_t h1 = 0, h2 = 0;
	for (uint64_t r = 0; r < rows; r++) {
		int token = 0;
		if (r % 6 == 5) {
			token = 1; /* a token transfer in the previous row's tx */
		} else {
			tx++;
			h1 = rnd();
			h2 = rnd();
			if (rnd() % 8 == 0) {
				t += 12;
				height++;
			}
		}
		addr(from, pick(naddr));
		addr(to, pick(naddr));
		struct tm tm;
		time_t tt = (time_t)t;
		gmtime_r(&tt, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
		if (token)
			printf("%s,%s,%s,%llu.%06llu,0x%016llx%016llx%016llx%016llx,%llu,"
			       "0xdac17f958d2ee523a2206206994597c13d831ec7\n",
			       ts, from, to, (unsigned long long)(rnd() % 100000),
			       (unsigned long long)(rnd() % 1000000), (unsigned long long)h1,
			       (unsigned long long)h2, (unsigned long long)tx, (unsigned long long)~tx,
			       (unsigned long long)height);
		else
			printf("%s,%s,%s,%llu.%018llu,0x%016llx%016llx%016llx%016llx,%llu,\n", ts, from, to,
			       (unsigned long long)(rnd() % 1000), (unsigned long long)(rnd() % 1000000000000000000ULL),
			       (unsigned long long)h1, (unsigned long long)h2, (unsigned long long)tx,
			       (unsigned long long)~tx, (unsigned long long)height);
	}
	return 0;
}
