/*
 * btc_query.c - look-ups over the Bitcoin store as JSON documents
 * (contract: docs/json.md): block, tx, address, stats.
 *
 * Every function opens the stores read-only, so queries run beside an
 * ingest; they see the last committed state.
 */
#include "analysis/cluster.h"
#include "labels/labels.h"
#include "query/acct_query.h"
#include "query/db.h"
#include "util/amount.h"
#include "util/encode.h"
#include "util/error.h"
#include "util/fsutil.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NETS 8

static json_t *jamount(uint64_t v)
{
	char b[40];
	ct__amount_ustr(b, sizeof(b), v, 8);
	return json_string(b);
}

static json_t *jtime(int64_t t)
{
	char b[40];
	ct__time_str(b, sizeof(b), t);
	return json_string(b);
}

static json_t *jhash(const uint8_t *h)
{
	char b[65];
	ct__hex_rev(b, h, 32);
	return json_string(b);
}

static json_t *jheight(uint32_t h)
{
	return h == CT_HEIGHT_UNKNOWN ? json_null() : json_integer(h);
}

static int finish(json_t *j, char **out)
{
	if (!j)
		return ct__err(CT_ENOMEM, "out of memory building JSON");
	*out = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(j);
	return *out ? 0 : ct__err(CT_ENOMEM, "out of memory serialising JSON");
}

/* Split "chain:rest" when chain names a known chain. */
static const char *strip_chain(const char *id, const ct_btc_net **net)
{
	const char *c = strchr(id, ':');
	*net = NULL;
	if (!c || c - id > 20)
		return id;
	char name[24];
	snprintf(name, sizeof(name), "%.*s", (int)(c - id), id);
	const ct_btc_net *n = ct__btc_net_by_name(name);
	if (!n)
		return id;
	*net = n;
	return c + 1;
}

/* Open the stores to search: the named one, or every one present. */
static int open_stores(ct_db *db, const ct_btc_net *want, ct_btcstore **st, size_t *n)
{
	const ct_btc_net *nets[MAX_NETS];
	size_t k = want ? 1 : ct__db_btc_nets(db, nets, MAX_NETS);
	if (want)
		nets[0] = want;
	*n = 0;
	if (k == 0)
		return ct__err(CT_ENOTFOUND, "%s: the data directory holds no chain yet", db->dir);
	for (size_t i = 0; i < k; i++) {
		int rc = ct__btcstore_open(&st[*n], db->dir, nets[i], 0);
		if (rc) {
			for (size_t j = 0; j < *n; j++)
				ct__btcstore_close(st[j]);
			return rc;
		}
		(*n)++;
	}
	return 0;
}

static void close_stores(ct_btcstore **st, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ct__btcstore_close(st[i]);
}

static json_t *jaddr(ct_btcstore *st, uint64_t aw, int type)
{
	uint64_t a = aw & CT_OUT_ADDR_MASK;
	char buf[128];
	ct_addrkey k;
	if (!a || type == CT_ST_MULTISIG || type == CT_ST_NONSTANDARD)
		return json_null();
	ct__btcstore_addr_key(st, a - 1, &k);
	if (ct__addr_render(st->h, st->net, &k, buf, sizeof(buf)) != 0)
		return json_null();
	return json_string(buf);
}

