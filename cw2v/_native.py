"""cw2v's native format: one file in the safetensors layout, and cw2v 0.1's manifest-and-.npy layout (read).

The format is described in :mod:`cw2v.persist` (the public face of saving and loading). This module turns
the state that :class:`cw2v.KeyedVectors` and :class:`cw2v.Word2Vec` give (``_persistent_state()``) into a
file and back: a JSON manifest of plain values whose arrays are stored beside it, in the one file (at
64-byte aligned offsets) or, in the old layout, as one ``.npy`` file each. Loading checks the file first
(every array must fit where the header puts it, the manifest must be well formed) and hands the decoded
state to the class (``_from_persistent_state`` / ``_restore_state``), which it receives as an argument: no
module of the model is imported here.

It also holds what the gensim reader (:mod:`cw2v._gensim_io`) shares with it: the error class
:class:`PersistFormatError`, the file kinds (:func:`file_kind`), the checks of the ``fname`` and ``mmap``
arguments and the size-checked ``.npy`` reader.
"""
from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import re
import secrets
import sys
import tokenize
from numbers import Integral
from typing import TYPE_CHECKING, Literal

import numpy as np

from cw2v import _fileio
from cw2v._typing import StrPath
from cw2v._version import __version__

if TYPE_CHECKING:
    from cw2v.keyedvectors import KeyedVectors
    from cw2v.word2vec import Word2Vec

logger = logging.getLogger("cw2v.persist")  # the name users configure: saving and loading log as cw2v.persist


#: Value of the manifest's ``"format"`` field.
FORMAT_NAME = "cw2v"
#: Version of the manifest this module writes (1: cw2v 0.1's manifest-and-.npy layout, still read).
FORMAT_VERSION = 2

#: ``mmap`` modes accepted by the loaders (``'w+'`` would truncate the arrays and is refused).
MMAP_MODES = (None, "r", "r+", "c")
#: Longest .npy header accepted (NumPy's own default limit).
_MAX_NPY_HEADER = 10000
#: Names of attributes and arrays a manifest may give (identifiers).
NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_TOKEN_RE = re.compile(r"[0-9a-f]{12}\Z")


class PersistFormatError(ValueError):
    """A native cw2v file (or a gensim file) is malformed, inconsistent or of an unsupported version."""


class WrongClassError(AttributeError, TypeError):
    """``Word2Vec.load`` was given a file holding only KeyedVectors.

    An AttributeError, as gensim raises in that case, and a TypeError, as cw2v 0.1 raised.
    """


def wrong_class(path, found, wanted):
    """The :class:`WrongClassError` for `wanted`'s ``load`` given a file that holds a `found`."""
    hint = ""
    if found == "KeyedVectors" and wanted == "Word2Vec":
        hint = "; load it with KeyedVectors.load(fname) (a full model is needed to train)"
    return WrongClassError(f"{path} holds a {found}, not a {wanted}; it can't be loaded by {wanted}.load{hint}")


# ============================================================================================ file kinds


def check_mmap(mmap):
    """Raise ValueError unless `mmap` is one of :data:`MMAP_MODES`."""
    if mmap not in MMAP_MODES:
        raise ValueError(f"mmap must be one of {MMAP_MODES}, got {mmap!r}")


def check_path(fname, what):
    """`fname` as a str path; TypeError for a file object or anything else (`what` names the caller)."""
    if hasattr(fname, "read") or hasattr(fname, "write"):
        raise TypeError(f"{what} needs a file name (str or os.PathLike), not a file object: the native format "
                        "is several files")
    try:
        return os.fspath(fname)
    except TypeError:
        raise TypeError(f"{what} needs a file name (str or os.PathLike), got {type(fname).__name__}") from None


def read_head(path, n=8):
    """The first `n` bytes of the file at `path`."""
    with open(path, "rb") as f:
        return f.read(n)


