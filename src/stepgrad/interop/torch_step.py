"""Check a real PyTorch training step against stepgrad's trace, value by value.

``verify_torch_step`` runs one step of a ``torch.nn.Sequential`` (yours, or your own step
function), records it with forward hooks and autograd — ``net`` and ``out`` of every layer,
their gradients, every parameter's gradient, the parameters and the optimizer's buffers after
``optimizer.step()`` — then recomputes the step with ``stepgrad.core.train_step`` (forward,
backward) and stepgrad's optimizers (SGD with momentum, Nesterov and weight decay, Adam, AdamW;
see ``stepgrad.interop.torch_optim``) from the parameters and state as they were before, and
compares every number under the derivation's names:

* ``net_h1``, ``out_h1`` (forward hooks);
* ``E_total`` (the loss) and ``E_total+`` (the loss after the step);
* ``dE_total/dout_h1`` = B · ``out_h1.grad``, ``delta_h1`` = B · ``net_h1.grad``: the loss is a
  batch mean, so autograd's gradients of a sample's values carry a factor 1/B;
* ``dE_total/dw5`` = ``weight.grad`` (the batch mean, as stepgrad's update uses) and ``w5+``;
* the optimizer's buffers after the step: ``v_w5+`` (momentum), ``m_w5+`` and ``v_w5+`` (Adam).

With a batch of several samples the per-sample names get `` [s]`` (``out_h1 [2]``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from stepgrad.core.step import train_step
from stepgrad.core.trace import Trace
from stepgrad.errors import StepgradError
from stepgrad.interop.torch import from_torch, split_layers
from stepgrad.interop.torch_optim import describe, state_after, tensor_rules
from stepgrad.training.gradients import Functions, sample_losses
from stepgrad.training.params import Params

STAGES = ("forward", "error", "backward", "gradient", "update", "after")
DIAGNOSES = {
    "forward": "the forward pass differs: a module computes something other than Linear + its activation",
    "error": "the forward pass agrees but the loss differs: the loss is not the one given",
    "backward": "the forward pass agrees but the backward pass does not: a module's backward "
    "(e.g. a custom autograd.Function) computes the wrong derivative",
    "gradient": "the deltas agree but the parameter gradients do not: gradients accumulated over several "
    "backward calls (a missing zero_grad?) or were changed after backward",
    "update": "the gradients agree but the update does not: the optimizer did something other than its "
    "rule (learning rate, momentum, weight decay, gradient clipping, a second step?)",
    "after": "the new parameters agree but the new error does not",
}


@dataclass(frozen=True)
class ValueComparison:
    """One named value: what PyTorch recorded, what stepgrad computed, and whether they agree."""

    name: str
    stage: str
    torch: float
    stepgrad: float
    agrees: bool

    @property
    def difference(self) -> float:
        """``torch − stepgrad``."""
        return self.torch - self.stepgrad


@dataclass(frozen=True)
class TorchStepReport:
    """The comparison of one PyTorch step with stepgrad's trace.

    Attributes:
        comparisons: every compared value in the order a person works the step.
        trace: stepgrad's trace of the step.
        batch_size: samples in the step.
        rtol, atol: a value agrees when ``|torch − stepgrad| ≤ atol + rtol·|stepgrad|``.
        optimizer: the update rule(s) the step was checked against, e.g. ``adam (η = 0.01)``.
    """

    comparisons: tuple[ValueComparison, ...]
    trace: Trace
    batch_size: int
    rtol: float
    atol: float
    optimizer: str = "sgd"

    @property
    def ok(self) -> bool:
        """True when every value agrees."""
        return all(c.agrees for c in self.comparisons)

    @property
    def mismatches(self) -> list[ValueComparison]:
        """The values that disagree, in derivation order."""
        return [c for c in self.comparisons if not c.agrees]

    @property
    def first_mismatch(self) -> ValueComparison | None:
        """The first value that disagrees: where to start looking."""
        mismatches = self.mismatches
        return mismatches[0] if mismatches else None

    @property
    def diagnosis(self) -> str | None:
        """What the first disagreement points to, or None when all agree."""
        first = self.first_mismatch
        return None if first is None else DIAGNOSES[first.stage]

    def to_text(self) -> str:
        """A readable report: a summary line, the likely cause, a table of the disagreeing values."""
        total, bad = len(self.comparisons), self.mismatches
        header = (
            f"PyTorch step vs stepgrad: {total} values compared (batch of {self.batch_size}, {self.optimizer}; "
            f"tolerance rtol {self.rtol:g}, atol {self.atol:g})"
        )
        if not bad:
            return f"{header}\nall {total} values agree\n"
        width = max(len("value"), *(len(c.name) for c in bad))
        lines = [
            header,
            f"{len(bad)} disagree; the first is {bad[0].name} ({bad[0].stage})",
            f"likely cause: {self.diagnosis}",
            "",
            f"{'value':<{width}}  {'stage':<9}  {'torch':>16}  {'stepgrad':>16}  {'torch − stepgrad':>16}",
        ]
        for c in bad:
            lines.append(
                f"{c.name:<{width}}  {c.stage:<9}  {c.torch:>16.9g}  {c.stepgrad:>16.9g}  {c.difference:>16.3g}"
            )
        return "\n".join(lines) + "\n"

    def __str__(self) -> str:
        return self.to_text()


@dataclass(frozen=True)
class LossSpec:
    """How a PyTorch loss maps onto stepgrad: the loss name, an output activation the loss applies
    itself (``softmax`` inside ``CrossEntropyLoss``), and the callable PyTorch runs."""

    name: str
    output_activation: str | None
    function: Callable[[Any, Any], Any]


def loss_spec(loss: Any, n_outputs: int) -> LossSpec:
    """Map a ``torch.nn`` loss module (mean reduction) or a stepgrad loss name onto stepgrad."""
    import torch

    if isinstance(loss, str):
        from stepgrad.functions import get_loss

        name = get_loss(loss).name
        functions: dict[str, Callable[[Any, Any], Any]] = {
            "half_squared_error": lambda out, t: (0.5 * (t - out) ** 2).sum(dim=-1).mean(),
            "mse": lambda out, t: ((t - out) ** 2).mean(),
            "binary_cross_entropy": lambda out, t: torch.nn.functional.binary_cross_entropy(out, t, reduction="none")
            .sum(dim=-1)
            .mean(),
            "cross_entropy": lambda out, t: (-t * torch.log(out)).sum(dim=-1).mean(),
        }
        return LossSpec(name, None, functions[name])
    kind = type(loss).__name__
    if getattr(loss, "reduction", "mean") != "mean":
        raise StepgradError(f"{kind} with reduction={loss.reduction!r}: stepgrad's losses are batch means")
    if kind == "MSELoss":
        return LossSpec("mse", None, loss)  # mean over samples and outputs = Σ_o (t − out)²/n, batch mean
    if kind in ("BCELoss", "BCEWithLogitsLoss"):
        if n_outputs != 1:
            raise StepgradError(f"{kind} averages over outputs too; stepgrad sums E_o over outputs: "
                                "use one output, or pass loss='binary_cross_entropy'")
        if getattr(loss, "weight", None) is not None or getattr(loss, "pos_weight", None) is not None:
            raise StepgradError(f"{kind} with weights is not supported")
        return LossSpec("binary_cross_entropy", "sigmoid" if kind == "BCEWithLogitsLoss" else None, loss)
    if kind == "CrossEntropyLoss":
        if loss.weight is not None or loss.label_smoothing:
            raise StepgradError("CrossEntropyLoss with class weights or label smoothing is not supported")
        return LossSpec("cross_entropy", "softmax", loss)
    raise StepgradError(f"unsupported loss {kind}: use MSELoss, BCELoss, BCEWithLogitsLoss, CrossEntropyLoss "
                        "or a stepgrad loss name")


def default_step(model: Any, inputs: Any, targets: Any, loss: Callable[[Any, Any], Any], optimizer: Any) -> Any:
    """The textbook step: zero the gradients, forward, loss, backward, ``optimizer.step()``."""
    optimizer.zero_grad()
    value = loss(model(inputs), targets)
    value.backward()
    optimizer.step()
    return value


class _Recorder:
    """Forward hooks that keep each module's first output of the step, with its gradient retained."""

    def __init__(self, modules: list[Any]) -> None:
        self.outputs: dict[int, Any] = {}
        self.handles = [module.register_forward_hook(self._hook(i)) for i, module in enumerate(modules)]

    def _hook(self, index: int) -> Callable[..., None]:
        def hook(module: Any, args: Any, output: Any) -> None:
            if index not in self.outputs:
                if output.requires_grad:
                    output.retain_grad()
                self.outputs[index] = output

        return hook

    def remove(self) -> None:
        for handle in self.handles:
            handle.remove()


