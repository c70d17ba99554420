"""cw2v.patch_gensim(): code that calls gensim's Word2Vec / KeyedVectors trains with cw2v, unedited."""
import subprocess
import sys
import textwrap

import numpy as np
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
    assert gph.original_scorer is cw2v.phrases.original_scorer  # compared by identity in gensim's tests
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


def test_gensims_own_models_save_and_load_under_the_patch(gensim, tmp_path):
    """gensim's methods name their classes at run time (FastText.save reaches super(Word2Vec, self).save):
    under the patch they still see gensim's classes, and gensim objects still pickle."""
    import gensim.models
    cw2v.patch_gensim()
    ft = gensim.models.FastText(common_texts, min_count=1, vector_size=8, epochs=1)
    ft.save(str(tmp_path / "ft.model"))
    again = gensim.models.FastText.load(str(tmp_path / "ft.model"))
    np.testing.assert_array_equal(again.wv["human"], ft.wv["human"])
    docs = [gensim.models.doc2vec.TaggedDocument(t, [i]) for i, t in enumerate(common_texts)]
    d2v = gensim.models.Doc2Vec(docs, min_count=1, vector_size=8, epochs=1)
    d2v.save(str(tmp_path / "d2v.model"))
    assert len(gensim.models.Doc2Vec.load(str(tmp_path / "d2v.model")).dv) == len(docs)
    theirs = cw2v.Word2Vec(common_texts, min_count=1, vector_size=8, epochs=1).to_gensim()
    assert type(theirs).__module__ == "gensim.models.word2vec" and not isinstance(theirs, cw2v.Word2Vec)
    theirs.train(common_texts, total_examples=len(common_texts), epochs=1)  # gensim's own training


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


def test_patch_can_give_gensim_code_per_pair_updates(gensim):
    """patch_gensim(batched=False): models that gensim code creates (it cannot pass batched) train with the
    per-pair updates, the same model as cw2v.Word2Vec(..., batched=False); unpatch restores the default."""
    import gensim.models
    settings = dict(sentences=common_texts, min_count=1, vector_size=8, epochs=2, sg=1, workers=1, seed=3)
    per_pair = cw2v.Word2Vec(**settings, batched=False)
    block = cw2v.Word2Vec(**settings, batched=True)
    assert not np.array_equal(per_pair.wv.vectors, block.wv.vectors)
    cw2v.patch_gensim(batched=False)
    model = gensim.models.Word2Vec(**settings)
    assert type(model) is cw2v.Word2Vec and model.batched is False
    np.testing.assert_array_equal(model.wv.vectors, per_pair.wv.vectors)
    assert gensim.models.Word2Vec(**settings, batched=True).batched is True  # an explicit value still wins
    cw2v.unpatch_gensim()
    assert cw2v.Word2Vec(min_count=1).batched is True
    cw2v.patch_gensim()  # batched=None: cw2v's default, the block updates
    np.testing.assert_array_equal(gensim.models.Word2Vec(**settings).wv.vectors, block.wv.vectors)
    cw2v.unpatch_gensim()
    with pytest.raises(TypeError, match="batched"):
        cw2v.patch_gensim(batched="no")
    assert not cw2v.patch.is_patched()
    with pytest.raises(TypeError, match="batched"):
        cw2v.word2vec.set_default_batched(None)


def test_python_m_cw2v_patch_per_pair(gensim, tmp_path):
    (tmp_path / "walks.py").write_text(textwrap.dedent("""
        import gensim
        from gensim.test.utils import common_texts
        print(gensim.models.Word2Vec(common_texts, min_count=1, vector_size=8, epochs=1).batched)
    """))
    for flags, shown in (([], "True"), (["--per-pair"], "False"), (["--per-pair", "-v"], "False")):
        run = subprocess.run([sys.executable, "-m", "cw2v.patch", *flags, str(tmp_path / "walks.py")],
                             capture_output=True, text=True, cwd=tmp_path)
        assert run.returncode == 0, run.stderr
        assert run.stdout.strip() == shown, (flags, run.stdout, run.stderr)


def test_python_m_cw2v_patch_without_a_script_prints_usage(tmp_path):
    # from outside the source tree: `-m` puts the working directory first on sys.path, and a checkout's cw2v
    # has no compiled modules unless built in place
    run = subprocess.run([sys.executable, "-m", "cw2v.patch"], capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 2 and "usage: python -m cw2v.patch" in run.stderr


def test_saves_under_the_patch_load_in_plain_gensim(gensim, tmp_path):
    """node2vec's last steps, model.save() and wv.save(), must give files that plain gensim loads later."""
    import gensim.models
    original_w2v, original_kv = gensim.models.Word2Vec, gensim.models.KeyedVectors
    cw2v.patch_gensim()
    model = gensim.models.Word2Vec(common_texts, min_count=1, vector_size=8, epochs=1)
    model.save(str(tmp_path / "m.model"))
    model.wv.save(str(tmp_path / "v.kv"))
    model.save(str(tmp_path / "native.model"), format="cw2v")
    cw2v.unpatch_gensim()
    assert cw2v.persist.default_save_format() == "cw2v"
    loaded = original_w2v.load(str(tmp_path / "m.model"))
    assert type(loaded) is original_w2v and loaded.wv.index_to_key == model.wv.index_to_key
    np.testing.assert_array_equal(original_kv.load(str(tmp_path / "v.kv")).vectors, model.wv.vectors)
    assert cw2v.Word2Vec.load(tmp_path / "native.model").wv.index_to_key == model.wv.index_to_key
    with pytest.raises(ValueError, match="save_format"):
        cw2v.patch_gensim(save_format="pickle")
    assert not cw2v.patch.is_patched()
