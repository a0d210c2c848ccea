"""The report as self-contained HTML (a full page, or a fragment for Jupyter)."""

from __future__ import annotations

from html import escape
from typing import Any

from stepgrad.check.formats.common import (
    STATUS_WORDS,
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

_STYLE = """
.stepgrad-check { font-family: system-ui, sans-serif; max-width: 60rem; }
.stepgrad-check table { border-collapse: collapse; }
.stepgrad-check th, .stepgrad-check td { padding: 0.2rem 0.6rem; border-bottom: 1px solid #ddd; text-align: left; }
.stepgrad-check td.num { font-family: ui-monospace, monospace; text-align: right; }
.stepgrad-check tr.right td.mark, .stepgrad-check tr.rounding td.mark { color: #1a7f37; }
.stepgrad-check tr.wrong td.mark { color: #cf222e; font-weight: bold; }
.stepgrad-check tr.follows td.mark { color: #0969da; }
.stepgrad-check tr.coarse td.mark { color: #9a6700; }
.stepgrad-check .reading, .stepgrad-check .legend { color: #6e7781; }
.stepgrad-check tr.unknown td.mark { color: #6e7781; }
.stepgrad-check .diagnosis { border-left: 4px solid #cf222e; padding-left: 0.8rem; }
"""


def render_html(report: CheckReport, fragment: bool = False, **options: Any) -> str:
    """The report as HTML; ``fragment=True`` leaves out ``<html>``/``<head>`` (for notebooks)."""
    rows = []
    for check in report.values:
        rows.append(
            f'<tr class="{check.status}"><td class="mark" title="{STATUS_WORDS[check.status]}">'
            f"{STATUS_MARKS[check.status]}</td><td><code>{escape(check.name)}</code></td>"
            f'<td class="num">{escape(check.shown)}</td><td class="num">{number(check.expected)}</td>'
            f'<td class="num">{difference(check)}</td><td>{escape(note(check))}</td></tr>'
        )
    parts = [
        '<div class="stepgrad-check">',
        f"<style>{_STYLE}</style>",
        f"<h2>Check of {escape(report.source)}</h2>",
        f"<p>Network: {escape(report.network)}</p>",
        *(f'<p class="reading">{escape(line)}</p>' for line in reading_lines(report)),
        f"<p><strong>{escape(summary(report))}</strong></p>",
        f'<p class="score">{escape(score_line(report))}</p>',
    ]
    diagnoses = diagnosis_lines(report)
    if diagnoses:
        of = f" of <code>{escape(report.first_wrong)}</code>" if report.first_wrong else ""
        parts.append(f'<div class="diagnosis"><h3>Diagnosis{of}</h3>')
        parts += [f"<p><strong>{escape(title)}.</strong> {escape(text)}</p>" for title, text in diagnoses]
        parts.append("</div>")
    parts += [
        "<table><thead><tr><th></th><th>value</th><th>given</th><th>expected</th><th>difference</th>"
        "<th>note</th></tr></thead><tbody>",
        *rows,
        "</tbody></table>",
    ]
    if legend(report):
        parts.append(f'<p class="legend">{escape(legend(report))}</p>')
    if report.missing:
        names = ", ".join(f"<code>{escape(name)}</code>" for name in report.missing)
        parts.append(f"<p>Not answered ({len(report.missing)}): {names}</p>")
    parts.append("</div>")
    body = "\n".join(parts)
    if fragment:
        return body
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>stepgrad check: {escape(report.source)}</title></head><body>\n{body}\n</body></html>\n"
    )
