"""Optimizers: SGD, momentum (with Nesterov), Adam and AdamW, each a pure update with explicit state.

An optimizer turns parameters ``p``, gradients ``g`` and its state into new parameters and a
new state; nothing is mutated. The formulas follow PyTorch's ``torch.optim`` exactly (the tests
compare several steps to 1e-10):

* ``sgd``:       ``p+ = p − η·g``
* ``momentum``:  ``v = μ·v + g``,  ``p+ = p − η·v``            (``v`` starts at 0, so ``v₁ = g₁``)
* ``nesterov``:  ``v = μ·v + g``,  ``p+ = p − η·(g + μ·v)``
* ``adam``:      ``m = β₁·m + (1−β₁)·g``,  ``v = β₂·v + (1−β₂)·g²``,
                 ``m̂ = m/(1−β₁ᵗ)``,  ``v̂ = v/(1−β₂ᵗ)``,  ``p+ = p − η·m̂/(√v̂ + ε)``
* ``adamw``:     Adam with *decoupled* weight decay: ``p' = p − η·λ·p`` first, then the Adam
                 step from ``p'`` with the plain gradient (Loshchilov & Hutter; ``torch.optim.AdamW``)

L2 weight decay ``λ`` (all but adamw) adds ``λ·p`` to the gradient of every weight matrix before
the update (``g ← g + λ·w``, PyTorch's ``weight_decay``: the gradient of ``E_total = E + ½·λ·Σ w²``).
L1 regularization ``λ₁`` (every optimizer, adamw included: it is a term of the loss) adds
``λ₁·sign(w)`` (``g ← g + λ₁·sign(w)``, the gradient of ``E_total = E + λ₁·Σ |w|``; ``sign(0) = 0``).
Biases are never regularized (in PyTorch, put them in a parameter group with ``weight_decay=0``).

``η`` may be a number or an array ``(N,)`` with one learning rate per network of an ensemble.

Hyper-parameters are checked when an ``Optimizer`` is made, so every caller (``fit``, ``stepgrad
train``/``sweep``/``explain --optimizer``, ``verify_torch_step``) refuses the same impossible values:
``0 ≤ μ < 1``, ``0 ≤ β₁ < 1``, ``0 ≤ β₂ < 1`` (``β₂ = 1`` makes ``1 − β₂ᵗ`` zero), ``ε > 0``, ``λ ≥ 0``,
all finite; ``get_optimizer`` also refuses an option the optimizer does not use (``momentum`` for sgd).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
from numpy.typing import NDArray

from stepgrad.core.propagation import penalty_gradient, sgd_step
from stepgrad.errors import StepgradError
from stepgrad.network.model import Regularization

Array = NDArray[np.float64]
LearningRate = float | Array


def per_network(value: LearningRate, parameter: Array) -> float | Array:
    """A scalar as is; an ``(N,)`` array reshaped to ``(N, 1, …)`` to broadcast over ``parameter``."""
    if np.ndim(value) == 0:
        return float(value)  # type: ignore[arg-type]
    array = np.asarray(value, dtype=np.float64)
    return array.reshape(array.shape + (1,) * (parameter.ndim - array.ndim))


@dataclass(frozen=True)
class OptimizerState:
    """An optimizer's memory: the step count ``t`` and named buffers, one array per parameter."""

    step: int = 0
    buffers: dict[str, tuple[Array, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Optimizer:
    """One optimizer: its name, hyper-parameters and update rule.

    Attributes:
        name: registry key (also the CLI choice).
        momentum: ``μ`` (momentum, nesterov).
        nesterov: look-ahead form of momentum.
        beta1: ``β₁`` (adam).
        beta2: ``β₂`` (adam).
        eps: ``ε`` (adam).
        weight_decay: ``λ`` of L2 decay on the weights.
        l1: ``λ₁`` of L1 regularization on the weights.
    """

    name: str
    momentum: float = 0.0
    nesterov: bool = False
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    weight_decay: float = 0.0
    l1: float = 0.0

    def __post_init__(self) -> None:
        if self.name not in RULES:
            raise StepgradError(f"unknown optimizer {self.name!r}; choose one of {', '.join(RULES)}")
        problem = hyperparameter_problem(self)
        if problem is not None:
            raise StepgradError(problem)

    def init(self, parameters: list[Array]) -> OptimizerState:
        """The state before the first step: zero buffers shaped like the parameters."""
        return OptimizerState(
            0, {name: tuple(np.zeros_like(p) for p in parameters) for name in RULES[self.name].buffers}
        )

    @property
    def decoupled(self) -> bool:
        """Whether the weight decay shrinks the weights directly (adamw) instead of adding to ``g``."""
        return self.name == "adamw"

    @property
    def l2(self) -> float:
        """``λ`` of the L2 term of the loss ``½·λ·Σ w²`` (0 for decoupled decay, which is not a term of the loss)."""
        return 0.0 if self.decoupled else self.weight_decay

    @property
    def regularization(self) -> Regularization:
        """The terms this optimizer adds to the loss (``l1``, and ``l2`` unless the decay is decoupled)."""
        return Regularization(l1=self.l1, l2=self.l2)

    def decayed(self, parameters: list[Array], gradients: list[Array], is_weight: list[bool]) -> list[Array]:
        """``g + λ·w + λ₁·sign(w)`` for weight matrices, ``g`` for biases (no ``λ·w`` for decoupled decay)."""
        if self.l2 == 0.0 and self.l1 == 0.0:
            return list(gradients)
        return [
            regularized(p, g, self.l2, self.l1) if w else g
            for p, g, w in zip(parameters, gradients, is_weight, strict=True)
        ]

    def update(
        self,
        parameters: list[Array],
        gradients: list[Array],
        state: OptimizerState,
        learning_rate: LearningRate,
        is_weight: list[bool] | None = None,
    ) -> tuple[list[Array], OptimizerState]:
        """One step: new parameters and state (inputs are not changed).

        Args:
            parameters: the arrays ``p``.
            gradients: ``dE/dp`` in the same order and shapes.
            state: the state from ``init`` or the previous ``update``.
            learning_rate: ``η``, a number or ``(N,)`` per network.
            is_weight: which arrays are weight matrices (decayed); default all.
        """
        new, state_new, _ = self.update_recorded(parameters, gradients, state, learning_rate, is_weight)
        return new, state_new

    def update_recorded(
        self,
        parameters: list[Array],
        gradients: list[Array],
        state: OptimizerState,
        learning_rate: LearningRate,
        is_weight: list[bool] | None = None,
    ) -> tuple[list[Array], OptimizerState, dict[str, Any]]:
        """``update`` plus a record of its intermediate values (for explaining one update):
        ``g`` (after decay), and per rule ``v``/``v+``/``direction`` or ``m``, ``v``, ``m+``, ``v+``,
        ``m_hat``, ``v_hat``, ``correction1``, ``correction2``, ``t`` (adamw: also ``decayed``, ``p'``)."""
        flags = is_weight if is_weight is not None else [True] * len(parameters)
        grads = self.decayed(parameters, gradients, flags)
        if self.decoupled and self.weight_decay:
            # p' = p − η·λ·p on the weights, before the Adam step
            parameters = [
                p - per_network(learning_rate, p) * self.weight_decay * p if w else p
                for p, w in zip(parameters, flags, strict=True)
            ]
            new, state_new, record = _adam(self, parameters, grads, state, learning_rate)
            return new, state_new, {**record, "decayed": parameters}
        return RULES[self.name].update(self, parameters, grads, state, learning_rate)


def regularized(weights: Array, gradient: Array, l2: float, l1: float) -> Array:
    """``dE/dw + dE_reg/dw`` (``stepgrad.core.propagation.penalty_gradient``: ``λ·w + λ₁·sign(w)``)."""
    return gradient + penalty_gradient(weights, l1, l2)


Record = dict[str, Any]
UpdateRule = Callable[
    [Optimizer, list[Array], list[Array], OptimizerState, LearningRate], tuple[list[Array], OptimizerState, Record]
]


def _sgd(opt: Optimizer, ps: list[Array], gs: list[Array], state: OptimizerState, lr: LearningRate) -> Any:
    # p+ = p − η·g
    new = [sgd_step(p, g, per_network(lr, p)) for p, g in zip(ps, gs, strict=True)]
    return new, OptimizerState(state.step + 1, {}), {"g": gs}


def _momentum(opt: Optimizer, ps: list[Array], gs: list[Array], state: OptimizerState, lr: LearningRate) -> Any:
    # v = μ·v + g;  p+ = p − η·v  (Nesterov: p+ = p − η·(g + μ·v))
    velocities = tuple(opt.momentum * v + g for v, g in zip(state.buffers["v"], gs, strict=True))
    directions = (
        [g + opt.momentum * v for g, v in zip(gs, velocities, strict=True)] if opt.nesterov else list(velocities)
    )
    new = [sgd_step(p, d, per_network(lr, p)) for p, d in zip(ps, directions, strict=True)]
    record = {"g": gs, "v": state.buffers["v"], "v+": velocities, "direction": directions}
    return new, OptimizerState(state.step + 1, {"v": velocities}), record


def _adam(opt: Optimizer, ps: list[Array], gs: list[Array], state: OptimizerState, lr: LearningRate) -> Any:
    t = state.step + 1
    firsts = tuple(opt.beta1 * m + (1.0 - opt.beta1) * g for m, g in zip(state.buffers["m"], gs, strict=True))
    seconds = tuple(opt.beta2 * v + (1.0 - opt.beta2) * g * g for v, g in zip(state.buffers["v"], gs, strict=True))
    correction1 = 1.0 - opt.beta1**t  # bias correction: the moments start at 0
    correction2 = 1.0 - opt.beta2**t
    m_hats = [m / correction1 for m in firsts]
    v_hats = [v / correction2 for v in seconds]
    new = [
        sgd_step(p, m_hat / (np.sqrt(v_hat) + opt.eps), per_network(lr, p))
        for p, m_hat, v_hat in zip(ps, m_hats, v_hats, strict=True)
    ]
    record = {
        "g": gs,
        "m": state.buffers["m"],
        "v": state.buffers["v"],
        "m+": firsts,
        "v+": seconds,
        "m_hat": m_hats,
        "v_hat": v_hats,
        "correction1": correction1,
        "correction2": correction2,
        "t": t,
    }
    return new, OptimizerState(t, {"m": firsts, "v": seconds}), record


@dataclass(frozen=True)
class Rule:
    """An optimizer's registry entry: its update, the buffers its state keeps (``init`` starts them at 0), and
    the options it takes with their defaults (``get_optimizer`` refuses any other)."""

    update: UpdateRule
    buffers: tuple[str, ...]
    options: dict[str, float]


_REGULARIZATION = {"weight_decay": 0.0, "l1": 0.0}
_MOMENTUM = {"momentum": 0.9, **_REGULARIZATION}
_ADAM = {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8, **_REGULARIZATION}
RULES: dict[str, Rule] = {
    "sgd": Rule(_sgd, (), _REGULARIZATION),
    "momentum": Rule(_momentum, ("v",), _MOMENTUM),
    "nesterov": Rule(_momentum, ("v",), _MOMENTUM),
    "adam": Rule(_adam, ("m", "v"), _ADAM),
    "adamw": Rule(_adam, ("m", "v"), _ADAM),  # after the decoupled decay in ``update_recorded``
}


def _in_unit_interval(value: float) -> bool:
    """``0 ≤ value < 1`` (and finite)."""
    return math.isfinite(value) and 0.0 <= value < 1.0


def hyperparameter_problem(optimizer: Optimizer) -> str | None:
    """What is impossible about ``optimizer``'s hyper-parameters, or None (the rules in the module docstring)."""
    if "momentum" not in RULES[optimizer.name].options and optimizer.momentum != 0.0:
        return f"momentum applies to the momentum and nesterov optimizers, not {optimizer.name}"
    if not _in_unit_interval(optimizer.momentum):
        return f"the momentum μ must be in [0, 1), got {optimizer.momentum}"
    if not _in_unit_interval(optimizer.beta1):
        return f"β₁ (beta1) must be in [0, 1), got {optimizer.beta1}"
    if not _in_unit_interval(optimizer.beta2):
        return f"β₂ (beta2) must be in [0, 1), got {optimizer.beta2}"
    if not (math.isfinite(optimizer.eps) and optimizer.eps > 0.0):
        return f"ε (eps) must be a positive finite number, got {optimizer.eps}"
    if not (math.isfinite(optimizer.weight_decay) and optimizer.weight_decay >= 0.0):
        return f"the weight decay must be a finite number ≥ 0, got {optimizer.weight_decay}"
    if not (math.isfinite(optimizer.l1) and optimizer.l1 >= 0.0):
        return f"the L1 regularization λ₁ must be a finite number ≥ 0, got {optimizer.l1}"
    return None


def optimizer_names() -> list[str]:
    """The optimizers by name, for CLI choices."""
    return list(RULES)


def get_optimizer(name: str, **hyper: float) -> Optimizer:
    """An optimizer by name with its hyper-parameters (``momentum``, ``beta1``, ``weight_decay`` …), checked.

    An option the optimizer does not use is an error naming the optimizers that do
    (``momentum applies to the momentum and nesterov optimizers, not sgd``), never silently ignored.
    """
    if name not in RULES:
        raise StepgradError(f"unknown optimizer {name!r}; choose one of {', '.join(RULES)}")
    for option in hyper:
        if option not in RULES[name].options:
            users = [other for other, rule in RULES.items() if option in rule.options]
            if not users:
                raise StepgradError(f"unknown optimizer option {option!r}")
            raise StepgradError(f"{option} applies to the {' and '.join(users)} optimizers, not {name}")
    return Optimizer(name, nesterov=name == "nesterov", **(RULES[name].options | hyper))


# Each optimizer made by name with its options (``OPTIMIZERS["adam"](beta1=0.8)``), checked as ``get_optimizer`` does.
OPTIMIZERS: dict[str, Callable[..., Optimizer]] = {name: partial(get_optimizer, name) for name in RULES}
