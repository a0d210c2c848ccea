"""Epochs on the compiled (numba) kernels, for ``Training``: the bookkeeping around one call.

``epoch_compiled`` hands one epoch of a single network to ``compiled.online_sgd`` or
``compiled.minibatch_sgd`` (through ``sgd_on_kernel``, which ``stepgrad.training.repeat`` uses too) and finds
the first batch whose loss was NaN/inf; ``epochs_compiled_ensemble`` hands several epochs of a whole ensemble
to ``compiled_ensemble.ensemble_sgd`` and turns what it returns into the run's state (weights, kept and best
snapshots, divergence, updates) and one ``EpochLog`` per epoch. Both keep the definitions of
``stepgrad.training.loops``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from stepgrad.training.compiled_api import OnlineSGD, OnlineSGDResult
from stepgrad.training.gradients import Functions
from stepgrad.training.params import Params
from stepgrad.training.records import EpochLog, Snapshot, masked, plain

if TYPE_CHECKING:
    from stepgrad.training.loops import Training

Array = NDArray[np.float64]

# A compiled ensemble call's shuffled sample orders (epochs × networks × samples) stay below this many entries.
CHUNK_MAX_ORDERS = 4_000_000


def sgd_on_kernel(
    kernel: OnlineSGD,
    params: Params,
    functions: Functions,
    trains_bias: Sequence[bool],
    inputs: Array,
    targets: Array,
    order: NDArray[np.int64],
    rate: Any,
) -> tuple[Params, OnlineSGDResult]:
    """``len(order)`` SGD updates of one network's ``params`` on a compiled kernel (``compiled_api.OnlineSGD``):
    the new parameters, and the kernel's result with each update's loss and hit."""
    result = kernel(
        [np.ascontiguousarray(w) for w in params.weights],
        [np.ascontiguousarray(b) for b in params.biases],
        [a.name for a in functions.activations],
        trains_bias,
        functions.loss.name,
        inputs,
        targets,
        order,
        float(rate),
    )
    return Params(tuple(result.weights), tuple(result.biases)), result


def epoch_compiled(training: Training, kernel: OnlineSGD, rate: Any) -> None:
    """One epoch of a single network on a compiled kernel (``compiled_api.OnlineSGD``)."""
    order = training._orders().astype(np.int64)
    params, result = sgd_on_kernel(
        kernel,
        training.params,
        training.functions,
        training._trains_bias,
        training.inputs,
        training.targets,
        order,
        rate,
    )
    size = training.effective_batch
    with np.errstate(over="ignore", invalid="ignore"):
        batch_losses = np.add.reduceat(result.losses, np.arange(0, len(order), size))  # Σ E_total per batch
    bad = np.flatnonzero(~np.isfinite(batch_losses))
    if bad.size:
        training.updates += int(bad[0])  # the updates before the one whose batch loss was NaN/inf
        training._stop_diverged(f"in epoch {training.epoch + 1} (update {training.updates + 1})")
        return
    hits = int(np.sum(result.hits)) if training.classifies else 0
    training.totals.add_sums(float(np.sum(batch_losses)), hits, len(order))
    training.params = params
    training.updates += len(batch_losses)


def epochs_compiled_ensemble(training: Training, kernel: Any, count: int) -> list[EpochLog]:
    """Up to ``count`` epochs of the whole ensemble in one compiled call, then their logs."""
    n, size, networks = training.n_samples, training.effective_batch, int(training.ensemble_size or 0)
    shuffled = size < n
    most = CHUNK_MAX_ORDERS // (networks * n) if shuffled else count
    count = max(1, min(count, training.epochs - training.epoch, most))
    first, kept, before = training.epoch, training._ensure_kept(), np.asarray(training.diverged).copy()
    rates = np.empty((count, networks))
    orders = np.empty((count, networks, n), dtype=np.int64) if shuffled else None
    for e in range(count):
        rates[e] = training.learning_rate_at(first + e)
        if orders is not None:
            orders[e] = training._orders()
    earlier, best = kept.earlier or kept, training.best or kept
    result = kernel(
        training.params.weights,
        training.params.biases,
        kept.params.weights,
        kept.params.biases,
        earlier.params.weights,
        earlier.params.biases,
        best.params.weights,
        best.params.biases,
        np.asarray(training.best_running, dtype=np.float64),
        [a.name for a in training.functions.activations],
        training._trains_bias,
        training.functions.loss.name,
        training.inputs,
        training.targets,
        orders,
        rates,
        size,
        ~before,
    )
    newly = result.diverged_at >= 0
    # every epoch of the call ran, unless every network stopped before its end
    ran = count if (~before & ~newly).any() else int(result.diverged_at.max()) + 1
    training.params = Params(tuple(result.weights), tuple(result.biases))
    kept_epoch = np.where(before, kept.epoch, np.where(newly, first + result.diverged_at, first + count))
    advanced = kept_epoch > kept.epoch  # then the snapshot before is the epoch before
    training.kept = Snapshot(
        kept_epoch,
        Params(tuple(result.kept_weights), tuple(result.kept_biases)),
        earlier=Snapshot(
            np.where(advanced, kept_epoch - 1, earlier.epoch),
            Params(tuple(result.earlier_weights), tuple(result.earlier_biases)),
        ),
    )
    improved = result.best_epoch >= 0
    best_params = Params(tuple(result.best_weights), tuple(result.best_biases))
    training.best = Snapshot(
        np.where(improved, first + result.best_epoch + 1, best.epoch),
        masked(result.best_is_kept, training.kept.params, best_params),
    )
    training.best_running = result.best_loss
    if newly.any():
        training.params = masked(newly, training._fall_back(newly).params, training.params)
    training.diverged = before | newly
    training.epoch = first + ran
    updates = training.updates + np.cumsum(result.updates[:ran].max(axis=1))
    training.updates = int(updates[-1])
    training._stop_if_all_diverged()
    val_loss, val_acc = training._validation_metrics()  # with validation data the call ran one epoch
    epochs = np.arange(ran)[:, None]
    losses = np.where(before, np.nan, result.losses[:ran])  # (ran, N)
    accuracies = np.where(before, np.nan, result.hits[:ran] / n) if training.classifies else [None] * ran
    diverged = before | (newly & (result.diverged_at <= epochs))
    logs = []
    for e in range(ran):
        log = EpochLog(
            first + e + 1,
            plain(training.learning_rate_at(first + e)),
            losses[e],
            accuracies[e],
            val_loss,
            val_acc,
            diverged[e],
            int(updates[e]),
        )
        logs.append(training._log(log))
    return logs
