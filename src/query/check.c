/*
 * check.c - `cointrail check [--deep]`: verify a data directory.
 *
 * Quick: meta checksum and version, column sizes against the committed
 * counts (both done when a store opens), monotonic tx ranges at the tip.
 * Deep: every invariant of docs/internals/store.md, re-derived from the
 * records: header hashes and links, tx ranges, input references and the
 * spent column (both directions), the per-address output chains and
 * heads, and that every index finds every record. It also reports a
 * digest of the committed state (as readers see it), which two stores
 * built from the same blocks share whatever crashes interrupted them.
 */
#include "query/acct_query.h"
#include "query/db.h"
#include "util/encode.h"
#include "util/error.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PROBLEMS 50

void ct__problem(ct__checker *c, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (c->count++ < MAX_PROBLEMS)
		json_array_append_new(c->problems, json_string(buf));
}

EVP_MD_CTX *ct__digest_new(void)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_MD *sha = EVP_MD_fetch(NULL, "SHA256", NULL);
	EVP_DigestInit_ex2(md, sha, NULL); /* the context holds its own reference */
	EVP_MD_free(sha);
	return md;
}

void ct__digest_hex(EVP_MD_CTX *md, char hex[65])
{
	uint8_t d[32];
	unsigned int dl;
	EVP_DigestFinal_ex(md, d, &dl);
	ct__hex(hex, d, 32);
	EVP_MD_CTX_free(md);
}

json_t *ct__check_entry(const char *chain, ct__checker *c)
{
	json_t *cj = json_object();
	c->problems = json_array();
	c->count = 0;
	json_object_set_new(cj, "chain", json_string(chain));
	return cj;
}

void ct__check_entry_end(json_t *chains, json_t *cj, ct__checker *c, int *bad)
{
	json_object_set_new(cj, "ok", json_boolean(c->count == 0));
	json_object_set_new(cj, "problem_count", json_integer((json_int_t)c->count));
	json_object_set_new(cj, "problems", c->problems);
	json_array_append_new(chains, cj);
	*bad |= c->count != 0;
}

#define ULL(x) ((unsigned long long)(x))

static void check_quick(ct_btcstore *st, ct__checker *c)
{
	const ct_btc_counts *n = &st->c;
	if (n->blocks && ct__blk_first_tx(st, n->blocks - 1) >= n->txs)
		ct__problem(c, "last block starts at tx %llu, past the %llu txs",
		        ULL(ct__blk_first_tx(st, n->blocks - 1)), ULL(n->txs));
	if (n->txs && (ct__tx_first_in(st, n->txs - 1) > n->ins || ct__tx_first_out(st, n->txs - 1) > n->outs))
		ct__problem(c, "last tx's input/output range passes the committed counts");
}

/* Digest of the state as readers see it. */
static void digest_update(EVP_MD_CTX *md, const void *p, size_t n) { EVP_DigestUpdate(md, p, n); }

