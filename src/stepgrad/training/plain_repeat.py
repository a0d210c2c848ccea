"""The repeated step on flat parameters: ``stepgrad train``'s loop for a network the written-out lines cover.

One training pair (full batch = online), the plain step: ``repeat_plain`` holds the parameters as flat
lists of floats, advances them a report's worth of steps at a time (the written-out lines of
``stepgrad.training.plain_sgd`` as plain Python, or the same lines compiled by numba, which
``stepgrad.training.repeat`` hands in) and evaluates ``E_total = Σ_o E_o`` after each report with the
same written-out forward pass. ``repeat.repeat_steps`` runs it for such networks; for the classic
example (``stepgrad.network.classic``'s plain numbers) ``stepgrad train`` calls it directly and never
imports NumPy: 10,000 updates are about 15 ms of work, and NumPy's import alone takes longer.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from stepgrad.training import plain_sgd

# ``advance(count, w, b)``: ``count`` updates on the one pair, the flat parameters (lists of floats) in place.
Advance = Callable[[int, list[float], list[float]], None]


@dataclass(frozen=True)
class PlainRepeat:
    """What ``repeat_plain`` recorded (as ``repeat.RepeatResult``, in plain floats).

    Attributes:
        steps: the step numbers reported (0 = before training): every ``every`` steps and the last.
        errors: ``E_total`` after that many steps.
        outputs: the outputs after the last step reported.
        weights, biases: the parameters after that step, flat (``plain_sgd.Shape.weight_names`` order).
        finished: False when a chunk of steps overflowed: the figures stop at the report before it.
    """

    steps: tuple[int, ...]
    errors: tuple[float, ...]
    outputs: tuple[float, ...]
    weights: tuple[float, ...]
    biases: tuple[float, ...]
    finished: bool = True

    @property
    def error(self) -> float:
        """The last ``E_total`` recorded."""
        return self.errors[-1]


def plain_advance(shape: plain_sgd.Shape, inputs: Sequence[float], targets: Sequence[float], rate: float) -> Advance:
    """``advance`` on the written-out lines as plain Python (no NumPy, no numba)."""
    train, x, t = plain_sgd.compiled_update(shape), [list(inputs)], [list(targets)]

    def advance(count: int, w: list[float], b: list[float]) -> None:
        train([0] * count, x, t, w, b, rate)

    return advance


def repeat_plain(
    shape: plain_sgd.Shape,
    weights: Sequence[float],
    biases: Sequence[float],
    inputs: Sequence[float],
    targets: Sequence[float],
    learning_rate: float,
    steps: int,
    every: int,
    on_report: Callable[[int, float], None] | None = None,
    advance: Advance | None = None,
) -> PlainRepeat:
    """``steps`` updates on the one pair ``inputs → targets``, ``E_total`` recorded every ``every`` steps
    (and ``on_report(step, E_total)`` called), the updates by ``advance`` (default: ``plain_advance``).

    A chunk whose values stop being finite (an overflow) is not taken: the result is not ``finished`` and
    holds the last good report, from which ``repeat.repeat_steps`` steps on with NumPy, whose guard finds the
    step that diverged and says why.
    """
    step = advance or plain_advance(shape, inputs, targets, learning_rate)
    evaluate = plain_sgd.compiled_evaluate(shape)
    x, t = list(inputs), list(targets)
    w, b = [float(v) for v in weights], [float(v) for v in biases]
    error, outputs = evaluate(x, t, w, b)
    recorded_steps, recorded = [0], [error]
    if on_report is not None:
        on_report(0, error)
    done = 0
    while done < steps:
        chunk = min(every - done % every, steps - done)
        w_next, b_next = w.copy(), b.copy()
        try:
            step(chunk, w_next, b_next)
            error_next, outputs_next = evaluate(x, t, w_next, b_next)
        except (OverflowError, ZeroDivisionError):
            break
        if not all(math.isfinite(v) for v in (error_next, *w_next, *b_next)):
            break
        w, b, error, outputs, done = w_next, b_next, error_next, outputs_next, done + chunk
        recorded_steps.append(done)
        recorded.append(error)
        if on_report is not None:
            on_report(done, error)
    return PlainRepeat(tuple(recorded_steps), tuple(recorded), tuple(outputs), tuple(w), tuple(b), done == steps)


def classic_shape() -> plain_sgd.Shape:
    """The classic example's network (``stepgrad.network.classic``) as the plain lines see it."""
    from stepgrad.network import classic

    layers = len(classic.CLASSIC_WEIGHTS)
    sizes = (len(classic.CLASSIC_INPUTS), *(len(w) for w in classic.CLASSIC_WEIGHTS))
    return plain_sgd.Shape(
        sizes, (1,) * layers, (classic.CLASSIC_ACTIVATION,) * layers, (False,) * layers, classic.CLASSIC_LOSS
    )


def repeat_classic(steps: int, every: int) -> PlainRepeat:
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
