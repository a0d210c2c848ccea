"""Finite-difference gradient check for every parameter.

Uses the five-point central stencil
``D(h) = (−E(p+2h) + 8E(p+h) − 8E(p−h) + E(p−2h)) / 12h``, whose error is
O(h⁴), and Richardson extrapolation ``(16·D(h/2) − D(h)) / 15``, whose error is
O(h⁶): with ``h = 1e-3`` it agrees with exact gradients to about 1e-10 even
where the error surface curves sharply.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from stepgrad.core.step import total_error, train_step
from stepgrad.network.model import Network

Array = NDArray[np.float64]


@dataclass(frozen=True)
class GradientCheck:
    """Backpropagated and numerical gradients of every parameter, by name.

    Attributes:
        analytic: ``{name: dE/dp}`` from backpropagation (batch mean).
        numerical: ``{name: dE/dp}`` from central differences.
        max_relative_error: the largest ``|a − n| / max(|a|, |n|, floor)`` over all parameters.
    """

    analytic: dict[str, float]
    numerical: dict[str, float]
    max_relative_error: float

    def passed(self, tolerance: float = 1e-6) -> bool:
        """True when every gradient agrees within ``tolerance`` (relative)."""
        return self.max_relative_error <= tolerance


def numerical_gradients(
    network: Network, inputs: ArrayLike, targets: ArrayLike, step: float = 1e-3
) -> dict[str, float]:
    """Five-point central differences of the batch-mean ``E_total`` for every weight and bias, by name."""
    from stepgrad.network.naming import network_names

    names = network_names(network)
    weights = [layer.weights.copy() for layer in network.layers]
    biases = [layer.bias.copy() for layer in network.layers]

    def error_with(array: Array, index: tuple[int, ...], value: float) -> float:
        saved = array[index]
        array[index] = value
        result = total_error(network.with_parameters(weights, biases), inputs, targets)
        array[index] = saved
        return result

    def stencil(array: Array, index: tuple[int, ...], h: float) -> float:
        center = float(array[index])
        far = error_with(array, index, center + 2 * h) - error_with(array, index, center - 2 * h)
        near = error_with(array, index, center + h) - error_with(array, index, center - h)
        return (8 * near - far) / (12 * h)

    def derivative(array: Array, index: tuple[int, ...]) -> float:
        # Richardson extrapolation: the stencil's error is c·h⁴, so (16·D(h/2) − D(h)) / 15 cancels it.
        return (16 * stencil(array, index, step / 2) - stencil(array, index, step)) / 15

    gradients: dict[str, float] = {}
    for weight in names.all_weights():
        gradients[weight.name] = derivative(weights[weight.layer], (weight.neuron, weight.source))
    for bias in names.all_biases():
        gradients[bias.name] = derivative(biases[bias.layer], (bias.index,))
    return gradients


def analytic_gradients(network: Network, inputs: ArrayLike, targets: ArrayLike) -> dict[str, float]:
    """Backpropagated gradients of the batch-mean ``E_total`` for every weight and bias, by name."""
    trace = train_step(network, inputs, targets, learning_rate=0.0)
    gradients: dict[str, float] = {}
    for weight in trace.names.all_weights():
        gradients[weight.name] = float(trace.layers[weight.layer].grad_w[weight.neuron, weight.source])
    for bias in trace.names.all_biases():
        gradients[bias.name] = float(trace.layers[bias.layer].grad_b[bias.index])
    return gradients


def check_gradients(
    network: Network, inputs: ArrayLike, targets: ArrayLike, step: float = 1e-3, floor: float = 1e-3
) -> GradientCheck:
    """Compare backpropagation with central differences on every parameter.

    ``floor`` keeps the relative error of near-zero gradients meaningful: below
    it, differences are measured against ``floor`` instead. Rounding in ``E``
    limits finite differences to about 1e-12 absolute, so a gradient of 1e-4
    cannot be checked to 1e-8 relative; with the default floor, a tolerance of
    1e-8 means 1e-8 relative above 1e-3 and 1e-11 absolute below it.
    """
    analytic = analytic_gradients(network, inputs, targets)
    numerical = numerical_gradients(network, inputs, targets, step)
    worst = 0.0
    for name, value in analytic.items():
        scale = max(abs(value), abs(numerical[name]), floor)
        worst = max(worst, abs(value - numerical[name]) / scale)
    return GradientCheck(analytic=analytic, numerical=numerical, max_relative_error=worst)
