"""The record of one training step: every number of forward, backward and update.

A ``Trace`` is data. Everything that shows or checks a step (derivations,
renderers, answer checking, the web page) reads it and computes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from stepgrad.network.model import Network
from stepgrad.network.naming import Names

Array = NDArray[np.float64]
HiddenDeltasFrom = Literal["original", "updated"]


@dataclass(frozen=True)
class LayerTrace:
    """One layer's numbers for a batch of ``B`` samples.

    Attributes:
        a_prev: ``(B, n_in)`` the layer's inputs (the previous layer's ``out``).
        net: ``(B, n_out)`` net inputs.
        out: ``(B, n_out)`` outputs.
        dout_dnet: ``(B, n_out)`` ``dout/dnet`` (softmax: the Jacobian's diagonal).
        dE_dout: ``(B, n_out)`` ``dE_total/dout``.
        contributions: ``(B, n_next, n_out)`` ``dE_k/dout_j = delta_k · w_kj`` for a hidden
            layer, one entry per neuron k of the next layer; None for the output layer.
        weights_next: ``(n_next, n_out)`` the next layer's weights the contributions used
            (the original ones, unless the trace reproduces the updated-weights mistake).
        delta: ``(B, n_out)`` ``dE_total/dnet``.
        grad_w_per_sample: ``(B, n_out, n_in)`` ``dE_total/dw`` of each sample.
        grad_b_per_sample: ``(B, n_bias)`` ``dE_total/db`` of each sample.
        grad_w: ``(n_out, n_in)`` the batch mean of ``grad_w_per_sample``.
        grad_b: ``(n_bias,)`` the batch mean of ``grad_b_per_sample``.
        weights_new: ``(n_out, n_in)`` ``w+ = w − η·grad_w``.
        bias_new: ``(n_bias,)`` ``b+`` (equal to ``b`` when the bias is frozen).
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


@dataclass(frozen=True)
class Trace:
    """Forward pass, backward pass and update of one step, for a batch of samples.

    Attributes:
        network: the network before the update.
        network_new: the network after the update.
        names: the names of the network's inputs, neurons, weights and biases.
        inputs: ``(B, n_inputs)``.
        targets: ``(B, n_outputs)``.
        learning_rate: ``η``.
        hidden_deltas_from: ``original`` (correct) or ``updated`` (the classic mistake).
        layers: one ``LayerTrace`` per layer, first hidden layer first.
        error_terms: ``(B, n_outputs)`` ``E_o1, E_o2, …`` of each sample.
        error_total: ``(B,)`` ``E_total`` of each sample.
        loss: the batch mean of ``error_total``.
        out_new: ``(B, n_outputs)`` outputs of the updated network.
        error_terms_new: ``(B, n_outputs)`` ``E_o+`` after the update.
        error_total_new: ``(B,)`` ``E_total+`` after the update.
        loss_new: the batch mean of ``error_total_new``.
    """

    network: Network
    network_new: Network
    names: Names
    inputs: Array
    targets: Array
    learning_rate: float
    hidden_deltas_from: HiddenDeltasFrom
    layers: tuple[LayerTrace, ...]
    error_terms: Array
    error_total: Array
    loss: float
    out_new: Array
    error_terms_new: Array
    error_total_new: Array
    loss_new: float

    @property
    def batch_size(self) -> int:
        """Number of samples in the step."""
        return int(self.inputs.shape[0])

    @property
    def output(self) -> LayerTrace:
        """The output layer's trace."""
        return self.layers[-1]

    def values(self, sample: int = 0) -> dict[str, float]:
        """Every named value of ``sample`` (see ``stepgrad.core.named_values``)."""
        from stepgrad.core.named_values import named_values

        return named_values(self, sample)
