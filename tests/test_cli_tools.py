"""``cw2v similar / analogy / evaluate / phrases`` run through ``cw2v.cli.main`` on tiny trained vectors."""
import gzip
import itertools
import re
import shutil

import pytest

from cw2v import KeyedVectors
from cw2v.cli import _load_vectors, main

WORDS = ["he", "she", "his", "her", "him", "man", "woman", "said", "little", "room"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory, small_corpus_file):
    """The small corpus and skip-gram vectors trained on it by ``cw2v train``, binary and text."""
    d = tmp_path_factory.mktemp("cli_tools")
    corpus = d / "corpus.txt"
    shutil.copyfile(small_corpus_file, corpus)
    paths = {}
    for binary in (0, 1):
        out = d / ("vectors.%s" % ("bin" if binary else "txt"))
        rc = main(["train", "--input", str(corpus), "--output", str(out), "--cbow", "0", "--size", "24",
                   "--min-count", "3", "--epochs", "2", "--threads", "1", "--binary", str(binary), "--quiet"])
        assert rc == 0
        paths["binary" if binary else "text"] = out
    return d, corpus, paths


@pytest.fixture(params=["binary", "text"])
def vectors(request, trained):
    return trained[2][request.param]


def run(capsys, argv):
    capsys.readouterr()
    rc = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return rc, out, err


def parse_ranked(out):
    rows = [line.split("\t") for line in out.strip().splitlines()]
    assert all(len(r) == 2 for r in rows), out
    return [(w, float(s)) for w, s in rows]


def test_format_detection(trained):
    d, _, paths = trained
    kv_bin, kv_txt = _load_vectors(str(paths["binary"])), _load_vectors(str(paths["text"]))
    assert kv_bin.index_to_key == kv_txt.index_to_key
    assert abs(kv_bin.vectors - kv_txt.vectors).max() < 1e-5
    native = d / "native.kv"
    kv_bin.save(str(native))
    assert _load_vectors(str(native)).index_to_key == kv_bin.index_to_key
    gz = d / "vectors.txt.gz"
    with open(paths["text"], "rb") as fin, gzip.open(gz, "wb") as fout:
        shutil.copyfileobj(fin, fout)
    assert _load_vectors(str(gz)).index_to_key == kv_bin.index_to_key


def test_similar(capsys, vectors):
    rc, out, err = run(capsys, ["similar", vectors, "she", "--topn", "7"])
    assert rc == 0, err
    ranked = parse_ranked(out)
    kv = KeyedVectors.load_word2vec_format(vectors, binary=vectors.suffix == ".bin")
    expected = kv.most_similar("she", topn=7)
    assert [w for w, _ in ranked] == [w for w, _ in expected]
    assert all(abs(s - e) < 1e-3 for (_, s), (_, e) in zip(ranked, expected))
    assert "she" not in [w for w, _ in ranked]


def test_analogy(capsys, vectors):
    rc, out, err = run(capsys, ["analogy", vectors, "man", "he", "woman", "--topn", "5"])
    assert rc == 0, err
    ranked = parse_ranked(out)
    kv = KeyedVectors.load_word2vec_format(vectors, binary=vectors.suffix == ".bin")
    expected = kv.most_similar(positive=["he", "woman"], negative=["man"], topn=5)
    assert [w for w, _ in ranked] == [w for w, _ in expected]
    assert not {"man", "he", "woman"} & {w for w, _ in ranked}
    assert len(ranked) == 5


def write_eval_files(d):
    analogies = d / "questions.txt"
    analogies.write_text(": pronouns\nhe his she her\nhe him she her\nhis he her she\n"
                         ": mixed\nman woman he she\nsaid little room woman\nman woman zzunknown she\n",
                         encoding="utf8")
    pairs = d / "pairs.tsv"
    pairs.write_text("# comment\n" + "".join("%s\t%s\t%.1f\n" % (a, b, (i * 7) % 10)
                                              for i, (a, b) in enumerate(itertools.combinations(WORDS, 2)))
                     + "he\tzzunknown\t3.0\n", encoding="utf8")
    return analogies, pairs


