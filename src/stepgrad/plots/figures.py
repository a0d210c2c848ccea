"""The figures stepgrad writes: a training run (loss curves, decision boundary) and a sweep's histogram."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from stepgrad.network.model import Network
from stepgrad.plots.boundary import plot_decision_boundary
from stepgrad.plots.histogram import plot_loss_histogram
from stepgrad.plots.losses import plot_losses
from stepgrad.plots.output import pyplot, save_figure

Array = NDArray[np.float64]


def training_figure(
    path: str | os.PathLike[str],
    history: Mapping[str, Sequence[Any]],
    network: Network | None = None,
    inputs: Array | None = None,
    targets: Array | None = None,
    events: Sequence[tuple[int, str]] = (),
    class_names: Sequence[str] = (),
    feature_names: Sequence[str] = (),
    validation: tuple[Array, Array] | None = None,
    classification: bool | None = None,
    input_transform: Callable[[Array], Array] | None = None,
) -> None:
    """Write loss curves (``events``: epochs to mark, with a label), plus the decision boundary when the
    data has two inputs (``inputs``/``targets`` the training points, ``validation`` the held-out ones,
    in the data's units; ``input_transform`` the scaling the network's inputs get; see
    ``stepgrad.plots.boundary``)."""
    plt = pyplot()
    two_d = network is not None and inputs is not None and targets is not None and inputs.shape[1] == 2
    figure, axes = plt.subplots(1, 2 if two_d else 1, figsize=(11 if two_d else 6, 4.5))
    try:
        panels = list(np.atleast_1d(axes))
        plot_losses(panels[0], history, events)
        if two_d:
            assert network is not None and inputs is not None and targets is not None
            plot_decision_boundary(
                panels[1],
                network,
                inputs,
                targets,
                class_names,
                feature_names=feature_names,
                validation=validation,
                classification=classification,
                input_transform=input_transform,
            )
        figure.tight_layout()
        save_figure(figure, path)
    finally:
        plt.close(figure)


def sweep_histogram(path: str | os.PathLike[str], losses: Array, title: str = "Final loss of each network") -> None:
    """Histogram of the ensemble's final losses, binned by decade (``stepgrad.plots.histogram``)."""
    plt = pyplot()
    figure, axes = plt.subplots(figsize=(6, 4))
    try:
        plot_loss_histogram(axes, losses)
        axes.set_title(title)
        figure.tight_layout()
        save_figure(figure, path)
    finally:
        plt.close(figure)
