/*
 * lsrc.c - byte sources for the label importers: a file, a memory buffer,
 * and bzip2 decompression layered on either; plus a bounded line reader.
 * Everything streams: memory use does not depend on the file's size.
 */
#include "labels/labels_int.h"
#include "util/error.h"

#include <bzlib.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ct__lsrc_read(ct__lsrc *s, void *buf, size_t cap, size_t *got)
{
	int rc = s->read(s, buf, cap, got);
	if (rc == 0)
		s->offset += *got;
	return rc;
}

void ct__lsrc_close(ct__lsrc *s)
{
	if (s && s->close)
		s->close(s);
	if (s) {
		s->close = NULL;
		s->impl = NULL;
	}
}

/* ---- file -------------------------------------------------------------- */

static int file_read(ct__lsrc *s, void *buf, size_t cap, size_t *got)
{
	FILE *f = s->impl;
	*got = fread(buf, 1, cap, f);
	if (*got == 0 && ferror(f))
		return ct__err_sys("read error at byte %llu", (unsigned long long)s->offset);
	return 0;
}

static void file_close(ct__lsrc *s)
{
	if (s->impl)
		fclose(s->impl);
}

int ct__lsrc_file(ct__lsrc *s, const char *path)
{
	memset(s, 0, sizeof(*s));
	FILE *f = fopen(path, "rb");
	if (!f)
		return ct__err_sys("%s", path);
	s->impl = f;
	s->read = file_read;
	s->close = file_close;
	return 0;
}

/* ---- memory ------------------------------------------------------------ */

typedef struct mem_src {
	const unsigned char *p;
	size_t left;
} mem_src;

static int mem_read(ct__lsrc *s, void *buf, size_t cap, size_t *got)
{
	mem_src *m = s->impl;
	if (!m) {
		*got = 0;
		return ct__err(CT_ENOMEM, "out of memory");
	}
	size_t n = m->left < cap ? m->left : cap;
	if (n)
		memcpy(buf, m->p, n);
	m->p += n;
	m->left -= n;
	*got = n;
	return 0;
}

static void mem_close(ct__lsrc *s) { free(s->impl); }

void ct__lsrc_mem(ct__lsrc *s, const void *data, size_t len)
{
	memset(s, 0, sizeof(*s));
	mem_src *m = malloc(sizeof(*m));
	/* A failed 16-byte malloc leaves an empty source; the parse then
	 * reports an empty file rather than crashing. */
	if (m) {
		m->p = data;
		m->left = len;
	}
	s->impl = m;
	s->read = mem_read;
	s->close = mem_close;
}

/* ---- bzip2 ------------------------------------------------------------- */

typedef struct bz_src {
	ct__lsrc *inner;
	bz_stream z;
	int inited, done, inner_eof;
	uint64_t in_off; /* compressed bytes consumed */
	char in[65536];
} bz_src;

static int bz_read(ct__lsrc *s, void *buf, size_t cap, size_t *got)
{
	bz_src *b = s->impl;
	*got = 0;
	if (cap > 1u << 30)
		cap = 1u << 30;
	while (!b->done && *got == 0) {
		if (b->z.avail_in == 0 && !b->inner_eof) {
			size_t n;
			int rc = ct__lsrc_read(b->inner, b->in, sizeof(b->in), &n);
			if (rc)
				return rc;
			if (n == 0)
				b->inner_eof = 1;
			b->z.next_in = b->in;
			b->z.avail_in = (unsigned)n;
		}
		b->z.next_out = buf;
		b->z.avail_out = (unsigned)cap;
		unsigned before = b->z.avail_in;
		int zr = BZ2_bzDecompress(&b->z);
		b->in_off += before - b->z.avail_in;
		*got = cap - b->z.avail_out;
		if (zr == BZ_STREAM_END) {
			/* Concatenated streams (pbzip2) continue after the end. */
			BZ2_bzDecompressEnd(&b->z);
			b->inited = 0;
			if (b->z.avail_in == 0 && !b->inner_eof) {
				size_t n;
				int rc = ct__lsrc_read(b->inner, b->in, sizeof(b->in), &n);
				if (rc)
					return rc;
				b->z.next_in = b->in;
				b->z.avail_in = (unsigned)n;
				if (n == 0)
					b->inner_eof = 1;
			}
			if (b->z.avail_in == 0) {
				b->done = 1;
				break;
			}
			char *ni = b->z.next_in;
			unsigned ai = b->z.avail_in;
			memset(&b->z, 0, sizeof(b->z));
			if (BZ2_bzDecompressInit(&b->z, 0, 0) != BZ_OK)
				return ct__err(CT_ENOMEM, "bzip2: cannot start decompression");
			b->inited = 1;
			b->z.next_in = ni;
			b->z.avail_in = ai;
			continue;
		}
		if (zr != BZ_OK)
			return ct__err(CT_EDATA, "bzip2 data corrupt at compressed byte %llu (code %d)",
			               (unsigned long long)b->in_off, zr);
		if (*got == 0 && b->z.avail_in == 0 && b->inner_eof)
			return ct__err(CT_EDATA,
			               "bzip2 stream truncated at compressed byte %llu "
			               "(decompressed byte %llu)",
			               (unsigned long long)b->in_off, (unsigned long long)s->offset);
	}
	return 0;
}

