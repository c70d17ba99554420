"""gensim files and objects: the restricted unpickler, the import of gensim saves, and live conversions.

:func:`load_gensim_pickle` reads files written by gensim's ``KeyedVectors.save`` and ``Word2Vec.save``, from
gensim 0.12 to 4.x (a pickle, possibly compressed as ``.gz``/``.bz2``, plus ``fname.<attribute>.npy`` (or
``.npz`` when compressed) files for large arrays), and :func:`gensim_phrases_document` gensim 3.x/4.x
``Phrases``/``Phraser``/``FrozenPhrases`` pickles (for ``cw2v.Phrases.load``). Pickles go through
:class:`RestrictedUnpickler`, which admits only the classes such files reference and maps each one to an inert
stand-in defined here; gensim itself is never imported. Anything else is refused with :class:`UnsafePickleError`
(an ``pickle.UnpicklingError``) naming the class, before any of the file's code runs. The stand-ins are then
converted to the state of cw2v objects (what ``KeyedVectors._persistent_state()`` and
``Word2Vec._persistent_state()`` hold): older layouts are brought to gensim 4's first (``syn0`` -> ``vectors``,
``index2word`` -> ``index_to_key``, per-word ``Vocab`` records -> ``key_to_index`` and per-key arrays, the
3.x ``vocabulary``/``trainables`` parts, ``iter`` -> ``epochs``); an imported ``Word2Vec`` gets its vocabulary
tables rebuilt (keeping gensim's Huffman codes) and keeps training in cw2v.

With gensim installed (imported inside the functions that need it: gensim is optional),
:func:`word2vec_to_gensim` / :func:`word2vec_from_gensim` and :func:`keyed_vectors_to_gensim` /
:func:`keyed_vectors_from_gensim` convert live objects, copying every array, and :func:`write_gensim` writes a
converted object as one gensim pickle, atomically, which gensim 4.4.0's ``load`` reads.

The cw2v classes are received as arguments; no module of the model is imported here.
"""
from __future__ import annotations

import inspect
import io
import logging
import lzma
import math
import os
import pickle
import re
import types
import zipfile
from numbers import Integral
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from cw2v import _fileio, _gensim_originals, _native, vocab as _vocab
from cw2v._native import PersistFormatError
from cw2v._typing import StrPath

if TYPE_CHECKING:
    from cw2v.keyedvectors import KeyedVectors
    from cw2v.word2vec import Word2Vec

_KV = TypeVar("_KV", bound="KeyedVectors")
_Model = TypeVar("_Model", bound="Word2Vec")

logger = logging.getLogger("cw2v.persist")  # the name users configure: saving and loading log as cw2v.persist


class UnsafePickleError(pickle.UnpicklingError):
    """A pickle references a class or function outside the small set gensim Word2Vec/KeyedVectors files need.

    Raised by :meth:`RestrictedUnpickler.find_class` before the referenced object could be called.
    """


# ============================================================================================ gensim pickles


class _GensimObject:
    """Inert stand-in for a gensim object: keeps the pickled attribute dict in ``state``, runs nothing."""

    state: dict[str, Any] | None = None  # set by __setstate__ (pickle's BUILD); None if the pickle never gave a state

    def __init__(self, *args, **kwargs):
        self.state = {}

    def __setstate__(self, state):
        if isinstance(state, tuple) and len(state) == 2:
            state, slots = state
            merged = dict(state or {})
            merged.update(slots or {})
            state = merged
        if not isinstance(state, dict):
            raise pickle.UnpicklingError(f"unexpected state of type {type(state).__name__} for a gensim object")
        self.state = state


class _GensimWord2Vec(_GensimObject):
    """Stand-in for ``gensim.models.word2vec.Word2Vec``."""


class _GensimKeyedVectors(_GensimObject):
    """Stand-in for ``gensim.models.keyedvectors.KeyedVectors`` (and its older names)."""


class _GensimVocab(_GensimObject):
    """Stand-in for gensim < 4's per-word ``Vocab`` record (``count``, ``index``, ``sample_int``, ``code``, ...)."""

    def __init__(self, *args, **kwargs):
        self.state = dict(kwargs)


class _GensimPart(_GensimObject):
    """Stand-in for gensim 3's ``Word2VecVocab`` and ``Word2VecTrainables`` (parts of a Word2Vec's state)."""


class _GensimPhrases(_GensimObject):
    """Stand-in for ``gensim.models.phrases.Phrases``."""


class _GensimFrozenPhrases(_GensimObject):
    """Stand-in for ``gensim.models.phrases.FrozenPhrases`` (``Phraser`` in gensim 3)."""


class _ScorerRef:
    """Stand-in for a reference to one of gensim's built-in phrase scoring functions; never callable."""

    def __init__(self, name):
        self.name = name

    def __call__(self, *args, **kwargs):
        raise UnsafePickleError(f"refusing to call gensim's {self.name} scorer while unpickling")

    def __reduce__(self):  # pragma: no cover - never pickled again
        raise TypeError("not picklable")


_DEFAULT_SCORER = _ScorerRef("original_scorer")


_NPMI_SCORER = _ScorerRef("npmi_scorer")


class _Inert:
    """Stand-in for objects whose content cw2v ignores (random generators, gensim helpers, ``hash``)."""

    def __init__(self, *args, **kwargs):
        pass

    def __call__(self, *args, **kwargs):
        return _Inert()

    def __setstate__(self, state):
        pass


class _NdarrayMarker:
    """Stand-in for the ``numpy.ndarray`` class reference passed to ``_reconstruct``."""


class _DtypeStub:
    """Stand-in for ``numpy.dtype(spec, align, copy)`` restricted to plain numeric, string and object dtypes."""

    _SPEC = re.compile(r"(b1|i[1248]|u[1248]|f[248]|c(8|16)|O8|U\d{1,7}|S\d{1,7})\Z")

    def __init__(self, spec=None, align=False, copy=False, *rest):
        if not isinstance(spec, str) or not self._SPEC.match(spec):
            raise UnsafePickleError(f"refusing numpy dtype {spec!r}: only plain numeric, string and object "
                                    "dtypes are admitted")
        self.dtype = np.dtype(spec)

    def __setstate__(self, state):
        if not isinstance(state, tuple) or len(state) < 8 or state[0] not in (3, 4):
            raise UnsafePickleError(f"refusing numpy dtype state {state!r:.80}")
        _, order, subarray, names, fields = state[:5]
        if subarray is not None or names is not None or fields is not None:
            raise UnsafePickleError("refusing structured or sub-array numpy dtypes")
        if order not in ("<", ">", "|", "="):
            raise UnsafePickleError(f"refusing numpy dtype byte order {order!r}")
        if order in ("<", ">") and self.dtype.kind not in ("b", "O") and self.dtype.itemsize > 1:
            self.dtype = self.dtype.newbyteorder(order)


def _dtype_of(stub):
    if not isinstance(stub, _DtypeStub):
        raise UnsafePickleError(f"expected a numpy dtype, got {type(stub).__name__}")
    return stub.dtype


