"""Read any ``torch.nn.Module`` as the chain stepgrad checks: ``Linear`` layers, each followed by
at most one elementwise activation, whatever the model's ``forward`` looks like.

``read_chain(model)`` follows what the forward runs: ``torch.fx`` traces it (leaf modules are
kept whole, so a ``Linear`` subclass stays one step and functional calls such as ``F.relu(x)`` or
``x.sigmoid()`` show up between the modules); where the forward does not trace (data-dependent
Python) or calls something that is neither an activation nor a pass-through (a custom autograd
Function, ``x * 2``), the ``Linear`` modules are followed as they run and each activation is left
for ``verify_torch_step`` to read off the recorded values (a wrong one then shows in the forward).

Pass-through steps are understood and skipped: ``Identity``, ``Flatten`` (of a ``(B, n)`` input),
``Dropout`` in eval mode (or ``p=0``), ``detach``, ``view``/``reshape``/``flatten``/``squeeze`` and
dtype casts. Anything else is refused with its place: ``model.norm: LayerNorm is not supported;
supported are …``.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from typing import Any

from stepgrad.errors import StepgradError
from stepgrad.functions.activations import ACTIVATIONS, Activation
from stepgrad.interop.torch import activation_name
from stepgrad.interop.torch_functional import FunctionalLinear, functional_linears


def _is_variant(entry: Activation) -> bool:
    """An entry that is a named option of another's module (``GELU(approximate="tanh")``)."""
    return any(isinstance(value, str) and value != "none" for value in entry.torch_arguments.values())


def _module_spelling(entry: Activation) -> str:
    """``LeakyReLU(0.01)``, ``GELU(approximate='tanh')``: the module with the entry's numbers."""
    options = [f"any {key}" if entry.configure else f"{value:g}" for key, value in entry.parameters.items()]
    options += [f"{key}={value!r}" for key, value in entry.torch_arguments.items() if _is_variant(entry)]
    return f"{entry.torch_module}({', '.join(options)})" if options else str(entry.torch_module)


SUPPORTED = (
    "Linear, "
    + ", ".join(
        _module_spelling(entry)
        for entry in ACTIVATIONS.values()
        if entry.torch_module is not None and entry.torch_module != "Identity" and entry.hidden
    )
    + ", Softmax (at the end), and the pass-through Identity, Flatten of a (B, n) input, Dropout in eval mode"
)

# functional spellings of the activations (torch.*, F.*, Tensor methods, in-place forms): the registry
# names; an entry that is another's variant (gelu_tanh: F.gelu(approximate="tanh")) is read off the call
FUNCTIONAL_ACTIVATIONS: dict[str, str] = {
    spelling: name
    for name, entry in ACTIVATIONS.items()
    if entry.torch_module not in (None, "Identity") and not _is_variant(entry)
    for spelling in (name, f"{name}_")
}
# calls that leave a (B, n) batch's values as they are
PASS_THROUGH = {
    "detach",
    "view",
    "reshape",
    "flatten",
    "squeeze",
    "float",
    "double",
    "to",
    "contiguous",
    "clone",
    "type_as",
    "identity",
    "size",
    "dim",
}


@dataclass
class ChainLayer:
    """One layer: its ``Linear`` (with its place, ``model.fc1``) and its activation.

    ``activation`` is a stepgrad name, ``"linear"`` when nothing follows, or None when the
    forward did not trace and the activation is to be read off the recorded values.
    ``activation_place`` says where it runs (``model.act1`` or ``F.relu in model.forward``).
    """

    linear_name: str
    linear: Any
    activation: str | None = "linear"
    activation_place: str | None = None
    activation_module: Any = None
    functional: FunctionalLinear | None = None  # written out in the forward (x @ W.T + b), not called


@dataclass
class Chain:
    """The layers in the order they run, whether torch.fx traced the forward, and notes (detach …);
    ``graph`` is the traced forward when a layer is written out in it (``x @ W.T + b``)."""

    layers: list[ChainLayer]
    traced: bool
    notes: list[str] = field(default_factory=list)
    graph: Any = None

    @property
    def linears(self) -> list[Any]:
        return [layer.linear for layer in self.layers]


