"""cw2v.phrases: phrase detection against closed forms, persistence and argument checks. The comparisons
with gensim's Phrases (the oracle) are in test_phrases_gensim.py."""
import json
import math
import os

import pytest

from cw2v import FrozenPhrases, Phrases
from cw2v.phrases import ENGLISH_CONNECTOR_WORDS, Phraser, npmi_scorer, original_scorer


def test_connector_phrases(small_corpus):
    model = Phrases(small_corpus, min_count=5, threshold=10.0, connector_words=ENGLISH_CONNECTOR_WORDS)
    exported = model.export_phrases()
    assert any(len(p.split("_")) > 2 for p in exported), "expected phrases like bank_of_america"
    toy = [["bank", "of", "america", "rules"], ["the", "bank", "of", "america"], ["i", "see"]] * 20
    toy_model = Phrases(toy, min_count=1, threshold=0.1, connector_words=ENGLISH_CONNECTOR_WORDS)
    assert toy_model[["the", "bank", "of", "america", "and"]] == ["the", "bank_of_america", "and"]
    assert toy_model.freeze()[["bank", "of", "america"]] == ["bank_of_america"]


def test_corpus_getitem_is_lazy_and_reiterable(small_corpus):
    model = Phrases(small_corpus[:1000])
    corpus = small_corpus[:50]
    out = model[corpus]
    assert not isinstance(out, list)
    assert list(out) == list(out) == [model[s] for s in corpus]
    assert list(model[iter(corpus)]) == [model[s] for s in corpus]
    assert model[[]] == []
    assert model[iter(["a", "b"])] == ["a", "b"]


def dice_scorer(worda_count, wordb_count, bigram_count, len_vocab, min_count, corpus_word_count):
    return bigram_count / (worda_count + wordb_count)


def test_builtin_scorers_closed_forms():
    # original: (count(a b) - min_count) / count(a) / count(b) * vocabulary size (Mikolov et al. 2013)
    assert original_scorer(10, 20, 7, 1000, 5, 50000) == pytest.approx((7 - 5) / 10 / 20 * 1000)
    # npmi: log(p(a b) / (p(a) p(b))) / -log p(a b), probabilities over the corpus word count
    pa, pb, pab = 10 / 50000, 20 / 50000, 7 / 50000
    assert npmi_scorer(10, 20, 7, 1000, 5, 50000) == pytest.approx(math.log(pab / (pa * pb)) / -math.log(pab))
    assert npmi_scorer(3, 3, 3, 10, 1, 100) == pytest.approx(1.0)  # always together: perfect association
    assert npmi_scorer(3, 3, 3, 10, 5, 100) == float("-inf")  # fewer than min_count: never a phrase
    assert npmi_scorer(5, 5, 0, 10, 0, 99) == float("-inf")  # never together
    assert original_scorer(3, 3, 3, 10, 5, 100) == pytest.approx((3 - 5) / 3 / 3 * 10)
    assert original_scorer(0, 5, 5, 10, 1, 100) == float("-inf")
    # p(a) == 0 or p(a,b) == 1: gensim divides by zero, cw2v says "never a phrase"
    assert npmi_scorer(0, 5, 5, 10, 1, 100) == float("-inf")
    assert npmi_scorer(5, 5, 5, 1, 1, 5) == float("-inf")


def test_add_vocab_two_halves_equal_whole(small_corpus):
    whole = Phrases(small_corpus)
    halves = Phrases(small_corpus[:750])
    halves.add_vocab(iter(small_corpus[750:]))
    assert halves.vocab == whole.vocab
    assert halves.corpus_word_count == whole.corpus_word_count == sum(map(len, small_corpus))
    assert halves.export_phrases() == whole.export_phrases() and len(whole.export_phrases()) > 20


