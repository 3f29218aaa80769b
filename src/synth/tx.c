/*
 * tx.c - building one transaction, describing it to the serialiser, and
 * the serialiser itself.
 *
 * Serialisation follows Bitcoin Core: version, [marker 0x00, flag 0x01
 * when any input has a witness], inputs, outputs, [witnesses], locktime.
 * The txid is the double SHA-256 of the serialisation without marker,
 * flag and witnesses; the wtxid covers everything (BIP 141).
 *
 * The simulation (syn_emit) does not serialise: it appends a record of
 * the tx to the current block's job (version, locktime, inputs with the
 * txid table slot of the tx they spend, outputs with their keys, and the
 * PRNG state the dummy signatures start from), works out the exact size
 * (the block limits need it) by drawing what the signatures will draw,
 * and carries on. The serialiser thread (syn_serialise) replays the
 * records into bytes in the same order, from the same PRNG states, so
 * the output is what a single thread would have written; it leaves out
 * the txids that inputs spend, which the finisher thread fills in just
 * before it hashes each tx, in order (syn_txids).
 */
#include "synth/synth.h"

#include <string.h>

#include "util/buf.h"
#include "util/error.h"

void syn_tx_reset(syn_tx *t, int version, uint32_t locktime)
{
	t->version = version;
	t->locktime = locktime;
	t->nin = t->nout = 0;
	t->opret_at = -1;
	t->opret_len = 0;
}

void syn_tx_out(syn_tx *t, uint64_t value, syn_akey k, int pool)
{
	syn_txout *o = &t->out[t->nout++];
	o->value = value;
	o->k = k;
	o->pool = (int8_t)pool;
}

void syn_tx_opreturn(syn_tx *t, const uint8_t *data, uint32_t len)
{
	if (len > sizeof(t->opret))
		len = sizeof(t->opret);
	memcpy(t->opret, data, len);
	t->opret_len = len;
	t->opret_at = (int)t->nout;
}

size_t syn_tx_vsize(const syn_tx *t)
{
	size_t base = 4 + 4 + 3 + 3, wit = 0;
	int segwit = 0;
	for (uint32_t i = 0; i < t->nin; i++) {
		size_t b, w;
		syn_spend_size(t->in[i].k.type, t->in[i].k.ucomp, &b, &w);
		base += b;
		wit += w;
		segwit |= syn_is_segwit(t->in[i].k.type);
	}
	for (uint32_t i = 0; i < t->nout; i++)
		base += syn_out_size(t->out[i].k.type, t->out[i].k.ucomp);
	if (t->opret_at >= 0)
		base += 11 + t->opret_len;
	if (!segwit)
		return base;
	return base + (wit + 2 + 3) / 4;
}

static size_t varint_len(uint64_t v) { return v < 0xfd ? 1 : v <= 0xffff ? 3 : 5; }

/* ---- records: simulation -> serialiser ------------------------------------ */

enum { R_TX = 1, R_DROP = 2 };

#define NO_REPORT UINT32_MAX

typedef struct rtx {
	uint8_t kind, version, segwit, opret_len;
	uint8_t has_opret, pad[1];
	uint16_t nin, nout; /* nout: outputs before the OP_RETURN */
	uint32_t locktime, slot, report, len; /* len: serialised size */
	syn_rng rng; /* where the dummy signatures' draws start */
} rtx;

typedef struct rin {
	uint32_t slot, vout, seq, w, i;
	uint8_t type, ucomp;
} rin;

typedef struct rout {
	uint64_t value;
	uint32_t w, i;
	uint8_t type, ucomp, reused;
} rout;

typedef struct rdrop {
	uint8_t kind, pad[3];
	uint32_t slot;
} rdrop;

#define ALIGN8(n) (((n) + 7) & ~(size_t)7)

static int grow(void **p, size_t *cap, size_t need, size_t elem, size_t first)
{
	if (need <= *cap)
		return 0;
	size_t c = *cap ? *cap : first;
	while (c < need)
		c *= 2;
	void *q = ct__realloc(*p, c * elem);
	if (!q)
		return CT_ENOMEM;
	*p = q;
	*cap = c;
	return 0;
}

