"""Loss and gradients of a batch, from the array functions of ``stepgrad.core.propagation``.

No math is repeated here: this module only strings the core's per-layer functions together
for the hot loop (no ``Trace`` is built; traces are for explaining one step).

Gradients over a batch are **averaged**: ``dE/dW = (1/B) Σ_samples delta_sᵀ a_prev,s``, so a batch
of one sample is exactly the classic online update, and the learning rate means the same
thing for any batch size. The loss reported is the batch mean of ``E_total = Σ_o E_o``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from stepgrad.core.propagation import (
    LayerForward,
    backprop_through_activation,
    bias_gradient,
    bias_vector,
    error_terms,
    hidden_dE_dout,
    layer_forward,
    output_delta,
    weight_gradient,
)
from stepgrad.functions import REDUCTIONS, Activation, Loss, Reduction, get_activation, get_loss
from stepgrad.network.model import Network
from stepgrad.training.params import Params

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Functions:
    """The activations (per layer), the loss a network is trained with and how a batch combines it."""

    activations: tuple[Activation, ...]
    loss: Loss
    reduction: Reduction = REDUCTIONS["mean"]

    @classmethod
    def of(cls, network: Network) -> Functions:
        """Look up a network's activations, loss and reduction by name."""
        activations = tuple(get_activation(layer.activation) for layer in network.layers)
        return cls(activations, get_loss(network.loss, network.reduction), REDUCTIONS[network.reduction])

    @property
    def activation_names(self) -> list[str]:
        """Each layer's activation by registry name (what the compiled kernels are chosen by)."""
        return [activation.name for activation in self.activations]


def forward(params: Params, functions: Functions, x: Array) -> list[LayerForward]:
    """``net`` and ``out`` of every layer, each ``(..., B, n_out)``; ``x`` is ``(..., B, n_in)``."""
    layers = []
    a_prev = x
    for weights, bias, activation in zip(params.weights, params.biases, functions.activations, strict=True):
        result = layer_forward(a_prev, weights, bias_vector(bias, weights.shape[-2]), activation)
        layers.append(result)
        a_prev = result.out
    return layers


def sample_losses(params: Params, functions: Functions, x: Array, target: Array) -> Array:
    """``E_total`` of each sample, ``(..., B)``."""
    return e_total(forward(params, functions, x)[-1], functions, target)


def e_total(output: LayerForward, functions: Functions, target: Array) -> Array:
    """``E_total = Σ_o E_o`` of each sample, ``(..., B)``, from the output layer's forward pass."""
    return np.sum(error_terms(target, output, functions.activations[-1], functions.loss), axis=-1)


@dataclass(frozen=True)
class BatchGradients:
    """The result of one backward pass.

    Attributes:
        loss: batch mean of ``E_total``, ``(...)`` (a float array of shape ``()`` or ``(N,)``).
        grads: ``dE/dW`` and ``dE/db`` in the layout of ``Params``.
        output: the output layer's ``out``, ``(..., B, n_outputs)``.
        losses: ``E_total`` of each sample, ``(..., B)``.
    """

    loss: Array
    grads: Params
    output: Array
    losses: Array


def batch_gradients(params: Params, functions: Functions, x: Array, target: Array) -> BatchGradients:
    """Forward pass, ``E_total``, and the batch-mean gradients with the original weights (the batch sums,
    ``B`` times the means, for ``reduction = "sum"``).

    Args:
        params: weights ``(..., n_out, n_in)`` and biases ``(..., n_bias)``.
        functions: activations and loss.
        x: ``(..., B, n_inputs)``.
        target: ``(..., B, n_outputs)``.
    """
    forwards = forward(params, functions, x)
    count = len(forwards)
    grads_w: list[Array] = [np.empty(0)] * count
    grads_b: list[Array] = [np.empty(0)] * count
    delta = output_delta(target, forwards[-1], functions.activations[-1], functions.loss).delta  # (..., B, n_out)
    factor = functions.reduction.factor(x.shape[-2])  # 1 for the mean, B for the sum
    for index in reversed(range(count)):
        a_prev = x if index == 0 else forwards[index - 1].out
        if index < count - 1:
            # delta_h = (Σ_k delta_k · w_kh) · dout_h/dnet_h, through the ORIGINAL next-layer weights.
            result, activation = forwards[index], functions.activations[index]
            dE_dout = hidden_dE_dout(delta, params.weights[index + 1])
            delta = backprop_through_activation(
                dE_dout, result, activation, activation.derivative(result.net, result.out)
            )
        grads_w[index] = weight_gradient(delta, a_prev)  # (..., n_out, n_in)
        grads_b[index] = bias_gradient(delta, params.biases[index].shape[-1])  # (..., n_bias)
        if factor != 1.0:
            grads_w[index], grads_b[index] = factor * grads_w[index], factor * grads_b[index]
    losses = e_total(forwards[-1], functions, target)  # (..., B)
    return BatchGradients(
        loss=functions.reduction.combine(losses),
        grads=Params(weights=tuple(grads_w), biases=tuple(grads_b)),
        output=forwards[-1].out,
        losses=losses,
    )
