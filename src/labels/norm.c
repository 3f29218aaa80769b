/*
 * norm.c - one spelling per address, chain and category, so that a label
 * from the SDN list and one from a TagPack meet on the same key.
 *
 * Addresses: Bitcoin as Bitcoin Core renders it (Base58Check kept,
 * bech32 lower-case), Ethereum-style 0x addresses lower-case hex, other
 * chains as given (trimmed; only printable ASCII, at most 128 bytes).
 * The tables below are cointrail's; see docs/internals/labels.md.
 */
#include "labels/labels_int.h"
#include "chain/btc/btc.h"
#include "util/error.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Currency codes of the SDN list, the 0xB10C/brave lists and TagPacks. */
static const struct {
	const char *code, *chain;
} CURRENCIES[] = {
	{"XBT", "btc"},     {"BTC", "btc"},       {"ETH", "eth"},    {"LTC", "ltc"},
	{"XMR", "xmr"},     {"TRX", "trx"},       {"BSV", "bsv"},    {"BCH", "bch"},
	{"ZEC", "zec"},     {"DASH", "dash"},     {"XRP", "xrp"},    {"RIPPLE", "xrp"},
	{"ETC", "etc"},     {"ARB", "arb"},       {"BSC", "bsc"},    {"BEP20", "bsc"},
	{"BNB", "bnb"},     {"BEP2", "bnb"},      {"SOL", "sol"},    {"BTG", "btg"},
	{"XVG", "xvg"},     {"DOGE", "doge"},     {"EOS", "eos"},    {"MATIC", "polygon"},
	{"POLYGON", "polygon"}, {"AVAX", "avax"}, {"DOT", "dot"},    {"ADA", "ada"},
	{"ATOM", "atom"},   {"ALGO", "algo"},     {"XLM", "xlm"},    {"XTZ", "xtz"},
	{"FIL", "fil"},     {"XEM", "nem"},       {"NEM", "nem"},    {"ZIL", "zil"},
	{"VET", "vet"},     {"KCS", "kcc"},       {"RBTC", "rsk"},   {"OMNI", "btc"},
	/* Tokens: the chain follows from the address (see token_chain). */
	{"USDT", NULL},     {"USDC", NULL},
};

/* Chain names accepted as they are (beyond the table's values). */
static const char *const CHAINS[] = {"btc", "btc-testnet", "btc-testnet4", "btc-signet",
                                     "btc-regtest", "base", "op", "ftm"};

/* Chains whose addresses are 20-byte 0x hex. */
static const char *const ETH_LIKE[] = {"eth", "etc", "arb", "bsc", "polygon", "base", "op",
                                       "ftm", "kcc", "rsk"};

static int is_hex40(const char *a)
{
	if (a[0] != '0' || (a[1] != 'x' && a[1] != 'X'))
		return 0;
	for (int i = 2; i < 42; i++)
		if (!isxdigit((unsigned char)a[i]))
			return 0;
	return a[42] == '\0';
}

static int is_tron(const char *a)
{
	static const char *b58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
	if (a[0] != 'T' || strlen(a) != 34)
		return 0;
	for (const char *p = a; *p; p++)
		if (!strchr(b58, *p))
			return 0;
	return 1;
}

static int chain_token_ok(const char *s, size_t n)
{
	if (n == 0 || n > 31)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '-'))
			return 0;
	return 1;
}

static int is_evm_id(const char *c);

