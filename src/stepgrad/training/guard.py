"""The divergence guard, written once: which epochs are good, and which weights a stopped network keeps.

The per-epoch decision is ``epoch_outcome`` (plain Python over NumPy, so numba compiles the same source:
``stepgrad.training.compiled.ensemble`` wraps it in ``numba.njit`` and calls it in the ensemble kernel; the
Python loop calls it through ``epoch_outcomes``)::

    good = isfinite(running loss of the epoch) and every parameter θ_i of the network is finite
    STOP if not good, else BEST if running < the lowest running loss of a good epoch so far, else KEEP

A good epoch's weights become the kept ones (and the best epoch's, on BEST).

A network whose batch loss turns NaN/inf, or whose epoch is not good, stops. It keeps, of its candidate
snapshots (the end of the latest good epoch, the good epoch with the lowest running loss, the epoch before
the latest, the initial weights), the one with the lowest finite loss on the training set (``prefer``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from stepgrad.training.params import Params
from stepgrad.training.records import Snapshot, masked

Array = NDArray[np.float64]


# What the guard does with a network at the end of an epoch (``epoch_outcome``).
STOP, KEEP, BEST = 0, 1, 2


def epoch_outcome(running: float, column: Array, best_running: float) -> int:
    """``STOP``, ``KEEP`` or ``BEST`` for an epoch with running loss ``running`` that ended with parameters
    ``column`` ``(P,)``, when the lowest running loss of a good epoch so far is ``best_running``."""
    if not (math.isfinite(running) and np.isfinite(column).all()):
        return STOP
    return BEST if running < best_running else KEEP


def epoch_outcomes(running: Array, columns: Array, best_running: Array) -> NDArray[np.int64]:
    """``epoch_outcome`` per network: ``running`` and ``best_running`` ``(N,)``, ``columns`` ``(P, N)``."""
    count = running.shape[0]
    return np.array([epoch_outcome(float(running[k]), columns[:, k], float(best_running[k])) for k in range(count)])


def columns_of(params: Params) -> Array:
    """Stacked parameters ``(N, …)`` as ``(P, N)`` columns (a view of one copy)."""
    count = params.weights[0].shape[0]
    return np.concatenate([a.reshape(count, -1) for a in params.arrays()], axis=1).T


def prefer(
    chosen: Snapshot, candidate: Snapshot | None, members: NDArray[np.bool_], measured: Callable[[Snapshot], Snapshot]
) -> tuple[Snapshot, Snapshot | None]:
    """``chosen``, with ``candidate`` instead for the ``members`` ``(N,)`` where its training loss is finite and
    lower (ties: ``chosen``, the later); and ``candidate`` measured. ``chosen`` must be measured already."""
    if candidate is None or candidate.params is chosen.params:
        return chosen, candidate
    candidate = measured(candidate)
    with np.errstate(invalid="ignore"):
        better = members & np.isfinite(candidate.loss) & ~(chosen.loss <= candidate.loss)
    if not np.any(better):
        return chosen, candidate
    if better.all():
        return replace(candidate, earlier=chosen.earlier), candidate
    accuracy = None if chosen.accuracy is None else np.where(better, candidate.accuracy, chosen.accuracy)
    return Snapshot(
        np.where(better, candidate.epoch, chosen.epoch),
        masked(better, candidate.params, chosen.params),
        np.where(better, candidate.loss, chosen.loss),
        accuracy,
        earlier=chosen.earlier,
    ), candidate
