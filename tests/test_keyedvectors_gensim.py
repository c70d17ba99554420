"""KeyedVectors against gensim 4.4's KeyedVectors (the oracle): same vectors in, same answers out.

Every test here compares with gensim, so the module skips without it; what needs no gensim is in
test_keyedvectors.py and test_kv_gensim_api.py."""
import warnings
from pathlib import Path

import numpy as np
import pytest

from cw2v import _evaluation, keyedvectors as kv_module
from cw2v.keyedvectors import KeyedVectors

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
pytest.importorskip("gensim", reason="gensim 4.4.0 is the oracle of every test here (pip install .[test])")
from gensim.models import keyedvectors as gensim_kv  # noqa: E402

GensimKV = gensim_kv.KeyedVectors

DATA_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
QUESTIONS = DATA_DIR / "questions-words.txt"
WORDSIM = DATA_DIR / "wordsim353.tsv"
needs_data = pytest.mark.skipif(
    not (QUESTIONS.exists() and WORDSIM.exists()),
    reason=f"evaluation data not found in {DATA_DIR} (expected <repo>/../shared/data)",
)


# ------------------------------------------------------------------------------------------------ helpers


def both(keys, vectors, counts=None):
    """The same vectors in a cw2v and a gensim KeyedVectors."""
    ours, theirs = KeyedVectors(vectors.shape[1]), GensimKV(vectors.shape[1])
    ours.add_vectors(keys, vectors)
    theirs.add_vectors(keys, vectors)
    if counts is not None:
        ours.expandos["count"] = np.asarray(counts, dtype=np.int64).copy()
        theirs.expandos["count"] = np.asarray(counts, dtype=np.int64).copy()
    return ours, theirs


def assert_same(got, expected):
    """Exact equality of results, including numpy dtypes and scalar types."""
    if isinstance(expected, np.ndarray):
        assert isinstance(got, np.ndarray)
        assert got.dtype == expected.dtype and got.shape == expected.shape
        np.testing.assert_array_equal(got, expected)
    elif isinstance(expected, (list, tuple)):
        assert type(got) is type(expected) and len(got) == len(expected)
        for g, e in zip(got, expected):
            assert_same(g, e)
    else:
        assert type(got) is type(expected), (got, expected)
        assert got == expected or (got != got and expected != expected)


def assert_same_evaluation(got, expected):
    """(pearson, spearman, oov_ratio) results equal, NaN p-values included."""
    assert type(got[0]) is type(expected[0]) and type(got[1]) is type(expected[1])
    np.testing.assert_equal(tuple(got[0]), tuple(expected[0]))
    np.testing.assert_equal(tuple(got[1]), tuple(expected[1]))
    assert got[2] == expected[2]


def call_both(ours, theirs, method, *args, **kwargs):
    """Call a method on both; they must return the same thing or raise the same exception type."""
    try:
        expected = getattr(theirs, method)(*args, **kwargs)
    except Exception as err:  # noqa: BLE001 - the oracle decides what is an error
        with pytest.raises(type(err)):
            getattr(ours, method)(*args, **kwargs)
        return None
    got = getattr(ours, method)(*args, **kwargs)
    assert_same(got, expected)
    return got


KEYS = (
    ["Paris", "paris", "PARIS", "France", "france", "naïve", "Ärger", "straße", "東京", "кошка", "king", "queen",
     "man", "woman"]
    + [f"w{i}" for i in range(400)]
)


@pytest.fixture(scope="module")
def pair():
    rng = np.random.default_rng(2024)
    vectors = rng.standard_normal((len(KEYS), 24)).astype(np.float32)
    vectors[20] = vectors[30]  # an exact tie in every ranking
    vectors[1] = vectors[0] * 2  # same direction, different length
    return both(KEYS, vectors)


# ------------------------------------------------------------------------------------------- queries

QUERIES = [
    dict(positive="king"),
    dict(positive=["king", "woman"], negative=["man"]),
    dict(positive=["king", "woman"], negative="man", topn=3),
    dict(positive=[("king", 0.5), ("woman", 2.0)], negative=[("man", 0.3)]),
    dict(positive=["w20"], topn=5),
    dict(positive=["w30", "w20"], topn=7),
    dict(positive=[5], negative=[7]),
    dict(positive="Paris", topn=None),
    dict(positive="Paris", topn=0),
    dict(positive="Paris", topn=1),
    dict(positive="Paris", topn=10_000),
    dict(positive="Paris", restrict_vocab=100),
    dict(positive="Paris", clip_start=10, clip_end=200),
    dict(positive="Paris", clip_start=10, clip_end=200, topn=None),
    dict(positive=["Paris", "France"], negative=["paris"], restrict_vocab=50, topn=None),
    dict(positive=["missing"]),
    dict(positive=[]),
]


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: repr(q)[:60])
def test_most_similar(pair, query):
    call_both(*pair, "most_similar", **query)


