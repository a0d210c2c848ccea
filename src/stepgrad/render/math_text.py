"""LaTeX pieces the Markdown, LaTeX and HTML renderers share.

A step's ``formula_latex`` is an equation ``lhs = rhs``; these helpers split it
at its first top-level ``=``, write a result as LaTeX and break a long sum into
lines at its top-level ``+`` and ``−`` signs. They only rearrange text.
"""

from __future__ import annotations

import re

from stepgrad.derivations.step import Step, format_number

_COMMAND = re.compile(r"\\[A-Za-z]+|\\.")
# Characters wider than a digit's worth of room are not worth modelling: this is an estimate.
_INVISIBLE = set("{}^_&")


def latex_number(value: float, precision: int = 9) -> str:
    """``value`` as LaTeX: ASCII minus, ``\\times 10^{n}`` for an exponent, no parentheses."""
    text = format_number(value, precision).replace("−", "-").replace("∞", r"\infty")
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return text


def _top_level_positions(latex: str, pattern: re.Pattern[str]) -> list[re.Match[str]]:
    """Matches of ``pattern`` outside every ``{…}``, ``(…)`` and ``\\left…\\right`` group."""
    depth = 0
    matches = []
    depth_at: list[int] = []
    for char in latex:
        depth_at.append(depth)
        if char in "{(":
            depth += 1
        elif char in "})":
            depth -= 1
    left_right = 0
    for match in pattern.finditer(latex):
        left_right = latex.count(r"\left", 0, match.start()) - latex.count(r"\right", 0, match.start())
        if depth_at[match.start()] == 0 and left_right == 0:
            matches.append(match)
    return matches


_EQUALS = re.compile(r"=")
_SUM_SIGN = re.compile(r"\s[+-]\s")


def split_equation(formula_latex: str) -> tuple[str, str]:
    """``("lhs", "rhs")`` of ``lhs = rhs`` at the first top-level ``=``; ``("", formula)`` without one."""
    matches = _top_level_positions(formula_latex, _EQUALS)
    if not matches:
        return "", formula_latex.strip()
    first = matches[0]
    return formula_latex[: first.start()].strip(), formula_latex[first.end() :].strip()


def visible_length(latex: str) -> int:
    """A rough count of the characters ``latex`` shows (each command counts as one)."""
    stripped = _COMMAND.sub("x", latex)
    return sum(1 for char in stripped if char not in _INVISIBLE and not char.isspace())


def break_sum(latex: str, width: int = 60) -> list[str]:
    """``latex`` cut into lines of at most ``width`` visible characters at top-level ``+``/``−``.

    Each line after the first starts with its sign; a single term longer than ``width`` stays whole.
    """
    cuts = [match.start() for match in _top_level_positions(latex, _SUM_SIGN)]
    terms = [latex[start:end].strip() for start, end in zip([0, *cuts], [*cuts, len(latex)], strict=True)]
    lines: list[str] = []
    for term in terms:
        if lines and visible_length(lines[-1]) + visible_length(term) <= width:
            lines[-1] = f"{lines[-1]} {term}"
        else:
            lines.append(term)
    return lines or [latex]


def step_lhs(step: Step) -> str:
    """The left-hand side of the step's formula, or the name as ``\\mathrm{…}`` when there is none."""
    lhs, _ = split_equation(step.formula_latex)
    return lhs or r"\mathrm{" + step.name.replace("_", r"\_") + "}"


def step_rhs(step: Step) -> str:
    """The right-hand side of the step's formula."""
    return split_equation(step.formula_latex)[1]
