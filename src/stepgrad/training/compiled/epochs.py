"""The compiled epoch executors of one network: ``online_sgd`` (batch size 1) and ``minibatch_sgd``.

In: the parameters, the activations and loss, the data and the order of the samples; out: the new parameters
and each sample's loss and hit before its update (``compiled.OnlineSGDResult``). The arithmetic is that of
``stepgrad.training.compiled.lanes``, one lane per sample of a batch. Importing this module imports numba.
"""

from __future__ import annotations

from collections.abc import Sequence

import numba
import numpy as np
from numpy.typing import NDArray

from stepgrad.training.compiled import OnlineSGDResult, cache_holds
from stepgrad.training.compiled.lanes import (
    Layout,
    Packed,
    activate,
    add_gradient,
    backprop_activation,
    count_correct,
    floats,
    kernel_loss_code,
    load_inputs,
    output_delta,
    sample_pass,
)

Array = NDArray[np.float64]
Ints = NDArray[np.int64]


def is_cached(batch_size: int) -> bool | None:
    """Whether numba's on-disk cache already holds the kernel for this batch size (``online_sgd`` for 1,
    else ``minibatch_sgd``), so its first call loads it instead of compiling for seconds."""
    return cache_holds(_online_kernel if batch_size == 1 else _minibatch_kernel)


# --------------------------------------------------------------------------- online kernel
@numba.njit(cache=True)
def _online_kernel(
    params: Array,
    layout: Layout,
    loss: int,
    inputs: Array,
    targets: Array,
    order: Ints,
    learning_rate: float,
    losses: Array,
    hits: Array,
) -> None:
    """``len(order)`` online SGD updates of ``params`` ``(P, 1)`` in place; ``losses[k]`` and ``hits[k]``
    (1.0 when classified correctly) before update k."""
    n_out, row_start = layout[3], layout[5]
    rows = row_start[len(n_out) + 1]
    net, out = np.empty((rows, 1)), np.empty((rows, 1))
    delta, dE_dout = np.empty((rows, 1)), np.empty((rows, 1))
    sample, error, hit = np.empty(1, dtype=np.int64), np.empty(1), np.empty(1)
    last = len(n_out) - 1
    for k in range(order.shape[0]):
        sample[0] = order[k]
        load_inputs(inputs, sample, out, 1)
        sample_pass(params, 0, 1, layout, loss, targets, sample, net, out, delta, dE_dout, error)
        count_correct(targets, sample, out, row_start[last + 1], n_out[last], 1, hit)
        losses[k], hits[k] = error[0], hit[0]
        # w+ = w − η·delta·a_prev, b+ = b − η·delta (Σ delta when shared)
        add_gradient(params, -learning_rate, 1, layout, out, delta)


def online_sgd(
    weights: Sequence[Array],
    biases: Sequence[Array],
    activations: Sequence[str],
    train_bias: Sequence[bool],
    loss: str,
    inputs: Array,
    targets: Array,
    order: Ints,
    learning_rate: float,
) -> OnlineSGDResult:
    """``len(order)`` online SGD updates (see ``compiled.OnlineSGD``); inputs are not modified."""
    loss_code = kernel_loss_code(activations, loss)
    packed = Packed(weights, biases)
    columns = packed.columns()
    losses, hits = np.empty(len(order)), np.empty(len(order))
    _online_kernel(
        columns,
        packed.layout(activations, train_bias),
        loss_code,
        floats(inputs),
        floats(targets),
        np.ascontiguousarray(order, dtype=np.int64),
        float(learning_rate),
        losses,
        hits,
    )
    new_weights, new_biases = packed.unpack(columns)
    return OnlineSGDResult(new_weights, new_biases, losses, hits)