def _shape_of(shape):
    if not isinstance(shape, tuple) or len(shape) > 32 or not all(
            isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in shape):
        raise UnsafePickleError(f"refusing array shape {shape!r:.80}")
    return shape


class _ArrayStub:
    """Stand-in for a pickled ndarray; ``array`` is the real array, built from the pickled bytes by NumPy."""

    def __init__(self):
        self.array = None

    def __setstate__(self, state):
        if not isinstance(state, tuple) or len(state) != 5:
            raise UnsafePickleError(f"unexpected numpy array state {type(state).__name__}")
        _, shape, dtype, fortran, data = state
        self.array = _build_array(_shape_of(shape), _dtype_of(dtype), bool(fortran), data)


def _build_array(shape, dtype, fortran, data):
    count = math.prod(shape)
    order = "F" if fortran else "C"
    if dtype.hasobject:
        if not isinstance(data, list) or len(data) != count:
            raise UnsafePickleError("object array state is not a list of the right length")
        arr = np.empty(count, dtype=object)
        for i, value in enumerate(data):
            arr[i] = value.array if isinstance(value, _ArrayStub) else value
        return arr.reshape(shape, order=order)
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    elif isinstance(data, str):  # a Python 2 str, decoded as latin-1 by the unpickler: the original bytes
        data = data.encode("latin-1")
    if not isinstance(data, bytes) or len(data) != count * dtype.itemsize:
        raise UnsafePickleError(f"array data does not match shape {shape} and dtype {dtype}")
    return np.frombuffer(data, dtype=dtype).reshape(shape, order=order).copy()


def _reconstruct(cls, shape, typecode):
    """Stand-in for ``numpy.core.multiarray._reconstruct``: an empty array stub, filled by its state."""
    if cls is not _NdarrayMarker:
        raise UnsafePickleError("numpy _reconstruct is only admitted for numpy.ndarray")
    return _ArrayStub()


def _frombuffer(buf, dtype, shape, order):
    """Stand-in for ``numpy.core.numeric._frombuffer`` (pickle protocol 5 arrays)."""
    if isinstance(buf, pickle.PickleBuffer):
        buf = bytes(buf.raw())
    stub = _ArrayStub()
    stub.array = _build_array(_shape_of(tuple(shape)), _dtype_of(dtype), order == "F", buf)
    return stub


def _scalar(dtype, data=None):
    """Stand-in for ``numpy.core.multiarray.scalar``: a NumPy scalar from its bytes (no object dtype)."""
    dtype = _dtype_of(dtype)
    if dtype.hasobject or not isinstance(data, bytes) or len(data) != dtype.itemsize:
        raise UnsafePickleError("refusing a numpy scalar that is not plain bytes of a numeric dtype")
    return np.frombuffer(data, dtype=dtype)[0]


class _DefaultDictStub(dict):
    """Stand-in for ``collections.defaultdict``: a plain dict (the factory is dropped, nothing is called)."""

    def __init__(self, *args):
        super().__init__()

    def __reduce__(self):  # pragma: no cover - never pickled again
        return (dict, (dict(self),))


def _codecs_encode(*args):
    """Stand-in for ``_codecs.encode``: only ``encode(str, 'latin1')``, how Python 3 writes bytes in protocol 2."""
    if len(args) != 2 or not isinstance(args[0], str) or args[1] not in ("latin1", "latin-1"):
        raise UnsafePickleError("refusing _codecs.encode with arguments other than (str, 'latin1'): "
                                f"got {', '.join(type(a).__name__ for a in args)}"
                                + (f" and encoding {args[1]!r:.40}" if len(args) > 1 else ""))
    return args[0].encode("latin-1")


class _ObjectMarker:
    """Stand-in for the ``object`` class a Python 2 ``copy_reg._reconstructor`` call names as base."""


def _copyreg_reconstructor(cls, base, state):
    """Stand-in for ``copy_reg._reconstructor``: only for the stand-in classes, with base ``object``, no state."""
    if not (isinstance(cls, type) and issubclass(cls, _GensimObject)) or base is not _ObjectMarker \
            or state is not None:
        raise UnsafePickleError("refusing copy_reg._reconstructor for anything but a gensim object on object")
    obj = cls.__new__(cls)
    return obj


def _safe_builtin(kind):
    def make(*args):
        if len(args) > 1:
            raise UnsafePickleError(f"refusing builtins.{kind.__name__} with {len(args)} arguments")
        if args and not isinstance(args[0], (str, int, float, list, tuple, dict, set, frozenset)):
            raise UnsafePickleError(f"refusing builtins.{kind.__name__}({type(args[0]).__name__})")
        return kind(*args)
    make.__name__ = kind.__name__
    return make


_NUMPY_MODULES = ("numpy.core.multiarray", "numpy._core.multiarray")


_ADMITTED = {
    ("gensim.models.word2vec", "Word2Vec"): _GensimWord2Vec,
    ("gensim.models.keyedvectors", "KeyedVectors"): _GensimKeyedVectors,
    ("gensim.models.keyedvectors", "Word2VecKeyedVectors"): _GensimKeyedVectors,
    ("gensim.utils", "call_on_class_only"): _Inert,
    ("numpy", "ndarray"): _NdarrayMarker,
    ("numpy", "dtype"): _DtypeStub,
    ("numpy.core.numeric", "_frombuffer"): _frombuffer,
    ("numpy._core.numeric", "_frombuffer"): _frombuffer,
    ("collections", "defaultdict"): _DefaultDictStub,
    ("collections", "OrderedDict"): _DefaultDictStub,
    ("builtins", "hash"): _Inert,
    ("builtins", "int"): _safe_builtin(int),
    ("builtins", "float"): _safe_builtin(float),
    ("builtins", "str"): _safe_builtin(str),
    ("builtins", "bool"): _safe_builtin(bool),
    ("builtins", "list"): _safe_builtin(list),
    ("builtins", "tuple"): _safe_builtin(tuple),
    ("builtins", "dict"): _safe_builtin(dict),
    ("builtins", "set"): _safe_builtin(set),
    ("builtins", "frozenset"): _safe_builtin(frozenset),
    # gensim < 4 and Python 2 names
    ("gensim.models.keyedvectors", "EuclideanKeyedVectors"): _GensimKeyedVectors,
    ("gensim.models.keyedvectors", "Vocab"): _GensimVocab,
    ("gensim.models.keyedvectors", "CompatVocab"): _GensimVocab,
    ("gensim.models.word2vec", "Vocab"): _GensimVocab,
    ("gensim.models.word2vec", "Word2VecVocab"): _GensimPart,
    ("gensim.models.word2vec", "Word2VecTrainables"): _GensimPart,
    ("gensim.models.phrases", "Phrases"): _GensimPhrases,
    ("gensim.models.phrases", "Phraser"): _GensimFrozenPhrases,
    ("gensim.models.phrases", "FrozenPhrases"): _GensimFrozenPhrases,
    ("gensim.models.phrases", "original_scorer"): _DEFAULT_SCORER,
    ("gensim.models.phrases", "npmi_scorer"): _NPMI_SCORER,
    ("_codecs", "encode"): _codecs_encode,
    ("copy_reg", "_reconstructor"): _copyreg_reconstructor,
    ("copyreg", "_reconstructor"): _copyreg_reconstructor,
    ("__builtin__", "object"): _ObjectMarker,
    ("__builtin__", "long"): _safe_builtin(int),
    ("__builtin__", "unicode"): _safe_builtin(str),
    ("UserString", "defaultdict"): _DefaultDictStub,  # how Python 3.4 named collections.defaultdict in protocol 2
}
for _name in ("hash", "int", "float", "str", "bool", "list", "tuple", "dict", "set", "frozenset"):
    _ADMITTED[("__builtin__", _name)] = _ADMITTED[("builtins", _name)]
