"""Saving and loading ``KeyedVectors`` and ``Word2Vec`` without pickle, and reading and writing gensim files.

Native format (one file)
------------------------
``save(fname)`` writes one file, a valid `safetensors <https://github.com/huggingface/safetensors>`_ file laid
out for memory-mapping::

    bytes 0..8          N, the header length (little-endian uint64)
    bytes 8..8+N        JSON header (ASCII), space-padded so that 8 + N is a multiple of 64:
                        {"__metadata__": {"format": "cw2v", "version": "2", "cw2v_version": "..."},
                         "<array name>": {"dtype": "F32", "shape": [n, d], "data_offsets": [begin, end]}, ...}
    bytes 8+N..         the arrays, C order, little-endian, each at an offset that is a multiple of 64 bytes
                        (``__cw2v_pad_<k>`` entries name the zero bytes in between, so the data has no holes),
                        then ``__cw2v_manifest__``: the manifest below as UTF-8 JSON in a uint8 array

The header always starts with ``{"__metadata__":{"format":"cw2v"`` at byte 8, which is how the file is
recognised. ``load(fname)`` reads each array at its offset (``readinto`` a fresh array), or with ``mmap``
maps it in place (``np.memmap`` of the file at that offset: rows of a float32 matrix are 64-byte aligned); the
header is checked first (every array must fit inside the file, with the size its dtype and shape say), so a
corrupted or forged file cannot make the reader allocate or read beyond it. The ``safetensors`` package can
read the arrays (``safetensors.numpy.load_file``); cw2v itself needs nothing beyond NumPy. Dtypes are the
safetensors ones (bool, u/int 8-64, float 16-64).

A save writes a temporary file in the destination's folder, fsyncs it and renames it over `fname` (atomic),
then fsyncs the folder: an interrupted save leaves the previous file as it was; the file's permission bits
are kept. A file memory-mapped by a running program stays valid (the rename gives `fname` a new file).

The manifest is a JSON object::

    {"format": "cw2v", "version": 2, "class": "KeyedVectors" | "Word2Vec", "cw2v_version": "0.1.0",
     "kv": {...}                      (KeyedVectors files; "wv" in Word2Vec files)
     "params": {...}, "attributes": {...}, "tuples": [...], "arrays": {...}, "tables": {...},
     "raw_vocab": [[key, count], ...]   (Word2Vec only)}

* a KeyedVectors section holds ``vector_size``, ``next_index``, ``mapfile_path``, ``keys`` (the list
  ``index_to_key``: strings, integers or null; NumPy integers are stored as integers and load as ``int``),
  ``key_to_index`` (only when it is not the inverse of ``keys``), ``vectors`` (an array reference),
  ``vectors_lockf`` and ``expandos`` (per-key attributes: an array reference, or ``{"values": [...]}`` for
  object or string arrays of JSON scalars);
* an array reference is ``{"tensor": "<name in the header>", "dtype": "<f4", "shape": [n, d]}``;
* ``params`` are the ``Word2Vec`` constructor parameters; ``attributes`` the rest of the model's plain state
  (``corpus_count``, ``corpus_total_words``, ``effective_min_count``, ``_epochs_done``,
  ``running_training_loss``, ``train_count``, ``total_train_time``, ...; names listed in ``tuples`` were
  tuples); ``arrays`` the model's arrays (``syn1neg``, ``syn1``, ``cum_table``); ``tables`` the arrays of the
  vocabulary tables the kernels read (:class:`cw2v.vocab.VocabTables`), recomputed from the counts if absent or
  inconsistent. Callables (``hashfxn``, ``callbacks``, ``trim_rule``) are not stored: a loaded model has the
  constructor's defaults for them.

Keys must be str or int (JSON keeps both apart, so ``"7"`` and ``7`` stay two keys); any other key (a tuple,
a float, bytes, ...) makes ``save`` raise ValueError naming it: ``save(fname, format="gensim")`` stores any
picklable key.

Everything training needs is stored, so a loaded model continues training exactly where it stopped: with
``workers=1`` and a fixed ``seed``, ``train(2 epochs)``, save, load, ``train(1 epoch)`` gives the same vectors
as the three epochs without the save.

Files of cw2v 0.1 (manifest version 1: a JSON manifest at ``fname`` and one ``fname.<token>.<name>.npy`` per
array beside it, referenced as ``{"file": ..., "dtype": ..., "shape": ...}``) still load, memory-mappable too;
saving over one removes its ``.npy`` files once the new file is in place.

gensim files
------------
:func:`load_keyed_vectors` and :func:`load_word2vec_model` also read files written by gensim's
``KeyedVectors.save`` and ``Word2Vec.save``, from gensim 0.12 to 4.x (a pickle, possibly compressed as
``.gz``/``.bz2``, plus ``fname.<attribute>.npy`` (or ``.npz`` when compressed) files for large arrays), and
:func:`gensim_phrases_document` gensim 3.x/4.x ``Phrases``/``Phraser``/``FrozenPhrases`` pickles (for
``cw2v.Phrases.load``). The file kind is decided by its first bytes. Pickles go through
:class:`RestrictedUnpickler`, which admits only the classes such files reference and maps each one to an inert
stand-in defined here; gensim itself is never imported. Anything else is refused with :class:`UnsafePickleError`
(an ``pickle.UnpicklingError``) naming the class, before any of the file's code runs. The stand-ins are then
converted to cw2v objects: older layouts are brought to gensim 4's first (``syn0`` -> ``vectors``,
``index2word`` -> ``index_to_key``, per-word ``Vocab`` records -> ``key_to_index`` and per-key arrays, the
3.x ``vocabulary``/``trainables`` parts, ``iter`` -> ``epochs``); an imported ``Word2Vec`` gets its vocabulary
tables rebuilt (keeping gensim's Huffman codes) and keeps training in cw2v.

With gensim installed, :func:`word2vec_to_gensim` / :func:`word2vec_from_gensim` and
:func:`keyed_vectors_to_gensim` / :func:`keyed_vectors_from_gensim` (``to_gensim()`` / ``from_gensim()`` on the
classes) convert live objects, copying every array, and :func:`save_gensim` (``save(fname, format="gensim")``)
writes the converted object as one gensim pickle, atomically, which gensim 4.4.0's ``load`` reads.

Code layout
-----------
This module is the public face of saving and loading: it tells the file kinds apart and hands each to its
format, :mod:`cw2v._native` (the native layouts) or :mod:`cw2v._gensim_io` (gensim pickles and live gensim
objects), which write and read the state the classes give (``KeyedVectors._persistent_state()``,
``Word2Vec._persistent_state()``) and give it back to them (``KeyedVectors._from_persistent_state``,
``Word2Vec._restore_state``); files are written through :mod:`cw2v._fileio`. No module here imports the model
classes: they import this one, and register themselves (:func:`register_class`) so that a file naming its
class can be loaded into it.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from cw2v import _gensim_io, _native
from cw2v._gensim_io import (  # noqa: F401 - re-exported: the public names, and what tests of the formats use
    RestrictedUnpickler,
    UnsafePickleError,
    gensim_phrases_document,
    is_pickle_file,
    keyed_vectors_from_gensim,
    keyed_vectors_to_gensim,
    restricted_loads,
    word2vec_from_gensim,
    word2vec_to_gensim,
)
from cw2v._native import (  # noqa: F401
    FORMAT_NAME,
    FORMAT_VERSION,
    PersistFormatError,
    WrongClassError,
    _save_keyed_vectors_manifest,
    _save_word2vec_model_manifest,
    file_kind,
    save_keyed_vectors,
    save_word2vec_model,
)
from cw2v._typing import MmapMode, StrPath

if TYPE_CHECKING:
    from cw2v.keyedvectors import KeyedVectors
    from cw2v.word2vec import Word2Vec

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "PersistFormatError",
    "UnsafePickleError",
    "RestrictedUnpickler",
    "save_keyed_vectors",
    "load_keyed_vectors",
    "save_word2vec_model",
    "load_word2vec_model",
    "file_kind",
    "WrongClassError",
    "ClassOnlyMethod",
    "is_pickle_file",
    "gensim_phrases_document",
    "keyed_vectors_to_gensim",
    "keyed_vectors_from_gensim",
    "word2vec_to_gensim",
    "word2vec_from_gensim",
    "save_gensim",
    "register_class",
    "default_save_format",
    "set_default_save_format",
]

logger = logging.getLogger(__name__)

#: The class each file's ``"class"`` names (``'KeyedVectors'``, ``'Word2Vec'``), as the classes registered.
_CLASSES: dict[str, type] = {}


def register_class(name: str, cls: type) -> None:
    """Make `cls` the class a file holding a `name` is loaded into when the caller gives no class.

    ``cw2v.keyedvectors`` registers ``KeyedVectors`` and ``cw2v.word2vec`` registers ``Word2Vec`` when they are
    imported (``import cw2v`` imports both). ``KeyedVectors.load`` of a full-model file needs the model class,
    which ``cw2v.keyedvectors`` cannot import (``cw2v.word2vec`` imports it).

    Parameters
    ----------
    name : {'KeyedVectors', 'Word2Vec'}
    cls : type
    """
    _CLASSES[name] = cls


def _registered(name):
    try:
        return _CLASSES[name]
    except KeyError:  # pragma: no cover - importing any cw2v module imports cw2v, which registers both
        raise RuntimeError(f"no class is registered for {name} files: import cw2v first") from None


def _model_instead_of_vectors(path, mmap, obj=None):
    """``KeyedVectors.load`` of a full-model file: the model, as gensim returns it (with a warning)."""
    model_cls = _registered("Word2Vec")
    logger.warning("%s holds a full Word2Vec model: KeyedVectors.load returns the model, as gensim does; use "
                   "Word2Vec.load(fname).wv for its vectors", path)
    if obj is not None:
        return _gensim_io.model_from_pickle(model_cls, obj, path)
    return load_word2vec_model(path, mmap=mmap, cls=model_cls)


def load_keyed_vectors(fname: StrPath, mmap: MmapMode = None, cls: type | None = None) -> KeyedVectors | Word2Vec:
    """Load vectors saved by :func:`save_keyed_vectors` or by gensim's ``KeyedVectors.save``.

    Parameters
    ----------
    fname : str or os.PathLike
    mmap : {None, 'r', 'r+', 'c'}, optional
        Memory-map the arrays instead of reading them (``'r'``: read-only ``np.memmap`` views of the file at
        each array's offset; ``'c'``: copy-on-write). Default None reads them into memory. For gensim files,
        only arrays gensim stored in separate ``.npy`` files can be mapped.
    cls : type, optional
        Class to instantiate (default :class:`cw2v.KeyedVectors`).

    Returns
    -------
    KeyedVectors or Word2Vec
        A file holding a full model gives the :class:`cw2v.Word2Vec` model (as gensim's ``KeyedVectors.load``
        does), with a logged warning.

    Raises
    ------
    TypeError
        `fname` is not a path.
    PersistFormatError (a ValueError)
        Malformed or inconsistent file, missing array file, unsupported version.
    UnsafePickleError (a pickle.UnpicklingError)
        A pickle referencing anything beyond what a gensim KeyedVectors file needs.
    ValueError
        Bad `mmap` mode, or `mmap` with a compressed gensim file.
    OSError
        If a file cannot be read.
    """
    if cls is None:
        cls = _registered("KeyedVectors")
    _native.check_mmap(mmap)
    path = _native.check_path(fname, "load")
    kind = _native.file_kind(path)
    if kind == "native":
        manifest, source = _native.read_manifest(path)
        if manifest.get("class") == "Word2Vec":
            return _model_instead_of_vectors(path, mmap)
        return _native.keyed_vectors_from_manifest(cls, manifest, source, mmap, path)
    obj = _gensim_io.load_gensim_pickle(path, kind, mmap)
    if _gensim_io.class_of(obj) == "Word2Vec":
        return _model_instead_of_vectors(path, mmap, obj)
    return _gensim_io.keyed_vectors_from_pickle(cls, obj, path)


def load_word2vec_model(fname: StrPath, mmap: MmapMode = None, cls: type | None = None) -> Word2Vec:
    """Load a model saved by :func:`save_word2vec_model` or by gensim's ``Word2Vec.save`` (1.x to 4.x).

    Parameters
    ----------
    fname : str or os.PathLike
    mmap : {None, 'r', 'r+', 'c'}, optional
        Memory-map the arrays (``'r'``: read-only ``np.memmap``, enough for queries but not for training;
        ``'c'``: copy-on-write, trainable). Default None reads them into memory. For gensim files, only
        arrays gensim stored in separate ``.npy`` files can be mapped.
    cls : type, optional
        Class to instantiate (default :class:`cw2v.Word2Vec`).

    Returns
    -------
    Word2Vec
        Ready to query and to keep training (``train``, ``build_vocab(update=True)``).

    Raises
    ------
    WrongClassError (an AttributeError and a TypeError)
        The file holds only ``KeyedVectors``.
    TypeError
        `fname` is not a path.
    PersistFormatError (a ValueError)
        Malformed or inconsistent file, missing array file, unsupported version, or gensim parameters that
        cw2v does not accept.
    UnsafePickleError (a pickle.UnpicklingError)
        A pickle referencing anything beyond what a gensim Word2Vec file needs.
    ValueError
        Bad `mmap` mode, or `mmap` with a compressed gensim file.
    OSError
        If a file cannot be read.
    """
    if cls is None:
        cls = _registered("Word2Vec")
    _native.check_mmap(mmap)
    path = _native.check_path(fname, "load")
    kind = _native.file_kind(path)
    if kind != "native":
        obj = _gensim_io.load_gensim_pickle(path, kind, mmap)
        if _gensim_io.class_of(obj) == "KeyedVectors":
            raise _native.wrong_class(path, "KeyedVectors", "Word2Vec")
        return _gensim_io.model_from_pickle(cls, obj, path)
    manifest, source = _native.read_manifest(path)
    return _native.word2vec_from_manifest(cls, manifest, source, mmap, path)


_SAVE_FORMATS = ("cw2v", "gensim")
_default_save_format: Literal["cw2v", "gensim"] = "cw2v"


def default_save_format() -> Literal["cw2v", "gensim"]:
    """The format ``save(path)`` writes when no ``format`` is given: ``'cw2v'``, or ``'gensim'`` while
    :func:`cw2v.patch_gensim` is active (so files written by patched gensim code load in plain gensim)."""
    return _default_save_format


def set_default_save_format(fmt: Literal["cw2v", "gensim"]) -> Literal["cw2v", "gensim"]:
    """Set what :func:`default_save_format` returns; returns the previous value.

    Parameters
    ----------
    fmt : {'cw2v', 'gensim'}
        The format ``save(path)`` writes from now on when no ``format`` is given.

    Returns
    -------
    {'cw2v', 'gensim'}
        The previous default.

    Raises
    ------
    ValueError
        `fmt` is not ``'cw2v'`` or ``'gensim'``.
    """
    global _default_save_format
    if fmt not in _SAVE_FORMATS:
        raise ValueError(f"format must be 'cw2v' or 'gensim', got {fmt!r}")
    previous, _default_save_format = _default_save_format, fmt
    return previous


def save_gensim(obj: KeyedVectors | Word2Vec, fname: StrPath) -> None:
    """Write `obj` (cw2v KeyedVectors or Word2Vec) as a gensim 4 file, atomically, in one pickle file.

    ``gensim.models.Word2Vec.load`` / ``KeyedVectors.load`` (and cw2v's ``load``) read it. Every array is inside
    the pickle (no ``.npy`` files beside it), so the file can be renamed into place in one step.

    Parameters
    ----------
    obj : cw2v.KeyedVectors or cw2v.Word2Vec
        Converted with its ``to_gensim()``; not modified.
    fname : str or os.PathLike

    Raises
    ------
    TypeError
        `fname` is a file object.
    ImportError
        gensim is not installed.
    OSError
        If writing fails; the previous file at `fname`, if any, is left intact.
    """
    path = _native.check_path(fname, "save")
    _gensim_io.write_gensim(obj.to_gensim(), path)
    logger.info("saved %s to %s in gensim's format", obj, path)


class ClassOnlyMethod(classmethod):
    """A classmethod that refuses to run on an instance: ``instance.method(...)`` raises AttributeError.

    gensim's ``Word2Vec.load`` behaves so (``model.load(fname)`` would otherwise silently return another
    model, leaving ``model`` unchanged).
    """

    def __init__(self, f: Callable[..., Any]) -> None:
        super().__init__(f)

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return super().__get__(instance, owner)
        name = getattr(self.__func__, "__name__", "method")

        def refuse(*args, **kwargs):
            raise AttributeError(f"{name}() must be called on the class ({type(instance).__name__}.{name}(fname)), "
                                 f"not on an instance: it returns a new object and leaves the instance unchanged")
        return refuse
