"""The command line: `cw2v train` writes word2vec files of the corpus's vocabulary; `cw2v demo` shows
neighbours. That gensim reads what `cw2v train` writes is tested in test_cli_gensim.py."""
import subprocess
import sys

import numpy as np
import pytest

from cw2v import KeyedVectors, LineSentence, Word2Vec
from cw2v.cli import main


def train_to(small_corpus_file, out, binary, threads=2):
    """`cw2v train` on the small corpus: 24-dimensional skip-gram vectors of the words seen 3 times or more."""
    return main(["train", "--input", str(small_corpus_file), "--output", str(out), "--cbow", "0", "--size", "24",
                 "--window", "3", "--negative", "4", "--min-count", "3", "--threads", str(threads), "--epochs",
                 "1", "--binary", str(binary), "--quiet"])


def test_train_writes_the_vocabulary_in_text_and_binary(small_corpus_file, tmp_path):
    vocab = Word2Vec(min_count=3, vector_size=4)
    vocab.build_vocab(LineSentence(str(small_corpus_file)))
    loaded = []
    for binary in (0, 1):
        out = tmp_path / ("v.bin" if binary else "v.txt")
        assert train_to(small_corpus_file, out, binary, threads=1) == 0
        kv = KeyedVectors.load_word2vec_format(str(out), binary=bool(binary))
        assert kv.vector_size == 24 and kv.index_to_key == vocab.wv.index_to_key and len(kv) > 500
        assert np.isfinite(kv.vectors).all() and np.abs(kv.vectors).max() > 0
        loaded.append(kv)
    with open(tmp_path / "v.txt", encoding="utf8") as f:
        assert f.readline() == f"{len(vocab.wv)} 24\n"
    # one thread, same seed: the same vectors, written as text (rounded to 6 decimals) and as float32
    np.testing.assert_allclose(loaded[0].vectors, loaded[1].vectors, atol=1e-6)


def test_train_reports_missing_input(tmp_path, capsys):
    with pytest.raises(SystemExit, match="does not exist"):
        main(["train", "--input", str(tmp_path / "nope.txt"), "--output", str(tmp_path / "v.txt")])


def test_train_rejects_bad_option_values(small_corpus_file, tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        main(["train", "--input", str(small_corpus_file), "--output", str(tmp_path / "v"), "--cbow", "2"])
    assert info.value.code == 2 and "--cbow" in capsys.readouterr().err  # argparse's usage error
    rc = main(["train", "--input", str(small_corpus_file), "--output", str(tmp_path / "v"), "--hs", "0",
               "--negative", "0", "--quiet"])
    assert rc == 1  # no objective: a clear error, not a crash
    assert "negative" in capsys.readouterr().err and not (tmp_path / "v").exists()


def test_train_logs_progress(small_corpus_file, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "cw2v", "train", "--input", str(small_corpus_file), "--output",
                           str(tmp_path / "v.txt"), "--size", "16", "--epochs", "2", "--threads", "1"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "epoch 2/2" in proc.stderr and "effective words/s" in proc.stderr


@pytest.mark.slow
def test_demo_prints_neighbours_and_analogy(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "cw2v", "demo", "--epochs", "2"], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "tuesday  ->" in proc.stdout and "king - man + woman =" in proc.stdout
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("tuesday"))
    assert any(day in line for day in ("monday", "friday", "thursday", "saturday", "wednesday", "sunday"))
