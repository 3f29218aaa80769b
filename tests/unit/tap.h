/*
 * tap.h - a minimal test harness for the C unit tests: CHECK() records a
 * failure with its line and goes on; main returns the failure count.
 */
#ifndef CT_TEST_TAP_H
#define CT_TEST_TAP_H

#include <stdio.h>

static int tap_failed, tap_run;

#define CHECK(cond)                                                              \
	do {                                                                         \
		tap_run++;                                                               \
		if (!(cond)) {                                                           \
			tap_failed++;                                                        \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
		}                                                                        \
	} while (0)

#define TAP_DONE()                                                               \
	do {                                                                         \
		printf("%d passed, %d failed\n", tap_run - tap_failed, tap_failed);      \
		return tap_failed ? 1 : 0;                                               \
	} while (0)

#endif
