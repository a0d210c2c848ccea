"""``sgd_on_kernel``: one network's updates on a compiled epoch kernel (``compiled_api.OnlineSGD``), as
``Params`` in and out; ``Training`` (``stepgrad.training.loops``) and ``stepgrad.training.repeat`` call it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from stepgrad.training.compiled_api import OnlineSGD, OnlineSGDResult
from stepgrad.training.gradients import Functions
from stepgrad.training.params import Params

Array = NDArray[np.float64]

# A compiled ensemble call's shuffled sample orders (epochs × networks × samples) stay below this many entries.
CHUNK_MAX_ORDERS = 4_000_000


def sgd_on_kernel(
    kernel: OnlineSGD,
    params: Params,
    functions: Functions,
    trains_bias: Sequence[bool],
    inputs: Array,
    targets: Array,
    order: NDArray[np.int64],
    rate: Any,
) -> tuple[Params, OnlineSGDResult]:
    """``len(order)`` SGD updates of one network's ``params`` on a compiled kernel (``compiled_api.OnlineSGD``):
    the new parameters, and the kernel's result with each update's loss and hit."""
    result = kernel(
        [np.ascontiguousarray(w) for w in params.weights],
        [np.ascontiguousarray(b) for b in params.biases],
        [a.name for a in functions.activations],
        trains_bias,
        functions.loss.name,
        inputs,
        targets,
        order,
        float(rate),
    )
    return Params(tuple(result.weights), tuple(result.biases)), result
