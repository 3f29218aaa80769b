/*
 * block.c - blocks and blk*.dat files.
 *
 * A block is assembled in memory (its txs are already serialised by
 * syn_emit), then the coinbase is built last because its value is the
 * subsidy plus the block's fees and it carries the BIP 141 witness
 * commitment over all wtxids. The header's nonce is ground until the
 * double SHA-256, read as a little-endian number, is at most the target
 * of bits 0x207fffff (regtest's limit: about one try in two).
 *
 * Files are Bitcoin Core's: records of magic, LE32 length and block,
 * in height order, a new blkNNNNN.dat once the next block would take a
 * file past 128 MiB.
 *
 * Three threads share the work, a block at a time (SYN_NJOBS blocks in
 * flight): the simulation (main thread) fills a job with tx records; the
 * serialiser (tx.c) turns them into bytes, leaving out the txids that
 * inputs spend; the finisher fills those in from the txid table and
 * hashes the txs in order (syn_txids, tx.c), then adds both merkle
 * trees, the coinbase and the header, grinds the nonce and writes the
 * block; the job goes back to the simulation with the txid table slots
 * that became free. Each job carries everything its block needs,
 * including the coinbase's random bytes, so the output does not depend
 * on timing; only the finisher touches the txid table's contents, and no
 * stage waits for another but through the queues.
 */
#include "synth/synth.h"

#include <errno.h>
#include <pthread.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/error.h"

#define BLK_FILE_MAX (128u << 20)
#define BLOCK_BITS 0x207fffffu
#define MATURITY 100
/* Keep blocks inside the consensus limits (1 MB base size as counted
 * by pre-segwit nodes, 4M weight units) with some margin. */
#define BLOCK_BASE_MAX 960000u
#define BLOCK_WEIGHT_MAX 3900000u

/* ---- the finisher (third thread) ----------------------------------------- */

static int close_blk(syn_fin *f)
{
	if (!f->blk_open)
		return 0;
	f->blk_open = 0;
	if (close(f->blk_fd) != 0)
		return ct__err_sys("synth: writing blk%05u.dat", f->blk_no - 1);
	return 0;
}

static int open_blk(syn_fin *f)
{
	char path[4096];
	int rc = close_blk(f);
	if (rc < 0)
		return rc;
	snprintf(path, sizeof(path), "%s/blocks/blk%05u.dat", f->dir, f->blk_no);
	f->blk_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (f->blk_fd < 0)
		return ct__err_sys("synth: cannot create %s", path);
	f->blk_open = 1;
	f->blk_no++;
	f->blk_size = 0;
	return 0;
}

/* A block's pieces in one system call (a block is about 1 MB: no buffer
 * in between, no copy but the kernel's). */
