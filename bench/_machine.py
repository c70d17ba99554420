"""What the benchmark reports record about the machine and the checkout, and the plain-text corpus they time.

Shared by ``bench/distributed.py`` and ``bench/text_speed.py`` (imported from this folder, no dependencies).
"""
from __future__ import annotations

import gzip
import platform
import shutil
import subprocess
from pathlib import Path


def cpu_model():
    """The CPU's model name from ``lscpu`` (``platform.processor()`` if lscpu cannot run, else 'unknown')."""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return platform.processor() or "unknown"
    for line in out.splitlines():
        if line.lower().startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def git_commit(folder):
    """The short commit hash of the git checkout `folder` ('unknown' outside one)."""
    try:
        return subprocess.run(["git", "-C", str(folder), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, timeout=10).stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def plain_copy(src, folder):
    """A plain-text copy of `src` in `folder` (or `src` itself if it is not gzipped), as a Path."""
    src = Path(src)
    if src.suffix != ".gz":
        return src
    dst = Path(folder) / src.with_suffix("").name
    with gzip.open(src, "rb") as fin, open(dst, "wb") as fout:
        shutil.copyfileobj(fin, fout, 1 << 22)
    return dst
