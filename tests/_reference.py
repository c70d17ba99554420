"""Tiny pure-NumPy reference for one training update of each mode, written from the papers and word2vec.c.

The kernels are tested against these functions on toy vocabularies with fixed noise words. The sigmoid
is read from the same table the kernels use (so the comparison is exact up to float rounding).
"""
import numpy as np

from cw2v._kernels import sigmoid_table

TABLE, MAX_EXP = sigmoid_table()


def _slot(x):
    i = int((np.float32(x) + np.float32(MAX_EXP)) * np.float32(len(TABLE) / (2.0 * MAX_EXP)))
    return min(i, len(TABLE) - 1)


def sigmoid(f):
    if f >= MAX_EXP:
        return np.float32(1.0)
    if f <= -MAX_EXP:
        return np.float32(0.0)
    return TABLE[_slot(f)]


def neg_log_sigmoid(z):
    """-log sigmoid(z), read at the table's grid point inside the range, exact outside (as the kernels)."""
    if -MAX_EXP < z < MAX_EXP:
        z = (2.0 * _slot(z) / len(TABLE) - 1.0) * MAX_EXP
    return float(np.log1p(np.exp(-np.float64(z))))


def output_steps(hidden, target, w_out_ns, w_out_hs, negatives, codes, points, code_lens, alpha):
    """Return (grad, loss); updates the output matrices in place."""
    grad = np.zeros_like(hidden)
    loss = 0.0
    rows = []
    if w_out_hs is not None:
        for j in range(code_lens[target]):
            rows.append((w_out_hs, points[target, j], 1.0 - codes[target, j]))
    if w_out_ns is not None:
        rows.append((w_out_ns, target, 1.0))
        rows.extend((w_out_ns, n, 0.0) for n in negatives if n != target)
    for mat, row, label in rows:
        out = mat[row]
        f = np.float32(np.dot(hidden.astype(np.float64), out.astype(np.float64)))
        g = np.float32((label - sigmoid(f)) * alpha)
        loss += neg_log_sigmoid(f if label > 0.5 else -f)
        grad += g * out
        mat[row] = out + g * hidden
    return grad, loss


def sg_update(w_in, context, target, alpha, w_out_ns=None, w_out_hs=None, negatives=(), codes=None,
              points=None, code_lens=None):
    """Skip-gram: for each context word in turn, its input row predicts ``target``."""
    loss = 0.0
    for c in context:
        hidden = w_in[c].copy()
        grad, l = output_steps(hidden, target, w_out_ns, w_out_hs, negatives, codes, points, code_lens, alpha)
        w_in[c] += grad
        loss += l
    return loss


def cbow_update(w_in, context, target, alpha, cbow_mean=1, w_out_ns=None, w_out_hs=None, negatives=(),
                codes=None, points=None, code_lens=None):
    """CBOW: the mean (or sum) of the context rows predicts ``target``; every context row gets the gradient."""
    hidden = w_in[list(context)].sum(axis=0)
    if cbow_mean and len(context) > 1:
        hidden = hidden / np.float32(len(context))
    grad, loss = output_steps(hidden.astype(np.float32), target, w_out_ns, w_out_hs, negatives, codes, points,
                              code_lens, alpha)
    for c in context:
        w_in[c] += grad
    return loss


def _targets(target, w_out_ns, w_out_hs, negatives, codes, points, code_lens):
    """(matrix, row, label) for every output row of one prediction; label -1 marks a skipped noise word."""
    rows = []
    if w_out_hs is not None:
        rows += [(w_out_hs, points[target, j], 1.0 - codes[target, j]) for j in range(code_lens[target])]
    if w_out_ns is not None:
        rows.append((w_out_ns, target, 1.0))
        rows += [(w_out_ns, n, -1.0 if n == target else 0.0) for n in negatives]
    return rows