static json_t *tx_json(ct_btcstore *st, uint64_t t)
{
	json_t *j = json_object(), *ins = json_array(), *outs = json_array();
	uint32_t b = ct__tx_block(st, t);
	const uint8_t *br = ct__blk(st, b);
	const uint8_t *info = ct__col_at(&st->txinfo, t);
	uint64_t in_sum = 0, out_sum = 0;
	int all_known = 1, coinbase = 0;
	char buf[128];

	json_object_set_new(j, "txid", jhash(ct__tx_id(st, t)));
	json_object_set_new(j, "chain", json_string(st->net->chain));
	json_object_set_new(j, "block", jhash(br + CT_BLK_HASH));
	json_object_set_new(j, "height", jheight(ct_le32(br + CT_BLK_HEIGHT)));
	json_object_set_new(j, "time", jtime(ct_le32(br + 68)));
	for (uint64_t i = ct__tx_first_in(st, t), e = ct__tx_end_in(st, t); i < e; i++) {
		uint64_t ref = ct__in_ref(st, i);
		json_t *in = json_object();
		if (ref == CT_IN_COINBASE) {
			coinbase = 1;
			json_object_set_new(in, "coinbase", json_true());
			json_object_set_new(in, "prev_tx", json_null());
			json_object_set_new(in, "prev_n", json_null());
			json_object_set_new(in, "address", json_null());
			json_object_set_new(in, "amount", json_null());
		} else if (ref & CT_IN_UNRESOLVED_BIT) {
			const uint8_t *u = ct__col_at(&st->unres, ref & ~CT_IN_UNRESOLVED_BIT);
			all_known = 0;
			json_object_set_new(in, "prev_tx", jhash(u));
			json_object_set_new(in, "prev_n", json_integer(ct_le32(u + 32)));
			json_object_set_new(in, "address", json_null());
			json_object_set_new(in, "amount", json_null());
			json_object_set_new(in, "resolved", json_false());
		} else {
			uint64_t pt = ct__out_tx(st, ref);
			uint64_t aw = ct__out_addrword(st, ref), v = ct__out_value(st, ref);
			in_sum += v;
			json_object_set_new(in, "prev_tx", jhash(ct__tx_id(st, pt)));
			json_object_set_new(in, "prev_n", json_integer((json_int_t)(ref - ct__tx_first_out(st, pt))));
			json_object_set_new(in, "address", jaddr(st, aw, (int)(aw >> 56)));
			json_object_set_new(in, "amount", jamount(v));
		}
		json_array_append_new(ins, in);
	}
	uint64_t first = ct__tx_first_out(st, t);
	for (uint64_t o = first, e = ct__tx_end_out(st, t); o < e; o++) {
		json_t *out = json_object();
		uint64_t aw = ct__out_addrword(st, o), v = ct__out_value(st, o);
		int type = (int)(aw >> 56);
		out_sum += v;
		json_object_set_new(out, "n", json_integer((json_int_t)(o - first)));
		json_object_set_new(out, "address", jaddr(st, aw, type));
		json_object_set_new(out, "amount", jamount(v));
		json_object_set_new(out, "type", json_string(ct__script_type_name(type)));
		if ((aw & CT_OUT_ADDR_MASK) && (type == CT_ST_MULTISIG || type == CT_ST_NONSTANDARD)) {
			ct_addrkey k;
			ct__btcstore_addr_key(st, (aw & CT_OUT_ADDR_MASK) - 1, &k);
			ct__addr_render(st->h, st->net, &k, buf, sizeof(buf));
			json_object_set_new(out, "script_id", json_string(buf));
		}
		uint64_t sb = ct__out_spent_by(st, o);
		json_object_set_new(out, "spent_by", sb == UINT64_MAX ? json_null() : jhash(ct__tx_id(st, sb)));
		json_array_append_new(outs, out);
	}
	json_object_set_new(j, "coinbase", json_boolean(coinbase));
	json_object_set_new(j, "fee", !coinbase && all_known && in_sum >= out_sum
	                                  ? jamount(in_sum - out_sum) : json_null());
	json_object_set_new(j, "size", json_integer(ct_le32(info + 4)));
	json_object_set_new(j, "weight", json_integer((json_int_t)ct_le32(info + 8) * 3 + ct_le32(info + 4)));
	json_object_set_new(j, "locktime", json_integer(ct_le32(info + 12)));
	json_object_set_new(j, "inputs", ins);
	json_object_set_new(j, "outputs", outs);
	return j;
}

int ct_query_tx(ct_db *db, char **out, const char *id)
{
	const ct_btc_net *want;
	ct_btcstore *st[MAX_NETS];
	size_t n;
	uint8_t txid[32];
	int acct = 0, rc = ct__acct_query_tx(db, out, id, &acct); /* account chains first */
	if (rc != CT_ENOTFOUND || acct || !ct__db_btc_nets(db, &want, 1))
		return rc;
	const char *hex = strip_chain(id, &want);
	if (strlen(hex) != 64 || ct__unhex_rev(txid, hex, 32))
		return ct__err(CT_EUSER, "'%s' is not a txid (64 hex digits)", id);
	rc = open_stores(db, want, st, &n);
	if (rc)
		return rc;
	rc = ct__err(CT_ENOTFOUND, "tx %s not found", hex);
	for (size_t i = 0; i < n; i++) {
		uint64_t t;
		if (ct__btcstore_find_tx(st[i], txid, &t) == 0) {
			rc = finish(tx_json(st[i], t), out);
			break;
		}
	}
	close_stores(st, n);
	return rc;
}

