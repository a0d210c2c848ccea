"""Figures with matplotlib (imported lazily, Agg backend): loss curves, decision boundaries, sweeps.

Each function takes numbers that were already computed (a history, a trained network, final
losses) and writes a PNG/SVG/PDF atomically; none of them trains or differentiates anything.
Histories may hold NaN/inf or huge losses (a run that diverged) and networks may have huge
outputs: the figures draw what is finite and say what they left out, never fail on it.
"""

from stepgrad.plots.figures import sweep_histogram, training_figure
from stepgrad.plots.output import check_figure_path, figure_formats

__all__ = ["check_figure_path", "figure_formats", "sweep_histogram", "training_figure"]
