/*
 * ring.c - the producer/consumer hand-off of ring.h.
 */
#include "util/ring.h"

void ct__ring_init(ct_ring *q, size_t n)
{
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	q->filled = q->emptied = 0;
	q->n = n;
	q->stop = 0;
}

void ct__ring_destroy(ct_ring *q)
{
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->cv);
}

int64_t ct__ring_next(ct_ring *q, int consumer)
{
	int64_t i;
	pthread_mutex_lock(&q->mu);
	if (consumer) {
		while (q->filled == q->emptied)
			pthread_cond_wait(&q->cv, &q->mu);
		i = (int64_t)(q->emptied % q->n);
	} else {
		while (!q->stop && q->filled - q->emptied == q->n)
			pthread_cond_wait(&q->cv, &q->mu);
		i = q->stop ? -1 : (int64_t)(q->filled % q->n);
	}
	pthread_mutex_unlock(&q->mu);
	return i;
}

void ct__ring_done(ct_ring *q, int consumer)
{
	pthread_mutex_lock(&q->mu);
	if (consumer)
		q->emptied++;
	else
		q->filled++;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
}

void ct__ring_stop(ct_ring *q)
{
	pthread_mutex_lock(&q->mu);
	q->stop = 1;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
}
