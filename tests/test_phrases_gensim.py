"""cw2v.phrases against gensim 4.4's Phrases (the oracle): same sentences and settings in, same counts,
scores, phrases and frozen tables out. What needs no gensim is in test_phrases.py."""
import json

import pytest

from cw2v import FrozenPhrases, Phrases
from cw2v.phrases import ENGLISH_CONNECTOR_WORDS, npmi_scorer, original_scorer

from test_phrases import _lookup_class

pytest.importorskip("gensim", reason="gensim 4.4.0 is the oracle of every test here (pip install .[test])")
from gensim.models import phrases as gensim_phrases

CONFIGS = {
    "default": dict(min_count=5, threshold=10.0),
    "npmi": dict(scoring="npmi", threshold=0.5),
    "connectors": dict(min_count=5, threshold=10.0, connector_words=ENGLISH_CONNECTOR_WORDS),
    "npmi-connectors": dict(scoring="npmi", threshold=0.3, connector_words=ENGLISH_CONNECTOR_WORDS),
    "pruned": dict(min_count=3, threshold=5.0, max_vocab_size=20000),
}


@pytest.fixture(scope="module", params=sorted(CONFIGS))
def pair(request, small_corpus):
    kwargs = CONFIGS[request.param]
    return kwargs, Phrases(small_corpus, **kwargs), gensim_phrases.Phrases(small_corpus, **kwargs)


def assert_same_scores(ours, theirs):
    assert set(ours) == set(theirs)
    for phrase, score in theirs.items():
        assert ours[phrase] == pytest.approx(score, rel=0, abs=1e-9), phrase


def dice_scorer(worda_count, wordb_count, bigram_count, len_vocab, min_count, corpus_word_count):
    return bigram_count / (worda_count + wordb_count)


def test_counts_match_gensim(pair):
    _, ours, theirs = pair
    assert ours.vocab == theirs.vocab
    assert ours.corpus_word_count == theirs.corpus_word_count


def test_export_phrases_match_gensim(pair):
    _, ours, theirs = pair
    exported, expected = ours.export_phrases(), theirs.export_phrases()
    assert len(expected) > 20
    assert_same_scores(exported, expected)


def test_getitem_and_find_phrases_match_gensim(pair, small_corpus):
    _, ours, theirs = pair
    assert [ours[s] for s in small_corpus] == [theirs[s] for s in small_corpus]
    assert_same_scores(ours.find_phrases(small_corpus), theirs.find_phrases(small_corpus))


def test_freeze_matches_gensim(pair, small_corpus):
    _, ours, theirs = pair
    frozen, frozen_gensim = ours.freeze(), theirs.freeze()
    assert isinstance(frozen, FrozenPhrases)
    assert_same_scores(frozen.phrasegrams, frozen_gensim.phrasegrams)
    sample = small_corpus[::3]
    assert [frozen[s] for s in sample] == [frozen_gensim[s] for s in sample]
    assert [frozen[s] for s in sample] == [ours[s] for s in sample]


def test_custom_scorer_matches_gensim(small_corpus):
    ours = Phrases(small_corpus, min_count=2, threshold=0.2, scoring=dice_scorer)
    theirs = gensim_phrases.Phrases(small_corpus, min_count=2, threshold=0.2, scoring=dice_scorer)
    assert len(theirs.export_phrases()) > 10
    assert_same_scores(ours.export_phrases(), theirs.export_phrases())


def test_builtin_scorers_match_gensim():
    for args in [(10, 20, 7, 1000, 5, 50000), (3, 3, 3, 10, 5, 100), (5, 5, 0, 10, 0, 99)]:
        assert original_scorer(*args) == gensim_phrases.original_scorer(*args)
        assert npmi_scorer(*args) == gensim_phrases.npmi_scorer(*args)


def test_add_vocab_matches_gensim(small_corpus):
    ours, theirs = Phrases(small_corpus[:750]), gensim_phrases.Phrases(small_corpus[:750])
    ours.add_vocab(iter(small_corpus[750:]))
    theirs.add_vocab(small_corpus[750:])
    assert ours.vocab == theirs.vocab
    assert_same_scores(ours.export_phrases(), theirs.export_phrases())


def test_add_vocab_with_pruning_matches_gensim(small_corpus):
    parts = [small_corpus[:500], small_corpus[500:1000], small_corpus[1000:]]
    ours = Phrases(max_vocab_size=8000, min_count=3, threshold=5.0)
    theirs = gensim_phrases.Phrases(max_vocab_size=8000, min_count=3, threshold=5.0)
    for part in parts:
        ours.add_vocab(part)
        theirs.add_vocab(part)
        assert ours.vocab == theirs.vocab
        assert ours.min_reduce == theirs.min_reduce
    assert theirs.min_reduce > 1  # the pruning happened
    assert_same_scores(ours.export_phrases(), theirs.export_phrases())


try:
    from hypothesis import given, settings, strategies as st
except ImportError:  # hypothesis is a test dependency; without it this one test says so
    given = None

if given is None:
    def test_random_corpora_match_gensim():
        pytest.skip("hypothesis draws the random corpora: pip install hypothesis")
