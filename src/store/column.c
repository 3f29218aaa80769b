/*
 * column.c - open, grow, map and flush column files.
 */
#include "store/column.h"
#include "util/error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Grow by at least this much: mremap and ftruncate are not free. */
#define GROW_MIN (1u << 20)

int ct__col_open(ct_col *c, const char *dir, const char *name, size_t rec, int writable)
{
	struct stat st;
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->rec = rec;
	c->writable = writable;
	size_t n = strlen(dir) + strlen(name) + 2;
	if (!(c->path = ct__malloc(n)))
		return CT_ENOMEM;
	snprintf(c->path, n, "%s/%s", dir, name);
	c->fd = open(c->path, writable ? O_RDWR | O_CREAT | O_CLOEXEC : O_RDONLY | O_CLOEXEC, 0644);
	if (c->fd < 0) {
		int rc = errno == ENOENT ? CT_ECORRUPT : CT_EIO;
		ct__err_sys("%s", c->path);
		ct__col_close(c);
		return rc;
	}
	if (fstat(c->fd, &st) != 0) {
		ct__err_sys("%s", c->path);
		ct__col_close(c);
		return CT_EIO;
	}
	c->map_len = (size_t)st.st_size;
	if (c->map_len) {
		c->map = mmap(NULL, c->map_len, writable ? PROT_READ | PROT_WRITE : PROT_READ,
		              MAP_SHARED, c->fd, 0);
		if (c->map == MAP_FAILED) {
			c->map = NULL;
			ct__err_sys("mmap %s", c->path);
			ct__col_close(c);
			return CT_EIO;
		}
	}
	return 0;
}

int ct__col_buffered(ct_col *c, size_t bytes)
{
	bytes -= bytes % c->rec;
	if (!(c->buf = ct__malloc(bytes + c->rec)))
		return CT_ENOMEM;
	c->buf_cap = bytes;
	c->buf_n = 0;
	return 0;
}

int ct__col_flush_slow(ct_col *c)
{
	size_t len = c->buf_n * c->rec, done = 0;
	off_t off = (off_t)(c->buf_first * c->rec);
	while (done < len) {
		ssize_t w = pwrite(c->fd, c->buf + done, len - done, off + (off_t)done);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			c->buf_n = 0;
			return c->buf_err = ct__err_sys("write %s", c->path);
		}
		done += (size_t)w;
	}
	c->buf_first += c->buf_n;
	c->buf_n = 0;
	return 0;
}

void ct__col_close(ct_col *c)
{
	if (!c)
		return;
	free(c->buf);
	if (c->map)
		munmap(c->map, c->map_len);
	if (c->fd >= 0)
		close(c->fd);
	free(c->path);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

/* Map a large file at an address aligned to 2 MiB (file offset 0 on a
 * huge-page boundary), so that the kernel can map its page cache with
 * huge pages where the store asks for them (ct__col_hugepages). */
static void *map_file(int fd, size_t len)
{
	const size_t A = (size_t)2 << 20;
	if (len < 2 * A)
		return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	uint8_t *r = mmap(NULL, len + A, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
	                  -1, 0);
	if (r == MAP_FAILED)
		return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	uint8_t *a = (uint8_t *)(((uintptr_t)r + A - 1) & ~(uintptr_t)(A - 1));
	void *m = mmap(a, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
	if (m == MAP_FAILED) {
		munmap(r, len + A);
		return m;
	}
	if (a > r)
		munmap(r, (size_t)(a - r));
	if (r + len + A > a + len)
		munmap(a + len, (size_t)(r + A - a));
	return m;
}

void ct__col_hugepages(ct_col *c)
{
#ifdef MADV_HUGEPAGE
	if (c->map && c->map_len >= ((size_t)4 << 20))
		(void)madvise(c->map, c->map_len, MADV_HUGEPAGE); /* advisory */
#else
	(void)c;
#endif
}

int ct__col_reserve(ct_col *c, uint64_t n)
{
	if (n <= ct__col_cap(c))
		return 0;
	if (!c->writable)
		return ct__err(CT_EINTERNAL, "%s: grow of a read-only column", c->path);
	size_t want = (size_t)n * c->rec;
	size_t len = c->map_len + c->map_len / 4;
	if (len < want)
		len = want;
	if (len < c->map_len + GROW_MIN)
		len = c->map_len + GROW_MIN;
	len = (len + 4095) & ~(size_t)4095;
	if (ftruncate(c->fd, (off_t)len) != 0)
		return ct__err_sys("grow %s", c->path);
	void *m;
	if (c->map)
		m = mremap(c->map, c->map_len, len, MREMAP_MAYMOVE);
	else
		m = map_file(c->fd, len);
	if (m == MAP_FAILED)
		return ct__err_sys("map %s", c->path);
	c->map = m;
	c->map_len = len;
	return 0;
}

void ct__col_writeback(ct_col *c, uint64_t n)
{
	size_t end = ((size_t)n * c->rec) & ~(size_t)4095;
	if (c->fd < 0 || !c->writable || end <= c->wb_done)
		return;
	if (end > c->map_len)
		end = c->map_len & ~(size_t)4095;
	if (c->wb_done > end)
		c->wb_done = 0;
	/* Advisory: a failure here only means the final sync does the work. */
	(void)sync_file_range(c->fd, (off_t)c->wb_done, (off_t)(end - c->wb_done),
	                      SYNC_FILE_RANGE_WRITE);
	c->wb_done = end;
}

int ct__col_sync(ct_col *c)
{
	if (c->fd >= 0 && c->writable && fdatasync(c->fd) != 0)
		return ct__err_sys("sync %s", c->path);
	return 0;
}
