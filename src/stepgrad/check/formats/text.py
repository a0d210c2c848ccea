"""The report for the terminal, with rich: a table of values and the diagnosis, readable at 80 columns."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from stepgrad.check.formats.common import STATUS_WORDS, diagnosis_lines, difference, number, summary
from stepgrad.check.report import STATUS_MARKS, CheckReport

_STYLES = {"right": "green", "rounding": "green", "follows": "yellow", "wrong": "bold red", "unknown": "dim"}


def report_renderable(report: CheckReport) -> RenderableType:
    """The report as rich renderables (the CLI prints these with colour on a TTY)."""
    table = Table(show_edge=False, pad_edge=False, expand=False)
    table.add_column("", no_wrap=True)
    table.add_column("value", no_wrap=True)
    table.add_column("given", justify="right", no_wrap=True)
    table.add_column("expected", justify="right", no_wrap=True)
    table.add_column("diff", justify="right", no_wrap=True)
    table.add_column("note")
    for check in report.values:
        style = _STYLES[check.status]
        table.add_row(
            Text(STATUS_MARKS[check.status], style=style),
            check.name,
            check.text,
            number(check.expected),
            difference(check),
            Text(check.note or STATUS_WORDS[check.status], style="dim" if check.ok else style),
        )
    parts: list[RenderableType] = [
        Text(f"Check of {report.source} against {report.network}", style="bold"),
        table,
        Text(summary(report), style="bold green" if report.ok else "bold red"),
    ]
    for title, paragraph in diagnosis_lines(report):
        parts.append(Panel(Text(paragraph), title=Text(title, style="bold"), title_align="left", border_style="red"))
    if report.missing:
        shown = ", ".join(report.missing[:8]) + (", …" if len(report.missing) > 8 else "")
        parts.append(Text(f"Not answered ({len(report.missing)}): {shown}", style="dim"))
    return Group(*parts)


def render_text(report: CheckReport, width: int = 100, color: bool = False, **options: Any) -> str:
    """The report as plain (or ANSI-coloured) text ``width`` columns wide."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=color, color_system="standard" if color else None)
    console.print(report_renderable(report))
    return buffer.getvalue()
