# cython: language_level=3
"""Training kernels: skip-gram and CBOW with negative sampling and/or hierarchical softmax.

Everything below runs with the GIL released. One primitive, :c:func:`logistic_step`, makes one
binary-logistic update of one output row against a hidden vector; negative sampling ("one positive plus
k noise words") and hierarchical softmax ("walk the Huffman path") are short loops over it, and
skip-gram and CBOW differ only in how the hidden vector is formed and which input rows receive its
gradient (Mikolov et al. 2013a, 2013b; word2vec.c).

Names used here and their gensim / word2vec.c equivalents:

=================  ==========================  ==================
here               gensim                      word2vec.c
=================  ==========================  ==================
``w_in``           ``wv.vectors`` (syn0)       ``syn0``
``w_out_ns``       ``syn1neg``                 ``syn1neg``
``w_out_hs``       ``syn1``                    ``syn1``
``hidden``         ``neu1`` / ``syn0[word2]``  ``neu1`` / ``syn0[l1]``
``grad``           ``work``                    ``neu1e``
``keep_threshold`` ``sample_int``              (computed inline)
``alias_*``        ``cum_table`` (bisection)   ``table`` (1e8 ints)
=================  ==========================  ==================

Sigmoid values come from a 1000-entry table over [-6, 6) and are clipped to 0/1 outside it in both
objectives (see ``src_c/cw2v_tables.h``). Random numbers come from a SplitMix64 stream seeded from
``(seed, job number)``, so a job's result never depends on which thread runs it.
"""
from libc.stdlib cimport malloc, free
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
    ctypedef struct cw2v_rowops:
        cw2v_dot_fn dot
        cw2v_axpy_fn axpy
        cw2v_step_fn step
        const char *name
    int cw2v_rowops_select(cw2v_rowops *ops, int want)

cdef enum:
    # Hierarchical softmax with several workers: every prediction updates the root of the Huffman tree and
    # the nodes near it, so shared, these rows bounce between cores. Each worker thread instead keeps a
    # replica of the HOT_NODES busiest inner nodes (the last ones created), reads and writes only its
    # replica, and exchanges it with syn1 (adds what it learned since the last exchange, takes the sum)
    # in tiers: the HOT_TIER busiest rows every HOT_PERIOD effective words, the next 3 * HOT_TIER every
    # 4 * HOT_PERIOD words, the next 12 * HOT_TIER every 16 * HOT_PERIOD words, and so on (a node's
    # traffic falls roughly with its rank, so each tier misses about as many of the other thread's
    # updates). 17M tokens, two threads, CBOW + HS (3 epochs): about +17% words/s end-to-end over the
    # previous buffer of 64 nodes' pending updates, analogy 27.81 / 28.36 against 28.25 / 29.02 (28.31 with
    # one worker, no replica); skip-gram + HS: +43% (one pair of runs), analogy 21.48 / 21.55 in the gensim
    # comparison (gensim 20.75). Exchanging 512-2048 nodes together every 20000 words cost 1.4 points;
    # every 250 words instead of 500 changed nothing; 16384 nodes instead of 4096 were no faster.
    HOT_NODES = 4096
    HOT_TIER = 64
    HOT_PERIOD = 500
    # Skip-gram + negative sampling, batched path: this many consecutive center words form one block and
    # share one draw of noise words (each center word's context rows are scored against its own target
    # row and the shared noise rows). Halves the noise-row updates and the sgemm calls per word.
    # 17M tokens, 1 epoch: +11% words/s at one and two workers, analogy -0.1 point (two runs each);
    # groups of 3 or 4 were no faster and cost 1.5-2 points. The same pairing for CBOW + NS gave +12%
    # but -0.65 points (two runs of 3 epochs), so CBOW keeps word2vec.c's per-word updates.
    SG_GROUP = 2

cdef int ONE = 1
cdef real_t ONEF = 1.0
cdef real_t ZEROF = 0.0
cdef char *TRANS_N = b"N"
cdef char *TRANS_T = b"T"
cdef cw2v_tables TABLES
cw2v_tables_init(&TABLES)
cw2v_mem_init()


cdef float blas_dot(int n, const float *x, const float *y) noexcept nogil:
    return sdot(&n, <float *>x, &ONE, <float *>y, &ONE)


cdef void blas_axpy(int n, float a, const float *x, float *y) noexcept nogil:
    saxpy(&n, &a, <float *>x, &ONE, y, &ONE)


cdef void blas_step(int n, float g, const float *hidden, float *out, float *grad) noexcept nogil:
    saxpy(&n, &g, out, &ONE, grad, &ONE)
    saxpy(&n, &g, <float *>hidden, &ONE, out, &ONE)


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
    return 0


select_row_ops(0)


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


def _row_ops(which=None):
    """Name of the level-1 row operations the per-word kernels use: ``"avx512"``, ``"avx2"`` or ``"blas"``.

    ``which`` (one of those or ``"best"``) selects them, for tests and benchmarks; call it only while no
    training runs. Raises ``ValueError`` for an unknown name or an instruction set this CPU lacks.
    """
    if which is not None:
        if which not in _ROWOPS_CODES or select_row_ops(_ROWOPS_CODES[which]) != 0:
            raise ValueError("row operations %r are not available on this CPU" % (which,))
    return ROWOPS.name.decode()

