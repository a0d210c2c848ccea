"""Whether a float32 model's differences are float32 rounding: the step worked again with every stored value
rounded to float32, as PyTorch stores them, and PyTorch's differences compared with that replay's.

stepgrad's trace is float64. A float32 model stores every ``net``, ``out``, delta and gradient with a relative
error of up to ``u = 2⁻²⁴`` (about 6e-8), and a value computed as a small difference of large ones (``out −
target`` with ``out`` near 1000, ``Σ_k delta_k·w_kh`` that cancels) carries the large ones' absolute error: a
difference far beyond ``rtol`` without any module computing the wrong thing. ``rounded_replay`` computes the
step with the core's array functions (``stepgrad.core.propagation``) rounding every stored value to float32;
its distance from the exact trace is what float32 storage does to this chain, value by value.

``float32_rounding`` names the differences as rounding when every differing value's distance from the exact
one is within ``ROUNDING_FACTOR`` times what the replay shows for the tensor it belongs to (or the
rounding of the largest value stored in that tensor): PyTorch sums in another order, so its rounding is
of the same size, not the same numbers. A wrong derivative, loss or update is far outside that.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from stepgrad.core.propagation import (
    LayerForward,
    backprop_through_activation,
    bias_gradient,
    error_terms,
    hidden_dE_dout,
    layer_forward,
    output_delta,
    weight_gradient,
)
from stepgrad.functions import get_activation, get_loss
from stepgrad.functions.losses import get_reduction
from stepgrad.interop.torch_report import ValueComparison
from stepgrad.network.model import Network

Array = NDArray[np.float64]
UNIT_ROUNDOFF = float(np.finfo(np.float32).eps) / 2  # u = 2⁻²⁴: float32's largest relative rounding error
ROUNDING_FACTOR = 16.0  # PyTorch's rounding against the replay's: another summation order, the same size


def _f32(values: Array) -> Array:
    """The values as float32 stores them, held in float64 (so later arithmetic is exact again)."""
    return np.asarray(values, dtype=np.float32).astype(np.float64)


@dataclass(frozen=True)
class RoundedLayer:
    """One layer of the replay, each array as in the trace (``(B, n_out)``; gradients ``(n_out, n_in)``)."""

    net: Array
    out: Array
    dE_dout: Array
    delta: Array
    grad_w: Array
    grad_b: Array


@dataclass(frozen=True)
class RoundedReplay:
    """The step with every stored value rounded to float32: its layers and the batch's loss."""

    layers: tuple[RoundedLayer, ...]
    loss: float

    def gradient(self, layer: int, part: int) -> Array:
        """``dE/dW`` (part 0) or ``dE/db`` (part 1) of ``layer``."""
        return self.layers[layer].grad_w if part == 0 else self.layers[layer].grad_b

    @staticmethod
    def update(rule: Any, before: Array, gradient: Array) -> tuple[Array, dict[str, Array]]:
        """The optimizer's rule (``torch_optim``'s ``rule``) on float32-stored values: ``p+`` and its buffers."""
        updated, state_new, _ = rule.optimizer.update_recorded(
            [_f32(before)], [_f32(gradient)], rule.state, rule.learning_rate, [True]
        )
        return _f32(updated[0]), {name: _f32(values[0]) for name, values in state_new.buffers.items()}

    @staticmethod
    def loss_with(network: Network, parameters: list[list[Array]], x: Array, target: Array) -> float:
        """The rounded loss of ``network`` with new ``[weights, bias]`` per layer (``E_total+``)."""
        updated = network.with_parameters([_f32(p[0]) for p in parameters], [_f32(p[1]) for p in parameters])
        return rounded_loss(updated, x, target)


def rounded_forward(network: Network, x: Array) -> list[LayerForward]:
    """``net`` and ``out`` of every layer, each rounded to float32 as it is stored."""
    a_prev, layers = _f32(x), []
    for layer in network.layers:
        activation = get_activation(layer.activation)
        net = _f32(layer_forward(a_prev, _f32(layer.weights), _f32(layer.bias_vector), activation).net)
        layers.append(LayerForward(net=net, out=_f32(activation.value(net))))  # out = f(net) of the stored net
        a_prev = layers[-1].out
    return layers


