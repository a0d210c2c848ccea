"""A ``Linear`` layer written out in the forward: ``x @ fc.weight.T + fc.bias``, ``F.linear(x, fc.weight,
fc.bias)``, or ``x @ fc.weight + fc.bias`` (whatever runs is what is compared).

``functional_linears`` finds them in a ``torch.fx`` graph; each one names its ``nn.Linear`` (whose
parameters it uses), the call that takes the layer's input, and the node whose value is the layer's
``net``. The module itself is never called, so no module hook sees the values: ``probed_forward``
builds the forward again with an ``nn.Identity`` probe on the input and one on ``net`` of each such
layer, and the recorder hooks the probes as it hooks a ``Linear``.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FunctionalLinear:
    """One written-out ``Linear``: its module's place (``model.fc1``), the module, the node that takes the
    layer's input (``matmul`` or ``linear``), the node whose value is ``net``, and every node it is made of."""

    place: str
    module: Any
    first: Any
    net: Any
    nodes: frozenset[Any]
    untransposed: bool = False  # x @ fc.weight: not what nn.Linear computes (x @ fc.weight.T)


def functional_linears(model: Any, graph: Any, root: str) -> dict[Any, FunctionalLinear]:
    """The written-out ``Linear`` layers of a traced forward, keyed by the node whose value is ``net``."""
    import torch

    def parameter_of(node: Any, part: str) -> tuple[str, Any, list[Any]] | None:
        """``(module path, module, nodes)`` when ``node`` is ``fc.weight`` (or its ``.T`` / ``.t()``) of a Linear."""
        nodes = [node]
        if node.op in ("call_function", "call_method") and (
            (node.target is getattr and node.args[1:] == ("T",)) or node.target in ("t", "T")
        ):
            node = node.args[0]
            nodes.append(node)
        if node.op != "get_attr" or not str(node.target).endswith(f".{part}"):
            return None
        path = str(node.target).removesuffix(f".{part}")
        module = model.get_submodule(path)
        return (path, module, nodes) if isinstance(module, torch.nn.Linear) else None

    found: dict[Any, FunctionalLinear] = {}
    for node in graph.nodes:
        if node.op != "call_function":
            continue
        is_linear = getattr(node.target, "__name__", "") == "linear" and len(node.args) >= 2
        if node.target is not operator.matmul and not is_linear:
            continue
        weight = parameter_of(node.args[1], "weight")
        if weight is None:
            continue
        path, module, nodes = weight
        untransposed = node.target is operator.matmul and len(nodes) == 1
        net, parts = node, [node, *nodes]
        if is_linear and len(node.args) > 2 and node.args[2] is not None:
            bias = parameter_of(node.args[2], "bias")
            parts += [] if bias is None else bias[2]
        users = list(node.users)
        if node.target is operator.matmul and len(users) == 1 and users[0].target in (operator.add, torch.add):
            add = users[0]
            other = add.args[1] if add.args[0] is node else add.args[0]
            bias = parameter_of(other, "bias") if hasattr(other, "op") else None
            if bias is not None and bias[0] == path:
                net, parts = add, [*parts, add, *bias[2]]
        found[net] = FunctionalLinear(f"{root}.{path}", module, node, net, frozenset(parts), untransposed)
    return found


def probed_forward(model: Any, graph: Any, layers: list[FunctionalLinear]) -> tuple[Any, list[tuple[Any, Any]]]:
    """The forward as a ``GraphModule`` sharing the model's parameters and modules, with an ``nn.Identity``
    probe on the input and on ``net`` of each written-out layer: ``(module, [(probe_in, probe_net), …])``."""
    import torch
    import torch.fx

    module = torch.fx.GraphModule(model, graph)
    by_name = {node.name: node for node in module.graph.nodes}
    probes = []
    for index, layer in enumerate(layers):
        probe_in, probe_net = torch.nn.Identity(), torch.nn.Identity()
        module.add_submodule(f"stepgrad_input_{index}", probe_in)
        module.add_submodule(f"stepgrad_net_{index}", probe_net)
        first, net = by_name[layer.first.name], by_name[layer.net.name]
        with module.graph.inserting_before(first):
            given = module.graph.call_module(f"stepgrad_input_{index}", (first.args[0],))
        first.update_arg(0, given)
        with module.graph.inserting_after(net):
            recorded = module.graph.call_module(f"stepgrad_net_{index}", (net,))
        net.replace_all_uses_with(recorded, delete_user_cb=lambda user, probe=recorded: user is not probe)
        probes.append((probe_in, probe_net))
    module.recompile()
    return module, probes
