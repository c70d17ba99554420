"""Corpus readers (LineSentence, PathLineSentences, Text8Corpus) and text helpers against gensim."""
import bz2
import gzip
import io
import itertools

import pytest

from cw2v import PathLineSentences, Text8Corpus
from cw2v.callbacks import CallbackAny2Vec
from cw2v.cli import demo_corpus_path
from cw2v.corpora import LineSentence, TEXT8_BLOCK, is_uri, open_binary
from cw2v import utils

gensim_w2v = pytest.importorskip("gensim.models.word2vec")
gensim_utils = pytest.importorskip("gensim.utils")


def demo_lines(n):
    with gzip.open(demo_corpus_path(), "rt", encoding="utf8") as fin:
        return list(itertools.islice(fin, n))


def write(path, data):
    """Write bytes to path, compressing by extension."""
    opener = {".gz": gzip.open, ".bz2": bz2.open}.get(path.suffix, open)
    with opener(path, "wb") as fout:
        fout.write(data)
    return path


LINES_TEXT = "".join(demo_lines(300)) + "\n\n   \n" + "a b  c\td\r\n" + "x " * 25 + "\nlast line no newline"


@pytest.fixture(params=["", ".gz", ".bz2"])
def ext(request):
    return request.param


# ----------------------------------------------------------------------------------------------- LineSentence

@pytest.mark.parametrize("max_len, limit", [(10000, None), (7, None), (3, 50), (1, 5)])
def test_line_sentence_matches_gensim(tmp_path, ext, max_len, limit):
    path = write(tmp_path / ("c.txt" + ext), LINES_TEXT.encode("utf8"))
    ours = list(LineSentence(str(path), max_sentence_length=max_len, limit=limit))
    theirs = list(gensim_w2v.LineSentence(str(path), max_sentence_length=max_len, limit=limit))
    assert ours == theirs and ours


def test_line_sentence_file_uri(tmp_path):
    path = write(tmp_path / "c.txt.gz", LINES_TEXT.encode("utf8"))
    assert list(LineSentence("file://" + str(path))) == list(LineSentence(path))
    assert not is_uri(str(path)) and not is_uri("file:///x") and is_uri("s3://bucket/key")


# ------------------------------------------------------------------------------------------ PathLineSentences

def make_dir(tmp_path, ext):
    d = tmp_path / "corpus"
    d.mkdir()
    lines = demo_lines(400)
    # names chosen so sorted order differs from creation order
    write(d / ("b_part" + ext), "".join(lines[:150]).encode("utf8"))
    write(d / ("a_part" + ext), "".join(lines[150:300]).encode("utf8"))
    write(d / ("c_part" + ext), ("".join(lines[300:]) + "\n" + "w " * 30).encode("utf8"))
    return d


@pytest.mark.parametrize("max_len, limit", [(10000, None), (5, None), (10000, 20)])
def test_path_line_sentences_matches_gensim(tmp_path, ext, max_len, limit):
    d = make_dir(tmp_path, ext)
    ours = PathLineSentences(str(d), max_sentence_length=max_len, limit=limit)
    theirs = gensim_w2v.PathLineSentences(str(d), max_sentence_length=max_len, limit=limit)
    assert [p.replace("\\", "/") for p in ours.input_files] == [p.replace("\\", "/") for p in theirs.input_files]
    assert list(ours) == list(theirs)
    assert list(ours) == list(theirs)  # re-iterable


def test_path_line_sentences_single_file_and_pathlike(tmp_path, ext):
    d = make_dir(tmp_path, ext)
    f = d / ("a_part" + ext)
    assert list(PathLineSentences(f)) == list(gensim_w2v.PathLineSentences(str(f)))
    assert list(PathLineSentences(d)) == list(PathLineSentences(str(d)))


def test_path_line_sentences_skips_subdirectories(tmp_path):
    d = make_dir(tmp_path, "")
    (d / "zz_sub").mkdir()
    ours = PathLineSentences(d)
    assert len(ours.input_files) == 3
    assert sum(1 for _ in ours) > 0


def test_path_line_sentences_bad_source(tmp_path):
    with pytest.raises(ValueError, match="neither a file nor a directory"):
        PathLineSentences(tmp_path / "missing")
    with pytest.raises(FileNotFoundError):
        PathLineSentences(tmp_path / "missing")
    with pytest.raises(ValueError, match="max_sentence_length"):
        PathLineSentences(tmp_path, max_sentence_length=0)
    with pytest.raises(ValueError, match="limit"):
        PathLineSentences(tmp_path, limit=-1)


# ----------------------------------------------------------------------------------------------- Text8Corpus

def text8_bytes():
    words = " ".join(line.strip() for line in demo_lines(700)).split()
    return (" " + " ".join(words)).encode("utf8")


