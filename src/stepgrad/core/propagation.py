"""The math of backpropagation on plain arrays, once.

Shapes use ``B`` for the batch of samples and ``n_in``/``n_out`` for a layer's
inputs and neurons. Every array may carry extra leading axes (``...``): an
ensemble of independent networks stacks its weights as ``(N, n_out, n_in)`` and
the same functions train all of them at once.

Forward, per layer:    ``net = a_prev · Wᵀ + b``,  ``out = f(net)``.
Output layer delta:    ``delta_o = dE/dout_o · dout_o/dnet_o``
                       (``= out − target`` for the paired losses).
Hidden layer delta:    ``delta_h = (Σ_o delta_o · w_oh) · dout_h/dnet_h``.
Gradients (batch mean):``dE/dW = deltaᵀ · a_prev / B``,  ``dE/db = Σ_B delta / B``
                       (summed over the layer's neurons when the bias is shared).
Update:                ``w+ = w − η · dE/dw``  (regularized: ``w+ = w − η·(dE/dw + dE_reg/dw)``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from stepgrad.functions import Activation, Loss

Array = NDArray[np.float64]


@dataclass(frozen=True)
class LayerForward:
    """One layer's forward values: ``net`` and ``out``, each ``(..., B, n_out)``."""

    net: Array
    out: Array


def layer_forward(a_prev: Array, weights: Array, bias_vector: Array, activation: Activation) -> LayerForward:
    """``net = a_prev · Wᵀ + b``, ``out = f(net)``.

    Args:
        a_prev: ``(..., B, n_in)`` the layer's inputs.
        weights: ``(..., n_out, n_in)``.
        bias_vector: ``(..., n_out)`` the bias each neuron adds.
        activation: the layer's activation.
    """
    net = a_prev @ np.swapaxes(weights, -1, -2) + bias_vector[..., None, :]  # (..., B, n_out)
    return LayerForward(net=net, out=activation.value(net))


def error_terms(target: Array, output: LayerForward, activation: Activation, loss: Loss) -> Array:
    """``E_k`` per sample and output, ``(..., B, n_out)``; from ``net`` when the pair has a stable form."""
    paired = loss.paired.get(activation.name)
    if paired is not None:
        return paired.terms_from_net(target, output.net)
    return loss.terms(target, output.out)


@dataclass(frozen=True)
class OutputDelta:
    """The output layer's chain-rule factors, each ``(..., B, n_out)``.

    Attributes:
        dE_dout: ``dE_total/dout_o``.
        dout_dnet: ``dout_o/dnet_o`` (the Jacobian's diagonal for softmax).
        delta: ``dE_total/dnet_o``.
    """

    dE_dout: Array
    dout_dnet: Array
    delta: Array


def output_delta(target: Array, output: LayerForward, activation: Activation, loss: Loss) -> OutputDelta:
    """``delta_o = dE/dout_o · dout_o/dnet_o``; ``out − target`` for the paired losses."""
    dE_dout = loss.gradient(target, output.out)
    dout_dnet = activation.derivative(output.net, output.out)
    if activation.name in loss.paired:
        # σ with binary cross-entropy, softmax with cross-entropy: the factors cancel to out − t,
        # which stays exact where the separate factors would be 0·∞ at saturation.
        delta = output.out - target
    else:
        delta = backprop_through_activation(dE_dout, output, activation, dout_dnet)
    return OutputDelta(dE_dout=dE_dout, dout_dnet=dout_dnet, delta=delta)


def backprop_through_activation(
    dE_dout: Array, forward: LayerForward, activation: Activation, dout_dnet: Array
) -> Array:
    """``delta = dE/dout · dout/dnet``; for softmax the Jacobian: ``out_k(g_k − Σ_j g_j out_j)``."""
    if activation.elementwise:
        return dE_dout * dout_dnet
    out = forward.out
    return out * (dE_dout - np.sum(dE_dout * out, axis=-1, keepdims=True))


def hidden_contributions(delta_next: Array, weights_next: Array) -> Array:
    """``dE_k/dout_j = delta_k · w_kj``: what each neuron k of the next layer sends back to j.

    Returns ``(..., B, n_next, n_out)``.
    """
    return delta_next[..., :, None] * weights_next[..., None, :, :]


def hidden_dE_dout(delta_next: Array, weights_next: Array) -> Array:
    """``dE_total/dout_j = Σ_k delta_k · w_kj``, ``(..., B, n_out)``, without the per-edge array."""
    return delta_next @ weights_next


def weight_gradient(delta: Array, a_prev: Array) -> Array:
    """``dE/dW = deltaᵀ · a_prev / B``, the batch mean, ``(..., n_out, n_in)``."""
    batch = delta.shape[-2]
    return np.swapaxes(delta, -1, -2) @ a_prev / batch


def bias_gradient(delta: Array, n_bias: int) -> Array:
    """``dE/db``, the batch mean: per neuron ``(..., n_out)``, shared ``(..., 1)``, none ``(..., 0)``."""
    per_neuron = np.mean(delta, axis=-2)  # (..., n_out)
    if n_bias == 0:
        return per_neuron[..., :0]
    if n_bias == 1 and per_neuron.shape[-1] != 1:
        # A shared bias feeds every neuron of the layer: its gradient sums their deltas.
        return np.sum(per_neuron, axis=-1, keepdims=True)
    return per_neuron


def bias_vector(bias: Array, n_out: int) -> Array:
    """The bias each neuron adds, ``(..., n_out)``, from the parameters ``(..., n_bias)``."""
    if bias.shape[-1] == 0:
        return np.zeros((*bias.shape[:-1], n_out))
    return np.broadcast_to(bias, (*bias.shape[:-1], n_out))


def penalty_gradient(weights: Array, l1: float, l2: float) -> Array:
    """``dE_reg/dw = λ₁·sign(w) + λ₂·w``, the gradient of ``E_reg = λ₁·Σ|w| + ½·λ₂·Σw²`` (``sign(0) = 0``).

    A term is added only when its ``λ`` is not 0 (an L2-only gradient is ``λ₂·w`` bit for bit)."""
    term = np.zeros_like(weights)
    if l2:
        term = l2 * weights
    if l1:
        term = term + l1 * np.sign(weights)
    return term


def penalty(weights: Sequence[Array], l1: float, l2: float) -> float:
    """``E_reg = λ₁·Σ|w| + ½·λ₂·Σw²`` over every weight matrix (biases are not regularized)."""
    return float(sum(l1 * np.sum(np.abs(w)) + 0.5 * l2 * np.sum(w * w) for w in weights))


def sgd_step(parameter: Array, gradient: Array, learning_rate: float | Array) -> Array:
    """``p+ = p − η · dE/dp``."""
    return parameter - learning_rate * gradient
