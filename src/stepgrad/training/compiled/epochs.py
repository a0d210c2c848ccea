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
def _rows(buffer: Array, first: int, count: int, lanes: int) -> Array:
    """Rows ``first … first + count − 1`` of a flat ``(rows, lanes)`` buffer as a contiguous ``(count, lanes)`` view."""
    return buffer[first * lanes : (first + count) * lanes].reshape((count, lanes))


@numba.njit(cache=True, inline="always")
def _block(buffer: Array, first: int, count: int, rows: int) -> Array:
    """The same place of the buffer as ``_rows``, one row per sample: a contiguous ``(rows, count)`` view."""
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
        for i in range(inputs.shape[1]):  # a loop: a slice assignment costs numba seconds to compile
            batch[r, i] = inputs[samples[r], i]


@numba.njit(cache=True)
def _step_bias(params: Array, b0: int, n_bias: int, learning_rate: float, grad_b: Array) -> None:
    """``b+ = b − η · grad_b`` per neuron, or ``b+ = b − η · Σ_j grad_b_j`` for a bias the layer shares."""
    if n_bias == 1 and grad_b.shape[0] > 1:
        params[b0] -= learning_rate * np.sum(grad_b)
    else:
        for j in range(grad_b.shape[0]):
            params[b0 + j] -= learning_rate * grad_b[j]


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
    """SGD on the batches ``order[0:B], order[B:2B], …`` (the last may be shorter), in place: per batch
    ``_forward``, the output deltas with each sample's loss and hit, ``_backward``, ``_update``.

    Each layer's values are views of flat buffers allocated once per call, so a batch allocates nothing and the
    matrix products (BLAS) write straight into them. The inputs and hidden layers are ``(B, n)`` blocks, one row
    per sample: BLAS multiplies ``a_prev · Wᵀ`` about a fifth faster in this orientation for wide layers, the
    batch's inputs are whole-row copies, and the elementwise helpers of ``lanes`` read a block as it lies (``B``
    rows of ``n`` lanes; a hidden layer is never softmax). The output layer is ``(n_out, B)``, the samples as
    lanes, as ``output_delta`` and ``count_correct`` take it.
    ``losses[k]`` is ``E_total`` of sample ``order[k]`` before its batch's update, ``hits[k]`` 1.0 when
    it was classified correctly.
    """
    n_out, row_start, codes = layout[3], layout[5], layout[6]
    last = len(n_out) - 1
    count = order.shape[0]
    size = row_start[last + 2] * batch_size  # every layer's values, the inputs first
    net_all, out_all, delta_all, dE_dout_all = np.empty(size), np.empty(size), np.empty(size), np.empty(size)
    grad_b_all = np.empty(max(n_out))
    for start in range(0, count, batch_size):
        stop = min(start + batch_size, count)
        rows = stop - start
        samples = order[start:stop]
        _gather_rows(inputs, samples, _block(out_all, 0, layout[2][0], rows))
        _forward(params, layout, net_all, out_all, rows)
        u0, m = row_start[last + 1], n_out[last]
        out_last = _rows(out_all, u0, m, rows)
        output_delta(
            loss,
            codes[last],
            targets,
            samples,
            _rows(net_all, u0, m, rows),
            out_last,
            _rows(delta_all, u0, m, rows),
            _rows(dE_dout_all, u0, m, rows),
            0,
            m,
            rows,
            losses[start:stop],
        )
        count_correct(targets, samples, out_last, 0, m, rows, hits[start:stop])
        _backward(params, layout, net_all, out_all, delta_all, dE_dout_all, rows)
        _update(params, layout, out_all, delta_all, grad_b_all, learning_rate, rows)


