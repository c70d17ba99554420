/* cw2v_rowops.h -- dot products and row updates on one embedding row, chosen for the CPU at run time.
 *
 * The per-word kernels (CBOW with negative sampling, word2vec.c's per-pair reference path) make dozens of
 * level-1 operations on 100-300 floats per word. Through the BLAS interface each one pays for argument
 * checks and a dispatch before a few vector instructions; here they are plain calls to AVX-512 or
 * AVX2 + FMA loops picked once at import from what the CPU (and OS) supports, and the two updates of a
 * binary-logistic step (grad += g * out, out += g * hidden) share one pass over the output row.
 *
 * Where neither instruction set is available, or the compiler is not GCC/Clang on x86-64, the function
 * pointers are left NULL and the caller (cw2v/_kernels.pyx) fills in BLAS (sdot/saxpy) wrappers. The
 * several-row operations (dots, steps, sum_rows, add_rows) serve one-input-row blocks: the hidden vector
 * and the gradient stay in registers across the block's rows; dots, combine and add_rows also make the
 * three products of a block of several input rows where the BLAS's sgemm is slow for such small
 * matrices (see logistic_block in cw2v/_kernels.pyx).
 */
#ifndef CW2V_ROWOPS_H
#define CW2V_ROWOPS_H

typedef float (*cw2v_dot_fn)(int n, const float *x, const float *y);
/* y += a * x */
typedef void (*cw2v_axpy_fn)(int n, float a, const float *x, float *y);
/* grad += g * out (with out's value before the update); out += g * hidden */
typedef void (*cw2v_step_fn)(int n, float g, const float *hidden, float *out, float *grad);

/* scores[t] = hidden . rows[t] for t < k */
typedef void (*cw2v_dots_fn)(int n, const float *hidden, int k, float *const *rows, float *scores);
/* grad = sum_t g[t] * rows[t] (the rows' values before this call); then rows[t] += g[t] * hidden.
 * The rows must be distinct (a repeated row would be read after its own update). */
typedef void (*cw2v_steps_fn)(int n, const float *hidden, int k, float *const *rows, const float *g, float *grad);
/* out = scale * sum of the k rows */
typedef void (*cw2v_sum_rows_fn)(int n, int k, const float *const *rows, float scale, float *out);
/* rows[i] += a[i] * x for i < k */
typedef void (*cw2v_add_rows_fn)(int n, int k, float *const *rows, const float *a, const float *x);
/* out = sum_i a[i * a_stride] * rows[i] for i < k, added to out's values if ``accumulate`` (rows only read;
 * out may be one of no rows) */
typedef void (*cw2v_combine_fn)(int n, int k, float *const *rows, const float *a, int a_stride, int accumulate,
                                float *out);

typedef struct {
    cw2v_dot_fn dot;
    cw2v_axpy_fn axpy;
    cw2v_step_fn step;
    cw2v_dots_fn dots;
    cw2v_steps_fn steps;
    cw2v_sum_rows_fn sum_rows;
    cw2v_add_rows_fn add_rows;
    cw2v_combine_fn combine;
    const char *name;
} cw2v_rowops;

#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__)
#include <immintrin.h>
#define CW2V_ROWOPS_X86 1

/* ---- AVX-512F: 16 floats per vector, the tail through a mask ---- */

__attribute__((target("avx512f")))
static float cw2v_dot_avx512(int n, const float *x, const float *y)
{
    __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps();
    int i = 0;
    for (; i + 32 <= n; i += 32) {
        a0 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i), a0);
        a1 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i + 16), _mm512_loadu_ps(y + i + 16), a1);
    }
    for (; i + 16 <= n; i += 16)
        a0 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i), a0);
    if (i < n) {
        __mmask16 m = (__mmask16)((1u << (n - i)) - 1u);
        a1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, x + i), _mm512_maskz_loadu_ps(m, y + i), a1);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(a0, a1));
}

__attribute__((target("avx512f")))
static void cw2v_axpy_avx512(int n, float a, const float *x, float *y)
{
    __m512 va = _mm512_set1_ps(a);
    int i = 0;
    for (; i + 16 <= n; i += 16)
        _mm512_storeu_ps(y + i, _mm512_fmadd_ps(va, _mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i)));
    if (i < n) {
        __mmask16 m = (__mmask16)((1u << (n - i)) - 1u);
        _mm512_mask_storeu_ps(y + i, m, _mm512_fmadd_ps(va, _mm512_maskz_loadu_ps(m, x + i),
                                                        _mm512_maskz_loadu_ps(m, y + i)));
    }
}

