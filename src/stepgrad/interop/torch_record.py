"""Record every forward pass of a model during one training step, and the gradients autograd sends back.

Each call of the model is one ``ForwardPass``. In it, every ``Linear`` layer's input and output
(``net``), and every activation module's output (``out``), are copied the moment they are made:
a forward pre-hook and a forward hook clone them, so an in-place activation
(``ReLU(inplace=True)``) cannot overwrite ``net`` before it is recorded. A tensor hook on each
recorded tensor, registered at that moment too, keeps the gradient of that value (not of what an
in-place call made of it later).

The pass the backward used is the first one whose output received a gradient; the others (a
validation pass under ``no_grad``, a second forward for logging) are listed and ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from stepgrad.interop.torch_chain import Chain


def to_numpy(tensor: Any) -> np.ndarray:
    """A tensor's values as float64 NumPy (a copy)."""
    return np.array(tensor.detach().double().cpu().numpy(), dtype=np.float64)


@dataclass
class Recorded:
    """One tensor as it was made: its values, whether autograd tracked it, and the gradient it got."""

    value: np.ndarray
    requires_grad: bool
    grad: np.ndarray | None = None


@dataclass
class ForwardPass:
    """One call of the model: its input and output, and per layer its ``Linear`` input, ``net`` and ``out``."""

    index: int
    grad_enabled: bool
    input: np.ndarray | None = None
    output: Recorded | None = None
    linear_inputs: dict[int, Recorded] = field(default_factory=dict)
    nets: dict[int, Recorded] = field(default_factory=dict)
    outs: dict[int, Recorded] = field(default_factory=dict)
    order: list[int] = field(default_factory=list)  # the layers' Linear modules in the order they ran
    calls: dict[int, int] = field(default_factory=dict)  # calls of each activation module so far

    @property
    def used_by_backward(self) -> bool:
        return self.output is not None and self.output.grad is not None

    def describe(self) -> str:
        if not self.grad_enabled:
            return f"forward pass {self.index + 1} (under torch.no_grad)"
        return f"forward pass {self.index + 1} (no backward went through it)"


class StepRecorder:
    """Hooks on the model (each call is a pass) and on the chain's modules; ``remove()`` when done."""

    def __init__(self, model: Any, chain: Chain) -> None:
        self.passes: list[ForwardPass] = []
        self._depth = 0
        self.handles = [model.register_forward_pre_hook(self._start), model.register_forward_hook(self._end)]
        uses: dict[int, tuple[Any, list[int]]] = {}  # one activation module may serve several layers
        probes = iter(self._probe(model, chain))
        for index, layer in enumerate(chain.layers):
            takes_input, gives_net = next(probes) if layer.functional is not None else (layer.linear, layer.linear)
            self.handles.append(takes_input.register_forward_pre_hook(self._linear_input(index)))
            self.handles.append(gives_net.register_forward_hook(self._net(index)))
            if layer.activation_module is not None:
                uses.setdefault(id(layer.activation_module), (layer.activation_module, []))[1].append(index)
        for module, indices in uses.values():
            self.handles.append(module.register_forward_hook(self._out(id(module), indices)))

    @property
    def current(self) -> ForwardPass | None:
        return self.passes[-1] if self._depth > 0 and self.passes else None

    def _start(self, module: Any, args: Any) -> None:
        import torch

        self._depth += 1
        if self._depth == 1:
            forward = ForwardPass(len(self.passes), torch.is_grad_enabled())
            if args and hasattr(args[0], "detach"):
                forward.input = to_numpy(args[0])
            self.passes.append(forward)

    def _end(self, module: Any, args: Any, output: Any) -> None:
        if self._depth == 1 and self.passes and hasattr(output, "detach"):
            self.passes[-1].output = _record(output)
        self._depth = max(0, self._depth - 1)

    def _linear_input(self, index: int) -> Callable[..., None]:
        def hook(module: Any, args: Any) -> None:
            forward = self.current
            if forward is not None and index not in forward.linear_inputs and args:
                forward.linear_inputs[index] = _record(args[0])
                forward.order.append(index)

        return hook

    def _net(self, index: int) -> Callable[..., None]:
        def hook(module: Any, args: Any, output: Any) -> None:
            forward = self.current
            if forward is not None and index not in forward.nets:
                forward.nets[index] = _record(output)

        return hook

    def _out(self, key: int, indices: list[int]) -> Callable[..., None]:
        def hook(module: Any, args: Any, output: Any) -> None:
            forward = self.current
            if forward is None:
                return
            call = forward.calls.get(key, 0)  # the n-th call of a reused module is the n-th layer it serves
            forward.calls[key] = call + 1
            if call < len(indices):
                forward.outs[indices[call]] = _record(output)

        return hook

    def _probe(self, model: Any, chain: Chain) -> list[tuple[Any, Any]]:
        """Layers written out in the forward (``x @ W.T + b``) call no module: run the forward rebuilt with a
        probe on each one's input and ``net`` (the same parameters), until ``remove()``."""
        written_out = [layer.functional for layer in chain.layers if layer.functional is not None]
        self._forward_before: tuple[Any, bool, Any] | None = None
        if not written_out:
            return []
        from stepgrad.interop.torch_functional import probed_forward

        rebuilt, probes = probed_forward(model, chain.graph, written_out)
        self._forward_before = (model, "forward" in vars(model), vars(model).get("forward"))
        model.forward = rebuilt.forward
        return probes

    def remove(self) -> None:
        for handle in self.handles:
            handle.remove()
        if self._forward_before is not None:
            model, had_own, forward = self._forward_before
            if had_own:
                model.forward = forward
            else:
                del model.forward
            self._forward_before = None

    def used_pass(self) -> ForwardPass | None:
        """The first pass a backward went through."""
        return next((forward for forward in self.passes if forward.used_by_backward), None)


def _record(tensor: Any) -> Recorded:
    """Copy ``tensor`` now, and keep the gradient of this value when a backward comes."""
    recorded = Recorded(to_numpy(tensor), bool(tensor.requires_grad))
    if tensor.requires_grad:

        def keep(grad: Any) -> None:
            value = to_numpy(grad)
            recorded.grad = value if recorded.grad is None else recorded.grad + value

        tensor.register_hook(keep)
    return recorded


def merge(passes: list[ForwardPass]) -> ForwardPass:
    """Micro-batches (several passes, each over part of the batch, one backward each) as one pass over
    the whole batch: values and gradients stacked sample after sample."""
    first = passes[0]

    def stack(records: list[Recorded | None]) -> Recorded | None:
        if any(r is None for r in records):
            return None
        present = [r for r in records if r is not None]
        grads = [r.grad for r in present]
        grad = None if any(g is None for g in grads) else np.concatenate([g for g in grads if g is not None])
        return Recorded(np.concatenate([r.value for r in present]), all(r.requires_grad for r in present), grad)

    def stack_all(key: str) -> dict[int, Recorded]:
        found = {}
        for index in getattr(first, key):
            merged = stack([getattr(f, key).get(index) for f in passes])
            if merged is not None:
                found[index] = merged
        return found

    inputs = [f.input for f in passes]
    return ForwardPass(
        first.index,
        first.grad_enabled,
        None if any(i is None for i in inputs) else np.concatenate([i for i in inputs if i is not None]),
        stack([f.output for f in passes]),
        stack_all("linear_inputs"),
        stack_all("nets"),
        stack_all("outs"),
        first.order,
    )