def _refuse(place: str, what: str) -> StepgradError:
    return StepgradError(f"{what} is not supported; supported are {SUPPORTED}", location=place)


def _leaf_modules(model: Any, root: str) -> list[tuple[str, Any]]:
    """``(model.fc1, module)`` of every module without children, in registration order."""
    leaves = [
        (f"{root}.{name}" if name else root, module)
        for name, module in model.named_modules()
        if not any(True for _ in module.children())
    ]
    return leaves


def _read_module(chain: Chain, place: str, module: Any) -> None:
    """Add one leaf module to the chain, or refuse it naming its place."""
    import torch

    if isinstance(module, torch.nn.Linear):
        chain.layers.append(ChainLayer(place, module))
        return
    if isinstance(module, torch.nn.Flatten | torch.nn.Identity):
        return
    if isinstance(module, torch.nn.Dropout | torch.nn.AlphaDropout):
        if module.training and module.p > 0:
            raise StepgradError(
                f"{type(module).__name__}(p={module.p:g}) in training mode is not supported: it drops "
                "values at random, so no step can be recomputed; call model.eval() (or use p=0) "
                "for the check",
                location=place,
            )
        return
    try:
        name = activation_name(module)
    except StepgradError as error:
        raise StepgradError(error.message, location=place) from None
    if name is None:
        raise _refuse(place, type(module).__name__)
    _add_activation(chain, place, name, module)


def _add_activation(chain: Chain, place: str, name: str, module: Any = None) -> None:
    if not chain.layers:
        raise StepgradError(f"an activation ({name}) before the first Linear layer is not supported", location=place)
    layer = chain.layers[-1]
    if layer.activation_place is not None:
        raise StepgradError(
            f"a second activation ({name}) after {layer.activation_place} is not supported: "
            "stepgrad reads at most one activation per Linear layer",
            location=place,
        )
    layer.activation, layer.activation_place, layer.activation_module = name, place, module


def _target_name(node: Any) -> str:
    target = node.target
    if isinstance(target, str):
        return target
    return str(getattr(target, "__name__", target))


def _read_call(chain: Chain, node: Any, root: str) -> None:
    """A functional call in the forward: an activation, a pass-through, or a refusal."""

    name = _target_name(node)
    place = f"{root}.forward"
    if name in FUNCTIONAL_ACTIVATIONS:
        activation = _functional_numbers(
            ACTIVATIONS[_functional_variant(FUNCTIONAL_ACTIVATIONS[name], node)], node, place
        )
        if activation == "softmax":
            dim = node.kwargs.get("dim", node.args[1] if len(node.args) > 1 else None)
            if dim not in (-1, 1, None):
                raise StepgradError(
                    f"softmax over dim {dim}: stepgrad normalises over the neurons (dim=-1)", location=place
                )
        _add_activation(chain, f"{name} in {place}", activation)
        return
    if name in ("detach", "requires_grad_"):
        where = (chain.layers[-1].activation_place or chain.layers[-1].linear_name) if chain.layers else "the input"
        chain.notes.append(f"the forward detaches after {where}")
        return
    if name in PASS_THROUGH or (node.target is operator.getitem and _is_shape(node.args[0])):
        return
    if name == "dropout" and (node.kwargs.get("training") is False or node.kwargs.get("p") == 0):
        return
    raise _UnnamedCallError(name)


def _functional_variant(name: str, node: Any) -> str:
    """The entry a functional call computes: ``F.gelu(x, approximate="tanh")`` is gelu_tanh."""
    for other, entry in ACTIVATIONS.items():
        options = {key: value for key, value in entry.torch_arguments.items() if isinstance(value, str)}
        same_module = entry.torch_module == ACTIVATIONS[name].torch_module and bool(options)
        if same_module and all(node.kwargs.get(key, "none") == value for key, value in options.items()):
            return other
    return name


