"""What training accepts: inputs and targets as checked float64 arrays, and sane hyper-parameters.

Shapes: inputs ``(n, n_inputs)``; targets ``(n, n_outputs)``. A 1-D ``y`` is accepted as

* ``(n,)`` → ``(n, 1)`` for a network with one output;
* ``(n,)`` class indices ``0 … k−1`` → one-hot ``(n, k)`` for a softmax output of ``k`` neurons;
* ``(k,)`` → ``(1, k)`` when there is exactly one sample.

Every number must be finite. Mistakes raise ``StepgradError`` naming the problem.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from stepgrad.errors import StepgradError
from stepgrad.network.model import Network, target_problem

Array = NDArray[np.float64]


def _float_array(values: ArrayLike, what: str) -> Array:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise StepgradError(f"the {what} must be numbers: {error}") from error
    if not np.isfinite(array).all():  # one pass, no copy of a float64 array; the position only on failure
        where = ", ".join(str(int(i)) for i in np.argwhere(~np.isfinite(array))[0])
        raise StepgradError(f"the {what} contain NaN or infinite values (first at index {where})")
    return array


def as_inputs(inputs: ArrayLike, n_inputs: int) -> Array:
    """``(n, n_inputs)`` from ``(n, n_inputs)``, ``(n_inputs,)`` (one sample) or ``(n,)`` for one input."""
    x = _float_array(inputs, "inputs")
    if x.ndim == 1:
        if n_inputs == 1:
            x = x.reshape(-1, 1)
        elif x.size == n_inputs:
            x = x.reshape(1, -1)
    if x.ndim != 2 or x.shape[1] != n_inputs:
        raise StepgradError(f"the inputs have shape {x.shape} but the network takes {n_inputs} inputs per sample")
    return x


def as_targets(
    targets: ArrayLike, network: Network, n_samples: int, loss: str | None = None, what: str = "targets"
) -> Array:
    """``(n_samples, n_outputs)`` targets for ``network`` (see the module docstring for 1-D ``y``).

    With ``loss``, the targets must also suit it (``stepgrad.network.model.target_problem``: 0 … 1 for
    binary cross-entropy, a distribution per sample for cross-entropy), so a run that could never be
    saved, or would report a negative loss, is refused before it starts.
    """
    y = _float_array(targets, what)
    n_outputs = network.n_outputs
    if y.ndim == 1:
        if n_outputs == 1:
            y = y.reshape(-1, 1)
        elif n_samples == 1 and y.size == n_outputs:
            y = y.reshape(1, -1)
        elif network.layers[-1].activation == "softmax":
            if not np.all((y == np.round(y)) & (y >= 0) & (y < n_outputs)):
                raise StepgradError(
                    f"1-D targets for a softmax output of {n_outputs} neurons must be class indices 0 … {n_outputs - 1}"
                )
            y = np.eye(n_outputs)[y.astype(np.int64)]
        else:
            raise StepgradError(f"the network has {n_outputs} outputs: give targets of shape (n, {n_outputs})")
    if y.ndim != 2:
        raise StepgradError(f"the targets have shape {y.shape}; expected (n, {n_outputs})")
    if y.shape[0] != n_samples:
        raise StepgradError(f"{n_samples} input rows but {y.shape[0]} target rows")
    if y.shape[1] != n_outputs:
        raise StepgradError(f"the targets have {y.shape[1]} columns but the network has {n_outputs} outputs")
    problem = None if loss is None else target_problem(loss, y)
    if problem is not None:
        raise StepgradError(problem, location=what)
    return y


def as_samples(
    network: Network, inputs: ArrayLike, targets: ArrayLike, loss: str | None = None, what: str = "targets"
) -> tuple[Array, Array]:
    """``as_inputs`` and ``as_targets`` together: ``(n, n_inputs)`` and ``(n, n_outputs)``."""
    x = as_inputs(inputs, network.n_inputs)
    return x, as_targets(targets, network, x.shape[0], loss, what)


def check_positive_finite(value: Any, what: str) -> None:
    """``value`` (a number or an array of them) is > 0 and finite."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise StepgradError(f"{what} must be a positive finite number, got {value!r}") from error
    if array.size == 0 or not np.all(np.isfinite(array) & (array > 0)):
        raise StepgradError(f"{what} must be a positive finite number, got {value}")


def check_hyperparameters(learning_rate: Any, epochs: int, batch_size: int | None) -> None:
    """η > 0 and finite, at least one epoch, batch size ≥ 1 (the optimizer's own hyper-parameters are
    checked by ``stepgrad.training.optimizers``)."""
    check_positive_finite(learning_rate, "the learning rate")
    if int(epochs) != epochs or epochs < 1:
        raise StepgradError(f"the number of epochs must be a whole number of at least 1, got {epochs}")
    if batch_size is not None and (int(batch_size) != batch_size or batch_size < 1):
        raise StepgradError(f"the batch size must be a whole number of at least 1, got {batch_size}")
