"""``blas.add_outer_product``: ``W += α · delta · a_prevᵀ`` in one dgemm equals NumPy's product and sum."""

import numpy as np
import pytest

pytest.importorskip("numba")
pytest.importorskip("scipy")

from stepgrad.training.compiled.blas import add_outer_product


@pytest.mark.parametrize(
    ("m", "n", "batch"),
    [(1, 1, 1), (3, 5, 7), (7, 3, 2), (10, 64, 1), (64, 10, 1), (1, 9, 4), (9, 1, 4), (33, 17, 128)],
)
def test_equals_numpy_on_random_shapes(m: int, n: int, batch: int) -> None:
    rng = np.random.default_rng(m * 1000 + n * 10 + batch)
    weights = rng.normal(size=(m, n))
    delta, a_prev = rng.normal(size=(m, batch)), rng.normal(size=(n, batch))
    scale = -rng.uniform(0.01, 2.0)
    expected = weights + scale * (delta @ a_prev.T)
    add_outer_product(weights, scale, delta, a_prev)
    np.testing.assert_allclose(weights, expected, rtol=1e-13, atol=1e-13)


def test_views_of_flat_buffers_as_the_kernel_passes_them() -> None:
    # the weight block inside a parameter vector, and rows of (rows, B) buffers: only that block changes
    rng = np.random.default_rng(3)
    m, n, batch, offset = 4, 6, 5, 7
    params = rng.normal(size=offset + m * n + 3)
    values = rng.normal(size=(2 + m + n) * batch)
    delta = values[2 * batch : (2 + m) * batch].reshape((m, batch))
    a_prev = values[(2 + m) * batch :].reshape((n, batch))
    before = params.copy()
    add_outer_product(params[offset : offset + m * n].reshape((m, n)), -0.5, delta, a_prev)
    expected = before[offset : offset + m * n].reshape((m, n)) - 0.5 * (delta @ a_prev.T)
    np.testing.assert_allclose(params[offset : offset + m * n].reshape((m, n)), expected, rtol=1e-13, atol=1e-13)
    np.testing.assert_array_equal(params[:offset], before[:offset])
    np.testing.assert_array_equal(params[offset + m * n :], before[offset + m * n :])


@pytest.mark.parametrize(("delta_by_rows", "a_prev_by_rows"), [(True, False), (False, True), (True, True)])
def test_transposed_batches_as_operands(delta_by_rows: bool, a_prev_by_rows: bool) -> None:
    # the kernel keeps each layer's values as (B, n) blocks and passes their transposes, F-contiguous
    rng = np.random.default_rng(5)
    m, n, batch = 6, 11, 9
    weights = rng.normal(size=(m, n))
    delta = rng.normal(size=(batch, m)).T if delta_by_rows else rng.normal(size=(m, batch))
    a_prev = rng.normal(size=(batch, n)).T if a_prev_by_rows else rng.normal(size=(n, batch))
    assert delta.flags.f_contiguous == delta_by_rows and a_prev.flags.f_contiguous == a_prev_by_rows
    expected = weights - 0.25 * (delta @ a_prev.T)
    add_outer_product(weights, -0.25, delta, a_prev)
    np.testing.assert_allclose(weights, expected, rtol=1e-13, atol=1e-13)


def test_scale_zero_leaves_the_weights_and_an_empty_batch_is_no_change() -> None:
    rng = np.random.default_rng(4)
    weights = rng.normal(size=(3, 2))
    before = weights.copy()
    add_outer_product(weights, 0.0, rng.normal(size=(3, 4)), rng.normal(size=(2, 4)))
    add_outer_product(weights, 1.0, np.empty((3, 0)), np.empty((2, 0)))
    np.testing.assert_array_equal(weights, before)


def test_mismatched_shapes_and_strided_views_are_refused() -> None:
    weights = np.zeros((3, 2))
    with pytest.raises(ValueError, match="shapes"):
        add_outer_product(weights, 1.0, np.ones((3, 4)), np.ones((2, 5)))
    with pytest.raises(ValueError, match="shapes"):
        add_outer_product(weights, 1.0, np.ones((2, 4)), np.ones((2, 4)))
    with pytest.raises(ValueError, match="contiguous"):
        add_outer_product(weights, 1.0, np.ones((3, 8))[:, ::2], np.ones((2, 4)))
    with pytest.raises(ValueError, match="contiguous"):
        add_outer_product(np.zeros((2, 3)).T, 1.0, np.ones((3, 4)), np.ones((2, 4)))


def test_stays_in_numbas_disk_cache() -> None:
    # an external symbol, not a ctypes pointer: numba refuses to cache functions holding a pointer
    add_outer_product(np.zeros((1, 1)), 1.0, np.ones((1, 1)), np.ones((1, 1)))
    for signature in add_outer_product.signatures:
        assert add_outer_product._cache.load_overload(signature, add_outer_product.targetctx) is not None