static json_t *block_json(ct_btcstore *st, uint64_t b, int with_txs)
{
	const uint8_t *br = ct__blk(st, b);
	json_t *j = json_object();
	uint64_t ft = ct__blk_first_tx(st, b);
	uint64_t et = b + 1 < st->c.blocks ? ct__blk_first_tx(st, b + 1) : st->c.txs;
	char buf[80];
	json_object_set_new(j, "hash", jhash(br + CT_BLK_HASH));
	json_object_set_new(j, "chain", json_string(st->net->chain));
	json_object_set_new(j, "height", jheight(ct_le32(br + CT_BLK_HEIGHT)));
	json_object_set_new(j, "time", jtime(ct_le32(br + 68)));
	json_object_set_new(j, "prev", jhash(br + 4));
	json_object_set_new(j, "merkle_root", jhash(br + 36));
	json_object_set_new(j, "version", json_integer(ct_le32(br)));
	snprintf(buf, sizeof(buf), "%08x", ct_le32(br + 72));
	json_object_set_new(j, "bits", json_string(buf));
	json_object_set_new(j, "nonce", json_integer(ct_le32(br + 76)));
	json_object_set_new(j, "size", json_integer(ct_le32(br + CT_BLK_SIZE)));
	json_object_set_new(j, "tx_count", json_integer((json_int_t)(et - ft)));
	json_t *txs = json_array();
	for (uint64_t t = ft; t < et; t++)
		json_array_append_new(txs, with_txs ? tx_json(st, t) : jhash(ct__tx_id(st, t)));
	json_object_set_new(j, with_txs ? "txs" : "txids", txs);
	return j;
}

static int find_height(ct_btcstore *st, uint64_t height, uint64_t *b)
{
	/* A store ingested from genesis has block i at height i. */
	if (height < st->c.blocks && ct__blk_height(st, height) == height) {
		*b = height;
		return 0;
	}
	for (uint64_t i = st->c.blocks; i-- > 0;)
		if (ct__blk_height(st, i) == height) {
			*b = i;
			return 0;
		}
	return CT_ENOTFOUND;
}

int ct_query_block(ct_db *db, char **out, const char *id, int with_txs)
{
	const ct_btc_net *want;
	ct_btcstore *st[MAX_NETS];
	size_t n;
	uint8_t hash[32];
	int acct = 0, rc;
	/* Bitcoin first (a bare height means a Bitcoin block where there is
	 * one), then the account chains; a chain prefix picks one */
	if (!ct__db_btc_nets(db, &want, 1) || strchr(id, ':')) {
		rc = ct__acct_query_block(db, out, id, with_txs, &acct);
		if (rc != CT_ENOTFOUND || acct || !ct__db_btc_nets(db, &want, 1))
			return rc;
		ct__err_clear();
	}
	const char *s = strip_chain(id, &want);
	int is_hash = strlen(s) == 64 && ct__unhex_rev(hash, s, 32) == 0;
	int is_height = *s && strspn(s, "0123456789") == strlen(s) && strlen(s) < 10;
	if (!is_hash && !is_height)
		return ct__err(CT_EUSER, "'%s' is neither a block height nor a block hash", id);
	rc = open_stores(db, want, st, &n);
	if (rc)
		return rc;
	rc = ct__err(CT_ENOTFOUND, "block %s not found", s);
	for (size_t i = 0; i < n; i++) {
		uint64_t b;
		int f = is_hash ? ct__btcstore_find_block(st[i], hash, &b)
		                : find_height(st[i], strtoull(s, NULL, 10), &b);
		if (f == 0) {
			rc = finish(block_json(st[i], b, with_txs), out);
			break;
		}
	}
	close_stores(st, n);
	if (rc == CT_ENOTFOUND && is_height && !want) {
		/* no such Bitcoin block: an account chain's, if any */
		int r2 = ct__acct_query_block(db, out, id, with_txs, &acct);
		return r2 == CT_ENOTFOUND ? ct__err(CT_ENOTFOUND, "block %s not found", s) : r2;
	}
	return rc;
}

