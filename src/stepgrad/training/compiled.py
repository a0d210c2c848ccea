"""The compiled (numba) training path: whole epochs of SGD in one call.

The NumPy functions of ``stepgrad.core.propagation`` are the reference; this module does
the same arithmetic sample by sample in machine code, because on tiny networks (the classic
2-2-2) NumPy spends far more time per call than per multiply. See
``stepgrad.training.compiled_api`` for the contract; tests check both paths agree to 1e-12.

Importing this module imports numba (≈0.5 s, kernels compile once and are cached on disk),
so only the training loops import it, lazily, and never ``explain``.

Layout: every layer's weights and biases are packed into one flat vector ``params`` with
offsets, so one compiled function handles any depth without typed lists:

    W_l = params[w_start[l] : w_start[l] + n_out[l]·n_in[l]].reshape(n_out[l], n_in[l])
    b_l = params[b_start[l] : b_start[l] + n_bias[l]]

Per sample (online) the kernel computes, exactly as the core does:

    net_l = a_{l-1} · W_lᵀ + b_l,  out_l = f_l(net_l)
    delta_L = dE/dout · dout/dnet            (out − target for the paired losses)
    delta_l = (delta_{l+1} · W_{l+1}) · f_l'  (original W_{l+1})
    W_l+ = W_l − η · delta_lᵀ a_{l-1},  b_l+ = b_l − η · delta_l  (Σ_j delta_l,j when shared)

``minibatch_sgd`` does the same with batch-mean gradients over ``batch_size`` samples,
with the matrix products as ``np.dot`` calls (BLAS) inside the compiled loop.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numba
import numpy as np
from numpy.typing import NDArray

from stepgrad.training.compiled_api import OnlineSGDResult

Array = NDArray[np.float64]

# Codes the kernels switch on; the names are the registries' canonical names.
ACTIVATION_CODES: dict[str, int] = {"sigmoid": 0, "tanh": 1, "relu": 2, "leaky_relu": 3, "linear": 4, "softmax": 5}
LOSS_CODES: dict[str, int] = {"half_squared_error": 0, "mse": 1, "binary_cross_entropy": 2, "cross_entropy": 3}
SIGMOID, TANH, RELU, LEAKY_RELU, LINEAR, SOFTMAX = range(6)
HALF_SQUARED, MSE, BCE, CE = range(4)
LEAKY_SLOPE = 0.01  # as stepgrad.functions.activations.LEAKY_SLOPE
LOG_FLOOR = float(np.finfo(np.float64).tiny)  # as stepgrad.functions.losses._LOG_FLOOR


def supports(activations: Sequence[str], loss: str) -> bool:
    """True when the kernels implement every activation and the loss (canonical names)."""
    return all(name in ACTIVATION_CODES for name in activations) and loss in LOSS_CODES


# --------------------------------------------------------------------------- scalar pieces
@numba.njit(cache=True, inline="always")
def _sigmoid(net: float) -> float:
    # The form without overflow for each sign, as stepgrad.functions.sigmoid.
    e = math.exp(-abs(net))
    return 1.0 / (1.0 + e) if net >= 0 else e / (1.0 + e)


@numba.njit(cache=True, inline="always")
def _log_sigmoid(net: float) -> float:
    return min(net, 0.0) - math.log1p(math.exp(-abs(net)))


# The helpers read and write ``n`` entries from ``start`` of flat buffers (no array views: in the
# innermost loop, making views costs more than the arithmetic).
@numba.njit(cache=True, inline="always")
def _activate(code: int, net: Array, out: Array, start: int, n: int) -> None:
    """``out = f(net)`` for one sample's layer: entries ``start … start + n − 1``."""
    if code == SOFTMAX:
        top = net[start]
        for j in range(start + 1, start + n):
            top = max(top, net[j])
        total = 0.0
        for j in range(start, start + n):
            out[j] = math.exp(net[j] - top)
            total += out[j]
        for j in range(start, start + n):
            out[j] /= total
        return
    for j in range(start, start + n):
        x = net[j]
        if code == SIGMOID:
            out[j] = _sigmoid(x)
        elif code == TANH:
            out[j] = math.tanh(x)
        elif code == RELU:
            out[j] = x if x > 0.0 else 0.0
        elif code == LEAKY_RELU:
            out[j] = x if x > 0.0 else LEAKY_SLOPE * x
        else:
            out[j] = x


