/*
 * rng.c - the generator's only source of randomness: xoshiro256** seeded
 * through splitmix64, and the few distributions the economy draws from.
 * Everything derives from --seed, so a seed always gives the same chain.
 */
#include "synth/synth.h"

#include <math.h>

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void syn_rng_seed(syn_rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed ^ (stream * 0xd1b54a32d192ed03ULL);
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix(&x);
}

uint64_t syn_mix3_first(uint64_t a)
{
	uint64_t x = a;
	return splitmix(&x);
}

uint64_t syn_mix3_rest(uint64_t first, uint64_t b, uint64_t c)
{
	uint64_t x = first ^ b;
	uint64_t h = splitmix(&x);
	x = h ^ c;
	return splitmix(&x);
}

uint64_t syn_mix3(uint64_t a, uint64_t b, uint64_t c)
{
	return syn_mix3_rest(syn_mix3_first(a), b, c);
}

void syn_fill(syn_rng *r, uint8_t *out, size_t n)
{
	while (n >= 8) {
		syn_put64(out, syn_next(r));
		out += 8;
		n -= 8;
	}
	if (n) {
		uint64_t v = syn_next(r);
		for (size_t i = 0; i < n; i++)
			out[i] = (uint8_t)(v >> (8 * i));
	}
}

double syn_normal(syn_rng *r)
{
	/* Box-Muller; one of the pair is dropped to keep no hidden state. */
	double u1 = syn_unif(r), u2 = syn_unif(r);
	if (u1 < 1e-300)
		u1 = 1e-300;
	return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

double syn_lognormal(syn_rng *r, double median, double sigma)
{
	return median * exp(sigma * syn_normal(r));
}

double syn_exp(syn_rng *r, double mean)
{
	double u = syn_unif(r);
	return -mean * log(1.0 - u);
}

uint32_t syn_geom(syn_rng *r, double p, uint32_t max)
{
	uint32_t k = 1;
	while (k < max && !syn_chance(r, p))
		k++;
	return k;
}

uint32_t syn_pick(syn_rng *r, const double *cw, uint32_t n)
{
	double x = syn_unif(r) * cw[n - 1];
	for (uint32_t i = 0; i < n; i++)
		if (x < cw[i])
			return i;
	return n - 1;
}