for _module in _NUMPY_MODULES:
    _ADMITTED[(_module, "_reconstruct")] = _reconstruct
    _ADMITTED[(_module, "scalar")] = _scalar
for _name in ("__randomstate_ctor", "__bit_generator_ctor", "__generator_ctor"):
    _ADMITTED[("numpy.random._pickle", _name)] = _Inert
for _module, _name in (("numpy.random._mt19937", "MT19937"), ("numpy.random._pcg64", "PCG64"),
                       ("numpy.random._pcg64", "PCG64DXSM"), ("numpy.random._philox", "Philox"),
                       ("numpy.random._sfc64", "SFC64"), ("numpy.random.mtrand", "RandomState"),
                       ("numpy.random", "__RandomState_ctor"), ("numpy.random._generator", "Generator")):
    _ADMITTED[(_module, _name)] = _Inert


class RestrictedUnpickler(pickle.Unpickler):
    """Unpickler for gensim Word2Vec/KeyedVectors/Phrases files that admits only what such files reference.

    :meth:`find_class` maps gensim's ``Word2Vec`` and ``KeyedVectors`` (and their older names
    ``Word2VecKeyedVectors``, ``EuclideanKeyedVectors``, the per-word ``Vocab`` record, gensim 3's
    ``Word2VecVocab``/``Word2VecTrainables``), ``Phrases``/``Phraser``/``FrozenPhrases`` and references to its
    two built-in phrase scorers (names only: calling one is refused), ``gensim.utils.call_on_class_only``,
    NumPy's array/dtype/scalar reconstruction helpers, NumPy's random-generator constructors,
    ``collections.defaultdict``/``OrderedDict`` and a few plain builtins (``int``, ``float``, ``str``,
    ``bool``, ``list``, ``tuple``, ``dict``, ``set``, ``frozenset``, ``hash``) to inert stand-ins defined in this
    module: gensim and NumPy's pickle helpers are never imported or called. Python 2 pickles use other names
    for some of these: ``__builtin__.<the same builtins>`` plus ``long``/``unicode``, ``UserString.defaultdict``
    (Python 3.4's name for ``collections.defaultdict``), ``copy_reg._reconstructor`` (admitted only to create a
    gensim stand-in on ``object`` with no state) and ``_codecs.encode`` (how Python 3 writes bytes in protocol 2;
    admitted only as ``encode(str, 'latin1')``, which cannot do anything but turn text into the same bytes).
    Arrays are rebuilt only from plain numeric, string or object dtypes, with data whose size matches their
    shape. Everything else raises :class:`UnsafePickleError` naming the class, before it could run.
    Persistent ids are refused as well. Byte strings of Python 2 pickles are read as latin-1, as gensim does.

    Parameters
    ----------
    file : binary file object
        The pickle stream (anything with ``read`` and ``readline``).
    fix_imports, encoding, errors, buffers : optional, keyword-only
        As for :class:`pickle.Unpickler`.
    """

    def find_class(self, module, name):
        target = _ADMITTED.get((module, name))
        if target is None:
            if module.startswith("gensim."):
                raise UnsafePickleError(
                    f"refusing to unpickle {module}.{name}: cw2v only reads gensim Word2Vec, KeyedVectors and "
                    "Phrases files (no FastText, Doc2Vec, custom scorers, ...)"
                )
            raise UnsafePickleError(
                f"refusing to unpickle {module}.{name}: not a class a gensim Word2Vec/KeyedVectors file needs "
                "(the file may be malicious)"
            )
        return target

    def persistent_load(self, pid):
        raise UnsafePickleError("refusing a pickle with persistent ids")


def restricted_loads(data):
    """Unpickle `data` (bytes) with :class:`RestrictedUnpickler`.

    Returns
    -------
    object
        Built from the stand-ins of this module only (arrays appear as ``_ArrayStub`` with an ``array``).

    Raises
    ------
    UnsafePickleError (a pickle.UnpicklingError)
        A refused class, or a malformed array/dtype state.
    PersistFormatError (a ValueError)
        Any other failure: truncated or invalid pickle data, wrong argument types, ...
    """
    try:
        # latin-1, as gensim itself reads: Python 2 byte strings (array data) come back unchanged
        return RestrictedUnpickler(io.BytesIO(data), encoding="latin1").load()
    except UnsafePickleError:
        raise
    except Exception as err:  # noqa: BLE001 - any failure of the stand-ins means a bad file
        raise PersistFormatError(f"invalid or unsupported pickle data ({type(err).__name__}: {err})") from None


#: A compressed pickle may expand to at most this many times its size (plus _MIN_EXPANSION_BYTES): pickled
#: vectors compress poorly, so genuine files stay far below; a decompression bomb is stopped early.
_MAX_EXPANSION = 100
_MIN_EXPANSION_BYTES = 1 << 26
#: Opener of a compressed pickle by its compression (from the file's first bytes, whatever its name).
_OPENERS = {name: module.open for _, name, module in _fileio.MAGIC}


def _decompress(path, kind):
    """Decompress a whole gensim pickle in chunks, refusing implausible expansion ratios."""
    limit = _MAX_EXPANSION * os.path.getsize(path) + _MIN_EXPANSION_BYTES
    out = bytearray()
    try:
        with _OPENERS[kind](path, "rb") as f:
            while True:
                block = f.read(1 << 24)
                if not block:
                    break
                out += block
                if len(out) > limit:
                    raise PersistFormatError(
                        f"{path}: decompresses to more than {limit} bytes ({_MAX_EXPANSION}x its size); "
                        "not a gensim file (or a decompression bomb)"
                    )
    except (OSError, EOFError, ValueError, lzma.LZMAError) as err:
        if isinstance(err, PersistFormatError):
            raise
        raise PersistFormatError(f"{path}: cannot decompress ({err})") from None
    return bytes(out)


