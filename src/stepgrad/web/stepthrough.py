"""Step-through mode: the explain layer's derivation of one update, as the page shows it.

Nothing is computed here: ``stepgrad.core.train_step`` records the step, ``stepgrad.derivations``
turns it into steps, and these functions only pick and format them (9 digits, as `stepgrad explain` prints them).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from stepgrad.network import Network, value_names
from stepgrad.web.config import ConfigError, VizConfig

DIGITS = 9  # digits of the numbers in step-through mode: those of `stepgrad explain` and the classic text


def step_to_dict(step: Any) -> dict[str, Any]:
    """A ``Step`` as the page shows it: texts and numbers to 9 digits, as `stepgrad explain` prints them."""
    from stepgrad.derivations.step import format_number

    return {
        "name": step.name,
        "section": step.section,
        "title": step.title,
        "formula": step.formula,
        "substituted": step.substituted(DIGITS),
        "value": format_number(step.value, DIGITS),
        "involves": list(step.involves),
        "note": step.note,
    }


def derivation_message(
    network: Network, inputs: ArrayLike, targets: ArrayLike, config: VizConfig
) -> tuple[Any, dict[str, Any]]:
    """The derivation of one gradient-descent step of ``network`` on one sample, and its message."""
    from stepgrad.core import train_step
    from stepgrad.derivations.derivation import explain
    from stepgrad.derivations.step import format_number

    # Weights just short of divergence can overflow in the step after them: the values then read
    # inf/NaN in the steps, and nothing is printed on the server's terminal.
    with np.errstate(all="ignore"):
        trace = train_step(network, inputs, targets, config.learning_rate)
        derivation = explain(trace, 0)
    optimizer_note = (
        ""
        if config.optimizer == "sgd"
        else f" (The run trains with {config.optimizer}, which uses these same gradients.)"
    )
    if config.l2:
        optimizer_note += (
            f" Training also adds the L2 term λ·w (λ = {format_number(config.l2)}) to each weight's gradient."
        )
    if config.l1:
        optimizer_note += (
            f" Training also adds the L1 term λ₁·sign(w) (λ₁ = {format_number(config.l1)}) to each weight's gradient."
        )
    message = {
        "type": "derivation",
        "learning_rate": config.learning_rate,
        "steps": [step_to_dict(step) for step in derivation.steps],
        "notes": [
            f"One gradient-descent step (η = {format_number(config.learning_rate)}) on this training sample, "
            f"from the current weights.{optimizer_note}",
            *derivation.notes,
        ],
    }
    return derivation, message


def chain_message(derivation: Any, weight: str) -> dict[str, Any]:
    """The chain rule for ``weight``: ``dE_total/dw``, the derivatives it is made of, and ``w+``.

    The derivatives are followed back through each step's operands (names starting with
    ``d``: ``dE_total/dout_o1``, ``dout_o1/dnet_o1``, ``delta_h1`` …); forward values
    such as ``out_h1`` are shown as numbers inside the formulas, not as steps of their own.
    """
    steps = list(derivation.steps)
    by_name = {step.name: step for step in steps}
    gradient = value_names.gradient(weight)
    if gradient not in by_name:
        raise ConfigError(f"no weight named {weight[:20]!r} in this derivation")
    wanted: set[str] = set()
    pending = [gradient, f"{weight}+"]
    while pending:
        name = pending.pop()
        if name in wanted or name not in by_name:
            continue
        wanted.add(name)
        pending.extend(operand for operand in by_name[name].operands if operand.startswith("d"))
    return {
        "type": "chain",
        "weight": weight,
        "steps": [step_to_dict(step) for step in steps if step.name in wanted],
    }
