"""Naming the mistake behind a wrong value: a search over small changes to the derivation's steps.

For a wrong value ``v`` the search recomputes it from the learner's own other values
(``World``) with one step's formula changed (``stepgrad.check.mutations``): ``v`` itself, or a
step feeding it that the learner did not write. A change that reproduces the written value,
within the rounding the learner's numbers carry, is an explanation. It also tries each change
made consistently through a layer (or the whole network), the learning rate the learner's own
numbers imply, then a keystroke slip (``stepgrad.check.slips``), and last two changes at once.
Explanations are ranked by simplicity (``Mistake.cost``), then by how directly they act on
``v``, and named in the network's own names (``dE_o2/dout_h1 = delta_o2 · w6 instead of
delta_o2 · w7``).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from stepgrad.check.answers import Answer
from stepgrad.check.mistakes import MISTAKES
from stepgrad.check.mutations import Mutation, learning_rate_mutation, mutations
from stepgrad.check.recompute import Context, StepRule, Table, slots
from stepgrad.check.report import Diagnosis
from stepgrad.check.slips import slip_of
from stepgrad.check.tolerance import within, working_rounding
from stepgrad.check.world import World, evaluate_safely

#: At most this many single changes are paired when no single change explains a value.
PAIRED = 24
#: Added to the cost of a change the learner's own right values contradict (a sibling step written right
#: where the same change would have shown): such a one-off is likelier a slip than a way of working.
CONTRADICTED = 3
#: Added to the cost of a mistake that reproduces a value only from the network's own numbers, not from the
#: learner's other values (a figure copied from a source that made it, like the classic text's erratum).
COPIED = 1
AFTER_UPDATE = ("net_new", "out_new", "error_new", "error_total_new")


def variant_detail(step: str, wrong: StepRule, right: StepRule) -> str:
    """``step = <wrong formula> instead of <right formula>``, naming a swapped value when there is one."""
    text = f"{step} = {wrong.formula} instead of {right.formula}"
    if len(wrong.inputs) == len(right.inputs):
        swapped = [(used, meant) for used, meant in zip(wrong.inputs, right.inputs, strict=True) if used != meant]
        if len(swapped) == 1:
            used, meant = swapped[0]
            text += f": you used {used} where {meant} belongs"
    return text


@dataclass(frozen=True)
class Explanation:
    """Changes that together reproduce a written value: ``(step, mutation)`` pairs, or a slip."""

    changes: tuple[tuple[str, Mutation], ...]
    value: float
    cost: int
    rank: float
    slip: str = ""
    copied: bool = False


@dataclass
class Diagnoser:
    """The search over mistakes for one network and one learner's written values.

    It keeps the worlds of the correct rules too (``world(answer, claim)``), which the check itself uses.

    Attributes:
        ctx: what the rules know about the network.
        correct: the correct rule table.
        leaves: the network's given numbers.
        given: the learner's written values as used, ``name -> (value, rounding carried)``.
        position: the derivation order of a name (earlier steps first).
    """

    ctx: Context
    correct: Table
    leaves: Mapping[str, float]
    given: Mapping[str, tuple[float, float]]
    position: Callable[[str], float]
    _worlds: dict[tuple[int, int, bool], World] = field(default_factory=dict, init=False, repr=False)

    def world(
        self, answer: Answer, claim: bool = False, table: Table | None = None, changed: frozenset[str] = frozenset()
    ) -> World:
        """The learner's world under ``table`` (the correct rules by default, which differ from it at
        ``changed``), unwritten values rounded the way ``answer`` is written (not at all for a claim,
        ``stepgrad.check.tolerance``)."""
        if table is not None:
            base = self.world(answer, claim)
            return World(table, self.leaves, self.given, base.rounding, base, changed)
        rounding = working_rounding(answer.decimals, answer.significant, claim)
        key = (answer.decimals, answer.significant, claim)
        if key not in self._worlds:
            self._worlds[key] = World(self.correct, self.leaves, self.given, rounding)
        return self._worlds[key]

    @cached_property
    def changes(self) -> dict[str, list[Mutation]]:
        """Every step's possible changes, by the step's name."""
        return {
            rule.name: mutations(self.ctx, slot, rule)
            for slot, rule in zip(slots(self.ctx), self.correct.values(), strict=True)
        }

    @cached_property
    def consistent(self) -> list[tuple[tuple[tuple[str, Mutation], ...], Table]]:
        """Each change made the same way at every step of a layer (and of the whole network) where it applies."""
        groups: dict[tuple, list[tuple[str, Mutation]]] = {}
        for name, found in self.changes.items():
            for mutation in found:
                groups.setdefault((mutation.mistake, mutation.label, mutation.layer), []).append((name, mutation))
                groups.setdefault((mutation.mistake, mutation.label, "all"), []).append((name, mutation))
        tables = []
        seen: set[tuple[str, str, frozenset[str]]] = set()
        for (mistake, label, _), members in groups.items():
            key = (mistake, label, frozenset(name for name, _ in members))
            if len(members) < 2 or key in seen:
                continue
            seen.add(key)
            tables.append((tuple(members), {**self.correct, **{name: m.rule for name, m in members}}))
        return tables

    # ------------------------------------------------------------------ the search
    def diagnose(
        self,
        name: str,
        answer: Answer,
        claim: bool = False,
        isolated: bool = False,
        accident: bool = False,
        thorough: bool = True,
    ) -> tuple[Diagnosis, ...]:
        """The simplest explanations of the written ``name``, best first.

        ``thorough``: when no single change explains it, also try pairs of changes and figures copied (the
        costly part of the search: done for the first wrong value, not for every later one).

        ``isolated``: the values the learner computed from ``name`` are right, so the wrong number did not
        carry on: a slip is looked for first. ``accident``: ``name`` is right though the learner's earlier
        values are not: only a second mistake in its own step, undoing the first, explains it.
        """
        if accident:
            direct = [e for e in self.explain(name, answer, claim, own_step=True) if not e.slip]
            return tuple(d for e in direct[:1] for d in self._diagnoses(name, e))
        if isolated:
            slip = self._slip(name, answer, self.world(answer, claim), self.given[name][1])
            if slip:
                return tuple(self._diagnoses(name, slip[0]))
        explanations = self.explain(name, answer, claim, thorough=thorough)
        diagnoses: list[Diagnosis] = []
        named: set[str] = set()
        for explanation in explanations:
            for diagnosis in self._diagnoses(name, explanation):
                if diagnosis.mistake not in named:
                    named.add(diagnosis.mistake)
                    diagnoses.append(diagnosis)
        return tuple(diagnoses)

    def explain(
        self, name: str, answer: Answer, claim: bool = False, own_step: bool = False, thorough: bool = True
    ) -> list[Explanation]:
        """Every single change that reproduces ``name``; else a slip; else pairs of changes.

        ``own_step``: only changes of ``name``'s own step (no slips, pairs or figures copied).
        """
        base = self.world(answer, claim)
        upstream = [] if own_step else [s for s in base.closure(name) if s not in self.given and s in self.correct]
        steps = [name, *upstream]
        target, tolerance = answer.value, self.given[name][1]
        found: list[Explanation] = []
        singles: list[tuple[str, Mutation]] = []
        for step in steps:
            for mutation in self.changes.get(step, []):
                singles.append((step, mutation))
                explanation = self._try(name, answer, claim, ((step, mutation),), target, tolerance)
                if explanation is not None:
                    found.append(explanation)
        reach = set(steps)
        for members, table in self.consistent:
            acting = tuple(member for member in members if member[0] in reach)
            if len(acting) < 2:
                continue
            explanation = self._try(name, answer, claim, acting, target, tolerance, table)
            if explanation is not None:
                found.append(explanation)
        found += self._learning_rate(name, answer, claim, target, tolerance)
        if own_step:
            return sorted(found, key=lambda e: (e.cost, e.rank))
        if min((explanation.cost for explanation in found), default=math.inf) > MISTAKES["slip"].cost:
            found += self._slip(name, answer, base, tolerance)
        if not found and thorough:
            found += self._pairs(name, answer, claim, singles, target, tolerance)
        if not found and thorough:
            found += self._copied(name, answer, target, tolerance)
        # the simplest explanations only: a rarer mistake that gives the same number is noise
        simplest = min((explanation.cost for explanation in found), default=0)
        return sorted((e for e in found if e.cost == simplest), key=lambda e: e.rank)

    def _try(
        self,
        name: str,
        answer: Answer,
        claim: bool,
        changes: tuple[tuple[str, Mutation], ...],
        target: float,
        tolerance: float,
        table: Table | None = None,
    ) -> Explanation | None:
        """The explanation ``changes`` give, if they reproduce ``target``."""
        steps = frozenset(step for step, _ in changes)
        local = table is None  # one change, or a pair: not a mistake made through a layer
        table = table if table is not None else {**self.correct, **{step: m.rule for step, m in changes}}
        world = self.world(answer, claim, table, steps)
        value, spread = world.follow(name)
        if not within(target, value, tolerance + spread):
            return None
        differs = [self._differs(step, mutation.rule, world) for step, mutation in changes]
        if not (all(differs) if local else any(differs)):
            return None
        cost = sum(MISTAKES[m.mistake].cost for _, m in {m.mistake: (s, m) for s, m in changes}.values())
        if local and self._contradicted(changes, answer, claim):
            cost += CONTRADICTED
        first = min((step for step, _ in changes), key=self.position)
        # acting on the value itself first, then the latest step (the closest to the value)
        rank = (
            0.0 if first == name else 1.0 / (1.0 + self.position(first)) if math.isfinite(self.position(first)) else 1.0
        )
        return Explanation(changes, value, cost, rank)

    @cached_property
    def witnesses(self) -> dict[str, list[str]]:
        """For each step, the written values computed from it through unwritten steps (itself, if written)."""
        found: dict[str, list[str]] = {name: [name] for name in self.given if name in self.correct}
        world = World(self.correct, self.leaves, self.given)
        for written in self.given:
            if written in self.correct:
                for source in world.closure(written):
                    if source not in self.given:
                        found.setdefault(source, []).append(written)
        return found

    def _contradicted(self, changes: tuple[tuple[str, Mutation], ...], answer: Answer, claim: bool) -> bool:
        """True when the same change (same mistake, same label) at a sibling step would have spoiled a value the
        learner wrote right: a way of working shows everywhere it applies, a one-off does not."""
        base = self.world(answer, claim)
        acting = {step for step, _ in changes}
        for _, mutation in changes:
            for sibling, others in self.changes.items():
                if sibling in acting:
                    continue
                for other in others:
                    if (other.mistake, other.label) != (mutation.mistake, mutation.label):
                        continue
                    if self._spoils(sibling, other, answer, claim, base):
                        return True
        return False

    def _spoils(self, sibling: str, change: Mutation, answer: Answer, claim: bool, base: World) -> bool:
        """True when ``change`` at ``sibling`` turns a written value that is right into a wrong one."""
        world: World | None = None
        for witness in self.witnesses.get(sibling, []):
            written, tolerance = self.given[witness]
            right, spread = base.follow(witness)
            if not within(written, right, tolerance + spread):
                continue
            if world is None:
                world = self.world(answer, claim, {**self.correct, sibling: change.rule}, frozenset({sibling}))
            wrong, moved = world.follow(witness)
            if not within(wrong, written, 2 * (tolerance + spread + moved)):
                return True
        return False

    def _copied(self, name: str, answer: Answer, target: float, tolerance: float) -> list[Explanation]:
        """A mistake made throughout that gives the written value from the network's own numbers alone.

        Only for the figures a text sums up with: the forward pass after the update (``E_total+``).
        """
        if self.correct[name].kind not in AFTER_UPDATE:
            return []
        found = []
        for members, table in self.consistent:
            world = World(table, self.leaves, {}, working_rounding(answer.decimals, answer.significant))
            value, spread = world.follow(name)
            if within(target, value, tolerance + spread):
                cost = MISTAKES[members[0][1].mistake].cost + COPIED
                found.append(Explanation(members, value, cost, 1.0, copied=True))
        return found

    def _differs(self, step: str, rule: StepRule, world: World) -> bool:
        """True when ``rule`` changes ``step`` (from the same inputs) in ``world``."""
        correct = self.correct[step]
        with_mistake = evaluate_safely(rule, [world.value(source) for source in rule.inputs])
        without = evaluate_safely(correct, [world.value(source) for source in correct.inputs])
        if math.isnan(with_mistake) and math.isnan(without):
            return False
        return not within(with_mistake, without, 1e-12)

    def _learning_rate(
        self, name: str, answer: Answer, claim: bool, target: float, tolerance: float
    ) -> list[Explanation]:
        """An update that follows from the learner's gradient with another η: ``η = (p − p+)/g``, if round."""
        rule = self.correct.get(name)
        if rule is None or rule.kind != "update":
            return []
        world = self.world(answer, claim)
        parameter, *gradients = (world.value(source) for source in rule.inputs)
        gradient = sum(gradients)  # dE_total/dp, plus dE_reg/dp for a regularized weight
        if gradient == 0 or not math.isfinite(gradient):
            return []
        implied = (parameter - target) / gradient
        if implied <= 0 or not math.isfinite(implied):
            return []
        rate = float(f"{implied:.2g}")
        if rate == self.ctx.learning_rate:
            return []
        mistake, label, changed = learning_rate_mutation(rule, rate)
        mutation = Mutation(mistake, label, changed, None)
        explanation = self._try(name, answer, claim, ((name, mutation),), target, tolerance)
        return [] if explanation is None else [explanation]

    def _slip(self, name: str, answer: Answer, world: World, tolerance: float) -> list[Explanation]:
        """A keystroke slip between the value the learner's own numbers give and the one written."""
        own, spread = world.follow(name)
        what = slip_of(answer.text, own, spread + world.rounding(own))
        if what is None:
            return []
        return [Explanation((), own, MISTAKES["slip"].cost, 0.0, what)]

    def _pairs(
        self,
        name: str,
        answer: Answer,
        claim: bool,
        singles: Sequence[tuple[str, Mutation]],
        target: float,
        tolerance: float,
    ) -> list[Explanation]:
        """Two changes at two steps, the simplest first (at most ``PAIRED`` changes are combined)."""
        simplest = sorted(singles, key=lambda single: MISTAKES[single[1].mistake].cost)[:PAIRED]
        found = []
        for first, second in itertools.combinations(simplest, 2):
            if first[0] == second[0] or first[1].mistake == second[1].mistake:
                continue
            explanation = self._try(name, answer, claim, (first, second), target, tolerance)
            if explanation is not None:
                found.append(explanation)
        return found

    # ------------------------------------------------------------------ naming
    def _diagnoses(self, name: str, explanation: Explanation) -> list[Diagnosis]:
        """The diagnoses one explanation names: one per mistake, at its earliest step."""
        if explanation.slip:
            mistake = MISTAKES["slip"]
            detail = f"{name}: {explanation.slip} (your earlier values give {explanation.value:.10g})"
            return [Diagnosis(mistake.name, mistake.title, mistake.explanation, name, explanation.value, detail, name)]
        by_mistake: dict[str, list[tuple[str, Mutation]]] = {}
        for step, mutation in explanation.changes:
            by_mistake.setdefault(mutation.mistake, []).append((step, mutation))
        diagnoses = []
        for mistake_name, changes in by_mistake.items():
            mistake = MISTAKES[mistake_name]
            step, mutation = min(changes, key=lambda change: self.position(change[0]))
            detail = variant_detail(step, mutation.rule, self.correct[step])
            if len(changes) > 1:
                detail += f" (and the same at {len(changes) - 1} other step{'s' if len(changes) > 2 else ''})"
            if explanation.copied:
                detail += (
                    f"; your other values do not show it: this {name} is what the network's own numbers give with "
                    "this mistake made throughout, e.g. a figure copied from a source that made it"
                )
            if mistake_name == "learning_rate_wrong":
                detail += f": you used {mutation.label}, the network's η is {self.ctx.learning_rate:g}"
            diagnoses.append(
                Diagnosis(mistake.name, mistake.title, mistake.explanation, step, explanation.value, detail, name)
            )
        return diagnoses
