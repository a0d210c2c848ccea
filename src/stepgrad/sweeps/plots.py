"""Figures that answer a sweep's question: convergence rate as heat-maps, final losses per point.

``convergence_heatmap``: the share of converged networks over two grid axes (x and y), one panel
per combination of the other axes' values (e.g. one per activation). ``loss_histograms``: one small
histogram of final losses per grid point.
"""

from __future__ import annotations

import itertools
import math
import os
from typing import Any

import numpy as np

from stepgrad.errors import StepgradError
from stepgrad.sweeps.spec import SweepSpec
from stepgrad.sweeps.summary import format_value
from stepgrad.sweeps.table import Columns

MAX_PANELS = 12
MAX_HISTOGRAMS = 64


def heatmap_axes(spec: SweepSpec) -> tuple[int, int]:
    """The positions of the two axes the heat-map spans: the first two with more than one value."""
    varied = [index for index, axis in enumerate(spec.grid.axes) if len(axis.values) > 1]
    if len(varied) < 2:
        raise StepgradError("--plot draws convergence over two grid axes: give two --grid axes with several values")
    return varied[0], varied[1]


def check_figures(spec: SweepSpec, heatmap: str | None, histograms: str | None) -> None:
    """Refuse, before training, figures the grid cannot give (a heat-map needs two varied axes)."""
    if heatmap:
        x, y = heatmap_axes(spec)
        panels = spec.grid.size // (len(spec.grid.axes[x].values) * len(spec.grid.axes[y].values))
        if panels > MAX_PANELS:
            raise StepgradError(f"--plot: {panels} panels (one per value of the other axes) is more than {MAX_PANELS}")
    if histograms and spec.grid.size > MAX_HISTOGRAMS:
        raise StepgradError(
            f"--hist draws one histogram per grid point; {spec.grid.size} is more than {MAX_HISTOGRAMS}"
        )


def rate_matrix(table: Columns, columns: dict[str, Any], x: Any, y: Any) -> np.ndarray:
    """``(len(y values), len(x values))`` the share converged per cell, over the rows matching ``columns``."""
    selected = np.ones(len(table["point"]), dtype=bool)
    for name, value in columns.items():
        selected &= table[name] == value
    rates = np.full((len(y.values), len(x.values)), np.nan)
    for row, y_value in enumerate(y.values):
        for col, x_value in enumerate(x.values):
            cell = selected & (table[x.kind.column] == x_value) & (table[y.kind.column] == y_value)
            if cell.any():
                rates[row, col] = table["converged"][cell].mean()
    return rates


def convergence_heatmap(path: str | os.PathLike[str], spec: SweepSpec, table: Columns, title: str) -> None:
    """Share of converged networks over two axes, a panel per combination of the others."""
    from stepgrad.plots.output import pyplot, save_figure

    x_index, y_index = heatmap_axes(spec)
    x, y = spec.grid.axes[x_index], spec.grid.axes[y_index]
    others = [axis for index, axis in enumerate(spec.grid.axes) if index not in (x_index, y_index)]
    panels = list(itertools.product(*(axis.values for axis in others)))
    plt = pyplot()
    figure, grid = plt.subplots(1, len(panels), figsize=(4.2 * len(panels) + 1, 4), squeeze=False, layout="constrained")
    try:
        for axes, values in zip(grid[0], panels, strict=True):
            columns = {axis.kind.column: value for axis, value in zip(others, values, strict=True)}
            image = axes.imshow(
                rate_matrix(table, columns, x, y), origin="lower", vmin=0, vmax=1, cmap="viridis", aspect="auto"
            )
            for ticks, labels, axis in (
                (axes.set_xticks, axes.set_xticklabels, x),
                (axes.set_yticks, axes.set_yticklabels, y),
            ):
                step = max(1, math.ceil(len(axis.values) / 8))
                positions = list(range(0, len(axis.values), step))
                ticks(positions)
                labels([format_value(axis.values[p]) for p in positions])
            axes.set_xlabel(x.name)
            axes.set_ylabel(y.name)
            axes.set_title(
                ", ".join(f"{n} {format_value(v)}" for n, v in zip([a.name for a in others], values, strict=True))
            )
        figure.colorbar(image, ax=grid[0].tolist(), label="share converged")
        figure.suptitle(title)
        save_figure(figure, path)
    finally:
        plt.close(figure)


def loss_histograms(path: str | os.PathLike[str], spec: SweepSpec, table: Columns, title: str) -> None:
    """One histogram of final losses per grid point (decade bins, as ``stepgrad.plots.histogram``)."""
    from stepgrad.plots.histogram import plot_loss_histogram
    from stepgrad.plots.output import pyplot, save_figure

    points = np.unique(table["point"])
    columns = math.ceil(math.sqrt(len(points)))
    rows = math.ceil(len(points) / columns)
    plt = pyplot()
    figure, grid = plt.subplots(rows, columns, figsize=(3.2 * columns, 2.6 * rows), squeeze=False)
    try:
        for axes in grid.flat[len(points) :]:
            axes.set_visible(False)
        for axes, point in zip(grid.flat, points, strict=False):
            plot_loss_histogram(axes, table["loss"][table["point"] == point])
            settings = spec.grid.point(int(point))
            axes.set_title(", ".join(f"{n} {format_value(v)}" for n, v in settings.items()) or "all", fontsize=8)
        figure.suptitle(title)
        figure.tight_layout()
        save_figure(figure, path)
    finally:
        plt.close(figure)
