"""Files: replacing one atomically, and (de)compressing by the name's extension.

Every file cw2v writes goes through :class:`AtomicFile` (or :func:`atomic_write`): the data goes to a new
temporary file in the destination's folder, which is flushed and fsynced and then renamed over the
destination, after which the folder is fsynced too. An interrupted or failed write (an exception, including
KeyboardInterrupt) removes the temporary file and leaves the previous file at the destination as it was; a
program reading or memory-mapping the previous file keeps a valid file (the rename gives the name a new
file). A replaced file's permission bits are kept; a new file gets the usual umask-based mode.

Every compressed file cw2v opens by name goes through :data:`COMPRESSIONS` (extension -> module); files
whose compression is told by their first bytes (gensim pickles) through :data:`MAGIC`.

This module depends on the standard library only and imports nothing from cw2v.
"""
from __future__ import annotations

import builtins
import bz2
import contextlib
import gzip
import lzma
import os
import secrets
import stat

__all__ = ["COMPRESSIONS", "MAGIC", "compression_of", "compression_of_head", "open_read", "open_compressed",
           "AtomicFile", "atomic_write", "fsync_dir"]

#: The module that (de)compresses a file, by the lower-cased extension of its name. ``.lzma`` files are read
#: in either container (``lzma`` detects it) and written in the xz container, as :func:`lzma.open` does.
COMPRESSIONS = {".gz": gzip, ".bz2": bz2, ".xz": lzma, ".lzma": lzma}
#: ``(first bytes, compression name, module)`` of the compressed files recognised by their content.
MAGIC = ((b"\x1f\x8b", "gzip", gzip), (b"BZh", "bz2", bz2), (b"\xfd7zXZ\x00", "xz", lzma))

#: Attempts at a fresh temporary name before giving up (each draws 48 random bits).
_TEMP_ATTEMPTS = 100
#: Bytes copied at a time when an append starts from the previous file.
_COPY_BLOCK = 1 << 24


def compression_of(path):
    """The module (gzip, bz2 or lzma) that `path`'s extension calls for, or None for a plain file.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    module or None
    """
    return COMPRESSIONS.get(os.path.splitext(os.fspath(path))[1].lower())


def compression_of_head(head):
    """The name of the compression whose magic bytes start `head` (``'gzip'``, ``'bz2'``, ``'xz'``), or None."""
    for magic, name, _ in MAGIC:
        if head.startswith(magic):
            return name
    return None


def open_read(path):
    """Open a local file for reading bytes, decompressing it by its extension (see :data:`COMPRESSIONS`).

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    binary file object

    Raises
    ------
    OSError
        If the file cannot be opened.
    """
    module = compression_of(path)
    return module.open(path, "rb") if module is not None else builtins.open(path, "rb")


def open_compressed(path, mode):
    """Open a local file in binary `mode` through its extension's compression (not atomically).

    Parameters
    ----------
    path : str or os.PathLike
        Its extension must be one of :data:`COMPRESSIONS`.
    mode : {'rb', 'wb', 'ab', 'xb'}

    Returns
    -------
    binary file object

    Raises
    ------
    ValueError
        If `path` has no compression extension.
    """
    module = compression_of(path)
    if module is None:
        raise ValueError(f"{os.fspath(path)!r} has no compression extension ({', '.join(COMPRESSIONS)})")
    return module.open(path, mode)


def fsync_dir(folder):
    """Flush a folder's entries to disk, so that a rename in it survives a crash (errors are ignored)."""
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


def _compressing(raw, path):
    """`raw` (a binary file) wrapped in the compressor `path`'s extension calls for, or `raw` itself."""
    module = compression_of(path)
    if module is gzip:
        # the name stored in the gzip header is the destination's, not the temporary file's
        inner = os.path.splitext(os.path.basename(path))[0]
        return gzip.GzipFile(filename=inner, mode="wb", fileobj=raw)
    if module is not None:
        return module.open(raw, "wb")
    return raw


