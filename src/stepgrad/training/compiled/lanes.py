"""The compiled (numba) pieces every kernel shares: one layer's values, one sample's pass, the gradient sum.

The NumPy functions of ``stepgrad.core.propagation`` are the reference; these helpers do
the same arithmetic sample by sample in machine code, because on tiny networks (the classic
2-2-2) NumPy spends far more time per call than per multiply. The epoch executors are in
``stepgrad.training.compiled.epochs`` (one network) and ``stepgrad.training.compiled.ensemble``; see
``stepgrad.training.compiled`` for the contract; tests check both paths agree to 1e-12. Each
activation's and loss's branch is its registry entry's ``kernel_code`` (``compiled.codes``).

Importing this module imports numba (≈0.5 s, kernels compile once and are cached on disk),
so only the training loops import it, lazily, and never ``explain``.

Layout: every layer's weights and biases are packed into one flat vector of ``P`` numbers with
offsets, so one compiled function handles any depth without typed lists:

    W_l = params[w_start[l] : w_start[l] + n_out[l]·n_in[l]].reshape(n_out[l], n_in[l])
    b_l = params[b_start[l] : b_start[l] + n_bias[l]]

The helpers work on *lanes*: values are ``(rows, lanes)`` arrays with the lanes innermost, one
lane per sample of a mini-batch (``epochs._minibatch_kernel``), per network of an ensemble
(``stepgrad.training.compiled.ensemble``) or a single lane (``epochs._lane_kernel``), so the loops over
layers and neurons are paid once for all lanes and the arithmetic runs in SIMD. Parameters are
``(P, C)``: lane ``l`` reads column ``col0 + l`` (one column for a single network). Rows hold the
inputs first, then every layer's neurons: layer ``l`` reads rows ``row_start[l] …`` and writes
rows ``row_start[l + 1] …``. The kernels take all of this as one tuple, the ``Layout``:
``(w_start, b_start, n_in, n_out, n_bias, row_start, codes, train_bias)`` with each layer's
activation code and whether its bias is trained.

Per sample the kernels compute, exactly as the core does:

    net_l = a_{l-1} · W_lᵀ + b_l,  out_l = f_l(net_l)
    delta_L = dE/dout · dout/dnet            (out − target for the paired losses)
    delta_l = (delta_{l+1} · W_{l+1}) · f_l'  (original W_{l+1})
    W_l+ = W_l − η · delta_lᵀ a_{l-1},  b_l+ = b_l − η · delta_l  (Σ_j delta_l,j when shared)

A batch of ``B`` samples sums ``g = Σ dE/dθ`` sample after sample (``add_gradient``, scale 1) and steps
``θ+ = θ − η · (g / B)`` (``descend``): the ensemble and the lane kernel of one network both do exactly this,
so they give the same bits. ``epochs._minibatch_kernel`` computes the same batch-mean step with the
matrix products as BLAS calls (``compiled.blas``) inside the compiled loop (the same numbers to 1e-12).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

import numba
import numpy as np
from numpy.typing import NDArray

from stepgrad.training.compiled.codes import (
    ACTIVATION_CODES,
    BCE,
    CE,
    HALF_SQUARED,
    LEAKY_RELU,
    LOG_FLOOR,
    LOSS_CODES,
    MSE,
    RELU,
    SIGMOID,
    SOFTMAX,
    TANH,
    supports,
)
from stepgrad.training.compiled.codes import LEAKY as LEAKY_SLOPE

Array = NDArray[np.float64]
Ints = NDArray[np.int64]
Layout = tuple[Ints, Ints, Ints, Ints, Ints, Ints, Ints, NDArray[np.bool_]]


# --------------------------------------------------------------------------- scalar pieces
@numba.njit(cache=True, inline="always")
def _sigmoid(net: float) -> float:
    # The form without overflow for each sign, as stepgrad.functions.sigmoid: 1/(1 + e) or e/(1 + e) with
    # e = e^(−|net|). Choosing the numerator (a select, not a branch) keeps the loop free of unpredictable
    # jumps: the same numbers, about twice as fast on mixed signs.
    e = math.exp(-abs(net))
    numerator = 1.0 if net >= 0 else e
    return numerator / (1.0 + e)


@numba.njit(cache=True, inline="always")
def _log_sigmoid(net: float) -> float:
    return min(net, 0.0) - math.log1p(math.exp(-abs(net)))


# --------------------------------------------------------------------------- one layer, all lanes
# Each helper handles rows ``start … start + n − 1`` of ``(rows, lanes)`` arrays, lanes ``0 … lanes − 1``.
@numba.njit(cache=True)
def activate(code: int, net: Array, out: Array, start: int, n: int, lanes: int) -> None:
    """``out = f(net)``; softmax over the layer's rows of each lane, shifted by the largest."""
    if code == SOFTMAX:
        for lane in range(lanes):
            top = net[start, lane]
            for j in range(start + 1, start + n):
                top = max(top, net[j, lane])
            total = 0.0
            for j in range(start, start + n):
                out[j, lane] = math.exp(net[j, lane] - top)
                total += out[j, lane]
            for j in range(start, start + n):
                out[j, lane] /= total
        return
    # one loop per function (the choice made once per layer, not per number)
    if code == SIGMOID:
        for j in range(start, start + n):
            for lane in range(lanes):
                out[j, lane] = _sigmoid(net[j, lane])
    elif code == TANH:
        for j in range(start, start + n):
            for lane in range(lanes):
                out[j, lane] = math.tanh(net[j, lane])
    elif code == RELU:
        for j in range(start, start + n):
            for lane in range(lanes):
                out[j, lane] = net[j, lane] if net[j, lane] > 0.0 else 0.0
    elif code == LEAKY_RELU:
        for j in range(start, start + n):
            for lane in range(lanes):
                out[j, lane] = net[j, lane] if net[j, lane] > 0.0 else LEAKY_SLOPE * net[j, lane]
    else:
        for j in range(start, start + n):
            for lane in range(lanes):
                out[j, lane] = net[j, lane]


