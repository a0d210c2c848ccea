"""What a training run records: its seeds, each epoch's log, snapshots of the weights, one update's result.

Plain data (frozen dataclasses) and small helpers shared by the run (``stepgrad.training.loops``) and
the divergence guard (``stepgrad.training.guard``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from stepgrad.errors import StepgradError
from stepgrad.training.params import Params

Array = NDArray[np.float64]


# NumPy's generators take any non-negative integer; stepgrad's seeds are 32-bit, as scikit-learn's and PyTorch's
# ``random_state``/``manual_seed`` users know them, so a seed means the same thing everywhere.
MAX_SEED = 2**32 - 1


def check_seed(seed: Any, what: str = "the seed") -> int:
    """``seed`` as an ``int`` if it is a whole number from 0 to ``MAX_SEED``, else a ``StepgradError``."""
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or not 0 <= seed <= MAX_SEED:
        raise StepgradError(f"{what} must be a whole number from 0 to {MAX_SEED} (2**32 − 1), got {seed!r}")
    return int(seed)


def seed_streams(seed: int, draw: int = 0) -> tuple[np.random.Generator, np.random.Generator]:
    """Two independent generators from one seed: (initial weights, shuffling). Every run that trains from a seed
    takes both from here (``stepgrad train``, ``fit``, the web page), so the same seed gives the same network.

    ``draw`` 1, 2, … give other initial weights of the same seed (the page's "new weights": child ``draw`` of
    the weights' stream); the shuffling stays the seed's.
    """
    weights = seed_stream(seed, 0)
    if draw:
        weights = np.random.default_rng(np.random.SeedSequence(check_seed(seed), spawn_key=(0, int(draw))))
    return weights, seed_stream(seed, 1)


def seed_stream(seed: int, which: int) -> np.random.Generator:
    """Generator ``which`` of ``seed``, made alone (a sweep makes thousands).

    0 the initial weights and 1 the shuffling (the two of ``seed_streams``), 2 the validation split
    (``split_validation``): child ``which`` of the seed's ``SeedSequence``, the same however many are spawned.
    """
    return np.random.default_rng(np.random.SeedSequence(check_seed(seed)).spawn(which + 1)[which])


@dataclass(frozen=True)
class EpochLog:
    """What one epoch measured. Values are floats, or ``(N,)`` arrays for an ensemble.

    Attributes:
        epoch: 1 for the first epoch.
        learning_rate: ``η`` used in the epoch (after the schedule).
        loss: the running mean of ``E_total`` over the epoch's batches, each batch with the weights
            before its update (NaN in the epoch the network diverged in, and after it).
        accuracy: the running accuracy, measured the same way (None for regression).
        val_loss: mean ``E_total`` on the validation data with the weights held after the epoch
            (None without validation data).
        val_accuracy: validation accuracy (None without validation data or for regression).
        diverged: whether the network has stopped on a NaN/inf loss.
        updates: number of updates so far.
    """

    epoch: int
    learning_rate: Any
    loss: Any
    accuracy: Any = None
    val_loss: Any = None
    val_accuracy: Any = None
    diverged: Any = False
    updates: int = 0


@dataclass(frozen=True)
class Snapshot:
    """Weights at the end of an epoch (``(N,)`` arrays for an ensemble), measured only when asked.

    Attributes:
        epoch: the epoch they are from (0: the initial weights).
        params: the weights and biases.
        loss: their mean ``E_total`` on the training set, once measured (``Training.measure_kept``).
        accuracy: their training accuracy, once measured (None for regression or before).
        earlier: the snapshot kept before this one (its epoch is one less), if any: the divergence
            guard's fallback.
    """

    epoch: Any
    params: Params
    loss: Any = None
    accuracy: Any = None
    earlier: Snapshot | None = field(default=None, repr=False)

    def succeeded_by(self, epoch: Any, params: Params) -> Snapshot:
        """The snapshot of a later good epoch, with this one (unmeasured, without its own fallback) as ``earlier``."""
        return Snapshot(epoch, params, earlier=Snapshot(self.epoch, self.params))


@dataclass(frozen=True)
class BatchStep:
    """One update's loss ``(…)`` and outputs ``(…, B, n_outputs)`` before the update."""

    loss: Any
    output: Array
    applied: bool


def masked(mask: NDArray[np.bool_], kept: Params, new: Params) -> Params:
    """Per network: ``kept`` where ``mask`` is True, ``new`` elsewhere."""
    arrays = [
        np.where(mask.reshape(mask.shape + (1,) * (k.ndim - 1)), k, n)
        for k, n in zip(kept.arrays(), new.arrays(), strict=True)
    ]
    return Params.from_arrays(arrays)


def nan_where(diverged: NDArray[np.bool_], value: Any) -> Any:
    """``value`` ``(N,)`` with NaN for the networks that have diverged (None stays None)."""
    return None if value is None else np.where(diverged, np.nan, value)


def first_network(value: Any) -> Any:
    """A number, or network 0's entry of an ensemble's ``(N,)`` value, as a Python ``float`` (``bool`` for flags)."""
    item = np.asarray(value).reshape(-1)[0]
    return bool(item) if item.dtype == bool else float(item)
