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
"""
from __future__ import annotations

import bz2
import contextlib
import gzip
import inspect
import io
import json
import logging
import lzma
import math
import os
import pickle
import re
import secrets
import stat
import sys
import tokenize
import zipfile
from numbers import Integral

import numpy as np

from cw2v._version import __version__

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
]

logger = logging.getLogger(__name__)

#: Value of the manifest's ``"format"`` field.
FORMAT_NAME = "cw2v"
#: Version of the manifest this module writes (1: cw2v 0.1's manifest-and-.npy layout, still read).
FORMAT_VERSION = 2

#: ``mmap`` modes accepted by the loaders (``'w+'`` would truncate the arrays and is refused).
_MMAP_MODES = (None, "r", "r+", "c")
#: Longest .npy header accepted (NumPy's own default limit).
_MAX_NPY_HEADER = 10000
#: Constructor parameters of Word2Vec that hold code or corpus objects and are never stored.
_UNSTORED_PARAMS = frozenset({"self", "sentences", "corpus_file", "hashfxn", "callbacks", "trim_rule"})
#: Word2Vec attributes handled separately (never stored as plain attributes).
_SPECIAL_ATTRS = frozenset({"wv", "_tables", "hashfxn", "callbacks", "trim_rule", "_pending_vocab"})
_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_TOKEN_RE = re.compile(r"[0-9a-f]{12}\Z")


class PersistFormatError(ValueError):
    """A native cw2v file (or a gensim file) is malformed, inconsistent or of an unsupported version."""


class UnsafePickleError(pickle.UnpicklingError):
    """A pickle references a class or function outside the small set gensim Word2Vec/KeyedVectors files need.

    Raised by :meth:`RestrictedUnpickler.find_class` before the referenced object could be called.
    """


# ============================================================================================ file kinds


def _check_mmap(mmap):
    if mmap not in _MMAP_MODES:
        raise ValueError(f"mmap must be one of {_MMAP_MODES}, got {mmap!r}")


def _check_path(fname, what):
    if hasattr(fname, "read") or hasattr(fname, "write"):
        raise TypeError(f"{what} needs a file name (str or os.PathLike), not a file object: the native format "
                        "is several files")
    try:
        return os.fspath(fname)
    except TypeError:
        raise TypeError(f"{what} needs a file name (str or os.PathLike), got {type(fname).__name__}") from None


def _read_head(path, n=8):
    with open(path, "rb") as f:
        return f.read(n)


def file_kind(fname):
    """Tell what a file saved by ``save()`` holds, from its first bytes.

    Parameters
    ----------
    fname : str or os.PathLike

    Returns
    -------
    {'native', 'pickle', 'gzip', 'bz2', 'xz'}
        ``'native'`` for a cw2v save (one file, or the JSON manifest of cw2v 0.1's manifest-and-.npy layout),
        ``'pickle'`` for an uncompressed pickle (gensim), or the
        compression of a compressed file (gensim's ``.gz``/``.bz2`` saves; the content is checked on loading).

    Raises
    ------
    PersistFormatError
        If the file is none of these (e.g. a word2vec text file: use ``load_word2vec_format``).
    OSError
        If the file cannot be read.
    """
    path = _check_path(fname, "file_kind")
    head = _read_head(path, 8 + len(_SIGNATURE))
    kind = _kind_of(head)
    if kind is None:
        raise PersistFormatError(
            f"{path}: not a file saved by cw2v or gensim (starts with {head[:8]!r}); word2vec C files are read "
            "with KeyedVectors.load_word2vec_format"
        )
    return kind


def _kind_of(head):
    if _is_one_file(head):  # checked first: the 8-byte length before the signature may start with any byte
        return "native"
    stripped = head.lstrip(b" \t\r\n")
    if stripped.startswith(b"\xef\xbb\xbf"):
        stripped = stripped[3:].lstrip(b" \t\r\n")
    if stripped.startswith(b"{"):
        return "native"
    if head.startswith(b"\x80"):
        return "pickle"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"BZh"):
        return "bz2"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    return None


# ============================================================================================ .npy files


def _read_npy_header(f, where):
    """Read the magic and header of an open .npy stream; return (shape, fortran_order, dtype)."""
    try:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(f, max_header_size=_MAX_NPY_HEADER)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(f, max_header_size=_MAX_NPY_HEADER)
        else:
            raise ValueError(f"unsupported .npy format version {version}")
    except (ValueError, EOFError, SyntaxError, TypeError, tokenize.TokenError) as err:
        # numpy parses the header with Python's tokenizer: a corrupted header can fail inside it
        raise PersistFormatError(f"{where}: not a valid .npy file ({err})") from None
    if dtype.hasobject:
        raise PersistFormatError(f"{where}: holds Python objects (dtype {dtype}); only plain arrays are read")
    return shape, fortran, dtype


def _load_npy(path, mmap, where):
    """Load one .npy file after checking that its size matches its header (no pickle, no huge allocation)."""
    try:
        with open(path, "rb") as f:
            shape, _, dtype = _read_npy_header(f, where)
            offset = f.tell()
            size = os.fstat(f.fileno()).st_size
    except FileNotFoundError:
        raise PersistFormatError(f"{where}: array file {path} is missing") from None
    nbytes = math.prod(shape) * dtype.itemsize
    if offset + nbytes != size:
        raise PersistFormatError(
            f"{where}: {path} declares {shape} {dtype} ({nbytes} bytes of data) but holds {size - offset}"
        )
    try:
        return np.load(path, mmap_mode=mmap, allow_pickle=False)
    except ValueError as err:
        raise PersistFormatError(f"{where}: cannot read {path}: {err}") from None


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
            shape, fortran, dtype = _read_npy_header(f, where)
            offset = f.tell()
            nbytes = math.prod(shape) * dtype.itemsize
            if offset + nbytes != info.file_size:
                raise PersistFormatError(f"{where}: {path} declares {shape} {dtype} but holds other data")
            data = f.read(nbytes)
    if len(data) != nbytes:
        raise PersistFormatError(f"{where}: {path} is truncated")
    arr = np.frombuffer(data, dtype=dtype)
    return arr.reshape(shape, order="F" if fortran else "C").copy()


# ============================================================================================ writing


class _SaveTransaction:
    """Arrays written under fresh unique names next to `path`, then the manifest switched atomically."""

    def __init__(self, path):
        self.path = os.path.abspath(path)
        if os.path.isdir(self.path):
            raise IsADirectoryError(f"cannot save to {path}: it is a directory")
        self.folder, self.base = os.path.split(self.path)
        self.token = secrets.token_hex(6)
        self.files = []       # basenames written by this save
        self.names = set()
        self.committed = False  # set once the new manifest is in place: its arrays must then be kept

    def add_array(self, name, arr):
        """Write `arr` to ``<base>.<token>.<name>.npy``; return its manifest reference."""
        if not isinstance(arr, np.ndarray):
            arr = np.asarray(arr)
        if arr.dtype.hasobject:
            raise TypeError(f"array {name!r} holds Python objects (dtype object) and cannot be saved without pickle")
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", name)[:80] or "array"
        candidate, k = safe, 1
        while candidate in self.names:
            k += 1
            candidate = f"{safe}-{k}"
        self.names.add(candidate)
        basename = f"{self.base}.{self.token}.{candidate}.npy"
        full = os.path.join(self.folder, basename)
        fd = os.open(full, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
        self.files.append(basename)
        with os.fdopen(fd, "wb") as f:
            np.lib.format.write_array(f, np.ascontiguousarray(arr), allow_pickle=False)
            f.flush()
            os.fsync(f.fileno())
        return {"file": basename, "dtype": arr.dtype.str, "shape": list(arr.shape)}

    def commit(self, manifest):
        """Write the manifest atomically over the destination, then delete the previous save's arrays."""
        old_files = _previous_array_files(self.path)
        data = json.dumps(manifest, ensure_ascii=True, allow_nan=True, separators=(",", ":")).encode("ascii")
        tmp = None
        for _ in range(100):
            tmp = os.path.join(self.folder, f".{self.base}.{secrets.token_hex(6)}.tmp")
            try:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
                break
            except FileExistsError:
                continue
        else:  # pragma: no cover - 100 collisions of 48 random bits
            raise FileExistsError(f"could not create a temporary file in {self.folder}")
        try:
            with os.fdopen(fd, "wb") as f:
                if os.path.exists(self.path):
                    with contextlib.suppress(OSError):
                        os.chmod(tmp, stat.S_IMODE(os.stat(self.path).st_mode))
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
            self.committed = True
            tmp = None
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
        _fsync_dir(self.folder)
        for basename in old_files:
            if basename not in self.files:
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(self.folder, basename))

    def abort(self):
        if self.committed:  # interrupted while cleaning up: the new save is complete, keep it
            return
        for basename in self.files:
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(self.folder, basename))
        self.files = []


