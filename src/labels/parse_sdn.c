/*
 * parse_sdn.c - the OFAC SDN "advanced" XML (sdn_advanced.xml), streamed
 * with libxml2's xmlTextReader: 120 MB of XML pass through in constant
 * memory. What we take from it:
 *   ReferenceValueSets/FeatureTypeValues/FeatureType "Digital Currency
 *     Address - XXX"                    -> feature type id -> currency XXX
 *   DistinctParty/Profile@ID            -> the profile ("sdn:ID")
 *   Identity[@Primary=true]/Alias[@Primary=true]/DocumentedName
 *                                       -> the primary name: parts joined
 *                                          by ' ', names joined by "; "
 *   Feature[@FeatureTypeID in the set]/FeatureVersion/VersionDetail
 *                                       -> one address
 *   DateOfIssue Year/Month/Day          -> the version
 * Addresses of a profile are held until the profile ends, so the name
 * is known whatever the element order.
 */
#include "labels/labels_int.h"
#include "util/error.h"

#include <libxml/xmlreader.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FEATURE_TYPES 512
#define PREFIX "Digital Currency Address - "

enum { T_NONE, T_FEATURE_TYPE, T_NAME_PART, T_DETAIL, T_YEAR, T_MONTH, T_DAY };

typedef struct sdn {
	ct__lsrc *src;
	int src_rc;           /* the source's own error, kept over libxml's */
	char xml_err[300];
	long xml_line;
	struct {
		int id;
		char code[16];
	} ft[MAX_FEATURE_TYPES];
	int n_ft;
	int cur_ft_id;
	/* text being collected */
	int text_kind;
	char text[CT_LBL_MAX_FIELD + 1];
	size_t text_len;
	/* the current profile */
	char profile[32];
	int in_identity, in_alias, in_docname, names_in_alias;
	char name[CT_LBL_MAX_FIELD + 1];
	size_t name_len;
	const char *feature_code; /* inside a digital-currency Feature */
	const char *detail_code;  /* the code of the VersionDetail being read (a
	                           * nested <Feature/> may clear feature_code) */
	char *addrs;              /* "CODE\0ADDR\0LINE(8)" records */
	size_t addrs_len, addrs_cap, n_addrs;
	int in_date;
	char year[8], month[8], day[8];
} sdn;

static int io_read(void *ctx, char *buf, int len)
{
	sdn *s = ctx;
	size_t got;
	if (s->src_rc)
		return -1;
	int rc = ct__lsrc_read(s->src, buf, (size_t)len, &got);
	if (rc) {
		s->src_rc = rc;
		return -1;
	}
	return (int)got;
}

static int io_close(void *ctx)
{
	(void)ctx;
	return 0;
}

#if LIBXML_VERSION >= 21200
static void on_error(void *arg, const xmlError *e)
#else
static void on_error(void *arg, xmlErrorPtr e)
#endif
{
	sdn *s = arg;
	if (s->xml_err[0] || !e || e->level < XML_ERR_ERROR)
		return;
	snprintf(s->xml_err, sizeof(s->xml_err), "%s", e->message ? e->message : "XML error");
	size_t n = strlen(s->xml_err);
	while (n && (s->xml_err[n - 1] == '\n' || s->xml_err[n - 1] == ' '))
		s->xml_err[--n] = '\0';
	s->xml_line = e->line;
}

static void append(char *buf, size_t *len, size_t cap, const char *t, size_t n)
{
	/* Longer text is cut at the cap: names and addresses are far shorter. */
	if (*len + n > cap)
		n = cap - *len;
	memcpy(buf + *len, t, n);
	*len += n;
	buf[*len] = '\0';
}

static int attr_is(xmlTextReaderPtr r, const char *name, const char *value)
{
	xmlChar *v = xmlTextReaderGetAttribute(r, (const xmlChar *)name);
	int eq = v && !strcmp((const char *)v, value);
	xmlFree(v);
	return eq;
}

static int attr_int(xmlTextReaderPtr r, const char *name, int *out)
{
	xmlChar *v = xmlTextReaderGetAttribute(r, (const xmlChar *)name);
	if (!v)
		return -1;
	char *end;
	long x = strtol((const char *)v, &end, 10);
	int ok = end != (char *)v && !*end && x >= 0 && x <= 0x7fffffff;
	xmlFree(v);
	if (!ok)
		return -1;
	*out = (int)x;
	return 0;
}

static int push_addr(sdn *s, const char *code, const char *addr, uint64_t line)
{
	size_t lc = strlen(code) + 1, la = strlen(addr) + 1;
	if (s->n_addrs >= CT_LBL_MAX_PROFILE_ADDRS)
		return ct__err(CT_EDATA, "profile %s has more than %u addresses", s->profile,
		               CT_LBL_MAX_PROFILE_ADDRS);
	if (s->addrs_len + lc + la + 8 > s->addrs_cap) {
		size_t nc = s->addrs_cap ? s->addrs_cap * 2 : 4096;
		while (nc < s->addrs_len + lc + la + 8)
			nc *= 2;
		char *nb = ct__realloc(s->addrs, nc);
		if (!nb)
			return CT_ENOMEM;
		s->addrs = nb;
		s->addrs_cap = nc;
	}
	memcpy(s->addrs + s->addrs_len, code, lc);
	s->addrs_len += lc;
	memcpy(s->addrs + s->addrs_len, addr, la);
	s->addrs_len += la;
	memcpy(s->addrs + s->addrs_len, &line, 8);
	s->addrs_len += 8;
	s->n_addrs++;
	return 0;
}

