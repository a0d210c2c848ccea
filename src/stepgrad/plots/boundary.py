"""The network's output over the plane of its two inputs, with the data points on top.

* several outputs (classes): the predicted class, one colour per class, and a legend;
* one sigmoid output: ``P(class 1)`` from 0 to 1 with a colour bar;
* regression: the output value, its colour range taken from the finite values.

Huge or non-finite outputs (a diverged network) never break the figure: non-finite points are
left blank and the panel says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from stepgrad.network.model import Network

Array = NDArray[np.float64]


def _grid(inputs: Array, resolution: int) -> tuple[Array, Array, Array]:
    """``(grid_x, grid_y, points)`` covering the data with a margin."""
    finite = inputs[np.all(np.isfinite(inputs), axis=1)]
    low, high = finite.min(axis=0), finite.max(axis=0)
    pad = 0.1 * np.maximum(high - low, 1e-9)
    grid_x, grid_y = np.meshgrid(
        np.linspace(low[0] - pad[0], high[0] + pad[0], resolution),
        np.linspace(low[1] - pad[1], high[1] + pad[1], resolution),
    )
    return grid_x, grid_y, np.stack([grid_x.ravel(), grid_y.ravel()], axis=1)


def plot_decision_boundary(
    axes: Any,
    network: Network,
    inputs: Array,
    targets: Array,
    class_names: Sequence[str] = (),
    resolution: int = 200,
) -> None:
    """Draw the output surface and the points on ``axes`` (see the module docstring)."""
    from matplotlib.colors import BoundaryNorm, ListedColormap

    from stepgrad.training.api import predict_proba

    grid_x, grid_y, points = _grid(inputs, resolution)
    with np.errstate(all="ignore"):
        out = predict_proba(network, points)
    axes.set_xlabel("x1")
    axes.set_ylabel("x2")
    if out.shape[1] > 1:
        count = out.shape[1]
        names = list(class_names) if len(class_names) == count else [f"class {k}" for k in range(count)]
        colours = ListedColormap([f"C{k % 10}" for k in range(count)])
        norm = BoundaryNorm(np.arange(-0.5, count + 0.5), count)
        predicted = np.where(np.all(np.isfinite(out), axis=1), np.argmax(out, axis=1), np.nan)
        axes.contourf(grid_x, grid_y, predicted.reshape(grid_x.shape), levels=np.arange(-0.5, count + 0.5),
                      cmap=colours, norm=norm, alpha=0.35)
        labels = np.argmax(targets, axis=1)
        for k in range(count):
            chosen = labels == k
            if chosen.any():
                axes.scatter(inputs[chosen, 0], inputs[chosen, 1], color=f"C{k % 10}", edgecolors="k", s=18,
                             label=names[k])
        axes.legend(loc="best", fontsize="small")
        axes.set_title("Predicted class over the input plane")
        return
    surface = out[:, 0]
    finite = np.isfinite(surface)
    if not finite.any():
        axes.text(0.5, 0.5, "the network's outputs are not finite", transform=axes.transAxes, ha="center")
    elif network.layers[-1].activation == "sigmoid":
        mesh = axes.contourf(grid_x, grid_y, surface.reshape(grid_x.shape), levels=np.linspace(0.0, 1.0, 21),
                             cmap="RdBu", alpha=0.6)
        axes.figure.colorbar(mesh, ax=axes, label="P(class 1)")
    else:
        low, high = float(surface[finite].min()), float(surface[finite].max())
        if not high > low:  # a flat surface still needs increasing levels
            low, high = low - 0.5, high + 0.5
        levels = np.linspace(low, high, 21)
        if not np.all(np.diff(levels) > 0):  # too large to split in float64
            levels = np.unique(np.array([low, high]))
        mesh = axes.contourf(grid_x, grid_y, np.where(finite, surface, np.nan).reshape(grid_x.shape),
                             levels=levels if levels.size > 1 else 2, cmap="RdBu", alpha=0.6)
        axes.figure.colorbar(mesh, ax=axes, label="output")
    if finite.any() and not finite.all():
        axes.text(0.02, 0.02, "blank: output not finite", transform=axes.transAxes, fontsize="small")
    colour = targets[:, 0]
    spread = float(np.ptp(colour)) if colour.size else 0.0
    axes.scatter(inputs[:, 0], inputs[:, 1], c=colour, cmap="RdBu", vmin=colour.min(),
                 vmax=colour.min() + (spread or 1.0), edgecolors="k", s=18)
    axes.set_title("Output over the input plane")
