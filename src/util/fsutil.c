/*
 * fsutil.c - directories, atomic small files, locks.
 */
#include "util/fsutil.h"
#include "util/error.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

int ct__mkdirs(const char *path)
{
	char buf[4096];
	size_t n = strlen(path);
	if (n == 0 || n >= sizeof(buf))
		return ct__err(CT_EUSER, "bad directory path '%s'", path);
	memcpy(buf, path, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (buf[i] == '/' || buf[i] == '\0') {
			char c = buf[i];
			buf[i] = '\0';
			if (mkdir(buf, 0755) != 0 && errno != EEXIST)
				return ct__err_sys("mkdir %s", buf);
			buf[i] = c;
		}
	}
	if (!ct__is_dir(path))
		return ct__err(CT_EUSER, "%s: not a directory", path);
	return 0;
}

int ct__fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return ct__err_sys("open %s", dir);
	int rc = fsync(fd);
	close(fd);
	return rc ? ct__err_sys("fsync %s", dir) : 0;
}

int ct__write_atomic(const char *dir, const char *name, const void *data, size_t len)
{
	char tmp[4096], fin[4096];
	snprintf(tmp, sizeof(tmp), "%s/%s.tmp", dir, name);
	snprintf(fin, sizeof(fin), "%s/%s", dir, name);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return ct__err_sys("create %s", tmp);
	const char *p = data;
	size_t left = len;
	while (left) {
		ssize_t w = write(fd, p, left);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return ct__err_sys("write %s", tmp);
		}
		p += w;
		left -= (size_t)w;
	}
	if (fsync(fd) != 0) {
		close(fd);
		return ct__err_sys("fsync %s", tmp);
	}
	close(fd);
	if (rename(tmp, fin) != 0)
		return ct__err_sys("rename %s", tmp);
	return ct__fsync_dir(dir);
}

int ct__read_small(const char *path, void *buf, size_t cap, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return CT_ENOTFOUND;
		return ct__err_sys("open %s", path);
	}
	size_t got = 0;
	while (got < cap) {
		ssize_t r = read(fd, (char *)buf + got, cap - got);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return ct__err_sys("read %s", path);
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	*len = got;
	return 0;
}

int ct__remove_durable(const char *dir, const char *name)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if (unlink(p) != 0) {
		if (errno == ENOENT)
			return 0;
		return ct__err_sys("unlink %s", p);
	}
	return ct__fsync_dir(dir);
}

int ct__lock_dir(const char *dir, int *fd)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s/LOCK", dir);
	int f = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (f < 0)
		return ct__err_sys("open %s", p);
	if (flock(f, LOCK_EX | LOCK_NB) != 0) {
		close(f);
		if (errno == EWOULDBLOCK)
			return ct__err(CT_ELOCKED, "%s: another cointrail process is writing this data directory", dir);
		return ct__err_sys("lock %s", p);
	}
	*fd = f;
	return 0;
}

int ct__path_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

int ct__is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int ct__remove_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	if (!d)
		return errno == ENOENT ? 0 : ct__err_sys("%s", dir);
	while ((e = readdir(d))) {
		char p[4096];
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		unlink(p);
	}
	closedir(d);
	return rmdir(dir) == 0 ? 0 : ct__err_sys("rmdir %s", dir);
}
