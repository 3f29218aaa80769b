/*
 * acct_query.c - look-ups over the account-model stores as JSON (contract:
 * docs/json.md): tx (one input and one output per transfer), address
 * (per-asset received / sent / fees / balance), stats, and the deep check
 * with its digest (used by the crash tests).
 */
#include "query/acct_query.h"
#include "chain/account/acctstore.h"
#include "labels/labels.h"
#include "util/amount.h"
#include "util/encode.h"
#include "util/error.h"
#include "util/fsutil.h"

#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CHAINS 16
#define ULL(x) ((unsigned long long)(x))

static int finish(json_t *j, char **out)
{
	if (!j)
		return ct__err(CT_ENOMEM, "out of memory building JSON");
	*out = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(j);
	return *out ? 0 : ct__err(CT_ENOMEM, "out of memory serialising JSON");
}

static json_t *jtime(int64_t t)
{
	char b[40];
	ct__time_str(b, sizeof(b), t);
	return json_string(b);
}

static json_t *jheight(uint64_t h)
{
	return h == CT_ACCT_NONE ? json_null() : json_integer((json_int_t)h);
}

static json_t *jaddr(const ct_acctstore *st, uint64_t a)
{
	char b[CT_ACCT_ADDR_STR];
	if (a == CT_ACCT_NONE)
		return json_null();
	ct__acct_addr_str(st, a, b, sizeof(b));
	return json_string(b);
}

/* The asset's name in JSON: the native symbol, or the token's contract. */
static json_t *jasset_id(const ct_acctstore *st, const ct_acct_asset *as)
{
	char b[CT_ACCT_ADDR_STR];
	if (as->native)
		return json_string(as->symbol);
	ct__acct_key_str(st->chain->addr_format, &as->contract, b, sizeof(b));
	return json_string(b);
}

static json_t *jamount(const ct_u256 *v, const ct_acct_asset *as)
{
	char b[CT_ACCT_AMOUNT_STR];
	ct__acct_amount_str(b, sizeof(b), v, as->decimals);
	return json_string(b);
}

static json_t *jsum(const ct_acct_sum *s, const ct_acct_asset *as)
{
	char b[CT_ACCT_AMOUNT_STR];
	ct__acct_sum_str(b, sizeof(b), s, as->decimals);
	return json_string(b);
}

/* Add the asset's description keys to object o. */
static void asset_keys(json_t *o, const ct_acctstore *st, const ct_acct_asset *as)
{
	json_object_set_new(o, "asset", jasset_id(st, as));
	/* symbols are display only: spam tokens copy them */
	json_object_set_new(o, "symbol", json_string(as->symbol));
	json_object_set_new(o, "decimals", as->decimals == CT_DECIMALS_UNKNOWN
	                                       ? json_null()
	                                       : json_integer(as->decimals));
	if (as->decimals_assumed)
		json_object_set_new(o, "decimals_assumed", json_true());
}

/* "chain:rest" naming an account chain: *chain set and rest returned. */
static const char *strip_acct_chain(const char *id, const ct_acct_chain **chain)
{
	const char *c = strchr(id, ':');
	*chain = NULL;
	if (!c || c - id > 20)
		return id;
	char name[24];
	snprintf(name, sizeof(name), "%.*s", (int)(c - id), id);
	const ct_acct_chain *ch = ct__acct_chain_find(name);
	if (!ch)
		return id;
	*chain = ch;
	return c + 1;
}

static size_t chains_to_search(ct_db *db, const ct_acct_chain *want, const ct_acct_chain **out)
{
	if (want) {
		if (!ct__acctstore_exists(db->dir, want->name))
			return 0;
		out[0] = want;
		return 1;
	}
	return ct__acct_chains_present(db->dir, out, MAX_CHAINS);
}

/* ---- labels (the same look-up as the Bitcoin path) ---------------------- */

