"""A ``torch.optim`` optimizer read as stepgrad optimizers: one rule per parameter tensor.

Supported, each with stepgrad's own update rule (``stepgrad.training.optimizers``):

* ``torch.optim.SGD``: plain (``sgd``), ``momentum`` (``dampening=0``), ``nesterov``,
  with L2 ``weight_decay``;
* ``torch.optim.Adam`` (``adam``, L2 ``weight_decay``; ``amsgrad`` is not supported);
* ``torch.optim.AdamW`` or ``Adam(decoupled_weight_decay=True)`` (``adamw``).

PyTorch applies a group's ``weight_decay`` to every tensor in the group (biases too), so each
tensor gets the rule of its own group, with the decay applied to it. The optimizer's state
before the step (``momentum_buffer``; ``step``, ``exp_avg``, ``exp_avg_sq``) becomes stepgrad's
``OptimizerState``, and after the step it is compared under the names ``explain --optimizer``
uses: ``v_w5+`` (velocity), ``m_w5+`` and ``v_w5+`` (Adam's moments).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from stepgrad.errors import StepgradError
from stepgrad.training.optimizers import Optimizer, OptimizerState

Array = NDArray[np.float64]

# torch state key -> stepgrad buffer name, per stepgrad optimizer
STATE_BUFFERS: dict[str, dict[str, str]] = {
    "sgd": {},
    "momentum": {"momentum_buffer": "v"},
    "nesterov": {"momentum_buffer": "v"},
    "adam": {"exp_avg": "m", "exp_avg_sq": "v"},
    "adamw": {"exp_avg": "m", "exp_avg_sq": "v"},
}


@dataclass(frozen=True)
class TensorRule:
    """How one parameter tensor is updated: its group's optimizer, learning rate, and state before the step."""

    optimizer: Optimizer
    learning_rate: float
    state: OptimizerState


def _numpy(tensor: Any) -> Array:
    return np.array(tensor.detach().double().cpu().numpy(), dtype=np.float64)


def group_optimizer(optimizer: Any, group: dict[str, Any]) -> Optimizer:
    """The stepgrad optimizer that does what ``optimizer`` does to ``group``."""
    import torch

    kind = type(optimizer).__name__
    if group.get("maximize", False):
        raise StepgradError(f"{kind}(maximize=True) is not supported: stepgrad descends the loss")
    decay = float(group.get("weight_decay", 0.0))
    if isinstance(optimizer, torch.optim.SGD):
        momentum = float(group.get("momentum", 0.0))
        if momentum and float(group.get("dampening", 0.0)):
            raise StepgradError("SGD with dampening is not supported (stepgrad's momentum is v = μ·v + g)")
        if not momentum:
            return Optimizer("sgd", weight_decay=decay)
        nesterov = bool(group.get("nesterov", False))
        return Optimizer(
            "nesterov" if nesterov else "momentum", momentum=momentum, nesterov=nesterov, weight_decay=decay
        )
    if isinstance(optimizer, torch.optim.Adam):  # AdamW is a subclass
        if group.get("amsgrad", False):
            raise StepgradError(f"{kind}(amsgrad=True) is not supported")
        beta1, beta2 = (float(b) for b in group["betas"])
        decoupled = bool(group.get("decoupled_weight_decay", isinstance(optimizer, torch.optim.AdamW)))
        return Optimizer(
            "adamw" if decoupled else "adam", beta1=beta1, beta2=beta2, eps=float(group["eps"]), weight_decay=decay
        )
    raise StepgradError(
        f"verify_torch_step checks SGD (with momentum, Nesterov, weight decay), Adam and AdamW; got {kind}"
    )


def tensor_rules(optimizer: Any, tensors: list[Any], names: list[str]) -> list[TensorRule]:
    """The rule of each tensor (``names`` say which layer's weights or bias it is), with the state
    the optimizer holds for it now (call before the step)."""
    groups: dict[int, dict[str, Any]] = {}
    for group in optimizer.param_groups:
        for parameter in group["params"]:
            groups[id(parameter)] = group
    rules = []
    for tensor, name in zip(tensors, names, strict=True):
        group = groups.get(id(tensor))
        if group is None:
            raise StepgradError(
                f"{name} is not in the optimizer's parameter groups, so optimizer.step() would "
                "never change it (was the optimizer built for another model?)"
            )
        stepgrad_optimizer = group_optimizer(optimizer, group)
        rules.append(
            TensorRule(stepgrad_optimizer, float(group["lr"]), state_of(optimizer, tensor, stepgrad_optimizer))
        )
    return rules


def state_of(optimizer: Any, tensor: Any, stepgrad_optimizer: Optimizer) -> OptimizerState:
    """``optimizer``'s state for ``tensor`` as stepgrad's (zeros before the first step)."""
    torch_state = optimizer.state.get(tensor, {})
    zeros: Array = np.zeros(tuple(tensor.shape))
    buffers: dict[str, tuple[Array, ...]] = {
        ours: (_numpy(torch_state[key]) if key in torch_state else zeros.copy(),)
        for key, ours in STATE_BUFFERS[stepgrad_optimizer.name].items()
    }
    step = int(torch_state["step"]) if "step" in torch_state else 0
    return OptimizerState(step, buffers)


def state_after(optimizer: Any, tensor: Any, stepgrad_optimizer: Optimizer) -> dict[str, Array]:
    """The buffers PyTorch holds for ``tensor`` after the step, under stepgrad's names (``v``, ``m``)."""
    torch_state = optimizer.state.get(tensor, {})
    return {
        ours: _numpy(torch_state[key])
        for key, ours in STATE_BUFFERS[stepgrad_optimizer.name].items()
        if key in torch_state
    }


def describe(rules: list[TensorRule]) -> str:
    """``adam (η = 0.01)``, or several when groups differ."""
    seen = sorted(
        {
            f"{rule.optimizer.name} (η = {rule.learning_rate:g}"
            + (f", λ = {rule.optimizer.weight_decay:g}" if rule.optimizer.weight_decay else "")
            + ")"
            for rule in rules
        }
    )
    return ", ".join(seen)