def test_most_similar_vectors(pair):
    ours, theirs = pair
    rng = np.random.default_rng(1)
    vec = rng.standard_normal(24).astype(np.float32)
    call_both(ours, theirs, "most_similar", positive=vec)
    call_both(ours, theirs, "most_similar", positive=[vec, "king"], negative=["man"])
    call_both(ours, theirs, "most_similar", positive=np.stack([vec, vec * 3]), topn=None)
    call_both(ours, theirs, "most_similar", positive=[(vec.astype(np.float64), 0.7)], topn=4)
    call_both(ours, theirs, "similar_by_vector", vec, topn=6, restrict_vocab=300)
    call_both(ours, theirs, "similar_by_vector", vec, topn=None)


@pytest.mark.parametrize("method", ["similar_by_word", "similar_by_key"])
def test_similar_by(pair, method):
    for args in (("king",), ("東京", 3), ("w20", 4, 100), ("Paris", None)):
        call_both(*pair, method, *args)


def test_most_similar_cosmul(pair):
    ours, theirs = pair
    vec = np.random.default_rng(2).standard_normal(24).astype(np.float32)
    for kwargs in (
        dict(positive=["king", "woman"], negative=["man"]),
        dict(positive="king"),
        dict(positive=["king", "woman"], negative=["man"], topn=None),
        dict(positive=["w30"], topn=4),
        dict(positive=[vec], negative=["man"], topn=5),
        dict(positive=["king"], topn=0),
        dict(positive=[], negative=["man"]),
        dict(positive=["nope"]),
    ):
        call_both(ours, theirs, "most_similar_cosmul", **kwargs)


def test_pairwise_similarities(pair):
    ours, theirs = pair
    for a, b in (("king", "queen"), ("Paris", "paris"), ("w20", "w30"), ("東京", "кошка"), (3, 7), ("king", "king")):
        call_both(ours, theirs, "similarity", a, b)
        call_both(ours, theirs, "distance", a, b)
    call_both(ours, theirs, "similarity", "king", "nope")
    call_both(ours, theirs, "n_similarity", ["king", "man"], ["queen", "woman", "nope"])
    call_both(ours, theirs, "n_similarity", ["king"], ["king"])
    with pytest.raises(ZeroDivisionError):
        ours.n_similarity([], ["king"])
    with pytest.raises(ValueError):
        ours.n_similarity(["king"], [])
    call_both(ours, theirs, "most_similar_to_given", "king", ["queen", "man", "w5", "Paris"])
    call_both(ours, theirs, "relative_cosine_similarity", "king", "queen")
    call_both(ours, theirs, "relative_cosine_similarity", "king", "queen", 3)


def test_distances(pair):
    ours, theirs = pair
    vec = np.random.default_rng(3).standard_normal(24).astype(np.float32)
    call_both(ours, theirs, "distances", "king")
    call_both(ours, theirs, "distances", "king", ["queen", "man", "w7"])
    call_both(ours, theirs, "distances", vec)
    call_both(ours, theirs, "distances", vec, ("Paris", "東京"))
    call_both(ours, theirs, "distances", "king", ["nope"])
    assert_same(
        KeyedVectors.cosine_similarities(vec, ours.vectors[:50]), GensimKV.cosine_similarities(vec, theirs.vectors[:50])
    )


def test_closer_than_and_rank(pair):
    ours, theirs = pair
    for a, b in (("king", "queen"), ("w20", "w30"), ("w30", "w20"), ("Paris", "paris"), ("king", "king")):
        call_both(ours, theirs, "closer_than", a, b)
        call_both(ours, theirs, "rank", a, b)


def test_doesnt_match_and_centrality(pair):
    ours, theirs = pair
    call_both(ours, theirs, "doesnt_match", ["king", "queen", "man", "東京"])
    call_both(ours, theirs, "doesnt_match", ["king", "queen", "nope", "w20", "w30"])
    call_both(ours, theirs, "doesnt_match", ["nope"])
    call_both(ours, theirs, "rank_by_centrality", ["king", "queen", "man", "woman", "w20", "w30"])
    call_both(ours, theirs, "rank_by_centrality", ["king", "queen", "man"], use_norm=False)


def test_mean_vector(pair):
    ours, theirs = pair
    vec = np.random.default_rng(4).standard_normal(24)
    for args, kwargs in (
        ((["king", "queen"],), {}),
        ((["king", "queen", "nope"],), dict(pre_normalize=False)),
        ((["king", vec],), dict(weights=[0.5, -1.0], post_normalize=True)),
        ((["king", "man"],), dict(weights=np.array([2.0, 1.0]), post_normalize=True)),
        ((["nope"],), {}),
        ((["nope"],), dict(ignore_missing=False)),
        (([],), {}),
        ((["king"],), dict(weights=[1.0, 2.0])),
    ):
        call_both(ours, theirs, "get_mean_vector", *args, **kwargs)


