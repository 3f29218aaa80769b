/*
 * bigmem.h - large zeroed working arrays (hash maps and indexes of the
 * tracer) mapped straight from the kernel and marked for transparent huge
 * pages: their accesses are random, and with 4 KB pages nearly every one
 * misses the TLB (costly under virtualisation, where a miss walks two
 * page tables).
 */
#ifndef CT_UTIL_BIGMEM_H
#define CT_UTIL_BIGMEM_H

#include <stddef.h>

/* n zeroed bytes, or NULL (errno set). Free with ct__big_free(p, n). */
void *ct__big_zalloc(size_t n);
void ct__big_free(void *p, size_t n);
/* Give back the pages wholly inside [p + off, p + off + len) of an n-byte
 * block whose contents there are all zero: they read as zero again, and
 * no longer count in the process's memory. A no-op for small blocks
 * (plain heap memory). */
void ct__big_release(void *p, size_t n, size_t off, size_t len);

#endif