@numba.njit(cache=True, inline="always")
def _backprop_activation(code: int, net: Array, out: Array, dE_dout: Array, delta: Array, start: int, n: int) -> None:
    """``delta = dE/dout · dout/dnet``; softmax through its Jacobian: ``out_k(g_k − Σ_j g_j out_j)``."""
    if code == SOFTMAX:
        weighted = 0.0
        for j in range(start, start + n):
            weighted += dE_dout[j] * out[j]
        for j in range(start, start + n):
            delta[j] = out[j] * (dE_dout[j] - weighted)
        return
    for j in range(start, start + n):
        if code == SIGMOID:
            d = out[j] * (1.0 - out[j])
        elif code == TANH:
            d = 1.0 - out[j] * out[j]
        elif code == RELU:
            d = 1.0 if net[j] > 0.0 else 0.0
        elif code == LEAKY_RELU:
            d = 1.0 if net[j] > 0.0 else LEAKY_SLOPE
        else:
            d = 1.0
        delta[j] = dE_dout[j] * d


@numba.njit(cache=True, inline="always")
def _output_delta(
    loss: int,
    code: int,
    targets: Array,
    row: int,
    net: Array,
    out: Array,
    delta: Array,
    dE_dout: Array,
    start: int,
    n: int,
) -> float:
    """Fill the output layer's ``delta`` (entries ``start …``) for target ``targets[row]`` and
    return ``E_total = Σ_o E_o`` of the sample."""
    total = 0.0
    if loss == BCE and code == SIGMOID:
        for k in range(n):
            t, x = targets[row, k], net[start + k]
            total += -(t * _log_sigmoid(x) + (1.0 - t) * _log_sigmoid(-x))
            delta[start + k] = out[start + k] - t
        return total
    if loss == CE and code == SOFTMAX:
        top = net[start]
        for k in range(1, n):
            top = max(top, net[start + k])
        log_sum = 0.0
        for k in range(n):
            log_sum += math.exp(net[start + k] - top)
        log_sum = math.log(log_sum)
        for k in range(n):
            total += -targets[row, k] * ((net[start + k] - top) - log_sum)
            delta[start + k] = out[start + k] - targets[row, k]
        return total
    for k in range(n):
        t, o = targets[row, k], out[start + k]
        if loss == HALF_SQUARED:
            total += 0.5 * (t - o) ** 2
            dE_dout[start + k] = o - t
        elif loss == MSE:
            total += (t - o) ** 2 / n
            dE_dout[start + k] = 2.0 * (o - t) / n
        elif loss == BCE:
            total += -(t * math.log(max(o, LOG_FLOOR)) + (1.0 - t) * math.log(max(1.0 - o, LOG_FLOOR)))
            dE_dout[start + k] = (o - t) / max(o * (1.0 - o), LOG_FLOOR)
        else:
            total += -t * math.log(max(o, LOG_FLOOR))
            dE_dout[start + k] = -t / max(o, LOG_FLOOR)
    _backprop_activation(code, net, out, dE_dout, delta, start, n)
    return total


@numba.njit(cache=True, inline="always")
def _correct(targets: Array, row: int, out: Array, start: int, n: int) -> float:
    """1.0 when the sample is classified correctly, else 0.0, as ``stepgrad.training.metrics.correct``:
    ``argmax out = argmax target`` (the first largest) for several outputs, ``out > ½ = target > ½`` for one."""
    if n == 1:
        return 1.0 if (out[start] > 0.5) == (targets[row, 0] > 0.5) else 0.0
    best_out, best_target = 0, 0
    for k in range(1, n):
        if out[start + k] > out[start + best_out]:
            best_out = k
        if targets[row, k] > targets[row, best_target]:
            best_target = k
    return 1.0 if best_out == best_target else 0.0