def test_lookup(pair):
    ours, theirs = pair
    assert len(ours) == len(theirs)
    for key in ("king", "東京", 0, 5, np.int64(9), "nope", -1, len(KEYS), len(KEYS) + 1):
        assert (key in ours) == (key in theirs)
        assert ours.has_index_for(key) == theirs.has_index_for(key)
        for default in (None, -7):
            try:
                expected = theirs.get_index(key, default)
            except KeyError:
                with pytest.raises(KeyError):
                    ours.get_index(key, default)
            else:
                assert ours.get_index(key, default) == expected  # (a plain int here, even for numpy keys)
        call_both(ours, theirs, "get_vector", key)
        call_both(ours, theirs, "get_vector", key, norm=True)
        call_both(ours, theirs, "__getitem__", key)
    call_both(ours, theirs, "__getitem__", ["king", "東京", 3])
    call_both(ours, theirs, "__getitem__", ["king", "nope"])
    with pytest.raises(ValueError):
        ours["king"][0] = 1.0  # read-only view: the cached norms cannot silently go stale
    assert ours[[]].shape == (0, 24)


def test_norms(pair):
    ours, theirs = pair
    ours.fill_norms()
    theirs.fill_norms()
    assert_same(ours.norms, theirs.norms)
    assert_same(ours.get_normed_vectors(), theirs.get_normed_vectors())
    ours.fill_norms(force=True)
    assert_same(ours.norms, theirs.norms)


def test_unit_normalize_all():
    rng = np.random.default_rng(5)
    ours, theirs = both(KEYS[:50], rng.standard_normal((50, 8)).astype(np.float32))
    vectors = ours.vectors
    ours.unit_normalize_all()
    theirs.unit_normalize_all()
    assert ours.vectors is vectors  # in place
    assert_same(ours.vectors, theirs.vectors)
    assert_same(ours.norms, theirs.norms)
    call_both(ours, theirs, "most_similar", "king", topn=None)


# ----------------------------------------------------------------------------------- editing and attributes


def state(kv):
    return kv.index_to_key, kv.key_to_index, kv.vectors, {k: v for k, v in kv.expandos.items()}


def assert_same_state(ours, theirs):
    assert ours.index_to_key == theirs.index_to_key
    assert ours.key_to_index == theirs.key_to_index
    assert_same(ours.vectors, theirs.vectors)
    assert ours.vectors.flags.c_contiguous
    assert sorted(ours.expandos) == sorted(theirs.expandos)
    for attr in ours.expandos:
        assert_same(ours.expandos[attr], theirs.expandos[attr])


def test_add_vectors_like_gensim():
    rng = np.random.default_rng(6)
    first = rng.standard_normal((5, 4)).astype(np.float32)
    second = rng.standard_normal((4, 4)).astype(np.float32)
    for replace in (False, True):
        ours, theirs = both(["a", "b", "c", "d", "e"], first)
        ours.add_vectors(["x", "b", "y", "e"], second, replace=replace)
        theirs.add_vectors(["x", "b", "y", "e"], second, replace=replace)
        assert_same_state(ours, theirs)
    ours, theirs = both(["a", "b"], first[:2])
    ours["c"] = second[0]
    theirs["c"] = second[0]
    ours[["a", "z"]] = second[1:3]
    theirs[["a", "z"]] = second[1:3]
    ours.add_vectors("single", second[3])
    theirs.add_vectors("single", second[3])
    assert_same_state(ours, theirs)


def test_add_vector_into_preallocated_slots():
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((4, 3)).astype(np.float32)
    ours, theirs = KeyedVectors(3, count=3), GensimKV(3, count=3)
    for key, vec in zip("abc", vectors):
        assert ours.add_vector(key, vec) == theirs.add_vector(key, vec)
    with pytest.warns(UserWarning):
        got = ours.add_vector("d", vectors[3])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert got == theirs.add_vector("d", vectors[3])
    assert_same_state(ours, theirs)
    assert ours.next_index == theirs.next_index == 4


def test_vecattrs(pair):
    ours, theirs = both(["a", "b", "c"], np.eye(3, dtype=np.float32))
    for kv in (ours, theirs):
        kv.set_vecattr("b", "count", 5)
        kv.set_vecattr(2, "count", 7)
        kv.set_vecattr("a", "tag", "x")
        kv.allocate_vecattrs(["weight"], [np.float32])
    assert_same_state(ours, theirs)
    call_both(ours, theirs, "get_vecattr", "c", "count")
    call_both(ours, theirs, "get_vecattr", "a", "tag")
    call_both(ours, theirs, "set_vecattr", "a", "count", 1.5)
    call_both(ours, theirs, "get_vecattr", "nope", "count")


def test_sort_by_descending_frequency():
    rng = np.random.default_rng(8)
    keys = [f"k{i}" for i in range(40)]
    counts = rng.integers(0, 6, size=40)  # many ties: gensim puts tied keys in reverse order
    ours, theirs = both(keys, rng.standard_normal((40, 5)).astype(np.float32), counts)
    ours.expandos["other"] = np.arange(40.0)
    theirs.expandos["other"] = np.arange(40.0)
    ours.fill_norms()
    ours.sort_by_descending_frequency()
    theirs.sort_by_descending_frequency()
    assert_same_state(ours, theirs)
    assert ours.norms is None
    call_both(ours, theirs, "most_similar", "k3")