def file_kind(fname: StrPath) -> Literal["native", "pickle", "gzip", "bz2", "xz"]:
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
    path = check_path(fname, "file_kind")
    head = read_head(path, HEAD_BYTES)
    kind = kind_of(head)
    if kind is None:
        raise PersistFormatError(
            f"{path}: not a file saved by cw2v or gensim (starts with {head[:8]!r}); word2vec C files are read "
            "with KeyedVectors.load_word2vec_format"
        )
    return kind


def kind_of(head):
    """What a file starting with `head` (:data:`HEAD_BYTES` bytes) holds: see :func:`file_kind`; None if unknown."""
    if _is_one_file(head):  # checked first: the 8-byte length before the signature may start with any byte
        return "native"
    stripped = head.lstrip(b" \t\r\n")
    if stripped.startswith(b"\xef\xbb\xbf"):
        stripped = stripped[3:].lstrip(b" \t\r\n")
    if stripped.startswith(b"{"):
        return "native"
    if head.startswith(b"\x80"):
        return "pickle"
    return _fileio.compression_of_head(head)


# ============================================================================================ .npy files


def read_npy_header(f, where):
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


def load_npy(path, mmap, where):
    """Load one .npy file after checking that its size matches its header (no pickle, no huge allocation)."""
    try:
        with open(path, "rb") as f:
            shape, _, dtype = read_npy_header(f, where)
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


# ============================================================================================ writing (cw2v 0.1 layout)


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
        old_files = previous_array_files(self.path)
        data = json.dumps(manifest, ensure_ascii=True, allow_nan=True, separators=(",", ":")).encode("ascii")
        out = _fileio.AtomicFile(self.path)
        try:
            out.write(data)
            out.finish()
        except BaseException:
            out.abort()
            raise
        try:
            out.commit()
        except BaseException:
            if out.tmp is None:  # renamed: the new manifest is in place, interrupted while syncing the folder
                self.committed = True
            else:
                out.abort()
            raise
        self.committed = True
        remove_array_files(self.folder, [name for name in old_files if name not in self.files])

    def abort(self):
        if self.committed:  # interrupted while cleaning up: the new save is complete, keep it
            return
        for basename in self.files:
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(self.folder, basename))
        self.files = []


def previous_array_files(path):
    """Array files referenced by the native manifest currently at `path` (empty if none or unreadable)."""
    try:
        if kind_of(read_head(path)) != "native":
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


def remove_array_files(folder, names):
    """Delete the array files `names` of a replaced save in `folder` (errors are ignored)."""
    for basename in names:
        with contextlib.suppress(OSError):
            os.unlink(os.path.join(folder, basename))


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


#: Bytes to read to tell a file's kind (:func:`kind_of`).
HEAD_BYTES = 8 + len(_SIGNATURE)


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


def _write_one_file(path, manifest, sink):
    """Write `manifest` and the arrays of `sink` as one aligned safetensors-layout file, atomically.

    Layout: an 8-byte little-endian header length N, a JSON header of N bytes (space-padded so that the data
    starts at a multiple of 64), then the data: every array C-ordered and little-endian at an offset that is a
    multiple of 64, zero padding in between (described in the header as ``__cw2v_pad_<k>`` uint8 arrays, so
    that the file is a valid safetensors file), the manifest last as the uint8 array ``__cw2v_manifest__``.
    A previous native save at `path` in the manifest-and-.npy layout has its array files deleted afterwards.
    """
    old_files = previous_array_files(path)
    manifest_bytes = json.dumps(manifest, ensure_ascii=True, allow_nan=True, separators=(",", ":")).encode("ascii")
    entries = list(sink.arrays.items()) + [(_MANIFEST_ENTRY, ("U8", np.frombuffer(manifest_bytes, np.uint8)))]
    header = {"__metadata__": {"format": FORMAT_NAME, "version": str(FORMAT_VERSION), "cw2v_version": __version__}}
    plan = []  # (padding bytes before, array)
    offset = 0
    for name, (st, arr) in entries:
        pad = -offset % _ALIGN
        if pad:
            header[f"{_PAD_PREFIX}{len(plan)}"] = {"dtype": "U8", "shape": [pad],
                                                   "data_offsets": [offset, offset + pad]}
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

    _fileio.atomic_write(path, write)
    remove_array_files(os.path.dirname(os.path.abspath(path)), old_files)


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
        return load_npy(os.path.join(self.folder, name), mmap, where), name


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


