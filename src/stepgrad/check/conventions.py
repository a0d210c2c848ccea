"""The negative-delta convention: ``delta = −dE/dnet`` with ``w+ = w + η·delta·a``, right when used throughout.

Some texts (the classic one among them) allow the error signal ``delta_o = (target − out)·f'(net)``,
the negative of ``dE/dnet``, with the update ``w+ = w + η·delta·a``: the same new weights. A sheet
whose deltas (and the sums and gradients made of them) all carry that sign is checked with the
sign turned back, and accepted with a note. Where the convention is mixed with the other one
(negative deltas, but ``w+ = w − η·delta·a``), the mistake is named as that.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from stepgrad.check.answers import Answer
from stepgrad.check.mistakes import MISTAKES
from stepgrad.check.report import CheckReport, Diagnosis, ValueCheck

if TYPE_CHECKING:
    from stepgrad.check.compare import Checker

#: Steps whose sign the convention turns: the deltas, and what is built from them.
DELTA_KINDS = ("output_delta", "hidden_delta")
BUILT_FROM_DELTAS = ("contribution", "hidden_dE_dout", "grad_w", "grad_b")
#: Where a report checked with the convention may still be wrong: the update rule mixed in, or a delta of
#: the other convention.
MIXABLE = ("update", *DELTA_KINDS)

NOTE = (
    "You used the negative-delta convention (delta = −dE/dnet = (target − out)·f'(net) at the output, "
    "and w+ = w + η·delta·a), as some texts do: used throughout it is right, and your deltas were "
    "checked with it."
)


def _opposite(value: float, exact: float) -> bool:
    """True when ``value`` is closer to ``−exact`` than to ``exact`` (and ``exact`` is not 0)."""
    return exact != 0 and abs(value + exact) < abs(value - exact)


def _flipped(answer: Answer) -> Answer:
    text = answer.text.strip()
    turned = text[1:] if text[:1] in "-−" else text[1:] if text[:1] == "+" else f"-{text}"
    return replace(answer, value=-answer.value, text=turned)


def negative_convention(checker: Checker, resolved: Mapping[str, Answer]) -> dict[str, Answer] | None:
    """The answers with the convention's sign turned back, or None when no delta carries it."""
    table, expected = checker.table, checker.expected

    def kind(name: str) -> str:
        rule = table.get(name)
        return rule.kind if rule is not None else ""

    deltas = [name for name in resolved if kind(name) in DELTA_KINDS]
    turned = {name for name in deltas if _opposite(resolved[name].value, expected[name])}
    if not turned or len(turned) < sum(expected[name] != 0 for name in deltas):
        return None  # the convention turns every delta (hidden ones follow from the output's); one alone is a slip
    for name in resolved:
        if kind(name) == "output_dE_dout" and _opposite(resolved[name].value, expected[name]):
            return None  # dE/dout itself written as target − out: the sign mistake, not a convention
        if kind(name) in BUILT_FROM_DELTAS and _opposite(resolved[name].value, expected[name]):
            turned.add(name)
    return {name: _flipped(answer) if name in turned else answer for name, answer in resolved.items()}


def convention_holds(checker: Checker, report: CheckReport) -> bool:
    """True when what is still wrong with the convention is only where conventions mix."""
    kinds = {check.name: checker.table[check.name].kind for check in report.values if check.name in checker.table}
    bad = [name for name in kinds if report.check(name).status == "wrong"]
    return all(kinds[name] in MIXABLE for name in bad)


def with_convention(report: CheckReport, resolved: Mapping[str, Answer], checker: Checker) -> CheckReport:
    """``report`` (checked with the convention) said in the learner's own signs, with the note."""
    values = []
    for check in report.values:
        answer = resolved.get(check.name)
        if answer is None or answer.value == check.given:
            values.append(check)
            continue
        values.append(_turned_back(check, answer))
    mixed = MISTAKES["convention_mixed"]
    diagnoses = tuple(
        replace(d, mistake=mixed.name, title=mixed.title, explanation=mixed.explanation) if _mixes(d) else d
        for d in report.diagnoses
    )
    return replace(report, values=tuple(values), diagnoses=diagnoses, notes=(*report.notes, NOTE))


def _turned_back(check: ValueCheck, answer: Answer) -> ValueCheck:
    expected = None if check.expected is None else -check.expected
    own = None if check.from_own_values is None else -check.from_own_values
    return replace(check, text=answer.text, given=answer.value, expected=expected, from_own_values=own)


def _mixes(diagnosis: Diagnosis) -> bool:
    """True for a mistake that, on a sheet of the negative convention, is the other convention's rule."""
    return diagnosis.mistake in ("gradient_added", "sign_flipped") or (
        diagnosis.mistake == "slip" and "sign" in diagnosis.detail
    )
