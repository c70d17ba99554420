"""gensim's test helpers (``gensim.test.utils``): sample texts, temporary paths and test-data paths.

cw2v ships no test-data files of its own; :func:`datapath` names a file of gensim's test data when gensim
is installed (its package carries ``gensim/test/test_data``), so tests written for gensim find the
models and corpora they were written for. The corpus behind :class:`LeeCorpus` and
:data:`lee_corpus_list` comes from there too and is read on first use, not at import.
"""
from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import tempfile

from cw2v.utils import simple_preprocess

# lee_corpus_list is made by the module's __getattr__ on first use
__all__ = ["datapath", "get_tmpfile", "temporary_file", "common_texts", "LeeCorpus", "lee_corpus_list",  # noqa: F822
           "test_data_dir"]

#: The sample texts of gensim's tutorials ("Deerwester"): 9 documents, 12 distinct words.
common_texts = [
    ['human', 'interface', 'computer'],
    ['survey', 'user', 'computer', 'system', 'response', 'time'],
    ['eps', 'user', 'interface', 'system'],
    ['system', 'human', 'system', 'eps'],
    ['user', 'response', 'time'],
    ['trees'],
    ['graph', 'trees'],
    ['graph', 'minors', 'trees'],
    ['graph', 'minors', 'survey'],
]


def test_data_dir():
    """The folder of gensim's test data (``$CW2V_TEST_DATA`` if set), or None when gensim is not installed.

    gensim is located without being imported.
    """
    env = os.environ.get("CW2V_TEST_DATA")
    if env:
        return env
    spec = importlib.util.find_spec("gensim")
    if spec is None or not spec.submodule_search_locations:
        return None
    return os.path.join(list(spec.submodule_search_locations)[0], "test", "test_data")


test_data_dir.__test__ = False  # type: ignore[attr-defined]  # not a test, whatever pytest's name patterns say


def datapath(fname):
    """Full path of ``fname`` in the test-data folder (see :func:`test_data_dir`).

    Raises
    ------
    FileNotFoundError
        If there is no test-data folder (gensim not installed and ``CW2V_TEST_DATA`` unset).
    """
    folder = test_data_dir()
    if folder is None:
        raise FileNotFoundError("no test data for %r: gensim's test data comes with gensim (pip install gensim) "
                                "or from the folder named by CW2V_TEST_DATA" % (fname,))
    return os.path.join(folder, fname)


def get_tmpfile(suffix):
    """A path named ``suffix`` in a new temporary folder (the file itself is not created)."""
    return os.path.join(tempfile.mkdtemp(), suffix)


@contextlib.contextmanager
def temporary_file(name=""):
    """Yield a path named ``name`` in a new temporary folder, removed with its contents afterwards."""
    folder = tempfile.mkdtemp()
    try:
        yield os.path.join(folder, name)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


class LeeCorpus:
    """The Lee background corpus of gensim's test data, one :func:`simple_preprocess`-ed list per line."""

    def __iter__(self):
        with open(datapath("lee_background.cor"), encoding="utf8") as f:
            for line in f:
                yield simple_preprocess(line)


def __getattr__(name):
    if name == "lee_corpus_list":  # read on first use: importing this module needs no data
        value = list(LeeCorpus())
        globals()[name] = value
        return value
    raise AttributeError("module %r has no attribute %r" % (__name__, name))