def _fsync_dir(folder):
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _previous_array_files(path):
    """Array files referenced by the native manifest currently at `path` (empty if none or unreadable)."""
    try:
        if _kind_of(_read_head(path)) != "native":
            return []
        with open(path, "rb") as f:
            manifest = json.loads(f.read().decode("utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return []
    base = os.path.basename(path)
    found = []

    def walk(node):
        if isinstance(node, dict):
            name = node.get("file")
            if isinstance(name, str) and _is_own_array_file(name, base):
                found.append(name)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(manifest)
    return found


def _is_own_array_file(name, base):
    """Whether `name` looks like an array file of a native save at `base` (``<base>.<token>.<x>.npy``)."""
    if os.path.basename(name) != name or not name.startswith(base + ".") or not name.endswith(".npy"):
        return False
    rest = name[len(base) + 1:]
    return bool(_TOKEN_RE.match(rest[:12])) and rest[12:13] == "."


# ============================================================================================ one-file container

#: Every array of a one-file save starts at a multiple of this many bytes from the start of the file.
_ALIGN = 64
#: safetensors dtype names and the (little-endian) NumPy dtypes they stand for.
_ST_DTYPES = {"BOOL": "|b1", "U8": "|u1", "I8": "|i1", "U16": "<u2", "I16": "<i2", "F16": "<f2", "U32": "<u4",
              "I32": "<i4", "F32": "<f4", "U64": "<u8", "I64": "<i8", "F64": "<f8"}
_ST_NAMES = {np.dtype(v): k for k, v in _ST_DTYPES.items()}
#: Name of the uint8 array holding the manifest (UTF-8 JSON) in a one-file save.
_MANIFEST_ENTRY = "__cw2v_manifest__"
#: Names of the zero-filled uint8 arrays that pad the next array to an aligned offset.
_PAD_PREFIX = "__cw2v_pad_"
#: First bytes of the JSON header of every one-file save (right after its 8-byte length).
_SIGNATURE = b'{"__metadata__":{"format":"cw2v"'
#: Longest JSON header accepted when reading (a header lists arrays only, so real ones are a few KiB).
_MAX_HEADER = 1 << 24


def _st_dtype(arr, name):
    """The safetensors name of `arr`'s dtype (byte order aside); raise ValueError for other dtypes."""
    dtype = arr.dtype
    if dtype.byteorder == ">":
        dtype = dtype.newbyteorder("<")
    elif dtype.byteorder == "=":
        dtype = dtype.newbyteorder("<") if dtype.itemsize > 1 else dtype
    st = _ST_NAMES.get(np.dtype(dtype.str.replace("=", "<")))
    if st is None:
        raise ValueError(f"array {name!r} has dtype {arr.dtype}, which the native format cannot store (it stores "
                         f"{', '.join(sorted(set(_ST_NAMES.keys()), key=str))}); use format='gensim'")
    return st


class _ArraySink:
    """Collects the arrays of a one-file save; :meth:`add_array` returns the manifest's reference to one."""

    def __init__(self):
        self.arrays = {}  # name -> (safetensors dtype, array)

    def add_array(self, name, arr):
        if not isinstance(arr, np.ndarray):
            arr = np.asarray(arr)
        if arr.dtype.hasobject:
            raise ValueError(f"array {name!r} holds Python objects (dtype object) and cannot be saved without "
                             "pickle; use format='gensim'")
        st = _st_dtype(arr, name)
        candidate, k = name, 1
        while candidate in self.arrays or candidate.startswith(("__cw2v", "__metadata__")):
            k += 1
            candidate = f"{name}-{k}"
        self.arrays[candidate] = (st, arr)
        return {"tensor": candidate, "dtype": np.dtype(_ST_DTYPES[st]).str, "shape": list(arr.shape)}


def _atomic_write(path, write):
    """Call ``write(f)`` on a new temporary file beside `path`, fsync it and rename it over `path`.

    The temporary file is removed if anything fails (including KeyboardInterrupt), so `path` keeps its
    previous content; the permission bits of a replaced file are kept. Returns nothing.
    """
    folder, base = os.path.split(os.path.abspath(path))
    if os.path.isdir(path):
        raise IsADirectoryError(f"cannot save to {path}: it is a directory")
    for _ in range(100):
        tmp = os.path.join(folder, f".{base}.{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
            break
        except FileExistsError:
            continue
    else:  # pragma: no cover - 100 collisions of 48 random bits
        raise FileExistsError(f"could not create a temporary file in {folder}")
    try:
        with os.fdopen(fd, "wb") as f:
            if os.path.exists(path):
                with contextlib.suppress(OSError):
                    os.chmod(tmp, stat.S_IMODE(os.stat(path).st_mode))
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        tmp = None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    _fsync_dir(folder)


def _write_one_file(path, manifest, sink):
    """Write `manifest` and the arrays of `sink` as one aligned safetensors-layout file, atomically.

    Layout: an 8-byte little-endian header length N, a JSON header of N bytes (space-padded so that the data
    starts at a multiple of 64), then the data: every array C-ordered and little-endian at an offset that is a
    multiple of 64, zero padding in between (described in the header as ``__cw2v_pad_<k>`` uint8 arrays, so
    that the file is a valid safetensors file), the manifest last as the uint8 array ``__cw2v_manifest__``.
    A previous native save at `path` in the manifest-and-.npy layout has its array files deleted afterwards.
    """
    old_files = _previous_array_files(path)
    manifest_bytes = json.dumps(manifest, ensure_ascii=True, allow_nan=True, separators=(",", ":")).encode("ascii")
    entries = list(sink.arrays.items()) + [(_MANIFEST_ENTRY, ("U8", np.frombuffer(manifest_bytes, np.uint8)))]
    header = {"__metadata__": {"format": FORMAT_NAME, "version": str(FORMAT_VERSION), "cw2v_version": __version__}}
    plan = []  # (padding bytes before, array)
    offset = 0
    for name, (st, arr) in entries:
        pad = -offset % _ALIGN
        if pad:
            header[f"{_PAD_PREFIX}{len(plan)}"] = {"dtype": "U8", "shape": [pad], "data_offsets": [offset, offset + pad]}
            offset += pad
        nbytes = arr.size * arr.dtype.itemsize
        header[name] = {"dtype": st, "shape": list(arr.shape), "data_offsets": [offset, offset + nbytes]}
        offset += nbytes
        plan.append((pad, arr))
    head = json.dumps(header, ensure_ascii=True, separators=(",", ":")).encode("ascii")
    head += b" " * (-(8 + len(head)) % _ALIGN)
    little = np.dtype("<u8")

    def write(f):
        f.write(np.array([len(head)], dtype=little).tobytes())
        f.write(head)
        for pad, arr in plan:
            if pad:
                f.write(b"\0" * pad)
            if arr.size == 0:
                continue
            if arr.dtype.byteorder == ">" or (arr.dtype.byteorder == "=" and sys.byteorder == "big"):
                arr = arr.astype(arr.dtype.newbyteorder("<"))
            arr = np.ascontiguousarray(arr)
            f.write(memoryview(arr.reshape(-1)).cast("B"))

    _atomic_write(path, write)
    for basename in old_files:
        with contextlib.suppress(OSError):
            os.unlink(os.path.join(os.path.dirname(os.path.abspath(path)), basename))


def _is_one_file(head):
    """Whether the first bytes `head` (at least 8 + len(_SIGNATURE)) start a cw2v one-file save."""
    return len(head) >= 8 + len(_SIGNATURE) and head[8:8 + len(_SIGNATURE)] == _SIGNATURE


class _OneFile:
    """Reader of a one-file save: parses and checks the header; :meth:`load` reads or maps one array by name."""

    def __init__(self, path):
        self.path = path
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            raw = f.read(8)
            if len(raw) < 8:
                raise PersistFormatError(f"{path}: truncated file")
            n = int(np.frombuffer(raw, dtype="<u8")[0])
            if not 2 <= n <= min(_MAX_HEADER, size - 8):
                raise PersistFormatError(f"{path}: header length {n} does not fit the file ({size} bytes)")
            head = f.read(n)
        try:
            header = json.loads(head.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as err:
            raise PersistFormatError(f"{path}: the header is not valid JSON ({err})") from None
        if not isinstance(header, dict) or not isinstance(header.get("__metadata__"), dict) \
                or header["__metadata__"].get("format") != FORMAT_NAME:
            raise PersistFormatError(f"{path}: not a cw2v native file")
        version = header["__metadata__"].get("version")
        if not isinstance(version, str) or not version.isdigit():
            raise PersistFormatError(f"{path}: bad format version {version!r:.40}")
        if int(version) > FORMAT_VERSION:
            raise PersistFormatError(f"{path}: format version {version} is newer than this cw2v reads "
                                     f"({FORMAT_VERSION}); upgrade cw2v")
        self.data_start = 8 + n
        data_len = size - self.data_start
        self.entries = {}
        for name, info in header.items():
            if name == "__metadata__":
                continue
            try:
                dtype = np.dtype(_ST_DTYPES[info["dtype"]])
                shape = tuple(info["shape"])
                begin, end = info["data_offsets"]
                if not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in shape + (begin, end)):
                    raise ValueError
            except (KeyError, TypeError, ValueError):
                raise PersistFormatError(f"{path}: bad header entry for {name!r:.60}") from None
            if len(shape) > 32 or end < begin or end > data_len or end - begin != math.prod(shape) * dtype.itemsize:
                raise PersistFormatError(f"{path}: array {name!r:.60} ({shape} {dtype}) does not fit its place in "
                                         f"the file ({begin}..{end} of {data_len} bytes of data)")
            self.entries[name] = (dtype, shape, begin)

    def read_manifest(self):
        if _MANIFEST_ENTRY not in self.entries:
            raise PersistFormatError(f"{self.path}: no manifest in the file")
        data = self._read(_MANIFEST_ENTRY, None)
        try:
            manifest = json.loads(data.tobytes().decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as err:
            raise PersistFormatError(f"{self.path}: the manifest is not valid JSON ({err})") from None
        return _check_manifest(manifest, self.path, FORMAT_VERSION)

    def _read(self, name, mmap):
        dtype, shape, begin = self.entries[name]
        count = math.prod(shape)
        if mmap is not None and count:
            return np.memmap(self.path, dtype=dtype, mode=mmap, offset=self.data_start + begin, shape=shape)
        out = np.empty(shape, dtype=dtype)
        if count:
            with open(self.path, "rb") as f:
                f.seek(self.data_start + begin)
                got = f.readinto(memoryview(out.reshape(-1)).cast("B"))
            if got != out.nbytes:
                raise PersistFormatError(f"{self.path}: truncated while reading {name!r}")
        return out

    def load(self, ref, mmap, where):
        name = ref.get("tensor")
        if not isinstance(name, str) or name not in self.entries or name == _MANIFEST_ENTRY:
            raise PersistFormatError(f"{where}: the manifest refers to an array {name!r:.60} the file does not hold")
        return self._read(name, mmap), name


class _Folder:
    """Reader of the arrays of a manifest-and-.npy save (cw2v 0.1): one ``.npy`` file per array in `folder`."""

    def __init__(self, folder):
        self.folder = folder

    def load(self, ref, mmap, where):
        name = ref.get("file")
        if not isinstance(name, str):
            raise PersistFormatError(f"{where}: bad array reference {ref!r:.80}")
        if not name or os.path.basename(name) != name or name in (".", "..") or "\x00" in name:
            raise PersistFormatError(f"{where}: array file name {name!r} is not a plain file name")
        return _load_npy(os.path.join(self.folder, name), mmap, where), name


# ============================================================================================ JSON values


class _NotJSON(Exception):
    pass


def _json_value(value, depth=0):
    """`value` as plain JSON data (numpy scalars become Python numbers, tuples lists); raise _NotJSON."""
    if depth > 20:
        raise _NotJSON
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, Integral):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, (list, tuple)):
        return [_json_value(v, depth + 1) for v in value]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise _NotJSON
            out[k] = _json_value(v, depth + 1)
        return out
    raise _NotJSON


def _json_key(key):
    """`key` as a JSON value that loads back equal and of the same type: str, int (NumPy ints become int), None."""
    if key is None:
        return None
    if isinstance(key, str):
        return str(key)  # np.str_ and other str subclasses load back as str
    if isinstance(key, Integral) and not isinstance(key, (bool, np.bool_)):
        return int(key)
    raise ValueError(f"key {key!r:.80} of type {type(key).__name__} cannot be stored in cw2v's native format, "
                     "which keeps str and int keys only; save with format='gensim' (a pickle) instead")


# ============================================================================================ KeyedVectors


def _kv_section(kv, tx, prefix):
    """The manifest section of `kv`; its arrays go to ``tx.add_array`` (an _ArraySink or a _SaveTransaction)."""
    n = len(kv.index_to_key)
    vectors = kv.vectors
    if not isinstance(vectors, np.ndarray) or vectors.ndim != 2 or vectors.shape != (n, kv.vector_size):
        raise ValueError(f"vectors has shape {getattr(vectors, 'shape', None)} but there are {n} keys of "
                         f"size {kv.vector_size}")
    keys = [_json_key(k) for k in kv.index_to_key]
    section = {
        "vector_size": int(kv.vector_size),
        "next_index": int(getattr(kv, "next_index", n)),
        "mapfile_path": kv.mapfile_path if isinstance(getattr(kv, "mapfile_path", None), str) else None,
        "keys": keys,
    }
    canonical = len(kv.key_to_index) == sum(k is not None for k in kv.index_to_key) and all(
        kv.key_to_index.get(k) == i for i, k in enumerate(kv.index_to_key) if k is not None
    )
    if not canonical:
        section["key_to_index"] = [[_json_key(k), int(i)] for k, i in kv.key_to_index.items()]
    section["vectors"] = tx.add_array(prefix + "vectors", vectors)
    expandos = {}
    for attr, values in kv.expandos.items():
        if not isinstance(attr, str):
            raise TypeError(f"per-key attribute name {attr!r} is not a str")
        values = np.asarray(values)
        if values.dtype.hasobject or values.dtype.kind == "U":
            try:
                expandos[attr] = {"values": [_json_value(v) for v in values.tolist()], "shape": list(values.shape)}
            except _NotJSON:
                raise TypeError(
                    f"per-key attribute {attr!r} holds values that are neither numbers nor strings; they cannot "
                    "be stored without pickle (use format='gensim')"
                ) from None
            if values.dtype.kind == "U":
                expandos[attr]["dtype"] = values.dtype.str
        else:
            expandos[attr] = {"array": tx.add_array(f"{prefix}expando.{attr}", values)}
    section["expandos"] = expandos
    lockf = getattr(kv, "vectors_lockf", None)
    if isinstance(lockf, np.ndarray) and lockf.ndim == 1 and len(lockf) in (1, n) and lockf.dtype.kind == "f":
        section["vectors_lockf"] = tx.add_array(prefix + "vectors_lockf", lockf)
    return section


def _manifest_head(cls_name, tx):
    head = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "class": cls_name, "cw2v_version": __version__}
    if isinstance(tx, _SaveTransaction):
        head["version"] = 1
        head["token"] = tx.token
    return head


def save_keyed_vectors(kv, fname):
    """Save a :class:`cw2v.KeyedVectors` in the native one-file format (see the module docstring).

    Parameters
    ----------
    kv : cw2v.KeyedVectors
        Not modified.
    fname : str or os.PathLike
        Destination; written through a temporary file in the same folder, fsynced and renamed into place.

    Raises
    ------
    TypeError
        `fname` is a file object, or a per-key attribute holds objects that are not JSON numbers or strings.
    ValueError
        A key is neither str nor int (the message names it and suggests ``format='gensim'``), an array has
        a dtype the format does not store, or ``vectors`` does not have shape ``(len(index_to_key),
        vector_size)``.
    OSError
        If writing fails; the previous file at `fname`, if any, is left intact.
    """
    path = _check_path(fname, "save")
    sink = _ArraySink()
    manifest = _manifest_head("KeyedVectors", sink)
    manifest["kv"] = _kv_section(kv, sink, "")
    _write_one_file(path, manifest, sink)
    logger.info("saved %s to %s (%d arrays)", kv, path, len(sink.arrays))


def _save_keyed_vectors_manifest(kv, fname):
    """Save `kv` in the manifest-and-.npy layout of cw2v 0.1 (still read by :func:`load_keyed_vectors`)."""
    path = _check_path(fname, "save")
    tx = _SaveTransaction(path)
    try:
        manifest = _manifest_head("KeyedVectors", tx)
        manifest["kv"] = _kv_section(kv, tx, "")
        tx.commit(manifest)
    except BaseException:
        tx.abort()
        raise
    logger.info("saved %s to %s (%d arrays)", kv, path, len(tx.files))


def _manifest_array(ref, source, mmap, where, kinds=None, ndim=None):
    """The array a manifest reference names, read (or memory-mapped) from `source` (_OneFile or _Folder)."""
    if not isinstance(ref, dict):
        raise PersistFormatError(f"{where}: bad array reference {ref!r:.80}")
    arr, name = source.load(ref, mmap, where)
    shape = ref.get("shape")
    if shape is not None and (not isinstance(shape, list) or list(arr.shape) != shape):
        raise PersistFormatError(f"{where}: {name} has shape {arr.shape}, the manifest says {shape!r:.60}")
    if kinds is not None and arr.dtype.kind not in kinds:
        raise PersistFormatError(f"{where}: {name} has dtype {arr.dtype}, expected kind {kinds!r}")
    if ndim is not None and arr.ndim != ndim:
        raise PersistFormatError(f"{where}: {name} has {arr.ndim} dimensions, expected {ndim}")
    return arr


def _kv_from_section(kv_cls, section, source, mmap, where):
    if not isinstance(section, dict):
        raise PersistFormatError(f"{where}: missing KeyedVectors section")
    keys = section.get("keys")
    vector_size = section.get("vector_size")
    if not isinstance(keys, list) or not all(k is None or isinstance(k, (str, int)) for k in keys):
        raise PersistFormatError(f"{where}: 'keys' must be a list of strings or integers")
    if isinstance(vector_size, bool) or not isinstance(vector_size, int) or vector_size < 0:
        raise PersistFormatError(f"{where}: bad vector_size {vector_size!r}")
    vectors = _manifest_array(section.get("vectors"), source, mmap, f"{where} (vectors)", kinds="f", ndim=2)
    if vectors.shape != (len(keys), vector_size):
        raise PersistFormatError(f"{where}: vectors have shape {vectors.shape} for {len(keys)} keys of size "
                                 f"{vector_size}")
    kv = kv_cls(vector_size, 0, dtype=vectors.dtype)
    kv.vectors = vectors
    kv.index_to_key = keys
    pairs = section.get("key_to_index")
    if pairs is None:
        kv.key_to_index = {k: i for i, k in enumerate(keys) if k is not None}
        if len(kv.key_to_index) != sum(k is not None for k in keys):
            kv.key_to_index = {}
            for i, k in enumerate(keys):
                if k is not None:
                    kv.key_to_index.setdefault(k, i)
    else:
        kv.key_to_index = {}
        try:
            for k, i in pairs:
                if not isinstance(k, (str, int)) or isinstance(i, bool) or not isinstance(i, int) \
                        or not 0 <= i < len(keys):
                    raise ValueError
                kv.key_to_index[k] = i
        except (TypeError, ValueError):
            raise PersistFormatError(f"{where}: bad key_to_index") from None
    next_index = section.get("next_index", len(keys))
    kv.next_index = next_index if isinstance(next_index, int) and 0 <= next_index <= len(keys) else len(keys)
    mapfile_path = section.get("mapfile_path")
    kv.mapfile_path = mapfile_path if isinstance(mapfile_path, str) else None
    expandos = section.get("expandos", {})
    if not isinstance(expandos, dict):
        raise PersistFormatError(f"{where}: bad expandos")
    kv.expandos = {}
    for attr, entry in expandos.items():
        if not isinstance(entry, dict):
            raise PersistFormatError(f"{where}: bad per-key attribute {attr!r}")
        if "array" in entry:
            values = _manifest_array(entry["array"], source, None, f"{where} (attribute {attr!r})")
        elif isinstance(entry.get("values"), list):
            values = np.empty(len(entry["values"]), dtype=object)
            for i, v in enumerate(entry["values"]):
                values[i] = v
            if isinstance(entry.get("dtype"), str) and re.fullmatch(r"[<>|=]?U\d{1,7}", entry["dtype"]):
                try:
                    values = values.astype(entry["dtype"])
                except (TypeError, ValueError):
                    raise PersistFormatError(f"{where}: per-key attribute {attr!r} is not made of strings") from None
        else:
            raise PersistFormatError(f"{where}: bad per-key attribute {attr!r}")
        if values.ndim != 1 or len(values) != len(keys):
            raise PersistFormatError(f"{where}: per-key attribute {attr!r} has shape {values.shape} for "
                                     f"{len(keys)} keys")
        kv.expandos[attr] = values
    if section.get("vectors_lockf") is not None:
        lockf = _manifest_array(section["vectors_lockf"], source, None, f"{where} (vectors_lockf)", kinds="f",
                                ndim=1)
        if len(lockf) not in (1, len(keys)):
            raise PersistFormatError(f"{where}: vectors_lockf has shape {lockf.shape} for {len(keys)} keys")
        kv.vectors_lockf = np.array(lockf, dtype=np.float32)
    kv.norms = None
    return kv


def _read_manifest(path, where):
    """The manifest of a save of either layout, checked, and the source of its arrays (_OneFile or _Folder)."""
    if _is_one_file(_read_head(path, 8 + len(_SIGNATURE))):
        source = _OneFile(path)
        return source.read_manifest(), source
    with open(path, "rb") as f:
        data = f.read()
    try:
        manifest = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as err:
        raise PersistFormatError(f"{where}: the manifest is not valid JSON ({err})") from None
    # the manifest-and-.npy layout is version 1 only
    return _check_manifest(manifest, where, 1), _Folder(os.path.dirname(os.path.abspath(path)))


def _check_manifest(manifest, where, newest):
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise PersistFormatError(f"{where}: not a cw2v native file (no \"format\": \"{FORMAT_NAME}\")")
    version = manifest.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise PersistFormatError(f"{where}: bad format version {version!r}")
    if version > newest:
        raise PersistFormatError(f"{where}: format version {version} is newer than this cw2v reads "
                                 f"({newest}); upgrade cw2v")
    if manifest.get("class") not in ("KeyedVectors", "Word2Vec"):
        raise PersistFormatError(f"{where}: unknown class {manifest.get('class')!r:.60} in the manifest")
    return manifest


class WrongClassError(AttributeError, TypeError):
    """``Word2Vec.load`` was given a file holding only KeyedVectors.

    An AttributeError, as gensim raises in that case, and a TypeError, as cw2v 0.1 raised.
    """


def _wrong_class(path, found, wanted):
    hint = ""
    if found == "KeyedVectors" and wanted == "Word2Vec":
        hint = "; load it with KeyedVectors.load(fname) (a full model is needed to train)"
    return WrongClassError(f"{path} holds a {found}, not a {wanted}; it can't be loaded by {wanted}.load{hint}")


def _model_instead_of_vectors(path, mmap, obj=None):
    """``KeyedVectors.load`` of a full-model file: the model, as gensim returns it (with a warning)."""
    from cw2v.word2vec import Word2Vec
    logger.warning("%s holds a full Word2Vec model: KeyedVectors.load returns the model, as gensim does; use "
                   "Word2Vec.load(fname).wv for its vectors", path)
    if obj is not None:
        return _model_from_gensim(Word2Vec, obj, path)
    return load_word2vec_model(path, mmap=mmap, cls=Word2Vec)


def load_keyed_vectors(fname, mmap=None, cls=None):
    """Load vectors saved by :func:`save_keyed_vectors` or by gensim 4's ``KeyedVectors.save``.

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
        from cw2v.keyedvectors import KeyedVectors as cls
    _check_mmap(mmap)
    path = _check_path(fname, "load")
    kind = file_kind(path)
    if kind == "native":
        manifest, source = _read_manifest(path, path)
        if manifest.get("class") == "Word2Vec":
            return _model_instead_of_vectors(path, mmap)
        return _kv_from_section(cls, manifest.get("kv"), source, mmap, path)
    obj = _load_gensim_pickle(path, kind, mmap)
    if isinstance(obj, _GensimWord2Vec):
        return _model_instead_of_vectors(path, mmap, obj)
    if not isinstance(obj, _GensimKeyedVectors):
        raise PersistFormatError(f"{path}: the pickle does not hold a gensim KeyedVectors")
    return _kv_from_gensim(cls, obj, path, keep_object_attrs=True)


# ============================================================================================ Word2Vec


def _constructor_params(cls):
    try:
        sig = inspect.signature(cls.__init__)
    except (TypeError, ValueError):  # pragma: no cover
        return []
    return [name for name, p in sig.parameters.items()
            if name not in _UNSTORED_PARAMS and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]


def save_word2vec_model(model, fname):
    """Save a full :class:`cw2v.Word2Vec` model in the native one-file format; it resumes training after loading.

    Parameters
    ----------
    model : cw2v.Word2Vec
        Not modified.
    fname : str or os.PathLike
        Destination; written through a temporary file in the same folder, fsynced and renamed into place.

    Raises
    ------
    TypeError
        `fname` is a file object.
    ValueError
        A vocabulary key (or a ``raw_vocab`` key) is neither str nor int: the message names it and suggests
        ``format='gensim'``.
    OSError
        If writing fails; the previous file at `fname`, if any, is left intact.

    Notes
    -----
    Plain attributes (numbers, strings, lists and dicts of them) and arrays are stored; callables and other
    objects (``hashfxn``, ``callbacks``, ``trim_rule``, locks, generators) are skipped and come back with the
    constructor's defaults.
    """
    path = _check_path(fname, "save")
    sink = _ArraySink()
    manifest = _model_manifest(model, sink)
    _write_one_file(path, manifest, sink)
    logger.info("saved %s to %s (%d arrays)", model, path, len(sink.arrays))


def _save_word2vec_model_manifest(model, fname):
    """Save `model` in the manifest-and-.npy layout of cw2v 0.1 (still read by :func:`load_word2vec_model`)."""
    path = _check_path(fname, "save")
    tx = _SaveTransaction(path)
    try:
        tx.commit(_model_manifest(model, tx))
    except BaseException:
        tx.abort()
        raise
    logger.info("saved %s to %s (%d arrays)", model, path, len(tx.files))


def _model_manifest(model, tx):
    """The manifest of a Word2Vec `model`; arrays go to ``tx.add_array``."""
    one_file = isinstance(tx, _ArraySink)
    manifest = _manifest_head("Word2Vec", tx)
    params = {}
    for name in _constructor_params(type(model)):
        if hasattr(model, name):
            try:
                params[name] = _json_value(getattr(model, name))
            except _NotJSON:
                logger.debug("parameter %s of type %s not stored", name, type(getattr(model, name)).__name__)
    attributes, tuples, arrays, skipped = {}, [], {}, []
    for name, value in vars(model).items():
        if name in params or name in _SPECIAL_ATTRS or not _NAME_RE.match(name):
            continue
        if one_file and name == "raw_vocab" and isinstance(value, dict):
            # as [key, count] pairs: the keys may be ints as well as strings
            manifest["raw_vocab"] = [[_json_key(k), _json_value(c)] for k, c in value.items()]
            continue
        if isinstance(value, np.ndarray):
            if value.dtype.hasobject or (one_file and _storable_dtype(value) is None):
                skipped.append(name)
                continue
            arrays[name] = tx.add_array(name, value)
            continue
        try:
            attributes[name] = _json_value(value)
        except _NotJSON:
            skipped.append(name)
            continue
        if isinstance(value, tuple):
            tuples.append(name)
    if skipped:
        logger.debug("attributes not stored (not plain data): %s", ", ".join(skipped))
    manifest["params"] = params
    manifest["attributes"] = attributes
    manifest["tuples"] = tuples
    manifest["arrays"] = arrays
    tables = getattr(model, "_tables", None)
    if tables is not None and hasattr(tables, "__dataclass_fields__"):
        manifest["tables"] = {field: tx.add_array(f"tables.{field}", getattr(tables, field))
                              for field in tables.__dataclass_fields__}
    else:
        manifest["tables"] = None
    manifest["wv"] = _kv_section(model.wv, tx, "wv.")
    return manifest


def _storable_dtype(arr):
    try:
        return _st_dtype(arr, "")
    except ValueError:
        return None


def _settable(cls, name):
    """Whether a stored attribute `name` may be set on an instance of `cls` (never shadow methods/properties)."""
    if not _NAME_RE.match(name) or name.startswith("__") or name in _SPECIAL_ATTRS:
        return False
    class_attr = inspect.getattr_static(cls, name, None)
    return not (callable(class_attr) or isinstance(class_attr, (property, staticmethod, classmethod)))


def _same_kind(value, default):
    """Whether a stored JSON `value` may replace an attribute whose constructor default is `default`."""
    if default is None or isinstance(default, np.ndarray):
        return True
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, Integral):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if isinstance(default, str):
        return isinstance(value, str) or value is None
    if isinstance(default, dict):
        return isinstance(value, dict)
    if isinstance(default, (list, tuple)):
        return isinstance(value, list)
    return True


def _tables_from_arrays(model, arrays, where):
    """VocabTables from stored arrays if they match the current class and vocabulary, else None."""
    from cw2v import vocab as _vocab
    fields = list(getattr(_vocab.VocabTables, "__dataclass_fields__", {}))
    if not isinstance(arrays, dict) or sorted(arrays) != sorted(fields):
        return None
    n = len(model.wv)
    try:
        tables = _vocab.VocabTables(**arrays)
    except TypeError:
        return None
    if tables.keep_threshold.shape != (n,):
        return None
    if model.negative and tables.alias_threshold.shape != (n,):
        return None
    if model.hs and (tables.codes.shape[0] != n or tables.points.shape != tables.codes.shape
                     or tables.code_lens.shape != (n,)):
        return None
    # the kernels index weights with these arrays: dtypes must be the ones build_tables makes, values in range
    reference = _vocab.build_tables(np.array([2, 1], dtype=np.int64), model.sample, model.ns_exponent,
                                    model.negative, model.hs)
    for field in fields:
        got, want = getattr(tables, field), getattr(reference, field)
        if not isinstance(got, np.ndarray) or got.dtype != want.dtype or got.ndim != want.ndim:
            return None
    if model.negative and n and int(tables.alias_index.max()) >= n:
        raise PersistFormatError(f"{where}: the noise table is inconsistent with the vocabulary")
    if model.hs and n and (tables.points.min() < 0 or tables.points.max() > max(n - 2, 0)
                           or tables.code_lens.min() < 0 or tables.code_lens.max() > tables.codes.shape[1]):
        raise PersistFormatError(f"{where}: Huffman tables are inconsistent with the vocabulary")
    return tables


def _rebuild_tables(model):
    from cw2v import vocab as _vocab
    counts = np.asarray(model.wv.expandos.get("count", np.ones(len(model.wv), dtype=np.int64)), dtype=np.int64)
    model._tables = _vocab.build_tables(counts, model.sample, model.ns_exponent, model.negative, model.hs)
    return counts


def _check_model_arrays(model, where):
    n, size = len(model.wv), model.vector_size
    if model.wv.vector_size != size:
        raise PersistFormatError(f"{where}: vectors have size {model.wv.vector_size}, the model says {size}")
    for name, needed in (("syn1neg", model.negative), ("syn1", model.hs)):
        arr = getattr(model, name, None)
        if not isinstance(arr, np.ndarray):
            raise PersistFormatError(f"{where}: {name} is missing")
        if needed and n and arr.shape != (n, size):
            raise PersistFormatError(f"{where}: {name} has shape {arr.shape}, expected {(n, size)}")


def load_word2vec_model(fname, mmap=None, cls=None):
    """Load a model saved by :func:`save_word2vec_model` or by gensim 4's ``Word2Vec.save``.

    Parameters
    ----------
    fname : str or os.PathLike
    mmap : {None, 'r', 'r+', 'c'}, optional
        Memory-map the arrays stored in separate ``.npy`` files (``'r'``: read-only ``np.memmap``, enough for
        queries but not for training; ``'c'``: copy-on-write, trainable). Default None reads them into memory.
    cls : type, optional
        Class to instantiate (default :class:`cw2v.Word2Vec`).

    Returns
    -------
    Word2Vec
        Ready to query and to keep training (``train``, ``build_vocab(update=True)``).

    Raises
    ------
    TypeError
        The file holds only ``KeyedVectors``, or `fname` is not a path.
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
        from cw2v.word2vec import Word2Vec as cls
    _check_mmap(mmap)
    path = _check_path(fname, "load")
    kind = file_kind(path)
    if kind != "native":
        obj = _load_gensim_pickle(path, kind, mmap)
        if isinstance(obj, _GensimKeyedVectors):
            raise _wrong_class(path, "KeyedVectors", "Word2Vec")
        if not isinstance(obj, _GensimWord2Vec):
            raise PersistFormatError(f"{path}: the pickle does not hold a gensim Word2Vec model")
        return _model_from_gensim(cls, obj, path)

    manifest, source = _read_manifest(path, path)
    if manifest.get("class") != "Word2Vec":
        raise _wrong_class(path, manifest.get("class"), "Word2Vec")
    params = manifest.get("params")
    if not isinstance(params, dict):
        raise PersistFormatError(f"{path}: missing 'params'")
    accepted = set(_constructor_params(cls))
    unknown = sorted(set(params) - accepted)
    if unknown:
        logger.warning("%s: ignoring parameters this version of cw2v does not know: %s", path, ", ".join(unknown))
    try:
        model = cls(**{k: v for k, v in params.items() if k in accepted})
    except (TypeError, ValueError) as err:
        raise PersistFormatError(f"{path}: stored parameters are invalid: {err}") from None
    attributes = manifest.get("attributes", {})
    tuples = manifest.get("tuples", [])
    if not isinstance(attributes, dict) or not isinstance(tuples, list):
        raise PersistFormatError(f"{path}: bad 'attributes'")
    for name, value in attributes.items():
        if not _settable(cls, name) or name in accepted:
            logger.warning("%s: ignoring stored attribute %r", path, name)
            continue
        default = getattr(model, name, None)
        if not _same_kind(value, default):
            raise PersistFormatError(f"{path}: stored attribute {name!r} is a {type(value).__name__}, "
                                     f"expected a {type(default).__name__}")
        setattr(model, name, tuple(value) if name in tuples and isinstance(value, list) else value)
    if "raw_vocab" in manifest:  # one-file saves: [key, count] pairs
        pairs = manifest["raw_vocab"]
        if not isinstance(pairs, list) or not all(
                isinstance(p, list) and len(p) == 2 and isinstance(p[0], (str, int)) for p in pairs):
            raise PersistFormatError(f"{path}: bad raw_vocab")
        model.raw_vocab = {k: c for k, c in pairs}
    raw_vocab = getattr(model, "raw_vocab", None)
    if isinstance(raw_vocab, dict) and not all(
            isinstance(c, int) and not isinstance(c, bool) and c >= 0 for c in raw_vocab.values()):
        raise PersistFormatError(f"{path}: stored raw_vocab has counts that are not non-negative integers")
    arrays = manifest.get("arrays", {})
    if not isinstance(arrays, dict):
        raise PersistFormatError(f"{path}: bad 'arrays'")
    for name, ref in arrays.items():
        if not _settable(cls, name):
            logger.warning("%s: ignoring stored array %r", path, name)
            continue
        setattr(model, name, _manifest_array(ref, source, mmap, f"{path} ({name})"))
    from cw2v.keyedvectors import KeyedVectors
    kv_cls = type(model.wv) if isinstance(getattr(model, "wv", None), KeyedVectors) else KeyedVectors
    model.wv = _kv_from_section(kv_cls, manifest.get("wv"), source, mmap, f"{path} (wv)")
    _check_model_arrays(model, path)
    stored_tables = manifest.get("tables")
    tables = None
    if isinstance(stored_tables, dict):
        loaded = {field: _manifest_array(ref, source, None, f"{path} (tables.{field})")
                  for field, ref in stored_tables.items() if isinstance(field, str)}
        tables = _tables_from_arrays(model, loaded, path)
    if tables is not None:
        model._tables = tables
    elif len(model.wv):
        logger.info("%s: recomputing the vocabulary tables from the counts", path)
        _rebuild_tables(model)
    else:
        model._tables = None
    model._attach_vecattrs()
    logger.info("loaded %s from %s", model, path)
    return model


# ============================================================================================ gensim pickles


class _GensimObject:
    """Inert stand-in for a gensim object: keeps the pickled attribute dict in ``state``, runs nothing."""

    state = None  # set by __setstate__ (pickle's BUILD); None if the pickle never gave a state

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


_OPENERS = {"gzip": gzip.GzipFile, "bz2": bz2.BZ2File, "xz": lzma.LZMAFile}
#: A compressed pickle may expand to at most this many times its size (plus _MIN_EXPANSION_BYTES): pickled
#: vectors compress poorly, so genuine files stay far below; a decompression bomb is stopped early.
_MAX_EXPANSION = 100
_MIN_EXPANSION_BYTES = 1 << 26


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


def _load_gensim_pickle(path, kind, mmap):
    """Unpickle a gensim file safely and attach its separately stored arrays (gensim's ``_load_specials``)."""
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
        if not isinstance(names, list) or not all(isinstance(n, str) and _NAME_RE.match(n) for n in names):
            raise PersistFormatError(f"{prefix}: bad {key} list in the pickle")
    for attr in state.get("__recursive_saveloads", []):
        _attach_separate_arrays(state.get(attr), f"{prefix}.{attr}", compressed, mmap, depth + 1)
    for attr in state.get("__numpys", []):
        if compressed:
            state[attr] = _load_npz_val(f"{prefix}.{attr}.npz", prefix)
        else:
            state[attr] = _load_npy(f"{prefix}.{attr}.npy", mmap, prefix)
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


def is_pickle_file(fname):
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
    return _kind_of(_read_head(_check_path(fname, "load"), 8 + len(_SIGNATURE))) in ("pickle", "gzip", "bz2", "xz")


def gensim_phrases_document(fname, cls_name):
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
    path = _check_path(fname, "load")
    obj = _load_gensim_pickle(path, _kind_of(_read_head(path, 8 + len(_SIGNATURE))), None)
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


def _kv_from_gensim(kv_cls, obj, where, keep_object_attrs):
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
    kv = kv_cls(int(vector_size), 0, dtype=vectors.dtype)
    kv.vectors = vectors
    kv.index_to_key = keys
    kv.key_to_index = {k: int(i) for k, i in key_to_index.items()}
    next_index = st.get("next_index", n)
    kv.next_index = int(next_index) if isinstance(next_index, Integral) and 0 <= next_index <= n else n
    kv.expandos = {}
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
        kv.expandos[str(attr)] = values
    lockf = st.get("vectors_lockf")
    if lockf is not None:
        lockf = _array(lockf, where, "vectors_lockf", kinds="fiu").reshape(-1)
        if len(lockf) in (1, n):
            kv.vectors_lockf = lockf.astype(np.float32)
    mapfile_path = st.get("mapfile_path")
    kv.mapfile_path = mapfile_path if isinstance(mapfile_path, str) else None
    kv.norms = None
    return kv


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


def _model_from_gensim(cls, obj, where):
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
    accepted = set(_constructor_params(cls))
    try:
        model = cls(**{k: v for k, v in params.items() if k in accepted})
    except (TypeError, ValueError) as err:
        raise PersistFormatError(f"{where}: the gensim model has parameters cw2v does not accept: {err}") from None
    from cw2v.keyedvectors import KeyedVectors
    kv_cls = type(model.wv) if isinstance(getattr(model, "wv", None), KeyedVectors) else KeyedVectors
    wv = _kv_from_gensim(kv_cls, wv_obj, f"{where} (wv)", keep_object_attrs=False)
    if wv.vectors.dtype != np.float32:
        wv.vectors = wv.vectors.astype(np.float32)
    model.wv = wv
    n = len(wv)
    for name, needed in (("syn1neg", model.negative), ("syn1", model.hs)):
        arr = _array(st.get(name), where, name, kinds="f", ndim=2, allow_none=True)
        if needed:
            if arr is None or arr.shape != (n, model.vector_size):
                raise PersistFormatError(f"{where}: {name} has shape {getattr(arr, 'shape', None)}, "
                                         f"expected {(n, model.vector_size)}")
            if arr.dtype != np.float32:
                arr = arr.astype(np.float32)
            setattr(model, name, arr)
    for name in ("corpus_count", "corpus_total_words", "train_count", "effective_min_count"):
        value = _plain(st.get(name))
        if isinstance(value, Integral) and not isinstance(value, bool) and value >= 0:
            setattr(model, name, int(value))
    if st.get("corpus_total_words", 0) is None:  # files of gensim < 3 do not know it, nor does gensim
        model.corpus_total_words = None
    for name in ("running_training_loss", "total_train_time"):
        value = _plain(st.get(name))
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            setattr(model, name, float(value))
    raw_vocab = st.get("raw_vocab")
    if isinstance(raw_vocab, dict):
        model.raw_vocab = {k: int(_plain(v)) for k, v in raw_vocab.items()
                           if _plain_key(k) and isinstance(_plain(v), Integral)}
    if "count" not in wv.expandos:
        raise PersistFormatError(f"{where}: the vocabulary has no 'count' attribute")
    wv.expandos["count"] = np.asarray(wv.expandos["count"], dtype=np.int64)
    counts = wv.expandos["count"]
    if n:
        from cw2v import vocab as _vocab
        _rebuild_tables(model)
        if model.hs:
            huffman = _gensim_huffman(wv_obj.state, n)
            if huffman is not None:
                tables = model._tables
                tables.codes, tables.points, tables.code_lens = huffman
            else:
                logger.warning("%s: gensim's Huffman codes are missing or invalid; syn1 is kept with cw2v's tree",
                               where)
        model.cum_table = _vocab.cum_table(counts, model.ns_exponent) if model.negative \
            else np.zeros(0, dtype=np.uint32)
    model._attach_vecattrs()
    logger.info("imported gensim model %s from %s", model, where)
    return model


# ============================================================================================ live gensim objects


def _import_gensim():
    """gensim's word2vec and keyedvectors modules; ImportError naming ``pip install gensim`` without them."""
    try:
        from gensim.models import keyedvectors as gensim_kv
        from gensim.models import word2vec as gensim_w2v
    except ImportError as err:
        raise ImportError(f"converting to or from gensim objects needs gensim: pip install gensim ({err})") from err
    return gensim_w2v, gensim_kv


def _copied_state(obj):
    """The attribute dict of a live object, arrays (also inside dicts) copied to plain in-memory arrays."""
    def copy(value):
        if isinstance(value, np.ndarray):
            return np.array(value)  # also turns a memmap into an in-memory array
        if isinstance(value, dict):
            return {k: copy(v) for k, v in value.items()}
        return value
    return {name: copy(value) for name, value in vars(obj).items()}


def keyed_vectors_to_gensim(kv):
    """A gensim 4 ``KeyedVectors`` holding a copy of `kv` (keys, vectors, per-key attributes, lock factors).

    Parameters
    ----------
    kv : cw2v.KeyedVectors
        Not modified; nothing is shared with the result.

    Returns
    -------
    gensim.models.keyedvectors.KeyedVectors

    Raises
    ------
    ImportError
        gensim is not installed.
    """
    _, gensim_kv = _import_gensim()
    vectors = np.array(kv.vectors)
    out = gensim_kv.KeyedVectors(int(kv.vector_size), count=0, dtype=vectors.dtype)
    out.vectors = vectors
    out.index_to_key = list(kv.index_to_key)
    out.key_to_index = dict(kv.key_to_index)
    out.next_index = int(getattr(kv, "next_index", len(kv.index_to_key)))
    out.expandos = {name: np.array(values) for name, values in kv.expandos.items()}
    out.norms = None
    out.mapfile_path = getattr(kv, "mapfile_path", None)
    lockf = getattr(kv, "vectors_lockf", None)
    if isinstance(lockf, np.ndarray):
        out.vectors_lockf = np.array(lockf, dtype=np.float32)
    return out


def keyed_vectors_from_gensim(kv_cls, gensim_kv):
    """A `kv_cls` (cw2v.KeyedVectors) holding a copy of a gensim 4 ``KeyedVectors``.

    Raises
    ------
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
    return _kv_from_gensim(kv_cls, stand_in, "gensim KeyedVectors", keep_object_attrs=True)


def word2vec_to_gensim(model):
    """A gensim 4 ``Word2Vec`` with a copy of `model`'s parameters, vocabulary, weights and training state.

    The result trains in gensim from where `model` stopped: vectors, ``syn1neg``/``syn1``, counts, gensim's
    ``sample_int`` subsampling thresholds (from the same formula), cw2v's Huffman codes and points (so that
    ``syn1`` rows keep their meaning), ``cum_table``, lock factors, ``corpus_count``/``corpus_total_words``,
    epochs done and the learning-rate settings. Callbacks and ``trim_rule`` are not carried over.

    Parameters
    ----------
    model : cw2v.Word2Vec
        Not modified; nothing is shared with the result.

    Returns
    -------
    gensim.models.word2vec.Word2Vec

    Raises
    ------
    ImportError
        gensim is not installed.
    """
    from cw2v import vocab as _vocab
    gensim_w2v, _ = _import_gensim()
    seed = model.seed if isinstance(model.seed, int) and model.seed >= 0 else int(model.random_seed)
    params = {name: getattr(model, name) for name in _GENSIM_PARAMS if name != "seed" and hasattr(model, name)}
    params = {k: v for k, v in params.items() if k in inspect.signature(gensim_w2v.Word2Vec.__init__).parameters}
    out = gensim_w2v.Word2Vec(seed=seed, hashfxn=model.hashfxn, **params)
    wv = keyed_vectors_to_gensim(model.wv)
    n = len(wv.index_to_key)
    counts = np.asarray(wv.expandos.get("count", np.ones(n, dtype=np.int64)), dtype=np.int64)
    wv.expandos["count"] = counts
    keep = _vocab.keep_probabilities(counts, model.sample) if n else np.zeros(0)
    wv.expandos["sample_int"] = (np.minimum(keep, 1.0) * (2 ** 32 - 1)).astype(np.uint32)
    tables = getattr(model, "_tables", None)
    if model.hs and n:
        if tables is None or len(tables.code_lens) != n:
            tables = _vocab.build_tables(counts, model.sample, model.ns_exponent, model.negative, model.hs)
        codes = np.empty(n, dtype=object)
        points = np.empty(n, dtype=object)
        for i in range(n):
            length = int(tables.code_lens[i])
            codes[i] = np.array(tables.codes[i, :length], dtype=np.uint8)
            points[i] = np.array(tables.points[i, :length], dtype=np.uint32)
        wv.expandos["code"], wv.expandos["point"] = codes, points
    if not isinstance(getattr(wv, "vectors_lockf", None), np.ndarray):
        wv.vectors_lockf = np.ones(1, dtype=np.float32)
    out.wv = wv
    out.layer1_size = int(model.vector_size)
    if model.negative:
        out.syn1neg = np.array(model.syn1neg, dtype=np.float32)
    if model.hs:
        out.syn1 = np.array(model.syn1, dtype=np.float32)
    if model.negative:
        out.make_cum_table()
    for name in ("corpus_count", "corpus_total_words", "effective_min_count", "train_count", "total_train_time",
                 "running_training_loss", "min_alpha_yet_reached"):
        if hasattr(model, name):
            setattr(out, name, getattr(model, name))
    out.raw_vocab = dict(getattr(model, "raw_vocab", {}) or {})
    return out


def word2vec_from_gensim(cls, gensim_model):
    """A `cls` (cw2v.Word2Vec) with a copy of a live gensim 4 ``Word2Vec``; it keeps training in cw2v.

    Raises
    ------
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
    stand_in.state = _copied_state(gensim_model)
    wv = _GensimKeyedVectors()
    wv.state = _copied_state(gensim_model.wv)
    stand_in.state["wv"] = wv
    return _model_from_gensim(cls, stand_in, "gensim Word2Vec")