static int flush_profile(sdn *s, ct__label_emit emit, void *payload)
{
	char ref[40];
	snprintf(ref, sizeof(ref), "sdn:%s", s->profile);
	size_t off = 0;
	for (size_t i = 0; i < s->n_addrs; i++) {
		const char *code = s->addrs + off;
		off += strlen(code) + 1;
		const char *addr = s->addrs + off;
		off += strlen(addr) + 1;
		uint64_t line;
		memcpy(&line, s->addrs + off, 8);
		off += 8;
		ct__label_rec r = {0};
		r.chain = code;
		r.scope = code;
		r.address = addr;
		r.name = s->name_len ? s->name : NULL;
		r.ref = ref;
		r.confidence = -1;
		r.line = line;
		int rc = emit(&r, payload);
		if (rc)
			return rc;
	}
	s->n_addrs = 0;
	s->addrs_len = 0;
	return 0;
}

static const char *ft_code(const sdn *s, int id)
{
	for (int i = 0; i < s->n_ft; i++)
		if (s->ft[i].id == id)
			return s->ft[i].code;
	return NULL;
}

static int on_start(sdn *s, xmlTextReaderPtr r, const char *el, int empty)
{
	int id;
	if (!strcmp(el, "FeatureType")) {
		if (!empty && attr_int(r, "ID", &s->cur_ft_id) == 0)
			s->text_kind = T_FEATURE_TYPE;
	} else if (!strcmp(el, "Profile")) {
		xmlChar *v = xmlTextReaderGetAttribute(r, (const xmlChar *)"ID");
		snprintf(s->profile, sizeof(s->profile), "%s", v ? (const char *)v : "?");
		xmlFree(v);
		s->name_len = 0;
		s->name[0] = '\0';
		s->n_addrs = 0;
		s->addrs_len = 0;
	} else if (!strcmp(el, "Identity")) {
		s->in_identity = !empty && attr_is(r, "Primary", "true");
	} else if (!strcmp(el, "Alias")) {
		s->in_alias = !empty && s->in_identity && attr_is(r, "Primary", "true");
		s->names_in_alias = 0;
	} else if (!strcmp(el, "DocumentedName") && s->in_alias && !empty) {
		if (s->names_in_alias++)
			append(s->name, &s->name_len, CT_LBL_MAX_FIELD, "; ", 2);
		s->in_docname = 1;
	} else if (!strcmp(el, "DocumentedNamePart") && s->in_docname) {
		/* parts are separated by one space */
		if (s->name_len && s->name[s->name_len - 1] != ' ' &&
		    !(s->name_len >= 2 && !strcmp(s->name + s->name_len - 2, "; ")))
			append(s->name, &s->name_len, CT_LBL_MAX_FIELD, " ", 1);
	} else if (!strcmp(el, "NamePartValue") && s->in_docname && !empty) {
		s->text_kind = T_NAME_PART;
	} else if (!strcmp(el, "Feature")) {
		s->feature_code = NULL;
		if (!empty && attr_int(r, "FeatureTypeID", &id) == 0)
			s->feature_code = ft_code(s, id);
	} else if (!strcmp(el, "VersionDetail") && s->feature_code && !empty) {
		s->text_kind = T_DETAIL;
		s->detail_code = s->feature_code;
	} else if (!strcmp(el, "DateOfIssue") && xmlTextReaderDepth(r) == 1) {
		s->in_date = !empty;
	} else if (s->in_date && !empty) {
		if (!strcmp(el, "Year"))
			s->text_kind = T_YEAR;
		else if (!strcmp(el, "Month"))
			s->text_kind = T_MONTH;
		else if (!strcmp(el, "Day"))
			s->text_kind = T_DAY;
	}
	if (s->text_kind != T_NONE)
		s->text_len = 0, s->text[0] = '\0';
	return 0;
}