def _load_npz_val(path, where):
    """Load the ``val`` array of a gensim-compressed ``.npz`` file (no pickle; size checked first)."""
    try:
        zf = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise PersistFormatError(f"{where}: array file {path} is missing") from None
    except zipfile.BadZipFile as err:
        raise PersistFormatError(f"{where}: {path} is not a valid .npz file ({err})") from None
    with zf:
        try:
            info = zf.getinfo("val.npy")
        except KeyError:
            raise PersistFormatError(f"{where}: {path} has no 'val' array") from None
        with zf.open(info) as f:
            shape, fortran, dtype = _native.read_npy_header(f, where)
            offset = f.tell()
            nbytes = math.prod(shape) * dtype.itemsize
            if offset + nbytes != info.file_size:
                raise PersistFormatError(f"{where}: {path} declares {shape} {dtype} but holds other data")
            data = f.read(nbytes)
    if len(data) != nbytes:
        raise PersistFormatError(f"{where}: {path} is truncated")
    arr = np.frombuffer(data, dtype=dtype)
    return arr.reshape(shape, order="F" if fortran else "C").copy()


def load_gensim_pickle(path, kind, mmap):
    """Unpickle a gensim file safely and attach its separately stored arrays (gensim's ``_load_specials``).

    Parameters
    ----------
    path : str
    kind : {'pickle', 'gzip', 'bz2', 'xz'}
        What :func:`cw2v._native.file_kind` found.
    mmap : {None, 'r', 'r+', 'c'}
        Memory-map the arrays gensim stored in separate ``.npy`` files.

    Returns
    -------
    object
        A stand-in (``_GensimWord2Vec``, ``_GensimKeyedVectors``, ...: see :func:`class_of`) with its ``state``.

    Raises
    ------
    UnsafePickleError, PersistFormatError, ValueError (`mmap` with a compressed file)
    """
    compressed = os.fspath(path).endswith((".gz", ".bz2"))  # gensim then stores arrays as .npz
    if compressed and mmap:
        raise ValueError(f"cannot memory-map arrays of the compressed file {path}: use mmap=None")
    if kind in _OPENERS:
        data = _decompress(path, kind)
        if not data.startswith(b"\x80"):
            raise PersistFormatError(f"{path}: the decompressed file is not a pickle")
    else:
        with open(path, "rb") as f:  # whole file in memory: a forged length in the pickle cannot over-allocate
            data = f.read()
    try:
        obj = restricted_loads(data)
    except PersistFormatError as err:
        raise PersistFormatError(f"{path}: {err}") from None
    except UnsafePickleError as err:
        raise UnsafePickleError(f"{path}: {err}") from None
    _attach_separate_arrays(obj, path, compressed, mmap, depth=0)
    return obj


def _attach_separate_arrays(obj, prefix, compressed, mmap, depth):
    if not isinstance(obj, _GensimObject) or depth > 4:
        return
    state = obj.state
    if not isinstance(state, dict):
        raise PersistFormatError(f"{prefix}: a gensim object in the pickle has no attributes")
    for key in ("__numpys", "__scipys", "__ignoreds", "__recursive_saveloads"):
        names = state.get(key, [])
        if not isinstance(names, list) or not all(isinstance(n, str) and _native.NAME_RE.match(n) for n in names):
            raise PersistFormatError(f"{prefix}: bad {key} list in the pickle")
    for attr in state.get("__recursive_saveloads", []):
        _attach_separate_arrays(state.get(attr), f"{prefix}.{attr}", compressed, mmap, depth + 1)
    for attr in state.get("__numpys", []):
        if compressed:
            state[attr] = _load_npz_val(f"{prefix}.{attr}.npz", prefix)
        else:
            state[attr] = _native.load_npy(f"{prefix}.{attr}.npy", mmap, prefix)
    if state.get("__scipys"):
        raise PersistFormatError(f"{prefix}: holds scipy.sparse matrices, which Word2Vec files never do")
    for attr in state.get("__ignoreds", []):
        state[attr] = None


# ============================================================================================ gensim < 4 states


def _upgrade_kv_state(st, where):
    """Rename, in place, the attributes of a gensim < 4 KeyedVectors state to gensim 4's names.

    gensim 1.x - 3.x kept the vectors in ``syn0`` (later ``vectors``), the keys in ``index2word`` (or
    ``index2entity``) and a ``vocab`` dict of per-key ``Vocab`` records (``index``, ``count``, ``sample_int``
    and, with hierarchical softmax, ``code`` and ``point``); gensim 4 has ``vectors``, ``index_to_key``,
    ``key_to_index`` and per-key arrays in ``expandos``.
    """
    if "vectors" not in st and "syn0" in st:
        st["vectors"] = st.pop("syn0")
    if "index_to_key" not in st:
        for old in ("index2word", "index2entity"):
            if old in st:
                st["index_to_key"] = st.pop(old)
                break
    vectors = st.get("vectors")
    if isinstance(vectors, _ArrayStub):
        vectors = vectors.array
    if st.get("vector_size") is None and isinstance(vectors, np.ndarray) and vectors.ndim == 2:
        st["vector_size"] = vectors.shape[1]
    if "key_to_index" in st or not isinstance(st.get("vocab"), dict):
        return
    vocab = st.pop("vocab")
    keys = st.get("index_to_key")
    if not isinstance(keys, list):
        raise PersistFormatError(f"{where}: the old KeyedVectors has a vocabulary but no key list")
    n = len(keys)
    key_to_index = {}
    records = [None] * n
    for key, rec in vocab.items():
        rec_state = rec.state if isinstance(rec, _GensimVocab) else None
        index = _plain(rec_state.get("index")) if isinstance(rec_state, dict) else None
        if isinstance(index, bool) or not isinstance(index, Integral) or not 0 <= index < n:
            raise PersistFormatError(f"{where}: vocabulary record of {key!r:.60} has no valid index")
        key_to_index[key] = int(index)
        records[int(index)] = rec_state
    st["key_to_index"] = key_to_index
    expandos = {}
    for attr, dtype in (("count", np.int64), ("sample_int", np.uint32)):
        values = [_plain(r.get(attr)) if r else None for r in records]
        if any(v is not None for v in values):
            if not all(v is None or (isinstance(v, Integral) and 0 <= v < 2 ** 63) for v in values):
                raise PersistFormatError(f"{where}: per-key {attr} values are not non-negative integers")
            # gensim 0.12 wrote 2**32 for "always keep", which gensim 4 reads as 2**32 - 1
            expandos[attr] = np.minimum(np.array([v or 0 for v in values], dtype=np.int64),
                                        np.iinfo(dtype).max).astype(dtype)
    for attr, dtype in (("code", np.uint8), ("point", np.uint32)):
        values = [r.get(attr) if r else None for r in records]
        if all(v is not None for v in values) and n:
            arr = np.empty(n, dtype=object)
            for i, v in enumerate(values):
                v = v.array if isinstance(v, _ArrayStub) else v
                arr[i] = np.asarray(v, dtype=dtype).ravel()
            expandos[attr] = arr
    st["expandos"] = expandos