__attribute__((target("avx512f")))
static void cw2v_step_avx512(int n, float g, const float *hidden, float *out, float *grad)
{
    __m512 vg = _mm512_set1_ps(g), o;
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        o = _mm512_loadu_ps(out + i);
        _mm512_storeu_ps(grad + i, _mm512_fmadd_ps(vg, o, _mm512_loadu_ps(grad + i)));
        _mm512_storeu_ps(out + i, _mm512_fmadd_ps(vg, _mm512_loadu_ps(hidden + i), o));
    }
    if (i < n) {
        __mmask16 m = (__mmask16)((1u << (n - i)) - 1u);
        o = _mm512_maskz_loadu_ps(m, out + i);
        _mm512_mask_storeu_ps(grad + i, m, _mm512_fmadd_ps(vg, o, _mm512_maskz_loadu_ps(m, grad + i)));
        _mm512_mask_storeu_ps(out + i, m, _mm512_fmadd_ps(vg, _mm512_maskz_loadu_ps(m, hidden + i), o));
    }
}

/* Several rows at once: the hidden vector (and the gradient) stay in registers chunk by chunk instead of
 * being loaded and stored once per row. */

__attribute__((target("avx512f")))
static void cw2v_dots_avx512(int n, const float *hidden, int k, float *const *rows, float *scores)
{
    int t = 0, i;
    for (; t + 4 <= k; t += 4) {
        __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps(), a2 = _mm512_setzero_ps(),
               a3 = _mm512_setzero_ps(), h;
        const float *r0 = rows[t], *r1 = rows[t + 1], *r2 = rows[t + 2], *r3 = rows[t + 3];
        for (i = 0; i + 16 <= n; i += 16) {
            h = _mm512_loadu_ps(hidden + i);
            a0 = _mm512_fmadd_ps(h, _mm512_loadu_ps(r0 + i), a0);
            a1 = _mm512_fmadd_ps(h, _mm512_loadu_ps(r1 + i), a1);
            a2 = _mm512_fmadd_ps(h, _mm512_loadu_ps(r2 + i), a2);
            a3 = _mm512_fmadd_ps(h, _mm512_loadu_ps(r3 + i), a3);
        }
        if (i < n) {
            __mmask16 m = (__mmask16)((1u << (n - i)) - 1u);
            h = _mm512_maskz_loadu_ps(m, hidden + i);
            a0 = _mm512_fmadd_ps(h, _mm512_maskz_loadu_ps(m, r0 + i), a0);
            a1 = _mm512_fmadd_ps(h, _mm512_maskz_loadu_ps(m, r1 + i), a1);
            a2 = _mm512_fmadd_ps(h, _mm512_maskz_loadu_ps(m, r2 + i), a2);
            a3 = _mm512_fmadd_ps(h, _mm512_maskz_loadu_ps(m, r3 + i), a3);
        }
        scores[t] = _mm512_reduce_add_ps(a0);
        scores[t + 1] = _mm512_reduce_add_ps(a1);
        scores[t + 2] = _mm512_reduce_add_ps(a2);
        scores[t + 3] = _mm512_reduce_add_ps(a3);
    }
    if (t + 2 <= k) {
        __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps(), h;
        const float *r0 = rows[t], *r1 = rows[t + 1];
        for (i = 0; i < n; i += 16) {
            __mmask16 m = n - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - i)) - 1u);
            h = _mm512_maskz_loadu_ps(m, hidden + i);
            a0 = _mm512_fmadd_ps(h, _mm512_maskz_loadu_ps(m, r0 + i), a0);
            a1 = _mm512_fmadd_ps(h, _mm512_maskz_loadu_ps(m, r1 + i), a1);
        }
        scores[t] = _mm512_reduce_add_ps(a0);
        scores[t + 1] = _mm512_reduce_add_ps(a1);
        t += 2;
    }
    if (t < k)
        scores[t] = cw2v_dot_avx512(n, hidden, rows[t]);
}

