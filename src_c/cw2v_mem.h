/* cw2v_mem.h -- software prefetch of embedding rows.
 *
 * Training touches rows of the weight matrices in an order the hardware prefetcher cannot guess (noise
 * words are random, context words follow the text). The kernels know the next rows a step ahead, so they
 * ask for them early; the hint is a no-op where the compiler offers none.
 */
#ifndef CW2V_MEM_H
#define CW2V_MEM_H

static inline void cw2v_prefetch_row(const float *row, int size)
{
#if defined(__GNUC__) || defined(__clang__)
    const char *p = (const char *)row, *end = (const char *)(row + size);
    for (; p < end; p += 64)
        __builtin_prefetch(p, 1, 3);
#else
    (void)row;
    (void)size;
#endif
}

#endif /* CW2V_MEM_H */