def test_save_load_round_trip(tmp_path, small_corpus):
    model = Phrases(small_corpus[:1000], scoring="npmi", threshold=0.4, connector_words=ENGLISH_CONNECTOR_WORDS,
                    delimiter="+")
    path = tmp_path / "bigram.json"
    model.save(str(path))
    assert json.loads(path.read_text("utf-8"))["class"] == "Phrases"
    assert [p for p in os.listdir(tmp_path) if p != "bigram.json"] == []  # no temp file left behind
    loaded = Phrases.load(path)
    assert loaded.vocab == model.vocab
    assert loaded.scoring is npmi_scorer
    assert (loaded.threshold, loaded.delimiter, loaded.connector_words, loaded.corpus_word_count) == \
           (0.4, "+", ENGLISH_CONNECTOR_WORDS, model.corpus_word_count)
    assert loaded.export_phrases() == model.export_phrases()
    loaded.add_vocab(small_corpus[1000:1100])  # still updatable
    assert loaded.corpus_word_count == model.corpus_word_count + sum(map(len, small_corpus[1000:1100]))

    frozen = model.freeze()
    frozen_path = tmp_path / "frozen.json"
    frozen.save(frozen_path)
    frozen_loaded = FrozenPhrases.load(frozen_path)
    assert frozen_loaded.phrasegrams == frozen.phrasegrams
    sample = small_corpus[:200]
    assert [frozen_loaded[s] for s in sample] == [model[s] for s in sample]

    # as in gensim, the file decides the class, whichever class's load reads it
    as_phrases = Phrases.load(frozen_path)
    assert type(as_phrases) is FrozenPhrases and as_phrases.phrasegrams == frozen.phrasegrams
    as_frozen = FrozenPhrases.load(path)
    assert type(as_frozen) is Phrases and as_frozen.vocab == model.vocab
    from cw2v.phrases import _PhrasesTransformation
    assert type(_PhrasesTransformation.load(path)) is Phrases
    assert type(_PhrasesTransformation.load(frozen_path)) is FrozenPhrases
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", "utf-8")
    with pytest.raises(ValueError, match="not a cw2v phrases file"):
        Phrases.load(bad)
    bad.write_text(json.dumps({"format": "cw2v-phrases", "version": 1, "class": "Phrases"}), "utf-8")
    with pytest.raises(ValueError, match="corrupted"):
        Phrases.load(bad)


def test_custom_scorer_cannot_be_saved(tmp_path):
    def scorer(worda_count, wordb_count, bigram_count, len_vocab, min_count, corpus_word_count):
        return 1.0

    model = Phrases([["a", "b"]] * 3, scoring=scorer)
    path = tmp_path / "m.json"
    with pytest.raises(ValueError, match="custom scoring"):
        model.save(path)
    assert not path.exists() and os.listdir(tmp_path) == []
    model.freeze().save(path)  # the table alone can be saved
    assert FrozenPhrases.load(path).scoring is None


@pytest.mark.parametrize("kwargs, name", [
    (dict(min_count=0), "min_count"),
    (dict(min_count=-1), "min_count"),
    (dict(threshold=0), "threshold"),
    (dict(threshold=-1.0), "threshold"),
    (dict(scoring="npmi", threshold=1.5), "threshold"),
    (dict(threshold="high"), "threshold"),
    (dict(scoring="pmi"), "scoring"),
    (dict(scoring=42), "scoring"),
    (dict(scoring=lambda a, b: 0.0), "scoring"),
    (dict(max_vocab_size=0), "max_vocab_size"),
    (dict(delimiter=""), "delimiter"),
    (dict(progress_per=0), "progress_per"),
    (dict(connector_words="the of"), "connector_words"),
    (dict(connector_words=[1, 2]), "connector_words"),
])
def test_bad_arguments(kwargs, name):
    with pytest.raises(ValueError, match=name):
        Phrases(**kwargs)


def test_bad_input():
    with pytest.raises(ValueError, match="sentences"):
        Phrases("new york new york")
    with pytest.raises(ValueError, match="sentences"):
        Phrases(["new", "york"])  # a sentence where a corpus is expected
    with pytest.raises(ValueError, match="str tokens"):
        Phrases([["new", 3]])
    model = Phrases([["new", "york"]] * 10, min_count=1, threshold=0.5)
    with pytest.raises(ValueError, match="str"):
        model["new york"]
    with pytest.raises(ValueError):
        model[5]
    with pytest.raises(ValueError, match="Phrases"):
        FrozenPhrases(object())
    assert Phraser is FrozenPhrases


def _lookup_class(base):
    """A phrase detector over ``base`` that scores phrases from a fixed table, as gensim's own tests build one."""

    class Lookup(base):
        def __init__(self, scores, threshold=1, connector_words=frozenset({"a", "the", "with", "of"})):
            super().__init__(connector_words=connector_words)
            self.scores = scores
            self.threshold = threshold

        def score_candidate(self, word_a, word_b, in_between):
            phrase = "_".join([word_a] + in_between + [word_b])
            score = self.scores.get(phrase, -1)
            if score > self.threshold:
                return phrase, score
            return None, None

    return Lookup