else:
    _WORDS = st.sampled_from(["new", "york", "bank", "america", "of", "the", "a", "x", "y", "and", "x_y"])

    @settings(max_examples=40, deadline=None)
    @given(corpus=st.lists(st.lists(_WORDS, max_size=12), min_size=1, max_size=25),
           connectors=st.booleans(), npmi=st.booleans(), max_vocab_size=st.sampled_from([8, 20, 1000]))
    def test_random_corpora_match_gensim(corpus, connectors, npmi, max_vocab_size):
        kwargs = dict(min_count=1, max_vocab_size=max_vocab_size,
                      connector_words=ENGLISH_CONNECTOR_WORDS if connectors else frozenset())
        kwargs.update(dict(scoring="npmi", threshold=0.1) if npmi else dict(threshold=0.5))
        ours, theirs = Phrases(corpus, **kwargs), gensim_phrases.Phrases(corpus, **kwargs)
        assert ours.vocab == theirs.vocab
        try:
            expected = theirs.export_phrases()
        except ZeroDivisionError:  # gensim's npmi when one bigram is the whole corpus (cw2v: never a phrase)
            return
        assert_same_scores(ours.export_phrases(), expected)
        assert [ours[s] for s in corpus] == [theirs[s] for s in corpus]
        # tokens holding the delimiter ("x_y") can make a model and its frozen table disagree, in gensim too
        frozen, frozen_gensim = ours.freeze(), theirs.freeze()
        assert [frozen[s] for s in corpus] == [frozen_gensim[s] for s in corpus]


def test_phrases_transformation_subclass_matches_gensims():
    from cw2v.models.phrases import _PhrasesTransformation
    ours = _lookup_class(_PhrasesTransformation)
    theirs = _lookup_class(gensim_phrases._PhrasesTransformation)
    scores = {"sentence_with_many": 2, "many_of_the_possible": 2, "possible_bigrams": 2, "simple_sentence": 2}
    texts = [["a", "simple", "sentence", "with", "many", "of", "the", "possible", "bigrams", "with"],
             ["sentence", "with", "many", "possible", "bigrams"], ["the", "of"], []]
    for text in texts:
        assert ours(scores)[text] == theirs(scores)[text]
        assert list(ours(scores).analyze_sentence(text)) == list(theirs(scores).analyze_sentence(text))
    assert list(ours(scores)[texts]) == [theirs(scores)[t] for t in texts]
    assert ours(scores).find_phrases(texts) == theirs(scores).find_phrases(texts)


def test_phrased_corpus_indexes_like_gensims_transformed_corpus(small_corpus):
    ours = Phrases(small_corpus[:1000], min_count=3, threshold=5.0)
    theirs = gensim_phrases.Phrases(small_corpus[:1000], min_count=3, threshold=5.0)
    corpus = small_corpus[:40]
    view, expected = ours[corpus], theirs[corpus]
    assert view[3] == expected[3]
    assert view[-1] == expected[-1]
    assert list(view[5:9]) == list(expected[5:9])
    assert ours.freeze()[corpus][7] == expected[7]
    with pytest.raises(RuntimeError):  # the type of gensim's error for indexing a lazy corpus
        theirs[iter(corpus)][0]


def test_wrong_types_raise_type_error_in_gensim_too():
    with pytest.raises(TypeError):
        gensim_phrases.Phrases([["new", 3]])
    with pytest.raises(TypeError):
        gensim_phrases.Phrases([["a", "b"]] * 3, min_count=1)[5]
    with pytest.raises(TypeError):
        gensim_phrases.Phrases(min_count="5")


def test_frozen_phrases_from_a_gensim_model(tmp_path, small_corpus):
    theirs = gensim_phrases.Phrases(small_corpus[:1000], min_count=3, threshold=5.0,
                                    connector_words=ENGLISH_CONNECTOR_WORDS)
    frozen, frozen_gensim = FrozenPhrases(theirs), theirs.freeze()
    assert frozen.phrasegrams == frozen_gensim.phrasegrams and len(frozen.phrasegrams) > 10
    assert frozen.connector_words == ENGLISH_CONNECTOR_WORDS
    sample = small_corpus[:300]
    assert [frozen[s] for s in sample] == [frozen_gensim[s] for s in sample]
    # gensim's built-in scorer is saved as the built-in it is, without gensim's module
    assert frozen.scoring is gensim_phrases.original_scorer
    frozen.save(tmp_path / "frozen.json")
    assert json.loads((tmp_path / "frozen.json").read_text("utf-8"))["params"]["scoring"] == "default"
    assert FrozenPhrases.load(tmp_path / "frozen.json").scoring is original_scorer


def test_lifecycle_events_as_gensim(small_corpus):
    ours, theirs = Phrases(small_corpus[:200]), gensim_phrases.Phrases(small_corpus[:200])
    assert [e["event"] for e in ours.lifecycle_events] == [e["event"] for e in theirs.lifecycle_events] == ["created"]
    assert not hasattr(gensim_phrases.Phrases(), "lifecycle_events")  # cw2v's is [] until an event


def test_threshold_outside_the_named_ranges_scores_as_gensim():
    corpus = [["a", "b"], ["a", "c"]] * 3
    for scoring, threshold in [(original_scorer, 0.0), (original_scorer, -2.0), (npmi_scorer, 1.5)]:
        gensim_scoring = getattr(gensim_phrases, scoring.__name__)
        theirs = gensim_phrases.Phrases(corpus, min_count=1, threshold=threshold, scoring=gensim_scoring)
        ours = Phrases(corpus, min_count=1, threshold=threshold, scoring=scoring)
        assert ours.export_phrases() == theirs.export_phrases()