# status codes set inside nogil code, turned into exceptions after it
cdef enum:
    STATUS_OK = 0
    STATUS_BAD_WORD_ID = 1
    STATUS_NO_MEMORY = 2


cdef inline real_t *in_row(Context *c, int64_t word) noexcept nogil:
    """``w_in[word]`` (rows may be padded: ``stride_in >= size``)."""
    return c.w_in + word * c.stride_in


cdef inline real_t *ns_row(Context *c, int64_t word) noexcept nogil:
    """``w_out_ns[word]``."""
    return c.w_out_ns + word * c.stride_ns


cdef inline real_t *hs_row(Context *c, int64_t node) noexcept nogil:
    """``w_out_hs[node]``, or this thread's replica of it (see HotNodes)."""
    if node >= c.hot_first:
        return c.hot_rep + (node - c.hot_first) * c.stride_hs
    return c.w_out_hs + node * c.stride_hs


cdef inline void add_row(real_t *dst, const real_t *src, int size) noexcept nogil:
    """``dst += src``."""
    ROWOPS.axpy(size, ONEF, src, dst)


cdef inline void update_input_row(Context *c, int32_t word, const real_t *grad) noexcept nogil:
    """``w_in[word] += lockf[word] * grad`` (gensim's ``vectors_lockf``: 0 freezes a word, 1 is normal)."""
    cdef real_t factor = ONEF
    if c.lockf != NULL:
        factor = c.lockf[word % c.lockf_len]
        if factor == 0:
            return
    ROWOPS.axpy(c.size, factor, grad, in_row(c, word))


cdef inline void logistic_step(Context *c, real_t *hidden, real_t *out, real_t label) noexcept nogil:
    """One binary-logistic update: score, sigmoid, gradient, loss, output-row update.

    ``grad += g * out`` (with the row's value before its update) and ``out += g * hidden``, where
    ``g = (label - sigmoid(hidden . out)) * alpha``.
    """
    cdef real_t f = ROWOPS.dot(c.size, hidden, out)
    cdef real_t g = (label - cw2v_sigmoid(&TABLES, f)) * c.alpha
    if c.compute_loss:
        c.loss += cw2v_neg_log_sigmoid(&TABLES, f if label > 0.5 else -f)
    ROWOPS.step(c.size, g, hidden, out, c.grad)
    c.examples += 1


cdef inline uint32_t draw_noise_word(Context *c) noexcept nogil:
    """One draw from the unigram^ns_exponent distribution through the alias table (O(1))."""
    cdef uint64_t r = cw2v_rng_next(&c.rng)
    cdef uint32_t slot = <uint32_t>(((r >> 32) * <uint64_t>c.vocab_size) >> 32)
    if (r & 0xFFFFFFFFu) < c.alias_threshold[slot]:
        return slot
    return c.alias_index[slot]


cdef inline void draw_noise_ahead(Context *c) noexcept nogil:
    """Draw the noise words of the next prediction and start fetching their output rows."""
    cdef int j
    for j in range(c.negative):
        c.noise_ahead[j] = draw_noise_word(c)
        cw2v_prefetch_row(ns_row(c, c.noise_ahead[j]), c.size)
    c.noise_ready = 1


cdef inline void output_steps(Context *c, real_t *hidden, int32_t target) noexcept nogil:
    """All output updates for predicting ``target`` from ``hidden``: HS path, then NS (1 + k rows)."""
    cdef int j
    cdef int64_t row
    cdef uint32_t noise
    if c.hs:
        row = <int64_t>target * c.max_code_len
        for j in range(c.code_lens[target]):
            logistic_step(c, hidden, hs_row(c, c.points[row + j]),
                          ONEF - <real_t>c.codes[row + j])
    if c.negative:
        if c.fixed_negatives == NULL and not c.noise_ready:
            draw_noise_ahead(c)
        logistic_step(c, hidden, ns_row(c, target), ONEF)
        for j in range(c.negative):
            if c.fixed_negatives != NULL:
                noise = c.fixed_negatives[j]
            else:
                noise = c.noise_ahead[j]
            if noise == <uint32_t>target:
                continue
            logistic_step(c, hidden, ns_row(c, noise), <real_t>0.0)
        if c.fixed_negatives == NULL:
            draw_noise_ahead(c)  # the next prediction's noise words, fetched while this one trains


cdef inline void sg_pair(Context *c, int32_t context_word, int32_t target) noexcept nogil:
    """Skip-gram: the context word's input row is the hidden vector; it predicts ``target``."""
    cdef real_t *hidden = in_row(c, context_word)
    memset(c.grad, 0, c.size * sizeof(real_t))
    output_steps(c, hidden, target)
    update_input_row(c, context_word, c.grad)


