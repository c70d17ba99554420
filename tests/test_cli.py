"""The command line: `cw2v train` writes files gensim reads; `cw2v demo` shows neighbours."""
import subprocess
import sys

import numpy as np
import pytest

from cw2v import KeyedVectors, LineSentence
from cw2v.cli import main


@pytest.fixture(scope="module")
def small_file(tmp_path_factory, demo_corpus_path):
    path = tmp_path_factory.mktemp("cli") / "small.txt"
    path.write_text("\n".join(" ".join(s) for s in LineSentence(demo_corpus_path, limit=2000)) + "\n",
                    encoding="utf8")
    return path


@pytest.mark.parametrize("binary", [0, 1])
def test_train_writes_vectors_gensim_reads(small_file, tmp_path, binary):
    out = tmp_path / ("v.bin" if binary else "v.txt")
    rc = main(["train", "--input", str(small_file), "--output", str(out), "--cbow", "0", "--size", "24",
               "--window", "3", "--negative", "4", "--min-count", "3", "--threads", "2", "--epochs", "1",
               "--binary", str(binary), "--quiet"])
    assert rc == 0
    ours = KeyedVectors.load_word2vec_format(str(out), binary=bool(binary))
    assert ours.vector_size == 24 and len(ours) > 1000
    gensim_kv = pytest.importorskip("gensim.models.keyedvectors", reason="gensim is the test oracle")
    theirs = gensim_kv.KeyedVectors.load_word2vec_format(str(out), binary=bool(binary))
    assert theirs.index_to_key == ours.index_to_key
    np.testing.assert_array_equal(theirs.vectors, ours.vectors)


def test_train_reports_missing_input(tmp_path, capsys):
    with pytest.raises(SystemExit, match="does not exist"):
        main(["train", "--input", str(tmp_path / "nope.txt"), "--output", str(tmp_path / "v.txt")])


def test_train_rejects_bad_option_values(small_file, tmp_path):
    with pytest.raises(SystemExit):
        main(["train", "--input", str(small_file), "--output", str(tmp_path / "v"), "--cbow", "2"])
    rc = main(["train", "--input", str(small_file), "--output", str(tmp_path / "v"), "--hs", "0",
               "--negative", "0", "--quiet"])
    assert rc == 1  # no objective: a clear error, not a crash


def test_train_logs_progress(small_file, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "cw2v", "train", "--input", str(small_file), "--output",
                           str(tmp_path / "v.txt"), "--size", "16", "--epochs", "2", "--threads", "1"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "epoch 2/2" in proc.stderr and "effective words/s" in proc.stderr


def test_demo_prints_neighbours_and_analogy(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "cw2v", "demo", "--epochs", "2"], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "tuesday  ->" in proc.stdout and "king - man + woman =" in proc.stdout
    line = next(l for l in proc.stdout.splitlines() if l.startswith("tuesday"))
    assert any(day in line for day in ("monday", "friday", "thursday", "saturday", "wednesday", "sunday"))
