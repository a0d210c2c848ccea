"""One BLAS call for the mini-batch weight update: ``W += α · delta · a_prevᵀ`` (dgemm with β = 1).

    W  (m, n)  +=  α · delta (m, B) · a_prev (n, B)ᵀ         α = −η / B:  W+ = W − η · deltaᵀ·a_prev / B

The product and the update are one pass over ``W`` (BLAS adds into ``C`` as it goes, on BLAS's threads)
instead of a product into a buffer and a second loop subtracting it. numba's ``np.dot`` always calls
its helper ``numba_xxgemm`` with α = 1, β = 0, so this module calls the same helper (SciPy's BLAS, loaded by
numba) with its own α and β. The helper is an external symbol, resolved when the code is loaded, so functions
that call it stay in numba's on-disk cache.

BLAS is column-major: a C-contiguous ``(r, c)`` array is the column-major ``(c, r)`` matrix, its transpose, and
an F-contiguous one (``x.T`` of a C-contiguous ``x``) is the matrix itself. So the call is
``Wᵀ (n, m) += α · a_prev (n, B) · deltaᵀ (B, m)`` in column-major terms, each operand used as stored or
transposed, whichever its layout needs: a C-contiguous ``a_prev`` is stored as ``a_prevᵀ`` (transpose it,
leading dimension B), an F-contiguous one as itself (leading dimension n); a C-contiguous ``delta`` is stored as
``deltaᵀ`` (as is, leading dimension B), an F-contiguous one as ``delta`` (transpose it, leading dimension m);
``W`` (C-contiguous) is stored as ``Wᵀ`` (leading dimension n).
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

    ``weights`` C-contiguous, ``delta`` and ``a_prev`` C- or F-contiguous (views such as rows of a flat buffer,
    or the transpose ``x.T`` of a C-contiguous ``(B, n)`` batch, are fine).
    """
    m, n, batch = weights.shape[0], weights.shape[1], delta.shape[1]
    if delta.shape[0] != m or a_prev.shape[0] != n or a_prev.shape[1] != batch:
        raise ValueError("add_outer_product: shapes do not match")
    if not weights.flags.c_contiguous or not (delta.flags.c_contiguous or delta.flags.f_contiguous):
        raise ValueError("add_outer_product: arrays must be C- or F-contiguous (weights C)")
    if not (a_prev.flags.c_contiguous or a_prev.flags.f_contiguous):
        raise ValueError("add_outer_product: arrays must be C- or F-contiguous (weights C)")
    if m == 0 or n == 0 or batch == 0:
        return
    a_c, delta_c = a_prev.flags.c_contiguous, delta.flags.c_contiguous
    alpha, beta = np.full(1, scale), np.ones(1)
    status = _xxgemm(
        _DOUBLE,
        _TRANSPOSE if a_c else _AS_IS,  # A: a_prev (n, B)
        _AS_IS if delta_c else _TRANSPOSE,  # B: deltaᵀ (B, m)
        n,
        m,
        batch,
        alpha.ctypes,
        a_prev.ctypes,
        batch if a_c else n,
        delta.ctypes,
        batch if delta_c else m,
        beta.ctypes,
        weights.ctypes,  # C = Wᵀ, column-major (n, m)
        n,
    )
    if status != 0:
        raise RuntimeError("add_outer_product: BLAS dgemm failed")
