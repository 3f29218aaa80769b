/*
 * parse_tagpack.c - GraphSense TagPacks (YAML) through libyaml's event
 * parser, so a 336,208-tag pack streams in constant memory. A pack is a
 * mapping of header keys and `tags:`, a sequence of mappings; a tag
 * inherits every header key it does not set itself. Values that are not
 * scalars (concepts lists, context objects) are skipped; aliases are
 * never expanded.
 */
#include "labels/labels_int.h"
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

enum { F_ADDRESS, F_LABEL, F_CATEGORY, F_ABUSE, F_CURRENCY, F_NETWORK, F_CONFIDENCE,
       F_SOURCE, F_LASTMOD, F_TITLE, F_N };
static const char *const FIELD[F_N] = {"address",    "label",  "category", "abuse",
                                       "currency",   "network", "confidence", "source",
                                       "lastmod",    "title"};

typedef struct fields {
	char v[F_N][CT_LBL_MAX_FIELD + 1];
	int set[F_N];
} fields;

typedef struct tp {
	yaml_parser_t p;
	ct__lsrc *src;
	int src_rc;
	fields head, tag;
	char key[CT_LBL_MAX_FIELD + 1];
} tp;

static int yread(void *data, unsigned char *buf, size_t size, size_t *got)
{
	tp *t = data;
	int rc = ct__lsrc_read(t->src, buf, size, got);
	if (rc) {
		t->src_rc = rc;
		return 0;
	}
	return 1;
}

static int field_of(const char *k)
{
	for (int i = 0; i < F_N; i++)
		if (!strcmp(k, FIELD[i]))
			return i;
	return -1;
}

/* Next event; a libyaml error becomes "line L, column C: problem". */
static int next(tp *t, yaml_event_t *e)
{
	if (yaml_parser_parse(&t->p, e))
		return 0;
	if (t->src_rc)
		return t->src_rc;
	return ct__err(CT_EDATA, "line %zu, column %zu: %s%s%s", t->p.problem_mark.line + 1,
	               t->p.problem_mark.column + 1, t->p.problem ? t->p.problem : "YAML error",
	               t->p.context ? " " : "", t->p.context ? t->p.context : "");
}

/* Skip the node whose start event `e` is (already consumed). */
static int skip_node(tp *t, yaml_event_t *e)
{
	int depth = (e->type == YAML_SEQUENCE_START_EVENT || e->type == YAML_MAPPING_START_EVENT);
	while (depth > 0) {
		yaml_event_t x;
		int rc = next(t, &x);
		if (rc)
			return rc;
		if (x.type == YAML_SEQUENCE_START_EVENT || x.type == YAML_MAPPING_START_EVENT)
			depth = depth >= 2 * CT_LBL_MAX_XML_DEPTH ? -1 : depth + 1;
		else if (x.type == YAML_SEQUENCE_END_EVENT || x.type == YAML_MAPPING_END_EVENT)
			depth--;
		size_t line = x.start_mark.line + 1;
		yaml_event_delete(&x);
		if (depth < 0)
			return ct__err(CT_EDATA, "line %zu: nested deeper than %d", line,
			               2 * CT_LBL_MAX_XML_DEPTH);
	}
	return 0;
}

static int scalar_to(char *dst, const yaml_event_t *e)
{
	size_t n = e->data.scalar.length;
	if (n > CT_LBL_MAX_FIELD)
		return ct__err(CT_EDATA, "line %zu: value longer than %u bytes",
		               e->start_mark.line + 1, CT_LBL_MAX_FIELD);
	memcpy(dst, e->data.scalar.value, n);
	dst[n] = '\0';
	return 0;
}

static const char *pick(const tp *t, int f)
{
	if (t->tag.set[f] && t->tag.v[f][0])
		return t->tag.v[f];
	if (t->head.set[f] && t->head.v[f][0])
		return t->head.v[f];
	return NULL;
}

static int emit_tag(tp *t, uint64_t line, ct__label_emit emit, void *payload)
{
	ct__label_rec r = {0};
	r.line = line;
	r.address = t->tag.set[F_ADDRESS] ? ct__lbl_trim(t->tag.v[F_ADDRESS]) : NULL;
	if (!r.address)
		return ct__err(CT_EDATA, "line %llu: tag without an address",
		               (unsigned long long)line);
	r.chain = pick(t, F_NETWORK) ? pick(t, F_NETWORK) : pick(t, F_CURRENCY);
	r.category = pick(t, F_ABUSE) ? pick(t, F_ABUSE) : pick(t, F_CATEGORY);
	r.name = pick(t, F_LABEL);
	r.ref = pick(t, F_SOURCE);
	r.confidence = -1;
	const char *c = pick(t, F_CONFIDENCE);
	if (c) {
		r.confidence = ct__labels_confidence(c);
		if (r.confidence < -1.5)
			r.confidence = -1; /* an unknown level: no number (noted by the store) */
	}
	return emit(&r, payload);
}