@numba.njit(cache=True)
def backprop_activation(
    code: int, net: Array, out: Array, dE_dout: Array, delta: Array, start: int, n: int, lanes: int
) -> None:
    """``delta = dE/dout · dout/dnet``; softmax through its Jacobian: ``out_k(g_k − Σ_j g_j out_j)``."""
    if code == SOFTMAX:
        for lane in range(lanes):
            weighted = 0.0
            for j in range(start, start + n):
                weighted += dE_dout[j, lane] * out[j, lane]
            for j in range(start, start + n):
                delta[j, lane] = out[j, lane] * (dE_dout[j, lane] - weighted)
        return
    for j in range(start, start + n):
        for lane in range(lanes):
            delta[j, lane] = dE_dout[j, lane] * _derivative(code, net[j, lane], out[j, lane])


@numba.njit(cache=True, inline="always")
def _derivative(code: int, net: float, out: float) -> float:
    """``dout/dnet`` in the form the derivation shows (``out·(1−out)`` for the logistic function)."""
    if code == SIGMOID:
        return out * (1.0 - out)
    if code == TANH:
        return 1.0 - out * out
    if code == RELU:
        return 1.0 if net > 0.0 else 0.0
    if code == LEAKY_RELU:
        return 1.0 if net > 0.0 else LEAKY_SLOPE
    return 1.0


