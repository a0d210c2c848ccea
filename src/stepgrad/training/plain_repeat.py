"""The repeated step of ``stepgrad train`` on plain floats: a small network's answer without NumPy.

``stepgrad train`` on the classic example does 10,000 updates of 8 weights, about 15 ms of work
written out as Python lines (``stepgrad.training.plain_sgd``). Importing NumPy alone takes longer
than that in a new process, so for a network given as plain lists (the classic example's numbers,
``stepgrad.network.classic``) this module runs the same lines and evaluates
``E_total = Σ_o E_o`` after each report with the same written-out forward pass: the figures are those of
``stepgrad.training.repeat.repeat_steps`` (tests: 1e-12, and the same printed lines), in a process
that never imports NumPy. Only one training pair (full batch = online) and the plain step
(no regularization, the correct hidden deltas); anything else goes to ``repeat_steps``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from stepgrad.training import plain_sgd


@dataclass(frozen=True)
class PlainRepeat:
    """What ``repeat_plain`` recorded (as ``repeat.RepeatResult``, in plain floats).

    Attributes:
        steps: the step numbers reported (0 = before training): every ``every`` steps and the last.
        errors: ``E_total`` after that many steps.
        outputs: the outputs after the last step.
        weights, biases: the parameters after the last step, flat (``plain_sgd.Shape.weight_names`` order).
    """

    steps: tuple[int, ...]
    errors: tuple[float, ...]
    outputs: tuple[float, ...]
    weights: tuple[float, ...]
    biases: tuple[float, ...]

    @property
    def error(self) -> float:
        """The final ``E_total``."""
        return self.errors[-1]


def repeat_plain(
    shape: plain_sgd.Shape,
    weights: Sequence[float],
    biases: Sequence[float],
    inputs: Sequence[float],
    targets: Sequence[float],
    learning_rate: float,
    steps: int,
    every: int,
) -> PlainRepeat | None:
    """``steps`` updates on the one pair ``inputs → targets``, ``E_total`` recorded every ``every`` steps.

    None when a value stops being finite (an overflow): the caller then runs ``repeat_steps``, whose
    guard keeps the last good weights and says why.
    """
    train, evaluate = plain_sgd.compiled_update(shape), plain_sgd.compiled_evaluate(shape)
    w, b, x, t = [float(v) for v in weights], [float(v) for v in biases], [list(inputs)], [list(targets)]
    error, outputs = evaluate(x[0], t[0], w, b)
    recorded_steps, recorded = [0], [error]
    done = 0
    while done < steps:
        chunk = min(every - done % every, steps - done)
        try:
            train([0] * chunk, x, t, w, b, learning_rate)
            error, outputs = evaluate(x[0], t[0], w, b)
        except (OverflowError, ZeroDivisionError):
            return None
        if not all(math.isfinite(v) for v in (error, *w, *b)):
            return None
        done += chunk
        recorded_steps.append(done)
        recorded.append(error)
    return PlainRepeat(tuple(recorded_steps), tuple(recorded), tuple(outputs), tuple(w), tuple(b))


def classic_shape() -> plain_sgd.Shape:
    """The classic example's network (``stepgrad.network.classic``) as the plain lines see it."""
    from stepgrad.network import classic

    layers = len(classic.CLASSIC_WEIGHTS)
    sizes = (len(classic.CLASSIC_INPUTS), *(len(w) for w in classic.CLASSIC_WEIGHTS))
    return plain_sgd.Shape(
        sizes, (1,) * layers, (classic.CLASSIC_ACTIVATION,) * layers, (False,) * layers, classic.CLASSIC_LOSS
    )


def repeat_classic(steps: int, every: int) -> PlainRepeat | None:
    """``repeat_plain`` on the classic example's network, pair and learning rate."""
    from stepgrad.network import classic

    return repeat_plain(
        classic_shape(),
        [v for layer in classic.CLASSIC_WEIGHTS for row in layer for v in row],
        classic.CLASSIC_BIASES,
        classic.CLASSIC_INPUTS,
        classic.CLASSIC_TARGETS,
        classic.CLASSIC_LEARNING_RATE,
        steps,
        every,
    )
