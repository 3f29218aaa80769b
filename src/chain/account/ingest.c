/*
 * ingest.c - `cointrail ingest transfers`: read transfer files (CSV, JSON
 * Lines, ethereum-etl and GraphSense schemas, gzip), validate every row,
 * resolve addresses and assets, sort each chunk by time and append it to
 * the account store; one commit per run (docs/internals/account.md).
 */
#include "chain/account/acctstore.h"
#include "chain/account/rows.h"
#include "query/db.h"
#include "util/error.h"
#include "util/ring.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

/* Rows sorted and appended together (a chunk); bounded memory. */
#define CHUNK_ROWS (1u << 18)

/* Well-known Ethereum tokens whose decimals are facts (their contracts'
 * decimals()); other tokens' decimals are unknown unless the data says. */
static const struct {
	const char *contract, *symbol;
	int decimals;
} KNOWN_ETH_TOKENS[] = {
	{"0xdac17f958d2ee523a2206206994597c13d831ec7", "USDT", 6},
	{"0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48", "USDC", 6},
	{"0x6b175474e89094c44da98b954eedeac495271d0f", "DAI", 18},
	{"0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2", "WETH", 18},
	{"0x2260fac5e5542a773aa44fbcfedf7c193bc2c599", "WBTC", 8},
	{"0xae7ab96520de3a18e5e111b5eaab095312d7fe84", "stETH", 18},
	{"0xd5f7838f5c461feff7fe49ea5ebaf7728bb0adfa", "mETH", 18},
	{"0xe6829d9a7ee3040e1276fa75293bde931859e8fa", "cmETH", 18},
};

/* A validated row, ready to append. */
#define XR_FAILED 1u
#define XR_HASH 2u
#define XR_FEE 4u
typedef struct xrow {
	int64_t time;
	uint64_t height, seq;
	uint32_t asset, flags;
	ct_u256 amount, fee;
	uint8_t hash[32];
	/* resolved to ids when the chunk is appended (with prefetching) */
	ct_acct_key from, to; /* to.len == 0: none */
	uint64_t fhash, thash;
} xrow;

typedef struct run {
	ct_acctstore *st;
	const ct_transfers_options *o;
	ct_transfers_result *res;
	int af;
	ct_acct_key from_override;
	int has_from_override;
	xrow *rows;
	uint32_t *order;
	size_t n;
	uint64_t seq;
	FILE *rej;
	/* progress: bytes of the files before this one, of all files */
	uint64_t done_bytes, total_bytes, nfiles, file_i;
	double t0;
	/* the well-known tokens, parsed once */
	ct_acct_key known[CT_ARRAY_LEN(KNOWN_ETH_TOKENS)];
	int nknown;
	/* last tx appended, to skip the index for rows of the same tx */
	uint8_t last_hash[32];
	uint64_t last_tx;
	int have_last;
} run;

