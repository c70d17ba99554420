#!/usr/bin/env python
"""Save / load / memory-mapped load time and size of candidate file layouts for ``save()``.

Two objects are measured, both with random float32 weights:

* ``kv``: a :class:`cw2v.KeyedVectors` of 300,000 keys x 300 dimensions (keys ``w0, w1, ...``, a ``count``
  per key);
* ``model``: a skip-gram negative-sampling :class:`cw2v.Word2Vec` with the same vocabulary (Zipf counts,
  ``build_vocab_from_freq``): ``wv.vectors`` and ``syn1neg`` (300,000 x 300 each), ``cum_table`` and the
  vocabulary tables the kernels read.

Layouts (the manifest, i.e. everything but the arrays, is the same JSON for the first three):

* ``one-file``: cw2v's one-file layout (safetensors: 8-byte header length, JSON header, raw little-endian
  arrays at 64-byte offsets; the manifest is a uint8 array in the file), :func:`cw2v.persist.save_keyed_vectors`;
* ``zip``: a zip archive (``zipfile``, members stored uncompressed) of one ``.npy`` member per array plus a
  ``manifest.json`` member, each ``.npy`` member's data padded to a 64-byte offset through the local header's
  extra field; read by offset (``np.memmap`` / ``readinto`` at the member's data offset). Written here only,
  as a candidate: the same temporary-file / fsync / rename as the one-file layout;
* ``manifest+npy``: cw2v 0.1's layout (JSON manifest plus one ``.npy`` file per array beside it);
* ``gensim``: gensim 4.4.0's ``save()`` (pickle, arrays over 10 MB in ``.npy`` files beside it), for reference.

Each (object, layout) is saved ``--repeat`` times into a fresh temporary folder (the median save time is
reported; every save ends with fsync and rename), then loaded ``--repeat`` times fully into memory and
``--repeat`` times with ``mmap='r'`` (medians; the files are in the page cache, so loads measure parsing and
copying, not the disk). Size is the total of every file the save wrote. All in one process, one after another.

    python bench/save_formats.py                   # 300,000 x 300, 3 repeats (a few minutes)
    python bench/save_formats.py --rows 30000 --repeat 1
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import struct
import sys
import tempfile
import time
import zipfile

import numpy as np

from cw2v import KeyedVectors, Word2Vec, _fileio, _native, persist

# ------------------------------------------------------------------------------------------ zip candidate

def _zip_save(obj, path):
    sink = _native._ArraySink()
    if isinstance(obj, Word2Vec):
        manifest = _native._model_manifest(obj._persistent_state(), sink)
    else:
        manifest = _native._manifest_head("KeyedVectors", sink)
        manifest["kv"] = _native._kv_section(obj._persistent_state(), sink, "")
    import json
    manifest_bytes = json.dumps(manifest, separators=(",", ":")).encode()

    def write(f):
        with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
            for name, (_, arr) in sink.arrays.items():
                arr = np.ascontiguousarray(arr)
                member = name + ".npy"
                info = zipfile.ZipInfo(member, date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_STORED
                # local header: 30 bytes + name + extra (+ 20 bytes of zip64 extra that zipfile adds when forced)
                start = f.tell() + 30 + len(member.encode()) + 20
                pad = -(start + 4) % 64  # 4 bytes: the padding extra field's own id and length
                info.extra = struct.pack("<HH", 0xCAFE, pad) + b"\0" * pad
                with zf.open(info, "w", force_zip64=True) as out:
                    np.lib.format.write_array(out, arr, allow_pickle=False)
            zf.writestr("manifest.json", manifest_bytes)

    _fileio.atomic_write(path, write)


class _ZipSource:
    def __init__(self, path):
        self.path = path
        self.offsets = {}
        with open(path, "rb") as f, zipfile.ZipFile(f) as zf:
            for info in zf.infolist():
                f.seek(info.header_offset)
                local = f.read(30)
                n_name, n_extra = struct.unpack("<HH", local[26:30])
                self.offsets[info.filename] = info.header_offset + 30 + n_name + n_extra
            import json
            self.manifest = json.loads(zf.read("manifest.json"))

    def load(self, ref, mmap, where):
        name = ref["tensor"]
        start = self.offsets[name + ".npy"]
        with open(self.path, "rb") as f:
            f.seek(start)
            shape, _, dtype = _native.read_npy_header(f, where)
            data = f.tell()
            if mmap:
                return np.memmap(self.path, dtype=dtype, mode=mmap, offset=data, shape=shape), name
            out = np.empty(shape, dtype=dtype)
            f.readinto(memoryview(out.reshape(-1)).cast("B"))
            return out, name


def _zip_load(cls, path, mmap):
    real_read, real_kind = _native.read_manifest, _native.file_kind

    def read_manifest(p, where=None):
        source = _ZipSource(p)
        return source.manifest, source
    _native.read_manifest, _native.file_kind = read_manifest, lambda p: "native"
    try:
        if cls is Word2Vec:
            return persist.load_word2vec_model(path, mmap=mmap)
        return persist.load_keyed_vectors(path, mmap=mmap)
    finally:
        _native.read_manifest, _native.file_kind = real_read, real_kind


# ------------------------------------------------------------------------------------------ objects

def make_objects(rows, dim):
    rng = np.random.default_rng(0)
    keys = [f"w{i}" for i in range(rows)]
    counts = (1e7 / np.arange(1, rows + 1)).astype(np.int64) + 5
    kv = KeyedVectors(dim)
    kv.add_vectors(keys, rng.standard_normal((rows, dim), dtype=np.float32))
    kv.expandos["count"] = counts.copy()
    model = Word2Vec(vector_size=dim, sg=1, negative=5, min_count=1, workers=1, seed=1)
    model.build_vocab_from_freq(dict(zip(keys, counts.tolist())))
    model.syn1neg[:] = rng.standard_normal(model.syn1neg.shape, dtype=np.float32)
    return kv, model


def _gensim_objects(kv, model):
    try:
        return kv.to_gensim(), model.to_gensim()
    except (AttributeError, ImportError):
        return None


def folder_size(folder):
    return sum(os.path.getsize(os.path.join(folder, n)) for n in os.listdir(folder))


def timed(fn, repeat):
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return statistics.median(out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--dim", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--layouts", default="one-file,zip,manifest+npy,gensim")
    args = parser.parse_args(argv)
    kv, model = make_objects(args.rows, args.dim)
    gensim_objs = _gensim_objects(kv, model) if "gensim" in args.layouts else None
    rows = []
    for what, obj in (("kv", kv), ("model", model)):
        cls = Word2Vec if what == "model" else KeyedVectors
        for layout in args.layouts.split(","):
            folder = tempfile.mkdtemp(prefix="cw2v-save-bench-")
            path = os.path.join(folder, what)
            if layout == "one-file":
                save = lambda: obj.save(path)  # noqa: E731
                load = lambda mmap: cls.load(path, mmap=mmap)  # noqa: E731
            elif layout == "zip":
                save = lambda: _zip_save(obj, path)  # noqa: E731
                load = lambda mmap: _zip_load(cls, path, mmap)  # noqa: E731
            elif layout == "manifest+npy":
                writer = (persist._save_word2vec_model_manifest if what == "model"
                          else persist._save_keyed_vectors_manifest)
                save = lambda: writer(obj, path)  # noqa: E731
                load = lambda mmap: cls.load(path, mmap=mmap)  # noqa: E731
            elif layout == "gensim":
                if gensim_objs is None:
                    continue
                gobj = gensim_objs[0 if what == "kv" else 1]
                gcls = type(gobj)
                save = lambda: gobj.save(path)  # noqa: E731
                load = lambda mmap: gcls.load(path, mmap=mmap)  # noqa: E731
            else:
                raise SystemExit(f"unknown layout {layout!r}")
            t_save = timed(save, args.repeat)
            size, files = folder_size(folder), len(os.listdir(folder))
            t_load = timed(lambda: load(None), args.repeat)
            t_mmap = timed(lambda: load("r"), args.repeat)
            loaded = load("r")
            vectors = loaded.wv.vectors if hasattr(loaded, "wv") else loaded.vectors
            assert np.array_equal(vectors, obj.wv.vectors if what == "model" else obj.vectors)
            rows.append((what, layout, t_save, t_load, t_mmap, size, files))
            print(f"{what:6s} {layout:13s} save {t_save:7.3f} s  load {t_load:7.3f} s  mmap load {t_mmap:7.3f} s  "
                  f"{size / 2 ** 20:8.1f} MiB in {files} file(s)", flush=True)
            shutil.rmtree(folder)
    print()
    print(f"{args.rows:,} x {args.dim} float32, median of {args.repeat}; Python {platform.python_version()}, "
          f"NumPy {np.__version__}, {platform.machine()}, {os.cpu_count()} CPUs")
    print("| object | layout | save s | load s | mmap load s | size MiB | files |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for what, layout, t_save, t_load, t_mmap, size, files in rows:
        print(f"| {what} | {layout} | {t_save:.3f} | {t_load:.3f} | {t_mmap:.4f} | {size / 2 ** 20:.1f} | {files} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