def _kv_section(state, tx, prefix):
    """The manifest section of a KeyedVectors `state`; its arrays go to ``tx.add_array`` (_ArraySink or
    _SaveTransaction) under names starting with `prefix`."""
    keys = state["keys"]
    n = len(keys)
    vectors = state["vectors"]
    vector_size = state["vector_size"]
    if not isinstance(vectors, np.ndarray) or vectors.ndim != 2 or vectors.shape != (n, vector_size):
        raise ValueError(f"vectors has shape {getattr(vectors, 'shape', None)} but there are {n} keys of "
                         f"size {vector_size}")
    json_keys = [_json_key(k) for k in keys]
    mapfile_path = state.get("mapfile_path")
    section = {
        "vector_size": int(vector_size),
        "next_index": int(state.get("next_index", n)),
        "mapfile_path": mapfile_path if isinstance(mapfile_path, str) else None,
        "keys": json_keys,
    }
    key_to_index = state["key_to_index"]
    canonical = len(key_to_index) == sum(k is not None for k in keys) and all(
        key_to_index.get(k) == i for i, k in enumerate(keys) if k is not None
    )
    if not canonical:
        section["key_to_index"] = [[_json_key(k), int(i)] for k, i in key_to_index.items()]
    section["vectors"] = tx.add_array(prefix + "vectors", vectors)
    expandos = {}
    for attr, values in state.get("expandos", {}).items():
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
    lockf = state.get("vectors_lockf")
    if isinstance(lockf, np.ndarray) and lockf.ndim == 1 and len(lockf) in (1, n) and lockf.dtype.kind == "f":
        section["vectors_lockf"] = tx.add_array(prefix + "vectors_lockf", lockf)
    events = state.get("lifecycle_events")
    if isinstance(events, list):  # gensim's record; values JSON cannot hold are kept as their repr
        section["lifecycle_events"] = [{str(k): _json_or_repr(v) for k, v in e.items()} for e in events
                                       if isinstance(e, dict)]
    return section


def _json_or_repr(value):
    try:
        return _json_value(value)
    except _NotJSON:
        return repr(value)


def _manifest_head(cls_name, tx):
    head = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "class": cls_name, "cw2v_version": __version__}
    if isinstance(tx, _SaveTransaction):
        head["version"] = 1
        head["token"] = tx.token
    return head


