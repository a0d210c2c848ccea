"""The compiled (numba) training path: whole epochs of SGD in one call.

The NumPy functions of ``stepgrad.core.propagation`` are the reference; this module does
the same arithmetic sample by sample in machine code, because on tiny networks (the classic
2-2-2) NumPy spends far more time per call than per multiply. See
``stepgrad.training.compiled_api`` for the contract; tests check both paths agree to 1e-12.

Importing this module imports numba (≈0.5 s, kernels compile once and are cached on disk),
so only the training loops import it, lazily, and never ``explain``.

Layout: every layer's weights and biases are packed into one flat vector of ``P`` numbers with
offsets, so one compiled function handles any depth without typed lists:

    W_l = params[w_start[l] : w_start[l] + n_out[l]·n_in[l]].reshape(n_out[l], n_in[l])
    b_l = params[b_start[l] : b_start[l] + n_bias[l]]

The helpers work on *lanes*: values are ``(rows, lanes)`` arrays with the lanes innermost, one
lane per sample of a mini-batch (``minibatch_sgd``), per network of an ensemble
(``stepgrad.training.compiled_ensemble``) or a single lane (``online_sgd``), so the loops over
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

``minibatch_sgd`` does the same with batch-mean gradients over ``batch_size`` samples,
with the matrix products as ``np.dot`` calls (BLAS) inside the compiled loop.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numba
import numpy as np
from numpy.typing import NDArray

from stepgrad.training.compiled_api import OnlineSGDResult, cache_holds

Array = NDArray[np.float64]
Ints = NDArray[np.int64]
Layout = tuple[Ints, Ints, Ints, Ints, Ints, Ints, Ints, NDArray[np.bool_]]

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


def is_cached(batch_size: int) -> bool | None:
    """Whether numba's on-disk cache already holds the kernel for this batch size (``online_sgd`` for 1,
    else ``minibatch_sgd``), so its first call loads it instead of compiling for seconds."""
    return cache_holds(_online_kernel if batch_size == 1 else _minibatch_kernel)


def is_loaded(batch_size: int) -> bool:
    """Whether the kernel for this batch size has been compiled or loaded in this process."""
    return bool((_online_kernel if batch_size == 1 else _minibatch_kernel).signatures)


# --------------------------------------------------------------------------- scalar pieces
@numba.njit(cache=True, inline="always")
def _sigmoid(net: float) -> float:
    # The form without overflow for each sign, as stepgrad.functions.sigmoid.
    e = math.exp(-abs(net))
    return 1.0 / (1.0 + e) if net >= 0 else e / (1.0 + e)


@numba.njit(cache=True, inline="always")
def _log_sigmoid(net: float) -> float:
    return min(net, 0.0) - math.log1p(math.exp(-abs(net)))


# --------------------------------------------------------------------------- one layer, all lanes
# Each helper handles rows ``start … start + n − 1`` of ``(rows, lanes)`` arrays, lanes ``0 … lanes − 1``.
@numba.njit(cache=True)
def _activate(code: int, net: Array, out: Array, start: int, n: int, lanes: int) -> None:
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
    for j in range(start, start + n):
        for lane in range(lanes):
            x = net[j, lane]
            if code == SIGMOID:
                out[j, lane] = _sigmoid(x)
            elif code == TANH:
                out[j, lane] = math.tanh(x)
            elif code == RELU:
                out[j, lane] = x if x > 0.0 else 0.0
            elif code == LEAKY_RELU:
                out[j, lane] = x if x > 0.0 else LEAKY_SLOPE * x
            else:
                out[j, lane] = x


@numba.njit(cache=True)
def _backprop_activation(
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
            if code == SIGMOID:
                d = out[j, lane] * (1.0 - out[j, lane])
            elif code == TANH:
                d = 1.0 - out[j, lane] * out[j, lane]
            elif code == RELU:
                d = 1.0 if net[j, lane] > 0.0 else 0.0
            elif code == LEAKY_RELU:
                d = 1.0 if net[j, lane] > 0.0 else LEAKY_SLOPE
            else:
                d = 1.0
            delta[j, lane] = dE_dout[j, lane] * d


@numba.njit(cache=True)
def _output_delta(
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
    _backprop_activation(code, net, out, dE_dout, delta, start, n, lanes)


@numba.njit(cache=True)
def _correct(targets: Array, samples: Ints, out: Array, start: int, n: int, lanes: int, hits: Array) -> None:
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
def _sample_pass(
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
        _activate(codes[layer], net, out, u0, m, lanes)
    # output delta and E_total of each lane's sample
    last = n_layers - 1
    u0, m = row_start[last + 1], n_out[last]
    _output_delta(loss, codes[last], targets, samples, net, out, delta, dE_dout, u0, m, lanes, errors)
    # hidden deltas through the ORIGINAL next-layer weights (before any update of this step)
    for layer in range(n_layers - 2, -1, -1):
        u0, m = row_start[layer + 1], n_out[layer]
        u1, m1, w1 = row_start[layer + 2], n_out[layer + 1], w_start[layer + 1]
        for j in range(m):
            # dE/dout_j = Σ_k delta_k · w_kj: column j of the next layer's W
            _weighted_sum(delta, u1, m1, params, col0, w1 + j, m, dE_dout, u0 + j, lanes)
        _backprop_activation(codes[layer], net, out, dE_dout, delta, u0, m, lanes)


@numba.njit(cache=True)
def _add_gradient(
    target: Array,
    scale: float,
    lanes: int,
    layout: Layout,
    out: Array,
    delta: Array,
) -> None:
    """``target[:, l] += scale · dE/dθ`` of lane ``l``'s sample: ``dE/dw = delta · a_prev``,
    ``dE/db = delta`` (``Σ_j delta_j`` for a shared bias). With ``target`` the parameters and
    ``scale = −η`` it is the online update."""
    w_start, b_start, n_in, n_out, n_bias, row_start, _, train_bias = layout
    for layer in range(len(n_in)):
        a0, u0, w0, b0 = row_start[layer], row_start[layer + 1], w_start[layer], b_start[layer]
        m, n = n_out[layer], n_in[layer]
        for j in range(m):
            for i in range(n):
                w = w0 + j * n + i
                for lane in range(lanes):
                    target[w, lane] += (scale * delta[u0 + j, lane]) * out[a0 + i, lane]
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
def _load_inputs(inputs: Array, samples: Ints, out: Array, lanes: int) -> None:
    """``out[i, l] = inputs[samples[l], i]``: each lane's sample as the first rows."""
    for i in range(inputs.shape[1]):
        for lane in range(lanes):
            out[i, lane] = inputs[samples[lane], i]


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
        _load_inputs(inputs, sample, out, 1)
        _sample_pass(params, 0, 1, layout, loss, targets, sample, net, out, delta, dE_dout, error)
        _correct(targets, sample, out, row_start[last + 1], n_out[last], 1, hit)
        losses[k], hits[k] = error[0], hit[0]
        # w+ = w − η·delta·a_prev, b+ = b − η·delta (Σ delta when shared)
        _add_gradient(params, -learning_rate, 1, layout, out, delta)


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
        self.row_start = np.concatenate([[0], np.cumsum([self.n_in[0], *self.n_out])]).astype(np.int64)
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
        codes = np.array([ACTIVATION_CODES[name] for name in activations], dtype=np.int64)
        trained = np.array(train_bias, dtype=np.bool_)
        return (self.w_start, self.b_start, self.n_in, self.n_out, self.n_bias, self.row_start, codes, trained)


