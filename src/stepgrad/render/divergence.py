"""Why a run blew up, in one sentence: a ``Divergence`` (or ``NaiveBreak``) of ``stepgrad.core.forensics``
told the way a person says it ("net_o1 = inf overflows float64: its largest term is w5·out_h1 = …").

``explain_divergence`` is the one call for a caller that has a network, a batch and a learning rate
and a run that stopped on NaN or infinity (``train FILE --steps``, ``fit``, the web page).
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import ArrayLike

from stepgrad.core.forensics import Divergence, NaiveBreak, find_divergence
from stepgrad.errors import quantity
from stepgrad.functions import get_loss
from stepgrad.network.model import NO_REGULARIZATION, Network, Regularization


def explain_divergence(
    network: Network,
    inputs: ArrayLike,
    targets: ArrayLike,
    loss: str | None = None,
    learning_rate: float = 0.0,
    max_steps: int = 100,
    regularization: Regularization = NO_REGULARIZATION,
) -> str:
    """Why training ``network`` on the batch blows up: the first non-finite value and its likely cause.

    Args:
        network: the weights to start from (e.g. the last finite ones a run kept).
        inputs: ``(B, n_inputs)``.
        targets: ``(B, n_outputs)``.
        loss: the loss, when it is not the network's own.
        learning_rate: ``η``.
        max_steps: how many steps to take from ``network`` looking for the first non-finite value.
        regularization: the ``λ₁``, ``λ₂`` the run trains with (a network file's ``l1``, ``l2``).
    """
    if loss is not None and get_loss(loss).name != get_loss(network.loss).name:
        network = dataclasses.replace(network, loss=loss)
    found = find_divergence(network, inputs, targets, learning_rate, max_steps=max_steps, regularization=regularization)
    if found is None:
        return f"no value is infinite or NaN in {max_steps} steps of η = {learning_rate:g} from these weights"
    return divergence_message(found)


RUN_ROWS = 32  # the samples a stopped run's forensics steps on: enough to show the cause, fast to trace
RUN_STEPS = 200  # plain gradient steps from the kept weights looking for the first non-finite value


def explain_run_divergence(
    network: Network,
    inputs: ArrayLike,
    targets: ArrayLike,
    learning_rate: float,
    optimizer: str = "sgd",
    regularization: Regularization = NO_REGULARIZATION,
) -> str:
    """Why a run that stopped on NaN or infinity (``train --data``, ``fit``, the web page) blew up.

    The run's own steps (mini-batches, momentum, Adam) are not replayed: from the weights it kept, plain
    full-batch gradient steps ``w+ = w − η·dE/dw`` on its first ``RUN_ROWS`` samples are traced, and the
    sentence says so (and that the run's optimizer was another, when it was).

    Args:
        network: the weights the run kept.
        inputs: ``(B, n_inputs)``, as the network sees them (scaled).
        targets: ``(B, n_outputs)``.
        learning_rate: the run's ``η``.
        optimizer: the run's optimizer's name.
        regularization: the run's ``λ₁`` (``l1``) and ``λ₂`` (L2 ``weight_decay``), traced in every step.
    """
    every = np.atleast_2d(np.asarray(inputs, dtype=np.float64))
    rows = every[:RUN_ROWS]
    wanted = np.atleast_2d(np.asarray(targets, dtype=np.float64))[: rows.shape[0]]
    why = explain_divergence(
        network, rows, wanted, learning_rate=learning_rate, max_steps=RUN_STEPS, regularization=regularization
    )
    batch = quantity(rows.shape[0], "sample") + (f" of {every.shape[0]}" if every.shape[0] > rows.shape[0] else "")
    other = "" if optimizer == "sgd" else f"; the run used {optimizer}, whose steps are not replayed"
    return (
        f"at the kept weights, a plain gradient step (full-batch SGD, η = {learning_rate:g}, on {batch}{other}): {why}"
    )


def divergence_message(found: Divergence) -> str:
    """``net_o1 = inf overflows float64: …; lower the learning rate (now 10)``."""
    where = f" in step {found.step} from these weights" if found.step > 1 else ""
    sample = f" (sample {found.sample + 1})" if found.sample else ""
    head = f"{found.name} = {_number(found.value)}{sample}{where}"
    return f"{head}: {_CAUSES[found.cause](found)}"


def _parameter(found: Divergence) -> str:
    return (
        f"the parameter {found.name} is not finite before the step (the run that wrote it diverged?); "
        "start again from finite weights"
    )


def _net_overflow(found: Divergence) -> str:
    (weight, w), (feeding, a) = found.facts.items()
    culprit = f"the weight {weight}" if abs(w) >= abs(a) else f"{feeding}"
    return (
        f"net overflows float64; its largest term is {weight}·{feeding} = {_number(w)} · {_number(a)}, "
        f"so {culprit} is too large{_lower(found, 'the weights have exploded')}"
    )


def _error_overflow(found: Divergence) -> str:
    name, out = max(found.facts.items(), key=lambda item: abs(item[1]))
    formula = get_loss(found.loss).formula
    return (
        f"{name} = {_number(out)} is so large that {formula} ({found.loss}) overflows float64"
        f"{_lower(found, 'the weights have exploded')}"
    )


def _gradient_overflow(found: Divergence) -> str:
    ((name, value),) = found.facts.items()
    return (
        f"the backward pass overflows float64 (its largest forward value is {name} = {_number(value)})"
        f"{_lower(found, 'the weights have exploded')}"
    )


def _penalty_overflow(found: Divergence) -> str:
    (weight, w), *lambdas = found.facts.items()
    rates = ", ".join(f"{name[0]}{'₁' if name[1] == '1' else '₂'} = {value:g}" for name, value in lambdas)
    what = "E_reg = λ₁·Σ|w| + ½·λ₂·Σw²" if found.name.startswith("E_reg") else f"{found.name} = λ₁·sign(w) + λ₂·w"
    return (
        f"the regularization term {what} overflows float64 on {weight} = {_number(w)} ({rates})"
        f"{_l2_growth(found) or _lower(found, 'the weights have exploded')}"
    )


def _l2_growth(found: Divergence) -> str:
    """Why L2 itself makes the weights grow: ``w+ = (1 − η·λ₂)·w − η·dE/dw`` flips and grows when ``η·λ₂ > 2``."""
    factor = found.learning_rate * found.regularization.l2
    if factor <= 2:
        return ""
    return (
        f"; with η·λ₂ = {factor:g} > 2 the L2 term alone multiplies every weight by 1 − η·λ₂ = {1 - factor:g} "
        f"per step (w+ = (1 − η·λ₂)·w − η·dE_total/dw), so the weights grow without bound; "
        f"lower the learning rate (now {found.learning_rate:g}) or λ₂ until η·λ₂ < 2"
    )


def _update(found: Divergence) -> str:
    facts = list(found.facts.items())
    (weight, w), (_, gradient), *penalty, (_, w_new), (_, ratio) = facts
    step = found.learning_rate * (gradient + sum(value for _, value in penalty))
    if found.cause == "update_overflow" and penalty:
        ((_, term),) = penalty
        what = (
            f"the update η·(dE_total/d{weight} + dE_reg/d{weight}) = {found.learning_rate:g} × "
            f"({_number(gradient)} + {_number(term)}) overflows"
        )
    elif found.cause == "update_overflow":
        what = f"the update η·dE_total/d{weight} = {found.learning_rate:g} × {_number(gradient)} overflows"
    else:
        what = (
            f"the update moved {weight} = {_number(w)} by {_number(-step)} to {_number(w_new)}, "
            f"{_number(ratio)} times its own size"
        )
    growth = _l2_growth(found)
    if growth:
        return what + growth
    return f"{what}: the learning rate (now {found.learning_rate:g}) made the update explode; lower it"


_CAUSES = {
    "parameter": _parameter,
    "net_overflow": _net_overflow,
    "error_overflow": _error_overflow,
    "gradient_overflow": _gradient_overflow,
    "penalty_overflow": _penalty_overflow,
    "update_overflow": _update,
    "update_explodes": _update,
}


def naive_break_message(broken: NaiveBreak, activation: str, loss: str, dtype: str) -> str:
    """``net_o1 = 812 saturates the sigmoid: out_o1 = 1.0 exactly in float32, so log(1 − out_o1) = −inf …``."""
    if broken.cause == "exp_overflow":
        return (
            f"{broken.name} = {_number(broken.net)}: e^{broken.name} overflows {dtype} in a softmax written as "
            "exp(net) / Σ exp(net); subtract the max first (torch.softmax, log_softmax, CrossEntropyLoss on logits)"
        )
    neuron = broken.name.removeprefix("out_")
    log = f"log(1 − {broken.name})" if broken.rounded == 1.0 else f"log({broken.name})"
    paired = "BCEWithLogitsLoss" if activation == "sigmoid" else "CrossEntropyLoss on the logits"
    gap = f" ({_number(broken.net_max - broken.net)} below the largest)" if activation == "softmax" else ""
    return (
        f"net_{neuron} = {_number(broken.net)}{gap} saturates the {activation}: {broken.name} = {broken.rounded:g} "
        f"exactly in {dtype}, so {log} = −inf in {loss}; use the paired loss ({paired}) or lower the learning rate"
    )


def _lower(found: Divergence, what: str) -> str:
    if found.learning_rate > 0 and found.step > 1:
        return f": {what}; lower the learning rate (now {found.learning_rate:g})"
    if found.learning_rate > 0:
        return f" ({what}? lower the learning rate, now {found.learning_rate:g})"
    return ""


def _number(value: float) -> str:
    """``inf``, ``-inf``, ``nan`` or the value with 4 significant digits."""
    return f"{value:.4g}"