def save_keyed_vectors(kv: KeyedVectors, fname: StrPath) -> None:
    """Save a :class:`cw2v.KeyedVectors` in the native one-file format (see :mod:`cw2v.persist`).

    Parameters
    ----------
    kv : cw2v.KeyedVectors
        Not modified; what is saved is its ``_persistent_state()``.
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
    path = check_path(fname, "save")
    sink = _ArraySink()
    manifest = _manifest_head("KeyedVectors", sink)
    manifest["kv"] = _kv_section(kv._persistent_state(), sink, "")
    _write_one_file(path, manifest, sink)
    logger.info("saved %s to %s (%d arrays)", kv, path, len(sink.arrays))


def _save_keyed_vectors_manifest(kv, fname):
    """Save `kv` in the manifest-and-.npy layout of cw2v 0.1 (still read by :func:`read_manifest`)."""
    path = check_path(fname, "save")
    tx = _SaveTransaction(path)
    try:
        manifest = _manifest_head("KeyedVectors", tx)
        manifest["kv"] = _kv_section(kv._persistent_state(), tx, "")
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


def _kv_state_from_section(section, source, mmap, where):
    """The KeyedVectors state a manifest section describes, checked (see ``KeyedVectors._persistent_state``)."""
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
    pairs = section.get("key_to_index")
    key_to_index = None  # the inverse of keys
    if pairs is not None:
        key_to_index = {}
        try:
            for k, i in pairs:
                if not isinstance(k, (str, int)) or isinstance(i, bool) or not isinstance(i, int) \
                        or not 0 <= i < len(keys):
                    raise ValueError
                key_to_index[k] = i
        except (TypeError, ValueError):
            raise PersistFormatError(f"{where}: bad key_to_index") from None
    next_index = section.get("next_index", len(keys))
    mapfile_path = section.get("mapfile_path")
    expandos = section.get("expandos", {})
    if not isinstance(expandos, dict):
        raise PersistFormatError(f"{where}: bad expandos")
    per_key = {}
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
        per_key[attr] = values
    lockf = None
    if section.get("vectors_lockf") is not None:
        lockf = _manifest_array(section["vectors_lockf"], source, None, f"{where} (vectors_lockf)", kinds="f",
                                ndim=1)
        if len(lockf) not in (1, len(keys)):
            raise PersistFormatError(f"{where}: vectors_lockf has shape {lockf.shape} for {len(keys)} keys")
    return {
        "vector_size": vector_size,
        "keys": keys,
        "key_to_index": key_to_index,
        "vectors": vectors,
        "next_index": next_index if isinstance(next_index, int) and 0 <= next_index <= len(keys) else len(keys),
        "mapfile_path": mapfile_path if isinstance(mapfile_path, str) else None,
        "expandos": per_key,
        "vectors_lockf": lockf,
        "lifecycle_events": [e for e in section.get("lifecycle_events", []) if isinstance(e, dict)]
        if isinstance(section.get("lifecycle_events"), list) else None,
    }


def keyed_vectors_from_manifest(kv_cls, manifest, source, mmap, where):
    """A `kv_cls` (cw2v.KeyedVectors) from the ``kv`` section of a manifest read by :func:`read_manifest`.

    Raises
    ------
    PersistFormatError
        The section is malformed or does not match the arrays.
    """
    return kv_cls._from_persistent_state(_kv_state_from_section(manifest.get("kv"), source, mmap, where))


def read_manifest(path, where=None):
    """The manifest of a native save of either layout, checked, and the source of its arrays.

    Parameters
    ----------
    path : str
    where : str, optional
        How error messages name the file (default `path`).

    Returns
    -------
    manifest : dict
        With ``"class"`` ``'KeyedVectors'`` or ``'Word2Vec'``.
    source
        Reads the arrays the manifest refers to (from the one file, or the ``.npy`` files beside it).

    Raises
    ------
    PersistFormatError
        Not a native file, malformed header or manifest, unsupported version.
    """
    where = path if where is None else where
    if _is_one_file(read_head(path, HEAD_BYTES)):
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


# ============================================================================================ Word2Vec


def save_word2vec_model(model: Word2Vec, fname: StrPath) -> None:
    """Save a full :class:`cw2v.Word2Vec` model in the native one-file format; it resumes training after loading.

    Parameters
    ----------
    model : cw2v.Word2Vec
        Not modified; what is saved is its ``_persistent_state()``.
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
    Plain attributes (numbers, strings, lists and dicts of them) and arrays of the state are stored; other
    objects (locks, generators, ...) are skipped and come back with the constructor's defaults.
    """
    path = check_path(fname, "save")
    sink = _ArraySink()
    manifest = _model_manifest(model._persistent_state(), sink)
    _write_one_file(path, manifest, sink)
    logger.info("saved %s to %s (%d arrays)", model, path, len(sink.arrays))


def _save_word2vec_model_manifest(model, fname):
    """Save `model` in the manifest-and-.npy layout of cw2v 0.1 (still read by :func:`read_manifest`)."""
    path = check_path(fname, "save")
    tx = _SaveTransaction(path)
    try:
        tx.commit(_model_manifest(model._persistent_state(), tx))
    except BaseException:
        tx.abort()
        raise
    logger.info("saved %s to %s (%d arrays)", model, path, len(tx.files))


def _model_manifest(state, tx):
    """The manifest of a Word2Vec `state` (``Word2Vec._persistent_state()``); arrays go to ``tx.add_array``.

    Parameters and attributes JSON cannot hold are skipped, and so are arrays of dtypes the layout cannot
    store; attributes that are tuples are listed in ``"tuples"`` (JSON makes them lists).
    """
    one_file = isinstance(tx, _ArraySink)
    manifest = _manifest_head("Word2Vec", tx)
    params = {}
    for name, value in state["params"].items():
        try:
            params[name] = _json_value(value)
        except _NotJSON:
            logger.debug("parameter %s of type %s not stored", name, type(value).__name__)
    attributes, tuples, arrays, skipped = {}, [], {}, []
    for name, value in state["attributes"].items():
        if not NAME_RE.match(name):
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
    tables = state.get("tables")
    if tables is not None:
        manifest["tables"] = {field: tx.add_array(f"tables.{field}", arr) for field, arr in tables.items()}
    else:
        manifest["tables"] = None
    manifest["wv"] = _kv_section(state["wv"], tx, "wv.")
    return manifest


def _storable_dtype(arr):
    try:
        return _st_dtype(arr, "")
    except ValueError:
        return None


def word2vec_from_manifest(cls, manifest, source, mmap, where):
    """A `cls` (cw2v.Word2Vec) built from a ``"Word2Vec"`` manifest read by :func:`read_manifest`.

    The model is created from the stored parameters (``cls._saved_params()`` says which it accepts; others
    are ignored with a warning), then ``_restore_state`` gives it the rest of the state decoded here.

    Raises
    ------
    WrongClassError
        The manifest holds KeyedVectors.
    PersistFormatError
        Malformed manifest, arrays that do not fit, or parameters the constructor refuses.
    """
    if manifest.get("class") != "Word2Vec":
        raise wrong_class(where, manifest.get("class"), "Word2Vec")
    params = manifest.get("params")
    if not isinstance(params, dict):
        raise PersistFormatError(f"{where}: missing 'params'")
    accepted = cls._saved_params()
    unknown = sorted(set(params) - set(accepted))
    if unknown:
        logger.warning("%s: ignoring parameters this version of cw2v does not know: %s", where, ", ".join(unknown))
    try:
        model = cls(**{k: v for k, v in params.items() if k in accepted})
    except (TypeError, ValueError) as err:
        raise PersistFormatError(f"{where}: stored parameters are invalid: {err}") from None
    attributes = manifest.get("attributes", {})
    tuples = manifest.get("tuples", [])
    if not isinstance(attributes, dict) or not isinstance(tuples, list):
        raise PersistFormatError(f"{where}: bad 'attributes'")
    attributes = {name: tuple(value) if name in tuples and isinstance(value, list) else value
                  for name, value in attributes.items()}
    state = {"attributes": attributes}
    raw_vocab = attributes.get("raw_vocab")
    if "raw_vocab" in manifest:  # one-file saves: [key, count] pairs
        pairs = manifest["raw_vocab"]
        if not isinstance(pairs, list) or not all(
                isinstance(p, list) and len(p) == 2 and isinstance(p[0], (str, int)) for p in pairs):
            raise PersistFormatError(f"{where}: bad raw_vocab")
        raw_vocab = state["raw_vocab"] = {k: c for k, c in pairs}
    if isinstance(raw_vocab, dict) and not all(
            isinstance(c, int) and not isinstance(c, bool) and c >= 0 for c in raw_vocab.values()):
        raise PersistFormatError(f"{where}: stored raw_vocab has counts that are not non-negative integers")
    arrays = manifest.get("arrays", {})
    if not isinstance(arrays, dict):
        raise PersistFormatError(f"{where}: bad 'arrays'")
    state["arrays"] = {name: _manifest_array(ref, source, mmap, f"{where} ({name})") for name, ref in arrays.items()}
    state["wv"] = _kv_state_from_section(manifest.get("wv"), source, mmap, f"{where} (wv)")
    stored_tables = manifest.get("tables")
    state["tables"] = None
    if isinstance(stored_tables, dict):
        state["tables"] = {field: _manifest_array(ref, source, None, f"{where} (tables.{field})")
                           for field, ref in stored_tables.items() if isinstance(field, str)}
    model._restore_state(state, where)
    logger.info("loaded %s from %s", model, where)
    return model