def block_update(inputs, target, alpha, w_out_ns, w_out_hs, negatives, codes, points, code_lens):
    """HogBatch block update (Ji et al. 2016): all input rows against the same output rows, all from
    pre-update values. Returns (d_inputs, loss); applies the output-row updates in place."""
    rows = _targets(target, w_out_ns, w_out_hs, negatives, codes, points, code_lens)
    out = np.array([m[r] for m, r, _ in rows], dtype=np.float64)
    labels = np.array([lab for _, _, lab in rows])
    scores = (inputs.astype(np.float64) @ out.T).astype(np.float32)
    grads = np.zeros_like(scores)
    loss = 0.0
    for j in range(scores.shape[0]):
        for t, lab in enumerate(labels):
            if lab < 0:
                continue
            f = scores[j, t]
            grads[j, t] = (lab - sigmoid(f)) * alpha
            loss += neg_log_sigmoid(f if lab > 0.5 else -f)
    d_in = grads.astype(np.float64) @ out
    d_out = grads.T.astype(np.float64) @ inputs.astype(np.float64)
    for t, (m, r, lab) in enumerate(rows):
        if lab >= 0:
            m[r] += d_out[t].astype(np.float32)
    return d_in.astype(np.float32), loss


def sg_block_update(w_in, context, target, alpha, w_out_ns=None, w_out_hs=None, negatives=(), codes=None,
                    points=None, code_lens=None):
    """Batched skip-gram: every context row of the window predicts ``target`` against shared outputs."""
    d_in, loss = block_update(w_in[list(context)].copy(), target, alpha, w_out_ns, w_out_hs, negatives, codes,
                              points, code_lens)
    for j, c in enumerate(context):
        w_in[c] += d_in[j]
    return loss


def cbow_block_update(w_in, context, target, alpha, cbow_mean=1, w_out_ns=None, w_out_hs=None, negatives=(),
                      codes=None, points=None, code_lens=None):
    """Batched CBOW: the hidden vector against all output rows at once."""
    hidden = w_in[list(context)].sum(axis=0)
    if cbow_mean and len(context) > 1:
        hidden = hidden / np.float32(len(context))
    d_in, loss = block_update(hidden[None, :].astype(np.float32), target, alpha, w_out_ns, w_out_hs, negatives,
                              codes, points, code_lens)
    for c in context:
        w_in[c] += d_in[0]
    return loss


def sg_group_update(w_in, w_out_ns, sentence, first, windows, negatives, alpha):
    """Grouped skip-gram + NS block: the windows of consecutive center words ``sentence[first + w]``
    (``windows[w] = (lo, hi)``) share one set of noise words; each context row is labelled 1 against its
    own center word's row, 0 against the noise rows (-1, left out, for a noise word equal to its center
    word) and -1 against the other center words' rows. Pre-update values throughout; returns the loss."""
    k = len(windows)
    out_ids = [sentence[first + w] for w in range(k)] + list(negatives)
    owner, ctx = [], []
    for w, (lo, hi) in enumerate(windows):
        for j in range(lo, hi):
            if j != first + w:
                owner.append(w)
                ctx.append(sentence[j])
    inputs = w_in[ctx].astype(np.float64)
    out = w_out_ns[out_ids].astype(np.float64)
    scores = (inputs @ out.T).astype(np.float32)
    grads = np.zeros_like(scores)
    loss = 0.0
    for r, w in enumerate(owner):
        for t in range(len(out_ids)):
            if t < k:
                lab = 1.0 if t == w else -1.0
            else:
                lab = -1.0 if out_ids[t] == sentence[first + w] else 0.0
            if lab < 0:
                continue
            f = scores[r, t]
            grads[r, t] = (lab - sigmoid(f)) * alpha
            loss += neg_log_sigmoid(f if lab > 0.5 else -f)
    d_in = (grads.astype(np.float64) @ out).astype(np.float32)
    d_out = (grads.T.astype(np.float64) @ inputs).astype(np.float32)
    for t, row in enumerate(out_ids):
        w_out_ns[row] += d_out[t]
    for r, word in enumerate(ctx):
        w_in[word] += d_in[r]
    return loss