int syn_slot_new(syn_sim *s, uint32_t *slot)
{
	if (s->nsfree) {
		*slot = s->sfree[--s->nsfree];
		return 0;
	}
	uint32_t i = s->nslots;
	if ((i >> SYN_SLOT_BITS) >= SYN_SLOT_CHUNKS)
		return ct__err(CT_EINTERNAL, "synth: txid table full");
	if (!(i & ((1u << SYN_SLOT_BITS) - 1)) &&
	    !(s->slots[i >> SYN_SLOT_BITS] =
	          syn_big_calloc(((size_t)1 << SYN_SLOT_BITS) * sizeof(syn_slot))))
		return CT_ENOMEM;
	s->nslots++;
	*slot = i;
	return 0;
}

int syn_drop(syn_sim *s, uint32_t slot)
{
	syn_job *J = s->cur;
	if (grow((void **)&J->rec, &J->reccap, J->rlen + sizeof(rdrop), 1, 1 << 20) < 0)
		return CT_ENOMEM;
	rdrop *d = (rdrop *)(J->rec + J->rlen);
	memset(d, 0, sizeof(*d));
	d->kind = R_DROP;
	d->slot = slot;
	J->rlen += sizeof(rdrop);
	return 0;
}

static void count_hist(uint64_t *hist, uint32_t n)
{
	hist[n <= 1 ? 0 : n == 2 ? 1 : n == 3 ? 2 : n < 10 ? 3 : n < 100 ? 4 : 5]++;
}

#define REPORT_MARK 0xa5