static void note(const run *r, const char *fmt, ...) CT_PRINTF(2, 3);
static void note(const run *r, const char *fmt, ...)
{
	char m[1024];
	va_list ap;
	if (!r->o->note)
		return;
	va_start(ap, fmt);
	vsnprintf(m, sizeof(m), fmt, ap);
	va_end(ap);
	r->o->note(m, r->o->payload);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* CPU seconds of this thread: the phase split COINTRAIL_TIMING=1 prints. */
static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double t_append, t_sha, t_commit, t_read; /* CPU seconds (timing hook only) */

/* ---- input files -------------------------------------------------------- */

typedef struct infile {
	const char *path;
	uint8_t *map; /* mmap of the file */
	size_t map_len;
	char *data; /* the text: map, or the gunzipped copy */
	size_t len;
	int gz;
} infile;

static int gunzip(infile *f)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return ct__err(CT_ENOMEM, "%s: zlib init failed", f->path);
	size_t cap = f->map_len * 4 + 65536, len = 0;
	char *out = ct__malloc(cap);
	if (!out) {
		inflateEnd(&z);
		return CT_ENOMEM;
	}
	z.next_in = f->map;
	z.avail_in = (uInt)(f->map_len > UINT32_MAX ? UINT32_MAX : f->map_len);
	size_t fed = z.avail_in;
	for (;;) {
		if (len == cap) {
			cap *= 2;
			char *n2 = ct__realloc(out, cap);
			if (!n2) {
				free(out);
				inflateEnd(&z);
				return CT_ENOMEM;
			}
			out = n2;
		}
		z.next_out = (Bytef *)out + len;
		z.avail_out = (uInt)(cap - len > UINT32_MAX ? UINT32_MAX : cap - len);
		size_t before = z.avail_out;
		int zr = inflate(&z, Z_NO_FLUSH);
		len += before - z.avail_out;
		if (z.avail_in == 0 && fed < f->map_len) {
			size_t more = f->map_len - fed;
			z.avail_in = (uInt)(more > UINT32_MAX ? UINT32_MAX : more);
			fed += z.avail_in;
		}
		if (zr == Z_STREAM_END) {
			/* concatenated members (gzip allows them) */
			if (z.avail_in == 0)
				break;
			inflateReset(&z);
			continue;
		}
		if (zr == Z_BUF_ERROR && z.avail_in == 0) {
			free(out);
			inflateEnd(&z);
			return ct__err(CT_EDATA, "%s: truncated gzip data at byte %llu", f->path,
			               (unsigned long long)(fed - z.avail_in));
		}
		if (zr != Z_OK && zr != Z_BUF_ERROR) {
			free(out);
			unsigned long long at = fed - z.avail_in;
			inflateEnd(&z);
			return ct__err(CT_EDATA, "%s: bad gzip data at byte %llu: %s", f->path, at,
			               z.msg ? z.msg : "inflate failed");
		}
	}
	inflateEnd(&z);
	f->data = out;
	f->len = len;
	f->gz = 1;
	return 0;
}

static int infile_open(infile *f, const char *path)
{
	struct stat sb;
	memset(f, 0, sizeof(*f));
	f->path = path;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ct__err(CT_EUSER, "%s: cannot open: %s", path, strerror(errno));
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return ct__err(CT_EUSER, "%s: not a regular file", path);
	}
	f->map_len = (size_t)sb.st_size;
	if (f->map_len == 0) {
		close(fd);
		return ct__err(CT_EDATA, "%s:1: empty file", path);
	}
	f->map = mmap(NULL, f->map_len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (f->map == MAP_FAILED) {
		f->map = NULL;
		return ct__err_sys("mmap %s", path);
	}
	madvise(f->map, f->map_len, MADV_SEQUENTIAL);
#ifdef MADV_HUGEPAGE
	/* fewer faults (and TLB misses) over a large input in the page cache */
	if (f->map_len >= ((size_t)4 << 20))
		madvise(f->map, f->map_len, MADV_HUGEPAGE);
#endif
	if (f->map_len >= 2 && f->map[0] == 0x1f && f->map[1] == 0x8b)
		return gunzip(f);
	f->data = (char *)f->map;
	f->len = f->map_len;
	return 0;
}

static void infile_close(infile *f)
{
	if (f->gz)
		free(f->data);
	if (f->map)
		munmap(f->map, f->map_len);
	memset(f, 0, sizeof(*f));
}

/* ---- rows --------------------------------------------------------------- */

static void known_init(run *r)
{
	r->nknown = 0;
	if (strcmp(r->st->chain->name, "eth") != 0)
		return;
	for (size_t i = 0; i < CT_ARRAY_LEN(KNOWN_ETH_TOKENS); i++) {
		const char *c = KNOWN_ETH_TOKENS[i].contract;
		if (ct__acct_key_parse(CT_AF_EVM, &r->known[i], c, strlen(c)) != 0)
			return; /* cannot happen: the table is well-formed */
		r->nknown = (int)i + 1;
	}
}

static int known_token(const run *r, const ct_acct_key *k, const char **sym)
{
	for (int i = 0; i < r->nknown; i++)
		if (!memcmp(&r->known[i], k, sizeof(*k))) {
			*sym = KNOWN_ETH_TOKENS[i].symbol;
			return KNOWN_ETH_TOKENS[i].decimals;
		}
	return -1;
}