def tricky_text8():
    """Block boundaries right after newlines, tabs, multi-space runs and multi-byte characters."""
    parts = []
    rng_words = ["alpha", "βήτα", "gamma", "naïve", "x", "ümlaut"]
    size = 0
    i = 0
    while size < 6 * TEXT8_BLOCK:
        w = rng_words[i % len(rng_words)]
        sep = [" ", "  ", "\n", " \n", "\t", " "][i % 6]
        parts.append(w + sep)
        size += len((w + sep).encode("utf8"))
        i += 1
    data = "".join(parts).encode("utf8")
    # force a newline exactly at the end of the first block and a long space-free run over a boundary
    data = data[:TEXT8_BLOCK - 1] + b"\n" + b"k" * (TEXT8_BLOCK + 100) + b" " + data[TEXT8_BLOCK:]
    return data


@pytest.mark.parametrize("max_len", [10000, 1000, 17, 1])
@pytest.mark.parametrize("make", [text8_bytes, tricky_text8])
def test_text8_matches_gensim(tmp_path, ext, max_len, make):
    path = write(tmp_path / ("text8" + ext), make())
    ours = list(Text8Corpus(str(path), max_sentence_length=max_len))
    theirs = list(gensim_w2v.Text8Corpus(str(path), max_sentence_length=max_len))
    assert ours == theirs and ours


@pytest.mark.parametrize("data", [b"", b" ", b"one", b"one two", b"  a  b  \n", b"a " * 5000])
def test_text8_small_files(tmp_path, data):
    path = write(tmp_path / "t8", data)
    for n in (3, 10000):
        assert list(Text8Corpus(path, n)) == list(gensim_w2v.Text8Corpus(str(path), n))


def test_text8_file_object(tmp_path):
    data = text8_bytes()
    path = write(tmp_path / "t8", data)
    fobj = io.BytesIO(data)
    corpus = Text8Corpus(fobj, 100)
    assert list(corpus) == list(corpus) == list(Text8Corpus(path, 100))
    assert not fobj.closed


def test_text8_bad_input(tmp_path):
    with pytest.raises(ValueError, match="max_sentence_length"):
        Text8Corpus("x", max_sentence_length=0)
    with pytest.raises(FileNotFoundError):
        list(Text8Corpus(tmp_path / "missing"))
    path = write(tmp_path / "bad", b"ok \xff\xfe bad")
    with pytest.raises(UnicodeDecodeError):
        list(Text8Corpus(path))


def test_uri_without_smart_open(monkeypatch):
    import builtins
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "smart_open":
            raise ImportError("no smart_open")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(ValueError, match="smart_open"):
        open_binary("s3://bucket/corpus.txt")


# ------------------------------------------------------------------------------------------------------ utils

TRICKY = [
    "Šéf chomutovských komunistů dostal poštou bílý prášek",
    "Nic nemůže letět rychlostí vyšší, než 300 tisíc kilometrů za sekundu!",
    "don't won't it's O'Neil rock'n'roll l’été",
    "abc123def 42 4x4 3rd 1st_place _private __init__ snake_case x_1",
    "naïve café résumé Ångström ﬁne ｆｕｌｌｗｉｄｔｈ ǅemal İstanbul ß STRASSE",
    "Ελληνικά κείμενα, русский текст, עברית, العربية ٣٤٥ and ١٢٣ digits, 中文字符 日本語のテキスト",
    "e\u0301 combining, a\u0308 o\u0302, \u00a0nbsp\u2009thin space\u200bzero-width",
    "supercalifragilisticexpialidocious ab a I xx yyyyyyyyyyyyyyy zzzzzzzzzzzzzzzz",
    "emoji 🙂 test ™ ® © ½ ² ³ Ⅻ roman numerals ①②",
    "",
    "   \t\n ",
    b"bytes caf\xc3\xa9 and bad \xff bytes",
]


def corpus_lines():
    return demo_lines(2000)


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


def test_utils_bad_input_and_rules():
    with pytest.raises(TypeError, match="str or bytes"):
        utils.simple_preprocess(123)
    with pytest.raises(UnicodeDecodeError):
        list(utils.tokenize(b"\xff"))
    assert utils.deaccent(b"caf\xc3\xa9") == "cafe"
    from cw2v import vocab
    assert (utils.RULE_DEFAULT, utils.RULE_DISCARD, utils.RULE_KEEP) == \
        (vocab.RULE_DEFAULT, vocab.RULE_DISCARD, vocab.RULE_KEEP) == \
        (gensim_utils.RULE_DEFAULT, gensim_utils.RULE_DISCARD, gensim_utils.RULE_KEEP)


# -------------------------------------------------------------------------------------------------- callbacks

def test_callbacks_base_is_noop_and_called():
    from cw2v import Word2Vec

    class Recorder(CallbackAny2Vec):
        def __init__(self):
            self.events = []

        def on_train_begin(self, model):
            self.events.append("train_begin")

        def on_epoch_end(self, model):
            self.events.append("epoch_end")

    base = CallbackAny2Vec()
    for hook in ("on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end"):
        assert getattr(base, hook)(None) is None
    rec = Recorder()
    sentences = [line.split() for line in demo_lines(200)]
    Word2Vec(sentences, vector_size=8, min_count=1, epochs=2, workers=1, callbacks=[rec, base])
    assert rec.events == ["train_begin", "epoch_end", "epoch_end"]
