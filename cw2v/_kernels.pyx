# cython: language_level=3
"""Training kernels: skip-gram and CBOW with negative sampling and/or hierarchical softmax.

Everything below runs with the GIL released. The shape follows fastText's loss/model split:

1. **Target collection** (:c:func:`collect_targets`): the output rows of one prediction with their labels --
   the Huffman path of the target word (label ``1 - code``) and/or the target's negative-sampling row
   (label 1) plus ``negative`` noise words (label 0; -1, i.e. left out, for a noise word equal to the
   target, as word2vec.c skips it). Grouped skip-gram blocks collect several center words' rows and one
   shared set of noise words (:c:func:`sg_block`).
2. **One logistic-block primitive** (:c:func:`logistic_block`): the binary-logistic updates of ``m`` input
   rows against those output rows. One input row (CBOW's hidden vector, word2vec.c's per-pair skip-gram):
   fused row operations, output rows updated one after the other as word2vec.c does. Several input rows
   (HogBatch, Ji et al. 2016): every pair scored from the same pre-update values with level-3 BLAS
   (:c:func:`gemm_rm`), then all rows updated once.
3. **Window drivers** (:c:func:`sg_block`, :c:func:`sg_pairs`, :c:func:`cbow_window`)
   only form the inputs and scatter the input gradients; :c:func:`train_sentence` is the one dispatch,
   chosen once per :class:`Trainer` (``Context.driver``), that training and the tests both run.

Per-thread state (scratch buffers, random stream, the replica of hot ``syn1`` rows) lives in a
:class:`Worker`, allocated once per thread and reused for every job.

Names used here and their gensim / word2vec.c equivalents:

=================  ==========================  ==================
here               gensim                      word2vec.c
=================  ==========================  ==================
``w_in``           ``wv.vectors`` (syn0)       ``syn0``
``w_out_ns``       ``syn1neg``                 ``syn1neg``
``w_out_hs``       ``syn1``                    ``syn1``
``in_buf``         ``neu1`` / ``syn0[word2]``  ``neu1`` / ``syn0[l1]``
``d_in``           ``work``                    ``neu1e``
``keep_threshold`` ``sample_int``              (computed inline)
``alias_*``        ``cum_table`` (bisection)   ``table`` (1e8 ints)
=================  ==========================  ==================

Sigmoid values come from a 1000-entry table over [-6, 6) and are clipped to 0/1 outside it in both
objectives (see ``src_c/cw2v_tables.h``). Random numbers come from a SplitMix64 stream seeded from
``(seed, job number)``, so a job's result never depends on which thread runs it. Measurements behind the
constants and choices below are in docs/benchmarks.md.
"""
from libc.stdlib cimport malloc, free, realloc
from libc.string cimport memset, memcpy
from scipy.linalg.cython_blas cimport sdot, saxpy, sscal, sgemm

import numpy as np

cdef extern from "cw2v_mem.h" nogil:
    int cw2v_prefetch_write
    int cw2v_cpu_has_prefetchw()
    void cw2v_mem_init()
    void cw2v_prefetch_row(const float *row, int size)

cdef extern from "cw2v_rowops.h" nogil:
    ctypedef float (*cw2v_dot_fn)(int n, const float *x, const float *y)
    ctypedef void (*cw2v_axpy_fn)(int n, float a, const float *x, float *y)
    ctypedef void (*cw2v_step_fn)(int n, float g, const float *hidden, float *out, float *grad)
    ctypedef void (*cw2v_dots_fn)(int n, const float *hidden, int k, float **rows, float *scores)
    ctypedef void (*cw2v_steps_fn)(int n, const float *hidden, int k, float **rows, const float *g, float *grad)
    ctypedef void (*cw2v_sum_rows_fn)(int n, int k, const float **rows, float scale, float *out)
    ctypedef void (*cw2v_add_rows_fn)(int n, int k, float **rows, const float *a, const float *x)
    ctypedef void (*cw2v_combine_fn)(int n, int k, float **rows, const float *a, int a_stride, int accumulate,
                                     float *out)
    ctypedef struct cw2v_rowops:
        cw2v_dot_fn dot
        cw2v_axpy_fn axpy
        cw2v_step_fn step
        cw2v_dots_fn dots
        cw2v_steps_fn steps
        cw2v_sum_rows_fn sum_rows
        cw2v_add_rows_fn add_rows
        cw2v_combine_fn combine
        const char *name
    int cw2v_rowops_select(cw2v_rowops *ops, int want)

cdef enum:
    # Hierarchical softmax with several workers: every prediction updates the root of the Huffman tree and
    # the nodes near it, so shared, these rows bounce between cores. Each worker instead keeps a replica of
    # the HOT_NODES busiest inner nodes (the last ones created), reads and writes only its replica, and
    # exchanges it with syn1 (adds what it learned since the last exchange, takes the sum) in tiers: the
    # HOT_TIER busiest rows every HOT_PERIOD effective words, the next 3 * HOT_TIER every 4 * HOT_PERIOD
    # words, the next 12 * HOT_TIER every 16 * HOT_PERIOD words, and so on (a node's traffic falls roughly
    # with its rank, so each tier misses about as many of the other thread's updates).
    HOT_NODES = 4096
    HOT_TIER = 64
    HOT_PERIOD = 500
    # Skip-gram + negative sampling, batched: this many consecutive center words form one block and share
    # one draw of noise words (each center word's context rows are scored against its own target row and
    # the shared noise rows): half the noise-row updates and gemm calls per word. Larger groups cost
    # analogy points; CBOW keeps word2vec.c's per-word updates (pairing cost points there).
    SG_GROUP = 2

#: Hot ``syn1`` rows a :class:`Worker` replicates when :class:`cw2v.Word2Vec` trains hierarchical softmax on
#: several threads (``Worker(..., hot_rows=HOT_ROWS)``).
HOT_ROWS = HOT_NODES

# which window driver train_sentence runs (Context.driver), fixed by the Trainer's settings
cdef enum:
    DRIVER_CBOW = 0          # the context's mean (or sum) predicts the center word: one input row
    DRIVER_SG_PAIRS = 1      # word2vec.c: each context row predicts the center word on its own
    DRIVER_SG_WINDOW = 2     # HogBatch: all context rows of a window in one block
    DRIVER_SG_GROUPED = 3    # HogBatch, negative sampling only: SG_GROUP windows in one block

# status codes set inside nogil code, turned into exceptions after it
cdef enum:
    STATUS_OK = 0
    STATUS_BAD_WORD_ID = 1
    STATUS_NO_MEMORY = 2
    STATUS_DIVERGED = 3

cdef int ONE = 1
cdef real_t ONEF = 1.0
cdef real_t ZEROF = 0.0
cdef char *TRANS_N = b"N"
cdef char *TRANS_T = b"T"
cdef cw2v_tables TABLES
cw2v_tables_init(&TABLES)
cw2v_mem_init()


# ---------------------------------------------------------------------------------------------- BLAS

cdef float blas_dot(int n, const float *x, const float *y) noexcept nogil:
    return sdot(&n, <float *>x, &ONE, <float *>y, &ONE)


cdef void blas_axpy(int n, float a, const float *x, float *y) noexcept nogil:
    saxpy(&n, &a, <float *>x, &ONE, y, &ONE)


cdef void blas_step(int n, float g, const float *hidden, float *out, float *grad) noexcept nogil:
    saxpy(&n, &g, out, &ONE, grad, &ONE)
    saxpy(&n, &g, <float *>hidden, &ONE, out, &ONE)


