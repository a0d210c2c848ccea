"""Finite-difference gradient check for every parameter.

Each derivative uses the five-point central stencil
``D(h) = (−E(p+2h) + 8E(p+h) − 8E(p−h) + E(p−2h)) / 12h``, whose error is
O(h⁴), and Richardson extrapolation ``(16·D(h/2) − D(h)) / 15``, whose error is
O(h⁶). The error ``E`` is evaluated in extended precision (``numpy.longdouble``,
about 19 significant digits on x86-64) with the core's own layer and loss
functions, so rounding in ``E`` does not swamp the differences: with
``h = 1e-3`` the estimate agrees with exact gradients to about 1e-12.

ReLU and leaky ReLU have a kink at ``net = 0`` where the derivative jumps. When
moving a parameter by up to ``±2h`` moves any ReLU-type neuron's net input across
its kink, finite differences measure a mix of two slopes and say nothing about
the gradient: such parameters are *skipped* (listed in ``GradientCheck.skipped``)
rather than compared. A smaller ``step`` skips fewer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from stepgrad.core.propagation import bias_vector, error_terms, layer_forward
from stepgrad.core.step import backward, forward
from stepgrad.functions import get_activation, get_loss
from stepgrad.functions.losses import get_reduction
from stepgrad.network.model import Network
from stepgrad.network.naming import network_names

Array = NDArray[np.float64]
# numpy.longdouble arrays at run time; typed as the core's Array, whose functions keep the dtype they get.
Wide = Array


@dataclass(frozen=True)
class GradientCheck:
    """Backpropagated and numerical gradients of every parameter, by name.

    Attributes:
        analytic: ``{name: dE/dp}`` from backpropagation (batch mean).
        numerical: ``{name: dE/dp}`` from central differences (skipped parameters left out).
        max_relative_error: the largest ``|a − n| / max(|a|, |n|, floor)`` over the compared parameters.
        skipped: parameters whose differences would cross a ReLU kink, so are not compared.
    """

    analytic: dict[str, float]
    numerical: dict[str, float]
    max_relative_error: float
    skipped: tuple[str, ...] = ()

    def passed(self, tolerance: float = 1e-6) -> bool:
        """True when every compared gradient agrees within ``tolerance`` (relative, see ``check_gradients``)."""
        return self.max_relative_error <= tolerance


class _WideNetwork:
    """The network's parameters in extended precision, and ``E_total`` evaluated with them."""

    def __init__(self, network: Network, inputs: ArrayLike, targets: ArrayLike) -> None:
        self.weights: list[Wide] = [layer.weights.astype(np.longdouble) for layer in network.layers]
        self.biases: list[Wide] = [layer.bias.astype(np.longdouble) for layer in network.layers]
        self.inputs: Wide = np.array(inputs, dtype=np.float64, ndmin=2).astype(np.longdouble)
        self.targets: Wide = np.array(targets, dtype=np.float64, ndmin=2).astype(np.longdouble)
        self.activations = [get_activation(layer.activation) for layer in network.layers]
        self.loss = get_loss(network.loss, network.reduction)
        self.reduction = get_reduction(network.reduction)
        self.kinks = self.evaluate()[1]

    def evaluate(self) -> tuple[np.longdouble, tuple[bytes, ...]]:
        """The batch's ``E`` (mean or sum of ``E_total``), and which side of its kink each ReLU-type neuron is."""
        a_prev = self.inputs
        sides = []
        for weights, bias, activation in zip(self.weights, self.biases, self.activations, strict=True):
            result = layer_forward(a_prev, weights, bias_vector(bias, weights.shape[0]), activation)
            if activation.kinked:
                sides.append((result.net > 0).tobytes())
            a_prev = result.out
        terms = error_terms(self.targets, result, self.activations[-1], self.loss)
        return np.longdouble(self.reduction.combine(np.sum(terms, axis=-1))), tuple(sides)

    def error_with(self, array: Wide, index: tuple[int, ...], offset: float) -> np.longdouble:
        """``E_total`` with ``array[index]`` moved by ``offset``; ``_CrossesKinkError`` when that crosses a kink."""
        saved = array[index]
        array[index] = saved + np.longdouble(offset)
        error, sides = self.evaluate()
        array[index] = saved
        if sides != self.kinks:
            raise _CrossesKinkError
        return error


