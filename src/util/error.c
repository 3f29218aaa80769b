/*
 * error.c - thread-local error messages and checked allocation.
 */
#include "util/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CT_ERRMSG_MAX 1024

static _Thread_local char errmsg[CT_ERRMSG_MAX];

const char *ct_error_last(void) { return errmsg; }

void ct__err_clear(void) { errmsg[0] = '\0'; }

int ct__err(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(errmsg, sizeof(errmsg), fmt, ap);
	va_end(ap);
	return code;
}

int ct__err_prefix(int code, const char *fmt, ...)
{
	char prefix[CT_ERRMSG_MAX], old[CT_ERRMSG_MAX];
	va_list ap;
	memcpy(old, errmsg, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	if (old[0])
		snprintf(errmsg, sizeof(errmsg), "%s: %s", prefix, old);
	else
		snprintf(errmsg, sizeof(errmsg), "%s", prefix);
	return code;
}

int ct__err_sys(const char *fmt, ...)
{
	char what[CT_ERRMSG_MAX];
	int e = errno;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(errmsg, sizeof(errmsg), "%s: %s", what, strerror(e));
	return CT_EIO;
}

const char *ct_strerror(int code)
{
	switch (code) {
	case CT_OK: return "success";
	case CT_EUSER: return "invalid request";
	case CT_EDATA: return "bad input data";
	case CT_EIO: return "I/O error";
	case CT_ENOMEM: return "out of memory";
	case CT_ENOTFOUND: return "not found";
	case CT_ECORRUPT: return "data directory corrupt";
	case CT_EINTERNAL: return "internal error";
	case CT_ELOCKED: return "data directory locked by another writer";
	default: return "unknown error";
	}
}

void ct_free(void *p) { free(p); }

void *ct__malloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		ct__err(CT_ENOMEM, "out of memory (%zu bytes)", n);
	return p;
}

void *ct__calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		ct__err(CT_ENOMEM, "out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void *ct__realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		ct__err(CT_ENOMEM, "out of memory (%zu bytes)", n);
	return q;
}

char *ct__strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = ct__malloc(n);
	if (p)
		memcpy(p, s, n);
	return p;
}
