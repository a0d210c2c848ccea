"""The site builds strictly (no warning), has every page of its nav, and loads nothing from another host."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from support.docs_site import ROOT, BuiltSite

# The tags and attributes through which a page loads something (a link's href is followed only when clicked).
ASSET_ATTRIBUTES = {("script", "src"), ("img", "src"), ("iframe", "src"), ("source", "src"), ("link", "href")}
ASSET_ATTRIBUTES |= {("video", "src"), ("audio", "src"), ("embed", "src"), ("object", "data"), ("image", "href")}


class Assets(HTMLParser):
    """Every URL a page loads by itself: scripts, styles, images, frames."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if (tag, name) in ASSET_ATTRIBUTES and value:
                self.urls.append(value)


def test_the_strict_build_passes_without_a_warning(built_site: BuiltSite) -> None:
    assert not re.search(r"^\s*WARNING\b", built_site.log, re.MULTILINE), built_site.log
    assert "Documentation built in" in built_site.log


def test_every_page_of_the_nav_is_built(built_site: BuiltSite) -> None:
    nav = re.findall(r":\s*(\S+\.md)\s*$|^\s*-\s*(\S+\.md)\s*$", (ROOT / "mkdocs.yml").read_text(), re.MULTILINE)
    pages = [a or b for a, b in nav]
    assert len(pages) >= 30
    missing = [page for page in pages if not (built_site.folder / page.replace(".md", ".html")).is_file()]
    assert not missing


def test_no_page_loads_anything_from_another_host(built_site: BuiltSite) -> None:
    outside = []
    for page in built_site.folder.rglob("*.html"):
        parser = Assets()
        parser.feed(page.read_text(encoding="utf-8"))
        outside += [f"{page.name}: {url}" for url in parser.urls if re.match(r"^(https?:)?//", url)]
    for sheet in built_site.folder.rglob("*.css"):
        outside += [
            f"{sheet.name}: {url}" for url in re.findall(r"url\(['\"]?((?:https?:)?//[^)'\"]+)", sheet.read_text())
        ]
    assert not outside


def test_the_generated_notebook_ran_on_a_kernel(built_site: BuiltSite) -> None:
    import nbformat

    notebook = nbformat.read(built_site.folder / "examples" / "classic.ipynb", as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert [cell.execution_count for cell in code] == list(range(1, len(code) + 1))
    assert not [output for cell in code for output in cell.outputs if output.output_type == "error"]
    first = code[0].outputs[0]["data"]["text/plain"]
    assert "0.35891647971788465" in first  # w5+ of the classic example, computed in the kernel
    assert any("image/png" in output.get("data", {}) for cell in code for output in cell.outputs)


def test_the_classic_example_page_holds_stepgrads_own_derivation(built_site: BuiltSite) -> None:
    page = (built_site.folder / "examples" / "classic.html").read_text(encoding="utf-8")
    assert page.count("<math") > 100 and "<svg" in page
    assert 'class="stepgrad-derivation"' in page and "0.35891648" in page