def _numpy(tensor: Any) -> np.ndarray:
    return tensor.detach().double().cpu().numpy()


def verify_torch_step(
    model: Any,
    inputs: Any,
    targets: Any,
    loss: Any,
    optimizer: Any,
    step: Callable[[Any, Any, Any, Callable[[Any, Any], Any], Any], Any] | None = None,
    rtol: float | None = None,
    atol: float | None = None,
) -> TorchStepReport:
    """Run one PyTorch training step and compare every value with stepgrad's.

    Args:
        model: a ``torch.nn.Sequential`` of ``Linear`` layers each followed by at most one
            activation (see ``from_torch``); float32 or float64.
        inputs: ``(B, n_inputs)`` tensor.
        targets: ``(B, n_outputs)`` tensor, or ``(B,)`` class indices for ``CrossEntropyLoss``.
        loss: a ``torch.nn`` loss module with mean reduction, or a stepgrad loss name.
        optimizer: ``torch.optim.SGD`` (momentum, Nesterov, weight decay), ``Adam`` or ``AdamW`` over
            the model's trained parameters, fresh or with state from earlier steps.
        step: your step, ``step(model, inputs, targets, loss, optimizer)``, if it is not the
            textbook one (``default_step``); it must call ``optimizer.step()``.
        rtol, atol: tolerances; default 1e-9/1e-12 for float64 models, 1e-4/1e-6 for float32.

    Returns:
        The report. The model is left as the step left it (updated).
    """
    import torch

    layers = split_layers(model)
    float64 = layers[0][0].weight.dtype == torch.float64
    rtol = rtol if rtol is not None else (1e-9 if float64 else 1e-4)
    atol = atol if atol is not None else (1e-12 if float64 else 1e-6)
    n_outputs = layers[-1][0].out_features
    spec = loss_spec(loss, n_outputs)
    # PyTorch trains every entry of a Linear bias on its own, so the step is checked per neuron
    network = from_torch(model, spec.name, spec.output_activation, shared_bias=False)
    trained = _trained_tensors(layers, network)
    rules = tensor_rules(optimizer, [tensor for tensor, _, _ in trained], [label for _, _, label in trained])
    x = _numpy(inputs)
    target = _numpy(targets)
    _check_batch(x, target, layers[0][0].in_features, n_outputs, spec.name)
    if spec.name == "cross_entropy" and target.ndim == 1:
        target = np.eye(n_outputs)[target.astype(int)]  # class indices → one-hot
    target = target.reshape(x.shape[0], n_outputs)

    linears = [linear for linear, _, _ in layers]
    activations = [module for _, module, _ in layers]
    hooked = [m for m in linears + activations if m is not None]
    recorder = _Recorder(hooked)
    try:
        loss_value = (step or default_step)(model, inputs, targets, spec.function, optimizer)
    finally:
        recorder.remove()
    with torch.no_grad():
        loss_after = float(spec.function(model(inputs), targets))

    trace = train_step(network, x, target, rules[0].learning_rate if rules else 0.0)
    batch = x.shape[0]
    names = trace.names
    compared: list[ValueComparison] = []

    def compare(name: str, stage: str, torch_value: float, stepgrad_value: float) -> None:
        agrees = bool(abs(torch_value - stepgrad_value) <= atol + rtol * abs(stepgrad_value))
        compared.append(ValueComparison(name, stage, float(torch_value), float(stepgrad_value), agrees))

    def recorded(module: Any) -> tuple[np.ndarray | None, np.ndarray | None]:
        if module is None or hooked.index(module) not in recorder.outputs:
            return None, None
        tensor = recorder.outputs[hooked.index(module)]
        grad = None if tensor.grad is None else _numpy(tensor.grad) * batch  # the loss is a batch mean
        return _numpy(tensor), grad

    def sample_name(name: str, s: int) -> str:
        return name if batch == 1 else f"{name} [{s}]"

    nan = float("nan")
    forward = [(recorded(linear), recorded(module)) for linear, module in zip(linears, activations, strict=True)]
    for s in range(batch):
        for index, ((net, _), (out, _)) in enumerate(forward):
            for j, neuron in enumerate(names.neurons[index]):
                if net is not None:
                    compare(sample_name(f"net_{neuron}", s), "forward", net[s, j], trace.layers[index].net[s, j])
                if out is not None:
                    compare(sample_name(f"out_{neuron}", s), "forward", out[s, j], trace.layers[index].out[s, j])
    compare("E_total" if batch == 1 else "E_total (batch mean)", "error", float(loss_value.detach()), trace.loss)
    for s in range(batch):
        for index in reversed(range(len(layers))):
            (_, net_grad), (_, out_grad) = forward[index]
            for j, neuron in enumerate(names.neurons[index]):
                if out_grad is not None:
                    compare(sample_name(f"dE_total/dout_{neuron}", s), "backward", out_grad[s, j],
                            trace.layers[index].dE_dout[s, j])
                compare(sample_name(f"delta_{neuron}", s), "backward",
                        nan if net_grad is None else net_grad[s, j], trace.layers[index].delta[s, j])
    for index in reversed(range(len(layers))):
        linear, layer_trace = linears[index], trace.layers[index]
        grad_w = None if linear.weight.grad is None else _numpy(linear.weight.grad)
        for j, row in enumerate(names.weights[index]):
            for i, weight in enumerate(row):
                compare(f"dE_total/d{weight}", "gradient", nan if grad_w is None else grad_w[j, i],
                        layer_trace.grad_w[j, i])
        if network.layers[index].trains_bias:
            grad_b = _numpy(linear.bias.grad) if linear.bias.grad is not None else None
            for k, bias in enumerate(names.biases[index]):
                compare(f"dE_total/d{bias}", "gradient", nan if grad_b is None else grad_b[k], layer_trace.grad_b[k])
    # the update: each trained tensor by the rule of its parameter group, from the state before the step
    new_params = [[layer.weights, layer.bias] for layer in network.layers]
    for (tensor, (index, part), _), rule in zip(trained, rules, strict=True):
        layer, layer_trace = network.layers[index], trace.layers[index]
        before, grad = (layer.weights, layer_trace.grad_w) if part == 0 else (layer.bias, layer_trace.grad_b)
        labels = [w for row in names.weights[index] for w in row] if part == 0 else list(names.biases[index])
        updated, state_new, _ = rule.optimizer.update_recorded([before], [grad], rule.state, rule.learning_rate, [True])
        new_params[index][part] = updated[0]
        after = _numpy(tensor).ravel()
        for k, label in enumerate(labels):
            compare(f"{label}+", "update", after[k], updated[0].ravel()[k])
        torch_buffers = state_after(optimizer, tensor, rule.optimizer)
        for buffer, values in state_new.buffers.items():
            theirs = torch_buffers.get(buffer)
            for k, label in enumerate(labels):
                compare(f"{buffer}_{label}+", "update", nan if theirs is None else theirs.ravel()[k],
                        values[0].ravel()[k])
    params_new = Params(tuple(p[0] for p in new_params), tuple(p[1] for p in new_params))
    loss_new = float(np.mean(sample_losses(params_new, Functions.of(network), x, target)))
    compare("E_total+" if batch == 1 else "E_total+ (batch mean)", "after", loss_after, loss_new)
    return TorchStepReport(tuple(compared), trace, batch, rtol, atol, describe(rules))


