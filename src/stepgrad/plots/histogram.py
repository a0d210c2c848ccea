"""A histogram of many networks' final losses, binned by decade: ``1e-3`` and ``3.6e288`` in one figure.

The bins are cut in ``log₁₀ loss`` here (never by matplotlib's log axis, which overflows on hundreds
of decades). The axis shows at most ``WINDOW_DECADES`` decades: all of them when the losses fit,
else the window that holds the most networks (``decade_window``). Losses above it (networks that
blew up but stayed finite) are counted in one red bar at the right, losses below it (or exactly 0)
in one grey bar at the left, each labelled with its count; NaN/inf values (none, when the
divergence guard kept good weights) are counted in a note.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from stepgrad.plots.scale import power_of_ten_ticks

BINS = 40
WINDOW_DECADES = 12


def decade_window(logs: NDArray[np.float64]) -> tuple[int, int]:
    """The whole decades ``(low, high)`` the axis shows for these ``log₁₀`` losses: all of them when they
    span at most ``WINDOW_DECADES``, else the ``WINDOW_DECADES`` from the decade where the most start."""
    ordered = np.sort(logs)
    low, top = math.floor(float(ordered[0])), math.ceil(float(ordered[-1]))
    if top - low <= WINDOW_DECADES:
        return low, max(top, low + 1)
    starts = np.floor(ordered)
    inside = np.searchsorted(ordered, starts + WINDOW_DECADES, side="right") - np.arange(ordered.size)
    start = int(starts[int(np.argmax(inside))])  # the first of the fullest windows: the smaller losses
    return start, start + WINDOW_DECADES


def plot_loss_histogram(axes: Any, losses: NDArray[np.float64]) -> None:
    """Draw the histogram of ``losses`` ``(N,)`` on ``axes``."""
    values = np.asarray(losses, dtype=np.float64).ravel()
    finite = values[np.isfinite(values)]
    positive = finite[finite > 0]
    if positive.size:
        logs = np.log10(positive)
        low, high = decade_window(logs)
        edges = np.linspace(low, high, BINS + 1)
        width = edges[1] - edges[0]
        shown = (logs >= low) & (logs <= high)
        axes.hist(logs[shown], bins=edges, color="tab:blue", edgecolor="white")
        above = int(np.sum(logs > high))
        below = int(finite.size - positive.size + np.sum(logs < low))  # losses are ≥ 0; a perfect fit is 0
        if above:
            axes.bar(
                high + 1.5 * width,
                above,
                width=2 * width,
                color="tab:red",
                label=f"{above} above the scale: loss > 1e{high} (largest {positive.max():.3g})",
            )
        if below:
            smallest = float(finite.min())
            axes.bar(
                low - 1.5 * width,
                below,
                width=2 * width,
                color="tab:gray",
                label=f"{below} below the scale: loss < 1e{low} (smallest {smallest:.3g})",
            )
        power_of_ten_ticks(axes.xaxis)
        if above or below:
            axes.legend(loc="upper right", fontsize="small")
        axes.set_xlabel("final loss (mean E_total, log scale)")
    else:
        if finite.size:  # every loss is 0
            axes.bar(0.0, finite.size, width=1.0, color="tab:gray")
            axes.set_xticks([0.0], ["0"])
        axes.set_xlabel("final loss (mean E_total)")
    left_out = int(values.size - finite.size)
    if left_out:
        axes.text(0.02, 0.95, f"{left_out} NaN/inf not shown", transform=axes.transAxes, ha="left", va="top")
    axes.set_ylabel("networks")
