"""Where figures go: matplotlib's Agg backend, the formats it writes, and atomic saving."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

from stepgrad.errors import StepgradError


def pyplot() -> Any:
    """``matplotlib.pyplot`` on the Agg backend (no display needed), or a clear error."""
    try:
        import matplotlib
    except ImportError as error:
        raise StepgradError("plots need matplotlib: pip install 'stepgrad[train]'") from error
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def figure_formats() -> list[str]:
    """The file suffixes matplotlib can write (``png``, ``svg``, ``pdf`` …)."""
    pyplot()
    from matplotlib.backend_bases import FigureCanvasBase

    return sorted(FigureCanvasBase.get_supported_filetypes())


def check_figure_path(path: str | os.PathLike[str]) -> str:
    """The format of ``path`` from its suffix; a ``StepgradError`` if matplotlib cannot write it."""
    suffix = Path(path).suffix.lower().lstrip(".")
    formats = figure_formats()
    if suffix not in formats:
        shown = f"'.{suffix}'" if suffix else "no suffix"
        raise StepgradError(f"cannot write a figure with {shown}; use one of .{', .'.join(formats)}", str(path))
    return suffix


def save_figure(figure: Any, path: str | os.PathLike[str], dpi: int = 110) -> None:
    """Render ``figure`` in memory, then write it atomically (``stepgrad.network.files.write_atomic``)."""
    from stepgrad.network.files import write_atomic

    buffer = io.BytesIO()
    figure.savefig(buffer, format=check_figure_path(path), dpi=dpi)
    write_atomic(path, buffer.getvalue())