def _upgrade_model_state(st, where):
    """Bring, in place, a gensim < 4 Word2Vec state to gensim 4's layout (see :func:`_upgrade_kv_state`).

    gensim 3.x moved some parameters into ``vocabulary`` (``Word2VecVocab``) and ``trainables``
    (``Word2VecTrainables``) parts, 1.x - 2.x called the epochs ``iter`` and the lock factors ``syn0_lockf``,
    and files before 1.0 kept the vectors on the model itself rather than in ``wv``.
    """
    for part_name, names in (("vocabulary", ("max_vocab_size", "min_count", "sample", "sorted_vocab", "null_word",
                                             "raw_vocab", "max_final_vocab", "ns_exponent")),
                             ("trainables", ("hashfxn", "layer1_size", "seed", "syn1neg", "syn1", "vectors_lockf"))):
        part = st.pop(part_name, None)
        if isinstance(part, _GensimPart) and isinstance(part.state, dict):
            for name in names:
                if name in part.state and name not in st:
                    st[name] = part.state[name]
    if "epochs" not in st and "iter" in st:
        st["epochs"] = st.pop("iter")
    if "vector_size" not in st:
        for old in ("layer1_size", "size"):
            if isinstance(_plain(st.get(old)), Integral):
                st["vector_size"] = st[old]
                break
    if not isinstance(st.get("wv"), _GensimKeyedVectors) and ("syn0" in st or "vocab" in st):
        wv = _GensimKeyedVectors()  # gensim < 1.0: the vocabulary and vectors were attributes of the model
        wv.state = {name: st.pop(name) for name in ("syn0", "vocab", "index2word") if name in st}
        st["wv"] = wv
    wv = st.get("wv")
    if isinstance(wv, _GensimKeyedVectors) and isinstance(wv.state, dict):
        lockf = st.pop("vectors_lockf", None)
        lockf = st.pop("syn0_lockf", None) if lockf is None else lockf
        if lockf is not None and "vectors_lockf" not in wv.state:
            wv.state["vectors_lockf"] = lockf
        _upgrade_kv_state(wv.state, f"{where} (wv)")
    st.setdefault("corpus_total_words", None)  # not recorded before gensim 3.x: unknown, as gensim says
    st.setdefault("max_final_vocab", None)
    st.setdefault("ns_exponent", 0.75)


def _text(value, where, what):
    """A gensim 3 byte string (UTF-8) as str; str unchanged."""
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            raise PersistFormatError(f"{where}: {what} {value!r:.60} is not UTF-8") from None
    if not isinstance(value, str):
        raise PersistFormatError(f"{where}: {what} is a {type(value).__name__}, not a string")
    return value


def _scoring_name(value, where):
    if value is None or value is _DEFAULT_SCORER or value == "default":
        return "default"
    if value is _NPMI_SCORER or value == "npmi":
        return "npmi"
    raise PersistFormatError(f"{where}: unknown phrase scoring {value!r:.60}")


def is_pickle_file(fname: StrPath) -> bool:
    """Whether `fname` starts like a pickle (possibly gzip/bzip2/xz-compressed): what gensim's ``save`` writes.

    Parameters
    ----------
    fname : str or os.PathLike

    Returns
    -------
    bool

    Raises
    ------
    OSError
        If the file cannot be read.
    """
    path = _native.check_path(fname, "load")
    return _native.kind_of(_native.read_head(path, _native.HEAD_BYTES)) in ("pickle", "gzip", "bz2", "xz")


def gensim_phrases_document(fname: StrPath, cls_name: str | None) -> dict[str, Any]:
    """Read a gensim ``Phrases`` / ``Phraser`` / ``FrozenPhrases`` pickle as a cw2v phrases JSON document.

    The pickle goes through :class:`RestrictedUnpickler` (gensim is never imported); gensim 3's byte strings
    become str (UTF-8), its ``common_terms`` become ``connector_words`` and its ``(word, word)`` phrase keys
    are joined with the delimiter. The result is what ``cw2v.Phrases.save`` / ``cw2v.FrozenPhrases.save``
    write, for their ``load`` to check and build from.

    Parameters
    ----------
    fname : str or os.PathLike
    cls_name : {'Phrases', 'FrozenPhrases'} or None
        The class expected in the file; None accepts either (the document says which the file holds).

    Returns
    -------
    dict
        ``{"format": "cw2v-phrases", "version": 1, "class": "Phrases" or "FrozenPhrases", "params": ...}``.

    Raises
    ------
    ValueError
        The file holds another class (the message says which) or malformed data (PersistFormatError).
    UnsafePickleError (a pickle.UnpicklingError)
        The pickle references anything else, e.g. a custom scoring function.
    """
    path = _native.check_path(fname, "load")
    obj = load_gensim_pickle(path, _native.kind_of(_native.read_head(path, _native.HEAD_BYTES)), None)
    found = {_GensimPhrases: "Phrases", _GensimFrozenPhrases: "FrozenPhrases"}.get(type(obj))
    if found is None:
        raise PersistFormatError(f"{path}: the pickle does not hold a gensim Phrases or FrozenPhrases model")
    if cls_name is not None and found != cls_name:
        raise PersistFormatError(f"{path} holds a gensim {found}, not a {cls_name}; load it with cw2v.{found}.load")
    cls_name = found
    st = obj.state
    delimiter = _text(st.get("delimiter", "_"), path, "delimiter")
    connector_words = st.get("connector_words", st.get("common_terms", ()))
    if not isinstance(connector_words, (set, frozenset, list, tuple)):
        raise PersistFormatError(f"{path}: connector words are a {type(connector_words).__name__}")
    params = {
        "min_count": _plain(st.get("min_count", 5)),
        "threshold": _plain(st.get("threshold", 10.0)),
        "delimiter": delimiter,
        "connector_words": sorted(_text(w, path, "a connector word") for w in connector_words),
        "scoring": _scoring_name(st.get("scoring"), path),
    }
    doc = {"format": "cw2v-phrases", "version": 1, "class": cls_name, "params": params}
    if cls_name == "Phrases":
        params["max_vocab_size"] = _plain(st.get("max_vocab_size", 40000000))
        params["progress_per"] = _plain(st.get("progress_per", 10000))
        vocab = st.get("vocab")
        if not isinstance(vocab, dict):
            raise PersistFormatError(f"{path}: the Phrases model has no vocabulary")
        doc["vocab"] = {_text(k, path, "a vocabulary key"): _plain(v) for k, v in vocab.items()}
        doc["corpus_word_count"] = _plain(st.get("corpus_word_count", 0))
        doc["min_reduce"] = _plain(st.get("min_reduce", 1))
    else:
        grams = st.get("phrasegrams")
        if not isinstance(grams, dict):
            raise PersistFormatError(f"{path}: the FrozenPhrases model has no phrase table")
        table = {}
        for key, value in grams.items():
            if isinstance(key, tuple):  # gensim 3: (word, word) -> (count, score)
                key = delimiter.join(_text(k, path, "a phrase word") for k in key)
            else:
                key = _text(key, path, "a phrase")
            if isinstance(value, tuple) and len(value) == 2:
                value = value[1]
            table[key] = _plain(value)
        doc["phrasegrams"] = table
    return doc


