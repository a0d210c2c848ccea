"""Figures with matplotlib (imported lazily, Agg backend): loss curves, decision boundaries, sweeps.

Each function takes numbers that were already computed (a history, a trained network, final
losses) and writes a PNG/SVG/PDF; none of them trains or differentiates anything.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from stepgrad.errors import StepgradError
from stepgrad.network.model import Network

Array = NDArray[np.float64]


def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError as error:
        raise StepgradError("plots need matplotlib: pip install 'stepgrad[train]'") from error
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_losses(axes: Any, history: Mapping[str, Sequence[Any]]) -> None:
    """Loss (and validation loss) per epoch on ``axes``, log scale when all are positive."""
    epochs = np.arange(1, len(history.get("loss", [])) + 1)
    for key, label in (("loss", "train loss"), ("val_loss", "validation loss")):
        values = history.get(key)
        if values and values[0] is not None:
            axes.plot(epochs, np.asarray(values, dtype=np.float64), label=label)
    losses = np.asarray(history.get("loss", []), dtype=np.float64)
    if losses.size and np.all(losses[np.isfinite(losses)] > 0):
        axes.set_yscale("log")
    axes.set_xlabel("epoch")
    axes.set_ylabel("loss (mean E_total)")
    axes.set_title("Loss")
    axes.legend()


def plot_decision_boundary(axes: Any, network: Network, inputs: Array, targets: Array, resolution: int = 200) -> None:
    """The network's output over the plane of the two inputs, with the data points on top."""
    from stepgrad.training.api import predict_proba

    pad = 0.1 * max(float(np.ptp(inputs)), 1e-9)
    low, high = inputs.min(axis=0) - pad, inputs.max(axis=0) + pad
    grid_x, grid_y = np.meshgrid(np.linspace(low[0], high[0], resolution), np.linspace(low[1], high[1], resolution))
    grid = np.stack([grid_x.ravel(), grid_y.ravel()], axis=1)
    out = predict_proba(network, grid)
    surface = out[:, 0] if out.shape[1] == 1 else np.argmax(out, axis=1).astype(np.float64)
    inside_unit = surface.min() >= 0.0 and surface.max() <= 1.0
    levels = np.linspace(0.0, 1.0, 21) if inside_unit else np.linspace(surface.min(), surface.max() + 1e-12, 21)
    mesh = axes.contourf(grid_x, grid_y, surface.reshape(grid_x.shape), levels=levels, cmap="RdBu", alpha=0.6)
    colour = targets[:, 0] if targets.shape[1] == 1 else np.argmax(targets, axis=1)
    axes.scatter(
        inputs[:, 0], inputs[:, 1], c=colour, cmap="RdBu", vmin=colour.min(), vmax=colour.max(), edgecolors="k", s=18
    )
    axes.figure.colorbar(mesh, ax=axes)
    axes.set_xlabel("x1")
    axes.set_ylabel("x2")
    axes.set_title("Output over the input plane")


def training_figure(
    path: str | os.PathLike[str],
    history: Mapping[str, Sequence[Any]],
    network: Network | None = None,
    inputs: Array | None = None,
    targets: Array | None = None,
) -> None:
    """Write loss curves, plus the decision boundary when the data has two inputs."""
    plt = _pyplot()
    two_d = network is not None and inputs is not None and targets is not None and inputs.shape[1] == 2
    figure, axes = plt.subplots(1, 2 if two_d else 1, figsize=(11 if two_d else 6, 4.5))
    panels = list(np.atleast_1d(axes))
    plot_losses(panels[0], history)
    if two_d:
        assert network is not None and inputs is not None and targets is not None
        plot_decision_boundary(panels[1], network, inputs, targets)
    figure.tight_layout()
    _save(figure, path)
    plt.close(figure)


def sweep_histogram(path: str | os.PathLike[str], losses: Array, title: str = "Final loss of each network") -> None:
    """Histogram of the ensemble's final losses (log-spaced bins when all are positive)."""
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(6, 4))
    finite = losses[np.isfinite(losses)]
    if finite.size and np.all(finite > 0):
        bins = np.logspace(np.log10(finite.min()), np.log10(finite.max()) + 1e-12, 40)
        axes.set_xscale("log")
    else:
        bins = 40  # type: ignore[assignment]
    axes.hist(finite, bins=bins, color="tab:blue", edgecolor="white")
    axes.set_xlabel("final loss (mean E_total)")
    axes.set_ylabel("networks")
    axes.set_title(title)
    figure.tight_layout()
    _save(figure, path)
    plt.close(figure)


def _save(figure: Any, path: str | os.PathLike[str]) -> None:
    """Save next to the target and rename, so a crash never leaves half a picture."""
    from pathlib import Path

    target = Path(path)
    if not target.parent.is_dir():
        raise StepgradError("the folder does not exist", str(path))
    temporary = target.with_name(f".{target.name}.tmp{target.suffix}")
    try:
        figure.savefig(temporary, dpi=110)
        os.replace(temporary, target)
    except ValueError as error:
        temporary.unlink(missing_ok=True)
        raise StepgradError(f"cannot write this figure format: {error}", str(path)) from error
