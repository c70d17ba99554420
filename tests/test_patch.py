"""cw2v.patch_gensim(): code that calls gensim's Word2Vec / KeyedVectors trains with cw2v, unedited."""
import subprocess
import sys
import textwrap

import pytest

import cw2v
from cw2v.test.utils import common_texts


@pytest.fixture
def gensim():
    gensim = pytest.importorskip("gensim", reason="patch_gensim switches gensim's own classes")
    yield gensim
    cw2v.unpatch_gensim()


def test_patch_switches_gensim_names_and_unpatch_restores_them(gensim):
    import gensim.models
    import gensim.models.keyedvectors as gkv
    import gensim.models.phrases as gph
    import gensim.models.word2vec as gw2v
    originals = (gensim.models.Word2Vec, gw2v.Word2Vec, gw2v.LineSentence, gkv.KeyedVectors, gph.Phrases,
                 gph.Phraser)
    switched = cw2v.patch_gensim()
    assert cw2v.patch.is_patched() and "gensim.models.word2vec.Word2Vec" in switched
    assert gensim.models.Word2Vec is gw2v.Word2Vec is cw2v.Word2Vec
    assert gkv.KeyedVectors is gensim.models.KeyedVectors is cw2v.KeyedVectors
    assert gw2v.LineSentence is cw2v.LineSentence and gph.Phrases is cw2v.Phrases
    assert gph.Phraser is gph.FrozenPhrases is cw2v.FrozenPhrases
    assert cw2v.patch_gensim() == []  # a second call changes nothing
    model = gensim.models.Word2Vec(common_texts, min_count=1, vector_size=8, seed=None)
    assert isinstance(model, cw2v.Word2Vec) and isinstance(model.wv, gensim.models.KeyedVectors)
    assert cw2v.unpatch_gensim() > 0 and not cw2v.patch.is_patched()
    assert (gensim.models.Word2Vec, gw2v.Word2Vec, gw2v.LineSentence, gkv.KeyedVectors, gph.Phrases,
            gph.Phraser) == originals


def test_gensims_own_subclasses_keep_gensims_base(gensim):
    import gensim.models
    original_w2v = gensim.models.Word2Vec
    cw2v.patch_gensim()
    ft = gensim.models.FastText(common_texts, min_count=1, vector_size=8, epochs=1)
    assert issubclass(gensim.models.FastText, original_w2v) and not isinstance(ft, cw2v.Word2Vec)
    # gensim's vectors_for_all builds gensim vectors by its module's global name, which is now cw2v's
    assert not isinstance(ft.wv.vectors_for_all(["human", "xyzzy"]), cw2v.KeyedVectors)
    d2v = gensim.models.Doc2Vec([gensim.models.doc2vec.TaggedDocument(t, [i]) for i, t in enumerate(common_texts)],
                                min_count=1, vector_size=8, epochs=1)
    assert len(d2v.dv) == len(common_texts)


def test_modules_imported_before_the_patch_are_switched(gensim, tmp_path, monkeypatch):
    (tmp_path / "early_client.py").write_text(textwrap.dedent("""
        from gensim.models import Word2Vec
        from gensim.models.keyedvectors import KeyedVectors as KV

        def embed(walks):
            return Word2Vec(walks, min_count=1, vector_size=8, epochs=1)
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    import early_client
    original = early_client.Word2Vec
    try:
        cw2v.patch_gensim()
        assert isinstance(early_client.embed(common_texts), cw2v.Word2Vec) and early_client.KV is cw2v.KeyedVectors
        cw2v.unpatch_gensim()
        assert early_client.Word2Vec is original
    finally:
        sys.modules.pop("early_client", None)


def test_patch_without_gensim_names_the_missing_package(monkeypatch):
    for name in [m for m in sys.modules if m == "gensim" or m.startswith("gensim.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "gensim", None)  # import gensim now fails
    with pytest.raises(ImportError, match="pip install gensim"):
        cw2v.patch_gensim()
    assert not cw2v.patch.is_patched()


SCRIPT = """
import sys
import gensim
from gensim.test.utils import common_texts
model = gensim.models.Word2Vec(common_texts, min_count=1, vector_size=8, epochs=1)
print(type(model).__module__, sys.argv[1:])
sys.exit(int(sys.argv[-1]))
"""


def test_python_m_cw2v_patch_runs_a_script_and_a_module_patched(gensim, tmp_path):
    (tmp_path / "client_script.py").write_text(SCRIPT)
    run = subprocess.run([sys.executable, "-m", "cw2v.patch", str(tmp_path / "client_script.py"), "a", "3"],
                         capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 3, run.stderr
    assert run.stdout.strip() == "cw2v.word2vec ['a', '3']"
    assert "RuntimeWarning" not in run.stderr  # cw2v.patch is not imported before runpy runs it
    run = subprocess.run([sys.executable, "-m", "cw2v.patch", "-m", "client_script", "b", "0"],
                         capture_output=True, text=True, cwd=tmp_path, env={**__import__("os").environ,
                                                                         "PYTHONPATH": str(tmp_path)})
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "cw2v.word2vec ['b', '0']"
    unpatched = subprocess.run([sys.executable, str(tmp_path / "client_script.py"), "0"], capture_output=True,
                               text=True)
    assert unpatched.stdout.startswith("gensim.models.word2vec"), unpatched.stderr


def test_python_m_cw2v_patch_without_a_script_prints_usage():
    run = subprocess.run([sys.executable, "-m", "cw2v.patch"], capture_output=True, text=True)
    assert run.returncode == 2 and "usage: python -m cw2v.patch" in run.stderr
