"""Per grid point: how many networks converged, diverged, and their losses (data, then a rich table)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from stepgrad.sweeps.spec import SweepSpec
from stepgrad.sweeps.table import Columns


@dataclass(frozen=True)
class PointSummary:
    """One grid point's networks: settings, count, converged and diverged shares, loss median, mean epochs."""

    point: int
    settings: dict[str, Any]
    networks: int
    converged: float
    diverged: float
    median_loss: float
    mean_epochs: float


def summarise(spec: SweepSpec, table: Columns) -> list[PointSummary]:
    """One ``PointSummary`` per grid point with rows in ``table``, in point order."""
    found = []
    for point in np.unique(table["point"]):
        rows = table["point"] == point
        found.append(
            PointSummary(
                point=int(point),
                settings=spec.grid.point(int(point)),
                networks=int(rows.sum()),
                converged=float(table["converged"][rows].mean()),
                diverged=float(table["diverged"][rows].mean()),
                median_loss=float(np.median(table["loss"][rows])),
                mean_epochs=float(table["epochs"][rows].mean()),
            )
        )
    return found


def format_value(value: Any) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def summary_table(spec: SweepSpec, summaries: list[PointSummary], title: str) -> Any:
    """The summaries as a ``rich`` table: a row per point (a renderable; the CLI prints it)."""
    from rich.table import Table

    table = Table(title=title)
    for axis in spec.grid.axes:
        table.add_column(axis.name, justify="right")
    for heading in ("nets", "converged", "diverged", "median loss", "epochs"):
        table.add_column(heading, justify="right")
    for summary in summaries:
        table.add_row(
            *(format_value(value) for value in summary.settings.values()),
            str(summary.networks),
            f"{summary.converged:.1%}",
            f"{summary.diverged:.1%}",
            f"{summary.median_loss:.4g}",
            f"{summary.mean_epochs:.0f}",
        )
    return table
