/*
 * ingest.c - `cointrail ingest btc`: choose the best chain among the
 * blocks found and those already stored, roll back what left it, append
 * what joined it, commit in batches.
 *
 * Chain selection works on headers only. Stored blocks and the blocks
 * found in the inputs form a forest (a sample that starts mid-chain is a
 * tree of its own, rooted at a block whose parent is unknown). In every
 * tree the best chain ends at the block with the most cumulative work
 * (ties: the stored chain, then the first block seen, as Bitcoin Core
 * keeps the first tip it received). Stored blocks off that chain are
 * rolled back; new blocks on it are appended, trees ordered by time.
 *
 * Bad data never changes the store: when a rollback is needed the new
 * blocks are validated before it; otherwise the blocks appended by this
 * run are rolled back when a later block turns out bad.
 */
#include "analysis/cluster.h"
#include "chain/btc/blkfile.h"
#include "chain/btc/btcstore.h"
#include "util/encode.h"
#include "util/error.h"
#include "util/fsutil.h"
#include "util/u256.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_COMMIT_BYTES (256ull << 20)

typedef struct node {
	uint8_t hash[32];
	ct_u256 work; /* cumulative from the tree's root */
	int64_t parent;
	int64_t root;
	uint32_t height;
	uint32_t time;
	int64_t loc;    /* index into blkset locs, -1 for stored blocks */
	int in_store;
	int on_best;
	int state; /* 0 new, 1 resolving, 2 done */
} node;

typedef struct graph {
	node *n;
	size_t count, cap;
	int64_t *map; /* open addressing: node index + 1 */
	size_t map_cap;
	uint64_t n_store;
} graph;

static uint64_t h64(const uint8_t *hash)
{
	uint64_t v;
	memcpy(&v, hash, 8);
	return v;
}

static int64_t g_find(const graph *g, const uint8_t *hash)
{
	size_t mask = g->map_cap - 1, i = (size_t)h64(hash) & mask;
	while (g->map[i]) {
		int64_t k = g->map[i] - 1;
		if (!memcmp(g->n[k].hash, hash, 32))
			return k;
		i = (i + 1) & mask;
	}
	return -1;
}

