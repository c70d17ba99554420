"""Type aliases used in cw2v's public signatures (standard library only: importing it costs nothing)."""
from __future__ import annotations

import os
from collections.abc import Callable, Hashable, Iterable
from typing import Literal, TypeAlias

#: A file name: ``str`` or ``os.PathLike`` (``pathlib.Path``).
StrPath: TypeAlias = str | os.PathLike[str]
#: A sentence: an iterable of tokens, usually a list of ``str`` (any hashable works: ``int`` node ids).
Sentence: TypeAlias = Iterable[Hashable]
#: ``trim_rule(word, count, min_count)``: returns ``RULE_DISCARD``, ``RULE_KEEP`` or ``RULE_DEFAULT``
#: (:mod:`cw2v.vocab`).
TrimRule: TypeAlias = Callable[[Hashable, int, int], int]
#: ``mmap`` of the ``load`` functions: memory-map the arrays read-only, read-write or copy-on-write; None
#: reads them into memory.
MmapMode: TypeAlias = Literal["r", "r+", "c"] | None
