"""Train one chunk: the networks ``start … stop−1`` of one grid point, as one compiled ensemble.

Runs on whichever process holds the chunk (this one, or a Dask worker); the result is plain
NumPy arrays, one entry per network, and depends only on the spec and the chunk.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from stepgrad.network.model import Network
from stepgrad.sweeps.chunks import Chunk
from stepgrad.sweeps.seeds import network_seeds
from stepgrad.sweeps.spec import SweepSpec

ChunkResult = dict[str, NDArray[np.generic]]


def point_sizes(sizes: tuple[int, ...], hidden: object) -> list[int]:
    """The layer sizes at a point: ``sizes`` with every hidden layer set to ``hidden`` when an axis gives it."""
    if hidden is None:
        return list(sizes)
    return [sizes[0], *([int(str(hidden))] * (len(sizes) - 2)), sizes[-1]]


def scaled(network: Network, factor: float) -> Network:
    """``network`` with its initial weights multiplied by ``factor`` (biases as they are)."""
    if factor == 1.0:
        return network
    return network.with_parameters(
        [factor * layer.weights for layer in network.layers], [layer.bias for layer in network.layers]
    )


def epochs_run(training: object, count: int) -> NDArray[np.int64]:
    """``(N,)`` each network's complete epochs before it stopped (its logged loss is NaN from its divergence on)."""
    history = getattr(training, "history", [])
    if not history:
        return np.zeros(count, dtype=np.int64)
    losses = np.stack([np.broadcast_to(np.asarray(log.loss, dtype=np.float64), (count,)) for log in history])
    return np.isfinite(losses).sum(axis=0).astype(np.int64)


def run_chunk(spec: SweepSpec, chunk: Chunk) -> ChunkResult:
    """The chunk's networks trained: seed, final loss, accuracy, converged, diverged and epochs run of each."""
    from stepgrad.training import EnsembleResult, make_training, seeded_network

    settings = spec.point_settings(chunk.point)
    seeds = network_seeds(spec.seed, chunk.point, chunk.start, chunk.stop)
    sizes = point_sizes(spec.sizes, settings["hidden"])
    factor = float(str(settings["init-scale"]))
    activation = str(settings["activation"])
    networks = [
        scaled(seeded_network(sizes, int(seed), activation, spec.output_activation, spec.loss), factor)
        for seed in seeds
    ]
    batch = settings["batch-size"]
    momentum = settings["momentum"]
    training = make_training(
        networks,
        spec.inputs,
        spec.targets,
        seed=[int(seed) for seed in seeds],
        learning_rate=[float(str(settings["lr"]))] * chunk.size,
        batch_size=None if batch == "full" else int(str(batch)),
        momentum=None if momentum is None else float(str(momentum)),
        weight_decay=float(str(settings["weight-decay"])),
        **spec.training,
    ).run()
    result = EnsembleResult.of(training)
    accuracy = result.accuracy if result.accuracy is not None else np.full(chunk.size, np.nan)
    return {
        "seed_index": np.arange(chunk.start, chunk.stop, dtype=np.int64),
        "seed": seeds,
        "loss": np.asarray(result.loss, dtype=np.float64),
        "accuracy": np.asarray(accuracy, dtype=np.float64),
        "converged": np.asarray(result.converged(spec.converged_below), dtype=bool),
        "diverged": np.asarray(result.diverged, dtype=bool),
        "epochs": epochs_run(training, chunk.size),
    }
