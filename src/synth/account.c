/*
 * account.c - the account-model side of the generator: transfers.csv for
 * a NEM-like chain (XEM, 6 decimals) with its own background economy and
 * a planted hot-wallet drain in the shape of Coincheck's (January 2018).
 *
 * Rows are written in time order as they are made (only balances are
 * kept: one int64 per account). Background transfers arrive as a Poisson
 * process over 42 days from 2018-01-01; the drain's transfers are fixed
 * in time and merged in. Balances before the data are of unknown origin
 * (the accounts start funded), which DESIGN §5 treats as clean.
 *
 * Addresses are valid NEM mainnet addresses: base32 of version 0x68, a
 * 20-byte hash drawn from the seed and the first 4 bytes of Keccak-256 of
 * those 21 bytes.
 */
#include "synth/synth.h"

#include <stdlib.h>
#include <string.h>

#include "util/amount.h"
#include "util/encode.h"
#include "util/error.h"
#include "util/hash.h"

#define XEM 1000000LL        /* micro-XEM per XEM */
#define T_START 1514764800LL /* 2018-01-01T00:00:00Z */
#define SPAN (42LL * 86400)
#define T_DRAIN 1516892533LL /* 2018-01-25T15:02:13Z */
#define H_START 1450000LL    /* height at T_START, one block a minute */
#define NEXCH 6
#define NTHIEF 10
#define NDUST 30

enum { A_KIND_USER, A_KIND_EXCH, A_KIND_THIEF };

typedef struct row {
	int64_t t;
	uint32_t from, to;
	int64_t amount;
	uint8_t role; /* R_* below */
} row;

enum { R_BG, R_SEED, R_MOVE, R_DUST, R_DEPOSIT };

struct syn_acct {
	uint64_t seed;
	uint32_t nusers, n; /* accounts: users, then exchanges, then thieves */
	uint32_t first_exch, first_thief;
	uint64_t rows;
	int64_t *bal;
	char (*addr)[41]; /* every account's address, encoded once */
	/* incident records */
	row *ev;
	uint32_t nev;
	char (*ev_hash)[65];
	int64_t stolen, fees;
	int64_t t0, t1;
	int64_t day;   /* put_row: the day whose date is in date */
	char date[32];
};

