"""Rounded too early: values that follow from the learner's own numbers, but an early one was cut short.

A learner who writes ``out_h1 = 0.59`` and then ``net_o1 = 1.094000000`` computed from it is right
"for their rounded earlier values" at every step, yet the later values are off in the digits they
show. That is named once, at the first value where it shows, with the coarse value it comes from.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from stepgrad.check.answers import Answer
from stepgrad.check.diagnose import Diagnoser
from stepgrad.check.mistakes import MISTAKES
from stepgrad.check.report import Diagnosis, ValueCheck
from stepgrad.check.tolerance import half_unit, within
from stepgrad.derivations.step import format_number

if TYPE_CHECKING:
    from stepgrad.check.compare import Checker

#: A written value is "far more precise" than the value it was computed from when it has this many more decimals.
MORE_DECIMALS = 3
#: … and it is off from the exact value by more than this many half-units of its last decimal.
VISIBLE = 10


def rounded_too_early(
    checker: Checker, checks: Sequence[ValueCheck], diagnoser: Diagnoser, resolved: Mapping[str, Answer]
) -> list[Diagnosis]:
    """The diagnosis of the first value whose digits an early rounding spoiled, if any."""
    for check in checks:
        if check.status != "rounding" or check.name not in checker.table:
            continue
        answer = resolved[check.name]
        exact = checker.expected[check.name]
        if within(answer.value, exact, VISIBLE * half_unit(answer.decimals)):
            continue
        sources = diagnoser.world(answer).written_inputs(check.name)
        coarse = [s for s in sources if s in checker.table and resolved[s].decimals + MORE_DECIMALS <= answer.decimals]
        if not coarse:
            continue
        source = min(coarse, key=checker.position)
        early = resolved[source]
        mistake = MISTAKES["rounded_too_early"]
        detail = (
            f"{source} = {early.text.strip()} ({early.decimals} decimals) was carried into {check.name} = "
            f"{answer.text.strip()} ({answer.decimals} decimals); the exact {check.name} is {format_number(exact)}"
        )
        own = check.from_own_values if check.from_own_values is not None else answer.value
        return [Diagnosis(mistake.name, mistake.title, mistake.explanation, source, own, detail, check.name)]
    return []
