/*
 * ethingest.c - `cointrail ingest eth --rpc URL`: the loop that pulls blocks
 * from an Ethereum node (ethrpc.c) into the account store (acctstore.h).
 * Resumes after the last stored block, stays `confirmations` blocks below
 * the node's tip, commits once per batch of blocks, and on a reorg walks
 * back to the fork point, rolls the store back there and re-ingests.
 */
#include "chain/account/acctstore.h"
#include "chain/account/ethrpc.h"
#include "util/encode.h"
#include "util/error.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Headers compared per request while looking for a fork point. */
#define CT_ETH_FORK_STEP 64
/* Attempts at fetching a batch while the node's chain keeps changing. */
#define CT_ETH_RETRIES 8

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static int stopping(const ct_eth_ingest_options *o)
{
	return o->stop && *o->stop;
}

static int key20(ct_acct_key *k, const uint8_t a[20])
{
	memset(k, 0, sizeof(*k));
	k->len = 20;
	memcpy(k->b, a, 20);
	return 0;
}

static int addr_id(ct_acctstore *st, const uint8_t a[20], uint64_t *id)
{
	ct_acct_key k;
	key20(&k, a);
	return ct__acct_addr_add(st, &k, id);
}

static int u256_zero(const ct_u256 *v)
{
	return !(v->w[0] | v->w[1] | v->w[2] | v->w[3]);
}

/* The stored hash of block `number` (0, or CT_ENOTFOUND). */
static int stored_hash(const ct_acctstore *st, uint64_t number, uint8_t out[32])
{
	uint64_t b;
	ct_acct_block blk;
	int rc = ct__acct_block_find(st, number, &b);
	if (rc)
		return rc;
	ct__acct_block_get(st, b, &blk);
	memcpy(out, blk.hash, 32);
	return 0;
}

/* Walk back from stored block `top` to the newest block whose hash the node
 * agrees with. *fork = its number, or *none = 1 if no stored block is on
 * the node's chain. */
static int find_fork(ct_ethrpc *c, const ct_acctstore *st, uint64_t top, uint64_t *fork,
                     int *none)
{
	ct_acct_block b0;
	uint8_t hashes[CT_ETH_FORK_STEP][32], mine[32];
	int present[CT_ETH_FORK_STEP];
	int rc;
	*none = 0;
	if (ct__acct_counts(st)->blocks == 0) {
		*none = 1;
		return 0;
	}
	ct__acct_block_get(st, 0, &b0);
	uint64_t first = b0.number, n = top;
	for (;;) {
		uint64_t lo = n - first >= CT_ETH_FORK_STEP - 1 ? n - (CT_ETH_FORK_STEP - 1) : first;
		if ((rc = ct__ethrpc_block_hashes(c, lo, (size_t)(n - lo + 1), hashes, present)))
			return rc;
		for (uint64_t m = n + 1; m-- > lo;) {
			if ((rc = stored_hash(st, m, mine)))
				return ct__err_prefix(rc, "reorg: stored block %" PRIu64, m);
			if (present[m - lo] && !memcmp(hashes[m - lo], mine, 32)) {
				*fork = m;
				return 0;
			}
		}
		if (lo == first) {
			*none = 1;
			return 0;
		}
		n = lo - 1;
	}
}

/* Roll the store back after a fork found below stored block `top`. */
static int handle_reorg(ct_ethrpc *c, ct_acctstore *st, uint64_t top, ct_eth_ingest_result *r)
{
	uint64_t fork = 0, from;
	int none, rc;
	ct_acct_block b0;
	if ((rc = find_fork(c, st, top, &fork, &none)))
		return rc;
	if (none) {
		/* never wipe a store because it was pointed at the wrong node */
		ct__acct_block_get(st, 0, &b0);
		return ct__err(CT_EUSER,
		               "the node's chain shares no block with the stored blocks %" PRIu64
		               "..%" PRIu64 " (another network, or a reorg deeper than the store): "
		               "use another --db",
		               b0.number, top);
	}
	from = fork + 1;
	if ((rc = ct__acctstore_rollback_block(st, from)))
		return ct__err_prefix(rc, "reorg: rolling back to block %" PRIu64, from);
	r->reorgs++;
	r->blocks_rolled_back += top + 1 - from;
	return 0;
}

/* The tokens a batch meets for the first time, with what their contracts
 * say of themselves (decimals, symbol: display only). */
typedef struct tokens {
	uint8_t (*addr)[20];
	int *decimals;
	char (*symbol)[32];
	size_t n;
} tokens;

