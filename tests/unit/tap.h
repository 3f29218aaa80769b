/*
 * tap.h - a minimal test harness for the C unit tests: CHECK() records a
 * failure with its line and goes on; main returns the failure count.
 * tap_rand() is a fixed-seed xorshift generator for randomised checks
 * (tap_seed() picks the sequence), so every run tests the same inputs.
 */
#ifndef CT_TEST_TAP_H
#define CT_TEST_TAP_H

#include <stdint.h>
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

static uint64_t tap_rng = 88172645463325252ull;

static inline void tap_seed(uint64_t s) { tap_rng = s ? s : 1; }

static inline uint64_t tap_rand(void)
{
	tap_rng ^= tap_rng << 13;
	tap_rng ^= tap_rng >> 7;
	tap_rng ^= tap_rng << 17;
	return tap_rng;
}

#define TAP_DONE()                                                               \
	do {                                                                         \
		printf("%d passed, %d failed\n", tap_run - tap_failed, tap_failed);      \
		return tap_failed ? 1 : 0;                                               \
	} while (0)

#endif