static ct_labels *open_labels(const char *dbdir)
{
	char p[4096];
	ct_labels *l = NULL;
	snprintf(p, sizeof(p), "%s/cases.db", dbdir);
	if (!ct__path_exists(p) || ct_labels_open(&l, dbdir, 0) != 0) {
		ct__err_clear();
		return NULL;
	}
	return l;
}

static json_t *labels_json(ct_labels *l, const char *chain, const char *addr)
{
	json_t *arr = json_array();
	char full[200];
	ct_label *ls = NULL;
	size_t n = 0;
	if (!l)
		return arr;
	snprintf(full, sizeof(full), "%s:%s", chain, addr);
	if (ct_labels_lookup(l, full, &ls, &n) != 0) {
		ct__err_clear();
		return arr;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "category", json_string(ls[i].category));
		json_object_set_new(o, "name", json_string(ls[i].name));
		json_object_set_new(o, "source", json_string(ls[i].source));
		json_object_set_new(o, "confidence",
		                    ls[i].confidence < 0 ? json_null() : json_real(ls[i].confidence));
		json_object_set_new(o, "added", json_string(ls[i].added));
		json_array_append_new(arr, o);
	}
	ct_free(ls);
	return arr;
}

/* ---- tx ----------------------------------------------------------------- */

static json_t *tx_json(const ct_acctstore *st, uint64_t t)
{
	ct_acct_tx tx;
	ct__acct_tx_get(st, t, &tx);
	json_t *j = json_object(), *ins = json_array(), *outs = json_array();
	char hex[67] = "0x";
	ct__hex(hex + 2, tx.hash, 32);
	json_object_set_new(j, "txid", (tx.flags & CT_TXF_HASH) ? json_string(hex) : json_null());
	json_object_set_new(j, "chain", json_string(st->chain->name));
	/* the block's hash where the store has the block (RPC ingest); rows
	 * from files carry a height at most */
	uint64_t b;
	ct_acct_block blk;
	if (tx.height != CT_ACCT_NONE && ct__acct_block_find(st, tx.height, &b) == 0) {
		char bh[67] = "0x";
		ct__acct_block_get(st, b, &blk);
		ct__hex(bh + 2, blk.hash, 32);
		json_object_set_new(j, "block", json_string(bh));
	} else {
		ct__err_clear();
		json_object_set_new(j, "block", json_null());
	}
	json_object_set_new(j, "height", jheight(tx.height));
	json_object_set_new(j, "time", jtime(tx.time));
	json_object_set_new(j, "failed", json_boolean(tx.flags & CT_TXF_FAILED));
	/* the tx's transfers, oldest first (walk back from the newest) */
	uint64_t *ids = NULL;
	size_t n = 0, cap = 0;
	for (uint64_t x = tx.last; x != CT_ACCT_NONE; x = ct__acct_xfer_prev_tx(st, x)) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			uint64_t *ni = realloc(ids, cap * sizeof(*ni));
			if (!ni)
				break;
			ids = ni;
		}
		ids[n++] = x;
	}
	ct_acct_sum fee = {{0}};
	int has_fee = 0;
	ct_acct_asset native;
	ct__acct_asset_get(st, 0, &native);
	json_t *xfers = json_array();
	size_t k = 0;
	for (size_t i = n; i-- > 0;) {
		ct_acct_xfer x;
		ct_acct_asset as;
		ct__acct_xfer_get(st, ids[i], &x);
		ct__acct_asset_get(st, x.asset, &as);
		if (x.flags & CT_XF_FEE) {
			ct__acct_sum_add(&fee, &x.amount);
			has_fee = 1;
			continue;
		}
		json_t *in = json_object(), *o = json_object(), *xo = json_object();
		json_object_set_new(in, "prev_tx", json_null());
		json_object_set_new(in, "prev_n", json_null());
		json_object_set_new(in, "address", jaddr(st, x.from));
		json_object_set_new(in, "amount", jamount(&x.amount, &as));
		asset_keys(in, st, &as);
		json_array_append_new(ins, in);
		json_object_set_new(o, "n", json_integer((json_int_t)k));
		json_object_set_new(o, "address", jaddr(st, x.to));
		json_object_set_new(o, "amount", jamount(&x.amount, &as));
		asset_keys(o, st, &as);
		json_object_set_new(o, "type", json_string(x.asset ? "token" : "native"));
		json_object_set_new(o, "spent_by", json_null());
		json_array_append_new(outs, o);
		json_object_set_new(xo, "transfer", json_integer((json_int_t)ids[i]));
		json_object_set_new(xo, "from", jaddr(st, x.from));
		json_object_set_new(xo, "to", jaddr(st, x.to));
		json_object_set_new(xo, "amount", jamount(&x.amount, &as));
		asset_keys(xo, st, &as);
		json_object_set_new(xo, "time", jtime(x.time));
		json_object_set_new(xo, "failed", json_boolean(x.flags & CT_XF_FAILED));
		json_array_append_new(xfers, xo);
		k++;
	}
	free(ids);
	if (has_fee)
		json_object_set_new(j, "fee", jsum(&fee, &native));
	else
		json_object_set_new(j, "fee", json_null());
	json_object_set_new(j, "inputs", ins);
	json_object_set_new(j, "outputs", outs);
	json_object_set_new(j, "transfers", xfers);
	return j;
}

