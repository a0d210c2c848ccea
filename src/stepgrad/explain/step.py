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


def format_number(value: float, precision: int = 9) -> str:
    """``value`` to ``precision`` significant digits, no trailing zeros, ``−`` for minus.

    >>> format_number(0.5932699921071872)
    '0.593269992'
    >>> format_number(0.3775)
    '0.3775'
    """
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    text = f"{value:.{precision}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        if "." in mantissa:
            mantissa = mantissa.rstrip("0").rstrip(".")
        text = f"{mantissa}e{int(exponent)}"
    elif "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace("-", "−")


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
    """Replace each ``{name}`` whose name is an operand; other braces (LaTeX groups) stay."""
    return _PLACEHOLDER.sub(lambda m: write(operands[m.group(1)]) if m.group(1) in operands else m.group(0), template)


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
        note: an optional sentence of explanation.
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

    def substituted(self, precision: int = 9) -> str:
        """The formula's right-hand side with the numbers put in, as plain text."""
        return _fill(self.substitution, self.operands, lambda value: format_operand(value, precision))

    def substituted_latex(self, precision: int = 9) -> str:
        """The formula's right-hand side with the numbers put in, as LaTeX."""
        return _fill(self.substitution_latex, self.operands, lambda value: format_operand_latex(value, precision))


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