/* A bad row: reject the run, or write it to the rejects file. */
static int bad_row(run *r, const char *file, uint64_t line, const char *why, const char *text,
                   size_t len)
{
	if (!r->o->skip_bad)
		return ct__err(CT_EDATA, "%s:%llu: %s", file, (unsigned long long)line, why);
	r->res->rows_rejected++;
	if (!r->rej) {
		const char *p = r->o->rejects ? r->o->rejects : "cointrail-rejects.txt";
		if (!(r->rej = fopen(p, "w")))
			return ct__err(CT_EUSER, "%s: cannot write the rejects file: %s", p,
			               strerror(errno));
	}
	fprintf(r->rej, "%s:%llu: %s\t%.*s\n", file, (unsigned long long)line, why,
	        (int)(len > 1000000 ? 1000000 : len), text);
	return 0;
}

/* Validate a typed row and turn it into an xrow (adding its addresses and
 * asset only once everything about it is known to be good). Returns 0,
 * 1 for a bad row (*why), or a negative error. */
static int build_row(run *r, ct_rows *rows, const ct_prow *p, xrow *x, const char **why)
{
	ct_acctstore *st = r->st;
	int rc;
	/* no memset: amount, asset, keys and hashes are set below; fee and
	 * hash are read only under their flags */
	x->flags = 0;
	x->time = p->time;
	x->height = p->height;
	if (p->chain.present) {
		size_t cl = strlen(st->chain->name);
		int same = p->chain.n == cl;
		for (size_t i = 0; same && i < cl; i++) {
			char c = p->chain.p[i];
			if (c >= 'A' && c <= 'Z')
				c = (char)(c + 32);
			same = c == st->chain->name[i];
		}
		if (!same) {
			*why = "the row's chain differs from the run's chain";
			return 1;
		}
	}
	if (x->time == INT64_MIN) {
		/* No timestamp column: take the tx's time if the tx is stored
		 * (ethereum-etl token_transfers.csv after transactions.csv). */
		uint64_t t;
		ct_acct_tx tx;
		if (!p->has_hash || ct__acct_tx_find_w(st, p->hash, &t) != 0) {
			*why = "missing timestamp (and the row's tx is not in the store to take it from)";
			return 1;
		}
		ct__acct_tx_get(st, t, &tx);
		x->time = tx.time;
		if (x->height == CT_ACCT_NONE)
			x->height = tx.height;
	}
	/* the asset and its decimals */
	int dec;
	uint32_t asset = 0;
	int asset_new = 0, assume = 0;
	const char *sym = NULL;
	if (p->token) {
		uint64_t a;
		int kd = known_token(r, &p->contract, &sym);
		if (ct__hidx_find(&st->assetidx, &p->contract, st->w.assets, &a, NULL) == 0) {
			ct_acct_asset as;
			asset = (uint32_t)a;
			ct__acct_asset_get(st, asset, &as);
			dec = as.decimals;
			if (dec == CT_DECIMALS_UNKNOWN && (p->decimals >= 0 || kd >= 0) && a >= st->c.assets)
				dec = p->decimals >= 0 ? p->decimals : kd; /* filled in below */
		} else {
			asset_new = 1;
			dec = p->decimals >= 0 ? p->decimals : kd >= 0 ? kd : CT_DECIMALS_UNKNOWN;
		}
		if (p->decimals >= 0 && dec != CT_DECIMALS_UNKNOWN && dec != p->decimals) {
			*why = "decimals differ from the token's known decimals";
			return 1;
		}
		if (!p->amount_base && dec == CT_DECIMALS_UNKNOWN) {
			/* An amount in token units with unknown decimals: assume
			 * ERC-20's usual 18 for a token first seen in this run
			 * (marked as assumed), else refuse. */
			if (asset_new || asset >= st->c.assets) {
				dec = 18;
				assume = 1;
			} else {
				*why = "amount in token units but the token's decimals are unknown";
				return 1;
			}
		}
	} else {
		dec = st->chain->native_decimals;
	}
	if (ct__acct_amount_parse(&x->amount, p->amount.p, p->amount.n,
	                          p->amount_base ? 0 : dec, why))
		return 1;
	if (p->fee.present) {
		if (ct__acct_amount_parse(&x->fee, p->fee.p, p->fee.n, st->chain->native_decimals, why)) {
			*why = "fee: bad amount";
			return 1;
		}
		x->flags |= XR_FEE;
	} else if (p->fee_wei) {
		x->fee = p->fee_wei_v;
		x->flags |= XR_FEE;
	}
	if (p->failed)
		x->flags |= XR_FAILED;
	if (p->has_hash) {
		memcpy(x->hash, p->hash, 32);
		x->flags |= XR_HASH;
	}
	/* Everything checked: add to the dictionaries. */
	if (p->token) {
		char symbuf[32] = "";
		if (!sym && p->symbol.present) {
			size_t n = p->symbol.n < 31 ? p->symbol.n : 31;
			memcpy(symbuf, p->symbol.p, n);
			symbuf[n] = 0;
			for (size_t i = 0; i < n; i++)
				if ((unsigned char)symbuf[i] < 32)
					symbuf[i] = '?';
			sym = symbuf;
		}
		if ((rc = ct__acct_asset_add(st, &p->contract, assume ? CT_DECIMALS_UNKNOWN : dec, sym,
		                             &asset)))
			return rc;
		if (assume && (rc = ct__acct_asset_assume(st, asset, 18)))
			return rc;
		if (asset_new)
			r->res->assets++;
	}
	x->asset = asset;
	x->from = p->from;
	x->to = p->to;
	x->fhash = ct__acct_key_hash(&p->from);
	x->thash = p->to.len ? ct__acct_key_hash(&p->to) : 0;
	(void)rows;
	return 0;
}