int ct__acct_query_tx(ct_db *db, char **out, const char *id, int *handled)
{
	const ct_acct_chain *want, *chains[MAX_CHAINS];
	const char *hex = strip_acct_chain(id, &want);
	*handled = want != NULL;
	uint8_t h[32];
	size_t n = strlen(hex);
	if (n == 66 && hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X')) {
		hex += 2;
		n -= 2;
		*handled |= ct__acct_chains_present(db->dir, chains, MAX_CHAINS) > 0;
	}
	if (n != 64 || ct__unhex(h, hex, 32))
		return ct__err(want ? CT_EUSER : CT_ENOTFOUND, "'%s' is not a tx hash (64 hex digits)",
		               id);
	size_t k = chains_to_search(db, want, chains);
	for (size_t i = 0; i < k; i++) {
		ct_acctstore *st;
		uint64_t t;
		if (ct__acctstore_open(&st, db->dir, chains[i], 0) != 0)
			return CT_ECORRUPT;
		if (ct__acct_tx_find(st, h, &t) == 0) {
			int rc = finish(tx_json(st, t), out);
			ct__acctstore_close(st);
			*handled = 1;
			return rc;
		}
		ct__acctstore_close(st);
	}
	return ct__err(CT_ENOTFOUND, "tx %s not found", id);
}

/* ---- address ------------------------------------------------------------ */

/* The txs of block `height`: the block record's range when the store has
 * the block (RPC ingest, txs appended block by block), else every tx of
 * that height (rows from files carry heights in any order: one pass over
 * the tx column). */
static json_t *block_json(const ct_acctstore *st, uint64_t height, int with_txs)
{
	uint64_t b, lo = 0, hi = st->c.txs;
	ct_acct_block blk;
	int have = ct__acct_block_find(st, height, &b) == 0;
	if (have) {
		ct__acct_block_get(st, b, &blk);
		lo = blk.first_tx;
		if (b + 1 < st->c.blocks) {
			ct_acct_block nx;
			ct__acct_block_get(st, b + 1, &nx);
			hi = nx.first_tx;
		}
	} else {
		ct__err_clear();
	}
	json_t *txs = json_array();
	int64_t first_time = INT64_MAX;
	size_t n_xfers = 0;
	for (uint64_t t = lo; t < hi; t++) {
		ct_acct_tx tx;
		ct__acct_tx_get(st, t, &tx);
		if (tx.height != height)
			continue;
		if (tx.time < first_time)
			first_time = tx.time;
		json_t *tj = tx_json(st, t);
		n_xfers += json_array_size(json_object_get(tj, "transfers"));
		if (with_txs) {
			json_array_append_new(txs, tj);
		} else {
			json_array_append(txs, json_object_get(tj, "txid"));
			json_decref(tj);
		}
	}
	if (!have && json_array_size(txs) == 0) {
		json_decref(txs);
		return NULL;
	}
	json_t *j = json_object();
	char hex[67] = "0x";
	if (have) {
		ct__hex(hex + 2, blk.hash, 32);
		json_object_set_new(j, "hash", json_string(hex));
	} else {
		json_object_set_new(j, "hash", json_null());
	}
	json_object_set_new(j, "chain", json_string(st->chain->name));
	json_object_set_new(j, "height", jheight(height));
	json_object_set_new(j, "time", have ? jtime(blk.time)
	                                    : first_time == INT64_MAX ? json_null() : jtime(first_time));
	if (have) {
		ct__hex(hex + 2, blk.parent, 32);
		json_object_set_new(j, "prev", json_string(hex));
	} else {
		json_object_set_new(j, "prev", json_null());
	}
	json_object_set_new(j, "tx_count", json_integer((json_int_t)json_array_size(txs)));
	json_object_set_new(j, "transfer_count", json_integer((json_int_t)n_xfers));
	json_object_set_new(j, with_txs ? "txs" : "txids", txs);
	return j;
}

