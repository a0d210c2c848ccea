"""The compiled (numba) ensemble path: many small networks, many epochs of plain SGD, one call.

The reference is the NumPy ensemble (a leading network axis through ``stepgrad.core.propagation``);
this kernel gives each network the arithmetic of ``stepgrad.training.compiled.lanes`` — the same
per-sample forward and backward pass (``sample_pass``), the same gradient sum
(``add_gradient``) — and loops over the networks *inside* compiled code, in blocks of up to
``LANES`` networks side by side (the helpers' lanes, so the arithmetic runs in SIMD). The
networks are split between ``NUMBA_NUM_THREADS`` threads (default: one per core), one range
each: the kernel releases the GIL, and a plain thread pool compiles much faster than
``parallel=True``. Networks are independent, so the order they are visited in does not matter:
each one equals the same network trained alone (tests check 1e-12 against the NumPy ensemble, and
bit for bit against a single run on ``epochs._lane_kernel``). See ``stepgrad.training.compiled`` for when it is used.

Per network ``k`` (still training) and epoch ``e`` of the call, batch by batch:

    E_batch = Σ_{s in batch} E_total(s)                  (before the update)
    g       = Σ_{s in batch} dE_total(s)/dθ             (original weights, ``add_gradient``)
    θ+      = θ − η_{e,k} · (g / B)                      (batch-mean gradient)

The epoch's running loss is ``Σ_batches E_batch / n`` and its running accuracy ``correct / n``.
Divergence guard, per network: a non-finite batch loss, or an epoch whose ``guard.epoch_outcome`` is STOP
(a non-finite running loss or parameter), puts the network back to its last good weights (the end of its
latest good epoch, kept in ``kept``) and stops it; that epoch and the rest of the call log NaN. The kernel
also keeps the epoch before (``earlier``) and the good epoch with the lowest running loss (``best``,
``best_loss``: BEST): the loop's divergence guard chooses among them.

Importing this module imports numba; only the training loop imports it, lazily.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import numba
import numpy as np
from numpy.typing import NDArray

from stepgrad.training.compiled.lanes import (
    Layout,
    Packed,
    add_gradient,
    count_correct,
    descend,
    floats,
    kernel_loss_code,
    load_inputs,
    sample_pass,
)
from stepgrad.training.guard import BEST, STOP, epoch_outcome

Array = NDArray[np.float64]
Ints = NDArray[np.int64]


class EnsembleSGDResult(NamedTuple):
    """What one compiled call over ``E`` epochs returns (``N`` networks).

    Attributes:
        weights: the new weights, ``(N, n_out, n_in)`` per layer.
        biases: the new biases, ``(N, n_bias)`` per layer.
        kept_weights: each network's last good weights (the end of its latest good epoch).
        kept_biases: the same for the biases.
        earlier_weights: the weights kept before those (the end of the epoch before).
        earlier_biases: the same for the biases.
        best_weights: each network's weights at the end of its good epoch with the lowest running loss
            (where that is its kept epoch, ``kept_weights`` holds them and this array may not).
        best_biases: the same for the biases.
        best_is_kept: ``(N,)`` where the best weights are the kept ones.
        best_loss: ``(N,)`` that epoch's running loss (unchanged from the call's ``best_loss`` if none was lower).
        best_epoch: ``(N,)`` the epoch of the call (0-based) it is from, or −1 when it is from before the call.
        losses: ``(E, N)`` each epoch's running loss (NaN from the epoch a network diverged in).
        hits: ``(E, N)`` how many samples each epoch classified correctly (NaN likewise).
        diverged_at: ``(N,)`` the epoch of the call (0-based) in which a network diverged, else −1.
        updates: ``(E, N)`` how many updates each network applied in each epoch (not the one whose loss
            was NaN/inf).
    """

    weights: list[Array]
    biases: list[Array]
    kept_weights: list[Array]
    kept_biases: list[Array]
    earlier_weights: list[Array]
    earlier_biases: list[Array]
    best_weights: list[Array]
    best_biases: list[Array]
    best_is_kept: NDArray[np.bool_]
    best_loss: Array
    best_epoch: NDArray[np.int64]
    losses: Array
    hits: Array
    diverged_at: NDArray[np.int64]
    updates: NDArray[np.int64]


# Networks per block: the lanes of the shared helpers.
LANES = 64

# The divergence guard's per-epoch decision, the same source the Python loop runs, compiled.
_epoch_outcome = numba.njit(cache=True)(epoch_outcome)


@numba.njit(cache=True)
def _stop(
    params: Array,
    kept: Array,
    losses: Array,
    hits: Array,
    diverged_at: Ints,
    alive: NDArray[np.bool_],
    lane: int,
    k: int,
    e: int,
) -> None:
    """Network ``k`` (lane ``lane``) diverged in epoch ``e``: back to its last good weights, NaN from ``e`` on."""
    for i in range(params.shape[0]):
        params[i, k] = kept[i, k]
    alive[lane] = False
    diverged_at[k] = e
    for later in range(e, losses.shape[0]):
        losses[later, k] = np.nan
        hits[later, k] = np.nan


@numba.njit(cache=True, nogil=True)
def _ensemble_kernel(
    params: Array,
    kept: Array,
    earlier: Array,
    best: Array,
    best_loss: Array,
    best_epoch: Ints,
    best_is_kept: NDArray[np.bool_],
    layout: Layout,
    loss: int,
    inputs: Array,
    targets: Array,
    orders: Ints,
    shuffled: bool,
    rates: Array,
    batch_size: int,
    active: NDArray[np.bool_],
    network_start: int,
    network_stop: int,
    losses: Array,
    hits: Array,
    diverged_at: Ints,
    updates: Ints,
) -> None:
    """Train every ``active`` network ``network_start … network_stop − 1`` (columns of ``params``, ``(P, N)``) for
    ``rates.shape[0]`` epochs in place.

    ``orders[e, k]`` is network k's sample order in epoch e when ``shuffled`` (else 0 … n−1);
    ``kept[:, k]`` holds its last good parameters and ``earlier[:, k]`` the ones before; both move
    on at the end of every good epoch. A good epoch whose running loss is below ``best_loss[k]``
    becomes the best (``best_loss[k]`` takes that loss, ``best_epoch[k]`` the epoch); its weights
    are the kept ones (``best_is_kept[k]``) until kept moves on, and only then are they copied to
    ``best[:, k]``: a loss that falls epoch after epoch costs no copy. Blocks of ``LANES``
    networks run side by side.
    """
    n_out, row_start = layout[3], layout[5]
    n_params = params.shape[0]
    epochs = rates.shape[0]
    count = inputs.shape[0]
    last = len(n_out) - 1
    rows = row_start[last + 2]
    for k0 in range(network_start, network_stop, LANES):
        lanes = min(LANES, network_stop - k0)
        net, out = np.empty((rows, lanes)), np.empty((rows, lanes))
        delta, dE_dout = np.empty((rows, lanes)), np.empty((rows, lanes))
        grad = np.empty((n_params, lanes))
        samples = np.empty(lanes, dtype=np.int64)
        errors, hit = np.empty(lanes), np.empty(lanes)
        batch_loss, loss_sum, correct = np.empty(lanes), np.empty(lanes), np.empty(lanes)
        alive = np.empty(lanes, dtype=np.bool_)
        for lane in range(lanes):
            alive[lane] = active[k0 + lane]
            diverged_at[k0 + lane] = -1
        for e in range(epochs):
            if not alive.any():
                break
            loss_sum[:] = 0.0
            correct[:] = 0.0
            for start in range(0, count, batch_size):
                stop = min(start + batch_size, count)
                grad[:] = 0.0
                batch_loss[:] = 0.0
                for r in range(start, stop):
                    for lane in range(lanes):
                        samples[lane] = orders[e, k0 + lane, r] if shuffled else r
                    load_inputs(inputs, samples, out, lanes)
                    sample_pass(params, k0, lanes, layout, loss, targets, samples, net, out, delta, dE_dout, errors)
                    count_correct(targets, samples, out, row_start[last + 1], n_out[last], lanes, hit)
                    for lane in range(lanes):
                        batch_loss[lane] += errors[lane]
                        correct[lane] += hit[lane]
                    add_gradient(grad, 1.0, lanes, layout, out, delta)
                for lane in range(lanes):
                    k = k0 + lane
                    if not alive[lane]:
                        continue
                    if not math.isfinite(batch_loss[lane]):
                        _stop(params, kept, losses, hits, diverged_at, alive, lane, k, e)
                        continue
                    updates[e, k] += 1
                    loss_sum[lane] += batch_loss[lane]
                    descend(params, k, grad, lane, rates[e, k], stop - start)  # θ+ = θ − η · (g / B)
            for lane in range(lanes):
                k = k0 + lane
                if not alive[lane]:
                    continue
                running = loss_sum[lane] / count
                outcome = _epoch_outcome(running, params[:, k], best_loss[k])  # the guard's decision (guard.py)
                if outcome == STOP:
                    _stop(params, kept, losses, hits, diverged_at, alive, lane, k, e)
                    continue
                if outcome == BEST:  # the new best: kept from now on, so no copy
                    best_loss[k] = running
                    best_epoch[k] = e
                    best_is_kept[k] = True
                elif best_is_kept[k]:  # the best is the kept weights, about to move on: copy them once
                    for i in range(n_params):
                        best[i, k] = kept[i, k]
                    best_is_kept[k] = False
                for i in range(n_params):
                    earlier[i, k] = kept[i, k]
                    kept[i, k] = params[i, k]
                losses[e, k] = running
                hits[e, k] = correct[lane]


def ensemble_sgd(
    weights: Sequence[Array],
    biases: Sequence[Array],
    kept_weights: Sequence[Array],
    kept_biases: Sequence[Array],
    earlier_weights: Sequence[Array],
    earlier_biases: Sequence[Array],
    best_weights: Sequence[Array],
    best_biases: Sequence[Array],
    best_loss: Array,
    activations: Sequence[str],
    train_bias: Sequence[bool],
    loss: str,
    inputs: Array,
    targets: Array,
    orders: NDArray[np.int64] | None,
    rates: Array,
    batch_size: int,
    active: NDArray[np.bool_],
) -> EnsembleSGDResult:
    """``E = rates.shape[0]`` epochs of plain SGD for each active network of an ensemble.

    Args:
        weights: per layer ``(N, n_out, n_in)``.
        biases: per layer ``(N, n_bias)``.
        kept_weights: per layer ``(N, n_out, n_in)``, each network's last good weights so far.
        kept_biases: per layer ``(N, n_bias)``.
        earlier_weights: per layer ``(N, n_out, n_in)``, the weights kept before those.
        earlier_biases: per layer ``(N, n_bias)``.
        best_weights: per layer ``(N, n_out, n_in)``, each network's best weights so far.
        best_biases: per layer ``(N, n_bias)``.
        best_loss: ``(N,)`` their running loss (inf before any epoch).
        activations: canonical activation names per layer.
        train_bias: per layer, whether the bias is updated.
        loss: canonical loss name.
        inputs: ``(n, n_inputs)``, shared by every network.
        targets: ``(n, n_outputs)``.
        orders: ``(E, N, n)`` each network's sample order per epoch, or None for 0 … n−1.
        rates: ``(E, N)`` each network's ``η`` per epoch.
        batch_size: samples per update (``n`` for the full batch).
        active: ``(N,)`` which networks train (the others have stopped and are left as they are).

    Inputs are not modified.
    """
    loss_code = kernel_loss_code(activations, loss)
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    packed = Packed(weights, biases)
    columns = packed.columns()
    kept = Packed(kept_weights, kept_biases).columns()
    earlier = Packed(earlier_weights, earlier_biases).columns()
    best = Packed(best_weights, best_biases).columns()
    best_loss_out = np.array(best_loss, dtype=np.float64)  # a copy: inputs are not modified
    n_networks = columns.shape[1]
    epochs = rates.shape[0]
    losses = np.zeros((epochs, n_networks))
    hits = np.zeros((epochs, n_networks))
    diverged_at = np.full(n_networks, -1, dtype=np.int64)
    best_epoch = np.full(n_networks, -1, dtype=np.int64)
    best_is_kept = np.zeros(n_networks, dtype=np.bool_)
    updates = np.zeros((epochs, n_networks), dtype=np.int64)
    arguments = (
        columns,
        kept,
        earlier,
        best,
        best_loss_out,
        best_epoch,
        best_is_kept,
        packed.layout(activations, train_bias),
        loss_code,
        floats(inputs),
        floats(targets),
        np.zeros((1, 1, 1), dtype=np.int64) if orders is None else np.ascontiguousarray(orders, dtype=np.int64),
        orders is not None,
        floats(rates),
        int(batch_size),
        np.ascontiguousarray(active, dtype=np.bool_),
    )
    outputs = (losses, hits, diverged_at, updates)
    # one range of networks per thread (a thread for fewer than 16 networks is not worth starting)
    threads = max(1, min(int(getattr(numba.config, "NUMBA_NUM_THREADS", 1)), n_networks // 16))
    bounds = [n_networks * t // threads for t in range(threads + 1)]
    if threads == 1:
        _ensemble_kernel(*arguments, 0, n_networks, *outputs)
    else:
        with ThreadPoolExecutor(threads) as pool:
            runs = [pool.submit(_ensemble_kernel, *arguments, a, b, *outputs) for a, b in itertools.pairwise(bounds)]
            for run in runs:
                run.result()
    return EnsembleSGDResult(
        *packed.unpack(columns),
        *packed.unpack(kept),
        *packed.unpack(earlier),
        *packed.unpack(best),
        best_is_kept,
        best_loss_out,
        best_epoch,
        losses,
        hits,
        diverged_at,
        updates,
    )
