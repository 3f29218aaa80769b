/*
 * parse_eth.c - the two Ethereum label sets: Etherscan's label export as
 * scraped by brianleect/etherscan-labels (one JSON object, address ->
 * {"name", "labels"}) and the Forta labelled-datasets CSVs (three header
 * schemas). Both map Etherscan's label words to our categories through the
 * table below (docs/internals/labels.md, "Etherscan labels").
 */
#include "labels/labels_int.h"
#include "util/error.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Etherscan label words (lower-case, '-' separated) naming a category of
 * ours. Exchanges appear under their own names. Words not here go through
 * ct__labels_category(), and only a known term of ours counts. */
static const struct {
	const char *word, *ours;
} ETHERSCAN[] = {
	/* abuse */
	{"phish-hack", "scam"},          {"phishing", "scam"},
	{"fake-phishing", "scam"},       {"scam", "scam"},
	{"fake", "scam"},                {"ponzi", "scam"},
	{"exploit", "theft"},            {"exploiter", "theft"},
	{"hack", "theft"},               {"heist", "theft"},
	{"tornado-cash", "mixer"},       {"typhoon-cash", "mixer"},
	{"mixer", "mixer"},              {"ofac-sanctions-lists", "sanctioned"},
	{"ofac-sanctioned", "sanctioned"}, {"sanctions", "sanctioned"},
	/* services of our taxonomy */
	{"gambling", "gambling"},        {"etheroll", "gambling"},
	{"zethr", "gambling"},           {"mining", "miner"},
	{"mining-pool", "miner"},        {"miningpoolhub", "miner"},
	{"f2pool", "miner"},             {"exchange", "exchange"},
	{"binance", "exchange"},         {"binance-deposit", "exchange"},
	{"huobi", "exchange"},           {"coinbase", "exchange"},
	{"okx", "exchange"},             {"kraken", "exchange"},
	{"kucoin", "exchange"},          {"poloniex", "exchange"},
	{"bitfinex", "exchange"},        {"bithumb", "exchange"},
	{"gemini", "exchange"},          {"ftx", "exchange"},
	{"crypto-com", "exchange"},      {"gate-io", "exchange"},
	{"hoo-com", "exchange"},         {"bitstamp", "exchange"},
	{"deribit", "exchange"},         {"ascendex", "exchange"},
	{"hitbtc", "exchange"},          {"bitmart", "exchange"},
	{"korbit", "exchange"},          {"coinsquare", "exchange"},
	{"upbit", "exchange"},           {"coinone", "exchange"},
	{"bittrex", "exchange"},         {"hotbit", "exchange"},
	{"latoken", "exchange"},         {"bitmex", "exchange"},
	{"zb-com", "exchange"},          {"yunbi", "exchange"},
	{"quadrigacx", "exchange"},      {"tidex", "exchange"},
	{"topbtc", "exchange"},          {"digifinex", "exchange"},
	{"paribu", "exchange"},          {"coinhako", "exchange"},
	{"coinbit", "exchange"},         {"bgogo", "exchange"},
	{"abcc", "exchange"},            {"allbit", "exchange"},
	{"cobinhood", "exchange"},       {"kryptono", "exchange"},
	{"changenow", "exchange"},       {"remitano", "exchange"},
	{"maskex", "exchange"},          {"coss-io", "exchange"},
	{"trade-io", "exchange"},        {"coinmetro", "exchange"},
	{"bitcoin-suisse", "exchange"},  {"liquid", "exchange"},
};

const char *ct__labels_etherscan_category(const char *word)
{
	char t[48];
	size_t n = 0;
	while (*word == ' ' || *word == '\t')
		word++;
	for (; word[n] && n < sizeof(t) - 1; n++) {
		unsigned char c = (unsigned char)word[n];
		t[n] = (char)(c == '_' || c == ' ' ? '-' : tolower(c));
	}
	if (word[n])
		return NULL;
	while (n && t[n - 1] == '-')
		n--;
	t[n] = '\0';
	if (!n)
		return NULL;
	for (size_t i = 0; i < CT_ARRAY_LEN(ETHERSCAN); i++)
		if (!strcmp(t, ETHERSCAN[i].word))
			return ETHERSCAN[i].ours;
	/* terms of ours and the shared vocabulary (heist, sanctions, ...) */
	char out[48];
	int known = 0;
	if (ct__labels_category(out, t, &known) || !known)
		return NULL;
	static const char *const OURS[] = {"sanctioned", "theft", "ransomware", "mixer",
	                                   "exchange", "darknet-market", "scam", "gambling",
	                                   "miner", "victim", "own"};
	for (size_t i = 0; i < CT_ARRAY_LEN(OURS); i++)
		if (!strcmp(out, OURS[i]))
			return OURS[i];
	return NULL;
}

