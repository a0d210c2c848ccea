"""Checking a learner's values against the trace, value by value, and diagnosing the first wrong step.

A value written with ``k`` decimals carries a half-unit ``u = ½·10⁻ᵏ``:

* **right** when ``|given − exact| ≤ u`` (it rounds the exact value to ``k`` decimals);
* **right, rounding** when it is within ``u`` (plus the rounding its inputs carry) of the step
  recomputed from the learner's own earlier values, and those were right;
* **follows** (from an earlier error) when it matches that recomputation but an earlier value was wrong;
* **wrong** otherwise: then each known mistake recomputes the step under its wrong rule, from the
  learner's own values, and the ones that reproduce it are the diagnosis.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from stepgrad.check.answers import Answer, read_answers
from stepgrad.check.mistakes import MISTAKES, Mistake
from stepgrad.check.names import NameIndex
from stepgrad.check.recompute import Context, Rules, Table, World, build_table
from stepgrad.check.report import CheckReport, Diagnosis, Status, ValueCheck
from stepgrad.core import Trace, train_step
from stepgrad.errors import StepgradError
from stepgrad.explain.step import format_number
from stepgrad.network.model import Setup

# Slack on top of the written rounding: values near a rounding boundary, and values a learner's own
# program printed with 17 digits in a different order of operations (about 10 significant digits count).
_FLOAT_SLACK = 1e-10


def _within(given: float, target: float, tolerance: float) -> bool:
    return abs(given - target) <= tolerance + _FLOAT_SLACK * max(1.0, abs(given))


def _digits(decimals: int) -> int:
    """Significant digits to show a recomputed value with: enough to see a difference in the last written one."""
    return max(6, decimals + 2)


def describe_network(setup: Setup) -> str:
    """``2-2-2 sigmoid/sigmoid, half_squared_error, η = 0.5``."""
    network = setup.network
    sizes = "-".join(str(size) for size in network.sizes)
    activations = "/".join(layer.activation for layer in network.layers)
    where = f"{setup.source}: " if setup.source else ""
    return f"{where}{sizes} {activations}, {network.loss}, η = {setup.learning_rate:g}"


@dataclass
class Checker:
    """Checks answers against one setup's training step (sample ``sample``)."""

    setup: Setup
    sample: int = 0
    mistakes: Sequence[Mistake] = field(default_factory=lambda: list(MISTAKES.values()))

    @cached_property
    def trace(self) -> Trace:
        """The exact step, from the core."""
        s = self.setup
        return train_step(s.network, s.inputs, s.targets, s.learning_rate)

    @cached_property
    def expected(self) -> dict[str, float]:
        """Every named value of the sample."""
        return self.trace.values(self.sample)

    @cached_property
    def context(self) -> Context:
        """What the recompute rules need."""
        return Context.from_trace(self.trace, self.sample)

    @cached_property
    def table(self) -> Table:
        """The correct rules."""
        return build_table(self.context)

    @cached_property
    def index(self) -> NameIndex:
        """Known names, by any accepted spelling."""
        return NameIndex(self.expected)

    @cached_property
    def mistaken_tables(self) -> list[tuple[Mistake, Table]]:
        """Every applicable mistake variant's rules."""
        tables = []
        for mistake in self.mistakes:
            rules: Rules
            for rules in mistake.variants(self.context):
                tables.append((mistake, build_table(self.context, rules)))
        return tables

    def asked(self) -> list[str]:
        """The names a learner computes: everything but the given numbers (and frozen biases' gradients)."""
        frozen = {
            f"dE_total/d{b.name}"
            for b in self.trace.names.all_biases()
            if not self.setup.network.layers[b.layer].trains_bias
        }
        return [name for name in self.expected if name in self.table and name not in frozen]

    # ------------------------------------------------------------------ checking
    def check(self, answers: Sequence[Answer], source: str = "<answers>") -> CheckReport:
        """Check ``answers``; ``StepgradError`` when two spellings name the same value."""
        resolved: dict[str, Answer] = {}
        unknown: list[ValueCheck] = []
        for answer in answers:
            name = self.index.resolve(answer.written)
            if name is None:
                suggestions = tuple(self.index.closest(answer.written))
                hint = f"did you mean {', '.join(suggestions)}?" if suggestions else "no known name is close"
                unknown.append(
                    ValueCheck(
                        name=answer.written,
                        written=answer.written,
                        text=answer.text,
                        given=answer.value,
                        decimals=answer.decimals,
                        status="unknown",
                        note=f"unknown name; {hint}",
                        suggestions=suggestions,
                        location=answer.location,
                    )
                )
                continue
            if name in resolved:
                first = resolved[name]
                raise StepgradError(
                    f"{name} is given twice ({first.written!r} at {first.location or '?'} and {answer.written!r})",
                    source,
                    answer.location,
                )
            resolved[name] = answer

        given = {name: (answer.value, answer.half_unit) for name, answer in resolved.items()}
        world = World(self.table, self.context.leaves, given)
        statuses: dict[str, tuple[Status, float | None, str]] = {}

        def tainted(name: str) -> bool:
            if name in given:
                return status_of(name)[0] in ("wrong", "follows")
            rule = self.table.get(name)
            return rule is not None and any(tainted(source) for source in rule.inputs)

        def status_of(name: str) -> tuple[Status, float | None, str]:
            if name not in statuses:
                statuses[name] = self._classify(name, resolved[name], world, tainted)
            return statuses[name]

        # One world per mistaken rule set, shared by every wrong value: a step never reads its own value.
        mistaken_worlds: dict[int, World] = {}
        checks: list[ValueCheck] = []
        first_wrong: str | None = None
        first_diagnoses: tuple[Diagnosis, ...] = ()
        for name in self.expected:
            if name not in resolved:
                continue
            answer = resolved[name]
            status, own, note = status_of(name)
            diagnoses: tuple[Diagnosis, ...] = ()
            if status == "wrong":
                diagnoses = self.diagnose(name, given, mistaken_worlds) if name in self.table else ()
                if first_wrong is None:
                    first_wrong, first_diagnoses = name, diagnoses
            checks.append(
                ValueCheck(
                    name=name,
                    written=answer.written,
                    text=answer.text,
                    given=answer.value,
                    decimals=answer.decimals,
                    status=status,
                    expected=self.expected[name],
                    from_own_values=own,
                    note=note,
                    diagnoses=diagnoses,
                    location=answer.location,
                )
            )
        missing = tuple(name for name in self.asked() if name not in resolved)
        return CheckReport(
            source=source,
            network=describe_network(self.setup),
            values=(*checks, *unknown),
            first_wrong=first_wrong,
            diagnoses=first_diagnoses,
            missing=missing,
        )

    def _classify(self, name: str, answer: Answer, world: World, tainted: object) -> tuple[Status, float | None, str]:
        exact = self.expected[name]
        half = answer.half_unit
        rule = self.table.get(name)
        if rule is None:  # a given number of the network, copied
            if _within(answer.value, exact, half):
                return "right", None, ""
            return "wrong", None, f"the network's {name} is {format_number(exact)}"
        own, spread = world.follow(name)
        digits = _digits(answer.decimals)
        upstream_wrong = any(tainted(source) for source in rule.inputs)  # type: ignore[operator]
        if _within(answer.value, exact, half):
            return "right", own, ""
        if _within(answer.value, own, half + spread):
            if upstream_wrong:
                return (
                    "follows",
                    own,
                    (
                        f"follows from your earlier error: from your values, {name} = {rule.formula} "
                        f"= {format_number(own, digits)}"
                    ),
                )
            rounded = round(exact, answer.decimals)
            return (
                "rounding",
                own,
                (
                    f"right for your rounded earlier values ({format_number(own, digits)}); "
                    f"the exact value {format_number(exact)} rounds to {rounded:.{answer.decimals}f}"
                ),
            )
        return "wrong", own, f"from your earlier values, {name} = {rule.formula} = {format_number(own, digits)}"

    def diagnose(
        self, name: str, given: dict[str, tuple[float, float]], worlds: dict[int, World] | None = None
    ) -> tuple[Diagnosis, ...]:
        """The known mistakes that reproduce the written ``name`` from the learner's other values.

        ``worlds`` caches one ``World`` per mistaken rule set across calls with the same ``given``.
        """
        value, half = given[name]
        cache = {} if worlds is None else worlds
        found: dict[str, tuple[bool, Diagnosis]] = {}
        for position, (mistake, table) in enumerate(self.mistaken_tables):
            if mistake.name in found and found[mistake.name][0]:
                continue
            if position not in cache:
                cache[position] = World(table, self.context.leaves, given)
            world = cache[position]
            wrong_value, spread = world.follow(name)
            if not _within(value, wrong_value, half + spread):
                continue
            step, direct = self._step_of(mistake, name, world)
            if step is None:
                continue
            found[mistake.name] = (
                direct,
                Diagnosis(mistake.name, mistake.title, mistake.explanation, step, wrong_value),
            )
        ranked = sorted(found.values(), key=lambda entry: not entry[0])
        return tuple(diagnosis for _, diagnosis in ranked)

    def _step_of(self, mistake: Mistake, name: str, world: World) -> tuple[str | None, bool]:
        """Where the mistaken rule acts on ``name``: itself (direct) or the earliest unwritten step feeding it."""
        if world.table[name].kind in mistake.kinds and self._differs(name, world):
            return name, True
        order = list(self.expected)
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
        return min(candidates, key=order.index), False

    def _differs(self, name: str, world: World) -> bool:
        """True when the mistaken rule changes ``name`` (from the same inputs)."""
        mistaken = world.table[name]
        correct = self.table[name]
        inputs = [world.value(source) for source in mistaken.inputs]
        base = [world.value(source) for source in correct.inputs]
        with_mistake = mistaken.evaluate(inputs)
        without = correct.evaluate(base)
        return not _within(with_mistake, without, 1e-12)


def check_answers(
    answers: Sequence[Answer] | str | Path, setup: Setup | None = None, sample: int = 0, source: str | None = None
) -> CheckReport:
    """Check a learner's answers (a list, or an answer file's path) against ``setup`` (default: classic)."""
    from stepgrad.network import classic_setup

    if isinstance(answers, (str, Path)):
        source = source or str(answers)
        answers = read_answers(answers)
    chosen = setup if setup is not None else classic_setup()
    if not 0 <= sample < chosen.n_samples:
        raise StepgradError(f"sample {sample} does not exist (the file has {chosen.n_samples})", chosen.source)
    return Checker(chosen, sample).check(answers, source or "<answers>")
