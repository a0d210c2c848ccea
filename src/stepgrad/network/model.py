"""The parameters of a network: layers of weights and biases, activations, the loss.

A ``Network`` holds numbers and the names of the functions that use them; it
does no math. Weights of a layer are a matrix with one row per neuron and one
column per input, exactly as network files write them. A layer's bias is one of

* ``shared``: one number for the whole layer (the classic example's ``b1``),
* ``per_neuron``: one number per neuron,
* ``none``: no bias,

and it is trained or frozen (``train_bias``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
BiasMode = Literal["shared", "per_neuron", "none"]
BIAS_MODES: tuple[BiasMode, ...] = ("shared", "per_neuron", "none")


@dataclass(frozen=True, eq=False)
class Layer:
    """One layer of neurons.

    Attributes:
        weights: ``(n_out, n_in)``, row ``j`` holds the weights into neuron ``j``.
        bias: the bias parameters: ``(1,)`` shared, ``(n_out,)`` per neuron, ``(0,)`` none.
        activation: activation name (see ``stepgrad.functions``).
        train_bias: whether updates change the bias.
    """

    weights: Array
    bias: Array
    activation: str = "sigmoid"
    train_bias: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "weights", np.array(self.weights, dtype=np.float64, ndmin=2))
        object.__setattr__(self, "bias", np.array(self.bias, dtype=np.float64).reshape(-1))

    def __eq__(self, other: object) -> bool:
        """Exact equality of every number and setting."""
        if not isinstance(other, Layer):
            return NotImplemented
        return (
            np.array_equal(self.weights, other.weights)
            and np.array_equal(self.bias, other.bias)
            and (self.activation, self.train_bias) == (other.activation, other.train_bias)
        )

    __hash__ = None  # type: ignore[assignment]

    @property
    def n_out(self) -> int:
        """Number of neurons in the layer."""
        return int(self.weights.shape[0])

    @property
    def n_in(self) -> int:
        """Number of inputs each neuron receives."""
        return int(self.weights.shape[1])

    @property
    def bias_mode(self) -> BiasMode:
        """``shared``, ``per_neuron`` or ``none``, read off the bias's shape."""
        if self.bias.size == 0:
            return "none"
        if self.bias.size == 1 and self.n_out != 1:
            return "shared"
        # A one-neuron layer's single bias counts as per neuron: the two are the same.
        return "per_neuron"

    @property
    def bias_vector(self) -> Array:
        """The bias each neuron adds, ``(n_out,)`` (zeros when the layer has none)."""
        if self.bias.size == 0:
            return np.zeros(self.n_out)
        return np.broadcast_to(self.bias, (self.n_out,)).copy()

    @property
    def trains_bias(self) -> bool:
        """True when the layer has a bias and updates change it."""
        return self.train_bias and self.bias.size > 0


@dataclass(frozen=True)
class Network:
    """A feed-forward network: its layers and the loss it is trained on.

    Attributes:
        layers: the layers from the first hidden layer to the output layer.
        loss: loss name (see ``stepgrad.functions``).
    """

    layers: tuple[Layer, ...]
    loss: str = "half_squared_error"

    def __post_init__(self) -> None:
        object.__setattr__(self, "layers", tuple(self.layers))

    @property
    def sizes(self) -> list[int]:
        """``[n_inputs, n_layer1, …, n_outputs]``."""
        return [self.layers[0].n_in, *(layer.n_out for layer in self.layers)]

    @property
    def n_inputs(self) -> int:
        """Number of inputs."""
        return self.layers[0].n_in

    @property
    def n_outputs(self) -> int:
        """Number of output neurons."""
        return self.layers[-1].n_out

    def with_parameters(self, weights: list[Array], biases: list[Array]) -> Network:
        """A copy with new weights and bias parameters, layer by layer."""
        layers = tuple(
            replace(layer, weights=w, bias=b) for layer, w, b in zip(self.layers, weights, biases, strict=True)
        )
        return replace(self, layers=layers)


@dataclass(frozen=True, eq=False)
class Setup:
    """What a network file holds: a network, its training data and learning rate.

    Attributes:
        network: the network.
        inputs: ``(n_samples, n_inputs)``.
        targets: ``(n_samples, n_outputs)``.
        learning_rate: the step size ``η`` of ``w+ = w − η·dE/dw``.
        source: the file it was read from, for messages.
    """

    network: Network
    inputs: Array
    targets: Array
    learning_rate: float = 0.5
    source: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "inputs", np.array(self.inputs, dtype=np.float64, ndmin=2))
        object.__setattr__(self, "targets", np.array(self.targets, dtype=np.float64, ndmin=2))

    def __eq__(self, other: object) -> bool:
        """Exact equality of the network, the data and the learning rate (not the source)."""
        if not isinstance(other, Setup):
            return NotImplemented
        return (
            self.network == other.network
            and np.array_equal(self.inputs, other.inputs)
            and np.array_equal(self.targets, other.targets)
            and self.learning_rate == other.learning_rate
        )

    __hash__ = None  # type: ignore[assignment]

    @property
    def n_samples(self) -> int:
        """Number of training samples."""
        return int(self.inputs.shape[0])