cdef inline int cbow_hidden(Context *c, real_t *hidden, const int32_t *words, int64_t lo, int64_t hi,
                            int64_t skip) noexcept nogil:
    """Sum (or, with ``cbow_mean``, mean) of the rows ``words[lo:hi]`` except position ``skip``, into
    ``hidden``; returns how many rows were combined."""
    cdef int64_t j
    cdef int count = 0
    cdef real_t inv
    memset(hidden, 0, c.size * sizeof(real_t))
    for j in range(lo, hi):
        if j != skip:
            add_row(hidden, in_row(c, words[j]), c.size)
            count += 1
    if c.cbow_mean and count > 1:
        inv = ONEF / count
        sscal(&c.size, &inv, hidden, &ONE)
    return count


cdef inline void cbow_update(Context *c, const int32_t *words, int64_t lo, int64_t hi, int64_t skip,
                             int32_t target) noexcept nogil:
    """CBOW: the sum (or mean) of ``words[lo:hi]`` except position ``skip`` predicts ``target``.

    The gradient is added unscaled to every context row, as in word2vec.c and gensim.
    """
    cdef int64_t j
    if cbow_hidden(c, c.hidden, words, lo, hi, skip) == 0:
        return
    memset(c.grad, 0, c.size * sizeof(real_t))
    output_steps(c, c.hidden, target)
    for j in range(lo, hi):
        if j != skip:
            update_input_row(c, words[j], c.grad)

# ---------------------------------------------------------------------------------------------
# Batched path (HogBatch, Ji et al. 2016): every context row of a window is scored against the same
# output rows (the target's Huffman path and/or the target plus one shared set of noise words) with
# level-3 BLAS, and all rows are updated once from the same pre-update values.

cdef inline int gather_targets(Context *c, int32_t target) noexcept nogil:
    """Collect the output rows for predicting ``target`` into ``out_buf``; returns how many.

    Labels: ``1 - code`` for Huffman nodes, 1 for the target's NS row, 0 for noise words, and -1 for a
    noise word equal to the target (skipped, as word2vec.c does).
    """
    cdef int j, n = 0
    cdef int64_t row
    cdef uint32_t noise
    if c.hs:
        row = <int64_t>target * c.max_code_len
        for j in range(c.code_lens[target]):
            c.out_rows[n] = hs_row(c, c.points[row + j])
            c.labels[n] = ONEF - <real_t>c.codes[row + j]
            n += 1
    if c.negative:
        c.out_rows[n] = ns_row(c, target)
        c.labels[n] = ONEF
        n += 1
        if c.fixed_negatives == NULL and not c.noise_ready:
            draw_noise_ahead(c)
        for j in range(c.negative):
            if c.fixed_negatives != NULL:
                noise = c.fixed_negatives[j]
            else:
                noise = c.noise_ahead[j]
            c.out_rows[n] = ns_row(c, noise)
            c.labels[n] = <real_t>-1.0 if noise == <uint32_t>target else <real_t>0.0
            n += 1
        if c.fixed_negatives == NULL:
            draw_noise_ahead(c)  # the next prediction's noise words, fetched while this one trains
    for j in range(n):
        memcpy(c.out_buf + <int64_t>j * c.size, c.out_rows[j], c.size * sizeof(real_t))
    return n





cdef inline bint output_trained(Context *c, int t) noexcept nogil:
    """Whether gathered output row ``t`` receives an update (a grouped block's left-out pairs add zeros)."""
    return c.label_mat != NULL or c.labels[t] >= 0


cdef void block_update(Context *c, int m, int n_t) noexcept nogil:
    """Binary-logistic updates of ``m`` input rows (``in_buf``) against ``n_t`` output rows (``out_buf``).

    With ``S = In . Out^T`` (m x n_t) and ``G = alpha * (label - sigmoid(S))``: ``d_in = G . Out`` is left
    in ``d_in`` for the caller to add to its input rows, and ``Out += G^T . In`` is applied here. Labels
    are per output row (``labels``), or per (input, output) pair when ``label_mat`` is set; pairs labelled
    -1 are left out (their G is 0). Row-major buffers are passed to column-major BLAS as their transposes.
    """
    cdef int j, t, d = c.size
    cdef real_t f, label
    cdef real_t *score
    # S^T (n_t x m, column-major) = Out (rows as columns)^T . In
    sgemm(TRANS_T, TRANS_N, &n_t, &m, &d, &ONEF, c.out_buf, &d, c.in_buf, &d, &ZEROF, c.score_buf, &n_t)
    for j in range(m):
        score = c.score_buf + <int64_t>j * n_t
        for t in range(n_t):
            label = c.labels[t] if c.label_mat == NULL else c.label_mat[<int64_t>j * n_t + t]
            if label < 0:
                score[t] = 0
                continue
            f = score[t]
            if c.compute_loss:
                c.loss += cw2v_neg_log_sigmoid(&TABLES, f if label > 0.5 else -f)
            score[t] = (label - cw2v_sigmoid(&TABLES, f)) * c.alpha
    c.examples += <int64_t>m * n_t
    # d_in^T (d x m) = Out^T (d x n_t) . G^T (n_t x m)
    sgemm(TRANS_N, TRANS_N, &d, &m, &n_t, &ONEF, c.out_buf, &d, c.score_buf, &n_t, &ZEROF, c.d_in, &d)
    if m == 1:
        # a single input row (CBOW): Out[t] += g[t] * In, straight into the rows
        for t in range(n_t):
            if output_trained(c, t):
                ROWOPS.axpy(d, c.score_buf[t], c.in_buf, c.out_rows[t])
    else:
        # d_out^T (d x n_t) = In^T (d x m) . G (m x n_t)
        sgemm(TRANS_N, TRANS_T, &d, &n_t, &m, &ONEF, c.in_buf, &d, c.score_buf, &n_t, &ZEROF, c.d_out, &d)
        for t in range(n_t):
            if output_trained(c, t):
                add_row(c.out_rows[t], c.d_out + <int64_t>t * d, d)


