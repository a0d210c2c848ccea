"""The diagram file ``OUT.svg`` that ``explain -o OUT.md`` writes beside its page, and when it may be replaced.

Each such SVG carries a comment naming its page, ``<!-- stepgrad: diagram of OUT.md -->``. Running
the same command again replaces its own diagram; any other ``OUT.svg`` (a drawing of the user's,
or the diagram of another page) is refused with one line unless ``--force`` is given.
"""

from __future__ import annotations

from pathlib import Path

from stepgrad.errors import StepgradError


def marker(page: Path) -> str:
    """The comment that says an SVG is the diagram of ``page``."""
    return f"<!-- stepgrad: diagram of {page.name.replace('--', '- -')} -->"


def marked_svg(svg: str, page: Path) -> str:
    """``svg`` with the marker of ``page`` right after its opening ``<svg …>`` tag."""
    start = svg.find("<svg")
    end = svg.find(">", start)
    if start < 0 or end < 0:
        return svg
    return svg[: end + 1] + "\n" + marker(page) + svg[end + 1 :]


def check_sidecar(sidecar: Path, page: Path, force: bool) -> None:
    """Refuse to replace ``sidecar`` unless it is missing, is ``page``'s own diagram, or ``force`` is given."""
    if sidecar.resolve() == page.resolve():
        raise StepgradError("is both the page and its diagram: name the page .md", str(page))
    if force or not sidecar.exists():
        return
    try:
        head = sidecar.read_bytes()[:4096].decode("utf-8", errors="replace")
    except OSError:
        head = ""
    if marker(page) not in head:
        raise StepgradError(
            f"exists and is not the diagram stepgrad wrote for {page.name}: not replacing it "
            "(give --force to replace it, or --embed-diagram)",
            str(sidecar),
        )
