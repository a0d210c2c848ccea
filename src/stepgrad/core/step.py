"""Forward pass, backward pass and update of a ``Network``, each returning a trace.

``forward`` → ``ForwardTrace``, ``backward`` → ``BackwardTrace``, ``update`` →
``Trace``; ``train_step`` is the three in a row. The update always uses the
original weights for every gradient: the hidden deltas are computed with the
output weights as they were before the step. ``hidden_deltas_from="updated"``
reproduces the classic mistake on purpose (each layer is updated first and the
layer below backpropagates through the new weights), which is how the
published summary's errata arose.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from stepgrad.core.propagation import (
    LayerForward,
    backprop_through_activation,
    bias_gradient,
    error_terms,
    hidden_contributions,
    layer_forward,
    output_delta,
    penalty,
    penalty_gradient,
    sgd_step,
)
from stepgrad.core.trace import (
    BackwardTrace,
    ForwardTrace,
    HiddenDeltasFrom,
    LayerBackward,
    LayerTrace,
    Trace,
    required,
)
from stepgrad.errors import StepgradError, quantity
from stepgrad.functions import get_activation, get_loss
from stepgrad.functions.losses import get_reduction
from stepgrad.network.model import NO_REGULARIZATION, Network, Regularization, target_problem
from stepgrad.network.naming import Names, network_names

Array = NDArray[np.float64]
P = ParamSpec("P")
R = TypeVar("R")


def ieee_arithmetic(function: Callable[P, R]) -> Callable[P, R]:
    """Let float64 overflow to ±inf (and inf − inf to NaN) without NumPy warnings.

    Weights or inputs too large for float64 are recorded in the trace as they come out
    (``∞``, ``NaN``); callers decide what to tell the user (``Trace.is_finite``).
    """

    @functools.wraps(function)
    def quiet(*args: P.args, **kwargs: P.kwargs) -> R:
        with np.errstate(over="ignore", invalid="ignore"):
            return function(*args, **kwargs)

    return quiet


@ieee_arithmetic
def layer_outputs(network: Network, x: Array) -> list[LayerForward]:
    """``net`` and ``out`` of every layer for ``x`` ``(B, n_inputs)``, as checked by ``batch_arrays``."""
    a_prev = x
    layers = []
    for layer in network.layers:
        result = layer_forward(a_prev, layer.weights, layer.bias_vector, get_activation(layer.activation))
        layers.append(result)
        a_prev = result.out
    return layers


def predict_outputs(network: Network, inputs: ArrayLike) -> Array:
    """The network's outputs ``(B, n_outputs)``."""
    return layer_outputs(network, batch_arrays(network, inputs, None)[0])[-1].out


def errors(network: Network, inputs: ArrayLike, targets: ArrayLike) -> Array:
    """``E_o`` of each sample and output, ``(B, n_outputs)``."""
    x, target = batch_arrays(network, inputs, targets)
    output = layer_outputs(network, x)[-1]
    return error_terms(
        required(target),
        output,
        get_activation(network.layers[-1].activation),
        get_loss(network.loss, network.reduction),
    )


def total_error(network: Network, inputs: ArrayLike, targets: ArrayLike) -> float:
    """The batch's ``E``: the mean (or, with ``reduction = "sum"``, the sum) of ``E_total = Σ_o E_o``."""
    return float(get_reduction(network.reduction).combine(np.sum(errors(network, inputs, targets), axis=-1)))


@ieee_arithmetic
def forward(network: Network, inputs: ArrayLike, targets: ArrayLike | None = None) -> ForwardTrace:
    """The forward pass: ``net = a_prev · Wᵀ + b``, ``out = f(net)`` layer by layer, then ``E_o``.

    Args:
        network: the network.
        inputs: ``(B, n_inputs)``, or one sample as a 1-D list.
        targets: ``(B, n_outputs)`` (or one sample's); without them the trace has no errors.
    """
    x, target = batch_arrays(network, inputs, targets)
    return _forward(network, x, target, network_names(network))


def batch_arrays(network: Network, inputs: ArrayLike, targets: ArrayLike | None) -> tuple[Array, Array | None]:
    """``inputs`` as ``(B, n_inputs)`` and ``targets`` as ``(B, n_outputs)``, checked against ``network``.

    Raises ``StepgradError`` for a wrong shape, a sample count that differs, values that are
    not finite, or targets the loss cannot take (see ``stepgrad.network.model.target_problem``).
    """
    x = _matrix(inputs, "inputs", network.n_inputs, "input")
    if targets is None:
        return x, None
    target = _matrix(targets, "targets", network.n_outputs, "output")
    if target.shape[0] != x.shape[0]:
        raise StepgradError(
            f"{quantity(x.shape[0], 'input row')} but {quantity(target.shape[0], 'target row')}: "
            "give one row of targets per sample"
        )
    problem = target_problem(network.loss, target)
    if problem is not None:
        raise StepgradError(problem, location="targets")
    return x, target


