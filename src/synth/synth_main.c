/*
 * synth_main.c - `cointrail synth`: arguments, the output directory, and
 * the main loop that drives blocks, incidents and the background economy.
 *
 * The output is built in DIR.tmp-<pid> and renamed to DIR only when
 * everything is written, so DIR is either absent (or as it was: empty)
 * or complete. On failure the temporary directory is removed.
 */
#include "synth/synth.h"

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <pthread.h>

#include "cointrail.h"
#include "util/error.h"

#define BOOT_BLOCKS 110     /* coinbase-only blocks: the first coins mature */
#define ECON_MIN_BLOCKS 1008 /* one week of economy at least */
#define TXS_PER_BLOCK 2000  /* default density, about 2018's */
#define MAX_TXS_PER_BLOCK 3500
#define START_TIME 1514696400LL /* 2017-12-31T05:00:00Z: the economy opens ~2018-01-01 */

const char ct_synth_usage[] =
	"usage: cointrail synth --out DIR (--txs N | --blocks B | both) [--seed S]\n"
	"                       [--network regtest|mainnet] [--legacy] [--transfers M]\n"
	"                       [--no-membership] [--quiet]\n"
	"  --out DIR        output directory (must not exist, or be empty)\n"
	"  --txs N          total BTC transactions, coinbases included (exact)\n"
	"  --blocks B       number of blocks (default: 110 + max(1008, N/2000))\n"
	"  --seed S         seed of the generator (default 1); same seed, same bytes\n"
	"  --network NET    regtest (default; magic fabfb5da, bcrt1/m/n/2 addresses)\n"
	"                   or mainnet (magic f9beb4d9, bc1/1/3 addresses)\n"
	"  --legacy         no segwit: P2PK, P2PKH and P2SH only (for pre-segwit parsers)\n"
	"  --transfers M    rows of the account-model transfers.csv (default max(1000, N/10))\n"
	"  --no-membership  truth.json without the per-wallet address lists (faster, smaller)\n"
	"  --quiet          no progress or summary\n"
	"writes DIR/blocks/blk*.dat, DIR/transfers.csv and DIR/truth.json (see docs/synth.md)\n";