def test_evaluate(capsys, vectors, trained):
    analogies, pairs = write_eval_files(trained[0])
    rc, out, err = run(capsys, ["evaluate", vectors, "--analogies", analogies, "--pairs", pairs])
    assert rc == 0, err
    kv = KeyedVectors.load_word2vec_format(vectors, binary=vectors.suffix == ".bin")
    score, sections = kv.evaluate_word_analogies(str(analogies))
    lines = dict(re.findall(r"^\s+(.+?):\s+([\d.]+%\s+\(\d+/\d+\))$", out, flags=re.M))
    assert set(lines) == {"pronouns", "mixed", "Total accuracy"}
    for section in sections:
        right, wrong = len(section["correct"]), len(section["incorrect"])
        pct, frac = lines[section["section"]].split(None, 1)
        assert frac == "(%d/%d)" % (right, right + wrong)
        assert abs(float(pct.rstrip("%")) - 100.0 * right / (right + wrong)) < 0.01
    assert lines["Total accuracy"].endswith("/5)")
    pearson, spearman, oov = kv.evaluate_word_pairs(str(pairs))
    numbers = {k: float(v) for k, v in re.findall(r"^\s+(Pearson|Spearman|OOV):\s+(-?[\d.]+)", out, flags=re.M)}
    assert abs(numbers["Pearson"] - pearson[0]) < 1e-3
    assert abs(numbers["Spearman"] - spearman[0]) < 1e-3
    assert abs(numbers["OOV"] - oov) < 0.01 and numbers["OOV"] > 0


def test_evaluate_one_of_each(capsys, trained):
    analogies, pairs = write_eval_files(trained[0])
    vec = trained[2]["binary"]
    rc, out, _ = run(capsys, ["evaluate", vec, "--pairs", pairs])
    assert rc == 0 and "Spearman" in out and "accuracy" not in out
    rc, out, _ = run(capsys, ["evaluate", vec, "--analogies", analogies])
    assert rc == 0 and "Total accuracy" in out and "Spearman" not in out


def test_phrases(capsys, trained):
    from cw2v.corpora import LineSentence
    from cw2v.phrases import Phrases

    d, corpus, _ = trained
    out_path = d / "phrased.txt.gz"
    rc, out, err = run(capsys, ["phrases", "--input", corpus, "--output", out_path, "--min-count", "3",
                                "--threshold", "5", "--save-model", d / "phrases.model"])
    assert rc == 0, err
    assert f"wrote {len(corpus.read_text(encoding='utf8').splitlines())} sentences" in out
    with gzip.open(out_path, "rt", encoding="utf8") as fin:
        written = [line.split() for line in fin]
    frozen = Phrases(LineSentence(str(corpus)), min_count=3, threshold=5).freeze()
    assert written == [frozen[s] for s in LineSentence(str(corpus))]
    assert any("_" in tok for sent in written for tok in sent)
    rc, out, err = run(capsys, ["phrases", "--input", corpus, "--output", d / "npmi.txt", "--scoring", "npmi",
                                "--threshold", "0.5", "--min-count", "3"])
    assert rc == 0, err
    frozen = Phrases(LineSentence(str(corpus)), min_count=3, threshold=0.5, scoring="npmi").freeze()
    with open(d / "npmi.txt", encoding="utf8") as fin:
        assert [line.split() for line in fin] == [frozen[s] for s in LineSentence(str(corpus))]


@pytest.mark.parametrize("argv, message", [
    (["similar", "{missing}", "he"], "does not exist"),
    (["similar", "{bin}", "zzunknownword"], "not in the vocabulary"),
    (["similar", "{txt}", "zzunknownword"], "not in the vocabulary"),
    (["similar", "{txt}", "She"], "did you mean 'she'"),
    (["analogy", "{bin}", "man", "zzunknown", "woman"], "'zzunknown'"),
    (["similar", "{corpus}", "he"], "cannot load vectors"),
    (["similar", "{truncated}", "he"], "cannot load vectors"),
    (["similar", "{dir}", "he"], "directory"),
    (["evaluate", "{bin}"], "give --analogies"),
    (["evaluate", "{bin}", "--analogies", "{missing}"], "does not exist"),
    (["evaluate", "{bin}", "--pairs", "{corpus}"], "No valid similarity"),
    (["evaluate", "{bin}", "--analogies", "{corpus}"], "section header"),
    (["phrases", "--input", "{missing}", "--output", "{dir}/x"], "does not exist"),
    (["phrases", "--input", "{corpus}", "--output", "{dir}/x", "--scoring", "npmi"], "threshold"),
])
def test_bad_input(capsys, trained, argv, message):
    d, corpus, paths = trained
    truncated = d / "truncated.bin"
    truncated.write_bytes(paths["binary"].read_bytes()[:5000])
    fill = {"missing": d / "missing.bin", "bin": paths["binary"], "txt": paths["text"], "corpus": corpus,
            "truncated": truncated, "dir": d}
    rc, out, err = run(capsys, [a.format(**fill) for a in argv])
    assert rc == 1
    assert message in err, err
    assert "Traceback" not in err and err.count("\n") == 1 and err.startswith("cw2v ")


def test_train_and_demo_still_registered():
    from cw2v.cli import build_parser
    parser = build_parser()
    assert parser.parse_args(["demo"]).command == "demo"
    args = parser.parse_args(["train", "--input", "a", "--output", "b"])
    assert (args.cbow, args.size, args.binary) == (1, 100, 0)