@numba.njit(cache=True)
def output_delta(
    loss: int,
    code: int,
    targets: Array,
    samples: Ints,
    net: Array,
    out: Array,
    delta: Array,
    dE_dout: Array,
    start: int,
    n: int,
    lanes: int,
    errors: Array,
) -> None:
    """Fill the output layer's ``delta`` (rows ``start …``) for lane ``l``'s target ``targets[samples[l]]``
    and set ``errors[l]`` to the lane's ``E_total = Σ_o E_o``."""
    for lane in range(lanes):
        errors[lane] = 0.0
    if loss == BCE and code == SIGMOID:
        for k in range(n):
            for lane in range(lanes):
                t, x = targets[samples[lane], k], net[start + k, lane]
                errors[lane] += -(t * _log_sigmoid(x) + (1.0 - t) * _log_sigmoid(-x))
                delta[start + k, lane] = out[start + k, lane] - t
        return
    if loss == CE and code == SOFTMAX:
        for lane in range(lanes):
            row = samples[lane]
            top = net[start, lane]
            for k in range(1, n):
                top = max(top, net[start + k, lane])
            log_sum = 0.0
            for k in range(n):
                log_sum += math.exp(net[start + k, lane] - top)
            log_sum = math.log(log_sum)
            total = 0.0
            for k in range(n):
                total += -targets[row, k] * ((net[start + k, lane] - top) - log_sum)
                delta[start + k, lane] = out[start + k, lane] - targets[row, k]
            errors[lane] = total
        return
    for k in range(n):
        for lane in range(lanes):
            t, o = targets[samples[lane], k], out[start + k, lane]
            if loss == HALF_SQUARED:
                errors[lane] += 0.5 * (t - o) ** 2
                dE_dout[start + k, lane] = o - t
            elif loss == MSE:
                errors[lane] += (t - o) ** 2 / n
                dE_dout[start + k, lane] = 2.0 * (o - t) / n
            elif loss == BCE:
                errors[lane] += -(t * math.log(max(o, LOG_FLOOR)) + (1.0 - t) * math.log(max(1.0 - o, LOG_FLOOR)))
                dE_dout[start + k, lane] = (o - t) / max(o * (1.0 - o), LOG_FLOOR)
            else:
                errors[lane] += -t * math.log(max(o, LOG_FLOOR))
                dE_dout[start + k, lane] = -t / max(o, LOG_FLOOR)
    backprop_activation(code, net, out, dE_dout, delta, start, n, lanes)


@numba.njit(cache=True)
def count_correct(targets: Array, samples: Ints, out: Array, start: int, n: int, lanes: int, hits: Array) -> None:
    """``hits[l]`` 1.0 when lane ``l``'s sample is classified correctly, else 0.0, as
    ``stepgrad.training.metrics.correct``: ``argmax out = argmax target`` (the first largest) for
    several outputs, ``out > ½ = target > ½`` for one."""
    for lane in range(lanes):
        row = samples[lane]
        if n == 1:
            hits[lane] = 1.0 if (out[start, lane] > 0.5) == (targets[row, 0] > 0.5) else 0.0
            continue
        best_out, best_target = 0, 0
        for k in range(1, n):
            if out[start + k, lane] > out[start + best_out, lane]:
                best_out = k
            if targets[row, k] > targets[row, best_target]:
                best_target = k
        hits[lane] = 1.0 if best_out == best_target else 0.0


# --------------------------------------------------------------------------- one sample, all layers
@numba.njit(cache=True, inline="always")
def _weighted_sum(
    values: Array,
    first: int,
    count: int,
    params: Array,
    col0: int,
    weight: int,
    stride: int,
    target: Array,
    row: int,
    lanes: int,
) -> None:
    """``target[row, l] = Σ_k values[first + k, l] · params[weight + k·stride, col0 + l]`` over ``k < count``."""
    for lane in range(lanes):
        target[row, lane] = 0.0
    for k in range(count):
        w = weight + k * stride
        for lane in range(lanes):
            target[row, lane] += values[first + k, lane] * params[w, col0 + lane]


