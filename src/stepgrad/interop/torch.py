"""A ``Network`` as a ``torch.nn.Sequential`` and back, and checking a real PyTorch step.

``to_torch(network)`` builds ``Linear`` + activation modules (float64) whose outputs equal
stepgrad's; ``from_torch(sequential, loss=…)`` reads such a model back. A shared bias (one
number per layer, the classic ``b1``) becomes a ``Linear`` bias with that number in every
neuron; a frozen bias (``train_bias=False``) becomes a bias with ``requires_grad=False``.
Each ``Linear`` of ``to_torch`` carries ``stepgrad_bias`` (``shared``, ``per_neuron`` or ``none``)
and ``stepgrad_train_bias``, so ``from_torch(to_torch(network))`` gives back exactly ``network``
(a plain PyTorch ``Linear`` reads as a per-neuron bias).

``verify_torch_step`` (in ``stepgrad.interop.torch_step``) records one real PyTorch training
step and compares it with stepgrad's trace, value by value.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from stepgrad.errors import StepgradError
from stepgrad.functions import ACTIVATIONS, Activation, get_activation, get_loss
from stepgrad.network.model import Layer, Network

if TYPE_CHECKING:
    import torch as torch_module

# stepgrad activation name -> torch.nn module class name, from the registry (entries without one are left out)
TORCH_ACTIVATIONS: dict[str, str] = {
    name: activation.torch_module for name, activation in ACTIVATIONS.items() if activation.torch_module is not None
}


def _activation_module(name: str) -> torch_module.nn.Module:
    import torch

    activation = get_activation(name)
    if activation.torch_module is None:
        raise StepgradError(f"{activation.name} has no PyTorch module, so a network using it cannot be exported")
    return getattr(torch.nn, activation.torch_module)(**activation.torch_arguments)


def to_torch(network: Network) -> torch_module.nn.Sequential:
    """``Linear, activation, Linear, activation, …`` in float64 with the network's numbers.

    ``Linear.weight`` is ``(n_out, n_in)`` like stepgrad's weights, so ``w1`` is ``[0].weight[0, 0]``.
    A layer without bias gets ``bias=False``; a frozen bias ``requires_grad=False``. Each ``Linear``
    records the layer's bias mode in ``stepgrad_bias`` and ``stepgrad_train_bias`` for ``from_torch``.
    """
    import torch

    modules: list[torch.nn.Module] = []
    for layer in network.layers:
        linear = torch.nn.Linear(layer.n_in, layer.n_out, bias=layer.bias.size > 0, dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(layer.weights))
            if linear.bias is not None:
                linear.bias.copy_(torch.from_numpy(layer.bias_vector))
                linear.bias.requires_grad_(layer.train_bias)
        # plain attributes (torch's stubs type Module attributes as tensors or modules)
        linear.stepgrad_bias = layer.bias_mode  # type: ignore[assignment]
        linear.stepgrad_train_bias = layer.train_bias  # type: ignore[assignment]
        modules.extend([linear, _activation_module(layer.activation)])
    return torch.nn.Sequential(*modules)


def activation_name(module: Any) -> str | None:
    """The stepgrad activation a module computes, or None if it is not one.

    Subclasses count as their base class (a custom ``Sigmoid`` subclass is read as sigmoid, and
    ``verify_torch_step`` then shows where it behaves differently). A custom module can say which
    activation it computes with a ``stepgrad_activation`` attribute.
    """
    import torch

    declared = getattr(module, "stepgrad_activation", None)
    if declared is not None:
        return str(get_activation(declared).name)
    if isinstance(module, torch.nn.Softmax) and module.dim not in (-1, 1, None):
        raise StepgradError(f"Softmax over dim {module.dim}: stepgrad normalises over the neurons (dim=-1)")
    for name, torch_name in TORCH_ACTIVATIONS.items():
        entry = ACTIVATIONS[name]
        if isinstance(module, getattr(torch.nn, torch_name)) and _same_form(module, entry):
            if entry.configure is not None:  # LeakyReLU(0.1): the entry with the module's numbers
                entry = entry.configure(**{key: float(getattr(module, key)) for key in entry.parameters})
            _check_fixed_numbers(module, entry)
            return entry.name
    return None


def _same_form(module: Any, activation: Activation) -> bool:
    """Whether the module's named options (``GELU(approximate="tanh")``) are the entry's: one module
    class can compute several entries (gelu and gelu_tanh)."""
    return all(
        getattr(module, option, value) == value
        for option, value in activation.torch_arguments.items()
        if isinstance(value, str)
    )


def _check_fixed_numbers(module: Any, activation: Activation) -> None:
    """``StepgradError`` when the module's numbers differ from the entry's fixed ones (LeakyReLU(0.2))."""
    numbers = {
        key: value for key, value in activation.torch_arguments.items() if key != "dim" and not isinstance(value, str)
    }
    for parameter, value in {**numbers, **activation.parameters}.items():
        theirs = float(getattr(module, parameter))
        if abs(theirs - value) > 1e-15:
            raise StepgradError(
                f"{activation.torch_module}({theirs:g}) is not supported: stepgrad's {activation.name} has a fixed "
                f"{parameter.replace('_', ' ')} of {value:g}, so only {activation.torch_module}({value:g}) "
                "(PyTorch's default) can be read"
            )


def split_layers(sequential: Any) -> list[tuple[Any, Any | None, str]]:
    """``(Linear, activation module or None, activation name)`` per layer of a Sequential.

    ``Linear`` subclasses count as ``Linear``. A ``Linear`` not followed by an activation is
    linear (``out = net``).
    """
    import torch

    modules = list(sequential)
    layers: list[tuple[Any, Any | None, str]] = []
    index = 0
    while index < len(modules):
        module = modules[index]
        if not isinstance(module, torch.nn.Linear):
            raise StepgradError(
                f"{type(module).__name__} is not a Linear layer where one was expected; "
                "stepgrad reads Linear layers each followed by at most one activation",
                location=f"module {index}",
            )
        following = modules[index + 1] if index + 1 < len(modules) else None
        name = activation_name(following) if following is not None else None
        if name is None:
            layers.append((module, None, "linear"))
            index += 1
        else:
            layers.append((module, following, name))
            index += 2
    if not layers:
        raise StepgradError("the Sequential has no Linear layer")
    return layers


def from_torch(
    sequential: Any,
    loss: str = "half_squared_error",
    output_activation: str | None = None,
    shared_bias: bool | Sequence[bool] | None = None,
) -> Network:
    """The ``Network`` of a ``Sequential`` of ``Linear`` and activation modules.

    Args:
        sequential: ``Linear`` layers, each followed by at most one activation module
            (``Sigmoid``, ``Tanh``, ``ReLU``, ``LeakyReLU(0.01)``, ``Softmax(dim=-1)``, ``Identity``,
            or a module with a ``stepgrad_activation`` attribute).
        loss: the stepgrad loss name the network is trained with.
        output_activation: the output layer's activation when the model leaves it to the loss
            (``softmax`` for ``CrossEntropyLoss``, ``sigmoid`` for ``BCEWithLogitsLoss``). A model
            that ends in logits (a final ``Linear``) with ``loss="cross_entropy"`` or
            ``"binary_cross_entropy"`` needs it: stepgrad's losses take probabilities, so the
            final layer becomes ``Linear`` + softmax (or sigmoid) only when you say so; without
            it ``from_torch`` raises an error naming the fix.
        shared_bias: read a layer's bias as one shared number (all its entries must be equal):
            True for every layer, False for none, or one flag per layer. None (the default): as
            ``to_torch`` marked each ``Linear`` (``stepgrad_bias``), per neuron when unmarked.
    """
    from stepgrad.training.init import head_problem

    parts = split_layers(sequential)
    if shared_bias is None:
        shared = [getattr(linear, "stepgrad_bias", None) == "shared" for linear, _, _ in parts]
    else:
        shared = [shared_bias] * len(parts) if isinstance(shared_bias, bool) else list(shared_bias)
    layers = []
    for position, (linear, _, name) in enumerate(parts):
        weights = linear.weight.detach().double().cpu().numpy().copy()
        if not linear.weight.requires_grad:
            raise StepgradError(
                "stepgrad trains every weight; this layer's weights are frozen", location=f"layer {position + 1}"
            )
        bias = np.zeros(0) if linear.bias is None else linear.bias.detach().double().cpu().numpy().copy()
        if linear.bias is None:  # no bias to train: as to_torch recorded it, else the default
            train_bias = bool(getattr(linear, "stepgrad_train_bias", True))
        else:
            train_bias = bool(linear.bias.requires_grad)
        if shared[position] and bias.size > 1:
            if not np.all(bias == bias[0]):
                why = "shared_bias=True" if shared_bias is not None else "to_torch marked the bias shared"
                raise StepgradError(
                    f"{why} but the bias entries differ (trained in PyTorch?); "
                    "pass shared_bias=False to read them per neuron",
                    location=f"layer {position + 1}",
                )
            bias = bias[:1]
        layers.append(Layer(weights, bias, name, train_bias=train_bias))
    if output_activation is not None:
        if layers[-1].activation != "linear":
            raise StepgradError(
                f"the model already ends in {layers[-1].activation}; cannot add {output_activation} for the loss"
            )
        last = layers[-1]
        layers[-1] = Layer(last.weights, last.bias, get_activation(output_activation).name, last.train_bias)
    problem = head_problem(layers[-1].activation, loss, layers[-1].n_out)
    if problem is not None:
        fix = get_loss(loss).paired_output
        if fix is not None and layers[-1].activation == "linear":
            problem += (
                f": the model ends in logits (a Linear layer); pass output_activation={fix!r}, "
                f"the {fix} that the PyTorch loss applies itself"
            )
        raise StepgradError(problem)
    return Network(tuple(layers), get_loss(loss).name)


def verify_torch_step(*args: Any, **kwargs: Any) -> Any:
    """See ``stepgrad.interop.torch_step.verify_torch_step``."""
    from stepgrad.interop.torch_step import verify_torch_step as verify

    return verify(*args, **kwargs)