int syn_emit(syn_sim *s, syn_tx *t, uint8_t *txid_out)
{
	uint64_t in_sum = 0, out_sum = 0;
	int segwit = 0, rc;
	for (uint32_t i = 0; i < t->nin; i++) {
		in_sum += t->in[i].u.value;
		segwit |= syn_is_segwit(t->in[i].k.type);
	}
	for (uint32_t i = 0; i < t->nout; i++)
		out_sum += t->out[i].value;
	if (t->nin == 0 || (t->nout == 0 && t->opret_at < 0) || out_sum > in_sum)
		return ct__err(CT_EINTERNAL, "synth: unbalanced tx (%u in %llu, %u out %llu)",
		               t->nin, (unsigned long long)in_sum, t->nout,
		               (unsigned long long)out_sum);
	syn_job *J = s->cur;
	size_t need = sizeof(rtx) + t->nin * sizeof(rin) + t->nout * sizeof(rout) +
	              ALIGN8(t->opret_len);
	uint32_t slot;
	if (grow((void **)&J->rec, &J->reccap, J->rlen + need, 1, 1 << 20) < 0 ||
	    grow((void **)&J->roff, &J->ocap, J->ntx + 1, sizeof(uint32_t), 4096) < 0)
		return CT_ENOMEM;
	if ((rc = syn_slot_new(s, &slot)) < 0)
		return rc;
	J->roff[J->ntx++] = (uint32_t)J->rlen;
	rtx *h = (rtx *)(J->rec + J->rlen);
	rin *ri = (rin *)(h + 1);
	rout *ro = (rout *)(ri + t->nin);
	memset(h, 0, sizeof(*h));
	h->kind = R_TX;
	h->version = (uint8_t)t->version;
	h->segwit = (uint8_t)segwit;
	h->has_opret = t->opret_at >= 0;
	h->opret_len = (uint8_t)t->opret_len;
	h->nin = (uint16_t)t->nin;
	h->nout = (uint16_t)t->nout;
	h->locktime = t->locktime;
	h->slot = slot;
	h->report = NO_REPORT;
	h->rng = s->rng;

	/* The exact size, drawing the signatures' randomness as the
	 * serialiser will (scriptSigs in input order, then witnesses). */
	size_t body = varint_len(t->nin), wit = 0;
	for (uint32_t i = 0; i < t->nin; i++) {
		const syn_txin *in = &t->in[i];
		size_t n = syn_scriptsig_len(&s->rng, in->k.type, in->k.ucomp);
		body += 36 + varint_len(n) + n + 4;
		ri[i].slot = in->u.slot;
		ri[i].vout = in->u.vout;
		ri[i].seq = in->seq;
		ri[i].w = in->k.w;
		ri[i].i = in->k.i;
		ri[i].type = in->k.type;
		ri[i].ucomp = in->k.ucomp;
	}
	uint32_t nout = t->nout + (t->opret_at >= 0);
	body += varint_len(nout);
	for (uint32_t i = 0; i < t->nout; i++) {
		const syn_txout *o = &t->out[i];
		body += 8 + 1 + syn_spk_len(o->k.type);
		ro[i].value = o->value;
		ro[i].w = o->k.w;
		ro[i].i = o->k.i;
		ro[i].type = o->k.type;
		ro[i].ucomp = o->k.ucomp;
		ro[i].reused = o->k.reused;
		s->st.out_type[o->k.type]++;
		s->st.reused_outputs += o->k.reused;
		if (o->k.i < s->w[o->k.w].nh)
			s->w[o->k.w].hused |= (uint8_t)(1u << o->k.i);
	}
	if (t->opret_at >= 0) {
		body += 8 + 1 + 2 + t->opret_len;
		memcpy(ro + t->nout, t->opret, t->opret_len);
		s->st.out_type[ST_COUNT]++;
	}
	if (segwit)
		for (uint32_t i = 0; i < t->nin; i++)
			wit += syn_witness_len(&s->rng, t->in[i].k.type);
	h->len = (uint32_t)(4 + (segwit ? 2 : 0) + body + wit + 4);
	J->rlen += need;
	J->bytes += h->len;
	s->block_base += 8 + body;
	if (segwit) {
		s->block_wit += wit + 2;
		s->st.segwit_txs++;
	}
	s->block_fees += in_sum - out_sum;
	s->block_txs++;
	if (s->txs_left)
		s->txs_left--;
	s->st.txs++;
	s->st.inputs += t->nin;
	s->st.outputs += nout;
	count_hist(s->st.nin_hist, t->nin);
	count_hist(s->st.nout_hist, nout);
	s->last_slot = slot;
	if (txid_out) {
		h->report = s->nreports;
		ct_put_le32(txid_out, s->nreports++);
		memset(txid_out + 4, REPORT_MARK, 28);
	}

	for (uint32_t i = 0; i < t->nout; i++) {
		if (t->out[i].pool == SYN_POOL_NONE)
			continue;
		syn_utxo u;
		u.value = t->out[i].value;
		u.slot = slot;
		u.vout = i;
		u.idx = t->out[i].k.i;
		if ((rc = syn_pool_add(s, t->out[i].k.w, t->out[i].pool, &u)) < 0)
			return rc;
	}
	s->nundo = 0; /* the tx is on chain: its addresses stay */
	return 0;
}

void syn_txid_resolve(const syn_sim *s, const uint8_t *id, uint8_t out[32])
{
	uint32_t r = ct_le32(id);
	for (int i = 4; i < 32; i++)
		if (id[i] != REPORT_MARK)
			r = UINT32_MAX;
	if (r < s->ser_reports)
		memcpy(out, s->reports[r], 32);
	else
		memcpy(out, id, 32);
}

/* ---- the serialiser ------------------------------------------------------- */

#define PREFETCH_AHEAD 6

static syn_pcache *pc_entry(syn_sim *s, uint32_t w, uint32_t i)
{
	uint32_t h = (w * 0x9e3779b1u) ^ (i * 0x85ebca77u);
	return &s->pc[(h ^ (h >> 16)) & ((1u << s->pc_bits) - 1)];
}

static int pc_hit(const syn_pcache *c, const syn_akey *k)
{
	return c->valid == 1 && c->w == k->w && c->i == k->i && c->type == k->type;
}

/* scriptPubKey of an output; the program from the cache (fill_cache put
 * it there, or the address was paid before), else computed and cached.
 * An entry only ever holds what syn_program gives for its key, so hits
 * and misses give the same bytes. */
