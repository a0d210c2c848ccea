"""Learning-rate schedules: ``η`` for each epoch ``e = 0, 1, …, E−1``.

* ``constant``: ``η_e = η``
* ``step``:     ``η_e = η · γ^⌊e / s⌋``  (``γ`` = ``gamma``, ``s`` = ``step_size`` epochs)
* ``cosine``:   ``η_e = ½·η·(1 + cos(π·e / E))``
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from stepgrad.errors import StepgradError


@dataclass(frozen=True)
class Schedule:
    """A named schedule; ``factor(epoch, epochs)`` multiplies the base learning rate."""

    name: str
    gamma: float = 0.5
    step_size: int = 10

    def factor(self, epoch: int, epochs: int) -> float:
        """``η_e / η`` for ``epoch`` of ``epochs``."""
        return _FACTORS[self.name](self, epoch, epochs)


def _constant(schedule: Schedule, epoch: int, epochs: int) -> float:
    return 1.0


def _step(schedule: Schedule, epoch: int, epochs: int) -> float:
    return float(schedule.gamma ** (epoch // max(schedule.step_size, 1)))


def _cosine(schedule: Schedule, epoch: int, epochs: int) -> float:
    return 0.5 * (1.0 + math.cos(math.pi * epoch / max(epochs, 1)))


_FACTORS: dict[str, Callable[[Schedule, int, int], float]] = {"constant": _constant, "step": _step, "cosine": _cosine}


def schedule_names() -> list[str]:
    """The schedules by name."""
    return list(_FACTORS)


def get_schedule(name: str, **options: float) -> Schedule:
    """A schedule by name with its options: ``gamma`` (> 0) and ``step_size`` (whole epochs ≥ 1) for ``step``."""
    if name not in _FACTORS:
        raise StepgradError(f"unknown schedule {name!r}; choose one of {', '.join(_FACTORS)}")
    unknown = sorted(set(options) - {"gamma", "step_size"})
    if unknown:
        raise StepgradError(f"unknown schedule option(s) {', '.join(unknown)}; use gamma or step_size")
    gamma = options.get("gamma", 0.5)
    step_size = options.get("step_size", 10)
    if not (math.isfinite(gamma) and gamma > 0):
        raise StepgradError(f"the step schedule's gamma must be a positive finite number, got {gamma}")
    if int(step_size) != step_size or step_size < 1:
        raise StepgradError(f"the step schedule's step size must be a whole number of epochs ≥ 1, got {step_size}")
    return Schedule(name=name, gamma=float(gamma), step_size=int(step_size))