static void nem_address(uint64_t seed, uint32_t acct, char out[41])
{
	static const char B32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	uint8_t raw[25], chk[32];
	raw[0] = 0x68; /* mainnet */
	uint64_t x = syn_mix3(seed, acct, 0x6e656d);
	for (int i = 0; i < 20; i++) {
		if (i % 8 == 0)
			x = syn_mix3(x, (uint64_t)i, 0x6e656d);
		raw[1 + i] = (uint8_t)(x >> (8 * (i % 8)));
	}
	ct__keccak256(chk, raw, 21);
	memcpy(raw + 21, chk, 4);
	/* 25 bytes = 200 bits = 40 base32 characters, no padding */
	uint32_t buf = 0;
	int bits = 0, o = 0;
	for (int i = 0; i < 25; i++) {
		buf = buf << 8 | raw[i];
		bits += 8;
		while (bits >= 5) {
			out[o++] = B32[(buf >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	out[o] = '\0';
}

/* NEM's fee schedule of 2018: 0.05 XEM per 10,000 XEM, 0.05 minimum,
 * 1.25 maximum. */
static int64_t nem_fee(int64_t amount)
{
	int64_t f = (amount / (10000 * XEM)) * (XEM / 20);
	if (f < XEM / 20)
		f = XEM / 20;
	if (f > XEM + XEM / 4)
		f = XEM + XEM / 4;
	return f;
}

static const char *acct_kind(const struct syn_acct *a, uint32_t i)
{
	return i >= a->first_thief ? "thief" : i >= a->first_exch ? "exchange" : "user";
}

static void acct_name(const struct syn_acct *a, uint32_t i, char *out, size_t cap)
{
	if (i >= a->first_thief)
		snprintf(out, cap, "nem-thief-1");
	else if (i >= a->first_exch)
		snprintf(out, cap, "nem-exchange-%u", i - a->first_exch + 1);
	else
		snprintf(out, cap, "nem-user-%u", i + 1);
}

static int add_ev(struct syn_acct *a, int64_t t, uint32_t from, uint32_t to, int64_t amount,
                  uint8_t role)
{
	row *v = ct__realloc(a->ev, (a->nev + 1) * sizeof(*v));
	if (!v)
		return CT_ENOMEM;
	a->ev = v;
	v[a->nev].t = t;
	v[a->nev].from = from;
	v[a->nev].to = to;
	v[a->nev].amount = amount;
	v[a->nev++].role = role;
	return 0;
}

static int ev_cmp(const void *x, const void *y)
{
	const row *a = x, *b = y;
	return (a->t > b->t) - (a->t < b->t);
}

/* The drain's script. Amounts of later moves are fractions of what the
 * thief accounts hold then, so they are fixed here from the plan. */
static int plan_drain(struct syn_acct *a, syn_rng *r)
{
	uint32_t v = a->first_exch, T = a->first_thief;
	int rc;
	static const int64_t mins[8] = {0, 120, 185, 290, 415, 500, 830, 1140};
	static const int64_t amts[8] = {10, 100000000, 100000000, 100000000,
	                                100000000, 100000000, 20000000, 3000000};
	for (int i = 0; i < 8; i++)
		if ((rc = add_ev(a, T_DRAIN + mins[i] + (int64_t)syn_below(r, 40), v, T,
		                 amts[i] * XEM, R_SEED)) < 0)
			return rc;
	/* Hours later: dispersal to nine accounts, most of the haul. */
	int64_t disp[NTHIEF] = {0}, tot = 0;
	for (int k = 1; k < NTHIEF; k++)
		tot += disp[k] = (int64_t)(30 + syn_below(r, 40)) * 1000000 * XEM;
	int64_t t = T_DRAIN + 9 * 3600 + (int64_t)syn_below(r, 3600);
	for (int k = 1; k < NTHIEF; k++, t += 60 + (int64_t)syn_below(r, 400))
		if ((rc = add_ev(a, t, T, T + (uint32_t)k, disp[k], R_MOVE)) < 0)
			return rc;
	/* A round trip between two of them. */
	t = T_DRAIN + 30 * 3600;
	if ((rc = add_ev(a, t, T + 2, T + 3, 1000000 * XEM, R_MOVE)) < 0 ||
	    (rc = add_ev(a, t + 5400, T + 3, T + 2, 1000000 * XEM, R_MOVE)) < 0)
		return rc;
	/* Dusting unrelated users with tiny amounts. */
	t = T_DRAIN + 2 * 86400;
	for (int k = 0; k < NDUST; k++, t += 20 + (int64_t)syn_below(r, 120)) {
		uint32_t u = (uint32_t)syn_below(r, a->nusers);
		if ((rc = add_ev(a, t, T + 1, u, 1 + (int64_t)syn_below(r, 1000), R_DUST)) < 0)
			return rc;
	}
	/* Days later: deposits at two exchanges (exchange-2 and exchange-3). */
	t = T_DRAIN + 6 * 86400;
	for (int k = 4; k <= 8; k++)
		for (int d = 0; d < 2; d++, t += 3600 + (int64_t)syn_below(r, 20000)) {
			uint32_t e = a->first_exch + (k <= 6 ? 1 : 2);
			int64_t amt = disp[k] * (int64_t)(5 + syn_below(r, 10)) / 100;
			if ((rc = add_ev(a, t, T + (uint32_t)k, e, amt - amt % XEM, R_DEPOSIT)) < 0)
				return rc;
		}
	qsort(a->ev, a->nev, sizeof(*a->ev), ev_cmp);
	a->ev_hash = ct__calloc(a->nev, sizeof(*a->ev_hash));
	return a->ev_hash ? 0 : CT_ENOMEM;
}

static char *put_dec(char *p, uint64_t v)
{
	char t[24];
	int n = 0;
	do
		t[n++] = (char)('0' + v % 10);
	while (v /= 10);
	while (n)
		*p++ = t[--n];
	return p;
}

/* v micro-XEM as ct__amount_str(.., 6) writes it: "int.frac", six
 * decimals. */
static char *put_xem(char *p, int64_t v)
{
	if (v < 0) {
		char t[40];
		ct__amount_str(t, sizeof(t), v, 6);
		size_t n = strlen(t);
		memcpy(p, t, n);
		return p + n;
	}
	p = put_dec(p, (uint64_t)v / 1000000);
	*p++ = '.';
	uint32_t f = (uint32_t)((uint64_t)v % 1000000);
	for (int i = 5; i >= 0; i--) {
		p[i] = (char)('0' + f % 10);
		f /= 10;
	}
	return p + 6;
}

static char *put_2(char *p, unsigned v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
	return p + 2;
}

/* One row, formatted by hand (rows are many; printf and strftime were a
 * large part of this thread's time): the same text as
 * "%s,%s,%s,%s,%s,%lld,,nem,%s\n" of ct__time_str, the addresses,
 * ct__amount_str, ct__hex, the height and the fee. */
static int put_row(struct syn_acct *a, FILE *f, syn_rng *r, const row *x, char *hash_out)
{
	static const char HEXD[] = "0123456789abcdef";
	char line[256], *p = line;
	uint8_t h[32];
	int64_t fe = nem_fee(x->amount);
	if (a->bal[x->from] < x->amount + fe)
		return 1;
	a->bal[x->from] -= x->amount + fe;
	a->bal[x->to] += x->amount;
	int64_t day = x->t / 86400, sec = x->t % 86400; /* times are after 2018 */
	if (day != a->day) { /* the date part, once a day */
		ct__time_str(a->date, sizeof(a->date), day * 86400);
		a->date[11] = '\0'; /* "YYYY-MM-DDT" */
		a->day = day;
	}
	memcpy(p, a->date, 11);
	p = put_2(p + 11, (unsigned)(sec / 3600));
	*p++ = ':';
	p = put_2(p, (unsigned)(sec / 60 % 60));
	*p++ = ':';
	p = put_2(p, (unsigned)(sec % 60));
	*p++ = 'Z';
	*p++ = ',';
	memcpy(p, a->addr[x->from], 40);
	p += 40;
	*p++ = ',';
	memcpy(p, a->addr[x->to], 40);
	p += 40;
	*p++ = ',';
	p = put_xem(p, x->amount);
	*p++ = ',';
	syn_fill(r, h, 32);
	char *hex = p;
	for (int i = 0; i < 32; i++) {
		*p++ = HEXD[h[i] >> 4];
		*p++ = HEXD[h[i] & 15];
	}
	if (hash_out) {
		memcpy(hash_out, hex, 64);
		hash_out[64] = '\0';
	}
	*p++ = ',';
	int64_t height = H_START + (x->t - T_START) / 60;
	if (height < 0) {
		*p++ = '-';
		height = -height;
	}
	p = put_dec(p, (uint64_t)height);
	memcpy(p, ",,nem,", 6);
	p = put_xem(p + 6, fe);
	*p++ = '\n';
	fwrite(line, 1, (size_t)(p - line), f); /* errors: ferror at the end */
	a->rows++;
	return 0;
}

int syn_acct_run(const syn_opts *o, const char *csv_path, struct syn_acct **out)
{
	struct syn_acct *a = ct__calloc(1, sizeof(*a));
	FILE *f = NULL;
	int rc = 0;
	syn_rng r;
	if (!a)
		return CT_ENOMEM;
	*out = a;
	a->day = -1;
	syn_rng_seed(&r, o->seed, 2);
	a->seed = o->seed ^ 0x4e454d;
	uint64_t rows = o->transfers;
	uint64_t nu = rows / 20;
	a->nusers = (uint32_t)(nu < 200 ? 200 : nu > 200000 ? 200000 : nu);
	a->first_exch = a->nusers;
	a->first_thief = a->first_exch + NEXCH;
	a->n = a->first_thief + NTHIEF;
	a->bal = ct__calloc(a->n, sizeof(*a->bal));
	a->addr = ct__calloc(a->n, sizeof(*a->addr));
	if (!a->bal || !a->addr)
		return CT_ENOMEM;
	for (uint32_t i = 0; i < a->n; i++)
		nem_address(a->seed, i, a->addr[i]);
	for (uint32_t i = 0; i < a->nusers; i++)
		a->bal[i] = (int64_t)syn_lognormal(&r, 20000.0 * XEM, 1.5);
	for (uint32_t e = 0; e < NEXCH; e++)
		a->bal[a->first_exch + e] = (e == 0 ? 600000000LL : 80000000LL / (e + 1)) * XEM;
	if ((rc = plan_drain(a, &r)) < 0)
		return rc;

	f = fopen(csv_path, "w");
	if (!f)
		return ct__err_sys("synth: cannot create %s", csv_path);
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	fprintf(f, "timestamp,from,to,amount,tx_hash,block_height,asset,chain,fee\n");

	uint64_t nbg = rows > a->nev ? rows - a->nev : 0;
	double gap = (double)SPAN / (double)(nbg + 1);
	double t = (double)T_START;
	uint32_t next_ev = 0, fails = 0;
	for (uint64_t i = 0; i < nbg;) {
		t += syn_exp(&r, gap);
		if (t >= (double)(T_START + SPAN))
			t = (double)(T_START + SPAN) - 1;
		while (next_ev < a->nev && a->ev[next_ev].t <= (int64_t)t) {
			row *x = &a->ev[next_ev];
			if (put_row(a, f, &r, x, a->ev_hash[next_ev]) != 0) {
				rc = ct__err(CT_EINTERNAL, "synth: nem incident transfer %u unfunded", next_ev);
				goto done;
			}
			next_ev++;
		}
		row x;
		x.t = (int64_t)t;
		x.role = R_BG;
		double u = syn_unif(&r);
		uint32_t e = a->first_exch + (uint32_t)syn_below(&r, NEXCH);
		uint32_t p = (uint32_t)syn_below(&r, a->nusers), q = (uint32_t)syn_below(&r, a->nusers);
		if (u < 0.6) {
			x.from = p;
			x.to = q == p ? (q + 1) % a->nusers : q;
		} else if (u < 0.8) {
			x.from = p;
			x.to = e;
		} else {
			x.from = e;
			x.to = q;
		}
		x.amount = (int64_t)syn_lognormal(&r, 2000.0 * XEM, 1.5);
		if (x.amount < 1)
			x.amount = 1;
		if (x.from < a->nusers && x.amount > a->bal[x.from] / 2)
			x.amount = a->bal[x.from] / 2;
		/* The victim's hot wallet keeps what the drain will take. */
		int keep = x.from == a->first_exch && next_ev < a->nev &&
		           a->bal[x.from] - x.amount < 530000000LL * XEM;
		if (keep || x.amount < 1 || put_row(a, f, &r, &x, NULL) != 0) {
			if (++fails > 100000000u) {
				rc = ct__err(CT_EINTERNAL, "synth: nem economy cannot fund transfers");
				goto done;
			}
			continue;
		}
		fails = 0;
		i++;
	}
	for (; next_ev < a->nev; next_ev++)
		if (put_row(a, f, &r, &a->ev[next_ev], a->ev_hash[next_ev]) != 0) {
			rc = ct__err(CT_EINTERNAL, "synth: nem incident transfer %u unfunded", next_ev);
			goto done;
		}
done:;
	int bad = ferror(f);
	if ((fclose(f) != 0 || bad) && rc == 0)
		rc = ct__err_sys("synth: writing %s", csv_path);
	return rc;
}

void syn_acct_free(struct syn_acct *a)
{
	if (!a)
		return;
	free(a->bal);
	free(a->addr);
	free(a->ev);
	free(a->ev_hash);
	free(a);
}

static void put_nem(const struct syn_acct *a, FILE *f, uint32_t i)
{
	fprintf(f, "\"%s\"", a->addr[i]);
}

static void put_list(const struct syn_acct *a, FILE *f, const char *key, uint8_t role,
                     int to_exchange)
{
	/* one entry per receiving account, amounts summed */
	char name[64];
	int first = 1;
	fprintf(f, ",\n   \"%s\": [", key);
	for (uint32_t i = 0; i < a->nev; i++) {
		const row *x = &a->ev[i];
		if (x->role != role || (to_exchange && x->to < a->first_exch))
			continue;
		int seen = 0;
		for (uint32_t j = 0; j < i; j++)
			seen |= a->ev[j].role == role && a->ev[j].to == x->to;
		if (seen)
			continue;
		int64_t sum = 0;
		for (uint32_t j = i; j < a->nev; j++)
			if (a->ev[j].role == role && a->ev[j].to == x->to)
				sum += a->ev[j].amount;
		acct_name(a, x->to, name, sizeof(name));
		fprintf(f, "%s\n    {\"address\": ", first ? "" : ",");
		put_nem(a, f, x->to);
		fprintf(f, ", \"amount\": ");
		syn_json_amount(f, (uint64_t)sum, 6);
		fprintf(f, ", \"entity\": \"%s\", \"entity_kind\": \"%s\"}", name, acct_kind(a, x->to));
		first = 0;
	}
	fprintf(f, "%s]", first ? "" : "\n   ");
}

int syn_acct_write_truth(const struct syn_acct *a, FILE *f)
{
	char ts[32], name[64];
	int64_t stolen = 0, fees = 0, held = 0;
	for (uint32_t i = 0; i < a->nev; i++) {
		if (a->ev[i].role == R_SEED)
			stolen += a->ev[i].amount;
		else
			fees += nem_fee(a->ev[i].amount);
	}
	fprintf(f, "{\"name\": \"coincheck-drain\", \"kind\": \"theft\", \"chain\": \"nem\", "
	           "\"asset\": \"XEM\",");
	fprintf(f, "\n   \"description\": \"Coincheck's shape: a 10 XEM test transfer, five of "
	           "100M, then 20M and 3M within about 19 minutes; dispersal to nine accounts hours "
	           "later; a round trip; dusting of unrelated users; deposits at two exchanges days "
	           "later\",");
	acct_name(a, a->first_exch, name, sizeof(name));
	fprintf(f, "\n   \"actor\": \"nem-thief-1\", \"actor_kind\": \"thief\", \"victim\": \"%s\",",
	        name);
	fprintf(f, "\n   \"complete\": true, \"conserved\": true,");
	ct__time_str(ts, sizeof(ts), a->ev[0].t);
	fprintf(f, "\n   \"start_time\": \"%s\"", ts);
	ct__time_str(ts, sizeof(ts), a->ev[a->nev - 1].t);
	fprintf(f, ", \"end_time\": \"%s\",", ts);
	fprintf(f, "\n   \"stolen\": ");
	syn_json_amount(f, (uint64_t)stolen, 6);
	fprintf(f, ", \"fees\": ");
	syn_json_amount(f, (uint64_t)fees, 6);
	fprintf(f, ",\n   \"seed_addresses\": [");
	put_nem(a, f, a->first_thief);
	fprintf(f, "],\n   \"seed_txids\": [");
	int first = 1;
	for (uint32_t i = 0; i < a->nev; i++)
		if (a->ev[i].role == R_SEED) {
			fprintf(f, "%s\"%s\"", first ? "" : ", ", a->ev_hash[i]);
			first = 0;
		}
	fputc(']', f);
	put_list(a, f, "endpoints", R_DEPOSIT, 1);
	put_list(a, f, "bystanders", R_DUST, 0);
	fprintf(f, ",\n   \"holdings\": [");
	for (uint32_t k = 0; k < NTHIEF; k++) {
		held += a->bal[a->first_thief + k];
		fprintf(f, "%s\n    {\"address\": ", k ? "," : "");
		put_nem(a, f, a->first_thief + k);
		fprintf(f, ", \"amount\": ");
		syn_json_amount(f, (uint64_t)a->bal[a->first_thief + k], 6);
		fprintf(f, ", \"entity\": \"nem-thief-1\", \"entity_kind\": \"thief\"}");
	}
	fprintf(f, "\n   ]");
	/* The dispersal and the round trip, named for pattern checks. */
	fprintf(f, ",\n   \"patterns\": [{\"kind\": \"fan-out\", \"addresses\": [");
	for (uint32_t k = 0; k < NTHIEF; k++) {
		fputs(k ? ", " : "", f);
		put_nem(a, f, a->first_thief + k);
	}
	fprintf(f, "]}, {\"kind\": \"round-trip\", \"addresses\": [");
	put_nem(a, f, a->first_thief + 2);
	fputs(", ", f);
	put_nem(a, f, a->first_thief + 3);
	fprintf(f, "]}, {\"kind\": \"dusting\", \"addresses\": [");
	put_nem(a, f, a->first_thief + 1);
	fprintf(f, "]}],\n   \"txids\": [");
	for (uint32_t i = 0; i < a->nev; i++)
		fprintf(f, "%s\"%s\"", i ? ", " : "", a->ev_hash[i]);
	fprintf(f, "]}");
	(void)held;
	return ferror(f) ? ct__err_sys("synth: writing truth.json") : 0;
}

int syn_acct_write_accounts(const struct syn_acct *a, FILE *f)
{
	char name[64];
	fprintf(f, "[");
	for (uint32_t i = 0; i < a->first_thief; i++) {
		acct_name(a, i, name, sizeof(name));
		fprintf(f, "%s\n  {\"name\": \"%s\", \"kind\": \"%s\", \"chain\": \"nem\", \"addresses\": [",
		        i ? "," : "", name, acct_kind(a, i));
		put_nem(a, f, i);
		fprintf(f, "]}");
	}
	fprintf(f, ",\n  {\"name\": \"nem-thief-1\", \"kind\": \"thief\", \"chain\": \"nem\", "
	           "\"addresses\": [");
	for (uint32_t k = 0; k < NTHIEF; k++) {
		fputs(k ? ", " : "", f);
		put_nem(a, f, a->first_thief + k);
	}
	fprintf(f, "]}\n ]");
	return ferror(f) ? ct__err_sys("synth: writing truth.json") : 0;
}