def test_phrases_transformation_is_the_common_base(small_corpus):
    from cw2v.models.phrases import _PhrasesTransformation
    model = Phrases(small_corpus[:300])
    assert isinstance(model, _PhrasesTransformation)
    assert isinstance(model.freeze(), _PhrasesTransformation)
    ours = _lookup_class(_PhrasesTransformation)
    scores = {"sentence_with_many": 2, "many_of_the_possible": 2, "possible_bigrams": 2, "simple_sentence": 2}
    texts = [["a", "simple", "sentence", "with", "many", "of", "the", "possible", "bigrams", "with"],
             ["sentence", "with", "many", "possible", "bigrams"], ["the", "of"], []]
    want = [["a", "simple_sentence", "with", "many_of_the_possible", "bigrams", "with"],
            ["sentence_with_many", "possible_bigrams"], ["the", "of"], []]
    assert [ours(scores)[t] for t in texts] == want
    assert list(ours(scores)[texts]) == want
    assert list(ours(scores).analyze_sentence(texts[1])) == [("sentence_with_many", 2), ("possible_bigrams", 2)]
    assert ours(scores).find_phrases(texts) == {"simple_sentence": 2, "many_of_the_possible": 2,
                                                "possible_bigrams": 2, "sentence_with_many": 2}
    assert ours(scores, connector_words=["of"]).connector_words == frozenset({"of"})
    with pytest.raises(ValueError, match="connector_words"):
        ours(scores, connector_words="of the")


def test_phrased_corpus_indexes_like_a_list(small_corpus):
    ours = Phrases(small_corpus[:1000], min_count=3, threshold=5.0)
    corpus = small_corpus[:40]
    view = ours[corpus]
    assert view[3] == ours[corpus[3]]
    assert view[-1] == ours[corpus[-1]]
    assert list(view[5:9]) == [ours[s] for s in corpus[5:9]]
    assert len(view[5:9]) == 4
    assert view.corpus is corpus and view.obj is ours
    frozen = ours.freeze()
    assert frozen[corpus][7] == frozen[corpus[7]]
    assert any(view[i] != corpus[i] for i in range(len(corpus)))  # phrases were found in the sample
    with pytest.raises(IndexError):
        view[len(corpus)]
    lazy = ours[iter(corpus)]
    with pytest.raises(TypeError, match="indexing"):
        lazy[0]
    with pytest.raises(RuntimeError):  # also gensim's exception type
        lazy[0]


@pytest.mark.parametrize("call", [
    lambda: Phrases([["new", 3]]),
    lambda: Phrases([["new", "york"], [["nested"], "list"]]),
    lambda: Phrases(5),
    lambda: Phrases(min_count="5"),
    lambda: Phrases(min_count=None),
    lambda: Phrases(threshold="high"),
    lambda: Phrases(max_vocab_size=2.5),
    lambda: Phrases(progress_per="10"),
    lambda: Phrases(delimiter=5),
    lambda: Phrases(connector_words=5),
    lambda: Phrases([["a", "b"]] * 3, min_count=1)[5],
    lambda: Phrases([["a", "b"]] * 3, min_count=1).find_phrases(None),
    lambda: Phrases([["a", "b"]] * 3, min_count=1).add_vocab([["a", 1.5]]),
])
def test_wrong_types_raise_type_error_as_gensim_and_value_error(call):
    # gensim raises TypeError for these; cw2v documents ValueError for bad input: the error is both
    with pytest.raises(TypeError) as info:
        call()
    assert isinstance(info.value, ValueError)


class Scorers:
    @staticmethod
    def constant(worda_count, wordb_count, bigram_count, len_vocab, min_count, corpus_word_count):
        return 2.0


def _doc_with_scoring(path, scoring):
    doc = json.loads(path.read_text("utf-8"))
    doc["params"]["scoring"] = scoring
    path.write_text(json.dumps(doc), "utf-8")


def test_custom_scorer_saved_by_name(tmp_path, small_corpus):
    model = Phrases(small_corpus, min_count=2, threshold=0.2, scoring=dice_scorer)
    path = tmp_path / "dice.pkl"  # any name: the file is JSON
    model.save(path)
    saved = json.loads(path.read_text("utf-8"))["params"]["scoring"]
    assert saved == {"module": dice_scorer.__module__, "qualname": "dice_scorer"}
    loaded = Phrases.load(path)
    assert loaded.scoring is dice_scorer
    assert loaded.export_phrases() == model.export_phrases() and len(model.export_phrases()) > 10

    frozen_path = tmp_path / "dice-frozen.pkl"
    model.freeze().save(frozen_path)
    assert FrozenPhrases.load(frozen_path).scoring is dice_scorer

    static = Phrases([["a", "b"]] * 3, min_count=1, threshold=1.0, scoring=Scorers.constant)
    static.save(path)
    assert Phrases.load(path).scoring is Scorers.constant
    assert Phrases.load(path).find_phrases([["a", "b"]]) == {"a_b": 2.0}


