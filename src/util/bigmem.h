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

/* Fault in the pages that [p, p + len) touches, all with one call
 * (MADV_POPULATE_WRITE, Linux 5.14 and later): an array about to be filled
 * then takes no page fault per 4 KB page, each a trap into the kernel
 * (about 2 µs on a virtual machine). The range must be writable memory
 * of the caller (a heap block, a mapping); every page it touches holds
 * part of it, so is mapped, and contents do not change. Returns 0, or -1
 * where the kernel cannot (nothing changes then: the pages fault in as
 * they are touched). */
int ct__big_prefault(void *p, size_t len);

#endif