static size_t spk_cached(syn_sim *s, const syn_akey *k, uint8_t *out)
{
	syn_pcache *c = pc_entry(s, k->w, k->i);
	if (!pc_hit(c, k)) {
		c->len = (uint8_t)syn_program(s->o.seed, k, c->prog, c->inner);
		c->w = k->w;
		c->i = k->i;
		c->type = k->type;
		c->valid = 1;
	}
	return syn_spk_prog(s->o.seed, k, c->prog, c->len, out);
}

/* noipa: a function that only prefetches looks pure to GCC, whose calls
 * it would then drop */
__attribute__((noipa)) static void prefetch_tx(syn_sim *s, const uint8_t *rec)
{
	const rtx *h = (const rtx *)rec;
	const rin *ri = (const rin *)(h + 1);
	const rout *ro = (const rout *)(ri + h->nin);
	for (uint32_t i = 0; i < h->nin; i++)
		if (ri[i].type == ST_P2SH_WPKH)
			__builtin_prefetch(pc_entry(s, ri[i].w, ri[i].i));
	for (uint32_t i = 0; i < h->nout; i++)
		__builtin_prefetch(pc_entry(s, ro[i].w, ro[i].i));
}

static int add_op(syn_job *J, uint8_t kind, uint32_t slot, uint32_t arg)
{
	if (grow((void **)&J->ops, &J->opcap, J->nops + 1, sizeof(*J->ops), 8192) < 0)
		return CT_ENOMEM;
	syn_slotop *o = &J->ops[J->nops++];
	o->kind = kind;
	o->slot = slot;
	o->arg = arg;
	return 0;
}

static int ser_tx(syn_sim *s, syn_job *J, const rtx *h)
{
	const rin *ri = (const rin *)(h + 1);
	const rout *ro = (const rout *)(ri + h->nin);
	const uint8_t *opret = (const uint8_t *)(ro + h->nout);
	syn_rng r = h->rng;
	uint64_t seed = s->o.seed;
	int rc;
	uint8_t *b = J->buf + J->len, *p = b;
	ct_put_le32(p, h->version);
	p += 4;
	if (h->segwit) {
		*p++ = 0x00;
		*p++ = 0x01;
	}
	uint8_t *body = p;
	p += syn_put_varint(p, h->nin);
	for (uint32_t i = 0; i < h->nin; i++) {
		/* the txid spent: the finisher fills it in */
		if ((rc = add_op(J, SYN_OP_SPEND, ri[i].slot, (uint32_t)(J->len + (size_t)(p - b)))) < 0)
			return rc;
		ct_put_le32(p + 32, ri[i].vout);
		p += 36;
		syn_akey k = {ri[i].w, ri[i].i, ri[i].type, ri[i].ucomp, 0};
		/* P2SH-P2WPKH: the key hash, if the address was paid recently */
		const uint8_t *inner = NULL;
		if (k.type == ST_P2SH_WPKH) {
			const syn_pcache *c = pc_entry(s, k.w, k.i);
			if (pc_hit(c, &k))
				inner = c->inner;
		}
		/* the scriptSig after a one-byte length, moved if it needs three */
		size_t n = syn_scriptsig(&r, seed, &k, inner, p + 1);
		if (n < 0xfd) {
			*p = (uint8_t)n;
		} else {
			memmove(p + 3, p + 1, n);
			syn_put_varint(p, n);
			p += 2;
		}
		p += 1 + n;
		ct_put_le32(p, ri[i].seq);
		p += 4;
	}
	p += syn_put_varint(p, h->nout + h->has_opret);
	for (uint32_t i = 0; i < h->nout; i++) {
		ct_put_le64(p, ro[i].value);
		p += 8;
		syn_akey k = {ro[i].w, ro[i].i, ro[i].type, ro[i].ucomp, ro[i].reused};
		size_t n = spk_cached(s, &k, p + 1);
		*p = (uint8_t)n;
		p += 1 + n;
	}
	if (h->has_opret) {
		ct_put_le64(p, 0);
		p += 8;
		*p++ = (uint8_t)(2 + h->opret_len);
		*p++ = 0x6a; /* OP_RETURN <data> */
		*p++ = h->opret_len;
		memcpy(p, opret, h->opret_len);
		p += h->opret_len;
	}
	uint8_t *body_end = p;
	if (h->segwit)
		for (uint32_t i = 0; i < h->nin; i++) {
			syn_akey k = {ri[i].w, ri[i].i, ri[i].type, ri[i].ucomp, 0};
			p += syn_witness(&r, seed, &k, p);
		}
	ct_put_le32(p, h->locktime);
	p += 4;
	if ((size_t)(p - b) != h->len)
		return ct__err(CT_EINTERNAL, "synth: tx of %zu bytes, %u expected", (size_t)(p - b),
		               h->len);

	syn_txrec *rec = &J->recs[J->nrecs];
	rec->off = (uint32_t)J->len;
	rec->len = h->len;
	rec->body = (uint32_t)(body - b);
	rec->wit = (uint32_t)(body_end - b);
	rec->segwit = h->segwit;
	rec->nout = h->nout;
	rec->report = h->report;
	J->len += h->len;
	/* the finisher hashes it once the txids it spends are in */
	return add_op(J, SYN_OP_TX, h->slot, (uint32_t)J->nrecs++);
}

