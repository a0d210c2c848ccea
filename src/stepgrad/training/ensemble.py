"""Many independent networks trained at once along a leading "network" axis.

Network ``k`` of an ensemble starts from ``create_network(sizes, …, rng=init stream of
seed_k)``, shuffles with the shuffle stream of ``seed_k`` and learns with rate ``η_k``: exactly
what ``fit`` does for one network with that seed and rate, so each member equals the same
network trained alone. The arrays are ``(N, n_out, n_in)``; no Python loop over networks.
Plain SGD on small networks runs on the compiled ensemble kernel when numba is installed
(``stepgrad.training.compiled.ensemble``, equal to the NumPy path to 1e-12, and to a small network
trained alone on the compiled path to the last bit); pass ``use_compiled=False`` for the NumPy
reference path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from stepgrad.network.model import BiasMode, Network
from stepgrad.training.init import create_network
from stepgrad.training.loops import Training, make_training, seed_stream

Array = NDArray[np.float64]


def seeded_network(
    sizes: Sequence[int],
    seed: int,
    activation: str = "sigmoid",
    output_activation: str | None = None,
    loss: str = "half_squared_error",
    bias: BiasMode = "per_neuron",
) -> Network:
    """The network a run with ``seed`` starts from (initial weights from the seed's init stream)."""
    return create_network(sizes, activation, output_activation, loss, bias, rng=seed_stream(seed, 0))


@dataclass(frozen=True)
class EnsembleResult:
    """A trained ensemble.

    Attributes:
        training: the run (stacked parameters ``(N, …)``, history of ``(N,)`` arrays).
        seeds: the seed of each network.
        learning_rates: ``(N,)`` each network's ``η``.
        loss: ``(N,)`` mean ``E_total`` of each network's final weights on the whole training set,
            measured once after training (always finite: diverged nets keep good weights).
        accuracy: ``(N,)`` their training accuracy (None for regression).
        diverged: ``(N,)`` which networks stopped on a NaN/inf loss.
    """

    training: Training
    seeds: tuple[int, ...]
    learning_rates: Array
    loss: Array
    accuracy: Array | None
    diverged: NDArray[np.bool_]

    @classmethod
    def of(cls, training: Training) -> EnsembleResult:
        """The result of an ensemble run as it stands (finished, or stopped by Ctrl-C after some epochs):
        each network's kept weights measured on the training set (one forward pass)."""
        kept = training.measure_kept()
        return cls(
            training=training,
            seeds=tuple(training.seeds),
            learning_rates=np.asarray(training.learning_rate, dtype=np.float64),
            loss=np.asarray(kept.loss),
            accuracy=None if kept.accuracy is None else np.asarray(kept.accuracy),
            diverged=np.asarray(training.diverged, dtype=bool),
        )

    @property
    def size(self) -> int:
        """Number of networks."""
        return len(self.seeds)

    def network(self, index: int) -> Network:
        """Network ``index`` with its trained weights."""
        return self.training.current_network(index)

    def converged(self, loss_below: float | None = None) -> NDArray[np.bool_]:
        """Which networks converged: loss below ``loss_below`` if given, else 100% training accuracy
        (classification) or loss below 0.01 (regression)."""
        ok = ~self.diverged
        if loss_below is not None or self.accuracy is None:
            return ok & (self.loss < (0.01 if loss_below is None else loss_below))
        return ok & (self.accuracy >= 1.0)


def make_ensemble(
    sizes: Sequence[int],
    inputs: ArrayLike,
    targets: ArrayLike,
    *,
    seeds: Sequence[int] | int = 10,
    learning_rates: float | Sequence[float] = 0.1,
    activation: str = "sigmoid",
    output_activation: str | None = None,
    loss: str = "half_squared_error",
    bias: BiasMode = "per_neuron",
    callbacks: Sequence[Any] = (),
    **options: Any,
) -> Training:
    """The run of networks of ``sizes``, one per seed and/or learning rate, ready to ``run()``
    (``fit_ensemble`` runs it; a CLI runs it itself to summarise what it has after Ctrl-C).

    Args:
        sizes: ``[n_inputs, …, n_outputs]``.
        inputs: ``(n, n_inputs)``.
        targets: ``(n, n_outputs)``.
        seeds: the seeds, or a count ``N`` meaning seeds ``0 … N−1``.
        learning_rates: one ``η`` for all, or one per network (then one seed may serve all).
        options: passed on to ``make_training`` (optimizer, epochs, batch_size, schedule …).
    """
    seed_list = list(range(seeds)) if isinstance(seeds, int) else list(seeds)
    rates = np.atleast_1d(np.asarray(learning_rates, dtype=np.float64))
    count = max(len(seed_list), len(rates))
    if len(seed_list) == 1:
        seed_list = seed_list * count
    if len(rates) == 1:
        rates = np.repeat(rates, count)
    networks = [seeded_network(sizes, s, activation, output_activation, loss, bias) for s in seed_list]
    return make_training(
        networks, inputs, targets, seed=seed_list, learning_rate=list(rates), callbacks=callbacks, **options
    )


def fit_ensemble(sizes: Sequence[int], inputs: ArrayLike, targets: ArrayLike, **options: Any) -> EnsembleResult:
    """Train networks of ``sizes``, one per seed and/or learning rate, all at once (the arguments are
    ``make_ensemble``'s: ``seeds``, ``learning_rates``, ``activation``, ``loss`` … and ``make_training``'s)."""
    return EnsembleResult.of(make_ensemble(sizes, inputs, targets, **options).run())
