"""Analogy evaluation (3CosAdd: a is to b as c is to ?) of skip-gram vectors.

The corpus (bundled with cw2v) is read with stop words removed, and frequent words are subsampled
(``sample=1e-3``) while training. The questions are ``questions-words.txt`` (Mikolov et al. 2013) from
``<repo>/../shared/data/`` when present, else a small built-in list. A path can also be given:
``python examples/analogies.py [questions-words.txt]``.
"""
import os
import sys
import tempfile
import time

try:
    import cw2v
except ImportError:                      # running from a source checkout without installing
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import cw2v
from cw2v.cli import demo_corpus_path

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED_QUESTIONS = os.path.join(os.path.dirname(REPO), "shared", "data", "questions-words.txt")

STOP_WORDS = set("""
a about above after again against all am an and any are as at be because been before being below between
both but by can could did do does doing down during each few for from further had has have having he her
here hers herself him himself his how i if in into is it its itself just me more most my myself no nor not
now of off on once only or other our ours ourselves out over own same shall she should so some such than
that the their theirs them themselves then there these they this those through to too under until up upon
very was we were what when where which while who whom why will with would you your yours yourself
""".split())

BUILT_IN = """: family
man woman king queen
man woman father mother
man woman son daughter
man woman brother sister
boy girl brother sister
father mother son daughter
king queen prince princess
he she his her
: gram-plural
day days night nights
hand hands eye eyes
horse horses ship ships
man men woman women
: gram-past-tense
go went see saw
come came take took
say said give gave
: gram-opposite
good bad right wrong
up down light dark
"""


class StopWordFiltered:
    """A restartable corpus: the sentences of `corpus` without the words of `stop`."""

    def __init__(self, corpus, stop):
        self.corpus, self.stop = corpus, stop

    def __iter__(self):
        for sentence in self.corpus:
            yield [w for w in sentence if w not in self.stop]


def question_words(path):
    with open(path, encoding="utf-8") as fin:
        return {w.lower() for line in fin if not line.startswith(":") for w in line.split()}


def main(questions=None):
    tmp = None
    if questions is None:
        if os.path.isfile(SHARED_QUESTIONS):
            questions = SHARED_QUESTIONS
        else:
            fd, tmp = tempfile.mkstemp(suffix=".txt")
            with os.fdopen(fd, "w", encoding="utf-8") as fout:
                fout.write(BUILT_IN)
            questions = tmp
            print(f"{SHARED_QUESTIONS} not found: using a built-in list of questions")
    try:
        # a stop word that is part of a question ("he", "his" in the family section) is kept
        stop = STOP_WORDS - question_words(questions)
        print(f"removing {len(stop)} stop words; questions from {questions}")
        corpus = StopWordFiltered(cw2v.LineSentence(demo_corpus_path()), stop)
        start = time.perf_counter()
        model = cw2v.Word2Vec(corpus, sg=1, vector_size=100, window=5, min_count=5, negative=5, sample=1e-3,
                              epochs=5, workers=2, seed=1)
        print(f"skip-gram: {len(model.wv)} words, trained in {time.perf_counter() - start:.1f}s")
        start = time.perf_counter()
        accuracy, sections = model.wv.evaluate_word_analogies(questions, restrict_vocab=30000)
        print(f"evaluated in {time.perf_counter() - start:.1f}s")
    finally:
        if tmp is not None:
            os.unlink(tmp)
    for section in sections[:-1]:               # the last one is the total
        n = len(section["correct"]) + len(section["incorrect"])
        if n:
            print(f"{section['section']:>28}: {len(section['correct']) / n:6.1%} of {n:5d} questions")
    print(f"overall accuracy on the questions whose words are all known: {accuracy:.1%}")
    correct = [q for s in sections if s["section"] != "Total accuracy" for q in s["correct"]]
    if correct:
        print("some correct answers: " + "; ".join(
            f"{a}:{b} = {c}:{d}" for a, b, c, d in correct[:: max(1, len(correct) // 5)][:5]))


if __name__ == "__main__":
    main(*sys.argv[1:2])
