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
* ``dE_total/dout_h1`` = B · ``out_h1.grad``, ``delta_h1`` = B · ``net_h1.grad``: a ``mean`` loss is a
  batch mean, so autograd's gradients of a sample's values carry a factor 1/B (a ``sum`` loss is checked
  against a network with ``reduction = "sum"``, and its gradients are autograd's own);
* ``dE_total/dw5`` = ``weight.grad`` (the batch mean, as stepgrad's update uses) and ``w5+``;
* the optimizer's buffers after the step: ``v_w5+`` (momentum), ``m_w5+`` and ``v_w5+`` (Adam).

With a batch of several samples the per-sample names get `` [s]`` (``out_h1 [2]``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from stepgrad.core.step import ieee_arithmetic, train_step
from stepgrad.errors import StepgradError
from stepgrad.functions import ACTIVATIONS
from stepgrad.functions.losses import get_reduction, reduction_factor
from stepgrad.interop.torch_chain import Chain, read_chain
from stepgrad.interop.torch_divergence import clamped_log, torch_divergence
from stepgrad.interop.torch_optim import STATE_BUFFERS, describe, state_after, tensor_rules
from stepgrad.interop.torch_record import ForwardPass, Recorded, StepRecorder, merge, to_numpy
from stepgrad.interop.torch_report import DIAGNOSES, STAGES, Problem, TorchStepReport, ValueComparison
from stepgrad.interop.torch_rounding import float32_rounding, rounded_replay
from stepgrad.network import value_names
from stepgrad.network.model import Layer, Network
from stepgrad.training.gradients import Functions, sample_losses
from stepgrad.training.init import head_problem
from stepgrad.training.params import Params

__all__ = [
    "DIAGNOSES",
    "STAGES",
    "LossSpec",
    "Problem",
    "TorchStepReport",
    "ValueComparison",
    "default_step",
    "loss_spec",
    "verify_torch_step",
]


@dataclass(frozen=True)
class LossSpec:
    """How a PyTorch loss maps onto stepgrad: the loss name, an output activation the loss applies
    itself (``softmax`` inside ``CrossEntropyLoss``), the callable PyTorch runs, and its reduction
    (stepgrad's network is given the same reduction; ``scale`` is what is left)."""

    name: str
    output_activation: str | None
    function: Callable[[Any, Any], Any]
    reduction: str = "mean"
    kind: str = ""
    per_output_mean: bool = False

    def scale(self, n_outputs: int) -> float:
        """``c`` in PyTorch's loss = c · the loss of stepgrad's network with the same reduction.

        1, except for a module whose ``mean`` also averages a sample's outputs where stepgrad's ``E_total``
        adds them (``TorchModule.per_output_mean``: BCELoss, BCEWithLogitsLoss): ``c = 1/n``. With ``sum``
        both add every entry (``mse`` adds its outputs under ``sum``, as MSELoss).
        """
        return 1.0 / n_outputs if self.per_output_mean and self.reduction == "mean" else 1.0


def loss_spec(loss: Any, n_outputs: int, reduction: str = "mean") -> LossSpec:
    """Map a ``torch.nn`` loss module (mean or sum reduction) or a stepgrad loss name (with ``reduction``,
    as a network file's) onto stepgrad, through the loss registry (``Loss.torch_modules``, ``torch_terms``)."""
    from stepgrad.functions import LOSSES, get_loss

    if isinstance(loss, str):
        entry = get_loss(loss, reduction)
        terms = entry.torch_terms  # E_total of each sample (B,)
        if terms is None:
            raise StepgradError(f"{entry.name} has no PyTorch form to check a step against")

        def combined(out: Any, t: Any) -> Any:
            return terms(out, t).sum() if reduction == "sum" else terms(out, t).mean()

        return LossSpec(entry.name, None, combined, get_reduction(reduction).name)
    kind = type(loss).__name__
    reduction = getattr(loss, "reduction", "mean")
    if reduction not in ("mean", "sum"):
        raise StepgradError(f"{kind} with reduction={reduction!r}: stepgrad checks reduction 'mean' or 'sum'")
    modules = {module.name: (entry, module) for entry in LOSSES.values() for module in entry.torch_modules}
    if kind not in modules:
        raise StepgradError(f"unsupported loss {kind}: use {', '.join(modules)} or a stepgrad loss name")
    entry, module = modules[kind]
    problem = module.problem(loss)
    if problem is not None:
        raise StepgradError(problem)
    return LossSpec(entry.name, module.applies, loss, reduction, kind, module.per_output_mean)


def default_step(model: Any, inputs: Any, targets: Any, loss: Callable[[Any, Any], Any], optimizer: Any) -> Any:
    """The textbook step: zero the gradients, forward, loss, backward, ``optimizer.step()``."""
    optimizer.zero_grad()
    value = loss(model(inputs), targets)
    value.backward()
    optimizer.step()
    return value


@dataclass(frozen=True)
class _Parameter:
    """A trained tensor: where it lives (``model.fc1.weight``), its layer and part (0 weights,
    1 bias), and its values before the step."""

    tensor: Any
    place: str
    layer: int
    part: int
    before: np.ndarray


@ieee_arithmetic  # a step that overflows is compared and explained (torch_divergence), without NumPy warnings
def verify_torch_step(
    model: Any,
    inputs: Any,
    targets: Any,
    loss: Any,
    optimizer: Any,
    step: Callable[[Any, Any, Any, Callable[[Any, Any], Any], Any], Any] | None = None,
    rtol: float | None = None,
    atol: float | None = None,
    root: str = "model",
    reduction: str = "mean",
) -> TorchStepReport:
    """Run one PyTorch training step and compare every value with stepgrad's.

    Args:
        model: any ``torch.nn.Module`` whose computation is a chain of ``Linear`` layers, each
            followed by at most one activation (module or functional call; see ``read_chain``);
            float32 or float64.
        inputs: ``(B, n_inputs)`` tensor.
        targets: ``(B, n_outputs)`` tensor, or ``(B,)`` class indices for ``CrossEntropyLoss``.
        loss: a ``torch.nn`` loss module (reduction ``mean`` or ``sum``), or a stepgrad loss name.
        optimizer: ``torch.optim.SGD`` (momentum, Nesterov, weight decay), ``Adam`` or ``AdamW`` over
            the model's trained parameters, fresh or with state from earlier steps.
        step: your step, ``step(model, inputs, targets, loss, optimizer)``, if it is not the
            textbook one (``default_step``); it must call ``optimizer.step()``. Only the forward
            pass its backward went through is compared; other passes are listed as ignored.
        rtol, atol: tolerances; default 1e-9/1e-12 for float64 models, 1e-4/1e-6 for float32.
        root: what the model is called in the report (``model.fc1.weight``).
        reduction: ``mean`` or ``sum``, for a stepgrad loss name (a loss module carries its own).

    Returns:
        The report. The model is left as the step left it (updated).
    """
    import torch

    chain = read_chain(model, root)
    float64 = chain.layers[0].linear.weight.dtype == torch.float64
    rtol = rtol if rtol is not None else (1e-9 if float64 else 1e-4)
    atol = atol if atol is not None else (1e-12 if float64 else 1e-6)
    n_outputs = chain.layers[-1].linear.out_features
    spec = loss_spec(loss, n_outputs, reduction)
    parameters = _parameters(chain)
    held = {id(p) for group in optimizer.param_groups for p in group["params"]}
    problems = [
        Problem(
            "update",
            p.place,
            f"{p.place} is not among the optimizer's parameters, so optimizer.step() "
            "never changes it (re-assigned after the optimizer was built?)",
        )
        for p in parameters
        if id(p.tensor) not in held
    ]
    frozen = {id(p.tensor) for p in parameters if not p.tensor.requires_grad}
    problems += [
        Problem(
            "backward",
            p.place,
            f"no gradient reaches {p.place}: it has requires_grad=False, so "
            "optimizer.step() never changes it (frozen by mistake?)",
        )
        for p in parameters
        if id(p.tensor) in frozen
    ]
    trained = [p for p in parameters if id(p.tensor) in held]
    rules = tensor_rules(optimizer, [p.tensor for p in trained], [p.place for p in trained])
    x, target = to_numpy(inputs), to_numpy(targets)
    _check_batch(x, target, chain.layers[0].linear.in_features, n_outputs, spec.name)

    recorder = StepRecorder(model, chain)
    try:
        loss_value = (step or default_step)(model, inputs, targets, spec.function, optimizer)
    finally:
        recorder.remove()
    with torch.no_grad():
        loss_after = float(spec.function(model(inputs), targets))
    used = recorder.used_pass()
    if used is None:
        raise StepgradError(
            "no backward went through the model's output during the step "
            "(does the step call backward() on a loss of the model's output?)"
        )
    never = [layer.linear_name for k, layer in enumerate(chain.layers) if k not in used.order]
    if never:
        raise StepgradError(
            "never called as a module in the forward pass (its weight used directly, "
            "as in x @ W?); verify-torch follows nn.Linear modules as they run",
            location=never[0],
        )
    if used.order != list(range(len(chain.layers))):
        ran = ", ".join(chain.layers[k].linear_name for k in used.order) or "none"
        raise StepgradError(
            f"the Linear layers that ran ({ran}) are not the chain the forward was read as "
            f"({', '.join(layer.linear_name for layer in chain.layers)})"
        )
    notes: list[str] = []
    backward_passes = [forward for forward in recorder.passes if forward.used_by_backward]
    if len(backward_passes) > 1 and all(forward.input is not None for forward in backward_passes):
        stacked = np.concatenate([forward.input for forward in backward_passes if forward.input is not None])
        if stacked.shape[0] == x.shape[0] and np.allclose(stacked.reshape(x.shape), x):
            used = merge(backward_passes)
            notes.append(
                f"micro-batches: {len(backward_passes)} forward passes over parts of the batch, a backward "
                "through each, checked as one pass over the whole batch"
            )
    merged = {forward.index for forward in backward_passes} if len(notes) else {used.index}
    ignored = tuple(forward.describe() for forward in recorder.passes if forward.index not in merged)
    if used.input is not None and used.input.shape[0] != x.shape[0]:
        raise StepgradError(
            f"the forward pass the backward went through ran on {used.input.shape[0]} samples, "
            f"but inputs holds {x.shape[0]}"
        )

    batch = x.shape[0] if used.input is None else used.input.shape[0]
    x = (x if used.input is None else used.input).reshape(batch, -1)
    if spec.name == "cross_entropy" and target.ndim == 1:
        target = np.eye(n_outputs)[target.astype(int)]  # class indices → one-hot
    target = target.reshape(batch, n_outputs)
    causes = _resolve_activations(chain, used, spec, batch)
    causes += [
        (
            "forward",
            f"{layer.linear_name}'s weight is used untransposed: the forward computes x @ W where nn.Linear "
            "computes x @ W.T (its weight is (out, in))",
        )
        for layer in chain.layers
        if layer.functional is not None and layer.functional.untransposed
    ][:1]
    outs = _outs(chain, used, spec, batch)
    network = _network(chain, parameters, spec)
    rates = {id(p.tensor): rule.learning_rate for p, rule in zip(trained, rules, strict=True)}
    trace = train_step(network, x, target, next(iter(rates.values()), 0.0))
    scale = spec.scale(n_outputs)
    # autograd's gradient of a sample's value carries the reduction's weight of that sample: 1/B for the mean
    per_sample = batch / reduction_factor(spec.reduction, batch)
    times_b = " · B" if spec.reduction == "mean" else ""
    combined = "batch sum" if spec.reduction == "sum" else "batch mean"
    names = trace.names
    cut = next((k for k in reversed(range(len(chain.layers))) if used.nets[k].grad is None), None)
    if cut is not None:
        problems.insert(0, _cut(chain, used, cut))
    compared: list[ValueComparison] = []
    nan = float("nan")
    # a float32 model: the step again with every stored value rounded to float32, to tell rounding from a fault
    replay = None if float64 else rounded_replay(network, x, target)
    rounded: dict[int, float] = {}

    def compare(
        name: str,
        stage: str,
        torch_value: float,
        stepgrad_value: float,
        where: str,
        before: float | None = None,
        replayed: float | None = None,
    ) -> None:
        if replayed is not None:
            rounded[len(compared)] = float(replayed)
        if np.isfinite(torch_value) and np.isfinite(stepgrad_value):
            agrees = bool(abs(torch_value - stepgrad_value) <= atol + rtol * abs(stepgrad_value))
        else:  # the same infinity, or NaN in both
            agrees = bool(torch_value == stepgrad_value or (np.isnan(torch_value) and np.isnan(stepgrad_value)))
        compared.append(ValueComparison(name, stage, float(torch_value), float(stepgrad_value), agrees, where, before))

    def sample_name(name: str, s: int) -> str:
        return name if batch == 1 else f"{name} [{s}]"

    for s in range(batch):
        for k, layer in enumerate(chain.layers):
            net, (out, out_place) = used.nets[k], outs[k]
            for j, neuron in enumerate(names.neurons[k]):
                compare(
                    sample_name(value_names.net(neuron), s),
                    "forward",
                    net.value[s, j],
                    trace.layers[k].net[s, j],
                    f"{layer.linear_name} output[{s}, {j}]",
                    replayed=None if replay is None else replay.layers[k].net[s, j],
                )
                if out is not None:
                    compare(
                        sample_name(value_names.out(neuron), s),
                        "forward",
                        out.value[s, j],
                        trace.layers[k].out[s, j],
                        f"{out_place}[{s}, {j}]",
                        replayed=None if replay is None else replay.layers[k].out[s, j],
                    )
    if loss_value is not None:
        compare(
            "E_total" if batch == 1 else f"E_total ({combined})",
            "error",
            float(_item(loss_value)),
            scale * trace.loss,
            "the loss the step returned",
            replayed=None if replay is None else scale * replay.loss,
        )
    lost = -1 if cut is None else cut  # layers at or before the cut get no gradient: reported once, above
    for s in range(batch):
        for k in reversed(range(len(chain.layers))):
            layer, (out, out_place), net = chain.layers[k], outs[k], used.nets[k]
            for j, neuron in enumerate(names.neurons[k]):
                if out is not None and not (out.grad is None and k <= lost):
                    compare(
                        sample_name(value_names.dE_dout(neuron), s),
                        "backward",
                        nan if out.grad is None else out.grad[s, j] * per_sample / scale,
                        trace.layers[k].dE_dout[s, j],
                        f"grad of {out_place}[{s}, {j}]{times_b}",
                        replayed=None if replay is None else replay.layers[k].dE_dout[s, j],
                    )
                if not (net.grad is None and k <= lost):
                    compare(
                        sample_name(value_names.delta(neuron), s),
                        "backward",
                        nan if net.grad is None else net.grad[s, j] * per_sample / scale,
                        trace.layers[k].delta[s, j],
                        f"grad of {layer.linear_name} output[{s}, {j}]{times_b}",
                        replayed=None if replay is None else replay.layers[k].delta[s, j],
                    )
    by_part = {(p.layer, p.part): p for p in parameters}
    clip, clipped = _clipping(trained, trace, scale, rtol)  # clip_grad_norm_ / clip_grad_value_ before the step
    notes += clipped
    for k in reversed(range(len(chain.layers))):
        for part, labels, ours in (
            (0, names.weights[k], trace.layers[k].grad_w),
            (1, [names.biases[k]], trace.layers[k].grad_b[None, :]),
        ):
            parameter = by_part.get((k, part))
            if parameter is None or (parameter.tensor.grad is None and k <= lost) or id(parameter.tensor) in frozen:
                continue
            grad = None if parameter.tensor.grad is None else to_numpy(parameter.tensor.grad).reshape(ours.shape)
            ours = clip(scale * ours)
            theirs_rounded = None if replay is None else clip(scale * replay.gradient(k, part)).reshape(ours.shape)
            for j, row in enumerate(labels):
                for i, label in enumerate(row):
                    index = f"{j}, {i}" if part == 0 else f"{i}"
                    compare(
                        value_names.gradient(label),
                        "gradient",
                        nan if grad is None else grad[j, i],
                        ours[j, i],
                        f"{parameter.place}.grad[{index}]",
                        replayed=None if theirs_rounded is None else theirs_rounded[j, i],
                    )
    # the update: each trained tensor by the rule of its parameter group, from the state before the step
    new_params = [[layer.weights, layer.bias] for layer in network.layers]
    new_rounded = [[layer.weights, layer.bias] for layer in network.layers]  # the float32 replay's update
    for parameter, rule in zip(trained, rules, strict=True):
        k = parameter.layer
        if (parameter.tensor.grad is None and k <= lost) or id(parameter.tensor) in frozen:
            continue
        grad = trace.layers[k].grad_w if parameter.part == 0 else trace.layers[k].grad_b
        before = new_params[k][parameter.part]
        updated, state_new, _ = rule.optimizer.update_recorded(
            [before], [clip(scale * grad)], rule.state, rule.learning_rate, [True]
        )
        new_params[k][parameter.part] = updated[0]
        rounded_update: tuple[np.ndarray, dict[str, np.ndarray]] | None = None
        if replay is not None:
            step_rounded = clip(scale * replay.gradient(k, parameter.part)).reshape(grad.shape)
            rounded_update = replay.update(rule, before, step_rounded)
            new_rounded[k][parameter.part] = rounded_update[0]
        entries = [w for row in names.weights[k] for w in row] if parameter.part == 0 else list(names.biases[k])
        after = to_numpy(parameter.tensor).ravel()
        torch_buffers = state_after(optimizer, parameter.tensor, rule.optimizer)
        keys = {ours: key for key, ours in STATE_BUFFERS[rule.optimizer.name].items()}
        for n, entry in enumerate(entries):
            where = _index(parameter.before.shape, n)
            compare(
                f"{entry}+",
                "update",
                after[n],
                updated[0].ravel()[n],
                f"{parameter.place}[{where}]",
                before.ravel()[n],
                None if rounded_update is None else rounded_update[0].ravel()[n],
            )
            for buffer, values in state_new.buffers.items():
                theirs = torch_buffers.get(buffer)
                compare(
                    f"{buffer}_{entry}+",
                    "update",
                    nan if theirs is None else theirs.ravel()[n],
                    values[0].ravel()[n],
                    f"optimizer.state[{parameter.place}]['{keys[buffer]}'][{where}]",
                    replayed=None if rounded_update is None else rounded_update[1][buffer].ravel()[n],
                )
    params_new = Params(tuple(p[0] for p in new_params), tuple(p[1] for p in new_params))
    loss_new = float(
        get_reduction(network.reduction).combine(sample_losses(params_new, Functions.of(network), x, target))
    )
    compare(
        "E_total+" if batch == 1 else f"E_total+ ({combined})",
        "after",
        loss_after,
        scale * loss_new,
        "the loss after the step",
        replayed=None if replay is None else scale * replay.loss_with(network, new_rounded, x, target),
    )
    dtype = np.float64 if float64 else np.float32
    rounding = None if float64 or problems else float32_rounding(compared, rounded)
    if rounding is not None:
        causes.append((next(c.stage for c in compared if not c.agrees), rounding))
    if spec.name == "binary_cross_entropy" and spec.output_activation is None:  # BCELoss on probabilities
        clamped = clamped_log(compared, trace, dtype, spec.kind or "BCELoss")
        causes += [] if clamped is None else [clamped]
    # NaN or ∞ in PyTorch's step: its first such value, and why (the cause of that stage, ahead of any other)
    divergence = torch_divergence(compared, trace, dtype, spec.kind or spec.name, bool(problems))
    if divergence is not None:
        causes.append(divergence)
        if all(c.agrees for c in compared if c.stage == divergence[0]):  # stepgrad diverges the same way
            notes.append(f"not finite: {divergence[1]}")
    return TorchStepReport(
        tuple(compared),
        trace,
        batch,
        rtol,
        atol,
        describe(rules),
        tuple(problems),
        ignored,
        _describe_chain(chain, spec),
        tuple(causes),
        tuple(notes),
    )


def _clipping(
    trained: list[_Parameter], trace: Any, scale: float, rtol: float
) -> tuple[Callable[[np.ndarray], np.ndarray], list[str]]:
    """What gradient clipping did to every gradient before ``optimizer.step()``: a function from
    stepgrad's gradients to the clipped ones (the identity when no clipping is seen), and a note.

    ``clip_grad_norm_(parameters, max_norm)`` is recognised when every gradient is one factor
    ``f < 1`` times stepgrad's and ``f · (‖g‖ + 1e-6)`` (PyTorch's clip coefficient) is a round
    ``max_norm`` (two significant digits, such as 1.0 or 0.25); ``clip_grad_value_(parameters, v)``
    when every gradient is stepgrad's clamped to ``[−v, v]`` for a round ``v``. Any other change is
    left for the comparison to show.
    """

    def same(grad: np.ndarray) -> np.ndarray:
        return grad

    theirs, ours = [], []
    for parameter in trained:
        if parameter.tensor.grad is None:
            return same, []
        layer = trace.layers[parameter.layer]
        theirs.append(to_numpy(parameter.tensor.grad).ravel())
        ours.append(scale * (layer.grad_w if parameter.part == 0 else layer.grad_b).ravel())
    if not ours:
        return same, []
    g, h = np.concatenate(theirs), np.concatenate(ours)
    if not (np.all(np.isfinite(g)) and np.all(np.isfinite(h))):  # a step that met NaN or ∞: nothing to fit
        return same, []
    norm, tolerance = float(np.linalg.norm(h)), max(rtol, 1e-6)
    if norm == 0 or np.allclose(g, h, rtol=rtol, atol=tolerance * float(np.abs(h).max())):
        return same, []

    def round_number(value: float) -> float | None:
        rounded = float(f"{value:.2g}")
        return rounded if abs(value - rounded) <= 10 * tolerance * rounded else None

    factor = float(g @ h) / norm**2
    max_norm = round_number(factor * (norm + 1e-6))
    if (
        0 < factor < 1
        and max_norm
        and np.allclose(g, factor * h, rtol=tolerance, atol=tolerance * factor * float(np.abs(h).max()))
    ):
        return (lambda grad: factor * grad), [
            f"gradient clipping: every gradient is scaled by {factor:.6g} (total norm {norm:.6g} → max_norm "
            f"{max_norm:g}), as clip_grad_norm_ does; the gradients are compared after it"
        ]
    limit = round_number(float(np.abs(g).max()))
    if (
        limit
        and np.abs(h).max() > limit
        and np.allclose(g, np.clip(h, -limit, limit), rtol=tolerance, atol=tolerance * limit)
    ):
        clamped = int(np.sum(np.abs(h) > limit))
        return (lambda grad: np.clip(grad, -limit, limit)), [
            f"gradient clipping: {clamped} gradient values are clamped to ±{limit:g}, as clip_grad_value_ does; "
            "the gradients are compared after it"
        ]
    return same, []


def _item(value: Any) -> float:
    return float(value.detach()) if hasattr(value, "detach") else float(value)


def _index(shape: tuple[int, ...], flat: int) -> str:
    return ", ".join(str(int(i)) for i in np.unravel_index(flat, shape))


def _parameters(chain: Chain) -> list[_Parameter]:
    """Every trained tensor of the chain with its values now (before the step); a frozen weight is refused."""
    found = []
    for k, layer in enumerate(chain.layers):
        weight, bias = layer.linear.weight, layer.linear.bias
        found.append(_Parameter(weight, f"{layer.linear_name}.weight", k, 0, to_numpy(weight)))
        if bias is not None and bias.requires_grad:  # a frozen bias is not trained
            found.append(_Parameter(bias, f"{layer.linear_name}.bias", k, 1, to_numpy(bias)))
    return found


def _outs(chain: Chain, used: ForwardPass, spec: LossSpec, batch: int) -> list[tuple[Recorded | None, str]]:
    """Each layer's recorded ``out`` and where it is in PyTorch: the activation module's output, else the
    next Linear's input, else the model's output (None where the loss applies the activation itself)."""
    found: list[tuple[Recorded | None, str]] = []
    last = len(chain.layers) - 1
    for k, layer in enumerate(chain.layers):
        if k in used.outs:
            found.append((used.outs[k], f"{layer.activation_place} output"))
        elif k < last and k + 1 in used.linear_inputs:
            found.append((used.linear_inputs[k + 1], f"{chain.layers[k + 1].linear_name} input"))
        elif k == last and used.output is not None and not (layer.activation == "linear" and spec.output_activation):
            place = f"{layer.linear_name} output" if layer.activation == "linear" else "model output"
            found.append((used.output, place))
        else:
            found.append((None, ""))
    for recorded, _ in found:
        if recorded is not None:
            recorded.value = recorded.value.reshape(batch, -1)
            recorded.grad = None if recorded.grad is None else recorded.grad.reshape(batch, -1)
    for recorded in used.nets.values():
        recorded.value = recorded.value.reshape(batch, -1)
        recorded.grad = None if recorded.grad is None else recorded.grad.reshape(batch, -1)
    return found


def _candidate_activations(at_end: bool) -> list[str]:
    """The activations a module-less layer is tried against: linear first (the simplest reading), then the
    registry's others; one that is not ``hidden`` (softmax) only at the end."""
    names = [name for name, activation in ACTIVATIONS.items() if activation.hidden or at_end]
    return sorted(names, key=lambda name: name != "linear")


def _resolve_activations(chain: Chain, used: ForwardPass, spec: LossSpec, batch: int) -> list[tuple[str, str]]:
    """Read an untraced forward's activations off the values, and name a loss that applies the
    model's last activation again."""
    from stepgrad.functions import get_activation

    causes = []
    for k, layer in enumerate(chain.layers):
        out = used.outs.get(k) or (used.linear_inputs.get(k + 1) if k + 1 < len(chain.layers) else used.output)
        if layer.activation is None:
            net = used.nets[k].value.reshape(batch, -1)
            layer.activation = "linear"
            at_end = k == len(chain.layers) - 1
            for name in _candidate_activations(at_end):
                if out is not None and np.allclose(
                    get_activation(name).value(net), out.value.reshape(batch, -1), rtol=1e-5, atol=1e-7
                ):
                    layer.activation, layer.activation_place = name, "read off the values"
                    break
    last = chain.layers[-1]  # a ChainLayer
    if spec.output_activation is not None and last.activation == spec.output_activation:
        causes.append(
            (
                "error",
                f"the model ends in {last.activation} ({last.activation_place}) and {spec.kind} "
                f"applies {spec.output_activation} itself: a double {spec.output_activation}; "
                "end the model in logits (a Linear layer)",
            )
        )
    return causes


def _network(chain: Chain, parameters: list[_Parameter], spec: LossSpec) -> Network:
    """The stepgrad network of the chain, with the parameters as they were before the step; PyTorch trains
    every entry of a Linear bias on its own, so each neuron gets its own bias."""
    values = {(p.layer, p.part): p.before for p in parameters}
    layers = []
    for k, layer in enumerate(chain.layers):
        activation = layer.activation or "linear"
        if k == len(chain.layers) - 1 and spec.output_activation and activation == "linear":
            activation = spec.output_activation
        bias = layer.linear.bias
        train_bias = (
            bool(bias.requires_grad) if bias is not None else bool(getattr(layer.linear, "stepgrad_train_bias", True))
        )
        bias_now = np.zeros(0) if bias is None else values.get((k, 1), to_numpy(bias))
        layers.append(Layer(values[(k, 0)], bias_now, activation, train_bias=train_bias))
    problem = head_problem(layers[-1].activation, spec.name, layers[-1].n_out)
    if problem is None and spec.output_activation not in (None, layers[-1].activation):  # BCEWithLogits on softmax
        problem = (
            f"{spec.kind} applies {spec.output_activation} itself, on the model's {layers[-1].activation} outputs: "
            "end the model in logits (a Linear layer)"
        )
    if problem is not None:
        raise StepgradError(problem, location=chain.layers[-1].activation_place or chain.layers[-1].linear_name)
    return Network(tuple(layers), spec.name, spec.reduction)


def _cut(chain: Chain, used: ForwardPass, cut: int) -> Problem:
    """Where the graph is cut: the layer nearest the output that no gradient reached."""
    layer = chain.layers[cut]
    if not used.nets[cut].requires_grad:
        return Problem(
            "backward",
            layer.linear_name,
            f"no gradient reaches {layer.linear_name}: it ran without "
            "autograd (torch.no_grad around part of the forward, or requires_grad=False?)",
        )
    activation = used.outs.get(cut)
    after = layer.activation_place if activation is not None and activation.requires_grad else layer.linear_name
    return Problem(
        "backward",
        layer.linear_name,
        f"no gradient reaches {layer.linear_name}: the graph is cut after {after} (detach in forward?)",
    )


def _describe_chain(chain: Chain, spec: LossSpec) -> str:
    parts = []
    for layer in chain.layers:
        parts.append(layer.linear_name)
        if layer.activation not in (None, "linear"):
            parts.append(f"{layer.activation} ({layer.activation_place})")
    if spec.output_activation and chain.layers[-1].activation == "linear":
        parts.append(f"{spec.output_activation} (in {spec.kind})")
    return " → ".join(parts)


def _check_batch(x: np.ndarray, target: np.ndarray, n_inputs: int, n_outputs: int, loss: str) -> None:
    """Inputs ``(B, n_inputs)`` and targets ``(B, n_outputs)`` (``(B,)`` for one output, or class indices
    ``0 … n_outputs−1`` for a cross-entropy loss), else one ``StepgradError`` naming the shapes."""
    if x.ndim != 2 or x.shape[1] != n_inputs:
        raise StepgradError(
            f"the inputs have shape {tuple(x.shape)}; the model takes {n_inputs} inputs, so give (B, {n_inputs})"
        )
    batch = x.shape[0]
    if target.shape == (batch, n_outputs) or (target.shape == (batch,) and n_outputs == 1):
        return
    if loss == "cross_entropy" and target.shape == (batch,):
        if not np.all((target == np.round(target)) & (target >= 0) & (target < n_outputs)):
            raise StepgradError(f"1-D targets for {n_outputs} outputs are class indices 0 … {n_outputs - 1}")
        return
    indices = " or class indices (B,)" if loss == "cross_entropy" else ""
    raise StepgradError(
        f"the targets have shape {tuple(target.shape)}; for a batch of {batch} and a model with "
        f"{n_outputs} outputs give ({batch}, {n_outputs}){indices}"
    )
