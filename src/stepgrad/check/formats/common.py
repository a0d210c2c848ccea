"""Words and numbers shared by the report renderers (no math: only formatting)."""

from __future__ import annotations

from stepgrad.check.report import CheckReport, ValueCheck
from stepgrad.explain.step import format_number

STATUS_WORDS: dict[str, str] = {
    "right": "right",
    "rounding": "right (rounding)",
    "follows": "follows from your earlier error",
    "wrong": "wrong",
    "unknown": "unknown name",
}


def number(value: float | None, precision: int = 9) -> str:
    """A number for a report cell; blank for None."""
    return "" if value is None else format_number(value, precision)


def difference(check: ValueCheck) -> str:
    """``given − expected`` with its sign, blank when there is no expected value or it is right."""
    diff = check.difference
    if diff is None or check.status == "right":
        return ""
    text = format_number(diff, 3)
    return text if text.startswith("−") else f"+{text}"


def summary(report: CheckReport) -> str:
    """``7 of 9 values right; first wrong step: delta_o1``."""
    right, checked = report.score
    line = f"{right} of {checked} values right"
    if report.first_wrong:
        line += f"; first wrong step: {report.first_wrong}"
    elif report.ok and checked:
        line += "; everything you wrote is right"
    return line


def diagnosis_lines(report: CheckReport) -> list[tuple[str, str]]:
    """``(title, paragraph)`` for the first wrong step's diagnoses, or an honest 'not found'."""
    if report.first_wrong is None:
        return []
    if not report.diagnoses:
        return [
            (
                "No known mistake reproduces this value",
                f"Compare your {report.first_wrong} with the step of the same name in "
                "`stepgrad explain`: the formula with the numbers put in shows where it differs.",
            )
        ]
    written = next((check for check in report.values if check.name == report.first_wrong), None)
    digits = max(6, written.decimals + 2) if written else 6
    lines = []
    for rank, diagnosis in enumerate(report.diagnoses):
        pointer = (
            f" It reproduces your value ({format_number(diagnosis.value, digits)}); "
            f"see the step {diagnosis.step} of the derivation."
        )
        title = diagnosis.title if rank == 0 else f"Or, equally consistent with your numbers: {diagnosis.title}"
        lines.append((title, diagnosis.explanation + pointer))
    return lines
