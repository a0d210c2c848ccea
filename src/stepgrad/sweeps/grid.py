"""The grid of a sweep: named axes, each a list of values, and the points of their product.

``lr=0.1:3:log20`` is 20 log-spaced rates from 0.1 to 3 (``numpy.geomspace``), ``lr=0.1:1:lin10``
10 evenly spaced (``numpy.linspace``), ``activation=sigmoid,tanh`` a list. Point ``p`` of a grid is
the ``p``-th combination in row-major order (the last axis varies fastest), so the point index names
the same settings however the sweep is run.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from stepgrad.errors import StepgradError

Value = float | int | str
_SPACED = re.compile(r"(?P<start>[^:]+):(?P<stop>[^:]+):(?P<kind>log|lin)(?P<count>\d+)")
MAX_AXIS_VALUES = 10_000


def positive_float(text: str) -> float:
    value = float(text)
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{text!r} must be a positive finite number")
    return value


def non_negative_float(text: str) -> float:
    value = float(text)
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{text!r} must be a finite number ≥ 0")
    return value


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(f"{text!r} must be a whole number ≥ 1")
    return value


def batch_size(text: str) -> int | str:
    return "full" if text.lower() in ("full", "all") else positive_int(text)


def activation_name(text: str) -> str:
    from stepgrad.functions.activations import activation_names

    if text not in activation_names():
        raise ValueError(f"{text!r} is not an activation (choose from {', '.join(activation_names())})")
    return text


@dataclass(frozen=True)
class AxisKind:
    """What a grid axis may vary: its ``--grid`` name, its column in the results and how a value is read."""

    name: str
    column: str
    parse: Callable[[str], Value]
    numeric: bool
    help: str


#: The settings a grid may vary (the names ``--grid`` accepts), each applied to every network of a point.
AXES: dict[str, AxisKind] = {
    kind.name: kind
    for kind in (
        AxisKind("lr", "lr", positive_float, True, "learning rate η"),
        AxisKind("init-scale", "init_scale", positive_float, True, "factor on the initial weights (1 = default)"),
        AxisKind("activation", "activation", activation_name, False, "hidden layers' activation"),
        AxisKind("hidden", "hidden", positive_int, True, "neurons in each hidden layer"),
        AxisKind("batch-size", "batch_size", batch_size, False, "mini-batch size or full"),
        AxisKind("momentum", "momentum", non_negative_float, True, "μ of momentum/nesterov"),
        AxisKind("weight-decay", "weight_decay", non_negative_float, True, "L2 decay λ"),
    )
}


@dataclass(frozen=True)
class GridAxis:
    """One axis: the setting it varies and its values, in order."""

    name: str
    values: tuple[Value, ...]

    @property
    def kind(self) -> AxisKind:
        return AXES[self.name]


def spaced_values(kind: AxisKind, match: re.Match[str]) -> list[Value]:
    """``start:stop:logN`` / ``linN`` → N values from start to stop (both included)."""
    start, stop, count = float(kind.parse(match["start"])), float(kind.parse(match["stop"])), int(match["count"])
    if not 1 <= count <= MAX_AXIS_VALUES:
        raise ValueError(f"needs 1 to {MAX_AXIS_VALUES:,} values")
    spaced = np.geomspace(start, stop, count) if match["kind"] == "log" else np.linspace(start, stop, count)
    return [kind.parse(repr(float(value))) for value in spaced]


def parse_axis(text: str) -> GridAxis:
    """``NAME=VALUES`` (``lr=0.1:3:log20``, ``init-scale=0.5,1,2``, ``activation=sigmoid,tanh``) as an axis."""
    name, equals, spec = text.partition("=")
    name, spec = name.strip(), spec.replace(" ", "")
    if not equals or not spec:
        raise StepgradError(f"--grid takes NAME=VALUES, like lr=0.1:3:log20; got {text!r}")
    if name not in AXES:
        raise StepgradError(f"--grid {name!r} is not a setting a grid can vary (choose from {', '.join(AXES)})")
    kind = AXES[name]
    try:
        spaced = _SPACED.fullmatch(spec)
        if spaced:
            if not kind.numeric:
                raise ValueError("takes a list of values, not a range")
            values = spaced_values(kind, spaced)
        else:
            values = [kind.parse(part) for part in spec.split(",")]
    except ValueError as error:
        raise StepgradError(f"--grid {text!r}: {error}") from None
    if len(set(values)) != len(values):
        raise StepgradError(f"--grid {text!r}: a value appears twice")
    return GridAxis(name, tuple(values))


@dataclass(frozen=True)
class Grid:
    """The axes of a sweep (none: one point, the settings given)."""

    axes: tuple[GridAxis, ...] = ()

    @classmethod
    def parse(cls, texts: Sequence[str]) -> Grid:
        axes = tuple(parse_axis(text) for text in texts)
        names = [axis.name for axis in axes]
        for name in names:
            if names.count(name) > 1:
                raise StepgradError(f"--grid {name} is given twice; give all its values in one --grid")
        return cls(axes)

    @property
    def size(self) -> int:
        """Number of points (the product of the axes' lengths)."""
        return math.prod(len(axis.values) for axis in self.axes)

    def point(self, index: int) -> dict[str, Value]:
        """The settings of point ``index``: ``{axis name: value}``."""
        values: dict[str, Value] = {}
        for axis in reversed(self.axes):
            index, position = divmod(index, len(axis.values))
            values[axis.name] = axis.values[position]
        return {axis.name: values[axis.name] for axis in self.axes}

    def points(self) -> list[dict[str, Value]]:
        """Every point, in index order."""
        names = [axis.name for axis in self.axes]
        return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*(a.values for a in self.axes))]

    def describe(self) -> list[list[Any]]:
        """``[[name, values …], …]``: the grid as plain JSON data (for a resume manifest)."""
        return [[axis.name, *axis.values] for axis in self.axes]
