"""Run gensim 4.4.0's own Word2Vec / KeyedVectors / Phrases tests against cw2v.

The test files are taken from the installed gensim (``gensim/test/``), never copied into this repository:
each is written to a temporary folder with its module references switched from ``gensim`` to ``cw2v``
(``from gensim.models import word2vec`` becomes ``from cw2v.models import word2vec``, and so on), then
run by pytest. gensim's test data stays where gensim installed it; ``cw2v.test.utils.datapath`` finds it.

Usage::

    pip install gensim==4.4.0 testfixtures
    python tools/gensim_suite.py                 # all three files, summary per file
    python tools/gensim_suite.py -k keyedvectors -- -x -q   # one file, extra pytest arguments after --

It prints one line per test that did not pass, and per file the counts of passed / failed / skipped.

``--patched`` runs the files unmodified instead, under ``python -m cw2v.patch`` (gensim's names switched to
cw2v's by ``cw2v.patch_gensim()``), together with gensim's test_fasttext.py and test_doc2vec.py, whose
models must keep working on gensim's own classes while the patch is active.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

FILES = ("test_word2vec.py", "test_keyedvectors.py", "test_phrases.py")
PATCHED_EXTRA = ("test_fasttext.py", "test_doc2vec.py")

# ``gensim`` as a module name: ``gensim.x``, ``from gensim ...``, ``import gensim``, ``'gensim.scripts...'``.
_MODULE_REF = re.compile(r"\bgensim(?=\.[A-Za-z_]|\s+import\b|\s*$|\s*,|\s*\))", re.M)


def switch_imports(source):
    """``source`` with every reference to the ``gensim`` package replaced by ``cw2v``."""
    return _MODULE_REF.sub("cw2v", source)


def gensim_test_dir():
    import gensim
    return os.path.join(os.path.dirname(gensim.__file__), "test")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", "--only", default="", help="run only the files whose name contains this")
    parser.add_argument("--patched", action="store_true",
                        help="run gensim's files unmodified under python -m cw2v.patch (adds fasttext, doc2vec)")
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments (after --)")
    args = parser.parse_args(argv)
    src = gensim_test_dir()
    work = tempfile.mkdtemp(prefix="cw2v-gensim-suite-")
    totals = {}
    for name in FILES + (PATCHED_EXTRA if args.patched else ()):
        if args.only not in name:
            continue
        with open(os.path.join(src, name), encoding="utf-8") as f:
            text = f.read() if args.patched else switch_imports(f.read())
        path = os.path.join(work, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        report = os.path.join(work, name + ".xml")
        cmd = [sys.executable, *(("-m", "cw2v.patch") if args.patched else ()), "-m", "pytest", path,
               "-p", "no:cacheprovider", "-q", "--junitxml", report, "-o", "junit_family=xunit1", *args.pytest_args]
        subprocess.run(cmd, cwd=work)
        counts = {"passed": 0, "failed": 0, "skipped": 0}
        if os.path.exists(report):
            for case in ET.parse(report).getroot().iter("testcase"):
                kind = "passed"
                for child in case:
                    if child.tag in ("failure", "error"):
                        kind = "failed"
                    elif child.tag == "skipped":
                        kind = "skipped"
                counts[kind] += 1
                if kind != "passed":
                    msg = next((c.get("message", "") for c in case), "")
                    print("%-8s %s::%s  %s" % (kind.upper(), name, case.get("name"), msg.splitlines()[0][:150]
                                               if msg else ""))
        totals[name] = counts
    print()
    for name, c in totals.items():
        print("%-22s passed %3d  failed %3d  skipped %3d" % (name, c["passed"], c["failed"], c["skipped"]))
    print("work folder:", work)
    return 0 if all(c["failed"] == 0 for c in totals.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