# ---------------------------------------------------------------------------------------- word2vec files


@pytest.mark.parametrize("binary", [False, True])
def test_save_word2vec_format_like_gensim(tmp_path, binary):
    rng = np.random.default_rng(9)
    keys = ["naïve", "東京"] + [f"w{i}" for i in range(60)]
    counts = rng.integers(1, 20, size=len(keys))
    ours, theirs = both(keys, rng.standard_normal((len(keys), 7)).astype(np.float32), counts)
    for kwargs in (dict(), dict(prefix="x_", total_vec=100), dict(write_header=False)):
        ours.save_word2vec_format(tmp_path / "ours", fvocab=tmp_path / "ours.vocab", binary=binary, **kwargs)
        theirs.save_word2vec_format(str(tmp_path / "theirs"), fvocab=str(tmp_path / "theirs.vocab"), binary=binary,
                                    **kwargs)
        assert (tmp_path / "ours").read_bytes() == (tmp_path / "theirs").read_bytes()
        assert (tmp_path / "ours.vocab").read_bytes() == (tmp_path / "theirs.vocab").read_bytes()
    ours.save_word2vec_format(tmp_path / "ours", binary=binary, sort_attr="nope")
    theirs.save_word2vec_format(str(tmp_path / "theirs"), binary=binary, sort_attr="nope")
    assert (tmp_path / "ours").read_bytes() == (tmp_path / "theirs").read_bytes()
    with pytest.raises(ValueError):
        ours.save_word2vec_format(tmp_path / "ours", fvocab=tmp_path / "v", sort_attr="nope")

    # loading: with and without the vocabulary file, in both libraries
    ours.save_word2vec_format(tmp_path / "ours", fvocab=tmp_path / "ours.vocab", binary=binary)
    for fvocab in (None, tmp_path / "ours.vocab"):
        for limit in (None, 10):
            mine = KeyedVectors.load_word2vec_format(tmp_path / "ours", fvocab=fvocab, binary=binary, limit=limit)
            ref = GensimKV.load_word2vec_format(
                str(tmp_path / "ours"), fvocab=fvocab and str(fvocab), binary=binary, limit=limit
            )
            assert_same_state(mine, ref)
            assert mine.next_index == ref.next_index
    call_both(mine, ref, "most_similar", "w3")


# ---------------------------------------------------------------------------------------------- evaluation


def planted_model(rng, dim=16, n_pairs=10, n_sections=4, n_noise=150, noise=0.35):
    """Vectors where target = source + section offset (+ noise), case variants and exact ties, and an
    analogy file over them with OOV, malformed and blank lines and an empty section."""
    vectors, keys, lines = {}, [], []
    for s in range(n_sections):
        offset = rng.standard_normal(dim) * 1.5
        pairs = []
        for p in range(n_pairs):
            src, tgt = f"src{s}_{p}", f"Tgt{s}_{p}"
            vectors[src] = rng.standard_normal(dim)
            vectors[tgt] = vectors[src] + offset + noise * rng.standard_normal(dim)
            pairs.append((src, tgt))
        lines.append(f": section-{s}")
        for (a, b) in pairs:
            for (c, d) in pairs:
                if a != c:
                    lines.append(f"{a} {b} {c} {d}")
        lines.append(f"{pairs[0][0]} {pairs[0][1]} unknownword {pairs[1][1]}")
        lines.append("too few words")
        lines.append("")
    lines.append(": empty-section")
    # case variants close to question words (answers blocked by the case-insensitive rule) and exact ties
    for s in range(n_sections):
        vectors[f"SRC{s}_1"] = vectors[f"src{s}_1"] + 0.01 * rng.standard_normal(dim)
        vectors[f"tgt{s}_2"] = vectors[f"Tgt{s}_2"].copy()
        vectors[f"tie{s}"] = vectors[f"Tgt{s}_3"].copy()
    for i in range(n_noise):
        vectors[f"noise{i}"] = rng.standard_normal(dim)
    keys = list(vectors)
    order = rng.permutation(len(keys))
    keys = [keys[i] for i in order]
    matrix = np.array([vectors[k] for k in keys], dtype=np.float32)
    return keys, matrix, "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    rng = np.random.default_rng(10)
    keys, matrix, text = planted_model(rng)
    path = tmp_path_factory.mktemp("analogies") / "analogies.txt"
    path.write_text(text, encoding="utf8")
    return keys, matrix, path


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(),
        dict(case_insensitive=False),
        dict(dummy4unknown=True),
        dict(restrict_vocab=120),
        dict(restrict_vocab=None, case_insensitive=False, dummy4unknown=True),
        dict(restrict_vocab=0, dummy4unknown=True),
    ],
    ids=repr,
)
def test_evaluate_word_analogies_synthetic(planted, kwargs, monkeypatch):
    keys, matrix, path = planted
    ours, theirs = both(keys, matrix)
    exact_calls = []
    exact = _evaluation._analogy_exact

    def counting(kv, *args):
        exact_calls.append(1)
        return exact(kv, *args)

    monkeypatch.setattr(_evaluation, "_analogy_exact", counting)
    monkeypatch.setattr(_evaluation, "_ANALOGY_BATCH_ENTRIES", 37 * len(keys))  # several ragged batches
    got = ours.evaluate_word_analogies(path, **kwargs)
    expected = theirs.evaluate_word_analogies(str(path), **kwargs)
    assert got == expected
    assert type(got[0]) is type(expected[0])
    if kwargs.get("restrict_vocab", 1) and len(expected[1][-1]["correct"]):
        assert 0 < len(exact_calls) < len(expected[1][-1]["correct"]) + len(expected[1][-1]["incorrect"])


