"""The record of one training step, in three stages: forward, backward, update.

Each stage is a frozen dataclass that holds the stage before it, so a later
stage has every number of the earlier ones:

* ``ForwardTrace``: ``net`` and ``out`` of every layer, and the errors when targets are given;
* ``BackwardTrace``: the chain-rule factors, the deltas and the gradients;
* ``Trace``: the update (``w+``, ``b+``) and the forward pass of the updated network.

A trace is data. Everything that shows or checks a step (derivations,
renderers, answer checking, the web page) reads it and computes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from stepgrad.core.propagation import LayerForward
from stepgrad.functions.losses import get_reduction
from stepgrad.network.model import NO_REGULARIZATION, Network, Regularization
from stepgrad.network.naming import Names

Array = NDArray[np.float64]
HiddenDeltasFrom = Literal["original", "updated"]


def required(array: Array | None) -> Array:
    """``array``, which is None only when a forward pass ran without targets."""
    if array is None:
        raise ValueError("the forward pass ran without targets: it has no errors and no gradients")
    return array


@dataclass(frozen=True)
class ForwardTrace:
    """The forward pass of a batch: every layer's ``net`` and ``out``, and the errors.

    Attributes:
        network: the network the pass ran through.
        names: the names of its inputs, neurons, weights and biases.
        inputs: ``(B, n_inputs)``.
        targets: ``(B, n_outputs)``, or None when the pass ran without targets.
        layers: one ``LayerForward`` (``net``, ``out``, each ``(B, n_out)``) per layer, first hidden first.
        error_terms: ``(B, n_outputs)`` ``E_o1, E_o2, …`` of each sample (None without targets).
    """

    network: Network
    names: Names
    inputs: Array
    targets: Array | None
    layers: tuple[LayerForward, ...]
    error_terms: Array | None

    @property
    def batch_size(self) -> int:
        """Number of samples."""
        return int(self.inputs.shape[0])

    def a_prev(self, layer: int) -> Array:
        """``(B, n_in)`` what feeds ``layer``: the inputs, or the previous layer's ``out``."""
        return self.inputs if layer == 0 else self.layers[layer - 1].out

    @property
    def out(self) -> Array:
        """The network's outputs ``(B, n_outputs)``."""
        return self.layers[-1].out

    @property
    def error_total(self) -> Array:
        """``(B,)`` ``E_total = Σ_o E_o`` of each sample."""
        return np.sum(required(self.error_terms), axis=-1)

    @property
    def loss(self) -> float:
        """The batch's ``E``: the mean of ``E_total`` (the sum for a network with ``reduction = "sum"``)."""
        return float(get_reduction(self.network.reduction).combine(self.error_total))

    def values(self, sample: int = 0) -> dict[str, float]:
        """The named values of the forward pass (``net_h1``, ``out_o1``, ``E_total`` …) of ``sample``."""
        from stepgrad.core.named_values import forward_values

        return forward_values(self, sample)


@dataclass(frozen=True)
class LayerBackward:
    """One layer's backward values for a batch of ``B`` samples.

    Attributes:
        dE_dout: ``(B, n_out)`` ``dE_total/dout``.
        dout_dnet: ``(B, n_out)`` ``dout/dnet`` (softmax: the Jacobian's diagonal).
        contributions: ``(B, n_next, n_out)`` ``dE_k/dout_j = delta_k · w_kj`` for a hidden
            layer, one entry per neuron k of the next layer; None for the output layer.
        weights_next: ``(n_next, n_out)`` the next layer's weights the contributions used
            (the original ones, unless the trace reproduces the updated-weights mistake).
        delta: ``(B, n_out)`` ``dE_total/dnet``.
        grad_w_per_sample: ``(B, n_out, n_in)`` ``dE_total/dw`` of each sample.
        grad_b_per_sample: ``(B, n_bias)`` ``dE_total/db`` of each sample.
        grad_w: ``(n_out, n_in)`` the batch mean of ``grad_w_per_sample``.
        grad_b: ``(n_bias,)`` the batch mean of ``grad_b_per_sample``.
    """

    dE_dout: Array
    dout_dnet: Array
    contributions: Array | None
    weights_next: Array | None
    delta: Array
    grad_w_per_sample: Array
    grad_b_per_sample: Array
    grad_w: Array
    grad_b: Array


@dataclass(frozen=True)
class BackwardTrace:
    """The forward pass and the backward pass of a batch: deltas and gradients of every layer.

    Attributes:
        forward: the forward stage (with targets).
        gradients: one ``LayerBackward`` per layer, first hidden layer first.
    """

    forward: ForwardTrace
    gradients: tuple[LayerBackward, ...]

    @property
    def network(self) -> Network:
        """The network the gradients are of."""
        return self.forward.network

    def values(self, sample: int = 0) -> dict[str, float]:
        """The named values so far (forward pass, chain-rule factors, deltas, gradients) of ``sample``."""
        from stepgrad.core.named_values import backward_values

        return backward_values(self, sample)


