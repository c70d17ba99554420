"""Corpus readers (LineSentence, PathLineSentences, Text8Corpus) and text helpers against gensim 4.4's (the
oracle) on the same files and strings. What needs no gensim is in test_readers.py and test_corpora.py."""
import pytest

from cw2v import PathLineSentences, Text8Corpus, utils
from cw2v.corpora import LineSentence

pytest.importorskip("gensim", reason="gensim 4.4.0 is the oracle of every test here (pip install .[test])")
from gensim import utils as gensim_utils
from gensim.models import word2vec as gensim_w2v

from test_readers import LINES_TEXT, TRICKY, corpus_lines, make_dir, text8_bytes, tricky_text8, write


@pytest.fixture(params=["", ".gz", ".bz2"])
def ext(request):
    return request.param


# ----------------------------------------------------------------------------------------------- LineSentence


def test_line_sentence_of_the_bundled_corpus_matches_gensim(demo_corpus_path):
    ours = LineSentence(demo_corpus_path, limit=3000)
    theirs = gensim_w2v.LineSentence(demo_corpus_path, limit=3000)
    assert list(ours) == list(theirs)


@pytest.mark.parametrize("max_len, limit", [(10000, None), (7, None), (3, 50), (1, 5)])
def test_line_sentence_matches_gensim(tmp_path, ext, max_len, limit):
    path = write(tmp_path / ("c.txt" + ext), LINES_TEXT.encode("utf8"))
    ours = list(LineSentence(str(path), max_sentence_length=max_len, limit=limit))
    theirs = list(gensim_w2v.LineSentence(str(path), max_sentence_length=max_len, limit=limit))
    assert ours == theirs and ours


@pytest.mark.parametrize("max_len, limit", [(10000, None), (5, None), (10000, 20)])
def test_path_line_sentences_matches_gensim(tmp_path, ext, max_len, limit):
    d = make_dir(tmp_path, ext)
    ours = PathLineSentences(str(d), max_sentence_length=max_len, limit=limit)
    theirs = gensim_w2v.PathLineSentences(str(d), max_sentence_length=max_len, limit=limit)
    assert [p.replace("\\", "/") for p in ours.input_files] == [p.replace("\\", "/") for p in theirs.input_files]
    assert list(ours) == list(theirs)
    assert list(ours) == list(theirs)  # re-iterable


@pytest.mark.parametrize("max_len", [10000, 1000, 17, 1])
@pytest.mark.parametrize("make", [text8_bytes, tricky_text8])
def test_text8_matches_gensim(tmp_path, ext, max_len, make):
    path = write(tmp_path / ("text8" + ext), make())
    ours = list(Text8Corpus(str(path), max_sentence_length=max_len))
    theirs = list(gensim_w2v.Text8Corpus(str(path), max_sentence_length=max_len))
    assert ours == theirs and ours


@pytest.mark.parametrize("data", [b"", b" ", b"one", b"one two", b"  a  b  \n", b"a " * 5000])
def test_text8_small_files_match_gensim(tmp_path, data):
    path = write(tmp_path / "t8", data)
    for n in (3, 10000):
        assert list(Text8Corpus(path, n)) == list(gensim_w2v.Text8Corpus(str(path), n))


@pytest.mark.parametrize("deacc", [False, True])
def test_simple_preprocess_matches_gensim_on_corpus(deacc):
    for line in corpus_lines():
        assert utils.simple_preprocess(line, deacc=deacc) == gensim_utils.simple_preprocess(line, deacc=deacc)


@pytest.mark.parametrize("doc", TRICKY)
@pytest.mark.parametrize("deacc", [False, True])
@pytest.mark.parametrize("min_len, max_len", [(2, 15), (1, 100), (3, 5)])
def test_simple_preprocess_matches_gensim_tricky(doc, deacc, min_len, max_len):
    assert utils.simple_preprocess(doc, deacc, min_len, max_len) == \
        gensim_utils.simple_preprocess(doc, deacc, min_len, max_len)


@pytest.mark.parametrize("doc", [d for d in TRICKY if isinstance(d, str)])
def test_tokenize_and_deaccent_match_gensim(doc):
    assert utils.deaccent(doc) == gensim_utils.deaccent(doc)
    for kwargs in ({}, {"lower": True}, {"lowercase": True, "deacc": True}, {"to_lower": True}, {"deacc": True}):
        assert list(utils.tokenize(doc, **kwargs)) == list(gensim_utils.tokenize(doc, **kwargs))



def test_path_line_sentences_single_file_matches_gensim(tmp_path, ext):
    f = make_dir(tmp_path, ext) / ("a_part" + ext)
    assert list(PathLineSentences(f)) == list(gensim_w2v.PathLineSentences(str(f)))


def test_trim_rule_constants_are_gensims():
    assert (utils.RULE_DEFAULT, utils.RULE_DISCARD, utils.RULE_KEEP) == \
        (gensim_utils.RULE_DEFAULT, gensim_utils.RULE_DISCARD, gensim_utils.RULE_KEEP)