int ct__acct_query_block(ct_db *db, char **out, const char *id, int with_txs, int *handled)
{
	const ct_acct_chain *want, *chains[MAX_CHAINS];
	const char *s = strip_acct_chain(id, &want);
	*handled = want != NULL;
	size_t len = strlen(s);
	if (!len || len > 19 || strspn(s, "0123456789") != len)
		return ct__err(want ? CT_EUSER : CT_ENOTFOUND,
		               "'%s': a block of an account chain is named by its height", id);
	uint64_t height = strtoull(s, NULL, 10);
	size_t k = chains_to_search(db, want, chains);
	for (size_t i = 0; i < k; i++) {
		ct_acctstore *st;
		if (ct__acctstore_open(&st, db->dir, chains[i], 0) != 0)
			return CT_ECORRUPT;
		json_t *j = block_json(st, height, with_txs);
		ct__acctstore_close(st);
		if (j) {
			*handled = 1;
			return finish(j, out);
		}
	}
	return ct__err(CT_ENOTFOUND, "block %s not found", id);
}

static json_t *address_json(const ct_acctstore *st, uint64_t a, size_t max_txs, ct_labels *lab)
{
	ct_acct_total *tot = NULL;
	size_t nt = 0;
	uint64_t ntx = 0;
	int64_t first = 0, last = 0;
	if (ct__acct_addr_totals(st, a, &tot, &nt, &ntx, &first, &last) != 0)
		return NULL;
	char addr[CT_ACCT_ADDR_STR], b[CT_ACCT_AMOUNT_STR];
	ct__acct_addr_str(st, a, addr, sizeof(addr));
	json_t *j = json_object(), *assets = json_array();
	json_object_set_new(j, "address", json_string(addr));
	json_object_set_new(j, "chain", json_string(st->chain->name));
	/* top-level received / sent / balance: the native asset's */
	ct_acct_asset native;
	ct__acct_asset_get(st, 0, &native);
	ct_acct_total zero;
	memset(&zero, 0, sizeof(zero));
	const ct_acct_total *nat = nt && tot[0].asset == 0 ? &tot[0] : &zero;
	json_object_set_new(j, "received", jsum(&nat->received, &native));
	json_object_set_new(j, "sent", jsum(&nat->sent, &native));
	json_object_set_new(j, "fees", jsum(&nat->fees, &native));
	ct__acct_balance_str(b, sizeof(b), &nat->received, &nat->sent, &nat->fees, native.decimals);
	json_object_set_new(j, "balance", json_string(b));
	json_object_set_new(j, "tx_count", json_integer((json_int_t)ntx));
	json_object_set_new(j, "first_seen", nt ? jtime(first) : json_null());
	json_object_set_new(j, "last_seen", nt ? jtime(last) : json_null());
	json_object_set_new(j, "labels", labels_json(lab, st->chain->name, addr));
	json_object_set_new(j, "cluster", json_null());
	for (size_t i = 0; i < nt; i++) {
		ct_acct_asset as;
		ct__acct_asset_get(st, tot[i].asset, &as);
		json_t *o = json_object();
		asset_keys(o, st, &as);
		json_object_set_new(o, "received", jsum(&tot[i].received, &as));
		json_object_set_new(o, "sent", jsum(&tot[i].sent, &as));
		json_object_set_new(o, "fees", jsum(&tot[i].fees, &as));
		ct__acct_balance_str(b, sizeof(b), &tot[i].received, &tot[i].sent, &tot[i].fees,
		                     as.decimals);
		json_object_set_new(o, "balance", json_string(b));
		json_object_set_new(o, "transfers_in", json_integer((json_int_t)tot[i].n_in));
		json_object_set_new(o, "transfers_out", json_integer((json_int_t)tot[i].n_out));
		json_object_set_new(o, "first_seen", jtime(tot[i].first));
		json_object_set_new(o, "last_seen", jtime(tot[i].last));
		json_array_append_new(assets, o);
	}
	json_object_set_new(j, "assets", assets);
	free(tot);
	/* the newest transfers (by transfer id) */
	json_t *xs = json_array();
	ct_acct_walk w;
	uint64_t x;
	int dir;
	size_t shown = 0, total = 0;
	ct__acct_walk_init(st, a, &w);
	while (ct__acct_walk_next(&w, &x, &dir)) {
		total++;
		if (shown >= max_txs)
			continue;
		ct_acct_xfer xf;
		ct_acct_asset as;
		ct_acct_tx tx;
		ct__acct_xfer_get(st, x, &xf);
		ct__acct_asset_get(st, xf.asset, &as);
		ct__acct_tx_get(st, xf.tx, &tx);
		json_t *o = json_object();
		char hex[67] = "0x";
		ct__hex(hex + 2, tx.hash, 32);
		json_object_set_new(o, "txid", (tx.flags & CT_TXF_HASH) ? json_string(hex) : json_null());
		json_object_set_new(o, "height", jheight(xf.height));
		json_object_set_new(o, "time", jtime(xf.time));
		json_object_set_new(o, "direction",
		                    json_string(xf.flags & CT_XF_FEE ? "fee"
		                                : dir == 3          ? "self"
		                                : dir == 1          ? "out"
		                                                    : "in"));
		json_object_set_new(o, "counterparty", jaddr(st, dir == 2 ? xf.from : xf.to));
		json_object_set_new(o, "amount", jamount(&xf.amount, &as));
		asset_keys(o, st, &as);
		json_object_set_new(o, "failed", json_boolean(xf.flags & CT_XF_FAILED));
		json_array_append_new(xs, o);
		shown++;
	}
	json_object_set_new(j, "transfer_count", json_integer((json_int_t)total));
	json_object_set_new(j, "transfers", xs);
	json_object_set_new(j, "transfers_truncated", json_boolean(total > shown));
	return j;
}