cdef void blas_dots(int n, const float *hidden, int k, float **rows, float *scores) noexcept nogil:
    cdef int t
    for t in range(k):
        scores[t] = sdot(&n, <float *>hidden, &ONE, rows[t], &ONE)


cdef void blas_steps(int n, const float *hidden, int k, float **rows, const float *g, float *grad) noexcept nogil:
    cdef int t
    cdef float a
    memset(grad, 0, n * sizeof(float))
    for t in range(k):  # every row read before any is updated
        a = g[t]
        saxpy(&n, &a, rows[t], &ONE, grad, &ONE)
    for t in range(k):
        a = g[t]
        saxpy(&n, &a, <float *>hidden, &ONE, rows[t], &ONE)


cdef void blas_sum_rows(int n, int k, const float **rows, float scale, float *out) noexcept nogil:
    cdef int j
    memset(out, 0, n * sizeof(float))
    for j in range(k):
        saxpy(&n, &ONEF, <float *>rows[j], &ONE, out, &ONE)
    sscal(&n, &scale, out, &ONE)


cdef void blas_add_rows(int n, int k, float **rows, const float *a, const float *x) noexcept nogil:
    cdef int j
    cdef float f
    for j in range(k):
        f = a[j]
        saxpy(&n, &f, <float *>x, &ONE, rows[j], &ONE)


cdef void blas_combine(int n, int k, float **rows, const float *a, int a_stride, int accumulate,
                       float *out) noexcept nogil:
    cdef int j
    cdef float f
    if not accumulate:
        memset(out, 0, n * sizeof(float))
    for j in range(k):
        f = a[j * a_stride]
        saxpy(&n, &f, rows[j], &ONE, out, &ONE)


cdef inline void gemm_rm(bint trans_a, bint trans_b, int m, int n, int k, real_t alpha, const real_t *a, int lda,
                         const real_t *b, int ldb, real_t beta, real_t *c, int ldc) noexcept nogil:
    """Row-major ``C (m x n) = alpha * op(A) . op(B) + beta * C`` through column-major ``sgemm``.

    A row-major matrix is its transpose to column-major BLAS, so ``C^T = op(B)^T . op(A)^T`` is asked for:
    the operands swap places and each keeps its own transpose flag (as scikit-learn's ``_cython_blas``
    does for ``RowMajor``).
    """
    sgemm(TRANS_T if trans_b else TRANS_N, TRANS_T if trans_a else TRANS_N, &n, &m, &k, &alpha,
          <real_t *>b, &ldb, <real_t *>a, &lda, &beta, c, &ldc)


cdef cw2v_rowops ROWOPS
_ROWOPS_CODES = {"best": 0, "blas": 1, "avx2": 2, "avx512": 3}


cdef int select_row_ops(int want):
    """Point ROWOPS at the loops of cw2v_rowops.h for ``want`` (see cw2v_rowops_select), or at BLAS where
    that set has none; returns -1 (ROWOPS unchanged) if the set is not available here."""
    if cw2v_rowops_select(&ROWOPS, want) != 0:
        return -1
    if ROWOPS.dot == NULL:
        ROWOPS.dot = blas_dot
        ROWOPS.axpy = blas_axpy
        ROWOPS.step = blas_step
        ROWOPS.dots = blas_dots
        ROWOPS.steps = blas_steps
        ROWOPS.sum_rows = blas_sum_rows
        ROWOPS.add_rows = blas_add_rows
        ROWOPS.combine = blas_combine
    return 0


select_row_ops(0)


# How logistic_block multiplies a block of several input rows: 1 = three sgemm calls, 0 = the row operations
# (dots, combine). Chosen at import by _default_block_products(); _block_products() sets it.
cdef int BLOCK_GEMM = 1

# OpenBLAS kernel sets ("architecture" in threadpoolctl's report) with small-matrix sgemm kernels (AVX-512):
# there sgemm beats the row operations on skip-gram's blocks (m ~ 12 input rows, 7-20 output rows, d = 100).
SMALL_GEMM_CORES = frozenset({"skylakex", "cooperlake", "sapphirerapids"})


def _default_block_products():
    """``"gemm"`` or ``"rowops"``: which is faster for skip-gram's blocks with the BLAS SciPy links here.

    Measured on an AMD EPYC (family 26, AVX-512; docs/benchmarks.md, "Block products"): SciPy's OpenBLAS
    picks its Haswell kernels there, which have no small-matrix path, and the row operations trained 1.8-2.0x
    faster (skip-gram NS and HS, one worker); forced to its SkylakeX kernels (``OPENBLAS_CORETYPE``), the
    same OpenBLAS was 1.47x faster than the row operations. So: gemm where OpenBLAS runs one of
    :data:`SMALL_GEMM_CORES` (the Intel Xeons of the earlier sessions' figures), where the row operations
    are BLAS themselves (no AVX2/AVX-512), or where the BLAS is not OpenBLAS (MKL, Accelerate: not
    measured, kept as before); the row operations otherwise. The choice depends only on the machine, so a
    seeded ``workers=1`` run stays reproducible on it.
    """
    if ROWOPS.name == b"blas":
        return "gemm"
    try:
        from threadpoolctl import threadpool_info
        infos = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    except Exception:  # noqa: BLE001 -- a failing introspection only costs the faster choice
        return "gemm"
    # the library scipy.linalg.cython_blas calls: SciPy's bundled one when it is loaded
    infos.sort(key=lambda i: "scipy" not in str(i.get("filepath", "")).lower())
    if not infos or infos[0].get("internal_api") != "openblas":
        return "gemm"
    core = str(infos[0].get("architecture") or "").lower()
    return "gemm" if core in SMALL_GEMM_CORES or not core else "rowops"


def _prefetch_mode(mode=None):
    """How the kernels prefetch the rows they are about to update: ``"write"`` (PREFETCHW, fetched for
    ownership; the default where the CPU has it) or ``"read"``; ``mode`` sets it, for benchmarks and tests
    (only while no training runs). Raises ``ValueError`` for another name, or ``"write"`` on a CPU without
    PREFETCHW. The prefetch mode never changes results, only speed (see cw2v_mem.h).
    """
    global cw2v_prefetch_write
    if mode is not None:
        if mode not in ("read", "write"):
            raise ValueError("prefetch mode must be 'read' or 'write', got %r" % (mode,))
        if mode == "write" and not cw2v_cpu_has_prefetchw():
            raise ValueError("this CPU has no PREFETCHW")
        cw2v_prefetch_write = 1 if mode == "write" else 0
    return "write" if cw2v_prefetch_write else "read"


def _block_products(which=None):
    """How a block of several input rows (skip-gram's HogBatch blocks) is multiplied: ``"gemm"`` (three
    sgemm calls of the BLAS SciPy ships) or ``"rowops"`` (cw2v's row operations, :func:`_row_ops`); the
    default is :func:`_default_block_products`'s.

    ``which`` sets it, for tests and benchmarks; call it only while no training runs. The two give the same
    updates up to float rounding (the order of the sums). Raises ``ValueError`` for another name.
    """
    global BLOCK_GEMM
    if which is not None:
        if which not in ("gemm", "rowops"):
            raise ValueError("block products must be 'gemm' or 'rowops', got %r" % (which,))
        BLOCK_GEMM = 1 if which == "gemm" else 0
    return "gemm" if BLOCK_GEMM else "rowops"


