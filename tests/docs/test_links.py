"""No broken internal link in the built site: every href and src inside the site reaches a file, and every
``#fragment`` an element with that id (or name) on the page it points to."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

from support.docs_site import BuiltSite


class Page(HTMLParser):
    """A page's links (``href``/``src``) and the ids its fragments can point to."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in ("href", "src"):
                self.links.append(value)
            elif name == "id" or (name == "name" and tag == "a"):
                self.ids.add(value)


def read(page: Path) -> Page:
    parser = Page()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def broken_links(site: Path) -> list[str]:
    """Every internal link of the site that leads nowhere, as ``page: link (why)``."""
    site = site.resolve()
    pages = {page: read(page) for page in site.rglob("*.html")}
    broken = []
    for page, parsed in pages.items():
        for link in parsed.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith(("mailto:", "data:", "javascript:")):
                continue  # another host, or no file at all: not this site's to check
            target_path, fragment = urldefrag(link)
            if target_path.startswith("/"):  # from the site's root (the 404 page, served at any depth)
                target = (site / unquote(target_path).lstrip("/")).resolve()
            else:
                target = (page.parent / unquote(target_path)).resolve() if target_path else page
            if target.is_dir():
                target = target / "index.html"
            where = f"{page.relative_to(site)}: {link}"
            if not target.is_relative_to(site.resolve()):
                broken.append(f"{where} (outside the site)")
            elif not target.is_file():
                broken.append(f"{where} (no such file)")
            elif fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else read(target).ids
                if unquote(fragment) not in ids:
                    broken.append(f"{where} (no #{fragment} there)")
    return broken


def test_no_internal_link_is_broken(built_site: BuiltSite) -> None:
    assert len(list(built_site.folder.rglob("*.html"))) >= 30
    assert broken_links(built_site.folder) == []


def test_the_checker_finds_a_broken_link_a_missing_anchor_and_a_missing_file(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text('<a href="b.html#here">b</a><a href="b.html#gone">x</a><img src="pic.png">')
    (tmp_path / "b.html").write_text('<h2 id="here">here</h2><a href="https://example.org/">out</a><a href="#here">')
    assert broken_links(tmp_path) == ["a.html: b.html#gone (no #gone there)", "a.html: pic.png (no such file)"]