/* Before serialising a block: the programs of every address it pays,
 * and of the P2SH-P2WPKH addresses it spends, that are not in the cache,
 * hashed in batches (syn_programs: eight RIPEMD-160s at once) and put in
 * the cache. An entry claimed here is marked pending (valid = 2) so that
 * an address met twice is hashed once; a result whose entry another
 * address took meanwhile is dropped (ser_tx then hashes it alone). */
typedef struct fillq {
	syn_akey k[SYN_PROG_BATCH];
	syn_pcache *c[SYN_PROG_BATCH];
	size_t n;
} fillq;

static void fill_flush(syn_sim *s, fillq *q)
{
	uint8_t prog[SYN_PROG_BATCH][32], len[SYN_PROG_BATCH], inner[SYN_PROG_BATCH][20];
	syn_programs(s->o.seed, q->k, q->n, prog, len, inner);
	for (size_t j = 0; j < q->n; j++) {
		syn_pcache *c = q->c[j];
		const syn_akey *k = &q->k[j];
		if (c->valid != 2 || c->w != k->w || c->i != k->i || c->type != k->type)
			continue;
		memcpy(c->prog, prog[j], 32);
		memcpy(c->inner, inner[j], 20);
		c->len = k->type == ST_P2PK ? 0 : len[j]; /* as syn_program */
		c->valid = 1;
	}
	q->n = 0;
}

static void fill_one(syn_sim *s, fillq *q, uint32_t w, uint32_t i, uint8_t type, uint8_t ucomp)
{
	syn_pcache *c = pc_entry(s, w, i);
	if (c->valid && c->w == w && c->i == i && c->type == type)
		return; /* cached, or pending */
	syn_akey *k = &q->k[q->n];
	k->w = w;
	k->i = i;
	k->type = type;
	k->ucomp = ucomp;
	k->reused = 0;
	c->w = w;
	c->i = i;
	c->type = type;
	c->valid = 2;
	q->c[q->n++] = c;
	if (q->n == SYN_PROG_BATCH)
		fill_flush(s, q);
}

static void fill_cache(syn_sim *s, const syn_job *J)
{
	fillq q;
	size_t k = 0;
	q.n = 0;
	/* the entries are in a big table, far apart: fetch those of the tx
	 * PREFETCH_AHEAD ahead, and the records (written on another core)
	 * further ahead */
	for (size_t a = 0; a < PREFETCH_AHEAD && a < J->ntx; a++)
		prefetch_tx(s, J->rec + J->roff[a]);
	for (size_t off = 0; off < J->rlen;) {
		const uint8_t *r = J->rec + off;
		if (*r == R_DROP) {
			off += sizeof(rdrop);
			continue;
		}
		if (k + 4 * PREFETCH_AHEAD < J->ntx) {
			size_t a = J->roff[k + 4 * PREFETCH_AHEAD];
			for (size_t o = 0; o < 192 && a + o < J->rlen; o += 64)
				__builtin_prefetch(J->rec + a + o);
		}
		if (k + PREFETCH_AHEAD < J->ntx)
			prefetch_tx(s, J->rec + J->roff[k + PREFETCH_AHEAD]);
		k++;
		const rtx *h = (const rtx *)r;
		const rin *ri = (const rin *)(h + 1);
		const rout *ro = (const rout *)(ri + h->nin);
		for (uint32_t i = 0; i < h->nin; i++)
			if (ri[i].type == ST_P2SH_WPKH)
				fill_one(s, &q, ri[i].w, ri[i].i, ri[i].type, ri[i].ucomp);
		for (uint32_t i = 0; i < h->nout; i++)
			if (ro[i].type != ST_P2PK) /* its script holds the key, no hash */
				fill_one(s, &q, ro[i].w, ro[i].i, ro[i].type, ro[i].ucomp);
		off += sizeof(rtx) + h->nin * sizeof(rin) + h->nout * sizeof(rout) +
		       ALIGN8(h->opret_len);
	}
	if (q.n)
		fill_flush(s, &q);
}

