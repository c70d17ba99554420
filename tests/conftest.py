import os

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED_DATA = os.path.join(os.path.dirname(REPO), "shared", "data")


@pytest.fixture(scope="session")
def demo_corpus_path():
    from cw2v.cli import demo_corpus_path
    return demo_corpus_path()


@pytest.fixture(scope="session")
def shared_data():
    """The project's shared evaluation data (questions-words.txt, wordsim353.tsv), if present."""
    if not os.path.isdir(SHARED_DATA):
        pytest.skip("../shared/data is not beside the repository (evaluation sets live there)")
    return SHARED_DATA