/* The labels store of the data directory, or NULL when it has none. */
static ct_labels *open_labels(const char *dbdir)
{
	char p[4096];
	ct_labels *l = NULL;
	snprintf(p, sizeof(p), "%s/cases.db", dbdir);
	if (!ct__path_exists(p) || ct_labels_open(&l, dbdir, 0) != 0)
		return NULL;
	return l;
}

/* Append the labels of CHAIN:ADDR to arr (with "address" when tag). */
static void add_labels(json_t *arr, ct_labels *l, const char *chain, const char *addr, int tag)
{
	char full[200];
	ct_label *ls = NULL;
	size_t n = 0;
	if (!l)
		return;
	snprintf(full, sizeof(full), "%s:%s", chain, addr);
	if (ct_labels_lookup(l, full, &ls, &n) != 0)
		return;
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();
		if (tag)
			json_object_set_new(o, "address", json_string(addr));
		json_object_set_new(o, "category", json_string(ls[i].category));
		json_object_set_new(o, "name", json_string(ls[i].name));
		json_object_set_new(o, "source", json_string(ls[i].source));
		json_object_set_new(o, "confidence", ls[i].confidence < 0 ? json_null() : json_real(ls[i].confidence));
		json_object_set_new(o, "added", json_string(ls[i].added));
		json_array_append_new(arr, o);
	}
	ct_free(ls);
}

/* A cluster's id: its representative (oldest) address, "CHAIN:ADDRESS";
 * null when the chain has no clustering yet. */
static json_t *cluster_id_json(ct_btcstore *st, uint64_t a)
{
	ct_clusters *cl;
	char buf[160], addr[128];
	ct_addrkey k;
	if (ct__clusters_open(&cl, st) != 0)
		return json_null();
	uint64_t root = ct__clusters_find(cl, a);
	ct__clusters_close(cl);
	ct__btcstore_addr_key(st, root, &k);
	ct__addr_render(st->h, st->net, &k, addr, sizeof(addr));
	snprintf(buf, sizeof(buf), "%s:%s", st->net->chain, addr);
	return json_string(buf);
}

/* One movement of an address: tx t received (+) or spent (-) value. */
typedef struct move {
	uint64_t tx;
	int64_t delta;
} move;

static int cmp_move(const void *a, const void *b)
{
	const move *x = a, *y = b;
	return x->tx < y->tx ? -1 : x->tx > y->tx;
}