# --------------------------------------------------------------------------- online kernel
@numba.njit(cache=True, inline="always")
def _sample_pass(
    params: Array,
    w_start: NDArray[np.int64],
    b_start: NDArray[np.int64],
    n_in: NDArray[np.int64],
    n_out: NDArray[np.int64],
    n_bias: NDArray[np.int64],
    codes: NDArray[np.int64],
    unit_start: NDArray[np.int64],
    loss: int,
    inputs: Array,
    targets: Array,
    s: int,
    net: Array,
    out: Array,
    delta: Array,
    dE_dout: Array,
) -> float:
    """Forward and backward pass of sample ``s``: fills every layer's ``net``, ``out`` and ``delta``
    (one after the other in flat buffers) and returns the sample's ``E_total``."""
    n_layers = n_in.shape[0]
    # forward: net_l = a_{l-1} · W_lᵀ + b_l, out_l = f_l(net_l)
    for layer in range(n_layers):
        u0, w0, b0 = unit_start[layer], w_start[layer], b_start[layer]
        m, n = n_out[layer], n_in[layer]
        for j in range(m):
            total = 0.0
            row = w0 + j * n
            if layer == 0:
                for i in range(n):
                    total += inputs[s, i] * params[row + i]
            else:
                p0 = unit_start[layer - 1]
                for i in range(n):
                    total += out[p0 + i] * params[row + i]
            if n_bias[layer] == 1:
                total += params[b0]
            elif n_bias[layer] > 1:
                total += params[b0 + j]
            net[u0 + j] = total
        _activate(codes[layer], net, out, u0, m)
    # output delta and E_total of the sample
    last = n_layers - 1
    u0, m = unit_start[last], n_out[last]
    error = _output_delta(loss, codes[last], targets, s, net, out, delta, dE_dout, u0, m)
    # hidden deltas through the ORIGINAL next-layer weights (before any update of this step)
    for layer in range(n_layers - 2, -1, -1):
        u0, m = unit_start[layer], n_out[layer]
        u1, m1, w1 = unit_start[layer + 1], n_out[layer + 1], w_start[layer + 1]
        for j in range(m):
            total = 0.0
            for q in range(m1):
                total += delta[u1 + q] * params[w1 + q * m + j]
            dE_dout[u0 + j] = total
        _backprop_activation(codes[layer], net, out, dE_dout, delta, u0, m)
    return error


@numba.njit(cache=True, inline="always")
def _add_gradient(
    target: Array,
    scale: float,
    w_start: NDArray[np.int64],
    b_start: NDArray[np.int64],
    n_in: NDArray[np.int64],
    n_out: NDArray[np.int64],
    n_bias: NDArray[np.int64],
    train_bias: NDArray[np.bool_],
    unit_start: NDArray[np.int64],
    inputs: Array,
    s: int,
    out: Array,
    delta: Array,
) -> None:
    """``target += scale · dE/dθ`` of sample ``s``: ``dE/dw = delta · a_prev``, ``dE/db = delta``
    (``Σ_j delta_j`` for a shared bias). With ``target = params`` and ``scale = −η`` it is the update."""
    for layer in range(n_in.shape[0]):
        u0, w0, b0 = unit_start[layer], w_start[layer], b_start[layer]
        m, n = n_out[layer], n_in[layer]
        for j in range(m):
            step = scale * delta[u0 + j]
            row = w0 + j * n
            if layer == 0:
                for i in range(n):
                    target[row + i] += step * inputs[s, i]
            else:
                p0 = unit_start[layer - 1]
                for i in range(n):
                    target[row + i] += step * out[p0 + i]
        if train_bias[layer] and n_bias[layer] > 0:
            if n_bias[layer] == 1 and m > 1:
                shared = 0.0
                for j in range(m):
                    shared += delta[u0 + j]
                target[b0] += scale * shared
            else:
                for j in range(m):
                    target[b0 + j] += scale * delta[u0 + j]


@numba.njit(cache=True)
def _online_kernel(
    params: Array,
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
    order: NDArray[np.int64],
    learning_rate: float,
    losses: Array,
    hits: Array,
) -> None:
    """``len(order)`` online SGD updates of ``params`` in place; ``losses[k]`` and ``hits[k]`` (1.0 when
    classified correctly) before update k."""
    n_units = unit_start[n_in.shape[0]]
    last = n_in.shape[0] - 1
    net = np.empty(n_units)  # every layer's net, one after the other
    out = np.empty(n_units)
    delta = np.empty(n_units)
    dE_dout = np.empty(n_units)
    for k in range(order.shape[0]):
        s = order[k]
        losses[k] = _sample_pass(
            params, w_start, b_start, n_in, n_out, n_bias, codes, unit_start, loss, inputs, targets, s,
            net, out, delta, dE_dout,
        )
        hits[k] = _correct(targets, s, out, unit_start[last], n_out[last])
        # w+ = w − η·delta·a_prev, b+ = b − η·delta (Σ delta when shared)
        _add_gradient(
            params, -learning_rate, w_start, b_start, n_in, n_out, n_bias, train_bias, unit_start, inputs, s, out,
            delta,
        )


