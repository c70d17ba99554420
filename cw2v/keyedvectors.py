"""``KeyedVectors``: a set of vectors indexed by keys (words), with similarity queries and evaluations.

The class keeps gensim 4's ``gensim.models.KeyedVectors`` API and results: every query computes the same
float operations in the same order as gensim, so scores are bit-for-bit equal and rankings identical
(including ties). Bulk work goes through BLAS: one matrix-vector product per ``most_similar`` query, and
matrix-matrix products over batches of questions in :meth:`KeyedVectors.evaluate_word_analogies`.

State (plain attributes, as in gensim):

* ``vectors``: ndarray of shape (n, vector_size), float32 by default, C-contiguous; row ``i`` belongs to
  ``index_to_key[i]``;
* ``index_to_key``: list of keys; ``key_to_index``: dict key -> row;
* ``expandos``: dict attribute name -> ndarray of length n (e.g. ``'count'``), see :meth:`set_vecattr`;
* ``norms``: cached L2 norms of the rows (float, shape (n,)) or None. Whatever changes ``vectors`` must
  set ``norms = None`` (the methods here do; code updating ``vectors`` in place, like training, must too).

Where the code is: this module holds the storage (adding, resizing, sorting, per-key attributes), the
lookups and the norms. Every other method is documented here and calls, in one line, its body in a private
module: the similarity queries in :mod:`cw2v._queries`, the evaluations (analogies, word pairs) in
:mod:`cw2v._evaluation`, Word Mover's Distance in :mod:`cw2v._wmd`; reading and writing word2vec C files in
:mod:`cw2v.formats`, saves in :mod:`cw2v.persist`. Those modules take the KeyedVectors as an argument and
import no model module.

This module imports nothing from the training side of cw2v (only NumPy, SciPy, the standard library, the
modules above and :mod:`cw2v._validation`; :meth:`KeyedVectors.wmdistance` imports :mod:`cw2v._wmd` and the
optional POT when called). Module-level names gensim's ``gensim.models.keyedvectors`` offers are here too:
``REAL``, :func:`pseudorandom_weak_vector`, :func:`prep_vectors`, :func:`load_word2vec_format` and the class
aliases ``Word2VecKeyedVectors``, ``Doc2VecKeyedVectors``, ``EuclideanKeyedVectors``.
"""
from __future__ import annotations

import logging
import warnings

import numpy as np

from cw2v import _evaluation, _queries, persist
from cw2v._lifecycle import LifecycleEvents
from cw2v._queries import KEY_TYPES as _KEY_TYPES
from cw2v._validation import check_int
from cw2v.formats import _write_word2vec, read_word2vec_format, read_word2vec_vocab

__all__ = ["KeyedVectors", "REAL", "pseudorandom_weak_vector", "prep_vectors", "load_word2vec_format"]

logger = logging.getLogger(__name__)

#: Default dtype of vectors (float32), under gensim's name for it.
REAL = np.float32

#: Generator used by :func:`pseudorandom_weak_vector` when no seed string is given (seeded from OS entropy).
_default_rng = np.random.default_rng()

def pseudorandom_weak_vector(size, seed_string=None, hashfxn=hash):
    """A small random vector, uniform in ``[-0.5 / size, 0.5 / size)``, as gensim draws initial vectors.

    Parameters
    ----------
    size : int
        Length of the vector (> 0).
    seed_string : str, optional
        When given (and non-empty), the vector is derived deterministically from it: the generator is
        NumPy's SFC64 seeded with ``hashfxn(seed_string) & 0xffffffff``. Otherwise a module-level generator
        seeded from OS entropy is used (a different vector on each call).
    hashfxn : callable, optional
        Hash function for `seed_string` (default the built-in ``hash``, which for strings varies between
        processes unless ``PYTHONHASHSEED`` is set; pass a stable one, e.g. built on ``zlib.crc32``, for
        vectors reproducible across runs).

    Returns
    -------
    ndarray of shape (size,), dtype float32

    Raises
    ------
    ValueError
        If `size` is not a positive integer.
    """
    check_int("size", size, 1, expected="a positive integer")
    if seed_string:
        rng = np.random.Generator(np.random.SFC64(hashfxn(seed_string) & 0xFFFFFFFF))
    else:
        rng = _default_rng
    return (rng.random(int(size)).astype(REAL) - 0.5) / int(size)


def prep_vectors(target_shape, prior_vectors=None, seed=0, dtype=REAL):
    """An array of shape `target_shape` that keeps `prior_vectors`' values and fills the rest at random.

    Parameters
    ----------
    target_shape : tuple of (int, int)
        ``(count, vector_size)`` wanted.
    prior_vectors : ndarray of shape (m, k), optional
        Existing vectors; returned unchanged (same object) if they already have `target_shape`. Otherwise
        their overlap with the target (first ``min(m, count)`` rows, ``min(k, vector_size)`` columns) is
        copied into the new array.
    seed : int, optional
        Seed of ``np.random.default_rng`` drawing the new values (default 0).
    dtype : numpy floating dtype, optional
        dtype of the new array (default float32).

    Returns
    -------
    ndarray of shape `target_shape`, dtype `dtype`
        New entries uniform in ``[-1 / vector_size, 1 / vector_size)``; the same values as gensim's
        ``prep_vectors`` for the same arguments.

    Raises
    ------
    ValueError
        If `target_shape` is not two non-negative integers.
    """
    try:
        count, vector_size = (int(x) for x in target_shape)
    except (TypeError, ValueError):
        raise ValueError(f"target_shape must be (count, vector_size), got {target_shape!r}") from None
    if count < 0 or vector_size < 0:
        raise ValueError(f"target_shape must be non-negative, got {target_shape!r}")
    if prior_vectors is None:
        prior_vectors = np.zeros((0, 0), dtype=dtype)
    if prior_vectors.shape == (count, vector_size):
        return prior_vectors
    new = np.random.default_rng(seed=seed).random((count, vector_size), dtype=dtype)
    new *= 2.0
    new -= 1.0
    if vector_size:
        new /= vector_size
    rows, cols = min(prior_vectors.shape[0], count), min(prior_vectors.shape[1], vector_size)
    new[:rows, :cols] = prior_vectors[:rows, :cols]
    return new


def load_word2vec_format(*args, **kwargs):
    """Same as :meth:`KeyedVectors.load_word2vec_format` (module-level, as in gensim).

    Parameters
    ----------
    *args, **kwargs
        Passed to :meth:`KeyedVectors.load_word2vec_format` (`fname`, `fvocab`, `binary`, `encoding`,
        `unicode_errors`, `limit`, `datatype`, `no_header`).

    Returns
    -------
    KeyedVectors
    """
    return KeyedVectors.load_word2vec_format(*args, **kwargs)


def _load_word2vec_format(cls, fname, fvocab=None, binary=False, encoding="utf8", unicode_errors="strict",
                          limit=None, datatype=REAL, no_header=False, binary_chunk_size=100 * 1024):
    """gensim's module-level loader: ``cls.load_word2vec_format`` with the same arguments.

    `binary_chunk_size` is accepted for compatibility and only checked: cw2v's reader picks its own read
    sizes (results do not depend on it). Raises ValueError if it is not a positive integer.
    """
    check_int("binary_chunk_size", binary_chunk_size, 1, expected="a positive integer")
    return cls.load_word2vec_format(
        fname, fvocab=fvocab, binary=binary, encoding=encoding, unicode_errors=unicode_errors, limit=limit,
        datatype=datatype, no_header=no_header,
    )