/* ---- chunks: sort by (time, height, row) and append --------------------- */

/* Row order (qsort_r: ctx is the rows) */
static int order_cmp(const void *a, const void *b, void *ctx)
{
	const xrow *rows = ctx;
	const xrow *x = &rows[*(const uint32_t *)a], *y = &rows[*(const uint32_t *)b];
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	if (x->height != y->height)
		return x->height < y->height ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int flush_chunk_(run *r);
static int flush_chunk(run *r)
{
	double c0 = cpu_s();
	int rc = flush_chunk_(r);
	t_append += cpu_s() - c0;
	return rc;
}

static int flush_chunk_(run *r)
{
	ct_acctstore *st = r->st;
	int rc, sorted = 1;
	for (size_t i = 0; i < r->n; i++)
		r->order[i] = (uint32_t)i;
	for (size_t i = 1; i < r->n && sorted; i++) {
		const xrow *a = &r->rows[i - 1], *b = &r->rows[i];
		if (a->time > b->time || (a->time == b->time && a->height > b->height))
			sorted = 0;
	}
	if (!sorted) {
		qsort_r(r->order, r->n, sizeof(uint32_t), order_cmp, r->rows);
	}
	/* Software pipeline over the sorted rows: index slots PF_SLOT rows
	 * ahead, the records they point to PF_REC rows ahead, so that the
	 * probes of row k find their cache lines loaded. */
	enum { PF_SLOT = 12, PF_REC = 5 };
	uint64_t before = st->w.addrs;
	for (size_t k = 0; k < r->n; k++) {
		const xrow *x = &r->rows[r->order[k]];
		if (k + PF_SLOT < r->n) {
			const xrow *y = &r->rows[r->order[k + PF_SLOT]];
			ct__acct_addr_prefetch_slot(st, y->fhash);
			if (y->to.len)
				ct__acct_addr_prefetch_slot(st, y->thash);
			if (y->flags & XR_HASH)
				ct__acct_tx_prefetch_slot(st, y->hash);
		}
		if (k + PF_REC < r->n) {
			const xrow *y = &r->rows[r->order[k + PF_REC]];
			ct__acct_addr_prefetch_rec(st, y->fhash);
			if (y->to.len)
				ct__acct_addr_prefetch_rec(st, y->thash);
		}
		uint64_t from, to = CT_ACCT_NONE, t;
		int added = 0;
		if ((rc = ct__acct_addr_add_h(st, &x->from, x->fhash, &from)))
			return rc;
		if (x->to.len && (rc = ct__acct_addr_add_h(st, &x->to, x->thash, &to)))
			return rc;
		if ((x->flags & XR_HASH) && r->have_last && !memcmp(r->last_hash, x->hash, 32)) {
			t = r->last_tx;
		} else {
			if ((rc = ct__acct_tx_add(st, (x->flags & XR_HASH) ? x->hash : NULL, x->height,
			                          x->time, (x->flags & XR_FAILED) ? CT_TXF_FAILED : 0, &t,
			                          &added)))
				return rc;
			r->res->txs += (uint64_t)added;
			if (x->flags & XR_HASH) {
				memcpy(r->last_hash, x->hash, 32);
				r->last_tx = t;
				r->have_last = 1;
			}
		}
		ct_acct_xfer xf;
		xf.from = from;
		xf.to = to;
		xf.tx = t;
		xf.time = x->time;
		xf.height = x->height;
		xf.asset = x->asset;
		xf.flags = (x->asset ? CT_XF_TOKEN : 0) | ((x->flags & XR_FAILED) ? CT_XF_FAILED : 0);
		xf.amount = x->amount;
		if ((rc = ct__acct_xfer_add(st, &xf)))
			return rc;
		r->res->transfers++;
		if (x->flags & XR_FEE) {
			xf.to = CT_ACCT_NONE;
			xf.asset = 0;
			xf.flags = CT_XF_FEE;
			xf.amount = x->fee;
			if ((rc = ct__acct_xfer_add(st, &xf)))
				return rc;
			r->res->fees++;
		}
	}
	r->res->addresses += st->w.addrs - before;
	r->n = 0;
	return 0;
}

/* ---- the reader thread ------------------------------------------------- */

/* A file's rows are split and typed (ct__rows_next, ct__row_type: no
 * store access) on a second thread, in batches a few ahead of the main
 * thread, which validates them against the store (assets, amounts) and
 * appends them in the same order as before: rows, errors and their line
 * numbers come out exactly as a single thread would give them. Text that
 * the reader keeps in its per-row scratch (quoted CSV fields, decoded
 * JSON escapes, messages) is copied into the batch. */
#define PB_ROWS 1024
#define PB_ARENA (4 * CT_ROWS_SCRATCH + 65536)
#define PB_N 4

typedef struct pitem {
	ct_prow p;
	const char *why;  /* NULL: a good row; else why it is bad */
	const char *text; /* the raw line (for the rejects file) */
	size_t len;
	uint64_t line;
} pitem;

typedef struct pbatch {
	pitem it[PB_ROWS];
	size_t n, arena_n;
	size_t off; /* input bytes read after the batch (progress) */
	int last;   /* the file ends with this batch */
	char arena[PB_ARENA];
} pbatch;

typedef struct reader {
	ct_rows *rows;
	int af;
	const char *native;
	const ct_acct_key *from_override;
	pbatch *b[PB_N];
	ct_ring q;
	pthread_t th;
	double cpu; /* the reader thread's CPU seconds, when it ends */
} reader;

/* Text in the rows' scratch does not outlive the next row: copy it. */
static const char *keep(const reader *rd, pbatch *b, const char *p, size_t n)
{
	const char *sc = rd->rows->scratch;
	if (!p || p < sc || p >= sc + sizeof(rd->rows->scratch))
		return p;
	char *d = b->arena + b->arena_n;
	memcpy(d, p, n);
	b->arena_n += n;
	return d;
}

static void keep_field(const reader *rd, pbatch *b, ct_field *f)
{
	if (f->present)
		f->p = keep(rd, b, f->p, f->n);
}

static void fill_batch(reader *rd, pbatch *b)
{
	ct_rows *rows = rd->rows;
	b->n = b->arena_n = 0;
	b->last = 0;
	/* a row keeps at most its scratch (fields) and a message */
	while (b->n < PB_ROWS && PB_ARENA - b->arena_n >= 2 * CT_ROWS_SCRATCH) {
		pitem *it = &b->it[b->n];
		ct_field fl[RC_N];
		const char *why = NULL;
		int rc = ct__rows_next(rows, fl, &it->text, &it->len, &why);
		if (rc == 0) {
			b->last = 1;
			break;
		}
		it->line = rows->line;
		b->n++;
		if (rc > 0 && ct__row_type(rows, fl, rd->af, rd->native, rd->from_override, &it->p,
		                           &why) == 0) {
			it->why = NULL;
			keep_field(rd, b, &it->p.symbol);
			keep_field(rd, b, &it->p.amount);
			keep_field(rd, b, &it->p.fee);
			keep_field(rd, b, &it->p.chain);
			continue;
		}
		it->why = why ? keep(rd, b, why, strlen(why) + 1) : "unreadable row";
	}
	b->off = (size_t)(rows->p - rows->buf);
}

static void *reader_main(void *arg)
{
	reader *rd = arg;
	for (;;) {
		int64_t slot = ct__ring_next(&rd->q, 0);
		if (slot < 0)
			break; /* the main thread gave up on the file */
		pbatch *b = rd->b[slot];
		fill_batch(rd, b);
		rd->cpu = cpu_s();
		ct__ring_done(&rd->q, 0);
		if (b->last)
			break;
	}
	return NULL;
}

static int reader_start(reader *rd, run *r, ct_rows *rows)
{
	memset(rd, 0, sizeof(*rd));
	rd->rows = rows;
	rd->af = r->af;
	rd->native = r->st->chain->native;
	rd->from_override = r->has_from_override ? &r->from_override : NULL;
	for (int i = 0; i < PB_N; i++)
		if (!(rd->b[i] = ct__malloc(sizeof(pbatch)))) {
			for (int k = 0; k < i; k++)
				free(rd->b[k]);
			return CT_ENOMEM;
		}
	ct__ring_init(&rd->q, PB_N);
	if (pthread_create(&rd->th, NULL, reader_main, rd) != 0) {
		ct__ring_destroy(&rd->q);
		for (int i = 0; i < PB_N; i++)
			free(rd->b[i]);
		return ct__err(CT_ENOMEM, "cannot start the reader thread");
	}
	return 0;
}

/* Stop (if still reading) and wait for the reader. */
static void reader_end(reader *rd)
{
	ct__ring_stop(&rd->q);
	pthread_join(rd->th, NULL);
	t_read += rd->cpu;
	ct__ring_destroy(&rd->q);
	for (int i = 0; i < PB_N; i++)
		free(rd->b[i]);
}

/* ---- one file ----------------------------------------------------------- */

static int do_rows(run *r, const char *path, infile *f, reader *rd)
{
	int rc;
	for (;;) {
		pbatch *b = rd->b[ct__ring_next(&rd->q, 1)];
		for (size_t i = 0; i < b->n; i++) {
			pitem *it = &b->it[i];
			const char *why = it->why;
			r->res->rows++;
			if (why) {
				if ((rc = bad_row(r, path, it->line, why, it->text, it->len)))
					return rc;
				continue;
			}
			xrow *x = &r->rows[r->n];
			rc = build_row(r, NULL, &it->p, x, &why);
			if (rc < 0)
				return ct__err_prefix(rc, "%s:%llu", path, (unsigned long long)it->line);
			if (rc == 1) {
				if ((rc = bad_row(r, path, it->line, why, it->text, it->len)))
					return rc;
				continue;
			}
			x->seq = r->seq++;
			if (++r->n == CHUNK_ROWS) {
				if ((rc = flush_chunk(r)))
					return rc;
				if (r->o->progress) {
					ct_progress pr = {0};
					double frac = f->len ? (double)b->off / (double)f->len : 1;
					pr.blocks_done = r->file_i;
					pr.blocks_total = r->nfiles;
					pr.bytes_done = r->done_bytes + (uint64_t)(frac * (double)f->map_len);
					pr.bytes_total = r->total_bytes;
					pr.txs_done = r->res->transfers;
					pr.seconds = now_s() - r->t0;
					r->o->progress(&pr, r->o->payload);
				}
			}
		}
		int last = b->last;
		ct__ring_done(&rd->q, 1);
		if (last)
			return 0;
	}
}

static int do_file(run *r, const char *path, ct_rows *rows, infile *f)
{
	int rc;
	reader rd;
	if ((rc = ct__rows_init(rows, path, f->data, f->len)))
		return rc;
	if (!rows->jsonl && rows->unknown_n)
		note(r, "%s: ignoring unknown columns: %s", path, rows->unknown);
	rows->unknown_new = 0;
	if (!rows->jsonl) {
		/* Required columns, checked once for a CSV file. */
		const char *miss = !rows->has[RC_TIME] && !rows->has[RC_TXHASH]   ? "timestamp"
		                   : !rows->has[RC_FROM] && !r->has_from_override ? "from"
		                   : !rows->has[RC_TO] && !rows->has[RC_CREATED] &&
		                           !rows->has[RC_GASPRICE]                ? "to"
		                   : !rows->has[RC_AMOUNT] && !rows->has[RC_VALUE] ? "amount"
		                                                                   : NULL;
		if (miss)
			return ct__err(CT_EDATA, "%s:1: missing column '%s'%s", path, miss,
			               !strcmp(miss, "from") ? " (or give --from ADDR)" : "");
	}
	if ((rc = reader_start(&rd, r, rows)))
		return rc;
	rc = do_rows(r, path, f, &rd);
	reader_end(&rd);
	if (rc)
		return rc;
	if (rows->jsonl && rows->unknown_n)
		note(r, "%s: ignoring unknown keys: %s", path, rows->unknown);
	return flush_chunk(r);
}

/* SHA-256 of a file on a second thread, while the first one ingests it. */
typedef struct sha_job {
	const void *data;
	size_t len;
	uint8_t sha[32];
	double cpu;
} sha_job;

static void *sha_thread(void *arg)
{
	sha_job *j = arg;
	double c0 = cpu_s();
	ct__sha256(NULL, j->sha, j->data, j->len);
	j->cpu = cpu_s() - c0;
	return NULL;
}

/* The chain of a run without --chain: the first row's chain column, else
 * eth for the ethereum-etl / GraphSense schemas. */
static int guess_chain(const char *path, const char **name)
{
	infile f;
	int rc = infile_open(&f, path);
	if (rc)
		return rc;
	ct_rows *rows = ct__malloc(sizeof(*rows));
	if (!rows) {
		infile_close(&f);
		return CT_ENOMEM;
	}
	rc = ct__rows_init(rows, path, f.data, f.len);
	*name = NULL;
	if (rc == 0) {
		ct_field fl[RC_N];
		const char *line, *why;
		size_t len;
		static char buf[32];
		if (ct__rows_next(rows, fl, &line, &len, &why) == 1 && fl[RC_CHAIN].present &&
		    fl[RC_CHAIN].n < sizeof(buf)) {
			for (uint32_t i = 0; i < fl[RC_CHAIN].n; i++) {
				char c = fl[RC_CHAIN].p[i];
				buf[i] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
			}
			buf[fl[RC_CHAIN].n] = 0;
			*name = buf;
		} else if (rows->has[RC_GASPRICE] || rows->has[RC_STATUS] || rows->has[RC_CONTRACT]) {
			*name = "eth";
		}
	}
	free(rows);
	infile_close(&f);
	if (rc)
		return rc;
	if (!*name)
		return ct__err(CT_EUSER, "%s: which chain? give --chain (eth, nem, ...) or a chain "
		                         "column", path);
	return 0;
}


int ct_transfers_ingest(ct_db *db, const char *const *paths, size_t npaths,
                        const ct_transfers_options *opts, ct_transfers_result *res)
{
	ct_transfers_options dflt = CT_TRANSFERS_OPTIONS_INIT;
	int rc;
	double t0 = now_s();
	if (!opts)
		opts = &dflt;
	if (opts->version != CT_TRANSFERS_OPTIONS_VERSION)
		return ct__err(CT_EUSER, "ct_transfers_options version %u not supported",
		               opts->version);
	if (!db->writable)
		return ct__err(CT_EUSER, "data directory opened read-only");
	if (!npaths)
		return ct__err(CT_EUSER, "no input files");
	memset(res, 0, sizeof(*res));
	const char *cname = opts->chain;
	if (!cname && (rc = guess_chain(paths[0], &cname)))
		return rc;
	const ct_acct_chain *chain = ct__acct_chain_find(cname);
	if (!chain) {
		char list[256] = "";
		for (const ct_acct_chain *const *c = ct__acct_chain_list(); *c; c++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
			         c == ct__acct_chain_list() ? "" : ", ", (*c)->name);
		return ct__err(CT_EUSER, "unknown account chain '%s' (known: %s)", cname, list);
	}
	snprintf(res->chain, sizeof(res->chain), "%s", chain->name);
	run r;
	memset(&r, 0, sizeof(r));
	r.o = opts;
	r.res = res;
	r.af = chain->addr_format;
	if (opts->from) {
		const char *t = opts->from;
		size_t cl = strlen(chain->name);
		if (!strncmp(t, chain->name, cl) && t[cl] == ':')
			t += cl + 1;
		if (ct__acct_key_parse(r.af, &r.from_override, t, strlen(t)))
			return ct__err_prefix(CT_EUSER, "--from");
		r.has_from_override = 1;
	}
	r.rows = ct__malloc(CHUNK_ROWS * sizeof(xrow));
	r.order = ct__malloc(CHUNK_ROWS * sizeof(uint32_t));
	ct_rows *rows = ct__malloc(sizeof(*rows));
	if (!r.rows || !r.order || !rows) {
		rc = CT_ENOMEM;
		goto out;
	}
	if ((rc = ct__acctstore_open(&r.st, db->dir, chain, 1)))
		goto out;
	known_init(&r);
	uint64_t total = 0, done = 0;
	for (size_t i = 0; i < npaths; i++) {
		struct stat sb;
		if (stat(paths[i], &sb) == 0)
			total += (uint64_t)sb.st_size;
	}
	/* Size the indexes once (about 150 bytes a row; compressed input is
	 * underestimated, which only costs an index rebuild later). */
	if ((rc = ct__acctstore_expect(r.st, total / 150)))
		goto out;
	/* the same file twice in one run counts once */
	uint8_t (*shas)[32] = ct__calloc(npaths, 32);
	uint64_t *sizes = ct__calloc(npaths, sizeof(uint64_t));
	if (!shas || !sizes) {
		free(shas);
		free(sizes);
		rc = CT_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < npaths; i++) {
		infile f;
		if ((rc = infile_open(&f, paths[i])))
			break;
		uint8_t sha[32];
		/* A file can repeat an ingested one (or one earlier in this run)
		 * only if it has the same size: then hash it first and skip it
		 * if it does; else hash it on a second thread meanwhile. */
		int dup = 0, async = 0;
		for (size_t k = 0; k < i; k++)
			if (sizes[k] == f.map_len)
				dup = -1;
		sizes[i] = f.map_len;
		sha_job job = {f.map, f.map_len, {0}, 0};
		pthread_t th;
		if (dup == 0 && !ct__acct_file_size_seen(r.st, f.map_len) &&
		    pthread_create(&th, NULL, sha_thread, &job) == 0) {
			async = 1;
		} else {
			double c0 = cpu_s();
			ct__sha256(r.st->h, sha, f.map, f.map_len);
			t_sha += cpu_s() - c0;
			dup = 0;
			for (size_t k = 0; k < i; k++)
				if (!memcmp(shas[k], sha, 32))
					dup = 1;
			if (dup || ct__acct_file_find(r.st, sha) == 0) {
				note(&r, "%s: already ingested (same bytes), skipped", paths[i]);
				res->files_skipped++;
				done += f.map_len;
				infile_close(&f);
				continue;
			}
			memcpy(shas[i], sha, 32);
		}
		uint64_t rows_before = res->rows;
		r.done_bytes = done;
		r.total_bytes = total;
		r.nfiles = npaths;
		r.file_i = i;
		r.t0 = t0;
		rc = do_file(&r, paths[i], rows, &f);
		if (async) {
			pthread_join(th, NULL);
			memcpy(sha, job.sha, 32);
			memcpy(shas[i], sha, 32);
			t_sha += job.cpu;
		}
		if (rc == 0)
			rc = ct__acct_file_add(r.st, sha, f.map_len, res->rows - rows_before);
		res->bytes += f.len;
		done += f.map_len;
		infile_close(&f);
		if (rc)
			break;
		res->files++;
		if (opts->progress) {
			ct_progress pr = {0};
			pr.blocks_done = i + 1;
			pr.blocks_total = npaths;
			pr.bytes_done = done;
			pr.bytes_total = total;
			pr.txs_done = res->transfers;
			pr.seconds = now_s() - t0;
			opts->progress(&pr, opts->payload);
		}
	}
	free(shas);
	free(sizes);
	double c0 = cpu_s(), w0 = now_s();
	if (rc == 0)
		rc = ct__acctstore_commit(r.st);
	t_commit += cpu_s() - c0;
	if (getenv("COINTRAIL_TIMING"))
		fprintf(stderr, "timing: cpu %.2f s (this thread) + reader %.2f + sha %.2f: append %.2f, "
		        "commit %.2f (wall %.2f), validate+other %.2f; reader: read+split+type\n",
		        cpu_s(), t_read, t_sha, t_append, t_commit, now_s() - w0,
		        cpu_s() - t_append - t_commit);
	if (rc)
		ct__acctstore_abort(r.st);
out:
	if (r.rej && fclose(r.rej) != 0 && rc == 0)
		rc = ct__err_sys("write rejects");
	ct__acctstore_close(r.st);
	free(rows);
	free(r.rows);
	free(r.order);
	res->seconds = now_s() - t0;
	return rc;
}
