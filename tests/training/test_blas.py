"""``blas.add_product``: ``C += α · A · B`` in one dgemm equals NumPy's product and sum."""

import numpy as np
import pytest

pytest.importorskip("numba")
pytest.importorskip("scipy")

from stepgrad.training.compiled.blas import add_product


def _operand(rng: np.random.Generator, shape: tuple[int, int], transposed: bool) -> np.ndarray:
    """A random ``shape`` array, C-contiguous or, ``transposed``, the F-contiguous transpose of a C array."""
    return rng.normal(size=shape[::-1]).T if transposed else rng.normal(size=shape)


@pytest.mark.parametrize(
    ("p", "q", "k"),
    [(1, 1, 1), (3, 5, 7), (7, 3, 2), (10, 64, 1), (64, 10, 1), (1, 9, 4), (9, 1, 4), (33, 17, 128)],
)
@pytest.mark.parametrize(("a_transposed", "b_transposed"), [(False, False), (True, False), (False, True), (True, True)])
def test_equals_numpy_on_random_shapes(p: int, q: int, k: int, a_transposed: bool, b_transposed: bool) -> None:
    rng = np.random.default_rng(p * 1000 + q * 10 + k)
    c = rng.normal(size=(p, q))
    a, b = _operand(rng, (p, k), a_transposed), _operand(rng, (k, q), b_transposed)
    scale = -rng.uniform(0.01, 2.0)
    expected = c + scale * (a @ b)
    add_product(c, scale, a, b)
    np.testing.assert_allclose(c, expected, rtol=1e-13, atol=1e-13)


def test_views_of_flat_buffers_as_the_kernel_passes_them() -> None:
    # W += α · deltaᵀ · a_prev on the weight block inside a parameter vector, delta and a_prev (B, n) blocks
    # of one flat buffer: only the weight block changes
    rng = np.random.default_rng(3)
    m, n, batch, offset = 4, 6, 5, 7
    params = rng.normal(size=offset + m * n + 3)
    values = rng.normal(size=(2 + m + n) * batch)
    delta = values[2 * batch : (2 + m) * batch].reshape((batch, m))
    a_prev = values[(2 + m) * batch :].reshape((batch, n))
    before = params.copy()
    add_product(params[offset : offset + m * n].reshape((m, n)), -0.5, delta.T, a_prev)
    expected = before[offset : offset + m * n].reshape((m, n)) - 0.5 * (delta.T @ a_prev)
    np.testing.assert_allclose(params[offset : offset + m * n].reshape((m, n)), expected, rtol=1e-13, atol=1e-13)
    np.testing.assert_array_equal(params[:offset], before[:offset])
    np.testing.assert_array_equal(params[offset + m * n :], before[offset + m * n :])
    # net (B, m) = b + a_prev · Wᵀ, W read from the same vector
    net = np.tile(rng.normal(size=m), (batch, 1))
    expected = net + a_prev @ params[offset : offset + m * n].reshape((m, n)).T
    add_product(net, 1.0, a_prev, params[offset : offset + m * n].reshape((m, n)).T)
    np.testing.assert_allclose(net, expected, rtol=1e-13, atol=1e-13)


def test_scale_zero_leaves_c_and_an_empty_inner_dimension_is_no_change() -> None:
    rng = np.random.default_rng(4)
    c = rng.normal(size=(3, 2))
    before = c.copy()
    add_product(c, 0.0, rng.normal(size=(3, 4)), rng.normal(size=(4, 2)))
    add_product(c, 1.0, np.empty((3, 0)), np.empty((0, 2)))
    np.testing.assert_array_equal(c, before)


def test_mismatched_shapes_and_strided_views_are_refused() -> None:
    c = np.zeros((3, 2))
    with pytest.raises(ValueError, match="shapes"):
        add_product(c, 1.0, np.ones((3, 4)), np.ones((5, 2)))
    with pytest.raises(ValueError, match="shapes"):
        add_product(c, 1.0, np.ones((2, 4)), np.ones((4, 2)))
    with pytest.raises(ValueError, match="contiguous"):
        add_product(c, 1.0, np.ones((3, 8))[:, ::2], np.ones((4, 2)))
    with pytest.raises(ValueError, match="contiguous"):
        add_product(np.zeros((2, 3)).T, 1.0, np.ones((3, 4)), np.ones((4, 2)))


def test_stays_in_numbas_disk_cache() -> None:
    # an external symbol, not a ctypes pointer: numba refuses to cache functions holding a pointer
    add_product(np.zeros((1, 1)), 1.0, np.ones((1, 1)), np.ones((1, 1)))
    for signature in add_product.signatures:
        assert add_product._cache.load_overload(signature, add_product.targetctx) is not None
