/* cw2v_rng.h -- small, fast, explicitly-seeded random numbers for the training kernels.
 *
 * The generator is SplitMix64 (Steele, Lea & Flood 2014, "Fast splittable pseudorandom number
 * generators"): a 64-bit counter advanced by an odd constant, then mixed. It passes BigCrush, costs a
 * few cycles, and any 64-bit seed gives a full-period stream, so each training job can derive its own
 * stream from (seed, job number) and results never depend on which thread ran the job.
 *
 * State is passed by pointer; there are no globals. No Python.h.
 */
#ifndef CW2V_RNG_H
#define CW2V_RNG_H

#include <stdint.h>

typedef struct {
    uint64_t state;
} cw2v_rng;

static inline uint64_t cw2v_mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* A stream for (seed, stream): distinct streams for distinct jobs of the same seed. */
static inline void cw2v_rng_seed(cw2v_rng *rng, uint64_t seed, uint64_t stream)
{
    rng->state = cw2v_mix64(seed ^ cw2v_mix64(stream + UINT64_C(0x9E3779B97F4A7C15)));
}

static inline uint64_t cw2v_rng_next(cw2v_rng *rng)
{
    rng->state += UINT64_C(0x9E3779B97F4A7C15);
    return cw2v_mix64(rng->state);
}

/* Uniform integer in [0, n) for n < 2**32 (Lemire's multiply-shift; bias below 2**-32 per draw). */
static inline uint32_t cw2v_rng_below(cw2v_rng *rng, uint32_t n)
{
    return (uint32_t)(((cw2v_rng_next(rng) >> 32) * (uint64_t)n) >> 32);
}

#endif /* CW2V_RNG_H */