cdef inline void sg_window_batched(Context *c, const int32_t *words, int64_t lo, int64_t hi, int64_t skip,
                                   int32_t target) noexcept nogil:
    """Skip-gram, batched: all context rows of the window predict ``target`` against shared outputs."""
    cdef int64_t j
    cdef int m = 0, n_t
    for j in range(lo, hi):
        if j != skip:
            memcpy(c.in_buf + <int64_t>m * c.size, in_row(c, words[j]), c.size * sizeof(real_t))
            m += 1
    if m == 0:
        return
    n_t = gather_targets(c, target)
    block_update(c, m, n_t)
    m = 0
    for j in range(lo, hi):
        if j != skip:
            update_input_row(c, words[j], c.d_in + <int64_t>m * c.size)
            m += 1


cdef void sg_group_batched(Context *c, const int32_t *sent, int64_t first, int k, const int64_t *lo,
                           const int64_t *hi) noexcept nogil:
    """Skip-gram + NS, batched: the windows of the ``k`` center words ``sent[first:first + k]`` as one block.

    Window ``w`` spans ``sent[lo[w]:hi[w]]`` (its center excluded). Every context row is scored against
    its own center word's output row (label 1) and one shared set of noise words (label 0; -1, i.e. left
    out, where a noise word equals that center word, as in word2vec.c); other center words' rows are
    left out of its labels.
    """
    cdef int64_t j, r
    cdef int m = 0, w, t, n_t = k + c.negative
    cdef int ends[SG_GROUP]
    cdef uint32_t target
    cdef real_t *lab
    cdef const uint32_t *noise
    for w in range(k):
        for j in range(lo[w], hi[w]):
            if j != first + w:
                memcpy(c.in_buf + <int64_t>m * c.size, in_row(c, sent[j]), c.size * sizeof(real_t))
                m += 1
        ends[w] = m
    if m == 0:
        return
    if c.fixed_negatives != NULL:
        noise = c.fixed_negatives
    else:
        if not c.noise_ready:
            draw_noise_ahead(c)
        noise = c.noise_ahead
    for t in range(n_t):
        if t < k:
            c.out_rows[t] = ns_row(c, sent[first + t])
        else:
            c.out_rows[t] = ns_row(c, noise[t - k])
        memcpy(c.out_buf + <int64_t>t * c.size, c.out_rows[t], c.size * sizeof(real_t))
    w = 0
    for r in range(m):
        while r >= ends[w]:
            w += 1
        target = <uint32_t>sent[first + w]
        lab = c.label_buf + r * n_t
        for t in range(k):
            lab[t] = ONEF if t == w else <real_t>-1.0
        for t in range(c.negative):
            lab[k + t] = <real_t>-1.0 if noise[t] == target else ZEROF
    if c.fixed_negatives == NULL:
        draw_noise_ahead(c)  # the next group's noise words, fetched while this one trains
    c.label_mat = c.label_buf
    block_update(c, m, n_t)
    c.label_mat = NULL
    m = 0
    for w in range(k):
        for j in range(lo[w], hi[w]):
            if j != first + w:
                update_input_row(c, sent[j], c.d_in + <int64_t>m * c.size)
                m += 1


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


cdef void train_sentence_sg_grouped(Context *c, const int32_t *sent, int64_t n) noexcept nogil:
    """Skip-gram + NS, batched: groups of ``SG_GROUP`` consecutive center words (see sg_group_batched)."""
    cdef int64_t i = 0, p
    cdef int64_t lo[SG_GROUP]
    cdef int64_t hi[SG_GROUP]
    cdef int w, k
    while i < n:
        k = SG_GROUP if n - i >= SG_GROUP else <int>(n - i)
        for w in range(k):
            window_bounds(c, i + w, n, &lo[w], &hi[w])
        for p in range(i + k, i + 2 * k):  # the next group's target rows and newly entering context rows
            if p < n:
                cw2v_prefetch_row(ns_row(c, sent[p]), c.size)
            if p + c.window < n:
                cw2v_prefetch_row(in_row(c, sent[p + c.window]), c.size)
        sg_group_batched(c, sent, i, k, lo, hi)
        i += k