@dataclass(frozen=True)
class LayerTrace:
    """One layer's numbers of a whole step: forward, backward and update, for ``B`` samples.

    Attributes:
        a_prev: ``(B, n_in)`` the layer's inputs (the previous layer's ``out``).
        net: ``(B, n_out)`` net inputs.
        out: ``(B, n_out)`` outputs.
        dout_dnet: ``(B, n_out)`` ``dout/dnet`` (softmax: the Jacobian's diagonal).
        dE_dout: ``(B, n_out)`` ``dE_total/dout``.
        contributions: ``(B, n_next, n_out)`` ``dE_k/dout_j = delta_k · w_kj``; None for the output layer.
        weights_next: ``(n_next, n_out)`` the next layer's weights the contributions used.
        delta: ``(B, n_out)`` ``dE_total/dnet``.
        grad_w_per_sample: ``(B, n_out, n_in)`` ``dE_total/dw`` of each sample.
        grad_b_per_sample: ``(B, n_bias)`` ``dE_total/db`` of each sample.
        grad_w: ``(n_out, n_in)`` the batch mean of ``grad_w_per_sample``.
        grad_b: ``(n_bias,)`` the batch mean of ``grad_b_per_sample``.
        weights_new: ``(n_out, n_in)`` ``w+ = w − η·grad_w`` (regularized: ``w − η·(grad_w + penalty_w)``).
        bias_new: ``(n_bias,)`` ``b+`` (equal to ``b`` when the bias is frozen).
        penalty_w: ``(n_out, n_in)`` ``dE_reg/dw = λ₁·sign(w) + λ₂·w``; None without regularization.
    """

    a_prev: Array
    net: Array
    out: Array
    dout_dnet: Array
    dE_dout: Array
    contributions: Array | None
    weights_next: Array | None
    delta: Array
    grad_w_per_sample: Array
    grad_b_per_sample: Array
    grad_w: Array
    grad_b: Array
    weights_new: Array
    bias_new: Array
    penalty_w: Array | None = None


@dataclass(frozen=True)
class Trace:
    """Forward pass, backward pass and update of one step, for a batch of samples.

    Attributes:
        backward: the forward and backward stages, with the gradients the update used.
        learning_rate: ``η``.
        hidden_deltas_from: ``original`` (correct) or ``updated`` (the classic mistake).
        layers: one ``LayerTrace`` per layer, first hidden layer first: every number of the
            layer in one place (forward, backward and update).
        network_new: the network after the update.
        after: the forward pass of ``network_new`` on the same batch (``net_h1+``, ``E_total+`` …).
        regularization: ``λ₁``, ``λ₂`` of the step (none by default).
        penalty: ``E_reg = λ₁·Σ|w| + ½·λ₂·Σw²`` of the weights before the step (0 without regularization).
    """

    backward: BackwardTrace
    learning_rate: float
    hidden_deltas_from: HiddenDeltasFrom
    layers: tuple[LayerTrace, ...]
    network_new: Network
    after: ForwardTrace
    regularization: Regularization = NO_REGULARIZATION
    penalty: float = 0.0

    @property
    def forward(self) -> ForwardTrace:
        """The forward stage (before the update)."""
        return self.backward.forward

    @property
    def network(self) -> Network:
        """The network before the update."""
        return self.forward.network

    @property
    def names(self) -> Names:
        """The names of the network's inputs, neurons, weights and biases."""
        return self.forward.names

    @property
    def inputs(self) -> Array:
        """``(B, n_inputs)``."""
        return self.forward.inputs

    @property
    def targets(self) -> Array:
        """``(B, n_outputs)``."""
        return required(self.forward.targets)

    @property
    def error_terms(self) -> Array:
        """``(B, n_outputs)`` ``E_o1, E_o2, …`` of each sample."""
        return required(self.forward.error_terms)

    @property
    def error_total(self) -> Array:
        """``(B,)`` ``E_total`` of each sample."""
        return self.forward.error_total

    @property
    def loss(self) -> float:
        """The batch mean of ``E_total``."""
        return self.forward.loss

    @property
    def batch_size(self) -> int:
        """Number of samples in the step."""
        return self.forward.batch_size

    @property
    def output(self) -> LayerTrace:
        """The output layer's trace."""
        return self.layers[-1]

    @property
    def out_new(self) -> Array:
        """``(B, n_outputs)`` outputs of the updated network."""
        return self.after.out

    @property
    def error_terms_new(self) -> Array:
        """``(B, n_outputs)`` ``E_o+`` after the update."""
        return required(self.after.error_terms)

    @property
    def error_total_new(self) -> Array:
        """``(B,)`` ``E_total+`` after the update."""
        return self.after.error_total

    @property
    def loss_new(self) -> float:
        """The batch mean of ``error_total_new``."""
        return self.after.loss

    def values(self, sample: int = 0) -> dict[str, float]:
        """Every named value of ``sample`` (see ``stepgrad.core.named_values``)."""
        from stepgrad.core.named_values import named_values

        return named_values(self, sample)