/* ---- Etherscan JSON ------------------------------------------------------ */

static int read_all(ct__lsrc *src, char **out, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	if (!buf)
		return ct__err(CT_ENOMEM, "out of memory");
	for (;;) {
		if (n == cap) {
			if (cap >= CT_LBL_MAX_JSON) {
				free(buf);
				return ct__err(CT_EDATA, "JSON label file larger than %u MiB",
				               CT_LBL_MAX_JSON >> 20);
			}
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				return ct__err(CT_ENOMEM, "out of memory");
			}
			buf = nb;
			cap *= 2;
		}
		size_t got = 0;
		int rc = ct__lsrc_read(src, buf + n, cap - n, &got);
		if (rc) {
			free(buf);
			return rc;
		}
		if (!got)
			break;
		n += got;
	}
	*out = buf;
	*len = n;
	return 0;
}

int ct__labels_parse_etherscan(ct__lsrc *src, ct__label_meta *meta, ct__label_emit emit,
                               void *payload)
{
	char *buf = NULL;
	size_t len = 0;
	int rc = read_all(src, &buf, &len);
	if (rc)
		return rc;
	json_error_t je;
	json_t *doc = json_loadb(buf, len, 0, &je);
	free(buf);
	if (!doc)
		return ct__err(CT_EDATA, "line %d, column %d: %s", je.line, je.column, je.text);
	if (!json_is_object(doc)) {
		json_decref(doc);
		return ct__err(CT_EDATA, "line 1: not an Etherscan label export (a JSON object of "
		                         "address -> {\"name\", \"labels\"} is expected)");
	}
	uint64_t entry = 0;
	const char *addr;
	json_t *v;
	int noted_shape = 0;
	json_object_foreach(doc, addr, v)
	{
		entry++;
		ct__label_rec r = {0};
		r.address = addr;
		r.confidence = -1;
		r.line = entry;
		json_t *nm = json_object_get(v, "name");
		json_t *lb = json_object_get(v, "labels");
		if (!json_is_object(v) || (lb && !json_is_array(lb))) {
			/* an entry of another shape: the store skips it (no category) */
			if (!noted_shape && meta->note) {
				char msg[160];
				snprintf(msg, sizeof(msg), "entry %llu: not {\"name\", \"labels\": [...]}",
				         (unsigned long long)entry);
				meta->note(payload, msg);
				noted_shape = 1;
			}
			if ((rc = emit(&r, payload)))
				break;
			continue;
		}
		if (json_is_string(nm) && *json_string_value(nm) &&
		    strlen(json_string_value(nm)) <= CT_LBL_MAX_FIELD)
			r.name = json_string_value(nm);
		/* ref: "etherscan:" + the words, comma-separated */
		char ref[512];
		size_t rl = (size_t)snprintf(ref, sizeof(ref), "etherscan:");
		const char *cats[16];
		size_t ncat = 0, i;
		json_t *w;
		json_array_foreach(lb, i, w)
		{
			if (!json_is_string(w))
				continue;
			const char *word = json_string_value(w);
			if (rl < sizeof(ref) - 1)
				rl += (size_t)snprintf(ref + rl, sizeof(ref) - rl, "%s%s",
				                       rl > 10 ? "," : "", word);
			const char *cat = ct__labels_etherscan_category(word);
			if (!cat)
				continue;
			size_t k = 0;
			while (k < ncat && strcmp(cats[k], cat))
				k++;
			if (k == ncat && ncat < CT_ARRAY_LEN(cats))
				cats[ncat++] = cat;
		}
		if (rl >= sizeof(ref))
			rl = sizeof(ref) - 1;
		ref[rl] = '\0';
		r.ref = rl > 10 ? ref : NULL;
		if (!ncat)
			cats[ncat++] = "service"; /* a named address of no category of ours */
		for (size_t k = 0; k < ncat && !rc; k++) {
			r.category = cats[k];
			rc = emit(&r, payload);
		}
		if (rc)
			break;
	}
	json_decref(doc);
	return rc < 0 ? rc : 0;
}

/* ---- Forta CSVs ------------------------------------------------------------ */