def _row_ops(which=None):
    """Name of the level-1 row operations the kernels use: ``"avx512"``, ``"avx2"`` or ``"blas"``.

    ``which`` (one of those or ``"best"``) selects them, for tests and benchmarks; call it only while no
    training runs. Raises ``ValueError`` for an unknown name or an instruction set this CPU lacks.
    """
    if which is not None:
        if which not in _ROWOPS_CODES or select_row_ops(_ROWOPS_CODES[which]) != 0:
            raise ValueError("row operations %r are not available on this CPU" % (which,))
    return ROWOPS.name.decode()


_block_products(_default_block_products())


# ---------------------------------------------------------------------------------------------- rows

cdef inline real_t *in_row(Context *c, int64_t word) noexcept nogil:
    """``w_in[word]`` (rows ``stride_in`` floats apart)."""
    return c.w_in + word * c.stride_in


cdef inline real_t *ns_row(Context *c, int64_t word) noexcept nogil:
    """``w_out_ns[word]``."""
    return c.w_out_ns + word * c.stride_ns


cdef inline real_t *hs_row(Context *c, int64_t node) noexcept nogil:
    """``w_out_hs[node]``, or this worker's replica of it (see :class:`Worker`)."""
    if node >= c.hot_first:
        return c.hot_rep + (node - c.hot_first) * c.stride_hs
    return c.w_out_hs + node * c.stride_hs


cdef inline void update_input_row(Context *c, int32_t word, const real_t *grad) noexcept nogil:
    """``w_in[word] += lockf[word] * grad`` (gensim's ``vectors_lockf``: 0 freezes a word, 1 is normal)."""
    cdef real_t factor = ONEF
    if c.lockf != NULL:
        factor = c.lockf[word % c.lockf_len]
        if factor == 0:
            return
    ROWOPS.axpy(c.size, factor, grad, in_row(c, word))


# ---------------------------------------------------------------------------------------------- noise words

cdef inline uint32_t draw_noise_word(Context *c) noexcept nogil:
    """One draw from the unigram^ns_exponent distribution through the alias table (O(1))."""
    cdef uint64_t r = cw2v_rng_next(&c.rng)
    cdef uint32_t slot = <uint32_t>(((r >> 32) * <uint64_t>c.vocab_size) >> 32)
    if (r & 0xFFFFFFFFu) < c.alias_threshold[slot]:
        return slot
    return c.alias_index[slot]


cdef void fill_noise_alias(Context *c) noexcept nogil:
    """``fill_noise`` of training: draw the next prediction's noise words and start fetching their rows."""
    cdef int j
    for j in range(c.negative):
        c.noise_ahead[j] = draw_noise_word(c)
        cw2v_prefetch_row(ns_row(c, c.noise_ahead[j]), c.size)


cdef void fill_noise_sequence(Context *c) noexcept nogil:
    """``fill_noise`` of the tests: the next ``negative`` words of a fixed sequence, cycled."""
    cdef int j
    for j in range(c.negative):
        c.noise_ahead[j] = c.noise_seq[c.noise_seq_pos % c.noise_seq_len]
        c.noise_seq_pos += 1


cdef inline const uint32_t *take_noise(Context *c) noexcept nogil:
    """This prediction's noise words (drawn ahead, or now); valid until :c:func:`noise_for_next`."""
    if not c.noise_ready:
        c.fill_noise(c)
    c.noise_ready = 0
    return c.noise_ahead


cdef inline void noise_for_next(Context *c) noexcept nogil:
    """Draw the next prediction's noise words now, so their rows arrive while this one trains."""
    c.fill_noise(c)
    c.noise_ready = 1


# ---------------------------------------------------------------------------------------------- 1. targets

cdef inline int collect_targets(Context *c, int32_t target) noexcept nogil:
    """Point ``out_rows``/``labels`` at the output rows for predicting ``target``; returns how many.

    The Huffman path (label ``1 - code``), then the target's NS row (1) and the noise words (0; -1 for one
    equal to the target, left out as word2vec.c does).
    """
    cdef int j, n = 0
    cdef int64_t row
    cdef const uint32_t *noise
    if c.hs:
        row = <int64_t>target * c.max_code_len
        for j in range(c.code_lens[target]):
            c.out_rows[n] = hs_row(c, c.points[row + j])
            c.labels[n] = ONEF - <real_t>c.codes[row + j]
            n += 1
    c.ns_from = n
    if c.negative:
        noise = take_noise(c)
        c.out_rows[n] = ns_row(c, target)
        c.labels[n] = ONEF
        n += 1
        for j in range(c.negative):
            c.out_rows[n] = ns_row(c, noise[j])
            c.labels[n] = <real_t>-1.0 if noise[j] == <uint32_t>target else ZEROF
            n += 1
        noise_for_next(c)
    return n


# ---------------------------------------------------------------------------------------------- 2. the block

cdef inline real_t logistic_gradient(Context *c, real_t score, real_t label) noexcept nogil:
    """``alpha * (label - sigmoid(score))``, adding ``-log sigmoid(+/- score)`` to the loss if asked.

    A NaN score (weights that overflowed, e.g. from a learning rate far too high) gives no update and marks
    the context as diverged: the job stops and :meth:`Worker.train_job` raises.
    """
    if score != score:
        c.diverged = 1
        return ZEROF
    if c.compute_loss:
        c.loss += cw2v_neg_log_sigmoid(&TABLES, score if label > 0.5 else -score)
    return (label - cw2v_sigmoid(&TABLES, score)) * c.alpha


cdef inline void one_row_block(Context *c, const real_t *hidden, int n_t, const real_t *labels) noexcept nogil:
    """:c:func:`logistic_block` with one input row, giving word2vec.c's updates (rows one after the other).

    The output rows are distinct but for noise words drawn twice (``out_rows[ns_from:]``), so a row's
    score does not depend on the other rows' updates: all scores are taken first and all rows updated
    after, in two passes that hold the hidden vector and the gradient in registers (``cw2v_rowops.h``:
    dots, steps). A block with a repeated row is trained one row at a time, so that row's second score
    reads its first update, as in word2vec.c.
    """
    cdef int t, s, k = 0, ns_start = -1, d = c.size
    cdef real_t label
    cdef bint repeated = False
    for t in range(n_t):
        if labels[t] < 0:
            continue
        if t >= c.ns_from:
            if ns_start < 0:
                ns_start = k
            for s in range(ns_start, k):
                if c.sel_rows[s] == c.out_rows[t]:
                    repeated = True
        c.sel_rows[k] = c.out_rows[t]
        c.sel_g[k] = labels[t]
        k += 1
    if not repeated:
        memcpy(c.score_buf, c.sel_g, k * sizeof(real_t))  # the labels, while sel_g takes the scores
        ROWOPS.dots(d, hidden, k, c.sel_rows, c.sel_g)
        for t in range(k):
            c.sel_g[t] = logistic_gradient(c, c.sel_g[t], c.score_buf[t])
        ROWOPS.steps(d, hidden, k, c.sel_rows, c.sel_g, c.d_in)
        return
    memset(c.d_in, 0, d * sizeof(real_t))
    for t in range(n_t):
        label = labels[t]
        if label < 0:
            continue
        ROWOPS.step(d, logistic_gradient(c, ROWOPS.dot(d, hidden, c.out_rows[t]), label), hidden, c.out_rows[t],
                    c.d_in)


