"""A pure-NumPy reference of what the kernels train, written from the papers and word2vec.c.

It follows the kernels' one dispatch (cw2v/_kernels.pyx, ``train_sentence``) sentence by sentence: CBOW
(the context's mean or sum predicts the center word), word2vec.c's per-pair skip-gram, HogBatch window
blocks (skip-gram with hierarchical softmax, ``batched``), and grouped blocks of ``SG_GROUP`` center words
sharing one draw of noise words (skip-gram with negative sampling alone, ``batched``). Windows are not
shrunk and nothing is subsampled (the tests build trainers that way); noise words come from a fixed
sequence, taken ``negative`` at a time in the order the predictions are made. The sigmoid is read from the
kernels' own table, so results agree up to float rounding.
"""
import numpy as np

from cw2v._kernels import sigmoid_table

TABLE, MAX_EXP = sigmoid_table()
SG_GROUP = 2


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


class NoiseSequence:
    """Noise words from a fixed sequence, cycled: ``take(k)`` gives the next ``k``."""

    def __init__(self, words):
        self.words = [int(w) for w in words]
        self.pos = 0

    def take(self, k):
        out = [self.words[(self.pos + i) % len(self.words)] for i in range(k)]
        self.pos += k
        return out


def logistic_block(inputs, outs, labels, alpha):
    """Binary-logistic updates of the input rows ``inputs`` (m x d) against the output rows ``outs``
    (a list of (matrix, row)), with ``labels[r][t]`` per pair (negative: left out).

    One input row: the output rows are updated one after the other (word2vec.c). Several: HogBatch, every
    score from the pre-update values (Ji et al. 2016). Output rows are updated in place; returns
    ``(d_in, loss)`` with the input rows' gradients.
    """
    inputs = np.asarray(inputs, dtype=np.float32)
    d_in = np.zeros_like(inputs)
    loss = 0.0
    if len(inputs) == 1:
        hidden = inputs[0]
        for (mat, row), label in zip(outs, labels[0]):
            if label < 0:
                continue
            out = mat[row].copy()
            f = np.float32(np.dot(hidden.astype(np.float64), out.astype(np.float64)))
            g = np.float32((label - sigmoid(f)) * alpha)
            loss += neg_log_sigmoid(f if label > 0.5 else -f)
            d_in[0] += g * out
            mat[row] = out + g * hidden
        return d_in, loss
    out = np.array([mat[row] for mat, row in outs], dtype=np.float64)
    scores = (inputs.astype(np.float64) @ out.T).astype(np.float32)
    grads = np.zeros_like(scores)
    for r in range(scores.shape[0]):
        for t in range(scores.shape[1]):
            label = labels[r][t]
            if label < 0:
                continue
            f = scores[r, t]
            grads[r, t] = (label - sigmoid(f)) * alpha
            loss += neg_log_sigmoid(f if label > 0.5 else -f)
    d_in = (grads.astype(np.float64) @ out).astype(np.float32)
    d_out = (grads.T.astype(np.float64) @ inputs.astype(np.float64)).astype(np.float32)
    for t, (mat, row) in enumerate(outs):
        mat[row] += d_out[t]
    return d_in, loss


class Reference:
    """The weights (updated in place) and settings of one model; ``train_job`` mirrors ``Worker.train_job``."""

    def __init__(self, w_in, w_ns, w_hs, tables, *, sg, hs, negative, window, cbow_mean=1, batched=True,
                 lockf=None):
        self.w_in, self.w_ns, self.w_hs, self.t = w_in, w_ns, w_hs, tables
        self.sg, self.hs, self.negative, self.window = sg, hs, negative, window
        self.cbow_mean, self.batched, self.lockf = cbow_mean, batched, lockf

    def _add_input(self, word, grad):
        factor = 1.0 if self.lockf is None else self.lockf[word % len(self.lockf)]
        self.w_in[word] += np.float32(factor) * grad

    def _targets(self, target, noise):
        """Output rows and labels for predicting ``target``: Huffman path, then target + noise words."""
        outs, labels = [], []
        if self.hs:
            for j in range(self.t.code_lens[target]):
                outs.append((self.w_hs, int(self.t.points[target, j])))
                labels.append(1.0 - float(self.t.codes[target, j]))
        if self.negative:
            words = noise.take(self.negative)
            outs.append((self.w_ns, target))
            labels.append(1.0)
            for w in words:
                outs.append((self.w_ns, w))
                labels.append(-1.0 if w == target else 0.0)
        return outs, labels

    def _window(self, n, i):
        return range(max(0, i - self.window), min(n, i + self.window + 1))

    def train_sentence(self, sent, alpha, noise):
        sent = [int(w) for w in sent]
        n = len(sent)
        loss = 0.0
        if self.sg and self.batched and self.negative and not self.hs:
            i = 0
            while i < n:
                k = min(SG_GROUP, n - i)
                owners, ctx = [], []
                for w in range(k):
                    for j in self._window(n, i + w):
                        if j != i + w:
                            owners.append(w)
                            ctx.append(sent[j])
                if ctx:
                    words = noise.take(self.negative)
                    outs = [(self.w_ns, sent[i + t]) for t in range(k)] + [(self.w_ns, z) for z in words]
                    labels = [[1.0 if t == w else -1.0 for t in range(k)]
                              + [-1.0 if z == sent[i + w] else 0.0 for z in words] for w in owners]
                    d_in, block_loss = logistic_block(self.w_in[ctx], outs, labels, alpha)
                    loss += block_loss
                    for r, word in enumerate(ctx):
                        self._add_input(word, d_in[r])
                i += k
            return loss
        for i in range(n):
            ctx = [sent[j] for j in self._window(n, i) if j != i]
            if not ctx:
                continue
            if self.sg and not self.batched:
                for word in ctx:
                    outs, labels = self._targets(sent[i], noise)
                    d_in, block_loss = logistic_block(self.w_in[[word]], outs, [labels], alpha)
                    loss += block_loss
                    self._add_input(word, d_in[0])
            elif self.sg:
                outs, labels = self._targets(sent[i], noise)
                d_in, block_loss = logistic_block(self.w_in[ctx], outs, [labels] * len(ctx), alpha)
                loss += block_loss
                for r, word in enumerate(ctx):
                    self._add_input(word, d_in[r])
            else:
                hidden = np.zeros(self.w_in.shape[1], np.float32)
                for word in ctx:
                    hidden += self.w_in[word]
                if self.cbow_mean and len(ctx) > 1:
                    hidden *= np.float32(1.0) / np.float32(len(ctx))
                outs, labels = self._targets(sent[i], noise)
                d_in, block_loss = logistic_block(hidden[None, :], outs, [labels], alpha)
                loss += block_loss
                for word in ctx:
                    self._add_input(word, d_in[0])
        return loss

    def train_job(self, sentences, alpha, noise_words=(0,)):
        """Train ``sentences`` at a constant ``alpha``; returns (words trained, loss)."""
        noise = NoiseSequence(noise_words)
        loss = sum(self.train_sentence(s, np.float32(alpha), noise) for s in sentences)
        return sum(len(s) for s in sentences), loss