def _matrix(values: ArrayLike, what: str, columns: int, noun: str) -> Array:
    try:
        array = np.array(values, dtype=np.float64, ndmin=2)
    except (TypeError, ValueError) as error:
        raise StepgradError(f"{what} must be numbers in rows of {columns}: {error}") from None
    if array.ndim != 2 or array.shape[1] != columns:
        raise StepgradError(
            f"{what} have shape {array.shape}; the network has {quantity(columns, noun)}, so give "
            f"rows of {columns} (one row per sample)"
        )
    if not np.all(np.isfinite(array)):
        raise StepgradError(f"{what} must be finite numbers, got {array[~np.isfinite(array)][0]}")
    return array


def _forward(network: Network, x: Array, target: Array | None, names: Names) -> ForwardTrace:
    layers = tuple(layer_outputs(network, x))
    terms = None
    if target is not None:
        terms = error_terms(
            target, layers[-1], get_activation(network.layers[-1].activation), get_loss(network.loss, network.reduction)
        )
    return ForwardTrace(network=network, names=names, inputs=x, targets=target, layers=layers, error_terms=terms)


@ieee_arithmetic
def backward(forward_trace: ForwardTrace) -> BackwardTrace:
    """The backward pass: every layer's chain-rule factors, delta and gradients (batch means, or sums
    for a network with ``reduction = "sum"``).

    Output layer: ``delta_o = dE/dout_o · dout_o/dnet_o``; hidden layers:
    ``delta_h = (Σ_o delta_o · w_oh) · dout_h/dnet_h`` with the original weights ``w_oh``.
    """
    return BackwardTrace(forward=forward_trace, gradients=_backward_layers(forward_trace, learning_rate=None))


def _backward_layers(forward_trace: ForwardTrace, learning_rate: float | None) -> tuple[LayerBackward, ...]:
    """Each layer's backward values, output layer first in the computation.

    ``learning_rate`` None backpropagates through the original weights (correct); a number
    backpropagates through ``w − η·dE/dw`` of the layer above (the classic mistake).
    """
    network = forward_trace.network
    target = required(forward_trace.targets)
    loss = get_loss(network.loss, network.reduction)
    reduction = get_reduction(network.reduction)
    count = len(network.layers)
    gradients: list[LayerBackward | None] = [None] * count
    delta_next: Array | None = None
    weights_next: Array | None = None
    for index in reversed(range(count)):
        layer, result = network.layers[index], forward_trace.layers[index]
        activation = get_activation(layer.activation)
        a_prev = forward_trace.a_prev(index)
        contributions = None
        if delta_next is None:
            factors = output_delta(target, result, activation, loss)
            dE_dout, dout_dnet, delta = factors.dE_dout, factors.dout_dnet, factors.delta
        else:
            assert weights_next is not None
            contributions = hidden_contributions(delta_next, weights_next)  # (B, n_next, n_out)
            dE_dout = np.sum(contributions, axis=-2)
            dout_dnet = activation.derivative(result.net, result.out)
            delta = backprop_through_activation(dE_dout, result, activation, dout_dnet)
        grad_w_per_sample = delta[:, :, None] * a_prev[:, None, :]  # (B, n_out, n_in)
        grad_b_per_sample = bias_gradient(delta[:, None, :], layer.bias.size)  # (B, n_bias)
        gradients[index] = LayerBackward(
            dE_dout=dE_dout,
            dout_dnet=dout_dnet,
            contributions=contributions,
            weights_next=weights_next,
            delta=delta,
            grad_w_per_sample=grad_w_per_sample,
            grad_b_per_sample=grad_b_per_sample,
            grad_w=reduction.combine(grad_w_per_sample, axis=0),  # dE/dW: the batch mean, or sum
            grad_b=reduction.combine(grad_b_per_sample, axis=0),
        )
        delta_next = delta
        weights_next = layer.weights
        if learning_rate is not None:
            weights_next = sgd_step(layer.weights, gradients[index].grad_w, learning_rate)  # type: ignore[union-attr]
    return tuple(gradient for gradient in gradients if gradient is not None)


