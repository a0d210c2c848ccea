"""Each network's seed, from the sweep's base seed, its grid point and its index at that point.

``seed = SeedSequence([base, point, index]).generate_state(1)[0]``: a 32-bit seed that depends on
nothing else (not the chunk, the worker or the order chunks finish in), and that differs between
points, so no two points share initial weights by accident.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def network_seeds(base: int, point: int, start: int, stop: int) -> NDArray[np.int64]:
    """``(stop − start,)`` the seeds of networks ``start … stop−1`` of grid point ``point``."""
    return np.array(
        [np.random.SeedSequence([base, point, index]).generate_state(1)[0] for index in range(start, stop)],
        dtype=np.int64,
    )
