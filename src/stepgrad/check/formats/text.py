"""The report for the terminal, with rich: one row per value, its note under it, readable at 80 columns."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.panel import Panel
from rich.text import Text

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
from stepgrad.check.report import STATUS_MARKS, CheckReport, ValueCheck

_STYLES = {
    "right": "green",
    "rounding": "green",
    "coarse": "yellow",
    "follows": "cyan",
    "wrong": "bold red",
    "unknown": "dim",
}
#: A given number longer than this is shortened in its column (the diagnosis shows it in full).
GIVEN_WIDTH = 16
_NOTE_INDENT = 4


class Note:
    """A note wrapped under its row, indented, without the trailing spaces a ``Padding`` leaves."""

    def __init__(self, text: Text, indent: int = _NOTE_INDENT) -> None:
        self.text = text
        self.indent = indent

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in self.text.wrap(console, max(20, options.max_width - self.indent)):
            line.rstrip()
            yield Text(" " * self.indent) + line


def _given(check: ValueCheck) -> str:
    shown = check.shown
    return shown if len(shown) <= GIVEN_WIDTH else shown[: GIVEN_WIDTH - 1] + "…"


def value_rows(report: CheckReport) -> list[RenderableType]:
    """A header and, per value, ``mark name given expected diff`` with its note wrapped under it."""
    columns = [(check.name, _given(check), number(check.expected), difference(check)) for check in report.values]
    widths = [max([len(title), *(len(row[i]) for row in columns)]) for i, title in enumerate(_HEADERS)]
    titles = [
        _HEADERS[0].ljust(widths[0]),
        *(title.rjust(width) for title, width in zip(_HEADERS[1:], widths[1:], strict=True)),
    ]
    rows: list[RenderableType] = [Text(("  " + " ".join(titles)).rstrip(), style="bold")]
    for check, (name, given, expected, diff) in zip(report.values, columns, strict=True):
        style = _STYLES[check.status]
        line = Text(STATUS_MARKS[check.status], style=style)
        line.append(f" {name.ljust(widths[0])} {given.rjust(widths[1])} {expected.rjust(widths[2])}")
        line.append(f" {diff.rjust(widths[3])}".rstrip())
        rows.append(line)
        if check.status != "right":
            text = Text(note(check), style="dim" if check.ok else style)
            rows.append(Note(text))
    return rows


_HEADERS = ("value", "given", "expected", "diff")


def report_renderable(report: CheckReport) -> RenderableType:
    """The report as rich renderables (the CLI prints these with colour on a TTY)."""
    parts: list[RenderableType] = [
        Text(f"Check of {report.source}", style="bold"),
        Text(f"against {report.network}"),
        *(Text(line, style="dim") for line in reading_lines(report)),
        Text(summary(report), style="bold green" if report.ok else "bold red"),
        Text(score_line(report)),
    ]
    # The diagnosis leads: it is what the learner came for; the table below is the evidence.
    for title, paragraph in diagnosis_lines(report):
        parts.append(Panel(Text(paragraph), title=Text(title, style="bold"), title_align="left", border_style="red"))
    parts += value_rows(report)
    if legend(report):
        parts.append(Text(legend(report), style="dim"))
    if report.missing:
        # One line, cut with "…" at the console's width (the JSON and Markdown reports list them all).
        shown = ", ".join(report.missing)
        missing = Text(f"Not answered ({len(report.missing)}): {shown}", style="dim", no_wrap=True, overflow="ellipsis")
        parts.append(missing)
    return Group(*parts)


def render_text(report: CheckReport, width: int = 80, color: bool = False, **options: Any) -> str:
    """The report as plain (or ANSI-coloured) text ``width`` columns wide."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=color, color_system="standard" if color else None)
    console.print(report_renderable(report))
    return buffer.getvalue()
