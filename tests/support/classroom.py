"""A class's answer files, written the way learners write them: helpers of the class-grading tests."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from stepgrad.exercise import Exercise
from stepgrad.network.files import load_setup

STEPGRAD = str(Path(sys.executable).parent / "stepgrad")


def stepgrad(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The CLI as a subprocess in ``cwd``."""
    return subprocess.run([STEPGRAD, *args], capture_output=True, text=True, cwd=cwd)


def sheet(base: Path, number: int) -> Exercise:
    """Exercise ``number`` of the class written into ``base/class``."""
    return Exercise(load_setup(base / "class" / f"exercise-{number:02d}" / "network.toml"))


def lines(exercise: Exercise, values: Mapping[str, float], decimals: int = 4) -> str:
    """``name = value`` for every asked value, in the sheet's order."""
    return "".join(f"{name} = {values[name]:.{decimals}f}\n" for name in exercise.asked)


def worked_from(exercise: Exercise, written: Mapping[str, float]) -> dict[str, float]:
    """Every value recomputed from the learner's own values after writing ``written`` (a slip, or a mistake
    made in some steps): the values a learner who carries their own numbers forward writes."""
    table, values = exercise.checker.table, dict(exercise.checker.expected)
    values.update(written)
    for name in exercise.checker.asked():  # derivation order: each step reads values already recomputed
        if name not in written:
            rule = table[name]
            values[name] = rule.evaluate(tuple(values[source] for source in rule.inputs))
    return values


def with_slip(exercise: Exercise, slipped: str, written: float) -> dict[str, float]:
    """Every value recomputed from the learner's own values after writing ``slipped`` as ``written``."""
    return worked_from(exercise, {slipped: written})