def _array(value, where, name, kinds=None, ndim=None, allow_none=False):
    if isinstance(value, _ArrayStub):
        value = value.array
    if value is None and allow_none:
        return None
    if not isinstance(value, np.ndarray):
        raise PersistFormatError(f"{where}: {name} is not an array ({type(value).__name__})")
    if kinds is not None and value.dtype.kind not in kinds:
        raise PersistFormatError(f"{where}: {name} has dtype {value.dtype}")
    if ndim is not None and value.ndim != ndim:
        raise PersistFormatError(f"{where}: {name} has {value.ndim} dimensions, expected {ndim}")
    return value


def class_of(obj):
    """The cw2v class name of what a gensim pickle held: ``'Word2Vec'``, ``'KeyedVectors'``, ``'Phrases'``,
    ``'FrozenPhrases'``, or None for anything else."""
    return {_GensimWord2Vec: "Word2Vec", _GensimKeyedVectors: "KeyedVectors", _GensimPhrases: "Phrases",
            _GensimFrozenPhrases: "FrozenPhrases"}.get(type(obj))


def _kv_state(obj, where, keep_object_attrs):
    """The KeyedVectors state (as ``KeyedVectors._persistent_state()`` gives it) of a gensim stand-in, checked.

    Per-key attributes holding objects are kept only with `keep_object_attrs` and when they are plain
    numbers or strings (gensim's Huffman ``code``/``point`` arrays are not: the caller makes tables of them).
    """
    st = obj.state
    if not isinstance(st, dict):
        raise PersistFormatError(f"{where}: the KeyedVectors in the pickle has no attributes")
    _upgrade_kv_state(st, where)
    vectors = _array(st.get("vectors"), where, "vectors", kinds="f", ndim=2)
    keys = st.get("index_to_key")
    if not isinstance(keys, list) or not all(_plain_key(k) for k in keys):
        raise PersistFormatError(f"{where}: index_to_key is not a list of keys (str, bytes, numbers or tuples "
                                 "of them)")
    vector_size = st.get("vector_size", vectors.shape[1])
    if vectors.shape != (len(keys), vector_size):
        raise PersistFormatError(f"{where}: vectors have shape {vectors.shape} for {len(keys)} keys of size "
                                 f"{vector_size}")
    key_to_index = st.get("key_to_index")
    if not isinstance(key_to_index, dict):
        raise PersistFormatError(f"{where}: key_to_index is not a dict")
    n = len(keys)
    for k, i in key_to_index.items():
        if isinstance(i, np.integer):
            i = int(i)
        if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < n or keys[i] != k:
            raise PersistFormatError(f"{where}: key_to_index does not match index_to_key (key {k!r:.60})")
    next_index = st.get("next_index", n)
    per_key = {}
    expandos = st.get("expandos", {})
    if not isinstance(expandos, dict):
        raise PersistFormatError(f"{where}: expandos is not a dict")
    for attr, values in expandos.items():
        values = _array(values, where, f"expandos[{attr!r}]", ndim=1)
        if len(values) != n:
            raise PersistFormatError(f"{where}: per-key attribute {attr!r} has {len(values)} values for {n} keys")
        if values.dtype.hasobject:
            plain = all(v is None or isinstance(v, (str, int, float, bool)) for v in values.tolist())
            if not (keep_object_attrs and plain):
                continue  # e.g. gensim's Huffman 'code'/'point' arrays, turned into tables by the caller
        per_key[str(attr)] = values
    lockf = st.get("vectors_lockf")
    if lockf is not None:
        lockf = _array(lockf, where, "vectors_lockf", kinds="fiu").reshape(-1)
        if len(lockf) not in (1, n):
            lockf = None
    mapfile_path = st.get("mapfile_path")
    return {
        "vector_size": int(vector_size),
        "keys": keys,
        "key_to_index": {k: int(i) for k, i in key_to_index.items()},
        "vectors": vectors,
        "next_index": int(next_index) if isinstance(next_index, Integral) and 0 <= next_index <= n else n,
        "mapfile_path": mapfile_path if isinstance(mapfile_path, str) else None,
        "expandos": per_key,
        "vectors_lockf": lockf,
    }


def keyed_vectors_from_pickle(kv_cls, obj, where):
    """A `kv_cls` (cw2v.KeyedVectors) from the stand-in of a gensim KeyedVectors file.

    Raises
    ------
    PersistFormatError
        The pickle does not hold a KeyedVectors, or holds inconsistent attributes.
    """
    if not isinstance(obj, _GensimKeyedVectors):
        raise PersistFormatError(f"{where}: the pickle does not hold a gensim KeyedVectors")
    return kv_cls._from_persistent_state(_kv_state(obj, where, keep_object_attrs=True))



def _plain_key(key, depth=0):
    """Whether `key` (from a pickle) is a plain hashable token: str, bytes, a number, None, or a tuple of them."""
    if key is None or isinstance(key, (str, bytes, int, float, np.integer, np.floating)):
        return True
    return isinstance(key, tuple) and depth < 8 and all(_plain_key(k, depth + 1) for k in key)



#: gensim Word2Vec attributes that are cw2v constructor parameters of the same meaning.
_GENSIM_PARAMS = ("vector_size", "alpha", "window", "min_count", "max_vocab_size", "sample", "seed", "workers",
                  "min_alpha", "sg", "hs", "negative", "ns_exponent", "cbow_mean", "epochs", "null_word",
                  "sorted_vocab", "batch_words", "compute_loss", "comment", "max_final_vocab", "shrink_windows")



def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    return value



def _gensim_huffman(st_wv, n):
    """gensim's per-word Huffman codes/points as (codes, points, code_lens) arrays, or None."""
    expandos = st_wv.get("expandos", {})
    code, point = expandos.get("code"), expandos.get("point")
    if isinstance(code, _ArrayStub):
        code = code.array
    if isinstance(point, _ArrayStub):
        point = point.array
    if not isinstance(code, np.ndarray) or not isinstance(point, np.ndarray) or len(code) != n or len(point) != n:
        return None
    try:
        code = [np.asarray(c.array if isinstance(c, _ArrayStub) else c, dtype=np.int64).ravel() for c in code]
        point = [np.asarray(p.array if isinstance(p, _ArrayStub) else p, dtype=np.int64).ravel() for p in point]
    except (TypeError, ValueError):
        return None
    lens = np.array([len(c) for c in code], dtype=np.int32)
    if any(len(p) != len(c) for c, p in zip(code, point)):
        return None
    width = max(1, int(lens.max()) if n else 1)
    codes = np.zeros((n, width), dtype=np.uint8)
    points = np.zeros((n, width), dtype=np.int32)
    for i, (c, p) in enumerate(zip(code, point)):
        if len(c) and (c.min() < 0 or c.max() > 1 or p.min() < 0 or p.max() > max(n - 2, 0)):
            return None
        codes[i, :len(c)] = c
        points[i, :len(p)] = p
    return codes, points, lens