static json_t *address_json(ct_btcstore *st, uint64_t a, size_t max_txs, ct_labels *lab)
{
	move *mv = NULL;
	size_t n = 0, cap = 0;
	uint64_t received = 0, sent = 0, n_out = 0, unspent = 0;
	char buf[128];
	ct_addrkey k;
	for (uint64_t o = ct__addr_head(st, a); o != UINT64_MAX; o = ct__out_prev_same(st, o)) {
		if (o >= st->c.outs)
			continue;
		uint64_t v = ct__out_value(st, o), sb = ct__out_spent_by(st, o);
		if (n + 2 > cap) {
			cap = cap ? cap * 2 : 64;
			move *nm = realloc(mv, cap * sizeof(*nm));
			if (!nm) {
				free(mv);
				return NULL;
			}
			mv = nm;
		}
		mv[n++] = (move){ct__out_tx(st, o), (int64_t)v};
		received += v;
		n_out++;
		if (sb != UINT64_MAX) {
			mv[n++] = (move){sb, -(int64_t)v};
			sent += v;
		} else {
			unspent++;
		}
	}
	if (n)
		qsort(mv, n, sizeof(*mv), cmp_move);
	size_t m = 0; /* merge per tx */
	for (size_t i = 0; i < n; i++) {
		if (m && mv[m - 1].tx == mv[i].tx)
			mv[m - 1].delta += mv[i].delta;
		else
			mv[m++] = mv[i];
	}
	json_t *j = json_object();
	ct__btcstore_addr_key(st, a, &k);
	ct__addr_render(st->h, st->net, &k, buf, sizeof(buf));
	json_object_set_new(j, "address", json_string(buf));
	json_object_set_new(j, "chain", json_string(st->net->chain));
	json_object_set_new(j, "received", jamount(received));
	json_object_set_new(j, "sent", jamount(sent));
	json_object_set_new(j, "balance", jamount(received - sent));
	json_object_set_new(j, "tx_count", json_integer((json_int_t)m));
	json_object_set_new(j, "outputs", json_integer((json_int_t)n_out));
	json_object_set_new(j, "unspent_outputs", json_integer((json_int_t)unspent));
	if (m) {
		json_object_set_new(j, "first_seen", jtime(ct_le32(ct__blk(st, ct__tx_block(st, mv[0].tx)) + 68)));
		json_object_set_new(j, "last_seen", jtime(ct_le32(ct__blk(st, ct__tx_block(st, mv[m - 1].tx)) + 68)));
	} else {
		json_object_set_new(j, "first_seen", json_null());
		json_object_set_new(j, "last_seen", json_null());
	}
	json_t *labels = json_array();
	add_labels(labels, lab, st->net->chain, buf, 0);
	json_object_set_new(j, "labels", labels);
	json_object_set_new(j, "cluster", cluster_id_json(st, a));
	json_t *txs = json_array();
	for (size_t i = m; i-- > 0 && json_array_size(txs) < max_txs;) {
		json_t *t = json_object();
		const uint8_t *br = ct__blk(st, ct__tx_block(st, mv[i].tx));
		json_object_set_new(t, "txid", jhash(ct__tx_id(st, mv[i].tx)));
		json_object_set_new(t, "height", jheight(ct_le32(br + CT_BLK_HEIGHT)));
		json_object_set_new(t, "time", jtime(ct_le32(br + 68)));
		char d[48];
		ct__amount_str(d, sizeof(d), mv[i].delta, 8);
		json_object_set_new(t, "delta", json_string(d));
		json_array_append_new(txs, t);
	}
	json_object_set_new(j, "txs", txs);
	json_object_set_new(j, "txs_truncated", json_boolean(m > max_txs));
	free(mv);
	return j;
}

/* The JSON `build` makes of address `addr` (chain-prefixed or not) in the
 * first Bitcoin store that has it, with the labels at hand; a NULL from
 * `build` is CT_EINTERNAL `no_json`, or out of memory when that is NULL.
 * CT_EUSER when no store's chain can read it, CT_ENOTFOUND when none has
 * it. */
static int address_answer(ct_db *db, char **out, const char *addr, size_t max,
                          json_t *(*build)(ct_btcstore *, uint64_t, size_t, ct_labels *),
                          const char *no_json)
{
	const ct_btc_net *want;
	ct_btcstore *st[MAX_NETS];
	size_t n;
	const char *s = strip_chain(addr, &want);
	int rc = open_stores(db, want, st, &n), parsed = 0;
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		ct_addrkey k;
		uint64_t a;
		if (ct__addr_parse(st[i]->h, st[i]->net, s, &k) != 0)
			continue;
		parsed = 1;
		if (ct__btcstore_find_addr(st[i], &k, &a) == 0) {
			ct_labels *lab = open_labels(db->dir);
			json_t *j = build(st[i], a, max, lab);
			ct_labels_close(lab);
			rc = j || !no_json ? finish(j, out) : ct__err(CT_EINTERNAL, "%s", no_json);
			close_stores(st, n);
			return rc;
		}
	}
	close_stores(st, n);
	if (!parsed)
		return ct__err(CT_EUSER, "'%s' is not a valid address for the chains in this store", addr);
	return ct__err(CT_ENOTFOUND, "address %s has no activity in the store", s);
}

int ct_query_address(ct_db *db, char **out, const char *addr, size_t max_txs)
{
	const ct_btc_net *want;
	int acct = 0, rc = ct__acct_query_address(db, out, addr, max_txs, &acct);
	if (rc != CT_ENOTFOUND || acct || !ct__db_btc_nets(db, &want, 1))
		return rc; /* an account chain's address, or no Bitcoin chain */
	return address_answer(db, out, addr, max_txs, address_json, NULL);
}