__attribute__((target("avx512f")))
static void cw2v_steps_avx512(int n, const float *hidden, int k, float *const *rows, const float *g, float *grad)
{
    int i = 0, t;
    for (; i < n; i += 16) {
        __mmask16 m = n - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - i)) - 1u);
        __m512 h = _mm512_maskz_loadu_ps(m, hidden + i), acc = _mm512_setzero_ps(), o, vg;
        for (t = 0; t < k; t++) {
            vg = _mm512_set1_ps(g[t]);
            o = _mm512_maskz_loadu_ps(m, rows[t] + i);
            acc = _mm512_fmadd_ps(vg, o, acc);
            _mm512_mask_storeu_ps(rows[t] + i, m, _mm512_fmadd_ps(vg, h, o));
        }
        _mm512_mask_storeu_ps(grad + i, m, acc);
    }
}

__attribute__((target("avx512f")))
static void cw2v_sum_rows_avx512(int n, int k, const float *const *rows, float scale, float *out)
{
    int i = 0, j;
    __m512 vs = _mm512_set1_ps(scale);
    for (; i < n; i += 16) {
        __mmask16 m = n - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - i)) - 1u);
        __m512 acc = _mm512_setzero_ps();
        for (j = 0; j < k; j++)
            acc = _mm512_add_ps(acc, _mm512_maskz_loadu_ps(m, rows[j] + i));
        _mm512_mask_storeu_ps(out + i, m, _mm512_mul_ps(acc, vs));
    }
}

__attribute__((target("avx512f")))
static void cw2v_add_rows_avx512(int n, int k, float *const *rows, const float *a, const float *x)
{
    int i = 0, j;
    for (; i < n; i += 16) {
        __mmask16 m = n - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - i)) - 1u);
        __m512 v = _mm512_maskz_loadu_ps(m, x + i);
        for (j = 0; j < k; j++)
            _mm512_mask_storeu_ps(rows[j] + i, m, _mm512_fmadd_ps(_mm512_set1_ps(a[j]), v,
                                                                  _mm512_maskz_loadu_ps(m, rows[j] + i)));
    }
}

__attribute__((target("avx512f")))
static void cw2v_combine_avx512(int n, int k, float *const *rows, const float *a, int a_stride, int accumulate,
                                float *out)
{
    int i = 0, j;
    /* 64 floats at a time: each weight is broadcast once for four vectors */
    for (; i + 64 <= n; i += 64) {
        __m512 c0, c1, c2, c3, w;
        if (accumulate) {
            c0 = _mm512_loadu_ps(out + i);
            c1 = _mm512_loadu_ps(out + i + 16);
            c2 = _mm512_loadu_ps(out + i + 32);
            c3 = _mm512_loadu_ps(out + i + 48);
        } else {
            c0 = c1 = c2 = c3 = _mm512_setzero_ps();
        }
        for (j = 0; j < k; j++) {
            const float *r = rows[j] + i;
            w = _mm512_set1_ps(a[j * a_stride]);
            c0 = _mm512_fmadd_ps(w, _mm512_loadu_ps(r), c0);
            c1 = _mm512_fmadd_ps(w, _mm512_loadu_ps(r + 16), c1);
            c2 = _mm512_fmadd_ps(w, _mm512_loadu_ps(r + 32), c2);
            c3 = _mm512_fmadd_ps(w, _mm512_loadu_ps(r + 48), c3);
        }
        _mm512_storeu_ps(out + i, c0);
        _mm512_storeu_ps(out + i + 16, c1);
        _mm512_storeu_ps(out + i + 32, c2);
        _mm512_storeu_ps(out + i + 48, c3);
    }
    for (; i < n; i += 16) {
        __mmask16 m = n - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - i)) - 1u);
        __m512 acc = accumulate ? _mm512_maskz_loadu_ps(m, out + i) : _mm512_setzero_ps();
        for (j = 0; j < k; j++)
            acc = _mm512_fmadd_ps(_mm512_set1_ps(a[j * a_stride]), _mm512_maskz_loadu_ps(m, rows[j] + i), acc);
        _mm512_mask_storeu_ps(out + i, m, acc);
    }
}

/* ---- AVX2 + FMA: 8 floats per vector, the tail one float at a time ---- */

