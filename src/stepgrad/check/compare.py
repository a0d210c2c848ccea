"""Checking a learner's values against the exact step, value by value, and diagnosing the first wrong step.

The step is the one ``stepgrad explain --sample K`` works: sample K of the network
file trained alone (a batch of one), and the values are reported in the order of
that derivation. A value written with ``k`` decimals carries a half-unit
``u = ½·10⁻ᵏ``, none when it is exactly the value, a bare 0 or 1 that claims to be, or one of
the network's given numbers (the full rule is in ``stepgrad.check.tolerance``):

* **right** when ``|given − exact| ≤ u`` (it rounds the exact value to ``k`` decimals) and
  ``k ≥ 3`` or ``k`` shows 2 significant digits of it, or when it is exactly the value (with a
  note *few digits* when it shows fewer than 2 significant digits);
* **right, rounding** when it is within ``u``, plus the rounding its inputs carry, of the step
  recomputed from the learner's own earlier values (written ones as written, unwritten ones
  taken as rounded like this one), and none of those was wrong;
* **too few digits to check** when it is consistent but written with fewer digits than that
  (it is judged, and carries its rounding, like any other value in the steps after it);
* **follows** (from an earlier error) when it matches the recomputation but an earlier value was
  wrong;
* **wrong** otherwise: then a search over small changes to the step and the unwritten steps feeding
  it, recomputed from the learner's own values, finds the simplest that reproduces it: the diagnosis
  (``stepgrad.check.diagnose``). A value right only by accident (its inputs are wrong) is searched
  too, and a sheet in the negative-delta convention is checked with it (``stepgrad.check.conventions``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from stepgrad.check.answers import Answer, answers_from_mapping, read_answers, reading_notes
from stepgrad.check.conventions import convention_holds, negative_convention, with_convention
from stepgrad.check.diagnose import Diagnoser
from stepgrad.check.names import LEARNING_RATE, NameIndex, is_identity
from stepgrad.check.recompute import Context, Table, build_table
from stepgrad.check.report import CheckReport, Diagnosis, Status, ValueCheck
from stepgrad.check.rounding_early import rounded_too_early
from stepgrad.check.tolerance import (
    ENOUGH_SIGNIFICANT,
    carried_rounding,
    enough_digits,
    exactly,
    few_digits,
    is_claim,
    needed_decimals,
    shown_digits,
    within,
    working_rounding,
)
from stepgrad.check.world import World
from stepgrad.core import Trace
from stepgrad.derivations.derivation import explain_setup
from stepgrad.derivations.step import Derivation, format_number
from stepgrad.errors import StepgradError
from stepgrad.network import value_names
from stepgrad.network.model import Setup
from stepgrad.network.step_order import step_order

_BAD: tuple[Status, ...] = ("wrong", "follows")


def coarse_note(value: float) -> str:
    """Why a value that rounds ``value`` is still too coarse to count, and how many decimals it needs."""
    needed = needed_decimals(value)
    return (
        f"too few digits to check: give at least {ENOUGH_SIGNIFICANT} significant digits "
        f"({needed} decimal{'s' if needed != 1 else ''} here)"
    )


def describe_network(setup: Setup) -> str:
    """``2-2-2 sigmoid/sigmoid, half_squared_error, η = 0.5``."""
    network = setup.network
    sizes = "-".join(str(size) for size in network.sizes)
    activations = "/".join(layer.activation for layer in network.layers)
    where = f"{setup.source}: " if setup.source else ""
    return f"{where}{sizes} {activations}, {network.loss}, η = {setup.learning_rate:g}"


@dataclass
class Checker:
    """Checks answers against one sample's training step, as ``stepgrad explain --sample`` works it.

    Attributes:
        setup: the network file's setup.
        sample: which sample (0 = the first), trained alone.
    """

    setup: Setup
    sample: int = 0

    @cached_property
    def derivation(self) -> Derivation:
        """The derivation ``stepgrad explain`` shows: its trace and its order of steps."""
        return explain_setup(self.setup, sample=self.sample)

    @cached_property
    def trace(self) -> Trace:
        """The exact step, from the core."""
        return self.derivation.trace

    @cached_property
    def frozen(self) -> dict[str, str]:
        """``b1+ -> b1`` for every bias that does not train (a learner may still write ``b1+ = b1``)."""
        layers = self.setup.network.layers
        return {f"{b.name}+": b.name for b in self.trace.names.all_biases() if not layers[b.layer].trains_bias}

    @cached_property
    def expected(self) -> dict[str, float]:
        """Every named value of the step (the trace's names), and ``b+ = b`` for frozen biases."""
        values = dict(self.trace.values(0))
        for updated, bias in self.frozen.items():
            values.setdefault(updated, values[bias])
        return values

    @cached_property
    def known(self) -> dict[str, float]:
        """Every name a written value may have: ``expected``, and first the learning rate ``η`` (a given
        number a learner may copy into the answers, ``η = 0.5``)."""
        return {LEARNING_RATE: self.setup.learning_rate, **self.expected}

    @cached_property
    def context(self) -> Context:
        """What the recompute rules need."""
        return Context.from_trace(self.trace)

    @cached_property
    def table(self) -> Table:
        """The correct rules."""
        return build_table(self.context)

    @cached_property
    def order(self) -> dict[str, int]:
        """Each name's place in the step (``step_order``): ``η`` and the given numbers first, each value
        where the derivation works it, a frozen ``b+`` right after its gradient."""
        frozen_after = {value_names.gradient(bias): updated for updated, bias in self.frozen.items()}
        names = [LEARNING_RATE]
        for slot in step_order(self.setup.network, self.trace.names, bool(self.trace.regularization)):
            names += [slot.name, frozen_after[slot.name]] if slot.name in frozen_after else [slot.name]
        return {name: place for place, name in enumerate(names)}

    def position(self, name: str) -> float:
        """``name``'s place in the derivation (unknown names last)."""
        return self.order.get(name, float("inf"))

    @cached_property
    def index(self) -> NameIndex:
        """Known names, by any accepted spelling."""
        return NameIndex(self.known)

    def asked(self) -> list[str]:
        """The names a learner computes, in derivation order: everything but the given numbers
        (and frozen biases' gradients and ``b+``)."""
        return sorted(self.computed(), key=self.position)

    def computed(self) -> list[str]:
        """The names a learner computes, in no particular order (``asked`` without the derivation's order)."""
        skipped = {value_names.gradient(bias) for bias in self.frozen.values()}
        return [name for name in self.expected if name in self.table and name not in skipped]

    def rounding_bounds(self, decimals: int) -> dict[str, float]:
        """How far a learner who rounds every step to ``decimals`` decimals, and carries the rounded values
        forward, may land from each computed value: the rounding of its inputs followed through the steps,
        plus its own (``World`` with nothing written, ``stepgrad.check.tolerance.working_rounding``)."""
        world = World(self.table, self.context.leaves, {}, working_rounding(decimals, 0))
        return {name: world.uncertainty(name) for name in self.table}

    # ------------------------------------------------------------------ checking
    def check(self, answers: Sequence[Answer], source: str = "<answers>") -> CheckReport:
        """Check ``answers``; ``StepgradError`` when two spellings name the same value."""
        # A learner's values can be anything (an out of 1.5 under a logarithm): NaN means "no match".
        with np.errstate(all="ignore"):
            return self._check(answers, source)

    def _check(self, answers: Sequence[Answer], source: str) -> CheckReport:
        resolved, unknown = self._resolve(answers, source)
        report = self._checked(resolved, unknown, source)
        flipped = negative_convention(self, resolved)
        if flipped is not None:
            other = self._checked(flipped, unknown, source)
            if _bad(other) < _bad(report) and convention_holds(self, other):
                report = with_convention(other, resolved, self)
        return replace(report, notes=(*reading_notes(answers), *report.notes))

    def _checked(self, resolved: Mapping[str, Answer], unknown: list[ValueCheck], source: str) -> CheckReport:
        given = {name: self._as_used(name, answer) for name, answer in resolved.items()}
        diagnoser = Diagnoser(self.context, self.table, self.context.leaves, given, self.position)
        verdicts = _Verdicts(self, resolved, given, diagnoser)
        checks: list[ValueCheck] = []
        first_wrong: str | None = None
        first_diagnoses: tuple[Diagnosis, ...] = ()
        given_hint = ""
        later: list[Diagnosis] = []
        for name in sorted(resolved, key=self.position):
            answer = resolved[name]
            status, own, note = verdicts.status(name)
            diagnoses: tuple[Diagnosis, ...] = ()
            accident = name in verdicts.accidents
            if (status == "wrong" or accident) and name in self.table:
                isolated = verdicts.isolated(name) and not accident
                thorough = first_wrong is None  # pairs and copied figures for the first wrong value only
                diagnoses = diagnoser.diagnose(name, answer, verdicts.claims(name), isolated, accident, thorough)
            if accident and not diagnoses:
                note = ""  # right, from values the learner meant (a slip copied back right): no second mistake
            if status == "wrong" and first_wrong is None:
                first_wrong, first_diagnoses = name, diagnoses
                given_hint = note if name not in self.table else ""
            elif diagnoses:
                later.append(diagnoses[0])
            checks.append(
                ValueCheck(
                    name=name,
                    written=answer.written,
                    text=answer.text,
                    given=answer.value,
                    decimals=answer.decimals,
                    status=status,
                    expected=self.known[name],
                    from_own_values=own,
                    note=note,
                    diagnoses=diagnoses,
                    location=answer.location,
                )
            )
        missing = tuple(name for name in self.asked() if name not in resolved and not is_identity(name))
        early = rounded_too_early(self, checks, diagnoser, resolved)
        named = {diagnosis.mistake for diagnosis in first_diagnoses}
        others: list[Diagnosis] = []
        for diagnosis in later:
            if diagnosis.mistake not in named:
                named.add(diagnosis.mistake)
                others.append(diagnosis)
        return CheckReport(
            source=source,
            network=describe_network(self.setup),
            values=(*checks, *unknown),
            first_wrong=first_wrong,
            diagnoses=(*first_diagnoses, *others, *early),
            missing=missing,
            given_hint=given_hint,
        )

    def _as_used(self, name: str, answer: Answer) -> tuple[float, float]:
        """``(value, rounding)`` of a written value as the learner used it in the steps after it.

        The network's given numbers carry no rounding: the network's own number when the copy rounds it,
        else the miscopied one (its own error). A computed value carries its written rounding, none when it
        is exactly the value or claims to be (``stepgrad.check.tolerance``).
        """
        exact = self.known[name]
        rounding = carried_rounding(answer.value, answer.decimals, exact)
        if name in self.table:
            return answer.value, rounding
        return (exact if within(answer.value, exact, rounding) else answer.value), 0.0

    def _resolve(self, answers: Sequence[Answer], source: str) -> tuple[dict[str, Answer], list[ValueCheck]]:
        """The answers by derivation name, and a check for each unknown name."""
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
        return resolved, unknown


class _Verdicts:
    """The status of each written value of one answer file, computed once, earlier steps first."""

    def __init__(
        self,
        checker: Checker,
        resolved: Mapping[str, Answer],
        given: dict[str, tuple[float, float]],
        diagnoser: Diagnoser,
    ):
        self.checker = checker
        self.resolved = resolved
        self.given = given
        self.diagnoser = diagnoser
        self._statuses: dict[str, tuple[Status, float | None, str]] = {}
        self._tainted: dict[str, bool] = {}
        #: values right as written but not from the learner's own (wrong) earlier values: two mistakes cancel
        self.accidents: set[str] = set()

    def isolated(self, name: str) -> bool:
        """True when values the learner computed from the written ``name`` exist and are all right: the wrong
        number did not carry on (a slip in writing it down)."""
        dependents = [
            w
            for w in self.resolved
            if w != name and w in self.checker.table and name in self.world(w).written_inputs(w)
        ]
        return bool(dependents) and all(self.status(w)[0] == "right" for w in dependents)

    def claims(self, name: str) -> bool:
        """True when the written ``name`` is a bare 0 or ±1 that claims the value exactly (``tolerance``)."""
        answer = self.resolved[name]
        return is_claim(answer.value, answer.decimals, self.checker.known[name])

    def world(self, name: str) -> World:
        """The correct rules on the learner's values, unwritten ones rounded the way ``name`` is written."""
        return self.diagnoser.world(self.resolved[name], self.claims(name))

    def tainted(self, name: str) -> bool:
        """True when ``name`` (written, or computed from written values) carries an earlier error."""
        if name not in self._tainted:
            if name in self.given:
                self._tainted[name] = self.status(name)[0] in _BAD
            else:
                rule = self.checker.table.get(name)
                self._tainted[name] = rule is not None and any(self.tainted(s) for s in rule.inputs)
        return self._tainted[name]

    def status(self, name: str) -> tuple[Status, float | None, str]:
        """``(status, value from the learner's own earlier values, note)``."""
        if name not in self._statuses:
            rule = self.checker.table.get(name)
            answer = self.resolved[name]
            self._statuses[name] = self._given_number(name, answer) if rule is None else self._step(name, answer)
        return self._statuses[name]

    def _given_number(self, name: str, answer: Answer) -> tuple[Status, float | None, str]:
        """A number of the network (``w1``), copied; or a frozen bias's ``b1+``."""
        exact = self.checker.known[name]
        rounds = within(answer.value, exact, carried_rounding(answer.value, answer.decimals, exact))
        if exactly(answer.value, exact) or (rounds and enough_digits(answer.decimals, exact)):
            return "right", None, ""
        if rounds:
            return "coarse", None, coarse_note(exact)
        bias = self.checker.frozen.get(name)
        if bias is not None:
            note = f"{bias} is frozen in this network (train_bias = false): it is not updated, {name} = {bias} = "
            return "wrong", None, note + format_number(exact)
        return "wrong", None, f"the network's {name} is {format_number(exact)}: copy it from the network file"

    def _step(self, name: str, answer: Answer) -> tuple[Status, float | None, str]:
        """A computed value: right, rounding, too coarse, following an earlier error, or wrong."""
        checker = self.checker
        exact = checker.expected[name]
        rule = checker.table[name]
        tolerance = self.given[name][1]
        world = self.world(name)
        own, spread = world.follow(name)
        digits = shown_digits(answer.significant)
        written = sorted(world.written_inputs(name), key=checker.position)
        accident = (
            within(answer.value, exact, tolerance)
            and enough_digits(answer.decimals, exact)
            and not within(answer.value, own, tolerance + spread)
        )
        if accident and any(self.tainted(source) for source in written):
            self.accidents.add(name)
            note = f"right by accident: from your earlier values, {name} = {rule.formula} = "
            return "right", own, note + format_number(own, digits)
        if exactly(answer.value, exact):
            return "right", own, ""
        if within(answer.value, exact, tolerance):
            if not enough_digits(answer.decimals, exact):
                return "coarse", own, coarse_note(exact)
            if few_digits(answer.decimals, exact):
                note = f"right to {answer.decimals} decimals, with few digits: the exact value is "
                return "rounding", own, note + format_number(exact)
            return "right", own, ""
        if within(answer.value, own, tolerance + spread):
            bad = [source for source in written if self.tainted(source)]
            if bad:
                shown = ", ".join(bad[:3]) + (", …" if len(bad) > 3 else "")
                note = f"follows from your earlier error ({shown}): from your values, {name} = {rule.formula} = "
                return "follows", own, note + format_number(own, digits)
            if not enough_digits(answer.decimals, own):
                return "coarse", own, coarse_note(own)
            rounded = f"{round(exact, answer.decimals):.{answer.decimals}f}".replace("-", "−")
            if written:
                note = f"right for your rounded earlier values ({format_number(own, digits)}); "
            else:
                note = "right up to the rounding of the steps before it (not written here); "
            return "rounding", own, note + f"the exact value {format_number(exact)} rounds to {rounded}"
        if written:
            return "wrong", own, f"from your earlier values, {name} = {rule.formula} = {format_number(own, digits)}"
        return "wrong", own, f"{name} = {rule.formula}"


def _bad(report: CheckReport) -> int:
    """How many values are wrong or follow from an error."""
    return report.count("wrong") + report.count("follows")


def network_setup(network: Setup | str | Path | None) -> Setup:
    """The setup to check against: a ``Setup``, a network file (with a hint when it is an answer file), or
    the classic example for None."""
    from stepgrad.network import classic_setup
    from stepgrad.network.files import load_setup

    if network is None:
        return classic_setup()
    if isinstance(network, Setup):
        return network
    if isinstance(network, str | Path):
        try:
            return load_setup(network)
        except StepgradError:
            if _reads_as_answers(network):
                raise StepgradError(
                    "this looks like an answer file, not a network file: give the network first, then the "
                    "answers (stepgrad check NETWORK ANSWERS)",
                    str(network),
                ) from None
            raise
    raise StepgradError(f"the network must be a Setup or a network file's path, not {type(network).__name__}")


def _reads_as_answers(path: str | Path) -> bool:
    """True when the file ``path`` reads as a non-empty answer file."""
    try:
        return bool(read_answers(path))
    except StepgradError:
        return False


def _answers_of(answers: Any, source: str | None) -> tuple[list[Answer], str]:
    if isinstance(answers, str | Path):
        return read_answers(answers), source or ("<stdin>" if str(answers) == "-" else str(answers))
    if isinstance(answers, Mapping):
        return answers_from_mapping(answers, source or "<answers>"), source or "<answers>"
    if isinstance(answers, Sequence) and all(isinstance(answer, Answer) for answer in answers):
        return list(answers), source or "<answers>"
    raise StepgradError(
        "the answers must be an answer file's path, a dict of name → value or a list of Answer, "
        f"not {type(answers).__name__}"
    )


def check_answers(
    answers: Sequence[Answer] | Mapping[str, float | str] | str | Path,
    setup: Setup | str | Path | None = None,
    sample: int = 0,
    source: str | None = None,
) -> CheckReport:
    """Check a learner's answers against a network's training step.

    Args:
        answers: an answer file's path (``-``: standard input), a dict ``{name: value}`` or a list of
            ``Answer``.
        setup: a ``Setup``, a network file's path, or None for the classic example.
        sample: which sample of the network file (0 = the first), trained alone as ``explain`` does.
        source: the name to report the answers under.

    Raises:
        StepgradError: unusable answers or network, no values at all, an unknown sample.
    """
    chosen = network_setup(setup)
    written, where = _answers_of(answers, source)
    if not written:
        skipped = len(getattr(written, "skipped", ()))
        if skipped:
            lines = f"{skipped} line{'s' if skipped != 1 else ''}"
            raise StepgradError(f"no values: no line reads as 'name = value' ({lines} of notes skipped)", where)
        raise StepgradError("no values: the answers are empty or every value is blank", where)
    return Checker(chosen, sample).check(written, where)
