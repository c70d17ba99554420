"""Corpus readers (LineSentence, PathLineSentences, Text8Corpus) and text helpers on files and strings with
known answers. The comparisons with gensim's readers on the same input are in test_readers_gensim.py."""
import bz2
import gzip
import io
import itertools
import os

import pytest

from cw2v import PathLineSentences, Text8Corpus, utils
from cw2v.callbacks import CallbackAny2Vec
from cw2v.cli import demo_corpus_path
from cw2v.corpora import TEXT8_BLOCK, LineSentence, is_uri, open_binary


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


def test_path_line_sentences_reads_the_sorted_files_in_turn(tmp_path, ext):
    d = make_dir(tmp_path, ext)
    names = ["a_part", "b_part", "c_part"]
    ours = PathLineSentences(d, max_sentence_length=5)
    assert [os.path.basename(p) for p in ours.input_files] == [n + ext for n in names]
    want = [s for n in names for s in LineSentence(str(d / (n + ext)), max_sentence_length=5)]
    assert list(ours) == list(ours) == want and want  # re-iterable
    assert list(PathLineSentences(str(d), max_sentence_length=5)) == want
    assert list(PathLineSentences(d / ("a_part" + ext))) == list(LineSentence(str(d / ("a_part" + ext))))


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


@pytest.mark.parametrize("data, n, want", [
    (b"", 3, []), (b" ", 3, []), (b"one", 3, [["one"]]), (b"one two", 3, [["one", "two"]]),
    (b"  a  b  \n", 10000, [["a", "b"]]), (b"a b c d e f g", 3, [["a", "b", "c"], ["d", "e", "f"], ["g"]]),
    (b"a " * 5000, 3, [["a"] * 3] * 1666 + [["a"] * 2]), (b"a " * 5000, 10000, [["a"] * 5000]),
])
def test_text8_small_files(tmp_path, data, n, want):
    """Text8Corpus: one stream of words, cut every max_sentence_length words; whitespace of any kind splits."""
    path = write(tmp_path / "t8", data)
    assert list(Text8Corpus(path, n)) == want


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


def test_simple_preprocess_tokenize_and_deaccent_known_answers():
    doc = "Hello, World! naïve café x 42 ünter_score"
    assert utils.simple_preprocess(doc) == ["hello", "world", "naïve", "café", "ünter_score"]  # x: too short
    assert utils.simple_preprocess(doc, deacc=True) == ["hello", "world", "naive", "cafe", "unter_score"]
    assert utils.simple_preprocess(doc, min_len=1, max_len=5) == ["hello", "world", "naïve", "café", "x"]
    assert utils.simple_preprocess(b"caf\xc3\xa9 BAR") == ["café", "bar"]
    assert list(utils.tokenize("Hello World 42 x_y naïve", lower=True)) == ["hello", "world", "x_y", "naïve"]
    assert list(utils.tokenize("Hello World")) == ["Hello", "World"]
    assert utils.deaccent("naïve café Ångström") == "naive cafe Angstrom"


def test_utils_bad_input_and_rules():
    with pytest.raises(TypeError, match="str or bytes"):
        utils.simple_preprocess(123)
    with pytest.raises(UnicodeDecodeError):
        list(utils.tokenize(b"\xff"))
    assert utils.deaccent(b"caf\xc3\xa9") == "cafe"
    from cw2v import vocab
    assert (utils.RULE_DEFAULT, utils.RULE_DISCARD, utils.RULE_KEEP) == \
        (vocab.RULE_DEFAULT, vocab.RULE_DISCARD, vocab.RULE_KEEP) == (0, 1, 2)


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