static void check_deep(ct_btcstore *st, ct__checker *c, char digest_hex[65])
{
	const ct_btc_counts *n = &st->c;
	EVP_MD_CTX *md = ct__digest_new();
	digest_update(md, n, sizeof(*n));

	uint8_t hash[32];
	for (uint64_t b = 0; b < n->blocks; b++) {
		const uint8_t *br = ct__blk(st, b);
		ct__sha256d(st->h, hash, br, 80);
		if (memcmp(hash, br + CT_BLK_HASH, 32))
			ct__problem(c, "block %llu: stored hash is not the header's hash", ULL(b));
		uint64_t ft = ct__blk_first_tx(st, b);
		uint64_t et = b + 1 < n->blocks ? ct__blk_first_tx(st, b + 1) : n->txs;
		if (et <= ft)
			ct__problem(c, "block %llu: no transactions (%llu..%llu)", ULL(b), ULL(ft), ULL(et));
		for (uint64_t t = ft; t < et && t < n->txs; t++)
			if (ct__tx_block(st, t) != b)
				ct__problem(c, "tx %llu: says block %u, lies in block %llu", ULL(t), ct__tx_block(st, t), ULL(b));
		uint64_t got;
		if (ct__btcstore_find_block(st, br + CT_BLK_HASH, &got) || got != b)
			ct__problem(c, "block %llu: not found through the block index", ULL(b));
		digest_update(md, br, CT_REC_BLOCK);
	}
	uint64_t unres_seen = 0;
	for (uint64_t t = 0; t < n->txs; t++) {
		uint64_t fi = ct__tx_first_in(st, t), ei = ct__tx_end_in(st, t);
		uint64_t fo = ct__tx_first_out(st, t), eo = ct__tx_end_out(st, t);
		if (ei < fi || eo < fo || ei > n->ins || eo > n->outs)
			ct__problem(c, "tx %llu: bad input/output range", ULL(t));
		uint64_t got;
		if (ct__btcstore_find_tx(st, ct__tx_id(st, t), &got) || got < t)
			ct__problem(c, "tx %llu: not found through the txid index", ULL(t));
		digest_update(md, ct__col_at(&st->txs, t), CT_REC_TX);
		digest_update(md, ct__col_at(&st->txinfo, t), CT_REC_TXINFO);
		digest_update(md, ct__tx_id(st, t), CT_REC_TXID);
		for (uint64_t i = fi; i < ei && i < n->ins; i++) {
			uint64_t ref = ct__in_ref(st, i);
			digest_update(md, &ref, 8);
			if (ref == CT_IN_COINBASE)
				continue;
			if (ref & CT_IN_UNRESOLVED_BIT) {
				if ((ref & ~CT_IN_UNRESOLVED_BIT) != unres_seen)
					ct__problem(c, "input %llu: unresolved index out of order", ULL(i));
				unres_seen++;
				continue;
			}
			if (ref >= n->outs || ct__out_tx(st, ref) >= t)
				ct__problem(c, "input %llu of tx %llu spends output %llu, not an earlier one", ULL(i), ULL(t), ULL(ref));
			else if (ct__out_spent_by(st, ref) != t)
				ct__problem(c, "output %llu: spent column says %llu, input %llu of tx %llu spends it",
				        ULL(ref), ULL(ct__out_spent_by(st, ref)), ULL(i), ULL(t));
		}
	}
	if (unres_seen != n->unres)
		ct__problem(c, "%llu unresolved inputs, meta says %llu", ULL(unres_seen), ULL(n->unres));
	digest_update(md, ct__col_at(&st->unres, 0), (size_t)n->unres * CT_REC_UNRES);
	uint64_t *last = calloc(n->addrs + 1, sizeof(uint64_t));
	for (uint64_t o = 0; o < n->outs; o++) {
		uint64_t aw = ct__out_addrword(st, o), a = aw & CT_OUT_ADDR_MASK;
		uint64_t sb = ct__out_spent_by(st, o);
		digest_update(md, ct__col_at(&st->outs, o), CT_REC_OUT);
		digest_update(md, &sb, 8);
		if (sb != UINT64_MAX) {
			int found = 0;
			for (uint64_t i = ct__tx_first_in(st, sb), e = ct__tx_end_in(st, sb); i < e; i++)
				found |= ct__in_ref(st, i) == o;
			if (!found)
				ct__problem(c, "output %llu: marked spent by tx %llu, which has no such input", ULL(o), ULL(sb));
		}
		uint64_t prev = ct__out_prev_same(st, o);
		if (!a) {
			if (prev != UINT64_MAX)
				ct__problem(c, "output %llu: pays no address but links to %llu", ULL(o), ULL(prev));
			continue;
		}
		if (a - 1 >= n->addrs) {
			ct__problem(c, "output %llu: address %llu past the end", ULL(o), ULL(a - 1));
			continue;
		}
		uint64_t want = last && last[a - 1] ? last[a - 1] - 1 : UINT64_MAX;
		if (prev != want)
			ct__problem(c, "output %llu: links to %llu, previous output of its address is %llu",
			        ULL(o), ULL(prev), ULL(want));
		if (last)
			last[a - 1] = o + 1;
		digest_update(md, &prev, 8);
	}
	for (uint64_t a = 0; a < n->addrs; a++) {
		uint64_t hd = ct__addr_head(st, a);
		ct_addrkey k;
		ct__btcstore_addr_key(st, a, &k);
		digest_update(md, &k, CT_REC_ADDR);
		digest_update(md, &hd, 8);
		if (last && hd != (last[a] ? last[a] - 1 : UINT64_MAX))
			ct__problem(c, "address %llu: head %llu, newest output paying it is %llu", ULL(a), ULL(hd),
			        ULL(last[a] ? last[a] - 1 : UINT64_MAX));
		uint64_t got;
		if (ct__btcstore_find_addr(st, &k, &got) || got != a)
			ct__problem(c, "address %llu: not found through the address index", ULL(a));
		if (k.kind == CT_AK_NONE || k.kind > CT_AK_SCRIPT || k.len > 40)
			ct__problem(c, "address %llu: malformed key", ULL(a));
	}
	free(last);
	ct__digest_hex(md, digest_hex);
}

int ct_check(ct_db *db, char **out, int deep)
{
	const ct_btc_net *nets[8];
	size_t k = ct__db_btc_nets(db, nets, 8);
	json_t *j = json_object(), *chains = json_array();
	int bad = 0;
	for (size_t i = 0; i < k; i++) {
		ct_btcstore *st;
		ct__checker c;
		json_t *cj = ct__check_entry(nets[i]->chain, &c);
		int rc = ct__btcstore_open(&st, db->dir, nets[i], 0);
		if (rc) {
			ct__problem(&c, "%s", ct_error_last());
		} else {
			check_quick(st, &c);
			if (deep) {
				char dh[65];
				check_deep(st, &c, dh);
				json_object_set_new(cj, "digest", json_string(dh));
			}
			json_object_set_new(cj, "blocks", json_integer((json_int_t)st->c.blocks));
			json_object_set_new(cj, "txs", json_integer((json_int_t)st->c.txs));
			ct__btcstore_close(st);
		}
		ct__check_entry_end(chains, cj, &c, &bad);
	}
	ct__acct_check_append(db, chains, deep, &bad);
	json_object_set_new(j, "deep", json_boolean(deep));
	json_object_set_new(j, "ok", json_boolean(!bad));
	json_object_set_new(j, "chains", chains);
	*out = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (!*out)
		return ct__err(CT_ENOMEM, "out of memory");
	return bad ? ct__err(CT_ECORRUPT, "%s: the data directory fails its checks", db->dir) : 0;
}
