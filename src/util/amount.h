/*
 * amount.h - exact decimal rendering and parsing of base-unit amounts.
 */
#ifndef CT_UTIL_AMOUNT_H
#define CT_UTIL_AMOUNT_H

#include <stddef.h>
#include <stdint.h>

/* "123.45670000" for value 12345670000 with 8 decimals. Signed values
 * get a leading '-'. out needs 32 bytes. */
void ct__amount_str(char *out, size_t cap, int64_t value, int decimals);
void ct__amount_ustr(char *out, size_t cap, uint64_t value, int decimals);
/* Parse "1.5" / "0.00000001" exactly; 0 on success, -1 on syntax error,
 * too many decimals or overflow. */
int ct__amount_parse(uint64_t *out, const char *s, int decimals);
/* ISO 8601 UTC "2018-01-25T15:04:00Z" from Unix seconds (cap >= 21). */
void ct__time_str(char *out, size_t cap, int64_t t);

#endif
