"""Phrases, approximate nearest neighbours with Annoy, and a PCA picture of a word neighbourhood.

Detects bigram phrases ("new_york") in the corpus bundled with cw2v, trains skip-gram on the glued
sentences, builds an :class:`cw2v.similarities.AnnoyIndexer`
over the vectors, compares its neighbours (and query time) with the exact search, and saves a PCA scatter
plot of a few words and their neighbours to ``ann_neighbours.png``.

Run: ``python examples/ann_neighbours.py [output.png]`` (needs ``pip install annoy matplotlib``; without
annoy it falls back to the exact search, without matplotlib it skips the picture).
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

QUERIES = ["king", "water", "sea", "night", "woman", "horse", "gold", "war"]


def main(png="ann_neighbours.png"):
    start = time.perf_counter()
    sentences = cw2v.LineSentence(demo_corpus_path())
    phrases = cw2v.Phrases(sentences, min_count=10, threshold=20.0,
                           connector_words=cw2v.phrases.ENGLISH_CONNECTOR_WORDS).freeze()
    found = sorted(phrases.phrasegrams, key=phrases.phrasegrams.get, reverse=True)
    print(f"{len(found)} phrases found in {time.perf_counter() - start:.1f}s, e.g. " + ", ".join(found[:8]))
    glued = list(phrases[sentences])
    start = time.perf_counter()
    model = cw2v.Word2Vec(glued, vector_size=100, window=5, min_count=5, sg=1, negative=5, epochs=3, workers=2,
                          seed=1)
    print(f"skip-gram: {len(model.wv)} words x {model.vector_size} dims, trained in "
          f"{time.perf_counter() - start:.1f}s")
    queries = [w for w in QUERIES if w in model.wv]

    try:
        from cw2v.similarities import AnnoyIndexer
        start = time.perf_counter()
        indexer = AnnoyIndexer(model, num_trees=50)
        print(f"Annoy index of {len(indexer)} vectors built in {time.perf_counter() - start:.1f}s")
    except ImportError as exc:
        print(f"annoy is not available ({exc}); using exact search instead")
        indexer = None

    shares = []
    for word in queries:
        exact = model.wv.most_similar(word, topn=8)
        if indexer is None:
            print(f"{word:>8}: " + ", ".join(f"{w} {s:.2f}" for w, s in exact))
            continue
        # the indexer returns the query word itself first: ask for one more and drop it
        approx = [(w, s) for w, s in model.wv.most_similar(word, topn=9, indexer=indexer) if w != word][:8]
        shares.append(len({w for w, _ in exact} & {w for w, _ in approx}) / len(exact))
        print(f"{word:>8}: " + ", ".join(f"{w} {s:.2f}" for w, s in approx))
    if indexer is not None:
        n = 200
        words = model.wv.index_to_key[:n]
        t0 = time.perf_counter()
        for w in words:
            model.wv.most_similar(w, topn=10)
        t1 = time.perf_counter()
        for w in words:
            model.wv.most_similar(w, topn=10, indexer=indexer)
        t2 = time.perf_counter()
        print(f"top-8 overlap with exact search: {sum(shares) / len(shares):.0%}; per query: exact "
              f"{(t1 - t0) / n * 1e3:.2f} ms, annoy {(t2 - t1) / n * 1e3:.2f} ms "
              f"(annoy wins on large vocabularies; this one has {len(model.wv)} words)")

    try:
        from cw2v.plotting import plot_words
        words = []
        for word in queries[:4]:
            if word not in words:
                words.append(word)
            words += [w for w, _ in model.wv.most_similar(word, topn=4) if w not in words]
        plot_words(model.wv, words, method="pca", path=png)
        print(f"PCA picture of {len(words)} words saved to {png}")
    except ImportError as exc:
        print(f"no picture: {exc}")


if __name__ == "__main__":
    main(*sys.argv[1:2])
