"""The derivation as terminal text, drawn with rich: readable at 80 columns, colour on a TTY.

Each section is a rule; each step is its title, then the formula, the formula with
the numbers put in and the result, aligned under one ``=``::

    Net input of h1
      net_h1 = w1·i1 + w2·i2 + b1·1
             = 0.15·0.05 + 0.2·0.1 + 0.35·1
             = 0.3775

The renderer reads the steps; it does no math.
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from stepgrad.derivations.step import format_number

if TYPE_CHECKING:
    from stepgrad.derivations.step import Derivation, Step

NAME_STYLE = "bold cyan"
NUMBER_STYLE = "green"
RESULT_STYLE = "bold green"
NOTE_STYLE = "italic dim"
# The end of a line: spaces and colour codes, before its newline.
_LINE_END = re.compile(r"(?:[ \t]|\x1b\[[0-9;]*m)+(?=\n?$)")


def step_renderable(step: Step, precision: int = 9) -> RenderableType:
    """One step: its title, then ``name = formula = numbers = result`` in an aligned grid."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, justify="right")
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    lines = [Text(step.right_hand_side)]
    if step.shows_numbers(precision):
        lines.append(Text(step.substituted(precision), style=NUMBER_STYLE))
    if step.shows_result(precision):
        lines.append(Text(format_number(step.value, precision), style=RESULT_STYLE))
    for index, line in enumerate(lines):
        grid.add_row(Text(step.name, style=NAME_STYLE) if index == 0 else "", "=", line)
    parts: list[RenderableType] = [Text(step.title, style="bold"), Padding(grid, (0, 0, 0, 2), expand=False)]
    if step.note:
        parts.append(Padding(Text(step.note, style=NOTE_STYLE), (0, 0, 0, 2), expand=False))
    return Group(*parts)


def derivation_renderables(derivation: Derivation, precision: int = 9) -> list[RenderableType]:
    """The whole derivation as rich renderables: heading, notes, then each section's steps."""
    items: list[RenderableType] = [Text(derivation.title, style="bold underline")]
    for note in derivation.notes:
        items.append(Text(note, style=NOTE_STYLE))
    for section, steps in derivation.sections():
        items.append(Text())
        items.append(Rule(Text(section, style="bold magenta"), align="left"))
        for step in steps:
            items.append(Text())
            items.append(step_renderable(step, precision))
    return items


def print_derivation(derivation: Derivation, console: Console | None = None, precision: int = 9) -> None:
    """Print to ``console`` (by default stdout, coloured when it is a terminal), lines without trailing spaces."""
    console = console or Console(highlight=False)
    with console.capture() as capture:
        for item in derivation_renderables(derivation, precision):
            console.print(item)
    # rich pads table cells to their column's width; the padding is invisible, so drop it (with its
    # colour codes) before printing: a copied line then ends where its text does.
    lines = capture.get().splitlines(keepends=True)
    console.file.write("".join(_LINE_END.sub(_codes_only, line) for line in lines))
    console.file.flush()


def _codes_only(match: re.Match[str]) -> str:
    """The colour codes of a line's end without its spaces (a reset must stay)."""
    return "".join(re.findall(r"\x1b\[[0-9;]*m", match.group(0)))


def render_text(derivation: Derivation, precision: int = 9, width: int = 80, color: bool = False) -> str:
    """The derivation as text ``width`` columns wide; ANSI colours only when ``color``."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        force_terminal=color,
        color_system="standard" if color else None,
        highlight=False,
        emoji=False,
        markup=False,
        legacy_windows=False,
    )
    print_derivation(derivation, console, precision)
    return buffer.getvalue()


def derivation_renderable(derivation: Derivation, precision: int = 9) -> RenderableType:
    """The whole derivation as one rich renderable (what the CLI prints)."""
    return Group(*derivation_renderables(derivation, precision))