int ct__acct_query_address(ct_db *db, char **out, const char *addr, size_t max_txs,
                           int *handled)
{
	const ct_acct_chain *want, *chains[MAX_CHAINS];
	const char *s = strip_acct_chain(addr, &want);
	*handled = want != NULL;
	size_t k = chains_to_search(db, want, chains);
	int parsed = 0;
	for (size_t i = 0; i < k; i++) {
		ct_acct_key key;
		if (ct__acct_key_parse(chains[i]->addr_format, &key, s, strlen(s)) != 0) {
			/* a chain named, or an address of EVM form (0x + 40 hex)
			 * whose checksum fails: say why */
			if (want || (chains[i]->addr_format == CT_AF_EVM && strlen(s) == 42 &&
			             s[0] == '0' && s[1] == 'x')) {
				*handled = 1;
				return ct__err_prefix(CT_EUSER, "'%s'", addr);
			}
			ct__err_clear();
			continue;
		}
		parsed = 1;
		*handled = 1;
		ct_acctstore *st;
		uint64_t a;
		if (ct__acctstore_open(&st, db->dir, chains[i], 0) != 0)
			return CT_ECORRUPT;
		if (ct__acct_addr_find(st, &key, &a) == 0) {
			ct_labels *lab = open_labels(db->dir);
			int rc = finish(address_json(st, a, max_txs, lab), out);
			ct_labels_close(lab);
			ct__acctstore_close(st);
			return rc;
		}
		ct__acctstore_close(st);
	}
	if (parsed || want)
		return ct__err(CT_ENOTFOUND, "address %s has no activity in the store", s);
	return ct__err(CT_ENOTFOUND, "'%s' is not an address of an account chain in this store",
	               addr);
}