cdef inline void block_gradients(Context *c, int m, int n_t) noexcept nogil:
    """Turn the scores ``score_buf`` (m x n_t) into ``G[r, t] = alpha * (label - sigmoid(score))`` in place
    (0 for a pair left out)."""
    cdef int r, t
    cdef real_t label
    cdef real_t *score
    cdef const real_t *labels
    for r in range(m):
        score = c.score_buf + <int64_t>r * n_t
        labels = c.labels if c.label_mat == NULL else c.label_mat + <int64_t>r * n_t
        for t in range(n_t):
            label = labels[t]
            score[t] = logistic_gradient(c, score[t], label) if label >= 0 else ZEROF


cdef void rowops_block(Context *c, const real_t *inputs, int m, int n_t) noexcept nogil:
    """:c:func:`logistic_block`'s products for ``m > 1`` with the row operations: the same three passes as
    the gemm calls (every score, then every input gradient, from the output rows before any update; then
    the updates, one output row at a time: a row listed twice, a noise word drawn twice, receives both),
    reading the output rows where they live instead of copying them."""
    cdef int r, t, d = c.size
    for r in range(m):
        ROWOPS.dots(d, inputs + <int64_t>r * d, n_t, c.out_rows, c.score_buf + <int64_t>r * n_t)
        c.ctx_rows[r] = <real_t *>inputs + <int64_t>r * d
    block_gradients(c, m, n_t)
    for r in range(m):
        ROWOPS.combine(d, n_t, c.out_rows, c.score_buf + <int64_t>r * n_t, 1, 0, c.d_in + <int64_t>r * d)
    for t in range(n_t):
        ROWOPS.combine(d, m, c.ctx_rows, c.score_buf + t, n_t, 1, c.out_rows[t])


cdef void logistic_block(Context *c, const real_t *inputs, int m, int n_t) noexcept nogil:
    """Binary-logistic updates of ``m`` input rows against the ``n_t`` output rows ``out_rows``.

    Labels are ``labels[t]`` for every input row, or ``label_mat[r * n_t + t]`` per pair when ``label_mat``
    is set; a negative label leaves the pair out. With ``G[r, t] = alpha * (label - sigmoid(in_r . out_t))``
    the input gradients ``d_in[r] = sum_t G[r, t] out_t`` are left in ``d_in`` (rows ``0..m-1``) for the
    driver to scatter, and the output rows receive ``out_t += sum_r G[r, t] in_r`` here.

    One input row (``m == 1``, contiguous at ``inputs``): the output rows are updated one after the other,
    each score read after the previous row's update (word2vec.c's order; the same values as the block
    unless a row appears twice), with the fused row operations of cw2v_rowops.h. Several input rows
    (``inputs`` is ``in_buf``): every score from the pre-update values (HogBatch), with three gemm calls or
    the row operations (:func:`_block_products`).
    """
    cdef int t, d = c.size
    if m == 1:
        one_row_block(c, inputs, n_t, c.label_mat if c.label_mat != NULL else c.labels)
        return
    if not BLOCK_GEMM:
        rowops_block(c, inputs, m, n_t)
        return
    for t in range(n_t):
        memcpy(c.out_buf + <int64_t>t * d, c.out_rows[t], d * sizeof(real_t))
    # S (m x n_t) = In (m x d) . Out^T
    gemm_rm(False, True, m, n_t, d, ONEF, inputs, d, c.out_buf, d, ZEROF, c.score_buf, n_t)
    block_gradients(c, m, n_t)
    # d_in (m x d) = G (m x n_t) . Out (n_t x d);  d_out (n_t x d) = G^T . In
    gemm_rm(False, False, m, d, n_t, ONEF, c.score_buf, n_t, c.out_buf, d, ZEROF, c.d_in, d)
    gemm_rm(True, False, n_t, d, m, ONEF, c.score_buf, n_t, inputs, d, ZEROF, c.d_out, d)
    for t in range(n_t):
        ROWOPS.axpy(d, ONEF, c.d_out + <int64_t>t * d, c.out_rows[t])


# ---------------------------------------------------------------------------------------------- 3. drivers

cdef void sg_pairs(Context *c, const int32_t *sent, int64_t lo, int64_t hi, int64_t center) noexcept nogil:
    """Skip-gram as word2vec.c: each context word's input row predicts the center word on its own."""
    cdef int64_t j
    cdef int n_t
    for j in range(lo, hi):
        if j != center:
            n_t = collect_targets(c, sent[center])
            logistic_block(c, in_row(c, sent[j]), 1, n_t)
            update_input_row(c, sent[j], c.d_in)


cdef void cbow_window(Context *c, const int32_t *sent, int64_t lo, int64_t hi, int64_t center) noexcept nogil:
    """CBOW: the sum (or, with ``cbow_mean``, mean) of the context rows predicts the center word.

    Every context row receives the hidden vector's whole gradient, unscaled, as in word2vec.c and gensim.
    """
    cdef int64_t j
    cdef int count = 0
    cdef int32_t w
    for j in range(lo, hi):
        if j != center:
            w = sent[j]
            c.ctx_rows[count] = in_row(c, w)
            c.ctx_factors[count] = ONEF if c.lockf == NULL else c.lockf[w % c.lockf_len]
            count += 1
    if count == 0:
        return
    ROWOPS.sum_rows(c.size, count, <const real_t **>c.ctx_rows,
                    ONEF / count if c.cbow_mean and count > 1 else ONEF, c.in_buf)
    logistic_block(c, c.in_buf, 1, collect_targets(c, sent[center]))
    ROWOPS.add_rows(c.size, count, c.ctx_rows, c.ctx_factors, c.d_in)


cdef void sg_block(Context *c, const int32_t *sent, int64_t first, int k, const int64_t *lo,
                   const int64_t *hi) noexcept nogil:
    """Skip-gram, HogBatch: the windows of the ``k`` center words ``sent[first:first + k]`` as one block.

    Window ``w`` spans ``sent[lo[w]:hi[w]]`` (its center excluded). With hierarchical softmax (``k == 1``,
    the window driver) every context row is scored against the center word's output rows; with negative
    sampling alone (the grouped driver), each context row against its own center word's row (label 1) and
    one shared set of noise words (0; -1 where a noise word equals that center word), the other center
    words' rows left out (-1).
    """
    cdef int m = 0, w, t, n_t
    cdef int64_t j
    cdef uint32_t center
    cdef const uint32_t *noise
    for w in range(k):
        for j in range(lo[w], hi[w]):
            if j != first + w:
                c.row_word[m] = sent[j]
                c.row_owner[m] = w
                memcpy(c.in_buf + <int64_t>m * c.size, in_row(c, sent[j]), c.size * sizeof(real_t))
                m += 1
    if m == 0:
        return
    if c.driver == DRIVER_SG_GROUPED:
        n_t = k + c.negative
        noise = take_noise(c)
        for t in range(k):
            c.out_rows[t] = ns_row(c, sent[first + t])
        for t in range(c.negative):
            c.out_rows[k + t] = ns_row(c, noise[t])
        for w in range(k):
            center = <uint32_t>sent[first + w]
            for t in range(k):
                c.label_tmpl[w * n_t + t] = ONEF if t == w else <real_t>-1.0
            for t in range(c.negative):
                c.label_tmpl[w * n_t + k + t] = <real_t>-1.0 if noise[t] == center else ZEROF
        noise_for_next(c)
        c.ns_from = 0  # a noise word may be one of the center words
        for j in range(m):
            memcpy(c.label_buf + j * n_t, c.label_tmpl + <int64_t>c.row_owner[j] * n_t, n_t * sizeof(real_t))
        c.label_mat = c.label_buf
        logistic_block(c, c.in_buf, m, n_t)
        c.label_mat = NULL
    else:
        logistic_block(c, c.in_buf, m, collect_targets(c, sent[first]))
    for j in range(m):
        update_input_row(c, c.row_word[j], c.d_in + j * c.size)


