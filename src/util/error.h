/*
 * error.h - the thread-local one-line error message behind ct_error_last().
 *
 * Library code reports failure by returning a negative CT_E* code after
 * setting the message with ct__err(). A caller that adds context uses
 * ct__err_prefix() so the lower message is kept, not replaced.
 */
#ifndef CT_UTIL_ERROR_H
#define CT_UTIL_ERROR_H

#include "cointrail.h"

#if defined(__GNUC__)
#define CT_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CT_PRINTF(a, b)
#endif

/* Set the message and return `code` (so `return ct__err(CT_EDATA, ...)`). */
int ct__err(int code, const char *fmt, ...) CT_PRINTF(2, 3);
/* Prepend "prefix: " to the current message; returns `code`. */
int ct__err_prefix(int code, const char *fmt, ...) CT_PRINTF(2, 3);
/* Set the message from errno: "<what>: <strerror>"; returns CT_EIO. */
int ct__err_sys(const char *fmt, ...) CT_PRINTF(1, 2);
void ct__err_clear(void);

/* Checked allocation helpers: set CT_ENOMEM's message on failure. */
void *ct__malloc(size_t n);
void *ct__calloc(size_t n, size_t size);
void *ct__realloc(void *p, size_t n);
char *ct__strdup(const char *s);

#define CT_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