/* ---- stats -------------------------------------------------------------- */

int ct__acct_stats_append(ct_db *db, json_t *chains)
{
	const ct_acct_chain *cs[MAX_CHAINS];
	size_t k = ct__acct_chains_present(db->dir, cs, MAX_CHAINS);
	for (size_t i = 0; i < k; i++) {
		ct_acctstore *st;
		int rc = ct__acctstore_open(&st, db->dir, cs[i], 0);
		if (rc)
			return rc;
		const ct_acct_counts *c = ct__acct_counts(st);
		json_t *o = json_object();
		json_object_set_new(o, "chain", json_string(cs[i]->name));
		/* the store keeps no chain id: which network (mainnet, a testnet, a
		 * local node) the data came from is not known here */
		json_object_set_new(o, "network", json_null());
		json_object_set_new(o, "model", json_string("account"));
		json_object_set_new(o, "blocks", json_integer((json_int_t)c->blocks));
		json_object_set_new(o, "txs", json_integer((json_int_t)c->txs));
		/* an account transfer has one input and one output */
		json_object_set_new(o, "inputs", json_integer((json_int_t)c->xfers));
		json_object_set_new(o, "outputs", json_integer((json_int_t)c->xfers));
		json_object_set_new(o, "transfers", json_integer((json_int_t)c->xfers));
		json_object_set_new(o, "addresses", json_integer((json_int_t)c->addrs));
		json_object_set_new(o, "assets", json_integer((json_int_t)c->assets));
		json_object_set_new(o, "files", json_integer((json_int_t)c->files));
		ct_acct_block tip;
		if (ct__acct_tip(st, &tip) == 0) {
			json_t *t = json_object();
			char hex[67] = "0x";
			ct__hex(hex + 2, tip.hash, 32);
			json_object_set_new(t, "hash", json_string(hex));
			json_object_set_new(t, "height", json_integer((json_int_t)tip.number));
			json_object_set_new(t, "time", jtime(tip.time));
			json_object_set_new(o, "tip", t);
		} else if (c->xfers) {
			/* no blocks (file ingest): the newest transfer's time and height */
			ct__err_clear();
			ct_acct_xfer x;
			ct__acct_xfer_get(st, c->xfers - 1, &x);
			json_t *t = json_object();
			json_object_set_new(t, "hash", json_null());
			json_object_set_new(t, "height", jheight(x.height));
			json_object_set_new(t, "time", jtime(x.time));
			json_object_set_new(o, "tip", t);
		} else {
			ct__err_clear();
			json_object_set_new(o, "tip", json_null());
		}
		json_array_append_new(chains, o);
		ct__acctstore_close(st);
	}
	return 0;
}

/* ---- check -------------------------------------------------------------- */

/* Re-derive every link and head from the transfer records, find every
 * record through its index, and digest the committed state as readers
 * see it (records plus resolved heads). */