cdef inline void window_bounds(Context *c, int64_t i, int64_t n, int64_t *lo, int64_t *hi) noexcept nogil:
    """The (randomly shrunk, as in word2vec.c) window around position ``i`` of a sentence of ``n`` words."""
    cdef int b = 0
    if c.shrink_windows:
        b = <int>cw2v_rng_below(&c.rng, <uint32_t>c.window)
    lo[0] = i - c.window + b
    if lo[0] < 0:
        lo[0] = 0
    hi[0] = i + c.window + 1 - b
    if hi[0] > n:
        hi[0] = n


cdef void train_sentence(Context *c, const int32_t *sent, int64_t n) noexcept nogil:
    """Slide the (randomly shrunk) window over one subsampled sentence: the one dispatch of every mode.

    The driver is ``c.driver``: grouped blocks of ``SG_GROUP`` center words (skip-gram + NS, batched),
    window blocks (skip-gram with HS, batched), word2vec.c's per-pair skip-gram, or CBOW. While a window
    trains, the next center word's output row and the next entering context row are prefetched.
    """
    cdef int64_t i = 0, p
    cdef int64_t lo[SG_GROUP]
    cdef int64_t hi[SG_GROUP]
    cdef int w, k
    if c.driver == DRIVER_SG_GROUPED:
        while i < n:
            k = SG_GROUP if n - i >= SG_GROUP else <int>(n - i)
            for w in range(k):
                window_bounds(c, i + w, n, &lo[w], &hi[w])
            for p in range(i + k, i + 2 * k):
                if p < n:
                    cw2v_prefetch_row(ns_row(c, sent[p]), c.size)
                if p + c.window < n:
                    cw2v_prefetch_row(in_row(c, sent[p + c.window]), c.size)
            sg_block(c, sent, i, k, lo, hi)
            i += k
        return
    for i in range(n):
        window_bounds(c, i, n, &lo[0], &hi[0])
        if i + 1 < n:
            if c.negative:
                cw2v_prefetch_row(ns_row(c, sent[i + 1]), c.size)
            if i + 1 + c.window < n:
                cw2v_prefetch_row(in_row(c, sent[i + 1 + c.window]), c.size)
        if c.driver == DRIVER_CBOW:
            cbow_window(c, sent, lo[0], hi[0], i)
        elif c.driver == DRIVER_SG_WINDOW:
            sg_block(c, sent, i, 1, &lo[0], &hi[0])
        else:
            sg_pairs(c, sent, lo[0], hi[0], i)


# ---------------------------------------------------------------------------------------------- jobs

cdef void exchange_rows(real_t *shared, real_t *rep, real_t *snap, int64_t n_rows, int64_t stride,
                        int size) noexcept nogil:
    """``shared += rep - snap``, then ``rep = snap = shared``, for ``n_rows`` rows."""
    cdef int64_t r, o
    cdef int j
    cdef real_t v
    for r in range(n_rows):
        o = r * stride
        for j in range(size):
            v = shared[o + j] + (rep[o + j] - snap[o + j])
            shared[o + j] = v
            rep[o + j] = v
            snap[o + j] = v


cdef void exchange_hot_rows(Context *c, bint everything) noexcept nogil:
    """Exchange this worker's replica of the hot syn1 rows with syn1, tier by tier (see HOT_NODES).

    Rank 0 is the root (row ``vocab_size - 2``). Ranks ``[0, HOT_TIER)`` go at every exchange,
    ``[HOT_TIER, 4 * HOT_TIER)`` at every 4th, ``[4 * HOT_TIER, 16 * HOT_TIER)`` at every 16th, and so on;
    all of them when ``everything``. Two threads exchanging the same row at the same moment race as
    Hogwild updates do (one addition can be lost); an exchange of the busiest tier takes microseconds.
    """
    cdef int64_t n_hot = c.vocab_size - 1 - c.hot_first
    cdef int64_t tick = c.hot_counts[1], every = 1, lo = 0, hi = HOT_TIER
    while lo < n_hot and (everything or tick % every == 0):
        if hi > n_hot:
            hi = n_hot
        # ranks [lo, hi) are the replica's rows [n_hot - hi, n_hot - lo)
        exchange_rows(c.w_out_hs + (c.hot_first + n_hot - hi) * c.stride_hs,
                      c.hot_rep + (n_hot - hi) * c.stride_hs, c.hot_snap + (n_hot - hi) * c.stride_hs,
                      hi - lo, c.stride_hs, c.size)
        lo = hi
        hi *= 4
        every *= 4
    c.hot_counts[0] = 0
    c.hot_counts[1] = tick + 1


cdef int run_job(Context *c, const int32_t *ids, const int64_t *ends, int64_t n_sent, double alpha_start,
                 double alpha_end) noexcept nogil:
    """Subsample and train every sentence of a job; the learning rate moves linearly across the job."""
    cdef int64_t s, k, m, start = 0
    cdef int64_t total = ends[n_sent - 1] if n_sent > 0 else 0
    cdef int32_t w
    cdef int32_t *sent = c.sent_buf
    for s in range(n_sent):
        if total > 0:
            c.alpha = <real_t>(alpha_start + (alpha_end - alpha_start) * (<double>start / total))
        m = 0
        for k in range(start, ends[s]):
            w = ids[k]
            if w < 0 or w >= c.vocab_size:
                return STATUS_BAD_WORD_ID
            if c.do_sample and (cw2v_rng_next(&c.rng) >> 32) >= c.keep_threshold[w]:
                continue
            sent[m] = w
            m += 1
        c.words_trained += m
        train_sentence(c, sent, m)
        if c.diverged:
            return STATUS_DIVERGED
        if c.hot_counts != NULL:
            c.hot_counts[0] += m
            if c.hot_counts[0] >= c.hot_period:
                exchange_hot_rows(c, False)
        start = ends[s]
    return STATUS_OK


# ---------------------------------------------------------------------------------------------- Python API

cdef inline size_t _addr(arr):
    return <size_t>arr.ctypes.data if arr is not None and arr.size else 0


def _rows_contiguous(arr):
    """True for a 2-D array whose rows are contiguous and evenly spaced (a view of a row-padded buffer)."""
    item = arr.itemsize
    return (arr.ndim == 2 and arr.strides[1] == item and arr.strides[0] % item == 0
            and arr.strides[0] >= arr.shape[1] * item)


cdef inline int64_t _row_pitch(arr):
    """Distance between consecutive rows of a weight matrix, in elements (0 for no array)."""
    if arr is None:
        return 0
    if arr.shape[0] < 2:
        return arr.shape[1]
    return arr.strides[0] // arr.itemsize


def _check(arr, name, dtype, ndim):
    if arr is None:
        return None
    if not isinstance(arr, np.ndarray) or arr.dtype != dtype or arr.ndim != ndim:
        raise TypeError("%s must be a C-contiguous %d-D %s array" % (name, ndim, np.dtype(dtype).name))
    if not arr.flags.c_contiguous and not (name.startswith("w_") and _rows_contiguous(arr)):
        raise TypeError("%s must be a C-contiguous %d-D %s array%s" % (
            name, ndim, np.dtype(dtype).name, " (or one with padded, contiguous rows)" if ndim == 2 else ""))
    if not arr.flags.writeable and name.startswith("w_"):
        raise ValueError("%s is read-only (memory-mapped?); training needs writable weights" % name)
    return arr


