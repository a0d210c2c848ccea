"""A derivation step as data: what is computed, its formula, the numbers put in, the result.

``Step.substitution`` is the right-hand side of the formula with ``{name}``
placeholders for the values it uses (``"{w1}·{i1} + {w2}·{i2} + {b1}·1"``);
``Step.substituted(precision)`` fills them in. Renderers choose the precision;
the values themselves are full float64 numbers taken from the trace.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stepgrad.core.trace import Trace

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


# Beyond these magnitudes numbers are written with an exponent: 8.65397947e−5, 1.2e15.
SMALL = 1e-4
LARGE = 1e15
# Decimal places are capped so that no number shows more significant digits than this.
MAX_DIGITS = 15


def _significant_digits(text: str) -> int:
    """How many significant digits a formatted number shows (``0.0400`` → 1, ``1.25e-5`` → 3)."""
    mantissa = text.lstrip("-").split("e")[0].replace(".", "")
    return len(mantissa.strip("0")) or 1


def _render(value: float, precision: int) -> str:
    """``value`` to ``precision`` digits in the notation its magnitude calls for (zeros not yet stripped)."""
    magnitude = abs(value)
    if magnitude < SMALL or magnitude >= LARGE:
        return f"{value:.{max(precision - 1, 0)}e}"
    if magnitude < 1:
        return f"{value:.{precision}g}"
    integer_digits = len(str(int(magnitude)))
    return f"{value:.{max(0, min(precision, MAX_DIGITS - integer_digits))}f}"


def _strip_zeros(text: str) -> str:
    """``0.5000`` → ``0.5``, ``2.000e-05`` → ``2e-5``."""
    mantissa, _, exponent = text.partition("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{int(exponent)}" if exponent else mantissa


def format_number(value: float, precision: int = 9, unicode_minus: bool = True) -> str:
    """``value`` as the derivation prints it.

    * ``|value| < 1``: ``precision`` significant digits (``0.593269992``);
    * ``|value| ≥ 1``: ``precision`` decimal places (``1.105905967``), at most 15 significant digits;
    * below 1e-4 and from 1e15 on, ``precision`` significant digits with an exponent (``8.65397947e−5``);
    * trailing zeros dropped, never more digits than the float's shortest repr (``0.4``, not
      ``0.40000000000000002``), ``0`` for both zeros, ``−`` for minus.

    ``unicode_minus=False`` writes what Python reads back: ``-`` and Python's exponent
    (``8.653979466e-05``), for numbers a user pastes into code.

    >>> format_number(0.5932699921071872)
    '0.593269992'
    >>> format_number(1.1059059670597702)
    '1.105905967'
    >>> format_number(0.4, 17)
    '0.4'
    """
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        text = "inf" if value > 0 else "-inf"
        return text.replace("inf", "∞").replace("-", "−") if unicode_minus else text
    if value == 0:
        return "0"
    text = _render(value, precision)
    shortest = _significant_digits(repr(float(value)))
    excess = _significant_digits(_strip_zeros(text)) - shortest
    if excess > 0:
        text = _render(value, precision - excess)
    text = _strip_zeros(text)
    if unicode_minus:
        return text.replace("-", "−")
    mantissa, _, exponent = text.partition("e")
    return f"{mantissa}e{int(exponent):+03d}" if exponent else text


def format_operand(value: float, precision: int = 9) -> str:
    """A number as it stands inside a formula: negative numbers in parentheses."""
    text = format_number(value, precision)
    return f"({text})" if text.startswith("−") else text


def format_operand_latex(value: float, precision: int = 9) -> str:
    """A number for LaTeX: ASCII minus, ``\\times 10^{n}`` for exponents, negatives in parentheses."""
    text = format_number(value, precision).replace("−", "-")
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return f"({text})" if text.startswith("-") else text


def _fill(template: str, operands: dict[str, float], write: Callable[[float], str]) -> str:
    """Replace each ``{name}`` whose name is an operand; other braces (LaTeX groups) stay.

    A negative number gets parentheses, except where the template already encloses it:
    ``tanh({net})`` becomes ``tanh(−0.15)``, not ``tanh((−0.15))``.
    """

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in operands:
            return match.group(0)
        text = write(operands[name])
        enclosed = template[match.start() - 1 : match.start()] == "(" and template[match.end() : match.end() + 1] == ")"
        if enclosed and text.startswith("(") and text.endswith(")"):
            return text[1:-1]
        return text

    return _PLACEHOLDER.sub(replace, template)


@dataclass(frozen=True)
class Step:
    """One step of a derivation.

    Attributes:
        name: the value computed, in the derivation's vocabulary (``out_h1``, ``w5+``).
        section: the part of the derivation it belongs to (``Forward pass``, ``Output layer`` …).
        title: a short sentence saying what the step computes.
        formula: the symbolic formula as plain text, ``net_h1 = w1·i1 + w2·i2 + b1·1``.
        formula_latex: the same in LaTeX.
        substitution: the right-hand side with ``{name}`` placeholders for the numbers.
        substitution_latex: the same in LaTeX (placeholders as in ``substitution``; a
            brace group whose content is not an operand name is LaTeX and stays).
        value: the result, full precision.
        operands: the numbers the placeholders name.
        involves: the neurons, weights and biases the step touches (for highlighting).
        note: an optional sentence of explanation, as plain text.
        note_parts: the same note in pieces ``(kind, content)``: ``("text", words)`` or
            ``("math", LaTeX)``, so renderers can draw its formulas as math (empty: all text).
    """

    name: str
    section: str
    title: str
    formula: str
    formula_latex: str
    substitution: str
    substitution_latex: str
    value: float
    operands: dict[str, float] = field(default_factory=dict)
    involves: tuple[str, ...] = ()
    note: str = ""
    note_parts: tuple[tuple[str, str], ...] = ()

    def note_pieces(self) -> tuple[tuple[str, str], ...]:
        """``note_parts``, or the plain note as one text piece (or nothing)."""
        if self.note_parts:
            return self.note_parts
        return (("text", self.note),) if self.note else ()

    def substituted(self, precision: int = 9) -> str:
        """The formula's right-hand side with the numbers put in, as plain text."""
        return _fill(self.substitution, self.operands, lambda value: format_operand(value, precision))

    def substituted_latex(self, precision: int = 9) -> str:
        """The formula's right-hand side with the numbers put in, as LaTeX."""
        return _fill(self.substitution_latex, self.operands, lambda value: format_operand_latex(value, precision))

    @property
    def right_hand_side(self) -> str:
        """The symbolic right-hand side: ``formula`` after ``name = ``."""
        prefix = f"{self.name} = "
        return self.formula[len(prefix) :] if self.formula.startswith(prefix) else self.formula

    def shows_numbers(self, precision: int = 9) -> bool:
        """Whether the formula with the numbers put in says something the formula and the result do not.

        False for a step without operands (``out_o1+``: the forward pass again), for one whose
        substitution is the result itself (``dnet_h1/dw1 = i1 = 0.05``, ``= (−0.15) = −0.15``)
        and for a constant (``dout_o1/dnet_o1 = 1``).
        """
        substituted = self.substituted(precision)
        result = format_number(self.value, precision)
        return substituted not in (self.right_hand_side, result, f"({result})")

    def shows_result(self, precision: int = 9) -> bool:
        """Whether the result needs a line of its own: not when the formula is the number (``= 1``)."""
        return self.right_hand_side != format_number(self.value, precision)


