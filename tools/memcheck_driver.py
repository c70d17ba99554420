"""Exercise the compiled code paths on small inputs (run under valgrind memcheck by tools/memcheck.sh)."""
import os
import tempfile

import numpy as np

import cw2v
from cw2v import KeyedVectors, LineSentence, Word2Vec
from cw2v.cli import demo_corpus_path

tmp = tempfile.mkdtemp()
sentences = list(LineSentence(demo_corpus_path(), limit=300))
sentences.append(["long"] * 25000)  # a sentence longer than a job
path = os.path.join(tmp, "c.txt")
with open(path, "w", encoding="utf8") as f:
    f.write("\n".join(" ".join(s) for s in sentences) + "\n")
for sg, hs, negative in [(1, 0, 3), (0, 0, 3), (1, 1, 0), (0, 1, 2)]:
    for batched in (True, False):
        m = Word2Vec(sentences, vector_size=12, min_count=2, sg=sg, hs=hs, negative=negative, epochs=1, workers=2,
                     compute_loss=True, batched=batched)
        assert np.isfinite(m.wv.vectors).all()
    m = Word2Vec(corpus_file=path, vector_size=12, min_count=2, sg=sg, hs=hs, negative=negative, epochs=1,
                 workers=2)
    assert np.isfinite(m.wv.vectors).all()
for binary in (True, False):
    out = os.path.join(tmp, "v.bin" if binary else "v.txt")
    m.wv.save_word2vec_format(out, binary=binary)
    kv = KeyedVectors.load_word2vec_format(out, binary=binary)
    data = open(out, "rb").read()
    for cut in (len(data) // 3, len(data) - 5):
        with open(out, "wb") as f:
            f.write(data[:cut])
        try:
            KeyedVectors.load_word2vec_format(out, binary=binary)
        except (ValueError, EOFError):
            pass
kv.most_similar(kv.index_to_key[0])
print("memcheck driver finished", cw2v.__version__)
