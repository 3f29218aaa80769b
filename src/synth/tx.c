/*
 * tx.c - building and serialising one transaction into the current block.
 *
 * Serialisation follows Bitcoin Core: version, [marker 0x00, flag 0x01
 * when any input has a witness], inputs, outputs, [witnesses], locktime.
 * The txid is the double SHA-256 of the serialisation without marker,
 * flag and witnesses; the wtxid covers everything (BIP 141).
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

static size_t put_varint(uint8_t *p, uint64_t v)
{
	if (v < 0xfd) {
		p[0] = (uint8_t)v;
		return 1;
	}
	if (v <= 0xffff) {
		p[0] = 0xfd;
		p[1] = (uint8_t)v;
		p[2] = (uint8_t)(v >> 8);
		return 3;
	}
	p[0] = 0xfe;
	ct_put_le32(p + 1, (uint32_t)v);
	return 5;
}

static int reserve(syn_sim *s, size_t more)
{
	if (s->blen + more <= s->bcap)
		return 0;
	size_t cap = s->bcap ? s->bcap : 1 << 20;
	while (cap < s->blen + more)
		cap *= 2;
	uint8_t *p = ct__realloc(s->bbuf, cap);
	if (!p)
		return CT_ENOMEM;
	s->bbuf = p;
	s->bcap = cap;
	return 0;
}

#define PCACHE_BITS 16

static size_t spk_cached(syn_sim *s, const syn_akey *k, uint8_t *out)
{
	uint32_t h = (k->w * 0x9e3779b1u) ^ (k->i * 0x85ebca77u);
	struct syn_pcache *c = &s->pc[(h ^ (h >> 16)) & ((1u << PCACHE_BITS) - 1)];
	if (!c->valid || c->w != k->w || c->i != k->i || c->type != k->type) {
		c->len = (uint8_t)syn_program(s->o.seed, k, c->prog);
		c->w = k->w;
		c->i = k->i;
		c->type = k->type;
		c->valid = 1;
	}
	return syn_spk_prog(s->o.seed, k, c->prog, c->len, out);
}

static void count_hist(uint64_t *hist, uint32_t n)
{
	hist[n <= 1 ? 0 : n == 2 ? 1 : n == 3 ? 2 : n < 10 ? 3 : n < 100 ? 4 : 5]++;
}

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
	/* Upper bound of the serialised size. */
	size_t max = 16 + (size_t)t->nin * (41 + 300 + 300) + (size_t)t->nout * 80 + 100;
	if ((rc = reserve(s, max)) < 0)
		return rc;
	if (s->nrecs == s->rcap) {
		size_t cap = s->rcap ? s->rcap * 2 : 4096;
		syn_txrec *r = ct__realloc(s->recs, cap * sizeof(*r));
		if (!r)
			return CT_ENOMEM;
		s->recs = r;
		s->rcap = cap;
	}
	uint8_t *b = s->bbuf + s->blen, *p = b;
	ct_put_le32(p, (uint32_t)t->version);
	p += 4;
	if (segwit) {
		*p++ = 0x00;
		*p++ = 0x01;
	}
	uint8_t *body = p;
	p += put_varint(p, t->nin);
	for (uint32_t i = 0; i < t->nin; i++) {
		const syn_txin *in = &t->in[i];
		memcpy(p, in->u.txid, 32);
		ct_put_le32(p + 32, in->u.vout);
		p += 36;
		uint8_t ss[300];
		size_t n = syn_scriptsig(&s->rng, s->o.seed, &in->k, ss);
		p += put_varint(p, n);
		memcpy(p, ss, n);
		p += n;
		ct_put_le32(p, in->seq);
		p += 4;
	}
	uint32_t nout = t->nout + (t->opret_at >= 0);
	p += put_varint(p, nout);
	for (uint32_t i = 0; i < t->nout; i++) {
		ct_put_le64(p, t->out[i].value);
		p += 8;
		size_t n = spk_cached(s, &t->out[i].k, p + 1);
		*p = (uint8_t)n;
		p += 1 + n;
		s->st.out_type[t->out[i].k.type]++;
		s->st.reused_outputs += t->out[i].k.reused;
		if (t->out[i].k.i < s->w[t->out[i].k.w].nh)
			s->w[t->out[i].k.w].hused |= (uint8_t)(1u << t->out[i].k.i);
	}
	if (t->opret_at >= 0) {
		ct_put_le64(p, 0);
		p += 8;
		*p++ = (uint8_t)(2 + t->opret_len);
		*p++ = 0x6a; /* OP_RETURN <data> */
		*p++ = (uint8_t)t->opret_len;
		memcpy(p, t->opret, t->opret_len);
		p += t->opret_len;
		s->st.out_type[ST_COUNT]++;
	}
	uint8_t *body_end = p;
	if (segwit)
		for (uint32_t i = 0; i < t->nin; i++)
			p += syn_witness(&s->rng, s->o.seed, &t->in[i].k, p);
	uint8_t *lock = p;
	ct_put_le32(p, t->locktime);
	p += 4;

	syn_txrec *rec = &s->recs[s->nrecs++];
	rec->off = (uint32_t)s->blen;
	rec->len = (uint32_t)(p - b);
	rec->segwit = (uint8_t)segwit; /* the block thread hashes its wtxid */
	if (segwit) {
		const void *parts[3] = {b, body, lock};
		size_t lens[3] = {4, (size_t)(body_end - body), 4};
		syn_sha256d_parts(rec->txid, parts, lens, 3);
		s->block_base += 8 + (size_t)(body_end - body);
		s->block_wit += (size_t)(lock - body_end) + 2;
		s->st.segwit_txs++;
	} else {
		syn_sha256d(rec->txid, b, rec->len);
		s->block_base += rec->len;
	}
	s->blen += rec->len;
	s->block_fees += in_sum - out_sum;
	s->block_txs++;
	if (s->txs_left)
		s->txs_left--;
	s->st.txs++;
	s->st.inputs += t->nin;
	s->st.outputs += nout;
	count_hist(s->st.nin_hist, t->nin);
	count_hist(s->st.nout_hist, nout);

	for (uint32_t i = 0; i < t->nout; i++) {
		if (t->out[i].pool == SYN_POOL_NONE)
			continue;
		syn_utxo u;
		memcpy(u.txid, rec->txid, 32);
		u.value = t->out[i].value;
		u.vout = i;
		u.idx = t->out[i].k.i;
		if ((rc = syn_pool_add(s, t->out[i].k.w, t->out[i].pool, &u)) < 0)
			return rc;
	}
	s->nundo = 0; /* the tx is on chain: its addresses stay */
	if (txid_out)
		memcpy(txid_out, rec->txid, 32);
	return 0;
}
