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
	char *path;
} ct_col;

int ct__col_open(ct_col *c, const char *dir, const char *name, size_t rec, int writable);
void ct__col_close(ct_col *c);
/* Ensure room for `n` records (grows the file geometrically). */
int ct__col_reserve(ct_col *c, uint64_t n);
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

#endif