def model_from_pickle(cls, obj, where):
    """A `cls` (cw2v.Word2Vec) from the stand-in of a gensim Word2Vec file (or a live model's copied state).

    The model is created from gensim's parameters, then ``_restore_state`` gives it gensim's vectors, output
    weights, counts and training state, with vocabulary tables computed from the counts (gensim's Huffman
    tree kept, so that ``syn1`` rows keep their meaning) and gensim's cumulative noise table recomputed.

    Raises
    ------
    PersistFormatError
        The pickle does not hold a Word2Vec, holds inconsistent attributes, or parameters cw2v refuses.
    """
    if not isinstance(obj, _GensimWord2Vec):
        raise PersistFormatError(f"{where}: the pickle does not hold a gensim Word2Vec model")
    st = obj.state
    if not isinstance(st, dict):
        raise PersistFormatError(f"{where}: the Word2Vec in the pickle has no attributes")
    _upgrade_model_state(st, where)
    wv_obj = st.get("wv")
    if not isinstance(wv_obj, _GensimKeyedVectors):
        raise PersistFormatError(f"{where}: the model has no KeyedVectors 'wv'")
    params = {}
    for name in _GENSIM_PARAMS:
        if name in st:
            value = _plain(st[name])
            if value is not None or name in ("max_vocab_size", "max_final_vocab", "comment"):
                params[name] = value
    if "vector_size" not in params and "layer1_size" in st:
        params["vector_size"] = _plain(st["layer1_size"])
    accepted = cls._saved_params()
    try:
        model = cls(**{k: v for k, v in params.items() if k in accepted})
    except (TypeError, ValueError) as err:
        raise PersistFormatError(f"{where}: the gensim model has parameters cw2v does not accept: {err}") from None
    wv = _kv_state(wv_obj, f"{where} (wv)", keep_object_attrs=False)
    if wv["vectors"].dtype != np.float32:
        wv["vectors"] = wv["vectors"].astype(np.float32)
    n = len(wv["keys"])
    arrays = {}
    for name, needed in (("syn1neg", model.negative), ("syn1", model.hs)):
        arr = _array(st.get(name), where, name, kinds="f", ndim=2, allow_none=True)
        if needed:
            if arr is None or arr.shape != (n, model.vector_size):
                raise PersistFormatError(f"{where}: {name} has shape {getattr(arr, 'shape', None)}, "
                                         f"expected {(n, model.vector_size)}")
            if arr.dtype != np.float32:
                arr = arr.astype(np.float32)
            arrays[name] = arr
    attributes = {}
    for name in ("corpus_count", "corpus_total_words", "train_count", "effective_min_count"):
        value = _plain(st.get(name))
        if isinstance(value, Integral) and not isinstance(value, bool) and value >= 0:
            attributes[name] = int(value)
    if st.get("corpus_total_words", 0) is None:  # files of gensim < 3 do not know it, nor does gensim
        attributes["corpus_total_words"] = None
    for name in ("running_training_loss", "total_train_time"):
        value = _plain(st.get(name))
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            attributes[name] = float(value)
    state = {"attributes": attributes, "arrays": arrays, "wv": wv, "tables": None}
    raw_vocab = st.get("raw_vocab")
    if isinstance(raw_vocab, dict):
        state["raw_vocab"] = {k: int(_plain(v)) for k, v in raw_vocab.items()
                              if _plain_key(k) and isinstance(_plain(v), Integral)}
    if "count" not in wv["expandos"]:
        raise PersistFormatError(f"{where}: the vocabulary has no 'count' attribute")
    counts = wv["expandos"]["count"] = np.asarray(wv["expandos"]["count"], dtype=np.int64)
    if n:
        tables = _vocab.build_tables(counts, model.sample, model.ns_exponent, model.negative, model.hs)
        if model.hs:
            huffman = _gensim_huffman(wv_obj.state, n)
            if huffman is not None:
                tables.codes, tables.points, tables.code_lens = huffman
            else:
                logger.warning("%s: gensim's Huffman codes are missing or invalid; syn1 is kept with cw2v's tree",
                               where)
        state["tables"] = {field: getattr(tables, field) for field in tables.__dataclass_fields__}
        arrays["cum_table"] = _vocab.cum_table(counts, model.ns_exponent) if model.negative \
            else np.zeros(0, dtype=np.uint32)
    model._restore_state(state, where)
    logger.info("imported gensim model %s from %s", model, where)
    return model


# ============================================================================================ live gensim objects


def _import_gensim():
    """gensim's ``Word2Vec`` and ``KeyedVectors`` (as ``.Word2Vec`` / ``.KeyedVectors`` of two namespaces),
    gensim's own even while :func:`cw2v.patch_gensim` is active; ImportError naming ``pip install gensim``
    without gensim."""
    try:
        from gensim.models import keyedvectors as gensim_kv, word2vec as gensim_w2v
    except ImportError as err:
        raise ImportError(f"converting to or from gensim objects needs gensim: pip install gensim ({err})") from err
    return (types.SimpleNamespace(Word2Vec=_gensim_originals.original(gensim_w2v, "Word2Vec")),
            types.SimpleNamespace(KeyedVectors=_gensim_originals.original(gensim_kv, "KeyedVectors")))


def _copied_state(obj):
    """The attribute dict of a live object, arrays (also inside dicts) copied to plain in-memory arrays."""
    def copy(value):
        if isinstance(value, np.ndarray):
            return np.array(value)  # also turns a memmap into an in-memory array
        if isinstance(value, dict):
            return {k: copy(v) for k, v in value.items()}
        return value
    return {name: copy(value) for name, value in vars(obj).items()}


def keyed_vectors_to_gensim(kv: KeyedVectors) -> Any:
    """A gensim 4 ``KeyedVectors`` holding a copy of `kv` (keys, vectors, per-key attributes, lock factors).

    Parameters
    ----------
    kv : cw2v.KeyedVectors
        Not modified (its ``_persistent_state()`` is read); nothing is shared with the result.

    Returns
    -------
    gensim.models.keyedvectors.KeyedVectors

    Raises
    ------
    ImportError
        gensim is not installed.
    """
    _, gensim_kv = _import_gensim()
    return _gensim_keyed_vectors(gensim_kv, kv._persistent_state())


def _gensim_keyed_vectors(gensim_kv, state):
    vectors = np.array(state["vectors"])
    out = gensim_kv.KeyedVectors(int(state["vector_size"]), count=0, dtype=vectors.dtype)
    out.vectors = vectors
    out.index_to_key = list(state["keys"])
    out.key_to_index = dict(state["key_to_index"])
    out.next_index = int(state["next_index"])
    out.expandos = {name: np.array(values) for name, values in state["expandos"].items()}
    out.norms = None
    out.mapfile_path = state["mapfile_path"]
    lockf = state["vectors_lockf"]
    if isinstance(lockf, np.ndarray):
        out.vectors_lockf = np.array(lockf, dtype=np.float32)
    return out


