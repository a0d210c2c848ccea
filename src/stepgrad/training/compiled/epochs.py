"""The compiled epoch executors of one network: ``online_sgd`` (batch size 1) and ``minibatch_sgd``.

In: the parameters, the activations and loss, the data and the order of the samples; out: the new parameters
and each sample's loss and hit before its update (``compiled.OnlineSGDResult``). The arithmetic is that of
``stepgrad.training.compiled.lanes``, one lane per sample of a batch. Importing this module imports numba.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numba
import numpy as np
from numpy.typing import NDArray

from stepgrad.training.compiled import LANE_MAX_WEIGHTS, OnlineSGDResult, cache_holds
from stepgrad.training.compiled.blas import add_product
from stepgrad.training.compiled.codes import SOFTMAX
from stepgrad.training.compiled.lanes import (
    Layout,
    Packed,
    activate,
    add_gradient,
    backprop_activation,
    count_correct,
    descend,
    floats,
    kernel_loss_code,
    load_inputs,
    output_delta,
    sample_pass,
)

Array = NDArray[np.float64]
Ints = NDArray[np.int64]


def is_cached(batch_size: int) -> bool | None:
    """Whether numba's on-disk cache already holds the kernel for this batch size, so its first call loads it
    instead of compiling for seconds: the lane kernel for 1; for more, the lane and the BLAS kernel (which one
    trains depends on the network's size), None (cannot tell) when only one of them is cached."""
    lane = cache_holds(_lane_kernel)
    if batch_size == 1:
        return lane
    return lane if lane == cache_holds(_minibatch_kernel) else None


# --------------------------------------------------------------------------- the lane kernel
@numba.njit(cache=True)
def _lane_kernel(
    params: Array,
    layout: Layout,
    loss: int,
    inputs: Array,
    targets: Array,
    order: Ints,
    learning_rate: float,
    batch_size: int,
    losses: Array,
    hits: Array,
) -> None:
    """SGD on the batches ``order[0:B], order[B:2B], …`` of ``params`` ``(P, 1)`` in place, sample by sample on
    one lane: the arithmetic of ``compiled.ensemble`` for a network of one lane, so an ensemble member equals
    the network trained alone to the last bit. ``losses[k]`` and ``hits[k]`` (1.0 when classified correctly)
    are sample ``order[k]``'s before its batch's update."""
    n_out, row_start = layout[3], layout[5]
    rows = row_start[len(n_out) + 1]
    net, out = np.empty((rows, 1)), np.empty((rows, 1))
    delta, dE_dout = np.empty((rows, 1)), np.empty((rows, 1))
    grad = np.empty((params.shape[0], 1))  # g = Σ_batch dE/dθ
    sample, error, hit = np.empty(1, dtype=np.int64), np.empty(1), np.empty(1)
    last = len(n_out) - 1
    for start in range(0, order.shape[0], batch_size):
        stop = min(start + batch_size, order.shape[0])
        grad[:] = 0.0
        for k in range(start, stop):
            sample[0] = order[k]
            load_inputs(inputs, sample, out, 1)
            sample_pass(params, 0, 1, layout, loss, targets, sample, net, out, delta, dE_dout, error)
            count_correct(targets, sample, out, row_start[last + 1], n_out[last], 1, hit)
            losses[k], hits[k] = error[0], hit[0]
            if batch_size == 1:  # θ+ = θ − η·dE/dθ straight into the parameters (the same bits as below)
                add_gradient(params, -learning_rate, 1, layout, out, delta)
            else:
                add_gradient(grad, 1.0, 1, layout, out, delta)
        if batch_size > 1:
            descend(params, 0, grad, 0, learning_rate, stop - start)  # θ+ = θ − η · (g / B)


def lane_sized(weights: Sequence[Array]) -> bool:
    """Whether a single network trains on the lane kernel at any batch size (no weight matrix has more than
    ``LANE_MAX_WEIGHTS`` entries), else on the BLAS kernel for batches of more than one."""
    return max(int(np.size(w)) for w in weights) <= LANE_MAX_WEIGHTS


# --------------------------------------------------------------------------- mini-batch kernel
@numba.njit(cache=True, inline="always")
def _block(buffer: Array, first: int, count: int, rows: int) -> Array:
    """Neurons ``first … first + count − 1`` of a batch of ``rows`` samples as a contiguous ``(rows, count)`` view
    of a flat buffer: one row per sample (the blocks of different ``first`` never overlap)."""
    return buffer[first * rows : (first + count) * rows].reshape((rows, count))


@numba.njit(cache=True, inline="always")
def _bias(params: Array, b0: int, n_bias: int, j: int) -> float:
    """Neuron ``j``'s bias: the layer's own (``n_bias`` = ``n_out``), its shared one (1) or none (0.0)."""
    if n_bias == 0:
        return 0.0
    return params[b0] if n_bias == 1 else params[b0 + j]


@numba.njit(cache=True)
def _gather_rows(inputs: Array, samples: Ints, batch: Array) -> None:
    """``batch[r] = inputs[samples[r]]``: the batch's input rows ``(B, n_in)``."""
    for r in range(samples.shape[0]):
        batch[r, :] = inputs[samples[r], :]


@numba.njit(cache=True)
def _activate_block(code: int, net: Array, out: Array) -> None:
    """``out = f(net)`` on ``(B, n)`` blocks. Every activation but softmax is elementwise, so ``activate`` reads
    the block as it lies (``B`` rows of ``n`` lanes, in memory order); softmax runs per sample on the transpose."""
    if code == SOFTMAX:
        activate(code, net.T, out.T, 0, net.shape[1], net.shape[0])
    else:
        activate(code, net, out, 0, net.shape[0], net.shape[1])


@numba.njit(cache=True)
def _backprop_block(code: int, net: Array, out: Array, dE_dout: Array, delta: Array) -> None:
    """``delta = dE/dout · dout/dnet`` on ``(B, n)`` blocks, in memory order as ``_activate_block``."""
    if code == SOFTMAX:
        backprop_activation(code, net.T, out.T, dE_dout.T, delta.T, 0, net.shape[1], net.shape[0])
    else:
        backprop_activation(code, net, out, dE_dout, delta, 0, net.shape[0], net.shape[1])


@numba.njit(cache=True)
def _minibatch_kernel(
    params: Array,
    layout: Layout,
    loss: int,
    inputs: Array,
    targets: Array,
    order: Ints,
    learning_rate: float,
    batch_size: int,
    losses: Array,
    hits: Array,
) -> None:
    """SGD on the batches ``order[0:B], order[B:2B], …`` (the last may be shorter), in place.

    Every layer's values are ``(B, n_out)`` blocks, one row per sample, of flat buffers allocated once per call,
    so a batch allocates nothing and the matrix products (BLAS) write straight into them; the samples are the
    lanes of the ``lanes`` helpers, which read the blocks' transposes (or the blocks as they lie, where the
    arithmetic is elementwise). ``(B, n_out)`` rather than ``(n_out, B)``: BLAS multiplies ``a_prev · Wᵀ``
    about a fifth faster in this orientation for wide layers, and the batch's inputs are whole rows.
    ``losses[k]`` is ``E_total`` of sample ``order[k]`` before its batch's update, ``hits[k]`` 1.0 when
    it was classified correctly.
    """
    w_start, b_start, n_in, n_out, n_bias, row_start, codes, train_bias = layout
    n_layers = len(n_in)
    last = n_layers - 1
    count = order.shape[0]
    size = row_start[n_layers + 1] * batch_size  # every layer's values, the inputs first
    net_all, out_all, delta_all, dE_dout_all = np.empty(size), np.empty(size), np.empty(size), np.empty(size)
    grad_b_all = np.empty(max(n_out))
    for start in range(0, count, batch_size):
        stop = min(start + batch_size, count)
        rows = stop - start
        samples = order[start:stop]
        _gather_rows(inputs, samples, _block(out_all, 0, n_in[0], rows))
        for layer in range(n_layers):
            m, n, w0, b0, u0 = n_out[layer], n_in[layer], w_start[layer], b_start[layer], row_start[layer + 1]
            a_prev, net = _block(out_all, row_start[layer], n, rows), _block(net_all, u0, m, rows)
            for r in range(rows):  # net = b, then net += a_prev · Wᵀ  (B, n_out): no pass of its own for b
                for j in range(m):
                    net[r, j] = _bias(params, b0, n_bias[layer], j)
            add_product(net, 1.0, a_prev, params[w0 : w0 + m * n].reshape((m, n)).T)
            _activate_block(codes[layer], net, _block(out_all, u0, m, rows))
        u0, m = row_start[last + 1], n_out[last]
        out_last = _block(out_all, u0, m, rows).T  # the output layer's helpers take (n_out, B)
        output_delta(
            loss,
            codes[last],
            targets,
            samples,
            _block(net_all, u0, m, rows).T,
            out_last,
            _block(delta_all, u0, m, rows).T,
            _block(dE_dout_all, u0, m, rows).T,
            0,
            m,
            rows,
            losses[start:stop],
        )
        count_correct(targets, samples, out_last, 0, m, rows, hits[start:stop])
        for layer in range(last - 1, -1, -1):
            m1, m, u0 = n_out[layer + 1], n_out[layer], row_start[layer + 1]
            w1 = w_start[layer + 1]
            weights_next = params[w1 : w1 + m1 * m].reshape((m1, m))
            hidden_dE_dout = _block(dE_dout_all, u0, m, rows)
            delta_next = _block(delta_all, row_start[layer + 2], m1, rows)
            np.dot(delta_next, weights_next, hidden_dE_dout)  # Σ_k delta_k · w_kj, ORIGINAL weights
            net, out, delta = _block(net_all, u0, m, rows), _block(out_all, u0, m, rows), _block(delta_all, u0, m, rows)
            _backprop_block(codes[layer], net, out, hidden_dE_dout, delta)
        for layer in range(n_layers):
            m, n, w0, b0 = n_out[layer], n_in[layer], w_start[layer], b_start[layer]
            delta = _block(delta_all, row_start[layer + 1], m, rows)
            # W+ = W − η · deltaᵀ · a_prev / B: one dgemm adding into W (one pass over it, on BLAS's threads)
            weights = params[w0 : w0 + m * n].reshape((m, n))
            add_product(weights, -learning_rate / rows, delta.T, _block(out_all, row_start[layer], n, rows))
            if train_bias[layer] and n_bias[layer] > 0:
                grad_b = grad_b_all[:m]  # per neuron: Σ_B delta / B, each sum in the samples' order
                grad_b[:] = 0.0
                for r in range(rows):
                    for j in range(m):
                        grad_b[j] += delta[r, j]
                for j in range(m):
                    grad_b[j] /= rows
                if n_bias[layer] == 1 and m > 1:
                    params[b0] -= learning_rate * np.sum(grad_b)
                else:
                    for j in range(m):
                        params[b0 + j] -= learning_rate * grad_b[j]


def minibatch_sgd(
    weights: Sequence[Array],
    biases: Sequence[Array],
    activations: Sequence[str],
    train_bias: Sequence[bool],
    loss: str,
    inputs: Array,
    targets: Array,
    order: Ints,
    learning_rate: float,
    batch_size: int,
) -> OnlineSGDResult:
    """One epoch of mini-batch SGD with batch-mean gradients: the arguments of ``compiled.OnlineSGD`` plus
    ``batch_size``; updates on ``order[0:B]``, ``order[B:2B]``, … (the last batch may be shorter).

    A batch of one, or a network with no weight matrix over ``LANE_MAX_WEIGHTS`` entries, trains on the lane
    kernel (the ensemble's arithmetic), a larger one on the BLAS kernel. ``losses[k]`` is ``E_total`` of sample
    ``order[k]`` before its batch's update, so their mean is the epoch's running loss. Inputs are not modified.
    """
    loss_code = kernel_loss_code(activations, loss)
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    packed = Packed(weights, biases)  # packed.params is a new (P,) vector, trained in place
    on_lanes = batch_size == 1 or lane_sized(weights)
    losses, hits = np.empty(len(order)), np.empty(len(order))
    (_lane_kernel if on_lanes else _minibatch_kernel)(
        packed.params.reshape(-1, 1) if on_lanes else packed.params,  # the lanes read (P, 1) columns
        packed.layout(activations, train_bias),
        loss_code,
        floats(inputs),
        floats(targets),
        np.ascontiguousarray(order, dtype=np.int64),
        float(learning_rate),
        int(batch_size),
        losses,
        hits,
    )
    new_weights, new_biases = packed.unpack()
    return OnlineSGDResult(new_weights, new_biases, losses, hits)


# ``len(order)`` online SGD updates (``compiled.OnlineSGD``) on the lane kernel; inputs are not modified.
online_sgd = functools.partial(minibatch_sgd, batch_size=1)