@ieee_arithmetic
def update(
    backward_trace: BackwardTrace,
    learning_rate: float,
    hidden_deltas_from: HiddenDeltasFrom = "original",
    regularization: Regularization = NO_REGULARIZATION,
) -> Trace:
    """The update ``w+ = w − η·dE/dw`` (and ``b+`` for trained biases), then the forward pass again.

    Args:
        backward_trace: the forward and backward passes of the step.
        learning_rate: ``η``.
        hidden_deltas_from: ``original`` (correct) or ``updated``: the classic mistake, which
            backpropagates each hidden layer's deltas through the already-updated weights above it.
        regularization: ``λ₁``, ``λ₂``: each weight's step adds ``dE_reg/dw = λ₁·sign(w) + λ₂·w``.

    Returns:
        The whole step's trace, with ``after``: the updated network's forward pass on the same batch.
    """
    _check_learning_rate(learning_rate)
    if hidden_deltas_from == "updated":
        backward_trace = _mistaken_backward(backward_trace.forward, learning_rate)
    return _apply_update(backward_trace, learning_rate, hidden_deltas_from, regularization)


def _check_learning_rate(learning_rate: float) -> None:
    if not (np.isfinite(learning_rate) and learning_rate >= 0):
        raise StepgradError(f"the learning rate must be a finite number ≥ 0, got {learning_rate}")


def _mistaken_backward(forward_trace: ForwardTrace, learning_rate: float) -> BackwardTrace:
    """The backward pass of the classic mistake: each layer's deltas through the updated weights above it."""
    return BackwardTrace(forward=forward_trace, gradients=_backward_layers(forward_trace, learning_rate))


def _apply_update(
    backward_trace: BackwardTrace,
    learning_rate: float,
    hidden_deltas_from: HiddenDeltasFrom,
    regularization: Regularization = NO_REGULARIZATION,
) -> Trace:
    """``w+``, ``b+`` from the gradients of ``backward_trace``, and the updated network's forward pass."""
    before = backward_trace.forward
    network = before.network
    l1, l2 = regularization.l1, regularization.l2
    layers = []
    for index, (layer, result, gradient) in enumerate(
        zip(network.layers, before.layers, backward_trace.gradients, strict=True)
    ):
        bias_new = sgd_step(layer.bias, gradient.grad_b, learning_rate) if layer.trains_bias else layer.bias.copy()
        penalty_w = penalty_gradient(layer.weights, l1, l2) if regularization else None
        step_w = gradient.grad_w if penalty_w is None else gradient.grad_w + penalty_w  # dE/dw + dE_reg/dw
        layers.append(
            LayerTrace(
                a_prev=before.a_prev(index),
                net=result.net,
                out=result.out,
                dout_dnet=gradient.dout_dnet,
                dE_dout=gradient.dE_dout,
                contributions=gradient.contributions,
                weights_next=gradient.weights_next,
                delta=gradient.delta,
                grad_w_per_sample=gradient.grad_w_per_sample,
                grad_b_per_sample=gradient.grad_b_per_sample,
                grad_w=gradient.grad_w,
                grad_b=gradient.grad_b,
                weights_new=sgd_step(layer.weights, step_w, learning_rate),
                bias_new=bias_new,
                penalty_w=penalty_w,
            )
        )
    network_new = network.with_parameters([t.weights_new for t in layers], [t.bias_new for t in layers])
    return Trace(
        backward=backward_trace,
        learning_rate=float(learning_rate),
        hidden_deltas_from=hidden_deltas_from,
        layers=tuple(layers),
        network_new=network_new,
        after=_forward(network_new, before.inputs, before.targets, before.names),
        regularization=regularization,
        penalty=penalty([layer.weights for layer in network.layers], l1, l2),
    )


@ieee_arithmetic
def train_step(
    network: Network,
    inputs: ArrayLike,
    targets: ArrayLike,
    learning_rate: float,
    hidden_deltas_from: HiddenDeltasFrom = "original",
    regularization: Regularization = NO_REGULARIZATION,
) -> Trace:
    """One gradient-descent step on a batch, with every intermediate value recorded.

    ``update(backward(forward(network, inputs, targets)), learning_rate, hidden_deltas_from)``.

    Args:
        network: the network before the step.
        inputs: ``(B, n_inputs)``, or one sample as a 1-D list.
        targets: ``(B, n_outputs)``, or one sample's targets.
        learning_rate: ``η`` in ``w+ = w − η·dE/dw``.
        hidden_deltas_from: ``original`` (correct) or ``updated`` (the classic mistake).
        regularization: ``λ₁``, ``λ₂`` of L1/L2 regularization of the weights (none by default).

    Returns:
        The trace; gradients are batch means, so a batch of one is the classic update.
    """
    _check_learning_rate(learning_rate)
    forward_trace = forward(network, inputs, targets)
    if hidden_deltas_from == "updated":  # skip the correct backward pass that update() would replace
        return _apply_update(
            _mistaken_backward(forward_trace, learning_rate), learning_rate, hidden_deltas_from, regularization
        )
    return update(backward(forward_trace), learning_rate, regularization=regularization)
