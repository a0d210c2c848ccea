"""One BLAS call for the mini-batch weight update: ``W += α · delta · a_prevᵀ`` (dgemm with β = 1).

    W  (m, n)  +=  α · delta (m, B) · a_prev (n, B)ᵀ         α = −η / B:  W+ = W − η · deltaᵀ·a_prev / B

The product and the update are one pass over ``W`` (BLAS adds into ``C`` as it goes, on BLAS's threads)
instead of a product into a buffer and a second loop subtracting it. numba's ``np.dot`` always calls
its helper ``numba_xxgemm`` with α = 1, β = 0, so this module calls the same helper (SciPy's BLAS, loaded by
numba) with its own α and β. The helper is an external symbol, resolved when the code is loaded, so functions
that call it stay in numba's on-disk cache.

BLAS is column-major: a C-contiguous ``(r, c)`` array is the column-major ``(c, r)`` matrix, its transpose.
So ``Wᵀ (n, m) += α · a_prev (n, B) · deltaᵀ (B, m)`` in column-major terms: ``a_prev`` is stored as the
column-major ``(B, n)`` matrix ``a_prevᵀ`` (use it transposed, leading dimension B), ``delta`` as the
column-major ``(B, m)`` matrix ``deltaᵀ`` (as is, leading dimension B) and ``W`` as ``Wᵀ`` (leading
dimension n).
"""

from __future__ import annotations

import numba
import numpy as np
from numba.np.linalg import _BLAS
from numpy.typing import NDArray

Array = NDArray[np.float64]

_xxgemm = _BLAS().numba_xxgemm(numba.float64)  # numba_xxgemm(kind, transa, transb, m, n, k, α*, A, lda, B, …)
_DOUBLE, _TRANSPOSE, _AS_IS = ord("d"), ord("t"), ord("n")


@numba.njit(cache=True)
def add_outer_product(weights: Array, scale: float, delta: Array, a_prev: Array) -> None:
    """``weights (m, n) += scale · delta (m, B) · a_prev (n, B)ᵀ`` in place, one dgemm with β = 1.

    All three C-contiguous (views with these shapes, such as rows of a flat buffer, are fine).
    """
    m, n, batch = weights.shape[0], weights.shape[1], delta.shape[1]
    if delta.shape[0] != m or a_prev.shape[0] != n or a_prev.shape[1] != batch:
        raise ValueError("add_outer_product: shapes do not match")
    if not (weights.flags.c_contiguous and delta.flags.c_contiguous and a_prev.flags.c_contiguous):
        raise ValueError("add_outer_product: arrays must be C-contiguous")
    if m == 0 or n == 0 or batch == 0:
        return
    alpha, beta = np.full(1, scale), np.ones(1)
    status = _xxgemm(
        _DOUBLE,
        _TRANSPOSE,  # A = a_prevᵀ stored column-major (B, n), used as a_prev (n, B)
        _AS_IS,  # B = deltaᵀ stored column-major (B, m)
        n,
        m,
        batch,
        alpha.ctypes,
        a_prev.ctypes,
        batch,
        delta.ctypes,
        batch,
        beta.ctypes,
        weights.ctypes,  # C = Wᵀ, column-major (n, m)
        n,
    )
    if status != 0:
        raise RuntimeError("add_outer_product: BLAS dgemm failed")