__attribute__((target("avx2,fma")))
static float cw2v_dot_avx2(int n, const float *x, const float *y)
{
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
    __m128 s;
    float r;
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), a0);
        a1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 8), _mm256_loadu_ps(y + i + 8), a1);
    }
    for (; i + 8 <= n; i += 8)
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), a0);
    a0 = _mm256_add_ps(a0, a1);
    s = _mm_add_ps(_mm256_castps256_ps128(a0), _mm256_extractf128_ps(a0, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    r = _mm_cvtss_f32(s);
    for (; i < n; i++)
        r += x[i] * y[i];
    return r;
}

__attribute__((target("avx2,fma")))
static void cw2v_axpy_avx2(int n, float a, const float *x, float *y)
{
    __m256 va = _mm256_set1_ps(a);
    int i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_fmadd_ps(va, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
    for (; i < n; i++)
        y[i] += a * x[i];
}

__attribute__((target("avx2,fma")))
static void cw2v_step_avx2(int n, float g, const float *hidden, float *out, float *grad)
{
    __m256 vg = _mm256_set1_ps(g), o;
    float os;
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        o = _mm256_loadu_ps(out + i);
        _mm256_storeu_ps(grad + i, _mm256_fmadd_ps(vg, o, _mm256_loadu_ps(grad + i)));
        _mm256_storeu_ps(out + i, _mm256_fmadd_ps(vg, _mm256_loadu_ps(hidden + i), o));
    }
    for (; i < n; i++) {
        os = out[i];
        grad[i] += g * os;
        out[i] = os + g * hidden[i];
    }
}

__attribute__((target("avx2,fma")))
static float cw2v_hsum_avx2(__m256 a)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
}

__attribute__((target("avx2,fma")))
static void cw2v_dots_avx2(int n, const float *hidden, int k, float *const *rows, float *scores)
{
    int t = 0, i;
    for (; t + 4 <= k; t += 4) {
        __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(),
               a3 = _mm256_setzero_ps(), h;
        const float *r0 = rows[t], *r1 = rows[t + 1], *r2 = rows[t + 2], *r3 = rows[t + 3];
        float s0, s1, s2, s3;
        for (i = 0; i + 8 <= n; i += 8) {
            h = _mm256_loadu_ps(hidden + i);
            a0 = _mm256_fmadd_ps(h, _mm256_loadu_ps(r0 + i), a0);
            a1 = _mm256_fmadd_ps(h, _mm256_loadu_ps(r1 + i), a1);
            a2 = _mm256_fmadd_ps(h, _mm256_loadu_ps(r2 + i), a2);
            a3 = _mm256_fmadd_ps(h, _mm256_loadu_ps(r3 + i), a3);
        }
        s0 = cw2v_hsum_avx2(a0);
        s1 = cw2v_hsum_avx2(a1);
        s2 = cw2v_hsum_avx2(a2);
        s3 = cw2v_hsum_avx2(a3);
        for (; i < n; i++) {
            s0 += hidden[i] * r0[i];
            s1 += hidden[i] * r1[i];
            s2 += hidden[i] * r2[i];
            s3 += hidden[i] * r3[i];
        }
        scores[t] = s0;
        scores[t + 1] = s1;
        scores[t + 2] = s2;
        scores[t + 3] = s3;
    }
    for (; t < k; t++)
        scores[t] = cw2v_dot_avx2(n, hidden, rows[t]);
}

__attribute__((target("avx2,fma")))
static void cw2v_steps_avx2(int n, const float *hidden, int k, float *const *rows, const float *g, float *grad)
{
    int i = 0, t;
    for (; i + 8 <= n; i += 8) {
        __m256 h = _mm256_loadu_ps(hidden + i), acc = _mm256_setzero_ps(), o, vg;
        for (t = 0; t < k; t++) {
            vg = _mm256_set1_ps(g[t]);
            o = _mm256_loadu_ps(rows[t] + i);
            acc = _mm256_fmadd_ps(vg, o, acc);
            _mm256_storeu_ps(rows[t] + i, _mm256_fmadd_ps(vg, h, o));
        }
        _mm256_storeu_ps(grad + i, acc);
    }
    for (; i < n; i++) {
        float acc = 0.0f, o;
        for (t = 0; t < k; t++) {
            o = rows[t][i];
            acc += g[t] * o;
            rows[t][i] = o + g[t] * hidden[i];
        }
        grad[i] = acc;
    }
}