@numba.njit(cache=True)
def sample_pass(
    params: Array,
    col0: int,
    lanes: int,
    layout: Layout,
    loss: int,
    targets: Array,
    samples: Ints,
    net: Array,
    out: Array,
    delta: Array,
    dE_dout: Array,
    errors: Array,
) -> None:
    """Forward and backward pass of each lane's sample (its inputs already in ``out[0 : n_in[0]]``):
    fills every layer's ``net``, ``out`` and ``delta`` and each lane's ``E_total`` in ``errors``."""
    w_start, b_start, n_in, n_out, n_bias, row_start, codes, _ = layout
    n_layers = len(n_in)
    # forward: net_l = a_{l-1} · W_lᵀ + b_l, out_l = f_l(net_l)
    for layer in range(n_layers):
        a0, u0, w0, b0 = row_start[layer], row_start[layer + 1], w_start[layer], b_start[layer]
        m, n = n_out[layer], n_in[layer]
        for j in range(m):
            # net_j = Σ_i out_i · w_ji (+ b): row j of W
            _weighted_sum(out, a0, n, params, col0, w0 + j * n, 1, net, u0 + j, lanes)
            if n_bias[layer] > 0:
                b = b0 if n_bias[layer] == 1 else b0 + j
                for lane in range(lanes):
                    net[u0 + j, lane] += params[b, col0 + lane]
        activate(codes[layer], net, out, u0, m, lanes)
    # output delta and E_total of each lane's sample
    last = n_layers - 1
    u0, m = row_start[last + 1], n_out[last]
    output_delta(loss, codes[last], targets, samples, net, out, delta, dE_dout, u0, m, lanes, errors)
    # hidden deltas through the ORIGINAL next-layer weights (before any update of this step)
    for layer in range(n_layers - 2, -1, -1):
        u0, m = row_start[layer + 1], n_out[layer]
        u1, m1, w1 = row_start[layer + 2], n_out[layer + 1], w_start[layer + 1]
        for j in range(m):
            # dE/dout_j = Σ_k delta_k · w_kj: column j of the next layer's W
            _weighted_sum(delta, u1, m1, params, col0, w1 + j, m, dE_dout, u0 + j, lanes)
        backprop_activation(codes[layer], net, out, dE_dout, delta, u0, m, lanes)


@numba.njit(cache=True)
def add_gradient(
    target: Array,
    scale: float,
    lanes: int,
    layout: Layout,
    out: Array,
    delta: Array,
) -> None:
    """``target[:, l] += scale · dE/dθ`` of lane ``l``'s sample: ``dE/dw = delta · a_prev``,
    ``dE/db = delta`` (``Σ_j delta_j`` for a shared bias). With ``target`` the parameters and
    ``scale = −η`` it is the online update, to the last bit the step ``descend`` takes from a gradient
    summed with ``scale = 1`` over a batch of one: ``θ + (−η)·g = θ − η·(g / 1)``."""
    w_start, b_start, n_in, n_out, n_bias, row_start, _, train_bias = layout
    for layer in range(len(n_in)):
        a0, u0, w0, b0 = row_start[layer], row_start[layer + 1], w_start[layer], b_start[layer]
        m, n = n_out[layer], n_in[layer]
        for j in range(m):
            for i in range(n):
                w = w0 + j * n + i
                for lane in range(lanes):
                    target[w, lane] += scale * (delta[u0 + j, lane] * out[a0 + i, lane])
        if train_bias[layer] and n_bias[layer] > 0:
            if n_bias[layer] == 1 and m > 1:
                for lane in range(lanes):
                    shared = 0.0
                    for j in range(m):
                        shared += delta[u0 + j, lane]
                    target[b0, lane] += scale * shared
            else:
                for j in range(m):
                    for lane in range(lanes):
                        target[b0 + j, lane] += scale * delta[u0 + j, lane]


@numba.njit(cache=True)
def descend(params: Array, column: int, grad: Array, lane: int, learning_rate: float, count: int) -> None:
    """``θ+ = θ − η · (g / B)``: the batch-mean step of the network in ``params[:, column]`` from the gradient
    ``grad[:, lane]`` summed over its ``B = count`` samples (``add_gradient`` with ``scale = 1``)."""
    for i in range(params.shape[0]):
        params[i, column] -= learning_rate * (grad[i, lane] / count)


@numba.njit(cache=True)
def load_inputs(inputs: Array, samples: Ints, out: Array, lanes: int) -> None:
    """``out[i, l] = inputs[samples[l], i]``: each lane's sample as the first rows."""
    for i in range(inputs.shape[1]):
        for lane in range(lanes):
            out[i, lane] = inputs[samples[lane], i]


