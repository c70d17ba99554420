"""CBOW training on the bundled corpus, then nearest neighbours and a similarity or two.

CBOW predicts a word from the mean of its context vectors: it trains faster than skip-gram and does well
on frequent words. Run: ``python examples/cbow.py``.
"""
import os
import sys
import time

try:
    import cw2v
except ImportError:                      # running from a source checkout without installing
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import cw2v
from cw2v.cli import demo_corpus_path


def main():
    sentences = cw2v.LineSentence(demo_corpus_path())
    start = time.perf_counter()
    # sg=0 is CBOW; cbow_mean=1 averages the context vectors (word2vec.c's default for CBOW)
    model = cw2v.Word2Vec(sentences, sg=0, cbow_mean=1, vector_size=100, window=5, min_count=5, negative=5,
                          sample=1e-3, epochs=5, workers=2, seed=1)
    seconds = time.perf_counter() - start
    print(f"CBOW: {len(model.wv)} words, {model.corpus_total_words} tokens x {model.epochs} epochs "
          f"in {seconds:.1f}s ({model.corpus_total_words * model.epochs / seconds / 1e6:.1f}M words/s)")
    for word in ["king", "ship", "mother", "white", "good", "said"]:
        if word in model.wv:
            print(f"{word:>8}: " + ", ".join(f"{w} {s:.2f}" for w, s in model.wv.most_similar(word, topn=8)))
    for a, b in [("man", "woman"), ("king", "queen"), ("day", "night"), ("king", "water")]:
        if a in model.wv and b in model.wv:
            print(f"similarity({a}, {b}) = {model.wv.similarity(a, b):.3f}")
    if all(w in model.wv for w in ("king", "woman", "man")):
        best = model.wv.most_similar(positive=["king", "woman"], negative=["man"], topn=3)
        print("king - man + woman ~ " + ", ".join(f"{w} {s:.2f}" for w, s in best))


if __name__ == "__main__":
    main()