def keyed_vectors_from_gensim(kv_cls: type[_KV], gensim_kv: Any) -> _KV:
    """A `kv_cls` (cw2v.KeyedVectors) holding a copy of a gensim 4 ``KeyedVectors``.

    Parameters
    ----------
    kv_cls : type
        :class:`cw2v.KeyedVectors` or a subclass of it: the class of the result.
    gensim_kv : gensim.models.keyedvectors.KeyedVectors
        Not modified; nothing is shared with the result.

    Returns
    -------
    KeyedVectors
        An instance of `kv_cls`.

    Raises
    ------
    ImportError
        gensim is not installed.
    TypeError
        `gensim_kv` is not a gensim KeyedVectors.
    PersistFormatError (a ValueError)
        Its attributes are inconsistent (e.g. vectors and keys of different lengths).
    """
    _, gensim_kv_module = _import_gensim()
    if not isinstance(gensim_kv, gensim_kv_module.KeyedVectors):
        raise TypeError(f"from_gensim needs a gensim KeyedVectors, got {type(gensim_kv).__name__}")
    stand_in = _GensimKeyedVectors()
    stand_in.state = _copied_state(gensim_kv)
    return keyed_vectors_from_pickle(kv_cls, stand_in, "gensim KeyedVectors")


def word2vec_to_gensim(model: Word2Vec) -> Any:
    """A gensim 4 ``Word2Vec`` with a copy of `model`'s parameters, vocabulary, weights and training state.

    The result trains in gensim from where `model` stopped: vectors, ``syn1neg``/``syn1``, counts, gensim's
    ``sample_int`` subsampling thresholds (from the same formula), cw2v's Huffman codes and points (so that
    ``syn1`` rows keep their meaning), ``cum_table``, lock factors, ``corpus_count``/``corpus_total_words``,
    epochs done and the learning-rate settings. Callbacks and ``trim_rule`` are not carried over.

    Parameters
    ----------
    model : cw2v.Word2Vec
        Not modified (its ``_persistent_state()`` is read, and its ``hashfxn``); nothing is shared with the
        result.

    Returns
    -------
    gensim.models.word2vec.Word2Vec

    Raises
    ------
    ImportError
        gensim is not installed.
    """
    gensim_w2v, gensim_kv = _import_gensim()
    state = model._persistent_state()
    settings, attributes = state["params"], state["attributes"]
    seed = settings["seed"]
    seed = seed if isinstance(seed, int) and seed >= 0 else int(attributes["random_seed"])
    accepted = inspect.signature(gensim_w2v.Word2Vec.__init__).parameters
    params = {name: settings[name] for name in _GENSIM_PARAMS
              if name != "seed" and name in settings and name in accepted}
    out = gensim_w2v.Word2Vec(seed=seed, hashfxn=getattr(model, "hashfxn", hash), **params)
    wv = _gensim_keyed_vectors(gensim_kv, state["wv"])
    n = len(wv.index_to_key)
    counts = np.asarray(wv.expandos.get("count", np.ones(n, dtype=np.int64)), dtype=np.int64)
    wv.expandos["count"] = counts
    keep = _vocab.keep_probabilities(counts, settings["sample"]) if n else np.zeros(0)
    wv.expandos["sample_int"] = (np.minimum(keep, 1.0) * (2 ** 32 - 1)).astype(np.uint32)
    hs, negative = settings["hs"], settings["negative"]
    tables = state["tables"]
    if hs and n:
        if tables is None or len(tables["code_lens"]) != n:
            built = _vocab.build_tables(counts, settings["sample"], settings["ns_exponent"], negative, hs)
            tables = {field: getattr(built, field) for field in built.__dataclass_fields__}
        codes = np.empty(n, dtype=object)
        points = np.empty(n, dtype=object)
        for i in range(n):
            length = int(tables["code_lens"][i])
            codes[i] = np.array(tables["codes"][i, :length], dtype=np.uint8)
            points[i] = np.array(tables["points"][i, :length], dtype=np.uint32)
        wv.expandos["code"], wv.expandos["point"] = codes, points
    if not isinstance(getattr(wv, "vectors_lockf", None), np.ndarray):
        wv.vectors_lockf = np.ones(1, dtype=np.float32)
    out.wv = wv
    out.layer1_size = int(settings["vector_size"])
    if negative:
        out.syn1neg = np.array(attributes["syn1neg"], dtype=np.float32)
    if hs:
        out.syn1 = np.array(attributes["syn1"], dtype=np.float32)
    if negative:
        out.make_cum_table()
    for name in ("corpus_count", "corpus_total_words", "effective_min_count", "train_count", "total_train_time",
                 "running_training_loss", "min_alpha_yet_reached"):
        if name in attributes:
            setattr(out, name, attributes[name])
    out.raw_vocab = dict(attributes.get("raw_vocab", {}) or {})
    return out


def word2vec_from_gensim(cls: type[_Model], gensim_model: Any) -> _Model:
    """A `cls` (cw2v.Word2Vec) with a copy of a live gensim 4 ``Word2Vec``; it keeps training in cw2v.

    `cls` is :class:`cw2v.Word2Vec` or a subclass of it: the class of the result.

    Parameters
    ----------
    gensim_model : gensim.models.word2vec.Word2Vec
        Not modified; nothing is shared with the result.

    Returns
    -------
    Word2Vec
        An instance of `cls`, ready to query and to keep training.

    Raises
    ------
    ImportError
        gensim is not installed.
    TypeError
        `gensim_model` is not a gensim Word2Vec.
    PersistFormatError (a ValueError)
        Its attributes are inconsistent, or hold parameters cw2v does not accept.
    """
    gensim_w2v, gensim_kv = _import_gensim()
    if not isinstance(gensim_model, gensim_w2v.Word2Vec):
        raise TypeError(f"from_gensim needs a gensim Word2Vec, got {type(gensim_model).__name__}")
    if not isinstance(getattr(gensim_model, "wv", None), gensim_kv.KeyedVectors):
        raise PersistFormatError("the gensim model has no KeyedVectors 'wv'")
    stand_in = _GensimWord2Vec()
    state = stand_in.state = _copied_state(gensim_model)
    wv = _GensimKeyedVectors()
    wv.state = _copied_state(gensim_model.wv)
    state["wv"] = wv
    return model_from_pickle(cls, stand_in, "gensim Word2Vec")


def write_gensim(converted, path):
    """Write a gensim object (``to_gensim()``'s result) to `path` as one gensim 4 pickle, atomically.

    Every array is inside the pickle (no ``.npy`` files beside it), so the file is renamed into place in one
    step; a native save of cw2v 0.1's layout that it replaces has its ``.npy`` files removed afterwards.

    Raises
    ------
    OSError
        If writing fails; the previous file at `path`, if any, is left intact.
    """
    old_files = _native.previous_array_files(path)
    # a file object makes gensim pickle the whole object into it, arrays included
    # (under cw2v.patch_gensim(), gensim's SaveLoad.save pickles with gensim's names in place: see cw2v.patch)
    _fileio.atomic_write(path, lambda f: converted.save(f, pickle_protocol=4))
    _native.remove_array_files(os.path.dirname(os.path.abspath(path)), old_files)
