"""The parameters of a network: layers of weights and biases, activations, the loss.

A ``Network`` holds numbers and the names of the functions that use them; it
does no math. Weights of a layer are a matrix with one row per neuron and one
column per input, exactly as network files write them. A layer's bias is one of

* ``shared``: one number for the whole layer (the classic example's ``b1``),
* ``per_neuron``: one number per neuron,
* ``none``: no bias,

and it is trained or frozen (``train_bias``).

A network is checked when it is made, whatever made it (a file, ``create_network``,
``from_torch``): its activations and loss must exist and suit each other
(``network_problem``), and a ``Setup``'s targets must suit its loss (``target_problem``).
Every mistake is a ``StepgradError``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from stepgrad.errors import StepgradError, quantity
from stepgrad.functions import LOSSES, REDUCTIONS, get_activation, get_loss

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
        reduction: how the batch's per-sample losses combine, as PyTorch's ``reduction``: ``mean``
            (``E = (1/B)·Σ_b E_total(b)``, the default) or ``sum`` (``stepgrad.functions.losses.REDUCTIONS``).
    """

    layers: tuple[Layer, ...]
    loss: str = "half_squared_error"
    reduction: str = "mean"

    def __post_init__(self) -> None:
        object.__setattr__(self, "layers", tuple(self.layers))
        if not self.layers:
            raise StepgradError("a network needs at least one layer")
        problem = network_problem([layer.activation for layer in self.layers], self.loss, self.layers[-1].n_out)
        if problem is not None:
            layer, message = problem
            raise StepgradError(message, location=None if layer is None else f"layer {layer + 1}")
        if not isinstance(self.reduction, str) or self.reduction not in REDUCTIONS:
            raise StepgradError(reduction_problem(self.reduction), location="reduction")

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


@dataclass(frozen=True)
class Regularization:
    """L1 and L2 regularization of the weights (never the biases); the objective a step lowers is
    ``E_total + E_reg`` with ``E_reg = λ₁·Σ|w| + ½·λ₂·Σw²`` (``stepgrad.core.propagation.penalty``).

    Attributes:
        l1: ``λ₁`` ≥ 0.
        l2: ``λ₂`` ≥ 0 (the optimizers' ``weight_decay``).
    """

    l1: float = 0.0
    l2: float = 0.0

    def __bool__(self) -> bool:
        return bool(self.l1 or self.l2)


NO_REGULARIZATION = Regularization()


@dataclass(frozen=True, eq=False)
class Setup:
    """What a network file holds: a network, its training data and learning rate.

    Attributes:
        network: the network.
        inputs: ``(n_samples, n_inputs)``.
        targets: ``(n_samples, n_outputs)``.
        learning_rate: the step size ``η`` of ``w+ = w − η·dE/dw``.
        source: the file it was read from, for messages.
        regularization: the file's ``l1`` and ``l2`` (none by default).
    """

    network: Network
    inputs: Array
    targets: Array
    learning_rate: float = 0.5
    source: str | None = field(default=None, compare=False)
    regularization: Regularization = NO_REGULARIZATION

    def __post_init__(self) -> None:
        object.__setattr__(self, "inputs", np.array(self.inputs, dtype=np.float64, ndmin=2))
        object.__setattr__(self, "targets", np.array(self.targets, dtype=np.float64, ndmin=2))
        if self.targets.shape[0] != self.inputs.shape[0]:
            raise StepgradError(
                f"{quantity(self.inputs.shape[0], 'input row')} but {quantity(self.targets.shape[0], 'target row')}: "
                "give one row of targets per sample",
                self.source,
                "targets",
            )
        problem = target_problem(self.network.loss, self.targets)
        if problem is not None:
            raise StepgradError(problem, self.source, "targets")

    def __eq__(self, other: object) -> bool:
        """Exact equality of the network, the data and the learning rate (not the source)."""
        if not isinstance(other, Setup):
            return NotImplemented
        return (
            self.network == other.network
            and np.array_equal(self.inputs, other.inputs)
            and np.array_equal(self.targets, other.targets)
            and self.learning_rate == other.learning_rate
            and self.regularization == other.regularization
        )

    __hash__ = None  # type: ignore[assignment]

    @property
    def n_samples(self) -> int:
        """Number of training samples."""
        return int(self.inputs.shape[0])


def network_problem(activations: list[str], loss: str, n_outputs: int = 2) -> tuple[int | None, str] | None:
    """What is wrong with these layer activations and this loss together, or None.

    Returns ``(layer index or None for the loss, message)``. The rules, read from the registries: names must
    exist; an activation that is not ``hidden`` (softmax) only on the output layer, and one that is not
    elementwise (softmax) with a loss that lists it in ``outputs`` and at least two outputs (``n_outputs``);
    a loss with ``outputs`` needs one of them on the output layer (``cross_entropy``: softmax;
    ``binary_cross_entropy``: sigmoid, or softmax as PyTorch's ``Softmax`` + ``BCELoss``: their logarithms
    need outputs that are probabilities). Every way of building a network (files, ``create_network``,
    ``from_torch``) asks this.
    """
    try:
        chosen = get_loss(loss)
    except KeyError:
        return None, f"unknown loss {loss!r}"
    entries = []
    for index, activation in enumerate(activations):
        try:
            entries.append(get_activation(activation))
        except KeyError:
            return index, f"unknown activation {activation!r}"
    last = len(entries) - 1
    for index, entry in enumerate(entries[:-1]):
        if not entry.hidden:
            return index, f"{entry.name} is for the output layer only"
    output = entries[last].name
    takers = [entry.name for entry in LOSSES.values() if output in entry.outputs]  # the losses a softmax takes
    if not entries[last].elementwise and chosen.name not in takers:
        paired = [f'"{name}"' for name in takers if LOSSES[name].paired_output == output]
        others = [f'"{name}"' for name in takers if LOSSES[name].paired_output != output]
        also = f" (or {' or '.join(others)})" if paired and others else ""
        return last, f"{output} needs loss = {' or '.join(paired or others)}{also}, the network has {chosen.name!r}"
    if not entries[last].elementwise and n_outputs < 2:
        return last, f"{output} needs at least 2 outputs (for one output use sigmoid with binary_cross_entropy)"
    if chosen.outputs and output not in chosen.outputs:
        pairing = next((entry.name for entry in LOSSES.values() if entry.paired_output == output), None)
        hint = f" (for {output} outputs use {pairing})" if pairing else ""
        return last, f"{chosen.name} needs a {chosen.paired_output} output layer, this one is {output}{hint}"
    return None


def reduction_problem(reduction: object) -> str:
    """The message for a reduction that is not ``mean`` or ``sum``."""
    return f"reduction must be {' or '.join(repr(name) for name in REDUCTIONS)}, got {reduction!r}"


def target_problem(loss: str, targets: Array) -> str | None:
    """What is wrong with ``targets`` ``(B, n_outputs)`` for ``loss``, or None (the loss's ``target_problem``:
    ``binary_cross_entropy`` targets are probabilities, 0 … 1; ``cross_entropy`` targets of a sample are a
    distribution over the outputs, non-negative and summing to 1)."""
    rule = get_loss(loss).target_problem
    return None if rule is None or targets.size == 0 else rule(targets)