cdef inline void cbow_window_batched(Context *c, const int32_t *words, int64_t lo, int64_t hi, int64_t skip,
                                     int32_t target) noexcept nogil:
    """CBOW, batched: the hidden vector is scored against all output rows at once."""
    cdef int64_t j
    cdef int n_t
    if cbow_hidden(c, c.in_buf, words, lo, hi, skip) == 0:
        return
    n_t = gather_targets(c, target)
    block_update(c, 1, n_t)
    for j in range(lo, hi):
        if j != skip:
            update_input_row(c, words[j], c.d_in)


cdef void train_sentence(Context *c, const int32_t *sent, int64_t n) noexcept nogil:
    """Slide the (randomly shrunk) window over one subsampled sentence.

    Skip-gram (and CBOW with hierarchical softmax) use block updates when ``batched``, skip-gram with
    negative sampling alone one block per ``SG_GROUP`` center words; CBOW with negative
    sampling alone always uses word2vec.c's per-word updates, which measured as fast as a block of one
    hidden vector (memory-bound) with BLAS level-1 calls and are faster with the row operations of
    cw2v_rowops.h, while sharing noise words across several CBOW center words cost about 2.6 analogy
    points on the 17M-token corpus.
    """
    cdef int64_t i, j, lo, hi
    if c.batched and c.sg and c.negative and not c.hs:
        train_sentence_sg_grouped(c, sent, n)
        return
    for i in range(n):
        window_bounds(c, i, n, &lo, &hi)
        if i + 1 < n:
            if c.negative:
                cw2v_prefetch_row(ns_row(c, sent[i + 1]), c.size)
            if i + 1 + c.window < n:
                cw2v_prefetch_row(in_row(c, sent[i + 1 + c.window]), c.size)
        if c.batched and (c.sg or c.hs):
            if c.sg:
                sg_window_batched(c, sent, lo, hi, i, sent[i])
            else:
                cbow_window_batched(c, sent, lo, hi, i, sent[i])
        elif c.sg:
            for j in range(lo, hi):
                if j != i:
                    sg_pair(c, sent[j], sent[i])
        else:
            cbow_update(c, sent, lo, hi, i, sent[i])


