"""Words and numbers shared by the report renderers (no math: only formatting)."""

from __future__ import annotations

from stepgrad.check.report import STATUS_MARKS, CheckReport, ValueCheck
from stepgrad.check.tolerance import shown_digits, significant_digits
from stepgrad.derivations.step import format_number

STATUS_WORDS: dict[str, str] = {
    "right": "right",
    "rounding": "right (rounding)",
    "coarse": "too few digits to check",
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


def note(check: ValueCheck) -> str:
    """The value's note, or the word for its status."""
    return check.note or STATUS_WORDS[check.status]


def summary(report: CheckReport) -> str:
    """``10 values: 3 right, 1 wrong, 5 follow from it (1 unknown name); first wrong step: dE_total/dout_o1``."""
    right, checked = report.score
    wrong, follows = report.count("wrong"), report.count("follows")
    parts = [f"{right} right"]
    if wrong:
        parts.append(f"{wrong} wrong")
    if follows:
        parts.append(f"{follows} follow{'s' if follows == 1 else ''} from {'it' if wrong == 1 else 'them'}")
    line = f"{checked} value{'s' if checked != 1 else ''}: " + ", ".join(parts)
    extras = []
    for status, one, many in (
        ("unknown", "unknown name", "unknown names"),
        ("coarse", "with too few digits to check", "with too few digits to check"),
    ):
        count = report.count(status)  # type: ignore[arg-type]
        if count:
            extras.append(f"{count} {one if count == 1 else many}")
    if extras:
        line += f" ({', '.join(extras)})"
    if report.first_wrong:
        line += f"; first wrong step: {report.first_wrong}"
    elif report.ok and checked:
        line += "; everything you wrote is right"
    return line


def score_line(report: CheckReport) -> str:
    """``Score: strict 3/9, with error carried forward 8/9``."""
    (right, checked), (consistent, _) = report.score, report.score_ecf
    return f"Score: strict {right}/{checked}, with error carried forward {consistent}/{checked}"


def legend(report: CheckReport) -> str:
    """What the mark of a value that follows from an earlier error means; blank when there is none."""
    if not report.count("follows"):
        return ""
    return f"{STATUS_MARKS['follows']} follows from an earlier error: right from your own earlier values"


def reading_lines(report: CheckReport) -> list[str]:
    """How the answers were read (lines of notes skipped, working lines), as notes."""
    return [f"Note: {note}" for note in report.notes]


def diagnosis_lines(report: CheckReport) -> list[tuple[str, str]]:
    """``(title, paragraph)`` for each diagnosis (the first wrong step's first), or an honest 'not found'."""
    if report.first_wrong is not None and report.given_hint:
        hint = report.given_hint  # starts with a name (b2 is frozen …) or "the network's w5 is …"
        paragraph = f"{hint[0].upper()}{hint[1:]}" if hint.startswith("the ") else hint
        return [(f"Your {report.first_wrong} is not the network's", f"{paragraph}.")]
    lines = []
    if report.first_wrong is not None and not any(d.explains == report.first_wrong for d in report.diagnoses):
        lines.append(
            (
                "No known mistake reproduces this value",
                f"Compare your {report.first_wrong} with the step of the same name in "
                "`stepgrad explain`: the formula with the numbers put in shows where it differs.",
            )
        )
    explained: set[str] = set()
    for diagnosis in report.diagnoses:
        name = diagnosis.explains or report.first_wrong or diagnosis.step
        written = next((check for check in report.values if check.name == name), None)
        digits = shown_digits(significant_digits(written.text)) if written else 6
        yours = f"your {name} = {written.shown}" if written else f"your {name}"
        detail = f" Here: {diagnosis.detail}." if diagnosis.detail else ""
        pointer = (
            f" This rule gives {format_number(diagnosis.value, digits)} from your other values, which matches "
            f"{yours}; see the step {diagnosis.step} of the derivation (stepgrad explain)."
        )
        if diagnosis.mistake == "rounded_too_early":
            pointer = f" See the step {diagnosis.step} of the derivation (stepgrad explain)."
        title = diagnosis.title
        if lines:
            title = f"Or: {title}" if name in explained else f"Also: {title}"
        explained.add(name)
        lines.append((title, diagnosis.explanation + detail + pointer))
    return lines
