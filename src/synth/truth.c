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
#include <string.h>
#include <unistd.h>

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

/* ---- the wallets' addresses --------------------------------------------
 *
 * Most of truth.json: every address on chain, under its wallet, each
 * re-derived from (seed, wallet, index) and hashed and encoded again.
 * Wallet w's list has positions [0, naddr) (its sequential indices; the
 * unused ones of its first nh "hot" indices are left out), then, for an
 * exchange, one position per wallet id c (its deposit address for
 * customer c, when used). The positions of all wallets, in order, are cut
 * into chunks of about CHUNK_POS; threads render chunks into buffers and
 * write them in order, so the file is the same whatever the timing. */

#define CHUNK_POS 32768u
#define MAX_THREADS 8

typedef struct wchunk {
	uint32_t w0, p0; /* first (wallet, position) */
	uint32_t w1, p1; /* end, exclusive */
} wchunk;

typedef struct wlist {
	syn_sim *s;
	uint32_t *fp, *lp; /* per wallet: first and last listed position (UINT32_MAX: none) */
	uint32_t first_w;  /* the first wallet listed: no comma before it */
	wchunk *ch;
	size_t nch;
	FILE *f;
	const char *path;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	size_t next, written; /* next chunk to render; chunks written */
	int rc;
	char err[256];
} wlist;

static uint32_t npos(const syn_sim *s, uint32_t w)
{
	return s->w[w].naddr + (s->w[w].kind == K_EXCHANGE ? s->nw : 0);
}

/* Is position pos of wallet w listed? Its key into *k if so. */
static int listed(const syn_sim *s, uint32_t w, uint32_t pos, syn_akey *k)
{
	const syn_wallet *x = &s->w[w];
	if (pos < x->naddr) {
		if (pos < x->nh && !((x->hused >> pos) & 1))
			return 0;
		*k = syn_key(s, w, pos);
		return 1;
	}
	uint32_t c = pos - x->naddr;
	const uint8_t *bits = s->depbits[w - s->first_exch];
	if (!((bits[c / 8] >> (c % 8)) & 1))
		return 0;
	*k = syn_key(s, w, SYN_DEP_BASE + c);
	return 1;
}

typedef struct sbuf {
	char *p;
	size_t n, cap;
} sbuf;

