"""Loss and accuracy of a network (or ensemble) on a data set: the numbers a history records.

Accuracy for classification: with several outputs, the share of samples whose largest
output is the target's class (``argmax out = argmax target``); with one output, the share
where ``out > ½`` agrees with ``target > ½``. Regression has no accuracy (``None``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from stepgrad.core.propagation import LayerForward, error_terms
from stepgrad.training.gradients import Functions, forward
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


@dataclass(frozen=True)
class Measured:
    """Mean ``E_total`` and accuracy of some weights on a data set, and the forward pass behind them.

    Attributes:
        loss: batch mean of ``E_total``, ``(...)`` (``(N,)`` for an ensemble).
        accuracy: share correct, ``(...)``, or None for regression.
        forwards: every layer's ``net`` and ``out`` (a full-batch update can reuse them).
    """

    loss: Array
    accuracy: Array | None
    forwards: list[LayerForward]


def measure(params: Params, functions: Functions, x: Array, target: Array, task: Task) -> Measured:
    """One forward pass of ``x`` ``(..., B, n_inputs)``: its mean ``E_total`` and accuracy."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        forwards = forward(params, functions, x)
        terms = error_terms(target, forwards[-1], functions.activations[-1], functions.loss)
        loss = np.mean(np.sum(terms, axis=-1), axis=-1)
        acc = None if task == "regression" else accuracy(forwards[-1].out, target)
    return Measured(loss, acc, forwards)


def evaluate(params: Params, functions: Functions, x: Array, target: Array, task: Task) -> tuple[Array, Array | None]:
    """Mean ``E_total`` and accuracy (``None`` for regression), each ``(...)``."""
    result = measure(params, functions, x, target, task)
    return result.loss, result.accuracy
