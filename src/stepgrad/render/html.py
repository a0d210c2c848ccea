"""A derivation as one self-contained HTML file: MathML equations, the SVG diagram, a table of values.

Nothing is fetched when the page is viewed: the style is inline, the math is
MathML (converted from each step's LaTeX by latex2mathml, which Chromium, Firefox
and Safari draw natively) and the diagram is inline SVG. ``fragment=True``
gives just the ``<div class="stepgrad-derivation">`` with its ``<style>``, for
Jupyter (``Derivation._repr_html_``); the style is scoped to that class.
"""

from __future__ import annotations

import re
from functools import cache
from html import escape
from importlib import resources

from stepgrad.derivations.step import Derivation, Step, format_number
from stepgrad.render.diagram import network_svg
from stepgrad.render.math_text import latex_number, step_lhs, step_rhs

VALUE_COLUMNS = 3
_MATHML_NAMESPACE = ' xmlns="http://www.w3.org/1998/Math/MathML"'
# A sign right after "(" or "=": grouped, so MathML draws it as a prefix minus, not a spaced binary one.
_SIGNED_NUMBER = re.compile(r"(^|[(=]\s*)-(\d[\d.]*)")


@cache
def page_css() -> str:
    """The page's style sheet (``page.css`` beside this module)."""
    return resources.files("stepgrad.render").joinpath("page.css").read_text(encoding="utf-8")


def mathml(latex: str, alttext: str = "", display: str = "block") -> str:
    """``latex`` as a ``<math>`` element (``display`` block or inline); LaTeX the converter rejects is shown as code."""
    from latex2mathml.converter import convert

    latex = _SIGNED_NUMBER.sub(r"\1{-\2}", latex)
    try:
        markup = convert(latex, display=display)
    except Exception:  # latex2mathml raises many types; any failure falls back to the source
        return f'<code class="latex">{escape(latex)}</code>'
    # Inline MathML in HTML needs no namespace, and the page must hold no http(s) address.
    markup = markup.replace(_MATHML_NAMESPACE, "", 1)
    if alttext:
        markup = markup.replace("<math", f'<math alttext="{escape(alttext)}"', 1)
    return markup


def anchor(prefix: str, name: str) -> str:
    """An id for ``name`` (``step-dE_total-dw5``, ``step-w5plus``)."""
    return prefix + "-" + re.sub(r"[^A-Za-z0-9_-]", "-", name.replace("+", "plus"))


def _spaced(latex: str) -> str:
    """A right-hand side that starts with words gets a thick space after the ``=`` (MathML adds none)."""
    return rf"\; {latex}" if latex.startswith(r"\text") else latex


def _note(step: Step) -> str:
    """The step's note as HTML: words escaped, formulas as inline MathML."""
    pieces = [
        mathml(content, display="inline") if kind == "math" else escape(content) for kind, content in step.note_pieces()
    ]
    return f'<p class="note">{"".join(pieces)}</p>'


def render_step(step: Step, precision: int = 9) -> str:
    """One step as an ``<article>``: title, formula, the numbers put in, the result, then its note."""
    lhs = step_lhs(step)
    substituted = mathml(f"= {step.substituted_latex(precision)}", f"= {step.substituted(precision)}")
    result = mathml(f"= {latex_number(step.value, precision)}", f"= {format_number(step.value, precision)}")
    lines = [
        f'<article class="step" id="{anchor("step", step.name)}" data-name="{escape(step.name)}">',
        f"<h3>{escape(step.title)}<code>{escape(step.name)}</code></h3>",
    ]
    # A two-column grid keeps the ``=`` signs of the three lines under each other.
    lines.extend(
        [
            '<div class="equations">',
            f'<div class="lhs">{mathml(lhs)}</div>',
            f'<div class="rhs formula">{mathml(f"= {_spaced(step_rhs(step))}", step.formula)}</div>',
            *(
                ['<div class="lhs"></div>', f'<div class="rhs substituted">{substituted}</div>']
                if step.shows_numbers(precision)
                else []
            ),
            *(
                ['<div class="lhs"></div>', f'<div class="rhs result">{result}</div>']
                if step.shows_result(precision)
                else []
            ),
            "</div>",
        ]
    )
    if step.note:
        lines.append(_note(step))
    lines.append("</article>")
    return "\n".join(lines)


def values_table(derivation: Derivation, precision: int = 9) -> str:
    """Every named value in a table of ``VALUE_COLUMNS`` name/value pairs per row."""
    items = list(derivation.values.items())
    rows_count = -(-len(items) // VALUE_COLUMNS)
    # Fill column by column, so the values read top to bottom in the order of the derivation.
    columns = [items[c * rows_count : (c + 1) * rows_count] for c in range(VALUE_COLUMNS)]
    header = "<tr>" + "<th>name</th><th>value</th>" * VALUE_COLUMNS + "</tr>"
    rows = []
    for r in range(rows_count):
        cells = []
        for column in columns:
            if r < len(column):
                name, value = column[r]
                cells.append(
                    f'<td class="name"><code>{escape(name)}</code></td>'
                    f'<td class="value" data-name="{escape(name)}">{escape(format_number(value, precision))}</td>'
                )
            else:
                cells.append('<td class="name"></td><td class="value"></td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return '<table class="values">\n<thead>' + header + "</thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>"


def render_body(derivation: Derivation, precision: int = 9) -> str:
    """The ``<div class="stepgrad-derivation">`` holding the whole derivation (without the style)."""
    sections = derivation.sections()
    parts = ['<div class="stepgrad-derivation">', f"<h1>{escape(derivation.title)}</h1>"]
    if derivation.notes:
        parts.append('<div class="notes">' + "".join(f"<p>{escape(note)}</p>" for note in derivation.notes) + "</div>")
    svg = network_svg(derivation.trace.network, derivation.values, precision=min(precision, 4), standalone=False)
    parts.append(
        '<figure class="network">\n' + svg + "<figcaption>The network: each connection is labelled with its weight "
        "(blue positive, red negative, thicker for larger |w|); under each neuron its net input and output."
        "</figcaption>\n</figure>"
    )
    contents = "".join(
        f'<li><a href="#{anchor("section", section)}">{escape(section)}</a></li>' for section, _ in sections
    )
    parts.append(
        f'<nav class="contents"><h2>Contents</h2><ol>{contents}'
        '<li><a href="#section-all-values">All values</a></li></ol></nav>'
    )
    for section, steps in sections:
        parts.append(f'<section id="{anchor("section", section)}">\n<h2>{escape(section)}</h2>')
        parts.extend(render_step(step, precision) for step in steps)
        parts.append("</section>")
    table = values_table(derivation, precision)
    parts.append(f'<section id="section-all-values">\n<h2>All values</h2>\n{table}\n</section>')
    parts.append(
        f"<footer>Numbers to {precision} significant digits; every value is read from one trace of the "
        "training step, none is recomputed for display. Made with stepgrad.</footer>"
    )
    parts.append("</div>")
    return "\n".join(parts)


def render_html(derivation: Derivation, precision: int = 9, fragment: bool = False) -> str:
    """The derivation as a self-contained HTML page, or (``fragment=True``) a styled ``<div>``."""
    body = render_body(derivation, precision)
    if fragment:
        return f"<style>\n{page_css()}</style>\n{body}\n"
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(derivation.title)}</title>\n<style>\nbody {{ margin: 0; background: #fff; }}\n"
        f"{page_css()}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )
