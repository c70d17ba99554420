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


cdef struct Context

# Fills ``noise_ahead`` with the next prediction's ``negative`` noise words (see Context.fill_noise).
ctypedef void (*fill_noise_fn)(Context *c) noexcept nogil


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
    const real_t *lockf                # wv.vectors_lockf: factor on input-row updates, or NULL (all 1)
    int64_t lockf_len                  # word w uses lockf[w % lockf_len]
    int64_t vocab_size
    int max_code_len
    # hyper-parameters
    int size
    int64_t stride_in         # distance between consecutive rows, in floats (>= size)
    int64_t stride_ns
    int64_t stride_hs
    int window
    int negative
    int hs
    int cbow_mean
    int shrink_windows
    int do_sample
    int compute_loss
    int driver                # which window driver train_sentence runs (DRIVER_* in _kernels.pyx)
    real_t alpha
    int diverged              # set when a score is NaN (the weights overflowed): the job stops, train_job raises
    # private to one worker thread (cw2v._kernels.Worker), allocated once
    int max_inputs            # rows in_buf / d_in can hold
    int max_targets           # output rows of one block
    real_t *in_buf            # (max_inputs, size): gathered input rows (SG) or the hidden vector (CBOW)
    real_t *d_in              # (max_inputs, size): the gradients of the input rows
    real_t *out_buf           # (max_targets, size): gathered output rows (blocks of several input rows)
    real_t *d_out             # (max_targets, size)
    real_t *score_buf         # (max_inputs, max_targets): scores, then gradients
    real_t **out_rows         # (max_targets,): where each output row of the block lives
    real_t *labels            # (max_targets,): 1, 0, or -1 for a row left out (a noise word equal to the target)
    real_t *label_mat         # (max_inputs, max_targets): per-input labels of a grouped block, or NULL
    real_t *label_buf         # storage for label_mat
    int32_t *row_word         # (max_inputs,): the word of each context row of a skip-gram block
    int32_t *row_owner        # (max_inputs,): which of the block's center words (0..SG_GROUP-1) it predicts
    real_t *label_tmpl        # (SG_GROUP, max_targets): the labels of a row predicting center w
    real_t **sel_rows         # (max_targets,): the output rows a one-row block trains (labels >= 0)
    real_t *sel_g             # (max_targets,): their scores, then gradients
    int ns_from               # out_rows[ns_from:] may repeat a row (noise words); earlier ones never do
    real_t **ctx_rows         # (max(max_inputs, 2 * window),): CBOW's context rows, or a skip-gram block's input rows
    real_t *ctx_factors       # (same,): their update factors (vectors_lockf, or 1)
    int32_t *sent_buf         # (sent_cap,): the subsampled sentence
    int64_t sent_cap
    # noise words: drawn one prediction ahead so their rows are fetched while the current one trains
    uint32_t *noise_ahead     # (negative,)
    int noise_ready
    fill_noise_fn fill_noise  # draws from the alias table; tests give a fixed sequence instead
    const uint32_t *noise_seq  # the fixed sequence (tests), cycled
    int64_t noise_seq_len
    int64_t noise_seq_pos
    # hierarchical softmax with several workers: this worker's replica of the busiest syn1 rows
    int64_t hot_first         # syn1 rows hot_first .. vocab_size - 2 live in hot_rep (vocab_size: no replica)
    real_t *hot_rep           # (vocab_size - 1 - hot_first, stride_hs): the rows this thread reads and writes
    real_t *hot_snap          # same shape: their values at the last exchange with syn1
    int64_t *hot_counts       # [effective words since the last exchange, exchanges made], or NULL
    int64_t hot_period        # effective words between exchanges of the busiest HOT_TIER rows
    cw2v_rng rng
    double loss
    int64_t words_trained     # effective words (after subsampling)
