"""One BLAS call that adds a matrix product into an array in place: ``C += α · A · B`` (dgemm with β = 1).

    C (p, q)  +=  α · A (p, k) · B (k, q)

The mini-batch kernel's two products with a layer's weights are of this form, each one pass over ``C``:

    update:   W (n_out, n_in) += (−η / B) · deltaᵀ (n_out, B) · a_prev (B, n_in)   (W+ = W − η · dE/dW)
    forward:  net (B, n_out)  +=  1 · a_prev (B, n_in) · Wᵀ (n_in, n_out)        (net filled with the bias first)

instead of a product into a buffer and a second pass adding it (BLAS adds into ``C`` as it goes, on BLAS's
threads). numba's ``np.dot`` always calls its helper ``numba_xxgemm`` with α = 1, β = 0, so this module calls
the same helper (SciPy's BLAS, loaded by numba) with its own α and β. The helper is an external symbol,
resolved when the code is loaded, so functions that call it stay in numba's on-disk cache.

BLAS is column-major: a C-contiguous ``(r, c)`` array is the column-major ``(c, r)`` matrix, its transpose, and
an F-contiguous one (``x.T`` of a C-contiguous ``x``) is the matrix itself. So the call computes
``Cᵀ (q, p) += α · Bᵀ (q, k) · Aᵀ (k, p)``: a C-contiguous operand is passed as it is stored (leading dimension
its row length), an F-contiguous one marked "transpose" (leading dimension its column length), and ``C``
(C-contiguous) is ``Cᵀ`` with leading dimension ``q``.
"""

from __future__ import annotations

import numba
import numpy as np
from numba.np.linalg import _BLAS
from numpy.typing import NDArray

Array = NDArray[np.float64]

# numba_xxgemm(kind, transa, transb, m, n, k, α*, A, lda, B, ldb, β*, C, ldc): the signature only, without
# _BLAS() (which imports SciPy): this module imports without SciPy, and only a call needs its BLAS
_xxgemm = _BLAS.numba_xxgemm(numba.float64)
_DOUBLE, _TRANSPOSE, _AS_IS = ord("d"), ord("t"), ord("n")


@numba.njit(cache=True)
def add_product(c: Array, scale: float, a: Array, b: Array) -> None:
    """``c (p, q) += scale · a (p, k) · b (k, q)`` in place, one dgemm with β = 1.

    ``c`` C-contiguous, ``a`` and ``b`` C- or F-contiguous (views such as rows of a flat buffer, or the
    transpose ``x.T`` of a C-contiguous array, are fine); ``c`` must not overlap ``a`` or ``b``.
    """
    p, q, k = c.shape[0], c.shape[1], a.shape[1]
    if a.shape[0] != p or b.shape[0] != k or b.shape[1] != q:
        raise ValueError("add_product: shapes do not match")
    if not c.flags.c_contiguous:
        raise ValueError("add_product: arrays must be contiguous (c C-contiguous)")
    if not (a.flags.c_contiguous or a.flags.f_contiguous) or not (b.flags.c_contiguous or b.flags.f_contiguous):
        raise ValueError("add_product: arrays must be contiguous (c C-contiguous)")
    if p == 0 or q == 0 or k == 0:
        return
    a_c, b_c = a.flags.c_contiguous, b.flags.c_contiguous
    alpha, beta = np.empty(1), np.empty(1)  # BLAS takes α and β by pointer
    alpha[0], beta[0] = scale, 1.0
    status = _xxgemm(
        _DOUBLE,
        _AS_IS if b_c else _TRANSPOSE,  # first operand: bᵀ (q, k)
        _AS_IS if a_c else _TRANSPOSE,  # second operand: aᵀ (k, p)
        q,
        p,
        k,
        alpha.ctypes,
        b.ctypes,
        q if b_c else k,
        a.ctypes,
        k if a_c else p,
        beta.ctypes,
        c.ctypes,  # cᵀ, column-major (q, p)
        q,
    )
    if status != 0:
        raise RuntimeError("add_product: BLAS dgemm failed")