def _check_batch(x: np.ndarray, target: np.ndarray, n_inputs: int, n_outputs: int, loss: str) -> None:
    """Inputs ``(B, n_inputs)`` and targets ``(B, n_outputs)`` (``(B,)`` for one output, or class indices
    ``0 … n_outputs−1`` for a cross-entropy loss), else one ``StepgradError`` naming the shapes."""
    if x.ndim != 2 or x.shape[1] != n_inputs:
        raise StepgradError(f"the inputs have shape {tuple(x.shape)}; the model takes {n_inputs} inputs, "
                            f"so give (B, {n_inputs})")
    batch = x.shape[0]
    if target.shape == (batch, n_outputs) or (target.shape == (batch,) and n_outputs == 1):
        return
    if loss == "cross_entropy" and target.shape == (batch,):
        if not np.all((target == np.round(target)) & (target >= 0) & (target < n_outputs)):
            raise StepgradError(f"1-D targets for {n_outputs} outputs are class indices 0 … {n_outputs - 1}")
        return
    indices = " or class indices (B,)" if loss == "cross_entropy" else ""
    raise StepgradError(f"the targets have shape {tuple(target.shape)}; for a batch of {batch} and a model with "
                        f"{n_outputs} outputs give ({batch}, {n_outputs}){indices}")


def _trained_tensors(layers: list[tuple[Any, Any, str]], network: Any) -> list[tuple[Any, tuple[int, int], str]]:
    """``(tensor, (layer index, 0 weights / 1 bias), label)`` of every parameter the step trains."""
    trained = []
    for index, (linear, _, _) in enumerate(layers):
        trained.append((linear.weight, (index, 0), f"layer {index + 1}'s weights"))
        if network.layers[index].trains_bias and linear.bias is not None:
            trained.append((linear.bias, (index, 1), f"layer {index + 1}'s bias"))
    return trained