int ct_query_stats(ct_db *db, char **out)
{
	const ct_btc_net *nets[MAX_NETS];
	size_t k = ct__db_btc_nets(db, nets, MAX_NETS);
	json_t *j = json_object(), *chains = json_array();
	for (size_t i = 0; i < k; i++) {
		ct_btcstore *st;
		int rc = ct__btcstore_open(&st, db->dir, nets[i], 0);
		if (rc) {
			json_decref(chains);
			json_decref(j);
			return rc;
		}
		json_t *c = json_object();
		json_object_set_new(c, "chain", json_string(st->net->chain));
		json_object_set_new(c, "network", json_string(st->net->name));
		json_object_set_new(c, "blocks", json_integer((json_int_t)st->c.blocks));
		json_object_set_new(c, "txs", json_integer((json_int_t)st->c.txs));
		json_object_set_new(c, "inputs", json_integer((json_int_t)st->c.ins));
		json_object_set_new(c, "outputs", json_integer((json_int_t)st->c.outs));
		json_object_set_new(c, "addresses", json_integer((json_int_t)st->c.addrs));
		json_object_set_new(c, "unresolved_inputs", json_integer((json_int_t)st->c.unres));
		if (st->c.blocks) {
			const uint8_t *br = ct__blk(st, st->c.blocks - 1);
			json_t *tip = json_object();
			json_object_set_new(tip, "hash", jhash(br + CT_BLK_HASH));
			json_object_set_new(tip, "height", jheight(ct_le32(br + CT_BLK_HEIGHT)));
			json_object_set_new(tip, "time", jtime(ct_le32(br + 68)));
			json_object_set_new(c, "tip", tip);
		} else {
			json_object_set_new(c, "tip", json_null());
		}
		json_array_append_new(chains, c);
		ct__btcstore_close(st);
	}
	int rc = ct__acct_stats_append(db, chains);
	if (rc) {
		json_decref(chains);
		json_decref(j);
		return rc;
	}
	json_object_set_new(j, "chains", chains);
	return finish(j, out);
}

static json_t *cluster_json(ct_btcstore *st, uint64_t a, size_t max_addrs, ct_labels *lab)
{
	ct_clusters *cl;
	char buf[128];
	ct_addrkey k;
	if (ct__clusters_open(&cl, st) != 0)
		return NULL;
	uint64_t root = ct__clusters_find(cl, a), size = ct__clusters_size(cl, root);
	json_t *j = json_object(), *addrs = json_array(), *ev = json_array(), *labels = json_array();
	json_object_set_new(j, "cluster", cluster_id_json(st, a));
	json_object_set_new(j, "chain", json_string(st->net->chain));
	json_object_set_new(j, "size", json_integer((json_int_t)size));
	json_object_set_new(j, "current", json_boolean(ct__clusters_current(cl)));
	uint64_t m = root;
	size_t listed = 0;
	do {
		if (listed < max_addrs) {
			ct__btcstore_addr_key(st, m, &k);
			ct__addr_render(st->h, st->net, &k, buf, sizeof(buf));
			json_array_append_new(addrs, json_string(buf));
			add_labels(labels, lab, st->net->chain, buf, 1);
			int hb = 0;
			uint64_t via = ct__clusters_via(cl, m, &hb);
			if (via != UINT64_MAX && via < st->c.txs) {
				json_t *e = json_object();
				json_object_set_new(e, "heuristic", json_string(ct__cluster_heuristic_name(hb)));
				json_object_set_new(e, "address", json_string(buf));
				json_object_set_new(e, "tx", jhash(ct__tx_id(st, via)));
				json_array_append_new(ev, e);
			}
		}
		listed++;
		m = ct__clusters_next(cl, m);
	} while (m != root && listed < size + 1);
	json_object_set_new(j, "addresses", addrs);
	json_object_set_new(j, "addresses_truncated", json_boolean(size > max_addrs));
	/* Labels of the listed members, each with the address it is on and
	 * its source: the entity is known through them. */
	json_object_set_new(j, "labels", labels);
	json_object_set_new(j, "labels_complete", json_boolean(size <= max_addrs));
	json_object_set_new(j, "evidence", ev);
	ct__clusters_close(cl);
	return j;
}