static void tokens_free(tokens *t)
{
	free(t->addr);
	free(t->decimals);
	free(t->symbol);
	memset(t, 0, sizeof(*t));
}

static int tokens_find(const tokens *t, const uint8_t a[20])
{
	for (size_t i = 0; i < t->n; i++)
		if (!memcmp(t->addr[i], a, 20))
			return (int)i;
	return -1;
}

static int tokens_collect(ct_ethrpc *c, const ct_acctstore *st, const ct_eth_block *bs, size_t nb,
                          tokens *t)
{
	size_t cap = 0;
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < nb; i++)
		cap += bs[i].nlogs;
	if (!cap)
		return 0;
	t->addr = ct__calloc(cap, sizeof(*t->addr));
	t->decimals = ct__calloc(cap, sizeof(*t->decimals));
	t->symbol = ct__calloc(cap, sizeof(*t->symbol));
	if (!t->addr || !t->decimals || !t->symbol) {
		tokens_free(t);
		return CT_ENOMEM;
	}
	for (size_t i = 0; i < nb; i++)
		for (size_t k = 0; k < bs[i].nlogs; k++) {
			ct_acct_key ck;
			uint32_t id;
			key20(&ck, bs[i].logs[k].contract);
			if (ct__acct_asset_find(st, &ck, &id) == 0 ||
			    tokens_find(t, bs[i].logs[k].contract) >= 0)
				continue;
			memcpy(t->addr[t->n++], bs[i].logs[k].contract, 20);
		}
	ct__err_clear();
	int rc = ct__ethrpc_token_info(c, (const uint8_t(*)[20])t->addr, t->n, t->decimals, t->symbol);
	if (rc)
		tokens_free(t);
	return rc;
}

/* Append one fetched block: per tx its fee, its value transfer, then its
 * ERC-20 Transfer logs in log order. */
static int append_block(ct_acctstore *st, const ct_eth_block *b, const tokens *tk,
                        ct_eth_ingest_result *r)
{
	int rc;
	char hx[65];
	if ((rc = ct__acct_block_add(st, b->number, b->hash, b->parent, b->time)))
		return ct__err_prefix(rc, "block %" PRIu64, b->number);
	for (size_t i = 0; i < b->ntx; i++) {
		const ct_eth_tx *t = &b->txs[i];
		uint64_t tx, from;
		int added;
		uint32_t fl = CT_TXF_HASH | (t->failed ? CT_TXF_FAILED : 0);
		if ((rc = ct__acct_tx_add(st, t->hash, b->number, b->time, fl, &tx, &added)))
			return rc;
		if (!added) {
			ct__hex(hx, t->hash, 32);
			return ct__err(CT_EDATA,
			               "block %" PRIu64 ": tx 0x%s is already stored (ingested from "
			               "another source, e.g. transfers files, into this store?)",
			               b->number, hx);
		}
		if ((rc = addr_id(st, t->from, &from)))
			return rc;
		r->txs++;
		r->txs_failed += t->failed != 0;
		ct_acct_xfer x = {0};
		x.from = from;
		x.tx = tx;
		x.time = b->time;
		x.height = b->number;
		if (!u256_zero(&t->fee)) {
			x.to = CT_ACCT_NONE;
			x.asset = 0;
			x.flags = CT_XF_FEE;
			x.amount = t->fee;
			if ((rc = ct__acct_xfer_add(st, &x)))
				return rc;
			r->fees++;
		}
		if (!u256_zero(&t->value)) {
			if (!t->has_to) {
				if (!t->failed) {
					ct__hex(hx, t->hash, 32);
					return ct__err(CT_EDATA,
					               "block %" PRIu64 ": tx 0x%s creates a contract with value "
					               "but its receipt names no contractAddress",
					               b->number, hx);
				}
			} else {
				if ((rc = addr_id(st, t->to, &x.to)))
					return rc;
				x.asset = 0;
				x.flags = t->failed ? CT_XF_FAILED : 0;
				x.amount = t->value;
				if ((rc = ct__acct_xfer_add(st, &x)))
					return rc;
				r->xfers_eth++;
			}
		}
		for (size_t k = 0; k < b->nlogs; k++) {
			const ct_eth_log *l = &b->logs[k];
			if (memcmp(l->tx, t->hash, 32))
				continue;
			ct_acct_key ck;
			uint32_t asset;
			key20(&ck, l->contract);
			int ti = tokens_find(tk, l->contract);
			int dec = ti >= 0 && tk->decimals[ti] >= 0 ? tk->decimals[ti] : CT_DECIMALS_UNKNOWN;
			const char *sym = ti >= 0 && tk->symbol[ti][0] ? tk->symbol[ti] : NULL;
			if ((rc = ct__acct_asset_add(st, &ck, dec, sym, &asset)) ||
			    (rc = addr_id(st, l->from, &x.from)) || (rc = addr_id(st, l->to, &x.to)))
				return rc;
			x.asset = asset;
			x.flags = CT_XF_TOKEN;
			x.amount = l->amount;
			if ((rc = ct__acct_xfer_add(st, &x)))
				return rc;
			r->xfers_token++;
		}
	}
	return 0;
}