def _loss_code(activations: Sequence[str], loss: str) -> int:
    if not supports(activations, loss):
        raise ValueError(f"the compiled path does not support {list(activations)} with {loss}")
    return LOSS_CODES[loss]


def _floats(array: Array) -> Array:
    return np.ascontiguousarray(array, dtype=np.float64)


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
    """``len(order)`` online SGD updates (see ``compiled_api.OnlineSGD``); inputs are not modified."""
    loss_code = _loss_code(activations, loss)
    packed = _Packed(weights, biases)
    columns = packed.columns()
    losses, hits = np.empty(len(order)), np.empty(len(order))
    _online_kernel(
        columns,
        packed.layout(activations, train_bias),
        loss_code,
        _floats(inputs),
        _floats(targets),
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
        _load_inputs(inputs, samples, x, rows)
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
            _activate(codes[layer], net, out, 0, m, rows)
            nets.append(net)
            outs.append(out)
        deltas = [np.empty((0, 0))] * n_layers
        delta = np.empty_like(nets[last])
        dE_dout = np.empty_like(nets[last])
        _output_delta(
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
        _correct(targets, samples, outs[last + 1], 0, n_out[last], rows, hits[start:stop])
        deltas[last] = delta
        for layer in range(last - 1, -1, -1):
            m1, m = n_out[layer + 1], n_out[layer]
            w1 = w_start[layer + 1]
            weights_next = params[w1 : w1 + m1 * m].reshape((m1, m))
            hidden_dE_dout = np.dot(weights_next.T, deltas[layer + 1])  # Σ_k w_kj · delta_k, ORIGINAL weights
            delta = np.empty_like(hidden_dE_dout)
            _backprop_activation(codes[layer], nets[layer], outs[layer + 1], hidden_dE_dout, delta, 0, m, rows)
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
    loss_code = _loss_code(activations, loss)
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    packed = _Packed(weights, biases)
    losses, hits = np.empty(len(order)), np.empty(len(order))
    _minibatch_kernel(
        packed.params,
        packed.layout(activations, train_bias),
        loss_code,
        _floats(inputs),
        _floats(targets),
        np.ascontiguousarray(order, dtype=np.int64),
        float(learning_rate),
        int(batch_size),
        losses,
        hits,
    )
    new_weights, new_biases = packed.unpack()
    return OnlineSGDResult(new_weights, new_biases, losses, hits)
