"""CPU-specific paths: the level-1 row operations (src_c/cw2v_rowops.h) give the reference's updates with every
instruction set, whether skip-gram's blocks of several input rows are multiplied by sgemm or by the row
operations, and the prefetch mode (src_c/cw2v_mem.h) never changes results.

The per-word kernels call AVX-512 or AVX2 + FMA loops when the CPU has them, BLAS otherwise; these tests
run each set this machine offers (the others are reported as skipped, with the reason) on vector sizes
that leave tails (37: two full AVX-512 vectors and 5 floats; 100: six and 4).
"""
import numpy as np
import pytest

from cw2v import _kernels

from test_kernels import MODES, V, assert_job_matches_reference, make_model

SETS = ["blas", "avx2", "avx512"]


@pytest.fixture(params=SETS)
def row_ops(request):
    best = _kernels._row_ops()
    try:
        _kernels._row_ops(request.param)
    except ValueError:
        pytest.skip("this CPU lacks %s" % request.param)
    yield request.param
    _kernels._row_ops("best")
    assert _kernels._row_ops() == best


@pytest.fixture(params=["gemm", "rowops"])
def block_products(request):
    before = _kernels._block_products()
    _kernels._block_products(request.param)
    yield request.param
    _kernels._block_products(before)


def test_block_products_names_and_default():
    before = _kernels._block_products()
    assert before == _kernels._default_block_products()
    assert before in ("gemm", "rowops")
    with pytest.raises(ValueError, match="block products"):
        _kernels._block_products("strassen")
    assert _kernels._block_products() == before


def test_best_set_is_selected_at_import():
    assert _kernels._row_ops() in SETS


def test_unknown_set_is_refused():
    before = _kernels._row_ops()
    with pytest.raises(ValueError, match="not available"):
        _kernels._row_ops("sse9")
    assert _kernels._row_ops() == before


@pytest.mark.parametrize("batched", [False, True], ids=["per-pair", "batched"])
@pytest.mark.parametrize("sg,hs,negative,cbow_mean", MODES)
@pytest.mark.parametrize("size", [37, 100])
def test_job_matches_reference(row_ops, block_products, sg, hs, negative, cbow_mean, batched, size):
    model = make_model(5, sg, hs, negative, cbow_mean, batched=batched, size=size)
    assert_job_matches_reference(model, np.random.default_rng(size), negative, atol=5e-5)


@pytest.mark.parametrize("batched", [False, True], ids=["per-pair", "batched"])
@pytest.mark.parametrize("sg,hs,negative,cbow_mean", MODES)
def test_training_agrees_with_blas_and_leaves_padding_alone(row_ops, block_products, sg, hs, negative, cbow_mean,
                                                            batched):
    """A whole job on padded rows: the same words trained as with BLAS row operations and sgemm blocks, the
    same weights up to float rounding (the sums are ordered differently), and the NaN padding never read into
    the vectors nor overwritten."""
    ids = np.random.default_rng(2).integers(0, V, size=600).astype(np.int32)
    ends = np.array([200, 201, 600], np.int64)
    results = {}
    for ops, block in (("blas", "gemm"), (row_ops, block_products)):
        _kernels._row_ops(ops)
        _kernels._block_products(block)
        trainer, _, (w_in, w_ns, w_hs) = make_model(9, sg, hs, negative, cbow_mean, batched=batched, window=5,
                                                    size=37, pad=11)
        eff, loss = trainer.worker().train_job(ids, ends, 0.05, 0.01, 7, 3, True)
        for a in (w_in, w_ns, w_hs):
            if a is not None:
                assert np.isnan(a.base[:, a.shape[1]:]).all()
                assert np.isfinite(a).all()
        results[ops] = (eff, loss, [None if a is None else np.array(a) for a in (w_in, w_ns, w_hs)])
    eff, loss, got = results[row_ops]
    assert eff == results["blas"][0]
    assert loss == pytest.approx(results["blas"][1], rel=1e-4)
    for a, b in zip(got, results["blas"][2]):
        if a is not None:
            np.testing.assert_allclose(a, b, atol=1e-3, rtol=0)  # 600 updates of 14 rows: rounding grows


@pytest.fixture(params=["read", "write"])
def prefetch_mode(request):
    best = _kernels._prefetch_mode()
    try:
        _kernels._prefetch_mode(request.param)
    except ValueError:
        pytest.skip("this CPU has no PREFETCHW")
    yield request.param
    _kernels._prefetch_mode(best)


def test_prefetch_mode_names():
    before = _kernels._prefetch_mode()
    assert before in ("read", "write")
    with pytest.raises(ValueError, match="prefetch mode"):
        _kernels._prefetch_mode("exclusive")
    assert _kernels._prefetch_mode() == before


@pytest.mark.parametrize("sg,hs,negative,cbow_mean", MODES)
def test_prefetch_mode_never_changes_results(prefetch_mode, sg, hs, negative, cbow_mean):
    """Prefetching is only a hint to the cache: either mode trains bit-identically."""
    ids = np.random.default_rng(4).integers(0, V, size=500).astype(np.int32)
    ends = np.array([250, 500], np.int64)
    results = []
    for mode in (prefetch_mode, "read"):
        _kernels._prefetch_mode(mode)
        trainer, _, (w_in, w_ns, w_hs) = make_model(11, sg, hs, negative, cbow_mean, window=5, size=37, pad=3)
        eff, loss = trainer.worker().train_job(ids, ends, 0.05, 0.01, 3, 1, True)
        results.append((eff, loss, [None if a is None else np.array(a) for a in (w_in, w_ns, w_hs)]))
    assert results[0][:2] == results[1][:2]
    for a, b in zip(results[0][2], results[1][2]):
        if a is not None:
            np.testing.assert_array_equal(a, b)