__attribute__((target("avx2,fma")))
static void cw2v_sum_rows_avx2(int n, int k, const float *const *rows, float scale, float *out)
{
    int i = 0, j;
    __m256 vs = _mm256_set1_ps(scale);
    for (; i + 8 <= n; i += 8) {
        __m256 acc = _mm256_setzero_ps();
        for (j = 0; j < k; j++)
            acc = _mm256_add_ps(acc, _mm256_loadu_ps(rows[j] + i));
        _mm256_storeu_ps(out + i, _mm256_mul_ps(acc, vs));
    }
    for (; i < n; i++) {
        float acc = 0.0f;
        for (j = 0; j < k; j++)
            acc += rows[j][i];
        out[i] = acc * scale;
    }
}

__attribute__((target("avx2,fma")))
static void cw2v_add_rows_avx2(int n, int k, float *const *rows, const float *a, const float *x)
{
    int i = 0, j;
    for (; i + 8 <= n; i += 8) {
        __m256 v = _mm256_loadu_ps(x + i);
        for (j = 0; j < k; j++)
            _mm256_storeu_ps(rows[j] + i, _mm256_fmadd_ps(_mm256_set1_ps(a[j]), v, _mm256_loadu_ps(rows[j] + i)));
    }
    for (; i < n; i++)
        for (j = 0; j < k; j++)
            rows[j][i] += a[j] * x[i];
}

__attribute__((target("avx2,fma")))
static void cw2v_combine_avx2(int n, int k, float *const *rows, const float *a, int a_stride, int accumulate,
                              float *out)
{
    int i = 0, j;
    for (; i + 8 <= n; i += 8) {
        __m256 acc = accumulate ? _mm256_loadu_ps(out + i) : _mm256_setzero_ps();
        for (j = 0; j < k; j++)
            acc = _mm256_fmadd_ps(_mm256_set1_ps(a[j * a_stride]), _mm256_loadu_ps(rows[j] + i), acc);
        _mm256_storeu_ps(out + i, acc);
    }
    for (; i < n; i++) {
        float acc = accumulate ? out[i] : 0.0f;
        for (j = 0; j < k; j++)
            acc += a[j * a_stride] * rows[j][i];
        out[i] = acc;
    }
}
#endif

/* Fill ``ops`` for this CPU: ``want`` 0 = best available, 1 = BLAS (NULL pointers), 2 = AVX2 + FMA,
 * 3 = AVX-512F. Returns 0, or -1 if the requested set is not available here (``ops`` then unchanged). */
static inline int cw2v_rowops_select(cw2v_rowops *ops, int want)
{
    int has512 = 0, has2 = 0;
#ifdef CW2V_ROWOPS_X86
    __builtin_cpu_init();
    has512 = __builtin_cpu_supports("avx512f") ? 1 : 0;
    has2 = (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) ? 1 : 0;
#endif
    if (want == 0)
        want = has512 ? 3 : (has2 ? 2 : 1);
    if ((want == 3 && !has512) || (want == 2 && !has2) || want < 1 || want > 3)
        return -1;
    ops->dot = 0;
    ops->axpy = 0;
    ops->step = 0;
    ops->dots = 0;
    ops->steps = 0;
    ops->sum_rows = 0;
    ops->add_rows = 0;
    ops->combine = 0;
    ops->name = "blas";
#ifdef CW2V_ROWOPS_X86
    if (want == 3) {
        ops->dot = cw2v_dot_avx512;
        ops->axpy = cw2v_axpy_avx512;
        ops->step = cw2v_step_avx512;
        ops->dots = cw2v_dots_avx512;
        ops->steps = cw2v_steps_avx512;
        ops->sum_rows = cw2v_sum_rows_avx512;
        ops->add_rows = cw2v_add_rows_avx512;
        ops->combine = cw2v_combine_avx512;
        ops->name = "avx512";
    } else if (want == 2) {
        ops->dot = cw2v_dot_avx2;
        ops->axpy = cw2v_axpy_avx2;
        ops->step = cw2v_step_avx2;
        ops->dots = cw2v_dots_avx2;
        ops->steps = cw2v_steps_avx2;
        ops->sum_rows = cw2v_sum_rows_avx2;
        ops->add_rows = cw2v_add_rows_avx2;
        ops->combine = cw2v_combine_avx2;
        ops->name = "avx2";
    }
#endif
    return 0;
}

#endif /* CW2V_ROWOPS_H */