cdef class Trainer:
    """Shared state of one ``train()`` call: weights, tables and hyper-parameters.

    Threads train through their own :class:`Worker` (``trainer.worker()``), which holds the scratch memory.

    Parameters
    ----------
    w_in : ndarray of shape (vocab_size, size), dtype=float32
        Input vectors (``wv.vectors``); modified in place by training. Each row must be contiguous; rows may
        be evenly spaced further apart than ``size`` (a view of a wider buffer). Bytes between rows are never
        read or written.
    w_out_ns, w_out_hs : ndarray of shape (vocab_size, size), float32, or None
        ``syn1neg`` (needed if ``negative > 0``) and ``syn1`` (needed if ``hs``); modified in place.
    tables : cw2v.vocab.VocabTables
        Subsampling thresholds (``keep_threshold``, uint64), noise alias table (``alias_threshold`` uint64,
        ``alias_index`` uint32; empty if ``negative == 0``) and Huffman tree (``codes`` uint8, ``points``
        int32, ``code_lens`` int32; used if ``hs``), one entry (row) per word.
    sg, hs, negative, window, cbow_mean, shrink_windows : int, keyword-only
        As in :class:`cw2v.Word2Vec` (``window`` in tokens each side).
    batched : bool, keyword-only
        True (default): skip-gram trains a window (with negative sampling alone, ``SG_GROUP`` windows) as
        one block against shared output rows (HogBatch); False: word2vec.c's per-pair updates. CBOW always
        makes word2vec.c's per-word update.
    lockf : ndarray of shape (1,) or (vocab_size,), float32, or None, keyword-only
        Per-word factor on input-row updates (gensim's ``wv.vectors_lockf``; 0.0 freezes a word); one entry
        applies to every word.

    Raises
    ------
    TypeError, ValueError
        If an array has the wrong dtype, shape or contiguity, or the settings are inconsistent.
    """
    cdef Context proto
    cdef object _keep_alive

    def __init__(self, w_in, w_out_ns, w_out_hs, tables, *, int sg, int hs, int negative, int window,
                 int cbow_mean=1, int shrink_windows=1, bint batched=True, lockf=None):
        w_in = _check(w_in, "w_in", np.float32, 2)
        n, size = w_in.shape
        if size <= 0 or n <= 0:
            raise ValueError("w_in must have at least one row and one column, got shape %r" % (w_in.shape,))
        if window < 1:
            raise ValueError("window must be >= 1, got %d" % window)
        if not hs and negative <= 0:
            raise ValueError("need hs=1 or negative > 0")
        w_out_ns = _check(w_out_ns, "w_out_ns", np.float32, 2) if negative > 0 else None
        w_out_hs = _check(w_out_hs, "w_out_hs", np.float32, 2) if hs else None
        keep_threshold = _check(tables.keep_threshold, "keep_threshold", np.uint64, 1)
        if keep_threshold.shape[0] != n:
            raise ValueError("keep_threshold has %d entries for %d words" % (keep_threshold.shape[0], n))
        alias_threshold = alias_index = codes = points = code_lens = None
        if negative > 0:
            if w_out_ns is None or w_out_ns.shape != w_in.shape:
                raise ValueError("w_out_ns must have the shape of w_in")
            alias_threshold = _check(tables.alias_threshold, "alias_threshold", np.uint64, 1)
            alias_index = _check(tables.alias_index, "alias_index", np.uint32, 1)
            if alias_threshold.shape[0] != n or alias_index.shape[0] != n:
                raise ValueError("the alias table must have one entry per word")
            if n and int(alias_index.max()) >= n:
                raise ValueError("alias_index refers to a word outside the vocabulary")
        if hs:
            if w_out_hs is None or w_out_hs.shape != w_in.shape:
                raise ValueError("w_out_hs must have the shape of w_in")
            codes = _check(tables.codes, "codes", np.uint8, 2)
            points = _check(tables.points, "points", np.int32, 2)
            code_lens = _check(tables.code_lens, "code_lens", np.int32, 1)
            if codes.shape[0] != n or points.shape != codes.shape or code_lens.shape[0] != n:
                raise ValueError("the Huffman tables must have one row per word")
            if n > 1 and (int(points.max()) >= n - 1 or int(points.min()) < 0
                          or int(code_lens.max()) > codes.shape[1]):
                raise ValueError("the Huffman tables are inconsistent with the vocabulary size")
        if lockf is not None:
            lockf = _check(lockf, "lockf", np.float32, 1)
            if lockf.shape[0] == 0 or (lockf.shape[0] != 1 and lockf.shape[0] != n):
                raise ValueError("vectors_lockf must have 1 or %d entries, got %d" % (n, lockf.shape[0]))
            if not np.all(np.isfinite(lockf)):
                raise ValueError("vectors_lockf must be finite")
            if np.all(lockf == 1):
                lockf = None  # all ones: the plain update, no per-word look-up
        self._keep_alive = (w_in, w_out_ns, w_out_hs, keep_threshold, alias_threshold, alias_index,
                            codes, points, code_lens, lockf)
        memset(&self.proto, 0, sizeof(Context))
        self.proto.w_in = <real_t *>_addr(w_in)
        self.proto.w_out_ns = <real_t *>_addr(w_out_ns)
        self.proto.w_out_hs = <real_t *>_addr(w_out_hs)
        self.proto.keep_threshold = <const uint64_t *>_addr(keep_threshold)
        self.proto.do_sample = bool(n and int(keep_threshold.min()) < 2 ** 32)
        if negative > 0:
            self.proto.alias_threshold = <const uint64_t *>_addr(alias_threshold)
            self.proto.alias_index = <const uint32_t *>_addr(alias_index)
        if hs:
            self.proto.codes = <const uint8_t *>_addr(codes)
            self.proto.points = <const int32_t *>_addr(points)
            self.proto.code_lens = <const int32_t *>_addr(code_lens)
            self.proto.max_code_len = codes.shape[1]
        self.proto.vocab_size = n
        self.proto.hot_first = n  # no replica of hot syn1 rows unless a Worker keeps one
        self.proto.size = size
        self.proto.stride_in = _row_pitch(w_in)
        self.proto.stride_ns = _row_pitch(w_out_ns)
        self.proto.stride_hs = _row_pitch(w_out_hs)
        self.proto.window = window
        self.proto.negative = negative if negative > 0 else 0
        self.proto.hs = 1 if hs else 0
        self.proto.cbow_mean = 1 if cbow_mean else 0
        self.proto.shrink_windows = 1 if shrink_windows else 0
        if not sg:
            self.proto.driver = DRIVER_CBOW
        elif not batched:
            self.proto.driver = DRIVER_SG_PAIRS
        elif negative > 0 and not hs:
            self.proto.driver = DRIVER_SG_GROUPED
        else:
            self.proto.driver = DRIVER_SG_WINDOW
        self.proto.fill_noise = fill_noise_alias
        if lockf is not None:
            self.proto.lockf = <const real_t *>_addr(lockf)
            self.proto.lockf_len = lockf.shape[0]

    @property
    def driver(self):
        """The window driver every sentence goes through: ``'cbow'``, ``'sg-pairs'``, ``'sg-window'`` or
        ``'sg-grouped'`` (from ``sg``, ``hs``, ``negative`` and ``batched``)."""
        return ("cbow", "sg-pairs", "sg-window", "sg-grouped")[self.proto.driver]

    def worker(self, int64_t hot_rows=0, int64_t hot_period=HOT_PERIOD):
        """A :class:`Worker` for one thread (see there for ``hot_rows`` and ``hot_period``)."""
        return Worker(self, hot_rows, hot_period)