/* --follow outlives a node that goes away for a while: a connection or
 * HTTP failure is reported and retried after the poll interval. */
static int follow_retry(const ct_eth_ingest_options *o, int rc)
{
	if (!o->follow || rc != CT_EIO || stopping(o))
		return 0;
	if (o->warn) {
		char m[512];
		snprintf(m, sizeof(m), "%s (retrying)", ct_error_last());
		o->warn(m, o->payload);
	}
	unsigned poll = o->poll_ms ? o->poll_ms : 1000;
	for (unsigned waited = 0; waited < poll && !stopping(o); waited += 50)
		sleep_ms(50);
	return 1;
}

static void free_blocks(ct_eth_block *bs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ct__eth_block_free(&bs[i]);
	free(bs);
}

int ct__eth_ingest(const char *dbdir, const ct_eth_ingest_options *o, ct_eth_ingest_result *r)
{
	const ct_acct_chain *chain = ct__acct_chain_find("eth");
	ct_acctstore *st = NULL;
	ct_ethrpc *c = NULL;
	ct_eth_progress p = {0};
	double t0 = now_s();
	uint32_t batch = o->batch_blocks ? o->batch_blocks : 50;
	unsigned poll = o->poll_ms ? o->poll_ms : 1000;
	int rc, check_tip = 1, empty_tries = 0;
	uint64_t first_next = UINT64_MAX;
	ct_acct_counts start = {0};
	memset(r, 0, sizeof(*r));
	if (!chain)
		return ct__err(CT_EINTERNAL, "the eth chain is not known to the account store");
	if ((rc = ct__ethrpc_open(&c, o->url)))
		return rc;
	/* ask the node first: a wrong URL must not create an empty store */
	if ((rc = ct__ethrpc_block_number(c, &r->node_tip)))
		goto out;
	if ((rc = ct__acctstore_open(&st, dbdir, chain, 1)))
		goto out;
	start = *ct__acct_counts(st);
	for (;;) {
		ct_acct_block tb;
		int have_tip;
		if (stopping(o)) {
			r->stopped = 1;
			break;
		}
		if ((rc = ct__ethrpc_block_number(c, &r->node_tip))) {
			if (follow_retry(o, rc))
				continue;
			goto out;
		}
		rc = ct__acct_tip(st, &tb);
		if (rc && rc != CT_ENOTFOUND)
			goto out;
		have_tip = rc == 0;
		rc = 0;
		if (o->has_start && have_tip && first_next == UINT64_MAX && o->start != tb.number + 1) {
			rc = ct__err(CT_EUSER,
			             "--from %" PRIu64 ": the store already holds blocks up to %" PRIu64
			             " and resumes at %" PRIu64 " (--from is for an empty store)",
			             o->start, tb.number, tb.number + 1);
			goto out;
		}
		uint64_t next = have_tip ? tb.number + 1 : (o->has_start ? o->start : 0);
		int has_target = r->node_tip >= o->confirmations;
		uint64_t target = has_target ? r->node_tip - o->confirmations : 0;
		if (first_next == UINT64_MAX)
			first_next = next;
		/* the stored tip may have left the node's chain without the chain
		 * growing (a reorg to an equally long chain): check it at the
		 * start and whenever caught up */
		if (have_tip && (check_tip || !has_target || next > target)) {
			uint8_t h[32];
			int present;
			check_tip = 0;
			if ((rc = ct__ethrpc_block_hashes(c, tb.number, 1, &h, &present)))
				goto out;
			if (!present || memcmp(h, tb.hash, 32)) {
				if ((rc = handle_reorg(c, st, tb.number, r)))
					goto out;
				continue;
			}
		}
		if (!has_target || next > target) {
			if (!o->follow)
				break;
			p.following = 1;
			p.block = have_tip ? tb.number : 0;
			p.txs_done = r->txs;
			p.seconds = now_s() - t0;
			if (o->progress)
				o->progress(&p, o->payload);
			for (unsigned waited = 0; waited < poll && !stopping(o); waited += 50)
				sleep_ms(50);
			check_tip = 1;
			continue;
		}
		p.following = 0;
		uint64_t to = target - next >= batch - 1 ? next + batch - 1 : target;
		ct_eth_block *bs = NULL;
		size_t nb = 0;
		ct_eth_fetch_stats fs = {0};
		int tries = 0;
		while ((rc = ct__ethrpc_fetch(c, next, to, &bs, &nb, &fs, o->warn, o->payload)) == 1) {
			if (++tries >= CT_ETH_RETRIES) {
				rc = ct__err(CT_EDATA,
				             "blocks %" PRIu64 "..%" PRIu64
				             ": the node's chain changed during %d fetches in a row",
				             next, to, tries);
				break;
			}
			sleep_ms(100u * (unsigned)tries);
		}
		r->logs_skipped += fs.logs_skipped;
		if (rc == 2) {
			/* the node refused the log range: halve the batch and retry */
			char m[512];
			batch = (uint32_t)((to - next + 1) / 2);
			snprintf(m, sizeof(m), "%s; asking for %u blocks at a time", ct_error_last(),
			         (unsigned)batch);
			if (o->warn)
				o->warn(m, o->payload);
			rc = 0;
			continue;
		}
		if (rc && follow_retry(o, rc)) {
			rc = 0;
			continue;
		}
		if (rc)
			goto out;
		if (nb == 0) {
			/* the node reported a tip it does not serve (yet) */
			free_blocks(bs, nb);
			if (++empty_tries >= CT_ETH_RETRIES) {
				rc = ct__err(CT_EDATA,
				             "eth_getBlockByNumber(0x%" PRIx64 "): null although eth_blockNumber "
				             "is 0x%" PRIx64,
				             next, r->node_tip);
				goto out;
			}
			sleep_ms(100u * (unsigned)empty_tries);
			check_tip = 1;
			continue;
		}
		empty_tries = 0;
		if (have_tip && memcmp(bs[0].parent, tb.hash, 32)) {
			free_blocks(bs, nb);
			if ((rc = handle_reorg(c, st, tb.number, r)))
				goto out;
			continue;
		}
		tokens tk;
		if ((rc = tokens_collect(c, st, bs, nb, &tk))) {
			free_blocks(bs, nb);
			if (follow_retry(o, rc)) {
				rc = 0;
				continue;
			}
			goto out;
		}
		ct_eth_ingest_result before = *r;
		for (size_t i = 0; i < nb && !rc; i++)
			rc = append_block(st, &bs[i], &tk, r);
		free_blocks(bs, nb);
		tokens_free(&tk);
		if (rc) {
			ct__acctstore_abort(st);
			*r = before;
			goto out;
		}
		if ((rc = ct__acctstore_commit(st)))
			goto out;
		r->blocks_added += nb;
		p.block = next + nb - 1;
		p.target = target;
		p.blocks_done = r->blocks_added;
		p.blocks_total = target + 1 - first_next;
		p.txs_done = r->txs;
		p.xfers_done = r->xfers_eth + r->xfers_token + r->fees;
		p.seconds = now_s() - t0;
		if (o->progress)
			o->progress(&p, o->payload);
	}
out:
	/* bad data from the node: a one-shot run that saw no reorg leaves the
	 * store as it found it (as `ingest btc` does); --follow keeps what it
	 * committed before, each batch being all or nothing */
	if (rc == CT_EDATA && st && !o->follow && !r->reorgs &&
	    ct__acct_counts(st)->blocks != start.blocks) {
		char msg[512];
		snprintf(msg, sizeof(msg), "%s", ct_error_last());
		if (ct__acctstore_rollback(st, &start) == 0) {
			r->blocks_added = 0;
			ct__err(CT_EDATA, "%s", msg);
		} else {
			ct__err_prefix(CT_EDATA, "%s; rolling back this run's blocks failed", msg);
		}
	}
	if (st) {
		ct_acct_block tb;
		if (ct__acct_tip(st, &tb) == 0) {
			r->tip = tb.number;
			r->has_tip = 1;
		}
	}
	if (c) {
		r->bytes = ct__ethrpc_bytes(c);
		r->requests = ct__ethrpc_requests(c);
	}
	r->seconds = now_s() - t0;
	ct__acctstore_close(st);
	ct__ethrpc_close(c);
	return rc;
}