def test_custom_scorer_lookup_never_imports(tmp_path, monkeypatch, caplog):
    module_dir = tmp_path / "mods"
    module_dir.mkdir()
    marker = tmp_path / "imported"
    (module_dir / "cw2v_test_scorer_mod.py").write_text(
        "open(%r, 'w').close()\n"
        "def scorer(worda_count, wordb_count, bigram_count, len_vocab, min_count, corpus_word_count):\n"
        "    return 1.0\n" % str(marker), "utf-8")
    monkeypatch.syspath_prepend(str(module_dir))
    model = Phrases([["a", "b"]] * 3, min_count=1, threshold=0.5)
    path, frozen_path = tmp_path / "m.json", tmp_path / "f.json"
    model.save(path)
    model.freeze().save(frozen_path)
    reference = {"module": "cw2v_test_scorer_mod", "qualname": "scorer"}
    _doc_with_scoring(path, reference)
    _doc_with_scoring(frozen_path, reference)
    with pytest.raises(ValueError, match="cw2v_test_scorer_mod.scorer.*import cw2v_test_scorer_mod"):
        Phrases.load(path)
    assert Phrases.load(path, scoring=dice_scorer).scoring is dice_scorer
    with caplog.at_level("WARNING", logger="cw2v.phrases"):
        frozen = FrozenPhrases.load(frozen_path)
    assert frozen.scoring is None and "cw2v_test_scorer_mod.scorer" in caplog.text
    assert frozen[["a", "b"]] == ["a_b"]
    frozen.save(tmp_path / "again.json")  # the name survives a round trip
    assert json.loads((tmp_path / "again.json").read_text("utf-8"))["params"]["scoring"] == reference
    assert not marker.exists()
    import sys
    assert "cw2v_test_scorer_mod" not in sys.modules

    # once the program has imported the module itself, the function is found
    import importlib
    mod = importlib.import_module("cw2v_test_scorer_mod")
    try:
        assert Phrases.load(path).scoring is mod.scorer
    finally:
        del sys.modules["cw2v_test_scorer_mod"]


@pytest.mark.parametrize("reference", [
    {"module": "os", "qualname": "system"},                       # not a plain Python function
    {"module": "json", "qualname": "loads"},                      # a function, but not a scorer
    {"module": __name__, "qualname": "dice_scorer.__call__"},     # not a function defined there
    {"module": __name__, "qualname": "<lambda>"},
    {"module": __name__, "qualname": "aliased_dice"},             # found under another name than its own
])
def test_saved_scoring_names_only_scorer_functions(tmp_path, reference):
    path = tmp_path / "m.json"
    Phrases([["a", "b"]] * 3, min_count=1, threshold=0.5).save(path)
    _doc_with_scoring(path, reference)
    with pytest.raises(ValueError, match="scoring"):
        Phrases.load(path)


aliased_dice = dice_scorer


@pytest.mark.parametrize("bad", ["pmi", 3, ["default"], {"module": "x"}, {"module": 1, "qualname": "f"}])
def test_saved_scoring_malformed(tmp_path, bad):
    path = tmp_path / "m.json"
    Phrases([["a", "b"]] * 3, min_count=1, threshold=0.5).save(path)
    _doc_with_scoring(path, bad)
    with pytest.raises(ValueError, match="scoring"):
        Phrases.load(path)
    with pytest.raises(ValueError, match="scoring"):
        FrozenPhrases.load(path)


def test_save_to_open_files_and_gensim_keywords(tmp_path, small_corpus):
    model = Phrases(small_corpus[:500], min_count=2, threshold=1.0)
    with open(tmp_path / "b.json", "wb") as fout:
        model.save(fout, pickle_protocol=4, sep_limit=0)
    with open(tmp_path / "t.json", "w", encoding="utf-8") as fout:
        model.freeze().save(fout, separately=[])
    assert Phrases.load(tmp_path / "b.json", mmap=None).vocab == model.vocab
    assert FrozenPhrases.load(tmp_path / "t.json").phrasegrams == model.export_phrases()
    with pytest.raises(ValueError, match="ignore"):
        model.save(tmp_path / "x.json", ignore=["vocab"])
    assert not (tmp_path / "x.json").exists()


