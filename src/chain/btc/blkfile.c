/*
 * blkfile.c - enumerate and scan block sources (see blkfile.h).
 */
#include "chain/btc/blkfile.h"
#include "util/buf.h"
#include "util/encode.h"
#include "util/error.h"
#include "util/fsutil.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A hex file holds one block: at most twice the block cap plus spaces. */
#define HEX_MAX (2ull * CT_BTC_MAX_BLOCK + 4096)

static int pread_full(int fd, void *buf, size_t n, uint64_t off)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = pread(fd, (char *)buf + got, n - got, (off_t)(off + got));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

static void unxor(const ct_blksrc *s, uint8_t *p, size_t n, uint64_t off)
{
	if (!s->has_xor)
		return;
	for (size_t i = 0; i < n; i++)
		p[i] ^= s->xor_key[(off + i) % 8];
}

static int read_raw(const ct_blksrc *s, void *buf, size_t n, uint64_t off)
{
	if (pread_full(s->fd, buf, n, off) != 0)
		return ct__err_sys("%s: read of %zu bytes at offset %llu", s->path, n,
		                   (unsigned long long)off);
	return 0;
}

static int read_at(const ct_blksrc *s, void *buf, size_t n, uint64_t off)
{
	int rc = read_raw(s, buf, n, off);
	if (!rc)
		unxor(s, buf, n, off);
	return rc;
}

static int load_xor(const char *dir, uint8_t key[8], int *has)
{
	char p[4096];
	size_t len;
	uint8_t buf[16];
	snprintf(p, sizeof(p), "%s/xor.dat", dir);
	*has = 0;
	int rc = ct__read_small(p, buf, sizeof(buf), &len);
	if (rc == CT_ENOTFOUND)
		return 0;
	if (rc)
		return rc;
	if (len != 8)
		return ct__err(CT_EDATA, "%s: offset 0: xor key must be 8 bytes, found %zu", p, len);
	memcpy(key, buf, 8);
	for (int i = 0; i < 8; i++)
		*has |= key[i] != 0;
	return 0;
}