# --------------------------------------------------------------------------- mini-batch kernel
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

    The lanes are the batch's samples: every layer's values are ``(n_out, B)``.
    ``losses[k]`` is ``E_total`` of sample ``order[k]`` before its batch's update, ``hits[k]`` 1.0 when
    it was classified correctly.
    """
    w_start, b_start, n_in, n_out, n_bias, _, codes, train_bias = layout
    n_layers = len(n_in)
    last = n_layers - 1
    count = order.shape[0]
    steps = [np.empty((n_out[layer], n_in[layer])) for layer in range(n_layers)]  # η · dE/dW, reused
    for start in range(0, count, batch_size):
        stop = min(start + batch_size, count)
        rows = stop - start
        samples = order[start:stop]
        x = np.empty((inputs.shape[1], rows))  # the batch's inputs, one column per sample
        load_inputs(inputs, samples, x, rows)
        nets = []
        outs = [x]  # outs[l + 1] is layer l's out; outs[0] the inputs
        for layer in range(n_layers):
            m, n, w0, b0 = n_out[layer], n_in[layer], w_start[layer], b_start[layer]
            weights = params[w0 : w0 + m * n].reshape((m, n))
            net = np.dot(weights, outs[layer])  # (n_out, B) = W · a_prevᵀ
            if n_bias[layer] > 0:
                for j in range(m):
                    b = params[b0] if n_bias[layer] == 1 else params[b0 + j]
                    for r in range(rows):
                        net[j, r] += b
            out = np.empty_like(net)
            activate(codes[layer], net, out, 0, m, rows)
            nets.append(net)
            outs.append(out)
        deltas = [np.empty((0, 0))] * n_layers
        delta = np.empty_like(nets[last])
        dE_dout = np.empty_like(nets[last])
        output_delta(
            loss,
            codes[last],
            targets,
            samples,
            nets[last],
            outs[last + 1],
            delta,
            dE_dout,
            0,
            n_out[last],
            rows,
            losses[start:stop],
        )
        count_correct(targets, samples, outs[last + 1], 0, n_out[last], rows, hits[start:stop])
        deltas[last] = delta
        for layer in range(last - 1, -1, -1):
            m1, m = n_out[layer + 1], n_out[layer]
            w1 = w_start[layer + 1]
            weights_next = params[w1 : w1 + m1 * m].reshape((m1, m))
            hidden_dE_dout = np.dot(weights_next.T, deltas[layer + 1])  # Σ_k w_kj · delta_k, ORIGINAL weights
            delta = np.empty_like(hidden_dE_dout)
            backprop_activation(codes[layer], nets[layer], outs[layer + 1], hidden_dE_dout, delta, 0, m, rows)
            deltas[layer] = delta
        for layer in range(n_layers):
            m, n, w0, b0 = n_out[layer], n_in[layer], w_start[layer], b_start[layer]
            weights = params[w0 : w0 + m * n].reshape((m, n))
            # W+ = W − η · deltaᵀ · a_prev / B; scaling the (n_out, B) delta first saves passes over W
            np.dot(deltas[layer] * (learning_rate / rows), outs[layer].T, steps[layer])
            weights -= steps[layer]
            if train_bias[layer] and n_bias[layer] > 0:
                grad_b = np.zeros(m)  # per neuron: Σ_B delta / B
                for j in range(m):
                    for r in range(rows):
                        grad_b[j] += deltas[layer][j, r]
                grad_b /= rows
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
    """One epoch of mini-batch SGD with batch-mean gradients: the arguments of ``online_sgd`` plus
    ``batch_size``; updates on ``order[0:B]``, ``order[B:2B]``, … (the last batch may be shorter).

    ``losses[k]`` is ``E_total`` of sample ``order[k]`` before its batch's update, so their mean is
    the epoch's running loss. Inputs are not modified.
    """
    loss_code = kernel_loss_code(activations, loss)
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    packed = Packed(weights, biases)
    losses, hits = np.empty(len(order)), np.empty(len(order))
    _minibatch_kernel(
        packed.params,
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