class _CrossesKinkError(Exception):
    """Moving the parameter moved a ReLU-type neuron across its kink."""


def _derivative(wide: _WideNetwork, array: Wide, index: tuple[int, ...], step: float) -> float:
    """Richardson-extrapolated five-point central difference of ``E_total`` along ``array[index]``."""

    def stencil(h: float) -> np.longdouble:
        far = wide.error_with(array, index, 2 * h) - wide.error_with(array, index, -2 * h)
        near = wide.error_with(array, index, h) - wide.error_with(array, index, -h)
        return (8 * near - far) / np.longdouble(12 * h)

    # The stencil's error is c·h⁴, so (16·D(h/2) − D(h)) / 15 cancels it.
    return float((16 * stencil(step / 2) - stencil(step)) / 15)


def numerical_gradients(
    network: Network, inputs: ArrayLike, targets: ArrayLike, step: float = 1e-3
) -> dict[str, float]:
    """Central differences of the batch-mean ``E_total`` for every weight and bias, by name.

    Parameters whose differences would cross a ReLU kink are left out.
    """
    names = network_names(network)
    wide = _WideNetwork(network, inputs, targets)
    places: list[tuple[str, Wide, tuple[int, ...]]] = [
        (w.name, wide.weights[w.layer], (w.neuron, w.source)) for w in names.all_weights()
    ]
    places += [(b.name, wide.biases[b.layer], (b.index,)) for b in names.all_biases()]
    gradients: dict[str, float] = {}
    for name, array, index in places:
        try:
            gradients[name] = _derivative(wide, array, index, step)
        except _CrossesKinkError:
            continue
    return gradients


def analytic_gradients(network: Network, inputs: ArrayLike, targets: ArrayLike) -> dict[str, float]:
    """Backpropagated gradients of the batch-mean ``E_total`` for every weight and bias, by name."""
    gradients_of = backward(forward(network, inputs, targets))
    layers = gradients_of.gradients
    gradients: dict[str, float] = {}
    for weight in gradients_of.forward.names.all_weights():
        gradients[weight.name] = float(layers[weight.layer].grad_w[weight.neuron, weight.source])
    for bias in gradients_of.forward.names.all_biases():
        gradients[bias.name] = float(layers[bias.layer].grad_b[bias.index])
    return gradients


def check_gradients(
    network: Network, inputs: ArrayLike, targets: ArrayLike, step: float = 1e-3, floor: float = 1e-3
) -> GradientCheck:
    """Compare backpropagation with central differences on every parameter.

    The relative error of a gradient is ``|analytic − numerical| / max(|analytic|, |numerical|, floor)``:
    relative above ``floor``, absolute (scaled by ``floor``) below it. The floor keeps
    near-zero gradients meaningful: a gradient of 1e-12 is a rounding residue of terms of
    size 1, and no float64 computation fixes its relative digits. With the default floor, a
    tolerance of 1e-8 means 1e-8 relative for gradients above 1e-3 and 1e-11 absolute below.

    Parameters whose differences would cross a ReLU kink are skipped (``GradientCheck.skipped``).
    """
    analytic = analytic_gradients(network, inputs, targets)
    numerical = numerical_gradients(network, inputs, targets, step)
    worst = 0.0
    for name, value in numerical.items():
        scale = max(abs(analytic[name]), abs(value), floor)
        worst = max(worst, abs(analytic[name] - value) / scale)
    skipped = tuple(name for name in analytic if name not in numerical)
    return GradientCheck(analytic=analytic, numerical=numerical, max_relative_error=worst, skipped=skipped)