@numba.njit(cache=True)
def _forward(params: Array, layout: Layout, net_all: Array, out_all: Array, rows: int) -> None:
    """Every layer's ``net = b + a_prev · Wᵀ`` (``net`` filled with the bias, then the product added into it: no
    pass of its own for ``b``) and ``out = f(net)``: hidden layers ``(B, n_out)``, the output layer ``(n_out, B)``."""
    w_start, b_start, n_in, n_out, n_bias, row_start, codes = layout[:7]
    last = len(n_in) - 1
    for layer in range(last + 1):
        m, n, w0, b0, u0 = n_out[layer], n_in[layer], w_start[layer], b_start[layer], row_start[layer + 1]
        a_prev, weights = _block(out_all, row_start[layer], n, rows), params[w0 : w0 + m * n].reshape((m, n))
        if layer < last:  # (B, n_out)
            net = _block(net_all, u0, m, rows)
            for r in range(rows):
                for j in range(m):
                    net[r, j] = _bias(params, b0, n_bias[layer], j)
            add_product(net, 1.0, a_prev, weights.T)
            activate(codes[layer], net, _block(out_all, u0, m, rows), 0, rows, m)
        else:  # (n_out, B)
            net = _rows(net_all, u0, m, rows)
            for j in range(m):
                b = _bias(params, b0, n_bias[layer], j)
                for r in range(rows):
                    net[j, r] = b
            add_product(net, 1.0, weights, a_prev.T)
            activate(codes[layer], net, _rows(out_all, u0, m, rows), 0, m, rows)


@numba.njit(cache=True)
def _backward(
    params: Array, layout: Layout, net_all: Array, out_all: Array, delta_all: Array, dE_dout_all: Array, rows: int
) -> None:
    """The hidden layers' deltas, from the output layer's down: ``dE/dout_j = Σ_k delta_k · w_kj`` through the
    ORIGINAL weights, then ``delta_j = dE/dout_j · dout_j/dnet_j`` (``(B, n_out)`` blocks)."""
    w_start, n_out, row_start, codes = layout[0], layout[3], layout[5], layout[6]
    last = len(n_out) - 1
    for layer in range(last - 1, -1, -1):
        m1, m, u0, u1 = n_out[layer + 1], n_out[layer], row_start[layer + 1], row_start[layer + 2]
        w1 = w_start[layer + 1]
        weights_next = params[w1 : w1 + m1 * m].reshape((m1, m))
        hidden_dE_dout = _block(dE_dout_all, u0, m, rows)
        # add_product, not np.dot: the operand types of the updates, nothing more for numba to compile
        for r in range(rows):
            for j in range(m):
                hidden_dE_dout[r, j] = 0.0
        if layer + 1 == last:
            add_product(hidden_dE_dout, 1.0, _rows(delta_all, u1, m1, rows).T, weights_next)
        else:
            add_product(hidden_dE_dout, 1.0, _block(delta_all, u1, m1, rows), weights_next)
        net, out, delta = _block(net_all, u0, m, rows), _block(out_all, u0, m, rows), _block(delta_all, u0, m, rows)
        backprop_activation(codes[layer], net, out, hidden_dE_dout, delta, 0, rows, m)


@numba.njit(cache=True)
def _update(
    params: Array, layout: Layout, out_all: Array, delta_all: Array, grad_b_all: Array, learning_rate: float, rows: int
) -> None:
    """``W+ = W − η · deltaᵀ · a_prev / B``: one dgemm adding into ``W`` (one pass over it, on BLAS's threads);
    ``b+ = b − η · Σ_B delta / B``, each sum in the samples' order."""
    w_start, b_start, n_in, n_out, n_bias, row_start = layout[:6]
    train_bias = layout[7]
    last = len(n_in) - 1
    for layer in range(last + 1):
        m, n, w0, u0 = n_out[layer], n_in[layer], w_start[layer], row_start[layer + 1]
        a_prev, weights = _block(out_all, row_start[layer], n, rows), params[w0 : w0 + m * n].reshape((m, n))
        trains_bias, grad_b = train_bias[layer] and n_bias[layer] > 0, grad_b_all[:m]
        if layer < last:
            delta = _block(delta_all, u0, m, rows)
            add_product(weights, -learning_rate / rows, delta.T, a_prev)
            if trains_bias:
                for j in range(m):
                    grad_b[j] = 0.0
                for r in range(rows):
                    for j in range(m):
                        grad_b[j] += delta[r, j]
        else:
            delta = _rows(delta_all, u0, m, rows)
            add_product(weights, -learning_rate / rows, delta, a_prev)
            if trains_bias:
                for j in range(m):
                    total = 0.0
                    for r in range(rows):
                        total += delta[j, r]
                    grad_b[j] = total
        if trains_bias:
            for j in range(m):
                grad_b[j] /= rows
            _step_bias(params, b_start[layer], n_bias[layer], learning_rate, grad_b)


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
