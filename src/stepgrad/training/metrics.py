"""Loss and accuracy: of some weights on a data set, and the running totals of an epoch.

Accuracy for classification: with several outputs, a sample is correct when its largest
output is the target's class (``argmax out = argmax target``); with one output, when
``out > ½`` agrees with ``target > ½``. Regression has no accuracy (``None``).

An epoch's training loss and accuracy are *running* means (as Keras and scikit-learn's
``loss_curve_`` report them): every batch adds its samples' ``E_total`` and correct count
computed with the weights *before* its update, so the epoch's figures are
``Σ_batches Σ_samples E_total / n`` and ``correct / n`` — the batch means weighted by batch size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from stepgrad.training.gradients import Functions, e_total, forward
from stepgrad.training.params import Params

Array = NDArray[np.float64]
Task = Literal["classification", "regression"]


def infer_task(targets: Array) -> Task:
    """Classification when every target is 0 or 1, regression otherwise."""
    return "classification" if bool(np.all((targets == 0.0) | (targets == 1.0))) else "regression"


def correct(out: Array, target: Array) -> NDArray[np.bool_]:
    """Which samples are classified correctly, ``(..., B)``; ``out``/``target`` ``(..., B, n_out)``."""
    if out.shape[-1] > 1:
        return np.argmax(out, axis=-1) == np.argmax(target, axis=-1)
    return (out[..., 0] > 0.5) == (target[..., 0] > 0.5)


def evaluate(params: Params, functions: Functions, x: Array, target: Array, task: Task) -> tuple[Array, Array | None]:
    """One forward pass of ``x`` ``(..., B, n_inputs)``: mean ``E_total`` and accuracy (``None`` for regression),
    each ``(...)``."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        output = forward(params, functions, x)[-1]
        loss = np.mean(e_total(output, functions, target), axis=-1)
        acc = None if task == "regression" else np.mean(correct(output.out, target), axis=-1)  # share correct
    return loss, acc


@dataclass
class RunningTotals:
    """What an epoch's batches have added up so far (``(N,)`` arrays for an ensemble).

    Attributes:
        classifies: whether accuracy is counted (classification).
        loss_sum: ``Σ E_total`` of the samples seen, each before its batch's update.
        hits: how many of them were classified correctly.
        samples: how many samples were seen.
    """

    classifies: bool = True
    loss_sum: Any = 0.0
    hits: Any = 0
    samples: int = 0

    def add(self, sample_losses: Array, out: Array, target: Array) -> None:
        """Add a batch: ``sample_losses`` ``(..., B)``, outputs and targets ``(..., B, n_out)``."""
        hits = np.count_nonzero(correct(out, target), axis=-1) if self.classifies else 0
        self.add_sums(np.sum(sample_losses, axis=-1), hits, sample_losses.shape[-1])

    def add_sums(self, loss_sum: Any, hits: Any, samples: int) -> None:
        """Add ``Σ E_total`` and the correct count of ``samples`` more samples."""
        self.loss_sum = self.loss_sum + loss_sum
        self.hits = self.hits + hits
        self.samples += samples

    @property
    def loss(self) -> Any:
        """The running mean ``Σ E_total / n`` (NaN before any sample)."""
        return self.loss_sum / self.samples if self.samples else np.nan * np.ones_like(self.loss_sum)

    @property
    def accuracy(self) -> Any:
        """The running accuracy ``correct / n`` (None for regression, NaN before any sample)."""
        if not self.classifies:
            return None
        return self.hits / self.samples if self.samples else np.nan * np.ones_like(self.loss_sum)