@dataclass(frozen=True)
class Derivation:
    """A worked training step: the ordered steps and every named value of one sample.

    Attributes:
        trace: the trace the steps were read from.
        sample: which sample of the trace's batch the steps follow.
        steps: the steps in the order a person works the example.
        values: ``trace.values(sample)``, every named number.
        title: a heading for the whole derivation.
        notes: sentences shown before the steps (mode, errata, conventions).
    """

    trace: Trace
    sample: int
    steps: tuple[Step, ...]
    values: dict[str, float]
    title: str = "Backpropagation, step by step"
    notes: tuple[str, ...] = ()

    def step(self, name: str) -> Step:
        """The step that computes ``name``; ``KeyError`` when there is none."""
        for candidate in self.steps:
            if candidate.name == name:
                return candidate
        raise KeyError(name)

    def sections(self) -> list[tuple[str, list[Step]]]:
        """The steps grouped by section, in order."""
        grouped: list[tuple[str, list[Step]]] = []
        for candidate in self.steps:
            if not grouped or grouped[-1][0] != candidate.section:
                grouped.append((candidate.section, []))
            grouped[-1][1].append(candidate)
        return grouped

    def _repr_html_(self) -> str:
        """Jupyter display: the HTML derivation as a fragment."""
        from stepgrad.render import render

        return render(self, "html", fragment=True)