int syn_serialise(syn_sim *s, syn_job *J)
{
	int rc;
	J->len = 0;
	J->nrecs = 1; /* recs[0]: the coinbase, made by the finisher */
	J->nops = 0;
	if (grow((void **)&J->buf, &J->cap, J->bytes + 1, 1, 1 << 20) < 0 ||
	    grow((void **)&J->recs, &J->rcap, J->ntx + 1, sizeof(syn_txrec), 4096) < 0)
		return CT_ENOMEM;
	memset(&J->recs[0], 0, sizeof(J->recs[0]));
	/* the programs first, in batches; then the bytes (the records and
	 * the cache entries they name were just read: no prefetching) */
	fill_cache(s, J);
	for (size_t off = 0; off < J->rlen;) {
		const uint8_t *r = J->rec + off;
		if (*r == R_DROP) {
			if ((rc = add_op(J, SYN_OP_DROP, ((const rdrop *)r)->slot, 0)) < 0)
				return rc;
			off += sizeof(rdrop);
			continue;
		}
		const rtx *h = (const rtx *)r;
		if ((rc = ser_tx(s, J, h)) < 0)
			return rc;
		off += sizeof(rtx) + h->nin * sizeof(rin) + h->nout * sizeof(rout) +
		       ALIGN8(h->opret_len);
	}
	if (J->len != J->bytes)
		return ct__err(CT_EINTERNAL, "synth: block of %zu bytes, %zu expected", J->len,
		               J->bytes);
	return 0;
}

/* ---- txids (the finisher's first step) ------------------------------------ */

static int unref(syn_sim *s, syn_job *J, uint32_t slot)
{
	syn_slot *e = syn_slot_at(s->slots, slot);
	if (--e->refs > 0)
		return 0;
	if (e->refs < 0)
		return ct__err(CT_EINTERNAL, "synth: txid table slot %u released twice", slot);
	if (grow((void **)&J->freed, &J->fcap, J->nfreed + 1, sizeof(uint32_t), 4096) < 0)
		return CT_ENOMEM;
	J->freed[J->nfreed++] = slot;
	return 0;
}

#define OP_AHEAD 16

/* After its txid is known: the tx's slot gets it, and the count of its
 * outputs that wallets hold; the txid goes to syn_emit's caller if it
 * asked. */
static int tx_done(syn_sim *s, syn_job *J, const syn_slotop *o)
{
	syn_txrec *rec = &J->recs[o->arg];
	syn_slot *e = syn_slot_at(s->slots, o->slot);
	memcpy(e->txid, rec->txid, 32);
	e->refs = rec->nout;
	if (rec->nout == 0) { /* nothing to spend: the slot is free again */
		if (grow((void **)&J->freed, &J->fcap, J->nfreed + 1, sizeof(uint32_t), 4096) < 0)
			return CT_ENOMEM;
		J->freed[J->nfreed++] = o->slot;
	}
	if (rec->report != NO_REPORT) {
		if (grow((void **)&s->reports, &s->creports, (size_t)rec->report + 1, 32, 256) < 0)
			return CT_ENOMEM;
		memcpy(s->reports[rec->report], rec->txid, 32);
		if (rec->report >= s->ser_reports)
			s->ser_reports = rec->report + 1;
	}
	return 0;
}