static int sb_room(sbuf *b, size_t more)
{
	if (b->n + more <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 1 << 20;
	while (cap < b->n + more)
		cap *= 2;
	char *p = ct__realloc(b->p, cap);
	if (!p)
		return CT_ENOMEM;
	b->p = p;
	b->cap = cap;
	return 0;
}

/* The addresses gathered by render, their programs hashed in one batch,
 * then written out in order. */
typedef struct pend {
	syn_akey k[SYN_PROG_BATCH];
	uint32_t pos[SYN_PROG_BATCH];
	size_t n;
} pend;

static int flush(wlist *L, pend *q, sbuf *b)
{
	syn_sim *s = L->s;
	uint8_t prog[SYN_PROG_BATCH][32], len[SYN_PROG_BATCH];
	char name[64], addr[SYN_PROG_BATCH][128];
	syn_programs(s->o.seed, q->k, q->n, prog, len, NULL);
	if (syn_addr_prog_strs(s->net, q->k, q->n, prog, len, addr[0], sizeof(addr[0])) < 0)
		return ct__err(CT_EINTERNAL, "synth: cannot encode an address");
	for (size_t j = 0; j < q->n; j++) {
		uint32_t w = q->k[j].w, pos = q->pos[j];
		if (sb_room(b, 512) < 0)
			return CT_ENOMEM;
		if (pos == L->fp[w]) {
			syn_wallet_name(s, w, name, sizeof(name));
			b->n += (size_t)snprintf(b->p + b->n, 512,
			                         "%s\n  {\"name\": \"%s\", \"kind\": \"%s\", \"chain\": "
			                         "\"%s\", \"addresses\": [\"",
			                         w == L->first_w ? "" : ",", name,
			                         syn_kind_name[s->w[w].kind], s->net->chain);
		} else {
			memcpy(b->p + b->n, ", \"", 3);
			b->n += 3;
		}
		size_t al = strlen(addr[j]);
		memcpy(b->p + b->n, addr[j], al);
		b->n += al;
		b->p[b->n++] = '"';
		if (pos == L->lp[w]) {
			b->p[b->n++] = ']';
			b->p[b->n++] = '}';
		}
	}
	q->n = 0;
	return 0;
}

static int render(wlist *L, const wchunk *c, sbuf *b)
{
	syn_sim *s = L->s;
	pend q;
	int rc;
	b->n = 0;
	q.n = 0;
	for (uint32_t w = c->w0; w <= c->w1 && w < s->nw; w++) {
		if (L->fp[w] == UINT32_MAX)
			continue;
		uint32_t from = w == c->w0 ? c->p0 : 0, to = w == c->w1 ? c->p1 : npos(s, w);
		if (from < L->fp[w])
			from = L->fp[w];
		if (to > L->lp[w] + 1)
			to = L->lp[w] + 1;
		for (uint32_t pos = from; pos < to; pos++) {
			if (!listed(s, w, pos, &q.k[q.n]))
				continue;
			q.pos[q.n++] = pos;
			if (q.n == SYN_PROG_BATCH && (rc = flush(L, &q, b)) < 0)
				return rc;
		}
	}
	return flush(L, &q, b);
}

static void *wl_thread(void *arg)
{
	wlist *L = arg;
	sbuf b = {NULL, 0, 0};
	pthread_mutex_lock(&L->mu);
	while (L->next < L->nch && !L->rc) {
		size_t k = L->next++;
		pthread_mutex_unlock(&L->mu);
		int rc = render(L, &L->ch[k], &b);
		pthread_mutex_lock(&L->mu);
		while (L->written != k && !L->rc)
			pthread_cond_wait(&L->cv, &L->mu);
		if (!L->rc && rc == 0) {
			/* our turn: the chunks before are written */
			pthread_mutex_unlock(&L->mu);
			if (fwrite(b.p, 1, b.n, L->f) != b.n)
				rc = ct__err_sys("synth: writing %s", L->path);
			pthread_mutex_lock(&L->mu);
		}
		if (rc < 0 && !L->rc) {
			L->rc = rc;
			snprintf(L->err, sizeof(L->err), "%s", ct_error_last());
		}
		L->written = k + 1;
		pthread_cond_broadcast(&L->cv);
	}
	pthread_mutex_unlock(&L->mu);
	free(b.p);
	return NULL;
}

static int put_wallets(syn_sim *s, FILE *f, const char *path)
{
	wlist L;
	int rc = 0;
	memset(&L, 0, sizeof(L));
	L.s = s;
	L.f = f;
	L.path = path;
	L.first_w = UINT32_MAX;
	L.fp = ct__malloc(s->nw * sizeof(uint32_t));
	L.lp = ct__malloc(s->nw * sizeof(uint32_t));
	if (!L.fp || !L.lp) {
		rc = CT_ENOMEM;
		goto out;
	}
	/* which positions are listed first and last; the chunks */
	uint64_t total = 0;
	for (uint32_t w = 0; w < s->nw; w++)
		total += npos(s, w);
	size_t cap = (size_t)(total / CHUNK_POS) + s->nexch + 2;
	if (!(L.ch = ct__malloc(cap * sizeof(*L.ch)))) {
		rc = CT_ENOMEM;
		goto out;
	}
	uint32_t cw = 0, cp = 0, acc = 0;
	for (uint32_t w = 0; w < s->nw; w++) {
		uint32_t n = npos(s, w);
		syn_akey k;
		L.fp[w] = L.lp[w] = UINT32_MAX;
		for (uint32_t pos = 0; pos < n; pos++)
			if (listed(s, w, pos, &k)) {
				L.fp[w] = pos;
				break;
			}
		for (uint32_t pos = n; L.fp[w] != UINT32_MAX && pos-- > 0;)
			if (listed(s, w, pos, &k)) {
				L.lp[w] = pos;
				break;
			}
		if (L.fp[w] != UINT32_MAX && L.first_w == UINT32_MAX)
			L.first_w = w;
		for (uint32_t pos = 0; pos < n;) {
			uint32_t take = n - pos < CHUNK_POS - acc ? n - pos : CHUNK_POS - acc;
			pos += take;
			acc += take;
			if (acc == CHUNK_POS) {
				L.ch[L.nch++] = (wchunk){cw, cp, w, pos};
				cw = w;
				cp = pos;
				acc = 0;
				if (L.nch == cap) {
					wchunk *c = ct__realloc(L.ch, 2 * cap * sizeof(*c));
					if (!c) {
						rc = CT_ENOMEM;
						goto out;
					}
					L.ch = c;
					cap *= 2;
				}
			}
		}
	}
	L.ch[L.nch++] = (wchunk){cw, cp, s->nw, 0};

	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int nth = ncpu < 1 ? 1 : ncpu > MAX_THREADS ? MAX_THREADS : (int)ncpu, started = 0;
	pthread_t th[MAX_THREADS];
	if (pthread_mutex_init(&L.mu, NULL) != 0) {
		rc = ct__err(CT_EINTERNAL, "synth: cannot create a mutex");
		goto out;
	}
	if (pthread_cond_init(&L.cv, NULL) != 0) {
		pthread_mutex_destroy(&L.mu);
		rc = ct__err(CT_EINTERNAL, "synth: cannot create a condition variable");
		goto out;
	}
	for (int i = 1; i < nth; i++)
		if (pthread_create(&th[started], NULL, wl_thread, &L) == 0)
			started++;
	wl_thread(&L); /* this thread renders too */
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	pthread_cond_destroy(&L.cv);
	pthread_mutex_destroy(&L.mu);
	if (L.rc < 0)
		rc = ct__err(L.rc, "%s", L.err);
out:
	free(L.fp);
	free(L.lp);
	free(L.ch);
	return rc;
}

int syn_truth_write(syn_sim *s, const char *path, const struct syn_acct *acct)
{
	FILE *f = fopen(path, "w");
	char t0[32], t1[32];
	int rc = 0;
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
	if ((rc = put_wallets(s, f, path)) < 0)
		goto done;
	fprintf(f, "\n ]\n}\n");
done:
	if (fclose(f) != 0 && rc == 0)
		rc = ct__err_sys("synth: writing %s", path);
	return rc;
}