def test_evaluate_word_analogies_small_vocab(tmp_path):
    """Fewer than 16 candidates: every question takes the exact path."""
    rng = np.random.default_rng(11)
    keys = ["a", "b", "c", "d", "e", "f", "g", "A"]
    ours, theirs = both(keys, rng.standard_normal((len(keys), 3)).astype(np.float32))
    path = tmp_path / "q.txt"
    path.write_text(": s\na b c d\nb a d c\na c e g\nA b c d\na a a a\n", encoding="utf8")
    for case_insensitive in (True, False):
        expected = theirs.evaluate_word_analogies(str(path), case_insensitive=case_insensitive)
        assert ours.evaluate_word_analogies(path, case_insensitive=case_insensitive) == expected


def pairs_text():
    return (
        "# comment line\n"
        "src0_0\tTgt0_0\t7.5\n"
        "SRC0_1\tsrc0_1\t9.0\n"
        "noise1\tnoise2\t1.25\n"
        "noise3\tunknown\t3.0\n"
        "bad line without tabs\n"
        "noise4\tnoise5\tnot-a-number\n"
        "tie0\tTgt0_3\t10\n"
        "src1_2\tnoise7\t0.5\n"
        "Tgt2_2\ttgt2_2\t8.5\n"
        "noise8\tsrc3_3\t2\n"
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(),
        dict(dummy4unknown=True),
        dict(case_insensitive=False),
        dict(restrict_vocab=80),
        dict(restrict_vocab=None, dummy4unknown=True, case_insensitive=False),
    ],
    ids=repr,
)
def test_evaluate_word_pairs_synthetic(planted, tmp_path, kwargs):
    keys, matrix, _ = planted
    ours, theirs = both(keys, matrix)
    path = tmp_path / "pairs.tsv"
    path.write_text(pairs_text(), encoding="utf8")
    expected = theirs.evaluate_word_pairs(str(path), **kwargs)
    got = ours.evaluate_word_pairs(path, **kwargs)
    assert_same_evaluation(got, expected)
    # another delimiter
    path.write_text(pairs_text().replace("\t", ","), encoding="utf8")
    expected = theirs.evaluate_word_pairs(str(path), delimiter=",", **kwargs)
    assert_same_evaluation(ours.evaluate_word_pairs(path, delimiter=",", **kwargs), expected)


@pytest.fixture(scope="module")
def questions_model():
    """A model over the vocabulary of questions-words.txt with planted regularities, plus distractors."""
    rng = np.random.default_rng(12)
    dim = 32
    vectors, offsets = {}, {}
    section = None
    with open(QUESTIONS, encoding="utf8") as f:
        for line in f:
            if line.startswith(":"):
                section = line
                continue
            a, b, c, d = line.split()
            offset = offsets.setdefault(section, rng.standard_normal(dim))
            for src, tgt in ((a, b), (c, d)):
                vectors.setdefault(src, rng.standard_normal(dim))
                vectors.setdefault(tgt, vectors[src] + offset)
    with open(WORDSIM, encoding="utf8") as f:
        for line in f:
            if not line.startswith("#"):
                for word in line.split("\t")[:2]:
                    if rng.random() < 0.8:
                        vectors.setdefault(word, rng.standard_normal(dim))
    keys = list(vectors)
    for key in keys[:150]:  # lower-case variants, as in real vocabularies
        vectors.setdefault(key.lower(), vectors[key] + 0.3 * rng.standard_normal(dim))
    keys = list(vectors)
    keys = [keys[i] for i in rng.permutation(len(keys))]
    matrix = np.array([vectors[k] for k in keys]) + 0.7 * rng.standard_normal((len(keys), dim))
    return both(keys, matrix.astype(np.float32))


@needs_data
@pytest.mark.parametrize("kwargs", [dict(), dict(restrict_vocab=700, case_insensitive=False)], ids=repr)
def test_evaluate_word_analogies_questions_words(questions_model, kwargs):
    ours, theirs = questions_model
    expected = theirs.evaluate_word_analogies(str(QUESTIONS), **kwargs)
    got = ours.evaluate_word_analogies(QUESTIONS, **kwargs)
    assert got == expected
    assert 0.1 < expected[0] < 0.99  # the comparison covers both outcomes