def _functional_numbers(entry: Activation, node: Any, place: str) -> str:
    """The stepgrad name of a functional call with its numbers: ``F.leaky_relu(x, 0.2)`` is
    ``leaky_relu(negative_slope=0.2)``; numbers a fixed entry does not have (``F.elu(x, alpha=0.5)``)
    are refused. Each entry's first number may be given by position."""
    given: dict[str, float] = {}
    for position, (parameter, value) in enumerate(entry.parameters.items(), start=1):
        number = node.kwargs.get(parameter, node.args[position] if len(node.args) > position else value)
        if not isinstance(number, float | int):
            raise StepgradError(
                f"{entry.name} with {parameter.replace('_', ' ')} {number} cannot be read", location=place
            )
        given[parameter] = float(number)
        if entry.configure is None and abs(float(number) - value) > 1e-15:
            raise StepgradError(
                f"{entry.name} with {parameter.replace('_', ' ')} {number} is not supported: stepgrad's "
                f"{entry.name} has the fixed {parameter.replace('_', ' ')} {value:g}",
                location=place,
            )
    return entry.configure(**given).name if entry.configure is not None else entry.name


class _UnnamedCallError(Exception):
    """A call in the forward that is neither an activation nor a pass-through."""


def _is_shape(node: Any) -> bool:
    return getattr(node, "op", None) in ("call_method", "call_function") and _target_name(node) in ("size", "shape")


def read_chain(model: Any, root: str = "model") -> Chain:
    """The chain of ``model``: its ``Linear`` layers and activations in the order the forward runs.

    Raises:
        StepgradError: naming the first module or call that is not supported, with its place.
    """
    import torch
    import torch.fx

    class LeafTracer(torch.fx.Tracer):
        def is_leaf_module(self, m: Any, module_qualified_name: str) -> bool:
            return not any(True for _ in m.children())

    leaves = _leaf_modules(model, root)
    if len(leaves) == 1 and leaves[0][1] is model:  # the model itself is one leaf (a bare Linear)
        chain = Chain([], traced=True)
        _read_module(chain, root, model)
        return _finish(chain)
    try:
        graph = LeafTracer().trace(model)
    except Exception:  # any Python in forward may refuse to trace: read the modules instead
        graph = None
    traced = None if graph is None else _read_graph(model, graph, root)
    if traced is not None:
        chain = traced
    else:  # untraceable, or calls fx cannot name (a custom autograd Function): follow the modules
        chain = Chain([], traced=False)
        for place, module in leaves:
            _read_module(Chain([ChainLayer("", None)], traced=False), place, module)  # refuses what is not supported
            if isinstance(module, torch.nn.Linear):  # the activations are read off the recorded values
                chain.layers.append(ChainLayer(place, module, activation=None))
    return _finish(chain)


def _read_graph(model: Any, graph: Any, root: str) -> Chain | None:
    """The chain as torch.fx traced it, None when it has calls that are neither an activation nor a
    pass-through (then the modules are followed and the activations read off the recorded values)."""
    for node in graph.nodes:  # name an unsupported module before any call around it
        if node.op == "call_module":
            _read_module(
                Chain([ChainLayer("", None)], traced=True), f"{root}.{node.target}", model.get_submodule(node.target)
            )
    chain = Chain([], traced=True)
    written_out = functional_linears(model, graph, root)
    consumed = {part for layer in written_out.values() for part in layer.nodes}
    for node in graph.nodes:
        if node in written_out:
            layer = written_out[node]
            chain.layers.append(ChainLayer(layer.place, layer.module, functional=layer))
            chain.graph = graph
        elif node in consumed:
            continue
        elif node.op == "call_module":
            _read_module(chain, f"{root}.{node.target}", model.get_submodule(node.target))
        elif node.op in ("call_function", "call_method"):
            try:
                _read_call(chain, node, root)
            except _UnnamedCallError:
                return None
    return chain


def _finish(chain: Chain) -> Chain:
    if not chain.layers:
        raise StepgradError("the model has no Linear layer; " + f"supported are {SUPPORTED}")
    for layer in chain.layers[:-1]:
        if layer.activation == "softmax":
            raise StepgradError(
                "softmax in a hidden layer is not supported: stepgrad's softmax is an output activation",
                location=layer.activation_place,
            )
    seen: set[int] = set()
    for layer in chain.layers:
        if id(layer.linear) in seen:
            raise StepgradError(
                "this Linear layer runs twice in one forward pass; stepgrad reads a chain in "
                "which each Linear runs once",
                location=layer.linear_name,
            )
        seen.add(id(layer.linear))
    return chain
