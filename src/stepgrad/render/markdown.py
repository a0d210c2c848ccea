"""A derivation as GitHub Markdown: headings per section, ``$$…$$`` math, the diagram as an image.

Each step is its title, then three display equations: the formula, the formula
with the numbers put in, and the result. The network diagram is the SVG of
``stepgrad.render.diagram`` embedded as a base64 data URI, which keeps the file
self-contained (GitHub draws inline ``<svg>`` poorly). GitHub's sanitizer is known
to drop ``data:`` images, so ``diagram_src`` can name an SVG file written next to
the Markdown (``diagram_svg`` gives its text) for pages viewed on github.com.
"""

from __future__ import annotations

import base64
import html

from stepgrad.derivations.step import Derivation, Step, format_number
from stepgrad.render.diagram import network_svg
from stepgrad.render.math_text import latex_number, step_lhs, step_rhs


def diagram_svg(derivation: Derivation, precision: int = 4) -> str:
    """The network diagram with the derivation's values, as a standalone SVG document."""
    return network_svg(derivation.trace.network, derivation.values, precision=precision)


def diagram_image(derivation: Derivation, precision: int = 4, src: str | None = None) -> str:
    """The network diagram as an ``<img>`` tag: the SVG in a data URI, or a link to ``src``."""
    if src is None:
        encoded = base64.b64encode(diagram_svg(derivation, precision).encode("utf-8")).decode("ascii")
        src = f"data:image/svg+xml;base64,{encoded}"
    return f'<img alt="The network: inputs, neurons, weights and biases" src="{html.escape(src)}">'


def _markdown_text(text: str) -> str:
    """Plain text safe in Markdown: characters that start emphasis or links escaped."""
    for char in "\\`*_[]<>|":
        text = text.replace(char, "\\" + char)
    return text


def _display(latex: str) -> str:
    return f"$$\n{latex}\n$$"


def _note(step: Step) -> str:
    """The step's note as Markdown: words escaped, formulas as inline ``$…$`` math."""
    return "".join(
        f"${content}$" if kind == "math" else _markdown_text(content) for kind, content in step.note_pieces()
    )


def render_step(step: Step, precision: int = 9) -> str:
    """One step: its title and name, formula, substituted formula, result, then its note (as in the terminal)."""
    lhs = step_lhs(step)
    lines = [
        f"### {_markdown_text(step.title)} — `{step.name}`",
        "",
        _display(f"{lhs} = {step_rhs(step)}"),
        "",
        *([_display(f"= {step.substituted_latex(precision)}"), ""] if step.shows_numbers(precision) else []),
        *([f"**Result:** ${lhs} = {latex_number(step.value, precision)}$", ""] if step.shows_result(precision) else []),
        *([_note(step), ""] if step.note else []),
    ]
    return "\n".join(lines).rstrip("\n")


def values_table(derivation: Derivation, precision: int = 9) -> str:
    """Every named value as a two-column Markdown table."""
    rows = ["| name | value |", "|---|---:|"]
    rows.extend(f"| `{name}` | {format_number(value, precision)} |" for name, value in derivation.values.items())
    return "\n".join(rows)


def render_markdown(derivation: Derivation, precision: int = 9, diagram_src: str | None = None) -> str:
    """The whole derivation as Markdown, numbers to ``precision`` significant digits.

    ``diagram_src``: a path or URL of the diagram's SVG file to link instead of embedding it.
    """
    parts = [f"# {_markdown_text(derivation.title)}", ""]
    parts.extend(f"> {_markdown_text(note)}\n" for note in derivation.notes)
    parts.extend(["## The network", "", diagram_image(derivation, src=diagram_src), ""])
    for section, steps in derivation.sections():
        parts.extend([f"## {_markdown_text(section)}", ""])
        for step in steps:
            parts.extend([render_step(step, precision), ""])
    parts.extend(["## All values", "", values_table(derivation, precision), ""])
    return "\n".join(parts)
