"""Markdown: GitHub math, sections as headings, every step's three lines, the diagram as a data URI."""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET

from stepgrad.derivations.step import Derivation
from stepgrad.render import render
from stepgrad.render.markdown import diagram_svg, render_markdown


def test_sections_are_headings_and_every_step_appears(derivation: Derivation) -> None:
    text = render_markdown(derivation)
    assert text.startswith("# ")
    for section, steps in derivation.sections():
        assert f"\n## {section}\n" in text.replace("\\", "")
        for step in steps:
            assert f"`{step.name}`" in text


def test_math_is_dollar_delimited_and_balanced(derivation: Derivation) -> None:
    text = render_markdown(derivation)
    assert text.count("$$") % 2 == 0
    # Formula and, when it has numbers to put in, the substituted formula: one display each.
    with_numbers = sum(step.shows_numbers() for step in derivation.steps)
    assert 0 < with_numbers < len(derivation.steps)
    assert text.count("$$") == 2 * (len(derivation.steps) + with_numbers)
    step = derivation.steps[0]
    assert step.substituted_latex(9) in text
    assert "**Result:** $" in text


def test_published_figures_at_precision_9(derivation: Derivation) -> None:
    text = render_markdown(derivation, precision=9)
    for figure in ["0.75136507", "0.35891648", "0.593269992", "0.298371109"]:
        assert figure in text


def test_diagram_is_an_embedded_svg_image(derivation: Derivation) -> None:
    text = render_markdown(derivation)
    assert "<svg" not in text
    match = re.search(r'<img alt="[^"]+" src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)">', text)
    assert match is not None
    svg = base64.b64decode(match.group(1)).decode("utf-8")
    root = ET.fromstring(svg)
    labels = {element.text for element in root.iter("{http://www.w3.org/2000/svg}text")}
    assert {"w1 = 0.15", "w8 = 0.55", "b1 = 0.35 (frozen)"} <= labels
    # The image line stands alone, so Markdown treats it as an HTML block.
    line = next(line for line in text.splitlines() if line.startswith("<img"))
    assert line.endswith(">")


def test_registry_and_precision(derivation: Derivation) -> None:
    assert render(derivation, "markdown", precision=4) == render_markdown(derivation, precision=4)
    assert "0.7514" in render_markdown(derivation, precision=4)
    assert "| `E_total` | 0.298371109 |" in render_markdown(derivation)


def test_diagram_can_link_a_file_instead(derivation: Derivation) -> None:
    text = render_markdown(derivation, diagram_src="classic network.svg")
    assert 'src="classic network.svg"' in text
    assert "base64" not in text
    svg = diagram_svg(derivation)
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert ">w5 = 0.4</text>" in svg


def test_notes_follow_the_result_with_their_formulas_as_math(derivation: Derivation) -> None:
    text = render_markdown(derivation)
    block = text.split("### Gradient of w5 (chain rule) — `dE_total/dw5`")[1].split("###")[0]
    result = block.index("**Result:**")
    note = block.index(r"Delta rule: $\frac{\partial E_{total}}{\partial w_{5}} = \delta_{o1} \cdot out_{h1}$.")
    assert result < note