/* The tags sequence: its start event is consumed. */
static int parse_tags(tp *t, ct__label_emit emit, void *payload)
{
	for (;;) {
		yaml_event_t e;
		int rc = next(t, &e);
		if (rc)
			return rc;
		if (e.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&e);
			return 0;
		}
		if (e.type != YAML_MAPPING_START_EVENT) {
			size_t line = e.start_mark.line + 1;
			yaml_event_delete(&e);
			return ct__err(CT_EDATA, "line %zu: a tag must be a mapping (address: ...)", line);
		}
		uint64_t line = e.start_mark.line + 1;
		yaml_event_delete(&e);
		memset(t->tag.set, 0, sizeof(t->tag.set));
		for (;;) {
			rc = next(t, &e);
			if (rc)
				return rc;
			if (e.type == YAML_MAPPING_END_EVENT) {
				yaml_event_delete(&e);
				break;
			}
			if (e.type != YAML_SCALAR_EVENT) {
				size_t l = e.start_mark.line + 1;
				yaml_event_delete(&e);
				return ct__err(CT_EDATA, "line %zu: tag keys must be plain words", l);
			}
			rc = scalar_to(t->key, &e);
			yaml_event_delete(&e);
			if (rc)
				return rc;
			int f = field_of(t->key);
			rc = next(t, &e);
			if (rc)
				return rc;
			if (e.type == YAML_SCALAR_EVENT) {
				if (f >= 0) {
					rc = scalar_to(t->tag.v[f], &e);
					t->tag.set[f] = 1;
				}
			} else {
				rc = skip_node(t, &e);
			}
			yaml_event_delete(&e);
			if (rc)
				return rc;
		}
		rc = emit_tag(t, line, emit, payload);
		if (rc)
			return rc;
	}
}

int ct__labels_parse_tagpack(ct__lsrc *src, ct__label_meta *meta, ct__label_emit emit,
                             void *payload)
{
	tp *t = ct__calloc(1, sizeof(*t));
	if (!t)
		return CT_ENOMEM;
	if (!yaml_parser_initialize(&t->p)) {
		free(t);
		return ct__err(CT_ENOMEM, "cannot create a YAML parser");
	}
	t->src = src;
	yaml_parser_set_input(&t->p, yread, t);
	int rc, saw_tags = 0;
	yaml_event_t e;
	/* stream start, document start, the top mapping */
	for (int want = 0; want < 3; want++) {
		if ((rc = next(t, &e)))
			goto out;
		yaml_event_type_t ty = e.type;
		size_t line = e.start_mark.line + 1;
		yaml_event_delete(&e);
		if (want == 1 && ty == YAML_STREAM_END_EVENT) {
			rc = ct__err(CT_EDATA, "line 1: empty file, not a TagPack");
			goto out;
		}
		if ((want == 0 && ty != YAML_STREAM_START_EVENT) ||
		    (want == 1 && ty != YAML_DOCUMENT_START_EVENT) ||
		    (want == 2 && ty != YAML_MAPPING_START_EVENT)) {
			rc = ct__err(CT_EDATA, "line %zu: a TagPack is a mapping (title:, tags:, ...)", line);
			goto out;
		}
	}
	for (;;) {
		if ((rc = next(t, &e)))
			goto out;
		if (e.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&e);
			break;
		}
		if (e.type != YAML_SCALAR_EVENT) {
			size_t line = e.start_mark.line + 1;
			yaml_event_delete(&e);
			rc = ct__err(CT_EDATA, "line %zu: header keys must be plain words", line);
			goto out;
		}
		rc = scalar_to(t->key, &e);
		yaml_event_delete(&e);
		if (rc)
			goto out;
		if ((rc = next(t, &e)))
			goto out;
		if (!strcmp(t->key, "tags") && e.type == YAML_SEQUENCE_START_EVENT) {
			yaml_event_delete(&e);
			saw_tags = 1;
			if ((rc = parse_tags(t, emit, payload)))
				goto out;
			continue;
		}
		int f = field_of(t->key);
		if (e.type == YAML_SCALAR_EVENT) {
			if (f >= 0 && f != F_ADDRESS) {
				if (saw_tags && meta->note) {
					char msg[160];
					snprintf(msg, sizeof(msg), "line %zu: header key '%s' after tags: not "
					         "inherited by earlier tags", e.start_mark.line + 1, FIELD[f]);
					meta->note(payload, msg);
				}
				rc = scalar_to(t->head.v[f], &e);
				t->head.set[f] = 1;
			}
		} else {
			rc = skip_node(t, &e);
		}
		yaml_event_delete(&e);
		if (rc)
			goto out;
	}
	if (!saw_tags) {
		rc = ct__err(CT_EDATA, "no 'tags:' sequence: not a TagPack (ActorPacks are not labels)");
		goto out;
	}
	/* Only the first document is read; a second is an error, not ignored. */
	if ((rc = next(t, &e)))
		goto out;
	if (e.type != YAML_DOCUMENT_END_EVENT) {
		size_t line = e.start_mark.line + 1;
		yaml_event_delete(&e);
		rc = ct__err(CT_EDATA, "line %zu: unexpected content after the TagPack", line);
		goto out;
	}
	yaml_event_delete(&e);
	if ((rc = next(t, &e)))
		goto out;
	if (e.type != YAML_STREAM_END_EVENT) {
		size_t line = e.start_mark.line + 1;
		rc = ct__err(CT_EDATA, "line %zu: more than one YAML document", line);
	}
	yaml_event_delete(&e);
	if (!rc) {
		if (t->head.set[F_LASTMOD])
			snprintf(meta->version, sizeof(meta->version), "%s", t->head.v[F_LASTMOD]);
		if (t->head.set[F_TITLE])
			snprintf(meta->title, sizeof(meta->title), "%s", t->head.v[F_TITLE]);
	}
out:
	yaml_parser_delete(&t->p);
	free(t);
	return rc;
}