/* A double SHA-256 waiting for a partner (syn_sha256d_x2): a txid of a
 * tx without witnesses (op: its tx, finished when the hash is known) or
 * a wtxid (op NULL: nothing waits for it but the block's witness root). */
typedef struct hjob {
	const uint8_t *p;
	size_t len;
	uint8_t *out;
	const syn_slotop *op;
} hjob;

static int hjob_done(syn_sim *s, syn_job *J, const hjob *h)
{
	if (!h->op)
		return 0;
	syn_txrec *rec = &J->recs[h->op->arg];
	memcpy(rec->wtxid, rec->txid, 32); /* no witness: the same */
	return tx_done(s, J, h->op);
}

/* Hash job h, with the pending one if any (two at a time), in order. */
static int hjob_add(syn_sim *s, syn_job *J, hjob *pend, int *npend, const hjob *h)
{
	int rc;
	if (!*npend) {
		*pend = *h;
		*npend = 1;
		return 0;
	}
	syn_sha256d_x2(pend->out, pend->p, pend->len, h->out, h->p, h->len);
	*npend = 0;
	if ((rc = hjob_done(s, J, pend)) < 0)
		return rc;
	return hjob_done(s, J, h);
}

static int hjob_flush(syn_sim *s, syn_job *J, hjob *pend, int *npend)
{
	if (!*npend)
		return 0;
	*npend = 0;
	syn_sha256d(pend->out, pend->p, pend->len);
	return hjob_done(s, J, pend);
}

int syn_txids(syn_sim *s, syn_job *J)
{
	int rc, npend = 0;
	/* Double SHA-256s go two at a time: a txid of a tx without witnesses
	 * waits for the next hash (such a txid, or a wtxid); it is hashed
	 * alone when an input of a later tx spends it first, or at the end.
	 * A segwit txid (over three pieces) is hashed at once, alone. So every
	 * slot is written before anything reads it, and the bytes are those
	 * of one tx at a time. */
	hjob pend = {NULL, 0, NULL, NULL};
	J->nfreed = 0;
	for (size_t k = 0; k < OP_AHEAD && k < J->nops; k++)
		__builtin_prefetch(syn_slot_at(s->slots, J->ops[k].slot));
	for (size_t k = 0; k < J->nops; k++) {
		const syn_slotop *o = &J->ops[k];
		/* the ops were written on another core: fetch them well ahead,
		 * then the slots they name */
		if (!(k & 3) && k + 4 * OP_AHEAD < J->nops)
			__builtin_prefetch(J->ops + k + 4 * OP_AHEAD);
		if (k + OP_AHEAD < J->nops)
			__builtin_prefetch(syn_slot_at(s->slots, J->ops[k + OP_AHEAD].slot));
		if (o->kind == SYN_OP_SPEND || o->kind == SYN_OP_DROP) {
			if (npend && pend.op && pend.op->slot == o->slot &&
			    (rc = hjob_flush(s, J, &pend, &npend)) < 0)
				return rc;
			if (o->kind == SYN_OP_SPEND)
				memcpy(J->buf + o->arg, syn_slot_at(s->slots, o->slot)->txid, 32);
			if ((rc = unref(s, J, o->slot)) < 0)
				return rc;
			continue;
		}
		/* SYN_OP_TX: every txid it spends is in place */
		syn_txrec *rec = &J->recs[o->arg];
		const uint8_t *b = J->buf + rec->off;
		hjob h = {b, rec->len, rec->wtxid, NULL};
		if (rec->segwit) {
			const void *parts[3] = {b, b + rec->body, b + rec->len - 4};
			size_t lens[3] = {4, rec->wit - rec->body, 4};
			syn_sha256d_parts(rec->txid, parts, lens, 3);
			if ((rc = tx_done(s, J, o)) < 0)
				return rc;
		} else {
			h.out = rec->txid;
			h.op = o;
		}
		if ((rc = hjob_add(s, J, &pend, &npend, &h)) < 0)
			return rc;
	}
	return hjob_flush(s, J, &pend, &npend);
}