static void check_deep(const ct_acctstore *st, ct__checker *c, char digest_hex[65])
{
	const ct_acct_counts *n = ct__acct_counts(st);
	EVP_MD_CTX *md = ct__digest_new();
	uint64_t cv[7] = {n->blocks, n->txs, n->xfers, n->addrs, n->assets, n->bigs, n->files};
	EVP_DigestUpdate(md, cv, sizeof(cv));
	uint64_t *lo = calloc(n->addrs + 1, 8), *li = calloc(n->addrs + 1, 8),
	         *lt = calloc(n->txs + 1, 8);
	uint64_t bigs = 0;
	if (!lo || !li || !lt) {
		ct__problem(c, "out of memory for the deep check");
		goto done;
	}
	for (uint64_t b = 0; b < n->blocks; b++) {
		ct_acct_block bl;
		ct__acct_block_get(st, b, &bl);
		EVP_DigestUpdate(md, ct__col_at(&st->blocks, b), 128);
		if (b > 0) {
			ct_acct_block pb;
			ct__acct_block_get(st, b - 1, &pb);
			if (bl.number != pb.number + 1 || memcmp(bl.parent, pb.hash, 32))
				ct__problem(c, "block %llu: does not follow block %llu", ULL(bl.number),
				        ULL(pb.number));
			if (bl.first_tx < pb.first_tx || bl.first_xfer < pb.first_xfer)
				ct__problem(c, "block %llu: record ranges go backwards", ULL(bl.number));
		}
		if (bl.first_tx > n->txs || bl.first_xfer > n->xfers)
			ct__problem(c, "block %llu: starts past the committed records", ULL(bl.number));
	}
	for (uint64_t t = 0; t < n->txs; t++) {
		ct_acct_tx tx;
		ct__acct_tx_get(st, t, &tx);
		EVP_DigestUpdate(md, ct__col_get(&st->txs, t), 64);
		if (tx.flags & CT_TXF_HASH) {
			uint64_t got;
			if (ct__acct_tx_find(st, tx.hash, &got) || got != t)
				ct__problem(c, "tx %llu: not found through the tx index", ULL(t));
		}
		if (tx.first > n->xfers)
			ct__problem(c, "tx %llu: first transfer past the end", ULL(t));
	}
	for (uint64_t x = 0; x < n->xfers; x++) {
		const uint8_t *r = ct__col_get(&st->xfers, x);
		ct_acct_xfer xf;
		ct__acct_xfer_get(st, x, &xf);
		uint32_t raw_flags = ct_le32(r + CT_XR_FLAGS);
		EVP_DigestUpdate(md, r, CT_REC_XFER);
		if (raw_flags & CT_XF_BIG) {
			uint64_t bi = ct_le64(r + CT_XR_AMOUNT);
			if (bi != bigs || bi >= n->bigs) {
				ct__problem(c, "transfer %llu: big amount %llu out of order", ULL(x), ULL(bi));
			} else {
				EVP_DigestUpdate(md, ct__col_get(&st->bigs, bi), 32);
				bigs++;
			}
		}
		if ((xf.from != CT_ACCT_NONE && xf.from >= n->addrs) ||
		    (xf.to != CT_ACCT_NONE && xf.to >= n->addrs) || xf.tx >= n->txs ||
		    xf.asset >= n->assets) {
			ct__problem(c, "transfer %llu: refers past the committed records", ULL(x));
			continue;
		}
		if ((xf.flags & CT_XF_FEE) && (xf.to != CT_ACCT_NONE || xf.asset != 0))
			ct__problem(c, "transfer %llu: a fee with a recipient or a token", ULL(x));
		uint64_t po = ct__acct_xfer_prev_out(st, x), pi = ct__acct_xfer_prev_in(st, x),
		         pt = ct__acct_xfer_prev_tx(st, x);
		uint64_t wo = xf.from != CT_ACCT_NONE && lo[xf.from] ? lo[xf.from] - 1 : CT_ACCT_NONE;
		uint64_t wi = xf.to != CT_ACCT_NONE && li[xf.to] ? li[xf.to] - 1 : CT_ACCT_NONE;
		uint64_t wt = lt[xf.tx] ? lt[xf.tx] - 1 : CT_ACCT_NONE;
		if (po != wo || pi != wi || pt != wt)
			ct__problem(c, "transfer %llu: links (%lld, %lld, %lld), expected (%lld, %lld, %lld)",
			        ULL(x), (long long)po, (long long)pi, (long long)pt, (long long)wo,
			        (long long)wi, (long long)wt);
		if (xf.from != CT_ACCT_NONE)
			lo[xf.from] = x + 1;
		if (xf.to != CT_ACCT_NONE)
			li[xf.to] = x + 1;
		lt[xf.tx] = x + 1;
		ct_acct_tx tx;
		ct__acct_tx_get(st, xf.tx, &tx);
		if (tx.first > x)
			ct__problem(c, "transfer %llu: before its tx's first transfer", ULL(x));
	}
	if (bigs != n->bigs)
		ct__problem(c, "%llu big amounts used, meta says %llu", ULL(bigs), ULL(n->bigs));
	for (uint64_t a = 0; a < n->addrs; a++) {
		ct_acct_key k;
		uint64_t got, ho = ct__acct_addr_head_out(st, a), hi = ct__acct_addr_head_in(st, a);
		ct__acct_addr_key(st, a, &k);
		EVP_DigestUpdate(md, &k, sizeof(k));
		EVP_DigestUpdate(md, &ho, 8);
		EVP_DigestUpdate(md, &hi, 8);
		if (ho != (lo[a] ? lo[a] - 1 : CT_ACCT_NONE) || hi != (li[a] ? li[a] - 1 : CT_ACCT_NONE))
			ct__problem(c, "address %llu: heads are not its newest transfers", ULL(a));
		if (ct__acct_addr_find(st, &k, &got) || got != a)
			ct__problem(c, "address %llu: not found through the address index", ULL(a));
		if (k.len == 0 || k.len > CT_ACCT_KEY_MAX)
			ct__problem(c, "address %llu: malformed key", ULL(a));
	}
	for (uint64_t t = 0; t < n->txs; t++) {
		ct_acct_tx tx;
		ct__acct_tx_get(st, t, &tx);
		EVP_DigestUpdate(md, &tx.last, 8);
		if (tx.last != (lt[t] ? lt[t] - 1 : CT_ACCT_NONE))
			ct__problem(c, "tx %llu: head is not its newest transfer", ULL(t));
	}
	for (uint64_t s = 0; s < n->assets; s++) {
		ct_acct_asset as;
		ct__acct_asset_get(st, (uint32_t)s, &as);
		EVP_DigestUpdate(md, ct__col_get(&st->assets, s), 72);
		if ((s == 0) != (as.native != 0))
			ct__problem(c, "asset %llu: native flag wrong", ULL(s));
		uint32_t got;
		if (!as.native && (ct__acct_asset_find(st, &as.contract, &got) || got != s))
			ct__problem(c, "asset %llu: not found through the asset index", ULL(s));
	}
	for (uint64_t f = 0; f < n->files; f++)
		EVP_DigestUpdate(md, ct__col_get(&st->files, f), 64);
done:
	free(lo);
	free(li);
	free(lt);
	ct__digest_hex(md, digest_hex);
}

void ct__acct_check_append(ct_db *db, json_t *chains, int deep, int *bad)
{
	const ct_acct_chain *cs[MAX_CHAINS];
	size_t k = ct__acct_chains_present(db->dir, cs, MAX_CHAINS);
	for (size_t i = 0; i < k; i++) {
		ct_acctstore *st;
		ct__checker c;
		json_t *cj = ct__check_entry(cs[i]->name, &c);
		if (ct__acctstore_open(&st, db->dir, cs[i], 0) != 0) {
			ct__problem(&c, "%s", ct_error_last());
		} else {
			if (deep) {
				char dh[65];
				check_deep(st, &c, dh);
				json_object_set_new(cj, "digest", json_string(dh));
			}
			json_object_set_new(cj, "blocks", json_integer((json_int_t)st->c.blocks));
			json_object_set_new(cj, "txs", json_integer((json_int_t)st->c.txs));
			json_object_set_new(cj, "transfers", json_integer((json_int_t)st->c.xfers));
			ct__acctstore_close(st);
		}
		ct__check_entry_end(chains, cj, &c, bad);
	}
}
