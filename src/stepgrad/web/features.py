"""The input features the page offers on 2-D data (as TensorFlow Playground does): a registry by name.

A feature is a function of a point ``(x1, x2)`` of the plane; the network's inputs are the chosen
features of each sample, in the registry's order. ``x1`` and ``x2`` alone are the plain inputs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Feature:
    """One input feature: how the page writes it and its value at points ``(n, 2)`` → ``(n,)``."""

    label: str
    value: Callable[[Array], Array]


FEATURES: dict[str, Feature] = {
    "x1": Feature("X1", lambda p: p[:, 0]),
    "x2": Feature("X2", lambda p: p[:, 1]),
    "x1sq": Feature("X1²", lambda p: p[:, 0] ** 2),
    "x2sq": Feature("X2²", lambda p: p[:, 1] ** 2),
    "x1x2": Feature("X1·X2", lambda p: p[:, 0] * p[:, 1]),
    "sinx1": Feature("sin X1", lambda p: np.sin(p[:, 0])),
    "sinx2": Feature("sin X2", lambda p: np.sin(p[:, 1])),
}
PLAIN = ("x1", "x2")


def feature_inputs(points: Array, names: tuple[str, ...]) -> Array:
    """The network's inputs ``(n, len(names))``: each chosen feature of each point ``(n, 2)``."""
    return np.stack([FEATURES[name].value(points) for name in names], axis=1)
