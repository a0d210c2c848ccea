"""HTML: one self-contained file with MathML, the labelled SVG, a table of values; the Jupyter fragment."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from stepgrad.derivations.step import Derivation, format_number
from stepgrad.render import render
from stepgrad.render.html import mathml, page_css, render_html
from support.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium

ROOT = Path(__file__).resolve().parents[2]
VOID = {"meta", "br", "img", "hr", "input", "link", "col", "area", "base", "wbr", "source"}
# SVG and MathML elements written self-closing (<line .../>, <mspace/>).


class TagBalance(HTMLParser):
    """Checks that every non-void element is closed in order."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pass

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]}")
        else:
            self.stack.pop()


def test_page_is_self_contained(derivation: Derivation) -> None:
    page = render_html(derivation)
    assert page.startswith("<!DOCTYPE html>")
    assert "http://" not in page and "https://" not in page
    assert "<script" not in page and "<link" not in page and "@import" not in page
    assert not re.search(r"\ssrc=", page)
    assert "url(" not in page


def test_markup_is_balanced(derivation: Derivation) -> None:
    checker = TagBalance()
    checker.feed(render_html(derivation))
    checker.close()
    assert checker.errors == []
    assert checker.stack == []


def test_math_is_mathml_with_three_lines_per_step(derivation: Derivation) -> None:
    page = render_html(derivation)
    # lhs, formula, numbers (when there are numbers to put in), result (unless the formula is the
    # number), and each formula in a note.
    with_numbers = sum(step.shows_numbers() for step in derivation.steps)
    with_result = sum(step.shows_result() for step in derivation.steps)
    note_formulas = sum(kind == "math" for step in derivation.steps for kind, _ in step.note_pieces())
    assert note_formulas > 0
    assert page.count("<math") == 2 * len(derivation.steps) + with_numbers + with_result + note_formulas
    assert page.count('<math display="inline">') == note_formulas
    assert "<mfrac>" in page
    assert '<code class="latex">' not in page


def test_published_figures_and_value_table(derivation: Derivation) -> None:
    page = render_html(derivation, precision=9)
    for figure in ["0.75136507", "0.35891648", "0.593269992", "0.298371109"]:
        assert figure in page
    for name, value in derivation.values.items():
        assert f'<td class="value" data-name="{name}">{format_number(value, 9)}</td>' in page.replace("&#x27;", "'")


def test_diagram_is_inline_and_labelled(derivation: Derivation) -> None:
    page = render_html(derivation)
    assert page.count("<svg ") == 1
    for label in ["w1 = 0.15", "w5 = 0.4", "w8 = 0.55", "b1 = 0.35 (frozen)", "net = 0.3775"]:
        assert f">{label}</text>" in page


def test_fragment_for_jupyter_is_scoped(derivation: Derivation) -> None:
    fragment = render_html(derivation, fragment=True)
    assert "<html" not in fragment and "<head" not in fragment and "<body" not in fragment
    assert fragment.startswith("<style>")
    assert '<div class="stepgrad-derivation">' in fragment
    assert derivation._repr_html_() == fragment
    assert render(derivation, "html", fragment=True) == fragment
    # Every selector of the page's CSS and of the SVG's CSS is scoped, so a notebook's style is untouched.
    css = re.sub(r"/\*.*?\*/", "", page_css(), flags=re.S)
    css = re.sub(r"@media[^{]*\{", "", css)
    selectors = [s.strip() for block in re.findall(r"([^{}]+)\{", css) for s in block.split(",")]
    assert selectors and all(s.startswith(".stepgrad-derivation") for s in selectors), selectors
    svg_css = re.search(r"<svg[^>]*>\s*<style>(.*?)</style>", fragment, flags=re.S)
    assert svg_css is not None
    svg_selectors = [s.strip() for block in re.findall(r"([^{}]+)\{", svg_css.group(1)) for s in block.split(",")]
    assert all(s.startswith(".stepgrad-network") for s in svg_selectors), svg_selectors


def test_mathml_falls_back_to_code_for_bad_latex() -> None:
    assert mathml(r"x^") == '<code class="latex">x^</code>'
    good = mathml(r"\frac{a}{b} = -0.5", alttext="a/b = −0.5")
    assert good.startswith('<math alttext="a/b = −0.5" display="block">')
    # A leading minus is grouped with its number (prefix minus, no binary-operator spacing).
    assert "<mrow><mo>&#x02212;</mo><mn>0.5</mn></mrow>" in good


@pytest.mark.browser
def test_chromium_draws_the_mathml_and_the_diagram(derivation: Derivation, tmp_path: Path) -> None:
    """Open the file in headless Chromium: fractions are laid out as fractions, nothing is fetched."""
    sync_api = pytest.importorskip("playwright.sync_api")
    require_chromium()
    page_file = tmp_path / "derivation.html"
    page_file.write_text(render_html(derivation), encoding="utf-8")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 1600})
            requests: list[str] = []
            page.on("request", lambda request: requests.append(request.url))
            page.goto(page_file.as_uri())
            sizes = page.evaluate(
                """() => {
                    const frac = document.querySelector('mfrac');
                    const mn = document.querySelector('.substituted mn');
                    const svg = document.querySelector('svg.stepgrad-network');
                    const r = (e) => e.getBoundingClientRect();
                    return {frac: r(frac).height, mn: r(mn).height, svg: r(svg).width,
                            numerator: r(frac.children[0]).bottom, denominator: r(frac.children[1]).top};
                }"""
            )
            ARTIFACTS = ROOT / "test-artifacts"
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "render_html.png"), full_page=True)
        finally:
            browser.close()
    assert [url for url in requests if not url.startswith("file://")] == []
    # A fraction drawn as MathML stacks its numerator above its denominator.
    assert sizes["frac"] > 1.6 * sizes["mn"]
    assert sizes["numerator"] <= sizes["denominator"]
    assert sizes["svg"] > 400


def test_notes_follow_the_equations_with_inline_math(derivation: Derivation) -> None:
    page = render_html(derivation)
    article = page.split('id="step-dE_total-dw5"')[1].split("</article>")[0]
    note = article.index('<p class="note">Delta rule: <math display="inline">')
    assert article.index('<div class="equations">') < note
