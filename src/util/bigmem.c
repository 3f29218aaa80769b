/*
 * bigmem.c - see bigmem.h. Below 2 MB plain calloc; above, an anonymous
 * mapping (zero pages on demand) advised MADV_HUGEPAGE where the kernel
 * knows it.
 */
#include "util/bigmem.h"

#include <stdlib.h>
#include <sys/mman.h>

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
