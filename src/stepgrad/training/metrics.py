"""Accuracy and evaluation of a network (or ensemble) on a data set.

Accuracy for classification: with several outputs, the share of samples whose largest
output is the target's class (``argmax out = argmax target``); with one output, the share
where ``out > ½`` agrees with ``target > ½``. Regression has no accuracy (``None``).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray

from stepgrad.training.gradients import Functions, forward, sample_losses
from stepgrad.training.params import Params

Array = NDArray[np.float64]
Task = Literal["classification", "regression"]


def infer_task(targets: Array) -> Task:
    """Classification when every target is 0 or 1, regression otherwise."""
    return "classification" if bool(np.all((targets == 0.0) | (targets == 1.0))) else "regression"


def accuracy(out: Array, target: Array) -> Array:
    """Share of correct samples, ``(...)`` over the batch axis; ``out``/``target`` ``(..., B, n_out)``."""
    if out.shape[-1] > 1:
        correct = np.argmax(out, axis=-1) == np.argmax(target, axis=-1)
    else:
        correct = (out[..., 0] > 0.5) == (target[..., 0] > 0.5)
    return np.mean(correct, axis=-1)


def evaluate(params: Params, functions: Functions, x: Array, target: Array, task: Task) -> tuple[Array, Array | None]:
    """Mean ``E_total`` and accuracy (``None`` for regression), each ``(...)``."""
    with np.errstate(over="ignore", invalid="ignore"):
        loss = np.mean(sample_losses(params, functions, x, target), axis=-1)
        if task == "regression":
            return loss, None
        out = forward(params, functions, x)[-1].out
        return loss, accuracy(out, target)
