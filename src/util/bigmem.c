/*
 * bigmem.c - see bigmem.h. Below 2 MB plain calloc; above, an anonymous
 * mapping (zero pages on demand) advised MADV_HUGEPAGE where the kernel
 * knows it, whose pages can be given back (MADV_DONTNEED: they read as
 * zero again). And ct__big_prefault: the pages of a range faulted in with
 * one call instead of one trap each.
 */
#include "util/bigmem.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define BIG (2u << 20)

void *ct__big_zalloc(size_t n)
{
	if (n < BIG)
		return calloc(1, n ? n : 1);
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
#ifdef MADV_HUGEPAGE
	(void)madvise(p, n, MADV_HUGEPAGE);
#endif
	return p;
}

void ct__big_free(void *p, size_t n)
{
	if (!p)
		return;
	if (n < BIG)
		free(p);
	else
		munmap(p, n);
}

void ct__big_release(void *p, size_t n, size_t off, size_t len)
{
	if (!p || n < BIG || off >= n)
		return;
	if (len > n - off)
		len = n - off;
	long ps = sysconf(_SC_PAGESIZE);
	uintptr_t pm = (uintptr_t)(ps > 0 ? ps : 4096) - 1;
	uintptr_t a = ((uintptr_t)p + off + pm) & ~pm;
	uintptr_t e = ((uintptr_t)p + off + len) & ~pm;
	if (e > a)
		(void)madvise((void *)a, e - a, MADV_DONTNEED);
}

int ct__big_prefault(void *p, size_t len)
{
#ifdef MADV_POPULATE_WRITE
	long ps = sysconf(_SC_PAGESIZE);
	uintptr_t pm = (uintptr_t)(ps > 0 ? ps : 4096) - 1;
	uintptr_t a = (uintptr_t)p & ~pm, e = ((uintptr_t)p + len + pm) & ~pm;
	if (!len || !p)
		return 0;
	return madvise((void *)a, e - a, MADV_POPULATE_WRITE) == 0 ? 0 : -1;
#else
	(void)p;
	(void)len;
	return -1;
#endif
}

