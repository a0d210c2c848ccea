"""Forward pass, backward pass and update of a ``Network``, recorded as a ``Trace``.

The update always uses the original weights for every gradient: the hidden
deltas are computed with the output weights as they were before the step.
``hidden_deltas_from="updated"`` reproduces the classic mistake on purpose (each
layer is updated first and the layer below backpropagates through the new
weights), which is how the published summary's errata arose.
"""

from __future__ import annotations

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
    sgd_step,
)
from stepgrad.core.trace import HiddenDeltasFrom, LayerTrace, Trace
from stepgrad.functions import get_activation, get_loss
from stepgrad.network.model import Network
from stepgrad.network.naming import network_names

Array = NDArray[np.float64]


def forward(network: Network, inputs: ArrayLike) -> list[LayerForward]:
    """``net`` and ``out`` of every layer for ``inputs`` ``(B, n_inputs)`` (a 1-D input is one sample)."""
    a_prev = np.array(inputs, dtype=np.float64, ndmin=2)
    layers = []
    for layer in network.layers:
        result = layer_forward(a_prev, layer.weights, layer.bias_vector, get_activation(layer.activation))
        layers.append(result)
        a_prev = result.out
    return layers


def predict(network: Network, inputs: ArrayLike) -> Array:
    """The network's outputs ``(B, n_outputs)``."""
    return forward(network, inputs)[-1].out


def errors(network: Network, inputs: ArrayLike, targets: ArrayLike) -> Array:
    """``E_o`` of each sample and output, ``(B, n_outputs)``."""
    output = forward(network, inputs)[-1]
    target = np.array(targets, dtype=np.float64, ndmin=2)
    return error_terms(target, output, get_activation(network.layers[-1].activation), get_loss(network.loss))


def total_error(network: Network, inputs: ArrayLike, targets: ArrayLike) -> float:
    """The batch mean of ``E_total = Σ_o E_o``."""
    return float(np.mean(np.sum(errors(network, inputs, targets), axis=-1)))


def train_step(
    network: Network,
    inputs: ArrayLike,
    targets: ArrayLike,
    learning_rate: float,
    hidden_deltas_from: HiddenDeltasFrom = "original",
) -> Trace:
    """One gradient-descent step on a batch, with every intermediate value recorded.

    Args:
        network: the network before the step.
        inputs: ``(B, n_inputs)``, or one sample as a 1-D list.
        targets: ``(B, n_outputs)``, or one sample's targets.
        learning_rate: ``η`` in ``w+ = w − η·dE/dw``.
        hidden_deltas_from: ``original`` (correct) or ``updated`` (the classic mistake).

    Returns:
        The trace; gradients are batch means, so a batch of one is the classic update.
    """
    x = np.array(inputs, dtype=np.float64, ndmin=2)
    target = np.array(targets, dtype=np.float64, ndmin=2)
    loss = get_loss(network.loss)
    activations = [get_activation(layer.activation) for layer in network.layers]
    forwards = forward(network, x)
    terms = error_terms(target, forwards[-1], activations[-1], loss)

    count = len(network.layers)
    layer_traces: list[LayerTrace | None] = [None] * count
    delta_next: Array | None = None
    weights_next: Array | None = None
    for index in reversed(range(count)):
        layer, activation, result = network.layers[index], activations[index], forwards[index]
        a_prev = x if index == 0 else forwards[index - 1].out
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
        grad_w = np.mean(grad_w_per_sample, axis=0)
        grad_b = np.mean(grad_b_per_sample, axis=0)
        weights_new = sgd_step(layer.weights, grad_w, learning_rate)
        bias_new = sgd_step(layer.bias, grad_b, learning_rate) if layer.trains_bias else layer.bias.copy()
        layer_traces[index] = LayerTrace(
            a_prev=a_prev,
            net=result.net,
            out=result.out,
            dout_dnet=dout_dnet,
            dE_dout=dE_dout,
            contributions=contributions,
            weights_next=weights_next,
            delta=delta,
            grad_w_per_sample=grad_w_per_sample,
            grad_b_per_sample=grad_b_per_sample,
            grad_w=grad_w,
            grad_b=grad_b,
            weights_new=weights_new,
            bias_new=bias_new,
        )
        delta_next = delta
        weights_next = weights_new if hidden_deltas_from == "updated" else layer.weights

    traces = tuple(trace for trace in layer_traces if trace is not None)
    network_new = network.with_parameters([t.weights_new for t in traces], [t.bias_new for t in traces])
    output_new = forward(network_new, x)[-1]
    terms_new = error_terms(target, output_new, activations[-1], loss)
    return Trace(
        network=network,
        network_new=network_new,
        names=network_names(network),
        inputs=x,
        targets=target,
        learning_rate=float(learning_rate),
        hidden_deltas_from=hidden_deltas_from,
        layers=traces,
        error_terms=terms,
        error_total=np.sum(terms, axis=-1),
        loss=float(np.mean(np.sum(terms, axis=-1))),
        out_new=output_new.out,
        error_terms_new=terms_new,
        error_total_new=np.sum(terms_new, axis=-1),
        loss_new=float(np.mean(np.sum(terms_new, axis=-1))),
    )