int ct_query_cluster(ct_db *db, char **out, const char *addr, size_t max_addrs)
{
	return address_answer(db, out, addr, max_addrs, cluster_json,
	                      "cannot open the clustering");
}

int ct_cluster_export(ct_db *db, const char *path)
{
	ct_btcstore *st[MAX_NETS];
	size_t n;
	int rc = open_stores(db, NULL, st, &n);
	if (rc)
		return rc;
	FILE *f = fopen(path, "w");
	if (!f) {
		close_stores(st, n);
		return ct__err_sys("%s", path);
	}
	fprintf(f, "address,cluster\n");
	for (size_t i = 0; i < n && !rc; i++) {
		ct_clusters *cl;
		if ((rc = ct__clusters_open(&cl, st[i])))
			break;
		char a1[128], a2[128];
		ct_addrkey k;
		for (uint64_t a = 0; a < st[i]->c.addrs; a++) {
			uint64_t r = ct__clusters_find(cl, a);
			ct__btcstore_addr_key(st[i], a, &k);
			ct__addr_render(st[i]->h, st[i]->net, &k, a1, sizeof(a1));
			ct__btcstore_addr_key(st[i], r, &k);
			ct__addr_render(st[i]->h, st[i]->net, &k, a2, sizeof(a2));
			fprintf(f, "%s,%s:%s\n", a1, st[i]->net->chain, a2);
		}
		ct__clusters_close(cl);
	}
	if (fclose(f) != 0 && !rc)
		rc = ct__err_sys("%s", path);
	close_stores(st, n);
	return rc;
}

int ct_cluster_update(ct_db *db, const char *change_heuristics, char **json)
{
	const ct_btc_net *nets[MAX_NETS];
	int heur = -1, rc = 0;
	if (!db->writable)
		return ct__err(CT_EUSER, "data directory opened read-only");
	if (change_heuristics && (heur = ct__cluster_heuristics_parse(change_heuristics)) < 0)
		return ct__err(CT_EUSER, "unknown change heuristic in '%s' (one-time, optimal, type, round, "
		               "all, none)", change_heuristics);
	size_t k = ct__db_btc_nets(db, nets, MAX_NETS);
	json_t *arr = json_array();
	for (size_t i = 0; i < k && !rc; i++) {
		ct_btcstore *st;
		ct_clusters *cl;
		ct_cluster_stats cs;
		if ((rc = ct__btcstore_open(&st, db->dir, nets[i], 1)))
			break;
		if ((rc = ct__clusters_open(&cl, st)) == 0) {
			if (heur >= 0)
				ct__clusters_set_heuristics(cl, heur);
			if ((rc = ct__clusters_update(cl, &cs)) == 0) {
				json_t *o = json_object();
				json_object_set_new(o, "chain", json_string(nets[i]->chain));
				json_object_set_new(o, "txs", json_integer((json_int_t)cs.txs_seen));
				json_object_set_new(o, "inputs", json_integer((json_int_t)cs.inputs_seen));
				json_object_set_new(o, "merges", json_integer((json_int_t)cs.merges));
				json_object_set_new(o, "change_merges", json_integer((json_int_t)cs.change_merges));
				json_object_set_new(o, "coinjoins_skipped", json_integer((json_int_t)cs.coinjoins_skipped));
				json_object_set_new(o, "merges_refused", json_integer((json_int_t)cs.merges_refused));
				json_object_set_new(o, "rebuilt", json_boolean(cs.rebuilt));
				json_object_set_new(o, "seconds", json_real(cs.seconds));
				json_object_set_new(o, "ns_per_input",
				                    json_real(cs.inputs_seen ? cs.seconds * 1e9 / (double)cs.inputs_seen : 0));
				json_array_append_new(arr, o);
			}
			ct__clusters_close(cl);
		}
		ct__btcstore_close(st);
	}
	if (rc) {
		json_decref(arr);
		return rc;
	}
	json_t *j = json_object();
	json_object_set_new(j, "chains", arr);
	return finish(j, json);
}
