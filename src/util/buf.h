/*
 * buf.h - the one bounded reader every binary parser goes through.
 *
 * A ct_rd is a view {p, end} into a caller's buffer; reads check the
 * remaining length first, copy with memcpy and decode little-endian
 * explicitly. On a short read the reader is marked failed, returns zero
 * values from then on, and the parser checks rd->fail once per unit.
 * Nothing is allocated and nothing is ever read past `end`.
 */
#ifndef CT_UTIL_BUF_H
#define CT_UTIL_BUF_H

#include <stdint.h>
#include <string.h>
#include <stddef.h>

typedef struct ct_rd {
	const uint8_t *base; /* start of the whole buffer (for offsets) */
	const uint8_t *p;
	const uint8_t *end;
	int fail;
} ct_rd;

static inline void ct_rd_init(ct_rd *r, const void *data, size_t len)
{
	r->base = data;
	r->p = data;
	r->end = r->p + len;
	r->fail = 0;
}

static inline size_t ct_rd_left(const ct_rd *r) { return (size_t)(r->end - r->p); }
static inline size_t ct_rd_off(const ct_rd *r) { return (size_t)(r->p - r->base); }

/* Borrow `n` bytes; NULL (and fail) if fewer remain. */
static inline const uint8_t *ct_rd_take(ct_rd *r, size_t n)
{
	if (r->fail || ct_rd_left(r) < n) {
		r->fail = 1;
		return NULL;
	}
	const uint8_t *q = r->p;
	r->p += n;
	return q;
}

static inline uint8_t ct_rd_u8(ct_rd *r)
{
	const uint8_t *q = ct_rd_take(r, 1);
	return q ? q[0] : 0;
}

static inline uint32_t ct_le32(const uint8_t *q)
{
	return (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 |
	       (uint32_t)q[3] << 24;
}

static inline uint64_t ct_le64(const uint8_t *q)
{
	return (uint64_t)ct_le32(q) | (uint64_t)ct_le32(q + 4) << 32;
}

static inline void ct_put_le32(uint8_t *q, uint32_t v)
{
	q[0] = (uint8_t)v;
	q[1] = (uint8_t)(v >> 8);
	q[2] = (uint8_t)(v >> 16);
	q[3] = (uint8_t)(v >> 24);
}

static inline void ct_put_le64(uint8_t *q, uint64_t v)
{
	ct_put_le32(q, (uint32_t)v);
	ct_put_le32(q + 4, (uint32_t)(v >> 32));
}

static inline uint16_t ct_rd_u16(ct_rd *r)
{
	const uint8_t *q = ct_rd_take(r, 2);
	return q ? (uint16_t)(q[0] | q[1] << 8) : 0;
}

static inline uint32_t ct_rd_u32(ct_rd *r)
{
	const uint8_t *q = ct_rd_take(r, 4);
	return q ? ct_le32(q) : 0;
}

static inline uint64_t ct_rd_u64(ct_rd *r)
{
	const uint8_t *q = ct_rd_take(r, 8);
	return q ? ct_le64(q) : 0;
}

/* Bitcoin's CompactSize. Non-canonical encodings are accepted (as
 * deserialisation in Bitcoin Core rejects them, a caller may check
 * `*canonical`). */
static inline uint64_t ct_rd_varint(ct_rd *r)
{
	uint8_t b = ct_rd_u8(r);
	if (b < 0xfd)
		return b;
	if (b == 0xfd)
		return ct_rd_u16(r);
	if (b == 0xfe)
		return ct_rd_u32(r);
	return ct_rd_u64(r);
}

#endif
