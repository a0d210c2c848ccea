"""The network's output over the plane of its two inputs, with the data points on top.

* several outputs (classes): the predicted class, one colour per class, and a legend;
* one sigmoid output on 0/1 targets: ``P(class 1)`` from 0 to 1 with a colour bar;
* regression: the output value and the targets on ONE colour scale, the targets' range: output
  beyond it (a diverged network's −2.2e70) takes the colour bar's end colours (its arrows), so
  neither the surface nor a huge value can stretch the scale the points are read on.

Training points are circles, validation points triangles; the axes carry the inputs' names (a
CSV file's column names). Non-finite outputs never break the figure: those points are left blank
and the panel says so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from stepgrad.network.model import Network

Array = NDArray[np.float64]
BELOW, ABOVE = "#feb24c", "#8c6bb1"  # outputs below / above the targets' range: outside RdBu's colours
TRAINING_MARKER, VALIDATION_MARKER = "o", "^"


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


PointSet = tuple[Array, Array, str]


def _point_sets(inputs: Array, targets: Array, validation: tuple[Array, Array] | None) -> list[PointSet]:
    """``(inputs, targets, marker)`` of the training points and, if any, the validation points."""
    sets = [(inputs, targets, TRAINING_MARKER)]
    if validation is not None and len(validation[0]):
        sets.append((validation[0], validation[1], VALIDATION_MARKER))
    return sets


def _validation_legend_entry(axes: Any, sets: list[PointSet]) -> None:
    if len(sets) > 1:
        axes.scatter([], [], marker=VALIDATION_MARKER, facecolors="none", edgecolors="k", label="validation points")


def plot_decision_boundary(
    axes: Any,
    network: Network,
    inputs: Array,
    targets: Array,
    class_names: Sequence[str] = (),
    resolution: int = 200,
    feature_names: Sequence[str] = (),
    validation: tuple[Array, Array] | None = None,
    classification: bool | None = None,
    input_transform: Callable[[Array], Array] | None = None,
) -> None:
    """Draw the output surface and the points on ``axes`` (see the module docstring).

    ``inputs``/``targets`` are the training points; ``validation`` the held-out ones, all in the
    data's own units, and ``input_transform`` the scaling the network's inputs get (the axes stay in
    the data's units). ``classification`` defaults to "every target is 0 or 1".
    """
    from stepgrad.training.api import predict_proba

    sets = _point_sets(inputs, targets, validation)
    every_input = np.concatenate([points for points, _, _ in sets])
    every_target = np.concatenate([values for _, values, _ in sets])
    grid_x, grid_y, points = _grid(every_input, resolution)
    with np.errstate(all="ignore"):
        out = predict_proba(network, points if input_transform is None else input_transform(points))
    names = list(feature_names) if len(feature_names) == 2 else ["x1", "x2"]
    axes.set_xlabel(names[0])
    axes.set_ylabel(names[1])
    if classification is None:
        classification = bool(np.all((every_target == 0.0) | (every_target == 1.0)))
    if out.shape[1] > 1:
        _classes(axes, grid_x, grid_y, out, sets, class_names)
    else:
        _one_output(
            axes,
            grid_x,
            grid_y,
            out[:, 0],
            sets,
            every_target[:, 0],
            classification and network.layers[-1].activation == "sigmoid",
        )
    handles, _ = axes.get_legend_handles_labels()
    if handles:
        axes.legend(loc="best", fontsize="small")


def _classes(
    axes: Any,
    grid_x: Array,
    grid_y: Array,
    out: Array,
    sets: list[PointSet],
    class_names: Sequence[str],
) -> None:
    from matplotlib.colors import BoundaryNorm, ListedColormap

    count = out.shape[1]
    names = list(class_names) if len(class_names) == count else [f"class {k}" for k in range(count)]
    colours = ListedColormap([f"C{k % 10}" for k in range(count)])
    norm = BoundaryNorm(np.arange(-0.5, count + 0.5), count)
    predicted = np.where(np.all(np.isfinite(out), axis=1), np.argmax(out, axis=1), np.nan)
    axes.contourf(
        grid_x,
        grid_y,
        predicted.reshape(grid_x.shape),
        levels=np.arange(-0.5, count + 0.5),
        cmap=colours,
        norm=norm,
        alpha=0.35,
    )
    for points, values, marker in sets:
        labels = np.argmax(values, axis=1)
        for k in range(count):
            chosen = labels == k
            if chosen.any():
                axes.scatter(
                    points[chosen, 0],
                    points[chosen, 1],
                    color=f"C{k % 10}",
                    edgecolors="k",
                    s=18,
                    marker=marker,
                    label=names[k] if marker == TRAINING_MARKER else None,
                )
    _validation_legend_entry(axes, sets)
    axes.set_title("Predicted class over the input plane")


def _one_output(
    axes: Any,
    grid_x: Array,
    grid_y: Array,
    surface: Array,
    sets: list[PointSet],
    target_values: Array,
    probability: bool,
) -> None:
    """One output: ``P(class 1)`` on [0, 1], or the output and targets on the targets' range."""
    from matplotlib import colormaps
    from matplotlib.colors import Normalize
    from matplotlib.ticker import MaxNLocator

    if probability:
        low, high = 0.0, 1.0
    else:
        low, high = float(target_values.min()), float(target_values.max())
        if not high > low:  # one target value: a unit range around it
            low, high = low - 0.5, high + 0.5
    norm = Normalize(low, high)
    colours = colormaps["RdBu"].with_extremes(under=BELOW, over=ABOVE)
    finite = np.isfinite(surface)
    notes = []
    if not finite.any():
        axes.text(0.5, 0.5, "the network's outputs are not finite", transform=axes.transAxes, ha="center")
    else:
        grid = np.where(finite, surface, np.nan).reshape(grid_x.shape)
        mesh = axes.contourf(
            grid_x,
            grid_y,
            grid,
            levels=np.linspace(low, high, 21),
            cmap=colours,
            norm=norm,
            alpha=0.6,
            extend="neither" if probability else "both",
        )
        axes.figure.colorbar(
            mesh, ax=axes, label="P(class 1)" if probability else "output and target", ticks=MaxNLocator(nbins=6)
        )
        if np.any(finite & ((surface < low) | (surface > high))):
            notes.append(
                f"outputs {float(surface[finite].min()):.3g} … {float(surface[finite].max()):.3g}:\n"
                "beyond the targets in the colour bar's end colours"
            )
    if finite.any() and not finite.all():
        notes.append("blank: output not finite")
    if notes:
        axes.text(
            0.02,
            0.02,
            "\n".join(notes),
            transform=axes.transAxes,
            fontsize="small",
            bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none"},
        )
    for points, values, marker in sets:
        axes.scatter(
            points[:, 0], points[:, 1], c=values[:, 0], cmap=colours, norm=norm, edgecolors="k", s=18, marker=marker
        )
    _validation_legend_entry(axes, sets)
    axes.set_title("P(class 1) over the input plane" if probability else "Output over the input plane")
