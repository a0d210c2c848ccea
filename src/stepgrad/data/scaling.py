"""Feature scaling: ``x' = (x − shift) / factor`` per input column, fitted on the training data.

* ``standard``: ``shift`` the column's mean, ``factor`` its standard deviation (mean 0, variance 1);
* ``minmax``: ``shift`` the column's minimum, ``factor`` its range (values in ``[0, 1]``);
* ``none``: ``shift`` 0, ``factor`` 1.

A constant column keeps ``factor`` 1 (nothing to divide by). Gradient descent with one learning
rate for every weight needs inputs of similar size: a CSV column of square feet (≈ 2000) next to
one of rooms (≈ 3) makes ``η`` either far too large for the first or far too small for the second
(a house-price CSV ends at a loss of 9.3e10 unscaled). The statistics come from the training
samples only, and a model trained on scaled inputs records them (``as_meta``), so new inputs can
be scaled the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, get_args

import numpy as np
from numpy.typing import NDArray

from stepgrad.errors import StepgradError

Array = NDArray[np.float64]
ScaleKind = Literal["standard", "minmax", "none"]
SCALINGS: tuple[ScaleKind, ...] = get_args(ScaleKind)
DESCRIPTIONS = {
    "standard": "standardised: mean 0, variance 1 per column",
    "minmax": "min-max scaled: 0 … 1 per column",
    "none": "as given",
}
# Inputs spanning more than this call for scaling (the playground sets span about 2).
WIDE_RANGE = 100.0


@dataclass(frozen=True)
class Scaling:
    """A fitted scaling (see the module docstring). ``shift`` and ``factor`` are ``(n_inputs,)``."""

    kind: ScaleKind
    shift: Array
    factor: Array

    @classmethod
    def fit(cls, kind: str, inputs: Array) -> Scaling:
        """The scaling ``kind`` of ``inputs`` ``(n, n_inputs)``."""
        if kind not in SCALINGS:
            raise StepgradError(f"unknown scaling {kind!r}; choose one of {', '.join(SCALINGS)}")
        x = np.asarray(inputs, dtype=np.float64)
        if kind == "standard":
            shift, factor = x.mean(axis=0), x.std(axis=0)
        elif kind == "minmax":
            shift, factor = x.min(axis=0), np.ptp(x, axis=0)
        else:
            shift, factor = np.zeros(x.shape[1]), np.ones(x.shape[1])
        return cls(kind, shift, np.where(factor > 0, factor, 1.0))  # type: ignore[arg-type]

    def apply(self, inputs: Array) -> Array:
        """``(x − shift) / factor`` for ``inputs`` ``(…, n_inputs)``."""
        if self.kind == "none":
            return np.asarray(inputs, dtype=np.float64)
        return (np.asarray(inputs, dtype=np.float64) - self.shift) / self.factor

    def as_meta(self, feature_names: tuple[str, ...] = ()) -> dict[str, Any]:
        """What a model file's ``[meta]`` records: the kind, the columns, ``shift`` and ``factor``."""
        if self.kind == "none":
            return {"scale": "none"}
        record: dict[str, Any] = {"scale": self.kind}
        if feature_names:
            record["scale_features"] = list(feature_names)
        record["scale_shift"] = [float(value) for value in self.shift]
        record["scale_factor"] = [float(value) for value in self.factor]
        return record


def widest_column(inputs: Array) -> tuple[int, float]:
    """The input column with the largest span ``max − min``, and that span (``(0, 0.0)`` without samples)."""
    if not len(inputs):
        return 0, 0.0
    spans = np.ptp(np.asarray(inputs, dtype=np.float64), axis=0)
    column = int(np.argmax(spans))
    return column, float(spans[column])