class AtomicFile:
    """A temporary file beside `path` that replaces `path` only on :meth:`commit`.

    Used as a context manager, the temporary file is finished and renamed into place when the block ends
    normally, and removed when it raises (anything, KeyboardInterrupt included)::

        with AtomicFile(path) as out:
            out.write(b"...")

    Parameters
    ----------
    path : str or os.PathLike
        Destination. Its folder must exist.
    append : bool, optional
        Start the temporary file with a copy of the bytes of `path` (if it exists). Default False.
    compress : bool, optional
        Compress what :meth:`write` gets by the extension of `path` (:data:`COMPRESSIONS`; appending to a
        compressed file adds a new gzip member / bz2 or xz stream, which readers concatenate). Default False.
    by_name : bool, optional
        Open no file object: a library writes the file named :attr:`tmp` itself (an index saved by path).
        Default False.

    Attributes
    ----------
    path : str
        Absolute destination.
    tmp : str or None
        The temporary file (``.<name>.<12 hex digits>.tmp`` in the destination's folder); None once renamed or
        removed.
    file : binary file object or None
        What to write to (a compressor over the temporary file with `compress`); None with `by_name`.

    Raises
    ------
    IsADirectoryError
        If `path` is a folder.
    OSError
        If the temporary file cannot be created (e.g. the folder does not exist).
    """

    def __init__(self, path, *, append=False, compress=False, by_name=False):
        self.path = os.path.abspath(os.fspath(path))
        if os.path.isdir(self.path):
            raise IsADirectoryError(f"cannot save to {os.fspath(path)}: it is a directory")
        folder, base = os.path.split(self.path)
        for _ in range(_TEMP_ATTEMPTS):
            tmp = os.path.join(folder, f".{base}.{secrets.token_hex(6)}.tmp")
            try:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
                break
            except FileExistsError:
                continue
        else:  # pragma: no cover - 100 collisions of 48 random bits
            raise FileExistsError(f"could not create a temporary file in {folder}")
        self.tmp = tmp
        self._raw = None
        self.file = None
        try:
            self._keep_mode()
            if by_name:
                os.close(fd)
                return
            self._raw = os.fdopen(fd, "wb")
            if append and os.path.exists(self.path):
                with builtins.open(self.path, "rb") as old:
                    while True:
                        block = old.read(_COPY_BLOCK)
                        if not block:
                            break
                        self._raw.write(block)
            self.file = _compressing(self._raw, self.path) if compress else self._raw
        except BaseException:
            if self._raw is None and not by_name:
                with contextlib.suppress(OSError):
                    os.close(fd)
            self.abort()
            raise

    def _keep_mode(self):
        """Give the temporary file the permission bits of the file it replaces (if any)."""
        if os.path.exists(self.path):
            with contextlib.suppress(OSError):
                os.chmod(self.tmp, stat.S_IMODE(os.stat(self.path).st_mode))

    def write(self, data):
        """Write bytes (through the compressor, with `compress`)."""
        self.file.write(data)

    def finish(self):
        """Close the compressor, flush and fsync the temporary file and close it (it is not renamed yet)."""
        if self._raw is None:  # written by name: fsync what the library wrote
            self._keep_mode()
            fd = os.open(self.tmp, os.O_RDWR)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            return
        if self.file is not self._raw:
            self.file.close()
        self._raw.flush()
        os.fsync(self._raw.fileno())
        self._raw.close()

    def commit(self):
        """Rename the finished temporary file over the destination and fsync the folder."""
        os.replace(self.tmp, self.path)
        self.tmp = None
        fsync_dir(os.path.dirname(self.path))

    def abort(self):
        """Close and remove the temporary file (nothing happens to the destination). Never raises."""
        with contextlib.suppress(Exception):
            if self.file is not None and self.file is not self._raw:
                self.file.close()
        with contextlib.suppress(Exception):
            if self._raw is not None:
                self._raw.close()
        if self.tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.tmp)
            self.tmp = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            self.abort()
            return False
        try:
            self.finish()
            self.commit()
        except BaseException:
            self.abort()
            raise
        return False


def atomic_write(path, write):
    """Call ``write(f)`` with a new binary file `f` beside `path`, then rename it over `path` (see :class:`AtomicFile`).

    Parameters
    ----------
    path : str or os.PathLike
    write : callable
        Gets the binary file object; what it returns is ignored.

    Raises
    ------
    IsADirectoryError
        If `path` is a folder.
    OSError
        If writing fails; the previous file at `path`, if any, is left intact.
    """
    with AtomicFile(path) as out:
        write(out.file)