static void g_insert(graph *g, int64_t k)
{
	size_t mask = g->map_cap - 1, i = (size_t)h64(g->n[k].hash) & mask;
	while (g->map[i])
		i = (i + 1) & mask;
	g->map[i] = k + 1;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Height from the coinbase of a new root block (BIP 34), else unknown. */
static uint32_t root_height(ct_blkset *set, int64_t loc, ct_hasher *h, const ct_btc_net *net,
                            ct_btc_block *blk, uint8_t **buf, size_t *cap)
{
	char hex[65];
	ct__hex_rev(hex, set->locs[loc].hash, 32);
	if (!strcmp(hex, net->genesis_hex))
		return 0;
	ct_parse_err perr;
	if (ct__blkset_read(set, (size_t)loc, buf, cap) != 0)
		return CT_HEIGHT_UNKNOWN;
	if (ct__btc_parse_block(blk, h, *buf, set->locs[loc].len, &perr) != 0)
		return CT_HEIGHT_UNKNOWN; /* reported when the block is appended */
	return blk->bip34_height >= 0 && blk->bip34_height < CT_HEIGHT_UNKNOWN
	               ? (uint32_t)blk->bip34_height
	               : CT_HEIGHT_UNKNOWN;
}

typedef struct run {
	int64_t tree;
	uint32_t time;
	size_t first, count; /* into the order array */
} run;

static int cmp_run(const void *a, const void *b)
{
	const run *x = a, *y = b;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->tree < y->tree ? -1 : x->tree > y->tree;
}

static int block_error(ct_blkset *set, size_t loc, const ct_parse_err *e)
{
	const ct_blkloc *l = &set->locs[loc];
	return ct__err(CT_EDATA, "%s: offset %llu: %s", set->srcs[l->src].path,
	               (unsigned long long)(l->off + e->offset), e->reason);
}

/* ---- the reader thread --------------------------------------------------
 * Reading, parsing (txids, merkle root) and preparing blocks (script
 * classification, index hashes) need nothing from the store, so a second
 * thread does them RING blocks ahead of the appending thread. Each slot
 * owns its buffers; results, errors included, are consumed in order. */

#define RING 4

typedef struct rslot {
	uint8_t *buf;
	size_t cap;
	ct_btc_block blk;
	ct_btc_prep prep;
	int rc;
	char msg[1024];
} rslot;

typedef struct reader {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int init;
	rslot slots[RING];
	ct_blkset *set;
	const graph *g;
	const int64_t *plan;
	size_t n, produced, consumed;
	int stop;
} reader;

static void *reader_main(void *arg)
{
	reader *r = arg;
	ct_hasher *h = NULL;
	int failed = ct__hasher_new(&h) != 0;
	for (size_t i = 0; i < r->n; i++) {
		pthread_mutex_lock(&r->mu);
		while (!r->stop && r->produced - r->consumed >= RING)
			pthread_cond_wait(&r->cv, &r->mu);
		int stop = r->stop;
		pthread_mutex_unlock(&r->mu);
		if (stop)
			break;
		rslot *s = &r->slots[i % RING];
		size_t loc = (size_t)r->g->n[r->plan[i]].loc;
		ct_parse_err perr;
		s->rc = failed ? CT_ENOMEM : ct__blkset_read(r->set, loc, &s->buf, &s->cap);
		if (!s->rc) {
			s->rc = ct__btc_parse_block(&s->blk, h, s->buf, r->set->locs[loc].len, &perr);
			if (s->rc == CT_EDATA)
				block_error(r->set, loc, &perr);
		}
		if (!s->rc)
			s->rc = ct__btc_prepare(&s->prep, h, &s->blk);
		if (s->rc)
			snprintf(s->msg, sizeof(s->msg), "%s", ct_error_last());
		pthread_mutex_lock(&r->mu);
		r->produced++;
		pthread_cond_broadcast(&r->cv);
		pthread_mutex_unlock(&r->mu);
		if (s->rc)
			break; /* the consumer stops at this slot */
	}
	ct__hasher_free(h);
	return NULL;
}

static int reader_start(reader *r, ct_blkset *set, const graph *g, const int64_t *plan, size_t n)
{
	r->set = set;
	r->g = g;
	r->plan = plan;
	r->n = n;
	r->produced = r->consumed = 0;
	r->stop = 0;
	for (int i = 0; i < RING; i++)
		ct__btc_block_init(&r->slots[i].blk);
	if (pthread_mutex_init(&r->mu, NULL) || pthread_cond_init(&r->cv, NULL))
		return ct__err(CT_EINTERNAL, "cannot create the reader's lock");
	r->init = 1;
	if (pthread_create(&r->th, NULL, reader_main, r) != 0)
		return ct__err(CT_EINTERNAL, "cannot start the reader thread");
	return 0;
}

/* The next block in plan order; blocks until the reader has it. */
static rslot *reader_next(reader *r)
{
	pthread_mutex_lock(&r->mu);
	while (r->produced <= r->consumed)
		pthread_cond_wait(&r->cv, &r->mu);
	pthread_mutex_unlock(&r->mu);
	return &r->slots[r->consumed % RING];
}

static void reader_release(reader *r)
{
	pthread_mutex_lock(&r->mu);
	r->consumed++;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
}

static void reader_stop(reader *r)
{
	pthread_mutex_lock(&r->mu);
	r->stop = 1;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
	pthread_join(r->th, NULL);
}

static void reader_free(reader *r)
{
	if (!r->init)
		return;
	for (int i = 0; i < RING; i++) {
		free(r->slots[i].buf);
		ct__btc_block_free(&r->slots[i].blk);
		ct__btc_prep_free(&r->slots[i].prep);
	}
	pthread_mutex_destroy(&r->mu);
	pthread_cond_destroy(&r->cv);
	r->init = 0;
}

/* Internal entry with the data directory path (db.c resolves it). */
int ct__btc_ingest_dir(const char *dbdir, const char *const *paths, size_t npaths,
                       const ct_ingest_options *opts, ct_ingest_result *res)
{
	ct_blkset set;
	graph g;
	ct_hasher *h = NULL;
	ct_btcstore *st = NULL;
	ct_btc_block blk;
	uint8_t *buf = NULL;
	size_t bufcap = 0;
	int64_t *order = NULL, *plan = NULL;
	run *runs = NULL;
	reader rd;
	int reader_started = 0;
	size_t n_runs = 0;
	int rc;
	double t0 = now_s();
	const ct_btc_net *forced = NULL;
	int existed = 1;

	memset(&set, 0, sizeof(set));
	memset(&g, 0, sizeof(g));
	memset(&rd, 0, sizeof(rd));
	memset(res, 0, sizeof(*res));
	ct__btc_block_init(&blk);
	int heur = -2;
	if (opts && opts->change_heuristics &&
	    (heur = ct__cluster_heuristics_parse(opts->change_heuristics)) < 0)
		return ct__err(CT_EUSER, "unknown change heuristic in '%s' (one-time, optimal, type, round, "
		               "all, none)", opts->change_heuristics);
	if (opts && opts->network && !(forced = ct__btc_net_by_name(opts->network)))
		return ct__err(CT_EUSER, "unknown network '%s' (mainnet, testnet, testnet4, signet, regtest)",
		               opts->network);
	if ((rc = ct__hasher_new(&h)))
		goto cleanup;
	for (size_t i = 0; i < npaths; i++)
		if ((rc = ct__blkset_add_path(&set, paths[i])))
			goto cleanup;
	if ((rc = ct__blkset_scan(&set, h, forced)))
		goto cleanup;
	snprintf(res->chain, sizeof(res->chain), "%s", set.net->chain);
	res->blocks_seen = set.n_locs;
	existed = ct__btcstore_exists(dbdir, set.net->chain);
	if ((rc = ct__btcstore_open(&st, dbdir, set.net, 1)))
		goto cleanup;

	/* ---- the header forest ---- */
	g.n_store = st->c.blocks;
	g.cap = g.n_store + set.n_locs + 1;
	g.map_cap = 16;
	while (g.map_cap < 2 * g.cap)
		g.map_cap *= 2;
	if (!(g.n = ct__calloc(g.cap, sizeof(node))) ||
	    !(g.map = ct__calloc(g.map_cap, sizeof(int64_t)))) {
		rc = CT_ENOMEM;
		goto cleanup;
	}
	for (uint64_t b = 0; b < g.n_store; b++) {
		node *x = &g.n[g.count];
		const uint8_t *br = ct__blk(st, b);
		memcpy(x->hash, br + CT_BLK_HASH, 32);
		ct__u256_from_le(&x->work, br + CT_BLK_WORK);
		x->height = ct_le32(br + CT_BLK_HEIGHT);
		x->time = ct_le32(br + 68);
		x->loc = -1;
		x->in_store = 1;
		x->state = 2;
		int64_t p = g_find(&g, br + 4);
		x->parent = p;
		x->root = p >= 0 ? g.n[p].root : (int64_t)g.count;
		g_insert(&g, (int64_t)g.count);
		g.count++;
	}
	for (size_t i = 0; i < set.n_locs; i++) {
		if (g_find(&g, set.locs[i].hash) >= 0) {
			if (g_find(&g, set.locs[i].hash) < (int64_t)g.n_store)
				res->blocks_known++;
			continue; /* duplicate: first copy wins */
		}
		node *x = &g.n[g.count];
		memcpy(x->hash, set.locs[i].hash, 32);
		x->loc = (int64_t)i;
		x->time = ct_le32(set.locs[i].header + 68);
		x->parent = -2; /* unresolved */
		g_insert(&g, (int64_t)g.count);
		g.count++;
	}
	/* Resolve parents, work and heights of new nodes, parents first. */
	int64_t *stack = ct__malloc((g.count + 1) * sizeof(int64_t));
	if (!stack) {
		rc = CT_ENOMEM;
		goto cleanup;
	}
	for (size_t k = g.n_store; k < g.count; k++) {
		size_t sp = 0;
		stack[sp++] = (int64_t)k;
		while (sp) {
			int64_t cur = stack[sp - 1];
			node *x = &g.n[cur];
			if (x->state == 2) {
				sp--;
				continue;
			}
			const uint8_t *hdr = set.locs[x->loc].header;
			if (x->parent == -2)
				x->parent = g_find(&g, hdr + 4);
			if (x->parent >= 0 && g.n[x->parent].state != 2) {
				if (g.n[x->parent].state == 1) { /* cannot happen: hashes chain */
					free(stack);
					rc = ct__err(CT_EDATA, "block header cycle");
					goto cleanup;
				}
				x->state = 1;
				stack[sp++] = x->parent;
				continue;
			}
			ct_u256 target, own;
			ct__u256_from_compact(&target, ct_le32(hdr + 72));
			ct__u256_work(&own, &target);
			if (x->parent >= 0) {
				node *p = &g.n[x->parent];
				ct__u256_add(&x->work, &p->work, &own);
				x->root = p->root;
				x->height = p->height == CT_HEIGHT_UNKNOWN ? CT_HEIGHT_UNKNOWN : p->height + 1;
			} else {
				x->work = own;
				x->root = cur;
				x->height = root_height(&set, x->loc, h, set.net, &blk, &buf, &bufcap);
			}
			x->state = 2;
			sp--;
		}
	}
	free(stack);

	/* Best node per tree. */
	int64_t *best = ct__malloc(g.count * sizeof(int64_t) + 8);
	if (!best) {
		rc = CT_ENOMEM;
		goto cleanup;
	}
	for (size_t k = 0; k < g.count; k++)
		best[k] = -1;
	for (size_t k = 0; k < g.count; k++) {
		int64_t r = g.n[k].root;
		if (best[r] < 0 || ct__u256_cmp(&g.n[k].work, &g.n[best[r]].work) > 0)
			best[r] = (int64_t)k; /* strict: earlier (stored, first seen) wins ties */
	}
	for (size_t k = 0; k < g.count; k++)
		if (best[k] >= 0)
			for (int64_t x = best[k]; x >= 0; x = g.n[x].parent)
				g.n[x].on_best = 1;
	free(best);

	/* When the network's genesis block is known (stored or found), the
	 * chain is being built from the start, and a tree rooted anywhere
	 * else is blocks whose parents have not arrived yet (Bitcoin Core
	 * writes blocks out of order): they wait for a later run. Without
	 * genesis (samples that start mid-chain) every tree is kept. */
	int64_t genesis_root = -1;
	for (size_t k = 0; k < g.count; k++) {
		char hex[65];
		ct__hex_rev(hex, g.n[k].hash, 32);
		if (g.n[k].parent < 0 && !strcmp(hex, set.net->genesis_hex))
			genesis_root = (int64_t)k;
	}
	if (genesis_root >= 0 && !(opts && opts->allow_gaps))
		for (size_t k = g.n_store; k < g.count; k++)
			if (g.n[k].root != genesis_root && g.n[k].on_best && !g.n[g.n[k].root].in_store) {
				g.n[k].on_best = 0;
				res->blocks_orphan++;
			}

	/* Stored blocks off the best chain must form the store's tail. */
	uint64_t cut = g.n_store;
	for (uint64_t b = 0; b < g.n_store; b++)
		if (!g.n[b].on_best) {
			cut = b;
			break;
		}
	for (uint64_t b = cut; b < g.n_store; b++)
		if (g.n[b].on_best) {
			rc = ct__err(CT_EUSER, "a reorg replaces block %llu of the store, which has later, "
			             "unrelated segments after it; ingest into a fresh data directory",
			             (unsigned long long)b);
			goto cleanup;
		}

	/* Runs to append: per tree, the new nodes on its best chain. */
	size_t n_new = 0;
	for (size_t k = g.n_store; k < g.count; k++) {
		if (g.n[k].on_best)
			n_new++;
		else if (g.n[g.n[k].root].on_best || g.n[k].root == genesis_root || genesis_root < 0 ||
		         (opts && opts->allow_gaps))
			res->blocks_stale++;
	}
	if (!(order = ct__malloc((n_new + 1) * sizeof(int64_t))) ||
	    !(runs = ct__calloc(n_new + 1, sizeof(run)))) {
		rc = CT_ENOMEM;
		goto cleanup;
	}
	{
		/* Walk each tree's best tip back to its first new node. */
		size_t pos = 0;
		/* A tree's tip is its on-best node without an on-best child. */
		uint8_t *has_child = ct__calloc(g.count + 1, 1);
		if (!has_child) {
			rc = CT_ENOMEM;
			goto cleanup;
		}
		for (size_t k = 0; k < g.count; k++)
			if (g.n[k].on_best && g.n[k].parent >= 0)
				has_child[g.n[k].parent] = 1;
		for (size_t k = g.n_store; k < g.count; k++) {
			if (!g.n[k].on_best || has_child[k])
				continue;
			size_t len = 0;
			for (int64_t x = (int64_t)k; x >= 0 && !g.n[x].in_store; x = g.n[x].parent)
				len++;
			size_t i = pos + len;
			for (int64_t x = (int64_t)k; x >= 0 && !g.n[x].in_store; x = g.n[x].parent)
				order[--i] = x;
			runs[n_runs].tree = g.n[k].root;
			runs[n_runs].time = g.n[order[pos]].time;
			runs[n_runs].first = pos;
			runs[n_runs].count = len;
			n_runs++;
			pos += len;
		}
		free(has_child);
		qsort(runs, n_runs, sizeof(run), cmp_run);
	}

	uint64_t total_bytes = 0, done_bytes = 0, done_blocks = 0;
	for (size_t r = 0; r < n_runs; r++)
		for (size_t i = 0; i < runs[r].count; i++)
			total_bytes += set.locs[g.n[order[runs[r].first + i]].loc].len;

	/* A rollback loses stored blocks: validate what replaces them first. */
	if (cut < g.n_store) {
		for (size_t r = 0; r < n_runs; r++)
			for (size_t i = 0; i < runs[r].count; i++) {
				size_t loc = (size_t)g.n[order[runs[r].first + i]].loc;
				ct_parse_err perr;
				if ((rc = ct__blkset_read(&set, loc, &buf, &bufcap)))
					goto cleanup;
				if ((rc = ct__btc_parse_block(&blk, h, buf, set.locs[loc].len, &perr))) {
					if (rc == CT_EDATA)
						block_error(&set, loc, &perr);
					goto cleanup;
				}
			}
		res->blocks_rolled_back = g.n_store - cut;
		/* Union-find cannot forget the rolled-back txs: rebuild it. */
		if ((rc = ct__clusters_invalidate(st->dir)) || (rc = ct__btcstore_rollback(st, cut)))
			goto cleanup;
	}

	if ((rc = ct__btcstore_expect(st, total_bytes)))
		goto cleanup;
	uint64_t start_blocks = st->c.blocks;
	uint64_t commit_bytes = opts && opts->commit_bytes ? opts->commit_bytes : DEFAULT_COMMIT_BYTES;
	uint32_t commit_blocks = opts ? opts->commit_blocks : 0;
	uint64_t batch_bytes = 0, batch_blocks = 0;
	/* The plan, flattened: blocks to append, in order. */
	size_t n_plan = 0;
	if (!(plan = ct__malloc((n_new + 1) * sizeof(int64_t)))) {
		rc = CT_ENOMEM;
		goto cleanup;
	}
	for (size_t r = 0; r < n_runs; r++)
		for (size_t i = 0; i < runs[r].count; i++)
			plan[n_plan++] = order[runs[r].first + i];
	if ((rc = reader_start(&rd, &set, &g, plan, n_plan)))
		goto cleanup;
	reader_started = 1;
	for (size_t i = 0; i < n_plan && !rc; i++) {
		rslot *sl = reader_next(&rd);
		node *x = &g.n[plan[i]];
		size_t loc = (size_t)x->loc;
		if (sl->rc) {
			rc = ct__err(sl->rc, "%s", sl->msg);
			break;
		}
		uint8_t work[32];
		ct__u256_to_le(work, &x->work);
		uint64_t unres = 0;
		if ((rc = ct__btcstore_append(st, &sl->blk, &sl->prep, x->height, work, &unres))) {
			if (rc == CT_EDATA) {
				const ct_blkloc *l = &set.locs[loc];
				ct__err_prefix(rc, "%s: offset %llu", set.srcs[l->src].path,
				               (unsigned long long)l->off);
			}
			break;
		}
		res->blocks_added++;
		res->txs_added += sl->blk.n_tx;
		res->inputs_added += sl->blk.n_in;
		res->outputs_added += sl->blk.n_out;
		res->inputs_unresolved += unres;
		res->bytes += sl->blk.size;
		done_bytes += sl->blk.size;
		done_blocks++;
		batch_bytes += sl->blk.size;
		batch_blocks++;
		uint64_t size = sl->blk.size;
		reader_release(&rd);
		if ((done_bytes >> 25) != ((done_bytes - size) >> 25))
			ct__btcstore_writeback(st); /* every 32 MB */
		if (batch_bytes >= commit_bytes || (commit_blocks && batch_blocks >= commit_blocks)) {
			if ((rc = ct__btcstore_commit(st)))
				break;
			batch_bytes = batch_blocks = 0;
		}
		if (opts && opts->progress) {
			ct_progress p = {done_blocks, n_new, done_bytes, total_bytes,
			                 res->txs_added, now_s() - t0};
			opts->progress(&p, opts->payload);
		}
	}
	reader_stop(&rd);
	reader_started = 0;
	if (!rc)
		rc = ct__btcstore_commit(st);
	if (!rc) {
		ct_clusters *cl = NULL;
		res->seconds = now_s() - t0; /* the blocks; clustering is timed apart */
		ct_cluster_stats cs;
		if ((rc = ct__clusters_open(&cl, st)) == 0 && heur >= 0)
			ct__clusters_set_heuristics(cl, heur);
		if (rc == 0 && (rc = ct__clusters_update(cl, &cs)) == 0) {
			res->cluster_merges = cs.merges;
			res->cluster_coinjoins_skipped = cs.coinjoins_skipped;
			res->cluster_merges_refused = cs.merges_refused;
			res->cluster_seconds = cs.seconds;
		}
		ct__clusters_close(cl);
		if (rc) /* the blocks are committed; only the clustering failed */
			goto cleanup;
	}
	if (rc) {
		/* Leave the store as it was before this run. */
		char msg[1024];
		snprintf(msg, sizeof(msg), "%s", ct_error_last());
		ct__btcstore_abort(st);
		if (st->c.blocks > start_blocks && ct__btcstore_rollback(st, start_blocks) != 0) {
			ct__err(rc, "%s (and undoing this run failed: %s)", msg, ct_error_last());
			goto cleanup;
		}
		ct__err(rc, "%s", msg);
		memset(res, 0, sizeof(*res));
	}
cleanup:
	if (reader_started)
		reader_stop(&rd);
	reader_free(&rd);
	free(plan);
	if (res->seconds == 0)
		res->seconds = now_s() - t0;
	if (rc && st && !existed && st->c.blocks == 0) {
		/* Leave no empty chain behind a refused first ingest. */
		char dir[4096];
		snprintf(dir, sizeof(dir), "%s", st->dir);
		ct__btcstore_close(st);
		st = NULL;
		ct__remove_tree(dir);
	}
	ct__btcstore_close(st);
	ct__btc_block_free(&blk);
	ct__hasher_free(h);
	ct__blkset_free(&set);
	free(buf);
	free(order);
	free(runs);
	free(g.n);
	free(g.map);
	return rc;
}
