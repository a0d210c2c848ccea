"""The figures stepgrad writes: a training run (loss curves, decision boundary) and a sweep's histogram."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from stepgrad.network.model import Network
from stepgrad.plots.boundary import plot_decision_boundary
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
) -> None:
    """Write loss curves (``events``: epochs to mark, with a label), plus the decision boundary
    when the data has two inputs."""
    plt = pyplot()
    two_d = network is not None and inputs is not None and targets is not None and inputs.shape[1] == 2
    figure, axes = plt.subplots(1, 2 if two_d else 1, figsize=(11 if two_d else 6, 4.5))
    try:
        panels = list(np.atleast_1d(axes))
        plot_losses(panels[0], history, events)
        if two_d:
            assert network is not None and inputs is not None and targets is not None
            plot_decision_boundary(panels[1], network, inputs, targets, class_names)
        figure.tight_layout()
        save_figure(figure, path)
    finally:
        plt.close(figure)


def sweep_histogram(path: str | os.PathLike[str], losses: Array, title: str = "Final loss of each network") -> None:
    """Histogram of the ensemble's final losses (log-spaced bins when all are positive)."""
    plt = pyplot()
    figure, axes = plt.subplots(figsize=(6, 4))
    try:
        values = np.asarray(losses, dtype=np.float64)
        finite = values[np.isfinite(values)]
        if finite.size and np.all(finite > 0) and finite.max() < 1e300:
            low, high = np.log10(finite.min()), np.log10(finite.max())
            bins: Any = np.logspace(low, high + max(1e-9, 1e-9 * abs(high)), 40)
            axes.set_xscale("log")
        else:
            bins = 40
        if finite.size:
            axes.hist(finite, bins=bins, color="tab:blue", edgecolor="white")
        left_out = values.size - finite.size
        if left_out:
            axes.text(0.98, 0.95, f"{left_out} non-finite not shown", transform=axes.transAxes, ha="right", va="top")
        axes.set_xlabel("final loss (mean E_total)")
        axes.set_ylabel("networks")
        axes.set_title(title)
        figure.tight_layout()
        save_figure(figure, path)
    finally:
        plt.close(figure)