enum {
	F_ADDR,      /* address, banned_address, contract_address */
	F_NAME,      /* etherscan_tag, wallet_tag, contract_tag    */
	F_LABEL,     /* etherscan_labels, data_source               */
	F_CREATOR,   /* contract_creator                            */
	F_CNAME,     /* contract_creator_tag                        */
	F_CLABEL,    /* contract_creator_etherscan_label            */
	F_TX,        /* contract_creation_tx                        */
	F_SOURCE,    /* source                                      */
	F_NOTES,     /* notes                                       */
	F_N
};

static int forta_column(const char *h)
{
	static const struct {
		const char *name;
		int col;
	} names[] = {
		{"address", F_ADDR},          {"banned_address", F_ADDR},
		{"contract_address", F_ADDR}, {"etherscan_tag", F_NAME},
		{"wallet_tag", F_NAME},       {"contract_tag", F_NAME},
		{"etherscan_labels", F_LABEL}, {"data_source", F_LABEL},
		{"contract_creator", F_CREATOR}, {"contract_creator_tag", F_CNAME},
		{"contract_creator_etherscan_label", F_CLABEL},
		{"contract_creation_tx", F_TX}, {"source", F_SOURCE},
		{"notes", F_NOTES},           {"is_contract", -2},
	};
	for (size_t i = 0; i < CT_ARRAY_LEN(names); i++)
		if (!strcasecmp(h, names[i].name))
			return names[i].col;
	return -1;
}

int ct__labels_is_forta_header(const char *line)
{
	/* the three schemas' first columns, with a column only Forta uses */
	return (!strncasecmp(line, "address,", 8) && strcasestr(line, "etherscan_labels")) ||
	       !strncasecmp(line, "banned_address,", 15) ||
	       !strncasecmp(line, "contract_address,", 17);
}

/* The category of a label text ("phish-hack", "etherscan-exploit-list",
 * "exploit,heist"): the first word that maps. */
static const char *label_category(const char *text)
{
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", text ? text : "");
	char *save = NULL;
	for (char *w = strtok_r(buf, ",; |", &save); w; w = strtok_r(NULL, ",; |", &save)) {
		size_t n = strlen(w);
		if (!strncasecmp(w, "etherscan-", 10))
			w += 10, n -= 10;
		if (n > 5 && !strcasecmp(w + n - 5, "-list"))
			w[n - 5] = '\0';
		const char *c = ct__labels_etherscan_category(w);
		if (c)
			return c;
	}
	return NULL;
}

static int mentions_theft(const char *s)
{
	return s && (strcasestr(s, "exploit") || strcasestr(s, "hack") || strcasestr(s, "heist"));
}

static int forta_row(ct__lbl_table *t, ct__label_emit emit, void *payload)
{
#define FIELD(k) ct__lbl_table_get(t, k)
	const char *name = FIELD(F_NAME), *label = FIELD(F_LABEL), *cname = FIELD(F_CNAME),
	           *clabel = FIELD(F_CLABEL), *notes = FIELD(F_NOTES);
	/* the row's own label, the creator's, else the names: theft for
	 * exploits, hacks and heists, scam for the rest (every Forta set is
	 * of malicious addresses) */
	const char *cat = label_category(label);
	if (!cat)
		cat = label_category(clabel);
	if (!cat)
		cat = mentions_theft(name) || mentions_theft(cname) || mentions_theft(notes) ? "theft"
		                                                                             : "scam";
	char ref[160];
	ct__label_rec r = {0};
	r.line = t->lr.lineno;
	r.confidence = -1;
	r.address = ct__lbl_trim(t->f[t->col[F_ADDR]]);
	r.category = cat;
	r.name = name;
	r.source = FIELD(F_SOURCE);
	if (FIELD(F_TX)) {
		snprintf(ref, sizeof(ref), "creation-tx:%.100s", FIELD(F_TX));
		r.ref = ref;
	} else if (label) {
		snprintf(ref, sizeof(ref), "etherscan:%.100s", label);
		r.ref = ref;
	}
	int rc = emit(&r, payload);
	const char *creator = FIELD(F_CREATOR);
	if (rc || !creator)
		return rc;
	ct__label_rec c = r;
	char cref[160];
	snprintf(cref, sizeof(cref), "creator-of:%.100s", r.address);
	c.address = creator;
	c.name = cname;
	c.ref = cref;
	return emit(&c, payload);
#undef FIELD
}

int ct__labels_parse_forta(ct__lsrc *src, ct__label_meta *meta, ct__label_emit emit,
                           void *payload)
{
	static const ct__lbl_table_kind forta = {
		forta_column, F_ADDR,
		"not a Forta header (address, banned_address or contract_address expected)",
		"empty file, a Forta header is required"};
	return ct__lbl_table_parse(&forta, src, meta, forta_row, emit, payload);
}