class Packed:
    """The flat layout of a network's parameters (see the module docstring)."""

    def __init__(self, weights: Sequence[Array], biases: Sequence[Array]) -> None:
        # Arrays with a leading network axis, (N, n_out, n_in) and (N, n_bias), pack to (N, P).
        self.lead: tuple[int, ...] = tuple(weights[0].shape[:-2])
        shapes = tuple(
            (int(w.shape[-2]), int(w.shape[-1]), int(b.shape[-1])) for w, b in zip(weights, biases, strict=True)
        )
        self.n_out, self.n_in, self.n_bias, self.w_start, self.b_start, self.row_start = _offsets(shapes)
        self.params = np.concatenate(
            [np.reshape(a, (*self.lead, -1)) for pair in zip(weights, biases, strict=True) for a in pair], axis=-1
        )

    def columns(self) -> Array:
        """The parameters as ``(P, C)`` columns: one per network (``(P, 1)`` for a single network)."""
        return np.ascontiguousarray(self.params.reshape(-1, self.params.shape[-1]).T)

    def unpack(self, columns: Array | None = None) -> tuple[list[Array], list[Array]]:
        """New weight and bias arrays from the flat vectors (or from ``columns`` in the layout of ``columns()``)."""
        flat = self.params if columns is None else columns.T.reshape(self.params.shape)
        weights, biases = [], []
        for layer in range(self.n_in.shape[0]):
            w0, b0 = int(self.w_start[layer]), int(self.b_start[layer])
            m, n, nb = int(self.n_out[layer]), int(self.n_in[layer]), int(self.n_bias[layer])
            weights.append(flat[..., w0 : w0 + m * n].reshape(*self.lead, m, n).copy())
            biases.append(flat[..., b0 : b0 + nb].copy())
        return weights, biases

    def layout(self, activations: Sequence[str], train_bias: Sequence[bool]) -> Layout:
        """The ``Layout`` tuple the kernels take (see the module docstring)."""
        codes, trained = _codes(tuple(activations), tuple(bool(t) for t in train_bias))
        return (self.w_start, self.b_start, self.n_in, self.n_out, self.n_bias, self.row_start, codes, trained)


# A network's offsets and codes, built once per shape: every epoch of a run packs the same layout. The arrays are
# shared between calls, so nothing may write to them (the kernels only read them; marking them read-only would
# give numba another type to compile for).
@functools.lru_cache(maxsize=256)
def _offsets(shapes: tuple[tuple[int, int, int], ...]) -> tuple[Ints, Ints, Ints, Ints, Ints, Ints]:
    """``n_out, n_in, n_bias, w_start, b_start, row_start`` of layers ``(n_out, n_in, n_bias)``."""
    n_out = np.array([m for m, _, _ in shapes], dtype=np.int64)
    n_in = np.array([n for _, n, _ in shapes], dtype=np.int64)
    n_bias = np.array([nb for _, _, nb in shapes], dtype=np.int64)
    sizes = [size for pair in zip(n_out * n_in, n_bias, strict=True) for size in pair]
    starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    row_start = np.concatenate([[0], np.cumsum([n_in[0], *n_out])]).astype(np.int64)
    return n_out, n_in, n_bias, np.ascontiguousarray(starts[0:-1:2]), np.ascontiguousarray(starts[1::2]), row_start


@functools.lru_cache(maxsize=256)
def _codes(activations: tuple[str, ...], train_bias: tuple[bool, ...]) -> tuple[Ints, NDArray[np.bool_]]:
    codes = np.array([ACTIVATION_CODES[name] for name in activations], dtype=np.int64)
    trained = np.array(train_bias, dtype=np.bool_)
    return codes, trained


def kernel_loss_code(activations: Sequence[str], loss: str) -> int:
    if not supports(activations, loss):
        raise ValueError(f"the compiled path does not support {list(activations)} with {loss}")
    return LOSS_CODES[loss]


def floats(array: Array) -> Array:
    return np.ascontiguousarray(array, dtype=np.float64)