@needs_data
@pytest.mark.parametrize("kwargs", [dict(), dict(dummy4unknown=True), dict(case_insensitive=False)], ids=repr)
def test_evaluate_word_pairs_wordsim353(questions_model, kwargs):
    ours, theirs = questions_model
    expected = theirs.evaluate_word_pairs(str(WORDSIM), **kwargs)
    got = ours.evaluate_word_pairs(WORDSIM, **kwargs)
    assert_same_evaluation(got, expected)


# ------------------------------------------------------------------------------------- parity walk (issue 4)

#: Every KeyedVectors method cw2v promises with gensim 4.4's signature and results.
PARITY_METHODS = [
    "most_similar", "most_similar_cosmul", "similar_by_word", "similar_by_key", "similar_by_vector", "similarity",
    "n_similarity", "distance", "distances", "doesnt_match", "rank", "closer_than", "most_similar_to_given",
    "relative_cosine_similarity", "rank_by_centrality", "cosine_similarities", "get_vector", "get_mean_vector",
    "get_normed_vectors", "fill_norms", "unit_normalize_all", "get_index", "has_index_for", "add_vector",
    "add_vectors", "__setitem__", "get_vecattr", "set_vecattr", "sort_by_descending_frequency", "resize_vectors",
    "vectors_for_all", "intersect_word2vec_format", "evaluate_word_analogies", "evaluate_word_pairs",
    "save_word2vec_format", "load_word2vec_format",
]


class RecordingIndexer:
    """An approximate-neighbours indexer stand-in: records the query and answers a fixed list."""

    def __init__(self):
        self.queries = []

    def most_similar(self, vector, num_neighbors):
        self.queries.append((np.array(vector), num_neighbors))
        return [("k3", 0.5), ("k1", 0.25)][:num_neighbors]


def parity_pair(n=40, dim=8, seed=3, dtype=np.float32):
    rng = np.random.default_rng(seed)
    keys = [f"k{i}" for i in range(n)]
    counts = rng.integers(1, 50, size=n)
    counts[5] = counts[6]  # a tie for the frequency sort
    return both(keys, rng.standard_normal((n, dim)).astype(dtype), counts)


