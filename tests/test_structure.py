"""The package's structure: how its modules import each other.

Every import of a cw2v module counts, also one made inside a function: such an import breaks no cycle, it
only postpones the failure to the first call (and makes the order of imports matter), so a cycle closed by
one is a cycle all the same. Imports of other packages (gensim, smart_open, safetensors, POT...) inside
functions are fine and are not looked at. Only imports under ``if TYPE_CHECKING:`` do not count: they never
run, and only type checkers read them (for the names in annotations, such as ``KeyedVectors`` in the
signatures of the persistence functions).
"""
import ast
import os

import pytest

PACKAGE = "cw2v"
ROOT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), PACKAGE)


def _modules():
    """``{module name: path}`` of every module of the package: .py files, and compiled ones (path None)."""
    found = {}
    for folder, _, files in os.walk(ROOT):
        for name in files:
            stem, ext = os.path.splitext(name)
            if ext not in (".py", ".pyx"):
                continue
            path = os.path.join(folder, name)
            parts = os.path.relpath(os.path.join(folder, stem), os.path.dirname(ROOT)).split(os.sep)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path if ext == ".py" else None  # compiled modules import no Python module
    return found


def _type_checking_only(tree):
    """The ids of the nodes inside ``if TYPE_CHECKING:`` (or ``if typing.TYPE_CHECKING:``) blocks."""
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and (getattr(node.test, "id", None) == "TYPE_CHECKING"
                                         or getattr(node.test, "attr", None) == "TYPE_CHECKING"):
            skipped.update(id(inner) for child in node.body for inner in ast.walk(child))
    return skipped


def _imported(module, path, modules):
    """The cw2v modules that `module` imports anywhere in its source (except for type checkers only), each
    with the line of the import."""
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    package = module if path.endswith("__init__.py") else module.rpartition(".")[0]
    skipped = _type_checking_only(tree)
    out = {}
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module
            # `from cw2v import scoring` imports the module cw2v.scoring; `from cw2v import Word2Vec` the package
            names = [f"{source}.{alias.name}" if f"{source}.{alias.name}" in modules else source
                     for alias in node.names]
        else:
            continue
        for name in names:
            while name and name not in modules:  # `import cw2v.x.y` of a name that is not a module
                name = name.rpartition(".")[0]
            if name and name != module:  # a module running itself as __main__ imports itself: no cycle
                out.setdefault(name, node.lineno)
    return out


def import_graph():
    """``{module: {imported module: line}}`` over the whole package."""
    modules = _modules()
    return {name: _imported(name, path, modules) if path else {} for name, path in modules.items()}


def find_cycle(graph):
    """One cycle of `graph` as a list of modules (first == last), or None."""
    state = {}  # module -> 1 while on the current path, 2 once done

    def visit(node, path):
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt, path)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start, [])
            if found:
                return found
    return None


def test_no_import_cycles():
    graph = import_graph()
    assert "cw2v.word2vec" in graph and "cw2v.persist" in graph
    cycle = find_cycle(graph)
    if cycle:
        steps = [f"{a} (line {graph[a][b]}) -> {b}" for a, b in zip(cycle, cycle[1:])]
        pytest.fail("cw2v modules import each other in a cycle: " + "; ".join(steps))


def test_cycle_finder_finds_cycles():
    assert find_cycle({"a": {"b": 1}, "b": {"c": 1}, "c": {}}) is None
    assert find_cycle({"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b": 1}, "b": {"b2": 1, "c": 1}, "b2": {}, "c": {"b": 1}}) == ["b", "c", "b"]


def test_imports_for_type_checkers_only_are_not_counted(tmp_path):
    path = tmp_path / "m.py"
    path.write_text("from typing import TYPE_CHECKING\nimport typing\nfrom cw2v import a\n"
                    "if TYPE_CHECKING:\n    from cw2v import b\nif typing.TYPE_CHECKING:\n    import cw2v.c\n"
                    "else:\n    import cw2v.d\n", encoding="utf-8")
    modules = {"cw2v", "cw2v.a", "cw2v.b", "cw2v.c", "cw2v.d", "cw2v.m"}
    assert _imported("cw2v.m", str(path), modules) == {"cw2v.a": 3, "cw2v.d": 9}


def test_persistence_modules_do_not_import_the_models():
    """Formats read and write the state the model classes give (or receive the class): they import none."""
    graph = import_graph()
    models = {"cw2v.word2vec", "cw2v.keyedvectors", "cw2v"}
    for module in ("cw2v.persist", "cw2v._native", "cw2v._gensim_io", "cw2v.formats", "cw2v._fileio"):
        assert module in graph, module
        assert not models & set(graph[module]), (module, sorted(models & set(graph[module])))


#: Calls that replace files or open compressed ones: only cw2v._fileio makes them.
_FILE_CALLS = {("os", "replace"), ("os", "rename"), ("tempfile", "mkstemp"), ("tempfile", "NamedTemporaryFile"),
               ("gzip", "open"), ("gzip", "GzipFile"), ("bz2", "open"), ("bz2", "BZ2File"), ("lzma", "open"),
               ("lzma", "LZMAFile")}


def test_one_atomic_writer_and_one_table_of_openers():
    """Only cw2v._fileio renames temporary files into place or opens compressed files by their extension."""
    for name, path in _modules().items():
        if name == "cw2v._fileio" or path is None:
            continue
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read(), path)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and isinstance(node.func.value, ast.Name):
                call = (node.func.value.id, node.func.attr)
                assert call not in _FILE_CALLS, f"{name} line {node.lineno} calls {'.'.join(call)}: use cw2v._fileio"