int ct__labels_chain(char out[32], const char *code, const char *address, int *known)
{
	*known = 1;
	char c[32];
	size_t n = 0;
	while (*code == ' ' || *code == '\t')
		code++;
	for (; code[n] && code[n] != ' ' && code[n] != '\t'; n++) {
		if (n >= sizeof(c) - 1)
			return ct__err(CT_EUSER, "currency or chain '%.40s' too long", code);
		c[n] = code[n];
	}
	c[n] = '\0';
	if (n == 0)
		return ct__err(CT_EUSER, "empty currency or chain");
	for (size_t i = 0; i < CT_ARRAY_LEN(CURRENCIES); i++) {
		if (strcasecmp(c, CURRENCIES[i].code))
			continue;
		if (CURRENCIES[i].chain) {
			snprintf(out, 32, "%s", CURRENCIES[i].chain);
		} else {
			/* A token: TRC-20 on a Tron address, Omni on a Bitcoin one,
			 * else ERC-20. */
			const char *tc = "eth";
			if (address && is_tron(address))
				tc = "trx";
			else if (address && !is_hex40(address) && ct__addr_guess_net(NULL, address) ==
			                                              ct__btc_net_by_name("mainnet"))
				tc = "btc";
			snprintf(out, 32, "%s", tc);
		}
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		c[i] = (char)tolower((unsigned char)c[i]);
	for (size_t i = 0; i < CT_ARRAY_LEN(CURRENCIES); i++)
		if (CURRENCIES[i].chain && !strcmp(c, CURRENCIES[i].chain)) {
			snprintf(out, 32, "%s", c);
			return 0;
		}
	for (size_t i = 0; i < CT_ARRAY_LEN(CHAINS); i++)
		if (!strcmp(c, CHAINS[i])) {
			snprintf(out, 32, "%s", c);
			return 0;
		}
	if (chain_token_ok(c, n) && is_evm_id(c)) {
		snprintf(out, 32, "%s", c);
		return 0;
	}
	if (!chain_token_ok(c, n))
		return ct__err(CT_EUSER, "'%s' is not a chain name or currency code", code);
	*known = 0;
	snprintf(out, 32, "%s", c);
	return 0;
}

/* "evm-<chain id>": an EVM chain without a name of ours. */
static int is_evm_id(const char *c)
{
	if (strncmp(c, "evm-", 4) || !c[4] || c[4] == '0')
		return 0;
	for (const char *p = c + 4; *p; p++)
		if (!isdigit((unsigned char)*p))
			return 0;
	return 1;
}

static int eth_like(const char *chain)
{
	if (is_evm_id(chain))
		return 1;
	for (size_t i = 0; i < CT_ARRAY_LEN(ETH_LIKE); i++)
		if (!strcmp(chain, ETH_LIKE[i]))
			return 1;
	return 0;
}

/* Normalise `a` (trimmed) for `chain` into out. */
static int norm_addr(char *out, size_t cap, const char *chain, const char *a)
{
	size_t n = strlen(a);
	if (n == 0)
		return ct__err(CT_EUSER, "empty address");
	if (n > CT_LBL_MAX_ADDR)
		return ct__err(CT_EUSER, "address longer than %u bytes", CT_LBL_MAX_ADDR);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)a[i] <= ' ' || (unsigned char)a[i] >= 0x7f)
			return ct__err(CT_EUSER, "address '%.60s' has a character outside printable ASCII", a);
	char body[CT_LBL_MAX_ADDR + 8];
	if (!strncmp(chain, "btc", 3)) {
		const ct_btc_net *net = ct__btc_net_by_name(chain);
		ct_addrkey k;
		if (!net || ct__addr_parse(NULL, net, a, &k) || k.kind == CT_AK_SCRIPT ||
		    ct__addr_render(NULL, net, &k, body, sizeof(body)))
			return ct__err(CT_EUSER, "'%.60s' is not a valid %s address", a,
			               net ? (net == ct__btc_net_by_name("mainnet") ? "Bitcoin"
			                                                            : net->chain)
			                   : chain);
	} else if (eth_like(chain)) {
		if (!is_hex40(a))
			return ct__err(CT_EUSER, "'%.60s' is not a 0x address of 40 hex digits (%s)", a,
			               chain);
		for (size_t i = 0; i <= n; i++)
			body[i] = (char)tolower((unsigned char)a[i]);
	} else if ((!strcmp(chain, "ltc") && !strncasecmp(a, "ltc1", 4)) ||
	           (!strcmp(chain, "bch") && !strncasecmp(a, "bitcoincash:", 12))) {
		/* bech32 and cashaddr are case-insensitive: lower-case is canonical */
		for (size_t i = 0; i <= n; i++)
			body[i] = (char)tolower((unsigned char)a[i]);
	} else {
		memcpy(body, a, n + 1);
	}
	if ((size_t)snprintf(out, cap, "%s:%s", chain, body) >= cap)
		return ct__err(CT_EUSER, "address too long");
	return 0;
}

int ct_labels_normalize(char *out, size_t cap, const char *chain, const char *address)
{
	char a[CT_LBL_MAX_ADDR + 40], ch[32];
	const char *s = address;
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	if (n >= sizeof(a))
		return ct__err(CT_EUSER, "address longer than %u bytes", CT_LBL_MAX_ADDR);
	memcpy(a, s, n);
	a[n] = '\0';
	/* Quotes around an address are common in hand-made lists. */
	if (n >= 2 && (a[0] == '"' || a[0] == '\'') && a[n - 1] == a[0]) {
		memmove(a, a + 1, n - 2);
		a[n - 2] = '\0';
	}
	const char *body = a;
	int known;
	char *colon = strchr(a, ':');
	if (colon && strncasecmp(a, "bitcoincash:", 12)) {
		*colon = '\0';
		int rc = ct__labels_chain(ch, a, colon + 1, &known);
		if (rc)
			return rc;
		body = colon + 1;
	} else if (chain && *chain) {
		int rc = ct__labels_chain(ch, chain, a, &known);
		if (rc)
			return rc;
	} else if (is_hex40(a)) {
		snprintf(ch, sizeof(ch), "eth");
	} else {
		const ct_btc_net *net = ct__addr_guess_net(NULL, a);
		if (!net)
			return ct__err(CT_EUSER,
			               "cannot tell the chain of '%.60s': write CHAIN:ADDRESS", a);
		snprintf(ch, sizeof(ch), "%s", net->chain);
	}
	return norm_addr(out, cap, ch, body);
}