static int on_end(sdn *s, xmlTextReaderPtr r, const char *el, ct__label_emit emit, void *payload)
{
	char *t = ct__lbl_trim(s->text);
	switch (s->text_kind) {
	case T_FEATURE_TYPE:
		if (!strcmp(el, "FeatureType")) {
			s->text_kind = T_NONE;
			size_t pl = strlen(PREFIX);
			if (!strncmp(t, PREFIX, pl) && strlen(t + pl) > 0 && strlen(t + pl) < 16) {
				if (s->n_ft == MAX_FEATURE_TYPES)
					return ct__err(CT_EDATA, "more than %d digital currency feature types",
					               MAX_FEATURE_TYPES);
				s->ft[s->n_ft].id = s->cur_ft_id;
				snprintf(s->ft[s->n_ft].code, sizeof(s->ft[0].code), "%s", t + pl);
				s->n_ft++;
			}
		}
		break;
	case T_NAME_PART:
		if (!strcmp(el, "NamePartValue")) {
			s->text_kind = T_NONE;
			append(s->name, &s->name_len, CT_LBL_MAX_FIELD, t, strlen(t));
		}
		break;
	case T_DETAIL:
		if (!strcmp(el, "VersionDetail")) {
			s->text_kind = T_NONE;
			int rc = push_addr(s, s->detail_code, t,
			                   (uint64_t)xmlTextReaderGetParserLineNumber(r));
			if (rc)
				return rc;
		}
		break;
	case T_YEAR:
	case T_MONTH:
	case T_DAY: {
		char *dst = s->text_kind == T_YEAR ? s->year : s->text_kind == T_MONTH ? s->month : s->day;
		snprintf(dst, sizeof(s->year), "%.7s", t);
		s->text_kind = T_NONE;
		break;
	}
	default:
		break;
	}
	if (!strcmp(el, "Profile"))
		return flush_profile(s, emit, payload);
	if (!strcmp(el, "Identity"))
		s->in_identity = 0;
	else if (!strcmp(el, "Alias"))
		s->in_alias = 0;
	else if (!strcmp(el, "DocumentedName"))
		s->in_docname = 0;
	else if (!strcmp(el, "Feature"))
		s->feature_code = NULL;
	else if (!strcmp(el, "DateOfIssue"))
		s->in_date = 0;
	return 0;
}

int ct__labels_parse_sdn(ct__lsrc *src, ct__label_meta *meta, ct__label_emit emit, void *payload)
{
	sdn *s = ct__calloc(1, sizeof(*s));
	if (!s)
		return CT_ENOMEM;
	s->src = src;
	int rc = 0, seen_root = 0;
	xmlTextReaderPtr r = xmlReaderForIO(io_read, io_close, s, NULL, NULL,
	                                    XML_PARSE_NONET | XML_PARSE_COMPACT);
	if (!r) {
		free(s);
		return ct__err(CT_ENOMEM, "cannot create an XML reader");
	}
	xmlTextReaderSetStructuredErrorHandler(r, on_error, s);
	int ret;
	while ((ret = xmlTextReaderRead(r)) == 1) {
		int type = xmlTextReaderNodeType(r);
		if (type == XML_READER_TYPE_ELEMENT) {
			const char *el = (const char *)xmlTextReaderConstLocalName(r);
			if (xmlTextReaderDepth(r) > CT_LBL_MAX_XML_DEPTH) {
				rc = ct__err(CT_EDATA, "line %d: elements nested deeper than %d",
				             xmlTextReaderGetParserLineNumber(r), CT_LBL_MAX_XML_DEPTH);
				break;
			}
			if (!seen_root) {
				seen_root = 1;
				if (!el || strcmp(el, "Sanctions")) {
					rc = ct__err(CT_EDATA, "line %d: root element is <%.40s>, not <Sanctions> "
					                       "(not an SDN advanced XML file)",
					             xmlTextReaderGetParserLineNumber(r), el ? el : "?");
					break;
				}
			}
			if (!el)
				continue;
			int empty = xmlTextReaderIsEmptyElement(r);
			rc = on_start(s, r, el, empty);
			if (!rc && empty)
				rc = on_end(s, r, el, emit, payload);
		} else if (type == XML_READER_TYPE_END_ELEMENT) {
			const char *el = (const char *)xmlTextReaderConstLocalName(r);
			if (el)
				rc = on_end(s, r, el, emit, payload);
		} else if ((type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
		            type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE) &&
		           s->text_kind != T_NONE) {
			const char *v = (const char *)xmlTextReaderConstValue(r);
			if (v)
				append(s->text, &s->text_len, CT_LBL_MAX_FIELD, v, strlen(v));
		}
		if (rc)
			break;
	}
	if (!rc && ret != 0) {
		long consumed = xmlTextReaderByteConsumed(r);
		if (s->src_rc)
			rc = s->src_rc;
		else if (!seen_root && s->src->offset == 0)
			rc = ct__err(CT_EDATA, "byte 0: empty file, no XML document");
		else
			rc = ct__err(CT_EDATA, "line %ld, byte %ld: %s", s->xml_line, consumed,
			             s->xml_err[0] ? s->xml_err : "malformed XML");
	}
	if (!rc && !seen_root)
		rc = ct__err(CT_EDATA, "byte 0: empty file, no XML document");
	if (!rc && s->year[0])
		snprintf(meta->version, sizeof(meta->version), "%s-%02d-%02d", s->year,
		         atoi(s->month), atoi(s->day));
	xmlFreeTextReader(r);
	free(s->addrs);
	free(s);
	return rc;
}
