"""A learner's world: every value as someone who wrote certain values would have it.

Written values are taken as written; every other value is computed from them
with a rule table (correct, or with one mistake swapped in). Each value also
carries how far it may be off because of rounding:

* a written value, half a unit of its last written digit; none when it is exactly the
  value, claims to be (a bare ``0`` or ``1``) or is one of the network's given numbers
  (``stepgrad.check.tolerance``; the caller decides, ``given`` holds it);
* an unwritten one, what its inputs carry followed through the rule to first
  order (the change of the result when one input moves by its own rounding,
  summed over the inputs), plus the rounding the learner applied to it on
  paper (``rounding(value)``, ``stepgrad.check.tolerance.working_rounding``);
* the network's given numbers, none.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from stepgrad.check.recompute import StepRule, Table
from stepgrad.check.tolerance import no_rounding


def evaluate_safely(rule: StepRule, x: Sequence[float]) -> float:
    """``rule`` on ``x``; NaN when it cannot be evaluated (a learner's out of 0 under a logarithm).

    NumPy's warnings are the caller's to silence (``Checker.check`` does, once for the whole check).
    """
    try:
        return float(rule.evaluate(x))
    except (ValueError, ZeroDivisionError, OverflowError):
        return float("nan")


@dataclass
class World:
    """Every value as someone who wrote ``given`` would have it: what they wrote, else computed from it.

    Attributes:
        table: the rules (correct or with a mistake swapped in).
        leaves: the network's given numbers.
        given: the written values as used, ``name -> (value, rounding carried)``.
        rounding: the half-unit an unwritten value ``v`` carries (the learner rounded it too).
        base: a world with the same values and rounding whose table differs only at ``changed``: every value
            that no changed step feeds is taken from it (the diagnosis tries hundreds of one-step changes).
        changed: the steps whose rules differ from ``base``'s.
    """

    table: Table
    leaves: Mapping[str, float]
    given: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    rounding: Callable[[float], float] = no_rounding
    base: World | None = None
    changed: frozenset[str] = frozenset()
    _values: dict[str, float] = field(default_factory=dict, init=False, repr=False)
    _follows: dict[str, tuple[float, float]] = field(default_factory=dict, init=False, repr=False)
    _affected: dict[str, bool] = field(default_factory=dict, init=False, repr=False)
    _warming: bool = field(default=False, init=False, repr=False)

    def _steps_under(self, name: str) -> list[str]:
        """``name`` and the unwritten steps it is computed from, each after its inputs.

        Found with a stack, not recursion: a network of 200 layers is over a thousand steps deep."""
        order: list[str] = []
        seen = {name}
        stack: list[tuple[str, bool]] = [(name, False)]
        while stack:
            current, inputs_done = stack.pop()
            if inputs_done:
                order.append(current)
                continue
            stack.append((current, True))
            rule = self.table.get(current)
            for source in rule.inputs if rule is not None else ():
                if source not in seen and source in self.table and source not in self.given:
                    seen.add(source)
                    stack.append((source, False))
        return order

    def _warm(self, name: str) -> None:
        """Work out every step ``name`` needs from the bottom up, so the recursive methods below only ever
        look one step down into their caches."""
        if self._warming or name not in self.table:
            return
        self._warming = True
        try:
            for step in self._steps_under(name):
                if self.base is not None and not self.affected(step):
                    continue  # the base world has it (and warms it there on first use)
                self.follow(step)
        finally:
            self._warming = False

    def affected(self, name: str) -> bool:
        """True when ``name``'s value may differ from ``base``'s: a changed step, or one fed by one."""
        if self.base is None:
            return True
        if name not in self._affected:
            self._warm(name)
        if name not in self._affected:
            rule = self.table.get(name)
            # a written input is taken as written in both worlds; the rule of ``name`` itself is followed
            self._affected[name] = name in self.changed or (
                rule is not None
                and any(
                    source in self.table and source not in self.given and self.affected(source)
                    for source in rule.inputs
                )
            )
        return self._affected[name]

    def value(self, name: str) -> float:
        """The value of ``name`` in this world."""
        if name in self.given:
            return self.given[name][0]
        if self.base is not None and not self.affected(name):
            return self.base.value(name)
        if name not in self._values:
            self._warm(name)
            rule = self.table.get(name)
            self._values[name] = self.leaves[name] if rule is None else self.follow(name)[0]
        return self._values[name]

    def uncertainty(self, name: str) -> float:
        """How far ``value(name)`` may be off because of rounding (written, or done on paper and not written)."""
        if name in self.given:
            return self.given[name][1]
        if name not in self.table:
            return 0.0
        value, spread = self.follow(name)
        return spread + self.rounding(value)

    def follow(self, name: str) -> tuple[float, float]:
        """``name``'s rule applied to this world's inputs (ignoring a written ``name``), and its uncertainty."""
        if name in self._follows:
            return self._follows[name]
        self._warm(name)
        if name in self._follows:
            return self._follows[name]
        if self.base is not None and not self.affected(name):
            return self.base.follow(name)
        rule = self.table[name]
        x = [self.value(source) for source in rule.inputs]
        base = evaluate_safely(rule, x)
        spread = 0.0
        for position, source in enumerate(rule.inputs):
            step = self.uncertainty(source)
            if step > 0:
                moved = [
                    evaluate_safely(rule, [*x[:position], x[position] + sign * step, *x[position + 1 :]])
                    for sign in (1, -1)
                ]
                spread += max(abs(value - base) for value in moved)
        if not math.isfinite(spread):
            spread = math.inf
        self._follows[name] = (base, spread)
        return base, spread

    def closure(self, name: str) -> list[str]:
        """The names ``name`` is computed from in this world, through values that were not written."""
        seen: list[str] = []
        found: set[str] = set()  # ``seen`` as a set: a deep network has thousands of names
        stack = [name]
        while stack:
            current = stack.pop()
            rule = self.table.get(current)
            if rule is None:
                continue
            for source in rule.inputs:
                if source not in found:
                    found.add(source)
                    seen.append(source)
                    if source not in self.given:
                        stack.append(source)
        return seen

    def written_inputs(self, name: str) -> list[str]:
        """The written values ``name`` is computed from (through unwritten ones)."""
        return [source for source in self.closure(name) if source in self.given]
