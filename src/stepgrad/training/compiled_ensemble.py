"""The compiled (numba) ensemble path: many small networks, many epochs of plain SGD, one call.

The reference is the NumPy ensemble (a leading network axis through ``stepgrad.core.propagation``);
this kernel gives each network the arithmetic of ``stepgrad.training.compiled`` — the same
per-sample forward and backward pass (``_sample_pass``), the same gradient sum
(``_add_gradient``) — and loops over the networks *inside* compiled code, spread over the CPU
cores (``numba.prange``). Networks are independent, so the order they are visited in does not
matter: each one equals the same network trained alone (tests check 1e-12 against the NumPy
ensemble and against single runs). See ``stepgrad.training.compiled_api`` for when it is used.

Per network ``k`` (still training) and epoch ``e`` of the call, batch by batch:

    E_batch = Σ_{s in batch} E_total(s)                  (before the update)
    g       = Σ_{s in batch} dE_total(s)/dθ             (original weights, ``_add_gradient``)
    θ+      = θ − η_{e,k} · (g / B)                      (batch-mean gradient)

The epoch's running loss is ``Σ_batches E_batch / n`` and its running accuracy ``correct / n``.
Divergence guard, per network: a non-finite batch loss, or a non-finite running loss or
parameter at the end of an epoch, puts the network back to its last good weights (the end of
its latest good epoch, kept in ``kept``; the epoch before it in ``earlier``, the loop's fallback)
and stops it; that epoch and the rest of the call log NaN.

Importing this module imports numba; only the training loop imports it, lazily.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import numba
import numpy as np
from numpy.typing import NDArray

from stepgrad.training.compiled import _add_gradient, _codes, _correct, _Packed, _sample_pass

Array = NDArray[np.float64]


class EnsembleSGDResult(NamedTuple):
    """What one compiled call over ``E`` epochs returns (``N`` networks).

    Attributes:
        weights: the new weights, ``(N, n_out, n_in)`` per layer.
        biases: the new biases, ``(N, n_bias)`` per layer.
        kept_weights: each network's last good weights (the end of its latest good epoch).
        kept_biases: the same for the biases.
        earlier_weights: the weights kept before those (the end of the epoch before).
        earlier_biases: the same for the biases.
        losses: ``(E, N)`` each epoch's running loss (NaN from the epoch a network diverged in).
        hits: ``(E, N)`` how many samples each epoch classified correctly (NaN likewise).
        diverged_at: ``(N,)`` the epoch of the call (0-based) in which a network diverged, else −1.
        updates: ``(E, N)`` how many updates each network made in each epoch (counting the one
            whose loss was NaN/inf, as the NumPy ensemble does).
    """

    weights: list[Array]
    biases: list[Array]
    kept_weights: list[Array]
    kept_biases: list[Array]
    earlier_weights: list[Array]
    earlier_biases: list[Array]
    losses: Array
    hits: Array
    diverged_at: NDArray[np.int64]
    updates: NDArray[np.int64]


@numba.njit(cache=True, parallel=True)
def _ensemble_kernel(
    params: Array,
    kept: Array,
    earlier: Array,
    w_start: NDArray[np.int64],
    b_start: NDArray[np.int64],
    n_in: NDArray[np.int64],
    n_out: NDArray[np.int64],
    n_bias: NDArray[np.int64],
    codes: NDArray[np.int64],
    train_bias: NDArray[np.bool_],
    unit_start: NDArray[np.int64],
    loss: int,
    inputs: Array,
    targets: Array,
    orders: NDArray[np.int64],
    shuffled: bool,
    rates: Array,
    batch_size: int,
    active: NDArray[np.bool_],
    losses: Array,
    hits: Array,
    diverged_at: NDArray[np.int64],
    updates: NDArray[np.int64],
) -> None:
    """Train every ``active`` network (row of ``params``, ``(N, P)``) for ``rates.shape[0]`` epochs in place.

    ``orders[e, k]`` is network k's sample order in epoch e when ``shuffled`` (else 0 … n−1);
    ``kept[k]`` holds its last good parameters and ``earlier[k]`` the ones before; both move on at
    the end of every good epoch.
    """
    n_networks, n_params = params.shape
    epochs = rates.shape[0]
    count = inputs.shape[0]
    last = n_in.shape[0] - 1
    n_units = unit_start[n_in.shape[0]]
    for k in numba.prange(n_networks):
        diverged_at[k] = -1
        if not active[k]:
            continue
        p = params[k]
        net = np.empty(n_units)
        out = np.empty(n_units)
        delta = np.empty(n_units)
        dE_dout = np.empty(n_units)
        grad = np.empty(n_params)
        for e in range(epochs):
            loss_sum, correct, good = 0.0, 0.0, True
            for start in range(0, count, batch_size):
                stop = min(start + batch_size, count)
                grad[:] = 0.0
                batch_loss = 0.0
                for r in range(start, stop):
                    s = orders[e, k, r] if shuffled else r
                    batch_loss += _sample_pass(
                        p, w_start, b_start, n_in, n_out, n_bias, codes, unit_start, loss, inputs, targets, s,
                        net, out, delta, dE_dout,
                    )
                    correct += _correct(targets, s, out, unit_start[last], n_out[last])
                    _add_gradient(
                        grad, 1.0, w_start, b_start, n_in, n_out, n_bias, train_bias, unit_start, inputs, s, out,
                        delta,
                    )
                updates[e, k] += 1
                if not math.isfinite(batch_loss):
                    good = False
                    break
                loss_sum += batch_loss
                rows = stop - start
                for i in range(n_params):
                    p[i] -= rates[e, k] * (grad[i] / rows)  # θ+ = θ − η · (g / B), as the NumPy path
            running = loss_sum / count
            if good and math.isfinite(running):
                for i in range(n_params):
                    if not math.isfinite(p[i]):
                        good = False
                        break
            if not good:
                p[:] = kept[k]
                diverged_at[k] = e
                losses[e:, k] = np.nan
                hits[e:, k] = np.nan
                break
            earlier[k, :] = kept[k]
            kept[k, :] = p
            losses[e, k] = running
            hits[e, k] = correct


def ensemble_sgd(
    weights: Sequence[Array],
    biases: Sequence[Array],
    kept_weights: Sequence[Array],
    kept_biases: Sequence[Array],
    earlier_weights: Sequence[Array],
    earlier_biases: Sequence[Array],
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
    codes, loss_code = _codes(activations, loss)
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    packed = _Packed(weights, biases)
    kept = _Packed(kept_weights, kept_biases)
    earlier = _Packed(earlier_weights, earlier_biases)
    n_networks = packed.params.shape[0]
    epochs = rates.shape[0]
    losses = np.zeros((epochs, n_networks))
    hits = np.zeros((epochs, n_networks))
    diverged_at = np.full(n_networks, -1, dtype=np.int64)
    updates = np.zeros((epochs, n_networks), dtype=np.int64)
    shuffled = orders is not None
    _ensemble_kernel(
        packed.params,
        kept.params,
        earlier.params,
        packed.w_start,
        packed.b_start,
        packed.n_in,
        packed.n_out,
        packed.n_bias,
        codes,
        np.array(train_bias, dtype=np.bool_),
        packed.unit_start,
        loss_code,
        np.ascontiguousarray(inputs, dtype=np.float64),
        np.ascontiguousarray(targets, dtype=np.float64),
        np.ascontiguousarray(orders, dtype=np.int64) if shuffled else np.zeros((1, 1, 1), dtype=np.int64),
        shuffled,
        np.ascontiguousarray(rates, dtype=np.float64),
        int(batch_size),
        np.ascontiguousarray(active, dtype=np.bool_),
        losses,
        hits,
        diverged_at,
        updates,
    )
    new_weights, new_biases = packed.unpack()
    return EnsembleSGDResult(
        new_weights, new_biases, *kept.unpack(), *earlier.unpack(), losses, hits, diverged_at, updates
    )
