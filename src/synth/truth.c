/*
 * truth.c - truth.json, the ground truth of a generated data set
 * (schema in docs/synth.md).
 *
 * Written once at the end, streaming: incidents first (small, so a reader
 * can stop early), then the NEM accounts, then every BTC wallet with all
 * its addresses. Addresses are re-derived from (seed, wallet, index)
 * rather than remembered, so memory stays bounded by the number of
 * wallets; the cost is one key derivation and one address encoding per
 * address.
 */
#include "synth/synth.h"

#include <stdlib.h>

#include "util/amount.h"
#include "util/error.h"

void syn_json_amount(FILE *f, uint64_t v, int decimals)
{
	char buf[48];
	ct__amount_ustr(buf, sizeof(buf), v, decimals);
	fprintf(f, "\"%s\"", buf);
}

static void put_hist(FILE *f, const char *key, const uint64_t *h)
{
	fprintf(f, "\"%s\": {\"1\": %llu, \"2\": %llu, \"3\": %llu, \"4-9\": %llu, "
	           "\"10-99\": %llu, \"100+\": %llu}",
	        key, (unsigned long long)h[0], (unsigned long long)h[1], (unsigned long long)h[2],
	        (unsigned long long)h[3], (unsigned long long)h[4], (unsigned long long)h[5]);
}

static void put_stats(syn_sim *s, FILE *f)
{
	static const char *const tn[ST_COUNT + 1] = {
		"p2pk", "p2pkh", "p2sh-multisig", "p2sh-p2wpkh", "p2wpkh", "p2wsh", "p2tr", "op_return",
	};
	const syn_stats *st = &s->st;
	fprintf(f, ",\n \"stats\": {\"txs\": %llu, \"inputs\": %llu, \"outputs\": %llu, "
	           "\"bytes\": %llu, \"segwit_txs\": %llu, \"coinjoins\": %llu, "
	           "\"outputs_to_used_addresses\": %llu,\n  ",
	        (unsigned long long)st->txs, (unsigned long long)st->inputs,
	        (unsigned long long)st->outputs, (unsigned long long)st->bytes,
	        (unsigned long long)st->segwit_txs, (unsigned long long)st->coinjoins,
	        (unsigned long long)st->reused_outputs);
	put_hist(f, "inputs_per_tx", st->nin_hist);
	fprintf(f, ",\n  ");
	put_hist(f, "outputs_per_tx", st->nout_hist);
	fprintf(f, ",\n  \"output_types\": {");
	for (int i = 0; i <= ST_COUNT; i++)
		fprintf(f, "%s\"%s\": %llu", i ? ", " : "", tn[i], (unsigned long long)st->out_type[i]);
	fprintf(f, "}}");
}

static int put_wallet(syn_sim *s, ct_hasher *h, FILE *f, uint32_t w, int *first)
{
	const syn_wallet *x = &s->w[w];
	char name[64], a[128];
	int n = 0;
	uint8_t *bits = x->kind == K_EXCHANGE ? s->depbits[w - s->first_exch] : NULL;
	for (uint32_t i = 0; i < x->naddr; i++) {
		if (i < x->nh && !((x->hused >> i) & 1))
			continue;
		syn_akey k = syn_key(s, w, i);
		if (syn_addr_str(s->o.seed, h, s->net, &k, a, sizeof(a)) < 0)
			return ct__err(CT_EINTERNAL, "synth: cannot encode an address");
		if (!n++) {
			syn_wallet_name(s, w, name, sizeof(name));
			fprintf(f, "%s\n  {\"name\": \"%s\", \"kind\": \"%s\", \"chain\": \"%s\", "
			           "\"addresses\": [",
			        *first ? "" : ",", name, syn_kind_name[x->kind], s->net->chain);
			*first = 0;
		}
		fprintf(f, "%s\"%s\"", n > 1 ? ", " : "", a);
	}
	if (bits)
		for (uint32_t c = 0; c < s->nw; c++) {
			if (!((bits[c / 8] >> (c % 8)) & 1))
				continue;
			syn_akey k = syn_key(s, w, SYN_DEP_BASE + c);
			if (syn_addr_str(s->o.seed, h, s->net, &k, a, sizeof(a)) < 0)
				return ct__err(CT_EINTERNAL, "synth: cannot encode an address");
			if (!n++) {
				syn_wallet_name(s, w, name, sizeof(name));
				fprintf(f, "%s\n  {\"name\": \"%s\", \"kind\": \"%s\", \"chain\": \"%s\", "
				           "\"addresses\": [",
				        *first ? "" : ",", name, syn_kind_name[x->kind], s->net->chain);
				*first = 0;
			}
			fprintf(f, "%s\"%s\"", n > 1 ? ", " : "", a);
		}
	if (n)
		fprintf(f, "]}");
	return 0;
}

/* Wallets [from, to) rendered by one thread; `first` says whether the
 * first entry needs no leading comma. */
struct wpart {
	syn_sim *s;
	uint32_t from, to;
	FILE *f;
	int first, rc;
	char err[256];
};

