"""The samples of a session: a dataset of ``stepgrad.data`` (or a fixed setup) split into train and test.

This module only connects pieces: the generators live in ``stepgrad.data``; here they are
split, and the output layer and loss that suit their targets are chosen:

* labels 0/1, one column:    sigmoid output, ``binary_cross_entropy``;
* one-hot, several columns:  softmax output, ``cross_entropy``;
* anything else (regression): linear output, ``half_squared_error`` (as Playground).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from stepgrad.network import Setup

if TYPE_CHECKING:
    from stepgrad.web.config import VizConfig

Array = NDArray[np.float64]


@dataclass(frozen=True)
class DataSplit:
    """Training and test samples and how the page should draw them.

    Attributes:
        train_inputs: ``(n_train, n_inputs)``; ``train_targets``: ``(n_train, n_outputs)``.
        test_inputs: ``(n_test, n_inputs)``; ``test_targets``: ``(n_test, n_outputs)``.
        output_activation: the output layer's activation suited to the targets.
        loss: the loss suited to the targets.
        is_plane: two inputs from a generated dataset: draw heat-maps and the boundary.
        domain: ``(x_lo, x_hi, y_lo, y_hi)`` of the plane drawn.
        label_range: the targets' range (the colour scale's ends).
    """

    train_inputs: Array
    train_targets: Array
    test_inputs: Array
    test_targets: Array
    output_activation: str
    loss: str
    is_plane: bool
    domain: tuple[float, float, float, float]
    label_range: tuple[float, float]
    features: tuple[str, ...] = ()  # the inputs' features of the plane (empty: the inputs as they are)
    train_plane: Array | None = None  # (n_train, 2): the points drawn, before their features
    test_plane: Array | None = None

    @property
    def n_inputs(self) -> int:
        """Number of inputs."""
        return int(self.train_inputs.shape[1])

    @property
    def n_outputs(self) -> int:
        """Number of outputs."""
        return int(self.train_targets.shape[1])

    def points(self, train: bool) -> list[list[float]]:
        """``[x, y, label]`` per sample for the plot (label: target or class index)."""
        if not self.is_plane:
            return []
        inputs = self.train_inputs if train else self.test_inputs
        plane = self.train_plane if train else self.test_plane
        inputs = inputs if plane is None else plane
        targets = self.train_targets if train else self.test_targets
        labels = np.argmax(targets, axis=1) if targets.shape[1] > 1 else targets[:, 0]
        return [[float(x), float(y), float(label)] for (x, y), label in zip(inputs, labels, strict=True)]


def dataset_names() -> tuple[str, ...]:
    """The datasets the page offers: the generated ones of ``stepgrad.data`` (points in the plane)."""
    from stepgrad.data import GENERATED

    return GENERATED


@functools.cache
def dataset_problems() -> dict[str, str]:
    """Each generated data set's problem type, ``classification`` or ``regression`` (as its generator says)."""
    from stepgrad.data import load_dataset

    return {name: load_dataset(name, n_samples=6).task for name in dataset_names()}


def generate(name: str, points: int, noise: float, seed: int) -> tuple[Array, Array]:
    """``(inputs, targets)`` of dataset ``name`` from ``stepgrad.data``, seeded."""
    from stepgrad.data import load_dataset

    dataset = load_dataset(name, n_samples=points, noise=noise, seed=seed)
    inputs = np.array(dataset.inputs, dtype=np.float64, ndmin=2)
    targets = np.array(dataset.targets, dtype=np.float64)
    return inputs, targets.reshape(inputs.shape[0], -1)


def output_for(targets: Array) -> tuple[str, str]:
    """The output activation and loss that suit ``targets`` ``(n, n_outputs)``."""
    binary = bool(np.all((targets == 0.0) | (targets == 1.0)))
    if binary and targets.shape[1] == 1:
        return "sigmoid", "binary_cross_entropy"
    if binary and np.all(np.sum(targets, axis=1) == 1.0):
        return "softmax", "cross_entropy"
    return "linear", "half_squared_error"


def make_split(config: VizConfig, setup: Setup | None, samples: tuple[Array, Array] | None = None) -> DataSplit:
    """The session's samples: ``setup``'s (all for training), or ``samples`` ``(inputs (n, 2), targets)``
    (an uploaded file) or a generated set, shuffled and split."""
    if setup is not None:
        network = setup.network
        lo, hi = float(np.min(setup.targets)), float(np.max(setup.targets))
        return DataSplit(
            train_inputs=setup.inputs,
            train_targets=setup.targets,
            test_inputs=np.zeros((0, setup.inputs.shape[1])),
            test_targets=np.zeros((0, setup.targets.shape[1])),
            output_activation=network.layers[-1].activation,
            loss=network.loss,
            is_plane=False,
            domain=(-1.0, 1.0, -1.0, 1.0),
            label_range=(lo, hi) if hi > lo else (0.0, 1.0),
        )
    inputs, targets = (
        samples if samples is not None else generate(config.data, config.points, config.noise, config.seed)
    )
    order = np.random.default_rng(config.seed).permutation(inputs.shape[0])
    inputs, targets = inputs[order], targets[order]
    n_train = max(1, min(inputs.shape[0] - 1, round(config.split * inputs.shape[0])))
    output_activation, loss = output_for(targets)
    is_plane = inputs.shape[1] == 2
    plane = inputs
    if is_plane:
        from stepgrad.web.features import feature_inputs

        inputs = feature_inputs(plane, config.features)
    # The plane drawn: a square around the origin holding every sample, with a margin.
    half = float(np.ceil(np.max(np.abs(plane)) * 1.05 * 10.0) / 10.0) or 1.0
    domain = (-half, half, -half, half)
    if output_activation == "linear":
        label_range = (float(np.min(targets)), float(np.max(targets)))
        if label_range[1] - label_range[0] < 1e-12:
            label_range = (label_range[0] - 1.0, label_range[1] + 1.0)
    else:
        label_range = (0.0, 1.0)
    return DataSplit(
        train_inputs=inputs[:n_train],
        train_targets=targets[:n_train],
        test_inputs=inputs[n_train:],
        test_targets=targets[n_train:],
        output_activation=output_activation,
        loss=loss,
        is_plane=is_plane,
        domain=domain,
        label_range=label_range,
        features=config.features if is_plane else (),
        train_plane=plane[:n_train] if is_plane else None,
        test_plane=plane[n_train:] if is_plane else None,
    )