def kwargs_scorer(**counts):
    return 1.0


def test_scorer_taking_only_kwargs_works_but_is_not_saved_by_name(tmp_path):
    model = Phrases([["a", "b"]] * 3, min_count=1, threshold=0.5, scoring=kwargs_scorer)
    assert model[["a", "b"]] == ["a_b"]
    with pytest.raises(ValueError, match="naming the parameters"):
        model.save(tmp_path / "m.json")
    assert os.listdir(tmp_path) == []


def test_lifecycle_events(tmp_path, small_corpus):
    ours = Phrases(small_corpus[:200])
    assert [e["event"] for e in ours.lifecycle_events] == ["created"]
    assert Phrases().lifecycle_events == []  # gensim's has no attribute until an event
    frozen = ours.freeze()
    assert [e["event"] for e in frozen.lifecycle_events] == ["created"]
    assert "msg" in frozen.lifecycle_events[0] and "datetime" in frozen.lifecycle_events[0]

    ours.add_lifecycle_event("custom", note=object())  # not JSON: saved as its repr
    path = tmp_path / "m.json"
    ours.save(path)
    loaded = Phrases.load(path)
    assert [e["event"] for e in loaded.lifecycle_events] == ["created", "custom", "saving", "loaded"]
    assert loaded.lifecycle_events[1]["note"].startswith("<object object")
    assert loaded.lifecycle_events[-1]["fname"] == str(path)
    frozen.save(tmp_path / "f.json")
    assert [e["event"] for e in FrozenPhrases.load(tmp_path / "f.json").lifecycle_events] == \
        ["created", "saving", "loaded"]

    quiet = Phrases(small_corpus[:50])
    quiet.lifecycle_events = None  # recording off, as in gensim
    quiet.add_lifecycle_event("ignored")
    quiet.save(path)
    assert Phrases.load(path).lifecycle_events is None

    doc = json.loads(path.read_text("utf-8"))
    del doc["lifecycle_events"]  # a file from before events were saved
    path.write_text(json.dumps(doc), "utf-8")
    assert [e["event"] for e in Phrases.load(path).lifecycle_events] == ["loaded"]
    doc["lifecycle_events"] = "oops"
    path.write_text(json.dumps(doc), "utf-8")
    with pytest.raises(ValueError, match="lifecycle_events"):
        Phrases.load(path)


def test_threshold_range_checked_only_for_scoring_by_name(tmp_path):
    corpus = [["a", "b"], ["a", "c"]] * 3
    # original: (3 - 1) / 6 / 3 * 5 entries in the vocabulary (a, b, c, a_b, a_c); npmi is never above 1
    both = {"a_b": pytest.approx(10 / 18), "a_c": pytest.approx(10 / 18)}
    for scoring, threshold, want in [(original_scorer, 0.0, both), (original_scorer, -2.0, both),
                                     (npmi_scorer, 1.5, {})]:
        ours = Phrases(corpus, min_count=1, threshold=threshold, scoring=scoring)
        assert ours.export_phrases() == want
        ours.save(tmp_path / "m.json")  # saved as the built-in's name, and loads again
        loaded = Phrases.load(tmp_path / "m.json")
        assert (loaded.scoring, loaded.threshold) == (scoring, threshold)
    with pytest.raises(ValueError, match="threshold"):
        Phrases(corpus, threshold=0.0, scoring="default")
    with pytest.raises(ValueError, match="threshold"):
        Phrases(corpus, threshold=1.5, scoring="npmi")


def test_pickle_round_trip_and_empty_tokens_kept(small_corpus):
    import pickle
    model = Phrases(small_corpus[:500], min_count=2, threshold=1.0, scoring=dice_scorer)
    again = pickle.loads(pickle.dumps(model))
    assert again.vocab == model.vocab and again.scoring is dice_scorer
    frozen = pickle.loads(pickle.dumps(model.freeze()))
    assert frozen.phrasegrams == model.export_phrases()
    assert [frozen[s] for s in small_corpus[:50]] == [model[s] for s in small_corpus[:50]]
    # gensim drops an empty-string token where a phrase could start; cw2v keeps every token
    toy = Phrases([["a", "b"]] * 3, min_count=1, threshold=0.1)
    assert toy[["", "a", "x"]] == ["", "a", "x"]
    assert toy.freeze()[["x", "", "a", "b"]] == ["x", "", "a_b"]