def save_gensim(obj, fname):
    """Write `obj` (cw2v KeyedVectors or Word2Vec) as a gensim 4 file, atomically, in one pickle file.

    ``gensim.models.Word2Vec.load`` / ``KeyedVectors.load`` (and cw2v's ``load``) read it. Every array is inside
    the pickle (no ``.npy`` files beside it), so the file can be renamed into place in one step.

    Raises
    ------
    ImportError
        gensim is not installed.
    OSError
        If writing fails; the previous file at `fname`, if any, is left intact.
    """
    from cw2v.word2vec import Word2Vec
    path = _check_path(fname, "save")
    converted = word2vec_to_gensim(obj) if isinstance(obj, Word2Vec) else keyed_vectors_to_gensim(obj)
    old_files = _previous_array_files(path)
    # a file object makes gensim pickle the whole object into it, arrays included
    _atomic_write(path, lambda f: converted.save(f, pickle_protocol=4))
    for basename in old_files:
        with contextlib.suppress(OSError):
            os.unlink(os.path.join(os.path.dirname(os.path.abspath(path)), basename))
    logger.info("saved %s to %s in gensim's format", obj, path)


class ClassOnlyMethod(classmethod):
    """A classmethod that refuses to run on an instance: ``instance.method(...)`` raises AttributeError.

    gensim's ``Word2Vec.load`` behaves so (``model.load(fname)`` would otherwise silently return another
    model, leaving ``model`` unchanged).
    """

    def __get__(self, instance, owner=None):
        if instance is None:
            return super().__get__(instance, owner)
        name = getattr(self.__func__, "__name__", "method")

        def refuse(*args, **kwargs):
            raise AttributeError(f"{name}() must be called on the class ({type(instance).__name__}.{name}(fname)), "
                                 f"not on an instance: it returns a new object and leaves the instance unchanged")
        return refuse