def _parity_checks():
    """name -> function(kv, tmp_dir, tag) -> result; run once on cw2v's and once on gensim's vectors."""
    rng = np.random.default_rng(9)
    extra = rng.standard_normal((3, 8)).astype(np.float32)
    probe = rng.standard_normal(8).astype(np.float32)

    def most_similar(kv, tmp, tag):
        indexer = RecordingIndexer()
        plain = kv.most_similar(positive=["k1", "k2"], negative=["k3"], topn=6)
        indexed = kv.most_similar(positive=["k1", "k2"], negative=["k3"], topn=2, indexer=indexer)
        return plain, indexed, indexer.queries[0][0], indexer.queries[0][1]

    def fill_norms(kv, tmp, tag):
        kv.fill_norms()
        return kv.norms

    def unit_normalize_all(kv, tmp, tag):
        kv.unit_normalize_all()
        return kv.vectors, kv.norms

    def add_vector(kv, tmp, tag):
        index = kv.add_vector("new", extra[0])
        return index, kv

    def add_vectors(kv, tmp, tag):
        # (gensim's `extras` argument is broken, and gensim leaves per-key attributes short: see the test)
        kv.add_vectors(["k2", "x", "y"], extra, replace=False)
        kv.add_vectors(["x", "z"], extra[:2], replace=True)
        kv.add_vectors("single", extra[2])
        return kv.index_to_key, kv.key_to_index, kv.vectors

    def setitem(kv, tmp, tag):
        kv["k4"] = extra[0]
        kv[["k5", "brand-new"]] = extra[1:]
        return kv.index_to_key, kv.key_to_index, kv.vectors

    def set_vecattr(kv, tmp, tag):
        kv.set_vecattr("k7", "weight", 0.5)
        kv.set_vecattr("k8", "weight", 1.5)
        return kv.get_vecattr("k7", "weight"), kv.get_vecattr("k9", "weight"), kv

    def sort_by_frequency(kv, tmp, tag):
        kv.sort_by_descending_frequency()
        return kv

    def resize_vectors(kv, tmp, tag):
        kv.index_to_key.extend(["r1", "r2"])
        kv.key_to_index.update({"r1": 40, "r2": 41})
        kv.resize_vectors(seed=4)
        return kv

    def vectors_for_all(kv, tmp, tag):
        wanted = ["k3", "missing", "k1", "k3", 5, "k0"]
        return [kv.vectors_for_all(wanted, allow_inference=inf, copy_vecattrs=copy)
                for inf in (True, False) for copy in (False, True)] + [kv.vectors_for_all(["none", "of", "these"])]

    def intersect(kv, tmp, tag):
        # text only: gensim 4.4's binary branch calls np.fromstring, which NumPy 2 removed (tested below)
        src = tmp / "intersect.txt"
        if not src.exists():
            src.write_text("4 8\n" + "".join(f"{key} {' '.join(str(v) for v in row)}\n"
                                             for key, row in zip(["k2", "zz", "k9", "k2"], [*extra, extra[0] * 3])))
        kv.vectors_lockf = np.ones(len(kv), dtype=np.float32)  # gensim needs one entry per key
        kv.intersect_word2vec_format(str(src))
        first = kv.vectors.copy(), kv.vectors_lockf.copy()
        kv.intersect_word2vec_format(str(src), lockf=1.0)
        return first, (kv.vectors, kv.vectors_lockf)

    def evaluate_word_analogies(kv, tmp, tag):
        path = tmp / "analogies.txt"
        path.write_text(": s1\nk1 k2 k3 k4\nk5 k6 k7 k8\nk1 k2 missing k4\n: s2\nk9 k10 k11 k12\n", encoding="utf8")
        return kv.evaluate_word_analogies(str(path)), kv.evaluate_word_analogies(str(path), dummy4unknown=True)

    def evaluate_word_pairs(kv, tmp, tag):
        path = tmp / "pairs.tsv"
        path.write_text("# c\nk1\tk2\t3.5\nk3\tk4\t1.0\nk5\tk9\t8\nk6\tmissing\t2\nk7\tk8\t5\n", encoding="utf8")
        pearson, spearman, oov = kv.evaluate_word_pairs(str(path))
        return tuple(pearson), tuple(spearman), oov

    def save_word2vec_format(kv, tmp, tag):
        out = []
        for binary in (False, True):
            path = tmp / f"{tag}-{binary}.w2v"
            kv.save_word2vec_format(str(path), fvocab=str(path) + ".vocab", binary=binary)
            out += [path.read_bytes(), (tmp / f"{tag}-{binary}.w2v.vocab").read_bytes()]
        return out

    def load_word2vec_format(kv, tmp, tag):
        path = tmp / "shared.w2v"
        if not path.exists():
            GensimKV.save_word2vec_format(kv, str(path), binary=True)  # the same file for both
        return type(kv).load_word2vec_format(str(path), binary=True, limit=30)

    return {
        "most_similar": most_similar,
        "most_similar_cosmul": lambda kv, t, g: kv.most_similar_cosmul(positive=["k1", "k2"], negative=["k3"]),
        "similar_by_word": lambda kv, t, g: kv.similar_by_word("k4", topn=5),
        "similar_by_key": lambda kv, t, g: kv.similar_by_key("k4", topn=5, restrict_vocab=20),
        "similar_by_vector": lambda kv, t, g: kv.similar_by_vector(probe, topn=4),
        "similarity": lambda kv, t, g: kv.similarity("k1", "k2"),
        "n_similarity": lambda kv, t, g: kv.n_similarity(["k1", "k2"], ["k3", "k4", "k5"]),
        "distance": lambda kv, t, g: kv.distance("k1", "k2"),
        "distances": lambda kv, t, g: (kv.distances("k1", ["k2", "k3"]), kv.distances(probe)),
        "doesnt_match": lambda kv, t, g: kv.doesnt_match(["k1", "k2", "k3", "k4"]),
        "rank": lambda kv, t, g: kv.rank("k1", "k2"),
        "closer_than": lambda kv, t, g: kv.closer_than("k1", "k2"),
        "most_similar_to_given": lambda kv, t, g: kv.most_similar_to_given("k1", ["k2", "k3", "k4"]),
        "relative_cosine_similarity": lambda kv, t, g: kv.relative_cosine_similarity("k1", "k2", topn=5),
        "rank_by_centrality": lambda kv, t, g: kv.rank_by_centrality(["k1", "k2", "k3", "k4"]),
        "cosine_similarities": lambda kv, t, g: kv.cosine_similarities(probe, kv.vectors[:5]),
        "get_vector": lambda kv, t, g: (kv.get_vector("k3"), kv.get_vector("k3", norm=True)),
        "get_mean_vector": lambda kv, t, g: (kv.get_mean_vector(["k1", "k2"], weights=[0.5, 2.0]),
                                             kv.get_mean_vector(["k1", probe], post_normalize=True)),
        "get_normed_vectors": lambda kv, t, g: kv.get_normed_vectors(),
        "fill_norms": fill_norms,
        "unit_normalize_all": unit_normalize_all,
        "get_index": lambda kv, t, g: (kv.get_index("k7"), kv.get_index(3), kv.get_index("nope", default=-1)),
        "has_index_for": lambda kv, t, g: (kv.has_index_for("k7"), kv.has_index_for("nope"), kv.has_index_for(99)),
        "add_vector": add_vector,
        "add_vectors": add_vectors,
        "__setitem__": setitem,
        "get_vecattr": lambda kv, t, g: kv.get_vecattr("k3", "count"),
        "set_vecattr": set_vecattr,
        "sort_by_descending_frequency": sort_by_frequency,
        "resize_vectors": resize_vectors,
        "vectors_for_all": vectors_for_all,
        "intersect_word2vec_format": intersect,
        "evaluate_word_analogies": evaluate_word_analogies,
        "evaluate_word_pairs": evaluate_word_pairs,
        "save_word2vec_format": save_word2vec_format,
        "load_word2vec_format": load_word2vec_format,
    }


