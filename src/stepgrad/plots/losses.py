"""Loss curves per epoch, drawn from a history that may hold NaN, inf or enormous values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from stepgrad.plots.scale import fits_log_axis, power_of_ten_ticks


def _series(values: Sequence[Any] | None) -> np.ndarray | None:
    if not values or all(value is None for value in values):
        return None
    return np.array([np.nan if value is None else float(np.mean(value)) for value in values], dtype=np.float64)


def plot_losses(axes: Any, history: Mapping[str, Sequence[Any]], events: Sequence[tuple[int, str]] = ()) -> None:
    """Train (and validation) loss per epoch on ``axes``; only finite values are drawn. The train loss
    is the running mean over each epoch's batches, the validation loss measures the weights after it.

    A log scale is used when every finite value is positive: matplotlib's own within
    ``stepgrad.plots.scale.LOG_AXIS_RANGE``, else ``log₁₀ loss`` on a linear axis with ticks
    labelled ``10^k`` (any float64 range). ``events`` mark epochs (a vertical line and a label),
    e.g. where training diverged or the epoch early stopping restored.
    """
    labels = (("loss", "train loss (running mean over the epoch)"), ("val_loss", "validation loss (after the epoch)"))
    series = {label: _series(history.get(key)) for key, label in labels}
    present = {label: values for label, values in series.items() if values is not None}
    pooled = np.concatenate(list(present.values())) if present else np.zeros(0)
    finite = pooled[np.isfinite(pooled)]
    positive = finite.size > 0 and bool(np.all(finite > 0))
    as_log10 = positive and not fits_log_axis(finite)
    for label, values in present.items():
        epochs = np.arange(1, values.size + 1)
        keep = np.isfinite(values)
        shown = np.log10(values[keep]) if as_log10 else values[keep]
        axes.plot(epochs[keep], shown, label=label, marker="." if keep.sum() < 30 else None)
    left_out = int(pooled.size - finite.size)
    if not finite.size:
        axes.text(0.5, 0.5, "no finite loss to draw", transform=axes.transAxes, ha="center", va="center")
    elif left_out:
        axes.text(0.98, 0.95, f"{left_out} NaN/inf values not drawn", transform=axes.transAxes, ha="right", va="top")
    if as_log10:
        power_of_ten_ticks(axes.yaxis)
    elif positive:
        axes.set_yscale("log")
    for epoch, label in events:
        axes.axvline(epoch, color="tab:red", linestyle="--", linewidth=1, label=label)
    axes.set_xlabel("epoch")
    axes.set_ylabel("loss (mean E_total, log scale)" if positive else "loss (mean E_total)")
    axes.set_title("Loss per epoch")
    if present or events:
        axes.legend()
