"""Naming the mistake behind a wrong value: recompute it under each known wrong rule.

For a wrong value, every variant of every ``Mistake`` recomputes it from the
learner's own other values (``World`` with that variant's rule table). A variant
that reproduces the written value, within the rounding the learner's numbers
carry, is a diagnosis. It points at the step where the wrong rule acts: the value
itself, or the earliest step feeding it that the learner did not write, and says
which variant it is with the network's names (``dE_o2/dout_h1 = delta_o2 · w6
instead of delta_o2 · w7``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from stepgrad.check.answers import Answer
from stepgrad.check.mistakes import Mistake
from stepgrad.check.recompute import StepRule, Table
from stepgrad.check.report import Diagnosis
from stepgrad.check.tolerance import within, working_rounding
from stepgrad.check.world import World, evaluate_safely


def variant_detail(step: str, wrong: StepRule, right: StepRule) -> str:
    """``step = <wrong formula> instead of <right formula>``, naming a swapped value when there is one."""
    text = f"{step} = {wrong.formula} instead of {right.formula}"
    if len(wrong.inputs) == len(right.inputs):
        swapped = [(used, meant) for used, meant in zip(wrong.inputs, right.inputs, strict=True) if used != meant]
        if len(swapped) == 1:
            used, meant = swapped[0]
            text += f": you used {used} where {meant} belongs"
    return text


@dataclass
class Diagnoser:
    """The known mistakes of one network, tried on one learner's written values.

    It keeps the worlds of the correct rules too (``world(None, …)``), which the check itself uses.

    Attributes:
        correct: the correct rule table.
        mistaken: every applicable mistake variant with its rule table.
        leaves: the network's given numbers.
        given: the learner's written values as used, ``name -> (value, rounding carried)``.
        position: the derivation order of a name (earlier steps first).
    """

    correct: Table
    mistaken: Sequence[tuple[Mistake, Table]]
    leaves: Mapping[str, float]
    given: Mapping[str, tuple[float, float]]
    position: Callable[[str], float]
    _worlds: dict[tuple[int | None, int, int, bool], World] = field(default_factory=dict, init=False, repr=False)

    def world(self, index: int | None, answer: Answer, claim: bool = False) -> World:
        """Variant ``index``'s world (the correct rules' for None), unwritten values rounded the way ``answer``
        is written (not at all for a claim, ``stepgrad.check.tolerance``)."""
        key = (index, answer.decimals, answer.significant, claim)
        if key not in self._worlds:
            table = self.correct if index is None else self.mistaken[index][1]
            self._worlds[key] = World(table, self.leaves, self.given, working_rounding(*key[1:]))
        return self._worlds[key]

    def diagnose(self, name: str, answer: Answer, claim: bool = False) -> tuple[Diagnosis, ...]:
        """The mistakes that reproduce the written ``name``, those acting on it directly first.

        ``claim``: ``answer`` is a bare 0 or ±1 that claims the value exactly (``stepgrad.check.tolerance``).
        """
        found: dict[str, tuple[bool, Diagnosis]] = {}
        tolerance = self.given[name][1]
        for index, (mistake, _) in enumerate(self.mistaken):
            if mistake.name in found and found[mistake.name][0]:
                continue
            world = self.world(index, answer, claim)
            wrong_value, spread = world.follow(name)
            if not within(answer.value, wrong_value, tolerance + spread):
                continue
            step, direct = self._step_of(mistake, name, world)
            if step is None or (mistake.name in found and not direct):
                continue
            detail = variant_detail(step, world.table[step], self.correct[step])
            diagnosis = Diagnosis(mistake.name, mistake.title, mistake.explanation, step, wrong_value, detail)
            found[mistake.name] = (direct, diagnosis)
        ranked = sorted(found.values(), key=lambda entry: not entry[0])
        return tuple(diagnosis for _, diagnosis in ranked)

    def _step_of(self, mistake: Mistake, name: str, world: World) -> tuple[str | None, bool]:
        """Where the mistaken rule acts on ``name``: itself (direct) or the earliest unwritten step feeding it."""
        if world.table[name].kind in mistake.kinds and self._differs(name, world):
            return name, True
        candidates = [
            source
            for source in world.closure(name)
            if source not in world.given
            and source in world.table
            and world.table[source].kind in mistake.kinds
            and self._differs(source, world)
        ]
        if not candidates:
            return None, False
        return min(candidates, key=self.position), False

    def _differs(self, name: str, world: World) -> bool:
        """True when the mistaken rule changes ``name`` (from the same inputs)."""
        mistaken, correct = world.table[name], self.correct[name]
        with_mistake = evaluate_safely(mistaken, [world.value(source) for source in mistaken.inputs])
        without = evaluate_safely(correct, [world.value(source) for source in correct.inputs])
        if math.isnan(with_mistake) and math.isnan(without):
            return False
        return not within(with_mistake, without, 1e-12)
