"""Log scales that survive any float64 range.

matplotlib's log axis computes its ticks as powers of ten and overflows (``OverflowError``) when the
values span hundreds of decades, as the losses of a diverging run do (``1e-3 … 3.6e288``). Within
``LOG_AXIS_RANGE`` its own log axis is used; beyond it the figures draw ``log₁₀`` of the values on a
linear axis whose ticks read ``10^k`` (``power_of_ten_ticks``), so no figure ever fails on its numbers.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

# matplotlib's log axis adds margins and ticks a few decades beyond the data; inside this range they stay finite.
LOG_AXIS_RANGE = (1e-200, 1e200)


def fits_log_axis(values: NDArray[np.float64]) -> bool:
    """Whether matplotlib's own log axis can show ``values`` (all finite, positive, inside ``LOG_AXIS_RANGE``)."""
    low, high = LOG_AXIS_RANGE
    return bool(values.size) and bool(np.all(np.isfinite(values) & (values >= low) & (values <= high)))


def power_of_ten_ticks(axis: Any) -> None:
    """Ticks at whole numbers ``k`` of an axis that holds ``log₁₀`` values, labelled ``10^k``."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    axis.set_major_locator(MaxNLocator(nbins=8, integer=True))
    axis.set_major_formatter(FuncFormatter(lambda value, _: f"$10^{{{value:.0f}}}$"))