static void bz_close(ct__lsrc *s)
{
	bz_src *b = s->impl;
	if (!b)
		return;
	if (b->inited)
		BZ2_bzDecompressEnd(&b->z);
	ct__lsrc_close(b->inner);
	free(b);
}

int ct__lsrc_bz2(ct__lsrc *s, ct__lsrc *inner)
{
	memset(s, 0, sizeof(*s));
	bz_src *b = ct__calloc(1, sizeof(*b));
	if (!b) {
		ct__lsrc_close(inner);
		return CT_ENOMEM;
	}
	b->inner = inner;
	if (BZ2_bzDecompressInit(&b->z, 0, 0) != BZ_OK) {
		ct__lsrc_close(inner);
		free(b);
		return ct__err(CT_ENOMEM, "bzip2: cannot start decompression");
	}
	b->inited = 1;
	s->impl = b;
	s->read = bz_read;
	s->close = bz_close;
	return 0;
}

/* ---- lines ------------------------------------------------------------- */

int ct__lines_init(ct__lines *r, ct__lsrc *src)
{
	memset(r, 0, sizeof(*r));
	r->src = src;
	r->cap = 65536;
	r->buf = ct__malloc(r->cap + 1);
	return r->buf ? 0 : CT_ENOMEM;
}

void ct__lines_free(ct__lines *r)
{
	free(r->buf);
	r->buf = NULL;
}

int ct__lines_next(ct__lines *r, char **line, size_t *len)
{
	for (;;) {
		char *nl = r->pos < r->len ? memchr(r->buf + r->pos, '\n', r->len - r->pos) : NULL;
		if (nl || (r->eof && r->pos < r->len)) {
			char *s = r->buf + r->pos;
			size_t n = nl ? (size_t)(nl - s) : r->len - r->pos;
			r->pos += n + (nl ? 1 : 0);
			if (n > 0 && s[n - 1] == '\r')
				n--;
			if (n > CT_LBL_MAX_LINE)
				return ct__err(CT_EDATA, "line %llu: longer than %u bytes",
				               (unsigned long long)r->lineno + 1, CT_LBL_MAX_LINE);
			s[n] = '\0';
			r->lineno++;
			*line = s;
			*len = n;
			return 1;
		}
		if (r->eof)
			return 0;
		/* Compact, grow up to the cap plus one read, then fill. */
		if (r->pos > 0) {
			memmove(r->buf, r->buf + r->pos, r->len - r->pos);
			r->len -= r->pos;
			r->pos = 0;
		}
		if (r->len == r->cap) {
			if (r->cap > 2 * CT_LBL_MAX_LINE)
				return ct__err(CT_EDATA, "line %llu: longer than %u bytes",
				               (unsigned long long)r->lineno + 1, CT_LBL_MAX_LINE);
			char *nb = ct__realloc(r->buf, r->cap * 2 + 1);
			if (!nb)
				return CT_ENOMEM;
			r->buf = nb;
			r->cap *= 2;
		}
		size_t got;
		int rc = ct__lsrc_read(r->src, r->buf + r->len, r->cap - r->len, &got);
		if (rc)
			return rc;
		if (got == 0)
			r->eof = 1;
		r->len += got;
	}
}
