"""New networks from layer sizes, with initial weights suited to the activation.

* Xavier/Glorot (uniform), for sigmoid, tanh, linear, softmax:
  ``w ~ U(−a, a)`` with ``a = √(6 / (n_in + n_out))``  (Glorot & Bengio, 2010).
* He/Kaiming (normal), for relu and leaky_relu: ``w ~ N(0, 2 / n_in)``  (He et al., 2015).

Biases start at 0. Randomness only comes from the ``rng`` passed in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

from stepgrad.errors import StepgradError
from stepgrad.functions import activation_names, get_activation, get_loss, loss_names
from stepgrad.functions.activations import split_name
from stepgrad.network.model import BIAS_MODES, BiasMode, Layer, Network, network_problem

Array = NDArray[np.float64]
Initializer = Callable[[int, int, np.random.Generator], Array]


def xavier_uniform(n_in: int, n_out: int, rng: np.random.Generator) -> Array:
    """``(n_out, n_in)`` from ``U(−a, a)``, ``a = √(6/(n_in + n_out))``."""
    limit = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-limit, limit, size=(n_out, n_in))


def he_normal(n_in: int, n_out: int, rng: np.random.Generator) -> Array:
    """``(n_out, n_in)`` from ``N(0, 2/n_in)``."""
    return rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_out, n_in))


INITIALIZERS: dict[str, Initializer] = {"xavier": xavier_uniform, "glorot": xavier_uniform, "he": he_normal}


def initializer_for(activation: str) -> str:
    """He for the rectifiers, Xavier/Glorot otherwise."""
    family, _ = split_name(get_activation(activation).name)  # leaky_relu(negative_slope=0.1) is a leaky_relu
    return "he" if family in ("relu", "leaky_relu") else "xavier"


def head_problem(output_activation: str, loss: str, n_outputs: int) -> str | None:
    """What is wrong with this output layer and loss, or None for a valid pair
    (``stepgrad.network.model.network_problem``'s rules for the output layer)."""
    problem = network_problem([output_activation], loss, n_outputs)
    return None if problem is None else problem[1]


def default_output_activation(loss: str, hidden_activation: str) -> str:
    """The output activation a loss pairs with (``Loss.paired_output``: softmax for cross_entropy, sigmoid for
    binary_cross_entropy), else the hidden layers' activation."""
    return get_loss(loss).paired_output or hidden_activation


def create_network(
    sizes: Sequence[int],
    activation: str = "sigmoid",
    output_activation: str | None = None,
    loss: str = "half_squared_error",
    bias: BiasMode = "per_neuron",
    rng: np.random.Generator | None = None,
    init: str | None = None,
    train_bias: bool = True,
    reduction: str = "mean",
) -> Network:
    """A network ``sizes = [n_inputs, n_hidden…, n_outputs]`` with seeded initial weights.

    Args:
        sizes: the number of neurons per layer, inputs first; at least two entries.
        activation: hidden layers' activation.
        output_activation: the output layer's activation (default: softmax for cross_entropy,
            sigmoid for binary_cross_entropy, else ``activation``); it must pair with the loss
            (see ``head_problem``).
        loss: the loss name.
        bias: ``per_neuron``, ``shared`` or ``none``; biases start at 0.
        rng: the random generator (``numpy.random.default_rng(seed)``); default seed 0.
        init: ``xavier``/``glorot`` or ``he``; default chosen per layer's activation.
        train_bias: whether biases are trained.
        reduction: how a batch's losses combine, ``mean`` or ``sum`` (PyTorch's ``reduction``).
    """
    _check_choices(sizes, [activation] if output_activation is None else [activation, output_activation], loss, bias)
    if init is not None and init not in INITIALIZERS:
        raise StepgradError(f"unknown initialiser {init!r}; choose one of {', '.join(INITIALIZERS)}")
    loss_name = get_loss(loss).name
    if output_activation is None:
        output_activation = default_output_activation(loss_name, activation)
    problem = head_problem(output_activation, loss_name, int(sizes[-1]))
    if problem is not None:
        raise StepgradError(problem)
    if activation.lower() == "softmax":
        raise StepgradError("softmax is for the output layer only; pick another hidden activation")
    generator = rng if rng is not None else np.random.default_rng(0)
    names = [activation] * (len(sizes) - 2) + [output_activation]
    layers = [
        _new_layer(int(n_in), int(n_out), name, bias, generator, init, train_bias)
        for n_in, n_out, name in zip(sizes[:-1], sizes[1:], names, strict=True)
    ]
    return Network(layers=tuple(layers), loss=loss_name, reduction=reduction)


def _check_choices(sizes: Sequence[int], activations: list[str], loss: str, bias: str) -> None:
    """Layer sizes, activations, loss and bias mode a network can be made of, else one ``StepgradError``."""
    if len(sizes) < 2 or any(int(n) < 1 for n in sizes):
        raise StepgradError(f"layer sizes must be at least two positive numbers, got {list(sizes)}")
    for name in activations:
        if name.lower() not in activation_names():
            raise StepgradError(f"unknown activation {name!r}; choose one of {', '.join(activation_names())}")
    if loss.lower() not in loss_names():
        raise StepgradError(f"unknown loss {loss!r}; choose one of {', '.join(loss_names())}")
    if bias not in BIAS_MODES:
        raise StepgradError(f"unknown bias mode {bias!r}; choose one of {', '.join(BIAS_MODES)}")


def _new_layer(
    n_in: int,
    n_out: int,
    activation: str,
    bias: BiasMode,
    rng: np.random.Generator,
    init: str | None = None,
    train_bias: bool = True,
) -> Layer:
    """A layer of ``n_out`` neurons with weights ``(n_out, n_in)`` drawn by ``init`` (default: the initializer for
    its activation) and zero biases."""
    weights = INITIALIZERS[init or initializer_for(activation)](n_in, n_out, rng)
    n_bias = {"per_neuron": n_out, "shared": 1, "none": 0}[bias]
    return Layer(
        weights=weights, bias=np.zeros(n_bias), activation=get_activation(activation).name, train_bias=train_bias
    )