/* ---- categories -------------------------------------------------------- */

static const char *const OURS[] = {"sanctioned", "theft",   "ransomware", "mixer",
                                   "exchange",   "darknet-market", "scam", "gambling",
                                   "miner",      "victim",  "own"};

/* Terms of GraphSense's entity and abuse taxonomies, INTERPOL's and common
 * list vocabularies, to ours. */
static const struct {
	const char *term, *ours;
} CATEGORY_MAP[] = {
	{"sanction", "sanctioned"},      {"sanctions", "sanctioned"},
	{"ofac", "sanctioned"},          {"hack", "theft"},
	{"hacker", "theft"},             {"service-hack", "theft"},
	{"stolen", "theft"},             {"heist", "theft"},
	{"exploit", "theft"},            {"mixing-service", "mixer"},
	{"mixing", "mixer"},             {"tumbler", "mixer"},
	{"coinjoin", "mixer"},           {"market", "darknet-market"},
	{"darknet", "darknet-market"},   {"darknet-market", "darknet-market"},
	{"darkweb", "darknet-market"},   {"dark-market", "darknet-market"},
	{"phishing", "scam"},            {"phish-hack", "scam"},
	{"sextortion", "scam"},          {"ponzi-scheme", "scam"},
	{"pyramid-scheme", "scam"},      {"investment-fraud", "scam"},
	{"fraud", "scam"},               {"mining", "miner"},
	{"mining-pool", "miner"},        {"mining-service", "miner"},
	{"pool", "miner"},               {"casino", "gambling"},
	{"betting", "gambling"},         {"exchanges", "exchange"},
	{"cex", "exchange"},             {"ransom", "ransomware"},
};

int ct__labels_category(char out[48], const char *term, int *known)
{
	char t[48];
	size_t n = 0;
	while (*term == ' ' || *term == '\t')
		term++;
	for (; term[n]; n++) {
		if (n >= sizeof(t) - 1)
			return ct__err(CT_EUSER, "category '%.40s...' too long", term);
		unsigned char c = (unsigned char)term[n];
		if (c == '_' || c == ' ')
			c = '-';
		if (c < 0x20 || c >= 0x7f)
			return ct__err(CT_EUSER, "category has a character outside printable ASCII");
		t[n] = (char)tolower(c);
	}
	while (n && t[n - 1] == '-')
		n--;
	t[n] = '\0';
	if (n == 0)
		return ct__err(CT_EUSER, "empty category");
	*known = 1;
	for (size_t i = 0; i < CT_ARRAY_LEN(OURS); i++)
		if (!strcmp(t, OURS[i])) {
			snprintf(out, 48, "%s", t);
			return 0;
		}
	for (size_t i = 0; i < CT_ARRAY_LEN(CATEGORY_MAP); i++)
		if (!strcmp(t, CATEGORY_MAP[i].term)) {
			snprintf(out, 48, "%s", CATEGORY_MAP[i].ours);
			return 0;
		}
	*known = 0;
	snprintf(out, 48, "%s", t);
	return 0;
}

/* GraphSense's confidence levels, as numbers of ours in 0..1. */
static const struct {
	const char *name;
	double value;
} LEVELS[] = {
	{"ownership", 1.0},     {"authority_data", 1.0}, {"ledger_immanent", 1.0},
	{"forensic", 0.9},      {"service_data", 0.8},   {"heuristic", 0.6},
	{"web_crawl", 0.5},     {"manual", 0.5},         {"untrusted_transaction", 0.2},
	{"unknown", -1.0},
};

double ct__labels_confidence_level(const char *name)
{
	for (size_t i = 0; i < CT_ARRAY_LEN(LEVELS); i++)
		if (!strcasecmp(name, LEVELS[i].name))
			return LEVELS[i].value;
	return -2.0;
}

double ct__labels_confidence(const char *text)
{
	while (*text == ' ')
		text++;
	if (!*text || !strcasecmp(text, "null"))
		return -1.0;
	char *end;
	double v = strtod(text, &end);
	if (end != text) {
		while (*end == ' ')
			end++;
		if (*end == '%') {
			v /= 100.0;
			end++;
		}
		while (*end == ' ')
			end++;
		if (*end || !(v >= 0.0 && v <= 1.0))
			return -2.0;
		return v;
	}
	return ct__labels_confidence_level(text);
}

int ct__labels_list_currency(char out[16], const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	const char *dot = strchr(base, '.');
	size_t n = dot ? (size_t)(dot - base) : strlen(base);
	size_t i = n;
	while (i > 0 && base[i - 1] != '_' && base[i - 1] != '-')
		i--;
	if (i == 0 || n - i == 0 || n - i > 15)
		return -1;
	for (size_t j = i; j < n; j++)
		if (!isalnum((unsigned char)base[j]))
			return -1;
	memcpy(out, base + i, n - i);
	out[n - i] = '\0';
	return 0;
}

char *ct__lbl_trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}