static int usage_err(const char *fmt, const char *arg)
{
	fprintf(stderr, "cointrail synth: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see cointrail synth --help)\n");
	return 1;
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void rm_tree(const char *dir)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* 0: absent; 1: an empty directory; -1: anything else (message set). */
static int out_state(const char *dir)
{
	struct stat st;
	if (stat(dir, &st) != 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return -1;
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	struct dirent *e;
	int empty = 1;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			empty = 0;
	closedir(d);
	return empty ? 1 : -1;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void sim_free(syn_sim *s)
{
	syn_inc_free(s);
	syn_bg_free(s);
	syn_wallets_free(s);
	syn_blocks_abort(s);
	ct__hasher_free(s->h);
	free(s->mat);
	free(s->tx);
	free(s->tx2);
}

static int sim_init(syn_sim *s, const syn_opts *o, char *dir)
{
	int rc;
	memset(s, 0, sizeof(*s));
	s->o = *o;
	s->net = o->net;
	s->dir = dir;
	syn_rng_seed(&s->rng, o->seed, 1);
	if ((rc = syn_sha_selftest()) < 0 || (rc = ct__hasher_new(&s->h)) < 0)
		return rc;
	s->nblocks = o->blocks;
	s->boot_blocks = BOOT_BLOCKS;
	s->start_time = START_TIME;
	s->txs_left = o->txs - o->blocks;
	s->mat_cap = 128;
	s->mat = ct__calloc(s->mat_cap, sizeof(*s->mat));
	s->tx = ct__malloc(sizeof(syn_tx));
	s->tx2 = ct__malloc(sizeof(syn_tx));
	if (!s->mat || !s->tx || !s->tx2)
		return CT_ENOMEM;
	if ((rc = syn_wallets_init(s)) < 0 || (rc = syn_bg_init(s)) < 0 || (rc = syn_inc_init(s)) < 0)
		return rc;
	return 0;
}

struct acct_job {
	const syn_opts *o;
	const char *path;
	struct syn_acct *acct;
	int rc;
	char err[256];
	double cpu;
};

static void *acct_thread(void *arg)
{
	struct acct_job *j = arg;
	j->rc = syn_acct_run(j->o, j->path, &j->acct);
	j->cpu = syn_thread_cpu();
	if (j->rc < 0)
		snprintf(j->err, sizeof(j->err), "%s", ct_error_last());
	return NULL;
}

static void progress(const syn_sim *s, double t0, int final)
{
	double dt = now_s() - t0;
	fprintf(stderr, "\rcointrail synth: block %llu/%llu, %llu txs, %.0f MB, %.1f s%s",
	        (unsigned long long)s->height, (unsigned long long)s->nblocks,
	        (unsigned long long)s->st.txs, (double)s->st.bytes / 1e6, dt, final ? "\n" : "");
	fflush(stderr);
}

static int run_chain(syn_sim *s)
{
	int rc, tty = !s->o.quiet && isatty(2);
	double t0 = now_s(), last = t0;
	if ((rc = syn_blocks_open(s)) < 0)
		return rc;
	while (s->height < s->nblocks || s->txs_left) {
		if (s->height >= s->nblocks) {
			/* The blocks were too small for N txs (the size limits):
			 * one more, whose coinbase counts in N, so that the output
			 * has exactly N. A block that placed no tx means no progress. */
			if (s->height > s->nblocks && s->block_txs == 0)
				return ct__err(CT_EINTERNAL, "synth: %llu txs could not be placed",
				               (unsigned long long)s->txs_left);
			s->txs_left--;
		}
		if ((rc = syn_block_begin(s)) < 0)
			return rc;
		if (s->height >= s->boot_blocks) {
			uint64_t left = s->nblocks > s->height ? s->nblocks - s->height : 1;
			if ((rc = syn_inc_block(s)) < 0)
				return rc;
			uint64_t reserve = syn_inc_reserve(s);
			if (s->txs_left > reserve + 16 && (rc = syn_bg_block(s)) < 0)
				return rc;
			reserve = syn_inc_reserve(s);
			uint64_t avail = s->txs_left > reserve ? s->txs_left - reserve : 0;
			uint64_t q = avail / left;
			if (left > 1) /* blocks vary in size */
				q = (uint64_t)((double)q * (0.75 + 0.5 * syn_unif(&s->rng)));
			else
				q = avail;
			uint32_t fails = 0;
			q += s->block_txs; /* the block's target, counting txs made above */
			while (s->block_txs < q && s->txs_left > reserve && syn_block_room(s, 60000)) {
				rc = syn_bg_step(s);
				if (rc < 0)
					return rc;
				fails = rc ? fails + 1 : 0;
				if (fails > 400)
					break;
			}
		}
		if ((rc = syn_block_end(s)) < 0)
			return rc;
		if (tty && now_s() - last > 0.5) {
			last = now_s();
			progress(s, t0, 0);
		}
	}
	if (tty)
		progress(s, t0, 1);
	return syn_blocks_close(s);
}

int ct_synth_main(int argc, char **argv)
{
	syn_opts o;
	memset(&o, 0, sizeof(o));
	o.seed = 1;
	o.net = &syn_regtest;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = NULL;
		char name[32];
		const char *eq = strchr(a, '=');
		if (strncmp(a, "--", 2) == 0 && eq && (size_t)(eq - a) < sizeof(name)) {
			memcpy(name, a, (size_t)(eq - a));
			name[eq - a] = '\0';
			a = name;
			v = eq + 1;
		}
		int takes = !strcmp(a, "--out") || !strcmp(a, "--txs") || !strcmp(a, "--blocks") ||
		            !strcmp(a, "--seed") || !strcmp(a, "--network") || !strcmp(a, "--transfers");
		if (takes && !v) {
			if (i + 1 >= argc)
				return usage_err("%s needs a value", a);
			v = argv[++i];
		} else if (!takes && v) {
			return usage_err("%s takes no value", a);
		}
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(ct_synth_usage, stdout);
			return 0;
		} else if (!strcmp(a, "--out")) {
			o.out = v;
		} else if (!strcmp(a, "--txs")) {
			if (parse_u64(v, &o.txs) || o.txs == 0 || o.txs > 10000000000ULL)
				return usage_err("--txs wants a whole number from 1 to 10^10, not '%s'", v);
			o.txs_set = 1;
		} else if (!strcmp(a, "--blocks")) {
			if (parse_u64(v, &o.blocks) || o.blocks > 10000000ULL)
				return usage_err("--blocks wants a whole number up to 10^7, not '%s'", v);
			o.blocks_set = 1;
		} else if (!strcmp(a, "--seed")) {
			if (parse_u64(v, &o.seed))
				return usage_err("--seed wants a whole number (0 to 2^64-1), not '%s'", v);
		} else if (!strcmp(a, "--transfers")) {
			if (parse_u64(v, &o.transfers) || o.transfers < 100 || o.transfers > 1000000000ULL)
				return usage_err("--transfers wants a whole number from 100 to 10^9, not '%s'", v);
			o.transfers_set = 1;
		} else if (!strcmp(a, "--network")) {
			if (!strcmp(v, "regtest"))
				o.net = &syn_regtest;
			else if (!strcmp(v, "mainnet"))
				o.net = &syn_mainnet;
			else
				return usage_err("--network is regtest or mainnet, not '%s'", v);
		} else if (!strcmp(a, "--legacy")) {
			o.legacy = 1;
		} else if (!strcmp(a, "--no-membership")) {
			o.no_membership = 1;
		} else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
			o.quiet = 1;
		} else {
			return usage_err("unknown argument '%s'", argv[i]);
		}
	}
	if (!o.out || !*o.out)
		return usage_err("%s", "--out DIR is required");
	if (!o.txs_set && !o.blocks_set)
		return usage_err("%s", "give the size as --txs N or --blocks B");
	uint64_t min_blocks = BOOT_BLOCKS + 300;
	if (o.blocks_set && o.blocks < min_blocks) {
		char b[32];
		snprintf(b, sizeof(b), "%llu", (unsigned long long)min_blocks);
		return usage_err("--blocks must be at least %s (coin maturity and the incidents' "
		                 "timeline need them)", b);
	}
	if (!o.blocks_set) {
		uint64_t econ = (o.txs + TXS_PER_BLOCK - 1) / TXS_PER_BLOCK;
		o.blocks = BOOT_BLOCKS + (econ < ECON_MIN_BLOCKS ? ECON_MIN_BLOCKS : econ);
	}
	uint64_t econ_blocks = o.blocks - BOOT_BLOCKS;
	if (!o.txs_set)
		o.txs = o.blocks + econ_blocks * TXS_PER_BLOCK;
	uint64_t min_txs = o.blocks + SYN_INC_MAX_TXS + econ_blocks;
	if (o.txs < min_txs) {
		char b[96];
		snprintf(b, sizeof(b), "%llu for %llu blocks", (unsigned long long)min_txs,
		         (unsigned long long)o.blocks);
		return usage_err("--txs must be at least %s (one coinbase per block, the planted "
		                 "incidents, some background)", b);
	}
	if ((o.txs - o.blocks) / econ_blocks > MAX_TXS_PER_BLOCK)
		return usage_err("%s", "too many txs per block (over 3500 would break the 1 MB / 4M "
		                       "weight limits): raise --blocks");
	if (!o.transfers_set)
		o.transfers = o.txs / 10 < 1000 ? 1000 : o.txs / 10;

	/* The output directory: refuse one with content; build beside it. */
	size_t n = strlen(o.out);
	while (n > 1 && o.out[n - 1] == '/')
		n--;
	char *out = ct__malloc(n + 1), *tmp = ct__malloc(n + 32), *path = ct__malloc(n + 64);
	if (!out || !tmp || !path) {
		free(out);
		free(tmp);
		free(path);
		fprintf(stderr, "cointrail synth: out of memory\n");
		return 3;
	}
	memcpy(out, o.out, n);
	out[n] = '\0';
	o.out = out;
	int st = out_state(out), code = 0, rc;
	if (st < 0) {
		fprintf(stderr, "cointrail synth: %s exists and is not an empty directory; "
		                "choose another --out or remove it\n", out);
		free(out);
		free(tmp);
		free(path);
		return 1;
	}
	snprintf(tmp, n + 32, "%s.tmp-%ld", out, (long)getpid());
	if (mkdir(tmp, 0777) != 0) {
		fprintf(stderr, "cointrail synth: cannot create %s: %s\n", tmp, strerror(errno));
		free(out);
		free(tmp);
		free(path);
		return 1;
	}

	syn_sim s;
	struct syn_acct *acct = NULL;
	struct acct_job aj = {&o, path, NULL, 0, {0}, 0};
	pthread_t ath;
	int ath_running = 0;
	double t0 = now_s(), t_chain = 0;
	/* transfers.csv is independent of the chain (its own random stream):
	 * write it on another thread meanwhile. */
	snprintf(path, n + 64, "%s/transfers.csv", tmp);
	if ((rc = sim_init(&s, &o, tmp)) < 0)
		goto fail;
	if (pthread_create(&ath, NULL, acct_thread, &aj) != 0) {
		rc = ct__err(CT_EINTERNAL, "synth: cannot start a thread");
		goto fail;
	}
	ath_running = 1;
	rc = run_chain(&s);
	t_chain = now_s() - t0;
	pthread_join(ath, NULL);
	ath_running = 0;
	acct = aj.acct;
	if (rc < 0)
		goto fail;
	if (aj.rc < 0) {
		rc = ct__err(aj.rc, "%s", aj.err);
		goto fail;
	}
	double cpu_main = syn_thread_cpu(), t_truth = now_s();
	snprintf(path, n + 64, "%s/truth.json", tmp);
	if ((rc = syn_truth_write(&s, path, acct)) < 0)
		goto fail;
	if (getenv("CT_SYNTH_TIMES"))
		fprintf(stderr, "cointrail synth: times: chain %.2f s wall, CPU simulation %.2f s, "
		                "serialiser %.2f s, blocks %.2f s, transfers %.2f s; truth.json "
		                "%.2f s wall\n", t_chain, cpu_main, s.cpu_ser, s.cpu_fin, aj.cpu,
		        now_s() - t_truth);
	if (s.undo_lost && !o.quiet)
		fprintf(stderr, "cointrail synth: warning: a few unused addresses are listed in "
		                "truth.json\n");
	if (st == 1 && rmdir(out) != 0) {
		rc = ct__err_sys("synth: cannot replace the empty directory %s", out);
		goto fail;
	}
	if (rename(tmp, out) != 0) {
		rc = ct__err_sys("synth: cannot rename %s to %s", tmp, out);
		goto fail;
	}
	if (!o.quiet) {
		double dt = now_s() - t0;
		printf("cointrail synth: %s: %llu blocks, %llu txs, %.1f MB of blocks in %.2f s "
		       "(chain: %.0f txs/s, %.1f MB/s); %llu transfers; truth.json\n",
		       out, (unsigned long long)s.height, (unsigned long long)s.st.txs,
		       (double)s.st.bytes / 1e6, dt, (double)s.st.txs / t_chain,
		       (double)s.st.bytes / 1e6 / t_chain, (unsigned long long)o.transfers);
	}
	goto done;
fail:
	if (ath_running) {
		pthread_join(ath, NULL);
		acct = aj.acct;
	}
	{
		const char *msg = ct_error_last();
		if (!strncmp(msg, "synth: ", 7))
			msg += 7;
		fprintf(stderr, "cointrail synth: %s\n", msg);
	}
	code = rc == CT_EUSER ? 1 : rc == CT_EDATA ? 2 : 3;
	syn_blocks_abort(&s);
	rm_tree(tmp);
done:
	sim_free(&s);
	syn_acct_free(acct);
	free(out);
	free(tmp);
	free(path);
	return code;
}