class _Packed:
    """The flat layout of a network's parameters (see the module docstring)."""

    def __init__(self, weights: Sequence[Array], biases: Sequence[Array]) -> None:
        # Arrays with a leading network axis, (N, n_out, n_in) and (N, n_bias), pack to (N, P).
        self.lead: tuple[int, ...] = tuple(weights[0].shape[:-2])
        self.n_out = np.array([w.shape[-2] for w in weights], dtype=np.int64)
        self.n_in = np.array([w.shape[-1] for w in weights], dtype=np.int64)
        self.n_bias = np.array([b.shape[-1] for b in biases], dtype=np.int64)
        sizes = [size for pair in zip(self.n_out * self.n_in, self.n_bias, strict=True) for size in pair]
        starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self.w_start = np.ascontiguousarray(starts[0:-1:2])
        self.b_start = np.ascontiguousarray(starts[1::2])
        self.unit_start = np.concatenate([[0], np.cumsum(self.n_out)]).astype(np.int64)
        self.params = np.concatenate(
            [np.reshape(a, (*self.lead, -1)) for pair in zip(weights, biases, strict=True) for a in pair], axis=-1
        )

    def unpack(self) -> tuple[list[Array], list[Array]]:
        """New weight and bias arrays from the flat vector."""
        weights, biases = [], []
        for layer in range(self.n_in.shape[0]):
            w0, b0 = int(self.w_start[layer]), int(self.b_start[layer])
            m, n, nb = int(self.n_out[layer]), int(self.n_in[layer]), int(self.n_bias[layer])
            weights.append(self.params[..., w0 : w0 + m * n].reshape(*self.lead, m, n).copy())
            biases.append(self.params[..., b0 : b0 + nb].copy())
        return weights, biases


def _codes(activations: Sequence[str], loss: str) -> tuple[NDArray[np.int64], int]:
    if not supports(activations, loss):
        raise ValueError(f"the compiled path does not support {list(activations)} with {loss}")
    return np.array([ACTIVATION_CODES[name] for name in activations], dtype=np.int64), LOSS_CODES[loss]


def online_sgd(
    weights: Sequence[Array],
    biases: Sequence[Array],
    activations: Sequence[str],
    train_bias: Sequence[bool],
    loss: str,
    inputs: Array,
    targets: Array,
    order: NDArray[np.int64],
    learning_rate: float,
) -> OnlineSGDResult:
    """``len(order)`` online SGD updates (see ``compiled_api.OnlineSGD``); inputs are not modified."""
    codes, loss_code = _codes(activations, loss)
    packed = _Packed(weights, biases)
    losses, hits = np.empty(len(order)), np.empty(len(order))
    _online_kernel(
        packed.params,
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
        np.ascontiguousarray(order, dtype=np.int64),
        float(learning_rate),
        losses,
        hits,
    )
    new_weights, new_biases = packed.unpack()
    return OnlineSGDResult(new_weights, new_biases, losses, hits)