cdef class Worker:
    """One training thread's private state: scratch buffers, random stream, loss, and (hierarchical softmax
    with several threads) a replica of the busiest ``syn1`` rows. Allocated once, reused for every job.

    A Worker must be used by one thread at a time (:meth:`train_job` raises ``RuntimeError`` otherwise).

    Replica of hot nodes: every hierarchical-softmax prediction updates the root of the Huffman tree and
    the nodes near it, which threads sharing them pass back and forth between cores. With ``hot_rows > 0``
    the worker reads and writes the ``hot_rows`` busiest inner nodes (the last ones created,
    ``syn1[vocab_size - 1 - hot_rows:vocab_size - 1]``) in its replica, so it sees its own updates at once,
    and exchanges them with ``syn1`` (adds its updates since the previous exchange, takes the current sum,
    including other threads' updates) in tiers: the ``HOT_TIER`` (64) busiest rows every ``hot_period``
    effective words, the next 192 every ``4 * hot_period`` words, the next 768 every ``16 * hot_period``,
    and so on (exchanges happen at the end of a sentence). :meth:`flush` exchanges every row; until it
    runs, ``syn1`` lacks the replica's latest updates.

    Parameters
    ----------
    trainer : Trainer
    hot_rows : int, optional
        How many of the busiest inner nodes to replicate (default 0: none; capped at ``vocab_size - 1``;
        ``HOT_NODES`` = 4096 is what :class:`cw2v.Word2Vec` uses with ``hs=1`` and several workers). Needs a
        trainer with ``hs``. Memory: two float32 arrays of ``(hot_rows, row pitch)``.
    hot_period : int, optional
        Effective words between exchanges of the busiest tier (default ``HOT_PERIOD`` = 500).

    Raises
    ------
    ValueError
        If ``hot_rows > 0`` without hierarchical softmax, or ``hot_rows`` / ``hot_period`` is negative / below 1.
    MemoryError
        If the scratch buffers cannot be allocated.
    """
    cdef Context c
    cdef readonly Trainer trainer
    cdef readonly int64_t hot_rows
    cdef object rep, snap, counts
    cdef bint busy

    def __cinit__(self, Trainer trainer not None, int64_t hot_rows=0, int64_t hot_period=HOT_PERIOD):
        cdef int64_t d, max_inputs
        self.trainer = trainer
        self.c = trainer.proto
        self.c.in_buf = self.c.d_in = self.c.out_buf = self.c.d_out = self.c.score_buf = NULL
        self.c.labels = self.c.label_buf = NULL
        self.c.out_rows = NULL
        self.c.noise_ahead = NULL
        self.c.sent_buf = NULL
        self.c.row_word = self.c.row_owner = NULL
        self.c.label_tmpl = self.c.sel_g = self.c.ctx_factors = NULL
        self.c.sel_rows = self.c.ctx_rows = NULL
        if hot_rows < 0 or hot_period < 1:
            raise ValueError("hot_rows must be >= 0 and hot_period >= 1, got %d and %d" % (hot_rows, hot_period))
        if hot_rows and not trainer.proto.hs:
            raise ValueError("a replica of hot nodes needs a trainer with hierarchical softmax (hs=1)")
        d = self.c.size
        if self.c.driver == DRIVER_SG_GROUPED:
            max_inputs = 2 * self.c.window * SG_GROUP
        elif self.c.driver == DRIVER_SG_WINDOW:
            max_inputs = 2 * self.c.window
        else:
            max_inputs = 1
        self.c.max_inputs = <int>max_inputs
        self.c.max_targets = ((self.c.max_code_len if self.c.hs else 0)
                              + (self.c.negative + SG_GROUP if self.c.negative else 0))
        self.c.in_buf = <real_t *>malloc(max_inputs * d * sizeof(real_t))
        self.c.d_in = <real_t *>malloc(max_inputs * d * sizeof(real_t))
        self.c.out_buf = <real_t *>malloc(max(self.c.max_targets, 1) * d * sizeof(real_t))
        self.c.d_out = <real_t *>malloc(max(self.c.max_targets, 1) * d * sizeof(real_t))
        self.c.score_buf = <real_t *>malloc(max_inputs * max(self.c.max_targets, 1) * sizeof(real_t))
        self.c.labels = <real_t *>malloc(max(self.c.max_targets, 1) * sizeof(real_t))
        self.c.label_buf = <real_t *>malloc(max_inputs * max(self.c.max_targets, 1) * sizeof(real_t))
        self.c.out_rows = <real_t **>malloc(max(self.c.max_targets, 1) * sizeof(real_t *))
        self.c.noise_ahead = <uint32_t *>malloc((self.c.negative + 1) * sizeof(uint32_t))
        self.c.row_word = <int32_t *>malloc(max_inputs * sizeof(int32_t))
        self.c.row_owner = <int32_t *>malloc(max_inputs * sizeof(int32_t))
        self.c.label_tmpl = <real_t *>malloc(SG_GROUP * max(self.c.max_targets, 1) * sizeof(real_t))
        self.c.sel_rows = <real_t **>malloc(max(self.c.max_targets, 1) * sizeof(real_t *))
        self.c.sel_g = <real_t *>malloc(max(self.c.max_targets, 1) * sizeof(real_t))
        # the context rows of a CBOW window, or the input rows of a skip-gram block (rowops_block)
        self.c.ctx_rows = <real_t **>malloc(max(2 * self.c.window, max_inputs) * sizeof(real_t *))
        self.c.ctx_factors = <real_t *>malloc(2 * self.c.window * sizeof(real_t))
        if (self.c.sel_rows == NULL or self.c.sel_g == NULL or self.c.ctx_rows == NULL
                or self.c.ctx_factors == NULL or self.c.row_word == NULL or self.c.row_owner == NULL
                or self.c.label_tmpl == NULL or self.c.in_buf == NULL or self.c.d_in == NULL
                or self.c.out_buf == NULL or self.c.d_out == NULL
                or self.c.score_buf == NULL or self.c.labels == NULL or self.c.label_buf == NULL
                or self.c.out_rows == NULL or self.c.noise_ahead == NULL):
            raise MemoryError("cannot allocate a worker's scratch buffers")
        self.hot_rows = 0
        if hot_rows:
            w_hs = trainer._keep_alive[2]
            n_inner = w_hs.shape[0] - 1
            self.hot_rows = min(hot_rows, n_inner)
            if self.hot_rows:
                self.c.hot_first = n_inner - self.hot_rows
                self.rep = _aligned_rows(self.hot_rows, trainer.proto.stride_hs)
                self.rep[:, :w_hs.shape[1]] = w_hs[self.c.hot_first:n_inner]
                self.snap = _aligned_rows(self.hot_rows, trainer.proto.stride_hs)
                self.snap[...] = self.rep
                # [words since the last exchange, exchanges]: written after every sentence, so on a cache
                # line of its own (next to another thread's counters it would bounce between the cores)
                self.counts = _aligned_rows(1, 16).view(np.int64)[0, :2]
                self.c.hot_rep = <real_t *>_addr(self.rep)
                self.c.hot_snap = <real_t *>_addr(self.snap)
                self.c.hot_counts = <int64_t *>_addr(self.counts)
                self.c.hot_period = hot_period

    def __dealloc__(self):
        free(self.c.in_buf)
        free(self.c.d_in)
        free(self.c.out_buf)
        free(self.c.d_out)
        free(self.c.score_buf)
        free(self.c.labels)
        free(self.c.label_buf)
        free(self.c.out_rows)
        free(self.c.noise_ahead)
        free(self.c.sent_buf)
        free(self.c.row_word)
        free(self.c.row_owner)
        free(self.c.label_tmpl)
        free(self.c.sel_rows)
        free(self.c.sel_g)
        free(self.c.ctx_rows)
        free(self.c.ctx_factors)

    def train_job(self, const int32_t[::1] ids not None, const int64_t[::1] sentence_ends not None,
                  double alpha_start, double alpha_end, uint64_t seed, uint64_t job, bint compute_loss=False,
                  const uint32_t[::1] noise=None):
        """Train on one job (a batch of sentences) with the GIL released; the weights change in place.

        Parameters
        ----------
        ids : ndarray of shape (n_tokens,), dtype=int32
            Word indices of the job's in-vocabulary tokens, sentences concatenated.
        sentence_ends : ndarray of shape (n_sentences,), dtype=int64
            Exclusive end offset of each sentence in ``ids`` (non-decreasing, last == n_tokens).
        alpha_start, alpha_end : float
            Learning rate at the job's first and last token (interpolated linearly per sentence).
        seed, job : int
            Seed of the random stream (subsampling, window shrinking, noise words).
        compute_loss : bool
            Accumulate the loss (sum of -log sigmoid terms, float64).
        noise : ndarray of shape (k,), dtype=uint32, optional
            For tests: take the noise words from this sequence, in order and cycled, instead of drawing them
            (every other part of training unchanged).

        Returns
        -------
        effective_words : int
            Tokens trained after subsampling.
        loss : float
            Summed loss of this job (0.0 unless ``compute_loss``).

        Raises
        ------
        ValueError
            If a word index is out of range or the offsets are inconsistent.
        RuntimeError
            If another thread is using this Worker.
        FloatingPointError
            If the weights overflowed (a score became NaN: training diverged, e.g. alpha far too high); the
            job stops where it happened.
        MemoryError
            If the sentence buffer cannot be grown.
        """
        cdef int64_t n_tokens = ids.shape[0]
        cdef int64_t n_sent = sentence_ends.shape[0]
        cdef int status
        cdef int64_t k, prev = 0, longest = 0
        cdef int32_t *grown
        for k in range(n_sent):
            if sentence_ends[k] < prev or sentence_ends[k] > n_tokens:
                raise ValueError("sentence_ends must be non-decreasing offsets into ids")
            longest = max(longest, sentence_ends[k] - prev)
            prev = sentence_ends[k]
        if n_sent and prev != n_tokens:
            raise ValueError("the last sentence end must equal the number of tokens")
        if noise is not None:
            if self.c.negative == 0 or noise.shape[0] == 0:
                raise ValueError("noise words need negative > 0 and at least one word")
            for k in range(noise.shape[0]):
                if noise[k] >= self.c.vocab_size:
                    raise ValueError("noise word %d is outside the vocabulary" % noise[k])
        if n_tokens == 0:
            return 0, 0.0
        if self.busy:
            raise RuntimeError("this Worker is training in another thread: give each thread its own")
        if longest > self.c.sent_cap:
            grown = <int32_t *>realloc(self.c.sent_buf, longest * sizeof(int32_t))
            if grown == NULL:
                raise MemoryError("cannot allocate a sentence buffer of %d tokens" % longest)
            self.c.sent_buf = grown
            self.c.sent_cap = longest
        self.busy = True
        try:
            self.c.compute_loss = compute_loss
            self.c.loss = 0.0
            self.c.words_trained = 0
            self.c.noise_ready = 0
            self.c.diverged = 0
            cw2v_rng_seed(&self.c.rng, seed, job)
            if noise is not None:
                self.c.fill_noise = fill_noise_sequence
                self.c.noise_seq = &noise[0]
                self.c.noise_seq_len = noise.shape[0]
                self.c.noise_seq_pos = 0
            with nogil:
                status = run_job(&self.c, &ids[0], &sentence_ends[0], n_sent, alpha_start, alpha_end)
        finally:
            self.c.fill_noise = fill_noise_alias
            self.c.noise_seq = NULL
            self.c.noise_ready = 0
            self.busy = False
        if status == STATUS_BAD_WORD_ID:
            raise ValueError("a word index in the job is outside [0, %d)" % self.c.vocab_size)
        if status == STATUS_DIVERGED:
            raise FloatingPointError("training diverged: the weights overflowed to inf/NaN at a learning rate of "
                                     "%g; lower alpha (gensim's default is 0.025) or check weights you set"
                                     % self.c.alpha)
        return self.c.words_trained, self.c.loss

    @property
    def exchanges(self):
        """How many exchanges of the hot-node replica (one per ``hot_period`` effective words) were made."""
        return int(self.counts[1]) if self.hot_rows else 0

    def replica(self):
        """A copy of the replicated rows as this worker sees them, shape (hot_rows, size), float32."""
        if not self.hot_rows:
            return np.zeros((0, self.c.size), np.float32)
        return np.array(self.rep[:, :self.c.size])

    def flush(self):
        """Exchange every replicated row with ``syn1`` (``syn1`` then holds all of this worker's updates).

        Call it when this worker is not training (e.g. after the threads of an epoch end).
        """
        if self.hot_rows:
            with nogil:
                exchange_hot_rows(&self.c, True)


