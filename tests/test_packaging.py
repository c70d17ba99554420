"""Packaging: one version everywhere, complete wheels, and sdist rules (MANIFEST.in) that ship the sources.

The sdist checks evaluate MANIFEST.in with setuptools' own template engine against the files of the
source tree beside these tests, so a new .pyx/.pxd/C header or test that the rules would leave out of the
sdist fails here, without building one (tools/check_wheel.sh builds real ones).
"""
import json
import os
import re
from importlib import metadata

import pytest

import cw2v

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIST = "cw2v"


def _distribution():
    try:
        return metadata.distribution(DIST)
    except metadata.PackageNotFoundError:
        pytest.skip("cw2v is not installed as a distribution (in-place build): nothing to compare with")


def _is_editable(dist):
    text = dist.read_text("direct_url.json")
    return bool(text) and json.loads(text).get("dir_info", {}).get("editable", False)


def test_version_attribute_is_the_installed_distribution_version():
    dist = _distribution()
    assert cw2v.__version__ == dist.version
    assert cw2v.__version__ == metadata.version(DIST)


def test_version_is_pep440_and_matches_source_version_file():
    assert re.fullmatch(r"\d+(\.\d+)*((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?", cw2v.__version__)
    version_file = os.path.join(REPO, "cw2v", "_version.py")
    if not os.path.isfile(version_file):
        pytest.skip("no source tree beside the tests")
    namespace = {}
    with open(version_file, encoding="utf-8") as f:
        exec(f.read(), namespace)
    assert cw2v.__version__ == namespace["__version__"], (
        "the imported cw2v is not built from this source tree: reinstall it")


def test_pyproject_takes_the_version_from_version_file_only():
    tomllib = pytest.importorskip("tomllib")          # Python >= 3.11
    path = os.path.join(REPO, "pyproject.toml")
    if not os.path.isfile(path):
        pytest.skip("no pyproject.toml beside the tests")
    with open(path, "rb") as f:
        conf = tomllib.load(f)
    assert "version" not in conf["project"]
    assert "version" in conf["project"]["dynamic"]
    assert conf["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "cw2v._version.__version__"}
    assert conf["project"]["requires-python"] == ">=3.10"
    extras = conf["project"]["optional-dependencies"]
    assert {"test", "plot", "annoy", "remote"} <= set(extras)


def test_installed_wheel_has_extensions_sources_and_data():
    dist = _distribution()
    if _is_editable(dist):
        pytest.skip("editable install: its record lists no package files")
    files = {str(p).replace("\\", "/") for p in (dist.files or ())}
    for name in ("cw2v/__init__.py", "cw2v/_version.py", "cw2v/_kernels.pyx", "cw2v/_kernels.pxd",
                 "cw2v/_corpus.pyx", "cw2v/data/demo-corpus.txt.gz",
                 "cw2v/py.typed", "cw2v/_kernels.pyi", "cw2v/_corpus.pyi"):     # PEP 561: typed, with stubs
        assert name in files, name
    for module in ("_kernels", "_corpus"):
        assert any(re.fullmatch(r"cw2v/%s\..*\.(so|pyd)|cw2v/%s\.(so|pyd)" % (module, module), f) for f in files), \
            "compiled cw2v.%s missing from the installed distribution" % module
    assert not any(f.startswith("cw2v/") and f.endswith(".c") for f in files), "generated C shipped"
    metadata_text = dist.read_text("METADATA") or ""
    assert "License" in metadata_text and "MIT" in metadata_text
    assert dist.metadata["Requires-Python"] == ">=3.10"


def _source_files(*parts, suffixes):
    root = os.path.join(REPO, *parts)
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != "__pycache__"]
        for name in filenames:
            if name.endswith(suffixes):
                found.append(os.path.relpath(os.path.join(dirpath, name), REPO).replace(os.sep, "/"))
    return sorted(found)


@pytest.fixture(scope="module")
def manifest_files():
    """The files setuptools' sdist would take from MANIFEST.in's rules, evaluated over this source tree."""
    if not os.path.isfile(os.path.join(REPO, "MANIFEST.in")):
        pytest.skip("no MANIFEST.in beside the tests (not run from a source tree or sdist)")
    pytest.importorskip("setuptools", reason="setuptools evaluates MANIFEST.in")
    from setuptools.command.egg_info import FileList

    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        file_list = FileList()
        file_list.findall(".")
        file_list.allfiles = [os.path.normpath(f) for f in file_list.allfiles]
        with open("MANIFEST.in", encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if line and not line.startswith("#"):
                    file_list.process_template_line(line)
    finally:
        os.chdir(cwd)
    return {f.replace(os.sep, "/") for f in file_list.files}


def test_manifest_ships_cython_sources_headers_and_data(manifest_files):
    required = (_source_files("cw2v", suffixes=(".py", ".pyx", ".pxd", ".pyi", "py.typed"))
                + _source_files("src_c", suffixes=(".c", ".h"))
                + _source_files("cw2v", "data", suffixes=(".gz",))
                + _source_files("tests", suffixes=(".py",))
                + _source_files("bench", suffixes=(".py",)))
    assert any(f.endswith(".pyx") for f in required) and any(f.startswith("src_c/") for f in required)
    assert "cw2v/_kernels.pxd" in required and "cw2v/_kernels.pyi" in required and "cw2v/py.typed" in required
    missing = [f for f in required if f not in manifest_files]
    assert not missing, "MANIFEST.in leaves these out of the sdist: %s" % missing
    for name in ("README.md", "LICENSE", "pyproject.toml", "setup.py", "MANIFEST.in", "tests/test_packaging.py"):
        assert name in manifest_files, name


def test_manifest_excludes_generated_files(manifest_files):
    generated = [f for f in manifest_files
                 if f.endswith((".so", ".pyd", ".dylib", ".o", ".pyc"))
                 or (f.startswith("cw2v/") and f.endswith((".c", ".cpp", ".html")))
                 or f.split("/")[0] in ("build", "dist", ".git", ".hypothesis", ".pytest_cache")]
    assert not generated, "MANIFEST.in ships generated files: %s" % generated