# --------------------------------------------------------------------------- mini-batch kernel
@numba.njit(cache=True)
def _minibatch_kernel(
    params: Array,
    w_start: NDArray[np.int64],
    b_start: NDArray[np.int64],
    n_in: NDArray[np.int64],
    n_out: NDArray[np.int64],
    n_bias: NDArray[np.int64],
    codes: NDArray[np.int64],
    train_bias: NDArray[np.bool_],
    loss: int,
    inputs: Array,
    targets: Array,
    order: NDArray[np.int64],
    learning_rate: float,
    batch_size: int,
    losses: Array,
    hits: Array,
) -> None:
    """SGD on the batches ``order[0:B], order[B:2B], …`` (the last may be shorter), in place.

    ``losses[k]`` is ``E_total`` of sample ``order[k]`` before its batch's update, ``hits[k]`` 1.0 when
    it was classified correctly.
    """
    n_layers = n_in.shape[0]
    last = n_layers - 1
    count = order.shape[0]
    for start in range(0, count, batch_size):
        stop = min(start + batch_size, count)
        rows = stop - start
        index = order[start:stop]
        x = inputs[index]  # (B, n_inputs)
        target = targets[index]  # (B, n_outputs)
        nets = []
        outs = [x]  # outs[l + 1] is layer l's out; outs[0] the inputs
        for layer in range(n_layers):
            m, n, w0, b0 = n_out[layer], n_in[layer], w_start[layer], b_start[layer]
            weights = params[w0 : w0 + m * n].reshape((m, n))
            net = np.dot(outs[layer], weights.T)  # (B, n_out) = a_prev · Wᵀ
            if n_bias[layer] == 1:
                net += params[b0]
            elif n_bias[layer] > 1:
                net += params[b0 : b0 + m]
            out = np.empty_like(net)
            for r in range(rows):
                _activate(codes[layer], net.reshape(-1), out.reshape(-1), r * m, m)
            nets.append(net)
            outs.append(out)
        deltas = [np.empty((0, 0))] * n_layers
        delta = np.empty_like(nets[last])
        dE_dout = np.empty_like(nets[last])
        m = n_out[last]
        for r in range(rows):
            losses[start + r] = _output_delta(
                loss, codes[last], target, r, nets[last].reshape(-1), outs[last + 1].reshape(-1),
                delta.reshape(-1), dE_dout.reshape(-1), r * m, m,
            )
            hits[start + r] = _correct(target, r, outs[last + 1].reshape(-1), r * m, m)
        deltas[last] = delta
        for layer in range(last - 1, -1, -1):
            m1, m = n_out[layer + 1], n_out[layer]
            w1 = w_start[layer + 1]
            weights_next = params[w1 : w1 + m1 * m].reshape((m1, m))
            hidden_dE_dout = np.dot(deltas[layer + 1], weights_next)  # Σ_k delta_k · w_kj, ORIGINAL weights
            delta = np.empty_like(hidden_dE_dout)
            for r in range(rows):
                _backprop_activation(
                    codes[layer], nets[layer].reshape(-1), outs[layer + 1].reshape(-1), hidden_dE_dout.reshape(-1),
                    delta.reshape(-1), r * m, m,
                )
            deltas[layer] = delta
        for layer in range(n_layers):
            m, n, w0, b0 = n_out[layer], n_in[layer], w_start[layer], b_start[layer]
            weights = params[w0 : w0 + m * n].reshape((m, n))
            # W+ = W − η · deltaᵀ · a_prev / B; scaling the (B, n_out) delta first saves passes over W
            weights -= np.dot((deltas[layer] * (learning_rate / rows)).T, outs[layer])
            if train_bias[layer] and n_bias[layer] > 0:
                grad_b = np.zeros(m)  # per neuron: Σ_B delta / B
                for r in range(rows):
                    for j in range(m):
                        grad_b[j] += deltas[layer][r, j]
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
    order: NDArray[np.int64],
    learning_rate: float,
    batch_size: int,
) -> OnlineSGDResult:
    """One epoch of mini-batch SGD with batch-mean gradients: the arguments of ``online_sgd`` plus
    ``batch_size``; updates on ``order[0:B]``, ``order[B:2B]``, … (the last batch may be shorter).

    ``losses[k]`` is ``E_total`` of sample ``order[k]`` before its batch's update, so their mean is
    the epoch's running loss. Inputs are not modified.
    """
    codes, loss_code = _codes(activations, loss)
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    packed = _Packed(weights, biases)
    losses, hits = np.empty(len(order)), np.empty(len(order))
    _minibatch_kernel(
        packed.params,
        packed.w_start,
        packed.b_start,
        packed.n_in,
        packed.n_out,
        packed.n_bias,
        codes,
        np.array(train_bias, dtype=np.bool_),
        loss_code,
        np.ascontiguousarray(inputs, dtype=np.float64),
        np.ascontiguousarray(targets, dtype=np.float64),
        np.ascontiguousarray(order, dtype=np.int64),
        float(learning_rate),
        int(batch_size),
        losses,
        hits,
    )
    new_weights, new_biases = packed.unpack()
    return OnlineSGDResult(new_weights, new_biases, losses, hits)

