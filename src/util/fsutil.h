/*
 * fsutil.h - small file-system helpers with the durability rules the
 * store needs (atomic replace = write temp, fsync, rename, fsync dir).
 */
#ifndef CT_UTIL_FSUTIL_H
#define CT_UTIL_FSUTIL_H

#include <stddef.h>
#include <stdint.h>

/* mkdir -p; 0 or CT_EIO. */
int ct__mkdirs(const char *path);
/* Replace dir/name with data atomically and durably. */
int ct__write_atomic(const char *dir, const char *name, const void *data, size_t len);
/* Read up to cap bytes of a small file; *len gets the size. CT_ENOTFOUND
 * if it does not exist. */
int ct__read_small(const char *path, void *buf, size_t cap, size_t *len);
/* Remove dir/name durably (missing is fine). */
int ct__remove_durable(const char *dir, const char *name);
int ct__fsync_dir(const char *dir);
/* Take an exclusive advisory lock on dir/LOCK; *fd receives it. */
int ct__lock_dir(const char *dir, int *fd);
int ct__path_exists(const char *path);
int ct__is_dir(const char *path);
/* Remove a directory of plain files (one level), then the directory. */
int ct__remove_tree(const char *dir);

#endif