static void *wallet_part(void *arg)
{
	struct wpart *p = arg;
	ct_hasher *h = NULL;
	p->rc = ct__hasher_new(&h);
	for (uint32_t w = p->from; w < p->to && p->rc == 0; w++)
		p->rc = put_wallet(p->s, h, p->f, w, &p->first);
	ct__hasher_free(h);
	if (p->rc < 0)
		snprintf(p->err, sizeof(p->err), "%s", ct_error_last());
	return NULL;
}

static uint32_t split_point(const syn_sim *s)
{
	/* half of the addresses on each side (customers' deposit addresses
	 * counted with their exchange) */
	uint64_t total = 0, acc = 0;
	for (uint32_t w = 0; w < s->nw; w++)
		total += s->w[w].naddr;
	for (uint32_t e = 0; e < s->nexch; e++)
		for (uint32_t b = 0; b < (s->nw + 7) / 8; b++)
			total += (uint64_t)__builtin_popcount(s->depbits[e][b]);
	for (uint32_t w = 0; w < s->nw; w++) {
		acc += s->w[w].naddr;
		if (acc * 2 >= total)
			return w + 1;
	}
	return s->nw;
}

int syn_truth_write(syn_sim *s, const char *path, const struct syn_acct *acct)
{
	FILE *f = fopen(path, "w");
	char t0[32], t1[32];
	int rc = 0, first = 1;
	if (!f)
		return ct__err_sys("synth: cannot create %s", path);
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	ct__time_str(t0, sizeof(t0), s->start_time);
	ct__time_str(t1, sizeof(t1), s->time);
	fprintf(f, "{\"format\": \"cointrail-synth-truth/1\",\n \"seed\": %llu, \"network\": \"%s\", "
	           "\"chain\": \"%s\", \"legacy\": %s,\n \"blocks\": %llu, \"txs\": %llu, "
	           "\"start_time\": \"%s\", \"end_time\": \"%s\",\n \"amount_decimals\": 8",
	        (unsigned long long)s->o.seed, s->net->name, s->net->chain,
	        s->o.legacy ? "true" : "false", (unsigned long long)s->height,
	        (unsigned long long)s->st.txs, t0, t1);
	if (acct)
		fprintf(f, ",\n \"transfers\": {\"file\": \"transfers.csv\", \"chain\": \"nem\", "
		           "\"asset\": \"XEM\", \"decimals\": 6, \"rows\": %llu}",
		        (unsigned long long)s->o.transfers);
	put_stats(s, f);
	fprintf(f, ",\n \"incidents\": [");
	int count = 0;
	if ((rc = syn_inc_write(s, f, &count)) < 0)
		goto done;
	if (acct) {
		/* the account-model incident joins the same array */
		fprintf(f, "%s\n  ", count ? "," : "");
		if ((rc = syn_acct_write_truth(acct, f)) < 0)
			goto done;
	}
	fprintf(f, "\n ]");
	if (acct) {
		fprintf(f, ",\n \"accounts\": ");
		if ((rc = syn_acct_write_accounts(acct, f)) < 0)
			goto done;
	}
	if (s->o.no_membership) {
		fprintf(f, ",\n \"membership\": false\n}\n");
		goto done;
	}
	fprintf(f, ",\n \"membership\": true,\n \"wallets\": [");
	/* Two threads render the addresses: the second half goes to a side
	 * file, appended after the first half. */
	{
		char side[4200];
		snprintf(side, sizeof(side), "%s/wallets.part", s->dir);
		struct wpart b = {s, split_point(s), s->nw, fopen(side, "w+"), 0, 0, {0}};
		pthread_t th;
		if (!b.f) {
			rc = ct__err_sys("synth: cannot create %s", side);
			goto done;
		}
		if (pthread_create(&th, NULL, wallet_part, &b) != 0) {
			fclose(b.f);
			remove(side);
			rc = ct__err(CT_EINTERNAL, "synth: cannot start a thread");
			goto done;
		}
		for (uint32_t w = 0; w < b.from && rc == 0; w++)
			rc = put_wallet(s, s->h, f, w, &first);
		pthread_join(th, NULL);
		if (rc == 0 && b.rc < 0)
			rc = ct__err(b.rc, "%s", b.err);
		if (rc == 0) {
			char buf[1 << 16];
			size_t got;
			rewind(b.f);
			/* the side file's entries all start with a comma */
			int skip = first;
			while ((got = fread(buf, 1, sizeof(buf), b.f)) > 0) {
				size_t off = skip ? 1 : 0;
				skip = 0;
				if (fwrite(buf + off, 1, got - off, f) != got - off) {
					rc = ct__err_sys("synth: writing %s", path);
					break;
				}
			}
		}
		fclose(b.f);
		remove(side);
		if (rc < 0)
			goto done;
	}
	fprintf(f, "\n ]\n}\n");
done:
	if (fclose(f) != 0 && rc == 0)
		rc = ct__err_sys("synth: writing %s", path);
	return rc;
}
