/*
 * ring.h - the hand-off of a producer thread and a consumer thread over a
 * fixed ring of n slots: counts of slots filled and emptied, a mutex and
 * one condition variable, and a stop flag for a consumer that gives up.
 * The slots themselves are the caller's (slot i of the ring is i % n).
 */
#ifndef CT_UTIL_RING_H
#define CT_UTIL_RING_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ct_ring {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint64_t filled, emptied; /* slots [emptied, filled) are full */
	size_t n;
	int stop;
} ct_ring;

void ct__ring_init(ct_ring *q, size_t n);
void ct__ring_destroy(ct_ring *q);
/* The index of the next slot to work on, once there is one: for the
 * producer (consumer = 0) a free slot, or -1 once the consumer stopped;
 * for the consumer a full one. ct__ring_done() hands it over. */
int64_t ct__ring_next(ct_ring *q, int consumer);
void ct__ring_done(ct_ring *q, int consumer);
/* Consumer: no more slots are wanted (wakes a waiting producer). */
void ct__ring_stop(ct_ring *q);

#endif