def _aligned_rows(int64_t n_rows, int64_t pitch, int align=64):
    """Zeroed float32 array of shape (n_rows, pitch) starting on an ``align``-byte boundary (default: a cache
    line). The weight matrices are allocated through it (cw2v.word2vec._weight_matrix), and so are the
    workers' replicas of hot rows, laid out with their matrix's row pitch."""
    raw = np.zeros(n_rows * pitch + align // 4, dtype=np.float32)
    start = (-raw.ctypes.data % align) // 4
    return raw[start:start + n_rows * pitch].reshape(n_rows, pitch)


def sigmoid_table():
    """The sigmoid table the kernels use, as float32 array of shape (CW2V_EXP_TABLE_SIZE,), with MAX_EXP."""
    return np.array([TABLES.sigmoid[i] for i in range(CW2V_EXP_TABLE_SIZE)], dtype=np.float32), CW2V_MAX_EXP


def rng_stream(uint64_t seed, uint64_t stream, int n):
    """The first ``n`` 64-bit outputs of the job random stream (for tests), as uint64 array."""
    cdef cw2v_rng rng
    cw2v_rng_seed(&rng, seed, stream)
    out = np.empty(n, dtype=np.uint64)
    cdef uint64_t[::1] view = out
    cdef int i
    for i in range(n):
        view[i] = cw2v_rng_next(&rng)
    return out


def draw_noise(uint64_t[::1] alias_threshold not None, uint32_t[::1] alias_index not None,
               uint64_t seed, int n):
    """Draw ``n`` noise words through an alias table exactly as the kernels do (for tests)."""
    cdef Context c
    memset(&c, 0, sizeof(Context))
    c.vocab_size = alias_threshold.shape[0]
    if c.vocab_size == 0 or alias_index.shape[0] != c.vocab_size:
        raise ValueError("alias arrays must be non-empty and of equal length")
    c.alias_threshold = &alias_threshold[0]
    c.alias_index = &alias_index[0]
    cw2v_rng_seed(&c.rng, seed, 0)
    out = np.empty(n, dtype=np.uint32)
    cdef uint32_t[::1] view = out
    cdef int i
    with nogil:
        for i in range(n):
            view[i] = draw_noise_word(&c)
    return out