def assert_parity(got, expected):
    if isinstance(expected, GensimKV):
        assert isinstance(got, KeyedVectors)
        assert_same_state(got, expected)
    elif isinstance(expected, (list, tuple)) and any(isinstance(e, GensimKV) for e in expected):
        assert len(got) == len(expected)
        for g, e in zip(got, expected):
            assert_parity(g, e)
    elif isinstance(expected, dict):
        assert got == expected
    elif isinstance(expected, (list, tuple)) and any(isinstance(e, (dict, list)) for e in expected):
        assert len(got) == len(expected)
        for g, e in zip(got, expected):
            assert_parity(g, e)
    else:
        assert_same(got, expected)


@pytest.mark.parametrize("name", PARITY_METHODS)
def test_parity_with_gensim(name, tmp_path):
    import inspect

    ours_method, theirs_method = getattr(KeyedVectors, name), getattr(GensimKV, name)
    ours_sig, theirs_sig = inspect.signature(ours_method), inspect.signature(theirs_method)
    assert list(ours_sig.parameters) == list(theirs_sig.parameters), name
    for param, theirs_param in theirs_sig.parameters.items():
        assert ours_sig.parameters[param].default == theirs_param.default, (name, param)
        assert ours_sig.parameters[param].kind == theirs_param.kind, (name, param)

    check = _parity_checks()[name]
    ours, theirs = parity_pair()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = check(theirs, tmp_path, "gensim")
        got = check(ours, tmp_path, "cw2v")
    assert_parity(got, expected)
    if name in ("add_vectors", "__setitem__"):
        # gensim does not extend per-key attributes for new keys (its arrays end up shorter than the
        # vocabulary); cw2v extends them with zeros
        added = len(ours) - len(theirs.expandos["count"])
        assert added > 0
        assert_same(ours.expandos["count"], np.concatenate([theirs.expandos["count"], np.zeros(added, np.int64)]))
        theirs.expandos["count"] = ours.expandos["count"]
    assert_same_state(ours, theirs)  # and the objects end in the same state
    assert set(_parity_checks()) == set(PARITY_METHODS)




# -------------------------------------------------------------- module functions, WMD, analogy options


def test_pseudorandom_weak_vector_equals_gensim():
    for seed in ("a", "queen", "x" * 40):
        np.testing.assert_array_equal(
            kv_module.pseudorandom_weak_vector(13, seed_string=seed),
            gensim_kv.pseudorandom_weak_vector(13, seed_string=seed),
        )


def test_prep_vectors_equals_gensim():
    prior = np.ones((3, 4), dtype=np.float32)
    for shape, seed in (((6, 4), 0), ((5, 7), 11), ((3, 9), 1)):  # gensim cannot shrink
        np.testing.assert_array_equal(
            kv_module.prep_vectors(shape, prior, seed=seed), gensim_kv.prep_vectors(shape, prior, seed=seed)
        )


def test_gensim_strict_test_file_raises_unicode_decode_error():
    from gensim.test.utils import datapath
    with pytest.raises(UnicodeDecodeError):
        KeyedVectors.load_word2vec_format(
            datapath("w2v_keyedvectors_load_test.modeldata"),
            fvocab=datapath("w2v_keyedvectors_load_test.vocab"), unicode_errors="strict",
        )


def test_wmdistance_equals_gensim():
    pytest.importorskip("ot", reason="Word Mover's Distance needs POT (pip install POT)")
    rng = np.random.default_rng(5)
    keys = [f"w{i}" for i in range(60)]
    ours, theirs = both(keys, rng.standard_normal((60, 12)).astype(np.float32))
    words = keys + ["oov"]
    for _ in range(40):
        d1 = list(rng.choice(words, rng.integers(1, 10)))
        d2 = list(rng.choice(words, rng.integers(1, 10)))
        for norm in (True, False):
            expected = theirs.wmdistance(d1, d2, norm=norm)
            assert ours.wmdistance(d1, d2, norm=norm) == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_evaluate_word_analogies_similarity_function_equals_gensim(tmp_path):
    from test_kv_gensim_api import write_analogy_case

    keys, vectors, path = write_analogy_case(tmp_path)
    ours, theirs = both(keys, vectors)
    for kwargs in (dict(similarity_function="most_similar_cosmul"), dict(similarity_function="most_similar_cosmul",
                                                                         case_insensitive=False, dummy4unknown=True)):
        assert ours.evaluate_word_analogies(path, **kwargs) == theirs.evaluate_word_analogies(str(path), **kwargs)