def _descending_stable(values):
    """Permutation sorting `values` in descending order, equal values keeping their relative order."""
    values = np.asarray(values)
    if values.dtype == object:
        return np.array(sorted(range(len(values)), key=lambda i: -values[i]), dtype=np.intp)
    n = len(values)
    return (n - 1 - np.argsort(values[::-1], kind="stable"))[::-1]


class KeyedVectors(LifecycleEvents):
    """Vectors indexed by keys, with gensim 4's ``KeyedVectors`` interface.

    Parameters
    ----------
    vector_size : int
        Dimensionality of the vectors (>= 0).
    count : int, optional
        Pre-allocate this many empty slots (default 0): ``index_to_key`` gets ``count`` ``None`` entries and
        ``vectors`` ``count`` zero rows, to be filled by :meth:`add_vector`.
    dtype : numpy floating dtype, optional
        dtype of ``vectors`` (default float32).
    mapfile_path : None, optional
        Accepted for compatibility with gensim; unused.

    Attributes
    ----------
    vector_size : int
    vectors : ndarray of shape (n, vector_size), dtype `dtype`, C-contiguous
    index_to_key : list
    key_to_index : dict
    expandos : dict of str to ndarray of shape (n,)
    norms : ndarray of shape (n,) or None
        Cached L2 norms of ``vectors``' rows; None means "recompute when needed".
    next_index : int
        Next pre-allocated slot :meth:`add_vector` fills.

    Raises
    ------
    ValueError
        If `vector_size` or `count` is not a non-negative integer.
    """

    def __init__(self, vector_size, count=0, dtype=np.float32, mapfile_path=None):
        for name, value in (("vector_size", vector_size), ("count", count)):
            check_int(name, value, 0, expected="a non-negative integer")
        self.vector_size = int(vector_size)
        self.index_to_key = [None] * int(count)
        self.next_index = 0
        self.key_to_index = {}
        self.vectors = np.zeros((int(count), self.vector_size), dtype=dtype)
        self.norms = None
        self.expandos = {}
        self.mapfile_path = mapfile_path

    def __str__(self):
        return f"{type(self).__name__}<vector_size={self.vector_size}, {len(self)} keys>"

    __repr__ = __str__

    # ------------------------------------------------------------------------------------------ lookup

    def __len__(self):
        return len(self.index_to_key)

    def get_index(self, key, default=None):
        """Row of `key` in ``vectors``.

        Parameters
        ----------
        key : str or int
            A key; an int that is not a key but lies in ``[0, len(self))`` is taken as a row index.
        default : int, optional
            Returned instead of raising when `key` is unknown (None, the default, means raise).

        Returns
        -------
        int

        Raises
        ------
        KeyError
            If `key` is unknown and `default` is None.
        """
        index = self.key_to_index.get(key, -1)
        if index >= 0:
            return index
        if isinstance(key, (int, np.integer)) and 0 <= key < len(self.index_to_key):
            return int(key)
        if default is not None:
            return default
        raise KeyError(f"Key '{key}' not present")

    def has_index_for(self, key):
        """Whether :meth:`get_index` finds a row for `key`.

        Parameters
        ----------
        key : str or int
            A key, or an int row index in ``[0, len(self))``.

        Returns
        -------
        bool
        """
        return self.get_index(key, -1) >= 0

    def __contains__(self, key):
        return self.has_index_for(key)

    def get_vector(self, key, norm=False):
        """Vector of one key.

        Parameters
        ----------
        key : str or int
        norm : bool, optional
            Return the vector scaled to unit L2 length (default False).

        Returns
        -------
        ndarray of shape (vector_size,)
            A read-only view of the row (or, with `norm`, a new read-only array).

        Raises
        ------
        KeyError
            If the key is unknown.
        """
        index = self.get_index(key)
        if norm:
            self.fill_norms()
            result = self.vectors[index] / self.norms[index]
        else:
            result = self.vectors[index]
        result.setflags(write=False)
        return result

    def word_vec(self, *args, **kwargs):
        """Deprecated alias of :meth:`get_vector` (a DeprecationWarning says so).

        Parameters
        ----------
        *args, **kwargs
            Passed to :meth:`get_vector` (`key`, `norm`).

        Returns
        -------
        ndarray of shape (vector_size,)
        """
        warnings.warn("word_vec() is deprecated, use get_vector()", DeprecationWarning, stacklevel=2)
        return self.get_vector(*args, **kwargs)

    def __getitem__(self, key_or_keys):
        """Vector of a key (1-D, read-only) or stacked vectors of a sequence of keys (2-D copy).

        Raises
        ------
        KeyError
            If a key is unknown.
        """
        if isinstance(key_or_keys, _KEY_TYPES):
            return self.get_vector(key_or_keys)
        rows = np.array([self.get_index(key) for key in key_or_keys], dtype=np.intp)
        return self.vectors[rows]

    # -------------------------------------------------------------------------------- per-key attributes

    def allocate_vecattrs(self, attrs=None, types=None):
        """Make sure per-key attribute arrays exist with one entry per key.

        Parameters
        ----------
        attrs : list of str, optional
            Attribute names; default: all existing ones (then they are resized to ``len(self)``, new entries
            zero, extra entries dropped).
        types : list of type or dtype, optional
            One per name in `attrs`; ``int`` means int64 and ``str`` means object.

        Raises
        ------
        TypeError
            If an existing attribute array has a dtype incompatible with the requested type.
        """
        if attrs is None:
            attrs = list(self.expandos)
            types = [self.expandos[attr].dtype for attr in attrs]
        else:
            attrs = list(attrs)
            types = list(types)
        size = len(self.index_to_key)
        for attr, kind in zip(attrs, types):
            if kind is int:
                kind = np.int64
            elif kind is str:
                kind = object
            old = self.expandos.get(attr)
            if old is None:
                self.expandos[attr] = np.zeros(size, dtype=kind)
                continue
            if not np.issubdtype(kind, old.dtype):
                raise TypeError(
                    f"Can't allocate type {kind} for attribute {attr!r}: it already has dtype {old.dtype}"
                )
            if len(old) != size:
                new = np.zeros(size, dtype=old.dtype)
                keep = min(len(old), size)
                new[:keep] = old[:keep]
                self.expandos[attr] = new

    def set_vecattr(self, key, attr, val):
        """Set attribute `attr` of `key` to `val` (creating the attribute array, typed after `val`, if needed).

        Parameters
        ----------
        key : str or int
            A known key.
        attr : str
            Attribute name (e.g. ``'count'``); its array in ``expandos`` has one entry per key, zero for the others
            when it is created (``int`` values make an int64 array, ``str`` values an object array).
        val : scalar
            The value.

        Raises
        ------
        KeyError
            If the key is unknown.
        TypeError
            If `val`'s type does not fit the attribute's existing dtype.
        """
        self.allocate_vecattrs(attrs=[attr], types=[type(val)])
        self.expandos[attr][self.get_index(key)] = val

    def get_vecattr(self, key, attr):
        """Value of attribute `attr` for `key`.

        Parameters
        ----------
        key : str or int
        attr : str
            Attribute name (e.g. ``'count'``).

        Returns
        -------
        scalar
            An element of ``expandos[attr]`` (a NumPy scalar of its dtype).

        Raises
        ------
        KeyError
            If the key or the attribute is unknown.
        """
        return self.expandos[attr][self.get_index(key)]

    # ------------------------------------------------------------------------------------ adding vectors

    def add_vector(self, key, vector):
        """Add one key and its vector, in the next pre-allocated slot if there is one.

        Parameters
        ----------
        key : str or int
        vector : array_like of shape (vector_size,)

        Returns
        -------
        int
            The row the vector was stored in.

        Notes
        -----
        Without a free pre-allocated slot the whole ``vectors`` array is reallocated (a UserWarning says so);
        add many vectors at once with :meth:`add_vectors` instead.
        """
        target = self.next_index
        if target >= len(self) or self.index_to_key[target] is not None:
            target = len(self)
            warnings.warn(
                "Adding single vectors to a KeyedVectors which grows by one each time can be costly. "
                "Consider adding in batches or preallocating to the required size.",
                UserWarning, stacklevel=2,
            )
            self.add_vectors([key], [vector])
            self.next_index = target + 1
        else:
            self.vectors[target] = vector
            self.index_to_key[target] = key
            self.key_to_index[key] = target
            self.next_index += 1
            self.norms = None
        return target

    def add_vectors(self, keys, weights, extras=None, replace=False):
        """Append keys and their vectors; keys already present keep their vector unless `replace`.

        Parameters
        ----------
        keys : str, int or list of them, length k
        weights : array_like of shape (k, vector_size) (or (vector_size,) for a single key)
        extras : dict of str to array_like of shape (k,), optional
            Per-key attributes (see :meth:`set_vecattr`) for the added keys.
        replace : bool, optional
            Overwrite the vectors (and extras) of keys already present. Default False. A key repeated within
            `keys` counts as present from its second occurrence on.

        Raises
        ------
        ValueError
            If `weights` does not have shape (len(keys), vector_size) or an extra has the wrong length.

        Notes
        -----
        ``vectors`` is reallocated (new rows appended) and ``norms`` reset; per-key attributes are extended
        with zeros for new keys not covered by `extras`.
        """
        if isinstance(keys, _KEY_TYPES):
            keys = [keys]
            weights = np.asarray(weights).reshape(1, -1)
        keys = list(keys)
        weights = np.asarray(weights)
        if weights.ndim != 2 or weights.shape != (len(keys), self.vector_size):
            raise ValueError(
                f"weights must have shape ({len(keys)}, {self.vector_size}) for {len(keys)} keys, "
                f"got {weights.shape}"
            )
        extras = {attr: np.asarray(val) for attr, val in (extras or {}).items()}
        for attr, val in extras.items():
            if val.shape[:1] != (len(keys),):
                raise ValueError(f"extra {attr!r} has {len(val)} values for {len(keys)} keys")
        self.allocate_vecattrs(list(extras), [val.dtype for val in extras.values()])

        new_pos, new_rows, old_pos, old_rows = [], [], [], []
        for pos, key in enumerate(keys):
            row = self.key_to_index.get(key)
            if row is None:
                row = len(self.index_to_key)
                self.index_to_key.append(key)
                self.key_to_index[key] = row
                new_pos.append(pos)
                new_rows.append(row)
            else:
                old_pos.append(pos)
                old_rows.append(row)
        if new_pos:
            added = weights[new_pos].astype(self.vectors.dtype)
            self.vectors = np.ascontiguousarray(np.concatenate((self.vectors, added)))
        self.allocate_vecattrs()
        for attr, val in extras.items():
            self.expandos[attr][new_rows] = val[new_pos]
        if replace and old_pos:
            # Sequential semantics: for a key given twice, the later row wins.
            for pos, row in zip(old_pos, old_rows):
                self.vectors[row] = weights[pos]
                for attr, val in extras.items():
                    self.expandos[attr][row] = val[pos]
        self.norms = None

    def __setitem__(self, keys, weights):
        """Add or replace vectors: ``kv[key] = vector`` or ``kv[list_of_keys] = 2-D array``."""
        if not isinstance(keys, list):
            keys = [keys]
            weights = np.asarray(weights).reshape(1, -1)
        self.add_vectors(keys, weights, replace=True)

    def resize_vectors(self, seed=0):
        """Make ``vectors`` have one row per entry of ``index_to_key``, drawing any new rows at random.

        Existing rows are kept; new rows are uniform in ``[-1/vector_size, 1/vector_size)``, drawn like
        gensim's (``np.random.default_rng(seed)``, float32), so the result equals gensim's for float32
        vectors. Per-key attributes are resized too (new entries zero) and ``norms`` is reset. Nothing
        happens to ``vectors`` if it already has the right shape.

        Parameters
        ----------
        seed : int, optional
            Seed of the generator for new rows (default 0).

        Notes
        -----
        gensim always returns float32 here; cw2v keeps the dtype of ``vectors`` (values drawn in float32).
        """
        target = (len(self.index_to_key), self.vector_size)
        if self.vectors.shape != target:
            rng = np.random.default_rng(seed=seed)
            fresh = rng.random(target, dtype=np.float32)
            fresh *= 2.0
            fresh -= 1.0
            fresh /= self.vector_size
            dtype = self.vectors.dtype if self.vectors.dtype.kind == "f" else np.float32
            new = fresh.astype(dtype, copy=False)
            rows, cols = min(len(self.vectors), target[0]), min(self.vectors.shape[1], target[1])
            new[:rows, :cols] = self.vectors[:rows, :cols]
            self.vectors = new
        self.allocate_vecattrs()
        self.norms = None

    def vectors_for_all(self, keys, allow_inference=True, copy_vecattrs=False):
        """A new KeyedVectors holding the vectors of those `keys` that are present, deduplicated, in order.

        Parameters
        ----------
        keys : iterable of str or int
        allow_inference : bool, optional
            Keep every key this object can give a vector for (``key in self``, which includes in-range integer
            indices), default True; False keeps only real keys (``key in key_to_index``). Plain KeyedVectors
            infer nothing, as in gensim.
        copy_vecattrs : bool, optional
            Copy the per-key attributes of the kept keys (default False). Otherwise, as in gensim, the result
            has only a made-up ``'count'`` attribute, ``n - i`` for row ``i``.

        Returns
        -------
        KeyedVectors
            ``vectors`` of shape (number of kept keys, vector_size), same dtype as this object's.
        """
        kept, seen = [], set()
        lookup = self if allow_inference else self.key_to_index
        for key in keys:
            if key not in seen:
                seen.add(key)
                if key in lookup:
                    kept.append(key)
        n = len(kept)
        kv = KeyedVectors(self.vector_size, 0, dtype=self.vectors.dtype)
        rows = np.array([self.get_index(key) for key in kept], dtype=np.intp)
        kv.vectors = np.ascontiguousarray(self.vectors[rows], dtype=self.vectors.dtype)
        kv.index_to_key = kept
        kv.key_to_index = dict(zip(kept, range(n)))
        kv.next_index = n
        if n:
            kv.expandos["count"] = n - np.arange(n, dtype=np.int64)
            if copy_vecattrs:
                for attr, values in self.expandos.items():
                    kv.expandos[attr] = np.asarray(values)[rows].copy()
        return kv

    # ------------------------------------------------------------------------------------------ norms

    def fill_norms(self, force=False):
        """Compute and cache the L2 norm of every row in ``norms``.

        Parameters
        ----------
        force : bool, optional
            Recompute even if cached (default False). They are also recomputed if not cached, or if the cache does
            not match the number of rows (``vectors`` was replaced without resetting ``norms``).

        Notes
        -----
        Sets ``norms`` to an ndarray of shape (n,), of ``vectors``' floating dtype (``numpy.linalg.norm``).
        """
        if self.norms is None or force or len(self.norms) != len(self.vectors):
            self.norms = np.linalg.norm(self.vectors, axis=1)

    def get_normed_vectors(self):
        """All vectors scaled to unit length: a new ndarray of shape (n, vector_size)."""
        self.fill_norms()
        return self.vectors / self.norms[..., np.newaxis]

    def unit_normalize_all(self):
        """Scale every row of ``vectors`` to unit length, in place (``norms`` becomes all ones).

        Training cannot sensibly continue afterwards. Zero rows become NaN.
        """
        self.fill_norms()
        self.vectors /= self.norms[..., np.newaxis]
        self.norms = np.ones((len(self.vectors),))

    _MIGRATION = "See https://github.com/RaRe-Technologies/gensim/wiki/Migrating-from-Gensim-3.x-to-4"

    @property
    def vectors_norm(self):
        """Removed in gensim 4 (and absent here): reading it raises AttributeError; use :meth:`get_normed_vectors`.

        Assigning to it is accepted and ignored (old code and old pickles set it).
        """
        raise AttributeError(
            "vectors_norm was removed in gensim 4.0.0: unit-length vectors are computed on demand, use "
            "get_normed_vectors() instead. " + self._MIGRATION
        )

    @vectors_norm.setter
    def vectors_norm(self, _value):
        pass

    @property
    def index2word(self):
        """Replaced by ``index_to_key`` in gensim 4: reading it raises AttributeError, assigning sets
        ``index_to_key``."""
        raise AttributeError("index2word was replaced by index_to_key in gensim 4.0.0. " + self._MIGRATION)

    @index2word.setter
    def index2word(self, value):
        self.index_to_key = value

    @property
    def index2entity(self):
        """Replaced by ``index_to_key`` in gensim 4: reading it raises AttributeError, assigning sets
        ``index_to_key``."""
        raise AttributeError("index2entity was replaced by index_to_key in gensim 4.0.0. " + self._MIGRATION)

    @index2entity.setter
    def index2entity(self, value):
        self.index_to_key = value

    @property
    def vocab(self):
        """Removed in gensim 4: reading or assigning it raises AttributeError naming the replacements."""
        raise AttributeError(
            "The vocab attribute was removed from KeyedVectors in gensim 4.0.0: use key_to_index, index_to_key, "
            "get_vecattr(key, attr) and set_vecattr(key, attr, value) instead. " + self._MIGRATION
        )

    @vocab.setter
    def vocab(self, _value):
        _ = self.vocab  # raises the AttributeError above

    def init_sims(self, replace=False):
        """Deprecated: :meth:`fill_norms`, plus :meth:`unit_normalize_all` if `replace` (a DeprecationWarning says so).

        Parameters
        ----------
        replace : bool, optional
            Also scale ``vectors`` to unit length in place (default False).
        """
        warnings.warn("init_sims() is deprecated, use fill_norms()", DeprecationWarning, stacklevel=2)
        self.fill_norms()
        if replace:
            self.unit_normalize_all()

    # ------------------------------------------------------------------------------------ similarities

    def get_mean_vector(self, keys, weights=None, pre_normalize=True, post_normalize=False, ignore_missing=True):
        """Weighted mean of the vectors of `keys`.

        Parameters
        ----------
        keys : sequence of (str, int or ndarray of shape (vector_size,)), or 2-D ndarray
            Keys, and/or vectors used as they are.
        weights : array_like of shape (len(keys),), optional
            One weight per key (default all ones).
        pre_normalize : bool, optional
            Use the unit-length vectors of keys (default True; explicit vectors are never normalized).
        post_normalize : bool, optional
            Scale the mean to unit length and return it as float32 (default False).
        ignore_missing : bool, optional
            Skip unknown keys (default True) instead of raising KeyError.

        Returns
        -------
        ndarray of shape (vector_size,)
            The mean, divided by the sum of absolute weights used (zeros if nothing was used).

        Raises
        ------
        ValueError
            If `keys` is empty or `weights` has the wrong length.
        KeyError
            If a key is unknown and `ignore_missing` is False.
        """
        return _queries.get_mean_vector(self, keys, weights, pre_normalize, post_normalize, ignore_missing)

    def most_similar(
        self, positive=None, negative=None, topn=10, clip_start=0, clip_end=None, restrict_vocab=None,
        indexer=None,
    ):
        """Keys most similar (cosine) to the weighted mean of `positive` minus `negative`.

        The query vector is the mean of the unit-length vectors of the given keys (weight +1 for positive,
        -1 for negative, or ``(key, weight)`` pairs), scaled to unit length; keys in the query are excluded
        from the answer. This is word2vec.c's ``distance`` / ``word-analogy`` (3CosAdd).

        Parameters
        ----------
        positive, negative : key, vector, or list of keys / vectors / (key or vector, weight) pairs, optional
        topn : int or None, optional
            Number of results (default 10). None returns the scores of all keys in the range as an array.
        clip_start, clip_end : int, optional
            Only rows ``clip_start:clip_end`` are candidates (default: all).
        restrict_vocab : int, optional
            Only the first `restrict_vocab` rows are candidates (overrides the clip range).
        indexer : object with ``most_similar(vector, topn)``, optional
            Approximate nearest-neighbour index to delegate to (when `topn` is an int).

        Returns
        -------
        list of (key, float) or ndarray of shape (clip_end - clip_start,)
            Best first; ties in the same order as gensim.

        Raises
        ------
        KeyError
            If a key is unknown.
        ValueError
            If no key or vector is given.
        """
        return _queries.most_similar(self, positive, negative, topn, clip_start, clip_end, restrict_vocab, indexer)

    def similar_by_key(self, key, topn=10, restrict_vocab=None):
        """:meth:`most_similar` of a single key: its nearest keys, itself excluded.

        Parameters
        ----------
        key : str or int
        topn : int or None, optional
            Number of results (default 10); None returns the scores of all keys (ndarray of shape (n,)).
        restrict_vocab : int, optional
            Only the first `restrict_vocab` rows are candidates.

        Returns
        -------
        list of (key, float) or ndarray
            Best first, as :meth:`most_similar` returns them.

        Raises
        ------
        KeyError
            If the key is unknown.
        """
        return _queries.similar_by_key(self, key, topn, restrict_vocab)

    def similar_by_word(self, word, topn=10, restrict_vocab=None):
        """Alias of :meth:`similar_by_key`.

        Parameters
        ----------
        word : str or int
        topn : int or None, optional
            Number of results (default 10); None returns all scores.
        restrict_vocab : int, optional
            Only the first `restrict_vocab` rows are candidates.

        Returns
        -------
        list of (key, float) or ndarray

        Raises
        ------
        KeyError
            If the key is unknown.
        """
        return _queries.similar_by_word(self, word, topn, restrict_vocab)

    def similar_by_vector(self, vector, topn=10, restrict_vocab=None):
        """:meth:`most_similar` of a vector: the keys nearest to it (no key is excluded).

        Parameters
        ----------
        vector : ndarray of shape (vector_size,)
            Any vector; it is scaled to unit length first.
        topn : int or None, optional
            Number of results (default 10); None returns the scores of all keys (ndarray of shape (n,)).
        restrict_vocab : int, optional
            Only the first `restrict_vocab` rows are candidates.

        Returns
        -------
        list of (key, float) or ndarray
            Best first.
        """
        return _queries.similar_by_vector(self, vector, topn, restrict_vocab)

    def most_similar_cosmul(self, positive=None, negative=None, topn=10, restrict_vocab=None):
        """Keys best solving an analogy with the multiplicative objective (3CosMul, Levy & Goldberg 2014).

        Each candidate's score is the product of its shifted cosine similarities ``(1 + cos) / 2`` to the
        positive keys divided by the product of those to the negative keys (plus 1e-6).

        Parameters
        ----------
        positive, negative : key, vector, or list of keys / vectors, optional
        topn : int or None, optional
            Number of results (default 10); None returns all scores (ndarray of shape (n,)).
        restrict_vocab : int, optional
            Accepted for compatibility; like gensim, all keys are candidates.

        Returns
        -------
        list of (key, float) or ndarray of shape (n,)

        Raises
        ------
        ValueError
            If `positive` is empty.
        KeyError
            If a key is unknown.
        """
        return _queries.most_similar_cosmul(self, positive, negative, topn, restrict_vocab)

    def rank_by_centrality(self, words, use_norm=True):
        """Rank keys by cosine similarity to the (unit-length) mean of their vectors.

        Parameters
        ----------
        words : list of keys
            Unknown keys are ignored (with a warning).
        use_norm : bool, optional
            Average unit-length vectors (default True).

        Returns
        -------
        list of (numpy.float32, key)
            Most central first.

        Raises
        ------
        ValueError
            If no key is known.
        """
        return _queries.rank_by_centrality(self, words, use_norm)

    def doesnt_match(self, words):
        """The key of `words` least similar to their mean (the last of :meth:`rank_by_centrality`).

        Parameters
        ----------
        words : list of keys
            Unknown keys are ignored (with a warning).

        Returns
        -------
        key

        Raises
        ------
        ValueError
            If no key is known.
        """
        return _queries.doesnt_match(self, words)

    @staticmethod
    def cosine_similarities(vector_1, vectors_all):
        """Cosine similarity between one vector and each row of a matrix.

        Parameters
        ----------
        vector_1 : ndarray of shape (d,)
        vectors_all : ndarray of shape (m, d)

        Returns
        -------
        ndarray of shape (m,)
        """
        return _queries.cosine_similarities(vector_1, vectors_all)

    def distances(self, word_or_vector, other_words=()):
        """Cosine distances (1 - cosine similarity) from a key or vector to other keys.

        Parameters
        ----------
        word_or_vector : key or ndarray of shape (vector_size,)
        other_words : sequence of keys, optional
            Default (empty): all keys, in row order.

        Returns
        -------
        ndarray of shape (len(other_words),) or (n,)

        Raises
        ------
        KeyError
            If a key is unknown.
        """
        return _queries.distances(self, word_or_vector, other_words)

    def distance(self, w1, w2):
        """Cosine distance ``1 - similarity(w1, w2)`` between two keys.

        Parameters
        ----------
        w1, w2 : str or int

        Returns
        -------
        numpy floating scalar
            In ``[0, 2]``, of the vectors' dtype (float32 by default).

        Raises
        ------
        KeyError
            If a key is unknown.
        """
        return _queries.distance(self, w1, w2)

    def similarity(self, w1, w2):
        """Cosine similarity between the vectors of two keys.

        Parameters
        ----------
        w1, w2 : str or int

        Returns
        -------
        numpy floating scalar
            In ``[-1, 1]``, of the vectors' dtype (float32 by default); gensim's value bit for bit.

        Raises
        ------
        KeyError
            If a key is unknown.
        """
        return _queries.similarity(self, w1, w2)

    def n_similarity(self, ws1, ws2):
        """Cosine similarity between the means of the (raw) vectors of two lists of keys.

        Parameters
        ----------
        ws1, ws2 : sequence of keys
            Unknown keys are skipped (a list of unknown keys only has a zero mean, and similarity 0).

        Returns
        -------
        numpy floating scalar
            Of the vectors' dtype (float32 by default).

        Raises
        ------
        ValueError
            If either list is empty (the error is also a ZeroDivisionError, as in gensim).
        """
        return _queries.n_similarity(self, ws1, ws2)

    def wmdistance(self, document1, document2, norm=True):
        """Word Mover's Distance between two documents (Kusner et al. 2015, "From Word Embeddings To
        Document Distances", ICML).

        Each document is a bag of words weighted by relative frequency; the distance is the least total
        cost of moving the weight of one document's words onto the other's, moving weight between two words
        costing the Euclidean distance of their vectors. It is computed exactly by POT's ``ot.emd2``
        (Flamary et al. 2021, "POT: Python Optimal Transport", JMLR), an optional dependency:
        ``pip install POT`` (or ``pip install 'cw2v[wmd]'``).

        Parameters
        ----------
        document1, document2 : sequence of keys
            The documents as lists of tokens (any iterable of keys; a plain string is refused). Tokens
            unknown to these vectors are dropped (an INFO log message gives how many per document).
        norm : bool, optional
            Use unit-length vectors (default True) rather than the raw ones.

        Returns
        -------
        float
            The distance (>= 0, symmetric). ``float('inf')`` if a document has no known token (logged as a
            warning); 0.0 when both consist of one and the same token.

        Raises
        ------
        ImportError
            If POT is not installed (the message says ``pip install POT``).
        TypeError
            If a document is a str/bytes or not iterable.
        ValueError
            With `norm`, if a token used has a zero (or NaN) vector, which has no direction.

        Notes
        -----
        Same values as gensim 4.4.0's ``wmdistance`` (up to floating-point rounding), with two deliberate
        differences: documents whose cost matrix is all zeros (every pair of words has the same vector, or
        parallel vectors with `norm`) get their true distance, 0.0, where gensim returns ``inf``; and zero
        vectors with `norm` raise ValueError where gensim returns a meaningless number.
        """
        from cw2v import _wmd
        return _wmd.wmdistance(self, document1, document2, norm=norm)

    def similarity_unseen_docs(self, *args, **kwargs):
        """Not available on word vectors (as in gensim, where it belongs to Doc2Vec).

        Parameters
        ----------
        *args, **kwargs
            Ignored.

        Raises
        ------
        NotImplementedError
            Always.
        """
        raise NotImplementedError("similarity_unseen_docs() belongs to Doc2Vec models, which cw2v does not provide")

    def most_similar_to_given(self, key1, keys_list):
        """The key of `keys_list` most similar (cosine) to `key1`.

        Parameters
        ----------
        key1 : str or int
        keys_list : sequence of keys
            Candidates (at least one); the first of equally similar ones wins.

        Returns
        -------
        key
            An element of `keys_list`.

        Raises
        ------
        KeyError
            If a key is unknown.
        ValueError
            If `keys_list` is empty.
        """
        return _queries.most_similar_to_given(self, key1, keys_list)

    def closer_than(self, key1, key2):
        """Keys closer (cosine distance) to `key1` than `key2` is, in row order, `key1` excluded.

        Parameters
        ----------
        key1, key2 : str or int

        Returns
        -------
        list of keys

        Raises
        ------
        KeyError
            If a key is unknown.
        """
        return _queries.closer_than(self, key1, key2)

    def words_closer_than(self, word1, word2):
        """Deprecated alias of :meth:`closer_than` (a DeprecationWarning says so).

        Parameters
        ----------
        word1, word2 : str or int

        Returns
        -------
        list of keys
        """
        warnings.warn("words_closer_than() is deprecated, use closer_than()", DeprecationWarning, stacklevel=2)
        return self.closer_than(word1, word2)

    def rank(self, key1, key2):
        """Rank of `key2` among all keys by cosine distance from `key1` (1 = closest).

        Parameters
        ----------
        key1, key2 : str or int

        Returns
        -------
        int
            ``len(closer_than(key1, key2)) + 1``.

        Raises
        ------
        KeyError
            If a key is unknown.
        """
        return _queries.rank(self, key1, key2)

    def relative_cosine_similarity(self, wa, wb, topn=10):
        """Similarity of `wa` and `wb` divided by the summed similarities of `wa`'s `topn` neighbours.

        (Leeuwenberg et al. 2016, "A Minimally Supervised Approach for Synonym Extraction with Word
        Embeddings", eq. 1.)

        Parameters
        ----------
        wa, wb : str or int
        topn : int, optional
            Neighbours of `wa` summed (default 10).

        Returns
        -------
        float

        Raises
        ------
        KeyError
            If a key is unknown.
        ValueError
            If `wa` has no neighbours.
        """
        return _queries.relative_cosine_similarity(self, wa, wb, topn)

    # ------------------------------------------------------------------------------------------ sorting

    def sort_by_descending_frequency(self):
        """Reorder keys (and their rows and attributes) by descending ``'count'`` attribute, in place.

        Keys with equal counts end up in *reverse* order of their previous rows, exactly as gensim orders
        them. ``norms`` is reset.

        Raises
        ------
        KeyError
            If there is no ``'count'`` attribute.
        """
        if not len(self):
            return
        counts = np.asarray(self.expandos["count"], dtype=np.int64)
        order = np.lexsort((-np.arange(len(counts)), -counts))
        self.index_to_key = [self.index_to_key[i] for i in order]
        self.allocate_vecattrs()
        for attr in self.expandos:
            self.expandos[attr] = self.expandos[attr][order]
        if len(self.vectors):
            self.vectors = np.ascontiguousarray(self.vectors[order])
        self.key_to_index = {key: i for i, key in enumerate(self.index_to_key)}
        self.norms = None

    # --------------------------------------------------------------------------------------- evaluation

    #: gensim's name for the per-section accuracy logger of :meth:`evaluate_word_analogies`: logs one section
    #: (a dict with ``'section'``, ``'correct'`` and ``'incorrect'``) at INFO level and returns its accuracy
    #: (float; 0.0, not logged, for a section without questions).
    _log_evaluate_word_analogies = staticmethod(_evaluation.log_section)

    @staticmethod
    def log_accuracy(section):
        """Log the accuracy of one section of :meth:`evaluate_word_analogies` results (INFO level).

        Parameters
        ----------
        section : dict
            With keys ``'section'`` (str), ``'correct'`` and ``'incorrect'`` (lists). Nothing is logged for a
            section without questions.
        """
        _evaluation.log_section(section)

    @staticmethod
    def log_evaluate_word_pairs(pearson, spearman, oov, pairs):
        """Log the results of :meth:`evaluate_word_pairs` (INFO level).

        Parameters
        ----------
        pearson, spearman : tuple-like of (statistic, pvalue)
        oov : float
            Percentage of pairs with unknown words.
        pairs : str or os.PathLike
            The file evaluated (for the message).
        """
        _evaluation.log_evaluate_word_pairs(pearson, spearman, oov, pairs)

    def evaluate_word_analogies(
        self, analogies, restrict_vocab=300000, case_insensitive=True, dummy4unknown=False,
        similarity_function="most_similar",
    ):
        """Accuracy on analogy questions ``a b c d`` ("a is to b as c is to d"), as word2vec.c's
        ``compute-accuracy`` and gensim compute it.

        For each question whose four words are among the first `restrict_vocab` keys, the answer is the
        first of the 5 keys most similar to ``b - a + c`` (3CosAdd, see :meth:`most_similar`, input keys
        excluded) that is none of ``a, b, c``; the question is correct when it equals ``d``. Results
        (sections, order, answers) are identical to gensim's. Questions are scored in batches with one
        matrix product each; the few whose outcome is decided by a margin within floating-point noise are
        recomputed exactly the way gensim does.

        Parameters
        ----------
        analogies : str, os.PathLike or binary file object
            UTF-8 file of sections: a ``": name"`` line, then one question of four words per line
            (like ``questions-words.txt``). Lines without exactly four words are skipped.
        restrict_vocab : int or None, optional
            Only the first `restrict_vocab` keys are used, as vocabulary and as candidate answers
            (default 300000; None means all).
        case_insensitive : bool, optional
            Compare words upper-cased (default True); for keys differing only in case, the first (most
            frequent, in a sorted vocabulary) is used.
        dummy4unknown : bool, optional
            Count questions with unknown words as incorrect (default False: skip them).
        similarity_function : str, optional
            Accepted for compatibility with gensim 4.4.0, which takes any value (e.g.
            ``'most_similar_cosmul'``) and always answers with 3CosAdd (``'most_similar'``, the default).
            cw2v does the same, so results never depend on it; a value other than ``'most_similar'`` is
            logged (at WARNING level) as ignored. For 3CosMul answers to single questions, call
            :meth:`most_similar_cosmul`.

        Returns
        -------
        score : float
            Overall accuracy (0.0 if no question was evaluated).
        sections : list of dict
            One dict per section in file order, then a ``'Total accuracy'`` one; each with keys
            ``'section'`` (str), ``'correct'`` and ``'incorrect'`` (lists of 4-tuples of str, upper-cased
            when `case_insensitive`).

        Raises
        ------
        ValueError
            A question before any section header, or a file without any question (that error is also a
            ZeroDivisionError, which gensim raises there).
        UnicodeDecodeError
            If the file is not valid UTF-8.
        """
        return _evaluation.evaluate_word_analogies(self, analogies, restrict_vocab, case_insensitive, dummy4unknown,
                                                   similarity_function)

    def evaluate_word_pairs(
        self, pairs, delimiter="\t", encoding="utf8", restrict_vocab=300000, case_insensitive=True,
        dummy4unknown=False,
    ):
        """Correlation between the model's cosine similarities and human judgements of word pairs.

        Parameters
        ----------
        pairs : str, os.PathLike or binary file object
            Text file of ``word1<delimiter>word2<delimiter>score`` lines (like ``wordsim353.tsv``); lines
            starting with ``#`` and malformed lines are skipped.
        delimiter : str, optional
            Field separator (default tab).
        encoding : str, optional
            File encoding (default ``'utf8'``).
        restrict_vocab : int or None, optional
            Only the first `restrict_vocab` keys count as known (default 300000; None means all).
        case_insensitive : bool, optional
            Compare words upper-cased (default True); the first spelling of a key wins.
        dummy4unknown : bool, optional
            Give pairs with unknown words similarity 0.0 instead of skipping them (default False).

        Returns
        -------
        pearson : scipy.stats PearsonRResult
            Pearson correlation and two-sided p-value (unpacks as ``(statistic, pvalue)``).
        spearman : scipy.stats SignificanceResult
            Spearman rank correlation and p-value.
        oov_ratio : float
            Percentage of pairs with unknown words.

        Raises
        ------
        ValueError
            If no pair could be used.
        """
        return _evaluation.evaluate_word_pairs(self, pairs, delimiter, encoding, restrict_vocab, case_insensitive,
                                               dummy4unknown)

    # ------------------------------------------------------------------------------------------- files

    def save_word2vec_format(
        self, fname, fvocab=None, binary=False, total_vec=None, write_header=True, prefix="", append=False,
        sort_attr="count",
    ):
        """Save the vectors in word2vec.c's format, byte for byte as gensim does.

        Parameters
        ----------
        fname : str, os.PathLike or binary file object
            Destination; a path is written atomically (temporary file + rename), ``.gz``/``.bz2``/``.xz``
            compressed by extension.
        fvocab : str, os.PathLike or None, optional
            Also write a vocabulary file of ``key <sort_attr value>`` lines.
        binary : bool, optional
            Binary layout (True) or text (False, default).
        total_vec : int, optional
            Count written in the header (default: number of keys).
        write_header : bool, optional
            Write the ``"<count> <dim>"`` line (default True).
        prefix : str, optional
            Prepended to every key (default ``''``).
        append : bool, optional
            Append to existing files instead of replacing them (default False).
        sort_attr : str, optional
            Write keys by descending value of this attribute, ties in insertion order (default ``'count'``);
            without such an attribute, keys are written in row order.

        Raises
        ------
        ValueError
            `fvocab` given but `sort_attr` missing; a key containing a space or newline; inconsistent
            ``vectors`` shape.
        OSError
            If writing fails (any previous file is left unchanged).
        """
        if self.vectors.shape != (len(self.index_to_key), self.vector_size):
            raise ValueError(
                f"vectors has shape {self.vectors.shape} but there are {len(self.index_to_key)} keys "
                f"of size {self.vector_size}"
            )
        values = self.expandos.get(sort_attr)
        if values is not None:
            rows = np.fromiter(self.key_to_index.values(), dtype=np.intp, count=len(self.key_to_index))
            order = rows[_descending_stable(values[rows])]
        else:
            if fvocab is not None:
                raise ValueError(f"Cannot store vocabulary with '{sort_attr}' because that attribute does not exist")
            logger.warning("attribute %s not present in %s; will store in internal index_to_key order", sort_attr, self)
            order = None
        logger.info("storing %sx%s projection weights into %s", total_vec or len(self), self.vector_size, fname)
        _write_word2vec(
            fname, self.index_to_key, self.vectors, order, binary=binary, write_header=write_header, prefix=prefix,
            append=append, fvocab=fvocab, counts=values, total_vec=total_vec,
        )

    @classmethod
    def load_word2vec_format(
        cls, fname, fvocab=None, binary=False, encoding="utf8", unicode_errors="strict", limit=None,
        datatype=np.float32, no_header=False,
    ):
        """Load vectors from a file in word2vec.c's text or binary format.

        Parameters
        ----------
        fname : str, os.PathLike or binary file object
            The file (``.gz``/``.bz2``/``.xz`` decompressed).
        fvocab : str, os.PathLike or None, optional
            Vocabulary file (``key count`` lines, word2vec.c's ``-save-vocab``) giving the ``'count'``
            attribute. Without it counts are made up in descending file order (``total - row``), as gensim
            does. Keys missing from `fvocab` get count 0 (with a warning).
        binary : bool, optional
            Binary layout (True) or text (False, default).
        encoding : str, optional
            Encoding of the keys (default ``'utf8'``).
        unicode_errors : str, optional
            Error handler for undecodable keys (default ``'strict'``; ``'replace'``/``'ignore'`` help with
            word2vec.c files whose keys were cut inside a character).
        limit : int, optional
            Read only the first `limit` vectors (None or 0: all).
        datatype : numpy floating dtype, optional
            dtype of ``vectors`` (default float32).
        no_header : bool, optional
            The (text) file has no ``"<count> <dim>"`` line.

        Returns
        -------
        KeyedVectors
            With ``vectors`` of shape (n, dim), dtype `datatype`, and an int64 ``'count'`` attribute.

        Raises
        ------
        ValueError, EOFError
            Malformed or truncated files, see :func:`cw2v.formats.read_word2vec_format`.
        UnicodeDecodeError
            A key (or `fvocab` line) undecodable with ``unicode_errors='strict'``
            (:class:`cw2v.formats.KeyDecodeError`, also a ValueError).
        """
        keys, vectors, counts = read_word2vec_format(
            fname, binary=binary, limit=limit, unicode_errors=unicode_errors, datatype=datatype,
            no_header=no_header, encoding=encoding,
        )
        if fvocab is not None:
            known = read_word2vec_vocab(fvocab, unicode_errors=unicode_errors, encoding=encoding)
            missing = sum(1 for key in keys if key not in known)
            if missing:
                logger.warning(
                    "vocabulary file %s lacks %d of the %d keys; their count is 0", fvocab, missing, len(keys)
                )
            counts = np.array([known.get(key, 0) for key in keys], dtype=np.int64)
        kv = cls(vectors.shape[1], 0, dtype=vectors.dtype)
        kv.vectors = vectors
        kv.index_to_key = keys
        kv.key_to_index = dict(zip(keys, range(len(keys))))
        kv.expandos = {"count": counts}
        kv.next_index = len(keys)
        logger.info("loaded %s matrix of type %s from %s", vectors.shape, vectors.dtype, fname)
        return kv

    def intersect_word2vec_format(self, fname, lockf=0.0, binary=False, encoding="utf8", unicode_errors="strict"):
        """Overwrite the vectors of keys also found in a word2vec C file with the file's vectors.

        No key is added; keys absent from the file keep their vectors. A key present several times in the
        file gets its last vector (as in gensim).

        Parameters
        ----------
        fname : str, os.PathLike or binary file object
            A word2vec text or binary file (``.gz``/``.bz2``/``.xz`` decompressed).
        lockf : float, optional
            Lock factor recorded for the merged rows in ``vectors_lockf`` (default 0.0), an array of shape
            (n,) float32 created (all ones) if missing or of another length. Training (cw2v's, as gensim's)
            scales the updates of a row by it: 0.0 keeps the merged vectors fixed.
        binary : bool, optional
            Binary (True) or text (False, default) file.
        encoding : str, optional
            Encoding of the keys (default ``'utf8'``).
        unicode_errors : str, optional
            Error handler for undecodable keys (default ``'strict'``).

        Raises
        ------
        ValueError
            The file's dimensionality differs from ``vector_size``; malformed file (see
            :func:`cw2v.formats.read_word2vec_format`).
        """
        keys, vectors, _ = read_word2vec_format(
            fname, binary=binary, encoding=encoding, unicode_errors=unicode_errors, datatype=np.float32,
            _keep_duplicates=True,
        )
        if vectors.shape[1] != self.vector_size:
            raise ValueError(f"incompatible vector size {vectors.shape[1]} in file {fname} "
                             f"(these vectors have size {self.vector_size})")
        last = {}
        for i, key in enumerate(keys):
            row = self.key_to_index.get(key)
            if row is not None:
                last[row] = i
        rows = np.fromiter(last.keys(), dtype=np.intp, count=len(last))
        source = np.fromiter(last.values(), dtype=np.intp, count=len(last))
        self.vectors[rows] = vectors[source]
        self.norms = None
        lockf_arr = getattr(self, "vectors_lockf", None)
        if not isinstance(lockf_arr, np.ndarray) or lockf_arr.shape != (len(self.vectors),):
            lockf_arr = np.ones(len(self.vectors), dtype=np.float32)
        lockf_arr[rows] = lockf
        self.vectors_lockf = lockf_arr
        logger.info("merged %d vectors into %s matrix from %s", len(rows), self.vectors.shape, fname)

    # ------------------------------------------------------------------------------------ save/load

    def _persistent_state(self):
        """What a saved file holds of these vectors: plain values and the arrays themselves (not copies).

        Every format reads this (:mod:`cw2v._native`, the gensim conversions of :mod:`cw2v._gensim_io`), and
        :meth:`_from_persistent_state` builds the object back from it.

        Returns
        -------
        dict
            ``vector_size`` (int), ``keys`` (``index_to_key``), ``key_to_index`` (dict), ``vectors``
            (ndarray), ``next_index`` (int), ``mapfile_path`` (str or None), ``expandos`` (dict of per-key
            arrays), ``vectors_lockf`` (ndarray or None) and ``lifecycle_events`` (list of dict, or None).
        """
        return {
            "vector_size": self.vector_size,
            "keys": self.index_to_key,
            "key_to_index": self.key_to_index,
            "vectors": self.vectors,
            "next_index": getattr(self, "next_index", len(self.index_to_key)),
            "mapfile_path": getattr(self, "mapfile_path", None),
            "expandos": self.expandos,
            "vectors_lockf": getattr(self, "vectors_lockf", None),
            "lifecycle_events": getattr(self, "lifecycle_events", None),
        }

    @classmethod
    def _from_persistent_state(cls, state):
        """A new instance holding `state`, as :meth:`_persistent_state` gives it and a reader checked it.

        Parameters
        ----------
        state : dict
            As :meth:`_persistent_state` returns it; ``key_to_index`` may be None for the inverse of ``keys``
            (the first of equal keys wins, None keys are left out). The arrays are kept as they are
            (memory-mapped ones stay mapped), except ``vectors_lockf``, copied to float32 (training reads it).

        Returns
        -------
        KeyedVectors
        """
        vectors, keys = state["vectors"], state["keys"]
        kv = cls(int(state["vector_size"]), 0, dtype=vectors.dtype)
        kv.vectors = vectors
        kv.index_to_key = keys
        key_to_index = state.get("key_to_index")
        if key_to_index is None:
            key_to_index = {}
            for i, key in enumerate(keys):
                if key is not None:
                    key_to_index.setdefault(key, i)
        kv.key_to_index = key_to_index
        kv.next_index = state.get("next_index", len(keys))
        kv.mapfile_path = state.get("mapfile_path")
        kv.expandos = dict(state.get("expandos", {}))
        if state.get("vectors_lockf") is not None:
            kv.vectors_lockf = np.array(state["vectors_lockf"], dtype=np.float32)
        if state.get("lifecycle_events") is not None:
            kv.lifecycle_events = list(state["lifecycle_events"])
        kv.norms = None
        return kv

    def save(self, fname_or_handle, separately=None, sep_limit=10 * 1024 ** 2, ignore=frozenset(),
             pickle_protocol=None, format=None):
        """Save to one file: cw2v's native format (no pickle, memory-mappable), or gensim's.

        The file is written to a temporary file in the same folder, fsynced and renamed into place, so an
        interrupted save leaves the previous file loadable. See :mod:`cw2v.persist` for the layout (a
        safetensors file: JSON header, then every array at a 64-byte offset). Load with :meth:`load`.

        Parameters
        ----------
        fname_or_handle : str or os.PathLike
            Destination file (file objects are not supported).
        separately, sep_limit, pickle_protocol : optional
            Accepted for compatibility with gensim and ignored: arrays always go into the one file.
        ignore : collection of str, optional
            Must be empty (every attribute is stored).
        format : {'cw2v', 'gensim', None}, optional
            None (default): ``'cw2v'``, or ``'gensim'`` while :func:`cw2v.patch_gensim` is active (see
            :func:`cw2v.persist.default_save_format`). ``'cw2v'``: the native format, which stores str and
            int keys. ``'gensim'``: a pickle that gensim 4.4.0's ``KeyedVectors.load`` reads (and cw2v's
            :meth:`load`); needs gensim installed, stores any picklable key.

        Raises
        ------
        TypeError
            A file object was given, or a per-key attribute holds objects that cannot be stored without pickle.
        ValueError
            `ignore` is not empty, `format` is unknown, ``vectors`` is inconsistent with ``index_to_key``, or
            (native format) a key is neither str nor int (the message names it and suggests
            ``format='gensim'``).
        ImportError
            ``format='gensim'`` without gensim installed.
        OSError
            If writing fails (the previous file is left intact).
        """
        if ignore:
            raise ValueError("ignore= is not supported by cw2v's save (every attribute is stored)")
        if format is None:
            format = persist.default_save_format()
        if format == "gensim":
            persist.save_gensim(self, fname_or_handle)
        elif format == "cw2v":
            persist.save_keyed_vectors(self, fname_or_handle)
        else:
            raise ValueError(f"format must be 'cw2v' or 'gensim', got {format!r}")

    @classmethod
    def load(cls, fname, mmap=None):
        """Load vectors saved by :meth:`save` or by gensim (1.x to 4.x ``KeyedVectors.save``).

        gensim files (pickles) are read with a restricted unpickler that admits only the classes such files
        need and refuses anything else (:class:`cw2v.persist.UnsafePickleError`) before it runs; gensim is not
        needed. The kind of file is detected from its first bytes.

        Parameters
        ----------
        fname : str or os.PathLike
        mmap : {None, 'r', 'r+', 'c'}, optional
            Memory-map the arrays (``'r'`` gives read-only ``np.memmap`` vectors, views into the file at
            64-byte aligned offsets). Default None reads them into memory.

        Returns
        -------
        KeyedVectors or Word2Vec
            A file holding a full model gives the :class:`cw2v.Word2Vec` model, as gensim's
            ``KeyedVectors.load`` does (a warning is logged; its vectors are ``.wv``).

        Raises
        ------
        cw2v.persist.PersistFormatError (a ValueError)
            Malformed, inconsistent or unsupported file.
        cw2v.persist.UnsafePickleError (a pickle.UnpicklingError)
            A pickle referencing a class that gensim KeyedVectors files do not need.
        OSError
            If a file cannot be read.
        """
        return persist.load_keyed_vectors(fname, mmap=mmap, cls=cls)

    def to_gensim(self):
        """A gensim ``KeyedVectors`` with a copy of these keys, vectors and per-key attributes.

        Returns
        -------
        gensim.models.keyedvectors.KeyedVectors
            Nothing is shared with this object, which is not modified.

        Raises
        ------
        ImportError
            gensim is not installed (``pip install gensim``).
        """
        return persist.keyed_vectors_to_gensim(self)

    @classmethod
    def from_gensim(cls, kv):
        """A cw2v ``KeyedVectors`` with a copy of a gensim ``KeyedVectors``.

        Parameters
        ----------
        kv : gensim.models.keyedvectors.KeyedVectors
            Not modified.

        Returns
        -------
        KeyedVectors

        Raises
        ------
        ImportError
            gensim is not installed (``pip install gensim``).
        TypeError
            `kv` is not a gensim KeyedVectors.
        cw2v.persist.PersistFormatError (a ValueError)
            Its attributes are inconsistent.
        """
        return persist.keyed_vectors_from_gensim(cls, kv)


persist.register_class("KeyedVectors", KeyedVectors)  # files holding KeyedVectors load into it by default

# gensim's other names for the class (old pickles and imports refer to them).
Word2VecKeyedVectors = KeyedVectors
Doc2VecKeyedVectors = KeyedVectors
EuclideanKeyedVectors = KeyedVectors