def rounded_loss(network: Network, x: Array, target: Array) -> float:
    """The batch's loss (``E``, mean or sum of ``E_total``) of the rounded forward pass, rounded to float32."""
    output = rounded_forward(network, x)[-1]
    loss = get_loss(network.loss, network.reduction)
    terms = _f32(error_terms(target, output, get_activation(network.layers[-1].activation), loss))
    return float(_f32(get_reduction(network.reduction).combine(np.sum(terms, axis=-1))))


def rounded_replay(network: Network, x: Array, target: Array) -> RoundedReplay:
    """The forward and backward pass of ``network`` on the batch with every stored value rounded to float32.

    Args:
        network: the network before the step.
        x: ``(B, n_inputs)``.
        target: ``(B, n_outputs)``.
    """
    forwards = rounded_forward(network, x)
    activations = [get_activation(layer.activation) for layer in network.layers]
    loss = get_loss(network.loss, network.reduction)
    factor = get_reduction(network.reduction).factor(x.shape[0])
    factors = output_delta(target, forwards[-1], activations[-1], loss)
    dE_dout, delta = _f32(factors.dE_dout), _f32(factors.delta)
    layers: list[RoundedLayer] = []
    for index in reversed(range(len(forwards))):
        if index < len(forwards) - 1:
            result, activation = forwards[index], activations[index]
            dE_dout = _f32(hidden_dE_dout(delta, _f32(network.layers[index + 1].weights)))
            dout_dnet = _f32(activation.derivative(result.net, result.out))
            delta = _f32(backprop_through_activation(dE_dout, result, activation, dout_dnet))
        a_prev = _f32(x) if index == 0 else forwards[index - 1].out
        grad_w = _f32(factor * weight_gradient(delta, a_prev))
        grad_b = _f32(factor * bias_gradient(delta, network.layers[index].bias.size))
        layers.insert(0, RoundedLayer(forwards[index].net, forwards[index].out, dE_dout, delta, grad_w, grad_b))
    return RoundedReplay(tuple(layers), rounded_loss(network, x, target))


def _tensor(comparison: ValueComparison) -> tuple[str, str, str]:
    """Which tensor a value belongs to: its stage, its kind (``delta``, ``dE_total/dout``, ``w5+`` → ``w+``)
    and PyTorch's tensor (``model.fc2.weight.grad``)."""
    kind = comparison.name.split(" ")[0].rstrip("0123456789_+")
    return comparison.stage, kind.rstrip("0123456789"), comparison.torch_name.split("[")[0]


def float32_rounding(compared: list[ValueComparison], rounded: dict[int, float]) -> str | None:
    """The sentence naming float32 rounding when every differing value is within it, else None.

    Args:
        compared: every comparison of the step, in the derivation's order.
        rounded: the replay's value of each comparison that has one, by its index in ``compared``.
    """
    differing = [index for index, c in enumerate(compared) if not c.agrees]
    if not differing or any(index not in rounded for index in differing):
        return None
    if not all(np.isfinite([c.torch, c.stepgrad]).all() for c in compared):
        return None
    replay_error: dict[tuple[str, str, str], float] = {}
    largest: dict[tuple[str, str, str], float] = {}
    for index, c in enumerate(compared):
        key = _tensor(c)
        largest[key] = max(largest.get(key, 0.0), abs(c.stepgrad))
        if index in rounded:
            replay_error[key] = max(replay_error.get(key, 0.0), abs(rounded[index] - c.stepgrad))

    def bound(c: ValueComparison) -> float:
        key = _tensor(c)
        return ROUNDING_FACTOR * max(replay_error.get(key, 0.0), UNIT_ROUNDOFF * largest[key])

    if any(abs(compared[index].difference) > bound(compared[index]) for index in differing):
        return None
    worst = max(
        differing, key=lambda index: abs(compared[index].difference) / max(abs(compared[index].stepgrad), 1e-300)
    )
    c = compared[worst]
    relative = abs(c.difference) / abs(c.stepgrad) if c.stepgrad else float("inf")
    return (
        f"float32 rounding: the {len(differing)} differing values are within what float32 storage does to this "
        f"chain (the most, {c.name}, differs by {abs(c.difference):.3g}, {relative:.2g} relative; the same step "
        f"with every value rounded to float32 is up to {bound(c) / ROUNDING_FACTOR:.3g} off there): no module "
        "computes anything else; run the model in float64 (model.double(), inputs and targets too) to compare exactly"
    )
