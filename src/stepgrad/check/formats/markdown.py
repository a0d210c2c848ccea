"""The report as GitHub Markdown: a table of values, the first wrong step and the diagnosis."""

from __future__ import annotations

from typing import Any

from stepgrad.check.formats.common import (
    diagnosis_lines,
    difference,
    legend,
    note,
    number,
    reading_lines,
    score_line,
    summary,
)
from stepgrad.check.report import STATUS_MARKS, CheckReport


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render_markdown(report: CheckReport, **options: Any) -> str:
    """Markdown with one table row per value: mark, name, given, expected, difference, note."""
    lines = [f"# Check of {_cell(report.source)}", "", f"Network: {report.network}", ""]
    lines += [*(f"_{line}_" for line in reading_lines(report)), ""] if report.notes else []
    lines += [f"**{summary(report)}**", "", score_line(report), ""]
    diagnoses = diagnosis_lines(report)
    if diagnoses:
        heading = f"Diagnosis of `{report.first_wrong}`" if report.first_wrong else "Diagnosis"
        lines += [f"## {heading}", ""]
        for title, paragraph in diagnoses:
            lines += [f"**{title}.** {paragraph}", ""]
        lines += ["## Values", ""]
    lines += ["| | value | given | expected | difference | note |", "|---|---|---|---|---|---|"]
    for check in report.values:
        lines.append(
            f"| {STATUS_MARKS[check.status]} | `{check.name}` | {check.shown} | {number(check.expected)} "
            f"| {difference(check)} | {_cell(note(check))} |"
        )
    if legend(report):
        lines += ["", legend(report)]
    if report.missing:
        lines += ["", f"Not answered ({len(report.missing)}): " + ", ".join(f"`{n}`" for n in report.missing)]
    return "\n".join(lines).rstrip() + "\n"
