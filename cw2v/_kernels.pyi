"""Type stubs of the compiled training kernels (cw2v/_kernels.pyx); see the .pyx for what each does.

Arrays passed as Cython typed memoryviews (``const int32_t[::1]`` ...) must be C-contiguous NumPy arrays of
exactly that dtype; the weight matrices may also be views of row-padded buffers (see :class:`Trainer`).
"""
from typing import Final, Literal, Protocol

import numpy as np
import numpy.typing as npt
from typing_extensions import Self, disjoint_base

#: Hot ``syn1`` rows a Worker replicates when Word2Vec trains hierarchical softmax on several threads.
HOT_ROWS: Final[int]
_ROWOPS_CODES: dict[str, int]

class _Tables(Protocol):
    """What :class:`Trainer` reads of its ``tables`` (a :class:`cw2v.vocab.VocabTables`)."""

    keep_threshold: np.ndarray
    alias_threshold: np.ndarray
    alias_index: np.ndarray
    codes: np.ndarray
    points: np.ndarray
    code_lens: np.ndarray

@disjoint_base
class Trainer:
    def __init__(
        self,
        w_in: npt.NDArray[np.float32],
        w_out_ns: npt.NDArray[np.float32] | None,
        w_out_hs: npt.NDArray[np.float32] | None,
        tables: _Tables,
        *,
        sg: int,
        hs: int,
        negative: int,
        window: int,
        cbow_mean: int = ...,
        shrink_windows: int = ...,
        batched: bool = ...,
        lockf: npt.NDArray[np.float32] | None = ...,
    ) -> None: ...
    @property
    def driver(self) -> Literal["cbow", "sg-pairs", "sg-window", "sg-grouped"]: ...
    def worker(self, hot_rows: int = ..., hot_period: int = ...) -> Worker: ...

@disjoint_base
class Worker:
    def __new__(cls, trainer: Trainer, hot_rows: int = ..., hot_period: int = ...) -> Self: ...
    @property
    def trainer(self) -> Trainer: ...
    @property
    def hot_rows(self) -> int: ...
    def train_job(
        self,
        ids: npt.NDArray[np.int32],
        sentence_ends: npt.NDArray[np.int64],
        alpha_start: float,
        alpha_end: float,
        seed: int,
        job: int,
        compute_loss: bool = ...,
        noise: npt.NDArray[np.uint32] | None = ...,
    ) -> tuple[int, float]: ...
    @property
    def exchanges(self) -> int: ...
    def replica(self) -> npt.NDArray[np.float32]: ...
    def flush(self) -> None: ...

def sigmoid_table() -> tuple[npt.NDArray[np.float32], int]: ...
def rng_stream(seed: int, stream: int, n: int) -> npt.NDArray[np.uint64]: ...
def draw_noise(
    alias_threshold: npt.NDArray[np.uint64], alias_index: npt.NDArray[np.uint32], seed: int, n: int
) -> npt.NDArray[np.uint32]: ...

# private helpers, used by cw2v.word2vec, the benchmarks and the tests
def _prefetch_mode(mode: Literal["read", "write"] | None = None) -> Literal["read", "write"]: ...
def _row_ops(which: Literal["best", "blas", "avx2", "avx512"] | None = None) -> str: ...
def _block_products(which: Literal["gemm", "rowops"] | None = None) -> Literal["gemm", "rowops"]: ...
def _default_block_products() -> Literal["gemm", "rowops"]: ...

SMALL_GEMM_CORES: frozenset[str]
def _rows_contiguous(arr: np.ndarray) -> bool: ...
def _check(arr: np.ndarray | None, name: str, dtype: npt.DTypeLike, ndim: int) -> np.ndarray | None: ...
def _aligned_rows(n_rows: int, pitch: int, align: int = ...) -> npt.NDArray[np.float32]: ...
