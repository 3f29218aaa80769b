/*
 * column.h - a fixed-width column file, mmap'd.
 *
 * Records are `rec` bytes, addressed by a dense integer id. A column only
 * grows: new records are written past the committed count and become
 * visible when the store's meta file commits the new count. The file may
 * be longer than the committed part (preallocated capacity, or the tail
 * of an append that crashed); that tail is garbage and never read.
 *
 * Pointers from ct__col_at() borrow the mapping: they are valid until the
 * next ct__col_reserve() on the same column (which may move it) or close.
 */
#ifndef CT_STORE_COLUMN_H
#define CT_STORE_COLUMN_H

#include <stddef.h>
#include <stdint.h>

typedef struct ct_col {
	int fd;
	int writable;
	uint8_t *map;
	size_t map_len; /* bytes mapped (== file size) */
	size_t rec;     /* record width in bytes       */
	size_t wb_done; /* bytes handed to early writeback */
	/* Append buffer (columns that are only written while a batch is
	 * open): records [buf_first, buf_first + buf_n) live here until
	 * ct__col_flush() writes them with pwrite, which costs far less than
	 * a page fault per page of a growing mapping. */
	uint8_t *buf;
	size_t buf_cap, buf_n;
	uint64_t buf_first;
	int buf_err; /* a failed flush: sticky until discarded */
	char *path;
} ct_col;

int ct__col_open(ct_col *c, const char *dir, const char *name, size_t rec, int writable);
void ct__col_close(ct_col *c);
/* Ensure room for `n` records (grows the file geometrically). */
int ct__col_reserve(ct_col *c, uint64_t n);
/* Ask for huge pages on the mapping (a column or index written all over
 * by a bulk append: fewer TLB misses and page faults). Advisory. */
void ct__col_hugepages(ct_col *c);
/* Flush written pages to disk. */
int ct__col_sync(ct_col *c);
/* Start (not wait for) writeback of records [.., n): the commit's sync
 * then finds less to write. Only for pages that will not change again. */
void ct__col_writeback(ct_col *c, uint64_t n);
/* Records the file can hold. */
static inline uint64_t ct__col_cap(const ct_col *c) { return c->map_len / c->rec; }
static inline uint8_t *ct__col_at(const ct_col *c, uint64_t i)
{
	return c->map + i * c->rec;
}

/* Read record i wherever it is: in the append buffer (not yet flushed)
 * or in the mapping. The pointer is valid until the next put or flush on
 * this column. */
static inline const uint8_t *ct__col_get(const ct_col *c, uint64_t i)
{
	if (c->buf_n && i >= c->buf_first)
		return c->buf + (i - c->buf_first) * c->rec;
	return c->map + i * c->rec;
}

/* Turn on the append buffer (bytes of records held before a flush). */
int ct__col_buffered(ct_col *c, size_t bytes);
int ct__col_flush_slow(ct_col *c);
/* Where to write record i, the next record of the column: in the append
 * buffer when there is one (flushed as it fills), else in the mapping.
 * Records so written are read back with ct__col_get() until flushed. */
static inline uint8_t *ct__col_put(ct_col *c, uint64_t i)
{
	if (!c->buf)
		return ct__col_at(c, i);
	if (c->buf_n * c->rec >= c->buf_cap)
		ct__col_flush_slow(c); /* a failure is kept in buf_err */
	if (c->buf_n == 0)
		c->buf_first = i;
	return c->buf + (c->buf_n++) * c->rec;
}
/* Write the buffered records to the file (0 or CT_EIO). */
static inline int ct__col_flush(ct_col *c)
{
	if (c->buf_err)
		return c->buf_err;
	return c->buf_n ? ct__col_flush_slow(c) : 0;
}
/* Drop buffered records (an aborted batch). */
static inline void ct__col_discard(ct_col *c)
{
	c->buf_n = 0;
	c->buf_err = 0;
}

#endif