static int add_src(ct_blkset *s, const char *path, const uint8_t *xor_key, int has_xor)
{
	if (s->n_srcs == s->cap_srcs) {
		size_t nc = s->cap_srcs ? s->cap_srcs * 2 : 16;
		ct_blksrc *n = ct__realloc(s->srcs, nc * sizeof(*n));
		if (!n)
			return CT_ENOMEM;
		s->srcs = n;
		s->cap_srcs = nc;
	}
	ct_blksrc *src = &s->srcs[s->n_srcs];
	memset(src, 0, sizeof(*src));
	src->fd = -1;
	if (!(src->path = ct__strdup(path)))
		return CT_ENOMEM;
	s->n_srcs++;
	src->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (src->fd < 0)
		return ct__err_sys("%s", path);
	struct stat st;
	if (fstat(src->fd, &st) != 0)
		return ct__err_sys("%s", path);
	src->size = (uint64_t)st.st_size;
	if (xor_key) {
		memcpy(src->xor_key, xor_key, 8);
		src->has_xor = has_xor;
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int ct__blkset_add_path(ct_blkset *s, const char *path)
{
	int rc = 0;
	if (ct__is_dir(path)) {
		uint8_t key[8];
		int has;
		if ((rc = load_xor(path, key, &has)))
			return rc;
		DIR *d = opendir(path);
		if (!d)
			return ct__err_sys("%s", path);
		char **names = NULL;
		size_t n = 0, cap = 0;
		struct dirent *e;
		while ((e = readdir(d))) {
			if (fnmatch("blk[0-9]*.dat", e->d_name, 0) != 0)
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				char **nn = ct__realloc(names, cap * sizeof(*nn));
				if (!nn) {
					rc = CT_ENOMEM;
					break;
				}
				names = nn;
			}
			if (!(names[n] = ct__strdup(e->d_name))) {
				rc = CT_ENOMEM;
				break;
			}
			n++;
		}
		closedir(d);
		if (!rc && n == 0)
			rc = ct__err(CT_EUSER, "%s: no blk*.dat files in this directory", path);
		if (!rc)
			qsort(names, n, sizeof(*names), cmp_str);
		for (size_t i = 0; i < n; i++) {
			if (!rc) {
				char p[4096];
				snprintf(p, sizeof(p), "%s/%s", path, names[i]);
				rc = add_src(s, p, key, has);
			}
			free(names[i]);
		}
		free(names);
		return rc;
	}
	if (!ct__path_exists(path))
		return ct__err(CT_EUSER, "%s: no such file or directory", path);
	/* A blk*.dat file beside an xor.dat is obfuscated like its directory. */
	uint8_t key[8];
	int has = 0;
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	if (fnmatch("blk[0-9]*.dat", base, 0) == 0) {
		char dir[4096];
		if (slash)
			snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
		else
			snprintf(dir, sizeof(dir), ".");
		if ((rc = load_xor(dir, key, &has)))
			return rc;
	}
	return add_src(s, path, has ? key : NULL, has);
}

static int add_loc(ct_blkset *s, ct_blkloc *l)
{
	if (s->n_locs == s->cap_locs) {
		size_t nc = s->cap_locs ? s->cap_locs * 2 : 1024;
		ct_blkloc *n = ct__realloc(s->locs, nc * sizeof(*n));
		if (!n)
			return CT_ENOMEM;
		s->locs = n;
		s->cap_locs = nc;
	}
	s->locs[s->n_locs++] = *l;
	return 0;
}

static int set_net(ct_blkset *s, const ct_blksrc *src, uint64_t off, const ct_btc_net *n)
{
	if (s->net && s->net != n)
		return ct__err(CT_EDATA, "%s: offset %llu: %s magic, but the other inputs are %s",
		               src->path, (unsigned long long)off, n->name, s->net->name);
	s->net = n;
	s->net_from_magic = 1;
	return 0;
}

static int check_header(ct_blkset *s, ct_hasher *h, ct_blksrc *src, ct_blkloc *l)
{
	(void)s;
	if (ct__btc_header_check(h, l->header, l->hash, NULL) != 0)
		return ct__err(CT_EDATA, "%s: offset %llu: block header fails its proof of work",
		               src->path, (unsigned long long)l->off);
	return 0;
}

static int all_zero_from(ct_blksrc *src, uint64_t off)
{
	uint8_t buf[65536];
	while (off < src->size) {
		size_t n = src->size - off < sizeof(buf) ? (size_t)(src->size - off) : sizeof(buf);
		if (pread_full(src->fd, buf, n, off) != 0)
			return ct__err_sys("%s: read at offset %llu", src->path, (unsigned long long)off);
		for (size_t i = 0; i < n; i++)
			if (buf[i])
				return ct__err(CT_EDATA, "%s: offset %llu: bad magic (data after the zero padding)",
				               src->path, (unsigned long long)(off + i));
		off += n;
	}
	return 0;
}

static int scan_blk(ct_blkset *s, ct_hasher *h, uint32_t si)
{
	ct_blksrc *src = &s->srcs[si];
	uint64_t off = 0;
	int rc;
	while (off < src->size) {
		uint8_t pre[8];
		if (src->size - off < 8) {
			uint8_t tail[8] = {0};
			size_t n = (size_t)(src->size - off);
			if ((rc = read_raw(src, tail, n, off)))
				return rc;
			for (size_t i = 0; i < n; i++)
				if (tail[i])
					return ct__err(CT_EDATA, "%s: offset %llu: truncated block record",
					               src->path, (unsigned long long)off);
			return 0;
		}
		if ((rc = read_raw(src, pre, 8, off)))
			return rc;
		/* Bitcoin Core preallocates blk files; the unwritten tail reads as
		 * zeros on disk, un-obfuscated even when the file is XORed. */
		if (!memcmp(pre, "\0\0\0\0", 4))
			return all_zero_from(src, off);
		unxor(src, pre, 8, off);
		const ct_btc_net *n = ct__btc_net_by_magic(pre);
		if (!n)
			return ct__err(CT_EDATA, "%s: offset %llu: bad magic %02x%02x%02x%02x",
			               src->path, (unsigned long long)off, pre[0], pre[1], pre[2], pre[3]);
		if ((rc = set_net(s, src, off, n)))
			return rc;
		uint32_t len = ct_le32(pre + 4);
		if (len < CT_BTC_HEADER + 1 || len > CT_BTC_MAX_BLOCK)
			return ct__err(CT_EDATA, "%s: offset %llu: block length %u out of range",
			               src->path, (unsigned long long)off + 4, len);
		if (src->size - off - 8 < len)
			return ct__err(CT_EDATA, "%s: offset %llu: truncated block (%u bytes announced, %llu present)",
			               src->path, (unsigned long long)off, len,
			               (unsigned long long)(src->size - off - 8));
		ct_blkloc l;
		memset(&l, 0, sizeof(l));
		l.src = si;
		l.off = off + 8;
		l.len = len;
		if ((rc = read_at(src, l.header, 80, l.off)) || (rc = check_header(s, h, src, &l)) ||
		    (rc = add_loc(s, &l)))
			return rc;
		s->total_bytes += len;
		off += 8 + (uint64_t)len;
	}
	return 0;
}

static int is_hex_file(ct_blksrc *src)
{
	uint8_t buf[64];
	size_t n = src->size < sizeof(buf) ? (size_t)src->size : sizeof(buf);
	if (n < 2 || pread_full(src->fd, buf, n, 0) != 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit(buf[i]) && !isspace(buf[i]))
			return 0;
	return 1;
}

static int load_hex(ct_blksrc *src)
{
	if (src->size > HEX_MAX)
		return ct__err(CT_EDATA, "%s: offset 0: hex file of %llu bytes exceeds the block cap",
		               src->path, (unsigned long long)src->size);
	char *txt = ct__malloc((size_t)src->size + 1);
	if (!txt)
		return CT_ENOMEM;
	if (pread_full(src->fd, txt, (size_t)src->size, 0) != 0) {
		free(txt);
		return ct__err_sys("%s", src->path);
	}
	size_t nd = 0;
	for (uint64_t i = 0; i < src->size; i++) {
		if (isspace((unsigned char)txt[i]))
			continue;
		if (!isxdigit((unsigned char)txt[i])) {
			free(txt);
			return ct__err(CT_EDATA, "%s: offset %llu: not a hex digit", src->path,
			               (unsigned long long)i);
		}
		txt[nd++] = txt[i];
	}
	if (nd % 2) {
		free(txt);
		return ct__err(CT_EDATA, "%s: offset %llu: odd number of hex digits", src->path,
		               (unsigned long long)src->size);
	}
	src->mem_len = nd / 2;
	src->mem = ct__malloc(src->mem_len ? src->mem_len : 1);
	if (!src->mem) {
		free(txt);
		return CT_ENOMEM;
	}
	ct__unhex(src->mem, txt, src->mem_len);
	free(txt);
	return 0;
}

int ct__blkset_scan(ct_blkset *s, ct_hasher *h, const ct_btc_net *forced)
{
	int rc;
	for (uint32_t i = 0; i < s->n_srcs; i++) {
		ct_blksrc *src = &s->srcs[i];
		uint8_t m[4] = {0};
		if (src->size >= 4 && (rc = read_at(src, m, 4, 0)))
			return rc;
		if (src->size >= 8 && ct__btc_net_by_magic(m)) {
			src->kind = CT_SRC_BLK;
			if ((rc = scan_blk(s, h, i)))
				return rc;
			continue;
		}
		if (src->size == 0)
			return ct__err(CT_EDATA, "%s: offset 0: empty file", src->path);
		ct_blkloc l;
		memset(&l, 0, sizeof(l));
		l.src = i;
		if (is_hex_file(src)) {
			src->kind = CT_SRC_HEX;
			if ((rc = load_hex(src)))
				return rc;
			l.len = (uint32_t)src->mem_len;
		} else {
			src->kind = CT_SRC_RAW;
			if (src->size > CT_BTC_MAX_BLOCK)
				return ct__err(CT_EDATA, "%s: offset 0: %llu bytes is not one raw block (and no "
				               "known magic)", src->path, (unsigned long long)src->size);
			l.len = (uint32_t)src->size;
		}
		if (l.len < CT_BTC_HEADER + 1)
			return ct__err(CT_EDATA, "%s: offset 0: too short for a block (%u bytes; bad magic?)",
			               src->path, l.len);
		if (src->kind == CT_SRC_HEX)
			memcpy(l.header, src->mem, 80);
		else if ((rc = read_at(src, l.header, 80, 0)))
			return rc;
		if ((rc = check_header(s, h, src, &l)) || (rc = add_loc(s, &l)))
			return rc;
		s->total_bytes += l.len;
	}
	if (forced) {
		if (s->net && s->net != forced)
			return ct__err(CT_EUSER, "the blk files are %s but --network %s was given",
			               s->net->name, forced->name);
		s->net = forced;
	}
	if (!s->net)
		s->net = ct__btc_net_by_name("mainnet");
	return 0;
}

int ct__blkset_read(ct_blkset *s, size_t i, uint8_t **buf, size_t *cap)
{
	const ct_blkloc *l = &s->locs[i];
	ct_blksrc *src = &s->srcs[l->src];
	if (*cap < l->len) {
		uint8_t *n = ct__realloc(*buf, l->len);
		if (!n)
			return CT_ENOMEM;
		*buf = n;
		*cap = l->len;
	}
	if (src->kind == CT_SRC_HEX) {
		memcpy(*buf, src->mem, l->len);
		return 0;
	}
	return read_at(src, *buf, l->len, l->off);
}

void ct__blkset_free(ct_blkset *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_srcs; i++) {
		if (s->srcs[i].fd >= 0)
			close(s->srcs[i].fd);
		free(s->srcs[i].path);
		free(s->srcs[i].mem);
	}
	free(s->srcs);
	free(s->locs);
	memset(s, 0, sizeof(*s));
}
