/* cw2v_mem.h -- software prefetch of embedding rows.
 *
 * Training touches rows of the weight matrices in an order the hardware prefetcher cannot guess (noise
 * words are random, context words follow the text). The kernels know the next rows a step ahead, so they
 * ask for them early. Those rows are about to be written, so where the CPU has PREFETCHW (CPUID
 * 0x80000001:ECX bit 8: Intel since Broadwell, AMD) the lines are fetched for ownership: a row the other
 * worker thread wrote last then arrives in one transaction, instead of a shared copy now and an
 * invalidation of the other core's copy at the first store (which stalls the store); the measurements are
 * in docs/benchmarks.md. Other x86
 * CPUs get a read prefetch; other GCC/Clang targets the compiler's write prefetch (PRFM PSTL1KEEP on ARM);
 * other compilers none.
 */
#ifndef CW2V_MEM_H
#define CW2V_MEM_H

#if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__))
#include <cpuid.h>
#define CW2V_MEM_X86 1
#endif

/* 1: prefetch rows for writing (PREFETCHW); 0: for reading. Set by cw2v_mem_init(). */
static int cw2v_prefetch_write = 0;

/* Whether this CPU executes PREFETCHW. */
static inline int cw2v_cpu_has_prefetchw(void)
{
#ifdef CW2V_MEM_X86
    unsigned int a, b, c, d;
    if (__get_cpuid(0x80000001u, &a, &b, &c, &d))
        return (int)((c >> 8) & 1u);
#endif
    return 0;
}

static inline void cw2v_mem_init(void)
{
    cw2v_prefetch_write = cw2v_cpu_has_prefetchw();
}

static inline void cw2v_prefetch_row(const float *row, int size)
{
#if defined(__GNUC__) || defined(__clang__)
    const char *p = (const char *)row, *end = (const char *)(row + size);
#ifdef CW2V_MEM_X86
    if (cw2v_prefetch_write) {
        for (; p < end; p += 64)
            __asm__ __volatile__("prefetchw %0" : : "m"(*p));
        return;
    }
    for (; p < end; p += 64)
        __builtin_prefetch(p, 0, 3);
#else
    for (; p < end; p += 64)
        __builtin_prefetch(p, 1, 3);
#endif
#else
    (void)row;
    (void)size;
#endif
}

#endif /* CW2V_MEM_H */
