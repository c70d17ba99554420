# cython: language_level=3
"""Declarations shared by the training kernels (see _kernels.pyx for the names' mapping to gensim)."""
from libc.stdint cimport uint8_t, int32_t, uint32_t, int64_t, uint64_t

ctypedef float real_t

cdef extern from "cw2v_rng.h" nogil:
    ctypedef struct cw2v_rng:
        uint64_t state
    void cw2v_rng_seed(cw2v_rng *rng, uint64_t seed, uint64_t stream)
    uint64_t cw2v_rng_next(cw2v_rng *rng)
    uint32_t cw2v_rng_below(cw2v_rng *rng, uint32_t n)

cdef extern from "cw2v_tables.h" nogil:
    enum:
        CW2V_EXP_TABLE_SIZE
        CW2V_MAX_EXP
    ctypedef struct cw2v_tables:
        float sigmoid[CW2V_EXP_TABLE_SIZE]
        float neg_log_sigmoid[CW2V_EXP_TABLE_SIZE]
    void cw2v_tables_init(cw2v_tables *t)
    float cw2v_sigmoid(const cw2v_tables *t, float x)
    double cw2v_neg_log_sigmoid(const cw2v_tables *t, float z)


cdef struct Context:
    # shared weights (Hogwild: written by every thread without locks)
    real_t *w_in              # wv.vectors (syn0), (vocab_size, size), row pitch stride_in
    real_t *w_out_ns          # syn1neg, (vocab_size, size), row pitch stride_ns, or NULL
    real_t *w_out_hs          # syn1, (vocab_size, size), row pitch stride_hs, or NULL
    # read-only tables
    const uint64_t *keep_threshold     # subsampling, (vocab_size,)
    const uint64_t *alias_threshold    # noise distribution, (vocab_size,)
    const uint32_t *alias_index
    const uint8_t *codes               # (vocab_size, max_code_len)
    const int32_t *points              # (vocab_size, max_code_len)
    const int32_t *code_lens           # (vocab_size,)
    const uint32_t *fixed_negatives    # tests only: use these instead of drawing, or NULL
    const real_t *lockf                # wv.vectors_lockf: factor on input-row updates, or NULL (all 1)
    int64_t lockf_len                  # word w uses lockf[w % lockf_len]
    int64_t vocab_size
    int max_code_len
    # hyper-parameters
    int size
    int64_t stride_in         # distance between consecutive rows, in floats (>= size: rows may be padded)
    int64_t stride_ns
    int64_t stride_hs
    int window
    int negative
    int hs
    int sg
    int cbow_mean
    int shrink_windows
    int do_sample
    int compute_loss
    int batched               # 1: HogBatch block updates (level-3 BLAS); 0: per-pair reference path
    real_t alpha
    # private to the thread running the job
    real_t *hidden            # CBOW hidden vector, (size,)
    real_t *grad              # accumulated gradient for the input rows, (size,)
    # block-update scratch (batched path): inputs, outputs, scores/gradients, deltas
    real_t *in_buf            # (max_inputs, size): gathered input rows (SG) or the hidden vector (CBOW)
    real_t *out_buf           # (max_targets, size): gathered output rows
    real_t *score_buf         # (max_inputs, max_targets)
    real_t *d_in              # (max_inputs, size)
    real_t *d_out             # (max_targets, size)
    real_t **out_rows         # (max_targets,): where each gathered output row lives
    real_t *labels            # (max_targets,): 1, 0, or -1 for a skipped noise word
    real_t *label_mat         # (max_inputs, max_targets): per-input labels of a grouped block, or NULL
    real_t *label_buf         # storage for label_mat
    int max_targets
    uint32_t *noise_ahead     # (negative,): noise words drawn one prediction ahead (rows prefetched)
    # hierarchical softmax with several workers: this thread's replica of the busiest syn1 rows (see HotNodes)
    int64_t hot_first         # syn1 rows hot_first .. vocab_size - 2 live in hot_rep (vocab_size: no replica)
    real_t *hot_rep           # (vocab_size - 1 - hot_first, stride_hs): the rows this thread reads and writes
    real_t *hot_snap          # same shape: their values at the last exchange with syn1
    int64_t *hot_counts       # [effective words since the last exchange, exchanges made], or NULL
    int64_t hot_period        # effective words between exchanges of the busiest HOT_TIER rows
    int noise_ready
    cw2v_rng rng
    double loss
    int64_t words_trained     # effective words (after subsampling)
    int64_t examples          # binary-logistic updates made