static int write_all(syn_fin *f, struct iovec *iov, int n)
{
	while (n) {
		ssize_t w = writev(f->blk_fd, iov, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return ct__err_sys("synth: writing blk%05u.dat", f->blk_no - 1);
		}
		while (n && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

/* Merkle root of n hashes (n >= 1), Bitcoin's: odd levels repeat the last. */
static int merkle(uint8_t root[32], const uint8_t *hashes, size_t stride, size_t n)
{
	uint8_t *lv = ct__malloc((n + 1) * 32);
	if (!lv)
		return CT_ENOMEM;
	for (size_t i = 0; i < n; i++)
		memcpy(lv + 32 * i, hashes + stride * i, 32);
	while (n > 1) {
		if (n & 1) {
			memcpy(lv + 32 * n, lv + 32 * (n - 1), 32);
			n++;
		}
		size_t i = 0;
		for (; i + 2 <= n / 2; i += 2) /* two nodes at a time */
			syn_merkle_pair_x2(lv + 32 * i, lv + 64 * i, lv + 32 * (i + 1), lv + 64 * (i + 1));
		if (i < n / 2)
			syn_merkle_pair(lv + 32 * i, lv + 64 * i);
		n /= 2;
	}
	memcpy(root, lv, 32);
	free(lv);
	return 0;
}

/* BIP 34: the height as the first push of the coinbase scriptSig, in the
 * form Core's CScript() << height produces (OP_0, OP_1..OP_16, or a
 * minimal little-endian number push). */
static size_t height_push(uint8_t *p, uint64_t h)
{
	if (h == 0) {
		p[0] = 0x00;
		return 1;
	}
	if (h <= 16) {
		p[0] = (uint8_t)(0x50 + h);
		return 1;
	}
	uint8_t num[9];
	size_t n = 0;
	while (h) {
		num[n++] = (uint8_t)h;
		h >>= 8;
	}
	if (num[n - 1] & 0x80)
		num[n++] = 0;
	p[0] = (uint8_t)n;
	memcpy(p + 1, num, n);
	return n + 1;
}

static int finish(syn_sim *s, syn_fin *F, syn_job *J)
{
	int rc;
	uint8_t cb[512], *p = cb, *body, *body_end, *lock;
	uint8_t commit[32];

	/* the spent txids, then txids and wtxids, in order */
	if ((rc = syn_txids(s, J)) < 0)
		return rc;
	if (F->segwit) {
		/* the witness root (the coinbase's wtxid counted as zero) and the
		 * commitment with an all-zero reserved value (BIP 141) */
		uint8_t wroot[32], buf[64];
		memset(J->recs[0].wtxid, 0, 32);
		if ((rc = merkle(wroot, J->recs[0].wtxid, sizeof(syn_txrec), J->nrecs)) < 0)
			return rc;
		memcpy(buf, wroot, 32);
		memset(buf + 32, 0, 32);
		syn_sha256d(commit, buf, 64);
	}

	ct_put_le32(p, 2);
	p += 4;
	if (F->segwit) {
		*p++ = 0x00;
		*p++ = 0x01;
	}
	body = p;
	*p++ = 1;
	memset(p, 0, 32);
	ct_put_le32(p + 32, 0xffffffffu);
	p += 36;
	uint8_t ss[100];
	size_t n = height_push(ss, J->height);
	ss[n++] = 8; /* extranonce */
	memcpy(ss + n, J->extranonce, 8);
	n += 8;
	n += (size_t)snprintf((char *)ss + n, sizeof(ss) - n, "/synth-pool-%u/", J->pool_no);
	*p++ = (uint8_t)n;
	memcpy(p, ss, n);
	p += n;
	ct_put_le32(p, 0xffffffffu);
	p += 4;
	*p++ = F->segwit ? 2 : 1;
	ct_put_le64(p, J->value);
	p += 8;
	n = syn_spk(F->seed, &J->mk, p + 1);
	*p = (uint8_t)n;
	p += 1 + n;
	if (F->segwit) {
		ct_put_le64(p, 0);
		p += 8;
		*p++ = 38;
		*p++ = 0x6a; /* OP_RETURN, push 36: aa21a9ed + commitment */
		*p++ = 0x24;
		*p++ = 0xaa;
		*p++ = 0x21;
		*p++ = 0xa9;
		*p++ = 0xed;
		memcpy(p, commit, 32);
		p += 32;
	}
	body_end = p;
	if (F->segwit) {
		*p++ = 1;
		*p++ = 32;
		memset(p, 0, 32);
		p += 32;
	}
	lock = p;
	ct_put_le32(p, 0);
	p += 4;
	{
		const void *parts[3] = {cb, body, lock};
		size_t lens[3] = {4, (size_t)(body_end - body), 4};
		syn_sha256d_parts(J->recs[0].txid, parts, lens, 3);
	}
	size_t cblen = (size_t)(p - cb);
	/* the miner spends it 100 blocks later */
	syn_slot *cbs = syn_slot_at(s->slots, J->cb_slot);
	memcpy(cbs->txid, J->recs[0].txid, 32);
	cbs->refs = 1;

	uint8_t hdr[80], hash[32];
	ct_put_le32(hdr, 0x20000000u);
	memcpy(hdr + 4, F->prev_hash, 32);
	if ((rc = merkle(hdr + 36, J->recs[0].txid, sizeof(syn_txrec), J->nrecs)) < 0)
		return rc;
	ct_put_le32(hdr + 68, (uint32_t)J->time);
	ct_put_le32(hdr + 72, BLOCK_BITS);
	for (uint32_t nonce = 0;; nonce++) {
		ct_put_le32(hdr + 76, nonce);
		syn_sha256d(hash, hdr, 80);
		/* target = 0x7fffff << 232 (LE bytes 29..31 are ff ff 7f): any
		 * hash whose top byte is below 0x7f is under it. */
		if (hash[31] < 0x7f)
			break;
	}

	uint8_t pre[8 + 80 + 9];
	size_t hl = 80 + syn_put_varint(pre + 88, J->nrecs);
	memcpy(pre + 8, hdr, 80);
	size_t blk_len = hl + cblen + J->len;
	if (F->blk_size && F->blk_size + 8 + blk_len > BLK_FILE_MAX && (rc = open_blk(F)) < 0)
		return rc;
	memcpy(pre, F->magic, 4);
	ct_put_le32(pre + 4, (uint32_t)blk_len);
	struct iovec iov[3] = {{pre, 8 + hl}, {cb, cblen}, {J->buf, J->len}};
	if ((rc = write_all(F, iov, J->len ? 3 : 2)) < 0)
		return rc;
	F->blk_size += 8 + blk_len;
	F->bytes += 8 + blk_len;
	memcpy(F->prev_hash, hash, 32);
	return 0;
}

/* ---- the pipeline ---------------------------------------------------------- */

double syn_thread_cpu(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
		return 0;
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void q_push(syn_job **q, syn_job *J)
{
	J->next = NULL;
	while (*q)
		q = &(*q)->next;
	*q = J;
}

static syn_job *q_pop(syn_job **q)
{
	syn_job *J = *q;
	if (J)
		*q = J->next;
	return J;
}

/* Under mu: the first failure stops all work (the jobs still travel, so
 * that nobody waits forever). The message is the failing thread's. */
static void set_err(syn_sim *s, int rc)
{
	if (!s->pl_rc) {
		s->pl_rc = rc;
		snprintf(s->pl_err, sizeof(s->pl_err), "%s", ct_error_last());
	}
}

static void *serialiser(void *arg)
{
	syn_sim *s = arg;
	pthread_setname_np(pthread_self(), "synth-serialise");
	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (!s->q_ser && !s->pl_stop)
			pthread_cond_wait(&s->cv, &s->mu);
		syn_job *J = q_pop(&s->q_ser);
		if (!J)
			break;
		int skip = s->pl_rc != 0, rc = 0;
		pthread_mutex_unlock(&s->mu);
		if (!skip)
			rc = syn_serialise(s, J);
		pthread_mutex_lock(&s->mu);
		if (rc < 0)
			set_err(s, rc);
		q_push(&s->q_fin, J);
		pthread_cond_broadcast(&s->cv);
	}
	s->pl_threads &= ~1;
	s->cpu_ser = syn_thread_cpu();
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

static void *finisher(void *arg)
{
	syn_sim *s = arg;
	pthread_setname_np(pthread_self(), "synth-blocks");
	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (!s->q_fin && (s->pl_threads & 1))
			pthread_cond_wait(&s->cv, &s->mu);
		syn_job *J = q_pop(&s->q_fin);
		if (!J)
			break;
		int skip = s->pl_rc != 0, rc = 0;
		pthread_mutex_unlock(&s->mu);
		if (!skip)
			rc = finish(s, &s->fin, J);
		pthread_mutex_lock(&s->mu);
		if (rc < 0) {
			set_err(s, rc);
		} else if (!skip) {
			s->fin_bytes = s->fin.bytes;
		}
		q_push(&s->q_free, J);
		pthread_cond_broadcast(&s->cv);
	}
	s->pl_threads &= ~2;
	s->cpu_fin = syn_thread_cpu();
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* The simulation's next job: a finished one, its freed slots taken back. */
static int take_job(syn_sim *s)
{
	pthread_mutex_lock(&s->mu);
	while (!s->q_free && !s->pl_rc)
		pthread_cond_wait(&s->cv, &s->mu);
	if (s->pl_rc) {
		int rc = ct__err(s->pl_rc, "%s", s->pl_err);
		pthread_mutex_unlock(&s->mu);
		return rc;
	}
	syn_job *J = q_pop(&s->q_free);
	s->st.bytes = s->fin_bytes;
	pthread_mutex_unlock(&s->mu);
	if (J->nfreed) {
		size_t need = s->nsfree + J->nfreed;
		if (need > s->csfree) {
			size_t cap = s->csfree ? s->csfree : 4096;
			while (cap < need)
				cap *= 2;
			uint32_t *f = ct__realloc(s->sfree, cap * sizeof(*f));
			if (!f)
				return CT_ENOMEM;
			s->sfree = f;
			s->csfree = cap;
		}
		memcpy(s->sfree + s->nsfree, J->freed, J->nfreed * sizeof(uint32_t));
		s->nsfree += J->nfreed;
		J->nfreed = 0;
	}
	J->rlen = 0;
	J->ntx = 0;
	J->bytes = 0;
	s->cur = J;
	return 0;
}

/* Stop the threads once the queued blocks are through (or, after a
 * failure, skipped). */
static void stop_threads(syn_sim *s)
{
	if (!s->pl_init)
		return;
	pthread_mutex_lock(&s->mu);
	s->pl_stop = 1;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	if (s->pl_joins & 1)
		pthread_join(s->th_ser, NULL);
	if (s->pl_joins & 2)
		pthread_join(s->th_fin, NULL);
	s->pl_joins = 0;
}

int syn_blocks_open(syn_sim *s)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/blocks", s->dir);
	if (mkdir(path, 0777) != 0 && errno != EEXIST)
		return ct__err_sys("synth: cannot create %s", path);
	s->fin.dir = s->dir;
	s->fin.magic = s->net->magic;
	s->fin.segwit = !s->o.legacy;
	s->fin.seed = s->o.seed;
	int rc = open_blk(&s->fin);
	if (rc < 0)
		return rc;
	/* the address cache: about four entries per wallet */
	s->pc_bits = SYN_PCACHE_MIN_BITS;
	while (s->pc_bits < SYN_PCACHE_MAX_BITS && ((uint64_t)1 << s->pc_bits) < 4 * (uint64_t)s->nw)
		s->pc_bits++;
	if (!(s->slots = ct__calloc(SYN_SLOT_CHUNKS, sizeof(*s->slots))) ||
	    !(s->pc = syn_big_calloc(((size_t)1 << s->pc_bits) * sizeof(*s->pc))))
		return CT_ENOMEM;
	if (pthread_mutex_init(&s->mu, NULL) != 0)
		return ct__err(CT_EINTERNAL, "synth: cannot create a mutex");
	if (pthread_cond_init(&s->cv, NULL) != 0) {
		pthread_mutex_destroy(&s->mu);
		return ct__err(CT_EINTERNAL, "synth: cannot create a condition variable");
	}
	s->pl_init = 1;
	for (int i = 0; i < SYN_NJOBS; i++)
		q_push(&s->q_free, &s->jobs[i]);
	/* pl_threads: which threads still run (under mu); pl_joins: which
	 * to join (main thread only) */
	pthread_mutex_lock(&s->mu);
	s->pl_threads = 3;
	pthread_mutex_unlock(&s->mu);
	if (pthread_create(&s->th_ser, NULL, serialiser, s) != 0) {
		pthread_mutex_lock(&s->mu);
		s->pl_threads = 0;
		pthread_mutex_unlock(&s->mu);
		return ct__err(CT_EINTERNAL, "synth: cannot start the serialiser thread");
	}
	s->pl_joins = 1;
	if (pthread_create(&s->th_fin, NULL, finisher, s) != 0) {
		pthread_mutex_lock(&s->mu);
		s->pl_threads &= ~2;
		pthread_mutex_unlock(&s->mu);
		return ct__err(CT_EINTERNAL, "synth: cannot start the block thread");
	}
	s->pl_joins |= 2;
	return 0;
}

int syn_blocks_close(syn_sim *s)
{
	int rc = 0;
	stop_threads(s);
	if (s->pl_rc)
		rc = ct__err(s->pl_rc, "%s", s->pl_err);
	s->st.bytes = s->fin.bytes;
	int crc = close_blk(&s->fin);
	if (crc < 0 && rc == 0)
		rc = crc;
	return rc;
}

void syn_blocks_abort(syn_sim *s)
{
	if (s->pl_init) {
		pthread_mutex_lock(&s->mu);
		if (!s->pl_rc)
			s->pl_rc = CT_EINTERNAL; /* skip what is queued */
		pthread_mutex_unlock(&s->mu);
		stop_threads(s);
		pthread_cond_destroy(&s->cv);
		pthread_mutex_destroy(&s->mu);
		s->pl_init = 0;
	}
	if (s->fin.blk_open)
		close(s->fin.blk_fd);
	s->fin.blk_open = 0;
	for (int i = 0; i < SYN_NJOBS; i++) {
		syn_job *J = &s->jobs[i];
		free(J->rec);
		free(J->roff);
		free(J->buf);
		free(J->recs);
		free(J->freed);
		free(J->ops);
		memset(J, 0, sizeof(*J));
	}
	if (s->slots)
		for (uint32_t c = 0; c < SYN_SLOT_CHUNKS; c++)
			syn_big_free(s->slots[c], ((size_t)1 << SYN_SLOT_BITS) * sizeof(syn_slot));
	free(s->slots);
	free(s->sfree);
	syn_big_free(s->pc, ((size_t)1 << s->pc_bits) * sizeof(*s->pc));
	free(s->reports);
	s->slots = NULL;
	s->sfree = NULL;
	s->pc = NULL;
	s->reports = NULL;
}

/* ---- the main thread's side ---------------------------------------------- */

int syn_block_room(const syn_sim *s, size_t bytes)
{
	size_t base = s->block_base + bytes;
	return base < BLOCK_BASE_MAX && base * 4 + s->block_wit < BLOCK_WEIGHT_MAX;
}

uint64_t syn_fee(syn_sim *s, const syn_tx *t, double mult)
{
	double rate = (double)s->feerate * mult * (0.6 + 0.8 * syn_unif(&s->rng));
	if (rate < 1.0)
		rate = 1.0;
	return (uint64_t)(rate * (double)syn_tx_vsize(t));
}

int syn_block_begin(syn_sim *s)
{
	int rc;
	if (s->height == 0) {
		s->time = s->start_time;
	} else {
		/* Block intervals of a Poisson process with a 600 s mean. */
		double dt = syn_exp(&s->rng, 600.0);
		s->time += dt < 1.0 ? 1 : (int64_t)dt;
	}
	if (s->height % 144 == 0) {
		/* Daily fee level, sat/vB: log-normal around 12. */
		double f = syn_lognormal(&s->rng, 12.0, 0.7);
		s->feerate = f < 1.0 ? 1 : (uint64_t)f;
	}
	if ((rc = take_job(s)) < 0)
		return rc;
	/* Coinbases mined 100 blocks ago become spendable. */
	while (s->mat_n && s->mat[s->mat_head].height + MATURITY <= s->height) {
		struct syn_matq *m = &s->mat[s->mat_head];
		if ((rc = syn_pool_add(s, m->w, 0, &m->u)) < 0)
			return rc;
		s->mat_head = (s->mat_head + 1) % s->mat_cap;
		s->mat_n--;
	}
	s->block_fees = 0;
	s->block_txs = 0;
	s->block_base = 80 + 3 + 200; /* header, tx count, coinbase */
	s->block_wit = 0;
	return 0;
}

int syn_block_end(syn_sim *s)
{
	int rc;
	uint64_t subsidy = s->height / 210000 >= 64 ? 0 : (5000000000ULL >> (s->height / 210000));
	uint32_t miner = s->first_miner + syn_pick(&s->rng, s->miner_cw, s->nminer);
	/* Early blocks pay to a bare public key like 2009's coinbases; later
	 * ones to the pool's (reused) payout address. */
	syn_akey mk = syn_key(s, miner, s->height < 150 ? 0 : 1);
	uint8_t extra[8];
	syn_fill(&s->rng, extra, sizeof(extra));

	uint32_t cb;
	if ((rc = syn_slot_new(s, &cb)) < 0)
		return rc;
	syn_job *J = s->cur;
	J->height = s->height;
	J->time = s->time;
	J->value = subsidy + s->block_fees;
	J->mk = mk;
	J->pool_no = miner - s->first_miner + 1;
	memcpy(J->extranonce, extra, 8);
	J->cb_slot = cb;

	/* The coinbase output matures in 100 blocks. */
	if (s->mat_n == s->mat_cap)
		return ct__err(CT_EINTERNAL, "synth: maturity queue full");
	struct syn_matq *m = &s->mat[(s->mat_head + s->mat_n++) % s->mat_cap];
	m->height = s->height;
	m->w = miner;
	m->u.value = J->value;
	m->u.slot = cb;
	m->u.vout = 0;
	m->u.idx = mk.i;
	s->st.txs++;
	s->st.outputs += s->o.legacy ? 1 : 2;
	s->st.out_type[mk.type]++;
	if (mk.i < s->w[miner].nh)
		s->w[miner].hused |= (uint8_t)(1u << mk.i);

	/* Hand the block over. */
	pthread_mutex_lock(&s->mu);
	q_push(&s->q_ser, J);
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	s->cur = NULL;
	s->height++;
	return 0;
}