cdef void exchange_rows(real_t *shared, real_t *rep, real_t *snap, int64_t n_rows, int64_t stride,
                        int size) noexcept nogil:
    """``shared += rep - snap``, then ``rep = snap = shared``, for ``n_rows`` rows (padding untouched)."""
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
    """Exchange this thread's replica of the hot syn1 rows with syn1, tier by tier (see HOT_NODES).

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


cdef int run_job(Context *c, const int32_t *ids, const int64_t *ends, int64_t n_sent, int32_t *buf,
                 double alpha_start, double alpha_end) noexcept nogil:
    """Subsample and train every sentence of a job; the learning rate moves linearly across the job."""
    cdef int64_t s, k, m, start = 0
    cdef int64_t total = ends[n_sent - 1] if n_sent > 0 else 0
    cdef int32_t w
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
            buf[m] = w
            m += 1
        c.words_trained += m
        train_sentence(c, buf, m)
        if c.hot_counts != NULL:
            c.hot_counts[0] += m
            if c.hot_counts[0] >= c.hot_period:
                exchange_hot_rows(c, False)
        start = ends[s]
    return STATUS_OK


cdef int alloc_scratch(Context *c, int max_inputs) noexcept nogil:
    """Allocate the thread-private buffers of ``c``; returns 0, or -1 if memory ran out."""
    cdef int64_t d = c.size
    c.max_targets = (c.max_code_len if c.hs else 0) + (c.negative + SG_GROUP if c.negative else 0)
    c.hidden = <real_t *>malloc(d * sizeof(real_t))
    c.grad = <real_t *>malloc(d * sizeof(real_t))
    c.in_buf = <real_t *>malloc(max_inputs * d * sizeof(real_t))
    c.d_in = <real_t *>malloc(max_inputs * d * sizeof(real_t))
    c.out_buf = <real_t *>malloc(c.max_targets * d * sizeof(real_t))
    c.d_out = <real_t *>malloc(c.max_targets * d * sizeof(real_t))
    c.score_buf = <real_t *>malloc(<int64_t>max_inputs * c.max_targets * sizeof(real_t))
    c.labels = <real_t *>malloc(c.max_targets * sizeof(real_t))
    c.label_buf = <real_t *>malloc(<int64_t>max_inputs * c.max_targets * sizeof(real_t))
    c.label_mat = NULL
    c.out_rows = <real_t **>malloc(c.max_targets * sizeof(real_t *))
    c.noise_ahead = <uint32_t *>malloc((c.negative + 1) * sizeof(uint32_t))
    c.noise_ready = 0
    if (c.hidden == NULL or c.grad == NULL or c.in_buf == NULL or c.d_in == NULL or c.out_buf == NULL
            or c.d_out == NULL or c.score_buf == NULL or c.labels == NULL or c.label_buf == NULL
            or c.out_rows == NULL
            or c.noise_ahead == NULL):
        return -1
    return 0


cdef void free_scratch(Context *c) noexcept nogil:
    free(c.hidden)
    free(c.grad)
    free(c.in_buf)
    free(c.d_in)
    free(c.out_buf)
    free(c.d_out)
    free(c.score_buf)
    free(c.labels)
    free(c.label_buf)
    free(c.out_rows)
    free(c.noise_ahead)


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


cdef _check_negatives(Context *c, const uint32_t[::1] negatives):
    """Fixed noise words for the debug entry points: exactly ``negative`` of them, all in the vocabulary."""
    cdef int64_t k
    if negatives.shape[0] != c.negative:
        raise ValueError("need exactly %d negatives" % c.negative)
    for k in range(c.negative):
        if negatives[k] >= c.vocab_size:
            raise ValueError("negative index out of range")


cdef class Trainer:
    """Shared state of one ``train()`` call: weights, tables and hyper-parameters.

    Parameters
    ----------
    w_in : ndarray of shape (vocab_size, size), dtype=float32
        Input vectors (``wv.vectors``); modified in place by :meth:`train_job`. Each row must be contiguous;
        rows may be evenly spaced further apart than ``size`` (a view of a row-padded, aligned buffer, as
        :class:`cw2v.Word2Vec` allocates them). Padding is never read or written.
    w_out_ns, w_out_hs : ndarray of shape (vocab_size, size), float32, or None
        ``syn1neg`` (needed if ``negative > 0``) and ``syn1`` (needed if ``hs``); modified in place.
    keep_threshold : ndarray (vocab_size,), uint64
        Subsampling thresholds from :func:`cw2v.vocab.keep_thresholds`.
    alias_threshold, alias_index : ndarray (vocab_size,), uint64 / uint32
        Noise table from :func:`cw2v.vocab.alias_table` (empty if ``negative == 0``).
    codes, points, code_lens : ndarray
        Huffman tree from :func:`cw2v.vocab.huffman_tree` (used if ``hs``).
    sg, hs, negative, window, cbow_mean, shrink_windows : int
        As in :class:`cw2v.Word2Vec`.
    batched : bool
        True (default): block updates of a whole window against shared output rows with level-3 BLAS
        (HogBatch); False: word2vec.c's per-pair updates (the reference path).
    lockf : ndarray of shape (1,) or (vocab_size,), float32, or None
        Per-word factor on input-row updates (gensim's ``wv.vectors_lockf``; 0.0 freezes a word);
        one entry applies to every word.

    Raises
    ------
    TypeError, ValueError
        If an array has the wrong dtype, shape or contiguity, or the settings are inconsistent.
    """
    cdef Context proto
    cdef object _keep_alive

    def __init__(self, w_in, w_out_ns, w_out_hs, keep_threshold, alias_threshold, alias_index,
                 codes, points, code_lens, int sg, int hs, int negative, int window, int cbow_mean,
                 int shrink_windows, bint batched=True, lockf=None):
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
        keep_threshold = _check(keep_threshold, "keep_threshold", np.uint64, 1)
        if keep_threshold.shape[0] != n:
            raise ValueError("keep_threshold has %d entries for %d words" % (keep_threshold.shape[0], n))
        if negative > 0:
            if w_out_ns is None or w_out_ns.shape != w_in.shape:
                raise ValueError("w_out_ns must have the shape of w_in")
            alias_threshold = _check(alias_threshold, "alias_threshold", np.uint64, 1)
            alias_index = _check(alias_index, "alias_index", np.uint32, 1)
            if alias_threshold.shape[0] != n or alias_index.shape[0] != n:
                raise ValueError("the alias table must have one entry per word")
            if n and int(alias_index.max()) >= n:
                raise ValueError("alias_index refers to a word outside the vocabulary")
        if hs:
            if w_out_hs is None or w_out_hs.shape != w_in.shape:
                raise ValueError("w_out_hs must have the shape of w_in")
            codes = _check(codes, "codes", np.uint8, 2)
            points = _check(points, "points", np.int32, 2)
            code_lens = _check(code_lens, "code_lens", np.int32, 1)
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
        self.proto.hot_first = n  # no replica of hot syn1 rows unless a HotNodes is given to train_job
        self.proto.size = size
        self.proto.stride_in = _row_pitch(w_in)
        self.proto.stride_ns = _row_pitch(w_out_ns)
        self.proto.stride_hs = _row_pitch(w_out_hs)
        self.proto.window = window
        self.proto.negative = negative if negative > 0 else 0
        self.proto.hs = 1 if hs else 0
        self.proto.sg = 1 if sg else 0
        self.proto.cbow_mean = 1 if cbow_mean else 0
        self.proto.shrink_windows = 1 if shrink_windows else 0
        self.proto.batched = 1 if batched else 0
        if lockf is not None:
            self.proto.lockf = <const real_t *>_addr(lockf)
            self.proto.lockf_len = lockf.shape[0]

    def train_job(self, const int32_t[::1] ids not None, const int64_t[::1] sentence_ends not None,
                  double alpha_start, double alpha_end, uint64_t seed, uint64_t job, bint compute_loss=False,
                  HotNodes hot=None):
        """Train on one job (a batch of sentences) with the GIL released.

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
        hot : HotNodes or None
            The calling thread's replica of the busiest ``syn1`` rows (hierarchical softmax with several
            threads): the job reads and writes those rows there, exchanging them with ``w_out_hs`` as it
            goes. One thread at a time may use a given HotNodes.

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
        MemoryError
            If scratch buffers cannot be allocated.
        """
        cdef Context c = self.proto
        cdef int64_t n_tokens = ids.shape[0]
        cdef int64_t n_sent = sentence_ends.shape[0]
        cdef int status
        cdef int64_t k, prev = 0
        for k in range(n_sent):
            if sentence_ends[k] < prev or sentence_ends[k] > n_tokens:
                raise ValueError("sentence_ends must be non-decreasing offsets into ids")
            prev = sentence_ends[k]
        if n_sent and prev != n_tokens:
            raise ValueError("the last sentence end must equal the number of tokens")
        if n_tokens == 0:
            return 0, 0.0
        c.compute_loss = compute_loss
        if hot is not None:
            if hot.trainer is not self:
                raise ValueError("this HotNodes replicates another Trainer's syn1")
            hot._attach(&c)
        cw2v_rng_seed(&c.rng, seed, job)
        cdef int32_t *buf = <int32_t *>malloc(n_tokens * sizeof(int32_t))
        try:
            if buf == NULL or alloc_scratch(&c, 2 * c.window * SG_GROUP) != 0:
                raise MemoryError("cannot allocate scratch buffers for a job of %d tokens" % n_tokens)
            with nogil:
                status = run_job(&c, &ids[0], &sentence_ends[0], n_sent, buf, alpha_start, alpha_end)
        finally:
            free(buf)
            free_scratch(&c)
        if status == STATUS_BAD_WORD_ID:
            raise ValueError("a word index in the job is outside [0, %d)" % c.vocab_size)
        return c.words_trained, c.loss

    def debug_update(self, const int32_t[::1] context not None, int32_t target,
                     const uint32_t[::1] negatives, double alpha, bint compute_loss=True):
        """One update with fixed noise words, for testing against a reference implementation.

        Skip-gram, per-pair path: one pair update per word of ``context`` (in order), each predicting
        ``target`` with the same noise words. Skip-gram, batched path: one block update of all
        ``context`` rows against the shared output rows. CBOW: one update whose hidden vector combines
        all of ``context``.

        Parameters
        ----------
        context : ndarray (n,), int32
        target : int
        negatives : ndarray (negative,), uint32, or None (draw them)
        alpha : float

        Returns
        -------
        float
            The loss of the update(s).
        """
        cdef Context c = self.proto
        cdef int64_t k, n = context.shape[0]
        for k in range(n):
            if context[k] < 0 or context[k] >= c.vocab_size:
                raise ValueError("context word index out of range")
        if target < 0 or target >= c.vocab_size:
            raise ValueError("target index out of range")
        if negatives is not None:
            _check_negatives(&c, negatives)
            if c.negative:
                c.fixed_negatives = &negatives[0]
        c.alpha = alpha
        c.compute_loss = compute_loss
        cw2v_rng_seed(&c.rng, 0, 0)
        try:
            if alloc_scratch(&c, max(n, 1)) != 0:
                raise MemoryError()
            if n:
                with nogil:
                    if c.batched:
                        if c.sg:
                            sg_window_batched(&c, &context[0], 0, n, -1, target)
                        else:
                            cbow_window_batched(&c, &context[0], 0, n, -1, target)
                    elif c.sg:
                        for k in range(n):
                            sg_pair(&c, context[k], target)
                    else:
                        cbow_update(&c, &context[0], 0, n, -1, target)
        finally:
            free_scratch(&c)
        return c.loss

    def debug_sg_group(self, const int32_t[::1] sentence not None, int64_t first, const int64_t[::1] lo not None,
                       const int64_t[::1] hi not None, const uint32_t[::1] negatives not None, double alpha):
        """One grouped skip-gram + NS block (the batched path's unit), with fixed noise words, for testing.

        Center words ``sentence[first:first + k]`` (``k = len(lo) <= SG_GROUP``); window ``w`` spans
        ``sentence[lo[w]:hi[w]]``. Returns the loss of the block.
        """
        cdef Context c = self.proto
        cdef int k = lo.shape[0]
        cdef int64_t n = sentence.shape[0], w, j, m = 0
        cdef int64_t lo_[SG_GROUP]
        cdef int64_t hi_[SG_GROUP]
        if not (c.sg and c.negative and not c.hs):
            raise ValueError("grouped blocks are skip-gram with negative sampling only")
        if k < 1 or k > SG_GROUP or hi.shape[0] != k or first < 0 or first + k > n:
            raise ValueError("need 1..%d windows inside the sentence" % SG_GROUP)
        _check_negatives(&c, negatives)
        for j in range(n):
            if sentence[j] < 0 or sentence[j] >= c.vocab_size:
                raise ValueError("word index out of range")
        for w in range(k):
            if not (0 <= lo[w] <= first + w < hi[w] <= n):
                raise ValueError("window %d does not contain its center word" % w)
            lo_[w] = lo[w]
            hi_[w] = hi[w]
            m += hi[w] - lo[w] - 1
        c.fixed_negatives = &negatives[0]
        c.alpha = alpha
        c.compute_loss = True
        try:
            if alloc_scratch(&c, <int>max(m, 1)) != 0:
                raise MemoryError()
            with nogil:
                sg_group_batched(&c, &sentence[0], first, k, lo_, hi_)
        finally:
            free_scratch(&c)
        return c.loss


cdef class HotNodes:
    """One worker thread's replica of the busiest rows of ``syn1`` (hierarchical softmax, several threads).

    Every prediction of hierarchical softmax updates the root of the Huffman tree and the nodes near it;
    threads sharing those rows spend their time moving them between cores. A thread that passes its
    HotNodes to :meth:`Trainer.train_job` reads and writes the ``n_rows`` busiest inner nodes (the last
    ones created, ``syn1[vocab_size - 1 - n_rows:vocab_size - 1]``) in its replica, so it sees its own
    updates at once, and exchanges them with ``syn1`` (adds its updates since the previous exchange,
    takes the current sum, including other threads' updates) in tiers: the ``HOT_TIER`` (64) busiest rows
    every ``period`` effective words, the next 192 every ``4 * period`` words, the next 768 every
    ``16 * period``, and so on (exchanges happen at the end of a sentence, the first one after ``period``
    effective words). :meth:`flush` exchanges every row; until it runs, ``syn1`` lacks the replica's latest
    updates.

    Parameters
    ----------
    trainer : Trainer
        A trainer with ``hs`` set; its ``w_out_hs`` is the matrix replicated.
    n_rows : int, optional
        How many of the busiest inner nodes to replicate (default ``HOT_NODES`` = 4096, capped at
        ``vocab_size - 1``). Memory: two float32 arrays of ``(n_rows, row pitch)``.
    period : int, optional
        Effective words between exchanges of the busiest tier (default ``HOT_PERIOD`` = 500).

    Raises
    ------
    ValueError
        If the trainer has no hierarchical softmax, or ``n_rows`` or ``period`` is below 1.
    """
    cdef readonly Trainer trainer
    cdef readonly int64_t first, n_rows, period
    cdef object rep, snap, counts

    def __init__(self, Trainer trainer not None, int64_t n_rows=HOT_NODES, int64_t period=HOT_PERIOD):
        if not trainer.proto.hs:
            raise ValueError("HotNodes needs a trainer with hierarchical softmax (hs=1)")
        if n_rows < 1 or period < 1:
            raise ValueError("n_rows and period must be >= 1, got %d and %d" % (n_rows, period))
        w_hs = trainer._keep_alive[2]
        n_inner = w_hs.shape[0] - 1
        self.trainer = trainer
        self.n_rows = min(n_rows, n_inner)
        self.first = n_inner - self.n_rows
        self.period = period
        self.rep = _aligned_rows(self.n_rows, trainer.proto.stride_hs)
        self.rep[:, :w_hs.shape[1]] = w_hs[self.first:n_inner]
        self.snap = _aligned_rows(self.n_rows, trainer.proto.stride_hs)
        self.snap[...] = self.rep
        # [words since the last exchange, exchanges]: written after every sentence, so on a cache line of its
        # own (next to another thread's counters it would bounce between the cores)
        self.counts = _aligned_rows(1, 16).view(np.int64)[0, :2]

    cdef void _attach(self, Context *c):
        """Point ``c`` at this replica (no-op for a one-word vocabulary, which has no inner node)."""
        if self.n_rows == 0:
            return
        c.hot_first = self.first
        c.hot_rep = <real_t *>_addr(self.rep)
        c.hot_snap = <real_t *>_addr(self.snap)
        c.hot_counts = <int64_t *>_addr(self.counts)
        c.hot_period = self.period

    @property
    def exchanges(self):
        """How many exchanges (one per ``period`` effective words) jobs have made so far."""
        return int(self.counts[1])

    def replica(self):
        """A copy of the replicated rows as this thread sees them, shape (n_rows, size), float32."""
        return np.array(self.rep[:, :self.trainer.proto.size])

    def flush(self):
        """Exchange every replicated row with ``syn1`` (``syn1`` then holds all of this thread's updates).

        Call it when no thread is training with this HotNodes (e.g. after the workers of an epoch end).
        """
        cdef Context c = self.trainer.proto
        self._attach(&c)
        if c.hot_counts != NULL:
            with nogil:
                exchange_hot_rows(&c, True)


def _aligned_rows(int64_t n_rows, int64_t pitch, int align=64):
    """Zeroed float32 array of shape (n_rows, pitch) starting on an ``align``-byte boundary (default: a cache
    line). The weight matrices are allocated through it (cw2v.word2vec._weight_matrix), and so are the
    HotNodes replicas, laid out with their matrix's row pitch."""
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
