"""Everything a sweep's networks need, in one picklable value a Dask worker receives once."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from stepgrad.sweeps.chunks import DEFAULT_CHUNK, Chunk, plan_chunks
from stepgrad.sweeps.grid import Grid, Value

Array = NDArray[np.float64]

#: The settings a grid point may change and their values when no axis does (see ``grid.AXES``).
DEFAULT_SETTINGS: dict[str, Value | None] = {
    "lr": 1.0,
    "init-scale": 1.0,
    "activation": "sigmoid",
    "hidden": None,  # the hidden sizes of ``sizes``
    "batch-size": "full",
    "momentum": None,  # the optimizer's default
    "weight-decay": 0.0,
}


@dataclass(frozen=True, eq=False)
class SweepSpec:
    """A sweep: the data, the network shape, the grid and the training options shared by every point.

    Attributes:
        sizes: ``[n_inputs, …, n_outputs]``; a ``hidden`` axis sets every hidden layer's size.
        inputs: ``(n, n_inputs)`` the (scaled) training inputs.
        targets: ``(n, n_outputs)``.
        grid: the axes; each point trains ``per_point`` networks.
        per_point: networks (seeds) per grid point.
        seed: the base seed of ``seeds.network_seeds``.
        settings: the values of the settings no axis varies (keys of ``DEFAULT_SETTINGS``).
        training: further ``make_training`` options (optimizer, epochs, schedule, task …).
        output_activation, loss: the network's head (None: the hidden activation).
        converged_below: a network converged when its loss is below this (None: 100% accuracy).
        chunk_size: networks per task.
    """

    sizes: tuple[int, ...]
    inputs: Array
    targets: Array
    grid: Grid
    per_point: int
    seed: int = 0
    settings: dict[str, Value | None] = field(default_factory=lambda: dict(DEFAULT_SETTINGS))
    training: dict[str, Any] = field(default_factory=dict)
    output_activation: str | None = "sigmoid"  # with the squared error: the textbook XOR experiment
    loss: str = "half_squared_error"
    converged_below: float | None = None
    chunk_size: int = DEFAULT_CHUNK

    @classmethod
    def on_dataset(
        cls, name: str, sizes: Sequence[int], grid: Sequence[str], per_point: int, epochs: int = 2000, **fields: Any
    ) -> SweepSpec:
        """A sweep on the named data set (``stepgrad.data.load_dataset``), the grid as ``--grid`` texts
        (``["lr=0.1:3:log20", "activation=sigmoid,tanh"]``), full batch; ``fields`` as the class's."""
        from stepgrad.data import load_dataset

        data = load_dataset(name)
        training = {"epochs": epochs, "task": data.task, **fields.pop("training", {})}
        return cls(tuple(sizes), data.inputs, data.targets, Grid.parse(grid), per_point, training=training, **fields)

    @property
    def size(self) -> int:
        """Networks in the whole sweep."""
        return self.grid.size * self.per_point

    def chunks(self) -> list[Chunk]:
        return plan_chunks(self.grid.size, self.per_point, self.chunk_size)

    def point_settings(self, point: int) -> dict[str, Value | None]:
        """The settings of grid point ``point``: the shared ones with the point's axis values over them."""
        return {**DEFAULT_SETTINGS, **self.settings, **self.grid.point(point)}

    def identity(self) -> dict[str, Any]:
        """What makes two sweeps the same sweep, as JSON data (a rerun may resume only the same one)."""
        digest = hashlib.sha256()
        for array in (self.inputs, self.targets):
            digest.update(np.ascontiguousarray(array, dtype=np.float64).tobytes())
        return {
            "sizes": list(self.sizes),
            "grid": self.grid.describe(),
            "networks per point": self.per_point,
            "seed": self.seed,
            "settings": {**DEFAULT_SETTINGS, **self.settings},
            "training": {name: repr(value) for name, value in sorted(self.training.items())},
            "head": [self.output_activation, self.loss],
            "converged below": self.converged_below,
            "chunk size": self.chunk_size,
            "data": digest.hexdigest(),
        }

    def identity_json(self) -> str:
        return json.dumps(self.identity(), indent=1, sort_keys=True, default=str)
